//! The whole mentoring journey by e-mail alone (G2), on both backends, with the
//! server's clock carried forward: Henk is invited and says "ja" by mail, is paired,
//! agrees to the contract and writes his profile by mail, answers his reflection form after a session and
//! ticks off his action by mail, answers two periodic reviews (the second asks for a
//! change, which raises the mentorship for the coordinator), fills in the closing form
//! by mail — the mentorship closes when his mentor has too — and months later answers
//! the follow-up. Every mail he sends goes through the real SMTP listener; none of his
//! words reaches the coordinator.

use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, address::Envelope};
use mentorpost_server::mail::prompts::schedule_due;
use mentorpost_tests::web::{post_form, sign_in};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{Backend, INBOUND_SECRET, MAIL_DOMAIN, TestServer, World, both_backends};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const HENK: &str = "henk.jansen@example.nl";
/// In every word Henk writes: it must never reach the coordinator.
const MARK: &str = "QJX";

async fn start(backend: Backend) -> Option<TestServer> {
    TestServer::start_with(backend, |c| {
        c.inbound_secret = Some(INBOUND_SECRET.to_owned());
        c.mail_domain = MAIL_DOMAIN.to_owned();
        c.smtp_listen = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    })
    .await
}

both_backends!(
    start = super::start;
    an_email_only_mentee_goes_the_whole_journey_by_mail
);

/// Sends a mail from Henk through the SMTP listener; 250 means it was stored.
async fn send(app: &TestServer, to: &str, subject: &str, text: &str) {
    let mut addr = app.state.smtp_addr.subscribe();
    let addr = tokio::time::timeout(Duration::from_secs(10), addr.wait_for(Option::is_some)).await.expect("listener").expect("watch");
    let addr = (*addr).expect("address");
    let client = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string()).port(addr.port()).build();
    let raw = format!(
        "From: Henk Jansen <{HENK}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{}@example.nl>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
        uuid::Uuid::new_v4(),
        text.replace('\n', "\r\n")
    );
    let envelope = Envelope::new(Some(HENK.parse().expect("from")), vec![to.parse().expect("to")]).expect("envelope");
    let answer = client.send_raw(&envelope, raw.as_bytes()).await.expect("accepted");
    assert!(answer.is_positive());
}

/// The one mail to `to` whose subject holds `subject` that has not been read yet
/// (`seen` keeps the raw mails read): its text and Reply-To. The mails' Date is the
/// wall clock's, not the test clock's, so "newest" is what was not there before.
fn newest(app: &TestServer, seen: &mut std::collections::HashSet<String>, to: &str, subject: &str) -> (String, String) {
    let fresh: Vec<(String, String, String)> = app
        .mail_files()
        .into_iter()
        .filter(|raw| !seen.contains(raw))
        .filter_map(|raw| {
            let mail = mail_parser::MessageParser::default().parse(raw.as_bytes())?;
            let address = mail.to()?.first()?.address()?.to_owned();
            let title = mail.subject()?.to_owned();
            let reply_to = mail.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_owned();
            let body = mail.body_text(0)?.replace("\r\n", "\n");
            (address == to && title.contains(subject)).then_some((raw.clone(), body, reply_to))
        })
        .collect();
    assert_eq!(fresh.len(), 1, "one new mail to {to} about {subject:?}");
    let (raw, body, reply_to) = fresh.into_iter().next().unwrap_or_default();
    seen.insert(raw);
    (body, reply_to)
}

/// A reply that quotes the invitation and writes each answer under its question.
fn answer_under(invitation: &str, answers: &[(usize, &str)]) -> String {
    let mut out = String::from("Hierbij mijn antwoorden.\n\nOp ma schreef mentorpost:\n");
    for line in invitation.lines() {
        out.push_str(&format!("> {line}\n"));
        if let Some((_, answer)) = answers.iter().find(|(n, _)| line.starts_with(&format!("{n}. "))) {
            out.push_str(answer);
            out.push('\n');
        }
    }
    out
}

async fn round(app: &TestServer) {
    schedule_due(&app.state).await.expect("a prompt round");
    app.drain_outbox().await;
}

async fn days(app: &TestServer, n: i64) {
    app.clock.advance(chrono::Duration::days(n));
    round(app).await;
}

async fn an_email_only_mentee_goes_the_whole_journey_by_mail(app: TestServer) {
    let w = World::build(&app).await;
    let mut seen = std::collections::HashSet::new();

    // Invited by the coordinator; "ja" by mail makes Henk an e-mail-only participant.
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    let people = format!("/coordinate/programmes/{}/people", w.programme);
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "Henk Jansen"),
        ("email", HENK),
        ("role", "mentee"),
        ("language", "nl"),
        ("timezone", "Europe/Amsterdam"),
    ];
    let (s, page, _) = post_form(&app, &cookie, &people, &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    app.drain_outbox().await;
    let (_, invite_to) = newest(&app, &mut seen, HENK, "Uitnodiging");
    send(&app, &invite_to, "Re: Uitnodiging", "Ja, graag!").await;
    let henk: String =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(HENK).fetch_one(app.state.db.pool()).await.expect("Henk");

    // Paired with the mentor, who writes the agreement with an end date nine months on.
    let (s, m) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": henk, "role": "mentee"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let id = m["id"].as_str().expect("id").to_owned();
    if m["status"] == "proposed" {
        let (s, b) = app.post(&format!("/api/v1/mentorships/{id}/activate"), &w.coordinator.token, json!({})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let today = mentorpost_model::Clock::now(app.clock.as_ref()).date_naive();
    let end = today + chrono::Duration::days(270);
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{id}/agreement/content"),
            &w.mentor.token,
            json!({"goals": "Henk leert presenteren", "end_date": end.to_string(), "mentor_time": "twee uur per maand"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app.post(&format!("/api/v1/mentorships/{id}/agreement/confirm"), &w.mentor.token, json!({"accept_charter": true})).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // The contract by mail: "akkoord".
    app.clock.advance(chrono::Duration::minutes(11));
    round(&app).await;
    let (_, agreement_to) = newest(&app, &mut seen, HENK, "mentoringsovereenkomst");
    send(&app, &agreement_to, "Re: overeenkomst", "Akkoord").await;
    let (_, agreement) = app.get(&format!("/api/v1/mentorships/{id}/agreement"), &w.mentor.token).await;
    assert_eq!(agreement["confirmed"], true, "{agreement}");

    // He never opens the web app, so his profile is asked for by mail (G5).
    let (profile, profile_to) = newest(&app, &mut seen, HENK, "iets over jezelf");
    assert!(profile.contains("1. Achtergrond"), "{profile}");
    send(
        &app,
        &profile_to,
        "Re: over mij",
        &answer_under(&profile, &[(1, &format!("Monteur, 58 jaar {MARK}0")), (4, "Leren presenteren")]),
    )
    .await;
    let (_, profiles) = app.get(&format!("/api/v1/mentorships/{id}/profiles"), &w.mentor.token).await;
    assert!(profiles.to_string().contains(&format!("Monteur, 58 jaar {MARK}0")), "the mentor reads it: {profiles}");
    round(&app).await;
    assert!(newest(&app, &mut seen, HENK, "Je antwoorden zijn vastgelegd").0.contains("Monteur, 58 jaar"), "shown back to him");

    // A session, with an action for Henk due in five days; then his reflection by mail.
    let due = today + chrono::Duration::days(5);
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{id}/meetings"),
            &w.mentor.token,
            json!({"date": today.to_string(), "duration_minutes": 60, "mode": "video", "learning_goal": "Een opening vinden",
                   "actions": [{"text": "Drie openingszinnen oefenen", "owner_id": henk, "due_on": due.to_string()}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.clock.advance(chrono::Duration::minutes(11));
    round(&app).await;
    let (invitation, form_to) = newest(&app, &mut seen, HENK, "Je reflectie op de sessie");
    assert!(invitation.contains("3. Hoe ik me voelde"), "{invitation}");
    send(&app, &form_to, "Re: reflectie", &answer_under(&invitation, &[(3, &format!("Zenuwachtig, daarna trots {MARK}1"))])).await;
    let (mentor, _) = app.login(&w.mentor.email, PASSWORD).await;
    let (_, list) = app.get(&format!("/api/v1/mentorships/{id}/reflections"), &mentor).await;
    assert!(list.as_array().expect("list").iter().any(|r| r["answers"]["felt"] == format!("Zenuwachtig, daarna trots {MARK}1")), "{list}");
    round(&app).await;
    assert!(
        newest(&app, &mut seen, HENK, "Je antwoorden zijn vastgelegd").0.contains(&format!("{MARK}1")),
        "the recording is shown back to Henk"
    );

    // The day before the action's due date, past nine in the morning: a reminder, and
    // "klaar 1" ticks it off.
    app.clock.advance(chrono::Duration::hours(12));
    days(&app, 4).await;
    let (reminder, reminder_to) = newest(&app, &mut seen, HENK, "Herinnering: actie 1");
    assert!(reminder.contains("Drie openingszinnen oefenen"), "{reminder}");
    send(&app, &reminder_to, "Re: Herinnering", "klaar 1").await;
    let (mentor, _) = app.login(&w.mentor.email, PASSWORD).await;
    let (_, actions) = app.get(&format!("/api/v1/mentorships/{id}/actions"), &mentor).await;
    assert!(actions[0]["done_at"].is_string(), "{actions}");

    // Four months on: the first review, answered by mail.
    days(&app, 120).await;
    let (review, review_to) = newest(&app, &mut seen, HENK, "evaluatie");
    assert!(review.contains("5. Hoe tevreden ben je over het mentorschap?"), "{review}");
    let answers = [(1, format!("Ja, elke twee weken {MARK}2")), (5, "4".to_owned()), (6, "ja".to_owned())];
    let answers: Vec<(usize, &str)> = answers.iter().map(|(n, a)| (*n, a.as_str())).collect();
    send(&app, &review_to, "Re: evaluatie", &answer_under(&review, &answers)).await;
    let figures = mentorpost_server::store::reviews::figures(app.state.db.pool(), id.parse().expect("id")).await.expect("figures");
    assert_eq!(figures.round(), 1);
    assert!(!figures.asks_change());

    // Four months later the second, which asks for a change: the coordinator sees it.
    days(&app, 124).await;
    let (review, review_to) = newest(&app, &mut seen, HENK, "evaluatie");
    let answers = [(4, format!("Langzaam {MARK}3")), (5, "2".to_owned()), (6, "veranderen".to_owned())];
    let answers: Vec<(usize, &str)> = answers.iter().map(|(n, a)| (*n, a.as_str())).collect();
    send(&app, &review_to, "Re: evaluatie", &answer_under(&review, &answers)).await;
    let figures = mentorpost_server::store::reviews::figures(app.state.db.pool(), id.parse().expect("id")).await.expect("figures");
    assert_eq!(figures.round(), 2);
    assert!(figures.asks_change(), "the second review asks for a change");

    // Two weeks before the end date the closing step starts; Henk's closing form by
    // mail, his mentor's on the web: the mentorship closes.
    let left = (end - mentorpost_model::Clock::now(app.clock.as_ref()).date_naive()).num_days();
    days(&app, left - 13).await;
    let (closing, closing_to) = newest(&app, &mut seen, HENK, "afsluiten");
    let answers =
        [(1, format!("Het eerste gesprek {MARK}4")), (2, format!("Dank je wel voor je geduld {MARK}5")), (5, format!("Oefenen {MARK}6"))];
    let answers: Vec<(usize, &str)> = answers.iter().map(|(n, a)| (*n, a.as_str())).collect();
    send(&app, &closing_to, "Re: afsluiten", &answer_under(&closing, &answers)).await;
    let (mentor, _) = app.login(&w.mentor.email, PASSWORD).await;
    let (_, step) = app.get(&format!("/api/v1/mentorships/{id}/closing"), &mentor).await;
    assert!(step.to_string().contains(&format!("Dank je wel voor je geduld {MARK}5")), "the mentor keeps Henk's thanks: {step}");
    let (s, b) = app.put(&format!("/api/v1/mentorships/{id}/closing/form"), &mentor, json!({"key_moments": "De eerste presentatie"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, ms) = app.get(&format!("/api/v1/mentorships/{id}"), &mentor).await;
    assert_eq!(ms["status"], "closed", "{ms}");

    // Six months on: the follow-up, by mail, once. Six calendar months are at most 184
    // days, and the invitation goes at the prompt hour of its day: 185 days always reach it.
    days(&app, 185).await;
    let (follow_up, follow_up_to) = newest(&app, &mut seen, HENK, "paar maanden later");
    send(&app, &follow_up_to, "Re: follow-up", &answer_under(&follow_up, &[(1, &format!("Goed, ik presenteer nu zelf {MARK}7"))])).await;
    let given = mentorpost_server::store::closings::follow_up_of(app.state.db.pool(), id.parse().expect("id"), henk.parse().expect("henk"))
        .await
        .expect("follow-up");
    assert!(format!("{given:?}").contains(&format!("{MARK}7")), "{given:?}");

    // Nothing Henk wrote reached the coordinator: no mail, no page, no log line.
    mentorpost_server::mail::summary::schedule_due(&app.state).await.expect("summaries");
    app.drain_outbox().await;
    for raw in app.mail_files().iter().filter(|m| m.contains(&w.coordinator.email)) {
        assert!(!raw.contains(MARK), "a coordinator's mail shows Henk's words:\n{raw}");
    }
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    for path in [format!("/coordinate/programmes/{}", w.programme), format!("/coordinate/mentorships/{id}")] {
        let (s, page, _) = mentorpost_tests::web::get(&app, &cookie, &path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(!page.contains(MARK), "{path} shows Henk's words");
    }
    assert!(!mentorpost_tests::captured_log().contains(MARK), "the log shows Henk's words");
    app.stop().await;
}
