//! Daily and weekly digests: who reads by digest, what their digest holds, recording a run
//! with its mail.

use crate::db::{Db, StoreError};
use crate::store::{get_parsed, get_time, ms};
use chrono::{DateTime, Utc};
use mentorpost_model::api::MemberView;
use mentorpost_model::mail::MailMode;
use mentorpost_model::{MentorshipId, ThreadId, UserId};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;

use super::*;

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
    /// When the reader's mode, hour or weekday last changed: a period due before that
    /// is not sent late.
    pub schedule_since: DateTime<Utc>,
}

pub async fn digest_candidates(pool: &AnyPool) -> Result<Vec<DigestCandidate>, StoreError> {
    let sql = format!(
        "SELECT u.id, mm.mentorship_id, u.timezone, COALESCE(s.digest_hour, 8) AS digest_hour, COALESCE(s.digest_weekday, 1) AS digest_weekday,
                ({mode}) AS mode, COALESCE(s.schedule_since, 0) AS schedule_since
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
            schedule_since: get_time(r, "schedule_since")?,
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
           AND m.deleted_at IS NULL
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
    db
        .write(move |conn| {
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
                    return Ok(0);
                }
                let queued = mails.len();
                let mut tokens = Vec::new();
                let mut rendered = Vec::with_capacity(queued);
                for (user, mail) in mails {
                    rendered.push(RenderedMail { id: mail.outbox_id, kind: "digest", user: Some(user), to_address: None, rendered: mail.rendered });
                    tokens.extend(mail.tokens);
                }
                queue_rendered(conn, rendered, now).await?;
                insert_tokens_many(conn, tokens, now).await?;
                Ok(queued)
            })
        })
        .await
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
        placeholders(1, crate::store::padded_len(mentorships.len()))
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for m in crate::store::padded(mentorships) {
        query = query.bind(m.to_string());
    }
    let mut out: HashMap<MentorshipId, Vec<MemberView>> = HashMap::new();
    for r in &query.fetch_all(pool).await? {
        out.entry(get_parsed(r, "mentorship_id")?).or_default().push(crate::store::mentorships::member_from_row(r)?);
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
