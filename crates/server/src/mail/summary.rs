//! The coordinators' weekly summary (F9, F13): per programme, the mentorships that are
//! not started, slowing or dormant (marked when they moved there since the last
//! summary), replies overdue (counts and ages only) and addresses bouncing — or one
//! "all on track" line. Figures only: no subject, body or note is ever read.
//!
//! Scheduled like the digests: at the coordinator's weekday and hour in their time
//! zone, one per week (`summary_runs`), never for a week that was due before they
//! were appointed.

use crate::i18n::Tr;
use crate::state::AppState;
use crate::store;
use crate::store::summary::Recipient;
use anyhow::Context;
use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::Mailbox;
use mentorpost_model::health::HealthStatus;
use mentorpost_model::mail::{MailMode, digest_due};
use mentorpost_model::{Locale, MentorshipStatus};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::SystemTime;

/// Queues every summary due now; returns how many mails it queued.
pub async fn schedule_due(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let mut queued = 0;
    for r in store::summary::recipients(state.db.pool()).await.context("finding coordinators")? {
        let tz: chrono_tz::Tz = r.timezone.parse().unwrap_or(chrono_tz::UTC);
        let Some((period, due_at)) = digest_due(tz, MailMode::Weekly, r.hour, r.weekday, now) else { continue };
        // A week that came due before any appointment is not summarised.
        if r.programmes.iter().all(|(_, _, appointed)| *appointed > due_at) {
            continue;
        }
        let (done, previous) = store::summary::previous(state.db.pool(), r.user_id, &period).await?;
        if done {
            continue;
        }
        let (text, statuses, anything) = compose(state, &r, &previous, now).await?;
        let mail = if anything || r.send_all_clear {
            let id = format!("summary.{}.{}", r.user_id, period.replace(':', "-"));
            Some((id.clone(), render(state, &r, &id, &text, due_at)?))
        } else {
            None
        };
        let queue = mail.is_some();
        let statuses = serde_json::to_string(&statuses).context("statuses as JSON")?;
        if store::summary::record(&state.db, r.user_id, period, statuses, mail, now).await? && queue {
            queued += 1;
        }
    }
    Ok(queued)
}

fn status_word(tr: &Tr, s: HealthStatus) -> String {
    tr.t(match s {
        HealthStatus::NotStarted => "summary-status-not-started",
        HealthStatus::Slowing => "summary-status-slowing",
        HealthStatus::Dormant => "summary-status-dormant",
        HealthStatus::OnTrack => "summary-status-on-track",
        HealthStatus::Closed => "summary-status-closed",
    })
}

fn status_key(s: HealthStatus) -> String {
    serde_json::to_value(s).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The summary's text, the statuses to remember, and whether anything needs attention.
async fn compose(
    state: &AppState,
    r: &Recipient,
    previous: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> anyhow::Result<(String, HashMap<String, String>, bool)> {
    let tr = Tr::new(Locale::parse(&r.locale).unwrap_or_default(), &r.timezone);
    let mut text = String::new();
    let mut statuses = HashMap::new();
    let mut anything = false;
    for (programme, name, _) in &r.programmes {
        let rows = crate::health::programme_rows(&state.health, &state.db, *programme, false, state.clock.now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let bouncing = store::inbound::bouncing_in_programme(state.db.pool(), *programme).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let _ = writeln!(text, "\n== {name} ==");
        let mut lines = Vec::new();
        for m in rows.iter().filter(|m| m.status != MentorshipStatus::Closed) {
            statuses.insert(m.mentorship_id.to_string(), status_key(m.health.status));
            let names = m.members.iter().filter(|p| p.left_at.is_none()).map(|p| p.display_name.as_str()).collect::<Vec<_>>().join(" & ");
            let status = m.health.status;
            if matches!(status, HealthStatus::NotStarted | HealthStatus::Slowing | HealthStatus::Dormant) {
                let moved = previous.get(&m.mentorship_id.to_string()).is_none_or(|p| *p != status_key(status));
                let days = m.health.days_since_contact.map(|d| tr.tn("summary-days-since", "count", d));
                let new = if moved { format!(" {}", tr.t("summary-new-this-week")) } else { String::new() };
                lines.push(format!("- {names}: {}{}{new}", status_word(&tr, status), days.unwrap_or_default()));
            }
            let overdue = m.health.replies_overdue;
            if overdue.count > 0 {
                let oldest = overdue.oldest_hours.unwrap_or(0);
                let line = tr.args(
                    "summary-overdue",
                    &[("names", names.as_str().into()), ("count", i64::from(overdue.count).into()), ("hours", oldest.into())],
                );
                lines.push(format!("- {line}"));
            }
        }
        for (user, _, since) in &bouncing {
            let who = rows.iter().flat_map(|m| &m.members).find(|p| p.user_id == *user).map(|p| p.display_name.clone()).unwrap_or_default();
            let since = since.format("%Y-%m-%d").to_string();
            lines.push(format!("- {}", tr.args("summary-bouncing", &[("name", (&who).into()), ("date", (&since).into())])));
        }
        if rows.is_empty() {
            let _ = writeln!(text, "{}", tr.t("summary-no-mentorships"));
        } else if lines.is_empty() {
            let _ = writeln!(text, "{}", tr.tn("summary-all-on-track", "count", rows.len() as i64));
        } else {
            anything = true;
            for l in lines {
                let _ = writeln!(text, "{l}");
            }
        }
        let _ = writeln!(text, "{}/coordinate/programmes/{programme}", state.mailer.public_url);
    }
    let _ = now;
    Ok((text, statuses, anything))
}

fn render(state: &AppState, r: &Recipient, id: &str, sections: &str, due_at: DateTime<Utc>) -> anyhow::Result<String> {
    let tr = Tr::new(Locale::parse(&r.locale).unwrap_or_default(), &r.timezone);
    let (subject, intro, outro) = (tr.t("summary-subject"), tr.ts("summary-intro", "name", &r.display_name), tr.t("summary-outro"));
    let from: Mailbox = format!("mentorpost <notifications@{}>", state.mailer.domain).parse().context("sender address")?;
    let to = Mailbox::new(Some(super::compose::header_text(&r.display_name)), r.email.parse().context("recipient address")?);
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .date(SystemTime::from(due_at))
        .message_id(Some(format!("<{id}@{}>", state.mailer.domain)))
        .raw_header(lettre::message::header::HeaderValue::new(
            lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .singlepart(super::plain_part(format!("{intro}\n{sections}\n-- \n{outro}\n")))
        .context("building the summary")?;
    String::from_utf8(message.formatted()).context("the summary is UTF-8")
}
