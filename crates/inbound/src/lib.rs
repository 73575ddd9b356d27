//! Inbound mail as data, with no I/O: [`parse`] turns the raw bytes of an RFC 5322
//! message into an [`InboundMail`] — who sent it, to which addresses, what it answers,
//! its text with quoted history and signature split off, its attachments, whether it
//! is automatic mail or a delivery report, and the key that makes delivering it twice
//! post it once. The server decides what to do with it.
//!
//! MIME parsing and charset decoding are `mail-parser`'s (0.11): it copes with
//! malformed input without panicking and decodes the ISO-8859 and Windows code pages.

pub mod address;
pub mod auth;
pub mod automatic;
pub mod dedup;
pub mod report;
pub mod trim;

mod html;
mod parse;

pub use automatic::Automatic;
pub use parse::{Limits, ParseError, parse, parse_with};
pub use report::{DeliveryReport, FailedRecipient, ReportKind};
pub use trim::{Trimmed, trim};

/// A name and address from a header such as `From`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    /// As written, with the domain lower-cased.
    pub address: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// The file name the sender gave, or a generated one (`attachment-1.bin`).
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// What the receiving MTA's `Authentication-Results` say about the From domain (see
/// [`auth`] for the alignment rule).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuthResults {
    /// `spf=pass` with an `smtp.mailfrom` domain aligned with the From domain.
    pub spf_pass: bool,
    /// `dmarc=pass` with `header.from` equal to the From domain.
    pub dmarc_pass: bool,
}

impl AuthResults {
    /// May we answer the sender without risking backscatter to a forged address?
    /// True only when SPF or DMARC passed for the From address's domain.
    pub fn sender_verified(&self) -> bool {
        self.spf_pass || self.dmarc_pass
    }
}

/// One parsed inbound mail.
#[derive(Clone, Debug)]
pub struct InboundMail {
    /// `Message-ID` without the angle brackets.
    pub message_id: Option<String>,
    pub from: Option<Mailbox>,
    /// Every recipient address from `To`, `Cc`, `Delivered-To`, `X-Original-To`,
    /// `Envelope-To` and `X-Envelope-To` (so a bounce's VERP address is found),
    /// lower-cased, without duplicates, in that order.
    pub recipients: Vec<String>,
    /// Message ids from `In-Reply-To`, then `References`, without angle brackets.
    pub references: Vec<String>,
    /// The decoded subject as sent (empty when missing).
    pub subject: String,
    /// The whole body as plain text (HTML-only mail converted, `format=flowed` joined).
    pub text: String,
    /// The text with quoted history and signature split off.
    pub body: Trimmed,
    pub attachments: Vec<Attachment>,
    /// Why this is automatic mail (auto-reply, bulk, mailer-daemon), if it is. A
    /// delivery or feedback report is always automatic ([`Automatic::DeliveryReport`],
    /// [`Automatic::FeedbackReport`]), so checking this one field is enough to never
    /// answer; look at `report` first to act on it.
    pub automatic: Option<Automatic>,
    /// The delivery status or feedback report this mail is, if it is a bounce or a
    /// complaint (recognised by structure, see [`report`]).
    pub report: Option<DeliveryReport>,
    pub auth: AuthResults,
    /// Same mail delivered twice → same key (see [`dedup`]).
    pub dedup_key: String,
}
