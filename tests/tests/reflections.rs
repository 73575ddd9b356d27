//! Reflection forms (F6, F7) on both backends: a mentee's form is read by the mentor,
//! a mentor's only once shared; only the author changes a form; bad forms are refused
//! with the field named; the coordinator sees how many were filled in and nothing of
//! what they say; the mentorship page writes and shows them.

use mentorpost_tests::web::{get, post_form, sign_in};
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(who_reads_which_reflection, bad_forms_are_refused, coordinators_see_counts_only, the_page_writes_and_shows_reflections);

const MENTEE_WORDS: &str = "Ik was zenuwachtig voor de presentatie in Łódź";
const MENTOR_WORDS: &str = "Ik praatte te veel; volgende keer meer vragen stellen";

async fn list(app: &TestServer, w: &World, token: &str) -> Vec<Value> {
    let (s, b) = app.get(&format!("/api/v1/mentorships/{}/reflections", w.mentorship), token).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b.as_array().cloned().expect("a list")
}

async fn write(app: &TestServer, w: &World, token: &str, body: Value) -> (StatusCode, Value) {
    app.post(&format!("/api/v1/mentorships/{}/reflections", w.mentorship), token, body).await
}

async fn who_reads_which_reflection(app: TestServer) {
    let w = World::build(&app).await;
    let today = mentorpost_model::Clock::now(app.clock.as_ref()).date_naive().to_string();
    let (s, m) = app
        .post(
            &format!("/api/v1/mentorships/{}/meetings", w.mentorship),
            &w.mentor.token,
            json!({"date": today, "duration_minutes": 45, "mode": "video"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let meeting = m["id"].as_str().expect("meeting id");

    let (s, mine) =
        write(&app, &w, &w.mentee.token, json!({"meeting_id": meeting, "answers": {"subject": "Presenteren", "felt": MENTEE_WORDS}})).await;
    assert_eq!(s, StatusCode::CREATED, "{mine}");
    assert_eq!(mine["role"], "mentee");
    assert_eq!(mine["meeting_date"], json!(today));
    // The mentee's form is for the mentor (F6).
    assert_eq!(list(&app, &w, &w.mentor.token).await.len(), 1);
    assert_eq!(list(&app, &w, &w.mentor.token).await[0]["answers"]["felt"], MENTEE_WORDS);

    // The mentor's form stays with the mentor until shared (F7).
    let (s, theirs) = write(&app, &w, &w.mentor.token, json!({"answers": {"went_less_well": MENTOR_WORDS}})).await;
    assert_eq!(s, StatusCode::CREATED, "{theirs}");
    assert_eq!(theirs["shared"], false);
    assert_eq!(list(&app, &w, &w.mentee.token).await.len(), 1, "the mentee sees only their own");
    assert_eq!(list(&app, &w, &w.mentor.token).await.len(), 2);
    let path = format!("/api/v1/reflections/{}", theirs["id"].as_str().expect("id"));
    let (s, b) = app.put(&path, &w.mentor.token, json!({"answers": {"went_less_well": MENTOR_WORDS}, "shared": true})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["shared"], true);
    let seen = list(&app, &w, &w.mentee.token).await;
    assert!(seen.iter().any(|r| r["answers"]["went_less_well"] == MENTOR_WORDS), "{seen:?}");

    // Only the author changes a form: the mentor reads the mentee's, but may not edit it.
    let (s, b) = app
        .put(&format!("/api/v1/reflections/{}", mine["id"].as_str().expect("id")), &w.mentor.token, json!({"answers": {"felt": "x"}}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    // A mentee's "shared" changes nothing: the form is for the mentors anyway.
    let (s, b) = app
        .put(
            &format!("/api/v1/reflections/{}", mine["id"].as_str().expect("id")),
            &w.mentee.token,
            json!({"answers": {"felt": "Beter nu."}, "shared": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["shared"], false);
    assert_eq!(b["answers"]["felt"], "Beter nu.");
    assert_eq!(b["answers"]["subject"], "", "a change replaces the answers");
    app.stop().await;
}

async fn bad_forms_are_refused(app: TestServer) {
    let w = World::build(&app).await;
    for (body, code) in [
        (json!({"answers": {}}), "empty_form"),
        (json!({"answers": {"tried": "  "}}), "empty_form"),
        (json!({"answers": {"questions": "ą".repeat(2001)}}), "too_long"),
        (json!({"answers": {"subject": "twee\nregels", "felt": "goed"}}), "control_characters"),
        (json!({"meeting_id": uuid::Uuid::now_v7().to_string(), "answers": {"felt": "goed"}}), "unknown_meeting"),
    ] {
        let (s, b) = write(&app, &w, &w.mentee.token, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["error"]["code"], code, "{b}");
    }
    let (s, b) = write(&app, &w, &w.mentee.token, json!({"answers": {"mood": "goed"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown field: {b}");
    assert!(list(&app, &w, &w.mentee.token).await.is_empty(), "nothing written");
    app.stop().await;
}

async fn coordinators_see_counts_only(app: TestServer) {
    let w = World::build(&app).await;
    let (s, b) = write(&app, &w, &w.mentee.token, json!({"answers": {"felt": MENTEE_WORDS}})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = write(&app, &w, &w.mentor.token, json!({"answers": {"went_less_well": MENTOR_WORDS}, "shared": true})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let path = format!("/api/v1/mentorships/{}/reflections", w.mentorship);
    let (s, b) = app.get(&path, &w.coordinator.token).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = app.post(&path, &w.coordinator.token, json!({"answers": {"felt": "x"}})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = app.get(&path, &w.outsider.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    let (s, page, _) = get(&app, &cookie, &format!("/coordinate/mentorships/{}", w.mentorship)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Reflection forms filled in") && page.contains("mentors 1, mentees 1"), "{page}");
    for secret in [MENTEE_WORDS, MENTOR_WORDS] {
        assert!(!page.contains(secret), "{secret} reached the coordinator");
    }
    let (_, csv) = app.call(Method::GET, &format!("/api/v1/programmes/{}/health.csv", w.programme), Some(&w.coordinator.token), None).await;
    assert!(!csv.to_string().contains("zenuwachtig"), "{csv}");
    app.stop().await;
}

async fn the_page_writes_and_shows_reflections(app: TestServer) {
    let w = World::build(&app).await;
    let page_path = format!("/mentorships/{}", w.mentorship);
    let form_path = format!("{page_path}/reflections");
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let (_, page, _) = get(&app, &cookie, &page_path).await;
    assert!(page.contains("No reflections yet.") && page.contains("Questions for my mentor"), "{page}");
    assert!(!page.contains("Share this reflection"), "a mentee's form is for the mentor anyway");

    let (s, page, _) = post_form(&app, &cookie, &form_path, &[("subject", "Presenteren"), ("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Answer at least one question"), "{page}");
    assert!(page.contains("value=\"Presenteren\""), "what was typed stays: {page}");

    // A session logged: the page invites a reflection on it, and the link chooses it.
    assert!(!page.contains("You have not written a reflection"), "no session yet: {page}");
    let today = mentorpost_model::Clock::now(app.clock.as_ref()).date_naive().to_string();
    let (s, m) = app
        .post(
            &format!("/api/v1/mentorships/{}/meetings", w.mentorship),
            &w.mentor.token,
            json!({"date": today, "duration_minutes": 45, "mode": "video"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let meeting = m["id"].as_str().expect("meeting id").to_owned();
    let (_, page, _) = get(&app, &cookie, &page_path).await;
    assert!(page.contains("You have not written a reflection on the session of"), "{page}");
    assert!(page.contains(&format!("?reflect={meeting}#reflect-title")), "{page}");
    let (_, page, _) = get(&app, &cookie, &format!("{page_path}?reflect={meeting}")).await;
    assert!(page.contains(&format!("<option value=\"{meeting}\" selected>")), "{page}");
    let (s, page, h) = post_form(
        &app,
        &cookie,
        &form_path,
        &[("meeting_id", &meeting), ("subject", "Presenteren"), ("felt", MENTEE_WORDS), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", page.lines().filter(|l| l.contains("href=\"#")).collect::<Vec<_>>().join("\n"));
    assert_eq!(h["location"].to_str().ok(), Some(format!("{page_path}?done=reflection#reflections").as_str()));
    let (_, page, _) = get(&app, &cookie, &format!("{page_path}?done=reflection")).await;
    assert!(
        page.contains("Your reflection is saved.") && page.contains("Your reflection") && page.contains("read by your mentor"),
        "{page}"
    );

    // The mentor reads it, and writes one of their own that stays private.
    let (cookie, csrf) = sign_in(&app, &w.mentor.email).await;
    let (_, page, _) = get(&app, &cookie, &page_path).await;
    assert!(page.contains("Reflection of João Pereira") && page.contains("zenuwachtig"), "{page}");
    assert!(page.contains("Questions to take to intervision") && page.contains("Share this reflection with my mentee"), "{page}");
    let (s, page, _) = post_form(&app, &cookie, &form_path, &[("went_less_well", MENTOR_WORDS), ("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", page.lines().filter(|l| l.contains("href=\"#")).collect::<Vec<_>>().join("\n"));
    let (_, page, _) = get(&app, &cookie, &page_path).await;
    assert!(page.contains("private to you"), "{page}");
    let (cookie, _) = sign_in(&app, &w.mentee.email).await;
    let (_, page, _) = get(&app, &cookie, &page_path).await;
    assert!(!page.contains("te veel"), "the mentor's private form: {page}");
    app.stop().await;
}
