//! The settings page over plain HTTP: mail preferences, a mentorship's own mode, the
//! profile (a new language shows on the next page), adding an address by a mailed
//! link; problems re-render with the error summary and write nothing; every form
//! needs the session's CSRF token. Both backends.

use mentorpost_tests::web::{browser, get, post_form, sign_in};
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::StatusCode;

both_backends!(
    mail_preferences_saved_by_form_show_in_the_api,
    invalid_values_are_explained_and_nothing_is_written,
    settings_forms_without_the_csrf_token_are_refused,
    a_new_language_gives_dutch_pages_at_once,
    a_new_address_is_added_by_the_mailed_link
);

fn mail_form<'a>(csrf: &'a str, mode: &'a str, hour: &'a str, weekday: &'a str, quiet: (&'a str, &'a str)) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("mode", mode),
        ("digest_hour", hour),
        ("digest_weekday", weekday),
        ("quiet_start", quiet.0),
        ("quiet_end", quiet.1),
        ("missed_delay_minutes", "10"),
    ]
}

async fn mail_preferences_saved_by_form_show_in_the_api(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let (s, page, _) = get(&app, &cookie, "/settings").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<legend>Mail about new messages</legend>"), "{page}");
    assert!(page.contains("href=\"/settings\" aria-current=\"page\""), "the nav marks the page: {page}");
    assert!(page.contains("<option value=\"Europe/Amsterdam\" selected>"), "{page}");

    let (s, _, h) = post_form(&app, &cookie, "/settings/mail", &mail_form(&csrf, "weekly", "18", "5", ("22:00", "07:30"))).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/settings?done=mail");
    let (s, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{prefs}");
    let settings = &prefs["settings"];
    assert_eq!(settings["mode"], "weekly");
    assert_eq!(settings["digest_hour"], 18);
    assert_eq!(settings["digest_weekday"], 5);
    assert_eq!(settings["quiet_start"], "22:00");
    assert_eq!(settings["quiet_end"], "07:30");

    // The page shows the confirmation and what is stored.
    let (_, page, _) = get(&app, &cookie, "/settings?done=mail").await;
    assert!(page.contains("role=\"status\">Your mail settings are saved."), "{page}");
    assert!(page.contains("value=\"weekly\" checked"), "{page}");
    assert!(page.contains("<option value=\"18\" selected>18:00</option>"), "{page}");
    assert!(page.contains("<option value=\"5\" selected>Friday</option>"), "{page}");

    // No quiet hours: both empty.
    let (s, _, _) = post_form(&app, &cookie, "/settings/mail", &mail_form(&csrf, "daily", "7", "1", ("", ""))).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert_eq!(prefs["settings"]["mode"], "daily");
    assert!(prefs["settings"]["quiet_start"].is_null(), "{prefs}");

    // A mentorship's own mode, and back to following the general one.
    let path = format!("/settings/mentorships/{}", w.mentorship);
    let (s, _, h) = post_form(&app, &cookie, &path, &[("csrf", &csrf), ("mode", "off")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/settings?done=mentorship");
    let (_, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert_eq!(prefs["mentorships"][0]["mode"], "off", "{prefs}");
    let (s, _, _) = post_form(&app, &cookie, &path, &[("csrf", &csrf), ("mode", "")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, prefs) = app.get("/api/v1/me/mail", &w.mentee.token).await;
    assert_eq!(prefs["mentorships"].as_array().map(Vec::len), Some(0), "{prefs}");

    // Someone else's mentorship is not there to tune.
    let (cookie_out, csrf_out) = sign_in(&app, &w.outsider.email).await;
    let (s, _, _) = post_form(&app, &cookie_out, &path, &[("csrf", &csrf_out), ("mode", "off")]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Resuming when nothing is paused is harmless.
    let (s, _, h) = post_form(&app, &cookie, "/settings/mail/resume", &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/settings?done=resumed");
    app.stop().await;
}

async fn invalid_values_are_explained_and_nothing_is_written(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentor.email).await;
    let (_, before) = app.get("/api/v1/me/mail", &w.mentor.token).await;

    // Quiet hours with only a start, and an hour that is no hour.
    let (s, page, _) = post_form(&app, &cookie, "/settings/mail", &mail_form(&csrf, "daily", "24", "1", ("22:00", ""))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("<title>Error: Settings"), "{page}");
    assert!(page.contains("class=\"error-summary\""), "{page}");
    assert!(page.contains("href=\"#digest_hour\">Choose the time of the summary"), "{page}");
    // What was typed stays.
    assert!(page.contains("value=\"daily\" checked"), "{page}");
    assert!(page.contains("id=\"quiet_start\" name=\"quiet_start\" type=\"time\" class=\"time\" value=\"22:00\""), "{page}");

    let (s, page, _) = post_form(&app, &cookie, "/settings/mail", &mail_form(&csrf, "daily", "8", "1", ("22:00", ""))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Enter both a start and an end time for quiet hours"), "{page}");
    let (s, page, _) = post_form(&app, &cookie, "/settings/mail", &mail_form(&csrf, "sometimes", "8", "9", ("", ""))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#mode\">Choose how you want to get mail"), "{page}");
    assert!(page.contains("href=\"#digest_weekday\""), "{page}");
    let (_, after) = app.get("/api/v1/me/mail", &w.mentor.token).await;
    assert_eq!(before, after, "nothing was written");

    // The profile: no name, a zone that does not exist.
    let (_, me_before) = app.get("/api/v1/me", &w.mentor.token).await;
    let (s, page, _) = post_form(
        &app,
        &cookie,
        "/settings/profile",
        &[("csrf", &csrf), ("display_name", "   "), ("locale", "nl"), ("timezone", "Mars/Olympus_Mons")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#display_name\">Enter your name"), "{page}");
    assert!(page.contains("href=\"#timezone\">Choose a time zone from the list"), "{page}");
    assert!(page.contains("<html lang=\"en\">"), "still English: nothing saved");
    assert!(page.contains("id=\"locale-nl\" value=\"nl\" checked"), "the choice stays: {page}");
    let (_, me_after) = app.get("/api/v1/me", &w.mentor.token).await;
    assert_eq!(me_before, me_after, "nothing was written");

    // An address that is none, and one that is already theirs.
    let (s, page, _) = post_form(&app, &cookie, "/settings/emails", &[("csrf", &csrf), ("email", "not an address")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#email\">Enter an e-mail address"), "{page}");
    assert!(page.contains("value=\"not an address\""), "{page}");
    let (s, page, _) = post_form(&app, &cookie, "/settings/emails", &[("csrf", &csrf), ("email", &w.mentor.email.to_uppercase())]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("This address is already one of yours"), "{page}");
    app.stop().await;
}

async fn settings_forms_without_the_csrf_token_are_refused(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, _) = sign_in(&app, &w.mentor.email).await;
    let (_, mail_before) = app.get("/api/v1/me/mail", &w.mentor.token).await;
    let (_, me_before) = app.get("/api/v1/me", &w.mentor.token).await;
    let mentorship = format!("/settings/mentorships/{}", w.mentorship);
    let forms: [(&str, Vec<(&str, &str)>); 5] = [
        ("/settings/mail", mail_form("wrong", "off", "8", "1", ("", ""))[1..].to_vec()),
        ("/settings/mail/resume", vec![]),
        (&mentorship, vec![("mode", "off")]),
        ("/settings/profile", vec![("display_name", "Someone Else"), ("locale", "nl"), ("timezone", "Europe/Lisbon")]),
        ("/settings/emails", vec![("email", "elsewhere@example.org")]),
    ];
    for (path, form) in &forms {
        let (s, _, _) = post_form(&app, &cookie, path, form).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path} without a token");
        let mut wrong = form.clone();
        wrong.push(("csrf", "not-the-token"));
        let (s, _, _) = post_form(&app, &cookie, path, &wrong).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path} with a wrong token");
    }
    let (_, mail_after) = app.get("/api/v1/me/mail", &w.mentor.token).await;
    let (_, me_after) = app.get("/api/v1/me", &w.mentor.token).await;
    assert_eq!(mail_before, mail_after);
    assert_eq!(me_before, me_after);
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE to_address = 'elsewhere@example.org'")
        .fetch_one(app.state.db.pool())
        .await
        .expect("count");
    assert_eq!(queued, 0);
    // Not signed in: to the sign-in page, for the page and its forms alike.
    let (s, _, h) = get(&app, "", "/settings").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/signin?next=%2Fsettings");
    app.stop().await;
}

async fn a_new_language_gives_dutch_pages_at_once(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let (s, _, h) = post_form(
        &app,
        &cookie,
        "/settings/profile",
        &[("csrf", &csrf), ("display_name", "  João P. Pereira "), ("locale", "nl"), ("timezone", "Europe/Lisbon")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/settings?done=profile");
    let (_, page, _) = get(&app, &cookie, "/settings?done=profile").await;
    assert!(page.contains("<html lang=\"nl\">"), "{page}");
    assert!(page.contains("<title>Instellingen – mentorpost</title>"), "{page}");
    assert!(page.contains("role=\"status\">Je profiel is opgeslagen."), "{page}");
    assert!(page.contains("Ingelogd als João P. Pereira"), "{page}");
    assert!(page.contains("<option value=\"Europe/Lisbon\" selected>"), "{page}");
    let (_, inbox, _) = get(&app, &cookie, "/").await;
    assert!(inbox.contains("<html lang=\"nl\">") && inbox.contains(">Postvak<"), "{inbox}");
    let (_, me) = app.get("/api/v1/me", &w.mentee.token).await;
    assert_eq!(me["locale"], "nl");
    assert_eq!(me["timezone"], "Europe/Lisbon");
    assert_eq!(me["display_name"], "João P. Pereira");

    // And back, in Dutch words this time.
    let (s, _, _) = post_form(
        &app,
        &cookie,
        "/settings/profile",
        &[("csrf", &csrf), ("display_name", "João Pereira"), ("locale", "en"), ("timezone", "Europe/Lisbon")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page, _) = get(&app, &cookie, "/settings").await;
    assert!(page.contains("<html lang=\"en\">"), "{page}");

    // The API changes the same profile (PATCH /api/v1/me): the page follows.
    let (s, me) = app.call(reqwest::Method::PATCH, "/api/v1/me", Some(&w.mentee.token), Some(serde_json::json!({"locale": "nl"}))).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["locale"], "nl");
    assert_eq!(me["timezone"], "Europe/Lisbon", "left out, left alone");
    let (_, page, _) = get(&app, &cookie, "/settings").await;
    assert!(page.contains("<html lang=\"nl\">"), "{page}");
    let (s, err) =
        app.call(reqwest::Method::PATCH, "/api/v1/me", Some(&w.mentee.token), Some(serde_json::json!({"timezone": "Mars/Base"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (_, me) = app.get("/api/v1/me", &w.mentee.token).await;
    assert_eq!(me["timezone"], "Europe/Lisbon");
    app.stop().await;
}

fn body_text(raw: &str) -> String {
    let message = mail_parser::MessageParser::default().parse(raw.as_bytes()).expect("a mail");
    message.body_text(0).expect("a text body").into_owned()
}

async fn a_new_address_is_added_by_the_mailed_link(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentor.email).await;
    let mut sent = app.state.mailer.progress.subscribe();
    let finished = *sent.borrow_and_update();
    let (s, _, h) = post_form(&app, &cookie, "/settings/emails", &[("csrf", &csrf), ("email", " Cagri.Work@Example.org ")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/settings?done=email");
    tokio::time::timeout(std::time::Duration::from_secs(20), sent.wait_for(|n| *n > finished))
        .await
        .expect("the link is sent within 20 s")
        .expect("the mailer runs");
    let raw = app.mail_files().into_iter().find(|m| m.contains("cagri.work@example.org")).expect("a mail to the new address");
    let text = body_text(&raw);
    let marker = "/mail/add-address/";
    let at = text.find(marker).unwrap_or_else(|| panic!("no link in {text}"));
    let token: String = text[at + marker.len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    // Not added before the link is used.
    let (_, me) = app.get("/api/v1/me", &w.mentor.token).await;
    assert_eq!(me["extra_emails"].as_array().map(Vec::len), Some(0), "{me}");
    // A second request the same day sends nothing more.
    let (s, page, _) = post_form(&app, &cookie, "/settings/emails", &[("csrf", &csrf), ("email", "cagri.work@example.org")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("We already sent a link to this address today"), "{page}");

    let resp = browser()
        .post(app.url(&format!("{marker}{token}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("confirm");
    assert_eq!(resp.status(), StatusCode::OK);
    let (_, me) = app.get("/api/v1/me", &w.mentor.token).await;
    assert_eq!(me["extra_emails"][0], "cagri.work@example.org", "{me}");
    let (_, page, _) = get(&app, &cookie, "/settings").await;
    assert!(page.contains("<span class=\"address\">cagri.work@example.org</span>"), "{page}");

    // Another account's address: the page says the same, and no mail goes out.
    let (s, _, h) = post_form(&app, &cookie, "/settings/emails", &[("csrf", &csrf), ("email", &w.mentee.email)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/settings?done=email");
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE to_address = $1")
        .bind(w.mentee.email.clone())
        .fetch_one(app.state.db.pool())
        .await
        .expect("count");
    assert_eq!(queued, 0);
    app.stop().await;
}
