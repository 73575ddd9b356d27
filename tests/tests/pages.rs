//! The HTML pages the server sends (landing page, sign-in link, unsubscribe,
//! add-address): browser protections on each, no inline script, and nothing about the
//! server's files or configuration. Both backends.

use mentorpost_model::Clock;
use mentorpost_server::mail::tokens::TokenKind;
use mentorpost_server::store;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::StatusCode;

both_backends!(
    html_pages_carry_browser_protections_and_no_inline_script,
    the_landing_page_shows_nothing_of_the_server,
    a_mailed_address_is_escaped_on_its_pages
);

/// Checks one HTML answer's headers.
fn check_page(label: &str, resp: &reqwest::Response) {
    let h = resp.headers();
    let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(get("content-type").starts_with("text/html"), "{label}: {}", get("content-type"));
    let csp = get("content-security-policy");
    let directive = |name: &str| {
        csp.split(';').map(str::trim).find(|d| d.split_whitespace().next() == Some(name)).map(str::to_owned).unwrap_or_default()
    };
    assert_eq!(directive("frame-ancestors"), "frame-ancestors 'none'", "{label}: {csp}");
    assert_eq!(directive("default-src"), "default-src 'none'", "{label}: {csp}");
    let scripts = directive("script-src");
    assert!(!scripts.is_empty() && !scripts.contains("unsafe-inline") && !scripts.contains('*'), "{label}: {csp}");
    assert_eq!(get("x-frame-options"), "DENY", "{label}");
    assert_eq!(get("referrer-policy"), "same-origin", "{label}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{label}");
}

async fn fetch(label: &str, req: reqwest::RequestBuilder) -> String {
    let resp = req.send().await.expect("request");
    assert_eq!(resp.status(), StatusCode::OK, "{label}");
    check_page(label, &resp);
    let html = resp.text().await.expect("html");
    // Every script comes from a file of ours: no inline code, no event attributes.
    let lower = html.to_ascii_lowercase();
    for (at, _) in lower.match_indices("<script") {
        let tag = &lower[at..at + lower[at..].find('>').expect("tag end")];
        assert!(tag.contains(" src=\"/"), "{label}: inline script in {html}");
        assert!(lower[at..].trim_start_matches(tag).starts_with("></script>"), "{label}: code inside a script tag in {html}");
    }
    assert!(!lower.contains(" onclick=") && !lower.contains(" onload=") && !lower.contains("javascript:"), "{label}: {html}");
    html
}

async fn html_pages_carry_browser_protections_and_no_inline_script(app: TestServer) {
    let w = World::build(&app).await;
    let mentorship = w.mentorship.parse().expect("mentorship id");
    let unsubscribe = app.state.mailer.tokens.unsubscribe(w.mentee.id, mentorship);
    store::mail::remember_tokens(
        &app.state.db,
        vec![(unsubscribe.clone(), TokenKind::Unsubscribe, w.mentee.id, None, Some(mentorship))],
        app.clock.now(),
    )
    .await
    .expect("remember token");
    let add_address =
        store::inbound::create_address_confirmation(&app.state.db, w.mentee.id, "joao.thuis@example.org".to_owned(), app.clock.now())
            .await
            .expect("address link");
    let magic = "a".repeat(43);

    fetch("sign-in page", app.client.get(app.url("/"))).await;
    let page = fetch("sign-in link page", app.client.get(app.url(&format!("/login/magic?token={magic}")))).await;
    assert!(page.contains("<form method=\"post\" action=\"/login/magic\">"), "{page}");
    fetch("unsubscribe page", app.client.get(app.url(&format!("/mail/unsubscribe/{unsubscribe}")))).await;
    fetch(
        "unsubscribed",
        app.client
            .post(app.url(&format!("/mail/unsubscribe/{unsubscribe}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click"),
    )
    .await;
    fetch("add-address page", app.client.get(app.url(&format!("/mail/add-address/{add_address}")))).await;
    fetch("address added", app.client.post(app.url(&format!("/mail/add-address/{add_address}")))).await;

    // The web app's script is served as JavaScript, from us, under a name that changes
    // with its content, and kept for good.
    let js_path = page.split("<script type=\"module\" src=\"").nth(1).and_then(|r| r.split('"').next()).expect("script path");
    let js = app.client.get(app.url(js_path)).send().await.expect("script");
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.headers()["content-type"].to_str().is_ok_and(|t| t.starts_with("text/javascript")));
    assert_eq!(js.headers()["x-content-type-options"], "nosniff");
    assert!(js.headers()["cache-control"].to_str().is_ok_and(|c| c.contains("immutable")));
    let stale = app.client.get(app.url("/assets/app.000000000000.js")).send().await.expect("old script");
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);

    // JSON answers are not HTML pages and keep their own headers.
    let resp = app.client.get(app.url("/api/v1/me")).bearer_auth(&w.mentee.token).send().await.expect("me");
    assert!(resp.headers().get("content-security-policy").is_none());
    app.stop().await;
}

async fn the_landing_page_shows_nothing_of_the_server(app: TestServer) {
    let html = fetch("landing page", app.client.get(app.url("/"))).await;
    assert!(html.contains("mentorpost"), "{html}");
    let data_dir = app.data_dir().to_string_lossy().into_owned();
    let config = &app.state.config;
    for secret in [data_dir.as_str(), config.database_url.as_str(), config.mail_domain.as_str(), "/mail", ".db", "sqlite", "postgres"] {
        assert!(!html.contains(secret), "the landing page shows {secret:?}: {html}");
    }
    app.stop().await;
}

/// The address in an add-address link is the sender's to choose: on both pages it is
/// text, with quotes and markup escaped like every other value of a template.
async fn a_mailed_address_is_escaped_on_its_pages(app: TestServer) {
    let w = World::build(&app).await;
    let address = "o'brien+<b>x</b>&\"co\"@example.org";
    let escaped = "o&#39;brien+&#60;b&#62;x&#60;/b&#62;&#38;&#34;co&#34;@example.org";
    let token = store::inbound::create_address_confirmation(&app.state.db, w.mentee.id, address.to_owned(), app.clock.now())
        .await
        .expect("address link");
    let page = fetch("add-address page", app.client.get(app.url(&format!("/mail/add-address/{token}")))).await;
    assert!(page.contains(&format!("<strong>{escaped}</strong>")), "{page}");
    assert!(!page.contains("<b>") && !page.contains("o'brien"), "{page}");
    let done = fetch("address added", app.client.post(app.url(&format!("/mail/add-address/{token}")))).await;
    assert!(done.contains(escaped) && done.contains("<html lang=\""), "{done}");
    assert!(!done.contains("<b>") && !done.contains("o'brien"), "{done}");
    app.stop().await;
}
