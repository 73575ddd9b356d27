//! Instance-wide settings stored in the database, so every instance on one
//! PostgreSQL shares them (the JWT signing secret above all).

use crate::db::Db;
use base64::Engine;
use sqlx::Row;

const JWT_SECRET_KEY: &str = "jwt_secret";

/// Returns the stored signing secret, generating and storing one on first start. Two
/// instances starting at once agree: the insert is `ON CONFLICT DO NOTHING` and both
/// read back the row that won.
pub async fn jwt_secret(db: &Db) -> anyhow::Result<Vec<u8>> {
    let engine = base64::engine::general_purpose::STANDARD;
    let candidate = engine.encode(mentorpost_auth::token::generate_secret());
    let stored: String = db
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                    .bind(JWT_SECRET_KEY)
                    .bind(candidate)
                    .execute(&mut *conn)
                    .await?;
                let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(JWT_SECRET_KEY).fetch_one(&mut *conn).await?;
                Ok(row.try_get::<String, _>(0)?)
            })
        })
        .await?;
    Ok(engine.decode(stored)?)
}
