//! Periodic reviews (F8): each member answers a review when a round comes due and
//! reads their own answers back; nobody else reads them, and a coordinator (refused
//! the content actions) sees only the scores and the choices as figures on their pages.

use super::{ApiJson, ApiPath, AuthUser, guard, mentorship_access};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store;
use crate::store::mentorships::Access;
use axum::Json;
use axum::extract::State;
use mentorpost_auth::permission::Action;
use mentorpost_model::api::ErrorBody;
use mentorpost_model::review::{ReviewRequest, ReviewView};
use mentorpost_model::{MentorshipId, UserId};

/// Save one's answers for a review round that is due (current members); a second save
/// for the same round replaces the first. A round not yet due is 422 `not_due`.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/reviews", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = ReviewRequest,
    responses((status = 200, body = ReviewView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> ApiResult<Json<ReviewView>> {
    let access = mentorship_access(&state, &user, id).await?;
    Ok(Json(write(&state, &access, user.user_id, req).await?))
}

/// Checks and stores `member`'s answers (for the API and the web page alike).
pub async fn write(state: &AppState, access: &Access, member: UserId, req: ReviewRequest) -> ApiResult<ReviewView> {
    guard(access, Action::WriteContent)?;
    req.answers.validate()?;
    Ok(store::reviews::submit(&state.db, access.mentorship_id, member, req.round, req.answers, state.clock.now()).await?)
}

/// The caller's own reviews in this mentorship, latest round first. The other members'
/// answers are theirs alone.
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/reviews", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = [ReviewView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<MentorshipId>) -> ApiResult<Json<Vec<ReviewView>>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ReadContent)?;
    Ok(Json(store::reviews::for_member(state.db.pool(), id, user.user_id).await?))
}
