//! Closure (F10) on the members' pages: the "Closing the mentorship" section of the
//! mentorship page, the closing page (start the step after a confirm step, the
//! closing form, what the others shared, "close now") and the follow-up page for the
//! members a closed mentorship had, once its time has come. Each is a prompt, never a
//! gate. The coordinator's pages use [`figures`]: the step's figures, never a text.

use super::i18n::Tr;
use super::mentorship::Figure;
use super::session::{Member, Signed};
use super::signin::{Errors, FieldError, NoFields};
use super::{PageError, Ui, render, see_other};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store;
use crate::store::mentorships::Access;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use mentorpost_auth::permission::Action;
use mentorpost_model::closure::{ClosingAnswers, ClosingFigures, ClosingView, FollowUpAnswers};
use mentorpost_model::forms::Form;
use mentorpost_model::{MentorshipId, MentorshipStatus, Role, ValidationError};
use serde::Deserialize;

/// The text of a problem with a field: `ms-error-<field>-<code>` in the catalogues.
fn problem(member: &Member, field: &'static str, code: &str) -> FieldError {
    let key = format!("ms-error-{}-{}", field.replace('_', "-"), code.replace('_', "-"));
    FieldError { field, message: member.tr.t(&key) }
}

fn from_validation(member: &Member, err: &ValidationError) -> FieldError {
    problem(member, err.field, err.code)
}

/// A browser sends a textarea's line breaks as CR LF; the records keep LF.
fn text(s: &str) -> String {
    s.replace("\r\n", "\n").trim().to_owned()
}

/// The programme's calendar for a mentorship.
async fn time_zone(state: &AppState, access: &Access) -> Result<chrono_tz::Tz, PageError> {
    let tz = store::programmes::defaults(state.db.pool(), access.programme_id).await?.map(|d| d.timezone).unwrap_or_default();
    Ok(tz.parse().unwrap_or(chrono_tz::UTC))
}

/// The closing step's figures as rows of a figures table: started on, forms in, closed
/// on. No text of any form.
pub fn figures(tr: &Tr, f: &ClosingFigures, tz: chrono_tz::Tz) -> Vec<Figure> {
    let day = |t: chrono::DateTime<chrono::Utc>| tr.date(t.with_timezone(&tz).date_naive());
    vec![
        Figure {
            label: tr.t("closure-figure-started"),
            value: match (f.started_at, f.started_by) {
                (Some(at), Some(_)) => day(at),
                (Some(at), None) => tr.ts("closure-figure-started-by-end-date", "date", &day(at)),
                (None, _) => tr.t("closure-figure-not-started"),
            },
        },
        Figure {
            label: tr.t("closure-figure-forms"),
            value: tr.tnn("closure-figure-forms-value", ("count", f.forms_in), ("total", f.members)),
        },
        Figure { label: tr.t("closure-figure-closed"), value: f.closed_at.map_or_else(|| tr.t("closure-figure-not-closed"), day) },
    ]
}

/// The dashboard's short line for a mentorship whose closing step runs: "Closing: 1 of 2".
pub fn dashboard_line(tr: &Tr, f: &ClosingFigures) -> Option<String> {
    f.started_at.filter(|_| f.closed_at.is_none()).map(|_| tr.tnn("closure-dashboard-line", ("count", f.forms_in), ("total", f.members)))
}

/// The "Closing the mentorship" section of the mentorship page.
pub struct ClosingSection {
    /// "This mentorship closed on …", once closed.
    pub closed_on: Option<String>,
    /// Where the step stands, in a sentence.
    pub state: String,
    /// The link to the closing page (to start it, fill in the form or read it).
    pub link_text: String,
    /// The follow-up, once due and not yet given: its link text.
    pub follow_up: Option<String>,
}

/// What the mentorship page shows of the closing step for this member.
pub async fn section(state: &AppState, member: &Member, access: &Access) -> Result<ClosingSection, PageError> {
    let view = crate::http::closings::view_for(state, access, member.id()).await?;
    let tz = time_zone(state, access).await?;
    let tr = &member.tr;
    let f = &view.figures;
    let closed_on = f.closed_at.map(|t| tr.ts("closure-closed-on", "date", &tr.date(t.with_timezone(&tz).date_naive())));
    let can_write = access.permit(Action::WriteContent).is_ok() && access.status == MentorshipStatus::Active;
    let (state_text, link_key) = match (f.closed_at, f.started_at, &view.mine) {
        (Some(_), _, _) => (tr.t("closure-state-closed"), "closure-link-read"),
        (None, None, _) if can_write => (tr.t("closure-state-not-started"), "closure-link-start"),
        (None, None, _) => (tr.t("closure-state-not-started-read"), "closure-link-read"),
        (None, Some(_), None) if can_write => {
            (tr.tnn("closure-state-started", ("count", f.forms_in), ("total", f.members)), "closure-link-form")
        }
        (None, Some(_), _) => (tr.tnn("closure-state-started", ("count", f.forms_in), ("total", f.members)), "closure-link-read"),
    };
    let today = state.clock.now().with_timezone(&tz).date_naive();
    let follow_up = follow_up_open(access, &view, today).then(|| tr.t("closure-follow-up-link"));
    Ok(ClosingSection { closed_on, state: state_text, link_text: tr.t(link_key), follow_up })
}

/// Whether this member may give the follow-up now: they were a member when it closed,
/// its day has come and they have not given it.
fn follow_up_open(access: &Access, view: &ClosingView, today: NaiveDate) -> bool {
    access.role.is_some() && access.left_at.is_none() && view.follow_up.is_none() && view.follow_up_due_on.is_some_and(|due| due <= today)
}

/// One question of a form: field, label, value.
pub struct Question {
    pub field: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
}

/// The questions `F` asks a member with `role`, labelled by the catalogue keys the mail
/// side uses (`{KEY}-{field}`), with the values of `form`.
fn questions<F: Form>(tr: &Tr, role: Role, value: impl Fn(&str) -> String) -> Vec<Question> {
    F::questions(role)
        .iter()
        .map(|q| {
            let key = format!("{}-{}", F::KEY, q.field);
            Question { field: q.field, label: tr.t(&key), hint: tr.t(&format!("{key}-hint")), value: value(q.field) }
        })
        .collect()
}

/// Another member's shared answers, as the closing page shows them.
pub struct SharedShown {
    pub heading: String,
    pub answers: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ClosingForm {
    #[serde(default)]
    key_moments: String,
    #[serde(default)]
    thanks: String,
    #[serde(default)]
    achieved: String,
    #[serde(default)]
    not_achieved: String,
    #[serde(default)]
    future_needs: String,
}

impl ClosingForm {
    fn answers(&self) -> ClosingAnswers {
        ClosingAnswers {
            key_moments: text(&self.key_moments),
            thanks: text(&self.thanks),
            achieved: text(&self.achieved),
            not_achieved: text(&self.not_achieved),
            future_needs: text(&self.future_needs),
        }
    }
}

#[derive(Template)]
#[template(path = "web/closing.html")]
struct ClosingPage {
    ui: Ui,
    id: MentorshipId,
    figures: Vec<Figure>,
    started: bool,
    closed_on: Option<String>,
    may_start: bool,
    can_write: bool,
    is_mentor: bool,
    questions: Vec<Question>,
    /// One's own answers, for reading (after closing, or when one cannot write).
    mine: Vec<(String, String)>,
    shared: Vec<SharedShown>,
    errors: Errors,
    done: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn member_access(state: &AppState, member: &Member, id: MentorshipId) -> Result<Access, PageError> {
    let access = crate::http::mentorship_access(state, &member.as_api_user(), id).await?;
    // The forms are the members' words: members only, like the mentorship page.
    crate::http::guard(&access, Action::ReadContent)?;
    Ok(access)
}

fn mentorship_id(id: &str) -> Result<MentorshipId, PageError> {
    id.parse().map_err(|_| PageError::NotFound)
}

async fn show_closing(
    state: &AppState,
    member: &Member,
    id: MentorshipId,
    draft: Option<ClosingForm>,
    errors: Vec<FieldError>,
    done: Option<&str>,
) -> Result<Response, PageError> {
    let access = member_access(state, member, id).await?;
    let view = crate::http::closings::view_for(state, &access, member.id()).await?;
    let tz = time_zone(state, &access).await?;
    let tr = &member.tr;
    let role = access.role.unwrap_or(Role::Mentee);
    // A proposed mentorship has no closing step yet.
    let can_write = access.permit(Action::WriteContent).is_ok() && access.status == MentorshipStatus::Active;
    let mine = view.mine.clone().unwrap_or_default();
    let draft = draft.unwrap_or_else(|| ClosingForm {
        key_moments: mine.key_moments.clone(),
        thanks: mine.thanks.clone(),
        achieved: mine.achieved.clone(),
        not_achieved: mine.not_achieved.clone(),
        future_needs: mine.future_needs.clone(),
    });
    let questions = questions::<ClosingAnswers>(tr, role, |field| {
        match field {
            "key_moments" => &draft.key_moments,
            "thanks" => &draft.thanks,
            "achieved" => &draft.achieved,
            "not_achieved" => &draft.not_achieved,
            _ => &draft.future_needs,
        }
        .clone()
    });
    let label = |field: &str| tr.t(&format!("closing-{field}"));
    let mine_shown = view
        .mine
        .as_ref()
        .map(|m| m.fields().iter().filter(|(_, v)| !v.trim().is_empty()).map(|(f, v)| (label(f), (*v).to_owned())).collect())
        .unwrap_or_default();
    let shared = view
        .shared
        .iter()
        .map(|s| SharedShown {
            heading: tr.ts(if s.role == Role::Mentor { "closure-shared-mentor" } else { "closure-shared-mentee" }, "name", &s.author_name),
            answers: [("key_moments", &s.key_moments), ("thanks_for_you", &s.thanks)]
                .into_iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(f, v)| (if f == "thanks_for_you" { tr.t("closure-thanks-for-you") } else { label(f) }, v.clone()))
                .collect(),
        })
        .collect();
    let closed_on = view.figures.closed_at.map(|t| tr.ts("closure-closed-on", "date", &tr.date(t.with_timezone(&tz).date_naive())));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = ClosingPage {
        ui: Ui::for_member(member),
        id,
        figures: figures(tr, &view.figures, tz),
        started: view.figures.started_at.is_some(),
        closed_on,
        may_start: can_write,
        can_write,
        is_mentor: role == Role::Mentor,
        questions,
        mine: mine_shown,
        shared,
        errors: Errors(errors),
        done: done.unwrap_or_default().to_owned(),
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /mentorships/{id}/closing`.
pub async fn closing_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let done = q.done.as_deref().filter(|d| matches!(*d, "started" | "form"));
    show_closing(&state, &member, id, None, Vec::new(), done).await
}

/// `POST /mentorships/{id}/closing/start`: the confirm step's button.
pub async fn start(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<NoFields>) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let member = signed.member;
    let access = member_access(&state, &member, id).await?;
    crate::http::guard(&access, Action::WriteContent)?;
    match store::closings::start(&state.db, id, Some(member.id()), state.clock.now()).await.map_err(ApiError::from) {
        Ok(_) => Ok(see_other(&format!("/mentorships/{id}/closing?done=started#closing-form-title"))),
        // Not active (proposed, or closed meanwhile): the closing page says where it stands.
        Err(ApiError::Conflict { .. }) => Ok(see_other(&format!("/mentorships/{id}/closing"))),
        Err(other) => Err(other.into()),
    }
}

/// `POST /mentorships/{id}/closing/form`: one's closing form.
pub async fn save_form(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<ClosingForm>) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let Signed { member, form, .. } = signed;
    let access = member_access(&state, &member, id).await?;
    crate::http::guard(&access, Action::WriteContent)?;
    let role = access.role.ok_or(PageError::NotFound)?;
    let answers = form.answers();
    // Each answer checked on its own, so every problem shows at once.
    let mut errors = Vec::new();
    for (field, value) in answers.fields().into_iter().filter(|(_, v)| !v.is_empty()) {
        let mut probe = ClosingAnswers::default();
        probe.set(field, value.to_owned());
        if let Err(e) = probe.validate_for(role) {
            errors.push(from_validation(&member, &e));
        }
    }
    if errors.is_empty()
        && let Err(e) = answers.validate_for(role)
    {
        errors.push(from_validation(&member, &e));
    }
    if !errors.is_empty() {
        return show_closing(&state, &member, id, Some(form), errors, None).await;
    }
    match crate::http::closings::write(&state, &access, member.id(), answers).await {
        Ok(true) => Ok(see_other(&format!("/mentorships/{id}?done=closed"))),
        Ok(false) => Ok(see_other(&format!("/mentorships/{id}/closing?done=form"))),
        // Closed meanwhile (or not active): the closing page says where it stands.
        Err(ApiError::Conflict { .. }) => Ok(see_other(&format!("/mentorships/{id}/closing"))),
        Err(other) => Err(other.into()),
    }
}

/// `POST /mentorships/{id}/closing/close`: close now, without waiting for every form.
pub async fn close_now(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<NoFields>) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let member = signed.member;
    let access = member_access(&state, &member, id).await?;
    crate::http::guard(&access, Action::WriteContent)?;
    match store::closings::close_now(&state.db, id, member.id(), state.clock.now()).await.map_err(ApiError::from) {
        Ok(()) => Ok(see_other(&format!("/mentorships/{id}?done=closed"))),
        // Not started yet (or closed meanwhile): the closing page says where it stands.
        Err(ApiError::Conflict { .. }) => Ok(see_other(&format!("/mentorships/{id}/closing"))),
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct FollowUpForm {
    #[serde(default)]
    how_it_goes: String,
    #[serde(default)]
    still_helps: String,
    #[serde(default)]
    needs_now: String,
}

impl FollowUpForm {
    fn answers(&self) -> FollowUpAnswers {
        FollowUpAnswers { how_it_goes: text(&self.how_it_goes), still_helps: text(&self.still_helps), needs_now: text(&self.needs_now) }
    }
}

#[derive(Template)]
#[template(path = "web/follow_up.html")]
struct FollowUpPage {
    ui: Ui,
    id: MentorshipId,
    /// The form is offered (due, not given, a member when it closed).
    open: bool,
    /// When it will be due, while it is not yet.
    due_later: Option<String>,
    /// The follow-up one gave, for reading.
    given: Vec<(String, String)>,
    questions: Vec<Question>,
    errors: Errors,
    done: String,
}

async fn show_follow_up(
    state: &AppState,
    member: &Member,
    id: MentorshipId,
    draft: Option<FollowUpForm>,
    errors: Vec<FieldError>,
    done: Option<&str>,
) -> Result<Response, PageError> {
    let access = member_access(state, member, id).await?;
    let view = crate::http::closings::view_for(state, &access, member.id()).await?;
    let tz = time_zone(state, &access).await?;
    let tr = &member.tr;
    let today = state.clock.now().with_timezone(&tz).date_naive();
    let open = follow_up_open(&access, &view, today);
    let draft = draft.unwrap_or_default();
    let questions = questions::<FollowUpAnswers>(tr, access.role.unwrap_or(Role::Mentee), |field| {
        match field {
            "how_it_goes" => &draft.how_it_goes,
            "still_helps" => &draft.still_helps,
            _ => &draft.needs_now,
        }
        .clone()
    });
    let given = view
        .follow_up
        .as_ref()
        .map(|a| {
            a.fields()
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(f, v)| (tr.t(&format!("follow_up-{f}")), (*v).to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let due_later = view.follow_up_due_on.filter(|d| *d > today && view.follow_up.is_none()).map(|d| tr.date(d));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = FollowUpPage {
        ui: Ui::for_member(member),
        id,
        open,
        due_later,
        given,
        questions,
        errors: Errors(errors),
        done: done.unwrap_or_default().to_owned(),
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /mentorships/{id}/follow-up`.
pub async fn follow_up_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let done = q.done.as_deref().filter(|d| *d == "follow-up");
    show_follow_up(&state, &member, id, None, Vec::new(), done).await
}

/// `POST /mentorships/{id}/follow-up`.
pub async fn save_follow_up(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed<FollowUpForm>,
) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let Signed { member, form, .. } = signed;
    let access = member_access(&state, &member, id).await?;
    let answers = form.answers();
    let mut errors = Vec::new();
    for (field, value) in answers.fields().into_iter().filter(|(_, v)| !v.is_empty()) {
        let mut probe = FollowUpAnswers::default();
        probe.set(field, value.to_owned());
        if let Err(e) = probe.validate() {
            errors.push(from_validation(&member, &e));
        }
    }
    if errors.is_empty()
        && let Err(e) = answers.validate()
    {
        errors.push(from_validation(&member, &e));
    }
    if !errors.is_empty() {
        return show_follow_up(&state, &member, id, Some(form), errors, None).await;
    }
    match crate::http::closings::write_follow_up(&state, &access, member.id(), answers).await {
        Ok(()) => Ok(see_other(&format!("/mentorships/{id}/follow-up?done=follow-up"))),
        // Given already (a second click), or not closed: the page shows where it stands.
        Err(ApiError::Conflict { .. }) => Ok(see_other(&format!("/mentorships/{id}/follow-up"))),
        Err(other) => Err(other.into()),
    }
}
