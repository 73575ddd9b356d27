//! Direct (`rusqlite`) read connections to the SQLite file, for reads of many rows.
//!
//! Why: sqlx's SQLite driver sends every row from the connection's worker thread to
//! the reading task through a channel, and each row wakes that task again: a read of a
//! few thousand rows (a programme's health: every mentorship and its members) spent
//! most of its time in thread switches and row conversion (profile in
//! `docs/benchmarks.md`, "Programme health"). Here the whole query runs on one
//! blocking thread with one hand-off there and back. The sqlx pool stays for every
//! other read; PostgreSQL has no such cost and no such connections.

use super::StoreError;
use super::direct::{Param, db_error, prepare};
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Idle connections kept for the next read (more are opened while reads overlap).
const KEEP_IDLE: usize = 4;

/// Every reader connection: read-only, and waits rather than fails on a lock.
const READER_PRAGMAS: &str = "PRAGMA query_only = ON; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -16384;";

/// The read connections of one SQLite file.
#[derive(Clone)]
pub struct Readers {
    file: Arc<PathBuf>,
    idle: Arc<Mutex<Vec<Connection>>>,
}

impl Readers {
    pub fn new(file: PathBuf) -> Readers {
        Readers { file: Arc::new(file), idle: Arc::default() }
    }

    /// Runs `sql` with `params` and decodes every row with `decode`, on a blocking
    /// thread with a connection of its own.
    pub async fn fetch_all<T: Send + 'static>(
        &self,
        sql: String,
        params: Vec<Param>,
        decode: impl Fn(&rusqlite::Row) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<Vec<T>, StoreError> {
        let readers = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = readers.take()?;
            let rows = query(&conn, &sql, &params, &decode);
            readers.put_back(conn);
            rows
        })
        .await
        .map_err(|err| StoreError::Database(sqlx::Error::Protocol(format!("a SQLite read stopped: {err}"))))?
    }

    fn take(&self) -> Result<Connection, StoreError> {
        if let Some(conn) = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop() {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(self.file.as_path(), OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(db_error)?;
        conn.execute_batch(READER_PRAGMAS).map_err(db_error)?;
        Ok(conn)
    }

    fn put_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < KEEP_IDLE {
            idle.push(conn);
        }
    }
}

fn query<T>(
    conn: &Connection,
    sql: &str,
    params: &[Param],
    decode: &impl Fn(&rusqlite::Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = prepare(conn, sql, params)?;
    let mut cursor = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = cursor.next().map_err(db_error)? {
        out.push(decode(row)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_every_row_and_reuses_its_connection() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("x.db");
        let writer = Connection::open(&file).expect("open");
        writer
            .execute_batch("CREATE TABLE t (name TEXT, n INTEGER); INSERT INTO t VALUES ('Łódź', 1), ('Gökhan', 2), ('João', 3);")
            .expect("seed");
        let readers = Readers::new(file);
        for _ in 0..2 {
            let rows = readers
                .fetch_all("SELECT name, n FROM t WHERE n >= $1 ORDER BY n".to_owned(), vec![Param::Int(2)], |row| {
                    Ok((row.get::<_, String>("name").map_err(db_error)?, row.get::<_, i64>("n").map_err(db_error)?))
                })
                .await
                .expect("read");
            assert_eq!(rows, [("Gökhan".to_owned(), 2), ("João".to_owned(), 3)]);
        }
        assert_eq!(readers.idle.lock().expect("lock").len(), 1, "one connection, reused");
        let err = readers.fetch_all("INSERT INTO t VALUES ('x', 9)".to_owned(), vec![], |_| Ok(())).await;
        assert!(err.is_err(), "readers never write");
    }
}
