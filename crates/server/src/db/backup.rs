//! Online backup and restore of a SQLite instance. Everything a SQLite instance holds
//! is in its one database file (attachments included), so a backup is that file as of
//! one moment: `VACUUM INTO` copies a consistent snapshot while the server goes on
//! reading and writing (it holds a read transaction, which WAL mode lets writers pass),
//! into a new file that is then checked, synced and given its name. A restore checks
//! the backup first and puts it in place of the (stopped) instance's file in one
//! rename. PostgreSQL has its own tools (`pg_dump`, `pg_restore`).

use anyhow::{Context, bail};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Row};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What a backup or restore holds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Summary {
    pub bytes: u64,
    pub messages: i64,
    pub attachments: i64,
}

/// The database file a `sqlite://` URL names; PostgreSQL is refused with the way to go.
pub fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        bail!("this instance runs on PostgreSQL: back it up with pg_dump and restore with pg_restore (docs/architecture.md, \"Backups\")");
    }
    let options = SqliteConnectOptions::from_str(url).context("parsing the SQLite URL")?;
    let file = options.get_filename().to_path_buf();
    if file.as_os_str().is_empty() || file.as_os_str() == ":memory:" {
        bail!("an in-memory database has nothing to back up");
    }
    Ok(file)
}

async fn open(file: &Path, read_only: bool) -> anyhow::Result<SqliteConnection> {
    SqliteConnectOptions::new()
        .filename(file)
        .read_only(read_only)
        .busy_timeout(std::time::Duration::from_secs(30))
        .disable_statement_logging()
        .connect()
        .await
        .with_context(|| format!("opening {}", file.display()))
}

/// Checks a database file and counts what it holds.
async fn check(file: &Path) -> anyhow::Result<Summary> {
    let mut conn = open(file, true).await?;
    let verdict: String = sqlx::query("PRAGMA integrity_check").fetch_one(&mut conn).await?.try_get(0)?;
    if verdict != "ok" {
        bail!("{} is damaged: {verdict}", file.display());
    }
    let count = |table: &'static str| format!("SELECT COUNT(*) FROM {table}");
    let messages: i64 = sqlx::query(sqlx::AssertSqlSafe(count("messages")))
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is no mentorpost database", file.display()))?
        .try_get(0)?;
    let attachments: i64 = sqlx::query(sqlx::AssertSqlSafe(count("attachments"))).fetch_one(&mut conn).await?.try_get(0)?;
    conn.close().await?;
    let bytes = std::fs::metadata(file).with_context(|| format!("reading {}", file.display()))?.len();
    Ok(Summary { bytes, messages, attachments })
}

fn sync_file_and_dir(file: &Path) -> anyhow::Result<()> {
    std::fs::File::open(file).and_then(|f| f.sync_all()).with_context(|| format!("syncing {}", file.display()))?;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir).and_then(|d| d.sync_all()).with_context(|| format!("syncing {}", dir.display()))?;
    }
    Ok(())
}

/// Copies the database at `url` into `to` (which must not exist) while it is in use.
pub async fn backup(url: &str, to: &Path) -> anyhow::Result<Summary> {
    let source = sqlite_path(url)?;
    if !source.exists() {
        bail!("there is no database at {}", source.display());
    }
    if to.exists() {
        bail!("{} exists already: give a new file name", to.display());
    }
    let part = to.with_extension("part");
    let _ = std::fs::remove_file(&part);
    // Read-write, though it only reads: a read-only connection cannot make the WAL
    // index it needs when the server is not running.
    let mut conn = open(&source, false).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(part.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await
        .with_context(|| format!("copying into {}", part.display()))?;
    conn.close().await?;
    let summary = check(&part).await?;
    sync_file_and_dir(&part)?;
    std::fs::rename(&part, to).with_context(|| format!("naming {}", to.display()))?;
    sync_file_and_dir(to)?;
    Ok(summary)
}

/// Puts the backup `from` in place of the database at `url`. The instance must be
/// stopped. A database that holds people is only replaced with `force`.
pub async fn restore(from: &Path, url: &str, force: bool) -> anyhow::Result<Summary> {
    let target = sqlite_path(url)?;
    let summary = check(from).await.context("checking the backup")?;
    if target.exists() && !force {
        let mut conn = open(&target, false).await?;
        let people: Option<i64> = sqlx::query("SELECT COUNT(*) FROM users").fetch_one(&mut conn).await.ok().and_then(|r| r.try_get(0).ok());
        conn.close().await?;
        if people.unwrap_or(0) > 0 {
            bail!("{} holds an instance with people in it: stop its server, then give --force to replace it", target.display());
        }
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let part = target.with_extension("restore-part");
    std::fs::copy(from, &part).with_context(|| format!("copying {} to {}", from.display(), part.display()))?;
    sync_file_and_dir(&part)?;
    // The old file's write-ahead log belongs to the old file: left beside the new one,
    // SQLite would replay it into the restored data.
    for suffix in ["-wal", "-shm"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&part, &target).with_context(|| format!("putting the backup in place at {}", target.display()))?;
    sync_file_and_dir(&target)?;
    Ok(summary)
}
