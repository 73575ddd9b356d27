//! Logins (sessions), refresh-token rotation with reuse detection, magic links and
//! the login-failure counters behind rate limiting.

use super::mail::{RenderedMail, queue_rendered};
use super::{get_parsed, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Duration, Utc};
use mentorpost_auth::opaque;
use mentorpost_model::UserId;
use sqlx::{AnyConnection, AnyPool, Row};

/// How long a refresh token lives if unused.
pub const REFRESH_TTL: Duration = Duration::days(30);
/// How long a magic login link stays valid.
pub const MAGIC_LINK_TTL: Duration = Duration::minutes(15);

/// A fresh login: its id and the first refresh token (plain; stored only hashed).
pub struct NewLogin {
    pub session_id: String,
    pub refresh_token: String,
}

async fn issue_refresh(conn: &mut AnyConnection, session_id: &str, now: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let token = opaque::generate_token();
    sqlx::query("INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(opaque::hash_token(&token))
        .bind(session_id.to_owned())
        .bind(ms(now))
        .bind(ms(now + REFRESH_TTL))
        .execute(&mut *conn)
        .await?;
    Ok(token)
}

async fn insert_session(conn: &mut AnyConnection, user: UserId, now: DateTime<Utc>) -> Result<NewLogin, sqlx::Error> {
    let session_id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO sessions (id, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(session_id.clone())
        .bind(user.to_string())
        .bind(ms(now))
        .execute(&mut *conn)
        .await?;
    let refresh_token = issue_refresh(conn, &session_id, now).await?;
    Ok(NewLogin { session_id, refresh_token })
}

pub async fn start(db: &Db, user: UserId, now: DateTime<Utc>) -> Result<NewLogin, StoreError> {
    db.write(move |conn| Box::pin(async move { Ok(insert_session(conn, user, now).await?) })).await
}

/// Outcome of presenting a refresh token.
pub enum Rotation {
    /// New refresh token for the same login.
    Rotated { user: UserId, session_id: String, refresh_token: String },
    /// Unknown, expired or revoked.
    Invalid,
    /// A token that was already exchanged came back: someone holds a copy. The whole
    /// login has been revoked.
    ReuseDetected,
}

pub async fn rotate(db: &Db, presented: String, now: DateTime<Utc>) -> Result<Rotation, StoreError> {
    db
        .write(move |conn| {
            Box::pin(async move {
                let row = sqlx::query(
                    "SELECT r.session_id, r.expires_at, r.used_at, s.user_id, s.revoked_at FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE r.token_hash = $1",
                )
                .bind(opaque::hash_token(&presented))
                .fetch_optional(&mut *conn)
                .await?;
                let Some(row) = row else { return Ok(Rotation::Invalid) };
                let session_id: String = row.try_get("session_id")?;
                if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
                    return Ok(Rotation::Invalid);
                }
                if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
                    revoke_in(conn, &session_id, "refresh_token_reused", now).await?;
                    return Ok(Rotation::ReuseDetected);
                }
                if row.try_get::<i64, _>("expires_at")? <= ms(now) {
                    return Ok(Rotation::Invalid);
                }
                // Only the first of two concurrent exchanges wins the update; the loser
                // is treated as a reuse, which is what it is.
                let done = sqlx::query("UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
                    .bind(ms(now))
                    .bind(opaque::hash_token(&presented))
                    .execute(&mut *conn)
                    .await?;
                if done.rows_affected() == 0 {
                    revoke_in(conn, &session_id, "refresh_token_reused", now).await?;
                    return Ok(Rotation::ReuseDetected);
                }
                let refresh_token = issue_refresh(conn, &session_id, now).await?;
                // The login's "last used" on the settings page: an API client is seen
                // at each refresh.
                sqlx::query("UPDATE sessions SET last_used_at = $1 WHERE id = $2").bind(ms(now)).bind(session_id.clone()).execute(&mut *conn).await?;
                Ok(Rotation::Rotated { user: get_parsed(&row, "user_id")?, session_id, refresh_token })
            })
        })
        .await
}

async fn revoke_in(conn: &mut AnyConnection, session_id: &str, reason: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL")
        .bind(ms(now))
        .bind(reason.to_owned())
        .bind(session_id.to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends the login a refresh token belongs to. Unknown tokens are ignored: logging out
/// twice is not an error.
pub async fn logout(db: &Db, presented: String, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let row = sqlx::query("SELECT session_id FROM refresh_tokens WHERE token_hash = $1")
                .bind(opaque::hash_token(&presented))
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(row) = row {
                let session_id: String = row.try_get(0)?;
                revoke_in(conn, &session_id, "logout", now).await?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(())
}

/// Revokes a login by id (used when its access token must stop working at once).
pub async fn revoke(db: &Db, session_id: String, reason: &'static str, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| Box::pin(async move { Ok(revoke_in(conn, &session_id, reason, now).await?) })).await?;
    Ok(())
}

pub async fn is_active(pool: &AnyPool, session_id: &str) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT revoked_at FROM sessions WHERE id = $1").bind(session_id.to_owned()).fetch_optional(pool).await?;
    Ok(match row {
        Some(r) => r.try_get::<Option<i64>, _>(0)?.is_none(),
        None => false,
    })
}

/// Stores a single-use login link `token` for `user` and queues its mail (`rendered`,
/// to `to`) in the same transaction, so a link exists exactly when its mail will go.
pub async fn create_magic_link(
    db: &Db,
    user: UserId,
    token: &str,
    to: String,
    rendered: String,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let hash = opaque::hash_token(token);
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query("INSERT INTO magic_links (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(hash)
                .bind(user.to_string())
                .bind(ms(now))
                .bind(ms(now + MAGIC_LINK_TTL))
                .execute(&mut *conn)
                .await?;
            let mail = RenderedMail {
                id: format!("security.{}", uuid::Uuid::now_v7()),
                kind: "security",
                user: Some(user),
                to_address: Some(to),
                rendered,
            };
            queue_rendered(conn, vec![mail], now).await?;
            Ok(())
        })
    })
    .await?;
    Ok(())
}

/// Redeems a magic link: valid, unexpired and unused → a new login.
pub async fn redeem_magic_link(db: &Db, token: String, now: DateTime<Utc>) -> Result<Option<(UserId, NewLogin)>, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let hash = opaque::hash_token(&token);
            let row = sqlx::query("SELECT user_id FROM magic_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
                .bind(hash.clone())
                .bind(ms(now))
                .fetch_optional(&mut *conn)
                .await?;
            let Some(row) = row else { return Ok(None) };
            let user: UserId = get_parsed(&row, "user_id")?;
            let done = sqlx::query("UPDATE magic_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
                .bind(ms(now))
                .bind(hash)
                .execute(&mut *conn)
                .await?;
            if done.rows_affected() == 0 {
                return Ok(None);
            }
            let login = insert_session(conn, user, now).await?;
            Ok(Some((user, login)))
        })
    })
    .await
}

/// Failed logins within `window` for each key.
/// Failures recorded under one key since a point in time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    pub last: Option<DateTime<Utc>>,
}

/// The failures under each key since `since`, in the order of `keys`.
pub async fn recent_failures(pool: &AnyPool, keys: &[String], since: DateTime<Utc>) -> Result<Vec<Failures>, StoreError> {
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let row = sqlx::query("SELECT COUNT(*), MAX(at) FROM login_failures WHERE scope_key = $1 AND at > $2")
            .bind(key.clone())
            .bind(ms(since))
            .fetch_one(pool)
            .await?;
        let last = row.try_get::<Option<i64>, _>(1)?.and_then(DateTime::from_timestamp_millis);
        out.push(Failures { count: row.try_get::<i64, _>(0)?, last });
    }
    Ok(out)
}

/// Forgets the failures under `key` (a successful login from that client).
pub async fn clear_failures(db: &Db, key: String) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query("DELETE FROM login_failures WHERE scope_key = $1").bind(key).execute(&mut *conn).await?;
            Ok(())
        })
    })
    .await?;
    Ok(())
}

pub async fn record_failure(db: &Db, keys: Vec<String>, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            for key in keys {
                sqlx::query("INSERT INTO login_failures (id, scope_key, at) VALUES ($1, $2, $3)")
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(key)
                    .bind(ms(now))
                    .execute(&mut *conn)
                    .await?;
            }
            // Old rows only slow the counts down.
            sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(ms(now - Duration::days(1))).execute(&mut *conn).await?;
            Ok(())
        })
    })
    .await?;
    Ok(())
}
