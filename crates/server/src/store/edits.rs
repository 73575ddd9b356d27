//! An author edits or deletes their own message within the edit window.
//!
//! The change is an event in the mentorship's log (`message.edited`,
//! `message.deleted`), written in the same transaction, so open sockets hear of it
//! and resuming clients replay it. The text is replaced in place: no earlier version is
//! kept, so none can be shown. A deleted message keeps its row as a tombstone (its
//! place in the thread, its sequence number and the contact it counted for in the
//! coordinator's figures) with an empty body; its quoted history and files go with it,
//! and mail about it that has not been sent yet is cancelled. A notification already
//! sent cannot be recalled; digests and pending notifications read the current text.

use super::events::{self, EventRefs};
use super::mentorships::access_by_thread;
use super::threads::{MESSAGE_SELECT, message_from_row};
use super::{get_opt_time, get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Duration, Utc};
use mentorpost_auth::permission::Action;
use mentorpost_model::api::MessageView;
use mentorpost_model::{EventKind, MentorshipId, MessageBody, MessageId, ThreadId, UserId};
use sqlx::AnyConnection;

/// What the author does to their message.
#[derive(Clone, Debug)]
pub enum Change {
    Edit(MessageBody),
    Delete,
}

/// Whether a message written at `created_at` may still be changed at `now`.
pub fn within_window(created_at: DateTime<Utc>, now: DateTime<Utc>, window: Duration) -> bool {
    now < created_at + window
}

/// Applies `change` to `message` on behalf of `user` and returns the message as it
/// now stands. Refusals: not visible to `user` → not found; not the author, or no
/// longer allowed to write in the mentorship → forbidden; the window has passed
/// (`edit_window_closed`) or an edit of a deleted message (`message_deleted`) →
/// conflict. Deleting a deleted message, or an edit to the same text, changes nothing
/// and appends no event.
pub async fn change(
    db: &Db,
    message: MessageId,
    user: UserId,
    change: Change,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<MessageView, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let found = sqlx::query("SELECT thread_id, mentorship_id, author_id, created_at, deleted_at FROM messages WHERE id = $1")
                .bind(message.to_string())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::not_found())?;
            let thread: ThreadId = get_parsed(&found, "thread_id")?;
            let mentorship: MentorshipId = get_parsed(&found, "mentorship_id")?;
            let author: UserId = get_parsed(&found, "author_id")?;
            let created_at = get_time(&found, "created_at")?;
            let deleted_at = get_opt_time(&found, "deleted_at")?;

            let (access, thread_started) = access_by_thread(&mut *conn, thread, user).await?.ok_or(StoreError::not_found())?;
            access.permit(Action::ReadContent)?;
            if !access.sees_thread(thread_started) || access.visible_until().is_some_and(|until| created_at > until) {
                return Err(StoreError::not_found());
            }
            if author != user {
                return Err(StoreError::forbidden("only its author can change a message"));
            }
            access.permit(Action::WriteContent)?;
            match (&change, deleted_at) {
                (Change::Delete, Some(_)) => return current(conn, message).await,
                (Change::Edit(_), Some(_)) => {
                    return Err(StoreError::conflict("message_deleted", "this message was deleted and cannot be edited"));
                }
                _ => {}
            }
            if !within_window(created_at, now, window) {
                return Err(StoreError::conflict(
                    "edit_window_closed",
                    format!("a message can be changed for {} hours after it was written", window.num_hours()),
                ));
            }
            let refs = EventRefs { actor: Some(user), thread: Some(thread), message: Some(message), user: None };
            match change {
                Change::Edit(body) => {
                    let changed = sqlx::query("UPDATE messages SET body = $1, edited_at = $2 WHERE id = $3 AND body <> $1")
                        .bind(body.as_str())
                        .bind(ms(now))
                        .bind(message.to_string())
                        .execute(&mut *conn)
                        .await?
                        .rows_affected();
                    if changed > 0 {
                        events::append(conn, mentorship, EventKind::MessageEdited, refs, now).await?;
                    }
                }
                Change::Delete => {
                    sqlx::query("UPDATE messages SET body = '', deleted_at = $1, deleted_reason = 'author' WHERE id = $2")
                        .bind(ms(now))
                        .bind(message.to_string())
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("DELETE FROM message_quoted WHERE message_id = $1").bind(message.to_string()).execute(&mut *conn).await?;
                    sqlx::query("DELETE FROM attachments WHERE message_id = $1").bind(message.to_string()).execute(&mut *conn).await?;
                    // Mail about it that has not gone out yet no longer has anything to say.
                    sqlx::query("UPDATE outbox SET status = 'cancelled' WHERE message_id = $1 AND status = 'pending'")
                        .bind(message.to_string())
                        .execute(&mut *conn)
                        .await?;
                    events::append(conn, mentorship, EventKind::MessageDeleted, refs, now).await?;
                }
            }
            current(conn, message).await
        })
    })
    .await
}

async fn current(conn: &mut AnyConnection, message: MessageId) -> Result<MessageView, StoreError> {
    let sql = format!("{MESSAGE_SELECT} WHERE m.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(message.to_string()).fetch_one(&mut *conn).await?;
    let mut view = message_from_row(&row)?;
    view.attachments = super::attachments::listings_of(&mut *conn, &[message]).await?.remove(&message).unwrap_or_default();
    Ok(view)
}

/// The message as its readers see it now (attachments listed), if it exists.
pub async fn get(pool: &sqlx::AnyPool, message: MessageId) -> Result<Option<MessageView>, StoreError> {
    let sql = format!("{MESSAGE_SELECT} WHERE m.id = $1");
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(message.to_string()).fetch_optional(pool).await? else {
        return Ok(None);
    };
    let mut view = message_from_row(&row)?;
    view.attachments = super::attachments::listings_of(pool, &[message]).await?.remove(&message).unwrap_or_default();
    Ok(Some(view))
}

/// Whether `row`'s message may still be changed (for showing the edit and delete
/// links; the write checks again).
pub fn changeable(view: &MessageView, user: UserId, now: DateTime<Utc>, window: Duration) -> bool {
    view.author_id == user && view.deleted_at.is_none() && within_window(view.created_at, now, window)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_open_until_its_end() {
        let t0 = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let day = Duration::hours(24);
        assert!(within_window(t0, t0, day));
        assert!(within_window(t0, t0 + Duration::hours(23) + Duration::minutes(59), day));
        assert!(!within_window(t0, t0 + day, day));
        assert!(!within_window(t0, t0 + Duration::days(3), day));
    }
}
