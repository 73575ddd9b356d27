//! The coordinators' weekly summary: who gets one and when, and the record of each.

use super::mail::{RenderedMail, queue_rendered};
use super::{get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::{ProgrammeId, UserId};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;

/// A coordinator with their summary settings and programmes.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub locale: String,
    pub timezone: String,
    pub weekday: u32,
    pub hour: u32,
    pub send_all_clear: bool,
    /// Programmes and when they were appointed to each.
    pub programmes: Vec<(ProgrammeId, String, DateTime<Utc>)>,
}

pub async fn recipients(pool: &AnyPool) -> Result<Vec<Recipient>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.email, u.display_name, u.locale, u.timezone, COALESCE(s.weekday, 1) AS weekday, COALESCE(s.hour, 8) AS hour,
                COALESCE(s.send_all_clear, 1) AS send_all_clear, pc.programme_id, p.name, pc.created_at AS appointed
         FROM programme_coordinators pc JOIN users u ON u.id = pc.user_id JOIN programmes p ON p.id = pc.programme_id
         LEFT JOIN summary_settings s ON s.user_id = u.id WHERE COALESCE(s.enabled, 1) = 1 ORDER BY u.id, p.name",
    )
    .fetch_all(pool)
    .await?;
    let mut out: Vec<Recipient> = Vec::new();
    for r in &rows {
        let user: UserId = get_parsed(r, "id")?;
        let programme = (get_parsed(r, "programme_id")?, r.try_get("name")?, get_time(r, "appointed")?);
        if let Some(last) = out.last_mut().filter(|x| x.user_id == user) {
            last.programmes.push(programme);
            continue;
        }
        out.push(Recipient {
            user_id: user,
            email: r.try_get("email")?,
            display_name: r.try_get("display_name")?,
            locale: r.try_get("locale")?,
            timezone: r.try_get("timezone")?,
            weekday: u32::try_from(r.try_get::<i64, _>("weekday")?).unwrap_or(1),
            hour: u32::try_from(r.try_get::<i64, _>("hour")?).unwrap_or(8),
            send_all_clear: r.try_get::<i64, _>("send_all_clear")? != 0,
            programmes: vec![programme],
        });
    }
    Ok(out)
}

/// Whether the summary of `period` was made, and the statuses of the previous one.
pub async fn previous(pool: &AnyPool, user: UserId, period: &str) -> Result<(bool, HashMap<String, String>), StoreError> {
    let done = sqlx::query("SELECT 1 FROM summary_runs WHERE user_id = $1 AND period = $2")
        .bind(user.to_string())
        .bind(period)
        .fetch_optional(pool)
        .await?
        .is_some();
    let last = sqlx::query("SELECT statuses FROM summary_runs WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1")
        .bind(user.to_string())
        .fetch_optional(pool)
        .await?;
    let statuses = match last {
        Some(r) => serde_json::from_str(&r.try_get::<String, _>("statuses")?).unwrap_or_default(),
        None => HashMap::new(),
    };
    Ok((done, statuses))
}

/// Records the run and queues its mail (if any) in one transaction; false when another
/// instance made it first.
pub async fn record(
    db: &Db,
    user: UserId,
    period: String,
    statuses: String,
    mail: Option<(String, String)>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    db
        .write(move |conn| {
            Box::pin(async move {
                let inserted = sqlx::query(
                    "INSERT INTO summary_runs (user_id, period, statuses, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, period) DO NOTHING",
                )
                .bind(user.to_string())
                .bind(period)
                .bind(statuses)
                .bind(ms(now))
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if inserted == 0 {
                    return Ok(false);
                }
                if let Some((id, rendered)) = mail {
                    let mail = RenderedMail { id, kind: "summary", user: Some(user), to_address: None, rendered };
                    queue_rendered(conn, vec![mail], now).await?;
                }
                Ok(true)
            })
        })
        .await
}

/// A coordinator's weekly summary settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SummarySchedule {
    /// ISO weekday, 1 = Monday.
    pub weekday: u32,
    /// Local hour 0–23.
    pub hour: u32,
    /// Sent also when everything is on track.
    pub send_all_clear: bool,
    /// Sent at all.
    pub enabled: bool,
}

impl Default for SummarySchedule {
    fn default() -> Self {
        SummarySchedule { weekday: 1, hour: 8, send_all_clear: true, enabled: true }
    }
}

/// A coordinator's summary settings (defaults when never set).
pub async fn settings(pool: &AnyPool, user: UserId) -> Result<SummarySchedule, StoreError> {
    let row = sqlx::query("SELECT weekday, hour, send_all_clear, enabled FROM summary_settings WHERE user_id = $1")
        .bind(user.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(match row {
        Some(r) => SummarySchedule {
            weekday: u32::try_from(r.try_get::<i64, _>("weekday")?).unwrap_or(1),
            hour: u32::try_from(r.try_get::<i64, _>("hour")?).unwrap_or(8),
            send_all_clear: r.try_get::<i64, _>("send_all_clear")? != 0,
            enabled: r.try_get::<i64, _>("enabled")? != 0,
        },
        None => SummarySchedule::default(),
    })
}

pub async fn set_settings(db: &Db, user: UserId, s: SummarySchedule, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO summary_settings (user_id, weekday, hour, send_all_clear, enabled, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (user_id) DO UPDATE SET weekday = excluded.weekday, hour = excluded.hour, send_all_clear = excluded.send_all_clear,
                   enabled = excluded.enabled, updated_at = excluded.updated_at",
            )
            .bind(user.to_string())
            .bind(i64::from(s.weekday))
            .bind(i64::from(s.hour))
            .bind(i64::from(s.send_all_clear))
            .bind(i64::from(s.enabled))
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    })
    .await?;
    Ok(())
}
