//! The caller's own security: the logins they have open (list, end one, end all
//! others), changing their password, and what every sign-in does afterwards — record
//! the device and tell the person about a new one.

use super::audit::Client;
use super::{ApiJson, ApiPath, AuthUser};
use crate::error::{ApiError, ApiResult};
use crate::mail::security::{Alert, device_words};
use crate::state::AppState;
use crate::store;
use crate::store::devices::Device;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mentorpost_auth::password;
use mentorpost_model::UserId;
use mentorpost_model::api::ErrorBody;
use mentorpost_model::device::{ChangePasswordRequest, SessionView, SessionsEnded};

/// What every sign-in (API or browser, password or link) does once its login exists:
/// records the device on the login and among the person's known devices, and mails the
/// person when the device is new to them. `device_cookie` is the browser's device
/// cookie (none for an API client). A failure to mail is logged, never a failed sign-in.
pub async fn after_sign_in(
    state: &AppState,
    user: UserId,
    session_id: &str,
    client: &Client,
    device_cookie: Option<&str>,
) -> ApiResult<Device> {
    let mut keys = vec![store::devices::user_agent_key(client.user_agent.as_deref())];
    if let Some(cookie) = device_cookie {
        keys.push(store::devices::cookie_key(cookie));
    }
    let now = state.clock.now();
    let device = store::devices::signed_in(&state.db, user, session_id.to_owned(), client.user_agent.clone(), keys, now).await?;
    if device == Device::New {
        let locale = store::users::get(state.db.pool(), user).await?.map(|u| (u.locale, u.timezone));
        let (locale, tz) = locale.unwrap_or_default();
        let words = device_words(&crate::i18n::Tr::new(locale, &tz), client.user_agent.as_deref());
        if let Err(err) = crate::mail::security::alert(state, user, Alert::NewSignIn { device: &words, address: &client.address }).await {
            tracing::error!(error = ?err, %user, "the new sign-in alert could not be queued");
        }
    }
    Ok(device)
}

/// The caller's open logins as views, newest first.
pub async fn sessions_of(state: &AppState, user: UserId, current: &str, tr: &crate::i18n::Tr) -> ApiResult<Vec<SessionView>> {
    let logins = store::devices::open_logins(state.db.pool(), user, state.clock.now()).await?;
    Ok(logins
        .into_iter()
        .map(|l| SessionView {
            current: l.id == current,
            kind: if l.web { "web" } else { "api" }.to_owned(),
            device: mentorpost_model::device::describe(l.user_agent.as_deref()).map(|_| device_words(tr, l.user_agent.as_deref())),
            id: l.id,
            created_at: l.created_at,
            last_used_at: l.last_used_at,
        })
        .collect())
}

/// The caller's open logins: browsers signed in and API clients holding a refresh
/// token, newest first, the current one marked.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [SessionView]), (status = 401, body = ErrorBody)))]
pub async fn list_sessions(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Vec<SessionView>>> {
    let tr = crate::i18n::Tr::new(mentorpost_model::Locale::En, "UTC");
    Ok(Json(sessions_of(&state, user.user_id, &user.session_id, &tr).await?))
}

/// End one of the caller's logins. A browser's next request is signed out; an API
/// client's refresh token stops at once, its access token lasts until it expires
/// (at most 15 minutes); its WebSockets close within seconds.
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "auth", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody, description = "no open login of the caller's with this id")))]
pub async fn end_session(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<String>) -> ApiResult<StatusCode> {
    if id.len() > 64 || !store::devices::end(&state.db, user.user_id, id, state.clock.now()).await? {
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// End every login of the caller's but the one this request is made with ("sign out
/// everywhere else").
#[utoipa::path(delete, path = "/api/v1/me/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = SessionsEnded), (status = 401, body = ErrorBody)))]
pub async fn end_other_sessions(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<SessionsEnded>> {
    let ended =
        store::devices::end_others(&state.db, user.user_id, user.session_id.clone(), "signed_out_elsewhere", state.clock.now()).await?;
    Ok(Json(SessionsEnded { ended }))
}

/// Why a password change was refused, for the web form's words.
#[derive(Debug)]
pub enum PasswordRefusal {
    WrongCurrent,
    Common,
    Weak,
}

/// Changes `user`'s password after checking the current one (under the login limits):
/// ends every other login, mails the person. `Ok(Err(_))` is a refusal to show.
pub async fn change_password(
    state: &AppState,
    user: UserId,
    session_id: &str,
    client: &Client,
    current: String,
    new: String,
) -> ApiResult<Result<(), PasswordRefusal>> {
    if password::is_common_password(&new) {
        return Ok(Err(PasswordRefusal::Common));
    }
    if password::check_password_strength(&new).is_err() {
        return Ok(Err(PasswordRefusal::Weak));
    }
    let person = store::users::get(state.db.pool(), user).await?.ok_or(ApiError::NotFound)?;
    let ip = client.address.parse().unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    match super::auth::check_password(state, ip, &person.email, current).await {
        Ok(id) if id == user => {}
        Ok(_) | Err(ApiError::Unauthenticated { .. }) => return Ok(Err(PasswordRefusal::WrongCurrent)),
        Err(other) => return Err(other),
    }
    let hash = super::auth::password_work(move || password::hash_password(&new))
        .await
        .map_err(ApiError::Internal)?
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing a password: {e}")))?;
    let now = state.clock.now();
    store::users::set_password(&state.db, user, hash, now).await?;
    // Whoever knew the old password may hold a login: only this one stays.
    store::devices::end_others(&state.db, user, session_id.to_owned(), "password_changed", now).await?;
    if let Err(err) = crate::mail::security::alert(state, user, Alert::PasswordChanged { address: &client.address }).await {
        tracing::error!(error = ?err, %user, "the password-changed alert could not be queued");
    }
    tracing::info!(%user, "password changed");
    Ok(Ok(()))
}

/// Change the caller's password. The current one is checked under the login limits;
/// every other login of the caller's ends, and the person gets a mail.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])), request_body = ChangePasswordRequest,
    responses((status = 204), (status = 403, body = ErrorBody, description = "the current password is wrong"),
        (status = 422, body = ErrorBody, description = "`common_password` or `weak_password`"), (status = 429, body = ErrorBody)))]
pub async fn put_password(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    match change_password(&state, user.user_id, &user.session_id, &user.client, req.current_password, req.new_password).await? {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(PasswordRefusal::WrongCurrent) => Err(ApiError::forbidden("the current password is wrong")),
        Err(PasswordRefusal::Common) => {
            Err(ApiError::unprocessable("common_password", "this is one of the most common passwords: choose another"))
        }
        Err(PasswordRefusal::Weak) => {
            Err(ApiError::unprocessable("weak_password", "choose a password of at least 10 characters that is not one character repeated"))
        }
    }
}
