//! Security hardening: common passwords refused wherever a password is chosen; the
//! signed-in devices listed and signed out (browser and API logins alike, at once);
//! mails on a sign-in from a new device and on a changed password or added address;
//! attachments served so they can never run as a page of ours.

use mentorpost_model::Clock;
use mentorpost_server::store;
use mentorpost_tests::web::{browser, csrf_of, get, post_form, same_origin, sign_in};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::Row;

both_backends!(
    common_passwords_are_refused_everywhere,
    devices_are_listed_and_signed_out_at_once,
    a_sign_in_from_a_new_device_is_mailed,
    password_and_address_changes_are_mailed,
    attachments_cannot_run_as_pages
);

const FIREFOX: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const CHROME_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// Signs in by the form from a browser with this User-Agent and (maybe) device
/// cookie: the session cookie pair and the device cookie the answer sets, if any.
async fn sign_in_as(app: &TestServer, email: &str, user_agent: &str, device: Option<&str>) -> (String, Option<String>) {
    let mut req = browser().post(app.url("/signin")).headers(same_origin()).header("user-agent", user_agent).form(&[
        ("email", email),
        ("password", PASSWORD),
        ("next", "/"),
    ]);
    if let Some(d) = device {
        req = req.header("cookie", d);
    }
    let resp = req.send().await.expect("sign in");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().expect("pair").to_owned())
        .collect();
    let session = cookies.iter().find(|c| c.starts_with("mentorpost_session=")).expect("session cookie").clone();
    let device = cookies.iter().find(|c| c.starts_with("mentorpost_device=")).cloned();
    (session, device)
}

/// Logs in by the API from a client with this User-Agent: access and refresh token.
async fn api_login(app: &TestServer, email: &str, user_agent: &str) -> (String, String) {
    let resp = browser()
        .post(app.url("/api/v1/auth/login"))
        .header("user-agent", user_agent)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), StatusCode::OK);
    let body: serde_json::Value = resp.json().await.expect("json");
    (body["access_token"].as_str().expect("access").to_owned(), body["refresh_token"].as_str().expect("refresh").to_owned())
}

async fn outbox_kinds(app: &TestServer, kind: &str) -> Vec<(Option<String>, Option<String>)> {
    sqlx::query("SELECT user_id, to_address FROM outbox WHERE kind = $1 ORDER BY id")
        .bind(kind.to_owned())
        .fetch_all(app.state.db.pool())
        .await
        .expect("outbox")
        .iter()
        .map(|r| (r.try_get("user_id").expect("user"), r.try_get("to_address").expect("to")))
        .collect()
}

/// The sent mails whose subject starts with `subject`, with their To and text.
async fn sent(app: &TestServer, subject: &str) -> Vec<(String, String)> {
    app.drain_outbox().await;
    let mut out = Vec::new();
    for raw in app.mail_files() {
        let Some(m) = mail_parser::MessageParser::default().parse(raw.as_bytes()) else { continue };
        if m.subject().is_some_and(|s| s.starts_with(subject)) {
            let to = m.to().and_then(|t| t.first()).and_then(|a| a.address()).unwrap_or_default().to_owned();
            out.push((to, m.body_text(0).map(|b| b.into_owned()).unwrap_or_default()));
        }
    }
    out.sort();
    out
}

async fn common_passwords_are_refused_everywhere(app: TestServer) {
    let w = World::build(&app).await;
    // The API: an account made with a password, and a changed password.
    let (s, b) = app
        .post("/api/v1/users", &w.admin.token, json!({"email": "new@example.org", "display_name": "New Person", "password": "Qwertyuiop"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "common_password");
    for common in ["1q2w3e4r5t", "PASSWORD123", "iloveyou12"] {
        let (s, b) = app.put("/api/v1/me/password", &w.mentee.token, json!({"current_password": PASSWORD, "new_password": common})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{common}: {b}");
        assert_eq!(b["error"]["code"], "common_password", "{common}");
    }
    let (s, b) = app.put("/api/v1/me/password", &w.mentee.token, json!({"current_password": PASSWORD, "new_password": "short"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "weak_password");
    let (s, b) = app
        .put(
            "/api/v1/me/password",
            &w.mentee.token,
            json!({"current_password": "not my password", "new_password": "a tram to Łódź at dawn"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = app
        .post(
            "/api/v1/users",
            &w.admin.token,
            json!({"email": "new@example.org", "display_name": "New Person", "password": "a tram to Łódź at dawn"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // The web: the settings page's password form, in English and Dutch.
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let form =
        [("csrf", csrf.as_str()), ("current_password", PASSWORD), ("new_password", "Password123"), ("confirm_password", "Password123")];
    let (s, page, _) = post_form(&app, &cookie, "/settings/password", &form).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("This is one of the most common passwords"), "{page}");
    assert!(page.contains("aria-invalid=\"true\""));
    let (s, b) = app.call(Method::PATCH, "/api/v1/me", Some(&w.mentee.token), Some(json!({"locale": "nl"}))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, page, _) = post_form(&app, &cookie, "/settings/password", &form).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Dit is een van de meest gebruikte wachtwoorden"), "{page}");

    // Accepting an invitation with a password.
    let (coord_cookie, coord_csrf) = sign_in(&app, &w.coordinator.email).await;
    let path = format!("/coordinate/programmes/{}/people", w.programme);
    let invite = [
        ("csrf", coord_csrf.as_str()),
        ("name", "Şule Doğan"),
        ("email", "sule@example.org"),
        ("role", "mentee"),
        ("language", "en"),
        ("timezone", "Europe/Amsterdam"),
    ];
    let (s, page, _) = post_form(&app, &coord_cookie, &path, &invite).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (_, text) = sent(&app, "Invitation").await.into_iter().find(|(to, _)| to == "sule@example.org").expect("the invitation");
    let token: String = text.split("/invite/").nth(1).expect("a link").chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let resp = browser()
        .post(app.url(&format!("/invite/{token}/web")))
        .headers(same_origin())
        .form(&[("password", "Letmein123"), ("confirm", "Letmein123")])
        .send()
        .await
        .expect("accept");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.expect("page").contains("This is one of the most common passwords"));
    app.stop().await;
}

async fn devices_are_listed_and_signed_out_at_once(app: TestServer) {
    let w = World::build(&app).await;
    let (browser_cookie, _) = sign_in_as(&app, &w.mentee.email, FIREFOX, None).await;
    let (phone, phone_refresh) = api_login(&app, &w.mentee.email, SAFARI_IPHONE).await;
    let (s, list) = app.get("/api/v1/me/sessions", &phone).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let list = list.as_array().expect("sessions").clone();
    assert_eq!(list.len(), 3, "{list:?}");
    let current: Vec<_> = list.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["device"], "Safari on iOS");
    assert_eq!(current[0]["kind"], "api");
    let web = list.iter().find(|s| s["kind"] == "web").expect("the browser").clone();
    assert_eq!(web["device"], "Firefox on Windows");

    // The settings page lists them, this browser marked.
    let (s, page, _) = get(&app, &browser_cookie, "/settings").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Firefox on Windows") && page.contains("this device") && page.contains("Safari on iOS"), "{page}");
    assert!(page.contains("Sign out everywhere else"));

    // Nobody ends another's login; ending the browser's signs it out at its next request.
    let (s, _) =
        app.call(Method::DELETE, &format!("/api/v1/me/sessions/{}", web["id"].as_str().expect("id")), Some(&w.mentor.token), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.call(Method::DELETE, &format!("/api/v1/me/sessions/{}", web["id"].as_str().expect("id")), Some(&phone), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _, headers) = get(&app, &browser_cookie, "/settings").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(headers["location"].to_str().expect("location").starts_with("/signin"));

    // "Sign out everywhere else" from a new browser session: the API logins' refresh
    // tokens stop at once; their access tokens last until they expire.
    let (cookie, _) = sign_in_as(&app, &w.mentee.email, CHROME_LINUX, None).await;
    let (_, page, _) = get(&app, &cookie, "/settings").await;
    let csrf = csrf_of(&page);
    let (s, _, headers) = post_form(&app, &cookie, "/settings/sessions/end-others", &[("csrf", csrf.as_str())]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/settings?done=signed-out-others#security");
    let (_, page, _) = get(&app, &cookie, "/settings?done=signed-out-others").await;
    assert!(page.contains("You are signed out everywhere else."), "{page}");
    for refresh in [&phone_refresh, &w.mentee.refresh] {
        let (s, b) = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": refresh}))).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    }
    let (s, _) = app.get("/api/v1/me", &phone).await;
    assert_eq!(s, StatusCode::OK, "an access token lasts until it expires");
    app.clock.advance(chrono::Duration::minutes(16));
    let (s, _) = app.get("/api/v1/me", &phone).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, _) = get(&app, &cookie, "/settings").await;
    assert_eq!(s, StatusCode::OK, "the browser that asked stays signed in");
    let (token, _) = app.login(&w.mentee.email, PASSWORD).await;
    let (s, list) = app.get("/api/v1/me/sessions", &token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().expect("sessions").len(), 2, "{list}");

    // Signing this browser out from the list is a sign-out.
    let (_, page, _) = get(&app, &cookie, "/settings").await;
    let own =
        list.as_array().expect("sessions").iter().find(|s| s["kind"] == "web").expect("browser")["id"].as_str().expect("id").to_owned();
    let (s, _, headers) = post_form(&app, &cookie, &format!("/settings/sessions/{own}/end"), &[("csrf", csrf_of(&page).as_str())]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/signin?done=signed-out");
    let (s, _, _) = get(&app, &cookie, "/settings").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    app.stop().await;
}

async fn a_sign_in_from_a_new_device_is_mailed(app: TestServer) {
    let w = World::build(&app).await;
    // The world logged the mentor in once (its first device): a browser is new.
    let (_, device) = sign_in_as(&app, &w.mentor.email, FIREFOX, None).await;
    let device = device.expect("a device cookie");
    assert_eq!(outbox_kinds(&app, "sign_in_alert").await, [(Some(w.mentor.id.to_string()), None)]);
    // Known by its cookie (a browser updated), or by its User-Agent (cookies cleared).
    let (_, again) = sign_in_as(&app, &w.mentor.email, CHROME_LINUX, Some(&device)).await;
    assert!(again.is_none(), "a known cookie is kept");
    sign_in_as(&app, &w.mentor.email, FIREFOX, None).await;
    assert_eq!(outbox_kinds(&app, "sign_in_alert").await.len(), 1);
    // An API client never seen before is new too.
    api_login(&app, &w.mentor.email, "mentorpost-ios/1.2").await;
    assert_eq!(outbox_kinds(&app, "sign_in_alert").await.len(), 2);
    // Someone's very first sign-in tells them nothing.
    app.create_user("new@example.org", "Nieuwe Persoon", Some(PASSWORD), false).await;
    sign_in_as(&app, "new@example.org", FIREFOX, None).await;
    assert_eq!(outbox_kinds(&app, "sign_in_alert").await.len(), 2);

    let mails = sent(&app, "New sign-in").await;
    assert_eq!(mails.len(), 2);
    let (to, text) = &mails[0];
    assert_eq!(to, &w.mentor.email);
    let texts: String = mails.iter().map(|m| m.1.clone()).collect();
    assert!(texts.contains("Firefox on Windows") && texts.contains("an unknown device"), "{texts}");
    assert!(text.contains("127.0.0.1") && text.contains("/settings#security"), "{text}");
    // No message content: the world's thread subject and first message are not there.
    assert!(!texts.contains("Kennismaking") && !texts.contains("welkom"));
    app.stop().await;
}

async fn password_and_address_changes_are_mailed(app: TestServer) {
    let w = World::build(&app).await;
    let (other, other_refresh) = api_login(&app, &w.mentee.email, SAFARI_IPHONE).await;
    let (s, b) = app
        .put("/api/v1/me/password", &w.mentee.token, json!({"current_password": PASSWORD, "new_password": "a tram to Łódź at dawn"}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    // Every other login ended; the new password works, the old one no more.
    let (s, _) = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": other_refresh}))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": w.mentee.refresh}))).await;
    assert_eq!(s, StatusCode::OK, "the login that changed it stays");
    let (s, _) = app.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": w.mentee.email, "password": PASSWORD}))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    app.login(&w.mentee.email, "a tram to Łódź at dawn").await;
    drop(other);
    let mails = sent(&app, "Your mentorpost password was changed").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, w.mentee.email);
    assert!(mails[0].1.contains("127.0.0.1"), "{}", mails[0].1);

    // An address added by its mailed link: the account's address and the new one are told.
    let token =
        store::inbound::create_address_confirmation(&app.state.db, w.mentor.id, "cagri.werk@example.org".to_owned(), app.clock.now())
            .await
            .expect("link");
    let resp = browser().post(app.url(&format!("/mail/add-address/{token}"))).send().await.expect("confirm");
    assert_eq!(resp.status(), StatusCode::OK);
    // And one an admin adds.
    let (s, b) =
        app.post(&format!("/api/v1/users/{}/emails", w.mentee.id), &w.admin.token, json!({"email": "joao.werk@example.org"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let mails = sent(&app, "An address was added").await;
    let to: Vec<&str> = mails.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(to, ["cagri.werk@example.org", "joao.werk@example.org", "mentee@example.org", "mentor@example.org"]);
    assert!(mails.iter().all(|(_, text)| text.contains(".werk@example.org") && !text.contains("Kennismaking")));
    app.stop().await;
}

async fn attachments_cannot_run_as_pages(app: TestServer) {
    let w = World::build(&app).await;
    let files = [
        ("page.html", "text/html", b"<script>alert(1)</script>".to_vec(), "application/octet-stream"),
        (
            "drawing.svg",
            "image/svg+xml",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            "application/octet-stream",
        ),
        ("photo.png", "image/png", vec![0x89, b'P', b'N', b'G'], "image/png"),
    ];
    let (cookie, _) = sign_in(&app, &w.mentee.email).await;
    for (name, declared, data, served) in files {
        let id = uuid::Uuid::now_v7().to_string();
        let (row, message, mentorship, at) =
            (id.clone(), w.first_message.clone(), w.mentorship.clone(), app.clock.now().timestamp_millis());
        app.state
            .db
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO attachments (id, message_id, mentorship_id, name, content_type, size_bytes, data, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(row)
                    .bind(message)
                    .bind(mentorship)
                    .bind(name)
                    .bind(declared)
                    .bind(data.len() as i64)
                    .bind(data)
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
                    Ok::<_, mentorpost_server::db::StoreError>(())
                })
            })
            .await
            .expect("attachment");
        let api = browser().get(app.url(&format!("/api/v1/attachments/{id}"))).bearer_auth(&w.mentor.token).send().await.expect("api");
        let web = browser().get(app.url(&format!("/attachments/{id}"))).header("cookie", &cookie).send().await.expect("web");
        for resp in [api, web] {
            assert_eq!(resp.status(), StatusCode::OK, "{name}");
            let h = resp.headers();
            assert_eq!(h["content-type"], served, "{name}");
            assert!(h["content-disposition"].to_str().expect("disposition").starts_with("attachment;"), "{name}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{name}");
            assert!(h["content-security-policy"].to_str().expect("csp").contains("sandbox"), "{name}");
        }
    }
    app.stop().await;
}
