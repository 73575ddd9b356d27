//! Seeds the world over the HTTP API as a programme would be set up: the admin
//! (created with the CLI beforehand) creates a programme, then per mentorship a mentor
//! and a mentee with passwords, who log in; an active mentorship for the pair; and one
//! thread started by the mentor. For the slow-reader phase, one more person is a member
//! of every mentorship, so a socket of theirs is due every message posted.

use anyhow::Context;
use futures_util::{StreamExt, TryStreamExt, stream};
use mentorpost_bench::seed::{call, create_programme, create_user, log_in, mentorship_with_thread, str_field};
use reqwest::{Client, Method, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};

pub use mentorpost_bench::seed::Person;

pub const ADMIN_EMAIL: &str = "admin@live.bench.mentorpost.test";
/// Shared by every seeded account (argon2id at production parameters on the server).
pub const PASSWORD: &str = "live bench password, not secret";

/// Account creation and login are argon2id (19 MiB, tens of ms of CPU each) on the
/// server's two cores; more at once would only queue.
const SEED_CONCURRENCY: usize = 4;

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

async fn login(http: &Client, base: &str, email: &str) -> anyhow::Result<Person> {
    log_in(http, base, email, PASSWORD).await
}

/// `mentorships` active mentorships with a mentor and a mentee each, every member
/// logged in, one thread each; `with_stalled`: plus one person who is a second mentee
/// of every mentorship.
pub async fn seed(http: &Client, base: &str, mentorships: usize, with_stalled: bool) -> anyhow::Result<World> {
    let started = Instant::now();
    let admin = login(http, base, ADMIN_EMAIL).await.context("logging in the admin")?.access;
    let programme = create_programme(http, base, &admin, "Live bench programme").await?;
    let (admin, programme) = (admin.as_str(), programme.as_str());

    let logged_in_at = Instant::now();
    let stalled = if with_stalled {
        let email = "stalled@live.bench.mentorpost.test";
        let id = create_user(http, base, admin, email, "Live stalled reader", PASSWORD).await?;
        Some((id, login(http, base, email).await?))
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
                ids.push(create_user(http, base, admin, &email, &format!("Live {role} {k}"), PASSWORD).await?);
                people.push(login(http, base, &email).await?);
            }
            let mut members = vec![json!({"user_id": ids[0], "role": "mentor"}), json!({"user_id": ids[1], "role": "mentee"})];
            if let Some(id) = stalled_id {
                members.push(json!({"user_id": id, "role": "mentee"}));
            }
            let subject = format!("Live thread {k}: weekly check-in");
            let thread_id = mentorship_with_thread(http, base, admin, programme, members, &people[0].access, &subject).await?;
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
