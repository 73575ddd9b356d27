//! The notification mail for one message to one recipient.
//!
//! Headers: `From: "Author via mentorpost" <notifications@DOMAIN>`, `Reply-To:
//! reply+TOKEN@DOMAIN`, the thread subject (`Re: ` for replies), a Message-ID of its
//! own plus `In-Reply-To`/`References` to a stable root id per thread (so every client
//! threads the conversation), `List-Id`, `List-Unsubscribe` with one-click
//! (RFC 8058), `Auto-Submitted: auto-generated` and `X-Auto-Response-Suppress: All`.
//!
//! Every value that goes into a header passes [`header_text`] first: CR, LF and the
//! other control characters become spaces, so no value can start a header of its
//! own. Non-ASCII text is written as RFC 2047 encoded words (lettre does this for the
//! standard headers; [`list_id_value`] does it for the List-Id phrase).
//!
//! The body has a plain-text and an HTML part, both UTF-8, in the recipient's
//! language and time zone: the new message in full, at most a short excerpt of what
//! it answers (never the whole thread again), a link to the thread and a way to stop
//! these mails. The HTML part loads nothing from outside; it is rendered from the
//! templates in `templates/mail/`, which escape every value.

use crate::i18n::Tr;
use anyhow::{Context, bail};
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::{HeaderName, HeaderValue};
use mentorpost_model::mail::MembershipChange;
use mentorpost_model::{Locale, MentorshipId, Role, ThreadId};
use std::time::SystemTime;

/// Why the mail goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationKind {
    /// A mail for every message (mail mode "each").
    Each,
    /// A message stayed unread on the web for a while (mail mode "live").
    Missed,
}

/// Everything one notification mail says.
#[derive(Clone, Debug)]
pub struct Notification<'a> {
    pub kind: NotificationKind,
    /// Local part of this mail's Message-ID (unique per mail; stable across resends).
    pub mail_id: &'a str,
    pub mail_domain: &'a str,
    /// Base URL of the web app, no trailing slash.
    pub public_url: &'a str,
    pub recipient_name: &'a str,
    pub recipient_email: &'a str,
    pub locale: Locale,
    pub timezone: Tz,
    pub author_name: &'a str,
    pub thread_id: ThreadId,
    pub thread_subject: &'a str,
    /// Not the first message of the thread: subject gets "Re: ".
    pub is_reply: bool,
    pub mentorship_id: MentorshipId,
    /// Human label of the mentorship for List-Id's phrase, e.g. member names.
    pub mentorship_label: &'a str,
    pub body: &'a str,
    pub sent_at: DateTime<Utc>,
    /// What this message answers: (author name, text) of the previous message by
    /// someone else; shown as a short excerpt (≤ ~200 chars, cut at a word boundary,
    /// with "…").
    pub answers: Option<(&'a str, &'a str)>,
    pub reply_token: &'a str,
    pub unsubscribe_token: &'a str,
    /// The recipient's own `mentorship+TOKEN@` address: writing to it starts a thread.
    pub mentorship_token: &'a str,
    /// Files that came with the message: (name, size in bytes, download URL).
    pub attachments: &'a [(String, i64, String)],
    /// Who joined or left the mentorship since its previous message: the reader is
    /// told who reads along (G12).
    pub membership_changes: &'a [MembershipChange],
}

/// Longest excerpt of the answered message, in characters (before the "…").
const EXCERPT_CHARS: usize = 200;
/// Longest List-Id phrase, in characters.
const LIST_LABEL_CHARS: usize = 120;
/// Header lines are folded before this length (RFC 5322 recommends 78).
const FOLD_AT: usize = 76;

/// Builds the notification mail. `Date` is the message's `sent_at`, so a resend is
/// identical apart from the MIME boundary and clients sort mails in conversation
/// order. Fails on a malformed address, domain, id or token.
pub fn notification(n: &Notification) -> anyhow::Result<Message> {
    let domain = n.mail_domain.trim();
    check_domain(domain)?;
    check_word("mail id", n.mail_id, |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'))?;
    if n.mail_id.starts_with('.') || n.mail_id.ends_with('.') || n.mail_id.contains("..") {
        bail!("mail id {:?} is not a dot-atom", n.mail_id);
    }
    check_token("reply token", n.reply_token)?;
    check_token("unsubscribe token", n.unsubscribe_token)?;
    check_token("mentorship token", n.mentorship_token)?;
    let base = public_base(n.public_url)?;

    let author = header_text(n.author_name);
    let from_name = if author.is_empty() { "mentorpost".to_owned() } else { format!("{author} via mentorpost") };
    let from = Mailbox::new(Some(from_name), format!("notifications@{domain}").parse().context("sender address")?);
    let reply_to = Mailbox::new(None, format!("reply+{}@{domain}", n.reply_token).parse().context("reply address")?);
    let recipient_name = header_text(n.recipient_name);
    let to = Mailbox::new(
        (!recipient_name.is_empty()).then_some(recipient_name),
        n.recipient_email.trim().parse().with_context(|| format!("recipient address {:?}", n.recipient_email))?,
    );

    let root = thread_root_id(n.thread_id, domain);
    let thread_url = format!("{base}/threads/{}", n.thread_id);
    let unsubscribe_url = format!("{base}/mail/unsubscribe/{}", n.unsubscribe_token);
    let unsubscribe = format!("<{unsubscribe_url}>, <mailto:unsubscribe+{}@{domain}>", n.unsubscribe_token);

    let new_thread_address = format!("mentorship+{}@{domain}", n.mentorship_token);
    let content = Content::new(n, &thread_url, &unsubscribe_url, &new_thread_address);
    let message = Message::builder()
        .from(from)
        .reply_to(reply_to)
        .to(to)
        .subject(mail_subject(n.thread_subject, n.is_reply))
        .date(SystemTime::from(n.sent_at))
        .message_id(Some(format!("<{}@{domain}>", n.mail_id)))
        .in_reply_to(root.clone())
        .references(root)
        .raw_header(list_id_value(n.mentorship_label, n.mentorship_id, domain))
        .raw_header(header("List-Unsubscribe", unsubscribe))
        .raw_header(header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned()))
        .raw_header(header("Auto-Submitted", "auto-generated".to_owned()))
        .raw_header(header("X-Auto-Response-Suppress", "All".to_owned()))
        .multipart(super::alternative(content.text(), content.render().context("rendering the notification's HTML part")?))
        .context("building the notification mail")?;
    Ok(message)
}

/// One thread in a digest: its subject, its own reply address, what is new in it.
#[derive(Clone, Debug)]
pub struct DigestThread {
    pub thread_id: ThreadId,
    pub subject: String,
    pub reply_token: String,
    /// (author name, body, sent at), oldest first.
    pub messages: Vec<(String, String, DateTime<Utc>)>,
}

/// A mentorship's part of a digest.
#[derive(Clone, Debug)]
pub struct DigestSection {
    /// Member names, to tell the mentorships apart.
    pub label: String,
    pub threads: Vec<DigestThread>,
    /// Threads where the reader owes a reply past the agreed response time, and that
    /// time in hours (F15).
    pub overdue: (i64, i64),
    /// The reader's `mentorship+TOKEN` token: writing to it starts a thread here.
    pub mentorship_token: String,
    /// Who joined or left this mentorship in the digest's period.
    pub membership_changes: Vec<MembershipChange>,
    /// Open actions due within the week (overdue ones included), by due date (F5).
    pub due_actions: Vec<DigestAction>,
}

/// An open action a digest lists under "due this week".
#[derive(Clone, Debug)]
pub struct DigestAction {
    pub number: i64,
    pub text: String,
    pub owner: String,
    pub due_on: chrono::NaiveDate,
}

/// A daily or weekly digest for one person.
#[derive(Clone, Debug)]
pub struct Digest<'a> {
    /// Local part of the Message-ID (stable: one digest per person and period).
    pub mail_id: &'a str,
    pub mail_domain: &'a str,
    pub public_url: &'a str,
    pub recipient_name: &'a str,
    pub recipient_email: &'a str,
    pub locale: Locale,
    pub timezone: Tz,
    pub weekly: bool,
    /// When it was due; also its `Date`.
    pub due_at: DateTime<Utc>,
    pub sections: Vec<DigestSection>,
}

/// Builds a digest: grouped by mentorship and thread, each thread with its subject,
/// its reply address and a link; how to reply at the top. Never sent empty.
pub fn digest(d: &Digest) -> anyhow::Result<Message> {
    let domain = d.mail_domain.trim();
    check_domain(domain)?;
    check_word("mail id", d.mail_id, |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'))?;
    let base = public_base(d.public_url)?;
    let count: usize = d.sections.iter().flat_map(|s| &s.threads).map(|t| t.messages.len()).sum();
    let changes: usize = d.sections.iter().map(|s| s.membership_changes.len()).sum();
    if count == 0 && changes == 0 {
        bail!("an empty digest is not sent");
    }
    let from = Mailbox::new(Some("mentorpost".to_owned()), format!("notifications@{domain}").parse().context("sender address")?);
    let recipient_name = header_text(d.recipient_name);
    let to = Mailbox::new(
        (!recipient_name.is_empty()).then_some(recipient_name),
        d.recipient_email.trim().parse().with_context(|| format!("recipient address {:?}", d.recipient_email))?,
    );
    let tr = Tr::with_zone(d.locale, d.timezone);
    let title = tr.t(if d.weekly { "digest-title-weekly" } else { "digest-title-daily" });
    // A digest with no messages goes out only to say who joined or left.
    let subject = if count > 0 {
        tr.args("digest-subject", &[("title", (&title).into()), ("count", (count as i64).into())])
    } else {
        tr.ts("digest-subject-changes", "title", &title)
    };
    let (intro, how_to_reply) = (tr.t("digest-intro"), tr.t("digest-how-to-reply"));
    let (reply_label, open_label) = (tr.t("digest-reply-to"), tr.t("mail-open-thread"));
    let mut text = format!("{intro}\n{how_to_reply}\n");
    let mut html = DigestHtml {
        lang: tr.lang(),
        title: &subject,
        intro: &intro,
        how_to_reply: &how_to_reply,
        reply_label: &reply_label,
        open_label: &open_label,
        sections: Vec::new(),
    };
    for section in &d.sections {
        let label = header_text(&section.label);
        text.push_str(&format!("\n== {label} ==\n"));
        let mut news = Vec::new();
        for change in &section.membership_changes {
            let line = membership_line(&tr, change);
            text.push_str(&format!("{line}\n"));
            news.push(line);
        }
        let (overdue, hours) = section.overdue;
        let overdue = (overdue > 0).then(|| tr.tnn("digest-overdue", ("count", overdue), ("hours", hours)));
        if let Some(line) = &overdue {
            text.push_str(&format!("{line}\n"));
        }
        let actions: Vec<String> = section
            .due_actions
            .iter()
            .map(|a| {
                let (what, who, due) = (header_text(&a.text), header_text(&a.owner), tr.date(a.due_on));
                tr.args(
                    "digest-action",
                    &[
                        ("number", a.number.into()),
                        ("text", what.as_str().into()),
                        ("name", who.as_str().into()),
                        ("date", due.as_str().into()),
                    ],
                )
            })
            .collect();
        let actions_title = (!actions.is_empty()).then(|| tr.t("digest-actions-due"));
        check_token("mentorship token", &section.mentorship_token)?;
        let new_thread = format!("mentorship+{}@{domain}", section.mentorship_token);
        let actions_how = section
            .due_actions
            .first()
            .map(|a| tr.args("digest-actions-how", &[("number", a.number.into()), ("address", new_thread.as_str().into())]));
        if let Some(title) = &actions_title {
            text.push_str(&format!("{title}\n"));
            for line in &actions {
                text.push_str(&format!("- {line}\n"));
            }
        }
        if let Some(how) = &actions_how {
            text.push_str(&format!("{how}\n"));
        }
        let new_thread_line = tr.ts("digest-new-thread", "address", &new_thread);
        text.push_str(&format!("{new_thread_line}\n"));
        let mut threads = Vec::new();
        for thread in &section.threads {
            check_token("reply token", &thread.reply_token)?;
            let subject = header_text(&thread.subject);
            let reply = format!("reply+{}@{domain}", thread.reply_token);
            let url = format!("{base}/threads/{}", thread.thread_id);
            text.push_str(&format!("\n# {subject}\n{reply_label}: {reply}\n{open_label}: {url}\n"));
            let mut messages = Vec::new();
            for (author, body, at) in &thread.messages {
                let when = tr.moment(*at);
                let author = header_text(author);
                let body = clean_body(body);
                text.push_str(&format!("\n{author} — {when}:\n{body}\n"));
                messages.push(DigestMessageHtml { author, when, paragraphs: paragraphs(&body) });
            }
            threads.push(DigestThreadHtml { subject, reply, url, messages });
        }
        html.sections.push(DigestSectionHtml { label, news, overdue, actions_title, actions, actions_how, new_thread_line, threads });
    }
    let html = html.render().context("rendering the digest's HTML part")?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .date(SystemTime::from(d.due_at))
        .message_id(Some(format!("<{}@{domain}>", d.mail_id)))
        .raw_header(header("Auto-Submitted", "auto-generated".to_owned()))
        .raw_header(header("X-Auto-Response-Suppress", "All".to_owned()))
        .multipart(super::alternative(text, html))
        .context("building the digest")?;
    Ok(message)
}

/// Replaces CR, LF and every other control character by a space and collapses runs;
/// used on every value that goes into a header. Unicode line separators and bidi
/// overrides (which could disguise a display name) count as control characters here;
/// the result is trimmed.
pub fn header_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_control() || c.is_whitespace() || is_bidi_control(c) {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Root Message-ID of a thread: `<thread.{thread_id}@{domain}>` (with angle brackets).
pub fn thread_root_id(thread: ThreadId, domain: &str) -> String {
    format!("<thread.{thread}@{}>", domain.trim())
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A header lettre encodes itself (RFC 2047 for non-ASCII words, folding at spaces).
fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), header_text(&value))
}

/// The subject: the thread's subject, with `Re: ` for a reply (unless it has one).
fn mail_subject(thread_subject: &str, is_reply: bool) -> String {
    let subject = header_text(thread_subject);
    let has_re = subject.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("re:"));
    if is_reply && !has_re { format!("Re: {subject}") } else { subject }
}

/// `List-Id: "label" <mentorship-uuid.domain>` (RFC 2919). The label is a phrase: a
/// quoted string when it is ASCII, RFC 2047 encoded words otherwise; written
/// pre-encoded, so the folding is ours.
fn list_id_value(label: &str, mentorship: MentorshipId, domain: &str) -> HeaderValue {
    let label = truncate_chars(&header_text(label), LIST_LABEL_CHARS);
    let mut tokens = if label.is_empty() {
        Vec::new()
    } else if label.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        let escaped = label.replace('\\', "\\\\").replace('"', "\\\"");
        let mut words: Vec<String> = escaped.split(' ').map(str::to_owned).collect();
        if let Some(first) = words.first_mut() {
            first.insert(0, '"');
        }
        if let Some(last) = words.last_mut() {
            last.push('"');
        }
        words
    } else {
        encoded_words(&label)
    };
    let id = format!("{mentorship}.{}", domain.trim());
    tokens.push(format!("<{id}>"));
    let name = "List-Id";
    let raw = if label.is_empty() { format!("<{id}>") } else { format!("\"{label}\" <{id}>") };
    HeaderValue::dangerous_new_pre_encoded(HeaderName::new_from_ascii_str(name), raw, fold(name.len() + 2, &tokens))
}

/// RFC 2047 `B` encoded words of at most 39 bytes of UTF-8 each (64 characters, so
/// even the first fits on the `List-Id:` line).
fn encoded_words(s: &str) -> Vec<String> {
    use base64::Engine as _;
    let mut words = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let mut end = rest.len().min(39);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (word, tail) = rest.split_at(end);
        words.push(format!("=?utf-8?b?{}?=", base64::engine::general_purpose::STANDARD.encode(word)));
        rest = tail;
    }
    words
}

/// Joins tokens with single spaces, folding (CRLF + space) before a token that would
/// run past [`FOLD_AT`]. `used` is what the header name already takes.
fn fold(used: usize, tokens: &[String]) -> String {
    let mut out = String::new();
    let mut line = used;
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 {
            if line + 1 + token.len() > FOLD_AT {
                out.push_str("\r\n ");
                line = 1;
            } else {
                out.push(' ');
                line += 1;
            }
        }
        out.push_str(token);
        line += token.len();
    }
    out
}

fn check_domain(domain: &str) -> anyhow::Result<()> {
    check_word("mail domain", domain, |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))?;
    if domain.split('.').any(str::is_empty) {
        bail!("mail domain {domain:?} has an empty label");
    }
    Ok(())
}

fn check_token(what: &str, token: &str) -> anyhow::Result<()> {
    check_word(what, token, |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

fn check_word(what: &str, s: &str, allowed: impl Fn(char) -> bool) -> anyhow::Result<()> {
    if s.is_empty() || !s.chars().all(allowed) {
        bail!("{what} {s:?} is empty or has characters that do not belong in an address");
    }
    Ok(())
}

/// The public URL without trailing slashes; it goes into headers and `href`s.
fn public_base(url: &str) -> anyhow::Result<&str> {
    let base = url.trim().trim_end_matches('/');
    let ok_scheme = base.starts_with("https://") || base.starts_with("http://");
    if !ok_scheme || base.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '\\')) {
        bail!("public URL {url:?} is not a plain http(s) URL");
    }
    Ok(base)
}

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", s[..i].trim_end()),
        None => s.to_owned(),
    }
}

/// A short one-line excerpt: quoted lines (`> …`) left out, whitespace collapsed, cut
/// at a word boundary to at most `max` characters plus "…".
fn excerpt(text: &str, max: usize) -> String {
    let unquoted: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with('>')).collect();
    let flat = if unquoted.iter().all(|l| l.trim().is_empty()) { header_text(text) } else { header_text(&unquoted.join("\n")) };
    let Some((cut_at, next)) = flat.char_indices().nth(max) else { return flat };
    let head = &flat[..cut_at];
    let at_word = if next == ' ' { head } else { head.rfind(' ').map_or(head, |i| &head[..i]) };
    let trimmed = at_word.trim_end_matches([' ', ',', ';', ':', '-', '–', '—']);
    format!("{}…", if trimmed.is_empty() { head } else { trimmed })
}

/// The message text: line endings normalized, control characters other than tab and
/// newline dropped, trailing whitespace trimmed.
fn clean_body(body: &str) -> String {
    body.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !(c.is_control() || is_bidi_control(c)))
        .collect::<String>()
        .trim_end()
        .to_owned()
}

fn human_size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KiB", b / 1024),
        b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// A piece of a line of a message: words, or a web address the HTML part links.
pub struct Piece {
    pub text: String,
    pub link: bool,
}

/// A line as pieces: every `http://` or `https://` address (up to white space or a
/// delimiter, without trailing punctuation) becomes a link, so the HTML part links to
/// what the text part shows.
fn pieces(line: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = line;
    while let Some(start) = [rest.find("http://"), rest.find("https://")].into_iter().flatten().min() {
        let tail = &rest[start..];
        let end = tail.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'')).unwrap_or(tail.len());
        // At least the scheme: `http://` has no delimiter or trailing punctuation in it.
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':', ')', '!', '?']);
        text.push_str(&rest[..start]);
        if url.trim_start_matches("https://").trim_start_matches("http://").is_empty() {
            text.push_str(url);
        } else {
            if !text.is_empty() {
                out.push(Piece { text: std::mem::take(&mut text), link: false });
            }
            out.push(Piece { text: url.to_owned(), link: true });
        }
        rest = &tail[url.len()..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(Piece { text, link: false });
    }
    out
}

/// A message body as paragraphs (split at blank lines) of lines of pieces, all plain
/// text: the templates lay them out (and escape them), so no HTML is built here.
fn paragraphs(body: &str) -> Vec<Vec<Vec<Piece>>> {
    let mut out = Vec::new();
    let mut paragraph = Vec::new();
    for line in body.lines() {
        if line.trim().is_empty() {
            if !paragraph.is_empty() {
                out.push(std::mem::take(&mut paragraph));
            }
        } else {
            paragraph.push(pieces(line));
        }
    }
    if !paragraph.is_empty() {
        out.push(paragraph);
    }
    out
}

/// The digest's HTML part (`templates/mail/digest.html`): plain text values only.
#[derive(Template)]
#[template(path = "mail/digest.html")]
struct DigestHtml<'a> {
    lang: &'static str,
    title: &'a str,
    intro: &'a str,
    how_to_reply: &'a str,
    reply_label: &'a str,
    open_label: &'a str,
    sections: Vec<DigestSectionHtml>,
}

struct DigestSectionHtml {
    label: String,
    news: Vec<String>,
    overdue: Option<String>,
    actions_title: Option<String>,
    actions: Vec<String>,
    actions_how: Option<String>,
    new_thread_line: String,
    threads: Vec<DigestThreadHtml>,
}

struct DigestThreadHtml {
    subject: String,
    reply: String,
    url: String,
    messages: Vec<DigestMessageHtml>,
}

struct DigestMessageHtml {
    author: String,
    when: String,
    paragraphs: Vec<Vec<Vec<Piece>>>,
}

/// The wording of both parts, already localized; plain text. It is also the HTML
/// part's template (`templates/mail/notification.html`), which escapes every value.
#[derive(Template)]
#[template(path = "mail/notification.html")]
struct Content {
    lang: &'static str,
    title: String,
    missed: Option<String>,
    news: Vec<String>,
    wrote: String,
    body: String,
    /// `body` split into paragraphs and lines for the HTML part.
    paragraphs: Vec<Vec<Vec<Piece>>>,
    answer: Option<String>,
    /// `answer` with its web addresses as links, for the HTML part.
    answer_pieces: Vec<Piece>,
    reply_hint: String,
    thread_label: String,
    thread_url: String,
    stop_question: String,
    stop_label: String,
    unsubscribe_url: String,
    attachments_label: String,
    attachments: Vec<(String, String)>,
    new_thread_hint: String,
}

impl Content {
    fn new(n: &Notification, thread_url: &str, unsubscribe_url: &str, new_thread_address: &str) -> Content {
        let subject = header_text(n.thread_subject);
        let author = header_text(n.author_name);
        let tr = Tr::with_zone(n.locale, n.timezone);
        let when = tr.moment(n.sent_at);
        let answer = n.answers.map(|(name, text)| {
            let (name, text) = (header_text(name), excerpt(text, EXCERPT_CHARS));
            tr.args("mail-answer", &[("name", (&name).into()), ("text", (&text).into())])
        });
        let missed = (n.kind == NotificationKind::Missed).then(|| tr.ts("mail-missed", "subject", &subject));
        let attachments =
            n.attachments.iter().map(|(name, size, url)| (format!("{} ({})", header_text(name), human_size(*size)), url.clone())).collect();
        Content {
            lang: tr.lang(),
            news: n.membership_changes.iter().map(|c| membership_line(&tr, c)).collect(),
            attachments_label: tr.t("mail-attachments"),
            attachments,
            new_thread_hint: tr.ts("mail-new-thread-hint", "address", new_thread_address),
            title: mail_subject(n.thread_subject, n.is_reply),
            missed,
            wrote: tr.args("mail-wrote", &[("name", (&author).into()), ("when", (&when).into())]),
            paragraphs: paragraphs(&clean_body(n.body)),
            body: clean_body(n.body),
            answer_pieces: answer.as_deref().map(pieces).unwrap_or_default(),
            answer,
            reply_hint: tr.t("mail-reply-hint"),
            thread_label: tr.t("mail-open-thread"),
            thread_url: thread_url.to_owned(),
            stop_question: tr.t("mail-stop-question"),
            stop_label: tr.t("mail-stop"),
            unsubscribe_url: unsubscribe_url.to_owned(),
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        if let Some(missed) = &self.missed {
            out.push_str(missed);
            out.push_str("\n\n");
        }
        for line in &self.news {
            out.push_str(line);
            out.push('\n');
        }
        if !self.news.is_empty() {
            out.push('\n');
        }
        out.push_str(&self.wrote);
        out.push_str("\n\n");
        out.push_str(&self.body);
        out.push('\n');
        if !self.attachments.is_empty() {
            out.push_str(&format!("\n{}:\n", self.attachments_label));
            for (label, url) in &self.attachments {
                out.push_str(&format!("- {label}: {url}\n"));
            }
        }
        if let Some(answer) = &self.answer {
            out.push('\n');
            out.push_str(answer);
            out.push('\n');
        }
        // "-- " is the signature separator: clients leave the footer out of a reply.
        out.push_str("\n-- \n");
        out.push_str(&self.reply_hint);
        out.push('\n');
        out.push_str(&format!("{}: {}\n", self.thread_label, self.thread_url));
        out.push_str(&self.new_thread_hint);
        out.push('\n');
        out.push_str(&format!("{} {}\n", self.stop_question, self.unsubscribe_url));
        out
    }
}

/// One line telling a member who joined or left their mentorship, and when.
fn membership_line(tr: &Tr, c: &MembershipChange) -> String {
    let name = header_text(&c.name);
    let when = tr.moment(c.at);
    if c.joined {
        let role = match c.role {
            Role::Mentor => "mentor",
            Role::Mentee => "mentee",
        };
        tr.args("mail-joined", &[("name", (&name).into()), ("when", (&when).into()), ("role", role.into())])
    } else {
        tr.args("mail-left", &[("name", (&name).into()), ("when", (&when).into())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use mail_parser::MessageParser;
    use uuid::Uuid;

    const SUBJECT: &str = "Łódź — vraag over mentorschap, Çağrı";
    const BODY: &str = "Hoi Małgorzata,\n\nDank voor je vraag. Over de stage: a < b & \"c\" > 'd'.\nTweede regel.\n\nGroet,\nÇağrı";
    const ANSWERED_AUTHOR: &str = "Henk Jansen";

    fn answered_text() -> String {
        let mut s = String::new();
        let mut i = 0;
        while s.chars().count() < 1000 {
            s.push_str(&format!("woord{i} "));
            i += 1;
        }
        s.chars().take(1000).collect()
    }

    fn thread_id() -> ThreadId {
        ThreadId(Uuid::parse_str("0190f5a2-1c3d-7e4f-8a9b-0c1d2e3f4a5b").expect("uuid"))
    }

    fn mentorship_id() -> MentorshipId {
        MentorshipId(Uuid::parse_str("0190f5a2-0000-7e4f-8a9b-0c1d2e3f4a5b").expect("uuid"))
    }

    fn sample<'a>(answered: &'a str) -> Notification<'a> {
        Notification {
            kind: NotificationKind::Each,
            mail_id: "0190f5a2-aaaa-7e4f-8a9b-0c1d2e3f4a5b",
            mail_domain: "mail.example.org",
            public_url: "https://mentorpost.example.org",
            recipient_name: "Małgorzata Kowalska",
            recipient_email: "malgorzata@example.org",
            locale: Locale::En,
            timezone: chrono_tz::Europe::Amsterdam,
            author_name: "Çağrı Yılmaz",
            thread_id: thread_id(),
            thread_subject: SUBJECT,
            is_reply: true,
            mentorship_id: mentorship_id(),
            mentorship_label: "Çağrı Yılmaz & Małgorzata Kowalska",
            body: BODY,
            // 13:05 UTC is 14:05 in Amsterdam (CET, UTC+1) on a Sunday.
            sent_at: Utc.with_ymd_and_hms(2026, 11, 22, 13, 5, 0).single().expect("valid time"),
            answers: Some((ANSWERED_AUTHOR, answered)),
            reply_token: "abcdefghijklmnopqrstuvwx23",
            unsubscribe_token: "zyxwvutsrqponmlkjihgfedc45",
            mentorship_token: "mmmmmmmmmmmmmmmmmmmmmmmm23",
            attachments: &[],
            membership_changes: &[],
        }
    }

    fn render(n: &Notification) -> Vec<u8> {
        notification(n).expect("mail builds").formatted()
    }

    fn header_section(bytes: &[u8]) -> String {
        let text = String::from_utf8(bytes.to_vec()).expect("mail is UTF-8");
        let end = text.find("\r\n\r\n").expect("header/body separator");
        text[..end].to_owned()
    }

    fn raw_header(bytes: &[u8], name: &str) -> Option<String> {
        let msg = MessageParser::default().parse(bytes).expect("parses");
        msg.header_raw(name).map(|v| v.replace("\r\n", "").trim().to_owned())
    }

    #[test]
    fn headers_round_trip_with_non_ascii_everything() {
        let answered = answered_text();
        let bytes = render(&sample(&answered));
        let msg = MessageParser::default().parse(&bytes).expect("parses");

        assert_eq!(msg.subject(), Some("Re: Łódź — vraag over mentorschap, Çağrı"));
        let headers = header_section(&bytes);
        assert!(headers.is_ascii(), "raw headers must be ASCII:\n{headers}");
        assert!(headers.contains("=?utf-8?b?"), "RFC 2047 encoded words expected:\n{headers}");

        let from = msg.from().and_then(|a| a.first()).expect("From");
        assert_eq!(from.name(), Some("Çağrı Yılmaz via mentorpost"));
        assert_eq!(from.address(), Some("notifications@mail.example.org"));
        let to = msg.to().and_then(|a| a.first()).expect("To");
        assert_eq!(to.name(), Some("Małgorzata Kowalska"));
        assert_eq!(to.address(), Some("malgorzata@example.org"));
        let reply_to = msg.reply_to().and_then(|a| a.first()).expect("Reply-To");
        assert_eq!(reply_to.address(), Some("reply+abcdefghijklmnopqrstuvwx23@mail.example.org"));

        assert_eq!(msg.message_id(), Some("0190f5a2-aaaa-7e4f-8a9b-0c1d2e3f4a5b@mail.example.org"));
        let root = format!("thread.{}@mail.example.org", thread_id());
        assert_eq!(msg.in_reply_to().as_text(), Some(root.as_str()));
        assert_eq!(msg.references().as_text(), Some(root.as_str()));
        assert_eq!(thread_root_id(thread_id(), "mail.example.org"), format!("<{root}>"));

        let list_id = msg.list_id().as_address().and_then(|a| a.first()).expect("List-Id");
        assert_eq!(list_id.name(), Some("Çağrı Yılmaz & Małgorzata Kowalska"));
        assert_eq!(list_id.address(), Some(format!("{}.mail.example.org", mentorship_id()).as_str()));

        assert_eq!(
            raw_header(&bytes, "List-Unsubscribe").as_deref(),
            Some(
                "<https://mentorpost.example.org/mail/unsubscribe/zyxwvutsrqponmlkjihgfedc45>, \
                 <mailto:unsubscribe+zyxwvutsrqponmlkjihgfedc45@mail.example.org>"
            )
        );
        assert_eq!(raw_header(&bytes, "List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
        assert_eq!(raw_header(&bytes, "Auto-Submitted").as_deref(), Some("auto-generated"));
        assert_eq!(raw_header(&bytes, "X-Auto-Response-Suppress").as_deref(), Some("All"));
        let date = msg.date().expect("Date");
        assert_eq!(date.to_timestamp(), sample(&answered).sent_at.timestamp());
    }

    #[test]
    fn ascii_list_label_is_a_quoted_string() {
        let answered = answered_text();
        let mut n = sample(&answered);
        n.mentorship_label = "Anna \"Ank\" de Vries, Bob";
        let bytes = render(&n);
        let msg = MessageParser::default().parse(&bytes).expect("parses");
        let list_id = msg.list_id().as_address().and_then(|a| a.first()).expect("List-Id");
        assert_eq!(list_id.name(), Some("Anna \"Ank\" de Vries, Bob"));
        assert_eq!(list_id.address(), Some(format!("{}.mail.example.org", mentorship_id()).as_str()));
    }

    #[test]
    fn text_and_html_parts_in_english() {
        let answered = answered_text();
        let bytes = render(&sample(&answered));
        let msg = MessageParser::default().parse(&bytes).expect("parses");
        let text = msg.body_text(0).expect("text part").replace("\r\n", "\n");
        let html = msg.body_html(0).expect("html part").replace("\r\n", "\n");

        assert!(text.contains(BODY), "full body expected in:\n{text}");
        assert!(text.contains("Çağrı Yılmaz wrote on Sunday 22 November 2026 at 14:05:"), "{text}");
        assert!(!text.contains("13:05"), "time must be in the recipient's zone");
        let thread_url = format!("https://mentorpost.example.org/threads/{}", thread_id());
        assert!(text.contains(&thread_url));
        assert!(text.contains("Reply to this e-mail to answer in the thread."));
        assert!(text.contains("https://mentorpost.example.org/mail/unsubscribe/zyxwvutsrqponmlkjihgfedc45"));
        assert!(text.contains("\n-- \n"));
        assert!(!text.contains("unread message"));

        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("Sunday 22 November 2026 at 14:05"));
        // askama writes numeric character references (`&#60;`, not `&lt;`): the same
        // text to every HTML parser.
        assert!(html.contains("a &#60; b &#38; &#34;c&#34; &#62; &#39;d&#39;.<br>\nTweede regel."), "{html}");
        assert!(html.contains(&format!("href=\"{thread_url}\"")));
        assert!(!html.contains("a < b"));
        for external in ["src=", "<img", "<link", "<script", "url("] {
            assert!(!html.contains(external), "no external resources: {external}");
        }
    }

    #[test]
    fn excerpt_is_short_and_the_answered_text_is_not_repeated() {
        let answered = answered_text();
        assert_eq!(answered.chars().count(), 1000);
        let bytes = render(&sample(&answered));
        let msg = MessageParser::default().parse(&bytes).expect("parses");
        let text = msg.body_text(0).expect("text part").replace("\r\n", "\n");
        let html = msg.body_html(0).expect("html part").into_owned();

        assert!(!text.contains(answered.trim_end()));
        assert!(!html.contains(answered.trim_end()));
        let line = text.lines().find(|l| l.starts_with("In answer to Henk Jansen: “")).expect("answer line");
        let quoted = line.trim_start_matches("In answer to Henk Jansen: “").trim_end_matches('”');
        assert!(quoted.ends_with('…'));
        let without_ellipsis = quoted.trim_end_matches('…');
        assert!(without_ellipsis.chars().count() <= 200, "{}", without_ellipsis.chars().count());
        assert!(without_ellipsis.chars().count() >= 150, "{}", without_ellipsis.chars().count());
        assert!(answered.starts_with(without_ellipsis), "cut at a word boundary of the start");
        assert!(answered[without_ellipsis.len()..].starts_with(' '), "cut at a word boundary");
        assert!(html.contains("In answer to Henk Jansen: “woord0 woord1"));
    }

    #[test]
    fn dutch_recipient_gets_dutch() {
        let answered = "Kort.";
        let mut n = sample(answered);
        n.locale = Locale::Nl;
        n.kind = NotificationKind::Missed;
        let bytes = render(&n);
        let msg = MessageParser::default().parse(&bytes).expect("parses");
        let text = msg.body_text(0).expect("text part").replace("\r\n", "\n");
        let html = msg.body_html(0).expect("html part").into_owned();

        assert!(text.starts_with("Je hebt een ongelezen bericht in “Łódź — vraag over mentorschap, Çağrı”.\n"), "{text}");
        assert!(text.contains("Çağrı Yılmaz schreef op zondag 22 november 2026 om 14:05:"), "{text}");
        assert!(text.contains("Als antwoord op Henk Jansen: “Kort.”"), "{text}");
        assert!(text.contains("Beantwoord deze e-mail om te reageren in de draad."));
        assert!(text.contains("Open de draad: https://mentorpost.example.org/threads/"));
        assert!(text.contains("Wil je deze e-mails niet meer ontvangen?"));
        assert!(html.contains("<html lang=\"nl\">"));
        assert!(html.contains("Als antwoord op Henk Jansen"));
        assert!(html.contains("Afmelden"));
    }

    #[test]
    fn missed_in_english_and_first_message_without_re() {
        let mut n = sample("x");
        n.kind = NotificationKind::Missed;
        n.is_reply = false;
        n.answers = None;
        let bytes = render(&n);
        let msg = MessageParser::default().parse(&bytes).expect("parses");
        assert_eq!(msg.subject(), Some(SUBJECT));
        let text = msg.body_text(0).expect("text part").replace("\r\n", "\n");
        assert!(text.starts_with("You have an unread message in “Łódź — vraag over mentorschap, Çağrı”.\n"), "{text}");
        assert!(!text.contains("In answer to"));
    }

    #[test]
    fn control_characters_cannot_inject_headers() {
        let evil = "Hallo\r\nBcc: evil@example.org\r\nX-Evil: 1";
        let mut n = sample("x");
        n.thread_subject = evil;
        n.author_name = evil;
        n.recipient_name = evil;
        n.mentorship_label = evil;
        let lone = "Naam\rBcc: evil@example.org\nX-Evil: 1\u{0}\u{1b}";
        for (subject, name) in [(evil, evil), (lone, lone)] {
            n.thread_subject = subject;
            n.author_name = name;
            n.recipient_name = name;
            n.mentorship_label = name;
            let bytes = render(&n);
            let msg = MessageParser::default().parse(&bytes).expect("parses");
            for h in msg.headers() {
                let name = h.name().to_ascii_lowercase();
                assert!(name != "bcc" && name != "x-evil", "injected header {name}");
            }
            assert!(msg.bcc().is_none());
            let raw = String::from_utf8(bytes.clone()).expect("UTF-8");
            for line in raw.split("\r\n") {
                assert!(!line.starts_with("Bcc:") && !line.starts_with("X-Evil:"), "injected line {line:?}");
            }
            for line in raw.split(['\r', '\n']) {
                assert!(!line.starts_with("Bcc:") && !line.starts_with("X-Evil:"), "injected line {line:?}");
            }
            assert!(msg.subject().is_some_and(|s| s.contains("Bcc: evil@example.org X-Evil: 1")));
        }

        let mut bad = sample("x");
        bad.recipient_email = "a@example.org\r\nBcc: evil@example.org";
        assert!(notification(&bad).is_err());
        let mut bad = sample("x");
        bad.reply_token = "abc\r\nBcc: evil@example.org";
        assert!(notification(&bad).is_err());
        let mut bad = sample("x");
        bad.mail_domain = "example.org>\r\nX-Evil: 1";
        assert!(notification(&bad).is_err());
        let mut bad = sample("x");
        bad.public_url = "https://example.org\r\nX-Evil: 1";
        assert!(notification(&bad).is_err());
    }

    #[test]
    fn header_text_replaces_controls_and_collapses() {
        assert_eq!(header_text("a\r\nBcc: x"), "a Bcc: x");
        assert_eq!(header_text("  a \t\t b\u{0}\u{7f}c\u{85}d\u{2028}e  "), "a b c d e");
        assert_eq!(header_text("\r\n\r\n"), "");
        assert_eq!(header_text("Łódź — vraag, Çağrı"), "Łódź — vraag, Çağrı");
        assert_eq!(header_text("abc\u{202E}def"), "abc def");
    }

    #[test]
    fn web_addresses_in_a_line_become_links() {
        let shown =
            |line: &str| pieces(line).iter().map(|p| if p.link { format!("[{}]", p.text) } else { p.text.clone() }).collect::<String>();
        assert_eq!(shown("Zie https://example.nl/a?b=1&c=2. Groet"), "Zie [https://example.nl/a?b=1&c=2]. Groet");
        assert_eq!(shown("(http://x.example/pad) en https://y.example"), "([http://x.example/pad]) en [https://y.example]");
        assert_eq!(shown("alleen http:// of https://"), "alleen http:// of https://");
        assert_eq!(shown("geen link"), "geen link");
        assert_eq!(shown("<https://z.example>"), "<[https://z.example]>");
    }

    #[test]
    fn excerpt_cuts_at_words() {
        assert_eq!(excerpt("short  text\n\nhere", 200), "short text here");
        assert_eq!(excerpt("one two three four", 9), "one two…");
        assert_eq!(excerpt("one two three", 7), "one two…");
        assert_eq!(excerpt("> quoted\nreal text", 200), "real text");
        assert_eq!(excerpt("abcdefghij", 4), "abcd…");
    }

    #[test]
    fn long_non_ascii_label_is_folded_into_valid_encoded_words() {
        let label = "Çağrı Yılmaz, Małgorzata Kowalska, Łukasz Żółć, Ærøskøbing Ødegård, Zoë Ångström";
        let value = list_id_value(label, mentorship_id(), "mail.example.org");
        let mut headers = lettre::message::header::Headers::new();
        headers.insert_raw(value);
        let text = headers.to_string();
        assert!(text.is_ascii());
        for line in text.split("\r\n") {
            assert!(line.len() <= 78, "line too long: {line:?}");
        }
        let bytes = format!("{text}From: a@example.org\r\n\r\nx").into_bytes();
        let msg = MessageParser::default().parse(&bytes).expect("parses");
        let list_id = msg.list_id().as_address().and_then(|a| a.first()).expect("List-Id");
        assert_eq!(list_id.name(), Some(label));
    }

    const EVIL: &str = "Çağrı <script>alert(\"x\")</script> & 'y'";
    const EVIL_ESCAPED: &str = "Çağrı &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;y&#39;";

    /// The HTML part has every value escaped: none of `EVIL`'s markup survives.
    fn check_escaped(label: &str, html: &str, at_least: usize) {
        assert!(html.matches(EVIL_ESCAPED).count() >= at_least, "{label}: {at_least} escaped values expected in {html}");
        for raw in ["<script>", "\"x\"", "'y'", " & "] {
            assert!(!html.contains(raw), "{label}: {raw:?} unescaped in {html}");
        }
    }

    #[test]
    fn every_mail_html_part_escapes_every_value() {
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).single().expect("valid time");
        let changes = vec![MembershipChange { name: EVIL.to_owned(), role: Role::Mentor, joined: true, at }];
        let attachments = vec![(EVIL.to_owned(), 2048_i64, "https://mentorpost.example.org/files/1".to_owned())];
        let body = format!("{EVIL}\n{EVIL}\n\n{EVIL}");
        for kind in [NotificationKind::Each, NotificationKind::Missed] {
            let mut n = sample(EVIL);
            n.kind = kind;
            n.answers = Some((EVIL, EVIL));
            n.author_name = EVIL;
            n.thread_subject = EVIL;
            n.body = &body;
            n.membership_changes = &changes;
            n.attachments = &attachments;
            let bytes = render(&n);
            let msg = MessageParser::default().parse(&bytes).expect("parses");
            let html = msg.body_html(0).expect("html part").replace("\r\n", "\n");
            // Title, news, "wrote", three body lines, the attachment, the answer (name
            // and excerpt), and "unread message in" for a missed one.
            check_escaped(&format!("{kind:?} notification"), &html, 9);
            assert!(html.contains(&format!("{EVIL_ESCAPED}<br>\n{EVIL_ESCAPED}</p>")), "{html}");
        }

        let d = Digest {
            mail_id: "digest-1",
            mail_domain: "mail.example.org",
            public_url: "https://mentorpost.example.org",
            recipient_name: EVIL,
            recipient_email: "malgorzata@example.org",
            locale: Locale::Nl,
            timezone: chrono_tz::Europe::Amsterdam,
            weekly: false,
            due_at: Utc.with_ymd_and_hms(2026, 11, 22, 6, 0, 0).single().expect("valid time"),
            sections: vec![DigestSection {
                label: EVIL.to_owned(),
                threads: vec![DigestThread {
                    thread_id: thread_id(),
                    subject: EVIL.to_owned(),
                    reply_token: "abcdefghijklmnopqrstuvwx23".to_owned(),
                    messages: vec![(EVIL.to_owned(), body.clone(), at)],
                }],
                overdue: (1, 24),
                mentorship_token: "mmmmmmmmmmmmmmmmmmmmmmmm23".to_owned(),
                membership_changes: changes.clone(),
                due_actions: vec![DigestAction {
                    number: 3,
                    text: EVIL.to_owned(),
                    owner: EVIL.to_owned(),
                    due_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
                }],
            }],
        };
        let bytes = digest(&d).expect("digest builds").formatted();
        let msg = MessageParser::default().parse(&bytes).expect("parses");
        let html = msg.body_html(0).expect("html part").replace("\r\n", "\n");
        // Label, news, the action (its text and owner), thread subject, author, three body lines.
        check_escaped("digest", &html, 9);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"nl\">"), "{html}");
    }
}
