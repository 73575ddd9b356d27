//! `digest`: a digest run for many readers — composed by the release `mentorpost`
//! binary and handed to a local SMTP sink — next to a floor measured in the same run:
//! the same number of mails of the same size sent by this process straight to the
//! sink with a pooled lettre client (the SMTP cost alone).
//!
//! The data set is written straight into a fresh database (SQL through `sqlite3` or
//! `psql`): N readers in N/2 active mentorships, every one of them on `daily` digests
//! at the current UTC hour, with 5 threads per mentorship in which the other member
//! wrote once in the past day and nothing is read — so each reader's digest holds 5
//! threads. Then `mentorpost serve` starts; its first digest round queues every
//! digest, and its outbox worker sends them to the sink. The clock starts when the
//! server process starts.
//!
//! ```sh
//! export CARGO_TARGET_DIR=$HOME/.cache/mentorpost-target
//! cargo build --release -p mentorpost-server -p mentorpost-bench
//! cargo run --release -p mentorpost-bench --bin digest -- \
//!     --postgres postgres://postgres@127.0.0.1:5432/test --write-docs
//! ```

use anyhow::{Context, bail};
use clap::Parser;
use lettre::address::Envelope;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use mentorpost_bench::cli::{self, Table};
use mentorpost_bench::server::{self, Database, Server};
use mentorpost_bench::{docs, sink, sys};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const HEADING: &str = "## Digest run";
const TARGET_SECONDS: f64 = 20.0;
const THREADS_PER_MENTORSHIP: usize = 5;

#[derive(Debug, Parser)]
#[command(name = "digest", about = "Digest benchmark for mentorpost: a digest run for many readers into a local SMTP sink")]
struct Cli {
    #[command(flatten)]
    table: Table,
    /// Readers (each gets one digest).
    #[arg(long, default_value_t = 10_000)]
    readers: usize,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
}

struct Run {
    backend: &'static str,
    queued_s: f64,
    sent_s: f64,
    floor_s: f64,
    mails: u64,
    mail_bytes: usize,
}

fn main() -> ExitCode {
    cli::table_main(HEADING, |cli: &Cli| &cli.table, one_backend, section)
}

async fn one_backend(cli: &Cli, bin: &Path, db: &Database) -> anyhow::Result<Run> {
    let backend = db.backend();
    server::migrate(bin, db)?;
    eprintln!("[{backend}] writing {} readers with {THREADS_PER_MENTORSHIP} unread threads each", cli.readers);
    let seeded = Instant::now();
    let sql = data_set(cli.readers);
    db.load_sql(&sql)?;
    eprintln!("[{backend}] data set written in {:.1} s", seeded.elapsed().as_secs_f64());
    // The data set's writeback and the next checkpoint belong to the loading, not to
    // the timed run.
    db.checkpoint()?;

    let sink = sink::start().await?;
    let env = vec![("MENTORPOST_SMTP_URL".to_owned(), format!("smtp://{}", sink.addr)), ("MENTORPOST_LOG".to_owned(), "warn".to_owned())];
    let started = Instant::now();
    let srv = Server::start(bin, db, &env).await?;
    let want = cli.readers as u64;
    let deadline = started + Duration::from_secs(cli.timeout);
    let mut queued_s = None;
    while sink.received() < want {
        if queued_s.is_none() && db.count_rows("outbox WHERE kind = 'digest'").is_some_and(|n| n >= want) {
            queued_s = Some(started.elapsed().as_secs_f64());
        }
        if Instant::now() > deadline {
            bail!("[{backend}] only {} of {want} digests reached the sink in {} s; log:\n{}", sink.received(), cli.timeout, srv.log_tail());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent_s = started.elapsed().as_secs_f64();
    let mail_bytes = typical_digest_bytes(db).unwrap_or(4000);
    srv.stop().await?;
    eprintln!("[{backend}] {want} digests in {sent_s:.1} s; floor next");
    let floor_s = floor(cli.readers, mail_bytes).await?;
    Ok(Run { backend, queued_s: queued_s.unwrap_or(sent_s), sent_s, floor_s, mails: want, mail_bytes })
}

/// The average size of the rendered digests.
fn typical_digest_bytes(db: &Database) -> Option<usize> {
    db.scalar("SELECT CAST(AVG(LENGTH(rendered)) AS INTEGER) FROM outbox WHERE kind = 'digest'").and_then(|n| usize::try_from(n).ok())
}

/// The same number of mails of the same size, straight from here to a fresh sink.
async fn floor(mails: usize, bytes: usize) -> anyhow::Result<f64> {
    let sink = sink::start().await?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(sink.addr.ip().to_string())
        .port(sink.addr.port())
        .pool_config(PoolConfig::new().max_size(4))
        .build();
    let body = "Dit is een regel van een overzicht, ongeveer zo lang als die in een echte digest.\r\n".repeat(bytes / 80 + 1);
    let raw = format!(
        "From: mentorpost <notifications@mentorpost.localhost>\r\nTo: reader@bench.mentorpost.test\r\nSubject: Your daily mentorpost digest\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    );
    let envelope = Envelope::new(Some("notifications@mentorpost.localhost".parse()?), vec!["reader@bench.mentorpost.test".parse()?])?;
    let started = Instant::now();
    let per_task = mails.div_ceil(4);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (transport, envelope, raw) = (transport.clone(), envelope.clone(), raw.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_task {
                transport.send_raw(&envelope, raw.as_bytes()).await?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await.context("a floor sender")??;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// The data set as SQL: readers, mentorships, threads, messages, settings.
fn data_set(readers: usize) -> String {
    let now = chrono::Utc::now().timestamp_millis();
    let hour_ms = 3_600_000;
    let due = now - now % hour_ms;
    let hour = (due / hour_ms) % 24;
    let written = due - 2 * hour_ms;
    // The members joined before their threads began (a member sees only threads
    // started after they joined), and before the digest's day (no membership news).
    let joined = due - 48 * hour_ms;
    let id = || uuid::Uuid::now_v7().to_string();
    let mut sql = String::with_capacity(readers * 2000);
    sql.push_str("BEGIN;\n");
    let programme = id();
    let _ = writeln!(
        sql,
        "INSERT INTO programmes (id, name, timezone, default_contact_every_days, default_response_within_hours, default_meeting_rhythm, created_at) VALUES ('{programme}', 'Digest bench', 'UTC', 7, 48, 'weekly', {now});"
    );
    let users: Vec<String> = (0..readers).map(|_| id()).collect();
    for chunk in users.chunks(500).enumerate() {
        let (c, ids) = chunk;
        let rows: Vec<String> = ids
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let n = c * 500 + i;
                format!("('{u}', 'reader{n:05}@bench.mentorpost.test', 'Lezer {n} Ñandú-Łódź', 'UTC', 'nl', 0, NULL, {now}, {now})")
            })
            .collect();
        let _ = writeln!(
            sql,
            "INSERT INTO users (id, email, display_name, timezone, locale, is_admin, password_hash, created_at, updated_at) VALUES {};",
            rows.join(",")
        );
        let settings: Vec<String> = ids.iter().map(|u| format!("('{u}', 'daily', {hour}, 1, NULL, NULL, 10, {now})")).collect();
        let _ = writeln!(
            sql,
            "INSERT INTO mail_settings (user_id, mode, digest_hour, digest_weekday, quiet_start, quiet_end, missed_delay_minutes, updated_at) VALUES {};",
            settings.join(",")
        );
    }
    for (k, pair) in users.chunks(2).enumerate() {
        let [mentor, mentee] = pair else { continue };
        let m = id();
        let _ = writeln!(
            sql,
            "INSERT INTO mentorships (id, programme_id, status, start_date, contact_every_days, response_within_hours, meeting_rhythm, ground_rules, goals, agreement_updated_at, last_seq, created_at) VALUES ('{m}', '{programme}', 'active', '2026-09-01', 7, 48, 'weekly', '', '', {now}, {}, {now});",
            THREADS_PER_MENTORSHIP * 2
        );
        let _ = writeln!(
            sql,
            "INSERT INTO mentorship_members (mentorship_id, user_id, role, joined_at, left_at) VALUES ('{m}', '{mentor}', 'mentor', {joined}, NULL), ('{m}', '{mentee}', 'mentee', {joined}, NULL);"
        );
        let mut messages = Vec::new();
        for j in 0..THREADS_PER_MENTORSHIP {
            let t = id();
            let at = written + (k * THREADS_PER_MENTORSHIP + j) as i64 % 3_000_000;
            let (s1, s2) = (2 * j as i64 + 1, 2 * j as i64 + 2);
            let _ = writeln!(
                sql,
                "INSERT INTO threads (id, mentorship_id, subject, created_by, created_at, last_message_at, last_seq, message_count) VALUES ('{t}', '{m}', 'Onderwerp {j}: voorbereiding van het gesprek over stage en studie', '{mentor}', {at}, {at}, {s2}, 2);"
            );
            messages.push(format!("('{}', '{t}', '{m}', '{mentor}', 'Hoe ging het gesprek met je begeleider? Vertel eens wat je ervan vond en wat je nu wilt doen.', 'web', NULL, {at}, {s1})", id()));
            messages.push(format!("('{}', '{t}', '{m}', '{mentee}', 'Het ging goed, dank je. Ik wil volgende week verder praten over de keuze tussen de twee afdelingen.', 'web', NULL, {}, {s2})", id(), at + 1));
        }
        let _ = writeln!(
            sql,
            "INSERT INTO messages (id, thread_id, mentorship_id, author_id, body, source, client_msg_id, created_at, seq) VALUES {};",
            messages.join(",")
        );
    }
    sql.push_str("COMMIT;\n");
    sql
}

fn section(cli: &Cli, runs: &[Run], machine: &sys::Machine) -> String {
    let target = format!(
        "Target (issue \"E-mail out\", Speed): a digest run for 10,000 readers with ~5 unread threads each, composed and handed to a local SMTP sink, in ≤ {TARGET_SECONDS:.0} s (≥ 500 mails/s)."
    );
    let method = format!(
        "Method: `cargo run --release -p mentorpost-bench --bin digest` writes {} readers in {} mentorships straight into a fresh database (every reader on `daily` at the current UTC hour; {THREADS_PER_MENTORSHIP} threads per mentorship in which the other member wrote in the past day, nothing read), on PostgreSQL asks for a `CHECKPOINT` (the data set's writeback is not part of the run), starts the release binary with `MENTORPOST_SMTP_URL` pointing at a discard-only SMTP sink in the bench process, and times from the server's start until the sink has received every digest. \"Queued\" is when every digest's outbox row existed (rendered and recorded with its run). Floor, in the same run: the same number of mails of the digests' average size sent by the bench straight to a sink over 4 pooled lettre connections.",
        cli.readers,
        cli.readers / 2
    );
    let mut s = docs::intro(HEADING, &target, &method, machine);
    let _ = writeln!(s, "| backend | digests | queued after s | sent after s | mails/s | floor s (SMTP only) | avg size | target |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---|");
    for r in runs {
        let verdict = if r.sent_s <= TARGET_SECONDS && cli.readers >= 10_000 {
            "met"
        } else if cli.readers < 10_000 {
            "smaller run"
        } else {
            "**missed**"
        };
        let _ = writeln!(
            s,
            "| {} | {} | {:.1} | {:.1} | {:.0} | {:.1} | {} B | {verdict} |",
            r.backend,
            r.mails,
            r.queued_s,
            r.sent_s,
            r.mails as f64 / r.sent_s,
            r.floor_s,
            r.mail_bytes
        );
    }
    s
}
