//! What every bench binary's command line and `main` share: where the server binary
//! is, which backends to run, the runtime the client side runs on, and the command
//! line written into the report.

use crate::server::{Database, locate_binary};
use crate::sys::Machine;
use anyhow::Context;
use clap::{Args, Parser};
use std::fmt::Display;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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

/// The command line of a bench with one table per run (`digest`, `health`,
/// `inbound`): the system under test and whether to write the table into the
/// benchmarks document.
#[derive(Debug, Args)]
pub struct Table {
    #[command(flatten)]
    pub backends: Backends,
    /// Splice this bench's section into the benchmarks document (--docs).
    #[arg(long)]
    pub write_docs: bool,
    /// The document --write-docs updates (by default the one of the checkout this
    /// bench was built from).
    #[arg(long, default_value = crate::docs::BENCHMARKS_MD)]
    pub docs: PathBuf,
}

impl Table {
    /// The whole of such a bench: [`Backends::each`] with `one` (databases named
    /// `mp-bench`), then the section `section` makes of the results, printed and
    /// (with --write-docs) spliced under `heading` (see [`crate::docs::publish`]).
    pub async fn measure_and_publish<T>(
        &self,
        heading: &str,
        one: impl AsyncFnMut(&Path, &Database) -> anyhow::Result<T>,
        section: impl FnOnce(&[T], &Machine) -> String,
    ) -> anyhow::Result<Vec<T>> {
        let bin = self.backends.binary()?;
        let results = self.backends.each(&bin, "mp-bench", one).await?;
        let machine = Machine::describe(&std::env::temp_dir());
        crate::docs::publish(heading, &section(&results, &machine), self.write_docs.then_some(self.docs.as_path()))?;
        Ok(results)
    }
}

/// `main` of a bench with one table that only fails or not: parses `C`, then
/// [`Table::measure_and_publish`] with `one` and `section` on one client thread (the
/// server gets the rest of the 2 cores).
pub fn table_main<C: Parser, T>(
    heading: &str,
    table: fn(&C) -> &Table,
    one: impl AsyncFn(&C, &Path, &Database) -> anyhow::Result<T>,
    section: impl FnOnce(&C, &[T], &Machine) -> String,
) -> ExitCode {
    let cli = C::parse();
    let work = table(&cli).measure_and_publish(
        heading,
        async |bin, db| one(&cli, bin, db).await,
        |results, machine| section(&cli, results, machine),
    );
    match run(1, work) {
        Some(_) => ExitCode::SUCCESS,
        None => ExitCode::FAILURE,
    }
}

async fn with_cleanup<T>(db: Database, run: impl AsyncFnOnce(&Database) -> anyhow::Result<T>) -> anyhow::Result<T> {
    let result = run(&db).await;
    let cleanup = db.cleanup();
    let value = result?;
    cleanup?;
    Ok(value)
}

/// Where a report goes besides stdout, and whether a missed contract fails the run.
#[derive(Debug, Args)]
pub struct Output {
    /// Replace this bench's section of the benchmarks document (--docs) with this run.
    #[arg(long)]
    pub write_docs: bool,
    /// The document --write-docs updates.
    #[arg(long, default_value = crate::docs::BENCHMARKS_MD)]
    pub docs: PathBuf,
    /// Also write a JSON summary here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Exit with status 1 when the contract is not met.
    #[arg(long)]
    pub check: bool,
}

impl Output {
    /// Writes `summary` to `--json`, if given.
    pub fn write_json(&self, summary: &impl serde::Serialize) -> anyhow::Result<()> {
        if let Some(path) = &self.json {
            std::fs::write(path, serde_json::to_string_pretty(summary)?).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }

    /// The run's exit status: whether the contract was `met`, unless `--check` is off.
    pub fn passed(&self, met: bool) -> bool {
        met || !self.check
    }
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

/// Adds `--field-name value` to a [`CommandLine`] for each field of `$cli` whose value
/// differs from the same field of `$defaults` (the options as parsed from no
/// arguments).
#[macro_export]
macro_rules! document_options {
    ($cmd:expr, $cli:expr, $defaults:expr; $($field:ident),+ $(,)?) => {
        $( $cmd.option(&stringify!($field).replace('_', "-"), &$cli.$field, &$defaults.$field); )+
    };
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

    #[test]
    fn names_options_after_their_fields() {
        struct Opts {
            body_bytes: usize,
            rate: f64,
        }
        let (given, defaults) = (Opts { body_bytes: 100, rate: 500.0 }, Opts { body_bytes: 280, rate: 500.0 });
        let mut cmd = CommandLine::new("bench --");
        crate::document_options!(cmd, given, defaults; body_bytes, rate);
        assert_eq!(cmd.finish(), "bench -- --body-bytes 100");
    }
}
