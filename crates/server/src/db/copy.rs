//! Moving a whole instance from SQLite to PostgreSQL (`mentorpost copy`): every table,
//! row for row — ids, event sequences, the signing secret and token hashes included,
//! so logins, links and reply addresses keep working — into an empty, freshly migrated
//! PostgreSQL database. Then it checks: the same number of rows in every table, and the
//! same last event per mentorship.
//!
//! Tables go in the order SQLite created them, so a row's parents are there before it;
//! rows in batches of [`ROWS_PER_INSERT`], read in `rowid` order. Each column is read
//! and written as the PostgreSQL column's type says (text, bigint, bytea, double).

use super::{Backend, Db};
use anyhow::{Context, bail};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// Rows per `INSERT`: PostgreSQL takes at most 65,535 parameters in one statement.
const ROWS_PER_INSERT: usize = 1000;

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

fn bind_value<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    row: &AnyRow,
    column: &str,
    kind: Kind,
) -> anyhow::Result<sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>> {
    let read = || format!("reading column {column}");
    Ok(match kind {
        Kind::Text => query.bind(row.try_get::<Option<String>, _>(column).with_context(read)?),
        Kind::Int => query.bind(row.try_get::<Option<i64>, _>(column).with_context(read)?),
        Kind::Bytes => query.bind(row.try_get::<Option<Vec<u8>>, _>(column).with_context(read)?),
        Kind::Float => query.bind(row.try_get::<Option<f64>, _>(column).with_context(read)?),
    })
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
    let mut report = Report::default();
    for table in &tables {
        let cols = columns(&target, table).await?;
        if cols.is_empty() {
            bail!("the target has no table {table}");
        }
        let names = cols.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", ");
        let mut last = i64::MIN;
        let mut copied = 0u64;
        loop {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT rowid AS copy_rowid, {names} FROM {table} WHERE rowid > $1 ORDER BY rowid LIMIT {ROWS_PER_INSERT}"
            )))
            .bind(last)
            .fetch_all(source.pool())
            .await
            .with_context(|| format!("reading {table}"))?;
            let Some(tail) = rows.last() else { break };
            last = tail.try_get("copy_rowid")?;
            let placeholders = (0..rows.len())
                .map(|r| format!("({})", (0..cols.len()).map(|c| format!("${}", r * cols.len() + c + 1)).collect::<Vec<_>>().join(", ")))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("INSERT INTO {table} ({names}) VALUES {placeholders}");
            let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
            for row in &rows {
                for (column, kind) in &cols {
                    insert = bind_value(insert, row, column, *kind).with_context(|| format!("copying {table}"))?;
                }
            }
            insert.execute(target.pool()).await.with_context(|| format!("writing {table}"))?;
            copied += rows.len() as u64;
            if rows.len() < ROWS_PER_INSERT {
                break;
            }
        }
        report.tables.push((table.clone(), copied));
    }
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
