//! Erasing an account through the API: the person themselves (confirming with their
//! password, when they have one), or an admin on their behalf with a reason, which
//! the audit log records. The account closes in the request; the rest completes in
//! the background within seconds (`crate::erasure`). The settings page uses
//! [`erase_self`] too.

use super::audit::{Client, Concerning, record};
use super::{ApiJson, ApiPath, AuthUser};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use crate::store::erasure::Begun;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mentorpost_auth::permission::Action;
use mentorpost_model::UserId;
use mentorpost_model::api::ErrorBody;
use mentorpost_model::audit::AuditAction;
use mentorpost_model::erasure::{EraseMeRequest, EraseUserRequest, ErasureStatus, valid_reason};

/// Why erasing oneself was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SelfRefusal {
    /// A person with a password must give it, and it must be theirs.
    WrongPassword,
}

/// Erases `user` at their own request after checking their password (under the login
/// limits) when they have one. `Ok(Err(_))` is a refusal to show.
pub async fn erase_self(state: &AppState, user: UserId, client: &Client, password: Option<String>) -> ApiResult<Result<(), SelfRefusal>> {
    let person = store::users::get(state.db.pool(), user).await?.ok_or(ApiError::NotFound)?;
    if person.has_password {
        let Some(password) = password.filter(|p| !p.is_empty()) else { return Ok(Err(SelfRefusal::WrongPassword)) };
        let ip = client.address.parse().unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        match super::auth::check_password(state, ip, &person.email, password).await {
            Ok(id) if id == user => {}
            Ok(_) | Err(ApiError::Unauthenticated { .. }) => return Ok(Err(SelfRefusal::WrongPassword)),
            Err(other) => return Err(other),
        }
    }
    begin_and_spawn(state, user, Some(user), None).await?;
    Ok(Ok(()))
}

async fn begin_and_spawn(state: &AppState, user: UserId, by: Option<UserId>, reason: Option<String>) -> ApiResult<ErasureStatus> {
    let status = match crate::erasure::start(state, user, by, reason).await? {
        Begun::Started(e) | Begun::Unfinished(e) => {
            crate::erasure::spawn(state, e);
            "erasing"
        }
        Begun::AlreadyErased => "erased",
    };
    Ok(ErasureStatus { status: status.to_owned() })
}

/// Erase your own account: you are signed out everywhere at once, your profile,
/// addresses and settings go, and within seconds your files and mail and, as your
/// programme's policy says, your messages (removed, or kept under "Former
/// participant"). Cannot be undone. Give your password if you have one.
#[utoipa::path(post, path = "/api/v1/me/erasure", tag = "people", security(("bearer" = [])), request_body = EraseMeRequest,
    responses((status = 202, body = ErasureStatus), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "the password is missing or wrong"), (status = 429, body = ErrorBody)))]
pub async fn erase_me(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<EraseMeRequest>,
) -> ApiResult<(StatusCode, Json<ErasureStatus>)> {
    match erase_self(&state, user.user_id, &user.client, req.password).await? {
        Ok(()) => Ok((StatusCode::ACCEPTED, Json(ErasureStatus { status: "erasing".to_owned() }))),
        Err(SelfRefusal::WrongPassword) => Err(ApiError::forbidden("give your current password to erase your account")),
    }
}

/// An admin erases a person's account on their behalf, giving the reason (1 to 500
/// characters), which is kept with the erasure; the audit log records it. A
/// coordinator of the person: 403; anyone else: 404. Erasing an erased account again
/// answers 200 `erased`.
#[utoipa::path(post, path = "/api/v1/users/{id}/erasure", tag = "people", security(("bearer" = [])), params(("id" = UserId, Path)),
    request_body = EraseUserRequest,
    responses((status = 202, body = ErasureStatus), (status = 200, body = ErasureStatus, description = "erased before"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "`reason_required`")))]
pub async fn erase_user(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(req): ApiJson<EraseUserRequest>,
) -> ApiResult<(StatusCode, Json<ErasureStatus>)> {
    let actor = super::users::actor(&state, &user).await?;
    if !super::users::instance_allows(&actor, Action::ManageAllUsers) {
        if super::users::coordinates_person(&state, user.user_id, id).await? {
            return Err(ApiError::forbidden("only admins erase a person's account on their behalf"));
        }
        return Err(ApiError::NotFound);
    }
    if id == user.user_id {
        return Err(ApiError::unprocessable("use_erase_me", "erase your own account with POST /api/v1/me/erasure"));
    }
    let reason = valid_reason(&req.reason)
        .ok_or_else(|| ApiError::unprocessable("reason_required", "give the reason for the erasure, 1 to 500 characters"))?
        .to_owned();
    if store::users::get(state.db.pool(), id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    record(&state, user.user_id, &user.client, AuditAction::PersonErasure, Concerning::person(id)).await?;
    let status = begin_and_spawn(&state, id, Some(user.user_id), Some(reason)).await?;
    let code = if status.status == "erased" { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok((code, Json(status)))
}
