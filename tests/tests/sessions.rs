//! Sessions (F5) on both backends: a logged meeting carries its learning goal, what
//! was explored and the actions agreed (owner, due date); actions are numbered per
//! mentorship, listed open-first, ticked off and reopened by members through the API
//! and the web page; bad actions are refused whole (nothing written); coordinators and
//! outsiders read none of it.

use mentorpost_tests::web::{get, post_form, sign_in};
use mentorpost_tests::{INBOUND_SECRET, TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(
    a_session_records_its_goal_and_numbered_actions,
    bad_actions_are_refused_and_nothing_is_written,
    members_tick_actions_off_and_others_read_nothing,
    the_page_logs_a_session_and_ticks_an_action_off,
    a_digest_lists_the_actions_due_this_week
);

both_backends!(
    start = mentorpost_tests::TestServer::start_for_mail;
    actions_are_ticked_off_by_mail,
    a_member_who_reads_by_mail_hears_of_the_session_and_answers_it,
    a_session_mail_waits_for_the_end_of_quiet_hours
);

fn days_from_now(n: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(n)).date_naive().to_string()
}

async fn log(app: &TestServer, w: &World, body: Value) -> (StatusCode, Value) {
    app.post(&format!("/api/v1/mentorships/{}/meetings", w.mentorship), &w.mentor.token, body).await
}

fn session(w: &World) -> Value {
    json!({
        "date": days_from_now(-1), "duration_minutes": 60, "mode": "video",
        "learning_goal": "Presenteren voor een groot publiek zonder briefje",
        "explored": "Hoe João zijn verhaal opbouwt; wat hem nerveus maakt.",
        "actions": [
            {"text": "Presentatie van 5 minuten voorbereiden over Łódź", "owner_id": w.mentee.id, "due_on": days_from_now(5)},
            {"text": "Twee voorbeelden van goede openingen sturen", "owner_id": w.mentor.id},
        ],
    })
}

async fn actions(app: &TestServer, w: &World) -> Vec<Value> {
    actions_as(app, w, &w.mentee.token).await
}

async fn actions_as(app: &TestServer, w: &World, token: &str) -> Vec<Value> {
    let (s, b) = app.get(&format!("/api/v1/mentorships/{}/actions", w.mentorship), token).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b.as_array().cloned().expect("a list")
}

async fn a_session_records_its_goal_and_numbered_actions(app: TestServer) {
    let w = World::build(&app).await;
    let (s, m) = log(&app, &w, session(&w)).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(m["learning_goal"], "Presenteren voor een groot publiek zonder briefje");
    let numbers: Vec<i64> = m["actions"].as_array().expect("actions").iter().map(|a| a["number"].as_i64().unwrap_or(0)).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(m["actions"][0]["owner_name"], "João Pereira");
    assert_eq!(m["actions"][1]["due_on"], Value::Null);

    // The meetings route returns the session whole.
    let (_, list) = app.get(&format!("/api/v1/mentorships/{}/meetings", w.mentorship), &w.mentee.token).await;
    assert_eq!(list[0]["explored"], "Hoe João zijn verhaal opbouwt; wat hem nerveus maakt.");
    assert_eq!(list[0]["actions"].as_array().map(Vec::len), Some(2));

    // A second session counts on: 3. The open list has dated ones first, by date.
    let (s, b) = log(
        &app,
        &w,
        json!({"date": days_from_now(0), "duration_minutes": 30, "mode": "phone",
               "actions": [{"text": "Oefenen met een collega", "owner_id": w.mentee.id, "due_on": days_from_now(2)}]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["actions"][0]["number"], 3);
    assert_eq!(b["learning_goal"], Value::Null);
    let open: Vec<i64> = actions(&app, &w).await.iter().map(|a| a["number"].as_i64().unwrap_or(0)).collect();
    assert_eq!(open, [3, 1, 2]);
    app.stop().await;
}

async fn bad_actions_are_refused_and_nothing_is_written(app: TestServer) {
    let w = World::build(&app).await;
    let with_actions = |list: Value| {
        let mut s = session(&w);
        s["actions"] = list;
        s
    };
    let cases = [
        (with_actions(json!([{"text": "Iets", "owner_id": w.outsider.id}])), "owner_not_member"),
        (with_actions(json!([{"text": "  ", "owner_id": w.mentee.id}])), "action_text_missing"),
        (with_actions(json!([{"text": "x".repeat(301), "owner_id": w.mentee.id}])), "action_too_long"),
        (with_actions(json!(vec![json!({"text": "a", "owner_id": w.mentee.id}); 11])), "too_many_actions"),
        (with_actions(json!([{"text": "Ver weg", "owner_id": w.mentee.id, "due_on": "2999-01-01"}])), "date_out_of_range"),
    ];
    for (body, code) in cases {
        let (s, b) = log(&app, &w, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["error"]["code"], code, "{b}");
    }
    let mut long = session(&w);
    long["explored"] = json!("é".repeat(2001));
    let (s, b) = log(&app, &w, long).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "too_long", "{b}");
    // Not a meeting, not an action: nothing half-written.
    let (_, list) = app.get(&format!("/api/v1/mentorships/{}/meetings", w.mentorship), &w.mentee.token).await;
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");
    assert!(actions(&app, &w).await.is_empty());
    app.stop().await;
}

async fn members_tick_actions_off_and_others_read_nothing(app: TestServer) {
    let w = World::build(&app).await;
    let (s, b) = log(&app, &w, session(&w)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let done = |n: i64| format!("/api/v1/mentorships/{}/actions/{n}/done", w.mentorship);

    let (s, a) = app.call(Method::POST, &done(1), Some(&w.mentee.token), None).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["done_by"], json!(w.mentee.id));
    let first_done = a["done_at"].clone();
    assert!(first_done.is_string(), "{a}");
    // Again: nothing changes, the first moment stays.
    let (s, again) = app.call(Method::POST, &done(1), Some(&w.mentor.token), None).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["done_at"], first_done);
    assert_eq!(again["done_by"], json!(w.mentee.id));
    // Done ones go to the end of the list.
    let list = actions(&app, &w).await;
    assert_eq!(list.iter().map(|a| a["number"].as_i64().unwrap_or(0)).collect::<Vec<_>>(), [2, 1]);
    // Open again.
    let (s, a) = app.call(Method::DELETE, &done(1), Some(&w.mentor.token), None).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["done_at"], Value::Null);
    // No such action: 404.
    let (s, b) = app.call(Method::POST, &done(99), Some(&w.mentee.token), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");

    // The coordinator knows the mentorship but reads no session; an outsider nothing.
    let list_path = format!("/api/v1/mentorships/{}/actions", w.mentorship);
    let (s, b) = app.get(&list_path, &w.coordinator.token).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert!(!b.to_string().contains("Presentatie"), "{b}");
    let (s, b) = app.call(Method::POST, &done(2), Some(&w.coordinator.token), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = app.get(&list_path, &w.outsider.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    // The coordinator's own page of the mentorship shows none of the session's words.
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    let (s, page, _) = get(&app, &cookie, &format!("/coordinate/mentorships/{}", w.mentorship)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    for secret in ["Presenteren voor een groot publiek", "nerveus", "Presentatie van 5 minuten", "goede openingen"] {
        assert!(!page.contains(secret), "{secret} reached the coordinator");
    }
    app.stop().await;
}

async fn the_page_logs_a_session_and_ticks_an_action_off(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentor.email).await;
    let page_path = format!("/mentorships/{}", w.mentorship);
    let (s, page, _) = get(&app, &cookie, &page_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("No open actions."), "{page}");
    assert!(page.contains("name=\"action1_text\"") && page.contains("name=\"action3_due\""), "{page}");

    // A row with a date but no text: the whole form comes back with the problem.
    let path = format!("/mentorships/{}/meetings", w.mentorship);
    let yesterday = days_from_now(-1);
    let due = days_from_now(6);
    let mentee = w.mentee.id.to_string();
    let (s, page, _) = post_form(
        &app,
        &cookie,
        &path,
        &[
            ("date", &yesterday),
            ("duration_minutes", "50"),
            ("mode", "video"),
            ("learning_goal", "Een sollicitatiegesprek voeren in het Nederlands"),
            ("action1_text", ""),
            ("action1_owner", &mentee),
            ("action1_due", &due),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Say what the action is, or leave its row empty"), "{page}");
    assert!(page.contains("Een sollicitatiegesprek voeren in het Nederlands</textarea>"), "{page}");

    let (s, _, h) = post_form(
        &app,
        &cookie,
        &path,
        &[
            ("date", &yesterday),
            ("duration_minutes", "50"),
            ("mode", "video"),
            ("learning_goal", "Een sollicitatiegesprek voeren in het Nederlands"),
            ("explored", "Vragen over zwakke punten."),
            ("action1_text", "Drie sterke punten opschrijven"),
            ("action1_owner", &mentee),
            ("action1_due", &due),
            ("action2_text", ""),
            ("action2_owner", &mentee),
            ("action2_due", ""),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"].to_str().ok(), Some(format!("/mentorships/{}?done=meeting#meetings", w.mentorship).as_str()));
    let list = actions(&app, &w).await;
    assert_eq!(list.len(), 1, "the empty row is no action");
    assert_eq!(list[0]["text"], "Drie sterke punten opschrijven");

    // The mentee sees it open and ticks it off from the page.
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let (_, page, _) = get(&app, &cookie, &page_path).await;
    assert!(page.contains("Drie sterke punten opschrijven") && page.contains("Mark action 1 done"), "{page}");
    let (s, _, h) = post_form(&app, &cookie, &format!("/mentorships/{}/actions/1/done", w.mentorship), &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"].to_str().ok(), Some(format!("/mentorships/{}?done=action#open-actions", w.mentorship).as_str()));
    assert!(actions(&app, &w).await[0]["done_at"].is_string());
    let (_, page, _) = get(&app, &cookie, &format!("{page_path}?done=action")).await;
    assert!(page.contains("The action is ticked off.") && page.contains("One action done"), "{page}");
    // Without the form's token nothing changes.
    let (s, _, _) = post_form(&app, &cookie, &format!("/mentorships/{}/actions/1/reopen", w.mentorship), &[]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(actions(&app, &w).await[0]["done_at"].is_string());
    // A number that is not one: 404.
    let (s, _, _) = post_form(&app, &cookie, &format!("/mentorships/{}/actions/x/done", w.mentorship), &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    app.stop().await;
}

/// Puts the mentee on a daily digest due in the coming hour of their own day, and
/// returns their local dates from today (`day(3)`: three days on) as text.
async fn daily_digest_in_an_hour(app: &TestServer, w: &World) -> impl Fn(i64) -> String + use<> {
    use chrono::Timelike;
    let (_, me) = app.get("/api/v1/me", &w.mentee.token).await;
    let tz: chrono_tz::Tz = me["timezone"].as_str().unwrap_or("UTC").parse().expect("tz");
    let now = mentorpost_model::Clock::now(app.clock.as_ref()).with_timezone(&tz);
    let hour = (now.hour() + 1) % 24;
    let (s, b) = app
        .put(
            "/api/v1/me/mail",
            &w.mentee.token,
            json!({"mode": "daily", "digest_hour": hour, "digest_weekday": 1, "missed_delay_minutes": 10}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let today = now.date_naive();
    move |n: i64| (today + chrono::Duration::days(n)).to_string()
}

/// The mentor writes `body`; an hour later the mentee's daily digest (set up by
/// [`daily_digest_in_an_hour`]) is made and sent: its text part.
async fn digest_after_a_message(app: &TestServer, w: &World, body: &str) -> String {
    let (s, b) = app
        .post(
            &format!("/api/v1/threads/{}/messages", w.thread),
            &w.mentor.token,
            json!({"body": body, "client_msg_id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.clock.advance(chrono::Duration::minutes(65));
    mentorpost_server::mail::digest::schedule_due(&app.state).await.expect("digest round");
    app.drain_outbox().await;
    let digest =
        app.mail_files().into_iter().find(|m| m.contains("mentee@example.org") && m.contains(body)).expect("a digest for the mentee");
    mail_parser::MessageParser::default().parse(digest.as_bytes()).and_then(|m| m.body_text(0).map(|t| t.into_owned())).expect("text")
}

async fn a_digest_lists_the_actions_due_this_week(app: TestServer) {
    let w = World::build(&app).await;
    let day = daily_digest_in_an_hour(&app, &w).await;
    let (s, b) = log(
        &app,
        &w,
        json!({"date": day(0), "duration_minutes": 40, "mode": "video", "actions": [
            {"text": "Presentatie over Łódź oefenen", "owner_id": w.mentee.id, "due_on": day(3)},
            {"text": "Later: een cursus kiezen", "owner_id": w.mentee.id, "due_on": day(20)},
            {"text": "Ooit: een boek lezen", "owner_id": w.mentor.id},
            {"text": "Al gedaan: het cv sturen", "owner_id": w.mentee.id, "due_on": day(2)},
        ]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = app.call(Method::POST, &format!("/api/v1/mentorships/{}/actions/4/done", w.mentorship), Some(&w.mentee.token), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // The mentor writes; the reader's hour comes.
    let text = digest_after_a_message(&app, &w, "Tot donderdag!").await;
    assert!(text.contains("Actions due this week:"), "{text}");
    assert!(text.contains("1. Presentatie over Łódź oefenen (João Pereira, due "), "{text}");
    for not_due in ["een cursus kiezen", "een boek lezen", "het cv sturen"] {
        assert!(!text.contains(not_due), "{not_due} is not due this week: {text}");
    }
    app.stop().await;
}

async fn actions_are_ticked_off_by_mail(app: TestServer) {
    let w = World::build(&app).await;
    let day = daily_digest_in_an_hour(&app, &w).await;
    let (s, b) = log(
        &app,
        &w,
        json!({"date": day(0), "duration_minutes": 40, "mode": "video", "actions": [
            {"text": "Presentatie over Łódź oefenen", "owner_id": w.mentee.id, "due_on": day(3)},
            {"text": "Een cursus kiezen", "owner_id": w.mentee.id, "due_on": day(4)},
        ]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let text = digest_after_a_message(&app, &w, "Succes!").await;
    // Tokens last 15 minutes: sign in again.
    let mentee = app.login(&w.mentee.email, mentorpost_tests::world::PASSWORD).await.0;
    // The digest says how: "done" and the number, to the mentorship's address.
    let how = text.lines().find(|l| l.starts_with("To tick one off")).expect("how to tick one off");
    let address = how.split_whitespace().find(|w| w.starts_with("mentorship+")).expect("an address").trim_end_matches('.').to_owned();

    let mail = |from: &str, body: &str| {
        format!(
            "From: {from}\r\nTo: {address}\r\nSubject: Re: digest\r\nMessage-ID: <{}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
            uuid::Uuid::new_v4()
        )
        .into_bytes()
    };
    let send = |raw: Vec<u8>| async { app.raw(Method::POST, "/api/v1/inbound/email", Some(INBOUND_SECRET), "message/rfc822", raw).await };
    // From a stranger: nothing is ticked off.
    let (s, r) = send(mail("kees@example.nl", "done 2")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["outcome"], "rejected", "{r}");
    // From the mentee: 1 is done, 7 is no action.
    let (s, r) = send(mail("mentee@example.org", "Done 1, 7.\n\nJoão\n\n> Actions due this week:")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["outcome"], "actions_done", "{r}");
    let list = actions_as(&app, &w, &mentee).await;
    let state = |n: i64| list.iter().find(|a| a["number"] == n).map(|a| a["done_at"].is_string());
    assert_eq!((state(1), state(2)), (Some(true), Some(false)), "{list:?}");
    app.drain_outbox().await;
    let answer = app.mail_files().into_iter().find(|m| m.contains("Actions ticked off")).expect("an answer");
    let answer =
        mail_parser::MessageParser::default().parse(answer.as_bytes()).and_then(|m| m.body_text(0).map(|t| t.into_owned())).expect("text");
    assert!(answer.contains("- 1. Presentatie over Łódź oefenen"), "{answer}");
    assert!(answer.contains("No action has the number 7"), "{answer}");
    // More than a command is a message: a new thread, action 2 still open.
    let (s, r) = send(mail("mentee@example.org", "Done 2 is lastig: welke cursus raad je aan?")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["outcome"], "thread_created", "{r}");
    assert_eq!(actions_as(&app, &w, &mentee).await.iter().find(|a| a["number"] == 2).map(|a| a["done_at"].is_null()), Some(true));
    app.stop().await;
}

async fn a_member_who_reads_by_mail_hears_of_the_session_and_answers_it(app: TestServer) {
    let w = World::build(&app).await;
    for token in [&w.mentee.token, &w.mentor.token] {
        let (s, b) = app
            .put("/api/v1/me/mail", token, json!({"mode": "each", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10}))
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let (s, b) = log(&app, &w, session(&w)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.drain_outbox().await;
    let raw = app.mail_files().into_iter().find(|m| m.contains("logged your session")).expect("a session mail");
    let mail = mail_parser::MessageParser::default().parse(raw.as_bytes()).expect("parses");
    assert_eq!(mail.to().and_then(|a| a.first()).and_then(|a| a.address()), Some("mentee@example.org"));
    let text = mail.body_text(0).expect("text").into_owned();
    for expected in [
        "Çağrı Yılmaz logged the session",
        "Presenteren voor een groot publiek zonder briefje",
        "Hoe João zijn verhaal opbouwt",
        "- 1. Presentatie van 5 minuten voorbereiden over Łódź (João Pereira, due ",
        "- 2. Twee voorbeelden van goede openingen sturen (Çağrı Yılmaz)",
        "\"done 1\"",
    ] {
        assert!(text.contains(expected), "{expected} missing: {text}");
    }
    // The mentor logged it: the mail is for the other member only.
    assert_eq!(app.mail_files().iter().filter(|m| m.contains("logged your session")).count(), 1);
    let reply_to = mail.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).expect("a Reply-To").to_owned();
    assert!(reply_to.starts_with("mentorship+"), "{reply_to}");
    let answer = format!(
        "From: mentee@example.org\r\nTo: {reply_to}\r\nSubject: Re: session\r\nMessage-ID: <{}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ndone 1\r\n",
        uuid::Uuid::new_v4()
    );
    let (s, r) = app.raw(Method::POST, "/api/v1/inbound/email", Some(INBOUND_SECRET), "message/rfc822", answer.into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["outcome"], "actions_done", "{r}");
    assert!(actions(&app, &w).await.iter().any(|a| a["number"] == 1 && a["done_at"].is_string()));
    app.stop().await;
}

async fn a_session_mail_waits_for_the_end_of_quiet_hours(app: TestServer) {
    let w = World::build(&app).await;
    let (_, me) = app.get("/api/v1/me", &w.mentee.token).await;
    let tz: chrono_tz::Tz = me["timezone"].as_str().unwrap_or("UTC").parse().expect("tz");
    let local = mentorpost_model::Clock::now(app.clock.as_ref()).with_timezone(&tz);
    // Quiet from an hour ago until three hours from now.
    let quiet_start = (local - chrono::Duration::hours(1)).format("%H:%M").to_string();
    let quiet_end = (local + chrono::Duration::hours(3)).format("%H:%M").to_string();
    let (s, b) = app
        .put(
            "/api/v1/me/mail",
            &w.mentee.token,
            json!({"mode": "each", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10,
                   "quiet_start": quiet_start, "quiet_end": quiet_end}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = log(&app, &w, session(&w)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.drain_outbox().await;
    let sent = |app: &TestServer| app.mail_files().iter().filter(|m| m.contains("logged your session")).count();
    assert_eq!(sent(&app), 0, "not during quiet hours");
    // Past the end of the quiet hours it goes.
    app.clock.advance(chrono::Duration::hours(3) + chrono::Duration::minutes(1));
    app.drain_outbox().await;
    assert_eq!(sent(&app), 1);
    app.stop().await;
}
