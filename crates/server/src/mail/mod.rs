//! E-mail out: the transport (files or SMTP), tokens in addresses and links, mail
//! composition, and the outbox worker that delivers what writes queued.
//!
//! Every mail is an `outbox` row written in the same transaction as its cause; the
//! worker claims due rows, renders them from the current rows, sends, and records the
//! outcome with retries and backoff. Security mail (login links) is sent at once and
//! ignores every preference.

pub mod agreement;
pub mod compose;
pub mod digest;
pub mod outbox;
pub mod prompts;
pub mod reminders;
pub mod retention;
pub mod security;
pub mod summary;
pub mod tokens;
pub mod transport;

use crate::config::Config;
use crate::i18n::Tr;
use anyhow::Context;
use lettre::Message;
use lettre::message::{Mailbox, header::ContentType};
use mentorpost_model::Locale;
use std::sync::Arc;
use tokens::MailTokens;
use tokio::sync::Notify;
use transport::Transport;

#[derive(Clone)]
pub struct Mailer {
    pub transport: Transport,
    pub tokens: MailTokens,
    /// Tokens known to be stored, so the outbox writes only new ones.
    pub remembered: tokens::Remembered,
    /// Wakes the outbox worker when a write queued mail.
    pub wake: Arc<Notify>,
    /// Outbox rows this process's posts just queued, which the worker claims by id.
    queued: Arc<std::sync::Mutex<Vec<String>>>,
    /// Counts outbox rows this process has finished (sent, cancelled, postponed or
    /// failed), so tests and tools can wait for progress instead of polling.
    pub progress: Arc<tokio::sync::watch::Sender<u64>>,
    pub domain: String,
    pub public_url: String,
    from: Mailbox,
}

impl Mailer {
    /// Hands the worker the outbox rows a committed write queued, and wakes it.
    pub fn queued(&self, ids: Vec<String>) {
        if ids.is_empty() {
            return;
        }
        self.queued.lock().unwrap_or_else(|e| e.into_inner()).extend(ids);
        self.wake.notify_one();
    }

    /// The rows handed over since the last call.
    pub fn take_queued(&self) -> Vec<String> {
        std::mem::take(&mut *self.queued.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn new(config: &Config, instance_secret: &[u8]) -> anyhow::Result<Mailer> {
        let transport = Transport::new(config.mail_dir(), config.smtp_url.as_deref(), config.smtp_timeouts)?;
        let from: Mailbox = format!("mentorpost <notifications@{}>", config.mail_domain).parse().context("building the sender address")?;
        Ok(Mailer {
            transport,
            tokens: MailTokens::new(instance_secret),
            remembered: tokens::Remembered::default(),
            wake: Arc::new(Notify::new()),
            queued: Arc::default(),
            progress: Arc::new(tokio::sync::watch::Sender::new(0)),
            domain: config.mail_domain.clone(),
            public_url: config.public_url.trim_end_matches('/').to_owned(),
            from,
        })
    }

    /// A mail of the service itself: our sender, a Message-ID at our domain, the date,
    /// and `Auto-Submitted: auto-generated` (RFC 3834), so no vacation responder answers.
    fn builder(&self) -> lettre::message::MessageBuilder {
        Message::builder()
            .from(self.from.clone())
            .message_id(Some(format!("<{}@{}>", uuid::Uuid::now_v7().simple(), self.domain)))
            .date_now()
            .raw_header(lettre::message::header::HeaderValue::new(
                lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_owned(),
            ))
    }

    /// The service's own sender address.
    pub fn sender(&self) -> &Mailbox {
        &self.from
    }

    /// Renders the mail with a single-use login link, for the outbox (security mail:
    /// it goes at once, whatever the person's mail settings).
    pub fn render_magic_link(&self, to_name: &str, to_email: &str, locale: Locale, link: &str) -> anyhow::Result<String> {
        let tr = Tr::new(locale, "UTC");
        let subject = tr.t("signin-mail-subject");
        let body = tr.args("signin-mail-body", &[("name", to_name.into()), ("link", link.into())]) + "\n";
        let to = Mailbox::new(Some(compose::header_text(to_name)), to_email.parse().context("recipient address")?);
        let message = self.builder().to(to).subject(subject).singlepart(plain_part(body)).context("building the login mail")?;
        String::from_utf8(message.formatted()).context("a rendered mail is UTF-8")
    }

    /// Renders the mail with the link to a person's export (built in the background):
    /// to their own address, in their language, with the link's last day. Its copy in
    /// the outbox is dropped once sent, like a sign-in link's.
    #[allow(clippy::too_many_arguments)]
    pub fn render_export(
        &self,
        to_name: &str,
        to_email: &str,
        locale: Locale,
        timezone: &str,
        link: &str,
        until: chrono::DateTime<chrono::Utc>,
        by_admin: bool,
    ) -> anyhow::Result<String> {
        let tr = Tr::new(locale, timezone);
        let subject = tr.t("export-mail-subject");
        let until = tr.moment(until);
        let mut body = tr.args("export-mail-body", &[("name", to_name.into()), ("date", until.as_str().into()), ("link", link.into())]);
        body.push_str("\n\n");
        body.push_str(&tr.t(if by_admin { "export-mail-by-admin" } else { "export-mail-by-you" }));
        body.push('\n');
        let to = Mailbox::new(Some(compose::header_text(to_name)), to_email.parse().context("recipient address")?);
        let message = self.builder().to(to).subject(subject).singlepart(plain_part(body)).context("building the export mail")?;
        String::from_utf8(message.formatted()).context("a rendered mail is UTF-8")
    }

    /// Renders the mail that asks the owner of a new address to confirm it (someone
    /// added it on their settings page). It goes to the new address, so only whoever
    /// reads that mailbox can add it.
    pub fn render_address_confirmation(&self, to_email: &str, by_name: &str, locale: Locale, link: &str) -> anyhow::Result<String> {
        let days = crate::store::inbound::ADDRESS_LINK_DAYS;
        let tr = Tr::new(locale, "UTC");
        let subject = tr.t("address-mail-subject");
        let body = tr.args("address-mail-body", &[("name", by_name.into()), ("days", days.into()), ("link", link.into())]) + "\n";
        let to = Mailbox::new(None, to_email.parse().context("recipient address")?);
        let message = self.builder().to(to).subject(subject).singlepart(plain_part(body)).context("building the address confirmation")?;
        String::from_utf8(message.formatted()).context("a rendered mail is UTF-8")
    }
}

/// What an invitation mail says and where its answers go.
pub struct InvitationMail<'a> {
    pub to_name: &'a str,
    pub to_email: &'a str,
    pub locale: Locale,
    pub programme: &'a str,
    pub invited_by: &'a str,
    /// The single-use token of the link and of the `invite+TOKEN@` reply address.
    pub token: &'a str,
    pub days: i64,
}

/// What a first-contact mail says: who is in the new mentorship, who writes first, and
/// a subject to start with (G5).
pub struct FirstContactMail<'a> {
    pub to_name: &'a str,
    pub to_email: &'a str,
    pub locale: Locale,
    pub programme: &'a str,
    /// The other members' names, joined.
    pub others: &'a str,
    /// Whether this reader is on the side that writes first.
    pub writes_first: bool,
    /// The names of the side that writes first, joined.
    pub first_writers: &'a str,
    /// Where a mail starts a new thread in the mentorship (`mentorship+TOKEN@`).
    pub new_thread_address: &'a str,
    pub link: &'a str,
    /// Each other member's name and profile (G5; `None`: they wrote none yet), so a
    /// reader who never opens the web app reads them too. Only ever the profiles of
    /// this mentorship's members, for its members.
    pub profiles: &'a [(&'a str, Option<&'a mentorpost_model::Profile>)],
}

impl Mailer {
    /// Renders an invitation: the link to accept, and a Reply-To address, so someone
    /// who never opens links can accept by answering "yes".
    pub fn render_invitation(&self, m: &InvitationMail) -> anyhow::Result<String> {
        let tr = Tr::new(m.locale, "UTC");
        let link = format!("{}/invite/{}", self.public_url, m.token);
        let subject = tr.ts("invite-mail-subject", "programme", m.programme);
        let body = tr.args(
            "invite-mail-body",
            &[
                ("name", m.to_name.into()),
                ("programme", m.programme.into()),
                ("coordinator", m.invited_by.into()),
                ("link", link.as_str().into()),
                ("days", m.days.into()),
            ],
        ) + "\n";
        let to = Mailbox::new(Some(compose::header_text(m.to_name)), m.to_email.parse().context("recipient address")?);
        let reply_to: Mailbox = format!("invite+{}@{}", m.token, self.domain).parse().context("the invitation's reply address")?;
        let message = self
            .builder()
            .reply_to(reply_to)
            .to(to)
            .subject(compose::header_text(&subject))
            .singlepart(plain_part(body))
            .context("building the invitation mail")?;
        String::from_utf8(message.formatted()).context("a rendered mail is UTF-8")
    }

    /// Renders the mail each member of a new mentorship gets: who the others are, who
    /// writes first, a first subject, and how to write by mail.
    pub fn render_first_contact(&self, m: &FirstContactMail) -> anyhow::Result<String> {
        let tr = Tr::new(m.locale, "UTC");
        let subject = tr.ts("first-mail-subject", "programme", m.programme);
        let who = if m.writes_first {
            tr.args("first-mail-you-write", &[("other", m.others.into())])
        } else {
            tr.args("first-mail-they-write", &[("other", m.first_writers.into())])
        };
        let body = tr.args(
            "first-mail-body",
            &[
                ("name", m.to_name.into()),
                ("programme", m.programme.into()),
                ("other", m.others.into()),
                ("who", who.as_str().into()),
                ("subject", tr.t("first-mail-suggested-subject").as_str().into()),
                ("address", m.new_thread_address.into()),
                ("link", m.link.into()),
                ("profiles", profiles_text(&tr, m.profiles).as_str().into()),
            ],
        ) + "\n";
        self.to_mentorship_member(m.to_name, m.to_email, m.new_thread_address, &subject, body)
    }

    /// A plain-text mail to a member whose answers go to their mentorship address.
    fn to_mentorship_member(
        &self,
        to_name: &str,
        to_email: &str,
        reply_address: &str,
        subject: &str,
        body: String,
    ) -> anyhow::Result<String> {
        let to = Mailbox::new(Some(compose::header_text(to_name)), to_email.parse().context("recipient address")?);
        let reply_to: Mailbox = reply_address.parse().context("the mentorship's address")?;
        let message = self
            .builder()
            .reply_to(reply_to)
            .to(to)
            .subject(compose::header_text(subject))
            .singlepart(plain_part(body))
            .context("building a mail to a member")?;
        String::from_utf8(message.formatted()).context("a rendered mail is UTF-8")
    }
}

/// What a session mail says (F5, G2): who logged it, its learning goal, what was
/// explored and the actions agreed, and how to tick one off by reply.
pub struct SessionMail<'a> {
    pub to_name: &'a str,
    pub to_email: &'a str,
    pub locale: Locale,
    pub logged_by: &'a str,
    pub date: chrono::NaiveDate,
    pub learning_goal: Option<&'a str>,
    pub explored: Option<&'a str>,
    pub actions: &'a [mentorpost_model::session::ActionView],
    /// The reader's `mentorship+TOKEN@` address: the Reply-To, where "done N" goes.
    pub reply_address: &'a str,
    pub link: &'a str,
}

impl Mailer {
    /// Renders the mail about a session for a member who reads by mail.
    pub fn render_session(&self, m: &SessionMail) -> anyhow::Result<String> {
        let tr = Tr::new(m.locale, "UTC");
        let date = tr.date(m.date);
        let subject = tr.args("session-mail-subject", &[("name", m.logged_by.into()), ("date", date.as_str().into())]);
        let mut body = tr.args("session-mail-intro", &[("name", m.logged_by.into()), ("date", date.as_str().into())]) + "\n";
        if let Some(goal) = m.learning_goal {
            body.push_str(&format!("\n{}\n{}\n", tr.t("session-mail-goal"), goal.trim()));
        }
        if let Some(explored) = m.explored {
            body.push_str(&format!("\n{}\n{}\n", tr.t("session-mail-explored"), explored.trim()));
        }
        if let Some(first) = m.actions.first() {
            body.push_str(&format!("\n{}\n", tr.t("session-mail-actions")));
            for a in m.actions {
                let line = match a.due_on {
                    Some(due) => {
                        format!("{}. {} ({}, {})", a.number, a.text, a.owner_name, tr.ts("session-mail-due", "date", &tr.date(due)))
                    }
                    None => format!("{}. {} ({})", a.number, a.text, a.owner_name),
                };
                body.push_str(&format!("- {line}\n"));
            }
            body.push_str(&format!("\n{}\n", tr.tn("session-mail-how", "number", first.number)));
        }
        body.push_str(&format!("\n{}\n", tr.ts("session-mail-link", "link", m.link)));
        self.to_mentorship_member(m.to_name, m.to_email, m.reply_address, &subject, body)
    }
}

/// The other members' profiles as plain text for the first-contact mail: per person a
/// heading line and each written field under its label, or a line saying they have
/// not written one yet.
fn profiles_text(tr: &Tr, profiles: &[(&str, Option<&mentorpost_model::Profile>)]) -> String {
    let mut blocks = Vec::with_capacity(profiles.len());
    for &(name, profile) in profiles {
        match profile.filter(|p| !p.is_empty()) {
            None => blocks.push(tr.ts("first-mail-profile-none", "name", name)),
            Some(p) => {
                let mut block = tr.ts("first-mail-profile-title", "name", name);
                for field in mentorpost_model::Profile::FIELDS {
                    let text = p.field(field);
                    if !text.is_empty() {
                        block.push_str(&format!("\n\n{}\n{text}", tr.t(&format!("profile-shown-{field}"))));
                    }
                }
                blocks.push(block);
            }
        }
    }
    blocks.join("\n\n")
}

/// A text part's body: as it is (`7bit`, or `8bit` with non-ASCII) when every line fits
/// RFC 5322's 998 bytes, so every link stays whole for whatever reads the raw mail —
/// no soft line break of quoted-printable inside a URL, no base64. lettre's chooser
/// turns to quoted-printable from 76 characters on, so the body is written here;
/// lettre's choice stays for longer lines. The SMTP transport announces
/// `BODY=8BITMIME` for non-ASCII mail.
pub fn text_body(text: String) -> lettre::message::Body {
    use lettre::message::header::ContentTransferEncoding;
    let crlf = text.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n");
    let fits = crlf.split("\r\n").all(|line| line.len() <= 998) && !crlf.contains('\0');
    if !fits {
        return lettre::message::Body::new(text);
    }
    let encoding = if crlf.is_ascii() { ContentTransferEncoding::SevenBit } else { ContentTransferEncoding::EightBit };
    lettre::message::Body::dangerous_pre_encoded(crlf.into_bytes(), encoding)
}

/// A `text/plain; charset=utf-8` part with [`text_body`].
pub fn plain_part(text: String) -> lettre::message::SinglePart {
    lettre::message::SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text_body(text))
}

/// A `text/html; charset=utf-8` part with [`text_body`].
pub fn html_part(html: String) -> lettre::message::SinglePart {
    lettre::message::SinglePart::builder().header(ContentType::TEXT_HTML).body(text_body(html))
}

/// The text and HTML parts of one mail, as alternatives.
pub fn alternative(text: String, html: String) -> lettre::message::MultiPart {
    lettre::message::MultiPart::alternative().singlepart(plain_part(text)).singlepart(html_part(html))
}

/// The outbox worker hears of mail every committed write queued (`db::publish`): it
/// claims rows it was given by id, and wakes for the rest.
impl crate::db::Subscriber for Mailer {
    fn committed(&self, notes: &[crate::db::Note]) {
        for note in notes {
            match note {
                crate::db::Note::Mail(ids) => self.queued(ids.clone()),
                crate::db::Note::MailDue => self.wake.notify_one(),
                _ => {}
            }
        }
    }
}

/// The mail that tells the other members of a mentorship that one of them shared
/// something with the coordinators (F4): who, what kind, and — only when the sharer
/// allowed it — what.
pub struct ConcernMail<'a> {
    pub to_name: &'a str,
    pub to_email: &'a str,
    pub locale: Locale,
    pub sharer: &'a str,
    pub kind: mentorpost_model::concern::ConcernKind,
    pub programme: &'a str,
    /// What was shared and the sharer's note, when the others may read it.
    pub shown: Option<(&'a mentorpost_model::concern::Snapshot, &'a str)>,
    pub link: &'a str,
}

impl Mailer {
    pub fn render_concern_notice(&self, m: &ConcernMail) -> anyhow::Result<String> {
        let tr = Tr::new(m.locale, "UTC");
        let what = tr.t(&format!("concern-what-{}", m.kind.as_str()));
        let subject = tr.ts("concern-mail-subject", "name", m.sharer);
        let mut body = tr.args(
            "concern-mail-body",
            &[("other", m.to_name.into()), ("name", m.sharer.into()), ("what", what.as_str().into()), ("programme", m.programme.into())],
        ) + "\n\n";
        match m.shown {
            Some((snapshot, note)) => {
                body.push_str(&tr.ts("concern-mail-shown", "name", m.sharer));
                body.push_str("\n\n");
                body.push_str(&concern_text(&tr, snapshot, note));
            }
            None => body.push_str(&tr.ts("concern-mail-not-shown", "name", m.sharer)),
        }
        body.push_str("\n\n");
        body.push_str(&tr.ts("concern-mail-link", "link", m.link));
        body.push('\n');
        let to = Mailbox::new(Some(compose::header_text(m.to_name)), m.to_email.parse().context("recipient address")?);
        let message = self
            .builder()
            .to(to)
            .subject(compose::header_text(&subject))
            .singlepart(plain_part(body))
            .context("building the concern notice")?;
        String::from_utf8(message.formatted()).context("a rendered mail is UTF-8")
    }
}

/// A shared item as plain text: the subject, each message with its author and time,
/// then the sharer's note.
pub fn concern_text(tr: &Tr, snapshot: &mentorpost_model::concern::Snapshot, note: &str) -> String {
    let mut out = String::new();
    if let Some(subject) = &snapshot.subject {
        out.push_str(&tr.ts("concern-subject", "subject", subject));
        out.push('\n');
    }
    for m in &snapshot.messages {
        out.push_str(&format!("\n{} — {}\n{}\n", m.author_name, tr.when_full(m.created_at), m.body.trim()));
    }
    if !note.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&tr.t("concern-note-label"));
        out.push('\n');
        out.push_str(note);
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// The mail that asks an e-mail-only person to accept a new version of a programme's
/// privacy notice: the whole text, and a Reply-To `privacy+TOKEN@` where "agree" or
/// "akkoord" records the consent.
pub struct NoticeUpdateMail<'a> {
    pub to_name: &'a str,
    pub to_email: &'a str,
    pub locale: Locale,
    pub programme: &'a str,
    pub version_text: &'a str,
    pub text: &'a str,
    pub token: &'a str,
}

impl Mailer {
    pub fn render_notice_update(&self, m: &NoticeUpdateMail) -> anyhow::Result<String> {
        let tr = Tr::new(m.locale, "UTC");
        let subject = tr.ts("notice-mail-subject", "programme", m.programme);
        let body = tr.args("notice-mail-intro", &[("name", m.to_name.into()), ("programme", m.programme.into())])
            + "\n\n"
            + m.text.trim()
            + "\n\n"
            + m.version_text
            + "\n\n"
            + &tr.t("notice-mail-how")
            + "\n";
        let to = Mailbox::new(Some(compose::header_text(m.to_name)), m.to_email.parse().context("recipient address")?);
        let reply_to: Mailbox = format!("privacy+{}@{}", m.token, self.domain).parse().context("the notice's reply address")?;
        let message = self
            .builder()
            .reply_to(reply_to)
            .to(to)
            .subject(compose::header_text(&subject))
            .singlepart(plain_part(body))
            .context("building the notice mail")?;
        String::from_utf8(message.formatted()).context("a rendered mail is UTF-8")
    }
}
