//! Domain types and pure rules of mentorpost. No I/O lives here: everything is a
//! value or a function over values, so the rules are unit-tested without a database.
//!
//! Layout:
//! - [`ids`]: identifier newtypes (UUIDv7, stored as text so rows copy unchanged
//!   between SQLite and PostgreSQL).
//! - [`domain`]: roles, statuses, locales, message sources, event kinds.
//! - [`validate`]: validated values (`Subject`, `MessageBody`, `EmailAddress`, ...).
//! - [`agreement`]: the two halves of a mentoring agreement (rhythm and content).
//! - [`profile`]: what a person tells the people they are paired with (G5).
//! - [`api`]: request and response bodies of the REST API.
//! - [`clock`]: the injectable clock every time-dependent rule reads.
//! - [`health`]: contact health of a mentorship for coordinators (no content).
//! - [`subject`]: cleaning mail subjects and judging vague ones (G9).
//! - [`hints`]: netiquette hints on a draft while it is written (G3, G9, G10, G13).
//! - [`roster`]: invitation lists (CSV) read and judged row by row.
//! - [`journey`]: the journey's prompts (reflection, review, closing, follow-up, action reminders): kinds and timing.
//! - [`forms`]: forms answered by mail: numbered questions, replies read back.
//! - [`closure`]: the closing step (F10): closing form, follow-up, who reads what.
//! - [`review`]: the periodic review (F8): its answers, when a round comes due.
//! - [`attachment`]: file names and content types of files that come with a message.
//! - [`audit`]: the kinds of access to personal data the audit log records.
//! - [`device`]: a signed-in device named from its User-Agent.
//! - [`concern`]: a concern a member shares with the coordinators on purpose; privacy notice shapes.
#![forbid(unsafe_code)]

pub mod agreement;
pub mod api;
pub mod attachment;
pub mod audit;
pub mod checkin;
pub mod clock;
pub mod closure;
pub mod concern;
pub mod device;
pub mod domain;
pub mod erasure;
pub mod forms;
pub mod health;
pub mod hints;
pub mod ids;
pub mod journey;
pub mod mail;
pub mod meeting;
pub mod profile;
pub mod reflection;
pub mod refusal;
pub mod review;
pub mod roster;
pub mod session;
pub mod subject;
pub mod validate;
pub mod ws;

pub use agreement::{AgreementContent, Rhythm};
pub use clock::{Clock, ManualClock, SystemClock};
pub use domain::{ErasurePolicy, EventKind, Locale, MeetingMode, MentorshipStatus, MessageSource, Role};
pub use ids::{AttachmentId, MentorshipId, MessageId, ProgrammeId, ThreadId, UserId};
pub use profile::Profile;
pub use refusal::Refusal;
pub use validate::{ClientMsgId, DateWindow, DisplayName, EmailAddress, MessageBody, Subject, TimeZoneName, ValidationError};
