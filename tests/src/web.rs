//! The web app as a browser without JavaScript uses it: sign in by form, keep the
//! session cookie, read the page's CSRF token, send forms. Redirects are not followed,
//! so each answer can be looked at.

use crate::TestServer;
use crate::world::PASSWORD;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// What a browser says of a form sent from one of our own pages.
pub fn same_origin() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
    h
}

/// Signs in by the form; returns the cookie header value and the session's CSRF token.
pub async fn sign_in(app: &TestServer, email: &str) -> (String, String) {
    let resp = browser()
        .post(app.url("/signin"))
        .headers(same_origin())
        .form(&[("email", email), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let set = resp.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    let cookie = set.split(';').next().expect("pair").to_owned();
    let page = get(app, &cookie, "/").await.1;
    (cookie, csrf_of(&page))
}

/// The CSRF token a page carries for its script.
pub fn csrf_of(page: &str) -> String {
    page.split("<meta name=\"csrf-token\" content=\"").nth(1).and_then(|r| r.split('"').next()).expect("csrf meta").to_owned()
}

pub async fn get(app: &TestServer, cookie: &str, path: &str) -> (StatusCode, String, HeaderMap) {
    let resp = browser().get(app.url(path)).header("cookie", cookie).send().await.expect("get");
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, resp.text().await.expect("body"), headers)
}

pub async fn post_form(app: &TestServer, cookie: &str, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, HeaderMap) {
    let resp = browser().post(app.url(path)).header("cookie", cookie).form(form).send().await.expect("post");
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, resp.text().await.expect("body"), headers)
}

/// A file as a browser's file input sends it: (name, content type, bytes).
pub type File<'a> = (&'a str, &'a str, Vec<u8>);

/// Sends a form as `multipart/form-data`, as a browser sends a form with a file input:
/// the text fields first, then each file as a part of the `files` input, its name as
/// raw UTF-8 (no percent-encoding), as browsers send it.
pub async fn post_multipart(
    app: &TestServer,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
    files: &[File<'_>],
) -> (StatusCode, String, HeaderMap) {
    let resp = multipart_request(app, cookie, path, fields, files).send().await.expect("post");
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, resp.text().await.expect("body"), headers)
}

/// The request [`post_multipart`] sends, to add headers to.
pub fn multipart_request(
    app: &TestServer,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
    files: &[File<'_>],
) -> reqwest::RequestBuilder {
    let mut form = reqwest::multipart::Form::new().percent_encode_noop();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    for (name, content_type, data) in files {
        let part = reqwest::multipart::Part::bytes(data.clone()).file_name(name.to_string()).mime_str(content_type).expect("content type");
        form = form.part("files", part);
    }
    browser().post(app.url(path)).header("cookie", cookie).multipart(form)
}
