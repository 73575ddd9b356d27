//! The web app over plain HTTP (the browser suite in `tests/browser` drives it in
//! Chromium): signing in and out with a server-side session, the CSRF token on every
//! form, nobody reading a thread that is not theirs, forms that keep what was typed,
//! files sent with a reply or a new thread. Both backends.

use mentorpost_tests::web::{browser, csrf_of, get, multipart_request, post_form, post_multipart, same_origin, sign_in};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::StatusCode;

both_backends!(
    signing_in_sets_a_safe_cookie_and_signing_out_ends_the_login,
    sign_in_problems_are_explained_and_cross_site_forms_refused,
    forms_without_the_csrf_token_are_refused,
    a_session_reads_only_its_own_threads,
    replying_and_starting_threads_by_form,
    the_socket_ticket_comes_with_the_cookie,
    replying_and_starting_threads_with_files,
    files_too_large_too_many_or_unsigned_post_nothing
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

/// The value of a form's hidden `client_msg_id` on a page.
fn client_msg_id_of(page: &str) -> String {
    page.split("name=\"client_msg_id\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("client_msg_id").to_owned()
}

async fn attachment_rows(app: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM attachments").fetch_one(app.state.db.pool()).await.expect("count")
}

/// The rows a post writes, counted (signing in writes sessions, so not a whole snapshot).
async fn written(app: &TestServer) -> Vec<i64> {
    let mut out = Vec::new();
    for table in ["threads", "messages", "events", "attachments", "outbox"] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        out.push(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(app.state.db.pool()).await.expect("count"));
    }
    out
}

/// What a download by the web app's route gives: status, content type, bytes.
async fn download(app: &TestServer, cookie: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let resp = browser().get(app.url(path)).header("cookie", cookie).send().await.expect("download");
    let status = resp.status();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, content_type, resp.bytes().await.expect("bytes").to_vec())
}

async fn replying_and_starting_threads_with_files(app: TestServer) {
    let w = World::build(&app).await;
    // The mentee reads by mail: the notification must list the files.
    let (s, b) = app
        .put(
            "/api/v1/me/mail",
            &w.mentee.token,
            serde_json::json!({"mode": "each", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (cookie, csrf) = sign_in(&app, &w.mentor.email).await;
    let thread_path = format!("/threads/{}", w.thread);
    let (s, page, _) = get(&app, &cookie, &thread_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("enctype=\"multipart/form-data\" action=\"/threads/"), "{page}");
    assert!(page.contains("<label for=\"files\">Add files (optional)</label>"), "{page}");
    assert!(page.contains("Up to 10 MB in total."), "{page}");
    assert!(page.contains("<input id=\"files\" name=\"files\" type=\"file\" multiple"), "{page}");
    let client_msg_id = client_msg_id_of(&page);
    let before = message_count(&app, &w.mentor.token, &w.thread).await;

    let pdf = b"%PDF-1.4\n% a plan for the first quarter\n".repeat(100);
    let notes = "Vragen voor dinsdag: ż, ł, ó\n".as_bytes().to_vec();
    let files = [
        ("Łódź plan.pdf", "application/pdf", pdf.clone()),
        // Older browsers sent a path; a type that says nothing is guessed from the name.
        ("C:\\fakepath\\notities.txt", "application/octet-stream", notes.clone()),
        // A file input left empty sends an empty part: not a file.
        ("", "application/octet-stream", Vec::new()),
    ];
    let form = [("csrf", csrf.as_str()), ("client_msg_id", client_msg_id.as_str()), ("body", "Hier zijn de stukken voor dinsdag.")];
    // A double click sends the form twice: one message, its files once.
    let mut locations = Vec::new();
    for _ in 0..2 {
        let (s, page, h) = post_multipart(&app, &cookie, &format!("/threads/{}/reply", w.thread), &form, &files).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
        locations.push(h["location"].to_str().expect("location").to_owned());
    }
    assert_eq!(locations[0], locations[1]);
    assert!(locations[0].starts_with(&format!("/threads/{}#m-", w.thread)), "{}", locations[0]);
    assert_eq!(message_count(&app, &w.mentor.token, &w.thread).await, before + 1);
    assert_eq!(attachment_rows(&app).await, 2);
    // Both at the same moment (a browser without the script, clicked twice): still once.
    let again = uuid::Uuid::now_v7().to_string();
    let form_again = [("csrf", csrf.as_str()), ("client_msg_id", again.as_str()), ("body", "En nog een versie.")];
    let reply = format!("/threads/{}/reply", w.thread);
    let small = [("versie 2.txt", "text/plain", b"tweede versie".to_vec())];
    let (first, second) = tokio::join!(
        post_multipart(&app, &cookie, &reply, &form_again, &small),
        post_multipart(&app, &cookie, &reply, &form_again, &small)
    );
    assert_eq!((first.0, second.0), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER), "{} {}", first.1, second.1);
    assert_eq!(first.2["location"], second.2["location"]);
    assert_eq!(message_count(&app, &w.mentor.token, &w.thread).await, before + 2);
    assert_eq!(attachment_rows(&app).await, 3);

    // Both files are listed with the message, on the page and in the API.
    let (_, page, _) = get(&app, &cookie, &thread_path).await;
    assert!(page.contains(">Łódź plan.pdf</a>") && page.contains(">notities.txt</a>"), "{page}");
    let (_, listed) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.mentee.token).await;
    let message = listed["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["body"] == "Hier zijn de stukken voor dinsdag."))
        .expect("the reply")
        .clone();
    let attachments = message["attachments"].as_array().expect("attachments").clone();
    let names: Vec<&str> = attachments.iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(names.len(), 2, "{attachments:?}");
    assert!(names.contains(&"Łódź plan.pdf") && names.contains(&"notities.txt"), "{names:?}");
    let id_of = |name: &str| attachments.iter().find(|a| a["name"] == name).and_then(|a| a["id"].as_str()).expect("id").to_owned();
    let (pdf_id, notes_id) = (id_of("Łódź plan.pdf"), id_of("notities.txt"));
    assert!(page.contains(&format!("href=\"/attachments/{pdf_id}\"")), "{page}");

    // Downloads: the same bytes and type, for the author and the other member.
    let (mentee_cookie, _) = sign_in(&app, &w.mentee.email).await;
    for who in [&cookie, &mentee_cookie] {
        let (s, content_type, bytes) = download(&app, who, &format!("/attachments/{pdf_id}")).await;
        assert_eq!((s, content_type.as_str()), (StatusCode::OK, "application/pdf"));
        assert_eq!(bytes, pdf);
        let (s, content_type, bytes) = download(&app, who, &format!("/attachments/{notes_id}")).await;
        assert_eq!((s, content_type.as_str()), (StatusCode::OK, "text/plain"));
        assert_eq!(bytes, notes);
    }
    // Someone outside the mentorship: nothing there; its coordinator: not theirs.
    let (outsider, _) = sign_in(&app, &w.outsider.email).await;
    assert_eq!(download(&app, &outsider, &format!("/attachments/{pdf_id}")).await.0, StatusCode::NOT_FOUND);
    let (coordinator, _) = sign_in(&app, &w.coordinator.email).await;
    let (s, _, bytes) = download(&app, &coordinator, &format!("/attachments/{pdf_id}")).await;
    assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{s}");
    assert!(!String::from_utf8_lossy(&bytes).contains("first quarter"));

    // The message's event lists the files, as live delivery and catching up send it.
    let (s, events) = app.get(&format!("/api/v1/mentorships/{}/events", w.mentorship), &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{events}");
    let created = events["events"]
        .as_array()
        .and_then(|e| {
            e.iter().find(|e| e["kind"] == "message.created" && e["data"]["message"]["body"] == "Hier zijn de stukken voor dinsdag.")
        })
        .expect("the message's event")
        .clone();
    assert_eq!(created["data"]["message"]["attachments"].as_array().map(Vec::len), Some(2), "{created}");
    assert!(created.to_string().contains("Łódź plan.pdf"), "{created}");

    // The mentee's notification mail names both files with links.
    let mut progress = app.state.mailer.progress.subscribe();
    let mail = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            let found = app.mail_files().into_iter().find_map(|raw| {
                let text = mail_parser::MessageParser::default().parse(raw.as_bytes())?.body_text(0)?.into_owned();
                text.contains("Hier zijn de stukken").then_some(text)
            });
            if let Some(text) = found {
                return text;
            }
            progress.changed().await.expect("mailer alive");
        }
    })
    .await
    .expect("the notification mail");
    assert!(mail.contains("Łódź plan.pdf") && mail.contains("notities.txt"), "{mail}");
    assert!(mail.contains(&format!("{}/attachments/{pdf_id}", app.base)), "{mail}");
    // Opened from the mail without a session: signing in leads back to the file.
    let (s, _, h) = get(&app, "", &format!("/attachments/{pdf_id}")).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], format!("/signin?next=%2Fattachments%2F{}", pdf_id.replace('-', "%2D")).as_str());

    // A new conversation with a file, and files without words: their names are the text.
    let new = format!("/mentorships/{}/new", w.mentorship);
    let (s, page, _) = get(&app, &cookie, &new).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("enctype=\"multipart/form-data\" action=\"/mentorships/"), "{page}");
    let id = client_msg_id_of(&page);
    let (s, page, h) = post_multipart(
        &app,
        &cookie,
        &new,
        &[("csrf", &csrf), ("client_msg_id", &id), ("subject", "Cv en brief"), ("body", "")],
        &[("cv Łukasz.pdf", "application/pdf", pdf.clone())],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (s, page, _) = get(&app, &cookie, h["location"].to_str().expect("location")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<h1 class=\"thread-subject\">Cv en brief</h1>"), "{page}");
    assert!(page.contains("<p>📎 cv Łukasz.pdf</p>") && page.contains(">cv Łukasz.pdf</a>"), "{page}");
    assert_eq!(attachment_rows(&app).await, 4);
    app.stop().await;
}

async fn files_too_large_too_many_or_unsigned_post_nothing(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentor.email).await;
    let (_, other_csrf) = sign_in(&app, &w.mentee.email).await;
    let reply = format!("/threads/{}/reply", w.thread);
    let before = written(&app).await;
    let id = uuid::Uuid::now_v7().to_string();
    let words = "Mijn presentatie, met <dia's> & notities.";
    let form = [("csrf", csrf.as_str()), ("client_msg_id", id.as_str()), ("body", words)];
    let limit = app.state.config.inbound.max_attachment_bytes;

    // Over the limit together (each file alone fits): the form again, the words kept.
    let half = vec![7u8; limit / 2 + 1];
    let (s, page, _) = post_multipart(
        &app,
        &cookie,
        &reply,
        &form,
        &[("deel 1.pptx", "application/octet-stream", half.clone()), ("deel 2.pptx", "application/vnd.ms-powerpoint", half)],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<title>Error: "), "{page}");
    assert!(page.contains("href=\"#files\">These files are too large together: at most 10 MB."), "{page}");
    assert!(page.contains("id=\"files-error\""), "{page}");
    assert!(page.contains("Mijn presentatie, met &#60;dia&#39;s&#62; &#38; notities.</textarea>"), "{page}");
    assert!(page.contains(&format!("value=\"{id}\"")), "the same form id: {page}");
    // One file past the limit.
    let (s, page, _) = post_multipart(&app, &cookie, &reply, &form, &[("film.mp4", "video/mp4", vec![1u8; limit + 1])]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("These files are too large together"), "{page}");
    // Too many files.
    let many: Vec<(&str, &str, Vec<u8>)> = (0..11).map(|_| ("foto.jpg", "image/jpeg", vec![9u8; 10])).collect();
    let (s, page, _) = post_multipart(&app, &cookie, &reply, &form, &many).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("Attach at most 10 files to one message."), "{page}");
    // The page's script gets the same as JSON.
    let resp = multipart_request(&app, &cookie, &reply, &form, &[("film.mp4", "video/mp4", vec![1u8; limit + 1])])
        .header("accept", "application/json")
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], "files_too_large", "{body}");

    // Without the CSRF token, with another's, or a wrong header: refused.
    let file = [("plan.pdf", "application/pdf", b"%PDF-1.4".to_vec())];
    let unsigned = [("client_msg_id", id.as_str()), ("body", words)];
    let foreign = [("csrf", other_csrf.as_str()), ("client_msg_id", id.as_str()), ("body", words)];
    for fields in [&unsigned[..], &foreign[..]] {
        let (s, page, _) = post_multipart(&app, &cookie, &reply, fields, &file).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{page}");
        assert!(page.contains("This form has expired"), "{page}");
        // Without files too.
        let (s, _, _) = post_multipart(&app, &cookie, &reply, fields, &[]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    let resp = multipart_request(&app, &cookie, &reply, &form, &file).header("x-csrf-token", "x".repeat(43)).send().await.expect("post");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let (s, _, _) = post_multipart(
        &app,
        &cookie,
        &format!("/mentorships/{}/new", w.mentorship),
        &[("client_msg_id", &id), ("subject", "Plan"), ("body", words)],
        &file,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Nothing of all this was written.
    assert_eq!(written(&app).await, before);
    app.stop().await;
}
