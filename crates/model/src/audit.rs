//! The audit log's vocabulary: what an admin or coordinator was shown of personal
//! data. A closed list, so the log can be read and filtered without guessing, and a
//! new way of seeing personal data has to name itself here.

use crate::{MentorshipId, ProgrammeId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One line of the audit log, as admins and the person concerned read it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_id: UserId,
    pub actor_name: String,
    pub action: AuditAction,
    /// The person the access concerned, when it was one person.
    pub subject_user_id: Option<UserId>,
    pub subject_name: Option<String>,
    pub programme_id: Option<ProgrammeId>,
    /// The programme's name, when the access concerned one.
    pub programme_name: Option<String>,
    pub mentorship_id: Option<MentorshipId>,
    /// Where the request came from (the client address as `client_ip` sees it).
    pub client_address: String,
    /// The request's `x-request-id`, to find it in the service's logs.
    pub request_id: String,
}

/// A page of the audit log, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; absent on the last one.
    pub next_before: Option<String>,
}

/// One kind of access to personal data by programme staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A list of people: the people page of a programme, `GET /users`.
    PeopleList,
    /// One person's account (`GET /users/{id}` of someone else).
    PersonRead,
    /// A programme's health page or API (member names with their figures).
    HealthPage,
    /// A programme's health as CSV.
    HealthCsv,
    /// One mentorship's page or figures for a coordinator (members, check-ins).
    MentorshipPage,
    /// A programme's mentorships with their members.
    MentorshipList,
    /// Addresses that bounce in a programme.
    BouncingList,
    /// Failed outgoing mail (addresses and reasons).
    FailedMail,
    /// Incoming mail that failed (sender addresses).
    FailedInbound,
    /// A person's data exported on their behalf.
    PersonExport,
    /// A person's data erased.
    PersonErasure,
    /// A concern reported about a mentorship read by staff.
    ConcernRead,
    /// A member shared a message, a thread or a note with the coordinators (the actor
    /// is the member; the only path by which content reaches staff).
    ConcernShared,
    /// The audit log itself.
    AuditRead,
}

impl AuditAction {
    pub const ALL: [AuditAction; 14] = [
        AuditAction::PeopleList,
        AuditAction::PersonRead,
        AuditAction::HealthPage,
        AuditAction::HealthCsv,
        AuditAction::MentorshipPage,
        AuditAction::MentorshipList,
        AuditAction::BouncingList,
        AuditAction::FailedMail,
        AuditAction::FailedInbound,
        AuditAction::PersonExport,
        AuditAction::PersonErasure,
        AuditAction::ConcernRead,
        AuditAction::ConcernShared,
        AuditAction::AuditRead,
    ];

    /// The name stored in `audit_log.action` and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::PeopleList => "people_list",
            AuditAction::PersonRead => "person_read",
            AuditAction::HealthPage => "health_page",
            AuditAction::HealthCsv => "health_csv",
            AuditAction::MentorshipPage => "mentorship_page",
            AuditAction::MentorshipList => "mentorship_list",
            AuditAction::BouncingList => "bouncing_list",
            AuditAction::FailedMail => "failed_mail",
            AuditAction::FailedInbound => "failed_inbound",
            AuditAction::PersonExport => "person_export",
            AuditAction::PersonErasure => "person_erasure",
            AuditAction::ConcernRead => "concern_read",
            AuditAction::ConcernShared => "concern_shared",
            AuditAction::AuditRead => "audit_read",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
            assert_eq!(serde_json::to_value(a).ok(), Some(serde_json::Value::String(a.as_str().to_owned())));
        }
        assert_eq!(AuditAction::parse("nope"), None);
    }
}
