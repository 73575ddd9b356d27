//! The settings page's "Security" section: the devices signed in (each with when it
//! signed in, when it was last used, what it is, "this device"), signing one out or all
//! others, and changing the password. The rules are `http::security`'s, shared with the
//! API.

use super::session::{Member, Signed};
use super::signin::{FieldError, NoFields};
use super::{PageError, see_other};
use crate::http::security::PasswordRefusal;
use crate::state::AppState;
use crate::store;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/sessions/{id}/end", post(end_one))
        .route("/settings/sessions/end-others", post(end_others))
        .route("/settings/password", post(change_password))
}

/// One signed-in device, in the reader's words.
pub struct SessionLine {
    pub id: String,
    pub device: String,
    pub kind: String,
    pub signed_in: String,
    pub last_used: String,
    pub current: bool,
}

/// What the section shows.
pub struct SecuritySection {
    pub sessions: Vec<SessionLine>,
    pub others: usize,
    pub has_password: bool,
}

pub async fn section(state: &AppState, member: &Member, has_password: bool) -> Result<SecuritySection, PageError> {
    let tr = &member.tr;
    let now = state.clock.now();
    let views = crate::http::security::sessions_of(state, member.id(), &member.session.session_id, tr).await?;
    let sessions: Vec<SessionLine> = views
        .into_iter()
        .map(|v| SessionLine {
            device: v.device.unwrap_or_else(|| tr.t("security-device-unknown")),
            kind: tr.t(if v.kind == "web" { "security-kind-web" } else { "security-kind-api" }),
            signed_in: tr.ts("security-signed-in", "when", &tr.when(v.created_at, now)),
            last_used: v
                .last_used_at
                .map_or_else(|| tr.t("security-last-used-unknown"), |at| tr.ts("security-last-used", "when", &tr.when(at, now))),
            current: v.current,
            id: v.id,
        })
        .collect();
    let others = sessions.iter().filter(|s| !s.current).count();
    Ok(SecuritySection { sessions, others, has_password })
}

/// `POST /settings/sessions/{id}/end`: signs one device out. This browser's own login
/// ends like a sign-out.
pub async fn end_one(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<NoFields>) -> Result<Response, PageError> {
    let member = signed.member;
    if id.len() > 64 {
        return Err(PageError::NotFound);
    }
    let own = id == member.session.session_id;
    if !store::devices::end(&state.db, member.id(), id, state.clock.now()).await? {
        return Err(PageError::NotFound);
    }
    if own {
        let mut response = see_other("/signin?done=signed-out");
        if let Ok(cookie) = super::session::sign_out_cookie(&state).parse() {
            response.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        return Ok(response);
    }
    Ok(see_other("/settings?done=signed-out#security"))
}

/// `POST /settings/sessions/end-others`: signs out every device but this one.
pub async fn end_others(State(state): State<AppState>, signed: Signed<NoFields>) -> Result<Response, PageError> {
    let member = signed.member;
    store::devices::end_others(&state.db, member.id(), member.session.session_id.clone(), "signed_out_elsewhere", state.clock.now())
        .await?;
    Ok(see_other("/settings?done=signed-out-others#security"))
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// `POST /settings/password`: a new password (with the current one and the new one
/// twice). Every other device is signed out, and a mail tells the person.
pub async fn change_password(State(state): State<AppState>, signed: Signed<PasswordForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let tr = &member.tr;
    let problem = |field: &'static str, key: &str| vec![FieldError { field, message: tr.t(key) }];
    let errors = if form.current_password.is_empty() {
        problem("current_password", "security-error-current-missing")
    } else if form.new_password != form.confirm_password {
        problem("confirm_password", "security-error-confirm")
    } else {
        let outcome = crate::http::security::change_password(
            &state,
            member.id(),
            &member.session.session_id,
            &member.client,
            form.current_password,
            form.new_password,
        )
        .await;
        match outcome {
            Ok(Ok(())) => return Ok(see_other("/settings?done=password#security")),
            Ok(Err(PasswordRefusal::WrongCurrent)) => problem("current_password", "security-error-current-wrong"),
            Ok(Err(PasswordRefusal::Common)) => problem("new_password", "security-error-common-password"),
            Ok(Err(PasswordRefusal::Weak)) => problem("new_password", "security-error-weak-password"),
            Err(crate::error::ApiError::TooManyRequests { retry_after_secs }) => {
                let minutes = i64::try_from(retry_after_secs.div_ceil(60)).unwrap_or(i64::MAX);
                vec![FieldError { field: "current_password", message: tr.tn("signin-error-wait", "count", minutes) }]
            }
            Err(other) => return Err(other.into()),
        }
    };
    Ok(super::settings::with_errors(&state, &member, errors).await?.into_response())
}
