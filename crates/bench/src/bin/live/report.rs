//! The report: one Markdown section, `## Live delivery (WebSocket)`, printed and
//! optionally spliced into `docs/benchmarks.md` (other sections of that file belong to
//! other benchmarks and are left exactly as they are).

use crate::idle::IdleResult;
use crate::load::{PhaseResult, Summary, System, new_histogram, summarize};
use mentorpost_bench::sys::Machine;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

pub const HEADING: &str = "## Live delivery (WebSocket)";

/// Targets from the contract.
pub const TARGET_P50_MS: f64 = 3.0;
pub const TARGET_P99_MS: f64 = 15.0;
pub const TARGET_IDLE_KIB: f64 = 40.0;
/// Active clients' p99 with one stalled socket, at most this multiple of without.
pub const TARGET_STALLED_RATIO: f64 = 2.0;
pub const TARGET_CROSS_P99_MS: f64 = 100.0;
/// One message at a time on an idle server (issue "Speed, second step"): p50 on
/// SQLite, on PostgreSQL, and no message slower than the last.
pub const TARGET_SINGLE_P50_SQLITE_MS: f64 = 1.0;
pub const TARGET_SINGLE_P50_POSTGRES_MS: f64 = 2.0;
pub const TARGET_SINGLE_MAX_MS: f64 = 50.0;

#[derive(Clone, Debug, Serialize)]
pub struct Params {
    pub mentorships: usize,
    pub rate: f64,
    pub warmup_s: f64,
    pub duration_s: f64,
    pub rounds: usize,
    pub body_bytes: usize,
    /// Messages of each one-at-a-time phase (0: not run), and the gap between two.
    pub one_at_a_time: usize,
    pub one_at_a_time_gap_ms: f64,
    pub idle_connections: usize,
    pub idle_users: usize,
    pub idle_hold_s: f64,
    pub client_threads: usize,
    pub max_other_cores: f64,
    pub retries: usize,
    pub low_steal_cores: f64,
    /// Slow-reader phases were run.
    pub stalled: bool,
    /// Cross-instance phases were run (PostgreSQL).
    pub cross_instance: bool,
    /// SO_RCVBUF of the stalled socket, bytes.
    pub stalled_recv_buffer: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct BackendReport {
    pub backend: String,
    pub settings: Vec<(String, String)>,
    pub seed_s: f64,
    pub phases: Vec<PhaseResult>,
    pub real: Summary,
    pub floor: Summary,
    pub real_echo: Summary,
    pub real_post: Summary,
    pub floor_post: Summary,
    pub real_after: Summary,
    pub floor_after: Summary,
    pub real_cost: PerMessage,
    pub floor_cost: PerMessage,
    /// Active sockets' latency in the slow-reader phases.
    pub stalled: Summary,
    pub stalled_post: Summary,
    /// Posted through instance B, arrival on A's sockets.
    pub cross: Summary,
    pub cross_post: Summary,
    pub cross_echo: Summary,
    /// One message at a time on an idle server, and the floor's figure for the same.
    pub single: Summary,
    pub single_post: Summary,
    pub floor_single: Summary,
    pub single_cost: PerMessage,
    pub floor_single_cost: PerMessage,
    pub single_lost: u64,
    /// Lost messages and failed POSTs of the mentorpost phases.
    pub lost: u64,
    pub stalled_lost: u64,
    pub cross_lost: u64,
    /// Whether a ticket issued by instance A opened a socket on instance B.
    pub cross_ticket: Option<String>,
    pub socket_closes: u64,
    pub close_reasons: Vec<String>,
    pub idle: Option<IdleResult>,
}

/// What one message cost, averaged over the measured windows of one system.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct PerMessage {
    pub server_cpu_us: f64,
    pub server_wait_us: f64,
    pub server_switches: f64,
    pub database_cpu_us: Option<f64>,
    pub bench_cpu_us: f64,
    /// Share of messages that reached the other member before the poster had its answer.
    pub before_answer: f64,
    /// Average "other" CPU (not bench, server or database) in cores.
    pub other_cores: f64,
}

/// The windows the totals are made of: the undisturbed ones of `system`, or, when every
/// window was disturbed, the last attempt of each phase.
pub fn counted(phases: &[PhaseResult], system: System) -> Vec<&PhaseResult> {
    let clean: Vec<&PhaseResult> = phases.iter().filter(|p| p.system == system && !p.disturbed).collect();
    if clean.is_empty() { phases.iter().filter(|p| p.system == system && !p.repeated).collect() } else { clean }
}

impl PerMessage {
    fn of(phases: &[PhaseResult], system: System) -> PerMessage {
        let mine = counted(phases, system);
        let n: f64 = mine.iter().map(|p| p.measured as f64).sum();
        let window: f64 = mine.iter().map(|p| p.cpu.window_s).sum();
        if n == 0.0 {
            return PerMessage::default();
        }
        let sum = |f: fn(&PhaseResult) -> f64| mine.iter().map(|p| f(p)).sum::<f64>();
        let database: Vec<f64> = mine.iter().filter_map(|p| p.cpu.database_s).collect();
        PerMessage {
            server_cpu_us: sum(|p| p.cpu.server_s) * 1e6 / n,
            server_wait_us: sum(|p| p.cpu.server_wait_s) * 1e6 / n,
            server_switches: sum(|p| p.cpu.server_slices as f64) / n,
            database_cpu_us: (!database.is_empty()).then(|| database.iter().sum::<f64>() * 1e6 / n),
            bench_cpu_us: sum(|p| p.cpu.bench_s) * 1e6 / n,
            before_answer: sum(|p| p.before_answer as f64) / n,
            other_cores: if window > 0.0 { sum(|p| p.cpu.other_s) / window } else { 0.0 },
        }
    }
}

impl BackendReport {
    pub fn new(backend: &str, settings: Vec<(String, String)>, seed_s: f64, phases: Vec<PhaseResult>) -> BackendReport {
        let merge = |system: System, pick: fn(&PhaseResult) -> &hdrhistogram::Histogram<u64>| {
            let mut h = new_histogram();
            for p in counted(&phases, system) {
                let _ = h.add(pick(p));
            }
            summarize(&h)
        };
        let lost =
            |system: System| phases.iter().filter(|p| p.system == system).map(|p| p.lost_recv + p.lost_echo + p.post_errors).sum::<u64>();
        BackendReport {
            backend: backend.to_owned(),
            settings,
            seed_s,
            real: merge(System::Real, |p| &p.recv_hist),
            floor: merge(System::Floor, |p| &p.recv_hist),
            real_echo: merge(System::Real, |p| &p.echo_hist),
            real_post: merge(System::Real, |p| &p.post_hist),
            floor_post: merge(System::Floor, |p| &p.post_hist),
            real_after: merge(System::Real, |p| &p.after_hist),
            floor_after: merge(System::Floor, |p| &p.after_hist),
            real_cost: PerMessage::of(&phases, System::Real),
            floor_cost: PerMessage::of(&phases, System::Floor),
            stalled: merge(System::Stalled, |p| &p.recv_hist),
            stalled_post: merge(System::Stalled, |p| &p.post_hist),
            cross: merge(System::CrossInstance, |p| &p.recv_hist),
            cross_post: merge(System::CrossInstance, |p| &p.post_hist),
            cross_echo: merge(System::CrossInstance, |p| &p.echo_hist),
            single: merge(System::OneAtATime, |p| &p.recv_hist),
            single_post: merge(System::OneAtATime, |p| &p.post_hist),
            floor_single: merge(System::FloorOneAtATime, |p| &p.recv_hist),
            single_cost: PerMessage::of(&phases, System::OneAtATime),
            floor_single_cost: PerMessage::of(&phases, System::FloorOneAtATime),
            single_lost: lost(System::OneAtATime),
            lost: lost(System::Real),
            stalled_lost: lost(System::Stalled),
            cross_lost: lost(System::CrossInstance),
            cross_ticket: None,
            phases,
            socket_closes: 0,
            close_reasons: Vec::new(),
            idle: None,
        }
    }

    pub fn ratio_p50(&self) -> f64 {
        ratio(self.real.p50_ms, self.floor.p50_ms)
    }

    pub fn ratio_p99(&self) -> f64 {
        ratio(self.real.p99_ms, self.floor.p99_ms)
    }

    pub fn latency_ok(&self) -> bool {
        self.real.count > 0 && self.real.p50_ms <= TARGET_P50_MS && self.real.p99_ms <= TARGET_P99_MS && self.lost == 0
    }

    /// Active p99 with the stalled socket ÷ without it.
    pub fn stalled_ratio(&self) -> f64 {
        ratio(self.stalled.p99_ms, self.real.p99_ms)
    }

    /// The slow-reader phases whose figures count (see [`counted`]).
    pub fn stalled_phases(&self) -> Vec<&PhaseResult> {
        counted(&self.phases, System::Stalled)
    }

    pub fn stalled_ok(&self) -> bool {
        let phases = self.stalled_phases();
        self.stalled.count > 0
            && self.real.count > 0
            && self.stalled_ratio() <= TARGET_STALLED_RATIO
            && self.stalled_lost == 0
            && !phases.is_empty()
            && phases.iter().all(|p| p.stalled.as_ref().is_some_and(|s| s.resumed()))
    }

    pub fn cross_ok(&self) -> bool {
        self.cross.count > 0 && self.cross.p99_ms <= TARGET_CROSS_P99_MS && self.cross_lost == 0
    }

    /// The one-at-a-time target of this backend: p50 ≤ its bound, nothing over
    /// [`TARGET_SINGLE_MAX_MS`], nothing lost.
    pub fn single_ok(&self) -> bool {
        let p50 = if self.backend == "SQLite" { TARGET_SINGLE_P50_SQLITE_MS } else { TARGET_SINGLE_P50_POSTGRES_MS };
        self.single.count > 0 && self.single.p50_ms <= p50 && self.single.max_ms <= TARGET_SINGLE_MAX_MS && self.single_lost == 0
    }

    pub fn idle_ok(&self) -> bool {
        self.idle.as_ref().is_some_and(|i| i.open_errors == 0 && i.closed_during_hold == 0 && i.kib_per_connection <= TARGET_IDLE_KIB)
    }
}

fn phase_label(x: &PhaseResult) -> String {
    match (x.disturbed, x.repeated) {
        (true, true) => format!("{} (disturbed, repeated)", x.system.label()),
        (true, false) => format!("{} (disturbed, no retry left)", x.system.label()),
        _ => x.system.label().to_owned(),
    }
}

/// "rustc 3.1, kworker/0:1 0.4" — who else used the CPU in a window.
pub fn top_others(cpu: &mentorpost_bench::sys::CpuUsage) -> String {
    let listed: Vec<String> = cpu.other_top.iter().filter(|(_, s)| *s >= 0.05).map(|(c, s)| format!("{c} {s:.1}")).collect();
    if listed.is_empty() { "–".into() } else { listed.join(", ") }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub date: String,
    /// Wall time of the whole run, minutes.
    pub took_min: f64,
    pub command: String,
    pub machine: Machine,
    pub params: Params,
    pub backends: Vec<BackendReport>,
}

fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn yes(ok: bool) -> &'static str {
    if ok { "**met**" } else { "**missed**" }
}

impl Report {
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let p = &self.params;
        let _ = writeln!(s, "{HEADING}\n");
        let _ = writeln!(
            s,
            "Contract (issue \"Live delivery over WebSocket\", Speed): a message `POST`ed by one member reaches \
             another member's socket with **p50 ≤ {TARGET_P50_MS} ms and p99 ≤ {TARGET_P99_MS} ms on SQLite** at \
             1,000 connected clients and 500 messages/s, stated as a ratio to a floor measured in the same run; \
             **10,000 idle authenticated connections cost ≤ {TARGET_IDLE_KIB} KiB of server memory each**; with one \
             client that stops reading, the active clients' p99 stays **within {TARGET_STALLED_RATIO}× of without** and the \
             stalled one is closed with the resume code (acceptance 4); with two instances on one PostgreSQL, a message \
             posted through one reaches a socket on the other with **p99 ≤ {TARGET_CROSS_P99_MS} ms** (acceptance 6).\n"
        );
        let _ = writeln!(s, "Reproduce (from the repository root; this run took {:.0} minutes):\n", self.took_min);
        let _ = writeln!(s, "```sh");
        let _ = writeln!(s, "export CARGO_TARGET_DIR=$HOME/.cache/mentorpost-target");
        let _ = writeln!(s, "cargo build --release -p mentorpost-server -p mentorpost-bench");
        let _ = writeln!(s, "ulimit -n \"$(ulimit -Hn)\"   # ≥ 10,600 needed: 10,000 sockets on each side; the server inherits it");
        let _ = writeln!(s, "{}", self.command);
        let _ = writeln!(s, "```\n");
        let m = &self.machine;
        let _ = writeln!(
            s,
            "Run {}: {} cores ({}), Linux {}, {:.0} GiB RAM, data dir on {}, open-files limit {}. \
             The bench, the server and PostgreSQL share these cores.",
            self.date, m.cores, m.cpu, m.kernel, m.memory_gib, m.filesystem, m.open_files
        );
        for b in self.backends.iter().filter(|b| !b.settings.is_empty()) {
            let settings: Vec<String> = b.settings.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            let _ = writeln!(s, "PostgreSQL on the same machine: {}.", settings.join(", "));
        }
        let _ = writeln!(s);

        let _ = writeln!(s, "### Method\n");
        let _ = writeln!(
            s,
            "- The release `mentorpost` binary runs as its own process on a free loopback port, on a fresh database \
             (a temporary SQLite data dir; or a new PostgreSQL database `mp_bench_live_<random>`, dropped afterwards). \
             Seeded over HTTP: {} active mentorships with one mentor and one mentee each ({} people, every one logged \
             in with a password), one thread each{}.",
            p.mentorships,
            2 * p.mentorships,
            if p.stalled {
                "; for the slow-reader phase one more person is a second mentee of every mentorship, in every phase (so a \
                 post also queues that person's mail in the outbox), with no socket except in that phase"
            } else {
                ""
            }
        );
        let _ = writeln!(
            s,
            "- {} sockets, one per person: ticket (`POST /api/v1/ws/ticket`) → `/api/v1/ws?ticket=` → `hello` → wait for `live`.",
            2 * p.mentorships
        );
        let _ = writeln!(
            s,
            "- Open-loop load: message *i* is due at `start + i / {:.0} s⁻¹`, round-robin over the mentorships \
             (each gets {:.1} message/s), posted by the mentor (`POST /api/v1/threads/{{id}}/messages`, {}-byte body, \
             a `client_msg_id` naming the message). A scheduler thread sleeps until each due time and hands the request \
             to the async client, so a slow server cannot slow the offered load.",
            p.rate,
            p.rate / p.mentorships as f64,
            p.body_bytes
        );
        let _ = writeln!(
            s,
            "- **Latency = arrival of the frame on the mentee's socket − the message's due time** (not its actual send \
             time), in an HdrHistogram (µs, 3 digits). The mentor's own socket receives the event too (\"echo\"); it is \
             counted for losses and shown separately. {:.0} s warm-up, then {:.0} s measured, per phase.",
            p.warmup_s, p.duration_s
        );
        let _ = writeln!(
            s,
            "- **Floor**: a relay inside the bench binary, run as its own process (`live --relay-listen`): the same \
             axum/hyper/tokio-tungstenite stack and socket settings as the server, the same per-socket bounded queue and \
             `try_send` fan-out, but no authentication, no storage, no JSON parsing. The same {} sockets (two per room), \
             the same POSTs at the same rate. Floor and server phases alternate (ABBA over {} rounds) in one run.",
            2 * p.mentorships,
            p.rounds
        );
        if p.stalled {
            let _ = writeln!(
                s,
                "- **Slow reader** (phase \"mentorpost + 1 stalled socket\"): the same {} sockets and the same load, and one \
                 person more, a second mentee of every mentorship, so their socket is due every message ({:.0}/s). At the \
                 start of the measured window that person opens one socket (ticket, `hello`, `live`; kernel receive buffer \
                 {} KiB, set before connecting, so the backlog lands in the server rather than in loopback buffers) and never \
                 reads it again. The server has to close it with {} (resume) without slowing the others. Latency is that of \
                 the {} active sockets, as above; the stalled socket's frames are not counted. After the window the bench \
                 reads the stalled socket: the frames that had been buffered, then the close frame and its code. The \
                 server's `VmRSS` is sampled every 100 ms from the start of the window until that socket has been read out.",
                2 * p.mentorships,
                p.rate,
                p.stalled_recv_buffer / 1024,
                mentorpost_model::ws::close::RESUME,
                2 * p.mentorships
            );
        }
        if p.cross_instance {
            let _ = writeln!(
                s,
                "- **Cross-instance** (PostgreSQL only; phase \"mentorpost, posted via instance B\"): a second `mentorpost \
                 serve` with the same `--database-url` (a data dir of its own) is started before the phase and stopped after \
                 it. The sockets stay on the first instance (A); the same POSTs, with the access tokens A issued, go to B. \
                 Latency as above: due time → arrival on the mentee's socket on A (B commits, PostgreSQL `NOTIFY`, A's \
                 listener, A sends the frame the NOTIFY carried, or reads the event, and fans it out). The server CPU of this phase is A's and B's together. Before \
                 the first such phase, a ticket issued by A opens a socket on B."
            );
        }
        if p.one_at_a_time > 0 {
            let _ = writeln!(
                s,
                "- **One message at a time** (phases \"floor relay, one at a time\" and \"mentorpost, one at a time\", after \
                 the rounds): the same sockets and mentorships, {} messages (after 2 not counted), one every {:.0} ms, so \
                 each finds the server idle: what a quiet mentoring server does most of the time. Tokens are refreshed \
                 before, the floor goes first.",
                p.one_at_a_time, p.one_at_a_time_gap_ms
            );
        }
        if p.stalled || p.cross_instance {
            let _ = writeln!(
                s,
                "- Phase order in a round: floor relay, mentorpost{}{}; every other round backwards, so each pair of \
                 systems alternates like the floor and mentorpost do.",
                if p.stalled { ", mentorpost + 1 stalled socket" } else { "" },
                if p.cross_instance { ", posted via instance B (PostgreSQL)" } else { "" }
            );
        }
        let _ = writeln!(
            s,
            "- CPU seconds over each measured window from `/proc/<pid>/stat`: the bench, the process under test, all \
             `postgres` processes, and everything else on the machine. **On 2 cores the load generator competes with \
             the server** (and with anything else running); the bench runs its client on {} runtime thread(s).",
            p.client_threads
        );
        let _ = writeln!(
            s,
            "- Hypervisor steal (`/proc/stat`) is recorded per window and not repeated away: on this VM it is usually \
             higher under the server's load than under the floor's, so it cannot be told apart from the run's own effect. Rows marked \"low steal\" keep only windows with steal below {} cores.",
            p.low_steal_cores
        );
        let _ = writeln!(
            s,
            "- This machine is shared (other people build and benchmark on it). Before each phase the bench asks \
             PostgreSQL for a `CHECKPOINT` (so no timed or WAL-size checkpoint lands in one phase and not another) and waits \
             for the machine to be quiet; a measured window in which other processes (not the bench, the process \
             under test or PostgreSQL) used more than {} cores is kept in the per-phase tables, marked \"disturbed\", \
             and measured again (up to {} times); the totals leave such windows out.",
            p.max_other_cores, p.retries
        );
        let _ = writeln!(
            s,
            "- Idle: the server is restarted (same database), its `VmRSS` read from `/proc/<pid>/status`; then {} \
             sockets are opened ({} people × {} sockets each, ticket + `hello` + `live`), held idle {:.0} s (one \
             heartbeat round is 15 s), `VmRSS` read again. KiB per connection = (after − before) / sockets.\n",
            p.idle_connections,
            p.idle_users,
            p.idle_connections.div_ceil(p.idle_users.max(1)),
            p.idle_hold_s
        );

        let _ = writeln!(s, "### Latency: POST → the other member's socket\n");
        let _ = writeln!(
            s,
            "All measured windows together, except those disturbed by other processes (listed in the per-phase tables; if every window of a system was disturbed, its last attempts are used), {:.0} messages/s, {} sockets. Hypervisor steal is included; the rows \"low steal\" keep only the windows in which it stayed below the limit given in the method:\n",
            p.rate,
            2 * p.mentorships
        );
        s.push_str(LATENCY_HEADER);
        for b in &self.backends {
            let lost_floor: u64 =
                b.phases.iter().filter(|x| x.system == System::Floor).map(|x| x.lost_recv + x.lost_echo + x.post_errors).sum();
            for (label, sum, post, lost) in
                [("floor relay", &b.floor, &b.floor_post, lost_floor), ("**mentorpost**", &b.real, &b.real_post, b.lost)]
            {
                latency_row(&mut s, &b.backend, label, sum, post, lost);
            }
            for system in [System::Floor, System::Real] {
                let low: Vec<&PhaseResult> = counted(&b.phases, system)
                    .into_iter()
                    .filter(|x| x.cpu.steal_s / x.cpu.window_s.max(1e-9) < p.low_steal_cores)
                    .collect();
                let (mut recv, mut post) = (new_histogram(), new_histogram());
                for x in &low {
                    let _ = recv.add(&x.recv_hist);
                    let _ = post.add(&x.post_hist);
                }
                let (sum, post) = (summarize(&recv), summarize(&post));
                let lost: u64 = low.iter().map(|x| x.lost_recv + x.lost_echo + x.post_errors).sum();
                let label = match system {
                    System::Floor => "floor relay, low steal",
                    _ => "mentorpost, low steal",
                };
                if low.is_empty() {
                    let _ = writeln!(s, "| {} | {label} | 0 windows | | | | | | | |", b.backend);
                    continue;
                }
                let label = format!("{label} ({} window{})", low.len(), if low.len() == 1 { "" } else { "s" });
                latency_row(&mut s, &b.backend, &label, &sum, &post, lost);
            }
        }
        let _ = writeln!(s);
        for b in &self.backends {
            let _ = writeln!(
                s,
                "- {}: mentorpost / floor = **{:.1}× at p50, {:.1}× at p99**; the poster's own socket (echo) p50 {} ms, \
                 p99 {} ms. Sockets closed unexpectedly: {}.",
                b.backend,
                b.ratio_p50(),
                b.ratio_p99(),
                ms(b.real_echo.p50_ms),
                ms(b.real_echo.p99_ms),
                b.socket_closes
            );
        }
        let _ = writeln!(s);

        let _ = writeln!(
            s,
            "Per phase: where the time goes (ms; \"answered\" = due time → POST response complete; \"after answer\" = POST response → arrival on the mentee's socket, for messages that arrived after it; \"send late\" = the load generator's own lateness):\n"
        );
        let _ = writeln!(
            s,
            "| backend | round | system | p50 | p99 | max | answered p50 | answered p99 | after answer p50 | after answer p99 | arrived before answer | send late p99 | lost |"
        );
        let _ = writeln!(s, "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        for b in &self.backends {
            for x in &b.phases {
                let _ = writeln!(
                    s,
                    "{} {} | {} | {} | {} | {:.0} % | {} | {} |",
                    phase_cells(&b.backend, x),
                    ms(x.post.p50_ms),
                    ms(x.post.p99_ms),
                    ms(x.after_answer.p50_ms),
                    ms(x.after_answer.p99_ms),
                    100.0 * x.before_answer as f64 / x.measured.max(1) as f64,
                    ms(x.send_lateness.p99_ms),
                    x.lost_recv + x.lost_echo + x.post_errors,
                );
            }
        }
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "Per phase: CPU over the {:.0} s window (seconds; \"other\" = the rest of the machine: other people's processes, kernel threads; per message = divided by the {} messages of the window; run-queue wait = time the server's threads were runnable but had no core, from `/proc/<pid>/task/*/schedstat`; CPU pressure = share of the window in which some runnable task on the machine waited for a core, from `/proc/pressure/cpu`; machine busy from the root cgroup's `cpuacct.usage`; steal = CPU seconds the hypervisor gave to other guests, from `/proc/stat`):\n",
            p.duration_s,
            (p.rate * p.duration_s).round()
        );
        let _ = writeln!(
            s,
            "| backend | round | system | bench | server | postgres | other | machine busy | CPU pressure | steal | server µs CPU / msg | server µs run-queue wait / msg | server switches / msg | server threads | biggest others |"
        );
        let _ = writeln!(s, "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
        for b in &self.backends {
            for x in &b.phases {
                let per = |v: f64| v / x.measured.max(1) as f64;
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {:.1} | {:.1} | {} | {:.1} | {:.0} % | {} | {:.1} | {:.0} | {:.0} | {:.1} | {} | {} |",
                    b.backend,
                    x.round + 1,
                    phase_label(x),
                    x.cpu.bench_s,
                    x.cpu.server_s,
                    x.cpu.database_s.map(|d| format!("{d:.1}")).unwrap_or_else(|| "–".into()),
                    x.cpu.other_s,
                    x.cpu.machine_busy * 100.0,
                    x.cpu.cpu_pressure.map(|v| format!("{:.0} %", v * 100.0)).unwrap_or_else(|| "–".into()),
                    x.cpu.steal_s,
                    per(x.cpu.server_s * 1e6),
                    per(x.cpu.server_wait_s * 1e6),
                    per(x.cpu.server_slices as f64),
                    x.server_threads.map(|t| t.to_string()).unwrap_or_else(|| "?".into()),
                    top_others(&x.cpu)
                );
            }
        }
        let _ = writeln!(s);
        for b in &self.backends {
            for x in b.phases.iter().filter(|x| x.first_error.is_some()) {
                let _ = writeln!(
                    s,
                    "- {} round {} {}: {} failed POSTs, first: `{}`",
                    b.backend,
                    x.round + 1,
                    phase_label(x),
                    x.post_errors,
                    x.first_error.as_deref().unwrap_or_default()
                );
            }
        }

        if self.backends.iter().any(|b| b.stalled.count > 0) {
            self.stalled_section(&mut s);
        }
        if self.backends.iter().any(|b| b.cross.count > 0) {
            self.cross_section(&mut s);
        }
        if self.backends.iter().any(|b| b.single.count > 0) {
            self.single_section(&mut s);
        }

        let _ = writeln!(s, "### Idle connections\n");
        let _ = writeln!(
            s,
            "| backend | sockets open | people | opening took s | server RSS before MiB | after MiB | **KiB per socket** | server CPU while idle | bench KiB per socket | closed early |"
        );
        let _ = writeln!(s, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        for b in &self.backends {
            if let Some(i) = &b.idle {
                let _ = writeln!(
                    s,
                    "| {} | {} of {} | {} | {:.1} | {:.1} | {:.1} | **{:.1}** | {:.2} s in {:.0} s | {:.1} | {} |",
                    b.backend,
                    i.opened,
                    i.target,
                    i.users,
                    i.open_s,
                    i.rss_before_kib as f64 / 1024.0,
                    i.rss_held_kib.max(i.rss_open_kib) as f64 / 1024.0,
                    i.kib_per_connection,
                    i.server_cpu_hold_s,
                    i.hold_s,
                    i.bench_kib_per_connection,
                    i.closed_during_hold
                );
            }
        }
        let _ = writeln!(s);
        for b in &self.backends {
            if let Some(i) = &b.idle {
                let _ = writeln!(
                    s,
                    "- {}: open file descriptors of the server {} → {}; RssAnon {} → {} KiB; RSS after the bench closed \
                     the sockets: {}.{}",
                    b.backend,
                    i.fds_before.map(|v| v.to_string()).unwrap_or_else(|| "?".into()),
                    i.fds_held.map(|v| v.to_string()).unwrap_or_else(|| "?".into()),
                    i.rss_anon_before_kib.map(|v| v.to_string()).unwrap_or_else(|| "?".into()),
                    i.rss_anon_held_kib.map(|v| v.to_string()).unwrap_or_else(|| "?".into()),
                    i.rss_closed_kib.map(|v| format!("{:.1} MiB", v as f64 / 1024.0)).unwrap_or_else(|| "?".into()),
                    i.first_error.as_deref().map(|e| format!(" First open error: `{e}`.")).unwrap_or_default()
                );
            }
        }
        let _ = writeln!(s);

        let _ = writeln!(s, "### Where the time goes\n");
        for b in self.backends.iter().filter(|b| b.real.count > 0) {
            let (r, f) = (&b.real_cost, &b.floor_cost);
            let _ = writeln!(
                s,
                "- {}: the POST's own answer takes p50 {} / p99 {} ms of the end-to-end p50 {} / p99 {} ms, so {}. After the \
                 answer, delivery adds p50 {} / p99 {} ms ({:.0} % of messages arrived before the answer); on the floor \
                 {:.0} % arrive before the answer and the rest p50 {} ms after it.",
                b.backend,
                ms(b.real_post.p50_ms),
                ms(b.real_post.p99_ms),
                ms(b.real.p50_ms),
                ms(b.real.p99_ms),
                if b.real_post.p99_ms >= 0.8 * b.real.p99_ms {
                    "the **tail comes from the write path** (the request waiting for its commit), not from the fan-out"
                } else {
                    "a good part of the tail comes **after the commit**, from the fan-out"
                },
                ms(b.real_after.p50_ms),
                ms(b.real_after.p99_ms),
                r.before_answer * 100.0,
                f.before_answer * 100.0,
                ms(b.floor_after.p50_ms)
            );
            let _ = writeln!(
                s,
                "  Per message the server used **{:.0} µs of CPU and {:.0} context switches** (floor: {:.0} µs, {:.1}){}; \
                 its threads waited {:.0} µs per message for a free core (floor: {:.0} µs). The bench used {:.0} µs per \
                 message; other processes on the machine averaged {:.2} cores during the server phases.",
                r.server_cpu_us,
                r.server_switches,
                f.server_cpu_us,
                f.server_switches,
                r.database_cpu_us.map(|d| format!(", PostgreSQL another {d:.0} µs")).unwrap_or_default(),
                r.server_wait_us,
                f.server_wait_us,
                r.bench_cpu_us,
                r.other_cores
            );
        }
        for b in &self.backends {
            let disturbed_in = |system: System, cores: &str| -> Vec<String> {
                b.phases
                    .iter()
                    .filter(|x| x.disturbed && x.system == system)
                    .map(|x| {
                        format!(
                            "p50 {} / p99 {} ms {cores} {:.2} cores",
                            ms(x.recv.p50_ms),
                            ms(x.recv.p99_ms),
                            (x.cpu.other_s) / x.cpu.window_s.max(1e-9)
                        )
                    })
                    .collect()
            };
            let disturbed = disturbed_in(System::Real, "with other processes at");
            let floor_disturbed = disturbed_in(System::Floor, "at");
            if !disturbed.is_empty() || !floor_disturbed.is_empty() {
                let _ = writeln!(
                    s,
                    "- {}: windows disturbed by other processes (measured again, left out of the totals): \
                     mentorpost {}; floor {}. The server's latency is far more sensitive to a busy machine than the \
                     floor's.",
                    b.backend,
                    if disturbed.is_empty() { "none".into() } else { disturbed.join("; ") },
                    if floor_disturbed.is_empty() { "none".into() } else { floor_disturbed.join("; ") }
                );
            }
        }
        for b in self.backends.iter().filter(|b| b.real.count > 0) {
            let steal = |x: &&PhaseResult| x.cpu.steal_s / x.cpu.window_s.max(1e-9);
            let floors: Vec<f64> = counted(&b.phases, System::Floor).iter().map(steal).collect();
            let mut reals: Vec<&PhaseResult> = counted(&b.phases, System::Real);
            reals.sort_by(|x, y| steal(x).total_cmp(&steal(y)));
            let listed: Vec<String> =
                reals.iter().map(|x| format!("{:.2} cores → p50 {} / p99 {} ms", steal(x), ms(x.recv.p50_ms), ms(x.recv.p99_ms))).collect();
            let _ = writeln!(
                s,
                "- {}: **hypervisor steal** (CPU time the host did not give this VM's cores) was {} cores in the floor \
                 windows and, in the mentorpost windows, by steal: {}. Steal arrives in bursts; each window's p99 is listed \
                 next to its steal so the two can be compared.",
                b.backend,
                floors.iter().map(|v| format!("{v:.2}")).collect::<Vec<_>>().join(", "),
                listed.join("; ")
            );
        }
        for b in self.backends.iter().filter(|b| b.stalled.count > 0) {
            let phases = b.stalled_phases();
            let frames: Vec<String> = phases
                .iter()
                .filter_map(|x| {
                    let st = x.stalled.as_ref()?;
                    Some(format!(
                        "{} ({} s)",
                        st.frames_before_close,
                        st.last_due_after_s.map(|v| format!("{v:.1}")).unwrap_or_else(|| "?".into())
                    ))
                })
                .collect();
            let (with, without) = (PerMessage::of(&b.phases, System::Stalled), &b.real_cost);
            let all_closed = phases.iter().all(|x| x.stalled.as_ref().is_some_and(|st| st.resumed()));
            let _ = writeln!(
                s,
                "- {} slow reader: the stalled socket had {} message frames buffered (in brackets: how many seconds of its \
                 traffic) when the bench read it. They sat in the kernel's socket buffers (on loopback the sender's grows to \
                 a few MiB however small the reader's window); {} The server used {:.0} µs of CPU per message in those \
                 windows against {:.0} µs without the stalled socket.",
                b.backend,
                frames.join(", "),
                if all_closed {
                    "only after those were full did the server's per-connection queue fill and evict it, so the server's \
                     own memory hardly moves (RSS above)."
                } else {
                    "in a window without a close frame, those buffers had not filled before the window ended, so the \
                     server's queue never did either (a longer window gets there)."
                },
                with.server_cpu_us,
                without.server_cpu_us
            );
        }
        for b in self.backends.iter().filter(|b| b.cross.count > 0) {
            let phases = counted(&b.phases, System::CrossInstance);
            let after = merge_after(&phases);
            let before: u64 = phases.iter().map(|x| x.before_answer).sum();
            let measured: usize = phases.iter().map(|x| x.measured).sum();
            let _ = writeln!(
                s,
                "- {} cross-instance: B answers its POST after p50 {} / p99 {} ms; delivery on A then adds p50 {} / p99 {} ms \
                 ({:.0} % arrived before the answer). That is the path a local post skips: B's `NOTIFY` (at most one per \
                 millisecond, carrying the message's event frame) reaches A's listener connection, and A sends the frame to \
                 its sockets from memory when it is the room's next event (else the room's pump reads the events from \
                 PostgreSQL).",
                b.backend,
                ms(b.cross_post.p50_ms),
                ms(b.cross_post.p99_ms),
                ms(after.p50_ms),
                ms(after.p99_ms),
                100.0 * before as f64 / measured.max(1) as f64
            );
        }
        let _ = writeln!(
            s,
            "- The path of a post: the request's message joins the database's batched lane. On SQLite the writer — the \
             one writing connection, on a thread of its own with its own single-threaded runtime — takes whatever is \
             queued as one group commit: `BEGIN IMMEDIATE`, the batch's posts as six set-based statements (access and \
             earlier messages with the same keys; one `UPDATE mentorships … RETURNING` for the sequence numbers; \
             multi-row `INSERT events` and `INSERT messages`; one `INSERT … SELECT` of the mails they cause into the \
             outbox; one `UPDATE threads`), `COMMIT`. On PostgreSQL four group \
             committers do the same, each in its own transaction on a pooled connection. The request then hands the \
             committed `message.created` event to the hub, which serialises it once and queues it on the room's sockets \
             when it is the room's next event, without reading it back; the pump reads from the database only after a \
             gap, another instance's `NOTIFY` or a resync. sqlx still hands every SQLite statement to the connection's \
             worker thread and back, so a group commit is eight hand-offs whatever the number of posts in it: per message \
             the cost falls as the load rises, and at this rate the batches are small. On 2 shared cores each wake-up \
             can wait for a core (the run-queue wait above). The \"POST messages: where the time goes\" section profiles \
             the write path in depth.\n"
        );

        let _ = writeln!(s, "### Verdict\n");
        for b in &self.backends {
            let target_note = if b.backend == "SQLite" { "contract" } else { "same targets, for reference" };
            let _ = writeln!(
                s,
                "- {} ({target_note}): latency p50 {} ms / p99 {} ms over {} undisturbed window(s) of {} measured, {} lost → {}; idle {} → {}.",
                b.backend,
                ms(b.real.p50_ms),
                ms(b.real.p99_ms),
                b.phases.iter().filter(|x| x.system == System::Real && !x.disturbed).count(),
                b.phases.iter().filter(|x| x.system == System::Real).count(),
                b.lost,
                yes(b.latency_ok()),
                b.idle.as_ref().map(|i| format!("{:.1} KiB per socket", i.kib_per_connection)).unwrap_or_else(|| "not run".into()),
                yes(b.idle_ok())
            );
        }
        for b in self.backends.iter().filter(|b| b.stalled.count > 0) {
            let phases = b.stalled_phases();
            let _ = writeln!(
                s,
                "- {} slow reader (contract): active p99 {} ms with one stalled socket, {} ms without = {:.2}× (target ≤ {}×); \
                 the stalled socket was closed with the resume code in {} of {} window(s); {} lost → {}.",
                b.backend,
                ms(b.stalled.p99_ms),
                ms(b.real.p99_ms),
                b.stalled_ratio(),
                TARGET_STALLED_RATIO,
                phases.iter().filter(|x| x.stalled.as_ref().is_some_and(|st| st.resumed())).count(),
                phases.len(),
                b.stalled_lost,
                yes(b.stalled_ok())
            );
        }
        for b in self.backends.iter().filter(|b| b.single.count > 0) {
            let p50 = if b.backend == "SQLite" { TARGET_SINGLE_P50_SQLITE_MS } else { TARGET_SINGLE_P50_POSTGRES_MS };
            let _ = writeln!(
                s,
                "- {} one at a time: p50 {} ms (target ≤ {p50} ms), max {} ms (target ≤ {TARGET_SINGLE_MAX_MS} ms), {} lost → {}.",
                b.backend,
                ms(b.single.p50_ms),
                ms(b.single.max_ms),
                b.single_lost,
                yes(b.single_ok())
            );
        }
        for b in self.backends.iter().filter(|b| b.cross.count > 0) {
            let _ = writeln!(
                s,
                "- {} cross-instance (contract): posted through B, received on A: p50 {} ms / p99 {} ms (target p99 ≤ {} ms), \
                 {} lost; A's ticket on B: {} → {}.",
                b.backend,
                ms(b.cross.p50_ms),
                ms(b.cross.p99_ms),
                TARGET_CROSS_P99_MS,
                b.cross_lost,
                b.cross_ticket.as_deref().unwrap_or("not checked"),
                yes(b.cross_ok())
            );
        }
        let _ = writeln!(s);
        if self.backends.iter().any(|b| b.real.count > 0 && !b.latency_ok()) {
            let _ = writeln!(s, "### Proposals (latency)\n");
            let mut n = 0;
            let mut item = |s: &mut String, text: String| {
                n += 1;
                let _ = writeln!(s, "{n}. {text}");
            };
            // A machine-wide stall (steal, another process) slows the floor and the load
            // generator as much as the server; without one, a tail is the server's own.
            let worst = |b: &BackendReport, f: fn(&PhaseResult) -> f64, system: Option<System>| {
                b.phases.iter().filter(|x| system.is_none_or(|sys| x.system == sys)).map(f).fold(0.0, f64::max)
            };
            let machine_stalls = self
                .backends
                .iter()
                .any(|b| worst(b, |x| x.send_lateness.p99_ms, None) > 10.0 || worst(b, |x| x.recv.p99_ms, Some(System::Floor)) > 10.0);
            if machine_stalls {
                let late: Vec<String> = self
                    .backends
                    .iter()
                    .map(|b| {
                        format!(
                            "{} {} ms late, floor p99 {} ms",
                            b.backend,
                            ms(worst(b, |x| x.send_lateness.p99_ms, None)),
                            ms(worst(b, |x| x.recv.p99_ms, Some(System::Floor)))
                        )
                    })
                    .collect();
                item(
                    &mut s,
                    format!(
                        "**Judge latency on a quiet machine.** This is a 2-vCPU virtual machine whose hypervisor takes CPU \
                         time away (steal) in bursts; a burst stops every process at once, so it shows in the floor's p99 \
                         and in the load generator's own lateness as much as in mentorpost's (worst window: {}).",
                        late.join("; ")
                    ),
                );
            }
            for b in self.backends.iter().filter(|b| b.real.count > 0 && !b.latency_ok()) {
                let r = &b.real_cost;
                let per_window: Vec<String> = counted(&b.phases, System::Real).iter().map(|x| ms(x.recv.p99_ms)).collect();
                let steal: Vec<String> =
                    counted(&b.phases, System::Real).iter().map(|x| format!("{:.2}", x.cpu.steal_s / x.cpu.window_s.max(1e-9))).collect();
                let floor_windows: Vec<String> = counted(&b.phases, System::Floor).iter().map(|x| ms(x.recv.p99_ms)).collect();
                let late = worst(b, |x| x.send_lateness.p99_ms, None);
                let own = late <= 10.0 && worst(b, |x| x.recv.p99_ms, Some(System::Floor)) <= 10.0;
                if b.real.p99_ms > TARGET_P99_MS && b.real_post.p99_ms >= 0.8 * b.real.p99_ms {
                    item(
                        &mut s,
                        format!(
                            "**{}: find the commits that stall.** The tail is the write path (POST answered p99 {} ms of the \
                             end-to-end {} ms). The mentorpost windows' p99 were {} ms (steal {} cores), the floor's {} ms, \
                             and the load generator was late by at most {} ms (p99 of a window){}. Record how long each group commit takes \
                             (`BEGIN` to the answer of `COMMIT`) next to the database's WAL and checkpoint activity, to tell a \
                             slow WAL flush or a checkpoint from a wait among the committers.",
                            b.backend,
                            ms(b.real_post.p99_ms),
                            ms(b.real.p99_ms),
                            per_window.join(", "),
                            steal.join(", "),
                            floor_windows.join(", "),
                            ms(late),
                            if own { ", so the stalls come mostly from the server or the database, not from the machine" } else { "" }
                        ),
                    );
                }
                match r.database_cpu_us {
                    Some(db) => item(
                        &mut s,
                        format!(
                            "**{}: fewer round trips per message at this rate.** A post arrives every {:.1} ms and a commit \
                             takes about the POST's p50 ({} ms), so with four group committers waiting a post usually finds \
                             one idle and its batch holds one post: `BEGIN`, six statements and `COMMIT`, eight round trips, \
                             for one message. PostgreSQL used {:.0} µs and the server {:.0} µs of CPU per message. Batches \
                             grow under more load by themselves; at this rate, committers that wait for the commit before \
                             them (one collects while one commits) or one server-side function for the six statements would \
                             cut the round trips per message.",
                            b.backend,
                            1e3 / self.params.rate,
                            ms(b.real_post.p50_ms),
                            db,
                            r.server_cpu_us
                        ),
                    ),
                    None => item(
                        &mut s,
                        format!(
                            "**{}: a shorter chain on the writer.** sqlx hands every SQLite statement to the connection's \
                             worker thread and back, so a group commit is eight hand-offs (sixteen thread wake-ups) before \
                             the first post of it is answered; the server switched context {:.0} times per message. Driving \
                             the writing connection directly on the writer's own thread (no worker) would remove them.",
                            b.backend, r.server_switches
                        ),
                    ),
                }
            }
            let _ = writeln!(s);
        }
        s
    }
}

impl Report {
    fn stalled_section(&self, s: &mut String) {
        let _ = writeln!(s, "### Slow reader: one stalled socket\n");
        let _ = writeln!(
            s,
            "Latency of the active sockets (POST → the other member's socket, ms) in each mentorpost phase and each phase \
             with the stalled socket; the stalled socket's fate; the server's resident memory (MiB) at the start of the \
             measured window, its peak, and at the end of the phase:\n"
        );
        let _ = writeln!(
            s,
            "| backend | round | system | p50 | p99 | max | lost | stalled socket `live` after ms | frames buffered | last buffered message due (s after it stopped reading) | ended by | close code | server RSS start / peak / end MiB |"
        );
        let _ = writeln!(s, "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|");
        let mib = |v: Option<u64>| v.map(|k| format!("{:.1}", k as f64 / 1024.0)).unwrap_or_else(|| "?".into());
        for b in self.backends.iter().filter(|b| b.stalled.count > 0) {
            for x in b.phases.iter().filter(|x| matches!(x.system, System::Real | System::Stalled)) {
                let st = x.stalled.as_ref();
                let _ = writeln!(
                    s,
                    "{} {} | {} | {} | {} | {} | {} | {} / {} / {} |",
                    phase_cells(&b.backend, x),
                    x.lost_recv + x.lost_echo + x.post_errors,
                    st.map(|st| format!("{:.0}", st.open_ms)).unwrap_or_else(|| "–".into()),
                    st.map(|st| st.frames_before_close.to_string()).unwrap_or_else(|| "–".into()),
                    st.and_then(|st| st.last_due_after_s).map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into()),
                    st.map(|st| st.ended.clone()).unwrap_or_else(|| "–".into()),
                    st.map(|st| st.close_code.map(|c| c.to_string()).unwrap_or_else(|| "none".into())).unwrap_or_else(|| "–".into()),
                    mib(x.rss_start_kib),
                    mib(x.rss_peak_kib),
                    mib(x.rss_end_kib)
                );
            }
        }
        let _ = writeln!(s);
        for b in self.backends.iter().filter(|b| b.stalled.count > 0) {
            let phases = b.stalled_phases();
            let growth: Vec<String> = phases
                .iter()
                .filter_map(|x| Some(format!("{:+.1}", (x.rss_peak_kib? as f64 - x.rss_start_kib? as f64) / 1024.0)))
                .collect();
            let reasons: Vec<String> =
                phases.iter().filter_map(|x| x.stalled.as_ref()?.close_reason.clone()).map(|r| format!("\"{r}\"")).collect();
            let mut reasons_unique = reasons.clone();
            reasons_unique.dedup();
            let _ = writeln!(
                s,
                "- {}: active sockets with the stalled one p50 {} / p99 {} ms, without it p50 {} / p99 {} ms → **{:.2}× at \
                 p99** (target ≤ {}×); POST answered p50 {} / p99 {} ms with it. Closed with the resume code ({}) in {} of \
                 {} window(s){}; server RSS peak − start per window: {} MiB.",
                b.backend,
                ms(b.stalled.p50_ms),
                ms(b.stalled.p99_ms),
                ms(b.real.p50_ms),
                ms(b.real.p99_ms),
                b.stalled_ratio(),
                TARGET_STALLED_RATIO,
                ms(b.stalled_post.p50_ms),
                ms(b.stalled_post.p99_ms),
                mentorpost_model::ws::close::RESUME,
                phases.iter().filter(|x| x.stalled.as_ref().is_some_and(|st| st.resumed())).count(),
                phases.len(),
                if reasons_unique.is_empty() { String::new() } else { format!(", reason {}", reasons_unique.join(", ")) },
                if growth.is_empty() { "?".into() } else { growth.join(", ") }
            );
        }
        let _ = writeln!(s);
    }

    fn single_section(&self, s: &mut String) {
        let _ = writeln!(s, "### One message at a time on an idle server\n");
        s.push_str(LATENCY_HEADER);
        for b in self.backends.iter().filter(|b| b.single.count > 0) {
            let floor_lost: u64 =
                b.phases.iter().filter(|x| x.system == System::FloorOneAtATime).map(|x| x.lost_recv + x.lost_echo + x.post_errors).sum();
            let floor_post = {
                let mut h = new_histogram();
                for x in counted(&b.phases, System::FloorOneAtATime) {
                    let _ = h.add(&x.post_hist);
                }
                summarize(&h)
            };
            latency_row(s, &b.backend, "floor relay, one at a time", &b.floor_single, &floor_post, floor_lost);
            latency_row(s, &b.backend, "**mentorpost, one at a time**", &b.single, &b.single_post, b.single_lost);
        }
        let _ = writeln!(s);
        for b in self.backends.iter().filter(|b| b.single.count > 0) {
            let (c, f) = (&b.single_cost, &b.floor_single_cost);
            let over = counted(&b.phases, System::OneAtATime)
                .iter()
                .map(|x| x.recv_hist.count_between((TARGET_SINGLE_MAX_MS * 1000.0) as u64, u64::MAX))
                .sum::<u64>();
            let _ = writeln!(
                s,
                "- {}: mentorpost − floor = **+{} ms at p50**, +{} ms at p99 (at {:.0} messages/s under load: p50 {} ms); {} \
                 message(s) over {TARGET_SINGLE_MAX_MS} ms. The server's CPU over the window divided by its messages: {:.0} µs \
                 and {:.1} context switches (floor: {:.0} µs, {:.1}){}; at this rate that is mostly what an idle server does \
                 anyway (heartbeats of its sockets, the outbox worker's and the revocation watcher's polls), not the messages.",
                b.backend,
                ms(b.single.p50_ms - b.floor_single.p50_ms),
                ms(b.single.p99_ms - b.floor_single.p99_ms),
                self.params.rate,
                ms(b.real.p50_ms),
                over,
                c.server_cpu_us,
                c.server_switches,
                f.server_cpu_us,
                f.server_switches,
                c.database_cpu_us.map(|d| format!(", PostgreSQL another {d:.0} µs")).unwrap_or_default()
            );
        }
        let _ = writeln!(s);
    }

    fn cross_section(&self, s: &mut String) {
        let _ = writeln!(s, "### Cross-instance: posted through instance B, received on instance A\n");
        s.push_str(LATENCY_HEADER);
        for b in self.backends.iter().filter(|b| b.cross.count > 0) {
            for (label, sum, post, lost) in [
                ("mentorpost, one instance", &b.real, &b.real_post, b.lost),
                ("**posted via B, received on A**", &b.cross, &b.cross_post, b.cross_lost),
            ] {
                latency_row(s, &b.backend, label, sum, post, lost);
            }
        }
        let _ = writeln!(s);
        for b in self.backends.iter().filter(|b| b.cross.count > 0) {
            let phases = counted(&b.phases, System::CrossInstance);
            let answered: u64 = phases.iter().map(|x| x.post.count).sum();
            let errors: u64 = phases.iter().map(|x| x.post_errors).sum();
            let _ = writeln!(
                s,
                "- {}: p99 **{} ms** (target ≤ {} ms), {:.1}× the single instance's p99; after B's answer, delivery on A \
                 took p50 {} / p99 {} ms more. The poster's own socket on A (echo) p50 {} / p99 {} ms. POSTs through B with \
                 the logins A issued: {} answered 201 in the measured windows, {} failed. A ticket issued by A opened a \
                 socket on B: {}.",
                b.backend,
                ms(b.cross.p99_ms),
                TARGET_CROSS_P99_MS,
                ratio(b.cross.p99_ms, b.real.p99_ms),
                ms(merge_after(&phases).p50_ms),
                ms(merge_after(&phases).p99_ms),
                ms(b.cross_echo.p50_ms),
                ms(b.cross_echo.p99_ms),
                answered,
                errors,
                b.cross_ticket.as_deref().unwrap_or("not checked")
            );
        }
        let _ = writeln!(s);
    }
}

/// The columns every per-phase table starts with: backend, round, system, and the
/// arrival p50, p99 and max.
fn phase_cells(backend: &str, x: &PhaseResult) -> String {
    format!("| {backend} | {} | {} | {} | {} | {} |", x.round + 1, phase_label(x), ms(x.recv.p50_ms), ms(x.recv.p99_ms), ms(x.recv.max_ms))
}

/// The columns of [`latency_row`].
const LATENCY_HEADER: &str = "| backend | system | messages | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | lost | POST answered p50 / p99 ms |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n";

/// One row of a latency table: arrival on the other socket, and the POST's answer.
fn latency_row(s: &mut String, backend: &str, label: &str, sum: &Summary, post: &Summary, lost: u64) {
    let _ = writeln!(
        s,
        "| {backend} | {label} | {} | {} | {} | {} | {} | {} | {lost} | {} / {} |",
        sum.count,
        ms(sum.p50_ms),
        ms(sum.p90_ms),
        ms(sum.p99_ms),
        ms(sum.p999_ms),
        ms(sum.max_ms),
        ms(post.p50_ms),
        ms(post.p99_ms)
    );
}

fn merge_after(phases: &[&PhaseResult]) -> Summary {
    let mut h = new_histogram();
    for p in phases {
        let _ = h.add(&p.after_hist);
    }
    summarize(&h)
}

/// Replaces this section of `path` (from its heading to the next `## ` heading), or
/// appends it; every other byte of the file stays as it was.
pub fn splice_into(path: &Path, section: &str) -> anyhow::Result<()> {
    mentorpost_bench::docs::splice_into(path, HEADING, section)
}
