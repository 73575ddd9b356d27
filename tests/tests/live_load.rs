//! Live delivery under load, on both backends:
//!
//! * a reader that stops reading is evicted with close code 4000 (RESUME) without
//!   slowing anyone else down or making the server's memory grow, and finds the 4000
//!   close frame when it reads again;
//! * a reader that stops reading during its replay is evicted just the same, and does
//!   not hold up the server's shutdown;
//! * clients that drop their sockets at random moments and resume from their cursors
//!   while writers post end up with every event of their mentorships exactly once, in
//!   order.
//!
//! The scenarios are heavy, so they run one at a time (the server runs in this
//! process, which also makes the memory measurement meaningful).

use futures_util::StreamExt;
use mentorpost_client::{Api, Live};
use mentorpost_model::api::MessageView;
use mentorpost_model::ws::{ClientFrame, PROTOCOL_VERSION, ServerFrame, close};
use mentorpost_model::{MentorshipId, ThreadId};
use mentorpost_tests::world::{Person, person};
use mentorpost_tests::{TestServer, both_backends};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

both_backends!(
    slow_reader_is_evicted_and_the_rest_get_everything,
    reader_stalled_in_its_replay_is_evicted_and_does_not_block_shutdown,
    random_reconnects_lose_and_duplicate_nothing
);

/// The scenarios run one after another, not side by side on a 2-core machine.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Generous bound for anything that should take a moment.
const WAIT: Duration = Duration::from_secs(60);

type Targets = watch::Receiver<Option<BTreeMap<MentorshipId, i64>>>;

// ---------------------------------------------------------------------------------
// Set-up helpers

/// A programme with its coordinator.
struct Programme {
    coordinator: Person,
    id: String,
}

async fn programme(app: &TestServer) -> Programme {
    let admin = person(app, "admin@example.org", "Admin", true).await;
    let coordinator = person(app, "coordinator@example.org", "Anneke de Vries", false).await;
    let (s, p) = app.post("/api/v1/programmes", &admin.token, json!({"name": "Load programme"})).await;
    assert_eq!(s, 201, "{p}");
    let id = p["id"].as_str().expect("programme id").to_owned();
    let (s, b) = app.post(&format!("/api/v1/programmes/{id}/coordinators"), &admin.token, json!({"user_id": coordinator.id})).await;
    assert_eq!(s, 200, "{b}");
    Programme { coordinator, id }
}

/// `n` people named `{prefix}{i}`, created and logged in a few at a time.
async fn people(app: &TestServer, prefix: &str, n: usize) -> Vec<Person> {
    futures_util::stream::iter(0..n)
        .map(|i| async move { person(app, &format!("{prefix}{i}@example.org"), &format!("Person {prefix} {i}"), false).await })
        .buffered(4)
        .collect()
        .await
}

/// An active mentorship with a first thread started by the mentor.
async fn mentorship(app: &TestServer, p: &Programme, mentor: &Person, mentees: &[&Person]) -> (MentorshipId, ThreadId) {
    let mut members = vec![json!({"user_id": mentor.id, "role": "mentor"})];
    members.extend(mentees.iter().map(|m| json!({"user_id": m.id, "role": "mentee"})));
    let (s, m) = app
        .post(&format!("/api/v1/programmes/{}/mentorships", p.id), &p.coordinator.token, json!({"members": members, "status": "active"}))
        .await;
    assert_eq!(s, 201, "{m}");
    let mentorship: MentorshipId = m["id"].as_str().expect("mentorship id").parse().expect("mentorship id");
    let (s, t) = app
        .post(
            &format!("/api/v1/mentorships/{mentorship}/threads"),
            &mentor.token,
            json!({"subject": "Weekly check-in", "body": "Welcome!"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    (mentorship, t["thread"]["id"].as_str().expect("thread id").parse().expect("thread id"))
}

fn api(app: &TestServer, p: &Person) -> Api {
    Api { base: app.base.clone(), http: app.client.clone(), access_token: p.token.clone(), refresh_token: p.refresh.clone(), user_id: p.id }
}

/// The mentorship's latest sequence number, as the REST API reports it.
async fn last_seq(app: &TestServer, member: &Person, mentorship: MentorshipId) -> i64 {
    let (s, page) = app.get(&format!("/api/v1/mentorships/{mentorship}/events?limit=1"), &member.token).await;
    assert_eq!(s, 200, "{page}");
    page["last_seq"].as_i64().expect("last_seq")
}

/// Resident memory of this process (the server runs in it), in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// Polls an in-process condition (there is no event to wait on) until it holds.
async fn wait_until(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out after {limit:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A message body of about `size` bytes that starts with a unique tag.
fn body(tag: &str, size: usize) -> String {
    let mut text = format!("{tag} ");
    while text.len() < size {
        text.push_str("Zullen we het over je doelen voor dit kwartaal hebben? ");
    }
    text.truncate(size);
    text
}

/// What one client received.
#[derive(Default)]
struct Received {
    /// Its cursor per mentorship right after the first `hello`.
    start: BTreeMap<MentorshipId, i64>,
    /// Every event, in arrival order: mentorship, seq, message body (for messages).
    log: Vec<(MentorshipId, i64, Option<String>)>,
    /// Closes with 4000 it resumed from.
    evictions: usize,
    /// Reconnects it chose itself.
    reconnects: usize,
}

impl Received {
    fn record(&mut self, frame: &ServerFrame) -> anyhow::Result<()> {
        match frame {
            ServerFrame::Event { event } => {
                let body =
                    (event.kind.as_str() == "message.created").then(|| event.data["message"]["body"].as_str().map(str::to_owned)).flatten();
                self.log.push((event.mentorship_id, event.seq, body));
            }
            ServerFrame::Error { code, message } => anyhow::bail!("server error {code}: {message}"),
            _ => {}
        }
        Ok(())
    }
}

fn caught_up(cursors: &BTreeMap<MentorshipId, i64>, start: &BTreeMap<MentorshipId, i64>, targets: &Targets) -> bool {
    match &*targets.borrow() {
        Some(t) => start.keys().all(|m| cursors.get(m).copied().unwrap_or(i64::MIN) >= t[m]),
        None => false,
    }
}

/// Checks that `got` holds, for each of its mentorships, exactly the events
/// `start+1 ..= target` in order, and exactly the posted messages (seq, body) in order.
fn check(who: &str, got: &Received, targets: &BTreeMap<MentorshipId, i64>, posted: &BTreeMap<MentorshipId, Vec<(i64, String)>>) {
    assert!(!got.start.is_empty(), "{who} follows no mentorship");
    for (m, &start) in &got.start {
        let seqs: Vec<i64> = got.log.iter().filter(|(lm, _, _)| lm == m).map(|(_, s, _)| *s).collect();
        let expected: Vec<i64> = (start + 1..=targets[m]).collect();
        if seqs != expected {
            let have: BTreeSet<i64> = seqs.iter().copied().collect();
            let missing: Vec<i64> = expected.iter().copied().filter(|s| !have.contains(s)).collect();
            let twice = seqs.len() - have.len();
            let out_of_order = seqs.windows(2).filter(|w| w[0] >= w[1]).count();
            panic!(
                "{who}, mentorship {m}: received {} events, expected {} (seq {}..={}); missing {:?}{}, duplicates {twice}, out of order {out_of_order}",
                seqs.len(),
                expected.len(),
                start + 1,
                targets[m],
                &missing[..missing.len().min(20)],
                if missing.len() > 20 { " …" } else { "" },
            );
        }
        let messages: Vec<(i64, &str)> =
            got.log.iter().filter(|(lm, _, _)| lm == m).filter_map(|(_, s, b)| b.as_deref().map(|b| (*s, b))).collect();
        let expected: Vec<(i64, &str)> = posted[m].iter().filter(|(s, _)| *s > start).map(|(s, b)| (*s, b.as_str())).collect();
        assert_eq!(messages.len(), expected.len(), "{who}, mentorship {m}: number of messages");
        assert!(messages == expected, "{who}, mentorship {m}: the messages differ from those posted");
    }
}

/// Posts `count` messages into `thread` as `who`, each tagged `{tag}-{i}`, and
/// returns (seq, body) of each.
async fn post_many(who: Api, thread: ThreadId, tag: String, count: usize, size: usize) -> Vec<(i64, String)> {
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let text = body(&format!("{tag}-{i}"), size);
        let (_, m): (u16, MessageView) = who.post_message(thread, &text, &uuid::Uuid::new_v4().to_string()).await.expect("post");
        assert_eq!(m.body, text);
        out.push((m.seq, text));
    }
    out
}

// ---------------------------------------------------------------------------------
// 1. A slow reader

/// Follows the stream (resuming after a 4000, which should not happen to a reader
/// that keeps up) until it holds everything up to the targets.
async fn follow(api: Api, ready: mpsc::Sender<()>, mut targets: Targets) -> anyhow::Result<Received> {
    let mut got = Received::default();
    let mut live = Live::connect(&api).await?;
    live.hello().await?;
    got.start = live.cursors.clone();
    ready.send(()).await?;
    while !caught_up(&live.cursors, &got.start, &targets) {
        tokio::select! {
            frame = live.next_frame() => match frame? {
                Some(frame) => got.record(&frame)?,
                None if live.closed.as_ref().and_then(|c| c.code) == Some(close::RESUME) => {
                    got.evictions += 1;
                    live = Live::resume(&api, live.cursors.clone()).await?;
                }
                None => anyhow::bail!("closed: {:?}", live.closed),
            },
            changed = targets.changed() => changed?,
        }
    }
    live.close().await;
    Ok(got)
}

async fn slow_reader_is_evicted_and_the_rest_get_everything(app: TestServer) {
    let _serial = SERIAL.lock().await;
    let started = Instant::now();
    const ROOMS: usize = 10;
    const PER_ROOM: usize = 5;
    /// Messages into the stalled reader's mentorship: at least this many, and on until
    /// it was evicted (at most `HOT_MAX`), so the socket buffers surely fill.
    const HOT_MIN: usize = 2000;
    const HOT_MAX: usize = 12_000;
    /// Messages into each of the other mentorships.
    const OTHER: usize = 40;
    const BODY: usize = 3 * 1024;

    let p = programme(&app).await;
    let active = people(&app, "active", ROOMS * PER_ROOM).await;
    let stalled_person = person(&app, "stalled@example.org", "Stalled Reader", false).await;
    let mut rooms = Vec::new();
    for r in 0..ROOMS {
        let members = &active[r * PER_ROOM..(r + 1) * PER_ROOM];
        let mut mentees: Vec<&Person> = members[1..].iter().collect();
        if r == 0 {
            mentees.push(&stalled_person);
        }
        rooms.push(mentorship(&app, &p, &members[0], &mentees).await);
    }
    let hot = rooms[0].0;
    let set_up = started.elapsed();

    // 50 readers that keep up.
    let (ready_tx, mut ready_rx) = mpsc::channel(ROOMS * PER_ROOM);
    let (targets_tx, targets_rx) = watch::channel(None);
    let readers: Vec<_> = active.iter().map(|a| tokio::spawn(follow(api(&app, a), ready_tx.clone(), targets_rx.clone()))).collect();
    for _ in 0..readers.len() {
        tokio::time::timeout(WAIT, ready_rx.recv()).await.expect("every reader connects in time").expect("a reader connected");
    }

    // The stalled reader: says hello, then never reads again.
    let mut stalled = Live::connect(&api(&app, &stalled_person)).await.expect("connect");
    stalled.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, cursors: BTreeMap::new() }).await.expect("hello");
    let everyone = ROOMS * PER_ROOM + 1;
    wait_until("the stalled reader's subscription", WAIT, || app.state.hub.subscriber_count() == everyone).await;
    let hot_start = last_seq(&app, &active[0], hot).await;

    // Memory: sample the peak while the stream runs.
    let rss_before = rss_kib();
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = tokio::spawn({
        let sampling = sampling.clone();
        async move {
            let mut peak = 0;
            while sampling.load(Ordering::Relaxed) {
                peak = peak.max(rss_kib());
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            peak.max(rss_kib())
        }
    });

    // Watch for the eviction: the stalled socket leaves its room.
    let evicted = Arc::new(AtomicBool::new(false));
    let evicted_after = Arc::new(AtomicUsize::new(0));
    let hot_posted = Arc::new(AtomicUsize::new(0));
    let watcher = tokio::spawn({
        let (evicted, evicted_after, hot_posted, hub) = (evicted.clone(), evicted_after.clone(), hot_posted.clone(), app.state.hub.clone());
        async move {
            wait_until("the eviction of the stalled reader", Duration::from_secs(300), || hub.subscriber_count() < everyone).await;
            evicted_after.store(hot_posted.load(Ordering::SeqCst), Ordering::SeqCst);
            evicted.store(true, Ordering::SeqCst);
            Instant::now()
        }
    });

    // Writers: two into the hot mentorship until the stalled reader was evicted (and a
    // little beyond), two into the others.
    let writing = Instant::now();
    let mut writers = Vec::new();
    for (w, writer) in active.iter().take(2).enumerate() {
        let (who, thread, evicted, hot_posted) = (api(&app, writer), rooms[0].1, evicted.clone(), hot_posted.clone());
        writers.push(tokio::spawn(async move {
            let mut out = Vec::new();
            let mut after_eviction = 0;
            while hot_posted.load(Ordering::SeqCst) < HOT_MAX && after_eviction < 100 {
                let n = hot_posted.fetch_add(1, Ordering::SeqCst);
                out.extend(post_many(who.clone(), thread, format!("hot-w{w}-{n}"), 1, BODY).await.into_iter().map(|x| (hot, x)));
                if evicted.load(Ordering::SeqCst) && n >= HOT_MIN {
                    after_eviction += 1;
                }
            }
            out
        }));
    }
    for w in 0..2 {
        let jobs: Vec<(MentorshipId, ThreadId, Api)> =
            (1..ROOMS).filter(|r| r % 2 == w).map(|r| (rooms[r].0, rooms[r].1, api(&app, &active[r * PER_ROOM]))).collect();
        writers.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for i in 0..OTHER {
                for (m, thread, who) in &jobs {
                    out.extend(post_many(who.clone(), *thread, format!("room-{m}-{i}"), 1, BODY).await.into_iter().map(|x| (*m, x)));
                }
            }
            out
        }));
    }
    let mut posted: BTreeMap<MentorshipId, Vec<(i64, String)>> = BTreeMap::new();
    for writer in writers {
        for (m, x) in writer.await.expect("writer") {
            posted.entry(m).or_default().push(x);
        }
    }
    for list in posted.values_mut() {
        list.sort();
    }
    let write_time = writing.elapsed();
    assert!(evicted.load(Ordering::SeqCst), "the stalled reader was not evicted after {} messages", hot_posted.load(Ordering::SeqCst));
    let evicted_at = watcher.await.expect("watcher");

    // Everyone who kept up receives everything, exactly once, in order.
    let mut targets = BTreeMap::new();
    for (r, (m, _)) in rooms.iter().enumerate() {
        targets.insert(*m, last_seq(&app, &active[r * PER_ROOM], *m).await);
    }
    targets_tx.send(Some(targets.clone())).expect("readers listen");
    let mut evictions = 0;
    for (i, reader) in readers.into_iter().enumerate() {
        let got = tokio::time::timeout(WAIT, reader).await.expect("reader catches up in time").expect("reader task").expect("reader");
        check(&format!("reader {i}"), &got, &targets, &posted);
        evictions += got.evictions;
    }
    sampling.store(false, Ordering::Relaxed);
    let rss_peak = sampler.await.expect("sampler");
    assert_eq!(evictions, 0, "readers that keep up are never told to resume");
    // The stalled socket left its room; every reader is gone too now.
    wait_until("the readers' sockets to close", WAIT, || app.state.hub.subscriber_count() == 0).await;

    // The stalled reader reads again: whatever was buffered, in order, then close 4000.
    let read_again = Instant::now();
    let stalled_for = evicted_at.elapsed();
    let mut seen = Vec::new();
    let mut frames = 0usize;
    loop {
        match tokio::time::timeout(WAIT, stalled.next_frame()).await.expect("the stalled socket ends in time").expect("frame") {
            Some(ServerFrame::Event { event }) => {
                assert_eq!(event.mentorship_id, hot);
                seen.push(event.seq);
                frames += 1;
            }
            Some(_) => frames += 1,
            None => break,
        }
    }
    let expected: Vec<i64> = (hot_start + 1..=hot_start + seen.len() as i64).collect();
    assert!(seen == expected, "the stalled reader's events are a gap-free prefix of the log");
    assert!((seen.len() as i64) < targets[&hot] - hot_start, "the stalled reader did not get everything");
    let growth_mib = rss_peak.saturating_sub(rss_before) / 1024;
    eprintln!(
        "slow reader [{:?}]: set-up {set_up:?}; {} messages ({} into the stalled reader's mentorship, eviction after ~{}) written in {write_time:?}; \
         stalled reader read again {stalled_for:?} after its eviction: {} events then close {:?} in {:?}; RSS {} MiB → peak {} MiB (+{growth_mib} MiB); total {:?}",
        app.backend,
        posted.values().map(Vec::len).sum::<usize>(),
        posted[&hot].len(),
        evicted_after.load(Ordering::SeqCst),
        seen.len(),
        stalled.closed.as_ref().and_then(|c| c.code),
        read_again.elapsed(),
        rss_before / 1024,
        rss_peak / 1024,
        started.elapsed(),
    );
    assert_eq!(
        stalled.closed.as_ref().and_then(|c| c.code),
        Some(close::RESUME),
        "the stalled reader is told to resume (after {frames} buffered frames): {:?}",
        stalled.closed
    );

    assert!(growth_mib < 200, "memory grew by {growth_mib} MiB");
    app.stop().await;
}

/// A reader that asks for a long backlog and stops reading while it is replayed: the
/// replay blocks on the full socket, the live queue fills behind it, and the server
/// must act on that at once — evict (4000) and, when shutting down, not wait for the
/// peer to read again.
async fn reader_stalled_in_its_replay_is_evicted_and_does_not_block_shutdown(app: TestServer) {
    let _serial = SERIAL.lock().await;
    let started = Instant::now();
    /// ~10 MiB of backlog: more than the socket buffers hold.
    const BACKLOG: usize = 320;
    const BIG: usize = 32 * 1024;

    let p = programme(&app).await;
    let cast = people(&app, "pair", 2).await;
    let (m, thread) = mentorship(&app, &p, &cast[0], &[&cast[1]]).await;
    let writers: Vec<_> =
        (0..4).map(|w| tokio::spawn(post_many(api(&app, &cast[0]), thread, format!("backlog-w{w}"), BACKLOG / 4, BIG))).collect();
    for writer in writers {
        writer.await.expect("writer");
    }
    let backlog_end = last_seq(&app, &cast[0], m).await;

    // Ask for everything from the start, then stop reading.
    let mut stalled = Live::connect(&api(&app, &cast[1])).await.expect("connect");
    stalled.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, cursors: [(m, 0)].into_iter().collect() }).await.expect("hello");
    wait_until("the stalled reader's subscription", WAIT, || app.state.hub.subscriber_count() == 1).await;

    // New messages queue up behind the blocked replay until the queue overflows.
    let mut extra = 0;
    while app.state.hub.subscriber_count() == 1 {
        assert!(extra < 5000, "no eviction after {extra} live messages");
        post_many(api(&app, &cast[0]), thread, format!("live-{extra}"), 1, 64).await;
        extra += 1;
    }

    // Reading again: part of the replay, in order, then 4000 — never the `live` frame.
    let mut seen = Vec::new();
    while let Some(frame) = tokio::time::timeout(WAIT, stalled.next_frame()).await.expect("the stalled socket ends in time").expect("frame")
    {
        match frame {
            ServerFrame::Event { event } => seen.push(event.seq),
            ServerFrame::Live { .. } => panic!("the replay of an evicted reader went on to the end ({} events)", seen.len()),
            _ => {}
        }
    }
    assert!(seen == (1..=seen.len() as i64).collect::<Vec<_>>(), "the replayed events are a gap-free prefix");
    assert!((seen.len() as i64) < backlog_end, "the replay stopped at the eviction");
    assert_eq!(stalled.closed.as_ref().and_then(|c| c.code), Some(close::RESUME), "{:?}", stalled.closed);

    // Another reader stalls in the same replay; shutting down does not wait for it.
    let mut second = Live::connect(&api(&app, &cast[1])).await.expect("connect");
    second.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, cursors: [(m, 0)].into_iter().collect() }).await.expect("hello");
    wait_until("the second reader's subscription", WAIT, || app.state.hub.subscriber_count() == 1).await;
    let backend = app.backend;
    let stopping = Instant::now();
    tokio::time::timeout(Duration::from_secs(30), app.stop()).await.expect("the server stops while a reader is stalled");
    eprintln!(
        "stalled in replay [{backend:?}]: backlog {backlog_end} events of {BIG} bytes; evicted after {extra} live messages, \
         then read {} replayed events and close 4000; the server stopped in {:?} with another reader stalled; total {:?}",
        seen.len(),
        stopping.elapsed(),
        started.elapsed()
    );
    drop(second);
}

// ---------------------------------------------------------------------------------
// 2. Random disconnects and resumes

/// Why a stretch of reading ended.
enum Stop {
    /// The server closed with 4000: resume.
    Evicted,
    /// The writers are done: catch up.
    Finish,
}

/// Reads for random stretches, drops the socket at random moments (mostly without a
/// close frame, like a lost connection; sometimes politely) and resumes from its
/// cursors. Once the targets are known, reconnects a last time and reads until it has
/// caught up.
async fn churn(api: Api, seed: u64, ready: mpsc::Sender<()>, mut targets: Targets) -> anyhow::Result<Received> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut got = Received::default();
    let mut live = Live::connect(&api).await?;
    live.hello().await?;
    got.start = live.cursors.clone();
    ready.send(()).await?;
    while targets.borrow().is_none() {
        let stretch = Duration::from_millis(rng.random_range(5..300));
        let read = tokio::time::timeout(stretch, async {
            loop {
                tokio::select! {
                    frame = live.next_frame() => match frame? {
                        Some(frame) => got.record(&frame)?,
                        None if live.closed.as_ref().and_then(|c| c.code) == Some(close::RESUME) => return Ok(Stop::Evicted),
                        None => anyhow::bail!("closed: {:?}", live.closed),
                    },
                    changed = targets.changed() => {
                        changed?;
                        return Ok(Stop::Finish);
                    }
                }
            }
        })
        .await;
        match read {
            Ok(Ok(Stop::Finish)) => break,
            Ok(Ok(Stop::Evicted)) => got.evictions += 1,
            Ok(Err(err)) => return Err(err),
            Err(_) => {
                got.reconnects += 1;
                let cursors = live.cursors.clone();
                if rng.random_bool(0.2) {
                    live.close().await;
                } else {
                    drop(live);
                }
                // Offline for a moment (not synchronisation: any length works).
                tokio::time::sleep(Duration::from_millis(rng.random_range(0..50))).await;
                live = Live::resume(&api, cursors).await?;
                continue;
            }
        }
        live = Live::resume(&api, live.cursors.clone()).await?;
    }

    // The last reconnect, then read up to the end of every log.
    let cursors = live.cursors.clone();
    drop(live);
    live = Live::resume(&api, cursors).await?;
    while !caught_up(&live.cursors, &got.start, &targets) {
        match live.next_frame().await? {
            Some(frame) => got.record(&frame)?,
            None if live.closed.as_ref().and_then(|c| c.code) == Some(close::RESUME) => {
                got.evictions += 1;
                live = Live::resume(&api, live.cursors.clone()).await?;
            }
            None => anyhow::bail!("closed: {:?}", live.closed),
        }
    }
    live.close().await;
    Ok(got)
}

async fn random_reconnects_lose_and_duplicate_nothing(app: TestServer) {
    let _serial = SERIAL.lock().await;
    let started = Instant::now();
    const ROOMS: usize = 5;
    const PER_ROOM: usize = 4;
    const WRITERS: usize = 4;
    const MESSAGES: usize = 2000;
    let seed: u64 = std::env::var("MENTORPOST_LOAD_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    eprintln!("random reconnects [{:?}]: seed {seed} (set MENTORPOST_LOAD_SEED to repeat)", app.backend);

    // 20 clients; each mentorship has its four, and its mentor also sits in the next
    // one as a mentee, so five clients follow two mentorships.
    let p = programme(&app).await;
    let clients = people(&app, "client", ROOMS * PER_ROOM).await;
    let mut rooms = Vec::new();
    let mut members_of = Vec::new();
    for r in 0..ROOMS {
        let own = &clients[r * PER_ROOM..(r + 1) * PER_ROOM];
        let guest = &clients[((r + ROOMS - 1) % ROOMS) * PER_ROOM];
        let mut mentees: Vec<&Person> = own[1..].iter().collect();
        mentees.push(guest);
        rooms.push(mentorship(&app, &p, &own[0], &mentees).await);
        let mut members: Vec<Person> = own.to_vec();
        members.push(guest.clone());
        members_of.push(members);
    }
    let set_up = started.elapsed();

    let (ready_tx, mut ready_rx) = mpsc::channel(clients.len());
    let (targets_tx, targets_rx) = watch::channel(None);
    let tasks: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(i, c)| tokio::spawn(churn(api(&app, c), seed.wrapping_add(i as u64), ready_tx.clone(), targets_rx.clone())))
        .collect();
    for _ in 0..tasks.len() {
        tokio::time::timeout(WAIT, ready_rx.recv()).await.expect("every client connects in time").expect("a client connected");
    }

    // Four writers post 2,000 messages across the mentorships, as random members.
    let writing = Instant::now();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let mut rng = StdRng::seed_from_u64(seed ^ (0xC0FFEE + w as u64));
            let rooms = rooms.clone();
            let members: Vec<Vec<Api>> = members_of.iter().map(|ms| ms.iter().map(|m| api(&app, m)).collect()).collect();
            tokio::spawn(async move {
                let mut out = Vec::new();
                for i in 0..MESSAGES / WRITERS {
                    let r = rng.random_range(0..rooms.len());
                    let who = members[r][rng.random_range(0..members[r].len())].clone();
                    let text = body(&format!("w{w}-{i}"), rng.random_range(20..600));
                    let (_, m) = who.post_message(rooms[r].1, &text, &uuid::Uuid::new_v4().to_string()).await.expect("post");
                    out.push((rooms[r].0, (m.seq, text)));
                }
                out
            })
        })
        .collect();
    let mut posted: BTreeMap<MentorshipId, Vec<(i64, String)>> = rooms.iter().map(|(m, _)| (*m, Vec::new())).collect();
    for writer in writers {
        for (m, x) in tokio::time::timeout(WAIT, writer).await.expect("writers finish in time").expect("writer") {
            posted.entry(m).or_default().push(x);
        }
    }
    for list in posted.values_mut() {
        list.sort();
    }
    let write_time = writing.elapsed();
    assert_eq!(posted.values().map(Vec::len).sum::<usize>(), MESSAGES);

    // The end of each log, then everyone catches up to it.
    let mut targets = BTreeMap::new();
    for (r, (m, _)) in rooms.iter().enumerate() {
        targets.insert(*m, last_seq(&app, &members_of[r][0], *m).await);
    }
    targets_tx.send(Some(targets.clone())).expect("clients listen");
    let (mut reconnects, mut evictions) = (0, 0);
    for (i, task) in tasks.into_iter().enumerate() {
        let got = tokio::time::timeout(WAIT, task).await.expect("client catches up in time").expect("client task").expect("client");
        check(&format!("client {i}"), &got, &targets, &posted);
        reconnects += got.reconnects;
        evictions += got.evictions;
    }
    eprintln!(
        "random reconnects [{:?}]: set-up {set_up:?}; {MESSAGES} messages written in {:?} while 20 clients reconnected {reconnects} times \
         (plus {evictions} resumes after 4000); all complete, in order, no duplicates; total {:?}",
        app.backend,
        write_time,
        started.elapsed()
    );
    assert!(reconnects >= clients.len(), "the clients did reconnect ({reconnects})");
    app.stop().await;
}
