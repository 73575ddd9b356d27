//! Storage: every SQL statement of the service, grouped by aggregate. Functions take
//! the [`Db`](crate::db::Db) (reads from the pool, writes through `Db::write`) and
//! return model types. Times are stored as Unix milliseconds, ids as text.

pub mod checkins;
pub mod events;
pub mod health;
pub mod inbound;
pub mod mail;
pub mod mentorships;
pub mod programmes;
pub mod reminders;
pub mod sessions;
pub mod settings;
pub mod summary;
pub mod threads;
pub mod tickets;
pub mod users;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::str::FromStr;

pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_ms(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v).unwrap_or_default()
}

/// Reads a text column holding an id or another parsable value.
pub fn get_parsed<T: FromStr>(row: &AnyRow, col: &str) -> Result<T, sqlx::Error> {
    let raw: String = row.try_get(col)?;
    raw.parse::<T>().map_err(|_| sqlx::Error::Decode(format!("column {col} holds an unparsable value").into()))
}

pub fn get_opt_parsed<T: FromStr>(row: &AnyRow, col: &str) -> Result<Option<T>, sqlx::Error> {
    let raw: Option<String> = row.try_get(col)?;
    raw.map(|r| r.parse::<T>().map_err(|_| sqlx::Error::Decode(format!("column {col} holds an unparsable value").into()))).transpose()
}

pub fn get_time(row: &AnyRow, col: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    Ok(from_ms(row.try_get::<i64, _>(col)?))
}

pub fn get_opt_time(row: &AnyRow, col: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(from_ms))
}

pub fn get_opt_date(row: &AnyRow, col: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
    get_opt_parsed(row, col)
}

/// True when `err` is a unique-constraint violation (both backends).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation() || db.code().is_some_and(|c| c == "23505" || c == "2067" || c == "1555"),
        _ => false,
    }
}
