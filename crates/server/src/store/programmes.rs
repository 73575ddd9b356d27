//! Programmes and their coordinators.

use super::{get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::api::{PersonRef, ProgrammeView};
use mentorpost_model::{ProgrammeId, Rhythm, TimeZoneName, UserId};
use sqlx::{AnyPool, Row};

pub async fn create(db: &Db, name: String, timezone: TimeZoneName, rhythm: Rhythm, now: DateTime<Utc>) -> Result<ProgrammeId, StoreError> {
    let id = ProgrammeId::new();
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO programmes (id, name, timezone, default_contact_every_days, default_response_within_hours, default_meeting_rhythm, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id.to_string())
            .bind(name)
            .bind(timezone.as_str())
            .bind(rhythm.contact_every_days)
            .bind(rhythm.response_within_hours)
            .bind(rhythm.meeting_rhythm)
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    })
    .await?;
    Ok(id)
}

pub async fn get(pool: &AnyPool, id: ProgrammeId) -> Result<Option<ProgrammeView>, StoreError> {
    let Some(row) = sqlx::query("SELECT * FROM programmes WHERE id = $1").bind(id.to_string()).fetch_optional(pool).await? else {
        return Ok(None);
    };
    let coordinators = sqlx::query(
        "SELECT u.id, u.display_name FROM programme_coordinators pc JOIN users u ON u.id = pc.user_id WHERE pc.programme_id = $1 ORDER BY u.display_name",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| Ok(PersonRef { id: get_parsed(r, "id")?, display_name: r.try_get("display_name")? }))
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(ProgrammeView {
        id,
        name: row.try_get("name")?,
        timezone: row.try_get("timezone")?,
        default_rhythm: Rhythm {
            contact_every_days: row.try_get("default_contact_every_days")?,
            response_within_hours: row.try_get("default_response_within_hours")?,
            meeting_rhythm: row.try_get("default_meeting_rhythm")?,
        },
        review_every_months: row.try_get("review_every_months")?,
        coordinators,
        created_at: get_time(&row, "created_at")?,
    }))
}

/// Programme ids, all of them or those `coordinator` coordinates.
pub async fn ids(pool: &AnyPool, coordinator: Option<UserId>) -> Result<Vec<ProgrammeId>, StoreError> {
    let rows = match coordinator {
        None => sqlx::query("SELECT id FROM programmes ORDER BY name, id").fetch_all(pool).await?,
        Some(user) => {
            sqlx::query("SELECT p.id FROM programmes p JOIN programme_coordinators pc ON pc.programme_id = p.id WHERE pc.user_id = $1 ORDER BY p.name, p.id")
                .bind(user.to_string())
                .fetch_all(pool)
                .await?
        }
    };
    Ok(rows.iter().map(|r| get_parsed(r, "id")).collect::<Result<_, _>>()?)
}

pub async fn is_coordinator(pool: &AnyPool, programme: ProgrammeId, user: UserId) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT 1 FROM programme_coordinators WHERE programme_id = $1 AND user_id = $2")
        .bind(programme.to_string())
        .bind(user.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(row.is_some())
}

pub async fn exists(pool: &AnyPool, programme: ProgrammeId) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT 1 FROM programmes WHERE id = $1").bind(programme.to_string()).fetch_optional(pool).await?;
    Ok(row.is_some())
}

pub async fn add_coordinator(db: &Db, programme: ProgrammeId, user: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let exists = sqlx::query("SELECT 1 FROM users WHERE id = $1").bind(user.to_string()).fetch_optional(&mut *conn).await?;
            if exists.is_none() {
                return Err(StoreError::invalid("unknown_user", "no such user"));
            }
            sqlx::query(
                "INSERT INTO programme_coordinators (programme_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(programme.to_string())
            .bind(user.to_string())
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    })
    .await?;
    Ok(())
}

pub async fn remove_coordinator(db: &Db, programme: ProgrammeId, user: UserId) -> Result<bool, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let done = sqlx::query("DELETE FROM programme_coordinators WHERE programme_id = $1 AND user_id = $2")
                .bind(programme.to_string())
                .bind(user.to_string())
                .execute(&mut *conn)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    })
    .await
}

/// What a new mentorship of the programme starts from, and the programme's calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeDefaults {
    pub timezone: String,
    pub contact_every_days: i64,
    pub response_within_hours: i64,
    /// Days after the start before a pair that never met a window counts as not started.
    pub not_started_days: i64,
    /// Months after closing before the follow-up (F10).
    pub follow_up_months: i64,
    /// Months between two periodic reviews (F8): 4, 5 or 6.
    pub review_every_months: i64,
    /// Months after closing before a mentorship's content is removed (retention).
    pub retention_months: i64,
    /// What an erased member's messages become.
    pub erasure_policy: mentorpost_model::ErasurePolicy,
}

pub async fn defaults(pool: &AnyPool, id: ProgrammeId) -> Result<Option<ProgrammeDefaults>, StoreError> {
    let row = sqlx::query(
        "SELECT timezone, default_contact_every_days, default_response_within_hours, default_not_started_days, follow_up_months,
                review_every_months, retention_months, erasure_policy FROM programmes WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(ProgrammeDefaults {
        timezone: r.try_get("timezone")?,
        contact_every_days: r.try_get("default_contact_every_days")?,
        response_within_hours: r.try_get("default_response_within_hours")?,
        not_started_days: r.try_get("default_not_started_days")?,
        follow_up_months: r.try_get("follow_up_months")?,
        review_every_months: r.try_get("review_every_months")?,
        retention_months: r.try_get("retention_months")?,
        erasure_policy: mentorpost_model::ErasurePolicy::parse(&r.try_get::<String, _>("erasure_policy")?)
            .unwrap_or(mentorpost_model::ErasurePolicy::Tombstone),
    }))
}

/// Saves the programme's defaults (the caller validated them).
pub async fn set_defaults(db: &Db, id: ProgrammeId, d: ProgrammeDefaults) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE programmes SET timezone = $1, default_contact_every_days = $2, default_response_within_hours = $3, default_not_started_days = $4,
                        follow_up_months = $5, review_every_months = $6, retention_months = $7, erasure_policy = $9
                 WHERE id = $8",
            )
            .bind(d.timezone)
            .bind(d.contact_every_days)
            .bind(d.response_within_hours)
            .bind(d.not_started_days)
            .bind(d.follow_up_months)
            .bind(d.review_every_months)
            .bind(d.retention_months)
            .bind(id.to_string())
            .bind(d.erasure_policy.as_str())
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::not_found());
            }
            Ok(())
        })
    })
    .await
}

/// A programme in a list: its name and how many mentorships it has by status.
#[derive(Clone, Debug)]
pub struct ProgrammeLine {
    pub id: ProgrammeId,
    pub name: String,
    pub proposed: i64,
    pub active: i64,
    pub closed: i64,
}

/// The programmes `coordinator` coordinates (all of them for `None`), by name, with
/// their mentorship counts: one query.
pub async fn lines(pool: &AnyPool, coordinator: Option<UserId>) -> Result<Vec<ProgrammeLine>, StoreError> {
    const COUNTS: &str = "SELECT p.id, p.name,
            (SELECT COUNT(*) FROM mentorships m WHERE m.programme_id = p.id AND m.status = 'proposed') AS proposed,
            (SELECT COUNT(*) FROM mentorships m WHERE m.programme_id = p.id AND m.status = 'active') AS active,
            (SELECT COUNT(*) FROM mentorships m WHERE m.programme_id = p.id AND m.status = 'closed') AS closed
         FROM programmes p";
    let rows = match coordinator {
        None => sqlx::query(sqlx::AssertSqlSafe(format!("{COUNTS} ORDER BY p.name, p.id"))).fetch_all(pool).await?,
        Some(user) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{COUNTS} JOIN programme_coordinators pc ON pc.programme_id = p.id WHERE pc.user_id = $1 ORDER BY p.name, p.id"
            )))
            .bind(user.to_string())
            .fetch_all(pool)
            .await?
        }
    };
    rows.iter()
        .map(|r| {
            Ok(ProgrammeLine {
                id: get_parsed(r, "id")?,
                name: r.try_get("name")?,
                proposed: r.try_get("proposed")?,
                active: r.try_get("active")?,
                closed: r.try_get("closed")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
