//! Daily and weekly digests at each reader's own hour (their IANA zone, DST-correct).
//!
//! A scheduler round finds who reads some mentorship by digest, works out the period
//! due most recently for each, and for every period not yet recorded renders the
//! digest and records the run and its outbox row in one transaction. The run's
//! primary key `(user, period)` makes it exactly one per period across restarts and
//! instances; with nothing new the run is recorded and no mail goes out. Quiet hours
//! never delay a digest: the reader chose its hour.

use super::compose::{self, Digest, DigestAction, DigestSection, DigestThread};
use super::tokens::TokenKind;
use crate::state::AppState;
use crate::store;
use crate::store::mail::{DigestCandidate, QueuedDigest};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use mentorpost_model::api::MemberView;
use mentorpost_model::mail::{MailMode, MembershipChange, digest_due, membership_changes};
use mentorpost_model::session::{ActionView, due_this_week};
use mentorpost_model::{MentorshipId, UserId};
use std::collections::HashMap;
use std::time::Duration as StdDuration;
use tracing::Instrument;

/// How often the scheduler looks for digests that came due.
const ROUND: StdDuration = StdDuration::from_secs(30);

/// Runs until shutdown.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(ROUND);
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = tick.tick() => {}
            _ = state.clock_moved.notified() => {}
        }
        round(&state).instrument(tracing::info_span!("digest_round")).await;
    }
}

/// One round: reminders, coordinator summaries, the journey's prompts, digests. The counts are logged.
async fn round(state: &AppState) {
    metrics::counter!("mentorpost_job_rounds_total", "job" => "scheduler").increment(1);
    match super::reminders::schedule_due(state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(reminders = n, "reply reminders queued"),
        Err(err) => tracing::warn!(error = format!("{err:#}"), "reminder round failed"),
    }
    match super::summary::schedule_due(state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(summaries = n, "coordinator summaries queued"),
        Err(err) => tracing::warn!(error = format!("{err:#}"), "summary round failed"),
    }
    match super::prompts::schedule_due(state).await {
        Ok(report) if report.fired == 0 && report.timers_added == 0 => {}
        Ok(report) => tracing::info!(timers_added = report.timers_added, fired = report.fired, mails = report.mails, "journey prompts"),
        Err(err) => tracing::warn!(error = format!("{err:#}"), "prompt round failed"),
    }
    match schedule_due(state).await {
        Ok(0) => {}
        Ok(n) => {
            metrics::counter!("mentorpost_digests_queued_total").increment(n as u64);
            tracing::info!(digests = n, "digests queued")
        }
        Err(err) => tracing::warn!(error = format!("{err:#}"), "digest round failed"),
    }
}

/// Queues every digest due now and not yet made; returns how many mails it queued.
/// Tests call it after moving the clock.
#[tracing::instrument(name = "digests", skip_all, fields(readers = tracing::field::Empty, batches = tracing::field::Empty))]
pub async fn schedule_due(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let candidates = store::mail::digest_candidates(state.db.pool()).await.context("finding digest readers")?;
    let done = store::mail::recent_digests(state.db.pool(), now - Duration::days(8)).await.context("reading recent digests")?;
    let mut due: Vec<Due> = candidates
        .into_iter()
        .filter_map(|c| {
            let tz: chrono_tz::Tz = c.timezone.parse().unwrap_or(chrono_tz::UTC);
            let (period, due_at) = digest_due(tz, c.mode, c.digest_hour, c.digest_weekday, now)?;
            // A period that came due before the reader chose this schedule is not sent
            // late: their first digest comes at the next such hour.
            let before_the_switch = due_at < c.schedule_since;
            (!before_the_switch && !done.contains(&(c.user_id, period.clone()))).then_some((c, tz, period, due_at))
        })
        .collect();
    // Readers go in batches of one mode each. What a batch shares — previous cutoffs,
    // names, member lists, waiting threads — is read in one query per kind; then each
    // reader's unread messages, several at once so the database is never idle; then
    // the batch is recorded in one transaction (a commit per digest would cost a disk
    // flush each on PostgreSQL). While one batch is recorded the next is composed.
    due.sort_by_key(|(c, ..)| c.mode == MailMode::Weekly);
    let weekly = due.split_off(due.partition_point(|(c, ..)| c.mode != MailMode::Weekly));
    let batches: Vec<Vec<Due>> = due.chunks(RECORD_BATCH).chain(weekly.chunks(RECORD_BATCH)).map(<[Due]>::to_vec).collect();
    let span = tracing::Span::current();
    span.record("readers", due.len() + weekly.len());
    span.record("batches", batches.len());
    let mut recorded = futures_util::stream::iter(batches)
        .map(|batch| async move {
            let shared = Shared::load(state, &batch).await?;
            let shared = &shared;
            let runs = futures_util::stream::iter(batch)
                .map(|(c, tz, period, due_at)| async move {
                    let user = c.user_id;
                    let mail = compose_one(state, shared, &c, tz, &period, due_at).await.with_context(|| format!("digest for {user}"))?;
                    anyhow::Ok(store::mail::DigestRun { user, period, cutoff: due_at, mail })
                })
                .buffer_unordered(DIGESTS_AT_ONCE)
                .collect::<Vec<_>>()
                .await
                .into_iter()
                .collect::<anyhow::Result<Vec<_>>>()?;
            let queued = store::mail::record_digests(&state.db, runs, now).await.context("recording digests")?;
            anyhow::Ok(queued)
        })
        .buffer_unordered(2);
    let mut queued = 0;
    while let Some(batch) = recorded.next().await {
        queued += batch?;
    }
    Ok(queued)
}

/// A reader due for a digest: who, their time zone, the period key and its instant.
type Due = (DigestCandidate, chrono_tz::Tz, String, DateTime<Utc>);

/// Digests recorded in one transaction, and the readers whose shared data is read at once.
const RECORD_BATCH: usize = 64;

/// Digests composed at the same time.
const DIGESTS_AT_ONCE: usize = 8;

/// What the readers of one batch (all of one mode) share, read once for the batch.
struct Shared {
    previous: HashMap<UserId, DateTime<Utc>>,
    readers: HashMap<UserId, store::mail::DigestReader>,
    names: HashMap<MentorshipId, String>,
    /// Every member, current and former: who joined or left is news in the digest.
    members: HashMap<MentorshipId, Vec<MemberView>>,
    waiting: HashMap<MentorshipId, Vec<store::mail::WaitingThread>>,
    /// Open actions due within a week of the latest due time, per reader (F5).
    due_actions: HashMap<UserId, Vec<ActionView>>,
}

impl Shared {
    async fn load(state: &AppState, batch: &[Due]) -> anyhow::Result<Shared> {
        let pool = state.db.pool();
        let users: Vec<UserId> = batch.iter().map(|(c, ..)| c.user_id).collect();
        let mut mentorships: Vec<MentorshipId> = batch.iter().flat_map(|(c, ..)| c.mentorships.iter().copied()).collect();
        mentorships.sort_unstable();
        mentorships.dedup();
        let mode = batch.first().map_or(MailMode::Daily, |(c, ..)| c.mode);
        let latest = batch.iter().map(|(.., due_at)| *due_at).max().unwrap_or_else(|| state.clock.now());
        let members = store::mail::members_of(pool, &mentorships).await.context("reading members")?;
        Ok(Shared {
            previous: store::mail::previous_cutoffs(pool, &users, mode).await.context("reading previous digests")?,
            readers: store::mail::digest_readers(pool, &users).await.context("reading the readers")?,
            names: members.iter().map(|(m, all)| (*m, store::mail::member_names(all).join(", "))).collect(),
            members,
            waiting: store::mail::waiting_threads(pool, &mentorships, latest).await.context("reading waiting threads")?,
            // A day beyond the week: a reader east of UTC is a day ahead.
            due_actions: store::actions::due_for_readers(pool, &users, latest.date_naive() + Duration::days(8))
                .await
                .context("reading actions due")?,
        })
    }
}

/// Renders one reader's digest for `period`; `None` when nothing is new.
async fn compose_one(
    state: &AppState,
    shared: &Shared,
    c: &DigestCandidate,
    tz: chrono_tz::Tz,
    period: &str,
    due_at: DateTime<Utc>,
) -> anyhow::Result<Option<QueuedDigest>> {
    let span = if c.mode == MailMode::Weekly { Duration::days(7) } else { Duration::days(1) };
    let after = shared.previous.get(&c.user_id).copied().unwrap_or(due_at - span);
    let items = store::mail::digest_items(state.db.pool(), c.user_id, &c.mentorships, after, due_at).await?;
    let changes: HashMap<MentorshipId, Vec<MembershipChange>> = c
        .mentorships
        .iter()
        .filter_map(|m| {
            let found = membership_changes(shared.members.get(m)?, c.user_id, after, due_at);
            (!found.is_empty()).then_some((*m, found))
        })
        .collect();
    let mail = if items.is_empty() && changes.is_empty() {
        None
    } else {
        let user = shared.readers.get(&c.user_id).context("the reader's account is gone")?;
        let mut sections: Vec<(mentorpost_model::MentorshipId, DigestSection)> = Vec::new();
        let mut tokens = Vec::new();
        let mut section_for = |mentorship: MentorshipId, sections: &mut Vec<(MentorshipId, DigestSection)>| {
            let label = shared.names.get(&mentorship).cloned().unwrap_or_default();
            let waiting = shared.waiting.get(&mentorship).map_or(&[][..], Vec::as_slice);
            let owed = waiting.iter().filter(|t| t.owed_by(c.user_id, due_at)).count();
            let hours = waiting.first().map_or(0, |t| t.response_within_hours);
            let overdue = (i64::try_from(owed).unwrap_or(i64::MAX), hours);
            let mentorship_token = state.mailer.tokens.mentorship(c.user_id, mentorship);
            tokens.push((mentorship_token.clone(), TokenKind::Mentorship, c.user_id, None, Some(mentorship)));
            let membership_changes = changes.get(&mentorship).cloned().unwrap_or_default();
            let today = due_at.with_timezone(&tz).date_naive();
            let due_actions = shared
                .due_actions
                .get(&c.user_id)
                .map(|all| {
                    all.iter()
                        .filter(|a| a.mentorship_id == mentorship && due_this_week(a, today))
                        .filter_map(|a| {
                            Some(DigestAction { number: a.number, text: a.text.clone(), owner: a.owner_name.clone(), due_on: a.due_on? })
                        })
                        .collect()
                })
                .unwrap_or_default();
            sections.push((
                mentorship,
                DigestSection { label, threads: Vec::new(), overdue, mentorship_token, membership_changes, due_actions },
            ));
        };
        for item in &items {
            if sections.last().is_none_or(|(m, _)| *m != item.mentorship_id) {
                section_for(item.mentorship_id, &mut sections);
            }
        }
        // Mentorships with only membership news still get their section.
        for m in changes.keys() {
            if !sections.iter().any(|(s, _)| s == m) {
                section_for(*m, &mut sections);
            }
        }
        for item in items {
            let Some((_, section)) = sections.iter_mut().find(|(m, _)| *m == item.mentorship_id) else { continue };
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
    Ok(mail)
}
