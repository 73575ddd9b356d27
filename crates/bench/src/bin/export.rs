//! `export`: the export of one person's data (GDPR right of access) when they have
//! written and received 10,000 messages, timed by the release binary itself
//! (`mentorpost user export` prints the export's own milliseconds — reading in one
//! snapshot, packing the zip, writing and syncing the file — without the process
//! start), next to the whole command timed from outside.
//!
//! The data set is written straight into a fresh database: a programme with many
//! pairs, and the measured mentee in four mentorships (one closed), each with 25
//! threads; 10,000 messages in all, half by the mentee, of a few hundred characters
//! each, one in a hundred with a 20 KiB attachment; sessions, actions, reflections,
//! reviews and closing forms of both members. Other pairs' messages (another 10,000)
//! are in the same tables and must not be read.
//!
//! ```sh
//! export CARGO_TARGET_DIR=$HOME/.cache/mentorpost-target
//! cargo build --release -p mentorpost-server -p mentorpost-bench
//! cargo run --release -p mentorpost-bench --bin export -- \
//!     --postgres postgres://postgres@127.0.0.1:5432/test --write-docs
//! ```

use anyhow::Context;
use clap::Parser;
use mentorpost_bench::cli::{self, Table};
use mentorpost_bench::server::{self, Database};
use mentorpost_bench::writer::{Latency, idle, login, new_thread, post_one};
use mentorpost_bench::{docs, sys};
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

const HEADING: &str = "## Export";
const TARGET_MS: f64 = 5000.0;
const EMAIL: &str = "mentee@export.bench";
/// The person erased: they wrote half the messages of a data set twice the size, so
/// `--messages` of their own.
const ERASED: &str = "mentee@erase.bench";
const ADMIN: &str = "admin@export.bench";
const WRITER: &str = "mentor4@export.bench";
const PASSWORD: &str = "bench password for erasure 2026";
const ERASE_TARGET_MS: f64 = 5000.0;
const WAIT_TARGET_MS: f64 = 50.0;

#[derive(Debug, Parser)]
#[command(name = "export", about = "Export benchmark for mentorpost: one person's data with 10,000 messages")]
struct Cli {
    #[command(flatten)]
    table: Table,
    /// Messages in the measured person's threads (half of them theirs).
    #[arg(long, default_value_t = 10_000)]
    messages: usize,
    /// Timed exports after a first one (which warms the caches).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// POSTs of the other member alone, before the erasure (the idle figures).
    #[arg(long, default_value_t = 300)]
    idle_posts: usize,
}

struct Run {
    backend: &'static str,
    messages: u64,
    attachments: u64,
    bytes: u64,
    first_ms: f64,
    p50_ms: f64,
    max_ms: f64,
    command_ms: f64,
    load_s: f64,
    erasure: Erasure,
}

/// The erasure of a person who wrote `--messages` messages, through the API of a
/// running server while another member keeps posting.
#[derive(Clone, Copy, Debug, Default)]
struct Erasure {
    messages: u64,
    /// From the server's "erasure finished" line: the batches, the export purge, the end.
    ms: f64,
    /// From the request to the finished row, seen from outside.
    outside_ms: f64,
    idle: Latency,
    during: Latency,
}

fn main() -> ExitCode {
    cli::table_main(HEADING, |cli: &Cli| &cli.table, one_backend, section)
}

/// One export by the release binary: (messages, attachments, bytes, ms inside the process).
fn export(bin: &Path, db: &Database, out: &Path) -> anyhow::Result<(u64, u64, u64, f64)> {
    let text = server::server_cli_output(bin, db, &["user", "export", "--email", EMAIL, "--out", &out.display().to_string()])?;
    let line = text.lines().last().context("the command printed nothing")?;
    let f: Vec<&str> = line.split('\t').collect();
    let number = |s: &str| s.split(' ').next().unwrap_or_default().parse::<u64>().with_context(|| format!("reading {line}"));
    match f[..] {
        [_, messages, attachments, bytes, ms] => Ok((number(messages)?, number(attachments)?, number(bytes)?, number(ms)? as f64)),
        _ => anyhow::bail!("unexpected output: {line}"),
    }
}

async fn one_backend(cli: &Cli, bin: &Path, db: &Database) -> anyhow::Result<Run> {
    let backend = db.backend();
    server::migrate(bin, db)?;
    eprintln!("[{backend}] writing {} messages of the measured person, as many of others", cli.messages);
    let started = Instant::now();
    db.load_sql(&data_set(cli.messages, db.is_postgres(), "export.bench"))?;
    let load_s = started.elapsed().as_secs_f64();
    db.checkpoint()?;

    let dir = tempfile::tempdir()?;
    let out = dir.path().join("export.zip");
    let (messages, attachments, bytes, first_ms) = export(bin, db, &out)?;
    check_zip(&out, messages)?;
    let mut times = Vec::new();
    let mut command_ms = 0.0;
    for _ in 0..cli.runs.max(1) {
        let t0 = Instant::now();
        let (_, _, _, ms) = export(bin, db, &out)?;
        command_ms = t0.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    let p50_ms = times[times.len() / 2];
    let max_ms = times.last().copied().unwrap_or_default();
    eprintln!("[{backend}] {messages} messages, {attachments} attachments, {bytes} bytes: first {first_ms} ms, p50 {p50_ms} ms");
    let erasure = erase_under_load(cli, bin, db).await?;
    Ok(Run { backend, messages, attachments, bytes, first_ms, p50_ms, max_ms, command_ms, load_s, erasure })
}

/// Loads a second person who wrote `--messages` messages, starts the server, measures
/// one member's POSTs alone, then again while an admin erases that person through the
/// API; the server's log gives the erasure's own time.
async fn erase_under_load(cli: &Cli, bin: &Path, db: &Database) -> anyhow::Result<Erasure> {
    let backend = db.backend();
    db.load_sql(&data_set(cli.messages * 2, db.is_postgres(), "erase.bench"))?;
    db.checkpoint()?;
    server::add_admin(bin, db, ADMIN, PASSWORD)?;
    server::server_cli_output(bin, db, &["user", "set-password", "--email", WRITER, "--password", PASSWORD])?;
    let srv = server::Server::start(bin, db, &[("MENTORPOST_LOG".to_owned(), "info".to_owned())]).await?;
    let http = reqwest::Client::builder().no_proxy().build()?;
    let base = srv.base.clone();
    let (admin, writer) = (login(&http, &base, ADMIN, PASSWORD).await?, login(&http, &base, WRITER, PASSWORD).await?);
    let url = new_thread(&http, &base, &writer, "Terwijl er gewist wordt").await?;
    let people: serde_json::Value =
        http.get(format!("{base}/api/v1/users")).bearer_auth(&admin).send().await?.error_for_status()?.json().await?;
    let person = people.as_array().into_iter().flatten().find(|u| u["email"] == ERASED).context("the person to erase")?["id"]
        .as_str()
        .context("id")?
        .to_owned();

    let idle = idle(&http, &url, &writer, cli.idle_posts, std::time::Duration::from_millis(5)).await?;
    let t0 = Instant::now();
    http.post(format!("{base}/api/v1/users/{person}/erasure"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"reason": "benchmark"}))
        .send()
        .await?
        .error_for_status()?;
    let mut during = Vec::new();
    let mut i = 0;
    let finished = loop {
        during.push(post_one(&http, &url, &writer, i).await?);
        i += 1;
        if let Some(line) = std::fs::read_to_string(&srv.log)?.lines().find(|l| l.contains("erasure finished")) {
            break line.to_owned();
        }
        anyhow::ensure!(t0.elapsed().as_secs() < 120, "the erasure did not finish in 2 minutes");
    };
    let outside_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let ms =
        finished.split(" ms=").nth(1).and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse::<f64>().ok()).unwrap_or(outside_ms);
    srv.stop().await?;
    let messages = db.scalar(
        "SELECT COUNT(*) FROM messages m JOIN users u ON u.id = m.author_id WHERE u.erased_at IS NOT NULL AND m.deleted_reason = 'erasure'",
    );
    let erasure = Erasure { messages: messages.unwrap_or_default(), ms, outside_ms, idle, during: Latency::of(during) };
    eprintln!(
        "[{backend}] erasure of {} messages: {ms:.0} ms; POST p99 idle {:.1} ms, during {:.1} ms, max {:.1} ms",
        erasure.messages, erasure.idle.p99, erasure.during.p99, erasure.during.max
    );
    Ok(erasure)
}

/// The zip opens and holds every message.
fn check_zip(path: &Path, messages: u64) -> anyhow::Result<()> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path)?)?;
    let mut text = String::new();
    archive.by_name("data/messages.json")?.read_to_string(&mut text)?;
    let found = text.matches("\"by_you\"").count() as u64;
    anyhow::ensure!(found == messages, "the zip holds {found} messages, the command said {messages}");
    archive.by_name("index.html")?;
    Ok(())
}

/// The data set, its addresses under `domain` (a second set loads beside the first).
fn data_set(messages: usize, postgres: bool, domain: &str) -> String {
    // 20 KiB of file, in each dialect's words.
    let blob = if postgres { "decode(repeat('5a', 20480), 'hex')" } else { "randomblob(20480)" };
    let now = chrono::Utc::now();
    let ms = now.timestamp_millis();
    let day = 86_400_000i64;
    let programme = uuid::Uuid::now_v7();
    let mut sql = String::from("BEGIN;\n");
    let _ = writeln!(
        sql,
        "INSERT INTO programmes (id, name, timezone, default_contact_every_days, default_response_within_hours, default_meeting_rhythm, created_at) VALUES ('{programme}', 'Export bench', 'Europe/Amsterdam', 7, 48, 'weekly', {ms});"
    );
    let mentee = uuid::Uuid::now_v7();
    let _ = writeln!(
        sql,
        "INSERT INTO users (id, email, display_name, timezone, locale, is_admin, password_hash, created_at, updated_at) VALUES ('{mentee}', 'mentee@{domain}', 'Zofia Kowalska', 'Europe/Amsterdam', 'nl', 0, NULL, {ms}, {ms});"
    );
    let _ = writeln!(
        sql,
        "INSERT INTO profiles (user_id, background, experience, interests, hopes, updated_at) VALUES ('{mentee}', 'Verpleegkundige uit Łódź', 'Tien jaar op de IC', 'Presenteren', 'Beter Nederlands op het werk', {ms});"
    );
    // Four mentorships of the measured person, then as many pairs of others with the
    // same number of messages.
    let threads_per = 25;
    let per_mentorship = messages / 4;
    for (k, mine) in [(0, true), (1, true), (2, true), (3, true), (4, false), (5, false), (6, false), (7, false)] {
        let (mentor, m) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let member = if mine { mentee } else { uuid::Uuid::now_v7() };
        let _ = writeln!(
            sql,
            "INSERT INTO users (id, email, display_name, timezone, locale, is_admin, password_hash, created_at, updated_at) VALUES ('{mentor}', 'mentor{k}@{domain}', 'Mentor {k}', 'Europe/Amsterdam', 'en', 0, NULL, {ms}, {ms});"
        );
        if !mine {
            let _ = writeln!(
                sql,
                "INSERT INTO users (id, email, display_name, timezone, locale, is_admin, password_hash, created_at, updated_at) VALUES ('{member}', 'other{k}@{domain}', 'Other {k}', 'Europe/Amsterdam', 'en', 0, NULL, {ms}, {ms});"
            );
        }
        let start = ms - 400 * day;
        let (status, closed) = if k == 0 { ("closed", ms.to_string()) } else { ("active", "NULL".to_owned()) };
        let _ = writeln!(
            sql,
            "INSERT INTO mentorships (id, programme_id, status, start_date, contact_every_days, response_within_hours, meeting_rhythm, ground_rules, goals, agreement_updated_at, last_seq, created_at, closed_at) VALUES ('{m}', '{programme}', '{status}', '2025-11-01', 7, 48, 'weekly', 'Binnen drie dagen antwoord', 'Presenteren zonder briefje', {start}, 0, {start}, {closed});"
        );
        let _ = writeln!(
            sql,
            "INSERT INTO mentorship_members (mentorship_id, user_id, role, joined_at, left_at) VALUES ('{m}', '{mentor}', 'mentor', {start}, NULL), ('{m}', '{member}', 'mentee', {start}, NULL);"
        );
        let mut seq = 0i64;
        for t in 0..threads_per {
            let thread = uuid::Uuid::now_v7();
            let started = start + (t as i64) * day;
            let count = per_mentorship / threads_per;
            let _ = writeln!(
                sql,
                "INSERT INTO threads (id, mentorship_id, subject, created_by, created_at, last_message_at, last_seq, message_count) VALUES ('{thread}', '{m}', 'Onderwerp {t}: de presentatie van week {t}', '{mentor}', {started}, {started}, 0, {count});"
            );
            let mut rows = Vec::with_capacity(count);
            let mut files = Vec::new();
            for i in 0..count {
                seq += 1;
                let id = uuid::Uuid::now_v7();
                let author = if i % 2 == 0 { mentor } else { member };
                let at = started + (i as i64) * 60_000;
                rows.push(format!(
                    "('{id}', '{thread}', '{m}', '{author}', 'Bericht {i} in gesprek {t}. Ik heb de dia''s aangepast: de opening is korter, het voorbeeld uit de praktijk staat nu vooraan, en de vragen aan het eind laat ik open. Wil je er donderdag naar kijken? Dan kunnen we het verhaal samen een keer doorlopen en oefenen met de timing.', 'web', {at}, {seq})"
                ));
                if i % 100 == 7 {
                    files.push(format!(
                        "('{}', '{id}', '{m}', 'dia''s week {t}.pdf', 'application/pdf', 20480, {}, {at})",
                        uuid::Uuid::now_v7(),
                        "BLOB"
                    ));
                }
            }
            server::insert_rows(&mut sql, server::MESSAGE_COLUMNS, &rows);
            for f in files {
                let _ = writeln!(
                    sql,
                    "INSERT INTO attachments (id, message_id, mentorship_id, name, content_type, size_bytes, data, created_at) VALUES {};",
                    f.replace("BLOB", blob)
                );
            }
        }
        let _ = writeln!(
            sql,
            "INSERT INTO meetings (id, mentorship_id, logged_by, held_on, held_at, duration_minutes, mode, note, created_at, learning_goal, explored) VALUES ('{}', '{m}', '{mentor}', '2026-01-15', {start}, 45, 'video', 'Goed gesprek', {start}, 'Structuur', 'De opening');",
            uuid::Uuid::now_v7()
        );
        for (author, role) in [(mentor, "mentor"), (member, "mentee")] {
            let _ = writeln!(
                sql,
                "INSERT INTO reflections (id, mentorship_id, author_id, role, meeting_id, subject, wanted, tried, felt, went_well, went_less_well, questions, shared, created_at, updated_at) VALUES ('{}', '{m}', '{author}', '{role}', NULL, 'Presenteren', 'Rust', 'Oefenen', 'Zenuwachtig', 'De opening', 'De timing', 'Hoe verder?', 0, {ms}, {ms});",
                uuid::Uuid::now_v7()
            );
            let _ = writeln!(
                sql,
                "INSERT INTO reviews (id, mentorship_id, user_id, role, round, meetings, time_enough, topics, growth, comments, satisfaction, continue_choice, created_at, updated_at) VALUES ('{}', '{m}', '{author}', '{role}', 1, 'Goed', 'Ja', 'Ja', 'Veel', '', 4, 'continue', {ms}, {ms});",
                uuid::Uuid::now_v7()
            );
        }
    }
    sql.push_str("COMMIT;\n");
    sql
}

fn section(cli: &Cli, runs: &[Run], m: &sys::Machine) -> String {
    let target = "Target (issue 26, item 2): the export of a person with 10,000 messages ≤ 5 s on both backends.";
    let method = format!(
        "Method: `cargo run --release -p mentorpost-bench --bin export` writes one person's four mentorships (25 threads each, {} messages in all, half of them theirs, a few hundred characters each, one in a hundred with a 20 KiB attachment; sessions, reflections and reviews of both members) and four pairs of others with as many messages, straight into a fresh database; then runs the release binary's `mentorpost user export --email … --out …` once to warm up and {} times more. The command prints the export's own time: reading everything in one snapshot, packing the zip (JSON files, attachments, index.html; deflate) and writing and syncing the file; \"command\" is the last run timed from outside (process start, migrations check, pools included). The zip is opened and its messages counted.",
        cli.messages, cli.runs
    );
    let mut s = docs::intro(HEADING, target, &method, m);
    let _ = writeln!(
        s,
        "| backend | messages | attachments | zip bytes | first ms | p50 ms | max ms | command ms | data written in s | target |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in runs {
        let met = r.max_ms <= TARGET_MS && r.first_ms <= TARGET_MS;
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} | {} |",
            r.backend,
            r.messages,
            r.attachments,
            r.bytes,
            r.first_ms,
            r.p50_ms,
            r.max_ms,
            r.command_ms,
            r.load_s,
            if met { "met" } else { "**missed**" }
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "**Erasure** (issue 26, item 3: a person with 10,000 messages erased in ≤ 5 s, other writers never waiting more than 50 ms at a time). A second data set twice the size is loaded so that the erased person wrote {} messages themselves (one in a hundred with a 20 KiB file); the release server runs; one other member POSTs messages one after another ({} alone first, 5 ms apart: \"idle\"), then an admin erases the person through `POST /api/v1/users/{{id}}/erasure` while that member keeps posting (\"during\"). \"erasure ms\" is the server's own time from its `erasure finished` log line (batches of 500, export purge, finish); \"seen from outside\" runs from the request to that line.",
        cli.messages, cli.idle_posts
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "| backend | messages erased | erasure ms | seen from outside ms | POST idle p50 / p99 / max ms | POST during p50 / p99 / max ms (n) | target |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---|---|---|");
    for r in runs {
        let e = &r.erasure;
        let met = e.ms <= ERASE_TARGET_MS && e.during.max <= WAIT_TARGET_MS;
        let _ = writeln!(
            s,
            "| {} | {} | {:.0} | {:.0} | {:.1} / {:.1} / {:.1} | {:.1} / {:.1} / {:.1} ({}) | {} |",
            r.backend,
            e.messages,
            e.ms,
            e.outside_ms,
            e.idle.p50,
            e.idle.p99,
            e.idle.max,
            e.during.p50,
            e.during.p99,
            e.during.max,
            e.during.count,
            if met { "met" } else { "**missed**" }
        );
    }
    s
}
