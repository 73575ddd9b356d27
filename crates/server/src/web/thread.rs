//! A thread: its messages, replying, read position; starting a thread; the live
//! pieces the page's script asks for (messages after a cursor, a socket ticket).

use super::session::{FilesProblem, MAX_FILES, Member, Signed, SignedWithFiles};
use super::signin::{Errors, FieldError, NoFields};
use super::{PageError, Ui, render, see_other};
use crate::http::AuthUser;
use crate::state::AppState;
use crate::store;
use crate::store::attachments::NewAttachment;
use crate::store::inbox::MyMentorship;
use crate::store::threads::{NewMessage, Page};
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use mentorpost_auth::permission::Action;
use mentorpost_model::api::{MessageView, ThreadView};
use mentorpost_model::{ClientMsgId, MentorshipId, MessageBody, MessageId, MessageSource, Subject, ThreadId, ValidationError};
use serde::Deserialize;

/// Messages shown at once; older ones are a link away.
const PAGE_SIZE: i64 = 200;

impl Member {
    /// The same person as an API caller, so pages reuse the API's checks.
    pub fn as_api_user(&self) -> AuthUser {
        AuthUser { user_id: self.session.user_id, session_id: self.session.session_id.clone(), client: self.client.clone() }
    }
}

pub(super) fn field_error(member: &Member, err: &ValidationError) -> FieldError {
    let key = format!("form-{}-{}", err.field, err.code.replace('_', "-"));
    FieldError { field: err.field, message: member.tr.t(&key) }
}

/// The file input of a message form: its note on the limits, and the limits with
/// their words for the page's script, which checks them before sending.
pub struct FilesField {
    pub hint: String,
    pub max_bytes: usize,
    pub max_files: usize,
    pub too_large: String,
    pub too_many: String,
}

/// The attachment limit in the unit it reads best in: (key suffix, number).
fn limit_size(bytes: usize) -> (&'static str, i64) {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB { ("", (bytes / MIB) as i64) } else { ("-kb", bytes.div_ceil(1024) as i64) }
}

fn files_field(state: &AppState, member: &Member) -> FilesField {
    let max_bytes = state.config.inbound.max_attachment_bytes;
    FilesField {
        hint: {
            let (unit, size) = limit_size(max_bytes);
            member.tr.tn(&format!("files-hint{unit}"), "count", size)
        },
        max_bytes,
        max_files: MAX_FILES,
        too_large: files_message(state, member, FilesProblem::TooLarge),
        too_many: files_message(state, member, FilesProblem::TooMany),
    }
}

fn files_message(state: &AppState, member: &Member, problem: FilesProblem) -> String {
    match problem {
        FilesProblem::TooLarge => {
            let (unit, size) = limit_size(state.config.inbound.max_attachment_bytes);
            member.tr.tn(&format!("form-files-too-large{unit}"), "count", size)
        }
        FilesProblem::TooMany => member.tr.tn("form-files-too-many", "count", MAX_FILES as i64),
    }
}

/// The form's files could not be taken: shown at the file input, and to the page's
/// script as the JSON error it shows.
fn files_error(state: &AppState, member: &Member, problem: FilesProblem) -> (FieldError, &'static str) {
    let code = match problem {
        FilesProblem::TooLarge => "files_too_large",
        FilesProblem::TooMany => "too_many_files",
    };
    (FieldError { field: "files", message: files_message(state, member, problem) }, code)
}

/// The text of the message: what was written, or — when only files came, as a mail
/// with attachments and no words may — their names. `None` with files that could not
/// be taken: then the files' error is the one to show, not "write a message".
fn message_text(written: &str, files: &[NewAttachment], problem: Option<FilesProblem>) -> Option<Result<MessageBody, ValidationError>> {
    if !written.trim().is_empty() {
        return Some(MessageBody::parse(written));
    }
    if problem.is_some() {
        return None;
    }
    if files.is_empty() {
        return Some(MessageBody::parse(written));
    }
    Some(MessageBody::parse(&mentorpost_model::attachment::files_only_text(files.iter().map(|f| f.name.as_str()))))
}

/// A JSON error for the page's script.
fn json_error(code: &str, message: &str) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(serde_json::json!({"error": {"code": code, "message": message}}))).into_response()
}

/// One message as the page shows it.
pub struct Shown {
    pub message: MessageView,
    pub paragraphs: Vec<String>,
    pub when: String,
    pub when_full: String,
    pub mine: bool,
    /// The first message the reader has not read: the "new" divider goes before it.
    pub first_unread: bool,
    /// "Edited …" in full, when the author changed the text.
    pub edited_full: Option<String>,
    /// The reader wrote it and may still edit or delete it.
    pub changeable: bool,
}

pub(super) fn shown(
    state: &AppState,
    member: &Member,
    now: chrono::DateTime<chrono::Utc>,
    message: MessageView,
    read_seq: i64,
    first_unread_seen: &mut bool,
) -> Shown {
    let mine = message.author_id == member.id();
    let unread = !mine && message.seq > read_seq;
    let first_unread = unread && !*first_unread_seen;
    *first_unread_seen |= unread;
    let paragraphs = message.body.split("\n\n").map(|p| p.trim_matches('\n').to_owned()).filter(|p| !p.trim().is_empty()).collect();
    Shown {
        when: member.tr.when(message.created_at, now),
        when_full: member.tr.when_full(message.created_at),
        paragraphs,
        mine,
        first_unread,
        edited_full: message.edited_at.map(|at| member.tr.ts("message-edited-at", "when", &member.tr.when_full(at))),
        changeable: store::edits::changeable(&message, member.id(), now, state.config.edit_window),
        message,
    }
}

#[derive(Template)]
#[template(path = "web/messages.html")]
pub(super) struct MessagesView<'a> {
    pub(super) ui: &'a Ui,
    pub(super) shown: &'a [Shown],
}

#[derive(Template)]
#[template(path = "web/thread.html")]
struct ThreadPage {
    ui: Ui,
    thread: ThreadView,
    with: String,
    messages_html: String,
    earlier: Option<i64>,
    last: Option<(MessageId, i64)>,
    unread: usize,
    body: String,
    client_msg_id: String,
    errors: Errors,
    can_reply: bool,
    hints: Vec<HintText>,
    files: FilesField,
}

#[derive(Debug, Default, Deserialize)]
pub struct ThreadQuery {
    /// Show messages before this seq (an earlier page).
    #[serde(default)]
    before: Option<i64>,
}

async fn with_label(state: &AppState, member: &Member, mentorship: MentorshipId) -> Result<(String, Option<MyMentorship>), PageError> {
    let all = store::inbox::mentorships(state.db.pool(), member.id()).await?;
    let found = all.into_iter().find(|m| m.id == mentorship);
    let label = found.as_ref().map(|m| m.others(member.id()).join(" & ")).unwrap_or_default();
    Ok((label, found))
}

async fn thread_page(
    state: &AppState,
    member: &Member,
    id: ThreadId,
    before: Option<i64>,
    draft: (String, String),
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let visible_until = crate::http::threads::thread_guard(state, member.id(), id, Action::ReadContent).await?;
    let pool = state.db.pool();
    let thread = store::threads::get(pool, id).await?.ok_or(PageError::NotFound)?;
    let (messages, read_seq, (with, mentorship)) = tokio::try_join!(
        async { Ok::<_, PageError>(store::threads::messages(pool, id, Page::Before(before), PAGE_SIZE, visible_until).await?) },
        async { Ok(store::inbox::read_seq(pool, member.id(), id).await?) },
        with_label(state, member, thread.mentorship_id),
    )?;
    let now = state.clock.now();
    let earlier = (messages.len() as i64 == PAGE_SIZE).then(|| messages.first().map(|m| m.seq)).flatten();
    let last = messages.last().map(|m| (m.id, m.seq));
    let mut seen_unread = false;
    let shown: Vec<Shown> = messages.into_iter().map(|m| shown(state, member, now, m, read_seq, &mut seen_unread)).collect();
    let unread = shown.iter().filter(|s| !s.mine && s.message.seq > read_seq).count();
    let ui = Ui::for_member(member);
    let messages_html = MessagesView { ui: &ui, shown: &shown }.render().map_err(|e| PageError::Internal(e.into()))?;
    let can_reply = visible_until.is_none() && mentorship.is_some_and(|m| m.status == mentorpost_model::MentorshipStatus::Active);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let (body, client_msg_id) = draft;
    let page = ThreadPage {
        ui,
        thread,
        with,
        messages_html,
        earlier,
        last,
        unread,
        body,
        client_msg_id,
        errors: Errors(errors),
        can_reply,
        hints: hint_texts(&member.tr),
        files: files_field(state, member),
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /threads/{id}`.
pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response, PageError> {
    let id: ThreadId = id.parse().map_err(|_| PageError::NotFound)?;
    thread_page(&state, &member, id, q.before, (String::new(), new_client_msg_id()), Vec::new()).await
}

/// A fresh id for a form: posting the same form twice posts once.
fn new_client_msg_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    client_msg_id: String,
}

/// `POST /threads/{id}/reply`: a form with the text and any files (multipart), or the
/// page's script's fetch.
pub async fn reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: SignedWithFiles<ReplyForm>,
) -> Result<Response, PageError> {
    let id: ThreadId = id.parse().map_err(|_| PageError::NotFound)?;
    let SignedWithFiles { member, form, wants_json, files, problem } = signed;
    let client_msg_id = ClientMsgId::parse(&form.client_msg_id).map_err(|_| PageError::BadForm)?;
    let mut errors = Vec::new();
    let mut code = "";
    if let Some(problem) = problem {
        let (error, c) = files_error(&state, &member, problem);
        errors.push(error);
        code = c;
    }
    let body = match message_text(&form.body, &files, problem) {
        Some(Ok(body)) => Some(body),
        Some(Err(err)) => {
            errors.insert(0, field_error(&member, &err));
            code = err.code;
            None
        }
        None => None,
    };
    let Some(body) = body.filter(|_| errors.is_empty()) else {
        if wants_json {
            return Ok(json_error(code, &errors.first().map(|e| e.message.clone()).unwrap_or_default()));
        }
        return thread_page(&state, &member, id, None, (form.body, form.client_msg_id), errors).await;
    };
    let new = NewMessage { author: member.id(), body, client_msg_id: Some(client_msg_id), source: MessageSource::Web, attachments: files };
    let posted = store::threads::post(&state.db, id, new, state.clock.now()).await?;
    if wants_json {
        return Ok(Json(serde_json::json!({"id": posted.message.id, "seq": posted.message.seq})).into_response());
    }
    Ok(see_other(&format!("/threads/{id}#m-{}", posted.message.id)))
}

#[derive(Debug, Deserialize)]
pub struct ReadForm {
    message_id: String,
}

/// `POST /threads/{id}/read`: the page's script, once the reader has seen up to a message.
pub async fn mark_read(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<ReadForm>) -> Result<Response, PageError> {
    let id: ThreadId = id.parse().map_err(|_| PageError::NotFound)?;
    let message: MessageId = signed.form.message_id.parse().map_err(|_| PageError::BadForm)?;
    store::threads::mark_read(&state.db, id, signed.member.id(), message, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
pub struct SeenQuery {
    upto: String,
}

/// `GET /threads/{id}/seen?upto=…`: without the script, the page's `<noscript>` image
/// marks what the page showed as read (with it, the script does, once it is seen).
pub async fn seen_without_script(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<SeenQuery>,
) -> Result<Response, PageError> {
    let id: ThreadId = id.parse().map_err(|_| PageError::NotFound)?;
    let message: MessageId = q.upto.parse().map_err(|_| PageError::BadForm)?;
    store::threads::mark_read(&state.db, id, member.id(), message, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
pub struct AfterQuery {
    seq: i64,
}

/// `GET /threads/{id}/after?seq=N`: the messages after a cursor, as the page's HTML,
/// for live updates and for catching up after a dropped connection.
pub async fn messages_after(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<AfterQuery>,
) -> Result<Response, PageError> {
    let id: ThreadId = id.parse().map_err(|_| PageError::NotFound)?;
    let visible_until = crate::http::threads::thread_guard(&state, member.id(), id, Action::ReadContent).await?;
    let pool = state.db.pool();
    let messages = store::threads::messages(pool, id, Page::After(q.seq.max(0)), PAGE_SIZE, visible_until).await?;
    let read_seq = store::inbox::read_seq(pool, member.id(), id).await?;
    let now = state.clock.now();
    let mut seen_unread = true; // no divider inside a live addition
    let shown: Vec<Shown> = messages.into_iter().map(|m| shown(&state, &member, now, m, read_seq, &mut seen_unread)).collect();
    let ui = Ui::for_member(&member);
    let html = MessagesView { ui: &ui, shown: &shown }.render().map_err(|e| PageError::Internal(e.into()))?;
    Ok(Html(html).into_response())
}

#[derive(Template)]
#[template(path = "web/compose.html")]
struct ComposeView {
    ui: Ui,
    mentorship: MentorshipId,
    with: String,
    subject: String,
    body: String,
    client_msg_id: String,
    errors: Errors,
    hints: Vec<HintText>,
    files: FilesField,
}

async fn compose(
    state: &AppState,
    member: &Member,
    id: MentorshipId,
    draft: (String, String, String),
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let access = crate::http::mentorship_access(state, &member.as_api_user(), id).await?;
    crate::http::guard(&access, Action::WriteContent)?;
    let (with, _) = with_label(state, member, id).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let (subject, body, client_msg_id) = draft;
    Ok((
        status,
        render(&ComposeView {
            ui: Ui::for_member(member),
            mentorship: id,
            with,
            subject,
            body,
            client_msg_id,
            errors: Errors(errors),
            hints: hint_texts(&member.tr),
            files: files_field(state, member),
        })?,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ComposeQuery {
    /// A subject to start with, such as the first-contact view's suggestion (G9).
    #[serde(default)]
    subject: Option<String>,
}

/// `GET /mentorships/{id}/new`: start a conversation, with `?subject=` filled in.
pub async fn compose_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<ComposeQuery>,
) -> Result<Response, PageError> {
    let id: MentorshipId = id.parse().map_err(|_| PageError::NotFound)?;
    // Only a starting point: the form checks the subject when it is sent; one line, no
    // longer than a subject may be.
    let subject: String =
        q.subject.unwrap_or_default().chars().filter(|c| !c.is_control()).take(mentorpost_model::Subject::MAX_CHARS).collect();
    compose(&state, &member, id, (subject.trim().to_owned(), String::new(), new_client_msg_id()), Vec::new()).await
}

#[derive(Debug, Deserialize)]
pub struct NewThreadForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    client_msg_id: String,
}

/// `POST /mentorships/{id}/new`: subject, text and any files (multipart).
pub async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: SignedWithFiles<NewThreadForm>,
) -> Result<Response, PageError> {
    let id: MentorshipId = id.parse().map_err(|_| PageError::NotFound)?;
    let SignedWithFiles { member, form, files, problem, .. } = signed;
    let client_msg_id = ClientMsgId::parse(&form.client_msg_id).map_err(|_| PageError::BadForm)?;
    let subject = Subject::parse(&form.subject);
    let body = message_text(&form.body, &files, problem);
    let mut errors: Vec<FieldError> = [subject.as_ref().err(), body.as_ref().and_then(|b| b.as_ref().err())]
        .into_iter()
        .flatten()
        .map(|e| field_error(&member, e))
        .collect();
    if let Some(problem) = problem {
        errors.push(files_error(&state, &member, problem).0);
    }
    let (Ok(subject), Some(Ok(body)), true) = (subject, body, errors.is_empty()) else {
        return compose(&state, &member, id, (form.subject, form.body, form.client_msg_id), errors).await;
    };
    let first =
        NewMessage { author: member.id(), body, client_msg_id: Some(client_msg_id), source: MessageSource::Web, attachments: files };
    let (thread, _) = store::threads::create(&state.db, id, subject, first, state.clock.now()).await?;
    Ok(see_other(&format!("/threads/{}", thread.id)))
}

/// One hint's words, for the page's script to show (the API sends codes only).
pub struct HintText {
    pub code: &'static str,
    pub title: String,
    pub why: String,
}

/// Every hint's title and explanation in the reader's language.
pub fn hint_texts(tr: &super::i18n::Tr) -> Vec<HintText> {
    mentorpost_model::hints::HintCode::ALL
        .iter()
        .map(|code| HintText {
            code: code.as_str(),
            title: tr.t(&format!("hint-{}-title", code.message_id())),
            why: tr.t(&format!("hint-{}-why", code.message_id())),
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct HintsForm {
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    thread_id: Option<String>,
    #[serde(default)]
    mentorship_id: Option<String>,
}

/// `POST /app/hints`: netiquette hints for what is being written (the API's, with the
/// browser session). Codes and positions; the page holds the words.
pub async fn hints(State(state): State<AppState>, signed: Signed<HintsForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let thread_id = match form.thread_id.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => Some(t.parse().map_err(|_| PageError::NotFound)?),
        None => None,
    };
    let mentorship_id = match form.mentorship_id.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => Some(m.parse().map_err(|_| PageError::NotFound)?),
        None => None,
    };
    let request = mentorpost_model::api::HintsRequest { subject: form.subject, body: form.body, thread_id, mentorship_id };
    match crate::http::hints::hints_for(&state, member.id(), &request).await {
        Ok(found) => Ok(Json(found).into_response()),
        // Too long to check is not a reason to stop someone writing: no hints.
        Err(crate::error::ApiError::Unprocessable { .. }) => Ok(Json(serde_json::json!({ "hints": [] })).into_response()),
        Err(other) => Err(other.into()),
    }
}

/// `POST /app/ws-ticket`: a socket ticket for the signed-in browser.
pub async fn ws_ticket(State(state): State<AppState>, signed: Signed<NoFields>) -> Result<Response, PageError> {
    let member = signed.member;
    let ticket = store::tickets::issue(&state.db, member.id(), member.session.session_id.clone(), state.clock.now()).await?;
    Ok(Json(serde_json::json!({ "ticket": ticket, "expires_in": store::tickets::TICKET_TTL.num_seconds() })).into_response())
}

/// `GET /attachments/{id}`: a message's file, for members who may read the message
/// (the API's download, with the browser session).
pub async fn attachment(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| PageError::NotFound)?;
    Ok(crate::http::inbound::download_attachment(State(state), member.as_api_user(), crate::http::ApiPath(id)).await?)
}
