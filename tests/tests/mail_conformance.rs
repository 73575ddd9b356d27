//! Every kind of mail the service sends, as a mail program receives it: the scenario
//! makes each one (a notification, a missed-message mail, a session, a digest, a reminder, a concern's notice, a new privacy notice, the
//! coordinators' summary, a sign-in link, an address confirmation, the security alerts
//! (a new device, a changed password, an added address), a notice, a
//! postmaster forward, an invitation, an agreement to confirm, a retention warning), the outbox writes them to files, and each file
//! is read back with `mail-parser` — a parser that shares nothing with lettre, which
//! wrote them. Each has `Message-ID` (at our domain), `Date`, `MIME-Version` and the
//! `Auto-Submitted` value of its kind; every link in its text part appears whole in
//! the raw mail (no soft line break or base64 hides or splits it), and where there is
//! an HTML part, its links are the text part's links.

use chrono::{DateTime, Duration, TimeZone, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use mentorpost_server::mail::tokens::TokenKind;
use mentorpost_server::store;
use mentorpost_tests::web::{post_form, sign_in};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{Backend, INBOUND_SECRET as SECRET, MAIL_DOMAIN as DOMAIN, TestServer, World};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// A link long enough that a 76-column encoding would have to break it.
const LINK: &str = "https://werk.example.nl/vacatures/2026/data-analist-gemeente-utrecht-afdeling-onderzoek?bron=mentorpost&week=49";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_kind_of_mail_is_complete_sqlite() {
    every_kind_of_mail_is_complete(TestServer::start_for_mail(Backend::Sqlite).await.expect("sqlite server")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_kind_of_mail_is_complete_postgres() {
    match TestServer::start_for_mail(Backend::Postgres).await {
        Some(app) => every_kind_of_mail_is_complete(app).await,
        None => eprintln!("PostgreSQL suite skipped: set {} to run it", mentorpost_tests::PG_ENV),
    }
}

fn ams(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Amsterdam.with_ymd_and_hms(2026, month, day, hour, minute, 0).single().expect("a local time").with_timezone(&Utc)
}

async fn inbound(app: &TestServer, raw: String) {
    let (s, b) = app.raw(Method::POST, "/api/v1/inbound/email", Some(SECRET), "message/rfc822", raw.into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

fn mail(from: &str, to: &str, subject: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Mon, 7 Sep 2026 10:00:00 +0200\r\nMessage-ID: <{}@client.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        uuid::Uuid::new_v4()
    )
}

/// The links of a text: `http(s)://` up to white space or a delimiter, without
/// trailing punctuation.
fn links(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("http") {
        let tail = &rest[at..];
        if tail.starts_with("http://") || tail.starts_with("https://") {
            let end = tail.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'')).unwrap_or(tail.len());
            out.insert(tail[..end].trim_end_matches(['.', ',', ';', ':', ')']).to_owned());
            rest = &tail[end..];
        } else {
            rest = &tail[4..];
        }
    }
    out
}

/// The `href`s of an HTML part (askama writes `&` as `&#38;`).
fn hrefs(html: &str) -> BTreeSet<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&#38;", "&").replace("&amp;", "&"))
        .filter(|h| h.starts_with("http"))
        .collect()
}

async fn every_kind_of_mail_is_complete(app: TestServer) {
    // Monday 7 September 2026, 09:00 in Amsterdam.
    app.clock.set(ams(9, 7, 9, 0));
    let w = World::build(&app).await;
    let mentee_id = w.mentee.id;
    let (s, b) = app
        .put("/api/v1/me/mail", &w.mentee.token, json!({"mode": "each", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{}/agreement/rhythm", w.mentorship),
            &w.coordinator.token,
            json!({"contact_every_days": 7, "response_within_hours": 48, "meeting_rhythm": "wekelijks"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // The agreement mail: the mentee writes the goals; both members are asked to confirm.
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{}/agreement/content", w.mentorship),
            &w.mentee.token,
            json!({"goals": format!("Een baan als data-analist, zoals {LINK}"), "action_plan": "Eerst het cv"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // A notification for each message, with a long link in the text.
    let body = format!("Dag João, kijk eens naar deze vacature, die past bij wat je zocht: {LINK}\n\nGroet, Çağrı");
    let (s, b) = app
        .post(
            &format!("/api/v1/threads/{}/messages", w.thread),
            &w.mentor.token,
            json!({"body": body, "client_msg_id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // A missed-message mail: the mentor reads on the web and leaves João's answer unread.
    let (s, b) = app
        .post(
            &format!("/api/v1/threads/{}/messages", w.thread),
            &w.mentee.token,
            json!({"body": "Dank je! Ik schrijf me in.", "client_msg_id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.clock.advance(Duration::minutes(11));
    app.drain_outbox().await;

    // A session with an action: João reads by mail, so he hears of it.
    let today = mentorpost_model::Clock::now(app.clock.as_ref()).date_naive().to_string();
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{}/meetings", w.mentorship),
            &w.mentor.token,
            json!({"date": today, "duration_minutes": 30, "mode": "phone", "learning_goal": format!("Solliciteren, zie {LINK}"),
                   "actions": [{"text": "Brief schrijven", "owner_id": mentee_id}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // A sign-in link and an address confirmation.
    let (s, b) = app.call(Method::POST, "/api/v1/auth/magic-link", None, Some(json!({"email": w.mentee.email}))).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let (s, page, _) = post_form(&app, &cookie, "/settings/emails", &[("csrf", csrf.as_str()), ("email", "joao.werk@example.org")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");

    // Security alerts: a sign-in from a browser never seen, a changed password, an
    // address added (to the account's address and to the new one).
    let resp = mentorpost_tests::web::browser()
        .post(app.url("/signin"))
        .headers(mentorpost_tests::web::same_origin())
        .header("user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0")
        .form(&[("email", w.mentee.email.as_str()), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (s, b) = app.put("/api/v1/me/password", &w.mentee.token, json!({"current_password": PASSWORD, "new_password": PASSWORD})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, b) = app.post(&format!("/api/v1/users/{mentee_id}/emails"), &w.admin.token, json!({"email": "joao.thuis@example.org"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // A notice (a vague subject for a new thread by mail) and a postmaster forward.
    let token = app.state.mailer.tokens.mentorship(mentee_id, w.mentorship.parse().expect("mentorship"));
    store::mail::remember_tokens(
        &app.state.db,
        vec![(token.clone(), TokenKind::Mentorship, mentee_id, None, Some(w.mentorship.parse().expect("mentorship")))],
        mentorpost_model::Clock::now(app.clock.as_ref()),
    )
    .await
    .expect("token");
    inbound(&app, mail(&w.mentee.email, &format!("mentorship+{token}@{DOMAIN}"), "Vraag", "Mag ik je iets vragen over Łódź?")).await;
    inbound(&app, mail("postmaster@mx.example.org", &format!("postmaster@{DOMAIN}"), "Rate limits", "Hello, a question.")).await;

    // An invitation, from the coordinator's people page.
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    let path = format!("/coordinate/programmes/{}/people", w.programme);
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "Şule Doğan"),
        ("email", "sule@example.org"),
        ("role", "mentee"),
        ("language", "nl"),
        ("timezone", "Europe/Amsterdam"),
    ];
    let (s, page, _) = post_form(&app, &cookie, &path, &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    app.drain_outbox().await;

    // A reminder: 37 of the 48 hours gone, João owes an answer to the mentor's
    // second message.
    let (mentor, _) = app.login(&w.mentor.email, PASSWORD).await;
    let (s, b) = app
        .post(
            &format!("/api/v1/threads/{}/messages", w.thread),
            &mentor,
            json!({"body": "Laat je weten hoe het ging?", "client_msg_id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.clock.advance(Duration::hours(37));
    mentorpost_server::mail::reminders::schedule_due(&app.state).await.expect("reminders");
    // By now the session's notes have long settled: its reflection invitations.
    mentorpost_server::mail::prompts::schedule_due(&app.state).await.expect("prompts");
    app.drain_outbox().await;

    // A daily digest (João switches; the next 08:00 brings it) and, on the Monday
    // after, the coordinators' weekly summary.
    let (mentee, _) = app.login(&w.mentee.email, PASSWORD).await;
    let (s, b) = app
        .put("/api/v1/me/mail", &mentee, json!({"mode": "daily", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (mentor, _) = app.login(&w.mentor.email, PASSWORD).await;
    let (s, b) = app
        .post(
            &format!("/api/v1/threads/{}/messages", w.thread),
            &mentor,
            json!({"body": format!("Nog een link: {LINK}"), "client_msg_id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.clock.set(ams(9, 9, 8, 1));
    let digests = mentorpost_server::mail::digest::schedule_due(&app.state).await.expect("digests");
    assert_eq!(digests, 1);
    app.clock.set(ams(9, 14, 8, 1));
    let summaries = mentorpost_server::mail::summary::schedule_due(&app.state).await.expect("summaries");
    assert_eq!(summaries, 2, "both coordinators");

    // A new privacy notice: Henk, who takes part by e-mail only, gets it by mail.
    let (coordinator, _) = app.login(&w.coordinator.email, PASSWORD).await;
    let (s, b) = app
        .post(
            "/api/v1/users",
            &coordinator,
            json!({"email": "henk.mail@example.org", "display_name": "Henk Jansen", "programme_id": w.programme}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = app
        .post(
            &format!("/api/v1/programmes/{}/privacy-notices", w.programme),
            &coordinator,
            json!({"text_en": format!("We keep what you write. Questions: {LINK}"), "text_nl": "We bewaren wat je schrijft."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // João shares the thread with the coordinator and lets the others read it: the
    // mentor is told by mail (signed in again: the clock moved on).
    let (mentee, _) = app.login(&w.mentee.email, PASSWORD).await;
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{}/concerns", w.mentorship),
            &mentee,
            json!({"kind": "thread", "thread_id": w.thread, "others_may_see": true, "note": "Graag even bellen."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.drain_outbox().await;

    // The retention warning: the mentorship closes, and 23½ months later its members
    // hear that its content goes in a month.
    let (coordinator, _) = app.login(&w.coordinator.email, PASSWORD).await;
    let (s, b) = app.post(&format!("/api/v1/mentorships/{}/close", w.mentorship), &coordinator, json!({"reason": "completed"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.clock.set(ams(9, 14, 8, 1) + Duration::days(715));
    let retention = mentorpost_server::mail::retention::run_once(&app.state, false).await.expect("retention");
    assert_eq!(retention.warned, 1);
    // João's export, built as a large one is: its link mailed.
    mentorpost_server::http::exports::build_and_mail(&app.state, w.mentee.id, w.mentee.id).await.expect("export");
    app.drain_outbox().await;

    // Every file, read back.
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let files = app.mail_files();
    for raw in &files {
        let msg = MessageParser::default().parse(raw.as_bytes()).expect("a mail parses");
        let subject = msg.subject().unwrap_or_default().to_owned();
        let id = msg.message_id().unwrap_or_default();
        assert!(id.ends_with(&format!("@{DOMAIN}")), "{subject}: Message-ID {id:?}");
        assert!(msg.date().is_some(), "{subject}: no Date");
        assert_eq!(msg.header_raw("MIME-Version").map(str::trim), Some("1.0"), "{subject}");
        assert!(raw.starts_with("Return-Path: <"), "{subject}: the file carries the envelope");
        let auto = msg.header_raw("Auto-Submitted").map(str::trim).unwrap_or_default().to_owned();
        let text = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
        assert!(!text.is_empty(), "{subject}: no text part");
        let text_links = links(&text);
        for link in &text_links {
            assert!(raw.contains(link.as_str()), "{subject}: {link} is not whole in the raw mail:\n{raw}");
        }
        let has_html = msg.parts.iter().any(|p| p.content_type().is_some_and(|c| c.subtype() == Some("html")));
        if let Some(html) = msg.body_html(0).filter(|_| has_html) {
            assert_eq!(hrefs(&html), text_links, "{subject}: the text and HTML parts link to different places:\n{text}");
        }
        let kind = match () {
            _ if subject.starts_with("Mail to postmaster") => "postmaster",
            _ if subject.contains("digest") => "digest",
            _ if subject.contains("summary") => "summary",
            _ if subject.starts_with("Your data from mentorpost") => "export",
            _ if subject.contains("login link") => "sign-in link",
            _ if subject.starts_with("Confirm your e-mail") => "address confirmation",
            _ if subject.starts_with("New sign-in") => "sign-in alert",
            _ if subject.contains("password was changed") => "password changed",
            _ if subject.starts_with("An address was added") => "address added",
            _ if subject.starts_with("Tip:") => "notice",
            _ if subject.starts_with("A reply is due") => "reminder",
            _ if subject.starts_with("Your mentorship's messages will be removed") => "retention",
            _ if subject.contains("logged your session") => "session",
            _ if text.contains("You have an unread message") => "missed",
            _ if msg.header_raw("Reply-To").is_some_and(|r| r.contains("invite+")) => "invitation",
            _ if msg.header_raw("Reply-To").is_some_and(|r| r.contains("agreement+")) => "agreement",
            _ if msg.header_raw("Reply-To").is_some_and(|r| r.contains("form+")) || subject.starts_with("Reminder: action") => "prompt",
            _ if subject.contains("shared something with the coordinator") => "concern",
            _ if msg.header_raw("Reply-To").is_some_and(|r| r.contains("privacy+")) => "privacy",
            _ if msg.header_raw("List-Id").is_some() => "notification",
            _ => panic!("a mail of no known kind: {subject}\n{raw}"),
        };
        let expected = if kind == "notice" { "auto-replied" } else { "auto-generated" };
        assert_eq!(auto, expected, "{kind} ({subject})");
        *kinds.entry(kind).or_default() += 1;
    }
    for kind in [
        "notification",
        "missed",
        "digest",
        "reminder",
        "summary",
        "sign-in link",
        "address confirmation",
        "sign-in alert",
        "password changed",
        "address added",
        "notice",
        "postmaster",
        "invitation",
        "session",
        "agreement",
        "prompt",
        "retention",
        "concern",
        "privacy",
        "export",
    ] {
        assert!(kinds.contains_key(kind), "no {kind} among {kinds:?}");
    }
    app.stop().await;
}
