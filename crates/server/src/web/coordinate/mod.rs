//! The coordinator's pages (F9, F13, G12): the programmes someone coordinates, a
//! programme's dashboard (totals, the health table, charts drawn on the server, the
//! CSV), one mentorship's figures and lifecycle actions, and the programme's settings.
//! Figures only: every number comes from `crate::health` (the same rules and cache as
//! the API), and nothing here reads a subject, a body, a note or the agreement's content.
//!
//! Access: a page of a programme is for its coordinators (and instance admins, as in
//! the API); anyone else — a member, a coordinator of another programme — gets the
//! same 404 as for a programme that does not exist.

pub mod charts;
pub mod mentorship;
pub mod settings;

use super::session::Member;
use super::{PageError, Ui, i18n::Tr, render};
use crate::error::ApiError;
use crate::http::audit::Concerning;
use crate::state::AppState;
use crate::store;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use charts::Chart;
use chrono::{Datelike, Duration};
use mentorpost_auth::permission::{Action, Actor};
use mentorpost_model::audit::AuditAction;
use mentorpost_model::health::{HealthStatus, WEEKS};
use mentorpost_model::meeting::{MentorshipHealth, totals};
use mentorpost_model::review::ReviewFigures;
use mentorpost_model::{MentorshipId, ProgrammeId, Role};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/coordinate", get(programmes))
        .route("/coordinate/programmes/{id}", get(dashboard))
        .route("/coordinate/programmes/{id}/health.csv", get(health_csv))
        .route("/coordinate/programmes/{id}/settings", get(settings::page))
        .route("/coordinate/programmes/{id}/settings/summary", post(settings::save_summary))
        .route("/coordinate/programmes/{id}/settings/defaults", post(settings::save_defaults))
        .route("/coordinate/mentorships/{id}", get(mentorship::page))
        .route("/coordinate/mentorships/{id}/check-in", post(mentorship::check_in))
        .route("/coordinate/mentorships/{id}/activate", post(mentorship::activate))
        .route("/coordinate/mentorships/{id}/close", post(mentorship::close))
        .route("/coordinate/mentorships/{id}/repair", post(mentorship::repair))
}

fn actor(member: &Member) -> Actor {
    Actor { user_id: member.id(), is_admin: member.session.is_admin }
}

/// The guard of every programme page: the programme, when `member` may see its figures;
/// 404 otherwise (never 403: a page must not tell that a programme exists).
pub async fn programme_for(state: &AppState, member: &Member, id: &str) -> Result<mentorpost_model::api::ProgrammeView, PageError> {
    let id: ProgrammeId = id.parse().map_err(|_| PageError::NotFound)?;
    match crate::http::users::programme_guard(state, &actor(member), id, Action::ListProgrammeMentorships).await {
        Ok(()) => {}
        Err(ApiError::Forbidden { .. } | ApiError::NotFound | ApiError::Unauthenticated { .. }) => return Err(PageError::NotFound),
        Err(other) => return Err(other.into()),
    }
    store::programmes::get(state.db.pool(), id).await?.ok_or(PageError::NotFound)
}

/// Records in the audit log that `member` was shown personal data as staff.
pub async fn audit(
    state: &AppState,
    member: &Member,
    action: mentorpost_model::audit::AuditAction,
    what: crate::http::audit::Concerning,
) -> Result<(), PageError> {
    Ok(crate::http::audit::record(state, member.id(), &member.client, action, what).await?)
}

/// What the navigation of a programme's pages (`coordinate_nav.html`) shows: the
/// programme, and which of its pages is the current one.
pub struct ProgrammeNav {
    pub id: String,
    pub name: String,
    pub section: &'static str,
}

impl ProgrammeNav {
    pub fn new(programme: &mentorpost_model::api::ProgrammeView, section: &'static str) -> Self {
        Self { id: programme.id.to_string(), name: programme.name.clone(), section }
    }
}

/// The guard of every mentorship page: its access record, when `member` coordinates its
/// programme (or is an admin); 404 for its members and everyone else.
pub async fn mentorship_for(state: &AppState, member: &Member, id: &str) -> Result<store::mentorships::Access, PageError> {
    let id: MentorshipId = id.parse().map_err(|_| PageError::NotFound)?;
    let access = store::mentorships::access(state.db.pool(), id, member.id()).await?.ok_or(PageError::NotFound)?;
    if !(access.coordinator || access.actor.is_admin) {
        return Err(PageError::NotFound);
    }
    Ok(access)
}

/// The words of a health status: `coord-status-<key>`, and its CSS class suffix.
pub fn status_key(status: HealthStatus) -> &'static str {
    match status {
        HealthStatus::NotStarted => "not-started",
        HealthStatus::OnTrack => "on-track",
        HealthStatus::Slowing => "slowing",
        HealthStatus::Dormant => "dormant",
        HealthStatus::Closed => "closed",
    }
}

/// The value of a status in a query string (the API's names).
fn status_value(status: HealthStatus) -> &'static str {
    match status {
        HealthStatus::NotStarted => "not_started",
        HealthStatus::OnTrack => "on_track",
        HealthStatus::Slowing => "slowing",
        HealthStatus::Dormant => "dormant",
        HealthStatus::Closed => "closed",
    }
}

/// The statuses a current mentorship can have, in the order the page lists them.
const FILTERABLE: [HealthStatus; 4] = [HealthStatus::NotStarted, HealthStatus::OnTrack, HealthStatus::Slowing, HealthStatus::Dormant];

/// Hours as a reader says them ("about 5 hours", "less than an hour", "—").
pub fn hours(tr: &Tr, h: Option<f64>) -> String {
    match h {
        Some(h) if h < 1.0 => tr.t("coord-less-than-an-hour"),
        Some(h) => tr.tn("coord-hours", "count", h.round() as i64),
        None => tr.t("coord-none-yet"),
    }
}

/// The names of the current members in one role, joined.
pub fn names(m: &MentorshipHealth, role: Role) -> String {
    let list: Vec<&str> = m.members.iter().filter(|p| p.role == role && p.left_at.is_none()).map(|p| p.display_name.as_str()).collect();
    list.join(", ")
}

/// The satisfaction scores of the members' latest reviews (F8), with their average:
/// "mentor 4, mentee 3 (average 3.5)". Figures only, never a text.
pub fn review_scores(tr: &Tr, f: &ReviewFigures) -> String {
    if f.is_empty() {
        return tr.t("coord-review-none");
    }
    let each: Vec<String> = f
        .members
        .iter()
        .map(|m| {
            let role = tr.t(if m.role == Role::Mentor { "coord-role-mentor" } else { "coord-role-mentee" });
            format!("{role} {}", m.satisfaction.map_or_else(|| tr.t("coord-review-no-score"), |s| s.to_string()))
        })
        .collect();
    match f.average_satisfaction() {
        Some(average) => {
            let mut average = format!("{average:.1}");
            if tr.locale() == mentorpost_model::Locale::Nl {
                average = average.replace('.', ",");
            }
            tr.args("coord-review-scores", &[("text", each.join(", ").as_str().into()), ("average", average.as_str().into())])
        }
        None => each.join(", "),
    }
}

/// The continue choices of the members' latest reviews, as counts.
pub fn review_choices(tr: &Tr, f: &ReviewFigures) -> String {
    if f.is_empty() {
        return tr.t("coord-review-none");
    }
    let [(_, go_on), (_, stop), (_, change)] = f.choices();
    tr.args(
        "coord-review-choices-value",
        &[("continue", (go_on as i64).into()), ("stop", (stop as i64).into()), ("change", (change as i64).into())],
    )
}

/// The 12 ISO weeks ending with the current one in the programme's zone, oldest first.
pub fn week_numbers(tz: chrono_tz::Tz, now: chrono::DateTime<chrono::Utc>) -> Vec<u32> {
    let today = now.with_timezone(&tz).date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    (0..WEEKS as i64).rev().map(|back| (monday - Duration::weeks(back)).iso_week().week()).collect()
}

// ---------------------------------------------------------------------------
// GET /coordinate

pub struct ProgrammeItem {
    pub id: ProgrammeId,
    pub name: String,
    pub counts: String,
}

#[derive(Template)]
#[template(path = "web/coordinate_programmes.html")]
struct ProgrammesPage {
    ui: Ui,
    items: Vec<ProgrammeItem>,
}

/// `GET /coordinate`: the programmes the person coordinates, with their mentorship
/// counts. Someone who coordinates nothing sees an empty list (the page is theirs to
/// see; it holds nothing of anyone else).
pub async fn programmes(State(state): State<AppState>, member: Member) -> Result<Response, PageError> {
    let lines = store::programmes::lines(state.db.pool(), Some(member.id())).await?;
    let tr = &member.tr;
    let items = lines
        .into_iter()
        .map(|l| ProgrammeItem {
            id: l.id,
            name: l.name,
            counts: tr.args(
                "coord-programme-counts",
                &[("active", l.active.into()), ("proposed", l.proposed.into()), ("closed", l.closed.into())],
            ),
        })
        .collect();
    render(&ProgrammesPage { ui: Ui::for_member(&member), items })
}

// ---------------------------------------------------------------------------
// GET /coordinate/programmes/{id}

/// Rows of the health table on one page.
const PAGE_SIZE: usize = 50;

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

/// One choice of a select.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

/// One row of the health table.
pub struct HealthLine {
    pub id: MentorshipId,
    pub mentors: String,
    pub mentees: String,
    pub status_key: &'static str,
    pub status: String,
    pub days: String,
    pub windows: String,
    pub reply_mentors: String,
    pub reply_mentees: String,
    pub overdue: u32,
    pub balance: String,
    pub spark: Chart,
    /// "Closing: 1 of 2" while the closing step runs (F10): figures only.
    pub closing: Option<String>,
    /// The latest reviews (F8): scores and choices, as figures.
    pub review: String,
    /// Someone chose "change" in their latest review: the row is raised.
    pub asks_change: bool,
}

/// A row of the contacts table beside the chart.
pub struct WeekRow {
    pub label: String,
    pub contacts: u32,
}

/// A row of the shares table beside the chart: counts in `FILTERABLE`'s order
/// rearranged as the columns show them.
pub struct ShareRow {
    pub label: String,
    pub counts: [u32; 4],
    pub total: u32,
}

#[derive(Template)]
#[template(path = "web/coordinate_dashboard.html")]
struct DashboardPage {
    ui: Ui,
    nav: ProgrammeNav,
    active: u32,
    share_on_track: String,
    median_days: String,
    not_started: u32,
    total_current: usize,
    status_choices: Vec<Choice>,
    sort_choices: Vec<Choice>,
    q: String,
    filtered: bool,
    shown: String,
    lines: Vec<HealthLine>,
    prev_link: Option<String>,
    next_link: Option<String>,
    page_of: String,
    contacts_chart: Chart,
    contacts_table: Vec<WeekRow>,
    shares_chart: Chart,
    shares_heads: Vec<String>,
    shares_table: Vec<ShareRow>,
}

fn parse_status(value: &str) -> Option<HealthStatus> {
    FILTERABLE.into_iter().find(|s| status_value(*s) == value)
}

const SORTS: [&str; 3] = ["days_since_contact", "overdue", "start_date"];

fn link(programme: ProgrammeId, status: &str, sort: &str, q: &str, page: usize) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !status.is_empty() {
        pairs.push(("status", status.to_owned()));
    }
    if !sort.is_empty() {
        pairs.push(("sort", sort.to_owned()));
    }
    if !q.is_empty() {
        pairs.push(("q", q.to_owned()));
    }
    if page > 1 {
        pairs.push(("page", page.to_string()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if query.is_empty() { format!("/coordinate/programmes/{programme}") } else { format!("/coordinate/programmes/{programme}?{query}") }
}

/// The words of one row (figures only).
fn health_line(tr: &Tr, m: &MentorshipHealth, reviews: Option<&ReviewFigures>) -> HealthLine {
    let h = &m.health;
    let key = status_key(h.status);
    let spark_values: Vec<u32> = h.weekly_contacts.iter().map(|w| w.contacts).collect();
    let listed = spark_values.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    let total: u32 = spark_values.iter().sum();
    HealthLine {
        id: m.mentorship_id,
        mentors: names(m, Role::Mentor),
        mentees: names(m, Role::Mentee),
        status_key: key,
        status: tr.t(&format!("coord-status-{key}")),
        days: match h.days_since_contact {
            Some(d) => tr.tn("coord-days", "count", d),
            None => tr.t("coord-no-contact-yet"),
        },
        windows: tr.tnn("coord-windows-value", ("met", i64::from(h.windows_met)), ("elapsed", i64::from(h.windows_elapsed))),
        reply_mentors: hours(tr, h.median_response_hours.mentors),
        reply_mentees: hours(tr, h.median_response_hours.mentees),
        overdue: h.replies_overdue.count,
        balance: tr.tnn(
            "coord-balance-value",
            ("mentors", i64::from(h.messages_90d.mentors)),
            ("mentees", i64::from(h.messages_90d.mentees)),
        ),
        spark: charts::sparkline(
            &format!("spark-{}", m.mentorship_id),
            tr.t("coord-spark-title"),
            tr.args("coord-spark-desc", &[("count", i64::from(total).into()), ("text", listed.as_str().into())]),
            &spark_values,
        ),
        closing: None,
        review: reviews
            .filter(|f| !f.is_empty())
            .map_or_else(|| tr.t("coord-review-none"), |f| format!("{}; {}", review_scores(tr, f), review_choices(tr, f))),
        asks_change: reviews.is_some_and(ReviewFigures::asks_change),
    }
}

/// `GET /coordinate/programmes/{id}`: the dashboard.
pub async fn dashboard(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let programme = programme_for(&state, &member, &id).await?;
    audit(&state, &member, AuditAction::HealthPage, Concerning::programme(programme.id)).await?;
    let now = state.clock.now();
    let with_history = crate::health::programme_rows_with_history(&state.health, &state.db, programme.id, false, now).await?;
    let tr = &member.tr;
    let tz: chrono_tz::Tz = programme.timezone.parse().unwrap_or(chrono_tz::UTC);

    // Totals over every current mentorship, before any filter (as the API's).
    let all: Vec<&MentorshipHealth> = with_history.iter().map(|(row, _)| row).collect();
    let owned_totals = totals(&with_history.iter().map(|(row, _)| row.clone()).collect::<Vec<_>>());

    // The charts: contacts per week summed over the programme, and each week's shares.
    let weeks = week_numbers(tz, now);
    let short: Vec<String> = weeks.iter().map(|w| tr.tn("coord-week-short", "count", i64::from(*w))).collect();
    let long: Vec<String> = weeks.iter().map(|w| tr.tn("coord-week", "count", i64::from(*w))).collect();
    let mut contacts = vec![0u32; weeks.len()];
    let mut columns = vec![[0u32; 4]; weeks.len()];
    for (row, history) in &with_history {
        for (i, w) in row.health.weekly_contacts.iter().enumerate().take(weeks.len()) {
            contacts[i] += w.contacts;
        }
        for (i, status) in history.iter().enumerate().take(weeks.len()) {
            // The current week shows the status now (the kept one is as of the build).
            let status = if i + 1 == weeks.len() { Some(row.health.status) } else { *status };
            let slot = match status {
                Some(HealthStatus::OnTrack) => 0,
                Some(HealthStatus::Slowing) => 1,
                Some(HealthStatus::Dormant) => 2,
                Some(HealthStatus::NotStarted) => 3,
                _ => continue,
            };
            columns[i][slot] += 1;
        }
    }
    let total_contacts: u32 = contacts.iter().sum();
    let contacts_chart = charts::bars(
        "contacts-chart",
        tr.t("coord-contacts-chart-title"),
        tr.args(
            "coord-contacts-chart-desc",
            &[
                ("count", i64::from(total_contacts).into()),
                ("weeks", (weeks.len() as i64).into()),
                ("max", i64::from(contacts.iter().copied().max().unwrap_or(0)).into()),
            ],
        ),
        &contacts,
        &short,
    );
    let contacts_table = long.iter().zip(&contacts).map(|(label, c)| WeekRow { label: label.clone(), contacts: *c }).collect();
    let now_counts = columns.last().copied().unwrap_or_default();
    let shares_chart = charts::shares(
        "shares-chart",
        tr.t("coord-shares-chart-title"),
        tr.args(
            "coord-shares-chart-desc",
            &[
                ("weeks", (weeks.len() as i64).into()),
                ("ontrack", i64::from(now_counts[0]).into()),
                ("slowing", i64::from(now_counts[1]).into()),
                ("dormant", i64::from(now_counts[2]).into()),
                ("notstarted", i64::from(now_counts[3]).into()),
            ],
        ),
        &columns,
        &short,
        "100%".to_owned(),
    );
    let shares_heads = ["on-track", "slowing", "dormant", "not-started"].iter().map(|k| tr.t(&format!("coord-status-{k}"))).collect();
    let shares_table =
        long.iter().zip(&columns).map(|(label, c)| ShareRow { label: label.clone(), counts: *c, total: c.iter().sum() }).collect();

    // The table: filter, search, sort (the API's orders), one page.
    let status = parse_status(q.status.trim());
    let sort = if SORTS.contains(&q.sort.as_str()) { q.sort.as_str() } else { "days_since_contact" };
    let needle = q.q.trim().to_lowercase();
    let mut listed: Vec<&MentorshipHealth> = all
        .iter()
        .copied()
        .filter(|m| status.is_none_or(|s| m.health.status == s))
        .filter(|m| needle.is_empty() || m.members.iter().any(|p| p.left_at.is_none() && p.display_name.to_lowercase().contains(&needle)))
        .collect();
    crate::http::contact::sort_health_rows(&mut listed, sort);
    // A mentorship where someone asks for a change in their review comes first (F8).
    let reviews = store::reviews::figures_in_programme(state.db.pool(), programme.id).await?;
    let asks_change = |m: &MentorshipHealth| reviews.get(&m.mentorship_id).is_some_and(ReviewFigures::asks_change);
    listed.sort_by_key(|m| !asks_change(m));
    let pages = listed.len().div_ceil(PAGE_SIZE).max(1);
    let page = q.page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    let status_param = status.map(status_value).unwrap_or_default();
    let sort_param = if sort == "days_since_contact" { "" } else { sort };
    let query_text = q.q.trim();
    let closings = store::closings::figures_of_programme(state.db.pool(), programme.id).await?;
    let lines: Vec<HealthLine> = listed
        .iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|m| HealthLine {
            closing: closings.get(&m.mentorship_id).and_then(|f| super::closure::dashboard_line(tr, f)),
            ..health_line(tr, m, reviews.get(&m.mentorship_id))
        })
        .collect();

    let mut status_choices = vec![Choice { value: "", label: tr.t("coord-filter-all"), selected: status.is_none() }];
    status_choices.extend(FILTERABLE.iter().map(|s| Choice {
        value: status_value(*s),
        label: tr.t(&format!("coord-status-{}", status_key(*s))),
        selected: status == Some(*s),
    }));
    let sort_choices = SORTS
        .iter()
        .map(|s| Choice { value: s, label: tr.t(&format!("coord-sort-{}", s.replace('_', "-"))), selected: *s == sort })
        .collect();

    let view = DashboardPage {
        ui: Ui::for_member(&member),
        nav: ProgrammeNav::new(&programme, "dashboard"),
        active: owned_totals.active,
        share_on_track: owned_totals.share_on_track.map_or_else(|| tr.t("coord-none-yet"), |s| format!("{} %", (s * 100.0).round())),
        median_days: owned_totals
            .median_days_since_contact
            .map_or_else(|| tr.t("coord-none-yet"), |d| tr.tn("coord-days", "count", d.round() as i64)),
        not_started: owned_totals.not_started,
        total_current: all.len(),
        status_choices,
        sort_choices,
        q: query_text.to_owned(),
        filtered: status.is_some() || !needle.is_empty(),
        shown: tr.tnn("coord-shown", ("count", listed.len() as i64), ("total", all.len() as i64)),
        lines,
        prev_link: (page > 1).then(|| link(programme.id, status_param, sort_param, query_text, page - 1)),
        next_link: (page < pages).then(|| link(programme.id, status_param, sort_param, query_text, page + 1)),
        page_of: tr.tnn("coord-page-of", ("page", page as i64), ("pages", pages as i64)),
        contacts_chart,
        contacts_table,
        shares_chart,
        shares_heads,
        shares_table,
    };
    render(&view)
}

/// `GET /coordinate/programmes/{id}/health.csv`: the API's CSV, with the web session.
pub async fn health_csv(State(state): State<AppState>, member: Member, Path(id): Path<String>) -> Result<Response, PageError> {
    let programme = programme_for(&state, &member, &id).await?;
    audit(&state, &member, AuditAction::HealthCsv, Concerning::programme(programme.id)).await?;
    Ok(crate::http::contact::health_csv(state, programme.id).await?.into_response())
}
