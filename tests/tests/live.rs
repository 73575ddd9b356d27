//! Live delivery over WebSocket on both backends: authentication, replay then live,
//! only members receive, removal takes effect at once, origin check.

use mentorpost_client::{Api, Live};
use mentorpost_model::ws::{ClientFrame, ServerFrame, close};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

both_backends!(
    member_receives_live_and_resumes_after_reconnect,
    only_members_receive_and_removal_is_immediate,
    socket_authentication_and_origin,
    a_new_membership_reaches_open_sockets,
    an_expiring_access_token_closes_its_socket,
    a_revoked_login_closes_a_socket_that_follows_nothing,
    a_reader_cut_off_while_not_reading_gets_its_close_frame
);

const WAIT: Duration = Duration::from_secs(15);

async fn next_event(live: &mut Live) -> mentorpost_model::api::EventView {
    tokio::time::timeout(WAIT, live.next_event()).await.expect("an event within the time bound").expect("stream ok").expect("stream open")
}

async fn member_receives_live_and_resumes_after_reconnect(app: TestServer) {
    let w = World::build(&app).await;
    let mentor = Api::login(&app.base, &w.mentor.email, PASSWORD).await.expect("login");
    let mut live = Live::connect(&mentor).await.expect("connect");
    live.hello().await.expect("hello");
    assert_eq!(live.subscriptions.len(), 1);
    let start = live.cursors[&w.mentorship.parse().expect("id")];
    match tokio::time::timeout(WAIT, live.next_frame()).await.expect("live frame").expect("ok") {
        Some(ServerFrame::Live { .. }) => {}
        other => panic!("expected live, got {other:?}"),
    }

    let posted = w.post_message(&app, &w.mentee, "Zie je donderdag!").await;
    let event = next_event(&mut live).await;
    assert_eq!(event.kind.as_str(), "message.created");
    assert_eq!(event.seq, start + 1);
    assert_eq!(event.data["message"]["body"], "Zie je donderdag!");
    assert_eq!(event.data["message"]["id"], posted["id"]);
    // A local post goes out from memory; it must be exactly what a replay builds from
    // the rows.
    let (s, page) = app.get(&format!("/api/v1/mentorships/{}/events?after={start}", w.mentorship), &w.mentor.token).await;
    assert_eq!(s, 200, "{page}");
    let replayed: mentorpost_model::api::EventView = serde_json::from_value(page["events"][0].clone()).expect("event");
    assert_eq!(serde_json::to_value(&event).expect("json"), serde_json::to_value(&replayed).expect("json"));
    assert_eq!(event.data["message"]["created_at"], posted["created_at"], "the POST answer carries the stored time");

    // Disconnect, miss two messages, reconnect with the cursor: exactly those two.
    let cursors = live.cursors.clone();
    live.close().await;
    w.post_message(&app, &w.mentee, "missed one").await;
    w.post_message(&app, &w.mentee, "missed two").await;
    let mut again = Live::resume(&mentor, cursors).await.expect("resume");
    let a = next_event(&mut again).await;
    let b = next_event(&mut again).await;
    assert_eq!((a.seq, b.seq), (start + 2, start + 3));
    assert_eq!(b.data["message"]["body"], "missed two");
    match tokio::time::timeout(WAIT, again.next_frame()).await.expect("frame").expect("ok") {
        Some(ServerFrame::Live { cursors }) => {
            assert_eq!(cursors[&w.mentorship.parse().expect("id")], start + 3)
        }
        other => panic!("expected live after the replay, got {other:?}"),
    }
    app.stop().await;
}

async fn only_members_receive_and_removal_is_immediate(app: TestServer) {
    let w = World::build(&app).await;
    let mentee = Api::login(&app.base, &w.mentee.email, PASSWORD).await.expect("login");
    let coordinator = Api::login(&app.base, &w.coordinator.email, PASSWORD).await.expect("login");
    let mut mentee_live = Live::connect(&mentee).await.expect("connect");
    mentee_live.hello().await.expect("hello");
    let mut coord_live = Live::connect(&coordinator).await.expect("connect");
    coord_live.hello().await.expect("hello");
    assert!(coord_live.subscriptions.is_empty(), "a coordinator subscribes to no mentorship's content");

    w.post_message(&app, &w.mentor, "VERTROUWELIJK-marker-1").await;
    assert_eq!(next_event(&mut mentee_live).await.data["message"]["body"], "VERTROUWELIJK-marker-1");

    // The coordinator removes the mentee: the mentee gets the removal, then nothing.
    let (s, _) = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/mentorships/{}/members/{}", w.mentorship, w.mentee.id),
            Some(&w.coordinator.token),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let removal = next_event(&mut mentee_live).await;
    assert_eq!(removal.kind.as_str(), "member.removed");
    w.post_message(&app, &w.mentor, "VERTROUWELIJK-marker-2 after removal").await;
    // A mentor's socket proves the message went out live; the removed mentee's must stay silent.
    let mentor = Api::login(&app.base, &w.mentor.email, PASSWORD).await.expect("login");
    let mut mentor_live = Live::resume(&mentor, [(w.mentorship.parse().expect("id"), 0)].into_iter().collect()).await.expect("mentor");
    let mut saw_second = false;
    while let Ok(Ok(Some(frame))) = tokio::time::timeout(WAIT, mentor_live.next_frame()).await {
        if let ServerFrame::Event { event } = &frame
            && event.data["message"]["body"].as_str().is_some_and(|b| b.contains("marker-2"))
        {
            saw_second = true;
        }
        if matches!(frame, ServerFrame::Live { .. }) {
            break;
        }
    }
    assert!(saw_second);
    let silent = tokio::time::timeout(Duration::from_millis(500), mentee_live.next_event()).await;
    assert!(silent.is_err(), "a removed member receives nothing more: {silent:?}");

    // Nothing the coordinator's socket received carries content.
    let coord_frames = tokio::time::timeout(Duration::from_millis(300), coord_live.next_frame()).await;
    if let Ok(Ok(Some(frame))) = coord_frames {
        let text = serde_json::to_string(&frame).unwrap_or_default();
        assert!(!text.contains("VERTROUWELIJK"), "coordinator socket leaked content: {text}");
    }
    app.stop().await;
}

async fn socket_authentication_and_origin(app: TestServer) {
    let w = World::build(&app).await;
    let mentor = Api::login(&app.base, &w.mentor.email, PASSWORD).await.expect("login");
    let ws_base = app.base.replacen("http://", "ws://", 1);

    // A ticket works once.
    let ticket = mentor.ws_ticket().await.expect("ticket");
    let mut first = Live::connect_url(&format!("{ws_base}/api/v1/ws?ticket={ticket}"), BTreeMap::new()).await.expect("first use");
    first.hello().await.expect("hello");
    assert!(Live::connect_url(&format!("{ws_base}/api/v1/ws?ticket={ticket}"), BTreeMap::new()).await.is_err(), "a ticket is single-use");
    assert!(Live::connect_url(&format!("{ws_base}/api/v1/ws?ticket=not-a-ticket"), BTreeMap::new()).await.is_err());

    // The auth first frame works instead of a ticket; a bad token closes with 4004.
    let mut by_token = Live::connect_with_token(&app.base, &w.mentor.token).await.expect("connect");
    by_token.hello().await.expect("hello with auth frame");
    let mut bad = Live::connect_with_token(&app.base, "garbage").await.expect("connect");
    assert!(bad.hello().await.is_err());
    while bad.next_frame().await.expect("frame").is_some() {}
    assert_eq!(bad.closed.as_ref().and_then(|c| c.code), Some(close::UNAUTHENTICATED));

    // An old protocol version is told to upgrade.
    let ticket = mentor.ws_ticket().await.expect("ticket");
    let mut old = Live::connect_url(&format!("{ws_base}/api/v1/ws?ticket={ticket}"), BTreeMap::new()).await.expect("connect");
    old.send(&ClientFrame::Hello { protocol: 0, cursors: BTreeMap::new() }).await.expect("send");
    while old.next_frame().await.expect("frame").is_some() {}
    assert_eq!(old.closed.as_ref().and_then(|c| c.code), Some(close::UPGRADE_REQUIRED));

    // A binary frame after hello is a protocol error (docs/websocket.md).
    let mut binary = Live::connect(&mentor).await.expect("connect");
    binary.hello().await.expect("hello");
    binary.send_binary(vec![0x7b, 0x7d]).await.expect("send");
    tokio::time::timeout(WAIT, async { while binary.next_frame().await.ok().flatten().is_some() {} }).await.expect("closed in time");
    assert_eq!(binary.closed.as_ref().and_then(|c| c.code), Some(close::PROTOCOL_ERROR));

    // A cross-origin upgrade is refused before it happens.
    let ticket = mentor.ws_ticket().await.expect("ticket");
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/ws?ticket={ticket}")))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 403);
    let same = app
        .client
        .get(app.url("/api/v1/ws"))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("origin", &app.base)
        .send()
        .await
        .expect("request");
    assert_eq!(same.status(), 101, "the service's own origin may connect");

    // Logging out closes the sockets of that login with "login ended".
    let (s, _) = app.call(reqwest::Method::POST, "/api/v1/auth/logout", None, Some(json!({"refresh_token": mentor.refresh_token}))).await;
    assert_eq!(s, 204);
    let _ = tokio::time::timeout(WAIT, async { while first.next_frame().await.ok().flatten().is_some() {} }).await;
    assert_eq!(first.closed.as_ref().and_then(|c| c.code), Some(close::LOGIN_ENDED));
    app.stop().await;
}

async fn a_new_membership_reaches_open_sockets(app: TestServer) {
    let w = World::build(&app).await;
    let outsider = Api::login(&app.base, &w.outsider.email, PASSWORD).await.expect("login");
    let mut live = Live::connect(&outsider).await.expect("connect");
    live.hello().await.expect("hello");
    assert!(live.subscriptions.is_empty());
    // The coordinator pairs the outsider with the mentor in a new mentorship.
    let (s, m) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": w.outsider.id, "role": "mentee"}], "status": "active"}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let first = next_event(&mut live).await;
    assert_eq!(first.kind.as_str(), "member.added");
    assert_eq!(first.data["user_id"], json!(w.outsider.id));
    let (s, t) = app
        .post(
            &format!("/api/v1/mentorships/{}/threads", m["id"].as_str().expect("id")),
            &w.mentor.token,
            json!({"subject": "Welkom", "body": "Hoi!"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let mut kinds = Vec::new();
    while kinds.len() < 2 {
        kinds.push(next_event(&mut live).await.kind.as_str().to_owned());
    }
    assert_eq!(kinds, ["thread.created", "message.created"]);
    app.stop().await;
}

async fn an_expiring_access_token_closes_its_socket(app: TestServer) {
    let w = World::build(&app).await;
    // A fresh token (15 minutes; building the world took a while on a busy machine)
    // with five seconds left on the server's clock.
    let mentor = Api::login(&app.base, &w.mentor.email, PASSWORD).await.expect("login");
    app.clock.advance(chrono::Duration::seconds(15 * 60 - 5));
    let mut live = Live::connect_with_token(&app.base, &mentor.access_token).await.expect("connect");
    live.hello().await.expect("hello while the token is still valid");
    let _ = tokio::time::timeout(WAIT, async { while live.next_frame().await.ok().flatten().is_some() {} }).await;
    assert_eq!(live.closed.as_ref().and_then(|c| c.code), Some(close::LOGIN_ENDED));
    app.stop().await;
}

/// A socket that follows no mentorship (yet) is closed when its login ends, so it can
/// never be subscribed to one later.
async fn a_revoked_login_closes_a_socket_that_follows_nothing(app: TestServer) {
    let w = World::build(&app).await;
    let outsider = Api::login(&app.base, &w.outsider.email, PASSWORD).await.expect("login");
    let mut live = Live::connect(&outsider).await.expect("connect");
    live.hello().await.expect("hello");
    assert!(live.subscriptions.is_empty());
    let (s, _) = app.call(reqwest::Method::POST, "/api/v1/auth/logout", None, Some(json!({"refresh_token": outsider.refresh_token}))).await;
    assert_eq!(s, 204);
    let _ = tokio::time::timeout(WAIT, async { while live.next_frame().await.ok().flatten().is_some() {} }).await;
    assert_eq!(live.closed.as_ref().and_then(|c| c.code), Some(close::LOGIN_ENDED));
    app.stop().await;
}

/// A reader that stops reading is cut off (its queue overflowed) while the server's
/// close frame waits behind everything it has not read, and meanwhile it has written
/// something the server will never read (here a frame; in the wild, the pong to a
/// ping). Dropping the socket with that unread would reset the connection and throw
/// away the close frame; the server shuts down its side and reads on for a moment
/// instead, so the reader, reading again, finds close 4000 with its reason.
async fn a_reader_cut_off_while_not_reading_gets_its_close_frame(app: TestServer) {
    let w = World::build(&app).await;
    let mentee = Api::login(&app.base, &w.mentee.email, PASSWORD).await.expect("login");
    let mut stalled = Live::connect(&mentee).await.expect("connect");
    // The server subscribes the socket before it answers hello.
    stalled.hello().await.expect("hello");
    assert_eq!(app.state.hub.subscriber_count(), 1);

    // Big messages until the socket buffers are full and its queue overflows.
    let body = "Łódź, Çağrı en João lezen niet meer mee. ".repeat(800);
    let mut posted = 0;
    while app.state.hub.subscriber_count() == 1 {
        assert!(posted < 5000, "no eviction after {posted} messages");
        futures_util::future::join_all((0..8).map(|_| w.post_message(&app, &w.mentor, &body))).await;
        posted += 8;
    }

    // Written while the server no longer reads this socket.
    stalled.send(&ClientFrame::Hello { protocol: 1, cursors: BTreeMap::new() }).await.expect("a frame the server will not read");
    let mut events = 0;
    loop {
        match tokio::time::timeout(Duration::from_secs(60), stalled.next_frame()).await.expect("the socket ends in time").expect("frame") {
            Some(ServerFrame::Event { .. }) => events += 1,
            Some(_) => {}
            None => break,
        }
    }
    let closed = stalled.closed.clone().expect("closed");
    assert_eq!(closed.code, Some(close::RESUME), "after {events} events of {posted}: {closed:?}");
    assert_eq!(closed.reason, "too slow; reconnect and resume");
    app.stop().await;
}
