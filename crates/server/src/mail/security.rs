//! Security alerts to a person: a sign-in from a device not seen before, a changed
//! password, an added address (to the account's address and to the new one). Each
//! says what happened, when, from where, and what to do if it was not them; none
//! carries anything written in a mentorship. Queued as outbox rows (kinds
//! `sign_in_alert`, `password_changed`, `address_added`), rendered when queued and sent
//! at once, whatever the person's mail settings or quiet hours.

use super::{Mailer, plain_part};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::store;
use crate::store::mail::RenderedMail;
use anyhow::Context;
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use mentorpost_model::UserId;

/// What happened.
pub enum Alert<'a> {
    /// A sign-in from a device not seen before: its description and client address.
    NewSignIn {
        device: &'a str,
        address: &'a str,
    },
    PasswordChanged {
        address: &'a str,
    },
    /// An address was added to the account.
    AddressAdded {
        added: &'a str,
    },
}

impl Alert<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Alert::NewSignIn { .. } => "sign_in_alert",
            Alert::PasswordChanged { .. } => "password_changed",
            Alert::AddressAdded { .. } => "address_added",
        }
    }
}

/// The words of `device` for a reader: "Firefox on Windows", or "an unknown device".
pub fn device_words(tr: &Tr, user_agent: Option<&str>) -> String {
    match mentorpost_model::device::describe(user_agent) {
        Some((browser, Some(system))) => tr.args("security-device", &[("browser", browser.into()), ("system", system.into())]),
        Some((browser, None)) => browser.to_owned(),
        None => tr.t("security-device-unknown"),
    }
}

impl Mailer {
    fn render_alert(&self, tr: &Tr, to_name: &str, to_email: &str, alert: &Alert, at: DateTime<Utc>) -> anyhow::Result<String> {
        let when = tr.when_full(at);
        let settings = format!("{}/settings#security", self.public_url);
        let (subject, body) = match alert {
            Alert::NewSignIn { device, address } => (
                tr.t("security-mail-sign-in-subject"),
                tr.args(
                    "security-mail-sign-in-body",
                    &[
                        ("name", to_name.into()),
                        ("device", (*device).into()),
                        ("when", when.as_str().into()),
                        ("from", (*address).into()),
                        ("link", settings.as_str().into()),
                    ],
                ),
            ),
            Alert::PasswordChanged { address } => (
                tr.t("security-mail-password-subject"),
                tr.args(
                    "security-mail-password-body",
                    &[
                        ("name", to_name.into()),
                        ("when", when.as_str().into()),
                        ("from", (*address).into()),
                        ("link", settings.as_str().into()),
                    ],
                ),
            ),
            Alert::AddressAdded { added } => (
                tr.t("security-mail-address-subject"),
                tr.args(
                    "security-mail-address-body",
                    &[
                        ("name", to_name.into()),
                        ("address", (*added).into()),
                        ("when", when.as_str().into()),
                        ("link", settings.as_str().into()),
                    ],
                ),
            ),
        };
        let to = Mailbox::new(Some(super::compose::header_text(to_name)), to_email.parse().context("recipient address")?);
        let message = self
            .builder()
            .to(to)
            .subject(super::compose::header_text(&subject))
            .singlepart(plain_part(body + "\n"))
            .context("building a security alert")?;
        String::from_utf8(message.formatted()).context("a rendered mail is UTF-8")
    }
}

/// Queues `alert` to `user` (and, for an added address, to that address too).
pub async fn alert(state: &AppState, user: UserId, alert: Alert<'_>) -> anyhow::Result<()> {
    let Some(person) = store::users::get(state.db.pool(), user).await.context("reading the person")? else { return Ok(()) };
    let now = state.clock.now();
    let tr = Tr::new(person.locale, &person.timezone);
    let mut to = vec![(person.email.clone(), None)];
    if let Alert::AddressAdded { added } = &alert {
        to.push(((*added).to_owned(), Some((*added).to_owned())));
    }
    let mut mails = Vec::new();
    for (address, to_address) in to {
        let rendered = state.mailer.render_alert(&tr, &person.display_name, &address, &alert, now)?;
        mails.push(RenderedMail {
            id: format!("{}.{}", alert.kind(), uuid::Uuid::now_v7().simple()),
            kind: alert.kind(),
            user: Some(user),
            to_address,
            rendered,
        });
    }
    store::devices::queue_alerts(&state.db, mails, now).await.context("queueing a security alert")?;
    tracing::info!(%user, kind = alert.kind(), "security alert queued");
    Ok(())
}
