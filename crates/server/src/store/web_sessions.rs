//! Browser sessions: a random token in an HttpOnly cookie, stored only hashed, tied to
//! a login (`sessions`) so every way of ending a login ends it. Each carries the CSRF
//! token its forms send back.

use super::{get_parsed, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Duration, Utc};
use mentorpost_auth::opaque;
use mentorpost_model::{Locale, UserId};
use sqlx::{AnyConnection, AnyPool, Row};

/// How long a browser stays signed in. A fixed lifetime rather than a sliding one: a
/// sliding one would cost a write on every page.
pub const WEB_SESSION_TTL: Duration = Duration::days(30);

/// A new browser session: the cookie's value (plain; stored only hashed).
pub struct NewWebSession {
    pub token: String,
    pub session_id: String,
}

/// The person behind a valid cookie, with what every page needs.
#[derive(Clone, Debug)]
pub struct WebSession {
    pub user_id: UserId,
    pub session_id: String,
    pub csrf_token: String,
    pub display_name: String,
    pub locale: Locale,
    pub timezone: String,
    /// An instance admin (the header links to the admin page).
    pub is_admin: bool,
    /// Coordinates at least one programme (the header links to their pages).
    pub coordinates: bool,
    /// When the login was last noted as used (the settings page's list of devices).
    pub last_used_at: Option<DateTime<Utc>>,
}

async fn insert(conn: &mut AnyConnection, session_id: &str, now: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let token = opaque::generate_token();
    sqlx::query("INSERT INTO web_sessions (token_hash, session_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(opaque::hash_token(&token))
        .bind(session_id.to_owned())
        .bind(opaque::generate_token())
        .bind(ms(now))
        .bind(ms(now + WEB_SESSION_TTL))
        .execute(&mut *conn)
        .await?;
    Ok(token)
}

/// Signs `user` in from a browser: a new login and its browser session, together.
pub async fn start(db: &Db, user: UserId, now: DateTime<Utc>) -> Result<NewWebSession, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let session_id = uuid::Uuid::now_v7().to_string();
            sqlx::query("INSERT INTO sessions (id, user_id, created_at) VALUES ($1, $2, $3)")
                .bind(session_id.clone())
                .bind(user.to_string())
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
            let token = insert(conn, &session_id, now).await?;
            Ok(NewWebSession { token, session_id })
        })
    })
    .await
}

/// A browser session for a login that already exists (a redeemed sign-in link).
pub async fn attach(db: &Db, session_id: String, now: DateTime<Utc>) -> Result<NewWebSession, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let token = insert(conn, &session_id, now).await?;
            Ok(NewWebSession { token, session_id })
        })
    })
    .await
}

/// The session a cookie names, if it is unexpired and its login not ended.
pub async fn find(pool: &AnyPool, token: &str, now: DateTime<Utc>) -> Result<Option<WebSession>, StoreError> {
    let row = sqlx::query(
        "SELECT w.session_id, w.csrf_token, s.user_id, s.last_used_at, u.display_name, u.locale, u.timezone, u.is_admin,
                (SELECT COUNT(*) FROM programme_coordinators pc WHERE pc.user_id = s.user_id) AS coordinates
         FROM web_sessions w JOIN sessions s ON s.id = w.session_id JOIN users u ON u.id = s.user_id
         WHERE w.token_hash = $1 AND w.expires_at > $2 AND s.revoked_at IS NULL",
    )
    .bind(opaque::hash_token(token))
    .bind(ms(now))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(WebSession {
        user_id: get_parsed(&row, "user_id")?,
        session_id: row.try_get("session_id")?,
        csrf_token: row.try_get("csrf_token")?,
        display_name: row.try_get("display_name")?,
        locale: Locale::parse(&row.try_get::<String, _>("locale")?).unwrap_or_default(),
        timezone: row.try_get("timezone")?,
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
        coordinates: row.try_get::<i64, _>("coordinates")? > 0,
        last_used_at: super::get_opt_time(&row, "last_used_at")?,
    }))
}

/// Signs out: ends the login (its tickets and sockets with it) and forgets the cookie.
pub async fn end(db: &Db, session_id: String, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query("UPDATE sessions SET revoked_at = $1, revoke_reason = 'logout' WHERE id = $2 AND revoked_at IS NULL")
                .bind(ms(now))
                .bind(session_id.clone())
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM web_sessions WHERE session_id = $1").bind(session_id).execute(&mut *conn).await?;
            Ok(())
        })
    })
    .await
}
