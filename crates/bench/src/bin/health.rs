//! `health`: programme contact health for many mentorships over many messages — `GET
//! /api/v1/programmes/{id}/health` and its CSV against the release binary — next to
//! `GET /healthz` measured in the same run (the HTTP floor).
//!
//! The data set is written straight into a fresh database: one programme, N
//! mentorships (a mentor and a mentee each), 10 threads per mentorship and messages
//! alternating between the two, spread over the past months.
//!
//! ```sh
//! export CARGO_TARGET_DIR=$HOME/.cache/mentorpost-target
//! cargo build --release -p mentorpost-server -p mentorpost-bench
//! cargo run --release -p mentorpost-bench --bin health -- \
//!     --postgres postgres://postgres@127.0.0.1:5432/test --write-docs
//! ```

use anyhow::{Context, bail};
use clap::Parser;
use mentorpost_bench::cli::{self, Table};
use mentorpost_bench::server::{self, Database, Server};
use mentorpost_bench::{docs, seed, sys};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

const HEADING: &str = "## Programme health";
const THREADS: usize = 10;

#[derive(Debug, Parser)]
#[command(name = "health", about = "Programme health benchmark for mentorpost")]
struct Cli {
    #[command(flatten)]
    table: Table,
    #[arg(long, default_value_t = 1000)]
    mentorships: usize,
    /// Messages per thread (10 threads per mentorship).
    #[arg(long, default_value_t = 100)]
    per_thread: usize,
    /// Timed requests per route.
    #[arg(long, default_value_t = 10)]
    requests: usize,
}

struct Run {
    backend: &'static str,
    messages: u64,
    load_s: f64,
    cold_ms: f64,
    health_p50_ms: f64,
    health_max_ms: f64,
    changed_p50_ms: f64,
    csv_ms: f64,
    healthz_p50_ms: f64,
    dashboard_cold_ms: f64,
    dashboard_p50_ms: f64,
    dashboard_max_ms: f64,
    dashboard_healthz_p50_ms: f64,
}

fn main() -> ExitCode {
    cli::table_main(HEADING, |cli: &Cli| &cli.table, one_backend, section)
}

async fn one_backend(cli: &Cli, bin: &Path, db: &Database) -> anyhow::Result<Run> {
    let backend = db.backend();
    server::add_admin(bin, db, seed::ADMIN_EMAIL, seed::PASSWORD)?;
    let programme = uuid::Uuid::now_v7().to_string();
    eprintln!("[{backend}] writing {} mentorships × {THREADS} threads × {} messages", cli.mentorships, cli.per_thread);
    let started = Instant::now();
    let (sql, pairs) = data_set(&programme, cli.mentorships, cli.per_thread);
    db.load_sql(&sql)?;
    let load_s = started.elapsed().as_secs_f64();
    let messages = db.count_rows("messages").unwrap_or(0);
    let srv = Server::start(bin, db, &[("MENTORPOST_LOG".to_owned(), "warn".to_owned())]).await?;
    let http = reqwest::Client::builder().no_proxy().build()?;
    let token = seed::login(&http, &srv.base, seed::ADMIN_EMAIL).await?;
    let time = |path: String| {
        let (http, token, url) = (http.clone(), token.clone(), format!("{}{path}", srv.base));
        async move {
            let t0 = Instant::now();
            let resp = http.get(&url).bearer_auth(&token).send().await.with_context(|| format!("GET {url}"))?;
            let status = resp.status();
            let _ = resp.bytes().await?;
            if !status.is_success() {
                bail!("GET {url}: {status}");
            }
            anyhow::Ok(t0.elapsed().as_secs_f64() * 1000.0)
        }
    };
    let health = format!("/api/v1/programmes/{programme}/health");
    let cold_ms = time(health.clone()).await?;
    let mut h = Vec::new();
    let mut z = Vec::new();
    for _ in 0..cli.requests {
        z.push(time("/healthz".to_owned()).await?);
        h.push(time(health.clone()).await?);
    }
    // Then with CHANGED mentorships given a new message before each request (not timed).
    let mut changed = Vec::new();
    for round in 0..cli.requests {
        db.load_sql(&new_messages(&pairs, round))?;
        changed.push(time(health.clone()).await?);
    }
    let csv_ms = time(format!("{health}.csv")).await?;

    // The coordinator's dashboard in the web app (the admin may open it): the health
    // rows, the table's first page with a sparkline per row, both charts. Signed in by
    // the form, as a browser; /healthz alternates with it in the same loop.
    let web = reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build()?;
    let signed = web
        .post(format!("{}/signin", srv.base))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", seed::ADMIN_EMAIL), ("password", seed::PASSWORD)])
        .send()
        .await
        .context("web sign-in")?;
    let cookie = signed
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("no session cookie")?
        .to_owned();
    let page = |path: String| {
        let (web, cookie, url) = (web.clone(), cookie.clone(), format!("{}{path}", srv.base));
        async move {
            let t0 = Instant::now();
            let resp = web.get(&url).header("cookie", cookie).send().await.with_context(|| format!("GET {url}"))?;
            let status = resp.status();
            let body = resp.bytes().await?;
            if !status.is_success() || !body.windows(4).any(|w| w == b"<svg") {
                bail!("GET {url}: {status}");
            }
            anyhow::Ok(t0.elapsed().as_secs_f64() * 1000.0)
        }
    };
    let dashboard = format!("/coordinate/programmes/{programme}");
    // Built already by the API's requests above; the charts' weekly statuses with them.
    let dashboard_cold_ms = page(dashboard.clone()).await?;
    let (mut d, mut dz) = (Vec::new(), Vec::new());
    for _ in 0..cli.requests {
        dz.push(time("/healthz".to_owned()).await?);
        d.push(page(dashboard.clone()).await?);
    }
    srv.stop().await?;
    let p50 = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let max = h.iter().copied().fold(0.0, f64::max);
    let dashboard_max_ms = d.iter().copied().fold(0.0, f64::max);
    Ok(Run {
        dashboard_cold_ms,
        dashboard_p50_ms: p50(d),
        dashboard_max_ms,
        dashboard_healthz_p50_ms: p50(dz),
        backend,
        messages,
        load_s,
        cold_ms,
        health_p50_ms: p50(h),
        health_max_ms: max,
        changed_p50_ms: p50(changed),
        csv_ms,
        healthz_p50_ms: p50(z),
    })
}

/// Mentorships given a new message between two timed requests.
const CHANGED: usize = 10;

/// One new message by the mentor in each of `CHANGED` mentorships, as the service
/// would write it (the event sequence moves with it).
fn new_messages(pairs: &[(String, String, String)], round: usize) -> String {
    let now = chrono::Utc::now().timestamp_millis();
    let mut sql = String::from("BEGIN;\n");
    for k in 0..CHANGED.min(pairs.len()) {
        let (m, thread, mentor) = &pairs[(round * CHANGED + k) % pairs.len()];
        let _ = writeln!(
            sql,
            "UPDATE mentorships SET last_seq = last_seq + 1 WHERE id = '{m}';
             INSERT INTO messages (id, thread_id, mentorship_id, author_id, body, source, client_msg_id, created_at, seq) VALUES ('{}', '{thread}', '{m}', '{mentor}', 'x', 'web', NULL, {now}, (SELECT last_seq FROM mentorships WHERE id = '{m}'));",
            uuid::Uuid::now_v7()
        );
    }
    sql.push_str("COMMIT;\n");
    sql
}

/// The SQL of the data set, and per mentorship (id, a thread, its mentor).
fn data_set(programme: &str, mentorships: usize, per_thread: usize) -> (String, Vec<(String, String, String)>) {
    let mut pairs = Vec::with_capacity(mentorships);
    let now = chrono::Utc::now().timestamp_millis();
    let day = 86_400_000i64;
    let mut sql = String::from("BEGIN;\n");
    let _ = writeln!(
        sql,
        "INSERT INTO programmes (id, name, timezone, default_contact_every_days, default_response_within_hours, default_meeting_rhythm, created_at) VALUES ('{programme}', 'Health bench', 'Europe/Amsterdam', 7, 48, 'weekly', {now});"
    );
    for k in 0..mentorships {
        let (mentor, mentee, m) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let _ = writeln!(
            sql,
            "INSERT INTO users (id, email, display_name, timezone, locale, is_admin, password_hash, created_at, updated_at) VALUES ('{mentor}', 'mentor{k}@health.bench', 'Mentor {k}', 'Europe/Amsterdam', 'nl', 0, NULL, {now}, {now}), ('{mentee}', 'mentee{k}@health.bench', 'Mentee {k}', 'Europe/Amsterdam', 'nl', 0, NULL, {now}, {now});"
        );
        let _ = writeln!(
            sql,
            "INSERT INTO mentorships (id, programme_id, status, start_date, contact_every_days, response_within_hours, meeting_rhythm, ground_rules, goals, agreement_updated_at, last_seq, created_at) VALUES ('{m}', '{programme}', 'active', '2026-05-01', 7, 48, 'weekly', '', '', {now}, 0, {now});"
        );
        let _ = writeln!(
            sql,
            "INSERT INTO mentorship_members (mentorship_id, user_id, role, joined_at, left_at) VALUES ('{m}', '{mentor}', 'mentor', {now}, NULL), ('{m}', '{mentee}', 'mentee', {now}, NULL);"
        );
        let thread_ids: Vec<String> = (0..THREADS).map(|_| uuid::Uuid::now_v7().to_string()).collect();
        pairs.push((m.to_string(), thread_ids[0].clone(), mentor.to_string()));
        let threads: Vec<String> = thread_ids
            .iter()
            .enumerate()
            .map(|(j, t)| {
                // Threads start over the past 150 days; some pairs have gone quiet.
                let start = now - 150 * day + ((k * 7 + j * 13) % 140) as i64 * day;
                format!("('{t}', '{m}', 'Onderwerp {j}', '{mentor}', {start}, {start}, {per_thread}, {per_thread})")
            })
            .collect();
        let _ = writeln!(
            sql,
            "INSERT INTO threads (id, mentorship_id, subject, created_by, created_at, last_message_at, last_seq, message_count) VALUES {};",
            threads.join(",")
        );
    }
    let _ = writeln!(
        sql,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {per_thread})
         INSERT INTO messages (id, thread_id, mentorship_id, author_id, body, source, client_msg_id, created_at, seq)
         SELECT t.id || '-' || n.i, t.id, t.mentorship_id,
                CASE WHEN n.i % 2 = 1 THEN t.created_by ELSE (SELECT mm.user_id FROM mentorship_members mm WHERE mm.mentorship_id = t.mentorship_id AND mm.role = 'mentee') END,
                'x', 'web', NULL, t.created_at + n.i * 5400000, n.i
         FROM threads t CROSS JOIN n;"
    );
    sql.push_str("COMMIT;\n");
    (sql, pairs)
}

fn section(cli: &Cli, runs: &[Run], m: &sys::Machine) -> String {
    let target = "Target (issue \"Coordinator\", Speed): programme health for 1,000 mentorships over 1,000,000 messages ≤ 100 ms p50 on SQLite and PostgreSQL; the CSV export ≤ 1 s.";
    let method = format!(
        "Method: `cargo run --release -p mentorpost-bench --bin health` writes {} mentorships × {THREADS} threads × {} messages (alternating mentor and mentee, over the past five months) straight into a fresh database, starts the release binary and, as an admin, times the first `GET /api/v1/programmes/{{id}}/health` (cold: every snapshot is built from all messages), then {} sequential requests next to `GET /healthz` in the same loop (the HTTP floor), then {} requests each after {CHANGED} mentorships got a new message (written straight into the database between requests, not timed), then one CSV export. The figures are exact at every request: each mentorship's snapshot is rebuilt when its key (event sequence, meetings, rhythm, time zone, local day) moved, from that mentorship's contacts (`docs/coordinator.md`, \"How it stays fast\").",
        cli.mentorships, cli.per_thread, cli.requests, cli.requests
    );
    let mut s = docs::intro(HEADING, target, &method, m);
    let _ = writeln!(
        s,
        "| backend | messages | cold ms | health p50 ms | health max ms | p50 ms, {CHANGED} changed | CSV ms | /healthz p50 ms | data written in s | target |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in runs {
        let met = r.health_p50_ms <= 100.0 && r.changed_p50_ms <= 100.0 && r.csv_ms <= 1000.0;
        let _ = writeln!(
            s,
            "| {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.0} | {:.2} | {:.1} | {} |",
            r.backend,
            r.messages,
            r.cold_ms,
            r.health_p50_ms,
            r.health_max_ms,
            r.changed_p50_ms,
            r.csv_ms,
            r.healthz_p50_ms,
            r.load_s,
            if met { "met" } else { "**missed**" }
        );
    }
    let _ = writeln!(
        s,
        "\nThe coordinator's dashboard (issue 23, Speed: server time p50 ≤ 50 ms including the SVG charts): after the runs above, the admin signs in through the web form and times `GET /coordinate/programmes/{{id}}` — totals, the first {} rows of the health table with a sparkline each, the contacts-per-week chart and the statuses-per-week chart with their tables — {} times, alternating with `GET /healthz` on the same connection pool. The first request is listed apart (the snapshots and each mentorship's status at the end of the last 11 weeks were built by the API requests before it).\n",
        50, cli.requests
    );
    let _ = writeln!(s, "| backend | first ms | dashboard p50 ms | dashboard max ms | /healthz p50 ms | target |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---|");
    for r in runs {
        let _ = writeln!(
            s,
            "| {} | {:.1} | {:.1} | {:.1} | {:.2} | {} |",
            r.backend,
            r.dashboard_cold_ms,
            r.dashboard_p50_ms,
            r.dashboard_max_ms,
            r.dashboard_healthz_p50_ms,
            if r.dashboard_p50_ms <= 50.0 { "met" } else { "**missed**" }
        );
    }
    s
}
