//! The API contract: every response the harness receives is checked against the
//! served OpenAPI document (tests/src/contract.rs); these scenarios check the checker
//! and the answers that come before any handler runs.

use mentorpost_tests::contract::{Answer, Contract};
use mentorpost_tests::{TestServer, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::Value;

both_backends!(oversized_heads_get_the_json_error_body, drift_from_the_document_fails_with_route_status_and_reason);

fn assert_error_body(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "error body: {body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "error body: {body}");
}

/// Sends a GET with extra headers and checks the answer against the contract.
async fn get_with_headers(app: &TestServer, path: &str, headers: &[(String, String)]) -> (StatusCode, Value) {
    let mut req = app.client.get(app.url(path));
    for (name, value) in headers {
        req = req.header(name, value);
    }
    let resp = req.send().await.expect("request sent");
    let status = resp.status();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = resp.bytes().await.expect("body");
    app.contract().await.check(&Method::GET, path, &Answer { status, content_type: content_type.as_deref(), body: &bytes });
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn oversized_heads_get_the_json_error_body(app: TestServer) {
    // A request target past the limit (8 KiB), on a documented route and elsewhere.
    let long = "a".repeat(10 * 1024);
    let (status, body) = app.call(Method::GET, &format!("/api/v1/me/threads?pad={long}"), None, None).await;
    assert_eq!(status, StatusCode::URI_TOO_LONG);
    assert_error_body(&body, "uri_too_long");
    let (status, body) = app.call(Method::GET, &format!("/api/v1/{long}"), None, None).await;
    assert_eq!(status, StatusCode::URI_TOO_LONG);
    assert_error_body(&body, "uri_too_long");

    // Too many header fields (limit 64), and one header too large (limit 32 KiB).
    let many: Vec<(String, String)> = (0..70).map(|i| (format!("x-pad-{i}"), "u-ok".to_owned())).collect();
    let (status, body) = get_with_headers(&app, "/api/v1/me", &many).await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_error_body(&body, "headers_too_large");
    let big = vec![("x-pad".to_owned(), "b".repeat(40 * 1024))];
    let (status, body) = get_with_headers(&app, "/api/v1/me", &big).await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_error_body(&body, "headers_too_large");

    // Just under the limits the request goes through to the handler (401: no token).
    let fine: Vec<(String, String)> = (0..40).map(|i| (format!("x-pad-{i}"), "c".repeat(500))).collect();
    let (status, body) = get_with_headers(&app, &format!("/api/v1/me?pad={}", "d".repeat(7 * 1024)), &fine).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error_body(&body, "unauthenticated");
    app.stop().await;
}

async fn drift_from_the_document_fails_with_route_status_and_reason(app: TestServer) {
    app.create_user("zeynep.kaya@example.org", "Zeynep Kaya", Some("correct horse battery staple"), false).await;
    let (token, _) = app.login("zeynep.kaya@example.org", "correct horse battery staple").await;
    let resp = app.client.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.expect("me");
    let status = resp.status();
    let bytes = resp.bytes().await.expect("body");
    let me = Answer { status, content_type: Some("application/json"), body: &bytes };
    let served = app.contract().await;
    served.verify(&Method::GET, "/api/v1/me", &me).expect("the real answer matches the served document");

    // The document as it was: enums under their Rust names. The real answer no longer fits.
    let mut doc = served.document().clone();
    doc["components"]["schemas"]["Locale"]["enum"] = serde_json::json!(["En", "Nl"]);
    let err = Contract::new(doc).verify(&Method::GET, "/api/v1/me", &me).expect_err("a PascalCase enum rejects the wire value");
    assert!(err.contains("GET /api/v1/me 200"), "{err}");
    assert!(err.contains("/locale"), "{err}");

    // A status the operation does not declare, and a body where none is declared.
    let teapot = Answer { status: StatusCode::IM_A_TEAPOT, content_type: Some("application/json"), body: b"{}" };
    let err = served.verify(&Method::GET, "/api/v1/me", &teapot).expect_err("418 is not declared");
    assert!(err.contains("GET /api/v1/me answered 418"), "{err}");
    let err = served
        .verify(&Method::POST, "/api/v1/auth/logout", &Answer { status: StatusCode::NO_CONTENT, content_type: None, body: b"x" })
        .expect_err("204 declares no body");
    assert!(err.contains("POST /api/v1/auth/logout 204"), "{err}");

    // An error body of the wrong shape, on a concrete path with ids.
    let odd = Answer { status: StatusCode::NOT_FOUND, content_type: Some("application/json"), body: br#"{"message":"gone"}"# };
    let path = format!("/api/v1/threads/{}/messages?limit=5", uuid::Uuid::nil());
    let err = served.verify(&Method::GET, &path, &odd).expect_err("the error body is not ErrorBody");
    assert!(err.contains("GET /api/v1/threads/{id}/messages 404"), "{err}");
    assert!(err.contains("error"), "{err}");
    app.stop().await;
}
