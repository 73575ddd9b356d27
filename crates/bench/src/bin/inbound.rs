//! `inbound`: the inbound mail pipeline — receive over SMTP, parse, trim, route,
//! store, notify — against the release `mentorpost` binary's SMTP listener, driven by
//! a real SMTP client (lettre, pooled connections) sending a realistic mix, next to a
//! floor measured in the same run: the same client and mails against a discard-only
//! SMTP server in this process (the protocol cost alone).
//!
//! The mix: 70 % Gmail replies (text + HTML, the original quoted below an "On … wrote:"
//! line), 10 % Outlook replies (HTML only, Exchange headers), 10 % auto-replies
//! (recorded, never posted), 5 % new threads to a mentorship address, 5 % mail from a
//! stranger (refused, no answer: no Authentication-Results).
//!
//! ```sh
//! export CARGO_TARGET_DIR=$HOME/.cache/mentorpost-target
//! cargo build --release -p mentorpost-server -p mentorpost-bench
//! cargo run --release -p mentorpost-bench --bin inbound -- \
//!     --postgres postgres://postgres@127.0.0.1:5432/test --write-docs
//! ```

use anyhow::{Context, bail};
use clap::Parser;
use hdrhistogram::Histogram;
use lettre::address::Envelope;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use mentorpost_bench::cli::{self, Table};
use mentorpost_bench::server::{self, Database, Server};
use mentorpost_bench::{docs, seed, sink, sys};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// Not the seeded people's domain: mail from the service's own domain is dropped.
const DOMAIN: &str = "mail.mentorpost-bench.example";
const HEADING: &str = "## Inbound mail (SMTP listener)";
const TARGET_RATE: f64 = 200.0;

#[derive(Debug, Parser)]
#[command(name = "inbound", about = "Inbound mail benchmark for mentorpost: mails/s through the SMTP listener")]
struct Cli {
    #[command(flatten)]
    table: Table,
    /// Mentorships whose members write.
    #[arg(long, default_value_t = 50)]
    mentorships: usize,
    /// Concurrent SMTP connections.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// Measured seconds per phase.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
}

/// One mentee's addresses, read from the notification mail they got.
#[derive(Clone, Debug)]
struct Mailbox {
    mentee: String,
    reply_to: String,
    new_thread: String,
    message_id: String,
    subject: String,
    quoted: String,
}

#[derive(Clone, Debug, Default)]
struct Phase {
    /// What the listener said became of each mail (`250 2.0.0 Ok: <outcome>`).
    outcomes: std::collections::BTreeMap<String, usize>,
    sent: usize,
    failed: usize,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
}

impl Phase {
    fn rate(&self) -> f64 {
        if self.seconds > 0.0 { self.sent as f64 / self.seconds } else { 0.0 }
    }
}

struct BackendResult {
    backend: &'static str,
    floor: Phase,
    real: Phase,
    stored: Option<u64>,
    expected_stored: usize,
    posted: Option<u64>,
}

fn main() -> ExitCode {
    // One client thread: the server gets the rest of the 2 cores.
    match cli::run(1, run(Cli::parse())) {
        Some(true) => ExitCode::SUCCESS,
        Some(false) => ExitCode::from(2),
        None => ExitCode::FAILURE,
    }
}

async fn run(cli: Cli) -> anyhow::Result<bool> {
    let results = cli
        .table
        .measure_and_publish(HEADING, async |bin, db| one_backend(&cli, bin, db).await, |results, machine| section(&cli, results, machine))
        .await?;
    Ok(results.iter().all(|r| r.real.failed == 0 && r.stored == Some(r.expected_stored as u64)))
}

async fn one_backend(cli: &Cli, bin: &Path, db: &Database) -> anyhow::Result<BackendResult> {
    let backend = db.backend();
    eprintln!("[{backend}] seeding {} mentorships", cli.mentorships);
    server::add_admin(bin, db, seed::ADMIN_EMAIL, seed::PASSWORD)?;
    let smtp_port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let env = vec![
        ("MENTORPOST_SMTP_LISTEN".to_owned(), format!("127.0.0.1:{smtp_port}")),
        ("MENTORPOST_MAIL_DOMAIN".to_owned(), DOMAIN.to_owned()),
        ("MENTORPOST_LOG".to_owned(), "warn".to_owned()),
    ];
    let srv = Server::start(bin, db, &env).await?;
    let http = reqwest::Client::builder().no_proxy().build()?;
    let world = seed::seed(&http, &srv.base, cli.mentorships).await?;
    seed::set_mail_mode(&http, &srv.base, &world, "each").await?;
    // Each mentor writes once more: the mentee's notification carries their addresses.
    for m in world.members.iter().filter(|m| m.role == "mentor") {
        let resp = http
            .post(format!("{}/api/v1/threads/{}/messages", srv.base, m.thread_id))
            .bearer_auth(&m.token)
            .json(&serde_json::json!({"body": "Zullen we donderdag om 10 uur bellen? Ik stuur je een link.", "client_msg_id": uuid::Uuid::new_v4().to_string()}))
            .send()
            .await?;
        if !resp.status().is_success() {
            bail!("posting the mentor's message failed: {}", resp.status());
        }
    }
    let mailboxes = read_notifications(&db.data_dir.path().join("mail"), cli.mentorships).await?;
    let smtp: SocketAddr = format!("127.0.0.1:{smtp_port}").parse()?;

    let floor_sink = sink::start().await?.addr;
    let mut floor = Phase::default();
    let mut real = Phase::default();
    let counter = Arc::new(AtomicUsize::new(0));
    let mut total_real = 0;
    for (i, (target, phase)) in [(floor_sink, &mut floor), (smtp, &mut real)].into_iter().enumerate() {
        let label = if i == 0 { "floor" } else { "mentorpost" };
        eprintln!("[{backend}] {label}: warm-up {:.0} s, then {:.0} s measured", cli.warmup, cli.duration);
        let warm = drive(target, &mailboxes, cli.connections, Duration::from_secs_f64(cli.warmup), &counter).await?;
        let measured = drive(target, &mailboxes, cli.connections, Duration::from_secs_f64(cli.duration), &counter).await?;
        if i == 1 {
            total_real = warm.sent + measured.sent;
        }
        *phase = measured;
    }
    // Everything answered 250 must be stored, once.
    let stored = db.count_rows("inbound_mail");
    let posted = db.count_rows("messages WHERE source = 'email'");
    srv.stop().await?;
    Ok(BackendResult { backend, floor, real, stored, expected_stored: total_real, posted })
}

/// Reads the mentees' notification files until there is one per mentorship.
async fn read_notifications(dir: &Path, want: usize) -> anyhow::Result<Vec<Mailbox>> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let mut found = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let Ok(raw) = std::fs::read(entry.path()) else { continue };
                let Some(msg) = mail_parser::MessageParser::default().parse(&raw) else { continue };
                let Some(to) = msg.to().and_then(|a| a.first()).and_then(|a| a.address()) else { continue };
                if !to.starts_with("mentee") {
                    continue;
                }
                let text = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
                let new_thread = text.split_whitespace().find(|w| w.starts_with("mentorship+")).map(|w| w.trim_end_matches('.').to_owned());
                let reply_to = msg.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_owned);
                if let (Some(reply_to), Some(new_thread), Some(id)) = (reply_to, new_thread, msg.message_id()) {
                    found.push(Mailbox {
                        mentee: to.to_owned(),
                        reply_to,
                        new_thread,
                        message_id: id.to_owned(),
                        subject: msg.subject().unwrap_or_default().to_owned(),
                        quoted: text,
                    });
                }
            }
        }
        found.sort_by(|a, b| a.mentee.cmp(&b.mentee));
        found.dedup_by(|a, b| a.mentee == b.mentee);
        if found.len() >= want {
            return Ok(found);
        }
        if Instant::now() > deadline {
            bail!("only {} of {want} notifications appeared", found.len());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sends mails from `connections` closed-loop senders for `length`.
async fn drive(
    target: SocketAddr,
    boxes: &[Mailbox],
    connections: usize,
    length: Duration,
    counter: &Arc<AtomicUsize>,
) -> anyhow::Result<Phase> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(target.ip().to_string())
        .port(target.port())
        .pool_config(PoolConfig::new().max_size(connections as u32))
        .build();
    let boxes = Arc::new(boxes.to_vec());
    let started = Instant::now();
    let end = started + length;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (transport, boxes, counter) = (transport.clone(), boxes.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| anyhow::anyhow!("{e}"))?;
            let (mut sent, mut failed) = (0usize, 0usize);
            let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
            while Instant::now() < end {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let (envelope, raw) = compose(&boxes, n)?;
                let t0 = Instant::now();
                match transport.send_raw(&envelope, &raw).await {
                    Ok(answer) => {
                        let outcome = answer.message().last().and_then(|l| l.rsplit(' ').next()).unwrap_or("ok").to_owned();
                        *outcomes.entry(outcome).or_default() += 1;
                        sent += 1;
                        hist.record(t0.elapsed().as_micros().max(1) as u64).ok();
                    }
                    Err(_) => failed += 1,
                }
            }
            anyhow::Ok((sent, failed, hist, outcomes))
        }));
    }
    let mut phase = Phase::default();
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| anyhow::anyhow!("{e}"))?;
    for t in tasks {
        let (sent, failed, hist, outcomes) = t.await.context("a sender task")??;
        for (k, v) in outcomes {
            *phase.outcomes.entry(k).or_default() += v;
        }
        phase.sent += sent;
        phase.failed += failed;
        all.add(&hist).ok();
    }
    phase.seconds = started.elapsed().as_secs_f64();
    phase.p50_ms = all.value_at_quantile(0.5) as f64 / 1000.0;
    phase.p99_ms = all.value_at_quantile(0.99) as f64 / 1000.0;
    Ok(phase)
}

/// Mail number `n` of the mix.
fn compose(boxes: &[Mailbox], n: usize) -> anyhow::Result<(Envelope, Vec<u8>)> {
    let b = &boxes[n % boxes.len()];
    let id = format!("<bench-{n}-{}@client.example.org>", uuid::Uuid::new_v4().simple());
    let date = "Thu, 03 Dec 2026 14:31:07 +0100";
    let quoted: String = b.quoted.lines().map(|l| format!("> {l}\r\n")).collect();
    let reply = format!(
        "Hoi,\r\n\r\nDonderdag om 10 uur past mij goed (bericht {n}). Ik heb de link gevonden en zal het vooraf even proberen.\r\nZullen we het daarna ook over mijn stage bij de gemeente hebben? Ik twijfel nog tussen twee afdelingen.\r\n\r\nGroet,\r\nJoão"
    );
    // 19: a stranger writes; 18: a new thread to the mentorship address.
    let kind = n % 20;
    let from = if kind == 19 { "someone@elsewhere.example" } else { b.mentee.as_str() };
    let to = if kind == 18 { b.new_thread.as_str() } else { b.reply_to.as_str() };
    let (mid, subject) = (&b.message_id, &b.subject);
    let raw = match kind {
        0..=13 => {
            let html = format!(
                "<div dir=\"ltr\">{}</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Thu, Dec 3, 2026 at 2:05 PM Bench mentor via mentorpost &lt;notifications@{DOMAIN}&gt; wrote:<br></div><blockquote class=\"gmail_quote\">{}</blockquote></div>",
                reply.replace("\r\n", "<br>"),
                b.quoted.replace('&', "&amp;").replace('<', "&lt;").replace('\n', "<br>")
            );
            format!(
                "MIME-Version: 1.0\r\nDate: {date}\r\nReferences: <{mid}>\r\nIn-Reply-To: <{mid}>\r\nMessage-ID: {id}\r\nSubject: Re: {subject}\r\nFrom: João <{from}>\r\nTo: {to}\r\nContent-Type: multipart/alternative; boundary=\"000000000000b1\"\r\n\r\n--000000000000b1\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{reply}\r\n\r\nOn Thu, Dec 3, 2026 at 2:05 PM Bench mentor via mentorpost <\r\nnotifications@{DOMAIN}> wrote:\r\n\r\n{quoted}\r\n--000000000000b1\r\nContent-Type: text/html; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{html}\r\n--000000000000b1--\r\n"
            )
        }
        14 | 15 => format!(
            "MIME-Version: 1.0\r\nDate: {date}\r\nMessage-ID: {id}\r\nIn-Reply-To: <{mid}>\r\nSubject: RE: {subject}\r\nFrom: {from}\r\nTo: {to}\r\nX-MS-Has-Attach:\r\nX-Auto-Response-Suppress: All\r\nThread-Topic: {subject}\r\nContent-Type: text/html; charset=\"iso-8859-1\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<html><body><div>Prima, tot donderdag! Bericht {n}.</div><div id=3D\"appendonsend\"></div><hr><div id=3D\"divRplyFwdMsg\"><b>From:</b> Bench mentor via mentorpost<br><b>Sent:</b> Thursday, December 3, 2026 2:05 PM<br><b>Subject:</b> {subject}</div><div>Zullen we donderdag om 10 uur bellen?</div></body></html>\r\n"
        ),
        16 | 17 => format!(
            "MIME-Version: 1.0\r\nDate: {date}\r\nMessage-ID: {id}\r\nSubject: Automatisch antwoord: {subject}\r\nFrom: {from}\r\nTo: {to}\r\nAuto-Submitted: auto-replied\r\nX-Autoreply: yes\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIk ben tot en met maandag afwezig.\r\n"
        ),
        18 => format!(
            "MIME-Version: 1.0\r\nDate: {date}\r\nMessage-ID: {id}\r\nSubject: Voorbereiding eerste klantgesprek {n}\r\nFrom: {from}\r\nTo: {to}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIk heb volgende week mijn eerste klantgesprek. Heb je tips voor de voorbereiding?\r\n"
        ),
        _ => format!(
            "MIME-Version: 1.0\r\nDate: {date}\r\nMessage-ID: {id}\r\nSubject: Re: {subject}\r\nFrom: {from}\r\nTo: {to}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo, ik schrijf namens een ander.\r\n"
        ),
    };
    let envelope = Envelope::new(Some(from.parse().context("from")?), vec![to.parse().context("to")?]).context("envelope")?;
    Ok((envelope, raw.into_bytes()))
}

fn section(cli: &Cli, results: &[BackendResult], machine: &sys::Machine) -> String {
    let target = format!(
        "Target (issue \"E-mail in\", Speed): ≥ {TARGET_RATE:.0} mails/s through the SMTP listener — receive, parse, trim, route, store, notify."
    );
    let method = format!(
        "Method: `cargo run --release -p mentorpost-bench --bin inbound` starts the release binary with its SMTP listener, seeds {} mentorships over the API, sets every member's mail to `each` (so each posted reply also queues and sends a notification), and reads each mentee's reply and new-thread addresses from the notification they were mailed. Then {} pooled lettre SMTP connections send, closed loop, {:.0} s warm-up and {:.0} s measured: 70 % Gmail replies (text + HTML, quoting the original), 10 % Outlook HTML-only replies, 10 % auto-replies, 5 % new threads to a mentorship address, 5 % mail from a stranger. A mail counts when the listener answered 250, which it does only after the mail is stored. Floor: the same client and mails against a discard-only SMTP server (the `mailin` state machine) in the bench process, measured in the same run.",
        cli.mentorships, cli.connections, cli.warmup, cli.duration
    );
    let mut s = docs::intro(HEADING, &target, &method, machine);
    let _ = writeln!(s, "| backend | floor mails/s | mentorpost mails/s | p50 ms | p99 ms | failed | stored = accepted | target |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---|---|");
    for r in results {
        let stored = match r.stored {
            Some(n) if n == r.expected_stored as u64 => format!("yes ({n})"),
            Some(n) => format!("**no** ({n} of {})", r.expected_stored),
            None => "not checked".to_owned(),
        };
        let verdict = if r.real.rate() >= TARGET_RATE { "met" } else { "**missed**" };
        let _ = writeln!(
            s,
            "| {} | {:.0} | {:.0} | {:.1} | {:.1} | {} | {stored} | {verdict} |",
            r.backend,
            r.floor.rate(),
            r.real.rate(),
            r.real.p50_ms,
            r.real.p99_ms,
            r.real.failed
        );
    }
    for r in results {
        let mix: Vec<String> = r.real.outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(s, "\n{} outcomes in the measured phase: {}.", r.backend, mix.join(", "));
        if let Some(p) = r.posted {
            let _ = writeln!(
                s,
                "\n{}: {p} messages posted from mail (replies and new threads; auto-replies and strangers post nothing).",
                r.backend
            );
        }
    }
    s
}
