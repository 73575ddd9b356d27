//! The closed-loop load generator: N client tasks, each with its own keep-alive
//! connection, each sending its next request as soon as the previous answer arrived.
//! Requests that start during the warm-up are not measured; every answer counts for
//! the final consistency check.

use crate::seed::Member;
use crate::sysstat::{CpuUsage, Snapshot};
use hdrhistogram::Histogram;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Client, StatusCode};
use std::collections::BTreeMap;
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

    pub fn len(&self) -> usize {
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

fn new_hist() -> Histogram<u64> {
    // 1 µs to 60 s at 3 significant digits.
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
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
        hist: new_hist(),
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
    let mut r = TaskResult { ok: 0, errors: 0, ok_all: 0, error_kinds: BTreeMap::new(), hist: new_hist() };
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
