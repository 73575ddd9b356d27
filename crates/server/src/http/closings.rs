//! Closure (F10): the closing step of a mentorship. A current member or a coordinator
//! starts it (the scheduler does, through `store::closings::start`, when the end date
//! nears); members fill in the closing form and, after closing, the follow-up. A
//! coordinator sees the figures (started, forms in, closed) and never a text: the
//! writes are refused to them and the reads carry no text for them.

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
use mentorpost_model::closure::{ClosingAnswers, ClosingView, FollowUpAnswers, follow_up_due_on};
use mentorpost_model::{MentorshipId, UserId};

/// The closing step as `user` may see it: the figures for whoever may see the
/// mentorship, the texts (their own, and what the others share with them) for members.
pub async fn view_for(state: &AppState, access: &Access, user: UserId) -> ApiResult<ClosingView> {
    guard(access, Action::ReadMentorshipMeta)?;
    let id = access.mentorship_id;
    let pool = state.db.pool();
    let figures = store::closings::figures(pool, id).await?.ok_or(ApiError::NotFound)?;
    let months = store::closings::follow_up_months(pool, id).await?;
    let tz = store::programmes::defaults(pool, access.programme_id).await?.map(|d| d.timezone).unwrap_or_default();
    let tz: chrono_tz::Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    let follow_up_due = figures.closed_at.map(|t| follow_up_due_on(t.with_timezone(&tz).date_naive(), months));
    let mut view =
        ClosingView { mentorship_id: id, figures, mine: None, shared: Vec::new(), follow_up_due_on: follow_up_due, follow_up: None };
    // Texts only for members (a coordinator or admin who is no member reads none),
    // and not for one who left before: what the others wrote since is not theirs (G12).
    if let (Some(role), Ok(()), None) = (access.role, access.permit(Action::ReadContent), access.left_at) {
        view.mine = store::closings::form_of(pool, id, user).await?;
        view.shared = store::closings::shared_with(pool, id, user, role).await?;
        view.follow_up = store::closings::follow_up_of(pool, id, user).await?.map(|(a, _)| a);
    }
    Ok(view)
}

/// Whether `access` may start the closing step: a current member of an open
/// mentorship, or whoever runs its lifecycle (its coordinators, admins).
pub fn may_start(access: &Access) -> Result<(), ApiError> {
    match access.permit(Action::ChangeLifecycle) {
        Ok(()) => Ok(()),
        Err(_) => guard(access, Action::WriteContent),
    }
}

/// Start the closing step (current members, coordinators). Idempotent: starting it
/// again changes nothing.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/closing", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = ClosingView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn start(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<MentorshipId>) -> ApiResult<Json<ClosingView>> {
    let access = mentorship_access(&state, &user, id).await?;
    may_start(&access)?;
    store::closings::start(&state.db, id, Some(user.user_id), state.clock.now()).await?;
    Ok(Json(view_for(&state, &access, user.user_id).await?))
}

/// The closing step: its figures, and for a member their own form and what the others
/// share with them (key moments; a mentee's thanks for the mentors).
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/closing", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = ClosingView), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<MentorshipId>) -> ApiResult<Json<ClosingView>> {
    let access = mentorship_access(&state, &user, id).await?;
    Ok(Json(view_for(&state, &access, user.user_id).await?))
}

/// Checks and stores `author`'s closing form (for the API and the web page alike);
/// `true` when the mentorship closed with it.
pub async fn write(state: &AppState, access: &Access, author: UserId, answers: ClosingAnswers) -> ApiResult<bool> {
    guard(access, Action::WriteContent)?;
    let role = access.role.ok_or(ApiError::NotFound)?;
    answers.validate_for(role)?;
    let done = store::closings::submit(&state.db, access.mentorship_id, author, answers, state.clock.now()).await?;
    Ok(done.closed)
}

/// Fill in or change one's closing form (current members). When every current member
/// has filled it in, the mentorship closes.
#[utoipa::path(put, path = "/api/v1/mentorships/{id}/closing/form", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = ClosingAnswers,
    responses((status = 200, body = ClosingView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_form(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(answers): ApiJson<ClosingAnswers>,
) -> ApiResult<Json<ClosingView>> {
    let access = mentorship_access(&state, &user, id).await?;
    write(&state, &access, user.user_id, answers).await?;
    let access = mentorship_access(&state, &user, id).await?;
    Ok(Json(view_for(&state, &access, user.user_id).await?))
}

/// Close now (current members), once the closing step has started, without waiting
/// for every closing form. Coordinators close through `/close`.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/closing/close", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = ClosingView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn close_now(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<MentorshipId>) -> ApiResult<Json<ClosingView>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::WriteContent)?;
    store::closings::close_now(&state.db, id, user.user_id, state.clock.now()).await?;
    let access = mentorship_access(&state, &user, id).await?;
    Ok(Json(view_for(&state, &access, user.user_id).await?))
}

/// Checks and stores `author`'s follow-up (for the API and the web page alike).
pub async fn write_follow_up(state: &AppState, access: &Access, author: UserId, answers: FollowUpAnswers) -> ApiResult<()> {
    guard(access, Action::ReadContent)?;
    if access.role.is_none() || access.left_at.is_some() {
        return Err(ApiError::forbidden("the follow-up is for the members the mentorship had when it closed"));
    }
    use mentorpost_model::forms::Form;
    answers.validate()?;
    store::closings::submit_follow_up(&state.db, access.mentorship_id, author, answers, state.clock.now()).await?;
    Ok(())
}

/// Give one's follow-up of a closed mentorship (its members when it closed), once.
#[utoipa::path(put, path = "/api/v1/mentorships/{id}/follow-up", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = FollowUpAnswers,
    responses((status = 201, body = ClosingView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_follow_up(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(answers): ApiJson<FollowUpAnswers>,
) -> ApiResult<(StatusCode, Json<ClosingView>)> {
    let access = mentorship_access(&state, &user, id).await?;
    write_follow_up(&state, &access, user.user_id, answers).await?;
    Ok((StatusCode::CREATED, Json(view_for(&state, &access, user.user_id).await?)))
}
