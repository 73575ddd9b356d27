//! Sharing a concern with the coordinator (F4), on both backends: a share exposes to
//! the programme's coordinators exactly the item shared — one message, one thread, a
//! note — and nothing else of the mentorship; the other members are told that
//! something was shared (what, only when the sharer allows it); nobody else reads it;
//! the snapshot outlives a change of the message; and the web flow goes through a
//! confirmation page that shows what the coordinator will see.

use mentorpost_tests::web::{csrf_of, get, post_form, sign_in};
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(a_shared_message_shows_that_message_only, a_shared_thread_and_a_note, who_may_share_and_read, sharing_on_the_web);

const OTHER_SUBJECT: &str = "Hidden-subject-ot7";
const OTHER_BODY: &str = "Hidden-body-ob3";

/// A second thread the coordinator must never see, and the answer the mentee shares.
async fn seed(app: &TestServer, w: &World) -> (String, String) {
    let (s, t) = app
        .post(
            &format!("/api/v1/mentorships/{}/threads", w.mentorship),
            &w.mentor.token,
            json!({"subject": OTHER_SUBJECT, "body": OTHER_BODY}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let m = w.post_message(app, &w.mentee, "Shared-body-sb9: ik voel me niet veilig bij deze afspraak.").await;
    (t["thread"]["id"].as_str().expect("thread").to_owned(), m["id"].as_str().expect("message").to_owned())
}

fn mails_to(app: &TestServer, address: &str) -> Vec<String> {
    app.mail_files().into_iter().filter(|m| m.contains(&format!("To: {address}")) || m.contains(&format!("<{address}>"))).collect()
}

async fn a_shared_message_shows_that_message_only(app: TestServer) {
    let w = World::build(&app).await;
    let (_, message) = seed(&app, &w).await;
    let (s, shared) = app
        .post(
            &format!("/api/v1/mentorships/{}/concerns", w.mentorship),
            &w.mentee.token,
            json!({"kind": "message", "message_id": message, "note": "Note-words-nw1"}),
        )
        .await;
    assert_eq!(s, 201, "{shared}");
    assert_eq!(shared["kind"], "message");
    assert_eq!(shared["snapshot"]["messages"].as_array().map(Vec::len), Some(1));

    // The coordinator reads exactly that message, its thread's subject and the note.
    let (s, list) = app.get(&format!("/api/v1/programmes/{}/concerns", w.programme), &w.coordinator.token).await;
    assert_eq!(s, 200, "{list}");
    let text = list.to_string();
    for expected in ["Shared-body-sb9", "Note-words-nw1", "Kennismaking: doelen voor het eerste kwartaal", "João Pereira"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    for hidden in [OTHER_SUBJECT, OTHER_BODY, "Dag João, welkom!"] {
        assert!(!text.contains(hidden), "{hidden} must not reach the coordinator: {text}");
    }
    assert_eq!(list[0]["status"], "new");

    // The same on the coordinator's page.
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    let (s, page, _) = get(&app, &cookie, &format!("/coordinate/programmes/{}/concerns", w.programme)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Shared-body-sb9") && page.contains("Note-words-nw1"), "{page}");
    assert!(!page.contains(OTHER_SUBJECT) && !page.contains(OTHER_BODY) && !page.contains("Dag João"), "{page}");

    // The mentor is told by mail that something was shared, without what.
    app.drain_outbox().await;
    let told = mails_to(&app, &w.mentor.email);
    let notice = told.iter().find(|m| m.contains("shared something with the coordinator")).expect("the mentor's mail");
    assert!(!notice.contains("Shared-body-sb9") && !notice.contains("Note-words-nw1"), "{notice}");
    assert!(mails_to(&app, &w.coordinator.email).iter().all(|m| !m.contains("shared something")), "no mail to the coordinator");
    // … and on the mentorship's list, also without what.
    let (s, notices) = app.get(&format!("/api/v1/mentorships/{}/concerns", w.mentorship), &w.mentor.token).await;
    assert_eq!(s, 200, "{notices}");
    assert_eq!(notices[0]["shared_by_name"], "João Pereira");
    assert_eq!(notices[0]["shared"], Value::Null);
    let (_, own) = app.get(&format!("/api/v1/mentorships/{}/concerns", w.mentorship), &w.mentee.token).await;
    assert!(own[0]["shared"]["snapshot"].to_string().contains("Shared-body-sb9"), "{own}");

    // A later change of the message does not change what was shared.
    let id = message.clone();
    app.state
        .db
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query("UPDATE messages SET body = 'Changed afterwards' WHERE id = $1").bind(id).execute(&mut *conn).await?;
                Ok::<_, mentorpost_server::db::StoreError>(())
            })
        })
        .await
        .expect("change the message");
    let (_, list) = app.get(&format!("/api/v1/programmes/{}/concerns", w.programme), &w.coordinator.token).await;
    assert!(list.to_string().contains("Shared-body-sb9") && !list.to_string().contains("Changed afterwards"), "{list}");

    // Acknowledged, then resolved, by the coordinator; the other programme's may not.
    let concern = shared["id"].as_str().expect("id");
    let path = format!("/api/v1/concerns/{concern}/status");
    let (s, b) = app.put(&path, &w.other_coordinator.token, json!({"status": "acknowledged"})).await;
    assert_eq!(s, 404, "{b}");
    let (s, b) = app.put(&path, &w.coordinator.token, json!({"status": "acknowledged"})).await;
    assert_eq!((s.as_u16(), b["status"].as_str()), (200, Some("acknowledged")), "{b}");
    let (s, b) = app.put(&path, &w.coordinator.token, json!({"status": "new"})).await;
    assert_eq!(s, 422, "{b}");
    let (s, b) = app.put(&path, &w.coordinator.token, json!({"status": "resolved"})).await;
    assert_eq!((s.as_u16(), b["status"].as_str()), (200, Some("resolved")), "{b}");
}

async fn a_shared_thread_and_a_note(app: TestServer) {
    let w = World::build(&app).await;
    let (other_thread, _) = seed(&app, &w).await;
    // The whole first thread, and the mentor may read what was shared.
    let (s, shared) = app
        .post(
            &format!("/api/v1/mentorships/{}/concerns", w.mentorship),
            &w.mentee.token,
            json!({"kind": "thread", "thread_id": w.thread, "others_may_see": true}),
        )
        .await;
    assert_eq!(s, 201, "{shared}");
    let messages = shared["snapshot"]["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2, "the thread's two messages: {shared}");
    let (_, list) = app.get(&format!("/api/v1/programmes/{}/concerns", w.programme), &w.coordinator.token).await;
    let text = list.to_string();
    assert!(text.contains("Dag João, welkom!") && text.contains("Shared-body-sb9"), "{text}");
    assert!(!text.contains(OTHER_SUBJECT) && !text.contains(OTHER_BODY), "{text}");
    app.drain_outbox().await;
    let told = mails_to(&app, &w.mentor.email);
    assert!(told.iter().any(|m| m.contains("shared something with the coordinator") && m.contains("Shared-body-sb9")), "{told:?}");
    let (_, notices) = app.get(&format!("/api/v1/mentorships/{}/concerns", w.mentorship), &w.mentor.token).await;
    assert!(notices[0]["shared"]["snapshot"].to_string().contains("Dag João"), "{notices}");

    // A note alone: only its words.
    let (s, note) = app
        .post(
            &format!("/api/v1/mentorships/{}/concerns", w.mentorship),
            &w.mentor.token,
            json!({"kind": "note", "note": "Mentor-note-mn5: kunnen we even bellen?"}),
        )
        .await;
    assert_eq!(s, 201, "{note}");
    assert_eq!(note["snapshot"]["messages"], json!([]));
    let (_, list) = app.get(&format!("/api/v1/programmes/{}/concerns", w.programme), &w.coordinator.token).await;
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert!(list[0]["note"].as_str().is_some_and(|n| n.starts_with("Mentor-note-mn5")), "{list}");

    // Shapes refused at the edge, nothing written (the note's mail sent first: sending
    // stores its tokens).
    app.drain_outbox().await;
    for body in [
        json!({"kind": "note", "note": "  "}),
        json!({"kind": "message", "thread_id": w.thread}),
        json!({"kind": "thread", "thread_id": w.thread, "message_id": w.first_message}),
        json!({"kind": "note", "note": "x".repeat(4001)}),
    ] {
        let before = app.row_counts().await;
        let (s, b) = app.post(&format!("/api/v1/mentorships/{}/concerns", w.mentorship), &w.mentee.token, body).await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(app.row_counts().await, before);
    }
    // A thread of another mentorship is not found here.
    let (s, m2) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": w.outsider.id, "role": "mentee"}], "status": "active"}),
        )
        .await;
    assert_eq!(s, 201, "{m2}");
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{}/concerns", m2["id"].as_str().expect("id")),
            &w.mentor.token,
            json!({"kind": "thread", "thread_id": other_thread}),
        )
        .await;
    assert_eq!(s, 404, "{b}");
}

async fn who_may_share_and_read(app: TestServer) {
    let w = World::build(&app).await;
    let (_, message) = seed(&app, &w).await;
    let path = format!("/api/v1/mentorships/{}/concerns", w.mentorship);
    let body = json!({"kind": "message", "message_id": message});
    for (who, expected) in [(&w.outsider, 404), (&w.other_coordinator, 404), (&w.coordinator, 403), (&w.admin, 403)] {
        let (s, b) = app.post(&path, &who.token, body.clone()).await;
        assert_eq!(s, expected, "{}: {b}", who.email);
    }
    let (s, _) = app.post(&path, &w.mentee.token, body).await;
    assert_eq!(s, 201);
    let list = format!("/api/v1/programmes/{}/concerns", w.programme);
    for (who, expected) in [(&w.other_coordinator, 404), (&w.admin, 403), (&w.mentor, 404), (&w.outsider, 404)] {
        let (s, b) = app.get(&list, &who.token).await;
        assert_eq!(s, expected, "{}: {b}", who.email);
        assert!(!b.to_string().contains("Shared-body-sb9"), "{b}");
    }
    let (s, b) = app.get(&format!("/api/v1/programmes/{}/concerns", w.other_programme), &w.other_coordinator.token).await;
    assert_eq!((s.as_u16(), b), (200, json!([])), "another programme's coordinator sees nothing");
    let (s, b) = app.call(Method::GET, &path, Some(&w.coordinator.token), None).await;
    assert_eq!(s, 403, "{b}");
    // Another programme's coordinator gets the 404 page; the admin too (no coordinator).
    for who in [&w.other_coordinator, &w.admin] {
        let (cookie, _) = sign_in(&app, &who.email).await;
        let (s, page, _) = get(&app, &cookie, &format!("/coordinate/programmes/{}/concerns", w.programme)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{}", who.email);
        assert!(!page.contains("Shared-body-sb9"));
    }
}

async fn sharing_on_the_web(app: TestServer) {
    let w = World::build(&app).await;
    let (_, message) = seed(&app, &w).await;
    let (cookie, _) = sign_in(&app, &w.mentee.email).await;
    // The thread page offers it on each message and for the thread.
    let (s, page, _) = get(&app, &cookie, &format!("/threads/{}", w.thread)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&format!("/threads/{}/share?message={message}", w.thread)), "{page}");
    assert!(page.contains(&format!("href=\"/threads/{}/share\"", w.thread)), "{page}");
    // The confirmation page shows exactly the message, and that a copy is kept.
    let before = app.row_counts().await;
    let (s, confirm, _) = get(&app, &cookie, &format!("/threads/{}/share?message={message}", w.thread)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(confirm.contains("Shared-body-sb9") && !confirm.contains("Dag João"), "{confirm}");
    assert!(confirm.contains("A copy is made now"), "{confirm}");
    assert!(confirm.contains("Çağrı Yılmaz will be told"), "{confirm}");
    assert_eq!(app.row_counts().await, before, "the confirmation page writes nothing");
    let csrf = csrf_of(&confirm);
    let (s, _, headers) = post_form(
        &app,
        &cookie,
        &format!("/threads/{}/share", w.thread),
        &[("csrf", &csrf), ("step", "confirm"), ("message", &message), ("note", "Web-note-wn2")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("/mentorships/{}?done=shared", w.mentorship).as_str());
    let (_, page, _) = get(&app, &cookie, &format!("/mentorships/{}?done=shared", w.mentorship)).await;
    assert!(page.contains("Shared with the coordinator.") && page.contains("You shared a message with the coordinator"), "{page}");

    // A note from the mentorship page: write, preview, confirm.
    let (s, form, _) = get(&app, &cookie, &format!("/mentorships/{}/share", w.mentorship)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, page, _) = post_form(
        &app,
        &cookie,
        &format!("/mentorships/{}/share", w.mentorship),
        &[("csrf", &csrf_of(&form)), ("step", "preview"), ("note", " ")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (s, preview, _) = post_form(
        &app,
        &cookie,
        &format!("/mentorships/{}/share", w.mentorship),
        &[("csrf", &csrf_of(&form)), ("step", "preview"), ("note", "Web-note-wn4\r\n\r\nTweede alinea")],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{preview}");
    assert!(preview.contains("Web-note-wn4") && preview.contains("will not see what you shared"), "{preview}");
    let (s, _, _) = post_form(
        &app,
        &cookie,
        &format!("/mentorships/{}/share", w.mentorship),
        &[("csrf", &csrf_of(&form)), ("step", "confirm"), ("note", "Web-note-wn4\n\nTweede alinea")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    // The mentor's mentorship page says that something was shared, not what.
    let (mentor_cookie, _) = sign_in(&app, &w.mentor.email).await;
    let (_, page, _) = get(&app, &mentor_cookie, &format!("/mentorships/{}", w.mentorship)).await;
    assert!(page.contains("João Pereira shared a message with the coordinator"), "{page}");
    assert!(page.contains("João Pereira shared a note with the coordinator"), "{page}");
    assert!(!page.contains("Web-note-wn") && !page.contains("Web-note-wn2"), "{page}");

    // The coordinator acknowledges on their page.
    let (coord, _) = sign_in(&app, &w.coordinator.email).await;
    let (_, page, _) = get(&app, &coord, &format!("/coordinate/programmes/{}/concerns", w.programme)).await;
    assert!(page.contains("Web-note-wn2") && page.contains("Web-note-wn4") && page.contains("Shared-body-sb9"), "{page}");
    let (_, list) = app.get(&format!("/api/v1/programmes/{}/concerns", w.programme), &w.coordinator.token).await;
    let id = list[0]["id"].as_str().expect("id").to_owned();
    let (s, _, headers) =
        post_form(&app, &coord, &format!("/coordinate/concerns/{id}/status"), &[("csrf", &csrf_of(&page)), ("status", "acknowledged")])
            .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(headers["location"].to_str().is_ok_and(|l| l.contains("done=status")));
    let (_, list) = app.get(&format!("/api/v1/programmes/{}/concerns", w.programme), &w.coordinator.token).await;
    assert_eq!(list[0]["status"], "acknowledged");
}
