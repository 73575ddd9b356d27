//! Short explanations mailed back about received mail: an unknown sender, a reply to
//! a general address, a vague subject (G9), attachments too large, someone writing
//! from an address that is not the owner's. They are marked `Auto-Submitted:
//! auto-replied` so well-behaved systems never answer them, and the pipeline sends
//! at most one of a kind per address and day.

use crate::i18n::{Arg, Tr};
use anyhow::Context;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MessageBuilder};
use mentorpost_model::Locale;

/// What a notice is about.
#[derive(Clone, Debug)]
pub enum Notice {
    /// To the sender: this address cannot post here.
    UnknownSender,
    /// To the sender: they wrote to an address that is no conversation.
    GeneralAddress,
    /// To the owner: someone wrote for them from an address that is not theirs; the
    /// link adds it to theirs.
    NotYourAddress { address: String, link: String },
    /// To the writer: their new thread's subject says little.
    SubjectTip { subject: String },
    /// To the writer: these files were over the size limit and were not stored.
    AttachmentsDropped { names: Vec<String> },
    /// To the writer of "done N": the actions ticked off ("3. text"), and the numbers
    /// that name no action of the mentorship.
    ActionsDone { done: Vec<String>, unknown: Vec<i64> },
}

impl Notice {
    /// The rate-limit key: one notice of a kind per address and day.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::UnknownSender => "unknown_sender",
            Notice::GeneralAddress => "general_address",
            Notice::NotYourAddress { .. } => "not_your_address",
            Notice::SubjectTip { .. } => "subject_tip",
            Notice::AttachmentsDropped { .. } => "attachments_dropped",
            Notice::ActionsDone { .. } => "actions_done",
        }
    }
}

pub struct NoticeMail<'a> {
    /// Local part of the Message-ID (the outbox id).
    pub id: &'a str,
    pub domain: &'a str,
    pub public_url: &'a str,
    pub to: &'a str,
    pub locale: Locale,
    /// The Message-ID of the mail this answers, without angle brackets.
    pub in_reply_to: Option<&'a str>,
    pub original_subject: &'a str,
    pub notice: &'a Notice,
}

/// The complete mail, ready for the outbox.
pub fn render(n: &NoticeMail) -> anyhow::Result<String> {
    let (subject, body) = text(n);
    let from: Mailbox = format!("mentorpost <notifications@{}>", n.domain).parse().context("sender address")?;
    let to: Mailbox = n.to.parse().with_context(|| format!("notice recipient {:?}", n.to))?;
    let mut builder: MessageBuilder =
        Message::builder().from(from).to(to).subject(subject).message_id(Some(format!("<{}@{}>", n.id, n.domain))).raw_header(
            lettre::message::header::HeaderValue::new(
                lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-replied".to_owned(),
            ),
        );
    if let Some(original) = n.in_reply_to.filter(|id| id.chars().all(|c| c.is_ascii_graphic() && c != '<' && c != '>')) {
        builder = builder.in_reply_to(format!("<{original}>")).references(format!("<{original}>"));
    }
    let message = builder.singlepart(crate::mail::plain_part(body)).context("building the notice")?;
    String::from_utf8(message.formatted()).context("the notice is not UTF-8")
}

fn text(n: &NoticeMail) -> (String, String) {
    let tr = Tr::new(n.locale, "UTC");
    let original = n.original_subject.trim();
    let (key, args): (&str, Vec<(&'static str, Arg)>) = match n.notice {
        Notice::UnknownSender => ("notice-unknown-sender", vec![("original", original.into())]),
        Notice::GeneralAddress => ("notice-general-address", vec![("original", original.into())]),
        Notice::NotYourAddress { address, link } => ("notice-not-your-address", vec![("address", address.into()), ("link", link.into())]),
        Notice::SubjectTip { subject } => ("notice-subject-tip", vec![("subject", subject.trim().into())]),
        Notice::AttachmentsDropped { .. } => ("notice-attachments-dropped", vec![("original", original.into())]),
        Notice::ActionsDone { done, .. } if done.is_empty() => ("notice-actions-none", vec![]),
        Notice::ActionsDone { .. } => ("notice-actions-done", vec![]),
    };
    let names = match n.notice {
        Notice::AttachmentsDropped { names } => bullet_list(names),
        Notice::ActionsDone { done, .. } => bullet_list(done),
        _ => String::new(),
    };
    let unknown = match n.notice {
        Notice::ActionsDone { unknown, .. } if !unknown.is_empty() => {
            let list = unknown.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            format!("\n\n{}", tr.ts("notice-actions-unknown", "numbers", &list))
        }
        _ => String::new(),
    };
    let mut args = args;
    args.push(("names", names.as_str().into()));
    (tr.t(&format!("{key}-subject")), tr.args(&format!("{key}-body"), &args) + &unknown + "\n")
}

/// A mail to postmaster, passed on to one admin.
pub struct PostmasterMail<'a> {
    /// Local part of the Message-ID (the outbox id).
    pub id: &'a str,
    pub domain: &'a str,
    pub to: &'a str,
    pub locale: Locale,
    /// The original's `From` address ("" when it had none).
    pub from: &'a str,
    pub subject: &'a str,
    pub raw: &'a [u8],
}

/// The forward: a short explanation, and the original attached as it came
/// (`message/rfc822`), so the admin's mail program shows it whole.
pub fn render_postmaster(m: &PostmasterMail) -> anyhow::Result<String> {
    use lettre::message::{Attachment, MultiPart};
    let tr = Tr::new(m.locale, "UTC");
    let address = format!("postmaster@{}", m.domain);
    let from_text = if m.from.is_empty() { "<>" } else { m.from };
    let subject = crate::mail::compose::header_text(m.subject);
    let text = tr.args("postmaster-body", &[("address", address.as_str().into()), ("from", from_text.into())]) + "\n";
    let message = Message::builder()
        .from(format!("mentorpost <notifications@{}>", m.domain).parse::<Mailbox>().context("sender address")?)
        .to(m.to.parse::<Mailbox>().with_context(|| format!("admin address {:?}", m.to))?)
        .subject(tr.ts("postmaster-subject", "subject", &subject))
        .message_id(Some(format!("<{}@{}>", m.id, m.domain)))
        .raw_header(lettre::message::header::HeaderValue::new(
            lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .multipart(MultiPart::mixed().singlepart(crate::mail::plain_part(text)).singlepart(
            Attachment::new("original.eml".to_owned()).body(m.raw.to_vec(), ContentType::parse("message/rfc822").context("content type")?),
        ))
        .context("building the postmaster forward")?;
    String::from_utf8(message.formatted()).context("the forward is not UTF-8")
}

fn bullet_list(names: &[String]) -> String {
    names.iter().map(|n| format!("- {n}")).collect::<Vec<_>>().join("\n")
}
