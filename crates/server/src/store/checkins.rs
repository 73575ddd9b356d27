//! Check-ins: the coordinator's question as a thread with one system message (members
//! get it by their mail preference, like any message), and the members' answers —
//! statuses only.

use super::mentorships::{ACCESS_BY_MENTORSHIP_SQL, access_from_row};
use super::threads::{NewMessage, insert_message, insert_thread};
use super::{get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::checkin::CheckinStatus;
use mentorpost_model::{MentorshipId, MessageBody, MessageSource, Subject, ThreadId, UserId};
use serde::Serialize;
use sqlx::{AnyPool, Row};
use utoipa::ToSchema;

/// A check-in and where its members stand.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CheckinView {
    pub id: String,
    pub mentorship_id: MentorshipId,
    pub thread_id: ThreadId,
    pub created_at: DateTime<Utc>,
    pub answers: Vec<CheckinAnswer>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CheckinAnswer {
    pub user_id: UserId,
    pub status: CheckinStatus,
    pub answered_at: DateTime<Utc>,
}

/// Starts a check-in: its thread and message (by the coordinator, source `system`, so
/// it is no contact) and the row, in one transaction.
pub async fn create(
    db: &Db,
    mentorship: MentorshipId,
    coordinator: UserId,
    subject: Subject,
    body: MessageBody,
    now: DateTime<Utc>,
) -> Result<CheckinView, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let row = sqlx::query(sqlx::AssertSqlSafe(ACCESS_BY_MENTORSHIP_SQL.as_str()))
                .bind(mentorship.to_string())
                .bind(coordinator.to_string())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::not_found())?;
            let access = access_from_row(&row, coordinator)?;
            let thread = insert_thread(conn, mentorship, &subject, coordinator, now).await?;
            let message =
                NewMessage { author: coordinator, body, client_msg_id: None, source: MessageSource::System, attachments: Vec::new() };
            insert_message(conn, mentorship, thread, now, &message, access.actor_name.clone(), now).await?;
            let id = uuid::Uuid::now_v7().to_string();
            sqlx::query("INSERT INTO checkins (id, mentorship_id, thread_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id.as_str())
                .bind(mentorship.to_string())
                .bind(thread.to_string())
                .bind(coordinator.to_string())
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
            Ok(CheckinView { id, mentorship_id: mentorship, thread_id: thread, created_at: super::from_ms(ms(now)), answers: Vec::new() })
        })
    })
    .await
}

/// The check-in a thread belongs to, if it is a check-in thread.
pub async fn by_thread(pool: &AnyPool, thread: ThreadId) -> Result<Option<(String, MentorshipId)>, StoreError> {
    let row =
        sqlx::query("SELECT id, mentorship_id FROM checkins WHERE thread_id = $1").bind(thread.to_string()).fetch_optional(pool).await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some((r.try_get("id")?, get_parsed(&r, "mentorship_id")?)))
}

/// The mentorship of a check-in.
pub async fn mentorship_of(pool: &AnyPool, checkin: &str) -> Result<Option<MentorshipId>, StoreError> {
    let row = sqlx::query("SELECT mentorship_id FROM checkins WHERE id = $1").bind(checkin).fetch_optional(pool).await?;
    Ok(row.map(|r| get_parsed(&r, "mentorship_id")).transpose()?)
}

/// Records (or replaces) a member's answer. The caller has checked membership.
pub async fn answer(
    db: &Db,
    checkin: String,
    user: UserId,
    status: CheckinStatus,
    via: &'static str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO checkin_answers (checkin_id, user_id, status, via, answered_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (checkin_id, user_id) DO UPDATE SET status = excluded.status, via = excluded.via, answered_at = excluded.answered_at",
            )
            .bind(checkin)
            .bind(user.to_string())
            .bind(status.as_str())
            .bind(via)
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    })
    .await?;
    Ok(())
}

/// A mentorship's check-ins, newest first, with the members' statuses.
pub async fn list(pool: &AnyPool, mentorship: MentorshipId) -> Result<Vec<CheckinView>, StoreError> {
    let rows = sqlx::query("SELECT id, thread_id, created_at FROM checkins WHERE mentorship_id = $1 ORDER BY created_at DESC")
        .bind(mentorship.to_string())
        .fetch_all(pool)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: String = r.try_get("id")?;
        let answers = sqlx::query("SELECT user_id, status, answered_at FROM checkin_answers WHERE checkin_id = $1 ORDER BY answered_at")
            .bind(id.as_str())
            .fetch_all(pool)
            .await?
            .iter()
            .filter_map(|a| {
                let status: String = a.try_get("status").ok()?;
                Some(Ok::<_, sqlx::Error>(CheckinAnswer {
                    user_id: get_parsed(a, "user_id").ok()?,
                    status: CheckinStatus::parse(&status)?,
                    answered_at: get_time(a, "answered_at").ok()?,
                }))
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push(CheckinView {
            id,
            mentorship_id: mentorship,
            thread_id: get_parsed(r, "thread_id")?,
            created_at: get_time(r, "created_at")?,
            answers,
        });
    }
    Ok(out)
}
