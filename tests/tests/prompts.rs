//! The journey's prompts on both backends: a logged session invites each member to
//! their reflection form by mail once its notes have settled; the reply, answers
//! written under the quoted questions, fills the form, a second reply changes it, and
//! a reply without answers is told how to answer; an action falling due reminds its
//! owner the day before; and however many rounds or instances run the scheduler, no
//! one is invited twice.

use mentorpost_server::mail::prompts::schedule_due;
use mentorpost_tests::{Backend, INBOUND_SECRET, MAIL_DOMAIN, TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(
    start = mentorpost_tests::TestServer::start_for_mail;
    a_session_invites_each_member_and_a_reply_fills_the_form,
    an_action_falling_due_reminds_its_owner_the_day_before,
    rounds_running_side_by_side_invite_each_member_once
);

fn today_plus(app: &TestServer, days: i64) -> String {
    (mentorpost_model::Clock::now(app.clock.as_ref()) + chrono::Duration::days(days)).date_naive().to_string()
}

async fn read_by_mail(app: &TestServer, token: &str) {
    let (s, b) =
        app.put("/api/v1/me/mail", token, json!({"mode": "each", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

async fn log_session(app: &TestServer, w: &World, actions: Value) -> Value {
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{}/meetings", w.mentorship),
            &w.mentor.token,
            json!({"date": today_plus(app, 0), "duration_minutes": 45, "mode": "video",
                   "learning_goal": "Feedback geven aan Zofia", "actions": actions}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b
}

async fn round(app: &TestServer) {
    schedule_due(&app.state).await.expect("a prompt round");
}

/// The mails to `to` whose subject contains `subject`, parsed.
fn mails_to(app: &TestServer, to: &str, subject: &str) -> Vec<(String, String, String)> {
    app.mail_files()
        .iter()
        .filter_map(|raw| {
            let mail = mail_parser::MessageParser::default().parse(raw.as_bytes())?;
            let address = mail.to()?.first()?.address()?.to_owned();
            let title = mail.subject()?.to_owned();
            let reply_to = mail.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_owned();
            let body = mail.body_text(0)?.replace("\r\n", "\n");
            (address == to && title.contains(subject)).then_some((title, body, reply_to))
        })
        .collect()
}

async fn reply(app: &TestServer, from: &str, to: &str, text: &str) -> Value {
    let raw = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Re: reflectie\r\nMessage-ID: <{}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        uuid::Uuid::new_v4(),
        text.replace('\n', "\r\n")
    );
    let (s, r) = app.raw(Method::POST, "/api/v1/inbound/email", Some(INBOUND_SECRET), "message/rfc822", raw.into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r
}

async fn a_session_invites_each_member_and_a_reply_fills_the_form(app: TestServer) {
    let w = World::build(&app).await;
    read_by_mail(&app, &w.mentee.token).await;
    read_by_mail(&app, &w.mentor.token).await;
    let meeting = log_session(&app, &w, json!([])).await;
    let meeting_id = meeting["id"].as_str().expect("meeting id").to_owned();

    // The notes settle first: nothing goes out at once.
    round(&app).await;
    app.drain_outbox().await;
    assert!(mails_to(&app, &w.mentee.email, "reflection").is_empty());

    app.clock.advance(chrono::Duration::minutes(11));
    round(&app).await;
    app.drain_outbox().await;
    let invitations = mails_to(&app, &w.mentee.email, "Your reflection on the session of");
    assert_eq!(invitations.len(), 1, "one invitation for the mentee");
    assert_eq!(mails_to(&app, &w.mentor.email, "Your reflection on the session of").len(), 1, "and one for the mentor");
    let (_, text, reply_to) = &invitations[0];
    assert!(reply_to.starts_with("form+") && reply_to.ends_with(MAIL_DOMAIN), "{reply_to}");
    for expected in
        ["1. What I wanted to achieve since the last session", "3. How I felt", "6. Questions for my mentor", "Your mentor reads"]
    {
        assert!(text.contains(expected), "{expected} missing: {text}");
    }
    assert!(mails_to(&app, &w.mentor.email, "Your reflection").iter().any(|(_, t, _)| t.contains("Questions to take to intervision")));

    // The mentee answers under the quoted questions.
    let quoted: String = text.lines().map(|l| format!("> {l}\n")).collect();
    let answered = quoted
        .replace("> 3. How I felt\n", "> 3. How I felt\nNerveus, daarna trots — Łucja hielp.\n")
        .replace("> 6. Questions for my mentor\n", "> 6. Questions for my mentor\nHoe geef ik feedback aan iemand die ouder is?\n");
    let r = reply(&app, &w.mentee.email, reply_to, &format!("Dank!\n\nOn Mon, Zofia wrote:\n{answered}")).await;
    assert_eq!(r["outcome"], "form_answered", "{r}");

    // The mentor reads it; it is about that session.
    let (s, list) = app.get(&format!("/api/v1/mentorships/{}/reflections", w.mentorship), &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let theirs: Vec<&Value> = list.as_array().expect("a list").iter().filter(|r| r["author_id"] == w.mentee.id.to_string()).collect();
    assert_eq!(theirs.len(), 1, "{list}");
    assert_eq!(theirs[0]["answers"]["felt"], "Nerveus, daarna trots — Łucja hielp.");
    assert_eq!(theirs[0]["answers"]["questions"], "Hoe geef ik feedback aan iemand die ouder is?");
    assert_eq!(theirs[0]["meeting_id"], meeting_id.as_str());

    // A short mail shows what was recorded.
    app.drain_outbox().await;
    let recorded = mails_to(&app, &w.mentee.email, "Your answers are recorded");
    assert_eq!(recorded.len(), 1);
    assert!(recorded[0].1.contains("How I felt\nNerveus, daarna trots — Łucja hielp."), "{}", recorded[0].1);

    // A second reply changes what it answers and keeps the rest: still one form.
    let r = reply(&app, &w.mentee.email, reply_to, "2. What I tried\nDe feedback eerst opschrijven.\n").await;
    assert_eq!(r["outcome"], "form_answered", "{r}");
    let (_, list) = app.get(&format!("/api/v1/mentorships/{}/reflections", w.mentorship), &w.mentor.token).await;
    let theirs: Vec<&Value> = list.as_array().expect("a list").iter().filter(|r| r["author_id"] == w.mentee.id.to_string()).collect();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["answers"]["tried"], "De feedback eerst opschrijven.");
    assert_eq!(theirs[0]["answers"]["felt"], "Nerveus, daarna trots — Łucja hielp.");

    // No answers at all: nothing recorded, and the way to answer.
    let r = reply(&app, &w.mentee.email, reply_to, "Bedankt, ik doe het later!").await;
    assert_eq!(r["outcome"], "rejected", "{r}");
    app.drain_outbox().await;
    let how = mails_to(&app, &w.mentee.email, "could not be read");
    assert_eq!(how.len(), 1);
    assert!(how[0].1.contains("1. What I wanted to achieve"), "{}", how[0].1);

    // From an address that is not the member's: nothing recorded.
    let r = reply(&app, "someone@example.net", reply_to, "3. How I felt\nVals.\n").await;
    assert_eq!(r["outcome"], "rejected", "{r}");

    // Later rounds invite nobody again.
    app.clock.advance(chrono::Duration::days(1));
    round(&app).await;
    app.drain_outbox().await;
    assert_eq!(mails_to(&app, &w.mentee.email, "Your reflection on the session of").len(), 1);
    app.stop().await;
}

async fn an_action_falling_due_reminds_its_owner_the_day_before(app: TestServer) {
    let w = World::build(&app).await;
    read_by_mail(&app, &w.mentee.token).await;
    // Agreed three days ahead of its due date; another one without a date.
    log_session(
        &app,
        &w,
        json!([
            {"text": "Drie openingszinnen oefenen met Ayşe", "owner_id": w.mentee.id, "due_on": today_plus(&app, 3)},
            {"text": "Een boek over feedback lenen", "owner_id": w.mentee.id},
        ]),
    )
    .await;
    round(&app).await;
    app.drain_outbox().await;
    assert!(mails_to(&app, &w.mentee.email, "Reminder: action").is_empty(), "not yet");

    // Two days on, past nine in the morning wherever the owner lives: the day before.
    app.clock.advance(chrono::Duration::days(2) + chrono::Duration::hours(14));
    round(&app).await;
    app.drain_outbox().await;
    let reminders = mails_to(&app, &w.mentee.email, "Reminder: action 1 is due");
    assert_eq!(reminders.len(), 1, "one reminder, for the dated action");
    let (_, text, reply_to) = &reminders[0];
    assert!(text.contains("1. Drie openingszinnen oefenen met Ayşe") && text.contains("\"done 1\""), "{text}");
    assert!(reply_to.starts_with("mentorship+"), "{reply_to}");

    // "done 1" to the reminder ticks it off.
    let r = reply(&app, &w.mentee.email, reply_to, "done 1").await;
    assert_eq!(r["outcome"], "actions_done", "{r}");
    round(&app).await;
    app.drain_outbox().await;
    assert_eq!(mails_to(&app, &w.mentee.email, "Reminder: action").len(), 1);
    app.stop().await;
}

/// Many rounds at once — on PostgreSQL also a second instance over the same database —
/// fire each timer once: every member of every session gets exactly one invitation.
async fn rounds_running_side_by_side_invite_each_member_once(app: TestServer) {
    let w = World::build(&app).await;
    read_by_mail(&app, &w.mentee.token).await;
    read_by_mail(&app, &w.mentor.token).await;
    const SESSIONS: usize = 12;
    for _ in 0..SESSIONS {
        log_session(&app, &w, json!([])).await;
    }
    app.clock.advance(chrono::Duration::minutes(11));
    let second = if app.backend == Backend::Postgres {
        let url = app.state.config.database_url.clone();
        let second = TestServer::start_with(Backend::Sqlite, move |c| {
            c.database_url = url;
            c.mail_domain = MAIL_DOMAIN.to_owned();
        })
        .await
        .expect("a second instance");
        second.clock.set(mentorpost_model::Clock::now(app.clock.as_ref()));
        Some(second)
    } else {
        None
    };
    let states: Vec<_> = std::iter::repeat_n(app.state.clone(), 3).chain(second.iter().map(|s| s.state.clone())).collect();
    let reports = futures_util::future::join_all(states.iter().map(schedule_due)).await;
    let fired: usize = reports.into_iter().map(|r| r.expect("a round").fired).sum();
    round(&app).await;
    // Every timer fires once: the rounds together (the server's own background round
    // may have fired some too) fired no more than there are fired timers.
    let fired_timers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM journey_timers WHERE fired_at IS NOT NULL")
        .fetch_one(app.state.db.pool())
        .await
        .expect("count");
    assert!(fired as i64 <= fired_timers, "{fired} firings of {fired_timers} timers");
    let timers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM journey_timers WHERE kind = 'reflection' AND fired_at IS NOT NULL")
        .fetch_one(app.state.db.pool())
        .await
        .expect("count");
    assert_eq!(timers, SESSIONS as i64);
    let per_person: Vec<(String, i64)> =
        sqlx::query_as("SELECT user_id, COUNT(*) FROM outbox WHERE kind = 'prompt' GROUP BY user_id ORDER BY user_id")
            .fetch_all(app.state.db.pool())
            .await
            .expect("counts");
    assert_eq!(per_person.len(), 2, "{per_person:?}");
    assert!(per_person.iter().all(|(_, n)| *n == SESSIONS as i64), "{per_person:?}");
    if let Some(second) = second {
        second.stop().await;
    }
    app.stop().await;
}
