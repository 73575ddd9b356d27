//! Invitation lists: reading the CSV a coordinator uploads or pastes (one person a
//! row: name, e-mail, role, language, time zone) and judging every row, so the preview
//! can name each problem before anything is written. Pure: the caller says which
//! addresses the programme already has.
//!
//! Spreadsheets write CSV in many ways, so the reader accepts them: a UTF-8 byte order
//! mark, Windows-1252 text (Excel's "CSV" in Western Europe), `;` as separator (Dutch
//! Excel, where `,` is the decimal comma), tabs (a paste from a spreadsheet), quoted
//! fields, English or Dutch column names in any order and case.

use crate::{DisplayName, EmailAddress, Locale, Role, TimeZoneName};

/// Rows one list may hold: a programme invites its people in one go, and a bound keeps
/// a mistaken upload (a whole customer database) from turning into a long preview.
pub const MAX_ROWS: usize = 10_000;

/// One column the list may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Name,
    Email,
    Role,
    Language,
    TimeZone,
}

impl Column {
    /// The column a header cell names (English or Dutch; case, spaces, `-` and `_`
    /// ignored).
    pub fn from_header(cell: &str) -> Option<Column> {
        let key: String = cell.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '_').flat_map(char::to_lowercase).collect();
        Some(match key.as_str() {
            "name" | "naam" | "fullname" | "volledigenaam" => Column::Name,
            "email" | "emailaddress" | "mail" | "emailadres" | "mailadres" | "address" | "adres" => Column::Email,
            "role" | "rol" => Column::Role,
            "language" | "lang" | "taal" | "locale" => Column::Language,
            "timezone" | "tz" | "tijdzone" => Column::TimeZone,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Email => "email",
            Column::Role => "role",
            Column::Language => "language",
            Column::TimeZone => "timezone",
        }
    }
}

/// What is wrong with the list as a whole (nothing of it can be read as rows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileProblem {
    /// No header row.
    Empty,
    /// A header names a column the list cannot have (its text, as written).
    UnknownColumn(String),
    /// A column every row needs is missing.
    MissingColumn(Column),
    /// A column appears twice.
    DuplicateColumn(Column),
    /// The text could not be read as CSV (an unclosed quote, say).
    Unreadable,
    /// More rows than [`MAX_ROWS`].
    TooManyRows,
}

/// What is wrong with one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowProblem {
    /// Fewer or more cells than the header has.
    CellCount,
    NameMissing,
    NameInvalid,
    EmailInvalid,
    /// The address is already on an earlier row (its line number).
    DuplicateInFile {
        line: usize,
    },
    /// The programme already has this person (invited or taking part).
    AlreadyInProgramme,
    UnknownRole,
    UnknownLanguage,
    UnknownTimeZone,
}

impl RowProblem {
    /// The stable code of this problem (catalogue keys and the API use it).
    pub fn code(&self) -> &'static str {
        match self {
            RowProblem::CellCount => "cell_count",
            RowProblem::NameMissing => "name_missing",
            RowProblem::NameInvalid => "name_invalid",
            RowProblem::EmailInvalid => "email_invalid",
            RowProblem::DuplicateInFile { .. } => "duplicate_in_file",
            RowProblem::AlreadyInProgramme => "already_in_programme",
            RowProblem::UnknownRole => "unknown_role",
            RowProblem::UnknownLanguage => "unknown_language",
            RowProblem::UnknownTimeZone => "unknown_timezone",
        }
    }
}

/// A person the list invites, every field valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitee {
    pub name: DisplayName,
    pub email: EmailAddress,
    pub role: Role,
    pub locale: Locale,
    pub timezone: TimeZoneName,
}

/// One row as written (for the preview) and what came of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowCheck {
    /// The row's line in the file, counting the header as line 1.
    pub line: usize,
    pub name: String,
    pub email: String,
    pub role: String,
    pub language: String,
    pub timezone: String,
    /// The person, when the row has no problem.
    pub invitee: Option<Invitee>,
    pub problems: Vec<RowProblem>,
}

/// The whole list judged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub file_problems: Vec<FileProblem>,
    pub rows: Vec<RowCheck>,
}

impl Checked {
    /// The people of the rows without problems.
    pub fn valid(&self) -> impl Iterator<Item = &Invitee> {
        self.rows.iter().filter_map(|r| r.invitee.as_ref())
    }

    pub fn bad_rows(&self) -> usize {
        self.rows.iter().filter(|r| !r.problems.is_empty()).count()
    }

    /// Nothing at all is wrong: every row can be invited as it is.
    pub fn is_clean(&self) -> bool {
        self.file_problems.is_empty() && self.bad_rows() == 0
    }
}

/// What a row may leave out: the programme's language and time zone.
#[derive(Clone, Debug)]
pub struct Defaults {
    pub locale: Locale,
    pub timezone: TimeZoneName,
}

/// Bytes as text: UTF-8 (without its byte order mark), else Windows-1252, which is
/// what Excel writes as "CSV" on Western European systems.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    }
}

fn windows_1252(b: u8) -> char {
    // 0x80–0x9F are printable in Windows-1252 (€, ‘ ’ “ ”, Š, Ž, …), control codes in
    // Latin-1; the rest is Latin-1.
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•',
        '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// The separator of the header line: the most frequent of `;`, tab and `,` outside
/// quotes (`,` when there is none, a one-column list).
fn separator(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let (mut counts, mut quoted) = ([0usize; 3], false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            '\t' if !quoted => counts[1] += 1,
            ',' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let seps = [b';', b'\t', b','];
    let best = (0..3).max_by_key(|&i| (counts[i], i)).unwrap_or(2);
    if counts[best] == 0 { b',' } else { seps[best] }
}

/// A role as people write it.
pub fn parse_role(raw: &str) -> Option<Role> {
    match raw.trim().to_lowercase().as_str() {
        "mentor" => Some(Role::Mentor),
        "mentee" | "mentée" | "protégé" | "protege" => Some(Role::Mentee),
        _ => None,
    }
}

/// A language as people write it: a code or its name in English or Dutch.
pub fn parse_language(raw: &str) -> Option<Locale> {
    match raw.trim().to_lowercase().as_str() {
        "en" | "en-gb" | "en-us" | "english" | "engels" => Some(Locale::En),
        "nl" | "nl-nl" | "nl-be" | "dutch" | "nederlands" | "vlaams" => Some(Locale::Nl),
        _ => None,
    }
}

/// Reads and judges a list. `already` tells whether the programme already has an
/// address (invited or taking part).
pub fn check(bytes: &[u8], defaults: &Defaults, already: impl Fn(&EmailAddress) -> bool) -> Checked {
    // Line ends as `\n` only: the reader counts lines (the preview names them) by `\n`
    // and would count a record after a `\r\n` one line short.
    let text = decode(bytes).replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(&text))
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut out = Checked::default();
    // The header: the first record that is not blank.
    let header = loop {
        match records.next() {
            None => {
                out.file_problems.push(FileProblem::Empty);
                return out;
            }
            Some(Err(_)) => {
                out.file_problems.push(FileProblem::Unreadable);
                return out;
            }
            Some(Ok(r)) if r.iter().all(str::is_empty) => continue,
            Some(Ok(r)) => break r,
        }
    };
    let mut columns: Vec<Option<Column>> = Vec::new();
    for cell in &header {
        let column = Column::from_header(cell);
        match column {
            None if cell.is_empty() => {}
            None => out.file_problems.push(FileProblem::UnknownColumn(cell.to_owned())),
            Some(c) if columns.contains(&Some(c)) => out.file_problems.push(FileProblem::DuplicateColumn(c)),
            Some(_) => {}
        }
        columns.push(column);
    }
    for needed in [Column::Name, Column::Email, Column::Role] {
        if !columns.contains(&Some(needed)) {
            out.file_problems.push(FileProblem::MissingColumn(needed));
        }
    }
    if !out.file_problems.is_empty() {
        return out;
    }
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for record in records {
        let Ok(record) = record else {
            out.file_problems.push(FileProblem::Unreadable);
            out.rows.clear();
            return out;
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        if out.rows.len() == MAX_ROWS {
            out.file_problems.push(FileProblem::TooManyRows);
            out.rows.clear();
            return out;
        }
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cell = |c: Column| columns.iter().position(|x| *x == Some(c)).and_then(|i| record.get(i)).unwrap_or_default().to_owned();
        let mut row = RowCheck {
            line,
            name: cell(Column::Name),
            email: cell(Column::Email),
            role: cell(Column::Role),
            language: cell(Column::Language),
            timezone: cell(Column::TimeZone),
            invitee: None,
            problems: Vec::new(),
        };
        // A trailing empty cell (a separator at the end of the line) is not a cell count problem.
        let cells = record.iter().collect::<Vec<_>>().iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
        if cells > columns.len() {
            row.problems.push(RowProblem::CellCount);
        }
        let name = match DisplayName::parse(&row.name) {
            Ok(n) => Some(n),
            Err(_) if row.name.is_empty() => {
                row.problems.push(RowProblem::NameMissing);
                None
            }
            Err(_) => {
                row.problems.push(RowProblem::NameInvalid);
                None
            }
        };
        let email = match EmailAddress::parse(&row.email) {
            Ok(e) => {
                if let Some(&first) = seen.get(e.as_str()) {
                    row.problems.push(RowProblem::DuplicateInFile { line: first });
                } else {
                    seen.insert(e.as_str().to_owned(), line);
                    if already(&e) {
                        row.problems.push(RowProblem::AlreadyInProgramme);
                    }
                }
                Some(e)
            }
            Err(_) => {
                row.problems.push(RowProblem::EmailInvalid);
                None
            }
        };
        let role = parse_role(&row.role);
        if role.is_none() {
            row.problems.push(RowProblem::UnknownRole);
        }
        let locale = if row.language.is_empty() { Some(defaults.locale) } else { parse_language(&row.language) };
        if locale.is_none() {
            row.problems.push(RowProblem::UnknownLanguage);
        }
        let timezone = if row.timezone.is_empty() { Some(defaults.timezone.clone()) } else { TimeZoneName::parse(&row.timezone).ok() };
        if timezone.is_none() {
            row.problems.push(RowProblem::UnknownTimeZone);
        }
        if let (Some(name), Some(email), Some(role), Some(locale), Some(timezone), true) =
            (name, email, role, locale, timezone, row.problems.is_empty())
        {
            row.invitee = Some(Invitee { name, email, role, locale, timezone });
        }
        out.rows.push(row);
    }
    out
}

/// Whether a reply to an invitation says yes: its first line (of the text the sender
/// wrote, quotes already trimmed) starts with "yes" or "ja" — "Yes please", "Ja, graag",
/// "JA!" — and is a short answer, not a sentence that happens to start with it.
pub fn says_yes(reply: &str) -> bool {
    let Some(first) = reply.lines().map(str::trim).find(|l| !l.is_empty()) else { return false };
    let words: Vec<String> = first.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).take(5).collect();
    let Some(word) = words.first() else { return false };
    let yes = matches!(word.as_str(), "yes" | "ja" | "jawel" | "yep" | "yeah" | "jazeker" | "graag" | "akkoord" | "ok" | "okay" | "oké");
    let denial = words.iter().any(|w| matches!(w.as_str(), "no" | "not" | "nee" | "niet" | "geen"));
    yes && !denial && first.chars().count() <= 40
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Defaults {
        Defaults { locale: Locale::Nl, timezone: TimeZoneName::parse("Europe/Amsterdam").expect("zone") }
    }

    fn none(_: &EmailAddress) -> bool {
        false
    }

    #[test]
    fn dutch_excel_semicolons_with_a_bom_and_quotes() {
        let csv = "\u{feff}Naam;E-mailadres;Rol;Taal;Tijdzone\r\n\
                   \"Jansen, Henk\";henk@example.nl;mentee;nl;Europe/Amsterdam\r\n\
                   Małgorzata Wiśniewska;MALGORZATA@example.pl;Mentor;English;Europe/Warsaw\r\n\
                   Çağrı Öztürk;cagri@example.com.tr;mentor;;\r\n\
                   João Gonçalves;joao@example.pt;mentee;en;Europe/Lisbon\r\n";
        let checked = check(csv.as_bytes(), &defaults(), none);
        assert!(checked.is_clean(), "{checked:?}");
        let people: Vec<&Invitee> = checked.valid().collect();
        assert_eq!(people.len(), 4);
        assert_eq!(people[0].name.as_str(), "Jansen, Henk");
        assert_eq!(people[1].email.as_str(), "malgorzata@example.pl");
        assert_eq!(people[1].locale, Locale::En);
        assert_eq!(people[1].role, Role::Mentor);
        assert_eq!(people[2].name.as_str(), "Çağrı Öztürk");
        assert_eq!(people[2].locale, Locale::Nl, "an empty language is the programme's");
        assert_eq!(people[2].timezone.as_str(), "Europe/Amsterdam");
        assert_eq!(people[3].timezone.as_str(), "Europe/Lisbon");
        assert_eq!(checked.rows[0].line, 2);
    }

    #[test]
    fn commas_and_tabs_and_columns_in_any_order() {
        let csv = "email,name,role\nines@example.pt,\"Inês \"\"Nené\"\" Sá\",mentee\n";
        let checked = check(csv.as_bytes(), &defaults(), none);
        assert!(checked.is_clean(), "{checked:?}");
        assert_eq!(checked.rows[0].invitee.as_ref().map(|i| i.name.as_str()), Some("Inês \"Nené\" Sá"));
        let pasted = "Name\tEmail\tRole\nZbigniew Żółć\tzbigniew@example.pl\tmentor\n";
        let checked = check(pasted.as_bytes(), &defaults(), none);
        assert!(checked.is_clean(), "{checked:?}");
        assert_eq!(checked.rows[0].name, "Zbigniew Żółć");
    }

    #[test]
    fn windows_1252_from_excel_is_read() {
        // "Naam;E-mail;Rol\nRenée Müller;renee@example.nl;mentee" in Windows-1252.
        let mut bytes = b"Naam;E-mail;Rol\nRen".to_vec();
        bytes.push(0xE9);
        bytes.extend_from_slice(b"e M");
        bytes.push(0xFC);
        bytes.extend_from_slice(b"ller ");
        bytes.push(0x80);
        bytes.extend_from_slice(b";renee@example.nl;mentee\n");
        let checked = check(&bytes, &defaults(), none);
        assert!(checked.is_clean(), "{checked:?}");
        assert_eq!(checked.rows[0].name, "Renée Müller €");
    }

    #[test]
    fn every_row_problem_is_named_with_its_line() {
        let csv = "name;email;role;language;timezone\n\
                   Henk de Vries;henk@example.nl;mentor;nl;Europe/Amsterdam\n\
                   Şule Yılmaz;not-an-address;mentee;nl;Europe/Istanbul\n\
                   Henk Dubbel;HENK@example.nl;mentee;;\n\
                   ;leeg@example.nl;coach;fr;Mars/Olympus\n\
                   Anneke Bestaand;anneke@example.nl;mentor;;\n\
                   Piotr Nowak;piotr@example.pl;mentor;pl;Europe/Warsaw;extra\n";
        let already = |e: &EmailAddress| e.as_str() == "anneke@example.nl";
        let checked = check(csv.as_bytes(), &defaults(), already);
        assert!(checked.file_problems.is_empty());
        let problems: Vec<(usize, Vec<&str>)> =
            checked.rows.iter().map(|r| (r.line, r.problems.iter().map(RowProblem::code).collect())).collect();
        assert_eq!(
            problems,
            vec![
                (2, vec![]),
                (3, vec!["email_invalid"]),
                (4, vec!["duplicate_in_file"]),
                (5, vec!["name_missing", "unknown_role", "unknown_language", "unknown_timezone"]),
                (6, vec!["already_in_programme"]),
                (7, vec!["cell_count", "unknown_language"]),
            ]
        );
        assert_eq!(checked.rows[2].problems, vec![RowProblem::DuplicateInFile { line: 2 }]);
        assert_eq!(checked.valid().count(), 1);
        assert_eq!(checked.bad_rows(), 5);
        assert!(!checked.is_clean());
        assert_eq!(checked.rows[1].name, "Şule Yılmaz", "the row is kept as written for the preview");
    }

    #[test]
    fn unknown_missing_and_doubled_columns_stop_the_list() {
        let checked = check(b"name;email;role;afdeling\nA;a@example.nl;mentor;x\n", &defaults(), none);
        assert_eq!(checked.file_problems, vec![FileProblem::UnknownColumn("afdeling".into())]);
        assert!(checked.rows.is_empty());
        let checked = check(b"naam;taal\nA;nl\n", &defaults(), none);
        assert_eq!(checked.file_problems, vec![FileProblem::MissingColumn(Column::Email), FileProblem::MissingColumn(Column::Role)]);
        let checked = check(b"name;email;e-mail;role\n", &defaults(), none);
        assert_eq!(checked.file_problems, vec![FileProblem::DuplicateColumn(Column::Email)]);
        assert_eq!(check(b"\n\n", &defaults(), none).file_problems, vec![FileProblem::Empty]);
        assert_eq!(check(b"", &defaults(), none).file_problems, vec![FileProblem::Empty]);
    }

    #[test]
    fn blank_lines_and_a_trailing_separator_are_harmless() {
        let csv = "\n\nname;email;role;\nAnna;anna@example.nl;mentee;\n\n";
        let checked = check(csv.as_bytes(), &defaults(), none);
        assert!(checked.is_clean(), "{checked:?}");
        assert_eq!(checked.rows.len(), 1);
    }

    #[test]
    fn a_reply_says_yes_in_english_or_dutch() {
        for yes in ["yes", "Yes please", "  YES!\n\nHenk", "ja", "Ja, graag", "ja graag.", "Jazeker", "\n\nJa\nMet vriendelijke groet"] {
            assert!(says_yes(yes), "{yes:?}");
        }
        for no in [
            "",
            "no",
            "Nee, dank je",
            "Yes, but not now",
            "Ja, maar niet nu",
            "Can you tell me more first?",
            "jammer",
            "yesterday I read it",
        ] {
            assert!(!says_yes(no), "{no:?}");
        }
    }

    #[test]
    fn thousands_of_rows_check_quickly() {
        let mut csv = String::from("name;email;role\n");
        for i in 0..5000 {
            csv.push_str(&format!("Persoon {i};p{i}@example.nl;mentee\n"));
        }
        let checked = check(csv.as_bytes(), &defaults(), none);
        assert_eq!(checked.valid().count(), 5000);
    }
}
