//! Who may call what: every route of the API × every role, as a literal table of
//! expected statuses, on both backends.
//!
//! The table is written out by hand from the contract (docs/architecture.md,
//! "Permissions"), not derived from `mentorpost_auth::permission::decide`, so a wrong
//! rule there fails here. Every cell of a route that writes runs against its own fresh
//! mentorship (and its own target person, session or link); the cells of a GET row
//! share one fresh fixture, since reading changes nothing. Every request carries a body
//! that is valid for the route, so the only reason for a refusal is the role. Besides
//! the status, no response to someone who is not a member may contain the private
//! marker seeded into every mentorship's subject, first message and agreement. A final
//! check compares the table with the OpenAPI document: a new route without a row fails.

use futures_util::StreamExt;
use mentorpost_model::{Clock, DisplayName, EmailAddress, Locale, TimeZoneName};
use mentorpost_server::mail::tokens::TokenKind;
use mentorpost_server::store;
use mentorpost_server::store::users::NewUser;
use mentorpost_tests::world::{PASSWORD, Person, person};
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

both_backends!(
    every_route_for_every_role,
    coordinator_meta_views_carry_no_content,
    former_member_reads_history_up_to_leaving,
    table_covers_the_openapi_document
);

/// The roles, in the order of the table's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Instance administrator, not a member.
    Admin,
    /// Coordinator of the programme P that owns the mentorship, not a member.
    Coord,
    /// Coordinator of another programme Q only.
    OtherCoord,
    /// Active mentor of the mentorship.
    Mentor,
    /// Active mentee of the mentorship.
    Mentee,
    /// Was a mentee of the mentorship, removed after the first thread was started.
    Former,
    /// Coordinator of P who is also a mentor of the mentorship.
    CoordMember,
    /// Administrator who is also a mentor of the mentorship.
    AdminMember,
    /// Member of another mentorship in P (the world's M), not of this one.
    Neighbour,
    /// Logged in, no relation to anything.
    Outsider,
    /// No token.
    Anon,
}

const ROLES: [Role; 11] = [
    Role::Admin,
    Role::Coord,
    Role::OtherCoord,
    Role::Mentor,
    Role::Mentee,
    Role::Former,
    Role::CoordMember,
    Role::AdminMember,
    Role::Neighbour,
    Role::Outsider,
    Role::Anon,
];

/// `(method, OpenAPI path, expected status per role)`. Path parameters: `{id}` is the
/// programme P, the cell's mentorship, the cell's thread or the cell's target person,
/// by prefix; `{user_id}` is the cell's target person.
#[rustfmt::skip]
const TABLE: &[(&str, &str, [u16; 11])] = &[
    //                                                       admin coord other mentr mente formr c+mem a+mem neigh outsd anon
    // Public.
    ("GET",    "/healthz",                                  [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200]),
    ("GET",    "/readyz",                                   [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200]),
    ("POST",   "/api/v1/auth/login",                        [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200]),
    ("POST",   "/api/v1/auth/refresh",                      [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200]),
    ("POST",   "/api/v1/auth/logout",                       [204,  204,  204,  204,  204,  204,  204,  204,  204,  204,  204]),
    ("POST",   "/api/v1/auth/magic-link",                   [202,  202,  202,  202,  202,  202,  202,  202,  202,  202,  202]),
    ("POST",   "/api/v1/auth/magic-link/redeem",            [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200]),
    // People. POST /users names programme P; GET /users/{id} asks for a person of P.
    ("GET",    "/api/v1/me",                                [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("PATCH",  "/api/v1/me",                                [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    // One's own profile (G5); the others' only through a shared mentorship, below.
    ("GET",    "/api/v1/me/profile",                        [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("PUT",    "/api/v1/me/profile",                        [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("POST",   "/api/v1/users",                             [201,  201,  404,  404,  404,  404,  201,  201,  404,  404,  401]),
    ("GET",    "/api/v1/users",                             [200,  200,  200,  403,  403,  403,  200,  200,  403,  403,  401]),
    ("GET",    "/api/v1/users/{id}",                        [200,  200,  404,  404,  404,  404,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/users/{id}/emails",                 [201,  403,  403,  403,  403,  403,  403,  201,  403,  403,  401]),
    // A person's data (right of access): their own; an admin's on their behalf; a
    // coordinator who knows the person is refused (403), anyone else learns nothing.
    ("POST",   "/api/v1/me/export",                         [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("POST",   "/api/v1/users/{id}/export",                 [200,  403,  404,  404,  404,  404,  403,  200,  404,  404,  401]),
    // Erasing an account: one's own is everyone's right (with a wrong password here,
    // so the cast survives: 403; tests/tests/erasure.rs erases for real); someone
    // else's only an admin's, on their behalf, like the export.
    ("POST",   "/api/v1/me/erasure",                        [403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  401]),
    ("POST",   "/api/v1/users/{id}/erasure",                [202,  403,  404,  404,  404,  404,  403,  202,  404,  404,  401]),
    // The mailed link to a large export: its token is the authority.
    ("GET",    "/api/v1/exports/{token}",                   [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200]),
    // Programmes ({id} = P).
    ("POST",   "/api/v1/programmes",                        [201,  403,  403,  403,  403,  403,  403,  201,  403,  403,  401]),
    ("GET",    "/api/v1/programmes",                        [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("GET",    "/api/v1/programmes/{id}",                   [200,  200,  404,  404,  404,  404,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/programmes/{id}/coordinators",      [200,  403,  404,  404,  404,  404,  403,  200,  404,  404,  401]),
    ("DELETE", "/api/v1/programmes/{id}/coordinators/{user_id}",
                                                            [204,  403,  404,  404,  404,  404,  403,  204,  404,  404,  401]),
    ("POST",   "/api/v1/programmes/{id}/mentorships",       [201,  201,  404,  404,  404,  404,  201,  201,  404,  404,  401]),
    ("GET",    "/api/v1/programmes/{id}/mentorships",       [200,  200,  404,  404,  404,  404,  200,  200,  404,  404,  401]),
    ("GET",    "/api/v1/programmes/{id}/health",            [200,  200,  404,  404,  404,  404,  200,  200,  404,  404,  401]),
    ("GET",    "/api/v1/programmes/{id}/health.csv",        [200,  200,  404,  404,  404,  404,  200,  200,  404,  404,  401]),
    ("GET",    "/api/v1/programmes/{id}/bouncing",          [200,  200,  404,  404,  404,  404,  200,  200,  404,  404,  401]),
    // Mentorships ({id} = the cell's mentorship in P).
    ("GET",    "/api/v1/me/mentorships",                    [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("GET",    "/api/v1/mentorships/{id}",                  [200,  200,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("GET",    "/api/v1/mentorships/{id}/agreement",        [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("PUT",    "/api/v1/mentorships/{id}/agreement/rhythm", [200,  200,  404,  200,  200,  403,  200,  200,  404,  404,  401]),
    ("PUT",    "/api/v1/mentorships/{id}/agreement/content",[403,  403,  404,  200,  200,  403,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/mentorships/{id}/agreement/confirm",[403,  403,  404,  200,  200,  403,  200,  200,  404,  404,  401]),
    ("GET",    "/api/v1/mentorships/{id}/agreement/versions",
                                                            [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/mentorships/{id}/members",          [200,  200,  404,  403,  403,  403,  200,  200,  404,  404,  401]),
    ("DELETE", "/api/v1/mentorships/{id}/members/{user_id}",[200,  200,  404,  403,  403,  403,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/mentorships/{id}/activate",         [200,  200,  404,  403,  403,  403,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/mentorships/{id}/close",            [200,  200,  404,  403,  403,  403,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/mentorships/{id}/repair",           [201,  201,  404,  403,  403,  403,  201,  201,  404,  404,  401]),
    ("POST",   "/api/v1/mentorships/{id}/check-ins",        [201,  201,  404,  403,  403,  403,  201,  201,  404,  404,  401]),
    ("GET",    "/api/v1/mentorships/{id}/check-ins",        [200,  200,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/check-ins/{id}/answer",             [403,  403,  404,  204,  204,  403,  204,  204,  404,  404,  401]),
    ("GET",    "/api/v1/mentorships/{id}/health",           [200,  200,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/mentorships/{id}/meetings",         [403,  403,  404,  201,  201,  403,  201,  201,  404,  404,  401]),
    ("GET",    "/api/v1/mentorships/{id}/meetings",         [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/mentorships/{id}/reflections",      [403,  403,  404,  201,  201,  403,  201,  201,  404,  404,  401]),
    ("GET",    "/api/v1/mentorships/{id}/reflections",      [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    // The mentee's own form: the mentors read it (403 to change it), others do not see it.
    ("PUT",    "/api/v1/reflections/{id}",                  [403,  403,  404,  403,  200,  404,  403,  403,  404,  404,  401]),
    // The closing step (F10): members and coordinators start it; the texts are the members'.
    ("POST",   "/api/v1/mentorships/{id}/closing",          [200,  200,  404,  200,  200,  403,  200,  200,  404,  404,  401]),
    ("GET",    "/api/v1/mentorships/{id}/closing",          [200,  200,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("PUT",    "/api/v1/mentorships/{id}/closing/form",     [403,  403,  404,  200,  200,  403,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/mentorships/{id}/closing/close",    [403,  403,  404,  200,  200,  403,  200,  200,  404,  404,  401]),
    // After closing ({id} closed by the coordinator): its members when it closed.
    ("PUT",    "/api/v1/mentorships/{id}/follow-up",        [403,  403,  404,  201,  201,  403,  201,  201,  404,  404,  401]),
    // Periodic reviews: each member's own answers (the cell's mentorship started long
    // enough ago for the first round to be due).
    ("POST",   "/api/v1/mentorships/{id}/reviews",          [403,  403,  404,  200,  200,  403,  200,  200,  404,  404,  401]),
    ("GET",    "/api/v1/mentorships/{id}/reviews",          [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("GET",    "/api/v1/mentorships/{id}/actions",          [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/mentorships/{id}/actions/{number}/done",
                                                            [403,  403,  404,  200,  200,  403,  200,  200,  404,  404,  401]),
    ("DELETE", "/api/v1/mentorships/{id}/actions/{number}/done",
                                                            [403,  403,  404,  200,  200,  403,  200,  200,  404,  404,  401]),
    ("GET",    "/api/v1/mentorships/{id}/events",           [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    // Profiles are content: read like the messages.
    ("GET",    "/api/v1/mentorships/{id}/profiles",         [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    // Threads ({id} = the cell's thread, started before the former member left).
    ("GET",    "/api/v1/me/threads",                        [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("GET",    "/api/v1/mentorships/{id}/threads",          [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/mentorships/{id}/threads",          [403,  403,  404,  201,  201,  403,  201,  201,  404,  404,  401]),
    ("GET",    "/api/v1/threads/{id}",                      [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("GET",    "/api/v1/threads/{id}/messages",             [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("POST",   "/api/v1/threads/{id}/messages",             [403,  403,  404,  201,  201,  403,  201,  201,  404,  404,  401]),
    ("POST",   "/api/v1/threads/{id}/read",                 [403,  403,  404,  200,  200,  403,  200,  200,  404,  404,  401]),
    // The cell's message was written by the mentor: only its author changes it.
    ("PATCH",  "/api/v1/messages/{id}",                     [403,  403,  404,  200,  403,  403,  403,  403,  404,  404,  401]),
    ("DELETE", "/api/v1/messages/{id}",                     [403,  403,  404,  200,  403,  403,  403,  403,  404,  404,  401]),
    // Hints on a draft that answers the cell's thread: whoever may read the thread.
    ("POST",   "/api/v1/hints",                             [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    // Live. The socket is opened with a ticket from the role's own login (anonymous:
    // none; such a socket must authenticate with its first frame). Which events a
    // socket receives is a question for the live tests, not for this table.
    ("POST",   "/api/v1/ws/ticket",                         [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("GET",    "/api/v1/ws",                                [101,  101,  101,  101,  101,  101,  101,  101,  101,  101,  101]),
    // Mail. Preferences are one's own; a mentorship's mode only for its members
    // ({id} = the cell's mentorship). The unsubscribe link needs no login: its token
    // (the world's mentee in M) is the authority.
    ("GET",    "/api/v1/me/mail",                           [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("PUT",    "/api/v1/me/mail",                           [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("PUT",    "/api/v1/me/mail/mentorships/{id}",          [404,  404,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("GET",    "/api/v1/admin/mail/failed",                 [200,  403,  403,  403,  403,  403,  403,  200,  403,  403,  401]),
    ("GET",    "/api/v1/me/coordinator-summary",            [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("PUT",    "/api/v1/me/coordinator-summary",            [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("POST",   "/api/v1/me/mail/resume",                    [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    // Mail in. The HTTP door is off unless an inbound secret is configured (it is not
    // here): it does not exist for anyone, whatever login they hold.
    ("POST",   "/api/v1/inbound/email",                     [404,  404,  404,  404,  404,  404,  404,  404,  404,  404,  404]),
    // The mailed "add this address" link needs no login: its token is the authority
    // (a fresh one per cell; the page changes nothing, the POST uses it up).
    ("GET",    "/mail/add-address/{token}",                 [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200]),
    ("POST",   "/mail/add-address/{token}",                 [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200]),
    ("GET",    "/api/v1/admin/inbound/failed",              [200,  403,  403,  403,  403,  403,  403,  200,  403,  403,  401]),
    // Attachments: readers of the thread ({id} = a file on the cell's first message).
    ("GET",    "/api/v1/attachments/{id}",                  [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("GET",    "/mail/unsubscribe/{token}",                 [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200]),
    ("POST",   "/mail/unsubscribe/{token}",                 [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200]),
    // The audit log: instance admins only (reading it is recorded too).
    ("GET",    "/api/v1/audit",                             [200,  403,  403,  403,  403,  403,  403,  200,  403,  403,  401]),
    // One's own logins and password. Ending "everywhere else" keeps the caller's login,
    // so the role's token goes on working. `{id}` names no login of the caller's (it is
    // the cell's target person): nobody ends someone else's login, 404 for all. The new
    // password is the old one, so later cells still log in.
    ("GET",    "/api/v1/me/sessions",                       [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("DELETE", "/api/v1/me/sessions",                       [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("DELETE", "/api/v1/me/sessions/{id}",                  [404,  404,  404,  404,  404,  404,  404,  404,  404,  404,  401]),
    ("PUT",    "/api/v1/me/password",                       [204,  204,  204,  204,  204,  204,  204,  204,  204,  204,  401]),
    // Sharing a concern (F4): current members share; the members read the notices of
    // it ({id} = the cell's mentorship); only P's own coordinators read what was shared
    // (an admin who does not coordinate P: 403) and mark it ({id} = a note the cell's
    // mentor shared).
    ("POST",   "/api/v1/mentorships/{id}/concerns",         [403,  403,  404,  201,  201,  403,  201,  201,  404,  404,  401]),
    ("GET",    "/api/v1/mentorships/{id}/concerns",         [403,  403,  404,  200,  200,  200,  200,  200,  404,  404,  401]),
    ("GET",    "/api/v1/programmes/{id}/concerns",          [403,  200,  404,  404,  404,  404,  200,  403,  404,  404,  401]),
    ("PUT",    "/api/v1/concerns/{id}/status",              [403,  200,  404,  404,  404,  404,  200,  403,  404,  404,  401]),
    // The privacy notice: one's own consent records; P's notice for its coordinators,
    // admins and whoever takes or took part in P; publishing as managing P's people
    // (these cells run before all others, so the version accepted below stays current);
    // accepting for whoever takes or took part.
    ("GET",    "/api/v1/me/consents",                       [200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  401]),
    ("GET",    "/api/v1/programmes/{id}/privacy-notice",    [200,  200,  404,  200,  200,  200,  200,  200,  200,  404,  401]),
    ("POST",   "/api/v1/programmes/{id}/privacy-notices",   [201,  201,  404,  404,  404,  404,  201,  201,  404,  404,  401]),
    ("POST",   "/api/v1/programmes/{id}/privacy-notice/accept",
                                                            [404,  404,  404,  204,  204,  204,  204,  204,  204,  404,  401]),
];

/// Seeded into every mentorship's thread subject, first message and agreement content,
/// and into the members' profiles: no response to someone who is not a member may
/// contain it.
const MARKER: &str = "ZQX-private-7f3a9c";

/// An agreement's content with `marker` in every field the members write.
fn contract_with(marker: &str) -> Value {
    json!({
        "ground_rules": format!("rules {marker}"),
        "goals": format!("goals {marker}"),
        "action_plan": format!("plan {marker}"),
        "topics_excluded": format!("left out {marker}"),
        "mentor_time": format!("time {marker}"),
        "ending_early": format!("ending {marker}"),
        // Half a year after the start (the mentorship starts today by the wall clock).
        "end_date": (chrono::Utc::now() + chrono::Duration::days(180)).date_naive().to_string(),
    })
}

/// The standard world plus the people who are members of every cell's mentorship
/// beyond mentor and mentee (a former member, a coordinator of P, an admin) and a
/// member of the world's mentorship M only.
struct Cast {
    w: World,
    former: Person,
    coord_member: Person,
    admin_member: Person,
    neighbour: Person,
    /// An unsubscribe token of the world's mentee for M.
    unsubscribe: String,
}

impl Cast {
    async fn build(app: &TestServer) -> Cast {
        let w = World::build(app).await;
        let former = person(app, "former@example.org", "Former Member", false).await;
        let coord_member = person(app, "coord.member@example.org", "Coord Member", false).await;
        let (s, b) = app
            .post(&format!("/api/v1/programmes/{}/coordinators", w.programme), &w.admin.token, json!({"user_id": coord_member.id}))
            .await;
        assert_eq!(s, 200, "{b}");
        let admin_member = person(app, "admin.member@example.org", "Admin Member", true).await;
        let neighbour = person(app, "neighbour@example.org", "Nika Neighbour", false).await;
        let (s, b) = app
            .post(
                &format!("/api/v1/mentorships/{}/members", w.mentorship),
                &w.coordinator.token,
                json!({"user_id": neighbour.id, "role": "mentee"}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        // The members' profiles hold the marker too (a cell of `PUT /me/profile` may
        // overwrite one later; what a non-member sees must hold it never).
        for p in [&w.mentor, &w.mentee, &former, &coord_member, &admin_member] {
            let (s, b) = app.put("/api/v1/me/profile", &p.token, json!({"background": format!("background {MARKER}")})).await;
            assert_eq!(s, 200, "{b}");
        }
        let unsubscribe = app.state.mailer.tokens.unsubscribe(w.mentee.id, w.mentorship.parse().expect("mentorship id"));
        let token = (unsubscribe.clone(), TokenKind::Unsubscribe, w.mentee.id, None, w.mentorship.parse().ok());
        store::mail::remember_tokens(&app.state.db, vec![token], app.clock.now()).await.expect("remember token");
        Cast { w, former, coord_member, admin_member, neighbour, unsubscribe }
    }

    fn token(&self, role: Role) -> Option<&str> {
        let p = match role {
            Role::Admin => &self.w.admin,
            Role::Coord => &self.w.coordinator,
            Role::OtherCoord => &self.w.other_coordinator,
            Role::Mentor => &self.w.mentor,
            Role::Mentee => &self.w.mentee,
            Role::Former => &self.former,
            Role::CoordMember => &self.coord_member,
            Role::AdminMember => &self.admin_member,
            Role::Neighbour => &self.neighbour,
            Role::Outsider => &self.w.outsider,
            Role::Anon => return None,
        };
        Some(&p.token)
    }
}

/// What one cell acts on; built fresh for every cell of a writing route (and once per
/// GET row) so cells are independent.
#[derive(Default)]
struct Fixture {
    mentorship: String,
    thread: String,
    message: String,
    /// A fresh person of programme P: added as member or coordinator, removed, looked
    /// up, given an address, logged in by refresh token or link.
    target: String,
    target_email: String,
    refresh: String,
    magic: String,
    /// A file attached to the thread's first message.
    attachment: String,
    /// An unused "add this address" link token.
    address_link: String,
    /// A check-in of the cell's mentorship.
    checkin: String,
    /// The mentee's reflection form in the cell's mentorship.
    reflection: String,
    /// A note the cell's mentor shared with the coordinators.
    concern: String,
    /// P's current privacy notice's version.
    notice_version: String,
    /// The link token of a finished export of the mentee's.
    export_token: String,
}

fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@example.org", uuid::Uuid::new_v4().simple())
}

fn members(cast: &Cast, extra: Option<&str>) -> Value {
    let mut list = vec![
        json!({"user_id": cast.w.mentor.id, "role": "mentor"}),
        json!({"user_id": cast.w.mentee.id, "role": "mentee"}),
        json!({"user_id": cast.former.id, "role": "mentee"}),
        json!({"user_id": cast.coord_member.id, "role": "mentor"}),
        json!({"user_id": cast.admin_member.id, "role": "mentor"}),
    ];
    if let Some(id) = extra {
        list.push(json!({"user_id": id, "role": "mentee"}));
    }
    Value::Array(list)
}

impl Fixture {
    /// Builds what the route needs: a target person (store-created, enrolled in P, no
    /// password) when the route names or acts on one, and a fresh mentorship in P with
    /// a thread and a former member when the route reads or changes a mentorship.
    async fn build(app: &TestServer, cast: &Cast, method: &str, path: &str) -> Fixture {
        let w = &cast.w;
        let mut f = Fixture::default();
        let now = app.clock.now();

        let needs_target = path.starts_with("/api/v1/auth/")
            || path.starts_with("/api/v1/users/")
            || path.contains("/coordinators")
            || path.contains("/members")
            || path.starts_with("/api/v1/me/sessions/");
        if needs_target {
            f.target_email = unique_email("target");
            let new = NewUser {
                email: EmailAddress::parse(&f.target_email).expect("email"),
                display_name: DisplayName::parse("Target Person").expect("name"),
                password_hash: None,
                locale: Locale::En,
                timezone: TimeZoneName::default(),
                is_admin: false,
                programme_id: Some(w.programme.parse().expect("programme id")),
            };
            let target = store::users::create(&app.state.db, new, now).await.expect("create target").id;
            f.target = target.to_string();
            if path.ends_with("/refresh") || path.ends_with("/logout") {
                f.refresh = store::sessions::start(&app.state.db, target, now).await.expect("session").refresh_token;
            }
            if path.ends_with("/redeem") {
                let token = mentorpost_auth::opaque::generate_token();
                let mail = "Subject: login\r\n\r\nA link.\r\n".to_owned();
                store::sessions::create_magic_link(&app.state.db, target, &token, "target@example.org".to_owned(), mail, now)
                    .await
                    .expect("magic link");
                f.magic = token;
            }
        }

        if path.starts_with("/mail/add-address/") {
            f.address_link = store::inbound::create_address_confirmation(&app.state.db, w.mentee.id, unique_email("alias"), now)
                .await
                .expect("address link");
        }

        if path.starts_with("/api/v1/exports/") {
            // A finished export, as the background build leaves it: a file and its record.
            let id = uuid::Uuid::now_v7().simple().to_string();
            let dir = app.data_dir().join("exports");
            std::fs::create_dir_all(&dir).expect("exports dir");
            std::fs::write(dir.join(format!("{id}.zip")), b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0").expect("file");
            f.export_token = mentorpost_auth::opaque::generate_token();
            let (hash, user, at) = (mentorpost_auth::opaque::hash_token(&f.export_token), w.mentee.id.to_string(), now.timestamp_millis());
            app.state
                .db
                .write(move |conn| {
                    Box::pin(async move {
                        sqlx::query(
                            "INSERT INTO exports (id, user_id, requested_by, token_hash, size_bytes, created_at, expires_at)
                             VALUES ($1, $2, $2, $3, 22, $4, $5)",
                        )
                        .bind(id)
                        .bind(user)
                        .bind(hash)
                        .bind(at)
                        .bind(at + 7 * 86_400_000)
                        .execute(&mut *conn)
                        .await?;
                        Ok::<_, mentorpost_server::db::StoreError>(())
                    })
                })
                .await
                .expect("export record");
        }

        if method == "DELETE" && path.ends_with("/coordinators/{user_id}") {
            let (s, b) =
                app.post(&format!("/api/v1/programmes/{}/coordinators", w.programme), &w.admin.token, json!({"user_id": f.target})).await;
            assert_eq!(s, 200, "{b}");
        }

        let needs_mentorship = path.starts_with("/api/v1/mentorships/")
            || path.starts_with("/api/v1/threads/")
            || path.starts_with("/api/v1/attachments/")
            || path.starts_with("/api/v1/messages/")
            || path.starts_with("/api/v1/programmes/{id}/health")
            || path.starts_with("/api/v1/check-ins/")
            || path.starts_with("/api/v1/reflections/")
            || path.starts_with("/api/v1/me/")
            || path.starts_with("/api/v1/concerns/")
            || path.contains("/privacy-notice")
            || path == "/api/v1/hints"
            || (method == "GET" && path == "/api/v1/programmes/{id}/mentorships");
        if !needs_mentorship {
            return f;
        }

        // A fresh mentorship in P: mentor, mentee, the former member-to-be and the
        // coordinator-member (plus the target when the cell removes a member).
        let removing_member = method == "DELETE" && path.ends_with("/members/{user_id}");
        let status = if path.ends_with("/activate") { "proposed" } else { "active" };
        let (s, m) = app
            .post(&format!("/api/v1/programmes/{}/mentorships", w.programme), &w.coordinator.token, {
                let mut spec = json!({"members": members(cast, removing_member.then_some(f.target.as_str())), "status": status});
                if path.ends_with("/reviews") {
                    // 300 days ago: the reviews after 4 and 8 months are due.
                    let start = mentorpost_model::Clock::now(app.clock.as_ref()).date_naive() - chrono::Duration::days(300);
                    spec["start_date"] = json!(start.to_string());
                }
                spec
            })
            .await;
        assert_eq!(s, 201, "{m}");
        f.mentorship = m["id"].as_str().expect("mentorship id").to_owned();

        let (s, b) =
            app.put(&format!("/api/v1/mentorships/{}/agreement/content", f.mentorship), &w.mentor.token, contract_with(MARKER)).await;
        assert_eq!(s, 200, "{b}");
        let (s, t) = app
            .post(
                &format!("/api/v1/mentorships/{}/threads", f.mentorship),
                &w.mentor.token,
                json!({"subject": format!("Subject {MARKER}"), "body": format!("Body {MARKER}")}),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        f.thread = t["thread"]["id"].as_str().expect("thread id").to_owned();
        f.message = t["message"]["id"].as_str().expect("message id").to_owned();
        if path.starts_with("/api/v1/check-ins/") {
            let (s, c) =
                app.call(Method::POST, &format!("/api/v1/mentorships/{}/check-ins", f.mentorship), Some(&w.coordinator.token), None).await;
            assert_eq!(s, 201, "{c}");
            f.checkin = c["id"].as_str().expect("check-in id").to_owned();
        }
        if path.starts_with("/api/v1/concerns/") {
            let (s, c) = app
                .post(
                    &format!("/api/v1/mentorships/{}/concerns", f.mentorship),
                    &w.mentor.token,
                    json!({"kind": "note", "note": "A word for the coordinator"}),
                )
                .await;
            assert_eq!(s, 201, "{c}");
            f.concern = c["id"].as_str().expect("concern id").to_owned();
        }
        if path.ends_with("/privacy-notice/accept") {
            let programme = w.programme.parse().expect("programme id");
            f.notice_version = store::notices::current(app.state.db.pool(), programme).await.expect("notice").label();
        }
        if path.contains("/reflections") {
            // The mentee's form, for the mentors; its words carry the marker.
            let (s, r) = app
                .post(
                    &format!("/api/v1/mentorships/{}/reflections", f.mentorship),
                    &w.mentee.token,
                    json!({"answers": {"felt": format!("felt {MARKER}"), "questions": format!("questions {MARKER}")}}),
                )
                .await;
            assert_eq!(s, 201, "{r}");
            f.reflection = r["id"].as_str().expect("reflection id").to_owned();
        }
        if path.contains("/actions") {
            // Action 1 of the mentorship, the mentee's; the session's words carry the marker.
            let (s, b) = app
                .post(
                    &format!("/api/v1/mentorships/{}/meetings", f.mentorship),
                    &w.mentor.token,
                    json!({"date": "2026-01-15", "duration_minutes": 30, "mode": "video", "learning_goal": format!("goal {MARKER}"),
                           "explored": format!("explored {MARKER}"),
                           "actions": [{"text": format!("action {MARKER}"), "owner_id": w.mentee.id, "due_on": "2026-01-22"}]}),
                )
                .await;
            assert_eq!(s, 201, "{b}");
        }
        if path.contains("/health") {
            let (s, b) = app
                .post(
                    &format!("/api/v1/mentorships/{}/meetings", f.mentorship),
                    &w.mentor.token,
                    json!({"date": "2026-01-15", "duration_minutes": 30, "mode": "phone", "note": format!("meeting {MARKER}")}),
                )
                .await;
            assert_eq!(s, 201, "{b}");
        }
        if path.starts_with("/api/v1/attachments/") {
            f.attachment = uuid::Uuid::now_v7().to_string();
            let (id, message, mentorship) = (f.attachment.clone(), f.message.clone(), f.mentorship.clone());
            let at = now.timestamp_millis();
            app.state
                .db
                .write(move |conn| {
                    Box::pin(async move {
                        sqlx::query(
                            "INSERT INTO attachments (id, message_id, mentorship_id, name, content_type, size_bytes, data, created_at)
                             VALUES ($1, $2, $3, $4, 'text/plain', 5, $5, $6)",
                        )
                        .bind(id)
                        .bind(message)
                        .bind(mentorship)
                        .bind(format!("notes {MARKER}.txt"))
                        .bind(b"hello".to_vec())
                        .bind(at)
                        .execute(&mut *conn)
                        .await?;
                        Ok::<_, mentorpost_server::db::StoreError>(())
                    })
                })
                .await
                .expect("attachment");
        }

        let (s, b) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/mentorships/{}/members/{}", f.mentorship, cast.former.id),
                Some(&w.coordinator.token),
                None,
            )
            .await;
        assert_eq!(s, 200, "{b}");
        if path.contains("/closing") || path.ends_with("/follow-up") {
            // The closing step, started by the mentor; the mentee's form carries the marker.
            let base = format!("/api/v1/mentorships/{}", f.mentorship);
            let (s, b) = app.call(Method::POST, &format!("{base}/closing"), Some(&w.mentor.token), None).await;
            assert_eq!(s, 200, "{b}");
            let (s, b) = app
                .put(
                    &format!("{base}/closing/form"),
                    &w.mentee.token,
                    json!({"key_moments": format!("moments {MARKER}"), "thanks": format!("thanks {MARKER}")}),
                )
                .await;
            assert_eq!(s, 200, "{b}");
        }
        if path.ends_with("/follow-up") {
            let (s, b) = app
                .post(&format!("/api/v1/mentorships/{}/close", f.mentorship), &w.coordinator.token, json!({"reason": "completed"}))
                .await;
            assert_eq!(s, 200, "{b}");
        }
        f
    }

    /// The table's path with its parameters filled in for this cell.
    fn path(&self, cast: &Cast, template: &str) -> String {
        let id = if template.starts_with("/api/v1/programmes/") {
            cast.w.programme.as_str()
        } else if template.starts_with("/api/v1/mentorships/") || template.starts_with("/api/v1/me/mail/mentorships/") {
            self.mentorship.as_str()
        } else if template.starts_with("/mail/unsubscribe/") {
            cast.unsubscribe.as_str()
        } else if template.starts_with("/mail/add-address/") {
            self.address_link.as_str()
        } else if template.starts_with("/api/v1/threads/") {
            self.thread.as_str()
        } else if template.starts_with("/api/v1/attachments/") {
            self.attachment.as_str()
        } else if template.starts_with("/api/v1/messages/") {
            self.message.as_str()
        } else if template.starts_with("/api/v1/check-ins/") {
            self.checkin.as_str()
        } else if template.starts_with("/api/v1/reflections/") {
            self.reflection.as_str()
        } else if template.starts_with("/api/v1/concerns/") {
            self.concern.as_str()
        } else if template.starts_with("/api/v1/exports/") {
            self.export_token.as_str()
        } else {
            // "/api/v1/users/{id}" and parameterless paths.
            self.target.as_str()
        };
        template.replace("{id}", id).replace("{user_id}", &self.target).replace("{token}", id).replace("{number}", "1")
    }

    /// A request body that is valid for the route, so only the role can refuse it.
    fn body(&self, cast: &Cast, method: &str, template: &str) -> Option<Value> {
        let w = &cast.w;
        let body = match (method, template) {
            ("POST", "/api/v1/auth/login") => {
                json!({"email": w.outsider.email, "password": PASSWORD})
            }
            ("POST", "/api/v1/auth/refresh" | "/api/v1/auth/logout") => {
                json!({"refresh_token": self.refresh})
            }
            ("POST", "/api/v1/auth/magic-link") => json!({"email": self.target_email}),
            ("POST", "/api/v1/auth/magic-link/redeem") => json!({"token": self.magic}),
            ("POST", "/api/v1/users") => json!({
                "email": unique_email("new"),
                "display_name": "New Person",
                "programme_id": w.programme,
            }),
            ("POST", "/api/v1/users/{id}/emails") => json!({"email": unique_email("extra")}),
            ("POST", "/api/v1/me/erasure") => json!({"password": "not the password of anyone"}),
            ("POST", "/api/v1/users/{id}/erasure") => json!({"reason": "Asked by letter"}),
            ("POST", "/api/v1/programmes") => {
                json!({"name": format!("Programme {}", uuid::Uuid::new_v4().simple())})
            }
            ("POST", "/api/v1/programmes/{id}/coordinators") => json!({"user_id": self.target}),
            ("POST", "/api/v1/programmes/{id}/mentorships" | "/api/v1/mentorships/{id}/repair") => {
                json!({"members": [
                    {"user_id": w.mentor.id, "role": "mentor"},
                    {"user_id": w.mentee.id, "role": "mentee"},
                ]})
            }
            ("PUT", "/api/v1/mentorships/{id}/agreement/rhythm") => json!({
                "contact_every_days": 14,
                "response_within_hours": 72,
                "meeting_rhythm": "fortnightly video call",
            }),
            ("PUT", "/api/v1/mentorships/{id}/agreement/content") => {
                json!({"ground_rules": "We answer within three days.", "goals": "A first draft by June."})
            }
            ("POST", "/api/v1/mentorships/{id}/agreement/confirm") => json!({"accept_charter": true}),
            ("POST", "/api/v1/mentorships/{id}/members") => {
                json!({"user_id": self.target, "role": "mentee"})
            }
            ("POST", "/api/v1/mentorships/{id}/close") => json!({"reason": "completed"}),
            ("POST", "/api/v1/mentorships/{id}/threads") => {
                json!({"subject": "Planning the next meeting", "body": "Would Thursday work?"})
            }
            ("POST", "/api/v1/threads/{id}/messages") => json!({
                "body": "Thursday works for me.",
                "client_msg_id": uuid::Uuid::new_v4().to_string(),
            }),
            ("POST", "/api/v1/threads/{id}/read") => json!({"message_id": self.message}),
            ("PATCH", "/api/v1/messages/{id}") => json!({"body": "Thursday at ten works for me."}),
            ("POST", "/api/v1/hints") => json!({"subject": null, "body": "Thursday works for me.", "thread_id": self.thread}),
            ("POST", "/api/v1/check-ins/{id}/answer") => json!({"status": "need_help"}),
            ("PUT", "/api/v1/me/coordinator-summary") => json!({"weekday": 5, "hour": 9, "send_all_clear": false}),
            ("POST", "/api/v1/mentorships/{id}/meetings") => {
                json!({"date": "2026-01-15", "duration_minutes": 45, "mode": "video", "note": format!("note {MARKER}")})
            }
            ("PATCH", "/api/v1/me") => json!({"timezone": "Europe/Lisbon"}),
            ("POST", "/api/v1/mentorships/{id}/reviews") => {
                json!({"round": 1, "answers": {"growth": format!("growth {MARKER}"), "satisfaction": 4, "continue_choice": "change"}})
            }
            ("POST", "/api/v1/mentorships/{id}/reflections") | ("PUT", "/api/v1/reflections/{id}") => {
                json!({"answers": {"went_well": format!("well {MARKER}")}})
            }
            ("PUT", "/api/v1/mentorships/{id}/closing/form") => json!({"key_moments": "Het eerste gesprek in Łódź"}),
            ("PUT", "/api/v1/mentorships/{id}/follow-up") => {
                json!({"how_it_goes": "Goed, dank je", "needs_now": format!("needs {MARKER}")})
            }
            ("PUT", "/api/v1/me/profile") => json!({"background": "Nurse from Łódź", "hopes": "Better Dutch at work"}),
            ("PUT", "/api/v1/me/mail") => json!({"mode": "daily", "digest_hour": 7, "digest_weekday": 5, "missed_delay_minutes": 30}),
            ("PUT", "/api/v1/me/mail/mentorships/{id}") => json!({"mode": "weekly"}),
            ("PUT", "/api/v1/me/password") => json!({"current_password": PASSWORD, "new_password": PASSWORD}),
            // A note without the marker: the coordinators of P read it in the GET row.
            ("POST", "/api/v1/mentorships/{id}/concerns") => json!({"kind": "note", "note": "Could we talk about the rhythm?"}),
            ("PUT", "/api/v1/concerns/{id}/status") => json!({"status": "acknowledged"}),
            ("POST", "/api/v1/programmes/{id}/privacy-notices") => {
                json!({"text_en": "We keep what you write.", "text_nl": "We bewaren wat je schrijft."})
            }
            ("POST", "/api/v1/programmes/{id}/privacy-notice/accept") => json!({"version": self.notice_version}),
            _ => return None,
        };
        Some(body)
    }
}

/// Asks for a WebSocket upgrade of `/api/v1/ws` (with a ticket from `token`'s login
/// when there is one) and returns the status of the answer; the socket is dropped.
async fn open_socket(app: &TestServer, token: Option<&str>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut path = "/api/v1/ws".to_owned();
    if let Some(token) = token {
        let (s, t) = app.call(Method::POST, "/api/v1/ws/ticket", Some(token), None).await;
        assert_eq!(s, 200, "{t}");
        path = format!("{path}?ticket={}", t["ticket"].as_str().expect("ticket"));
    }
    let host = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut head = Vec::new();
    let mut buf = [0u8; 512];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.expect("read");
        assert!(n > 0, "connection closed before the status line");
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    head.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or_else(|| panic!("no status in {head}"))
}

fn method_of(m: &str) -> Method {
    Method::from_bytes(m.as_bytes()).expect("method")
}

/// Sends one cell's request on `f`; `Err` describes a mismatch.
async fn run_cell(app: &TestServer, cast: &Cast, f: &Fixture, (method, template, role, expected): Cell) -> Result<(), String> {
    let path = f.path(cast, template);
    let body = f.body(cast, method, template);
    let (status, response) = if template == "/api/v1/ws" {
        (open_socket(app, cast.token(role)).await, Value::Null)
    } else if (method, template) == ("POST", "/mail/unsubscribe/{token}") {
        // RFC 8058's one-click body, the only one that unsubscribes.
        let form = b"List-Unsubscribe=One-Click".to_vec();
        let (status, response) = app.raw(method_of(method), &path, cast.token(role), "application/x-www-form-urlencoded", form).await;
        (status.as_u16(), response)
    } else {
        let (status, response) = app.call(method_of(method), &path, cast.token(role), body).await;
        (status.as_u16(), response)
    };
    let mut problems = Vec::new();
    if status != expected {
        problems.push(format!("{method} {template} as {role:?}: expected {expected}, got {status}: {response}"));
    }
    let member = matches!(role, Role::Mentor | Role::Mentee | Role::Former | Role::CoordMember | Role::AdminMember);
    if !member && response.to_string().contains(MARKER) {
        problems.push(format!("{method} {template} as {role:?}: the response shows private content: {response}"));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
}

type Cell = (&'static str, &'static str, Role, u16);

/// Cells that share one fixture: all of a GET row (reads change nothing), or a single
/// cell of a row that writes.
async fn run_unit(app: &TestServer, cast: &Cast, unit: Vec<Cell>) -> Vec<String> {
    let (method, path, _, _) = unit[0];
    let f = Fixture::build(app, cast, method, path).await;
    let mut failures = Vec::new();
    for cell in unit {
        if let Err(e) = run_cell(app, cast, &f, cell).await {
            failures.push(e);
        }
    }
    failures
}

async fn every_route_for_every_role(app: TestServer) {
    let cast = Cast::build(&app).await;
    let mut units: Vec<Vec<Cell>> = Vec::new();
    for (method, path, expected) in TABLE {
        let cells = ROLES.iter().zip(expected).map(|(role, status)| (*method, *path, *role, *status));
        if *method == "GET" {
            units.push(cells.collect());
        } else {
            units.extend(cells.map(|c| vec![c]));
        }
    }
    assert_eq!(units.iter().map(Vec::len).sum::<usize>(), TABLE.len() * ROLES.len());
    // A new version of P's privacy notice first: the cells that accept one then name the
    // version that stays current.
    let (publishing, units): (Vec<_>, Vec<_>) = units.into_iter().partition(|u| u[0].1.ends_with("/privacy-notices"));
    let mut failures = Vec::new();
    for unit in publishing {
        failures.extend(run_unit(&app, &cast, unit).await);
    }
    let rest: Vec<String> = futures_util::stream::iter(units)
        .map(|unit| run_unit(&app, &cast, unit))
        .buffer_unordered(16)
        .flat_map(futures_util::stream::iter)
        .collect()
        .await;
    failures.extend(rest);
    assert!(
        failures.is_empty(),
        "{} of {} cells differ from the permission table:\n{}",
        failures.len(),
        TABLE.len() * ROLES.len(),
        failures.join("\n")
    );
    app.stop().await;
}

/// What a coordinator (and an admin) may see of a mentorship — the mentorship itself,
/// the programme's list, their own thread list — names members and rhythm but never a
/// subject, a body or the agreement's content.
async fn coordinator_meta_views_carry_no_content(app: TestServer) {
    let w = World::build(&app).await;
    let subject = format!("Subject {MARKER}");
    let (s, t) = app
        .post(
            &format!("/api/v1/mentorships/{}/threads", w.mentorship),
            &w.mentee.token,
            json!({"subject": subject, "body": format!("First {MARKER}")}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    w.post_message(&app, &w.mentor, &format!("Reply {MARKER}")).await;
    let (s, b) = app.put(&format!("/api/v1/mentorships/{}/agreement/content", w.mentorship), &w.mentee.token, contract_with(MARKER)).await;
    assert_eq!(s, 200, "{b}");

    // The marker is there for members: the negative checks below are not vacuous.
    let (s, page) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.mentee.token).await;
    assert_eq!(s, 200);
    assert!(page.to_string().contains(MARKER), "{page}");
    let (s, threads) = app.get("/api/v1/me/threads", &w.mentor.token).await;
    assert_eq!(s, 200);
    assert!(threads.to_string().contains(&subject), "{threads}");
    let (s, agreement) = app.get(&format!("/api/v1/mentorships/{}/agreement", w.mentorship), &w.mentor.token).await;
    assert_eq!(s, 200);
    assert!(agreement.to_string().contains(MARKER), "{agreement}");

    for who in [&w.coordinator, &w.admin] {
        let (s, m) = app.get(&format!("/api/v1/mentorships/{}", w.mentorship), &who.token).await;
        assert_eq!(s, 200, "{m}");
        assert_eq!(m["members"].as_array().map(Vec::len), Some(2), "{m}");
        assert!(m["rhythm"].is_object(), "{m}");
        assert!(!m.to_string().contains(MARKER), "{m}");

        let (s, list) = app.get(&format!("/api/v1/programmes/{}/mentorships", w.programme), &who.token).await;
        assert_eq!(s, 200, "{list}");
        assert_eq!(list[0]["id"], w.mentorship.as_str(), "{list}");
        assert!(!list.to_string().contains(MARKER), "{list}");

        let (s, mine) = app.get("/api/v1/me/threads", &who.token).await;
        assert_eq!(s, 200);
        assert_eq!(mine, json!([]));
    }
    app.stop().await;
}

/// A removed member keeps reading what was written up to their leaving, sees nothing
/// newer, and writes nothing — including their read marker.
async fn former_member_reads_history_up_to_leaving(app: TestServer) {
    let w = World::build(&app).await;
    let (s, b) = app
        .call(Method::DELETE, &format!("/api/v1/mentorships/{}/members/{}", w.mentorship, w.mentee.id), Some(&w.coordinator.token), None)
        .await;
    assert_eq!(s, 200, "{b}");
    app.clock.advance(chrono::Duration::seconds(5));
    let later = w.post_message(&app, &w.mentor, "Written after").await;
    let (s, t) = app
        .post(
            &format!("/api/v1/mentorships/{}/threads", w.mentorship),
            &w.mentor.token,
            json!({"subject": "A newer topic", "body": "Also after"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let newer_thread = t["thread"]["id"].as_str().expect("thread id");

    let (s, page) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.mentee.token).await;
    assert_eq!(s, 200, "{page}");
    let ids: Vec<&str> = page["messages"].as_array().expect("messages").iter().filter_map(|m| m["id"].as_str()).collect();
    assert_eq!(ids, [w.first_message.as_str()]);

    let (s, _) = app.get(&format!("/api/v1/threads/{newer_thread}"), &w.mentee.token).await;
    assert_eq!(s, 404, "a thread started after leaving does not exist for them");
    let (s, list) = app.get(&format!("/api/v1/mentorships/{}/threads", w.mentorship), &w.mentee.token).await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let (s, events) = app.get(&format!("/api/v1/mentorships/{}/events", w.mentorship), &w.mentee.token).await;
    assert_eq!(s, 200, "{events}");
    assert!(!events.to_string().contains("Written after"), "{events}");
    assert!(!events.to_string().contains(newer_thread), "{events}");

    let (s, _) = app.post(&format!("/api/v1/threads/{}/read", w.thread), &w.mentee.token, json!({"message_id": w.first_message})).await;
    assert_eq!(s, 403);
    let (s, _) = app.post(&format!("/api/v1/threads/{}/read", w.thread), &w.mentee.token, json!({"message_id": later["id"]})).await;
    assert_eq!(s, 403);
    app.stop().await;
}

/// Every (method, path) of the OpenAPI document has a row, every row is a documented
/// route, no row appears twice, and the public routes are documented without security.
async fn table_covers_the_openapi_document(app: TestServer) {
    let (s, doc) = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(s, 200);
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("path item") {
            if matches!(method.as_str(), "get" | "put" | "post" | "delete" | "patch" | "head" | "options" | "trace") {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let mut table = BTreeSet::new();
    for (method, path, _) in TABLE {
        assert!(table.insert((method.to_string(), path.to_string())), "{method} {path} has two rows");
    }
    let missing: Vec<_> = documented.difference(&table).collect();
    assert!(missing.is_empty(), "routes without a permission row: {missing:?}");
    let extra: Vec<_> = table.difference(&documented).collect();
    assert!(extra.is_empty(), "rows for undocumented routes: {extra:?}");

    // A route whose anonymous column is not 401 must be documented as needing no login
    // (the inbound door's secret is not a login), and the other way round.
    for (method, path, expected) in TABLE {
        let op = &doc["paths"][path][method.to_lowercase()];
        let secured = op["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
        assert_eq!(secured, expected[ROLES.len() - 1] == 401, "{method} {path}: documented security and the anonymous column disagree");
    }
    app.stop().await;
}
