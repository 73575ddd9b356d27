//! Stopping without losing requests: once told to stop (the harness cancels the same
//! token SIGTERM does), the server keeps serving for its drain period — `/readyz`
//! answers 503 and every response closes its connection — and stops early once every
//! connection has closed. Spoken over raw keep-alive TCP connections, so the test
//! controls exactly when each request is written.

use mentorpost_tests::{Backend, TestServer};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Long enough that only the early end (every connection closed) can finish the
/// drain within the test's bounds.
const DRAIN: Duration = Duration::from_secs(120);
const WAIT: Duration = Duration::from_secs(60);
const CLIENTS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite() {
    let app = TestServer::start_with(Backend::Sqlite, |c| c.drain = DRAIN).await.expect("sqlite server");
    keep_alive_requests_written_at_the_stop_are_all_answered(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres() {
    match TestServer::start_with(Backend::Postgres, |c| c.drain = DRAIN).await {
        Some(app) => keep_alive_requests_written_at_the_stop_are_all_answered(app).await,
        None => eprintln!("PostgreSQL suite skipped: set {} to run it", mentorpost_tests::PG_ENV),
    }
}

/// One HTTP/1.1 response, read completely.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Answer {
    fn closes(&self) -> bool {
        self.headers.iter().any(|(k, v)| k == "connection" && v.eq_ignore_ascii_case("close"))
    }
}

/// Writes one request on `conn` and reads its whole response (Content-Length framed,
/// as every response of this server is).
async fn exchange(conn: &mut TcpStream, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> anyhow::Result<Answer> {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token.map(|t| format!("authorization: Bearer {t}\r\n")).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: mentorpost.test\r\n{auth}content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(request.as_bytes()).await?;
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = conn.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "the connection closed before a response ({} bytes)", buf.len());
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buf[..head_end].to_vec())?;
    let mut lines = head.split("\r\n");
    let status: u16 =
        lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).ok_or_else(|| anyhow::anyhow!("{head}"))?;
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned())).collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no content-length: {head}"))?;
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = vec![0u8; length - body.len()];
        let n = conn.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "the connection closed in the middle of the body");
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Answer { status, headers, body: serde_json::from_slice(&body).unwrap_or(Value::Null) })
}

async fn connect(app: &TestServer) -> TcpStream {
    let addr = app.base.trim_start_matches("http://");
    TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("connect to {addr}: {e}"))
}

/// Reads until the server closes the connection (nothing else may arrive).
async fn expect_closed(conn: &mut TcpStream, what: &str) {
    let mut rest = Vec::new();
    let read = tokio::time::timeout(WAIT, conn.read_to_end(&mut rest)).await;
    assert!(matches!(read, Ok(Ok(_))), "{what}: the server closes the connection cleanly: {read:?}");
    assert!(rest.is_empty(), "{what}: nothing after the response");
}

async fn keep_alive_requests_written_at_the_stop_are_all_answered(app: TestServer) {
    app.create_user("ingrid@example.org", "Ingrid Wiśniewska-Öztürk", Some(mentorpost_tests::world::PASSWORD), false).await;
    let mut conn = connect(&app).await;
    let login = exchange(
        &mut conn,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({"email": "ingrid@example.org", "password": mentorpost_tests::world::PASSWORD})),
    )
    .await
    .expect("login");
    assert_eq!(login.status, 200, "{}", login.body);
    let token = login.body["access_token"].as_str().expect("access token").to_owned();
    drop(conn);

    // Fifty keep-alive connections, each with one answered request, now idle.
    let mut conns = Vec::new();
    for _ in 0..CLIENTS {
        let mut conn = connect(&app).await;
        let me = exchange(&mut conn, "GET", "/api/v1/me", Some(&token), None).await.expect("first request");
        assert_eq!((me.status, me.closes()), (200, false), "{}", me.body);
        conns.push(conn);
    }

    // One more idle connection asks for readiness during the drain; it also keeps the
    // drain going, which would end once every connection has closed.
    let mut observer = connect(&app).await;
    let ready = exchange(&mut observer, "GET", "/readyz", None, None).await.expect("readyz");
    assert_eq!((ready.status, ready.closes()), (200, false), "{}", ready.body);

    // The stop, and at the same moment a request on every idle connection.
    let stop_at = Instant::now();
    app.begin_stop();
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|mut conn| {
            let token = token.clone();
            tokio::spawn(async move {
                let answer = tokio::time::timeout(WAIT, exchange(&mut conn, "GET", "/api/v1/me", Some(&token), None)).await;
                (conn, answer)
            })
        })
        .collect();
    let mut still_open = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        let (conn, answer) = task.await.expect("client task");
        let answer = answer.unwrap_or_else(|_| panic!("client {i}: no answer in time")).unwrap_or_else(|e| panic!("client {i}: {e:#}"));
        assert_eq!(answer.status, 200, "client {i}: {}", answer.body);
        assert_eq!(answer.body["email"], "ingrid@example.org", "client {i}: a complete response");
        still_open.push((conn, answer.closes()));
    }

    // Draining: not ready any more, yet answering, and every response closes its connection.
    for (i, (mut conn, closed)) in still_open.into_iter().enumerate() {
        if !closed {
            let me = exchange(&mut conn, "GET", "/api/v1/me", Some(&token), None).await.expect("a request during the drain");
            assert_eq!(me.status, 200, "client {i}: {}", me.body);
            assert!(me.closes(), "client {i}: responses during the drain close their connection");
        }
        expect_closed(&mut conn, &format!("client {i}")).await;
    }
    let ready = exchange(&mut observer, "GET", "/readyz", None, None).await.expect("readyz while draining");
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert_eq!(ready.body["error"]["code"], "unavailable");
    assert!(ready.closes(), "the readiness answer closes its connection");
    expect_closed(&mut observer, "readyz").await;

    // Every connection is closed: the drain ends early and the server stops.
    tokio::time::timeout(WAIT, app.stop()).await.expect("the server stops once every connection has closed");
    assert!(stop_at.elapsed() < DRAIN, "the drain ended early ({:?})", stop_at.elapsed());
}
