//! Retention on both backends: a closed mentorship's members are warned 30 days before
//! its content goes, then every text they wrote is emptied in batches while the dates
//! and the coordinator's figures stay; the dry run changes nothing; a run repeats
//! safely; sent mail and expired credentials are swept; the programme setting is
//! checked at the edge.

use chrono::Duration;
use mentorpost_server::mail::retention::run_once;
use mentorpost_tests::web::{get, post_form, sign_in};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    closed_content_is_announced_then_removed,
    a_dry_run_changes_nothing,
    sent_mail_and_expired_credentials_are_swept,
    the_keeping_time_is_a_programme_setting
);

const WORDS: &str = "Ik twijfel over mijn contract bij de gemeente Łódź";

async fn scalar(app: &TestServer, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).bind(bind.to_owned()).fetch_one(app.state.db.pool()).await.expect("scalar")
}

/// The world's mentorship with words in every place a member writes, then closed.
async fn written_and_closed(app: &TestServer, w: &World) {
    for i in 0..3 {
        w.post_message(app, &w.mentee, &format!("{WORDS} ({i})")).await;
    }
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{}/agreement/content", w.mentorship),
            &w.mentor.token,
            json!({"ground_rules": WORDS, "goals": WORDS, "action_plan": WORDS}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let today = mentorpost_model::Clock::now(app.clock.as_ref()).date_naive();
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{}/meetings", w.mentorship),
            &w.mentor.token,
            json!({"date": today.to_string(), "duration_minutes": 45, "mode": "video", "note": WORDS,
                   "actions": [{"text": WORDS, "owner_id": w.mentee.id, "due_on": (today + Duration::days(7)).to_string()}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) =
        app.post(&format!("/api/v1/mentorships/{}/close", w.mentorship), &w.coordinator.token, json!({"reason": "completed"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

/// Every place where the words could still be.
async fn words_left(app: &TestServer) -> i64 {
    let like = format!("%{}%", &WORDS[..20]);
    let mut n = 0;
    for sql in [
        "SELECT COUNT(*) FROM messages WHERE body LIKE $1",
        "SELECT COUNT(*) FROM mentorships WHERE ground_rules LIKE $1 OR goals LIKE $1 OR action_plan LIKE $1",
        "SELECT COUNT(*) FROM agreement_versions WHERE agreement LIKE $1",
        "SELECT COUNT(*) FROM meetings WHERE note LIKE $1",
        "SELECT COUNT(*) FROM actions WHERE text LIKE $1",
    ] {
        n += scalar(app, sql, &like).await;
    }
    n
}

async fn closed_content_is_announced_then_removed(app: TestServer) {
    let w = World::build(&app).await;
    written_and_closed(&app, &w).await;
    assert!(words_left(&app).await > 0);
    let (s, figures_before) = app.get(&format!("/api/v1/mentorships/{}/health", w.mentorship), &w.coordinator.token).await;
    assert_eq!(s, StatusCode::OK, "{figures_before}");

    // 21 months on: nothing goes yet, and nobody is warned.
    app.clock.advance(Duration::days(650));
    let report = run_once(&app.state, false).await.expect("run");
    assert_eq!((report.warned, report.removed), (0, 0));

    // A month before (24 months are about 730 days): one warning to each member, once.
    app.clock.advance(Duration::days(60));
    let report = run_once(&app.state, false).await.expect("run");
    assert_eq!((report.warned, report.warning_mails, report.removed), (1, 2, 0));
    let report = run_once(&app.state, false).await.expect("run again");
    assert_eq!(report.warned, 0, "warned once");
    app.drain_outbox().await;
    let warnings: Vec<String> = app.mail_files().into_iter().filter(|m| m.contains("Message-ID: <retention.")).collect();
    assert_eq!(warnings.len(), 2, "mentor and mentee");
    let text = warnings[0].replace("=\r\n", "").replace("\r\n", "\n");
    assert!(text.contains("will be removed on") && text.contains("/settings"), "{text}");
    assert!(!text.contains(WORDS), "the warning quotes nothing");

    // After 24 months: the content goes, in batches; rows, dates and figures stay.
    app.clock.advance(Duration::days(31));
    let report = run_once(&app.state, false).await.expect("run");
    assert_eq!(report.removed, 1);
    assert_eq!(words_left(&app).await, 0, "no word of theirs is left");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM messages WHERE mentorship_id = $1 AND deleted_reason = 'retention'", &w.mentorship).await,
        4
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM threads WHERE mentorship_id = $1 AND subject <> ''", &w.mentorship).await, 0);
    let (mentee, _) = app.login(&w.mentee.email, PASSWORD).await;
    let (coordinator, _) = app.login(&w.coordinator.email, PASSWORD).await;
    let (_, figures_after) = app.get(&format!("/api/v1/mentorships/{}/health", w.mentorship), &coordinator).await;
    assert_eq!(figures_after["health"]["messages"], figures_before["health"]["messages"], "the contact still counts");
    assert_eq!(figures_after["health"]["last_contact_at"], figures_before["health"]["last_contact_at"]);
    let (s, page) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &mentee).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page["messages"].as_array().expect("messages").iter().all(|m| m["body"] == "" && m["deleted_reason"] == "retention"));
    let (cookie, _) = sign_in(&app, &w.mentee.email).await;
    let (_, html, _) = get(&app, &cookie, &format!("/threads/{}", w.thread)).await;
    assert!(html.contains("the programme keeps what members wrote for a set time"), "the thread says why");

    // Once is enough: a second run finds nothing, and a removal repeated changes nothing.
    let report = run_once(&app.state, false).await.expect("run");
    assert_eq!((report.warned, report.removed), (0, 0));
    let again = mentorpost_server::store::retention::remove_content(
        &app.state.db,
        w.mentorship.parse().expect("id"),
        mentorpost_model::Clock::now(app.clock.as_ref()),
    )
    .await
    .expect("repeat");
    assert_eq!(again, 0);
    app.stop().await;
}

async fn a_dry_run_changes_nothing(app: TestServer) {
    let w = World::build(&app).await;
    written_and_closed(&app, &w).await;
    app.clock.advance(Duration::days(30 * 25));
    // The mail already queued goes first, so only the dry run could change anything.
    app.drain_outbox().await;
    let before = app.snapshot().await;
    let report = run_once(&app.state, true).await.expect("dry run");
    assert!(report.dry_run);
    assert_eq!(report.removed, 1);
    assert_eq!(report.rows_changed, 4, "the messages it would empty");
    assert_eq!(app.snapshot().await, before, "a dry run writes nothing");
    assert!(words_left(&app).await > 0);
    app.stop().await;
}

async fn sent_mail_and_expired_credentials_are_swept(app: TestServer) {
    let w = World::build(&app).await;
    let (s, _) = app.call(reqwest::Method::POST, "/api/v1/auth/magic-link", None, Some(json!({"email": w.mentee.email}))).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    app.drain_outbox().await;
    let sent = scalar(&app, "SELECT COUNT(*) FROM outbox WHERE status = $1", "sent").await;
    assert!(sent >= 1, "{sent}");
    assert!(scalar(&app, "SELECT COUNT(*) FROM magic_links WHERE user_id = $1", &w.mentee.id.to_string()).await >= 1);

    // A day on: the link has expired; the mail is still within its 30 days.
    app.clock.advance(Duration::days(1));
    let report = run_once(&app.state, false).await.expect("run");
    assert!(report.swept.iter().any(|(what, n)| *what == "magic_links" && *n >= 1), "{:?}", report.swept);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM magic_links WHERE user_id = $1", &w.mentee.id.to_string()).await, 0);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox WHERE status = $1", "sent").await, sent);

    app.clock.advance(Duration::days(30));
    let dry = run_once(&app.state, true).await.expect("dry run");
    assert!(dry.swept.iter().any(|(what, n)| *what == "outbox_sent" && *n == u64::try_from(sent).unwrap_or(0)), "{:?}", dry.swept);
    run_once(&app.state, false).await.expect("run");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox WHERE status = $1", "sent").await, 0, "sent mail older than 30 days goes");
    app.stop().await;
}

async fn the_keeping_time_is_a_programme_setting(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    let path = format!("/coordinate/programmes/{}/settings/defaults", w.programme);
    let form = |months: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("timezone", "Europe/Amsterdam".to_owned()),
            ("contact_every_days", "14".to_owned()),
            ("response_within_hours", "72".to_owned()),
            ("not_started_days", "21".to_owned()),
            ("follow_up_months", "6".to_owned()),
            ("review_every_months", "4".to_owned()),
            ("retention_months", months.to_owned()),
        ]
    };
    for bad in ["3", "121", "twee jaar"] {
        let fields = form(bad);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, page, _) = post_form(&app, &cookie, &path, &fields).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(page.contains("Choose a number of months from 6 to 120."), "{bad}");
    }
    let fields = form("6");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, _, _) = post_form(&app, &cookie, &path, &fields).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(scalar(&app, "SELECT retention_months FROM programmes WHERE id = $1", &w.programme).await, 6);

    // With six months, the content goes six months after closing.
    written_and_closed(&app, &w).await;
    app.clock.advance(Duration::days(30 * 5));
    assert_eq!(run_once(&app.state, false).await.expect("run").removed, 0);
    app.clock.advance(Duration::days(35));
    assert_eq!(run_once(&app.state, false).await.expect("run").removed, 1);
    assert_eq!(words_left(&app).await, 0);
    app.stop().await;
}
