//! Netiquette hints while writing (G3, G9, G10, G13): one set of pure rules over a
//! draft that says what a reader may stumble over — a subject that says little, text
//! in capitals, one long block of text, a late answer that does not mention the
//! wait, personal data such as a phone or bank number. Hints are advice: nothing here
//! refuses a message, and the page shows them as dismissible notes.
//!
//! [`check`] returns each hint as a code (a stable text, see [`HintCode`]), the field
//! it concerns and the span it points at. Spans are **UTF-16 code units**, end
//! exclusive: the unit of a browser's `selectionStart`/`setSelectionRange` and of
//! JavaScript string indices, so the page can mark the span without converting.
//! An emoji counts two, `é` one.
//!
//! Each rule is one linear pass over the text, without backtracking, so the cost
//! grows with the length of the draft and nothing else; no input can make them panic
//! (a property test feeds them arbitrary text).

use crate::subject;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What the rules look at: the text being written and, for an answer, how long the
/// message being answered has waited.
#[derive(Clone, Copy, Debug)]
pub struct Draft<'a> {
    /// The subject of a new thread; `None` for a reply, which has no subject field.
    pub subject: Option<&'a str>,
    pub body: &'a str,
    /// Set when the draft answers a message of someone else.
    pub reply: Option<ReplyContext>,
    /// Who has been writing in the mentorship lately, when known.
    pub balance: Option<Balance>,
}

/// Messages in a mentorship over the last [`BALANCE_DAYS`] days: by the writer's side
/// (everyone with the writer's role) and by the other side (G10).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Balance {
    pub mine: u32,
    pub others: u32,
}

/// The window the balance hint looks at.
pub const BALANCE_DAYS: i64 = 28;
/// Below this many messages in the window there is no pattern to speak of.
pub const BALANCE_MIN_MESSAGES: u32 = 6;

/// The wait behind a reply (G7, F15).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyContext {
    /// How long the message being answered has waited so far.
    pub waited: chrono::Duration,
    /// The response time the members agreed on.
    pub response_time: chrono::Duration,
}

/// Which hint. The text forms are stable: the page keys its texts on them
/// (`hint-<code with dashes>-title` and `-why` in the Fluent files).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
pub enum HintCode {
    /// A new thread without a subject (G9).
    #[serde(rename = "subject_missing")]
    SubjectMissing,
    /// A subject that will not help find the thread again: a greeting, `vraag`,
    /// `update`, a bare `Fwd`, one short word, only punctuation (G9).
    #[serde(rename = "subject_vague")]
    SubjectVague,
    /// Several words, or most of the text, in capitals (G3, G13).
    #[serde(rename = "shouting")]
    Shouting,
    /// A long stretch of text without a blank line between paragraphs (G13).
    #[serde(rename = "wall_of_text")]
    WallOfText,
    /// An answer later than the agreed response time that does not mention the wait
    /// (G7, G13).
    #[serde(rename = "late_reply_unacknowledged")]
    LateReplyUnacknowledged,
    /// A phone number (G3, G12).
    #[serde(rename = "personal_data_phone")]
    PersonalDataPhone,
    /// A bank account number (IBAN) with a valid checksum (G3, G12).
    #[serde(rename = "personal_data_iban")]
    PersonalDataIban,
    /// A Dutch citizen service number (BSN) that passes the eleven test (G3, G12).
    #[serde(rename = "personal_data_bsn")]
    PersonalDataBsn,
    /// The writer's side wrote nearly everything lately (G10): a nudge to ask and
    /// listen rather than to add more.
    #[serde(rename = "one_sided")]
    OneSided,
}

impl HintCode {
    pub const ALL: [HintCode; 9] = [
        HintCode::SubjectMissing,
        HintCode::SubjectVague,
        HintCode::Shouting,
        HintCode::WallOfText,
        HintCode::LateReplyUnacknowledged,
        HintCode::PersonalDataPhone,
        HintCode::PersonalDataIban,
        HintCode::PersonalDataBsn,
        HintCode::OneSided,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HintCode::SubjectMissing => "subject_missing",
            HintCode::SubjectVague => "subject_vague",
            HintCode::Shouting => "shouting",
            HintCode::WallOfText => "wall_of_text",
            HintCode::LateReplyUnacknowledged => "late_reply_unacknowledged",
            HintCode::PersonalDataPhone => "personal_data_phone",
            HintCode::PersonalDataIban => "personal_data_iban",
            HintCode::PersonalDataBsn => "personal_data_bsn",
            HintCode::OneSided => "one_sided",
        }
    }

    /// The code as it appears in Fluent message ids: `subject-vague`.
    pub fn message_id(self) -> String {
        self.as_str().replace('_', "-")
    }
}

impl std::fmt::Display for HintCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The field a hint points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
pub enum HintField {
    #[serde(rename = "subject")]
    Subject,
    #[serde(rename = "body")]
    Body,
}

/// One hint: what, where, and the span it points at in UTF-16 code units (end
/// exclusive; see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
pub struct Hint {
    pub code: HintCode,
    pub field: HintField,
    pub start: usize,
    pub end: usize,
}

/// A body longer than this many characters in one paragraph is a wall of text.
pub const WALL_CHARS: usize = 1200;

/// At most this many hints of one code in one field: a pasted list of a hundred phone
/// numbers needs one nudge, not a hundred marks.
pub const MAX_PER_CODE: usize = 20;

/// The hints for a draft, subject first, then by position.
pub fn check(draft: &Draft<'_>) -> Vec<Hint> {
    let mut found: Vec<Found> = Vec::new();
    if let Some(subject) = draft.subject {
        subject_hints(subject, &mut found);
    }
    body_hints(draft.body, draft.reply, &mut found);
    if let Some(balance) = draft.balance {
        one_sided(draft.body, balance, &mut found);
    }
    let mut hints = Vec::with_capacity(found.len());
    for field in [HintField::Subject, HintField::Body] {
        let text = match field {
            HintField::Subject => draft.subject.unwrap_or_default(),
            HintField::Body => draft.body,
        };
        let mut spans: Vec<&Found> = found.iter().filter(|f| f.field == field).collect();
        spans.sort_by_key(|f| (f.start, f.end, f.code));
        let mut kept = Vec::with_capacity(spans.len());
        for f in spans {
            if kept.iter().filter(|k: &&&Found| k.code == f.code).count() < MAX_PER_CODE {
                kept.push(f);
            }
        }
        let units = utf16_offsets(text, kept.iter().flat_map(|f| [f.start, f.end]));
        for f in kept {
            let at = |byte: usize| units.binary_search_by_key(&byte, |&(b, _)| b).map_or(0, |i| units[i].1);
            hints.push(Hint { code: f.code, field, start: at(f.start), end: at(f.end) });
        }
    }
    hints
}

/// A hint with byte offsets, before they become UTF-16 offsets.
#[derive(Clone, Copy, Debug)]
struct Found {
    code: HintCode,
    field: HintField,
    start: usize,
    end: usize,
}

/// UTF-16 offsets of the given byte offsets (each on a char boundary), sorted by byte
/// offset, in one pass over the text.
fn utf16_offsets(text: &str, bytes: impl Iterator<Item = usize>) -> Vec<(usize, usize)> {
    let mut wanted: Vec<usize> = bytes.collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = Vec::with_capacity(wanted.len());
    let mut units = 0;
    let mut next = wanted.iter().peekable();
    for (i, c) in text.char_indices() {
        while let Some(&&b) = next.peek() {
            if b > i {
                break;
            }
            out.push((b, units));
            next.next();
        }
        units += c.len_utf16();
    }
    // Offsets at the end of the text.
    out.extend(next.map(|&b| (b, units)));
    out
}

fn subject_hints(subject: &str, found: &mut Vec<Found>) {
    let field = HintField::Subject;
    let trimmed = trimmed_span(subject, 0, subject.len());
    if trimmed.0 == trimmed.1 {
        found.push(Found { code: HintCode::SubjectMissing, field, start: 0, end: subject.len() });
        return;
    }
    if subject::says_little(subject) {
        found.push(Found { code: HintCode::SubjectVague, field, start: trimmed.0, end: trimmed.1 });
    }
    shouting(subject, field, 8, found);
    personal_data(subject, field, found);
}

fn body_hints(body: &str, reply: Option<ReplyContext>, found: &mut Vec<Found>) {
    let field = HintField::Body;
    shouting(body, field, 20, found);
    wall_of_text(body, found);
    if let Some(reply) = reply {
        late_reply(body, reply, found);
    }
    personal_data(body, field, found);
}

/// `(start, end)` of `text[start..end]` without surrounding whitespace.
fn trimmed_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let slice = text.get(start..end).unwrap_or_default();
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    if lead == slice.len() { (start, start) } else { (start + lead, end - trail) }
}

/// The lines of `text` with their byte offsets, without the line break.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split('\n').map(move |line| {
        let start = offset;
        offset += line.len() + 1;
        (start, line.strip_suffix('\r').unwrap_or(line))
    })
}

/// A line quoting earlier mail (`> …`): its words are someone else's.
fn is_quote(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

// ---- shouting ----

/// Capitalised words that are names or school types rather than raised voices; words
/// of up to three letters (`KLM`, `ICT`, `HR`, `NS`) are taken as acronyms anyway.
/// Sorted, for a binary search.
const ACRONYMS: &[&str] = &[
    "AMRO", "ANWB", "ASAP", "ASML", "COVID", "GDPR", "HAVO", "HTML", "HTTP", "IBAN", "IKEA", "JSON", "NASA", "NATO", "NOTE", "RIVM",
    "SMART", "TODO", "UNESCO", "UNICEF", "VMBO",
];

/// A word as the shouting rule sees it: a run of letters and digits.
#[derive(Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    upper: usize,
    lower: usize,
    digits: bool,
    /// A capitalised word that reads as an abbreviation or a name, not a raised voice.
    acronym: bool,
}

impl Word {
    /// All its cased letters are capitals, at least two, and no digits: `NL91`,
    /// `A4` and `MP3` are codes, not raised voices.
    fn is_caps(&self) -> bool {
        self.lower == 0 && self.upper >= 2 && !self.digits
    }
}

/// Calls `f` with every word of `line` (offset `base` in the text).
fn words(line: &str, base: usize, mut f: impl FnMut(Word)) {
    let mut f = |mut w: Word| {
        w.acronym =
            w.is_caps() && (w.upper <= 3 || line.get(w.start - base..w.end - base).is_some_and(|t| ACRONYMS.binary_search(&t).is_ok()));
        f(w)
    };
    let mut current: Option<Word> = None;
    for (i, c) in line.char_indices() {
        if c.is_alphanumeric() {
            let w = current.get_or_insert(Word { start: base + i, end: base + i, upper: 0, lower: 0, digits: false, acronym: false });
            w.end = base + i + c.len_utf8();
            if c.is_uppercase() {
                w.upper += 1;
            } else if c.is_lowercase() {
                w.lower += 1;
            } else if c.is_numeric() {
                w.digits = true;
            }
        } else if let Some(w) = current.take() {
            f(w);
        }
    }
    if let Some(w) = current {
        f(w);
    }
}

/// Shouting: a run of three or more words in capitals on one line (at least nine
/// letters, not only acronyms), or — for a text with at least `min_letters` letters
/// outside acronyms — most of those letters capitals, which is one hint over the
/// whole text. Quoted lines are someone else's words and are skipped.
fn shouting(text: &str, field: HintField, min_letters: usize, found: &mut Vec<Found>) {
    let (mut upper, mut cased) = (0usize, 0usize);
    let mut span: Option<(usize, usize)> = None;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (base, line) in lines(text) {
        if is_quote(line) {
            continue;
        }
        // The current run: start, end, words, letters, whether a word is no acronym.
        let mut run: Option<(usize, usize, usize, usize, bool)> = None;
        let mut close = |run: &mut Option<(usize, usize, usize, usize, bool)>| {
            if let Some((start, end, count, letters, plain)) = run.take()
                && count >= 3
                && letters >= 9
                && plain
            {
                runs.push((start, end));
            }
        };
        words(line, base, |w| {
            // Codes such as `NL91` or `A4` say nothing about the tone.
            if w.digits {
                return;
            }
            if !w.acronym {
                upper += w.upper;
                cased += w.upper + w.lower;
                if w.upper + w.lower > 0 {
                    let s = span.get_or_insert((w.start, w.end));
                    s.1 = w.end;
                }
            }
            if w.is_caps() {
                let r = run.get_or_insert((w.start, w.end, 0, 0, false));
                r.1 = w.end;
                r.2 += 1;
                r.3 += w.upper;
                r.4 |= !w.acronym;
            } else if w.lower > 0 {
                close(&mut run);
            }
            // Words without two cased letters (`I`, `é`) neither extend nor end a run.
        });
        close(&mut run);
    }
    let mostly_caps = cased >= min_letters && upper * 10 >= cased * 7;
    match span {
        Some((start, end)) if mostly_caps => found.push(Found { code: HintCode::Shouting, field, start, end }),
        _ => found.extend(runs.into_iter().map(|(start, end)| Found { code: HintCode::Shouting, field, start, end })),
    }
}

// ---- wall of text ----

/// Each paragraph (lines between blank lines, quoted lines left out) longer than
/// [`WALL_CHARS`] characters.
fn wall_of_text(body: &str, found: &mut Vec<Found>) {
    let mut paragraph: Option<(usize, usize, usize)> = None;
    let mut flush = |p: &mut Option<(usize, usize, usize)>| {
        if let Some((start, end, chars)) = p.take()
            && chars > WALL_CHARS
        {
            found.push(Found { code: HintCode::WallOfText, field: HintField::Body, start, end });
        }
    };
    for (base, line) in lines(body) {
        if line.trim().is_empty() || is_quote(line) {
            flush(&mut paragraph);
            continue;
        }
        let (start, end) = trimmed_span(body, base, base + line.len());
        let p = paragraph.get_or_insert((start, end, 0));
        p.1 = end;
        // Only count up to the threshold: beyond it the exact number does not matter.
        if p.2 <= WALL_CHARS {
            p.2 += line.chars().count() + 1;
        }
    }
    flush(&mut paragraph);
}

// ---- late reply ----

/// Words that mention the wait, without case or accents, English and Dutch. A
/// trailing `*` matches any ending (`apolog*`: apologies, apologise); otherwise the
/// phrase is matched as whole words.
const ACKNOWLEDGEMENTS: &[&str] = &[
    // English
    "sorry*",
    "apolog*",
    "late",
    "delay*",
    "belated*",
    "took me a while",
    "took me so long",
    "taken me a while",
    "taken me so long",
    "slow to reply",
    "slow to respond",
    "slow reply",
    "not sooner",
    "only now",
    "only just",
    "finally",
    "been a while",
    "forgive me",
    "pardon",
    // Dutch
    "excuus",
    "spijt",
    "excuses",
    "excuseer",
    "verontschuldig*",
    "te laat",
    "zo laat",
    "wat laat",
    "erg laat",
    "beetje laat",
    "laat antwoord",
    "laat reageer",
    "laat terug",
    "later dan",
    "vertraging",
    "vertraagd",
    "pas nu",
    "nu pas",
    "verlaat*",
    "eindelijk",
    "niet eerder",
    "duurde even",
    "duurde wat",
    "lang geduurd",
    "laten wachten",
];

/// The writer's side wrote at least four in five of the mentorship's recent messages
/// (and there are enough of them to call it a pattern). Only once there is something
/// in the body: the hint is about this message, and points at all of it.
fn one_sided(body: &str, balance: Balance, found: &mut Vec<Found>) {
    let total = balance.mine + balance.others;
    if total < BALANCE_MIN_MESSAGES || balance.mine * 5 < total * 4 {
        return;
    }
    let (start, end) = trimmed_span(body, 0, body.len());
    if start < end {
        found.push(Found { code: HintCode::OneSided, field: HintField::Body, start, end });
    }
}

/// A reply after the agreed response time that does not say a word about the wait;
/// the hint points at the first line, where such a word fits. Quoted lines do not
/// count: an apology there is the other person's.
fn late_reply(body: &str, reply: ReplyContext, found: &mut Vec<Found>) {
    if reply.waited <= reply.response_time {
        return;
    }
    let Some((start, end)) =
        lines(body).filter(|(_, l)| !is_quote(l)).map(|(base, l)| trimmed_span(body, base, base + l.len())).find(|(s, e)| s < e)
    else {
        return;
    };
    let acknowledged = lines(body).filter(|(_, l)| !is_quote(l)).any(|(_, line)| mentions_wait(line));
    if !acknowledged {
        found.push(Found { code: HintCode::LateReplyUnacknowledged, field: HintField::Body, start, end });
    }
}

/// [`ACKNOWLEDGEMENTS`] by their first letter (`a`–`z`), so a word is compared only
/// with the phrases it could begin.
static BY_FIRST_LETTER: std::sync::LazyLock<[Vec<&'static str>; 26]> = std::sync::LazyLock::new(|| {
    let mut table: [Vec<&'static str>; 26] = Default::default();
    for phrase in ACKNOWLEDGEMENTS {
        if let Some(&b @ b'a'..=b'z') = phrase.as_bytes().first() {
            table[usize::from(b - b'a')].push(phrase);
        }
    }
    table
});

/// Whether a phrase of [`ACKNOWLEDGEMENTS`] starts at a word of `line`.
fn mentions_wait(line: &str) -> bool {
    let mut prev_alnum = false;
    for (i, c) in line.char_indices() {
        let alnum = c.is_alphanumeric();
        if alnum && !prev_alnum {
            let bucket = subject::fold_char(c).filter(char::is_ascii_lowercase).map(|f| &BY_FIRST_LETTER[usize::from(f as u8 - b'a')]);
            if bucket.is_some_and(|phrases| phrases.iter().any(|p| phrase_at(line, i, p))) {
                return true;
            }
        }
        prev_alnum = alnum;
    }
    false
}

/// Whether `text[i..]` starts with `phrase`, without case or accents: a space in the
/// phrase stands for any gap between words, and the phrase ends at a word's end
/// unless it ends in `*`.
fn phrase_at(text: &str, i: usize, phrase: &str) -> bool {
    let (phrase, prefix) = match phrase.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (phrase, false),
    };
    let mut chars = text.get(i..).unwrap_or_default().chars().peekable();
    for p in phrase.bytes() {
        if p == b' ' {
            let mut gap = false;
            while chars.next_if(|c| !c.is_alphanumeric()).is_some() {
                gap = true;
            }
            if !gap {
                return false;
            }
            continue;
        }
        // The next letter, past any combining accent.
        let folded = loop {
            match chars.next() {
                None => return false,
                Some(c) => match subject::fold_char(c) {
                    Some(f) => break f,
                    None => continue,
                },
            }
        };
        if folded != char::from(p) {
            return false;
        }
    }
    prefix || chars.find(|&c| subject::fold_char(c).is_some()).is_none_or(|c| !c.is_alphanumeric())
}

// ---- personal data ----

/// Bank numbers first: the digit groups of `NL91 ABNA 0417 1643 00` would otherwise
/// read as a phone number too.
fn personal_data(text: &str, field: HintField, found: &mut Vec<Found>) {
    let before = found.len();
    ibans(text, field, found);
    let taken: Vec<(usize, usize)> = found[before..].iter().map(|f| (f.start, f.end)).collect();
    numbers(text, field, &taken, found);
}

/// A run of digits with the separators people write numbers with.
struct Number {
    start: usize,
    end: usize,
    plus: bool,
    /// Byte ranges of the digit groups.
    groups: Vec<(usize, usize)>,
    /// The separator text between consecutive groups.
    separators: Vec<(usize, usize)>,
}

/// The character before byte `i`, if any.
fn before(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|s| s.chars().next_back())
}

/// Phone numbers and citizen service numbers: runs of digit groups, starting where no
/// word or number goes on before them, read with their separators (space, `-`, `.`,
/// `/`, brackets; at most three in a row).
fn numbers(text: &str, field: HintField, taken: &[(usize, usize)], found: &mut Vec<Found>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let plus = b == b'+' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !(plus || b.is_ascii_digit()) {
            i += 1;
            continue;
        }
        let prev = before(text, i);
        if prev.is_some_and(|c| c.is_alphanumeric() || c == '+' || c == ',' || c == '.' || c == '-' || c == '/') {
            // Inside a word, an amount or another number: skip its digits.
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        }
        let number = read_number(bytes, i, plus);
        i = number.end.max(i + 1);
        if !taken.iter().any(|&(s, e)| number.start < e && s < number.end) {
            classify(text, &number, field, found);
        }
    }
}

fn read_number(bytes: &[u8], start: usize, plus: bool) -> Number {
    let mut n = Number { start, end: start, plus, groups: Vec::new(), separators: Vec::new() };
    let mut i = if plus { start + 1 } else { start };
    loop {
        let g = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        n.groups.push((g, i));
        n.end = i;
        // Digits so far would make anything longer no phone number (E.164 has 15).
        if n.groups.len() > 12 {
            return n;
        }
        let s = i;
        while i < bytes.len() && i - s < 3 && matches!(bytes[i], b' ' | b'-' | b'.' | b'/' | b'(' | b')') {
            i += 1;
        }
        if i == s || !bytes.get(i).is_some_and(u8::is_ascii_digit) {
            return n;
        }
        n.separators.push((s, i));
    }
}

fn classify(text: &str, n: &Number, field: HintField, found: &mut Vec<Found>) {
    // The number must end where a word or number does not go on.
    let next = text.get(n.end..).and_then(|s| s.chars().next());
    if next.is_some_and(|c| c.is_alphanumeric()) {
        return;
    }
    let digits: String = n.groups.iter().filter_map(|&(s, e)| text.get(s..e)).collect();
    let code = if n.plus {
        // `+31 6 12345678`, `+32 2 123 45 67`: a country code and a number.
        (8..=15).contains(&digits.len()).then_some(HintCode::PersonalDataPhone)
    } else if let Some(rest) = digits.strip_prefix("00") {
        // `0031 6 12345678`: the international prefix written out.
        (n.groups.first().is_some_and(|&(s, e)| e - s <= 4) && (8..=15).contains(&rest.len()) && !rest.starts_with('0'))
            .then_some(HintCode::PersonalDataPhone)
    } else if digits.starts_with('0') && digits.len() == 10 {
        // Dutch: `06-12345678`, `020 123 4567`, `0570 12 34 56`: an area or mobile
        // prefix of two to four digits, or all ten together.
        let first = n.groups.first().map_or(0, |&(s, e)| e - s);
        ((2..=4).contains(&first) || first == 10).then_some(HintCode::PersonalDataPhone)
    } else if digits.len() == 9 && is_bsn(&digits) && bsn_layout(n) && !after_currency(text, n.start) {
        Some(HintCode::PersonalDataBsn)
    } else {
        None
    };
    if let Some(code) = code
        && !looks_like_date(text, n)
    {
        // `(0570) 12 34 56`: the span takes in the opening bracket of the area code.
        let bracket = before(text, n.start) == Some('(') && n.separators.first().is_some_and(|&(s, _)| text.get(s..s + 1) == Some(")"));
        let start = if bracket { n.start - 1 } else { n.start };
        found.push(Found { code, field, start, end: n.end });
    }
}

/// `06-12-2026`, `6/12/26`, `06.12.2026 10`: the first groups read as a day, a month
/// and a year with one separator, so the number is a date (and what follows is not
/// part of a phone number).
fn looks_like_date(text: &str, n: &Number) -> bool {
    if n.groups.len() < 3 || n.separators.len() < 2 {
        return false;
    }
    let len = |(s, e): (usize, usize)| e - s;
    let (d, m, y) = (len(n.groups[0]), len(n.groups[1]), len(n.groups[2]));
    let sep = |k: usize| text.get(n.separators[k].0..n.separators[k].1);
    let same = sep(0) == sep(1) && matches!(sep(0), Some("-" | "/" | "."));
    same && (1..=2).contains(&d) && (1..=2).contains(&m) && (y == 2 || y == 4)
}

/// The eleven test of a citizen service number: 9·d1 + 8·d2 + … + 2·d8 − d9 is a
/// multiple of eleven (and the number is not all zeros).
fn is_bsn(digits: &str) -> bool {
    let d: Vec<i64> = digits.bytes().map(|b| i64::from(b - b'0')).collect();
    if d.len() != 9 || d.iter().all(|&x| x == 0) {
        return false;
    }
    let sum: i64 = d[..8].iter().zip((2..=9).rev()).map(|(x, w)| x * w).sum::<i64>() - d[8];
    sum % 11 == 0
}

/// A citizen service number is written as nine digits together or as `1234.56.782`;
/// `123.456.789` is how amounts are written, so it is not taken for one.
fn bsn_layout(n: &Number) -> bool {
    let lens: Vec<usize> = n.groups.iter().map(|(s, e)| e - s).collect();
    lens == [9] || lens == [4, 2, 3]
}

/// A currency sign or code right before `i` (`€ 123456782`, `EUR 123456782`).
fn after_currency(text: &str, i: usize) -> bool {
    let head = text.get(..i).unwrap_or_default().trim_end();
    head.ends_with(['€', '$', '£']) || head.get(head.len().saturating_sub(3)..).is_some_and(|t| t.eq_ignore_ascii_case("eur"))
}

/// IBANs: two letters, two check digits and up to 30 letters and digits, together
/// (`NL91ABNA0417164300`) or in groups of four (`NL91 ABNA 0417 1643 00`), in upper
/// or lower case, with a valid mod-97 checksum (ISO 13616).
fn ibans(text: &str, field: HintField, found: &mut Vec<Found>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let head = &bytes[i..i + 4];
        let starts = head[0].is_ascii_alphabetic() && head[1].is_ascii_alphabetic() && head[2].is_ascii_digit() && head[3].is_ascii_digit();
        if !starts || before(text, i).is_some_and(char::is_alphanumeric) {
            i += 1;
            continue;
        }
        match read_iban(text, i) {
            Some(end) => {
                found.push(Found { code: HintCode::PersonalDataIban, field, start: i, end });
                i = end;
            }
            None => i += 1,
        }
    }
}

/// The end of a valid IBAN starting at `start`, trying the longest reading first.
fn read_iban(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let alnum_end = |from: usize| from + bytes[from..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
    // A token ending in a letter of another script goes on as a word: not an IBAN.
    let ends_word = |end: usize| text.get(end..).and_then(|s| s.chars().next()).is_none_or(|c| !c.is_alphanumeric());
    let first = alnum_end(start);
    if !ends_word(first) {
        return None;
    }
    let mut ends = vec![first];
    if first - start == 4 {
        // Groups of four after single spaces; the last group may be shorter.
        let mut end = first;
        while bytes.get(end) == Some(&b' ') && bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric) {
            let next = alnum_end(end + 1);
            if next - (end + 1) > 4 || !ends_word(next) {
                break;
            }
            let full = next - (end + 1) == 4;
            end = next;
            ends.push(end);
            if !full {
                break;
            }
        }
    }
    ends.into_iter().rev().find(|&end| {
        let compact: Vec<u8> = bytes[start..end].iter().copied().filter(|b| *b != b' ').collect();
        (15..=34).contains(&compact.len()) && iban_checksum_ok(&compact)
    })
}

/// ISO 13616: move the first four characters to the end, read letters as 10–35, and
/// the number is 1 modulo 97.
fn iban_checksum_ok(iban: &[u8]) -> bool {
    let (head, rest) = iban.split_at(4.min(iban.len()));
    let mut r: u32 = 0;
    for &b in rest.iter().chain(head) {
        r = match b {
            b'0'..=b'9' => (r * 10 + u32::from(b - b'0')) % 97,
            b'a'..=b'z' => (r * 100 + u32::from(b - b'a') + 10) % 97,
            b'A'..=b'Z' => (r * 100 + u32::from(b - b'A') + 10) % 97,
            _ => return false,
        };
    }
    r == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn body(text: &str) -> Vec<Hint> {
        check(&Draft { subject: None, body: text, reply: None, balance: None })
    }

    fn subject(text: &str) -> Vec<Hint> {
        check(&Draft { subject: Some(text), body: "", reply: None, balance: None })
    }

    fn codes(hints: &[Hint]) -> Vec<HintCode> {
        hints.iter().map(|h| h.code).collect()
    }

    /// The text a hint points at, read back through UTF-16 as the browser does.
    fn marked(text: &str, h: &Hint) -> String {
        let units: Vec<u16> = text.encode_utf16().collect();
        String::from_utf16_lossy(&units[h.start..h.end])
    }

    fn late(text: &str) -> Vec<Hint> {
        let reply = ReplyContext { waited: Duration::hours(80), response_time: Duration::hours(48) };
        check(&Draft { subject: None, body: text, reply: Some(reply), balance: None })
    }

    #[test]
    fn codes_have_stable_text_forms() {
        for code in HintCode::ALL {
            assert_eq!(serde_json::to_value(code).ok(), Some(serde_json::Value::String(code.as_str().to_owned())));
        }
        assert_eq!(HintCode::LateReplyUnacknowledged.message_id(), "late-reply-unacknowledged");
        let h = Hint { code: HintCode::Shouting, field: HintField::Body, start: 1, end: 2 };
        assert_eq!(serde_json::to_value(h).ok(), Some(serde_json::json!({"code": "shouting", "field": "body", "start": 1, "end": 2})));
    }

    #[test]
    fn a_missing_subject() {
        for s in ["", "   "] {
            let hints = subject(s);
            assert_eq!(codes(&hints), [HintCode::SubjectMissing], "{s:?}");
            assert_eq!((hints[0].start, hints[0].end), (0, s.len()));
        }
        // A reply has no subject field: nothing to say about it.
        assert!(body("Dank je wel voor je uitleg.").is_empty());
    }

    #[test]
    fn vague_subjects_in_dutch_and_english() {
        for s in ["Vraag", "vraagje?", "Hallo!", "Hi", "Question", "update", "Re:", "Fwd", "FW: ", "ok", "?!", "Goedemorgen", "Korte vraag"]
        {
            assert!(codes(&subject(s)).contains(&HintCode::SubjectVague), "{s:?}");
        }
        let hints = subject("  Hallo ");
        assert_eq!((hints[0].start, hints[0].end), (2, 7), "the span leaves the spaces out");
        // Accents and case do not matter.
        assert!(codes(&subject("CZEŚĆ")).contains(&HintCode::SubjectVague));
        assert!(codes(&subject("Olá")).contains(&HintCode::SubjectVague));
    }

    #[test]
    fn meaningful_subjects_get_no_hint() {
        for s in [
            "Vraag over mijn sollicitatie bij de gemeente",
            "Question about the March workshop",
            "CV",
            "Stage bij KLM of NS?",
            "Re: feedback op mijn cv",
            "Łódź — afspraak 12 maart",
            "Çağrı's presentatie",
        ] {
            assert!(subject(s).is_empty(), "{s:?}: {:?}", subject(s));
        }
    }

    #[test]
    fn shouting_runs_are_marked() {
        let text = "Hoi Anna, IK BEN ER ECHT KLAAR MEE. Groet";
        let hints = body(text);
        assert_eq!(codes(&hints), [HintCode::Shouting]);
        assert_eq!(marked(text, &hints[0]), "IK BEN ER ECHT KLAAR MEE");

        let text = "Thanks for the notes. WHY DID NOBODY TELL ME about the deadline?";
        let hints = body(text);
        assert_eq!(codes(&hints), [HintCode::Shouting]);
        assert_eq!(marked(text, &hints[0]), "WHY DID NOBODY TELL ME");
    }

    #[test]
    fn a_text_mostly_in_capitals_is_one_hint() {
        let text = "BESTE MENTOR,\nIK HEB MIJN GESPREK GEHAD EN HET GING GOED.\n\nGROET, Piet";
        let hints = body(text);
        assert_eq!(codes(&hints), [HintCode::Shouting]);
        assert_eq!(marked(text, &hints[0]), "BESTE MENTOR,\nIK HEB MIJN GESPREK GEHAD EN HET GING GOED.\n\nGROET, Piet");
        assert_eq!(codes(&subject("BELANGRIJK: MIJN ROOSTER")), [HintCode::Shouting]);
    }

    #[test]
    fn acronyms_emphasis_and_quotes_are_no_shouting() {
        for text in [
            "Ik werk bij de NS en daarvoor bij KLM, in de ICT. HR vond dat prima.",
            "I met the CEO of ABN AMRO and the NATO people at the ICT fair.",
            "Dit is ECHT belangrijk voor mij.",
            "Heb je de HAVO of het VMBO gedaan?",
            "Dank je!\n> WAAROM HEB JE NIET GEANTWOORD OP MIJN VRAAG\n> Groet",
            "Ik kom om 10:30 uur, OK?",
        ] {
            assert!(!codes(&body(text)).contains(&HintCode::Shouting), "{text:?}");
        }
    }

    #[test]
    fn a_wall_of_text_is_marked_a_paragraph_is_not() {
        let sentence = "Ik heb deze week veel nagedacht over wat je zei over mijn loopbaan en wat ik wil. ";
        let wall = sentence.repeat(20);
        let hints = body(&wall);
        assert_eq!(codes(&hints), [HintCode::WallOfText]);
        assert_eq!(marked(&wall, &hints[0]), wall.trim_end());

        let paragraphs = [sentence.repeat(7), sentence.repeat(7), sentence.repeat(7)].join("\n\n");
        assert!(body(&paragraphs).is_empty());
        // Lines without a blank line between them are still one block.
        let lines = "One more thought about the plan we made last week.\n".repeat(30);
        assert_eq!(codes(&body(&lines)), [HintCode::WallOfText]);
        // A long quoted history is not the writer's paragraph.
        let quoted = format!("Klopt!\n\n{}", "> eerder bericht met veel tekst erin\n".repeat(60));
        assert!(body(&quoted).is_empty());
    }

    #[test]
    fn a_late_reply_without_a_word_about_the_wait() {
        let text = "Hoi Sanne,\nDonderdag past mij goed.";
        let hints = late(text);
        assert_eq!(codes(&hints), [HintCode::LateReplyUnacknowledged]);
        assert_eq!(marked(text, &hints[0]), "Hoi Sanne,");
        assert_eq!(codes(&late("Hi Tom, Thursday works for me.")), [HintCode::LateReplyUnacknowledged]);
    }

    #[test]
    fn a_late_reply_that_mentions_the_wait() {
        for text in [
            "Sorry voor de late reactie! Donderdag past goed.",
            "Excuses dat het even duurde.",
            "Het spijt me dat ik pas nu antwoord.",
            "Ik reageer later dan we hadden afgesproken, excuus.",
            "Door drukte op het werk was er wat vertraging.",
            "Hoi, mijn verontschuldigingen voor het wachten.",
            "Eindelijk heb ik tijd om te antwoorden.",
            "Apologies for the slow reply.",
            "It took me a while, but here is my answer.",
            "SORRY, I'm late with this.",
            "Sorry for the delay!",
            "Sorry dat ik niet eerder reageerde.",
        ] {
            assert!(late(text).is_empty(), "{text:?}: {:?}", late(text));
        }
    }

    #[test]
    fn a_reply_in_time_or_an_apology_only_quoted() {
        let in_time = ReplyContext { waited: Duration::hours(20), response_time: Duration::hours(48) };
        assert!(check(&Draft { subject: None, body: "Donderdag past mij goed.", reply: Some(in_time), balance: None }).is_empty());
        // `laat me weten` (let me know) is not about lateness; an apology in the quote
        // is the other person's.
        for text in ["Laat me weten wat je ervan vindt.", "Prima!\n> Sorry voor de late reactie\n", "Ik zie de laatste versie."] {
            assert_eq!(codes(&late(text)), [HintCode::LateReplyUnacknowledged], "{text:?}");
        }
        // Nothing written yet: nothing to point at.
        assert!(late("  \n").is_empty());
    }

    #[test]
    fn phone_numbers_dutch_and_international() {
        for (text, number) in [
            ("Bel me gerust op 06-12345678.", "06-12345678"),
            ("Mijn nummer: 06 1234 5678", "06 1234 5678"),
            ("mobiel 0612345678 of thuis", "0612345678"),
            ("Je kunt me bellen: +31 6 12345678", "+31 6 12345678"),
            ("Of +31 (0)20 123 4567 op kantoor", "+31 (0)20 123 4567"),
            ("Kantoor: 020-1234567", "020-1234567"),
            ("Thuis (0570) 12 34 56", "(0570) 12 34 56"),
            ("Call me at +44 20 7946 0958 tomorrow", "+44 20 7946 0958"),
            ("Mijn Poolse nummer is 0048 512 345 678", "0048 512 345 678"),
        ] {
            let hints = body(text);
            assert_eq!(codes(&hints), [HintCode::PersonalDataPhone], "{text:?}");
            assert_eq!(marked(text, &hints[0]), number, "{text:?}");
        }
        // Also in a subject.
        assert_eq!(codes(&subject("Bel me: 06-12345678")), [HintCode::PersonalDataPhone]);
    }

    #[test]
    fn dates_times_amounts_and_postcodes_are_no_phone_numbers() {
        for text in [
            "We spreken af op 06-12-2026 om 14:30.",
            "Op 06-12-2026 10 mensen uitnodigen.",
            "Datum: 06/12/2026, tijd 10.30 uur",
            "Het kost € 1.250,00 of 1250 euro, of $1,000,000.",
            "Mijn postcode is 1234 AB in Amsterdam.",
            "In 2026 wil ik 3 cursussen doen; 2025 was druk.",
            "KvK-nummer 12345678 staat op de site.",
            "Ordernummer AB0612345678 is verzonden.",
            "Bel de servicelijn 0800-1234.",
            "Het salaris is 3.450 per maand, 41.400 per jaar.",
            "Versie 1.0.612345678 van de app.",
        ] {
            assert!(body(text).is_empty(), "{text:?}: {:?}", body(text));
        }
    }

    #[test]
    fn ibans_with_a_valid_checksum() {
        for (text, iban) in [
            ("Mijn rekening is NL91ABNA0417164300, dank je.", "NL91ABNA0417164300"),
            ("IBAN: NL91 ABNA 0417 1643 00 ten name van Piet", "NL91 ABNA 0417 1643 00"),
            ("lower case nl91abna0417164300 too", "nl91abna0417164300"),
            ("German: DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
            ("Belgisch BE68539007547034.", "BE68539007547034"),
        ] {
            let hints = body(text);
            assert_eq!(codes(&hints), [HintCode::PersonalDataIban], "{text:?}");
            assert_eq!(marked(text, &hints[0]), iban, "{text:?}");
        }
        // A wrong check digit, and words that merely look alike.
        for text in ["NL92ABNA0417164300", "NL91 ABNA 0417 1643 01", "Zie AB12 en CD34 voor de codes.", "MP3s op USB2"] {
            assert!(!codes(&body(text)).contains(&HintCode::PersonalDataIban), "{text:?}");
        }
        // What is left of a mistyped IBAN may still read as a phone number.
        assert_eq!(codes(&body("NL91 ABNA 0417 1643 01")), [HintCode::PersonalDataPhone]);
        assert!(body("NL92ABNA0417164300 en MP3s op USB2").is_empty());
    }

    #[test]
    fn citizen_service_numbers_pass_the_eleven_test() {
        for text in ["Mijn BSN is 111222333.", "BSN 1112.22.333"] {
            let hints = body(text);
            assert_eq!(codes(&hints), [HintCode::PersonalDataBsn], "{text:?}");
        }
        for text in ["Mijn BSN is 111222334.", "Het kost € 111222333", "Een bedrag van 111.222.333 euro", "000000000"] {
            assert!(body(text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn every_acknowledgement_is_lower_case_ascii_and_filed() {
        for phrase in ACKNOWLEDGEMENTS {
            assert!(phrase.bytes().all(|b| b.is_ascii_lowercase() || b == b' ' || b == b'*'), "{phrase}");
            assert!(BY_FIRST_LETTER.iter().flatten().any(|p| p == phrase), "{phrase}");
        }
    }

    #[test]
    fn acronyms_are_sorted_for_the_search() {
        assert!(ACRONYMS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn positions_are_utf16_code_units() {
        let text = "👋 Cześć! Bel 06-12345678";
        let hints = body(text);
        assert_eq!(hints.len(), 1);
        // 👋 is two units, every other character here one.
        assert_eq!((hints[0].start, hints[0].end), (14, 25));
        assert_eq!(marked(text, &hints[0]), "06-12345678");
    }

    #[test]
    fn hints_come_subject_first_then_by_position_and_are_capped() {
        let draft = Draft { subject: Some("Vraag"), body: "Bel 06-12345678 of NL91ABNA0417164300", reply: None, balance: None };
        let got: Vec<(HintField, HintCode)> = check(&draft).iter().map(|h| (h.field, h.code)).collect();
        assert_eq!(
            got,
            [
                (HintField::Subject, HintCode::SubjectVague),
                (HintField::Body, HintCode::PersonalDataPhone),
                (HintField::Body, HintCode::PersonalDataIban)
            ]
        );
        let many = "Bel 06-12345678.\n\n".repeat(50);
        assert_eq!(body(&many).len(), MAX_PER_CODE);
    }

    #[test]
    fn a_full_size_message_is_checked() {
        // 64 KiB of mixed Dutch text, numbers and capitals, the largest body there is.
        let piece = "Beste Anna, dank je voor het GESPREK VAN GISTEREN. Bel 06-12345678 of mail. Łódź, Çağrı, São Paulo 👋\n";
        let mut text = String::new();
        while text.len() + piece.len() <= 64 * 1024 {
            text.push_str(piece);
        }
        let reply = ReplyContext { waited: Duration::days(5), response_time: Duration::days(2) };
        let hints = check(&Draft { subject: Some("Verslag"), body: &text, reply: Some(reply), balance: None });
        assert!(hints.iter().any(|h| h.code == HintCode::WallOfText));
        assert!(hints.iter().any(|h| h.code == HintCode::LateReplyUnacknowledged));
        let units = text.encode_utf16().count();
        assert!(hints.iter().all(|h| h.start <= h.end && h.end <= units));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Pieces that reach every rule: digits and separators, IBAN and acronym shapes,
    /// capitals, quotes, blank lines, and characters of one to four UTF-8 bytes and
    /// two UTF-16 units.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "0",
                "6",
                "31",
                "+",
                "+31",
                "00",
                " ",
                "-",
                ".",
                "/",
                "(",
                ")",
                "\n",
                "\n\n",
                "> ",
                "NL91",
                "ABNA",
                "0417164300",
                "NL",
                "KLM",
                "IK BEN BOOS",
                "sorry",
                "laat",
                "€",
                "é",
                "ł",
                "İ",
                "👋",
                "\u{0301}",
                "\r\n",
                "111222333",
                "06-12-2026",
            ])
            .prop_map(str::to_owned),
            any::<char>().prop_map(String::from),
            "[a-zA-Z0-9 ]{0,12}",
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 0..60).prop_map(|p| p.concat())
    }

    /// True when `unit` is a UTF-16 offset between two characters of `text`.
    fn on_boundary(text: &str, unit: usize) -> bool {
        let mut at = 0;
        for c in text.chars() {
            if at == unit {
                return true;
            }
            at += c.len_utf16();
        }
        at == unit
    }

    #[test]
    fn one_side_writing_nearly_everything() {
        let with = |mine, others, body: &str| {
            check(&Draft { subject: None, body, reply: None, balance: Some(Balance { mine, others }) })
                .into_iter()
                .filter(|h| h.code == HintCode::OneSided)
                .collect::<Vec<_>>()
        };
        // Eight of ten is nearly everything; the hint covers the text, not its margins.
        let hints = with(8, 2, "  Nog een gedachte over je vraag.\n");
        assert_eq!(hints.len(), 1);
        assert_eq!((hints[0].start, hints[0].end), (2, 33));
        assert_eq!(with(12, 0, "Ja.").len(), 1);
        // Seven of ten is a conversation; five of five is too few to call a pattern.
        assert!(with(7, 3, "Ja.").is_empty());
        assert!(with(5, 0, "Ja.").is_empty());
        // Nothing written yet: nothing to point at.
        assert!(with(9, 1, "  \n").is_empty());
        // Without the figures (an API caller that gave no mentorship): no hint.
        assert!(check(&Draft { subject: None, body: "Ja.", reply: None, balance: None }).is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn any_text_gives_hints_within_bounds(subject in prop::option::of(text()), body in text(), waited in 0i64..200, agreed in 1i64..100, mine in 0u32..20, others in 0u32..20) {
            let reply = Some(ReplyContext { waited: chrono::Duration::hours(waited), response_time: chrono::Duration::hours(agreed) });
            let draft = Draft { subject: subject.as_deref(), body: &body, reply, balance: Some(Balance { mine, others }) };
            for h in check(&draft) {
                let field = match h.field { HintField::Subject => subject.as_deref().unwrap_or_default(), HintField::Body => body.as_str() };
                prop_assert!(h.start <= h.end && h.end <= field.encode_utf16().count(), "{h:?} in {field:?}");
                prop_assert!(on_boundary(field, h.start) && on_boundary(field, h.end), "{h:?} splits a character in {field:?}");
            }
        }

        #[test]
        fn arbitrary_characters_never_panic(chars in prop::collection::vec(any::<char>(), 0..400)) {
            let text: String = chars.into_iter().collect();
            let _ = check(&Draft { subject: Some(&text), body: &text, reply: None, balance: None });
        }
    }
}
