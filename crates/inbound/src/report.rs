//! Delivery status and feedback reports, recognised by their structure — never by a
//! From value alone, which anyone can write:
//!
//! - RFC 3464: a `message/delivery-status` (or `global-delivery-status`) part, one
//!   field group per recipient, found wherever it sits (also under a mangled outer
//!   `Content-Type`); `Final-Recipient`/`Status` groups written inline in the text when
//!   the MIME structure was lost.
//! - RFC 5965 ARF: a `message/feedback-report` part (or `report-type=feedback-report`);
//!   the complained-about recipient from `Original-Rcpt-To` or the returned original's
//!   `To`, the VERP address from `Original-Mail-From` or its `Return-Path`.
//! - Plain-text bounces (qmail, Exim, Postfix, sendmail v5/v8, DragonFly DMA, Exchange
//!   and Office 365, Outlook.com, Gmail, Yahoo, Amazon SES): known body markers in the
//!   mail's own text (not in a forwarded or `>` quoted part), Exim's
//!   `X-Failed-Recipients`, a system sender (`MAILER-DAEMON`, `postmaster`, `Mail
//!   Delivery System`, an empty or `<>` From), or a bounce subject on null-sender mail.
//!   The failed addresses are those the text names before the returned copy, each with
//!   the nearest status code. A system sender's mail with no readable recipient is
//!   still a report (with no recipients): it is never posted.
//!
//! A report is always automatic mail: `InboundMail::automatic` is
//! `Some(Automatic::DeliveryReport)` (or `FeedbackReport`) whenever `report` is `Some`.

use crate::automatic::is_system_sender;
use mail_parser::{Message, MimeHeaders, PartType};
use std::sync::OnceLock;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// A bounce or a delay report.
    Delivery,
    /// An ARF feedback report; `feedback_type` lower-cased (`abuse`, `not-spam`, …).
    Feedback { feedback_type: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryReport {
    pub kind: ReportKind,
    /// Recipients that failed or are delayed (`delivered`/`relayed`/`expanded` left
    /// out); for a feedback report, the complained-about recipient. Empty when the
    /// report names none we can read.
    pub recipients: Vec<FailedRecipient>,
    /// `Reporting-MTA`, without its type.
    pub reporting_mta: Option<String>,
    /// The Message-ID of the returned original, when the report includes it.
    pub original_message_id: Option<String>,
    /// The returned original's envelope sender (`Return-Path`, ARF's
    /// `Original-Mail-From`), lower-cased: our VERP bounce address, when it is ours.
    pub original_sender: Option<String>,
    /// False for a non-standard (plain-text) bounce, read as best effort.
    pub standard: bool,
}

impl DeliveryReport {
    /// An abuse complaint ("this is spam"): counts like a hard bounce, at once.
    pub fn is_complaint(&self) -> bool {
        matches!(&self.kind, ReportKind::Feedback { feedback_type } if matches!(feedback_type.as_str(), "abuse" | "fraud" | ""))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedRecipient {
    /// The address that failed (`Final-Recipient`), lower-cased.
    pub address: String,
    /// `Original-Recipient`, lower-cased, when given.
    pub original: Option<String>,
    /// `failed`, `delayed`, … (lower-cased; `failed` for a plain-text bounce,
    /// `complained` in a feedback report).
    pub action: String,
    /// The status code, e.g. `5.1.1` (a feedback report: its feedback type).
    pub status: String,
    /// `5.x.x`: permanent; `4.x.x`: temporary. A complaint is permanent.
    pub permanent: bool,
    pub diagnostic: Option<String>,
}

/// What the parts of a mail say about a returned original.
#[derive(Default)]
struct Parts {
    delivery_status: Option<String>,
    feedback: Option<String>,
    report_type: Option<String>,
    original_message_id: Option<String>,
    original_sender: Option<String>,
    original_to: Vec<String>,
}

fn scan_parts(msg: &Message) -> Parts {
    let mut p = Parts::default();
    for part in &msg.parts {
        let Some(ct) = part.content_type() else { continue };
        let ctype = ct.ctype().to_ascii_lowercase();
        let sub = ct.subtype().unwrap_or_default().to_ascii_lowercase();
        match (ctype.as_str(), sub.as_str()) {
            ("multipart", "report") if p.report_type.is_none() => {
                p.report_type = ct.attribute("report-type").map(|t| t.trim().to_ascii_lowercase());
            }
            ("message", "delivery-status" | "global-delivery-status") if p.delivery_status.is_none() => {
                p.delivery_status = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("message", "feedback-report") if p.feedback.is_none() => {
                p.feedback = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("text" | "message", "rfc822-headers" | "global-headers") if p.original_message_id.is_none() => {
                let fields = unfold(&String::from_utf8_lossy(part.contents()).replace("\r\n", "\n"));
                take_original(&mut p, &fields);
            }
            _ => {}
        }
        if let PartType::Message(inner) = &part.body
            && p.original_message_id.is_none()
            && p.original_sender.is_none()
        {
            p.original_message_id = inner.message_id().map(|m| m.trim_matches(['<', '>']).to_owned());
            p.original_sender = inner.return_path().as_text().map(address_of).filter(|a| !a.is_empty());
            for a in inner.to().into_iter().flat_map(|l| l.iter()) {
                if let Some(addr) = a.address() {
                    p.original_to.push(addr.trim().to_ascii_lowercase());
                }
            }
        }
    }
    p.original_message_id = p.original_message_id.map(|m| m.trim().trim_matches(['<', '>']).to_owned()).filter(|m| !m.is_empty());
    p
}

fn take_original(p: &mut Parts, fields: &[(String, String)]) {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if p.original_message_id.is_none() {
        p.original_message_id = get("message-id");
    }
    if p.original_sender.is_none() {
        p.original_sender = get("return-path").map(|v| address_of(&v)).filter(|a| !a.is_empty());
    }
    if p.original_to.is_empty()
        && let Some(to) = get("to")
    {
        p.original_to = addresses_in(&to);
    }
}

pub fn parse(msg: &Message, text: &str, from: Option<&str>, own_recipients: &[String]) -> Option<DeliveryReport> {
    let mut parts = scan_parts(msg);
    if parts.feedback.is_some() || parts.report_type.as_deref() == Some("feedback-report") {
        return Some(parse_arf(parts));
    }
    if let Some(dsn) = parts.delivery_status.take() {
        let mut report = parse_dsn(&dsn, parts.original_message_id, parts.original_sender);
        failed_recipients_header(msg, text, &mut report);
        return Some(report);
    }
    let header = |name: &str| msg.headers_raw().find(|(h, _)| h.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim());
    let null_return_path = header("Return-Path").is_some_and(|v| v.replace(' ', "") == "<>");
    // The cheap look first: most mail names no marker anywhere, and only mail that
    // does pays for finding its own text.
    let marker = has_bounce_marker(&head_lowercase(text)) && has_bounce_marker(&own_text(text));
    let signal = header("X-Failed-Recipients").is_some()
        || is_bounce_sender(header("From"), msg.from().and_then(|a| a.first()).and_then(|a| a.name()), from)
        || marker
        || (bounce_subject(msg.subject().unwrap_or_default()) && (null_return_path || header("Auto-Submitted").is_some()));
    if !signal {
        return None;
    }
    // The original's headers when they came inline, after the copy marker.
    let (notice, copy) = split_at_copy(text);
    if parts.original_message_id.is_none() || parts.original_sender.is_none() {
        let fields = unfold(&copy.trim_start_matches('\n').replace("\r\n", "\n"));
        take_original(&mut parts, &fields);
    }
    // Field groups written inline: the MIME structure was mangled on the way.
    if notice.lines().any(|l| l.trim_start().to_ascii_lowercase().starts_with("final-recipient:")) {
        let mut report = parse_dsn(&notice, parts.original_message_id.clone(), parts.original_sender.clone());
        if !report.recipients.is_empty() {
            report.standard = false;
            return Some(report);
        }
    }
    let mut report = plain_bounce(&notice, from, own_recipients, parts.original_message_id, parts.original_sender);
    failed_recipients_header(msg, text, &mut report);
    Some(report)
}

/// Exim's `X-Failed-Recipients` (and Gmail's): addresses a report's text may not name
/// plainly.
fn failed_recipients_header(msg: &Message, text: &str, report: &mut DeliveryReport) {
    let listed: Vec<String> =
        msg.headers_raw().filter(|(h, _)| h.eq_ignore_ascii_case("X-Failed-Recipients")).flat_map(|(_, v)| addresses_in(v)).collect();
    for address in listed {
        if report.recipients.iter().any(|r| r.address == address) {
            continue;
        }
        let (status, diagnostic) = status_for(&split_at_copy(text).0, &address);
        report.recipients.push(recipient(address, status, diagnostic));
    }
}

fn parse_arf(p: Parts) -> DeliveryReport {
    let fields = p.feedback.as_deref().map(|f| unfold(&f.replace("\r\n", "\n"))).unwrap_or_default();
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let feedback_type = get("feedback-type").map(|t| t.trim().to_ascii_lowercase()).unwrap_or_else(|| "abuse".into());
    let mut addresses: Vec<String> = fields.iter().filter(|(n, _)| n == "original-rcpt-to").map(|(_, v)| address_of(v)).collect();
    if addresses.is_empty() {
        addresses = p.original_to.clone();
    }
    addresses.retain(|a| a.contains('@'));
    addresses.dedup();
    let original_sender = get("original-mail-from").map(|v| address_of(&v)).filter(|a| !a.is_empty()).or(p.original_sender);
    let recipients = addresses
        .into_iter()
        .map(|address| FailedRecipient {
            address,
            original: None,
            action: "complained".into(),
            status: feedback_type.clone(),
            permanent: true,
            diagnostic: get("user-agent"),
        })
        .collect();
    DeliveryReport {
        kind: ReportKind::Feedback { feedback_type },
        recipients,
        reporting_mta: get("reporting-mta").map(|v| strip_type(&v)),
        original_message_id: p.original_message_id,
        original_sender,
        standard: true,
    }
}

fn parse_dsn(dsn: &str, original_message_id: Option<String>, original_sender: Option<String>) -> DeliveryReport {
    let dsn = dsn.replace("\r\n", "\n");
    let mut report = DeliveryReport {
        kind: ReportKind::Delivery,
        recipients: Vec::new(),
        reporting_mta: None,
        original_message_id,
        original_sender,
        standard: true,
    };
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
        } else if let Some((k, v)) = line.split_once(':')
            && !k.is_empty()
            && !k.contains(' ')
        {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    out
}

/// `rfc822; jan@example.nl` → `jan@example.nl`.
fn strip_type(v: &str) -> String {
    match v.split_once(';') {
        Some((t, rest)) if !t.contains(' ') && !t.contains('@') => rest.trim().to_owned(),
        _ => v.trim().to_owned(),
    }
}

fn address_of(v: &str) -> String {
    v.trim().trim_matches(['<', '>']).trim().to_ascii_lowercase()
}

/// A sender that only mail systems use: `MAILER-DAEMON`, `postmaster`,
/// `post_master`, "Mail Delivery System"/"Subsystem" (also dotted), or an empty or
/// `<>` From. (`no-reply` is automatic, not a report.)
fn is_bounce_sender(raw_from: Option<&str>, name: Option<&str>, address: Option<&str>) -> bool {
    let raw = raw_from.map(str::trim).unwrap_or_default();
    if raw.is_empty() || raw.replace(' ', "") == "<>" || raw.trim_matches('"').is_empty() {
        return true;
    }
    let words = |s: &str| s.to_lowercase().replace(['.', '_', '-', '"'], " ").split_whitespace().collect::<Vec<_>>().join(" ");
    const NAMES: &[&str] =
        &["mailer daemon", "mailerdaemon", "postmaster", "post master", "mail delivery system", "mail delivery subsystem"];
    let is_system = |s: &str| NAMES.contains(&words(s).as_str());
    if let Some(a) = address {
        let local = a.rsplit_once('@').map_or(a, |(l, _)| l);
        if is_system(local.split('+').next().unwrap_or_default()) {
            return true;
        }
    }
    // A display name of a mail system, or a bare `MAILER-DAEMON` (no domain).
    name.is_some_and(is_system) || (address.is_none() && is_system(raw))
}

fn bounce_subject(subject: &str) -> bool {
    const SUBJECTS: &[&str] = &[
        "undeliverable",
        "undelivered mail",
        "delivery status notification",
        "delivery failure",
        "failure notice",
        "mail delivery failed",
        "returned mail",
        "mail system error",
        "delivery has failed",
        "message not delivered",
        "niet bezorgd",
        "onbestelbaar",
        "kan niet worden bezorgd",
        "unzustellbar",
        "non remis",
        "non distribuable",
        "niedostarczalna",
        "nie można dostarczyć",
        "não entregue",
        "no se puede entregar",
        "teslim edilemedi",
        "nedoručiteľné",
    ];
    let s = subject.trim_start().to_lowercase();
    SUBJECTS.iter().any(|p| s.starts_with(p))
}

/// Sentences mail systems write at the top of a bounce, in the languages their
/// notices come in. Matched in the mail's own text only (not in `>` quotes or below a
/// forward's header), so a person forwarding a bounce to ask about it still posts.
const BODY_MARKERS: &[&str] = &[
    // qmail, Yahoo
    "this is the qmail-send program at",
    "i'm afraid i wasn't able to deliver your message to the following addresses",
    "sorry, we were unable to deliver your message to the following address",
    // Exim
    "this message was created automatically by mail delivery software",
    "a message that you sent could not be delivered to one or more of its",
    "a message that you sent has not yet been delivered to one or more of its",
    // Postfix
    "this is the mail system at host",
    "i'm sorry to have to inform you that your message could not",
    "your message could not be delivered to one or more recipients",
    // sendmail v8 and v5
    "the following addresses had permanent fatal errors",
    "the following addresses had transient non-fatal errors",
    "----- transcript of session follows -----",
    "----- unsent message follows -----",
    // DragonFly Mail Agent
    "this is the dragonfly mail agent",
    "there was an error delivering your mail to",
    // Exchange, Office 365, Outlook.com (the administrators' part is always English)
    "delivery has failed to these recipients or groups",
    "diagnostic information for administrators",
    "de bezorging is mislukt voor deze ontvangers of groepen",
    "levering is mislukt voor deze ontvangers of groepen",
    "die zustellung an folgende empfänger oder gruppen ist fehlgeschlagen",
    "la remise à ces destinataires ou groupes a échoué",
    "dostarczanie do tych adresatów lub grup nie powiodło się",
    "falha na entrega a estes destinatários ou grupos",
    "falha na entrega para estes destinatários ou grupos",
    "error en la entrega a estos destinatarios o grupos",
    "bu alıcılara veya gruplara teslim başarısız oldu",
    "doručenie týmto príjemcom alebo skupinám zlyhalo",
    // Gmail
    "** address not found **",
    "** message not delivered **",
    "** message blocked **",
    "** adres niet gevonden **",
    "** adresse nicht gefunden **",
    "** adresse introuvable **",
    "** nie znaleziono adresu **",
    "** endereço não encontrado **",
    "** dirección no encontrada **",
    "** adres bulunamadı **",
    "delivery to the following recipient failed permanently",
    "delivery to the following recipient has been delayed",
    "the response from the remote server was:",
    // Amazon SES
    "an error occurred while trying to deliver the mail to the following recipients",
];

/// The mail's own text (of its first lines, as [`head_lowercase`]): before any
/// unquoted history or forward, without `>` lines.
fn own_text(text: &str) -> String {
    let normalised = crate::trim::normalise(text);
    let lines: Vec<&str> = normalised.split('\n').filter(|l| !l.trim().is_empty()).take(HEAD_LINES).collect();
    let end = crate::trim::first_unquoted_history(&lines).unwrap_or(lines.len());
    let mut out = String::new();
    for line in lines[..end].iter().filter(|l| !l.trim_start().starts_with('>')) {
        out.push_str(&line.to_lowercase());
        out.push('\n');
    }
    out
}

/// Where mail systems put their opening sentence: the first lines of the text (blank
/// ones skipped), lower-cased — a bounded look, whatever the length of a person's mail.
fn head_lowercase(text: &str) -> String {
    let mut out = String::with_capacity(HEAD_BYTES + 64);
    for line in text.lines().filter(|l| !l.trim().is_empty()).take(HEAD_LINES) {
        out.push_str(&line.to_lowercase());
        out.push('\n');
        if out.len() > HEAD_BYTES {
            break;
        }
    }
    out
}

const HEAD_LINES: usize = 40;
const HEAD_BYTES: usize = 4096;

fn has_bounce_marker(own_text: &str) -> bool {
    static MARKERS: OnceLock<Needles> = OnceLock::new();
    let squeezed = own_text.split_whitespace().collect::<Vec<_>>().join(" ").replace('’', "'");
    MARKERS.get_or_init(|| Needles::new(BODY_MARKERS)).found_in(&squeezed)
}

/// Many needles looked for in one pass: candidates by their first two bytes (a bit
/// per byte pair), so a mail costs one scan rather than a search per needle — this
/// runs on every mail that is not a MIME report.
struct Needles {
    pairs: Vec<u64>,
    needles: Vec<(u16, &'static str)>,
}

impl Needles {
    fn new(needles: &[&'static str]) -> Needles {
        let mut pairs = vec![0u64; 1024];
        let mut list = Vec::new();
        for n in needles {
            if let [a, b, ..] = n.as_bytes() {
                let key = u16::from(*a) << 8 | u16::from(*b);
                pairs[usize::from(key >> 6)] |= 1 << (key & 63);
                list.push((key, *n));
            }
        }
        Needles { pairs, needles: list }
    }

    fn found_in(&self, hay: &str) -> bool {
        let b = hay.as_bytes();
        (0..b.len().saturating_sub(1)).any(|i| {
            let key = u16::from(b[i]) << 8 | u16::from(b[i + 1]);
            self.pairs[usize::from(key >> 6)] & (1 << (key & 63)) != 0
                && self.needles.iter().any(|(k, n)| *k == key && b[i..].starts_with(n.as_bytes()))
        })
    }
}

/// Where the returned copy of the original starts in a plain-text bounce.
const COPY_MARKERS: &[&str] = &[
    "below this line is a copy of the message",
    "this is a copy of the message",
    "original message follows",
    "unsent message follows",
    "returned mail follows",
    "----- original message -----",
    "------ original message",
    "the header of the original message",
    "original message headers:",
    "oorspronkelijke berichtkoppen:",
    "kopfzeilen der ursprünglichen nachricht:",
    "en-têtes du message d'origine",
    "message headers follow",
    "----- message truncated -----",
];

/// (the notice, the returned copy) of a plain-text bounce.
fn split_at_copy(text: &str) -> (String, String) {
    static COPY: OnceLock<Needles> = OnceLock::new();
    let copy_markers = COPY.get_or_init(|| Needles::new(COPY_MARKERS));
    let mut notice = String::new();
    let mut lines = text.lines();
    for line in lines.by_ref() {
        let l = line.trim().to_lowercase();
        let header_start = l.starts_with("received: ") || l.starts_with("return-path: ");
        if header_start || copy_markers.found_in(&l) {
            let mut copy = if header_start { format!("{line}\n") } else { String::new() };
            for rest in lines {
                copy.push_str(rest);
                copy.push('\n');
            }
            return (notice, copy);
        }
        notice.push_str(line);
        notice.push('\n');
    }
    (notice, String::new())
}

fn recipient(address: String, status: String, diagnostic: Option<String>) -> FailedRecipient {
    FailedRecipient {
        address,
        original: None,
        action: if status.starts_with('4') { "delayed".into() } else { "failed".into() },
        permanent: status.starts_with('5'),
        status,
        diagnostic,
    }
}

/// Best effort over a plain-text bounce's notice: the addresses it names, each with the
/// nearest status code. Our own addresses (the report's recipients and their domains),
/// the sender and system addresses are not failed recipients.
fn plain_bounce(
    notice: &str,
    from: Option<&str>,
    own: &[String],
    original_message_id: Option<String>,
    original_sender: Option<String>,
) -> DeliveryReport {
    let own_domains: Vec<&str> = own.iter().filter_map(|o| o.rsplit_once('@').map(|(_, d)| d)).collect();
    let lines: Vec<&str> = notice.lines().collect();
    // Each address with the lines it appears on, in order of first mention.
    let mut found: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        for addr in addresses_in(line) {
            let domain = addr.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
            let skip = from.is_some_and(|f| f.eq_ignore_ascii_case(&addr))
                || own.iter().any(|o| o == &addr)
                || own_domains.contains(&domain)
                || is_system_sender(&addr);
            if skip {
                continue;
            }
            match found.iter_mut().find(|(a, _)| *a == addr) {
                Some((_, at)) => at.push(i),
                None => found.push((addr, vec![i])),
            }
        }
    }
    let mut recipients = Vec::new();
    for (addr, at) in found {
        let (status, diagnostic) = status_near(&lines, &at).unwrap_or_else(|| (default_status(notice), None));
        recipients.push(recipient(addr, status, diagnostic));
    }
    DeliveryReport { kind: ReportKind::Delivery, recipients, reporting_mta: None, original_message_id, original_sender, standard: false }
}

/// 4.0.0 when the notice says it will try again, 5.0.0 otherwise.
fn default_status(notice: &str) -> String {
    let whole = notice.to_lowercase();
    const SOFT: &[&str] = &[
        "delayed",
        "will retry",
        "will be retried",
        "will continue",
        "temporar",
        "deferred",
        "not yet been delivered",
        "transient",
        "vertraagd",
        "verzögert",
    ];
    if SOFT.iter().any(|s| whole.contains(s)) { "4.0.0" } else { "5.0.0" }.to_owned()
}

/// The status near the mentions of an address (that line and the next few); an
/// enhanced code near any mention beats a basic reply code.
fn status_near(lines: &[&str], at: &[usize]) -> Option<(String, Option<String>)> {
    let near = |i: usize| lines.iter().skip(i).take(6).copied().collect::<Vec<&str>>();
    let candidates: Vec<(String, Option<String>)> = at.iter().filter_map(|&i| status_in(&near(i))).collect();
    candidates.iter().find(|(s, _)| !s.ends_with(".0.0")).or(candidates.first()).cloned()
}

/// The status for an address from a header (`X-Failed-Recipients`): near its
/// mentions in the notice, else any in the notice, else from its wording.
fn status_for(notice: &str, address: &str) -> (String, Option<String>) {
    let lines: Vec<&str> = notice.lines().collect();
    let at: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.to_ascii_lowercase().contains(address)).map(|(i, _)| i).collect();
    status_near(&lines, &at).or_else(|| status_in(&lines)).unwrap_or_else(|| (default_status(notice), None))
}

/// Addresses in a line (`jan@example.nl`, `<jan@example.nl>`), lower-cased.
fn addresses_in(line: &str) -> Vec<String> {
    line.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | '"' | '\'' | '[' | ']'))
        .map(|w| w.trim_end_matches([':', '.']).trim_start_matches("mailto:"))
        .filter(|w| w.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.contains('@')))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The first enhanced status code (`5.1.1`) or basic reply code (`550`) in the lines;
/// the line it was found on is the diagnostic.
fn status_in(lines: &[&str]) -> Option<(String, Option<String>)> {
    for line in lines {
        for w in line.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';' | '#' | '<' | '>' | '[' | ']' | '\'' | '"')) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounce_senders_are_mail_systems_only() {
        assert!(is_bounce_sender(Some("<>"), None, None));
        assert!(is_bounce_sender(Some(""), None, None));
        assert!(is_bounce_sender(Some("MAILER-DAEMON"), None, None));
        assert!(is_bounce_sender(Some("x"), None, Some("post_master@example.com.tr")));
        assert!(is_bounce_sender(Some("x"), Some("Mail.Delivery.System"), Some("noc@example.pt")));
        assert!(is_bounce_sender(Some("x"), Some("Mail Delivery Subsystem"), Some("mailer-daemon@googlemail.com")));
        assert!(!is_bounce_sender(Some("x"), None, Some("no-reply@example.com")));
        assert!(!is_bounce_sender(Some("x"), Some("Jan Postma"), Some("jan.postma@example.nl")));
    }

    #[test]
    fn markers_in_quotes_or_forwards_do_not_count() {
        assert!(has_bounce_marker(&own_text("This is the mail system at host mx.example.nl.\n")));
        assert!(!has_bounce_marker(&own_text("Look:\n> This is the mail system at host mx.example.nl.\n")));
        assert!(!has_bounce_marker(&own_text(
            "Look:\n\n---------- Forwarded message ---------\nThis is the mail system at host mx.example.nl.\n"
        )));
    }
}
