//! Live delivery against REAL `mentorpost serve` processes:
//!
//! 1. several instances on one PostgreSQL: cross-instance delivery, logins and WS
//!    tickets valid on every instance, and no loss when the `LISTEN` connection is
//!    killed (`pg_terminate_backend`);
//! 2. a crash (`kill -9`) in the middle of a stream of posts: every acknowledged post
//!    is stored and replayed after a restart, and retries with the same
//!    `client_msg_id` never duplicate;
//! 3. SIGTERM: every socket is told to resume (close code 4000), the process exits 0;
//! 4. PostgreSQL goes away under a stream of posts (every connection cut, new ones
//!    refused, as in a restart): requests fail fast with 503, the pools and listeners
//!    reconnect within seconds of its return, nothing acknowledged is lost.
//!
//! Nothing here sleeps to synchronise: every wait is on an event (a log line, a frame,
//! a process exit, a row) with a generous deadline, so a loaded machine is only slower.
//! PostgreSQL parts run when `MENTORPOST_TEST_POSTGRES_URL` is set.

mod common;

use common::{PgDb, backends, fresh_pg, postgres_admin_url};
use mentorpost_client::{Api, Live};
use mentorpost_model::api::{EventView, MessagePage, MessageView};
use mentorpost_model::ws::{ServerFrame, close};
use mentorpost_model::{EventKind, MentorshipId, ThreadId};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_mentorpost");
const PASSWORD: &str = "correct horse battery";
/// Bound for anything that should take milliseconds (a frame, a delivery) but may
/// crawl on a loaded two-core machine.
const PROMPT: Duration = Duration::from_secs(10);
/// Bound for a process to start (migrations included) or stop.
const PROCESS: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// Processes

fn mentorpost(data_dir: &Path, db: Option<&str>) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir")
        .arg(data_dir)
        .env_remove("MENTORPOST_DATABASE_URL")
        .env_remove("MENTORPOST_DATA_DIR")
        .env_remove("MENTORPOST_DEMO")
        .env_remove("MENTORPOST_JWT_SECRET")
        .env("MENTORPOST_LOG", "info,sqlx=warn,tower_http=warn")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    if let Some(url) = db {
        cmd.arg("--database-url").arg(url);
    }
    cmd
}

/// A running `mentorpost serve` (killed on drop if still alive) and its log.
struct Server {
    child: Child,
    addr: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn pid(&self) -> u32 {
        self.child.id().expect("the server is running")
    }

    /// The last lines it logged, for failure messages.
    fn log_tail(&self) -> String {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let from = log.len().saturating_sub(30);
        log[from..].join("\n")
    }

    async fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        match tokio::time::timeout(within, self.child.wait()).await {
            Ok(status) => status.expect("waiting for the server"),
            Err(_) => panic!("the server did not exit within {within:?}; its log:\n{}", self.log_tail()),
        }
    }
}

/// Starts `serve` on port 0 and waits for the "listening" line that names the port.
async fn serve(data_dir: &Path, db: Option<&str>) -> Server {
    let mut child = mentorpost(data_dir, db)
        .arg("serve")
        .arg("--http")
        .arg("127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mentorpost serve");
    let stderr = child.stderr.take().expect("stderr");
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = tokio::sync::oneshot::channel();
    let sink = log.clone();
    // Reads the log to the end, so the server never blocks on a full pipe.
    tokio::spawn(async move {
        let mut tx = Some(tx);
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("mentorpost listening")
                && let Some(rest) = line.split("addr=").nth(1)
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or_default().to_owned());
            }
            sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        }
    });
    let addr = match tokio::time::timeout(PROCESS, rx).await {
        Ok(Ok(addr)) => addr,
        _ => panic!("the server did not announce its address; its log:\n{}", log.lock().unwrap_or_else(|e| e.into_inner()).join("\n")),
    };
    Server { child, addr, log }
}

/// Sends SIGTERM.
fn terminate(pid: u32) {
    let ok = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill").success();
    assert!(ok, "SIGTERM could not be sent");
}

async fn add_user(data_dir: &Path, db: Option<&str>, email: &str, name: &str, admin: bool) {
    let mut cmd = mentorpost(data_dir, db);
    cmd.args(["user", "add", "--email", email, "--name", name, "--password", PASSWORD]);
    if admin {
        cmd.arg("--admin");
    }
    let out = tokio::time::timeout(PROCESS, cmd.output()).await.expect("user add finished in time").expect("run mentorpost user add");
    assert!(out.status.success(), "user add failed: {}", String::from_utf8_lossy(&out.stderr));
}

// ---------------------------------------------------------------------------
// PostgreSQL

/// Runs one statement on `url` and returns the rows, one a line.
fn psql(url: &str, sql: &str) -> Vec<String> {
    let out = std::process::Command::new("psql").arg(url).arg("-Atc").arg(sql).output().expect("psql");
    assert!(out.status.success(), "psql failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect()
}

/// Backend pids of the fan-out listeners connected to this test's database.
fn listener_pids(pg: &PgDb) -> Vec<String> {
    psql(
        &pg.url,
        "SELECT pid FROM pg_stat_activity \
         WHERE application_name = 'mentorpost-listener' AND datname = current_database() \
         ORDER BY pid",
    )
}

// ---------------------------------------------------------------------------
// The cast, over the HTTP API

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build().expect("http client")
}

async fn call(client: &reqwest::Client, method: reqwest::Method, url: String, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = client.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A programme with a coordinator and one active mentorship (mentor + mentee) with a
/// first thread; the mentor and mentee logged in on `base`.
struct World {
    mentorship: MentorshipId,
    thread: ThreadId,
    mentor: Api,
    mentee: Api,
}

impl World {
    async fn build(data_dir: &Path, db: Option<&str>, base: &str) -> World {
        add_user(data_dir, db, "admin@example.org", "Admin", true).await;
        add_user(data_dir, db, "coordinator@example.org", "Anneke de Vries", false).await;
        add_user(data_dir, db, "mentor@example.org", "Çağrı Yılmaz", false).await;
        add_user(data_dir, db, "mentee@example.org", "João Pereira", false).await;
        let admin = Api::login(base, "admin@example.org", PASSWORD).await.expect("admin login");
        let coordinator = Api::login(base, "coordinator@example.org", PASSWORD).await.expect("coordinator login");
        let mentor = Api::login(base, "mentor@example.org", PASSWORD).await.expect("mentor login");
        let mentee = Api::login(base, "mentee@example.org", PASSWORD).await.expect("mentee login");
        let client = http();
        let (s, p) = call(
            &client,
            reqwest::Method::POST,
            format!("{base}/api/v1/programmes"),
            &admin.access_token,
            Some(json!({"name": "Programme P", "timezone": "Europe/Amsterdam"})),
        )
        .await;
        assert_eq!(s, 201, "{p}");
        let programme = p["id"].as_str().expect("programme id").to_owned();
        let (s, b) = call(
            &client,
            reqwest::Method::POST,
            format!("{base}/api/v1/programmes/{programme}/coordinators"),
            &admin.access_token,
            Some(json!({"user_id": coordinator.user_id})),
        )
        .await;
        assert_eq!(s, 200, "{b}");
        let (s, m) = call(
            &client,
            reqwest::Method::POST,
            format!("{base}/api/v1/programmes/{programme}/mentorships"),
            &coordinator.access_token,
            Some(json!({
                "members": [
                    {"user_id": mentor.user_id, "role": "mentor"},
                    {"user_id": mentee.user_id, "role": "mentee"}
                ],
                "status": "active",
                "start_date": "2026-09-01"
            })),
        )
        .await;
        assert_eq!(s, 201, "{m}");
        let mentorship: MentorshipId = m["id"].as_str().and_then(|s| s.parse().ok()).expect("mentorship id");
        let (s, t) = call(
            &client,
            reqwest::Method::POST,
            format!("{base}/api/v1/mentorships/{mentorship}/threads"),
            &mentor.access_token,
            Some(json!({"subject": "Kennismaking: doelen voor het eerste kwartaal", "body": "Dag João, welkom!"})),
        )
        .await;
        assert_eq!(s, 201, "{t}");
        let thread: ThreadId = t["thread"]["id"].as_str().and_then(|s| s.parse().ok()).expect("thread id");
        World { mentorship, thread, mentor, mentee }
    }
}

/// The same login, talking to another instance (or a restarted one).
fn on(api: &Api, base: &str) -> Api {
    Api { base: base.to_owned(), ..api.clone() }
}

/// Every message of a thread, oldest first.
async fn all_messages(api: &Api, thread: ThreadId) -> Vec<MessageView> {
    let client = http();
    let mut out: Vec<MessageView> = Vec::new();
    let mut after = 0;
    loop {
        let (s, page) = call(
            &client,
            reqwest::Method::GET,
            format!("{}/api/v1/threads/{thread}/messages?after={after}&limit=200", api.base),
            &api.access_token,
            None,
        )
        .await;
        assert_eq!(s, 200, "{page}");
        let page: MessagePage = serde_json::from_value(page).expect("a message page");
        let n = page.messages.len();
        if let Some(last) = page.messages.last() {
            after = last.seq;
        }
        out.extend(page.messages);
        if n < 200 {
            return out;
        }
    }
}

// ---------------------------------------------------------------------------
// Live sockets

fn ws_url(base: &str, ticket: &str) -> String {
    format!("{}/api/v1/ws?ticket={ticket}", base.replacen("http://", "ws://", 1))
}

/// The next frame within `within`; panics on a timeout or a closed socket.
async fn frame_within(live: &mut Live, within: Duration, what: &str) -> ServerFrame {
    match tokio::time::timeout(within, live.next_frame()).await {
        Ok(Ok(Some(frame))) => frame,
        Ok(Ok(None)) => panic!("{what}: the socket closed: {:?}", live.closed),
        Ok(Err(err)) => panic!("{what}: {err:#}"),
        Err(_) => panic!("{what}: nothing arrived within {within:?}"),
    }
}

/// Reads the replay up to `live` and returns the replayed events.
async fn until_live(live: &mut Live) -> Vec<EventView> {
    let mut replayed = Vec::new();
    loop {
        match frame_within(live, PROMPT * 3, "waiting for live").await {
            ServerFrame::Live { .. } => return replayed,
            ServerFrame::Event { event } => replayed.push(event),
            other => panic!("unexpected frame before live: {other:?}"),
        }
    }
}

/// Opens a socket with a fresh ticket (from `api`, at `base`), says hello with
/// `cursors`, and reads up to `live`.
async fn open_live(api: &Api, base: &str, cursors: BTreeMap<MentorshipId, i64>) -> (Live, Vec<EventView>) {
    let ticket = api.ws_ticket().await.expect("a ticket");
    let mut live = Live::connect_url(&ws_url(base, &ticket), cursors).await.expect("socket opens");
    tokio::time::timeout(PROMPT * 3, live.hello()).await.expect("hello in time").expect("hello");
    let replayed = until_live(&mut live).await;
    (live, replayed)
}

fn message_of(event: &EventView) -> Option<(String, Option<String>)> {
    (event.kind == EventKind::MessageCreated).then(|| {
        (
            event.data["message"]["id"].as_str().unwrap_or_default().to_owned(),
            event.data["message"]["client_msg_id"].as_str().map(str::to_owned),
        )
    })
}

/// Reads events until `expected` message ids have arrived, within `within` overall,
/// and checks they came exactly in that order, without anything in between, with
/// consecutive sequence numbers.
async fn expect_messages(live: &mut Live, expected: &[String], within: Duration, what: &str) {
    let deadline = Instant::now() + within;
    let mut got: Vec<String> = Vec::new();
    let mut last_seq: Option<i64> = None;
    while got.len() < expected.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        let frame = match tokio::time::timeout(left, live.next_frame()).await {
            Ok(Ok(Some(frame))) => frame,
            Ok(Ok(None)) => panic!("{what}: the socket closed: {:?}", live.closed),
            Ok(Err(err)) => panic!("{what}: {err:#}"),
            Err(_) => panic!("{what}: after {within:?} only {} of {} messages arrived", got.len(), expected.len()),
        };
        let ServerFrame::Event { event } = frame else {
            panic!("{what}: unexpected frame {frame:?}");
        };
        if let Some(prev) = last_seq {
            assert_eq!(event.seq, prev + 1, "{what}: sequence numbers are consecutive");
        }
        last_seq = Some(event.seq);
        let (id, _) = message_of(&event).unwrap_or_else(|| panic!("{what}: unexpected event {:?}", event.kind));
        got.push(id);
        assert_eq!(got[..], expected[..got.len()], "{what}: messages arrive once each, in order");
    }
}

// ---------------------------------------------------------------------------
// 1. Several instances on one PostgreSQL

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_share_logins_and_live_delivery_and_survive_a_lost_listener() {
    let Some(admin) = postgres_admin_url() else {
        eprintln!("PostgreSQL suite skipped: set MENTORPOST_TEST_POSTGRES_URL to run it");
        return;
    };
    let pg = fresh_pg(&admin, "inst");
    let dir_a = tempfile::tempdir().expect("tmp");
    let dir_b = tempfile::tempdir().expect("tmp");
    let db = Some(pg.url.as_str());
    // The first CLI call migrates and stores the signing secret every instance shares.
    let world_setup = async {
        // Users are created through A's data dir; the database is what counts.
        let a = serve(dir_a.path(), db).await;
        let world = World::build(dir_a.path(), db, &a.base()).await;
        (a, world)
    };
    let (a, world) = world_setup.await;
    let b = serve(dir_b.path(), db).await;
    assert_ne!(a.addr, b.addr);

    // A login obtained from A works on B.
    let mentee_on_b = on(&world.mentee, &b.base());
    let (s, me) = call(&http(), reqwest::Method::GET, format!("{}/api/v1/me", b.base()), &world.mentee.access_token, None).await;
    assert_eq!(s, 200, "an access token from A is valid on B: {me}");
    assert_eq!(me["id"], json!(world.mentee.user_id));
    mentee_on_b.ws_ticket().await.expect("B issues a ticket for A's login");

    // A ticket obtained from A opens a socket on B.
    let (mut on_b, _) = open_live(&world.mentee, &b.base(), BTreeMap::new()).await;
    assert!(
        on_b.subscriptions.iter().any(|s| s.mentorship_id == world.mentorship),
        "the socket on B is subscribed to the mentorship: {:?}",
        on_b.subscriptions
    );
    // A live client on A.
    let (mut on_a, _) = open_live(&world.mentee, &a.base(), BTreeMap::new()).await;

    // Posted through B, delivered on A.
    let mentor_b = on(&world.mentor, &b.base());
    let started = Instant::now();
    let (s, via_b) = mentor_b.post_message(world.thread, "Posted through B", "inst-b-1").await.expect("post through B");
    assert_eq!(s, 201);
    expect_messages(&mut on_a, std::slice::from_ref(&via_b.id.to_string()), PROMPT, "B → A").await;
    eprintln!("timing: B → A delivery {:?}", started.elapsed());
    // Posted through A, delivered on the socket B opened with A's ticket.
    let started = Instant::now();
    let (s, via_a) = world.mentor.post_message(world.thread, "Posted through A", "inst-a-1").await.expect("post through A");
    assert_eq!(s, 201);
    expect_messages(&mut on_b, &[via_b.id.to_string(), via_a.id.to_string()], PROMPT, "A → B").await;
    eprintln!("timing: A → B delivery {:?}", started.elapsed());
    expect_messages(&mut on_a, std::slice::from_ref(&via_a.id.to_string()), PROMPT, "A local").await;

    // Kill every listener connection (A's and B's), then post through B at once.
    let before = listener_pids(&pg);
    assert_eq!(before.len(), 2, "one listener per instance: {before:?}\nA:\n{}\nB:\n{}", a.log_tail(), b.log_tail());
    // The pids are selected first (materialised), so pg_terminate_backend can only ever
    // see those: in a WHERE clause, PostgreSQL may call it on every backend.
    let killed = psql(
        &pg.url,
        "WITH l AS MATERIALIZED (SELECT pid FROM pg_stat_activity \
         WHERE application_name = 'mentorpost-listener' AND datname = current_database()) \
         SELECT pg_terminate_backend(pid) FROM l",
    );
    assert_eq!(killed, ["t", "t"], "both listener backends terminated");
    let started = Instant::now();
    let mut posted = Vec::new();
    for i in 0..20 {
        let (s, m) = mentor_b
            .post_message(world.thread, &format!("After the listener died: {i}"), &format!("inst-after-{i}"))
            .await
            .expect("post through B");
        assert_eq!(s, 201);
        posted.push(m.id.to_string());
    }
    // A sentinel last: anything duplicated or out of order shows before it.
    let (_, sentinel) = mentor_b.post_message(world.thread, "sentinel", "inst-sentinel").await.expect("post through B");
    posted.push(sentinel.id.to_string());
    // Below the 30 s periodic resync: recovery must come from the reconnect itself.
    expect_messages(&mut on_a, &posted, Duration::from_secs(15), &format!("after the listener was killed (A's log:\n{})", a.log_tail()))
        .await;
    eprintln!("timing: 21 posts through B and their delivery on A after the listener kill: {:?}", started.elapsed());
    expect_messages(&mut on_b, &posted, PROMPT, "B local after the kill").await;

    // Both listeners are back (new backends), and signals flow again.
    let deadline = Instant::now() + PROCESS;
    let after = loop {
        let now = listener_pids(&pg);
        if now.len() == 2 && now.iter().all(|p| !before.contains(p)) {
            break now;
        }
        assert!(Instant::now() < deadline, "the listeners did not come back: {now:?}\nA:\n{}", a.log_tail());
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!("listeners {before:?} replaced by {after:?}");
    let started = Instant::now();
    let (_, again) = mentor_b.post_message(world.thread, "Signals flow again", "inst-again").await.expect("post through B");
    expect_messages(&mut on_a, std::slice::from_ref(&again.id.to_string()), PROMPT, "B → A after the reconnect").await;
    eprintln!("timing: B → A after the reconnect {:?}", started.elapsed());
    drop((a, b));
}

// ---------------------------------------------------------------------------
// 2. kill -9 in the middle of a stream of posts

#[derive(Debug)]
struct Attempt {
    author: usize,
    client_msg_id: String,
    body: String,
    /// The status and message id of a 2xx answer; `None` for anything else.
    acked: Option<(u16, String)>,
    error: Option<String>,
    finished: Instant,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_posts_survive_a_crash_and_retries_never_duplicate() {
    for pg in backends("crash") {
        let backend = if pg.is_some() { "postgres" } else { "sqlite" };
        let dir = tempfile::tempdir().expect("tmp");
        let db = pg.as_ref().map(|p| p.url.as_str());
        let mut server = serve(dir.path(), db).await;
        let world = World::build(dir.path(), db, &server.base()).await;
        let authors = [world.mentor.clone(), world.mentee.clone()];

        const TASKS: usize = 4;
        const ACKED_BEFORE_KILL: usize = 60;
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(AtomicUsize::new(0));
        let progress = Arc::new(tokio::sync::Notify::new());
        let mut tasks = Vec::new();
        for task in 0..TASKS {
            let author = task % 2;
            let api = authors[author].clone();
            let (stop, acked, progress) = (stop.clone(), acked.clone(), progress.clone());
            let thread = world.thread;
            tasks.push(tokio::spawn(async move {
                let mut attempts = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    let client_msg_id = format!("crash-{task}-{i}");
                    let body = format!("Bericht {i} van taak {task}: één stap verder ✓");
                    let result = tokio::time::timeout(Duration::from_secs(60), api.post_message(thread, &body, &client_msg_id)).await;
                    let (ok, error) = match result {
                        Ok(Ok((status, m))) => (Some((status, m.id.to_string())), None),
                        Ok(Err(err)) => (None, Some(format!("{err:#}"))),
                        Err(_) => (None, Some("timed out".to_owned())),
                    };
                    if ok.is_some() {
                        acked.fetch_add(1, Ordering::SeqCst);
                        progress.notify_one();
                    }
                    attempts.push(Attempt { author, client_msg_id, body, acked: ok, error, finished: Instant::now() });
                    i += 1;
                }
                attempts
            }));
        }
        // Wait for the stream to be well under way, then kill -9.
        let deadline = Instant::now() + Duration::from_secs(180);
        while acked.load(Ordering::SeqCst) < ACKED_BEFORE_KILL {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                tokio::time::timeout(left, progress.notified()).await.is_ok() || acked.load(Ordering::SeqCst) >= ACKED_BEFORE_KILL,
                "{backend}: posting stalled at {} acknowledged posts; log:\n{}",
                acked.load(Ordering::SeqCst),
                server.log_tail()
            );
        }
        let killed_at = Instant::now();
        server.child.start_kill().expect("kill -9");
        // Requests in flight stay in flight; no new ones start against a dead port.
        stop.store(true, Ordering::SeqCst);
        let status = server.wait_exit(PROCESS).await;
        assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9), "{backend}: the server died of SIGKILL");
        let mut attempts: Vec<Attempt> = Vec::new();
        for task in tasks {
            attempts.extend(task.await.expect("posting task"));
        }
        let acked_posts: Vec<&Attempt> = attempts.iter().filter(|a| a.acked.is_some()).collect();
        let unacked: Vec<&Attempt> = attempts.iter().filter(|a| a.acked.is_none()).collect();
        for a in &acked_posts {
            assert_eq!(a.acked.as_ref().map(|(s, _)| *s), Some(201), "{a:?}");
        }
        // Before the kill, every post succeeded: failures are the crash's only.
        for a in &unacked {
            assert!(a.finished >= killed_at, "{backend}: a post failed before the crash: {a:?}");
        }
        eprintln!(
            "{backend}: {} posts acknowledged, {} unanswered when the server was killed (e.g. {:?})",
            acked_posts.len(),
            unacked.len(),
            unacked.first().and_then(|a| a.error.as_deref())
        );

        // Restart on the same data (a new port).
        let started = Instant::now();
        let server = serve(dir.path(), db).await;
        eprintln!("timing: {backend} restart after kill -9 {:?}", started.elapsed());
        let base = server.base();
        let authors = [on(&authors[0], &base), on(&authors[1], &base)];

        // Every acknowledged post is stored…
        let stored = all_messages(&authors[0], world.thread).await;
        let stored_ids: HashMap<String, &MessageView> = stored.iter().filter_map(|m| m.client_msg_id.clone().map(|c| (c, m))).collect();
        for a in &acked_posts {
            let m =
                stored_ids.get(&a.client_msg_id).unwrap_or_else(|| panic!("{backend}: an acknowledged post was lost in the crash: {a:?}"));
            assert_eq!(m.body, a.body);
            assert_eq!(Some(m.id.to_string()), a.acked.as_ref().map(|(_, id)| id.clone()));
        }
        // …and replayed to a socket resuming from 0, once each, in order.
        let (mut live, replayed) = open_live(&authors[1], &base, [(world.mentorship, 0)].into_iter().collect()).await;
        for (i, e) in replayed.iter().enumerate() {
            assert_eq!(e.seq, i as i64 + 1, "{backend}: the replay starts at 1, gapless");
        }
        let replayed_ids: Vec<String> = replayed.iter().filter_map(message_of).filter_map(|(_, c)| c).collect();
        let replayed_set: HashSet<&String> = replayed_ids.iter().collect();
        assert_eq!(replayed_set.len(), replayed_ids.len(), "{backend}: no duplicates");
        for a in &acked_posts {
            assert!(replayed_set.contains(&a.client_msg_id), "{backend}: an acknowledged post was not replayed: {a:?}");
        }
        assert_eq!(replayed_ids.len(), stored_ids.len(), "{backend}: replay = store");

        // Retry every unanswered post and every third acknowledged one.
        let mut created_by_retry = Vec::new();
        let retried = unacked.iter().chain(acked_posts.iter().step_by(3)).copied().collect::<Vec<&Attempt>>();
        for a in &retried {
            let (status, m) = authors[a.author]
                .post_message(world.thread, &a.body, &a.client_msg_id)
                .await
                .unwrap_or_else(|e| panic!("{backend}: retry of {a:?} failed: {e:#}"));
            match stored_ids.get(&a.client_msg_id) {
                Some(before) => {
                    assert_eq!(status, 200, "{backend}: a stored post is answered, not redone");
                    assert_eq!(m.id, before.id);
                }
                None => {
                    assert_eq!(status, 201, "{backend}: an unstored post is created");
                    created_by_retry.push(m.id.to_string());
                }
            }
        }
        // The resumed socket sees exactly the posts the retries created.
        expect_messages(&mut live, &created_by_retry, PROMPT, "retries live").await;

        // Each client_msg_id once, nothing else besides the thread's first message.
        let finally = all_messages(&authors[0], world.thread).await;
        let mut counts: HashMap<Option<String>, usize> = HashMap::new();
        for m in &finally {
            *counts.entry(m.client_msg_id.clone()).or_default() += 1;
        }
        for a in &attempts {
            assert_eq!(counts.get(&Some(a.client_msg_id.clone())), Some(&1), "{backend}: {} is stored exactly once", a.client_msg_id);
        }
        assert_eq!(finally.len(), attempts.len() + 1, "{backend}: every attempt once, plus the thread's first message");
        eprintln!(
            "{backend}: {} retried ({} created by the retry); {} messages in the end",
            retried.len(),
            created_by_retry.len(),
            finally.len()
        );
        drop(server);
    }
}

// ---------------------------------------------------------------------------
// 3. SIGTERM

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_tells_every_socket_to_resume_and_exits_cleanly() {
    for pg in backends("term") {
        let backend = if pg.is_some() { "postgres" } else { "sqlite" };
        let dir = tempfile::tempdir().expect("tmp");
        let db = pg.as_ref().map(|p| p.url.as_str());
        let mut server = serve(dir.path(), db).await;
        let world = World::build(dir.path(), db, &server.base()).await;
        let base = server.base();

        let mut sockets = Vec::new();
        for i in 0..5 {
            let who = if i % 2 == 0 { &world.mentor } else { &world.mentee };
            let (live, _) = open_live(who, &base, BTreeMap::new()).await;
            sockets.push((format!("streaming socket {i}"), live));
        }
        // A socket that has its ticket but has not said hello yet.
        let ticket = world.mentee.ws_ticket().await.expect("ticket");
        let waiting = Live::connect_url(&ws_url(&base, &ticket), BTreeMap::new()).await.expect("socket opens");
        sockets.push(("socket before hello".to_owned(), waiting));
        // A socket that has not authenticated yet (no ticket, no auth frame).
        let unauthenticated =
            Live::connect_url(&format!("{}/api/v1/ws", base.replacen("http://", "ws://", 1)), BTreeMap::new()).await.expect("socket opens");
        sockets.push(("socket before auth".to_owned(), unauthenticated));
        // Live traffic right before the signal, so the streams are busy.
        let (_, m) = world.mentor.post_message(world.thread, "Just before the restart", "term-1").await.expect("post");
        for (name, live) in sockets.iter_mut().take(5) {
            expect_messages(live, std::slice::from_ref(&m.id.to_string()), PROMPT, name).await;
        }

        let started = Instant::now();
        terminate(server.pid());
        for (name, live) in &mut sockets {
            loop {
                match tokio::time::timeout(Duration::from_secs(30), live.next_frame()).await {
                    Ok(Ok(Some(frame))) => {
                        assert!(
                            matches!(frame, ServerFrame::Error { .. }),
                            "{backend}: {name}: unexpected frame while stopping: {frame:?}"
                        );
                    }
                    Ok(Ok(None)) => break,
                    Ok(Err(err)) => panic!("{backend}: {name}: {err:#}"),
                    Err(_) => panic!("{backend}: {name}: not closed within 30 s of SIGTERM; log:\n{}", server.log_tail()),
                }
            }
            assert_eq!(
                live.closed.as_ref().and_then(|c| c.code),
                Some(close::RESUME),
                "{backend}: {name} is told to reconnect and resume: {:?}",
                live.closed
            );
        }
        let closed_after = started.elapsed();
        let status = server.wait_exit(PROCESS).await;
        assert_eq!(status.code(), Some(0), "{backend}: SIGTERM ends the server with exit code 0; log:\n{}", server.log_tail());
        eprintln!("timing: {backend} SIGTERM → all 7 sockets closed {closed_after:?}, exit {:?}", started.elapsed());
    }
}

// ---------------------------------------------------------------------------
// 4. PostgreSQL restarts under load

/// A TCP proxy in front of PostgreSQL that can play a restart: [`PgProxy::stop`] cuts
/// every connection and closes the port (new connections are refused, as while the
/// server is down); [`PgProxy::start`] opens the same port again.
struct PgProxy {
    addr: std::net::SocketAddr,
    upstream: String,
    accept: Option<tokio::task::JoinHandle<()>>,
    conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl PgProxy {
    async fn new(upstream: String) -> PgProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let mut proxy = PgProxy { addr, upstream, accept: None, conns: Arc::default() };
        proxy.serve(listener);
        proxy
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let (upstream, conns) = (self.upstream.clone(), self.conns.clone());
        self.accept = Some(tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                conns.lock().unwrap_or_else(|e| e.into_inner()).push(task.abort_handle());
            }
        }));
    }

    /// Every connection cut, the port closed.
    fn stop(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
        }
        for conn in self.conns.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            conn.abort();
        }
    }

    /// The same port open again.
    async fn start(&mut self) {
        let deadline = Instant::now() + PROMPT;
        let listener = loop {
            // The aborted accept task may take a moment to drop the old socket.
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(err) => assert!(Instant::now() < deadline, "cannot reopen the proxy's port: {err}"),
            }
            tokio::task::yield_now().await;
        };
        self.serve(listener);
    }
}

/// One POST of the stream and how it went.
#[derive(Debug)]
struct Post {
    client_msg_id: String,
    status: u16,
    code: String,
    message_id: Option<String>,
    took: Duration,
    finished: Instant,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_restarting_under_load_fails_fast_and_recovers() {
    let Some(admin) = postgres_admin_url() else {
        eprintln!("PostgreSQL suite skipped: set MENTORPOST_TEST_POSTGRES_URL to run it");
        return;
    };
    let pg = fresh_pg(&admin, "restart");
    let direct = url::Url::parse(&pg.url).expect("a URL");
    let upstream = format!("{}:{}", direct.host_str().unwrap_or("127.0.0.1"), direct.port().unwrap_or(5432));
    let mut proxy = PgProxy::new(upstream).await;
    let mut proxied = direct.clone();
    proxied.set_host(Some("127.0.0.1")).expect("host");
    proxied.set_port(Some(proxy.addr.port())).expect("port");
    let db = Some(proxied.as_str());
    let (dir_a, dir_b) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let a = serve(dir_a.path(), db).await;
    let world = World::build(dir_a.path(), db, &a.base()).await;
    let b = serve(dir_b.path(), db).await;
    let (mut on_a, _) = open_live(&world.mentee, &a.base(), BTreeMap::new()).await;

    // A stream of posts on A, one after another, each with its own client id.
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(tokio::sync::Notify::new());
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build().expect("client");
    let stream = {
        let (stop, answered, client) = (stop.clone(), answered.clone(), client.clone());
        let (url, token) = (format!("{}/api/v1/threads/{}/messages", a.base(), world.thread), world.mentor.access_token.clone());
        tokio::spawn(async move {
            let mut posts: Vec<Post> = Vec::new();
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                let client_msg_id = format!("restart-{i}");
                let started = Instant::now();
                let (status, body) = call(
                    &client,
                    reqwest::Method::POST,
                    url.clone(),
                    &token,
                    Some(json!({"body": format!("Bericht {i}: de draad gaat door"), "client_msg_id": client_msg_id})),
                )
                .await;
                posts.push(Post {
                    client_msg_id,
                    status,
                    code: body["error"]["code"].as_str().unwrap_or_default().to_owned(),
                    message_id: body["id"].as_str().map(str::to_owned),
                    took: started.elapsed(),
                    finished: Instant::now(),
                });
                answered.notify_one();
                i += 1;
            }
            posts
        })
    };
    let wait_answer = || async {
        tokio::time::timeout(Duration::from_secs(30), answered.notified()).await.expect("the stream of posts stalled");
    };
    for _ in 0..20 {
        wait_answer().await;
    }

    // PostgreSQL "restarts": down for two seconds.
    let down_at = Instant::now();
    proxy.stop();
    for _ in 0..3 {
        wait_answer().await;
    }
    let down_for = Duration::from_secs(2).saturating_sub(down_at.elapsed());
    tokio::time::sleep(down_for).await;
    proxy.start().await;
    let up_at = Instant::now();

    // Posting works again on A within seconds…
    let deadline = up_at + Duration::from_secs(20);
    let mut probes = 0;
    let recovered_after = loop {
        probes += 1;
        if let Ok((201, _)) = world.mentor.post_message(world.thread, "Na de herstart", &format!("restart-probe-{probes}")).await {
            break up_at.elapsed();
        }
        assert!(Instant::now() < deadline, "A does not write again 20 s after PostgreSQL came back; log:\n{}", a.log_tail());
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // …and what is posted on B reaches A's socket: B's pool and A's listener are back.
    let mentor_b = on(&world.mentor, &b.base());
    let via_b = loop {
        match mentor_b.post_message(world.thread, "Via B na de herstart", "restart-via-b").await {
            Ok((_, m)) => break m,
            Err(err) => assert!(Instant::now() < deadline, "B does not write again: {err:#}; log:\n{}", b.log_tail()),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let via_b_posted = Instant::now();
    stop.store(true, Ordering::SeqCst);
    let posts = stream.await.expect("the stream of posts");

    // Fail fast: every answer came within a few seconds, and every failure is a 503
    // that says the database is unreachable.
    let slowest = posts.iter().map(|p| p.took).max().unwrap_or_default();
    assert!(slowest < Duration::from_secs(8), "a request hung for {slowest:?}: {:?}", posts.iter().max_by_key(|p| p.took));
    let failed: Vec<&Post> = posts.iter().filter(|p| p.status != 201).collect();
    assert!(!failed.is_empty(), "the outage was felt: some posts failed while PostgreSQL was down");
    for p in &failed {
        assert_eq!((p.status, p.code.as_str()), (503, "unavailable"), "{p:?}");
        assert!(p.finished >= down_at, "a post failed before the outage: {p:?}");
    }
    let acked: Vec<&Post> = posts.iter().filter(|p| p.status == 201).collect();
    eprintln!(
        "timing: {} posts, {} acknowledged, {} answered 503 (slowest answer {slowest:?}); A writes again {recovered_after:?} after PostgreSQL returned",
        posts.len(),
        acked.len(),
        failed.len()
    );

    // Nothing acknowledged is lost, and each post is stored at most once.
    let stored = all_messages(&world.mentee, world.thread).await;
    let by_client: HashMap<String, usize> = stored.iter().filter_map(|m| m.client_msg_id.clone()).fold(HashMap::new(), |mut n, c| {
        *n.entry(c).or_default() += 1;
        n
    });
    for p in &acked {
        assert_eq!(by_client.get(&p.client_msg_id), Some(&1), "an acknowledged post is stored exactly once: {p:?}");
    }
    // A retry of every post that failed is answered, once: created or found.
    for p in &failed {
        let (status, _) = world.mentor.post_message(world.thread, "retry", &p.client_msg_id).await.expect("a retry is answered");
        assert!(status == 200 || status == 201, "{p:?}: {status}");
    }

    // A's socket saw B's post (through the re-established listener) and every post
    // acknowledged on A.
    let mut expected: HashSet<String> = acked.iter().filter_map(|p| p.message_id.clone()).collect();
    expected.insert(via_b.id.to_string());
    let deadline = via_b_posted + Duration::from_secs(15);
    let mut got_via_b = None;
    while !expected.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, on_a.next_frame()).await {
            Ok(Ok(Some(ServerFrame::Event { event }))) => {
                if let Some((id, _)) = message_of(&event) {
                    if id == via_b.id.to_string() {
                        got_via_b = Some(via_b_posted.elapsed());
                    }
                    expected.remove(&id);
                }
            }
            Ok(Ok(Some(_))) => {}
            Ok(Ok(None)) => panic!("A's socket closed: {:?}", on_a.closed),
            Ok(Err(err)) => panic!("A's socket: {err:#}"),
            Err(_) => panic!(
                "{} posts never reached A's socket (B's among them: {}); A's log:\n{}",
                expected.len(),
                expected.contains(&via_b.id.to_string()),
                a.log_tail()
            ),
        }
    }
    eprintln!("timing: B → A after the restart {got_via_b:?}");
    drop((a, b));
}
