//! Exports built in the background (`exports`, migration 0021): the file's record, the
//! link's token hash, and its expiry. The data itself is read by `store::person`.

use super::mail::RenderedMail;
use super::{get_opt_time, get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::UserId;
use sqlx::{AnyPool, Row};

/// A finished export file waiting to be fetched.
#[derive(Clone, Debug)]
pub struct NewExport {
    /// Also the file's name (`<data dir>/exports/<id>.zip`).
    pub id: String,
    pub user: UserId,
    pub requested_by: UserId,
    pub token_hash: String,
    pub size_bytes: i64,
    pub expires_at: DateTime<Utc>,
}

/// An export as its link finds it.
#[derive(Clone, Debug)]
pub struct Export {
    pub id: String,
    pub user: UserId,
    pub expires_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
}

/// Records a finished export and queues the mail with its link, in one transaction:
/// the link is never mailed for a file that is not recorded.
pub async fn record(db: &Db, export: NewExport, mail: RenderedMail, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO exports (id, user_id, requested_by, token_hash, size_bytes, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(export.id.as_str())
            .bind(export.user.to_string())
            .bind(export.requested_by.to_string())
            .bind(export.token_hash.as_str())
            .bind(export.size_bytes)
            .bind(ms(now))
            .bind(ms(export.expires_at))
            .execute(&mut *conn)
            .await?;
            super::mail::queue_rendered(conn, vec![mail], now).await?;
            Ok(())
        })
    })
    .await
}

/// The export a link's token names.
pub async fn by_token(pool: &AnyPool, token_hash: &str) -> Result<Option<Export>, StoreError> {
    let row = sqlx::query("SELECT id, user_id, expires_at, removed_at FROM exports WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(pool)
        .await?;
    Ok(row
        .map(|r| -> Result<Export, sqlx::Error> {
            Ok(Export {
                id: r.try_get("id")?,
                user: get_parsed(&r, "user_id")?,
                expires_at: get_time(&r, "expires_at")?,
                removed_at: get_opt_time(&r, "removed_at")?,
            })
        })
        .transpose()?)
}

/// The exports whose time ran out and whose file is still there.
pub async fn expired(pool: &AnyPool, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT id FROM exports WHERE removed_at IS NULL AND expires_at <= $1 ORDER BY expires_at")
        .bind(ms(now))
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(|r| r.try_get::<String, _>(0)).collect::<Result<_, _>>()?)
}

/// Notes that an export's file is gone.
pub async fn mark_removed(db: &Db, id: String, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query("UPDATE exports SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL")
                .bind(ms(now))
                .bind(id)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    })
    .await
}

/// Every export id that is recorded (with or without its file), for removing files no
/// record names (a build that crashed before recording it).
pub async fn known_ids(pool: &AnyPool) -> Result<std::collections::HashSet<String>, StoreError> {
    let rows = sqlx::query("SELECT id FROM exports WHERE removed_at IS NULL").fetch_all(pool).await?;
    Ok(rows.iter().map(|r| r.try_get::<String, _>(0)).collect::<Result<_, _>>()?)
}
