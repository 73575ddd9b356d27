//! `mentorpost-bench`: measures the service's speed contracts against the release
//! binary running as its own process on loopback, on a fresh database, with a
//! baseline measured in the same run.
//!
//! ```sh
//! cargo build --release -p mentorpost-server
//! cargo run --release -p mentorpost-bench -- post-messages \
//!     --postgres postgres://postgres@127.0.0.1:5432/test --write-docs
//! ```

use clap::{Args, Parser, Subcommand};
use mentorpost_bench::cli::{self, Backends, CommandLine, Output};
use mentorpost_bench::load::{self, Clients, PhaseTiming, Workload};
use mentorpost_bench::report::{self, BackendRun, CountCheck, RunInfo};
use mentorpost_bench::server::{self, Database, Server};
use mentorpost_bench::sys::Machine;
use mentorpost_bench::{seed, sink, sys};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(name = "mentorpost-bench", about = "Benchmarks for mentorpost against the release binary")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Authenticated POST /api/v1/threads/{id}/messages from concurrent closed-loop
    /// clients, next to a GET /healthz baseline, on SQLite and (with --postgres)
    /// PostgreSQL.
    PostMessages(PostMessagesArgs),
}

#[derive(Debug, Args)]
struct PostMessagesArgs {
    #[command(flatten)]
    backends: Backends,
    /// Concurrent clients, each with its own keep-alive connection.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Mentorships (one mentor and one mentee each) the clients post into.
    #[arg(long, default_value_t = 100)]
    mentorships: usize,
    /// Measured seconds per phase.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Warm-up seconds before each measured phase.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Rounds of (baseline, posts).
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Size of each message body in bytes.
    #[arg(long, default_value_t = 280)]
    body_bytes: usize,
    /// Runtime threads of the client side (1 = a single-threaded runtime, which keeps
    /// the client's share of the 2 cores small).
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// Only the posts phases, no baseline (for profiling runs).
    #[arg(long)]
    no_baseline: bool,
    /// Add a diagnostic phase per round: the same POST to a malformed thread id
    /// (routing + token check + 404, no database).
    #[arg(long)]
    diagnose: bool,
    /// Add a phase per round with every member's mail `off` (no outbox rows), to show
    /// what queuing a post's mail costs.
    #[arg(long)]
    mail_comparison: bool,
    /// Total posts per second of the fixed-rate phases --mail-comparison adds (open
    /// loop, below saturation).
    #[arg(long, default_value_t = 1000.0)]
    mail_rate: f64,
    /// Before each phase, wait up to this many seconds for other processes on the
    /// machine to go quiet (below 0.2 cores busy); 0 disables.
    #[arg(long, default_value_t = 60.0)]
    wait_quiet: f64,
    #[command(flatten)]
    output: Output,
    /// Extra environment for the server, KEY=VALUE (repeatable), for experiments such
    /// as TOKIO_WORKER_THREADS=1. Recorded in the report.
    #[arg(long = "server-env", value_parser = parse_env)]
    server_env: Vec<(String, String)>,
}

fn main() -> ExitCode {
    let Command::PostMessages(args) = Cli::parse().command;
    match cli::run(args.client_threads, post_messages(args)) {
        Some(true) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

/// Runs every backend; returns whether the contract held everywhere (only decides the
/// exit status with `--check`).
async fn post_messages(args: PostMessagesArgs) -> anyhow::Result<bool> {
    anyhow::ensure!(args.clients > 0, "--clients must be at least 1");
    anyhow::ensure!(args.mentorships > 0, "--mentorships must be at least 1");
    anyhow::ensure!(args.rounds > 0, "--rounds must be at least 1");
    anyhow::ensure!(args.duration > 0.0 && args.warmup >= 0.0, "--duration must be positive");
    let bin = args.backends.binary()?;
    eprintln!("server binary: {}", bin.display());
    let machine = Machine::describe(&std::env::temp_dir());
    let runs = args.backends.each(&bin, "mp-bench", async |bin, db| measure_backend(&args, bin, db).await).await?;
    anyhow::ensure!(!runs.is_empty(), "nothing to run: --no-sqlite without --postgres");

    println!("{}", report::console(&runs, &machine, args.mail_rate));
    let info = RunInfo {
        command: documented_command(&args),
        warmup: Duration::from_secs_f64(args.warmup),
        duration: Duration::from_secs_f64(args.duration),
        rounds: args.rounds,
        body_bytes: args.body_bytes,
        client_threads: args.client_threads,
        wait_quiet: Duration::from_secs_f64(args.wait_quiet),
        clients: args.clients,
        mentorships: args.mentorships,
        binary: binary_description(&bin),
        paced_rate: args.mail_rate,
    };
    if args.output.write_docs {
        let section = report::docs_section(&runs, &machine, &info);
        report::write_docs(&args.output.docs, &section)?;
        let shown = args.output.docs.canonicalize().unwrap_or_else(|_| args.output.docs.clone());
        eprintln!("updated {}", shown.display());
    }
    args.output.write_json(&report::json(&runs, &machine))?;
    let met = runs.iter().all(|r| report::Summary::of(r).verdict(r) == "met");
    Ok(args.output.passed(met))
}

/// One backend from a fresh database to the count check.
async fn measure_backend(args: &PostMessagesArgs, bin: &Path, db: &Database) -> anyhow::Result<BackendRun> {
    let backend = db.backend();
    eprintln!("[{backend}] creating the admin and migrating");
    server::add_admin(bin, db, seed::ADMIN_EMAIL, seed::PASSWORD)?;
    // With mail in the comparison the server sends over SMTP, as in production, to a
    // sink that keeps nothing (`.eml` files in one directory slowed each later phase:
    // creating a file costs more the more the directory holds).
    let mut env = args.server_env.clone();
    let sink = if args.mail_comparison {
        let sink = sink::start_on_thread()?;
        env.push(("MENTORPOST_SMTP_URL".to_owned(), format!("smtp://{}", sink.addr)));
        Some(sink)
    } else {
        None
    };
    let server = Server::start(bin, db, &env).await?;
    eprintln!("[{backend}] server {} (pid {}) ready; seeding {} mentorships", server.base, server.pid(), args.mentorships);
    let http = reqwest::Client::new();
    let world = seed::seed(&http, &server.base, args.mentorships).await?;
    eprintln!("[{backend}] seeded {} members in {:.1} s", world.members.len(), world.seed_time.as_secs_f64());

    let clients = Clients::new(&server.base, &world.members, args.clients, args.body_bytes)?;
    let timing = PhaseTiming {
        warmup: Duration::from_secs_f64(args.warmup),
        duration: Duration::from_secs_f64(args.duration),
        paced_rate: args.mail_rate,
    };
    let run_tag = uuid::Uuid::new_v4().simple().to_string();
    let mut phases = Vec::new();
    let mut workloads = Vec::new();
    if !args.no_baseline {
        workloads.push(Workload::Healthz);
    }
    if args.diagnose {
        workloads.push(Workload::AuthOnly);
    }
    workloads.push(Workload::PostMessages);
    if args.mail_comparison {
        workloads.push(Workload::PostMessagesMailOff);
        workloads.push(Workload::PostMessagesMailEach);
        workloads.extend([Workload::PacedMailOff, Workload::PacedMailLive, Workload::PacedMailEach]);
    }
    for round in 1..=args.rounds {
        for (w, &workload) in workloads.iter().enumerate() {
            // Mail left over from an `each` phase would still be sent during the next
            // one and be charged to it.
            if args.mail_comparison {
                wait_outbox_empty(db, Duration::from_secs(180)).await;
            }
            if let Err(err) = db.checkpoint() {
                eprintln!("[{backend}] {err:#}; measuring anyway");
            }
            if args.wait_quiet > 0.0
                && let Some(busy) = sys::wait_quiet(0.2, Duration::from_secs_f64(args.wait_quiet)).await
                && busy >= 0.2
            {
                eprintln!("[{backend}] the machine is still busy ({busy:.2} cores) after {} s; measuring anyway", args.wait_quiet);
            }
            let mode = workload.mail_mode();
            // Unique per phase: a repeated client_msg_id would be answered as a retry.
            let tag = format!("{}-r{round}-w{w}{}", &run_tag[..8], mode.map(|m| format!("-{m}")).unwrap_or_default());
            if let Some(mode) = mode {
                seed::set_mail_mode(&http, &server.base, &world, mode).await?;
            }
            let result = load::run_phase(&clients, workload, timing, &tag, server.pid(), db.is_postgres()).await?;
            if mode.is_some() {
                seed::set_mail_mode(&http, &server.base, &world, "live").await?;
            }
            eprintln!(
                "[{backend}] round {round} {:<14} {:>8.0} req/s  p50 {:.2} ms  p99 {:.2} ms  errors {}  server {:.2} cores  client {:.2} cores",
                workload.label(),
                result.rate(),
                result.hist.value_at_quantile(0.5) as f64 / 1000.0,
                result.hist.value_at_quantile(0.99) as f64 / 1000.0,
                result.errors,
                result.cpu.server_s.unwrap_or(0.0) / timing.duration.as_secs_f64(),
                result.cpu.client_s.unwrap_or(0.0) / timing.duration.as_secs_f64(),
            );
            for (kind, n) in &result.error_kinds {
                eprintln!("[{backend}]   error {kind}: {n}");
            }
            phases.push((round, result));
        }
    }
    drop(clients);

    // Every 201 must be in the database, even if the server dies right away.
    let created: u64 = phases.iter().filter(|(_, p)| p.workload.posts()).map(|(_, p)| p.ok_all).sum();
    let expected = args.mentorships as u64 + created;
    let log_problems = log_problems(&server.log);
    server.crash()?;
    eprintln!("[{backend}] server killed with SIGKILL; restarting to count");
    if let Some(sink) = &sink {
        eprintln!("[{backend}] the SMTP sink received {} mails", sink.received());
    }
    let server = Server::start(bin, db, &env).await?;
    let api_after_crash = seed::count_messages(&http, &server.base, &world).await?;
    server.stop().await?;
    let check = CountCheck { expected, api_after_crash, db_rows: db.count_rows("messages") };
    eprintln!(
        "[{backend}] messages expected {expected}, via API {api_after_crash}, rows {}",
        check.db_rows.map_or("–".into(), |n| n.to_string())
    );
    Ok(BackendRun {
        backend,
        mentorships: args.mentorships,
        clients: args.clients,
        seed_time: world.seed_time,
        phases,
        check,
        settings: db.postgres_settings(&[
            "server_version",
            "synchronous_commit",
            "fsync",
            "wal_sync_method",
            "commit_delay",
            "shared_buffers",
        ]),
        server_log_problems: log_problems,
    })
}

/// Waits until no mail is pending or being sent (polling with the database's own
/// client), or the deadline passed (said on stderr).
async fn wait_outbox_empty(db: &Database, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match db.scalar("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')") {
            Some(0) => return,
            Some(n) if tokio::time::Instant::now() >= deadline => {
                eprintln!("  {n} mails still queued after {} s; measuring anyway", limit.as_secs());
                return;
            }
            None => {
                eprintln!("  cannot count the outbox; not waiting for it");
                return;
            }
            Some(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// WARN and ERROR lines of the server log (the default filter logs no requests).
fn log_problems(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("panicked"))
        .map(|l| l.chars().take(300).collect())
        .collect()
}

/// The command line to put in the document, with the options that differ from the
/// defaults (PostgreSQL URL as given).
fn documented_command(args: &PostMessagesArgs) -> String {
    let Command::PostMessages(d) = Cli::parse_from(["mentorpost-bench", "post-messages"]).command;
    let mut cmd = CommandLine::new("cargo run --release -p mentorpost-bench -- post-messages");
    cmd.given("postgres", args.backends.postgres.as_deref())
        .switch("no-sqlite", args.backends.no_sqlite)
        .switch("mail-comparison", args.mail_comparison);
    if args.mail_comparison {
        cmd.option("mail-rate", args.mail_rate, d.mail_rate);
    }
    mentorpost_bench::document_options!(cmd, args, d; clients, mentorships, duration, warmup, rounds, body_bytes);
    for (k, v) in &args.server_env {
        cmd.given("server-env", Some(format!("{k}={v}")));
    }
    cmd.option("client-threads", args.client_threads, d.client_threads).switch("write-docs", true).finish()
}

fn parse_env(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| "expected KEY=VALUE".to_owned())
}

fn binary_description(bin: &Path) -> String {
    let modified = std::fs::metadata(bin)
        .and_then(|m| m.modified())
        .ok()
        .map(|t| chrono::DateTime::<chrono::Utc>::from(t).format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "unknown".into());
    let name = bin.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!("release `{name}`, built {modified}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_the_options_that_differ_from_the_defaults() {
        let Command::PostMessages(args) = Cli::parse_from([
            "mentorpost-bench",
            "post-messages",
            "--postgres",
            "postgres://postgres@127.0.0.1:5432/test",
            "--mail-comparison",
            "--clients",
            "50",
            "--body-bytes",
            "1000",
            "--server-env",
            "TOKIO_WORKER_THREADS=1",
        ])
        .command;
        assert_eq!(
            documented_command(&args),
            "cargo run --release -p mentorpost-bench -- post-messages --postgres postgres://postgres@127.0.0.1:5432/test \
             --mail-comparison --body-bytes 1000 --server-env TOKIO_WORKER_THREADS=1 --write-docs"
        );
    }
}
