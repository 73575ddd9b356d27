//! Daily and weekly digests at each reader's own hour (their IANA zone, DST-correct).
//!
//! A scheduler round finds who reads some mentorship by digest, works out the period
//! due most recently for each, and for every period not yet recorded renders the
//! digest and records the run and its outbox row in one transaction. The run's
//! primary key `(user, period)` makes it exactly one per period across restarts and
//! instances; with nothing new the run is recorded and no mail goes out. Quiet hours
//! never delay a digest: the reader chose its hour.

use super::compose::{self, Digest, DigestSection, DigestThread};
use super::tokens::TokenKind;
use crate::app::AppState;
use crate::store;
use crate::store::mail::{DigestCandidate, QueuedDigest};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use mentorpost_model::mail::{MailMode, digest_due};
use std::time::Duration as StdDuration;

/// How often the scheduler looks for digests that came due.
const ROUND: StdDuration = StdDuration::from_secs(30);

/// Runs until shutdown.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(ROUND);
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        match schedule_due(&state).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(digests = n, "digests queued");
                state.mailer.wake.notify_one();
            }
            Err(err) => tracing::warn!(error = format!("{err:#}"), "digest round failed"),
        }
    }
}

/// Queues every digest due now and not yet made; returns how many mails it queued.
/// Tests call it after moving the clock.
pub async fn schedule_due(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let candidates = store::mail::digest_candidates(state.db.pool()).await.context("finding digest readers")?;
    let done = store::mail::recent_digests(state.db.pool(), now - Duration::days(8)).await.context("reading recent digests")?;
    let mut queued = 0;
    for c in candidates {
        let tz: chrono_tz::Tz = c.timezone.parse().unwrap_or(chrono_tz::UTC);
        let Some((period, due_at)) = digest_due(tz, c.mode, c.digest_hour, c.digest_weekday, now) else { continue };
        if done.contains(&(c.user_id, period.clone())) {
            continue;
        }
        if one(state, &c, tz, period, due_at, now).await.with_context(|| format!("digest for {}", c.user_id))? {
            queued += 1;
        }
    }
    Ok(queued)
}

async fn one(
    state: &AppState,
    c: &DigestCandidate,
    tz: chrono_tz::Tz,
    period: String,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let span = if c.mode == MailMode::Weekly { Duration::days(7) } else { Duration::days(1) };
    let after = store::mail::previous_cutoff(state.db.pool(), c.user_id, c.mode).await?.unwrap_or(due_at - span);
    let items = store::mail::digest_items(state.db.pool(), c.user_id, c.mode, after, due_at).await?;
    let mail = if items.is_empty() {
        None
    } else {
        let user = store::users::get(state.db.pool(), c.user_id).await?.context("the reader's account is gone")?;
        let mut sections: Vec<(mentorpost_model::MentorshipId, DigestSection)> = Vec::new();
        let mut tokens = Vec::new();
        for item in items {
            if sections.last().is_none_or(|(m, _)| *m != item.mentorship_id) {
                let label = store::mail::member_names(state.db.pool(), item.mentorship_id).await?.join(", ");
                let overdue = store::mail::overdue_replies(state.db.pool(), c.user_id, item.mentorship_id, due_at).await?;
                sections.push((item.mentorship_id, DigestSection { label, threads: Vec::new(), overdue }));
            }
            let Some((_, section)) = sections.last_mut() else { continue };
            if section.threads.last().is_none_or(|t| t.thread_id != item.thread_id) {
                let reply_token = state.mailer.tokens.reply(c.user_id, item.thread_id);
                tokens.push((reply_token.clone(), TokenKind::Reply, c.user_id, Some(item.thread_id), Some(item.mentorship_id)));
                section.threads.push(DigestThread {
                    thread_id: item.thread_id,
                    subject: item.subject.clone(),
                    reply_token,
                    messages: Vec::new(),
                });
            }
            if let Some(thread) = section.threads.last_mut() {
                thread.messages.push((item.author_name, item.body, item.created_at));
            }
        }
        // The period key has a colon; the Message-ID's local part gets a dash.
        let outbox_id = format!("digest.{}.{}", c.user_id, period.replace(':', "-"));
        let digest = Digest {
            mail_id: &outbox_id,
            mail_domain: &state.mailer.domain,
            public_url: &state.mailer.public_url,
            recipient_name: &user.display_name,
            recipient_email: &user.email,
            locale: user.locale,
            timezone: tz,
            weekly: c.mode == MailMode::Weekly,
            due_at,
            sections: sections.into_iter().map(|(_, s)| s).collect(),
        };
        let rendered = String::from_utf8(compose::digest(&digest)?.formatted()).context("a rendered mail is UTF-8")?;
        Some(QueuedDigest { outbox_id, rendered, tokens })
    };
    let queued = mail.is_some();
    let recorded = store::mail::record_digest(&state.db, c.user_id, period, due_at, mail, now).await?;
    Ok(recorded && queued)
}
