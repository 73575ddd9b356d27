//! Moving a whole instance from SQLite to PostgreSQL (`mentorpost copy`): every table,
//! row for row — ids, event sequences, the signing secret and token hashes included,
//! so logins, links and reply addresses keep working — into an empty, freshly migrated
//! PostgreSQL database. Then it checks: the same number of rows in every table, and the
//! same last event per mentorship.
//!
//! Tables go in the order SQLite created them, so a row's parents are there before it,
//! each read as one stream in `rowid` order and written with PostgreSQL's
//! `COPY … FROM STDIN` (text format) on a connection of its own: several times faster
//! than `INSERT`s of bound rows, which parse and plan thousands of parameters a
//! statement. Each column is read and written as the PostgreSQL column's type says
//! (text, bigint, bytea, double). The target is analysed at the end, so the first
//! queries on it are planned with statistics.

use super::{Backend, Db};
use anyhow::{Context, bail};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// Bytes of `COPY` data gathered before they are sent.
const COPY_CHUNK: usize = 1 << 20;

/// What was copied: rows per table.
#[derive(Debug, Default)]
pub struct Report {
    pub tables: Vec<(String, u64)>,
}

impl Report {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Int,
    Bytes,
    Float,
}

fn kind_of(pg_type: &str) -> anyhow::Result<Kind> {
    Ok(match pg_type {
        "text" | "character varying" | "character" => Kind::Text,
        "bigint" | "integer" | "smallint" => Kind::Int,
        "bytea" => Kind::Bytes,
        "double precision" | "real" | "numeric" => Kind::Float,
        other => bail!("no copy rule for the PostgreSQL type {other}"),
    })
}

async fn columns(target: &Db, table: &str) -> anyhow::Result<Vec<(String, Kind)>> {
    let rows = sqlx::query(
        "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1
         ORDER BY ordinal_position",
    )
    .bind(table.to_owned())
    .fetch_all(target.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get::<String, _>(0)?, kind_of(&r.try_get::<String, _>(1)?)?))).collect()
}

/// Appends `row`'s `column` to a line of `COPY` text format: `\N` for NULL, text with
/// backslash, tab, newline and carriage return escaped, bytea as `\\x` and hex.
fn encode_value(line: &mut String, row: &AnyRow, column: &str, kind: Kind) -> anyhow::Result<()> {
    use std::fmt::Write as _;
    let read = || format!("reading column {column}");
    match kind {
        Kind::Text => match row.try_get::<Option<String>, _>(column).with_context(read)? {
            None => line.push_str("\\N"),
            Some(text) => {
                for c in text.chars() {
                    match c {
                        '\\' => line.push_str("\\\\"),
                        '\t' => line.push_str("\\t"),
                        '\n' => line.push_str("\\n"),
                        '\r' => line.push_str("\\r"),
                        c => line.push(c),
                    }
                }
            }
        },
        Kind::Int => match row.try_get::<Option<i64>, _>(column).with_context(read)? {
            None => line.push_str("\\N"),
            Some(n) => {
                let _ = write!(line, "{n}");
            }
        },
        Kind::Bytes => match row.try_get::<Option<Vec<u8>>, _>(column).with_context(read)? {
            None => line.push_str("\\N"),
            Some(bytes) => {
                line.push_str("\\\\x");
                line.push_str(&hex::encode(bytes));
            }
        },
        Kind::Float => match row.try_get::<Option<f64>, _>(column).with_context(read)? {
            None => line.push_str("\\N"),
            Some(f) if f.is_nan() => line.push_str("NaN"),
            Some(f) if f.is_infinite() => line.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" }),
            // Rust prints the shortest text that reads back as the same double.
            Some(f) => {
                let _ = write!(line, "{f}");
            }
        },
    }
    Ok(())
}

/// Streams `table` from the source into the target's `COPY`; returns the rows.
async fn copy_table(source: &Db, target: &mut sqlx::PgConnection, table: &str, cols: &[(String, Kind)]) -> anyhow::Result<u64> {
    use futures_util::TryStreamExt;
    let names = cols.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", ");
    let mut copy_in =
        target.copy_in_raw(&format!("COPY {table} ({names}) FROM STDIN")).await.with_context(|| format!("starting the copy of {table}"))?;
    let select = format!("SELECT {names} FROM {table} ORDER BY rowid");
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(source.pool());
    let mut buffer = String::with_capacity(COPY_CHUNK + 64 * 1024);
    let mut copied = 0u64;
    let outcome: anyhow::Result<()> = async {
        while let Some(row) = rows.try_next().await.with_context(|| format!("reading {table}"))? {
            for (i, (column, kind)) in cols.iter().enumerate() {
                if i > 0 {
                    buffer.push('\t');
                }
                encode_value(&mut buffer, &row, column, *kind).with_context(|| format!("copying {table}"))?;
            }
            buffer.push('\n');
            copied += 1;
            if buffer.len() >= COPY_CHUNK {
                copy_in.send(buffer.as_bytes()).await.with_context(|| format!("writing {table}"))?;
                buffer.clear();
            }
        }
        if !buffer.is_empty() {
            copy_in.send(buffer.as_bytes()).await.with_context(|| format!("writing {table}"))?;
        }
        Ok(())
    }
    .await;
    drop(rows);
    match outcome {
        Ok(()) => {
            copy_in.finish().await.with_context(|| format!("finishing the copy of {table}"))?;
            Ok(copied)
        }
        Err(err) => {
            let _ = copy_in.abort("mentorpost copy failed").await;
            Err(err)
        }
    }
}

/// Copies the SQLite instance at `from` into the empty PostgreSQL database at `to`.
pub async fn copy(from: &str, to: &str) -> anyhow::Result<Report> {
    let source = Db::connect(from).await.context("opening the source")?;
    let target = Db::connect(to).await.context("opening the target")?;
    if source.backend() != Backend::Sqlite || target.backend() != Backend::Postgres {
        bail!("copy moves a SQLite instance (--from sqlite://…) to PostgreSQL (--to postgres://…)");
    }
    source.migrate().await.context("bringing the source's schema up to date")?;
    target.migrate().await.context("creating the target's schema")?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY rowid",
    )
    .fetch_all(source.pool())
    .await?;
    for table in &tables {
        let any: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT 1) AS t")))
            .fetch_one(target.pool())
            .await
            .with_context(|| format!("looking into the target's {table}"))?;
        if any > 0 {
            bail!("the target database is not empty ({table} has rows): copy only into a new database");
        }
    }
    // COPY needs PostgreSQL's own connection; the checks use the shared one.
    let mut writer = <sqlx::PgConnection as sqlx::Connection>::connect(to).await.context("opening the target for COPY")?;
    let mut report = Report::default();
    for table in &tables {
        let cols = columns(&target, table).await?;
        if cols.is_empty() {
            bail!("the target has no table {table}");
        }
        let copied = copy_table(&source, &mut writer, table, &cols).await?;
        report.tables.push((table.clone(), copied));
    }
    sqlx::Connection::close(writer).await.context("closing the COPY connection")?;
    sqlx::query("ANALYZE").execute(target.pool()).await.context("analysing the target")?;
    verify(&source, &target, &tables).await?;
    source.close().await;
    target.close().await;
    Ok(report)
}

/// Every table holds as many rows on both sides, and every mentorship's last event is
/// the same.
async fn verify(source: &Db, target: &Db, tables: &[String]) -> anyhow::Result<()> {
    for table in tables {
        let count = format!("SELECT COUNT(*) FROM {table}");
        let a: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count.clone())).fetch_one(source.pool()).await?;
        let b: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count)).fetch_one(target.pool()).await?;
        if a != b {
            bail!("{table}: {a} rows in the source, {b} in the target");
        }
    }
    let last = "SELECT mentorship_id, MAX(seq) FROM events GROUP BY mentorship_id";
    let seqs = |rows: Vec<AnyRow>| -> anyhow::Result<BTreeMap<String, i64>> {
        rows.iter().map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?))).collect()
    };
    let a = seqs(sqlx::query(last).fetch_all(source.pool()).await?)?;
    let b = seqs(sqlx::query(last).fetch_all(target.pool()).await?)?;
    if a != b {
        bail!("the last event per mentorship differs between source and target");
    }
    let last_seq = "SELECT id, last_seq FROM mentorships";
    let a = seqs(sqlx::query(last_seq).fetch_all(source.pool()).await?)?;
    let b = seqs(sqlx::query(last_seq).fetch_all(target.pool()).await?)?;
    if a != b {
        bail!("the mentorships' event counters differ between source and target");
    }
    Ok(())
}
