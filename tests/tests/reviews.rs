//! Periodic reviews (F8) on both backends: a member answers the round that is due and
//! may change their answers; a round not yet due is refused; nobody else reads the
//! answers; bad answers are refused with the field named; the coordinator sees only
//! scores and choices, and a "change" raises the mentorship on their dashboard; the
//! mentorship page prompts for a due review, and the review page writes it (en, nl);
//! the programme's setting moves the rounds.

use chrono::{Duration, NaiveDate};
use mentorpost_tests::web::{get, post_form, sign_in};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(
    members_answer_their_own_reviews,
    bad_reviews_are_refused,
    coordinators_see_figures_only,
    the_page_prompts_and_saves,
    the_programme_sets_the_rhythm_of_reviews
);

const MENTEE_WORDS: &str = "We zien elkaar elke twee weken; ik solliciteer nu bij een ziekenhuis in Kraków";
const MENTOR_WORDS: &str = "Te weinig tijd sinds mijn nieuwe baan in Gdańsk";

fn today(app: &TestServer) -> NaiveDate {
    mentorpost_model::Clock::now(app.clock.as_ref()).date_naive()
}

/// A new active mentorship of the World's mentor and mentee that started `days_ago`.
async fn mentorship_started(app: &TestServer, w: &World, days_ago: i64) -> String {
    let start = today(app) - Duration::days(days_ago);
    let (s, m) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": w.mentee.id, "role": "mentee"}],
                   "status": "active", "start_date": start.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    m["id"].as_str().expect("mentorship id").to_owned()
}

async fn answer(app: &TestServer, mentorship: &str, token: &str, round: i64, answers: Value) -> (StatusCode, Value) {
    app.post(&format!("/api/v1/mentorships/{mentorship}/reviews"), token, json!({"round": round, "answers": answers})).await
}

async fn own(app: &TestServer, mentorship: &str, token: &str) -> Vec<Value> {
    let (s, b) = app.get(&format!("/api/v1/mentorships/{mentorship}/reviews"), token).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b.as_array().cloned().expect("a list")
}

async fn members_answer_their_own_reviews(app: TestServer) {
    let w = World::build(&app).await;
    // 130 days in: the review after 4 months is due, the one after 8 is not.
    let m = mentorship_started(&app, &w, 130).await;
    assert!(own(&app, &m, &w.mentee.token).await.is_empty());
    for round in [0, 2, -1] {
        let (s, b) = answer(&app, &m, &w.mentee.token, round, json!({"satisfaction": 4})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "round {round}: {b}");
        assert_eq!(b["error"]["code"], "not_due", "{b}");
    }

    let (s, first) =
        answer(&app, &m, &w.mentee.token, 1, json!({"meetings": MENTEE_WORDS, "satisfaction": 3, "continue_choice": "continue"})).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["round"], 1);
    assert_eq!(first["role"], "mentee");
    assert_eq!(first["answers"]["meetings"], MENTEE_WORDS);
    // A second save for the round replaces the answers.
    let (s, second) = answer(
        &app,
        &m,
        &w.mentee.token,
        1,
        json!({"growth": "Ik durf nu te bellen.", "satisfaction": 4, "continue_choice": "change", "comments": "Liever om de week."}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{second}");
    assert_eq!(second["id"], first["id"], "the same review, changed");
    assert_eq!(second["answers"]["meetings"], "", "a change replaces every answer");
    assert_eq!(second["answers"]["continue_choice"], "change");
    let mine = own(&app, &m, &w.mentee.token).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["answers"]["satisfaction"], 4);

    // The answers are the member's own: the mentor reads none of them.
    assert!(own(&app, &m, &w.mentor.token).await.is_empty(), "the mentor does not read the mentee's review");
    let (s, b) = answer(&app, &m, &w.mentor.token, 1, json!({"time": MENTOR_WORDS, "satisfaction": 2})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let theirs = own(&app, &m, &w.mentor.token).await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["answers"]["time"], MENTOR_WORDS);
    let mine = own(&app, &m, &w.mentee.token).await;
    assert_eq!(mine.len(), 1);
    assert!(!mine[0].to_string().contains(MENTOR_WORDS));

    // Each save is an event of the mentorship (its data holds no answer).
    let (s, events) = app.get(&format!("/api/v1/mentorships/{m}/events?after=0"), &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK, "{events}");
    let reviews: Vec<&Value> = events["events"].as_array().expect("events").iter().filter(|e| e["kind"] == "review.updated").collect();
    assert_eq!(reviews.len(), 3, "{events}");
    assert_eq!(reviews[0]["actor_id"], json!(w.mentee.id));
    assert_eq!(reviews[0]["data"], json!({}));

    // Four months on, the second round is due; the third is not.
    app.clock.advance(Duration::days(123));
    // Sign-ins do not last four months.
    let mut w = w;
    for p in [&mut w.mentee, &mut w.mentor, &mut w.coordinator, &mut w.outsider] {
        p.token = app.login(&p.email, PASSWORD).await.0;
    }
    let (s, b) = answer(&app, &m, &w.mentee.token, 2, json!({"topics": "Presenteren in het Nederlands", "satisfaction": 5})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = answer(&app, &m, &w.mentee.token, 3, json!({"satisfaction": 5})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let rounds: Vec<i64> = own(&app, &m, &w.mentee.token).await.iter().map(|r| r["round"].as_i64().expect("round")).collect();
    assert_eq!(rounds, [2, 1], "latest first");

    // Outsiders and coordinators: the answers are not theirs.
    let path = format!("/api/v1/mentorships/{m}/reviews");
    let (s, b) = app.get(&path, &w.outsider.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, b) = app.get(&path, &w.coordinator.token).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = answer(&app, &m, &w.coordinator.token, 1, json!({"satisfaction": 1})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");

    // A closed mentorship takes no more answers; its members still read their own.
    let (s, b) = app.post(&format!("/api/v1/mentorships/{m}/close"), &w.coordinator.token, json!({"reason": "completed"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = answer(&app, &m, &w.mentee.token, 2, json!({"satisfaction": 4})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert_eq!(own(&app, &m, &w.mentee.token).await.len(), 2);
    app.stop().await;
}

async fn bad_reviews_are_refused(app: TestServer) {
    let w = World::build(&app).await;
    let m = mentorship_started(&app, &w, 130).await;
    for (answers, code) in [
        (json!({}), "empty_form"),
        (json!({"growth": "  \n"}), "empty_form"),
        (json!({"satisfaction": 6}), "out_of_range"),
        (json!({"satisfaction": 0, "meetings": "Ja"}), "out_of_range"),
        (json!({"topics": "ż".repeat(2001)}), "too_long"),
        (json!({"time": "te\u{7}weinig"}), "control_characters"),
    ] {
        let (s, b) = answer(&app, &m, &w.mentee.token, 1, answers).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["error"]["code"], code, "{b}");
    }
    for answers in [json!({"mood": "goed"}), json!({"continue_choice": "misschien"}), json!({"satisfaction": 300})] {
        let (s, b) = answer(&app, &m, &w.mentee.token, 1, answers).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "wrong shape: {b}");
    }
    let (s, b) = app.post(&format!("/api/v1/mentorships/{m}/reviews"), &w.mentee.token, json!({"answers": {"satisfaction": 3}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "no round: {b}");
    // A proposed mentorship has not begun, whatever its start date says.
    let start = (today(&app) - Duration::days(200)).to_string();
    let (s, p) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": w.mentee.id, "role": "mentee"}],
                   "status": "proposed", "start_date": start}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let proposed = p["id"].as_str().expect("id").to_owned();
    let (s, b) = answer(&app, &proposed, &w.mentee.token, 1, json!({"satisfaction": 3})).await;
    assert_eq!((s, b["error"]["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("not_due")), "{b}");
    assert!(own(&app, &m, &w.mentee.token).await.is_empty(), "nothing written");
    app.stop().await;
}

/// The rows of the dashboard's table, as the mentorship ids they link to, in order.
fn table_order(page: &str) -> Vec<String> {
    page.split("<a href=\"/coordinate/mentorships/").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_owned).collect()
}

async fn coordinators_see_figures_only(app: TestServer) {
    let w = World::build(&app).await;
    // Two mentorships with reviews: A started earlier than B, so B comes later when
    // sorted by start date — until someone in B asks for a change.
    let a = mentorship_started(&app, &w, 140).await;
    let b = mentorship_started(&app, &w, 125).await;
    let (s, r) =
        answer(&app, &a, &w.mentee.token, 1, json!({"meetings": MENTEE_WORDS, "satisfaction": 5, "continue_choice": "continue"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    let dashboard = format!("/coordinate/programmes/{}?sort=start_date", w.programme);
    let (s, page, _) = get(&app, &cookie, &dashboard).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let order = table_order(&page);
    let pos = |id: &str| order.iter().position(|x| x == id).unwrap_or(usize::MAX);
    assert!(pos(&a) < pos(&b), "by start date: {order:?}");
    assert!(!page.contains("asks for a change"), "{page}");

    let (s, r) =
        answer(&app, &b, &w.mentee.token, 1, json!({"growth": MENTEE_WORDS, "satisfaction": 4, "continue_choice": "change"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, r) =
        answer(&app, &b, &w.mentor.token, 1, json!({"time": MENTOR_WORDS, "satisfaction": 2, "continue_choice": "continue"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, page, _) = get(&app, &cookie, &dashboard).await;
    let order = table_order(&page);
    assert_eq!(order.first(), Some(&b), "the mentorship that asks for a change comes first: {order:?}");
    assert!(page.contains("asks for a change"), "{page}");
    assert!(page.contains("mentor 2, mentee 4 (average 3.0); continue 1, stop 0, change 1"), "{page}");
    assert!(page.contains("mentee 5 (average 5.0); continue 1, stop 0, change 0"), "{page}");

    let (s, page, _) = get(&app, &cookie, &format!("/coordinate/mentorships/{b}")).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Satisfaction in the latest reviews (1–5)") && page.contains("mentor 2, mentee 4 (average 3.0)"), "{page}");
    assert!(page.contains("continue 1, stop 0, change 1 – asks for a change"), "{page}");
    let mut seen = vec![page];
    seen.push(get(&app, &cookie, &dashboard).await.1);
    let (_, csv) = app.call(Method::GET, &format!("/api/v1/programmes/{}/health.csv", w.programme), Some(&w.coordinator.token), None).await;
    seen.push(csv.to_string());
    for (path, token) in
        [(format!("/api/v1/mentorships/{b}/reviews"), &w.coordinator.token), (format!("/api/v1/mentorships/{b}/reviews"), &w.admin.token)]
    {
        let (s, body) = app.get(&path, token).await;
        assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{s} {body}");
        seen.push(body.to_string());
    }
    for text in &seen {
        for secret in [MENTEE_WORDS, MENTOR_WORDS, "Kraków", "Gdańsk"] {
            assert!(!text.contains(secret), "{secret} reached the coordinator");
        }
    }
    app.stop().await;
}

async fn the_page_prompts_and_saves(app: TestServer) {
    let w = World::build(&app).await;
    let m = mentorship_started(&app, &w, 130).await;
    let page_path = format!("/mentorships/{m}");
    let review_path = format!("{page_path}/review");
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let (s, page, _) = get(&app, &cookie, &page_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Your review after 4 months is ready."), "{page}");
    assert!(page.contains(&format!("<a href=\"{review_path}\">")), "{page}");

    let (s, page, _) = get(&app, &cookie, &review_path).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("<h1>Your review after 4 months</h1>"), "{page}");
    assert!(page.contains("<legend>How satisfied are you with the mentorship?</legend>"), "{page}");
    assert!(page.contains("<legend>Do you want to continue?</legend>"), "{page}");
    assert!(page.contains("name=\"round\" value=\"1\""), "{page}");

    // Nothing answered, and a score that is none: GOV.UK errors, what was typed stays.
    let (s, page, _) = post_form(&app, &cookie, &review_path, &[("round", "1"), ("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Answer at least one question") && page.contains("href=\"#form\""), "{page}");
    let (s, page, _) =
        post_form(&app, &cookie, &review_path, &[("round", "1"), ("satisfaction", "9"), ("growth", "Ik groei"), ("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Choose a score from 1 to 5") && page.contains("href=\"#satisfaction\""), "{page}");
    assert!(page.contains(">Ik groei</textarea>"), "{page}");
    let (s, page, _) = post_form(&app, &cookie, &review_path, &[("round", "2"), ("satisfaction", "3"), ("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a round not yet due");
    assert!(page.contains("This review is not due yet"), "{page}");

    let (s, _, h) = post_form(
        &app,
        &cookie,
        &review_path,
        &[
            ("round", "1"),
            ("meetings", MENTEE_WORDS),
            ("satisfaction", "4"),
            ("continue", "change"),
            ("comments", "Liever\r\nom de week."),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let to = h["location"].to_str().expect("location").to_owned();
    assert!(to.starts_with(&format!("{review_path}?done=saved")), "{to}");
    let (_, page, _) = get(&app, &cookie, &to).await;
    assert!(page.contains("Your review is saved."), "{page}");
    assert!(
        page.contains(MENTEE_WORDS) && page.contains("4 – satisfied") && page.contains("Continue, but something should change"),
        "{page}"
    );
    assert!(page.contains("value=\"change\" id=\"continue-change\" checked"), "the form holds the answers to change: {page}");
    let mine = own(&app, &m, &w.mentee.token).await;
    assert_eq!(mine[0]["answers"]["comments"], "Liever\nom de week.");

    // Answered: the prompt is gone, the answers one click away.
    let (_, page, _) = get(&app, &cookie, &page_path).await;
    assert!(!page.contains("is ready."), "{page}");
    assert!(page.contains(&format!("<a href=\"{review_path}\">Your reviews</a>")), "{page}");

    // The mentor, in Dutch.
    let (s, b) = app.call(Method::PATCH, "/api/v1/me", Some(&w.mentor.token), Some(json!({"locale": "nl"}))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (cookie, _) = sign_in(&app, &w.mentor.email).await;
    let (_, page, _) = get(&app, &cookie, &page_path).await;
    assert!(page.contains("Je evaluatie na 4 maanden staat klaar."), "{page}");
    let (_, page, _) = get(&app, &cookie, &review_path).await;
    assert!(
        page.contains("<legend>Hoe tevreden ben je over het mentorschap?</legend>")
            && page.contains("Doorgaan, maar er moet iets veranderen"),
        "{page}"
    );
    assert!(!page.contains(MENTEE_WORDS), "the mentee's answers are theirs alone");

    // A coordinator has no review page.
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    let (s, page, _) = get(&app, &cookie, &review_path).await;
    assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{s}");
    assert!(!page.contains(MENTEE_WORDS));
    app.stop().await;
}

async fn the_programme_sets_the_rhythm_of_reviews(app: TestServer) {
    let w = World::build(&app).await;
    // 130 days in: due every 4 months, not yet every 6.
    let m = mentorship_started(&app, &w, 130).await;
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    let settings = format!("/coordinate/programmes/{}/settings", w.programme);
    let (_, page, _) = get(&app, &cookie, &settings).await;
    assert!(page.contains("<option value=\"4\" selected>Every 4 months</option>"), "{page}");
    let form = |months: &'static str| {
        vec![
            ("timezone", "Europe/Amsterdam"),
            ("contact_every_days", "14"),
            ("response_within_hours", "72"),
            ("not_started_days", "14"),
            ("review_every_months", months),
        ]
    };
    let mut bad = form("3");
    bad.push(("csrf", &csrf));
    let (s, page, _) = post_form(&app, &cookie, &format!("{settings}/defaults"), &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Choose every 4, 5 or 6 months"), "{page}");
    let mut good = form("6");
    good.push(("csrf", &csrf));
    let (s, _, _) = post_form(&app, &cookie, &format!("{settings}/defaults"), &good).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page, _) = get(&app, &cookie, &settings).await;
    assert!(page.contains("<option value=\"6\" selected>Every 6 months</option>"), "{page}");
    let (s, p) = app.get(&format!("/api/v1/programmes/{}", w.programme), &w.coordinator.token).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["review_every_months"], 6, "{p}");

    let (s, b) = answer(&app, &m, &w.mentee.token, 1, json!({"satisfaction": 4})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "not due after 130 days of 6 months: {b}");
    let (mentee, _) = sign_in(&app, &w.mentee.email).await;
    let (_, page, _) = get(&app, &mentee, &format!("/mentorships/{m}")).await;
    assert!(!page.contains("is ready."), "{page}");
    let (_, page, _) = get(&app, &mentee, &format!("/mentorships/{m}/review")).await;
    let due = today(&app) - Duration::days(130);
    assert!(page.contains("No review is due now. The next one comes on"), "{page}");
    assert!(!page.contains("name=\"round\""), "no form before a round is due: {page}");

    // Two months on, the review after 6 months is due.
    app.clock.advance(Duration::days(62));
    let (mentee, _) = sign_in(&app, &w.mentee.email).await;
    let token = app.login(&w.mentee.email, PASSWORD).await.0;
    let (_, page, _) = get(&app, &mentee, &format!("/mentorships/{m}")).await;
    assert!(page.contains("Your review after 6 months is ready."), "started {due}: {page}");
    let (s, b) = answer(&app, &m, &token, 1, json!({"satisfaction": 4})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.stop().await;
}
