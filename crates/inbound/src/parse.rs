use crate::{AuthResults, InboundMail, Mailbox, automatic, dedup, report, trim};
use mail_parser::{MessageParser, MimeHeaders};
use std::fmt;

/// Bounds on what is accepted; beyond them a mail is stored as failed.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bytes: usize,
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
    let msg = MessageParser::default().parse(raw).ok_or_else(|| ParseError::Malformed("no headers".into()))?;
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
    for name in ["Delivered-To", "X-Original-To"] {
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
                push_unique(&mut references, id.to_string());
            }
        } else if let Some(id) = hv.as_text() {
            push_unique(&mut references, id.to_owned());
        }
    }
    let text = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
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
    let message_id = msg.message_id().map(str::to_owned);
    Ok(InboundMail {
        dedup_key: dedup::key(raw, message_id.as_deref(), from.as_ref().map(|m| m.address.as_str())),
        message_id,
        automatic: automatic::classify(&msg),
        report: report::parse(&msg),
        auth: AuthResults::default(),
        from,
        recipients,
        references,
        subject: msg.subject().unwrap_or_default().to_owned(),
        body: trim::trim(&text),
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
