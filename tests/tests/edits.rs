//! An author edits or deletes their own message within the edit window: through the
//! API and the web pages, live on the other member's socket and in a replay, in mail
//! not yet sent, and the refusals around it — on both backends.

use chrono::Duration as ChronoDuration;
use mentorpost_client::{Api, Live};
use mentorpost_model::ws::ServerFrame;
use mentorpost_tests::smtp::{SmtpServer, parse};
use mentorpost_tests::web::{get, post_form, sign_in};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{Backend, TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

both_backends!(edits_and_deletions_reach_sockets_and_replays, refusals_are_precise, the_web_pages_edit_and_delete);

async fn with_smtp(backend: Backend) -> Option<(TestServer, SmtpServer)> {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestServer::start_with(backend, |c| c.smtp_url = Some(url)).await?;
    Some((app, smtp))
}

mod mail_not_yet_sent_follows_the_change {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        let (app, smtp) = super::with_smtp(mentorpost_tests::Backend::Sqlite).await.expect("sqlite server");
        super::mail_not_yet_sent_follows_the_change(app, smtp).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        match super::with_smtp(mentorpost_tests::Backend::Postgres).await {
            Some((app, smtp)) => super::mail_not_yet_sent_follows_the_change(app, smtp).await,
            None => eprintln!("PostgreSQL suite skipped: set {} to run it", mentorpost_tests::PG_ENV),
        }
    }
}

async fn next_event(live: &mut Live) -> mentorpost_model::api::EventView {
    tokio::time::timeout(WAIT, live.next_event()).await.expect("an event within the time bound").expect("stream ok").expect("stream open")
}

async fn patch(app: &TestServer, id: &str, token: &str, body: &str) -> (StatusCode, Value) {
    app.call(Method::PATCH, &format!("/api/v1/messages/{id}"), Some(token), Some(json!({ "body": body }))).await
}

async fn delete(app: &TestServer, id: &str, token: &str) -> (StatusCode, Value) {
    app.call(Method::DELETE, &format!("/api/v1/messages/{id}"), Some(token), None).await
}

async fn count(app: &TestServer, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).bind(bind.to_owned()).fetch_one(app.state.db.pool()).await.expect("count")
}

async fn edits_and_deletions_reach_sockets_and_replays(app: TestServer) {
    let w = World::build(&app).await;
    let mentee = Api::login(&app.base, &w.mentee.email, PASSWORD).await.expect("login");
    let mut live = Live::connect(&mentee).await.expect("connect");
    live.hello().await.expect("hello");
    match tokio::time::timeout(WAIT, live.next_frame()).await.expect("live frame").expect("ok") {
        Some(ServerFrame::Live { .. }) => {}
        other => panic!("expected live, got {other:?}"),
    }
    let start = live.cursors[&w.mentorship.parse().expect("id")];

    let posted = w.post_message(&app, &w.mentor, "Tot dinsdag, Çağrı — om 10 uur?").await;
    let id = posted["id"].as_str().expect("id").to_owned();
    assert_eq!(next_event(&mut live).await.kind.as_str(), "message.created");

    let (s, edited) = patch(&app, &id, &w.mentor.token, "Tot woensdag, Çağrı — om 11 uur?").await;
    assert_eq!(s, StatusCode::OK, "{edited}");
    assert_eq!(edited["body"], "Tot woensdag, Çağrı — om 11 uur?");
    assert!(edited["edited_at"].is_string(), "{edited}");
    assert_eq!(edited["seq"], posted["seq"], "an edit keeps the message's place");
    let event = next_event(&mut live).await;
    assert_eq!(event.kind.as_str(), "message.edited");
    assert_eq!(event.data["message"]["id"], posted["id"]);
    assert_eq!(event.data["message"]["body"], "Tot woensdag, Çağrı — om 11 uur?");
    assert_eq!(event.data["message"]["seq"], posted["seq"]);
    assert!(event.data["message"]["edited_at"].is_string());

    // A late retry of the original post (same key, the old text) gets the message as
    // it now stands, and writes nothing.
    let before = app.snapshot().await;
    let (s, retried) = app
        .post(
            &format!("/api/v1/threads/{}/messages", w.thread),
            &w.mentor.token,
            json!({"body": "Tot dinsdag, Çağrı — om 10 uur?", "client_msg_id": posted["client_msg_id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{retried}");
    assert_eq!(retried["id"], posted["id"]);
    assert_eq!(retried["body"], "Tot woensdag, Çağrı — om 11 uur?");
    assert_eq!(app.snapshot().await, before);

    // The same text again changes nothing and tells nobody.
    let seq_before = count(&app, "SELECT last_seq FROM mentorships WHERE id = $1", &w.mentorship).await;
    let (s, _) = patch(&app, &id, &w.mentor.token, "Tot woensdag, Çağrı — om 11 uur?").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(count(&app, "SELECT last_seq FROM mentorships WHERE id = $1", &w.mentorship).await, seq_before);

    // Nowhere is the earlier text kept or replayed.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages WHERE body LIKE $1", "%dinsdag%").await, 0);
    let (s, page) = app.get(&format!("/api/v1/mentorships/{}/events?after={start}", w.mentorship), &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(!page.to_string().contains("dinsdag"), "a replay shows only the current text: {page}");
    assert_eq!(page["events"][0]["data"]["message"]["body"], "Tot woensdag, Çağrı — om 11 uur?");

    let (s, deleted) = delete(&app, &id, &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["body"], "");
    assert!(deleted["deleted_at"].is_string());
    let event = next_event(&mut live).await;
    assert_eq!(event.kind.as_str(), "message.deleted");
    assert_eq!(event.data["message"]["body"], "");
    assert!(event.data["message"]["deleted_at"].is_string());

    // Deleting again answers the same and appends nothing; an edit is refused.
    let seq_before = count(&app, "SELECT last_seq FROM mentorships WHERE id = $1", &w.mentorship).await;
    let (s, again) = delete(&app, &id, &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["deleted_at"], deleted["deleted_at"]);
    assert_eq!(count(&app, "SELECT last_seq FROM mentorships WHERE id = $1", &w.mentorship).await, seq_before);
    let (s, err) = patch(&app, &id, &w.mentor.token, "toch nog").await;
    assert_eq!(s, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["code"], "message_deleted");

    // A client that resumes from before sees the created, edited and deleted events,
    // each with the message as it now stands.
    let (_, page) = app.get(&format!("/api/v1/mentorships/{}/events?after={start}", w.mentorship), &w.mentee.token).await;
    let kinds: Vec<&str> = page["events"].as_array().expect("events").iter().map(|e| e["kind"].as_str().unwrap_or_default()).collect();
    assert_eq!(kinds, ["message.created", "message.edited", "message.deleted"]);
    assert!(page["events"].as_array().expect("events").iter().all(|e| e["data"]["message"]["body"] == ""));
    let (_, messages) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.mentee.token).await;
    let shown = messages["messages"].as_array().expect("messages").iter().find(|m| m["id"] == posted["id"]).expect("tombstone kept");
    assert_eq!(shown["body"], "");
    assert!(shown["deleted_at"].is_string());
    live.close().await;
    app.stop().await;
}

async fn refusals_are_precise(app: TestServer) {
    let w = World::build(&app).await;
    let posted = w.post_message(&app, &w.mentor, "Mijn bericht").await;
    let id = posted["id"].as_str().expect("id");

    let (s, err) = patch(&app, id, &w.mentee.token, "niet van mij").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "another member: {err}");
    let (s, _) = delete(&app, id, &w.mentee.token).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = patch(&app, id, &w.coordinator.token, "coördinator").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the coordinator may know the mentorship, not change its content");
    let (s, _) = patch(&app, id, &w.outsider.token, "buitenstaander").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = delete(&app, &uuid::Uuid::now_v7().to_string(), &w.mentor.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, err) = patch(&app, id, &w.mentor.token, "   ").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (s, err) =
        app.call(Method::PATCH, &format!("/api/v1/messages/{id}"), Some(&w.mentor.token), Some(json!({"body": "x", "extra": 1}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages WHERE body = $1", "Mijn bericht").await, 1, "nothing was changed");

    // Past the window (24 hours by default) the message stays as it is.
    app.clock.advance(ChronoDuration::hours(24) + ChronoDuration::minutes(1));
    let (mentor, _) = app.login(&w.mentor.email, PASSWORD).await;
    let (s, err) = patch(&app, id, &mentor, "te laat").await;
    assert_eq!(s, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["code"], "edit_window_closed");
    let (s, err) = delete(&app, id, &mentor).await;
    assert_eq!(s, StatusCode::CONFLICT, "{err}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM messages WHERE body = $1 AND edited_at IS NULL AND deleted_at IS NULL", "Mijn bericht").await,
        1
    );
    app.stop().await;
}

async fn the_web_pages_edit_and_delete(app: TestServer) {
    let w = World::build(&app).await;
    let posted = w.post_message(&app, &w.mentor, "Zullen we op vrijdag afspreken in Łódź?").await;
    let id = posted["id"].as_str().expect("id");
    let (mentor, mentor_csrf) = sign_in(&app, &w.mentor.email).await;
    let (mentee, _) = sign_in(&app, &w.mentee.email).await;

    let (s, page, _) = get(&app, &mentor, &format!("/threads/{}", w.thread)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&format!("href=\"/messages/{id}/edit\"")), "the author's own message has an edit link");
    assert!(page.contains(&format!("href=\"/messages/{id}/delete\"")));
    let (_, page, _) = get(&app, &mentee, &format!("/threads/{}", w.thread)).await;
    assert!(!page.contains(&format!("/messages/{id}/edit")), "nobody else's");
    let (s, _, _) = get(&app, &mentee, &format!("/messages/{id}/edit")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, page, _) = get(&app, &mentor, &format!("/messages/{id}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Zullen we op vrijdag afspreken in Łódź?") && page.contains("24 hours"), "{page}");
    let (s, page, _) = post_form(&app, &mentor, &format!("/messages/{id}/edit"), &[("csrf", &mentor_csrf), ("body", "")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an empty text is refused on the page: {page}");
    let (s, _, headers) =
        post_form(&app, &mentor, &format!("/messages/{id}/edit"), &[("csrf", &mentor_csrf), ("body", "Zaterdag dan, in Łódź?")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("/threads/{}#m-{id}", w.thread).as_str());
    let (_, page, _) = get(&app, &mentee, &format!("/threads/{}", w.thread)).await;
    assert!(page.contains("Zaterdag dan, in Łódź?") && !page.contains("vrijdag"), "the reader sees the new text only");
    assert!(page.contains("class=\"edited\""), "marked as edited");
    // The item the page's script swaps in on `message.edited`.
    let (s, item, _) = get(&app, &mentee, &format!("/messages/{id}/item")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(item.starts_with("\n<li class=\"message") || item.trim_start().starts_with("<li class=\"message"), "{item}");
    assert!(item.contains("Zaterdag dan") && item.contains("class=\"edited\""));
    let (s, _, _) = get(&app, &sign_in(&app, &w.outsider.email).await.0, &format!("/messages/{id}/item")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The coordinator reads no message, by any of these pages.
    let (coordinator, _) = sign_in(&app, &w.coordinator.email).await;
    for page in ["item", "edit", "delete"] {
        let (s, body, _) = get(&app, &coordinator, &format!("/messages/{id}/{page}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{page}");
        assert!(!body.contains("Zaterdag dan"), "{page}");
    }

    let (s, page, _) = get(&app, &mentor, &format!("/messages/{id}/delete")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Delete message") && page.contains("Zaterdag dan"), "{page}");
    let (s, _, _) = post_form(&app, &mentor, &format!("/messages/{id}/delete"), &[("csrf", &mentor_csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page, _) = get(&app, &mentee, &format!("/threads/{}", w.thread)).await;
    assert!(page.contains("This message was deleted by its author.") && !page.contains("Zaterdag dan"), "a tombstone");

    // Past the window the links are gone and the page says why.
    let later = w.post_message(&app, &w.mentor, "Nog een bericht").await;
    let later = later["id"].as_str().expect("id");
    app.clock.advance(ChronoDuration::hours(25));
    let (mentor, mentor_csrf) = sign_in(&app, &w.mentor.email).await;
    let (_, page, _) = get(&app, &mentor, &format!("/threads/{}", w.thread)).await;
    assert!(!page.contains(&format!("/messages/{later}/edit")));
    let (s, page, _) = get(&app, &mentor, &format!("/messages/{later}/edit")).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(page.contains("can no longer be changed"), "{page}");
    let (s, _, _) = post_form(&app, &mentor, &format!("/messages/{later}/edit"), &[("csrf", &mentor_csrf), ("body", "te laat")]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages WHERE body = $1", "Nog een bericht").await, 1);
    app.stop().await;
}

async fn mail_not_yet_sent_follows_the_change(app: TestServer, smtp: SmtpServer) {
    let w = World::build(&app).await;
    // The world's first message is read, so no reminder about it joins the mail.
    let (s, b) = app.post(&format!("/api/v1/threads/{}/read", w.thread), &w.mentee.token, json!({"message_id": w.first_message})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // Quiet hours around the mentee's local time: the notifications wait.
    let tz: chrono_tz::Tz = "Europe/Amsterdam".parse().expect("tz");
    let local = mentorpost_model::Clock::now(app.clock.as_ref()).with_timezone(&tz);
    let start = (local - ChronoDuration::hours(1)).format("%H:%M").to_string();
    let end = (local + ChronoDuration::hours(1)).format("%H:%M").to_string();
    let (s, b) = app
        .put(
            "/api/v1/me/mail",
            &w.mentee.token,
            json!({"mode": "each", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10, "quiet_start": start, "quiet_end": end}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let kept = w.post_message(&app, &w.mentor, "Eerste versie van het plan").await;
    let gone = w.post_message(&app, &w.mentor, "Dit had ik niet moeten sturen").await;
    let (s, _) = patch(&app, kept["id"].as_str().expect("id"), &w.mentor.token, "Tweede versie van het plan").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = delete(&app, gone["id"].as_str().expect("id"), &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK);
    let gone_mail = format!("{}.{}", gone["id"].as_str().expect("id"), w.mentee.id);
    // Cancelled at once when it waits in the outbox; when the worker holds it just
    // then, the worker cancels it when it finds the message deleted.

    app.clock.advance(ChronoDuration::minutes(61));
    app.drain_outbox().await;
    let mails = smtp.wait_for(1, WAIT).await;
    let to_mentee: Vec<_> = mails.iter().filter(|m| m.to == vec![w.mentee.email.clone()]).collect();
    assert_eq!(to_mentee.len(), 1, "one mail: the deleted message's was cancelled");
    let text = parse(to_mentee[0]).body_text(0).expect("text").replace("\r\n", "\n");
    assert!(
        text.contains("Tweede versie van het plan") && !text.contains("Eerste versie"),
        "the mail carries the text as it is now:\n{text}"
    );
    assert!(!text.contains("niet moeten sturen"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE id = $1 AND status = 'cancelled'", &gone_mail).await, 1);
    app.stop().await;
}
