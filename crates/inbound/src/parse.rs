use crate::{AuthResults, InboundMail, Mailbox, automatic, dedup, html, report, trim};
use mail_parser::{MessageParser, MimeHeaders, PartType};
use std::fmt;

/// Bounds on what is accepted; beyond them a mail is stored as failed.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bytes: usize,
}

impl Limits {
    /// MIME parts in the whole message: mail-parser bounds the depth of nested
    /// `message/rfc822` itself, but not the number of multipart parts.
    pub const MAX_PARTS: usize = 500;
    /// Bytes of the header section (before the first blank line).
    pub const MAX_HEADER_BYTES: usize = 256 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 10 * 1024 * 1024 }
    }
}

/// Why a mail could not be taken in. The text is shown to admins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    Empty,
    TooLarge { bytes: usize, limit: usize },
    Malformed(String),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Empty => write!(f, "empty message"),
            ParseError::TooLarge { bytes, limit } => write!(f, "message of {bytes} bytes exceeds the limit of {limit}"),
            ParseError::Malformed(why) => write!(f, "malformed message: {why}"),
        }
    }
}

impl std::error::Error for ParseError {}

pub fn parse(raw: &[u8]) -> Result<InboundMail, ParseError> {
    parse_with(raw, Limits::default())
}

/// Parses one mail. Never panics, whatever the bytes.
pub fn parse_with(raw: &[u8], limits: Limits) -> Result<InboundMail, ParseError> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty);
    }
    if raw.len() > limits.max_bytes {
        return Err(ParseError::TooLarge { bytes: raw.len(), limit: limits.max_bytes });
    }
    let header_len = header_section_len(raw);
    if header_len > Limits::MAX_HEADER_BYTES {
        return Err(ParseError::Malformed(format!("header section of {header_len} bytes exceeds {}", Limits::MAX_HEADER_BYTES)));
    }
    // Counting boundaries before parsing bounds the work mail-parser does on a
    // message built of thousands of nested or empty parts.
    let boundaries = count_boundary_lines(raw);
    if boundaries > Limits::MAX_PARTS * 2 {
        return Err(ParseError::Malformed(format!("more than {} MIME parts", Limits::MAX_PARTS)));
    }
    let msg = MessageParser::default().parse(raw).ok_or_else(|| ParseError::Malformed("no headers".into()))?;
    if msg.headers().is_empty() {
        return Err(ParseError::Malformed("no header fields".into()));
    }
    if msg.parts.len() > Limits::MAX_PARTS {
        return Err(ParseError::Malformed(format!("{} MIME parts, more than {}", msg.parts.len(), Limits::MAX_PARTS)));
    }
    let from = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address().map(|addr| Mailbox { name: a.name().map(str::to_owned), address: lower_domain(addr) }));
    let mut recipients = Vec::new();
    for list in [msg.to(), msg.cc()].into_iter().flatten() {
        for a in list.iter() {
            if let Some(addr) = a.address() {
                push_unique(&mut recipients, addr.trim().to_ascii_lowercase());
            }
        }
    }
    for name in ["Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To"] {
        for (h, v) in msg.headers_raw() {
            if h.eq_ignore_ascii_case(name) {
                let v = v.trim().trim_start_matches('<').trim_end_matches('>');
                if !v.is_empty() {
                    push_unique(&mut recipients, v.to_ascii_lowercase());
                }
            }
        }
    }
    let mut references = Vec::new();
    for hv in [msg.in_reply_to(), msg.references()] {
        if let Some(list) = hv.as_text_list() {
            for id in list {
                push_unique(&mut references, id.trim().trim_matches(['<', '>']).to_string());
            }
        } else if let Some(id) = hv.as_text() {
            push_unique(&mut references, id.trim().trim_matches(['<', '>']).to_owned());
        }
    }
    let (text, history_line) = body_text(&msg);
    // NULs and byte-order marks are never the sender's words.
    let text = trim::normalise(&text.replace(['\0', '\u{feff}'], ""));
    let attachments = msg
        .attachments()
        .enumerate()
        .map(|(i, part)| crate::Attachment {
            name: part.attachment_name().map(str::to_owned).unwrap_or_else(|| format!("attachment-{}.bin", i + 1)),
            content_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".into()),
            data: part.contents().to_vec(),
        })
        .collect();
    let message_id = msg.message_id().map(|id| id.trim().trim_matches(['<', '>']).to_owned()).filter(|id| !id.is_empty());
    let from_address = from.as_ref().map(|m| m.address.as_str());
    let report = report::parse(&msg, &text, from_address, &recipients);
    let automatic = match report.as_ref().map(|r| &r.kind) {
        Some(report::ReportKind::Delivery) => Some(crate::Automatic::DeliveryReport),
        Some(report::ReportKind::Feedback { .. }) => Some(crate::Automatic::FeedbackReport),
        None => automatic::classify(&msg),
    };
    let auth_headers: Vec<&str> =
        msg.headers_raw().filter(|(h, _)| h.eq_ignore_ascii_case("Authentication-Results")).map(|(_, v)| v).collect();
    let auth = AuthResults::evaluate(&auth_headers, from_address);
    Ok(InboundMail {
        dedup_key: dedup::key(raw, message_id.as_deref(), from_address),
        message_id,
        automatic,
        report,
        auth,
        from,
        recipients,
        references,
        subject: msg.subject().unwrap_or_default().to_owned(),
        body: trim::trim_at(&text, history_line),
        text,
        attachments,
    })
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

fn lower_domain(addr: &str) -> String {
    match addr.trim().rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_ascii_lowercase()),
        None => addr.trim().to_owned(),
    }
}

/// The text to post: the text/plain bodies; HTML ones converted (with where their
/// history starts). Several text bodies (mixed with attachments) are joined.
fn body_text(msg: &mail_parser::Message) -> (String, Option<usize>) {
    let mut text = String::new();
    let mut history = None;
    for part in msg.text_bodies() {
        let (piece, h) = match &part.body {
            PartType::Text(t) => (t.to_string(), None),
            PartType::Html(h) => {
                let c = html::to_text(h);
                (c.text, c.history_line)
            }
            _ => continue,
        };
        let piece = if is_flowed(part) { unflow(&piece, delsp(part)) } else { piece };
        if piece.trim().is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        if history.is_none() {
            history = h.map(|h| h + text.matches('\n').count());
        }
        text.push_str(&piece);
    }
    if text.trim().is_empty() {
        // An empty text/plain beside a real HTML body.
        if let Some(PartType::Html(h)) = msg.html_bodies().next().map(|p| &p.body) {
            let c = html::to_text(h);
            return (c.text, c.history_line);
        }
    }
    (text, history)
}

fn is_flowed(part: &mail_parser::MessagePart) -> bool {
    part.content_type().and_then(|ct| ct.attribute("format")).is_some_and(|f| f.eq_ignore_ascii_case("flowed"))
}

fn delsp(part: &mail_parser::MessagePart) -> bool {
    part.content_type().and_then(|ct| ct.attribute("delsp")).is_some_and(|f| f.eq_ignore_ascii_case("yes"))
}

/// RFC 3676 `format=flowed`: a line ending in a space continues on the next line of
/// the same quote depth; space-stuffing is removed. The signature line `-- ` is fixed.
fn unflow(text: &str, delsp: bool) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    for line in text.split('\n') {
        let depth = line.chars().take_while(|&c| c == '>').count();
        let mut content = &line[depth..];
        if let Some(unstuffed) = content.strip_prefix(' ') {
            content = unstuffed;
        }
        let soft = content.ends_with(' ') && content != "-- ";
        let piece = if soft && delsp { &content[..content.len() - 1] } else { content };
        match out.last_mut() {
            Some((d, acc)) if open && *d == depth => acc.push_str(piece),
            _ => out.push((depth, piece.to_owned())),
        }
        open = soft;
    }
    out.into_iter().map(|(d, l)| if d == 0 { l } else { format!("{} {}", ">".repeat(d), l) }).collect::<Vec<_>>().join("\n")
}

fn header_section_len(raw: &[u8]) -> usize {
    let crlf = raw.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = raw.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => raw.len(),
    }
}

fn count_boundary_lines(raw: &[u8]) -> usize {
    raw.split(|&b| b == b'\n').filter(|l| l.starts_with(b"--") && l.len() > 2).count()
}
