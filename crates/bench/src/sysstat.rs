//! CPU accounting from `/proc`: this process, the server process, the PostgreSQL
//! processes and the whole machine. On a 2-core machine the client and the server
//! share the cores, so every figure is reported next to who used the CPU.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

/// Clock ticks per second (`getconf CLK_TCK`; 100 on every Linux we know of).
fn clk_tck() -> u64 {
    static TCK: OnceLock<u64> = OnceLock::new();
    *TCK.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|&t| t > 0)
            .unwrap_or(100)
    })
}

fn ticks(t: u64) -> Duration {
    Duration::from_micros(t.saturating_mul(1_000_000) / clk_tck())
}

/// `(comm, utime + stime in ticks)` from the text of `/proc/<pid>/stat`.
fn parse_stat(text: &str) -> Option<(String, u64)> {
    // The command name is in parentheses and may itself contain spaces or ')'.
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_owned();
    let rest: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    let utime: u64 = rest.get(11)?.parse().ok()?;
    let stime: u64 = rest.get(12)?.parse().ok()?;
    Some((comm, utime + stime))
}

/// User + system CPU time of one process (all its threads), or None if it is gone.
pub fn process_cpu(pid: u32) -> Option<Duration> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text).map(|(_, t)| ticks(t))
}

/// User + system CPU time of this process.
pub fn self_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_stat(&text).map(|(_, t)| ticks(t))
}

/// CPU ticks of every process named `postgres` (backends, WAL writer, checkpointer…),
/// keyed by pid. Empty when PostgreSQL does not run on this machine (or is not visible).
pub fn postgres_ticks() -> HashMap<u32, u64> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        if let Some((comm, t)) = parse_stat(&text)
            && comm.starts_with("postgres")
        {
            out.insert(pid, t);
        }
    }
    out
}

/// Machine-wide `(busy, total)` ticks summed over all cores, from `/proc/stat`.
pub fn machine_ticks() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let line = text.lines().next()?;
    let values: Vec<u64> = line.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is
    // already included in user.
    let total: u64 = values.iter().take(8).sum();
    let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
    Some((total.saturating_sub(idle), total))
}

/// Waits until the machine is quiet (everything together uses less than
/// `max_cores`, sampled over half a second) or `patience` has passed. Returns the
/// busy cores of the last sample.
pub async fn wait_quiet(max_cores: f64, patience: Duration) -> Option<f64> {
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        let a = machine_ticks()?;
        let t = tokio::time::Instant::now();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let b = machine_ticks()?;
        let busy = ticks(b.0.saturating_sub(a.0)).as_secs_f64() / t.elapsed().as_secs_f64();
        if busy < max_cores || tokio::time::Instant::now() >= deadline {
            return Some(busy);
        }
    }
}

/// One reading of every counter.
#[derive(Clone, Debug)]
pub struct Snapshot {
    client: Option<Duration>,
    server: Option<Duration>,
    postgres: Option<HashMap<u32, u64>>,
    machine: Option<(u64, u64)>,
}

impl Snapshot {
    /// Reads the counters. `with_postgres` also sums the PostgreSQL processes.
    pub fn take(server_pid: u32, with_postgres: bool) -> Snapshot {
        Snapshot {
            client: self_cpu(),
            server: process_cpu(server_pid),
            postgres: with_postgres.then(postgres_ticks),
            machine: machine_ticks(),
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
        let diff = |x: Option<Duration>, y: Option<Duration>| match (x, y) {
            (Some(x), Some(y)) => Some(y.saturating_sub(x).as_secs_f64()),
            _ => None,
        };
        let database_s = match (&a.postgres, &b.postgres) {
            (Some(pa), Some(pb)) if !pb.is_empty() => {
                let t: u64 = pb.iter().map(|(pid, t)| t.saturating_sub(pa.get(pid).copied().unwrap_or(0))).sum();
                Some(ticks(t).as_secs_f64())
            }
            _ => None,
        };
        let (machine_busy, busy_s) = match (a.machine, b.machine) {
            (Some((busy_a, total_a)), Some((busy_b, total_b))) if total_b > total_a => {
                let busy = busy_b.saturating_sub(busy_a);
                (Some(busy as f64 / (total_b - total_a) as f64), Some(ticks(busy).as_secs_f64()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_odd_command_names() {
        let text = "1234 (post gres) ) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 1000 0 0";
        let (comm, t) = parse_stat(text).expect("parses");
        assert_eq!(comm, "post gres) ");
        assert_eq!(t, 300);
    }

    #[test]
    fn reads_own_cpu() {
        assert!(self_cpu().is_some());
        assert!(machine_ticks().is_some_and(|(busy, total)| busy <= total && total > 0));
    }
}
