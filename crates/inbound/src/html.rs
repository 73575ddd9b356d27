//! HTML mail to readable text.
//!
//! A small converter of our own rather than an html-to-text crate: what matters here is
//! knowing where a mail client's quoted history starts (Gmail's `gmail_quote`,
//! Outlook's `divRplyFwdMsg`/`appendonsend`, Thunderbird's `moz-cite-prefix`, Yahoo's
//! `yahoo_quoted`, Proton's `protonmail_quote`) and writing `<blockquote>` as `>` lines
//! so the plain-text trimming rules apply unchanged (a signature container —
//! `gmail_signature`, `moz-signature`, Outlook's `Signature` — gets the `--` line a
//! text signature has); the general crates render
//! layout but do not report either. The tokenizer is forgiving and linear: unclosed
//! tags, stray `<` and unknown entities come out as text, never as an error.

/// The text, and the line at which the client's history container starts.
pub(crate) struct Converted {
    pub text: String,
    pub history_line: Option<usize>,
}

const MAX_DEPTH: usize = 64;

struct Out {
    lines: Vec<String>,
    cur: String,
    cur_depth: usize,
    space: bool,
    quote: usize,
}

impl Out {
    fn text(&mut self, s: &str, pre: bool) {
        for c in s.chars() {
            if pre && c == '\n' {
                self.newline();
                continue;
            }
            if c.is_whitespace() && !pre {
                self.space = !self.cur.is_empty();
                continue;
            }
            if self.cur.is_empty() {
                self.cur_depth = self.quote;
            } else if self.space {
                self.cur.push(' ');
            }
            self.space = false;
            self.cur.push(if c == '\u{a0}' { ' ' } else { c });
        }
    }

    fn newline(&mut self) {
        let prefix = "> ".repeat(self.cur_depth);
        let line = format!("{prefix}{}", self.cur.trim_end());
        self.lines.push(line.trim_end().to_owned());
        self.cur.clear();
        self.cur_depth = self.quote;
        self.space = false;
    }

    /// Ends the current line if it has text.
    fn block(&mut self) {
        if !self.cur.is_empty() {
            self.newline();
        }
    }

    /// Ends the paragraph: a blank line after it.
    fn paragraph(&mut self) {
        self.block();
        if self.lines.last().is_some_and(|l| !l.trim_start_matches(['>', ' ']).is_empty()) {
            let prefix = "> ".repeat(self.quote);
            self.lines.push(prefix.trim_end().to_owned());
        }
    }
}

pub(crate) fn to_text(html: &str) -> Converted {
    let mut out = Out { lines: Vec::new(), cur: String::new(), cur_depth: 0, space: false, quote: 0 };
    let mut history_line = None;
    // Per open element: (name, was a blockquote, list counter).
    let mut stack: Vec<(String, bool, Option<u32>)> = Vec::new();
    let mut skip: Option<String> = None;
    let mut pre = 0usize;
    let mut link: Option<(String, usize)> = None;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip.is_none() {
                out.text(&decode_entities(rest), pre > 0);
            }
            break;
        };
        if lt > 0 && skip.is_none() {
            out.text(&decode_entities(&rest[..lt]), pre > 0);
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
            continue;
        }
        let Some(tag) = parse_tag(rest) else {
            // A lone '<' is text.
            if skip.is_none() {
                out.text("<", pre > 0);
            }
            rest = &rest[1..];
            continue;
        };
        rest = &rest[tag.len..];
        let name = tag.name.as_str();
        if let Some(s) = &skip {
            // A `<head>` left open ends where the body begins.
            let body_starts = s == "head" && !tag.closing && name == "body";
            if tag.closing && name == s {
                skip = None;
            }
            if !body_starts {
                continue;
            }
            skip = None;
        }
        if !tag.closing && matches!(name, "script" | "style" | "head" | "title" | "xml") && !tag.self_closing {
            skip = Some(name.to_owned());
            continue;
        }
        if tag.closing {
            // Close up to the matching element, forgiving missing end tags.
            if let Some(pos) = stack.iter().rposition(|(n, _, _)| n == name) {
                while stack.len() > pos {
                    if let Some((n, bq, _)) = stack.pop() {
                        close(&mut out, &n, bq, &mut pre);
                    }
                }
            }
            if name == "a"
                && let Some((href, start)) = link.take()
            {
                let shown: String = out.cur.get(start..).unwrap_or_default().trim().to_owned();
                if !href.is_empty() && shown != href && !shown.contains(&href) {
                    out.text(&format!(" ({href})"), false);
                }
            }
            continue;
        }
        let attr = |k: &str| tag.attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let class = attr("class").unwrap_or_default().to_ascii_lowercase();
        let id = attr("id").unwrap_or_default().to_ascii_lowercase();
        let marks_history = class
            .split_whitespace()
            .any(|c| matches!(c, "gmail_quote" | "moz-cite-prefix" | "yahoo_quoted" | "protonmail_quote" | "outlookmessageheader"))
            || matches!(
                id.as_str(),
                "divrplyfwdmsg" | "x_divrplyfwdmsg" | "appendonsend" | "x_appendonsend" | "mail-editor-reference-message-container"
            );
        let block = matches!(
            name,
            "div"
                | "p"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "ul"
                | "ol"
                | "li"
                | "blockquote"
                | "pre"
                | "table"
                | "tr"
                | "section"
                | "article"
                | "header"
                | "footer"
                | "address"
                | "center"
                | "dl"
                | "dt"
                | "dd"
                | "hr"
                | "form"
        );
        if block {
            if matches!(name, "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "blockquote" | "table" | "pre") {
                out.paragraph();
            } else {
                out.block();
            }
        }
        if marks_history && history_line.is_none() {
            out.block();
            history_line = Some(out.lines.len());
        }
        let signature = class.split_whitespace().any(|c| matches!(c, "gmail_signature" | "moz-signature"))
            || matches!(id.as_str(), "signature" | "x_signature");
        if signature {
            out.block();
            out.lines.push("-- ".trim_end().to_owned());
        }
        match name {
            "br" => out.newline(),
            "hr" => {}
            "td" | "th" => out.space = !out.cur.is_empty(),
            "img" => {}
            "li" => {
                let n = stack.iter_mut().rev().find(|(n, _, _)| n == "ol" || n == "ul").and_then(|(_, _, c)| {
                    c.as_mut().map(|c| {
                        *c += 1;
                        *c
                    })
                });
                match n {
                    Some(n) => out.text(&format!("{n}. "), true),
                    None => out.text("- ", true),
                }
                out.space = false;
            }
            "a" => {
                let href = attr("href").unwrap_or_default().trim();
                let href = href.strip_prefix("mailto:").unwrap_or(href);
                let keep = href.starts_with("http://") || href.starts_with("https://") || href.contains('@');
                link = Some((if keep { href.to_owned() } else { String::new() }, out.cur.len()));
            }
            _ => {}
        }
        let void = tag.self_closing
            || matches!(name, "br" | "hr" | "img" | "meta" | "link" | "input" | "col" | "area" | "base" | "wbr" | "source");
        if !void && stack.len() < MAX_DEPTH {
            let bq = name == "blockquote";
            if bq {
                out.quote += 1;
            }
            if name == "pre" {
                pre += 1;
            }
            stack.push((name.to_owned(), bq, (name == "ol").then_some(0)));
        }
    }
    out.block();
    while out.lines.last().is_some_and(|l| l.trim_start_matches(['>', ' ']).is_empty()) {
        out.lines.pop();
    }
    let history_line = history_line.filter(|&h| h < out.lines.len());
    Converted { text: out.lines.join("\n"), history_line }
}

fn close(out: &mut Out, name: &str, blockquote: bool, pre: &mut usize) {
    match name {
        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "table" => out.paragraph(),
        "blockquote" => {
            out.block();
            if blockquote {
                out.quote = out.quote.saturating_sub(1);
            }
            out.paragraph();
        }
        "pre" => {
            out.block();
            *pre = pre.saturating_sub(1);
        }
        "div" | "li" | "tr" | "section" | "article" | "header" | "footer" | "address" | "center" | "dt" | "dd" | "form" => out.block(),
        _ => {}
    }
}

struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    attrs: Vec<(String, String)>,
    len: usize,
}

/// Parses the tag at the start of `s` (which starts with '<').
fn parse_tag(s: &str) -> Option<Tag> {
    let b = s.as_bytes();
    let mut i = 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b':' || b[i] == b'-') {
        i += 1;
    }
    if i == name_start {
        return None;
    }
    let name = s[name_start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i) {
            None => return Some(Tag { name, closing, self_closing, attrs, len: s.len() }),
            Some(b'>') => return Some(Tag { name, closing, self_closing, attrs, len: i + 1 }),
            Some(b'/') => {
                self_closing = true;
                i += 1;
                continue;
            }
            _ => {}
        }
        let k0 = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let key = s.get(k0..i).unwrap_or_default().to_ascii_lowercase();
        if i == k0 {
            i += 1;
            continue;
        }
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let v0 = i + 1;
                    let end = s[v0..].find(q as char).map_or(s.len(), |e| v0 + e);
                    value = decode_entities(s.get(v0..end).unwrap_or_default());
                    i = (end + 1).min(s.len());
                }
                _ => {
                    let v0 = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = decode_entities(s.get(v0..i).unwrap_or_default());
                }
            }
        }
        attrs.push((key, value));
    }
}

/// Named, decimal and hexadecimal character references; unknown ones stay as written.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.char_indices().take(12).find(|&(_, c)| c == ';').map(|(i, _)| i);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = if let Some(num) = name.strip_prefix('#') {
                let n = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse::<u32>().ok(),
                };
                n.and_then(char::from_u32)
            } else {
                named(name)
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn named(name: &str) -> Option<char> {
    const TABLE: &[(&str, char)] = &[
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("nbsp", '\u{a0}'),
        ("copy", '©'),
        ("reg", '®'),
        ("hellip", '…'),
        ("mdash", '—'),
        ("ndash", '–'),
        ("lsquo", '‘'),
        ("rsquo", '’'),
        ("ldquo", '“'),
        ("rdquo", '”'),
        ("laquo", '«'),
        ("raquo", '»'),
        ("bdquo", '„'),
        ("bull", '•'),
        ("middot", '·'),
        ("euro", '€'),
        ("pound", '£'),
        ("deg", '°'),
        ("szlig", 'ß'),
        ("agrave", 'à'),
        ("aacute", 'á'),
        ("acirc", 'â'),
        ("atilde", 'ã'),
        ("auml", 'ä'),
        ("aring", 'å'),
        ("ccedil", 'ç'),
        ("egrave", 'è'),
        ("eacute", 'é'),
        ("ecirc", 'ê'),
        ("euml", 'ë'),
        ("igrave", 'ì'),
        ("iacute", 'í'),
        ("icirc", 'î'),
        ("iuml", 'ï'),
        ("ntilde", 'ñ'),
        ("ograve", 'ò'),
        ("oacute", 'ó'),
        ("ocirc", 'ô'),
        ("otilde", 'õ'),
        ("ouml", 'ö'),
        ("ugrave", 'ù'),
        ("uacute", 'ú'),
        ("ucirc", 'û'),
        ("uuml", 'ü'),
        ("yacute", 'ý'),
        ("Agrave", 'À'),
        ("Aacute", 'Á'),
        ("Acirc", 'Â'),
        ("Atilde", 'Ã'),
        ("Auml", 'Ä'),
        ("Ccedil", 'Ç'),
        ("Eacute", 'É'),
        ("Egrave", 'È'),
        ("Ouml", 'Ö'),
        ("Uuml", 'Ü'),
        ("Ntilde", 'Ñ'),
        ("Scaron", 'Š'),
        ("scaron", 'š'),
        ("Zcaron", 'Ž'),
        ("zcaron", 'ž'),
    ];
    TABLE.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_lists_links_entities() {
        let c = to_text(
            "<html><head><style>p{}</style></head><body><p>Hallo&nbsp;Jan,</p><p>Zie <a href=\"https://example.nl/x\">dit</a> &amp; <b>dat</b>.<br>Groet</p><ul><li>een</li><li>twee</li></ul><ol><li>a</li><li>b</li></ol></body></html>",
        );
        assert_eq!(c.text, "Hallo Jan,\n\nZie dit (https://example.nl/x) & dat.\nGroet\n\n- een\n- twee\n\n1. a\n2. b");
        assert_eq!(c.history_line, None);
    }

    #[test]
    fn gmail_quote_is_marked_and_blockquote_prefixed() {
        let c = to_text(
            "<div dir=\"ltr\">Top</div><br><div class=\"gmail_quote\"><div class=\"gmail_attr\">On Mon, Jan wrote:<br></div><blockquote class=\"gmail_quote\">Old<br>text</blockquote></div>",
        );
        assert_eq!(c.text, "Top\n\nOn Mon, Jan wrote:\n\n> Old\n> text");
        assert_eq!(c.history_line, Some(2));
    }

    #[test]
    fn broken_html_is_text() {
        let c = to_text("a < b <p unclosed=\"x  &bogus; &#x1F600; <");
        assert!(c.text.starts_with("a < b"));
    }
}
