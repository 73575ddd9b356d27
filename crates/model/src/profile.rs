//! A person's profile (G5): what they tell the people they are paired with before the
//! first contact — background, experience, interests and what they hope to give or
//! get. Every field is optional. It is content: the person and the members of their
//! own mentorships read it, no coordinator and no admin does.

use crate::Role;
use crate::forms::{AnswerKind, Form, Question};
use crate::validate::ValidationError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The four fields of a profile, each 0–2,000 characters (empty: not written).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Where the person comes from and what they do now (≤ 2,000 characters).
    #[serde(default)]
    pub background: String,
    /// What they have done and learned that matters here (≤ 2,000 characters).
    #[serde(default)]
    pub experience: String,
    /// What they like to talk about (≤ 2,000 characters).
    #[serde(default)]
    pub interests: String,
    /// What they hope to give (a mentor) or to get (a mentee) (≤ 2,000 characters).
    #[serde(default)]
    pub hopes: String,
}

impl Profile {
    /// The longest a field may be, in characters.
    pub const MAX_CHARS: usize = 2_000;

    /// The field names, in the order pages and mails show them.
    pub const FIELDS: [&'static str; 4] = ["background", "experience", "interests", "hopes"];

    /// The first problem, for the API (one error per answer, naming its field).
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self.problems().into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Every field's problem, for a form that shows them all at once.
    pub fn problems(&self) -> Vec<ValidationError> {
        Self::FIELDS.iter().filter_map(|&field| check(field, self.field(field)).err()).collect()
    }

    /// The text of one of [`Self::FIELDS`] (empty for any other name).
    pub fn field(&self, name: &str) -> &str {
        match name {
            "background" => &self.background,
            "experience" => &self.experience,
            "interests" => &self.interests,
            "hopes" => &self.hopes,
            _ => "",
        }
    }

    /// Nothing written in any field.
    pub fn is_empty(&self) -> bool {
        Self::FIELDS.iter().all(|f| self.field(f).is_empty())
    }

    /// As stored: each field trimmed, line breaks as LF (a browser sends CR LF), so a
    /// field of only spaces counts as not written.
    pub fn normalized(self) -> Profile {
        let clean = |s: String| s.replace("\r\n", "\n").replace('\r', "\n").trim().to_owned();
        Profile {
            background: clean(self.background),
            experience: clean(self.experience),
            interests: clean(self.interests),
            hopes: clean(self.hopes),
        }
    }
}

/// The profile mail's questions: an e-mail-only member writes their profile by reply.
const QUESTIONS: &[Question] = &[
    Question { field: "background", kind: AnswerKind::Text { max_chars: Profile::MAX_CHARS } },
    Question { field: "experience", kind: AnswerKind::Text { max_chars: Profile::MAX_CHARS } },
    Question { field: "interests", kind: AnswerKind::Text { max_chars: Profile::MAX_CHARS } },
    Question { field: "hopes", kind: AnswerKind::Text { max_chars: Profile::MAX_CHARS } },
];

impl Form for Profile {
    const KEY: &'static str = "profile";

    fn questions(_role: Role) -> &'static [Question] {
        QUESTIONS
    }

    fn set(&mut self, field: &str, answer: String) {
        match field {
            "background" => self.background = answer,
            "experience" => self.experience = answer,
            "interests" => self.interests = answer,
            "hopes" => self.hopes = answer,
            _ => {}
        }
    }

    fn validate(&self) -> Result<(), ValidationError> {
        Profile::validate(self)
    }
}

fn check(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.chars().count() > Profile::MAX_CHARS {
        return Err(ValidationError::new(field, "too_long", format!("{field} has at most {} characters", Profile::MAX_CHARS)));
    }
    if value.chars().any(|c| (c.is_control() && c != '\n' && c != '\r' && c != '\t') || c == '\u{2028}' || c == '\u{2029}') {
        return Err(ValidationError::new(field, "control_characters", format!("{field} may not contain control characters")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_optional_and_bounded() {
        assert!(Profile::default().validate().is_ok());
        assert!(Profile::default().is_empty());
        let ok = Profile {
            background: "Verpleegkundige in Łódź, sinds 2019 in Utrecht.".into(),
            experience: "Twintig jaar op de spoedeisende hulp.\nNu teamleider.".into(),
            interests: "Fietsen, İstanbul, Fado".into(),
            hopes: "Ik wil mijn Nederlands voor het werk verbeteren.".into(),
        };
        assert!(ok.validate().is_ok());
        assert!(!ok.is_empty());
        let exactly = Profile { hopes: "ł".repeat(Profile::MAX_CHARS), ..Profile::default() };
        assert!(exactly.validate().is_ok(), "the limit counts characters, not bytes");
        let long = Profile { interests: "x".repeat(Profile::MAX_CHARS + 1), ..Profile::default() };
        let err = long.validate().expect_err("too long");
        assert_eq!((err.field, err.code), ("interests", "too_long"));
        assert!(err.message.contains("interests"), "{}", err.message);
    }

    #[test]
    fn all_problems_at_once_and_no_echo() {
        let bad = Profile {
            background: "x".repeat(2_001),
            experience: "fine".into(),
            interests: "bell \u{7} SECRET".into(),
            hopes: "y".repeat(3_000),
        };
        let problems = bad.problems();
        let fields: Vec<_> = problems.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(fields, [("background", "too_long"), ("interests", "control_characters"), ("hopes", "too_long")]);
        assert!(problems.iter().all(|e| !e.message.contains("SECRET")), "messages never quote the text");
    }

    #[test]
    fn normalized_trims_and_keeps_one_kind_of_line_break() {
        let typed = Profile { background: "  Eerste regel\r\nTweede regel \r\n".into(), hopes: "   ".into(), ..Profile::default() };
        let stored = typed.normalized();
        assert_eq!(stored.background, "Eerste regel\nTweede regel");
        assert_eq!(stored.hopes, "");
    }
}
