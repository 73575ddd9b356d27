//! Contact health as the service computes it: `model::health::compute` over what
//! `store::health` reads (times and sides only), for one mentorship or a programme.
//! Used by the HTTP routes and the coordinators' weekly summary.

use crate::app::AppState;
use crate::error::ApiResult;
use crate::store;
use crate::store::health::Tracked;
use chrono::{DateTime, Utc};
use mentorpost_model::health::{Contact, DEFAULT_NOT_STARTED_DAYS, HealthInput, compute};
use mentorpost_model::meeting::MentorshipHealth;
use mentorpost_model::{MentorshipStatus, ProgrammeId};

pub fn health_of(
    subject: &Tracked,
    members: Vec<mentorpost_model::api::MemberView>,
    contacts: &[Contact],
    meetings: u32,
    now: DateTime<Utc>,
) -> MentorshipHealth {
    let tz: chrono_tz::Tz = subject.timezone.parse().unwrap_or(chrono_tz::UTC);
    let start = subject.start_date.unwrap_or_else(|| subject.created_at.with_timezone(&tz).date_naive());
    let health = compute(&HealthInput {
        start,
        timezone: tz,
        contact_every_days: subject.contact_every_days,
        response_within_hours: subject.response_within_hours,
        not_started_days: DEFAULT_NOT_STARTED_DAYS,
        closed: subject.status == MentorshipStatus::Closed,
        contacts,
        now,
    });
    MentorshipHealth {
        mentorship_id: subject.id,
        status: subject.status,
        start_date: subject.start_date,
        contact_every_days: subject.contact_every_days,
        response_within_hours: subject.response_within_hours,
        members,
        meetings,
        health,
    }
}

/// Every mentorship of a programme with its figures (closed ones only when asked).
pub async fn programme_rows(state: &AppState, programme: ProgrammeId, include_closed: bool) -> ApiResult<Vec<MentorshipHealth>> {
    let pool = state.db.pool();
    let now = state.clock.now();
    let mut contacts = store::health::programme_contacts(pool, programme).await?;
    let mut out = Vec::new();
    for subject in store::health::programme_subjects(pool, programme).await? {
        if subject.status == MentorshipStatus::Closed && !include_closed {
            continue;
        }
        let members = store::mentorships::get(pool, subject.id).await?.map(|m| m.members).unwrap_or_default();
        let (list, meetings) = contacts.remove(&subject.id).unwrap_or_default();
        out.push(health_of(&subject, members, &list, meetings, now));
    }
    Ok(out)
}
