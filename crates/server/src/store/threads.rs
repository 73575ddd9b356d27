//! Threads, messages and read markers: the hot path of the service.

use super::attachments::{self, NewAttachment};
use super::events::{self, EventRefs};
use super::mentorships::{ACCESS_BY_MENTORSHIP_SQL, ACCESS_BY_THREAD_SQL, Access, access_from_columns, access_from_row};
use super::{Columns, get_opt_parsed, get_parsed, get_time, is_unique_violation, ms};
use crate::db::direct::{Param, bind_sqlx};
use crate::db::{Db, Lane, Note, StoreError};
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use mentorpost_auth::permission::Action;
use mentorpost_model::api::{MessageView, ReadMarkerView, ThreadSummary, ThreadView};
use mentorpost_model::{ClientMsgId, EventKind, MentorshipId, MessageBody, MessageId, MessageSource, Role, Subject, ThreadId, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::HashMap;

/// A message to store, with the files that come with it (stored in the same write).
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub author: UserId,
    pub body: MessageBody,
    pub client_msg_id: Option<ClientMsgId>,
    pub source: MessageSource,
    pub attachments: Vec<NewAttachment>,
}

impl NewMessage {
    /// What a repeat is recognised by, without the files' data (a retry after a race
    /// looks up the stored message; it never writes the files again).
    fn key(&self) -> NewMessage {
        NewMessage {
            author: self.author,
            body: self.body.clone(),
            client_msg_id: self.client_msg_id.clone(),
            source: self.source,
            attachments: Vec::new(),
        }
    }
}

/// Where a message goes.
#[derive(Clone, Debug)]
pub enum Destination {
    Thread(ThreadId),
    NewThread { mentorship: MentorshipId, subject: Subject },
}

/// The stored message, and whether this call created it (false: an idempotent repeat).
#[derive(Clone, Debug)]
pub struct Posted {
    pub message: MessageView,
    pub created: bool,
    /// The thread's subject, when this call created the message (live delivery sends
    /// it with the event, without reading it back).
    pub thread_subject: Option<String>,
    /// The outbox rows (mails) the post queued, for the outbox worker to claim by id.
    pub mail: Vec<String>,
}

pub(super) const MESSAGE_SELECT: &str =
    "SELECT m.id, m.thread_id, m.mentorship_id, m.author_id, u.display_name AS author_name, m.body, m.source,
        m.client_msg_id, m.created_at, m.seq, m.edited_at, m.deleted_at, m.deleted_reason, q.quoted FROM messages m JOIN users u ON u.id = m.author_id
        LEFT JOIN message_quoted q ON q.message_id = m.id";

pub(super) fn message_from_row(row: &AnyRow) -> Result<MessageView, sqlx::Error> {
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
        quoted: row.try_get("quoted")?,
        attachments: Vec::new(),
        edited_at: super::get_opt_time(row, "edited_at")?,
        deleted_at: super::get_opt_time(row, "deleted_at")?,
        deleted_reason: row.try_get("deleted_reason")?,
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
pub(super) async fn find_repeat(
    conn: &mut AnyConnection,
    thread: Option<ThreadId>,
    new: &NewMessage,
) -> Result<Option<MessageView>, StoreError> {
    let Some(key) = &new.client_msg_id else {
        return Ok(None);
    };
    let sql = format!("{MESSAGE_SELECT} WHERE m.author_id = $1 AND m.client_msg_id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(new.author.to_string()).bind(key.as_str()).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(None) };
    let existing = message_from_row(&row)?;
    // After the author changed the message, a retry gets it as it now stands.
    let changed = existing.edited_at.is_some() || existing.deleted_at.is_some();
    if (existing.body != new.body.as_str() && !changed) || thread.is_some_and(|t| t != existing.thread_id) {
        return Err(StoreError::conflict("client_msg_id_reused", "this client_msg_id was already used for a different message"));
    }
    Ok(Some(existing))
}

/// Writes a message and its event, and queues the mail it causes. `thread_started` is
/// the thread's `created_at` (who joined after it gets no mail about the thread).
pub(super) async fn insert_message(
    conn: &mut AnyConnection,
    mentorship: MentorshipId,
    thread: ThreadId,
    thread_started: DateTime<Utc>,
    new: &NewMessage,
    name: String,
    now: DateTime<Utc>,
) -> Result<MessageView, StoreError> {
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
    let posted =
        super::mail::PostedRef { mentorship_id: mentorship, thread_id: thread, message_id: id, author_id: new.author, thread_started };
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
        created_at: super::from_ms(ms(now)),
        seq,
        quoted: None,
        attachments: Vec::new(),
        edited_at: None,
        deleted_at: None,
        deleted_reason: None,
    })
}

/// One message to post into an existing thread, as the post lane takes it.
pub struct PostItem {
    pub thread: ThreadId,
    pub new: NewMessage,
    pub now: DateTime<Utc>,
}

/// Posting is the hot path: concurrent posts are merged into one batch of set-based
/// statements (see `db::lane`).
static POST_LANE: Lane<PostItem, Posted> =
    Lane { name: "post", run: post_batch, direct: Some(post_batch_direct), one_write_statement: true };

/// Posts into an existing thread. The permission check runs with the write: on SQLite
/// inside the writing transaction, so a member removed a moment ago cannot slip a
/// message in; on PostgreSQL inside the one statement that writes (see
/// [`folded_sql`]).
pub async fn post(db: &Db, thread: ThreadId, new: NewMessage, now: DateTime<Utc>) -> Result<Posted, StoreError> {
    if !new.attachments.is_empty() {
        // Files are rows of their own; the lane's set-based statements write messages
        // only, so a message with files is written in a transaction of its own.
        return post_with_files(db, thread, new, now).await;
    }
    let retry = new.clone();
    match db.write_batched(&POST_LANE, PostItem { thread, new, now }).await {
        // A message with this key was committed after the batch looked: the unique
        // index refused the repeat, and the stored message is the answer.
        Err(StoreError::Database(err)) if is_unique_violation(&err) => repeat_after_race(db.pool(), Some(thread), &retry).await,
        Ok(posted) => {
            // The lane wrote many items with a few statements; each item's own
            // outcome is published here, by its caller, once committed.
            // Most readers are on the web: a post usually queues no mail, and then the
            // outbox worker is not woken at all.
            let mut notes = Vec::new();
            if !posted.mail.is_empty() {
                notes.push(Note::Mail(posted.mail.clone()));
            }
            if let (true, Some(subject)) = (posted.created, &posted.thread_subject) {
                notes.push(Note::Message(events::message_created(&posted.message, subject)));
            }
            db.publish(&notes);
            Ok(posted)
        }
        Err(err) => Err(err),
    }
}

/// Where an item of a batch stands while the batch is worked out.
enum Plan {
    Refused(StoreError),
    /// An earlier message with the same key: the answer, written nothing.
    Repeat(MessageView),
    /// The same key as item `usize` of this batch.
    SameAs(usize),
    Insert {
        mentorship: MentorshipId,
        name: String,
        subject: String,
        /// The thread's `created_at`, for the mail's membership window.
        thread_started: DateTime<Utc>,
    },
}

/// `$1, $2, …` placeholders for `rows` rows of `width` parameters, starting after `from`.
fn value_rows(rows: usize, width: usize, from: usize) -> String {
    let mut sql = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(from + r * width + c + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

/// Posts `items` on PostgreSQL with one statement whatever their number (on SQLite,
/// [`post_batch_direct`]): it reads the access, writes what it permits and returns
/// the access rows, so a post costs one round trip. The statement decides what it
/// writes by the permission rule in SQL ([`WRITES_CONTENT`]); Rust then plans the
/// answers from the returned access rows by the rules themselves ([`plan`]), and a
/// message written against them is logged as an error. Each item's own refusal (not
/// a member, a reused key) is its own result; a database error fails the batch, which
/// the lane then runs item by item.
fn post_batch<'c>(
    conn: &'c mut AnyConnection,
    items: &'c [PostItem],
) -> BoxFuture<'c, Result<Vec<Result<Posted, StoreError>>, StoreError>> {
    Box::pin(async move {
        let ids = fresh_ids(items.len());
        let (sql, params) = folded_sql(items, &ids);
        let rows = bind_sqlx(sqlx::query(sqlx::AssertSqlSafe(sql)), &params).fetch_all(&mut *conn).await?;
        // The statement has committed (the lane runs it alone): from here on, what
        // went wrong is told per message and never as an error of the whole batch,
        // which would run its messages again.
        let mut access = Vec::with_capacity(rows.len());
        let mut returned: Vec<Result<Returned, StoreError>> = Vec::new();
        for row in &rows {
            match folded_row(row, items) {
                Ok(Some((found, seq, mails))) => {
                    if let Some(seq) = seq {
                        returned.push(Ok(Returned::Message(ids[found.i], seq)));
                    }
                    returned.extend(mails.split_whitespace().map(|mail| Ok(Returned::Mail(mail.to_owned()))));
                    access.push(found);
                }
                Ok(None) => {}
                Err(err) => tracing::error!(error = %err, "unreadable row returned by the post statement"),
            }
        }
        let plans = plan(items, access);
        let Some(mut batch) = Insertion::from_plans(items, &plans, &ids) else {
            if returned.iter().any(|r| matches!(r, Ok(Returned::Message(..)))) {
                tracing::error!("the post statement wrote a message the permission rules refuse");
            }
            return Ok(finish(items, plans, None));
        };
        let written = batch.apply(returned);
        Ok(finish(items, plans, Some((batch, written))))
    })
}

/// A row of [`folded_sql`]: the access row, the message's sequence number when it was
/// written, and the ids of the mails it queued (space-separated).
fn folded_row(row: &AnyRow, items: &[PostItem]) -> Result<Option<(AccessRow, Option<i64>, String)>, StoreError> {
    let Some(found) = access_row(row, items)? else { return Ok(None) };
    Ok(Some((found, row.opt_int("seq")?, row.opt_text("mail_ids")?.unwrap_or_default())))
}

/// New message ids, one per item (an item that is not written leaves its id unused).
fn fresh_ids(n: usize) -> Vec<MessageId> {
    (0..n).map(|_| MessageId::new()).collect()
}

/// Posts `items` on SQLite, on the writer's direct connection and thread, with a fixed
/// number of statements whatever their number: the access read (access, and earlier
/// messages with the same keys), then the writes of [`insert_sql`].
fn post_batch_direct(conn: &rusqlite::Connection, items: &[PostItem]) -> Result<Vec<Result<Posted, StoreError>>, StoreError> {
    use crate::db::direct::{db_error, prepare};
    let (sql, params) = access_query(items);
    let mut rows = Vec::new();
    {
        let mut stmt = prepare(conn, &sql, &params)?;
        let mut cursor = stmt.raw_query();
        while let Some(row) = cursor.next().map_err(db_error)? {
            rows.extend(access_row(row, items)?);
        }
    }
    let plans = plan(items, rows);
    let Some(mut batch) = Insertion::from_plans(items, &plans, &fresh_ids(items.len())) else {
        return Ok(finish(items, plans, None));
    };
    let (statements, params) = insert_sql(&batch);
    let mut returned = Vec::new();
    for sql in &statements {
        let mut stmt = prepare(conn, sql, &params)?;
        let numbered = stmt.column_index("seq").is_ok();
        let mut cursor = stmt.raw_query();
        while let Some(row) = cursor.next().map_err(db_error)? {
            returned.push(returned_row(row, numbered));
        }
    }
    let written = batch.apply(returned);
    Ok(finish(items, plans, Some((batch, written))))
}

/// A row an SQLite insert statement returned: a message's id and sequence number
/// (`numbered`: the last statement), or else a mail's id (the outbox's).
fn returned_row(row: &rusqlite::Row, numbered: bool) -> Result<Returned, StoreError> {
    Ok(if numbered { Returned::Message(row.parsed("message_id")?, row.int("seq")?) } else { Returned::Mail(row.text("mail_id")?) })
}

/// The access read of a batch: per item, the author's access to the thread's
/// mentorship, their name, and an earlier message with the same idempotency key (the
/// answer to a retry).
fn access_query(items: &[PostItem]) -> (String, Vec<Param>) {
    let sql = format!("WITH req(i, thread_id, user_id, client_msg_id) AS (VALUES {}) {ACCESS_SELECT}", value_rows(items.len(), 4, 0));
    let mut params = Vec::with_capacity(items.len() * 4);
    for (i, item) in items.iter().enumerate() {
        params.push(Param::Int(i as i64));
        params.push(Param::from(item.thread.to_string()));
        params.push(Param::from(item.new.author.to_string()));
        params.push(Param::from(item.new.client_msg_id.as_ref().map(|k| k.as_str().to_owned())));
    }
    (sql, params)
}

/// The access rows of the items in `req` (`i`, `thread_id`, `user_id`, `client_msg_id`):
/// the author's access to the thread's mentorship (the columns of
/// [`access_from_columns`]), the thread's start and subject, and the earlier message
/// with the same key (`ex_…`). An item whose thread or author does not exist has no row.
const ACCESS_SELECT: &str = "SELECT req.i, m.id AS mentorship_id, m.programme_id, m.status, mm.role, mm.joined_at, mm.left_at, t.created_at AS thread_created_at,
                (SELECT COUNT(*) FROM programme_coordinators pc WHERE pc.programme_id = m.programme_id AND pc.user_id = req.user_id) AS coord,
                u.is_admin, u.display_name AS actor_name, t.subject,
                ex.id AS ex_id, ex.thread_id AS ex_thread_id, ex.mentorship_id AS ex_mentorship_id, ex.body AS ex_body,
                ex.source AS ex_source, ex.created_at AS ex_created_at, ex.seq AS ex_seq, ex.edited_at AS ex_edited_at,
                ex.deleted_at AS ex_deleted_at, ex.deleted_reason AS ex_deleted_reason
         FROM req
         JOIN threads t ON t.id = req.thread_id
         JOIN mentorships m ON m.id = t.mentorship_id
         JOIN users u ON u.id = req.user_id
         LEFT JOIN mentorship_members mm ON mm.mentorship_id = m.id AND mm.user_id = req.user_id
         LEFT JOIN messages ex ON ex.author_id = req.user_id AND ex.client_msg_id = req.client_msg_id";

/// The permission to write into a thread, over an access row of [`ACCESS_SELECT`] as
/// `a`: what `Access::permit(Action::WriteContent)` and `Access::sees_thread` decide
/// (an active member of a mentorship not closed, in a thread started since they
/// joined), and no earlier message with the key. `tests/tests/messaging.rs` (`refused_posts_write_nothing`) holds
/// the two together.
const WRITES_CONTENT: &str = "a.role IS NOT NULL AND a.left_at IS NULL AND a.status <> 'closed'
    AND (a.joined_at IS NULL OR a.thread_created_at >= a.joined_at) AND a.ex_id IS NULL";

/// One row of the access read, decoded.
struct AccessRow {
    i: usize,
    access: Access,
    thread_started: DateTime<Utc>,
    subject: String,
    existing: Option<Existing>,
}

/// An earlier message with the item's idempotency key.
struct Existing {
    id: MessageId,
    thread: ThreadId,
    mentorship: MentorshipId,
    body: String,
    source: String,
    created_at: DateTime<Utc>,
    seq: i64,
    edited_at: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
    deleted_reason: Option<String>,
}

/// Decodes a row of [`access_query`]; `None` for a row naming no item of the batch.
fn access_row(row: &impl Columns, items: &[PostItem]) -> Result<Option<AccessRow>, StoreError> {
    let Some(i) = usize::try_from(row.int("i")?).ok().filter(|&i| i < items.len()) else { return Ok(None) };
    let existing = match row.opt_parsed::<MessageId>("ex_id")? {
        None => None,
        Some(id) => Some(Existing {
            id,
            thread: row.parsed("ex_thread_id")?,
            mentorship: row.parsed("ex_mentorship_id")?,
            body: row.text("ex_body")?,
            source: row.text("ex_source")?,
            created_at: row.time("ex_created_at")?,
            seq: row.int("ex_seq")?,
            edited_at: row.opt_time("ex_edited_at")?,
            deleted_at: row.opt_time("ex_deleted_at")?,
            deleted_reason: row.opt_text("ex_deleted_reason")?,
        }),
    };
    Ok(Some(AccessRow {
        i,
        access: access_from_columns(row, items[i].new.author)?,
        thread_started: row.time("thread_created_at")?,
        subject: row.text("subject")?,
        existing,
    }))
}

/// What each item becomes, from the access rows: refused, a repeat, or a new message.
fn plan(items: &[PostItem], rows: Vec<AccessRow>) -> Vec<Plan> {
    // No row: the thread does not exist (or the author vanished).
    let mut plans: Vec<Plan> = items.iter().map(|_| Plan::Refused(StoreError::not_found())).collect();
    for row in rows {
        let item = &items[row.i];
        let access = row.access;
        plans[row.i] = match access.permit(Action::WriteContent) {
            Err(refusal) => Plan::Refused(refusal.into()),
            // A thread started before the author joined is not theirs to see.
            Ok(()) if !access.sees_thread(row.thread_started) => Plan::Refused(StoreError::not_found()),
            Ok(()) => match row.existing {
                None => Plan::Insert {
                    mentorship: access.mentorship_id,
                    name: access.actor_name,
                    subject: row.subject,
                    thread_started: row.thread_started,
                },
                Some(ex) => {
                    // A retry of a message its author has since changed gets the
                    // message as it now stands: the key names it, whatever its text.
                    let changed = ex.edited_at.is_some() || ex.deleted_at.is_some();
                    if (ex.body == item.new.body.as_str() || changed) && ex.thread == item.thread {
                        Plan::Repeat(MessageView {
                            id: ex.id,
                            thread_id: ex.thread,
                            mentorship_id: ex.mentorship,
                            author_id: item.new.author,
                            author_name: access.actor_name,
                            body: ex.body,
                            source: MessageSource::parse(&ex.source).unwrap_or(MessageSource::Web),
                            client_msg_id: item.new.client_msg_id.as_ref().map(|k| k.as_str().to_owned()),
                            created_at: ex.created_at,
                            seq: ex.seq,
                            quoted: None,
                            attachments: Vec::new(),
                            edited_at: ex.edited_at,
                            deleted_at: ex.deleted_at,
                            deleted_reason: ex.deleted_reason,
                        })
                    } else {
                        Plan::Refused(reused_key())
                    }
                }
            },
        };
    }
    // The same key twice in this batch: the later one repeats the earlier.
    for i in 0..items.len() {
        if !matches!(plans[i], Plan::Insert { .. }) {
            continue;
        }
        let Some(key) = &items[i].new.client_msg_id else { continue };
        let earlier = (0..i).find(|&j| {
            matches!(plans[j], Plan::Insert { .. })
                && items[j].new.author == items[i].new.author
                && items[j].new.client_msg_id.as_ref() == Some(key)
        });
        if let Some(j) = earlier {
            plans[i] = Plan::SameAs(j);
        }
    }
    plans
}

/// A row the batch insert returned.
enum Returned {
    /// A mail queued: its outbox id.
    Mail(String),
    /// A message written, with its sequence number.
    Message(MessageId, i64),
}

/// What a batch insert wrote: per message of the [`Insertion`], whether it was written
/// (not when its mentorship vanished meanwhile), and the ids of the mails queued.
struct Written {
    messages: Vec<bool>,
    mails: Vec<String>,
}

/// The new messages of a batch, in batch order, with what their insert needs.
struct Insertion {
    inserted: Vec<MessageView>,
    /// Each message's place among this batch's messages of its mentorship (its
    /// sequence number is that far past the mentorship's first new one).
    places: Vec<i64>,
    subjects: Vec<String>,
    /// The threads' `created_at`, for the mails' membership window.
    started: Vec<DateTime<Utc>>,
    /// Per mentorship written to, how many messages it gains.
    counts: Vec<(MentorshipId, i64)>,
    now: DateTime<Utc>,
}

impl Insertion {
    /// `None` when no item is to be inserted.
    fn from_plans(items: &[PostItem], plans: &[Plan], ids: &[MessageId]) -> Option<Insertion> {
        let mut batch = Insertion {
            inserted: Vec::new(),
            places: Vec::new(),
            subjects: Vec::new(),
            started: Vec::new(),
            counts: Vec::new(),
            now: items.iter().map(|i| i.now).max().unwrap_or_default(),
        };
        for (i, plan) in plans.iter().enumerate() {
            let Plan::Insert { mentorship, name, subject, thread_started } = plan else { continue };
            let place = match batch.counts.iter_mut().find(|(m, _)| m == mentorship) {
                Some((_, n)) => {
                    *n += 1;
                    *n - 1
                }
                None => {
                    batch.counts.push((*mentorship, 1));
                    0
                }
            };
            batch.places.push(place);
            batch.subjects.push(subject.clone());
            batch.started.push(*thread_started);
            let item = &items[i];
            batch.inserted.push(MessageView {
                id: ids[i],
                thread_id: item.thread,
                mentorship_id: *mentorship,
                author_id: item.new.author,
                author_name: name.clone(),
                body: item.new.body.as_str().to_owned(),
                source: item.new.source,
                client_msg_id: item.new.client_msg_id.as_ref().map(|c| c.as_str().to_owned()),
                // As stored (milliseconds), so the answer equals what a read returns.
                created_at: super::from_ms(ms(item.now)),
                seq: 0,
                quoted: None,
                attachments: Vec::new(),
                edited_at: None,
                deleted_at: None,
                deleted_reason: None,
            });
        }
        (!batch.inserted.is_empty()).then_some(batch)
    }

    /// Takes in the rows the insert returned: the messages' sequence numbers, and
    /// what was written.
    fn apply(&mut self, returned: Vec<Result<Returned, StoreError>>) -> Written {
        let mut seqs: HashMap<MessageId, i64> = HashMap::with_capacity(returned.len());
        let mut mails = Vec::new();
        for row in returned {
            match row {
                Ok(Returned::Mail(mail)) => mails.push(mail),
                Ok(Returned::Message(id, seq)) => {
                    seqs.insert(id, seq);
                }
                Err(err) => tracing::error!(error = %err, "unreadable row returned by the post batch"),
            }
        }
        let messages: Vec<bool> = self
            .inserted
            .iter_mut()
            .map(|m| match seqs.get(&m.id) {
                Some(seq) => {
                    m.seq = *seq;
                    true
                }
                None => false,
            })
            .collect();
        if messages.iter().filter(|w| **w).count() < seqs.len() {
            tracing::error!("the post statement wrote a message the permission rules refuse");
        }
        Written { messages, mails }
    }
}

/// Each item's result: the messages written, refusals, repeats of stored or
/// batch-mates' messages.
fn finish(items: &[PostItem], plans: Vec<Plan>, written: Option<(Insertion, Written)>) -> Vec<Result<Posted, StoreError>> {
    let mut new_messages = Vec::new();
    if let Some((batch, written)) = written {
        // Outbox ids are `<message id>.<recipient id>`.
        let mut mail: HashMap<String, Vec<String>> = HashMap::new();
        for id in written.mails {
            if let Some((message, _)) = id.split_once('.') {
                mail.entry(message.to_owned()).or_default().push(id.clone());
            }
        }
        for ((message, subject), written) in batch.inserted.into_iter().zip(batch.subjects).zip(written.messages) {
            new_messages.push(if written {
                let mail = mail.remove(message.id.to_string().as_str()).unwrap_or_default();
                Ok(Posted { message, created: true, thread_subject: Some(subject), mail })
            } else {
                Err(StoreError::not_found())
            });
        }
    }
    let mut new_messages = new_messages.into_iter();
    let mut out: Vec<Result<Posted, StoreError>> = Vec::with_capacity(items.len());
    for (i, plan) in plans.into_iter().enumerate() {
        let result = match plan {
            Plan::Insert { .. } => {
                new_messages.next().unwrap_or_else(|| Err(sqlx::Error::Protocol("posted message missing".into()).into()))
            }
            Plan::Refused(err) => Err(err),
            Plan::Repeat(message) => Ok(Posted { message, created: false, thread_subject: None, mail: Vec::new() }),
            Plan::SameAs(j) => match out.get(j) {
                Some(Ok(first)) if first.message.body == items[i].new.body.as_str() && first.message.thread_id == items[i].thread => {
                    Ok(Posted { message: first.message.clone(), created: false, thread_subject: None, mail: Vec::new() })
                }
                _ => Err(reused_key()),
            },
        };
        out.push(result);
    }
    out
}

/// `CASE id WHEN … END` over `$1, $2, …` pairs of (mentorship id, messages added), and
/// the id list, for moving the mentorships' sequence counters.
fn seq_bump_sql(counts: usize) -> (String, String) {
    let mut case = String::new();
    let mut ids = String::new();
    for k in 0..counts {
        case.push_str(&format!(" WHEN ${} THEN ${}", 2 * k + 1, 2 * k + 2));
        if k > 0 {
            ids.push_str(", ");
        }
        ids.push_str(&format!("${}", 2 * k + 1));
    }
    (case, ids)
}

/// Parameters per message in [`insert_sql`]: id, thread, mentorship, author, body,
/// source, client_msg_id, created_at; then its place among the batch's messages of its
/// mentorship, how many that mentorship gains, and the thread's start.
const BATCH_ITEM: usize = 11;

/// The relation both backends' batch inserts read from: `numbered`, the messages of
/// `items` (`message_id`, `thread_id`, `mentorship_id`, `author_id`, `body`, `source`,
/// `client_msg_id`, `created_at`, `place`, `added`, `thread_started`), each with its
/// sequence number, from `counters` (the mentorships' `id` and `last_seq` after the
/// counters moved).
fn numbered_sql(counters: &str) -> String {
    format!(
        "numbered AS (
             SELECT i.*, b.last_seq - i.added + i.place + 1 AS seq FROM items i JOIN {counters} b ON b.id = i.mentorship_id)"
    )
}

/// The writes of a batch after the counters moved, in the order both backends run them.
fn batch_writes_sql(kind: &str) -> [String; 3] {
    [
        format!(
            "INSERT INTO events (mentorship_id, seq, kind, at, actor_id, thread_id, message_id)
             SELECT mentorship_id, seq, {kind}, created_at, author_id, thread_id, message_id FROM numbered"
        ),
        "INSERT INTO messages (id, thread_id, mentorship_id, author_id, body, source, client_msg_id, created_at, seq)
         SELECT message_id, thread_id, mentorship_id, author_id, body, source, client_msg_id, created_at, seq FROM numbered"
            .to_owned(),
        "UPDATE threads SET last_message_at = t.at, last_seq = t.seq, message_count = threads.message_count + t.n
         FROM (SELECT thread_id, MAX(created_at) AS at, MAX(seq) AS seq, COUNT(*) AS n FROM numbered GROUP BY thread_id) t
         WHERE threads.id = t.thread_id"
            .to_owned(),
    ]
}

/// The statements that write a batch's messages on SQLite, and their parameters: they
/// move the mentorships' sequence counters, then write the events, the messages, the
/// mails they cause (outbox) and the threads. They return a row per message written
/// (`message_id`, `seq`) and per mail queued (`mail_id`); a message whose mentorship
/// vanished meanwhile is not written.
///
/// SQLite has no data-modifying CTEs, so these are six statements inside the writer's
/// transaction. Their parameters are numbered (`$n`), so each statement reads the
/// same values from one list.
fn insert_sql(batch: &Insertion) -> (Vec<String>, Vec<Param>) {
    let (case, ids) = seq_bump_sql(batch.counts.len());
    let from = 2 * batch.counts.len();
    let kind = from + BATCH_ITEM * batch.inserted.len() + 1;
    let [events, messages, threads] = batch_writes_sql(&format!("${kind}"));
    let mail = super::mail::notification_insert_sql("numbered", &format!("${}", kind + 1));
    let with = format!(
        "WITH items (message_id, thread_id, mentorship_id, author_id, body, source, client_msg_id, created_at, place, added, thread_started)
             AS (VALUES {values}),
         {numbered}",
        values = value_rows(batch.inserted.len(), BATCH_ITEM, from),
        numbered = numbered_sql("mentorships"),
    );
    let statements = vec![
        format!("UPDATE mentorships SET last_seq = last_seq + CASE id{case} END WHERE id IN ({ids})"),
        format!("{with} {events}"),
        format!("{with} {messages}"),
        format!("{with} {mail}"),
        format!("{with} {threads}"),
        format!("{with} SELECT message_id, seq FROM numbered"),
    ];
    let mut params = Vec::with_capacity(from + BATCH_ITEM * batch.inserted.len() + 2);
    for (m, n) in &batch.counts {
        params.push(Param::from(m.to_string()));
        params.push(Param::Int(*n));
    }
    for ((m, place), started) in batch.inserted.iter().zip(&batch.places).zip(&batch.started) {
        let added = batch.counts.iter().find(|(id, _)| *id == m.mentorship_id).map(|(_, n)| *n).unwrap_or(0);
        params.extend([
            Param::from(m.id.to_string()),
            Param::from(m.thread_id.to_string()),
            Param::from(m.mentorship_id.to_string()),
            Param::from(m.author_id.to_string()),
            Param::from(m.body.as_str()),
            Param::from(m.source.as_str()),
            Param::from(m.client_msg_id.clone()),
            Param::Int(ms(m.created_at)),
            Param::Int(*place),
            Param::Int(added),
            Param::Int(ms(*started)),
        ]);
    }
    params.push(Param::from(EventKind::MessageCreated.as_str()));
    params.push(Param::Int(ms(batch.now)));
    (statements, params)
}

/// Parameters per item in [`folded_sql`]: its index, the new message's id, thread,
/// author, body, source, client_msg_id and created_at.
const FOLDED_ITEM: usize = 8;

/// The one statement that posts a batch on PostgreSQL, of data-modifying CTEs, and
/// its parameters. It reads each item's access ([`ACCESS_SELECT`]); takes the items
/// the rule permits ([`WRITES_CONTENT`]), the first of each repeated key only; moves
/// their mentorships' sequence counters; writes the events, the messages, the mails
/// they cause (outbox) and the threads; and returns every access row with the
/// message's `seq` when it was written and its mails' ids (`mail_ids`).
///
/// Why one statement: each statement is a round trip and an executor start, and at a
/// moderate rate a batch holds a message or two, so the statements per message were
/// most of a post's time on PostgreSQL. The access read happens in the statement's
/// own snapshot, just before its writes; the counter update locks the mentorship rows
/// in id order first, so sequence order stays commit order.
fn folded_sql(items: &[PostItem], ids: &[MessageId]) -> (String, Vec<Param>) {
    let kind = FOLDED_ITEM * items.len() + 1;
    let [events, messages, threads] = batch_writes_sql(&format!("${kind}"));
    let mail = super::mail::notification_insert_sql("numbered", &format!("${}", kind + 1));
    let sql = format!(
        "WITH req(i, message_id, thread_id, user_id, body, source, client_msg_id, created_at) AS (VALUES {values}),
         access AS ({ACCESS_SELECT}),
         permitted AS (
             SELECT r.i, r.message_id, r.thread_id, a.mentorship_id, r.user_id AS author_id, r.body, r.source, r.client_msg_id,
                    r.created_at, a.thread_created_at AS thread_started
             FROM access a JOIN req r ON r.i = a.i WHERE {WRITES_CONTENT}),
         items AS (
             SELECT message_id, thread_id, mentorship_id, author_id, body, source, client_msg_id, created_at,
                    (ROW_NUMBER() OVER (PARTITION BY mentorship_id ORDER BY i)) - 1 AS place,
                    COUNT(*) OVER (PARTITION BY mentorship_id) AS added, thread_started
             FROM permitted p
             WHERE NOT EXISTS (SELECT 1 FROM permitted e WHERE e.author_id = p.author_id AND e.client_msg_id = p.client_msg_id AND e.i < p.i)),
         bumped AS (
             UPDATE mentorships SET last_seq = mentorships.last_seq + c.added
             FROM (SELECT id FROM mentorships WHERE id IN (SELECT mentorship_id FROM items) ORDER BY id FOR UPDATE) AS locked,
                  (SELECT mentorship_id, COUNT(*) AS added FROM items GROUP BY mentorship_id) AS c
             WHERE mentorships.id = locked.id AND c.mentorship_id = locked.id
             RETURNING mentorships.id, mentorships.last_seq),
         {numbered},
         new_events AS ({events}),
         new_messages AS ({messages}),
         new_mail AS ({mail}),
         touched AS ({threads})
         SELECT a.*, n.seq, (SELECT string_agg(nm.mail_id, ' ') FROM new_mail nm WHERE nm.message_id = n.message_id) AS mail_ids
         FROM access a JOIN req r ON r.i = a.i LEFT JOIN numbered n ON n.message_id = r.message_id",
        values = value_rows(items.len(), FOLDED_ITEM, 0),
        numbered = numbered_sql("bumped"),
    );
    let mut params = Vec::with_capacity(FOLDED_ITEM * items.len() + 2);
    for (i, (item, id)) in items.iter().zip(ids).enumerate() {
        params.extend([
            Param::Int(i as i64),
            Param::from(id.to_string()),
            Param::from(item.thread.to_string()),
            Param::from(item.new.author.to_string()),
            Param::from(item.new.body.as_str()),
            Param::from(item.new.source.as_str()),
            Param::from(item.new.client_msg_id.as_ref().map(|k| k.as_str().to_owned())),
            Param::Int(ms(item.now)),
        ]);
    }
    params.push(Param::from(EventKind::MessageCreated.as_str()));
    params.push(Param::Int(ms(items.iter().map(|i| i.now).max().unwrap_or_default())));
    (sql, params)
}

fn reused_key() -> StoreError {
    StoreError::conflict("client_msg_id_reused", "this client_msg_id was already used for a different message")
}

async fn repeat_after_race(pool: &AnyPool, thread: Option<ThreadId>, new: &NewMessage) -> Result<Posted, StoreError> {
    let mut conn = pool.acquire().await?;
    match find_repeat(&mut conn, thread, new).await {
        Ok(Some(message)) => Ok(Posted { message, created: false, thread_subject: None, mail: Vec::new() }),
        Ok(None) => Err(StoreError::conflict("client_msg_id_reused", "this client_msg_id was already used")),
        Err(err) => Err(err),
    }
}

/// Posts into an existing thread with files: the message, its files, its event and
/// its mail in one transaction (see [`write_one`]).
async fn post_with_files(db: &Db, thread: ThreadId, new: NewMessage, now: DateTime<Utc>) -> Result<Posted, StoreError> {
    let retry = new.key();
    let result = db.write(move |conn| Box::pin(async move { Ok(write_one(conn, &Destination::Thread(thread), &new, now).await?.1) })).await;
    match result {
        // The same form sent twice at the same moment: the other request won.
        Err(StoreError::Database(err)) if is_unique_violation(&err) => repeat_after_race(db.pool(), Some(thread), &retry).await,
        other => other,
    }
}

/// Starts a thread with its first message: `thread.created` then `message.created`.
pub async fn create(
    db: &Db,
    mentorship: MentorshipId,
    subject: Subject,
    first: NewMessage,
    now: DateTime<Utc>,
) -> Result<(ThreadView, Posted), StoreError> {
    let retry = first.key();
    let result = db
        .write(move |conn| Box::pin(async move { write_one(conn, &Destination::NewThread { mentorship, subject }, &first, now).await }))
        .await;
    match result {
        Err(StoreError::Database(err)) if is_unique_violation(&err) => {
            let posted = repeat_after_race(db.pool(), None, &retry).await?;
            let thread = get(db.pool(), posted.message.thread_id).await?.ok_or(StoreError::not_found())?;
            Ok((thread, posted))
        }
        other => Ok(other?),
    }
}

/// Writes one message with its files, in the caller's transaction: the author's
/// access (checked inside the transaction, so a member who left a moment ago cannot
/// post), an earlier message with the same `client_msg_id` (then that one is the
/// answer and nothing is written), the thread when it is new, the message with its
/// event and mail, and its attachments. The web forms, the API and mail in all come
/// through here or through the post lane (messages without files).
pub(super) async fn write_one(
    conn: &mut AnyConnection,
    destination: &Destination,
    new: &NewMessage,
    now: DateTime<Utc>,
) -> Result<(ThreadView, Posted), StoreError> {
    let author = new.author;
    let (sql, key) = match destination {
        Destination::Thread(t) => (ACCESS_BY_THREAD_SQL.as_str(), t.to_string()),
        Destination::NewThread { mentorship, .. } => (ACCESS_BY_MENTORSHIP_SQL.as_str(), mentorship.to_string()),
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .bind(author.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::not_found())?;
    let access = access_from_row(&row, author)?;
    access.permit(Action::WriteContent)?;
    let existing_thread = match destination {
        Destination::Thread(t) => {
            // A thread started before the author joined is not theirs to see.
            if !access.sees_thread(get_time(&row, "thread_created_at")?) {
                return Err(StoreError::not_found());
            }
            Some(*t)
        }
        Destination::NewThread { .. } => None,
    };
    if let Some(existing) = find_repeat(conn, existing_thread, new).await? {
        let thread = get_in(conn, existing.thread_id).await?;
        return Ok((thread, Posted { message: existing, created: false, thread_subject: None, mail: Vec::new() }));
    }
    let mentorship = access.mentorship_id;
    // The thread and when it started (a new one starts with this message).
    let (thread_id, thread_started) = match destination {
        Destination::Thread(t) => (*t, get_time(&row, "thread_created_at")?),
        Destination::NewThread { subject, .. } => (insert_thread(conn, mentorship, subject, author, now).await?, now),
    };
    let mut message = insert_message(conn, mentorship, thread_id, thread_started, new, access.actor_name.clone(), now).await?;
    message.attachments = attachments::insert(conn, message.id, mentorship, &new.attachments, now).await?;
    let thread = get_in(conn, thread_id).await?;
    let thread_subject = Some(thread.subject.clone());
    Ok((thread, Posted { message, created: true, thread_subject, mail: Vec::new() }))
}

/// Writes a new thread row and its `thread.created` event; the caller adds the first
/// message in the same transaction.
pub(super) async fn insert_thread(
    conn: &mut AnyConnection,
    mentorship: MentorshipId,
    subject: &Subject,
    author: UserId,
    now: DateTime<Utc>,
) -> Result<ThreadId, StoreError> {
    let id = ThreadId::new();
    let seq = events::append(
        conn,
        mentorship,
        EventKind::ThreadCreated,
        EventRefs { actor: Some(author), thread: Some(id), ..Default::default() },
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
    .bind(author.to_string())
    .bind(ms(now))
    .bind(seq)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

pub(super) async fn get_in(conn: &mut AnyConnection, id: ThreadId) -> Result<ThreadView, StoreError> {
    let row = sqlx::query("SELECT * FROM threads WHERE id = $1").bind(id.to_string()).fetch_one(&mut *conn).await?;
    Ok(thread_from_row(&row)?)
}

pub async fn get(pool: &AnyPool, id: ThreadId) -> Result<Option<ThreadView>, StoreError> {
    let row = sqlx::query("SELECT * FROM threads WHERE id = $1").bind(id.to_string()).fetch_optional(pool).await?;
    Ok(row.map(|r| thread_from_row(&r)).transpose()?)
}

/// Threads visible to `user`, newest activity first, with unread counts: the threads
/// started while they were a member (`mentorships::Window`) of one mentorship, or of
/// every mentorship they belong or belonged to.
pub async fn summaries(
    pool: &AnyPool,
    user: UserId,
    mentorship: Option<MentorshipId>,
    limit: i64,
) -> Result<Vec<ThreadSummary>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.*, rm.message_id AS read_message_id,
                (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND m.seq > COALESCE(rm.seq, 0) AND m.author_id <> $1
                   AND (mm.left_at IS NULL OR m.created_at <= mm.left_at)) AS unread
         FROM threads t
         JOIN mentorship_members mm ON mm.mentorship_id = t.mentorship_id AND mm.user_id = $1
         LEFT JOIN read_markers rm ON rm.thread_id = t.id AND rm.user_id = $1
         WHERE t.created_at >= mm.joined_at AND (mm.left_at IS NULL OR t.created_at <= mm.left_at)
           AND ($2 = '' OR t.mentorship_id = $2)
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

/// What a reply of `user` in a thread would answer: the latest message by someone
/// else since `user` last wrote there (notes of the system aside), with the agreed
/// response time of the mentorship.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Awaiting {
    pub written_at: DateTime<Utc>,
    pub response_within_hours: i64,
}

/// The message `user` has not answered in `thread` (see [`Awaiting`]), among those
/// they may read (up to `visible_until`); `None` when nothing waits for them.
pub async fn awaiting_reply(
    pool: &AnyPool,
    thread: ThreadId,
    user: UserId,
    visible_until: Option<DateTime<Utc>>,
) -> Result<Option<Awaiting>, StoreError> {
    let row = sqlx::query(
        "SELECT m.created_at, ms.response_within_hours
         FROM messages m
         JOIN mentorships ms ON ms.id = m.mentorship_id
         WHERE m.thread_id = $1 AND m.author_id <> $2 AND m.source <> 'system' AND m.created_at <= $3
           AND m.seq > COALESCE((SELECT MAX(o.seq) FROM messages o WHERE o.thread_id = $1 AND o.author_id = $2), -1)
         ORDER BY m.seq DESC
         LIMIT 1",
    )
    .bind(thread.to_string())
    .bind(user.to_string())
    .bind(visible_until.map(ms).unwrap_or(i64::MAX))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Awaiting { written_at: get_time(&row, "created_at")?, response_within_hours: row.try_get("response_within_hours")? }))
}

/// Messages written in `mentorship` since `since` (notes of the system aside): by
/// members with `role`, and by everyone else. Uses `messages_mentorship_time`.
pub async fn messages_by_side(
    pool: &AnyPool,
    mentorship: MentorshipId,
    role: Role,
    since: DateTime<Utc>,
) -> Result<(u32, u32), StoreError> {
    let row = sqlx::query(
        "SELECT COALESCE(SUM(CASE WHEN mm.role = $2 THEN 1 ELSE 0 END), 0) AS mine,
                COALESCE(SUM(CASE WHEN mm.role = $2 THEN 0 ELSE 1 END), 0) AS others
         FROM messages m
         JOIN mentorship_members mm ON mm.mentorship_id = m.mentorship_id AND mm.user_id = m.author_id
         WHERE m.mentorship_id = $1 AND m.created_at >= $3 AND m.source <> 'system'",
    )
    .bind(mentorship.to_string())
    .bind(role.as_str())
    .bind(ms(since))
    .fetch_one(pool)
    .await?;
    let count = |column: &str| -> Result<u32, StoreError> { Ok(u32::try_from(row.try_get::<i64, _>(column)?).unwrap_or(u32::MAX)) };
    Ok((count("mine")?, count("others")?))
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
) -> Result<Vec<MessageView>, StoreError> {
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
    let mut messages: Vec<MessageView> = rows.drain(..).map(|r| message_from_row(&r)).collect::<Result<_, _>>()?;
    super::inbound::attach_listings(pool, &mut messages).await?;
    Ok(messages)
}

/// Moves `user`'s read marker in `thread` forward to `message` (never back). Emits
/// `read.updated` only when it moved.
pub async fn mark_read(
    db: &Db,
    thread: ThreadId,
    user: UserId,
    message: MessageId,
    now: DateTime<Utc>,
) -> Result<ReadMarkerView, StoreError> {
    db
        .write(move |conn| {
            Box::pin(async move {
                let (access, thread_started) =
                    super::mentorships::access_by_thread(&mut *conn, thread, user).await?.ok_or(StoreError::not_found())?;
                access.permit(Action::MarkRead)?;
                if !access.sees_thread(thread_started) {
                    return Err(StoreError::not_found());
                }
                let target = sqlx::query("SELECT seq FROM messages WHERE id = $1 AND thread_id = $2")
                    .bind(message.to_string())
                    .bind(thread.to_string())
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or_else(|| StoreError::invalid("unknown_message", "that message is not in this thread"))?;
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
                    return Ok(view);
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
                Ok(ReadMarkerView { thread_id: thread, user_id: user, message_id: message, updated_at: now })
            })
        })
        .await
}
