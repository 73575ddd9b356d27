//! Periodic reviews (F8): every few months from the start of a mentorship (a programme
//! setting: 4, 5 or 6) each member is asked whether meetings happen as planned, whether
//! there is enough time, whether the topics they wanted are covered, how they grow
//! towards the goals, how satisfied they are (1–5) and whether they want to continue,
//! stop or change something. The answers are the member's own: a coordinator sees only
//! the satisfaction scores and the continue choices, as figures, and a "change" raises
//! the mentorship on their dashboard. Every step is a prompt, never a gate.

use crate::Role;
use crate::forms::{AnswerKind, Choice, Form, Question};
use crate::validate::ValidationError;
use crate::{MentorshipId, UserId};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest text answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 2000;
/// The months between two reviews a programme may choose (F8: every 4–6 months).
pub const EVERY_MONTHS: [u32; 3] = [4, 5, 6];
/// The programme setting's default.
pub const DEFAULT_EVERY_MONTHS: u32 = 4;

/// Whether the member wants to go on with the mentorship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContinueChoice {
    Continue,
    Stop,
    Change,
}

impl ContinueChoice {
    pub const ALL: [ContinueChoice; 3] = [ContinueChoice::Continue, ContinueChoice::Stop, ContinueChoice::Change];

    pub fn as_str(self) -> &'static str {
        match self {
            ContinueChoice::Continue => "continue",
            ContinueChoice::Stop => "stop",
            ContinueChoice::Change => "change",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The answers of a review. Every answer is optional; at least one is given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewAnswers {
    /// Do the meetings happen as planned?
    #[serde(default)]
    pub meetings: String,
    /// Is there enough time?
    #[serde(default)]
    pub time: String,
    /// Are the topics covered that should be?
    #[serde(default)]
    pub topics: String,
    /// Growth towards the goals.
    #[serde(default)]
    pub growth: String,
    /// Anything else.
    #[serde(default)]
    pub comments: String,
    /// Satisfaction with the mentorship, 1 (not at all) to 5 (very).
    #[serde(default)]
    pub satisfaction: Option<u8>,
    /// Continue, stop, or continue with a change.
    #[serde(default)]
    pub continue_choice: Option<ContinueChoice>,
}

/// The text questions by field, in the form's order.
pub const TEXT_FIELDS: [&str; 5] = ["meetings", "time", "topics", "growth", "comments"];

const CONTINUE_CHOICES: &[Choice] = &[
    Choice { value: "continue", words: &["yes", "ja", "continue", "doorgaan"] },
    Choice { value: "stop", words: &["no", "nee", "stop", "stoppen"] },
    Choice { value: "change", words: &["change", "veranderen", "aanpassen", "anders"] },
];

const TEXT: AnswerKind = AnswerKind::Text { max_chars: MAX_ANSWER_CHARS };

/// The review's questions; both roles answer the same ones. The text of each is
/// `review-{field}` in the catalogues.
const QUESTIONS: &[Question] = &[
    Question { field: "meetings", kind: TEXT },
    Question { field: "time", kind: TEXT },
    Question { field: "topics", kind: TEXT },
    Question { field: "growth", kind: TEXT },
    Question { field: "satisfaction", kind: AnswerKind::Scale { min: 1, max: 5 } },
    Question { field: "continue", kind: AnswerKind::Choice(CONTINUE_CHOICES) },
    Question { field: "comments", kind: TEXT },
];

impl ReviewAnswers {
    /// The text answers by field name, in the form's order.
    pub fn texts(&self) -> [(&'static str, &str); 5] {
        [
            ("meetings", &self.meetings),
            ("time", &self.time),
            ("topics", &self.topics),
            ("growth", &self.growth),
            ("comments", &self.comments),
        ]
    }

    fn text_mut(&mut self, field: &str) -> Option<&mut String> {
        match field {
            "meetings" => Some(&mut self.meetings),
            "time" => Some(&mut self.time),
            "topics" => Some(&mut self.topics),
            "growth" => Some(&mut self.growth),
            "comments" => Some(&mut self.comments),
            _ => None,
        }
    }

    /// Checks one text answer on its own (the web form shows every problem at once).
    pub fn check_text(field: &'static str, value: &str) -> Result<(), ValidationError> {
        if value.chars().count() > MAX_ANSWER_CHARS {
            return Err(ValidationError::new(field, "too_long", format!("{field} has at most {MAX_ANSWER_CHARS} characters")));
        }
        if !value.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')) {
            return Err(ValidationError::new(field, "control_characters", format!("{field} may not contain control characters")));
        }
        Ok(())
    }

    /// Checks each answer; a review that answers nothing is `empty_form`.
    pub fn validate(&self) -> Result<(), ValidationError> {
        for (field, value) in self.texts() {
            Self::check_text(field, value)?;
        }
        if let Some(s) = self.satisfaction
            && !(1..=5).contains(&s)
        {
            return Err(ValidationError::new("satisfaction", "out_of_range", "satisfaction is a number from 1 to 5"));
        }
        if self.texts().iter().all(|(_, v)| v.trim().is_empty()) && self.satisfaction.is_none() && self.continue_choice.is_none() {
            return Err(ValidationError::new("form", "empty_form", "a review answers at least one question"));
        }
        Ok(())
    }
}

impl Form for ReviewAnswers {
    const KEY: &'static str = "review";

    fn questions(_role: Role) -> &'static [Question] {
        QUESTIONS
    }

    fn set(&mut self, field: &str, answer: String) {
        match field {
            "satisfaction" => self.satisfaction = answer.trim().parse().ok().filter(|s| (1..=5).contains(s)),
            "continue" => self.continue_choice = ContinueChoice::parse(answer.trim()),
            other => {
                if let Some(text) = self.text_mut(other) {
                    *text = answer;
                }
            }
        }
    }

    fn validate(&self) -> Result<(), ValidationError> {
        ReviewAnswers::validate(self)
    }
}

/// `POST /api/v1/mentorships/{id}/reviews`: the caller's answers for one round (a
/// second post for the same round replaces the first).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// Which review: 1 after the first period from the start, 2 after the second, ….
    pub round: i64,
    pub answers: ReviewAnswers,
}

/// A member's own review.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewView {
    pub id: String,
    pub mentorship_id: MentorshipId,
    pub user_id: UserId,
    /// The member's role when they answered.
    pub role: Role,
    pub round: i64,
    pub answers: ReviewAnswers,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The day review `round` (1, 2, …) comes due: `round × every_months` calendar months
/// after `start`, on the same day of the month or the month's last day when it has no
/// such day (31 August + 6 months is 28 or 29 February).
pub fn review_due_on(start: NaiveDate, every_months: u32, round: u32) -> NaiveDate {
    every_months.max(1).checked_mul(round).and_then(|months| start.checked_add_months(Months::new(months))).unwrap_or(NaiveDate::MAX)
}

/// The latest round due on `today` for a mentorship that started on `start`; 0 when
/// none is due yet.
pub fn due_round(start: NaiveDate, every_months: u32, today: NaiveDate) -> u32 {
    if today <= start {
        return 0;
    }
    let every = every_months.max(1);
    let months = (i64::from(today.year()) - i64::from(start.year())) * 12 + i64::from(today.month()) - i64::from(start.month());
    // The estimate is the exact answer or one too many (when today's day of the month
    // comes before the start's); step down until the due day has come.
    let mut round = u32::try_from(months.max(0) / i64::from(every)).unwrap_or(u32::MAX);
    while round > 0 && review_due_on(start, every, round) > today {
        round -= 1;
    }
    while review_due_on(start, every, round + 1) <= today {
        round += 1;
    }
    round
}

/// What a coordinator learns of one member's latest review: their role, score and
/// choice. Never a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReviewFigure {
    pub role: Role,
    pub round: i64,
    pub satisfaction: Option<u8>,
    pub continue_choice: Option<ContinueChoice>,
}

/// The review figures of one mentorship: each current member's latest review.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReviewFigures {
    /// One per member who answered a review, mentors first.
    pub members: Vec<ReviewFigure>,
}

impl ReviewFigures {
    pub fn new(mut members: Vec<ReviewFigure>) -> Self {
        members.sort_by_key(|m| m.role != Role::Mentor);
        Self { members }
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The latest round anyone answered (0: none).
    pub fn round(&self) -> i64 {
        self.members.iter().map(|m| m.round).max().unwrap_or(0)
    }

    /// The average satisfaction of those who gave a score.
    pub fn average_satisfaction(&self) -> Option<f64> {
        let scores: Vec<f64> = self.members.iter().filter_map(|m| m.satisfaction).map(f64::from).collect();
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
    }

    /// How many chose each of continue, stop and change.
    pub fn choices(&self) -> [(ContinueChoice, usize); 3] {
        ContinueChoice::ALL.map(|c| (c, self.members.iter().filter(|m| m.continue_choice == Some(c)).count()))
    }

    /// Someone asks for a change: the coordinator's dashboard raises the mentorship.
    pub fn asks_change(&self) -> bool {
        self.members.iter().any(|m| m.continue_choice == Some(ContinueChoice::Change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::{parse_reply, read_answer};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn rounds_fall_on_calendar_months_clamped_at_the_month_end() {
        assert_eq!(review_due_on(d("2026-09-01"), 4, 1), d("2027-01-01"));
        assert_eq!(review_due_on(d("2026-09-01"), 4, 2), d("2027-05-01"));
        assert_eq!(review_due_on(d("2026-08-31"), 6, 1), d("2027-02-28"));
        assert_eq!(review_due_on(d("2027-08-31"), 6, 1), d("2028-02-29"), "a leap year");
        assert_eq!(review_due_on(d("2026-10-31"), 5, 1), d("2027-03-31"));
        assert_eq!(review_due_on(d("2026-10-31"), 4, 1), d("2027-02-28"));
        // Each round counts from the start, so a clamped round does not shift the next.
        assert_eq!(review_due_on(d("2026-10-31"), 4, 2), d("2027-06-30"));
        assert_eq!(review_due_on(d("2026-10-31"), 4, 3), d("2027-10-31"));
        assert_eq!(review_due_on(d("2026-01-15"), 0, 1), d("2026-02-15"), "a zero period counts as one month");
        assert_eq!(review_due_on(d("2026-01-15"), 6, u32::MAX), NaiveDate::MAX);
    }

    #[test]
    fn the_due_round_is_the_latest_whose_day_has_come() {
        let start = d("2026-10-31");
        assert_eq!(due_round(start, 4, d("2026-10-31")), 0);
        assert_eq!(due_round(start, 4, d("2027-02-27")), 0);
        assert_eq!(due_round(start, 4, d("2027-02-28")), 1);
        assert_eq!(due_round(start, 4, d("2027-06-29")), 1);
        assert_eq!(due_round(start, 4, d("2027-06-30")), 2);
        assert_eq!(due_round(start, 4, d("2027-10-30")), 2);
        assert_eq!(due_round(start, 4, d("2027-10-31")), 3);
        assert_eq!(due_round(d("2026-09-15"), 6, d("2027-03-14")), 0);
        assert_eq!(due_round(d("2026-09-15"), 6, d("2027-03-15")), 1);
        assert_eq!(due_round(d("2026-09-15"), 5, d("2036-09-15")), 24);
        assert_eq!(due_round(d("2027-01-01"), 4, d("2026-12-07")), 0, "not started yet");
        for every in EVERY_MONTHS {
            let mut day = d("2026-01-31");
            while day < d("2029-01-01") {
                let r = due_round(d("2026-01-31"), every, day);
                assert!(r == 0 || review_due_on(d("2026-01-31"), every, r) <= day);
                assert!(review_due_on(d("2026-01-31"), every, r + 1) > day, "{day} {every}");
                day = day.succ_opt().unwrap_or(NaiveDate::MAX);
            }
        }
    }

    #[test]
    fn a_review_needs_one_answer_within_limits() {
        assert_eq!(ReviewAnswers::default().validate().err().map(|e| (e.field, e.code)), Some(("form", "empty_form")));
        let blank = ReviewAnswers { growth: " \n".into(), ..ReviewAnswers::default() };
        assert_eq!(blank.validate().err().map(|e| e.code), Some("empty_form"));
        let score = ReviewAnswers { satisfaction: Some(4), ..ReviewAnswers::default() };
        assert!(score.validate().is_ok());
        let choice = ReviewAnswers { continue_choice: Some(ContinueChoice::Stop), ..ReviewAnswers::default() };
        assert!(choice.validate().is_ok());
        let high = ReviewAnswers { satisfaction: Some(6), ..ReviewAnswers::default() };
        assert_eq!(high.validate().err().map(|e| (e.field, e.code)), Some(("satisfaction", "out_of_range")));
        let zero = ReviewAnswers { satisfaction: Some(0), meetings: "Ja".into(), ..ReviewAnswers::default() };
        assert_eq!(zero.validate().err().map(|e| e.code), Some("out_of_range"));
        let long = ReviewAnswers { topics: "ż".repeat(2001), ..ReviewAnswers::default() };
        assert_eq!(long.validate().err().map(|e| (e.field, e.code)), Some(("topics", "too_long")));
        let control = ReviewAnswers { time: "te\u{7}weinig".into(), ..ReviewAnswers::default() };
        assert_eq!(control.validate().err().map(|e| (e.field, e.code)), Some(("time", "control_characters")));
        let lines = ReviewAnswers { comments: "Eén.\r\nTwee.\tDrie.".into(), ..ReviewAnswers::default() };
        assert!(lines.validate().is_ok());
    }

    #[test]
    fn the_request_reads_choices_as_words() {
        let req: ReviewRequest = serde_json::from_value(serde_json::json!({
            "round": 1, "answers": {"growth": "Ik durf meer", "satisfaction": 4, "continue_choice": "change"}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(req.answers.continue_choice, Some(ContinueChoice::Change));
        assert_eq!(req.answers.satisfaction, Some(4));
        let back = serde_json::to_value(&req.answers).unwrap_or_default();
        assert_eq!(back["continue_choice"], "change");
        assert!(serde_json::from_value::<ReviewRequest>(serde_json::json!({"round": 1, "answers": {"continue_choice": "maybe"}})).is_err());
        assert!(serde_json::from_value::<ReviewRequest>(serde_json::json!({"round": 1, "answers": {"mood": "x"}})).is_err());
    }

    #[test]
    fn a_reply_by_mail_fills_the_form() {
        let questions = <ReviewAnswers as Form>::questions(Role::Mentee);
        assert_eq!(questions.len(), 7);
        let reply = "Hieronder mijn antwoorden.\n\n\
            Op ma 4 jan. 2027 om 09:00 schreef mentorpost <review@example.org>:\n\
            > 1. Vinden de ontmoetingen plaats zoals gepland?\n\
            Meestal wel, één keer verzet.\n\
            > 2. Is er genoeg tijd?\n\
            > 3. Komen de onderwerpen aan bod?\n\
            Ja, vooral solliciteren bij een ziekenhuis in Kraków.\n\
            > 4. Groei naar de doelen\n\
            Ik durf nu te bellen.\n\
            > 5. Tevredenheid (1–5)\n\
            4 van de 5\n\
            > 6. Doorgaan? (ja / nee / veranderen)\n\
            Anders: liever om de week.\n";
        let parsed = parse_reply(questions, reply);
        assert!(parsed.unclear.is_empty(), "{parsed:?}");
        let answers: ReviewAnswers = parsed.into_form();
        assert_eq!(answers.meetings, "Meestal wel, één keer verzet.");
        assert_eq!(answers.time, "");
        assert_eq!(answers.topics, "Ja, vooral solliciteren bij een ziekenhuis in Kraków.");
        assert_eq!(answers.growth, "Ik durf nu te bellen.");
        assert_eq!(answers.satisfaction, Some(4));
        assert_eq!(answers.continue_choice, Some(ContinueChoice::Change));
        assert!(Form::validate(&answers).is_ok());

        let unclear = parse_reply(questions, "5. Satisfaction\nquite good\n6. Continue?\nyes and no\n");
        assert_eq!(unclear.unclear, vec!["satisfaction", "continue"]);
        let kind = questions[5].kind;
        for (word, value) in
            [("Yes!", "continue"), ("doorgaan", "continue"), ("nee", "stop"), ("Stoppen.", "stop"), ("aanpassen", "change")]
        {
            assert_eq!(read_answer(kind, word).as_deref(), Some(value), "{word}");
        }
        let mut form = ReviewAnswers::default();
        form.set("satisfaction", "9".into());
        form.set("continue", "perhaps".into());
        form.set("unknown", "x".into());
        assert_eq!(form, ReviewAnswers::default(), "what is no valid answer sets nothing");
    }

    #[test]
    fn figures_are_scores_and_choices_only() {
        let f = |role, round, satisfaction, continue_choice| ReviewFigure { role, round, satisfaction, continue_choice };
        let figures = ReviewFigures::new(vec![
            f(Role::Mentee, 2, Some(3), Some(ContinueChoice::Change)),
            f(Role::Mentor, 2, Some(4), Some(ContinueChoice::Continue)),
            f(Role::Mentee, 1, None, None),
        ]);
        assert_eq!(figures.members[0].role, Role::Mentor);
        assert_eq!(figures.round(), 2);
        assert_eq!(figures.average_satisfaction(), Some(3.5));
        assert_eq!(figures.choices().map(|(_, n)| n), [1, 0, 1]);
        assert!(figures.asks_change());
        assert!(!ReviewFigures::default().asks_change());
        assert_eq!(ReviewFigures::default().average_satisfaction(), None);
    }
}
