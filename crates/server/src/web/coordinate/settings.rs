//! A programme's settings page for its coordinator: their own weekly summary (day,
//! hour, on or off, also when all is on track — the store functions behind
//! `/api/v1/me/coordinator-summary`) and the programme's defaults (time zone, contact
//! frequency, response time, days before "not started", months between reviews, months before the follow-up after closing). Each form checks every field
//! at the edge and shows all problems at once, GOV.UK style.

use super::super::session::{Member, Signed};
use super::super::signin::{Errors, FieldError};
use super::super::{PageError, Ui, i18n::Tr, render, see_other};
use super::{ProgrammeNav, programme_for};
use crate::state::AppState;
use crate::store;
use crate::store::programmes::ProgrammeDefaults;
use crate::store::summary::SummarySchedule;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mentorpost_model::ErasurePolicy;
use mentorpost_model::closure::FOLLOW_UP_MONTHS;
use mentorpost_model::{Rhythm, TimeZoneName};
use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct SummaryForm {
    #[serde(default)]
    enabled: String,
    #[serde(default)]
    weekday: String,
    #[serde(default)]
    hour: String,
    #[serde(default)]
    send_all_clear: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DefaultsForm {
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    contact_every_days: String,
    #[serde(default)]
    response_within_hours: String,
    #[serde(default)]
    not_started_days: String,
    #[serde(default)]
    follow_up_months: String,
    /// Months between two periodic reviews (F8); empty keeps the stored setting.
    #[serde(default)]
    review_every_months: String,
    /// Months the content of a closed mentorship is kept; empty keeps the stored setting.
    #[serde(default)]
    retention_months: String,
    /// tombstone | anonymise; empty keeps the stored setting.
    #[serde(default)]
    erasure_policy: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "web/coordinate_settings.html")]
struct SettingsPage {
    ui: Ui,
    nav: ProgrammeNav,
    summary: SummaryForm,
    weekdays: Vec<Choice>,
    hours: Vec<Choice>,
    defaults: DefaultsForm,
    timezones: Vec<Choice>,
    review_months: Vec<Choice>,
    erasure_policies: Vec<Choice>,
    errors: Errors,
    done: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

fn stored_summary(s: SummarySchedule) -> SummaryForm {
    SummaryForm {
        enabled: if s.enabled { "yes" } else { "no" }.to_owned(),
        weekday: s.weekday.to_string(),
        hour: s.hour.to_string(),
        send_all_clear: if s.send_all_clear { "yes" } else { "" }.to_owned(),
    }
}

fn stored_defaults(d: &ProgrammeDefaults) -> DefaultsForm {
    DefaultsForm {
        timezone: d.timezone.clone(),
        contact_every_days: d.contact_every_days.to_string(),
        response_within_hours: d.response_within_hours.to_string(),
        not_started_days: d.not_started_days.to_string(),
        follow_up_months: d.follow_up_months.to_string(),
        review_every_months: d.review_every_months.to_string(),
        retention_months: d.retention_months.to_string(),
        erasure_policy: d.erasure_policy.as_str().to_owned(),
    }
}

async fn show(
    state: &AppState,
    member: &Member,
    id: &str,
    summary: Option<SummaryForm>,
    defaults: Option<DefaultsForm>,
    errors: Vec<FieldError>,
    done: Option<&str>,
) -> Result<Response, PageError> {
    let programme = programme_for(state, member, id).await?;
    let pool = state.db.pool();
    let summary = match summary {
        Some(s) => s,
        None => stored_summary(store::summary::settings(pool, member.id()).await?),
    };
    let defaults = match defaults {
        Some(d) => d,
        None => stored_defaults(&store::programmes::defaults(pool, programme.id).await?.ok_or(PageError::NotFound)?),
    };
    let tr = &member.tr;
    let weekdays = (1..=7)
        .map(|d| Choice { value: d.to_string(), label: tr.t(&format!("settings-weekday-{d}")), selected: summary.weekday == d.to_string() })
        .collect();
    let hours =
        (0..24).map(|h| Choice { value: h.to_string(), label: format!("{h:02}:00"), selected: summary.hour == h.to_string() }).collect();
    let timezones = crate::web::settings::timezone_names(&defaults.timezone)
        .into_iter()
        .map(|n| Choice { value: n.to_owned(), label: n.replace('_', " "), selected: n == defaults.timezone })
        .collect();
    let review_months = mentorpost_model::review::EVERY_MONTHS
        .iter()
        .map(|m| Choice {
            value: m.to_string(),
            label: tr.tn("coord-review-every", "count", i64::from(*m)),
            selected: defaults.review_every_months == m.to_string(),
        })
        .collect();
    let erasure_policies = ErasurePolicy::ALL
        .iter()
        .map(|p| Choice {
            value: p.as_str().to_owned(),
            label: tr.t(&format!("erasure-policy-{}", p.as_str())),
            selected: defaults.erasure_policy == p.as_str(),
        })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = SettingsPage {
        ui: Ui::for_member(member),
        nav: ProgrammeNav::new(&programme, "settings"),
        summary,
        weekdays,
        hours,
        defaults,
        timezones,
        review_months,
        erasure_policies,
        errors: Errors(errors),
        done: done.unwrap_or_default().to_owned(),
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /coordinate/programmes/{id}/settings`.
pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let done = q.done.as_deref().filter(|d| matches!(*d, "summary" | "defaults"));
    show(&state, &member, &id, None, None, Vec::new(), done).await
}

fn problem(tr: &Tr, field: &'static str, key: &str) -> FieldError {
    FieldError { field, message: tr.t(key) }
}

/// The summary form's values, or every problem with them.
fn summary_schedule(tr: &Tr, form: &SummaryForm) -> Result<SummarySchedule, Vec<FieldError>> {
    let mut errors = Vec::new();
    let enabled = match form.enabled.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.push(problem(tr, "enabled", "coord-error-enabled"));
            None
        }
    };
    // The API's rule: weekday 1 (Monday) to 7, hour 0 to 23.
    let weekday = form.weekday.trim().parse::<u32>().ok().filter(|d| (1..=7).contains(d));
    if weekday.is_none() {
        errors.push(problem(tr, "weekday", "coord-error-weekday"));
    }
    let hour = form.hour.trim().parse::<u32>().ok().filter(|h| *h <= 23);
    if hour.is_none() {
        errors.push(problem(tr, "hour", "coord-error-hour"));
    }
    match (enabled, weekday, hour) {
        (Some(enabled), Some(weekday), Some(hour)) => {
            Ok(SummarySchedule { weekday, hour, send_all_clear: form.send_all_clear == "yes", enabled })
        }
        _ => Err(errors),
    }
}

/// `POST /coordinate/programmes/{id}/settings/summary`: the coordinator's own summary.
pub async fn save_summary(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed<SummaryForm>,
) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let programme = programme_for(&state, &member, &id).await?;
    match summary_schedule(&member.tr, &form) {
        Ok(schedule) => {
            store::summary::set_settings(&state.db, member.id(), schedule, state.clock.now()).await?;
            Ok(see_other(&format!("/coordinate/programmes/{}/settings?done=summary", programme.id)))
        }
        Err(errors) => show(&state, &member, &id, Some(form), None, errors, None).await,
    }
}

/// Days before "not started": from one day to a year.
const NOT_STARTED_RANGE: std::ops::RangeInclusive<i64> = 1..=365;

/// The defaults form's values, or every problem with them.
fn programme_defaults(tr: &Tr, form: &DefaultsForm) -> Result<ProgrammeDefaults, Vec<FieldError>> {
    let mut errors = Vec::new();
    let timezone = TimeZoneName::parse(form.timezone.trim()).map_err(|_| errors.push(problem(tr, "timezone", "coord-error-timezone"))).ok();
    let number = |v: &str| v.trim().parse::<i64>().ok();
    // Each number checked on its own by the agreement's own rule.
    let days = number(&form.contact_every_days).filter(|d| Rhythm { contact_every_days: *d, ..Rhythm::default() }.validate().is_ok());
    if days.is_none() {
        errors.push(problem(tr, "contact_every_days", "coord-error-contact-every-days"));
    }
    let hours =
        number(&form.response_within_hours).filter(|h| Rhythm { response_within_hours: *h, ..Rhythm::default() }.validate().is_ok());
    if hours.is_none() {
        errors.push(problem(tr, "response_within_hours", "coord-error-response-within-hours"));
    }
    let not_started = number(&form.not_started_days).filter(|d| NOT_STARTED_RANGE.contains(d));
    if not_started.is_none() {
        errors.push(problem(tr, "not_started_days", "coord-error-not-started-days"));
    }
    // The follow-up after closing (F10): one month to two years.
    let follow_up = number(&form.follow_up_months).filter(|m| u32::try_from(*m).is_ok_and(|m| FOLLOW_UP_MONTHS.contains(&m)));
    if follow_up.is_none() {
        errors.push(problem(tr, "follow_up_months", "closure-error-follow-up-months"));
    }
    let review = number(&form.review_every_months).filter(|m| mentorpost_model::review::EVERY_MONTHS.iter().any(|e| i64::from(*e) == *m));
    if review.is_none() {
        errors.push(problem(tr, "review_every_months", "coord-error-review-every-months"));
    }
    let retention = number(&form.retention_months).filter(|m| crate::store::retention::MONTHS.contains(m));
    if retention.is_none() {
        errors.push(problem(tr, "retention_months", "retention-error-months"));
    }
    let erasure = ErasurePolicy::parse(form.erasure_policy.trim());
    if erasure.is_none() {
        errors.push(problem(tr, "erasure_policy", "erasure-policy-error"));
    }
    match (timezone, days, hours, not_started, follow_up, review, retention, erasure) {
        (Some(tz), Some(days), Some(hours), Some(not_started), Some(follow_up), Some(review), Some(retention), Some(erasure)) => {
            Ok(ProgrammeDefaults {
                timezone: tz.as_str().to_owned(),
                contact_every_days: days,
                response_within_hours: hours,
                not_started_days: not_started,
                follow_up_months: follow_up,
                review_every_months: review,
                retention_months: retention,
                erasure_policy: erasure,
            })
        }
        _ => Err(errors),
    }
}

/// `POST /coordinate/programmes/{id}/settings/defaults`: the programme's defaults. The
/// time zone and the "not started" days apply to the figures at once; the rhythm to
/// mentorships created from now on.
pub async fn save_defaults(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed<DefaultsForm>,
) -> Result<Response, PageError> {
    let Signed { member, mut form, .. } = signed;
    let programme = programme_for(&state, &member, &id).await?;
    // A form that leaves out the review rhythm or the follow-up months (an older page,
    // a script) keeps what is stored.
    if form.review_every_months.trim().is_empty()
        || form.follow_up_months.trim().is_empty()
        || form.retention_months.trim().is_empty()
        || form.erasure_policy.trim().is_empty()
    {
        let stored = store::programmes::defaults(state.db.pool(), programme.id).await?.ok_or(PageError::NotFound)?;
        if form.erasure_policy.trim().is_empty() {
            form.erasure_policy = stored.erasure_policy.as_str().to_owned();
        }
        if form.retention_months.trim().is_empty() {
            form.retention_months = stored.retention_months.to_string();
        }
        if form.review_every_months.trim().is_empty() {
            form.review_every_months = stored.review_every_months.to_string();
        }
        if form.follow_up_months.trim().is_empty() {
            form.follow_up_months = stored.follow_up_months.to_string();
        }
    }
    match programme_defaults(&member.tr, &form) {
        Ok(defaults) => {
            store::programmes::set_defaults(&state.db, programme.id, defaults).await?;
            tracing::info!(programme = %programme.id, "programme defaults changed");
            Ok(see_other(&format!("/coordinate/programmes/{}/settings?done=defaults", programme.id)))
        }
        Err(errors) => show(&state, &member, &id, None, Some(form), errors, None).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mentorpost_model::Locale;

    #[test]
    fn every_field_is_checked_at_once() {
        let tr = Tr::new(Locale::En, "Europe/Amsterdam");
        let bad = DefaultsForm {
            timezone: "Mars/Olympus".into(),
            contact_every_days: "0".into(),
            response_within_hours: "abc".into(),
            not_started_days: "400".into(),
            follow_up_months: "25".into(),
            review_every_months: "3".into(),
            retention_months: "5".into(),
            erasure_policy: "forget".into(),
        };
        let fields: Vec<&str> = programme_defaults(&tr, &bad).err().unwrap_or_default().iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "timezone",
                "contact_every_days",
                "response_within_hours",
                "not_started_days",
                "follow_up_months",
                "review_every_months",
                "retention_months",
                "erasure_policy"
            ]
        );
        let good = DefaultsForm {
            timezone: "Europe/Warsaw".into(),
            contact_every_days: " 10 ".into(),
            response_within_hours: "72".into(),
            not_started_days: "21".into(),
            follow_up_months: "12".into(),
            review_every_months: "6".into(),
            retention_months: "36".into(),
            erasure_policy: "anonymise".into(),
        };
        assert_eq!(
            programme_defaults(&tr, &good).ok(),
            Some(ProgrammeDefaults {
                timezone: "Europe/Warsaw".into(),
                contact_every_days: 10,
                response_within_hours: 72,
                not_started_days: 21,
                follow_up_months: 12,
                review_every_months: 6,
                retention_months: 36,
                erasure_policy: ErasurePolicy::Anonymise,
            })
        );
        let summary = SummaryForm { enabled: String::new(), weekday: "8".into(), hour: "24".into(), send_all_clear: String::new() };
        let fields: Vec<&str> = summary_schedule(&tr, &summary).err().unwrap_or_default().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["enabled", "weekday", "hour"]);
    }
}
