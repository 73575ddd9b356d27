//! The outbox: queuing mail (about messages, missed messages, rendered mail), claiming it
//! for sending and recording how it ended.

use crate::db::{Backend, Db, Note, StoreError};
use crate::store::{get_opt_parsed, get_time, ms};
use chrono::{DateTime, Utc};
use mentorpost_model::mail::FailedMail;
use mentorpost_model::{MentorshipId, MessageId, ThreadId, UserId};
use sqlx::{AnyConnection, AnyPool, Row};

use super::*;

/// A message just posted, as the write path knows it.
#[derive(Clone, Copy, Debug)]
pub struct PostedRef {
    pub mentorship_id: MentorshipId,
    pub thread_id: ThreadId,
    pub message_id: MessageId,
    pub author_id: UserId,
    /// When the thread started (its `created_at`): a member who joined after that does
    /// not see the thread and gets no mail about it. Carried by the caller, which read
    /// it with the author's access, so the insert looks up no thread.
    pub thread_started: DateTime<Utc>,
}

/// Queues the mails new messages cause, inside the posting transaction: a
/// notification now for members whose mode is `each`; nothing for `live` readers
/// (their missed-message mail is queued by [`queue_missed`] once the delay has passed
/// with the message unread, so a post writes no row for the many who read on the
/// web), digest readers (the digest finds the message) or `off`. One statement for
/// the whole slice. The outbox id is
/// `<message id>.<recipient id>`: one mail per message and person, and the local part
/// of its Message-ID. Returns the ids of the rows queued.
pub async fn enqueue_for_messages(conn: &mut AnyConnection, posted: &[PostedRef], now: DateTime<Utc>) -> Result<Vec<String>, sqlx::Error> {
    let mut queued = Vec::new();
    // Five parameters per message; chunks stay far below both databases' limits.
    for chunk in posted.chunks(ENQUEUE_CHUNK) {
        queued.extend(enqueue_chunk(conn, chunk, now).await?);
    }
    if !queued.is_empty() {
        crate::db::note(Note::Mail(queued.clone()));
    }
    Ok(queued)
}

/// Messages per enqueue statement.
const ENQUEUE_CHUNK: usize = 1000;

async fn enqueue_chunk(conn: &mut AnyConnection, posted: &[PostedRef], now: DateTime<Utc>) -> Result<Vec<String>, sqlx::Error> {
    if posted.is_empty() {
        return Ok(Vec::new());
    }
    let values: Vec<String> =
        (0..posted.len()).map(|i| format!("(${}, ${}, ${}, ${}, ${})", 5 * i + 2, 5 * i + 3, 5 * i + 4, 5 * i + 5, 5 * i + 6)).collect();
    let sql = format!(
        "WITH posted (mentorship_id, thread_id, message_id, author_id, thread_started) AS (VALUES {values}) {insert}",
        values = values.join(", "),
        insert = notification_insert_sql("posted", "$1")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now));
    for p in posted {
        query = query
            .bind(p.mentorship_id.to_string())
            .bind(p.thread_id.to_string())
            .bind(p.message_id.to_string())
            .bind(p.author_id.to_string())
            .bind(ms(p.thread_started));
    }
    query.fetch_all(&mut *conn).await?.iter().map(|r| r.try_get::<String, _>("mail_id")).collect()
}

/// The `INSERT` that queues a notification per `each` reader of the messages in
/// `posted` (a relation with `mentorship_id`, `thread_id`, `message_id`, `author_id`
/// and `thread_started`, the thread's `created_at`), queued at the placeholder `now`;
/// returns the new rows' ids as `mail_id`, with their `message_id`. Only members who see the thread (it started after they
/// joined) get mail about it. The thread's start comes with each message (the post
/// read it with the author's access) rather than from a join on `threads`: on
/// PostgreSQL this runs inside every post statement, where the join was one more index
/// look-up per message, into rows that statement also updates, and one more table to plan.
pub(crate) fn notification_insert_sql(posted: &str, now: &str) -> String {
    format!(
        "INSERT INTO outbox (id, kind, user_id, mentorship_id, message_id, status, not_before, attempts, created_at)
         SELECT p.message_id || '.' || mm.user_id, 'notification', mm.user_id, p.mentorship_id, p.message_id, 'pending', {now}, 0, {now}
         FROM {posted} p
         JOIN mentorship_members mm ON mm.mentorship_id = p.mentorship_id AND mm.left_at IS NULL AND mm.user_id <> p.author_id
              AND mm.joined_at <= p.thread_started
         JOIN users u ON u.id = mm.user_id
         LEFT JOIN mail_settings s ON s.user_id = mm.user_id
         LEFT JOIN mail_mentorship_settings o ON o.user_id = mm.user_id AND o.mentorship_id = p.mentorship_id
         WHERE ({mode}) = 'each'
         RETURNING id AS mail_id, message_id",
        mode = EFFECTIVE_MODE_SQL
    )
}

/// A mail rendered in full before it is queued (digests, reminders, summaries,
/// notices, sign-in links): the row carries the finished message.
pub struct RenderedMail {
    /// The outbox id, also the local part of the Message-ID.
    pub id: String,
    /// `digest`, `reminder`, `summary`, `notice`, `security`, `invitation`,
    /// `first_contact`, `session`, `agreement`, `prompt`, `concern`, `export`, …
    pub kind: &'static str,
    pub user: Option<UserId>,
    /// Set when the mail goes to an address other than the person's own (a notice to
    /// an unknown sender, a sign-in link to the address asked for).
    pub to_address: Option<String>,
    pub rendered: String,
}

/// Rows per statement when queuing rendered mail: six binds each.
const RENDERED_PER_INSERT: usize = 1000;

/// Queues rendered mails inside the caller's transaction: the one way such a mail
/// enters the outbox. (Mail about a message is rendered at send time from the rows:
/// [`notification_insert_sql`] and [`queue_missed`] queue that.)
pub async fn queue_rendered(conn: &mut AnyConnection, mails: Vec<RenderedMail>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    for chunk in mails.chunks(RENDERED_PER_INSERT) {
        let values = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, ${}, ${}, 'pending', ${}, 0, ${})",
                    i * 6 + 1,
                    i * 6 + 2,
                    i * 6 + 3,
                    i * 6 + 4,
                    i * 6 + 5,
                    i * 6 + 6,
                    i * 6 + 6
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO outbox (id, kind, user_id, to_address, rendered, status, not_before, attempts, created_at) VALUES {values}"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for mail in chunk {
            query = query
                .bind(mail.id.clone())
                .bind(mail.kind)
                .bind(mail.user.map(|u| u.to_string()))
                .bind(mail.to_address.clone())
                .bind(mail.rendered.clone())
                .bind(ms(now));
        }
        query.execute(&mut *conn).await?;
    }
    if !mails.is_empty() {
        crate::db::note(Note::Mail(mails.iter().map(|m| m.id.clone()).collect()));
    }
    Ok(())
}

/// Where the missed-message scan got to (`settings`), in milliseconds.
const MISSED_SCANNED_KEY: &str = "missed_scanned_until";

/// How far back each scan looks again, so instances with slightly different clocks
/// leave no gap (the outbox id makes a second queuing a no-op).
const MISSED_OVERLAP_MS: i64 = 30_000;

/// The delay of people without a setting.
const DEFAULT_MISSED_DELAY_MINUTES: i64 = 10;

/// Queues a missed-message mail for every message whose reader's delay has passed since
/// the last scan while they — a current member who joined before it was written,
/// reading `live` — have not read it. Reads first and writes only when something is
/// due, so an idle worker costs the SQLite writer nothing. Returns the rows queued.
pub async fn queue_missed(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let pool = db.pool();
    let now_ms = ms(now);
    let scanned: Option<i64> = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(MISSED_SCANNED_KEY)
        .fetch_optional(pool)
        .await?
        .and_then(|r| r.try_get::<String, _>(0).ok())
        .and_then(|v| v.parse().ok());
    // First scan: the past day (older messages had their rows queued when posted).
    let from = scanned.unwrap_or(now_ms - 86_400_000).min(now_ms) - MISSED_OVERLAP_MS;
    let mut delays: Vec<i64> =
        sqlx::query("SELECT DISTINCT missed_delay_minutes FROM mail_settings WHERE missed_delay_minutes IS NOT NULL")
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;
    delays.push(DEFAULT_MISSED_DELAY_MINUTES);
    delays.sort_unstable();
    delays.dedup();
    // Only the delays with a message in their window (index on messages.created_at).
    let mut due = Vec::new();
    for d in delays {
        let shift = 60_000 * d;
        let hit = sqlx::query("SELECT 1 FROM messages WHERE created_at > $1 AND created_at <= $2 LIMIT 1")
            .bind(from - shift)
            .bind(now_ms - shift)
            .fetch_optional(pool)
            .await?;
        if hit.is_some() {
            due.push(d);
        }
    }
    if due.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "INSERT INTO outbox (id, kind, user_id, mentorship_id, message_id, status, not_before, attempts, created_at)
         SELECT m.id || '.' || mm.user_id, 'missed', mm.user_id, m.mentorship_id, m.id, 'pending', $3, 0, $3
         FROM messages m
         JOIN threads t ON t.id = m.thread_id
         JOIN mentorship_members mm ON mm.mentorship_id = m.mentorship_id AND mm.left_at IS NULL AND mm.user_id <> m.author_id
              AND mm.joined_at <= t.created_at
         JOIN users u ON u.id = mm.user_id
         LEFT JOIN mail_settings s ON s.user_id = mm.user_id
         LEFT JOIN mail_mentorship_settings o ON o.user_id = mm.user_id AND o.mentorship_id = m.mentorship_id
         LEFT JOIN read_markers rm ON rm.user_id = mm.user_id AND rm.thread_id = m.thread_id
         WHERE m.created_at > $1 AND m.created_at <= $2 AND COALESCE(s.missed_delay_minutes, {DEFAULT_MISSED_DELAY_MINUTES}) = $4
           AND ({mode}) = 'live' AND COALESCE(rm.seq, 0) < m.seq AND m.deleted_at IS NULL
         ON CONFLICT (id) DO NOTHING",
        mode = EFFECTIVE_MODE_SQL
    );
    db.write(move |conn| {
        Box::pin(async move {
            let mut queued = 0;
            for d in due {
                let shift = 60_000 * d;
                queued += sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(from - shift)
                    .bind(now_ms - shift)
                    .bind(now_ms)
                    .bind(d)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            }
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(MISSED_SCANNED_KEY)
                .bind(now_ms.to_string())
                .execute(&mut *conn)
                .await?;
            if queued > 0 {
                crate::db::note(Note::MailDue);
            }
            Ok(queued)
        })
    })
    .await
}

/// One claimed outbox row.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: String,
    pub kind: String,
    pub user_id: Option<UserId>,
    pub message_id: Option<MessageId>,
    pub rendered: Option<String>,
    /// Set when the mail goes to an address rather than to a person's own (notices).
    pub to_address: Option<String>,
    pub attempts: i64,
}

/// Whether anything is due: a cheap read, so an idle worker does not queue a write
/// (on SQLite, a turn of the single writer) every round.
///
/// Two `EXISTS`, not one `OR`: PostgreSQL answers an `OR` of the two conditions with a
/// bitmap scan, which never marks index entries of dead rows as dead, so every round
/// visited again each row that had passed through `pending` or `sending` since the
/// last vacuum (a thousand a second at 1000 mails/s). Plain index scans skip them.
///
/// `lapsed`: also look for claims that ran out. That look-up walks every row that
/// passed through `sending` since the last vacuum, so the worker asks it only now and
/// then (a claim lasts minutes).
pub async fn anything_due(pool: &AnyPool, now: DateTime<Utc>, lapsed: bool) -> Result<bool, StoreError> {
    let sql = if lapsed {
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE status = 'pending' AND not_before <= $1)
                       OR EXISTS (SELECT 1 FROM outbox WHERE status = 'sending' AND claimed_until < $1)
                     THEN 1 ELSE 0 END AS due"
    } else {
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE status = 'pending' AND not_before <= $1) THEN 1 ELSE 0 END AS due"
    };
    let row = sqlx::query(sql).bind(ms(now)).fetch_one(pool).await?;
    Ok(row.try_get::<i64, _>("due")? == 1)
}

/// Claims up to `limit` due rows, and up to `limit` rows whose claim ran out. On
/// PostgreSQL `FOR UPDATE SKIP LOCKED` lets several instances claim side by side
/// without ever taking the same row. The two kinds are looked up apart, each by a
/// plain index scan (see [`anything_due`] for why not one `OR`, and for `lapsed`).
///
/// `claim_for` is how long the claim lasts: a sender that crashed loses it after this
/// and the row is sent again (with the same Message-ID), so it must outlast sending
/// the whole batch.
pub async fn claim(db: &Db, limit: i64, now: DateTime<Utc>, lapsed: bool, claim_for: chrono::Duration) -> Result<Vec<Claimed>, StoreError> {
    let lock = if db.backend() == Backend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
    let lapsed = if lapsed {
        format!(
            "UNION ALL
             SELECT id FROM (SELECT id FROM outbox WHERE status = 'sending' AND claimed_until < $2 LIMIT $3 {lock}) lapsed"
        )
    } else {
        String::new()
    };
    let sql = format!(
        "UPDATE outbox SET status = 'sending', claimed_until = $1, attempts = attempts + 1
         WHERE id IN (SELECT id FROM (SELECT id FROM outbox WHERE status = 'pending' AND not_before <= $2
                                      ORDER BY not_before LIMIT $3 {lock}) due
                      {lapsed})
         RETURNING id, kind, user_id, message_id, rendered, to_address, attempts"
    );
    db.write(move |conn| {
        Box::pin(async move {
            let rows =
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now + claim_for)).bind(ms(now)).bind(limit).fetch_all(&mut *conn).await?;
            claimed_from_rows(&rows)
        })
    })
    .await
}

/// Claims the rows with these ids that are still due (the mail a post just queued):
/// primary-key look-ups, where [`claim`] walks the index of due rows, which on
/// PostgreSQL holds an entry for every row queued since the last vacuum. Rows another
/// instance claimed first are skipped.
pub async fn claim_ids(db: &Db, ids: Vec<String>, now: DateTime<Utc>, claim_for: chrono::Duration) -> Result<Vec<Claimed>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let lock = if db.backend() == Backend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE outbox SET status = 'sending', claimed_until = $1, attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox WHERE id IN ({}) AND status = 'pending' AND not_before <= $2 {lock})
         RETURNING id, kind, user_id, message_id, rendered, to_address, attempts",
        placeholders(3, crate::store::padded_len(ids.len()))
    );
    db.write(move |conn| {
        Box::pin(async move {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now + claim_for)).bind(ms(now));
            for id in crate::store::padded(&ids) {
                query = query.bind(id.as_str());
            }
            let rows = query.fetch_all(&mut *conn).await?;
            claimed_from_rows(&rows)
        })
    })
    .await
}

fn claimed_from_rows(rows: &[sqlx::any::AnyRow]) -> Result<Vec<Claimed>, StoreError> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Claimed {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            user_id: get_opt_parsed(r, "user_id")?,
            message_id: get_opt_parsed(r, "message_id")?,
            rendered: r.try_get("rendered")?,
            to_address: r.try_get("to_address")?,
            attempts: r.try_get("attempts")?,
        });
    }
    Ok(out)
}

/// What became of a claimed row.
#[derive(Clone, Debug)]
pub enum Outcome {
    Sent,
    /// Not sent and never will be (read meanwhile, no longer a member, mail off).
    Cancelled(&'static str),
    /// Try again at this time (quiet hours, or a retry after a failure).
    Later {
        at: DateTime<Utc>,
        error: Option<String>,
        count_attempt: bool,
    },
    Failed(String),
}

/// Ends a claimed row as `cancelled` or `failed`, with why, if it is still under the
/// claim that made `attempts` (see [`finish_many`]).
fn end_without_sending(
    status: &'static str,
    why: String,
    id: String,
    attempts: i64,
) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(
        "UPDATE outbox SET status = $1, claimed_until = NULL, last_error = $2,
         rendered = CASE WHEN kind IN ('security', 'invitation', 'export') THEN NULL ELSE rendered END
         WHERE status = 'sending' AND id = $3 AND attempts = $4",
    )
    .bind(status)
    .bind(why)
    .bind(id)
    .bind(attempts)
}

/// Sent rows per statement.
const SENT_PER_UPDATE: usize = 512;

/// Records the outcomes of a batch of sends in one transaction (one commit, not one
/// per mail); the sent rows, nearly all of them, in one statement. Each outcome comes
/// with the row's `attempts` as its claim left it: every claim counts one up, so a row
/// whose claim ran out and was claimed again (a slow round, a clock that jumped) is not
/// put back or ended by the round that lost it — that would send it twice.
pub async fn finish_many(db: &Db, outcomes: Vec<(String, i64, Outcome)>, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let mut sent = Vec::new();
            for (id, attempts, outcome) in outcomes {
                let q = match outcome {
                    Outcome::Sent => {
                        sent.push(id);
                        continue;
                    }
                    Outcome::Cancelled(why) => end_without_sending("cancelled", why.to_owned(), id, attempts),
                    Outcome::Later { at, error, count_attempt } => sqlx::query(
                        "UPDATE outbox SET status = 'pending', not_before = $1, claimed_until = NULL, last_error = $2, attempts = attempts - $3
                         WHERE status = 'sending' AND id = $4 AND attempts = $5",
                    )
                    .bind(ms(at))
                    .bind(error)
                    .bind(i64::from(!count_attempt))
                    .bind(id)
                    .bind(attempts),
                    Outcome::Failed(error) => end_without_sending("failed", error, id, attempts),
                };
                q.execute(&mut *conn).await?;
            }
            for chunk in sent.chunks(SENT_PER_UPDATE) {
                // A finished login mail keeps no copy of its link.
                let sql = format!(
                    "UPDATE outbox SET status = 'sent', sent_at = $1, claimed_until = NULL, last_error = NULL,
                     rendered = CASE WHEN kind IN ('security', 'invitation', 'export') THEN NULL ELSE rendered END
                     WHERE status = 'sending' AND id IN ({})",
                    placeholders(2, crate::store::padded_len(chunk.len()))
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now));
                for id in crate::store::padded(chunk) {
                    query = query.bind(id.as_str());
                }
                query.execute(&mut *conn).await?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(())
}

/// Mails waiting (pending), and when the oldest of those already due fell due (for
/// the metrics; mail held back by quiet hours is not late).
pub async fn outbox_depth(pool: &AnyPool, now: DateTime<Utc>) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(CASE WHEN not_before <= $1 THEN not_before END) AS oldest FROM outbox WHERE status = 'pending'",
    )
    .bind(ms(now))
    .fetch_one(pool)
    .await?;
    let oldest: Option<i64> = row.try_get("oldest")?;
    Ok((row.try_get("n")?, oldest.map(crate::store::from_ms)))
}

pub async fn failed(pool: &AnyPool) -> Result<Vec<FailedMail>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, user_id, attempts, last_error, created_at FROM outbox WHERE status = 'failed' ORDER BY created_at DESC LIMIT 500",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FailedMail {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                user_id: get_opt_parsed(r, "user_id")?,
                attempts: r.try_get("attempts")?,
                last_error: r.try_get("last_error")?,
                created_at: get_time(r, "created_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Counts by status (tests, metrics).
pub async fn status_counts(pool: &AnyPool) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status ORDER BY status").fetch_all(pool).await?;
    rows.iter().map(|r| Ok((r.try_get("status")?, r.try_get("n")?))).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
}

/// A failed mail as the admin page lists it: when, to whom, why — never its subject or
/// text.
#[derive(Clone, Debug)]
pub struct FailedOutgoing {
    pub id: String,
    pub kind: String,
    /// The address it was for: the row's own, else the account's.
    pub to_address: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The latest failed mails with their addresses, newest first.
pub async fn failed_with_addresses(pool: &AnyPool, limit: i64) -> Result<Vec<FailedOutgoing>, StoreError> {
    let rows = sqlx::query(
        "SELECT o.id, o.kind, COALESCE(o.to_address, u.email) AS to_address, o.attempts, o.last_error, o.created_at
         FROM outbox o LEFT JOIN users u ON u.id = o.user_id WHERE o.status = 'failed' ORDER BY o.created_at DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FailedOutgoing {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                to_address: r.try_get("to_address")?,
                attempts: r.try_get("attempts")?,
                last_error: r.try_get("last_error")?,
                created_at: get_time(r, "created_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Puts a failed mail back in the queue, due now, with its attempts counted from zero
/// (an admin fixed what made it fail). False when there is no such failed mail. The
/// committed write hands the id to the sender.
pub async fn retry_failed(db: &Db, id: String, now: DateTime<Utc>) -> Result<bool, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE outbox SET status = 'pending', attempts = 0, not_before = $1, claimed_until = NULL WHERE id = $2 AND status = 'failed'",
            )
            .bind(ms(now))
            .bind(id.clone())
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            crate::db::note(Note::Mail(vec![id]));
            Ok(true)
        })
    })
    .await
}
