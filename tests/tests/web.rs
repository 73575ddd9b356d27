//! The web app over plain HTTP (the browser suite in `tests/browser` drives it in
//! Chromium): signing in and out with a server-side session, the CSRF token on every
//! form, nobody reading a thread that is not theirs, forms that keep what was typed.
//! Both backends.

use mentorpost_tests::web::{browser, csrf_of, get, post_form, same_origin, sign_in};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::StatusCode;

both_backends!(
    signing_in_sets_a_safe_cookie_and_signing_out_ends_the_login,
    sign_in_problems_are_explained_and_cross_site_forms_refused,
    forms_without_the_csrf_token_are_refused,
    a_session_reads_only_its_own_threads,
    replying_and_starting_threads_by_form,
    the_socket_ticket_comes_with_the_cookie
);

async fn message_count(app: &TestServer, token: &str, thread: &str) -> usize {
    let (s, page) = app.get(&format!("/api/v1/threads/{thread}/messages"), token).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    page["messages"].as_array().expect("messages").len()
}

async fn signing_in_sets_a_safe_cookie_and_signing_out_ends_the_login(app: TestServer) {
    let w = World::build(&app).await;
    // Not signed in: the page asked for is remembered.
    let (s, _, h) = get(&app, "", &format!("/threads/{}", w.thread)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let to = h["location"].to_str().expect("location").to_owned();
    assert!(to.starts_with("/signin?next=%2Fthreads%2F"), "{to}");

    let resp = browser()
        .post(app.url("/signin"))
        .headers(same_origin())
        .form(&[("email", w.mentor.email.as_str()), ("password", PASSWORD), ("next", &format!("/threads/{}", w.thread))])
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], format!("/threads/{}", w.thread).as_str());
    let set = resp.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(flag), "{flag} missing in {set}");
    }
    assert!(!set.contains("Secure"), "plain http on localhost: {set}");
    let cookie = set.split(';').next().expect("pair").to_owned();

    let (s, page, _) = get(&app, &cookie, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<html lang=\"en\">"), "{page}");
    let csrf = csrf_of(&page);

    // The session is a login like the API's: it shows up as one, and signing out ends it.
    let logins_before: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL").fetch_one(app.state.db.pool()).await.expect("count");
    let (s, _, h) = post_form(&app, &cookie, "/signout", &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(h["set-cookie"].to_str().expect("cookie").contains("Max-Age=0"));
    let logins_after: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL").fetch_one(app.state.db.pool()).await.expect("count");
    assert_eq!(logins_after, logins_before - 1);
    // The old cookie no longer opens anything, even if the browser kept it.
    let (s, _, h) = get(&app, &cookie, "/").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/signin");
    app.stop().await;
}

async fn sign_in_problems_are_explained_and_cross_site_forms_refused(app: TestServer) {
    let w = World::build(&app).await;
    let resp = browser()
        .post(app.url("/signin"))
        .headers(same_origin())
        .header("accept-language", "nl-NL,nl;q=0.9")
        .form(&[("email", w.mentor.email.as_str()), ("password", "wrong"), ("next", "/")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.headers().get("set-cookie").is_none());
    let page = resp.text().await.expect("page");
    assert!(page.contains("<title>Fout: Inloggen"), "{page}");
    assert!(page.contains("class=\"error-summary\""), "{page}");
    assert!(page.contains("Het e-mailadres of wachtwoord klopt niet"), "{page}");
    // What was typed stays, except the password.
    assert!(page.contains(&format!("value=\"{}\"", w.mentor.email)), "{page}");

    // A form posted from another site (login CSRF) is refused before anything is checked.
    let resp = browser()
        .post(app.url("/signin"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", w.mentor.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.headers().get("set-cookie").is_none());
    // An old browser without Sec-Fetch-Site: the Origin must be ours.
    let resp = browser()
        .post(app.url("/signin"))
        .header("origin", "https://evil.example")
        .form(&[("email", w.mentor.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // Going back after signing in goes only to our own pages.
    let resp = browser()
        .post(app.url("/signin"))
        .headers(same_origin())
        .form(&[("email", w.mentor.email.as_str()), ("password", PASSWORD), ("next", "//evil.example/")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.headers()["location"], "/");
    app.stop().await;
}

async fn forms_without_the_csrf_token_are_refused(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentor.email).await;
    let reply = format!("/threads/{}/reply", w.thread);
    let before = message_count(&app, &w.mentor.token, &w.thread).await;
    let id = uuid::Uuid::now_v7().to_string();
    for bad in [None, Some("x".repeat(43)), Some(String::new())] {
        let mut form = vec![("body", "Tot dinsdag!"), ("client_msg_id", id.as_str())];
        if let Some(token) = &bad {
            form.push(("csrf", token.as_str()));
        }
        let (s, page, _) = post_form(&app, &cookie, &reply, &form).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{bad:?}: {page}");
        assert!(page.contains("This form has expired"), "{page}");
    }
    // Sign-out is a form too.
    let (s, _, _) = post_form(&app, &cookie, "/signout", &[]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(message_count(&app, &w.mentor.token, &w.thread).await, before);
    // The page's script sends the token as a header.
    let resp = browser()
        .post(app.url(&reply))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .header("accept", "application/json")
        .form(&[("body", "Tot dinsdag!"), ("client_msg_id", id.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::OK);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(body["id"].is_string(), "{body}");
    assert_eq!(message_count(&app, &w.mentor.token, &w.thread).await, before + 1);
    // Another person's token does not fit this session.
    let (_, other_csrf) = sign_in(&app, &w.mentee.email).await;
    let (s, _, _) =
        post_form(&app, &cookie, &reply, &[("body", "x"), ("client_msg_id", &uuid::Uuid::now_v7().to_string()), ("csrf", &other_csrf)])
            .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.stop().await;
}

async fn a_session_reads_only_its_own_threads(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.outsider.email).await;
    for path in [
        format!("/threads/{}", w.thread),
        format!("/threads/{}/after?seq=0", w.thread),
        format!("/mentorships/{}/new", w.mentorship),
        "/threads/not-an-id".to_owned(),
    ] {
        let (s, page, _) = get(&app, &cookie, &path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.contains("Welcome") && page.contains("<h1>"), "{path}: {page}");
    }
    let (s, _, _) = post_form(
        &app,
        &cookie,
        &format!("/threads/{}/reply", w.thread),
        &[("body", "Hallo"), ("client_msg_id", &uuid::Uuid::now_v7().to_string()), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) =
        post_form(&app, &cookie, &format!("/threads/{}/read", w.thread), &[("message_id", &w.first_message), ("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Their own inbox is empty and says what happens next.
    let (s, page, _) = get(&app, &cookie, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("You are not in a mentorship yet"), "{page}");
    app.stop().await;
}

async fn replying_and_starting_threads_by_form(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentor.email).await;
    let (s, page, _) = get(&app, &cookie, &format!("/threads/{}", w.thread)).await;
    assert_eq!(s, StatusCode::OK);
    let client_msg_id = page.split("name=\"client_msg_id\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("id").to_owned();
    let before = message_count(&app, &w.mentor.token, &w.thread).await;
    let reply = format!("/threads/{}/reply", w.thread);
    let form = [("body", "Dziękuję! Zullen we dinsdag bellen?"), ("client_msg_id", client_msg_id.as_str()), ("csrf", csrf.as_str())];
    // A double click sends the form twice: one message.
    for _ in 0..2 {
        let (s, _, h) = post_form(&app, &cookie, &reply, &form).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(h["location"].to_str().expect("location").starts_with(&format!("/threads/{}#m-", w.thread)));
    }
    assert_eq!(message_count(&app, &w.mentor.token, &w.thread).await, before + 1);
    let (_, page) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.mentee.token).await;
    assert!(page.to_string().contains("Dziękuję! Zullen we dinsdag bellen?"));

    // An empty reply: the problem is named at the top and beside the field.
    let (s, page, _) =
        post_form(&app, &cookie, &reply, &[("body", "  "), ("client_msg_id", &uuid::Uuid::now_v7().to_string()), ("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("<title>Error: "), "{page}");
    assert!(page.contains("href=\"#body\">Write a message</a>"), "{page}");

    // A new thread without a subject keeps the message that was written.
    let new = format!("/mentorships/{}/new", w.mentorship);
    let id = uuid::Uuid::now_v7().to_string();
    let body = "Ik wil het graag hebben over <solliciteren> & netwerken.";
    let (s, page, _) = post_form(&app, &cookie, &new, &[("subject", ""), ("body", body), ("client_msg_id", &id), ("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Ik wil het graag hebben over &#60;solliciteren&#62; &#38; netwerken."), "{page}");
    assert!(page.contains("href=\"#subject\""), "{page}");
    let (s, _, h) = post_form(
        &app,
        &cookie,
        &new,
        &[("subject", "Solliciteren en netwerken"), ("body", body), ("client_msg_id", &id), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let thread_page = h["location"].to_str().expect("location").to_owned();
    let (s, page, _) = get(&app, &cookie, &thread_page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<h1 class=\"thread-subject\">Solliciteren en netwerken</h1>"), "{page}");
    // The mentee's inbox lists it first, unread.
    let (mentee_cookie, _) = sign_in(&app, &w.mentee.email).await;
    let (_, inbox, _) = get(&app, &mentee_cookie, "/").await;
    let first = inbox.split("<li class=\"thread").nth(1).expect("a thread");
    assert!(first.contains("Solliciteren en netwerken") && first.contains("1 new"), "{first}");
    app.stop().await;
}

async fn the_socket_ticket_comes_with_the_cookie(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let (s, _, _) = post_form(&app, &cookie, "/app/ws-ticket", &[]).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token, no ticket");
    let resp = browser()
        .post(app.url("/app/ws-ticket"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .header("accept", "application/json")
        .send()
        .await
        .expect("ticket");
    assert_eq!(resp.status(), StatusCode::OK);
    let body: serde_json::Value = resp.json().await.expect("json");
    let ticket = body["ticket"].as_str().expect("ticket");
    let ws = app.url(&format!("/api/v1/ws?ticket={ticket}")).replacen("http", "ws", 1);
    let (mut socket, _) = tokio_tungstenite::connect_async(ws).await.expect("socket opens with the ticket");
    use futures_util::{SinkExt, StreamExt};
    socket.send(tokio_tungstenite::tungstenite::Message::text(r#"{"type":"hello","protocol":1}"#)).await.expect("hello");
    let frame =
        tokio::time::timeout(std::time::Duration::from_secs(10), socket.next()).await.expect("answer in time").expect("frame").expect("ok");
    assert!(frame.to_text().expect("text").contains("\"type\":\"hello\""), "{frame}");
    app.stop().await;
}
