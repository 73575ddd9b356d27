//! Programmes (admins create them) and their coordinators.

use super::users::{actor, programme_guard};
use super::{ApiJson, ApiPath, AuthUser};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mentorpost_auth::permission::Action;
use mentorpost_model::api::{AddCoordinatorRequest, CreateProgrammeRequest, ErrorBody, ProgrammeView};
use mentorpost_model::{DisplayName, ProgrammeId, Rhythm, TimeZoneName, UserId};

/// Create a programme (admins).
#[utoipa::path(post, path = "/api/v1/programmes", tag = "programmes", security(("bearer" = [])), request_body = CreateProgrammeRequest,
    responses((status = 201, body = ProgrammeView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_programme(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<CreateProgrammeRequest>,
) -> ApiResult<(StatusCode, Json<ProgrammeView>)> {
    let actor = actor(&state, &user).await?;
    if !super::users::instance_allows(&actor, Action::CreateProgramme) {
        return Err(ApiError::forbidden("only admins create programmes"));
    }
    // A programme name follows the same rules as a person's name: short, no controls.
    let name = DisplayName::parse(&req.name)
        .map_err(|e| ApiError::unprocessable(e.code, "a programme name has 1 to 100 characters and no control characters"))?;
    let timezone = match &req.timezone {
        Some(tz) => TimeZoneName::parse(tz)?,
        None => TimeZoneName::default(),
    };
    let rhythm = req.default_rhythm.unwrap_or_default();
    rhythm.validate()?;
    let id = store::programmes::create(&state.db, name.as_str().to_owned(), timezone, rhythm, state.clock.now()).await?;
    let view = store::programmes::get(state.db.pool(), id).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Programmes: all for admins, their own for coordinators, none for others.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programmes", security(("bearer" = [])), responses((status = 200, body = [ProgrammeView])))]
pub async fn list_programmes(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Vec<ProgrammeView>>> {
    let actor = actor(&state, &user).await?;
    let ids =
        store::programmes::ids(state.db.pool(), (!super::users::instance_allows(&actor, Action::ReadProgramme)).then_some(actor.user_id))
            .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(view) = store::programmes::get(state.db.pool(), id).await? {
            out.push(view);
        }
    }
    Ok(Json(out))
}

/// One programme (admins and its coordinators).
#[utoipa::path(get, path = "/api/v1/programmes/{id}", tag = "programmes", security(("bearer" = [])), params(("id" = ProgrammeId, Path)),
    responses((status = 200, body = ProgrammeView), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_programme(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<ProgrammeId>,
) -> ApiResult<Json<ProgrammeView>> {
    let actor = actor(&state, &user).await?;
    programme_guard(&state, &actor, id, Action::ReadProgramme).await?;
    store::programmes::get(state.db.pool(), id).await?.map(Json).ok_or(ApiError::NotFound)
}

/// Make someone a coordinator of the programme (admins).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/coordinators", tag = "programmes", security(("bearer" = [])), params(("id" = ProgrammeId, Path)),
    request_body = AddCoordinatorRequest, responses((status = 200, body = ProgrammeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_coordinator(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<ProgrammeId>,
    ApiJson(req): ApiJson<AddCoordinatorRequest>,
) -> ApiResult<Json<ProgrammeView>> {
    let actor = actor(&state, &user).await?;
    programme_guard(&state, &actor, id, Action::ManageCoordinators).await?;
    store::programmes::add_coordinator(&state.db, id, req.user_id, state.clock.now()).await?;
    store::programmes::get(state.db.pool(), id).await?.map(Json).ok_or(ApiError::NotFound)
}

/// Remove a coordinator from the programme (admins).
#[utoipa::path(delete, path = "/api/v1/programmes/{id}/coordinators/{user_id}", tag = "programmes", security(("bearer" = [])),
    params(("id" = ProgrammeId, Path), ("user_id" = UserId, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_coordinator(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, coordinator)): ApiPath<(ProgrammeId, UserId)>,
) -> ApiResult<StatusCode> {
    let actor = actor(&state, &user).await?;
    programme_guard(&state, &actor, id, Action::ManageCoordinators).await?;
    if store::programmes::remove_coordinator(&state.db, id, coordinator).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The programme's default rhythm, for a new mentorship that names none.
pub async fn default_rhythm(state: &AppState, id: ProgrammeId) -> ApiResult<Rhythm> {
    Ok(store::programmes::get(state.db.pool(), id).await?.ok_or(ApiError::NotFound)?.default_rhythm)
}
