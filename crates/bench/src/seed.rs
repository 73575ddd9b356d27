//! Seeding over the HTTP API, the way a programme would be set up: an admin (created
//! with the CLI beforehand) creates a programme, mentors and mentees with passwords,
//! and one active mentorship per pair; every member logs in; each mentor starts one
//! thread. The calls are shared by every bench; [`seed`] builds the world the
//! `post-messages` and `inbound` benches post into.

use anyhow::{Context, bail};
use futures_util::{StreamExt, TryStreamExt, stream};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub const ADMIN_EMAIL: &str = "admin@bench.mentorpost.test";
/// Shared by every seeded account (argon2id at production parameters on the server).
pub const PASSWORD: &str = "bench password, not secret";

/// How many seeding requests run at once. Account creation and login are argon2id
/// (19 MiB, ~30–60 ms of CPU each), so more would only queue on the server's cores.
const SEED_CONCURRENCY: usize = 6;

/// One person who posts: a member of one mentorship, logged in.
#[derive(Clone, Debug)]
pub struct Member {
    pub role: &'static str,
    pub token: String,
    pub thread_id: String,
}

pub struct World {
    /// Index `2k` is the mentor of mentorship `k`, `2k + 1` its mentee.
    pub members: Vec<Member>,
    pub seed_time: Duration,
}

/// Sends one JSON request and insists on `expect`; the answer's JSON (`Null` when
/// empty).
pub async fn call(
    http: &Client,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
    expect: StatusCode,
) -> anyhow::Result<Value> {
    let mut req = http.request(method.clone(), url);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.with_context(|| format!("{method} {url}"))?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    if status != expect {
        bail!("{method} {url}: expected {expect}, got {status}: {text}");
    }
    if text.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).with_context(|| format!("{method} {url}: response is not JSON"))
}

/// The string at `pointer` in an answer.
pub fn str_field(v: &Value, pointer: &str) -> anyhow::Result<String> {
    v.pointer(pointer).and_then(Value::as_str).map(str::to_owned).with_context(|| format!("response has no {pointer}: {v}"))
}

/// A logged-in person's tokens.
#[derive(Clone, Debug)]
pub struct Person {
    pub access: String,
    pub refresh: String,
}

/// Logs `email` in with `password`.
pub async fn log_in(http: &Client, base: &str, email: &str, password: &str) -> anyhow::Result<Person> {
    let v = call(
        http,
        Method::POST,
        &format!("{base}/api/v1/auth/login"),
        None,
        Some(json!({"email": email, "password": password})),
        StatusCode::OK,
    )
    .await?;
    Ok(Person { access: str_field(&v, "/access_token")?, refresh: str_field(&v, "/refresh_token")? })
}

/// Logs in an account seeded with [`PASSWORD`]; its access token.
pub async fn login(http: &Client, base: &str, email: &str) -> anyhow::Result<String> {
    Ok(log_in(http, base, email, PASSWORD).await?.access)
}

/// `POST url` with `body` as `token`, insisting on 201; the created thing's `id`.
async fn create(http: &Client, url: &str, token: &str, body: Value) -> anyhow::Result<String> {
    let created = call(http, Method::POST, url, Some(token), Some(body), StatusCode::CREATED).await?;
    str_field(&created, "/id")
}

/// `POST /api/v1/programmes` as the admin; the programme's id.
pub async fn create_programme(http: &Client, base: &str, admin: &str, name: &str) -> anyhow::Result<String> {
    create(http, &format!("{base}/api/v1/programmes"), admin, json!({"name": name, "timezone": "Europe/Amsterdam"})).await
}

/// `POST /api/v1/users` as the admin, an account with a password; its id.
pub async fn create_user(
    http: &Client,
    base: &str,
    admin: &str,
    email: &str,
    display_name: &str,
    password: &str,
) -> anyhow::Result<String> {
    let body = json!({"email": email, "display_name": display_name, "password": password});
    create(http, &format!("{base}/api/v1/users"), admin, body).await
}

/// An active mentorship of `members` (`{"user_id", "role"}` each) and one thread its
/// mentor (`mentor_token`) starts; the thread's id.
pub async fn mentorship_with_thread(
    http: &Client,
    base: &str,
    admin: &str,
    programme: &str,
    members: Vec<Value>,
    mentor_token: &str,
    subject: &str,
) -> anyhow::Result<String> {
    let body = json!({"members": members, "status": "active", "start_date": "2026-09-01"});
    let mentorship_id = create(http, &format!("{base}/api/v1/programmes/{programme}/mentorships"), admin, body).await?;
    let thread = call(
        http,
        Method::POST,
        &format!("{base}/api/v1/mentorships/{mentorship_id}/threads"),
        Some(mentor_token),
        Some(json!({"subject": subject, "body": "Welcome! Let us agree on how often we write."})),
        StatusCode::CREATED,
    )
    .await?;
    str_field(&thread, "/thread/id")
}

/// Sets every member's general mail mode: `off` queues no mail at all for their
/// messages; `live` (the default for people with a password) queues a missed-message
/// check per recipient in the posting transaction.
pub async fn set_mail_mode(http: &Client, base: &str, world: &World, mode: &str) -> anyhow::Result<()> {
    for m in &world.members {
        let current = call(http, Method::GET, &format!("{base}/api/v1/me/mail"), Some(&m.token), None, StatusCode::OK).await?;
        let mut settings = current.get("settings").cloned().with_context(|| format!("no mail settings in {current}"))?;
        settings["mode"] = json!(mode);
        call(http, Method::PUT, &format!("{base}/api/v1/me/mail"), Some(&m.token), Some(settings), StatusCode::OK).await?;
    }
    Ok(())
}

/// Builds the world: `mentorships` active mentorships with a mentor and a mentee each.
pub async fn seed(http: &Client, base: &str, mentorships: usize) -> anyhow::Result<World> {
    let started = Instant::now();
    let admin = login(http, base, ADMIN_EMAIL).await.context("logging in the admin")?;
    let programme = create_programme(http, base, &admin, "Bench programme").await?;

    // People: 2 per mentorship, created with passwords, then logged in.
    let people: Vec<(usize, &'static str)> = (0..mentorships).flat_map(|k| [(k, "mentor"), (k, "mentee")]).collect();
    let admin_ref = admin.as_str();
    let created: Vec<(usize, &'static str, String, String)> = stream::iter(people)
        .map(|(k, role)| async move {
            let email = format!("{role}{k:04}@bench.mentorpost.test");
            let id = create_user(http, base, admin_ref, &email, &format!("Bench {role} {k}"), PASSWORD).await?;
            let token = login(http, base, &email).await?;
            anyhow::Ok((k, role, id, token))
        })
        .buffered(SEED_CONCURRENCY)
        .try_collect()
        .await
        .context("creating and logging in members")?;

    // Mentorships, active, one mentor and one mentee each; then one thread each.
    let programme_ref = programme.as_str();
    let members: Vec<Member> = stream::iter(created.chunks(2).map(<[_]>::to_vec))
        .map(|pair| async move {
            let [(k, _, mentor_id, mentor_token), (_, _, mentee_id, mentee_token)] =
                <[_; 2]>::try_from(pair).map_err(|_| anyhow::anyhow!("people come in pairs"))?;
            let members = vec![json!({"user_id": mentor_id, "role": "mentor"}), json!({"user_id": mentee_id, "role": "mentee"})];
            let subject = format!("Bench thread {k}: goals for the first quarter");
            let thread_id = mentorship_with_thread(http, base, admin_ref, programme_ref, members, &mentor_token, &subject).await?;
            anyhow::Ok([
                Member { role: "mentor", token: mentor_token, thread_id: thread_id.clone() },
                Member { role: "mentee", token: mentee_token, thread_id },
            ])
        })
        .buffered(SEED_CONCURRENCY)
        .try_collect::<Vec<_>>()
        .await
        .context("creating mentorships and threads")?
        .into_iter()
        .flatten()
        .collect();
    Ok(World { members, seed_time: started.elapsed() })
}

/// Sum of `message_count` over every seeded thread, read through the API (each
/// mentor's `GET /api/v1/me/threads`).
pub async fn count_messages(http: &Client, base: &str, world: &World) -> anyhow::Result<u64> {
    let mentors: Vec<&Member> = world.members.iter().filter(|m| m.role == "mentor").collect();
    let counts: Vec<u64> = stream::iter(mentors)
        .map(|m| async move {
            let threads = call(http, Method::GET, &format!("{base}/api/v1/me/threads"), Some(&m.token), None, StatusCode::OK).await?;
            let list = threads.as_array().context("threads is not a list")?;
            let mut sum = 0;
            for t in list {
                sum += t.get("message_count").and_then(Value::as_u64).context("thread without message_count")?;
            }
            anyhow::Ok(sum)
        })
        .buffered(SEED_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(counts.iter().sum())
}
