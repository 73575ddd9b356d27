//! Closure (F10) on both backends: the closing step is started by a member or a
//! coordinator (once: starting again changes nothing); each member's closing form is
//! read as the guidance says (key moments by the members, a mentee's thanks by the
//! mentor, the evaluation by nobody else); when every member has filled it in the
//! mentorship closes and its record stays readable; the follow-up is given once; a
//! coordinator sees the figures and none of the texts; bad forms are refused with the
//! field named; the pages show all of it.

use chrono::Duration;
use mentorpost_server::store;
use mentorpost_tests::web::{csrf_of, get, post_form, sign_in};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(
    members_and_coordinators_start_it_once,
    who_reads_which_answer_and_the_last_form_closes,
    a_member_closes_now_and_the_follow_up_comes_once,
    coordinators_see_figures_only,
    bad_forms_are_refused,
    the_pages_close_and_follow_up
);

const MOMENTS: &str = "De eerste presentatie in Łódź, en het gesprek daarna";
const THANKS: &str = "Obrigado, Çağrı — je geduld en je vragen hielpen mij";
const ACHIEVED: &str = "Ik presenteer nu zonder spiekbriefje";
const NOT_ACHIEVED: &str = "Netwerken: te weinig tijd door mijn nieuwe rooster";
const MENTOR_EVALUATION: &str = "Zij groeide snel; ik had vaker moeten doorvragen";
const FOLLOW_UP: &str = "Het gaat goed: sinds maart teamleider in Poznań";

fn closing(w: &World) -> String {
    format!("/api/v1/mentorships/{}/closing", w.mentorship)
}

async fn state(app: &TestServer, w: &World, token: &str) -> Value {
    let (s, b) = app.get(&closing(w), token).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

async fn status_of(app: &TestServer, w: &World, token: &str) -> Value {
    let (s, m) = app.get(&format!("/api/v1/mentorships/{}", w.mentorship), token).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    m["status"].clone()
}

async fn members_and_coordinators_start_it_once(app: TestServer) {
    let w = World::build(&app).await;
    let before = state(&app, &w, &w.mentee.token).await;
    assert_eq!(before["figures"]["started_at"], Value::Null, "{before}");
    assert_eq!(before["figures"]["members"], 2);

    // A member starts it.
    let (s, b) = app.call(Method::POST, &closing(&w), Some(&w.mentee.token), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let started = b["figures"]["started_at"].clone();
    assert!(started.is_string(), "{b}");
    assert_eq!(b["figures"]["started_by"], w.mentee.id.to_string());
    // Again, by the coordinator: nothing changes.
    app.clock.advance(Duration::minutes(5));
    let (s, b) = app.call(Method::POST, &closing(&w), Some(&w.coordinator.token), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["figures"]["started_at"], started);
    assert_eq!(b["figures"]["started_by"], w.mentee.id.to_string());
    assert_eq!(status_of(&app, &w, &w.mentor.token).await, "active", "starting it closes nothing");
    // The members hear of it.
    let (s, events) = app.get(&format!("/api/v1/mentorships/{}/events", w.mentorship), &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK, "{events}");
    let kinds = events.to_string();
    assert_eq!(kinds.matches("closing.updated").count(), 1, "{events}");
    // Outsiders do not learn it exists.
    let (s, _) = app.call(Method::POST, &closing(&w), Some(&w.outsider.token), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The scheduler's start (the end date came near) on a fresh mentorship.
    let (s, m) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": w.mentee.id, "role": "mentee"}], "status": "active"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let other: mentorpost_model::MentorshipId = m["id"].as_str().and_then(|i| i.parse().ok()).expect("mentorship id");
    let now = mentorpost_model::Clock::now(app.clock.as_ref());
    assert!(store::closings::start(&app.state.db, other, None, now).await.expect("start"));
    assert!(!store::closings::start(&app.state.db, other, None, now).await.expect("again"));
    let (s, b) = app.get(&format!("/api/v1/mentorships/{other}/closing"), &w.coordinator.token).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b["figures"]["started_at"].is_string() && b["figures"]["started_by"].is_null(), "{b}");

    // A closed mentorship has no closing step to start.
    let (s, b) = app.post(&format!("/api/v1/mentorships/{other}/close"), &w.coordinator.token, json!({"reason": "no_match"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app.call(Method::POST, &format!("/api/v1/mentorships/{other}/closing"), Some(&w.coordinator.token), None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    app.stop().await;
}

async fn who_reads_which_answer_and_the_last_form_closes(app: TestServer) {
    let w = World::build(&app).await;
    let form = format!("{}/form", closing(&w));
    // The mentee fills it in without anyone starting the step: it starts with it.
    let (s, b) = app
        .put(&form, &w.mentee.token, json!({"key_moments": MOMENTS, "thanks": THANKS, "achieved": ACHIEVED, "not_achieved": NOT_ACHIEVED}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["mine"]["thanks"], THANKS);
    assert_eq!(b["figures"]["forms_in"], 1);
    assert!(b["figures"]["started_at"].is_string(), "{b}");
    assert_eq!(status_of(&app, &w, &w.mentee.token).await, "active");

    // The mentor reads the key moments and keeps the thanks; never the evaluation.
    let seen = state(&app, &w, &w.mentor.token).await;
    assert_eq!(seen["mine"], Value::Null);
    assert_eq!(seen["shared"].as_array().map(Vec::len), Some(1), "{seen}");
    assert_eq!(seen["shared"][0]["key_moments"], MOMENTS);
    assert_eq!(seen["shared"][0]["thanks"], THANKS);
    assert_eq!(seen["shared"][0]["author_name"], "João Pereira");
    for private in [ACHIEVED, NOT_ACHIEVED] {
        assert!(!seen.to_string().contains(private), "{private} reached the mentor");
    }
    // A mentor is not asked to thank.
    let (s, b) = app.put(&form, &w.mentor.token, json!({"key_moments": "x", "thanks": "x"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "not_asked", "{b}");

    // The mentee may change theirs; still one form.
    let (s, b) = app.put(&form, &w.mentee.token, json!({"key_moments": MOMENTS, "thanks": THANKS, "achieved": ACHIEVED})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["figures"]["forms_in"], 1);
    assert_eq!(b["mine"]["not_achieved"], "", "a change replaces the answers");

    // The mentor's form is the last: the mentorship closes with it.
    let (s, b) = app.put(&form, &w.mentor.token, json!({"key_moments": "Haar eerste presentatie", "achieved": MENTOR_EVALUATION})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["figures"]["forms_in"], 2);
    assert!(b["figures"]["closed_at"].is_string(), "{b}");
    assert!(b["follow_up_due_on"].is_string(), "{b}");
    let (_, m) = app.get(&format!("/api/v1/mentorships/{}", w.mentorship), &w.mentor.token).await;
    assert_eq!(m["status"], "closed");
    assert_eq!(m["end_reason"], "completed");

    // The mentee reads the mentor's key moments, not the mentor's evaluation.
    let seen = state(&app, &w, &w.mentee.token).await;
    assert_eq!(seen["shared"][0]["key_moments"], "Haar eerste presentatie");
    assert_eq!(seen["shared"][0]["thanks"], "");
    assert!(!seen.to_string().contains(MENTOR_EVALUATION));
    assert_eq!(seen["mine"]["achieved"], ACHIEVED, "one's own evaluation stays one's own to read");

    // The record stays readable to its members; nothing new is written.
    let (s, b) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app.get(&format!("/api/v1/mentorships/{}/agreement", w.mentorship), &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app.get(&format!("/api/v1/mentorships/{}/meetings", w.mentorship), &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app
        .post(
            &format!("/api/v1/threads/{}/messages", w.thread),
            &w.mentee.token,
            json!({"body": "Nog één ding", "client_msg_id": uuid::Uuid::new_v4().to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = app.put(&form, &w.mentee.token, json!({"key_moments": "later"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    app.stop().await;
}

async fn a_member_closes_now_and_the_follow_up_comes_once(app: TestServer) {
    let w = World::build(&app).await;
    let close_now = format!("{}/close", closing(&w));
    let follow_up = format!("/api/v1/mentorships/{}/follow-up", w.mentorship);
    // Not before the step started.
    let (s, b) = app.call(Method::POST, &close_now, Some(&w.mentee.token), None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["error"]["code"], "closing_not_started");
    // No follow-up before it closed.
    let (s, b) = app.put(&follow_up, &w.mentee.token, json!({"how_it_goes": FOLLOW_UP})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");

    // The coordinator sets the follow-up to three months (1 to 24) on the settings page.
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    let settings = format!("/coordinate/programmes/{}/settings/defaults", w.programme);
    for (months, expected) in [("25", StatusCode::UNPROCESSABLE_ENTITY), ("3", StatusCode::SEE_OTHER)] {
        let (s, page, _) = post_form(
            &app,
            &cookie,
            &settings,
            &[
                ("csrf", &csrf),
                ("timezone", "Europe/Amsterdam"),
                ("contact_every_days", "14"),
                ("response_within_hours", "72"),
                ("not_started_days", "14"),
                ("follow_up_months", months),
            ],
        )
        .await;
        assert_eq!(s, expected, "{page}");
        if s == StatusCode::UNPROCESSABLE_ENTITY {
            assert!(page.contains("href=\"#follow_up_months\"") && page.contains("from 1 to 24"), "{page}");
        }
    }

    let (s, b) = app.call(Method::POST, &closing(&w), Some(&w.mentor.token), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let pool = app.state.db.pool();
    let id: mentorpost_model::MentorshipId = w.mentorship.parse().expect("mentorship id");
    assert_eq!(store::closings::members_without_form(pool, id).await.expect("members").len(), 2, "whom to invite");
    let (s, b) = app.call(Method::POST, &close_now, Some(&w.coordinator.token), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "coordinators close through /close: {b}");
    let (s, b) = app.call(Method::POST, &close_now, Some(&w.mentee.token), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b["figures"]["closed_at"].is_string(), "{b}");
    assert_eq!(b["figures"]["forms_in"], 0);
    assert_eq!(status_of(&app, &w, &w.mentee.token).await, "closed");
    // Three months later, as the programme set it.
    let closed_at = mentorpost_model::Clock::now(app.clock.as_ref());
    let closed_on = closed_at.with_timezone(&chrono_tz::Europe::Amsterdam).date_naive();
    let due = mentorpost_model::closure::follow_up_due_on(closed_on, 3).to_string();
    assert_eq!(b["follow_up_due_on"], due.as_str());
    let awaiting = store::closings::awaiting_follow_up(pool).await.expect("awaiting");
    assert_eq!(awaiting.len(), 2, "{awaiting:?}");
    assert!(awaiting.iter().all(|a| a.mentorship == id && a.months == 3 && a.timezone == "Europe/Amsterdam"), "{awaiting:?}");

    app.clock.advance(Duration::days(93));
    let (mentee, _) = app.login(&w.mentee.email, PASSWORD).await;
    let (mentor, _) = app.login(&w.mentor.email, PASSWORD).await;
    let (coordinator, _) = app.login(&w.coordinator.email, PASSWORD).await;
    let (s, b) = app.put(&follow_up, &mentee, json!({"how_it_goes": FOLLOW_UP, "still_helps": "Vragen stellen"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["follow_up"]["how_it_goes"], FOLLOW_UP);
    let awaiting = store::closings::awaiting_follow_up(pool).await.expect("awaiting");
    assert_eq!(awaiting.iter().map(|a| a.user.to_string()).collect::<Vec<_>>(), [w.mentor.id.to_string()], "the mentor's is still to come");
    // Once.
    let (s, b) = app.put(&follow_up, &mentee, json!({"how_it_goes": "nog eens"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["error"]["code"], "follow_up_given");
    // Private to its author.
    let seen = state(&app, &w, &mentor).await;
    assert!(!seen.to_string().contains(FOLLOW_UP), "{seen}");
    assert_eq!(seen["follow_up"], Value::Null);
    let (s, b) = app.put(&follow_up, &coordinator, json!({"how_it_goes": "x"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = app.put(&follow_up, &mentor, json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "empty_form");
    app.stop().await;
}

async fn coordinators_see_figures_only(app: TestServer) {
    let w = World::build(&app).await;
    let form = format!("{}/form", closing(&w));
    let (s, b) = app.put(&form, &w.mentee.token, json!({"key_moments": MOMENTS, "thanks": THANKS, "achieved": ACHIEVED})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    for who in [&w.coordinator, &w.admin] {
        let seen = state(&app, &w, &who.token).await;
        assert!(seen["figures"]["started_at"].is_string(), "{seen}");
        assert_eq!(seen["figures"]["forms_in"], 1);
        assert_eq!(seen["figures"]["members"], 2);
        assert_eq!(seen["mine"], Value::Null);
        assert_eq!(seen["shared"], json!([]));
        for secret in [MOMENTS, THANKS, ACHIEVED] {
            assert!(!seen.to_string().contains(secret), "{secret} reached a coordinator");
        }
        let (s, b) = app.put(&form, &who.token, json!({"key_moments": "x"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    }
    let (s, _) = app.get(&closing(&w), &w.outsider.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get(&closing(&w), &w.other_coordinator.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The coordinator's pages: the figures, no text.
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    let (s, page, _) = get(&app, &cookie, &format!("/coordinate/mentorships/{}", w.mentorship)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Closing step") && page.contains("1 of 2"), "{page}");
    let (s, dashboard, _) = get(&app, &cookie, &format!("/coordinate/programmes/{}", w.programme)).await;
    assert_eq!(s, StatusCode::OK, "{dashboard}");
    assert!(dashboard.contains("Closing: 1 of 2"), "{dashboard}");
    for text in [&page, &dashboard] {
        for secret in [MOMENTS, THANKS, ACHIEVED] {
            assert!(!text.contains(secret), "{secret} reached the coordinator");
        }
    }
    app.stop().await;
}

async fn bad_forms_are_refused(app: TestServer) {
    let w = World::build(&app).await;
    let form = format!("{}/form", closing(&w));
    for (body, code) in [
        (json!({}), "empty_form"),
        (json!({"key_moments": "  \n"}), "empty_form"),
        (json!({"future_needs": "ą".repeat(2001)}), "too_long"),
        (json!({"thanks": "dank\u{1b}je"}), "control_characters"),
    ] {
        let (s, b) = app.put(&form, &w.mentee.token, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["error"]["code"], code, "{b}");
    }
    let (s, b) = app.put(&form, &w.mentee.token, json!({"mood": "goed"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown field: {b}");
    let seen = state(&app, &w, &w.mentee.token).await;
    assert_eq!(seen["mine"], Value::Null, "nothing written");
    assert_eq!(seen["figures"]["started_at"], Value::Null, "a refused form starts nothing");
    app.stop().await;
}

async fn the_pages_close_and_follow_up(app: TestServer) {
    let w = World::build(&app).await;
    let page = format!("/mentorships/{}", w.mentorship);
    let (mentee, csrf) = sign_in(&app, &w.mentee.email).await;
    let (s, body, _) = get(&app, &mentee, &page).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("Closing the mentorship") && body.contains(&format!("{page}/closing")), "{body}");

    // The closing page before the step: a confirm step, nothing started yet.
    let (s, body, _) = get(&app, &mentee, &format!("{page}/closing")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("Start the closing step"), "{body}");
    let (s, _, _) = post_form(&app, &mentee, &format!("{page}/closing/start"), &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(state(&app, &w, &w.mentor.token).await["figures"]["started_at"].is_string());

    // A form with a problem: GOV.UK errors, the answers kept.
    let long = "ł".repeat(2001);
    let (s, body, _) =
        post_form(&app, &mentee, &format!("{page}/closing/form"), &[("csrf", &csrf), ("key_moments", MOMENTS), ("future_needs", &long)])
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("href=\"#future_needs\"") && body.contains("aria-invalid=\"true\"") && body.contains(MOMENTS), "{body}");
    let (s, _, _) =
        post_form(&app, &mentee, &format!("{page}/closing/form"), &[("csrf", &csrf), ("key_moments", MOMENTS), ("thanks", THANKS)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    // The mentor reads the moments and the thanks, in Dutch.
    let (s, b) = app.call(Method::PATCH, "/api/v1/me", Some(&w.mentor.token), Some(json!({"locale": "nl"}))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (mentor, mentor_csrf) = sign_in(&app, &w.mentor.email).await;
    let (s, body, _) = get(&app, &mentor, &format!("{page}/closing")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains(MOMENTS) && body.contains(THANKS) && body.contains("Afsluiten"), "{body}");
    // The mentor's form closes it.
    let (s, _, _) = post_form(
        &app,
        &mentor,
        &format!("{page}/closing/form"),
        &[("csrf", &mentor_csrf), ("key_moments", "Haar eerste presentatie"), ("achieved", MENTOR_EVALUATION)],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, &w, &w.mentor.token).await, "closed");

    // Closed: a banner, the record readable, no compose form.
    let (s, body, _) = get(&app, &mentee, &page).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("This mentorship closed on"), "{body}");
    let (s, body, _) = get(&app, &mentee, &format!("/threads/{}", w.thread)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(!body.contains("name=\"body\""), "no compose form on a closed mentorship: {body}");
    // The follow-up is not offered yet.
    let (s, body, _) = get(&app, &mentee, &format!("{page}/follow-up")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(!body.contains("name=\"how_it_goes\""), "{body}");

    app.clock.advance(Duration::days(190));
    let (mentee, csrf) = sign_in(&app, &w.mentee.email).await;
    let (s, body, _) = get(&app, &mentee, &page).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains(&format!("{page}/follow-up")), "the follow-up is offered: {body}");
    let (s, body, _) = get(&app, &mentee, &format!("{page}/follow-up")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("name=\"how_it_goes\"") && csrf_of(&body) == csrf, "{body}");
    let (s, body, _) = post_form(&app, &mentee, &format!("{page}/follow-up"), &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("href=\"#form\""), "{body}");
    let (s, _, _) = post_form(&app, &mentee, &format!("{page}/follow-up"), &[("csrf", &csrf), ("how_it_goes", FOLLOW_UP)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, body, _) = get(&app, &mentee, &format!("{page}/follow-up")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains(FOLLOW_UP) && !body.contains("name=\"how_it_goes\""), "given once: {body}");
    app.stop().await;
}
