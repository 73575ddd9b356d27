//! Reflection forms (F6, F7): after a session each member may note what they wanted
//! to achieve, what they tried, how they felt, what went well and what less well, and
//! their questions. A mentee's form is written for their mentor and is shared with the
//! mentorship's mentors; a mentor's form is private unless they share it. A
//! coordinator never reads one: they see how many were filled in.

use crate::forms::{AnswerKind, Form, Question};
use crate::validate::ValidationError;
use crate::{MentorshipId, Role, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 2000;
/// Longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;

/// The answers of a reflection form. Every answer is optional; at least one is given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReflectionAnswers {
    /// What the session was about (≤ 200 characters).
    #[serde(default)]
    pub subject: String,
    /// What I wanted to achieve since the last session.
    #[serde(default)]
    pub wanted: String,
    /// What I tried.
    #[serde(default)]
    pub tried: String,
    /// How I felt.
    #[serde(default)]
    pub felt: String,
    /// What went well.
    #[serde(default)]
    pub went_well: String,
    /// What did not go well, or less well.
    #[serde(default)]
    pub went_less_well: String,
    /// A mentee's questions for their mentor; a mentor's questions to take to
    /// intervision (the exchange between mentors).
    #[serde(default)]
    pub questions: String,
}

impl ReflectionAnswers {
    /// The answers by field name, in the form's order.
    pub fn fields(&self) -> [(&'static str, &str); 7] {
        [
            ("subject", &self.subject),
            ("wanted", &self.wanted),
            ("tried", &self.tried),
            ("felt", &self.felt),
            ("went_well", &self.went_well),
            ("went_less_well", &self.went_less_well),
            ("questions", &self.questions),
        ]
    }

    /// Checks each answer; a form that answers no question is `empty_form`.
    pub fn validate(&self) -> Result<(), ValidationError> {
        for (field, value) in self.fields() {
            let max = if field == "subject" { MAX_SUBJECT_CHARS } else { MAX_ANSWER_CHARS };
            if value.chars().count() > max {
                return Err(ValidationError::new(field, "too_long", format!("{field} has at most {max} characters")));
            }
            let allowed = |c: char| !c.is_control() || (field != "subject" && matches!(c, '\n' | '\r' | '\t'));
            if !value.chars().all(allowed) {
                return Err(ValidationError::new(field, "control_characters", format!("{field} may not contain control characters")));
            }
        }
        // A subject alone answers nothing.
        if self.fields().iter().filter(|(f, _)| *f != "subject").all(|(_, v)| v.trim().is_empty()) {
            return Err(ValidationError::new("form", "empty_form", "a reflection answers at least one question"));
        }
        Ok(())
    }
}

/// The questions of a reflection mail (the subject is the session's; the web form asks
/// it). Mentors and mentees answer the same fields; the page and the mail word some
/// of them by role (`rf-went-less-well-mentor`, `rf-questions-mentee`, …).
const MAIL_QUESTIONS: &[Question] = &[
    Question { field: "wanted", kind: AnswerKind::Text { max_chars: MAX_ANSWER_CHARS } },
    Question { field: "tried", kind: AnswerKind::Text { max_chars: MAX_ANSWER_CHARS } },
    Question { field: "felt", kind: AnswerKind::Text { max_chars: MAX_ANSWER_CHARS } },
    Question { field: "went_well", kind: AnswerKind::Text { max_chars: MAX_ANSWER_CHARS } },
    Question { field: "went_less_well", kind: AnswerKind::Text { max_chars: MAX_ANSWER_CHARS } },
    Question { field: "questions", kind: AnswerKind::Text { max_chars: MAX_ANSWER_CHARS } },
];

impl Form for ReflectionAnswers {
    const KEY: &'static str = "reflection";

    fn questions(_role: Role) -> &'static [Question] {
        MAIL_QUESTIONS
    }

    fn set(&mut self, field: &str, answer: String) {
        match field {
            "subject" => self.subject = answer,
            "wanted" => self.wanted = answer,
            "tried" => self.tried = answer,
            "felt" => self.felt = answer,
            "went_well" => self.went_well = answer,
            "went_less_well" => self.went_less_well = answer,
            "questions" => self.questions = answer,
            _ => {}
        }
    }

    fn validate(&self) -> Result<(), ValidationError> {
        ReflectionAnswers::validate(self)
    }
}

/// `POST /api/v1/mentorships/{id}/reflections` and `PUT /api/v1/reflections/{id}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReflectionRequest {
    /// The session it is about (a meeting of this mentorship), if any.
    #[serde(default)]
    pub meeting_id: Option<String>,
    pub answers: ReflectionAnswers,
    /// A mentor's form: shared with the mentee(s) too. A mentee's form is always read
    /// by the mentorship's mentors; this changes nothing for it.
    #[serde(default)]
    pub shared: bool,
}

/// Whether a member with `reader_role` (not the author) reads a form: a mentee's form
/// is for the mentors (F6); a mentor's form for nobody unless shared, then for every
/// member (F7).
pub fn readable_by(author_role: Role, shared: bool, reader_role: Role) -> bool {
    match author_role {
        Role::Mentee => reader_role == Role::Mentor,
        Role::Mentor => shared,
    }
}

/// A reflection form as its readers see it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReflectionView {
    pub id: String,
    pub mentorship_id: MentorshipId,
    pub author_id: UserId,
    pub author_name: String,
    /// The author's role when they wrote it: which form (F6 mentee, F7 mentor).
    pub role: Role,
    pub meeting_id: Option<String>,
    /// The session's date, when it is about one.
    #[schema(value_type = Option<String>)]
    pub meeting_date: Option<NaiveDate>,
    pub answers: ReflectionAnswers,
    pub shared: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_needs_one_answer_within_limits() {
        let ok = ReflectionAnswers { felt: "Zenuwachtig, daarna opgelucht.".into(), ..ReflectionAnswers::default() };
        assert!(ok.validate().is_ok());
        assert_eq!(ReflectionAnswers::default().validate().err().map(|e| (e.field, e.code)), Some(("form", "empty_form")));
        let blank = ReflectionAnswers { tried: "  \n".into(), ..ReflectionAnswers::default() };
        assert_eq!(blank.validate().err().map(|e| e.code), Some("empty_form"));
        let subject_only = ReflectionAnswers { subject: "Presenteren".into(), ..ReflectionAnswers::default() };
        assert_eq!(subject_only.validate().err().map(|e| e.code), Some("empty_form"));
        let long = ReflectionAnswers { questions: "ą".repeat(2001), ..ReflectionAnswers::default() };
        assert_eq!(long.validate().err().map(|e| (e.field, e.code)), Some(("questions", "too_long")));
        let subject = ReflectionAnswers { subject: "Twee\nregels".into(), felt: "goed".into(), ..ReflectionAnswers::default() };
        assert_eq!(subject.validate().err().map(|e| (e.field, e.code)), Some(("subject", "control_characters")));
        let lines = ReflectionAnswers { went_well: "Eén.\nTwee.".into(), ..ReflectionAnswers::default() };
        assert!(lines.validate().is_ok());
    }

    #[test]
    fn a_reply_by_mail_fills_the_form() {
        let reply =
            "> 1. What I wanted\nLeren presenteren voor de directie.\n> 3. How I felt\nZenuwachtig.\n> 6. Questions\nHoe oefen ik?\n";
        let form: ReflectionAnswers = crate::forms::parse_reply(ReflectionAnswers::questions(Role::Mentee), reply).into_form();
        assert_eq!(form.wanted, "Leren presenteren voor de directie.");
        assert_eq!(form.felt, "Zenuwachtig.");
        assert_eq!(form.questions, "Hoe oefen ik?");
        assert!(Form::validate(&form).is_ok());
    }

    #[test]
    fn who_reads_a_form() {
        assert!(readable_by(Role::Mentee, false, Role::Mentor), "a mentee writes for the mentor (F6)");
        assert!(!readable_by(Role::Mentee, true, Role::Mentee), "not for the other mentees of a group");
        assert!(!readable_by(Role::Mentor, false, Role::Mentee), "a mentor's form is private (F7)");
        assert!(!readable_by(Role::Mentor, false, Role::Mentor));
        assert!(readable_by(Role::Mentor, true, Role::Mentee));
    }

    #[test]
    fn the_request_refuses_unknown_fields() {
        let req: ReflectionRequest =
            serde_json::from_value(serde_json::json!({"answers": {"felt": "goed"}, "shared": true})).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(req.answers.felt, "goed");
        assert!(req.shared);
        assert!(serde_json::from_value::<ReflectionRequest>(serde_json::json!({"answers": {"mood": "x"}})).is_err());
        assert!(serde_json::from_value::<ReflectionRequest>(serde_json::json!({"answers": {}, "mood": "x"})).is_err());
    }
}
