//! Signing in (password, or a link by mail) and out.

use super::session::{self, Member};
use super::{PageError, Ui, i18n::Tr, render, safe_next};
use crate::error::ApiError;
use crate::http::auth::{check_password, mail_magic_link};
use crate::state::AppState;
use crate::store;
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use mentorpost_auth::opaque;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: Option<String>,
    /// Set after signing out or after a link was mailed: a line to show.
    #[serde(default)]
    done: Option<String>,
}

/// One problem with the form, GOV.UK style: its message and the field it belongs to.
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// The problems of one submitted form.
#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }
}

#[derive(Template)]
#[template(path = "web/signin.html")]
struct SignInView {
    ui: Ui,
    next: String,
    email: String,
    link_email: String,
    errors: Errors,
    notice: Option<String>,
}

fn tr_of(headers: &HeaderMap) -> Tr {
    Tr::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

/// `GET /signin`: the two ways in. Someone already signed in goes on.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<NextQuery>) -> Result<Response, PageError> {
    let next = safe_next(q.next.as_deref());
    if session::current(&state, &headers).await?.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let tr = tr_of(&headers);
    let notice = match q.done.as_deref() {
        Some("signed-out") => Some(tr.t("signin-signed-out")),
        Some("link-sent") => Some(tr.t("signin-link-sent")),
        Some("link-invalid") => Some(tr.t("signin-link-invalid")),
        Some("erased") => Some(tr.t("erase-done-text")),
        _ => None,
    };
    render(&SignInView { ui: Ui::signed_out(tr), next, email: String::new(), link_email: String::new(), errors: Errors::default(), notice })
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /signin`: the password form.
pub async fn password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    who: crate::http::audit::Client,
    axum::Form(form): axum::Form<PasswordForm>,
) -> Result<Response, PageError> {
    session::same_origin(&headers)?;
    let tr = tr_of(&headers);
    let next = safe_next(form.next.as_deref());
    let mut errors = Vec::new();
    if form.email.trim().is_empty() {
        errors.push(FieldError { field: "email", message: tr.t("signin-error-email-missing") });
    }
    if form.password.is_empty() {
        errors.push(FieldError { field: "password", message: tr.t("signin-error-password-missing") });
    }
    let status = if errors.is_empty() {
        let client = crate::http::client_ip(peer.ip(), &headers, &state.config.trusted_proxies);
        match check_password(&state, client, form.email.trim(), form.password).await {
            Ok(user) => return session::sign_in(&state, &headers, &who, user, None, &next).await,
            Err(ApiError::Unauthenticated { .. }) => {
                errors.push(FieldError { field: "email", message: tr.t("signin-error-wrong") });
                StatusCode::UNAUTHORIZED
            }
            Err(ApiError::TooManyRequests { retry_after_secs }) => {
                let minutes = i64::try_from(retry_after_secs.div_ceil(60)).unwrap_or(i64::MAX);
                errors.push(FieldError { field: "email", message: tr.tn("signin-error-wait", "count", minutes) });
                StatusCode::TOO_MANY_REQUESTS
            }
            Err(other) => return Err(other.into()),
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view =
        SignInView { ui: Ui::signed_out(tr), next, email: form.email, link_email: String::new(), errors: Errors(errors), notice: None };
    Ok((status, render(&view)?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /signin/link`: mail a sign-in link. The answer is the same whether or not
/// the address has an account.
pub async fn mail_link(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LinkForm>,
) -> Result<Response, PageError> {
    session::same_origin(&headers)?;
    let tr = tr_of(&headers);
    let client = crate::http::client_ip(peer.ip(), &headers, &state.config.trusted_proxies);
    let problem = match mail_magic_link(&state, client, form.email.trim()).await {
        Ok(()) => return Ok(Redirect::to("/signin?done=link-sent").into_response()),
        Err(ApiError::Unprocessable { .. }) => (StatusCode::UNPROCESSABLE_ENTITY, tr.t("signin-error-email-invalid")),
        Err(ApiError::TooManyRequests { .. }) => (StatusCode::TOO_MANY_REQUESTS, tr.t("signin-error-links")),
        Err(other) => return Err(other.into()),
    };
    let view = SignInView {
        ui: Ui::signed_out(tr),
        next: safe_next(form.next.as_deref()),
        email: String::new(),
        link_email: form.email,
        errors: Errors(vec![FieldError { field: "link-email", message: problem.1 }]),
        notice: None,
    };
    Ok((problem.0, render(&view)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "web/link.html")]
struct LinkView {
    ui: Ui,
    token: String,
}

/// `GET /login/magic?token=…`: the page a mailed link opens. Opening it spends nothing
/// (mail scanners follow links); its button does.
pub async fn link_page(headers: HeaderMap, Query(q): Query<TokenQuery>) -> Result<Response, PageError> {
    // Only a token's own characters go on: anything else cannot be a token anyway.
    let token: String = q.token.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(64).collect();
    render(&LinkView { ui: Ui::signed_out(tr_of(&headers)), token })
}

#[derive(Debug, Deserialize)]
pub struct RedeemForm {
    #[serde(default)]
    token: String,
}

/// `POST /login/magic`: spends the link and signs this browser in.
pub async fn redeem_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    who: crate::http::audit::Client,
    axum::Form(form): axum::Form<RedeemForm>,
) -> Result<Response, PageError> {
    session::same_origin(&headers)?;
    if !opaque::looks_like_token(&form.token) {
        return Ok(Redirect::to("/signin?done=link-invalid").into_response());
    }
    let now = state.clock.now();
    let Some((user, login)) = store::sessions::redeem_magic_link(&state.db, form.token, now).await? else {
        return Ok(Redirect::to("/signin?done=link-invalid").into_response());
    };
    session::sign_in(&state, &headers, &who, user, Some(login.session_id), "/").await
}

/// `POST /signout`: ends the login on the server, not only the cookie.
pub async fn sign_out(State(state): State<AppState>, signed: session::Signed<NoFields>) -> Result<Response, PageError> {
    let Member { session: web, .. } = signed.member;
    store::web_sessions::end(&state.db, web.session_id, state.clock.now()).await?;
    let mut response = Redirect::to("/signin?done=signed-out").into_response();
    if let Ok(cookie) = session::sign_out_cookie(&state).parse() {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// A form with nothing in it but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct NoFields {}
