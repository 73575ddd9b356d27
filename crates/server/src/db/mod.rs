//! One code path for two databases.
//!
//! Every query is written once against sqlx's `Any` driver, in the SQL subset SQLite
//! and PostgreSQL share (`$n` parameters, `RETURNING`, `ON CONFLICT`), with ids as text
//! and times as integer milliseconds. The backend is chosen by the URL scheme.
//! Writes go through [`Db::write`]: on PostgreSQL each write is its own transaction on
//! the pool (PostgreSQL batches concurrent commits into one WAL flush by itself); on
//! SQLite all writes go to one writer thread that commits many of them per transaction
//! (group commit), each inside its own savepoint so one failing write never takes its
//! neighbours down. The hot write (posting a message) goes through
//! [`Db::write_batched`] instead: concurrent posts become one set-based lane call per
//! transaction, in the SQLite writer (on its own rusqlite connection, see `direct`) or
//! in a few PostgreSQL group committers. See
//! `docs/architecture.md` for the trade-offs.

pub mod backup;
mod checkpoint;
pub mod copy;
pub mod direct;
mod lane;
mod publish;
pub mod readers;
mod writer;

use anyhow::Context;
use futures_util::future::BoxFuture;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

pub use checkpoint::Progress as CheckpointProgress;
pub use lane::{DirectFn, Lane, LaneFn, MAX_LANE_BATCH};
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
        /// Direct read connections, for reads of many rows (see `readers`).
        readers: readers::Readers,
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
fn with_statement_cache(mut url: Url) -> Url {
    if !url.query_pairs().any(|(key, _)| key == "statement-cache-capacity") {
        url.query_pairs_mut().append_pair("statement-cache-capacity", &PG_STATEMENT_CACHE.to_string());
    }
    url
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

/// How long a request waits for a PostgreSQL connection. While the server restarts,
/// new connections are refused and the pool retries until this passes: short enough
/// that a request fails fast with 503 instead of hanging, long enough to ride out a
/// quick restart or a burst that holds every connection.
const PG_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating a SQLite file if
    /// it does not exist yet.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        Self::connect_tuned(url, SqliteTuning::default()).await
    }

    /// [`Db::connect`] with SQLite's write path tuned (tests use a small WAL bound).
    pub async fn connect_tuned(url: &str, tuning: SqliteTuning) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        // The parse error never quotes the URL, which may hold a password.
        let parsed = Url::parse(url).context("the database URL is not a URL")?;
        match parsed.scheme() {
            "sqlite" => Self::connect_sqlite(parsed, tuning).await,
            "postgres" | "postgresql" => {
                let options = AnyConnectOptions::from_url(&with_statement_cache(parsed)).context("parsing the PostgreSQL URL")?;
                let pool = AnyPoolOptions::new()
                    .max_connections(32)
                    .min_connections(2)
                    .acquire_timeout(PG_ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await
                    .context("connecting to PostgreSQL")?;
                let lanes = Arc::new(lane::PgLanes::new(pool.clone()));
                Ok(Db { pool, engine: Engine::Postgres { lanes }, publisher: Default::default() })
            }
            _ => anyhow::bail!("unsupported database URL scheme (use sqlite:// or postgres://)"),
        }
    }

    async fn connect_sqlite(url: Url, tuning: SqliteTuning) -> anyhow::Result<Db> {
        let url = with_create_mode(url);
        // The writer's two connections and the readers share the database through its
        // file (an in-memory database would be a new, empty one per connection).
        let Some(file) = sqlite_file(&url)? else {
            anyhow::bail!("SQLite needs a database file (sqlite://path/to/file.db): an in-memory database is not supported")
        };
        if let Some(parent) = file.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let options = AnyConnectOptions::from_url(&url).context("parsing the SQLite URL")?.disable_statement_logging();
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
        // The batched lanes' connection (see `direct`).
        let direct = direct::open(&file, SQLITE_PRAGMAS).context("opening the SQLite writer's own connection")?;
        let writer = writer::Writer::spawn(write_conn, direct, commits, checkpoints.clone(), tuning.wal_restart_frames)
            .context("starting the SQLite writer")?;
        Ok(Db {
            pool,
            engine: Engine::Sqlite {
                writer: Arc::new(writer),
                readers: readers::Readers::new(file),
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

    /// On SQLite, the direct read connections, for reads of many rows (see `readers`).
    pub fn sqlite_readers(&self) -> Option<&readers::Readers> {
        match &self.engine {
            Engine::Sqlite { readers, .. } => Some(readers),
            Engine::Postgres { .. } => None,
        }
    }

    /// Applies the embedded migrations of this backend. Instances starting together do
    /// not race: on PostgreSQL sqlx holds an advisory lock for the run (the second
    /// waits, then finds nothing left to do); on SQLite, which serves one machine, an
    /// exclusive lock on the file `<database>.migrate-lock` does the same.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        self.migrate_to(None).await
    }

    /// Applies the migrations up to and including `last` (all when `None`), as a
    /// release whose newest migration is `last` would: the upgrade tests play the
    /// previous release with it.
    pub async fn migrate_to(&self, last: Option<i64>) -> anyhow::Result<()> {
        match &self.engine {
            Engine::Postgres { .. } => {
                let mut conn = self.pool.acquire().await.context("connecting for migrations")?;
                rolling(&MIGRATOR_POSTGRES, last).run(&mut *conn).await.context("running PostgreSQL migrations")?;
            }
            Engine::Sqlite { options, .. } => {
                let file = sqlite_file(&options.database_url)?;
                let _lock = match file {
                    Some(file) => Some(migration_lock(file).await?),
                    None => None,
                };
                // A connection of its own: the writer is idle at start, and SQLite's busy
                // timeout covers the moment it is not.
                let mut conn = AnyConnection::connect_with(options).await.context("opening SQLite for migrations")?;
                conn.execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;").await?;
                rolling(&MIGRATOR_SQLITE, last).run(&mut conn).await.context("running SQLite migrations")?;
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

/// `url` opening the file read-write and creating it, unless it sets a `mode` itself.
fn with_create_mode(mut url: Url) -> Url {
    if !url.query_pairs().any(|(key, _)| key == "mode") {
        url.query_pairs_mut().append_pair("mode", "rwc");
    }
    url
}

/// The file a SQLite URL opens, as sqlx reads it (`sqlite://data/x.db` is the relative
/// path `data/x.db`, though a URL parser sees a host `data`); `None` in memory.
fn sqlite_file(url: &Url) -> anyhow::Result<Option<PathBuf>> {
    let in_memory = url.path() == ":memory:" || url.query_pairs().any(|(key, value)| key == "mode" && value == "memory");
    if in_memory {
        return Ok(None);
    }
    let options = SqliteConnectOptions::from_url(url).context("parsing the SQLite URL")?;
    let file = options.get_filename();
    Ok((!file.as_os_str().is_empty()).then(|| file.to_path_buf()))
}

/// The embedded migrations, for a database that may already hold newer ones: during a
/// rolling upgrade an instance of the previous version restarts after the new one
/// migrated. Migrations only add tables, columns and indexes, so it goes on.
/// With `last`, only the migrations up to it: what a release that ended there knows.
fn rolling(embedded: &sqlx::migrate::Migrator, last: Option<i64>) -> sqlx::migrate::Migrator {
    let known = embedded.iter().filter(|m| last.is_none_or(|v| m.version <= v)).cloned().collect();
    let mut migrator = sqlx::migrate::Migrator::with_migrations(known);
    migrator.set_ignore_missing(true);
    migrator
}

/// Whether `err` says the disk is full: SQLite's `SQLITE_FULL` (13), PostgreSQL's
/// `disk_full` (53100), or the operating system's ENOSPC.
pub fn is_disk_full(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("13" | "53100")),
        sqlx::Error::Io(io) => io.kind() == std::io::ErrorKind::StorageFull,
        _ => false,
    }
}

/// Whether `err` says the database cannot be reached: the connection broke or could
/// not be made within the pool's acquire timeout, or PostgreSQL is shutting down,
/// starting up or terminated the session (SQLSTATE class 08, 57P01–57P03).
pub fn is_unreachable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(io) => io.kind() != std::io::ErrorKind::StorageFull,
        sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

/// Waits for and takes the exclusive lock on `<file>.migrate-lock`; it is released
/// when the returned file is dropped (or the process ends, however it ends).
async fn migration_lock(file: PathBuf) -> anyhow::Result<std::fs::File> {
    let mut name = file.into_os_string();
    name.push(".migrate-lock");
    let path = PathBuf::from(name);
    tokio::task::spawn_blocking(move || {
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        lock.lock().with_context(|| format!("locking {}", path.display()))?;
        Ok(lock)
    })
    .await
    .context("waiting for the migration lock")?
}

/// The SQLite URL for a database file inside `data_dir`. The path is percent-encoded
/// (sqlx decodes it), so a `?`, `#` or `%` in a folder name stays part of the path.
pub fn default_sqlite_url(data_dir: &Path) -> String {
    const PATH: &percent_encoding::AsciiSet =
        &percent_encoding::CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}');
    let file = data_dir.join("mentorpost.db");
    format!("sqlite://{}", percent_encoding::percent_encode(file.as_os_str().as_encoded_bytes(), PATH))
}

/// Stands in for a hidden secret.
const REDACTED: &str = "***";

/// A URL fit for logs and `Debug` output: the password (`user:password@`, or a
/// `password=` query parameter as libpq and sqlx accept) becomes `***`; the rest is
/// kept. A string that does not parse as a URL is hidden whole: where its password
/// would be cannot be told.
pub fn redact_url(raw: &str) -> String {
    let Ok(mut url) = Url::parse(raw) else { return format!("<{REDACTED} not a URL>") };
    if url.password().is_some() && url.set_password(Some(REDACTED)).is_err() {
        return format!("<{REDACTED} URL>");
    }
    if url.query_pairs().any(|(key, _)| key == "password") {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(key, value)| {
                let value = if key == "password" { REDACTED.to_owned() } else { value.into_owned() };
                (key.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("a URL")
    }

    #[test]
    fn postgres_urls_get_a_statement_cache_unless_they_set_one() {
        assert_eq!(with_statement_cache(url("postgres://h/db")).as_str(), "postgres://h/db?statement-cache-capacity=1024");
        assert_eq!(
            with_statement_cache(url("postgres://h/db?sslmode=require")).as_str(),
            "postgres://h/db?sslmode=require&statement-cache-capacity=1024"
        );
        assert_eq!(
            with_statement_cache(url("postgres://h/db?statement-cache-capacity=5")).as_str(),
            "postgres://h/db?statement-cache-capacity=5"
        );
        // A key that merely ends like it is another key.
        assert_eq!(
            with_statement_cache(url("postgres://h/db?x-statement-cache-capacity=5")).as_str(),
            "postgres://h/db?x-statement-cache-capacity=5&statement-cache-capacity=1024"
        );
    }

    #[test]
    fn sqlite_urls_create_their_file_and_name_it_as_sqlx_does() {
        assert_eq!(with_create_mode(url("sqlite:///tmp/x.db")).as_str(), "sqlite:///tmp/x.db?mode=rwc");
        assert_eq!(with_create_mode(url("sqlite:///tmp/x.db?cache=private")).as_str(), "sqlite:///tmp/x.db?cache=private&mode=rwc");
        assert_eq!(with_create_mode(url("sqlite:///tmp/x.db?mode=ro")).as_str(), "sqlite:///tmp/x.db?mode=ro");
        let file = |s: &str| sqlite_file(&with_create_mode(url(s))).expect("a SQLite URL");
        assert_eq!(file("sqlite:///tmp/x.db"), Some(PathBuf::from("/tmp/x.db")));
        assert_eq!(file("sqlite://data/x.db"), Some(PathBuf::from("data/x.db")));
        assert_eq!(file("sqlite:x.db"), Some(PathBuf::from("x.db")));
        assert_eq!(file("sqlite:///tmp/G%C3%B6khan%3F/x.db"), Some(PathBuf::from("/tmp/Gökhan?/x.db")));
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("sqlite://?mode=memory"), None);
        assert!(sqlite_file(&url("sqlite:///tmp/x.db?nonsense=1")).is_err());
    }

    #[tokio::test]
    async fn an_in_memory_sqlite_database_is_refused_with_a_clear_error() {
        for memory in ["sqlite::memory:", "sqlite://x.db?mode=memory"] {
            let err = Db::connect(memory).await.err().expect("refused");
            assert!(format!("{err:#}").contains("needs a database file"), "{memory}: {err:#}");
        }
    }

    #[test]
    fn the_default_sqlite_url_names_the_data_dir_whatever_its_name() {
        for dir in ["/srv/mentorpost", "./data", "/tmp/Łódź ğ?#%/x"] {
            let made = default_sqlite_url(Path::new(dir));
            assert_eq!(sqlite_file(&url(&made)).expect("parses"), Some(Path::new(dir).join("mentorpost.db")), "{made}");
        }
    }

    #[test]
    fn redact_url_hides_passwords_and_keeps_the_rest() {
        let cases = [
            ("postgres://app:s3cret@db:5432/mp", "postgres://app:***@db:5432/mp"),
            ("postgresql://app:s3cret@db/mp?sslmode=require", "postgresql://app:***@db/mp?sslmode=require"),
            ("smtp://mailer:p%40ss%3Aw0rd@mail.example.org:2525?tls=starttls", "smtp://mailer:***@mail.example.org:2525?tls=starttls"),
            ("smtps://mailer:%C5%BC%C3%B3%C5%82w@relay.example.org", "smtps://mailer:***@relay.example.org"),
            // Not percent-encoded by whoever wrote it: still found, still hidden.
            ("smtps://mailer:żółw-ğüş@relay.example.org", "smtps://mailer:***@relay.example.org"),
            // An empty password is no secret (and the URL parser drops it).
            ("postgres://app:@db/mp", "postgres://app@db/mp"),
            ("postgres://app:s3cret@[::1]:5432/mp", "postgres://app:***@[::1]:5432/mp"),
            ("postgres://db/mp?user=app&password=s3cret&sslmode=require", "postgres://db/mp?user=app&password=***&sslmode=require"),
            // Nothing to hide: unchanged.
            ("postgres://app@db/mp", "postgres://app@db/mp"),
            ("postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
            ("smtp://127.0.0.1:1025", "smtp://127.0.0.1:1025"),
            ("sqlite:///var/lib/mentorpost/mentorpost.db", "sqlite:///var/lib/mentorpost/mentorpost.db"),
        ];
        for (raw, redacted) in cases {
            assert_eq!(redact_url(raw), redacted, "{raw}");
        }
        for secret in ["s3cret", "p%40ss", "%C5%BC", "żółw", "ğüş"] {
            assert!(cases.iter().all(|(raw, _)| !redact_url(raw).contains(secret)), "{secret}");
        }
        // Unparseable: hidden whole, password and all.
        assert!(!redact_url("postgres://app:s3cret@db:port/mp").contains("s3cret"));
    }
}
