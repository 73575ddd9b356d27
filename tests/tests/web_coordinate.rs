//! The coordinator's pages over plain HTTP: the programmes list, the dashboard (totals,
//! the health table with filter, order and search, charts as SVG with tables, the CSV),
//! a mentorship's page and its actions (check-in, activate, close, re-pair, each
//! refused without the CSRF token), the programme's settings with their checks, and
//! the admin page (404 for everyone but admins; a failed mail queued again). Members
//! and coordinators of another programme get 404 on every page. Both backends.

use mentorpost_tests::web::{browser, get, post_form, sign_in};
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    every_page_is_for_the_programmes_coordinators_only,
    the_dashboard_filters_orders_and_searches,
    the_dashboard_draws_charts_with_tables_and_serves_the_csv,
    the_mentorship_actions_work_by_form_and_need_the_csrf_token,
    settings_are_checked_and_saved,
    the_admin_page_is_for_admins_and_retries_failed_mail
);

fn pages(w: &World) -> Vec<String> {
    vec![
        format!("/coordinate/programmes/{}", w.programme),
        format!("/coordinate/programmes/{}?status=on_track&sort=overdue&q=jo", w.programme),
        format!("/coordinate/programmes/{}/health.csv", w.programme),
        format!("/coordinate/programmes/{}/settings", w.programme),
        format!("/coordinate/mentorships/{}", w.mentorship),
    ]
}

async fn every_page_is_for_the_programmes_coordinators_only(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    let (s, list, _) = get(&app, &cookie, "/coordinate").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains(&format!("href=\"/coordinate/programmes/{}\"", w.programme)), "{list}");
    assert!(!list.contains(&w.other_programme), "only their own programmes: {list}");
    assert!(list.contains("href=\"/coordinate\" aria-current=\"page\""), "the header links here: {list}");
    assert!(!list.contains("href=\"/admin\""), "no admin link for a coordinator");
    for page in pages(&w) {
        let (s, body, _) = get(&app, &cookie, &page).await;
        assert_eq!(s, StatusCode::OK, "{page}: {body}");
    }

    // A member, a coordinator of another programme, an outsider: 404 everywhere.
    for who in [&w.mentor, &w.mentee, &w.other_coordinator, &w.outsider] {
        let (cookie, _) = sign_in(&app, &who.email).await;
        let (_, inbox, _) = get(&app, &cookie, "/").await;
        assert_eq!(inbox.contains("href=\"/coordinate\""), who.email == w.other_coordinator.email, "{}: the nav link", who.email);
        for page in pages(&w) {
            let (s, _, _) = get(&app, &cookie, &page).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{} on {page}", who.email);
        }
    }
    // A malformed id is the same 404.
    let (s, _, _) = get(&app, &cookie, "/coordinate/programmes/not-an-id").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Signed out: to the sign-in page, and back afterwards.
    for page in pages(&w) {
        let resp = browser().get(app.url(&page)).send().await.expect("get");
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{page}");
        assert!(resp.headers()["location"].to_str().expect("location").starts_with("/signin?next="), "{page}");
    }
}

async fn the_dashboard_filters_orders_and_searches(app: TestServer) {
    let w = World::build(&app).await;
    // A second pair, in which nobody wrote.
    let second_mentor = mentorpost_tests::world::person(&app, "malgorzata@example.org", "Małgorzata Wiśniewska", false).await;
    let second_mentee = mentorpost_tests::world::person(&app, "henk@example.org", "Henk Jansen", false).await;
    let (s, m) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [{"user_id": second_mentor.id, "role": "mentor"}, {"user_id": second_mentee.id, "role": "mentee"}], "status": "active"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let second = m["id"].as_str().expect("id").to_owned();
    w.post_message(&app, &w.mentee, "Dank je, tot snel!").await;

    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    let base = format!("/coordinate/programmes/{}", w.programme);
    let (s, page, _) = get(&app, &cookie, &base).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Showing 2 of 2"), "{page}");
    assert!(page.contains(&w.mentorship) && page.contains(&second), "{page}");
    // Both wrote in the first pair within its window: on track; the second has no contact.
    assert!(page.contains("<dt>Active mentorships</dt><dd>2</dd>"), "{page}");
    assert!(page.contains("No contact yet"), "{page}");

    // Search by a member's name, accents and case as typed differently.
    let (_, found, _) = get(&app, &cookie, &format!("{base}?q=HENK")).await;
    assert!(found.contains("Showing 1 of 2") && found.contains(&second) && !found.contains(&w.mentorship), "{found}");
    let (_, found, _) = get(&app, &cookie, &format!("{base}?q=%C3%A7a%C4%9Fr%C4%B1")).await;
    assert!(found.contains(&w.mentorship) && !found.contains(&second), "Çağrı by çağrı: {found}");
    assert!(found.contains("value=\"çağrı\""), "the search is kept in the form: {found}");

    // Filter by the status each has: the first pair's, read from the API.
    let (_, health) = app.get(&format!("/api/v1/programmes/{}/health", w.programme), &w.coordinator.token).await;
    let status_of = |id: &str| {
        health["mentorships"].as_array().expect("rows").iter().find(|r| r["mentorship_id"] == id).expect("row")["health"]["status"]
            .as_str()
            .expect("status")
            .to_owned()
    };
    let first_status = status_of(&w.mentorship);
    let (_, filtered, _) = get(&app, &cookie, &format!("{base}?status={first_status}")).await;
    assert!(filtered.contains(&w.mentorship), "{filtered}");
    assert!(filtered.contains(&format!("<option value=\"{first_status}\" selected>")), "{filtered}");
    if status_of(&second) != first_status {
        assert!(!filtered.contains(&format!("/coordinate/mentorships/{second}")), "{filtered}");
    }
    let (_, none, _) = get(&app, &cookie, &format!("{base}?status=dormant&q=nobody")).await;
    assert!(none.contains("No mentorship matches"), "{none}");

    // Orders: the API's. Longest silence first puts the pair without contact first.
    let (_, ordered, _) = get(&app, &cookie, &format!("{base}?sort=days_since_contact")).await;
    let at = |page: &str, id: &str| page.find(&format!("/coordinate/mentorships/{id}")).expect("row");
    assert!(at(&ordered, &second) < at(&ordered, &w.mentorship), "no contact = longest silence");
    assert!(ordered.contains("<option value=\"days_since_contact\" selected>"), "{ordered}");
    let (s, odd, _) = get(&app, &cookie, &format!("{base}?sort=nonsense&status=nonsense&page=x")).await;
    assert_eq!(s, StatusCode::OK, "unknown values fall back to the defaults");
    assert!(odd.contains("Showing 2 of 2"), "{odd}");
}

async fn the_dashboard_draws_charts_with_tables_and_serves_the_csv(app: TestServer) {
    let w = World::build(&app).await;
    w.post_message(&app, &w.mentee, "Fijn, dank je wel").await;
    let (cookie, _) = sign_in(&app, &w.coordinator.email).await;
    let (_, page, _) = get(&app, &cookie, &format!("/coordinate/programmes/{}", w.programme)).await;
    for id in ["contacts-chart", "shares-chart", &format!("spark-{}", w.mentorship)] {
        assert!(page.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")), "{id}: {page}");
        assert!(page.contains(&format!("<title id=\"{id}-title\">")), "{id}");
    }
    assert_eq!(page.matches("role=\"img\"").count(), 3, "two charts and one sparkline");
    assert!(page.contains("<summary>The figures as a table</summary>"), "{page}");
    assert!(!page.contains("style="), "no inline style");
    // The nav partial, on the dashboard.
    assert!(page.contains(&format!("href=\"/coordinate/programmes/{}\" aria-current=\"page\"", w.programme)), "{page}");

    let (s, csv, h) = get(&app, &cookie, &format!("/coordinate/programmes/{}/health.csv", w.programme)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().expect("type").starts_with("text/csv"));
    assert!(csv.starts_with("mentorship_id,mentorship_status,health_status"), "{csv}");
    assert!(csv.contains(&w.mentorship) && csv.contains("Çağrı Yılmaz"), "{csv}");
}

async fn the_mentorship_actions_work_by_form_and_need_the_csrf_token(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    let page_path = format!("/coordinate/mentorships/{}", w.mentorship);
    let (s, page, _) = get(&app, &cookie, &page_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Çağrı Yılmaz") && page.contains("João Pereira"), "{page}");
    assert!(page.contains("No check-in has been sent yet."), "{page}");
    assert!(!page.contains("Kennismaking"), "no subject reaches the coordinator");

    // Without the token: refused, nothing written.
    for action in ["check-in", "activate", "close", "repair"] {
        let (s, _, _) = post_form(&app, &cookie, &format!("{page_path}/{action}"), &[("reason", "completed")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{action}");
    }
    let (_, checkins) = app.get(&format!("/api/v1/mentorships/{}/check-ins", w.mentorship), &w.coordinator.token).await;
    assert_eq!(checkins.as_array().map(Vec::len), Some(0));
    // A member's session cannot act either.
    let (member_cookie, member_csrf) = sign_in(&app, &w.mentor.email).await;
    let (s, _, _) = post_form(&app, &member_cookie, &format!("{page_path}/check-in"), &[("csrf", &member_csrf)]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A check-in.
    let (s, _, h) = post_form(&app, &cookie, &format!("{page_path}/check-in"), &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], format!("{page_path}?done=checkin#checkins"));
    let (_, checkins) = app.get(&format!("/api/v1/mentorships/{}/check-ins", w.mentorship), &w.coordinator.token).await;
    assert_eq!(checkins.as_array().map(Vec::len), Some(1), "{checkins}");
    let (_, page, _) = get(&app, &cookie, &format!("{page_path}?done=checkin")).await;
    assert!(page.contains("The check-in is sent.") && page.contains("no answer yet"), "{page}");

    // Closing needs a reason from the list; the choice is kept.
    let (s, page, _) = post_form(&app, &cookie, &format!("{page_path}/close"), &[("csrf", &csrf), ("reason", "because")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("<title>Error:") && page.contains("href=\"#reason\""), "{page}");

    // Re-pair with the outsider as the new mentee: the old one closes, the new is active.
    let new_mentee = mentorpost_tests::world::person(&app, "ayse@example.org", "Ayşe Demir", false).await;
    let (s, m) = app
        .post(
            &format!("/api/v1/programmes/{}/mentorships", w.programme),
            &w.coordinator.token,
            json!({"members": [{"user_id": w.outsider.id, "role": "mentor"}, {"user_id": new_mentee.id, "role": "mentee"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let proposed = m["id"].as_str().expect("id").to_owned();
    // Activate the proposed one.
    let proposed_path = format!("/coordinate/mentorships/{proposed}");
    let (_, page, _) = get(&app, &cookie, &proposed_path).await;
    assert!(page.contains("Proposed, not yet active.") && page.contains(&format!("action=\"{proposed_path}/activate\"")), "{page}");
    let (s, _, h) = post_form(&app, &cookie, &format!("{proposed_path}/activate"), &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], format!("{proposed_path}?done=activated"));
    let (_, v) = app.get(&format!("/api/v1/mentorships/{proposed}"), &w.coordinator.token).await;
    assert_eq!(v["status"], "active");

    // Re-pair: one mentor is not enough.
    let mentor_field = format!("role-{}", w.mentor.id);
    let mentee_field = format!("role-{}", new_mentee.id);
    let (s, page, _) = post_form(&app, &cookie, &format!("{page_path}/repair"), &[("csrf", &csrf), (&mentor_field, "mentor")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Choose at least one mentor and one mentee"), "{page}");
    let (s, _, h) =
        post_form(&app, &cookie, &format!("{page_path}/repair"), &[("csrf", &csrf), (&mentor_field, "mentor"), (&mentee_field, "mentee")])
            .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let to = h["location"].to_str().expect("location").to_owned();
    assert!(to.starts_with("/coordinate/mentorships/") && to.ends_with("?done=repaired") && !to.contains(&w.mentorship), "{to}");
    let (_, old) = app.get(&format!("/api/v1/mentorships/{}", w.mentorship), &w.coordinator.token).await;
    assert_eq!(old["status"], "closed");
    let (_, page, _) = get(&app, &cookie, &to).await;
    assert!(page.contains("This is the new mentorship.") && page.contains("Ayşe Demir"), "{page}");

    // Close the proposed-then-active one with a reason.
    let (s, _, h) = post_form(&app, &cookie, &format!("{proposed_path}/close"), &[("csrf", &csrf), ("reason", "no_match")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{h:?}");
    let (_, v) = app.get(&format!("/api/v1/mentorships/{proposed}"), &w.coordinator.token).await;
    assert_eq!((v["status"].as_str(), v["end_reason"].as_str()), (Some("closed"), Some("no_match")));
    let (_, page, _) = get(&app, &cookie, &proposed_path).await;
    assert!(page.contains("Reason: Not a good match.") && !page.contains("/check-in\""), "closed: no actions: {page}");
}

async fn settings_are_checked_and_saved(app: TestServer) {
    let w = World::build(&app).await;
    let (cookie, csrf) = sign_in(&app, &w.coordinator.email).await;
    let path = format!("/coordinate/programmes/{}/settings", w.programme);
    let (s, page, _) = get(&app, &cookie, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<option value=\"Europe/Amsterdam\" selected>"), "{page}");
    assert!(page.contains("value=\"14\""), "not started after 14 days by default: {page}");

    // The summary: every problem at once, answers kept; then saved, seen by the API.
    let (s, page, _) = post_form(&app, &cookie, &format!("{path}/summary"), &[("csrf", &csrf), ("weekday", "9"), ("hour", "25")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["#enabled", "#weekday", "#hour"] {
        assert!(page.contains(&format!("href=\"{field}\"")), "{field}: {page}");
    }
    let (s, _, h) =
        post_form(&app, &cookie, &format!("{path}/summary"), &[("csrf", &csrf), ("enabled", "no"), ("weekday", "5"), ("hour", "17")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], format!("{path}?done=summary"));
    let (_, api) = app.get("/api/v1/me/coordinator-summary", &w.coordinator.token).await;
    assert_eq!(api, json!({"weekday": 5, "hour": 17, "send_all_clear": false, "enabled": false}));

    // The defaults.
    let (s, page, _) = post_form(
        &app,
        &cookie,
        &format!("{path}/defaults"),
        &[
            ("csrf", &csrf),
            ("timezone", "Mars/Olympus"),
            ("contact_every_days", "0"),
            ("response_within_hours", "veel"),
            ("not_started_days", "21"),
            ("follow_up_months", "6"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("href=\"#timezone\"")
            && page.contains("href=\"#contact_every_days\"")
            && page.contains("href=\"#response_within_hours\""),
        "{page}"
    );
    assert!(!page.contains("href=\"#not_started_days\"") && page.contains("value=\"veel\""), "{page}");
    let (s, _, _) = post_form(
        &app,
        &cookie,
        &format!("{path}/defaults"),
        &[
            ("csrf", &csrf),
            ("timezone", "Europe/Warsaw"),
            ("contact_every_days", "10"),
            ("response_within_hours", "72"),
            ("not_started_days", "21"),
            ("follow_up_months", "6"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, p) = app.get(&format!("/api/v1/programmes/{}", w.programme), &w.coordinator.token).await;
    assert_eq!(p["timezone"], "Europe/Warsaw");
    assert_eq!(p["default_rhythm"]["contact_every_days"], 10);
    assert_eq!(p["default_rhythm"]["response_within_hours"], 72);
    let (_, page, _) = get(&app, &cookie, &format!("{path}?done=defaults")).await;
    assert!(page.contains("value=\"21\"") && page.contains("role=\"status\""), "{page}");

    // Without the token, or from another programme's coordinator: nothing changes.
    let (s, _, _) = post_form(&app, &cookie, &format!("{path}/defaults"), &[("timezone", "UTC")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (other, other_csrf) = sign_in(&app, &w.other_coordinator.email).await;
    let (s, _, _) = post_form(
        &app,
        &other,
        &format!("{path}/defaults"),
        &[
            ("csrf", &other_csrf),
            ("timezone", "UTC"),
            ("contact_every_days", "3"),
            ("response_within_hours", "3"),
            ("not_started_days", "3"),
            ("follow_up_months", "6"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, p) = app.get(&format!("/api/v1/programmes/{}", w.programme), &w.coordinator.token).await;
    assert_eq!(p["timezone"], "Europe/Warsaw");
}

async fn the_admin_page_is_for_admins_and_retries_failed_mail(app: TestServer) {
    let w = World::build(&app).await;
    for who in [&w.coordinator, &w.mentor, &w.outsider] {
        let (cookie, csrf) = sign_in(&app, &who.email).await;
        let (s, _, _) = get(&app, &cookie, "/admin").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{}", who.email);
        let (s, _, _) = post_form(&app, &cookie, "/admin/programmes", &[("csrf", &csrf), ("name", "Stiekem")]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{}", who.email);
    }
    // A failed mail, as the outbox leaves one after its last attempt.
    let id = uuid::Uuid::now_v7().to_string();
    let row = id.clone();
    let now = chrono::Utc::now().timestamp_millis();
    let mentee = w.mentee.id.to_string();
    app.state
        .db
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO outbox (id, kind, user_id, rendered, status, not_before, attempts, last_error, created_at)
                     VALUES ($1, 'security', $2, $3, 'failed', $4, 8, '550 mailbox unavailable', $4)",
                )
                .bind(row)
                .bind(mentee)
                .bind("From: a@b\r\nTo: mentee@example.org\r\nSubject: ZQX-geheim\r\n\r\nZQX-inhoud\r\n")
                .bind(now)
                .execute(&mut *conn)
                .await?;
                Ok(())
            })
        })
        .await
        .expect("failed row");

    let (cookie, csrf) = sign_in(&app, &w.admin.email).await;
    let (s, page, _) = get(&app, &cookie, "/admin").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Programme P") && page.contains("Anneke de Vries"), "{page}");
    assert!(page.contains("mentee@example.org") && page.contains("550 mailbox unavailable"), "{page}");
    assert!(!page.contains("ZQX"), "never a subject or text: {page}");
    assert!(page.contains("href=\"/admin\" aria-current=\"page\""), "{page}");

    // Retry without the token: refused.
    let (s, _, _) = post_form(&app, &cookie, &format!("/admin/mail/{id}/retry"), &[]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, h) = post_form(&app, &cookie, &format!("/admin/mail/{id}/retry"), &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h["location"], "/admin?done=retried#outgoing");
    let status: String = sqlx::Row::try_get(
        &sqlx::query("SELECT status FROM outbox WHERE id = $1").bind(id.clone()).fetch_one(app.state.db.pool()).await.expect("row"),
        "status",
    )
    .expect("status");
    assert_ne!(status, "failed", "queued again (and perhaps sent already)");
    // A second retry finds no failed mail.
    let (s, _, _) = post_form(&app, &cookie, &format!("/admin/mail/{id}/retry"), &[("csrf", &csrf)]).await;
    assert!(s == StatusCode::NOT_FOUND || s == StatusCode::SEE_OTHER, "{s}");

    // Programmes and coordinators.
    let (s, page, _) = post_form(&app, &cookie, "/admin/programmes", &[("csrf", &csrf), ("name", "  ")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#name\""), "{page}");
    let (s, _, _) = post_form(&app, &cookie, "/admin/programmes", &[("csrf", &csrf), ("name", "Mentorprogramma Zuid-Limburg")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, list) = app.get("/api/v1/programmes", &w.admin.token).await;
    let new = list.as_array().expect("list").iter().find(|p| p["name"] == "Mentorprogramma Zuid-Limburg").expect("created")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (s, page, _) =
        post_form(&app, &cookie, &format!("/admin/programmes/{new}/coordinators"), &[("csrf", &csrf), ("email", "nobody@example.org")])
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#email\"") && page.contains("value=\"nobody@example.org\""), "{page}");
    let (s, _, _) =
        post_form(&app, &cookie, &format!("/admin/programmes/{new}/coordinators"), &[("csrf", &csrf), ("email", &w.outsider.email)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, p) = app.get(&format!("/api/v1/programmes/{new}"), &w.admin.token).await;
    assert_eq!(p["coordinators"][0]["display_name"], "Zuzana Horváthová");
    // The new coordinator now has the link and the page.
    let (outsider, _) = sign_in(&app, &w.outsider.email).await;
    let (s, page, _) = get(&app, &outsider, "/coordinate").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Mentorprogramma Zuid-Limburg"), "{page}");
    let (s, _, _) =
        post_form(&app, &cookie, &format!("/admin/programmes/{new}/coordinators/{}/remove", w.outsider.id), &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = get(&app, &outsider, &format!("/coordinate/programmes/{new}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
