//! The privacy proof, against the real binary: unique markers go into every subject,
//! body, attachment name (by mail and from the web app's form), meeting note, a session's learning goal, what it explored
//! and its actions, reflection forms (on the web and answered by mail), periodic reviews, closing forms and follow-ups (F10), every field of the agreement's content (goals, action plan, topics left out, the
//! mentor's time, how to end early, ground rules), a check-in answer's text, and the members' profiles (by the API
//! and the settings page's form); then every GET route of the OpenAPI document, every page
//! of the web app (the admin's audit log too), the CSV export, the coordinator's WebSocket stream, the
//! coordinator's mail and the server's log at info level are searched for them.
//! Refused requests with a marker inside must not echo it either. A message a member
//! shares with the coordinator on purpose (the one way content reaches them) is seen
//! exactly, on the coordinator's shared-concerns route and page only; the other message
//! of its thread never. The three ways a coordinator once reached content —
//! joining, creating a stand-in with a password, staying on as a former member —
//! are tried too.

#[path = "../../../tests/src/smtp.rs"]
#[allow(dead_code)]
mod smtp;

use mentorpost_client::{Api, Live};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_mentorpost");
const WAIT: Duration = Duration::from_secs(30);
/// Every marker starts with this; finding it anywhere a coordinator can see is a leak.
const MARK: &str = "ZQX";
const SECRET: &str = "privacy-test-inbound-secret-0123456789";
/// What a member shared with the coordinator on purpose: the coordinator sees it.
const SHARED: &str = "SHRD7q";
/// A message of the shared message's thread that was not shared: never seen.
const UNSHARED: &str = "UNSH4k";
const PASSWORD: &str = "mentorpost-demo";

struct Served {
    child: Child,
    http: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &std::path::Path, smtp_url: &str) -> Served {
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("MENTORPOST_DATABASE_URL")
        .env("MENTORPOST_LOG", "info")
        .args(["serve", "--demo", "--http", "127.0.0.1:0", "--smtp-url", smtp_url, "--inbound-secret", SECRET, "--test-clock"])
        .args(["--metrics-listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::channel();
    let lines = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.split(" addr=").nth(1).and_then(|r| r.split_whitespace().next()) {
                let _ = tx.send(addr.to_owned());
            }
            lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).expect("the server announced its address");
    Served { child, http: format!("http://{addr}"), log }
}

async fn call(api: &Api, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, String) {
    let mut req = api.http.request(method, format!("{}{path}", api.base)).bearer_auth(&api.access_token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

/// The CSRF token a page of the web app carries.
fn csrf_of_page(page: &str) -> String {
    page.split("<meta name=\"csrf-token\" content=\"").nth(1).and_then(|r| r.split('"').next()).expect("csrf").to_owned()
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_anyone_wrote_reaches_a_coordinator() {
    let sink = smtp::SmtpServer::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let served = serve(dir.path(), &sink.url());
    let base = served.http.clone();
    let coordinator = Api::login(&base, "anneke@demo.mentorpost.localhost", PASSWORD).await.expect("coordinator");
    let mentor = Api::login(&base, "malgorzata@demo.mentorpost.localhost", PASSWORD).await.expect("mentor");
    let mentee = Api::login(&base, "joao@demo.mentorpost.localhost", PASSWORD).await.expect("mentee");
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;
    let put = reqwest::Method::PUT;

    // The coordinator watches the live stream from the start.
    let mut coordinator_live = Live::connect(&coordinator).await.expect("coordinator socket");
    tokio::time::timeout(WAIT, coordinator_live.hello()).await.expect("hello in time").expect("hello");
    let mut mentor_live = Live::connect(&mentor).await.expect("mentor socket");
    tokio::time::timeout(WAIT, mentor_live.hello()).await.expect("hello in time").expect("hello");

    let (_, me) = call(&mentee, get.clone(), "/api/v1/me", None).await;
    let mentee_id = json_of(&me)["id"].as_str().expect("the mentee's id").to_owned();
    let (_, mine) = call(&mentor, get.clone(), "/api/v1/me/mentorships", None).await;
    let mentorship = json_of(&mine)[0]["id"].as_str().expect("the mentor's mentorship").to_owned();
    let programme = json_of(&mine)[0]["programme_id"].as_str().expect("programme").to_owned();

    // Markers everywhere members write.
    let (s, t) = call(
        &mentor,
        post.clone(),
        &format!("/api/v1/mentorships/{mentorship}/threads"),
        Some(json!({"subject": format!("Plan {MARK}subject"), "body": format!("Vertrouwelijk {MARK}body")})),
    )
    .await;
    assert_eq!(s, 201, "{t}");
    let thread = json_of(&t)["thread"]["id"].as_str().expect("thread").to_owned();
    let (s, b) = call(
        &mentor,
        put.clone(),
        &format!("/api/v1/mentorships/{mentorship}/agreement/content"),
        Some(json!({
            "ground_rules": format!("{MARK}rules"),
            "goals": format!("{MARK}goals"),
            "action_plan": format!("{MARK}plan"),
            "topics_excluded": format!("{MARK}excluded"),
            "mentor_time": format!("{MARK}time"),
            "ending_early": format!("{MARK}ending"),
        })),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    // The mentor confirms it: the coordinator may learn that, and only that.
    let (s, b) =
        call(&mentor, post.clone(), &format!("/api/v1/mentorships/{mentorship}/agreement/confirm"), Some(json!({"accept_charter": true})))
            .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = call(
        &mentee,
        post.clone(),
        &format!("/api/v1/mentorships/{mentorship}/meetings"),
        Some(json!({"date": "2026-01-15", "duration_minutes": 40, "mode": "in_person", "note": format!("{MARK}note"),
                    "learning_goal": format!("{MARK}learninggoal"), "explored": format!("{MARK}explored"),
                    "actions": [{"text": format!("{MARK}action"), "owner_id": mentee_id, "due_on": "2026-01-20"}]})),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    // Reflection forms: the mentee's (for the mentor) and the mentor's, shared.
    for (who, answers) in [
        (&mentee, json!({"felt": format!("{MARK}reflectionfelt"), "questions": format!("{MARK}reflectionquestions")})),
        (&mentor, json!({"went_less_well": format!("{MARK}reflectionmentor")})),
    ] {
        let (s, b) = call(
            who,
            post.clone(),
            &format!("/api/v1/mentorships/{mentorship}/reflections"),
            Some(json!({"answers": answers, "shared": true})),
        )
        .await;
        assert_eq!(s, 201, "{b}");
    }
    // Periodic reviews (F8): a mentorship of the same pair that started long enough
    // ago for its first review to be due; both answer every question.
    let (_, me) = call(&mentor, get.clone(), "/api/v1/me", None).await;
    let mentor_id = json_of(&me)["id"].as_str().expect("the mentor's id").to_owned();
    let start = (chrono::Utc::now() - chrono::Duration::days(200)).date_naive();
    let (s, b) = call(
        &coordinator,
        post.clone(),
        &format!("/api/v1/programmes/{programme}/mentorships"),
        Some(json!({"members": [{"user_id": mentor_id, "role": "mentor"}, {"user_id": mentee_id, "role": "mentee"}],
                    "status": "active", "start_date": start.to_string()})),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let reviewed = json_of(&b)["id"].as_str().expect("the reviewed mentorship").to_owned();
    for (who, api) in [("mentor", &mentor), ("mentee", &mentee)] {
        let answers = json!({
            "meetings": format!("{MARK}{who}reviewmeetings"),
            "time": format!("{MARK}{who}reviewtime"),
            "topics": format!("{MARK}{who}reviewtopics"),
            "growth": format!("{MARK}{who}reviewgrowth"),
            "comments": format!("{MARK}{who}reviewcomments"),
            "satisfaction": 2,
            "continue_choice": "change",
        });
        let (s, b) =
            call(api, post.clone(), &format!("/api/v1/mentorships/{reviewed}/reviews"), Some(json!({"round": 1, "answers": answers})))
                .await;
        assert_eq!(s, 200, "{b}");
    }
    // Both members' profiles (G5): every field.
    for (who, api) in [("mentor", &mentor), ("mentee", &mentee)] {
        let profile = json!({
            "background": format!("{MARK}{who}background"),
            "experience": format!("{MARK}{who}experience"),
            "interests": format!("{MARK}{who}interests"),
            "hopes": format!("{MARK}{who}hopes"),
        });
        let (s, b) = call(api, put.clone(), "/api/v1/me/profile", Some(profile)).await;
        assert_eq!(s, 200, "{b}");
    }
    // João reads by mail for the check-in, and answers it by mail with text and a file.
    let (_, prefs) = call(&mentee, get.clone(), "/api/v1/me/mail", None).await;
    let mut settings = json_of(&prefs)["settings"].clone();
    settings["mode"] = json!("each");
    let (s, b) = call(&mentee, put.clone(), "/api/v1/me/mail", Some(settings)).await;
    assert_eq!(s, 200, "{b}");
    let (s, c) = call(&coordinator, post.clone(), &format!("/api/v1/mentorships/{mentorship}/check-ins"), None).await;
    assert_eq!(s, 201, "{c}");
    let checkin_thread = json_of(&c)["thread_id"].as_str().expect("check-in thread").to_owned();
    let notification = loop {
        let mails = sink.wait_for(1, WAIT).await;
        let found = mails.iter().find(|m| {
            m.to.iter().any(|t| t.starts_with("joao@"))
                && smtp::parse(m).body_text(0).is_some_and(|t| t.contains(&format!("threads/{checkin_thread}")))
        });
        if let Some(m) = found {
            break m.clone();
        }
        sink.wait_for(mails.len() + 1, WAIT).await;
    };
    let reply_to = smtp::parse(&notification).reply_to().and_then(|a| a.first()).and_then(|a| a.address()).expect("Reply-To").to_owned();
    let raw = format!(
        "From: João Pereira <joao@demo.mentorpost.localhost>\r\nTo: {reply_to}\r\nSubject: Re: Check-in\r\nMessage-ID: <privacy-1@client.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n2\r\n\r\nIk twijfel: {MARK}checkin\r\n--b\r\nContent-Type: application/pdf; name=\"{MARK}attachment.pdf\"\r\nContent-Disposition: attachment; filename=\"{MARK}attachment.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
    );
    let resp = mentee
        .http
        .post(format!("{base}/api/v1/inbound/email"))
        .bearer_auth(SECRET)
        .header("content-type", "message/rfc822")
        .body(raw)
        .send()
        .await
        .expect("inbound");
    assert!(resp.status().is_success());
    assert_eq!(json_of(&resp.text().await.unwrap_or_default())["outcome"], "posted");
    // The mentor's socket has everything; from here the coordinator's must show nothing.
    tokio::time::timeout(WAIT, async {
        while let Ok(Some(event)) = mentor_live.next_event().await {
            if event.data.to_string().contains(&format!("{MARK}checkin")) {
                return;
            }
        }
    })
    .await
    .expect("the members' content went live");

    // The session's reflection invitation reaches João by mail once its notes settled;
    // he answers it by reply, and the answers are recorded — and shown back to him only.
    let advanced = mentee.http.post(format!("{base}/test/clock/advance")).json(&json!({"seconds": 11 * 60})).send().await.expect("clock");
    assert!(advanced.status().is_success());
    let invitation = loop {
        let mails = sink.wait_for(1, WAIT).await;
        let found = mails.iter().find(|m| {
            m.to.iter().any(|t| t.starts_with("joao@"))
                && smtp::parse(m).subject().is_some_and(|s| s.contains("Your reflection on the session"))
        });
        if let Some(m) = found {
            break m.clone();
        }
        sink.wait_for(mails.len() + 1, WAIT).await;
    };
    let form_to = smtp::parse(&invitation).reply_to().and_then(|a| a.first()).and_then(|a| a.address()).expect("Reply-To").to_owned();
    let raw = format!(
        "From: João Pereira <joao@demo.mentorpost.localhost>\r\nTo: {form_to}\r\nSubject: Re: reflectie\r\nMessage-ID: <privacy-2@client.example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n> 3. How I felt\r\n{MARK}mailreflection\r\n"
    );
    let resp = mentee
        .http
        .post(format!("{base}/api/v1/inbound/email"))
        .bearer_auth(SECRET)
        .header("content-type", "message/rfc822")
        .body(raw)
        .send()
        .await
        .expect("inbound");
    assert_eq!(json_of(&resp.text().await.unwrap_or_default())["outcome"], "form_answered");
    loop {
        let mails = sink.wait_for(1, WAIT).await;
        if mails.iter().any(|m| {
            m.to.iter().any(|t| t.starts_with("joao@"))
                && smtp::parse(m).body_text(0).is_some_and(|t| t.contains(&format!("{MARK}mailreflection")))
        }) {
            break;
        }
        sink.wait_for(mails.len() + 1, WAIT).await;
    }

    // A reply from the web app with a file: the file's name is content too.
    let web = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let resp = web
        .post(format!("{base}/signin"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "malgorzata@demo.mentorpost.localhost"), ("password", PASSWORD)])
        .send()
        .await
        .expect("web sign-in");
    assert_eq!(resp.status().as_u16(), 303, "the mentor signs in to the web app");
    let mentor_cookie = resp.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    let page = web.get(format!("{base}/threads/{thread}")).header("cookie", &mentor_cookie).send().await.expect("page");
    let page = page.text().await.unwrap_or_default();
    let csrf = csrf_of_page(&page);
    let file = reqwest::multipart::Part::bytes(b"%PDF-1.4\n".to_vec())
        .file_name(format!("{MARK}webfile.pdf"))
        .mime_str("application/pdf")
        .expect("content type");
    let form = reqwest::multipart::Form::new()
        .percent_encode_noop()
        .text("csrf", csrf)
        .text("client_msg_id", uuid::Uuid::now_v7().to_string())
        .text("body", format!("Zie de bijlage {MARK}webbody"))
        .part("files", file);
    let resp =
        web.post(format!("{base}/threads/{thread}/reply")).header("cookie", &mentor_cookie).multipart(form).send().await.expect("reply");
    assert_eq!(resp.status().as_u16(), 303, "the reply with a file is posted");
    // The mentor rewrites her profile on the settings page.
    let resp = web
        .post(format!("{base}/settings/about"))
        .header("cookie", &mentor_cookie)
        .form(&[
            ("csrf", csrf_of_page(&page)),
            ("background", format!("{MARK}webbackground")),
            ("experience", format!("{MARK}webexperience")),
            ("interests", format!("{MARK}webinterests")),
            ("hopes", format!("{MARK}webhopes")),
        ])
        .send()
        .await
        .expect("profile form");
    assert_eq!(resp.status().as_u16(), 303, "the profile is saved from the settings page");

    // Closure (F10): João's closing form in this mentorship (it stays open: Małgorzata
    // has not filled in hers); Çağrı closes the reverse mentorship and gives a follow-up.
    let (s, b) = call(
        &mentee,
        put.clone(),
        &format!("/api/v1/mentorships/{mentorship}/closing/form"),
        Some(json!({"key_moments": format!("{MARK}keymoments"), "thanks": format!("{MARK}thanks"), "achieved": format!("{MARK}achieved"),
                    "not_achieved": format!("{MARK}notachieved"), "future_needs": format!("{MARK}futureneeds")})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let cagri = Api::login(&base, "cagri@demo.mentorpost.localhost", PASSWORD).await.expect("Çağrı");
    let (_, theirs) = call(&cagri, get.clone(), "/api/v1/me/mentorships", None).await;
    let reverse = json_of(&theirs)[0]["id"].as_str().expect("Çağrı's mentorship").to_owned();
    let (s, b) = call(
        &cagri,
        put.clone(),
        &format!("/api/v1/mentorships/{reverse}/closing/form"),
        Some(json!({"key_moments": format!("{MARK}mentormoments"), "achieved": format!("{MARK}mentorachieved"),
                    "not_achieved": format!("{MARK}mentornotachieved"), "future_needs": format!("{MARK}mentorfutureneeds")})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = call(&cagri, post.clone(), &format!("/api/v1/mentorships/{reverse}/closing/close"), None).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = call(
        &cagri,
        put.clone(),
        &format!("/api/v1/mentorships/{reverse}/follow-up"),
        Some(json!({"how_it_goes": format!("{MARK}howitgoes"), "still_helps": format!("{MARK}stillhelps"), "needs_now": format!("{MARK}needsnow")})),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = call(&cagri, get.clone(), &format!("/api/v1/mentorships/{reverse}/closing"), None).await;
    assert!(s == 200 && b.contains(&format!("{MARK}howitgoes")), "the marker is there for its author: {b}");

    // Refused requests with a marker inside do not echo it.
    let mut seen: Vec<(String, String)> = Vec::new();
    let long_subject = format!("{MARK}long {}", "x".repeat(300));
    for (who, path) in [
        (&mentor, format!("/api/v1/mentorships/{mentorship}/threads")),
        (&coordinator, format!("/api/v1/mentorships/{mentorship}/threads")),
    ] {
        let (s, b) = call(who, post.clone(), &path, Some(json!({"subject": long_subject, "body": format!("{MARK}refused")}))).await;
        assert!((400..500).contains(&s), "{s} {b}");
        seen.push((format!("refused POST {path}"), b));
    }

    // The one way content reaches a coordinator: João shares one message on purpose.
    // Its thread and words carry markers of their own (never the members' MARK), so the
    // search below proves that the share shows exactly that message, its subject and
    // João's note — not the other message of the same thread, nor anything else.
    let (s, t) = call(
        &mentee,
        post.clone(),
        &format!("/api/v1/mentorships/{mentorship}/threads"),
        Some(json!({"subject": format!("{SHARED}subject"), "body": format!("{UNSHARED}first")})),
    )
    .await;
    assert_eq!(s, 201, "{t}");
    let shared_thread = json_of(&t)["thread"]["id"].as_str().expect("thread").to_owned();
    let (s, m) = call(
        &mentee,
        post.clone(),
        &format!("/api/v1/threads/{shared_thread}/messages"),
        Some(json!({"body": format!("{SHARED}body"), "client_msg_id": uuid::Uuid::now_v7().to_string()})),
    )
    .await;
    assert_eq!(s, 201, "{m}");
    let shared_message = json_of(&m)["id"].as_str().expect("message").to_owned();
    let (s, b) = call(
        &mentee,
        post.clone(),
        &format!("/api/v1/mentorships/{mentorship}/concerns"),
        Some(json!({"kind": "message", "message_id": shared_message, "note": format!("{SHARED}note")})),
    )
    .await;
    assert_eq!(s, 201, "{b}");

    // Every GET route a coordinator can reach, filled in with this world's ids.
    let (_, doc) = call(&coordinator, get.clone(), "/api/openapi.json", None).await;
    let doc = json_of(&doc);
    let attachment = {
        let (_, page) = call(&mentor, get.clone(), &format!("/api/v1/threads/{checkin_thread}/messages"), None).await;
        let page = json_of(&page);
        page["messages"]
            .as_array()
            .and_then(|m| m.iter().find_map(|x| x["attachments"][0]["id"].as_str().map(str::to_owned)))
            .expect("the attachment")
    };
    for (path, item) in doc["paths"].as_object().expect("paths") {
        if item.get("get").is_none() || path.contains("{token}") || path == "/api/v1/ws" {
            continue;
        }
        let id = if path.starts_with("/api/v1/programmes/") {
            programme.clone()
        } else if path.starts_with("/api/v1/mentorships/") {
            mentorship.clone()
        } else if path.starts_with("/api/v1/threads/") {
            thread.clone()
        } else if path.starts_with("/api/v1/attachments/") {
            attachment.clone()
        } else {
            mentee.user_id.to_string()
        };
        let filled = path.replace("{id}", &id).replace("{user_id}", &mentee.user_id.to_string());
        let (_, body) = call(&coordinator, get.clone(), &filled, None).await;
        seen.push((format!("GET {filled}"), body));
        if filled.starts_with("/api/v1/mentorships/") {
            // The closed reverse mentorship, with its closing forms and follow-up.
            let other = filled.replace(&mentorship, &reverse);
            let (_, body) = call(&coordinator, get.clone(), &other, None).await;
            seen.push((format!("GET {other}"), body));
        }
        if path.starts_with("/api/v1/mentorships/") {
            let other = path.replace("{id}", &reviewed);
            let (_, body) = call(&coordinator, get.clone(), &other, None).await;
            seen.push((format!("GET {other} (reviewed)"), body));
        }
        if filled.contains("/threads/") {
            let (_, body) = call(&coordinator, get.clone(), &filled.replace(&thread, &checkin_thread), None).await;
            seen.push((format!("GET {filled} (check-in)"), body));
        }
    }
    // The coordinator's own export (their right of access): their data only, never a
    // member's words; a member's export on their behalf is refused. The zip's files
    // are searched unpacked (compressed, a marker would not show).
    for (path, expected) in [("/api/v1/me/export".to_owned(), 200), (format!("/api/v1/users/{}/export", mentee.user_id), 403)] {
        let resp = coordinator
            .http
            .post(format!("{}{path}", coordinator.base))
            .bearer_auth(&coordinator.access_token)
            .send()
            .await
            .expect("export");
        assert_eq!(resp.status().as_u16(), expected, "POST {path}");
        let bytes = resp.bytes().await.expect("body");
        if expected != 200 {
            seen.push((format!("POST {path}"), String::from_utf8_lossy(&bytes).into_owned()));
            continue;
        }
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("the export is a zip");
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).expect("a file of the zip");
            let mut text = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut text).expect("reads");
            seen.push((format!("POST {path}: {}", file.name()), String::from_utf8_lossy(&text).into_owned()));
        }
    }
    // The web app, signed in with the coordinator's password: every page, filled in
    // with this world's ids, and the pieces the page's script asks for.
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let resp = browser
        .post(format!("{base}/signin"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "anneke@demo.mentorpost.localhost"), ("password", PASSWORD)])
        .send()
        .await
        .expect("web sign-in");
    assert_eq!(resp.status().as_u16(), 303, "the coordinator signs in to the web app");
    let cookie = resp.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    for path in [
        "/".to_owned(),
        format!("/?mentorship={mentorship}"),
        format!("/threads/{thread}"),
        format!("/threads/{checkin_thread}"),
        format!("/threads/{thread}/after?seq=0"),
        format!("/threads/{checkin_thread}/after?seq=0"),
        format!("/mentorships/{mentorship}"),
        format!("/mentorships/{mentorship}?done=agreement"),
        format!("/mentorships/{mentorship}/agreement/versions"),
        format!("/mentorships/{mentorship}/new"),
        "/settings".to_owned(),
        "/settings?done=mail".to_owned(),
        "/settings/erase".to_owned(),
        format!("/attachments/{attachment}"),
        format!("/coordinate/programmes/{programme}/people"),
        format!("/coordinate/programmes/{programme}/import"),
        format!("/coordinate/programmes/{programme}/pair"),
        // The coordinator's own pages: the dashboard (its SVG charts inline), the CSV,
        // the mentorship's page, the settings; and the admin page (404 for them).
        "/coordinate".to_owned(),
        format!("/coordinate/programmes/{programme}"),
        format!("/coordinate/programmes/{programme}?status=on_track&sort=overdue&q=a"),
        format!("/coordinate/programmes/{programme}/health.csv"),
        format!("/coordinate/programmes/{programme}/settings"),
        format!("/coordinate/programmes/{programme}/settings?done=defaults"),
        format!("/coordinate/programmes/{programme}/concerns"),
        format!("/coordinate/programmes/{programme}/notice"),
        "/privacy".to_owned(),
        format!("/threads/{thread}/share"),
        format!("/threads/{shared_thread}/share"),
        format!("/mentorships/{mentorship}/share"),
        format!("/coordinate/mentorships/{mentorship}"),
        format!("/coordinate/mentorships/{mentorship}?done=checkin"),
        format!("/coordinate/mentorships/{reverse}"),
        format!("/mentorships/{mentorship}/closing"),
        format!("/mentorships/{reverse}/closing"),
        format!("/mentorships/{reverse}/follow-up"),
        format!("/mentorships/{reviewed}"),
        format!("/mentorships/{reviewed}/review"),
        format!("/mentorships/{reviewed}/review?done=saved"),
        format!("/coordinate/mentorships/{reviewed}"),
        "/admin".to_owned(),
    ] {
        let resp = browser.get(format!("{base}{path}")).header("cookie", &cookie).send().await.expect("page");
        seen.push((format!("web page {path}"), resp.text().await.unwrap_or_default()));
    }
    // The coordinator invites someone (one by form, a list by preview) and reads the
    // invitation mail: neither shows anything members wrote.
    let people =
        browser.get(format!("{base}/coordinate/programmes/{programme}/people")).header("cookie", &cookie).send().await.expect("people");
    let page = people.text().await.unwrap_or_default();
    let csrf = page.split("<meta name=\"csrf-token\" content=\"").nth(1).and_then(|r| r.split('"').next()).expect("csrf").to_owned();
    let before_invite = sink.mails().len();
    let invited = browser
        .post(format!("{base}/coordinate/programmes/{programme}/people"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Privacy Invitee"),
            ("email", "privacy.invitee@example.org"),
            ("role", "mentee"),
            ("language", "nl"),
            ("timezone", "Europe/Amsterdam"),
        ])
        .send()
        .await
        .expect("invite");
    assert_eq!(invited.status().as_u16(), 303, "the coordinator invites by form");
    let preview = browser
        .post(format!("{base}/coordinate/programmes/{programme}/import"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("csv", "name;email;role\nIemand;iemand@example.org;mentor\nfout;geen-adres;coach\n")])
        .send()
        .await
        .expect("preview");
    seen.push(("import preview".into(), preview.text().await.unwrap_or_default()));
    // Other mail (the members' mail of the mentorships above) may arrive meanwhile:
    // wait for the invitation itself, one arrival at a time.
    let mut want = before_invite + 1;
    loop {
        let mails = sink.wait_for(want, WAIT).await;
        let invitations: Vec<String> = mails
            .iter()
            .filter(|m| m.to.iter().any(|t| t.starts_with("privacy.invitee@")))
            .map(|m| String::from_utf8_lossy(&m.data).into_owned())
            .collect();
        if !invitations.is_empty() {
            seen.extend(invitations.into_iter().map(|m| ("invitation mail".to_owned(), m)));
            break;
        }
        want = mails.len() + 1;
    }
    assert!(seen.iter().any(|(w, _)| w == "invitation mail"), "the invitation mail was searched");
    // The admin's page (failed mail as metadata) and the programme as an admin sees it.
    let resp = browser
        .post(format!("{base}/signin"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "admin@demo.mentorpost.localhost"), ("password", PASSWORD)])
        .send()
        .await
        .expect("admin web sign-in");
    assert_eq!(resp.status().as_u16(), 303, "the admin signs in to the web app");
    let admin_cookie = resp.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    for path in [
        "/admin".to_owned(),
        // The audit log: who looked at whose data, never what they saw.
        "/admin/audit".to_owned(),
        format!("/coordinate/programmes/{programme}"),
        format!("/coordinate/mentorships/{mentorship}"),
    ] {
        let resp = browser.get(format!("{base}{path}")).header("cookie", &admin_cookie).send().await.expect("page");
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        seen.push((format!("admin's web page {path}"), resp.text().await.unwrap_or_default()));
    }
    // The live stream: whatever reached the coordinator's socket by now.
    while let Ok(Ok(Some(frame))) = tokio::time::timeout(Duration::from_millis(300), coordinator_live.next_frame()).await {
        seen.push(("coordinator's socket".into(), format!("{frame:?}")));
    }
    // The three ways a coordinator could once reach content; each is refused or shows
    // nothing, and whatever came back joins the search.
    // 1. Adding themselves as a member.
    let members_path = format!("/api/v1/mentorships/{mentorship}/members");
    let (s, b) = call(&coordinator, post.clone(), &members_path, Some(json!({"user_id": coordinator.user_id, "role": "mentor"}))).await;
    assert_eq!(s, 403, "a coordinator cannot join: {b}");
    seen.push(("coordinator adds themselves".into(), b));
    for path in
        [format!("/api/v1/mentorships/{mentorship}/threads"), format!("/api/v1/threads/{thread}/messages"), "/api/v1/me/threads".into()]
    {
        let (_, b) = call(&coordinator, get.clone(), &path, None).await;
        seen.push((format!("after joining: GET {path}"), b));
    }
    // 2. A person they create with a password they chose, then add.
    let stand_in = "stand-in@example.org";
    let (s, b) = call(
        &coordinator,
        post.clone(),
        "/api/v1/users",
        Some(json!({"email": stand_in, "display_name": "Stand-in", "password": "chosen by the coordinator", "programme_id": programme})),
    )
    .await;
    assert_eq!(s, 403, "no password from a coordinator: {b}");
    seen.push(("coordinator creates a person with a password".into(), b));
    assert!(Api::login(&base, stand_in, "chosen by the coordinator").await.is_err(), "no login with a coordinator's password");
    //    Created without one and added, the person gets in only through their own
    //    address; here the coordinator holds that mailbox too (the worst case), so the
    //    added person's view must itself hold nothing from before they joined.
    let (s, b) = call(
        &coordinator,
        post.clone(),
        "/api/v1/users",
        Some(json!({"email": stand_in, "display_name": "Stand-in", "programme_id": programme})),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let stand_in_id = json_of(&b)["id"].as_str().expect("id").to_owned();
    let (s, b) = call(&coordinator, post.clone(), &members_path, Some(json!({"user_id": stand_in_id, "role": "mentee"}))).await;
    assert_eq!(s, 200, "{b}");
    seen.push(("coordinator adds a person they created".into(), b));
    let resp =
        coordinator.http.post(format!("{base}/api/v1/auth/magic-link")).json(&json!({"email": stand_in})).send().await.expect("magic link");
    assert_eq!(resp.status().as_u16(), 202);
    let link_mail = loop {
        let mails = sink.wait_for(1, WAIT).await;
        if let Some(m) = mails.iter().find(|m| m.to.iter().any(|t| t == stand_in)) {
            break m.clone();
        }
        sink.wait_for(mails.len() + 1, WAIT).await;
    };
    let link_text = smtp::parse(&link_mail).body_text(0).expect("text").into_owned();
    let token = link_text.split("token=").nth(1).and_then(|r| r.split_whitespace().next()).expect("the link's token").to_owned();
    let resp =
        coordinator.http.post(format!("{base}/api/v1/auth/magic-link/redeem")).json(&json!({"token": token})).send().await.expect("redeem");
    assert!(resp.status().is_success(), "the sign-in link works");
    let login = json_of(&resp.text().await.unwrap_or_default());
    let stand_in_api = Api {
        base: base.clone(),
        http: coordinator.http.clone(),
        access_token: login["access_token"].as_str().expect("access token").to_owned(),
        refresh_token: String::new(),
        user_id: stand_in_id.parse().expect("user id"),
    };
    for path in [
        format!("/api/v1/mentorships/{mentorship}/threads"),
        format!("/api/v1/threads/{thread}/messages"),
        format!("/api/v1/threads/{checkin_thread}/messages"),
        format!("/api/v1/mentorships/{mentorship}/events"),
        format!("/api/v1/mentorships/{mentorship}/agreement"),
        format!("/api/v1/mentorships/{mentorship}/agreement/versions"),
        "/api/v1/me/threads".into(),
    ] {
        let (_, b) = call(&stand_in_api, get.clone(), &path, None).await;
        seen.push((format!("a person the coordinator added: GET {path}"), b));
    }
    // 3. Leaving again, as a "former member".
    let (s, b) = call(&coordinator, reqwest::Method::DELETE, &format!("{members_path}/{}", coordinator.user_id), None).await;
    assert_eq!(s, 404, "never a member, so no former member: {b}");
    for path in [format!("/api/v1/mentorships/{mentorship}/threads"), format!("/api/v1/threads/{thread}/messages")] {
        let (_, b) = call(&coordinator, get.clone(), &path, None).await;
        seen.push((format!("as a former member: GET {path}"), b));
    }

    // The operators' metrics: figures by route and kind, no one's words.
    let metrics_addr = served
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find_map(|l| l.split(" metrics_addr=").nth(1).and_then(|r| r.split_whitespace().next()).map(str::to_owned))
        .expect("the metrics listener announced its address");
    let metrics = reqwest::get(format!("http://{metrics_addr}/metrics")).await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("mentorpost_http_requests_total"), "{metrics}");
    seen.push(("the metrics".into(), metrics));

    // Mail to the coordinator.
    for m in sink.mails().iter().filter(|m| m.to.iter().any(|t| t.starts_with("anneke@"))) {
        seen.push(("mail to the coordinator".into(), String::from_utf8_lossy(&m.data).into_owned()));
    }
    for (where_, text) in &seen {
        assert!(!text.contains(MARK) && !text.contains(UNSHARED), "{where_} shows a member's words: {text}");
    }
    // What João shared reaches the coordinator — on the API and on their page — whole.
    let shown_at =
        [format!("GET /api/v1/programmes/{programme}/concerns"), format!("web page /coordinate/programmes/{programme}/concerns")];
    for where_ in &shown_at {
        let (_, text) = seen.iter().find(|(w, _)| w == where_).unwrap_or_else(|| panic!("{where_} was searched"));
        for part in ["subject", "body", "note"] {
            assert!(text.contains(&format!("{SHARED}{part}")), "{where_} shows the shared {part}: {text}");
        }
    }
    // … and nowhere else: no other page, route, mail or socket frame of the coordinator.
    for (where_, text) in seen.iter().filter(|(w, _)| !shown_at.contains(w)) {
        assert!(!text.contains(SHARED), "{where_} shows what was shared: {text}");
    }
    assert!(seen.iter().any(|(w, _)| w.contains("/health")), "the walk covered the health routes");

    // The members do see their own words (the markers are real).
    let (_, own) = call(&mentor, get.clone(), &format!("/api/v1/threads/{checkin_thread}/messages"), None).await;
    assert!(own.contains(&format!("{MARK}checkin")) && own.contains(&format!("{MARK}attachment")), "{own}");
    let (_, own) = call(&mentee, get.clone(), &format!("/api/v1/threads/{thread}/messages"), None).await;
    assert!(own.contains(&format!("{MARK}webfile.pdf")) && own.contains(&format!("{MARK}webbody")), "{own}");
    let (_, theirs) = call(&mentee, get.clone(), &format!("/api/v1/mentorships/{mentorship}/profiles"), None).await;
    assert!(theirs.contains(&format!("{MARK}webhopes")), "the mentee reads the mentor's profile: {theirs}");
    assert!(seen.iter().any(|(w, _)| w.contains("/profiles")), "the walk covered the profiles route");
    let (_, own) = call(&mentee, get.clone(), &format!("/api/v1/mentorships/{mentorship}/agreement/versions"), None).await;
    assert!(own.contains(&format!("{MARK}plan")) && own.contains(&format!("{MARK}ending")), "{own}");

    // And the log, at info level, has none of it.
    let log = served.log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(log.iter().any(|l| l.contains("INFO")), "the log was captured");
    for line in &log {
        assert!(!line.contains(MARK), "the log shows a member's words: {line}");
    }
    coordinator_live.close().await;
    mentor_live.close().await;
}
