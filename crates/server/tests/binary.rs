//! Black-box tests of the real `mentorpost` binary: the command line, `serve --demo`,
//! and a clean exit on SIGTERM. With `MENTORPOST_TEST_POSTGRES_URL` set, the same
//! commands also run against a fresh PostgreSQL database.

mod common;

use common::{BIN, demo_threads, mentorpost, run_ok};

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `mentorpost serve`, killed on drop if still alive.
struct Served {
    child: Child,
    addr: String,
    /// Every line the server logs from its address on.
    log: mpsc::Receiver<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` on port 0 and waits for the "listening" line that names the port.
fn serve(data_dir: &std::path::Path, db: Option<&str>, extra: &[&str]) -> Served {
    serve_logging(data_dir, db, extra, "info")
}

/// `serve` with a log filter; the lines from the address on arrive on `Served::log`.
fn serve_logging(data_dir: &std::path::Path, db: Option<&str>, extra: &[&str], filter: &str) -> Served {
    let mut child = mentorpost(data_dir, db)
        .env("MENTORPOST_LOG", filter)
        .arg("serve")
        .arg("--http")
        .arg("127.0.0.1:0")
        .args(extra)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    let (log_tx, log) = mpsc::channel();
    std::thread::spawn(move || {
        let mut announced = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if !announced && let Some(rest) = line.split(" addr=").nth(1) {
                announced = true;
                let _ = tx.send(rest.split_whitespace().next().unwrap_or_default().to_owned());
            }
            let _ = log_tx.send(line);
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).expect("server announced its address");
    Served { child, addr, log }
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(start.elapsed() < within, "the server did not exit within {within:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn cli_manages_users_and_the_server_logs_them_in() {
    for pg in common::backends("bin") {
        let dir = tempfile::tempdir().expect("tmp");
        let db = pg.as_ref().map(|p| p.url.as_str());
        let migrated = mentorpost(dir.path(), db).arg("migrate").output().expect("migrate");
        assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
        let added = run_ok(mentorpost(dir.path(), db).args([
            "user",
            "add",
            "--email",
            "Małgorzata@Example.org",
            "--name",
            "Małgorzata Kowalska",
            "--password",
            "first password 1",
            "--locale",
            "nl",
            "--timezone",
            "Europe/Warsaw",
        ]));
        assert!(added.contains("małgorzata@example.org"), "{added}");
        run_ok(mentorpost(dir.path(), db).args(["user", "add", "--email", "henk@example.org", "--name", "Henk Jansen"]));
        let listed = run_ok(mentorpost(dir.path(), db).args(["user", "list"]));
        assert!(listed.contains("Małgorzata Kowalska") && listed.contains("henk@example.org\tHenk Jansen\te-mail only"), "{listed}");
        let dup =
            mentorpost(dir.path(), db).args(["user", "add", "--email", "henk@EXAMPLE.org", "--name", "Henk 2"]).output().expect("run");
        assert!(!dup.status.success(), "a duplicate address is refused");
        run_ok(mentorpost(dir.path(), db).args([
            "user",
            "set-password",
            "--email",
            "MAŁGORZATA@example.org",
            "--password",
            "second password 2",
        ]));

        let served = serve(dir.path(), db, &[]);
        let client = reqwest::blocking::Client::new();
        let login = |pw: &str| {
            client
                .post(format!("http://{}/api/v1/auth/login", served.addr))
                .json(&serde_json::json!({"email": "małgorzata@example.org", "password": pw}))
                .send()
                .expect("login")
                .status()
        };
        assert_eq!(login("first password 1"), 401);
        assert_eq!(login("second password 2"), 200);
    }
}

#[test]
fn cli_exports_a_persons_data_to_a_zip() {
    for pg in common::backends("bin") {
        let dir = tempfile::tempdir().expect("tmp");
        let db = pg.as_ref().map(|p| p.url.as_str());
        run_ok(mentorpost(dir.path(), db).args(["user", "add", "--email", "henk@example.org", "--name", "Henk Jansen", "--locale", "nl"]));
        let out = dir.path().join("henk.zip");
        let printed = run_ok(mentorpost(dir.path(), db).args(["user", "export", "--email", "HENK@example.org", "--out"]).arg(&out));
        assert!(printed.contains("0 messages") && printed.contains(" ms"), "{printed}");
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&out).expect("the zip is written")).expect("a zip");
        let mut account = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("data/account.json").expect("account.json"), &mut account).expect("reads");
        assert!(account.contains("henk@example.org") && account.contains("Henk Jansen"), "{account}");
        let mut index = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("index.html").expect("index.html"), &mut index).expect("reads");
        assert!(index.contains("<html lang=\"nl\">") && index.contains("Jouw gegevens uit mentorpost"), "{index}");
        let unknown = mentorpost(dir.path(), db).args(["user", "export", "--email", "nobody@example.org"]).output().expect("run");
        assert!(!unknown.status.success(), "an unknown address is refused");
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("no account"), "{}", String::from_utf8_lossy(&unknown.stderr));
    }
}

#[test]
fn serve_demo_answers_then_exits_cleanly_on_sigterm() {
    for pg in common::backends("bin") {
        let dir = tempfile::tempdir().expect("tmp");
        let db = pg.as_ref().map(|p| p.url.as_str());
        let mut served = serve(dir.path(), db, &["--demo"]);
        let base = format!("http://{}", served.addr);
        let client = reqwest::blocking::Client::new();
        let ready: serde_json::Value = client.get(format!("{base}/readyz")).send().expect("readyz").json().expect("json");
        assert_eq!(ready["status"], "ready");
        let (_, threads) = demo_threads(&client, &base);
        assert_eq!(threads.as_array().map(|a| a.len()), Some(2), "{threads}");
        let openapi: serde_json::Value = client.get(format!("{base}/api/openapi.json")).send().expect("openapi").json().expect("json");
        assert!(openapi["paths"]["/api/v1/threads/{id}/messages"]["post"].is_object());

        let pid = served.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
        let status = wait_exit(&mut served.child, Duration::from_secs(20));
        assert_eq!(status.code(), Some(0), "SIGTERM ends the server with exit code 0");

        // A second start on the same data keeps the demo as it was (no second seed).
        let served = serve(dir.path(), db, &["--demo"]);
        let users = Command::new(BIN)
            .arg("--data-dir")
            .arg(dir.path())
            .args(db.map(|u| vec!["--database-url", u]).unwrap_or_default())
            .args(["user", "list"])
            .output()
            .expect("list");
        assert_eq!(String::from_utf8_lossy(&users.stdout).lines().count(), 6);
        drop(served);
    }
}

#[test]
fn demo_command_env_and_global_options_after_the_subcommand() {
    let dir = tempfile::tempdir().expect("tmp");
    let printed = run_ok(mentorpost(dir.path(), None).arg("demo"));
    assert!(printed.contains("cagri@demo.mentorpost.localhost"), "the demo prints its logins: {printed}");
    // Global options go before or after the subcommand, and come from MENTORPOST_* too.
    let after = run_ok(Command::new(BIN).env_remove("MENTORPOST_DATABASE_URL").args(["user", "list", "--data-dir"]).arg(dir.path()));
    let by_env =
        run_ok(Command::new(BIN).env_remove("MENTORPOST_DATABASE_URL").env("MENTORPOST_DATA_DIR", dir.path()).args(["user", "list"]));
    assert_eq!(after, by_env);
    assert_eq!(after.lines().count(), 6, "the demo's six people: {after}");
    let url = format!("sqlite://{}", dir.path().join("mentorpost.db").display());
    let by_url = run_ok(Command::new(BIN).env("MENTORPOST_DATABASE_URL", &url).args(["--data-dir", "/nonexistent-unused", "user", "list"]));
    assert_eq!(by_url, after, "--database-url (here from the environment) wins over the data dir's default");
    // Running it again does not seed twice.
    let again = run_ok(mentorpost(dir.path(), None).arg("demo"));
    assert!(again.contains("already has people"), "{again}");
}

/// `retention --dry-run` says what a run would do and changes nothing; a real run
/// reports what it did.
#[test]
fn retention_runs_by_hand_and_dry() {
    let dir = tempfile::tempdir().expect("tmp");
    run_ok(mentorpost(dir.path(), None).arg("demo"));
    let db = dir.path().join("mentorpost.db");
    let before = std::fs::read(&db).expect("db");
    let dry = run_ok(mentorpost(dir.path(), None).args(["retention", "--dry-run"]));
    assert!(dry.starts_with("retention (would):") && dry.contains("warn\t0 mentorships"), "{dry}");
    assert_eq!(std::fs::read(&db).expect("db"), before, "a dry run leaves the database as it was");
    let done = run_ok(mentorpost(dir.path(), None).arg("retention"));
    assert!(done.starts_with("retention (did):") && done.contains("remove\t0 mentorships"), "{done}");
}

/// `demo` only seeds, so the URL it prints must be where `serve` with the same settings
/// will answer — not a fixed default.
#[test]
fn demo_prints_where_serve_answers() {
    let dir = tempfile::tempdir().expect("tmp");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let listen = format!("127.0.0.1:{port}");
    let printed = run_ok(mentorpost(dir.path(), None).env("MENTORPOST_HTTP", &listen).env_remove("MENTORPOST_PUBLIC_URL").arg("demo"));
    let url = printed.lines().find_map(|l| l.strip_prefix("Demo programme ready at ")).unwrap_or_else(|| panic!("no URL in {printed}"));
    assert_eq!(url, format!("http://{listen}"), "{printed}");

    // `serve` with the same environment answers there.
    let mut child = mentorpost(dir.path(), None)
        .env("MENTORPOST_HTTP", &listen)
        .env_remove("MENTORPOST_PUBLIC_URL")
        .arg("serve")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("addr=") {
                let _ = tx.send(line);
            }
        }
    });
    let announced = rx.recv_timeout(Duration::from_secs(60)).expect("the server announced its address");
    assert!(announced.contains(&listen), "{announced}");
    let served = Served { child, addr: listen.clone(), log: mpsc::channel().1 };
    let status = reqwest::blocking::Client::new().get(format!("{url}/healthz")).send().expect("GET the printed URL").status();
    assert_eq!(status, reqwest::StatusCode::OK);
    drop(served);

    // A public URL set for `serve` is the one printed; a listener on every interface
    // is opened through loopback.
    for (env, value, want) in [
        ("MENTORPOST_PUBLIC_URL", "https://mentor.example.org", "https://mentor.example.org"),
        ("MENTORPOST_HTTP", "0.0.0.0:9191", "http://127.0.0.1:9191"),
    ] {
        let dir = tempfile::tempdir().expect("tmp");
        let printed = run_ok(
            mentorpost(dir.path(), None).env_remove("MENTORPOST_PUBLIC_URL").env_remove("MENTORPOST_HTTP").env(env, value).arg("demo"),
        );
        assert!(printed.contains(&format!("Demo programme ready at {want}\n")), "{env}={value}: {printed}");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let printed = run_ok(mentorpost(dir.path(), None).args(["demo", "--http", "127.0.0.1:7070"]));
    assert!(printed.contains("Demo programme ready at http://127.0.0.1:7070\n"), "{printed}");
}

/// SIGTERM and SIGINT both stop the server gracefully: a request that is being received
/// when the signal arrives is still answered, then the process exits 0.
#[test]
fn a_request_in_flight_finishes_on_sigterm_and_sigint() {
    use std::io::{Read, Write};
    for signal in ["-TERM", "-INT"] {
        let dir = tempfile::tempdir().expect("tmp");
        let mut served = serve_logging(dir.path(), None, &[], "info,tower_http=debug");
        let body = br#"{"email":"nobody@example.org","password":"not the password"}"#;
        let mut conn = std::net::TcpStream::connect(&served.addr).expect("connect");
        write!(conn, "POST /api/v1/auth/login HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", served.addr, body.len()).expect("head");
        conn.write_all(&body[..10]).expect("first part");
        // The server has the request once it logs its start.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let line = served.log.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("the server logs the request");
            if line.contains("started processing request") {
                break;
            }
        }
        let pid = served.child.id().to_string();
        assert!(Command::new("kill").args([signal, &pid]).status().expect("kill").success());
        conn.write_all(&body[10..]).expect("rest of the body");
        let mut answer = String::new();
        conn.read_to_string(&mut answer).expect("answer");
        assert!(answer.starts_with("HTTP/1.1 401"), "{signal}: the request in flight is answered: {answer}");
        assert!(answer.contains("invalid_credentials"), "{answer}");
        let status = wait_exit(&mut served.child, Duration::from_secs(20));
        assert_eq!(status.code(), Some(0), "{signal} ends the server with exit code 0");
    }
}

/// Passwords in the database and SMTP URLs never reach the log: the start-up line names
/// both with the password as `***`, and nothing else the server logs while it serves
/// and stops shows it either — plain or percent-encoded.
#[test]
fn passwords_in_urls_never_reach_the_log() {
    const PASSWORD: &str = "Geheim-Łódź-ğüş/@:%zout";
    // A port nobody listens on: the SMTP server is never reached, the URL only logged.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let mut smtp = url::Url::parse(&format!("smtp://mentorpost@127.0.0.1:{closed}?tls=starttls")).expect("SMTP URL");
    smtp.set_password(Some(PASSWORD)).expect("an SMTP URL takes a password");
    let encoded = smtp.password().expect("password").to_owned();
    for pg in common::backends("redact") {
        let dir = tempfile::tempdir().expect("tmp");
        // PostgreSQL here trusts local connections: any password gets in.
        let db = pg.as_ref().map(|p| {
            let mut url = url::Url::parse(&p.url).expect("PostgreSQL URL");
            url.set_password(Some(PASSWORD)).expect("a PostgreSQL URL takes a password");
            url.to_string()
        });
        let mut served = serve(dir.path(), db.as_deref(), &["--smtp-url", smtp.as_str()]);
        let http = reqwest::blocking::Client::builder().no_proxy().build().expect("client");
        let healthy = http.get(format!("http://{}/healthz", served.addr)).send().expect("healthz");
        assert!(healthy.status().is_success());
        // No keep-alive connection left to hold up the drain.
        drop((healthy, http));
        let pid = served.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
        assert_eq!(wait_exit(&mut served.child, Duration::from_secs(30)).code(), Some(0));
        // Every line up to the end of the output (the reader lets go of the channel there).
        let mut log = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match served.log.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => log.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => panic!("the log did not end: {log:#?}"),
            }
        }
        let listening = log.iter().find(|l| l.contains("mentorpost listening")).unwrap_or_else(|| panic!("{log:#?}"));
        assert!(listening.contains(&format!("mail=smtp://mentorpost:***@127.0.0.1:{closed}?tls=starttls")), "{listening}");
        match &pg {
            Some(p) => assert!(listening.contains(&format!(":***@127.0.0.1:5432/{}", p.name)), "{listening}"),
            None => assert!(listening.contains("database=sqlite://"), "{listening}"),
        }
        assert!(log.iter().any(|l| l.contains("mentorpost stopped")), "{log:#?}");
        for line in &log {
            for secret in ["Geheim", "Łódź", "ğüş", encoded.as_str()] {
                assert!(!line.contains(secret), "{secret} in the log: {line}");
            }
        }
    }
}

/// The test clock: absent unless asked for (404), moves the server's time when on
/// (the contact figures see it), and is refused off loopback at start.
#[test]
fn the_test_clock_is_off_unless_asked_for_and_moves_time_when_on() {
    let advance = |addr: &str, seconds: i64| {
        reqwest::blocking::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .post(format!("http://{addr}/test/clock/advance"))
            .json(&serde_json::json!({ "seconds": seconds }))
            .send()
            .expect("POST the clock")
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let off = serve(dir.path(), None, &[]);
    assert_eq!(advance(&off.addr, 60).status(), reqwest::StatusCode::NOT_FOUND, "no test clock without the flag");
    drop(off);

    let dir = tempfile::tempdir().expect("tempdir");
    let on = serve(dir.path(), None, &["--test-clock"]);
    let resp = advance(&on.addr, 21 * 24 * 3600);
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
    let body: serde_json::Value = resp.json().expect("json");
    let now: chrono::DateTime<chrono::Utc> = body["now"].as_str().expect("now").parse().expect("a time");
    let ahead = now - chrono::Utc::now();
    assert!(ahead > chrono::Duration::days(20) && ahead < chrono::Duration::days(22), "{ahead}");
    assert_eq!(advance(&on.addr, 20 * 366 * 24 * 3600).status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY, "at most ten years");
    drop(on);

    // Only on a loopback address.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = mentorpost(dir.path(), None).args(["serve", "--http", "0.0.0.0:0", "--test-clock"]).output().expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `--log-format json`: one JSON object per line, for log shippers; a line written
/// while a request is handled carries that request's id (the one in its answer).
#[test]
fn json_logs_carry_the_request_id() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut child = mentorpost(dir.path(), None)
        .args(["--log-format", "json", "serve", "--http", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines: Vec<serde_json::Value> = Vec::new();
    let next = |lines: &mut Vec<serde_json::Value>| {
        let line = rx.recv_timeout(Duration::from_secs(60)).expect("a log line");
        let value: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        lines.push(value.clone());
        value
    };
    let addr = loop {
        let line = next(&mut lines);
        if line["fields"]["message"] == "mentorpost listening" {
            break line["fields"]["addr"].as_str().expect("addr").to_owned();
        }
    };
    let http = reqwest::blocking::Client::builder().no_proxy().build().expect("client");
    let answer = http
        .post(format!("http://{addr}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "nobody@example.org", "password": "not a password at all"}))
        .send()
        .expect("login");
    assert_eq!(answer.status(), 401);
    let id = answer.headers()["x-request-id"].to_str().expect("id").to_owned();
    let failed = loop {
        let line = next(&mut lines);
        if line["fields"]["message"] == "failed login" {
            break line;
        }
    };
    assert_eq!(failed["span"]["request_id"], id.as_str(), "{failed}");
    assert_eq!(failed["level"], "INFO");
    assert!(failed["timestamp"].is_string());
    let _ = child.kill();
    let _ = child.wait();
}

/// `--metrics-listen`: Prometheus metrics on their own address (the public one has
/// none), counting requests by route template; no label carries a person, an address,
/// an id or a word anyone wrote.
#[test]
fn metrics_are_served_apart_and_name_no_one() {
    const MARKER: &str = "METRIC-MARKER Łódź";
    let dir = tempfile::tempdir().expect("tmp");
    let served = serve(dir.path(), None, &["--demo", "--metrics-listen", "127.0.0.1:0"]);
    let metrics_addr = loop {
        let line = served.log.recv_timeout(Duration::from_secs(60)).expect("the metrics listener's line");
        if let Some(rest) = line.split(" metrics_addr=").nth(1) {
            break rest.split_whitespace().next().unwrap_or_default().to_owned();
        }
    };
    let base = format!("http://{}", served.addr);
    let client = reqwest::blocking::Client::builder().no_proxy().build().expect("client");
    let (token, threads) = demo_threads(&client, &base);
    let token = token.as_str();
    let thread = threads[0]["id"].as_str().expect("thread id");
    let posted = client
        .post(format!("{base}/api/v1/threads/{thread}/messages"))
        .bearer_auth(token)
        .json(&serde_json::json!({"body": MARKER, "client_msg_id": uuid::Uuid::new_v4().to_string()}))
        .send()
        .expect("post");
    assert_eq!(posted.status(), 201);
    assert_eq!(client.get(format!("{base}/metrics")).send().expect("public").status(), 404, "no metrics on the public address");

    let text = client.get(format!("http://{metrics_addr}/metrics")).send().expect("metrics").text().expect("text");
    for expected in [
        r#"mentorpost_http_requests_total{route="/api/v1/threads/{id}/messages",method="POST",status="201"} 1"#,
        "mentorpost_http_request_duration_seconds_bucket{",
        "mentorpost_outbox_pending ",
        "mentorpost_outbox_oldest_pending_age_seconds ",
        r#"mentorpost_db_pool_connections{state="open"}"#,
        "mentorpost_sqlite_commit_seconds_bucket{",
        "# HELP mentorpost_http_requests_total",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    let labels: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split_once('{').map(|(_, rest)| rest)).collect();
    for label in labels {
        assert!(
            !label.contains('@') && !label.contains("METRIC-MARKER") && !label.contains(thread),
            "a label names someone or something: {label}"
        );
        let uuid_like = label.split(|c: char| !c.is_ascii_hexdigit() && c != '-').any(|w| w.len() == 36 && w.matches('-').count() == 4);
        assert!(!uuid_like, "an id in a label: {label}");
    }
    drop(served);
}

/// `backup` copies a SQLite instance while messages keep coming in: every message
/// acknowledged before the backup began is in it; `restore` puts it in place in a new
/// data dir (and refuses to overwrite an instance with people unless forced), and the
/// restored instance serves them.
#[test]
fn backup_under_writes_and_restore() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().expect("tmp");
    let served = serve(dir.path(), None, &["--demo"]);
    let base = format!("http://{}", served.addr);
    let client = reqwest::blocking::Client::builder().no_proxy().build().expect("client");
    let (token, threads) = demo_threads(&client, &base);
    let thread = threads[0]["id"].as_str().expect("thread id").to_owned();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acked, stop, client, url) = (acked.clone(), stop.clone(), client.clone(), format!("{base}/api/v1/threads/{thread}/messages"));
        std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) || i < 50 {
                let body = serde_json::json!({"body": format!("Bericht {i} tijdens de back-up"), "client_msg_id": uuid::Uuid::new_v4().to_string()});
                let answer = client.post(&url).bearer_auth(&token).json(&body).send().expect("post");
                assert_eq!(answer.status(), 201);
                let posted: serde_json::Value = answer.json().expect("json");
                acked.lock().expect("lock").push(posted["id"].as_str().expect("id").to_owned());
                i += 1;
            }
        })
    };
    // Some acknowledged before the backup starts, more while it runs.
    while acked.lock().expect("lock").len() < 20 {
        std::thread::yield_now();
    }
    let before: Vec<String> = acked.lock().expect("lock").clone();
    let file = dir.path().join("backup.db");
    let out = run_ok(mentorpost(dir.path(), None).args(["backup", "--to"]).arg(&file));
    assert!(out.contains(" messages\t"), "{out}");
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("writer");
    drop(served);
    // A second backup to the same name is refused: nothing is overwritten.
    let again = mentorpost(dir.path(), None).args(["backup", "--to"]).arg(&file).output().expect("run");
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // Restoring over the live instance's data needs --force; into a new place it goes.
    let refused = mentorpost(dir.path(), None).args(["restore", "--from"]).arg(&file).output().expect("run");
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("--force"), "{refused:?}");
    let fresh = tempfile::tempdir().expect("tmp");
    let restored = run_ok(mentorpost(fresh.path(), None).args(["restore", "--from"]).arg(&file));
    assert!(restored.starts_with("restored\t"), "{restored}");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let url = mentorpost_server::db::default_sqlite_url(fresh.path());
    let ids: Vec<String> = runtime.block_on(async {
        let db = mentorpost_server::db::Db::connect(&url).await.expect("restored database");
        let rows: Vec<String> = sqlx::query_scalar("SELECT id FROM messages").fetch_all(db.pool()).await.expect("ids");
        db.close().await;
        rows
    });
    for id in &before {
        assert!(ids.contains(id), "message {id}, acknowledged before the backup, is not in it");
    }
    // The restored instance starts and answers.
    let served = serve(fresh.path(), None, &[]);
    let ready = client.get(format!("http://{}/readyz", served.addr)).send().expect("readyz");
    assert!(ready.status().is_success());
}

/// Instances starting together migrate once: several `mentorpost migrate` at the same
/// moment on a fresh database all succeed, on both backends.
#[test]
fn migrations_started_together_do_not_race() {
    for pg in common::backends("migrate_race") {
        let dir = tempfile::tempdir().expect("tmp");
        let db = pg.as_ref().map(|p| p.url.clone());
        let children: Vec<Child> = (0..4)
            .map(|_| {
                mentorpost(dir.path(), db.as_deref()).arg("migrate").stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            assert!(out.status.success(), "a migrate failed: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

/// `--config FILE`: the file's settings are the defaults, a flag on the command line
/// wins, an unknown key is refused by name; `deploy/mentorpost.toml` is the generated
/// reference, word for word.
#[test]
fn a_configuration_file_sets_what_flags_do_not() {
    let reference = run_ok(mentorpost(std::path::Path::new("."), None).args(["config", "--print-defaults"]));
    let committed = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/mentorpost.toml"))
        .expect("deploy/mentorpost.toml");
    assert_eq!(committed, reference, "deploy/mentorpost.toml is stale: regenerate it with `mentorpost config --print-defaults`");
    reference.parse::<toml::Table>().expect("the reference is valid TOML");

    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("mentorpost.toml");
    std::fs::write(&file, "http = \"127.0.0.1:0\"\nmetrics-listen = \"127.0.0.1:0\"\nlog-format = \"json\"\n").expect("write");
    // The file turns the metrics on; the command line's `--log-format text` wins over its json.
    let served = serve(dir.path(), None, &["--config", &file.to_string_lossy(), "--log-format", "text"]);
    let line = served.log.recv_timeout(Duration::from_secs(60)).expect("a log line");
    assert!(!line.starts_with('{'), "the flag wins over the file: {line}");
    let mut found = line.contains("metrics listening");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !found && Instant::now() < deadline {
        let Ok(line) = served.log.recv_timeout(Duration::from_secs(1)) else { continue };
        found = line.contains("metrics listening");
    }
    assert!(found, "the file's metrics-listen took effect");
    drop(served);

    std::fs::write(&file, "htp = \"127.0.0.1:0\"\n").expect("write");
    let out = mentorpost(dir.path(), None).args(["--config", &file.to_string_lossy(), "migrate"]).output().expect("run");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("unknown settings htp"), "{out:?}");
}

/// `copy` moves a SQLite instance (the demo, then a message posted on it) into an
/// empty PostgreSQL database: the server started on PostgreSQL knows the same people
/// with the same passwords, and a login token issued before the move still works (the
/// signing secret moved too). A non-empty target is refused.
#[test]
fn copy_moves_an_instance_to_postgres() {
    let Some(admin) = common::postgres_admin_url() else {
        eprintln!("PostgreSQL suite skipped: set {} to run it", common::PG_ENV);
        return;
    };
    let target = common::fresh_pg(&admin, "copy");
    let dir = tempfile::tempdir().expect("tmp");
    let served = serve(dir.path(), None, &["--demo"]);
    let client = reqwest::blocking::Client::builder().no_proxy().build().expect("client");
    let base = format!("http://{}", served.addr);
    let (token, threads) = demo_threads(&client, &base);
    let thread = threads[0]["id"].as_str().expect("thread").to_owned();
    // Everything COPY's text format must escape, and more than ASCII.
    let body = "Verhuisd naar PostgreSQL, zegt Çağrı.\n\tZażółć gęślą jaźń; \\N is geen NULL \\ en dit\r\nook niet: \\t.";
    let posted = client
        .post(format!("{base}/api/v1/threads/{thread}/messages"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"body": body, "client_msg_id": uuid::Uuid::new_v4().to_string()}))
        .send()
        .expect("post");
    assert_eq!(posted.status(), 201);
    let message: serde_json::Value = posted.json().expect("json");
    drop(served);

    // A file with every byte value, as an attachment of that message.
    let from = mentorpost_server::db::default_sqlite_url(dir.path());
    let bytes: Vec<u8> = (0..=255u8).chain([0, b'\\', b'\n', b'\t']).collect();
    let attachment = uuid::Uuid::now_v7().to_string();
    tokio::runtime::Runtime::new().expect("runtime").block_on(async {
        let mut db = <sqlx::SqliteConnection as sqlx::Connection>::connect(&from).await.expect("open the SQLite file");
        sqlx::query(
            "INSERT INTO attachments (id, message_id, mentorship_id, name, content_type, size_bytes, data, created_at)
             SELECT $1, id, mentorship_id, $2, 'application/octet-stream', $3, $4, created_at FROM messages WHERE id = $5",
        )
        .bind(&attachment)
        .bind("alle bytes\t(één).bin")
        .bind(bytes.len() as i64)
        .bind(bytes.clone())
        .bind(message["id"].as_str().expect("id").to_owned())
        .execute(&mut db)
        .await
        .expect("an attachment");
        sqlx::Connection::close(db).await.expect("close");
    });

    let out = run_ok(mentorpost(dir.path(), None).args(["copy", "--from", &from, "--to", &target.url]));
    assert!(out.lines().last().is_some_and(|l| l.starts_with("copied\t") && l.ends_with("verified")), "{out}");
    let again = mentorpost(dir.path(), None).args(["copy", "--from", &from, "--to", &target.url]).output().expect("run");
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("not empty"), "{again:?}");
    let psql = |sql: String| {
        let out = Command::new("psql").arg(&target.url).arg("-Atc").arg(sql).output().expect("psql");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim_end_matches('\n').to_owned()
    };
    assert_eq!(
        psql(format!("SELECT encode(data, 'hex') || '|' || name FROM attachments WHERE id = '{attachment}'")),
        format!("{}|alle bytes\t(één).bin", hex::encode(&bytes))
    );

    let moved = serve(dir.path(), Some(&target.url), &[]);
    let base = format!("http://{}", moved.addr);
    let messages: serde_json::Value =
        client.get(format!("{base}/api/v1/threads/{thread}/messages")).bearer_auth(&token).send().expect("messages").json().expect("json");
    let moved_body = messages["messages"].as_array().into_iter().flatten().find(|m| m["id"] == message["id"]).map(|m| m["body"].clone());
    assert_eq!(moved_body, Some(serde_json::json!(body)), "the old token works and the message moved unchanged: {messages}");
    let (_, threads_after) = demo_threads(&client, &base);
    assert_eq!(threads_after.as_array().map(Vec::len), threads.as_array().map(Vec::len), "the same password, the same threads");
}
