//! Sharing a concern with the coordinator, on the web (F4): "Share with the
//! coordinator" on a message and on a thread, "Write to the coordinator" on the
//! mentorship page; each goes through a confirmation page that shows exactly what the
//! coordinator will see, then shares it (`http::concerns::share`, the API's path). The
//! coordinator's "Shared with you" page lists only what was shared, with acknowledge
//! and resolve. The mentorship page's lines about shares come from [`lines`].

use super::coordinate::{ProgrammeNav, programme_for};
use super::session::{Member, Signed};
use super::signin::{Errors, FieldError};
use super::{PageError, Ui, i18n::Tr, render, see_other};
use crate::error::ApiError;
use crate::http::concerns as api;
use crate::state::AppState;
use crate::store;
use crate::store::concerns::Item;
use crate::store::mentorships::Access;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mentorpost_auth::permission::Actor;
use mentorpost_model::audit::AuditAction;
use mentorpost_model::concern::{ConcernKind, ConcernNotice, ConcernStatus, ConcernView, ShareConcernRequest, Snapshot};
use mentorpost_model::{MentorshipId, MessageId, ThreadId};
use serde::Deserialize;

/// A shared item as a page shows it: the subject and each message with its author
/// and time, in paragraphs.
pub struct ItemShown {
    pub subject: Option<String>,
    pub messages: Vec<MessageShown>,
}

pub struct MessageShown {
    pub author: String,
    pub when: String,
    pub paragraphs: Vec<String>,
}

pub fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n").split("\n\n").map(|p| p.trim_matches('\n').to_owned()).filter(|p| !p.trim().is_empty()).collect()
}

pub fn item_shown(tr: &Tr, s: &Snapshot) -> ItemShown {
    ItemShown {
        subject: s.subject.clone(),
        messages: s
            .messages
            .iter()
            .map(|m| MessageShown { author: m.author_name.clone(), when: tr.when_full(m.created_at), paragraphs: paragraphs(&m.body) })
            .collect(),
    }
}

fn what(tr: &Tr, kind: ConcernKind) -> String {
    tr.t(&format!("concern-what-{}", kind.as_str()))
}

// ---- the member's side ----

#[derive(Template)]
#[template(path = "web/share.html")]
struct SharePage {
    ui: Ui,
    mentorship: MentorshipId,
    /// Where the form posts.
    action: String,
    /// Where "cancel" goes.
    back: String,
    /// `write` (a note, being written) or `confirm`.
    step: &'static str,
    kind: &'static str,
    message: String,
    heading: String,
    item: Option<ItemShown>,
    note: String,
    note_paragraphs: Vec<String>,
    others: String,
    others_may_see: bool,
    programme: String,
    errors: Errors,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShareQuery {
    #[serde(default)]
    message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    message: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    others_may_see: String,
    /// `preview` (a note: show the confirmation) or `confirm` (share now).
    #[serde(default)]
    step: String,
}

/// The names of the other current members ("Henk & Şule").
async fn others_of(state: &AppState, access: &Access) -> Result<String, PageError> {
    let others = store::concerns::others_to_tell(state.db.pool(), access.mentorship_id, access.actor.user_id).await?;
    Ok(others.into_iter().map(|o| o.1).collect::<Vec<_>>().join(" & "))
}

#[allow(clippy::too_many_arguments)]
async fn share_page(
    state: &AppState,
    member: &Member,
    access: &Access,
    item: &Item,
    step: &'static str,
    note: String,
    others_may_see: bool,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let tr = &member.tr;
    let snapshot = api::preview(state, access, item).await?;
    let (action, back, message) = match item {
        Item::Message(m) => {
            let thread = store::concerns::thread_of_message(state.db.pool(), *m).await?.ok_or(PageError::NotFound)?;
            (format!("/threads/{thread}/share"), format!("/threads/{thread}#m-{m}"), m.to_string())
        }
        Item::Thread(t) => (format!("/threads/{t}/share"), format!("/threads/{t}"), String::new()),
        Item::Note => {
            (format!("/mentorships/{}/share", access.mentorship_id), format!("/mentorships/{}", access.mentorship_id), String::new())
        }
    };
    let programme = store::programmes::get(state.db.pool(), access.programme_id).await?.map(|p| p.name).unwrap_or_default();
    let heading = match (item, step) {
        (Item::Note, "write") => tr.t("concern-write-title"),
        _ => tr.ts("concern-confirm-title", "what", &what(tr, item.kind())),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = SharePage {
        ui: Ui::for_member(member),
        mentorship: access.mentorship_id,
        action,
        back,
        step,
        kind: item.kind().as_str(),
        message,
        heading,
        item: (!matches!(item, Item::Note)).then(|| item_shown(tr, &snapshot)),
        note_paragraphs: paragraphs(&note),
        note,
        others: others_of(state, access).await?,
        others_may_see,
        programme,
        errors: Errors(errors),
    };
    Ok((status, render(&page)?).into_response())
}

async fn thread_access(state: &AppState, member: &Member, id: &str) -> Result<(ThreadId, Access), PageError> {
    let thread: ThreadId = id.parse().map_err(|_| PageError::NotFound)?;
    let (access, _) = store::mentorships::access_by_thread(state.db.pool(), thread, member.id()).await?.ok_or(PageError::NotFound)?;
    Ok((thread, access))
}

/// The item a thread page's form names: one message of this thread, or the thread.
async fn item_in_thread(state: &AppState, thread: ThreadId, message: &str) -> Result<Item, PageError> {
    if message.is_empty() {
        return Ok(Item::Thread(thread));
    }
    let m: MessageId = message.parse().map_err(|_| PageError::NotFound)?;
    match store::concerns::thread_of_message(state.db.pool(), m).await? {
        Some(t) if t == thread => Ok(Item::Message(m)),
        _ => Err(PageError::NotFound),
    }
}

/// `GET /threads/{id}/share[?message=…]`: the confirmation page for a message or the
/// whole thread. Changes nothing.
pub async fn confirm_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<ShareQuery>,
) -> Result<Response, PageError> {
    let (thread, access) = thread_access(&state, &member, &id).await?;
    let item = item_in_thread(&state, thread, q.message.as_deref().unwrap_or_default()).await?;
    share_page(&state, &member, &access, &item, "confirm", String::new(), false, Vec::new()).await
}

fn request_for(item: &Item, form: &ShareForm) -> ShareConcernRequest {
    let (kind, message_id, thread_id) = match item {
        Item::Message(m) => (ConcernKind::Message, Some(*m), None),
        Item::Thread(t) => (ConcernKind::Thread, None, Some(*t)),
        Item::Note => (ConcernKind::Note, None, None),
    };
    ShareConcernRequest { kind, message_id, thread_id, note: Some(form.note.clone()), others_may_see: form.others_may_see == "yes" }
}

/// Shares, or shows the form again with the problem.
async fn do_share(state: &AppState, member: &Member, access: &Access, item: Item, form: ShareForm) -> Result<Response, PageError> {
    let req = request_for(&item, &form);
    match api::share(state, access, &member.client, req).await {
        Ok(_) => Ok(see_other(&format!("/mentorships/{}?done=shared", access.mentorship_id))),
        Err(ApiError::Unprocessable { code, .. }) => {
            let message = if code == "too_long" { member.tr.t("concern-error-too-long") } else { member.tr.t("concern-error-empty") };
            let step = if matches!(item, Item::Note) { "write" } else { "confirm" };
            let others = form.others_may_see == "yes";
            share_page(state, member, access, &item, step, form.note, others, vec![FieldError { field: "note", message }]).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /threads/{id}/share`: shares the message (form field `message`) or the thread.
pub async fn share_from_thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed<ShareForm>,
) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let (thread, access) = thread_access(&state, &member, &id).await?;
    let item = item_in_thread(&state, thread, &form.message).await?;
    do_share(&state, &member, &access, item, form).await
}

async fn mentorship_access(state: &AppState, member: &Member, id: &str) -> Result<Access, PageError> {
    let id: MentorshipId = id.parse().map_err(|_| PageError::NotFound)?;
    Ok(crate::http::mentorship_access(state, &member.as_api_user(), id).await?)
}

/// `GET /mentorships/{id}/share`: write a note to the coordinator.
pub async fn note_page(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> Result<Response, PageError> {
    let access = mentorship_access(&state, &member, &id).await?;
    share_page(&state, &member, &access, &Item::Note, "write", String::new(), false, Vec::new()).await
}

/// `POST /mentorships/{id}/share`: `step=preview` shows the note as the coordinator
/// will read it; `step=confirm` shares it.
pub async fn share_note(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<ShareForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let access = mentorship_access(&state, &member, &id).await?;
    if form.step == "confirm" {
        return do_share(&state, &member, &access, Item::Note, form).await;
    }
    let req = request_for(&Item::Note, &form);
    let others = form.others_may_see == "yes";
    match req.validate() {
        Ok(note) => share_page(&state, &member, &access, &Item::Note, "confirm", note, others, Vec::new()).await,
        Err(err) => {
            let message = if err.code == "too_long" { member.tr.t("concern-error-too-long") } else { member.tr.t("concern-error-empty") };
            share_page(&state, &member, &access, &Item::Note, "write", form.note, others, vec![FieldError { field: "note", message }]).await
        }
    }
}

/// A line of the mentorship page about a share.
pub struct ConcernLine {
    pub text: String,
    pub item: Option<ItemShown>,
    pub note: Vec<String>,
}

/// The mentorship page's lines about shares (`access` is a member's).
pub async fn lines(state: &AppState, tr: &Tr, access: &Access) -> Result<Vec<ConcernLine>, PageError> {
    let notices: Vec<ConcernNotice> = store::concerns::of_mentorship(state.db.pool(), access).await?;
    Ok(notices
        .into_iter()
        .map(|n| {
            let key = if n.shared_by == access.actor.user_id { "concern-line-you" } else { "concern-line-other" };
            let text = tr.args(
                key,
                &[
                    ("name", n.shared_by_name.as_str().into()),
                    ("what", what(tr, n.kind).as_str().into()),
                    ("when", tr.when_full(n.created_at).as_str().into()),
                ],
            );
            let (item, note) = match &n.shared {
                Some(v) if v.kind != ConcernKind::Note => (Some(item_shown(tr, &v.snapshot)), paragraphs(&v.note)),
                Some(v) => (None, paragraphs(&v.note)),
                None => (None, Vec::new()),
            };
            ConcernLine { text, item, note }
        })
        .collect())
}

// ---- the coordinator's side ----

pub struct ConcernShown {
    pub id: String,
    pub heading: String,
    pub mentorship: String,
    pub item: Option<ItemShown>,
    pub note: Vec<String>,
    pub note_heading: String,
    pub status: &'static str,
    pub status_text: String,
}

#[derive(Template)]
#[template(path = "web/coordinate_concerns.html")]
struct ConcernsPage {
    ui: Ui,
    nav: ProgrammeNav,
    concerns: Vec<ConcernShown>,
    done: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

fn actor(member: &Member) -> Actor {
    Actor { user_id: member.id(), is_admin: member.session.is_admin }
}

fn shown(tr: &Tr, c: &ConcernView) -> ConcernShown {
    let status_text = match c.status {
        ConcernStatus::New => tr.t("concern-status-new"),
        ConcernStatus::Acknowledged => {
            tr.ts("concern-status-acknowledged", "when", &c.acknowledged_at.map(|t| tr.when_full(t)).unwrap_or_default())
        }
        ConcernStatus::Resolved => tr.ts("concern-status-resolved", "when", &c.resolved_at.map(|t| tr.when_full(t)).unwrap_or_default()),
    };
    ConcernShown {
        id: c.id.clone(),
        heading: tr.args(
            "concern-shared-by",
            &[
                ("name", c.shared_by_name.as_str().into()),
                ("what", what(tr, c.kind).as_str().into()),
                ("when", tr.when_full(c.created_at).as_str().into()),
            ],
        ),
        mentorship: c.mentorship_id.to_string(),
        item: (c.kind != ConcernKind::Note).then(|| item_shown(tr, &c.snapshot)),
        note: paragraphs(&c.note),
        note_heading: tr.ts("concern-coord-note", "name", &c.shared_by_name),
        status: c.status.as_str(),
        status_text,
    }
}

/// `GET /coordinate/programmes/{id}/concerns`: what members shared (the programme's
/// coordinators only; an admin who does not coordinate it gets the 404 page).
pub async fn coordinator_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let programme = programme_for(&state, &member, &id).await?;
    match api::coordinator_guard(&state, &actor(&member), programme.id).await {
        Ok(()) => {}
        Err(ApiError::Forbidden { .. }) => return Err(PageError::NotFound),
        Err(other) => return Err(other.into()),
    }
    let what = crate::http::audit::Concerning::programme(programme.id);
    crate::http::audit::record(&state, member.id(), &member.client, AuditAction::ConcernRead, what).await?;
    let concerns = store::concerns::of_programme(state.db.pool(), programme.id).await?;
    let page = ConcernsPage {
        concerns: concerns.iter().map(|c| shown(&member.tr, c)).collect(),
        nav: ProgrammeNav::new(&programme, "concerns"),
        done: q.done.as_deref() == Some("status"),
        ui: Ui::for_member(&member),
    };
    render(&page)
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

/// `POST /coordinate/concerns/{id}/status`: acknowledge or resolve.
pub async fn set_status(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<StatusForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(PageError::NotFound);
    }
    let status = match form.status.as_str() {
        "acknowledged" => ConcernStatus::Acknowledged,
        "resolved" => ConcernStatus::Resolved,
        _ => return Err(PageError::BadForm),
    };
    match api::set_status(&state, &actor(&member), &id, status).await {
        Ok(view) => Ok(see_other(&format!("/coordinate/programmes/{}/concerns?done=status#c-{}", view.programme_id, view.id))),
        Err(ApiError::Forbidden { .. }) => Err(PageError::NotFound),
        Err(other) => Err(other.into()),
    }
}
