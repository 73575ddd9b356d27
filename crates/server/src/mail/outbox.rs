//! The outbox worker: claims due rows, renders each mail from the current rows, sends
//! it, and records the outcome.
//!
//! Delivery is at least once: a crash after the SMTP server accepted a mail but
//! before the row was marked sent leaves the claim to run out, and the mail is sent
//! again — with the same Message-ID (the outbox id), so mail clients show it once.

use super::compose::{self, Notification, NotificationKind};
use super::tokens::TokenKind;
use crate::state::AppState;
use crate::store;
use crate::store::mail::{Claimed, NewToken, NotificationData, Outcome};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use lettre::Address;
use lettre::address::Envelope;
use mentorpost_model::mail::{MailMode, quiet_until};
use mentorpost_model::{Locale, UserId};
use std::time::Duration as StdDuration;
use tracing::Instrument;

/// Attempts before a mail is marked failed (visible to admins).
pub const MAX_ATTEMPTS: i64 = 8;
/// Rows claimed per round.
const BATCH: i64 = 64;
/// Mails one worker sends at the same time.
const SENDS_AT_ONCE: usize = 8;

/// How often the worker looks for due mail when nothing wakes it, and how often it
/// scans for messages whose missed-message delay has passed.
const POLL: StdDuration = StdDuration::from_secs(1);
/// After a wake, how long the worker lets further posts' mail gather before a round.
/// A round costs the same few statements (three of them writes, each a turn of the
/// SQLite writer between post batches) for one mail as for 64, so at a steady stream
/// of posts this turns one round per mail into one per batch; a mail leaves that much
/// later, which nobody notices in e-mail. Longer gathers (100 ms, rounds of 256) did
/// not pay: on SQLite the notification path's cost to a post stayed within noise
/// (+0.8–0.9 against +1.0 ms), on PostgreSQL it rose from +0.9 to +2.9 ms, the
/// server's CPU per mail doubling with the bursts.
const GATHER: StdDuration = StdDuration::from_millis(25);

/// Backoff after the n-th failed attempt: 30 s, 1 min, 2 min, … capped at an hour.
pub fn backoff(attempt: i64) -> Duration {
    let exp = attempt.clamp(1, 8) - 1;
    Duration::seconds((30i64 << exp).min(3600))
}

/// Runs until shutdown.
pub async fn run(state: AppState) {
    tracing::info!(transport = state.mailer.transport.describe(), "outbox worker started");
    let mut last_scan: Option<tokio::time::Instant> = None;
    loop {
        // The missed-message scan is a few reads; once per POLL is often enough, a
        // wake per posted message must not repeat it.
        let scan = last_scan.is_none_or(|at| at.elapsed() >= POLL);
        if scan {
            last_scan = Some(tokio::time::Instant::now());
        }
        // A row cut short by shutdown keeps its claim and is sent again after it runs
        // out, with the same Message-ID.
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            done = round(&state, scan) => if let Err(err) = done {
                tracing::warn!(error = format!("{err:#}"), "outbox round failed");
            },
        }
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = state.mailer.wake.notified() => {
                tokio::select! {
                    _ = state.shutdown.cancelled() => return,
                    _ = tokio::time::sleep(GATHER) => {}
                }
            }
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

/// One round; `scan` (once per POLL): also the missed-message scan and the full
/// look-up of due mail.
#[tracing::instrument(name = "outbox_round", skip_all, fields(scan))]
async fn round(state: &AppState, scan: bool) -> anyhow::Result<usize> {
    if scan {
        store::mail::queue_missed(&state.db, state.clock.now()).await.context("queuing missed-message mail")?;
    }
    send_due(state, scan).await
}

/// Queues the missed-message mail that is due and sends everything due now; returns
/// how many rows were handled. Tests call this to step the outbox deterministically.
pub async fn dispatch_due(state: &AppState) -> anyhow::Result<usize> {
    round(state, true).await
}

/// How long a claimed batch stays ours: long enough for every mail of a full batch to
/// run into the send timeout, a few at a time, plus a minute, so no other instance
/// takes a row over while this one is still sending it.
fn claim_for(state: &AppState) -> chrono::Duration {
    let rounds = (BATCH as u32).div_ceil(SENDS_AT_ONCE as u32);
    let sending = state.config.smtp_timeouts.send.saturating_mul(rounds) + StdDuration::from_secs(60);
    chrono::Duration::from_std(sending).unwrap_or(chrono::Duration::hours(1))
}

/// Sends what is due; returns how many rows were handled.
///
/// Between scans (`scan` false) only the rows this process's posts handed over are
/// claimed, by id: the look-up of due rows walks, on PostgreSQL, an index entry for
/// every row queued since the last vacuum (measured: 0.9 ms a claim at 1000 mails/s),
/// where a claim by id is a few primary-key look-ups. The scan, once per [`POLL`],
/// finds everything else: mail queued elsewhere (other instances, digests, the
/// missed-message scan), retries that came due, and claims that ran out.
async fn send_due(state: &AppState, scan: bool) -> anyhow::Result<usize> {
    let handed = state.mailer.take_queued();
    let mut handled = 0;
    if !scan && !handed.is_empty() {
        for chunk in handed.chunks(BATCH as usize) {
            let now = state.clock.now();
            let batch = store::mail::claim_ids(&state.db, chunk.to_vec(), now, claim_for(state)).await.context("claiming queued mail")?;
            handled += batch.len();
            send_batch(state, batch, now).await?;
        }
        return Ok(handled);
    }
    loop {
        let now = state.clock.now();
        if !store::mail::anything_due(state.db.pool(), now, scan).await.context("looking for due mail")? {
            return Ok(handled);
        }
        let batch = store::mail::claim(&state.db, BATCH, now, scan, claim_for(state)).await.context("claiming due mail")?;
        let full = batch.len() as i64 >= BATCH;
        handled += batch.len();
        send_batch(state, batch, now).await?;
        // Less than a full round: everything due is claimed. What was queued since
        // woke the worker, which lets it gather before the next round.
        if !full {
            return Ok(handled);
        }
    }
}

/// Renders, sends and records one claimed batch, claimed at `claimed_at`.
///
/// Its decisions (quiet hours, when to try again) are taken at the moment of the claim,
/// the moment its lease counts from: a round that read the clock anew could find the
/// mail due after its lease had already run out, and send it alongside the round that
/// took it over.
#[tracing::instrument(name = "outbox_batch", skip_all, fields(mails = batch.len()))]
async fn send_batch(state: &AppState, batch: Vec<Claimed>, claimed_at: DateTime<Utc>) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let now = claimed_at;
    // What the notification mails say is read for the whole batch at once.
    let wanted: Vec<String> = batch.iter().filter(|row| is_notification(row)).map(|row| row.id.clone()).collect();
    let mut data = store::mail::notifications_data(state.db.pool(), &wanted, &state.mailer.public_url)
        .await
        .map_err(|err| format!("reading what the mail says: {err:#}"));
    let mut steps: Vec<(Claimed, Step)> = Vec::with_capacity(batch.len());
    let mut others = Vec::new();
    for row in batch {
        if !is_notification(&row) {
            others.push(row);
            continue;
        }
        let step = match data.as_mut().map(|d| d.remove(&row.id)) {
            Ok(Some(found)) => {
                notification(state, &row, found, now).unwrap_or_else(|err| Step::Done(retry_or_fail(&row, now, format!("{err:#}"))))
            }
            Ok(None) => Step::Done(Outcome::Cancelled("message gone")),
            Err(err) => Step::Done(retry_or_fail(&row, now, err.clone())),
        };
        steps.push((row, step));
        // Composing is CPU work: let the requests sharing this thread through.
        tokio::task::yield_now().await;
    }
    // Other mail was rendered when queued; each waits on a read or two.
    let rendered: Vec<(Claimed, Step)> = futures_util::stream::iter(others)
        .map(|row| {
            let span = mail_span(&row);
            async move {
                let step = prepare(state, &row, now).await;
                (row, step)
            }
            .instrument(span)
        })
        .buffer_unordered(SENDS_AT_ONCE)
        .collect()
        .await;
    steps.extend(rendered);
    // The tokens the mails carry are remembered before any of them leaves, in one
    // write for the whole batch (one per mail cost the writer a transaction each).
    // Tokens are derived, so most were remembered by an earlier mail: only new ones
    // cost a write.
    let tokens: Vec<NewToken> = state.mailer.remembered.unknown(
        steps.iter().filter_map(|(_, step)| if let Step::Send(ready) = step { Some(ready.tokens.iter()) } else { None }).flatten(),
    );
    if !tokens.is_empty() {
        let learned: Vec<String> = tokens.iter().map(|(token, ..)| token.clone()).collect();
        store::mail::remember_tokens(&state.db, tokens, now).await.context("recording the mails' tokens")?;
        state.mailer.remembered.learn(learned);
    }
    let outcomes: Vec<(String, i64, Outcome)> = futures_util::stream::iter(steps)
        .map(|(row, step)| {
            let span = mail_span(&row);
            async move {
                let outcome = match step {
                    Step::Done(outcome) => outcome,
                    Step::Send(ready) => send(state, &row, ready, now).await,
                };
                let label = match &outcome {
                    Outcome::Sent => "sent",
                    Outcome::Cancelled(_) => "cancelled",
                    Outcome::Later { .. } => "later",
                    Outcome::Failed(_) => "failed",
                };
                metrics::counter!("mentorpost_mails_total", "kind" => row.kind.clone(), "outcome" => label).increment(1);
                // The error is the transport's or the SMTP server's reply, never the mail.
                match &outcome {
                    Outcome::Failed(err) => tracing::warn!(error = %err, "mail failed for good"),
                    Outcome::Later { at, error: Some(err), count_attempt: true } => {
                        tracing::warn!(next_attempt = %at.to_rfc3339(), error = %err, "mail not sent; trying again later")
                    }
                    _ => {}
                }
                (row.id, row.attempts, outcome)
            }
            .instrument(span)
        })
        .buffer_unordered(SENDS_AT_ONCE)
        .collect()
        .await;
    // One commit for the batch. A crash before it sends these again after their
    // claim runs out, with the same Message-IDs (at least once, as documented).
    let finished = outcomes.len() as u64;
    store::mail::finish_many(&state.db, outcomes, state.clock.now()).await.context("recording the mails' outcomes")?;
    state.mailer.progress.send_modify(|n| *n += finished);
    Ok(())
}

/// The span one mail is prepared and sent in: which row, what kind, which attempt.
fn mail_span(row: &Claimed) -> tracing::Span {
    tracing::info_span!("mail", mail = %row.id, kind = %row.kind, attempt = row.attempts)
}

/// What the worker does with a claimed row: record its outcome now, or send a mail.
enum Step {
    Done(Outcome),
    Send(Ready),
}

/// A mail ready to leave, with the tokens it carries (remembered before it is sent).
struct Ready {
    envelope: Envelope,
    mail: Vec<u8>,
    tokens: Vec<NewToken>,
}

fn is_notification(row: &Claimed) -> bool {
    matches!(row.kind.as_str(), "notification" | "missed")
}

/// A row that is not a notification: a mail rendered when it was queued.
async fn prepare(state: &AppState, row: &Claimed, now: DateTime<Utc>) -> Step {
    let prepared = match row.kind.as_str() {
        "digest" | "notice" | "summary" | "reminder" | "security" | "invitation" | "first_contact" | "session" | "agreement" | "prompt"
        | "retention" | "sign_in_alert" | "password_changed" | "address_added" | "concern" | "privacy" | "export" => {
            rendered(state, row).await
        }
        other => return Step::Done(Outcome::Failed(format!("unknown mail kind {other}"))),
    };
    prepared.unwrap_or_else(|err| Step::Done(retry_or_fail(row, now, format!("{err:#}"))))
}

async fn send(state: &AppState, row: &Claimed, ready: Ready, now: DateTime<Utc>) -> Outcome {
    match state.mailer.transport.send(&ready.envelope, &ready.mail).await {
        Ok(()) => Outcome::Sent,
        Err(err) if err.permanent => Outcome::Failed(err.to_string()),
        Err(err) => retry_or_fail(row, now, err.to_string()),
    }
}

fn retry_or_fail(row: &Claimed, now: DateTime<Utc>, error: String) -> Outcome {
    if row.attempts >= MAX_ATTEMPTS {
        Outcome::Failed(error)
    } else {
        Outcome::Later { at: now + backoff(row.attempts), error: Some(error), count_attempt: true }
    }
}

/// A mail rendered when it was queued (a digest): sent as it is, whatever the quiet
/// hours say.
async fn rendered(state: &AppState, row: &Claimed) -> anyhow::Result<Step> {
    let Some(raw) = row.rendered.as_deref() else { return Ok(Step::Done(Outcome::Cancelled("incomplete row"))) };
    let (to, user) = match (row.to_address.as_deref(), row.user_id) {
        (Some(address), user) => (address.to_owned(), user),
        (None, Some(user)) => {
            let Some(person) = store::users::get(state.db.pool(), user).await.context("reading the recipient")? else {
                return Ok(Step::Done(Outcome::Cancelled("recipient gone")));
            };
            (person.email, Some(user))
        }
        (None, None) => return Ok(Step::Done(Outcome::Cancelled("incomplete row"))),
    };
    if store::erasure::is_erased_address(&to) {
        return Ok(Step::Done(Outcome::Cancelled("recipient erased")));
    }
    // A login link is asked for now, and a security alert must not wait for the person
    // to fix their mail: both go even to an address paused for bouncing.
    let urgent = matches!(row.kind.as_str(), "security" | "sign_in_alert" | "password_changed" | "address_added");
    if let Some(user) = user.filter(|_| !urgent)
        && store::inbound::paused_since(state.db.pool(), user).await.context("checking for bounces")?.is_some()
    {
        return Ok(Step::Done(Outcome::Cancelled("address bouncing")));
    }
    let to: Address = to.parse().context("recipient address")?;
    let (from, tokens) = return_path(state, user)?;
    Ok(Step::Send(Ready { envelope: Envelope::new(Some(from), vec![to])?, mail: raw.as_bytes().to_vec(), tokens }))
}

/// The envelope sender: `bounce+TOKEN@` (VERP) for mail to a person, so a delivery
/// report names whose address failed; the plain sender for anyone else. With the token
/// to remember.
fn return_path(state: &AppState, user: Option<UserId>) -> anyhow::Result<(Address, Vec<NewToken>)> {
    let Some(user) = user else { return Ok((state.mailer.sender().email.clone(), Vec::new())) };
    let token = state.mailer.tokens.bounce(user);
    let address = format!("bounce+{token}@{}", state.mailer.domain).parse().context("the return path")?;
    Ok((address, vec![(token, TokenKind::Bounce, user, None, None)]))
}

/// Decides about one notification from what the batch read says, and composes it.
fn notification(state: &AppState, row: &Claimed, data: NotificationData, now: DateTime<Utc>) -> anyhow::Result<Step> {
    let Some(user) = row.user_id else { return Ok(Step::Done(Outcome::Cancelled("incomplete row"))) };
    if !data.still_member {
        return Ok(Step::Done(Outcome::Cancelled("no longer a member")));
    }
    if data.paused {
        return Ok(Step::Done(Outcome::Cancelled("address bouncing")));
    }
    if data.deleted {
        return Ok(Step::Done(Outcome::Cancelled("message deleted")));
    }
    let kind = if row.kind == "missed" { NotificationKind::Missed } else { NotificationKind::Each };
    match (kind, data.mode) {
        (_, MailMode::Off | MailMode::Daily | MailMode::Weekly) => return Ok(Step::Done(Outcome::Cancelled("mail mode changed"))),
        (NotificationKind::Missed, _) if data.already_read => return Ok(Step::Done(Outcome::Cancelled("read in time"))),
        _ => {}
    }
    let tz: chrono_tz::Tz = data.recipient_timezone.parse().unwrap_or(chrono_tz::UTC);
    if let Some(quiet) = data.settings.quiet_minutes()
        && let Some(until) = quiet_until(tz, quiet, now)
    {
        return Ok(Step::Done(Outcome::Later { at: until, error: None, count_attempt: false }));
    }
    let keys = &state.mailer.tokens;
    let reply_token = keys.reply(user, data.thread_id);
    let unsubscribe_token = keys.unsubscribe(user, data.mentorship_id);
    let mentorship_token = keys.mentorship(user, data.mentorship_id);
    let bounce_token = keys.bounce(user);
    let tokens = vec![
        (reply_token.clone(), TokenKind::Reply, user, Some(data.thread_id), Some(data.mentorship_id)),
        (unsubscribe_token.clone(), TokenKind::Unsubscribe, user, None, Some(data.mentorship_id)),
        (mentorship_token.clone(), TokenKind::Mentorship, user, None, Some(data.mentorship_id)),
        (bounce_token.clone(), TokenKind::Bounce, user, None, None),
    ];
    let label = data.member_names.join(", ");
    let n = Notification {
        kind,
        mail_id: &row.id,
        mail_domain: &state.mailer.domain,
        public_url: &state.mailer.public_url,
        recipient_name: &data.recipient_name,
        recipient_email: &data.recipient_email,
        locale: Locale::parse(&data.recipient_locale).unwrap_or_default(),
        timezone: tz,
        author_name: &data.author_name,
        thread_id: data.thread_id,
        thread_subject: &data.thread_subject,
        is_reply: data.is_reply,
        mentorship_id: data.mentorship_id,
        mentorship_label: &label,
        body: &data.body,
        sent_at: data.created_at,
        answers: data.answers.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
        reply_token: &reply_token,
        unsubscribe_token: &unsubscribe_token,
        mentorship_token: &mentorship_token,
        attachments: &data.attachments,
        membership_changes: &data.membership_changes,
    };
    let mail = compose::notification(&n)?;
    let to: Address = data.recipient_email.parse()?;
    let bounce: Address = format!("bounce+{bounce_token}@{}", state.mailer.domain).parse().context("the return path")?;
    Ok(Step::Send(Ready { envelope: Envelope::new(Some(bounce), vec![to])?, mail: mail.formatted(), tokens }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::seconds(480));
        assert_eq!(backoff(8), Duration::seconds(3600));
        assert_eq!(backoff(20), Duration::seconds(3600));
    }
}
