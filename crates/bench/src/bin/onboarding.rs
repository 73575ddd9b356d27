//! `onboarding`: a coordinator's list of 5,000 people through the web app's real
//! endpoints against the release binary — the preview (`POST .../import`: parsed,
//! validated against the programme, rendered) and the confirmation (`POST
//! .../import/confirm`: 5,000 invitations and their mails queued), timed until the
//! outbox holds a row for every invitation. `GET /healthz` and a one-row preview in the
//! same run are the baseline. Signed in through the sign-in form, as a browser is.
//!
//! ```sh
//! export CARGO_TARGET_DIR=$HOME/.cache/mentorpost-target
//! cargo build --release -p mentorpost-server -p mentorpost-bench
//! cargo run --release -p mentorpost-bench --bin onboarding -- --write-docs
//! ```

use anyhow::{Context, bail};
use clap::Parser;
use mentorpost_bench::cli::{self, Table};
use mentorpost_bench::server::{self, Database, Server};
use mentorpost_bench::{docs, seed, sys};
use reqwest::{Client, Method, StatusCode};
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const HEADING: &str = "## Onboarding: importing a list";

#[derive(Debug, Parser)]
#[command(name = "onboarding", about = "CSV import and invitation benchmark for mentorpost")]
struct Cli {
    #[command(flatten)]
    table: Table,
    /// Rows in the list.
    #[arg(long, default_value_t = 5000)]
    rows: usize,
    /// Timed previews of the whole list (the figure is the slowest).
    #[arg(long, default_value_t = 5)]
    previews: usize,
}

struct Run {
    backend: &'static str,
    healthz_ms: f64,
    one_row_ms: f64,
    /// Each timed preview of the whole list, ms.
    previews_ms: Vec<f64>,
    preview_kb: f64,
    /// The confirmation's answer, ms.
    confirm_ms: f64,
    /// From sending the confirmation until the outbox held a row for everyone, ms.
    queued_ms: f64,
}

/// Names as the programmes have them: Dutch, Polish, Turkish, Portuguese.
const NAMES: [&str; 12] = [
    "Anouk van den Berg",
    "Małgorzata Wiśniewska",
    "Çağrı Öztürk",
    "João Gonçalves",
    "Henk de Groot",
    "Zofia Łukasiewicz",
    "Şule Yılmaz",
    "Inês Conceição",
    "Grzegorz Brzęczyszczykiewicz",
    "Gülşen Aydın",
    "Femke IJzerman",
    "Tomás Simões",
];

/// The list as a spreadsheet exports it: semicolons, a header, `rows` people.
fn roster(rows: usize, prefix: &str) -> String {
    let mut s = String::from("Naam;E-mailadres;Rol;Taal;Tijdzone\n");
    for i in 0..rows {
        let role = if i.is_multiple_of(3) { "mentor" } else { "mentee" };
        let lang = if i.is_multiple_of(2) { "nl" } else { "en" };
        let _ = writeln!(s, "{} {i};{prefix}{i}@onboarding.bench;{role};{lang};Europe/Amsterdam", NAMES[i % NAMES.len()]);
    }
    s
}

fn main() -> ExitCode {
    cli::table_main(HEADING, |cli: &Cli| &cli.table, one_backend, section)
}

async fn sign_in(http: &Client, base: &str, email: &str) -> anyhow::Result<(String, String)> {
    let resp = http
        .post(format!("{base}/signin"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email), ("password", seed::PASSWORD)])
        .send()
        .await?;
    if resp.status() != StatusCode::SEE_OTHER {
        bail!("signing in by form: {}", resp.status());
    }
    let cookie =
        resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).and_then(|c| c.split(';').next()).context("no cookie")?.to_owned();
    let page = http.get(format!("{base}/")).header("cookie", &cookie).send().await?.text().await?;
    let csrf = page
        .split("<meta name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .context("no CSRF token on the page")?
        .to_owned();
    Ok((cookie, csrf))
}

async fn one_backend(cli: &Cli, bin: &Path, db: &Database) -> anyhow::Result<Run> {
    let backend = db.backend();
    server::add_admin(bin, db, seed::ADMIN_EMAIL, seed::PASSWORD)?;
    let srv = Server::start(bin, db, &[("MENTORPOST_LOG".to_owned(), "warn".to_owned())]).await?;
    let http = Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build()?;
    let base = srv.base.clone();
    let admin = seed::login(&http, &base, seed::ADMIN_EMAIL).await?;
    let programme = seed::create_programme(&http, &base, &admin, "Onboarding bench").await?;
    let coordinator = seed::create_user(&http, &base, &admin, "coordinator@onboarding.bench", "Anneke de Vries", seed::PASSWORD).await?;
    seed::call(
        &http,
        Method::POST,
        &format!("{base}/api/v1/programmes/{programme}/coordinators"),
        Some(&admin),
        Some(json!({"user_id": coordinator})),
        StatusCode::OK,
    )
    .await?;
    let (cookie, csrf) = sign_in(&http, &base, "coordinator@onboarding.bench").await?;
    let import = format!("{base}/coordinate/programmes/{programme}/import");

    let preview = |csv: String| {
        let (http, cookie, csrf, url) = (http.clone(), cookie.clone(), csrf.clone(), import.clone());
        async move {
            let t0 = Instant::now();
            let resp = http.post(&url).header("cookie", &cookie).form(&[("csrf", csrf.as_str()), ("csv", csv.as_str())]).send().await?;
            let status = resp.status();
            let page = resp.text().await?;
            let ms = t0.elapsed().as_secs_f64() * 1000.0;
            if status != StatusCode::OK {
                bail!("preview: {status}");
            }
            anyhow::Ok((ms, page))
        }
    };
    let timed_get = |path: &'static str| {
        let (http, url) = (http.clone(), format!("{base}{path}"));
        async move {
            let t0 = Instant::now();
            let status = http.get(&url).send().await?.status();
            if status != StatusCode::OK {
                bail!("GET {url}: {status}");
            }
            anyhow::Ok(t0.elapsed().as_secs_f64() * 1000.0)
        }
    };

    let list = roster(cli.rows, "person");
    // Warm up, and check the preview says what it should.
    let (_, page) = preview(list.clone()).await?;
    let ready = format!("Invite {} people", fmt_thousands(cli.rows));
    let ready_plain = format!("Invite {} people", cli.rows);
    if !(page.contains(&ready) || page.contains(&ready_plain)) || page.contains("has-problems") {
        bail!("the preview of {} rows does not offer to invite them all", cli.rows);
    }
    let mut healthz = Vec::new();
    let mut one_row = Vec::new();
    let mut previews_ms = Vec::new();
    let mut preview_kb = 0.0;
    for _ in 0..cli.previews {
        healthz.push(timed_get("/healthz").await?);
        one_row.push(preview(roster(1, "single")).await?.0);
        let (ms, page) = preview(list.clone()).await?;
        previews_ms.push(ms);
        preview_kb = page.len() as f64 / 1024.0;
    }
    eprintln!("[{backend}] previews of {} rows: {previews_ms:?} ms", cli.rows);

    let queued = || db.scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'invitation'").unwrap_or(0);
    let before = queued();
    let form = reqwest::multipart::Form::new().percent_encode_noop().text("csrf", csrf.clone()).text("csv", list.clone());
    let t0 = Instant::now();
    let resp = http.post(format!("{import}/confirm")).header("cookie", &cookie).multipart(form).send().await?;
    let confirm_ms = t0.elapsed().as_secs_f64() * 1000.0;
    if resp.status() != StatusCode::SEE_OTHER {
        bail!("confirm: {}", resp.status());
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let queued_ms = loop {
        if queued() >= before + cli.rows as u64 {
            break t0.elapsed().as_secs_f64() * 1000.0;
        }
        if Instant::now() > deadline {
            bail!("the outbox holds {} of {} invitations after 120 s", queued() - before, cli.rows);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    eprintln!("[{backend}] confirm answered in {confirm_ms:.0} ms, {} mails queued after {queued_ms:.0} ms", cli.rows);
    srv.stop().await?;
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    Ok(Run { backend, healthz_ms: median(&mut healthz), one_row_ms: median(&mut one_row), previews_ms, preview_kb, confirm_ms, queued_ms })
}

fn fmt_thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn section(cli: &Cli, runs: &[Run], m: &sys::Machine) -> String {
    let target = "Target (issue 23, Onboarding): a CSV list of 5,000 rows validated and previewed in ≤ 2 s through the real preview endpoint; invitation mails for 5,000 people queued in ≤ 5 s (the confirmation, until the outbox holds 5,000 rows).";
    let method = format!(
        "Method: `cargo run --release -p mentorpost-bench --bin onboarding` starts the release binary on a fresh database, creates a programme and its coordinator through the API, signs the coordinator in through the sign-in form (a cookie session, as a browser) and posts a list of {} people (semicolon-separated, Dutch, Polish, Turkish and Portuguese names, every row valid) to `POST /coordinate/programmes/{{id}}/import` {} times, as the paste box sends it; a time is from sending the request to the last byte of the preview page. In the same loop, as the baseline: `GET /healthz` and the preview of a one-row list (medians). Then the same list goes to `POST .../import/confirm` once, multipart as the page sends it; the time is from sending it until the database's own client counts a queued invitation mail for every row in `outbox` (polled every 5 ms).",
        cli.rows, cli.previews
    );
    let mut s = docs::intro(HEADING, target, &method, m);
    let _ = writeln!(
        s,
        "| backend | `/healthz` ms | 1-row preview ms | {n}-row preview ms (slowest of {p}) | preview page KB | confirm answered ms | {n} mails queued ms | targets |",
        n = cli.rows,
        p = cli.previews
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---|");
    for r in runs {
        let slowest = r.previews_ms.iter().copied().fold(0.0, f64::max);
        let verdict = format!(
            "preview {}, queue {}",
            if slowest <= 2000.0 { "met" } else { "**missed**" },
            if r.queued_ms <= 5000.0 { "met" } else { "**missed**" }
        );
        let _ = writeln!(
            s,
            "| {} | {:.2} | {:.1} | {:.0} | {:.0} | {:.0} | {:.0} | {verdict} |",
            r.backend, r.healthz_ms, r.one_row_ms, slowest, r.preview_kb, r.confirm_ms, r.queued_ms
        );
    }
    s
}
