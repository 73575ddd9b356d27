//! A mentorship's own page, for its members: who is in it and in which role, the
//! agreement as a contract (G3, G6, G7, G11, F3) — editable as the API allows members,
//! confirmed with the netiquette and safety charter, its earlier versions a page of
//! their own —, the mentorship's own
//! contact rhythm (the health figures members may see, F9, F15), meetings (G8: the
//! list, logging one) and open check-ins (F13: answering with one of three statuses).
//! Until anyone has written, the first-contact view (G5) comes first; afterwards the
//! others' profiles stay one click away in the list of people.
//! Coordinators and everyone else see nothing here (G12): the page shows the
//! agreement's content and profiles, which only members read.

use super::first_contact::{self, FirstContact, ProfileLine};
use super::session::{Member, Signed};
use super::signin::{Errors, FieldError, NoFields};
use super::{PageError, Ui, render, see_other};
use crate::error::ApiError;
use crate::http::contact::{meeting_calendar, record_meeting};
use crate::state::AppState;
use crate::store;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveTime};
use mentorpost_auth::permission::Action;
use mentorpost_model::api::ConfirmAgreementRequest;
use mentorpost_model::checkin::CheckinStatus;
use mentorpost_model::health::HealthStatus;
use mentorpost_model::meeting::LogMeetingRequest;
use mentorpost_model::reflection::{ReflectionAnswers, ReflectionRequest};
use mentorpost_model::session::{ActionView, NewAction, check_actions, check_session_text};
use mentorpost_model::{AgreementContent, MeetingMode, MentorshipId, MentorshipStatus, Rhythm, Role, ValidationError};
use serde::Deserialize;

/// The text of a problem with a field: `ms-<field>-<code>` in the catalogues.
fn problem(member: &Member, field: &'static str, code: &str) -> FieldError {
    let key = format!("ms-error-{}-{}", field.replace('_', "-"), code.replace('_', "-"));
    FieldError { field, message: member.tr.t(&key) }
}

fn from_validation(member: &Member, err: &ValidationError) -> FieldError {
    problem(member, err.field, err.code)
}

/// The agreement form as typed (or as stored).
#[derive(Debug, Default, Deserialize)]
pub struct AgreementForm {
    #[serde(default)]
    contact_every_days: String,
    #[serde(default)]
    response_within_hours: String,
    #[serde(default)]
    meeting_rhythm: String,
    #[serde(default)]
    ground_rules: String,
    #[serde(default)]
    goals: String,
    #[serde(default)]
    action_plan: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    topics_excluded: String,
    #[serde(default)]
    mentor_time: String,
    #[serde(default)]
    ending_early: String,
}

/// The confirmation form: the charter's checkbox and the version the member read.
#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    charter: Option<String>,
    #[serde(default)]
    version: String,
}

/// The meeting form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    learning_goal: String,
    #[serde(default)]
    explored: String,
    #[serde(default)]
    action1_text: String,
    #[serde(default)]
    action1_owner: String,
    #[serde(default)]
    action1_due: String,
    #[serde(default)]
    action2_text: String,
    #[serde(default)]
    action2_owner: String,
    #[serde(default)]
    action2_due: String,
    #[serde(default)]
    action3_text: String,
    #[serde(default)]
    action3_owner: String,
    #[serde(default)]
    action3_due: String,
}

impl MeetingForm {
    /// The form's action rows (text, owner, due) as typed.
    fn action_rows(&self) -> [(&str, &str, &str); ACTION_ROWS] {
        [
            (&self.action1_text, &self.action1_owner, &self.action1_due),
            (&self.action2_text, &self.action2_owner, &self.action2_due),
            (&self.action3_text, &self.action3_owner, &self.action3_due),
        ]
    }
}

/// Rows for actions on the session form; more can be agreed through the API.
const ACTION_ROWS: usize = 3;

/// One action row of the session form, as the page shows it.
pub struct ActionRow {
    pub n: i64,
    pub text: String,
    pub owner: String,
    pub due: String,
}

/// An action in the list of open (or done) ones.
pub struct ActionShown {
    pub number: i64,
    pub text: String,
    pub owner: String,
    pub due: Option<String>,
    pub overdue: bool,
}

/// A member who can own an action: value and name.
pub struct OwnerChoice {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CheckinForm {
    #[serde(default)]
    status: String,
}

/// What a form that went wrong brings back to the page.
enum Draft {
    None,
    Agreement(Box<AgreementForm>),
    Meeting(Box<MeetingForm>),
    /// The check-in whose answer was missing.
    Checkin(String),
    Reflection(Box<ReflectionForm>),
}

/// The reflection form as typed (F6, F7).
#[derive(Debug, Default, Deserialize)]
pub struct ReflectionForm {
    #[serde(default)]
    meeting_id: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    wanted: String,
    #[serde(default)]
    tried: String,
    #[serde(default)]
    felt: String,
    #[serde(default)]
    went_well: String,
    #[serde(default)]
    went_less_well: String,
    #[serde(default)]
    questions: String,
    #[serde(default)]
    shared: String,
}

impl ReflectionForm {
    fn answers(&self) -> ReflectionAnswers {
        let text = |s: &str| one_kind_of_line_break(s).trim().to_owned();
        ReflectionAnswers {
            subject: self.subject.trim().to_owned(),
            wanted: text(&self.wanted),
            tried: text(&self.tried),
            felt: text(&self.felt),
            went_well: text(&self.went_well),
            went_less_well: text(&self.went_less_well),
            questions: text(&self.questions),
        }
    }
}

/// One question of the reflection form: its field, label and hint.
pub struct Question {
    pub field: &'static str,
    pub label: String,
    pub value: String,
}

/// A reflection form as the page shows it.
pub struct ReflectionShown {
    pub heading: String,
    pub when: String,
    pub note: Option<String>,
    /// (question, answer) of the answered questions.
    pub answers: Vec<(String, String)>,
}

pub struct Person {
    pub name: String,
    pub role: String,
    pub you: bool,
    /// When they left, for a former member.
    pub left: Option<String>,
    /// What they wrote about themselves (G5), for another member once the first
    /// message is written (before, the first-contact view shows it).
    pub about: Vec<ProfileLine>,
}

/// One row of a figures table (`figures_table.html`): the members' page and the coordinator's.
pub struct Figure {
    pub label: String,
    pub value: String,
}

/// One week of the contacts chart and table.
pub struct Week {
    pub label: String,
    pub contacts: u32,
    /// The bar in the drawing (x, y, height; the chart is 240 × 100).
    pub x: u32,
    pub y: u32,
    pub height: u32,
}

pub struct MeetingShown {
    pub date: String,
    pub date_iso: String,
    pub mode: String,
    pub minutes: String,
    pub by: String,
    pub note: Option<String>,
    pub learning_goal: Option<String>,
    pub explored: Option<String>,
    pub actions: Vec<ActionShown>,
}

pub struct CheckinShown {
    pub id: String,
    pub thread: String,
    pub asked: String,
    pub asked_full: String,
    /// Your answer, if you gave one.
    pub answer: Option<String>,
    pub has_error: bool,
}

/// A choice of a radio group: value and words.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
}

#[derive(Template)]
#[template(path = "web/mentorship.html")]
struct MentorshipPage {
    ui: Ui,
    id: MentorshipId,
    with: String,
    status_note: Option<String>,
    first_contact: Option<FirstContact>,
    start_date: Option<String>,
    people: Vec<Person>,
    agreement: AgreementForm,
    agreement_updated: String,
    content_hidden: bool,
    /// The agreement's current version and where the members stand with it.
    version: i64,
    agreement_state: String,
    /// This member may confirm the current version now (and has not).
    can_confirm: bool,
    has_versions: bool,
    charter_title: String,
    charter_rules: Vec<String>,
    /// The stored end date, for reading (the form shows `agreement.end_date`).
    end_date_shown: Option<String>,
    can_edit: bool,
    can_write: bool,
    health_status: String,
    health_explained: String,
    figures: Vec<Figure>,
    weeks: Vec<Week>,
    chart_desc: String,
    meetings: Vec<MeetingShown>,
    meeting: MeetingForm,
    action_rows: Vec<ActionRow>,
    owners: Vec<OwnerChoice>,
    open_actions: Vec<ActionShown>,
    done_actions: Vec<ActionShown>,
    done_title: String,
    reflections: Vec<ReflectionShown>,
    /// (meeting id, date) of a session still to reflect on.
    reflect_prompt: Option<(String, String)>,
    /// The periodic review due now (F8): the prompt's words.
    review_prompt: Option<String>,
    /// This member has answered a review: a link to their answers.
    has_reviews: bool,
    questions: Vec<Question>,
    session_choices: Vec<OwnerChoice>,
    reflection_meeting: String,
    reflection_shared: bool,
    is_mentor: bool,
    today: String,
    modes: Vec<Choice>,
    open_checkins: Vec<CheckinShown>,
    answered_checkins: Vec<CheckinShown>,
    statuses: Vec<Choice>,
    /// The closing step (F10): where it stands, the banner once closed, the follow-up.
    closing: super::closure::ClosingSection,
    /// What members shared with the coordinator (F4): a line each.
    concerns: Vec<super::concerns::ConcernLine>,
    errors: Errors,
    done: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Set after a form succeeded: which confirmation to show.
    #[serde(default)]
    done: Option<String>,
    /// A session to write a reflection about: chosen in the form already.
    #[serde(default)]
    reflect: Option<String>,
}

fn role_text(member: &Member, role: Role) -> String {
    member.tr.t(match role {
        Role::Mentor => "ms-role-mentor",
        Role::Mentee => "ms-role-mentee",
    })
}

fn mode_key(mode: MeetingMode) -> &'static str {
    match mode {
        MeetingMode::Video => "ms-mode-video",
        MeetingMode::Phone => "ms-mode-phone",
        MeetingMode::InPerson => "ms-mode-in-person",
    }
}

fn status_key(status: CheckinStatus) -> &'static str {
    match status {
        CheckinStatus::GoingWell => "ms-checkin-going-well",
        CheckinStatus::NeedHelp => "ms-checkin-need-help",
        CheckinStatus::WantToEnd => "ms-checkin-want-to-end",
    }
}

fn health_key(status: HealthStatus) -> &'static str {
    match status {
        HealthStatus::NotStarted => "not-started",
        HealthStatus::OnTrack => "on-track",
        HealthStatus::Slowing => "slowing",
        HealthStatus::Dormant => "dormant",
        HealthStatus::Closed => "closed",
    }
}

fn hours(member: &Member, h: Option<f64>) -> String {
    match h {
        Some(h) if h < 1.0 => member.tr.t("ms-less-than-an-hour"),
        Some(h) => member.tr.tn("ms-hours", "count", h.round() as i64),
        None => member.tr.t("ms-not-yet"),
    }
}

/// Who the page is about, for its title: the other members ("only you" alone).
fn others_label(member: &Member, view: &mentorpost_model::api::MentorshipView) -> String {
    let others: Vec<&str> =
        view.members.iter().filter(|m| m.user_id != member.id() && m.left_at.is_none()).map(|m| m.display_name.as_str()).collect();
    if others.is_empty() { member.tr.t("inbox-only-you") } else { others.join(" & ") }
}

async fn show(
    state: &AppState,
    member: &Member,
    id: MentorshipId,
    draft: Draft,
    errors: Vec<FieldError>,
    done: Option<&str>,
) -> Result<Response, PageError> {
    let access = crate::http::mentorship_access(state, &member.as_api_user(), id).await?;
    // The agreement's content is on the page: members only, like the API's.
    crate::http::guard(&access, Action::ReadAgreementContent)?;
    let pool = state.db.pool();
    let now = state.clock.now();
    let viewer_role = access.role.unwrap_or(Role::Mentee);
    let (view, agreement, health, meetings, checkins, calendar, actions, reflections) = tokio::try_join!(
        async { store::mentorships::get(pool, id).await?.ok_or(PageError::NotFound) },
        async { store::mentorships::agreement(pool, id, &access).await?.ok_or(PageError::NotFound) },
        async { Ok::<_, PageError>(crate::health::mentorship_row(&state.health, &state.db, id, now).await?) },
        async { Ok::<_, PageError>(store::health::meetings(pool, id, access.visible_until()).await?) },
        async { Ok::<_, PageError>(store::checkins::list(pool, id).await?) },
        async { Ok::<_, PageError>(meeting_calendar(state, id).await?) },
        async { Ok::<_, PageError>(store::actions::of_mentorship(pool, id, access.visible_until()).await?) },
        async { Ok::<_, PageError>(store::reflections::readable(pool, id, member.id(), viewer_role, access.visible_until()).await?) },
    )?;
    let tr = &member.tr;
    let can_edit = access.permit(Action::SetRhythm).is_ok() && access.permit(Action::EditAgreementContent).is_ok();
    let can_write = access.permit(Action::WriteContent).is_ok();
    let concerns = super::concerns::lines(state, &member.tr, &access).await?;
    let still_member = access.left_at.is_none();
    let profiles = store::profiles::of_mentorship(pool, id, member.id()).await?;
    let first_contact = if still_member && store::profiles::awaiting_first_message(pool, member.id()).await?.contains(&id) {
        Some(first_contact::build(state, member, id, &profiles, true).await?)
    } else {
        None
    };

    let name_of = |user| view.members.iter().find(|m| m.user_id == user).map(|m| m.display_name.clone()).unwrap_or_default();
    // Current members first, mentors before mentees.
    let mut members: Vec<_> = view.members.iter().collect();
    members.sort_by_key(|m| (m.left_at.is_some(), m.role != Role::Mentor));
    let people: Vec<Person> = members
        .into_iter()
        .map(|m| Person {
            name: m.display_name.clone(),
            role: role_text(member, m.role),
            you: m.user_id == member.id(),
            left: m.left_at.map(|t| tr.date(t.with_timezone(&calendar.tz).date_naive())),
            about: match (&first_contact, profiles.iter().find(|p| p.user_id == m.user_id)) {
                (None, Some(p)) => first_contact::profile_lines(tr, &p.profile),
                _ => Vec::new(),
            },
        })
        .collect();

    let closing = super::closure::section(state, member, &access).await?;
    let status_note = match (view.status, still_member) {
        (_, false) => Some(tr.t("ms-status-left")),
        (MentorshipStatus::Proposed, _) => Some(tr.t("ms-status-proposed")),
        // The closing section's banner says when it closed.
        (MentorshipStatus::Closed, _) if closing.closed_on.is_some() => None,
        (MentorshipStatus::Closed, _) => Some(tr.t("ms-status-closed")),
        (MentorshipStatus::Active, _) => None,
    };

    let h = &health.health;
    let key = health_key(h.status);
    let mut figures = vec![Figure {
        label: tr.t("ms-figure-last-contact"),
        value: match (h.last_contact, h.days_since_contact) {
            // Today's time and "yesterday" say how long ago by themselves.
            (Some(at), Some(days)) if days >= 2 => format!("{} ({})", tr.when(at, now), tr.tn("ms-days-ago", "count", days)),
            (Some(at), _) => tr.when(at, now),
            _ => tr.t("ms-no-contact-yet"),
        },
    }];
    figures.push(Figure {
        label: tr.tn("ms-figure-windows", "count", health.contact_every_days),
        value: tr.tnn("ms-windows-value", ("met", i64::from(h.windows_met)), ("elapsed", i64::from(h.windows_elapsed))),
    });
    figures.push(Figure { label: tr.t("ms-figure-meetings"), value: health.meetings.to_string() });
    figures.push(Figure { label: tr.t("ms-figure-response-mentors"), value: hours(member, h.median_response_hours.mentors) });
    figures.push(Figure { label: tr.t("ms-figure-response-mentees"), value: hours(member, h.median_response_hours.mentees) });
    figures.push(Figure {
        label: tr.tn("ms-figure-overdue", "count", health.response_within_hours),
        value: h.replies_overdue.count.to_string(),
    });
    figures.push(Figure {
        label: tr.t("ms-figure-messages"),
        value: tr.tnn("ms-messages-value", ("mentors", i64::from(h.messages_90d.mentors)), ("mentees", i64::from(h.messages_90d.mentees))),
    });

    let most = h.weekly_contacts.iter().map(|w| w.contacts).max().unwrap_or(0).max(1);
    let weeks: Vec<Week> = h
        .weekly_contacts
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let height = w.contacts * 90 / most;
            Week {
                label: tr.tn("ms-week", "count", i64::from(w.iso_week)),
                contacts: w.contacts,
                x: i as u32 * 20 + 3,
                y: 95 - height,
                height,
            }
        })
        .collect();
    let total: u32 = weeks.iter().map(|w| w.contacts).sum();
    let chart_desc = tr.tnn("ms-chart-desc", ("count", i64::from(total)), ("weeks", weeks.len() as i64));

    // The newest session of the last month this member has not reflected on: the page
    // invites them to (F6, F7), never more than that one.
    let reflected: std::collections::HashSet<&str> =
        reflections.iter().filter(|r| r.author_id == member.id()).filter_map(|r| r.meeting_id.as_deref()).collect();
    let reflect_prompt = meetings
        .iter()
        .filter(|_| can_write)
        .find(|m| now - m.held_at < chrono::Duration::days(30) && !reflected.contains(m.id.as_str()))
        .map(|m| (m.id.clone(), tr.date(m.date)));
    // A review round due that this member has not answered: a prompt, never a gate (F8).
    let review_prompt = match (can_write, store::reviews::schedule(pool, id).await?) {
        (true, Some(schedule)) => store::reviews::due(pool, id, member.id(), calendar.today)
            .await?
            .map(|round| tr.tn("review-prompt", "count", i64::from(schedule.every_months) * round)),
        _ => None,
    };
    let has_reviews = review_prompt.is_none() && !store::reviews::for_member(pool, id, member.id()).await?.is_empty();
    // The sessions a reflection may be about: the latest ten.
    let meeting_choices: Vec<OwnerChoice> =
        meetings.iter().take(10).map(|m| OwnerChoice { value: m.id.clone(), label: tr.date(m.date) }).collect();
    let shown = |a: &ActionView| ActionShown {
        number: a.number,
        text: a.text.clone(),
        owner: a.owner_name.clone(),
        due: a.due_on.map(|d| tr.date(d)),
        overdue: a.done_at.is_none() && a.due_on.is_some_and(|d| d < calendar.today),
    };
    let meetings = meetings
        .into_iter()
        .map(|m| MeetingShown {
            date: tr.date(m.date),
            date_iso: m.date.to_string(),
            mode: tr.t(mode_key(m.mode)),
            minutes: tr.tn("ms-minutes", "count", m.duration_minutes),
            by: name_of(m.logged_by),
            note: m.note.filter(|n| !n.trim().is_empty()),
            learning_goal: m.learning_goal,
            explored: m.explored,
            actions: m.actions.iter().map(shown).collect(),
        })
        .collect();
    let open_actions = actions.iter().filter(|a| a.done_at.is_none()).map(shown).collect();
    let done_actions: Vec<ActionShown> = actions.iter().filter(|a| a.done_at.is_some()).take(10).map(shown).collect();
    let done_title = tr.tn("ms-actions-done-title", "count", done_actions.len() as i64);
    // Whoever is in the mentorship now can own an action; mentees first: most actions are theirs (G11).
    let mut current: Vec<_> = view.members.iter().filter(|m| m.left_at.is_none()).collect();
    current.sort_by_key(|m| m.role != Role::Mentee);
    let owners: Vec<OwnerChoice> =
        current.iter().map(|m| OwnerChoice { value: m.user_id.to_string(), label: m.display_name.clone() }).collect();

    let (mut open_checkins, mut answered_checkins) = (Vec::new(), Vec::new());
    let error_checkin = match &draft {
        Draft::Checkin(c) => Some(c.clone()),
        _ => None,
    };
    for c in checkins.into_iter().rev() {
        let mine = c.answers.iter().find(|a| a.user_id == member.id());
        let shown = CheckinShown {
            has_error: error_checkin.as_deref() == Some(c.id.as_str()),
            id: c.id,
            thread: c.thread_id.to_string(),
            asked: tr.when(c.created_at, now),
            asked_full: tr.when_full(c.created_at),
            answer: mine.map(|a| tr.t(status_key(a.status))),
        };
        if shown.answer.is_none() && can_write { open_checkins.push(shown) } else { answered_checkins.push(shown) }
    }
    answered_checkins.retain(|c| c.answer.is_some());
    answered_checkins.truncate(5);

    let c = &agreement.content;
    let stored = AgreementForm {
        contact_every_days: agreement.rhythm.contact_every_days.to_string(),
        response_within_hours: agreement.rhythm.response_within_hours.to_string(),
        meeting_rhythm: agreement.rhythm.meeting_rhythm.clone(),
        ground_rules: c.ground_rules.clone(),
        goals: c.goals.clone(),
        action_plan: c.action_plan.clone(),
        end_date: c.end_date.map(|d| d.to_string()).unwrap_or_default(),
        topics_excluded: c.topics_excluded.clone(),
        mentor_time: c.mentor_time.clone(),
        ending_early: c.ending_early.clone(),
    };
    let end_date_shown = c.end_date.map(|d| tr.date(d));
    // Where the members stand: all confirmed; this member confirmed and waits; the
    // agreement changed since this member confirmed; or not yet.
    let mine = agreement.confirmations.iter().find(|x| x.user_id == member.id());
    let waiting = agreement
        .confirmations
        .iter()
        .filter(|x| !x.current)
        .map(|x| if x.user_id == member.id() { tr.t("ms-you") } else { x.display_name.clone() })
        .collect::<Vec<String>>()
        .join(", ");
    let agreement_state = match (agreement.confirmed, mine) {
        (true, _) => tr.ts("contract-state-all", "date", &agreement.confirmed_at.map(|t| tr.when_full(t)).unwrap_or_default()),
        (false, Some(m)) if m.current => tr.ts("contract-state-you-waiting", "names", &waiting),
        (false, Some(m)) if m.confirmed_version.is_some() => tr.t("contract-state-changed"),
        _ => tr.ts("contract-state-not-yet", "names", &waiting),
    };
    let can_confirm = still_member
        && view.status != MentorshipStatus::Closed
        && !agreement.content_hidden
        && access.permit(Action::EditAgreementContent).is_ok()
        && !mine.is_some_and(|m| m.current);
    let today = calendar.today.to_string();
    let (draft, reflection_draft) = match draft {
        Draft::Reflection(r) => (Draft::None, *r),
        other => (other, ReflectionForm::default()),
    };
    let my_role = access.role.unwrap_or(Role::Mentee);
    let questions = question_list(tr, my_role, &reflection_draft);
    let session_choices: Vec<OwnerChoice> = meeting_choices;
    let reflections = reflections
        .iter()
        .map(|r| {
            let labels = question_list(tr, r.role, &ReflectionForm::default());
            let answers = r
                .answers
                .fields()
                .iter()
                .zip(labels)
                .filter(|((_, value), _)| !value.trim().is_empty())
                .map(|((_, value), q)| (q.label, (*value).to_owned()))
                .collect();
            let mine = r.author_id == member.id();
            let heading = if mine {
                tr.t(if r.role == Role::Mentor { "rf-yours-mentor" } else { "rf-yours-mentee" })
            } else {
                tr.ts(if r.role == Role::Mentor { "rf-theirs-mentor" } else { "rf-theirs-mentee" }, "name", &r.author_name)
            };
            let note = match (mine, r.role, r.shared) {
                (true, Role::Mentor, false) => Some(tr.t("rf-note-private")),
                (true, Role::Mentor, true) => Some(tr.t("rf-note-shared")),
                (true, Role::Mentee, _) => Some(tr.t("rf-note-for-mentors")),
                _ => None,
            };
            let when = match r.meeting_date {
                Some(d) => tr.ts("rf-about-session", "date", &tr.date(d)),
                None => tr.when_full(r.created_at),
            };
            ReflectionShown { heading, when, note, answers }
        })
        .collect();
    let (agreement_form, meeting_form) = match draft {
        Draft::Agreement(a) => (*a, MeetingForm { date: today.clone(), ..MeetingForm::default() }),
        Draft::Meeting(m) => (stored, *m),
        Draft::None | Draft::Checkin(_) | Draft::Reflection(_) => (stored, MeetingForm { date: today.clone(), ..MeetingForm::default() }),
    };

    let action_rows = meeting_form
        .action_rows()
        .iter()
        .enumerate()
        .map(|(i, (text, owner, due))| ActionRow {
            n: i as i64 + 1,
            text: (*text).to_owned(),
            owner: (*owner).to_owned(),
            due: (*due).to_owned(),
        })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = MentorshipPage {
        ui: Ui::for_member(member),
        id,
        with: others_label(member, &view),
        status_note,
        first_contact,
        start_date: view.start_date.map(|d| tr.date(d)),
        people,
        agreement: agreement_form,
        agreement_updated: tr.when_full(agreement.updated_at),
        content_hidden: agreement.content_hidden,
        version: agreement.version,
        agreement_state,
        can_confirm,
        has_versions: agreement.version > 1,
        charter_title: tr.tn("charter-title", "version", agreement.charter_version),
        charter_rules: crate::mail::agreement::CHARTER_RULES.iter().map(|k| tr.t(k)).collect(),
        end_date_shown,
        can_edit,
        can_write,
        health_status: tr.t(&format!("ms-health-{key}")),
        health_explained: tr.t(&format!("ms-health-{key}-why")),
        figures,
        weeks,
        chart_desc,
        meetings,
        meeting: meeting_form,
        action_rows,
        owners,
        open_actions,
        done_actions,
        done_title,
        reflections,
        reflect_prompt,
        review_prompt,
        has_reviews,
        questions,
        session_choices,
        reflection_meeting: reflection_draft.meeting_id.clone(),
        reflection_shared: reflection_draft.shared == "yes",
        is_mentor: my_role == Role::Mentor,
        today,
        modes: MeetingMode::ALL.iter().map(|m| Choice { value: m.as_str(), label: tr.t(mode_key(*m)) }).collect(),
        open_checkins,
        answered_checkins,
        concerns,
        statuses: [CheckinStatus::GoingWell, CheckinStatus::NeedHelp, CheckinStatus::WantToEnd]
            .into_iter()
            .map(|s| Choice { value: s.as_str(), label: tr.t(status_key(s)) })
            .collect(),
        closing,
        errors: Errors(errors),
        done: done.unwrap_or_default().to_owned(),
    };
    Ok((status, render(&page)?).into_response())
}

fn mentorship_id(id: &str) -> Result<MentorshipId, PageError> {
    id.parse().map_err(|_| PageError::NotFound)
}

/// `GET /mentorships/{id}`.
pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let done = q.done.as_deref().filter(|d| {
        matches!(*d, "agreement" | "confirmed" | "meeting" | "checkin" | "action" | "reopened" | "reflection" | "closed" | "shared")
    });
    let draft = match q.reflect.filter(|m| !m.is_empty()) {
        Some(meeting_id) => Draft::Reflection(Box::new(ReflectionForm { meeting_id, ..ReflectionForm::default() })),
        None => Draft::None,
    };
    show(&state, &member, id, draft, Vec::new(), done).await
}

/// A browser sends a textarea's line breaks as CR LF; the records keep LF.
fn one_kind_of_line_break(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// A whole number from a form field, or the field's problem.
fn number(member: &Member, field: &'static str, value: &str) -> Result<i64, FieldError> {
    value.trim().parse::<i64>().map_err(|_| problem(member, field, "not_a_number"))
}

/// `POST /mentorships/{id}/agreement`: the rhythm and the ground rules and goals.
pub async fn save_agreement(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed<AgreementForm>,
) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let Signed { member, form, .. } = signed;
    let access = crate::http::mentorship_access(&state, &member.as_api_user(), id).await?;
    crate::http::guard(&access, Action::SetRhythm)?;
    crate::http::guard(&access, Action::EditAgreementContent)?;

    let mut errors = Vec::new();
    let days = number(&member, "contact_every_days", &form.contact_every_days).map_err(|e| errors.push(e)).ok();
    let hours = number(&member, "response_within_hours", &form.response_within_hours).map_err(|e| errors.push(e)).ok();
    // Each field checked on its own (the others at their defaults), so every problem
    // shows at once.
    let d = Rhythm::default();
    let meeting_rhythm = form.meeting_rhythm.trim().to_owned();
    let probes = [
        days.map(|days| Rhythm { contact_every_days: days, ..Rhythm::default() }),
        hours.map(|hours| Rhythm { response_within_hours: hours, ..Rhythm::default() }),
        Some(Rhythm { meeting_rhythm: meeting_rhythm.clone(), ..Rhythm::default() }),
    ];
    for probe in probes.iter().flatten() {
        if let Err(e) = probe.validate() {
            errors.push(from_validation(&member, &e));
        }
    }
    let end_date = match form.end_date.trim() {
        "" => None,
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| errors.push(problem(&member, "end_date", "invalid"))).ok(),
    };
    let content = AgreementContent {
        ground_rules: one_kind_of_line_break(&form.ground_rules),
        goals: one_kind_of_line_break(&form.goals),
        action_plan: one_kind_of_line_break(&form.action_plan),
        topics_excluded: one_kind_of_line_break(&form.topics_excluded),
        mentor_time: one_kind_of_line_break(form.mentor_time.trim()),
        ending_early: one_kind_of_line_break(&form.ending_early),
        end_date,
    };
    // Each field on its own, so every problem shows at once, in the form's order.
    let e = AgreementContent::default();
    let probes = [
        AgreementContent { goals: content.goals.clone(), ..e.clone() },
        AgreementContent { action_plan: content.action_plan.clone(), ..e.clone() },
        AgreementContent { topics_excluded: content.topics_excluded.clone(), ..e.clone() },
        AgreementContent { mentor_time: content.mentor_time.clone(), ..e.clone() },
        AgreementContent { ending_early: content.ending_early.clone(), ..e.clone() },
        AgreementContent { ground_rules: content.ground_rules.clone(), ..e.clone() },
    ];
    for probe in &probes {
        if let Err(e) = probe.validate() {
            errors.push(from_validation(&member, &e));
        }
    }
    if content.end_date.is_some() {
        let m = store::mentorships::get(state.db.pool(), id).await?.ok_or(PageError::NotFound)?;
        if let Err(e) = content.check_end_date(m.start_date.unwrap_or_else(|| m.created_at.date_naive())) {
            errors.push(from_validation(&member, &e));
        }
    }
    let rhythm = Rhythm {
        contact_every_days: days.unwrap_or(d.contact_every_days),
        response_within_hours: hours.unwrap_or(d.response_within_hours),
        meeting_rhythm,
    };
    if !errors.is_empty() {
        // The summary lists the problems in the form's order.
        errors.sort_by_key(|e| AGREEMENT_FIELDS.iter().position(|f| *f == e.field));
        return show(&state, &member, id, Draft::Agreement(Box::new(form)), errors, None).await;
    }

    let now = state.clock.now();
    let before = store::mentorships::agreement(state.db.pool(), id, &access).await?.ok_or(PageError::NotFound)?;
    // One save, one version. Content written before this member joined comes back
    // empty; saving the form unchanged must not wipe it.
    let rhythm = Some(rhythm).filter(|r| *r != before.rhythm);
    let content = Some(content).filter(|c| *c != before.content);
    if rhythm.is_none() && content.is_none() {
        return Ok(see_other(&format!("/mentorships/{id}?done=agreement#agreement")));
    }
    let changed = store::mentorships::set_agreement(&state.db, id, rhythm, content, member.id(), now).await?;
    if changed.is_some() {
        crate::http::mentorships::after_change(&state, id).await?;
    }
    Ok(see_other(&format!("/mentorships/{id}?done=agreement#agreement")))
}

/// The agreement form's fields, in the order the page shows them.
const AGREEMENT_FIELDS: [&str; 10] = [
    "goals",
    "action_plan",
    "end_date",
    "topics_excluded",
    "contact_every_days",
    "response_within_hours",
    "meeting_rhythm",
    "mentor_time",
    "ending_early",
    "ground_rules",
];

/// `POST /mentorships/{id}/agreement/confirm`: this member confirms the version they
/// read and accepts the charter (the API's own path).
pub async fn confirm_agreement(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed<ConfirmForm>,
) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let Signed { member, form, .. } = signed;
    let access = crate::http::mentorship_access(&state, &member.as_api_user(), id).await?;
    crate::http::guard(&access, Action::EditAgreementContent)?;
    if form.charter.as_deref() != Some("yes") {
        return show(&state, &member, id, Draft::None, vec![problem(&member, "charter", "required")], None).await;
    }
    let req = ConfirmAgreementRequest { accept_charter: true, version: form.version.trim().parse().ok() };
    match crate::http::mentorships::confirm_as(&state, &access, req).await {
        Ok(_) => Ok(see_other(&format!("/mentorships/{id}?done=confirmed#agreement"))),
        Err(ApiError::Conflict { code, .. }) => {
            let code = if code == "agreement_changed" { "agreement_changed" } else { "required" };
            show(&state, &member, id, Draft::None, vec![problem(&member, "charter", code)], None).await
        }
        Err(err) => Err(err.into()),
    }
}

/// One kept version, as the versions page shows it.
pub struct VersionShown {
    pub heading: String,
    pub changed: String,
    pub confirmed: String,
    pub hidden: bool,
    pub sections: Vec<Figure>,
}

#[derive(Template)]
#[template(path = "web/agreement_versions.html")]
struct VersionsPage {
    ui: Ui,
    id: MentorshipId,
    with: String,
    versions: Vec<VersionShown>,
}

/// `GET /mentorships/{id}/agreement/versions`: every kept version, newest first.
pub async fn versions_page(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let access = crate::http::mentorship_access(&state, &member.as_api_user(), id).await?;
    crate::http::guard(&access, Action::ReadAgreementContent)?;
    let pool = state.db.pool();
    let view = store::mentorships::get(pool, id).await?.ok_or(PageError::NotFound)?;
    let versions = store::agreements::versions(pool, id, access.joined_at, access.left_at).await?;
    let tr = &member.tr;
    let nothing = tr.t("contract-nothing-yet");
    let text = |t: &str| if t.trim().is_empty() { nothing.clone() } else { t.trim().to_owned() };
    let versions = versions
        .into_iter()
        .map(|v| {
            let c = &v.content;
            let r = &v.rhythm;
            let schedule = tr.args(
                "contract-mail-schedule",
                &[
                    ("text", text(&r.meeting_rhythm).as_str().into()),
                    ("days", r.contact_every_days.into()),
                    ("hours", r.response_within_hours.into()),
                ],
            );
            let mut sections = vec![Figure { label: tr.t("contract-schedule"), value: schedule }];
            if !v.content_hidden {
                for (key, value) in [
                    ("contract-goals", text(&c.goals)),
                    ("contract-action-plan", text(&c.action_plan)),
                    ("contract-end-date", c.end_date.map(|d| tr.date(d)).unwrap_or_else(|| nothing.clone())),
                    ("contract-topics-excluded", text(&c.topics_excluded)),
                    ("contract-mentor-time", text(&c.mentor_time)),
                    ("contract-ending-early", text(&c.ending_early)),
                    ("contract-ground-rules", text(&c.ground_rules)),
                ] {
                    sections.push(Figure { label: tr.t(key), value });
                }
            }
            VersionShown {
                heading: tr.tn("contract-version", "version", v.version),
                changed: match &v.changed_by {
                    Some(by) => tr.args(
                        "contract-version-changed",
                        &[("time", tr.when_full(v.changed_at).as_str().into()), ("name", by.display_name.as_str().into())],
                    ),
                    None => tr.ts("contract-version-first", "time", &tr.when_full(v.changed_at)),
                },
                confirmed: if v.confirmed_by.is_empty() {
                    tr.t("contract-version-not-confirmed")
                } else {
                    tr.ts("contract-version-confirmed-by", "names", &v.confirmed_by.join(", "))
                },
                hidden: v.content_hidden,
                sections,
            }
        })
        .collect();
    let page = VersionsPage { ui: Ui::for_member(&member), id, with: others_label(&member, &view), versions };
    Ok(render(&page)?.into_response())
}

/// `POST /mentorships/{id}/meetings`: log a meeting.
pub async fn log_meeting(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed<MeetingForm>,
) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let Signed { member, form, .. } = signed;
    let access = crate::http::mentorship_access(&state, &member.as_api_user(), id).await?;
    crate::http::guard(&access, Action::WriteContent)?;
    let calendar = meeting_calendar(&state, id).await?;

    let mut errors = Vec::new();
    let date = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d").map_err(|_| errors.push(problem(&member, "date", "invalid"))).ok();
    let time = match form.time.trim() {
        "" => None,
        t => NaiveTime::parse_from_str(t, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
            .map_err(|_| errors.push(problem(&member, "time", "invalid")))
            .ok(),
    };
    let minutes = number(&member, "duration_minutes", &form.duration_minutes).map_err(|e| errors.push(e)).ok();
    let mode = MeetingMode::parse(&form.mode);
    if mode.is_none() {
        errors.push(problem(&member, "mode", "required"));
    }
    let note = Some(one_kind_of_line_break(&form.note)).filter(|n| !n.trim().is_empty());
    let learning_goal = Some(one_kind_of_line_break(&form.learning_goal)).filter(|n| !n.trim().is_empty());
    let explored = Some(one_kind_of_line_break(&form.explored)).filter(|n| !n.trim().is_empty());
    // Each field checked on its own, so every problem shows at once.
    let probe = |date, minutes, note| LogMeetingRequest {
        date,
        time: None,
        duration_minutes: minutes,
        mode: MeetingMode::Video,
        note,
        learning_goal: None,
        explored: None,
        actions: Vec::new(),
    };
    if let Some(date) = date
        && let Err(e) = probe(date, 1, None).validate(calendar.today, calendar.window)
    {
        errors.push(from_validation(&member, &e));
    }
    if let Some(minutes) = minutes
        && let Err(e) = probe(calendar.today, minutes, None).validate(calendar.today, calendar.window)
    {
        errors.push(from_validation(&member, &e));
    }
    if let Err(e) = probe(calendar.today, 1, note.clone()).validate(calendar.today, calendar.window) {
        errors.push(from_validation(&member, &e));
    }
    for (field, value) in [("learning_goal", &learning_goal), ("explored", &explored)] {
        if let Err(e) = check_session_text(field, value.as_deref()) {
            errors.push(from_validation(&member, &e));
        }
    }
    let actions = match session_actions(&form, calendar.window) {
        Ok(actions) => actions,
        Err(code) => {
            errors.push(problem(&member, "actions", code));
            Vec::new()
        }
    };
    let (Some(date), Some(minutes), Some(mode), true) = (date, minutes, mode, errors.is_empty()) else {
        return show(&state, &member, id, Draft::Meeting(Box::new(form)), errors, None).await;
    };
    let req = LogMeetingRequest { date, time, duration_minutes: minutes, mode, note, learning_goal, explored, actions };
    req.validate(calendar.today, calendar.window)
        .map_err(|e| PageError::Internal(anyhow::anyhow!("meeting checked twice: {}", e.message)))?;
    match record_meeting(&state, id, member.id(), &calendar, req).await {
        Ok(_) => {}
        // An owner who left between the page and the post.
        Err(crate::error::ApiError::Unprocessable { .. }) => {
            let errors = vec![problem(&member, "actions", "owner_not_member")];
            return show(&state, &member, id, Draft::Meeting(Box::new(form)), errors, None).await;
        }
        Err(other) => return Err(other.into()),
    }
    Ok(see_other(&format!("/mentorships/{id}?done=meeting#meetings")))
}

/// The session form's filled-in action rows as actions, or the code of the first
/// problem: a row with a date or owner but no text, an owner or date that does not
/// parse, or what [`check_actions`] finds.
fn session_actions(form: &MeetingForm, window: mentorpost_model::DateWindow) -> Result<Vec<NewAction>, &'static str> {
    let mut out = Vec::new();
    for (text, owner, due) in form.action_rows() {
        if text.trim().is_empty() {
            if due.trim().is_empty() {
                continue;
            }
            return Err("action_text_missing");
        }
        let owner_id = owner.parse().map_err(|_| "owner_missing")?;
        let due_on = match due.trim() {
            "" => None,
            d => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| "due_invalid")?),
        };
        out.push(NewAction { text: text.trim().to_owned(), owner_id, due_on });
    }
    check_actions(&out, window).map_err(|e| e.code)?;
    Ok(out)
}

/// `POST /mentorships/{id}/actions/{number}/done` and `.../reopen`: tick an action off
/// or open it again.
pub async fn set_action(
    State(state): State<AppState>,
    Path((id, number, what)): Path<(String, String, String)>,
    signed: Signed<NoFields>,
) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let number: i64 = number.parse().map_err(|_| PageError::NotFound)?;
    let done = match what.as_str() {
        "done" => true,
        "reopen" => false,
        _ => return Err(PageError::NotFound),
    };
    let member = signed.member;
    let access = crate::http::mentorship_access(&state, &member.as_api_user(), id).await?;
    crate::http::guard(&access, Action::WriteContent)?;
    store::actions::set_done(&state.db, id, number, member.id(), done, state.clock.now()).await?.ok_or(PageError::NotFound)?;
    let note = if done { "action" } else { "reopened" };
    Ok(see_other(&format!("/mentorships/{id}?done={note}#open-actions")))
}

/// The questions of the form a member with `role` fills in (F6 for mentees, F7 for
/// mentors), with what `form` holds.
fn question_list(tr: &super::i18n::Tr, role: Role, form: &ReflectionForm) -> Vec<Question> {
    let less_well = if role == Role::Mentor { "rf-went-less-well-mentor" } else { "rf-went-less-well-mentee" };
    let questions = if role == Role::Mentor { "rf-questions-mentor" } else { "rf-questions-mentee" };
    [
        ("subject", "rf-subject", &form.subject),
        ("wanted", "rf-wanted", &form.wanted),
        ("tried", "rf-tried", &form.tried),
        ("felt", "rf-felt", &form.felt),
        ("went_well", "rf-went-well", &form.went_well),
        ("went_less_well", less_well, &form.went_less_well),
        ("questions", questions, &form.questions),
    ]
    .into_iter()
    .map(|(field, key, value)| Question { field, label: tr.t(key), value: value.clone() })
    .collect()
}

/// `POST /mentorships/{id}/reflections`: a member's reflection form.
pub async fn write_reflection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed<ReflectionForm>,
) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let Signed { member, form, .. } = signed;
    let access = crate::http::mentorship_access(&state, &member.as_api_user(), id).await?;
    crate::http::guard(&access, Action::WriteContent)?;
    let answers = form.answers();
    // Each answer checked on its own, so every problem shows at once.
    let mut errors = Vec::new();
    for (field, value) in answers.fields().into_iter().filter(|(_, v)| !v.is_empty()) {
        // A filler answer, so the probe checks only this field's own limits.
        let mut probe = ReflectionAnswers { wanted: "-".into(), ..ReflectionAnswers::default() };
        match field {
            "subject" => probe.subject = value.to_owned(),
            "wanted" => probe.wanted = value.to_owned(),
            "tried" => probe.tried = value.to_owned(),
            "felt" => probe.felt = value.to_owned(),
            "went_well" => probe.went_well = value.to_owned(),
            "went_less_well" => probe.went_less_well = value.to_owned(),
            _ => probe.questions = value.to_owned(),
        }
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
        return show(&state, &member, id, Draft::Reflection(Box::new(form)), errors, None).await;
    }
    let req =
        ReflectionRequest { meeting_id: Some(form.meeting_id.clone()).filter(|m| !m.is_empty()), answers, shared: form.shared == "yes" };
    match crate::http::reflections::write(&state, &access, member.id(), req).await {
        Ok(_) => Ok(see_other(&format!("/mentorships/{id}?done=reflection#reflections"))),
        Err(crate::error::ApiError::Unprocessable { .. }) => {
            let errors = vec![problem(&member, "meeting_id", "unknown_meeting")];
            show(&state, &member, id, Draft::Reflection(Box::new(form)), errors, None).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /mentorships/{id}/check-ins/{checkin}/answer`: one of the three statuses.
pub async fn answer_checkin(
    State(state): State<AppState>,
    Path((id, checkin)): Path<(String, String)>,
    signed: Signed<CheckinForm>,
) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let Signed { member, form, .. } = signed;
    // The check-in must belong to this mentorship; anything else is not found.
    let of = store::checkins::mentorship_of(state.db.pool(), &checkin).await?;
    if of != Some(id) {
        return Err(PageError::NotFound);
    }
    let access = crate::http::mentorship_access(&state, &member.as_api_user(), id).await?;
    crate::http::guard(&access, Action::WriteContent)?;
    let Some(status) = CheckinStatus::parse(&form.status) else {
        let errors = vec![problem(&member, "status", "required")];
        return show(&state, &member, id, Draft::Checkin(checkin), errors, None).await;
    };
    store::checkins::answer(&state.db, checkin, member.id(), status, "web", state.clock.now()).await?;
    Ok(see_other(&format!("/mentorships/{id}?done=checkin#checkins")))
}
