//! Mentorships: creation by coordinators, the agreement, members, lifecycle, and the
//! ordered event log.

use super::programmes::default_rhythm;
use super::users::{actor, programme_guard};
use super::{ApiJson, ApiPath, ApiQuery, AuthUser, guard, mentorship_access};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use crate::store::mentorships::{NewMentorship, check_members};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mentorpost_auth::permission::{Action, Actor, Decision, may_add_member};
use mentorpost_model::agreement::ConfirmedVia;
use mentorpost_model::api::{
    AddMemberRequest, AgreementVersionView, AgreementView, CloseMentorshipRequest, ConfirmAgreementRequest, CreateMentorshipRequest,
    ErrorBody, EventPage, MemberSpec, MentorshipView, RepairRequest,
};
use mentorpost_model::audit::AuditAction;
use mentorpost_model::{AgreementContent, DateWindow, MentorshipId, MentorshipStatus, ProgrammeId, Rhythm, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

/// The mentorship as `viewer` may see it: `last_seq` only for its active members.
async fn view(state: &AppState, id: MentorshipId, viewer: UserId) -> ApiResult<Json<MentorshipView>> {
    let mut v = store::mentorships::get(state.db.pool(), id).await?.ok_or(ApiError::NotFound)?;
    if !v.members.iter().any(|m| m.user_id == viewer && m.left_at.is_none()) {
        v.last_seq = None;
    }
    Ok(Json(v))
}

/// Refuses when the caller would make themselves a member without being an admin:
/// a coordinator who joined would read the content they must not see.
fn check_joiners(actor: &Actor, people: impl IntoIterator<Item = UserId>) -> ApiResult<()> {
    for person in people {
        if may_add_member(actor, person) != Decision::Allow {
            return Err(ApiError::forbidden(
                "coordinators cannot make themselves members of a mentorship they coordinate; an admin can, and the members are told",
            ));
        }
    }
    Ok(())
}

/// Rejects a start date outside the programme's window (a year before it was set up
/// here to two years ahead).
async fn check_start_date(state: &AppState, programme: ProgrammeId, start: Option<chrono::NaiveDate>) -> ApiResult<()> {
    let Some(start) = start else { return Ok(()) };
    let p = store::programmes::get(state.db.pool(), programme).await?.ok_or(ApiError::NotFound)?;
    let tz: chrono_tz::Tz = p.timezone.parse().unwrap_or(chrono_tz::UTC);
    let window = DateWindow::for_programme(p.created_at.with_timezone(&tz).date_naive(), state.clock.now().with_timezone(&tz).date_naive());
    Ok(window.check("start_date", start)?)
}

/// Create a mentorship in a programme (its coordinators, admins).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/mentorships", tag = "mentorships", security(("bearer" = [])), params(("id" = ProgrammeId, Path)),
    request_body = CreateMentorshipRequest, responses((status = 201, body = MentorshipView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_mentorship(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(programme): ApiPath<ProgrammeId>,
    ApiJson(req): ApiJson<CreateMentorshipRequest>,
) -> ApiResult<(StatusCode, Json<MentorshipView>)> {
    let id = create_in_programme(&state, user.user_id, programme, req).await?;
    Ok((StatusCode::CREATED, view(&state, id, user.user_id).await?))
}

/// Creates a mentorship as `user` (a coordinator or an admin): the one path of the
/// API and of the coordinator's pairing page.
pub async fn create_in_programme(
    state: &AppState,
    user: UserId,
    programme: ProgrammeId,
    req: CreateMentorshipRequest,
) -> ApiResult<MentorshipId> {
    let user = AuthUser { user_id: user, session_id: String::new(), client: super::audit::Client::default() };
    let actor = actor(state, &user).await?;
    programme_guard(state, &actor, programme, Action::CreateMentorship).await?;
    check_members(&req.members)?;
    check_joiners(&actor, req.members.iter().map(|m| m.user_id))?;
    let rhythm = match req.rhythm {
        Some(r) => r,
        None => default_rhythm(state, programme).await?,
    };
    rhythm.validate()?;
    check_start_date(state, programme, req.start_date).await?;
    let status = req.status.unwrap_or(MentorshipStatus::Proposed);
    if status == MentorshipStatus::Closed {
        return Err(ApiError::unprocessable("invalid_status", "a new mentorship is proposed or active"));
    }
    let new = NewMentorship { programme_id: programme, members: req.members, start_date: req.start_date, rhythm, status, replaces: None };
    Ok(store::mentorships::create(&state.db, new, user.user_id, state.clock.now()).await?)
}

/// The programme's mentorships: members, status, rhythm — no content.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/mentorships", tag = "mentorships", security(("bearer" = [])), params(("id" = ProgrammeId, Path)),
    responses((status = 200, body = [MentorshipView]), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_programme_mentorships(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(programme): ApiPath<ProgrammeId>,
) -> ApiResult<Json<Vec<MentorshipView>>> {
    let actor = actor(&state, &user).await?;
    programme_guard(&state, &actor, programme, Action::ListProgrammeMentorships).await?;
    let mut out = Vec::new();
    for id in store::mentorships::ids_in_programme(state.db.pool(), programme).await? {
        if let Some(mut v) = store::mentorships::get(state.db.pool(), id).await? {
            if !v.members.iter().any(|m| m.user_id == user.user_id && m.left_at.is_none()) {
                v.last_seq = None;
            }
            out.push(v);
        }
    }
    let what = super::audit::Concerning::programme(programme);
    super::audit::record(&state, user.user_id, &user.client, AuditAction::MentorshipList, what).await?;
    Ok(Json(out))
}

/// Mentorships the caller belongs to (or belonged to).
#[utoipa::path(get, path = "/api/v1/me/mentorships", tag = "mentorships", security(("bearer" = [])), responses((status = 200, body = [MentorshipView])))]
pub async fn my_mentorships(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Vec<MentorshipView>>> {
    let mut out = Vec::new();
    for id in store::mentorships::ids_of_member(state.db.pool(), user.user_id).await? {
        if let Some(v) = store::mentorships::get(state.db.pool(), id).await? {
            out.push(v);
        }
    }
    Ok(Json(out))
}

/// One mentorship: members, status, dates, rhythm (no content).
#[utoipa::path(get, path = "/api/v1/mentorships/{id}", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = MentorshipView), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_mentorship(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
) -> ApiResult<Json<MentorshipView>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ReadMentorshipMeta)?;
    let found = view(&state, id, user.user_id).await?;
    super::audit::record_if_staff(&state, &user, &access, AuditAction::MentorshipPage).await?;
    Ok(found)
}

/// The whole agreement, rhythm and content (members only).
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/agreement", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = AgreementView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_agreement(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
) -> ApiResult<Json<AgreementView>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ReadAgreementContent)?;
    store::mentorships::agreement(state.db.pool(), id, &access).await?.map(Json).ok_or(ApiError::NotFound)
}

/// Set the agreed rhythm (coordinators and members). A change makes a new version of
/// the agreement, which the members confirm again.
#[utoipa::path(put, path = "/api/v1/mentorships/{id}/agreement/rhythm", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = Rhythm, responses((status = 200, body = MentorshipView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn set_rhythm(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(rhythm): ApiJson<Rhythm>,
) -> ApiResult<Json<MentorshipView>> {
    guard(&mentorship_access(&state, &user, id).await?, Action::SetRhythm)?;
    rhythm.validate()?;
    let changed = store::mentorships::set_rhythm(&state.db, id, rhythm, user.user_id, state.clock.now()).await?;
    if changed.is_some() {
        after_change(&state, id).await?;
    }
    view(&state, id, user.user_id).await
}

/// Checks content against its limits and the end date against the mentorship's start
/// (its start date, else the day it was created).
pub async fn check_content(state: &AppState, id: MentorshipId, content: &AgreementContent) -> ApiResult<()> {
    content.validate()?;
    let m = store::mentorships::get(state.db.pool(), id).await?.ok_or(ApiError::NotFound)?;
    content.check_end_date(m.start_date.unwrap_or_else(|| m.created_at.date_naive()))?;
    Ok(())
}

/// After a committed change: the agreement mails, once something is written to agree
/// on (an agreement that holds nothing but the programme's rhythm asks nobody by mail;
/// the page shows it still needs confirming).
pub async fn after_change(state: &AppState, id: MentorshipId) -> ApiResult<()> {
    let written = store::agreements::prompt_data(state.db.pool(), id).await?.is_some_and(|d| !d.record.content.is_empty());
    if written {
        crate::mail::agreement::prompt_after_change(state, id).await;
    }
    Ok(())
}

/// Set the contract's content: SMART goals, action plan, end date, topics left out,
/// the mentor's time, how to end early, ground rules (members only). A change makes a
/// new version, which the members confirm again; each gets the agreement by mail.
#[utoipa::path(put, path = "/api/v1/mentorships/{id}/agreement/content", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = AgreementContent, responses((status = 200, body = AgreementView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_content(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(content): ApiJson<AgreementContent>,
) -> ApiResult<Json<AgreementView>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::EditAgreementContent)?;
    check_content(&state, id, &content).await?;
    let changed = store::mentorships::set_content(&state.db, id, content, user.user_id, state.clock.now()).await?;
    if changed.is_some() {
        after_change(&state, id).await?;
    }
    store::mentorships::agreement(state.db.pool(), id, &access).await?.map(Json).ok_or(ApiError::NotFound)
}

/// Confirm the agreement's current version and accept the netiquette and safety
/// charter (active members only; idempotent). With `version`, 409 `agreement_changed`
/// when the agreement changed since the member read it.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/agreement/confirm", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = ConfirmAgreementRequest, responses((status = 200, body = AgreementView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn confirm_agreement(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(req): ApiJson<ConfirmAgreementRequest>,
) -> ApiResult<Json<AgreementView>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::EditAgreementContent)?;
    let view = confirm_as(&state, &access, req).await?;
    Ok(Json(view))
}

/// The confirmation of the API and of the mentorship page.
pub async fn confirm_as(state: &AppState, access: &store::mentorships::Access, req: ConfirmAgreementRequest) -> ApiResult<AgreementView> {
    if !req.accept_charter {
        return Err(ApiError::unprocessable(
            "charter_not_accepted",
            "accept_charter: confirming accepts the netiquette and safety charter",
        ));
    }
    let id = access.mentorship_id;
    let before = store::mentorships::agreement(state.db.pool(), id, access).await?.ok_or(ApiError::NotFound)?;
    if before.content_hidden {
        return Err(ApiError::conflict(
            "agreement_hidden",
            "the agreement's content was written before you joined: ask the others to save it again, then confirm",
        ));
    }
    let user = access.actor.user_id;
    store::agreements::confirm(&state.db, id, user, req.version, ConfirmedVia::Web, state.clock.now()).await?;
    store::mentorships::agreement(state.db.pool(), id, access).await?.ok_or(ApiError::NotFound)
}

/// Every kept version of the agreement, newest first, with who confirmed each (members
/// only; a former member sees the versions up to their leaving).
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/agreement/versions", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = [AgreementVersionView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn agreement_versions(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
) -> ApiResult<Json<Vec<AgreementVersionView>>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ReadAgreementContent)?;
    Ok(Json(store::agreements::versions(state.db.pool(), id, access.joined_at, access.left_at).await?))
}

/// Add a member (coordinators, admins; never oneself unless an admin). The newcomer
/// reads only threads started from now on; the other members get a `member.added`
/// event and a line in their next mail.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/members", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = AddMemberRequest, responses((status = 200, body = MentorshipView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(req): ApiJson<AddMemberRequest>,
) -> ApiResult<Json<MentorshipView>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ManageMembers)?;
    check_joiners(&access.actor, [req.user_id])?;
    store::mentorships::add_member(&state.db, id, MemberSpec { user_id: req.user_id, role: req.role }, user.user_id, state.clock.now())
        .await?;
    view(&state, id, user.user_id).await
}

/// Remove a member (coordinators). They keep read access to the history up to now.
#[utoipa::path(delete, path = "/api/v1/mentorships/{id}/members/{user_id}", tag = "mentorships", security(("bearer" = [])),
    params(("id" = MentorshipId, Path), ("user_id" = UserId, Path)), responses((status = 200, body = MentorshipView), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, member)): ApiPath<(MentorshipId, UserId)>,
) -> ApiResult<Json<MentorshipView>> {
    guard(&mentorship_access(&state, &user, id).await?, Action::ManageMembers)?;
    store::mentorships::remove_member(&state.db, id, member, user.user_id, state.clock.now()).await?;
    view(&state, id, user.user_id).await
}

/// Activate a proposed mentorship (coordinators).
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/activate", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = MentorshipView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn activate(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
) -> ApiResult<Json<MentorshipView>> {
    guard(&mentorship_access(&state, &user, id).await?, Action::ChangeLifecycle)?;
    store::mentorships::activate(&state.db, id, user.user_id, state.clock.now()).await?;
    view(&state, id, user.user_id).await
}

/// Close a mentorship with a reason code (coordinators). History stays readable.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/close", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = CloseMentorshipRequest, responses((status = 200, body = MentorshipView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(req): ApiJson<CloseMentorshipRequest>,
) -> ApiResult<Json<MentorshipView>> {
    guard(&mentorship_access(&state, &user, id).await?, Action::ChangeLifecycle)?;
    let reason = req.reason.trim();
    if reason.is_empty() || reason.len() > 64 || !reason.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err(ApiError::unprocessable(
            "invalid_reason",
            "the reason is a code of 1 to 64 characters a-z, 0-9 and _ (for example completed, no_match)",
        ));
    }
    store::mentorships::close(&state.db, id, reason.to_owned(), user.user_id, state.clock.now()).await?;
    view(&state, id, user.user_id).await
}

/// Re-pair: close this mentorship and create a new one with the given members.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/repair", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = RepairRequest, responses((status = 201, body = MentorshipView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn repair(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(req): ApiJson<RepairRequest>,
) -> ApiResult<(StatusCode, Json<MentorshipView>)> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ChangeLifecycle)?;
    check_members(&req.members)?;
    check_joiners(&access.actor, req.members.iter().map(|m| m.user_id))?;
    check_start_date(&state, access.programme_id, req.start_date).await?;
    let old = store::mentorships::get(state.db.pool(), id).await?.ok_or(ApiError::NotFound)?;
    let new = NewMentorship {
        programme_id: access.programme_id,
        members: req.members,
        start_date: req.start_date,
        rhythm: old.rhythm,
        status: MentorshipStatus::Active,
        replaces: Some(id),
    };
    let new_id = store::mentorships::repair(&state.db, id, new, user.user_id, state.clock.now()).await?;
    Ok((StatusCode::CREATED, view(&state, new_id, user.user_id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Return events with a sequence number greater than this (default 0).
    #[serde(default)]
    after: i64,
    /// At most this many (1–1000, default 100).
    #[serde(default)]
    limit: Option<i64>,
}

/// The mentorship's ordered event log after a cursor (members only).
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/events", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path), EventsQuery),
    responses((status = 200, body = EventPage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> ApiResult<Json<EventPage>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ReadContent)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) || q.after < 0 {
        return Err(ApiError::bad_request("invalid_query", "after must be ≥ 0 and limit between 1 and 1000"));
    }
    // Read the high-water mark first: every event up to it has committed, so a client
    // holding `last_seq` has a cursor that never skips anything.
    let last_seq = store::events::last_seq(state.db.pool(), id).await?;
    let events = store::events::list(state.db.pool(), id, q.after, limit, access.window()).await?;
    Ok(Json(EventPage { events, last_seq }))
}
