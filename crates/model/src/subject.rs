//! Subject lines (G9): one set of rules for the web and for mail.

/// Reply and forward prefixes in the languages mail arrives in, lower case, without
/// the colon: English, German (`AW`, `WG`), Dutch (`Antw`, `Doorst`), French (`TR`),
/// Spanish/Portuguese (`RV`, `Enc`, `Res`), Polish (`Odp`, `PD`), Turkish (`YNT`, `İLT`),
/// Slovak (`Odp`, `Fw`), Nordic (`SV`, `VS`).
const PREFIXES: &[&str] = &[
    "re", "fw", "fwd", "aw", "wg", "antw", "antwoord", "doorst", "tr", "rv", "enc", "res", "odp", "pd", "ynt", "ilt", "i̇lt", "sv", "vs",
    "r",
];

/// A mail subject as a thread subject: reply and forward prefixes (`Re:`, `Fwd:`,
/// `AW:`, `Antw:`, `Doorst:`, `TR:`, `RV:` …, also counted forms like `Re[2]:`) and
/// `[tags]` removed, whitespace collapsed.
pub fn clean(subject: &str) -> String {
    let mut rest = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let trimmed = rest.trim_start();
        let next = strip_tag(trimmed).or_else(|| strip_prefix(trimmed));
        match next {
            Some(after) => rest = after.trim_start().to_owned(),
            None => return trimmed.trim_end().to_owned(),
        }
    }
}

/// `[anything]` at the start (list tags, `[EXTERNAL]`).
fn strip_tag(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('[')?;
    let end = inner.find(']')?;
    Some(&inner[end + 1..])
}

/// `Re:`, `Re :`, `Re[2]:`, `RE(3):` and the other prefixes.
fn strip_prefix(s: &str) -> Option<&str> {
    let colon = s.find(':')?;
    let head = s[..colon].trim_end();
    let word = match head.find(['[', '(']) {
        Some(i) if head.ends_with([']', ')']) && head[i + 1..head.len() - 1].chars().all(|c| c.is_ascii_digit()) => &head[..i],
        _ => head,
    };
    let word = word.to_lowercase();
    PREFIXES.contains(&word.as_str()).then(|| &s[colon + 1..])
}

/// Subjects that say nothing about the conversation, lower case: placeholders,
/// greetings and one-word generic subjects in the service's languages.
const VAGUE: &[&str] = &[
    "(no subject)",
    "no subject",
    "(geen onderwerp)",
    "geen onderwerp",
    "(kein betreff)",
    "(sans objet)",
    "(bez tematu)",
    "(sem assunto)",
    "(konu yok)",
    "hi",
    "hi there",
    "hello",
    "hello there",
    "hey",
    "good morning",
    "goedenavond",
    "goeiedag",
    "ok",
    "oké",
    "hé",
    "fyi",
    "ter info",
    "something",
    "iets",
    "hallo",
    "hoi",
    "dag",
    "beste",
    "goedemorgen",
    "goedemiddag",
    "cześć",
    "dzień dobry",
    "olá",
    "oi",
    "merhaba",
    "selam",
    "ahoj",
    "question",
    "questions",
    "vraag",
    "vragen",
    "vraagje",
    "een vraag",
    "een vraagje",
    "korte vraag",
    "kleine vraag",
    "nog een vraag",
    "nog een vraagje",
    "a question",
    "quick question",
    "one question",
    "another question",
    "pytanie",
    "pergunta",
    "soru",
    "otázka",
    "frage",
    "update",
    "info",
    "informatie",
    "message",
    "bericht",
    "mail",
    "e-mail",
    "email",
    "test",
    "help",
    "hulp",
    "follow-up",
    "follow up",
    "thanks",
    "bedankt",
    "dank",
    "misc",
    "note",
];

/// Reply and forward markers written as a whole subject without their colon
/// (`fwd`, `re`): they say only that something was passed on.
const BARE_MARKERS: &[&str] = &["re", "fw", "fwd", "antw", "doorst", "tr", "rv", "aw", "wg"];

/// Is this subject too vague to find the conversation again later: empty,
/// `(no subject)`, a greeting, a one-word generic subject, all capitals? The thread
/// is still created; the writer gets a gentle tip.
pub fn is_vague(subject: &str) -> bool {
    if says_little(subject) {
        return true;
    }
    let cleaned = clean(subject);
    // All capitals reads as shouting (netiquette, G9); one letter is no judgement.
    let letters: Vec<char> = cleaned.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() > 3 && letters.iter().all(|c| c.is_uppercase())
}

/// Does this subject say too little about the conversation (G9): nothing but
/// prefixes, punctuation or symbols; a placeholder, greeting or generic word from
/// [`VAGUE`] (compared without case and accents, so `Cześć` and `czesc`, `Olá` and
/// `ola` agree); a bare `fwd`; or one word of fewer than three letters that is not an
/// acronym in capitals (`CV` says what it is about, `ok` does not).
pub fn says_little(subject: &str) -> bool {
    let cleaned = clean(subject);
    let bare = cleaned.trim_matches(|c: char| c.is_ascii_punctuation() && c != '(' && c != ')' || c.is_whitespace());
    if !bare.chars().any(char::is_alphanumeric) {
        return true;
    }
    let folded = fold(bare);
    if VAGUE.iter().chain(BARE_MARKERS).any(|v| fold(v) == folded) {
        return true;
    }
    let mut words = bare.split_whitespace();
    if let (Some(word), None) = (words.next(), words.next()) {
        let letters = word.chars().filter(|c| c.is_alphanumeric()).count();
        let acronym = word.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
        return letters < 3 && !acronym;
    }
    false
}

/// Lower case without accents, for comparing words as people type them: `Olá`,
/// `ola` and `OLA` are one word to a reader, with or without the accent. Covers the
/// Latin letters of the languages the service meets (Dutch, German, French, Polish,
/// Turkish, Portuguese, Slovak, Nordic); combining marks are dropped.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ĳ' | 'Ĳ' => out.push_str("ij"),
            _ => out.extend(fold_char(c)),
        }
    }
    out
}

/// One character of [`fold`]: lower case without its accent; `None` for a combining
/// mark. (`ß` and `ĳ`, which fold to two letters, stay as they are here.)
pub(crate) fn fold_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase());
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    Some(match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' | 'ă' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
        'ğ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' | 'į' => 'i',
        'ł' | 'ľ' | 'ĺ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ŕ' | 'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        '\u{2019}' | '\u{2018}' => '\'',
        '\u{0300}'..='\u{036f}' => return None,
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_tags_are_removed_in_every_language() {
        assert_eq!(clean("Re: Fwd: [mentoring] Łódź — vraag over mentorschap"), "Łódź — vraag over mentorschap");
        assert_eq!(clean("AW: WG: Termin für nächste Woche"), "Termin für nächste Woche");
        assert_eq!(clean("Antw: Doorst:  stage   bij de gemeente"), "stage bij de gemeente");
        assert_eq!(clean("TR: RV: Enc: réunion de mars"), "réunion de mars");
        assert_eq!(clean("RE[2]: Odp: praca magisterska"), "praca magisterska");
        assert_eq!(clean("YNT: Çağrı ile görüşme"), "Çağrı ile görüşme");
        assert_eq!(clean("[EXTERNAL] Re : feedback op mijn cv"), "feedback op mijn cv");
    }

    #[test]
    fn ordinary_colons_and_words_stay() {
        assert_eq!(clean("Agenda: gesprek 12 maart"), "Agenda: gesprek 12 maart");
        assert_eq!(clean("Review of the Q3 plan"), "Review of the Q3 plan");
        assert_eq!(clean("Recap: wat we afspraken"), "Recap: wat we afspraken");
    }

    #[test]
    fn vague_subjects_are_recognised() {
        for s in [
            "",
            "   ",
            "(no subject)",
            "Re:",
            "Hi!",
            "hallo",
            "Vraag",
            "question?",
            "Re: vraag",
            "HELP ME NOW",
            "(geen onderwerp)",
            "Cześć",
            "czesc",
            "OLA",
            "fwd",
            "Fwd:",
            "ok",
            "??",
            "…",
            "👋",
            "Korte vraag",
            "quick question!",
        ] {
            assert!(is_vague(s), "{s:?} should be vague");
            assert!(says_little(s) || s == "HELP ME NOW", "{s:?} says little");
        }
    }

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Cześć"), "czesc");
        assert_eq!(fold("OLÁ"), "ola");
        assert_eq!(fold("Çağrı İLT"), "cagri ilt");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("it\u{2019}s"), "it's");
    }

    #[test]
    fn meaningful_subjects_are_not_vague() {
        for s in [
            "Vraag over mijn stage bij de gemeente",
            "Łódź — vraag over mentorschap, Çağrı",
            "Re: feedback op mijn cv",
            "CV",
            "Sollicitatiegesprek KPN",
            "Question about the March workshop",
            "HR",
            "Netwerken",
            "Pensioen en parttime werken na je 55e",
        ] {
            assert!(!is_vague(s), "{s:?} should not be vague");
        }
    }
}
