//! Gentle reminders (F15): shortly before a reply becomes overdue against the agreed
//! response time, the members who owe it get one short mail — people who read by
//! mail message by message or on the web; digest readers see it in their digest.
//! Replying to the reminder answers in the thread.

use super::tokens::TokenKind;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::store;
use crate::store::reminders::Due;
use anyhow::Context;
use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::Mailbox;
use mentorpost_model::Locale;

/// Queues the reminders due now; returns how many.
pub async fn schedule_due(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let mut queued = 0;
    for d in store::reminders::due(state.db.pool(), now).await.context("finding replies coming due")? {
        let token = state.mailer.tokens.reply(d.user_id, d.thread_id);
        store::mail::remember_tokens(
            &state.db,
            vec![(token.clone(), TokenKind::Reply, d.user_id, Some(d.thread_id), Some(d.mentorship_id))],
            now,
        )
        .await
        .context("recording the reply token")?;
        let id = format!("reminder.{}.{}", d.message_id, d.user_id);
        let rendered = render(state, &d, &id, &token)?;
        // Past the reader's quiet hours, like a mail about a message.
        let tz: chrono_tz::Tz = d.timezone.parse().unwrap_or(chrono_tz::UTC);
        let settings = store::mail::settings(state.db.pool(), d.user_id).await.context("reading the reader's mail settings")?;
        let not_before = settings.quiet_minutes().and_then(|q| mentorpost_model::mail::quiet_until(tz, q, now)).unwrap_or(now);
        if store::reminders::record(&state.db, &d, id, rendered, now, not_before).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

fn local(at: DateTime<Utc>, tz: &str) -> String {
    let tz: chrono_tz::Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

fn render(state: &AppState, d: &Due, id: &str, token: &str) -> anyhow::Result<String> {
    let domain = &state.mailer.domain;
    let subject = super::compose::header_text(&d.subject);
    let author = super::compose::header_text(&d.author_name);
    let (when, by) = (local(d.written_at, &d.timezone), local(d.due_at, &d.timezone));
    let url = format!("{}/threads/{}", state.mailer.public_url, d.thread_id);
    let tr = Tr::new(Locale::parse(&d.locale).unwrap_or_default(), &d.timezone);
    let title = tr.ts("reminder-subject", "subject", &subject);
    let body = tr.args(
        "reminder-body",
        &[
            ("name", (&author).into()),
            ("subject", (&subject).into()),
            ("when", (&when).into()),
            ("due", (&by).into()),
            ("url", (&url).into()),
        ],
    ) + "\n";
    let from: Mailbox = format!("mentorpost <notifications@{domain}>").parse().context("sender address")?;
    let to: Mailbox = d.email.parse().context("recipient address")?;
    let reply_to: Mailbox = format!("reply+{token}@{domain}").parse().context("reply address")?;
    let root = super::compose::thread_root_id(d.thread_id, domain);
    let message = Message::builder()
        .from(from)
        .reply_to(reply_to)
        .to(to)
        .subject(title)
        .message_id(Some(format!("<{id}@{domain}>")))
        .in_reply_to(root.clone())
        .references(root)
        .raw_header(lettre::message::header::HeaderValue::new(
            lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .singlepart(super::plain_part(body))
        .context("building the reminder")?;
    String::from_utf8(message.formatted()).context("the reminder is UTF-8")
}
