//! `live`: measures live delivery over WebSocket against the release `mentorpost`
//! binary on loopback, next to a floor relay measured in the same run.
//!
//! - End-to-end latency: `POST` of a message → its arrival on the other member's
//!   socket, with 1,000 connected clients and 500 messages/s (open loop), on SQLite and
//!   PostgreSQL, alternating with the floor (a minimal relay, no auth, no storage).
//! - Slow reader: the same load with one more socket that stops reading; the others'
//!   latency with and without it, and whether it is closed with the resume code.
//! - Cross-instance (PostgreSQL): posts through a second `mentorpost serve` on the same
//!   database, delivered to the sockets on the first.
//! - Idle cost: server RSS per idle authenticated socket, with 10,000 of them.
//!
//! ```sh
//! export CARGO_TARGET_DIR=$HOME/.cache/mentorpost-target
//! cargo build --release -p mentorpost-server -p mentorpost-bench
//! ulimit -n "$(ulimit -Hn)"   # about 10,600 descriptors needed
//! cargo run --release -p mentorpost-bench --bin live -- \
//!     --postgres postgres://postgres@127.0.0.1:5432/test --write-docs
//! ```

mod idle;
mod load;
mod relay;
mod report;
mod seed;
mod sockets;
mod stalled;

use anyhow::{Context, bail};
use clap::Parser;
use futures_util::{StreamExt, stream};
use load::{PhaseConfig, System, Target};
use mentorpost_bench::cli::{self, Backends, CommandLine, Output};
use mentorpost_bench::server::{Database, Server};
use mentorpost_bench::sys;
use relay::Relay;
use report::{BackendReport, Params, Report};
use reqwest::header::HeaderValue;
use sockets::{Recorder, Role, open_floor, open_real, open_with_ticket, spawn_reader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The server closes 10,000 idle sockets with a close frame each before it exits.
const STOP_LIMIT: Duration = Duration::from_secs(30);

#[derive(Debug, Parser)]
#[command(name = "live", about = "Live delivery (WebSocket) benchmark for mentorpost: latency under load and idle memory")]
struct Cli {
    #[command(flatten)]
    backends: Backends,
    /// Mentorships, one mentor and one mentee each; every person holds one socket.
    #[arg(long, default_value_t = 500)]
    mentorships: usize,
    /// Messages per second, round-robin over the mentorships.
    #[arg(long, default_value_t = 500.0)]
    rate: f64,
    /// Measured seconds per phase.
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    /// Warm-up seconds before each measured phase (same rate, not counted).
    #[arg(long, default_value_t = 3.0)]
    warmup: f64,
    /// Rounds of (floor, server) phases, alternated ABBA.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Size of a message body in bytes (before the message number).
    #[arg(long, default_value_t = 280)]
    body_bytes: usize,
    /// Idle sockets to open for the memory test; 0 skips it.
    #[arg(long, default_value_t = 10_000)]
    idle_connections: usize,
    /// People whose logins the idle sockets use (at most 2 × mentorships).
    #[arg(long, default_value_t = 1000)]
    idle_users: usize,
    /// Seconds to hold the idle sockets (a heartbeat round is 15 s).
    #[arg(long, default_value_t = 20.0)]
    idle_hold: f64,
    /// Sockets opened at once.
    #[arg(long, default_value_t = 32)]
    open_parallel: usize,
    /// Messages of the one-at-a-time phases (floor, then mentorpost): each sent alone on
    /// an otherwise idle server, --one-at-a-time-gap-ms apart; 0 skips them.
    #[arg(long, default_value_t = 1000)]
    one_at_a_time: usize,
    /// Milliseconds between two messages of the one-at-a-time phases.
    #[arg(long, default_value_t = 200.0)]
    one_at_a_time_gap_ms: f64,
    /// Skip the latency phases (idle test only).
    #[arg(long)]
    no_latency: bool,
    /// Skip the slow-reader phases (one stalled socket next to each mentorpost phase).
    #[arg(long)]
    no_stalled: bool,
    /// Skip the cross-instance phases (PostgreSQL: posts through a second instance).
    #[arg(long)]
    no_cross_instance: bool,
    /// Runtime threads of the bench's client side (1 keeps its share of 2 cores small).
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// A phase during which other processes on the machine used more than this many
    /// cores is reported as disturbed and measured again (up to --retries times).
    #[arg(long, default_value_t = 0.15)]
    max_other_cores: f64,
    /// How often a disturbed phase is measured again.
    #[arg(long, default_value_t = 2)]
    retries: usize,
    /// Also report the windows in which hypervisor steal stayed below this many cores.
    #[arg(long, default_value_t = 0.1)]
    low_steal_cores: f64,
    /// Before each phase, wait up to this many seconds for the machine to go quiet
    /// (below 0.3 busy cores); 0 disables.
    #[arg(long, default_value_t = 60.0)]
    wait_quiet: f64,
    #[command(flatten)]
    output: Output,
    /// Internal: run as the floor relay on this address.
    #[arg(long, hide = true)]
    relay_listen: Option<SocketAddr>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(addr) = cli.relay_listen {
        return match relay::main(addr) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("relay: {err:#}");
                ExitCode::FAILURE
            }
        };
    }
    match cli::run(cli.client_threads, run(cli)) {
        Some(true) => ExitCode::SUCCESS,
        Some(false) => ExitCode::from(1),
        None => ExitCode::from(2),
    }
}

fn command_line(cli: &Cli) -> String {
    let d = Cli::parse_from(["live"]);
    let mut cmd = CommandLine::new("cargo run --release -p mentorpost-bench --bin live --");
    cmd.given("postgres", cli.backends.postgres.as_deref());
    mentorpost_bench::document_options!(cmd, cli, d;
        mentorships, rate, duration, warmup, rounds, body_bytes, one_at_a_time, one_at_a_time_gap_ms, idle_connections,
        idle_users, idle_hold, client_threads, max_other_cores, retries, low_steal_cores);
    cmd.switch("no-sqlite", cli.backends.no_sqlite)
        .switch("no-latency", cli.no_latency)
        .switch("no-stalled", cli.no_stalled)
        .switch("no-cross-instance", cli.no_cross_instance)
        .switch("write-docs", cli.output.write_docs)
        .finish()
}

fn message_text(bytes: usize) -> String {
    const WORDS: &str = "Thanks for the notes on the draft, I read them twice and tried the exercise you suggested \
                         before our next call. ";
    WORDS.chars().cycle().take(bytes.max(1)).collect::<String>().trim_end().to_owned()
}

async fn run(cli: Cli) -> anyhow::Result<bool> {
    anyhow::ensure!(cli.rate > 0.0 && cli.duration > 0.0 && cli.mentorships > 0, "rate, duration and mentorships must be positive");
    // Each idle socket is a descriptor in the bench and one in the server; latency
    // phases hold 2 sockets per person (server and floor).
    let needed = (cli.idle_connections.max(4 * cli.mentorships) + 512) as u64;
    match sys::open_files_limit() {
        Some(limit) if limit < needed => {
            bail!(
                "the open-files limit is {limit}, the run needs about {needed}: raise it with `ulimit -n \"$(ulimit -Hn)\"` (or as root `ulimit -n 65536`) in this shell first"
            )
        }
        _ => {}
    }
    let started = std::time::Instant::now();
    let bin = cli.backends.binary()?;
    let machine = sys::Machine::describe(&std::env::temp_dir());
    let params = Params {
        mentorships: cli.mentorships,
        rate: cli.rate,
        warmup_s: cli.warmup,
        duration_s: cli.duration,
        rounds: cli.rounds,
        body_bytes: cli.body_bytes,
        one_at_a_time: if cli.no_latency { 0 } else { cli.one_at_a_time },
        one_at_a_time_gap_ms: cli.one_at_a_time_gap_ms,
        idle_connections: cli.idle_connections,
        idle_users: cli.idle_users.min(2 * cli.mentorships),
        idle_hold_s: cli.idle_hold,
        client_threads: cli.client_threads,
        max_other_cores: cli.max_other_cores,
        retries: cli.retries,
        low_steal_cores: cli.low_steal_cores,
        stalled: !cli.no_latency && !cli.no_stalled,
        cross_instance: !cli.no_latency && !cli.no_cross_instance && cli.backends.postgres.is_some(),
        stalled_recv_buffer: stalled::RECV_BUFFER,
    };
    let backends = cli.backends.each(&bin, "mp-bench-live", async |bin, db| backend(&cli, bin, db).await).await?;
    let report = Report {
        date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        took_min: started.elapsed().as_secs_f64() / 60.0,
        command: command_line(&cli),
        machine,
        params,
        backends,
    };
    let markdown = report.markdown();
    println!("{markdown}");
    if cli.output.write_docs {
        report::splice_into(&cli.output.docs, &markdown)?;
        eprintln!("updated the \"{}\" section of {}", report::HEADING, cli.output.docs.display());
    }
    cli.output.write_json(&report)?;
    let ok = report.backends.iter().all(|b| {
        let latency = cli.no_latency || b.backend != "SQLite" || b.latency_ok();
        let stalled = !report.params.stalled || b.stalled_ok();
        let cross = !report.params.cross_instance || b.backend != "PostgreSQL" || b.cross_ok();
        let idle = cli.idle_connections == 0 || b.idle_ok();
        let single = report.params.one_at_a_time == 0 || b.single_ok();
        latency && stalled && cross && idle && single
    });
    Ok(cli.output.passed(ok))
}

fn progress(backend: &str, what: impl std::fmt::Display) {
    eprintln!("[{} {backend}] {what}", chrono::Local::now().format("%H:%M:%S"));
}

async fn backend(cli: &Cli, bin: &Path, db: &Database) -> anyhow::Result<BackendReport> {
    let name = db.backend_name();
    mentorpost_bench::server::add_admin(bin, db, seed::ADMIN_EMAIL, seed::PASSWORD)?;
    let server = Server::start(bin, db, &[]).await?;
    let http = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(256).timeout(Duration::from_secs(60)).build()?;
    progress(name, format!("seeding {} mentorships on {}", cli.mentorships, server.base));
    let mut world = seed::seed(&http, &server.base, cli.mentorships, !cli.no_latency && !cli.no_stalled).await?;
    progress(name, format!("seeded in {:.0} s", world.seed_time.as_secs_f64()));

    let mut report = if cli.no_latency {
        BackendReport::new(name, postgres_settings(db), world.seed_time.as_secs_f64(), Vec::new())
    } else {
        // Access tokens live 15 minutes; the latency phases take several.
        world.refresh_if_older(&http, &server.base, Duration::from_secs(2 * 60)).await?;
        latency(cli, bin, db, &server, &http, &mut world).await?
    };
    report.settings = postgres_settings(db);
    report.seed_s = world.seed_time.as_secs_f64();

    if cli.idle_connections > 0 {
        // A fresh process, so the figure is not blurred by what the latency phases left
        // in the allocator.
        server.stop_within(STOP_LIMIT).await?;
        let server = Server::start(bin, db, &[]).await?;
        world.refresh_if_older(&http, &server.base, Duration::from_secs(8 * 60)).await?;
        let users = cli.idle_users.min(2 * cli.mentorships);
        let tokens: Vec<String> = world.people().into_iter().take(users).map(|p| p.access.clone()).collect();
        progress(name, format!("idle: opening {} sockets for {} people", cli.idle_connections, tokens.len()));
        let idle = idle::run(
            server.pid(),
            &http,
            &server.base,
            &tokens,
            cli.idle_connections,
            cli.open_parallel,
            Duration::from_secs_f64(cli.idle_hold),
        )
        .await?;
        progress(
            name,
            format!(
                "idle: {} sockets, RSS {} → {} KiB, {:.1} KiB per socket",
                idle.opened,
                idle.rss_before_kib,
                idle.rss_held_kib.max(idle.rss_open_kib),
                idle.kib_per_connection
            ),
        );
        report.idle = Some(idle);
        server.stop_within(STOP_LIMIT).await?;
    } else {
        server.stop_within(STOP_LIMIT).await?;
    }
    Ok(report)
}

/// Opens a socket for each `(mentorship, role)` with `open`, `parallel` at a time, and
/// a reader for each that records into `rec`.
async fn open_readers<F: Future<Output = anyhow::Result<sockets::Ws>>>(
    sockets: &[(usize, Role)],
    parallel: usize,
    rec: &Arc<Recorder>,
    where_: &str,
    open: impl Fn(usize, Role) -> F,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let opened: Vec<anyhow::Result<(sockets::Ws, Role)>> = stream::iter(sockets.iter().copied())
        .map(|(k, role)| {
            let ws = open(k, role);
            async move { Ok((ws.await?, role)) }
        })
        .buffer_unordered(parallel)
        .collect()
        .await;
    let mut readers = Vec::with_capacity(opened.len());
    for o in opened {
        let (ws, role) = o.with_context(|| format!("opening a socket {where_}"))?;
        readers.push(spawn_reader(ws, role, rec.clone()));
    }
    Ok(readers)
}

/// PostgreSQL settings that decide durability and speed, for the report.
fn postgres_settings(db: &Database) -> Vec<(String, String)> {
    db.postgres_settings(&["server_version", "synchronous_commit", "fsync", "max_connections"])
}

/// Checks that a ticket issued by instance A opens a socket on instance B.
async fn ticket_from_a_on_b(http: &reqwest::Client, a: &str, b: &str, token: &str) -> anyhow::Result<()> {
    let ticket = sockets::ticket(http, a, token).await.context("ticket from A")?;
    let ws = open_with_ticket(b, &ticket, None).await.context("opening a socket on B with A's ticket")?;
    drop(ws);
    Ok(())
}

async fn latency(
    cli: &Cli,
    bin: &Path,
    db: &Database,
    server: &Server,
    http: &reqwest::Client,
    world: &mut seed::World,
) -> anyhow::Result<BackendReport> {
    let name = db.backend_name();
    let cfg = PhaseConfig {
        rate: cli.rate,
        warmup: Duration::from_secs_f64(cli.warmup),
        duration: Duration::from_secs_f64(cli.duration),
        body: message_text(cli.body_bytes),
    };
    // One round: floor, mentorpost, then the new phases next to mentorpost; odd rounds
    // run it backwards (ABC…CBA), so every pair of systems alternates.
    let mut round_order = vec![System::Floor, System::Real];
    let stall = match (&world.stalled, cli.no_stalled) {
        (Some(person), false) => {
            round_order.push(System::Stalled);
            Some(stalled::Stall { base: server.base.clone(), token: person.access.clone() })
        }
        _ => None,
    };
    if db.is_postgres() && !cli.no_cross_instance {
        round_order.push(System::CrossInstance);
    }
    let phases = round_order.len() * cli.rounds;
    let attempts = 1 + cli.retries;
    // One message at a time: the same sockets and mentorships, a message every gap.
    let gap = Duration::from_secs_f64(cli.one_at_a_time_gap_ms / 1e3);
    let single_cfg =
        PhaseConfig { rate: 1.0 / gap.as_secs_f64(), warmup: 2 * gap, duration: cli.one_at_a_time as u32 * gap, body: cfg.body.clone() };
    let mut sizes = vec![cfg.messages(); phases * attempts];
    if cli.one_at_a_time > 0 {
        sizes.extend([single_cfg.messages(); 2]);
    }
    let rec = Arc::new(Recorder::new(&sizes));
    let relay = Relay::start()?;

    progress(name, format!("opening {} sockets on the server and {} on the floor relay", 2 * world.pairs.len(), 2 * world.pairs.len()));
    let real_sockets: Vec<(usize, Role)> = (0..world.pairs.len()).flat_map(|k| [(k, Role::Echo), (k, Role::Receiver)]).collect();
    let mut readers = open_readers(&real_sockets, cli.open_parallel, &rec, "on the server", |k, role| {
        let pair = &world.pairs[k];
        open_real(http, &server.base, if role == Role::Echo { &pair.mentor.access } else { &pair.mentee.access })
    })
    .await?;
    readers.extend(open_readers(&real_sockets, cli.open_parallel, &rec, "on the floor relay", |k, _| open_floor(&relay.base, k)).await?);

    let real = Arc::new(Target {
        system: System::Real,
        urls: world.pairs.iter().map(|p| format!("{}/api/v1/threads/{}/messages", server.base, p.thread_id)).collect(),
        auth: world.pairs.iter().map(|p| HeaderValue::from_str(&format!("Bearer {}", p.mentor.access)).ok()).collect(),
        pids: vec![server.pid()],
        postgres: db.is_postgres(),
        stall: None,
    });
    let floor = Arc::new(Target {
        system: System::Floor,
        urls: (0..world.pairs.len()).map(|k| format!("{}/rooms/{k}/messages", relay.base)).collect(),
        auth: vec![None; world.pairs.len()],
        pids: vec![relay.pid()],
        postgres: false,
        stall: None,
    });
    let with_stalled = Arc::new(Target {
        system: System::Stalled,
        urls: real.urls.clone(),
        auth: real.auth.clone(),
        pids: real.pids.clone(),
        postgres: real.postgres,
        stall,
    });

    let mut results = Vec::new();
    let mut cross_ticket = None;
    for round in 0..cli.rounds {
        let mut order = round_order.clone();
        if round % 2 == 1 {
            order.reverse();
        }
        for system in order {
            // Instance B runs only during its own phase, so the other phases see one
            // server, as before.
            let mut second = None;
            let target = match system {
                System::Floor | System::FloorOneAtATime => floor.clone(),
                System::Real | System::OneAtATime => real.clone(),
                System::Stalled => with_stalled.clone(),
                System::CrossInstance => {
                    let b = Server::start_second(bin, db, &[]).await.context("starting instance B")?;
                    progress(name, format!("instance B on {} (same database)", b.base));
                    if cross_ticket.is_none() {
                        let check = ticket_from_a_on_b(http, &server.base, &b.base, &world.pairs[0].mentee.access).await;
                        cross_ticket = Some(check.map_or_else(|e| format!("failed: {e:#}"), |()| "ok".to_owned()));
                    }
                    let t = Arc::new(Target {
                        system,
                        urls: world.pairs.iter().map(|p| format!("{}/api/v1/threads/{}/messages", b.base, p.thread_id)).collect(),
                        auth: real.auth.clone(),
                        pids: vec![server.pid(), b.pid()],
                        postgres: true,
                        stall: None,
                    });
                    second = Some(b);
                    t
                }
            };
            let target = &target;
            for attempt in 0..attempts {
                let phase = results.len();
                let mut r = measure_phase(cli, db, name, &rec, phase, round, target, http, &cfg).await?;
                // Other people's processes on the machine are not the system under test: a
                // window they disturbed is kept in the report but measured again.
                // Hypervisor steal is not counted here: it rises with the load this very run
                // puts on the machine, so it is reported, not repeated away.
                let other_cores = r.cpu.other_s / r.cpu.window_s.max(1e-9);
                r.disturbed = other_cores > cli.max_other_cores;
                let again = r.disturbed && attempt + 1 < attempts;
                if r.disturbed && !again {
                    progress(name, format!("  disturbed: other processes used {other_cores:.2} cores; no retries left"));
                }
                if again {
                    r.repeated = true;
                    progress(
                        name,
                        format!(
                            "  disturbed: other processes used {other_cores:.2} cores (limit {}); measuring again",
                            cli.max_other_cores
                        ),
                    );
                }
                results.push(r);
                if !again {
                    break;
                }
            }
            if let Some(b) = second {
                b.stop_within(STOP_LIMIT).await.context("stopping instance B")?;
            }
        }
    }
    if cli.one_at_a_time > 0 {
        // After the rounds: the server has settled from the load before it, as a quiet
        // server does between two messages. Tokens are refreshed first (they live 15 min).
        world.refresh_if_older(http, &server.base, Duration::from_secs(60)).await?;
        let real_single = Arc::new(Target {
            system: System::OneAtATime,
            urls: real.urls.clone(),
            auth: world.pairs.iter().map(|p| HeaderValue::from_str(&format!("Bearer {}", p.mentor.access)).ok()).collect(),
            pids: real.pids.clone(),
            postgres: real.postgres,
            stall: None,
        });
        let floor_single = Arc::new(Target {
            system: System::FloorOneAtATime,
            urls: floor.urls.clone(),
            auth: floor.auth.clone(),
            pids: floor.pids.clone(),
            postgres: false,
            stall: None,
        });
        for (j, target) in [floor_single, real_single].iter().enumerate() {
            let mut r = measure_phase(cli, db, name, &rec, phases * attempts + j, 0, target, http, &single_cfg).await?;
            r.disturbed = r.cpu.other_s / r.cpu.window_s.max(1e-9) > cli.max_other_cores;
            results.push(r);
        }
    }
    let closes = rec.closed.load(Ordering::Relaxed);
    let reasons = rec.close_reasons.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for reader in &readers {
        reader.abort();
    }
    for reader in readers {
        let _ = reader.await;
    }
    drop(relay);
    let mut report = BackendReport::new(name, Vec::new(), 0.0, results);
    report.socket_closes = closes;
    report.close_reasons = reasons;
    report.cross_ticket = cross_ticket;
    Ok(report)
}

/// One measured phase: waits for the machine to be quiet, runs the phase, and says
/// what it measured.
#[allow(clippy::too_many_arguments)]
async fn measure_phase(
    cli: &Cli,
    db: &Database,
    name: &str,
    rec: &Arc<Recorder>,
    phase: usize,
    round: usize,
    target: &Arc<Target>,
    http: &reqwest::Client,
    cfg: &PhaseConfig,
) -> anyhow::Result<load::PhaseResult> {
    // No timed or WAL-size checkpoint (its writeback, then the burst of full-page
    // images) lands in one phase and not in the one it is compared with.
    db.checkpoint()?;
    let busy =
        if cli.wait_quiet > 0.0 { sys::wait_quiet(0.3, Duration::from_secs_f64(cli.wait_quiet)).await } else { sys::busy_cores().await };
    progress(
        name,
        format!(
            "round {} {}: {:.1} s warm-up + {:.0} s at {:.0}/s (machine busy before: {:.2} cores)",
            round + 1,
            target.system.label(),
            cfg.warmup.as_secs_f64(),
            cfg.duration.as_secs_f64(),
            cfg.rate,
            busy.unwrap_or(f64::NAN)
        ),
    );
    let r = load::run_phase(rec, phase, round, target.clone(), http, cfg, busy).await?;
    progress(
        name,
        format!(
            "  p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.1} ms; POST p50 {:.2} p99 {:.2} ms; after answer p50 {:.2} p99 {:.2} ms ({} before); late p99 {:.2} ms; lost {}+{}, errors {}; server per msg: {:.0} µs CPU, {:.0} µs run-queue wait, {:.1} switches, {} threads; CPU bench {:.1} s (wait {:.1} s), server {:.1} s{}, other {:.1} s [{}]",
            r.recv.p50_ms,
            r.recv.p90_ms,
            r.recv.p99_ms,
            r.recv.max_ms,
            r.post.p50_ms,
            r.post.p99_ms,
            r.after_answer.p50_ms,
            r.after_answer.p99_ms,
            r.before_answer,
            r.send_lateness.p99_ms,
            r.lost_recv,
            r.lost_echo,
            r.post_errors,
            r.cpu.server_s * 1e6 / r.measured as f64,
            r.cpu.server_wait_s * 1e6 / r.measured as f64,
            r.cpu.server_slices as f64 / r.measured as f64,
            r.server_threads.unwrap_or(0),
            r.cpu.bench_s,
            r.cpu.bench_wait_s,
            r.cpu.server_s,
            r.cpu.database_s.map(|d| format!(", postgres {d:.1} s")).unwrap_or_default(),
            r.cpu.other_s,
            report::top_others(&r.cpu)
        ),
    );
    if let Some(err) = &r.first_error {
        progress(name, format!("  first POST error: {err}"));
    }
    if let Some(st) = &r.stalled {
        progress(
            name,
            format!(
                "  stalled socket: live after {:.0} ms, {} frames buffered (last due {} s after it stopped reading), ended by {} {:?} {:?}{}; server RSS {} → peak {} → {} KiB",
                st.open_ms,
                st.frames_before_close,
                st.last_due_after_s.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into()),
                st.ended,
                st.close_code,
                st.close_reason,
                st.open_error.as_deref().map(|e| format!(", open error: {e}")).unwrap_or_default(),
                r.rss_start_kib.unwrap_or(0),
                r.rss_peak_kib.unwrap_or(0),
                r.rss_end_kib.unwrap_or(0)
            ),
        );
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_the_options_that_differ_from_the_defaults() {
        let cli = Cli::parse_from(["live", "--no-sqlite", "--rate", "250", "--idle-hold", "20", "--idle-users", "10", "--write-docs"]);
        assert_eq!(
            command_line(&cli),
            "cargo run --release -p mentorpost-bench --bin live -- --rate 250 --idle-users 10 --no-sqlite --write-docs"
        );
    }
}
