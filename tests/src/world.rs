//! A standard cast for scenario tests: an admin; programme P with coordinator C, a
//! mentorship M (mentor + mentee, active) and a first thread; programme Q with its own
//! coordinator; a person outside everything.

use crate::TestServer;
use mentorpost_model::UserId;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// Every table, for "nothing was written" checks.
pub const TABLES: &[&str] = &[
    "settings",
    "users",
    "user_emails",
    "programmes",
    "programme_coordinators",
    "programme_people",
    "invitations",
    "consents",
    "mentorships",
    "mentorship_members",
    "threads",
    "messages",
    "read_markers",
    "events",
    "sessions",
    "refresh_tokens",
    "magic_links",
    "login_failures",
    "ws_tickets",
    "mail_settings",
    "mail_mentorship_settings",
    "outbox",
    "digest_runs",
    "mail_tokens",
    "web_sessions",
    "profiles",
    "agreement_versions",
    "agreement_confirmations",
    "agreement_tokens",
    "privacy_notices",
    "concerns",
];

pub const PASSWORD: &str = "correct horse battery";

fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| mentorpost_auth::password::hash_password(PASSWORD).expect("hash")).clone()
}

#[derive(Clone, Debug)]
pub struct Person {
    pub id: UserId,
    pub email: String,
    pub token: String,
    pub refresh: String,
}

pub struct World {
    pub admin: Person,
    pub coordinator: Person,
    pub other_coordinator: Person,
    pub mentor: Person,
    pub mentee: Person,
    pub outsider: Person,
    pub programme: String,
    pub other_programme: String,
    pub mentorship: String,
    pub thread: String,
    pub first_message: String,
}

impl World {
    pub async fn build(app: &TestServer) -> World {
        let admin = person(app, "admin@example.org", "Admin", true).await;
        let coordinator = person(app, "coordinator@example.org", "Anneke de Vries", false).await;
        let other_coordinator = person(app, "other.coordinator@example.org", "Piotr Nowak", false).await;
        let mentor = person(app, "mentor@example.org", "Çağrı Yılmaz", false).await;
        let mentee = person(app, "mentee@example.org", "João Pereira", false).await;
        let outsider = person(app, "outsider@example.org", "Zuzana Horváthová", false).await;

        let (s, p) = app.post("/api/v1/programmes", &admin.token, json!({"name": "Programme P", "timezone": "Europe/Amsterdam"})).await;
        assert_eq!(s, 201, "{p}");
        let programme = p["id"].as_str().expect("programme id").to_owned();
        let (s, q) = app.post("/api/v1/programmes", &admin.token, json!({"name": "Programme Q"})).await;
        assert_eq!(s, 201, "{q}");
        let other_programme = q["id"].as_str().expect("programme id").to_owned();
        let (s, b) =
            app.post(&format!("/api/v1/programmes/{programme}/coordinators"), &admin.token, json!({"user_id": coordinator.id})).await;
        assert_eq!(s, 200, "{b}");
        let (s, b) = app
            .post(&format!("/api/v1/programmes/{other_programme}/coordinators"), &admin.token, json!({"user_id": other_coordinator.id}))
            .await;
        assert_eq!(s, 200, "{b}");

        let (s, m) = app
            .post(
                &format!("/api/v1/programmes/{programme}/mentorships"),
                &coordinator.token,
                json!({"members": [{"user_id": mentor.id, "role": "mentor"}, {"user_id": mentee.id, "role": "mentee"}], "status": "active", "start_date": "2026-09-01"}),
            )
            .await;
        assert_eq!(s, 201, "{m}");
        let mentorship = m["id"].as_str().expect("mentorship id").to_owned();
        let (s, t) = app
            .post(
                &format!("/api/v1/mentorships/{mentorship}/threads"),
                &mentor.token,
                json!({"subject": "Kennismaking: doelen voor het eerste kwartaal", "body": "Dag João, welkom!"}),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        let thread = t["thread"]["id"].as_str().expect("thread id").to_owned();
        let first_message = t["message"]["id"].as_str().expect("message id").to_owned();
        World {
            admin,
            coordinator,
            other_coordinator,
            mentor,
            mentee,
            outsider,
            programme,
            other_programme,
            mentorship,
            thread,
            first_message,
        }
    }

    /// Posts a message as `who` and returns the response body.
    pub async fn post_message(&self, app: &TestServer, who: &Person, body: &str) -> Value {
        let (s, m) = app
            .post(
                &format!("/api/v1/threads/{}/messages", self.thread),
                &who.token,
                json!({"body": body, "client_msg_id": uuid::Uuid::new_v4().to_string()}),
            )
            .await;
        assert_eq!(s, 201, "{m}");
        m
    }
}

/// Creates a person with the shared test password and logs them in.
pub async fn person(app: &TestServer, email: &str, name: &str, admin: bool) -> Person {
    let new = mentorpost_server::store::users::NewUser {
        email: mentorpost_model::EmailAddress::parse(email).expect("email"),
        display_name: mentorpost_model::DisplayName::parse(name).expect("name"),
        password_hash: Some(password_hash()),
        locale: mentorpost_model::Locale::En,
        timezone: mentorpost_model::TimeZoneName::default(),
        is_admin: admin,
        programme_id: None,
    };
    let id = mentorpost_server::store::users::create(&app.state.db, new, chrono::Utc::now()).await.expect("create user").id;
    let (token, refresh) = app.login(email, PASSWORD).await;
    Person { id, email: email.to_owned(), token, refresh }
}
