//! Smoke runs of every bench, so that none of them rots: each bench binary runs once
//! against the debug `mentorpost` binary with the smallest sizes that still go
//! through every one of its phases, and must run to the end, exit 0 and print its
//! report's heading. No figure is checked (a debug build on a busy machine measures
//! nothing), no run writes the benchmarks document, and each runs in a temporary
//! working directory.
//!
//! Every run is on SQLite; with `MENTORPOST_TEST_POSTGRES_URL` set, the same run also
//! covers PostgreSQL (`--postgres`). Benches that write their data set with the
//! `sqlite3` command-line tool are skipped (said so) where it is not installed. A run
//! still going after 3 minutes is killed with the servers it started, and fails.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The variable naming a PostgreSQL server where the benches may create databases.
const PG_ENV: &str = "MENTORPOST_TEST_POSTGRES_URL";
/// A smoke run that takes longer than this hangs.
const LIMIT: Duration = Duration::from_secs(180);
/// Lines of each output shown when a run fails.
const TAIL_LINES: usize = 40;

/// One bench binary's smoke run.
struct Smoke {
    /// The binary's name, for messages.
    name: &'static str,
    /// Its path (`CARGO_BIN_EXE_…`).
    exe: &'static str,
    /// The arguments that make it small, separated by spaces.
    args: &'static str,
    /// It starts the server: pass `--server-bin` (and `--postgres` when configured).
    server: bool,
    /// It writes its data set (or reads the database) with `sqlite3`.
    sqlite3: bool,
    /// A line its report prints on stdout.
    heading: &'static str,
}

impl Smoke {
    fn run(&self) {
        if self.sqlite3 && !on_path("sqlite3") {
            println!("SKIPPED: the {} bench needs the sqlite3 command-line tool, which is not on PATH.", self.name);
            return;
        }
        let dir = tempfile::tempdir().expect("a temporary working directory");
        let mut cmd = Command::new(self.exe);
        // The benches stop their servers with keep-alive connections still open: without
        // the drain every stop would take its 5 s.
        cmd.args(self.args.split_whitespace()).current_dir(dir.path()).stdin(Stdio::null()).env("MENTORPOST_DRAIN_SECONDS", "0");
        let mut backends = if self.server { "SQLite" } else { "no server" };
        if self.server {
            cmd.arg("--server-bin").arg(server_bin());
            match postgres_url() {
                Some(url) => {
                    cmd.arg("--postgres").arg(url);
                    backends = "SQLite and PostgreSQL";
                }
                None => println!("PostgreSQL smoke of {} skipped: set {PG_ENV} to run it.", self.name),
            }
        }
        let run = run_bounded(cmd, LIMIT);
        let took = run.took.as_secs_f64();
        let report = || format!("{}\n{}", tail("stdout", &run.stdout), tail("stderr", &run.stderr));
        match run.status {
            None => panic!("the {} bench hung: killed after {} s\n{}", self.name, LIMIT.as_secs(), report()),
            Some(status) if !status.success() => panic!("the {} bench failed ({status}) after {took:.1} s\n{}", self.name, report()),
            Some(_) => {}
        }
        assert!(
            run.stdout.lines().any(|l| l.starts_with(self.heading)),
            "the {} bench exited 0 but printed no `{}`\n{}",
            self.name,
            self.heading,
            report()
        );
        println!("{} smoke ({backends}): {took:.1} s", self.name);
    }
}

/// `<target>/debug/mentorpost`, next to this test's own directory
/// (`<target>/debug/deps/smoke-…`); `cargo test --workspace` builds it for the server's
/// own tests.
fn server_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let debug = exe.parent().and_then(Path::parent).expect("the test runs from <target>/debug/deps");
    let bin = debug.join("mentorpost");
    assert!(
        bin.is_file(),
        "no debug server binary at {}: run `cargo build -p mentorpost-server` first (`cargo test --workspace` builds it)",
        bin.display()
    );
    bin
}

fn postgres_url() -> Option<String> {
    std::env::var(PG_ENV).ok().filter(|u| !u.trim().is_empty())
}

/// Whether `tool` runs (`tool -version`).
fn on_path(tool: &str) -> bool {
    Command::new(tool).arg("-version").stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

struct Finished {
    /// None: killed after the limit.
    status: Option<std::process::ExitStatus>,
    took: Duration,
    stdout: String,
    stderr: String,
}

/// Runs `cmd` in a process group of its own, collecting its output; after `limit` the
/// whole group (the bench and the servers it started) is killed.
fn run_bounded(mut cmd: Command, limit: Duration) -> Finished {
    use std::os::unix::process::CommandExt as _;
    let started = Instant::now();
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0).spawn().expect("starting the bench");
    let collect = |mut pipe: Box<dyn std::io::Read + Send>| {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = pipe.read_to_end(&mut out);
            let _ = tx.send(String::from_utf8_lossy(&out).into_owned());
        });
        rx
    };
    let stdout = collect(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = collect(Box::new(child.stderr.take().expect("piped stderr")));
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the bench") {
            break Some(status);
        }
        if started.elapsed() > limit {
            // The group's id is the bench's pid, still ours: it is not reaped yet.
            let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", child.id())]).status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = started.elapsed();
    // A server the bench left behind would hold the pipes open: do not wait for it.
    let read = |rx: mpsc::Receiver<String>| rx.recv_timeout(Duration::from_secs(10)).unwrap_or_else(|_| "(output still open)".to_owned());
    Finished { status, took, stdout: read(stdout), stderr: read(stderr) }
}

/// The last lines of an output, labelled.
fn tail(label: &str, text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(TAIL_LINES);
    format!("--- {label} (last {} of {} lines) ---\n{}", lines.len() - from, lines.len(), lines[from..].join("\n"))
}

#[test]
fn post_messages() {
    Smoke {
        name: "post-messages",
        exe: env!("CARGO_BIN_EXE_mentorpost-bench"),
        // Every phase: baseline, auth-only, posts, and the mail comparison's five.
        args: "post-messages --clients 2 --mentorships 2 --duration 0.3 --warmup 0.1 --rounds 1 --wait-quiet 0 \
               --diagnose --mail-comparison --mail-rate 20",
        server: true,
        sqlite3: false,
        heading: "Summary (all rounds; CPU as cores busy over the measured window and µs per request):",
    }
    .run();
}

#[test]
fn digest() {
    Smoke {
        name: "digest",
        exe: env!("CARGO_BIN_EXE_digest"),
        args: "--readers 4 --timeout 60",
        server: true,
        sqlite3: true,
        heading: "## Digest run",
    }
    .run();
}

#[test]
fn export() {
    Smoke {
        name: "export",
        exe: env!("CARGO_BIN_EXE_export"),
        // 800: one message in a hundred has an attachment, so the files are exported too.
        args: "--messages 800 --runs 1 --idle-posts 20",
        server: true,
        sqlite3: true,
        heading: "## Export",
    }
    .run();
}

#[test]
fn health() {
    Smoke {
        name: "health",
        exe: env!("CARGO_BIN_EXE_health"),
        args: "--mentorships 2 --per-thread 2 --requests 1",
        server: true,
        sqlite3: true,
        heading: "## Programme health",
    }
    .run();
}

#[test]
fn inbound() {
    Smoke {
        name: "inbound",
        exe: env!("CARGO_BIN_EXE_inbound"),
        args: "--mentorships 2 --connections 1 --duration 0.5 --warmup 0.2",
        server: true,
        sqlite3: true,
        heading: "## Inbound mail (SMTP listener)",
    }
    .run();
}

#[test]
fn live() {
    Smoke {
        name: "live",
        exe: env!("CARGO_BIN_EXE_live"),
        // The idle test sleeps 8 s of its own around --idle-hold: the longest smoke run.
        args: "--mentorships 2 --rate 50 --duration 1 --warmup 0.5 --rounds 1 --idle-connections 20 --idle-users 4 --idle-hold 1 \
               --wait-quiet 0 --retries 0 --max-other-cores 100 --one-at-a-time 5 --one-at-a-time-gap-ms 50",
        server: true,
        sqlite3: false,
        heading: "## Live delivery (WebSocket)",
    }
    .run();
}

#[test]
fn onboarding() {
    Smoke {
        name: "onboarding",
        exe: env!("CARGO_BIN_EXE_onboarding"),
        args: "--rows 3 --previews 1",
        server: true,
        sqlite3: true,
        heading: "## Onboarding: importing a list",
    }
    .run();
}

#[test]
fn operations() {
    Smoke {
        name: "operations",
        exe: env!("CARGO_BIN_EXE_operations"),
        args: "--mentorships 2 --messages 10 --body-chars 100 --posts 20 --rounds 1 --writers 2 \
               --idle-posts 20 --warmup-posts 10 --recordings 1000",
        server: true,
        sqlite3: true,
        heading: "## Operations: backup, copy to PostgreSQL, metrics",
    }
    .run();
}

#[test]
fn prompts() {
    Smoke {
        name: "prompts",
        exe: env!("CARGO_BIN_EXE_prompts"),
        args: "--mentorships 2 --quiet-rounds 1",
        server: true,
        sqlite3: true,
        heading: "## Journey prompts",
    }
    .run();
}

#[test]
fn recognise() {
    Smoke {
        name: "recognise",
        exe: env!("CARGO_BIN_EXE_recognise"),
        args: "--rounds 1 --no-check",
        server: false,
        sqlite3: false,
        heading: "## Inbound mail: recognising reports and automatic mail",
    }
    .run();
}

#[test]
fn retention() {
    Smoke {
        name: "retention",
        exe: env!("CARGO_BIN_EXE_retention"),
        args: "--mentorships 2 --messages 20 --idle-posts 20",
        server: true,
        sqlite3: true,
        heading: "## Retention",
    }
    .run();
}

#[test]
fn web() {
    Smoke {
        name: "web",
        exe: env!("CARGO_BIN_EXE_web"),
        args: "--threads 2 --messages 3 --requests 2",
        server: true,
        sqlite3: false,
        heading: "## Web app pages",
    }
    .run();
}
