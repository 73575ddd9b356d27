//! Erasure (the right to be forgotten), on both backends: after a person erases their
//! account nothing they wrote or were called is anywhere in the database, their
//! messages are tombstones (or kept under the anonymous name, as the programme
//! chooses), open sockets hear of it, the coordinator's figures do not move; who may
//! erase whom, with what; the settings page; and resuming an erasure left half-done.

use mentorpost_client::{Api, Live};
use mentorpost_model::Clock;
use mentorpost_model::ws::ServerFrame;
use mentorpost_server::store::erasure::{self, Begun};
use mentorpost_tests::web::{get, post_form, sign_in};
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

both_backends!(
    nothing_of_the_person_is_left,
    the_programme_may_keep_messages_under_the_anonymous_name,
    who_may_erase_whom,
    the_settings_page_confirms_first,
    an_interrupted_erasure_is_resumed
);

const WAIT: Duration = Duration::from_secs(30);
const MESSAGE: &str = "ERASE-ME-message: mijn schoonmoeder is ziek, daarom ben ik stil";
const QUOTED: &str = "ERASE-ME-quoted: Op maandag schreef ik";
const PROFILE: &str = "ERASE-ME-profile: verpleegkundige uit Porto";
const REFLECTION: &str = "ERASE-ME-reflection: spannend";
const FILE_BYTES: &[u8] = b"ERASE-ME-file: slides";
const EXTRA_ADDRESS: &str = "joao.thuis@example.org";
const NAME: &str = "João Pereira";
const MENTOR_TEXT: &str = "Dank je, ik denk aan je.";

/// Every table of the schema, every row, as text (blobs read as lossy UTF-8).
async fn everything(app: &TestServer) -> String {
    let mut out = String::new();
    for (table, _) in mentorpost_server::store::person::MAP {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}"))).fetch_all(app.state.db.pool()).await.expect("rows");
        for row in &rows {
            out.push_str(table);
            for i in 0..sqlx::Row::len(row) {
                out.push('\t');
                if let Ok(Some(v)) = sqlx::Row::try_get::<Option<String>, _>(row, i) {
                    out.push_str(&v);
                } else if let Ok(Some(v)) = sqlx::Row::try_get::<Option<Vec<u8>>, _>(row, i) {
                    out.push_str(&String::from_utf8_lossy(&v));
                } else if let Ok(Some(v)) = sqlx::Row::try_get::<Option<i64>, _>(row, i) {
                    out.push_str(&v.to_string());
                }
            }
            out.push('\n');
        }
    }
    out
}

async fn exec(app: &TestServer, sql: &'static str, binds: Vec<String>) {
    app.state
        .db
        .write(move |conn| {
            Box::pin(async move {
                let mut q = sqlx::query(sql);
                for b in binds {
                    q = q.bind(b);
                }
                q.execute(&mut *conn).await?;
                Ok::<_, mentorpost_server::db::StoreError>(())
            })
        })
        .await
        .expect("write");
}

async fn scalar(app: &TestServer, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).bind(bind.to_owned()).fetch_one(app.state.db.pool()).await.expect("scalar")
}

/// Waits until the person's erasure has finished.
async fn erased(app: &TestServer, user: &str) {
    tokio::time::timeout(WAIT, async {
        while scalar(app, "SELECT COUNT(*) FROM users WHERE id = $1 AND erased_at IS NOT NULL", user).await == 0 {
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the erasure finishes within the time bound");
}

/// The mentee writes, files, quotes, fills in their profile, a reflection, a further
/// address and a session (user agent): everything an erasure must take away.
async fn fill(app: &TestServer, w: &World) -> String {
    let ms = format!("/api/v1/mentorships/{}", w.mentorship);
    let (s, b) = app.put("/api/v1/me/profile", &w.mentee.token, json!({"background": PROFILE})).await;
    assert_eq!(s, 200, "{b}");
    let mine = w.post_message(app, &w.mentee, MESSAGE).await;
    let mine = mine["id"].as_str().expect("id").to_owned();
    w.post_message(app, &w.mentor, MENTOR_TEXT).await;
    app.attach_file(&mine, &w.mentorship, "ERASE-ME-name.txt", FILE_BYTES).await;
    exec(app, "INSERT INTO message_quoted (message_id, quoted) VALUES ($1, $2)", vec![mine.clone(), QUOTED.to_owned()]).await;
    let (s, b) = app.post(&format!("{ms}/reflections"), &w.mentee.token, json!({"answers": {"felt": REFLECTION}})).await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = app.post(&format!("/api/v1/users/{}/emails", w.mentee.id), &w.admin.token, json!({"email": EXTRA_ADDRESS})).await;
    assert_eq!(s, 201, "{b}");
    app.drain_outbox().await;
    mine
}

async fn health_of(app: &TestServer, w: &World) -> Value {
    let (s, h) = app.get(&format!("/api/v1/programmes/{}/health", w.programme), &w.coordinator.token).await;
    assert_eq!(s, 200, "{h}");
    let m = h["mentorships"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|m| m["mentorship_id"] == w.mentorship.as_str())
        .expect("the mentorship")
        .clone();
    json!({"weekly": m["health"]["weekly_contacts"], "last": m["health"]["last_contact"], "met": m["health"]["windows_met"]})
}

async fn next_kind(live: &mut Live) -> String {
    tokio::time::timeout(WAIT, live.next_event()).await.expect("an event in time").expect("ok").expect("open").kind.as_str().to_owned()
}

async fn nothing_of_the_person_is_left(app: TestServer) {
    let w = World::build(&app).await;
    let mine = fill(&app, &w).await;
    let figures = health_of(&app, &w).await;
    let before = everything(&app).await;
    for marker in [MESSAGE, QUOTED, PROFILE, REFLECTION, "ERASE-ME-file", EXTRA_ADDRESS, NAME, &w.mentee.email] {
        assert!(before.contains(marker), "{marker} is there before");
    }
    let mentor = Api::login(&app.base, &w.mentor.email, PASSWORD).await.expect("login");
    let mut live = Live::connect(&mentor).await.expect("connect");
    live.hello().await.expect("hello");
    match tokio::time::timeout(WAIT, live.next_frame()).await.expect("live frame").expect("ok") {
        Some(ServerFrame::Live { .. }) => {}
        other => panic!("expected live, got {other:?}"),
    }

    let (s, b) = app.post("/api/v1/me/erasure", &w.mentee.token, json!({"password": PASSWORD})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!(b["status"], "erasing");
    erased(&app, &w.mentee.id.to_string()).await;
    assert_eq!(next_kind(&mut live).await, "member.removed");
    assert_eq!(next_kind(&mut live).await, "member.erased");

    let after = everything(&app).await;
    for marker in [MESSAGE, QUOTED, PROFILE, REFLECTION, "ERASE-ME", EXTRA_ADDRESS, NAME, &w.mentee.email] {
        let line = after.lines().find(|l| l.contains(marker));
        assert!(line.is_none(), "{marker} is still in the database: {line:?}");
    }
    assert!(after.contains(MENTOR_TEXT), "the others' words stay");

    // The others see a tombstone under the anonymous name.
    let (s, page) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.mentor.token).await;
    assert_eq!(s, 200, "{page}");
    let msgs = page["messages"].as_array().expect("messages");
    let gone = msgs.iter().find(|m| m["id"] == mine.as_str()).expect("the message's place stays");
    assert_eq!(gone["body"], "");
    assert_eq!(gone["deleted_reason"], "erasure");
    assert_eq!(gone["author_name"], "Former participant");
    assert!(msgs.iter().any(|m| m["body"] == MENTOR_TEXT));
    assert_eq!(health_of(&app, &w).await, figures, "the coordinator's figures count the contact still");

    // The account is closed: its logins cannot be renewed, the password and the
    // address lead nowhere (an access token issued before lives out its minutes, as
    // after "sign out everywhere").
    let (s, _) = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": w.mentee.refresh}))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": w.mentee.email, "password": PASSWORD}))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Asked again (a retry): nothing more happens.
    let again = erasure::begin(&app.state.db, w.mentee.id, None, None, mentorpost_server::erasure::anonymous_name, app.clock.now()).await;
    assert_eq!(again.expect("begin"), Begun::AlreadyErased);
    assert_eq!(
        everything(&app).await.lines().filter(|l| l.starts_with("events\t")).count(),
        after.lines().filter(|l| l.starts_with("events\t")).count()
    );
}

async fn the_programme_may_keep_messages_under_the_anonymous_name(app: TestServer) {
    let w = World::build(&app).await;
    exec(&app, "UPDATE programmes SET erasure_policy = 'anonymise' WHERE id = $1", vec![w.programme.clone()]).await;
    let mine = fill(&app, &w).await;
    let (s, b) = app.post("/api/v1/me/erasure", &w.mentee.token, json!({"password": PASSWORD})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    erased(&app, &w.mentee.id.to_string()).await;
    let (s, page) = app.get(&format!("/api/v1/threads/{}/messages", w.thread), &w.mentor.token).await;
    assert_eq!(s, 200, "{page}");
    let kept = page["messages"].as_array().expect("messages").iter().find(|m| m["id"] == mine.as_str()).expect("kept").clone();
    assert_eq!(kept["body"], MESSAGE);
    assert_eq!(kept["author_name"], "Former participant");
    assert!(kept["deleted_at"].is_null(), "{kept}");
    let after = everything(&app).await;
    for marker in [QUOTED, PROFILE, REFLECTION, "ERASE-ME-file", EXTRA_ADDRESS, NAME, &w.mentee.email] {
        assert!(!after.contains(marker), "{marker} is gone even when the messages stay");
    }
}

async fn who_may_erase_whom(app: TestServer) {
    let w = World::build(&app).await;
    let path = format!("/api/v1/users/{}/erasure", w.mentee.id);
    // The person without (or with a wrong) password (a wrong one counts as a failed
    // sign-in); a coordinator; an outsider; an admin without a reason: nothing more is
    // written.
    let (s, b) = app.post("/api/v1/me/erasure", &w.mentee.token, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = app.post("/api/v1/me/erasure", &w.mentee.token, json!({"password": "not my password at all"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let before = app.snapshot().await;
    let (s, b) = app.post(&path, &w.coordinator.token, json!({"reason": "asked by phone"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = app.post(&path, &w.outsider.token, json!({"reason": "asked by phone"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, b) = app.post(&path, &w.admin.token, json!({"reason": "   "})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "reason_required");
    let (s, b) = app.post(&path, &w.admin.token, json!({"reason": "x".repeat(501)})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(app.snapshot().await, before, "a refused erasure writes nothing");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM erasures WHERE user_id = $1", &w.mentee.id.to_string()).await, 0);

    // An admin with a reason: recorded with the erasure and in the audit log.
    let (s, b) = app.post(&path, &w.admin.token, json!({"reason": "Gevraagd per brief van 3 mei"})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    erased(&app, &w.mentee.id.to_string()).await;
    let id = w.mentee.id.to_string();
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM erasures WHERE user_id = $1 AND reason = 'Gevraagd per brief van 3 mei'", &id).await, 1);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM audit_log WHERE subject_user_id = $1 AND action = 'person_erasure'", &id).await, 1);
    let (s, b) = app.post(&path, &w.admin.token, json!({"reason": "again"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "erased");
}

async fn the_settings_page_confirms_first(app: TestServer) {
    let w = World::build(&app).await;
    fill(&app, &w).await;
    let (cookie, csrf) = sign_in(&app, &w.mentee.email).await;
    let (s, page, _) = get(&app, &cookie, "/settings").await;
    assert_eq!(s, 200);
    assert!(page.contains("href=\"/settings/erase\""), "the settings page leads to it");
    let (s, page, _) = get(&app, &cookie, "/settings/erase").await;
    assert_eq!(s, 200);
    assert!(page.contains("Programme P: the messages you wrote are removed"), "says what happens per programme: {page}");
    let (s, page, _) = post_form(&app, &cookie, "/settings/erase", &[("csrf", &csrf), ("password", PASSWORD)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "without the tick");
    assert!(page.contains("Tick the box"));
    let (s, page, _) =
        post_form(&app, &cookie, "/settings/erase", &[("csrf", &csrf), ("password", "wrong password here"), ("confirm", "yes")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("That is not your password."));
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM erasures WHERE user_id = $1", &w.mentee.id.to_string()).await, 0);
    let (s, _, headers) = post_form(&app, &cookie, "/settings/erase", &[("csrf", &csrf), ("password", PASSWORD), ("confirm", "yes")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/signin?done=erased");
    erased(&app, &w.mentee.id.to_string()).await;
    let (s, _, headers) = get(&app, &cookie, "/settings").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "the browser's session ended");
    assert!(headers["location"].to_str().unwrap_or_default().starts_with("/signin"));
    // The mentor's thread page shows the tombstone.
    let (cookie, _) = sign_in(&app, &w.mentor.email).await;
    let (s, page, _) = get(&app, &cookie, &format!("/threads/{}", w.thread)).await;
    assert_eq!(s, 200);
    assert!(page.contains("Message removed at the author&#39;s request."), "{page}");
    assert!(page.contains("Former participant"));
}

/// A crash after the account closed and some batches ran: the server's start
/// finishes it, and running it again changes nothing.
async fn an_interrupted_erasure_is_resumed(app: TestServer) {
    let w = World::build(&app).await;
    for i in 0..30 {
        w.post_message(&app, &w.mentee, &format!("{MESSAGE} {i}")).await;
    }
    app.drain_outbox().await;
    let now = app.clock.now();
    let begun =
        erasure::begin(&app.state.db, w.mentee.id, Some(w.admin.id), Some("test".into()), mentorpost_server::erasure::anonymous_name, now)
            .await
            .expect("begin");
    let Begun::Started(e) = begun else { panic!("started: {begun:?}") };
    // Half-done: one statement of the batches by hand, as a crash would leave it.
    exec(&app, "UPDATE messages SET body = '', deleted_at = 1, deleted_reason = 'erasure' WHERE id IN (SELECT id FROM messages WHERE author_id = $1 LIMIT 10)", vec![w.mentee.id.to_string()]).await;
    assert_eq!(erasure::unfinished(app.state.db.pool()).await.expect("unfinished"), vec![e.clone()]);
    let again =
        erasure::begin(&app.state.db, w.mentee.id, None, None, mentorpost_server::erasure::anonymous_name, now).await.expect("begin");
    assert_eq!(again, Begun::Unfinished(e.clone()), "asking again finds the one under way");

    assert_eq!(mentorpost_server::erasure::resume_unfinished(&app.state).await.expect("resume"), 1);
    let id = w.mentee.id.to_string();
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM messages WHERE author_id = $1 AND body <> ''", &id).await, 0);
    assert!(erasure::unfinished(app.state.db.pool()).await.expect("unfinished").is_empty());
    let done = app.snapshot().await;
    mentorpost_server::erasure::complete(&app.state, &e, &|_| {}).await.expect("again");
    assert_eq!(app.snapshot().await, done, "finishing twice changes nothing");
}
