//! Request ids: every answer carries an `x-request-id`; one a client offers is kept only
//! from a trusted proxy; every log line written while a request is handled carries the
//! id and the route template, never the path's tokens or the query. Both backends.

use mentorpost_model::Clock;
use mentorpost_server::mail::tokens::TokenKind;
use mentorpost_server::store;
use mentorpost_tests::{TestServer, World, both_backends, captured_log};
use reqwest::StatusCode;
use std::time::Duration;

both_backends!(
    every_answer_carries_a_request_id_and_an_offered_one_is_kept_only_from_a_trusted_proxy,
    log_lines_of_a_request_carry_its_id_and_route_template
);

mod background_jobs_log_inside_spans_naming_what_they_work_on {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        super::background_jobs_log_inside_spans_naming_what_they_work_on(mentorpost_tests::Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        super::background_jobs_log_inside_spans_naming_what_they_work_on(mentorpost_tests::Backend::Postgres).await;
    }
}

/// The id an answer carries.
fn request_id(resp: &reqwest::Response) -> String {
    let ids: Vec<&str> = resp.headers().get_all("x-request-id").iter().map(|v| v.to_str().expect("ASCII id")).collect();
    assert_eq!(ids.len(), 1, "exactly one id on {}: {ids:?}", resp.url());
    ids[0].to_owned()
}

/// A fresh id is a UUIDv7.
fn assert_generated(id: &str) {
    let uuid = uuid::Uuid::parse_str(id).unwrap_or_else(|e| panic!("{id} is not a UUID: {e}"));
    assert_eq!(uuid.get_version_num(), 7, "{id}");
}

async fn every_answer_carries_a_request_id_and_an_offered_one_is_kept_only_from_a_trusted_proxy(app: TestServer) {
    let mut seen = std::collections::HashSet::new();
    // Answers of every kind: a route, a refusal, no route at all, a page.
    for path in ["/healthz", "/api/v1/me", "/api/v1/no-such-thing", "/"] {
        let resp = app.client.get(app.url(path)).send().await.expect("request");
        let id = request_id(&resp);
        assert_generated(&id);
        assert!(seen.insert(id), "ids are not reused");
    }
    // A client is no proxy: what it offers is replaced.
    let resp = app.client.get(app.url("/healthz")).header("x-request-id", "chosen-by-the-client").send().await.expect("request");
    let id = request_id(&resp);
    assert_ne!(id, "chosen-by-the-client");
    assert_generated(&id);

    // Behind a trusted proxy (the test client's address), its id is kept and echoed.
    let proxied = TestServer::start_with(app.backend, |config| config.trusted_proxies = vec![std::net::Ipv4Addr::LOCALHOST.into()])
        .await
        .expect("a second server");
    let resp = proxied.client.get(proxied.url("/api/v1/me")).header("x-request-id", "lb-7f3a-lodz").send().await.expect("request");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(request_id(&resp), "lb-7f3a-lodz");
    // Without one, or with one unfit for a log line, the proxied request gets a new one.
    let resp = proxied.client.get(proxied.url("/healthz")).send().await.expect("request");
    assert_generated(&request_id(&resp));
    let resp = proxied.client.get(proxied.url("/healthz")).header("x-request-id", "x".repeat(200)).send().await.expect("request");
    assert_generated(&request_id(&resp));
    proxied.stop().await;
    app.stop().await;
}

/// The log lines that carry `id`.
fn lines_with(id: &str) -> Vec<String> {
    captured_log().lines().filter(|l| l.contains(&format!("request_id={id}"))).map(str::to_owned).collect()
}

async fn log_lines_of_a_request_carry_its_id_and_route_template(app: TestServer) {
    captured_log();
    // A failed login is logged while the request is handled.
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "niemand.gökhan@example.org", "password": "not the password"}))
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let id = request_id(&resp);
    let lines = lines_with(&id);
    assert!(lines.iter().any(|l| l.contains("failed login")), "{lines:#?}");
    for line in &lines {
        assert!(line.contains("method=POST") && line.contains("route=/api/v1/auth/login"), "{line}");
        assert!(!line.contains("gökhan"), "{line}");
    }

    // The unsubscribe link's token is in its path: the log names the route's template.
    let w = World::build(&app).await;
    let mentorship = w.mentorship.parse().expect("mentorship id");
    let token = app.state.mailer.tokens.unsubscribe(w.mentee.id, mentorship);
    store::mail::remember_tokens(
        &app.state.db,
        vec![(token.clone(), TokenKind::Unsubscribe, w.mentee.id, None, Some(mentorship))],
        app.clock.now(),
    )
    .await
    .expect("remember token");
    let resp = app
        .client
        .post(app.url(&format!("/mail/unsubscribe/{token}?campaign=query-secret-Żaneta")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("unsubscribe");
    assert_eq!(resp.status(), StatusCode::OK);
    let id = request_id(&resp);
    let lines = lines_with(&id);
    assert!(lines.iter().any(|l| l.contains("unsubscribed by link")), "{lines:#?}");
    for line in &lines {
        assert!(line.contains("route=/mail/unsubscribe/{token}"), "{line}");
    }
    let log = captured_log();
    assert!(!log.contains(&token), "the token reached the log");
    assert!(!log.contains("query-secret"), "the query reached the log");
    app.stop().await;
}

const SECRET: &str = "inbound-secret-for-tests-0123456789abcdef";

/// A received mail is handled inside an `inbound_mail` span naming it by its key, and
/// the mail the outbox then fails to send is logged inside a `mail` span naming its
/// row; neither shows the mail's subject or text.
async fn background_jobs_log_inside_spans_naming_what_they_work_on(backend: mentorpost_tests::Backend) {
    let Some(app) = TestServer::start_with(backend, |c| c.inbound_secret = Some(SECRET.to_owned())).await else {
        eprintln!("PostgreSQL suite skipped: set {} to run it", mentorpost_tests::PG_ENV);
        return;
    };
    captured_log();
    let marker = format!("geheim-{}", uuid::Uuid::new_v4().simple());
    // The mail transport cannot write: every mail fails and is retried later.
    let mail_dir = app.data_dir().join("mail");
    std::fs::remove_dir_all(&mail_dir).expect("remove the mail dir");
    std::fs::write(&mail_dir, b"not a folder").expect("a file in its place");
    // Mail to a general address is refused, and its (verified) sender told so by mail.
    let sender = format!("{marker}@example.org");
    let raw = format!(
        "Authentication-Results: mx.example.org; dmarc=pass header.from=example.org; spf=pass smtp.mailfrom=example.org\r\n\
         From: Şükrü Öztürk <{sender}>\r\nTo: info@{domain}\r\nSubject: Onderwerp {marker}\r\nMessage-ID: <{marker}@example.org>\r\n\
         Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTekst {marker}\r\n",
        domain = app.state.config.mail_domain,
    );
    let resp = app
        .client
        .post(app.url("/api/v1/inbound/email"))
        .bearer_auth(SECRET)
        .header("content-type", "message/rfc822")
        .body(raw)
        .send()
        .await
        .expect("inbound mail");
    assert_eq!(resp.status(), StatusCode::OK);
    let id = request_id(&resp);
    let received: Vec<String> = lines_with(&id).into_iter().filter(|l| l.contains("mail received")).collect();
    assert_eq!(received.len(), 1, "{received:#?}");
    assert!(received[0].contains("inbound_mail{via=http") && received[0].contains(" key="), "{}", received[0]);

    // The notice to the sender fails in the outbox, inside its mail's span.
    let mut progress = app.state.mailer.progress.subscribe();
    let failed = |log: String| {
        log.lines().filter(|l| l.contains("outbox_batch{") && l.contains("mail{mail=") && l.contains("trying again later")).count()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while failed(captured_log()) == 0 {
        mentorpost_server::mail::outbox::dispatch_due(&app.state).await.expect("outbox round");
        if failed(captured_log()) > 0 {
            break;
        }
        // The worker may have the row: wait for it to finish one.
        tokio::time::timeout_at(deadline, progress.changed()).await.expect("the outbox tries the mail within 60 s").expect("outbox");
    }
    let log = captured_log();
    assert!(!log.contains(&marker), "the mail's words or addresses reached the log");
    app.stop().await;
}
