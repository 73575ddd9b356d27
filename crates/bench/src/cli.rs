//! What every bench binary's command line and `main` share: where the server binary
//! is, which backends to run, the runtime the client side runs on, and the command
//! line written into the report.

use crate::server::{Database, locate_binary};
use clap::Args;
use std::fmt::Display;
use std::future::Future;
use std::path::{Path, PathBuf};

/// The system under test: the server binary and the backends.
#[derive(Debug, Args)]
pub struct Backends {
    /// The `mentorpost` binary. Default: next to this executable, else
    /// `$CARGO_TARGET_DIR/release/mentorpost`.
    #[arg(long)]
    pub server_bin: Option<PathBuf>,
    /// Also run on PostgreSQL: a URL of a server where the bench may create (and then
    /// drop) a database of its own (`mp_bench_<random>`; `mp_bench_live_<random>` for
    /// `live`), e.g. postgres://postgres@127.0.0.1:5432/test.
    #[arg(long)]
    pub postgres: Option<String>,
    /// Skip the SQLite run.
    #[arg(long)]
    pub no_sqlite: bool,
}

impl Backends {
    /// The server binary (see [`locate_binary`]).
    pub fn binary(&self) -> anyhow::Result<PathBuf> {
        locate_binary(self.server_bin.as_deref())
    }

    /// Runs `one` on a fresh SQLite database, then (with `--postgres`) on a fresh
    /// PostgreSQL one, in that order. `prefix` names the databases (see
    /// [`Database::sqlite`]). Each database is dropped after its run, whatever
    /// happened.
    pub async fn each<T>(
        &self,
        bin: &Path,
        prefix: &str,
        mut one: impl AsyncFnMut(&Path, &Database) -> anyhow::Result<T>,
    ) -> anyhow::Result<Vec<T>> {
        let mut out = Vec::new();
        if !self.no_sqlite {
            out.push(with_cleanup(Database::sqlite(prefix)?, async |db| one(bin, db).await).await?);
        }
        if let Some(url) = &self.postgres {
            out.push(with_cleanup(Database::postgres(url, prefix)?, async |db| one(bin, db).await).await?);
        }
        Ok(out)
    }
}

async fn with_cleanup<T>(db: Database, run: impl AsyncFnOnce(&Database) -> anyhow::Result<T>) -> anyhow::Result<T> {
    let result = run(&db).await;
    let cleanup = db.cleanup();
    let value = result?;
    cleanup?;
    Ok(value)
}

/// Runs `work` on a Tokio runtime with `threads` worker threads (1 = a
/// single-threaded runtime, which keeps the client's share of the 2 cores small).
/// `None` when it failed, said on stderr.
pub fn run<T>(threads: usize, work: impl Future<Output = anyhow::Result<T>>) -> Option<T> {
    let runtime = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return None;
        }
    };
    match runtime.block_on(work) {
        Ok(value) => Some(value),
        Err(err) => {
            eprintln!("error: {err:#}");
            None
        }
    }
}

/// The command line a report documents: the options that differ from their defaults.
pub struct CommandLine(String);

impl CommandLine {
    /// Starts with `base`, e.g. `cargo run --release -p mentorpost-bench --bin live --`.
    pub fn new(base: &str) -> CommandLine {
        CommandLine(base.to_owned())
    }

    /// ` --name value`, unless `value` is the default.
    pub fn option(&mut self, name: &str, value: impl Display, default: impl Display) -> &mut CommandLine {
        let value = value.to_string();
        if value != default.to_string() {
            self.0.push_str(&format!(" --{name} {value}"));
        }
        self
    }

    /// ` --name value` if there is a value.
    pub fn given(&mut self, name: &str, value: Option<impl Display>) -> &mut CommandLine {
        if let Some(value) = value {
            self.0.push_str(&format!(" --{name} {value}"));
        }
        self
    }

    /// ` --name` when `on`.
    pub fn switch(&mut self, name: &str, on: bool) -> &mut CommandLine {
        if on {
            self.0.push_str(&format!(" --{name}"));
        }
        self
    }

    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::CommandLine;

    #[test]
    fn documents_only_what_differs_from_the_defaults() {
        let cmd = CommandLine::new("bench --")
            .given("postgres", Some("postgres://h/db"))
            .option("rate", 500.0, 500.0)
            .option("duration", 12.5, 20.0)
            .switch("no-sqlite", true)
            .switch("check", false)
            .finish();
        assert_eq!(cmd, "bench -- --postgres postgres://h/db --duration 12.5 --no-sqlite");
    }
}
