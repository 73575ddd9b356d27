//! What is kept, and for how long: the store's side of the daily retention job
//! (`mail::retention` runs it).
//!
//! - A closed mentorship's **content** — every text its members wrote: messages,
//!   quoted history, files, subjects, the agreement's content and its versions,
//!   session notes, actions, reflections, the written answers of reviews, closing forms
//!   and follow-ups, concerns shared with the coordinators — is emptied `programmes.retention_months` after it closed. The
//!   rows stay (dates, authors, scores, choices), so the coordinator's figures and the
//!   thread's shape are unchanged. Its members are warned 30 days before.
//! - **Sent mail**: outbox rows sent or cancelled more than [`OUTBOX_DAYS`] ago go;
//!   failed ones lose their rendered text.
//! - **Expired credentials**: sign-in links, refresh tokens, socket tickets, browser
//!   sessions, address confirmations, old login failures.
//!
//! Every step writes in batches of at most [`BATCH`] rows, each its own transaction,
//! so other writers wait for one small batch at most. Every step is idempotent: a
//! crash in the middle leaves what is done done, and the next run finishes the rest.

use super::{get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Duration, Months, Utc};
use mentorpost_model::{Locale, MentorshipId, UserId};
use sqlx::{AnyPool, Row};

/// Rows per write: small enough that a batch holds the SQLite writer for a few
/// milliseconds.
pub const BATCH: i64 = 500;
/// Days sent mail is kept (the failed-mail view and resends look back this far).
pub const OUTBOX_DAYS: i64 = 30;
/// Days before removal that the members are warned.
pub const WARN_DAYS: i64 = 30;
/// The programme setting's bounds, in months: at least half a year, so the follow-up
/// (up to 24 months, default 6) normally lies inside it; at most ten years.
pub const MONTHS: std::ops::RangeInclusive<i64> = 6..=120;
/// Login failures are counted over minutes; a day is plenty.
const LOGIN_FAILURE_DAYS: i64 = 1;

/// A closed mentorship whose content is still kept.
#[derive(Clone, Debug)]
pub struct Closed {
    pub mentorship_id: MentorshipId,
    pub closed_at: DateTime<Utc>,
    pub months: i64,
    pub warned: bool,
}

impl Closed {
    /// When its content goes.
    pub fn removes_at(&self) -> DateTime<Utc> {
        let months = u32::try_from(self.months).unwrap_or(24);
        self.closed_at.checked_add_months(Months::new(months)).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    pub fn warn_at(&self) -> DateTime<Utc> {
        self.removes_at() - Duration::days(WARN_DAYS)
    }
}

/// Every closed mentorship whose content is still there (partial index).
pub async fn closed_with_content(pool: &AnyPool) -> Result<Vec<Closed>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.id, m.closed_at, p.retention_months, m.retention_warned_at FROM mentorships m JOIN programmes p ON p.id = m.programme_id
         WHERE m.closed_at IS NOT NULL AND m.content_removed_at IS NULL",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Closed {
                mentorship_id: get_parsed(r, "id")?,
                closed_at: get_time(r, "closed_at")?,
                months: r.try_get("retention_months")?,
                warned: r.try_get::<Option<i64>, _>("retention_warned_at")?.is_some(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Someone who wrote in a mentorship (member then or now), as the warning needs them.
#[derive(Clone, Debug)]
pub struct Reader {
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
    pub locale: Locale,
    pub timezone: String,
    /// The other members' names, for "your mentorship with …".
    pub others: Vec<String>,
}

/// The members, current and former, of a mentorship.
pub async fn readers(pool: &AnyPool, mentorship: MentorshipId) -> Result<Vec<Reader>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, u.email, u.locale, u.timezone FROM mentorship_members mm JOIN users u ON u.id = mm.user_id
         WHERE mm.mentorship_id = $1 ORDER BY u.display_name",
    )
    .bind(mentorship.to_string())
    .fetch_all(pool)
    .await?;
    let mut people = Vec::with_capacity(rows.len());
    for r in &rows {
        let locale: String = r.try_get("locale")?;
        people.push(Reader {
            user_id: get_parsed(r, "id")?,
            display_name: r.try_get("display_name")?,
            email: r.try_get("email")?,
            locale: Locale::parse(&locale).unwrap_or_default(),
            timezone: r.try_get("timezone")?,
            others: Vec::new(),
        });
    }
    let names: Vec<(UserId, String)> = people.iter().map(|p| (p.user_id, p.display_name.clone())).collect();
    for p in &mut people {
        p.others = names.iter().filter(|(id, _)| *id != p.user_id).map(|(_, n)| n.clone()).collect();
    }
    Ok(people)
}

/// Marks the warning as sent and queues its mails, in one transaction: a crash between
/// the two cannot warn twice or never.
pub async fn record_warning(
    db: &Db,
    mentorship: MentorshipId,
    mails: Vec<super::mail::RenderedMail>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let claimed = sqlx::query("UPDATE mentorships SET retention_warned_at = $1 WHERE id = $2 AND retention_warned_at IS NULL")
                .bind(ms(now))
                .bind(mentorship.to_string())
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if claimed == 0 {
                return Ok(false);
            }
            super::mail::queue_rendered(conn, mails, now).await?;
            Ok(true)
        })
    })
    .await
}

/// The statements that empty one mentorship's content, each on at most [`BATCH`] rows
/// per run (those that can be many) or all of it (one row per member or per meeting,
/// a handful). Repeated until none changes anything.
const REMOVE_STEPS: &[&str] = &[
    "DELETE FROM attachments WHERE id IN (SELECT id FROM attachments WHERE mentorship_id = $1 LIMIT $2)",
    "DELETE FROM message_quoted WHERE message_id IN (SELECT q.message_id FROM message_quoted q JOIN messages m ON m.id = q.message_id
        WHERE m.mentorship_id = $1 LIMIT $2)",
    "UPDATE messages SET body = '', deleted_at = $3, deleted_reason = 'retention'
        WHERE id IN (SELECT id FROM messages WHERE mentorship_id = $1 AND deleted_at IS NULL LIMIT $2)",
    "UPDATE messages SET body = '' WHERE id IN (SELECT id FROM messages WHERE mentorship_id = $1 AND body <> '' LIMIT $2)",
    "UPDATE threads SET subject = '' WHERE id IN (SELECT id FROM threads WHERE mentorship_id = $1 AND subject <> '' LIMIT $2)",
    "DELETE FROM agreement_versions WHERE mentorship_id = $1 AND version IN
        (SELECT version FROM agreement_versions WHERE mentorship_id = $1 LIMIT $2)",
    "UPDATE meetings SET note = NULL, learning_goal = NULL, explored = NULL WHERE id IN
        (SELECT id FROM meetings WHERE mentorship_id = $1 AND (note IS NOT NULL OR learning_goal IS NOT NULL OR explored IS NOT NULL) LIMIT $2)",
    "UPDATE actions SET text = '' WHERE id IN (SELECT id FROM actions WHERE mentorship_id = $1 AND text <> '' LIMIT $2)",
    "UPDATE reflections SET subject = '', wanted = '', tried = '', felt = '', went_well = '', went_less_well = '', questions = ''
        WHERE id IN (SELECT id FROM reflections WHERE mentorship_id = $1 AND (subject <> '' OR wanted <> '' OR tried <> '' OR felt <> ''
        OR went_well <> '' OR went_less_well <> '' OR questions <> '') LIMIT $2)",
    "UPDATE reviews SET meetings = '', time_enough = '', topics = '', growth = '', comments = '' WHERE id IN
        (SELECT id FROM reviews WHERE mentorship_id = $1 AND (meetings <> '' OR time_enough <> '' OR topics <> '' OR growth <> ''
        OR comments <> '') LIMIT $2)",
];

/// One-row-per-member texts, emptied in one statement each.
const REMOVE_SMALL: &[&str] = &[
    "UPDATE closing_forms SET key_moments = '', thanks = '', achieved = '', not_achieved = '', future_needs = '' WHERE mentorship_id = $1
        AND (key_moments <> '' OR thanks <> '' OR achieved <> '' OR not_achieved <> '' OR future_needs <> '')",
    "UPDATE follow_ups SET how_it_goes = '', still_helps = '', needs_now = '' WHERE mentorship_id = $1
        AND (how_it_goes <> '' OR still_helps <> '' OR needs_now <> '')",
    "UPDATE concerns SET snapshot = '{}', note = '' WHERE mentorship_id = $1 AND (snapshot <> '{}' OR note <> '')",
    "UPDATE mentorships SET ground_rules = '', goals = '', action_plan = '', topics_excluded = '', mentor_time = '', ending_early = ''
        WHERE id = $1 AND (ground_rules <> '' OR goals <> '' OR action_plan <> '' OR topics_excluded <> '' OR mentor_time <> ''
        OR ending_early <> '')",
];

/// Empties a closed mentorship's content in batches and marks it done; returns how
/// many rows changed. Safe to repeat and to resume after a crash.
pub async fn remove_content(db: &Db, mentorship: MentorshipId, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let mut changed = 0;
    for step in REMOVE_STEPS {
        changed += super::in_batches(db, step, mentorship.to_string(), BATCH, ms(now), &mut || {}).await?;
    }
    changed += db
        .write(move |conn| {
            Box::pin(async move {
                let mut n = 0;
                for step in REMOVE_SMALL {
                    n += sqlx::query(sqlx::AssertSqlSafe(*step)).bind(mentorship.to_string()).execute(&mut *conn).await?.rows_affected();
                }
                sqlx::query("UPDATE mentorships SET content_removed_at = $1 WHERE id = $2 AND content_removed_at IS NULL")
                    .bind(ms(now))
                    .bind(mentorship.to_string())
                    .execute(&mut *conn)
                    .await?;
                Ok(n)
            })
        })
        .await?;
    Ok(changed)
}

/// The housekeeping statements: (what, statement). `$1` is a cut-off time, `$2` the
/// batch size. Each is repeated while it fills a batch.
fn sweeps(now: DateTime<Utc>) -> Vec<(&'static str, &'static str, i64)> {
    let days_ago = |d: i64| ms(now - Duration::days(d));
    vec![
        (
            "outbox_sent",
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status IN ('sent', 'cancelled') AND not_before < $1 LIMIT $2)",
            days_ago(OUTBOX_DAYS),
        ),
        (
            "outbox_failed_text",
            "UPDATE outbox SET rendered = NULL WHERE id IN (SELECT id FROM outbox WHERE status = 'failed' AND rendered IS NOT NULL
             AND not_before < $1 LIMIT $2)",
            days_ago(OUTBOX_DAYS),
        ),
        (
            "magic_links",
            "DELETE FROM magic_links WHERE token_hash IN (SELECT token_hash FROM magic_links WHERE expires_at < $1 LIMIT $2)",
            ms(now),
        ),
        (
            "refresh_tokens",
            "DELETE FROM refresh_tokens WHERE token_hash IN (SELECT token_hash FROM refresh_tokens WHERE expires_at < $1 LIMIT $2)",
            ms(now),
        ),
        (
            "ws_tickets",
            "DELETE FROM ws_tickets WHERE ticket_hash IN (SELECT ticket_hash FROM ws_tickets WHERE expires_at < $1 LIMIT $2)",
            ms(now),
        ),
        (
            "web_sessions",
            "DELETE FROM web_sessions WHERE token_hash IN (SELECT token_hash FROM web_sessions WHERE expires_at < $1 LIMIT $2)",
            ms(now),
        ),
        (
            "address_confirmations",
            "DELETE FROM address_confirmations WHERE token_hash IN (SELECT token_hash FROM address_confirmations WHERE expires_at < $1 LIMIT $2)",
            ms(now),
        ),
        (
            "login_failures",
            "DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures WHERE at < $1 LIMIT $2)",
            days_ago(LOGIN_FAILURE_DAYS),
        ),
    ]
}

/// Runs every housekeeping sweep; returns (what, rows) for each that changed any.
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<Vec<(&'static str, u64)>, StoreError> {
    let mut out = Vec::new();
    for (what, sql, cutoff) in sweeps(now) {
        let mut total = 0;
        loop {
            let n = db
                .write(move |conn| {
                    Box::pin(async move {
                        Ok(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(cutoff).bind(BATCH).execute(&mut *conn).await?.rows_affected())
                    })
                })
                .await?;
            total += n;
            if n < BATCH as u64 {
                break;
            }
        }
        if total > 0 {
            out.push((what, total));
        }
    }
    Ok(out)
}

/// What [`sweep`] would change now, without changing it.
pub async fn sweep_counts(pool: &AnyPool, now: DateTime<Utc>) -> Result<Vec<(&'static str, u64)>, StoreError> {
    let mut out = Vec::new();
    for (what, sql, cutoff) in sweeps(now) {
        // The inner SELECT of each sweep is what it would touch.
        let inner = sql.split_once("IN (").map(|(_, rest)| rest).unwrap_or_default();
        let inner = inner.rsplit_once(" LIMIT $2)").map(|(sel, _)| sel).unwrap_or(inner);
        let count = format!("SELECT COUNT(*) FROM ({inner}) AS t");
        let n: i64 = sqlx::query(sqlx::AssertSqlSafe(count)).bind(cutoff).fetch_one(pool).await?.try_get(0)?;
        if n > 0 {
            out.push((what, u64::try_from(n).unwrap_or(0)));
        }
    }
    Ok(out)
}

/// The number of messages a removal would empty (for the dry run).
pub async fn message_count(pool: &AnyPool, mentorship: MentorshipId) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) FROM messages WHERE mentorship_id = $1 AND body <> ''")
        .bind(mentorship.to_string())
        .fetch_one(pool)
        .await?;
    Ok(row.try_get(0)?)
}
