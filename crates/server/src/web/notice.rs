//! The privacy notice on the web: the calm page a person meets before going on when a
//! programme of theirs has a notice they have still to accept (`/privacy`, reached
//! through the `Member` extractor's check on every page), the same page to read the
//! notices again, and the coordinator's page to publish a new version with a preview.

use super::concerns::paragraphs;
use super::coordinate::{ProgrammeNav, programme_for};
use super::session::{Member, Signed};
use super::signin::{Errors, FieldError};
use super::{PageError, Ui, i18n::Tr, render, safe_next, see_other};
use crate::error::ApiError;
use crate::http::concerns as api;
use crate::state::AppState;
use crate::store;
use crate::store::notices::{Current, NotRecorded};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mentorpost_auth::permission::{Action, Actor};
use mentorpost_model::concern::PublishNoticeRequest;
use mentorpost_model::{Locale, ProgrammeId};
use serde::Deserialize;

/// Whether a page (a GET) first asks for pending notices. Not the notice page itself,
/// nor what a page's script or image fetches.
pub fn asks_first(path: &str) -> bool {
    !(path.starts_with("/privacy")
        || path.starts_with("/app/")
        || path.starts_with("/attachments/")
        || path.starts_with("/assets/")
        || path.ends_with("/after")
        || path.ends_with("/seen"))
}

/// A notice as a page shows it.
pub struct NoticeShown {
    pub programme_id: String,
    pub programme: String,
    pub version: String,
    pub version_text: String,
    pub paragraphs: Vec<String>,
}

/// The words of `current` in the reader's language.
pub fn text_of(current: &Current, locale: Locale) -> String {
    match current {
        Current::Default => api::default_text(locale),
        Current::Published(p) => p.text(locale).to_owned(),
    }
}

pub fn version_text(tr: &Tr, current: &Current) -> String {
    match current {
        Current::Default => tr.t("notice-version-default"),
        Current::Published(p) => {
            tr.args("notice-version", &[("number", p.version.into()), ("date", tr.date(p.published_at.date_naive()).as_str().into())])
        }
    }
}

pub fn shown(tr: &Tr, programme_id: ProgrammeId, programme: &str, current: &Current) -> NoticeShown {
    NoticeShown {
        programme_id: programme_id.to_string(),
        programme: programme.to_owned(),
        version: current.label(),
        version_text: version_text(tr, current),
        paragraphs: paragraphs(&text_of(current, tr.locale())),
    }
}

/// Adds what the service itself does in the programme to a notice: how long it keeps
/// what members wrote, and what erasing an account does to their messages (the
/// programme's settings, so the words cannot drift from what happens).
pub async fn add_facts(state: &AppState, tr: &Tr, notice: &mut NoticeShown) -> Result<(), PageError> {
    let Ok(id) = notice.programme_id.parse::<ProgrammeId>() else { return Ok(()) };
    let Some(d) = store::programmes::defaults(state.db.pool(), id).await? else { return Ok(()) };
    let programme = notice.programme.as_str();
    notice.paragraphs.push(tr.args("notice-keep-months", &[("programme", programme.into()), ("count", d.retention_months.into())]));
    let key = match d.erasure_policy {
        mentorpost_model::ErasurePolicy::Tombstone => "notice-erasure-tombstone",
        mentorpost_model::ErasurePolicy::Anonymise => "notice-erasure-anonymise",
    };
    notice.paragraphs.push(tr.ts(key, "programme", programme));
    Ok(())
}

#[derive(Template)]
#[template(path = "web/privacy.html")]
struct PrivacyPage {
    ui: Ui,
    /// Notices to accept before going on (empty: the page only shows the notices).
    pending: Vec<NoticeShown>,
    current: Vec<NoticeShown>,
    next: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: Option<String>,
}

/// `GET /privacy[?next=…]`: the notices still to accept, each with its button; once
/// none is left, on to `next` (or the notices of one's programmes, to read again).
pub async fn page(State(state): State<AppState>, member: Member, Query(q): Query<NextQuery>) -> Result<Response, PageError> {
    let tr = &member.tr;
    let pending = store::notices::pending(state.db.pool(), member.id()).await?;
    if pending.is_empty()
        && let Some(next) = q.next.as_deref()
    {
        return Ok(see_other(&safe_next(Some(next))));
    }
    let mut current: Vec<NoticeShown> = if pending.is_empty() {
        store::notices::of_person(state.db.pool(), member.id())
            .await?
            .iter()
            .map(|(id, name, current)| shown(tr, *id, name, current))
            .collect()
    } else {
        Vec::new()
    };
    let mut pending: Vec<NoticeShown> = pending.iter().map(|p| shown(tr, p.programme_id, &p.programme_name, &p.notice)).collect();
    for n in current.iter_mut().chain(pending.iter_mut()) {
        add_facts(&state, tr, n).await?;
    }
    let page = PrivacyPage { pending, current, next: safe_next(q.next.as_deref()), ui: Ui::for_member(&member) };
    render(&page)
}

#[derive(Debug, Default, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    programme: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    next: String,
}

/// `POST /privacy/accept`: accepts the version shown; a newer one published meanwhile
/// is simply shown next.
pub async fn accept(State(state): State<AppState>, signed: Signed<AcceptForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let programme: ProgrammeId = form.programme.parse().map_err(|_| PageError::BadForm)?;
    match store::notices::accept(&state.db, member.id(), programme, form.version, "web", state.clock.now()).await? {
        Ok(()) | Err(NotRecorded::Changed) => {}
        Err(NotRecorded::NotInProgramme) => return Err(PageError::NotFound),
    }
    let next = safe_next(Some(&form.next));
    Ok(see_other(&format!("/privacy?next={}", percent_encoding::utf8_percent_encode(&next, percent_encoding::NON_ALPHANUMERIC))))
}

// ---- the coordinator's page ----

#[derive(Template)]
#[template(path = "web/coordinate_notice.html")]
struct NoticePage {
    ui: Ui,
    nav: ProgrammeNav,
    current: NoticeShown,
    is_default: bool,
    versions: Vec<String>,
    text_en: String,
    text_nl: String,
    /// The preview step: both texts as people will read them.
    preview: Option<(Vec<String>, Vec<String>)>,
    next_version: i64,
    errors: Errors,
    done: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    text_en: String,
    #[serde(default)]
    text_nl: String,
    /// `preview` or `publish`.
    #[serde(default)]
    step: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

fn actor(member: &Member) -> Actor {
    Actor { user_id: member.id(), is_admin: member.session.is_admin }
}

async fn notice_page(
    state: &AppState,
    member: &Member,
    id: &str,
    form: Option<NoticeForm>,
    preview: bool,
    errors: Vec<FieldError>,
    done: bool,
) -> Result<Response, PageError> {
    let programme = programme_for(state, member, id).await?;
    crate::http::users::programme_guard(state, &actor(member), programme.id, Action::ManageProgrammeUsers).await.map_err(|e| match e {
        ApiError::Forbidden { .. } => PageError::NotFound,
        other => other.into(),
    })?;
    let tr = &member.tr;
    let pool = state.db.pool();
    let current = store::notices::current(pool, programme.id).await?;
    let versions = store::notices::versions(pool, programme.id).await?;
    let form = form.unwrap_or_else(|| NoticeForm {
        text_en: text_of(&current, Locale::En),
        text_nl: text_of(&current, Locale::Nl),
        step: String::new(),
    });
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut shown_now = shown(tr, programme.id, &programme.name, &current);
    add_facts(state, tr, &mut shown_now).await?;
    let page = NoticePage {
        nav: ProgrammeNav::new(&programme, "notice"),
        current: shown_now,
        is_default: current == Current::Default,
        versions: versions.iter().map(|v| version_text(tr, &Current::Published(v.clone()))).collect(),
        preview: (preview && errors.is_empty()).then(|| (paragraphs(&form.text_en), paragraphs(&form.text_nl))),
        text_en: form.text_en,
        text_nl: form.text_nl,
        next_version: versions.first().map(|v| v.version).unwrap_or(0) + 1,
        errors: Errors(errors),
        done,
        ui: Ui::for_member(member),
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /coordinate/programmes/{id}/notice`: the current notice, its versions, and the
/// form for a new one (filled in with the current words).
pub async fn coordinator_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    notice_page(&state, &member, &id, None, false, Vec::new(), q.done.as_deref() == Some("published")).await
}

/// `POST /coordinate/programmes/{id}/notice`: `step=preview` shows the new texts as
/// people will read them; `step=publish` publishes them as the next version.
pub async fn publish(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<NoticeForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let req = PublishNoticeRequest { text_en: form.text_en.clone(), text_nl: form.text_nl.clone() };
    let checked = api::check_texts(&req);
    let errors = match &checked {
        Ok(_) => Vec::new(),
        Err(_) => {
            let mut errors = Vec::new();
            for (field, text) in [("text_en", &form.text_en), ("text_nl", &form.text_nl)] {
                if text.trim().is_empty() {
                    errors.push(FieldError { field, message: member.tr.t("notice-error-empty") });
                } else if text.chars().count() > store::notices::MAX_TEXT_CHARS {
                    errors.push(FieldError { field, message: member.tr.t("notice-error-too-long") });
                }
            }
            errors
        }
    };
    if form.step != "publish" || !errors.is_empty() {
        return notice_page(&state, &member, &id, Some(form), true, errors, false).await;
    }
    let programme = programme_for(&state, &member, &id).await?;
    crate::http::users::programme_guard(&state, &actor(&member), programme.id, Action::ManageProgrammeUsers).await.map_err(
        |e| match e {
            ApiError::Forbidden { .. } => PageError::NotFound,
            other => other.into(),
        },
    )?;
    let (en, nl) = checked?;
    api::publish(&state, programme.id, en, nl, member.id()).await?;
    Ok(see_other(&format!("/coordinate/programmes/{}/notice?done=published", programme.id)))
}
