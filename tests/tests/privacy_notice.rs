//! The privacy notice and consent (GDPR), on both backends: the built-in notice at
//! onboarding, a programme's own versions published by its coordinator (API and page,
//! with a preview), the calm page that asks everyone taking part to accept a new
//! version before going on, and the consent records (`GET /api/v1/me/consents`).

use mentorpost_server::store;
use mentorpost_tests::web::{csrf_of, get, post_form, sign_in};
use mentorpost_tests::{INBOUND_SECRET, MAIL_DOMAIN, TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(a_new_version_is_accepted_before_going_on, publishing_on_the_coordinators_page);
both_backends!(start = mentorpost_tests::TestServer::start_for_mail; email_only_people_agree_by_reply);

async fn a_new_version_is_accepted_before_going_on(app: TestServer) {
    let w = World::build(&app).await;
    let notice = format!("/api/v1/programmes/{}/privacy-notice", w.programme);
    // Without a notice of its own the programme has the built-in one, in both languages.
    let (s, n) = app.get(&notice, &w.mentee.token).await;
    assert_eq!(s, 200, "{n}");
    assert_eq!((n["version"].as_str(), n["is_default"].as_bool()), (Some(store::notices::DEFAULT_VERSION), Some(true)));
    assert!(n["text_en"].as_str().is_some_and(|t| t.contains("never read your messages")), "{n}");
    assert!(n["text_nl"].as_str().is_some_and(|t| t.contains("lezen nooit je berichten")), "{n}");
    for (who, expected) in [(&w.outsider, 404), (&w.other_coordinator, 404), (&w.coordinator, 200), (&w.admin, 200)] {
        assert_eq!(app.get(&notice, &who.token).await.0, expected, "{}", who.email);
    }
    // Nobody who never saw a notice is stopped by the built-in one.
    let (cookie, _) = sign_in(&app, &w.mentee.email).await;
    assert_eq!(get(&app, &cookie, "/").await.0, StatusCode::OK);

    // The coordinator publishes version 1; members may not, an empty text is refused.
    let publish = format!("/api/v1/programmes/{}/privacy-notices", w.programme);
    let (s, b) = app.post(&publish, &w.mentor.token, json!({"text_en": "x", "text_nl": "y"})).await;
    assert_eq!(s, 404, "{b}");
    let (s, b) = app.post(&publish, &w.coordinator.token, json!({"text_en": "Only English", "text_nl": "  "})).await;
    assert_eq!(s, 422, "{b}");
    let (s, v1) = app
        .post(
            &publish,
            &w.coordinator.token,
            json!({"text_en": "Notice-one-en: we keep your messages.", "text_nl": "Notice-one-nl: we bewaren je berichten."}),
        )
        .await;
    assert_eq!(s, 201, "{v1}");
    assert_eq!(v1["version"], "1");

    // The mentee's next page is the notice, in their language, and then where they went.
    let (s, _, headers) = get(&app, &cookie, &format!("/threads/{}", w.thread)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let to = headers["location"].to_str().expect("location").to_owned();
    assert!(to.starts_with("/privacy?next="), "{to}");
    let (s, page, _) = get(&app, &cookie, &to).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Notice-one-en") && page.contains("I have read this and agree"), "{page}");
    // What a page's script fetches is not interrupted.
    assert_eq!(get(&app, &cookie, &format!("/threads/{}/after?seq=0", w.thread)).await.0, StatusCode::OK);
    let (s, _, headers) = post_form(
        &app,
        &cookie,
        "/privacy/accept",
        &[("csrf", &csrf_of(&page)), ("programme", &w.programme), ("version", "1"), ("next", &format!("/threads/{}", w.thread))],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, headers) = get(&app, &cookie, headers["location"].to_str().expect("location")).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("/threads/{}", w.thread).as_str());
    assert_eq!(get(&app, &cookie, &format!("/threads/{}", w.thread)).await.0, StatusCode::OK);

    // The records: the mentee's one, by the web; the mentor accepts by the API.
    let (s, records) = app.get("/api/v1/me/consents", &w.mentee.token).await;
    assert_eq!(s, 200, "{records}");
    assert_eq!(records.as_array().map(Vec::len), Some(1));
    assert_eq!((records[0]["notice_version"].as_str(), records[0]["via"].as_str()), (Some("1"), Some("web")));
    assert_eq!(records[0]["programme_name"], "Programme P");
    let accept = format!("/api/v1/programmes/{}/privacy-notice/accept", w.programme);
    let (s, b) = app.post(&accept, &w.mentor.token, json!({"version": store::notices::DEFAULT_VERSION})).await;
    assert_eq!(s, 409, "an older version is not accepted: {b}");
    let (s, _) = app.post(&accept, &w.mentor.token, json!({"version": "1"})).await;
    assert_eq!(s, 204);
    let (s, b) = app.post(&accept, &w.outsider.token, json!({"version": "1"})).await;
    assert_eq!(s, 404, "{b}");
    let (_, n) = app.get(&notice, &w.mentor.token).await;
    assert_eq!(n["accepted"], true);
    let mentor: mentorpost_model::UserId = w.mentor.id;
    let records = store::notices::consents_of(app.state.db.pool(), mentor).await.expect("records");
    assert_eq!(records.iter().map(|r| (r.notice_version.as_str(), r.via.as_str())).collect::<Vec<_>>(), [("1", "api")]);

    // Version 2 asks again; the coordinator (not taking part) is never asked.
    let (s, _) = app.post(&publish, &w.coordinator.token, json!({"text_en": "Notice-two-en", "text_nl": "Notice-two-nl"})).await;
    assert_eq!(s, 201);
    assert_eq!(get(&app, &cookie, "/").await.0, StatusCode::SEE_OTHER);
    let (coord, _) = sign_in(&app, &w.coordinator.email).await;
    assert_eq!(get(&app, &coord, "/coordinate").await.0, StatusCode::OK);
}

async fn publishing_on_the_coordinators_page(app: TestServer) {
    let w = World::build(&app).await;
    // Signed in before anything is published (afterwards the mentee's first page asks).
    let others = [sign_in(&app, &w.mentee.email).await.0, sign_in(&app, &w.other_coordinator.email).await.0];
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    let path = format!("/coordinate/programmes/{}/notice", w.programme);
    let (s, page, _) = get(&app, &cookie, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("the standard text of mentorpost") && page.contains("never read your messages"), "{page}");
    let csrf = csrf_of(&page);
    // A preview publishes nothing.
    let before = app.row_counts().await;
    let (s, preview, _) = post_form(
        &app,
        &cookie,
        &path,
        &[("csrf", &csrf), ("step", "preview"), ("text_en", "Paged-en\r\n\r\nSecond"), ("text_nl", "Paged-nl")],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{preview}");
    assert!(preview.contains("Preview of version 1") && preview.contains("Publish version 1") && preview.contains("Paged-en"), "{preview}");
    assert_eq!(app.row_counts().await, before);
    let (s, page, _) =
        post_form(&app, &cookie, &path, &[("csrf", &csrf), ("step", "publish"), ("text_en", "Paged-en"), ("text_nl", "")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (s, _, headers) = post_form(
        &app,
        &cookie,
        &path,
        &[("csrf", &csrf), ("step", "publish"), ("text_en", "Paged-en\n\nSecond"), ("text_nl", "Paged-nl")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(headers["location"].to_str().is_ok_and(|l| l.ends_with("done=published")));
    let (_, n) = app.get(&format!("/api/v1/programmes/{}/privacy-notice", w.programme), &w.mentee.token).await;
    assert_eq!((n["version"].as_str(), n["text_en"].as_str()), (Some("1"), Some("Paged-en\n\nSecond")));
    // Members and other coordinators get the page that does not exist.
    let (s, _, headers) = get(&app, &others[0], &path).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "the mentee is asked to accept version 1 first");
    assert!(headers["location"].to_str().is_ok_and(|l| l.starts_with("/privacy")));
    assert_eq!(get(&app, &others[1], &path).await.0, StatusCode::NOT_FOUND);
}

/// An e-mail-only person of the programme gets the new version by mail; a reply
/// "akkoord" from their own address records the consent, by e-mail; from another
/// address, or saying something else, it records nothing.
async fn email_only_people_agree_by_reply(app: TestServer) {
    let w = World::build(&app).await;
    let (s, henk) = app
        .post(
            "/api/v1/users",
            &w.coordinator.token,
            json!({"email": "henk@example.org", "display_name": "Henk Jansen", "programme_id": w.programme, "locale": "nl"}),
        )
        .await;
    assert_eq!(s, 201, "{henk}");
    let henk: mentorpost_model::UserId = henk["id"].as_str().expect("id").parse().expect("uuid");
    let (s, b) = app
        .post(
            &format!("/api/v1/programmes/{}/privacy-notices", w.programme),
            &w.coordinator.token,
            json!({"text_en": "Mailed-en: we keep your mail.", "text_nl": "Mailed-nl: we bewaren je mail."}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    app.drain_outbox().await;
    let mails: Vec<String> = app.mail_files().into_iter().filter(|m| m.contains("henk@example.org") && m.contains("privacy+")).collect();
    assert_eq!(mails.len(), 1, "one mail to Henk: {mails:?}");
    let mail = &mails[0];
    assert!(mail.contains("Mailed-nl") && mail.contains("akkoord"), "in Dutch, with the way to answer: {mail}");
    assert!(!app.mail_files().iter().any(|m| m.contains("privacy+") && m.contains(&w.mentee.email)), "web users are asked on the web");
    let at = mail.find("privacy+").expect("a reply address");
    let token: String = mail[at + "privacy+".len()..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let reply = |from: &str, text: &str| {
        format!(
            "From: {from}\r\nTo: privacy+{token}@{MAIL_DOMAIN}\r\nSubject: Re: privacy\r\nMessage-ID: <{}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n",
            uuid::Uuid::new_v4()
        )
        .into_bytes()
    };
    for (from, text) in [("someone.else@example.org", "akkoord"), ("henk@example.org", "Wat betekent dit?")] {
        let (s, r) = app.raw(Method::POST, "/api/v1/inbound/email", Some(INBOUND_SECRET), "message/rfc822", reply(from, text)).await;
        assert_eq!((s, r["outcome"].as_str()), (StatusCode::OK, Some("rejected")), "{r}");
    }
    assert!(store::notices::consents_of(app.state.db.pool(), henk).await.expect("records").is_empty());
    let (s, r) = app
        .raw(
            Method::POST,
            "/api/v1/inbound/email",
            Some(INBOUND_SECRET),
            "message/rfc822",
            reply("henk@example.org", "Akkoord!\r\n\r\n> quoted"),
        )
        .await;
    assert_eq!((s, r["outcome"].as_str()), (StatusCode::OK, Some("notice_accepted")), "{r}");
    let records = store::notices::consents_of(app.state.db.pool(), henk).await.expect("records");
    assert_eq!(records.iter().map(|r| (r.notice_version.as_str(), r.via.as_str())).collect::<Vec<_>>(), [("1", "email")]);
}
