//! Check-ins (F13): a coordinator asks how a mentorship is going; each member answers
//! with one of three statuses — on the web, or by replying `1`, `2` or `3` (or the
//! words) to the mail. Only the status reaches the coordinator, never any text.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckinStatus {
    GoingWell,
    NeedHelp,
    WantToEnd,
}

impl CheckinStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckinStatus::GoingWell => "going_well",
            CheckinStatus::NeedHelp => "need_help",
            CheckinStatus::WantToEnd => "want_to_end",
        }
    }

    pub fn parse(s: &str) -> Option<CheckinStatus> {
        match s {
            "going_well" => Some(CheckinStatus::GoingWell),
            "need_help" => Some(CheckinStatus::NeedHelp),
            "want_to_end" => Some(CheckinStatus::WantToEnd),
            _ => None,
        }
    }
}

/// The answer in a reply's text: its first non-empty line, read as `1`/`2`/`3` or the
/// words in English or Dutch, case and punctuation ignored. `None` when the line says
/// something else (then the reply is an ordinary message).
pub fn parse_answer(text: &str) -> Option<CheckinStatus> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let words: String = line
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_lowercase().next().unwrap_or(c) } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let status = match words.as_str() {
        "1" | "going well" | "it is going well" | "its going well" | "well" | "good" | "goed" | "gaat goed" | "het gaat goed" => {
            CheckinStatus::GoingWell
        }
        "2" | "need help" | "i need help" | "help" | "hulp" | "hulp nodig" | "ik heb hulp nodig" => CheckinStatus::NeedHelp,
        "3" | "want to end" | "i want to end" | "end" | "stop" | "stoppen" | "wil stoppen" | "ik wil stoppen" => CheckinStatus::WantToEnd,
        _ => return None,
    };
    Some(status)
}

/// True when the reply says nothing but the answer (then it is not posted as a
/// message as well).
pub fn is_bare_answer(text: &str) -> bool {
    parse_answer(text).is_some() && text.lines().filter(|l| !l.trim().is_empty()).count() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_in_numbers_and_words() {
        assert_eq!(parse_answer("1"), Some(CheckinStatus::GoingWell));
        assert_eq!(parse_answer("  2.\n\nEn verder..."), Some(CheckinStatus::NeedHelp));
        assert_eq!(parse_answer("Gaat goed!"), Some(CheckinStatus::GoingWell));
        assert_eq!(parse_answer("Ik wil stoppen"), Some(CheckinStatus::WantToEnd));
        assert_eq!(parse_answer("Need help"), Some(CheckinStatus::NeedHelp));
        assert_eq!(parse_answer("12"), None);
        assert_eq!(parse_answer("Het gaat goed, maar de planning loopt uit"), None);
        assert_eq!(parse_answer(""), None);
        assert!(is_bare_answer("3\n"));
        assert!(!is_bare_answer("3\nIk heb een andere baan."));
    }
}
