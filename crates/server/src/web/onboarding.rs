//! The programme's way in: the coordinator's people page (invite one person, re-send,
//! revoke), the CSV import (paste or upload → preview with per-row problems →
//! confirm), pairing accepted people, and the page an invitation link opens (privacy
//! notice, then a password for the web app or e-mail only).
//!
//! Coordinator pages answer 404 to everyone but the programme's coordinators, so a
//! programme's existence is not told to anyone else.

use super::coordinate::ProgrammeNav;
use super::session::{self, FilesProblem, Member, Signed, SignedWithFiles};
use super::signin::{Errors, FieldError};
use super::{PageError, Ui, i18n::Tr, render, see_other};
use crate::error::ApiError;
use crate::http::invitations::{self as inv, Pairing};
use crate::state::AppState;
use crate::store;
use crate::store::attachments::NewAttachment;
use crate::store::invitations::{Invitation, NotAccepted, Status, Via};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mentorpost_model::api::ProgrammeView;
use mentorpost_model::roster::{self, Checked, FileProblem, Invitee, RowProblem};
use mentorpost_model::{DisplayName, EmailAddress, Locale, ProgrammeId, Role, TimeZoneName, UserId};
use serde::Deserialize;

/// The programme behind a coordinator page's path, for its coordinators only.
async fn programme_of(state: &AppState, member: &Member, id: &str) -> Result<ProgrammeView, PageError> {
    let id: ProgrammeId = id.parse().map_err(|_| PageError::NotFound)?;
    Ok(inv::coordinated(state, member.id(), id).await?)
}

fn role_label(tr: &Tr, role: Role) -> String {
    tr.t(match role {
        Role::Mentor => "onb-role-mentor",
        Role::Mentee => "onb-role-mentee",
    })
}

fn language_label(tr: &Tr, locale: Locale) -> String {
    tr.t(match locale {
        Locale::En => "onb-language-en",
        Locale::Nl => "onb-language-nl",
    })
}

/// A `<select>` option.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

fn role_choices(tr: &Tr, chosen: &str) -> Vec<Choice> {
    Role::ALL.iter().map(|r| Choice { value: r.as_str(), label: role_label(tr, *r), selected: r.as_str() == chosen }).collect()
}

fn language_choices(tr: &Tr, chosen: &str) -> Vec<Choice> {
    Locale::ALL.iter().map(|l| Choice { value: l.as_str(), label: language_label(tr, *l), selected: l.as_str() == chosen }).collect()
}

// ---- the people page ----

/// One invitation as a row of the people page.
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub status_class: &'static str,
    pub detail: String,
    pub bouncing: Option<String>,
    pub can_resend: bool,
    pub can_revoke: bool,
}

/// What the invite-one form holds.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    timezone: String,
}

#[derive(Template)]
#[template(path = "web/people.html")]
struct PeopleView {
    ui: Ui,
    nav: ProgrammeNav,
    rows: Vec<PersonRow>,
    summary: String,
    form: InviteForm,
    roles: Vec<Choice>,
    languages: Vec<Choice>,
    errors: Errors,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    count: Option<i64>,
}

fn person_row(tr: &Tr, i: &Invitation, now: chrono::DateTime<chrono::Utc>) -> PersonRow {
    let (status, class) = match i.status {
        Status::Invited => ("onb-status-invited", "status-invited"),
        Status::Expired => ("onb-status-expired", "status-expired"),
        Status::Revoked => ("onb-status-revoked", "status-revoked"),
        Status::AcceptedWeb => ("onb-status-web", "status-accepted"),
        Status::EmailOnly => ("onb-status-email", "status-accepted"),
    };
    let detail = match (i.status, i.accepted_at) {
        (Status::Invited, _) => tr.args(
            "onb-detail-invited",
            &[("date", tr.when(i.sent_at, now).as_str().into()), ("due", tr.when(i.expires_at, now).as_str().into())],
        ),
        (Status::Expired, _) => tr.ts("onb-detail-expired", "date", &tr.when(i.expires_at, now)),
        (Status::Revoked, _) => tr.ts("onb-detail-sent", "date", &tr.when(i.sent_at, now)),
        (_, Some(at)) => tr.ts("onb-detail-accepted", "date", &tr.when(at, now)),
        (_, None) => String::new(),
    };
    PersonRow {
        id: i.id.clone(),
        name: i.display_name.clone(),
        email: i.email.clone(),
        role: role_label(tr, i.role),
        status: tr.t(status),
        status_class: class,
        detail,
        bouncing: i.bouncing_since.map(|at| tr.ts("onb-bouncing-since", "date", &tr.when(at, now))),
        can_resend: !i.status.is_accepted(),
        can_revoke: i.status == Status::Invited,
    }
}

async fn people_page(
    state: &AppState,
    member: &Member,
    programme: &ProgrammeView,
    form: InviteForm,
    errors: Errors,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let tr = &member.tr;
    let now = state.clock.now();
    let invitations = store::invitations::list(state.db.pool(), programme.id, now).await?;
    let count = |s: &[Status]| invitations.iter().filter(|i| s.contains(&i.status)).count() as i64;
    let summary = tr.args(
        "onb-people-summary",
        &[
            ("count", count(&[Status::Invited]).into()),
            ("web", count(&[Status::AcceptedWeb]).into()),
            ("email", count(&[Status::EmailOnly]).into()),
        ],
    );
    let rows = invitations.iter().map(|i| person_row(tr, i, now)).collect();
    let roles = role_choices(tr, &form.role);
    let languages = language_choices(tr, if form.language.is_empty() { tr.lang() } else { &form.language });
    let form = InviteForm { timezone: if form.timezone.is_empty() { programme.timezone.clone() } else { form.timezone }, ..form };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view = PeopleView {
        ui: Ui::for_member(member),
        nav: ProgrammeNav::new(programme, "people"),
        rows,
        summary,
        form,
        roles,
        languages,
        errors,
        notice,
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET /coordinate/programmes/{id}/people`.
pub async fn people(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let programme = programme_of(&state, &member, &id).await?;
    let what = crate::http::audit::Concerning::programme(programme.id);
    super::coordinate::audit(&state, &member, mentorpost_model::audit::AuditAction::PeopleList, what).await?;
    let tr = &member.tr;
    let notice = match q.done.as_deref() {
        Some("invited") => Some(tr.t("onb-done-invited")),
        Some("imported") => Some(tr.tn("onb-done-imported", "count", q.count.unwrap_or(0))),
        Some("resent") => Some(tr.t("onb-done-resent")),
        Some("revoked") => Some(tr.t("onb-done-revoked")),
        _ => None,
    };
    people_page(&state, &member, &programme, InviteForm::default(), Errors::default(), notice).await
}

/// `POST /coordinate/programmes/{id}/people`: invite one person.
pub async fn invite_one(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<InviteForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let programme = programme_of(&state, &member, &id).await?;
    let tr = &member.tr;
    let mut errors = Vec::new();
    let name = DisplayName::parse(&form.name);
    if name.is_err() {
        errors.push(FieldError { field: "name", message: tr.t("onb-error-name") });
    }
    let email = EmailAddress::parse(&form.email);
    match &email {
        Err(_) => errors.push(FieldError { field: "email", message: tr.t("onb-error-email") }),
        Ok(e) => {
            if store::invitations::is_taken(state.db.pool(), programme.id, e, state.clock.now()).await? {
                errors.push(FieldError { field: "email", message: tr.t("onb-error-email-taken") });
            }
        }
    }
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.push(FieldError { field: "role", message: tr.t("onb-error-role") });
    }
    let locale = Locale::parse(&form.language);
    if locale.is_none() {
        errors.push(FieldError { field: "language", message: tr.t("onb-error-language") });
    }
    let timezone = TimeZoneName::parse(&form.timezone);
    if timezone.is_err() {
        errors.push(FieldError { field: "timezone", message: tr.t("onb-error-timezone") });
    }
    let (Ok(name), Ok(email), Some(role), Some(locale), Ok(timezone), true) = (name, email, role, locale, timezone, errors.is_empty())
    else {
        return people_page(&state, &member, &programme, form, Errors(errors), None).await;
    };
    let invitee = Invitee { name, email, role, locale, timezone };
    match inv::invite(&state, &programme, Some((member.id(), &member.session.display_name)), vec![invitee]).await {
        Ok(_) => Ok(see_other(&format!("/coordinate/programmes/{}/people?done=invited", programme.id))),
        Err(ApiError::Conflict { .. }) => {
            let errors = vec![FieldError { field: "email", message: tr.t("onb-error-email-taken") }];
            people_page(&state, &member, &programme, form, Errors(errors), None).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /coordinate/programmes/{id}/invitations/{invitation}/resend`.
pub async fn resend(
    State(state): State<AppState>,
    Path((id, invitation)): Path<(String, String)>,
    signed: Signed<session_fields::NoFields>,
) -> Result<Response, PageError> {
    let programme = programme_of(&state, &signed.member, &id).await?;
    match inv::resend(&state, &programme, Some(&signed.member.session.display_name), &invitation).await {
        Ok(()) | Err(ApiError::Conflict { .. }) => {}
        Err(other) => return Err(other.into()),
    }
    Ok(see_other(&format!("/coordinate/programmes/{}/people?done=resent", programme.id)))
}

/// `POST /coordinate/programmes/{id}/invitations/{invitation}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    Path((id, invitation)): Path<(String, String)>,
    signed: Signed<session_fields::NoFields>,
) -> Result<Response, PageError> {
    let programme = programme_of(&state, &signed.member, &id).await?;
    store::invitations::revoke(&state.db, programme.id, invitation, state.clock.now()).await?;
    Ok(see_other(&format!("/coordinate/programmes/{}/people?done=revoked", programme.id)))
}

mod session_fields {
    pub use super::super::signin::NoFields;
}

// ---- the CSV import ----

/// One row of the preview.
pub struct PreviewRow {
    /// "Line 4"
    pub label: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub language: String,
    pub timezone: String,
    pub problems: Vec<String>,
}

#[derive(Template)]
#[template(path = "web/import.html")]
struct ImportView {
    ui: Ui,
    nav: ProgrammeNav,
    csv: String,
    /// Set once a list was checked.
    checked: bool,
    file_problems: Vec<String>,
    rows: Vec<PreviewRow>,
    valid: usize,
    bad: usize,
    summary: String,
    show_good: String,
    confirm_label: String,
    errors: Errors,
    /// Said above the preview (a file came as well as pasted text).
    notice: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    csv: String,
}

fn row_problem(tr: &Tr, p: &RowProblem) -> String {
    inv::row_problem_text(tr, p)
}

fn file_problem(tr: &Tr, p: &FileProblem) -> String {
    inv::file_problem_text(tr, p)
}

fn import_view(member: &Member, programme: &ProgrammeView, csv: String, checked: Option<&Checked>, errors: Errors) -> ImportView {
    let tr = &member.tr;
    let (file_problems, rows, valid, bad) = match checked {
        None => (Vec::new(), Vec::new(), 0, 0),
        Some(c) => (
            c.file_problems.iter().map(|p| file_problem(tr, p)).collect(),
            c.rows
                .iter()
                .map(|r| PreviewRow {
                    label: tr.tn("onb-preview-line", "line", r.line as i64),
                    name: r.name.clone(),
                    email: r.email.clone(),
                    role: r.role.clone(),
                    language: r.language.clone(),
                    timezone: r.timezone.clone(),
                    problems: r.problems.iter().map(|p| row_problem(tr, p)).collect(),
                })
                .collect(),
            c.valid().count(),
            c.bad_rows(),
        ),
    };
    let summary = tr.tnn("onb-import-summary", ("count", valid as i64), ("bad", bad as i64));
    ImportView {
        ui: Ui::for_member(member),
        nav: ProgrammeNav::new(programme, "import"),
        csv,
        checked: checked.is_some(),
        file_problems,
        rows,
        valid,
        bad,
        summary,
        show_good: tr.tn("onb-preview-show-good", "count", valid as i64),
        confirm_label: tr.tn("onb-confirm-button", "count", valid as i64),
        errors,
        notice: None,
    }
}

/// `GET /coordinate/programmes/{id}/import`: the form.
pub async fn import_page(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> Result<Response, PageError> {
    let programme = programme_of(&state, &member, &id).await?;
    render(&import_view(&member, &programme, String::new(), None, Errors::default()))
}

/// Largest CSV file the import takes. The list then travels in the preview's confirm
/// form (multipart, whose text fields may hold 1 MiB), so a file's text must fit in
/// that with room for the token; 10,000 rows of a name, an address and a few short
/// columns do.
pub const MAX_CSV_FILE_BYTES: usize = crate::http::MAX_BODY_BYTES - 4096;

/// The list from an uploaded file: a `.csv` or `.txt` file up to [`MAX_CSV_FILE_BYTES`],
/// decoded as spreadsheets write it (UTF-8 with or without a BOM, else Windows-1252).
fn list_from_file(tr: &Tr, file: Option<&NewAttachment>, problem: Option<FilesProblem>) -> Result<String, FieldError> {
    let too_large = || FieldError {
        field: "file",
        message: tr.tn("onb-error-file-too-large", "count", crate::http::MAX_BODY_BYTES.div_ceil(1 << 20) as i64),
    };
    // The extractor's own problems (larger than attachments may be, too many files)
    // are all "too large" for a single list.
    let Some(file) = file.filter(|f| problem.is_none() && f.data.len() <= MAX_CSV_FILE_BYTES) else {
        return Err(too_large());
    };
    let name = file.name.to_ascii_lowercase();
    if !(name.ends_with(".csv") || name.ends_with(".txt")) {
        return Err(FieldError { field: "file", message: tr.t("onb-error-file-type") });
    }
    let text = roster::decode(&file.data);
    // Windows-1252 grows in UTF-8; the text must still fit in the confirm form.
    if text.len() > MAX_CSV_FILE_BYTES {
        return Err(too_large());
    }
    Ok(text)
}

/// `POST /coordinate/programmes/{id}/import`: the preview of a pasted list or an
/// uploaded file (multipart). Nothing is written. A file wins over pasted text, and
/// the page says so; the file's text then fills the box, to be fixed there.
pub async fn import_preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: SignedWithFiles<ImportForm>,
) -> Result<Response, PageError> {
    let SignedWithFiles { member, form, files, problem, .. } = signed;
    let programme = programme_of(&state, &member, &id).await?;
    let tr = &member.tr;
    let mut notice = None;
    let csv = if files.is_empty() && problem.is_none() {
        form.csv
    } else {
        match list_from_file(tr, files.first(), problem) {
            Ok(text) => {
                if !form.csv.trim().is_empty() {
                    notice = Some(tr.t("onb-file-wins"));
                }
                text
            }
            Err(error) => {
                let view = import_view(&member, &programme, form.csv, None, Errors(vec![error]));
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response());
            }
        }
    };
    if csv.trim().is_empty() {
        let errors = Errors(vec![FieldError { field: "csv", message: tr.t("onb-error-csv-empty") }]);
        let view = import_view(&member, &programme, csv, None, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response());
    }
    let checked = inv::check_list(&state, &programme, csv.as_bytes(), tr.locale()).await?;
    let view = ImportView { notice, ..import_view(&member, &programme, csv, Some(&checked), Errors::default()) };
    render(&view)
}

/// `POST /coordinate/programmes/{id}/import/confirm`: invites the valid rows of the
/// list (checked again: the programme may have changed since the preview), all or
/// nothing. The page sends it multipart: URL-encoding would triple a long list's
/// non-ASCII bytes past the form limit.
pub async fn import_confirm(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: SignedWithFiles<ImportForm>,
) -> Result<Response, PageError> {
    let SignedWithFiles { member, form, .. } = signed;
    let programme = programme_of(&state, &member, &id).await?;
    let checked = inv::check_list(&state, &programme, form.csv.as_bytes(), member.tr.locale()).await?;
    let invitees: Vec<Invitee> = checked.valid().cloned().collect();
    if !checked.file_problems.is_empty() || invitees.is_empty() {
        let errors = Errors(vec![FieldError { field: "csv", message: member.tr.t("onb-error-nothing-valid") }]);
        let view = import_view(&member, &programme, form.csv, Some(&checked), errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response());
    }
    let count = invitees.len();
    inv::invite(&state, &programme, Some((member.id(), &member.session.display_name)), invitees).await?;
    Ok(see_other(&format!("/coordinate/programmes/{}/people?done=imported&count={count}", programme.id)))
}

// ---- pairing ----

pub struct PairPerson {
    pub id: String,
    pub name: String,
    pub note: String,
    pub as_mentor: bool,
    pub as_mentee: bool,
}

#[derive(Template)]
#[template(path = "web/pair.html")]
struct PairView {
    ui: Ui,
    nav: ProgrammeNav,
    people: Vec<PairPerson>,
    first_mentee: bool,
    rhythm: String,
    errors: Errors,
    notice: Option<String>,
}

async fn pair_page(
    state: &AppState,
    member: &Member,
    programme: &ProgrammeView,
    chosen: &[(String, String)],
    errors: Errors,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let tr = &member.tr;
    let people = store::invitations::people(state.db.pool(), programme.id).await?;
    let picked = |field: &str, id: &str| chosen.iter().any(|(k, v)| k == field && v == id);
    let people = people
        .iter()
        .map(|p| {
            let id = p.user_id.to_string();
            let mut note = p.role.map(|r| role_label(tr, r)).unwrap_or_default();
            if p.email_only {
                if !note.is_empty() {
                    note.push_str(", ");
                }
                note.push_str(&tr.t("onb-pair-email-only"));
            }
            PairPerson { as_mentor: picked("mentor", &id), as_mentee: picked("mentee", &id), id, name: p.display_name.clone(), note }
        })
        .collect();
    let r = &programme.default_rhythm;
    let rhythm = tr.tnn("onb-pair-rhythm", ("days", r.contact_every_days), ("hours", r.response_within_hours));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view = PairView {
        ui: Ui::for_member(member),
        nav: ProgrammeNav::new(programme, "pair"),
        people,
        first_mentee: chosen.iter().any(|(k, v)| k == "first" && v == "mentee"),
        rhythm,
        errors,
        notice,
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET /coordinate/programmes/{id}/pair`.
pub async fn pair_form(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let programme = programme_of(&state, &member, &id).await?;
    let what = crate::http::audit::Concerning::programme(programme.id);
    super::coordinate::audit(&state, &member, mentorpost_model::audit::AuditAction::PeopleList, what).await?;
    let notice = (q.done.as_deref() == Some("paired")).then(|| member.tr.t("onb-done-paired"));
    pair_page(&state, &member, &programme, &[], Errors::default(), notice).await
}

/// `POST /coordinate/programmes/{id}/pair`: the form's fields repeat (`mentor`,
/// `mentee`: one per ticked person), so it is read as pairs.
pub async fn pair(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let programme = programme_of(&state, &member, &id).await?;
    let tr = &member.tr;
    let ids = |field: &str| -> Vec<UserId> { form.iter().filter(|(k, _)| k == field).filter_map(|(_, v)| v.parse().ok()).collect() };
    let (mentors, mentees) = (ids("mentor"), ids("mentee"));
    let mut errors = Vec::new();
    let people = store::invitations::people(state.db.pool(), programme.id).await?;
    let known = |u: &UserId| people.iter().any(|p| p.user_id == *u);
    if mentors.is_empty() || !mentors.iter().all(known) {
        errors.push(FieldError { field: "mentors", message: tr.t("onb-error-pair-mentor") });
    }
    if mentees.is_empty() || !mentees.iter().all(known) {
        errors.push(FieldError { field: "mentees", message: tr.t("onb-error-pair-mentee") });
    }
    if mentors.iter().any(|m| mentees.contains(m)) {
        errors.push(FieldError { field: "mentors", message: tr.t("onb-error-pair-both") });
    }
    if !errors.is_empty() {
        return pair_page(&state, &member, &programme, &form, Errors(errors), None).await;
    }
    let first = if form.iter().any(|(k, v)| k == "first" && v == "mentee") { Role::Mentee } else { Role::Mentor };
    match inv::pair(&state, &programme, member.id(), Pairing { mentors, mentees, first }).await {
        Ok(_) => Ok(see_other(&format!("/coordinate/programmes/{}/pair?done=paired", programme.id))),
        Err(ApiError::Unprocessable { .. } | ApiError::Conflict { .. }) => {
            let errors = Errors(vec![FieldError { field: "mentors", message: tr.t("onb-error-pair-refused") }]);
            pair_page(&state, &member, &programme, &form, errors, None).await
        }
        Err(other) => Err(other.into()),
    }
}

// ---- accepting ----

#[derive(Template)]
#[template(path = "web/invite.html")]
struct AcceptView {
    ui: Ui,
    token: String,
    /// open | expired | revoked | accepted | email | web
    state: &'static str,
    programme: String,
    hello: String,
    /// The programme's current privacy notice (`store::notices`), in the reader's language.
    notice: Option<super::notice::NoticeShown>,
    errors: Errors,
}

fn clean_token(raw: &str) -> Option<String> {
    crate::mail::tokens::looks_like_token(raw).then(|| raw.to_ascii_lowercase())
}

fn accept_view(
    tr: Tr,
    token: String,
    state: &'static str,
    invitation: Option<&Invitation>,
    notice: Option<&store::notices::Current>,
    errors: Errors,
) -> AcceptView {
    AcceptView {
        token,
        state,
        programme: invitation.map(|i| i.programme_name.clone()).unwrap_or_default(),
        hello: invitation
            .map(|i| {
                tr.args("onb-accept-hello", &[("name", i.display_name.as_str().into()), ("programme", i.programme_name.as_str().into())])
            })
            .unwrap_or_default(),
        notice: match (invitation, notice) {
            (Some(i), Some(n)) => Some(super::notice::shown(&tr, i.programme_id, &i.programme_name, n)),
            _ => None,
        },
        errors,
        ui: Ui::signed_out(tr),
    }
}

/// How a page for an invitation answers: the page and its status (410 once the link
/// is dead, 404 when it never was).
async fn invitation_page(state: &AppState, token: &str, done: Option<&str>, errors: Errors) -> Result<Response, PageError> {
    let Some(token) = clean_token(token) else { return Err(PageError::NotFound) };
    let Some(invitation) = store::invitations::by_token(state.db.pool(), &token, state.clock.now()).await? else {
        return Err(PageError::NotFound);
    };
    let tr = Tr::new(invitation.locale, &invitation.timezone);
    let (status, page) = match (invitation.status, done) {
        (Status::Invited, _) => (if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY }, "open"),
        (Status::Expired, _) => (StatusCode::GONE, "expired"),
        (Status::Revoked, _) => (StatusCode::GONE, "revoked"),
        (Status::EmailOnly, Some("email")) => (StatusCode::OK, "email"),
        (Status::AcceptedWeb | Status::EmailOnly, _) => (StatusCode::OK, "accepted"),
    };
    let notice = store::notices::current(state.db.pool(), invitation.programme_id).await?;
    let mut view = accept_view(tr, token, page, Some(&invitation), Some(&notice), errors);
    if let Some(n) = view.notice.as_mut() {
        super::notice::add_facts(state, &view.ui.tr, n).await?;
    }
    Ok((status, render(&view)?).into_response())
}

/// `GET /invite/{token}`: the notice and the two ways to accept. Changes nothing: mail
/// scanners follow links.
pub async fn accept_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    invitation_page(&state, &token, q.done.as_deref(), Errors::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /invite/{token}/web`: accept with a password, signed in at once.
pub async fn accept_web(
    State(state): State<AppState>,
    headers: HeaderMap,
    who: crate::http::audit::Client,
    Path(token): Path<String>,
    axum::Form(form): axum::Form<PasswordForm>,
) -> Result<Response, PageError> {
    session::same_origin(&headers)?;
    let Some(token) = clean_token(&token) else { return Err(PageError::NotFound) };
    let now = state.clock.now();
    let Some(invitation) = store::invitations::by_token(state.db.pool(), &token, now).await? else { return Err(PageError::NotFound) };
    let tr = Tr::new(invitation.locale, &invitation.timezone);
    let mut errors = Vec::new();
    if mentorpost_auth::password::is_common_password(&form.password) {
        errors.push(FieldError { field: "password", message: tr.t("security-error-common-password") });
    } else if mentorpost_auth::password::check_password_strength(&form.password).is_err() {
        errors.push(FieldError { field: "password", message: tr.t("onb-error-password") });
    } else if form.password != form.confirm {
        errors.push(FieldError { field: "confirm", message: tr.t("onb-error-confirm") });
    }
    if !errors.is_empty() {
        return invitation_page(&state, &token, None, Errors(errors)).await;
    }
    let plain = form.password;
    let hash = crate::http::auth::password_work(move || mentorpost_auth::password::hash_password(&plain))
        .await
        .map_err(PageError::Internal)?
        .map_err(|e| PageError::Internal(anyhow::anyhow!("hashing a password: {e}")))?;
    match store::invitations::accept(&state.db, token.clone(), Via::Web, Some(hash), now).await? {
        Ok(accepted) => {
            tracing::info!(user = %accepted.user_id, programme = %accepted.programme_id, "invitation accepted on the web");
            session::sign_in(&state, &headers, &who, accepted.user_id, None, "/").await
        }
        Err(NotAccepted::Unknown) => Err(PageError::NotFound),
        Err(_) => invitation_page(&state, &token, None, Errors::default()).await,
    }
}

/// `POST /invite/{token}/email`: accept as an e-mail-only participant.
pub async fn accept_email(State(state): State<AppState>, headers: HeaderMap, Path(token): Path<String>) -> Result<Response, PageError> {
    session::same_origin(&headers)?;
    let Some(token) = clean_token(&token) else { return Err(PageError::NotFound) };
    match store::invitations::accept(&state.db, token.clone(), Via::Email, None, state.clock.now()).await? {
        Ok(accepted) => {
            tracing::info!(user = %accepted.user_id, programme = %accepted.programme_id, "invitation accepted for e-mail only");
            Ok(see_other(&format!("/invite/{token}?done=email")))
        }
        Err(NotAccepted::Unknown) => Err(PageError::NotFound),
        Err(_) => invitation_page(&state, &token, None, Errors::default()).await,
    }
}
