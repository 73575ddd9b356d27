//! Profiles (G5) and the first-contact view: writing one's own profile by the API and
//! on the settings page (every field optional, at most 2,000 characters, precise
//! errors), who reads it (the person and the members of the mentorships they share;
//! coordinators, admins, members of other mentorships and outsiders never), the
//! first-contact mail that carries the others' profiles in the reader's language, and
//! the view in front of the inbox and the mentorship page until the first message.
//! Both backends.

use mentorpost_model::ProgrammeId;
use mentorpost_model::api::ProgrammeView;
use mentorpost_server::http::invitations::{Pairing, pair};
use mentorpost_server::store;
use mentorpost_tests::web::{get, post_form, sign_in};
use mentorpost_tests::world::{Person, person};
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    own_profile_is_written_read_and_checked,
    only_members_of_a_shared_mentorship_read_it,
    the_first_contact_mail_carries_the_others_profiles,
    the_first_contact_view_shows_until_the_first_message,
    the_settings_page_writes_the_profile,
    the_weekly_summary_holds_no_profile
);

/// Seeded into profiles: no answer to anyone outside the mentorship may hold it.
const MARKER: &str = "ZQX-profile-5e1d";

fn full_profile(who: &str) -> Value {
    json!({
        "background": format!("{who}: verpleegkundige uit Łódź, nu in Utrecht {MARKER}"),
        "experience": "Twintig jaar spoedeisende hulp.\nSinds 2024 teamleider.",
        "interests": "Fietsen, İstanbul, fado",
        "hopes": "Mijn Nederlands op het werk verbeteren.",
    })
}

async fn own_profile_is_written_read_and_checked(app: TestServer) {
    let w = World::build(&app).await;
    // Nobody wrote one yet: empty fields, no time.
    let (s, p) = app.get("/api/v1/me/profile", &w.mentor.token).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["display_name"], "Çağrı Yılmaz");
    assert_eq!(p["profile"], json!({"background": "", "experience": "", "interests": "", "hopes": ""}));
    assert!(p["updated_at"].is_null(), "{p}");
    assert!(p.get("role").is_none(), "{p}");

    // Written: trimmed, CR LF as LF, the rest as sent.
    let (s, p) = app
        .put("/api/v1/me/profile", &w.mentor.token, json!({"background": "  Ontwikkelaar uit İzmir \r\nnu in Delft  ", "hopes": "Leren"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["profile"]["background"], "Ontwikkelaar uit İzmir \nnu in Delft");
    assert_eq!(p["profile"]["experience"], "", "a field left out is empty");
    assert!(p["updated_at"].is_string(), "{p}");
    let (_, again) = app.get("/api/v1/me/profile", &w.mentor.token).await;
    assert_eq!(again["profile"], p["profile"]);

    // Exactly 2,000 characters (not bytes) is fine; one more is refused, naming the field.
    let (s, p) = app.put("/api/v1/me/profile", &w.mentor.token, json!({"interests": "ł".repeat(2_000)})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    for (field, value, code) in [
        ("background", "x".repeat(2_001), "too_long"),
        ("experience", "y".repeat(5_000), "too_long"),
        ("interests", format!("bel \u{7} {MARKER}"), "control_characters"),
        ("hopes", "z".repeat(2_001), "too_long"),
    ] {
        let before = app.row_counts().await;
        let (s, b) = app.put("/api/v1/me/profile", &w.mentor.token, json!({ field: value })).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {b}");
        assert_eq!(b["error"]["code"], code, "{b}");
        let message = b["error"]["message"].as_str().expect("message");
        assert!(message.contains(field), "the message names the field: {message}");
        assert!(!message.contains(MARKER), "no echo: {message}");
        assert_eq!(app.row_counts().await, before, "nothing written");
    }
    let (_, kept) = app.get("/api/v1/me/profile", &w.mentor.token).await;
    assert_eq!(kept["profile"]["interests"], "ł".repeat(2_000), "a refused write changed nothing");
    // Unknown fields and wrong types are the body's problem.
    let (s, b) = app.put("/api/v1/me/profile", &w.mentor.token, json!({"hobbies": "schaken"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "invalid_body");
    let (s, b) = app.put("/api/v1/me/profile", &w.mentor.token, json!({"background": 42})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    // Without a login: nothing.
    let (s, _) = app.call(reqwest::Method::GET, "/api/v1/me/profile", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn only_members_of_a_shared_mentorship_read_it(app: TestServer) {
    mentorpost_tests::captured_log();
    let w = World::build(&app).await;
    for p in [&w.mentor, &w.mentee] {
        let (s, b) = app.put("/api/v1/me/profile", &p.token, full_profile(&p.email)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let path = format!("/api/v1/mentorships/{}/profiles", w.mentorship);
    // Each member reads the other's, with name and role; never their own here.
    let (s, list) = app.get(&path, &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let list = list.as_array().expect("list").clone();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["display_name"], "Çağrı Yılmaz");
    assert_eq!(list[0]["role"], "mentor");
    assert!(list[0]["profile"]["background"].as_str().is_some_and(|b| b.contains(MARKER)));
    let (_, list) = app.get(&path, &w.mentor.token).await;
    assert_eq!(list[0]["display_name"], "João Pereira");

    // The coordinator and the admin know the mentorship exists (403, as for its
    // messages); the other programme's coordinator and an outsider do not (404).
    for (who, status) in [
        (&w.coordinator, StatusCode::FORBIDDEN),
        (&w.admin, StatusCode::FORBIDDEN),
        (&w.other_coordinator, StatusCode::NOT_FOUND),
        (&w.outsider, StatusCode::NOT_FOUND),
    ] {
        let (s, b) = app.get(&path, &who.token).await;
        assert_eq!(s, status, "{}: {b}", who.email);
        assert!(!b.to_string().contains(MARKER), "{}: {b}", who.email);
        // Their own profile is theirs alone: nothing of the members'.
        let (s, own) = app.get("/api/v1/me/profile", &who.token).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!own.to_string().contains(MARKER), "{own}");
    }
    let (s, _) = app.get("/api/v1/mentorships/00000000-0000-0000-0000-000000000000/profiles", &w.mentor.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A member of another mentorship of the same programme reads nothing of this one,
    // and the members of this one read nothing of theirs.
    let neighbour = person(&app, "neighbour@example.org", "Nika Novák", false).await;
    let (s, m) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [{"user_id": w.outsider.id, "role": "mentor"}, {"user_id": neighbour.id, "role": "mentee"}], "status": "active"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let other = m["id"].as_str().expect("id").to_owned();
    let (s, b) = app.get(&path, &neighbour.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, b) = app.get(&format!("/api/v1/mentorships/{other}/profiles"), &w.mentor.token).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");

    // The coordinator's own pages never show a profile.
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    for page in [
        "/".to_owned(),
        "/settings".to_owned(),
        "/coordinate".to_owned(),
        format!("/coordinate/programmes/{}", w.programme),
        format!("/coordinate/programmes/{}/people", w.programme),
        format!("/coordinate/programmes/{}/pair", w.programme),
        format!("/coordinate/programmes/{}/health.csv", w.programme),
        format!("/coordinate/mentorships/{}", w.mentorship),
        format!("/mentorships/{}", w.mentorship),
    ] {
        let (_, body, _) = get(&app, &cookie, &page).await;
        assert!(!body.contains(MARKER), "{page} shows a profile: {body}");
    }

    // A former member keeps reading the people who were there with them, and nobody
    // who came after they left.
    let (s, b) = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/mentorships/{}/members/{}", w.mentorship, w.mentee.id),
            Some(&w.coordinator.token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.clock.advance(chrono::Duration::minutes(5));
    let newcomer = person(&app, "newcomer@example.org", "Inês Sá", false).await;
    let (s, b) = app.put("/api/v1/me/profile", &newcomer.token, json!({"background": format!("Nieuw {MARKER}")})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{}/members", w.mentorship),
            &w.coordinator.token,
            json!({"user_id": newcomer.id, "role": "mentee"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, list) = app.get(&path, &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let names: Vec<&str> = list.as_array().expect("list").iter().filter_map(|p| p["display_name"].as_str()).collect();
    assert_eq!(names, ["Çağrı Yılmaz"], "the former member sees who was there with them");
    let (_, list) = app.get(&path, &w.mentor.token).await;
    let names: Vec<&str> = list.as_array().expect("list").iter().filter_map(|p| p["display_name"].as_str()).collect();
    assert_eq!(names, ["Inês Sá"], "the current members, without the one who left");

    // The log never holds a profile.
    let log = mentorpost_tests::captured_log();
    assert!(!log.contains(MARKER), "the log shows a profile");
    app.stop().await;
}

/// Two new people of the world's programme, paired by the coordinator through the
/// pairing path, which mails both.
async fn paired(app: &TestServer, w: &World, mentor: &Person, mentee: &Person) -> String {
    let programme: ProgrammeId = w.programme.parse().expect("programme id");
    let view: ProgrammeView = store::programmes::get(app.state.db.pool(), programme).await.expect("read").expect("programme");
    let pairing = Pairing { mentors: vec![mentor.id], mentees: vec![mentee.id], first: mentorpost_model::Role::Mentor };
    pair(&app.state, &view, w.coordinator.id, pairing).await.expect("pair").to_string()
}

/// The text of the newest mail to `address` whose subject holds `subject`.
async fn mail_text(app: &TestServer, address: &str, subject: &str) -> String {
    app.drain_outbox().await;
    for raw in app.mail_files() {
        let Some(m) = mail_parser::MessageParser::default().parse(raw.as_bytes()) else { continue };
        let to = m.to().and_then(|t| t.first()).and_then(|a| a.address()).unwrap_or_default().to_owned();
        if to.eq_ignore_ascii_case(address) && m.subject().is_some_and(|s| s.contains(subject)) {
            return m.body_text(0).map(|b| b.replace("\r\n", "\n")).unwrap_or_default();
        }
    }
    panic!("no mail to {address} about {subject}")
}

async fn the_first_contact_mail_carries_the_others_profiles(app: TestServer) {
    let w = World::build(&app).await;
    let mentor = person(&app, "malgorzata@example.pl", "Małgorzata Wiśniewska", false).await;
    let mentee = person(&app, "henk@example.nl", "Henk Jansen", false).await;
    let (s, b) = app.call(reqwest::Method::PATCH, "/api/v1/me", Some(&mentee.token), Some(json!({"locale": "nl"}))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // The mentor wrote a profile before the pairing; the mentee, by e-mail only in
    // spirit, wrote none.
    let (s, b) = app
        .put(
            "/api/v1/me/profile",
            &mentor.token,
            json!({"background": "Ingenieur uit Kraków", "interests": "Fietsen en Poolse jazz", "hopes": "Doorgeven wat ik leerde"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    paired(&app, &w, &mentor, &mentee).await;

    // The mentee (Dutch) reads the mentor's profile in Dutch, fields under their labels.
    let nl = mail_text(&app, "henk@example.nl", "is begonnen").await;
    for expected in [
        "Wat Małgorzata Wiśniewska over zichzelf schreef:",
        "Achtergrond\nIngenieur uit Kraków",
        "Interesses\nFietsen en Poolse jazz",
        "Hoopt te geven of te krijgen\nDoorgeven wat ik leerde",
        "Kennismaking: wie ik ben en wat ik hoop te leren",
    ] {
        assert!(nl.contains(expected), "{expected} missing: {nl}");
    }
    assert!(!nl.contains("Ervaring"), "a field left empty has no label: {nl}");
    // The mentor (English) reads that the mentee wrote nothing yet.
    let en = mail_text(&app, "malgorzata@example.pl", "has started").await;
    assert!(en.contains("Henk Jansen has not written a profile yet"), "{en}");
    assert!(!en.contains("Ingenieur uit Kraków"), "nobody is sent their own profile: {en}");
    // Nothing of it to the coordinator.
    for raw in app.mail_files() {
        if raw.contains(&w.coordinator.email) {
            assert!(!raw.contains("Kraków"), "{raw}");
        }
    }
    app.stop().await;
}

async fn the_first_contact_view_shows_until_the_first_message(app: TestServer) {
    let w = World::build(&app).await;
    let mentor = person(&app, "sule@example.com.tr", "Şule Demir", false).await;
    let mentee = person(&app, "piotr@example.pl", "Piotr Wiśniewski", false).await;
    let (s, b) = app
        .put(
            "/api/v1/me/profile",
            &mentor.token,
            json!({"background": "Boekhouder uit Ankara", "experience": format!("Vijftien jaar administratie {MARKER}")}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mentorship = paired(&app, &w, &mentor, &mentee).await;
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{mentorship}/agreement/content"),
            &mentor.token,
            json!({"ground_rules": "Wij antwoorden binnen twee dagen.", "goals": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // A coordinator's check-in is not the first message.
    let (s, b) = app.post(&format!("/api/v1/mentorships/{mentorship}/check-ins"), &w.coordinator.token, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    let subject_link = format!(
        "/mentorships/{mentorship}/new?subject=Getting%20to%20know%20each%20other%3A%20who%20I%20am%20and%20what%20I%20hope%20to%20learn"
    );
    let (cookie, _) = sign_in(&app, &mentee.email).await;
    for path in ["/".to_owned(), format!("/?mentorship={mentorship}"), format!("/mentorships/{mentorship}")] {
        let (s, page, _) = get(&app, &cookie, &path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {page}");
        for expected in [
            "class=\"first-contact\"",
            "About Şule Demir (mentor)",
            "Boekhouder uit Ankara",
            MARKER,
            "Contact at least every 7 days; an answer within 48 hours.",
            "Ground rules: Wij antwoorden binnen twee dagen.",
            "“Getting to know each other: who I am and what I hope to learn”",
            &subject_link.replace('&', "&amp;"),
        ] {
            assert!(page.contains(expected), "{path}: {expected} missing: {page}");
        }
    }
    let (_, inbox, _) = get(&app, &cookie, "/").await;
    assert!(inbox.contains("Before your first message to Şule Demir"), "{inbox}");
    // The world's mentorship is not this person's: no view of it anywhere.
    let (_, filtered, _) = get(&app, &cookie, &format!("/?mentorship={}", w.mentorship)).await;
    assert!(!filtered.contains("first-contact"), "{filtered}");
    // The suggested subject's link opens the form with the subject filled in.
    let (s, compose, _) = get(&app, &cookie, &subject_link).await;
    assert_eq!(s, StatusCode::OK, "{compose}");
    assert!(compose.contains("value=\"Getting to know each other: who I am and what I hope to learn\""), "{compose}");
    // A subject in the address is only a starting point: control characters and
    // anything past 200 characters stay out, and markup is text.
    let (_, compose, _) =
        get(&app, &cookie, &format!("/mentorships/{mentorship}/new?subject=%3Cb%3Ehi%3C%2Fb%3E%0A{}", "x".repeat(300))).await;
    assert!(compose.contains(&format!("value=\"&#60;b&#62;hi&#60;/b&#62;{}\"", "x".repeat(191))), "{compose}");

    // The mentor sees it too: the mentee wrote no profile.
    let (mentor_cookie, _) = sign_in(&app, &mentor.email).await;
    let (_, page, _) = get(&app, &mentor_cookie, &format!("/mentorships/{mentorship}")).await;
    assert!(page.contains("Piotr Wiśniewski has not written a profile yet."), "{page}");
    assert!(page.contains("Before your first message<"), "{page}");

    // The coordinator sees none of it.
    let (coord_cookie, _) = sign_in(&app, &w.coordinator.email).await;
    for path in ["/".to_owned(), format!("/coordinate/mentorships/{mentorship}"), format!("/mentorships/{mentorship}")] {
        let (_, page, _) = get(&app, &coord_cookie, &path).await;
        assert!(!page.contains(MARKER) && !page.contains("Boekhouder"), "{path}: {page}");
    }

    // The first message: the view goes, on both pages and for both members; the
    // profile stays one click away on the mentorship page.
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{mentorship}/threads"),
            &mentee.token,
            json!({"subject": "Kennismaking", "body": "Dag Şule, leuk je te leren kennen!"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    for c in [&cookie, &mentor_cookie] {
        for path in ["/".to_owned(), format!("/mentorships/{mentorship}")] {
            let (_, page, _) = get(&app, c, &path).await;
            assert!(!page.contains("class=\"first-contact\""), "{path}: {page}");
        }
    }
    let (_, page, _) = get(&app, &cookie, &format!("/mentorships/{mentorship}")).await;
    assert!(page.contains("<summary>About Şule Demir</summary>") && page.contains("Boekhouder uit Ankara"), "{page}");
    app.stop().await;
}

async fn the_settings_page_writes_the_profile(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let (s, page, _) = get(&app, &cookie, "/settings").await;
    assert_eq!(s, StatusCode::OK);
    for expected in [
        "<h2 id=\"about-title\">About you</h2>",
        "<label for=\"background\">Background</label>",
        "aria-describedby=\"hopes-hint\"",
        "What you hope to give or get",
        "not the coordinator",
    ] {
        assert!(page.contains(expected), "{expected} missing: {page}");
    }
    // Every problem at once, what was typed kept, nothing saved.
    let long = "é".repeat(2_001);
    let (s, page, _) =
        post_form(&app, &cookie, "/settings/about", &[("csrf", &csrf), ("background", &long), ("interests", "Surfen"), ("hopes", &long)])
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for expected in [
        "<a href=\"#background\">Background: write at most 2,000 characters.</a>",
        "<a href=\"#hopes\">What you hope to give or get: write at most 2,000 characters.</a>",
        "id=\"background-error\"",
        "aria-describedby=\"background-hint background-error\" aria-invalid=\"true\"",
        ">Surfen</textarea>",
    ] {
        assert!(page.contains(expected), "{expected} missing: {page}");
    }
    let (_, p) = app.get("/api/v1/me/profile", &w.mentee.token).await;
    assert!(p["updated_at"].is_null(), "nothing saved: {p}");

    // Saved: back to the page with a confirmation; the API reads the same.
    let (s, _, h) = post_form(
        &app,
        &cookie,
        "/settings/about",
        &[("csrf", &csrf), ("background", "Uit Porto,\r\nnu in Lissabon"), ("experience", ""), ("interests", "Surfen"), ("hopes", "")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/settings?done=about");
    let (_, page, _) = get(&app, &cookie, "/settings?done=about").await;
    assert!(page.contains("‘About you’ is saved."), "{page}");
    assert!(page.contains(">Uit Porto,\nnu in Lissabon</textarea>"), "{page}");
    let (_, p) = app.get("/api/v1/me/profile", &w.mentee.token).await;
    assert_eq!(p["profile"], json!({"background": "Uit Porto,\nnu in Lissabon", "experience": "", "interests": "Surfen", "hopes": ""}));
    // In Dutch.
    let (s, b) = app.call(reqwest::Method::PATCH, "/api/v1/me", Some(&w.mentee.token), Some(json!({"locale": "nl"}))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, page, _) = get(&app, &cookie, "/settings").await;
    assert!(page.contains("<h2 id=\"about-title\">Over jezelf</h2>") && page.contains("Achtergrond"), "{page}");
    // Without the form's token nothing is saved.
    let (s, _, _) = post_form(&app, &cookie, "/settings/about", &[("background", "Overschreven")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, p) = app.get("/api/v1/me/profile", &w.mentee.token).await;
    assert_eq!(p["profile"]["background"], "Uit Porto,\nnu in Lissabon");
    app.stop().await;
}

/// A moment in Amsterdam in 2026.
fn ams(month: u32, day: u32, hour: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono_tz::Europe::Amsterdam.with_ymd_and_hms(2026, month, day, hour, 0, 0).single().expect("time").with_timezone(&chrono::Utc)
}

async fn the_weekly_summary_holds_no_profile(app: TestServer) {
    app.clock.set(ams(9, 2, 10));
    let w = World::build(&app).await;
    for p in [&w.mentor, &w.mentee] {
        let (s, b) = app.put("/api/v1/me/profile", &p.token, full_profile(&p.email)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    // Monday 7 September, 09:00: the week's summary is due.
    app.clock.set(ams(9, 7, 9));
    assert!(mentorpost_server::mail::summary::schedule_due(&app.state).await.expect("summary round") >= 1);
    app.drain_outbox().await;
    let to_coordinator: Vec<String> = app
        .mail_files()
        .into_iter()
        .filter_map(|raw| {
            let m = mail_parser::MessageParser::default().parse(raw.as_bytes())?;
            let to = m.to().and_then(|t| t.first()).and_then(|a| a.address())?.to_owned();
            (to == w.coordinator.email).then(|| format!("{raw}\n{}", m.body_text(0).unwrap_or_default()))
        })
        .collect();
    assert!(!to_coordinator.is_empty(), "the summary was written");
    for mail in to_coordinator {
        assert!(!mail.contains(MARKER) && !mail.contains("Łódź"), "{mail}");
    }
    app.stop().await;
}
