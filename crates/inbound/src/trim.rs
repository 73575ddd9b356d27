//! Splitting quoted history and signatures off a reply's text.
//!
//! The text is looked at line by line (CRLF normalised, trailing whitespace removed):
//!
//! 1. **Unquoted history** ends the writer's part: an Outlook separator
//!    (`-----Original Message-----` and its translations), an Outlook header block
//!    (`From:`/`Van:`/`Von:`/`De :`/`Od:`/`Kimden:` … followed by at least two of
//!    sent/date, to, cc, subject in the same language family), optionally under an
//!    underscore line, and a quote header (`On … wrote:`, `Op … schreef …:`, `Den …
//!    skrev …:`, `… пишет:`, Zoho's `---- On … wrote ----`, …, also wrapped over up to
//!    three lines) that is *not* followed by `>` lines (Yahoo, Outlook on the web).
//!    Separators may be decorated (`*-------- Original Message --------*`).
//! 2. **`>` quotes** before that point: a trailing quote block (with the quote header
//!    above it) is history. A single quote block at the very top with the writer's text
//!    below is bottom-posting: the quote is cut and the text below kept. With more than
//!    one quote block the reply is interleaved and every block but a trailing one stays,
//!    because the writer's answers need the questions they answer.
//! 3. The **signature** (`-- `, also `--`) and **mobile sign-offs** ("Sent from my
//!    iPhone", "Verstuurd vanaf mijn iPhone", "Get Outlook for iOS", …) at the end of
//!    what is left.
//!
//! Nothing is dropped but blank lines: `kept` and `trimmed` hold every line of the
//! input between them. If the cut would leave nothing (the whole mail is a quote or a
//! forward), the whole text is kept.

/// A reply's text, split: `kept` is posted, `trimmed` is kept with the message so its
/// readers can expand it — nothing the sender wrote is lost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trimmed {
    pub kept: String,
    pub trimmed: Option<String>,
}

/// Splits `text` (plain text, as sent).
pub fn trim(text: &str) -> Trimmed {
    trim_at(text, None)
}

/// As [`trim`], with the line where an HTML body's history starts (a Gmail, Outlook,
/// Thunderbird, Yahoo or Proton history container), found while converting it.
pub(crate) fn trim_at(text: &str, history_line: Option<usize>) -> Trimmed {
    let normalised = normalise(text);
    let lines: Vec<&str> = normalised.split('\n').collect();
    let n = lines.len();
    // Which lines are cut, and which kept.
    let mut cut = vec![false; n];

    // 1. Unquoted history.
    let mut end = first_unquoted_history(&lines).unwrap_or(n);
    if let Some(h) = history_line {
        end = end.min(h);
    }
    for c in cut.iter_mut().skip(end) {
        *c = true;
    }

    // 2. `>` quote blocks before `end`.
    let blocks = quote_blocks(&lines[..end]);
    if let Some(&(start, stop)) = blocks.last() {
        let trailing = lines[stop..end].iter().all(|l| l.trim().is_empty());
        let leading = blocks.len() == 1 && lines[..start].iter().all(|l| l.trim().is_empty());
        if trailing && !leading {
            cut[start..end].iter_mut().for_each(|c| *c = true);
        } else if leading && !trailing {
            cut[start..stop].iter_mut().for_each(|c| *c = true);
        } else if leading && trailing {
            // The whole writer's part is a quote: cut it; the fallback below keeps it
            // when nothing else is left.
            cut[start..stop].iter_mut().for_each(|c| *c = true);
        }
    }

    // 3. Signature and sign-offs at the end of what is left.
    let last_kept = (0..n).rev().find(|&i| !cut[i] && !lines[i].trim().is_empty());
    if let Some(last) = last_kept {
        let mut sig_from = None;
        // Signature: the last `--` line with a short tail.
        let sig = (0..=last).rev().find(|&i| !cut[i] && is_sig_delimiter(lines[i]));
        if let Some(s) = sig {
            let tail = (s + 1..=last).filter(|&i| !cut[i] && !lines[i].trim().is_empty()).count();
            if tail <= 20 {
                sig_from = Some(s);
            }
        }
        // Sign-offs: the last writer's lines, skipping blank ones.
        let mut i = sig_from.unwrap_or(last + 1);
        while let Some(prev) = (0..i).rev().find(|&j| !cut[j] && !lines[j].trim().is_empty()) {
            if !is_sign_off(lines[prev]) {
                break;
            }
            sig_from = Some(prev);
            i = prev;
        }
        if let Some(s) = sig_from {
            for (j, c) in cut.iter_mut().enumerate().skip(s) {
                if j <= last {
                    *c = true;
                }
            }
        }
    }

    let kept = join(&lines, &cut, false);
    if kept.is_empty() {
        return Trimmed { kept: join(&lines, &vec![false; n], false), trimmed: None };
    }
    let trimmed = join(&lines, &cut, true);
    Trimmed { kept, trimmed: (!trimmed.is_empty()).then_some(trimmed) }
}

/// Joins the lines whose `cut` flag equals `want`, blank runs squeezed to one and the
/// ends trimmed; a gap where the other side's lines were becomes a blank line.
fn join(lines: &[&str], cut: &[bool], want: bool) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut gap = false;
    for (l, &c) in lines.iter().zip(cut) {
        if c != want {
            gap = true;
            continue;
        }
        if l.trim().is_empty() {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push("");
        }
        gap = false;
        out.push(l);
    }
    out.join("\n")
}

/// CRLF and lone CR to LF, trailing whitespace off every line.
pub(crate) fn normalise(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.trim_end();
        out.push_str(line);
    }
    out
}

fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

fn is_sig_delimiter(line: &str) -> bool {
    // `-- ` loses its space to the trailing-whitespace rule; `--` is the common variant.
    line == "--" || line == "-- "
}

/// Runs of `>` lines (blank lines inside a run belong to it), each widened upwards to
/// a quote header right above it. Returns (start, end) with `end` exclusive.
fn quote_blocks(lines: &[&str]) -> Vec<(usize, usize)> {
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !is_quoted(lines[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut stop = i + 1;
        let mut j = i + 1;
        while j < lines.len() {
            if is_quoted(lines[j]) {
                stop = j + 1;
            } else if !lines[j].trim().is_empty() {
                break;
            }
            j += 1;
        }
        let start = header_above(lines, start).unwrap_or(start);
        blocks.push((start, stop));
        i = stop;
    }
    blocks
}

/// A quote header (one to three lines, wrapped) ending right above line `at`, blank
/// lines between allowed. The longest reading wins: Gmail wraps a long "On …, Name
/// <address> wrote:" so that its last line alone ("<jan@example.nl> wrote:") also
/// reads as a header.
fn header_above(lines: &[&str], at: usize) -> Option<usize> {
    let mut end = at;
    while end > 0 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    (1..=3).rev().filter(|&k| k <= end).find(|&k| is_header_lines(&lines[end - k..end])).map(|k| end - k)
}

/// Lines that together are one quote header. Wrapped lines (all but the last) never
/// end a sentence or start with `>`, so a writer's own line above is never taken in.
fn is_header_lines(part: &[&str]) -> bool {
    if part.iter().any(|l| l.trim().is_empty() || is_quoted(l)) {
        return false;
    }
    let wrapped_ok = part[..part.len() - 1].iter().all(|l| {
        let t = l.trim_end();
        !(t.ends_with(['!', '?', ':']) || (t.ends_with('.') && !t.chars().any(|c| c.is_ascii_digit())))
    });
    wrapped_ok && is_quote_header(&part.join(" "), part.len())
}

/// The first line where unquoted history starts.
pub(crate) fn first_unquoted_history(lines: &[&str]) -> Option<usize> {
    for i in 0..lines.len() {
        let line = lines[i];
        if line.trim().is_empty() || is_quoted(line) {
            continue;
        }
        if is_original_separator(line) {
            return Some(i);
        }
        if is_underscore_line(line) {
            let next = (i + 1..lines.len()).find(|&j| !lines[j].trim().is_empty());
            if next.is_some_and(|j| header_block_at(lines, j) || quote_header_at(lines, j).is_some()) {
                return Some(i);
            }
            continue;
        }
        if header_block_at(lines, i) {
            return Some(i);
        }
        if let Some(k) = quote_header_at(lines, i) {
            let next = (i + k..lines.len()).find(|&j| !lines[j].trim().is_empty());
            match next {
                // Followed by `>` lines: the quote-block rules decide.
                Some(j) if is_quoted(lines[j]) => {}
                _ => return Some(i),
            }
        }
    }
    None
}

/// A quote header starting at line `i`: returns how many lines it spans.
fn quote_header_at(lines: &[&str], i: usize) -> Option<usize> {
    (1..=3).find(|&k| i + k <= lines.len() && is_header_lines(&lines[i..i + k]))
}

/// "On … wrote:" and its translations. A header wrapped over several lines must start
/// with the language's opening word (or carry a time and an address); a one-line header
/// may be "Name <addr> wrote:" or "<date> <time>, Name wrote:". Zoho's decorated
/// "---- On … wrote ----" needs no colon.
pub(crate) fn is_quote_header(text: &str, lines: usize) -> bool {
    let lowered = text.trim().to_lowercase();
    let t = lowered.trim_matches(|c: char| c == '*' || c == '-' || c.is_whitespace());
    let decorated = lowered.starts_with("---") && lowered.ends_with("---");
    if t.chars().count() > 300 || !(t.ends_with(':') || decorated) {
        return false;
    }
    let body = t.trim_end_matches(':').trim_end();
    const VERBS: &[&str] = &[
        "wrote",
        "writes",
        "schreef",
        "schrieb",
        "schreibt",
        "a écrit",
        "écrit",
        "pisze",
        "napisał",
        "napisała",
        "napisał(a)",
        "escreveu",
        "escribió",
        "yazdı",
        "napísal",
        "napísala",
        "napísal(a)",
        "skrev",
        "geschreven",
        "ha scritto",
        "napsal",
        "napsala",
        "napsal(a)",
        // Russian and Ukrainian.
        "написал",
        "написала",
        "написал(а)",
        "пишет",
        "пише",
        "написав",
        "написав(ла)",
    ];
    let time = has_time(t);
    let address = t.contains('@');
    if !VERBS.iter().any(|v| body.ends_with(*v)) {
        // Dutch, German, Danish, Norwegian and Swedish put the verb before the name:
        // "Op 3 mrt. 2025 om 10:00 schreef Jan de Vries <jan@example.nl>:",
        // "Den man. 3. mar. 2025 kl. 10.00 skrev Jan Jensen <jan@example.dk>:".
        return (starts_with_word(t, "op") && t.contains(" schreef "))
            || (starts_with_word(t, "am") && t.contains(" schrieb "))
            || ((starts_with_word(t, "den") || t.contains(" kl")) && t.contains(" skrev "))
            || (starts_with_word(t, "dňa") && t.contains(" napísal"))
            || (starts_with_word(t, "w dniu") && (t.contains(" pisze") || t.contains(" napisał")))
            // Apple Mail in Polish: "Wiadomość napisana przez Jan <…> w dniu 03.03.2025, o godz. 09:58:".
            || t.starts_with("wiadomość napisana przez ")
            // Gmail in Russian has no verb: "пн, 3 мар. 2025 г. в 10:00, Ян <jan@example.nl>:".
            || (time && address && body.ends_with('>'));
    }
    const LEADS: &[&str] = &["on", "op", "am", "le", "w dniu", "em", "no dia", "el", "dňa", "den", "il", "il giorno"];
    // "At 10:00 on 3 March 2025, Jan wrote:" — with a date, not "At work, Jan wrote:".
    let lead = LEADS.iter().any(|w| starts_with_word(t, w)) || (starts_with_word(t, "at") && t.chars().any(|c| c.is_ascii_digit()));
    // Turkish: "3 Mar 2025 Pzt, 10:00 tarihinde Çağrı Öztürk <…> şunu yazdı:".
    let turkish = t.contains("tarihinde");
    if lines > 1 {
        return lead || turkish || (time && address);
    }
    lead || turkish || address || t.contains('<') || time
}

/// A clock time (`10:00`, `10.00`, `10:00:00`) as a word — what dates in quote
/// headers carry (`03.03.2025` is a date, not a time).
fn has_time(t: &str) -> bool {
    t.split(|c: char| c.is_whitespace() || c == ',').any(|w| {
        let w = w.trim_end_matches([':', ',', ')']).trim_start_matches('(');
        let parts: Vec<&str> = w.split([':', '.']).collect();
        (2..=3).contains(&parts.len())
            && (1..=2).contains(&parts[0].len())
            && parts[1..].iter().all(|p| p.len() == 2)
            && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
    })
}

fn starts_with_word(t: &str, w: &str) -> bool {
    t.strip_prefix(w).is_some_and(|rest| rest.starts_with(' ') || rest.starts_with(','))
}

fn is_underscore_line(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 10 && t.chars().all(|c| c == '_')
}

/// `-----Original Message-----` and its translations; also forwards. Any decoration
/// around it (`*-------- Original Message --------*`, `===== … =====`) counts.
fn is_original_separator(line: &str) -> bool {
    let t = line.trim().to_lowercase();
    let deco = |c: char| matches!(c, '-' | '=' | '*' | '_' | '~' | '#') || c.is_whitespace();
    let inner = t.trim_matches(deco);
    let lead = t.len() - t.trim_start_matches(deco).len();
    let tail = t.len() - t.trim_end_matches(deco).len();
    let marks = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
    if inner.is_empty() || marks(&t[..lead]) < 2 || marks(&t[t.len() - tail..]) < 2 {
        return false;
    }
    const NAMES: &[&str] = &[
        "original message",
        "oorspronkelijk bericht",
        "origineel bericht",
        "ursprüngliche nachricht",
        "originalnachricht",
        "message d'origine",
        "message original",
        "wiadomość oryginalna",
        "oryginalna wiadomość",
        "mensagem original",
        "mensaje original",
        "orijinal mesaj",
        "özgün ileti",
        "pôvodná správa",
        "pôvodná zpráva",
        "forwarded message",
        "doorgestuurd bericht",
        "weitergeleitete nachricht",
        "message transféré",
        "przekazana wiadomość",
        "mensagem encaminhada",
        "mensaje reenviado",
        "iletilen ileti",
        "preposlaná správa",
    ];
    NAMES.contains(&inner)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    From,
    Sent,
    To,
    Cc,
    Subject,
}

/// `From: …` style field names of Outlook's reply header, by language.
fn field(line: &str) -> Option<Field> {
    let t = line.trim().trim_start_matches('*').trim_start().to_lowercase();
    let (name, _) = t.split_once(':')?;
    let name = name.trim().trim_end_matches('*').trim();
    let f = match name {
        "from" | "van" | "von" | "de" | "od" | "kimden" | "från" | "fra" | "da" => Field::From,
        "sent" | "date" | "verzonden" | "datum" | "gesendet" | "envoyé" | "wysłano" | "wysłane" | "data" | "enviado" | "enviada"
        | "enviado el" | "gönderildi" | "gönderilme tarihi" | "tarih" | "odoslané" | "dátum" | "fecha" | "date de l'envoi" => {
            Field::Sent
        }
        "to" | "aan" | "an" | "à" | "a" | "do" | "para" | "kime" | "komu" | "pour" => Field::To,
        "cc" | "kopie" | "kopia" | "bilgi" | "kópia" => Field::Cc,
        "subject" | "onderwerp" | "betreff" | "objet" | "temat" | "assunto" | "asunto" | "konu" | "predmet" | "vec" | "oggetto" => {
            Field::Subject
        }
        _ => return None,
    };
    Some(f)
}

/// An Outlook reply header: a From-like field at `i`, then within a few lines at least
/// two further fields including To or Subject.
fn header_block_at(lines: &[&str], i: usize) -> bool {
    if field(lines[i]) != Some(Field::From) {
        return false;
    }
    let mut seen = Vec::new();
    for l in lines.iter().skip(i + 1).filter(|l| !l.trim().is_empty()).take(6) {
        match field(l) {
            Some(f) if f != Field::From && !seen.contains(&f) => seen.push(f),
            Some(_) => {}
            None => continue,
        }
    }
    seen.len() >= 2 && (seen.contains(&Field::Subject) || seen.contains(&Field::To))
}

/// "Sent from my iPhone" and its kin: a short line that names the sending device/app.
pub(crate) fn is_sign_off(line: &str) -> bool {
    let t = line.trim().to_lowercase();
    if t.chars().count() > 90 {
        return false;
    }
    const PREFIXES: &[&str] = &[
        "sent from my ",
        "sent from outlook",
        "sent from mail for windows",
        "sent from yahoo mail",
        "sent from the yahoo mail",
        "sent with proton mail",
        "sent from proton mail",
        "sent from protonmail",
        "sent with protonmail",
        "sent via ",
        "sent from samsung",
        "get outlook for ",
        "verstuurd vanaf mijn ",
        "verzonden vanaf mijn ",
        "verzonden met ",
        "verstuurd met ",
        "verzonden vanuit ",
        "von meinem ",
        "gesendet von meinem ",
        "gesendet mit ",
        "gesendet von ",
        "envoyé de mon ",
        "envoyé depuis mon ",
        "envoyé à partir de ",
        "wysłane z mojego ",
        "wysłano z mojego ",
        "wysłane z ",
        "wysłano z ",
        "enviado do meu ",
        "enviado de meu ",
        "enviado desde mi ",
        "odoslané z ",
        "odoslané zo ",
        "odoslané s ",
        "outlook for ios",
        "outlook for android",
        "obtenir outlook pour ",
        "outlook voor ",
        "holen sie sich outlook für ",
        "pobierz aplikację outlook",
        "baixar o outlook para ",
    ];
    if PREFIXES.iter().any(|p| t.starts_with(p)) {
        return true;
    }
    // Turkish: "iPhone'umdan gönderildi", "Android cihazımdan gönderildi".
    if t.ends_with("gönderildi") && (t.contains("'umdan") || t.contains("’umdan") || t.contains("dan gönderildi")) {
        return true;
    }
    // Any language: a short line with a "sent" word and a device or mail app —
    // "Sendt fra min iPhone", "Skickat från min Galaxy", "Отправлено с iPhone",
    // "Надіслано з iPhone", "Von meinem Samsung Galaxy Smartphone gesendet",
    // "Hent Outlook til iOS", "iOS için Outlook'u edinin".
    if t.chars().count() > 60 {
        return false;
    }
    const SENT: &[&str] = &[
        "sent",
        "sendt",
        "skickat",
        "skickades",
        "lähetetty",
        "verstuurd",
        "verzonden",
        "gesendet",
        "envoyé",
        "wysłane",
        "wysłano",
        "enviado",
        "enviada",
        "odoslané",
        "odesláno",
        "inviato",
        "отправлено",
        "надіслано",
        "gönderildi",
        "get",
        "hent",
        "skaffa",
        "holen",
        "obtenir",
        "pobierz",
        "baixar",
        "obtener",
        "получить",
        "отримати",
        "edinin",
        "download",
        "downloaden",
    ];
    const DEVICES: &[&str] = &[
        "iphone",
        "ipad",
        "android",
        "galaxy",
        "samsung",
        "huawei",
        "xiaomi",
        "pixel",
        "blackberry",
        "outlook",
        "gmail",
        "yahoo",
        "proton",
        "spark",
        "ios",
        "mobile",
        "mobil",
        "smartphone",
        "tablet",
        "telefon",
        "телефон",
    ];
    // Outlook appends its link: "Get Outlook for iOS<https://aka.ms/o0ukef>".
    let t = t.split_once("<http").map_or(t.as_str(), |(before, _)| before);
    let words: Vec<&str> = t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    // The verb opens or closes a sign-off; "I'll get a new iPhone" is a sentence.
    let verb = [words.first(), words.last()].into_iter().flatten().any(|w| SENT.contains(w));
    verb && words.iter().any(|w| DEVICES.iter().any(|d| w.starts_with(d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_reply_is_split_at_the_quote_header() {
        let t = trim(
            "Thanks, see you Tuesday.\r\n\r\nOn Mon, 3 Mar 2025 at 10:00, Jan de Vries <jan@example.nl>\r\nwrote:\r\n> Shall we meet?\r\n> Jan\r\n",
        );
        assert_eq!(t.kept, "Thanks, see you Tuesday.");
        assert_eq!(
            t.trimmed.as_deref(),
            Some("On Mon, 3 Mar 2025 at 10:00, Jan de Vries <jan@example.nl>\nwrote:\n> Shall we meet?\n> Jan")
        );
    }

    #[test]
    fn interleaved_answers_stay() {
        let t = trim("On Mon, Jan wrote:\n> Question one?\nAnswer one.\n> Question two?\nAnswer two.\n\n> Bye\n> Jan\n");
        assert_eq!(t.kept, "On Mon, Jan wrote:\n> Question one?\nAnswer one.\n> Question two?\nAnswer two.");
        assert_eq!(t.trimmed.as_deref(), Some("> Bye\n> Jan"));
    }

    #[test]
    fn bottom_posting_keeps_the_text_below() {
        let t = trim("Op ma 3 mrt 2025 om 10:00 schreef Jan de Vries <jan@example.nl>:\n> Zullen we dinsdag?\n\nJa, dinsdag is goed.\n");
        assert_eq!(t.kept, "Ja, dinsdag is goed.");
        assert!(t.trimmed.as_deref().is_some_and(|s| s.contains("Zullen we dinsdag?")));
    }

    #[test]
    fn all_quoted_keeps_everything() {
        let t = trim("> only a quote\n> nothing else\n");
        assert_eq!(t.kept, "> only a quote\n> nothing else");
        assert_eq!(t.trimmed, None);
    }

    #[test]
    fn outlook_header_block_in_polish() {
        let t = trim(
            "Dziękuję!\n\nWysłane z mojego iPhone'a\n\nOd: Jan <jan@example.nl>\nWysłano: poniedziałek, 3 marca 2025 10:00\nDo: Małgorzata\nTemat: Spotkanie\n\nTreść\n",
        );
        assert_eq!(t.kept, "Dziękuję!");
    }

    #[test]
    fn apple_headers_in_dutch_and_polish() {
        for header in [
            "Op 3 mrt. 2025, om 09:58 heeft Jan de Vries <jan@example.nl> het volgende geschreven:",
            "Wiadomość napisana przez Jan de Vries <jan@example.nl> w dniu 03.03.2025, o godz. 09:58:",
        ] {
            let t = trim(&format!("Nieuw.\n\n{header}\n\n> Oud\n"));
            assert_eq!(t.kept, "Nieuw.", "{header}");
        }
    }

    #[test]
    fn signature_and_no_false_header() {
        let t = trim("My mentor wrote: great things.\nSee you.\n-- \nJoão Conceição\n+351 000\n");
        assert_eq!(t.kept, "My mentor wrote: great things.\nSee you.");
        assert_eq!(t.trimmed.as_deref(), Some("--\nJoão Conceição\n+351 000"));
    }

    #[test]
    fn a_wrapped_header_is_one_header() {
        for header in [
            "On Mon, 3 Mar 2025 at 10:00, Jan de Vries\n<jan@example.nl> wrote:",
            "On Monday, 3 March 2025 at 10:00 GMT+02:00,\nJan de Vries van der Berg-Kowalski <\njan.devries@example.nl> wrote:",
            "At 10:00 on 3 March 2025, Jan de Vries\nwrote:",
            "пн, 3 мар. 2025 г. в 10:00, Ян де Врис <\njan@example.nl>:",
        ] {
            let t = trim(&format!("Thanks, see you.\n\n{header}\n> Shall we meet?\n"));
            assert_eq!(t.kept, "Thanks, see you.", "{header}");
            assert!(t.trimmed.as_deref().is_some_and(|x| x.starts_with(header.split('\n').next().unwrap_or_default())), "{header}: {t:?}");
        }
    }

    #[test]
    fn the_writers_line_above_a_header_is_never_taken_in() {
        let t = trim("On Tuesday then.\nOn Mon, 3 Mar 2025 at 10:00, Jan <jan@example.nl> wrote:\n> Shall we meet?\n");
        assert_eq!(t.kept, "On Tuesday then.");
        let t = trim("Where were you?\nOn Mon, 3 Mar 2025 at 10:00, Jan de Vries\n<jan@example.nl> wrote:\n> Here.\n");
        assert_eq!(t.kept, "Where were you?");
    }

    #[test]
    fn headers_in_more_languages() {
        for header in [
            "At 10:00 on 3 March 2025, Jan de Vries wrote:",
            "Den man. 3. mar. 2025 kl. 10.00 skrev Jan Jensen <jan@example.dk>:",
            "man. 3. mar. 2025 kl. 10:00 skrev Ola Nordmann <ola@example.no>:",
            "Den 2025-03-03 kl. 10:00, skrev Sven Svensson:",
            "Sven Svensson <sven@example.se> skrev:",
            "03.03.2025 10:00, Иван Петров пишет:",
            "3 марта 2025 г., в 10:00, Иван Петров <ivan@example.ru> написал(а):",
            "пн, 3 бер. 2025 р. о 10:00 Олена Коваленко <olena@example.ua> пише:",
            "On Mon, 3 Mar 2025 at 10:00 GMT+02:00, Jan de Vries <jan@example.nl> wrote:",
        ] {
            let t = trim(&format!("Nieuw.\n\n{header}\n\nOud\n"));
            assert_eq!(t.kept, "Nieuw.", "{header}");
        }
        // Words that only look like one stay.
        for text in ["At work, my manager wrote:\nthat I did well.", "Dinsdag skrev ik:\nniets.", "I wrote:\nthis."] {
            assert_eq!(trim(text).kept, text, "{text}");
        }
    }

    #[test]
    fn zoho_and_decorated_separators() {
        for sep in [
            "---- On Mon, 03 Mar 2025 10:00:00 +0100 Jan de Vries <jan@example.nl> wrote ----",
            "---- Am Mo, 03 Mär 2025 10:00:00 +0100 schrieb Jan de Vries <jan@example.nl> ---",
            "*-------- Original Message --------*",
            "======== Original Message ========",
            "***** Wiadomość oryginalna *****",
            "~~~ Oorspronkelijk bericht ~~~",
        ] {
            let t = trim(&format!("Tot dan.\n\n{sep}\nFrom: Jan\nOud bericht\n"));
            assert_eq!(t.kept, "Tot dan.", "{sep}");
        }
        assert_eq!(trim("Original Message follows below\ntext").kept, "Original Message follows below\ntext");
    }

    #[test]
    fn device_sign_offs_in_the_supported_languages() {
        for line in [
            "Sent from my iPhone",
            "Verstuurd vanaf mijn iPhone",
            "Von meinem iPhone gesendet",
            "Wysłane z iPhone'a",
            "iPhone'umdan gönderildi",
            "Enviado do meu iPhone",
            "Sent from Outlook for Android",
            "Get Outlook for iOS",
            "Sent from my Galaxy",
            "Verzonden vanaf mijn Samsung-apparaat",
            "Sent with Proton Mail secure email",
            "Sendt fra min iPhone",
            "Skickat från min iPhone",
            "Отправлено с iPhone",
            "Надіслано з iPhone",
            "Von meinem Samsung Galaxy Smartphone gesendet",
            "Hent Outlook til iOS",
            "iOS için Outlook'u edinin",
            "Odoslané z iPhonu",
            "Envoyé de mon appareil Galaxy",
            "iOS için Outlook'u edinin<https://aka.ms/o0ukef>",
        ] {
            assert!(is_sign_off(line), "{line}");
            let t = trim(&format!("Tot morgen.\n\n{line}\n"));
            assert_eq!(t.kept, "Tot morgen.", "{line}");
        }
        for line in ["I'll get a new iPhone", "My Samsung broke, so I sent it from work.", "Sent the CV yesterday."] {
            assert!(!is_sign_off(line), "{line}");
        }
    }
}
