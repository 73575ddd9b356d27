//! Storage: every SQL statement of the service, grouped by aggregate. Functions take
//! the [`Db`](crate::db::Db) (reads from the pool, writes through `Db::write`) and
//! return model types. Times are stored as Unix milliseconds, ids as text.

pub mod actions;
pub mod agreements;
pub mod attachments;
pub mod audit;
pub mod checkins;
pub mod closings;
pub mod concerns;
pub mod devices;
pub mod edits;
pub mod erasure;
pub mod events;
pub mod exports;
pub mod health;
pub mod inbound;
pub mod inbox;
pub mod invitations;
pub mod mail;
pub mod mentorships;
pub mod notices;
pub mod person;
pub mod profiles;
pub mod programmes;
pub mod prompts;
pub mod reflections;
pub mod reminders;
pub mod retention;
pub mod reviews;
pub mod sessions;
pub mod settings;
pub mod summary;
pub mod threads;
pub mod tickets;
pub mod users;
pub mod web_sessions;

use crate::db::{Db, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::str::FromStr;

/// Runs `step` — `$1` a key (a mentorship, a person), `$2` the batch size, `$3` a
/// time — as its own write, again and again while a run fills the batch; returns the
/// rows changed. `after_each` hears every write (the erasure's test hook counts them).
///
/// Batches keep each write short, so other writers never wait long for the SQLite
/// writer: a batch is at most `batch` rows, and fewer while a statement takes longer
/// than [`BATCH_STATEMENT_TIME`] (halved each time, down to a tenth), so a live POST that
/// arrives behind one waits a few milliseconds at most.
pub async fn in_batches(
    db: &crate::db::Db,
    step: &'static str,
    key: String,
    batch: i64,
    at: i64,
    after_each: &mut (dyn FnMut() + Send),
) -> Result<u64, crate::db::StoreError> {
    let mut changed = 0;
    let smallest = (batch / 10).max(1);
    let mut size = batch;
    loop {
        let key = key.clone();
        let (n, took) = db
            .write(move |conn| {
                Box::pin(async move {
                    let started = std::time::Instant::now();
                    let done = sqlx::query(sqlx::AssertSqlSafe(step)).bind(key).bind(size).bind(at).execute(&mut *conn).await?;
                    Ok((done.rows_affected(), started.elapsed()))
                })
            })
            .await?;
        changed += n;
        after_each();
        if n < size as u64 {
            return Ok(changed);
        }
        if took > BATCH_STATEMENT_TIME {
            size = (size / 2).max(smallest);
        } else if took < BATCH_STATEMENT_TIME / 4 {
            size = (size * 2).min(batch);
        }
    }
}

/// How long one batched statement should hold the writer.
pub const BATCH_STATEMENT_TIME: std::time::Duration = std::time::Duration::from_millis(3);

pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_ms(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v).unwrap_or_default()
}

/// Columns read by name from a row of either connection: sqlx's, or the SQLite
/// writer's direct one (`db::direct`), so a row is decoded by one function for both.
pub trait Columns {
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError>;

    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.opt_text(col)?.ok_or_else(|| null_in(col))
    }
    fn int(&self, col: &str) -> Result<i64, StoreError> {
        self.opt_int(col)?.ok_or_else(|| null_in(col))
    }
    fn opt_parsed<T: FromStr>(&self, col: &str) -> Result<Option<T>, StoreError> {
        self.opt_text(col)?
            .map(|raw| raw.parse::<T>().map_err(|_| sqlx::Error::Decode(format!("column {col} holds an unparsable value").into()).into()))
            .transpose()
    }
    fn parsed<T: FromStr>(&self, col: &str) -> Result<T, StoreError> {
        self.opt_parsed(col)?.ok_or_else(|| null_in(col))
    }
    fn time(&self, col: &str) -> Result<DateTime<Utc>, StoreError> {
        Ok(from_ms(self.int(col)?))
    }
    fn opt_time(&self, col: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.opt_int(col)?.map(from_ms))
    }
}

/// A value decoded from a row of either connection (see [`fetch_rows`]).
pub trait FromColumns: Sized + Send + 'static {
    fn from_columns(row: &impl Columns) -> Result<Self, StoreError>;
}

/// The rows of a read of many rows: on SQLite through the direct read connections
/// (`db::readers`: one hand-off for the whole read instead of a wake-up per row), on
/// PostgreSQL through the pool. One SQL text and one decoder serve both.
pub async fn fetch_rows<T: FromColumns>(db: &Db, sql: String, params: Vec<crate::db::direct::Param>) -> Result<Vec<T>, StoreError> {
    match db.sqlite_readers() {
        Some(readers) => readers.fetch_all(sql, params, |row| T::from_columns(row)).await,
        None => {
            let rows = crate::db::direct::bind_sqlx(sqlx::query(sqlx::AssertSqlSafe(sql)), &params).fetch_all(db.pool()).await?;
            rows.iter().map(T::from_columns).collect()
        }
    }
}

fn null_in(col: &str) -> StoreError {
    sqlx::Error::Decode(format!("column {col} is NULL").into()).into()
}

impl Columns for AnyRow {
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(col)?)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.get(col).map_err(crate::db::direct::db_error)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        self.get(col).map_err(crate::db::direct::db_error)
    }
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

/// The items of an `IN (…)` list padded to the next power of two by repeating the last
/// one (a repeated value matches nothing more). Why: every list length is a statement
/// text of its own, and PostgreSQL parses and plans each new text, then plans each
/// prepared one afresh for its first executions; the outbox's reads with a list per
/// batch were planned on nearly every round. Padded, a few texts serve every size.
pub(super) fn padded<T>(items: &[T]) -> impl Iterator<Item = &T> {
    let extra = items.len().next_power_of_two() - items.len();
    items.iter().chain(items.last().into_iter().cycle().take(extra))
}

/// How many items [`padded`] yields for `n`.
pub(super) fn padded_len(n: usize) -> usize {
    n.next_power_of_two()
}

/// True when `err` is a unique-constraint violation (both backends).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation() || db.code().is_some_and(|c| c == "23505" || c == "2067" || c == "1555"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_lists_are_padded_to_a_power_of_two_with_the_last_item() {
        let ids = ["a", "b", "c", "d", "e"];
        let got: Vec<&str> = padded(&ids).copied().collect();
        assert_eq!(got, ["a", "b", "c", "d", "e", "e", "e", "e"]);
        assert_eq!(padded_len(ids.len()), got.len());
        assert_eq!(padded(&ids[..4]).count(), 4);
        assert_eq!(padded(&ids[..1]).count(), 1);
        assert_eq!(padded::<&str>(&[]).count(), 0);
        assert_eq!(padded_len(0), 1, "an empty list is never sent: callers return early");
    }
}
