//! Accounts: the caller's own, and people management for admins and coordinators.

use super::{ApiJson, ApiPath, AuthUser};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use crate::store::users::NewUser;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mentorpost_auth::password;
use mentorpost_auth::permission::{Action, Actor, Decision, Relation, decide};
use mentorpost_model::api::{AddEmailRequest, CreateUserRequest, ErrorBody, UpdateMeRequest, UserView};
use mentorpost_model::audit::AuditAction;
use mentorpost_model::{DisplayName, EmailAddress, Locale, ProgrammeId, TimeZoneName, UserId};

/// The caller as a permission actor (admin flag read from the database, so revoking
/// admin rights takes effect at once).
pub async fn actor(state: &AppState, user: &AuthUser) -> ApiResult<Actor> {
    let is_admin = store::users::is_admin(state.db.pool(), user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("unknown_user", "this account no longer exists"))?;
    Ok(Actor { user_id: user.user_id, is_admin })
}

/// Checks a programme-scoped action; an unknown programme is 404.
/// Whether `actor` may perform an instance-wide action (no programme or mentorship
/// involved), by the same rules as everything else.
pub fn instance_allows(actor: &Actor, action: Action) -> bool {
    decide(Some(actor), &Relation::default(), action) == Decision::Allow
}

pub async fn programme_guard(state: &AppState, actor: &Actor, programme: ProgrammeId, action: Action) -> ApiResult<()> {
    if !store::programmes::exists(state.db.pool(), programme).await? {
        return Err(ApiError::NotFound);
    }
    let relation =
        Relation { coordinator: store::programmes::is_coordinator(state.db.pool(), programme, actor.user_id).await?, ..Default::default() };
    match decide(Some(actor), &relation, action) {
        Decision::Allow => Ok(()),
        Decision::Forbidden => Err(ApiError::forbidden("only the programme's coordinators and admins may do this")),
        Decision::NotFound => Err(ApiError::NotFound),
        Decision::Unauthenticated => Err(ApiError::unauthenticated("unauthenticated", "log in first")),
    }
}

/// Validates a new account; hashing runs off the async threads.
pub async fn new_user(req: CreateUserRequest) -> ApiResult<NewUser> {
    let email = EmailAddress::parse(&req.email)?;
    let display_name = DisplayName::parse(&req.display_name)?;
    let timezone = match &req.timezone {
        Some(tz) => TimeZoneName::parse(tz)?,
        None => TimeZoneName::default(),
    };
    let password_hash = match req.password {
        Some(plain) => {
            password::check_password_strength(&plain).map_err(password_refusal)?;
            let hash = super::auth::password_work(move || password::hash_password(&plain))
                .await
                .map_err(ApiError::Internal)?
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
            Some(hash)
        }
        None => None,
    };
    Ok(NewUser {
        email,
        display_name,
        password_hash,
        locale: req.locale.unwrap_or(Locale::En),
        timezone,
        is_admin: req.is_admin,
        programme_id: req.programme_id,
    })
}

/// A chosen password's refusal as a 422: `common_password` for one of the most common
/// passwords, `weak_password` for the other rules.
pub fn password_refusal(err: mentorpost_auth::AuthError) -> ApiError {
    match err {
        mentorpost_auth::AuthError::WeakPassword(password::COMMON_PASSWORD) => {
            ApiError::unprocessable("common_password", "this is one of the most common passwords: choose another")
        }
        other => ApiError::unprocessable("weak_password", other.to_string()),
    }
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "people", security(("bearer" = [])), responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<UserView>> {
    store::users::get(state.db.pool(), user.user_id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::unauthenticated("unknown_user", "this account no longer exists"))
}

/// Change the caller's own profile: name, language, time zone (fields left out stay).
#[utoipa::path(patch, path = "/api/v1/me", tag = "people", security(("bearer" = [])), request_body = UpdateMeRequest,
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_me(State(state): State<AppState>, user: AuthUser, ApiJson(req): ApiJson<UpdateMeRequest>) -> ApiResult<Json<UserView>> {
    let gone = || ApiError::unauthenticated("unknown_user", "this account no longer exists");
    let current = store::users::get(state.db.pool(), user.user_id).await?.ok_or_else(gone)?;
    let display_name = DisplayName::parse(req.display_name.as_deref().unwrap_or(&current.display_name))?;
    let timezone = TimeZoneName::parse(req.timezone.as_deref().unwrap_or(&current.timezone))?;
    let locale = req.locale.unwrap_or(current.locale);
    store::users::update_profile(&state.db, user.user_id, display_name, locale, timezone, state.clock.now()).await?;
    store::users::get(state.db.pool(), user.user_id).await?.map(Json).ok_or_else(gone)
}

/// Create an account. Admins may create anyone; a coordinator creates people for one
/// of their programmes (`programme_id`), without a password: the person signs in with
/// a link sent to their own address. Without a password the person is e-mail-only.
#[utoipa::path(post, path = "/api/v1/users", tag = "people", security(("bearer" = [])), request_body = CreateUserRequest,
    responses((status = 201, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "a coordinator named a programme that does not exist"),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let actor = actor(&state, &user).await?;
    if !instance_allows(&actor, Action::ManageAllUsers) {
        if req.is_admin {
            return Err(ApiError::forbidden("only admins may create admins"));
        }
        let Some(programme) = req.programme_id else {
            return Err(ApiError::forbidden("coordinators create people for one of their programmes: set programme_id"));
        };
        programme_guard(&state, &actor, programme, Action::ManageProgrammeUsers).await?;
        // A password the coordinator chose would let them sign in as this person and
        // read their mentorships: people a coordinator creates get in only through
        // their own address (a sign-in link).
        if req.password.is_some() {
            return Err(ApiError::forbidden(
                "coordinators do not set passwords: the person signs in with a link sent to their own address",
            ));
        }
    } else if let Some(programme) = req.programme_id
        && !store::programmes::exists(state.db.pool(), programme).await?
    {
        return Err(ApiError::unprocessable("unknown_programme", "no such programme"));
    }
    let new = new_user(req).await?;
    let created = store::users::create(&state.db, new, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// List people: everyone for admins, the people of their programmes for coordinators.
#[utoipa::path(get, path = "/api/v1/users", tag = "people", security(("bearer" = [])), responses((status = 200, body = [UserView]), (status = 403, body = ErrorBody)))]
pub async fn list_users(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Vec<UserView>>> {
    let actor = actor(&state, &user).await?;
    if instance_allows(&actor, Action::ManageAllUsers) {
        let list = store::users::list(state.db.pool(), None).await?;
        super::audit::record(&state, user.user_id, &user.client, AuditAction::PeopleList, Default::default()).await?;
        return Ok(Json(list));
    }
    let programmes = store::programmes::ids(state.db.pool(), Some(actor.user_id)).await?;
    if programmes.is_empty() {
        return Err(ApiError::forbidden("only admins and coordinators list people"));
    }
    let list = store::users::list(state.db.pool(), Some(&programmes)).await?;
    super::audit::record(&state, user.user_id, &user.client, AuditAction::PeopleList, Default::default()).await?;
    Ok(Json(list))
}

/// One person: yourself, or someone in a programme you coordinate (admins: anyone).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "people", security(("bearer" = [])), params(("id" = UserId, Path)),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_user(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<UserId>) -> ApiResult<Json<UserView>> {
    let actor = actor(&state, &user).await?;
    if !(instance_allows(&actor, Action::ManageAllUsers) || id == user.user_id || coordinates_person(&state, user.user_id, id).await?) {
        return Err(ApiError::NotFound);
    }
    let found = store::users::get(state.db.pool(), id).await?.ok_or(ApiError::NotFound)?;
    if id != user.user_id {
        super::audit::record(&state, user.user_id, &user.client, AuditAction::PersonRead, super::audit::Concerning::person(id)).await?;
    }
    Ok(Json(found))
}

pub async fn coordinates_person(state: &AppState, coordinator: UserId, person: UserId) -> ApiResult<bool> {
    let programmes = store::programmes::ids(state.db.pool(), Some(coordinator)).await?;
    if programmes.is_empty() {
        return Ok(false);
    }
    Ok(store::users::list(state.db.pool(), Some(&programmes)).await?.iter().any(|u| u.id == person))
}

/// Add a verified extra address a person may write from (admins only for now).
#[utoipa::path(post, path = "/api/v1/users/{id}/emails", tag = "people", security(("bearer" = [])), params(("id" = UserId, Path)), request_body = AddEmailRequest,
    responses((status = 201, body = UserView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_email(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(req): ApiJson<AddEmailRequest>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let actor = actor(&state, &user).await?;
    if !instance_allows(&actor, Action::ManageAllUsers) {
        return Err(ApiError::forbidden("only admins add verified addresses"));
    }
    let email = EmailAddress::parse(&req.email)?;
    if store::users::get(state.db.pool(), id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    store::users::add_verified_email(&state.db, id, email.clone(), state.clock.now()).await?;
    if let Err(err) = crate::mail::security::alert(&state, id, crate::mail::security::Alert::AddressAdded { added: email.as_str() }).await {
        tracing::error!(error = ?err, user = %id, "the address-added alert could not be queued");
    }
    let view = store::users::get(state.db.pool(), id).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(view)))
}
