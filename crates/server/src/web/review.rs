//! The periodic review's page (F8), `/mentorships/{id}/review`: when a round is due
//! the mentorship page prompts for it and links here; the form asks how the meetings
//! go, whether there is enough time, whether the topics are covered, the growth
//! towards the goals, a satisfaction score (1–5) and whether to continue, stop or
//! change something. Every answer is optional. After saving, the member reads their
//! own answers here, and may change them. Nobody else reads them: a coordinator sees
//! the score and the choice as figures only.

use super::session::{Member, Signed};
use super::signin::{Errors, FieldError};
use super::{PageError, Ui, render, see_other};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mentorpost_auth::permission::Action;
use mentorpost_model::review::{ContinueChoice, ReviewAnswers, ReviewRequest, ReviewView, review_due_on};
use mentorpost_model::{MentorshipId, MentorshipStatus};
use serde::Deserialize;

/// The review form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    round: String,
    #[serde(default)]
    meetings: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    topics: String,
    #[serde(default)]
    growth: String,
    #[serde(default)]
    satisfaction: String,
    #[serde(rename = "continue", default)]
    continue_choice: String,
    #[serde(default)]
    comments: String,
}

impl ReviewForm {
    fn stored(r: &ReviewView) -> Self {
        let a = &r.answers;
        ReviewForm {
            round: r.round.to_string(),
            meetings: a.meetings.clone(),
            time: a.time.clone(),
            topics: a.topics.clone(),
            growth: a.growth.clone(),
            satisfaction: a.satisfaction.map(|s| s.to_string()).unwrap_or_default(),
            continue_choice: a.continue_choice.map(|c| c.as_str().to_owned()).unwrap_or_default(),
            comments: a.comments.clone(),
        }
    }
}

/// A text question of the form: field, label, what it holds.
pub struct TextQuestion {
    pub field: &'static str,
    pub label: String,
    pub value: String,
}

/// One radio button of a group.
pub struct Radio {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One of the member's own reviews, as the page shows it.
pub struct ReviewShown {
    pub heading: String,
    pub when: String,
    /// (question, answer) of the answered questions.
    pub answers: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "web/review.html")]
struct ReviewPage {
    ui: Ui,
    id: MentorshipId,
    with: String,
    /// The round the form is for (0: no form).
    round: i64,
    heading: String,
    intro: String,
    texts: Vec<TextQuestion>,
    comments: TextQuestion,
    scores: Vec<Radio>,
    choices: Vec<Radio>,
    reviews: Vec<ReviewShown>,
    errors: Errors,
    done: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReviewQuery {
    #[serde(default)]
    done: Option<String>,
}

/// The text of a problem with a field: `ms-error-<field>-<code>` in the catalogues.
fn problem(member: &Member, field: &'static str, code: &str) -> FieldError {
    let key = format!("ms-error-{}-{}", field.replace('_', "-"), code.replace('_', "-"));
    FieldError { field, message: member.tr.t(&key) }
}

fn choice_key(choice: ContinueChoice) -> &'static str {
    match choice {
        ContinueChoice::Continue => "review-choice-continue",
        ContinueChoice::Stop => "review-choice-stop",
        ContinueChoice::Change => "review-choice-change",
    }
}

/// The label of each text question, in the form's order.
const TEXT_LABELS: [(&str, &str); 5] = [
    ("meetings", "review-meetings"),
    ("time", "review-time"),
    ("topics", "review-topics"),
    ("growth", "review-growth"),
    ("comments", "review-comments"),
];

async fn show(
    state: &AppState,
    member: &Member,
    id: MentorshipId,
    draft: Option<ReviewForm>,
    errors: Vec<FieldError>,
    done: bool,
) -> Result<Response, PageError> {
    let access = crate::http::mentorship_access(state, &member.as_api_user(), id).await?;
    crate::http::guard(&access, Action::ReadContent)?;
    let pool = state.db.pool();
    let view = store::mentorships::get(pool, id).await?.ok_or(PageError::NotFound)?;
    let schedule = store::reviews::schedule(pool, id).await?.ok_or(PageError::NotFound)?;
    let mine = store::reviews::for_member(pool, id, member.id()).await?;
    let tr = &member.tr;
    let today = schedule.today(state.clock.now());
    let due = schedule.due_round(today);
    let can_write = access.permit(Action::WriteContent).is_ok() && view.status != MentorshipStatus::Closed;
    let months = |round: i64| i64::from(schedule.every_months) * round;

    // The form is for the round due now (prefilled when answered already), or for
    // what failed to save.
    let round = if can_write { due } else { 0 };
    let form = match draft {
        Some(d) => d,
        None => mine.iter().find(|r| r.round == round).map(ReviewForm::stored).unwrap_or_default(),
    };
    let heading = if round > 0 { tr.tn("review-title-round", "count", months(round)) } else { tr.t("review-title") };
    let intro = if round > 0 {
        tr.t("review-intro")
    } else if can_write {
        let next = review_due_on(schedule.start, schedule.every_months, u32::try_from(due + 1).unwrap_or(u32::MAX));
        tr.ts("review-next", "date", &tr.date(next))
    } else {
        tr.t("review-closed")
    };
    let value = |field: &str| match field {
        "meetings" => form.meetings.clone(),
        "time" => form.time.clone(),
        "topics" => form.topics.clone(),
        "growth" => form.growth.clone(),
        _ => form.comments.clone(),
    };
    let mut texts: Vec<TextQuestion> =
        TEXT_LABELS.iter().map(|(field, key)| TextQuestion { field, label: tr.t(key), value: value(field) }).collect();
    let comments = texts.pop().unwrap_or(TextQuestion { field: "comments", label: tr.t("review-comments"), value: String::new() });
    let scores = (1..=5)
        .map(|s: u8| Radio { value: s.to_string(), label: tr.t(&format!("review-score-{s}")), checked: form.satisfaction == s.to_string() })
        .collect();
    let choices = ContinueChoice::ALL
        .iter()
        .map(|c| Radio { value: c.as_str().to_owned(), label: tr.t(choice_key(*c)), checked: form.continue_choice == c.as_str() })
        .collect();
    let reviews = mine
        .iter()
        .map(|r| {
            let a = &r.answers;
            let mut answers: Vec<(String, String)> = Vec::new();
            for (field, text) in a.texts().into_iter().take(4) {
                if !text.trim().is_empty() {
                    answers.push((tr.t(&format!("review-{field}")), text.to_owned()));
                }
            }
            if let Some(s) = a.satisfaction {
                answers.push((tr.t("review-satisfaction"), tr.t(&format!("review-score-{s}"))));
            }
            if let Some(c) = a.continue_choice {
                answers.push((tr.t("review-continue"), tr.t(choice_key(c))));
            }
            if !a.comments.trim().is_empty() {
                answers.push((tr.t("review-comments"), a.comments.clone()));
            }
            ReviewShown {
                heading: tr.tn("review-title-round", "count", months(r.round)),
                when: tr.ts("review-saved-on", "time", &tr.when_full(r.updated_at)),
                answers,
            }
        })
        .collect();
    let others: Vec<&str> =
        view.members.iter().filter(|m| m.user_id != member.id() && m.left_at.is_none()).map(|m| m.display_name.as_str()).collect();
    let with = if others.is_empty() { tr.t("inbox-only-you") } else { others.join(" & ") };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = ReviewPage {
        ui: Ui::for_member(member),
        id,
        with,
        round,
        heading,
        intro,
        texts,
        comments,
        scores,
        choices,
        reviews,
        errors: Errors(errors),
        done,
    };
    Ok((status, render(&page)?).into_response())
}

fn mentorship_id(id: &str) -> Result<MentorshipId, PageError> {
    id.parse().map_err(|_| PageError::NotFound)
}

/// `GET /mentorships/{id}/review`.
pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<ReviewQuery>,
) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    show(&state, &member, id, None, Vec::new(), q.done.as_deref() == Some("saved")).await
}

/// `POST /mentorships/{id}/review`: the member's answers for the round due.
pub async fn save(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<ReviewForm>) -> Result<Response, PageError> {
    let id = mentorship_id(&id)?;
    let Signed { member, form, .. } = signed;
    let access = crate::http::mentorship_access(&state, &member.as_api_user(), id).await?;
    crate::http::guard(&access, Action::WriteContent)?;
    // A browser sends a textarea's line breaks as CR LF; the records keep LF.
    let text = |s: &str| s.replace("\r\n", "\n").trim().to_owned();
    let mut errors = Vec::new();
    let satisfaction = match form.satisfaction.trim() {
        "" => None,
        s => match s.parse::<u8>().ok().filter(|s| (1..=5).contains(s)) {
            Some(s) => Some(s),
            None => {
                errors.push(problem(&member, "satisfaction", "out_of_range"));
                None
            }
        },
    };
    let continue_choice = match form.continue_choice.trim() {
        "" => None,
        c => {
            let parsed = ContinueChoice::parse(c);
            if parsed.is_none() {
                errors.push(problem(&member, "continue", "invalid"));
            }
            parsed
        }
    };
    let answers = ReviewAnswers {
        meetings: text(&form.meetings),
        time: text(&form.time),
        topics: text(&form.topics),
        growth: text(&form.growth),
        comments: text(&form.comments),
        satisfaction,
        continue_choice,
    };
    // Each answer checked on its own, so every problem shows at once.
    for (field, value) in answers.texts() {
        if let Err(e) = ReviewAnswers::check_text(field, value) {
            errors.push(problem(&member, e.field, e.code));
        }
    }
    if errors.is_empty()
        && let Err(e) = answers.validate()
    {
        errors.push(problem(&member, e.field, e.code));
    }
    let round = form.round.trim().parse::<i64>().unwrap_or(0);
    if !errors.is_empty() {
        return show(&state, &member, id, Some(form), errors, false).await;
    }
    match crate::http::reviews::write(&state, &access, member.id(), ReviewRequest { round, answers }).await {
        Ok(_) => Ok(see_other(&format!("/mentorships/{id}/review?done=saved#saved"))),
        Err(ApiError::Unprocessable { code: "not_due", .. }) => {
            let errors = vec![problem(&member, "round", "not_due")];
            show(&state, &member, id, Some(form), errors, false).await
        }
        Err(other) => Err(other.into()),
    }
}
