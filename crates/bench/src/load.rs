//! The `post-messages` load generator: N client tasks, each with its own keep-alive
//! connection, each sending its next request as soon as the previous answer arrived
//! (closed loop) or on a fixed schedule (paced). Requests that start during the
//! warm-up are not measured; every answer counts for the final consistency check.
//! CPU is read from `/proc` at the start and end of the measured window.

use crate::seed::Member;
use crate::sys;
use hdrhistogram::Histogram;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Client, StatusCode};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Workload {
    /// `GET /healthz`: HTTP, routing and the client, no auth and no storage.
    Healthz,
    /// `POST /api/v1/threads/{id}/messages` with a bearer token.
    PostMessages,
    /// The same posts while every member's mail is `off`: no outbox rows, the cost
    /// of the mail a post queues shows as the difference.
    PostMessagesMailOff,
    /// The same posts while every member reads `each`: a notification row per
    /// recipient, and the outbox worker sending them meanwhile.
    PostMessagesMailEach,
    /// The same POST to a malformed thread id: routing, the token check and the
    /// 404 answer, no database (a diagnostic, not part of the contract).
    AuthOnly,
    /// Posts at a fixed total rate below saturation (open loop), every member's mail
    /// `off`: the latency a post has when the machine has room.
    PacedMailOff,
    /// The same fixed rate, every member on `live`.
    PacedMailLive,
    /// The same fixed rate, every member on `each`: what the notification path adds
    /// to one post, apart from the CPU the mails take from a saturated machine.
    PacedMailEach,
}

impl Workload {
    pub fn label(self) -> &'static str {
        match self {
            Workload::Healthz => "GET /healthz",
            Workload::PostMessages => "POST messages",
            Workload::PostMessagesMailOff => "POST messages, mail off",
            Workload::PostMessagesMailEach => "POST messages, mail each",
            Workload::AuthOnly => "POST auth-only (404)",
            Workload::PacedMailOff => "POST at a fixed rate, mail off",
            Workload::PacedMailLive => "POST at a fixed rate, mail live",
            Workload::PacedMailEach => "POST at a fixed rate, mail each",
        }
    }

    /// The mail mode every member has during the phase, when the phase sets one.
    pub fn mail_mode(self) -> Option<&'static str> {
        match self {
            Workload::PostMessagesMailOff | Workload::PacedMailOff => Some("off"),
            Workload::PostMessagesMailEach | Workload::PacedMailEach => Some("each"),
            Workload::PacedMailLive => Some("live"),
            _ => None,
        }
    }

    pub fn posts(self) -> bool {
        !matches!(self, Workload::Healthz | Workload::AuthOnly)
    }

    pub fn paced(self) -> bool {
        matches!(self, Workload::PacedMailOff | Workload::PacedMailLive | Workload::PacedMailEach)
    }

    fn success(self) -> StatusCode {
        match self {
            Workload::Healthz => StatusCode::OK,
            Workload::AuthOnly => StatusCode::NOT_FOUND,
            _ => StatusCode::CREATED,
        }
    }
}

/// What one client task posts as: a member's thread and token.
#[derive(Clone)]
struct Slot {
    url: String,
    auth: HeaderValue,
}

/// The 50 (or `--clients`) clients and who each of them posts as.
pub struct Clients {
    http: Vec<Client>,
    slots: Vec<Vec<Slot>>,
    healthz: String,
    body_prefix: Arc<str>,
}

impl Clients {
    /// Client `c` posts as every member `j` with `j % clients == c`, in turn. With 50
    /// clients and 100 mentorships (200 members) each client posts as 4 members of 4
    /// different mentorships, and both the mentor and the mentee of every mentorship
    /// post (from two different clients, so their writes meet on the same rows).
    pub fn new(base: &str, members: &[Member], clients: usize, body_bytes: usize) -> anyhow::Result<Clients> {
        anyhow::ensure!(!members.is_empty(), "no members to post as");
        let mut http = Vec::with_capacity(clients);
        let mut slots = Vec::with_capacity(clients);
        for c in 0..clients {
            http.push(Client::builder().pool_max_idle_per_host(1).tcp_nodelay(true).timeout(Duration::from_secs(10)).build()?);
            let mut mine: Vec<Slot> = Vec::new();
            let mut j = c % members.len();
            loop {
                let m = &members[j];
                mine.push(Slot {
                    url: format!("{base}/api/v1/threads/{}/messages", m.thread_id),
                    auth: HeaderValue::from_str(&format!("Bearer {}", m.token))?,
                });
                j += clients;
                if j >= members.len() {
                    break;
                }
            }
            slots.push(mine);
        }
        Ok(Clients {
            http,
            slots,
            healthz: format!("{base}/healthz"),
            body_prefix: format!("{{\"body\":\"{}\",\"client_msg_id\":\"", message_body(body_bytes)).into(),
        })
    }

    fn len(&self) -> usize {
        self.http.len()
    }
}

/// A plain-ASCII message of exactly `bytes` bytes (JSON-safe, no escaping needed).
pub fn message_body(bytes: usize) -> String {
    const TEXT: &str = "Thanks for the notes on the project plan. I read them twice and think the second milestone is realistic if we move the review to Thursday. Could you send me the draft before our call? I will bring two questions about the budget and one about the hiring timeline. ";
    let mut s: String = TEXT.chars().cycle().take(bytes.max(1)).collect();
    // A body that is only whitespace is rejected; never end in a space either.
    if s.ends_with(' ') {
        s.pop();
        s.push('.');
    }
    s
}

/// Timing of one phase.
#[derive(Clone, Copy, Debug)]
pub struct PhaseTiming {
    pub warmup: Duration,
    pub duration: Duration,
    /// Total requests per second of the paced workloads, spread evenly over the
    /// clients.
    pub paced_rate: f64,
}

/// What one phase measured.
pub struct PhaseResult {
    pub workload: Workload,
    /// Successful answers to requests started inside the measured window.
    pub ok: u64,
    /// Failed requests started inside the measured window.
    pub errors: u64,
    /// Every failure of the phase (warm-up included) by kind.
    pub error_kinds: BTreeMap<String, u64>,
    /// Every successful answer of the phase, warm-up included (for the count check).
    pub ok_all: u64,
    /// Latency of the measured successful requests, in microseconds.
    pub hist: Histogram<u64>,
    pub window: Duration,
    pub cpu: CpuUsage,
}

impl PhaseResult {
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.window.as_secs_f64()
    }
}

struct TaskResult {
    ok: u64,
    errors: u64,
    ok_all: u64,
    error_kinds: BTreeMap<String, u64>,
    hist: Histogram<u64>,
}

/// Runs one phase: every client loops from now until warm-up + duration, and the
/// CPU counters are read at the start and at the end of the measured window. A paced
/// workload sends on a fixed schedule instead of as fast as the answers come, and
/// times each request from its scheduled moment, so a late answer also delays (and
/// is charged to) the requests queued behind it.
pub async fn run_phase(
    clients: &Clients,
    workload: Workload,
    timing: PhaseTiming,
    tag: &str,
    server_pid: u32,
    with_postgres: bool,
) -> anyhow::Result<PhaseResult> {
    let t0 = Instant::now() + Duration::from_millis(20);
    let measure_from = t0 + timing.warmup;
    let end = measure_from + timing.duration;
    let mut tasks = Vec::with_capacity(clients.len());
    let pace = workload.paced().then(|| Duration::from_secs_f64(clients.len() as f64 / timing.paced_rate.max(1.0)));
    for c in 0..clients.len() {
        // Clients start spread over one interval so the requests do not leave in bursts.
        let start = t0 + pace.map_or(Duration::ZERO, |p| p.mul_f64(c as f64 / clients.len() as f64));
        let http = clients.http[c].clone();
        let slots = clients.slots[c].clone();
        let healthz = clients.healthz.clone();
        let prefix = clients.body_prefix.clone();
        let id_prefix = format!("{tag}-c{c}-");
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(start).await;
            client_loop(http, workload, slots, healthz, prefix, id_prefix, pace, measure_from, end).await
        }));
    }
    let sampler = tokio::spawn(async move {
        tokio::time::sleep_until(measure_from).await;
        let a = Snapshot::take(server_pid, with_postgres);
        eprintln!("  measuring {} for {:.0} s", workload.label(), timing.duration.as_secs_f64());
        tokio::time::sleep_until(end).await;
        let b = Snapshot::take(server_pid, with_postgres);
        CpuUsage::between(&a, &b)
    });
    let mut result = PhaseResult {
        workload,
        ok: 0,
        errors: 0,
        error_kinds: BTreeMap::new(),
        ok_all: 0,
        hist: crate::latency_histogram(),
        window: timing.duration,
        cpu: CpuUsage::default(),
    };
    for task in tasks {
        let r = task.await?;
        result.ok += r.ok;
        result.errors += r.errors;
        result.ok_all += r.ok_all;
        for (k, v) in r.error_kinds {
            *result.error_kinds.entry(k).or_default() += v;
        }
        result.hist.add(&r.hist)?;
    }
    result.cpu = sampler.await?;
    Ok(result)
}

#[allow(clippy::too_many_arguments)]
async fn client_loop(
    http: Client,
    workload: Workload,
    slots: Vec<Slot>,
    healthz: String,
    body_prefix: Arc<str>,
    id_prefix: String,
    pace: Option<Duration>,
    measure_from: Instant,
    end: Instant,
) -> TaskResult {
    let mut r = TaskResult { ok: 0, errors: 0, ok_all: 0, error_kinds: BTreeMap::new(), hist: crate::latency_histogram() };
    let json = HeaderValue::from_static("application/json");
    let success = workload.success();
    let auth_only = healthz.replace("/healthz", "/api/v1/threads/not-a-thread/messages");
    let mut n: u64 = 0;
    let mut body = String::with_capacity(body_prefix.len() + id_prefix.len() + 24);
    let mut scheduled = Instant::now();
    loop {
        let started = match pace {
            Some(interval) => {
                tokio::time::sleep_until(scheduled).await;
                let at = scheduled;
                scheduled += interval;
                at
            }
            None => Instant::now(),
        };
        if started >= end {
            break;
        }
        let request = match workload {
            Workload::Healthz => http.get(&healthz),
            _ => {
                let slot = &slots[(n as usize) % slots.len()];
                body.clear();
                body.push_str(&body_prefix);
                body.push_str(&id_prefix);
                let _ = write!(body, "{n}\"}}");
                let url = if workload == Workload::AuthOnly { &auth_only } else { &slot.url };
                http.post(url).header(AUTHORIZATION, slot.auth.clone()).header(CONTENT_TYPE, json.clone()).body(body.clone())
            }
        };
        n += 1;
        let outcome = match request.send().await {
            Ok(resp) => {
                let status = resp.status();
                // Read the whole answer so the connection is reused.
                match resp.bytes().await {
                    Ok(_) if status == success => Ok(()),
                    Ok(_) => Err(format!("HTTP {}", status.as_u16())),
                    Err(err) => Err(format!("reading the answer: {}", kind_of(&err))),
                }
            }
            Err(err) => Err(kind_of(&err)),
        };
        let measured = started >= measure_from;
        match outcome {
            Ok(()) => {
                r.ok_all += 1;
                if measured {
                    r.ok += 1;
                    let us = started.elapsed().as_micros().max(1) as u64;
                    let _ = r.hist.record(us.min(60_000_000));
                }
            }
            Err(kind) => {
                if measured {
                    r.errors += 1;
                }
                *r.error_kinds.entry(kind).or_default() += 1;
            }
        }
    }
    r
}

fn kind_of(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timeout".into()
    } else if err.is_connect() {
        "connect".into()
    } else if err.is_request() {
        "request".into()
    } else if err.is_body() {
        "body".into()
    } else {
        "other".into()
    }
}

/// One reading of the CPU counters (clock ticks, from `/proc`).
#[derive(Clone, Debug)]
pub struct Snapshot {
    client: Option<u64>,
    server: Option<u64>,
    /// Every process named `postgres` (backends, WAL writer, checkpointer…) by pid.
    postgres: Option<HashMap<u32, u64>>,
    machine: Option<(u64, u64)>,
}

impl Snapshot {
    /// Reads the counters. `with_postgres` also sums the PostgreSQL processes.
    pub fn take(server_pid: u32, with_postgres: bool) -> Snapshot {
        let postgres =
            || sys::all_ticks().into_iter().filter(|(_, (comm, _))| comm.starts_with("postgres")).map(|(pid, (_, t))| (pid, t)).collect();
        Snapshot {
            client: sys::process_ticks("self"),
            server: sys::process_ticks(&server_pid.to_string()),
            postgres: with_postgres.then(postgres),
            machine: sys::machine_ticks(),
        }
    }
}

/// CPU used between two snapshots.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct CpuUsage {
    /// The bench process (all its threads), seconds.
    pub client_s: Option<f64>,
    /// The server process, seconds.
    pub server_s: Option<f64>,
    /// All `postgres` processes, seconds (PostgreSQL runs only).
    pub database_s: Option<f64>,
    /// Share of all cores of the machine that were busy, 0–1.
    pub machine_busy: Option<f64>,
    /// CPU seconds used by everything else on the machine (other processes, the
    /// kernel's own threads): busy machine time minus client, server and database.
    pub other_s: Option<f64>,
}

impl CpuUsage {
    pub fn between(a: &Snapshot, b: &Snapshot) -> CpuUsage {
        let diff = |x: Option<u64>, y: Option<u64>| match (x, y) {
            (Some(x), Some(y)) => Some(sys::ticks_to_s(y.saturating_sub(x))),
            _ => None,
        };
        let database_s = match (&a.postgres, &b.postgres) {
            (Some(pa), Some(pb)) if !pb.is_empty() => {
                let t: u64 = pb.iter().map(|(pid, t)| t.saturating_sub(pa.get(pid).copied().unwrap_or(0))).sum();
                Some(sys::ticks_to_s(t))
            }
            _ => None,
        };
        let (machine_busy, busy_s) = match (a.machine, b.machine) {
            (Some((busy_a, total_a)), Some((busy_b, total_b))) if total_b > total_a => {
                let busy = busy_b.saturating_sub(busy_a);
                (Some(busy as f64 / (total_b - total_a) as f64), Some(sys::ticks_to_s(busy)))
            }
            _ => (None, None),
        };
        let client_s = diff(a.client, b.client);
        let server_s = diff(a.server, b.server);
        let other_s = busy_s.map(|busy| (busy - client_s.unwrap_or(0.0) - server_s.unwrap_or(0.0) - database_s.unwrap_or(0.0)).max(0.0));
        CpuUsage { client_s, server_s, database_s, machine_busy, other_s }
    }

    /// Adds another window's usage (for totals over rounds).
    pub fn add(&mut self, other: &CpuUsage, weight_self: f64, weight_other: f64) {
        let sum = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => Some(x + y),
            (x, None) => x,
            (None, y) => y,
        };
        self.client_s = sum(self.client_s, other.client_s);
        self.server_s = sum(self.server_s, other.server_s);
        self.database_s = sum(self.database_s, other.database_s);
        self.other_s = sum(self.other_s, other.other_s);
        // Busy share is a ratio: average it weighted by window length.
        self.machine_busy = match (self.machine_busy, other.machine_busy) {
            (Some(x), Some(y)) if weight_self + weight_other > 0.0 => {
                Some((x * weight_self + y * weight_other) / (weight_self + weight_other))
            }
            (x, None) => x,
            (None, y) => y,
            _ => None,
        };
    }
}
