//! Delivery status reports: RFC 3464 (`multipart/report; report-type=delivery-status`,
//! a `message/delivery-status` part with one field group per recipient) and, as best
//! effort, the plain-text bounces some MTAs still send (qmail, older Exim and
//! Exchange): a mail from a system sender (or with a bounce subject) whose text names
//! addresses next to SMTP status codes.
//!
//! A report is always automatic mail: `InboundMail::automatic` is
//! `Some(Automatic::DeliveryReport)` whenever `report` is `Some`.

use crate::automatic::is_system_sender;
use mail_parser::{Message, MimeHeaders, PartType};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Recipients that failed or are delayed (`delivered`/`relayed`/`expanded` left
    /// out).
    pub recipients: Vec<FailedRecipient>,
    /// `Reporting-MTA`, without its type.
    pub reporting_mta: Option<String>,
    /// The Message-ID of the returned original, when the report includes it.
    pub original_message_id: Option<String>,
    /// False for a non-standard (plain-text) bounce, read as best effort.
    pub standard: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedRecipient {
    /// The address that failed (`Final-Recipient`), lower-cased.
    pub address: String,
    /// `Original-Recipient`, lower-cased, when given.
    pub original: Option<String>,
    /// `failed`, `delayed`, … (lower-cased; `failed` for a plain-text bounce).
    pub action: String,
    /// The status code, e.g. `5.1.1`.
    pub status: String,
    /// `5.x.x`: permanent; `4.x.x`: temporary.
    pub permanent: bool,
    pub diagnostic: Option<String>,
}

pub fn parse(msg: &Message, text: &str, from: Option<&str>, own_recipients: &[String]) -> Option<DeliveryReport> {
    let mut status_part = None;
    let mut original_message_id = None;
    for part in &msg.parts {
        let Some(ct) = part.content_type() else { continue };
        let ctype = ct.ctype().to_ascii_lowercase();
        let sub = ct.subtype().unwrap_or_default().to_ascii_lowercase();
        if ctype == "message" && (sub == "delivery-status" || sub == "global-delivery-status") && status_part.is_none() {
            status_part = Some(String::from_utf8_lossy(part.contents()).into_owned());
        }
        if ctype == "text" && sub == "rfc822-headers" && original_message_id.is_none() {
            original_message_id = header_field(&String::from_utf8_lossy(part.contents()), "message-id");
        }
        if let PartType::Message(inner) = &part.body
            && original_message_id.is_none()
        {
            original_message_id = inner.message_id().map(|m| m.trim_matches(['<', '>']).to_owned());
        }
    }
    let original_message_id = original_message_id.map(|m| m.trim().trim_matches(['<', '>']).to_owned());
    if let Some(dsn) = status_part {
        return Some(parse_dsn(&dsn, original_message_id));
    }
    // A person may write "Re: undeliverable mail?": a bounce subject counts only on
    // mail with a null sender or an Auto-Submitted header.
    let subject = msg.subject().unwrap_or_default().trim_start().to_lowercase();
    let bounce_subject = [
        "undeliverable",
        "undelivered mail",
        "delivery status notification",
        "delivery failure",
        "failure notice",
        "mail delivery failed",
        "returned mail",
        "mail system error",
        "delivery has failed",
        "niet bezorgd",
        "onbestelbaar",
        "unzustellbar",
        "non remis",
        "niedostarczalna",
    ]
    .iter()
    .any(|s| subject.starts_with(s));
    let machine = msg.headers_raw().any(|(h, v)| {
        (h.eq_ignore_ascii_case("Return-Path") && v.replace(' ', "").trim() == "<>") || h.eq_ignore_ascii_case("Auto-Submitted")
    });
    if !(from.is_some_and(is_system_sender) || (bounce_subject && machine)) {
        return None;
    }
    plain_bounce(text, from, own_recipients, original_message_id)
}

fn parse_dsn(dsn: &str, original_message_id: Option<String>) -> DeliveryReport {
    let dsn = dsn.replace("\r\n", "\n");
    let mut report = DeliveryReport { recipients: Vec::new(), reporting_mta: None, original_message_id, standard: true };
    for group in dsn.split("\n\n") {
        let fields = unfold(group);
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if report.reporting_mta.is_none() {
            report.reporting_mta = get("reporting-mta").map(|v| strip_type(&v));
        }
        let Some(address) = get("final-recipient").or_else(|| get("original-recipient")).map(|v| address_of(&strip_type(&v))) else {
            continue;
        };
        let action = get("action").map(|a| a.trim().to_ascii_lowercase()).unwrap_or_else(|| "failed".into());
        if matches!(action.as_str(), "delivered" | "relayed" | "expanded") {
            continue;
        }
        let status = get("status")
            .and_then(|s| s.split_whitespace().next().map(str::to_owned))
            .filter(|s| s.starts_with(['2', '4', '5']))
            .unwrap_or_else(|| if action == "delayed" { "4.0.0".into() } else { "5.0.0".into() });
        report.recipients.push(FailedRecipient {
            original: get("original-recipient").map(|v| address_of(&strip_type(&v))),
            permanent: status.starts_with('5'),
            status,
            action,
            diagnostic: get("diagnostic-code").map(|d| strip_type(&d)).filter(|d| !d.is_empty()),
            address,
        });
    }
    report
}

/// Header-style fields of one group, names lower-cased, continuation lines joined.
fn unfold(group: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in group.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    out
}

fn header_field(headers: &str, name: &str) -> Option<String> {
    unfold(&headers.replace("\r\n", "\n")).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// `rfc822; jan@example.nl` → `jan@example.nl`.
fn strip_type(v: &str) -> String {
    match v.split_once(';') {
        Some((t, rest)) if !t.contains(' ') && !t.contains('@') => rest.trim().to_owned(),
        _ => v.trim().to_owned(),
    }
}

fn address_of(v: &str) -> String {
    v.trim().trim_matches(['<', '>']).to_ascii_lowercase()
}

/// Best effort over a plain-text bounce: the addresses its text names before the
/// returned copy of the original, each with the nearest status code.
fn plain_bounce(text: &str, from: Option<&str>, own: &[String], original_message_id: Option<String>) -> Option<DeliveryReport> {
    const COPY_MARKERS: &[&str] = &[
        "--- below this line is a copy of the message",
        "------ this is a copy of the message",
        "----- original message -----",
        "original message follows",
        "------ original message",
        "--- the header of the original message",
        "received: ",
        "return-path: ",
    ];
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines() {
        let l = line.trim().to_lowercase();
        if COPY_MARKERS.iter().any(|m| l.starts_with(m)) {
            break;
        }
        lines.push(line);
    }
    let whole = lines.join("\n").to_lowercase();
    // Each address with the lines it appears on, in order of first mention.
    let mut found: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        for addr in addresses_in(line) {
            let skip = from.is_some_and(|f| f.eq_ignore_ascii_case(&addr)) || own.iter().any(|o| o == &addr) || is_system_sender(&addr);
            if skip {
                continue;
            }
            match found.iter_mut().find(|(a, _)| *a == addr) {
                Some((_, at)) => at.push(i),
                None => found.push((addr, vec![i])),
            }
        }
    }
    let mut recipients: Vec<FailedRecipient> = Vec::new();
    for (addr, at) in found {
        // The status near a mention: that line and the next few; an enhanced code
        // near any mention beats a basic reply code.
        let near = |i: usize| lines.iter().skip(i).take(6).copied().collect::<Vec<&str>>();
        let candidates: Vec<(String, Option<String>)> = at.iter().filter_map(|&i| status_in(&near(i))).collect();
        let best = candidates.iter().find(|(s, _)| !s.ends_with(".0.0")).or(candidates.first()).cloned();
        let (status, diagnostic) = best.unwrap_or_else(|| {
            let soft = whole.contains("delayed") || whole.contains("will retry") || whole.contains("temporar");
            (if soft { "4.0.0" } else { "5.0.0" }.to_owned(), None)
        });
        recipients.push(FailedRecipient {
            address: addr,
            original: None,
            action: if status.starts_with('4') { "delayed".into() } else { "failed".into() },
            permanent: status.starts_with('5'),
            status,
            diagnostic,
        });
    }
    if recipients.is_empty() {
        return None;
    }
    Some(DeliveryReport { recipients, reporting_mta: None, original_message_id, standard: false })
}

/// Addresses in a line (`jan@example.nl`, `<jan@example.nl>`), lower-cased.
fn addresses_in(line: &str) -> Vec<String> {
    line.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | '"' | '\'' | '[' | ']'))
        .map(|w| w.trim_end_matches([':', '.']))
        .filter(|w| w.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.contains('@')))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The first enhanced status code (`5.1.1`) or basic reply code (`550`) in the lines;
/// the line it was found on is the diagnostic.
fn status_in(lines: &[&str]) -> Option<(String, Option<String>)> {
    for line in lines {
        for w in line.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';' | '#' | '<' | '>' | '[' | ']')) {
            let w = w.trim_end_matches([':', '.']).trim_start_matches('-');
            let parts: Vec<&str> = w.split('.').collect();
            if parts.len() == 3
                && matches!(parts[0], "4" | "5")
                && parts[1..].iter().all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()))
            {
                return Some((w.to_owned(), Some(line.trim().to_owned())));
            }
        }
    }
    for line in lines {
        for w in line.split(|c: char| !c.is_ascii_digit()) {
            if w.len() == 3 && (w.starts_with('4') || w.starts_with('5')) {
                return Some((format!("{}.0.0", &w[..1]), Some(line.trim().to_owned())));
            }
        }
    }
    None
}
