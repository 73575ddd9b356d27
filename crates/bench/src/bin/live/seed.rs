//! Seeds the world over the HTTP API as a programme would be set up: the admin
//! (created with the CLI beforehand) creates a programme, then per mentorship a mentor
//! and a mentee with passwords, who log in; an active mentorship for the pair; and one
//! thread started by the mentor. For the slow-reader phase, one more person is a member
//! of every mentorship, so a socket of theirs is due every message posted.

use anyhow::{Context, bail};
use futures_util::{StreamExt, TryStreamExt, stream};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub const ADMIN_EMAIL: &str = "admin@live.bench.mentorpost.test";
/// Shared by every seeded account (argon2id at production parameters on the server).
pub const PASSWORD: &str = "live bench password, not secret";

/// Account creation and login are argon2id (19 MiB, tens of ms of CPU each) on the
/// server's two cores; more at once would only queue.
const SEED_CONCURRENCY: usize = 4;

/// A logged-in person.
#[derive(Clone, Debug)]
pub struct Person {
    pub access: String,
    pub refresh: String,
}

/// One mentorship: a mentor who posts, a mentee whose socket receives.
#[derive(Clone, Debug)]
pub struct Pair {
    pub thread_id: String,
    pub mentor: Person,
    pub mentee: Person,
}

pub struct World {
    pub pairs: Vec<Pair>,
    /// The member of every mentorship whose socket stalls (slow-reader phase only).
    pub stalled: Option<Person>,
    pub seed_time: Duration,
    /// When the access tokens were issued (they live 15 minutes).
    pub logged_in_at: Instant,
}

impl World {
    /// Every person: mentors and mentees.
    pub fn people(&self) -> Vec<&Person> {
        self.pairs.iter().flat_map(|p| [&p.mentor, &p.mentee]).collect()
    }

    /// Renews every access token when they are older than `max_age` (refresh tokens
    /// rotate; no argon2 involved).
    pub async fn refresh_if_older(&mut self, http: &Client, base: &str, max_age: Duration) -> anyhow::Result<()> {
        if self.logged_in_at.elapsed() < max_age {
            return Ok(());
        }
        let people: Vec<&mut Person> =
            self.pairs.iter_mut().flat_map(|p| [&mut p.mentor, &mut p.mentee]).chain(self.stalled.as_mut()).collect();
        stream::iter(people)
            .map(|person| async move {
                let v = call(
                    http,
                    Method::POST,
                    &format!("{base}/api/v1/auth/refresh"),
                    None,
                    Some(json!({"refresh_token": person.refresh})),
                    StatusCode::OK,
                )
                .await?;
                person.access = str_field(&v, "/access_token")?;
                person.refresh = str_field(&v, "/refresh_token")?;
                anyhow::Ok(())
            })
            .buffer_unordered(16)
            .try_collect::<()>()
            .await
            .context("refreshing access tokens")?;
        self.logged_in_at = Instant::now();
        Ok(())
    }
}

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

pub fn str_field(v: &Value, pointer: &str) -> anyhow::Result<String> {
    v.pointer(pointer).and_then(Value::as_str).map(str::to_owned).with_context(|| format!("response has no {pointer}"))
}

async fn login(http: &Client, base: &str, email: &str) -> anyhow::Result<Person> {
    let v = call(
        http,
        Method::POST,
        &format!("{base}/api/v1/auth/login"),
        None,
        Some(json!({"email": email, "password": PASSWORD})),
        StatusCode::OK,
    )
    .await?;
    Ok(Person { access: str_field(&v, "/access_token")?, refresh: str_field(&v, "/refresh_token")? })
}

/// `mentorships` active mentorships with a mentor and a mentee each, every member
/// logged in, one thread each; `with_stalled`: plus one person who is a second mentee
/// of every mentorship.
pub async fn seed(http: &Client, base: &str, mentorships: usize, with_stalled: bool) -> anyhow::Result<World> {
    let started = Instant::now();
    let admin = login(http, base, ADMIN_EMAIL).await.context("logging in the admin")?.access;
    let programme = call(
        http,
        Method::POST,
        &format!("{base}/api/v1/programmes"),
        Some(&admin),
        Some(json!({"name": "Live bench programme", "timezone": "Europe/Amsterdam"})),
        StatusCode::CREATED,
    )
    .await?;
    let programme = str_field(&programme, "/id")?;
    let (admin, programme) = (admin.as_str(), programme.as_str());

    let logged_in_at = Instant::now();
    let stalled = if with_stalled {
        let email = "stalled@live.bench.mentorpost.test";
        let user = call(
            http,
            Method::POST,
            &format!("{base}/api/v1/users"),
            Some(admin),
            Some(json!({"email": email, "display_name": "Live stalled reader", "password": PASSWORD})),
            StatusCode::CREATED,
        )
        .await?;
        Some((str_field(&user, "/id")?, login(http, base, email).await?))
    } else {
        None
    };
    let stalled_id = stalled.as_ref().map(|(id, _)| id.as_str());
    let pairs: Vec<Pair> = stream::iter(0..mentorships)
        .map(|k| async move {
            let mut ids = Vec::new();
            let mut people = Vec::new();
            for role in ["mentor", "mentee"] {
                let email = format!("{role}{k:05}@live.bench.mentorpost.test");
                let user = call(
                    http,
                    Method::POST,
                    &format!("{base}/api/v1/users"),
                    Some(admin),
                    Some(json!({"email": email, "display_name": format!("Live {role} {k}"), "password": PASSWORD})),
                    StatusCode::CREATED,
                )
                .await?;
                ids.push(str_field(&user, "/id")?);
                people.push(login(http, base, &email).await?);
            }
            let mut members = vec![json!({"user_id": ids[0], "role": "mentor"}), json!({"user_id": ids[1], "role": "mentee"})];
            if let Some(id) = stalled_id {
                members.push(json!({"user_id": id, "role": "mentee"}));
            }
            let mentorship = call(
                http,
                Method::POST,
                &format!("{base}/api/v1/programmes/{programme}/mentorships"),
                Some(admin),
                Some(json!({"members": members, "status": "active", "start_date": "2026-09-01"})),
                StatusCode::CREATED,
            )
            .await?;
            let mentorship_id = str_field(&mentorship, "/id")?;
            let thread = call(
                http,
                Method::POST,
                &format!("{base}/api/v1/mentorships/{mentorship_id}/threads"),
                Some(&people[0].access),
                Some(
                    json!({"subject": format!("Live thread {k}: weekly check-in"), "body": "Welcome! Let us agree on how often we write."}),
                ),
                StatusCode::CREATED,
            )
            .await?;
            let thread_id = str_field(&thread, "/thread/id")?;
            let mentee = people.pop().context("mentee")?;
            let mentor = people.pop().context("mentor")?;
            anyhow::Ok(Pair { thread_id, mentor, mentee })
        })
        .buffered(SEED_CONCURRENCY)
        .try_collect()
        .await
        .context("seeding mentorships")?;
    Ok(World { pairs, stalled: stalled.map(|(_, p)| p), seed_time: started.elapsed(), logged_in_at })
}
