//! The audit log: every way an admin or coordinator is shown personal data leaves
//! exactly one row naming who, what, whom, from where and the request's id; members
//! reading their own things leave none; the table refuses UPDATE and DELETE; only
//! admins read it.

use mentorpost_model::audit::{AuditAction, AuditEntry};
use mentorpost_server::store;
use mentorpost_tests::web::{browser, get, sign_in};
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use sqlx::Row;

both_backends!(
    each_staff_access_leaves_one_row,
    members_reading_their_own_leave_none,
    the_log_refuses_update_and_delete,
    only_admins_read_the_log,
    accesses_concerning_a_person
);

async fn count(app: &TestServer) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM audit_log").fetch_one(app.state.db.pool()).await.expect("count").try_get(0).expect("count")
}

async fn newest(app: &TestServer) -> AuditEntry {
    let filter = store::audit::Filter::default();
    store::audit::list(app.state.db.pool(), &filter, 1).await.expect("list").into_iter().next().expect("a row")
}

/// How a request is sent: with an access token, or as a signed-in browser.
enum As<'a> {
    Api(&'a str),
    Web(&'a str),
}

/// GETs `path`; the status and the answer's request id.
async fn fetch(app: &TestServer, who: &As<'_>, path: &str) -> (StatusCode, String) {
    let req = browser().get(app.url(path));
    let req = match who {
        As::Api(token) => req.bearer_auth(token),
        As::Web(cookie) => req.header("cookie", *cookie),
    };
    let resp = req.send().await.expect("request");
    let id = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (resp.status(), id)
}

/// What a row should say.
struct Expect {
    actor: mentorpost_model::UserId,
    action: AuditAction,
    person: Option<mentorpost_model::UserId>,
    programme: Option<String>,
    mentorship: Option<String>,
}

async fn each_staff_access_leaves_one_row(app: TestServer) {
    let w = World::build(&app).await;
    let (coord_cookie, _) = sign_in(&app, &w.coordinator.email).await;
    let (admin_cookie, _) = sign_in(&app, &w.admin.email).await;
    let (p, m) = (w.programme.clone(), w.mentorship.clone());
    let e = |actor, action, person, programme: Option<&str>, mentorship: Option<&str>| Expect {
        actor,
        action,
        person,
        programme: programme.map(str::to_owned),
        mentorship: mentorship.map(str::to_owned),
    };
    let (c, a) = (w.coordinator.id, w.admin.id);
    let cases: Vec<(As, String, Expect)> = vec![
        (As::Api(&w.coordinator.token), "/api/v1/users".into(), e(c, AuditAction::PeopleList, None, None, None)),
        (As::Api(&w.admin.token), "/api/v1/users".into(), e(a, AuditAction::PeopleList, None, None, None)),
        (
            As::Api(&w.coordinator.token),
            format!("/api/v1/users/{}", w.mentee.id),
            e(c, AuditAction::PersonRead, Some(w.mentee.id), None, None),
        ),
        (As::Api(&w.coordinator.token), format!("/api/v1/programmes/{p}/health"), e(c, AuditAction::HealthPage, None, Some(&p), None)),
        (As::Api(&w.coordinator.token), format!("/api/v1/programmes/{p}/health.csv"), e(c, AuditAction::HealthCsv, None, Some(&p), None)),
        (
            As::Api(&w.coordinator.token),
            format!("/api/v1/programmes/{p}/mentorships"),
            e(c, AuditAction::MentorshipList, None, Some(&p), None),
        ),
        (As::Api(&w.coordinator.token), format!("/api/v1/programmes/{p}/bouncing"), e(c, AuditAction::BouncingList, None, Some(&p), None)),
        (As::Api(&w.coordinator.token), format!("/api/v1/mentorships/{m}"), e(c, AuditAction::MentorshipPage, None, Some(&p), Some(&m))),
        (
            As::Api(&w.coordinator.token),
            format!("/api/v1/mentorships/{m}/health"),
            e(c, AuditAction::MentorshipPage, None, Some(&p), Some(&m)),
        ),
        (
            As::Api(&w.admin.token),
            format!("/api/v1/mentorships/{m}/check-ins"),
            e(a, AuditAction::MentorshipPage, None, Some(&p), Some(&m)),
        ),
        (As::Api(&w.admin.token), "/api/v1/admin/mail/failed".into(), e(a, AuditAction::FailedMail, None, None, None)),
        (As::Api(&w.admin.token), "/api/v1/admin/inbound/failed".into(), e(a, AuditAction::FailedInbound, None, None, None)),
        (As::Web(&coord_cookie), format!("/coordinate/programmes/{p}"), e(c, AuditAction::HealthPage, None, Some(&p), None)),
        (As::Web(&coord_cookie), format!("/coordinate/programmes/{p}/health.csv"), e(c, AuditAction::HealthCsv, None, Some(&p), None)),
        (As::Web(&coord_cookie), format!("/coordinate/programmes/{p}/people"), e(c, AuditAction::PeopleList, None, Some(&p), None)),
        (As::Web(&coord_cookie), format!("/coordinate/programmes/{p}/pair"), e(c, AuditAction::PeopleList, None, Some(&p), None)),
        (As::Web(&coord_cookie), format!("/coordinate/mentorships/{m}"), e(c, AuditAction::MentorshipPage, None, Some(&p), Some(&m))),
        (As::Web(&admin_cookie), "/admin".into(), e(a, AuditAction::FailedMail, None, None, None)),
        (
            As::Web(&admin_cookie),
            format!("/admin/audit?person={}", w.mentee.id),
            e(a, AuditAction::AuditRead, Some(w.mentee.id), None, None),
        ),
    ];
    for (who, path, expect) in cases {
        let before = count(&app).await;
        let (status, request_id) = fetch(&app, &who, &path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}");
        assert_eq!(count(&app).await, before + 1, "GET {path}: one row");
        let row = newest(&app).await;
        assert_eq!(row.actor_id, expect.actor, "GET {path}");
        assert_eq!(row.action, expect.action, "GET {path}");
        assert_eq!(row.subject_user_id, expect.person, "GET {path}");
        assert_eq!(row.programme_id.map(|x| x.to_string()), expect.programme, "GET {path}");
        assert_eq!(row.mentorship_id.map(|x| x.to_string()), expect.mentorship, "GET {path}");
        assert_eq!(row.client_address, "127.0.0.1", "GET {path}");
        assert!(!request_id.is_empty(), "GET {path}: no request id");
        assert_eq!(row.request_id, request_id, "GET {path}");
    }
    app.stop().await;
}

async fn members_reading_their_own_leave_none(app: TestServer) {
    let w = World::build(&app).await;
    let (mentee_cookie, _) = sign_in(&app, &w.mentee.email).await;
    let m = &w.mentorship;
    let before = count(&app).await;
    for who in [&w.mentee, &w.mentor] {
        let (status, _) = fetch(&app, &As::Api(&who.token), &format!("/api/v1/users/{}", who.id)).await;
        assert_eq!(status, StatusCode::OK);
    }
    for path in [
        "/api/v1/me".to_owned(),
        format!("/api/v1/mentorships/{m}"),
        format!("/api/v1/mentorships/{m}/health"),
        format!("/api/v1/mentorships/{m}/check-ins"),
        format!("/api/v1/threads/{}/messages", w.thread),
        "/api/v1/me/mentorships".to_owned(),
    ] {
        for token in [&w.mentee.token, &w.mentor.token] {
            let (status, _) = fetch(&app, &As::Api(token), &path).await;
            assert_eq!(status, StatusCode::OK, "GET {path}");
        }
    }
    for path in ["/".to_owned(), format!("/mentorships/{m}"), format!("/threads/{}", w.thread), "/settings".to_owned()] {
        let (status, _, _) = get(&app, &mentee_cookie, &path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}");
    }
    assert_eq!(count(&app).await, before, "a member reading their own things is not an access to record");
    app.stop().await;
}

async fn the_log_refuses_update_and_delete(app: TestServer) {
    let w = World::build(&app).await;
    let (status, _) = fetch(&app, &As::Api(&w.admin.token), "/api/v1/users").await;
    assert_eq!(status, StatusCode::OK);
    let before = count(&app).await;
    assert_eq!(before, 1);
    for sql in ["UPDATE audit_log SET action = 'people_list', client_address = '203.0.113.9'", "DELETE FROM audit_log"] {
        let refused = app
            .state
            .db
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query(sql).execute(&mut *conn).await?;
                    Ok::<_, mentorpost_server::db::StoreError>(())
                })
            })
            .await;
        let err = refused.expect_err(sql);
        assert!(format!("{err:?}").contains("append-only"), "{sql}: {err:?}");
    }
    assert_eq!(count(&app).await, before);
    assert_eq!(newest(&app).await.client_address, "127.0.0.1");
    app.stop().await;
}

async fn only_admins_read_the_log(app: TestServer) {
    let w = World::build(&app).await;
    for path in ["/api/v1/users".to_owned(), format!("/api/v1/users/{}", w.mentee.id), format!("/api/v1/users/{}", w.mentor.id)] {
        let (status, _) = fetch(&app, &As::Api(&w.coordinator.token), &path).await;
        assert_eq!(status, StatusCode::OK);
    }
    for token in [&w.coordinator.token, &w.mentor.token, &w.outsider.token] {
        let (s, b) = app.get("/api/v1/audit", token).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    }
    let (s, _) = app.call(Method::GET, "/api/v1/audit", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Newest first, paged, filtered.
    let (s, page) = app.get("/api/v1/audit?limit=2", &w.admin.token).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let entries = page["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["subject_user_id"], serde_json::json!(w.mentor.id));
    assert_eq!(entries[0]["actor_name"], "Anneke de Vries");
    assert_eq!(entries[0]["subject_name"], "Çağrı Yılmaz");
    let next = page["next_before"].as_str().expect("a next page");
    let (s, older) = app.get(&format!("/api/v1/audit?limit=2&before={next}"), &w.admin.token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(older["entries"].as_array().expect("entries").len(), 1);
    assert!(older["next_before"].is_null());
    let (s, only) = app.get(&format!("/api/v1/audit?person={}", w.mentee.id), &w.admin.token).await;
    assert_eq!(s, StatusCode::OK);
    let only = only["entries"].as_array().expect("entries");
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["action"], "person_read");
    let (s, lists) = app.get(&format!("/api/v1/audit?action=people_list&actor={}", w.coordinator.id), &w.admin.token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(lists["entries"].as_array().expect("entries").len(), 1);
    let (s, b) = app.get("/api/v1/audit?action=reading_minds", &w.admin.token).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    // Reading the log is itself an access: the four reads above that were answered,
    // each recorded (after its answer was read, so a page never lists itself).
    let (s, reads) = app.get("/api/v1/audit?action=audit_read", &w.admin.token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(reads["entries"].as_array().expect("entries").len(), 4);

    // The page: admins only (everyone else gets the 404 of the admin pages).
    for email in [&w.coordinator.email, &w.mentor.email] {
        let (cookie, _) = sign_in(&app, email).await;
        let (status, _, _) = get(&app, &cookie, "/admin/audit").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (cookie, _) = sign_in(&app, &w.admin.email).await;
    let (status, page, _) = get(&app, &cookie, "/admin/audit?action=person_read").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h1>Audit log</h1>"), "{page}");
    assert!(page.contains("João Pereira") && page.contains("Anneke de Vries"), "{page}");
    assert!(page.contains("127.0.0.1"));
    assert!(page.contains("<option value=\"person_read\" selected>"));
    let (status, page, _) = get(&app, &cookie, "/admin/audit?person=nobody@example.org").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("No account has that address or id."), "{page}");
    // In Dutch.
    let (s, b) = app.call(Method::PATCH, "/api/v1/me", Some(&w.admin.token), Some(serde_json::json!({"locale": "nl"}))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (status, page, _) = get(&app, &cookie, &format!("/admin/audit?actor={}", w.coordinator.email)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h1>Auditlogboek</h1>") && page.contains("Account van één persoon"), "{page}");
    app.stop().await;
}

async fn accesses_concerning_a_person(app: TestServer) {
    let w = World::build(&app).await;
    let (p, m) = (&w.programme, &w.mentorship);
    for path in [
        format!("/api/v1/users/{}", w.mentee.id),
        format!("/api/v1/users/{}", w.coordinator.id),
        format!("/api/v1/mentorships/{m}"),
        format!("/api/v1/programmes/{p}/health"),
    ] {
        let (status, _) = fetch(&app, &As::Api(&w.admin.token), &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    // Another programme's page concerns nobody of P.
    let (status, _) = fetch(&app, &As::Api(&w.admin.token), &format!("/api/v1/programmes/{}/health", w.other_programme)).await;
    assert_eq!(status, StatusCode::OK);
    let mine = store::audit::concerning(app.state.db.pool(), w.mentee.id).await.expect("concerning");
    let actions: Vec<AuditAction> = mine.iter().map(|e| e.action).collect();
    assert_eq!(actions, [AuditAction::PersonRead, AuditAction::MentorshipPage, AuditAction::HealthPage]);
    assert!(mine.iter().all(|e| e.actor_id == w.admin.id && e.client_address == "127.0.0.1"));
    let outsider = store::audit::concerning(app.state.db.pool(), w.outsider.id).await.expect("concerning");
    assert!(outsider.is_empty(), "{outsider:?}");
    app.stop().await;
}
