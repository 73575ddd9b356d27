//! Threads, messages and read markers: the hot path of the service.

use super::events::{self, EventRefs};
use super::mentorships::{ACCESS_BY_MENTORSHIP_SQL, ACCESS_BY_THREAD_SQL, Access, access_from_row};
use super::{get_opt_parsed, get_parsed, get_time, is_unique_violation, ms};
use crate::db::{Db, WriteError};
use crate::error::ApiError;
use crate::http::guard;
use chrono::{DateTime, Utc};
use mentorpost_auth::permission::Action;
use mentorpost_model::api::{MessageView, ReadMarkerView, ThreadSummary, ThreadView};
use mentorpost_model::{ClientMsgId, EventKind, MentorshipId, MessageBody, MessageId, MessageSource, Subject, ThreadId, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

/// A message to store.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub author: UserId,
    pub body: MessageBody,
    pub client_msg_id: Option<ClientMsgId>,
    pub source: MessageSource,
}

/// The stored message, and whether this call created it (false: an idempotent repeat).
#[derive(Clone, Debug)]
pub struct Posted {
    pub message: MessageView,
    pub created: bool,
}

const MESSAGE_SELECT: &str = "SELECT m.id, m.thread_id, m.mentorship_id, m.author_id, u.display_name AS author_name, m.body, m.source,
        m.client_msg_id, m.created_at, m.seq FROM messages m JOIN users u ON u.id = m.author_id";

fn message_from_row(row: &AnyRow) -> Result<MessageView, sqlx::Error> {
    let source: String = row.try_get("source")?;
    Ok(MessageView {
        id: get_parsed(row, "id")?,
        thread_id: get_parsed(row, "thread_id")?,
        mentorship_id: get_parsed(row, "mentorship_id")?,
        author_id: get_parsed(row, "author_id")?,
        author_name: row.try_get("author_name")?,
        body: row.try_get("body")?,
        source: MessageSource::parse(&source).unwrap_or(MessageSource::Web),
        client_msg_id: row.try_get("client_msg_id")?,
        created_at: get_time(row, "created_at")?,
        seq: row.try_get("seq")?,
    })
}

fn thread_from_row(row: &AnyRow) -> Result<ThreadView, sqlx::Error> {
    Ok(ThreadView {
        id: get_parsed(row, "id")?,
        mentorship_id: get_parsed(row, "mentorship_id")?,
        subject: row.try_get("subject")?,
        created_by: get_parsed(row, "created_by")?,
        created_at: get_time(row, "created_at")?,
        last_message_at: get_time(row, "last_message_at")?,
        message_count: row.try_get("message_count")?,
    })
}

/// Looks up an earlier message with the same idempotency key. Same thread and body:
/// that message is the answer. Anything else: 409.
async fn find_repeat(conn: &mut AnyConnection, thread: Option<ThreadId>, new: &NewMessage) -> Result<Option<MessageView>, WriteError> {
    let Some(key) = &new.client_msg_id else {
        return Ok(None);
    };
    let sql = format!("{MESSAGE_SELECT} WHERE m.author_id = $1 AND m.client_msg_id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(new.author.to_string()).bind(key.as_str()).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(None) };
    let existing = message_from_row(&row)?;
    if existing.body != new.body.as_str() || thread.is_some_and(|t| t != existing.thread_id) {
        return Err(ApiError::conflict("client_msg_id_reused", "this client_msg_id was already used for a different message").into());
    }
    Ok(Some(existing))
}

async fn insert_message(
    conn: &mut AnyConnection,
    mentorship: MentorshipId,
    thread: ThreadId,
    new: &NewMessage,
    name: String,
    now: DateTime<Utc>,
) -> Result<MessageView, WriteError> {
    let id = MessageId::new();
    let seq = events::append(
        conn,
        mentorship,
        EventKind::MessageCreated,
        EventRefs { actor: Some(new.author), thread: Some(thread), message: Some(id), user: None },
        now,
    )
    .await?;
    sqlx::query(
        "INSERT INTO messages (id, thread_id, mentorship_id, author_id, body, source, client_msg_id, created_at, seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(thread.to_string())
    .bind(mentorship.to_string())
    .bind(new.author.to_string())
    .bind(new.body.as_str())
    .bind(new.source.as_str())
    .bind(new.client_msg_id.as_ref().map(|c| c.as_str().to_owned()))
    .bind(ms(now))
    .bind(seq)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE threads SET last_message_at = $1, last_seq = $2, message_count = message_count + 1 WHERE id = $3")
        .bind(ms(now))
        .bind(seq)
        .bind(thread.to_string())
        .execute(&mut *conn)
        .await?;
    let posted = super::mail::PostedRef { mentorship_id: mentorship, thread_id: thread, message_id: id, author_id: new.author };
    super::mail::enqueue_for_messages(conn, &[posted], now).await?;
    Ok(MessageView {
        id,
        thread_id: thread,
        mentorship_id: mentorship,
        author_id: new.author,
        author_name: name,
        body: new.body.as_str().to_owned(),
        source: new.source,
        client_msg_id: new.client_msg_id.as_ref().map(|c| c.as_str().to_owned()),
        created_at: now,
        seq,
    })
}

/// Posts into an existing thread. The permission check runs inside the transaction,
/// so a member removed a moment ago cannot slip a message in.
pub async fn post(db: &Db, thread: ThreadId, new: NewMessage, now: DateTime<Utc>) -> Result<Posted, ApiError> {
    let retry = new.clone();
    let result = db
        .write(Box::new(move |conn| {
            Box::pin(async move {
                let row = sqlx::query(sqlx::AssertSqlSafe(ACCESS_BY_THREAD_SQL.as_str()))
                    .bind(thread.to_string())
                    .bind(new.author.to_string())
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or(ApiError::NotFound)?;
                let access = access_from_row(&row, new.author)?;
                guard(&access, Action::WriteContent)?;
                // No look-up of the idempotency key first: the unique index refuses a
                // repeat, this write rolls back, and the caller answers with the stored
                // message. The common case (a new message) saves a query.
                let message = insert_message(conn, access.mentorship_id, thread, &new, access.actor_name.clone(), now).await?;
                Ok::<_, WriteError>(Posted { message, created: true })
            })
        }))
        .await;
    match result {
        // Two identical retries raced past the lookup; the unique index let one win.
        Err(WriteError::Database(err)) if is_unique_violation(&err) => repeat_after_race(db.pool(), Some(thread), &retry).await,
        other => Ok(other?),
    }
}

async fn repeat_after_race(pool: &AnyPool, thread: Option<ThreadId>, new: &NewMessage) -> Result<Posted, ApiError> {
    let mut conn = pool.acquire().await?;
    match find_repeat(&mut conn, thread, new).await {
        Ok(Some(message)) => Ok(Posted { message, created: false }),
        Ok(None) => Err(ApiError::conflict("client_msg_id_reused", "this client_msg_id was already used")),
        Err(err) => Err(err.into()),
    }
}

/// Starts a thread with its first message: `thread.created` then `message.created`.
pub async fn create(
    db: &Db,
    mentorship: MentorshipId,
    subject: Subject,
    first: NewMessage,
    now: DateTime<Utc>,
) -> Result<(ThreadView, Posted), ApiError> {
    let retry = first.clone();
    let result = db
        .write(Box::new(move |conn| {
            Box::pin(async move {
                let row = sqlx::query(sqlx::AssertSqlSafe(ACCESS_BY_MENTORSHIP_SQL.as_str()))
                    .bind(mentorship.to_string())
                    .bind(first.author.to_string())
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or(ApiError::NotFound)?;
                let access = access_from_row(&row, first.author)?;
                guard(&access, Action::WriteContent)?;
                if let Some(existing) = find_repeat(conn, None, &first).await? {
                    let thread = get_in(conn, existing.thread_id).await?;
                    return Ok((thread, Posted { message: existing, created: false }));
                }
                let id = ThreadId::new();
                let seq = events::append(
                    conn,
                    mentorship,
                    EventKind::ThreadCreated,
                    EventRefs { actor: Some(first.author), thread: Some(id), ..Default::default() },
                    now,
                )
                .await?;
                sqlx::query(
                    "INSERT INTO threads (id, mentorship_id, subject, created_by, created_at, last_message_at, last_seq, message_count)
                     VALUES ($1, $2, $3, $4, $5, $5, $6, 0)",
                )
                .bind(id.to_string())
                .bind(mentorship.to_string())
                .bind(subject.as_str())
                .bind(first.author.to_string())
                .bind(ms(now))
                .bind(seq)
                .execute(&mut *conn)
                .await?;
                let message = insert_message(conn, mentorship, id, &first, access.actor_name.clone(), now).await?;
                let thread = get_in(conn, id).await?;
                Ok::<_, WriteError>((thread, Posted { message, created: true }))
            })
        }))
        .await;
    match result {
        Err(WriteError::Database(err)) if is_unique_violation(&err) => {
            let posted = repeat_after_race(db.pool(), None, &retry).await?;
            let thread = get(db.pool(), posted.message.thread_id).await?.ok_or(ApiError::NotFound)?;
            Ok((thread, posted))
        }
        other => Ok(other?),
    }
}

async fn get_in(conn: &mut AnyConnection, id: ThreadId) -> Result<ThreadView, WriteError> {
    let row = sqlx::query("SELECT * FROM threads WHERE id = $1").bind(id.to_string()).fetch_one(&mut *conn).await?;
    Ok(thread_from_row(&row)?)
}

pub async fn get(pool: &AnyPool, id: ThreadId) -> Result<Option<ThreadView>, ApiError> {
    let row = sqlx::query("SELECT * FROM threads WHERE id = $1").bind(id.to_string()).fetch_optional(pool).await?;
    Ok(row.map(|r| thread_from_row(&r)).transpose()?)
}

/// Threads visible to `user`, newest activity first, with unread counts: all threads
/// of one mentorship, or of every mentorship they belong or belonged to.
pub async fn summaries(pool: &AnyPool, user: UserId, mentorship: Option<MentorshipId>, limit: i64) -> Result<Vec<ThreadSummary>, ApiError> {
    let rows = sqlx::query(
        "SELECT t.*, rm.message_id AS read_message_id,
                (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND m.seq > COALESCE(rm.seq, 0) AND m.author_id <> $1
                   AND (mm.left_at IS NULL OR m.created_at <= mm.left_at)) AS unread
         FROM threads t
         JOIN mentorship_members mm ON mm.mentorship_id = t.mentorship_id AND mm.user_id = $1
         LEFT JOIN read_markers rm ON rm.thread_id = t.id AND rm.user_id = $1
         WHERE (mm.left_at IS NULL OR t.created_at <= mm.left_at) AND ($2 = '' OR t.mentorship_id = $2)
         ORDER BY t.last_message_at DESC, t.id DESC
         LIMIT $3",
    )
    .bind(user.to_string())
    .bind(mentorship.map(|m| m.to_string()).unwrap_or_default())
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(ThreadSummary {
            thread: thread_from_row(row)?,
            unread_count: row.try_get("unread")?,
            last_read_message_id: get_opt_parsed(row, "read_message_id")?,
        });
    }
    Ok(out)
}

/// Which slice of a thread's messages to read.
#[derive(Clone, Copy, Debug)]
pub enum Page {
    /// The newest messages before this seq (or the newest of all).
    Before(Option<i64>),
    /// The oldest messages after this seq.
    After(i64),
}

pub async fn messages(
    pool: &AnyPool,
    thread: ThreadId,
    page: Page,
    limit: i64,
    visible_until: Option<DateTime<Utc>>,
) -> Result<Vec<MessageView>, ApiError> {
    let until = visible_until.map(ms).unwrap_or(i64::MAX);
    let mut rows = match page {
        Page::Before(before) => {
            let sql = format!("{MESSAGE_SELECT} WHERE m.thread_id = $1 AND m.seq < $2 AND m.created_at <= $3 ORDER BY m.seq DESC LIMIT $4");
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(thread.to_string())
                .bind(before.unwrap_or(i64::MAX))
                .bind(until)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            rows.reverse();
            rows
        }
        Page::After(after) => {
            let sql = format!("{MESSAGE_SELECT} WHERE m.thread_id = $1 AND m.seq > $2 AND m.created_at <= $3 ORDER BY m.seq ASC LIMIT $4");
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(thread.to_string()).bind(after).bind(until).bind(limit).fetch_all(pool).await?
        }
    };
    Ok(rows.drain(..).map(|r| message_from_row(&r)).collect::<Result<_, _>>()?)
}

/// Moves `user`'s read marker in `thread` forward to `message` (never back). Emits
/// `read.updated` only when it moved.
pub async fn mark_read(
    db: &Db,
    thread: ThreadId,
    user: UserId,
    message: MessageId,
    now: DateTime<Utc>,
) -> Result<(ReadMarkerView, Option<MentorshipId>), ApiError> {
    Ok(db
        .write(Box::new(move |conn| {
            Box::pin(async move {
                let row = sqlx::query(sqlx::AssertSqlSafe(ACCESS_BY_THREAD_SQL.as_str()))
                    .bind(thread.to_string())
                    .bind(user.to_string())
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or(ApiError::NotFound)?;
                let access: Access = access_from_row(&row, user)?;
                guard(&access, Action::MarkRead)?;
                let target = sqlx::query("SELECT seq FROM messages WHERE id = $1 AND thread_id = $2")
                    .bind(message.to_string())
                    .bind(thread.to_string())
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or_else(|| ApiError::unprocessable("unknown_message", "that message is not in this thread"))?;
                let seq: i64 = target.try_get(0)?;
                let current = sqlx::query("SELECT message_id, seq, updated_at FROM read_markers WHERE user_id = $1 AND thread_id = $2")
                    .bind(user.to_string())
                    .bind(thread.to_string())
                    .fetch_optional(&mut *conn)
                    .await?;
                if let Some(cur) = &current
                    && cur.try_get::<i64, _>("seq")? >= seq
                {
                    let view = ReadMarkerView { thread_id: thread, user_id: user, message_id: get_parsed(cur, "message_id")?, updated_at: get_time(cur, "updated_at")? };
                    return Ok((view, None));
                }
                sqlx::query(
                    "INSERT INTO read_markers (user_id, thread_id, message_id, seq, updated_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (user_id, thread_id) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, updated_at = excluded.updated_at",
                )
                .bind(user.to_string())
                .bind(thread.to_string())
                .bind(message.to_string())
                .bind(seq)
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
                events::append(conn, access.mentorship_id, EventKind::ReadUpdated, EventRefs { actor: Some(user), thread: Some(thread), message: Some(message), user: Some(user) }, now).await?;
                Ok::<_, WriteError>((ReadMarkerView { thread_id: thread, user_id: user, message_id: message, updated_at: now }, Some(access.mentorship_id)))
            })
        }))
        .await?)
}
