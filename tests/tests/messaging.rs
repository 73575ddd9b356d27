//! Threads, messages, idempotent retries, read markers and unread counts, on both
//! backends.

use mentorpost_tests::{TestServer, World, both_backends};
use serde_json::json;

both_backends!(
    thread_and_messages_round_trip,
    idempotent_retry,
    read_markers_and_unread_counts,
    message_pagination,
    concurrent_posts_mixed_with_retries_and_refusals,
    refused_posts_write_nothing,
    my_threads_across_mentorships_newest_first,
    close_and_repair_keep_history_readable
);

async fn thread_and_messages_round_trip(app: TestServer) {
    let w = World::build(&app).await;
    let reply = w.post_message(&app, &w.mentee, "Dank je! Zullen we donderdag bellen?").await;
    assert_eq!(reply["author_name"], "João Pereira");
    assert_eq!(reply["source"], "web");

    let (s, page) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.mentor.token).await;
    assert_eq!(s, 200, "{page}");
    let bodies: Vec<&str> = page["messages"].as_array().expect("messages").iter().map(|m| m["body"].as_str().unwrap_or_default()).collect();
    assert_eq!(bodies, ["Dag João, welkom!", "Dank je! Zullen we donderdag bellen?"]);

    let (s, threads) = app.get("/api/v1/me/threads", &w.mentee.token).await;
    assert_eq!(s, 200);
    assert_eq!(threads[0]["subject"], "Kennismaking: doelen voor het eerste kwartaal");
    assert_eq!(threads[0]["message_count"], 2);
    app.stop().await;
}

async fn idempotent_retry(app: TestServer) {
    let w = World::build(&app).await;
    let path = format!("/api/v1/threads/{}/messages", w.thread);
    let body = json!({"body": "Łódź — zobaczymy się w czwartek?", "client_msg_id": "retry-1"});
    let (s1, first) = app.post(&path, &w.mentee.token, body.clone()).await;
    assert_eq!(s1, 201, "{first}");
    let before = app.snapshot().await;
    let (s2, second) = app.post(&path, &w.mentee.token, body).await;
    assert_eq!(s2, 200, "{second}");
    assert_eq!(first["id"], second["id"]);
    assert_eq!(app.snapshot().await, before, "a repeat writes nothing");
    let (s3, conflict) = app.post(&path, &w.mentee.token, json!({"body": "something else", "client_msg_id": "retry-1"})).await;
    assert_eq!(s3, 409);
    assert_eq!(conflict["error"]["code"], "client_msg_id_reused");
    // The key is per author: the mentor may use the same one.
    let (s4, _) = app.post(&path, &w.mentor.token, json!({"body": "ok", "client_msg_id": "retry-1"})).await;
    assert_eq!(s4, 201);
    app.stop().await;
}

async fn read_markers_and_unread_counts(app: TestServer) {
    let w = World::build(&app).await;
    let m1 = w.post_message(&app, &w.mentor, "Second message").await;
    let m2 = w.post_message(&app, &w.mentor, "Third message").await;
    let (_, threads) = app.get("/api/v1/me/threads", &w.mentee.token).await;
    assert_eq!(threads[0]["unread_count"], 3);
    let (_, threads) = app.get("/api/v1/me/threads", &w.mentor.token).await;
    assert_eq!(threads[0]["unread_count"], 0, "own messages are never unread");

    let read = format!("/api/v1/threads/{}/read", w.thread);
    let (s, marker) = app.post(&read, &w.mentee.token, json!({"message_id": m1["id"]})).await;
    assert_eq!(s, 200, "{marker}");
    let (_, threads) = app.get("/api/v1/me/threads", &w.mentee.token).await;
    assert_eq!(threads[0]["unread_count"], 1);
    assert_eq!(threads[0]["last_read_message_id"], m1["id"]);

    app.post(&read, &w.mentee.token, json!({"message_id": m2["id"]})).await;
    // Moving back is ignored: the marker only moves forward.
    let (s, marker) = app.post(&read, &w.mentee.token, json!({"message_id": w.first_message})).await;
    assert_eq!(s, 200);
    assert_eq!(marker["message_id"], m2["id"]);
    let (_, threads) = app.get("/api/v1/me/threads", &w.mentee.token).await;
    assert_eq!(threads[0]["unread_count"], 0);

    let (s, err) = app.post(&read, &w.mentee.token, json!({"message_id": uuid::Uuid::now_v7()})).await;
    assert_eq!(s, 422, "{err}");
    app.stop().await;
}

async fn message_pagination(app: TestServer) {
    let w = World::build(&app).await;
    for i in 0..7 {
        w.post_message(&app, if i % 2 == 0 { &w.mentee } else { &w.mentor }, &format!("message {i}")).await;
    }
    let base = format!("/api/v1/threads/{}/messages", w.thread);
    let (_, page) = app.get(&format!("{base}?limit=3"), &w.mentee.token).await;
    let bodies = |p: &serde_json::Value| {
        p["messages"].as_array().expect("array").iter().map(|m| m["body"].as_str().unwrap_or_default().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(bodies(&page), ["message 4", "message 5", "message 6"]);
    let before = page["next_before"].as_i64().expect("cursor");
    let (_, page) = app.get(&format!("{base}?limit=3&before={before}"), &w.mentee.token).await;
    assert_eq!(bodies(&page), ["message 1", "message 2", "message 3"]);
    let (_, page) = app.get(&format!("{base}?limit=3&before={}", page["next_before"]), &w.mentee.token).await;
    assert_eq!(bodies(&page), ["Dag João, welkom!", "message 0"]);
    assert!(page["next_before"].is_null());
    let (s, _) = app.get(&format!("{base}?limit=0"), &w.mentee.token).await;
    assert_eq!(s, 400);
    app.stop().await;
}

mod json_shape {
    use mentorpost_tests::{Backend, TestServer, World};
    use reqwest::Method;

    /// serde would accept `["body","id"]` for a struct (fields by position); the API
    /// refuses it as the client mistake it is.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_json_array_is_not_an_object() {
        let app = TestServer::start(Backend::Sqlite).await.expect("server");
        let w = World::build(&app).await;
        let before = app.snapshot().await;
        let (s, body) = app
            .raw(
                Method::POST,
                &format!("/api/v1/threads/{}/messages", w.thread),
                Some(&w.mentee.token),
                "application/json",
                br#"["hallo","k1"]"#.to_vec(),
            )
            .await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(body["error"]["code"], "invalid_body");
        assert_eq!(app.snapshot().await, before);
        app.stop().await;
    }
}

/// Concurrent posts are written in batches: new messages, retries of one key (also
/// inside one batch), a key reused with another body, and refused authors side by side.
/// Each gets its own answer, and the thread and event log end exactly consistent.
async fn concurrent_posts_mixed_with_retries_and_refusals(app: TestServer) {
    let w = World::build(&app).await;
    let path = format!("/api/v1/threads/{}/messages", w.thread);
    let mut calls = Vec::new();
    for i in 0..16 {
        let who = if i % 2 == 0 { &w.mentor } else { &w.mentee };
        calls.push(("new", who.token.clone(), json!({"body": format!("bericht {i} — Çağrı"), "client_msg_id": format!("new-{i}")})));
    }
    for k in 0..4 {
        for _ in 0..3 {
            calls.push(("dup", w.mentee.token.clone(), json!({"body": format!("herhaald {k}"), "client_msg_id": format!("dup-{k}")})));
        }
    }
    calls.push(("clash", w.mentor.token.clone(), json!({"body": "versie A", "client_msg_id": "clash"})));
    calls.push(("clash", w.mentor.token.clone(), json!({"body": "versie B", "client_msg_id": "clash"})));
    for i in 0..3 {
        calls.push(("outsider", w.outsider.token.clone(), json!({"body": "mag niet", "client_msg_id": format!("out-{i}")})));
    }
    calls.push(("coordinator", w.coordinator.token.clone(), json!({"body": "mag niet", "client_msg_id": "coord"})));

    let answers = futures_util::future::join_all(calls.iter().map(|(_, token, body)| app.post(&path, token, body.clone()))).await;
    let of = |kind: &'static str| calls.iter().zip(&answers).filter(move |((k, _, _), _)| *k == kind).map(|(_, a)| a).collect::<Vec<_>>();
    assert!(of("new").iter().all(|(s, _)| *s == 201));
    for k in 0..4 {
        let group: Vec<_> =
            calls.iter().zip(&answers).filter(|((_, _, b), _)| b["client_msg_id"] == format!("dup-{k}")).map(|(_, a)| a).collect();
        assert_eq!(group.iter().filter(|(s, _)| *s == 201).count(), 1, "one of the retries creates the message");
        assert_eq!(group.iter().filter(|(s, _)| *s == 200).count(), 2, "the others repeat it");
        assert!(group.iter().all(|(_, m)| m["id"] == group[0].1["id"]), "every answer is the same message");
    }
    let mut clash: Vec<u16> = of("clash").iter().map(|(s, _)| s.as_u16()).collect();
    clash.sort_unstable();
    assert_eq!(clash, [201, 409]);
    assert!(of("outsider").iter().all(|(s, _)| *s == 404));
    assert!(of("coordinator").iter().all(|(s, _)| *s == 403));

    let stored = 1 + 16 + 4 + 1;
    let (_, thread) = app.get(&format!("/api/v1/threads/{}", w.thread), &w.mentor.token).await;
    assert_eq!(thread["message_count"], stored);
    let (_, page) = app.get(&format!("{path}?limit=200"), &w.mentor.token).await;
    let seqs: Vec<i64> = page["messages"].as_array().expect("messages").iter().filter_map(|m| m["seq"].as_i64()).collect();
    assert_eq!(seqs.len(), stored);
    assert!(seqs.windows(2).all(|p| p[0] < p[1]), "messages in sequence order: {seqs:?}");
    let (_, events) = app.get(&format!("/api/v1/mentorships/{}/events?after=0&limit=500", w.mentorship), &w.mentor.token).await;
    let events = events["events"].as_array().expect("events");
    assert!(events.iter().enumerate().all(|(i, e)| e["seq"] == i as i64 + 1), "the event log is gap-free");
    let created: Vec<&serde_json::Value> = events.iter().filter(|e| e["kind"] == "message.created").collect();
    assert_eq!(created.len(), stored);
    app.stop().await;
}

/// A refused post writes nothing, whoever is refused and why. On PostgreSQL a post is
/// one statement that decides by itself, in SQL, what it may write; it must refuse
/// exactly where the permission rules do: an outsider, a coordinator or an admin who
/// is no member, a newcomer in a thread started before they joined, a member who
/// left, any member of a closed mentorship, and a key already used for another text.
async fn refused_posts_write_nothing(app: TestServer) {
    let w = World::build(&app).await;
    let path = format!("/api/v1/threads/{}/messages", w.thread);
    let post = |token: &str, body: &str, key: &str| {
        let (path, token, body) = (path.clone(), token.to_owned(), json!({"body": body, "client_msg_id": key}));
        let app = &app;
        async move { app.post(&path, &token, body).await }
    };
    let (s, b) = post(&w.mentee.token, "Tot donderdag!", "k1").await;
    assert_eq!(s, 201, "{b}");
    let newcomer = mentorpost_tests::world::person(&app, "zofia@example.org", "Zofia Wójcik", false).await;
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{}/members", w.mentorship),
            &w.coordinator.token,
            json!({"user_id": newcomer.id.to_string(), "role": "mentee"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, t) = app
        .post(
            &format!("/api/v1/mentorships/{}/threads", w.mentorship),
            &newcomer.token,
            json!({"subject": "Even voorstellen", "body": "Cześć!"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let her_thread = t["thread"]["id"].as_str().expect("thread id").to_owned();

    let before = app.snapshot().await;
    for (who, token, key, expected) in [
        ("outsider", &w.outsider.token, "o1", 404),
        ("coordinator", &w.coordinator.token, "c1", 403),
        ("admin", &w.admin.token, "a1", 403),
        ("newcomer in an older thread", &newcomer.token, "n1", 404),
        ("reused key", &w.mentee.token, "k1", 409),
    ] {
        let (s, b) = post(token, "mag niet", key).await;
        assert_eq!(s, expected, "{who}: {b}");
    }
    assert_eq!(app.snapshot().await, before, "a refused post writes nothing");

    let (s, b) = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/mentorships/{}/members/{}", w.mentorship, newcomer.id),
            Some(&w.coordinator.token),
            None,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let before = app.snapshot().await;
    let (s, b) = app
        .post(&format!("/api/v1/threads/{her_thread}/messages"), &newcomer.token, json!({"body": "nog één ding", "client_msg_id": "n2"}))
        .await;
    assert_eq!(s, 403, "a member who left: {b}");
    assert_eq!(app.snapshot().await, before, "a refused post writes nothing");

    let (s, b) =
        app.post(&format!("/api/v1/mentorships/{}/close", w.mentorship), &w.coordinator.token, json!({"reason": "goals_reached"})).await;
    assert_eq!(s, 200, "{b}");
    let before = app.snapshot().await;
    let (s, b) = post(&w.mentor.token, "nog iets", "m1").await;
    assert_eq!(s, 403, "a closed mentorship: {b}");
    assert_eq!(app.snapshot().await, before, "a refused post writes nothing");
    app.stop().await;
}

/// `GET /me/threads` lists the threads of every mentorship one is in, newest activity
/// first, each with its own unread count.
async fn my_threads_across_mentorships_newest_first(app: TestServer) {
    let w = World::build(&app).await;
    // A second mentorship for the mentee, with the outsider as mentor.
    let (s, m) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [{"user_id": w.outsider.id, "role": "mentor"}, {"user_id": w.mentee.id, "role": "mentee"}], "status": "active"}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let second = m["id"].as_str().expect("id").to_owned();
    let (s, t) = app
        .post(
            &format!("/api/v1/mentorships/{second}/threads"),
            &w.outsider.token,
            json!({"subject": "Omgekeerd mentorschap: Excel", "body": "Zullen we beginnen?"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let newer = t["thread"]["id"].clone();
    let (_, threads) = app.get("/api/v1/me/threads", &w.mentee.token).await;
    let ids: Vec<&serde_json::Value> = threads.as_array().expect("threads").iter().map(|t| &t["id"]).collect();
    assert_eq!(ids, [&newer, &json!(w.thread)], "newest activity first");
    // New activity in the older thread moves it to the top.
    w.post_message(&app, &w.mentor, "Nog even over de doelen").await;
    let (_, threads) = app.get("/api/v1/me/threads", &w.mentee.token).await;
    assert_eq!(threads[0]["id"], json!(w.thread));
    assert_eq!(threads[0]["unread_count"], 2);
    assert_eq!(threads[1]["unread_count"], 1);
    app.stop().await;
}

/// Closing ends a mentorship with a reason; re-pairing closes the old one and creates a
/// new one that says what it replaces. The old history stays readable to its members.
async fn close_and_repair_keep_history_readable(app: TestServer) {
    let w = World::build(&app).await;
    let (s, repaired) = app
        .post(
            &format!("/api/v1/mentorships/{}/repair", w.mentorship),
            &w.coordinator.token,
            json!({"members": [{"user_id": w.outsider.id, "role": "mentor"}, {"user_id": w.mentee.id, "role": "mentee"}]}),
        )
        .await;
    assert_eq!(s, 201, "{repaired}");
    assert_eq!(repaired["replaces"], json!(w.mentorship));
    assert_eq!(repaired["status"], "active");
    let roles: Vec<(&str, &str)> = repaired["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| (m["user_id"].as_str().unwrap_or(""), m["role"].as_str().unwrap_or("")))
        .collect();
    assert!(
        roles.contains(&(w.outsider.id.to_string().as_str(), "mentor")) && roles.contains(&(w.mentee.id.to_string().as_str(), "mentee")),
        "{repaired}"
    );
    let (_, old) = app.get(&format!("/api/v1/mentorships/{}", w.mentorship), &w.coordinator.token).await;
    assert_eq!(old["status"], "closed", "{old}");
    assert_eq!(old["end_reason"], "re_paired");
    // The old thread is still there for its members, and closed to new posts.
    let (s, page) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.mentor.token).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["messages"][0]["body"], "Dag João, welkom!");
    let (s, _) = app
        .post(&format!("/api/v1/threads/{}/messages", w.thread), &w.mentor.token, json!({"body": "nog iets", "client_msg_id": "late"}))
        .await;
    assert!(s == 403 || s == 409, "no posts into a closed mentorship: {s}");

    // Closing the new one records the reason.
    let new_id = repaired["id"].as_str().expect("id");
    let (s, closed) =
        app.post(&format!("/api/v1/mentorships/{new_id}/close"), &w.coordinator.token, json!({"reason": "goals_reached"})).await;
    assert_eq!(s, 200, "{closed}");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["end_reason"], "goals_reached");
    app.stop().await;
}
