//! The per-mentorship ordered event log.
//!
//! [`append`] bumps `mentorships.last_seq` inside the caller's transaction. That
//! `UPDATE` takes the mentorship row's write lock, so two transactions writing to one
//! mentorship are serialised: whichever gets the lock first also commits first, and
//! sequence order is commit order. A reader that has seen seq N can therefore never
//! later find a new event numbered ≤ N (a global auto-increment id would not give this
//! on PostgreSQL, where a smaller id can commit after a larger one).

use super::mentorships::Window;
use super::{get_opt_parsed, get_time, ms};
use crate::db::Note;
use crate::db::StoreError;
use chrono::{DateTime, Utc};
use mentorpost_model::api::{EventView, MessageView};
use mentorpost_model::{EventKind, MentorshipId, MessageId, MessageSource, ThreadId, UserId};
use serde_json::json;
use sqlx::{AnyConnection, AnyPool, Row};

/// What an event points at.
#[derive(Clone, Copy, Debug, Default)]
pub struct EventRefs {
    pub actor: Option<UserId>,
    pub thread: Option<ThreadId>,
    pub message: Option<MessageId>,
    pub user: Option<UserId>,
}

/// Appends an event and returns its sequence number. Must run inside a transaction;
/// once it commits, the live hub hears of it (`db::publish`).
pub async fn append(
    conn: &mut AnyConnection,
    mentorship: MentorshipId,
    kind: EventKind,
    refs: EventRefs,
    at: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let seq: i64 = sqlx::query("UPDATE mentorships SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq")
        .bind(mentorship.to_string())
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    sqlx::query("INSERT INTO events (mentorship_id, seq, kind, at, actor_id, thread_id, message_id, user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(mentorship.to_string())
        .bind(seq)
        .bind(kind.as_str())
        .bind(ms(at))
        .bind(refs.actor.map(|v| v.to_string()))
        .bind(refs.thread.map(|v| v.to_string()))
        .bind(refs.message.map(|v| v.to_string()))
        .bind(refs.user.map(|v| v.to_string()))
        .execute(&mut *conn)
        .await?;
    crate::db::note(Note::Events(mentorship));
    Ok(seq)
}

/// Events of one mentorship after `after`, in order, with client payloads built from
/// the current rows. `window` is what the reader may see: events about a thread
/// started outside it are left out, and a former member sees nothing after leaving.
pub async fn list(pool: &AnyPool, mentorship: MentorshipId, after: i64, limit: i64, window: Window) -> Result<Vec<EventView>, StoreError> {
    let (from, until) = window.bounds_ms();
    let rows = sqlx::query(
        "SELECT e.seq, e.kind, e.at, e.actor_id, e.thread_id, e.message_id, e.user_id,
                t.subject, t.created_by AS thread_created_by, t.created_at AS thread_created_at,
                m.body, m.author_id, m.source, m.client_msg_id, m.created_at AS message_created_at, m.edited_at, m.deleted_at, m.deleted_reason, m.seq AS message_seq,
                au.display_name AS author_name, su.display_name AS user_name, mm.role AS member_role,
                ms.status, ms.end_reason, ms.contact_every_days, ms.response_within_hours, ms.meeting_rhythm
         FROM events e
         JOIN mentorships ms ON ms.id = e.mentorship_id
         LEFT JOIN threads t ON t.id = e.thread_id
         LEFT JOIN messages m ON m.id = e.message_id
         LEFT JOIN users au ON au.id = m.author_id
         LEFT JOIN users su ON su.id = e.user_id
         LEFT JOIN mentorship_members mm ON mm.mentorship_id = e.mentorship_id AND mm.user_id = e.user_id
         WHERE e.mentorship_id = $1 AND e.seq > $2 AND e.at <= $3
           AND (e.thread_id IS NULL OR (t.created_at >= $5 AND t.created_at <= $3))
         ORDER BY e.seq
         LIMIT $4",
    )
    .bind(mentorship.to_string())
    .bind(after)
    .bind(until)
    .bind(limit)
    .bind(from)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let kind_text: String = row.try_get("kind")?;
        let Some(kind) = EventKind::parse(&kind_text) else {
            continue;
        };
        let seq: i64 = row.try_get("seq")?;
        let thread_id: Option<ThreadId> = get_opt_parsed(row, "thread_id")?;
        let message_id: Option<MessageId> = get_opt_parsed(row, "message_id")?;
        let user_id: Option<UserId> = get_opt_parsed(row, "user_id")?;
        let data = match kind {
            EventKind::ThreadCreated => json!({
                "thread": {
                    "id": thread_id,
                    "mentorship_id": mentorship,
                    "subject": row.try_get::<Option<String>, _>("subject")?,
                    "created_by": get_opt_parsed::<UserId>(row, "thread_created_by")?,
                    "created_at": row.try_get::<Option<i64>, _>("thread_created_at")?.map(super::from_ms),
                }
            }),
            // An edit or deletion carries the message as it now stands, like a replayed
            // `message.created`: no event ever shows an earlier text.
            EventKind::MessageCreated | EventKind::MessageEdited | EventKind::MessageDeleted => {
                let mut message = json!({
                    "id": message_id,
                    "thread_id": thread_id,
                    "mentorship_id": mentorship,
                    "author_id": get_opt_parsed::<UserId>(row, "author_id")?,
                    "author_name": row.try_get::<Option<String>, _>("author_name")?,
                    "body": row.try_get::<Option<String>, _>("body")?,
                    "source": row.try_get::<Option<String>, _>("source")?.as_deref().and_then(MessageSource::parse),
                    "client_msg_id": row.try_get::<Option<String>, _>("client_msg_id")?,
                    "created_at": row.try_get::<Option<i64>, _>("message_created_at")?.map(super::from_ms),
                    // The message's own seq (for an edit it is not the event's).
                    "seq": if kind == EventKind::MessageCreated { Some(seq) } else { row.try_get::<Option<i64>, _>("message_seq")? },
                });
                for column in ["edited_at", "deleted_at"] {
                    if let Some(at) = row.try_get::<Option<i64>, _>(column)? {
                        message[column] = json!(super::from_ms(at));
                    }
                }
                if let Some(reason) = row.try_get::<Option<String>, _>("deleted_reason")? {
                    message["deleted_reason"] = json!(reason);
                }
                json!({ "message": message, "thread_subject": row.try_get::<Option<String>, _>("subject")? })
            }
            EventKind::ReadUpdated => {
                json!({ "thread_id": thread_id, "user_id": user_id, "message_id": message_id })
            }
            EventKind::MemberAdded | EventKind::MemberRemoved | EventKind::MemberErased => json!({
                "user_id": user_id,
                "display_name": row.try_get::<Option<String>, _>("user_name")?,
                "role": row.try_get::<Option<String>, _>("member_role")?,
            }),
            // Who logged it is the event's actor; the meeting itself (its note is
            // the members' words) is read with `GET /mentorships/{id}/meetings`.
            EventKind::MeetingLogged => json!({}),
            // An action ticked off or reopened; the actions (members' words) are read
            // with `GET /mentorships/{id}/actions`.
            EventKind::ActionUpdated => json!({}),
            // The closing step started or a closing form came in; what the members
            // wrote is read with `GET /mentorships/{id}/closing`.
            EventKind::ClosingUpdated => json!({}),
            // A member saved their review; its answers are theirs alone
            // (`GET /mentorships/{id}/reviews` gives each member their own).
            EventKind::ReviewUpdated => json!({}),
            EventKind::MentorshipUpdated | EventKind::AgreementUpdated => json!({
                "status": row.try_get::<String, _>("status")?,
                "end_reason": row.try_get::<Option<String>, _>("end_reason")?,
                "rhythm": {
                    "contact_every_days": row.try_get::<i64, _>("contact_every_days")?,
                    "response_within_hours": row.try_get::<i64, _>("response_within_hours")?,
                    "meeting_rhythm": row.try_get::<String, _>("meeting_rhythm")?,
                },
            }),
        };
        out.push(EventView {
            mentorship_id: mentorship,
            seq,
            kind,
            at: get_time(row, "at")?,
            actor_id: get_opt_parsed(row, "actor_id")?,
            data,
        });
    }
    // The messages' files, listed as a message read from the API lists them (omitted
    // when there are none): one more statement, and only when messages were among them.
    let carries_message = |k: &str| k == EventKind::MessageCreated.as_str() || k == EventKind::MessageEdited.as_str();
    let posted: Vec<MessageId> = rows
        .iter()
        .filter(|r| r.try_get::<String, _>("kind").is_ok_and(|k| carries_message(&k)))
        .filter_map(|r| get_opt_parsed::<MessageId>(r, "message_id").ok().flatten())
        .collect();
    if !posted.is_empty() {
        let files = super::attachments::listings_of(pool, &posted).await?;
        for event in out.iter_mut().filter(|e| carries_message(e.kind.as_str())) {
            let id = event.data["message"]["id"].as_str().and_then(|id| id.parse::<MessageId>().ok());
            if let Some(listed) = id.and_then(|id| files.get(&id).cloned()) {
                event.data["message"]["attachments"] = json!(listed);
            }
        }
    }
    Ok(out)
}

/// The `message.created` event of a message just written, as [`list`] would build it
/// from the rows: live delivery sends it without reading it back.
pub fn message_created(message: &MessageView, thread_subject: &str) -> EventView {
    let mut event = EventView {
        mentorship_id: message.mentorship_id,
        seq: message.seq,
        kind: EventKind::MessageCreated,
        at: message.created_at,
        actor_id: Some(message.author_id),
        data: json!({
            "message": {
                "id": message.id,
                "thread_id": message.thread_id,
                "mentorship_id": message.mentorship_id,
                "author_id": message.author_id,
                "author_name": message.author_name,
                "body": message.body,
                "source": message.source,
                "client_msg_id": message.client_msg_id,
                "created_at": message.created_at,
                "seq": message.seq,
            },
            "thread_subject": thread_subject,
        }),
    };
    if !message.attachments.is_empty() {
        event.data["message"]["attachments"] = json!(message.attachments);
    }
    event
}

pub async fn last_seq(pool: &AnyPool, mentorship: MentorshipId) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT last_seq FROM mentorships WHERE id = $1").bind(mentorship.to_string()).fetch_one(pool).await?;
    Ok(row.try_get::<i64, _>(0)?)
}

/// The sequence number of `user`'s latest `member.added` in `mentorship`.
pub async fn joined_at_seq(pool: &AnyPool, mentorship: MentorshipId, user: UserId) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT MAX(seq) FROM events WHERE mentorship_id = $1 AND kind = 'member.added' AND user_id = $2")
        .bind(mentorship.to_string())
        .bind(user.to_string())
        .fetch_one(pool)
        .await?;
    Ok(row.try_get::<Option<i64>, _>(0)?)
}
