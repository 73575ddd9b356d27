//! The journey's prompts (F5–F10) as pure rules: what kinds there are and when each
//! comes due. The scheduler (`mail::prompts` in the server) derives a timer from the
//! records with these rules, fires it once, and invites the members.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};

pub use crate::domain::PromptKind;

/// Minutes between logging a session and the reflection invitation, so the notes and
/// actions of the same sitting are in before the mail goes.
pub const REFLECTION_SETTLE_MINUTES: i64 = 10;

/// Sessions logged longer ago than this get no invitation any more (the scheduler
/// looks only at recent meetings; a form can still be filled in on the web).
pub const REFLECTION_WINDOW_DAYS: i64 = 14;

/// Days before the agreed end date the closing step starts.
pub const CLOSING_LEAD_DAYS: u64 = 14;

/// The local hour at which date-based prompts (an action's reminder, the closing step,
/// a review, a follow-up) come due; each reader's quiet hours can move their mail later.
pub const PROMPT_HOUR: u32 = 9;

/// A timer that came due this long ago and never fired (the service was down, or the
/// prompt is new to an old record) fires no more: a follow-up or review half a year
/// late helps nobody.
pub const STALE_AFTER_DAYS: i64 = 30;

/// The instant `day` at [`PROMPT_HOUR`] in `tz` (the first instant after a
/// spring-forward gap; the earlier of a fall-back overlap).
pub fn at_prompt_hour(day: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::from_hms_opt(PROMPT_HOUR, 0, 0).unwrap_or_default());
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        chrono::LocalResult::None => tz
            .from_local_datetime(&(local + chrono::Duration::hours(1)))
            .earliest()
            .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc)),
    }
}

/// When the reflection invitation for a session logged at `logged_at` comes due.
pub fn reflection_due(logged_at: DateTime<Utc>) -> DateTime<Utc> {
    logged_at + chrono::Duration::minutes(REFLECTION_SETTLE_MINUTES)
}

/// When an action due on `due_on` is brought to its owner's mind: the day before, at
/// the prompt hour in their zone.
pub fn action_reminder_due(due_on: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    at_prompt_hour(due_on.checked_sub_days(Days::new(1)).unwrap_or(due_on), tz)
}

/// The day the closing step starts for an agreed end date.
pub fn closing_starts_on(end_date: NaiveDate) -> NaiveDate {
    end_date.checked_sub_days(Days::new(CLOSING_LEAD_DAYS)).unwrap_or(end_date)
}

/// Whether a timer due at `due_at` is too old to fire at `now`.
pub fn is_stale(due_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - due_at > chrono::Duration::days(STALE_AFTER_DAYS)
}

/// The timer subject of an action's reminder: its number and due date, so a changed
/// due date makes a new timer.
pub fn action_subject(number: i64, due_on: NaiveDate) -> String {
    format!("{number}.{due_on}")
}

/// The action number and due date of an action timer's subject.
pub fn parse_action_subject(subject: &str) -> Option<(i64, NaiveDate)> {
    let (number, day) = subject.split_once('.')?;
    Some((number.parse().ok()?, day.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn date_prompts_come_at_nine_local() {
        let ams: chrono_tz::Tz = chrono_tz::Europe::Amsterdam;
        assert_eq!(at_prompt_hour(day("2026-12-07"), ams).to_rfc3339(), "2026-12-07T08:00:00+00:00");
        assert_eq!(at_prompt_hour(day("2026-07-07"), ams).to_rfc3339(), "2026-07-07T07:00:00+00:00");
        // Reminder the day before, also across a month end.
        assert_eq!(action_reminder_due(day("2027-03-01"), chrono_tz::UTC).to_rfc3339(), "2027-02-28T09:00:00+00:00");
    }

    #[test]
    fn closing_starts_two_weeks_before_the_end() {
        assert_eq!(closing_starts_on(day("2027-06-30")), day("2027-06-16"));
        assert_eq!(closing_starts_on(day("2027-01-05")), day("2026-12-22"));
    }

    #[test]
    fn action_subjects_round_trip() {
        let subject = action_subject(12, day("2026-12-24"));
        assert_eq!(subject, "12.2026-12-24");
        assert_eq!(parse_action_subject(&subject), Some((12, day("2026-12-24"))));
        assert_eq!(parse_action_subject("x.2026-12-24"), None);
    }

    #[test]
    fn old_timers_go_stale() {
        let now = Utc::now();
        assert!(!is_stale(now - chrono::Duration::days(3), now));
        assert!(is_stale(now - chrono::Duration::days(31), now));
        assert_eq!(PromptKind::parse("follow_up"), Some(PromptKind::FollowUp));
    }
}
