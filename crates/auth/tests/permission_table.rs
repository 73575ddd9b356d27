//! The permission matrix written out by hand. Each cell is the expected answer from
//! the specification, not recomputed from the rules, so a change to `decide` that
//! alters any outcome has to be made here too, deliberately.

use mentorpost_auth::permission::{Action, Actor, Decision, MembershipState, Relation, decide, reveals_content};
use mentorpost_model::{Role, UserId};

use Decision::{Allow as A, Forbidden as F, NotFound as N, Unauthenticated as U};

/// Who is asking, relative to the resource.
#[derive(Clone, Copy, Debug)]
enum Who {
    Admin,
    Coordinator,
    OtherProgrammeCoordinator,
    ActiveMember,
    FormerMember,
    NonMember,
    Anonymous,
    CoordinatorMember,
    AdminMember,
}

const MAIN_COLUMNS: [Who; 8] = [
    Who::Admin,
    Who::Coordinator,
    Who::OtherProgrammeCoordinator,
    Who::ActiveMember,
    Who::FormerMember,
    Who::NonMember,
    Who::Anonymous,
    Who::CoordinatorMember,
];

/// Open mentorship.
#[rustfmt::skip]
const MAIN_TABLE: &[(Action, [Decision; 8])] = &[
    //                                  admin coord other active former none anon coord+member
    (Action::CreateProgramme,          [A,    F,    F,    F,     F,     F,   U,   F]),
    (Action::ReadProgramme,            [A,    A,    N,    N,     N,     N,   U,   A]),
    (Action::ManageCoordinators,       [A,    F,    N,    N,     N,     N,   U,   F]),
    (Action::CreateMentorship,         [A,    A,    N,    N,     N,     N,   U,   A]),
    (Action::ListProgrammeMentorships, [A,    A,    N,    N,     N,     N,   U,   A]),
    (Action::ManageProgrammeUsers,     [A,    A,    N,    N,     N,     N,   U,   A]),
    (Action::ManageAllUsers,           [A,    F,    F,    F,     F,     F,   U,   F]),
    (Action::ReadMentorshipMeta,       [A,    A,    N,    A,     A,     N,   U,   A]),
    (Action::SetRhythm,                [A,    A,    N,    A,     F,     N,   U,   A]),
    (Action::ReadAgreementContent,     [F,    F,    N,    A,     A,     N,   U,   A]),
    (Action::EditAgreementContent,     [F,    F,    N,    A,     F,     N,   U,   A]),
    (Action::ManageMembers,            [A,    A,    N,    F,     F,     N,   U,   A]),
    (Action::ChangeLifecycle,          [A,    A,    N,    F,     F,     N,   U,   A]),
    (Action::ReadContent,              [F,    F,    N,    A,     A,     N,   U,   A]),
    (Action::WriteContent,             [F,    F,    N,    A,     F,     N,   U,   A]),
    (Action::MarkRead,                 [F,    F,    N,    A,     F,     N,   U,   A]),
];

/// Closed mentorships, and an admin who is also a member.
const MORE_COLUMNS: [(Who, bool); 6] = [
    (Who::ActiveMember, true),
    (Who::FormerMember, true),
    (Who::CoordinatorMember, true),
    (Who::Coordinator, true),
    (Who::AdminMember, false),
    (Who::AdminMember, true),
];

#[rustfmt::skip]
const MORE_TABLE: &[(Action, [Decision; 6])] = &[
    //                                  closed:                            admin+member:
    //                                  active former coord+member coord   open closed
    (Action::CreateProgramme,          [F,     F,     F,           F,      A,   A]),
    (Action::ReadProgramme,            [N,     N,     A,           A,      A,   A]),
    (Action::ManageCoordinators,       [N,     N,     F,           F,      A,   A]),
    (Action::CreateMentorship,         [N,     N,     A,           A,      A,   A]),
    (Action::ListProgrammeMentorships, [N,     N,     A,           A,      A,   A]),
    (Action::ManageProgrammeUsers,     [N,     N,     A,           A,      A,   A]),
    (Action::ManageAllUsers,           [F,     F,     F,           F,      A,   A]),
    (Action::ReadMentorshipMeta,       [A,     A,     A,           A,      A,   A]),
    (Action::SetRhythm,                [F,     F,     A,           A,      A,   A]),
    (Action::ReadAgreementContent,     [A,     A,     A,           F,      A,   A]),
    (Action::EditAgreementContent,     [F,     F,     F,           F,      A,   F]),
    (Action::ManageMembers,            [F,     F,     A,           A,      A,   A]),
    (Action::ChangeLifecycle,          [F,     F,     A,           A,      A,   A]),
    (Action::ReadContent,              [A,     A,     A,           F,      A,   A]),
    (Action::WriteContent,             [F,     F,     F,           F,      A,   F]),
    (Action::MarkRead,                 [A,     F,     A,           F,      A,   A]),
];

fn actor(admin: bool) -> Actor {
    Actor { user_id: UserId::new(), is_admin: admin }
}

/// The actor and relation for `who`, with the given member role and closure.
fn setup(who: Who, role: Role, closed: bool) -> (Option<Actor>, Relation) {
    let active = Some(MembershipState::Active(role));
    let former = Some(MembershipState::Former(role));
    let rel = |coordinator, membership| Relation { coordinator, membership, mentorship_closed: closed };
    match who {
        Who::Admin => (Some(actor(true)), rel(false, None)),
        Who::Coordinator => (Some(actor(false)), rel(true, None)),
        // Coordinating another programme gives no relation to this resource.
        Who::OtherProgrammeCoordinator | Who::NonMember => (Some(actor(false)), rel(false, None)),
        Who::ActiveMember => (Some(actor(false)), rel(false, active)),
        Who::FormerMember => (Some(actor(false)), rel(false, former)),
        Who::Anonymous => (None, rel(false, None)),
        Who::CoordinatorMember => (Some(actor(false)), rel(true, active)),
        Who::AdminMember => (Some(actor(true)), rel(false, active)),
    }
}

/// Fails to compile when a variant is added, reminding to extend `ALL` and the tables.
fn position(action: Action) -> usize {
    match action {
        Action::CreateProgramme => 0,
        Action::ReadProgramme => 1,
        Action::ManageCoordinators => 2,
        Action::CreateMentorship => 3,
        Action::ListProgrammeMentorships => 4,
        Action::ManageProgrammeUsers => 5,
        Action::ManageAllUsers => 6,
        Action::ReadMentorshipMeta => 7,
        Action::SetRhythm => 8,
        Action::ReadAgreementContent => 9,
        Action::EditAgreementContent => 10,
        Action::ManageMembers => 11,
        Action::ChangeLifecycle => 12,
        Action::ReadContent => 13,
        Action::WriteContent => 14,
        Action::MarkRead => 15,
    }
}

#[test]
fn all_lists_every_action_once() {
    assert_eq!(Action::ALL.len(), 16);
    for (i, action) in Action::ALL.iter().enumerate() {
        assert_eq!(position(*action), i, "{action:?}");
    }
}

#[test]
fn tables_cover_every_action_in_order() {
    let main: Vec<Action> = MAIN_TABLE.iter().map(|(a, _)| *a).collect();
    let more: Vec<Action> = MORE_TABLE.iter().map(|(a, _)| *a).collect();
    assert_eq!(main, Action::ALL);
    assert_eq!(more, Action::ALL);
}

#[test]
fn main_table_holds() {
    let mut failures = Vec::new();
    for (action, row) in MAIN_TABLE {
        for (who, expected) in MAIN_COLUMNS.iter().zip(row) {
            // The member's role never changes the outcome.
            for role in [Role::Mentor, Role::Mentee] {
                let (actor, relation) = setup(*who, role, false);
                let got = decide(actor.as_ref(), &relation, *action);
                if got != *expected {
                    failures.push(format!("{action:?} as {who:?} ({role:?}): expected {expected:?}, got {got:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn more_table_holds() {
    let mut failures = Vec::new();
    for (action, row) in MORE_TABLE {
        for ((who, closed), expected) in MORE_COLUMNS.iter().zip(row) {
            for role in [Role::Mentor, Role::Mentee] {
                let (actor, relation) = setup(*who, role, *closed);
                let got = decide(actor.as_ref(), &relation, *action);
                if got != *expected {
                    failures.push(format!("{action:?} as {who:?} ({role:?}, closed: {closed}): expected {expected:?}, got {got:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn content_actions_are_the_documented_five() {
    let content: Vec<Action> = Action::ALL.iter().copied().filter(|a| reveals_content(*a)).collect();
    assert_eq!(
        content,
        [Action::ReadAgreementContent, Action::EditAgreementContent, Action::ReadContent, Action::WriteContent, Action::MarkRead]
    );
}

#[test]
fn content_is_forbidden_to_non_member_coordinators_and_admins() {
    for action in Action::ALL.iter().copied().filter(|a| reveals_content(*a)) {
        for closed in [false, true] {
            let coordinator = Relation { coordinator: true, membership: None, mentorship_closed: closed };
            assert_eq!(decide(Some(&actor(false)), &coordinator, action), F, "coordinator {action:?}");
            // Not even an admin who also coordinates.
            assert_eq!(decide(Some(&actor(true)), &coordinator, action), F, "admin-coordinator {action:?}");
            let none = Relation { mentorship_closed: closed, ..Relation::default() };
            assert_eq!(decide(Some(&actor(true)), &none, action), F, "admin {action:?}");
        }
    }
}

#[test]
fn nobody_logged_in_is_always_unauthenticated() {
    let relations = [
        Relation::default(),
        Relation { coordinator: true, membership: Some(MembershipState::Active(Role::Mentor)), mentorship_closed: false },
        Relation { coordinator: false, membership: Some(MembershipState::Former(Role::Mentee)), mentorship_closed: true },
    ];
    for action in Action::ALL {
        for relation in &relations {
            assert_eq!(decide(None, relation, *action), U);
        }
    }
}

#[test]
fn only_an_admin_adds_themselves_as_a_member() {
    use mentorpost_auth::permission::may_add_member;
    let coordinator = actor(false);
    let admin = actor(true);
    let someone_else = UserId::new();
    assert_eq!(may_add_member(&coordinator, coordinator.user_id), F, "a coordinator joining would read content");
    assert_eq!(may_add_member(&coordinator, someone_else), A);
    assert_eq!(may_add_member(&admin, admin.user_id), A, "an admin joins as a visible member");
    assert_eq!(may_add_member(&admin, someone_else), A);
}
