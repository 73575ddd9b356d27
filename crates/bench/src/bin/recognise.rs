//! `recognise`: what recognising delivery reports, feedback reports and automatic mail
//! costs in the pure `mentorpost-inbound` crate, per mail, over the whole fixture
//! corpus (`crates/inbound/tests/fixtures`: replies from many clients and languages,
//! bounces of every kind, auto-replies, malformed mail), next to baselines measured in
//! the same run on the same mails: copying the bytes (the floor of touching a mail at
//! all) and `mail-parser`'s own MIME parse (what any reading of the mail costs).
//!
//! Three things are timed per mail, each alone, round after round over the corpus
//! (one thread, no I/O; the order of the mails is rotated each round):
//! - **recognition**: `report::parse` and `automatic::classify` on an already parsed
//!   message — exactly the work of telling a bounce, a complaint or an auto-reply from
//!   a person's mail;
//! - **whole parse**: `mentorpost_inbound::parse` — MIME parse, charset decoding,
//!   HTML to text, trimming, recognition, dedup key: everything the server's pipeline
//!   asks of the crate;
//! - the baselines above.
//!
//! ```sh
//! export CARGO_TARGET_DIR=$HOME/.cache/mentorpost-target
//! cargo run --release -p mentorpost-bench --bin recognise -- --write-docs
//! ```

use clap::Parser;
use hdrhistogram::Histogram;
use mail_parser::MessageParser;
use mentorpost_bench::{docs, sys};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

const HEADING: &str = "## Inbound mail: recognising reports and automatic mail";
/// Issue 24, Speed: recognising a delivery report or an automatic reply, per mail.
const TARGET_MS: f64 = 0.2;

#[derive(Debug, Parser)]
#[command(name = "recognise", about = "Per-mail cost of recognising bounces, complaints and auto-replies in mentorpost-inbound")]
struct Cli {
    /// Rounds over the whole fixture corpus.
    #[arg(long, default_value_t = 300)]
    rounds: usize,
    /// Splice this bench's section into the benchmarks document (--docs).
    #[arg(long)]
    write_docs: bool,
    /// The document --write-docs updates (by default the one of the checkout this
    /// bench was built from).
    #[arg(long, default_value = mentorpost_bench::docs::BENCHMARKS_MD)]
    docs: std::path::PathBuf,
    /// Exit 0 even when the target is missed (smoke runs of a debug build).
    #[arg(long)]
    no_check: bool,
}

/// Times in nanoseconds, one per mail and round.
struct Series {
    name: &'static str,
    hist: Histogram<u64>,
    total_ns: u128,
}

impl Series {
    fn new(name: &'static str) -> Series {
        Series { name, hist: Histogram::new_with_bounds(1, 10_000_000_000, 3).expect("histogram bounds"), total_ns: 0 }
    }

    fn record(&mut self, ns: u64) {
        self.hist.saturating_record(ns.max(1));
        self.total_ns += u128::from(ns);
    }

    fn us(ns: f64) -> f64 {
        ns / 1000.0
    }

    fn mean_us(&self) -> f64 {
        Series::us(self.total_ns as f64 / self.hist.len().max(1) as f64)
    }

    fn row(&self) -> String {
        let q = |p: f64| Series::us(self.hist.value_at_quantile(p) as f64);
        format!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
            self.name,
            self.hist.len(),
            q(0.5),
            q(0.99),
            Series::us(self.hist.max() as f64),
            self.mean_us()
        )
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../inbound/tests/fixtures");
    let mut mails: Vec<(String, Vec<u8>)> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
            .filter_map(|e| Some((e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).ok()?)))
            .collect(),
        Err(err) => {
            eprintln!("reading {}: {err}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    mails.sort();
    if mails.is_empty() {
        eprintln!("no fixtures in {}", dir.display());
        return ExitCode::FAILURE;
    }
    // What the corpus holds, by what the crate makes of each mail.
    let (mut reports, mut complaints, mut automatic, mut people, mut refused) = (0, 0, 0, 0, 0);
    // Recognition runs only on mail `parse` accepts (a 300 KB header section is
    // refused before it): the refused ones are timed for the whole parse only.
    let accepted: Vec<bool> = mails.iter().map(|(_, raw)| mentorpost_inbound::parse(raw).is_ok()).collect();
    for (_, raw) in &mails {
        match mentorpost_inbound::parse(raw) {
            Ok(m) if m.report.as_ref().is_some_and(|r| matches!(r.kind, mentorpost_inbound::ReportKind::Feedback { .. })) => {
                complaints += 1
            }
            Ok(m) if m.report.is_some() => reports += 1,
            Ok(m) if m.automatic.is_some() => automatic += 1,
            Ok(_) => people += 1,
            Err(_) => refused += 1,
        }
    }
    let bytes: usize = mails.iter().map(|(_, raw)| raw.len()).sum();

    let mut copy = Series::new("floor: copy the bytes");
    let mut mime = Series::new("baseline: `mail-parser` MIME parse");
    let mut recognise = Series::new("**recognition**: report + automatic on the parsed mail");
    let mut whole = Series::new("whole `mentorpost_inbound::parse`");
    let parser = MessageParser::default();
    // Recognition times per fixture, to name the dearest ones (their medians are
    // what the mail costs; a single slow sample is the machine).
    let mut per_mail: Vec<Vec<u64>> = vec![Vec::new(); mails.len()];
    let warmup = (cli.rounds / 10).max(3);
    let started = Instant::now();
    for round in 0..warmup + cli.rounds {
        let measured = round >= warmup;
        for i in 0..mails.len() {
            let index = (i + round) % mails.len();
            let raw = &mails[index].1;

            let t = Instant::now();
            black_box(raw.to_vec());
            let copy_ns = t.elapsed().as_nanos() as u64;

            let t = Instant::now();
            let msg = black_box(parser.parse(raw.as_slice()));
            let mime_ns = t.elapsed().as_nanos() as u64;

            // Recognition works on the decoded text and addresses: prepared outside the
            // timed part, as `parse` prepares them before it calls it.
            let recognise_ns = msg.as_ref().filter(|_| accepted[index]).map(|msg| {
                let text = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
                let from = msg.from().and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_owned);
                let to: Vec<String> =
                    msg.to().into_iter().flat_map(|l| l.iter()).filter_map(|a| a.address()).map(str::to_ascii_lowercase).collect();
                let t = Instant::now();
                let report = black_box(mentorpost_inbound::report::parse(msg, &text, from.as_deref(), &to));
                if report.is_none() {
                    black_box(mentorpost_inbound::automatic::classify(msg));
                }
                t.elapsed().as_nanos() as u64
            });
            drop(msg);

            let t = Instant::now();
            let _ = black_box(mentorpost_inbound::parse(raw));
            let whole_ns = t.elapsed().as_nanos() as u64;

            if measured {
                copy.record(copy_ns);
                mime.record(mime_ns);
                if let Some(ns) = recognise_ns {
                    recognise.record(ns);
                    per_mail[index].push(ns);
                }
                whole.record(whole_ns);
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    // Other work on the machine shows in the tails: say how busy it was.
    let load =
        std::fs::read_to_string("/proc/loadavg").ok().and_then(|l| l.split_whitespace().next().map(str::to_owned)).unwrap_or_default();

    let mut medians: Vec<(u64, &str)> = per_mail
        .iter_mut()
        .zip(&mails)
        .filter(|(t, _)| !t.is_empty())
        .map(|(t, (name, _))| {
            t.sort_unstable();
            (t[t.len() / 2], name.as_str())
        })
        .collect();
    medians.sort_unstable_by(|a, b| b.cmp(a));
    let dearest: Vec<String> = medians.iter().take(3).map(|(ns, name)| format!("`{name}` {:.1} µs", *ns as f64 / 1000.0)).collect();
    let recognition_p99_ms = recognise.hist.value_at_quantile(0.99) as f64 / 1e6;
    let met = recognition_p99_ms <= TARGET_MS;
    let machine = sys::Machine::describe(&std::env::temp_dir());
    let mut section = docs::intro(
        HEADING,
        &format!(
            "Target (issue 24, Speed): recognising a delivery report or an automatic reply costs ≤ {TARGET_MS} ms per mail in the pure `crates/inbound`, over the fixture set."
        ),
        &format!(
            "Method: `cargo run --release -p mentorpost-bench --bin recognise` reads the {} fixtures of `crates/inbound/tests/fixtures` ({} KiB; {reports} delivery reports, {complaints} feedback reports, {automatic} other automatic mails, {people} people's mails, {refused} refused as malformed) into memory and, on one thread, runs {} rounds over all of them after {warmup} warm-up rounds, rotating their order each round. Each mail is timed alone (`Instant`, ns) four ways: copying its bytes (floor); `mail-parser`'s MIME parse (baseline: any reading of the mail costs this); recognition alone — `report::parse` and, when it is no report, `automatic::classify` on the already parsed message (of the mails `parse` accepts), with its decoded text and addresses prepared beforehand, as `parse` prepares them; and the whole `mentorpost_inbound::parse` (MIME, charsets, HTML to text, trimming, recognition, dedup key). {:.1} s in all; load average {load} at the end (the tails and maxima include other processes on the 2 cores).",
            mails.len(),
            bytes / 1024,
            cli.rounds,
            seconds
        ),
        &machine,
    );
    section.push_str("| per mail | samples | p50 µs | p99 µs | max µs | mean µs |\n|---|---:|---:|---:|---:|---:|\n");
    for s in [&copy, &mime, &recognise, &whole] {
        let _ = writeln!(section, "{}", s.row());
    }
    let _ = write!(
        section,
        "\nRecognition p99 {:.1} µs against the target of {:.0} µs: {}. The dearest fixtures to recognise (median of their rounds): {}. Beyond `mail-parser`'s parse, the whole crate adds {:.1} µs per mail on average (mean {:.1} − {:.1} µs).\n",
        recognition_p99_ms * 1000.0,
        TARGET_MS * 1000.0,
        if met { "met" } else { "missed" },
        dearest.join(", "),
        whole.mean_us() - mime.mean_us(),
        whole.mean_us(),
        mime.mean_us(),
    );
    if let Err(err) = docs::publish(HEADING, &section, cli.write_docs.then_some(cli.docs.as_path())) {
        eprintln!("{err:#}");
        return ExitCode::FAILURE;
    }
    if met || cli.no_check { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
