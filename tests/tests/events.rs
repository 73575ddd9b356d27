//! The per-mentorship event log under concurrency: many writers, one reader polling at
//! random moments. The sequence must end gap-free, and a reader must never see an event
//! numbered at or below a cursor it already passed (sequence order is commit order).

use mentorpost_tests::{TestServer, World, both_backends};
use rand::Rng;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

both_backends!(concurrent_writers_keep_the_sequence_gap_free, events_carry_what_clients_render);

const WRITERS: usize = 8;
const MESSAGES_PER_WRITER: usize = 64;

async fn concurrent_writers_keep_the_sequence_gap_free(app: TestServer) {
    let app = Arc::new(app);
    let w = Arc::new(World::build(&app).await);
    // A second thread, so writers also contend across threads of one mentorship.
    let (s, t2) = app
        .post(
            &format!("/api/v1/mentorships/{}/threads", w.mentorship),
            &w.mentee.token,
            json!({"subject": "Tweede onderwerp", "body": "start"}),
        )
        .await;
    assert_eq!(s, 201);
    let threads = [w.thread.clone(), t2["thread"]["id"].as_str().expect("id").to_owned()];

    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (app, w, done) = (app.clone(), w.clone(), done.clone());
        tokio::spawn(async move {
            let mut cursor = 0i64;
            let mut seen = Vec::new();
            loop {
                let finished = done.load(Ordering::SeqCst);
                let limit = rand::rng().random_range(1..=50);
                let (s, page) =
                    app.get(&format!("/api/v1/mentorships/{}/events?after={cursor}&limit={limit}", w.mentorship), &w.mentor.token).await;
                assert_eq!(s, 200, "{page}");
                let events = page["events"].as_array().expect("events");
                for e in events {
                    let seq = e["seq"].as_i64().expect("seq");
                    assert_eq!(seq, cursor + 1, "after cursor {cursor} the next event must be {} (got {seq})", cursor + 1);
                    cursor = seq;
                    seen.push(seq);
                }
                if finished && events.is_empty() {
                    return (cursor, seen);
                }
                // Poll at random moments rather than in lock-step with the writers.
                let pause = rand::rng().random_range(0..3);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
        })
    };

    let mut writers = Vec::new();
    for i in 0..WRITERS {
        let (app, w, threads) = (app.clone(), w.clone(), threads.clone());
        writers.push(tokio::spawn(async move {
            let who = if i % 2 == 0 { &w.mentor } else { &w.mentee };
            for n in 0..MESSAGES_PER_WRITER {
                let thread = &threads[n % 2];
                let (s, m) = app
                    .post(
                        &format!("/api/v1/threads/{thread}/messages"),
                        &who.token,
                        json!({"body": format!("writer {i} message {n}"), "client_msg_id": format!("w{i}-{n}")}),
                    )
                    .await;
                assert_eq!(s, 201, "{m}");
            }
        }));
    }
    for h in writers {
        h.await.expect("writer");
    }
    done.store(true, Ordering::SeqCst);
    let (cursor, seen) = reader.await.expect("reader");

    let (_, page) = app.get(&format!("/api/v1/mentorships/{}/events?after=0&limit=1", w.mentorship), &w.mentor.token).await;
    let last_seq = page["last_seq"].as_i64().expect("last_seq");
    assert_eq!(cursor, last_seq, "the reader caught up with the last event");
    assert_eq!(seen, (1..=last_seq).collect::<Vec<_>>(), "gap-free, in order, each once");
    let (_, threads_now) = app.get("/api/v1/me/threads", &w.mentor.token).await;
    let messages: i64 = threads_now.as_array().expect("threads").iter().map(|t| t["message_count"].as_i64().unwrap_or(0)).sum();
    assert_eq!(messages as usize, WRITERS * MESSAGES_PER_WRITER + 2);
    if let Ok(app) = Arc::try_unwrap(app) {
        app.stop().await;
    }
}

async fn events_carry_what_clients_render(app: TestServer) {
    let w = World::build(&app).await;
    let m = w.post_message(&app, &w.mentee, "Tot donderdag!").await;
    app.post(&format!("/api/v1/threads/{}/read", w.thread), &w.mentor.token, json!({"message_id": m["id"]})).await;
    let (s, page) = app.get(&format!("/api/v1/mentorships/{}/events", w.mentorship), &w.mentee.token).await;
    assert_eq!(s, 200);
    let kinds: Vec<&str> = page["events"].as_array().expect("events").iter().map(|e| e["kind"].as_str().unwrap_or_default()).collect();
    assert_eq!(kinds, ["member.added", "member.added", "thread.created", "message.created", "message.created", "read.updated"]);
    let created = &page["events"][4]["data"];
    assert_eq!(created["message"]["body"], "Tot donderdag!");
    assert_eq!(created["message"]["author_name"], "João Pereira");
    assert_eq!(created["thread_subject"], "Kennismaking: doelen voor het eerste kwartaal");
    assert_eq!(page["events"][2]["data"]["thread"]["subject"], "Kennismaking: doelen voor het eerste kwartaal");
    assert_eq!(page["events"][5]["data"]["message_id"], m["id"]);
    let (s, _) = app.get(&format!("/api/v1/mentorships/{}/events?after=-1", w.mentorship), &w.mentee.token).await;
    assert_eq!(s, 400);
    app.stop().await;
}
