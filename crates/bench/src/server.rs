//! The system under test: a fresh database (a temporary SQLite data dir, or a new
//! PostgreSQL database created and dropped with `psql`) and the release `mentorpost`
//! binary running as a subprocess on a free loopback port (one instance, or two on
//! the same PostgreSQL database).

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Finds the `mentorpost` binary: the explicit path, next to this executable
/// (`cargo run --release` puts both in `target/release`), or in
/// `$CARGO_TARGET_DIR/release`.
pub fn locate_binary(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = explicit {
        if path.is_file() {
            return Ok(path.to_owned());
        }
        bail!("no mentorpost binary at {}", path.display());
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        candidates.push(dir.join("mentorpost"));
    }
    if let Ok(dir) = std::env::var("CARGO_TARGET_DIR") {
        candidates.push(Path::new(&dir).join("release").join("mentorpost"));
    }
    candidates.iter().find(|p| p.is_file()).cloned().with_context(|| {
        format!(
            "no mentorpost binary found (looked at {}); run `cargo build --release -p mentorpost-server` or pass --server-bin",
            candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        )
    })
}

/// A database the bench owns for one run.
pub struct Database {
    /// Data dir for the server (SQLite file, mail, the server's log); removed on drop.
    pub data_dir: tempfile::TempDir,
    /// What the server gets as `--database-url`.
    pub url: String,
    /// Names the temporary directories (see [`Database::sqlite`]).
    prefix: String,
    /// PostgreSQL only: the URL of the maintenance database and the name we created.
    postgres: Option<(String, String)>,
}

impl Database {
    /// A fresh SQLite database in a new temporary data dir `<prefix>-…` (`prefix`
    /// names the bench, e.g. `mp-bench` or `mp-bench-live`).
    pub fn sqlite(prefix: &str) -> anyhow::Result<Database> {
        let data_dir = temp_dir(prefix)?;
        let url = format!("sqlite://{}", data_dir.path().join("mentorpost.db").display());
        Ok(Database { data_dir, url, prefix: prefix.to_owned(), postgres: None })
    }

    /// Creates `<prefix>_<random>` (dashes of `prefix` as underscores) on the server
    /// `admin_url` points at.
    pub fn postgres(admin_url: &str, prefix: &str) -> anyhow::Result<Database> {
        let name = format!("{}_{}", prefix.replace('-', "_"), uuid::Uuid::new_v4().simple());
        psql(admin_url, &format!("CREATE DATABASE {name}")).context("creating the benchmark database")?;
        let data_dir = temp_dir(prefix)?;
        let url = with_database(admin_url, &name)?;
        Ok(Database { data_dir, url, prefix: prefix.to_owned(), postgres: Some((admin_url.to_owned(), name)) })
    }

    /// The backend as the reports name it: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        if self.postgres.is_some() { "postgres" } else { "sqlite" }
    }

    /// The backend's proper name: `SQLite` or `PostgreSQL`.
    pub fn backend_name(&self) -> &'static str {
        if self.postgres.is_some() { "PostgreSQL" } else { "SQLite" }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// The PostgreSQL `settings` (those that decide durability and speed), for the
    /// report; empty on SQLite.
    pub fn postgres_settings(&self, settings: &[&str]) -> Vec<(String, String)> {
        let Some((admin, _)) = &self.postgres else {
            return Vec::new();
        };
        settings.iter().filter_map(|s| psql(admin, &format!("SHOW {s}")).ok().map(|v| ((*s).to_owned(), v))).collect()
    }

    /// Counts rows with the database's own client (`sqlite3` or `psql`), independently
    /// of the API. None if the client is not installed.
    pub fn count_rows(&self, table: &str) -> Option<u64> {
        self.scalar(&format!("SELECT COUNT(*) FROM {table}"))
    }

    /// Runs a script of SQL with the database's own client (one call for a whole data
    /// set, much faster than statements over the API).
    pub fn load_sql(&self, sql: &str) -> anyhow::Result<()> {
        use std::io::Write as _;
        let mut child = match &self.postgres {
            Some(_) => Command::new("psql")
                .arg(&self.url)
                .args(["-qX", "-v", "ON_ERROR_STOP=1"])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn(),
            None => {
                Command::new("sqlite3").arg(self.data_dir.path().join("mentorpost.db")).stdin(Stdio::piped()).stdout(Stdio::null()).spawn()
            }
        }
        .context("starting the database client")?;
        let mut stdin = child.stdin.take().context("client stdin")?;
        if self.postgres.is_none() {
            // The running server may hold the write lock for a moment.
            stdin.write_all(b".timeout 10000\n")?;
        }
        stdin.write_all(sql.as_bytes())?;
        drop(stdin);
        let status = child.wait()?;
        if !status.success() {
            bail!("loading the data set failed ({status})");
        }
        Ok(())
    }

    /// One number from a query, with the database's own client; None if the client is
    /// not installed or the query failed.
    pub fn scalar(&self, sql: &str) -> Option<u64> {
        let out = match &self.postgres {
            Some(_) => psql(&self.url, sql).ok()?,
            None => {
                let out =
                    Command::new("sqlite3").arg(self.data_dir.path().join("mentorpost.db")).arg(sql).stdin(Stdio::null()).output().ok()?;
                if !out.status.success() {
                    return None;
                }
                String::from_utf8(out.stdout).ok()?
            }
        };
        out.trim().parse().ok()
    }

    /// PostgreSQL: a `CHECKPOINT` now, so no timed or WAL-size checkpoint (and the
    /// burst of full-page images after it) lands inside the next measured window and
    /// every phase starts from the same state. Nothing on SQLite, whose WAL the
    /// server checkpoints itself.
    pub fn checkpoint(&self) -> anyhow::Result<()> {
        if self.postgres.is_some() {
            psql(&self.url, "CHECKPOINT").context("CHECKPOINT before a phase")?;
        }
        Ok(())
    }

    /// Drops the PostgreSQL database (the SQLite data dir goes with `self`).
    pub fn cleanup(self) -> anyhow::Result<()> {
        if let Some((admin, name)) = &self.postgres {
            psql(admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .with_context(|| format!("dropping the benchmark database {name}"))?;
        }
        Ok(())
    }
}

/// Runs one statement with `psql` and returns its unaligned output.
fn psql(url: &str, sql: &str) -> anyhow::Result<String> {
    let out = Command::new("psql")
        .arg(url)
        .args(["-v", "ON_ERROR_STOP=1", "-qAtX", "-c", sql])
        .stdin(Stdio::null())
        .output()
        .context("running psql (is the PostgreSQL client installed?)")?;
    if !out.status.success() {
        bail!("psql failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The columns of the `messages` rows the data-set writers make.
pub const MESSAGE_COLUMNS: &str = "messages (id, thread_id, mentorship_id, author_id, body, source, created_at, seq)";

/// Appends `INSERT INTO {into} VALUES …;` statements for `rows` (each a `(…)` tuple) to
/// `sql`, 500 rows a statement: few statements for a data set that [`Database::load_sql`]
/// loads, none too long for either database.
pub fn insert_rows(sql: &mut String, into: &str, rows: &[String]) {
    for chunk in rows.chunks(500) {
        sql.push_str("INSERT INTO ");
        sql.push_str(into);
        sql.push_str(" VALUES ");
        sql.push_str(&chunk.join(","));
        sql.push_str(";\n");
    }
}

/// `url` with its database name replaced by `name` (query parameters kept).
pub fn with_database(url: &str, name: &str) -> anyhow::Result<String> {
    let scheme_end = url.find("://").context("the PostgreSQL URL has no scheme")? + 3;
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let authority_end = base[scheme_end..].find('/').map(|i| scheme_end + i).unwrap_or(base.len());
    Ok(format!("{}/{name}{query}", &base[..authority_end]))
}

/// Creates the admin account with the server's own CLI (which also migrates).
pub fn add_admin(bin: &Path, db: &Database, email: &str, password: &str) -> anyhow::Result<()> {
    server_cli(bin, db, &["user", "add", "--email", email, "--name", "Bench Admin", "--password", password, "--admin"])
}

/// Creates the schema with the server's own CLI (`mentorpost migrate`).
pub fn migrate(bin: &Path, db: &Database) -> anyhow::Result<()> {
    server_cli(bin, db, &["migrate"])
}

/// Runs one command of the server's CLI on `db`, insists on success and returns what
/// it printed on standard output.
pub fn server_cli_output(bin: &Path, db: &Database, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(bin)
        .arg("--data-dir")
        .arg(db.data_dir.path())
        .arg("--database-url")
        .arg(&db.url)
        .args(args)
        .env("MENTORPOST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", bin.display()))?;
    if !out.status.success() {
        bail!("`mentorpost {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    // What it warned about (a slow statement, say) belongs in the bench's output.
    let warned = String::from_utf8_lossy(&out.stderr);
    if !warned.trim().is_empty() {
        eprintln!("`mentorpost {}` said:\n{}", args.join(" "), warned.trim_end());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs one command of the server's CLI on `db` and insists on success.
fn server_cli(bin: &Path, db: &Database, args: &[&str]) -> anyhow::Result<()> {
    let out = Command::new(bin)
        .arg("--data-dir")
        .arg(db.data_dir.path())
        .arg("--database-url")
        .arg(&db.url)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", bin.display()))?;
    if !out.status.success() {
        bail!("`mentorpost {}` failed: {}", args.first().copied().unwrap_or_default(), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// A running `mentorpost serve`.
pub struct Server {
    child: Child,
    pub base: String,
    pub log: PathBuf,
    /// A second instance's own data dir (mail, log); the database is shared.
    _own_dir: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts `mentorpost serve` on a free loopback port and waits until `/readyz`
    /// answers 200 (polling, no fixed sleep).
    /// `env` is added to the server's environment (experiments such as
    /// `TOKIO_WORKER_THREADS=1`).
    pub async fn start(bin: &Path, db: &Database, env: &[(String, String)]) -> anyhow::Result<Server> {
        Server::start_in(bin, db, env, None).await
    }

    /// Starts another instance on the same database (PostgreSQL), with a data dir of
    /// its own, as a second machine would have.
    pub async fn start_second(bin: &Path, db: &Database, env: &[(String, String)]) -> anyhow::Result<Server> {
        let dir = temp_dir(&format!("{}-b", db.prefix)).context("creating a data dir for instance B")?;
        Server::start_in(bin, db, env, Some(dir)).await
    }

    async fn start_in(bin: &Path, db: &Database, env: &[(String, String)], own_dir: Option<tempfile::TempDir>) -> anyhow::Result<Server> {
        let port = free_port()?;
        let addr = format!("127.0.0.1:{port}");
        let data_dir = own_dir.as_ref().map_or(db.data_dir.path(), |d| d.path()).to_owned();
        let log = data_dir.join("server.log");
        let log_file = std::fs::OpenOptions::new().create(true).append(true).open(&log).context("opening the server log")?;
        let child = Command::new(bin)
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--database-url")
            .arg(&db.url)
            .args(["serve", "--http", &addr])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let mut server = Server { child, base: format!("http://{addr}"), log, _own_dir: own_dir };
        server.wait_ready().await?;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(2)).build()?;
        let url = format!("{}/readyz", self.base);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("the server exited during start-up ({status}); log:\n{}", self.log_tail());
            }
            if let Ok(resp) = client.get(&url).send().await
                && resp.status() == reqwest::StatusCode::OK
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the server was not ready within 60 s; log:\n{}", self.log_tail());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The last lines of the server's log, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Stops the server with SIGTERM (graceful: in-flight requests finish, the writer
    /// commits) and waits for it; kills it after 20 s.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.stop_within(Duration::from_secs(20)).await
    }

    /// [`Server::stop`], killing it after `limit` (a server holding 10,000 sockets
    /// sends each a close frame first).
    pub async fn stop_within(mut self, limit: Duration) -> anyhow::Result<()> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).stdin(Stdio::null()).status();
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait()? {
                if !status.success() {
                    bail!("the server exited with {status}; log:\n{}", self.log_tail());
                }
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                bail!("the server did not stop within {} s of SIGTERM", limit.as_secs());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the server with SIGKILL: nothing gets a chance to flush. What it
    /// acknowledged must survive this.
    pub fn crash(mut self) -> anyhow::Result<()> {
        self.child.kill().context("killing the server")?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn temp_dir(prefix: &str) -> anyhow::Result<tempfile::TempDir> {
    tempfile::Builder::new().prefix(&format!("{prefix}-")).tempdir().context("creating a temporary data dir")
}

/// A loopback port nobody listens on right now (for the server's listeners).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(with_database("postgres://postgres@127.0.0.1:5432/test", "x").expect("url"), "postgres://postgres@127.0.0.1:5432/x");
        assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "x").expect("url"), "postgres://u:p@h/x?sslmode=disable");
        assert_eq!(with_database("postgresql://h", "x").expect("url"), "postgresql://h/x");
    }
}
