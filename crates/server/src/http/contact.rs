//! Contact health for coordinators and members (F9, F13, F15): meetings members log,
//! and the figures of `model::health` per mentorship and per programme — computed
//! from when members were in contact, never from what they wrote (G12).

use super::users::{actor, programme_guard};
use super::{ApiJson, ApiPath, ApiQuery, AuthUser, guard, mentorship_access};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use crate::store::checkins::CheckinView;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::NaiveTime;
use mentorpost_auth::permission::Action;
use mentorpost_model::api::ErrorBody;
use mentorpost_model::audit::AuditAction;
use mentorpost_model::checkin::CheckinStatus;
use mentorpost_model::health::HealthStatus;
use mentorpost_model::meeting::{LogMeetingRequest, MeetingView, MentorshipHealth, ProgrammeHealth, totals};
use mentorpost_model::session::ActionView;
use mentorpost_model::{DateWindow, MentorshipId, MentorshipStatus, MessageBody, ProgrammeId, Subject, ValidationError};
use serde::Deserialize;
use utoipa::IntoParams;

/// Log a meeting (members): a contact for the health figures. The note stays with the
/// members.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/meetings", tag = "health", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = LogMeetingRequest,
    responses((status = 201, body = MeetingView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn log_meeting(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(req): ApiJson<LogMeetingRequest>,
) -> ApiResult<(StatusCode, Json<MeetingView>)> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::WriteContent)?;
    let calendar = meeting_calendar(&state, id).await?;
    req.validate(calendar.today, calendar.window)?;
    let view = record_meeting(&state, id, user.user_id, &calendar, req).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The programme's calendar a meeting is logged in: its zone, its local date now, and
/// the dates its records may carry.
pub struct MeetingCalendar {
    pub tz: chrono_tz::Tz,
    pub today: chrono::NaiveDate,
    pub window: DateWindow,
}

/// The calendar of the mentorship's programme (see [`MeetingCalendar`]).
pub async fn meeting_calendar(state: &AppState, id: MentorshipId) -> ApiResult<MeetingCalendar> {
    let subject = store::health::subject(state.db.pool(), id).await?.ok_or(ApiError::NotFound)?;
    let tz: chrono_tz::Tz = subject.timezone.parse().unwrap_or(chrono_tz::UTC);
    let today = state.clock.now().with_timezone(&tz).date_naive();
    let window = DateWindow::for_programme(subject.programme_created_at.with_timezone(&tz).date_naive(), today);
    Ok(MeetingCalendar { tz, today, window })
}

/// Stores a meeting whose request passed [`LogMeetingRequest::validate`] for `calendar`;
/// the caller checked that `by` may write in the mentorship.
pub async fn record_meeting(
    state: &AppState,
    id: MentorshipId,
    by: mentorpost_model::UserId,
    calendar: &MeetingCalendar,
    req: LogMeetingRequest,
) -> ApiResult<MeetingView> {
    let now = state.clock.now();
    let time = req.time.unwrap_or(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
    // Today at an hour still to come: the contact counts from now, never from the future.
    let held_at = mentorpost_model::meeting::held_at(calendar.tz, req.date, time).min(now);
    // Each action belongs to someone who is in the mentorship now.
    let members = store::mentorships::get(state.db.pool(), id).await?.ok_or(ApiError::NotFound)?.members;
    let mut actions = Vec::with_capacity(req.actions.len());
    for action in req.actions {
        let owner = members.iter().find(|m| m.user_id == action.owner_id && m.left_at.is_none()).ok_or_else(|| {
            ValidationError::new("actions", "owner_not_member", "an action's owner is a current member of the mentorship")
        })?;
        actions.push((action, owner.display_name.clone()));
    }
    let text = |t: Option<String>| t.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let meeting = store::health::NewMeeting {
        mentorship: id,
        logged_by: by,
        date: req.date,
        held_at,
        duration_minutes: req.duration_minutes,
        mode: req.mode,
        note: req.note.filter(|n| !n.trim().is_empty()),
        learning_goal: text(req.learning_goal),
        explored: text(req.explored),
        actions,
    };
    let view = store::health::log_meeting(&state.db, meeting, now).await?;
    if view.learning_goal.is_some() || view.explored.is_some() || !view.actions.is_empty() {
        // After the commit: the session stands even when its mail cannot be made; the
        // members who read by mail then see it on the page or in a digest.
        if let Err(err) = session_mails(state, &view, by).await {
            tracing::warn!(error = %err, mentorship = %id, "session mail not queued");
        }
    }
    Ok(view)
}

/// Queues a mail about the session to each member who reads this mentorship by mail
/// (G2): the goal, what was explored, the actions with their numbers, and a Reply-To
/// where "done N" ticks one off; it leaves after the reader's quiet hours.
async fn session_mails(state: &AppState, view: &MeetingView, by: mentorpost_model::UserId) -> ApiResult<()> {
    let now = state.clock.now();
    let readers = store::actions::session_readers(state.db.pool(), view.mentorship_id, by).await?;
    if readers.is_empty() {
        return Ok(());
    }
    let logger = store::users::get(state.db.pool(), by).await?.map(|u| u.display_name).unwrap_or_default();
    let link = format!("{}/mentorships/{}", state.mailer.public_url, view.mentorship_id);
    let (mut mails, mut remember) = (Vec::new(), Vec::new());
    for r in readers {
        let token = state.mailer.tokens.mentorship(r.user_id, view.mentorship_id);
        let address = format!("mentorship+{token}@{}", state.mailer.domain);
        let rendered = state.mailer.render_session(&crate::mail::SessionMail {
            to_name: &r.display_name,
            to_email: &r.email,
            locale: mentorpost_model::Locale::parse(&r.locale).unwrap_or_default(),
            logged_by: &logger,
            date: view.date,
            learning_goal: view.learning_goal.as_deref(),
            explored: view.explored.as_deref(),
            actions: &view.actions,
            reply_address: &address,
            link: &link,
        })?;
        remember.push((token, crate::mail::tokens::TokenKind::Mentorship, r.user_id, None, Some(view.mentorship_id)));
        // Past the reader's quiet hours, like a mail about a message.
        let tz: chrono_tz::Tz = r.timezone.parse().unwrap_or(chrono_tz::UTC);
        let settings = store::mail::settings(state.db.pool(), r.user_id).await?;
        let not_before = settings.quiet_minutes().and_then(|q| mentorpost_model::mail::quiet_until(tz, q, now)).unwrap_or(now);
        mails.push((r.user_id, rendered, not_before));
    }
    store::mail::remember_tokens(&state.db, remember, now).await?;
    store::actions::queue_session_mails(&state.db, mails, now).await?;
    Ok(())
}

/// The mentorship's logged meetings with their notes (members only).
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/meetings", tag = "health", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = [MeetingView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_meetings(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
) -> ApiResult<Json<Vec<MeetingView>>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ReadContent)?;
    Ok(Json(store::health::meetings(state.db.pool(), id, access.visible_until()).await?))
}

/// The mentorship's actions agreed in sessions (F5), open ones first by due date
/// (members only: the texts are theirs).
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/actions", tag = "health", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = [ActionView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_actions(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
) -> ApiResult<Json<Vec<ActionView>>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ReadContent)?;
    Ok(Json(store::actions::of_mentorship(state.db.pool(), id, access.visible_until()).await?))
}

/// Tick action `number` off (current members). Ticking a done action again changes
/// nothing.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/actions/{number}/done", tag = "health", security(("bearer" = [])),
    params(("id" = MentorshipId, Path), ("number" = i64, Path)),
    responses((status = 200, body = ActionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn action_done(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, number)): ApiPath<(MentorshipId, i64)>,
) -> ApiResult<Json<ActionView>> {
    set_action(&state, &user, id, number, true).await
}

/// Open action `number` again (current members).
#[utoipa::path(delete, path = "/api/v1/mentorships/{id}/actions/{number}/done", tag = "health", security(("bearer" = [])),
    params(("id" = MentorshipId, Path), ("number" = i64, Path)),
    responses((status = 200, body = ActionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn action_reopen(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, number)): ApiPath<(MentorshipId, i64)>,
) -> ApiResult<Json<ActionView>> {
    set_action(&state, &user, id, number, false).await
}

async fn set_action(state: &AppState, user: &AuthUser, id: MentorshipId, number: i64, done: bool) -> ApiResult<Json<ActionView>> {
    let access = mentorship_access(state, user, id).await?;
    guard(&access, Action::WriteContent)?;
    let action = store::actions::set_done(&state.db, id, number, user.user_id, done, state.clock.now()).await?;
    action.map(Json).ok_or(ApiError::NotFound)
}

/// One mentorship's contact health (its members, the programme's coordinators, admins).
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/health", tag = "health", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = MentorshipHealth), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn mentorship_health(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
) -> ApiResult<Json<MentorshipHealth>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ReadMentorshipMeta)?;
    let row = crate::health::mentorship_row(&state.health, &state.db, id, state.clock.now()).await?;
    super::audit::record_if_staff(&state, &user, &access, AuditAction::MentorshipPage).await?;
    Ok(Json(row))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HealthQuery {
    /// Only mentorships with this health status (`not_started`, `on_track`, `slowing`, `dormant`).
    pub status: Option<HealthStatus>,
    /// `days_since_contact` (longest silence first, the default), `overdue` (most
    /// overdue replies first) or `start_date` (oldest first).
    pub sort: Option<String>,
}

/// Every current mentorship of the programme with its contact health, and totals
/// (coordinators of the programme and admins). Closed mentorships are left out here;
/// the CSV export keeps them.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/health", tag = "health", security(("bearer" = [])), params(("id" = ProgrammeId, Path), HealthQuery),
    responses((status = 200, body = ProgrammeHealth), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn programme_health(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(programme): ApiPath<ProgrammeId>,
    ApiQuery(q): ApiQuery<HealthQuery>,
) -> ApiResult<Json<ProgrammeHealth>> {
    let actor = actor(&state, &user).await?;
    programme_guard(&state, &actor, programme, Action::ListProgrammeMentorships).await?;
    let mut rows = crate::health::programme_rows(&state.health, &state.db, programme, false, state.clock.now()).await?;
    let totals = totals(&rows);
    if let Some(status) = q.status {
        rows.retain(|m| m.health.status == status);
    }
    if !sort_health_rows(&mut rows, q.sort.as_deref().unwrap_or("days_since_contact")) {
        return Err(ApiError::bad_request("invalid_sort", "sort is days_since_contact, overdue or start_date"));
    }
    let what = super::audit::Concerning::programme(programme);
    super::audit::record(&state, user.user_id, &user.client, AuditAction::HealthPage, what).await?;
    Ok(Json(ProgrammeHealth { totals, mentorships: rows }))
}

/// Sorts a programme's health rows by one of the API's orders (the coordinator's page
/// uses the same); false for an unknown order. The sort is stable, so rows that tie
/// keep their order.
pub fn sort_health_rows<T: std::borrow::Borrow<MentorshipHealth>>(rows: &mut [T], sort: &str) -> bool {
    fn h<T: std::borrow::Borrow<MentorshipHealth>>(m: &T) -> &MentorshipHealth {
        <T as std::borrow::Borrow<MentorshipHealth>>::borrow(m)
    }
    match sort {
        "days_since_contact" => rows.sort_by_key(|m| std::cmp::Reverse(h(m).health.days_since_contact.unwrap_or(i64::MAX))),
        "overdue" => rows.sort_by_key(|m| {
            let o = &h(m).health.replies_overdue;
            std::cmp::Reverse((o.count, o.oldest_hours))
        }),
        "start_date" => rows.sort_by_key(|m| h(m).start_date),
        _ => return false,
    }
    true
}

/// The programme's health as CSV, closed mentorships included (coordinators, admins).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/health.csv", tag = "health", security(("bearer" = [])), params(("id" = ProgrammeId, Path)),
    responses((status = 200, description = "CSV, one row per mentorship", content_type = "text/csv"), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn programme_health_csv(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(programme): ApiPath<ProgrammeId>,
) -> ApiResult<impl IntoResponse> {
    let actor = actor(&state, &user).await?;
    programme_guard(&state, &actor, programme, Action::ListProgrammeMentorships).await?;
    let what = super::audit::Concerning::programme(programme);
    super::audit::record(&state, user.user_id, &user.client, AuditAction::HealthCsv, what).await?;
    health_csv(state, programme).await
}

/// The programme's health CSV (closed mentorships included), as the API and the
/// coordinator's page serve it; the caller checked access.
pub async fn health_csv(state: AppState, programme: ProgrammeId) -> ApiResult<impl IntoResponse> {
    let rows = crate::health::programme_rows(&state.health, &state.db, programme, true, state.clock.now()).await?;
    // The header first, then the rows in chunks, so the download starts at once and
    // the whole file is never held twice.
    let mut chunks = vec![csv_chunk(std::iter::once(CSV_HEADER.map(str::to_owned).to_vec()))?];
    for part in rows.chunks(CSV_ROWS_PER_CHUNK) {
        chunks.push(csv_chunk(part.iter().map(csv_record))?);
    }
    let body = axum::body::Body::from_stream(futures_util::stream::iter(chunks.into_iter().map(Ok::<_, std::convert::Infallible>)));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"programme-{programme}-health.csv\"")),
        ],
        body,
    ))
}

const CSV_ROWS_PER_CHUNK: usize = 256;

const CSV_HEADER: [&str; 19] = [
    "mentorship_id",
    "mentorship_status",
    "health_status",
    "start_date",
    "mentors",
    "mentees",
    "contact_every_days",
    "response_within_hours",
    "last_contact",
    "days_since_contact",
    "windows_met",
    "windows_elapsed",
    "meetings",
    "median_response_hours_mentors",
    "median_response_hours_mentees",
    "replies_overdue",
    "oldest_overdue_hours",
    "messages_90d_mentors",
    "messages_90d_mentees",
];

fn csv_chunk(records: impl Iterator<Item = Vec<String>>) -> ApiResult<axum::body::Bytes> {
    let internal = |e: String| ApiError::Internal(anyhow::anyhow!("writing CSV: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    for record in records {
        out.write_record(&record).map_err(|e| internal(e.to_string()))?;
    }
    Ok(out.into_inner().map_err(|e| internal(e.to_string()))?.into())
}

fn csv_record(m: &MentorshipHealth) -> Vec<String> {
    let opt = |v: Option<String>| v.unwrap_or_default();
    let names = |role: mentorpost_model::Role| {
        spreadsheet_safe(
            m.members
                .iter()
                .filter(|p| p.role == role && p.left_at.is_none())
                .map(|p| p.display_name.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        )
    };
    let h = &m.health;
    vec![
        m.mentorship_id.to_string(),
        m.status.as_str().to_owned(),
        serde_json::to_value(h.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        opt(m.start_date.map(|d| d.to_string())),
        names(mentorpost_model::Role::Mentor),
        names(mentorpost_model::Role::Mentee),
        m.contact_every_days.to_string(),
        m.response_within_hours.to_string(),
        opt(h.last_contact.map(|t| t.to_rfc3339())),
        opt(h.days_since_contact.map(|d| d.to_string())),
        h.windows_met.to_string(),
        h.windows_elapsed.to_string(),
        m.meetings.to_string(),
        opt(h.median_response_hours.mentors.map(|v| format!("{v:.1}"))),
        opt(h.median_response_hours.mentees.map(|v| format!("{v:.1}"))),
        h.replies_overdue.count.to_string(),
        opt(h.replies_overdue.oldest_hours.map(|v| v.to_string())),
        h.messages_90d.mentors.to_string(),
        h.messages_90d.mentees.to_string(),
    ]
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or carriage
/// return first) gets a leading `'`, so a person's name cannot become a formula on
/// the coordinator's machine (OWASP, CSV injection).
fn spreadsheet_safe(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell }
}

/// `POST /api/v1/check-ins/{id}/answer`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinAnswerRequest {
    pub status: CheckinStatus,
}

/// Send the members a check-in (coordinators of the programme, admins): a thread with
/// the question, mailed to each member by their preference. Members answer with a
/// status on the web or by replying 1, 2 or 3.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/check-ins", tag = "health", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 201, body = CheckinView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_checkin(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
) -> ApiResult<(StatusCode, Json<CheckinView>)> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ChangeLifecycle)?;
    if access.status == MentorshipStatus::Closed {
        return Err(ApiError::conflict("mentorship_closed", "a closed mentorship gets no check-ins"));
    }
    let view = store::mentorships::get(state.db.pool(), id).await?.ok_or(ApiError::NotFound)?;
    let mut locales = std::collections::BTreeSet::new();
    for m in view.members.iter().filter(|m| m.left_at.is_none()) {
        if let Some(u) = store::users::get(state.db.pool(), m.user_id).await? {
            locales.insert(u.locale.as_str());
        }
    }
    let (subject, body) = checkin_text(&locales);
    let subject = Subject::parse(&subject)?;
    let body = MessageBody::parse(&body)?;
    let checkin = store::checkins::create(&state.db, id, user.user_id, subject, body, state.clock.now()).await?;
    tracing::info!(mentorship = %id, "check-in sent");
    Ok((StatusCode::CREATED, Json(checkin)))
}

/// The question in the members' languages (both when they differ).
fn checkin_text(locales: &std::collections::BTreeSet<&str>) -> (String, String) {
    const NL: (&str, &str) = (
        "Check-in: hoe gaat het?",
        "Hoe gaat jullie mentorrelatie? Antwoord met één cijfer (op deze e-mail of in de app):\n1 — het gaat goed\n2 — ik heb hulp nodig\n3 — ik wil stoppen\nAlleen je keuze gaat naar de coördinator, niet wat je er verder bij schrijft.",
    );
    const EN: (&str, &str) = (
        "Check-in: how is it going?",
        "How is your mentorship going? Answer with one number (reply to this e-mail or in the app):\n1 — going well\n2 — I need help\n3 — I want to end\nOnly your choice reaches the coordinator, never anything else you write.",
    );
    match (locales.contains("nl"), locales.contains("en") || locales.is_empty()) {
        (true, false) => (NL.0.to_owned(), NL.1.to_owned()),
        (false, _) => (EN.0.to_owned(), EN.1.to_owned()),
        (true, true) => (format!("{} / {}", NL.0, EN.0), format!("{}\n\n{}", NL.1, EN.1)),
    }
}

/// A mentorship's check-ins with each member's status (members, coordinators,
/// admins). Statuses only.
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/check-ins", tag = "health", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = [CheckinView]), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_checkins(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
) -> ApiResult<Json<Vec<CheckinView>>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ReadMentorshipMeta)?;
    let list = store::checkins::list(state.db.pool(), id).await?;
    super::audit::record_if_staff(&state, &user, &access, AuditAction::MentorshipPage).await?;
    Ok(Json(list))
}

/// Answer a check-in with a status (current members).
#[utoipa::path(post, path = "/api/v1/check-ins/{id}/answer", tag = "health", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = CheckinAnswerRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer_checkin(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CheckinAnswerRequest>,
) -> ApiResult<StatusCode> {
    let mentorship = store::checkins::mentorship_of(state.db.pool(), &id).await?.ok_or(ApiError::NotFound)?;
    let access = mentorship_access(&state, &user, mentorship).await?;
    guard(&access, Action::WriteContent)?;
    store::checkins::answer(&state.db, id, user.user_id, req.status, "web", state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// When the caller's weekly coordinator summary comes (their time zone), and whether
/// it comes when everything is on track.
#[derive(Clone, Debug, serde::Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SummarySettings {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: u32,
    /// Local hour 0–23.
    pub hour: u32,
    pub send_all_clear: bool,
    /// Whether the summary is sent at all (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// The caller's weekly summary settings (it goes to coordinators only).
#[utoipa::path(get, path = "/api/v1/me/coordinator-summary", tag = "health", security(("bearer" = [])),
    responses((status = 200, body = SummarySettings), (status = 401, body = ErrorBody)))]
pub async fn get_summary_settings(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<SummarySettings>> {
    let s = store::summary::settings(state.db.pool(), user.user_id).await?;
    Ok(Json(SummarySettings { weekday: s.weekday, hour: s.hour, send_all_clear: s.send_all_clear, enabled: s.enabled }))
}

/// Change the caller's weekly summary settings.
#[utoipa::path(put, path = "/api/v1/me/coordinator-summary", tag = "health", security(("bearer" = [])), request_body = SummarySettings,
    responses((status = 200, body = SummarySettings), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_summary_settings(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<SummarySettings>,
) -> ApiResult<Json<SummarySettings>> {
    if !(1..=7).contains(&req.weekday) || req.hour > 23 {
        return Err(ApiError::unprocessable("invalid_schedule", "weekday is 1 (Monday) to 7 (Sunday), hour 0 to 23"));
    }
    let schedule =
        store::summary::SummarySchedule { weekday: req.weekday, hour: req.hour, send_all_clear: req.send_all_clear, enabled: req.enabled };
    store::summary::set_settings(&state.db, user.user_id, schedule, state.clock.now()).await?;
    Ok(Json(req))
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn cells_that_would_run_as_formulas_are_quoted() {
        for risky in ["=SUM(A1:A9)", "+31 6 1234", "-Łukasz", "@Ayşe", "\tTab", "\rReturn"] {
            assert_eq!(spreadsheet_safe(risky.to_owned()), format!("'{risky}"));
        }
        for plain in ["Çağrı Yılmaz", "João Pereira; Henk Jansen", "", "'al quoted"] {
            assert_eq!(spreadsheet_safe(plain.to_owned()), plain);
        }
    }
}
