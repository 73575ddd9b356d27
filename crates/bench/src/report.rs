//! Figures: the table on stdout, the JSON summary, and the generated section of
//! `docs/benchmarks.md`.

use crate::load::CpuUsage;
use crate::load::{PhaseResult, Workload};
use crate::sys::Machine;
use hdrhistogram::Histogram;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// Everything measured on one backend.
pub struct BackendRun {
    pub backend: &'static str,
    pub mentorships: usize,
    pub clients: usize,
    pub seed_time: Duration,
    /// `(round, phase)` in the order they ran.
    pub phases: Vec<(usize, PhaseResult)>,
    pub check: CountCheck,
    /// PostgreSQL settings (durability); empty for SQLite.
    pub settings: Vec<(String, String)>,
    /// Lines at WARN or ERROR in the server's log.
    pub server_log_problems: Vec<String>,
}

/// Did every acknowledged message reach the database, and nothing else?
pub struct CountCheck {
    /// Seeded first messages + every 201 of every phase (warm-ups included).
    pub expected: u64,
    /// Sum of `message_count` over the threads, via the API, after SIGKILL + restart.
    pub api_after_crash: u64,
    /// `SELECT COUNT(*) FROM messages` with sqlite3/psql, if available.
    pub db_rows: Option<u64>,
}

impl CountCheck {
    pub fn passed(&self) -> bool {
        self.api_after_crash == self.expected && self.db_rows.is_none_or(|n| n == self.expected)
    }
}

/// One workload over all rounds of a backend.
pub struct Aggregate {
    pub ok: u64,
    pub errors: u64,
    pub window: Duration,
    pub hist: Histogram<u64>,
    pub cpu: CpuUsage,
}

impl Aggregate {
    fn of(run: &BackendRun, workload: Workload) -> Aggregate {
        let mut agg = Aggregate { ok: 0, errors: 0, window: Duration::ZERO, hist: crate::latency_histogram(), cpu: CpuUsage::default() };
        for (_, p) in run.phases.iter().filter(|(_, p)| p.workload == workload) {
            agg.cpu.add(&p.cpu, agg.window.as_secs_f64(), p.window.as_secs_f64());
            agg.ok += p.ok;
            agg.errors += p.errors;
            agg.window += p.window;
            let _ = agg.hist.add(&p.hist);
        }
        agg
    }

    pub fn rate(&self) -> f64 {
        if self.window.is_zero() { 0.0 } else { self.ok as f64 / self.window.as_secs_f64() }
    }

    fn ms(&self, q: f64) -> f64 {
        self.hist.value_at_quantile(q) as f64 / 1000.0
    }

    fn max_ms(&self) -> f64 {
        self.hist.max() as f64 / 1000.0
    }

    fn cores_cell(&self, secs: Option<f64>) -> String {
        match secs {
            Some(s) if !self.window.is_zero() => {
                format!("{:.2} cores", s / self.window.as_secs_f64())
            }
            _ => "–".into(),
        }
    }

    /// CPU seconds as cores busy over the window, and as µs per request.
    fn cpu_cell(&self, secs: Option<f64>) -> String {
        match secs {
            Some(s) if !self.window.is_zero() && self.ok > 0 => {
                format!("{:.2} cores ({:.0} µs/req)", s / self.window.as_secs_f64(), s * 1e6 / self.ok as f64)
            }
            _ => "–".into(),
        }
    }
}

/// The contract of the issue, per backend.
pub fn target_rate(backend: &str) -> f64 {
    if backend == "postgres" { 3000.0 } else { 5000.0 }
}
pub const TARGET_P99_MS: f64 = 20.0;

pub struct Summary {
    pub posts: Aggregate,
    pub base: Aggregate,
}

impl Summary {
    pub fn of(run: &BackendRun) -> Summary {
        Summary { posts: Aggregate::of(run, Workload::PostMessages), base: Aggregate::of(run, Workload::Healthz) }
    }

    pub fn ratio(&self) -> f64 {
        let p = self.posts.rate();
        if p > 0.0 { self.base.rate() / p } else { 0.0 }
    }

    pub fn verdict(&self, run: &BackendRun) -> String {
        let mut misses = Vec::new();
        let target = target_rate(run.backend);
        if self.posts.rate() < target {
            misses.push(format!("rate < {target:.0}/s"));
        }
        if self.posts.ms(0.99) >= TARGET_P99_MS {
            misses.push(format!("p99 ≥ {TARGET_P99_MS:.0} ms"));
        }
        if self.posts.errors > 0 {
            misses.push("errors".into());
        }
        if !run.check.passed() {
            misses.push("count mismatch".into());
        }
        if misses.is_empty() { "met".into() } else { format!("missed: {}", misses.join(", ")) }
    }
}

fn rate_cell(r: f64) -> String {
    format!("{r:.0}")
}

/// What a post's mail costs (with `--mail-comparison`), measured two ways against the
/// same posts with every member's mail `off`:
///
/// - at a fixed rate below saturation: the latency the notification path adds to one
///   post (the contract of issue "E-mail out", Speed: ≤ 1 ms added to the p50);
/// - closed loop at saturation: how much of the machine the mails take, which shows
///   as lower throughput and longer queues, not as the path's own cost.
fn mail_cost(runs: &[BackendRun], paced_rate: f64) -> String {
    let mut out = String::new();
    for run in runs {
        let paced_off = Aggregate::of(run, Workload::PacedMailOff);
        if paced_off.ok > 0 {
            for (workload, what) in
                [(Workload::PacedMailLive, "readers on the web (`live`)"), (Workload::PacedMailEach, "a mail per message (`each`)")]
            {
                let with = Aggregate::of(run, workload);
                if with.ok == 0 {
                    continue;
                }
                let added = with.ms(0.5) - paced_off.ms(0.5);
                let _ = writeln!(
                    out,
                    "\nMail cost at {paced_rate:.0} posts/s ({}, {what}): p50 {:.2} ms, {:.2} ms with mail off → {:+.2} ms (target ≤ 1 ms: **{}**); p99 {:.2} vs {:.2} ms; server {} vs {}.",
                    run.backend,
                    with.ms(0.5),
                    paced_off.ms(0.5),
                    added,
                    if added <= 1.0 { "met" } else { "missed" },
                    with.ms(0.99),
                    paced_off.ms(0.99),
                    with.cpu_cell(with.cpu.server_s),
                    paced_off.cpu_cell(paced_off.cpu.server_s),
                );
            }
        }
        let without = Aggregate::of(run, Workload::PostMessagesMailOff);
        if without.ok == 0 {
            continue;
        }
        for (workload, what) in
            [(Workload::PostMessages, "readers on the web (`live`)"), (Workload::PostMessagesMailEach, "a mail per message (`each`)")]
        {
            let with = Aggregate::of(run, workload);
            if with.ok == 0 {
                continue;
            }
            let _ = writeln!(
                out,
                "\nAt saturation ({}, {what}, closed loop): {:.0} vs {:.0} msgs/s with mail off; p50 {:.2} vs {:.2} ms ({:+.2} ms); server {} vs {}.",
                run.backend,
                with.rate(),
                without.rate(),
                with.ms(0.5),
                without.ms(0.5),
                with.ms(0.5) - without.ms(0.5),
                with.cpu_cell(with.cpu.server_s),
                without.cpu_cell(without.cpu.server_s),
            );
        }
    }
    out
}

/// The per-phase table (every round, both workloads) as Markdown.
fn phase_table(runs: &[BackendRun]) -> String {
    let mut out = String::new();
    out.push_str("| backend | round | workload | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | client CPU | server CPU | DB CPU | other processes | machine busy |\n");
    out.push_str("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for run in runs {
        for (round, p) in &run.phases {
            let secs = p.window.as_secs_f64();
            let cores = |s: Option<f64>| s.map_or("–".into(), |s| format!("{:.2}", s / secs));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {} | {} | {} |",
                run.backend,
                round,
                p.workload.label(),
                rate_cell(p.rate()),
                p.hist.value_at_quantile(0.50) as f64 / 1000.0,
                p.hist.value_at_quantile(0.90) as f64 / 1000.0,
                p.hist.value_at_quantile(0.99) as f64 / 1000.0,
                p.hist.max() as f64 / 1000.0,
                p.errors,
                cores(p.cpu.client_s),
                cores(p.cpu.server_s),
                cores(p.cpu.database_s),
                cores(p.cpu.other_s),
                p.cpu.machine_busy.map_or("–".into(), |b| format!("{:.0} %", b * 100.0)),
            );
        }
    }
    out
}

/// The headline table: one row per backend.
fn summary_table(runs: &[BackendRun]) -> String {
    let mut out = String::new();
    out.push_str("| backend | msgs/s | p50 ms | p90 ms | p99 ms | max ms | errors | baseline req/s (`GET /healthz`) | baseline ÷ posts | client CPU | server CPU | DB CPU | other processes | machine busy | contract |\n");
    out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for run in runs {
        let s = Summary::of(run);
        let p = &s.posts;
        let _ = writeln!(
            out,
            "| {} | **{}** | {:.2} | {:.2} | **{:.2}** | {:.2} | {} | {} | {:.1}× | {} | {} | {} | {} | {} | {} (≥ {:.0}/s, p99 < {:.0} ms) |",
            run.backend,
            rate_cell(p.rate()),
            p.ms(0.50),
            p.ms(0.90),
            p.ms(0.99),
            p.max_ms(),
            p.errors,
            rate_cell(s.base.rate()),
            s.ratio(),
            p.cpu_cell(p.cpu.client_s),
            p.cpu_cell(p.cpu.server_s),
            p.cpu_cell(p.cpu.database_s),
            p.cores_cell(p.cpu.other_s),
            p.cpu.machine_busy.map_or("–".into(), |b| format!("{:.0} %", b * 100.0)),
            s.verdict(run),
            target_rate(run.backend),
            TARGET_P99_MS,
        );
    }
    out
}

fn checks(runs: &[BackendRun]) -> String {
    let mut out = String::new();
    for run in runs {
        let c = &run.check;
        let _ = writeln!(
            out,
            "- {}: {} mentorships, {} members, {} clients, seeded in {:.1} s. Messages expected (seeded first messages + every 201, warm-ups included): {}; counted through the API after SIGKILL and restart: {}; rows in `messages`: {} — {}.",
            run.backend,
            run.mentorships,
            run.mentorships * 2,
            run.clients,
            run.seed_time.as_secs_f64(),
            c.expected,
            c.api_after_crash,
            c.db_rows.map_or("not checked".into(), |n| n.to_string()),
            if c.passed() { "match" } else { "**MISMATCH**" },
        );
        if !run.settings.is_empty() {
            let _ = writeln!(
                out,
                "  PostgreSQL settings: {}.",
                run.settings.iter().map(|(k, v)| format!("`{k} = {v}`")).collect::<Vec<_>>().join(", ")
            );
        }
        if !run.server_log_problems.is_empty() {
            let _ = writeln!(
                out,
                "  Server log: {} warning/error lines, first: `{}`",
                run.server_log_problems.len(),
                run.server_log_problems[0].replace('`', "'")
            );
        }
    }
    out
}

/// Printed to stdout at the end of a run.
pub fn console(runs: &[BackendRun], machine: &Machine, paced_rate: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nmachine: {}\n", machine.line());
    out.push_str("Summary (all rounds; CPU as cores busy over the measured window and µs per request):\n\n");
    out.push_str(&summary_table(runs));
    out.push_str(&mail_cost(runs, paced_rate));
    out.push_str("\nEvery phase:\n\n");
    out.push_str(&phase_table(runs));
    out.push('\n');
    out.push_str(&checks(runs));
    out
}

pub struct RunInfo {
    pub command: String,
    pub warmup: Duration,
    pub duration: Duration,
    pub rounds: usize,
    pub body_bytes: usize,
    pub client_threads: usize,
    pub wait_quiet: Duration,
    pub clients: usize,
    pub mentorships: usize,
    pub binary: String,
    pub paced_rate: f64,
}

/// The section's heading. The section runs from this line to the next `# ` or `## `
/// heading outside code fences, the same rule the `live` bench uses for its own
/// section, so each bench replaces only what it wrote.
pub const HEADING: &str = "## POST messages";

const DOC_HEADER: &str = "# Benchmarks\n\nMeasured with `crates/bench` (`mentorpost-bench`) against the release binary running as its own process on loopback. Each section is generated by the bench (`--write-docs`) and replaced as a whole on a re-run; text outside the generated sections is kept.\n";

const METHOD: &str = "\
**Contract.** Authenticated `POST /api/v1/threads/{id}/messages` from 50 concurrent clients spread over ≥ 100 mentorships, on loopback, on this 2-core machine: ≥ 5,000 messages/s on SQLite and ≥ 3,000/s on PostgreSQL with p99 < 20 ms, every message durably committed before the 2xx.

**Method.**

1. `mentorpost-bench` starts the release `mentorpost` binary as a subprocess (`serve --http 127.0.0.1:<free port>`) on a fresh database: a new temporary data dir for SQLite, a new `mp_bench_<random>` database for PostgreSQL (created and dropped with `psql`). It waits for `GET /readyz` to answer 200 (polling, no fixed sleeps). The server runs with its defaults: SQLite in WAL mode with `synchronous = FULL` and group commit through the single writer task; PostgreSQL with `synchronous_commit` as configured (recorded below).
2. Seeding goes through the public API: the admin is created with `mentorpost user add --admin`, then a programme, {members} accounts with passwords (`POST /api/v1/users`), {mentorships} active mentorships of one mentor and one mentee, every member logged in (`POST /api/v1/auth/login`), and one thread per mentorship started by its mentor.
3. Load: {clients} client tasks in the bench process, each with its own keep-alive HTTP/1.1 connection (one `reqwest` client each), closed loop (the next request leaves as soon as the previous answer arrived). Client `c` posts in turn as every member `j` with `j mod {clients} = c` (4 members of 4 different mentorships at 50 clients and 200 members), so all mentorships are written to and the mentor and the mentee of each mentorship post from two different clients. Each request carries the member's bearer token, a unique `client_msg_id` and a {body_bytes}-byte body. Only 201 counts as a success; anything else is an error.
4. Each phase runs {warmup} s of warm-up (not measured) and {duration} s measured; a request belongs to the window it started in. The baseline `GET /healthz` (same {clients} clients, same connections, no auth, no storage) alternates with the posts: {rounds} rounds of (baseline, posts). The ratio baseline ÷ posts is what auth + storage cost relative to bare HTTP on the same machine in the same run. Every member has the default mail mode of people with a password (`live`): a post queues no mail row (a missed-message mail is queued by the outbox worker's scan once the delay, 10 minutes, has passed unread — never within a phase); with `--mail-comparison` each round adds the same posts with every member's mail switched `off` and with every member on `each` (a notification row per recipient in the posting transaction, and the outbox worker sending those mails over SMTP while the phase runs, to a discard-only SMTP sink on a thread of its own in the bench process, whose CPU counts as the client's), switched through `PUT /api/v1/me/mail` before the phase and back after; before every phase the bench waits until the outbox holds no pending mail (so one phase's mail is not sent during the next); the differences of the p50 against `off` are what a post's mail costs at saturation, where the outbox worker's CPU is taken from the posts. Each round then adds three open-loop phases at a fixed total rate of {paced_rate} posts/s (below saturation; each client sends on its own schedule, one request every {clients} ÷ {paced_rate} s, and a request is timed from its scheduled moment, so a slow answer also charges the requests queued behind it): mail `off`, `live` and `each`. The p50 differences of those against `off` are what the notification path adds to one post, the contract figure.
5. CPU is read from `/proc` at the start and end of each measured window: the bench process (client, {client_runtime}), the server process, all `postgres` processes (DB), and the whole machine. On 2 cores the client competes with the server, so these show who the bottleneck is. \"Other processes\" is busy machine time used by none of them (other work on the machine, kernel threads): a large figure there means the run was disturbed. Before each phase the bench asks PostgreSQL for a `CHECKPOINT` (so no timed or WAL-size checkpoint, with its writeback and the burst of full-page images after it, lands inside one phase and not the one it is compared with; every phase starts right after one) and then waits up to {wait_quiet} s for the machine to be quiet (below 0.2 cores busy).
6. After the last round the server is killed with SIGKILL (no graceful flush), restarted on the same database, and the messages are counted through the API (sum of `message_count` over every thread) and with `sqlite3`/`psql`. The count must equal the seeded first messages plus every 201 the clients received: an acknowledged message that was not committed would be missing.
";

/// The generated Markdown section.
pub fn docs_section(runs: &[BackendRun], machine: &Machine, info: &RunInfo) -> String {
    let mut out = String::new();
    out.push_str(HEADING);
    out.push_str(
        "\n\n<!-- Generated by `mentorpost-bench post-messages --write-docs`; the method text lives in crates/bench/src/report.rs. -->\n\n",
    );
    out.push_str(
        &METHOD
            .replace("{body_bytes}", &info.body_bytes.to_string())
            .replace("{warmup}", &format!("{}", info.warmup.as_secs_f64()))
            .replace("{duration}", &format!("{}", info.duration.as_secs_f64()))
            .replace("{rounds}", &info.rounds.to_string())
            .replace(
                "{client_runtime}",
                &if info.client_threads <= 1 {
                    "a single-threaded Tokio runtime".to_owned()
                } else {
                    format!("a Tokio runtime with {} threads", info.client_threads)
                },
            )
            .replace("{paced_rate}", &format!("{}", info.paced_rate))
            .replace("{wait_quiet}", &format!("{}", info.wait_quiet.as_secs_f64()))
            .replace("{clients}", &info.clients.to_string())
            .replace("{mentorships}", &info.mentorships.to_string())
            .replace("{members}", &(info.mentorships * 2).to_string()),
    );
    out.push_str("\n**Reproduce.**\n\n```sh\n");
    out.push_str("cargo build --release -p mentorpost-server\n");
    let _ = writeln!(out, "{}", info.command);
    out.push_str("```\n\n### Latest run\n\n");
    let _ = writeln!(out, "- Date: {}", chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"));
    let _ = writeln!(out, "- Machine: {}", machine.line());
    let _ = writeln!(out, "- Server binary: {}", info.binary);
    let missing: Vec<&str> = ["sqlite", "postgres"].into_iter().filter(|b| !runs.iter().any(|r| r.backend == *b)).collect();
    if !missing.is_empty() {
        let _ = writeln!(out, "- Not run this time: {} (pass `--postgres URL` for PostgreSQL)", missing.join(", "));
    }
    out.push_str("\nSummary over all rounds. CPU is given as cores busy during the measured window and as CPU time per successful request; 2 cores exist in total.\n\n");
    out.push_str(&summary_table(runs));
    out.push_str(&mail_cost(runs, info.paced_rate));
    out.push_str("\nEvery phase:\n\n");
    out.push_str(&phase_table(runs));
    out.push_str("\nChecks:\n\n");
    out.push_str(&checks(runs));
    out
}

/// Replaces this bench's section in `path`, or appends it; creates the file.
pub fn write_docs(path: &Path, section: &str) -> anyhow::Result<()> {
    let current = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(anyhow::anyhow!("reading {}: {err}", path.display())),
    };
    let current = if current.trim().is_empty() { DOC_HEADER.to_owned() } else { current };
    std::fs::write(path, crate::docs::splice(&current, HEADING, section)).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))
}

/// A machine-readable summary.
pub fn json(runs: &[BackendRun], machine: &Machine) -> serde_json::Value {
    let backends: Vec<serde_json::Value> = runs
        .iter()
        .map(|run| {
            let s = Summary::of(run);
            let agg = |a: &Aggregate| {
                serde_json::json!({
                    "rate": a.rate(),
                    "ok": a.ok,
                    "errors": a.errors,
                    "window_s": a.window.as_secs_f64(),
                    "p50_ms": a.ms(0.5),
                    "p90_ms": a.ms(0.9),
                    "p99_ms": a.ms(0.99),
                    "max_ms": a.max_ms(),
                    "cpu": a.cpu,
                })
            };
            serde_json::json!({
                "backend": run.backend,
                "posts": agg(&s.posts),
                "baseline_healthz": agg(&s.base),
                "ratio": s.ratio(),
                "verdict": s.verdict(run),
                "expected_messages": run.check.expected,
                "api_messages_after_crash": run.check.api_after_crash,
                "db_rows": run.check.db_rows,
                "settings": run.settings,
            })
        })
        .collect();
    serde_json::json!({
        "date": chrono::Utc::now().to_rfc3339(),
        "machine": machine.line(),
        "backends": backends,
    })
}
