//! Reflection forms (F6, F7): members write them after a session and read the ones
//! written for them; a coordinator reads none (the content actions are refused to
//! them) and sees only counts on their own pages.

use super::{ApiJson, ApiPath, AuthUser, guard, mentorship_access};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use crate::store::mentorships::Access;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mentorpost_auth::permission::Action;
use mentorpost_model::api::ErrorBody;
use mentorpost_model::reflection::{ReflectionRequest, ReflectionView, readable_by};
use mentorpost_model::{MentorshipId, Role, UserId, ValidationError};

/// Write a reflection form (current members). A mentee's form is read by the
/// mentorship's mentors; a mentor's only when `shared`.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/reflections", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = ReflectionRequest,
    responses((status = 201, body = ReflectionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(req): ApiJson<ReflectionRequest>,
) -> ApiResult<(StatusCode, Json<ReflectionView>)> {
    let access = mentorship_access(&state, &user, id).await?;
    let view = write(&state, &access, user.user_id, req).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Checks and stores a new form of `author` (for the API and the web page alike).
pub async fn write(state: &AppState, access: &Access, author: UserId, req: ReflectionRequest) -> ApiResult<ReflectionView> {
    guard(access, Action::WriteContent)?;
    let role = access.role.ok_or(ApiError::NotFound)?;
    req.answers.validate()?;
    let meeting = match req.meeting_id.filter(|m| !m.trim().is_empty()) {
        Some(m) => {
            store::reflections::meeting_date(state.db.pool(), access.mentorship_id, &m)
                .await?
                .ok_or_else(|| ValidationError::new("meeting_id", "unknown_meeting", "no such session in this mentorship"))?;
            Some(m)
        }
        None => None,
    };
    let new = store::reflections::NewReflection {
        mentorship: access.mentorship_id,
        author,
        role,
        meeting,
        answers: req.answers,
        shared: req.shared && role == Role::Mentor,
    };
    let id = store::reflections::create(&state.db, new, state.clock.now()).await?;
    store::reflections::get(state.db.pool(), &id).await?.ok_or(ApiError::NotFound)
}

/// The reflection forms this member may read: their own, and those written for them.
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/reflections", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = [ReflectionView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
) -> ApiResult<Json<Vec<ReflectionView>>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ReadContent)?;
    let role = access.role.ok_or(ApiError::NotFound)?;
    Ok(Json(store::reflections::readable(state.db.pool(), id, user.user_id, role, access.visible_until()).await?))
}

/// Change one's own reflection form (and whether a mentor's is shared).
#[utoipa::path(put, path = "/api/v1/reflections/{id}", tag = "mentorships", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = ReflectionRequest,
    responses((status = 200, body = ReflectionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ReflectionRequest>,
) -> ApiResult<Json<ReflectionView>> {
    let current = store::reflections::get(state.db.pool(), &id).await?.ok_or(ApiError::NotFound)?;
    let access = mentorship_access(&state, &user, current.mentorship_id).await?;
    guard(&access, Action::ReadContent)?;
    let reader = access.role.ok_or(ApiError::NotFound)?;
    if current.author_id != user.user_id {
        // Someone else's form: 403 to whom it was written for, 404 to everyone else.
        return Err(if readable_by(current.role, current.shared, reader) {
            ApiError::forbidden("only the author changes a reflection form")
        } else {
            ApiError::NotFound
        });
    }
    guard(&access, Action::WriteContent)?;
    req.answers.validate()?;
    let shared = req.shared && current.role == Role::Mentor;
    store::reflections::update(&state.db, id.clone(), user.user_id, req.answers, shared, state.clock.now()).await?;
    store::reflections::get(state.db.pool(), &id).await?.map(Json).ok_or(ApiError::NotFound)
}
