//! Sessions (F5): a logged meeting may say what it set out to learn, what was
//! explored, and which actions were agreed — each with an owner and a due date. The
//! words are the members' own; a coordinator never reads them.

use crate::validate::{DateWindow, ValidationError};
use crate::{MentorshipId, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest learning goal or "what we explored", in characters.
pub const MAX_SESSION_TEXT_CHARS: usize = 2000;
/// Longest action, in characters.
pub const MAX_ACTION_CHARS: usize = 300;
/// Most actions one session may agree.
pub const MAX_ACTIONS: usize = 10;

/// An action agreed in a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    /// What will be done, ≤ 300 characters.
    pub text: String,
    /// Who does it: a current member of the mentorship.
    pub owner_id: UserId,
    /// When it is due, in the programme's time zone.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2026-09-24")]
    pub due_on: Option<NaiveDate>,
}

/// An action as members see it. `number` is the mentorship's own count (1, 2, …): a
/// member ticks an action off by mail with "done N".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActionView {
    pub id: String,
    pub mentorship_id: MentorshipId,
    pub number: i64,
    pub text: String,
    pub owner_id: UserId,
    pub owner_name: String,
    #[schema(value_type = Option<String>)]
    pub due_on: Option<NaiveDate>,
    /// The session that agreed it.
    pub meeting_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<UserId>,
}

/// Checks a session's own texts: the learning goal and what was explored.
pub fn check_session_text(field: &'static str, value: Option<&str>) -> Result<(), ValidationError> {
    let Some(value) = value else { return Ok(()) };
    if value.chars().count() > MAX_SESSION_TEXT_CHARS {
        return Err(ValidationError::new(field, "too_long", format!("{field} has at most {MAX_SESSION_TEXT_CHARS} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(ValidationError::new(field, "control_characters", format!("{field} may not contain control characters")));
    }
    Ok(())
}

/// Checks a session's actions: text present and short, due dates the programme's
/// records may carry. Whether each owner is a member is for the caller to check.
pub fn check_actions(actions: &[NewAction], window: DateWindow) -> Result<(), ValidationError> {
    if actions.len() > MAX_ACTIONS {
        return Err(ValidationError::new("actions", "too_many_actions", format!("a session agrees at most {MAX_ACTIONS} actions")));
    }
    for action in actions {
        let text = action.text.trim();
        if text.is_empty() {
            return Err(ValidationError::new("actions", "action_text_missing", "every action says what will be done"));
        }
        if text.chars().count() > MAX_ACTION_CHARS {
            return Err(ValidationError::new("actions", "action_too_long", format!("an action has at most {MAX_ACTION_CHARS} characters")));
        }
        if text.chars().any(char::is_control) {
            return Err(ValidationError::new("actions", "control_characters", "an action is one line without control characters"));
        }
        if let Some(due) = action.due_on {
            window.check("actions", due)?;
        }
    }
    Ok(())
}

/// Whether an open action is due within the week that starts `today`: what a digest
/// lists under "due this week" (overdue ones included: they are due all the more).
pub fn due_this_week(action: &ActionView, today: NaiveDate) -> bool {
    action.done_at.is_none() && action.due_on.is_some_and(|d| d < today + chrono::Duration::days(7))
}

/// Most actions one mail may tick off.
pub const MAX_DONE_PER_MAIL: usize = 20;

/// The actions a mail ticks off: its first line of its own (quotes aside) says "done"
/// (or "klaar", "gedaan", "afgerond", "afgevinkt") followed by their numbers — "done
/// 3", "Done #3, #4", "klaar 2 en 5." — and nothing else. `None` when the line says
/// anything more: then it is a message, not a command.
pub fn parse_done(text: &str) -> Option<Vec<i64>> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('>'))?;
    let lower = line.to_lowercase();
    let cleaned: String = lower.chars().map(|c| if matches!(c, ',' | '&' | '#' | ':' | ';' | '.' | '!' | '+') { ' ' } else { c }).collect();
    let mut words = cleaned.split_whitespace();
    if !matches!(words.next()?, "done" | "klaar" | "gedaan" | "afgerond" | "afgevinkt") {
        return None;
    }
    let mut numbers = Vec::new();
    for word in words {
        match word {
            "and" | "en" | "action" | "actions" | "actie" | "acties" | "nr" | "no" | "number" | "nummer" => {}
            n => {
                let n: i64 = n.parse().ok().filter(|n| *n > 0)?;
                if !numbers.contains(&n) {
                    numbers.push(n);
                }
            }
        }
    }
    (!numbers.is_empty() && numbers.len() <= MAX_DONE_PER_MAIL).then_some(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window() -> DateWindow {
        DateWindow::for_programme(
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(2026, 9, 10).unwrap_or_default(),
        )
    }

    fn action(text: &str, due: Option<NaiveDate>) -> NewAction {
        NewAction { text: text.into(), owner_id: UserId::new(), due_on: due }
    }

    #[test]
    fn actions_are_checked() {
        let sept = |d| NaiveDate::from_ymd_opt(2026, 9, d);
        assert!(check_actions(&[action("Cv herschrijven voor de vacature in Łódź", sept(24))], window()).is_ok());
        let code = |a: &[NewAction]| check_actions(a, window()).err().map(|e| e.code);
        assert_eq!(code(&[action("  ", None)]), Some("action_text_missing"));
        assert_eq!(code(&[action(&"x".repeat(301), None)]), Some("action_too_long"));
        assert_eq!(code(&[action("twee\nregels", None)]), Some("control_characters"));
        assert_eq!(code(&vec![action("a", None); 11]), Some("too_many_actions"));
        assert!(code(&[action("ver weg", NaiveDate::from_ymd_opt(2999, 1, 1))]).is_some(), "a date the records may not carry");
    }

    #[test]
    fn done_by_mail() {
        assert_eq!(parse_done("done 3"), Some(vec![3]));
        assert_eq!(parse_done("Done #3, #4.\n\nHenk\n\n> Actions due this week:\n> 5. Iets"), Some(vec![3, 4]));
        assert_eq!(parse_done("  klaar 2 en 5!"), Some(vec![2, 5]));
        assert_eq!(parse_done("Gedaan: actie 7"), Some(vec![7]));
        assert_eq!(parse_done("> done 9\nafgevinkt 1 & 1"), Some(vec![1]), "quotes are not the writer's; a number once");
        assert_eq!(parse_done("done"), None, "no number");
        assert_eq!(parse_done("done 0"), None);
        assert_eq!(parse_done("done 3 but I need help with 4"), None, "more than a command: a message");
        assert_eq!(parse_done("Is action 3 done?"), None);
        assert_eq!(parse_done(""), None);
        let many = format!("done {}", (1..=21).map(|n| n.to_string()).collect::<Vec<_>>().join(" "));
        assert_eq!(parse_done(&many), None);
    }

    #[test]
    fn session_texts_are_checked() {
        assert!(check_session_text("learning_goal", Some("Presenteren voor een groot publiek")).is_ok());
        assert!(check_session_text("learning_goal", None).is_ok());
        assert_eq!(check_session_text("explored", Some(&"é".repeat(2001))).err().map(|e| e.code), Some("too_long"));
    }

    #[test]
    fn due_this_week_includes_overdue_and_leaves_done_out() {
        let today = NaiveDate::from_ymd_opt(2026, 9, 10).unwrap_or_default();
        let view = |due: Option<NaiveDate>, done: bool| ActionView {
            id: "a".into(),
            mentorship_id: MentorshipId::new(),
            number: 1,
            text: "t".into(),
            owner_id: UserId::new(),
            owner_name: "Zofia".into(),
            due_on: due,
            meeting_id: None,
            created_at: DateTime::<Utc>::MIN_UTC,
            done_at: done.then_some(DateTime::<Utc>::MIN_UTC),
            done_by: None,
        };
        let day = |d| NaiveDate::from_ymd_opt(2026, 9, d);
        assert!(due_this_week(&view(day(16), false), today));
        assert!(!due_this_week(&view(day(17), false), today));
        assert!(due_this_week(&view(day(1), false), today), "overdue");
        assert!(!due_this_week(&view(day(12), true), today), "done");
        assert!(!due_this_week(&view(None, false), today), "no date");
    }
}
