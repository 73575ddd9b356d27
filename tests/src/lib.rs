//! Test harness: starts the real server on port 0 with a fresh database — a SQLite
//! file in a temp dir, or a fresh PostgreSQL database (dropped afterwards) when
//! `MENTORPOST_TEST_POSTGRES_URL` is set — and drives it over HTTP.
//!
//! Every scenario runs on both backends through [`both_backends!`].

pub mod contract;
pub mod smtp;
pub mod web;
pub mod world;

use mentorpost_model::ManualClock;
use mentorpost_server::store::users::NewUser;
use mentorpost_server::{App, AppState, Config};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::Connection;
use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use world::World;

/// Environment variable naming a PostgreSQL server (any database on it) for tests.
pub const PG_ENV: &str = "MENTORPOST_TEST_POSTGRES_URL";
/// The inbound endpoint's secret of [`TestServer::start_for_mail`].
pub const INBOUND_SECRET: &str = "inbound-secret-for-tests-0123456789abcdef";
/// The mail domain of [`TestServer::start_for_mail`]: reply, bounce and invitation
/// addresses end in it.
pub const MAIL_DOMAIN: &str = "mentorpost.test";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server with its own database.
pub struct TestServer {
    pub base: String,
    /// The server's clock: starts at the wall clock; tests move it forward.
    pub clock: Arc<ManualClock>,
    pub client: reqwest::Client,
    pub state: AppState,
    pub backend: Backend,
    shutdown: CancellationToken,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
    pg: Option<PgDatabase>,
    /// The server's OpenAPI document, fetched on the first checked call.
    contract: tokio::sync::OnceCell<contract::Contract>,
}

/// A throwaway PostgreSQL database, dropped with `WITH (FORCE)` when the test ends.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside async; a short-lived thread with its own runtime does the I/O.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(rt) = rt {
                rt.block_on(async move {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")))
                            .execute(&mut conn)
                            .await;
                    }
                });
            }
        })
        .join();
    }
}

/// `url` naming the database `db` instead of its own; the rest (user, host, query) is kept.
fn pg_url_with_db(url: &str, db: &str) -> String {
    let mut url = url::Url::parse(url).unwrap_or_else(|e| panic!("{PG_ENV} is not a URL: {e}"));
    url.set_path(db);
    url.into()
}

/// Creates a fresh PostgreSQL database, or says why it cannot. Panics (fails the test)
/// when the variable is set but the server is unreachable: CI must not silently skip.
pub async fn fresh_pg() -> Option<(String, PgDatabase)> {
    let admin_url = std::env::var(PG_ENV).ok().filter(|s| !s.is_empty())?;
    let name = format!("mp_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn =
        sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| panic!("{PG_ENV} is set but PostgreSQL is unreachable: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))).execute(&mut conn).await.expect("create test database");
    let url = pg_url_with_db(&admin_url, &name);
    Some((url, PgDatabase { admin_url, name }))
}

impl TestServer {
    /// Starts a server on the backend, or `None` when PostgreSQL is not configured.
    pub async fn start(backend: Backend) -> Option<TestServer> {
        Self::start_with(backend, |_| {}).await
    }

    /// A server that takes mail in: the inbound endpoint open with [`INBOUND_SECRET`],
    /// addresses at [`MAIL_DOMAIN`].
    pub async fn start_for_mail(backend: Backend) -> Option<TestServer> {
        Self::start_with(backend, |c| {
            c.inbound_secret = Some(INBOUND_SECRET.to_owned());
            c.mail_domain = MAIL_DOMAIN.to_owned();
        })
        .await
    }

    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestServer> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_data_dir(dir.path().to_path_buf());
        let mut pg = None;
        if backend == Backend::Postgres {
            let (url, db) = fresh_pg().await?;
            config.database_url = url;
            pg = Some(db);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        config.http = addr;
        config.public_url = format!("http://{addr}");
        // The harness's own client keeps connections open, so a drain would last its
        // whole period at every stop; the drain tests set one of their own.
        config.drain = std::time::Duration::ZERO;
        // A moved test clock would start a retention run behind the test's back.
        config.retention_job = false;
        tweak(&mut config);
        let clock = Arc::new(ManualClock::new());
        let app = App::build_with_clock(config, clock.clone()).await.expect("build app");
        let state = app.state.clone();
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(app.run(listener, shutdown.clone()));
        let client = reqwest::Client::builder().no_proxy().build().expect("http client");
        Some(TestServer {
            base: format!("http://{addr}"),
            clock,
            client,
            state,
            backend,
            shutdown,
            handle: Some(handle),
            _dir: dir,
            pg,
            contract: Default::default(),
        })
    }

    /// Tells the server to stop, as SIGTERM does, without waiting: it drains first
    /// (`Config::drain`). [`TestServer::stop`] then waits for the end.
    pub fn begin_stop(&self) {
        self.shutdown.cancel();
    }

    /// Stops the server and waits until it has finished.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(handle) = self.handle.take() {
            let _ = handle.await;
        }
        drop(self.pg.take());
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request and returns status and JSON body (Null when empty or not JSON).
    /// The answer is checked against the API contract (see [`contract`]).
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.client.request(method.clone(), self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        self.checked(method, path, req).await
    }

    /// Sends the request, checks the answer against the document and returns status
    /// and JSON body (Null when empty or not JSON).
    async fn checked(&self, method: Method, path: &str, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let content_type = resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = resp.bytes().await.expect("body");
        let answer = contract::Answer { status, content_type: content_type.as_deref(), body: &bytes };
        self.contract().await.check(&method, path, &answer);
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// The document this server serves, fetched once.
    pub async fn contract(&self) -> &contract::Contract {
        self.contract
            .get_or_init(|| async {
                let resp = self.client.get(self.url("/api/openapi.json")).send().await.expect("fetch the OpenAPI document");
                assert_eq!(resp.status(), StatusCode::OK, "the OpenAPI document is served");
                contract::Contract::new(resp.json().await.expect("the OpenAPI document is JSON"))
            })
            .await
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    /// Sends raw bytes with the given content type.
    pub async fn raw(&self, method: Method, path: &str, token: Option<&str>, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let mut req = self.client.request(method.clone(), self.url(path)).header("content-type", content_type).body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.checked(method, path, req).await
    }

    /// Creates an account directly in the store (faster than the API, and needed for
    /// the first admin). Returns its id.
    pub async fn create_user(&self, email: &str, name: &str, password: Option<&str>, admin: bool) -> mentorpost_model::UserId {
        let hash = password.map(|p| mentorpost_auth::password::hash_password(p).expect("hash"));
        let new = NewUser {
            email: mentorpost_model::EmailAddress::parse(email).expect("email"),
            display_name: mentorpost_model::DisplayName::parse(name).expect("name"),
            password_hash: hash,
            locale: mentorpost_model::Locale::En,
            timezone: mentorpost_model::TimeZoneName::default(),
            is_admin: admin,
            programme_id: None,
        };
        mentorpost_server::store::users::create(&self.state.db, new, chrono::Utc::now()).await.expect("create user").id
    }

    /// Logs in and returns (access token, refresh token).
    pub async fn login(&self, email: &str, password: &str) -> (String, String) {
        let (status, body) =
            self.call(Method::POST, "/api/v1/auth/login", None, Some(serde_json::json!({"email": email, "password": password}))).await;
        assert_eq!(status, StatusCode::OK, "login failed: {body}");
        (body["access_token"].as_str().expect("access").to_owned(), body["refresh_token"].as_str().expect("refresh").to_owned())
    }

    /// The data dir of this server (SQLite file, `mail/` with written mail).
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// Sends everything due, until the outbox has nothing due pending or in flight (the
    /// background worker may have claimed a row: then its progress is awaited).
    /// A file attached to `message` straight in the store (the JSON API takes none).
    pub async fn attach_file(&self, message: &str, mentorship: &str, name: &str, bytes: &[u8]) {
        let (id, message, mentorship, name, bytes) =
            (uuid::Uuid::now_v7().to_string(), message.to_owned(), mentorship.to_owned(), name.to_owned(), bytes.to_vec());
        let at = chrono::Utc::now().timestamp_millis();
        self.state
            .db
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO attachments (id, message_id, mentorship_id, name, content_type, size_bytes, data, created_at)
                         VALUES ($1, $2, $3, $4, 'text/plain', $5, $6, $7)",
                    )
                    .bind(id)
                    .bind(message)
                    .bind(mentorship)
                    .bind(name)
                    .bind(bytes.len() as i64)
                    .bind(bytes)
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
                    Ok::<_, mentorpost_server::db::StoreError>(())
                })
            })
            .await
            .expect("attachment");
    }

    pub async fn drain_outbox(&self) {
        let mut progress = self.state.mailer.progress.subscribe();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            mentorpost_server::mail::outbox::dispatch_due(&self.state).await.expect("outbox round");
            // Mail that waits for a later moment (quiet hours, an agreement's settling
            // time) is not due: the round leaves it, and so does this.
            let now = mentorpost_model::Clock::now(self.clock.as_ref()).timestamp_millis();
            let waiting: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') AND not_before <= $1")
                    .bind(now)
                    .fetch_one(self.state.db.pool())
                    .await
                    .expect("count");
            if waiting == 0 {
                return;
            }
            assert!(tokio::time::timeout_at(deadline, progress.changed()).await.is_ok(), "the outbox did not empty");
        }
    }

    /// Every mail written to the file transport so far, as raw RFC 5322 text.
    pub fn mail_files(&self) -> Vec<String> {
        let dir = self.data_dir().join("mail");
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                if entry.path().extension().is_some_and(|e| e == "eml")
                    && let Ok(text) = std::fs::read_to_string(entry.path())
                {
                    out.push(text);
                }
            }
        }
        out
    }

    /// A snapshot of every table's row count, to prove a request wrote nothing.
    pub async fn row_counts(&self) -> Vec<(String, i64)> {
        let mut out = Vec::new();
        for table in world::TABLES {
            let n: i64 = sqlx::Row::try_get(
                &sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(self.state.db.pool())
                    .await
                    .expect("count"),
                0,
            )
            .expect("count value");
            out.push((table.to_string(), n));
        }
        out
    }

    /// Every table's row count and a digest of its contents, to prove a request wrote
    /// nothing — neither a new row nor a changed one.
    pub async fn snapshot(&self) -> Vec<(String, i64, u64)> {
        use std::hash::{Hash, Hasher};
        let mut out = Vec::new();
        for table in world::TABLES {
            let rows =
                sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}"))).fetch_all(self.state.db.pool()).await.expect("rows");
            let mut texts: Vec<String> = rows
                .iter()
                .map(|row| {
                    (0..sqlx::Row::len(row))
                        .map(|i| {
                            if let Ok(v) = sqlx::Row::try_get::<Option<i64>, _>(row, i) {
                                format!("{v:?}")
                            } else if let Ok(v) = sqlx::Row::try_get::<Option<String>, _>(row, i) {
                                format!("{v:?}")
                            } else {
                                format!("{:?}", sqlx::Row::try_get::<Option<f64>, _>(row, i).ok().flatten())
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("\u{1f}")
                })
                .collect();
            texts.sort();
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            texts.hash(&mut hasher);
            out.push((table.to_string(), texts.len() as i64, hasher.finish()));
        }
        out
    }
}

/// Everything the servers of this test process logged at INFO and above since the
/// first call (which installs the collector), as text without colours. Scenarios run
/// side by side, so a test looks only at lines carrying its own ids.
pub fn captured_log() -> String {
    use std::sync::{Mutex, OnceLock};
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let log = LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        // Another test of this process may have installed one already; then lines go there.
        let _ = tracing_subscriber::util::SubscriberInitExt::try_init(subscriber);
        log
    });
    String::from_utf8_lossy(&log.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

/// Runs a scenario on SQLite and (when configured) PostgreSQL:
/// `both_backends!(name)` expects `async fn name(app: TestServer)`;
/// `both_backends!(start = f; name)` starts each server with `f(backend)` (a path
/// from the calling module: `super::start`, `mentorpost_tests::TestServer::start_for_mail`).
#[macro_export]
macro_rules! both_backends {
    (start = $start:path; $($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let app = $start(mentorpost_tests::Backend::Sqlite).await.expect("sqlite server");
                super::$name(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                match $start(mentorpost_tests::Backend::Postgres).await {
                    Some(app) => super::$name(app).await,
                    None => eprintln!("PostgreSQL suite skipped: set {} to run it", mentorpost_tests::PG_ENV),
                }
            }
        }
    )+};
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let app = $crate::TestServer::start($crate::Backend::Sqlite).await.expect("sqlite server");
                super::$name(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                match $crate::TestServer::start($crate::Backend::Postgres).await {
                    Some(app) => super::$name(app).await,
                    None => eprintln!("PostgreSQL suite skipped: set {} to run it", $crate::PG_ENV),
                }
            }
        }
    )+};
}

#[cfg(test)]
mod tests {
    use super::pg_url_with_db;

    #[test]
    fn pg_urls() {
        assert_eq!(pg_url_with_db("postgres://postgres@127.0.0.1:5432/test", "x"), "postgres://postgres@127.0.0.1:5432/x");
        assert_eq!(pg_url_with_db("postgres://u@h/test?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(pg_url_with_db("postgres://u:p%40ss@h:5433", "x"), "postgres://u:p%40ss@h:5433/x");
        assert_eq!(pg_url_with_db("postgres://u@h/?host=/run/postgresql", "x"), "postgres://u@h/x?host=/run/postgresql");
    }
}
