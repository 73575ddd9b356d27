//! The wall clock steps (an NTP correction, a VM resumed): on both backends, a step
//! back over the hour a digest or a reply reminder went out sends neither again, a step
//! forward over a whole day sends each once, not once per missed round, and a login
//! made just before a step back of a few minutes is renewed at once by its refresh.

use chrono::{DateTime, TimeZone, Utc};
use mentorpost_server::mail::{digest, reminders};
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(a_step_back_sends_nothing_twice_and_a_step_forward_nothing_late_twice);

fn ams(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Amsterdam.with_ymd_and_hms(2026, 10, day, hour, minute, 0).single().expect("a local time").with_timezone(&Utc)
}

async fn count(app: &TestServer, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = $1")
        .bind(kind.to_owned())
        .fetch_one(app.state.db.pool())
        .await
        .expect("count")
}

async fn rounds(app: &TestServer) {
    // As the scheduler does every 30 seconds (twice: two instances look).
    for _ in 0..2 {
        digest::schedule_due(&app.state).await.expect("digest round");
        reminders::schedule_due(&app.state).await.expect("reminder round");
    }
}

async fn a_step_back_sends_nothing_twice_and_a_step_forward_nothing_late_twice(app: TestServer) {
    app.clock.set(ams(5, 9, 0));
    let w = World::build(&app).await;
    // The mentee reads a daily digest at eight; the mentor by mail message by message,
    // and owes answers within 8 hours.
    let (s, b) = app
        .put(
            "/api/v1/me/mail",
            &w.mentee.token,
            json!({"mode": "daily", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app
        .put("/api/v1/me/mail", &w.mentor.token, json!({"mode": "each", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{}/agreement/rhythm", w.mentorship),
            &w.coordinator.token,
            json!({"contact_every_days": 7, "response_within_hours": 8, "meeting_rhythm": "weekly"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    w.post_message(&app, &w.mentee, "Kunnen we donderdag bellen?").await;
    rounds(&app).await;
    let (digests, reminders) = (count(&app, "digest").await, count(&app, "reminder").await);

    // The clock steps back five minutes just after a login: its access token now looks
    // issued in the future and is refused (more than a minute ahead), but the client's
    // refresh gets a working one at once — nothing stalls.
    let (token, refresh) = app.login(&w.mentor.email, mentorpost_tests::world::PASSWORD).await;
    app.clock.set(ams(5, 8, 55));
    let (s, b) = app.get("/api/v1/me", &token).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    assert_eq!(b["error"]["message"], "token not yet valid", "{b}");
    let (s, renewed) = app.call(reqwest::Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": refresh}))).await;
    assert_eq!(s, StatusCode::OK, "{renewed}");
    let (s, _) = app.get("/api/v1/me", renewed["access_token"].as_str().expect("token")).await;
    assert_eq!(s, StatusCode::OK, "the refreshed login works after the step back");

    // 15:30: the mentor's answer is due at 17:00 — one reminder.
    app.clock.set(ams(5, 15, 30));
    rounds(&app).await;
    assert_eq!(count(&app, "reminder").await, reminders + 1, "one reminder");
    // The clock steps back an hour and comes past 15:30 again: no second reminder.
    app.clock.set(ams(5, 14, 30));
    rounds(&app).await;
    app.clock.set(ams(5, 15, 45));
    rounds(&app).await;
    assert_eq!(count(&app, "reminder").await, reminders + 1, "the step back sent no second reminder");

    // The next morning's digest: the clock jumps from the evening straight to 10:00
    // (the rounds of the night never ran) — one digest, not one per missed round.
    app.clock.set(ams(6, 10, 0));
    rounds(&app).await;
    let after_jump = count(&app, "digest").await;
    assert_eq!(after_jump, digests + 1, "one digest after the jump");
    // Back to 07:50, then past 08:00 again: the day's digest is not sent twice.
    app.clock.set(ams(6, 7, 50));
    rounds(&app).await;
    app.clock.set(ams(6, 8, 5));
    rounds(&app).await;
    assert_eq!(count(&app, "digest").await, after_jump, "the step back sent no second digest");
    app.stop().await;
}
