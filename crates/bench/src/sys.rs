//! What the operating system tells us: CPU time and resident memory of processes
//! (from `/proc`), the machine's busy share, the open-files limit, and the machine's
//! description for the report. On a 2-core machine the client and the server share
//! the cores, so every figure is reported next to who used the CPU.

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

/// Seconds of CPU in `t` clock ticks.
pub fn ticks_to_s(t: u64) -> f64 {
    t as f64 / clk_tck() as f64
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

/// CPU ticks (user + system, all threads) of a process (`"self"` for this one); `None`
/// if it is gone.
pub fn process_ticks(pid: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text).map(|(_, t)| t)
}

/// Scheduler statistics summed over a process's threads (`/proc/<pid>/task/*/schedstat`):
/// `(ns on a CPU, ns runnable but waiting for a CPU, timeslices run)`.
fn schedstat(pid: &str) -> Option<(u64, u64, u64)> {
    let mut sum = (0, 0, 0);
    for entry in std::fs::read_dir(format!("/proc/{pid}/task")).ok()?.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path().join("schedstat")) else {
            continue;
        };
        let v: Vec<u64> = text.split_whitespace().filter_map(|x| x.parse().ok()).collect();
        if let [run, wait, slices] = v[..] {
            sum = (sum.0 + run, sum.1 + wait, sum.2 + slices);
        }
    }
    Some(sum)
}

/// Threads of a process.
pub fn thread_count(pid: u32) -> Option<usize> {
    Some(std::fs::read_dir(format!("/proc/{pid}/task")).ok()?.count())
}

/// `(comm, CPU ticks)` of every process on the machine, keyed by pid.
pub fn all_ticks() -> HashMap<u32, (String, u64)> {
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
        if let Some(v) = parse_stat(&text) {
            out.insert(pid, v);
        }
    }
    out
}

/// Machine-wide `(busy, total)` ticks summed over all cores, from `/proc/stat`.
pub fn machine_ticks() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let line = text.lines().next()?;
    let values: Vec<u64> = line.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal (guest time is included in user).
    let total: u64 = values.iter().take(8).sum();
    let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
    Some((total.saturating_sub(idle), total))
}

/// CPU time used by every task on the machine, in ns, from the root cgroup's
/// `cpuacct.usage` (exact scheduler run time; `/proc/stat` samples ticks and misses much
/// of a workload made of many short wake-ups).
fn machine_cpu_ns() -> Option<u64> {
    ["/sys/fs/cgroup/cpuacct/cpuacct.usage", "/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok()?.trim().parse().ok())
}

/// Total µs during which at least one runnable task waited for a CPU
/// (`/proc/pressure/cpu`, "some").
fn cpu_pressure_us() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/pressure/cpu").ok()?;
    let line = text.lines().find(|l| l.starts_with("some"))?;
    line.split_whitespace().find_map(|f| f.strip_prefix("total=")?.parse().ok())
}

fn cores() -> f64 {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64
}

/// Steal ticks from `/proc/stat`: time the hypervisor ran something else while this
/// machine's virtual CPUs wanted to run.
fn steal_ticks() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    text.lines().next()?.split_whitespace().nth(8)?.parse().ok()
}

/// One reading of the counters.
#[derive(Clone, Debug)]
pub struct Snapshot {
    bench: Option<u64>,
    server: Option<u64>,
    bench_sched: Option<(u64, u64, u64)>,
    server_sched: Option<(u64, u64, u64)>,
    server_pids: Vec<u32>,
    with_postgres: bool,
    /// Every process, to name who else used the CPU.
    all: HashMap<u32, (String, u64)>,
    machine: Option<(u64, u64)>,
    machine_ns: Option<u64>,
    pressure_us: Option<u64>,
    steal: Option<u64>,
}

impl Snapshot {
    /// `server_pids`: the processes under test (mentorpost, both instances of it, or the
    /// floor relay), counted together; `with_postgres`: count the `postgres` processes
    /// as the database.
    pub fn take(server_pids: &[u32], with_postgres: bool) -> Snapshot {
        let sum = |v: Vec<Option<u64>>| v.into_iter().sum::<Option<u64>>();
        let sched: Option<Vec<(u64, u64, u64)>> = server_pids.iter().map(|p| schedstat(&p.to_string())).collect();
        Snapshot {
            bench: process_ticks("self"),
            server: sum(server_pids.iter().map(|p| process_ticks(&p.to_string())).collect()),
            bench_sched: schedstat("self"),
            server_sched: sched.map(|v| v.iter().fold((0, 0, 0), |a, x| (a.0 + x.0, a.1 + x.1, a.2 + x.2))),
            server_pids: server_pids.to_vec(),
            with_postgres,
            all: all_ticks(),
            machine: machine_ticks(),
            machine_ns: machine_cpu_ns(),
            pressure_us: cpu_pressure_us(),
            steal: steal_ticks(),
        }
    }
}

/// CPU used between two snapshots, in seconds.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct CpuUsage {
    /// This bench process (load generator, sockets, scheduler).
    pub bench_s: f64,
    /// The process(es) under test.
    pub server_s: f64,
    /// All `postgres` processes (PostgreSQL runs of the real server only).
    pub database_s: Option<f64>,
    /// Everything else on the machine (other processes, kernel threads).
    pub other_s: f64,
    /// The biggest users among the others, by command name: `(comm, seconds)`.
    /// Processes that started and ended inside the window are not listed.
    pub other_top: Vec<(String, f64)>,
    /// Time the server's threads were runnable but waited for a CPU (run-queue delay).
    pub server_wait_s: f64,
    /// Timeslices the server's threads ran (≈ context switches in).
    pub server_slices: u64,
    /// Run-queue delay of the bench's own threads (makes the sender late).
    pub bench_wait_s: f64,
    /// Share of all cores busy, 0–1.
    pub machine_busy: f64,
    /// Share of the window in which some runnable task waited for a CPU (PSI).
    pub cpu_pressure: Option<f64>,
    /// CPU seconds the hypervisor took from this virtual machine (all cores).
    pub steal_s: f64,
    /// Length of the window.
    pub window_s: f64,
}

impl CpuUsage {
    pub fn between(a: &Snapshot, b: &Snapshot, window: Duration) -> CpuUsage {
        let diff = |x: Option<u64>, y: Option<u64>| match (x, y) {
            (Some(x), Some(y)) => ticks_to_s(y.saturating_sub(x)),
            _ => 0.0,
        };
        let me = std::process::id();
        let mut database = 0;
        let mut others: HashMap<String, u64> = HashMap::new();
        for (pid, (comm, t)) in &b.all {
            let used = t.saturating_sub(a.all.get(pid).map(|(_, t)| *t).unwrap_or(0));
            if *pid == me || b.server_pids.contains(pid) || used == 0 {
                continue;
            }
            if b.with_postgres && comm.starts_with("postgres") {
                database += used;
            } else {
                *others.entry(comm.clone()).or_default() += used;
            }
        }
        let database_s = b.with_postgres.then(|| ticks_to_s(database));
        let mut other_top: Vec<(String, f64)> = others.into_iter().map(|(c, t)| (c, ticks_to_s(t))).collect();
        other_top.sort_by(|x, y| y.1.total_cmp(&x.1));
        other_top.truncate(4);
        let (machine_busy, busy_s) = match (a.machine_ns, b.machine_ns, a.machine, b.machine) {
            (Some(x), Some(y), _, _) => {
                let busy = y.saturating_sub(x) as f64 / 1e9;
                (busy / (window.as_secs_f64() * cores()).max(1e-9), busy)
            }
            (_, _, Some((ba, ta)), Some((bb, tb))) if tb > ta => {
                let busy = bb.saturating_sub(ba);
                (busy as f64 / (tb - ta) as f64, ticks_to_s(busy))
            }
            _ => (0.0, 0.0),
        };
        let cpu_pressure = match (a.pressure_us, b.pressure_us) {
            (Some(x), Some(y)) => Some(y.saturating_sub(x) as f64 / 1e6 / window.as_secs_f64().max(1e-9)),
            _ => None,
        };
        let sched = |x: Option<(u64, u64, u64)>, y: Option<(u64, u64, u64)>| match (x, y) {
            (Some(x), Some(y)) => (y.1.saturating_sub(x.1) as f64 / 1e9, y.2.saturating_sub(x.2)),
            _ => (0.0, 0),
        };
        let (server_wait_s, server_slices) = sched(a.server_sched, b.server_sched);
        let (bench_wait_s, _) = sched(a.bench_sched, b.bench_sched);
        let bench_s = diff(a.bench, b.bench);
        let server_s = diff(a.server, b.server);
        let other_s = (busy_s - bench_s - server_s - database_s.unwrap_or(0.0)).max(0.0);
        CpuUsage {
            bench_s,
            server_s,
            database_s,
            other_s,
            other_top,
            server_wait_s,
            server_slices,
            bench_wait_s,
            machine_busy,
            cpu_pressure,
            steal_s: diff(a.steal, b.steal),
            window_s: window.as_secs_f64(),
        }
    }
}

/// Busy cores over the last half second.
pub async fn busy_cores() -> Option<f64> {
    let (na, a) = (machine_cpu_ns(), machine_ticks());
    let t = std::time::Instant::now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (nb, b) = (machine_cpu_ns(), machine_ticks());
    let busy_s = match (na, nb) {
        (Some(x), Some(y)) => y.saturating_sub(x) as f64 / 1e9,
        _ => ticks_to_s(b?.0.saturating_sub(a?.0)),
    };
    Some(busy_s / t.elapsed().as_secs_f64())
}

/// Waits until everything on the machine together uses less than `max_cores` (other
/// people build on this machine too), or `patience` passed. Returns the last sample.
pub async fn wait_quiet(max_cores: f64, patience: Duration) -> Option<f64> {
    let deadline = std::time::Instant::now() + patience;
    loop {
        let busy = busy_cores().await?;
        if busy < max_cores || std::time::Instant::now() >= deadline {
            return Some(busy);
        }
    }
}

/// A `kB` field of `/proc/<pid>/status` (`VmRSS`, `RssAnon`, `VmHWM`, …).
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Resident memory of a process and of this process, in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmRSS")
}

pub fn self_pid() -> u32 {
    std::process::id()
}

/// Open file descriptors of a process.
pub fn fd_count(pid: u32) -> Option<usize> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count())
}

/// The soft limit on open files of this process (children inherit it).
pub fn open_files_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line.trim_start_matches("Max open files").split_whitespace().next()?;
    if soft == "unlimited" { Some(u64::MAX) } else { soft.parse().ok() }
}

/// The machine, for the report.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu: String,
    pub kernel: String,
    pub memory_gib: f64,
    pub filesystem: String,
    pub open_files: String,
}

impl Machine {
    pub fn describe(data_dir: &std::path::Path) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_owned()))
            .unwrap_or_else(|| "unknown".into());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").map(|s| s.trim().to_owned()).unwrap_or_default();
        let memory_gib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|t| {
                t.lines().find_map(|l| l.strip_prefix("MemTotal:").and_then(|r| r.split_whitespace().next()?.parse::<f64>().ok()))
            })
            .map(|kib| kib / 1024.0 / 1024.0)
            .unwrap_or(0.0);
        let filesystem = std::process::Command::new("df")
            .arg("--output=fstype")
            .arg(data_dir)
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.lines().nth(1).map(|l| l.trim().to_owned()))
            .unwrap_or_else(|| "unknown".into());
        let open_files = match open_files_limit() {
            Some(u64::MAX) => "unlimited".into(),
            Some(n) => n.to_string(),
            None => "unknown".into(),
        };
        Machine {
            cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            cpu,
            kernel,
            memory_gib,
            filesystem,
            open_files,
        }
    }

    /// One line for a report: cores, CPU model, memory and kernel.
    pub fn line(&self) -> String {
        format!("{} cores ({}), {:.0} GiB RAM, Linux {}", self.cores, self.cpu, self.memory_gib, self.kernel)
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
        assert!(process_ticks("self").is_some());
        assert!(machine_ticks().is_some_and(|(busy, total)| busy <= total && total > 0));
    }

    #[test]
    fn reads_own_memory_and_limits() {
        assert!(rss_kib(self_pid()).is_some_and(|k| k > 0));
        assert!(open_files_limit().is_some_and(|n| n > 0));
    }
}
