//! Closure (F10): a formal end. When the end date nears, or a member or coordinator
//! starts it, a closing step invites every member to share key moments, to thank
//! (a mentee's note the mentor keeps: recognition of the mentor) and to write a final
//! evaluation (what was achieved, what not and why, what is needed next). Each step is
//! a prompt, never a gate. When every member has filled in the closing form the
//! mentorship closes; its record stays readable to its members. Some months later a
//! follow-up asks each former member how things are going now.
//!
//! Who reads what: key moments are shared with the mentorship's members; the thanks
//! note is read by the mentors; the evaluation and the follow-up are private to their
//! author. A coordinator reads none of it: they see whether the step started, how many
//! forms are in and when it closed.

use crate::forms::{AnswerKind, Form, Question};
use crate::validate::ValidationError;
use crate::{MentorshipId, Role, UserId};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 2000;
/// The follow-up comes this many months after closing unless the programme says otherwise.
pub const DEFAULT_FOLLOW_UP_MONTHS: u32 = 6;
/// The months a programme may choose for the follow-up.
pub const FOLLOW_UP_MONTHS: std::ops::RangeInclusive<u32> = 1..=24;

const TEXT: AnswerKind = AnswerKind::Text { max_chars: MAX_ANSWER_CHARS };

/// The closing form's answers. Every answer is optional; at least one is given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosingAnswers {
    /// Key moments of the mentorship: shared with its members.
    #[serde(default)]
    pub key_moments: String,
    /// A mentee's thanks: a short note the mentor(s) keep. Mentors are not asked.
    #[serde(default)]
    pub thanks: String,
    /// What was achieved (private to the author).
    #[serde(default)]
    pub achieved: String,
    /// What was not achieved, and why (private to the author).
    #[serde(default)]
    pub not_achieved: String,
    /// What is needed from here on (private to the author).
    #[serde(default)]
    pub future_needs: String,
}

const MENTEE_CLOSING: &[Question] = &[
    Question { field: "key_moments", kind: TEXT },
    Question { field: "thanks", kind: TEXT },
    Question { field: "achieved", kind: TEXT },
    Question { field: "not_achieved", kind: TEXT },
    Question { field: "future_needs", kind: TEXT },
];
const MENTOR_CLOSING: &[Question] = &[
    Question { field: "key_moments", kind: TEXT },
    Question { field: "achieved", kind: TEXT },
    Question { field: "not_achieved", kind: TEXT },
    Question { field: "future_needs", kind: TEXT },
];

impl ClosingAnswers {
    /// The answers by field name, in the form's order.
    pub fn fields(&self) -> [(&'static str, &str); 5] {
        [
            ("key_moments", &self.key_moments),
            ("thanks", &self.thanks),
            ("achieved", &self.achieved),
            ("not_achieved", &self.not_achieved),
            ("future_needs", &self.future_needs),
        ]
    }

    /// Checks the form of a member with `role`: a mentor is not asked to thank.
    pub fn validate_for(&self, role: Role) -> Result<(), ValidationError> {
        if role == Role::Mentor && !self.thanks.trim().is_empty() {
            return Err(ValidationError::new("thanks", "not_asked", "the thanks note is the mentee's, for the mentor"));
        }
        self.validate()
    }
}

impl Form for ClosingAnswers {
    const KEY: &'static str = "closing";

    fn questions(role: Role) -> &'static [Question] {
        match role {
            Role::Mentee => MENTEE_CLOSING,
            Role::Mentor => MENTOR_CLOSING,
        }
    }

    fn set(&mut self, field: &str, answer: String) {
        match field {
            "key_moments" => self.key_moments = answer,
            "thanks" => self.thanks = answer,
            "achieved" => self.achieved = answer,
            "not_achieved" => self.not_achieved = answer,
            "future_needs" => self.future_needs = answer,
            _ => {}
        }
    }

    fn validate(&self) -> Result<(), ValidationError> {
        check_texts(&self.fields())
    }
}

/// The follow-up's answers, some months after closing. Private to the author.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpAnswers {
    /// How it goes now.
    #[serde(default)]
    pub how_it_goes: String,
    /// What from the mentorship still helps.
    #[serde(default)]
    pub still_helps: String,
    /// What is needed now.
    #[serde(default)]
    pub needs_now: String,
}

const FOLLOW_UP: &[Question] = &[
    Question { field: "how_it_goes", kind: TEXT },
    Question { field: "still_helps", kind: TEXT },
    Question { field: "needs_now", kind: TEXT },
];

impl FollowUpAnswers {
    /// The answers by field name, in the form's order.
    pub fn fields(&self) -> [(&'static str, &str); 3] {
        [("how_it_goes", &self.how_it_goes), ("still_helps", &self.still_helps), ("needs_now", &self.needs_now)]
    }
}

impl Form for FollowUpAnswers {
    const KEY: &'static str = "follow_up";

    fn questions(_role: Role) -> &'static [Question] {
        FOLLOW_UP
    }

    fn set(&mut self, field: &str, answer: String) {
        match field {
            "how_it_goes" => self.how_it_goes = answer,
            "still_helps" => self.still_helps = answer,
            "needs_now" => self.needs_now = answer,
            _ => {}
        }
    }

    fn validate(&self) -> Result<(), ValidationError> {
        check_texts(&self.fields())
    }
}

/// Each answer within its length and free of control characters (line breaks and
/// tabs allowed); a form that answers nothing is `empty_form`.
fn check_texts(fields: &[(&'static str, &str)]) -> Result<(), ValidationError> {
    for &(field, value) in fields {
        if value.chars().count() > MAX_ANSWER_CHARS {
            return Err(ValidationError::new(field, "too_long", format!("{field} has at most {MAX_ANSWER_CHARS} characters")));
        }
        if !value.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')) {
            return Err(ValidationError::new(field, "control_characters", format!("{field} may not contain control characters")));
        }
    }
    if fields.iter().all(|(_, v)| v.trim().is_empty()) {
        return Err(ValidationError::new("form", "empty_form", "the form answers at least one question"));
    }
    Ok(())
}

/// Whether a member with `reader_role` (not the author) reads `field` of a closing
/// form written by a member with `author_role`: key moments are for every member, a
/// mentee's thanks for the mentors, the evaluation for nobody else.
pub fn readable_by(field: &str, author_role: Role, reader_role: Role) -> bool {
    match field {
        "key_moments" => true,
        "thanks" => author_role == Role::Mentee && reader_role == Role::Mentor,
        _ => false,
    }
}

/// The day the follow-up is due: `months` after the day the mentorship closed (the
/// last day of the month when that month is shorter).
pub fn follow_up_due_on(closed: NaiveDate, months: u32) -> NaiveDate {
    closed.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// What anyone who may see the mentorship learns of its closing step: no texts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClosingFigures {
    /// When the closing step started; `None` when it has not.
    pub started_at: Option<DateTime<Utc>>,
    /// Who started it; `None` (with `started_at`) when the end date came near.
    pub started_by: Option<UserId>,
    /// How many current members filled in the closing form.
    pub forms_in: i64,
    /// How many current members there are.
    pub members: i64,
    /// When the mentorship closed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// Another member's closing form, as far as this reader may read it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ClosingShared {
    pub author_id: UserId,
    pub author_name: String,
    pub role: Role,
    pub key_moments: String,
    /// The mentee's thanks, for a mentor reading it; empty otherwise.
    pub thanks: String,
    pub updated_at: DateTime<Utc>,
}

/// `GET /api/v1/mentorships/{id}/closing`: the figures for everyone who may see the
/// mentorship; the texts only for its members, each as far as they may read them.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ClosingView {
    pub mentorship_id: MentorshipId,
    pub figures: ClosingFigures,
    /// The caller's own closing form.
    pub mine: Option<ClosingAnswers>,
    /// What the other members shared with the caller.
    pub shared: Vec<ClosingShared>,
    /// When the follow-up is due (after closing).
    #[schema(value_type = Option<String>)]
    pub follow_up_due_on: Option<NaiveDate>,
    /// The caller's own follow-up, once given.
    pub follow_up: Option<FollowUpAnswers>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::parse_reply;

    #[test]
    fn a_form_needs_one_answer_within_limits() {
        let ok = ClosingAnswers { key_moments: "Het eerste gesprek in Łódź.".into(), ..ClosingAnswers::default() };
        assert!(ok.validate().is_ok());
        assert_eq!(ClosingAnswers::default().validate().err().map(|e| (e.field, e.code)), Some(("form", "empty_form")));
        let blank = ClosingAnswers { achieved: " \n ".into(), ..ClosingAnswers::default() };
        assert_eq!(blank.validate().err().map(|e| e.code), Some("empty_form"));
        let long = ClosingAnswers { future_needs: "ş".repeat(2001), ..ClosingAnswers::default() };
        assert_eq!(long.validate().err().map(|e| (e.field, e.code)), Some(("future_needs", "too_long")));
        let control = ClosingAnswers { thanks: "dank\u{7}".into(), ..ClosingAnswers::default() };
        assert_eq!(control.validate().err().map(|e| (e.field, e.code)), Some(("thanks", "control_characters")));
        let thanks = ClosingAnswers { thanks: "Obrigada!".into(), ..ClosingAnswers::default() };
        assert!(thanks.validate_for(Role::Mentee).is_ok());
        assert_eq!(thanks.validate_for(Role::Mentor).err().map(|e| (e.field, e.code)), Some(("thanks", "not_asked")));
        assert_eq!(FollowUpAnswers::default().validate().err().map(|e| e.code), Some("empty_form"));
        assert!(FollowUpAnswers { needs_now: "Een nieuwe baan".into(), ..FollowUpAnswers::default() }.validate().is_ok());
    }

    #[test]
    fn who_reads_which_answer() {
        assert!(readable_by("key_moments", Role::Mentee, Role::Mentor));
        assert!(readable_by("key_moments", Role::Mentor, Role::Mentee));
        assert!(readable_by("thanks", Role::Mentee, Role::Mentor), "the mentor keeps the mentee's note");
        assert!(!readable_by("thanks", Role::Mentee, Role::Mentee), "not the other mentees of a group");
        for field in ["achieved", "not_achieved", "future_needs"] {
            assert!(!readable_by(field, Role::Mentee, Role::Mentor), "{field} is private");
            assert!(!readable_by(field, Role::Mentor, Role::Mentee), "{field} is private");
        }
    }

    #[test]
    fn the_mentee_thanks_the_mentor_does_not() {
        let mentee: Vec<&str> = ClosingAnswers::questions(Role::Mentee).iter().map(|q| q.field).collect();
        let mentor: Vec<&str> = ClosingAnswers::questions(Role::Mentor).iter().map(|q| q.field).collect();
        assert_eq!(mentee, ["key_moments", "thanks", "achieved", "not_achieved", "future_needs"]);
        assert_eq!(mentor, ["key_moments", "achieved", "not_achieved", "future_needs"]);
        for q in ClosingAnswers::questions(Role::Mentee).iter().chain(FollowUpAnswers::questions(Role::Mentor)) {
            assert_eq!(q.kind, AnswerKind::Text { max_chars: MAX_ANSWER_CHARS });
        }
    }

    #[test]
    fn a_reply_by_mail_fills_the_closing_form() {
        let reply = "1. Key moments\nDe presentatie voor het hele team.\n\n2) Thanks\nDziękuję, Ana — je geduld hielp.\n\
            3. Achieved\nIk durf nu te presenteren.\n4. Not achieved\nNetwerken: te weinig tijd.\n\n-- \nAyşe\n";
        let parsed = parse_reply(ClosingAnswers::questions(Role::Mentee), reply);
        assert!(parsed.unclear.is_empty());
        let form: ClosingAnswers = parsed.into_form();
        assert_eq!(form.key_moments, "De presentatie voor het hele team.");
        assert_eq!(form.thanks, "Dziękuję, Ana — je geduld hielp.");
        assert_eq!(form.not_achieved, "Netwerken: te weinig tijd.");
        assert_eq!(form.future_needs, "");
        assert!(form.validate_for(Role::Mentee).is_ok());

        // A mentor's numbers skip the thanks question.
        let parsed = parse_reply(ClosingAnswers::questions(Role::Mentor), "2. Achieved\nZij presenteert zelfstandig.\n");
        let form: ClosingAnswers = parsed.into_form();
        assert_eq!(form.achieved, "Zij presenteert zelfstandig.");
        assert!(form.validate_for(Role::Mentor).is_ok());

        let parsed = parse_reply(FollowUpAnswers::questions(Role::Mentee), "1. How\nGoed, nieuwe baan.\n3. Needs\nNiets nu.\n");
        let form: FollowUpAnswers = parsed.into_form();
        assert_eq!(
            form,
            FollowUpAnswers { how_it_goes: "Goed, nieuwe baan.".into(), still_helps: String::new(), needs_now: "Niets nu.".into() }
        );
        assert_eq!(<FollowUpAnswers as Form>::KEY, "follow_up");
        assert_eq!(<ClosingAnswers as Form>::KEY, "closing");
    }

    #[test]
    fn the_follow_up_is_due_months_after_closing() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap_or(NaiveDate::MIN);
        assert_eq!(follow_up_due_on(d("2026-12-07"), 6), d("2027-06-07"));
        assert_eq!(follow_up_due_on(d("2026-08-31"), 6), d("2027-02-28"), "the last day of a shorter month");
        assert_eq!(follow_up_due_on(d("2027-08-31"), 6), d("2028-02-29"));
        assert_eq!(follow_up_due_on(d("2026-01-15"), 24), d("2028-01-15"));
    }

    #[test]
    fn the_request_refuses_unknown_fields() {
        assert!(serde_json::from_value::<ClosingAnswers>(serde_json::json!({"mood": "x"})).is_err());
        assert!(serde_json::from_value::<FollowUpAnswers>(serde_json::json!({"how_it_goes": "goed", "x": 1})).is_err());
    }
}
