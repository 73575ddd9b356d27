//! The daily retention job (`store::retention` does the writing): warn the members of
//! a closed mentorship 30 days before its content is removed, remove the content of
//! those whose time has come, and sweep sent mail and expired credentials. Run by the
//! server once a day (whichever instance claims the day), and by hand with
//! `mentorpost retention [--dry-run]`. Each run logs what it did.

use crate::i18n::Tr;
use crate::state::AppState;
use crate::store;
use crate::store::mail::RenderedMail;
use crate::store::retention::{Closed, Reader};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use lettre::Message;
use lettre::message::Mailbox;
use serde::Serialize;
use sqlx::Row;
use tracing::Instrument;

/// How often the job looks whether a day has passed since its last run.
const LOOK_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);
const LAST_RUN_KEY: &str = "retention.last_run";

/// What one run did (or, dry, would do).
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub dry_run: bool,
    /// Mentorships whose members were warned, and the mails queued.
    pub warned: usize,
    pub warning_mails: usize,
    /// Mentorships whose content was removed, and the rows changed (dry: messages).
    pub removed: usize,
    pub rows_changed: u64,
    /// Housekeeping: (what, rows).
    pub swept: Vec<(&'static str, u64)>,
}

/// The server's task: at most one run per day, checked every quarter of an hour and
/// whenever the test clock moves.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(LOOK_EVERY);
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = tick.tick() => {}
            _ = state.clock_moved.notified() => {}
        }
        match claim_day(&state).await {
            Ok(false) => {}
            Ok(true) => {
                if let Err(err) = run_once(&state, false).instrument(tracing::info_span!("retention")).await {
                    tracing::warn!(error = format!("{err:#}"), "retention run failed; it is tried again at the next look");
                    let _ = release_day(&state).await;
                }
            }
            Err(err) => tracing::warn!(error = format!("{err:#}"), "retention: could not read its last run"),
        }
    }
}

/// Claims today's run: true when a day has passed since the last one and no other
/// instance claimed it first (a conditional write on the one settings row).
async fn claim_day(state: &AppState) -> anyhow::Result<bool> {
    let now = state.clock.now().timestamp_millis();
    let day_ago = now - Duration::days(1).num_milliseconds();
    state
        .db
        .write(move |conn| {
            Box::pin(async move {
                let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(LAST_RUN_KEY).fetch_optional(&mut *conn).await?;
                let last: i64 = match row {
                    Some(r) => r.try_get::<String, _>(0)?.parse().unwrap_or(0),
                    None => 0,
                };
                if last > day_ago {
                    return Ok(false);
                }
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                    .bind(LAST_RUN_KEY)
                    .bind(now.to_string())
                    .execute(&mut *conn)
                    .await?;
                Ok(true)
            })
        })
        .await
        .context("claiming the day's retention run")
}

async fn release_day(state: &AppState) -> anyhow::Result<()> {
    state
        .db
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query("DELETE FROM settings WHERE key = $1").bind(LAST_RUN_KEY).execute(&mut *conn).await?;
                Ok(())
            })
        })
        .await
        .context("releasing the retention run")
}

/// One run. Dry: counts what a real run would do and changes nothing.
pub async fn run_once(state: &AppState, dry_run: bool) -> anyhow::Result<Report> {
    let started = std::time::Instant::now();
    let now = state.clock.now();
    let pool = state.db.pool();
    let mut report = Report { dry_run, ..Report::default() };
    let closed = store::retention::closed_with_content(pool).await.context("listing closed mentorships")?;
    for c in &closed {
        if c.removes_at() <= now {
            report.removed += 1;
            report.rows_changed += if dry_run {
                u64::try_from(store::retention::message_count(pool, c.mentorship_id).await?).unwrap_or(0)
            } else {
                store::retention::remove_content(&state.db, c.mentorship_id, now).await.context("removing a mentorship's content")?
            };
        } else if !c.warned && c.warn_at() <= now {
            let readers = store::retention::readers(pool, c.mentorship_id).await?;
            let mails = readers.iter().map(|r| warning(state, c, r)).collect::<anyhow::Result<Vec<_>>>()?;
            let count = mails.len();
            if dry_run || store::retention::record_warning(&state.db, c.mentorship_id, mails, now).await? {
                report.warned += 1;
                report.warning_mails += count;
            }
        }
    }
    report.swept = if dry_run { store::retention::sweep_counts(pool, now).await? } else { store::retention::sweep(&state.db, now).await? };
    let swept: u64 = report.swept.iter().map(|(_, n)| n).sum();
    tracing::info!(
        dry_run,
        warned = report.warned,
        warning_mails = report.warning_mails,
        removed = report.removed,
        rows_changed = report.rows_changed,
        swept,
        ms = started.elapsed().as_millis() as u64,
        "retention run"
    );
    if !dry_run {
        metrics::counter!("mentorpost_retention_runs_total").increment(1);
        metrics::counter!("mentorpost_retention_rows_changed_total").increment(report.rows_changed + swept);
        metrics::gauge!("mentorpost_retention_last_run_timestamp_seconds").set(state.clock.now().timestamp() as f64);
    }
    Ok(report)
}

fn local_date(at: DateTime<Utc>, tr: &Tr) -> String {
    tr.date(tr.local_day(at))
}

/// The warning to one member: what goes when, and where to download it first.
fn warning(state: &AppState, c: &Closed, r: &Reader) -> anyhow::Result<RenderedMail> {
    let domain = &state.mailer.domain;
    let tr = Tr::new(r.locale, &r.timezone);
    let with = if r.others.is_empty() { tr.t("retention-mail-nobody") } else { r.others.join(", ") };
    let id = format!("retention.{}.{}", c.mentorship_id, r.user_id);
    let body = tr.args(
        "retention-mail-body",
        &[
            ("name", r.display_name.as_str().into()),
            ("names", with.as_str().into()),
            ("date", local_date(c.removes_at(), &tr).as_str().into()),
            ("closed", local_date(c.closed_at, &tr).as_str().into()),
            ("url", format!("{}/settings", state.mailer.public_url).as_str().into()),
        ],
    ) + "\n";
    let from: Mailbox = format!("mentorpost <notifications@{domain}>").parse().context("sender address")?;
    let to = Mailbox::new(Some(super::compose::header_text(&r.display_name)), r.email.parse().context("recipient address")?);
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(tr.ts("retention-mail-subject", "date", &local_date(c.removes_at(), &tr)))
        .message_id(Some(format!("<{id}@{domain}>")))
        .raw_header(lettre::message::header::HeaderValue::new(
            lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .singlepart(super::plain_part(body))
        .context("building the retention warning")?;
    let rendered = String::from_utf8(message.formatted()).context("the warning is UTF-8")?;
    Ok(RenderedMail { id, kind: "retention", user: Some(r.user_id), to_address: None, rendered })
}
