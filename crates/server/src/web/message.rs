//! One's own message after writing it: the edit and delete pages (plain forms, so they
//! work without the script) and the message's `<li>` that the thread page's script
//! swaps in when a `message.edited` or `message.deleted` event arrives.

use super::session::{Member, Signed};
use super::signin::{Errors, NoFields};
use super::thread::{MessagesView, field_error, shown};
use super::{PageError, Ui, render, see_other};
use crate::db::StoreError;
use crate::state::AppState;
use crate::store;
use crate::store::edits::Change;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use mentorpost_auth::permission::Action;
use mentorpost_model::api::MessageView;
use mentorpost_model::{MessageBody, MessageId, Refusal};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "web/message_change.html")]
struct ChangePage {
    ui: Ui,
    message: MessageView,
    subject: String,
    /// The delete confirmation rather than the edit form.
    deleting: bool,
    body: String,
    hours: i64,
    errors: Errors,
    /// Why the message can no longer be changed, instead of the form.
    closed: Option<String>,
}

/// The message, if `member` may read it (a former member only up to leaving).
async fn readable(state: &AppState, member: &Member, id: &str) -> Result<MessageView, PageError> {
    let id: MessageId = id.parse().map_err(|_| PageError::NotFound)?;
    let message = store::edits::get(state.db.pool(), id).await?.ok_or(PageError::NotFound)?;
    let visible_until = crate::http::threads::thread_guard(state, member.id(), message.thread_id, Action::ReadContent).await?;
    if visible_until.is_some_and(|until| message.created_at > until) {
        return Err(PageError::NotFound);
    }
    Ok(message)
}

/// Why `message` cannot be changed now, in the reader's words.
fn closed_reason(state: &AppState, member: &Member, message: &MessageView) -> Option<String> {
    let hours = state.config.edit_window.num_hours();
    if message.deleted_at.is_some() {
        Some(member.tr.t("edit-message-deleted"))
    } else if !store::edits::within_window(message.created_at, state.clock.now(), state.config.edit_window) {
        Some(member.tr.tn("edit-window-closed", "hours", hours))
    } else {
        None
    }
}

async fn change_page(
    state: &AppState,
    member: &Member,
    message: MessageView,
    deleting: bool,
    body: Option<String>,
    errors: Errors,
) -> Result<Response, PageError> {
    if message.author_id != member.id() {
        return Err(PageError::Forbidden);
    }
    let thread = store::threads::get(state.db.pool(), message.thread_id).await?.ok_or(PageError::NotFound)?;
    let closed = closed_reason(state, member, &message);
    let status = if closed.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ChangePage {
        ui: Ui::for_member(member),
        body: body.unwrap_or_else(|| message.body.clone()),
        message,
        subject: thread.subject,
        deleting,
        hours: state.config.edit_window.num_hours(),
        errors,
        closed,
    };
    Ok((status, render(&page)?).into_response())
}

/// After a refused change: the page again with the reason, or the refusal itself.
async fn refused(state: &AppState, member: &Member, id: &str, deleting: bool, err: StoreError) -> Result<Response, PageError> {
    match err {
        StoreError::Rejected(Refusal::Conflict { .. }) => {
            let message = readable(state, member, id).await?;
            change_page(state, member, message, deleting, None, Errors(Vec::new())).await
        }
        other => Err(other.into()),
    }
}

fn back_to(message: &MessageView) -> Response {
    see_other(&format!("/threads/{}#m-{}", message.thread_id, message.id))
}

/// `GET /messages/{id}/edit`.
pub async fn edit_page(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> Result<Response, PageError> {
    let message = readable(&state, &member, &id).await?;
    change_page(&state, &member, message, false, None, Errors(Vec::new())).await
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    body: String,
}

/// `POST /messages/{id}/edit`.
pub async fn edit(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<EditForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let message = readable(&state, &member, &id).await?;
    let body = match MessageBody::parse(&form.body) {
        Ok(body) => body,
        Err(err) => {
            let errors = Errors(vec![field_error(&member, &err)]);
            return change_page(&state, &member, message, false, Some(form.body), errors).await;
        }
    };
    match store::edits::change(&state.db, message.id, member.id(), Change::Edit(body), state.config.edit_window, state.clock.now()).await {
        Ok(changed) => Ok(back_to(&changed)),
        Err(err) => refused(&state, &member, &id, false, err).await,
    }
}

/// `GET /messages/{id}/delete`: what deleting does, and the button.
pub async fn delete_page(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> Result<Response, PageError> {
    let message = readable(&state, &member, &id).await?;
    change_page(&state, &member, message, true, None, Errors(Vec::new())).await
}

/// `POST /messages/{id}/delete`.
pub async fn delete(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<NoFields>) -> Result<Response, PageError> {
    let member = signed.member;
    let message = readable(&state, &member, &id).await?;
    match store::edits::change(&state.db, message.id, member.id(), Change::Delete, state.config.edit_window, state.clock.now()).await {
        Ok(changed) => Ok(back_to(&changed)),
        Err(err) => refused(&state, &member, &id, true, err).await,
    }
}

/// `GET /messages/{id}/item`: the message's `<li>` as the thread page shows it now.
pub async fn item(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> Result<Response, PageError> {
    let message = readable(&state, &member, &id).await?;
    let read_seq = store::inbox::read_seq(state.db.pool(), member.id(), message.thread_id).await?;
    let mut no_divider = true;
    let one = [shown(&state, &member, state.clock.now(), message, read_seq, &mut no_divider)];
    let ui = Ui::for_member(&member);
    let html = MessagesView { ui: &ui, shown: &one }.render().map_err(|e| PageError::Internal(e.into()))?;
    Ok(Html(html).into_response())
}
