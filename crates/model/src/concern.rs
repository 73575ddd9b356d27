//! Sharing a concern with the programme's coordinators (F4: personal matters only at
//! the member's explicit request) and the privacy notice's API shapes. A share is the
//! one way content reaches a coordinator: a member chooses one message, one thread or
//! a note of their own, sees exactly what will be visible, and confirms.

use crate::validate::ValidationError;
use crate::{MentorshipId, MessageId, ProgrammeId, ThreadId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest note to the coordinator, in characters.
pub const MAX_NOTE_CHARS: usize = 4000;

/// What a member shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConcernKind {
    /// One message (with its thread's subject).
    Message,
    /// A whole thread: its subject and every message in it the sharer can read.
    Thread,
    /// Only the sharer's own words.
    Note,
}

impl ConcernKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConcernKind::Message => "message",
            ConcernKind::Thread => "thread",
            ConcernKind::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<ConcernKind> {
        match s {
            "message" => Some(ConcernKind::Message),
            "thread" => Some(ConcernKind::Thread),
            "note" => Some(ConcernKind::Note),
            _ => None,
        }
    }
}

/// One message as it was when shared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SharedMessage {
    pub author_name: String,
    pub created_at: DateTime<Utc>,
    pub body: String,
}

/// What was shared, frozen at the moment of sharing: a later edit or erasure of the
/// message changes nothing here. Attachments and quoted text are not part of it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    /// The thread's subject (none for a note).
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub messages: Vec<SharedMessage>,
}

/// `POST /api/v1/mentorships/{id}/concerns`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareConcernRequest {
    pub kind: ConcernKind,
    /// The message (kind `message`).
    #[serde(default)]
    pub message_id: Option<MessageId>,
    /// The thread (kind `thread`).
    #[serde(default)]
    pub thread_id: Option<ThreadId>,
    /// Words to the coordinator: required for `note`, optional otherwise.
    #[serde(default)]
    pub note: Option<String>,
    /// The other members may read what was shared; they learn that something was
    /// shared either way.
    #[serde(default)]
    pub others_may_see: bool,
}

impl ShareConcernRequest {
    /// Checks the request's shape; the note comes back trimmed (empty: none).
    pub fn validate(&self) -> Result<String, ValidationError> {
        let note = self.note.as_deref().map(str::trim).unwrap_or_default().replace("\r\n", "\n");
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(ValidationError::new("note", "too_long", format!("a note is at most {MAX_NOTE_CHARS} characters")));
        }
        match self.kind {
            ConcernKind::Message if self.message_id.is_none() || self.thread_id.is_some() => {
                Err(ValidationError::new("message_id", "required", "sharing a message names the message (message_id), no thread"))
            }
            ConcernKind::Thread if self.thread_id.is_none() || self.message_id.is_some() => {
                Err(ValidationError::new("thread_id", "required", "sharing a thread names the thread (thread_id), no message"))
            }
            ConcernKind::Note if self.thread_id.is_some() || self.message_id.is_some() => {
                Err(ValidationError::new("kind", "note_alone", "a note names no message or thread"))
            }
            ConcernKind::Note if note.is_empty() => Err(ValidationError::new("note", "required", "a note needs some words")),
            _ => Ok(note),
        }
    }
}

/// Where the coordinators are with a shared concern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConcernStatus {
    New,
    Acknowledged,
    Resolved,
}

impl ConcernStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConcernStatus::New => "new",
            ConcernStatus::Acknowledged => "acknowledged",
            ConcernStatus::Resolved => "resolved",
        }
    }
}

/// A shared concern whole: what the coordinators read, and the sharer of their own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConcernView {
    pub id: String,
    pub programme_id: ProgrammeId,
    pub mentorship_id: MentorshipId,
    pub shared_by: UserId,
    pub shared_by_name: String,
    pub kind: ConcernKind,
    pub snapshot: Snapshot,
    /// The sharer's words to the coordinator ("" when none).
    pub note: String,
    pub others_may_see: bool,
    pub created_at: DateTime<Utc>,
    pub status: ConcernStatus,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A share as the other members of the mentorship see it: that something was shared,
/// by whom and when; what, only when the sharer allowed it (`shared` is then set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConcernNotice {
    pub id: String,
    pub shared_by: UserId,
    pub shared_by_name: String,
    pub kind: ConcernKind,
    pub created_at: DateTime<Utc>,
    /// The shared item and note, when the sharer allowed the others to see it or the
    /// reader is the sharer.
    pub shared: Option<ConcernView>,
}

/// `PUT /api/v1/concerns/{id}/status`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernStatusRequest {
    /// `acknowledged` or `resolved` (`new` is refused: nothing goes back).
    pub status: ConcernStatus,
}

/// A consent record of the person (`GET /api/v1/me/consents`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConsentView {
    pub programme_id: ProgrammeId,
    pub programme_name: String,
    /// The label of the version accepted: its number, or the built-in default's label.
    pub notice_version: String,
    /// `web`, `email` or `api`.
    pub via: String,
    pub given_at: DateTime<Utc>,
}

/// A programme's current privacy notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NoticeView {
    pub programme_id: ProgrammeId,
    /// What a consent to it records.
    pub version: String,
    /// The built-in notice (the programme published none).
    pub is_default: bool,
    pub text_en: String,
    pub text_nl: String,
    pub published_at: Option<DateTime<Utc>>,
    /// Whether the caller has accepted this version.
    pub accepted: bool,
}

/// `POST /api/v1/programmes/{id}/privacy-notices`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishNoticeRequest {
    pub text_en: String,
    pub text_nl: String,
}

/// `POST /api/v1/programmes/{id}/privacy-notice/accept`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptNoticeRequest {
    /// The version read (`NoticeView::version`); 409 when it is no longer current.
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(kind: ConcernKind, message: bool, thread: bool, note: Option<&str>) -> ShareConcernRequest {
        ShareConcernRequest {
            kind,
            message_id: message.then(MessageId::new),
            thread_id: thread.then(ThreadId::new),
            note: note.map(str::to_owned),
            others_may_see: false,
        }
    }

    #[test]
    fn a_share_names_exactly_what_its_kind_needs() {
        assert!(req(ConcernKind::Message, true, false, None).validate().is_ok());
        assert!(req(ConcernKind::Message, false, false, None).validate().is_err());
        assert!(req(ConcernKind::Message, true, true, None).validate().is_err());
        assert!(req(ConcernKind::Thread, false, true, Some("  ")).validate().is_ok_and(|n| n.is_empty()));
        assert!(req(ConcernKind::Note, false, false, Some(" \n ")).validate().is_err());
        assert_eq!(req(ConcernKind::Note, false, false, Some(" Zorgen \r\n")).validate().ok().as_deref(), Some("Zorgen"));
        assert!(req(ConcernKind::Note, true, false, Some("x")).validate().is_err());
        assert!(req(ConcernKind::Note, false, false, Some(&"x".repeat(MAX_NOTE_CHARS + 1))).validate().is_err());
    }
}
