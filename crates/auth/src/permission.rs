//! Who may do what: one pure function, [`decide`], over the acting person, their
//! relation to the resource and the action, called by every HTTP route.
//!
//! Principles:
//! - Rights are the union of a person's roles: each role gives a verdict and the most
//!   permissive wins (Allow over Forbidden over NotFound).
//! - Privacy by design (G12): admins and coordinators manage mentorships but never
//!   see or write their content (messages, subjects, read markers, the agreement's
//!   content half), unless they are themselves members.
//! - People without any relation to a resource get 404, so ids cannot be probed for
//!   existence. 403 is only given to those who already know the resource exists.

use mentorpost_model::{Role, UserId};

/// The authenticated person making a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    /// Instance administrator.
    pub is_admin: bool,
}

/// A person's membership in the mentorship a resource belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipState {
    /// A current member.
    Active(Role),
    /// Left the mentorship: keeps read access to the history up to leaving (the
    /// store limits what is returned), can write nothing.
    Former(Role),
}

/// How the actor relates to the resource an action targets. The server fills this in
/// from the database; `Default` is "no relation at all".
#[derive(Clone, Copy, Debug, Default)]
pub struct Relation {
    /// Coordinator of the programme that owns the resource.
    pub coordinator: bool,
    /// Membership in the mentorship the resource belongs to, if any.
    pub membership: Option<MembershipState>,
    /// The mentorship is closed: its history stays readable, nothing new is written.
    pub mentorship_closed: bool,
}

/// Everything a route can ask permission for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    // Programme scope.
    /// Create a new programme (instance-wide, admins only).
    CreateProgramme,
    /// See a programme's name, settings and coordinators.
    ReadProgramme,
    /// Appoint or remove a programme's coordinators.
    ManageCoordinators,
    /// Create a mentorship in a programme.
    CreateMentorship,
    /// List a programme's mentorships (metadata only).
    ListProgrammeMentorships,
    /// Create and list the users of a programme.
    ManageProgrammeUsers,

    // Instance scope.
    /// Create, list and change any user of the instance.
    ManageAllUsers,

    // Mentorship scope.
    /// See members with names and roles, status, dates and the agreement's rhythm;
    /// no content.
    ReadMentorshipMeta,
    /// Change the agreed contact rhythm.
    SetRhythm,
    /// Read the agreement's content half (ground rules, goals).
    ReadAgreementContent,
    /// Edit the agreement's content half.
    EditAgreementContent,
    /// Add and remove members.
    ManageMembers,
    /// Activate, close or re-pair the mentorship.
    ChangeLifecycle,
    /// Read threads, subjects, messages, events and read markers.
    ReadContent,
    /// Create a thread or post a message.
    WriteContent,
    /// Move one's own read marker.
    MarkRead,
}

impl Action {
    /// Every action, for exhaustive tests and documentation.
    pub const ALL: &'static [Action] = &[
        Action::CreateProgramme,
        Action::ReadProgramme,
        Action::ManageCoordinators,
        Action::CreateMentorship,
        Action::ListProgrammeMentorships,
        Action::ManageProgrammeUsers,
        Action::ManageAllUsers,
        Action::ReadMentorshipMeta,
        Action::SetRhythm,
        Action::ReadAgreementContent,
        Action::EditAgreementContent,
        Action::ManageMembers,
        Action::ChangeLifecycle,
        Action::ReadContent,
        Action::WriteContent,
        Action::MarkRead,
    ];
}

/// The verdict for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// 403: the actor may know the resource exists but may not do this.
    Forbidden,
    /// 404: the actor has no relation to the resource; its existence is not leaked.
    NotFound,
    /// 401: nobody is logged in.
    Unauthenticated,
}

impl Decision {
    /// Precedence when roles disagree: the most permissive wins.
    fn rank(self) -> u8 {
        match self {
            Decision::Unauthenticated => 0,
            Decision::NotFound => 1,
            Decision::Forbidden => 2,
            Decision::Allow => 3,
        }
    }

    fn or(self, other: Decision) -> Decision {
        if other.rank() > self.rank() { other } else { self }
    }
}

/// Whether the response to `action` includes a subject, a body, a read marker or the
/// agreement's content half: the things only members may see (G12).
pub fn reveals_content(action: Action) -> bool {
    match action {
        Action::ReadContent | Action::WriteContent | Action::MarkRead | Action::ReadAgreementContent | Action::EditAgreementContent => true,
        Action::CreateProgramme
        | Action::ReadProgramme
        | Action::ManageCoordinators
        | Action::CreateMentorship
        | Action::ListProgrammeMentorships
        | Action::ManageProgrammeUsers
        | Action::ManageAllUsers
        | Action::ReadMentorshipMeta
        | Action::SetRhythm
        | Action::ManageMembers
        | Action::ChangeLifecycle => false,
    }
}

/// Decides whether `actor` (None: not logged in) may perform `action` on a resource
/// to which it stands in `relation`.
pub fn decide(actor: Option<&Actor>, relation: &Relation, action: Action) -> Decision {
    let Some(actor) = actor else {
        return Decision::Unauthenticated;
    };
    let mut decision = as_anyone(action);
    if actor.is_admin {
        decision = decision.or(as_admin(action));
    }
    if relation.coordinator {
        decision = decision.or(as_coordinator(action));
    }
    if let Some(membership) = relation.membership {
        decision = decision.or(as_member(membership, relation.mentorship_closed, action));
    }
    decision
}

/// Any authenticated person, whatever their relation.
fn as_anyone(action: Action) -> Decision {
    match action {
        // Instance-wide actions have no resource whose existence could leak.
        Action::CreateProgramme | Action::ManageAllUsers => Decision::Forbidden,
        _ => Decision::NotFound,
    }
}

/// An instance administrator: manages everything, reads no content.
fn as_admin(action: Action) -> Decision {
    if reveals_content(action) { Decision::Forbidden } else { Decision::Allow }
}

/// A coordinator of the programme owning the resource: runs the programme's
/// mentorships, reads no content, and cannot change who coordinates.
fn as_coordinator(action: Action) -> Decision {
    match action {
        Action::ReadProgramme
        | Action::CreateMentorship
        | Action::ListProgrammeMentorships
        | Action::ManageProgrammeUsers
        | Action::ReadMentorshipMeta
        | Action::SetRhythm
        | Action::ManageMembers
        | Action::ChangeLifecycle => Decision::Allow,
        Action::CreateProgramme
        | Action::ManageCoordinators
        | Action::ManageAllUsers
        | Action::ReadAgreementContent
        | Action::EditAgreementContent
        | Action::ReadContent
        | Action::WriteContent
        | Action::MarkRead => Decision::Forbidden,
    }
}

/// A member (current or former) of the mentorship the resource belongs to.
fn as_member(membership: MembershipState, closed: bool, action: Action) -> Decision {
    let active = matches!(membership, MembershipState::Active(_));
    match action {
        Action::ReadMentorshipMeta | Action::ReadAgreementContent | Action::ReadContent => Decision::Allow,
        // Read markers are writes too: a former member's stay frozen.
        Action::MarkRead if active => Decision::Allow,
        Action::WriteContent | Action::EditAgreementContent | Action::SetRhythm if active && !closed => Decision::Allow,
        Action::MarkRead
        | Action::WriteContent
        | Action::EditAgreementContent
        | Action::SetRhythm
        | Action::ManageMembers
        | Action::ChangeLifecycle => Decision::Forbidden,
        // Membership says nothing about programmes or the instance.
        Action::CreateProgramme
        | Action::ReadProgramme
        | Action::ManageCoordinators
        | Action::CreateMentorship
        | Action::ListProgrammeMentorships
        | Action::ManageProgrammeUsers
        | Action::ManageAllUsers => Decision::NotFound,
    }
}

/// Whether `actor`, already allowed to manage a mentorship's members (or to create one),
/// may make `person` a member. A coordinator who made themselves a member would read
/// the content they are there not to read (G12, F4: "no messenger, no snitch, no
/// inspector"), so only an admin may add themselves — and then as a member the others
/// see and are told about. Anyone may add other people.
pub fn may_add_member(actor: &Actor, person: UserId) -> Decision {
    if person == actor.user_id && !actor.is_admin { Decision::Forbidden } else { Decision::Allow }
}
