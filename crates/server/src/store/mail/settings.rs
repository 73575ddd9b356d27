//! Each person's mail settings, in general and per mentorship.

use crate::db::{Db, StoreError};
use crate::store::{get_parsed, ms};
use chrono::{DateTime, Utc};
use mentorpost_model::mail::{MailMode, MailSettings, format_hhmm, parse_hhmm};
use mentorpost_model::{MentorshipId, UserId};
use sqlx::{AnyPool, Row};

/// A person's general settings (defaults when none are stored).
pub async fn settings(pool: &AnyPool, user: UserId) -> Result<MailSettings, StoreError> {
    let row = sqlx::query(
        "SELECT CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password, s.mode AS own_mode, s.digest_hour,
                s.digest_weekday, s.quiet_start, s.quiet_end, s.missed_delay_minutes
         FROM users u LEFT JOIN mail_settings s ON s.user_id = u.id WHERE u.id = $1",
    )
    .bind(user.to_string())
    .fetch_optional(pool)
    .await?
    .ok_or(StoreError::not_found())?;
    Ok(settings_from_row(&row)?)
}

/// Settings from a row with `has_password`, `own_mode` and the `mail_settings`
/// columns (defaults when the person stored none).
pub(crate) fn settings_from_row(row: &sqlx::any::AnyRow) -> Result<MailSettings, sqlx::Error> {
    let has_password = row.try_get::<i64, _>("has_password")? != 0;
    let Some(mode) = row.try_get::<Option<String>, _>("own_mode")? else { return Ok(MailSettings::defaults(has_password)) };
    let minutes =
        |col: &str| -> Result<Option<String>, sqlx::Error> { Ok(row.try_get::<Option<i64>, _>(col)?.map(|m| format_hhmm(m as u32))) };
    Ok(MailSettings {
        mode: MailMode::parse(&mode).unwrap_or(MailMode::default_for(has_password)),
        digest_hour: row.try_get::<Option<i64>, _>("digest_hour")?.unwrap_or(8) as u32,
        digest_weekday: row.try_get::<Option<i64>, _>("digest_weekday")?.unwrap_or(1) as u32,
        quiet_start: minutes("quiet_start")?,
        quiet_end: minutes("quiet_end")?,
        missed_delay_minutes: row.try_get::<Option<i64>, _>("missed_delay_minutes")?.unwrap_or(10) as u32,
    })
}

pub async fn set_settings(db: &Db, user: UserId, s: MailSettings, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO mail_settings (user_id, mode, digest_hour, digest_weekday, quiet_start, quiet_end, missed_delay_minutes, updated_at,
                                            schedule_since)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
                 ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode, digest_hour = excluded.digest_hour, digest_weekday = excluded.digest_weekday,
                    quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, missed_delay_minutes = excluded.missed_delay_minutes,
                    updated_at = excluded.updated_at,
                    schedule_since = CASE WHEN mail_settings.mode <> excluded.mode OR mail_settings.digest_hour <> excluded.digest_hour
                                            OR mail_settings.digest_weekday <> excluded.digest_weekday
                                          THEN excluded.updated_at ELSE mail_settings.schedule_since END",
            )
            .bind(user.to_string())
            .bind(s.mode.as_str())
            .bind(i64::from(s.digest_hour))
            .bind(i64::from(s.digest_weekday))
            .bind(s.quiet_start.as_deref().and_then(parse_hhmm).map(i64::from))
            .bind(s.quiet_end.as_deref().and_then(parse_hhmm).map(i64::from))
            .bind(i64::from(s.missed_delay_minutes))
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    })
    .await?;
    Ok(())
}

/// Per-mentorship overrides of `user`.
pub async fn mentorship_modes(pool: &AnyPool, user: UserId) -> Result<Vec<(MentorshipId, MailMode)>, StoreError> {
    let rows = sqlx::query("SELECT mentorship_id, mode FROM mail_mentorship_settings WHERE user_id = $1 ORDER BY mentorship_id")
        .bind(user.to_string())
        .fetch_all(pool)
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let mode: String = r.try_get("mode")?;
        if let Some(mode) = MailMode::parse(&mode) {
            out.push((get_parsed(r, "mentorship_id")?, mode));
        }
    }
    Ok(out)
}

/// Sets (or with `None` clears) `user`'s mode for one mentorship.
pub async fn set_mentorship_mode(
    db: &Db,
    user: UserId,
    mentorship: MentorshipId,
    mode: Option<MailMode>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            match mode {
                Some(mode) => {
                    sqlx::query(
                        "INSERT INTO mail_mentorship_settings (user_id, mentorship_id, mode, updated_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (user_id, mentorship_id) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at",
                    )
                    .bind(user.to_string())
                    .bind(mentorship.to_string())
                    .bind(mode.as_str())
                    .bind(ms(now))
                    .execute(&mut *conn)
                    .await?;
                    if mode == MailMode::Off {
                        // Off means off at once: mails already queued for it go too.
                        sqlx::query(
                            "UPDATE outbox SET status = 'cancelled', last_error = 'unsubscribed'
                             WHERE user_id = $1 AND mentorship_id = $2 AND status = 'pending'",
                        )
                        .bind(user.to_string())
                        .bind(mentorship.to_string())
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                None => {
                    sqlx::query("DELETE FROM mail_mentorship_settings WHERE user_id = $1 AND mentorship_id = $2")
                        .bind(user.to_string())
                        .bind(mentorship.to_string())
                        .execute(&mut *conn)
                        .await?;
                }
            }
            Ok(())
        })
    })
    .await?;
    Ok(())
}
