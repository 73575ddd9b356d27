//! `web`: the web app's two heaviest pages against the release binary — the inbox of
//! someone with 200 threads and a thread of 500 messages — next to `GET /healthz` in
//! the same loop (the HTTP floor), and the bytes of JavaScript and CSS a page loads,
//! gzip-compressed. Signed in through the sign-in form, as a browser is.
//!
//! ```sh
//! export CARGO_TARGET_DIR=$HOME/.cache/mentorpost-target
//! cargo build --release -p mentorpost-server -p mentorpost-bench
//! cargo run --release -p mentorpost-bench --bin web -- --write-docs
//! ```

use anyhow::{Context, bail};
use clap::Parser;
use flate2::Compression;
use flate2::write::GzEncoder;
use mentorpost_bench::cli::{self, Table};
use mentorpost_bench::server::{self, Database, Server};
use mentorpost_bench::{docs, latency_histogram, seed, sys};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

const HEADING: &str = "## Web app pages";

#[derive(Debug, Parser)]
#[command(name = "web", about = "Web app page benchmark for mentorpost")]
struct Cli {
    #[command(flatten)]
    table: Table,
    /// Threads in the reader's inbox.
    #[arg(long, default_value_t = 200)]
    threads: usize,
    /// Messages in the long thread.
    #[arg(long, default_value_t = 500)]
    messages: usize,
    /// Timed requests per page.
    #[arg(long, default_value_t = 300)]
    requests: usize,
}

struct Figures {
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    bytes: usize,
}

struct Run {
    backend: &'static str,
    inbox: Figures,
    thread: Figures,
    healthz: Figures,
    /// (path, raw bytes, gzip bytes) of each script and stylesheet a page loads.
    assets: Vec<(String, usize, usize)>,
}

fn main() -> ExitCode {
    cli::table_main(HEADING, |cli: &Cli| &cli.table, one_backend, section)
}

async fn one_backend(cli: &Cli, bin: &Path, db: &Database) -> anyhow::Result<Run> {
    let backend = db.backend();
    server::add_admin(bin, db, seed::ADMIN_EMAIL, seed::PASSWORD)?;
    let srv = Server::start(bin, db, &[("MENTORPOST_LOG".to_owned(), "warn".to_owned())]).await?;
    let http = reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build()?;
    let base = srv.base.clone();
    let admin = seed::login(&http, &base, seed::ADMIN_EMAIL).await?;
    let programme = seed::create_programme(&http, &base, &admin, "Web bench").await?;
    let mentor_id = seed::create_user(&http, &base, &admin, "mentor@web.bench", "Małgorzata Kowalska", seed::PASSWORD).await?;
    let mentee_id = seed::create_user(&http, &base, &admin, "mentee@web.bench", "João Pereira", seed::PASSWORD).await?;
    let mentor = seed::login(&http, &base, "mentor@web.bench").await?;
    let mentee = seed::login(&http, &base, "mentee@web.bench").await?;
    let members = vec![json!({"user_id": mentor_id, "role": "mentor"}), json!({"user_id": mentee_id, "role": "mentee"})];
    eprintln!("[{backend}] seeding {} threads and a thread of {} messages", cli.threads, cli.messages);
    let long = seed::mentorship_with_thread(&http, &base, &admin, &programme, members, &mentor, "Een lang gesprek").await?;
    let mentorship = seed::call(&http, Method::GET, &format!("{base}/api/v1/threads/{long}"), Some(&mentor), None, StatusCode::OK).await?;
    let mentorship = seed::str_field(&mentorship, "/mentorship_id")?;
    for k in 1..cli.threads {
        let body = json!({"subject": format!("Onderwerp {k}: afspraken en vragen"), "body": "Hoe gaat het met je planning deze week?"});
        seed::call(
            &http,
            Method::POST,
            &format!("{base}/api/v1/mentorships/{mentorship}/threads"),
            Some(&mentee),
            Some(body),
            StatusCode::CREATED,
        )
        .await?;
    }
    for k in 1..cli.messages {
        let (who, text) = if k % 2 == 1 {
            (&mentee, "Dank je! Ik heb het gelezen en ga ermee aan de slag.")
        } else {
            (&mentor, "Mooi. Laten we het volgende keer bespreken.")
        };
        let body = json!({"body": format!("{text} ({k})"), "client_msg_id": uuid::Uuid::now_v7().to_string()});
        seed::call(&http, Method::POST, &format!("{base}/api/v1/threads/{long}/messages"), Some(who), Some(body), StatusCode::CREATED)
            .await?;
    }

    let resp = http
        .post(format!("{base}/signin"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "mentor@web.bench"), ("password", seed::PASSWORD)])
        .send()
        .await?;
    if resp.status() != StatusCode::SEE_OTHER {
        bail!("signing in by form: {}", resp.status());
    }
    let cookie =
        resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).and_then(|c| c.split(';').next()).context("no cookie")?.to_owned();

    let get = |path: String| {
        let (http, cookie, url) = (http.clone(), cookie.clone(), format!("{base}{path}"));
        async move {
            let t0 = Instant::now();
            let resp = http.get(&url).header("cookie", &cookie).send().await.with_context(|| format!("GET {url}"))?;
            let status = resp.status();
            let body = resp.bytes().await?;
            if status != StatusCode::OK {
                bail!("GET {url}: {status}");
            }
            anyhow::Ok((t0.elapsed().as_micros() as u64, body))
        }
    };
    // Warm up, and check what the pages hold.
    let (_, inbox_page) = get("/".to_owned()).await?;
    let inbox_html = String::from_utf8_lossy(&inbox_page).into_owned();
    let listed = inbox_html.matches("<li class=\"thread").count();
    if listed != cli.threads {
        bail!("the inbox lists {listed} threads, not {}", cli.threads);
    }
    let (_, thread_page) = get(format!("/threads/{long}")).await?;
    let shown = String::from_utf8_lossy(&thread_page).matches("<li class=\"message").count();
    let (mut inbox, mut thread, mut healthz) = (latency_histogram(), latency_histogram(), latency_histogram());
    for _ in 0..cli.requests {
        healthz.record(get("/healthz".to_owned()).await?.0)?;
        inbox.record(get("/".to_owned()).await?.0)?;
        thread.record(get(format!("/threads/{long}")).await?.0)?;
    }
    eprintln!("[{backend}] the thread page shows {shown} of {} messages (older ones a link away)", cli.messages);

    let mut assets = Vec::new();
    for marker in ["<link rel=\"stylesheet\" href=\"", "<script type=\"module\" src=\""] {
        let path = inbox_html.split(marker).nth(1).and_then(|r| r.split('"').next()).context("an asset path")?.to_owned();
        let (_, body) = get(path.clone()).await?;
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&body)?;
        assets.push((path, body.len(), gz.finish()?.len()));
    }
    srv.stop().await?;
    let figures = |h: &hdrhistogram::Histogram<u64>, bytes: usize| Figures {
        p50_ms: h.value_at_quantile(0.5) as f64 / 1000.0,
        p99_ms: h.value_at_quantile(0.99) as f64 / 1000.0,
        max_ms: h.max() as f64 / 1000.0,
        bytes,
    };
    Ok(Run {
        backend,
        inbox: figures(&inbox, inbox_page.len()),
        thread: figures(&thread, thread_page.len()),
        healthz: figures(&healthz, 0),
        assets,
    })
}

fn section(cli: &Cli, runs: &[Run], m: &sys::Machine) -> String {
    let target = "Target (issue 22, Speed): the inbox with 200 threads and a thread with 500 messages, server time p99 ≤ 10 ms on SQLite, compared with `GET /healthz` in the same run; all JavaScript and CSS a page loads ≤ 30 KB compressed, no request to another origin.";
    let method = format!(
        "Method: `cargo run --release -p mentorpost-bench --bin web` starts the release binary on a fresh database, creates through the API one mentorship whose mentor has {} threads, one of them {} messages long, signs the mentor in through the sign-in form (a cookie session, as a browser) and times {} rounds of `GET /healthz`, `GET /` (the inbox) and `GET /threads/{{id}}` (the long thread: its newest 200 messages, older ones a link away) one after another from one client on loopback; a time is from sending the request to the last byte of the page, so it includes HTTP and the loopback. The assets are fetched from the page's own links and gzip-compressed (level 9) here.",
        cli.threads, cli.messages, cli.requests
    );
    let mut s = docs::intro(HEADING, target, &method, m);
    let _ = writeln!(s, "| backend | page | p50 ms | p99 ms | max ms | page KB | target |");
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---|");
    for r in runs {
        for (name, f, check) in
            [("`/healthz`", &r.healthz, false), ("inbox, 200 threads", &r.inbox, true), ("thread, 500 messages", &r.thread, true)]
        {
            let verdict = if !check {
                "floor".to_owned()
            } else if r.backend != "sqlite" {
                "(SQLite only)".to_owned()
            } else if f.p99_ms <= 10.0 {
                "met".to_owned()
            } else {
                "**missed**".to_owned()
            };
            let _ = writeln!(
                s,
                "| {} | {name} | {:.2} | {:.2} | {:.2} | {:.1} | {verdict} |",
                r.backend,
                f.p50_ms,
                f.p99_ms,
                f.max_ms,
                f.bytes as f64 / 1024.0
            );
        }
    }
    if let Some(r) = runs.first() {
        let total: usize = r.assets.iter().map(|a| a.2).sum();
        let _ = writeln!(s, "\n| asset | bytes | gzip bytes |\n|---|---:|---:|");
        for (path, raw, gz) in &r.assets {
            let _ = writeln!(s, "| `{path}` | {raw} | {gz} |");
        }
        let _ = writeln!(
            s,
            "| **all a page loads** | {} | **{total}** ({}) |",
            r.assets.iter().map(|a| a.1).sum::<usize>(),
            if total <= 30 * 1024 { "≤ 30 KB: met" } else { "**> 30 KB: missed**" }
        );
        let _ = writeln!(
            s,
            "\nEvery page's policy is `default-src 'none'` with `'self'` only for scripts, styles, images and connections: a page cannot load anything from another origin."
        );
    }
    s
}
