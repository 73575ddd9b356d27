//! Request and response bodies of the REST API (`/api/v1`). Requests reject unknown
//! fields, so a typo in a client is an error, not a silently ignored value.
//! Times are RFC 3339 in UTC; ids are UUID strings.

use crate::agreement::{AgreementContent, Rhythm};
use crate::domain::{EventKind, Locale, MentorshipStatus, MessageSource, Role};
use crate::ids::{MentorshipId, MessageId, ProgrammeId, ThreadId, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The JSON body of every error response.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, for example `subject_too_long`.
    pub code: String,
    /// Human-readable explanation. Never echoes submitted content.
    pub message: String,
}

// ---- auth ----

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MagicLinkRequest {
    pub email: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MagicLinkRedeemRequest {
    pub token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// JWT (HS256) for the `Authorization: Bearer` header, valid `expires_in` seconds.
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    /// Opaque, single-use: exchange it at `/api/v1/auth/refresh` for a new pair.
    pub refresh_token: String,
    pub user: UserView,
}

// ---- users ----

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub timezone: String,
    pub locale: Locale,
    pub is_admin: bool,
    /// False for e-mail-only participants.
    pub has_password: bool,
    /// Further verified addresses the person may write from.
    pub extra_emails: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub email: String,
    pub display_name: String,
    /// Omit for an e-mail-only participant.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub locale: Option<Locale>,
    #[serde(default)]
    pub timezone: Option<String>,
    /// Only admins may create admins.
    #[serde(default)]
    pub is_admin: bool,
    /// Coordinators must name one of their programmes; the person then appears in
    /// that programme's people list.
    #[serde(default)]
    pub programme_id: Option<ProgrammeId>,
}

/// `PATCH /me`: change your own profile. Fields left out stay as they are.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    /// The name others in your mentorships see (1–100 characters, one line).
    #[serde(default)]
    pub display_name: Option<String>,
    /// The language of pages and mail.
    #[serde(default)]
    pub locale: Option<Locale>,
    /// An IANA time zone name; times, digests and quiet hours follow it.
    #[serde(default)]
    pub timezone: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddEmailRequest {
    pub email: String,
}

/// A person's profile (G5) as someone allowed to read it sees it: the person
/// themselves, or a member of a mentorship they share.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ProfileView {
    pub user_id: UserId,
    pub display_name: String,
    /// Their role in the mentorship asked about; absent for your own profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Empty fields: not written.
    pub profile: crate::profile::Profile,
    /// When they last saved it; absent when they never wrote one.
    pub updated_at: Option<DateTime<Utc>>,
}

// ---- programmes ----

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProgrammeRequest {
    pub name: String,
    /// IANA zone in which the programme's weeks and cadence windows are counted.
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub default_rhythm: Option<Rhythm>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ProgrammeView {
    pub id: ProgrammeId,
    pub name: String,
    pub timezone: String,
    pub default_rhythm: Rhythm,
    /// Months between two periodic reviews of its mentorships (F8): 4, 5 or 6, set on
    /// the coordinator's settings page.
    pub review_every_months: i64,
    pub coordinators: Vec<PersonRef>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddCoordinatorRequest {
    pub user_id: UserId,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonRef {
    pub id: UserId,
    pub display_name: String,
}

// ---- mentorships ----

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberSpec {
    pub user_id: UserId,
    pub role: Role,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMentorshipRequest {
    /// At least one mentor and one mentee; any number of each (G14).
    pub members: Vec<MemberSpec>,
    /// From a year before the programme was set up to two years ahead.
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    /// Defaults to the programme's default rhythm.
    #[serde(default)]
    pub rhythm: Option<Rhythm>,
    /// `proposed` (default) or `active`.
    #[serde(default)]
    pub status: Option<MentorshipStatus>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberView {
    pub user_id: UserId,
    pub display_name: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
}

/// What anyone allowed to see a mentorship sees: no content.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MentorshipView {
    pub id: MentorshipId,
    pub programme_id: ProgrammeId,
    pub status: MentorshipStatus,
    pub end_reason: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub members: Vec<MemberView>,
    pub rhythm: Rhythm,
    /// Sequence number of the latest event; a client resumes from here. Members
    /// only: it also moves when someone reads, which is not the coordinator's business.
    pub last_seq: Option<i64>,
    /// The mentorship this one replaced when a coordinator re-paired.
    pub replaces: Option<MentorshipId>,
    pub created_at: DateTime<Utc>,
    /// Whether every current member confirmed the agreement's current version (and
    /// the current charter). Coordinators see this and the rhythm, never the content.
    #[serde(default)]
    pub agreement_confirmed: bool,
    /// When the last of them confirmed it, if all did.
    #[serde(default)]
    pub agreement_confirmed_at: Option<DateTime<Utc>>,
}

/// Both halves of the agreement: members only.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AgreementView {
    pub rhythm: Rhythm,
    pub content: AgreementContent,
    pub updated_at: DateTime<Utc>,
    /// The ground rules and goals were written before the reader joined: they come back
    /// empty until a member saves them again (a newcomer reads nothing written before
    /// they came).
    #[serde(default)]
    pub content_hidden: bool,
    /// The agreement's current version: every change of rhythm or content makes a new one.
    #[serde(default)]
    pub version: i64,
    /// The version of the netiquette and safety charter a confirmation accepts now.
    #[serde(default)]
    pub charter_version: i64,
    /// Every current member confirmed the current version and charter.
    #[serde(default)]
    pub confirmed: bool,
    /// When the last of them did, if all did.
    #[serde(default)]
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Each current member's latest confirmation.
    #[serde(default)]
    pub confirmations: Vec<AgreementConfirmation>,
}

/// Where one member stands with the agreement.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AgreementConfirmation {
    pub user_id: UserId,
    pub display_name: String,
    pub role: Role,
    /// The latest version they confirmed (none yet: `null`).
    pub confirmed_version: Option<i64>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub via: Option<crate::agreement::ConfirmedVia>,
    /// They confirmed the current version under the current charter.
    pub current: bool,
}

/// `POST /mentorships/{id}/agreement/confirm`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmAgreementRequest {
    /// Must be true: confirming accepts the netiquette and safety charter (G3).
    pub accept_charter: bool,
    /// The version the member read; when the agreement changed since, 409
    /// `agreement_changed`. Left out: the current version.
    #[serde(default)]
    pub version: Option<i64>,
}

/// One kept version of the agreement (members only).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AgreementVersionView {
    pub version: i64,
    pub changed_at: DateTime<Utc>,
    /// Who made the change (none for the version a mentorship started with).
    pub changed_by: Option<PersonRef>,
    pub rhythm: Rhythm,
    /// Empty, with `content_hidden`, when it was written before the reader joined.
    pub content: AgreementContent,
    #[serde(default)]
    pub content_hidden: bool,
    /// The members who confirmed this version, by name.
    pub confirmed_by: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    pub user_id: UserId,
    pub role: Role,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseMentorshipRequest {
    /// A short reason code, for example `completed`, `no_match`, `moved_away`.
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairRequest {
    /// Members of the new mentorship.
    pub members: Vec<MemberSpec>,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
}

// ---- threads and messages ----

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateThreadRequest {
    /// 1–200 characters: say what the thread is about (G9).
    pub subject: String,
    /// The first message.
    pub body: String,
    #[serde(default)]
    pub client_msg_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostMessageRequest {
    pub body: String,
    /// Idempotency key chosen by the client, unique per author: a retry with the same
    /// key and body returns the stored message instead of posting twice.
    pub client_msg_id: String,
}

/// The new text of one's own message, within the edit window.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditMessageRequest {
    pub body: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    /// The last message the reader has seen in this thread.
    pub message_id: MessageId,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ThreadView {
    pub id: ThreadId,
    pub mentorship_id: MentorshipId,
    pub subject: String,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
    pub message_count: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ThreadSummary {
    #[serde(flatten)]
    pub thread: ThreadView,
    pub unread_count: i64,
    /// The reader's read marker in this thread.
    pub last_read_message_id: Option<MessageId>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageView {
    pub id: MessageId,
    pub thread_id: ThreadId,
    pub mentorship_id: MentorshipId,
    pub author_id: UserId,
    pub author_name: String,
    pub body: String,
    pub source: MessageSource,
    pub client_msg_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The mentorship event that recorded this message.
    pub seq: i64,
    /// What was cut from a message that came by e-mail (quoted history, signature),
    /// kept so readers can expand it: trimming never loses the sender's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quoted: Option<String>,
    /// Files that came with the message (download: members only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentView>,
    /// When the author last changed the text (earlier versions are kept nowhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<DateTime<Utc>>,
    /// When the message lost its text; `body` is then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// Why: `author` (deleted it), `retention` (the programme's keeping time after
    /// the mentorship closed) or `erasure` (the author's account was erased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_reason: Option<String>,
}

/// A file attached to a message; `url` downloads it (members only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AttachmentView {
    pub id: crate::AttachmentId,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub url: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedThread {
    pub thread: ThreadView,
    pub message: MessageView,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MessagePage {
    pub messages: Vec<MessageView>,
    /// Pass as `before` to get the previous (older) page; absent at the beginning.
    pub next_before: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReadMarkerView {
    pub thread_id: ThreadId,
    pub user_id: UserId,
    pub message_id: MessageId,
    pub updated_at: DateTime<Utc>,
}

// ---- netiquette hints ----

/// A draft as it is being written, for netiquette hints (G3, G9, G13). Nothing is
/// stored; the same limits as for a message apply.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HintsRequest {
    /// The subject of a new thread (at most 200 characters); null for a reply.
    #[serde(default)]
    pub subject: Option<String>,
    /// The text so far (at most 64 KiB); may be empty.
    pub body: String,
    /// The thread being answered: the hints then also say whether the answer comes
    /// later than the agreed response time without a word about the wait.
    #[serde(default)]
    pub thread_id: Option<ThreadId>,
    /// The mentorship a new thread is for (with `thread_id` the thread's own is used):
    /// the hints then also say when the writer's side wrote nearly everything lately.
    #[serde(default)]
    pub mentorship_id: Option<MentorshipId>,
}

/// Hints for a draft: codes and positions only; the page holds the texts (en, nl).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HintsResponse {
    /// Subject first, then by position. `start` and `end` count UTF-16 code units (as
    /// a browser's text selection does), end exclusive.
    pub hints: Vec<crate::hints::Hint>,
}

// ---- events ----

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    pub mentorship_id: MentorshipId,
    pub seq: i64,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    /// What a client needs to render the event, built from the current rows.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct EventPage {
    pub events: Vec<EventView>,
    /// The mentorship's latest sequence number at the time of reading.
    pub last_seq: i64,
}

// ---- health ----

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    pub status: String,
    pub database: String,
}
