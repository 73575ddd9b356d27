//! Forms answered by mail (G2): a reflection form, a review, a closing evaluation or a
//! follow-up arrives as a mail with numbered questions, and the reply — the answers
//! written under each question — is read back into the form.
//!
//! A form is a list of [`Question`]s; each form's answers type implements [`Form`].
//! [`parse_reply`] reads a reply's text: a line that starts with a question's number
//! (`3.` or `3)`, also when quoted with `>`) opens that question, and the unquoted
//! lines after it, up to the next question, are its answer. So both usual ways of
//! answering work: writing under the quoted questions, and copying the questions
//! above the quote. What cannot be read (a score that is no number from 1 to 5, a
//! choice that is none of the offered words) is reported, never guessed.

use crate::Role;
use crate::validate::ValidationError;

/// What kind of answer a question takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerKind {
    /// Free text of at most this many characters (several lines allowed).
    Text { max_chars: usize },
    /// A whole number between the two bounds, inclusive.
    Scale { min: u8, max: u8 },
    /// One of the choices; each is recognised by its words (English and Dutch).
    Choice(&'static [Choice]),
}

/// One choice of a [`AnswerKind::Choice`] question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The stored value, e.g. `continue`.
    pub value: &'static str,
    /// Words that choose it in a reply, lower case, e.g. `["yes", "ja", "continue"]`.
    pub words: &'static [&'static str],
}

/// One question of a form. Its text is in the catalogues under `{form key}-{field}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question {
    pub field: &'static str,
    pub kind: AnswerKind,
}

/// The answers of a form that can be filled in by mail.
pub trait Form: Default {
    /// The form's catalogue prefix and mail kind, e.g. `reflection`, `review`.
    const KEY: &'static str;
    /// The questions a member with this role answers, in order.
    fn questions(role: Role) -> &'static [Question];
    /// Stores one answer read from a reply (already checked against its question's
    /// kind: a scale is its number, a choice its value).
    fn set(&mut self, field: &str, answer: String);
    /// Checks the whole form as the web and the API do.
    fn validate(&self) -> Result<(), ValidationError>;
}

/// What a reply said, question by question.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedReply {
    /// The readable answers, in the form's order: (field, answer).
    pub answers: Vec<(&'static str, String)>,
    /// Questions answered with something that is not a valid answer of their kind.
    pub unclear: Vec<&'static str>,
}

impl ParsedReply {
    /// Fills a form with the readable answers.
    pub fn into_form<F: Form>(self) -> F {
        let mut form = F::default();
        for (field, answer) in self.answers {
            form.set(field, answer);
        }
        form
    }
}

/// Reads the answers of a reply to a form mail with these questions.
pub fn parse_reply(questions: &[Question], text: &str) -> ParsedReply {
    // The answer lines of each question, by index; the first non-empty answer wins
    // (a question copied above the quote and quoted again below it has one answer).
    let mut found: Vec<Option<String>> = vec![None; questions.len()];
    let mut current: Option<usize> = None;
    let mut lines: Vec<&str> = Vec::new();
    let close = |current: Option<usize>, lines: &mut Vec<&str>, found: &mut Vec<Option<String>>| {
        if let Some(i) = current {
            let answer = tidy(lines);
            if !answer.is_empty() && found[i].is_none() {
                found[i] = Some(answer);
            }
        }
        lines.clear();
    };
    for line in text.lines() {
        let unquoted = line.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
        if let Some(n) = question_number(unquoted).filter(|n| (1..=questions.len()).contains(n)) {
            close(current, &mut lines, &mut found);
            current = Some(n - 1);
            continue;
        }
        if is_signature(line) || is_quote_header(line) {
            close(current, &mut lines, &mut found);
            current = None;
            continue;
        }
        let quoted = line.trim_start().starts_with('>');
        if current.is_some() && !quoted {
            lines.push(line);
        }
    }
    close(current, &mut lines, &mut found);

    let mut reply = ParsedReply::default();
    for (question, answer) in questions.iter().zip(found) {
        let Some(answer) = answer else { continue };
        match read_answer(question.kind, &answer) {
            Some(value) => reply.answers.push((question.field, value)),
            None => reply.unclear.push(question.field),
        }
    }
    reply
}

/// The number a question line starts with: `3.` or `3)` followed by a space or the
/// end of the line.
fn question_number(line: &str) -> Option<usize> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let rest = &line[digits..];
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (Some('.' | ')'), None | Some(' ' | '\t')) => line[..digits].parse().ok(),
        _ => None,
    }
}

/// `-- ` opens a signature (RFC 3676); some clients drop the trailing space.
fn is_signature(line: &str) -> bool {
    line == "-- " || line == "--"
}

/// "On Mon, 7 Dec 2026, Ana wrote:" / "Op ma 7 dec. 2026 schreef Ana:" above a quote.
fn is_quote_header(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    (l.starts_with("on ") && l.ends_with("wrote:")) || (l.starts_with("op ") && (l.ends_with("schreef:") || l.contains(" schreef ")))
}

/// An answer's lines without the blank lines around them, each without trailing space.
fn tidy(lines: &[&str]) -> String {
    let kept: Vec<&str> = lines.iter().map(|l| l.trim_end()).collect();
    let start = kept.iter().position(|l| !l.trim().is_empty()).unwrap_or(kept.len());
    let end = kept.iter().rposition(|l| !l.trim().is_empty()).map_or(start, |e| e + 1);
    kept[start..end].join("\n")
}

/// Reads one answer by its question's kind; `None` when it is not a valid answer.
pub fn read_answer(kind: AnswerKind, answer: &str) -> Option<String> {
    let answer = answer.trim();
    match kind {
        AnswerKind::Text { max_chars } => (answer.chars().count() <= max_chars).then(|| answer.to_owned()),
        AnswerKind::Scale { min, max } => {
            // "4", "4/5", "4 - good", "een 4": the first number decides; a second,
            // different number (other than the scale's top, as in "4 of 5") is unclear.
            let numbers: Vec<u32> = answer
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty() && s.len() <= 3)
                .filter_map(|s| s.parse().ok())
                .collect();
            let first = *numbers.first()?;
            let others_fine = numbers[1..].iter().all(|&n| n == first || n == u32::from(max));
            (others_fine && (u32::from(min)..=u32::from(max)).contains(&first)).then(|| first.to_string())
        }
        AnswerKind::Choice(choices) => {
            let words: Vec<String> =
                answer.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect();
            let chosen: Vec<&Choice> = choices.iter().filter(|c| c.words.iter().any(|w| words.iter().any(|x| x == w))).collect();
            match chosen.as_slice() {
                [one] => Some(one.value.to_owned()),
                _ => None,
            }
        }
    }
}

/// The question lines of a form mail: `1. question` per question, with the answer's
/// kind in `hint` (a scale's range, a choice's words) where the caller gives one.
pub fn numbered<'a>(questions: impl IntoIterator<Item = (&'a str, Option<String>)>) -> String {
    questions
        .into_iter()
        .enumerate()
        .map(|(i, (text, hint))| match hint {
            Some(hint) => format!("{}. {text} ({hint})\n\n", i + 1),
            None => format!("{}. {text}\n\n", i + 1),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTINUE: &[Choice] = &[
        Choice { value: "continue", words: &["yes", "ja", "continue", "doorgaan"] },
        Choice { value: "stop", words: &["no", "nee", "stop", "stoppen"] },
        Choice { value: "change", words: &["change", "veranderen", "aanpassen"] },
    ];
    const QUESTIONS: &[Question] = &[
        Question { field: "felt", kind: AnswerKind::Text { max_chars: 2000 } },
        Question { field: "went_well", kind: AnswerKind::Text { max_chars: 2000 } },
        Question { field: "satisfaction", kind: AnswerKind::Scale { min: 1, max: 5 } },
        Question { field: "continue", kind: AnswerKind::Choice(CONTINUE) },
    ];

    #[test]
    fn answers_under_the_quoted_questions() {
        let reply = "Hier mijn antwoorden.\n\n\
            Op ma 7 dec. 2026 om 09:00 schreef mentorpost <form@example.org>:\n\
            > Beantwoord de vragen hieronder.\n>\n\
            > 1. Hoe voelde je je?\n\
            Zenuwachtig, daarna opgelucht.\n\
            Vooral na het oefenen.\n>\n\
            > 2. Wat ging goed?\n>\n\
            \n\
            Het gesprek met Łucja over presenteren.\n\n\
            > 3. Tevredenheid (1–5)\n\
            4\n\
            > 4. Doorgaan? (ja / nee / veranderen)\n\
            ja, graag\n\
            > Groet, mentorpost\n";
        let parsed = parse_reply(QUESTIONS, reply);
        assert_eq!(
            parsed.answers,
            vec![
                ("felt", "Zenuwachtig, daarna opgelucht.\nVooral na het oefenen.".to_owned()),
                ("went_well", "Het gesprek met Łucja over presenteren.".to_owned()),
                ("satisfaction", "4".to_owned()),
                ("continue", "continue".to_owned()),
            ]
        );
        assert!(parsed.unclear.is_empty());
    }

    #[test]
    fn questions_copied_above_the_quote_win_over_the_quoted_copy() {
        let reply = "1. How did you feel?\nCalm.\n\n3) Satisfaction\n5/5\n\n-- \nAyşe\n\n\
            On Mon, 7 Dec 2026, mentorpost wrote:\n> 1. How did you feel?\n> 2. What went well?\n> 3. Satisfaction (1-5)\n";
        let parsed = parse_reply(QUESTIONS, reply);
        assert_eq!(parsed.answers, vec![("felt", "Calm.".to_owned()), ("satisfaction", "5".to_owned())]);
    }

    #[test]
    fn what_cannot_be_read_is_reported_not_guessed() {
        let reply = "3. Satisfaction\nvery good\n4. Continue?\nyes, but change the rhythm\n1. Felt\n";
        let parsed = parse_reply(QUESTIONS, reply);
        assert!(parsed.answers.is_empty());
        assert_eq!(parsed.unclear, vec!["satisfaction", "continue"]);
        assert_eq!(read_answer(AnswerKind::Scale { min: 1, max: 5 }, "7"), None);
        assert_eq!(read_answer(AnswerKind::Scale { min: 1, max: 5 }, "een 3 van de 5"), Some("3".into()));
        assert_eq!(read_answer(AnswerKind::Scale { min: 1, max: 5 }, "3 or 4"), None);
        assert_eq!(read_answer(AnswerKind::Choice(CONTINUE), "Veranderen."), Some("change".into()));
        assert_eq!(read_answer(AnswerKind::Text { max_chars: 3 }, "four"), None);
    }

    #[test]
    fn numbers_outside_the_form_and_inside_answers_are_text() {
        let reply = "1.\nWe spraken 2 uur.\n12. niet bestaand\n2024. een jaartal\n2.5 uur was te lang\n";
        let parsed = parse_reply(QUESTIONS, reply);
        assert_eq!(
            parsed.answers,
            vec![("felt", "We spraken 2 uur.\n12. niet bestaand\n2024. een jaartal\n2.5 uur was te lang".to_owned())]
        );
    }

    #[test]
    fn the_mail_numbers_its_questions() {
        let text = numbered([("How did you feel?", None), ("Satisfaction", Some("1–5".to_owned()))]);
        assert_eq!(text, "1. How did you feel?\n\n2. Satisfaction (1–5)\n\n");
        let parsed = parse_reply(QUESTIONS, &text);
        assert_eq!(parsed, ParsedReply::default(), "the questions alone answer nothing");
    }
}
