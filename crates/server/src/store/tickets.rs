//! Single-use WebSocket tickets (30 seconds), shared by every instance.

use super::{get_parsed, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Duration, Utc};
use mentorpost_auth::opaque;
use mentorpost_model::UserId;
use sqlx::Row;

pub const TICKET_TTL: Duration = Duration::seconds(30);

pub async fn issue(db: &Db, user: UserId, session_id: String, now: DateTime<Utc>) -> Result<String, StoreError> {
    let ticket = opaque::generate_token();
    let hash = opaque::hash_token(&ticket);
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query("INSERT INTO ws_tickets (ticket_hash, user_id, session_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(hash)
                .bind(user.to_string())
                .bind(session_id)
                .bind(ms(now))
                .bind(ms(now + TICKET_TTL))
                .execute(&mut *conn)
                .await?;
            // Spent and expired tickets are worthless; keep the table small.
            sqlx::query("DELETE FROM ws_tickets WHERE expires_at < $1").bind(ms(now - Duration::minutes(5))).execute(&mut *conn).await?;
            Ok(())
        })
    })
    .await?;
    Ok(ticket)
}

/// Spends a ticket: valid, unexpired, unused, and its login not revoked → the user
/// and login it was issued to.
pub async fn redeem(db: &Db, ticket: String, now: DateTime<Utc>) -> Result<Option<(UserId, String)>, StoreError> {
    db
        .write(move |conn| {
            Box::pin(async move {
                let hash = opaque::hash_token(&ticket);
                let done = sqlx::query("UPDATE ws_tickets SET used_at = $1 WHERE ticket_hash = $2 AND used_at IS NULL AND expires_at > $1")
                    .bind(ms(now))
                    .bind(hash.clone())
                    .execute(&mut *conn)
                    .await?;
                if done.rows_affected() == 0 {
                    return Ok(None);
                }
                let row = sqlx::query("SELECT t.user_id, t.session_id FROM ws_tickets t JOIN sessions s ON s.id = t.session_id WHERE t.ticket_hash = $1 AND s.revoked_at IS NULL")
                    .bind(hash)
                    .fetch_optional(&mut *conn)
                    .await?;
                let Some(row) = row else { return Ok(None) };
                Ok(Some((get_parsed(&row, "user_id")?, row.try_get::<String, _>("session_id")?)))
            })
        })
        .await
}

/// Logins revoked at or after `since` (for closing their sockets).
pub async fn revoked_since(pool: &sqlx::AnyPool, since: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT id FROM sessions WHERE revoked_at >= $1").bind(ms(since)).fetch_all(pool).await?;
    Ok(rows.iter().map(|r| r.try_get::<String, _>(0)).collect::<Result<_, _>>()?)
}
