//! The programme's way in, over plain HTTP on both backends: a coordinator invites one
//! person or a pasted list (preview with per-row problems, confirm writes only the good
//! rows), the invitation mail and its link, accepting with a password or by replying
//! "yes", expired, revoked and re-sent links, nobody unaccepted in a mentorship, pairing
//! with first-contact mails in English and Dutch, and 404 for everyone but the
//! programme's coordinators.

use mentorpost_model::Clock;
use mentorpost_server::store;
use mentorpost_tests::web::{browser, get, post_form, post_multipart, same_origin, sign_in};
use mentorpost_tests::{INBOUND_SECRET as SECRET, MAIL_DOMAIN as DOMAIN, TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    start = mentorpost_tests::TestServer::start_for_mail;
    invite_one_then_accept_with_a_password,
    a_yes_reply_accepts_for_email_only,
    revoked_expired_and_resent_links,
    a_pasted_list_is_previewed_and_only_good_rows_are_invited,
    an_uploaded_csv_file_is_previewed_and_wins_over_pasted_text,
    only_the_programmes_coordinators_see_its_pages,
    nobody_unaccepted_is_put_in_a_mentorship,
    pairing_mails_everyone_who_writes_first
);

/// Runs the outbox now and returns every mail written so far.
async fn mails(app: &TestServer) -> Vec<String> {
    mentorpost_server::mail::outbox::dispatch_due(&app.state).await.expect("outbox round");
    app.mail_files()
}

/// The link token of an invitation mail to `address` that is none of `known` (the
/// outbox worker may hold the new mail while the test looks: its progress is awaited).
async fn new_link(app: &TestServer, address: &str, known: &[&str]) -> String {
    let mut progress = app.state.mailer.progress.subscribe();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let found = mails(app)
            .await
            .iter()
            .filter(|m| m.contains(address))
            .filter_map(|m| mail_parser::MessageParser::default().parse(m.as_bytes()).map(|p| token_of(&p)))
            .find(|t| !known.contains(&t.as_str()));
        if let Some(token) = found {
            return token;
        }
        assert!(tokio::time::timeout_at(deadline, progress.changed()).await.is_ok(), "no new link to {address}");
    }
}

/// The mail to `address` whose subject contains `subject`, decoded.
async fn mail_to(app: &TestServer, address: &str, subject: &str) -> mail_parser::Message<'static> {
    // The outbox worker may hold a row while this test's round runs: wait for its
    // progress rather than for a fixed time.
    let mut progress = app.state.mailer.progress.subscribe();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(m) = find_mail(app, address, subject).await {
            return m;
        }
        if tokio::time::timeout_at(deadline, progress.changed()).await.is_err() {
            break;
        }
    }
    find_mail(app, address, subject).await.unwrap_or_else(|| panic!("no mail to {address} about {subject}"))
}

async fn find_mail(app: &TestServer, address: &str, subject: &str) -> Option<mail_parser::Message<'static>> {
    for raw in mails(app).await {
        let parsed = mail_parser::MessageParser::default().parse(raw.as_bytes()).map(|m| m.into_owned());
        if let Some(m) = parsed {
            let to_ok = m.to().and_then(|t| t.first()).and_then(|a| a.address()).is_some_and(|a| a.eq_ignore_ascii_case(address));
            if to_ok && m.subject().is_some_and(|s| s.contains(subject)) {
                return Some(m);
            }
        }
    }
    None
}

fn body(m: &mail_parser::Message) -> String {
    m.body_text(0).map(|b| b.into_owned()).unwrap_or_default()
}

/// The token of the invitation link in a mail.
fn token_of(m: &mail_parser::Message) -> String {
    let text = body(m);
    let rest = text.split("/invite/").nth(1).expect("a link in the mail");
    rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect()
}

async fn invite(app: &TestServer, cookie: &str, csrf: &str, programme: &str, who: (&str, &str, &str, &str)) {
    let path = format!("/coordinate/programmes/{programme}/people");
    let form = [("csrf", csrf), ("name", who.0), ("email", who.1), ("role", who.2), ("language", who.3), ("timezone", "Europe/Amsterdam")];
    let (s, page, h) = post_form(app, cookie, &path, &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(h["location"], format!("{path}?done=invited"));
}

async fn accept_page(app: &TestServer, token: &str) -> (StatusCode, String) {
    let resp = browser().get(app.url(&format!("/invite/{token}"))).send().await.expect("get");
    let s = resp.status();
    (s, resp.text().await.expect("body"))
}

async fn accept_web(app: &TestServer, token: &str, password: &str, confirm: &str) -> reqwest::Response {
    browser()
        .post(app.url(&format!("/invite/{token}/web")))
        .headers(same_origin())
        .form(&[("password", password), ("confirm", confirm)])
        .send()
        .await
        .expect("post")
}

async fn invite_one_then_accept_with_a_password(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    invite(&app, &cookie, &csrf, &w.programme, ("Małgorzata Wiśniewska", "Malgorzata@Example.pl", "mentor", "en")).await;
    let (_, page, _) = get(&app, &cookie, &format!("/coordinate/programmes/{}/people?done=invited", w.programme)).await;
    assert!(page.contains("Małgorzata Wiśniewska") && page.contains("malgorzata@example.pl"), "{page}");
    assert!(page.contains(">Invited<"), "{page}");

    let mail = mail_to(&app, "malgorzata@example.pl", "Invitation").await;
    let reply_to = mail.reply_to().and_then(|r| r.first()).and_then(|a| a.address()).expect("Reply-To").to_owned();
    let token = token_of(&mail);
    assert_eq!(reply_to, format!("invite+{token}@{DOMAIN}"));
    assert!(body(&mail).contains("Dear Małgorzata Wiśniewska"), "{}", body(&mail));
    // Only the hash is stored.
    let stored: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) FROM invitations WHERE token_hash LIKE $1")
            .bind(format!("%{token}%"))
            .fetch_one(app.state.db.pool())
            .await
            .expect("q"),
        0,
    )
    .expect("n");
    assert_eq!(stored, 0);

    // Opening the link changes nothing (mail scanners follow links).
    let before = app.snapshot().await;
    let (s, page) = accept_page(&app, &token).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("never read your messages"), "the notice: {page}");
    assert!(page.contains("the standard text of mentorpost"), "the notice's version: {page}");
    assert_eq!(app.snapshot().await, before);

    // Problems are explained, nothing is written.
    let resp = accept_web(&app, &token, "kort", "kort").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.expect("body").contains("at least 10 characters"));
    let resp = accept_web(&app, &token, "een lang wachtwoord", "een ander wachtwoord").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.snapshot().await, before);

    // A form from another site is refused.
    let resp = browser()
        .post(app.url(&format!("/invite/{token}/web")))
        .header("sec-fetch-site", "cross-site")
        .form(&[("password", "een lang wachtwoord"), ("confirm", "een lang wachtwoord")])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    let resp = accept_web(&app, &token, "een lang wachtwoord", "een lang wachtwoord").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/");
    let cookie_new = resp.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    let (s, _, _) = get(&app, &cookie_new, "/").await;
    assert_eq!(s, StatusCode::OK, "signed in at once");
    let (token_api, _) = app.login("malgorzata@example.pl", "een lang wachtwoord").await;
    let (_, me) = app.get("/api/v1/me", &token_api).await;
    let user: mentorpost_model::UserId = me["id"].as_str().expect("id").parse().expect("uuid");
    let programme: mentorpost_model::ProgrammeId = w.programme.parse().expect("id");
    let consents = store::invitations::consents(app.state.db.pool(), user, programme).await.expect("consents");
    assert_eq!(consents.len(), 1);
    assert_eq!(consents[0].via, "web");
    assert_eq!(consents[0].notice_version, store::notices::DEFAULT_VERSION);

    // The link is spent; the people page says so.
    let (s, page) = accept_page(&app, &token).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("already been accepted"), "{page}");
    let (_, page, _) = get(&app, &cookie, &format!("/coordinate/programmes/{}/people", w.programme)).await;
    assert!(page.contains("Accepted (web app)"), "{page}");
}

async fn a_yes_reply_accepts_for_email_only(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    invite(&app, &cookie, &csrf, &w.programme, ("Henk Jansen", "henk@example.nl", "mentee", "nl")).await;
    let mail = mail_to(&app, "henk@example.nl", "Uitnodiging").await;
    assert!(body(&mail).contains("Beste Henk Jansen"), "{}", body(&mail));
    let token = token_of(&mail);

    let reply = |from: &str, text: &str| {
        format!(
            "From: Henk <{from}>\r\nTo: invite+{token}@{DOMAIN}\r\nSubject: Re: Uitnodiging\r\nMessage-ID: <{}@example.nl>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n",
            uuid::Uuid::new_v4()
        )
        .into_bytes()
    };
    // From another address, or not a yes: nothing happens.
    let (s, r) = app.raw(Method::POST, "/api/v1/inbound/email", Some(SECRET), "message/rfc822", reply("kees@example.nl", "Ja")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["outcome"], "rejected");
    let (_, r) = app
        .raw(
            Method::POST,
            "/api/v1/inbound/email",
            Some(SECRET),
            "message/rfc822",
            reply("henk@example.nl", "Wat houdt dit in?\n\n> Beste Henk"),
        )
        .await;
    assert_eq!(r["outcome"], "rejected");
    let (s, _) = accept_page(&app, &token).await;
    assert_eq!(s, StatusCode::OK, "still open");

    let (_, r) = app
        .raw(
            Method::POST,
            "/api/v1/inbound/email",
            Some(SECRET),
            "message/rfc822",
            reply(
                "henk@example.nl",
                "Ja, graag!\n\nHenk\n\nOp maandag schreef mentorpost:\n> Beste Henk Jansen,\n> Beantwoord deze mail met ja",
            ),
        )
        .await;
    assert_eq!(r["outcome"], "invitation_accepted", "{r}");
    let user = store::inbound::user_by_address(app.state.db.pool(), "henk@example.nl").await.expect("q").expect("a user now");
    let programme: mentorpost_model::ProgrammeId = w.programme.parse().expect("id");
    let consents = store::invitations::consents(app.state.db.pool(), user, programme).await.expect("consents");
    assert_eq!(consents.iter().map(|c| c.via.as_str()).collect::<Vec<_>>(), ["email"]);
    let settings = store::mail::settings(app.state.db.pool(), user).await.expect("settings");
    assert_eq!(settings.mode.as_str(), "each");
    let u = store::users::get(app.state.db.pool(), user).await.expect("q").expect("user");
    assert!(!u.has_password);
    let (_, page, _) = get(&app, &cookie, &format!("/coordinate/programmes/{}/people", w.programme)).await;
    assert!(page.contains("Accepted (e-mail only)"), "{page}");
}

async fn revoked_expired_and_resent_links(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    invite(&app, &cookie, &csrf, &w.programme, ("Şule Yılmaz", "sule@example.com.tr", "mentee", "en")).await;
    let first = token_of(&mail_to(&app, "sule@example.com.tr", "Invitation").await);
    let programme: mentorpost_model::ProgrammeId = w.programme.parse().expect("id");
    let list = store::invitations::list(app.state.db.pool(), programme, app.clock.now()).await.expect("list");
    let id = list[0].id.clone();

    // Re-send: a new link, the old one dead.
    let base = format!("/coordinate/programmes/{}/invitations/{id}", w.programme);
    let (s, _, h) = post_form(&app, &cookie, &format!("{base}/resend"), &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(h["location"].to_str().expect("loc").ends_with("done=resent"));
    let second = new_link(&app, "sule@example.com.tr", &[&first]).await;
    assert_eq!(accept_page(&app, &first).await.0, StatusCode::NOT_FOUND);
    assert_eq!(accept_page(&app, &second).await.0, StatusCode::OK);

    // Revoked: the page says so, accepting does nothing.
    let (s, _, _) = post_form(&app, &cookie, &format!("{base}/revoke"), &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, page) = accept_page(&app, &second).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(page.contains("withdrawn"), "{page}");
    let resp = accept_web(&app, &second, "een lang wachtwoord", "een lang wachtwoord").await;
    assert_eq!(resp.status(), StatusCode::GONE);
    assert!(store::inbound::user_by_address(app.state.db.pool(), "sule@example.com.tr").await.expect("q").is_none());

    // Sent again after revoking, then expired by the clock.
    let (s, _, _) = post_form(&app, &cookie, &format!("{base}/resend"), &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let third = new_link(&app, "sule@example.com.tr", &[&first, &second]).await;
    assert_eq!(accept_page(&app, &third).await.0, StatusCode::OK);
    app.clock.advance(chrono::Duration::days(15));
    let (s, page) = accept_page(&app, &third).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(page.contains("expired"), "{page}");
    let (_, page, _) = get(&app, &cookie, &format!("/coordinate/programmes/{}/people", w.programme)).await;
    assert!(page.contains(">Expired<"), "{page}");
}

async fn a_pasted_list_is_previewed_and_only_good_rows_are_invited(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    let path = format!("/coordinate/programmes/{}/import", w.programme);
    let (s, page, _) = get(&app, &cookie, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("aria-current=\"page\""), "the programme navigation: {page}");

    let csv = "Naam;E-mailadres;Rol;Taal;Tijdzone\n\
               \"Jansen, Henk\";henk@example.nl;mentee;nl;Europe/Amsterdam\n\
               João Gonçalves;joao@example.pt;mentor;en;Europe/Lisbon\n\
               Zbigniew Żółć;geen-adres;mentee;nl;\n\
               Henk Dubbel;HENK@example.nl;mentor;;\n\
               Çağrı Öztürk;cagri@example.com.tr;coach;tr;Mars/Olympus\n\
               Anneke Bestaand;mentor@example.org;mentor;;\n";
    let before = app.snapshot().await;
    let (s, page, _) = post_form(&app, &cookie, &path, &[("csrf", &csrf), ("csv", csv)]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("2 people can be invited, 4 rows have problems."), "{page}");
    for expected in [
        "Line 4",
        "not a valid e-mail address",
        "the same address as line 2",
        "the role must be mentor or mentee",
        "the language must be en or nl",
        "unknown time zone",
    ] {
        assert!(page.contains(expected), "{expected}: {page}");
    }
    assert!(page.contains("Zbigniew Żółć"), "rows are shown as written: {page}");
    assert_eq!(app.snapshot().await, before, "a preview writes nothing");

    // An unknown column stops the list.
    let (_, page, _) =
        post_form(&app, &cookie, &path, &[("csrf", &csrf), ("csv", "name;email;role;afdeling\nA;a@example.nl;mentor;HR\n")]).await;
    assert!(page.contains("Unknown column “afdeling”"), "{page}");

    // Confirming invites the good rows only, all at once.
    let (s, _, h) = post_form(&app, &cookie, &format!("{path}/confirm"), &[("csrf", &csrf), ("csv", csv)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], format!("/coordinate/programmes/{}/people?done=imported&count=2", w.programme));
    let programme: mentorpost_model::ProgrammeId = w.programme.parse().expect("id");
    let list = store::invitations::list(app.state.db.pool(), programme, app.clock.now()).await.expect("list");
    let mut emails: Vec<&str> = list.iter().map(|i| i.email.as_str()).collect();
    emails.sort();
    assert_eq!(emails, ["henk@example.nl", "joao@example.pt"]);
    mail_to(&app, "henk@example.nl", "Uitnodiging").await;
    mail_to(&app, "joao@example.pt", "Invitation").await;

    // The same list again: everyone good is now in the programme, nothing is written.
    let before = app.snapshot().await;
    let (s, page, _) = post_form(&app, &cookie, &format!("{path}/confirm"), &[("csrf", &csrf), ("csv", csv)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("already invited or taking part"), "{page}");
    assert_eq!(app.snapshot().await, before);
}

async fn only_the_programmes_coordinators_see_its_pages(app: TestServer) {
    let w = World::build(&app).await;
    let pages = ["people", "import", "pair"].map(|p| format!("/coordinate/programmes/{}/{p}", w.programme));
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    for page in &pages {
        assert_eq!(get(&app, &cookie, page).await.0, StatusCode::OK, "{page}");
    }
    for who in [&w.mentor.email, &w.mentee.email, &w.other_coordinator.email, &w.outsider.email] {
        let (cookie, csrf) = sign_in(&app, who).await;
        for page in &pages {
            let (s, body, _) = get(&app, &cookie, page).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{who} {page}");
            assert!(!body.contains("Programme P"), "{body}");
            let (s, _, _) = post_form(&app, &cookie, page, &[("csrf", &csrf), ("csv", "name;email;role\nA;a@example.nl;mentor\n")]).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{who} POST {page}");
        }
    }
    let (s, _, h) = get(&app, "", &pages[0]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(h["location"].to_str().expect("loc").starts_with("/signin"));
    let (s, _, _) = get(&app, &cookie, "/coordinate/programmes/not-an-id/people").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn nobody_unaccepted_is_put_in_a_mentorship(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    // The outsider has an account already; invited, not yet accepted.
    invite(&app, &cookie, &csrf, &w.programme, ("Zuzana Horváthová", &w.outsider.email, "mentee", "en")).await;
    let outsider = w.outsider.id.to_string();
    let (s, b) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": outsider, "role": "mentee"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "not_accepted");
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{}/members", w.mentorship),
            &w.coordinator.token,
            json!({"user_id": outsider, "role": "mentee"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    // So no mentoring mail reaches them: the only mail they got is the invitation.
    mail_to(&app, &w.outsider.email, "Invitation").await;
    let theirs: Vec<String> = mails(&app).await.into_iter().filter(|m| m.contains(&w.outsider.email)).collect();
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert!(theirs[0].contains("invite+"));
}

async fn pairing_mails_everyone_who_writes_first(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    invite(&app, &cookie, &csrf, &w.programme, ("Piotr Wiśniewski", "piotr@example.pl", "mentor", "en")).await;
    invite(&app, &cookie, &csrf, &w.programme, ("Inês Sá", "ines@example.pt", "mentee", "nl")).await;
    for (address, subject) in [("piotr@example.pl", "Invitation"), ("ines@example.pt", "Uitnodiging")] {
        let token = token_of(&mail_to(&app, address, subject).await);
        let resp = browser().post(app.url(&format!("/invite/{token}/email"))).headers(same_origin()).send().await.expect("post");
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    }
    let path = format!("/coordinate/programmes/{}/pair", w.programme);
    let (s, page, _) = get(&app, &cookie, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Piotr Wiśniewski") && page.contains("Inês Sá"), "{page}");
    let id = |address: &str| {
        let app = &app;
        let address = address.to_owned();
        async move { store::inbound::user_by_address(app.state.db.pool(), &address).await.expect("q").expect("user").to_string() }
    };
    let (piotr, ines) = (id("piotr@example.pl").await, id("ines@example.pt").await);

    // Nobody ticked: explained, nothing written.
    let (s, page, _) = post_form(&app, &cookie, &path, &[("csrf", &csrf), ("mentor", &piotr), ("first", "mentor")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Choose at least one mentee"), "{page}");

    // Reverse mentoring: the mentee writes first.
    let (s, _, h) = post_form(&app, &cookie, &path, &[("csrf", &csrf), ("mentor", &piotr), ("mentee", &ines), ("first", "mentee")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], format!("{path}?done=paired"));
    let en = mail_to(&app, "piotr@example.pl", "has started").await;
    assert!(body(&en).contains("Inês Sá will write first"), "{}", body(&en));
    assert!(body(&en).contains("Getting to know each other"), "{}", body(&en));
    let nl = mail_to(&app, "ines@example.pt", "is begonnen").await;
    assert!(body(&nl).contains("Jij schrijft eerst: stel je voor aan Piotr Wiśniewski"), "{}", body(&nl));
    assert!(body(&nl).contains("Kennismaking"), "{}", body(&nl));
    let reply_to = nl.reply_to().and_then(|r| r.first()).and_then(|a| a.address()).expect("Reply-To").to_owned();
    assert!(reply_to.starts_with("mentorship+"), "{reply_to}");
    // The mentorship exists with the programme's rhythm and both as members.
    let (_, list) = app.get(&format!("/api/v1/programmes/{}/mentorships", w.programme), &w.coordinator.token).await;
    let created =
        list.as_array().expect("list").iter().find(|m| m["members"].as_array().is_some_and(|ms| ms.iter().any(|x| x["user_id"] == piotr)));
    assert!(created.is_some(), "{list}");
}

async fn an_uploaded_csv_file_is_previewed_and_wins_over_pasted_text(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    let path = format!("/coordinate/programmes/{}/import", w.programme);
    let (_, page, _) = get(&app, &cookie, &path).await;
    assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("name=\"files\""), "a file input: {page}");

    // Excel's "CSV (semicolons)" on a Dutch machine: Windows-1252, not UTF-8 (ç, õ, é).
    let mut excel: Vec<u8> = b"Naam;E-mailadres;Rol\r\nIn".to_vec();
    excel.extend_from_slice(&[0xEA, b's', b' ', b'C', b'o', b'n', b'c', b'e', b'i', 0xE7, 0xE3, b'o']);
    excel.extend_from_slice(b";ines@example.pt;mentee\r\nZbigniew Kowalski;geen-adres;mentor\r\n");
    let before = app.snapshot().await;
    let (s, page, _) =
        post_multipart(&app, &cookie, &path, &[("csrf", &csrf), ("csv", "")], &[("lijst.csv", "text/csv", excel.clone())]).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("1 person can be invited, 1 row has a problem."), "{page}");
    assert!(page.contains("Inês Conceição"), "Windows-1252 decoded: {page}");
    assert!(page.contains("not a valid e-mail address"), "{page}");
    assert!(!page.contains("You chose a file and pasted text"), "no pasted text, nothing to say: {page}");
    // The file's text fills the box, to be corrected there, and goes with the confirmation.
    assert!(page.contains(">Naam;E-mailadres;Rol"), "{page}");
    assert_eq!(app.snapshot().await, before, "a preview writes nothing");

    // A file and pasted text: the file wins, and the page says so.
    let pasted = "name,email,role\nŞule Yılmaz,sule@example.com.tr,mentor\n";
    let (s, page, _) =
        post_multipart(&app, &cookie, &path, &[("csrf", &csrf), ("csv", pasted)], &[("lijst.txt", "text/plain", excel)]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("You chose a file and pasted text as well"), "{page}");
    assert!(page.contains("Inês Conceição") && !page.contains("Şule Yılmaz"), "{page}");

    // Pasted text alone, sent multipart as the page's form sends it (an empty file part).
    let (s, page, _) =
        post_multipart(&app, &cookie, &path, &[("csrf", &csrf), ("csv", pasted)], &[("", "application/octet-stream", Vec::new())]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Şule Yılmaz") && page.contains("1 person can be invited, no rows have problems."), "{page}");

    // Not a CSV file; a file past 1 MiB: the error at the file input, what was pasted kept.
    let (s, page, _) = post_multipart(
        &app,
        &cookie,
        &path,
        &[("csrf", &csrf), ("csv", pasted)],
        &[("lijst.xlsx", "application/vnd.ms-excel", b"PK\x03\x04".to_vec())],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("<title>Error:") && page.contains("href=\"#file\"") && page.contains("id=\"file-error\""), "{page}");
    assert!(page.contains("Choose a .csv or .txt file"), "{page}");
    assert!(page.contains("Şule Yılmaz,sule@example.com.tr"), "the pasted text is kept: {page}");
    let big = "name,email,role\n".to_owned() + &"Anouk van den Berg,anouk@example.nl,mentor\n".repeat(30_000);
    assert!(big.len() > 1024 * 1024);
    let (s, page, _) =
        post_multipart(&app, &cookie, &path, &[("csrf", &csrf), ("csv", "")], &[("groot.csv", "text/csv", big.into_bytes())]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("The file is larger than 1 MB"), "{page}");

    // Without the CSRF token nothing is read.
    let (s, _, _) = post_multipart(&app, &cookie, &path, &[("csv", "")], &[("lijst.csv", "text/csv", b"name,email,role\n".to_vec())]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.snapshot().await, before);

    // The preview's confirm form is multipart as well (a long list's non-ASCII bytes are
    // not percent-encoded); it invites the good row.
    let list = "Naam;E-mailadres;Rol\r\nInês Conceição;ines@example.pt;mentee\r\nZbigniew Kowalski;geen-adres;mentor\r\n";
    let (s, _, h) = post_multipart(&app, &cookie, &format!("{path}/confirm"), &[("csrf", &csrf), ("csv", list)], &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], format!("/coordinate/programmes/{}/people?done=imported&count=1", w.programme));
    mail_to(&app, "ines@example.pt", "Invitation").await;
}
