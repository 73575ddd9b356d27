//! A committed write publishes itself: every route that changes a mentorship — a
//! message, a thread, the agreement, members, a meeting, an action ticked off, a periodic review, a check-in, mail received, the
//! lifecycle — reaches a member's open socket without the handler telling anyone (the
//! store notes it, the write path publishes it after commit). Both backends.

use mentorpost_client::{Api, Live};
use mentorpost_model::api::EventView;
use mentorpost_model::ws::ServerFrame;
use mentorpost_server::mail::tokens::TokenKind;
use mentorpost_server::store;
use mentorpost_tests::world::{PASSWORD, person};
use mentorpost_tests::{Backend, INBOUND_SECRET as SECRET, MAIL_DOMAIN as DOMAIN, TestServer, World};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite() {
    let app = TestServer::start_for_mail(Backend::Sqlite).await.expect("sqlite server");
    every_write_reaches_a_members_socket(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres() {
    match TestServer::start_for_mail(Backend::Postgres).await {
        Some(app) => every_write_reaches_a_members_socket(app).await,
        None => eprintln!("PostgreSQL suite skipped: set {} to run it", mentorpost_tests::PG_ENV),
    }
}

/// The next event on `live` (skipping other frames), within the time bound.
async fn next_event(live: &mut Live, what: &str) -> EventView {
    tokio::time::timeout(WAIT, async {
        loop {
            match live.next_frame().await.expect("frame") {
                Some(ServerFrame::Event { event }) => return event,
                Some(_) => {}
                None => panic!("socket closed while waiting for {what}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no event for {what} within {WAIT:?}"))
}

/// Events until one of `kind` arrives (a write may append several).
async fn expect(live: &mut Live, kind: &str, what: &str) -> EventView {
    loop {
        let event = next_event(live, what).await;
        if event.kind.as_str() == kind {
            return event;
        }
    }
}

async fn every_write_reaches_a_members_socket(app: TestServer) {
    let w = World::build(&app).await;
    let mentee = Api::login(&app.base, &w.mentee.email, PASSWORD).await.expect("login");
    let mut live = Live::connect(&mentee).await.expect("socket");
    live.hello().await.expect("hello");
    let m = &w.mentorship;

    // A message in a thread.
    w.post_message(&app, &w.mentor, "Een bericht").await;
    let e = expect(&mut live, "message.created", "a message").await;
    assert_eq!(e.data["message"]["body"], "Een bericht");

    // A new thread.
    let (s, b) =
        app.post(&format!("/api/v1/mentorships/{m}/threads"), &w.mentor.token, json!({"subject": "Stage in Łódź", "body": "Eerste"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    expect(&mut live, "thread.created", "a thread").await;
    expect(&mut live, "message.created", "a thread's first message").await;

    // The agreement: content and rhythm.
    let (s, b) = app
        .put(&format!("/api/v1/mentorships/{m}/agreement/content"), &w.mentor.token, json!({"ground_rules": "Eerlijk", "goals": "Groeien"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    expect(&mut live, "agreement.updated", "the agreement's content").await;
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{m}/agreement/rhythm"),
            &w.coordinator.token,
            json!({"contact_every_days": 10, "response_within_hours": 48, "meeting_rhythm": "om de week"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    expect(&mut live, "agreement.updated", "the rhythm").await;

    // Members joining and leaving.
    let newcomer = person(&app, "newcomer@example.org", "Ayşe Demir", false).await;
    let (s, b) = app
        .post(&format!("/api/v1/mentorships/{m}/members"), &w.coordinator.token, json!({"user_id": newcomer.id, "role": "mentor"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(expect(&mut live, "member.added", "a member added").await.data["display_name"], "Ayşe Demir");
    let (s, b) =
        app.call(Method::DELETE, &format!("/api/v1/mentorships/{m}/members/{}", newcomer.id), Some(&w.coordinator.token), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    expect(&mut live, "member.removed", "a member removed").await;

    // A meeting.
    let today = chrono::Utc::now().date_naive().to_string();
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{m}/meetings"),
            &w.mentor.token,
            json!({"date": today, "duration_minutes": 45, "mode": "video", "note": "Goed gesprek",
                   "actions": [{"text": "Cv bijwerken", "owner_id": w.mentee.id}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let e = expect(&mut live, "meeting.logged", "a meeting").await;
    assert_eq!(e.actor_id, Some(w.mentor.id));
    assert!(!e.data.to_string().contains("Goed gesprek"), "the note is read from the meetings route");

    // An action ticked off, and opened again.
    let done = format!("/api/v1/mentorships/{m}/actions/1/done");
    let (s, b) = app.call(Method::POST, &done, Some(&w.mentee.token), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let e = expect(&mut live, "action.updated", "an action done").await;
    assert_eq!(e.actor_id, Some(w.mentee.id));
    assert!(!e.data.to_string().contains("Cv bijwerken"), "the action is read from the actions route");
    let (s, b) = app.call(Method::DELETE, &done, Some(&w.mentee.token), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    expect(&mut live, "action.updated", "an action reopened").await;

    // A periodic review (F8), once the mentorship began long enough ago for one to be due.
    let start = (chrono::Utc::now() - chrono::Duration::days(200)).date_naive().to_string();
    let id = m.clone();
    app.state
        .db
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query("UPDATE mentorships SET start_date = $1 WHERE id = $2").bind(start).bind(id).execute(&mut *conn).await?;
                Ok(())
            })
        })
        .await
        .expect("an earlier start");
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{m}/reviews"),
            &w.mentee.token,
            json!({"round": 1, "answers": {"growth": "Ik durf nu te bellen", "satisfaction": 4}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let e = expect(&mut live, "review.updated", "a review").await;
    assert_eq!(e.actor_id, Some(w.mentee.id));
    assert!(!e.data.to_string().contains("bellen"), "the answers are the member's own");

    // A check-in by the coordinator.
    let (s, b) = app.call(Method::POST, &format!("/api/v1/mentorships/{m}/check-ins"), Some(&w.coordinator.token), None).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    expect(&mut live, "thread.created", "a check-in").await;
    expect(&mut live, "message.created", "the check-in's question").await;

    // Mail received: a reply by e-mail into the first thread.
    let thread: mentorpost_model::ThreadId = w.thread.parse().expect("thread id");
    let token = app.state.mailer.tokens.reply(w.mentor.id, thread);
    store::mail::remember_tokens(
        &app.state.db,
        vec![(token.clone(), TokenKind::Reply, w.mentor.id, Some(thread), None)],
        chrono::Utc::now(),
    )
    .await
    .expect("token");
    let raw = format!(
        "From: Çağrı Yılmaz <{}>\r\nTo: reply+{token}@{DOMAIN}\r\nSubject: Re: Kennismaking\r\nMessage-ID: <{}@client.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPer mail beantwoord.\r\n",
        w.mentor.email,
        uuid::Uuid::new_v4()
    );
    let (s, b) = app.raw(Method::POST, "/api/v1/inbound/email", Some(SECRET), "message/rfc822", raw.into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["outcome"], "posted", "{b}");
    let e = expect(&mut live, "message.created", "a mailed reply").await;
    assert_eq!(e.data["message"]["body"], "Per mail beantwoord.");

    // The lifecycle: closing.
    let (s, b) = app.post(&format!("/api/v1/mentorships/{m}/close"), &w.coordinator.token, json!({"reason": "completed"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(expect(&mut live, "mentorship.updated", "closing").await.data["status"], "closed");
    live.close().await;
    app.stop().await;
}
