//! E-mail out, against a real SMTP server on loopback: every mail the service sends
//! is parsed back with a MIME parser and its headers and parts checked.

use chrono::Duration as ChronoDuration;
use mentorpost_tests::smtp::{Received, SmtpServer, StallingRelay, parse};
use mentorpost_tests::{Backend, TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
const SUBJECT: &str = "Łódź — vraag over mentorschap, Çağrı";

async fn with_smtp(backend: Backend) -> Option<(TestServer, SmtpServer)> {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestServer::start_with(backend, |c| c.smtp_url = Some(url)).await?;
    Some((app, smtp))
}

/// Runs a scenario that needs the SMTP server on both backends.
macro_rules! with_smtp_on_both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let (app, smtp) = super::with_smtp(mentorpost_tests::Backend::Sqlite).await.expect("sqlite server");
                super::$name(app, smtp).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                match super::with_smtp(mentorpost_tests::Backend::Postgres).await {
                    Some((app, smtp)) => super::$name(app, smtp).await,
                    None => eprintln!("PostgreSQL suite skipped: set {} to run it", mentorpost_tests::PG_ENV),
                }
            }
        }
    )+};
}

with_smtp_on_both!(
    each_message_mail_has_the_promised_headers_and_parts,
    one_click_unsubscribe_turns_one_mentorship_off,
    smtp_outage_every_mail_arrives_once,
    refused_and_exhausted_mail_is_visible_to_admins,
    missed_message_mail_only_reading_suppresses_it,
    off_wins_and_quiet_hours_delay,
    daily_digest_once_per_period_at_the_readers_hour,
    switching_to_daily_after_its_hour_waits_for_the_next_one,
);
both_backends!(
    without_smtp_mail_is_written_as_files,
    one_statement_queues_a_whole_batch_of_messages,
    a_round_that_lost_its_claim_changes_nothing
);

mod a_silent_smtp_server_holds_up_one_mail_not_the_outbox {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        super::a_silent_smtp_server_holds_up_one_mail_not_the_outbox(mentorpost_tests::Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        super::a_silent_smtp_server_holds_up_one_mail_not_the_outbox(mentorpost_tests::Backend::Postgres).await;
    }
}

async fn set_mode(app: &TestServer, token: &str, mode: &str) {
    let (s, b) =
        app.put("/api/v1/me/mail", token, json!({"mode": mode, "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["settings"]["mode"], mode);
}

async fn new_thread(app: &TestServer, w: &World, subject: &str, body: &str) -> (String, String) {
    let (s, t) = app
        .post(&format!("/api/v1/mentorships/{}/threads", w.mentorship), &w.mentor.token, json!({"subject": subject, "body": body}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    (t["thread"]["id"].as_str().expect("thread").to_owned(), t["message"]["id"].as_str().expect("message").to_owned())
}

async fn reply(app: &TestServer, thread: &str, token: &str, body: &str) -> String {
    let (s, m) = app
        .post(
            &format!("/api/v1/threads/{thread}/messages"),
            token,
            json!({"body": body, "client_msg_id": uuid::Uuid::new_v4().to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    m["id"].as_str().expect("message id").to_owned()
}

fn header(mail: &Received, name: &str) -> String {
    parse(mail).header_raw(name).map(|v| v.replace("\r\n", "").trim().to_owned()).unwrap_or_default()
}

fn message_ids(mails: &[Received]) -> Vec<String> {
    mails.iter().map(|m| parse(m).message_id().expect("Message-ID").to_owned()).collect()
}

async fn outbox_status(app: &TestServer, id: &str) -> Option<String> {
    let row = sqlx::query("SELECT status FROM outbox WHERE id = $1").bind(id).fetch_optional(app.state.db.pool()).await.expect("query");
    row.map(|r| sqlx::Row::try_get::<String, _>(&r, 0).expect("status"))
}

/// Waits until the outbox row `id` has `status` (the worker records the outcome just
/// after the SMTP server accepted the mail).
async fn wait_status(app: &TestServer, id: &str, status: &str) {
    let mut progress = app.state.mailer.progress.subscribe();
    let reached = tokio::time::timeout(WAIT, async {
        while outbox_status(app, id).await.as_deref() != Some(status) {
            progress.changed().await.expect("mailer alive");
        }
    })
    .await;
    assert!(reached.is_ok(), "outbox row {id} never became {status}: {:?}", outbox_status(app, id).await);
}

/// Lets the outbox worker run everything due now, deterministically.
async fn drain(app: &TestServer) {
    mentorpost_server::mail::outbox::dispatch_due(&app.state).await.expect("outbox round");
}

async fn each_message_mail_has_the_promised_headers_and_parts(app: TestServer, smtp: SmtpServer) {
    let w = World::build(&app).await;
    set_mode(&app, &w.mentee.token, "each").await;
    let (thread, first) = new_thread(&app, &w, SUBJECT, "Hoi João,\n\nEen vraag over Łódź.\n\nÇağrı").await;
    let second = reply(&app, &thread, &w.mentor.token, "Nog één ding: de stage begint in maart.").await;
    let mails = smtp.wait_for(2, WAIT).await;
    assert_eq!(mails.len(), 2);
    let by_id = |id: &str| {
        mails
            .iter()
            .find(|m| parse(m).message_id() == Some(&format!("{id}.{}@mentorpost.localhost", w.mentee.id)))
            .expect("mail per message")
    };
    let root = format!("thread.{thread}@mentorpost.localhost");
    for (mail, message, is_reply) in [(by_id(&first), &first, false), (by_id(&second), &second, true)] {
        assert_eq!(mail.to, vec!["mentee@example.org".to_owned()]);
        let msg = parse(mail);
        let expected_subject = if is_reply { format!("Re: {SUBJECT}") } else { SUBJECT.to_owned() };
        assert_eq!(msg.subject(), Some(expected_subject.as_str()));
        let from = msg.from().and_then(|a| a.first()).expect("From");
        assert_eq!(from.name(), Some("Çağrı Yılmaz via mentorpost"));
        assert_eq!(from.address(), Some("notifications@mentorpost.localhost"));
        let reply_to = msg.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).expect("Reply-To").to_owned();
        let token = reply_to.strip_prefix("reply+").and_then(|r| r.strip_suffix("@mentorpost.localhost")).expect("reply+TOKEN@");
        assert_eq!(token.len(), 26, "130 bits in base32");
        assert_eq!(msg.in_reply_to().as_text(), Some(root.as_str()));
        assert_eq!(msg.references().as_text(), Some(root.as_str()));
        assert_eq!(header(mail, "Auto-Submitted"), "auto-generated");
        assert_eq!(header(mail, "X-Auto-Response-Suppress"), "All");
        assert_eq!(header(mail, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
        let unsubscribe = header(mail, "List-Unsubscribe");
        assert!(unsubscribe.starts_with(&format!("<{}/mail/unsubscribe/", app.base)), "{unsubscribe}");
        assert!(unsubscribe.contains(", <mailto:unsubscribe+"), "{unsubscribe}");
        let list_id = msg.list_id().as_address().and_then(|a| a.first()).and_then(|a| a.address()).expect("List-Id").to_owned();
        assert_eq!(list_id, format!("{}.mentorpost.localhost", w.mentorship));
        // Raw headers stay ASCII: non-ASCII goes in RFC 2047 encoded words.
        let raw = String::from_utf8(mail.data.clone()).expect("UTF-8 mail");
        let head = &raw[..raw.find("\r\n\r\n").expect("header end")];
        assert!(head.is_ascii(), "{head}");
        let text = msg.body_text(0).expect("text part").replace("\r\n", "\n");
        let html = msg.body_html(0).expect("html part");
        assert!(html.contains("<html lang=\"en\">"));
        assert!(text.contains(&format!("{}/threads/{thread}", app.base)), "{text}");
        if is_reply {
            assert!(text.contains("Nog één ding: de stage begint in maart."), "{text}");
            // A short excerpt of what it answers, not the whole thread again.
            assert!(!text.contains("Een vraag over Łódź"), "{text}");
        } else {
            assert!(text.contains("Hoi João,\n\nEen vraag over Łódź.\n\nÇağrı"), "{text}");
        }
        wait_status(&app, &format!("{message}.{}", w.mentee.id), "sent").await;
    }
    // The author gets no mail about their own message; the mentor's default is `live`,
    // so nothing goes to them now either.
    assert!(smtp.mails().iter().all(|m| m.to == vec!["mentee@example.org".to_owned()]));
    app.stop().await;
}

async fn one_click_unsubscribe_turns_one_mentorship_off(app: TestServer, smtp: SmtpServer) {
    let w = World::build(&app).await;
    set_mode(&app, &w.mentee.token, "each").await;
    reply(&app, &w.thread, &w.mentor.token, "Eerste bericht").await;
    let mails = smtp.wait_for(1, WAIT).await;
    let unsubscribe = header(&mails[0], "List-Unsubscribe");
    let url = unsubscribe.trim_start_matches('<').split('>').next().expect("https link").to_owned();

    // A GET (a mail scanner following the link) shows a button and changes nothing.
    let page = app.client.get(&url).send().await.expect("GET");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("page");
    assert!(html.contains("<form method=\"post\"") && html.contains("<button"), "{html}");
    let (_, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert_eq!(prefs["mentorships"], json!([]));

    // RFC 8058: a POST must carry List-Unsubscribe=One-Click; anything else (a link
    // checker's empty POST, another field, JSON) is refused and changes nothing.
    for (content_type, body) in [
        ("application/x-www-form-urlencoded", ""),
        ("application/x-www-form-urlencoded", "List-Unsubscribe=Yes"),
        ("application/json", r#"{"List-Unsubscribe":"One-Click"}"#),
        ("text/plain", "List-Unsubscribe=One-Click"),
    ] {
        let (s, b) = app.raw(Method::POST, url.trim_start_matches(&app.base), None, content_type, body.as_bytes().to_vec()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{content_type} {body:?}: {b}");
        assert_eq!(b["error"]["code"], "one_click_body_required", "{b}");
    }
    let empty = app.client.post(&url).send().await.expect("POST");
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST, "an empty POST unsubscribes nobody");
    let (_, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert_eq!(prefs["mentorships"], json!([]), "still subscribed");

    // RFC 8058: a POST without cookie or login switches this mentorship off at once.
    let done = app
        .client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("POST");
    assert_eq!(done.status(), StatusCode::OK);
    let (_, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert_eq!(prefs["mentorships"], json!([{"mentorship_id": w.mentorship, "mode": "off"}]));
    assert_eq!(prefs["settings"]["mode"], "each", "only that mentorship is off");

    let later = reply(&app, &w.thread, &w.mentor.token, "Na het afmelden").await;
    drain(&app).await;
    assert_eq!(outbox_status(&app, &format!("{later}.{}", w.mentee.id)).await, None, "nothing queued");
    assert_eq!(smtp.mails().len(), 1);

    // A made-up token is a 404, without login too.
    let bogus = format!("{}/mail/unsubscribe/aaaaaaaaaaaaaaaaaaaaaaaaaa", app.base);
    assert_eq!(app.client.post(&bogus).send().await.expect("POST").status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn smtp_outage_every_mail_arrives_once(app: TestServer, smtp: SmtpServer) {
    let w = World::build(&app).await;
    set_mode(&app, &w.mentee.token, "each").await;
    reply(&app, &w.thread, &w.mentor.token, "Voor de storing").await;
    smtp.wait_for(1, WAIT).await;

    let stopped = smtp.stop().await;
    let mut during = Vec::new();
    for i in 0..5 {
        during.push(reply(&app, &w.thread, &w.mentor.token, &format!("Tijdens de storing {i}")).await);
    }
    // Every attempt now fails and is put off with backoff.
    drain(&app).await;
    for id in &during {
        wait_status(&app, &format!("{id}.{}", w.mentee.id), "pending").await;
    }
    assert_eq!(stopped.mails().len(), 1);

    let smtp = stopped.start_again().await;
    app.clock.advance(ChronoDuration::minutes(5));
    let mails = smtp.wait_for(6, WAIT).await;
    drain(&app).await;
    let mails_after = smtp.mails();
    assert_eq!(mails_after.len(), 6, "every mail arrives, none twice");
    let ids = message_ids(&mails);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 6, "{ids:?}");
    for id in &during {
        assert!(ids.contains(&format!("{id}.{}@mentorpost.localhost", w.mentee.id)));
        wait_status(&app, &format!("{id}.{}", w.mentee.id), "sent").await;
    }
    app.stop().await;
}

async fn refused_and_exhausted_mail_is_visible_to_admins(app: TestServer, smtp: SmtpServer) {
    let w = World::build(&app).await;
    set_mode(&app, &w.mentee.token, "each").await;
    // A permanent refusal (550) fails at once.
    smtp.refuse("mentee@example.org");
    let refused = reply(&app, &w.thread, &w.mentor.token, "Wordt geweigerd").await;
    let refused_row = format!("{refused}.{}", w.mentee.id);
    wait_status(&app, &refused_row, "failed").await;

    // An unreachable server: retried with backoff until the attempts run out.
    let stopped = smtp.stop().await;
    let unreachable = reply(&app, &w.thread, &w.mentor.token, "Server weg").await;
    let row = format!("{unreachable}.{}", w.mentee.id);
    for _ in 0..mentorpost_server::mail::outbox::MAX_ATTEMPTS + 1 {
        drain(&app).await;
        app.clock.advance(ChronoDuration::hours(2));
    }
    drain(&app).await;
    assert_eq!(outbox_status(&app, &row).await.as_deref(), Some("failed"));
    drop(stopped);

    // Hours have passed on the server's clock: log in again.
    let (admin, _) = app.login(&w.admin.email, mentorpost_tests::world::PASSWORD).await;
    let (mentor, _) = app.login(&w.mentor.email, mentorpost_tests::world::PASSWORD).await;
    let (s, failed) = app.get("/api/v1/admin/mail/failed", &admin).await;
    assert_eq!(s, StatusCode::OK, "{failed}");
    let ids: Vec<&str> = failed.as_array().expect("list").iter().filter_map(|f| f["id"].as_str()).collect();
    assert!(ids.contains(&refused_row.as_str()) && ids.contains(&row.as_str()), "{failed}");
    let exhausted = failed.as_array().expect("list").iter().find(|f| f["id"] == row.as_str()).expect("row");
    assert_eq!(exhausted["attempts"], mentorpost_server::mail::outbox::MAX_ATTEMPTS);
    assert!(exhausted["last_error"].as_str().is_some_and(|e| !e.is_empty()));
    let (s, _) = app.get("/api/v1/admin/mail/failed", &mentor).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.stop().await;
}

async fn missed_message_mail_only_reading_suppresses_it(app: TestServer, smtp: SmtpServer) {
    let w = World::build(&app).await;
    // The mentee keeps a browser open but idle: an open WebSocket must not count as reading.
    let api = mentorpost_client::Api::login(&app.base, &w.mentee.email, mentorpost_tests::world::PASSWORD).await.expect("login");
    let mut live = mentorpost_client::Live::connect(&api).await.expect("connect");
    live.hello().await.expect("hello");
    let read_one = reply(&app, &w.thread, &w.mentor.token, "Deze lees je meteen").await;
    let (thread2, unread) = new_thread(&app, &w, "Tweede onderwerp", "Deze blijft ongelezen").await;
    let (s, b) = app.post(&format!("/api/v1/threads/{}/read", w.thread), &w.mentee.token, json!({"message_id": read_one})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    drain(&app).await;
    assert!(smtp.mails().is_empty(), "nothing before the delay");

    app.clock.advance(ChronoDuration::minutes(11));
    let mails = smtp.wait_for(1, WAIT).await;
    drain(&app).await;
    let mails_after = smtp.mails();
    assert_eq!(mails_after.len(), 1, "only the unread message is mailed");
    let msg = parse(&mails[0]);
    assert_eq!(msg.message_id(), Some(format!("{unread}.{}@mentorpost.localhost", w.mentee.id).as_str()));
    assert_eq!(msg.subject(), Some("Tweede onderwerp"));
    assert!(msg.body_text(0).expect("text").contains("You have an unread message"));
    assert_eq!(outbox_status(&app, &format!("{read_one}.{}", w.mentee.id)).await, None, "a message read in time queues no mail at all");
    let _ = thread2;
    live.close().await;
    app.stop().await;
}

async fn off_wins_and_quiet_hours_delay(app: TestServer, smtp: SmtpServer) {
    let w = World::build(&app).await;
    let (s, b) = app.post(&format!("/api/v1/threads/{}/read", w.thread), &w.mentee.token, json!({"message_id": w.first_message})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // General `off` beats a mentorship's own `each`.
    set_mode(&app, &w.mentee.token, "off").await;
    let (s, b) = app.put(&format!("/api/v1/me/mail/mentorships/{}", w.mentorship), &w.mentee.token, json!({"mode": "each"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let silent = reply(&app, &w.thread, &w.mentor.token, "Niemand krijgt mail").await;
    assert_eq!(outbox_status(&app, &format!("{silent}.{}", w.mentee.id)).await, None);

    // Quiet hours around the mentee's current local time: the mail waits until they end.
    let tz: chrono_tz::Tz = "Europe/Amsterdam".parse().expect("tz");
    let local = mentorpost_model::Clock::now(app.clock.as_ref()).with_timezone(&tz);
    let start = (local - ChronoDuration::hours(1)).format("%H:%M").to_string();
    let end = (local + ChronoDuration::hours(1)).format("%H:%M").to_string();
    let (s, b) = app
        .put(
            "/api/v1/me/mail",
            &w.mentee.token,
            json!({"mode": "each", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10, "quiet_start": start, "quiet_end": end}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let quiet = reply(&app, &w.thread, &w.mentor.token, "Tijdens de stille uren").await;
    drain(&app).await;
    // The background worker may hold the row a moment longer (it was handed the post's
    // mail too); either way it ends up waiting, unsent.
    wait_status(&app, &format!("{quiet}.{}", w.mentee.id), "pending").await;
    assert!(smtp.mails().is_empty());
    app.clock.advance(ChronoDuration::minutes(61));
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(parse(&mails[0]).message_id(), Some(format!("{quiet}.{}@mentorpost.localhost", w.mentee.id).as_str()));

    // Bad settings are precise 422s.
    let (mentee, _) = app.login(&w.mentee.email, mentorpost_tests::world::PASSWORD).await;
    let (outsider, _) = app.login(&w.outsider.email, mentorpost_tests::world::PASSWORD).await;
    let (s, b) = app
        .put("/api/v1/me/mail", &mentee, json!({"mode": "each", "digest_hour": 25, "digest_weekday": 1, "missed_delay_minutes": 10}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "out_of_range");
    let (s, _) = app
        .put("/api/v1/me/mail", &mentee, json!({"mode": "sometimes", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app.put(&format!("/api/v1/me/mail/mentorships/{}", w.mentorship), &outsider, json!({"mode": "off"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Security mail goes at once, whatever the preferences: `off` and inside quiet hours.
    let local = mentorpost_model::Clock::now(app.clock.as_ref()).with_timezone(&tz);
    let (start, end) =
        ((local - ChronoDuration::hours(1)).format("%H:%M").to_string(), (local + ChronoDuration::hours(1)).format("%H:%M").to_string());
    let (s, b) = app
        .put(
            "/api/v1/me/mail",
            &mentee,
            json!({"mode": "off", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10, "quiet_start": start, "quiet_end": end}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, _) = app.call(reqwest::Method::POST, "/api/v1/auth/magic-link", None, Some(json!({"email": w.mentee.email}))).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let mails = smtp.wait_for(2, WAIT).await;
    assert!(mails.iter().any(|m| parse(m).subject() == Some("Your mentorpost login link") && m.to == vec![w.mentee.email.clone()]));
    app.stop().await;
}

async fn without_smtp_mail_is_written_as_files(app: TestServer) {
    let w = World::build(&app).await;
    set_mode(&app, &w.mentee.token, "each").await;
    let message = reply(&app, &w.thread, &w.mentor.token, "Naar een bestand").await;
    let mut progress = app.state.mailer.progress.subscribe();
    let files = tokio::time::timeout(WAIT, async {
        loop {
            let files = app.mail_files();
            if !files.is_empty() {
                return files;
            }
            progress.changed().await.expect("mailer alive");
        }
    })
    .await
    .expect("a mail file");
    let msg = mail_parser::MessageParser::default().parse(files[0].as_bytes()).expect("parsable .eml");
    assert_eq!(msg.message_id(), Some(format!("{message}.{}@mentorpost.localhost", w.mentee.id).as_str()));
    assert!(msg.body_text(0).expect("text").contains("Naar een bestand"));
    app.stop().await;
}

async fn digest_rows(app: &TestServer) -> i64 {
    let row = sqlx::query("SELECT COUNT(*) FROM outbox WHERE kind = 'digest'").fetch_one(app.state.db.pool()).await.expect("count");
    sqlx::Row::try_get(&row, 0).expect("count")
}

async fn schedule_digests(app: &TestServer) {
    mentorpost_server::mail::digest::schedule_due(&app.state).await.expect("digest round");
}

async fn daily_digest_once_per_period_at_the_readers_hour(app: TestServer, smtp: SmtpServer) {
    use chrono::Timelike;
    let w = World::build(&app).await;
    let tz: chrono_tz::Tz = "Europe/Amsterdam".parse().expect("tz");
    let local = mentorpost_model::Clock::now(app.clock.as_ref()).with_timezone(&tz);
    let hour = (local.hour() + 1) % 24;
    // Quiet hours around the digest hour: they never delay a digest.
    let quiet_start = (local - ChronoDuration::hours(2)).format("%H:%M").to_string();
    let quiet_end = (local + ChronoDuration::hours(3)).format("%H:%M").to_string();
    let (s, b) = app
        .put(
            "/api/v1/me/mail",
            &w.mentee.token,
            json!({"mode": "daily", "digest_hour": hour, "digest_weekday": 1, "missed_delay_minutes": 10,
                   "quiet_start": quiet_start, "quiet_end": quiet_end}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{}/agreement/rhythm", w.mentorship),
            &w.mentor.token,
            json!({"contact_every_days": 7, "response_within_hours": 1, "meeting_rhythm": "weekly"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // Yesterday's period is due already and holds nothing: no mail.
    schedule_digests(&app).await;
    assert_eq!(digest_rows(&app).await, 0);

    let answer = reply(&app, &w.thread, &w.mentor.token, "Hier is het rooster voor maart.").await;
    let (thread2, _) = new_thread(&app, &w, SUBJECT, "Een nieuwe vraag, over Łódź.").await;
    assert_eq!(outbox_status(&app, &format!("{answer}.{}", w.mentee.id)).await, None, "digest readers get no mail per message");

    // The reader's hour comes: one digest, however often and from how many places the
    // scheduler looks.
    app.clock.advance(ChronoDuration::minutes(61 - i64::from(local.minute())));
    let (a, b) = tokio::join!(schedule_digests(&app), schedule_digests(&app));
    let _ = (a, b);
    schedule_digests(&app).await;
    assert_eq!(digest_rows(&app).await, 1);
    let mails = smtp.wait_for(1, WAIT).await;
    let digest = &mails[0];
    assert_eq!(digest.to, vec!["mentee@example.org".to_owned()]);
    let msg = parse(digest);
    assert_eq!(msg.subject(), Some("Your daily mentorpost digest: 3 new messages"));
    assert_eq!(header(digest, "Auto-Submitted"), "auto-generated");
    let text = msg.body_text(0).expect("text part").replace("\r\n", "\n");
    assert!(msg.body_html(0).is_some());
    for expected in [
        "Kennismaking: doelen voor het eerste kwartaal",
        SUBJECT,
        "Dag João, welkom!",
        "Hier is het rooster voor maart.",
        "Een nieuwe vraag, over Łódź.",
    ] {
        assert!(text.contains(expected), "{expected} missing in:\n{text}");
    }
    assert!(text.contains("Çağrı Yılmaz, João Pereira") || text.contains("João Pereira, Çağrı Yılmaz"), "mentorship label: {text}");
    let replies: HashSet<&str> = text.lines().filter_map(|l| l.strip_prefix("Reply to: ")).collect();
    assert_eq!(replies.len(), 2, "one reply address per thread: {text}");
    assert!(text.contains(&format!("{}/threads/{thread2}", app.base)));
    assert!(text.contains(&format!("{}/threads/{}", app.base, w.thread)));
    assert!(!text.contains("You owe a reply"), "nothing overdue yet: {text}");

    // Later the same day: no second digest.
    app.clock.advance(ChronoDuration::hours(3));
    schedule_digests(&app).await;
    assert_eq!(digest_rows(&app).await, 1);
    // The next day holds only what is new, and says which replies are overdue (F15):
    // the mentee has answered neither thread within the agreed hour.
    let (mentor, _) = app.login(&w.mentor.email, mentorpost_tests::world::PASSWORD).await;
    reply(&app, &thread2, &mentor, "Nog een vraag erbij.").await;
    app.clock.advance(ChronoDuration::hours(22));
    schedule_digests(&app).await;
    let mails = smtp.wait_for(2, WAIT).await;
    let second =
        mails.iter().map(parse).find(|m| m.subject() != Some("Your daily mentorpost digest: 3 new messages")).expect("second digest");
    assert_eq!(second.subject(), Some("Your daily mentorpost digest: 1 new message"));
    let text = second.body_text(0).expect("text").replace("\r\n", "\n");
    assert!(text.contains("Nog een vraag erbij.") && !text.contains("Hier is het rooster"), "{text}");
    assert!(text.contains("You owe a reply in 2 threads for longer than the agreed 1 hour."), "{text}");
    assert_ne!(second.message_id(), parse(&mails[0]).message_id());

    // A day with nothing new: no mail.
    app.clock.advance(ChronoDuration::hours(24));
    schedule_digests(&app).await;
    drain(&app).await;
    assert_eq!(digest_rows(&app).await, 2);
    assert_eq!(smtp.mails().len(), 2);
    app.stop().await;
}

/// Someone who switches to a daily digest at 15:05 with 09:00 as its hour gets no
/// digest now for the 09:00 that passed: exactly one, the next morning, holding what
/// they have neither read nor been mailed — from before the switch too.
async fn switching_to_daily_after_its_hour_waits_for_the_next_one(app: TestServer, smtp: SmtpServer) {
    use chrono::Timelike;
    let w = World::build(&app).await;
    let tz: chrono_tz::Tz = "Europe/Amsterdam".parse().expect("tz");
    let local = mentorpost_model::Clock::now(app.clock.as_ref()).with_timezone(&tz);
    // To 08:00 local time (today's or tomorrow's): a message before the digest hour,
    // which a digest sent late for today's 09:00 would carry.
    let minutes_now = i64::from(local.hour() * 60 + local.minute());
    app.clock.advance(ChronoDuration::minutes((8 * 60 - minutes_now).rem_euclid(24 * 60)));
    let (mentor, _) = app.login(&w.mentor.email, mentorpost_tests::world::PASSWORD).await;
    reply(&app, &w.thread, &mentor, "Vroeg, vóór negen uur.").await;
    // Then 15:05; tokens from before the jump have expired.
    app.clock.advance(ChronoDuration::minutes(7 * 60 + 5));
    let (mentor, _) = app.login(&w.mentor.email, mentorpost_tests::world::PASSWORD).await;
    let (mentee, _) = app.login(&w.mentee.email, mentorpost_tests::world::PASSWORD).await;
    reply(&app, &w.thread, &mentor, "Vóór de omschakeling geschreven.").await;
    let (s, b) = app
        .put("/api/v1/me/mail", &mentee, json!({"mode": "daily", "digest_hour": 9, "digest_weekday": 1, "missed_delay_minutes": 10}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.clock.advance(ChronoDuration::minutes(1));
    reply(&app, &w.thread, &mentor, "Na de omschakeling geschreven.").await;
    schedule_digests(&app).await;
    assert_eq!(digest_rows(&app).await, 0, "today's 09:00 passed before the switch: no digest now");

    // The next morning at 09:00: one digest, however often the scheduler looks.
    app.clock.advance(ChronoDuration::minutes(17 * 60 + 55));
    schedule_digests(&app).await;
    schedule_digests(&app).await;
    assert_eq!(digest_rows(&app).await, 1);
    let row = sqlx::query("SELECT id FROM outbox WHERE kind = 'digest'").fetch_one(app.state.db.pool()).await.expect("digest row");
    wait_status(&app, &sqlx::Row::try_get::<String, _>(&row, 0).expect("id"), "sent").await;
    let mails = smtp.mails();
    let digests: Vec<&Received> = mails.iter().filter(|m| parse(m).subject().is_some_and(|s| s.contains("digest"))).collect();
    assert_eq!(digests.len(), 1, "{:?}", mails.iter().map(|m| parse(m).subject().map(str::to_owned)).collect::<Vec<_>>());
    let text = parse(digests[0]).body_text(0).expect("text part").replace("\r\n", "\n");
    assert!(text.contains("Na de omschakeling geschreven."), "{text}");
    assert!(text.contains("Vóór de omschakeling geschreven."), "unread and never mailed: it comes now: {text}");
    app.clock.advance(ChronoDuration::hours(3));
    schedule_digests(&app).await;
    assert_eq!(digest_rows(&app).await, 1);
    app.stop().await;
}

/// Credentials come from the SMTP URL, percent-decoded; a wrong password is a
/// transient failure (the mail waits), the right one delivers.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn smtp_login_from_the_url() {
    let smtp = SmtpServer::start_with_login("mentor post", "p@ss:w/rd").await;
    let url = format!("smtp://mentor%20post:p%40ss%3Aw%2Frd@{}", smtp.addr);
    let app = TestServer::start_with(Backend::Sqlite, |c| c.smtp_url = Some(url)).await.expect("server");
    let w = World::build(&app).await;
    set_mode(&app, &w.mentee.token, "each").await;
    let message = reply(&app, &w.thread, &w.mentor.token, "Met inloggen").await;
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(parse(&mails[0]).message_id(), Some(format!("{message}.{}@mentorpost.localhost", w.mentee.id).as_str()));
    app.stop().await;

    let wrong = format!("smtp://mentor%20post:wrong@{}", smtp.addr);
    let app = TestServer::start_with(Backend::Sqlite, |c| c.smtp_url = Some(wrong)).await.expect("server");
    let w = World::build(&app).await;
    set_mode(&app, &w.mentee.token, "each").await;
    let message = reply(&app, &w.thread, &w.mentor.token, "Verkeerd wachtwoord").await;
    let row = format!("{message}.{}", w.mentee.id);
    drain(&app).await;
    wait_status(&app, &row, "pending").await;
    let attempts =
        sqlx::query("SELECT attempts, last_error FROM outbox WHERE id = $1").bind(&row).fetch_one(app.state.db.pool()).await.expect("row");
    let error: Option<String> = sqlx::Row::try_get(&attempts, "last_error").expect("last_error");
    assert!(error.is_some_and(|e| e.contains("authentication")), "the error names the cause");
    assert_eq!(smtp.mails().len(), 1);
    app.stop().await;
}

/// The write path may post many messages in one transaction: one call queues the
/// mail of the whole slice, per recipient and mode.
async fn one_statement_queues_a_whole_batch_of_messages(app: TestServer) {
    use mentorpost_server::store::mail::{PostedRef, enqueue_for_messages};
    let w = World::build(&app).await;
    set_mode(&app, &w.mentee.token, "each").await;
    let a = reply(&app, &w.thread, &w.mentor.token, "een").await;
    let b = reply(&app, &w.thread, &w.mentee.token, "twee").await;
    // Forget what the posts queued, then queue both again in one call.
    let started: i64 = sqlx::query_scalar("SELECT created_at FROM threads WHERE id = $1")
        .bind(&w.thread)
        .fetch_one(app.state.db.pool())
        .await
        .expect("thread start");
    let thread_started = chrono::DateTime::from_timestamp_millis(started).expect("a time");
    let posted: Vec<PostedRef> = [(&a, w.mentor.id), (&b, w.mentee.id)]
        .into_iter()
        .map(|(id, author)| PostedRef {
            mentorship_id: w.mentorship.parse().expect("mentorship"),
            thread_id: w.thread.parse().expect("thread"),
            message_id: id.parse().expect("message"),
            author_id: author,
            thread_started,
        })
        .collect();
    let now = mentorpost_model::Clock::now(app.clock.as_ref());
    app.state
        .db
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query("DELETE FROM outbox").execute(&mut *conn).await?;
                enqueue_for_messages(conn, &posted, now).await?;
                Ok::<_, mentorpost_server::db::StoreError>(())
            })
        })
        .await
        .expect("enqueue");
    let rows = sqlx::query("SELECT id, kind FROM outbox ORDER BY id").fetch_all(app.state.db.pool()).await.expect("rows");
    let mut got: Vec<(String, String)> =
        rows.iter().map(|r| (sqlx::Row::try_get(r, "id").expect("id"), sqlx::Row::try_get(r, "kind").expect("kind"))).collect();
    got.sort();
    assert_eq!(
        got,
        vec![(format!("{a}.{}", w.mentee.id), "notification".to_owned())],
        "each for the mentee; nothing for authors or the live mentor yet"
    );
    // The live mentor's missed-message mail is queued once the delay has passed unread.
    app.clock.advance(ChronoDuration::minutes(11));
    mentorpost_server::store::mail::queue_missed(&app.state.db, mentorpost_model::Clock::now(app.clock.as_ref())).await.expect("scan");
    let missed = format!("{b}.{}", w.mentor.id);
    let kind = sqlx::query("SELECT kind FROM outbox WHERE id = $1").bind(&missed).fetch_optional(app.state.db.pool()).await.expect("row");
    assert_eq!(kind.map(|r| sqlx::Row::try_get::<String, _>(&r, 0).expect("kind")).as_deref(), Some("missed"));
    app.stop().await;
}

/// A round whose claim ran out while it worked (a slow round, or the clock jumped) and
/// whose row another round claimed and sent must not put the row back: the next round
/// would send it a second time. Found by `edits.rs` under load; here step by step.
async fn a_round_that_lost_its_claim_changes_nothing(app: TestServer) {
    use mentorpost_server::store::mail::{Outcome, claim, finish_many};
    let now = mentorpost_model::Clock::now(app.clock.as_ref());
    // Due only far in the future, so the server's own worker leaves it alone.
    let due = now + ChronoDuration::days(30);
    let (due_ms, now_ms) = (due.timestamp_millis(), now.timestamp_millis());
    app.state
        .db
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO outbox (id, kind, rendered, to_address, status, not_before, attempts, created_at)
                     VALUES ('lost-claim', 'notice', 'Subject: x', 'ana@example.org', 'pending', $1, 0, $2)",
                )
                .bind(due_ms)
                .bind(now_ms)
                .execute(&mut *conn)
                .await?;
                Ok::<_, mentorpost_server::db::StoreError>(())
            })
        })
        .await
        .expect("row");
    let lease = ChronoDuration::minutes(5);
    let mine = |rows: Vec<mentorpost_server::store::mail::Claimed>| rows.into_iter().find(|r| r.id == "lost-claim").expect("claimed");
    let first = mine(claim(&app.state.db, 10, due, false, lease).await.expect("first claim"));
    // The first round's claim runs out; a second round takes the row over.
    let later = due + ChronoDuration::minutes(6);
    let second = mine(claim(&app.state.db, 10, later, true, lease).await.expect("second claim"));
    assert!(second.attempts > first.attempts);
    // The first round, late, wants to try again later; the second sent it.
    let put_back = Outcome::Later { at: later, error: None, count_attempt: false };
    finish_many(&app.state.db, vec![("lost-claim".into(), first.attempts, put_back)], later).await.expect("first finishes");
    assert_eq!(outbox_status(&app, "lost-claim").await.as_deref(), Some("sending"), "the stale round changed nothing");
    finish_many(&app.state.db, vec![("lost-claim".into(), second.attempts, Outcome::Sent)], later).await.expect("second finishes");
    assert_eq!(outbox_status(&app, "lost-claim").await.as_deref(), Some("sent"));
    // Nor can a stale round end a row another round holds.
    finish_many(&app.state.db, vec![("lost-claim".into(), first.attempts, Outcome::Failed("late".into()))], later).await.expect("again");
    assert_eq!(outbox_status(&app, "lost-claim").await.as_deref(), Some("sent"));
    app.stop().await;
}

/// An SMTP session that stops answering in the middle of a mail runs into the command
/// timeout: that mail is put off with the usual backoff, the mails after it go out, and
/// it goes out itself on its retry.
async fn a_silent_smtp_server_holds_up_one_mail_not_the_outbox(backend: Backend) {
    // Log lines of this process are captured from here on.
    mentorpost_tests::captured_log();
    let smtp = SmtpServer::start().await;
    // The first session hangs after EHLO; later ones reach the working server.
    let relay = StallingRelay::start(smtp.addr, 1).await;
    let url = relay.url();
    let Some(app) = TestServer::start_with(backend, |c| {
        c.smtp_url = Some(url);
        c.smtp_timeouts = mentorpost_server::config::SmtpTimeouts {
            connect: Duration::from_secs(10),
            command: Duration::from_secs(2),
            send: Duration::from_secs(20),
        };
    })
    .await
    else {
        return eprintln!("PostgreSQL suite skipped: set {} to run it", mentorpost_tests::PG_ENV);
    };
    let w = World::build(&app).await;
    set_mode(&app, &w.mentee.token, "each").await;

    let stuck = reply(&app, &w.thread, &w.mentor.token, "Blijft hangen bij de server").await;
    let stuck_row = format!("{stuck}.{}", w.mentee.id);
    relay.wait_hung(1, WAIT).await;
    wait_status(&app, &stuck_row, "pending").await;
    let row = sqlx::query("SELECT attempts, last_error, not_before FROM outbox WHERE id = $1")
        .bind(&stuck_row)
        .fetch_one(app.state.db.pool())
        .await
        .expect("row");
    let attempts: i64 = sqlx::Row::try_get(&row, 0).expect("attempts");
    let error: String = sqlx::Row::try_get(&row, 1).expect("last_error");
    let not_before: i64 = sqlx::Row::try_get(&row, 2).expect("not_before");
    assert_eq!(attempts, 1);
    assert!(error.contains("MAIL FROM") && error.contains("no answer"), "{error}");
    let retry_in = not_before - mentorpost_model::Clock::now(app.clock.as_ref()).timestamp_millis();
    assert!((25_000..=30_000).contains(&retry_in), "retried after the first backoff (30 s), not {retry_in} ms");
    // The retry is logged with the mail's id, its attempt, the next attempt and the
    // server's (lack of) reply — never the mail itself.
    let log = mentorpost_tests::captured_log();
    let line = log
        .lines()
        .find(|l| l.contains("mail not sent; trying again later") && l.contains(&stuck_row))
        .unwrap_or_else(|| panic!("no retry line for {stuck_row} in:\n{log}"));
    assert!(line.contains("attempt=1") && line.contains("next_attempt=") && line.contains("no answer"), "{line}");
    assert!(!line.contains("Blijft hangen"), "{line}");

    // The mails after it are not held up.
    let next = [
        reply(&app, &w.thread, &w.mentor.token, "Gaat gewoon door").await,
        reply(&app, &w.thread, &w.mentor.token, "Ook deze, Łukasz").await,
    ];
    let mails = smtp.wait_for(2, WAIT).await;
    let ids = message_ids(&mails);
    for id in &next {
        assert!(ids.contains(&format!("{id}.{}@mentorpost.localhost", w.mentee.id)), "{ids:?}");
    }

    // Its retry goes out, once.
    app.clock.advance(ChronoDuration::minutes(1));
    smtp.wait_for(3, WAIT).await;
    wait_status(&app, &stuck_row, "sent").await;
    let ids = message_ids(&smtp.mails());
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.contains(&format!("{stuck}.{}@mentorpost.localhost", w.mentee.id)), "{ids:?}");
    app.stop().await;
    relay.stop().await;
}
