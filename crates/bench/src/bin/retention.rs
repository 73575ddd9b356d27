//! `retention`: the daily retention job removing the content of 1,000 closed
//! mentorships (1,000,000 messages) while a member keeps posting, against the same
//! member posting on the idle server.
//!
//! The data set is written straight into a fresh database: a programme keeping content
//! 24 months, 1,000 mentorships closed 25 months ago with 1,000 messages each (in 10
//! threads), and one active pair whose mentor writes. The setting that records the
//! day's run says "today", so the first server does not start a run: one member POSTs
//! 300 messages one after another there ("idle"). Then the setting is cleared and the
//! server started again: its job claims the day at once and removes everything in
//! batches of 500, while the member keeps posting until the job's `retention run`
//! line appears in the log ("during").
//!
//! ```sh
//! export CARGO_TARGET_DIR=$HOME/.cache/mentorpost-target
//! cargo build --release -p mentorpost-server -p mentorpost-bench
//! cargo run --release -p mentorpost-bench --bin retention -- \
//!     --postgres postgres://postgres@127.0.0.1:5432/test --write-docs
//! ```

use clap::Parser;
use mentorpost_bench::cli::{self, Table};
use mentorpost_bench::server::{self, Database};
use mentorpost_bench::writer::{Latency, idle, login, new_thread, post_one};
use mentorpost_bench::{docs, sys};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const HEADING: &str = "## Retention";
const WRITER: &str = "writer@retention.bench";
const PASSWORD: &str = "bench password for retention 2026";
/// Live POST p99 during the job may be at most this many times the idle one.
const TARGET_RATIO: f64 = 2.0;

#[derive(Debug, Parser)]
#[command(name = "retention", about = "Retention benchmark for mentorpost: removing 1,000,000 messages under live POSTs")]
struct Cli {
    #[command(flatten)]
    table: Table,
    /// Closed mentorships whose content is due.
    #[arg(long, default_value_t = 1_000)]
    mentorships: usize,
    /// Messages in each.
    #[arg(long, default_value_t = 1_000)]
    messages: usize,
    /// POSTs on the idle server, before the job runs (the idle figures).
    #[arg(long, default_value_t = 300)]
    idle_posts: usize,
}

struct Run {
    backend: &'static str,
    messages: u64,
    rows_changed: u64,
    job_s: f64,
    idle: Latency,
    during: Latency,
    load_s: f64,
}

fn main() -> ExitCode {
    cli::table_main(HEADING, |cli: &Cli| &cli.table, one_backend, section)
}

fn data_set(cli: &Cli) -> String {
    let now = chrono::Utc::now().timestamp_millis();
    let day = 86_400_000i64;
    let closed = now - 760 * day;
    let programme = uuid::Uuid::now_v7();
    let mut sql = String::from("BEGIN;\n");
    let _ = writeln!(
        sql,
        "INSERT INTO programmes (id, name, timezone, default_contact_every_days, default_response_within_hours, default_meeting_rhythm, created_at) VALUES ('{programme}', 'Retention bench', 'Europe/Amsterdam', 7, 48, 'weekly', {closed});"
    );
    let _ = writeln!(sql, "INSERT INTO settings (key, value) VALUES ('retention.last_run', '{now}');");
    let pair = |sql: &mut String, k: String, status: &str, closed_at: String| -> (uuid::Uuid, uuid::Uuid) {
        let (mentor, mentee, m) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let _ = writeln!(
            sql,
            "INSERT INTO users (id, email, display_name, timezone, locale, is_admin, password_hash, created_at, updated_at) VALUES ('{mentor}', 'mentor{k}@retention.bench', 'Mentor {k}', 'Europe/Amsterdam', 'nl', 0, NULL, {closed}, {closed}), ('{mentee}', 'mentee{k}@retention.bench', 'Mentee {k}', 'Europe/Amsterdam', 'nl', 0, NULL, {closed}, {closed});"
        );
        let _ = writeln!(
            sql,
            "INSERT INTO mentorships (id, programme_id, status, start_date, contact_every_days, response_within_hours, meeting_rhythm, ground_rules, goals, agreement_updated_at, last_seq, created_at, closed_at) VALUES ('{m}', '{programme}', '{status}', '2024-01-08', 7, 48, 'weekly', 'Binnen drie dagen antwoord', 'Presenteren', {closed}, 0, {closed}, {closed_at});"
        );
        let _ = writeln!(
            sql,
            "INSERT INTO mentorship_members (mentorship_id, user_id, role, joined_at, left_at) VALUES ('{m}', '{mentor}', 'mentor', {closed}, NULL), ('{m}', '{mentee}', 'mentee', {closed}, NULL);"
        );
        (m, mentor)
    };
    // The writer's own pair stays active.
    let _ = pair(&mut sql, "-writer".into(), "active", "NULL".into());
    sql = sql.replace("mentor-writer@retention.bench", WRITER);
    let threads = 10;
    for k in 0..cli.mentorships {
        let (m, mentor) = pair(&mut sql, k.to_string(), "closed", closed.to_string());
        let per_thread = cli.messages / threads;
        let mut seq = 0i64;
        let mut rows = Vec::with_capacity(cli.messages);
        for t in 0..threads {
            let thread = uuid::Uuid::now_v7();
            let started = closed - 300 * day + (t as i64) * day;
            let _ = writeln!(
                sql,
                "INSERT INTO threads (id, mentorship_id, subject, created_by, created_at, last_message_at, last_seq, message_count) VALUES ('{thread}', '{m}', 'Gesprek {t}', '{mentor}', {started}, {started}, 0, {per_thread});"
            );
            for i in 0..per_thread {
                seq += 1;
                rows.push(format!(
                    "('{}', '{thread}', '{m}', '{mentor}', 'Bericht {i}: tot donderdag, dan oefenen we de opening.', 'web', {}, {seq})",
                    uuid::Uuid::now_v7(),
                    started + i as i64 * 60_000
                ));
            }
        }
        server::insert_rows(&mut sql, server::MESSAGE_COLUMNS, &rows);
    }
    sql.push_str("COMMIT;\n");
    sql
}

async fn one_backend(cli: &Cli, bin: &Path, db: &Database) -> anyhow::Result<Run> {
    let backend = db.backend();
    server::migrate(bin, db)?;
    let total = cli.mentorships * cli.messages;
    eprintln!("[{backend}] writing {total} messages in {} closed mentorships", cli.mentorships);
    let started = Instant::now();
    db.load_sql(&data_set(cli))?;
    let load_s = started.elapsed().as_secs_f64();
    if db.is_postgres() {
        db.load_sql("ANALYZE;")?;
    }
    db.checkpoint()?;
    server::server_cli_output(bin, db, &["user", "set-password", "--email", WRITER, "--password", PASSWORD])?;
    let env = [("MENTORPOST_LOG".to_owned(), "info".to_owned())];
    let http = reqwest::Client::builder().no_proxy().build()?;

    // Idle: the day's run is recorded, so this server starts none.
    let srv = server::Server::start(bin, db, &env).await?;
    let token = login(&http, &srv.base, WRITER, PASSWORD).await?;
    let url = new_thread(&http, &srv.base, &token, "Terwijl er opgeruimd wordt").await?;
    let path = url.trim_start_matches(&srv.base).to_owned();
    let idle = idle(&http, &url, &token, cli.idle_posts, Duration::from_millis(5)).await?;
    anyhow::ensure!(!std::fs::read_to_string(&srv.log)?.contains("retention run"), "the idle server ran the job");
    srv.stop().await?;

    // During: with the day's record gone, the next start runs the job at once.
    db.load_sql("DELETE FROM settings WHERE key = 'retention.last_run';")?;
    let srv = server::Server::start(bin, db, &env).await?;
    let t0 = Instant::now();
    let url = format!("{}{path}", srv.base);
    let mut during = Vec::new();
    let mut i = 0;
    let line = loop {
        during.push(post_one(&http, &url, &token, i).await?);
        i += 1;
        if let Some(line) = std::fs::read_to_string(&srv.log)?.lines().find(|l| l.contains("retention run")) {
            break line.to_owned();
        }
        anyhow::ensure!(t0.elapsed().as_secs() < 1800, "the retention run did not finish in 30 minutes");
    };
    let field =
        |name: &str| line.split(&format!(" {name}=")).nth(1).and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse::<f64>().ok());
    let job_s = field("ms").map_or(t0.elapsed().as_secs_f64(), |ms| ms / 1000.0);
    let rows_changed = field("rows_changed").unwrap_or_default() as u64;
    srv.stop().await?;
    let left = db
        .scalar("SELECT COUNT(*) FROM messages m JOIN mentorships s ON s.id = m.mentorship_id WHERE s.status = 'closed' AND m.body <> ''");
    anyhow::ensure!(left == Some(0), "{left:?} messages of closed mentorships still have their text");
    let during = Latency::of(during);
    eprintln!(
        "[{backend}] {total} messages removed in {job_s:.1} s; POST p99 idle {:.1} ms, during {:.1} ms (max {:.1}, n {})",
        idle.p99, during.p99, during.max, during.count
    );
    Ok(Run { backend, messages: total as u64, rows_changed, job_s, idle, during, load_s })
}

fn section(cli: &Cli, runs: &[Run], m: &sys::Machine) -> String {
    let target = "Target (issue 26, item 4): the retention job over 1,000,000 messages deletes in batches that keep live POST p99 within 2× of an idle run.";
    let method = format!(
        "Method: `cargo run --release -p mentorpost-bench --bin retention` writes {} mentorships closed 25 months ago (the programme keeps content 24), {} messages each in 10 threads, and one active pair, straight into a fresh database. The release server starts with the day's run recorded, and the active pair's mentor POSTs {} messages one after another, 5 ms apart (\"idle\"). The record is cleared and the server started again: its job claims the day at once and empties every closed mentorship in writes of at most 500 rows, while the mentor keeps POSTing one message after another until the job's `retention run` log line (\"during\"). The job's time is from that line. Afterwards no message of a closed mentorship has text left.",
        cli.mentorships, cli.messages, cli.idle_posts
    );
    let mut s = docs::intro(HEADING, target, &method, m);
    let _ = writeln!(
        s,
        "| backend | messages | rows changed | job s | POST idle p50 / p99 / max ms | POST during p50 / p99 / max ms (n) | p99 during ÷ idle | data written in s | target |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---|---|---:|---:|---|");
    for r in runs {
        let ratio = if r.idle.p99 > 0.0 { r.during.p99 / r.idle.p99 } else { f64::INFINITY };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.1} | {:.1} / {:.1} / {:.1} | {:.1} / {:.1} / {:.1} ({}) | {:.2} | {:.0} | {} |",
            r.backend,
            r.messages,
            r.rows_changed,
            r.job_s,
            r.idle.p50,
            r.idle.p99,
            r.idle.max,
            r.during.p50,
            r.during.p99,
            r.during.max,
            r.during.count,
            ratio,
            r.load_s,
            if ratio <= TARGET_RATIO { "met" } else { "**missed**" }
        );
    }
    s
}
