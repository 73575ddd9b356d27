//! Shared by the real-binary tests: the binary itself, throwaway PostgreSQL databases.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::process::Command;

/// The real binary, for the tests that run it.
pub const BIN: &str = env!("CARGO_BIN_EXE_mentorpost");

/// A `mentorpost` command on `data_dir` (and `db`, else SQLite there), logging at info.
pub fn mentorpost(data_dir: &std::path::Path, db: Option<&str>) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir").arg(data_dir).env_remove("MENTORPOST_DATABASE_URL").env("MENTORPOST_LOG", "info");
    if let Some(url) = db {
        cmd.arg("--database-url").arg(url);
    }
    cmd
}

/// Runs `cmd`, insists on success and returns its standard output.
pub fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run mentorpost");
    assert!(out.status.success(), "command failed: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub const PG_ENV: &str = "MENTORPOST_TEST_POSTGRES_URL";

/// A fresh PostgreSQL database, dropped (`WITH (FORCE)`) when this goes out of scope.
pub struct PgDb {
    pub admin: String,
    pub name: String,
    pub url: String,
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .arg(&self.admin)
            .arg("-qc")
            .arg(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
            .output();
    }
}

/// The configured PostgreSQL server, if any.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var(PG_ENV).ok().filter(|s| !s.is_empty())
}

/// A fresh, empty database on the server `admin` names; `tag` goes into its name.
pub fn fresh_pg(admin: &str, tag: &str) -> PgDb {
    let name = format!("mp_{tag}_{}", uuid::Uuid::new_v4().simple());
    let out = Command::new("psql").arg(admin).arg("-qc").arg(format!("CREATE DATABASE \"{name}\"")).output().expect("psql available");
    assert!(out.status.success(), "cannot create a PostgreSQL test database: {}", String::from_utf8_lossy(&out.stderr));
    let mut url = url::Url::parse(admin).unwrap_or_else(|e| panic!("{PG_ENV} is not a URL: {e}"));
    url.set_path(&name);
    PgDb { url: url.into(), admin: admin.to_owned(), name }
}

/// The backends to run on: SQLite (`None`) always, PostgreSQL when configured.
pub fn backends(tag: &str) -> Vec<Option<PgDb>> {
    let mut out = vec![None];
    match postgres_admin_url() {
        Some(admin) => out.push(Some(fresh_pg(&admin, tag))),
        None => eprintln!("PostgreSQL suite skipped: set {PG_ENV} to run it"),
    }
    out
}

/// Signs in as the demo's mentor Çağrı; returns the token and their threads.
pub fn demo_threads(client: &reqwest::blocking::Client, base: &str) -> (String, serde_json::Value) {
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "cagri@demo.mentorpost.localhost", "password": "mentorpost-demo"}))
        .send()
        .expect("login")
        .json()
        .expect("json");
    let token = login["access_token"].as_str().expect("token").to_owned();
    let threads: serde_json::Value =
        client.get(format!("{base}/api/v1/me/threads")).bearer_auth(&token).send().expect("threads").json().expect("json");
    (token, threads)
}

/// The `addr=` a `serve` spawned with piped stderr announces (host:port); its stderr
/// keeps being read so the server never blocks on a full pipe.
pub fn announced_addr(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let stderr = child.stderr.take().expect("serve was spawned with piped stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.split(" addr=").nth(1).and_then(|r| r.split_whitespace().next()) {
                let _ = tx.send(addr.to_owned());
            }
        }
    });
    rx.recv_timeout(std::time::Duration::from_secs(60)).expect("the server announced its address")
}
