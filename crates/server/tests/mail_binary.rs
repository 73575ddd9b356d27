//! The real binary's mail: `serve --demo` writes the e-mail-only mentee's mail as
//! files at once, and two instances on one PostgreSQL never send a mail twice.

mod common;
#[path = "../../../tests/src/smtp.rs"]
#[allow(dead_code)]
mod smtp;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_mentorpost");
const WAIT: Duration = Duration::from_secs(30);

/// A running `mentorpost serve`, killed on drop.
struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn mentorpost(data_dir: &std::path::Path, db: Option<&str>) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir")
        .arg(data_dir)
        .env_remove("MENTORPOST_DATABASE_URL")
        .env_remove("MENTORPOST_SMTP_URL")
        .env("MENTORPOST_LOG", "info");
    if let Some(url) = db {
        cmd.arg("--database-url").arg(url);
    }
    cmd
}

/// Starts `serve` on port 0 and waits for the line that names its address.
fn serve(data_dir: &std::path::Path, db: Option<&str>, extra: &[&str]) -> Served {
    let mut child = mentorpost(data_dir, db)
        .args(["serve", "--http", "127.0.0.1:0"])
        .args(extra)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("addr=").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or_default().to_owned());
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).expect("server announced its address");
    Served { child, addr }
}

/// The `.eml` files the file transport wrote.
fn mail_files(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "eml")).filter_map(|e| std::fs::read(e.path()).ok()).collect()
}

#[test]
fn serve_demo_writes_the_email_only_mentees_mail_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let _served = serve(dir.path(), None, &["--demo"]);
    // Another process writes the files; look until they are there or time is up.
    let deadline = Instant::now() + WAIT;
    let mails = loop {
        let henk: Vec<Vec<u8>> = mail_files(&dir.path().join("mail"))
            .into_iter()
            .filter(|m| String::from_utf8_lossy(m).contains("henk@demo.mentorpost.localhost"))
            .collect();
        // Çağrı's first message is the one written to Henk by someone else.
        if !henk.is_empty() {
            break henk;
        }
        assert!(Instant::now() < deadline, "the demo's mail for Henk did not appear in {WAIT:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    for raw in &mails {
        let msg = mail_parser::MessageParser::default().parse(raw).expect("a parsable .eml");
        let from = msg.from().and_then(|a| a.first()).expect("From");
        assert!(from.name().is_some_and(|n| n.ends_with(" via mentorpost")), "{:?}", from.name());
        assert!(msg.message_id().is_some_and(|id| id.ends_with("@mentorpost.localhost")));
        assert!(msg.in_reply_to().as_text().is_some_and(|r| r.starts_with("thread.")));
        // Henk reads Dutch.
        assert!(msg.body_html(0).is_some_and(|h| h.contains("<html lang=\"nl\">")));
        let text = msg.body_text(0).expect("text part");
        assert!(text.contains("Open de draad"), "{text}");
        // Links point at the address the server really listens on.
        assert!(!text.contains("127.0.0.1:0/"), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgresql_never_send_a_mail_twice() {
    let Some(pg) = common::postgres_admin_url().map(|admin| common::fresh_pg(&admin, "mail")) else {
        eprintln!("PostgreSQL suite skipped: set MENTORPOST_TEST_POSTGRES_URL to run it");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let seeded = mentorpost(dir.path(), Some(&pg.url)).arg("demo").output().expect("run demo");
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let sink = smtp::SmtpServer::start().await;
    let url = sink.url();
    // The demo's mail is already queued: both instances race for it from the start.
    let (dir_a, dir_b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let a = serve(dir_a.path(), Some(&pg.url), &["--smtp-url", &url]);
    let b = serve(dir_b.path(), Some(&pg.url), &["--smtp-url", &url]);

    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let mut threads = Vec::new();
    let mut tokens = Vec::new();
    for served in [&a, &b] {
        let login: serde_json::Value = client
            .post(format!("http://{}/api/v1/auth/login", served.addr))
            .json(&serde_json::json!({"email": "cagri@demo.mentorpost.localhost", "password": "mentorpost-demo"}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("login body");
        tokens.push(login["access_token"].as_str().expect("token").to_owned());
    }
    let list: serde_json::Value = client
        .get(format!("http://{}/api/v1/me/threads", a.addr))
        .bearer_auth(&tokens[0])
        .send()
        .await
        .expect("threads")
        .json()
        .await
        .expect("threads body");
    for t in list.as_array().expect("thread list") {
        threads.push(t["id"].as_str().expect("thread id").to_owned());
    }
    assert!(!threads.is_empty());
    // Posts alternate between the instances, so both have fresh work all the time.
    for i in 0..40 {
        let (served, token) = if i % 2 == 0 { (&a, &tokens[0]) } else { (&b, &tokens[1]) };
        let thread = &threads[i % threads.len()];
        let resp = client
            .post(format!("http://{}/api/v1/threads/{thread}/messages", served.addr))
            .bearer_auth(token)
            .json(&serde_json::json!({"body": format!("Bericht {i} — Łódź"), "client_msg_id": uuid::Uuid::new_v4().to_string()}))
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status(), reqwest::StatusCode::CREATED);
    }

    // Every mail due now (Henk's, mode `each`) is sent exactly once.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&pg.url).await.expect("connect");
    let expected: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'notification'").fetch_one(&pool).await.expect("count");
    assert!(expected >= 20, "{expected}");
    let mails = sink.wait_for(expected as usize, WAIT).await;
    let deadline = Instant::now() + WAIT;
    loop {
        let unsent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'notification' AND status <> 'sent'")
            .fetch_one(&pool)
            .await
            .expect("count");
        if unsent == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{unsent} notifications never marked sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ids: Vec<String> = mails.iter().map(|m| smtp::parse(m).message_id().expect("Message-ID").to_owned()).collect();
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "a mail was sent twice");
    assert_eq!(sink.mails().len() as i64, expected, "every queued mail arrived once");
    pool.close().await;
    drop((a, b));
}
