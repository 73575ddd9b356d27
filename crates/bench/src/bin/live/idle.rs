//! Idle connections: how much resident memory the server holds per authenticated,
//! subscribed, silent socket. The server's RSS (`VmRSS` in `/proc/<pid>/status`) is
//! read before the sockets are opened and after they have been held idle through a
//! heartbeat round; the difference divided by the number of sockets is the cost of one.

use crate::sockets::{Recorder, Role, Ws, open_real, spawn_reader};
use futures_util::{StreamExt, stream};
use mentorpost_bench::sys;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[derive(Clone, Debug, Serialize)]
pub struct IdleResult {
    pub target: usize,
    pub opened: usize,
    pub open_errors: usize,
    pub first_error: Option<String>,
    pub users: usize,
    pub open_s: f64,
    pub hold_s: f64,
    pub rss_before_kib: u64,
    pub rss_open_kib: u64,
    pub rss_held_kib: u64,
    pub rss_closed_kib: Option<u64>,
    pub rss_anon_before_kib: Option<u64>,
    pub rss_anon_held_kib: Option<u64>,
    pub kib_per_connection: f64,
    pub fds_before: Option<usize>,
    pub fds_held: Option<usize>,
    /// CPU seconds the server used while holding the idle sockets (heartbeats,
    /// revocation polling).
    pub server_cpu_hold_s: f64,
    /// Sockets that closed after opening, before the bench closed them (should be 0).
    pub closed_during_hold: u64,
    pub close_reasons: Vec<String>,
    /// This bench's own RSS growth per socket (client side, for comparison).
    pub bench_kib_per_connection: f64,
}

/// Opens `connections` sockets, round-robin over `tokens` (one login each), `parallel`
/// at a time; holds them `hold`; closes them.
pub async fn run(
    pid: u32,
    http: &reqwest::Client,
    base: &str,
    tokens: &[String],
    connections: usize,
    parallel: usize,
    hold: Duration,
) -> anyhow::Result<IdleResult> {
    anyhow::ensure!(!tokens.is_empty(), "no people to open sockets for");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss = || sys::rss_kib(pid).unwrap_or(0);
    let rss_before = rss();
    let rss_anon_before = sys::status_kib(pid, "RssAnon");
    let fds_before = sys::fd_count(pid);
    let bench_before = sys::rss_kib(sys::self_pid()).unwrap_or(0);

    let rec = Arc::new(Recorder::new(&[]));
    let started = Instant::now();
    let results: Vec<anyhow::Result<Ws>> = stream::iter(0..connections)
        .map(|j| {
            let token = &tokens[j % tokens.len()];
            async move { open_real(http, base, token).await }
        })
        .buffer_unordered(parallel)
        .collect()
        .await;
    let open_s = started.elapsed().as_secs_f64();
    let mut readers = Vec::with_capacity(connections);
    let mut open_errors = 0;
    let mut first_error = None;
    for result in results {
        match result {
            Ok(ws) => readers.push(spawn_reader(ws, Role::Idle, rec.clone())),
            Err(err) => {
                open_errors += 1;
                first_error.get_or_insert_with(|| format!("{err:#}"));
            }
        }
    }
    let opened = readers.len();

    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_open = rss();
    let cpu_a = sys::Snapshot::take(&[pid], false);
    let t = Instant::now();
    tokio::time::sleep(hold).await;
    let cpu = sys::CpuUsage::between(&cpu_a, &sys::Snapshot::take(&[pid], false), t.elapsed());
    let rss_held = rss();
    let rss_anon_held = sys::status_kib(pid, "RssAnon");
    let fds_held = sys::fd_count(pid);
    let bench_held = sys::rss_kib(sys::self_pid()).unwrap_or(0);
    let closed_during_hold = rec.closed.load(Ordering::Relaxed);

    for reader in &readers {
        reader.abort();
    }
    for reader in readers {
        let _ = reader.await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_closed = sys::rss_kib(pid);

    let per = |a: u64, b: u64| if opened == 0 { 0.0 } else { (b as f64 - a as f64) / opened as f64 };
    Ok(IdleResult {
        target: connections,
        opened,
        open_errors,
        first_error,
        users: tokens.len().min(connections),
        open_s,
        hold_s: cpu.window_s,
        rss_before_kib: rss_before,
        rss_open_kib: rss_open,
        rss_held_kib: rss_held,
        rss_closed_kib: rss_closed,
        rss_anon_before_kib: rss_anon_before,
        rss_anon_held_kib: rss_anon_held,
        kib_per_connection: per(rss_before, rss_held.max(rss_open)),
        fds_before,
        fds_held,
        server_cpu_hold_s: cpu.server_s,
        closed_during_hold,
        close_reasons: rec.close_reasons.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        bench_kib_per_connection: per(bench_before, bench_held),
    })
}
