//! The web app for mentors and mentees: server-rendered pages (templates in
//! `templates/web/`, words from `i18n/`), plain forms with post/redirect/get, and one
//! small script (`assets/app.js`) that adds live updates and hints on top. Every page
//! and action works without the script.

pub mod admin;
pub mod assets;
pub mod audit;
pub mod closure;
pub mod concerns;
pub mod coordinate;
pub mod erasure;
pub mod first_contact;
pub mod inbox;
pub mod mentorship;
pub mod message;
pub mod notice;
pub mod onboarding;
pub mod review;
pub mod security;
pub mod session;
pub mod settings;
pub mod signin;
pub mod thread;

use crate::db::StoreError;
use crate::error::ApiError;
pub use crate::i18n;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use i18n::Tr;

/// The web app's routes. The API stays under `/api`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(inbox::page))
        .route("/signin", get(signin::page).post(signin::password))
        .route("/signin/link", post(signin::mail_link))
        .route("/login/magic", get(signin::link_page).post(signin::redeem_link))
        .route("/signout", post(signin::sign_out))
        .route("/threads/{id}", get(thread::page))
        .route("/threads/{id}/reply", session::upload_route(post(thread::reply)))
        .route("/threads/{id}/read", post(thread::mark_read))
        .route("/threads/{id}/seen", get(thread::seen_without_script))
        .route("/threads/{id}/after", get(thread::messages_after))
        .route("/messages/{id}/edit", get(message::edit_page).post(message::edit))
        .route("/messages/{id}/delete", get(message::delete_page).post(message::delete))
        .route("/messages/{id}/item", get(message::item))
        .route("/mentorships/{id}", get(mentorship::page))
        .route("/mentorships/{id}/agreement", post(mentorship::save_agreement))
        .route("/mentorships/{id}/agreement/confirm", post(mentorship::confirm_agreement))
        .route("/mentorships/{id}/agreement/versions", get(mentorship::versions_page))
        .route("/mentorships/{id}/meetings", post(mentorship::log_meeting))
        .route("/mentorships/{id}/actions/{number}/{what}", post(mentorship::set_action))
        .route("/mentorships/{id}/reflections", post(mentorship::write_reflection))
        .route("/mentorships/{id}/closing", get(closure::closing_page))
        .route("/mentorships/{id}/closing/start", post(closure::start))
        .route("/mentorships/{id}/closing/form", post(closure::save_form))
        .route("/mentorships/{id}/closing/close", post(closure::close_now))
        .route("/mentorships/{id}/follow-up", get(closure::follow_up_page).post(closure::save_follow_up))
        .route("/mentorships/{id}/review", get(review::page).post(review::save))
        .route("/mentorships/{id}/check-ins/{checkin}/answer", post(mentorship::answer_checkin))
        .route("/mentorships/{id}/new", get(thread::compose_page).merge(session::upload_route(post(thread::create))))
        .route("/attachments/{id}", get(thread::attachment))
        .route("/threads/{id}/share", get(concerns::confirm_page).post(concerns::share_from_thread))
        .route("/mentorships/{id}/share", get(concerns::note_page).post(concerns::share_note))
        .route("/coordinate/programmes/{id}/concerns", get(concerns::coordinator_page))
        .route("/coordinate/concerns/{id}/status", post(concerns::set_status))
        .route("/privacy", get(notice::page))
        .route("/privacy/accept", post(notice::accept))
        .route("/coordinate/programmes/{id}/notice", get(notice::coordinator_page).post(notice::publish))
        .route("/settings", get(settings::page))
        .route("/settings/mail", post(settings::save_mail))
        .route("/settings/mail/resume", post(settings::resume_mail))
        .route("/settings/mentorships/{id}", post(settings::save_mentorship_mode))
        .route("/settings/profile", post(settings::save_profile))
        .route("/settings/about", post(settings::save_about))
        .route("/settings/emails", post(settings::add_email))
        .route("/settings/export", post(settings::export))
        .route("/invite/{token}", get(onboarding::accept_page))
        .route("/invite/{token}/web", post(onboarding::accept_web))
        .route("/invite/{token}/email", post(onboarding::accept_email))
        .route("/coordinate/programmes/{id}/people", get(onboarding::people).post(onboarding::invite_one))
        .route("/coordinate/programmes/{id}/invitations/{invitation}/resend", post(onboarding::resend))
        .route("/coordinate/programmes/{id}/invitations/{invitation}/revoke", post(onboarding::revoke))
        .route(
            "/coordinate/programmes/{id}/import",
            get(onboarding::import_page).merge(session::upload_route(post(onboarding::import_preview))),
        )
        .route("/coordinate/programmes/{id}/import/confirm", session::upload_route(post(onboarding::import_confirm)))
        .route("/coordinate/programmes/{id}/pair", get(onboarding::pair_form).post(onboarding::pair))
        .merge(coordinate::router())
        .merge(admin::router())
        .merge(audit::router())
        .merge(security::router())
        .merge(erasure::router())
        .route("/app/ws-ticket", post(thread::ws_ticket))
        .route("/app/hints", post(thread::hints))
        .route("/assets/{file}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon))
        .layer(axum::middleware::from_fn(error_pages))
}

/// What every page's frame shows: the language, the signed-in person, the CSRF token
/// the page's forms and script send back, our two files.
pub struct Ui {
    pub tr: Tr,
    pub csrf: String,
    pub signed_in_as: Option<String>,
    /// Show the header's link to the coordinator's pages.
    pub coordinates: bool,
    /// Show the header's link to the admin page.
    pub is_admin: bool,
    pub css: &'static str,
    pub js: &'static str,
    pub icon: &'static str,
}

impl Ui {
    pub fn signed_out(tr: Tr) -> Ui {
        Ui {
            tr,
            csrf: String::new(),
            signed_in_as: None,
            coordinates: false,
            is_admin: false,
            css: &assets::ASSETS.css.path,
            js: &assets::ASSETS.js.path,
            icon: &assets::ASSETS.icon.path,
        }
    }

    pub fn for_member(member: &session::Member) -> Ui {
        Ui {
            tr: member.tr.clone(),
            csrf: member.csrf().to_owned(),
            signed_in_as: Some(member.session.display_name.clone()),
            coordinates: member.session.coordinates,
            is_admin: member.session.is_admin,
            css: &assets::ASSETS.css.path,
            js: &assets::ASSETS.js.path,
            icon: &assets::ASSETS.icon.path,
        }
    }
}

/// Renders a page; a failing render is an internal error.
pub fn render(page: &impl Template) -> Result<Response, PageError> {
    page.render()
        .map(|html| Html(html).into_response())
        .map_err(|err| PageError::Internal(anyhow::Error::new(err).context("rendering a page")))
}

/// Post/redirect/get: after a form, the browser asks for the page anew.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Where to go after signing in: only a path of ours (never `//host` or `https://…`,
/// which would make the sign-in page an open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.contains(['\r', '\n']) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// Why a page could not be shown. Rendered as a page in the reader's language by
/// [`error_pages`]; never a JSON body in the browser.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("sign-in required")]
    SignIn { next: Option<String> },
    /// A privacy notice waits to be accepted before the page (`web::notice`).
    #[error("a privacy notice to accept first")]
    Notice { next: String },
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("the form's security token did not match")]
    Csrf,
    #[error("the form could not be read")]
    BadForm,
    #[error("too large")]
    TooLarge,
    #[error("too many tries")]
    TooMany { retry_after_secs: u64 },
    #[error("unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl From<StoreError> for PageError {
    fn from(err: StoreError) -> Self {
        PageError::from(ApiError::from(err))
    }
}

impl From<ApiError> for PageError {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::NotFound => PageError::NotFound,
            ApiError::Forbidden { .. } => PageError::Forbidden,
            ApiError::Unauthenticated { .. } => PageError::SignIn { next: None },
            ApiError::PayloadTooLarge => PageError::TooLarge,
            ApiError::TooManyRequests { retry_after_secs } => PageError::TooMany { retry_after_secs },
            ApiError::Unavailable | ApiError::StorageFull => PageError::Unavailable,
            ApiError::Internal(e) => PageError::Internal(e),
            other => PageError::Internal(anyhow::anyhow!("unexpected answer for a page: {other}")),
        }
    }
}

/// Marks a response as an error page still to be rendered in the reader's language.
#[derive(Clone, Copy)]
struct ErrorPage(&'static str);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, key) = match &self {
            PageError::SignIn { next } => {
                let to = match next.as_deref() {
                    Some(n) if n != "/" => {
                        format!("/signin?next={}", percent_encoding::utf8_percent_encode(n, percent_encoding::NON_ALPHANUMERIC))
                    }
                    _ => "/signin".to_owned(),
                };
                return Redirect::to(&to).into_response();
            }
            PageError::Notice { next } => {
                let to = format!("/privacy?next={}", percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC));
                return Redirect::to(&to).into_response();
            }
            PageError::NotFound => (StatusCode::NOT_FOUND, "error-not-found"),
            PageError::Forbidden => (StatusCode::FORBIDDEN, "error-forbidden"),
            PageError::Csrf => (StatusCode::FORBIDDEN, "error-csrf"),
            PageError::BadForm => (StatusCode::BAD_REQUEST, "error-bad-form"),
            PageError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "error-too-large"),
            PageError::TooMany { .. } => (StatusCode::TOO_MANY_REQUESTS, "error-too-many"),
            PageError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "error-unavailable"),
            PageError::Internal(err) => {
                tracing::error!(error = ?err, "page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
            }
        };
        let mut response = status.into_response();
        if let PageError::TooMany { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response.extensions_mut().insert(ErrorPage(key));
        response
    }
}

#[derive(Template)]
#[template(path = "web/error.html")]
struct ErrorView {
    ui: Ui,
    key: &'static str,
}

/// Renders the error pages of [`PageError`] in the language the browser asks for.
async fn error_pages(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let accept = request.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let wants_json = request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    let response = next.run(request).await;
    let Some(ErrorPage(key)) = response.extensions().get::<ErrorPage>().copied() else { return response };
    let (mut parts, _) = response.into_parts();
    let tr = Tr::from_accept_language(accept.as_deref());
    if wants_json {
        // The page's script asked: a short JSON answer it can show.
        let body = serde_json::json!({ "error": { "code": key, "message": tr.t(key) } }).to_string();
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        return Response::from_parts(parts, axum::body::Body::from(body));
    }
    let html = ErrorView { ui: Ui::signed_out(tr), key }.render().unwrap_or_else(|_| key.to_owned());
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    Response::from_parts(parts, axum::body::Body::from(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_sends_back_only_to_our_own_paths() {
        assert_eq!(safe_next(Some("/threads/abc?x=1")), "/threads/abc?x=1");
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil.example", "evil", "/a\r\nSet-Cookie: x=y"] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
