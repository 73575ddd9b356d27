//! People: accounts, their addresses and passwords.

use super::{get_parsed, get_time, is_unique_violation, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::api::UserView;
use mentorpost_model::{DisplayName, EmailAddress, Locale, ProgrammeId, TimeZoneName, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

/// A validated new account.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: EmailAddress,
    pub display_name: DisplayName,
    pub password_hash: Option<String>,
    pub locale: Locale,
    pub timezone: TimeZoneName,
    pub is_admin: bool,
    pub programme_id: Option<ProgrammeId>,
}

/// What login needs to know about an account.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub id: UserId,
    pub password_hash: Option<String>,
}

const USER_COLUMNS: &str = "id, email, display_name, timezone, locale, is_admin, password_hash, created_at";

fn user_from_row(row: &AnyRow, extra_emails: Vec<String>) -> Result<UserView, sqlx::Error> {
    let locale: String = row.try_get("locale")?;
    Ok(UserView {
        id: get_parsed(row, "id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        timezone: row.try_get("timezone")?,
        locale: Locale::parse(&locale).unwrap_or_default(),
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
        has_password: row.try_get::<Option<String>, _>("password_hash")?.is_some(),
        extra_emails,
        created_at: get_time(row, "created_at")?,
    })
}

pub async fn create(db: &Db, new: NewUser, now: DateTime<Utc>) -> Result<UserView, StoreError> {
    let id = UserId::new();
    let result = db
        .write(move |conn| {
            Box::pin(async move {
                let taken =
                    sqlx::query("SELECT 1 FROM user_emails WHERE email = $1").bind(new.email.as_str()).fetch_optional(&mut *conn).await?;
                if taken.is_some() {
                    return Err(email_taken());
                }
                sqlx::query(
                    "INSERT INTO users (id, email, display_name, timezone, locale, is_admin, password_hash, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                )
                .bind(id.to_string())
                .bind(new.email.as_str())
                .bind(new.display_name.as_str())
                .bind(new.timezone.as_str())
                .bind(new.locale.as_str())
                .bind(i64::from(new.is_admin))
                .bind(new.password_hash.clone())
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
                if let Some(programme) = new.programme_id {
                    sqlx::query("INSERT INTO programme_people (programme_id, user_id, created_at) VALUES ($1, $2, $3)")
                        .bind(programme.to_string())
                        .bind(id.to_string())
                        .bind(ms(now))
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            })
        })
        .await;
    match result {
        Ok(()) => {}
        Err(StoreError::Database(err)) if is_unique_violation(&err) => return Err(email_taken()),
        Err(err) => return Err(err),
    }
    get(db.pool(), id).await?.ok_or_else(|| StoreError::Database(sqlx::Error::RowNotFound))
}

fn email_taken() -> StoreError {
    StoreError::conflict("email_taken", "an account with this e-mail address already exists")
}

pub async fn get(pool: &AnyPool, id: UserId) -> Result<Option<UserView>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(pool).await? else {
        return Ok(None);
    };
    let extra = extra_emails(pool, id).await?;
    Ok(Some(user_from_row(&row, extra)?))
}

async fn extra_emails(pool: &AnyPool, id: UserId) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query("SELECT email FROM user_emails WHERE user_id = $1 AND verified_at IS NOT NULL ORDER BY email")
        .bind(id.to_string())
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
}

/// Lists everyone (admins) or the people of the given programmes (coordinators):
/// coordinators, enrolled people and members of its mentorships.
pub async fn list(pool: &AnyPool, programmes: Option<&[ProgrammeId]>) -> Result<Vec<UserView>, StoreError> {
    let rows = match programmes {
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users ORDER BY display_name, id"))).fetch_all(pool).await?
        }
        Some(ids) => {
            let mut rows = Vec::new();
            for programme in ids {
                let sql = format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE id IN (
                        SELECT user_id FROM programme_people WHERE programme_id = $1
                        UNION SELECT user_id FROM programme_coordinators WHERE programme_id = $1
                        UNION SELECT mm.user_id FROM mentorship_members mm JOIN mentorships m ON m.id = mm.mentorship_id WHERE m.programme_id = $1)
                     ORDER BY display_name, id"
                );
                rows.extend(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.to_string()).fetch_all(pool).await?);
            }
            rows
        }
    };
    let mut out: Vec<UserView> = Vec::with_capacity(rows.len());
    for row in &rows {
        let view = user_from_row(row, Vec::new())?;
        if !out.iter().any(|u| u.id == view.id) {
            out.push(view);
        }
    }
    for user in &mut out {
        user.extra_emails = extra_emails(pool, user.id).await?;
    }
    Ok(out)
}

/// Finds the account that owns `email`, as primary or as verified extra address.
pub async fn find_credentials(pool: &AnyPool, email: &EmailAddress) -> Result<Option<Credentials>, StoreError> {
    let row = sqlx::query(
        "SELECT id, password_hash FROM users WHERE email = $1
         UNION ALL
         SELECT u.id, u.password_hash FROM user_emails e JOIN users u ON u.id = e.user_id WHERE e.email = $1 AND e.verified_at IS NOT NULL",
    )
    .bind(email.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(|r| Ok(Credentials { id: get_parsed(&r, "id")?, password_hash: r.try_get("password_hash")? })).transpose()
}

pub async fn is_admin(pool: &AnyPool, id: UserId) -> Result<Option<bool>, StoreError> {
    let row = sqlx::query("SELECT is_admin FROM users WHERE id = $1").bind(id.to_string()).fetch_optional(pool).await?;
    Ok(row.map(|r| r.try_get::<i64, _>(0).map(|v| v != 0)).transpose()?)
}

pub async fn set_password(db: &Db, id: UserId, hash: String, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let changed = db
        .write(move |conn| {
            Box::pin(async move {
                let done = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
                    .bind(hash)
                    .bind(ms(now))
                    .bind(id.to_string())
                    .execute(&mut *conn)
                    .await?;
                Ok(done.rows_affected() == 1)
            })
        })
        .await?;
    Ok(changed)
}

/// Changes a person's own profile: the name others see, the language of pages and
/// mail, and the time zone times are shown (and digests and quiet hours kept) in.
pub async fn update_profile(
    db: &Db,
    id: UserId,
    display_name: DisplayName,
    locale: Locale,
    timezone: TimeZoneName,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = db
        .write(move |conn| {
            Box::pin(async move {
                let done = sqlx::query("UPDATE users SET display_name = $1, locale = $2, timezone = $3, updated_at = $4 WHERE id = $5")
                    .bind(display_name.as_str())
                    .bind(locale.as_str())
                    .bind(timezone.as_str())
                    .bind(ms(now))
                    .bind(id.to_string())
                    .execute(&mut *conn)
                    .await?;
                Ok(done.rows_affected() == 1)
            })
        })
        .await?;
    Ok(changed)
}

/// Adds a further address, marked verified (an admin vouches for it; self-service
/// verification by mail comes with inbound mail).
pub async fn add_verified_email(db: &Db, id: UserId, email: EmailAddress, now: DateTime<Utc>) -> Result<(), StoreError> {
    let result = db
        .write(move |conn| {
            Box::pin(async move {
                let taken = sqlx::query("SELECT 1 FROM users WHERE email = $1").bind(email.as_str()).fetch_optional(&mut *conn).await?;
                if taken.is_some() {
                    return Err(email_taken());
                }
                sqlx::query("INSERT INTO user_emails (email, user_id, verified_at, created_at) VALUES ($1, $2, $3, $3)")
                    .bind(email.as_str())
                    .bind(id.to_string())
                    .bind(ms(now))
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .await;
    match result {
        Err(StoreError::Database(err)) if is_unique_violation(&err) => Err(email_taken()),
        other => Ok(other?),
    }
}

pub async fn count(pool: &AnyPool) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT COUNT(*) FROM users").fetch_one(pool).await?.try_get::<i64, _>(0)?)
}
