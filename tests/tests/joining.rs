//! Who may join a mentorship, and what a newcomer sees (G12, F4): coordinators never
//! make themselves members nor choose a password for someone they create; a person
//! added to a running mentorship reads only threads started after they joined — on the
//! API, on the socket and by mail — and the other members are told, live and in their
//! next mail. Both backends.

use chrono::Duration as ChronoDuration;
use mentorpost_client::{Api, Live};
use mentorpost_model::ws::ServerFrame;
use mentorpost_tests::world::{PASSWORD, person};
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

both_backends!(
    coordinators_cannot_make_themselves_members,
    coordinators_create_people_without_a_password,
    a_newcomer_reads_only_threads_started_after_joining,
    a_newcomer_is_announced_live_and_in_the_next_mail,
    a_digest_reader_is_told_of_a_newcomer_even_on_a_quiet_day
);

const WAIT: Duration = Duration::from_secs(20);

fn member(id: impl ToString, role: &str) -> Value {
    json!({"user_id": id.to_string(), "role": role})
}

async fn coordinators_cannot_make_themselves_members(app: TestServer) {
    let w = World::build(&app).await;
    let before = app.row_counts().await;
    let (s, b) =
        app.post(&format!("/api/v1/mentorships/{}/members", w.mentorship), &w.coordinator.token, member(w.coordinator.id, "mentor")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert!(b["error"]["message"].as_str().is_some_and(|m| m.contains("coordinators cannot make themselves members")), "{b}");
    let (s, b) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [member(w.coordinator.id, "mentor"), member(w.outsider.id, "mentee")]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{}/repair", w.mentorship),
            &w.coordinator.token,
            json!({"members": [member(w.coordinator.id, "mentor"), member(w.mentee.id, "mentee")]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert_eq!(app.row_counts().await, before, "a refused join writes nothing");
    // Still no content for the coordinator.
    let (s, _) = app.get(&format!("/api/v1/mentorships/{}/threads", w.mentorship), &w.coordinator.token).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/mentorships/{}/members/{}", w.mentorship, w.coordinator.id),
            Some(&w.coordinator.token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "never a member, so no former member either");
    let (s, _) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.coordinator.token).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Coordinators add other people; an admin may add themselves, visibly.
    let (s, b) =
        app.post(&format!("/api/v1/mentorships/{}/members", w.mentorship), &w.coordinator.token, member(w.outsider.id, "mentee")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app.post(&format!("/api/v1/mentorships/{}/members", w.mentorship), &w.admin.token, member(w.admin.id, "mentor")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b["members"].as_array().expect("members").iter().any(|m| m["user_id"] == w.admin.id.to_string()), "{b}");
    // Joined after the first thread started: the admin does not read it.
    let (s, _) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.admin.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn coordinators_create_people_without_a_password(app: TestServer) {
    let w = World::build(&app).await;
    let (s, b) = app
        .post(
            "/api/v1/users",
            &w.coordinator.token,
            json!({"email": "kees@example.org", "display_name": "Kees Bakker", "password": "a password the coordinator knows",
                   "programme_id": w.programme}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert!(b["error"]["message"].as_str().is_some_and(|m| m.contains("link sent to their own address")), "{b}");
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "kees@example.org", "password": "a password the coordinator knows"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "no account was made");
    let (s, b) = app
        .post(
            "/api/v1/users",
            &w.coordinator.token,
            json!({"email": "kees@example.org", "display_name": "Kees Bakker", "programme_id": w.programme}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // Admins still set passwords.
    let (s, b) = app
        .post(
            "/api/v1/users",
            &w.admin.token,
            json!({"email": "lotte@example.org", "display_name": "Lotte", "password": "a long enough password"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.stop().await;
}

/// Adds `who` as a mentee of the world's mentorship (by the coordinator).
async fn add(app: &TestServer, w: &World, who: &mentorpost_tests::world::Person) {
    let (s, b) = app.post(&format!("/api/v1/mentorships/{}/members", w.mentorship), &w.coordinator.token, member(who.id, "mentee")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

async fn new_thread(app: &TestServer, w: &World, subject: &str, body: &str) -> String {
    let (s, t) = app
        .post(&format!("/api/v1/mentorships/{}/threads", w.mentorship), &w.mentor.token, json!({"subject": subject, "body": body}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    t["thread"]["id"].as_str().expect("thread id").to_owned()
}

async fn a_newcomer_reads_only_threads_started_after_joining(app: TestServer) {
    let w = World::build(&app).await;
    let newcomer = person(&app, "zofia@example.org", "Zofia Wójcik", false).await;
    let mentorship_id: mentorpost_model::MentorshipId = w.mentorship.parse().expect("id");
    app.clock.advance(ChronoDuration::seconds(5));
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{}/agreement/content", w.mentorship),
            &w.mentor.token,
            json!({"ground_rules": "Alleen voor ons tweeën", "goals": "Geheime doelen"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.clock.advance(ChronoDuration::seconds(5));
    add(&app, &w, &newcomer).await;
    let (s, agreement) = app.get(&format!("/api/v1/mentorships/{}/agreement", w.mentorship), &newcomer.token).await;
    assert_eq!(s, StatusCode::OK, "{agreement}");
    assert_eq!(agreement["content_hidden"], true, "{agreement}");
    assert!(!agreement.to_string().contains("Geheime doelen"), "{agreement}");
    app.clock.advance(ChronoDuration::seconds(5));
    w.post_message(&app, &w.mentor, "Old topic, continued after she joined").await;
    let fresh = new_thread(&app, &w, "Nieuw: planning voor het voorjaar", "Welkom Zofia, dit is voor ons drieën").await;

    // The API: only the new thread exists for her.
    let (s, list) = app.get(&format!("/api/v1/mentorships/{}/threads", w.mentorship), &newcomer.token).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let ids: Vec<&str> = list.as_array().expect("threads").iter().filter_map(|t| t["thread"]["id"].as_str().or(t["id"].as_str())).collect();
    assert_eq!(ids, [fresh.as_str()], "{list}");
    let (s, mine) = app.get("/api/v1/me/threads", &newcomer.token).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!mine.to_string().contains(&w.thread) && mine.to_string().contains(&fresh), "{mine}");
    for path in [format!("/api/v1/threads/{}", w.thread), format!("/api/v1/threads/{}/messages", w.thread)] {
        let (s, b) = app.get(&path, &newcomer.token).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {b}");
    }
    let (s, _) = app
        .post(
            &format!("/api/v1/threads/{}/messages", w.thread),
            &newcomer.token,
            json!({"body": "Mag ik meelezen?", "client_msg_id": "zofia-1"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no writing into a thread she cannot see");
    let (s, _) = app.post(&format!("/api/v1/threads/{}/read", w.thread), &newcomer.token, json!({"message_id": w.first_message})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, events) = app.get(&format!("/api/v1/mentorships/{}/events", w.mentorship), &newcomer.token).await;
    assert_eq!(s, StatusCode::OK, "{events}");
    let text = events.to_string();
    assert!(!text.contains("Dag João") && !text.contains("Old topic") && !text.contains(&w.thread), "{text}");
    assert!(text.contains("Welkom Zofia"), "{text}");
    // The agreement's ground rules and goals were written before she came: hidden until
    // a member saves them again.
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{}/agreement/content", w.mentorship),
            &w.mentor.token,
            json!({"ground_rules": "Wat hier staat, blijft hier", "goals": "Stage vinden"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, agreement) = app.get(&format!("/api/v1/mentorships/{}/agreement", w.mentorship), &newcomer.token).await;
    assert_eq!(s, StatusCode::OK, "{agreement}");
    assert_eq!(agreement["content_hidden"], false, "saved after she joined: {agreement}");
    assert_eq!(agreement["content"]["goals"], "Stage vinden");
    // The members still read everything.
    let (s, page) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.to_string().contains("Old topic"));

    // The socket: a replay from the very start holds none of the old thread.
    let api = Api::login(&app.base, &newcomer.email, PASSWORD).await.expect("login");
    let mut live = Live::resume(&api, BTreeMap::from([(mentorship_id, 0)])).await.expect("socket");
    let mut replayed = Vec::new();
    tokio::time::timeout(WAIT, async {
        loop {
            match live.next_frame().await.expect("frame") {
                Some(ServerFrame::Event { event }) => replayed.push(event),
                Some(ServerFrame::Live { cursors }) => {
                    assert_eq!(cursors.get(&mentorship_id), Some(&live.cursors[&mentorship_id]));
                    break;
                }
                Some(_) => {}
                None => panic!("socket closed"),
            }
        }
    })
    .await
    .expect("replay then live");
    let all = serde_json::to_string(&replayed).expect("json");
    assert!(!all.contains("Dag João") && !all.contains("Old topic") && !all.contains(&w.thread), "{all}");
    assert!(all.contains("Welkom Zofia"), "{all}");
    // Live: a message in the old thread passes her by; the next one in the new thread arrives.
    w.post_message(&app, &w.mentee, "Nog iets over het oude onderwerp").await;
    let (s, b) = app
        .post(&format!("/api/v1/threads/{fresh}/messages"), &w.mentee.token, json!({"body": "Hoi Zofia!", "client_msg_id": "joao-fresh"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let next = tokio::time::timeout(WAIT, live.next_event()).await.expect("an event in time").expect("ok").expect("open");
    assert_eq!(next.data["message"]["body"], "Hoi Zofia!", "{next:?}");
    live.close().await;

    // Leaving and coming back starts a new membership: a thread started while she was
    // away stays hidden from her.
    let (s, _) = app
        .call(Method::DELETE, &format!("/api/v1/mentorships/{}/members/{}", w.mentorship, newcomer.id), Some(&w.coordinator.token), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    app.clock.advance(ChronoDuration::seconds(5));
    let while_away = new_thread(&app, &w, "Terwijl Zofia weg was", "Alleen voor ons tweeën").await;
    app.clock.advance(ChronoDuration::seconds(5));
    add(&app, &w, &newcomer).await;
    let (s, _) = app.get(&format!("/api/v1/threads/{while_away}"), &newcomer.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "what was written while she was away is not hers");
    app.stop().await;
}

/// Waits until the mail files hold one that `pred` accepts.
async fn wait_for_mail(app: &TestServer, pred: impl Fn(&str) -> bool) -> String {
    let mut progress = app.state.mailer.progress.subscribe();
    tokio::time::timeout(WAIT, async {
        loop {
            if let Some(found) = app.mail_files().into_iter().find(|m| pred(m)) {
                return found;
            }
            progress.changed().await.expect("mailer alive");
        }
    })
    .await
    .expect("the expected mail in time")
}

fn text_of(raw: &str) -> String {
    let msg = mail_parser::MessageParser::default().parse(raw.as_bytes()).expect("parsable mail");
    msg.body_text(0).expect("text part").replace("\r\n", "\n")
}

async fn set_mode(app: &TestServer, token: &str, mode: &str, hour: u32) {
    let (s, b) = app
        .put("/api/v1/me/mail", token, json!({"mode": mode, "digest_hour": hour, "digest_weekday": 1, "missed_delay_minutes": 10}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

async fn a_newcomer_is_announced_live_and_in_the_next_mail(app: TestServer) {
    let w = World::build(&app).await;
    set_mode(&app, &w.mentee.token, "each", 8).await;
    let newcomer = person(&app, "zofia@example.org", "Zofia Wójcik", false).await;
    set_mode(&app, &newcomer.token, "each", 8).await;
    let mentor = Api::login(&app.base, &w.mentor.email, PASSWORD).await.expect("login");
    let mut live = Live::connect(&mentor).await.expect("socket");
    live.hello().await.expect("hello");
    app.clock.advance(ChronoDuration::seconds(5));
    add(&app, &w, &newcomer).await;
    let added = tokio::time::timeout(WAIT, async {
        loop {
            let event = live.next_event().await.expect("ok").expect("open");
            if event.kind.as_str() == "member.added" {
                return event;
            }
        }
    })
    .await
    .expect("member.added on the members' socket");
    assert_eq!(added.data["display_name"], "Zofia Wójcik");
    assert_eq!(added.data["role"], "mentee");
    live.close().await;

    app.clock.advance(ChronoDuration::seconds(5));
    let old = w.post_message(&app, &w.mentor, "Verder over de doelen").await;
    let old_id = old["id"].as_str().expect("id").to_owned();
    let mail = wait_for_mail(&app, |m| m.contains(&format!("{old_id}.{}@", w.mentee.id))).await;
    let text = text_of(&mail);
    assert!(
        text.contains("Zofia Wójcik joined this mentorship as a mentee on") && text.contains("reads new threads from then on"),
        "{text}"
    );
    // The line appears once: the mail after it does not repeat it.
    let again = w.post_message(&app, &w.mentor, "En nog één ding").await;
    let again_id = again["id"].as_str().expect("id").to_owned();
    let mail = wait_for_mail(&app, |m| m.contains(&format!("{again_id}.{}@", w.mentee.id))).await;
    assert!(!text_of(&mail).contains("Zofia"), "told once");
    // The newcomer gets no mail about the old thread.
    let queued = sqlx::query("SELECT COUNT(*) FROM outbox WHERE user_id = $1")
        .bind(newcomer.id.to_string())
        .fetch_one(app.state.db.pool())
        .await
        .expect("count");
    assert_eq!(sqlx::Row::try_get::<i64, _>(&queued, 0).expect("count"), 0, "no mail about a thread she cannot see");
    app.stop().await;
}

async fn a_digest_reader_is_told_of_a_newcomer_even_on_a_quiet_day(app: TestServer) {
    use chrono::Timelike;
    let w = World::build(&app).await;
    let tz: chrono_tz::Tz = "Europe/Amsterdam".parse().expect("tz");
    let local = mentorpost_model::Clock::now(app.clock.as_ref()).with_timezone(&tz);
    set_mode(&app, &w.mentee.token, "daily", (local.hour() + 1) % 24).await;
    // Everything so far is read: only the newcomer is news.
    let (s, b) = app.post(&format!("/api/v1/threads/{}/read", w.thread), &w.mentee.token, json!({"message_id": w.first_message})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let newcomer = person(&app, "tomasz@example.org", "Tomasz Kowalczyk", false).await;
    app.clock.advance(ChronoDuration::seconds(5));
    let (s, b) =
        app.post(&format!("/api/v1/mentorships/{}/members", w.mentorship), &w.coordinator.token, member(newcomer.id, "mentor")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.clock.advance(ChronoDuration::minutes(61 - i64::from(local.minute())));
    mentorpost_server::mail::digest::schedule_due(&app.state).await.expect("digest round");
    let mail = wait_for_mail(&app, |m| m.contains("digest.")).await;
    let msg = mail_parser::MessageParser::default().parse(mail.as_bytes()).expect("mail");
    assert_eq!(msg.subject(), Some("Your daily mentorpost digest: who is in your mentorships changed"));
    assert!(text_of(&mail).contains("Tomasz Kowalczyk joined this mentorship as a mentor on"), "{}", text_of(&mail));
    app.stop().await;
}
