//! Meetings members log (video, phone, in person): a contact for the health figures.
//! The note is the members' own and never reaches a coordinator.

use crate::api::MemberView;
use crate::health::{Health, HealthStatus};
use crate::session::{ActionView, NewAction, check_actions, check_session_text};
use crate::validate::{DateWindow, ValidationError};
use crate::{MeetingMode, MentorshipId, MentorshipStatus, UserId};
use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest meeting note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Longest meeting, in minutes.
pub const MAX_DURATION_MINUTES: i64 = 600;

/// `POST /api/v1/mentorships/{id}/meetings`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogMeetingRequest {
    /// The day it took place, in the programme's time zone.
    #[schema(value_type = String, example = "2026-09-10")]
    pub date: NaiveDate,
    /// Local start time `HH:MM`; noon when left out. A time the clocks skip (the
    /// spring-forward gap) is moved forward by the gap, as RFC 5545 does (02:30 on the
    /// night the clocks go from 02:00 to 03:00 is 03:30); a time that occurs twice
    /// (fall-back) is the first of the two.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "19:30")]
    pub time: Option<NaiveTime>,
    pub duration_minutes: i64,
    pub mode: MeetingMode,
    /// Private to the members; never shown to coordinators.
    #[serde(default)]
    pub note: Option<String>,
    /// The session's learning goal (F5), ≤ 2,000 characters; members only.
    #[serde(default)]
    pub learning_goal: Option<String>,
    /// What was explored (F5), ≤ 2,000 characters; members only.
    #[serde(default)]
    pub explored: Option<String>,
    /// Actions agreed, each with an owner and a due date (at most 10).
    #[serde(default)]
    pub actions: Vec<NewAction>,
}

impl LogMeetingRequest {
    /// Checks the values; `today` is the programme's local date now (a meeting cannot
    /// be logged for a day that has not come yet), `window` the dates the programme's
    /// records may carry.
    pub fn validate(&self, today: NaiveDate, window: DateWindow) -> Result<(), ValidationError> {
        if !(1..=MAX_DURATION_MINUTES).contains(&self.duration_minutes) {
            return Err(ValidationError::new(
                "duration_minutes",
                "invalid_duration",
                format!("a meeting lasts 1 to {MAX_DURATION_MINUTES} minutes"),
            ));
        }
        if self.date > today {
            return Err(ValidationError::new("date", "meeting_in_future", "a meeting can be logged once it has taken place"));
        }
        window.check("date", self.date)?;
        check_session_text("learning_goal", self.learning_goal.as_deref())?;
        check_session_text("explored", self.explored.as_deref())?;
        check_actions(&self.actions, window)?;
        if let Some(note) = &self.note {
            if note.chars().count() > MAX_NOTE_CHARS {
                return Err(ValidationError::new("note", "note_too_long", format!("a note has at most {MAX_NOTE_CHARS} characters")));
            }
            if note.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
                return Err(ValidationError::new("note", "control_characters", "the note has control characters"));
            }
        }
        Ok(())
    }
}

/// The instant a meeting began: its local date and time in the programme's zone.
/// In a spring-forward gap the local time does not exist; RFC 5545 (3.3.5) reads it
/// with the offset in force before the gap, which moves it forward by the gap's
/// length. A fall-back time that exists twice is the earlier one.
pub fn held_at(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = NaiveDateTime::new(date, time);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            // Walk back to the last local time before the gap (gaps last an hour, at
            // most a day) and take the offset it has.
            let before = (1..=(24 * 60)).find_map(|m| match tz.offset_from_local_datetime(&(local - Duration::minutes(m))) {
                LocalResult::Single(o) | LocalResult::Ambiguous(_, o) => Some(o.fix()),
                LocalResult::None => None,
            });
            let offset = before.map_or(0, |o| o.local_minus_utc());
            (local - Duration::seconds(i64::from(offset))).and_utc()
        }
    }
}

/// A logged meeting as members see it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MeetingView {
    pub id: String,
    pub mentorship_id: MentorshipId,
    pub logged_by: UserId,
    #[schema(value_type = String)]
    pub date: NaiveDate,
    pub held_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub mode: MeetingMode,
    pub note: Option<String>,
    pub learning_goal: Option<String>,
    pub explored: Option<String>,
    /// The actions this session agreed, in their order.
    pub actions: Vec<ActionView>,
    pub created_at: DateTime<Utc>,
}

/// One mentorship's contact health, with who is in it — never what they wrote.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MentorshipHealth {
    pub mentorship_id: MentorshipId,
    pub status: MentorshipStatus,
    #[schema(value_type = Option<String>)]
    pub start_date: Option<NaiveDate>,
    pub contact_every_days: i64,
    pub response_within_hours: i64,
    pub members: Vec<MemberView>,
    pub meetings: u32,
    pub health: Health,
}

/// Figures over a programme's current (not closed) mentorships.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HealthTotals {
    /// Mentorships with status `active`.
    pub active: u32,
    /// Share of the listed mentorships that are `on_track` (0–1); none when empty.
    pub share_on_track: Option<f64>,
    /// Median of the days since last contact, over those with a contact.
    pub median_days_since_contact: Option<f64>,
    pub not_started: u32,
    pub slowing: u32,
    pub dormant: u32,
}

/// `GET /api/v1/programmes/{id}/health`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ProgrammeHealth {
    pub totals: HealthTotals,
    pub mentorships: Vec<MentorshipHealth>,
}

/// The totals over a list (closed mentorships are not in it).
pub fn totals(list: &[MentorshipHealth]) -> HealthTotals {
    let count = |s: HealthStatus| list.iter().filter(|m| m.health.status == s).count() as u32;
    let mut days: Vec<f64> = list.iter().filter_map(|m| m.health.days_since_contact).map(|d| d as f64).collect();
    days.sort_by(f64::total_cmp);
    let median = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2]),
        n => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
    };
    HealthTotals {
        active: list.iter().filter(|m| m.status == MentorshipStatus::Active).count() as u32,
        share_on_track: (!list.is_empty()).then(|| f64::from(count(HealthStatus::OnTrack)) / list.len() as f64),
        median_days_since_contact: median,
        not_started: count(HealthStatus::NotStarted),
        slowing: count(HealthStatus::Slowing),
        dormant: count(HealthStatus::Dormant),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(date: NaiveDate, minutes: i64, note: Option<&str>) -> LogMeetingRequest {
        LogMeetingRequest {
            date,
            time: None,
            duration_minutes: minutes,
            mode: MeetingMode::Video,
            note: note.map(str::to_owned),
            learning_goal: None,
            explored: None,
            actions: Vec::new(),
        }
    }

    #[test]
    fn meetings_are_checked() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).expect("date");
        let window = DateWindow::for_programme(NaiveDate::from_ymd_opt(2026, 2, 1).expect("date"), today);
        assert!(req(today, 45, Some("Goed gesprek over Łódź")).validate(today, window).is_ok());
        assert_eq!(req(today, 0, None).validate(today, window).map_err(|e| e.code), Err("invalid_duration"));
        assert_eq!(req(today.succ_opt().expect("date"), 30, None).validate(today, window).map_err(|e| e.code), Err("meeting_in_future"));
        assert_eq!(req(today, 30, Some(&"x".repeat(2001))).validate(today, window).map_err(|e| e.code), Err("note_too_long"));
        // A year before the programme is the earliest.
        let earliest = NaiveDate::from_ymd_opt(2025, 2, 1).expect("date");
        assert!(req(earliest, 30, None).validate(today, window).is_ok());
        assert_eq!(req(earliest.pred_opt().expect("date"), 30, None).validate(today, window).map_err(|e| e.code), Err("date_out_of_range"));
        assert_eq!(req(NaiveDate::MIN, 30, None).validate(today, window).map_err(|e| e.code), Err("date_out_of_range"));
    }

    #[test]
    fn local_times_the_clocks_skip_or_repeat() {
        let at = |y, m, d, h, min| {
            held_at(
                chrono_tz::Europe::Amsterdam,
                NaiveDate::from_ymd_opt(y, m, d).expect("date"),
                NaiveTime::from_hms_opt(h, min, 0).expect("time"),
            )
            .to_rfc3339()
        };
        // 02:30 on 29 March 2026 does not exist: with the winter offset (+01:00), 03:30 CEST.
        assert_eq!(at(2026, 3, 29, 2, 30), "2026-03-29T01:30:00+00:00");
        assert_eq!(at(2026, 3, 29, 2, 0), "2026-03-29T01:00:00+00:00");
        assert_eq!(at(2026, 3, 29, 3, 0), "2026-03-29T01:00:00+00:00");
        // 02:30 on 25 October 2026 happens twice: the first, still summer time (+02:00).
        assert_eq!(at(2026, 10, 25, 2, 30), "2026-10-25T00:30:00+00:00");
        assert_eq!(at(2026, 7, 1, 19, 0), "2026-07-01T17:00:00+00:00");
        // Samoa skipped all of 30 December 2011 (−10:00 → +14:00).
        assert_eq!(
            held_at(
                chrono_tz::Pacific::Apia,
                NaiveDate::from_ymd_opt(2011, 12, 30).expect("date"),
                NaiveTime::from_hms_opt(12, 0, 0).expect("time")
            )
            .to_rfc3339(),
            "2011-12-30T22:00:00+00:00"
        );
    }
}
