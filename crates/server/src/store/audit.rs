//! The audit log (`audit_log`, migration 0019): one row each time an admin or a
//! coordinator is shown personal data. Append-only: this module has an `INSERT` and
//! reads, nothing else, and the database refuses `UPDATE` and `DELETE` by trigger.

use super::{get_opt_parsed, get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::audit::{AuditAction, AuditEntry};
use mentorpost_model::{MentorshipId, ProgrammeId, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

/// One access, as the edge that showed the data describes it.
#[derive(Clone, Debug)]
pub struct Access {
    pub actor: UserId,
    pub action: AuditAction,
    pub subject: Option<UserId>,
    pub programme: Option<ProgrammeId>,
    pub mentorship: Option<MentorshipId>,
    /// The client's address (after trusted proxies).
    pub client_address: String,
    pub request_id: String,
}

/// Appends one row. A single `INSERT`; on SQLite it rides in the writer's next group
/// commit with whatever else is being written, so a page pays one batched write.
pub async fn record(db: &Db, access: Access, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO audit_log (id, at, actor_id, action, subject_user_id, programme_id, mentorship_id, client_address, request_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(ms(now))
            .bind(access.actor.to_string())
            .bind(access.action.as_str())
            .bind(access.subject.map(|u| u.to_string()))
            .bind(access.programme.map(|p| p.to_string()))
            .bind(access.mentorship.map(|m| m.to_string()))
            .bind(access.client_address)
            .bind(access.request_id)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    })
    .await
}

/// What to list; every filter is optional.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub actor: Option<UserId>,
    /// The person concerned.
    pub subject: Option<UserId>,
    pub action: Option<AuditAction>,
    pub programme: Option<ProgrammeId>,
    pub mentorship: Option<MentorshipId>,
    /// Only rows older than this row id (the previous page's last).
    pub before: Option<String>,
}

const SELECT: &str = "SELECT a.id, a.at, a.actor_id, actor.display_name AS actor_name, a.action, a.subject_user_id,
        subject.display_name AS subject_name, a.programme_id, p.name AS programme_name, a.mentorship_id, a.client_address, a.request_id
     FROM audit_log a JOIN users actor ON actor.id = a.actor_id LEFT JOIN users subject ON subject.id = a.subject_user_id
     LEFT JOIN programmes p ON p.id = a.programme_id";

fn entry(row: &AnyRow) -> Result<AuditEntry, sqlx::Error> {
    let action: String = row.try_get("action")?;
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: get_time(row, "at")?,
        actor_id: get_parsed(row, "actor_id")?,
        actor_name: row.try_get("actor_name")?,
        action: AuditAction::parse(&action)
            .ok_or_else(|| sqlx::Error::Decode(format!("audit_log.action holds an unknown action {action:?}").into()))?,
        subject_user_id: get_opt_parsed(row, "subject_user_id")?,
        subject_name: row.try_get("subject_name")?,
        programme_id: get_opt_parsed(row, "programme_id")?,
        programme_name: row.try_get("programme_name")?,
        mentorship_id: get_opt_parsed(row, "mentorship_id")?,
        client_address: row.try_get("client_address")?,
        request_id: row.try_get("request_id")?,
    })
}

/// Rows matching `filter`, newest first, at most `limit`. The filters are fixed
/// `($n IS NULL OR column = $n)` terms, so every call is the same statement text.
pub async fn list(pool: &AnyPool, filter: &Filter, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
    let sql = format!(
        "{SELECT} WHERE ($1 IS NULL OR a.actor_id = $1) AND ($2 IS NULL OR a.subject_user_id = $2) AND ($3 IS NULL OR a.action = $3)
           AND ($4 IS NULL OR a.programme_id = $4) AND ($5 IS NULL OR a.mentorship_id = $5) AND ($6 IS NULL OR a.id < $6)
         ORDER BY a.id DESC LIMIT $7"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(filter.actor.map(|u| u.to_string()))
        .bind(filter.subject.map(|u| u.to_string()))
        .bind(filter.action.map(|a| a.as_str().to_owned()))
        .bind(filter.programme.map(|p| p.to_string()))
        .bind(filter.mentorship.map(|m| m.to_string()))
        .bind(filter.before.clone())
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(entry).collect::<Result<_, _>>()?)
}

/// Every access that concerned `user` — as the one person it was about, or through a
/// programme or mentorship they belong or belonged to — oldest first: what a person's
/// own export shows them of who looked at their data.
pub async fn concerning(pool: &AnyPool, user: UserId) -> Result<Vec<AuditEntry>, StoreError> {
    let sql = format!(
        "{SELECT} WHERE a.subject_user_id = $1
            OR a.mentorship_id IN (SELECT mentorship_id FROM mentorship_members WHERE user_id = $1)
            OR (a.subject_user_id IS NULL AND a.mentorship_id IS NULL AND a.programme_id IN (
                SELECT programme_id FROM programme_people WHERE user_id = $1
                UNION SELECT m.programme_id FROM mentorships m JOIN mentorship_members mm ON mm.mentorship_id = m.id WHERE mm.user_id = $1))
         ORDER BY a.id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user.to_string()).fetch_all(pool).await?;
    Ok(rows.iter().map(entry).collect::<Result<_, _>>()?)
}
