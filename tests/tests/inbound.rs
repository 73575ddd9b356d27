//! E-mail in, on both backends: replies by token or by `References`, new threads by
//! mail, sender checks and their notices, automatic mail, bounces, attachments,
//! idempotency, bad mail, and the SMTP listener with a real SMTP client.

use mentorpost_server::mail::tokens::TokenKind;
use mentorpost_server::store;
use mentorpost_tests::{Backend, INBOUND_SECRET as SECRET, MAIL_DOMAIN as DOMAIN, TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

async fn start(backend: Backend) -> Option<TestServer> {
    TestServer::start_with(backend, |c| {
        c.inbound_secret = Some(SECRET.to_owned());
        c.mail_domain = DOMAIN.to_owned();
        c.smtp_listen = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        c.inbound.max_bytes = 256 * 1024;
    })
    .await
}

both_backends!(
    start = super::start;
    a_reply_by_token_posts_once_with_its_quote_kept,
    a_reply_from_a_stranger_posts_nothing_and_tells_the_owner,
    a_mail_to_the_mentorship_address_starts_a_thread_and_tips_on_vague_subjects,
    a_reply_whose_client_dropped_the_tag_is_found_by_references,
    automatic_mail_and_our_own_mail_are_recorded_never_posted,
    bounces_score_the_address_and_pause_its_mail,
    bounces_to_reply_and_mentorship_addresses_are_never_posted,
    a_report_that_maps_to_nobody_is_kept_for_the_admin_and_answered_by_nothing,
    an_abuse_complaint_pauses_mail_at_once,
    attachments_are_stored_listed_and_only_members_download_them,
    unreadable_mail_is_kept_as_failed_for_admins,
    former_members_cannot_post_by_mail,
    the_http_door_wants_its_secret,
    the_smtp_listener_takes_our_domain_only_and_stores_before_it_answers,
    the_smtp_listener_takes_the_null_sender_quoted_names_and_postmaster,
    check_ins_are_answered_on_the_web_or_by_mail_and_only_the_status_is_shown,
);

fn rfc2822_now() -> String {
    chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// A plain-text mail as a mail client writes it.
fn mail(from: &str, to: &str, subject: &str, extra_headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {}\r\nMessage-ID: <{}@client.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n{extra_headers}\r\n{body}",
        rfc2822_now(),
        uuid::Uuid::new_v4()
    )
    .into_bytes()
}

async fn send(app: &TestServer, raw: Vec<u8>) -> Value {
    let (s, b) = app.raw(Method::POST, "/api/v1/inbound/email", Some(SECRET), "message/rfc822", raw).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

async fn reply_address(app: &TestServer, user: mentorpost_model::UserId, thread: &str) -> String {
    let thread = thread.parse().expect("thread id");
    let token = app.state.mailer.tokens.reply(user, thread);
    store::mail::remember_tokens(&app.state.db, vec![(token.clone(), TokenKind::Reply, user, Some(thread), None)], chrono::Utc::now())
        .await
        .expect("token");
    format!("reply+{token}@{DOMAIN}")
}

async fn messages(app: &TestServer, w: &World, thread: &str) -> Vec<Value> {
    let (s, page) = app.get(&format!("/api/v1/threads/{thread}/messages"), &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    page["messages"].as_array().expect("messages").clone()
}

/// Outbox rows of the notice kind, as (to, headers and decoded text).
async fn notices(app: &TestServer) -> Vec<(String, String)> {
    let rows = sqlx::query("SELECT to_address, rendered FROM outbox WHERE kind = 'notice' ORDER BY created_at")
        .fetch_all(app.state.db.pool())
        .await
        .expect("notices");
    use sqlx::Row;
    rows.iter()
        .map(|r| {
            let raw: String = r.get(1);
            let parsed = mail_parser::MessageParser::default().parse(raw.as_bytes()).expect("a parsable notice");
            let text = parsed.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
            let headers = raw.split("\r\n\r\n").next().unwrap_or_default().to_owned();
            (r.get::<String, _>(0), format!("{headers}\n\n{text}"))
        })
        .collect()
}

/// Steps the outbox until a mail whose text satisfies `wanted` is written (the
/// background worker may have claimed it first: then its progress is awaited).
async fn wait_for_mail(app: &TestServer, wanted: impl Fn(&str) -> bool) -> String {
    let mut progress = app.state.mailer.progress.subscribe();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        mentorpost_server::mail::outbox::dispatch_due(&app.state).await.expect("outbox round");
        let found = app
            .mail_files()
            .iter()
            .filter_map(|m| mail_parser::MessageParser::default().parse(m.as_bytes()).and_then(|p| p.body_text(0).map(|t| t.into_owned())))
            .find(|t| wanted(t));
        if let Some(text) = found {
            return text;
        }
        if tokio::time::timeout_at(deadline, progress.changed()).await.is_err() {
            panic!("no such mail was written: {:?}", app.mail_files());
        }
    }
}

async fn a_reply_by_token_posts_once_with_its_quote_kept(app: TestServer) {
    let w = World::build(&app).await;
    let to = reply_address(&app, w.mentee.id, &w.thread).await;
    let body = "Dag Çağrı,\r\n\r\nDank je! Donderdag om 10:00 past mij goed.\r\n\r\nOn Mon, 30 Nov 2026 at 09:12, Çağrı Yılmaz <notifications@mentorpost.test> wrote:\r\n> Dag João, welkom!\r\n> Zullen we donderdag bellen?\r\n";
    let raw = mail("João Pereira <Mentee@Example.org>", &to, "Re: Kennismaking: doelen voor het eerste kwartaal", "", body);
    let receipt = send(&app, raw.clone()).await;
    assert_eq!(receipt["outcome"], "posted", "{receipt}");
    // The same mail again (a relay delivered twice): posted once.
    let again = send(&app, raw).await;
    assert_eq!(again["outcome"], "duplicate", "{again}");
    let list = messages(&app, &w, &w.thread).await;
    assert_eq!(list.len(), 2);
    let posted = &list[1];
    assert_eq!(posted["author_id"], json!(w.mentee.id));
    assert_eq!(posted["source"], "email");
    let text = posted["body"].as_str().expect("body");
    assert!(text.contains("Donderdag om 10:00 past mij goed."), "{text}");
    assert_eq!(receipt["message_id"], posted["id"]);
    // Whatever trimming cut is kept with the message, never lost.
    let quoted = posted["quoted"].as_str().unwrap_or("");
    assert!(text.contains("Zullen we donderdag bellen?") || quoted.contains("Zullen we donderdag bellen?"), "{posted}");
    let counts = store::inbound::outcome_counts(app.state.db.pool()).await.expect("counts");
    assert_eq!(counts, vec![("posted".to_owned(), 1)]);
    app.stop().await;
}

async fn a_reply_from_a_stranger_posts_nothing_and_tells_the_owner(app: TestServer) {
    let w = World::build(&app).await;
    let to = reply_address(&app, w.mentee.id, &w.thread).await;
    // Forged: no Authentication-Results, so the sender gets no answer (no backscatter).
    let forged = mail("Someone <someone@elsewhere.example>", &to, "Re: Kennismaking", "", "Ik ben João, echt waar.");
    let receipt = send(&app, forged).await;
    assert_eq!(receipt["outcome"], "rejected", "{receipt}");
    assert_eq!(messages(&app, &w, &w.thread).await.len(), 1);
    let sent = notices(&app).await;
    assert_eq!(sent.len(), 1, "only the owner is told: {sent:?}");
    assert_eq!(sent[0].0, w.mentee.email);
    assert!(sent[0].1.contains("someone@elsewhere.example"));
    // A second stranger mail the same day: no second notice to the owner.
    let again = mail("Someone <someone@elsewhere.example>", &to, "Re: Kennismaking", "", "Nog eens.");
    assert_eq!(send(&app, again).await["outcome"], "rejected");
    // Verified by the receiving MTA: the sender gets one polite explanation.
    let verified = mail(
        "Someone <someone@elsewhere.example>",
        &to,
        "Re: Kennismaking",
        "Authentication-Results: mx.mentorpost.test; spf=pass smtp.mailfrom=someone@elsewhere.example; dmarc=pass header.from=elsewhere.example\r\n",
        "Derde poging.",
    );
    assert_eq!(send(&app, verified).await["outcome"], "rejected");
    let sent = notices(&app).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[1].0, "someone@elsewhere.example");
    assert!(sent[1].1.contains("Auto-Submitted: auto-replied"), "{}", sent[1].1);
    app.stop().await;
}

async fn a_mail_to_the_mentorship_address_starts_a_thread_and_tips_on_vague_subjects(app: TestServer) {
    let w = World::build(&app).await;
    let (s, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{prefs}");
    let address = prefs["new_thread_addresses"][0]["address"].as_str().expect("a new-thread address").to_owned();
    assert!(address.starts_with("mentorship+") && address.ends_with(DOMAIN), "{address}");
    let clear = mail("mentee@example.org", &address, "Fwd: [mentor] Stage bij de gemeente Łódź", "", "Wat vind jij van deze stageplek?");
    let receipt = send(&app, clear).await;
    assert_eq!(receipt["outcome"], "thread_created", "{receipt}");
    let thread = receipt["thread_id"].as_str().expect("thread").to_owned();
    let (s, t) = app.get(&format!("/api/v1/threads/{thread}"), &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["subject"], "Stage bij de gemeente Łódź");
    assert!(notices(&app).await.is_empty(), "a clear subject gets no tip");
    let vague = mail("mentee@example.org", &address, "Vraag", "", "Hoe bereid ik mijn eerste klantgesprek voor?");
    let receipt = send(&app, vague).await;
    assert_eq!(receipt["outcome"], "thread_created", "{receipt}");
    let sent = notices(&app).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "mentee@example.org");
    assert!(sent[0].1.to_lowercase().contains("subject"), "{}", sent[0].1);
    app.stop().await;
}

async fn a_reply_whose_client_dropped_the_tag_is_found_by_references(app: TestServer) {
    let w = World::build(&app).await;
    let thread: mentorpost_model::ThreadId = w.thread.parse().expect("thread");
    let root = format!("<thread.{thread}@{DOMAIN}>");
    let raw = mail(
        "mentee@example.org",
        &format!("reply@{DOMAIN}"),
        "Re: Kennismaking",
        &format!("In-Reply-To: {root}\r\nReferences: {root}\r\n"),
        "Prima, tot donderdag.",
    );
    let receipt = send(&app, raw).await;
    assert_eq!(receipt["outcome"], "posted", "{receipt}");
    let list = messages(&app, &w, &w.thread).await;
    assert_eq!(list.last().expect("message")["author_id"], json!(w.mentee.id));
    // A general address without any reference: a helpful answer, nothing posted.
    let general = mail(
        "mentee@example.org",
        &format!("notifications@{DOMAIN}"),
        "Re: Je dagelijkse mentorpost-overzicht",
        "Authentication-Results: mx.mentorpost.test; dmarc=pass header.from=example.org; spf=pass smtp.mailfrom=example.org\r\n",
        "Bedankt!",
    );
    assert_eq!(send(&app, general).await["outcome"], "rejected");
    let sent = notices(&app).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "mentee@example.org");
    app.stop().await;
}

async fn automatic_mail_and_our_own_mail_are_recorded_never_posted(app: TestServer) {
    let w = World::build(&app).await;
    let to = reply_address(&app, w.mentee.id, &w.thread).await;
    let auto =
        mail("mentee@example.org", &to, "Automatic reply: Kennismaking", "Auto-Submitted: auto-replied\r\n", "I am out of the office.");
    assert_eq!(send(&app, auto).await["outcome"], "automatic");
    let own = mail(&format!("notifications@{DOMAIN}"), &to, "Re: Kennismaking", "", "Loop.");
    assert_eq!(send(&app, own).await["outcome"], "automatic");
    // Exchange puts X-Auto-Response-Suppress on ordinary mail: that alone is a person writing.
    let exchange = mail("mentee@example.org", &to, "RE: Kennismaking", "X-Auto-Response-Suppress: All\r\n", "Gewoon een antwoord.");
    assert_eq!(send(&app, exchange).await["outcome"], "posted");
    assert_eq!(messages(&app, &w, &w.thread).await.len(), 2);
    assert!(notices(&app).await.is_empty(), "automatic mail is never answered");
    app.stop().await;
}

fn dsn(to: &str, failed: &str, status: &str) -> Vec<u8> {
    let action = if status.starts_with('5') { "failed" } else { "delayed" };
    format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\nTo: {to}\r\nSubject: Undelivered Mail Returned to Sender\r\nDate: {date}\r\nMessage-ID: <{id}@mx.example.org>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nYour message could not be delivered.\r\n\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; {failed}\r\nAction: {action}\r\nStatus: {status}\r\nDiagnostic-Code: smtp; 550 {status} User unknown\r\n\r\n--b1--\r\n",
        date = rfc2822_now(),
        id = uuid::Uuid::new_v4()
    )
    .into_bytes()
}

async fn bounces_score_the_address_and_pause_its_mail(app: TestServer) {
    let w = World::build(&app).await;
    let token = app.state.mailer.tokens.bounce(w.mentee.id);
    store::mail::remember_tokens(&app.state.db, vec![(token.clone(), TokenKind::Bounce, w.mentee.id, None, None)], chrono::Utc::now())
        .await
        .expect("token");
    let to = format!("bounce+{token}@{DOMAIN}");
    assert_eq!(send(&app, dsn(&to, &w.mentee.email, "4.2.2")).await["outcome"], "bounce");
    let (_, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert!(prefs["paused_since"].is_null(), "one soft bounce pauses nothing: {prefs}");
    assert_eq!(send(&app, dsn(&to, &w.mentee.email, "5.1.1")).await["outcome"], "bounce");
    assert_eq!(send(&app, dsn(&to, &w.mentee.email, "5.1.1")).await["outcome"], "bounce");
    let (_, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert!(prefs["paused_since"].is_string(), "hard bounces pause mail: {prefs}");
    let programme = w.programme.parse().expect("programme");
    let bouncing = store::inbound::bouncing_in_programme(app.state.db.pool(), programme).await.expect("bouncing");
    assert_eq!(bouncing.len(), 1);
    assert_eq!(bouncing[0].0, w.mentee.id);
    // The coordinator sees who bounces, and nothing of what anyone wrote.
    let (s, seen) = app.get(&format!("/api/v1/programmes/{}/bouncing", w.programme), &w.coordinator.token).await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    assert_eq!(seen[0]["user_id"], json!(w.mentee.id), "{seen}");
    let (s, _) = app.get(&format!("/api/v1/programmes/{}/bouncing", w.programme), &w.other_coordinator.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Their mail is cancelled, not sent, while it bounces.
    let (s, _) = app
        .put("/api/v1/me/mail", &w.mentee.token, json!({"mode": "each", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10}))
        .await;
    assert_eq!(s, StatusCode::OK);
    w.post_message(&app, &w.mentor, "Nog een bericht voor João.").await;
    // The background worker may take the row first: wait on the outbox's progress.
    let mut progress = app.state.mailer.progress.subscribe();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        mentorpost_server::mail::outbox::dispatch_due(&app.state).await.expect("outbox round");
        let cancelled: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE user_id = $1 AND status = 'cancelled' AND last_error = 'address bouncing'",
        )
        .bind(w.mentee.id.to_string())
        .fetch_one(app.state.db.pool())
        .await
        .expect("count");
        if cancelled == 1 {
            break;
        }
        assert!(tokio::time::timeout_at(deadline, progress.changed()).await.is_ok(), "the mail to the bouncing address was not cancelled");
    }
    // They fixed their mailbox. Only the change is logged: calling again (a client
    // in a loop) adds no line at INFO.
    mentorpost_tests::captured_log();
    let resumed = |log: String| log.lines().filter(|l| l.contains("mail resumed") && l.contains(&w.mentee.id.to_string())).count();
    for _ in 0..3 {
        let (s, prefs) = app.post("/api/v1/me/mail/resume", &w.mentee.token, json!({})).await;
        assert_eq!(s, StatusCode::OK, "{prefs}");
        assert!(prefs["paused_since"].is_null());
    }
    assert_eq!(resumed(mentorpost_tests::captured_log()), 1, "{}", mentorpost_tests::captured_log());
    // A report that names no token of ours changes nothing: it is kept for the admins.
    assert_eq!(send(&app, dsn(&format!("bounce@{DOMAIN}"), &w.mentee.email, "5.1.1")).await["outcome"], "failed");
    assert!(notices(&app).await.is_empty(), "bounces are never answered");
    app.stop().await;
}

/// Every row in the outbox: a report must queue nothing at all.
async fn outbox_rows(app: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox").fetch_one(app.state.db.pool()).await.expect("outbox count")
}

/// A plain-text bounce as qmail writes it: no MIME report, only its words.
fn qmail_bounce(to: &str, failed: &str) -> Vec<u8> {
    format!(
        "Return-Path: <>\r\nFrom: MAILER-DAEMON@mail.example.cz\r\nTo: {to}\r\nSubject: failure notice\r\nDate: {date}\r\nMessage-ID: <{id}@mail.example.cz>\r\n\r\nHi. This is the qmail-send program at mail.example.cz.\r\nI'm afraid I wasn't able to deliver your message to the following addresses.\r\nThis is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n<{failed}>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n",
        date = rfc2822_now(),
        id = uuid::Uuid::new_v4()
    )
    .into_bytes()
}

async fn bounces_to_reply_and_mentorship_addresses_are_never_posted(app: TestServer) {
    let w = World::build(&app).await;
    let reply = reply_address(&app, w.mentee.id, &w.thread).await;
    let (_, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    let mentorship = prefs["new_thread_addresses"][0]["address"].as_str().expect("a new-thread address").to_owned();
    let before = (messages(&app, &w, &w.thread).await.len(), outbox_rows(&app).await);
    // A broken mail server bounces to the From/Reply-To address instead of the VERP one.
    for to in [&reply, &mentorship] {
        let receipt = send(&app, dsn(to, &w.mentee.email, "5.1.1")).await;
        assert_eq!(receipt["outcome"], "bounce", "{receipt}");
        let receipt = send(&app, qmail_bounce(to, &w.mentee.email)).await;
        assert_eq!(receipt["outcome"], "bounce", "{receipt}");
        assert!(receipt["thread_id"].is_null() && receipt["message_id"].is_null(), "{receipt}");
    }
    // A report claiming to come from the mentee herself is still a report.
    let forged = String::from_utf8(dsn(&reply, &w.mentee.email, "5.1.1"))
        .expect("utf-8")
        .replace("Mail Delivery System <MAILER-DAEMON@mx.example.org>", &format!("<{}>", w.mentee.email));
    assert_eq!(send(&app, forged.into_bytes()).await["outcome"], "bounce");
    assert_eq!(messages(&app, &w, &w.thread).await.len(), before.0, "no report is posted");
    let (s, threads) = app.get(&format!("/api/v1/mentorships/{}/threads", w.mentorship), &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK, "{threads}");
    assert_eq!(threads.as_array().map(Vec::len), Some(1), "no report starts a thread: {threads}");
    assert_eq!(outbox_rows(&app).await, before.1, "a report is answered by nothing");
    // They count against the token owner's verified address: her mail is paused.
    let (_, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert!(prefs["paused_since"].is_string(), "{prefs}");
    app.stop().await;
}

async fn a_report_that_maps_to_nobody_is_kept_for_the_admin_and_answered_by_nothing(app: TestServer) {
    let w = World::build(&app).await;
    let reply = reply_address(&app, w.mentee.id, &w.thread).await;
    let before = outbox_rows(&app).await;
    // No token of ours; a reply token whose owner is not the failed address; a system
    // sender's mail naming no recipient at all.
    let unknown = [
        dsn(&format!("bounce@{DOMAIN}"), "stranger@example.net", "5.1.1"),
        dsn(&reply, "stranger@example.net", "5.1.1"),
        mail("postmaster@example.net", &reply, "Notification", "", "Your message could not be processed."),
    ];
    for raw in unknown {
        let receipt = send(&app, raw).await;
        assert_eq!(receipt["outcome"], "failed", "{receipt}");
    }
    let (s, failed) = app.get("/api/v1/admin/inbound/failed", &w.admin.token).await;
    assert_eq!(s, StatusCode::OK, "{failed}");
    let reasons: Vec<&str> = failed.as_array().expect("list").iter().filter_map(|f| f["reason"].as_str()).collect();
    assert_eq!(reasons.iter().filter(|r| r.contains("maps to")).count(), 3, "{failed}");
    assert_eq!(outbox_rows(&app).await, before, "no notice, no \"add this address\" mail");
    let (_, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert!(prefs["paused_since"].is_null(), "a stranger's bounce pauses nobody: {prefs}");
    assert_eq!(messages(&app, &w, &w.thread).await.len(), 1);
    app.stop().await;
}

async fn an_abuse_complaint_pauses_mail_at_once(app: TestServer) {
    let w = World::build(&app).await;
    let token = app.state.mailer.tokens.bounce(w.mentee.id);
    store::mail::remember_tokens(&app.state.db, vec![(token.clone(), TokenKind::Bounce, w.mentee.id, None, None)], chrono::Utc::now())
        .await
        .expect("token");
    let before = outbox_rows(&app).await;
    // The provider's feedback loop writes to a general address; the returned original
    // carries our VERP address, the complainer redacted.
    let arf = format!(
        "From: Feedback Loop <fbl@isp.example.net>\r\nTo: fbl@{DOMAIN}\r\nSubject: Abuse report\r\nDate: {date}\r\nMessage-ID: <{id}@isp.example.net>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"arf\"\r\n\r\n--arf\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report.\r\n\r\n--arf\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: ExampleFBL/1.0\r\nVersion: 1\r\n\r\n--arf\r\nContent-Type: message/rfc822\r\n\r\nReturn-Path: <bounce+{token}@{DOMAIN}>\r\nFrom: Mentorpost <notifications@{DOMAIN}>\r\nTo: [redacted]\r\nSubject: New message\r\n\r\nText.\r\n\r\n--arf--\r\n",
        date = rfc2822_now(),
        id = uuid::Uuid::new_v4()
    );
    let receipt = send(&app, arf.into_bytes()).await;
    assert_eq!(receipt["outcome"], "bounce", "{receipt}");
    assert!(receipt["reason"].as_str().is_some_and(|r| r.contains("complaint")), "{receipt}");
    let (_, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert!(prefs["paused_since"].is_string(), "one complaint pauses mail: {prefs}");
    let programme = w.programme.parse().expect("programme");
    let bouncing = store::inbound::bouncing_in_programme(app.state.db.pool(), programme).await.expect("bouncing");
    assert_eq!(bouncing.iter().map(|b| b.0).collect::<Vec<_>>(), vec![w.mentee.id]);
    assert_eq!(outbox_rows(&app).await, before, "a complaint is answered by nothing");
    app.stop().await;
}

async fn attachments_are_stored_listed_and_only_members_download_them(app: TestServer) {
    let w = World::build(&app).await;
    let to = reply_address(&app, w.mentee.id, &w.thread).await;
    let pdf = b"%PDF-1.4 fake but bytes are bytes \x00\x01\x02";
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(pdf);
    let raw = format!(
        "From: mentee@example.org\r\nTo: {to}\r\nSubject: Re: Kennismaking\r\nDate: {}\r\nMessage-ID: <{}@client.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"xyz\"\r\n\r\n--xyz\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMijn cv, zoals beloofd.\r\n--xyz\r\nContent-Type: application/pdf; name=\"cv Łukasz.pdf\"\r\nContent-Disposition: attachment; filename*=utf-8''cv%20%C5%81ukasz.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--xyz--\r\n",
        rfc2822_now(),
        uuid::Uuid::new_v4()
    );
    assert_eq!(send(&app, raw.into_bytes()).await["outcome"], "posted");
    let list = messages(&app, &w, &w.thread).await;
    let attachment = &list[1]["attachments"][0];
    assert_eq!(attachment["name"], "cv Łukasz.pdf", "{}", list[1]);
    assert_eq!(attachment["size_bytes"], pdf.len());
    let url = attachment["url"].as_str().expect("url");
    let download = |token: String| {
        let (client, full) = (app.client.clone(), app.url(url));
        async move { client.get(full).bearer_auth(token).send().await.expect("download") }
    };
    let got = download(w.mentor.token.clone()).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.expect("bytes").as_ref(), pdf);
    assert_eq!(download(w.outsider.token.clone()).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(download(w.coordinator.token.clone()).await.status(), StatusCode::FORBIDDEN);
    // The mentor's notification of the reply lists the file with its link.
    let (s, _) = app
        .put("/api/v1/me/mail", &w.mentor.token, json!({"mode": "each", "digest_hour": 8, "digest_weekday": 1, "missed_delay_minutes": 10}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let to = reply_address(&app, w.mentee.id, &w.thread).await;
    let raw = format!(
        "From: mentee@example.org\r\nTo: {to}\r\nSubject: Re: Kennismaking\r\nMessage-ID: <{}@client.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"xyz\"\r\n\r\n--xyz\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nEn mijn motivatiebrief.\r\n--xyz\r\nContent-Type: application/pdf; name=\"brief.pdf\"\r\nContent-Disposition: attachment; filename=\"brief.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--xyz--\r\n",
        uuid::Uuid::new_v4()
    );
    assert_eq!(send(&app, raw.into_bytes()).await["outcome"], "posted");
    let listed = wait_for_mail(&app, |text| text.contains("brief.pdf")).await;
    // A link that opens in a browser: the web app's download, not the API's.
    assert!(listed.contains(&format!("{}/attachments/", app.base)), "{listed}");
    app.stop().await;
}

async fn unreadable_mail_is_kept_as_failed_for_admins(app: TestServer) {
    let w = World::build(&app).await;
    let garbage = b"\r\n\r\n\x00\xff\xfe".to_vec();
    let receipt = send(&app, garbage).await;
    assert!(receipt["outcome"] == "failed" || receipt["outcome"] == "rejected", "{receipt}");
    let (s, failed) = app.get("/api/v1/admin/inbound/failed?rejected=true", &w.admin.token).await;
    assert_eq!(s, StatusCode::OK, "{failed}");
    assert_eq!(failed.as_array().map(Vec::len), Some(1), "{failed}");
    assert!(failed[0]["reason"].as_str().is_some_and(|r| !r.is_empty()));
    let (s, _) = app.get("/api/v1/admin/inbound/failed", &w.coordinator.token).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.stop().await;
}

async fn former_members_cannot_post_by_mail(app: TestServer) {
    let w = World::build(&app).await;
    let to = reply_address(&app, w.mentee.id, &w.thread).await;
    let (s, b) = app
        .call(Method::DELETE, &format!("/api/v1/mentorships/{}/members/{}", w.mentorship, w.mentee.id), Some(&w.coordinator.token), None)
        .await;
    assert!(s.is_success(), "{s} {b}");
    let raw = mail("mentee@example.org", &to, "Re: Kennismaking", "", "Ben ik er nog?");
    assert_eq!(send(&app, raw).await["outcome"], "rejected");
    assert_eq!(messages(&app, &w, &w.thread).await.len(), 1);
    app.stop().await;
}

async fn the_http_door_wants_its_secret(app: TestServer) {
    let raw = mail("a@example.org", &format!("reply@{DOMAIN}"), "x", "", "y");
    let (s, b) = app.raw(Method::POST, "/api/v1/inbound/email", Some("wrong"), "message/rfc822", raw.clone()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    assert!(b["error"].is_object() || b["code"].is_string(), "{b}");
    let (s, _) = app.raw(Method::POST, "/api/v1/inbound/email", None, "message/rfc822", raw).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app.raw(Method::POST, "/api/v1/inbound/email", Some(SECRET), "message/rfc822", Vec::new()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    app.stop().await;
}

async fn the_smtp_listener_takes_our_domain_only_and_stores_before_it_answers(app: TestServer) {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, address::Envelope};
    let w = World::build(&app).await;
    let mut addr = app.state.smtp_addr.subscribe();
    let addr = tokio::time::timeout(Duration::from_secs(10), addr.wait_for(Option::is_some)).await.expect("listener").expect("watch");
    let addr = (*addr).expect("address");
    let to = reply_address(&app, w.mentee.id, &w.thread).await;
    let client = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string()).port(addr.port()).build();
    let raw = mail("mentee@example.org", &to, "Re: Kennismaking", "", "Via SMTP: tot donderdag, Çağrı!");
    let envelope = Envelope::new(Some("mentee@example.org".parse().expect("from")), vec![to.parse().expect("to")]).expect("envelope");
    let answer = client.send_raw(&envelope, &raw).await.expect("accepted");
    assert!(answer.is_positive());
    // 250 came after the message was stored: it is there now, without waiting.
    let list = messages(&app, &w, &w.thread).await;
    assert!(list.last().expect("message")["body"].as_str().is_some_and(|b| b.contains("Via SMTP")), "{list:?}");
    // Relaying is refused.
    let elsewhere =
        Envelope::new(Some("mentee@example.org".parse().expect("from")), vec!["x@example.com".parse().expect("to")]).expect("envelope");
    let refused = client.send_raw(&elsewhere, &raw).await;
    assert!(refused.is_err_and(|e| e.is_permanent()), "relaying must be refused");
    // Over the size limit: 552 at the end of DATA.
    let line = format!("{}\r\n", "x".repeat(76));
    let big = mail("mentee@example.org", &to, "Re: groot", "", &line.repeat(app.state.config.inbound.max_bytes / 78 + 10));
    let too_big = client.send_raw(&envelope, &big).await;
    assert!(too_big.is_err_and(|e| e.is_permanent()), "oversized mail must be refused");
    app.stop().await;
}

/// One SMTP conversation over a plain socket: no client library, so the test does not
/// share a sender's assumptions.
struct Talk {
    stream: tokio::io::BufReader<tokio::net::TcpStream>,
}

impl Talk {
    async fn open(addr: std::net::SocketAddr) -> Talk {
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let mut talk = Talk { stream: tokio::io::BufReader::new(stream) };
        assert_eq!(talk.reply().await.0, 220);
        talk
    }

    /// The server's reply: its code and every line's text (continuation lines `NNN-`).
    async fn reply(&mut self) -> (u16, String) {
        use tokio::io::AsyncBufReadExt;
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(Duration::from_secs(20), self.stream.read_line(&mut line)).await.expect("a reply in time");
            assert!(read.expect("read") > 0, "the server closed the connection; so far: {text}");
            text.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return (line.get(..3).and_then(|c| c.parse().ok()).expect("a reply code"), text);
            }
        }
    }

    async fn say(&mut self, line: &str) -> (u16, String) {
        use tokio::io::AsyncWriteExt;
        self.stream.get_mut().write_all(format!("{line}\r\n").as_bytes()).await.expect("write");
        self.reply().await
    }

    /// DATA, the mail (dot-stuffed), the end marker: the final reply.
    async fn data(&mut self, raw: &[u8]) -> (u16, String) {
        use tokio::io::AsyncWriteExt;
        assert_eq!(self.say("DATA").await.0, 354);
        let text = String::from_utf8_lossy(raw).replace("\r\n", "\n");
        let mut out = String::new();
        for line in text.lines() {
            out.push_str(if line.starts_with('.') { "." } else { "" });
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str(".\r\n");
        self.stream.get_mut().write_all(out.as_bytes()).await.expect("write");
        self.reply().await
    }
}

async fn inbound_rows(app: &TestServer, outcome: &str) -> Vec<(Option<String>, Option<String>)> {
    use sqlx::Row;
    sqlx::query("SELECT envelope_from, from_address FROM inbound_mail WHERE outcome = $1 ORDER BY received_at")
        .bind(outcome)
        .fetch_all(app.state.db.pool())
        .await
        .expect("inbound rows")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// RFC 5321 as other mail servers speak it: the null reverse-path `<>` that every
/// delivery report uses (with and without parameters), a quoted local part, and
/// `postmaster` (bare and at our domain), whose mail goes to the admins. Driven over a
/// raw socket, and the null sender once more through lettre.
async fn the_smtp_listener_takes_the_null_sender_quoted_names_and_postmaster(app: TestServer) {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, address::Envelope};
    let w = World::build(&app).await;
    let mut addr = app.state.smtp_addr.subscribe();
    let addr = tokio::time::timeout(Duration::from_secs(10), addr.wait_for(Option::is_some)).await.expect("listener").expect("watch");
    let addr = (*addr).expect("address");
    let token = app.state.mailer.tokens.bounce(w.mentee.id);
    store::mail::remember_tokens(&app.state.db, vec![(token.clone(), TokenKind::Bounce, w.mentee.id, None, None)], chrono::Utc::now())
        .await
        .expect("token");
    let bounce_to = format!("bounce+{token}@{DOMAIN}");

    let mut talk = Talk::open(addr).await;
    assert_eq!(talk.say("EHLO mx.example.org").await.0, 250);
    // A delivery report, from the null sender with the parameters Postfix adds.
    assert_eq!(talk.say("MAIL FROM:<> BODY=8BITMIME SIZE=1840").await.0, 250);
    assert_eq!(talk.say(&format!("RCPT TO:<{bounce_to}> NOTIFY=NEVER")).await.0, 250);
    let (code, text) = talk.data(&dsn(&bounce_to, &w.mentee.email, "5.1.1")).await;
    assert_eq!(code, 250, "{text}");
    assert!(text.contains("bounce"), "{text}");
    let bounces = inbound_rows(&app, "bounce").await;
    assert_eq!(bounces.len(), 1);
    assert_eq!(bounces[0].0.as_deref(), Some(""), "the null reverse-path is kept as it came: {bounces:?}");

    // Mail from the null sender that is no readable report is still never a message,
    // even to a reply address and looking like a person's.
    let to = reply_address(&app, w.mentee.id, &w.thread).await;
    assert_eq!(talk.say("MAIL FROM:<>").await.0, 250);
    assert_eq!(talk.say(&format!("RCPT TO:<{to}>")).await.0, 250);
    let (code, _) = talk.data(&mail(&w.mentee.email, &to, "Re: Kennismaking", "", "Dit lijkt een antwoord, maar komt van <>.")).await;
    assert_eq!(code, 250);
    assert_eq!(messages(&app, &w, &w.thread).await.len(), 1, "nothing posted");

    // A quoted local part, with a space in it.
    assert_eq!(talk.say("RSET").await.0, 250);
    assert_eq!(talk.say("MAIL FROM:<\"jan de vries\"@example.nl>").await.0, 250);
    assert_eq!(talk.say("RCPT TO:<x@example.com>").await.0, 550, "still no relaying");
    // Postmaster, bare and at our domain (case as the sender likes it).
    assert_eq!(talk.say("RCPT TO:<postmaster>").await.0, 250);
    assert_eq!(talk.say(&format!("RCPT TO:<PostMaster@{DOMAIN}>")).await.0, 250);
    let (code, text) = talk
        .data(&mail(
            "\"jan de vries\"@example.nl",
            "postmaster",
            "Blocklist question from Łódź",
            "",
            "Hello postmaster, why is our server refused?",
        ))
        .await;
    assert_eq!(code, 250, "{text}");
    assert_eq!(talk.say("QUIT").await.0, 221);
    assert_eq!(inbound_rows(&app, "postmaster").await.len(), 1);
    let forwarded = notices(&app).await;
    let to_admin: Vec<_> = forwarded.iter().filter(|(to, _)| to == &w.admin.email).collect();
    assert_eq!(to_admin.len(), 1, "{forwarded:?}");
    let forward = &to_admin[0].1;
    assert!(forward.contains("Subject: Mail to postmaster: Blocklist question from"), "{forward}");
    assert!(forward.contains("postmaster@mentorpost.test arrived from \"jan de vries\"@example.nl"), "{forward}");
    assert!(forwarded.iter().all(|(to, _)| to == &w.admin.email), "nothing else is answered: {forwarded:?}");

    // lettre writes the null sender too.
    let client = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string()).port(addr.port()).build();
    let envelope = Envelope::new(None, vec![bounce_to.parse().expect("to")]).expect("envelope");
    assert!(client.send_raw(&envelope, &dsn(&bounce_to, &w.mentee.email, "5.1.1")).await.expect("accepted").is_positive());
    assert_eq!(inbound_rows(&app, "bounce").await.len(), 3);
    app.stop().await;
}

/// STARTTLS with a configured certificate: the mail goes through an encrypted session
/// (a self-signed certificate made for the test with `openssl`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_smtp_listener_offers_starttls_with_a_certificate() {
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, address::Envelope};
    let certs = tempfile::tempdir().expect("temp dir");
    let (cert, key) = (certs.path().join("cert.pem"), certs.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    match made {
        Ok(out) if out.status.success() => {}
        other => {
            eprintln!("STARTTLS test skipped: `openssl` could not make a test certificate: {other:?}");
            return;
        }
    }
    let app = TestServer::start_with(Backend::Sqlite, |c| {
        c.inbound_secret = Some(SECRET.to_owned());
        c.mail_domain = DOMAIN.to_owned();
        c.smtp_listen = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        c.smtp_tls = Some((cert.clone(), key.clone()));
    })
    .await
    .expect("server");
    let w = World::build(&app).await;
    let mut addr = app.state.smtp_addr.subscribe();
    let addr = tokio::time::timeout(Duration::from_secs(10), addr.wait_for(Option::is_some)).await.expect("listener").expect("watch");
    let addr = (*addr).expect("address");
    let to = reply_address(&app, w.mentee.id, &w.thread).await;
    let tls = TlsParameters::builder("localhost".to_owned()).dangerous_accept_invalid_certs(true).build().expect("tls parameters");
    let client =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string()).port(addr.port()).tls(Tls::Required(tls)).build();
    let raw = mail("mentee@example.org", &to, "Re: Kennismaking", "", "Versleuteld verstuurd.");
    let envelope = Envelope::new(Some("mentee@example.org".parse().expect("from")), vec![to.parse().expect("to")]).expect("envelope");
    let answer = client.send_raw(&envelope, &raw).await.expect("accepted over STARTTLS");
    assert!(answer.is_positive());
    let list = messages(&app, &w, &w.thread).await;
    assert!(list.last().expect("message")["body"].as_str().is_some_and(|b| b.contains("Versleuteld")), "{list:?}");
    app.stop().await;
}

async fn check_ins_are_answered_on_the_web_or_by_mail_and_only_the_status_is_shown(app: TestServer) {
    let w = World::build(&app).await;
    let create = format!("/api/v1/mentorships/{}/check-ins", w.mentorship);
    let (s, _) = app.call(Method::POST, &create, Some(&w.mentor.token), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "members do not send check-ins");
    let (s, c) = app.call(Method::POST, &create, Some(&w.coordinator.token), None).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let (id, thread) = (c["id"].as_str().expect("id").to_owned(), c["thread_id"].as_str().expect("thread").to_owned());
    // Members see the question in its own thread.
    let (s, t) = app.get(&format!("/api/v1/threads/{thread}"), &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert!(t["subject"].as_str().is_some_and(|s| s.starts_with("Check-in")), "{t}");
    // On the web.
    let (s, b) = app.post(&format!("/api/v1/check-ins/{id}/answer"), &w.mentor.token, json!({"status": "going_well"})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    // By mail, with more to say: the status is recorded and the text is a message for the members.
    let to = reply_address(&app, w.mentee.id, &thread).await;
    let raw = mail("mentee@example.org", &to, "Re: Check-in", "", "2\r\n\r\nIk wil graag praten over mijn planning voor het afstuderen.");
    assert_eq!(send(&app, raw).await["outcome"], "posted");
    let list = || async {
        let (s, l) = app.get(&create, &w.coordinator.token).await;
        assert_eq!(s, StatusCode::OK, "{l}");
        l
    };
    let l = list().await;
    let status_of = |l: &Value, who: mentorpost_model::UserId| {
        l[0]["answers"].as_array().and_then(|a| a.iter().find(|x| x["user_id"] == json!(who)).map(|x| x["status"].clone()))
    };
    assert_eq!(status_of(&l, w.mentor.id), Some(json!("going_well")), "{l}");
    assert_eq!(status_of(&l, w.mentee.id), Some(json!("need_help")), "{l}");
    assert!(!l.to_string().contains("planning"), "only the status reaches the coordinator: {l}");
    // A bare answer by mail changes the status and posts nothing.
    let before = messages(&app, &w, &thread).await.len();
    let raw = mail("mentee@example.org", &to, "Re: Check-in", "", "1");
    assert_eq!(send(&app, raw).await["outcome"], "checkin_answer");
    assert_eq!(messages(&app, &w, &thread).await.len(), before);
    assert_eq!(status_of(&list().await, w.mentee.id), Some(json!("going_well")));
    let (s, _) = app.get(&create, &w.other_coordinator.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    app.stop().await;
}
