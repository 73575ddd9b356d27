//! Recognising automatic mail (RFC 3834 and the headers that predate it).

use mail_parser::Message;

/// Why a mail counts as automatic; recorded, never posted, never answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Automatic {
    /// `Auto-Submitted` other than `no`.
    AutoSubmitted(String),
    /// `X-Autoreply`, `X-Autorespond` and the like.
    AutoReplyHeader(String),
    /// `Precedence: bulk|junk|list|auto_reply`.
    Precedence(String),
    /// An out-of-office subject.
    OutOfOffice,
    /// From `mailer-daemon`, `postmaster`, `no-reply` and the like.
    SystemSender(String),
}

impl Automatic {
    /// A short reason for logs and the admin's view.
    pub fn reason(&self) -> String {
        match self {
            Automatic::AutoSubmitted(v) => format!("Auto-Submitted: {v}"),
            Automatic::AutoReplyHeader(h) => format!("header {h}"),
            Automatic::Precedence(v) => format!("Precedence: {v}"),
            Automatic::OutOfOffice => "out-of-office subject".into(),
            Automatic::SystemSender(a) => format!("system sender {a}"),
        }
    }
}

pub fn classify(msg: &Message) -> Option<Automatic> {
    let value = msg.header_raw("Auto-Submitted")?.trim().to_ascii_lowercase();
    (!value.starts_with("no")).then_some(Automatic::AutoSubmitted(value))
}
