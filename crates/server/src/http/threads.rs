//! Threads, messages and read markers.

use super::{ApiJson, ApiPath, ApiQuery, AuthUser, guard, mentorship_access};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use crate::store::threads::{NewMessage, Page};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mentorpost_auth::permission::Action;
use mentorpost_model::api::{
    CreateThreadRequest, CreatedThread, EditMessageRequest, ErrorBody, MarkReadRequest, MessagePage, MessageView, PostMessageRequest,
    ReadMarkerView, ThreadSummary, ThreadView,
};
use mentorpost_model::{ClientMsgId, MentorshipId, MessageBody, MessageId, MessageSource, Subject, ThreadId, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// At most this many (1–500, default 100).
    #[serde(default)]
    limit: Option<i64>,
}

fn limit_of(limit: Option<i64>, default: i64, max: i64) -> ApiResult<i64> {
    let limit = limit.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(ApiError::bad_request("invalid_query", format!("limit must be between 1 and {max}")));
    }
    Ok(limit)
}

/// All my threads across my mentorships, newest activity first, with unread counts.
#[utoipa::path(get, path = "/api/v1/me/threads", tag = "threads", security(("bearer" = [])), params(ListQuery), responses((status = 200, body = [ThreadSummary])))]
pub async fn my_threads(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<ThreadSummary>>> {
    let limit = limit_of(q.limit, 100, 500)?;
    Ok(Json(store::threads::summaries(state.db.pool(), user.user_id, None, limit).await?))
}

/// Threads of one mentorship with the caller's unread counts (members only).
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/threads", tag = "threads", security(("bearer" = [])), params(("id" = MentorshipId, Path), ListQuery),
    responses((status = 200, body = [ThreadSummary]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_threads(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<ThreadSummary>>> {
    guard(&mentorship_access(&state, &user, id).await?, Action::ReadContent)?;
    let limit = limit_of(q.limit, 100, 500)?;
    Ok(Json(store::threads::summaries(state.db.pool(), user.user_id, Some(id), limit).await?))
}

/// Start a thread: a subject line that says what it is about (G9) and a first message.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/threads", tag = "threads", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = CreateThreadRequest,
    responses((status = 201, body = CreatedThread), (status = 200, body = CreatedThread, description = "idempotent repeat"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_thread(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(req): ApiJson<CreateThreadRequest>,
) -> ApiResult<(StatusCode, Json<CreatedThread>)> {
    let subject = Subject::parse(&req.subject)?;
    let body = MessageBody::parse(&req.body)?;
    let client_msg_id = req.client_msg_id.as_deref().map(ClientMsgId::parse).transpose()?;
    let first = NewMessage { author: user.user_id, body, client_msg_id, source: MessageSource::Web, attachments: Vec::new() };
    let (thread, posted) = store::threads::create(&state.db, id, subject, first, state.clock.now()).await?;
    let status = if posted.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(CreatedThread { thread, message: posted.message })))
}

/// One thread (members only).
#[utoipa::path(get, path = "/api/v1/threads/{id}", tag = "threads", security(("bearer" = [])), params(("id" = ThreadId, Path)),
    responses((status = 200, body = ThreadView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_thread(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<ThreadId>) -> ApiResult<Json<ThreadView>> {
    thread_guard(&state, user.user_id, id, Action::ReadContent).await?;
    store::threads::get(state.db.pool(), id).await?.map(Json).ok_or(ApiError::NotFound)
}

/// Checks `action` on the thread's mentorship; a member sees only threads started
/// while they were a member (`store::mentorships::Window`). Returns the cut-off of
/// what a former member may read. Takes the caller's id rather than the bearer
/// login, so the web app's pages (signed in by cookie) ask it too.
pub async fn thread_guard(
    state: &AppState,
    user_id: UserId,
    id: ThreadId,
    action: Action,
) -> ApiResult<Option<chrono::DateTime<chrono::Utc>>> {
    let (access, created_at) = store::mentorships::access_by_thread(state.db.pool(), id, user_id).await?.ok_or(ApiError::NotFound)?;
    guard(&access, action)?;
    if !access.sees_thread(created_at) {
        return Err(ApiError::NotFound);
    }
    Ok(access.visible_until())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessagesQuery {
    /// Messages older than this `seq` (a page further back). Default: the newest.
    #[serde(default)]
    before: Option<i64>,
    /// Messages newer than this `seq`, oldest first (catching up). Excludes `before`.
    #[serde(default)]
    after: Option<i64>,
    /// Page size (1–200, default 50).
    #[serde(default)]
    limit: Option<i64>,
}

/// Messages of a thread, oldest first within the page, with cursor pagination.
#[utoipa::path(get, path = "/api/v1/threads/{id}/messages", tag = "threads", security(("bearer" = [])), params(("id" = ThreadId, Path), MessagesQuery),
    responses((status = 200, body = MessagePage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_messages(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<ThreadId>,
    ApiQuery(q): ApiQuery<MessagesQuery>,
) -> ApiResult<Json<MessagePage>> {
    let visible_until = thread_guard(&state, user.user_id, id, Action::ReadContent).await?;
    let limit = limit_of(q.limit, 50, 200)?;
    // Cursors are sequence numbers, never negative (as for the event log).
    if q.before.is_some_and(|b| b < 0) || q.after.is_some_and(|a| a < 0) {
        return Err(ApiError::bad_request("invalid_query", "before and after must be ≥ 0"));
    }
    let page = match (q.before, q.after) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request("invalid_query", "use either before or after, not both"));
        }
        (before, None) => Page::Before(before),
        (None, Some(after)) => Page::After(after),
    };
    let messages = store::threads::messages(state.db.pool(), id, page, limit, visible_until).await?;
    let next_before = match page {
        Page::Before(_) if messages.len() as i64 == limit => messages.first().map(|m| m.seq),
        _ => None,
    };
    Ok(Json(MessagePage { messages, next_before }))
}

/// Post a message. With the same `client_msg_id` and body again, the stored message
/// comes back with 200 and nothing is written; a different body is 409.
#[utoipa::path(post, path = "/api/v1/threads/{id}/messages", tag = "threads", security(("bearer" = [])), params(("id" = ThreadId, Path)),
    request_body = PostMessageRequest,
    responses((status = 201, body = MessageView), (status = 200, body = MessageView, description = "idempotent repeat"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_message(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<ThreadId>,
    ApiJson(req): ApiJson<PostMessageRequest>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    let body = MessageBody::parse(&req.body)?;
    let client_msg_id = Some(ClientMsgId::parse(&req.client_msg_id)?);
    let new = NewMessage { author: user.user_id, body, client_msg_id, source: MessageSource::Web, attachments: Vec::new() };
    let posted = store::threads::post(&state.db, id, new, state.clock.now()).await?;
    let status = if posted.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(posted.message)))
}

/// Change the text of one's own message, within the edit window (`--edit-window-hours`,
/// default 24). The other members see it marked as edited, live; no earlier version
/// is kept. A notification mail already sent keeps the text it had.
#[utoipa::path(patch, path = "/api/v1/messages/{id}", tag = "threads", security(("bearer" = [])), params(("id" = MessageId, Path)),
    request_body = EditMessageRequest,
    responses((status = 200, body = MessageView), (status = 403, body = ErrorBody, description = "not the author, or no longer writing here"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "`edit_window_closed` or `message_deleted`"), (status = 422, body = ErrorBody)))]
pub async fn edit_message(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MessageId>,
    ApiJson(req): ApiJson<EditMessageRequest>,
) -> ApiResult<Json<MessageView>> {
    let body = MessageBody::parse(&req.body)?;
    let change = store::edits::Change::Edit(body);
    Ok(Json(store::edits::change(&state.db, id, user.user_id, change, state.config.edit_window, state.clock.now()).await?))
}

/// Delete one's own message, within the edit window. It stays in the thread as
/// "deleted" (no text, no files); mail about it not yet sent is cancelled. Deleting
/// it again answers the same.
#[utoipa::path(delete, path = "/api/v1/messages/{id}", tag = "threads", security(("bearer" = [])), params(("id" = MessageId, Path)),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorBody, description = "not the author, or no longer writing here"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "`edit_window_closed`")))]
pub async fn delete_message(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MessageId>,
) -> ApiResult<Json<MessageView>> {
    let change = store::edits::Change::Delete;
    Ok(Json(store::edits::change(&state.db, id, user.user_id, change, state.config.edit_window, state.clock.now()).await?))
}

/// Move the caller's read marker forward to a message (never back).
#[utoipa::path(post, path = "/api/v1/threads/{id}/read", tag = "threads", security(("bearer" = [])), params(("id" = ThreadId, Path)),
    request_body = MarkReadRequest, responses((status = 200, body = ReadMarkerView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<ThreadId>,
    ApiJson(req): ApiJson<MarkReadRequest>,
) -> ApiResult<Json<ReadMarkerView>> {
    let marker = store::threads::mark_read(&state.db, id, user.user_id, req.message_id, state.clock.now()).await?;
    Ok(Json(marker))
}
