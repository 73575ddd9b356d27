//! Open-loop load: message i of a phase is due at `start + i / rate`, whatever
//! happened to the earlier ones. A scheduler thread (not the async runtime, whose
//! timer has 1 ms granularity) sleeps until each due time and hands the POST to the
//! runtime. Latency is measured from the *due* time, so a late sender, a queue in the
//! client or a stall in the server all count, and coordinated omission cannot hide
//! them.

use crate::sockets::Recorder;
use crate::stalled::{self, Stall, StalledResult};
use hdrhistogram::Histogram;
use mentorpost_bench::sys::{self, CpuUsage, Snapshot};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum System {
    /// The floor relay.
    Floor,
    /// mentorpost.
    Real,
    /// mentorpost, with one more socket that stops reading.
    Stalled,
    /// mentorpost: posts through a second instance on the same PostgreSQL database,
    /// sockets on the first.
    CrossInstance,
    /// The floor relay, one message at a time on an otherwise idle process.
    FloorOneAtATime,
    /// mentorpost, one message at a time on an otherwise idle server.
    OneAtATime,
}

impl System {
    pub fn label(self) -> &'static str {
        match self {
            System::Floor => "floor relay",
            System::Real => "mentorpost",
            System::Stalled => "mentorpost + 1 stalled socket",
            System::CrossInstance => "mentorpost, posted via instance B",
            System::FloorOneAtATime => "floor relay, one at a time",
            System::OneAtATime => "mentorpost, one at a time",
        }
    }
}

/// Where to post message i: mentorship `i % urls.len()`.
pub struct Target {
    pub system: System,
    pub urls: Vec<String>,
    /// `Bearer …` of the mentorship's mentor (real server only).
    pub auth: Vec<Option<HeaderValue>>,
    /// The process(es) under test; the first holds the sockets.
    pub pids: Vec<u32>,
    /// Also account the `postgres` processes' CPU.
    pub postgres: bool,
    /// Open a stalled socket with the measured window ([`System::Stalled`]).
    pub stall: Option<Stall>,
}

#[derive(Clone, Debug)]
pub struct PhaseConfig {
    pub rate: f64,
    pub warmup: Duration,
    pub duration: Duration,
    /// Message text (JSON-safe characters only).
    pub body: String,
}

impl PhaseConfig {
    pub fn messages(&self) -> usize {
        (self.rate * (self.warmup + self.duration).as_secs_f64()).round() as usize
    }

    pub fn warmup_messages(&self) -> usize {
        (self.rate * self.warmup.as_secs_f64()).round() as usize
    }
}

/// Percentiles of one distribution, in milliseconds.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Summary {
    pub count: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

pub fn new_histogram() -> Histogram<u64> {
    // Microseconds, 1 µs to 10 min, 3 significant digits.
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

pub fn summarize(h: &Histogram<u64>) -> Summary {
    if h.is_empty() {
        return Summary::default();
    }
    let ms = |us: u64| us as f64 / 1000.0;
    Summary {
        count: h.len(),
        p50_ms: ms(h.value_at_quantile(0.50)),
        p90_ms: ms(h.value_at_quantile(0.90)),
        p99_ms: ms(h.value_at_quantile(0.99)),
        p999_ms: ms(h.value_at_quantile(0.999)),
        max_ms: ms(h.max()),
        mean_ms: h.mean() / 1000.0,
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct PhaseResult {
    pub system: System,
    pub round: usize,
    /// Messages in the measured window (after warm-up).
    pub measured: usize,
    /// Due-time → arrival on the mentee's socket.
    pub recv: Summary,
    /// Due-time → arrival on the mentor's own socket.
    pub echo: Summary,
    /// Due-time → POST response complete.
    pub post: Summary,
    /// Due-time → POST actually started (the load generator's own lateness).
    pub send_lateness: Summary,
    /// POST answer → arrival on the mentee's socket, for messages that arrived after
    /// the answer (fan-out after commit: hub pump, database read, socket write).
    pub after_answer: Summary,
    /// Messages that reached the mentee before their POST's answer reached the poster.
    pub before_answer: u64,
    /// POST answered 201 but the message never reached the mentee's socket.
    pub lost_recv: u64,
    /// … or never reached the mentor's own socket.
    pub lost_echo: u64,
    pub duplicates: u64,
    pub post_errors: u64,
    pub first_error: Option<String>,
    pub cpu: CpuUsage,
    /// Other processes disturbed this window; it was measured again and is left out
    /// of the totals.
    pub repeated: bool,
    /// Other processes or hypervisor steal used more than the allowed share of the
    /// machine during this window.
    pub disturbed: bool,
    /// Threads of the process under test at the end of the phase.
    pub server_threads: Option<usize>,
    /// Busy cores on the machine just before the phase.
    pub busy_before: Option<f64>,
    /// `VmRSS` of the process holding the sockets: at the start of the measured window,
    /// its peak (sampled every 100 ms until the phase ended), and at the end.
    pub rss_start_kib: Option<u64>,
    pub rss_peak_kib: Option<u64>,
    pub rss_end_kib: Option<u64>,
    /// The stalled socket of a [`System::Stalled`] phase.
    pub stalled: Option<StalledResult>,
    #[serde(skip)]
    pub recv_hist: Histogram<u64>,
    #[serde(skip)]
    pub echo_hist: Histogram<u64>,
    #[serde(skip)]
    pub post_hist: Histogram<u64>,
    #[serde(skip)]
    pub after_hist: Histogram<u64>,
}

fn post_body(text: &str, phase: usize, index: usize) -> String {
    format!(r#"{{"body":"{text} #{index}","client_msg_id":"lv{phase}x{index}"}}"#)
}

async fn post_one(rec: Arc<Recorder>, phase: usize, index: usize, target: Arc<Target>, http: reqwest::Client, text: Arc<str>) {
    let ph = &rec.phases[phase];
    let k = index % target.urls.len();
    let body = post_body(&text, phase, index);
    ph.sent[index].store(rec.now_ns(), Ordering::Relaxed);
    let mut req = http.post(&target.urls[k]).header(CONTENT_TYPE, HeaderValue::from_static("application/json")).body(body);
    if let Some(auth) = &target.auth[k] {
        req = req.header(AUTHORIZATION, auth.clone());
    }
    match req.send().await {
        Ok(resp) if resp.status() == reqwest::StatusCode::CREATED => match resp.bytes().await {
            Ok(_) => ph.done[index].store(rec.now_ns(), Ordering::Relaxed),
            Err(err) => ph.error(format!("reading the response: {err}")),
        },
        Ok(resp) => {
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            ph.error(format!("{status}: {}", text.chars().take(200).collect::<String>()));
        }
        Err(err) => ph.error(format!("{err}")),
    }
    ph.outstanding.fetch_sub(1, Ordering::Relaxed);
}

/// Runs one phase: warm-up then the measured window at `cfg.rate`, then waits (up to
/// 10 s after the last due time) for every message to arrive.
pub async fn run_phase(
    rec: &Arc<Recorder>,
    phase: usize,
    round: usize,
    target: Arc<Target>,
    http: &reqwest::Client,
    cfg: &PhaseConfig,
    busy_before: Option<f64>,
) -> anyhow::Result<PhaseResult> {
    let n = cfg.messages();
    let warm = cfg.warmup_messages();
    anyhow::ensure!(rec.phases[phase].n == n, "phase {phase} was sized for {} messages, not {n}", rec.phases[phase].n);
    let period_ns = 1e9 / cfg.rate;
    let start = rec.now_ns() + 50_000_000;
    rec.phases[phase].start_ns.store(start, Ordering::Relaxed);
    let due = move |i: usize| start + (i as f64 * period_ns) as u64;

    // CPU over the measured window only.
    let window_start = tokio::time::Instant::from_std(rec.instant(due(warm)));
    let window_end = tokio::time::Instant::from_std(rec.instant(due(n)));
    let (pids, pg) = (target.pids.clone(), target.postgres);
    let cpu = tokio::spawn(async move {
        tokio::time::sleep_until(window_start).await;
        let a = Snapshot::take(&pids, pg);
        let t = std::time::Instant::now();
        tokio::time::sleep_until(window_end).await;
        let b = Snapshot::take(&pids, pg);
        CpuUsage::between(&a, &b, t.elapsed())
    });
    let pid = target.pids[0];
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let rss = tokio::spawn({
        let sampling = sampling.clone();
        async move {
            tokio::time::sleep_until(window_start).await;
            let start = sys::rss_kib(pid);
            let mut peak = start;
            while sampling.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(100)).await;
                peak = peak.max(sys::rss_kib(pid));
            }
            (start, peak)
        }
    });
    // The stalled socket arrives with the measured window, so its whole life (opening,
    // filling the buffers, eviction, the pending close) falls inside it.
    let stalled_socket = target.stall.as_ref().map(|stall| {
        let (stall, http) = (stall.clone(), http.clone());
        tokio::spawn(async move {
            tokio::time::sleep_until(window_start).await;
            stalled::open(&http, &stall).await
        })
    });

    let handle = tokio::runtime::Handle::current();
    let text: Arc<str> = cfg.body.clone().into();
    let (rec2, target2, http2) = (rec.clone(), target.clone(), http.clone());
    let scheduler = tokio::task::spawn_blocking(move || {
        for i in 0..n {
            let at = due(i);
            loop {
                let now = rec2.now_ns();
                if now >= at {
                    break;
                }
                std::thread::sleep(Duration::from_nanos(at - now));
            }
            rec2.phases[phase].outstanding.fetch_add(1, Ordering::Relaxed);
            handle.spawn(post_one(rec2.clone(), phase, i, target2.clone(), http2.clone(), text.clone()));
        }
    });
    scheduler.await?;
    let cpu = cpu.await?;

    // Drain: every answered POST must arrive on both sockets.
    let ph = &rec.phases[phase];
    let deadline = rec.instant(due(n)) + Duration::from_secs(10);
    loop {
        let outstanding = ph.outstanding.load(Ordering::Relaxed);
        let missing = (0..n).any(|i| {
            ph.done[i].load(Ordering::Relaxed) != 0 && (ph.recv[i].load(Ordering::Relaxed) == 0 || ph.echo[i].load(Ordering::Relaxed) == 0)
        });
        if (outstanding == 0 && !missing) || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stalled = match stalled_socket {
        None => None,
        Some(task) => Some(match task.await? {
            Ok(opened) => stalled::read_out(opened, phase, |i| rec.instant(due(i))).await,
            Err(err) => StalledResult { open_error: Some(format!("{err:#}")), ended: "not opened".into(), ..StalledResult::default() },
        }),
    };
    sampling.store(false, Ordering::Relaxed);
    let (rss_start_kib, rss_peak_kib) = rss.await?;
    let rss_end_kib = sys::rss_kib(pid);

    let (mut recv_hist, mut echo_hist, mut post_hist, mut late_hist) = (new_histogram(), new_histogram(), new_histogram(), new_histogram());
    let (mut lost_recv, mut lost_echo) = (0, 0);
    let (mut after_hist, mut before_answer) = (new_histogram(), 0);
    let us = |from: u64, to: u64| (to.saturating_sub(from) / 1000).max(1);
    for i in warm..n {
        let d = due(i);
        let sent = ph.sent[i].load(Ordering::Relaxed);
        if sent != 0 {
            late_hist.saturating_record(us(d, sent));
        }
        let done = ph.done[i].load(Ordering::Relaxed);
        if done == 0 {
            continue;
        }
        post_hist.saturating_record(us(d, done));
        match ph.recv[i].load(Ordering::Relaxed) {
            0 => lost_recv += 1,
            at => {
                recv_hist.saturating_record(us(d, at));
                if at > done {
                    after_hist.saturating_record(us(done, at));
                } else {
                    before_answer += 1;
                }
            }
        }
        match ph.echo[i].load(Ordering::Relaxed) {
            0 => lost_echo += 1,
            at => echo_hist.saturating_record(us(d, at)),
        }
    }
    Ok(PhaseResult {
        system: target.system,
        round,
        measured: n - warm,
        recv: summarize(&recv_hist),
        echo: summarize(&echo_hist),
        post: summarize(&post_hist),
        send_lateness: summarize(&late_hist),
        after_answer: summarize(&after_hist),
        before_answer,
        lost_recv,
        lost_echo,
        duplicates: ph.duplicates.load(Ordering::Relaxed),
        post_errors: ph.post_errors.load(Ordering::Relaxed),
        first_error: ph.first_error.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        cpu,
        repeated: false,
        disturbed: false,
        server_threads: sys::thread_count(pid),
        busy_before,
        rss_start_kib,
        rss_peak_kib,
        rss_end_kib,
        stalled,
        recv_hist,
        echo_hist,
        post_hist,
        after_hist,
    })
}
