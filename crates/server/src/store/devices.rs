//! Signed-in devices: the logins (`sessions`) a person has open, with the device each
//! came from and when it was last used; ending one or all others; and the devices a
//! person signed in from before (`known_devices`, migration 0019), so a sign-in from a
//! new one can be told to them.
//!
//! A login is open while it is not revoked and still has a way in: an unexpired browser
//! session (`web_sessions`) or an unused, unexpired refresh token. Ending a login
//! revokes it, which ends both at once: the browser's next request finds no session
//! (`web_sessions::find` joins `revoked_at IS NULL`), a refresh is refused, its
//! WebSockets close within the revocation watcher's poll.

use super::mail::{RenderedMail, queue_rendered};
use super::{get_opt_time, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Duration, Utc};
use mentorpost_auth::opaque;
use mentorpost_model::UserId;
use sqlx::{AnyPool, Row};

/// How stale `last_used_at` may get before a request of the login writes it again: a
/// write per page would cost more than the minute-exact time is worth.
pub const TOUCH_EVERY: Duration = Duration::minutes(5);

/// One open login of a person.
#[derive(Clone, Debug)]
pub struct OpenLogin {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub user_agent: Option<String>,
    /// A browser session (else an API client's refresh token).
    pub web: bool,
}

/// The person's open logins, newest first.
pub async fn open_logins(pool: &AnyPool, user: UserId, now: DateTime<Utc>) -> Result<Vec<OpenLogin>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.id, s.created_at, s.last_used_at, s.user_agent,
                (SELECT COUNT(*) FROM web_sessions w WHERE w.session_id = s.id AND w.expires_at > $2) AS web,
                (SELECT COUNT(*) FROM refresh_tokens r WHERE r.session_id = s.id AND r.used_at IS NULL AND r.expires_at > $2) AS api
         FROM sessions s WHERE s.user_id = $1 AND s.revoked_at IS NULL ORDER BY s.created_at DESC, s.id DESC",
    )
    .bind(user.to_string())
    .bind(ms(now))
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for row in rows {
        let web = row.try_get::<i64, _>("web")? > 0;
        if !web && row.try_get::<i64, _>("api")? == 0 {
            continue;
        }
        out.push(OpenLogin {
            id: row.try_get("id")?,
            created_at: get_time(&row, "created_at")?,
            last_used_at: get_opt_time(&row, "last_used_at")?,
            user_agent: row.try_get("user_agent")?,
            web,
        });
    }
    Ok(out)
}

/// Ends one of `user`'s logins; false when it is not theirs or already ended.
pub async fn end(db: &Db, user: UserId, session_id: String, now: DateTime<Utc>) -> Result<bool, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE sessions SET revoked_at = $1, revoke_reason = 'signed_out_by_owner' WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            )
            .bind(ms(now))
            .bind(session_id.clone())
            .bind(user.to_string())
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM web_sessions WHERE session_id = $1").bind(session_id).execute(&mut *conn).await?;
            Ok(done.rows_affected() > 0)
        })
    })
    .await
}

/// Ends every login of `user` but `keep` (the one asking); how many ended.
pub async fn end_others(db: &Db, user: UserId, keep: String, reason: &'static str, now: DateTime<Utc>) -> Result<u64, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE sessions SET revoked_at = $1, revoke_reason = $2 WHERE user_id = $3 AND id <> $4 AND revoked_at IS NULL",
            )
            .bind(ms(now))
            .bind(reason)
            .bind(user.to_string())
            .bind(keep.clone())
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM web_sessions WHERE session_id IN (SELECT id FROM sessions WHERE user_id = $1 AND id <> $2 AND revoked_at IS NOT NULL)")
                .bind(user.to_string())
                .bind(keep)
                .execute(&mut *conn)
                .await?;
            Ok(done.rows_affected())
        })
    })
    .await
}

/// Notes that a login was used now (at most every [`TOUCH_EVERY`]; the caller checks).
pub async fn touch(db: &Db, session_id: String, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query("UPDATE sessions SET last_used_at = $1 WHERE id = $2").bind(ms(now)).bind(session_id).execute(&mut *conn).await?;
            Ok(())
        })
    })
    .await
}

/// The device key of a browser's device cookie (stored only hashed, like every token).
pub fn cookie_key(cookie: &str) -> String {
    opaque::hash_token(&format!("cookie:{cookie}"))
}

/// The device key of a `User-Agent` (an API client has no cookie).
pub fn user_agent_key(user_agent: Option<&str>) -> String {
    opaque::hash_token(&format!("ua:{}", user_agent.unwrap_or_default()))
}

/// Whether a sign-in came from a device new to the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    /// Seen before (by its cookie or its User-Agent).
    Known,
    /// Not seen before, and the person has signed in before: tell them.
    New,
    /// The person's first sign-in ever: nothing to compare with, nobody to warn.
    First,
}

/// Records a new login's device: its `User-Agent` and first use on the `sessions` row,
/// and the device keys in `known_devices`. A device is known when any of `keys` (the
/// browser's device cookie, its User-Agent) was seen for this person before. One write.
pub async fn signed_in(
    db: &Db,
    user: UserId,
    session_id: String,
    user_agent: Option<String>,
    keys: Vec<String>,
    now: DateTime<Utc>,
) -> Result<Device, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query("UPDATE sessions SET user_agent = $1, last_used_at = $2 WHERE id = $3")
                .bind(user_agent)
                .bind(ms(now))
                .bind(session_id)
                .execute(&mut *conn)
                .await?;
            let any: i64 = sqlx::query("SELECT COUNT(*) FROM known_devices WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
            let mut known = false;
            for key in &keys {
                let seen = sqlx::query("SELECT 1 FROM known_devices WHERE user_id = $1 AND device_hash = $2")
                    .bind(user.to_string())
                    .bind(key.clone())
                    .fetch_optional(&mut *conn)
                    .await?;
                known |= seen.is_some();
            }
            for key in keys {
                sqlx::query("INSERT INTO known_devices (user_id, device_hash, first_seen) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(user.to_string())
                    .bind(key)
                    .bind(ms(now))
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(if known {
                Device::Known
            } else if any == 0 {
                Device::First
            } else {
                Device::New
            })
        })
    })
    .await
}

/// Queues security alerts (a new sign-in, a changed password, an added address): sent
/// at once, whatever the person's mail settings, and never carrying anything written
/// in a mentorship.
pub async fn queue_alerts(db: &Db, mails: Vec<RenderedMail>, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            queue_rendered(conn, mails, now).await?;
            Ok(())
        })
    })
    .await
}
