//! One code path for two databases.
//!
//! Every query is written once against sqlx's `Any` driver, in the SQL subset SQLite
//! and PostgreSQL share (`$n` parameters, `RETURNING`, `ON CONFLICT`), with ids as text
//! and times as integer milliseconds. The backend is chosen by the URL scheme.
//! Writes go through [`Db::write`]: on PostgreSQL each write is its own transaction on
//! the pool (PostgreSQL batches concurrent commits into one WAL flush by itself); on
//! SQLite all writes go to one writer task that commits many of them per transaction
//! (group commit), each inside its own savepoint so one failing write never takes its
//! neighbours down. The hot write (posting a message) goes through
//! [`Db::write_batched`] instead: concurrent posts become one set-based lane call per
//! transaction, in the SQLite writer or in a few PostgreSQL group committers. See
//! `docs/architecture.md` for the trade-offs.

mod checkpoint;
mod lane;
mod publish;
mod writer;

use anyhow::Context;
use futures_util::future::BoxFuture;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use checkpoint::Progress as CheckpointProgress;
pub use lane::{Lane, LaneFn, MAX_LANE_BATCH};
pub use publish::{Note, Subscriber, note};
pub use writer::StoreError;

/// A value of any type, moved through the writer's queue.
pub(crate) type Erased = Box<dyn std::any::Any + Send>;

/// Which database sits behind the `Any` pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A database handle: a pool for reads, and the write path for the backend.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
    /// Who hears of committed writes (see `publish`).
    publisher: publish::Publisher,
}

/// What each backend writes with; one of the two, never a mix.
#[derive(Clone)]
enum Engine {
    Sqlite {
        /// The one writing connection's task (group commit).
        writer: Arc<writer::Writer>,
        /// How to open a separate connection for migrations.
        options: AnyConnectOptions,
        /// The WAL checkpointer's progress, and its task (awaited on close).
        checkpoints: watch::Receiver<checkpoint::Progress>,
        checkpointer: Arc<Mutex<Option<JoinHandle<()>>>>,
    },
    Postgres {
        /// The group committers of batched lanes.
        lanes: Arc<lane::PgLanes>,
    },
}

/// A unit of work run inside one transaction (or savepoint) by [`Db::write`].
pub type WriteFn<T> = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send>;

static MIGRATOR_SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static MIGRATOR_POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// The writing connection. Checkpoints are not its job (see `checkpoint`); the WAL is cut
/// back to 512 MiB whenever it starts over (above the writer's restart bound, so under
/// load the file is reused, not shrunk and grown again). A 64 MiB page cache keeps the index pages
/// every post touches in memory (the default, 2 MiB, re-read them from the OS on each
/// batch); statement journals stay in memory instead of spilling to temporary files.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
     PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 536870912; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;";

/// Prepared statements each PostgreSQL connection keeps. A batch's statements are
/// written for its number of items, so a busy writer uses a few hundred distinct
/// texts; with sqlx's default of 100 they pushed each other out and every batch was
/// parsed and planned again.
const PG_STATEMENT_CACHE: usize = 1024;

/// `url` with `statement-cache-capacity` set, unless it sets one itself.
fn with_statement_cache(url: &str) -> String {
    if url.contains("statement-cache-capacity=") {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}statement-cache-capacity={PG_STATEMENT_CACHE}")
}

/// Knobs of the SQLite write path; the defaults are what the server runs with.
#[derive(Clone, Copy, Debug)]
pub struct SqliteTuning {
    /// WAL frames past which the writer lets the log start over (see `db::writer`).
    pub wal_restart_frames: i64,
}

impl Default for SqliteTuning {
    fn default() -> Self {
        SqliteTuning { wal_restart_frames: writer::RESTART_FRAMES }
    }
}

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating a SQLite file if
    /// it does not exist yet.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        Self::connect_tuned(url, SqliteTuning::default()).await
    }

    /// [`Db::connect`] with SQLite's write path tuned (tests use a small WAL bound).
    pub async fn connect_tuned(url: &str, tuning: SqliteTuning) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            anyhow::bail!("unsupported database URL scheme (use sqlite:// or postgres://)");
        };
        match backend {
            Backend::Sqlite => Self::connect_sqlite(url, tuning).await,
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(&with_statement_cache(url)).context("parsing the PostgreSQL URL")?;
                let pool = AnyPoolOptions::new()
                    .max_connections(32)
                    .min_connections(2)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .context("connecting to PostgreSQL")?;
                let lanes = Arc::new(lane::PgLanes::new(pool.clone()));
                Ok(Db { pool, engine: Engine::Postgres { lanes }, publisher: Default::default() })
            }
        }
    }

    async fn connect_sqlite(url: &str, tuning: SqliteTuning) -> anyhow::Result<Db> {
        let url = with_create_mode(url);
        if let Some(path) = sqlite_path(&url)
            && let Some(parent) = Path::new(&path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let options = AnyConnectOptions::from_str(&url).context("parsing the SQLite URL")?.disable_statement_logging();
        // The writer connection comes first: it switches the file to WAL, which every
        // reader then shares.
        let mut write_conn = AnyConnection::connect_with(&options).await.context("opening the SQLite database")?;
        write_conn.execute(SQLITE_PRAGMAS).await.context("configuring SQLite")?;
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    // Readers never write: every write goes through the writer task, so
                    // there is never a second writer to wait for. Each keeps 16 MiB of
                    // pages: with the default 2 MiB, the outbox's reads of fresh messages
                    // copied most of their pages in again with a `pread` each.
                    conn.execute(
                        "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA query_only = ON; PRAGMA cache_size = -16384;",
                    )
                    .await?;
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await
            .context("opening the SQLite read pool")?;
        let mut checkpoint_conn = AnyConnection::connect_with(&options).await.context("opening the SQLite checkpoint connection")?;
        checkpoint_conn.execute("PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL;").await.context("configuring SQLite")?;
        let (commits, commits_rx) = watch::channel(0);
        let (progress, checkpoints) = watch::channel(checkpoint::Progress::default());
        let checkpointer = tokio::spawn(checkpoint::run(checkpoint_conn, commits_rx, progress, tuning.wal_restart_frames));
        let writer = writer::Writer::spawn(write_conn, commits, checkpoints.clone(), tuning.wal_restart_frames)
            .context("starting the SQLite writer")?;
        Ok(Db {
            pool,
            engine: Engine::Sqlite {
                writer: Arc::new(writer),
                options,
                checkpoints,
                checkpointer: Arc::new(Mutex::new(Some(checkpointer))),
            },
            publisher: Default::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.engine {
            Engine::Sqlite { .. } => Backend::Sqlite,
            Engine::Postgres { .. } => Backend::Postgres,
        }
    }

    /// The pool for reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.engine {
            Engine::Postgres { .. } => {
                MIGRATOR_POSTGRES.run(&self.pool).await.context("running PostgreSQL migrations")?;
            }
            Engine::Sqlite { options, .. } => {
                // A connection of its own: the writer is idle at start, and SQLite's busy
                // timeout covers the moment it is not.
                let mut conn = AnyConnection::connect_with(options).await.context("opening SQLite for migrations")?;
                conn.execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;").await?;
                MIGRATOR_SQLITE.run(&mut conn).await.context("running SQLite migrations")?;
                conn.close().await?;
            }
        }
        Ok(())
    }

    /// Runs `work` in a transaction and commits it. Returns only after the commit is
    /// durable (SQLite `synchronous = FULL`; PostgreSQL `synchronous_commit` as
    /// configured, `on` by default). If `work` fails, nothing it wrote is kept.
    ///
    /// A write reads as one call: `db.write(move |conn| Box::pin(async move { … }))`.
    pub async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        let work: WriteFn<T> = Box::new(work);
        match &self.engine {
            Engine::Sqlite { writer, .. } => {
                let (value, notes) = writer.submit(work).await?;
                self.publisher.publish(&notes);
                Ok(value)
            }
            Engine::Postgres { .. } => {
                let mut tx = self.pool.begin().await?;
                let (outcome, notes) = publish::collecting(work(&mut tx)).await;
                match outcome {
                    Ok(value) => {
                        tx.commit().await?;
                        self.publisher.publish(&notes);
                        Ok(value)
                    }
                    Err(err) => {
                        // Dropping the transaction rolls it back; do it explicitly so the
                        // connection returns to the pool clean.
                        let _ = tx.rollback().await;
                        Err(err)
                    }
                }
            }
        }
    }

    /// Tells `subscriber` of every write committed from now on (see `publish`).
    pub fn subscribe(&self, subscriber: Arc<dyn Subscriber>) {
        self.publisher.subscribe(subscriber);
    }

    /// Publishes what a batched lane's item committed. A lane's items are written
    /// together by set-based statements, so the lane's caller in the store, which
    /// knows its item's outcome, publishes it.
    pub fn publish(&self, notes: &[Note]) {
        self.publisher.publish(notes);
    }

    /// Runs one item of a batched lane: merged with whatever else is queued for the
    /// lane into one call inside one transaction, committed before this returns.
    pub async fn write_batched<I: Send + Sync + 'static, O: Send + 'static>(
        &self,
        lane: &'static Lane<I, O>,
        item: I,
    ) -> Result<O, StoreError> {
        let erased: Arc<dyn lane::ErasedLane> = Arc::new(lane::TypedLane(lane));
        let (reply, rx) = tokio::sync::oneshot::channel();
        match &self.engine {
            Engine::Sqlite { writer, .. } => writer.submit_batched(erased, Box::new(item), reply),
            Engine::Postgres { lanes } => lanes.submit(erased, Box::new(item), reply),
        }
        let value = rx.await.map_err(|_| StoreError::WriterGone)??;
        value.downcast::<O>().map(|b| *b).map_err(|_| StoreError::WriterGone)
    }

    /// SQLite: follows the WAL checkpoints (`None` on PostgreSQL).
    pub fn checkpoints(&self) -> Option<watch::Receiver<CheckpointProgress>> {
        match &self.engine {
            Engine::Sqlite { checkpoints, .. } => Some(checkpoints.clone()),
            Engine::Postgres { .. } => None,
        }
    }

    /// Closes the pool and stops the writer after it has committed what it holds.
    pub async fn close(&self) {
        match &self.engine {
            Engine::Sqlite { writer, checkpointer, .. } => {
                writer.close().await;
                let task = checkpointer.lock().unwrap_or_else(|e| e.into_inner()).take();
                if let Some(task) = task
                    && let Err(err) = task.await
                {
                    tracing::warn!(error = %err, "the WAL checkpointer ended abnormally");
                }
            }
            Engine::Postgres { lanes } => lanes.close(),
        }
        self.pool.close().await;
    }
}

fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

/// The SQLite URL for a database file inside `data_dir`.
pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("mentorpost.db").display())
}

/// Hides the password of a database URL for logs and `Debug` output.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => {
                    format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
                }
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_get_a_statement_cache_unless_they_set_one() {
        assert_eq!(with_statement_cache("postgres://h/db"), "postgres://h/db?statement-cache-capacity=1024");
        assert_eq!(
            with_statement_cache("postgres://h/db?sslmode=require"),
            "postgres://h/db?sslmode=require&statement-cache-capacity=1024"
        );
        assert_eq!(with_statement_cache("postgres://h/db?statement-cache-capacity=5"), "postgres://h/db?statement-cache-capacity=5");
    }

    #[test]
    fn urls() {
        assert_eq!(with_create_mode("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db?mode=rwc");
        assert_eq!(sqlite_path("sqlite:///tmp/x.db?mode=rwc").as_deref(), Some("/tmp/x.db"));
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/mp"), "postgres://app:***@db:5432/mp");
        assert_eq!(redact_url("postgres://app@db/mp"), "postgres://app@db/mp");
    }
}
