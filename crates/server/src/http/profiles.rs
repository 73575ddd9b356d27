//! Profiles (G5): one's own, to read and write, and those of the other members of a
//! mentorship, for its members only. A profile is content: coordinators and admins get
//! the same refusal as for a mentorship's messages.

use super::{ApiJson, ApiPath, AuthUser, guard, mentorship_access};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use mentorpost_auth::permission::Action;
use mentorpost_model::api::{ErrorBody, ProfileView};
use mentorpost_model::{MentorshipId, Profile};

fn gone() -> ApiError {
    ApiError::unauthenticated("unknown_user", "this account no longer exists")
}

/// Your own profile (empty fields and no `updated_at` when you never wrote one).
#[utoipa::path(get, path = "/api/v1/me/profile", tag = "people", security(("bearer" = [])),
    responses((status = 200, body = ProfileView), (status = 401, body = ErrorBody)))]
pub async fn my_profile(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<ProfileView>> {
    store::profiles::own(state.db.pool(), user.user_id).await?.map(Json).ok_or_else(gone)
}

/// Write your profile: background, experience, interests, what you hope to give or
/// get. Each field is optional (≤ 2,000 characters); the whole profile is replaced, so
/// a field left out is emptied. The members of your mentorships read it, nobody else.
#[utoipa::path(put, path = "/api/v1/me/profile", tag = "people", security(("bearer" = [])), request_body = Profile,
    responses((status = 200, body = ProfileView), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "a field is too long or holds control characters; the message names the field")))]
pub async fn save_my_profile(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(profile): ApiJson<Profile>,
) -> ApiResult<Json<ProfileView>> {
    let profile = profile.normalized();
    profile.validate()?;
    if store::users::get(state.db.pool(), user.user_id).await?.is_none() {
        return Err(gone());
    }
    store::profiles::save(&state.db, user.user_id, profile, state.clock.now()).await?;
    store::profiles::own(state.db.pool(), user.user_id).await?.map(Json).ok_or_else(gone)
}

/// The profiles of the mentorship's other current members (members only: a former
/// member sees those who were there with them).
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/profiles", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = [ProfileView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn mentorship_profiles(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
) -> ApiResult<Json<Vec<ProfileView>>> {
    guard(&mentorship_access(&state, &user, id).await?, Action::ReadContent)?;
    Ok(Json(store::profiles::of_mentorship(state.db.pool(), id, user.user_id).await?))
}
