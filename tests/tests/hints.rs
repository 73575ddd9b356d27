//! Netiquette hints while writing (`POST /api/v1/hints`, G3, G9, G10, G13): codes and
//! positions for a draft, the late-reply hint from the thread's own record on a
//! controlled clock, the balance hint from the mentorship's last four weeks, the same
//! access rules as the thread's routes, the limits of a message — on both backends.

use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::Method;
use serde_json::{Value, json};

both_backends!(
    vague_subject_and_phone_number,
    late_reply_with_and_without_a_word_about_the_wait,
    threads_the_caller_may_not_read,
    limits_of_a_message,
    one_side_writing_nearly_everything
);

const HINTS: &str = "/api/v1/hints";

/// `(code, field, start, end)` of every hint in an answer.
fn hints(answer: &Value) -> Vec<(String, String, u64, u64)> {
    answer["hints"]
        .as_array()
        .unwrap_or_else(|| panic!("no hints in {answer}"))
        .iter()
        .map(|h| {
            let text = |k: &str| h[k].as_str().unwrap_or_default().to_owned();
            (text("code"), text("field"), h["start"].as_u64().unwrap_or(u64::MAX), h["end"].as_u64().unwrap_or(u64::MAX))
        })
        .collect()
}

fn codes(answer: &Value) -> Vec<String> {
    hints(answer).into_iter().map(|(code, ..)| code).collect()
}

fn hint(code: &str, field: &str, start: u64, end: u64) -> (String, String, u64, u64) {
    (code.to_owned(), field.to_owned(), start, end)
}

async fn vague_subject_and_phone_number(app: TestServer) {
    let w = World::build(&app).await;
    let before = app.snapshot().await;
    let (s, b) =
        app.post(HINTS, &w.mentee.token, json!({"subject": "Vraag", "body": "Hoi! 👋 Bel me op 06-12345678.", "thread_id": null})).await;
    assert_eq!(s, 200, "{b}");
    // Positions count UTF-16 code units: the emoji is two.
    assert_eq!(hints(&b), [hint("subject_vague", "subject", 0, 5), hint("personal_data_phone", "body", 18, 29)]);

    let (s, b) = app.post(HINTS, &w.mentee.token, json!({"subject": "Hello", "body": "Call me at +31 6 12345678"})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(hints(&b), [hint("subject_vague", "subject", 0, 5), hint("personal_data_phone", "body", 11, 25)]);

    // Not yet written: no subject is worth a hint, an empty body is not.
    let (s, b) = app.post(HINTS, &w.mentee.token, json!({"subject": "", "body": ""})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(hints(&b), [hint("subject_missing", "subject", 0, 0)]);

    // A good draft gets nothing; dates and amounts are no phone numbers.
    let good = json!({
        "subject": "Voorbereiding sollicitatiegesprek bij de gemeente",
        "body": "Hoi Çağrı,\n\nHet gesprek is op 06-12-2026 om 14:30. Het salaris is € 3.450 per maand.\n\nGroet, João",
    });
    let (s, b) = app.post(HINTS, &w.mentee.token, good).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), Vec::<String>::new());
    assert_eq!(app.snapshot().await, before, "asking for hints writes nothing");
    app.stop().await;
}

async fn late_reply_with_and_without_a_word_about_the_wait(app: TestServer) {
    let w = World::build(&app).await;
    let (s, b) = app
        .put(
            &format!("/api/v1/mentorships/{}/agreement/rhythm", w.mentorship),
            &w.mentor.token,
            json!({"contact_every_days": 7, "response_within_hours": 24}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let reply = |body: &str| json!({"subject": null, "body": body, "thread_id": w.thread});
    let plain = "Donderdag past mij goed.";
    let sorry = "Sorry voor de late reactie! Donderdag past mij goed.";

    // The mentor's first message is fresh: an answer now is in time.
    let (s, b) = app.post(HINTS, &w.mentee.token, reply(plain)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), Vec::<String>::new());

    // A day and a half later it has waited longer than the agreed 24 hours (access
    // tokens last 15 minutes, so both log in again).
    app.clock.advance(chrono::Duration::hours(36));
    let mentee = app.login(&w.mentee.email, PASSWORD).await.0;
    let mentor = app.login(&w.mentor.email, PASSWORD).await.0;
    let (s, b) = app.post(HINTS, &mentee, reply(plain)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(hints(&b), [hint("late_reply_unacknowledged", "body", 0, 24)]);
    let (s, b) = app.post(HINTS, &mentee, reply(sorry)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), Vec::<String>::new(), "a word about the wait is enough");
    let (s, b) = app.post(HINTS, &mentee, reply("Sorry for the delay, Thursday works.")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), Vec::<String>::new());
    // The mentor wrote last: nothing waits for them.
    let (s, b) = app.post(HINTS, &mentor, reply(plain)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), Vec::<String>::new());

    // Once the mentee has answered, the turn is the mentor's.
    let (s, b) =
        app.post(&format!("/api/v1/threads/{}/messages", w.thread), &mentee, json!({"body": sorry, "client_msg_id": "hints-late-1"})).await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = app.post(HINTS, &mentee, reply(plain)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), Vec::<String>::new());
    app.clock.advance(chrono::Duration::hours(25));
    let mentor = app.login(&w.mentor.email, PASSWORD).await.0;
    let (s, b) = app.post(HINTS, &mentor, reply("Prima, tot donderdag!")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), ["late_reply_unacknowledged"]);
    let (s, b) = app.post(HINTS, &mentor, reply("Excuses, het was een drukke week. Tot donderdag!")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), Vec::<String>::new());
    app.stop().await;
}

async fn threads_the_caller_may_not_read(app: TestServer) {
    let w = World::build(&app).await;
    let draft = |thread: &str| json!({"subject": null, "body": "Donderdag past mij goed.", "thread_id": thread});
    // Someone outside the mentorship, and a thread that does not exist: 404 alike.
    let (s, b) = app.post(HINTS, &w.outsider.token, draft(&w.thread)).await;
    assert_eq!(s, 404, "{b}");
    assert_eq!(b["error"]["code"], "not_found");
    let (s, b) = app.post(HINTS, &w.other_coordinator.token, draft(&w.thread)).await;
    assert_eq!(s, 404, "{b}");
    let (s, b) = app.post(HINTS, &w.mentee.token, draft(&uuid::Uuid::now_v7().to_string())).await;
    assert_eq!(s, 404, "{b}");
    // The programme's coordinator knows the mentorship but reads no content: 403.
    let (s, b) = app.post(HINTS, &w.coordinator.token, draft(&w.thread)).await;
    assert_eq!(s, 403, "{b}");
    // Without a thread anyone signed in may ask.
    let (s, b) = app.post(HINTS, &w.outsider.token, json!({"body": "HALLO IEDEREEN, WIE KAN MIJ HELPEN?"})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), ["shouting"]);
    // Without a token: 401.
    let (s, b) = app.call(Method::POST, HINTS, None, Some(draft(&w.thread))).await;
    assert_eq!(s, 401, "{b}");
    app.stop().await;
}

async fn limits_of_a_message(app: TestServer) {
    let w = World::build(&app).await;
    let (s, b) = app.post(HINTS, &w.mentee.token, json!({"body": "a".repeat(64 * 1024 + 1)})).await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["error"]["code"], "body_too_long");
    let (s, b) = app.post(HINTS, &w.mentee.token, json!({"subject": "s".repeat(201), "body": ""})).await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["error"]["code"], "subject_too_long");
    let (s, b) = app.post(HINTS, &w.mentee.token, json!({"body": "Hoi", "draft": "unknown field"})).await;
    assert_eq!(s, 422, "{b}");
    let (s, b) = app.post(HINTS, &w.mentee.token, json!({"body": "Hoi\u{0007}"})).await;
    assert_eq!(s, 422, "{b}");
    // The largest message there is gets its hints: one paragraph of 64 KiB.
    let (s, b) = app.post(HINTS, &w.mentee.token, json!({"body": "woord ".repeat(64 * 1024 / 6)})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), ["wall_of_text"]);
    app.stop().await;
}

async fn one_side_writing_nearly_everything(app: TestServer) {
    let w = World::build(&app).await;
    let in_thread = |body: &str| json!({"body": body, "thread_id": w.thread});
    let new_thread = |body: &str| json!({"subject": "Presenteren voor een groot publiek", "body": body, "mentorship_id": w.mentorship});
    let post = |token: String, n: usize| {
        let app = &app;
        let thread = w.thread.clone();
        async move {
            let (s, b) = app
                .post(
                    &format!("/api/v1/threads/{thread}/messages"),
                    &token,
                    json!({"body": format!("Nog een gedachte, nummer {n}."), "client_msg_id": format!("balance-{n}")}),
                )
                .await;
            assert_eq!(s, 201, "{b}");
        }
    };
    // The mentor's opening message and four more: five, too few to call a pattern.
    for n in 0..4 {
        post(w.mentor.token.clone(), n).await;
    }
    let (s, b) = app.post(HINTS, &w.mentor.token, in_thread("En nog iets.")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), Vec::<String>::new());
    // Six of six: the mentor's side wrote everything, in the thread and in a new one.
    post(w.mentor.token.clone(), 4).await;
    let (s, b) = app.post(HINTS, &w.mentor.token, in_thread("En nog iets.")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(hints(&b), [hint("one_sided", "body", 0, 12)]);
    let (s, b) = app.post(HINTS, &w.mentor.token, new_thread("En nog iets.")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), ["one_sided"]);
    // Nothing written yet: nothing to hint at. The mentee's side gets no such hint.
    let (s, b) = app.post(HINTS, &w.mentor.token, in_thread("")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), Vec::<String>::new());
    let (s, b) = app.post(HINTS, &w.mentee.token, in_thread("Dank je!")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), Vec::<String>::new());

    // The mentee answers twice: six of eight is a conversation again.
    post(w.mentee.token.clone(), 5).await;
    let (s, b) = app.post(HINTS, &w.mentor.token, in_thread("En nog iets.")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), ["one_sided"], "six of seven is still nearly everything");
    post(w.mentee.token.clone(), 6).await;
    let (s, b) = app.post(HINTS, &w.mentor.token, in_thread("En nog iets.")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), Vec::<String>::new());

    // A mentorship the caller is not in: 404, as on its own routes.
    let (s, b) = app.post(HINTS, &w.outsider.token, new_thread("Hallo")).await;
    assert_eq!(s, 404, "{b}");

    // Four weeks on, the window is empty (tokens last 15 minutes: sign in again).
    for n in 7..10 {
        post(w.mentor.token.clone(), n).await;
    }
    app.clock.advance(chrono::Duration::days(29));
    let mentor = app.login(&w.mentor.email, PASSWORD).await.0;
    let (s, b) = app.post(HINTS, &mentor, in_thread("En nog iets.")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(codes(&b), Vec::<String>::new());
    app.stop().await;
}
