//! The mentorship page of the web app: its members see who is in it, the agreement,
//! their contact rhythm, meetings and check-ins, and change what the API lets members
//! change, by plain forms; nobody else sees any of it. Both backends.

use mentorpost_tests::web::{get, post_form, sign_in};
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::json;

both_backends!(
    members_see_their_mentorship_and_find_it_from_inbox_and_thread,
    outsiders_and_coordinators_see_nothing_of_it,
    its_forms_need_the_csrf_token,
    members_change_the_agreement_by_form,
    members_log_a_meeting_by_form,
    members_answer_a_checkin_by_form
);

const SECRET_GOAL: &str = "Binnen een halfjaar een baan als verpleegkundige in Łódź";

fn location(h: &HeaderMap) -> String {
    h["location"].to_str().expect("location").to_owned()
}

/// A day that has passed in any time zone.
fn days_ago(n: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(n)).date_naive().to_string()
}

/// The members write a goal through the API, so pages can be checked for it.
async fn with_secret_goal(app: &TestServer, w: &World) {
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{}/agreement/content", w.mentorship),
            &w.mentee.token,
            json!({"ground_rules": "We antwoorden binnen twee dagen.", "goals": SECRET_GOAL}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

async fn members_see_their_mentorship_and_find_it_from_inbox_and_thread(app: TestServer) {
    let w = World::build(&app).await;
    with_secret_goal(&app, &w).await;
    let page_path = format!("/mentorships/{}", w.mentorship);
    for (me, other) in [(&w.mentor, "João Pereira"), (&w.mentee, "Çağrı Yılmaz")] {
        let (cookie, _) = sign_in(&app, &me.email).await;
        let (s, page, _) = get(&app, &cookie, &page_path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(page.contains(&format!("<title>Mentorship with {other} – mentorpost</title>")), "{page}");
        for expected in [
            "Who is in it",
            "— mentor",
            "— mentee",
            "<span class=\"you\">(you)</span>",
            SECRET_GOAL,
            "We antwoorden binnen twee dagen.",
            "name=\"contact_every_days\"",
            "How often you are in touch",
            "Contacts per week",
            "<desc id=\"week-chart-desc\">",
            "No meetings logged yet.",
            "Log a meeting",
        ] {
            assert!(page.contains(expected), "{expected} missing: {page}");
        }
        // The inbox's people label and the thread's "With …" line lead here.
        let (_, inbox, _) = get(&app, &cookie, "/").await;
        assert!(inbox.contains(&format!("<a class=\"with\" href=\"{page_path}\">{other}</a>")), "{inbox}");
        let (_, thread, _) = get(&app, &cookie, &format!("/threads/{}", w.thread)).await;
        assert!(thread.contains(&format!("<a href=\"{page_path}\">With {other}</a>")), "{thread}");
    }
    app.stop().await;
}

async fn outsiders_and_coordinators_see_nothing_of_it(app: TestServer) {
    let w = World::build(&app).await;
    with_secret_goal(&app, &w).await;
    let page_path = format!("/mentorships/{}", w.mentorship);
    // Not signed in: to the sign-in page, and back afterwards.
    let (s, _, h) = get(&app, "", &page_path).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location(&h).starts_with("/signin?next=%2Fmentorships%2F"), "{h:?}");
    let (s, _) = app.post(&format!("/api/v1/mentorships/{}/check-ins", w.mentorship), &w.coordinator.token, json!({})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, checkins) = app.get(&format!("/api/v1/mentorships/{}/check-ins", w.mentorship), &w.mentor.token).await;
    let checkin = checkins[0]["id"].as_str().expect("check-in id").to_owned();

    for (who, refused) in
        [(&w.outsider, StatusCode::NOT_FOUND), (&w.other_coordinator, StatusCode::NOT_FOUND), (&w.coordinator, StatusCode::FORBIDDEN)]
    {
        let (cookie, csrf) = sign_in(&app, &who.email).await;
        for path in [page_path.clone(), "/mentorships/not-an-id".to_owned()] {
            let (s, page, _) = get(&app, &cookie, &path).await;
            let expected = if path.ends_with("not-an-id") { StatusCode::NOT_FOUND } else { refused };
            assert_eq!(s, expected, "{}: {path}", who.email);
            for secret in [SECRET_GOAL, "We antwoorden", "João Pereira", "contact_every_days"] {
                assert!(!page.contains(secret), "{}: {secret} shown: {page}", who.email);
            }
        }
        let forms: [(String, Vec<(&str, &str)>); 3] = [
            (
                format!("{page_path}/agreement"),
                vec![("contact_every_days", "3"), ("response_within_hours", "24"), ("goals", "overgenomen"), ("csrf", &csrf)],
            ),
            (format!("{page_path}/meetings"), vec![("date", "2026-11-02"), ("duration_minutes", "30"), ("mode", "phone"), ("csrf", &csrf)]),
            (format!("{page_path}/check-ins/{checkin}/answer"), vec![("status", "want_to_end"), ("csrf", &csrf)]),
        ];
        for (path, form) in &forms {
            let (s, page, _) = post_form(&app, &cookie, path, form).await;
            assert_eq!(s, refused, "{}: {path}: {page}", who.email);
            assert!(!page.contains(SECRET_GOAL));
        }
    }
    // Nothing changed.
    let (_, agreement) = app.get(&format!("/api/v1/mentorships/{}/agreement", w.mentorship), &w.mentor.token).await;
    assert_eq!(agreement["content"]["goals"], SECRET_GOAL);
    assert_eq!(agreement["rhythm"]["contact_every_days"], 7);
    let (_, meetings) = app.get(&format!("/api/v1/mentorships/{}/meetings", w.mentorship), &w.mentor.token).await;
    assert_eq!(meetings.as_array().map(Vec::len), Some(0));
    let (_, checkins) = app.get(&format!("/api/v1/mentorships/{}/check-ins", w.mentorship), &w.mentor.token).await;
    assert_eq!(checkins[0]["answers"].as_array().map(Vec::len), Some(0), "{checkins}");
    app.stop().await;
}

async fn its_forms_need_the_csrf_token(app: TestServer) {
    let w = World::build(&app).await;
    let (s, _) = app.post(&format!("/api/v1/mentorships/{}/check-ins", w.mentorship), &w.coordinator.token, json!({})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, checkins) = app.get(&format!("/api/v1/mentorships/{}/check-ins", w.mentorship), &w.mentor.token).await;
    let checkin = checkins[0]["id"].as_str().expect("check-in id").to_owned();
    let (cookie, _) = sign_in(&app, &w.mentor.email).await;
    let (_, other_csrf) = sign_in(&app, &w.mentee.email).await;
    let base = format!("/mentorships/{}", w.mentorship);
    for token in [None, Some(""), Some(other_csrf.as_str())] {
        let forms: [(String, Vec<(&str, &str)>); 3] = [
            (format!("{base}/agreement"), vec![("contact_every_days", "3"), ("response_within_hours", "24")]),
            (format!("{base}/meetings"), vec![("date", "2026-11-02"), ("duration_minutes", "30"), ("mode", "phone")]),
            (format!("{base}/check-ins/{checkin}/answer"), vec![("status", "going_well")]),
        ];
        for (path, mut form) in forms {
            if let Some(t) = token {
                form.push(("csrf", t));
            }
            let (s, page, _) = post_form(&app, &cookie, &path, &form).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{path} {token:?}");
            assert!(page.contains("This form has expired"), "{page}");
        }
    }
    let (_, agreement) = app.get(&format!("/api/v1/mentorships/{}/agreement", w.mentorship), &w.mentor.token).await;
    assert_eq!(agreement["rhythm"]["contact_every_days"], 7);
    let (_, meetings) = app.get(&format!("/api/v1/mentorships/{}/meetings", w.mentorship), &w.mentor.token).await;
    assert_eq!(meetings.as_array().map(Vec::len), Some(0));
    let (_, checkins) = app.get(&format!("/api/v1/mentorships/{}/check-ins", w.mentorship), &w.mentor.token).await;
    assert_eq!(checkins[0]["answers"].as_array().map(Vec::len), Some(0), "{checkins}");
    app.stop().await;
}

async fn members_change_the_agreement_by_form(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let path = format!("/mentorships/{}/agreement", w.mentorship);
    // Problems: each named at the top and beside its field; what was typed stays.
    let long = "x".repeat(10_001);
    let (s, page, _) = post_form(
        &app,
        &cookie,
        &path,
        &[
            ("contact_every_days", "elke week"),
            ("response_within_hours", "3000"),
            ("meeting_rhythm", "Dinsdagavond <video>"),
            ("ground_rules", "Eerlijk & open"),
            ("goals", &long),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("<title>Error: Mentorship with Çağrı Yılmaz"), "{page}");
    for expected in [
        "class=\"error-summary\"",
        "href=\"#contact_every_days\">Enter the number of days as a whole number, like 7</a>",
        "href=\"#response_within_hours\">The number of hours is between 1 and 2160</a>",
        "href=\"#goals\">The goals have at most 10,000 characters</a>",
        "value=\"elke week\"",
        "value=\"3000\"",
        "value=\"Dinsdagavond &#60;video&#62;\"",
        "Eerlijk &#38; open</textarea>",
    ] {
        assert!(page.contains(expected), "{expected} missing: {page}");
    }
    let (_, agreement) = app.get(&format!("/api/v1/mentorships/{}/agreement", w.mentorship), &w.mentor.token).await;
    assert_eq!(agreement["rhythm"]["contact_every_days"], 7, "nothing saved: {agreement}");

    let (s, _, h) = post_form(
        &app,
        &cookie,
        &path,
        &[
            ("contact_every_days", " 14 "),
            ("response_within_hours", "72"),
            ("meeting_rhythm", "Om de week dinsdagavond, video"),
            ("ground_rules", "Eerlijk & open.\r\nWat we bespreken blijft tussen ons."),
            ("goals", SECRET_GOAL),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), format!("/mentorships/{}?done=agreement#agreement", w.mentorship));
    let (_, agreement) = app.get(&format!("/api/v1/mentorships/{}/agreement", w.mentorship), &w.mentor.token).await;
    assert_eq!(agreement["rhythm"]["contact_every_days"], 14, "{agreement}");
    assert_eq!(agreement["rhythm"]["response_within_hours"], 72);
    assert_eq!(agreement["rhythm"]["meeting_rhythm"], "Om de week dinsdagavond, video");
    assert_eq!(agreement["content"]["ground_rules"], "Eerlijk & open.\nWat we bespreken blijft tussen ons.");
    assert_eq!(agreement["content"]["goals"], SECRET_GOAL);
    // The coordinator sees the new rhythm, never the content.
    let (_, view) = app.get(&format!("/api/v1/mentorships/{}", w.mentorship), &w.coordinator.token).await;
    assert_eq!(view["rhythm"]["contact_every_days"], 14);
    let (s, page, _) = get(&app, &cookie, &location(&h)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<p class=\"notice\" role=\"status\">The agreement has been saved.</p>"), "{page}");
    assert!(page.contains("Periods of 14 days with contact"), "{page}");
    app.stop().await;
}

async fn members_log_a_meeting_by_form(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentor.email).await;
    let path = format!("/mentorships/{}/meetings", w.mentorship);
    let future = (chrono::Utc::now() + chrono::Duration::days(3)).date_naive().to_string();
    let (s, page, _) = post_form(
        &app,
        &cookie,
        &path,
        &[("date", &future), ("time", "25:00"), ("duration_minutes", "0"), ("note", "Over <cv> & brief"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in [
        "href=\"#date\">The date is in the future. Log a meeting once it has taken place.</a>",
        "href=\"#time\">Enter the time like 19:30, or leave it empty</a>",
        "href=\"#duration_minutes\">A meeting lasts between 1 and 600 minutes</a>",
        "href=\"#mode\">Choose how you met</a>",
        &format!("value=\"{future}\""),
        "Over &#60;cv&#62; &#38; brief</textarea>",
    ] {
        assert!(page.contains(expected), "{expected} missing: {page}");
    }
    let (_, meetings) = app.get(&format!("/api/v1/mentorships/{}/meetings", w.mentorship), &w.mentor.token).await;
    assert_eq!(meetings.as_array().map(Vec::len), Some(0));

    let day = days_ago(2);
    let (s, _, h) = post_form(
        &app,
        &cookie,
        &path,
        &[
            ("date", &day),
            ("time", "19:30"),
            ("duration_minutes", "45"),
            ("mode", "in_person"),
            ("note", "Over het cv gesproken."),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), format!("/mentorships/{}?done=meeting#meetings", w.mentorship));
    let (_, meetings) = app.get(&format!("/api/v1/mentorships/{}/meetings", w.mentorship), &w.mentee.token).await;
    let list = meetings.as_array().expect("meetings");
    assert_eq!(list.len(), 1, "{meetings}");
    assert_eq!(list[0]["date"], day.as_str());
    assert_eq!(list[0]["duration_minutes"], 45);
    assert_eq!(list[0]["mode"], "in_person");
    assert_eq!(list[0]["note"], "Over het cv gesproken.");
    // The health figures count it.
    let (_, health) = app.get(&format!("/api/v1/mentorships/{}/health", w.mentorship), &w.coordinator.token).await;
    assert_eq!(health["meetings"], 1, "{health}");
    let (_, page, _) = get(&app, &cookie, &location(&h)).await;
    assert!(page.contains("<p class=\"notice\" role=\"status\">The meeting has been logged.</p>"), "{page}");
    assert!(page.contains("In person · 45 minutes"), "{page}");
    assert!(page.contains("Over het cv gesproken."), "{page}");
    assert!(page.contains("Logged by Çağrı Yılmaz"), "{page}");
    app.stop().await;
}

async fn members_answer_a_checkin_by_form(app: TestServer) {
    let w = World::build(&app).await;
    let (s, created) = app.post(&format!("/api/v1/mentorships/{}/check-ins", w.mentorship), &w.coordinator.token, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let checkin = created["id"].as_str().expect("check-in id").to_owned();
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let page_path = format!("/mentorships/{}", w.mentorship);
    let (_, page, _) = get(&app, &cookie, &page_path).await;
    let action = format!("{page_path}/check-ins/{checkin}/answer");
    assert!(page.contains(&format!("action=\"{action}\"")), "{page}");
    for status in ["going_well", "need_help", "want_to_end"] {
        assert!(page.contains(&format!("value=\"{status}\"")), "{status}: {page}");
    }
    // No choice: asked again, with the problem linked to the first choice.
    let (s, page, _) = post_form(&app, &cookie, &action, &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#status\">Choose how it is going</a>"), "{page}");
    assert!(page.contains("id=\"status\""), "{page}");
    // Another mentorship's path does not reach this check-in.
    let (s, _, _) = post_form(
        &app,
        &cookie,
        &format!("/mentorships/{}/check-ins/{checkin}/answer", w.programme),
        &[("status", "need_help"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, h) = post_form(&app, &cookie, &action, &[("status", "need_help"), ("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), format!("{page_path}?done=checkin#checkins"));
    let (_, checkins) = app.get(&format!("/api/v1/mentorships/{}/check-ins", w.mentorship), &w.coordinator.token).await;
    let answers = checkins[0]["answers"].as_array().expect("answers");
    assert_eq!(answers.len(), 1, "{checkins}");
    assert_eq!(answers[0]["status"], "need_help");
    assert_eq!(answers[0]["user_id"], w.mentee.id.to_string());
    let (_, page, _) = get(&app, &cookie, &location(&h)).await;
    assert!(page.contains("<p class=\"notice\" role=\"status\">Thank you. Your answer has been sent to your coordinator.</p>"), "{page}");
    assert!(page.contains("you answered “I need help”"), "{page}");
    assert!(!page.contains(&format!("action=\"{action}\"")), "answered: no form any more");
    app.stop().await;
}
