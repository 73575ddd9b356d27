//! The SQLite writer's second connection: `rusqlite`, called on the writer's own thread.
//!
//! Why: sqlx runs every SQLite statement on a worker thread of the connection and hands
//! the result back, two thread wake-ups per statement. A message posted alone on an
//! idle server paid for four such round trips (begin, read, write, commit), more than
//! its fsync (see `docs/benchmarks.md`). The hot batched lanes (posting) run here
//! instead, with no hand-off at all; every other write keeps the sqlx connection and
//! its `AnyConnection` closures. Both connections belong to the one writer thread, which
//! runs their transactions one after the other, so there is still one writer.

use super::StoreError;
use rusqlite::Connection;
use rusqlite::types::Value;
use std::borrow::Cow;
use std::path::Path;

/// Statements kept prepared: a batch's texts depend on its number of items.
const STATEMENT_CACHE: usize = 512;

/// Opens the direct connection to the file the writer already set up (WAL mode is a
/// property of the file; the rest is per connection, the writer's own settings).
pub fn open(path: &Path, pragmas: &str) -> Result<Connection, rusqlite::Error> {
    use rusqlite::OpenFlags;
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.execute_batch(pragmas)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// A parameter value, bound the same way to an sqlx query or a rusqlite statement, so
/// one function lists a query's parameters for both.
#[derive(Clone, Debug)]
pub enum Param {
    Text(String),
    Int(i64),
    Null,
}

impl From<String> for Param {
    fn from(s: String) -> Self {
        Param::Text(s)
    }
}

impl From<&str> for Param {
    fn from(s: &str) -> Self {
        Param::Text(s.to_owned())
    }
}

impl From<i64> for Param {
    fn from(n: i64) -> Self {
        Param::Int(n)
    }
}

impl From<Option<String>> for Param {
    fn from(s: Option<String>) -> Self {
        s.map_or(Param::Null, Param::Text)
    }
}

/// Binds `params` to an sqlx query in order (`$1` is the first).
pub fn bind_sqlx<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    params: &[Param],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for p in params {
        query = match p {
            Param::Text(s) => query.bind(s.clone()),
            Param::Int(n) => query.bind(*n),
            Param::Null => query.bind(None::<String>),
        };
    }
    query
}

/// Prepares `sql` (cached) and binds its numbered parameters: `$n` takes `params[n - 1]`
/// wherever, and however often, it appears.
pub fn prepare<'c>(conn: &'c Connection, sql: &str, params: &[Param]) -> Result<rusqlite::CachedStatement<'c>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_error)?;
    for index in 1..=stmt.parameter_count() {
        let number = stmt.parameter_name(index).and_then(|name| name.strip_prefix('$')).and_then(|n| n.parse::<usize>().ok());
        let value = match number.and_then(|n| n.checked_sub(1)).and_then(|n| params.get(n)) {
            Some(Param::Text(s)) => Value::Text(s.clone()),
            Some(Param::Int(n)) => Value::Integer(*n),
            Some(Param::Null) => Value::Null,
            None => return Err(StoreError::Database(sqlx::Error::Protocol(format!("unbound parameter {index} in a direct statement")))),
        };
        stmt.raw_bind_parameter(index, value).map_err(db_error)?;
    }
    Ok(stmt)
}

/// Runs a statement that returns no rows (or whose rows nobody needs).
pub fn execute(conn: &Connection, sql: &str, params: &[Param]) -> Result<(), StoreError> {
    let mut stmt = prepare(conn, sql, params)?;
    let mut rows = stmt.raw_query();
    while rows.next().map_err(db_error)?.is_some() {}
    Ok(())
}

/// Runs `sql` with no parameters (transaction control).
pub fn batch(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.execute_batch(sql).map_err(db_error)
}

/// A rusqlite error as the sqlx error the rest of the store knows: a database error
/// keeps SQLite's extended code, so unique violations and a full disk are told apart
/// exactly as on the sqlx connection.
pub fn db_error(err: rusqlite::Error) -> StoreError {
    match err {
        rusqlite::Error::SqliteFailure(failure, message) => {
            let message = message.unwrap_or_else(|| failure.to_string());
            let error = DirectError { code: failure.extended_code, message };
            if error.code & 0xff == rusqlite::ffi::SQLITE_FULL {
                return StoreError::Full;
            }
            StoreError::Database(sqlx::Error::Database(Box::new(error)))
        }
        other => StoreError::Database(sqlx::Error::Protocol(format!("sqlite: {other}"))),
    }
}

/// An error SQLite reported on the direct connection.
#[derive(Debug)]
pub struct DirectError {
    /// The extended result code (2067: a unique index refused a row).
    code: i32,
    message: String,
}

impl std::fmt::Display for DirectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "(code: {}) {}", self.code, self.message)
    }
}

impl std::error::Error for DirectError {}

impl sqlx::error::DatabaseError for DirectError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sqlx::error::ErrorKind {
        use rusqlite::ffi;
        match self.code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => sqlx::error::ErrorKind::UniqueViolation,
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => sqlx::error::ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => sqlx::error::ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => sqlx::error::ErrorKind::CheckViolation,
            _ => sqlx::error::ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_parameters_bind_wherever_they_appear() {
        let conn = Connection::open_in_memory().expect("in-memory database");
        let params = [Param::from("b"), Param::Int(7), Param::Null];
        let mut stmt = prepare(&conn, "SELECT $2, $1, $2 + 1, $3 IS NULL", &params).expect("prepared");
        let mut rows = stmt.raw_query();
        let row = rows.next().expect("stepped").expect("a row");
        assert_eq!(row.get::<_, i64>(0).expect("int"), 7);
        assert_eq!(row.get::<_, String>(1).expect("text"), "b");
        assert_eq!(row.get::<_, i64>(2).expect("int"), 8);
        assert!(row.get::<_, bool>(3).expect("bool"));
    }

    #[test]
    fn a_unique_violation_reads_as_one_with_sqlites_code() {
        let conn = Connection::open_in_memory().expect("in-memory database");
        batch(&conn, "CREATE TABLE t (k TEXT); CREATE UNIQUE INDEX t_k ON t (k); INSERT INTO t VALUES ('a');").expect("set up");
        let err = execute(&conn, "INSERT INTO t VALUES ($1)", &[Param::from("a")]).expect_err("refused");
        match err {
            StoreError::Database(sqlx::Error::Database(err)) => {
                assert!(err.is_unique_violation(), "{err}");
                assert_eq!(err.code().as_deref(), Some("2067"), "SQLite's extended code for a unique index");
            }
            other => panic!("not a database error: {other}"),
        }
    }

    #[test]
    fn a_missing_parameter_is_an_error_not_a_null() {
        let conn = Connection::open_in_memory().expect("in-memory database");
        assert!(prepare(&conn, "SELECT $2", &[Param::Int(1)]).is_err());
    }
}
