//! The HTTP API: router, shared state, extractors that turn every client mistake into
//! a JSON error, and the permission guard every handler calls.

pub mod audit;
pub mod auth;
pub mod closings;
pub mod concerns;
pub mod contact;
pub mod erasure;
pub mod exports;
pub mod health;
pub mod hints;
pub mod inbound;
pub mod invitations;
pub mod limits;
pub mod mail;
pub mod mentorships;
pub mod pages;
pub mod profiles;
pub mod programmes;
pub mod reflections;
pub mod request_id;
pub mod reviews;
pub mod security;
pub mod test_clock;
pub mod threads;
pub mod users;
pub mod ws;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::mentorships::Access;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use mentorpost_auth::permission::Action;
use mentorpost_model::UserId;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The policy every HTML page of ours is sent with: scripts, styles and images only
/// from our own files (no inline script or style, so injected markup can neither run
/// nor restyle the page), requests and forms back to us only, never inside a frame.
pub const HTML_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the browser protections to every HTML answer (the web app, the pages mail
/// links open): the CSP above, no framing (`X-Frame-Options` for browsers without
/// `frame-ancestors`), a `Referer` only to ourselves — some pages carry tokens in
/// their URLs; `no-referrer` would make browsers send `Origin: null` on our own forms —
/// and no content sniffing.
pub async fn html_security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let is_html = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    if is_html {
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(HTML_CONTENT_SECURITY_POLICY));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    }
    response
}

/// Largest request body accepted anywhere (a message is at most 64 KiB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "mentorpost", description = "Asynchronous e-mentoring: threads, live delivery, e-mail participation, contact-rhythm monitoring."),
    modifiers(&SecurityAddon),
    tags(
        (name = "auth", description = "Login, token refresh, magic links"),
        (name = "people", description = "Accounts"),
        (name = "programmes", description = "Programmes and coordinators"),
        (name = "mentorships", description = "Mentorships, members, agreement, lifecycle, events"),
        (name = "threads", description = "Threads, messages, read markers"),
        (name = "live", description = "WebSocket live delivery"),
        (name = "mail", description = "Mail preferences, unsubscribe, failed mail"),
        (name = "inbound", description = "Mail in: raw mail from an MTA, received mail that failed"),
        (name = "health", description = "Contact health: meetings, the figures per mentorship and programme (never content)"),
        (name = "ops", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        components.add_security_scheme("inbound_secret", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// Every route of the service, registered together with its OpenAPI description so
/// the document cannot miss one.
pub fn api_router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::magic_link))
        .routes(routes!(auth::magic_link_redeem))
        .routes(routes!(users::me, users::update_me))
        .routes(routes!(profiles::my_profile, profiles::save_my_profile))
        .routes(routes!(users::create_user, users::list_users))
        .routes(routes!(users::get_user))
        .routes(routes!(users::add_email))
        .routes(routes!(exports::export_me))
        .routes(routes!(exports::export_user))
        .routes(routes!(exports::download))
        .routes(routes!(erasure::erase_me))
        .routes(routes!(erasure::erase_user))
        .routes(routes!(programmes::create_programme, programmes::list_programmes))
        .routes(routes!(programmes::get_programme))
        .routes(routes!(programmes::add_coordinator))
        .routes(routes!(programmes::remove_coordinator))
        .routes(routes!(mentorships::create_mentorship, mentorships::list_programme_mentorships))
        .routes(routes!(mentorships::my_mentorships))
        .routes(routes!(mentorships::get_mentorship))
        .routes(routes!(mentorships::get_agreement))
        .routes(routes!(mentorships::set_rhythm))
        .routes(routes!(mentorships::set_content))
        .routes(routes!(mentorships::confirm_agreement))
        .routes(routes!(mentorships::agreement_versions))
        .routes(routes!(mentorships::add_member))
        .routes(routes!(mentorships::remove_member))
        .routes(routes!(mentorships::activate))
        .routes(routes!(mentorships::close))
        .routes(routes!(mentorships::repair))
        .routes(routes!(mentorships::events))
        .routes(routes!(profiles::mentorship_profiles))
        .routes(routes!(contact::log_meeting, contact::list_meetings))
        .routes(routes!(contact::list_actions))
        .routes(routes!(reflections::create, reflections::list))
        .routes(routes!(reflections::update))
        .routes(routes!(closings::start, closings::get))
        .routes(routes!(closings::put_form))
        .routes(routes!(closings::close_now))
        .routes(routes!(closings::put_follow_up))
        .routes(routes!(reviews::submit, reviews::list))
        .routes(routes!(contact::action_done, contact::action_reopen))
        .routes(routes!(contact::mentorship_health))
        .routes(routes!(contact::create_checkin, contact::list_checkins))
        .routes(routes!(contact::answer_checkin))
        .routes(routes!(contact::get_summary_settings, contact::set_summary_settings))
        .routes(routes!(contact::programme_health))
        .routes(routes!(contact::programme_health_csv))
        .routes(routes!(threads::my_threads))
        .routes(routes!(threads::create_thread, threads::list_threads))
        .routes(routes!(threads::get_thread))
        .routes(routes!(threads::list_messages, threads::post_message))
        .routes(routes!(threads::mark_read))
        .routes(routes!(threads::edit_message, threads::delete_message))
        .routes(routes!(hints::draft_hints))
        .routes(routes!(ws::ticket))
        .routes(routes!(ws::upgrade))
        .routes(routes!(mail::get_preferences, mail::set_preferences))
        .routes(routes!(mail::set_mentorship_mode))
        .routes(routes!(mail::failed_mail))
        .routes(routes!(mail::unsubscribe_page, mail::unsubscribe))
        .routes(routes!(mail::resume_mail))
        .routes(routes!(inbound::receive_email))
        .routes(routes!(inbound::failed_inbound))
        .routes(routes!(inbound::download_attachment))
        .routes(routes!(inbound::programme_bouncing))
        .routes(routes!(inbound::add_address_page, inbound::add_address))
        .routes(routes!(audit::list))
        .routes(routes!(security::list_sessions, security::end_other_sessions))
        .routes(routes!(security::end_session))
        .routes(routes!(security::put_password))
        .routes(routes!(concerns::share_concern, concerns::mentorship_concerns))
        .routes(routes!(concerns::programme_concerns))
        .routes(routes!(concerns::concern_status))
        .routes(routes!(concerns::my_consents))
        .routes(routes!(concerns::get_notice))
        .routes(routes!(concerns::publish_notice))
        .routes(routes!(concerns::accept_notice))
        .split_for_parts();
    let mut doc = doc;
    add_common_errors(&mut doc);
    (router, doc)
}

/// The error answers that come from the shared machinery rather than from a handler —
/// the extractors, the head limits, a failing database — declared on every operation
/// that can give them, so the document lists every status a client can see. A status
/// a handler already declares keeps the handler's description.
fn add_common_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    const COMMON: [(&str, &str, &str); 10] = [
        ("400", "BadRequest", "The request is malformed: invalid JSON, invalid query parameters."),
        ("401", "Unauthenticated", "No valid access token: send `Authorization: Bearer <access token>`."),
        ("404", "NotFound", "Nothing with this id, or nothing the caller may know of."),
        ("413", "PayloadTooLarge", "The request body is larger than the limit."),
        ("414", "UriTooLong", "The request target is longer than the limit."),
        ("415", "UnsupportedMediaType", "The body is not sent as `application/json`."),
        ("422", "Unprocessable", "The body is JSON but not of the expected fields and types, or a value is not valid."),
        ("431", "HeadersTooLarge", "Too many request headers, or too large."),
        ("500", "Internal", "A fault on the server's side; it has been logged."),
        ("503", "Unavailable", "The service is shutting down or its database is unreachable; try again."),
    ];
    let components = doc.components.get_or_insert_with(Default::default);
    for (_, name, description) in COMMON {
        let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
        components.responses.insert(
            name.to_owned(),
            RefOr::T(ResponseBuilder::new().description(description).content("application/json", content).build()),
        );
    }
    let name_of = |status: &str| COMMON.iter().find(|(s, _, _)| *s == status).map_or("Internal", |(_, name, _)| *name);
    for item in doc.paths.paths.values_mut() {
        let operations =
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head, &mut item.options];
        for op in operations.into_iter().flatten() {
            let params = op.parameters.as_deref().unwrap_or_default();
            let has = |place: utoipa::openapi::path::ParameterIn| params.iter().any(|p| p.parameter_in == place);
            let bearer = op.security.iter().flatten().any(|req| serde_json::to_value(req).is_ok_and(|v| v.get("bearer").is_some()));
            let json_body = op.request_body.as_ref().is_some_and(|b| b.content.keys().any(|k| k == "application/json"));
            let mut statuses = vec!["414", "431", "500", "503"];
            if bearer {
                statuses.push("401");
            }
            if has(utoipa::openapi::path::ParameterIn::Path) {
                statuses.push("404");
            }
            if has(utoipa::openapi::path::ParameterIn::Query) {
                statuses.push("400");
            }
            if json_body {
                statuses.extend(["400", "413", "415", "422"]);
            }
            for status in statuses {
                op.responses.responses.entry(status.to_owned()).or_insert_with(|| RefOr::Ref(Ref::from_response_name(name_of(status))));
            }
        }
    }
}

/// The permission check of a handler (see `Access::permit`), as an API error.
pub fn guard(access: &Access, action: Action) -> Result<(), ApiError> {
    Ok(access.permit(action)?)
}

/// JSON body extractor whose rejections are JSON errors. Messages never quote the
/// submitted text, so a rejected body cannot leak into responses or logs.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let json_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || (v.starts_with("application/") && v.ends_with("+json")));
        if !json_type {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::bad_request("unreadable_body", "the request body could not be read")
            }
        })?;
        // serde accepts a JSON array for a struct (fields by position); a client that
        // sends one has made a mistake, so say so instead of guessing.
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => {}
            Some(_) if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() => {
                return Err(ApiError::unprocessable("invalid_body", "the request body must be a JSON object"));
            }
            _ => return Err(ApiError::bad_request("invalid_json", "the request body is not valid JSON (UTF-8)")),
        }
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|err| match err.classify() {
            serde_json::error::Category::Data => ApiError::unprocessable(
                "invalid_body",
                format!("the request body does not have the expected fields and types{}", describe_serde_error(&err.to_string())),
            ),
            _ => ApiError::bad_request("invalid_json", "the request body is not valid JSON (UTF-8)"),
        })
    }
}

/// Keeps serde's description of what was wrong (which field, what kind of value was
/// expected) but drops any quoted value, which could be private text.
fn describe_serde_error(raw: &str) -> String {
    let mut out = String::new();
    let mut in_quote = false;
    for c in raw.chars() {
        if c == '"' {
            in_quote = !in_quote;
            if in_quote {
                out.push_str("\"…\"");
            }
            continue;
        }
        if !in_quote {
            out.push(c);
        }
    }
    // Names in backticks are ours (known fields, variants) or the client's (an unknown
    // field or variant, the character found): keep ours only. The message may start
    // with the path to the error, which for an unknown field ends in its name.
    if out.contains("unknown field") {
        return ": an unknown field was sent".to_owned();
    }
    let mut cleaned = String::new();
    let mut rest = out.as_str();
    while let Some(open) = rest.find('`') {
        let (before, after) = rest.split_at(open);
        let Some(close) = after[1..].find('`') else {
            break;
        };
        let clients = ["unknown variant ", "found "].iter().any(|p| before.ends_with(p));
        cleaned.push_str(before);
        cleaned.push('`');
        cleaned.push_str(if clients { "…" } else { &after[1..1 + close] });
        cleaned.push('`');
        rest = &after[close + 2..];
    }
    cleaned.push_str(rest);
    let short: String = cleaned.chars().take(200).collect();
    format!(": {short}")
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        // A malformed id names nothing that exists.
        ApiError::NotFound
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(_: QueryRejection) -> Self {
        ApiError::bad_request("invalid_query", "the query parameters are not valid")
    }
}

/// The authenticated caller, from `Authorization: Bearer <access token>`.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub user_id: UserId,
    pub session_id: String,
    /// Where the request comes from (for the audit log).
    pub client: audit::Client,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthenticated("unauthenticated", "send Authorization: Bearer <access token>"))?;
        let value = header.to_str().map_err(|_| ApiError::unauthenticated("token_invalid", "the Authorization header is not valid"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| ApiError::unauthenticated("token_invalid", "use the Bearer scheme"))?;
        let claims = state.jwt.verify(token.trim(), state.clock.now()).map_err(|e| ApiError::unauthenticated(e.code(), e.to_string()))?;
        let user_id = claims.sub.parse().map_err(|_| ApiError::unauthenticated("token_invalid", "the token names no user"))?;
        Ok(AuthUser { user_id, session_id: claims.sid, client: audit::Client::from_parts(parts, state) })
    }
}

/// The client's address for per-address limits: the TCP peer, unless the peer is a
/// trusted reverse proxy; then the nearest `X-Forwarded-For` hop that is not itself a
/// trusted proxy (hops further left can be forged by the client).
pub fn client_ip(peer: std::net::IpAddr, headers: &axum::http::HeaderMap, trusted: &[std::net::IpAddr]) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).collect();
    // From the right: each trusted proxy vouches for the hop before it.
    for hop in hops.iter().rev() {
        match hop.trim().parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip,
            Err(_) => break,
        }
    }
    peer
}

/// Loads the caller's relation to a mentorship; unknown mentorships are 404.
pub async fn mentorship_access(state: &AppState, user: &AuthUser, id: mentorpost_model::MentorshipId) -> Result<Access, ApiError> {
    crate::store::mentorships::access(state.db.pool(), id, user.user_id).await?.ok_or(ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> serde_json::Value {
        serde_json::to_value(api_router().1).expect("document as JSON")
    }

    fn operations(doc: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                if op.get("responses").is_some() {
                    out.push((method.to_uppercase(), path.clone(), op.clone()));
                }
            }
        }
        out
    }

    /// A query field declared `in: path` sends generated clients to a URL that does
    /// not exist; every path parameter must be a `{name}` of its template, and every
    /// `{name}` a path parameter.
    #[test]
    fn path_parameters_are_the_templates_names() {
        let doc = document();
        for (method, path, op) in operations(&doc) {
            let in_template: std::collections::BTreeSet<&str> =
                path.split('/').filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect();
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let declared: std::collections::BTreeSet<&str> =
                params.iter().filter(|p| p["in"] == "path").filter_map(|p| p["name"].as_str()).collect();
            assert_eq!(declared, in_template, "{method} {path}: path parameters {declared:?}, template names {in_template:?}");
        }
    }

    #[test]
    fn query_structs_are_declared_in_the_query() {
        let doc = document();
        let query = |method: &str, path: &str| -> Vec<String> {
            let op = &doc["paths"][path][method];
            op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect()
        };
        assert_eq!(query("get", "/api/v1/me/threads"), ["limit"]);
        assert_eq!(query("get", "/api/v1/mentorships/{id}/threads"), ["limit"]);
        assert_eq!(query("get", "/api/v1/mentorships/{id}/events"), ["after", "limit"]);
        assert_eq!(query("get", "/api/v1/threads/{id}/messages"), ["before", "after", "limit"]);
        assert_eq!(query("get", "/api/v1/programmes/{id}/health"), ["status", "sort"]);
        assert_eq!(query("get", "/api/v1/admin/inbound/failed"), ["rejected"]);
    }

    #[test]
    fn extractor_and_limit_errors_are_declared() {
        let doc = document();
        for (method, path, op) in operations(&doc) {
            let responses = op["responses"].as_object().expect("responses");
            for status in ["414", "431", "500", "503"] {
                assert!(responses.contains_key(status), "{method} {path} lacks {status}");
            }
            if op["requestBody"]["content"].get("application/json").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{method} {path} lacks {status}");
                }
            }
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{method} {path} lacks 404");
            }
            if op["security"].as_array().into_iter().flatten().any(|s| s.get("bearer").is_some()) {
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
            }
        }
        let bad_request = &doc["components"]["responses"]["BadRequest"];
        assert_eq!(bad_request["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody");
    }

    #[test]
    fn client_address_behind_trusted_proxies() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().expect("ip");
        let proxy = ip("10.0.0.2");
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", "198.51.100.7, 203.0.113.9".parse().expect("header"));
        // Not from a trusted proxy: the header is ignored.
        assert_eq!(client_ip(ip("192.0.2.1"), &h, &[proxy]), ip("192.0.2.1"));
        // From the proxy: the nearest untrusted hop (the leftmost could be forged).
        assert_eq!(client_ip(proxy, &h, &[proxy]), ip("203.0.113.9"));
        h.insert("x-forwarded-for", "198.51.100.7, 10.0.0.3".parse().expect("header"));
        assert_eq!(client_ip(proxy, &h, &[proxy, ip("10.0.0.3")]), ip("198.51.100.7"));
        h.insert("x-forwarded-for", "garbage".parse().expect("header"));
        assert_eq!(client_ip(proxy, &h, &[proxy]), proxy);
        assert_eq!(client_ip(proxy, &axum::http::HeaderMap::new(), &[proxy]), proxy);
    }

    #[test]
    fn serde_errors_lose_quoted_values() {
        let msg = describe_serde_error("invalid type: string \"SECRET marker\", expected i64 at line 1 column 20");
        assert!(!msg.contains("SECRET"));
        assert!(msg.contains("expected i64"));
        assert_eq!(describe_serde_error("unknown field `SECRET`, expected `body`"), ": an unknown field was sent");
        assert_eq!(describe_serde_error("SECRET: unknown field `SECRET`, expected `body`"), ": an unknown field was sent");
        assert_eq!(
            describe_serde_error("members[0].role: unknown variant `SECRET`, expected `mentor` or `mentee`"),
            ": members[0].role: unknown variant `…`, expected `mentor` or `mentee`"
        );
    }
}
