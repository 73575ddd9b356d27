//! The agreement as a contract (F3, G3, G6, G11), on both backends: its new fields saved
//! and checked (422 naming the field), every change kept as a version, confirming with
//! the charter (a change asks again; both confirmed → confirmed), what a coordinator
//! sees (whether and when, the rhythm — never a word of the content, on no page, CSV,
//! mail or log line), the web form, and confirming by replying "agree" (or "akkoord")
//! to the agreement mail through `/api/v1/inbound/email`.

use mentorpost_tests::web::{get, post_form, sign_in};
use mentorpost_tests::{INBOUND_SECRET as SECRET, MAIL_DOMAIN as DOMAIN, TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(
    start = mentorpost_tests::TestServer::start_for_mail;
    fields_are_saved_checked_and_kept_as_versions,
    a_change_asks_everyone_to_confirm_again,
    coordinators_see_whether_never_what,
    the_members_form_and_confirmation_on_the_web,
    agree_by_mail_confirms_and_is_answered
);

/// Seeded into every content field: no coordinator may ever read it.
const MARKER: &str = "ZQX-contract-5e1d";

/// The World's mentorship starts on 2026-09-01.
fn content(marker: &str) -> Value {
    json!({
        "goals": format!("Vóór 1 maart solliciteer ik bij drie gemeenten in Łódź en Utrecht {marker}"),
        "action_plan": format!("15 januari: cv klaar\n1 februari: drie vacatures gekozen {marker}"),
        "topics_excluded": format!("Mijn gezondheid {marker}"),
        "mentor_time": format!("Twee uur per maand {marker}"),
        "ending_early": format!("We zeggen het eerlijk en vragen Anneke {marker}"),
        "ground_rules": format!("Wat we bespreken blijft tussen ons {marker}"),
        "end_date": "2027-06-30",
    })
}

fn agreement_path(w: &World) -> String {
    format!("/api/v1/mentorships/{}/agreement", w.mentorship)
}

async fn put_content(app: &TestServer, w: &World, token: &str, body: Value) -> (StatusCode, Value) {
    app.put(&format!("{}/content", agreement_path(w)), token, body).await
}

async fn confirm(app: &TestServer, w: &World, token: &str, body: Value) -> (StatusCode, Value) {
    app.post(&format!("{}/confirm", agreement_path(w)), token, body).await
}

fn member<'a>(agreement: &'a Value, user: &str) -> &'a Value {
    agreement["confirmations"].as_array().and_then(|c| c.iter().find(|m| m["user_id"] == user)).expect("a member's confirmation")
}

async fn fields_are_saved_checked_and_kept_as_versions(app: TestServer) {
    let w = World::build(&app).await;
    let (s, a) = app.get(&agreement_path(&w), &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["version"], 1);
    assert_eq!(a["confirmed"], false);

    let (s, a) = put_content(&app, &w, &w.mentee.token, content(MARKER)).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["version"], 2);
    assert_eq!(a["content"]["end_date"], "2027-06-30");
    assert!(a["content"]["action_plan"].as_str().is_some_and(|p| p.contains("1 februari")), "{a}");
    assert_eq!(a["content"]["mentor_time"], format!("Twee uur per maand {MARKER}"));
    // Older clients send only ground rules and goals: the rest is empty, not an error.
    let (s, _) = app.get(&agreement_path(&w), &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK);

    // Each problem names its field; nothing is written.
    for (body, code, field) in [
        (json!({"goals": "x", "end_date": "2026-08-31"}), "end_before_start", "end_date"),
        (json!({"end_date": "2040-01-01"}), "too_far", "end_date"),
        (json!({"action_plan": "ż".repeat(10_001)}), "too_long", "action_plan"),
        (json!({"topics_excluded": "x".repeat(5_001)}), "too_long", "topics_excluded"),
        (json!({"mentor_time": "x".repeat(501)}), "too_long", "mentor_time"),
        (json!({"ending_early": "stop\u{7}"}), "control_characters", "ending_early"),
    ] {
        let (s, b) = put_content(&app, &w, &w.mentee.token, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {b}");
        assert_eq!(b["error"]["code"], code, "{b}");
        assert!(b["error"]["message"].as_str().is_some_and(|m| m.contains(field)), "{b}");
        assert!(!b.to_string().contains('ż'), "an error does not echo what was sent: {b}");
    }
    let (s, b) = put_content(&app, &w, &w.mentee.token, json!({"goal": "a typo"})).await;
    assert!(s.is_client_error(), "{b}");

    // The same content again makes no version; a changed rhythm does.
    let (_, a) = put_content(&app, &w, &w.mentor.token, content(MARKER)).await;
    assert_eq!(a["version"], 2, "{a}");
    let rhythm = json!({"contact_every_days": 14, "response_within_hours": 72, "meeting_rhythm": "om de week, videogesprek"});
    let (s, m) = app.put(&format!("{}/rhythm", agreement_path(&w)), &w.coordinator.token, rhythm).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["agreement_confirmed"], false);

    let (s, versions) = app.get(&format!("{}/versions", agreement_path(&w)), &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK, "{versions}");
    let list = versions.as_array().expect("versions");
    assert_eq!(list.iter().map(|v| v["version"].as_i64().unwrap_or(0)).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(list[0]["rhythm"]["contact_every_days"], 14);
    assert_eq!(list[0]["changed_by"]["display_name"], "Anneke de Vries");
    assert_eq!(list[1]["content"]["goals"], content(MARKER)["goals"]);
    assert_eq!(list[1]["changed_by"]["id"], w.mentee.id.to_string());
    assert_eq!(list[2]["content"]["goals"], "");
    assert!(list[2]["changed_by"].is_null(), "the first version is how it started: {}", list[2]);
    app.stop().await;
}

async fn a_change_asks_everyone_to_confirm_again(app: TestServer) {
    let w = World::build(&app).await;
    let (s, _) = put_content(&app, &w, &w.mentee.token, content(MARKER)).await;
    assert_eq!(s, StatusCode::OK);

    // Confirming accepts the charter, or it is no confirmation.
    let (s, b) = confirm(&app, &w, &w.mentor.token, json!({"accept_charter": false})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "charter_not_accepted");
    let (s, a) = confirm(&app, &w, &w.mentor.token, json!({"accept_charter": true, "version": 2})).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["confirmed"], false, "the mentee has not yet: {a}");
    assert_eq!(member(&a, &w.mentor.id.to_string())["current"], true);
    assert_eq!(member(&a, &w.mentor.id.to_string())["via"], "web");
    assert_eq!(member(&a, &w.mentee.id.to_string())["confirmed_version"], Value::Null);
    // Again: nothing new.
    let (s, again) = confirm(&app, &w, &w.mentor.token, json!({"accept_charter": true})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(member(&again, &w.mentor.id.to_string())["confirmed_at"], member(&a, &w.mentor.id.to_string())["confirmed_at"]);

    let (s, a) = confirm(&app, &w, &w.mentee.token, json!({"accept_charter": true})).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["confirmed"], true, "{a}");
    assert!(a["confirmed_at"].is_string(), "{a}");
    let (_, m) = app.get(&format!("/api/v1/mentorships/{}", w.mentorship), &w.coordinator.token).await;
    assert_eq!(m["agreement_confirmed"], true, "{m}");

    // The mentee changes a goal: version 3, and nobody has confirmed that one.
    app.clock.advance(chrono::Duration::minutes(1));
    let mut changed = content(MARKER);
    changed["goals"] = json!("Vóór 1 april: twee sollicitaties");
    let (_, a) = put_content(&app, &w, &w.mentee.token, changed).await;
    assert_eq!(a["version"], 3);
    assert_eq!(a["confirmed"], false);
    assert_eq!(member(&a, &w.mentor.id.to_string())["current"], false);
    assert_eq!(member(&a, &w.mentor.id.to_string())["confirmed_version"], 2);
    let (_, m) = app.get(&format!("/api/v1/mentorships/{}", w.mentorship), &w.coordinator.token).await;
    assert_eq!(m["agreement_confirmed"], false, "{m}");
    assert!(m["agreement_confirmed_at"].is_null(), "{m}");

    // Confirming what one read before the change is refused.
    let (s, b) = confirm(&app, &w, &w.mentor.token, json!({"accept_charter": true, "version": 2})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["error"]["code"], "agreement_changed");

    // The versions say who confirmed which.
    let (_, versions) = app.get(&format!("{}/versions", agreement_path(&w)), &w.mentee.token).await;
    let two = versions.as_array().and_then(|v| v.iter().find(|x| x["version"] == 2)).expect("version 2");
    let names = two["confirmed_by"].as_array().expect("names");
    assert_eq!(names.len(), 2, "{two}");
    let three = versions.as_array().and_then(|v| v.iter().find(|x| x["version"] == 3)).expect("version 3");
    assert_eq!(three["confirmed_by"], json!([]));

    // A former member confirms nothing, but reads the versions up to their leaving.
    let (s, b) = app
        .call(Method::DELETE, &format!("/api/v1/mentorships/{}/members/{}", w.mentorship, w.mentee.id), Some(&w.coordinator.token), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, _) = confirm(&app, &w, &w.mentee.token, json!({"accept_charter": true})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get(&format!("{}/versions", agreement_path(&w)), &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK);
    app.stop().await;
}

async fn coordinators_see_whether_never_what(app: TestServer) {
    let w = World::build(&app).await;
    mentorpost_tests::captured_log();
    let (s, _) = put_content(&app, &w, &w.mentee.token, content(MARKER)).await;
    assert_eq!(s, StatusCode::OK);
    for who in [&w.mentor, &w.mentee] {
        let (s, b) = confirm(&app, &w, &who.token, json!({"accept_charter": true})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    // The marker is real: the members read it.
    let (_, a) = app.get(&agreement_path(&w), &w.mentor.token).await;
    assert!(a.to_string().contains(MARKER));

    // The API: whether and when, the rhythm; every content route refused.
    for who in [&w.coordinator, &w.admin] {
        let (s, m) = app.get(&format!("/api/v1/mentorships/{}", w.mentorship), &who.token).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(m["agreement_confirmed"], true, "{m}");
        assert!(m["agreement_confirmed_at"].is_string(), "{m}");
        assert!(m["rhythm"]["contact_every_days"].is_number(), "{m}");
        assert!(!m.to_string().contains(MARKER), "{m}");
        for path in [agreement_path(&w), format!("{}/versions", agreement_path(&w))] {
            let (s, b) = app.get(&path, &who.token).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {b}");
            assert!(!b.to_string().contains(MARKER));
        }
        let (s, _) = confirm(&app, &w, &who.token, json!({"accept_charter": true})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        for path in [
            format!("/api/v1/programmes/{}/mentorships", w.programme),
            format!("/api/v1/programmes/{}/health", w.programme),
            format!("/api/v1/mentorships/{}/health", w.mentorship),
        ] {
            let (s, b) = app.get(&path, &who.token).await;
            assert_eq!(s, StatusCode::OK, "{path}");
            assert!(!b.to_string().contains(MARKER), "{path}: {b}");
        }
    }
    let (s, _) = app.get(&agreement_path(&w), &w.other_coordinator.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get(&format!("{}/versions", agreement_path(&w)), &w.outsider.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The coordinator's pages and CSV: one line about the agreement, no content.
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    let (s, page, _) = get(&app, &cookie, &format!("/coordinate/mentorships/{}", w.mentorship)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Confirmed on"), "{page}");
    for path in [
        format!("/coordinate/mentorships/{}", w.mentorship),
        format!("/coordinate/programmes/{}", w.programme),
        format!("/coordinate/programmes/{}/health.csv", w.programme),
        format!("/mentorships/{}", w.mentorship),
        format!("/mentorships/{}/agreement/versions", w.mentorship),
    ] {
        let (_, body, _) = get(&app, &cookie, &path).await;
        assert!(!body.contains(MARKER), "{path} shows the content");
        assert!(!body.contains("Łódź"), "{path} shows the content");
    }
    let (s, _, _) = get(&app, &cookie, &format!("/mentorships/{}/agreement/versions", w.mentorship)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A change after the coordinator's rhythm change: not confirmed any more, and said so.
    let rhythm = json!({"contact_every_days": 10, "response_within_hours": 48, "meeting_rhythm": "wekelijks"});
    let (s, m) = app.put(&format!("{}/rhythm", agreement_path(&w)), &w.coordinator.token, rhythm).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let (_, page, _) = get(&app, &cookie, &format!("/coordinate/mentorships/{}", w.mentorship)).await;
    assert!(page.contains("Not confirmed yet"), "{page}");

    // The agreement mails go to the members only; the coordinator's mail and the log
    // hold none of it.
    app.clock.advance(chrono::Duration::minutes(11));
    app.drain_outbox().await;
    let mails = app.mail_files();
    assert!(mails.iter().any(|m| m.contains(&w.mentee.email) && m.contains("agreement+")), "the members got the agreement");
    for m in mails.iter().filter(|m| m.contains(&w.coordinator.email) || m.contains(&w.admin.email)) {
        assert!(!m.contains(MARKER), "a mail to the coordinator shows the content:\n{m}");
    }
    mentorpost_server::mail::summary::schedule_due(&app.state).await.expect("summaries");
    app.drain_outbox().await;
    for m in app.mail_files().iter().filter(|m| !m.contains(&w.mentee.email) && !m.contains(&w.mentor.email)) {
        assert!(!m.contains(MARKER), "a mail to someone else shows the content:\n{m}");
    }
    let log = mentorpost_tests::captured_log();
    assert!(!log.contains(MARKER), "the log shows the content");
    app.stop().await;
}

async fn the_members_form_and_confirmation_on_the_web(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let path = format!("/mentorships/{}/agreement", w.mentorship);
    let fields = |end: &str, plan: &str| -> Vec<(&'static str, String)> {
        vec![
            ("csrf", csrf.clone()),
            ("contact_every_days", "7".to_owned()),
            ("response_within_hours", "48".to_owned()),
            ("meeting_rhythm", "Donderdagavond, videogesprek".to_owned()),
            ("goals", "Vóór maart een baan als data-analist".to_owned()),
            ("action_plan", plan.to_owned()),
            ("end_date", end.to_owned()),
            ("topics_excluded", "Geld".to_owned()),
            ("mentor_time", "Een uur per week".to_owned()),
            ("ending_early", "Eerlijk zeggen".to_owned()),
            ("ground_rules", "Binnen twee dagen antwoorden".to_owned()),
        ]
    };
    // Two problems at once, in the form's order, the typed text kept.
    let bad = fields("2026-08-01", &"x".repeat(10_001));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, page, _) = post_form(&app, &cookie, &path, &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let plan_at = page.find("href=\"#action_plan\"").expect("the plan's problem in the summary");
    let end_at = page.find("href=\"#end_date\"").expect("the end date's problem in the summary");
    assert!(plan_at < end_at, "the summary follows the form");
    assert!(page.contains("aria-invalid=\"true\"") && page.contains("Een uur per week"));

    let good = fields("2027-03-01", "1 februari: cv af");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, page, h) = post_form(&app, &cookie, &path, &good).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(h["location"], format!("/mentorships/{}?done=agreement#agreement", w.mentorship));
    let (_, a) = app.get(&agreement_path(&w), &w.mentor.token).await;
    assert_eq!(a["content"]["end_date"], "2027-03-01");
    assert_eq!(a["content"]["mentor_time"], "Een uur per week");

    // The confirmation: without the charter's box, a problem; with it, confirmed.
    let page_path = format!("/mentorships/{}", w.mentorship);
    let (_, page, _) = get(&app, &cookie, &page_path).await;
    assert!(page.contains("Netiquette and safety charter") && page.contains("id=\"charter\""), "{page}");
    assert!(page.contains("Not confirmed yet"), "{page}");
    let version = a["version"].to_string();
    let confirm_path = format!("{path}/confirm");
    let (s, page, _) = post_form(&app, &cookie, &confirm_path, &[("csrf", csrf.as_str()), ("version", version.as_str())]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#charter\""), "{page}");
    let (s, _, h) =
        post_form(&app, &cookie, &confirm_path, &[("csrf", csrf.as_str()), ("version", version.as_str()), ("charter", "yes")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], format!("/mentorships/{}?done=confirmed#agreement", w.mentorship));
    let (_, page, _) = get(&app, &cookie, &format!("{page_path}?done=confirmed")).await;
    assert!(page.contains("You confirmed this version. Waiting for Çağrı Yılmaz."), "{page}");
    assert!(!page.contains("id=\"charter\""), "no second confirmation form");

    // A confirmation of a version that changed meanwhile is refused with a clear word.
    let (mentor_cookie, mentor_csrf) = sign_in(&app, &w.mentor.email).await;
    let (_, page, _) = get(&app, &mentor_cookie, &page_path).await;
    assert!(page.contains("Confirm version 2"), "{page}");
    let stale = (a["version"].as_i64().unwrap_or(0) - 1).to_string();
    let (s, page, _) =
        post_form(&app, &mentor_cookie, &confirm_path, &[("csrf", mentor_csrf.as_str()), ("version", stale.as_str()), ("charter", "yes")])
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("The agreement changed while you read it"), "{page}");
    let (s, _, _) = post_form(
        &app,
        &mentor_cookie,
        &confirm_path,
        &[("csrf", mentor_csrf.as_str()), ("version", version.as_str()), ("charter", "yes")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page, _) = get(&app, &mentor_cookie, &page_path).await;
    assert!(page.contains("Confirmed by everyone on"), "{page}");
    let (s, page, _) = get(&app, &mentor_cookie, &format!("{path}/versions")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Version 2") && page.contains("Version 1") && page.contains("1 februari: cv af"), "{page}");
    app.stop().await;
}

fn reply_token(mail: &str) -> String {
    let at = mail.find("agreement+").expect("a reply address");
    mail[at + "agreement+".len()..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect()
}

fn reply(from: &str, token: &str, text: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: agreement+{token}@{DOMAIN}\r\nSubject: Re: agreement\r\nMessage-ID: <{}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n",
        uuid::Uuid::new_v4()
    )
    .into_bytes()
}

async fn inbound(app: &TestServer, mail: Vec<u8>) -> Value {
    let (s, r) = app.raw(Method::POST, "/api/v1/inbound/email", Some(SECRET), "message/rfc822", mail).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r
}

async fn agree_by_mail_confirms_and_is_answered(app: TestServer) {
    let w = World::build(&app).await;
    // The mentee reads in Dutch; the mentor wants no mail from this mentorship at all.
    let (s, b) = app.call(Method::PATCH, "/api/v1/me", Some(&w.mentee.token), Some(json!({"locale": "nl"}))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app.put(&format!("/api/v1/me/mail/mentorships/{}", w.mentorship), &w.mentor.token, json!({"mode": "off"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, a) = put_content(&app, &w, &w.mentor.token, content(MARKER)).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    // A second save soon after: still one mail, of the newest version.
    let mut newer = content(MARKER);
    newer["mentor_time"] = json!("Drie uur per maand");
    let (_, a) = put_content(&app, &w, &w.mentor.token, newer).await;
    assert_eq!(a["version"], 3);

    // The mail waits a few minutes, so a run of saves makes one mail.
    mentorpost_server::mail::outbox::dispatch_due(&app.state).await.expect("outbox round");
    assert!(!app.mail_files().iter().any(|m| m.contains("agreement+")), "nothing yet");
    app.clock.advance(chrono::Duration::minutes(11));
    app.drain_outbox().await;
    let mails: Vec<String> = app.mail_files().into_iter().filter(|m| m.contains("agreement+")).collect();
    assert_eq!(mails.len(), 1, "one mail, to the mentee only (the mentor turned mail off)");
    let mail = mails[0].clone();
    assert!(mail.contains(&w.mentee.email), "{mail}");
    let parsed = mail_parser::MessageParser::default().parse(mail.as_bytes()).expect("a mail");
    assert_eq!(parsed.subject(), Some("Jullie mentoringsovereenkomst, versie 3: lezen en bevestigen"));
    let text = parsed.body_text(0).expect("text").into_owned();
    for expected in ["Drie uur per maand", "1 februari", "Netiquette- en veiligheidshandvest (versie 1)", "akkoord", "30 juni 2027"] {
        assert!(text.contains(expected), "{expected} missing in:\n{text}");
    }
    let token = reply_token(&mail);

    // From another address, or not an agreement: nothing confirmed.
    let r = inbound(&app, reply("kees@example.nl", &token, "akkoord")).await;
    assert_eq!(r["outcome"], "rejected", "{r}");
    let r = inbound(&app, reply(&w.mentee.email, &token, "Kunnen we de doelen eerst nog bespreken?\n\n> akkoord")).await;
    assert_eq!(r["outcome"], "rejected", "{r}");
    let (_, a) = app.get(&agreement_path(&w), &w.mentee.token).await;
    assert_eq!(member(&a, &w.mentee.id.to_string())["current"], false);
    app.drain_outbox().await;
    let unclear = app.mail_files().into_iter().find(|m| m.contains("Je antwoord op de mail over de overeenkomst"));
    assert!(unclear.is_some(), "a polite word that it was not understood");

    // "Akkoord!" with the quoted mail below: confirmed by e-mail, and told so.
    let r = inbound(&app, reply(&w.mentee.email, &token, "Akkoord!\n\nJoão\n\n> Om deze versie te bevestigen")).await;
    assert_eq!(r["outcome"], "agreement_confirmed", "{r}");
    let (_, a) = app.get(&agreement_path(&w), &w.mentee.token).await;
    let mine = member(&a, &w.mentee.id.to_string());
    assert_eq!((mine["current"].clone(), mine["via"].clone(), mine["confirmed_version"].clone()), (json!(true), json!("email"), json!(3)));
    app.drain_outbox().await;
    let thanks = app.mail_files().into_iter().find(|m| m.contains("Je hebt de overeenkomst bevestigd")).expect("a confirmation mail");
    assert!(thanks.contains("agreement+"), "the answer can be answered too");
    assert!(thanks.contains("Auto-Submitted: auto-replied"), "{thanks}");

    // "agree" to an older version confirms nothing.
    let (_, a) = put_content(&app, &w, &w.mentor.token, content("een derde keer")).await;
    assert_eq!(a["version"], 4);
    let r = inbound(&app, reply(&w.mentee.email, &token, "akkoord")).await;
    assert_eq!(r["outcome"], "rejected", "{r}");
    let (_, a) = app.get(&agreement_path(&w), &w.mentee.token).await;
    assert_eq!(member(&a, &w.mentee.id.to_string())["current"], false, "{a}");
    // (The new version's own mail waits its few minutes.)
    app.clock.advance(chrono::Duration::minutes(11));
    app.drain_outbox().await;
    assert!(app.mail_files().iter().any(|m| m.contains("De overeenkomst is veranderd sinds die mail")), "told it changed");
    app.stop().await;
}
