//! One mentorship as its coordinator sees it: members and roles, the agreed rhythm and
//! whether the agreement is confirmed (never the agreement's content), the health figures with a timeline of contact
//! counts per week, check-in statuses, addresses that bounce; and the coordinator's
//! actions — send a check-in, activate, close with a reason, re-pair. Each action calls
//! the API's own handler (same checks, same writes) and comes back here
//! (post/redirect/get), or shows what stopped it in an error summary.

use super::super::mentorship::Figure;
use super::super::session::{Member, Signed};
use super::super::signin::{Errors, FieldError, NoFields};
use super::super::{PageError, Ui, render, see_other};
use super::charts::{self, Chart};
use super::{hours, mentorship_for, status_key, week_numbers};
use crate::error::ApiError;
use crate::http::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::store;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mentorpost_model::api::{CloseMentorshipRequest, MemberSpec, RepairRequest};
use mentorpost_model::checkin::CheckinStatus;
use mentorpost_model::{MentorshipId, MentorshipStatus, Role, UserId};
use serde::Deserialize;
use std::collections::HashMap;

/// The reasons a coordinator can close with (the API takes any short code; the page
/// offers these).
pub const CLOSE_REASONS: [&str; 5] = ["completed", "no_match", "moved_away", "no_time", "other"];

pub struct PersonLine {
    pub name: String,
    pub role: String,
    pub left: Option<String>,
    pub bouncing: Option<String>,
}

pub struct WeekRow {
    pub label: String,
    pub contacts: u32,
}

pub struct CheckinLine {
    pub asked: String,
    pub answers: Vec<String>,
}

/// A person who could be in the new mentorship of a re-pair, with their present role.
pub struct Candidate {
    pub id: UserId,
    pub name: String,
    pub current: &'static str,
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
}

#[derive(Template)]
#[template(path = "web/coordinate_mentorship.html")]
struct MentorshipPage {
    ui: Ui,
    id: MentorshipId,
    programme_id: mentorpost_model::ProgrammeId,
    programme_name: String,
    title: String,
    lifecycle: String,
    is_proposed: bool,
    is_closed: bool,
    end_reason: Option<String>,
    start_date: Option<String>,
    people: Vec<PersonLine>,
    rhythm: Vec<Figure>,
    /// The closing step (F10): started on, forms in, closed on.
    closing: Vec<Figure>,
    health_status_key: &'static str,
    health_status: String,
    figures: Vec<Figure>,
    chart: Chart,
    weeks: Vec<WeekRow>,
    checkins: Vec<CheckinLine>,
    reasons: Vec<Choice>,
    chosen_reason: String,
    candidates: Vec<Candidate>,
    roles: Vec<Choice>,
    errors: Errors,
    done: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    done: Option<String>,
}

fn role_word(tr: &crate::i18n::Tr, role: Role) -> String {
    tr.t(match role {
        Role::Mentor => "coord-role-mentor",
        Role::Mentee => "coord-role-mentee",
    })
}

fn checkin_word(tr: &crate::i18n::Tr, s: CheckinStatus) -> String {
    tr.t(match s {
        CheckinStatus::GoingWell => "coord-checkin-going-well",
        CheckinStatus::NeedHelp => "coord-checkin-need-help",
        CheckinStatus::WantToEnd => "coord-checkin-want-to-end",
    })
}

async fn show(
    state: &AppState,
    member: &Member,
    access: &store::mentorships::Access,
    errors: Vec<FieldError>,
    chosen_reason: String,
    done: Option<&str>,
) -> Result<Response, PageError> {
    let id = access.mentorship_id;
    let pool = state.db.pool();
    let now = state.clock.now();
    let (view, health, checkins, programme, bouncing, reflections, closing, reviews) = tokio::try_join!(
        async { store::mentorships::get(pool, id).await?.ok_or(PageError::NotFound) },
        async { Ok::<_, PageError>(crate::health::mentorship_row(&state.health, &state.db, id, now).await?) },
        async { Ok::<_, PageError>(store::checkins::list(pool, id).await?) },
        async { store::programmes::get(pool, access.programme_id).await?.ok_or(PageError::NotFound) },
        async { Ok::<_, PageError>(store::inbound::bouncing_in_programme(pool, access.programme_id).await?) },
        // How many reflection forms, never what they say (F6, F7).
        async { Ok::<_, PageError>(store::reflections::counts(pool, id).await?) },
        // The closing step's figures, never what the forms say (F10).
        async { store::closings::figures(pool, id).await?.ok_or(PageError::NotFound) },
        // The latest reviews' scores and choices, never their texts (F8).
        async { Ok::<_, PageError>(store::reviews::figures(pool, id).await?) },
    )?;
    let tr = &member.tr;
    let tz: chrono_tz::Tz = programme.timezone.parse().unwrap_or(chrono_tz::UTC);
    let name_of = |user: UserId| view.members.iter().find(|m| m.user_id == user).map(|m| m.display_name.clone()).unwrap_or_default();

    let mut members: Vec<_> = view.members.iter().collect();
    members.sort_by_key(|m| (m.left_at.is_some(), m.role != Role::Mentor));
    let people = members
        .iter()
        .map(|m| PersonLine {
            name: m.display_name.clone(),
            role: role_word(tr, m.role),
            left: m.left_at.map(|t| tr.date(t.with_timezone(&tz).date_naive())),
            bouncing: bouncing
                .iter()
                .find(|(user, ms, _)| *user == m.user_id && *ms == id)
                .map(|(_, _, since)| tr.date(since.with_timezone(&tz).date_naive())),
        })
        .collect();
    let current = |role| {
        view.members
            .iter()
            .filter(|m| m.role == role && m.left_at.is_none())
            .map(|m| m.display_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let title = format!("{} – {}", current(Role::Mentor), current(Role::Mentee));

    let rhythm = vec![
        Figure { label: tr.t("coord-rhythm-contact"), value: tr.tn("coord-every-days", "count", view.rhythm.contact_every_days) },
        Figure { label: tr.t("coord-rhythm-response"), value: tr.tn("coord-within-hours", "count", view.rhythm.response_within_hours) },
        Figure {
            label: tr.t("coord-rhythm-meetings"),
            value: if view.rhythm.meeting_rhythm.trim().is_empty() { tr.t("coord-not-agreed") } else { view.rhythm.meeting_rhythm.clone() },
        },
        // Whether the members confirmed their agreement, and when: never what it says.
        Figure {
            label: tr.t("contract-coord-label"),
            value: match view.agreement_confirmed_at.filter(|_| view.agreement_confirmed) {
                Some(at) => tr.ts("contract-coord-confirmed", "date", &tr.date(at.with_timezone(&tz).date_naive())),
                None => tr.t("contract-coord-not-confirmed"),
            },
        },
    ];

    let h = &health.health;
    let figures = vec![
        Figure {
            label: tr.t("coord-col-days"),
            value: match h.days_since_contact {
                Some(d) => tr.tn("coord-days", "count", d),
                None => tr.t("coord-no-contact-yet"),
            },
        },
        Figure {
            label: tr.t("coord-col-windows"),
            value: tr.tnn("coord-windows-value", ("met", i64::from(h.windows_met)), ("elapsed", i64::from(h.windows_elapsed))),
        },
        Figure { label: tr.t("coord-figure-meetings"), value: health.meetings.to_string() },
        Figure {
            label: tr.t("coord-figure-reflections"),
            value: tr.tnn("coord-balance-value", ("mentors", reflections.0), ("mentees", reflections.1)),
        },
        Figure { label: tr.t("coord-figure-review-satisfaction"), value: super::review_scores(tr, &reviews) },
        Figure {
            label: tr.t("coord-figure-review-choices"),
            value: if reviews.asks_change() {
                format!("{} – {}", super::review_choices(tr, &reviews), tr.t("coord-asks-change"))
            } else {
                super::review_choices(tr, &reviews)
            },
        },
        Figure { label: tr.t("coord-figure-reply-mentors"), value: hours(tr, h.median_response_hours.mentors) },
        Figure { label: tr.t("coord-figure-reply-mentees"), value: hours(tr, h.median_response_hours.mentees) },
        Figure { label: tr.t("coord-col-overdue"), value: h.replies_overdue.count.to_string() },
        Figure {
            label: tr.t("coord-col-balance"),
            value: tr.tnn(
                "coord-balance-value",
                ("mentors", i64::from(h.messages_90d.mentors)),
                ("mentees", i64::from(h.messages_90d.mentees)),
            ),
        },
    ];

    let closing = super::super::closure::figures(tr, &closing, tz);

    let numbers = week_numbers(tz, now);
    let counts: Vec<u32> = h.weekly_contacts.iter().map(|w| w.contacts).collect();
    let short: Vec<String> = numbers.iter().map(|w| tr.tn("coord-week-short", "count", i64::from(*w))).collect();
    let total: u32 = counts.iter().sum();
    let chart = charts::bars(
        "timeline-chart",
        tr.t("coord-timeline-title"),
        tr.args(
            "coord-contacts-chart-desc",
            &[
                ("count", i64::from(total).into()),
                ("weeks", (counts.len() as i64).into()),
                ("max", i64::from(counts.iter().copied().max().unwrap_or(0)).into()),
            ],
        ),
        &counts,
        &short,
    );
    let weeks = h
        .weekly_contacts
        .iter()
        .map(|w| WeekRow { label: tr.tn("coord-week", "count", i64::from(w.iso_week)), contacts: w.contacts })
        .collect();

    let checkins = checkins
        .iter()
        .rev()
        .take(10)
        .map(|c| CheckinLine {
            asked: tr.when_full(c.created_at),
            answers: view
                .members
                .iter()
                .filter(|m| m.left_at.is_none())
                .map(|m| {
                    let answer = c.answers.iter().find(|a| a.user_id == m.user_id);
                    let word = answer.map_or_else(|| tr.t("coord-checkin-no-answer"), |a| checkin_word(tr, a.status));
                    format!("{}: {word}", name_of(m.user_id))
                })
                .collect(),
        })
        .collect();

    // Re-pair: the current members keep their role unless changed; the programme's
    // other people can be added. Coordinators are not offered (they cannot join).
    let coordinators: Vec<UserId> = programme.coordinators.iter().map(|c| c.id).collect();
    let mut candidates: Vec<Candidate> = view
        .members
        .iter()
        .filter(|m| m.left_at.is_none())
        .map(|m| Candidate { id: m.user_id, name: m.display_name.clone(), current: m.role.as_str() })
        .collect();
    if view.status != MentorshipStatus::Closed {
        for u in store::users::list(pool, Some(std::slice::from_ref(&access.programme_id))).await? {
            if !coordinators.contains(&u.id) && !candidates.iter().any(|c| c.id == u.id) {
                candidates.push(Candidate { id: u.id, name: u.display_name, current: "" });
            }
        }
    }

    let lifecycle_key = match view.status {
        MentorshipStatus::Proposed => "coord-lifecycle-proposed",
        MentorshipStatus::Active => "coord-lifecycle-active",
        MentorshipStatus::Closed => "coord-lifecycle-closed",
    };
    let key = status_key(h.status);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = MentorshipPage {
        ui: Ui::for_member(member),
        id,
        programme_id: programme.id,
        programme_name: programme.name.clone(),
        title,
        lifecycle: tr.t(lifecycle_key),
        is_proposed: view.status == MentorshipStatus::Proposed,
        is_closed: view.status == MentorshipStatus::Closed,
        end_reason: view
            .end_reason
            .clone()
            .map(|r| if CLOSE_REASONS.contains(&r.as_str()) { tr.t(&format!("coord-reason-{}", r.replace('_', "-"))) } else { r }),
        start_date: view.start_date.map(|d| tr.date(d)),
        people,
        rhythm,
        closing,
        health_status_key: key,
        health_status: tr.t(&format!("coord-status-{key}")),
        figures,
        chart,
        weeks,
        checkins,
        reasons: CLOSE_REASONS.iter().map(|r| Choice { value: r, label: tr.t(&format!("coord-reason-{}", r.replace('_', "-"))) }).collect(),
        chosen_reason,
        candidates,
        roles: vec![
            Choice { value: "", label: tr.t("coord-repair-not-in") },
            Choice { value: "mentor", label: tr.t("coord-role-mentor") },
            Choice { value: "mentee", label: tr.t("coord-role-mentee") },
        ],
        errors: Errors(errors),
        done: done.unwrap_or_default().to_owned(),
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /coordinate/mentorships/{id}`.
pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let access = mentorship_for(&state, &member, &id).await?;
    let what = crate::http::audit::Concerning::mentorship(access.programme_id, access.mentorship_id);
    super::audit(&state, &member, mentorpost_model::audit::AuditAction::MentorshipPage, what).await?;
    let done = q.done.as_deref().filter(|d| matches!(*d, "checkin" | "activated" | "closed" | "repaired"));
    show(&state, &member, &access, Vec::new(), String::new(), done).await
}

/// An action the API refused for a reason the coordinator can act on: shown on the
/// page beside the form (`field`); anything else is an error page.
async fn refused(
    state: &AppState,
    member: &Member,
    access: &store::mentorships::Access,
    field: &'static str,
    err: ApiError,
    reason: String,
) -> Result<Response, PageError> {
    let key = match &err {
        ApiError::Conflict { code: "mentorship_closed", .. } => "coord-error-closed",
        ApiError::Conflict { .. } => "coord-error-conflict",
        ApiError::Forbidden { .. } => "coord-error-forbidden",
        ApiError::Unprocessable { .. } | ApiError::BadRequest { .. } => "coord-error-members",
        _ => return Err(err.into()),
    };
    let errors = vec![FieldError { field, message: member.tr.t(key) }];
    show(state, member, access, errors, reason, None).await
}

/// `POST /coordinate/mentorships/{id}/check-in`: the API's check-in.
pub async fn check_in(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<NoFields>) -> Result<Response, PageError> {
    let member = signed.member;
    let access = mentorship_for(&state, &member, &id).await?;
    match crate::http::contact::create_checkin(State(state.clone()), member.as_api_user(), ApiPath(access.mentorship_id)).await {
        Ok(_) => Ok(see_other(&format!("/coordinate/mentorships/{}?done=checkin#checkins", access.mentorship_id))),
        Err(err) => refused(&state, &member, &access, "check-in", err, String::new()).await,
    }
}

/// `POST /coordinate/mentorships/{id}/activate`: the API's activation.
pub async fn activate(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<NoFields>) -> Result<Response, PageError> {
    let member = signed.member;
    let access = mentorship_for(&state, &member, &id).await?;
    match crate::http::mentorships::activate(State(state.clone()), member.as_api_user(), ApiPath(access.mentorship_id)).await {
        Ok(_) => Ok(see_other(&format!("/coordinate/mentorships/{}?done=activated", access.mentorship_id))),
        Err(err) => refused(&state, &member, &access, "activate", err, String::new()).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    reason: String,
}

/// `POST /coordinate/mentorships/{id}/close`: close with one of the offered reasons.
pub async fn close(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<CloseForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let access = mentorship_for(&state, &member, &id).await?;
    let reason = form.reason.trim().to_owned();
    if !CLOSE_REASONS.contains(&reason.as_str()) {
        let errors = vec![FieldError { field: "reason", message: member.tr.t("coord-error-reason") }];
        return show(&state, &member, &access, errors, String::new(), None).await;
    }
    let req = CloseMentorshipRequest { reason: reason.clone() };
    match crate::http::mentorships::close(State(state.clone()), member.as_api_user(), ApiPath(access.mentorship_id), ApiJson(req)).await {
        Ok(_) => Ok(see_other(&format!("/coordinate/mentorships/{}?done=closed", access.mentorship_id))),
        Err(err) => refused(&state, &member, &access, "reason", err, reason).await,
    }
}

/// `POST /coordinate/mentorships/{id}/repair`: close this one and start a new one with
/// the chosen people (fields `role-<user id>` = mentor, mentee or empty), as the API's
/// re-pair does; then the new mentorship's page.
pub async fn repair(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let access = mentorship_for(&state, &member, &id).await?;
    let mut members = Vec::new();
    for (field, value) in &form {
        let Some(user) = field.strip_prefix("role-") else { continue };
        let role = match value.as_str() {
            "mentor" => Role::Mentor,
            "mentee" => Role::Mentee,
            _ => continue,
        };
        let Ok(user_id) = user.parse::<UserId>() else { return Err(PageError::BadForm) };
        members.push(MemberSpec { user_id, role });
    }
    members.sort_by_key(|m| m.user_id.to_string());
    let has = |role| members.iter().any(|m: &MemberSpec| m.role == role);
    if !has(Role::Mentor) || !has(Role::Mentee) {
        let errors = vec![FieldError { field: "repair", message: member.tr.t("coord-error-members") }];
        return show(&state, &member, &access, errors, String::new(), None).await;
    }
    let req = RepairRequest { members, start_date: None };
    match crate::http::mentorships::repair(State(state.clone()), member.as_api_user(), ApiPath(access.mentorship_id), ApiJson(req)).await {
        Ok((_, axum::Json(view))) => Ok(see_other(&format!("/coordinate/mentorships/{}?done=repaired", view.id))),
        Err(err) => refused(&state, &member, &access, "repair", err, String::new()).await,
    }
}
