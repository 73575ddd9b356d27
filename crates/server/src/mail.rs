//! Sending mail. For now only security mail (magic login links) goes out, written as
//! complete `.eml` files under `<data dir>/mail/` so the default run needs nothing
//! installed; the outbox with SMTP delivery arrives with the e-mail issue.

use crate::config::Config;
use anyhow::Context;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};
use mentorpost_model::Locale;

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncFileTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(config: &Config) -> anyhow::Result<Mailer> {
        let dir = config.mail_dir();
        std::fs::create_dir_all(&dir).with_context(|| format!("creating mail dir {}", dir.display()))?;
        let from: Mailbox = format!("mentorpost <notifications@{}>", config.mail_domain).parse().context("building the sender address")?;
        Ok(Mailer { transport: AsyncFileTransport::new(dir), from })
    }

    /// Mails a single-use login link.
    pub async fn send_magic_link(&self, to_name: &str, to_email: &str, locale: Locale, link: &str) -> anyhow::Result<()> {
        let (subject, body) = match locale {
            Locale::Nl => (
                "Je inloglink voor mentorpost",
                format!(
                    "Hallo {to_name},\n\nMet deze link log je in bij mentorpost. Hij werkt één keer en blijft 15 minuten geldig:\n\n{link}\n\nHeb je niet om deze link gevraagd? Dan kun je deze mail negeren.\n"
                ),
            ),
            Locale::En => (
                "Your mentorpost login link",
                format!(
                    "Hello {to_name},\n\nThis link logs you in to mentorpost. It works once and stays valid for 15 minutes:\n\n{link}\n\nDid not ask for it? You can ignore this mail.\n"
                ),
            ),
        };
        let to = Mailbox::new(Some(to_name.to_owned()), to_email.parse().context("recipient address")?);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .context("building the login mail")?;
        self.transport.send(message).await.context("writing the login mail")?;
        Ok(())
    }
}
