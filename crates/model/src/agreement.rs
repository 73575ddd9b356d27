//! The mentoring agreement — the contract of F3 (G3, G6, G7, G8, G11) — in two halves
//! with different readers: the **rhythm** (how often the members expect contact and
//! answers, and when they meet) is what the coordinator monitors and may set; the
//! **content** (goals, action plan, duration, topics left out, the mentor's time, how
//! to end early, ground rules) is private to the members. Every change makes a new
//! version; each member confirms a version and accepts the netiquette and safety
//! charter of [`CHARTER_VERSION`] (its words live in the catalogues).

use crate::mail::{MailMode, MailSettings, digest_due, quiet_until};
use crate::validate::ValidationError;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The version of the netiquette and safety charter (G3) whose text the catalogues
/// hold (`contract.ftl`, `charter-*`). Raise it when the charter's words change: every
/// member then confirms again.
pub const CHARTER_VERSION: i64 = 1;

/// How long an initial duration may run: five years from the start.
pub const MAX_DURATION_DAYS: i64 = 5 * 366;

/// Agreed contact rhythm. Visible to and settable by the programme's coordinators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rhythm {
    /// Expected contact at least every N days (1–365).
    pub contact_every_days: i64,
    /// Expected answer to a message within H hours (1–2160).
    pub response_within_hours: i64,
    /// Agreed meeting rhythm in words, for example "weekly video call" (≤ 200 chars).
    #[serde(default)]
    pub meeting_rhythm: String,
}

impl Default for Rhythm {
    /// G8 suggests weekly meetings; a response within two days is a common agreement.
    fn default() -> Self {
        Self { contact_every_days: 7, response_within_hours: 48, meeting_rhythm: String::new() }
    }
}

impl Rhythm {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if !(1..=365).contains(&self.contact_every_days) {
            return Err(ValidationError::new("contact_every_days", "out_of_range", "contact_every_days must be between 1 and 365"));
        }
        if !(1..=2160).contains(&self.response_within_hours) {
            return Err(ValidationError::new("response_within_hours", "out_of_range", "response_within_hours must be between 1 and 2160"));
        }
        check_text("meeting_rhythm", &self.meeting_rhythm, 200)
    }
}

/// The private half: only the mentorship's members read it. Every field may be left
/// out of a request (older clients send only the first two).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementContent {
    /// Ground rules, boundaries, what stays between the members (G6), ≤ 10,000 characters.
    #[serde(default)]
    pub ground_rules: String,
    /// SMART goals, owned and written by the mentee (G11, F3), ≤ 10,000 characters.
    #[serde(default)]
    pub goals: String,
    /// The action plan: milestones with their dates, as text (F3), ≤ 10,000 characters.
    #[serde(default)]
    pub action_plan: String,
    /// Topics the members leave out (F3), ≤ 5,000 characters.
    #[serde(default)]
    pub topics_excluded: String,
    /// The mentor's time budget in words, e.g. "two hours a month" (F3), ≤ 500 characters.
    #[serde(default)]
    pub mentor_time: String,
    /// How either member ends early if it does not work (F3), ≤ 5,000 characters.
    #[serde(default)]
    pub ending_early: String,
    /// The initial duration: the agreed end date, not before the start (F3).
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
}

impl AgreementContent {
    /// The texts' limits; the end date is checked against the start by [`Self::check_end_date`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("goals", &self.goals, 10_000)?;
        check_text("action_plan", &self.action_plan, 10_000)?;
        check_text("topics_excluded", &self.topics_excluded, 5_000)?;
        check_text("mentor_time", &self.mentor_time, 500)?;
        check_text("ending_early", &self.ending_early, 5_000)?;
        check_text("ground_rules", &self.ground_rules, 10_000)
    }

    /// The end date against the mentorship's start: not before it, at most
    /// [`MAX_DURATION_DAYS`] after it.
    pub fn check_end_date(&self, start: NaiveDate) -> Result<(), ValidationError> {
        let Some(end) = self.end_date else { return Ok(()) };
        if end < start {
            return Err(ValidationError::new("end_date", "end_before_start", format!("end_date may not be before the start ({start})")));
        }
        if (end - start).num_days() > MAX_DURATION_DAYS {
            return Err(ValidationError::new("end_date", "too_far", "end_date is at most five years after the start"));
        }
        Ok(())
    }

    /// True when nothing has been written yet.
    pub fn is_empty(&self) -> bool {
        *self == AgreementContent::default()
    }
}

/// The whole agreement as one version keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AgreementRecord {
    pub rhythm: Rhythm,
    pub content: AgreementContent,
}

/// How a member confirmed: on the web (or the API), or by replying to the agreement mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmedVia {
    Web,
    Email,
}

impl ConfirmedVia {
    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmedVia::Web => "web",
            ConfirmedVia::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<ConfirmedVia> {
        match s {
            "web" => Some(ConfirmedVia::Web),
            "email" => Some(ConfirmedVia::Email),
            _ => None,
        }
    }
}

/// Whether a reply to the agreement mail confirms it: its first line of its own (lines
/// quoted with `>` are the mail it answers) says "agree", "yes" or "I agree" — in
/// Dutch "akkoord", "ja" or "eens" — and nothing else but punctuation. "Yes, but…",
/// a question, or any denial is no confirmation.
pub fn says_agree(reply: &str) -> bool {
    let Some(first) = reply.lines().map(str::trim).filter(|l| !l.starts_with('>')).find(|l| !l.is_empty()) else { return false };
    if first.chars().count() > 40 {
        return false;
    }
    let words: Vec<String> = first.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    matches!(
        words.join(" ").as_str(),
        "agree"
            | "agreed"
            | "i agree"
            | "yes"
            | "yes i agree"
            | "yes agreed"
            | "yes agree"
            | "akkoord"
            | "ja"
            | "ja akkoord"
            | "akkoord ja"
            | "eens"
            | "mee eens"
            | "ja eens"
            | "ik ga akkoord"
            | "ik ben akkoord"
            | "ik ben het eens"
            | "ik ben het ermee eens"
            | "helemaal eens"
    )
}

/// After a change, the agreement mail waits this long, so several saves in a row make
/// one mail (a newer version's mail replaces an older one still waiting).
pub const PROMPT_SETTLE_MINUTES: i64 = 10;

/// When an agreement mail may go to someone whose mail mode for the mentorship is
/// `mode`: `None` for `off` (no mail at all; the web page asks them); with the next
/// digest for daily and weekly readers (the prompt then arrives beside it); otherwise
/// after the settling time, moved past their quiet hours.
pub fn prompt_at(mode: MailMode, settings: &MailSettings, tz: chrono_tz::Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    deliver_at(mode, settings, tz, now + Duration::minutes(PROMPT_SETTLE_MINUTES))
}

/// When a prompt that may go from `ready` reaches a reader by their mail mode: never
/// with `off`; beside their next digest for digest readers; else at `ready`, or after
/// their quiet hours.
pub fn deliver_at(mode: MailMode, settings: &MailSettings, tz: chrono_tz::Tz, ready: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match mode {
        MailMode::Off => None,
        MailMode::Daily | MailMode::Weekly => {
            let period = if mode == MailMode::Daily { Duration::days(1) } else { Duration::days(7) };
            // The digest due most recently before one period after `ready` is the next one.
            digest_due(tz, mode, settings.digest_hour, settings.digest_weekday, ready + period).map(|(_, at)| at.max(ready))
        }
        MailMode::Live | MailMode::Each => {
            let quiet = settings.quiet_minutes().and_then(|q| quiet_until(tz, q, ready));
            Some(quiet.unwrap_or(ready))
        }
    }
}

fn check_text(field: &'static str, value: &str, max_chars: usize) -> Result<(), ValidationError> {
    if value.chars().count() > max_chars {
        return Err(ValidationError::new(field, "too_long", format!("{field} has at most {max_chars} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(ValidationError::new(field, "control_characters", format!("{field} may not contain control characters")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rhythm_bounds() {
        assert!(Rhythm::default().validate().is_ok());
        let bad = Rhythm { contact_every_days: 0, ..Rhythm::default() };
        assert_eq!(bad.validate().map_err(|e| e.code), Err("out_of_range"));
        let bad = Rhythm { response_within_hours: 5000, ..Rhythm::default() };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn content_bounds() {
        let ok = AgreementContent {
            ground_rules: "Wij antwoorden binnen twee dagen.".into(),
            goals: "Sollicitatiegesprek oefenen".into(),
            ..Default::default()
        };
        assert!(ok.validate().is_ok());
        let long = AgreementContent { goals: "x".repeat(10_001), ..Default::default() };
        assert!(long.validate().is_err());
        for (field, content) in [
            ("action_plan", AgreementContent { action_plan: "ż".repeat(10_001), ..Default::default() }),
            ("topics_excluded", AgreementContent { topics_excluded: "x".repeat(5_001), ..Default::default() }),
            ("mentor_time", AgreementContent { mentor_time: "x".repeat(501), ..Default::default() }),
            ("ending_early", AgreementContent { ending_early: "x".repeat(5_001), ..Default::default() }),
        ] {
            let err = content.validate().expect_err(field);
            assert_eq!((err.field, err.code), (field, "too_long"));
        }
        let bell = AgreementContent { mentor_time: "twee uur\u{7}".into(), ..Default::default() };
        assert_eq!(bell.validate().map_err(|e| (e.field, e.code)), Err(("mentor_time", "control_characters")));
    }

    #[test]
    fn end_date_not_before_the_start() {
        let start = NaiveDate::from_ymd_opt(2026, 9, 1).expect("date");
        let at = |y, m, d| AgreementContent { end_date: NaiveDate::from_ymd_opt(y, m, d), ..Default::default() };
        assert!(at(2027, 3, 1).check_end_date(start).is_ok());
        assert!(at(2026, 9, 1).check_end_date(start).is_ok());
        assert_eq!(at(2026, 8, 31).check_end_date(start).map_err(|e| (e.field, e.code)), Err(("end_date", "end_before_start")));
        assert_eq!(at(2040, 1, 1).check_end_date(start).map_err(|e| e.code), Err("too_far"));
        assert!(AgreementContent::default().check_end_date(start).is_ok());
    }

    #[test]
    fn old_clients_send_two_fields() {
        let c: AgreementContent = serde_json::from_str(r#"{"ground_rules": "Eerlijk", "goals": "Groeien"}"#).expect("parses");
        assert_eq!(c.action_plan, "");
        assert_eq!(c.end_date, None);
        assert!(serde_json::from_str::<AgreementContent>(r#"{"goal": "typo"}"#).is_err());
    }

    #[test]
    fn a_reply_agrees_in_english_or_dutch() {
        for yes in [
            "agree",
            "I agree.",
            "Yes!",
            "  AKKOORD\n\nHenk",
            "Ja",
            "Eens.",
            "Ik ga akkoord",
            "Mee eens!\n\nGroet, Şule",
            "\n> Reply \"agree\" to confirm\nagreed",
            "Agree\n\nOn Monday, mentorpost wrote:\n> Goals: …",
        ] {
            assert!(says_agree(yes), "{yes:?}");
        }
        for no in [
            "",
            "no",
            "Nee",
            "Yes, but not the end date",
            "Ja, maar de doelen kloppen niet",
            "I do not agree",
            "niet akkoord",
            "Can we change the goals first?",
            "> agree",
            "agreeable",
        ] {
            assert!(!says_agree(no), "{no:?}");
        }
    }

    #[test]
    fn prompts_follow_the_mail_mode() {
        let tz: chrono_tz::Tz = "Europe/Amsterdam".parse().expect("tz");
        let now = DateTime::parse_from_rfc3339("2026-11-23T11:00:00Z").map(|d| d.with_timezone(&Utc)).expect("time");
        let settings = MailSettings::defaults(true);
        assert_eq!(prompt_at(MailMode::Off, &settings, tz, now), None);
        assert_eq!(prompt_at(MailMode::Live, &settings, tz, now), Some(now + Duration::minutes(PROMPT_SETTLE_MINUTES)));
        // Quiet from 12:00 to 18:00 local (11:00–17:00 UTC): after them.
        let quiet = MailSettings { quiet_start: Some("12:00".into()), quiet_end: Some("18:00".into()), ..settings.clone() };
        let after = DateTime::parse_from_rfc3339("2026-11-23T17:00:00Z").map(|d| d.with_timezone(&Utc)).expect("time");
        assert_eq!(prompt_at(MailMode::Each, &quiet, tz, now), Some(after));
        // Daily at 08:00 local: the next morning, 07:00 UTC.
        let daily = MailSettings { mode: MailMode::Daily, digest_hour: 8, ..settings };
        let morning = DateTime::parse_from_rfc3339("2026-11-24T07:00:00Z").map(|d| d.with_timezone(&Utc)).expect("time");
        assert_eq!(prompt_at(MailMode::Daily, &daily, tz, now), Some(morning));
    }
}
