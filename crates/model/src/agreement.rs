//! The mentoring agreement (G6, G7, G8, F3), in two halves with different readers:
//! the **rhythm** (how often the members expect contact and answers) is what the
//! coordinator monitors and may set; the **content** (ground rules, goals) is private
//! to the members.

use crate::validate::ValidationError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// The private half: only the mentorship's members read it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementContent {
    /// Ground rules, boundaries, netiquette (G3, G6), ≤ 10,000 characters.
    #[serde(default)]
    pub ground_rules: String,
    /// Goals the mentee owns (G11, F3), ≤ 10,000 characters.
    #[serde(default)]
    pub goals: String,
}

impl AgreementContent {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("ground_rules", &self.ground_rules, 10_000)?;
        check_text("goals", &self.goals, 10_000)
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
        let ok = AgreementContent { ground_rules: "Wij antwoorden binnen twee dagen.".into(), goals: "Sollicitatiegesprek oefenen".into() };
        assert!(ok.validate().is_ok());
        let long = AgreementContent { goals: "x".repeat(10_001), ..Default::default() };
        assert!(long.validate().is_err());
    }
}
