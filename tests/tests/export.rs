//! The export of a person's data (GDPR right of access and portability), on both
//! backends: every category is in it with the right content and nothing of another
//! member's own forms; the zip opens and every link of its index resolves; the API
//! (the person, an admin on their behalf; nobody else), the settings page's button,
//! and the background path: the mailed link works, then expires (410) and the file is
//! deleted.

use chrono::Duration;
use mentorpost_tests::contract::Answer;
use mentorpost_tests::web::{browser, get, post_form, sign_in};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Read;

both_backends!(
    every_category_and_nothing_of_others,
    who_may_export_whom,
    the_settings_button_hands_over_the_zip,
    a_former_member_gets_what_they_could_read
);
both_backends!(start = super::big_exports; a_large_export_is_mailed_and_its_link_expires);

/// Every export is built in the background.
async fn big_exports(backend: mentorpost_tests::Backend) -> Option<TestServer> {
    TestServer::start_with(backend, |c| c.export_inline_max_bytes = 0).await
}

const REPLY: &str = "Dank je, Çağrı! Ik wil vooral leren presenteren in het Nederlands.";
const PROFILE: &str = "Verpleegkundige uit Porto, sinds 2024 in Utrecht";
const GOALS: &str = "Voor juni een presentatie van tien minuten zonder briefje";
const SESSION_GOAL: &str = "Oefenen met de opbouw van een presentatie";
const ACTION: &str = "Een eerste versie van de dia's maken";
const MENTEE_REFLECTION: &str = "Spannend, maar het ging beter dan gedacht";
const MENTOR_REFLECTION: &str = "PRIVATE-mentor-reflection: ik had meer moeten vragen";
const MENTEE_REVIEW: &str = "Groei: ik durf nu vragen te stellen in het overleg";
const MENTOR_REVIEW: &str = "PRIVATE-mentor-review: zij groeit snel";
const MENTEE_ACHIEVED: &str = "Ik presenteer nu zonder spiekbriefje";
const MENTOR_ACHIEVED: &str = "PRIVATE-mentor-evaluation: vaker doorvragen";
const FOLLOW_UP: &str = "Het gaat goed: sinds maart teamleider";
const FILE_BYTES: &[u8] = b"slides, first draft\n";

/// The zip's files by name.
type Files = BTreeMap<String, Vec<u8>>;

fn unzip(bytes: &[u8]) -> Files {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the export is a zip");
    let mut out = Files::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("a file of the zip");
        let mut data = Vec::new();
        file.read_to_end(&mut data).expect("the file reads");
        out.insert(file.name().to_owned(), data);
    }
    out
}

fn json_of(files: &Files, name: &str) -> Value {
    serde_json::from_slice(files.get(name).unwrap_or_else(|| panic!("{name} in the export: {:?}", files.keys()))).expect("JSON")
}

/// Every `href` of the index, percent-decoded: each names a file of the zip.
fn assert_links_resolve(files: &Files) {
    let index = String::from_utf8(files["index.html"].clone()).expect("UTF-8");
    let mut links = 0;
    for part in index.split("href=\"").skip(1) {
        let href = part.split('"').next().expect("closing quote");
        let path = percent_decode(href);
        assert!(!href.contains("://") && !href.starts_with('/'), "a link out of the folder: {href}");
        assert!(files.contains_key(&path), "the index links {href}, which is not in the zip: {:?}", files.keys());
        links += 1;
    }
    assert!(links >= 7, "the index links its files ({links})");
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("hex digit"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8 path")
}

/// Sends a request that answers with a zip (or an error), checked against the API's
/// document like every other call; returns status, content type and the body's bytes.
async fn fetch(app: &TestServer, method: Method, path: &str, token: Option<&str>) -> (StatusCode, String, Vec<u8>) {
    let mut req = app.client.request(method.clone(), app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = resp.bytes().await.expect("body").to_vec();
    let answer = Answer { status, content_type: Some(&content_type), body: &body };
    app.contract().await.check(&method, path, &answer);
    (status, content_type, body)
}

/// Fills every category for the world's mentee (and the mentor's own forms beside
/// them). Returns the id of a second mentorship, started long enough ago for a review.
async fn fill(app: &TestServer, w: &World) -> String {
    let ms = format!("/api/v1/mentorships/{}", w.mentorship);
    let (s, b) = app.put("/api/v1/me/profile", &w.mentee.token, json!({"background": PROFILE})).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app
        .put(&format!("{ms}/agreement/content"), &w.mentor.token, json!({"goals": GOALS, "ground_rules": "Binnen drie dagen antwoord"}))
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app.post(&format!("{ms}/agreement/confirm"), &w.mentee.token, json!({"accept_charter": true})).await;
    assert_eq!(s, 200, "{b}");
    let reply = w.post_message(app, &w.mentee, REPLY).await;
    app.attach_file(reply["id"].as_str().expect("message id"), &w.mentorship, "dia's eerste versie #1.txt", FILE_BYTES).await;
    let (s, b) = app
        .post(
            &format!("{ms}/meetings"),
            &w.mentor.token,
            json!({"date": "2026-09-15", "duration_minutes": 45, "mode": "video", "learning_goal": SESSION_GOAL,
                   "actions": [{"text": ACTION, "owner_id": w.mentee.id, "due_on": "2026-09-29"}]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = app.post(&format!("{ms}/reflections"), &w.mentee.token, json!({"answers": {"felt": MENTEE_REFLECTION}})).await;
    assert_eq!(s, 201, "{b}");
    // The mentor's form is shared: the mentee may read it, and still it is not hers.
    let (s, b) =
        app.post(&format!("{ms}/reflections"), &w.mentor.token, json!({"answers": {"felt": MENTOR_REFLECTION}, "shared": true})).await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = app
        .put(
            "/api/v1/me/mail",
            &w.mentee.token,
            json!({"mode": "daily", "digest_hour": 7, "digest_weekday": 5, "missed_delay_minutes": 30}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) =
        app.post(&format!("/api/v1/users/{}/emails", w.mentee.id), &w.admin.token, json!({"email": "joao.thuis@example.org"})).await;
    assert_eq!(s, 201, "{b}");
    // Consent, as accepting an invitation records it.
    let (user, programme, at) = (w.mentee.id.to_string(), w.programme.clone(), chrono::Utc::now().timestamp_millis());
    app.state
        .db
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO consents (user_id, programme_id, notice_version, via, given_at) VALUES ($1, $2, '2026-11', 'web', $3)",
                )
                .bind(user)
                .bind(programme)
                .bind(at)
                .execute(&mut *conn)
                .await?;
                Ok::<_, mentorpost_server::db::StoreError>(())
            })
        })
        .await
        .expect("consent");

    // A second mentorship, 300 days old: the first review round is due.
    let start = (chrono::Utc::now() - Duration::days(300)).date_naive();
    let (s, m) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [{"user_id": w.mentor.id, "role": "mentor"}, {"user_id": w.mentee.id, "role": "mentee"}], "status": "active",
                   "start_date": start.to_string()}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let second = m["id"].as_str().expect("id").to_owned();
    for (who, text) in [(&w.mentee, MENTEE_REVIEW), (&w.mentor, MENTOR_REVIEW)] {
        let (s, b) = app
            .post(
                &format!("/api/v1/mentorships/{second}/reviews"),
                &who.token,
                json!({"round": 1, "answers": {"growth": text, "satisfaction": 4}}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }

    // Closing: both forms (the last one closes it), then the mentee's follow-up.
    let (s, b) = app.call(Method::POST, &format!("{ms}/closing"), Some(&w.mentee.token), None).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app
        .put(&format!("{ms}/closing/form"), &w.mentee.token, json!({"key_moments": "Het eerste gesprek", "achieved": MENTEE_ACHIEVED}))
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app
        .put(&format!("{ms}/closing/form"), &w.mentor.token, json!({"key_moments": "Haar presentatie", "achieved": MENTOR_ACHIEVED}))
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = app.put(&format!("{ms}/follow-up"), &w.mentee.token, json!({"how_it_goes": FOLLOW_UP})).await;
    assert_eq!(s, 201, "{b}");
    second
}

/// Everything in the mentee's export, checked category by category.
fn check_mentee_export(w: &World, files: &Files, second: &str) {
    for name in [
        "index.html",
        "data/account.json",
        "data/programmes.json",
        "data/mentorships.json",
        "data/messages.json",
        "data/forms.json",
        "data/mail.json",
        "data/audit.json",
    ] {
        assert!(files.contains_key(name), "{name} missing: {:?}", files.keys());
    }
    assert_links_resolve(files);
    let account = json_of(files, "data/account.json");
    assert_eq!(account["account"]["email"], "mentee@example.org");
    assert_eq!(account["account"]["display_name"], "João Pereira");
    assert_eq!(account["profile"]["background"], PROFILE);
    let addresses = account["addresses"].to_string();
    assert!(addresses.contains("joao.thuis@example.org"), "{addresses}");
    assert!(!account["sign_ins"].as_array().expect("sign-ins").is_empty(), "{account}");
    assert!(!account.to_string().contains("password_hash") && !account.to_string().contains("$argon2"), "no secrets: {account}");

    let programmes = json_of(files, "data/programmes.json");
    assert_eq!(programmes["consents"][0]["notice_version"], "2026-11", "{programmes}");
    assert_eq!(programmes["consents"][0]["programme"], "Programme P");

    let mentorships = json_of(files, "data/mentorships.json");
    let list = mentorships.as_array().expect("mentorships");
    assert_eq!(list.len(), 2, "{mentorships}");
    let first = list.iter().find(|m| m["id"] == w.mentorship.as_str()).expect("the world's mentorship");
    assert_eq!(first["your_role"], "mentee");
    assert_eq!(first["status"], "closed", "{first}");
    assert!(first["agreement_versions"].to_string().contains(GOALS), "{first}");
    assert_eq!(first["confirmations"].as_array().map(Vec::len), Some(1), "{first}");
    assert_eq!(first["meetings"][0]["learning_goal"], SESSION_GOAL);
    assert_eq!(first["actions"][0]["text"], ACTION);
    assert_eq!(first["actions"][0]["yours"], true);
    let names = first["members"].to_string();
    assert!(names.contains("Çağrı Yılmaz") && !names.contains("mentor@example.org"), "names, never others' addresses: {names}");

    let messages = json_of(files, "data/messages.json");
    let text = messages.to_string();
    assert!(text.contains("Dag João, welkom!"), "a message received: {text}");
    assert!(text.contains(&serde_json::to_string(REPLY).expect("json").trim_matches('"').to_owned()), "a message written");
    assert!(text.contains("Kennismaking: doelen voor het eerste kwartaal"), "the subject");
    let attachment = messages["mentorships"]
        .as_array()
        .expect("by mentorship")
        .iter()
        .flat_map(|m| m["threads"].as_array().cloned().unwrap_or_default())
        .flat_map(|t| t["messages"].as_array().cloned().unwrap_or_default())
        .flat_map(|m| m["attachments"].as_array().cloned().unwrap_or_default())
        .next()
        .expect("the attachment is listed");
    let path = attachment["file"].as_str().expect("its file");
    assert_eq!(files.get(path).map(Vec::as_slice), Some(FILE_BYTES), "the attachment's bytes at {path}");

    let forms = json_of(files, "data/forms.json");
    assert_eq!(forms["reflections"].as_array().map(Vec::len), Some(1), "her own reflection only: {forms}");
    assert_eq!(forms["reflections"][0]["felt"], MENTEE_REFLECTION);
    assert_eq!(forms["reviews"][0]["growth"], MENTEE_REVIEW);
    assert_eq!(forms["reviews"][0]["mentorship_id"], second);
    assert_eq!(forms["closing_forms"].as_array().map(Vec::len), Some(1), "{forms}");
    assert_eq!(forms["closing_forms"][0]["achieved"], MENTEE_ACHIEVED);
    assert_eq!(forms["follow_ups"][0]["how_it_goes"], FOLLOW_UP);

    let mail = json_of(files, "data/mail.json");
    assert_eq!(mail["settings"]["mode"], "daily", "{mail}");
    assert_eq!(mail["settings"]["digest_hour"], 7);

    // None of the mentor's own forms, anywhere in the zip (the index included).
    for (name, bytes) in files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("PRIVATE-mentor"), "{name} holds another member's form");
    }
    let index = String::from_utf8_lossy(&files["index.html"]);
    assert!(index.contains("Dag João, welkom!") && index.contains("João Pereira"), "the index reads the messages");
}

async fn every_category_and_nothing_of_others(app: TestServer) {
    let w = World::build(&app).await;
    let second = fill(&app, &w).await;
    let (s, content_type, body) = fetch(&app, Method::POST, "/api/v1/me/export", Some(&w.mentee.token)).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(content_type, "application/zip");
    let files = unzip(&body);
    check_mentee_export(&w, &files, &second);
    assert!(String::from_utf8_lossy(&files["index.html"]).contains("<html lang=\"en\">"));

    // The mentor's export has his forms and none of hers.
    let (s, _, body) = fetch(&app, Method::POST, "/api/v1/me/export", Some(&w.mentor.token)).await;
    assert_eq!(s, StatusCode::OK);
    let files = unzip(&body);
    let forms = json_of(&files, "data/forms.json").to_string();
    assert!(forms.contains("PRIVATE-mentor-reflection") && forms.contains("PRIVATE-mentor-evaluation"), "{forms}");
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for hers in [MENTEE_REFLECTION, MENTEE_REVIEW, MENTEE_ACHIEVED, FOLLOW_UP, PROFILE] {
            assert!(!text.contains(hers), "{name} of the mentor's export holds the mentee's own words: {hers}");
        }
    }

    // In Dutch for a Dutch reader.
    let (s, b) = app.call(Method::PATCH, "/api/v1/me", Some(&w.mentee.token), Some(json!({"locale": "nl"}))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, _, body) = fetch(&app, Method::POST, "/api/v1/me/export", Some(&w.mentee.token)).await;
    let index = String::from_utf8(unzip(&body)["index.html"].clone()).expect("UTF-8");
    assert!(index.contains("<html lang=\"nl\">") && index.contains("Jouw gegevens uit mentorpost"), "{index}");
}

async fn who_may_export_whom(app: TestServer) {
    let w = World::build(&app).await;
    w.post_message(&app, &w.mentee, REPLY).await;
    let path = format!("/api/v1/users/{}/export", w.mentee.id);
    // An admin, on the person's behalf: the person's data.
    let (s, _, body) = fetch(&app, Method::POST, &path, Some(&w.admin.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(json_of(&unzip(&body), "data/account.json")["account"]["email"], "mentee@example.org");
    // The person themself, by this route too; their export lists the accesses that
    // concern them: the admin's export on their behalf, and the coordinator's look at
    // their mentorship's figures.
    let (s, b) = app.get(&format!("/api/v1/programmes/{}/health", w.programme), &w.coordinator.token).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, _, body) = fetch(&app, Method::POST, &path, Some(&w.mentee.token)).await;
    assert_eq!(s, StatusCode::OK);
    let audit = json_of(&unzip(&body), "data/audit.json");
    let actions: Vec<&str> = audit.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"person_export") && actions.contains(&"health_page"), "{audit}");
    assert!(audit.to_string().contains("Anneke de Vries"), "who looked is named: {audit}");
    // The coordinator knows the person and may not read their content: 403.
    let (s, _, body) = fetch(&app, Method::POST, &path, Some(&w.coordinator.token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(!String::from_utf8_lossy(&body).contains("Ik wil"), "no content in a refusal");
    // Anyone else learns nothing: 404, as for a person who does not exist.
    for who in [&w.mentor, &w.other_coordinator, &w.outsider] {
        let (s, _, _) = fetch(&app, Method::POST, &path, Some(&who.token)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{}", who.email);
    }
    let (s, _, _) = fetch(&app, Method::POST, &format!("/api/v1/users/{}/export", uuid::Uuid::now_v7()), Some(&w.admin.token)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = fetch(&app, Method::POST, "/api/v1/me/export", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // A coordinator's own export holds none of the members' words.
    let (s, _, body) = fetch(&app, Method::POST, "/api/v1/me/export", Some(&w.coordinator.token)).await;
    assert_eq!(s, StatusCode::OK);
    for (name, bytes) in unzip(&body) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Ik wil") && !text.contains("Dag João"), "{name} of the coordinator's export holds content");
    }
}

async fn the_settings_button_hands_over_the_zip(app: TestServer) {
    let w = World::build(&app).await;
    w.post_message(&app, &w.mentee, REPLY).await;
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let (s, page, _) = get(&app, &cookie, "/settings").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("action=\"/settings/export\"") && page.contains("Download my data"), "the settings page offers it");
    let resp =
        browser().post(app.url("/settings/export")).header("cookie", &cookie).form(&[("csrf", csrf.as_str())]).send().await.expect("post");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/zip");
    assert!(resp.headers()["content-disposition"].to_str().expect("ascii").starts_with("attachment; filename=\"mentorpost-export-"));
    let files = unzip(&resp.bytes().await.expect("zip"));
    assert!(String::from_utf8_lossy(&files["data/messages.json"]).contains("presenteren"));
    // Without the CSRF token nothing is handed over.
    let (s, body, _) = post_form(&app, &cookie, "/settings/export", &[]).await;
    assert_ne!(s, StatusCode::OK, "{body}");
    assert!(!body.contains("presenteren"));
}

/// The texts of the export mails, decoded.
fn export_mails(app: &TestServer) -> Vec<String> {
    app.mail_files()
        .iter()
        .filter_map(|raw| {
            let parsed = mail_parser::MessageParser::default().parse(raw.as_bytes())?;
            (parsed.subject() == Some("Your data from mentorpost is ready")).then(|| parsed.body_text(0).map(|t| t.into_owned()))?
        })
        .collect()
}

/// The link in an export mail's text.
fn link_in(text: &str) -> String {
    let start = text.find("http://").expect("a link");
    let rest = &text[start..];
    rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())].to_owned()
}

async fn a_large_export_is_mailed_and_its_link_expires(app: TestServer) {
    let w = World::build(&app).await;
    w.post_message(&app, &w.mentee, REPLY).await;
    let (s, b) = app.call(Method::POST, "/api/v1/me/export", Some(&w.mentee.token), None).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!(b, json!({"status": "queued", "link_days": 7}));

    // The build runs in the background; its mail is queued with the record.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'export'").fetch_one(app.state.db.pool()).await.expect("count");
        if n == 1 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no export mail was queued");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    app.drain_outbox().await;
    let mails = export_mails(&app);
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].contains("You asked for this export"), "{}", mails[0]);
    let link = link_in(&mails[0]);
    let path = link.trim_start_matches(&app.base).to_owned();
    let rendered: Option<String> =
        sqlx::query_scalar("SELECT rendered FROM outbox WHERE kind = 'export'").fetch_one(app.state.db.pool()).await.expect("row");
    assert_eq!(rendered, None, "the sent mail's copy with the link is not kept");
    let hash: String = sqlx::query_scalar("SELECT token_hash FROM exports").fetch_one(app.state.db.pool()).await.expect("row");
    assert!(!path.contains(&hash), "the link carries the token, the store its hash");

    // The link works without signing in.
    let (s, content_type, body) = fetch(&app, Method::GET, &path, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(content_type, "application/zip");
    let files = unzip(&body);
    assert!(String::from_utf8_lossy(&files["data/messages.json"]).contains("presenteren"));
    assert_links_resolve(&files);
    let dir = app.data_dir().join("exports");
    let kept = || std::fs::read_dir(&dir).map(|d| d.flatten().count()).unwrap_or(0);
    assert_eq!(kept(), 1, "the file is kept in the data dir");

    // A week later the link is refused, and the purge deletes the file.
    app.clock.advance(Duration::days(7) + Duration::minutes(1));
    let (s, _, body) = fetch(&app, Method::GET, &path, None).await;
    assert_eq!(s, StatusCode::GONE, "{}", String::from_utf8_lossy(&body));
    assert_eq!(mentorpost_server::http::exports::purge(&app.state).await.expect("purge"), 1);
    assert_eq!(kept(), 0, "the file is deleted at expiry");
    let (s, _, _) = fetch(&app, Method::GET, &path, None).await;
    assert_eq!(s, StatusCode::GONE);
    // A token that names nothing is not found.
    let (s, _, _) = fetch(&app, Method::GET, &format!("/api/v1/exports/{}", mentorpost_auth::opaque::generate_token()), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // On behalf of someone, by an admin: the mail says so (signed in again: the week
    // outlived the token).
    let (admin, _) = app.login(&w.admin.email, PASSWORD).await;
    let (s, _) = app.call(Method::POST, &format!("/api/v1/users/{}/export", w.mentor.id), Some(&admin), None).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'export'").fetch_one(app.state.db.pool()).await.expect("count");
        if n == 2 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no second export mail was queued");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    app.drain_outbox().await;
    assert!(export_mails(&app).iter().any(|m| m.contains("asked for this export on your behalf")), "the admin's export is named as such");

    // The settings button, for a large export: the page says a link will come.
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let (s, _, headers) = post_form(&app, &cookie, "/settings/export", &[("csrf", csrf.as_str())]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/settings?done=export");
    let (_, page, _) = get(&app, &cookie, "/settings?done=export").await;
    assert!(page.contains("We will mail you a link as soon as it is ready"), "the page says what happens");
}

/// The export follows the reading window: a member who left gets what was written up
/// to their leaving, nothing after; someone who came later gets nothing from before.
async fn a_former_member_gets_what_they_could_read(app: TestServer) {
    let w = World::build(&app).await;
    w.post_message(&app, &w.mentee, "Voor mijn vertrek geschreven").await;
    app.clock.advance(Duration::minutes(1));
    let (s, b) = app
        .call(Method::DELETE, &format!("/api/v1/mentorships/{}/members/{}", w.mentorship, w.mentee.id), Some(&w.coordinator.token), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.clock.advance(Duration::minutes(1));
    w.post_message(&app, &w.mentor, "Na haar vertrek geschreven").await;
    let (s, b) = app
        .post(
            &format!("/api/v1/mentorships/{}/members", w.mentorship),
            &w.coordinator.token,
            json!({"user_id": w.outsider.id, "role": "mentee"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    let (s, _, body) = fetch(&app, Method::POST, "/api/v1/me/export", Some(&w.mentee.token)).await;
    assert_eq!(s, StatusCode::OK);
    let files = unzip(&body);
    let messages = String::from_utf8_lossy(&files["data/messages.json"]).into_owned();
    assert!(messages.contains("Voor mijn vertrek") && messages.contains("Dag João, welkom!"), "{messages}");
    assert!(!messages.contains("Na haar vertrek"), "nothing written after leaving: {messages}");
    assert!(json_of(&files, "data/mentorships.json")[0]["left_at"].is_string());

    let (s, _, body) = fetch(&app, Method::POST, "/api/v1/me/export", Some(&w.outsider.token)).await;
    assert_eq!(s, StatusCode::OK);
    let messages = String::from_utf8_lossy(&unzip(&body)["data/messages.json"]).into_owned();
    assert!(!messages.contains("Dag João") && !messages.contains("vertrek"), "a newcomer gets nothing from before: {messages}");
}
