//! Contact health on both backends: meetings count as contact, the figures follow the
//! agreed rhythm on a controlled clock, coordinators get the list, totals and CSV —
//! and never a subject, body or meeting note.

use chrono::{DateTime, Duration, TimeZone, Utc};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    figures_follow_the_agreed_rhythm_and_show_no_content,
    coordinators_get_one_weekly_summary_of_figures_only,
    a_reply_coming_due_gets_one_gentle_reminder,
    the_figures_move_with_each_contact_agreement_and_day,
    meeting_times_the_clocks_skip_or_repeat_and_dates_out_of_range,
    csv_export_never_carries_a_formula,
);

fn ams(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Amsterdam.with_ymd_and_hms(2026, month, day, hour, 0, 0).single().expect("a local time").with_timezone(&Utc)
}

/// Logins of the world's people at the clock's current time (tokens last 15 minutes;
/// the test moves the clock by days).
struct Tokens {
    mentor: String,
    mentee: String,
    coordinator: String,
    other_coordinator: String,
}

async fn tokens(app: &TestServer, w: &World) -> Tokens {
    Tokens {
        mentor: app.login(&w.mentor.email, PASSWORD).await.0,
        mentee: app.login(&w.mentee.email, PASSWORD).await.0,
        coordinator: app.login(&w.coordinator.email, PASSWORD).await.0,
        other_coordinator: app.login(&w.other_coordinator.email, PASSWORD).await.0,
    }
}

const NOTE: &str = "Privé: Henk vertelde over zijn zorgen";
const BODY: &str = "Vertrouwelijk: mijn twijfels over de stage";

async fn figures_follow_the_agreed_rhythm_and_show_no_content(app: TestServer) {
    app.clock.set(ams(9, 1, 10));
    let w = World::build(&app).await;
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{}/agreement/rhythm", w.mentorship),
            &w.coordinator.token,
            json!({"contact_every_days": 7, "response_within_hours": 48, "meeting_rhythm": "wekelijks"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.clock.set(ams(9, 2, 9));
    let t = tokens(&app, &w).await;
    let (s, b) =
        app.post(&format!("/api/v1/threads/{}/messages", w.thread), &t.mentee, json!({"body": BODY, "client_msg_id": "health-1"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.clock.set(ams(9, 11, 9));
    let t = tokens(&app, &w).await;
    let meeting = format!("/api/v1/mentorships/{}/meetings", w.mentorship);
    let (s, m) = app
        .post(&meeting, &t.mentee, json!({"date": "2026-09-10", "time": "19:00", "duration_minutes": 45, "mode": "video", "note": NOTE}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let (s, e) = app.post(&meeting, &t.mentee, json!({"date": "2026-09-12", "duration_minutes": 45, "mode": "video"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a meeting still to come: {e}");
    let (s, e) = app.post(&meeting, &t.coordinator, json!({"date": "2026-09-10", "duration_minutes": 45, "mode": "phone"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");

    app.clock.set(ams(9, 30, 12));
    let t = tokens(&app, &w).await;
    let (s, h) = app.get(&format!("/api/v1/mentorships/{}/health", w.mentorship), &t.coordinator).await;
    assert_eq!(s, StatusCode::OK, "{h}");
    let health = &h["health"];
    assert_eq!(health["status"], "dormant", "{h}");
    assert_eq!(health["windows_met"], 2, "{h}");
    assert_eq!(health["windows_elapsed"], 4, "{h}");
    assert_eq!(health["days_since_contact"], 19, "{h}");
    assert_eq!(h["meetings"], 1);
    assert_eq!(health["messages_90d"], json!({"mentors": 1, "mentees": 1}));
    // Members see their own mentorship's figures too.
    let (s, mine) = app.get(&format!("/api/v1/mentorships/{}/health", w.mentorship), &t.mentee).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(mine["health"]["status"], "dormant");
    // The note is the members' own.
    let (s, list) = app.get(&meeting, &t.mentor).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list[0]["note"], NOTE);
    let (s, _) = app.get(&meeting, &t.coordinator).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let programme = format!("/api/v1/programmes/{}/health", w.programme);
    let (s, p) = app.get(&programme, &t.coordinator).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["totals"]["active"], 1);
    assert_eq!(p["totals"]["dormant"], 1);
    assert_eq!(p["totals"]["share_on_track"], 0.0);
    assert_eq!(p["mentorships"].as_array().map(Vec::len), Some(1));
    let (s, p) = app.get(&format!("{programme}?status=on_track"), &t.coordinator).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["mentorships"].as_array().map(Vec::len), Some(0));
    let (s, _) = app.get(&format!("{programme}?sort=mood"), &t.coordinator).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app.get(&programme, &t.other_coordinator).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another programme's coordinator learns nothing");

    let csv = || async {
        let resp = app.client.get(app.url(&format!("{programme}.csv"))).bearer_auth(&t.coordinator).send().await.expect("csv");
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.headers()["content-type"].to_str().is_ok_and(|t| t.starts_with("text/csv")));
        resp.text().await.expect("csv text")
    };
    let text = csv().await;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].contains("dormant") && lines[1].contains("Çağrı Yılmaz") && lines[1].contains("João Pereira"), "{text}");

    // Nothing anyone wrote reaches the coordinator's views.
    for shown in [h.to_string(), p.to_string(), text.clone()] {
        assert!(!shown.contains(NOTE) && !shown.contains(BODY) && !shown.contains("Kennismaking"), "{shown}");
    }

    // Closed: out of the list, still in the export.
    let (s, b) = app
        .call(
            Method::POST,
            &format!("/api/v1/mentorships/{}/close", w.mentorship),
            Some(&t.coordinator),
            Some(json!({"reason": "completed"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, p) = app.get(&programme, &t.coordinator).await;
    assert_eq!(p["mentorships"].as_array().map(Vec::len), Some(0), "{p}");
    assert_eq!(p["totals"]["active"], 0);
    let text = csv().await;
    assert!(text.lines().nth(1).is_some_and(|l| l.contains("closed")), "{text}");
    app.stop().await;
}

/// The server keeps each mentorship's figures between requests; every contact, rhythm
/// change and new day must still show at the next read, on both routes.
async fn the_figures_move_with_each_contact_agreement_and_day(app: TestServer) {
    app.clock.set(ams(9, 1, 10));
    let w = World::build(&app).await;
    let rhythm = format!("/api/v1/mentorships/{}/agreement/rhythm", w.mentorship);
    let (s, b) = app
        .put(&rhythm, &w.coordinator.token, json!({"contact_every_days": 7, "response_within_hours": 48, "meeting_rhythm": "wekelijks"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let programme = format!("/api/v1/programmes/{}/health", w.programme);
    let single = format!("/api/v1/mentorships/{}/health", w.mentorship);
    let read = |token: String| {
        let (programme, single, app) = (programme.clone(), single.clone(), &app);
        async move {
            let (s, p) = app.get(&programme, &token).await;
            assert_eq!(s, StatusCode::OK, "{p}");
            let (s, one) = app.get(&single, &token).await;
            assert_eq!(s, StatusCode::OK, "{one}");
            assert_eq!(p["mentorships"][0], one, "both routes agree");
            one
        }
    };
    // Reads happen minutes past the hour, away from where "hours overdue" ticks over:
    // the clock runs on between the two routes of one read.
    app.clock.set(ams(9, 11, 9) + Duration::minutes(20));
    let t = tokens(&app, &w).await;
    let before = read(t.coordinator.clone()).await;
    let mentees_before = before["health"]["messages_90d"]["mentees"].as_i64().expect("a count");

    let (s, b) =
        app.post(&format!("/api/v1/threads/{}/messages", w.thread), &t.mentee, json!({"body": BODY, "client_msg_id": "move-1"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let after = read(t.coordinator.clone()).await;
    assert_eq!(after["health"]["messages_90d"]["mentees"].as_i64(), Some(mentees_before + 1), "{after}");
    assert_eq!(after["health"]["days_since_contact"], 0, "{after}");
    assert_ne!(after["health"]["last_contact"], before["health"]["last_contact"]);
    assert_eq!(after["health"]["windows_met"], 0, "the first week had the mentor only: {after}");

    let meeting = format!("/api/v1/mentorships/{}/meetings", w.mentorship);
    let (s, m) = app.post(&meeting, &t.mentor, json!({"date": "2026-09-05", "duration_minutes": 30, "mode": "phone"})).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let met = read(t.coordinator.clone()).await;
    assert_eq!(met["meetings"].as_i64(), after["meetings"].as_i64().map(|n| n + 1), "{met}");
    assert_eq!((met["health"]["windows_met"].as_i64(), met["health"]["windows_elapsed"].as_i64()), (Some(1), Some(1)), "{met}");

    let (s, b) = app
        .put(&rhythm, &t.coordinator, json!({"contact_every_days": 3, "response_within_hours": 48, "meeting_rhythm": "wekelijks"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let faster = read(t.coordinator.clone()).await;
    assert_eq!(faster["health"]["windows_elapsed"], 3, "windows of 3 days from 1 September: {faster}");
    assert_eq!(faster["contact_every_days"], 3);

    // Nothing written, only time passing: the next day and the day after.
    app.clock.set(ams(9, 15, 10) + Duration::minutes(50));
    let t = tokens(&app, &w).await;
    let later = read(t.coordinator.clone()).await;
    assert_eq!(later["health"]["days_since_contact"], 4, "{later}");
    assert_eq!(later["health"]["status"], "slowing", "more than 3 days without contact: {later}");
    assert_eq!(later["health"]["windows_elapsed"], 4, "{later}");
    app.clock.set(ams(9, 18, 10) + Duration::minutes(50));
    let t = tokens(&app, &w).await;
    let quiet = read(t.coordinator.clone()).await;
    assert_eq!(quiet["health"]["status"], "dormant", "{quiet}");
    app.stop().await;
}

/// The summary mail to `to`, once the outbox has written it (the background worker may
/// take the row first: then its progress is awaited).
async fn summary_mail(app: &TestServer, to: &str, containing: &str) -> String {
    let mut progress = app.state.mailer.progress.subscribe();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        mentorpost_server::mail::outbox::dispatch_due(&app.state).await.expect("outbox round");
        let found = app.mail_files().into_iter().find_map(|m| {
            let parsed = mail_parser::MessageParser::default().parse(m.as_bytes())?;
            let addressed = parsed.to().and_then(|a| a.first()).and_then(|a| a.address()).is_some_and(|a| a == to);
            let text = parsed.body_text(0)?.into_owned();
            (addressed && text.contains(containing)).then_some(text)
        });
        if let Some(text) = found {
            return text;
        }
        assert!(tokio::time::timeout_at(deadline, progress.changed()).await.is_ok(), "no summary for {to}: {:?}", app.mail_files());
    }
}

async fn coordinators_get_one_weekly_summary_of_figures_only(app: TestServer) {
    use mentorpost_server::mail::summary::schedule_due;
    app.clock.set(ams(9, 2, 10));
    let w = World::build(&app).await;
    // Monday 7 September, 09:00: the week's summary (Monday 08:00 by default) is due.
    app.clock.set(ams(9, 7, 9));
    // Both coordinators: the other one's programme has no mentorships, which it says.
    assert_eq!(schedule_due(&app.state).await.expect("summary round"), 2);
    assert_eq!(schedule_due(&app.state).await.expect("summary round"), 0, "one per week");
    let text = summary_mail(&app, &w.coordinator.email, "overdue").await;
    assert!(text.contains("Çağrı Yılmaz & João Pereira") || text.contains("João Pereira & Çağrı Yılmaz"), "{text}");
    assert!(!text.contains("welkom") && !text.contains("Kennismaking"), "no content: {text}");
    // Two weeks on: João never wrote, so the pair has not started.
    app.clock.set(ams(9, 21, 9));
    assert_eq!(schedule_due(&app.state).await.expect("summary round"), 2);
    let text = summary_mail(&app, &w.coordinator.email, "not started").await;
    assert!(text.contains("new this week"), "{text}");
    // Another programme's coordinator hears nothing of this pair.
    let other = summary_mail(&app, &w.other_coordinator.email, "No current mentorships").await;
    assert!(!other.contains("João"), "{other}");
    app.stop().await;
}

async fn a_reply_coming_due_gets_one_gentle_reminder(app: TestServer) {
    use mentorpost_server::mail::reminders::schedule_due;
    app.clock.set(ams(9, 2, 10));
    let w = World::build(&app).await;
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{}/agreement/rhythm", w.mentorship),
            &w.coordinator.token,
            json!({"contact_every_days": 7, "response_within_hours": 48, "meeting_rhythm": "wekelijks"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // João keeps his evenings quiet.
    let (s, b) = app
        .put(
            "/api/v1/me/mail",
            &w.mentee.token,
            json!({"mode": "each", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10, "quiet_start": "22:00", "quiet_end": "07:00"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // 30 hours on, the answer is not due for a while yet.
    app.clock.set(ams(9, 3, 16));
    assert_eq!(schedule_due(&app.state).await.expect("reminder round"), 0);
    // 37 hours on, three quarters of the 48 are gone: João, who owes the answer, is
    // reminded once — after his quiet hours, at seven.
    app.clock.set(ams(9, 3, 23));
    assert_eq!(schedule_due(&app.state).await.expect("reminder round"), 1);
    assert_eq!(schedule_due(&app.state).await.expect("reminder round"), 0);
    let waits: i64 = sqlx::query_scalar("SELECT not_before FROM outbox WHERE kind = 'reminder' AND user_id = $1")
        .bind(w.mentee.id.to_string())
        .fetch_one(app.state.db.pool())
        .await
        .expect("the reminder");
    assert_eq!(waits, ams(9, 4, 7).timestamp_millis(), "the reminder waits for the end of the quiet hours");
    app.clock.set(ams(9, 4, 7));
    let text = summary_mail(&app, &w.mentee.email, "You agreed to answer").await;
    assert!(text.contains("Çağrı Yılmaz"), "{text}");
    app.stop().await;
}

/// A local time in the spring-forward gap moves forward by the gap (RFC 5545), a
/// fall-back time that happens twice is the first; dates far outside the programme's
/// life are refused with 422, for meetings and for a mentorship's start.
async fn meeting_times_the_clocks_skip_or_repeat_and_dates_out_of_range(app: TestServer) {
    app.clock.set(ams(4, 15, 12));
    let w = World::build(&app).await;
    let meeting = format!("/api/v1/mentorships/{}/meetings", w.mentorship);
    let log = |date: &str, time: &str| {
        let (app, meeting, token) = (&app, meeting.clone(), w.mentor.token.clone());
        let body = json!({"date": date, "time": time, "duration_minutes": 30, "mode": "phone"});
        async move { app.post(&meeting, &token, body).await }
    };
    // Amsterdam, 29 March 2026: 02:00 CET became 03:00 CEST; 02:30 is read as 03:30 CEST.
    let (s, m) = log("2026-03-29", "02:30").await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(m["held_at"], "2026-03-29T01:30:00Z", "{m}");
    // 26 October 2025: 02:30 happened twice; the first (CEST, +02:00) counts.
    let (s, m) = log("2025-10-26", "02:30").await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(m["held_at"], "2025-10-26T00:30:00Z", "{m}");

    // The programme was set up on 15 April 2026: a year before is the earliest date.
    let (s, m) = log("2025-04-15", "10:00").await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    for date in ["2025-04-14", "1900-01-01", "-9999-01-01"] {
        let (s, e) = log(date, "10:00").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{date}: {e}");
        assert_eq!(e["error"]["code"], "date_out_of_range", "{date}: {e}");
        assert!(e["error"]["message"].as_str().is_some_and(|m| m.contains("2025-04-15")), "the window is named: {e}");
    }
    let (s, e) = log("9999-01-01", "10:00").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["code"], "meeting_in_future", "{e}");
    let (s, list) = app.get(&meeting, &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(3), "only the three real meetings: {list}");

    // A mentorship starts at most two years ahead, at the earliest a year before the programme.
    let create = format!("/api/v1/programmes/{}/mentorships", w.programme);
    let members = json!([{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": w.outsider.id, "role": "mentee"}]);
    for (start, ok) in [
        ("2028-04-15", true),
        ("2025-04-15", true),
        ("2028-04-16", false),
        ("2025-04-14", false),
        ("9999-12-31", false),
        ("-9999-01-01", false),
    ] {
        let (s, b) = app.post(&create, &w.coordinator.token, json!({"members": members, "start_date": start})).await;
        if ok {
            assert_eq!(s, StatusCode::CREATED, "{start}: {b}");
        } else {
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{start}: {b}");
            assert_eq!(b["error"]["code"], "date_out_of_range", "{start}: {b}");
        }
    }
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{}/repair", w.mentorship),
            &w.coordinator.token,
            json!({"members": members, "start_date": "9999-01-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "date_out_of_range", "{b}");
    app.stop().await;
}

/// Names that start like a spreadsheet formula are written with a leading `'` in the
/// CSV export (OWASP), so opening the export runs nothing.
async fn csv_export_never_carries_a_formula(app: TestServer) {
    let w = World::build(&app).await;
    let names = ["=HYPERLINK(\"http://evil.example/\",\"klik\")", "+31 6 12345678", "-Łukasz Wiśniewski", "@Şükrü Öztürk"];
    let create = format!("/api/v1/programmes/{}/mentorships", w.programme);
    for (i, name) in names.iter().enumerate() {
        let id = app.create_user(&format!("risky{i}@example.org"), name, Some(PASSWORD), false).await;
        let members = json!([{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": id, "role": "mentee"}]);
        let (s, b) = app.post(&create, &w.coordinator.token, json!({"members": members})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/programmes/{}/health.csv", w.programme)))
        .bearer_auth(&w.coordinator.token)
        .send()
        .await
        .expect("csv");
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.expect("csv text");
    let mentees: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| {
            // The mentees column is the sixth; names hold no comma here except the
            // quoted HYPERLINK, whose field the writer wraps in quotes.
            let mut fields = Vec::new();
            let (mut field, mut quoted) = (String::new(), false);
            for c in l.chars() {
                match c {
                    '"' => quoted = !quoted,
                    ',' if !quoted => fields.push(std::mem::take(&mut field)),
                    c => field.push(c),
                }
            }
            fields.push(field);
            fields[5].clone()
        })
        .collect();
    assert!(mentees.contains(&"João Pereira".to_owned()), "{text}");
    for name in names {
        let unquoted = name.replace('"', "");
        assert!(mentees.contains(&format!("'{unquoted}")), "{name} starts with ': {mentees:?}\n{text}");
    }
    assert!(mentees.iter().all(|m| !m.starts_with(['=', '+', '-', '@'])), "{mentees:?}");
    app.stop().await;
}
