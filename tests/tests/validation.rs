//! Malformed requests across the API: each gets the exact status, a JSON error body
//! `{"error":{"code","message"}}`, and writes nothing (every table's row count is
//! unchanged). Rejections never echo submitted text. Both backends.

use chrono::Duration;
use mentorpost_auth::JwtKeys;
use mentorpost_model::Clock;
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

both_backends!(malformed_requests_change_nothing, rejections_never_echo_input, failed_logins_write_only_failure_counters);

/// Sends a request with exactly the given headers and body.
async fn send(
    app: &TestServer,
    method: Method,
    path: &str,
    headers: &[(&str, HeaderValue)],
    body: Option<Vec<u8>>,
) -> (StatusCode, Value, String) {
    let mut req = app.client.request(method, app.url(path));
    for (name, value) in headers {
        req = req.header(HeaderName::from_bytes(name.as_bytes()).expect("header name"), value.clone());
    }
    if let Some(b) = body {
        req = req.body(b);
    }
    let resp = req.send().await.expect("request sent");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
}

fn hv(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).expect("header value")
}

fn bearer(token: &str) -> (&'static str, HeaderValue) {
    ("authorization", hv(&format!("Bearer {token}")))
}

fn json_ct() -> (&'static str, HeaderValue) {
    ("content-type", hv("application/json"))
}

/// URL-safe base64 without padding, for hand-made tokens.
fn b64url(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Asserts the shape `{"error":{"code":…,"message":…}}` and nothing else.
fn assert_error_shape(label: &str, body: &Value, raw: &str) {
    let outer = body.as_object().unwrap_or_else(|| panic!("{label}: body is not a JSON object: {raw:?}"));
    assert_eq!(outer.keys().collect::<Vec<_>>(), ["error"], "{label}: {raw}");
    let inner = body["error"].as_object().unwrap_or_else(|| panic!("{label}: error is not an object: {raw}"));
    let mut keys: Vec<_> = inner.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "message"], "{label}: {raw}");
    assert!(inner["code"].as_str().is_some_and(|c| !c.is_empty()), "{label}: {raw}");
    assert!(inner["message"].as_str().is_some_and(|m| !m.is_empty()), "{label}: {raw}");
}

/// Runs cases against a snapshot of every table's row count.
struct Probe<'a> {
    app: &'a TestServer,
    before: Vec<(String, i64, u64)>,
    labels: BTreeSet<String>,
}

impl<'a> Probe<'a> {
    async fn new(app: &'a TestServer) -> Probe<'a> {
        Probe { app, before: app.snapshot().await, labels: BTreeSet::new() }
    }

    /// One case: exact status and code, JSON error shape, nothing written.
    async fn check(&mut self, label: &str, got: (StatusCode, Value, String), status: u16, code: &str) {
        let (s, body, raw) = got;
        assert_eq!(s.as_u16(), status, "{label}: {raw}");
        assert_error_shape(label, &body, &raw);
        assert_eq!(body["error"]["code"], code, "{label}: {raw}");
        assert_eq!(self.app.snapshot().await, self.before, "{label}: a rejected request wrote or changed something");
        assert!(self.labels.insert(label.to_owned()), "duplicate label {label}");
    }

    async fn json(&mut self, label: &str, method: Method, path: &str, token: Option<&str>, body: Value, (status, code): (u16, &str)) {
        let mut headers = vec![json_ct()];
        if let Some(t) = token {
            headers.push(bearer(t));
        }
        let got = send(self.app, method, path, &headers, Some(body.to_string().into_bytes())).await;
        self.check(label, got, status, code).await;
    }

    async fn raw(
        &mut self,
        label: &str,
        method: Method,
        path: &str,
        headers: &[(&str, HeaderValue)],
        body: Option<Vec<u8>>,
        (status, code): (u16, &str),
    ) {
        let got = send(self.app, method, path, headers, body).await;
        self.check(label, got, status, code).await;
    }

    async fn get(&mut self, label: &str, path: &str, token: &str, status: u16, code: &str) {
        let got = send(self.app, Method::GET, path, &[bearer(token)], None).await;
        self.check(label, got, status, code).await;
    }
}

/// A second thread in the world's mentorship; returns (thread id, its first message).
async fn second_thread(app: &TestServer, w: &World) -> (String, String) {
    let (s, t) = app
        .post(
            &format!("/api/v1/mentorships/{}/threads", w.mentorship),
            &w.mentee.token,
            json!({"subject": "Tweede onderwerp", "body": "Nog een vraag"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    (t["thread"]["id"].as_str().expect("id").to_owned(), t["message"]["id"].as_str().expect("id").to_owned())
}

async fn malformed_requests_change_nothing(app: TestServer) {
    let w = World::build(&app).await;
    let (_, other_thread_message) = second_thread(&app, &w).await;
    let secret = mentorpost_server::store::settings::jwt_secret(&app.state.db).await.expect("secret");
    let (expired, _) = JwtKeys::new(&secret).issue(w.mentee.id, "s", app.clock.now() - Duration::minutes(20)).expect("issue");
    let (foreign, _) =
        JwtKeys::new(b"some other instance's secret, at least 32 bytes long").issue(w.mentee.id, "s", app.clock.now()).expect("issue");
    let claims = w.mentee.token.split('.').nth(1).expect("claims").to_owned();
    let alg_none = format!("{}.{claims}.", b64url(br#"{"alg":"none","typ":"JWT"}"#));

    let mentee = w.mentee.token.as_str();
    let mentor = w.mentor.token.as_str();
    let admin = w.admin.token.as_str();
    let coord = w.coordinator.token.as_str();
    let other_coord = w.other_coordinator.token.as_str();
    let msgs = format!("/api/v1/threads/{}/messages", w.thread);
    let threads = format!("/api/v1/mentorships/{}/threads", w.mentorship);
    let read = format!("/api/v1/threads/{}/read", w.thread);
    let rhythm = format!("/api/v1/mentorships/{}/agreement/rhythm", w.mentorship);
    let close = format!("/api/v1/mentorships/{}/close", w.mentorship);
    let new_ms = format!("/api/v1/programmes/{}/mentorships", w.programme);
    let events = format!("/api/v1/mentorships/{}/events", w.mentorship);
    let nobody = uuid::Uuid::now_v7();
    let post = Method::POST;

    let mut p = Probe::new(&app).await;

    // ---- body syntax and encoding ----
    p.raw(
        "truncated JSON",
        post.clone(),
        &msgs,
        &[json_ct(), bearer(mentee)],
        Some(br#"{"body": "hallo", "client_msg_id": "#.to_vec()),
        (400, "invalid_json"),
    )
    .await;
    p.raw("empty body", post.clone(), &msgs, &[json_ct(), bearer(mentee)], Some(Vec::new()), (400, "invalid_json")).await;
    p.raw(
        "invalid UTF-8 in the body",
        post.clone(),
        &msgs,
        &[json_ct(), bearer(mentee)],
        Some(b"{\"body\": \"caf\xe9 \xff\xfe\", \"client_msg_id\": \"utf8\"}".to_vec()),
        (400, "invalid_json"),
    )
    .await;
    p.raw(
        "trailing garbage after JSON",
        post.clone(),
        &msgs,
        &[json_ct(), bearer(mentee)],
        Some(br#"{"body": "x", "client_msg_id": "t"} {}"#.to_vec()),
        (400, "invalid_json"),
    )
    .await;
    p.raw(
        "wrong content type",
        post.clone(),
        &msgs,
        &[("content-type", hv("text/plain")), bearer(mentee)],
        Some(json!({"body": "x", "client_msg_id": "ct"}).to_string().into_bytes()),
        (415, "unsupported_media_type"),
    )
    .await;
    p.raw(
        "no content type",
        post.clone(),
        &msgs,
        &[bearer(mentee)],
        Some(json!({"body": "x", "client_msg_id": "ct2"}).to_string().into_bytes()),
        (415, "unsupported_media_type"),
    )
    .await;
    let mut huge = br#"{"body": ""#.to_vec();
    huge.extend(std::iter::repeat_n(b'a', 1024 * 1024 + 16));
    huge.extend(br#"", "client_msg_id": "huge"}"#);
    p.raw("request body over 1 MiB", post.clone(), &msgs, &[json_ct(), bearer(mentee)], Some(huge), (413, "payload_too_large")).await;

    // ---- JSON shape ----
    p.json("wrong JSON type", post.clone(), &msgs, Some(mentee), json!({"body": 42, "client_msg_id": "t1"}), (422, "invalid_body")).await;
    p.json("string instead of object", post.clone(), &msgs, Some(mentee), json!("hallo"), (422, "invalid_body")).await;
    p.json("missing field", post.clone(), &msgs, Some(mentee), json!({"body": "hallo"}), (422, "invalid_body")).await;
    p.json(
        "null for a required field",
        post.clone(),
        &msgs,
        Some(mentee),
        json!({"body": null, "client_msg_id": "n1"}),
        (422, "invalid_body"),
    )
    .await;
    p.json(
        "unknown field",
        post.clone(),
        &msgs,
        Some(mentee),
        json!({"body": "hallo", "client_msg_id": "u1", "bcc": "x@y.z"}),
        (422, "invalid_body"),
    )
    .await;

    // ---- subject ----
    p.json("empty subject", post.clone(), &threads, Some(mentee), json!({"subject": "", "body": "x"}), (422, "subject_required")).await;
    p.json(
        "whitespace-only subject",
        post.clone(),
        &threads,
        Some(mentee),
        json!({"subject": "  \t \u{3000} ", "body": "x"}),
        (422, "subject_required"),
    )
    .await;
    p.json(
        "201-character subject",
        post.clone(),
        &threads,
        Some(mentee),
        json!({"subject": "ż".repeat(201), "body": "x"}),
        (422, "subject_too_long"),
    )
    .await;
    p.json(
        "subject with CR LF",
        post.clone(),
        &threads,
        Some(mentee),
        json!({"subject": "Vraag\r\nBcc: everyone@example.org", "body": "x"}),
        (422, "control_characters"),
    )
    .await;
    p.json(
        "subject with BEL",
        post.clone(),
        &threads,
        Some(mentee),
        json!({"subject": "Vraag \u{7} over werk", "body": "x"}),
        (422, "control_characters"),
    )
    .await;
    p.json(
        "subject with a line separator",
        post.clone(),
        &threads,
        Some(mentee),
        json!({"subject": "Vraag\u{2028}over werk", "body": "x"}),
        (422, "control_characters"),
    )
    .await;
    p.json(
        "thread with a valid subject but an empty body",
        post.clone(),
        &threads,
        Some(mentee),
        json!({"subject": "Goed onderwerp", "body": " \n "}),
        (422, "body_required"),
    )
    .await;

    // ---- message body and idempotency key ----
    p.json("empty message body", post.clone(), &msgs, Some(mentee), json!({"body": "", "client_msg_id": "e1"}), (422, "body_required"))
        .await;
    p.json(
        "message body of 64 KiB + 1 byte",
        post.clone(),
        &msgs,
        Some(mentee),
        json!({"body": "ą".repeat(32 * 1024) + "x", "client_msg_id": "big"}),
        (422, "body_too_long"),
    )
    .await;
    p.json(
        "message body with NUL",
        post.clone(),
        &msgs,
        Some(mentee),
        json!({"body": "nul\u{0}byte", "client_msg_id": "nul"}),
        (422, "control_characters"),
    )
    .await;
    p.json(
        "client_msg_id too long",
        post.clone(),
        &msgs,
        Some(mentee),
        json!({"body": "hallo", "client_msg_id": "k".repeat(101)}),
        (422, "invalid_client_msg_id"),
    )
    .await;
    p.json(
        "client_msg_id empty",
        post.clone(),
        &msgs,
        Some(mentee),
        json!({"body": "hallo", "client_msg_id": ""}),
        (422, "invalid_client_msg_id"),
    )
    .await;

    // ---- ids ----
    p.json(
        "malformed UUID in the path",
        post.clone(),
        "/api/v1/threads/not-a-uuid/messages",
        Some(mentee),
        json!({"body": "hallo", "client_msg_id": "p1"}),
        (404, "not_found"),
    )
    .await;
    p.get("malformed UUID in a GET path", "/api/v1/mentorships/12345678-1234-1234-1234-12345678901z", coord, 404, "not_found").await;
    p.json(
        "thread that does not exist",
        post.clone(),
        &format!("/api/v1/threads/{nobody}/messages"),
        Some(mentee),
        json!({"body": "hallo", "client_msg_id": "p2"}),
        (404, "not_found"),
    )
    .await;
    p.get("GET a thread that does not exist", &format!("/api/v1/threads/{nobody}"), mentee, 404, "not_found").await;
    p.json(
        "read marker on a message of another thread",
        post.clone(),
        &read,
        Some(mentee),
        json!({"message_id": other_thread_message}),
        (422, "unknown_message"),
    )
    .await;
    p.json(
        "read marker with a malformed message id",
        post.clone(),
        &read,
        Some(mentee),
        json!({"message_id": "not-a-uuid"}),
        (422, "invalid_body"),
    )
    .await;
    p.get("coordinator reads another programme", &format!("/api/v1/programmes/{}", w.programme), other_coord, 404, "not_found").await;
    p.json(
        "coordinator creates a mentorship in another programme",
        post.clone(),
        &format!("/api/v1/programmes/{}/mentorships", w.other_programme),
        Some(coord),
        json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": w.mentee.id, "role": "mentee"}]}),
        (404, "not_found"),
    )
    .await;
    p.json(
        "coordinator closes another programme's mentorship",
        post.clone(),
        &close,
        Some(other_coord),
        json!({"reason": "completed"}),
        (404, "not_found"),
    )
    .await;
    p.json(
        "coordinator creates a person for another programme",
        post.clone(),
        "/api/v1/users",
        Some(coord),
        json!({"email": "new.person@example.org", "display_name": "New Person", "programme_id": w.other_programme}),
        (404, "not_found"),
    )
    .await;
    p.json(
        "admin creates a person for a programme that does not exist",
        post.clone(),
        "/api/v1/users",
        Some(admin),
        json!({"email": "new.person@example.org", "display_name": "New Person", "programme_id": nobody}),
        (422, "unknown_programme"),
    )
    .await;
    p.json(
        "mentorship with a member that does not exist",
        post.clone(),
        &new_ms,
        Some(coord),
        json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": nobody, "role": "mentee"}]}),
        (422, "unknown_user"),
    )
    .await;

    // ---- authentication ----
    p.get("expired token", "/api/v1/me", &expired, 401, "token_expired").await;
    p.get("token signed with another secret", "/api/v1/me", &foreign, 401, "token_invalid").await;
    p.get("alg:none token", "/api/v1/me", &alg_none, 401, "token_invalid").await;
    p.get("garbage bearer token", "/api/v1/me", "garbage", 401, "token_invalid").await;
    p.raw(
        "Basic instead of Bearer",
        Method::GET,
        "/api/v1/me",
        &[("authorization", hv("Basic bWVudGVlOnBhc3N3b3Jk"))],
        None,
        (401, "token_invalid"),
    )
    .await;
    p.raw(
        "non-ASCII bytes in the Authorization header",
        Method::GET,
        "/api/v1/me",
        &[("authorization", HeaderValue::from_bytes(b"Bearer \xff\xfe").expect("obs-text"))],
        None,
        (401, "token_invalid"),
    )
    .await;
    p.raw(
        "no Authorization header",
        post.clone(),
        &msgs,
        &[json_ct()],
        Some(json!({"body": "x", "client_msg_id": "a1"}).to_string().into_bytes()),
        (401, "unauthenticated"),
    )
    .await;
    p.json(
        "write with an expired token",
        post.clone(),
        &msgs,
        Some(&expired),
        json!({"body": "x", "client_msg_id": "a2"}),
        (401, "token_expired"),
    )
    .await;
    p.json(
        "refresh with a garbage token",
        post.clone(),
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": "garbage"}),
        (401, "refresh_invalid"),
    )
    .await;
    p.json(
        "magic link for an invalid address",
        post.clone(),
        "/api/v1/auth/magic-link",
        None,
        json!({"email": "no-at-sign"}),
        (422, "invalid_email"),
    )
    .await;

    // ---- people ----
    p.json(
        "invalid time zone",
        post.clone(),
        "/api/v1/users",
        Some(admin),
        json!({"email": "tz@example.org", "display_name": "Tijs", "timezone": "Mars/Olympus_Mons"}),
        (422, "invalid_timezone"),
    )
    .await;
    p.json(
        "invalid e-mail",
        post.clone(),
        "/api/v1/users",
        Some(admin),
        json!({"email": "tijs@@example", "display_name": "Tijs"}),
        (422, "invalid_email"),
    )
    .await;
    p.json(
        "e-mail with a header injection",
        post.clone(),
        "/api/v1/users",
        Some(admin),
        json!({"email": "tijs@example.org\r\nBcc: all@example.org", "display_name": "Tijs"}),
        (422, "invalid_email"),
    )
    .await;
    p.json(
        "duplicate e-mail (other case)",
        post.clone(),
        "/api/v1/users",
        Some(admin),
        json!({"email": "Mentor@Example.ORG", "display_name": "Second Mentor", "password": "a much longer passphrase"}),
        (409, "email_taken"),
    )
    .await;
    p.json(
        "weak password: too short",
        post.clone(),
        "/api/v1/users",
        Some(admin),
        json!({"email": "weak@example.org", "display_name": "Weak", "password": "short"}),
        (422, "weak_password"),
    )
    .await;
    p.json(
        "weak password: one repeated character",
        post.clone(),
        "/api/v1/users",
        Some(admin),
        json!({"email": "weak@example.org", "display_name": "Weak", "password": "aaaaaaaaaaaaaaaa"}),
        (422, "weak_password"),
    )
    .await;
    p.json(
        "empty display name",
        post.clone(),
        "/api/v1/users",
        Some(admin),
        json!({"email": "noname@example.org", "display_name": "   "}),
        (422, "name_required"),
    )
    .await;
    p.json(
        "unknown locale",
        post.clone(),
        "/api/v1/users",
        Some(admin),
        json!({"email": "locale@example.org", "display_name": "Loc", "locale": "tlh"}),
        (422, "invalid_body"),
    )
    .await;
    p.json(
        "programme name with a control character",
        post.clone(),
        "/api/v1/programmes",
        Some(admin),
        json!({"name": "Programme\u{1b}[31m"}),
        (422, "control_characters"),
    )
    .await;

    // ---- mentorships and agreement ----
    p.json(
        "rhythm: contact every 0 days",
        Method::PUT,
        &rhythm,
        Some(coord),
        json!({"contact_every_days": 0, "response_within_hours": 48}),
        (422, "out_of_range"),
    )
    .await;
    p.json(
        "rhythm: answer within 5000 hours",
        Method::PUT,
        &rhythm,
        Some(mentor),
        json!({"contact_every_days": 7, "response_within_hours": 5000}),
        (422, "out_of_range"),
    )
    .await;
    p.json(
        "rhythm: days as a string",
        Method::PUT,
        &rhythm,
        Some(coord),
        json!({"contact_every_days": "7", "response_within_hours": 48}),
        (422, "invalid_body"),
    )
    .await;
    p.json(
        "programme default rhythm out of range",
        post.clone(),
        "/api/v1/programmes",
        Some(admin),
        json!({"name": "Programme R", "default_rhythm": {"contact_every_days": 366, "response_within_hours": 48}}),
        (422, "out_of_range"),
    )
    .await;
    p.json(
        "agreement goals too long",
        Method::PUT,
        &format!("/api/v1/mentorships/{}/agreement/content", w.mentorship),
        Some(mentee),
        json!({"goals": "d".repeat(10_001)}),
        (422, "too_long"),
    )
    .await;
    p.json(
        "close with an invalid reason code",
        post.clone(),
        &close,
        Some(coord),
        json!({"reason": "Completed!"}),
        (422, "invalid_reason"),
    )
    .await;
    p.json("close with an empty reason", post.clone(), &close, Some(coord), json!({"reason": "  "}), (422, "invalid_reason")).await;
    p.json(
        "mentorship without a mentee",
        post.clone(),
        &new_ms,
        Some(coord),
        json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}]}),
        (422, "members_incomplete"),
    )
    .await;
    p.json(
        "mentorship listing a person twice",
        post.clone(),
        &new_ms,
        Some(coord),
        json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": w.mentor.id, "role": "mentee"}]}),
        (422, "duplicate_member"),
    )
    .await;
    p.json(
        "mentorship with an unknown role",
        post.clone(),
        &new_ms,
        Some(coord),
        json!({"members": [{"user_id": w.mentor.id, "role": "boss"}, {"user_id": w.mentee.id, "role": "mentee"}]}),
        (422, "invalid_body"),
    )
    .await;
    p.json(
        "mentorship with an impossible start date",
        post.clone(),
        &new_ms,
        Some(coord),
        json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": w.mentee.id, "role": "mentee"}], "start_date": "2026-02-30"}),
        (422, "invalid_body"),
    )
    .await;
    p.json(
        "mentorship created closed",
        post.clone(),
        &new_ms,
        Some(coord),
        json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": w.mentee.id, "role": "mentee"}], "status": "closed"}),
        (422, "invalid_status"),
    )
    .await;

    // ---- list parameters ----
    p.get("limit=0", "/api/v1/me/threads?limit=0", mentee, 400, "invalid_query").await;
    p.get("limit=100000", &format!("{msgs}?limit=100000"), mentee, 400, "invalid_query").await;
    p.get("negative limit", &format!("{threads}?limit=-5"), mentee, 400, "invalid_query").await;
    p.get("non-numeric limit", &format!("{msgs}?limit=ten"), mentee, 400, "invalid_query").await;
    p.get("limit beyond i64", &format!("{events}?limit=99999999999999999999999"), mentee, 400, "invalid_query").await;
    p.get("negative after on events", &format!("{events}?after=-1"), mentee, 400, "invalid_query").await;
    p.get("events limit=100000", &format!("{events}?limit=100000"), mentee, 400, "invalid_query").await;
    p.get("negative after on messages", &format!("{msgs}?after=-1"), mentee, 400, "invalid_query").await;
    p.get("negative before on messages", &format!("{msgs}?before=-3"), mentee, 400, "invalid_query").await;
    p.get("before and after together", &format!("{msgs}?before=5&after=1"), mentee, 400, "invalid_query").await;
    p.get("unknown query parameter", &format!("{msgs}?limt=5"), mentee, 400, "invalid_query").await;
    p.get("unknown route", "/api/v1/nothing-here", mentee, 404, "not_found").await;

    assert!(p.labels.len() >= 30, "{} cases", p.labels.len());
    app.stop().await;
}

async fn rejections_never_echo_input(app: TestServer) {
    let w = World::build(&app).await;
    let mentee = w.mentee.token.as_str();
    let threads = format!("/api/v1/mentorships/{}/threads", w.mentorship);
    let msgs = format!("/api/v1/threads/{}/messages", w.thread);
    const MARKER: &str = "ZX-PRIVATE-MARKER-4711";
    let mut p = Probe::new(&app).await;

    let cases = [
        (
            "over-long subject with a marker",
            threads.clone(),
            json!({"subject": format!("{MARKER} {}", "ż".repeat(200)), "body": "x"}),
            422,
            "subject_too_long",
        ),
        (
            "subject with a marker and a line break",
            threads.clone(),
            json!({"subject": format!("{MARKER}\r\nBcc: a@b.c"), "body": "x"}),
            422,
            "control_characters",
        ),
        (
            "over-long body with a marker",
            msgs.clone(),
            json!({"body": format!("{MARKER}{}", "x".repeat(64 * 1024)), "client_msg_id": "m1"}),
            422,
            "body_too_long",
        ),
        ("wrong type next to a marker", msgs.clone(), json!({"body": [MARKER], "client_msg_id": MARKER}), 422, "invalid_body"),
        (
            "unknown field named like the marker",
            msgs.clone(),
            json!({"body": "x", "client_msg_id": "m2", MARKER: MARKER}),
            422,
            "invalid_body",
        ),
        (
            "client_msg_id too long with a marker",
            msgs.clone(),
            json!({"body": "x", "client_msg_id": MARKER.repeat(10)}),
            422,
            "invalid_client_msg_id",
        ),
    ];
    for (label, path, body, status, code) in cases {
        let got = send(&app, Method::POST, &path, &[json_ct(), bearer(mentee)], Some(body.to_string().into_bytes())).await;
        let raw = got.2.clone();
        assert!(!raw.contains(MARKER), "{label}: echoed: {raw}");
        assert!(!raw.contains("ż"), "{label}: echoed: {raw}");
        p.check(label, got, status, code).await;
    }
    // An unknown enum value (a role) with the marker.
    let got = send(
        &app,
        Method::POST,
        &format!("/api/v1/programmes/{}/mentorships", w.programme),
        &[json_ct(), bearer(&w.coordinator.token)],
        Some(
            json!({"members": [{"user_id": w.mentor.id, "role": MARKER}, {"user_id": w.mentee.id, "role": "mentee"}]})
                .to_string()
                .into_bytes(),
        ),
    )
    .await;
    assert!(!got.2.contains(MARKER), "{}", got.2);
    p.check("unknown role named like the marker", got, 422, "invalid_body").await;
    // Broken JSON with the marker inside.
    let got = send(&app, Method::POST, &msgs, &[json_ct(), bearer(mentee)], Some(format!(r#"{{"body": "{MARKER}"#).into_bytes())).await;
    assert!(!got.2.contains(MARKER), "{}", got.2);
    p.check("broken JSON with a marker", got, 400, "invalid_json").await;
    app.stop().await;
}

async fn failed_logins_write_only_failure_counters(app: TestServer) {
    let w = World::build(&app).await;
    let login = "/api/v1/auth/login";

    // Requests that never reach the password check write nothing at all.
    let mut p = Probe::new(&app).await;
    p.raw(
        "login: broken JSON",
        Method::POST,
        login,
        &[json_ct()],
        Some(br#"{"email": "mentee@example.org", "password": "#.to_vec()),
        (400, "invalid_json"),
    )
    .await;
    p.json("login: missing password", Method::POST, login, None, json!({"email": w.mentee.email}), (422, "invalid_body")).await;
    p.json(
        "login: password as a number",
        Method::POST,
        login,
        None,
        json!({"email": w.mentee.email, "password": 12345}),
        (422, "invalid_body"),
    )
    .await;
    p.json(
        "login: unknown field",
        Method::POST,
        login,
        None,
        json!({"email": w.mentee.email, "password": PASSWORD, "remember": true}),
        (422, "invalid_body"),
    )
    .await;
    p.raw(
        "login: form-encoded",
        Method::POST,
        login,
        &[("content-type", hv("application/x-www-form-urlencoded"))],
        Some(b"email=mentee%40example.org&password=x".to_vec()),
        (415, "unsupported_media_type"),
    )
    .await;

    // ---- wrong method, not a WebSocket upgrade ----
    p.raw(
        "DELETE on a thread",
        Method::DELETE,
        &format!("/api/v1/threads/{}", w.thread),
        &[bearer(&w.mentor.token)],
        None,
        (405, "method_not_allowed"),
    )
    .await;
    p.raw("PUT on login", Method::PUT, login, &[json_ct()], Some(b"{}".to_vec()), (405, "method_not_allowed")).await;
    p.raw("ws: plain GET without upgrade", Method::GET, "/api/v1/ws", &[], None, (400, "websocket_upgrade_required")).await;
    p.raw("ws: ticket twice in the query", Method::GET, "/api/v1/ws?ticket=a&ticket=b", &[], None, (400, "invalid_query")).await;
    drop(p);

    // A failed login counts (account and client) and writes nothing else.
    let count = |counts: &[(String, i64)], table: &str| counts.iter().find(|(t, _)| t == table).map(|(_, n)| *n).expect("table");
    let without_failures = |counts: Vec<(String, i64)>| counts.into_iter().filter(|(t, _)| t != "login_failures").collect::<Vec<_>>();
    let before = app.row_counts().await;
    for (label, email, password) in [
        ("wrong password", w.mentee.email.as_str(), "wrong password!"),
        ("unknown account", "ghost@example.org", PASSWORD),
        ("over-long password", w.mentee.email.as_str(), &"p".repeat(5000)),
    ] {
        let got =
            send(&app, Method::POST, login, &[json_ct()], Some(json!({"email": email, "password": password}).to_string().into_bytes()))
                .await;
        assert_eq!(got.0, StatusCode::UNAUTHORIZED, "{label}: {}", got.2);
        assert_error_shape(label, &got.1, &got.2);
        assert_eq!(got.1["error"]["code"], "invalid_credentials", "{label}");
    }
    let after = app.row_counts().await;
    assert_eq!(
        count(&after, "login_failures"),
        count(&before, "login_failures") + 2 * 2,
        "two counters per failure (the over-long password is refused before counting)"
    );
    assert_eq!(without_failures(after), without_failures(before));
    app.stop().await;
}
