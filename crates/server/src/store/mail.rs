//! Mail settings, the outbox and mail tokens.

use super::{get_opt_parsed, get_opt_time, get_parsed, get_time, ms};
use crate::db::{Backend, Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::api::MemberView;
use mentorpost_model::mail::{FailedMail, MailMode, MailSettings, MembershipChange, format_hhmm, membership_changes, parse_hhmm};
use mentorpost_model::{MentorshipId, MessageId, ThreadId, UserId};
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::HashMap;

/// What a token stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Reply,
    Mentorship,
    Unsubscribe,
    /// The VERP return path `bounce+TOKEN@`: delivery reports name the person.
    Bounce,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Reply => "reply",
            TokenKind::Mentorship => "mentorship",
            TokenKind::Unsubscribe => "unsubscribe",
            TokenKind::Bounce => "bounce",
        }
    }
}

/// A token's storage key.
pub fn token_hash(token: &str) -> String {
    mentorpost_auth::opaque::hash_token(&token.to_ascii_lowercase())
}

/// The effective mode, as SQL over `mail_settings s`, `mail_mentorship_settings o`
/// and `users u`: a general `off` wins over everything (it means no mail at all);
/// otherwise the mentorship's own setting, else the general one, else the default.
pub const EFFECTIVE_MODE_SQL: &str = "CASE WHEN s.mode = 'off' THEN 'off'
    ELSE COALESCE(o.mode, s.mode, CASE WHEN u.password_hash IS NULL THEN 'each' ELSE 'live' END) END";

/// A message just posted, as the write path knows it.
#[derive(Clone, Copy, Debug)]
pub struct PostedRef {
    pub mentorship_id: MentorshipId,
    pub thread_id: ThreadId,
    pub message_id: MessageId,
    pub author_id: UserId,
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
    // Three parameters per message; chunks stay far below both databases' limits.
    for chunk in posted.chunks(ENQUEUE_CHUNK) {
        queued.extend(enqueue_chunk(conn, chunk, now).await?);
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
        (0..posted.len()).map(|i| format!("(${}, ${}, ${}, ${})", 4 * i + 2, 4 * i + 3, 4 * i + 4, 4 * i + 5)).collect();
    let sql = format!(
        "WITH posted (mentorship_id, thread_id, message_id, author_id) AS (VALUES {values}) {insert}",
        values = values.join(", "),
        insert = notification_insert_sql("posted", "$1")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now));
    for p in posted {
        query = query
            .bind(p.mentorship_id.to_string())
            .bind(p.thread_id.to_string())
            .bind(p.message_id.to_string())
            .bind(p.author_id.to_string());
    }
    query.fetch_all(&mut *conn).await?.iter().map(|r| r.try_get::<String, _>("id")).collect()
}

/// The `INSERT` that queues a notification per `each` reader of the messages in
/// `posted` (a relation with `mentorship_id`, `thread_id`, `message_id`, `author_id`),
/// queued at the placeholder `now`; returns the new rows' `id`. Only members who see
/// the thread (it started after they joined) get mail about it.
pub(super) fn notification_insert_sql(posted: &str, now: &str) -> String {
    format!(
        "INSERT INTO outbox (id, kind, user_id, mentorship_id, message_id, status, not_before, attempts, created_at)
         SELECT p.message_id || '.' || mm.user_id, 'notification', mm.user_id, p.mentorship_id, p.message_id, 'pending', {now}, 0, {now}
         FROM {posted} p
         JOIN threads t ON t.id = p.thread_id
         JOIN mentorship_members mm ON mm.mentorship_id = p.mentorship_id AND mm.left_at IS NULL AND mm.user_id <> p.author_id
              AND mm.joined_at <= t.created_at
         JOIN users u ON u.id = mm.user_id
         LEFT JOIN mail_settings s ON s.user_id = mm.user_id
         LEFT JOIN mail_mentorship_settings o ON o.user_id = mm.user_id AND o.mentorship_id = p.mentorship_id
         WHERE ({mode}) = 'each'
         RETURNING id",
        mode = EFFECTIVE_MODE_SQL
    )
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
           AND ({mode}) = 'live' AND COALESCE(rm.seq, 0) < m.seq
         ON CONFLICT (id) DO NOTHING",
        mode = EFFECTIVE_MODE_SQL
    );
    Ok(db
        .write(Box::new(move |conn| {
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
                Ok::<_, StoreError>(queued)
            })
        }))
        .await?)
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
    db.write(Box::new(move |conn| {
        Box::pin(async move {
            let rows =
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now + claim_for)).bind(ms(now)).bind(limit).fetch_all(&mut *conn).await?;
            claimed_from_rows(&rows)
        })
    }))
    .await
    .map_err(Into::into)
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
        placeholders(3, super::padded_len(ids.len()))
    );
    db.write(Box::new(move |conn| {
        Box::pin(async move {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now + claim_for)).bind(ms(now));
            for id in super::padded(&ids) {
                query = query.bind(id.as_str());
            }
            let rows = query.fetch_all(&mut *conn).await?;
            claimed_from_rows(&rows)
        })
    }))
    .await
    .map_err(Into::into)
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

pub async fn finish(db: &Db, id: String, outcome: Outcome, now: DateTime<Utc>) -> Result<(), StoreError> {
    finish_many(db, vec![(id, outcome)], now).await
}

/// Ends a claimed row as `cancelled` or `failed`, with why.
fn end_without_sending(status: &'static str, why: String, id: String) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(
        "UPDATE outbox SET status = $1, claimed_until = NULL, last_error = $2,
         rendered = CASE WHEN kind = 'security' THEN NULL ELSE rendered END WHERE status = 'sending' AND id = $3",
    )
    .bind(status)
    .bind(why)
    .bind(id)
}

/// Sent rows per statement.
const SENT_PER_UPDATE: usize = 512;

/// Records the outcomes of a batch of sends in one transaction (one commit, not one
/// per mail); the sent rows, nearly all of them, in one statement.
pub async fn finish_many(db: &Db, outcomes: Vec<(String, Outcome)>, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(Box::new(move |conn| {
        Box::pin(async move {
            let mut sent = Vec::new();
            for (id, outcome) in outcomes {
                let q = match outcome {
                    Outcome::Sent => {
                        sent.push(id);
                        continue;
                    }
                    Outcome::Cancelled(why) => end_without_sending("cancelled", why.to_owned(), id),
                    Outcome::Later { at, error, count_attempt } => sqlx::query(
                        "UPDATE outbox SET status = 'pending', not_before = $1, claimed_until = NULL, last_error = $2, attempts = attempts - $3 WHERE status = 'sending' AND id = $4",
                    )
                    .bind(ms(at))
                    .bind(error)
                    .bind(i64::from(!count_attempt))
                    .bind(id),
                    Outcome::Failed(error) => end_without_sending("failed", error, id),
                };
                q.execute(&mut *conn).await?;
            }
            for chunk in sent.chunks(SENT_PER_UPDATE) {
                // A finished login mail keeps no copy of its link.
                let sql = format!(
                    "UPDATE outbox SET status = 'sent', sent_at = $1, claimed_until = NULL, last_error = NULL,
                     rendered = CASE WHEN kind = 'security' THEN NULL ELSE rendered END
                     WHERE status = 'sending' AND id IN ({})",
                    placeholders(2, super::padded_len(chunk.len()))
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now));
                for id in super::padded(chunk) {
                    query = query.bind(id.as_str());
                }
                query.execute(&mut *conn).await?;
            }
            Ok::<_, StoreError>(())
        })
    }))
    .await?;
    Ok(())
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

// ---- settings ----

/// A person's general settings (defaults when none are stored).
pub async fn settings(pool: &AnyPool, user: UserId) -> Result<MailSettings, StoreError> {
    let row = sqlx::query(
        "SELECT CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password, s.mode AS own_mode, s.digest_hour,
                s.digest_weekday, s.quiet_start, s.quiet_end, s.missed_delay_minutes
         FROM users u LEFT JOIN mail_settings s ON s.user_id = u.id WHERE u.id = $1",
    )
    .bind(user.to_string())
    .fetch_optional(pool)
    .await?
    .ok_or(StoreError::not_found())?;
    Ok(settings_from_row(&row)?)
}

/// Settings from a row with `has_password`, `own_mode` and the `mail_settings`
/// columns (defaults when the person stored none).
fn settings_from_row(row: &sqlx::any::AnyRow) -> Result<MailSettings, sqlx::Error> {
    let has_password = row.try_get::<i64, _>("has_password")? != 0;
    let Some(mode) = row.try_get::<Option<String>, _>("own_mode")? else { return Ok(MailSettings::defaults(has_password)) };
    let minutes =
        |col: &str| -> Result<Option<String>, sqlx::Error> { Ok(row.try_get::<Option<i64>, _>(col)?.map(|m| format_hhmm(m as u32))) };
    Ok(MailSettings {
        mode: MailMode::parse(&mode).unwrap_or(MailMode::default_for(has_password)),
        digest_hour: row.try_get::<Option<i64>, _>("digest_hour")?.unwrap_or(8) as u32,
        digest_weekday: row.try_get::<Option<i64>, _>("digest_weekday")?.unwrap_or(1) as u32,
        quiet_start: minutes("quiet_start")?,
        quiet_end: minutes("quiet_end")?,
        missed_delay_minutes: row.try_get::<Option<i64>, _>("missed_delay_minutes")?.unwrap_or(10) as u32,
    })
}

pub async fn set_settings(db: &Db, user: UserId, s: MailSettings, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(Box::new(move |conn| {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO mail_settings (user_id, mode, digest_hour, digest_weekday, quiet_start, quiet_end, missed_delay_minutes, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode, digest_hour = excluded.digest_hour, digest_weekday = excluded.digest_weekday,
                    quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, missed_delay_minutes = excluded.missed_delay_minutes,
                    updated_at = excluded.updated_at",
            )
            .bind(user.to_string())
            .bind(s.mode.as_str())
            .bind(i64::from(s.digest_hour))
            .bind(i64::from(s.digest_weekday))
            .bind(s.quiet_start.as_deref().and_then(parse_hhmm).map(i64::from))
            .bind(s.quiet_end.as_deref().and_then(parse_hhmm).map(i64::from))
            .bind(i64::from(s.missed_delay_minutes))
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            Ok::<_, StoreError>(())
        })
    }))
    .await?;
    Ok(())
}

/// Per-mentorship overrides of `user`.
pub async fn mentorship_modes(pool: &AnyPool, user: UserId) -> Result<Vec<(MentorshipId, MailMode)>, StoreError> {
    let rows = sqlx::query("SELECT mentorship_id, mode FROM mail_mentorship_settings WHERE user_id = $1 ORDER BY mentorship_id")
        .bind(user.to_string())
        .fetch_all(pool)
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let mode: String = r.try_get("mode")?;
        if let Some(mode) = MailMode::parse(&mode) {
            out.push((get_parsed(r, "mentorship_id")?, mode));
        }
    }
    Ok(out)
}

/// Sets (or with `None` clears) `user`'s mode for one mentorship.
pub async fn set_mentorship_mode(
    db: &Db,
    user: UserId,
    mentorship: MentorshipId,
    mode: Option<MailMode>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    db.write(Box::new(move |conn| {
        Box::pin(async move {
            match mode {
                Some(mode) => {
                    sqlx::query(
                        "INSERT INTO mail_mentorship_settings (user_id, mentorship_id, mode, updated_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (user_id, mentorship_id) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at",
                    )
                    .bind(user.to_string())
                    .bind(mentorship.to_string())
                    .bind(mode.as_str())
                    .bind(ms(now))
                    .execute(&mut *conn)
                    .await?;
                    if mode == MailMode::Off {
                        // Off means off at once: mails already queued for it go too.
                        sqlx::query(
                            "UPDATE outbox SET status = 'cancelled', last_error = 'unsubscribed'
                             WHERE user_id = $1 AND mentorship_id = $2 AND status = 'pending'",
                        )
                        .bind(user.to_string())
                        .bind(mentorship.to_string())
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                None => {
                    sqlx::query("DELETE FROM mail_mentorship_settings WHERE user_id = $1 AND mentorship_id = $2")
                        .bind(user.to_string())
                        .bind(mentorship.to_string())
                        .execute(&mut *conn)
                        .await?;
                }
            }
            Ok::<_, StoreError>(())
        })
    }))
    .await?;
    Ok(())
}

// ---- tokens ----

/// A token to remember: the token, what it is for, whose it is, its thread and
/// mentorship.
pub type NewToken = (String, TokenKind, UserId, Option<ThreadId>, Option<MentorshipId>);

/// Records tokens (idempotent) so inbound mail and links can be traced back.
pub async fn remember_tokens(db: &Db, tokens: Vec<NewToken>, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(Box::new(move |conn| {
        Box::pin(async move {
            insert_tokens_many(conn, tokens, now).await?;
            Ok::<_, StoreError>(())
        })
    }))
    .await?;
    Ok(())
}

/// What a token stands for.
#[derive(Clone, Debug)]
pub struct TokenTarget {
    pub kind: String,
    pub user_id: UserId,
    pub thread_id: Option<ThreadId>,
    pub mentorship_id: Option<MentorshipId>,
}

pub async fn find_token(pool: &AnyPool, token: &str) -> Result<Option<TokenTarget>, StoreError> {
    let row = sqlx::query("SELECT kind, user_id, thread_id, mentorship_id FROM mail_tokens WHERE token_hash = $1")
        .bind(token_hash(token))
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        Ok(TokenTarget {
            kind: r.try_get("kind")?,
            user_id: get_parsed(&r, "user_id")?,
            thread_id: get_opt_parsed(&r, "thread_id")?,
            mentorship_id: get_opt_parsed(&r, "mentorship_id")?,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| e.into())
}

// ---- what a notification needs ----

/// Everything needed to write one notification mail.
#[derive(Clone, Debug)]
pub struct NotificationData {
    pub recipient_email: String,
    pub recipient_name: String,
    pub recipient_locale: String,
    pub recipient_timezone: String,
    pub mode: MailMode,
    pub settings: MailSettings,
    pub still_member: bool,
    /// Mail to the recipient's address is paused because it bounces.
    pub paused: bool,
    /// The recipient's read marker in the thread is at or past the message.
    pub already_read: bool,
    pub mentorship_id: MentorshipId,
    pub thread_id: ThreadId,
    pub thread_subject: String,
    pub is_reply: bool,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// The previous message by someone else in the thread: (author, body).
    pub answers: Option<(String, String)>,
    /// Member names, for the List-Id phrase.
    pub member_names: Vec<String>,
    /// Who joined or left the mentorship since its previous message (not the reader).
    pub membership_changes: Vec<MembershipChange>,
    /// The message's attachments: (name, size, link).
    pub attachments: Vec<(String, i64, String)>,
}

/// What the notification mails of a batch of claimed outbox rows need, by outbox id,
/// in four statements for the whole batch (six per mail made the worker's reads the
/// larger part of what a mail costs). A row whose message is gone is missing from the
/// map.
pub async fn notifications_data(
    pool: &AnyPool,
    outbox_ids: &[String],
    public_url: &str,
) -> Result<HashMap<String, NotificationData>, StoreError> {
    let mut out = HashMap::with_capacity(outbox_ids.len());
    for chunk in outbox_ids.chunks(NOTIFICATIONS_PER_READ) {
        notifications_chunk(pool, chunk, public_url, &mut out).await?;
    }
    Ok(out)
}

/// Outbox rows per read: one placeholder each, far below either backend's limit.
const NOTIFICATIONS_PER_READ: usize = 512;

async fn notifications_chunk(
    pool: &AnyPool,
    outbox_ids: &[String],
    public_url: &str,
    out: &mut HashMap<String, NotificationData>,
) -> Result<(), StoreError> {
    if outbox_ids.is_empty() {
        return Ok(());
    }
    // `earlier` only asks whether one earlier message exists: counting them all walked
    // the whole thread for every mail, which grew with the thread.
    let sql = format!(
        "SELECT ob.id AS outbox_id, u.email, u.display_name, u.locale, u.timezone, ({mode}) AS mode,
                CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password,
                s.mode AS own_mode, s.digest_hour, s.digest_weekday, s.quiet_start, s.quiet_end, s.missed_delay_minutes,
                mm.left_at, mm.user_id AS member,
                CASE WHEN mm.joined_at <= t.created_at THEN 1 ELSE 0 END AS sees_thread,
                COALESCE(rm.seq, 0) AS read_seq,
                m.seq, m.body, m.created_at, m.id AS message_id, au.display_name AS author_name,
                t.id AS thread_id, t.subject, t.mentorship_id,
                (SELECT COUNT(*) FROM (SELECT 1 FROM messages p WHERE p.thread_id = m.thread_id AND p.seq < m.seq LIMIT 1) e) AS earlier,
                (SELECT MAX(p.created_at) FROM messages p WHERE p.mentorship_id = m.mentorship_id AND p.created_at < m.created_at) AS previous_at,
                (SELECT p.id FROM messages p WHERE p.thread_id = m.thread_id AND p.seq < m.seq AND p.author_id <> m.author_id
                 ORDER BY p.seq DESC LIMIT 1) AS answer_id,
                (SELECT COUNT(*) FROM mail_address_health h
                 WHERE h.user_id = u.id AND h.address = u.email AND h.paused_at IS NOT NULL) AS paused
         FROM outbox ob
         JOIN messages m ON m.id = ob.message_id
         JOIN threads t ON t.id = m.thread_id
         JOIN users au ON au.id = m.author_id
         JOIN users u ON u.id = ob.user_id
         LEFT JOIN mentorship_members mm ON mm.mentorship_id = m.mentorship_id AND mm.user_id = u.id
         LEFT JOIN mail_settings s ON s.user_id = u.id
         LEFT JOIN mail_mentorship_settings o ON o.user_id = u.id AND o.mentorship_id = m.mentorship_id
         LEFT JOIN read_markers rm ON rm.user_id = u.id AND rm.thread_id = m.thread_id
         WHERE ob.id IN ({ids})",
        mode = EFFECTIVE_MODE_SQL,
        ids = placeholders(1, super::padded_len(outbox_ids.len()))
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in super::padded(outbox_ids) {
        query = query.bind(id.as_str());
    }
    let rows = query.fetch_all(pool).await?;
    let mut answer_ids: Vec<String> = Vec::new();
    let mut mentorships: Vec<MentorshipId> = Vec::new();
    let mut messages: Vec<MessageId> = Vec::new();
    for r in &rows {
        if let Some(answer) = r.try_get::<Option<String>, _>("answer_id")? {
            answer_ids.push(answer);
        }
        mentorships.push(get_parsed(r, "mentorship_id")?);
        messages.push(get_parsed(r, "message_id")?);
    }
    answer_ids.sort_unstable();
    answer_ids.dedup();
    mentorships.sort_unstable();
    mentorships.dedup();
    messages.sort_unstable();
    messages.dedup();
    let answers = bodies_of(pool, &answer_ids).await?;
    let members = members_of(pool, &mentorships).await?;
    let attachments = super::inbound::attachment_names_of(pool, &messages, public_url).await?;
    for r in &rows {
        let seq: i64 = r.try_get("seq")?;
        let mentorship_id: MentorshipId = get_parsed(r, "mentorship_id")?;
        let message_id: MessageId = get_parsed(r, "message_id")?;
        let mode: String = r.try_get("mode")?;
        let answer = r.try_get::<Option<String>, _>("answer_id")?.and_then(|a| answers.get(&a).cloned());
        out.insert(
            r.try_get("outbox_id")?,
            NotificationData {
                recipient_email: r.try_get("email")?,
                recipient_name: r.try_get("display_name")?,
                recipient_locale: r.try_get("locale")?,
                recipient_timezone: r.try_get("timezone")?,
                mode: MailMode::parse(&mode).unwrap_or(MailMode::Off),
                settings: settings_from_row(r)?,
                // A member who left, or left and came back after the thread started,
                // no longer reads it.
                still_member: r.try_get::<Option<String>, _>("member")?.is_some()
                    && r.try_get::<Option<i64>, _>("left_at")?.is_none()
                    && r.try_get::<Option<i64>, _>("sees_thread")? == Some(1),
                paused: r.try_get::<i64, _>("paused")? > 0,
                already_read: r.try_get::<i64, _>("read_seq")? >= seq,
                mentorship_id,
                thread_id: get_parsed(r, "thread_id")?,
                thread_subject: r.try_get("subject")?,
                is_reply: r.try_get::<i64, _>("earlier")? > 0,
                author_name: r.try_get("author_name")?,
                body: r.try_get("body")?,
                created_at: get_time(r, "created_at")?,
                answers: answer,
                // Several mails of a batch may share a mentorship or a message.
                member_names: members.get(&mentorship_id).map(|m| member_names(m)).unwrap_or_default(),
                // Who joined or left since the mentorship's previous message.
                membership_changes: match (members.get(&mentorship_id), get_opt_parsed::<UserId>(r, "member")?) {
                    (Some(all), Some(reader)) => {
                        let created: DateTime<Utc> = get_time(r, "created_at")?;
                        let previous = get_opt_time(r, "previous_at")?.unwrap_or(DateTime::<Utc>::MIN_UTC);
                        membership_changes(all, reader, previous, created)
                    }
                    _ => Vec::new(),
                },
                attachments: attachments.get(&message_id).cloned().unwrap_or_default(),
            },
        );
    }
    Ok(())
}

/// Author name and body of each message, by id.
async fn bodies_of(pool: &AnyPool, ids: &[String]) -> Result<HashMap<String, (String, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT p.id, au.display_name, p.body FROM messages p JOIN users au ON au.id = p.author_id WHERE p.id IN ({})",
        placeholders(1, super::padded_len(ids.len()))
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in super::padded(ids) {
        query = query.bind(id.as_str());
    }
    let mut out = HashMap::with_capacity(ids.len());
    for r in &query.fetch_all(pool).await? {
        out.insert(r.try_get("id")?, (r.try_get("display_name")?, r.try_get("body")?));
    }
    Ok(out)
}

// ---- digests ----

/// Someone who reads at least one mentorship by digest, with their digest settings
/// and the mentorships they read that way (one candidate per person and mode).
#[derive(Clone, Debug)]
pub struct DigestCandidate {
    pub user_id: UserId,
    pub timezone: String,
    pub digest_hour: u32,
    pub digest_weekday: u32,
    pub mode: MailMode,
    pub mentorships: Vec<MentorshipId>,
}

pub async fn digest_candidates(pool: &AnyPool) -> Result<Vec<DigestCandidate>, StoreError> {
    let sql = format!(
        "SELECT u.id, mm.mentorship_id, u.timezone, COALESCE(s.digest_hour, 8) AS digest_hour, COALESCE(s.digest_weekday, 1) AS digest_weekday,
                ({mode}) AS mode
         FROM mentorship_members mm
         JOIN users u ON u.id = mm.user_id
         LEFT JOIN mail_settings s ON s.user_id = u.id
         LEFT JOIN mail_mentorship_settings o ON o.user_id = u.id AND o.mentorship_id = mm.mentorship_id
         WHERE mm.left_at IS NULL AND ({mode}) IN ('daily', 'weekly')
         ORDER BY u.id, mode, mm.mentorship_id",
        mode = EFFECTIVE_MODE_SQL
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
    let mut out: Vec<DigestCandidate> = Vec::new();
    for r in &rows {
        let mode: String = r.try_get("mode")?;
        let Some(mode) = MailMode::parse(&mode) else { continue };
        let user: UserId = get_parsed(r, "id")?;
        let mentorship: MentorshipId = get_parsed(r, "mentorship_id")?;
        if let Some(last) = out.last_mut().filter(|c| c.user_id == user && c.mode == mode) {
            last.mentorships.push(mentorship);
            continue;
        }
        out.push(DigestCandidate {
            user_id: user,
            timezone: r.try_get("timezone")?,
            digest_hour: u32::try_from(r.try_get::<i64, _>("digest_hour")?).unwrap_or(8),
            digest_weekday: u32::try_from(r.try_get::<i64, _>("digest_weekday")?).unwrap_or(1),
            mode,
            mentorships: vec![mentorship],
        });
    }
    Ok(out)
}

/// `(user, period)` of every digest recorded since `since`.
pub async fn recent_digests(pool: &AnyPool, since: DateTime<Utc>) -> Result<std::collections::HashSet<(UserId, String)>, StoreError> {
    let rows = sqlx::query("SELECT user_id, period FROM digest_runs WHERE created_at >= $1").bind(ms(since)).fetch_all(pool).await?;
    let mut out = std::collections::HashSet::with_capacity(rows.len());
    for r in &rows {
        out.insert((get_parsed(r, "user_id")?, r.try_get("period")?));
    }
    Ok(out)
}

/// One message for a digest.
#[derive(Clone, Debug)]
pub struct DigestItem {
    pub mentorship_id: MentorshipId,
    pub thread_id: ThreadId,
    pub subject: String,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// What a digest for `user` over `mentorships` (those they read by this digest)
/// holds: messages by others written in `(after, up_to]` in threads started since they
/// joined, neither read nor already mailed to them; ordered by mentorship, thread and
/// sequence. The mentorships come
/// from the candidate query, so this query stays small (cheap to plan, too: a wide
/// join here cost PostgreSQL more planning than executing, on every digest).
pub async fn digest_items(
    pool: &AnyPool,
    user: UserId,
    mentorships: &[MentorshipId],
    after: DateTime<Utc>,
    up_to: DateTime<Utc>,
) -> Result<Vec<DigestItem>, StoreError> {
    if mentorships.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..mentorships.len()).map(|i| format!("${}", i + 4)).collect();
    let sql = format!(
        "SELECT m.mentorship_id, m.thread_id, t.subject, au.display_name AS author_name, m.body, m.created_at
         FROM messages m
         JOIN threads t ON t.id = m.thread_id
         JOIN users au ON au.id = m.author_id
         JOIN mentorship_members mm ON mm.mentorship_id = m.mentorship_id AND mm.user_id = $1 AND mm.joined_at <= t.created_at
         LEFT JOIN read_markers rm ON rm.user_id = $1 AND rm.thread_id = m.thread_id
         WHERE m.mentorship_id IN ({}) AND m.author_id <> $1 AND m.seq > COALESCE(rm.seq, 0) AND m.created_at > $2 AND m.created_at <= $3
           AND NOT EXISTS (SELECT 1 FROM outbox ob WHERE ob.id = m.id || '.' || $1 AND ob.status = 'sent')
         ORDER BY m.mentorship_id, m.thread_id, m.seq",
        list.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user.to_string()).bind(ms(after)).bind(ms(up_to));
    for m in mentorships {
        query = query.bind(m.to_string());
    }
    let rows = query.fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(DigestItem {
                mentorship_id: get_parsed(r, "mentorship_id")?,
                thread_id: get_parsed(r, "thread_id")?,
                subject: r.try_get("subject")?,
                author_name: r.try_get("author_name")?,
                body: r.try_get("body")?,
                created_at: get_time(r, "created_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// A rendered digest to queue with its run.
pub struct QueuedDigest {
    pub outbox_id: String,
    pub rendered: String,
    pub tokens: Vec<NewToken>,
}

/// One reader's digest run for a period, with its mail when there was something new.
pub struct DigestRun {
    pub user: UserId,
    pub period: String,
    /// The instant the digest covers up to; the next one starts there.
    pub cutoff: DateTime<Utc>,
    pub mail: Option<QueuedDigest>,
}

/// Records digest runs and queues their mail, all in one transaction. A run that
/// exists already (another instance, or before a restart, made it) queues nothing,
/// so there is exactly one per person and period. Returns how many mails it queued.
pub async fn record_digests(db: &Db, runs: Vec<DigestRun>, now: DateTime<Utc>) -> Result<usize, StoreError> {
    if runs.is_empty() {
        return Ok(0);
    }
    Ok(db
        .write(Box::new(move |conn| {
            Box::pin(async move {
                // Three statements per batch, not three per digest: on PostgreSQL each
                // statement is a round trip inside the writer's transaction.
                let sql = format!(
                    "INSERT INTO digest_runs (user_id, period, cutoff, created_at) VALUES {} ON CONFLICT (user_id, period) DO NOTHING RETURNING user_id, period",
                    rows_of(runs.len(), 4)
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for run in &runs {
                    query = query.bind(run.user.to_string()).bind(run.period.clone()).bind(ms(run.cutoff)).bind(ms(now));
                }
                let mut inserted = std::collections::HashSet::new();
                for r in query.fetch_all(&mut *conn).await? {
                    inserted.insert((r.try_get::<String, _>("user_id")?, r.try_get::<String, _>("period")?));
                }
                let mails: Vec<(UserId, QueuedDigest)> = runs
                    .into_iter()
                    .filter(|run| inserted.contains(&(run.user.to_string(), run.period.clone())))
                    .filter_map(|run| run.mail.map(|mail| (run.user, mail)))
                    .collect();
                if mails.is_empty() {
                    return Ok::<_, StoreError>(0);
                }
                let sql = format!(
                    "INSERT INTO outbox (id, kind, user_id, rendered, status, not_before, attempts, created_at) VALUES {}",
                    (0..mails.len()).map(|i| format!("(${}, 'digest', ${}, ${}, 'pending', ${}, 0, ${})", i * 4 + 1, i * 4 + 2, i * 4 + 3, i * 4 + 4, i * 4 + 4)).collect::<Vec<_>>().join(", ")
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                let queued = mails.len();
                let mut tokens = Vec::new();
                for (user, mail) in mails {
                    query = query.bind(mail.outbox_id).bind(user.to_string()).bind(mail.rendered).bind(ms(now));
                    tokens.extend(mail.tokens);
                }
                query.execute(&mut *conn).await?;
                insert_tokens_many(conn, tokens, now).await?;
                Ok::<_, StoreError>(queued)
            })
        }))
        .await?)
}

/// `(…), (…)` for `rows` rows of `columns` placeholders each.
fn rows_of(rows: usize, columns: usize) -> String {
    (0..rows).map(|r| format!("({})", placeholders(r * columns + 1, columns))).collect::<Vec<_>>().join(", ")
}

/// Tokens per statement: six binds each, well under either backend's limit.
const TOKENS_PER_INSERT: usize = 1000;

/// Like [`insert_tokens`], a statement per thousand tokens.
async fn insert_tokens_many(conn: &mut AnyConnection, mut tokens: Vec<NewToken>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    // One statement must not name a row twice.
    let mut seen = std::collections::HashSet::new();
    tokens.retain(|(token, ..)| seen.insert(token.clone()));
    for chunk in tokens.chunks(TOKENS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO mail_tokens (token_hash, kind, user_id, thread_id, mentorship_id, created_at) VALUES {} ON CONFLICT (token_hash) DO NOTHING",
            rows_of(chunk.len(), 6)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (token, kind, user, thread, mentorship) in chunk {
            query = query
                .bind(token_hash(token))
                .bind(kind.as_str())
                .bind(user.to_string())
                .bind(thread.map(|t| t.to_string()))
                .bind(mentorship.map(|m| m.to_string()))
                .bind(ms(now));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Placeholders `$from…` for `n` values.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The end of each reader's latest digest in `mode`, for the readers that had one.
pub async fn previous_cutoffs(pool: &AnyPool, users: &[UserId], mode: MailMode) -> Result<HashMap<UserId, DateTime<Utc>>, StoreError> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT user_id, MAX(cutoff) AS cutoff FROM digest_runs WHERE period LIKE $1 AND user_id IN ({}) GROUP BY user_id",
        placeholders(2, users.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(format!("{}:%", mode.as_str()));
    for u in users {
        query = query.bind(u.to_string());
    }
    let mut out = HashMap::with_capacity(users.len());
    for r in &query.fetch_all(pool).await? {
        out.insert(get_parsed(r, "user_id")?, get_time(r, "cutoff")?);
    }
    Ok(out)
}

/// What a digest says about its reader.
#[derive(Clone, Debug)]
pub struct DigestReader {
    pub display_name: String,
    pub email: String,
    pub locale: mentorpost_model::Locale,
}

pub async fn digest_readers(pool: &AnyPool, users: &[UserId]) -> Result<HashMap<UserId, DigestReader>, StoreError> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!("SELECT id, display_name, email, locale FROM users WHERE id IN ({})", placeholders(1, users.len()));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for u in users {
        query = query.bind(u.to_string());
    }
    let mut out = HashMap::with_capacity(users.len());
    for r in &query.fetch_all(pool).await? {
        let locale: String = r.try_get("locale")?;
        out.insert(
            get_parsed(r, "id")?,
            DigestReader {
                display_name: r.try_get("display_name")?,
                email: r.try_get("email")?,
                locale: mentorpost_model::Locale::parse(&locale).unwrap_or_default(),
            },
        );
    }
    Ok(out)
}

/// The current members' names of each mentorship, to tell the mentorships apart.
pub fn member_names(members: &[MemberView]) -> Vec<String> {
    members.iter().filter(|m| m.left_at.is_none()).map(|m| m.display_name.clone()).collect()
}

/// Every member, current and former, of each mentorship (ordered by role and name):
/// their names label mails, their joining and leaving is news to the others.
pub async fn members_of(pool: &AnyPool, mentorships: &[MentorshipId]) -> Result<HashMap<MentorshipId, Vec<MemberView>>, StoreError> {
    if mentorships.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT mm.mentorship_id, mm.user_id, u.display_name, mm.role, mm.joined_at, mm.left_at
         FROM mentorship_members mm JOIN users u ON u.id = mm.user_id
         WHERE mm.mentorship_id IN ({}) ORDER BY mm.mentorship_id, mm.role, u.display_name",
        placeholders(1, super::padded_len(mentorships.len()))
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for m in super::padded(mentorships) {
        query = query.bind(m.to_string());
    }
    let mut out: HashMap<MentorshipId, Vec<MemberView>> = HashMap::new();
    for r in &query.fetch_all(pool).await? {
        out.entry(get_parsed(r, "mentorship_id")?).or_default().push(super::mentorships::member_from_row(r)?);
    }
    Ok(out)
}

/// A thread whose latest message has waited longer than its mentorship's agreed
/// response time.
#[derive(Clone, Debug)]
pub struct WaitingThread {
    pub last_author: UserId,
    pub last_at: DateTime<Utc>,
    pub response_within_hours: i64,
}

impl WaitingThread {
    /// Whether `reader` owes this thread an answer past the agreed time at `at` (F15).
    pub fn owed_by(&self, reader: UserId, at: DateTime<Utc>) -> bool {
        self.last_author != reader && self.last_at < at - chrono::Duration::hours(self.response_within_hours)
    }
}

/// Per mentorship, the threads whose latest message was already overdue at `at`.
pub async fn waiting_threads(
    pool: &AnyPool,
    mentorships: &[MentorshipId],
    at: DateTime<Utc>,
) -> Result<HashMap<MentorshipId, Vec<WaitingThread>>, StoreError> {
    if mentorships.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT t.mentorship_id, lm.author_id, lm.created_at, ms.response_within_hours
         FROM threads t JOIN mentorships ms ON ms.id = t.mentorship_id
         JOIN messages lm ON lm.thread_id = t.id AND lm.seq = t.last_seq
         WHERE lm.created_at < $1 - ms.response_within_hours * 3600000 AND t.mentorship_id IN ({})",
        placeholders(2, mentorships.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(at));
    for m in mentorships {
        query = query.bind(m.to_string());
    }
    let mut out: HashMap<MentorshipId, Vec<WaitingThread>> = HashMap::new();
    for r in &query.fetch_all(pool).await? {
        out.entry(get_parsed(r, "mentorship_id")?).or_default().push(WaitingThread {
            last_author: get_parsed(r, "author_id")?,
            last_at: get_time(r, "created_at")?,
            response_within_hours: r.try_get("response_within_hours")?,
        });
    }
    Ok(out)
}
