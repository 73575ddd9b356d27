//! One member writing while background work runs (an erasure, the retention job):
//! signing in, POSTing one message at a time, and the latencies seen.

use anyhow::Context;
use std::time::Instant;

/// Latencies of one writer's POSTs, in ms.
#[derive(Clone, Copy, Debug, Default)]
pub struct Latency {
    pub count: usize,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    pub fn of(mut samples: Vec<f64>) -> Latency {
        samples.sort_by(f64::total_cmp);
        let at = |q: f64| samples.get(((samples.len() as f64 * q).ceil() as usize).saturating_sub(1)).copied().unwrap_or_default();
        Latency { count: samples.len(), p50: at(0.5), p99: at(0.99), max: samples.last().copied().unwrap_or_default() }
    }
}

/// Signs in with a password; returns the access token.
pub async fn login(http: &reqwest::Client, base: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let answer: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    answer["access_token"].as_str().map(str::to_owned).context("no access token")
}

/// The signed-in member's first mentorship gets a new thread; returns the URL to POST
/// its messages to.
pub async fn new_thread(http: &reqwest::Client, base: &str, token: &str, subject: &str) -> anyhow::Result<String> {
    let mentorships: serde_json::Value =
        http.get(format!("{base}/api/v1/me/mentorships")).bearer_auth(token).send().await?.error_for_status()?.json().await?;
    let mentorship = mentorships[0]["id"].as_str().context("the writer's mentorship")?.to_owned();
    let thread: serde_json::Value = http
        .post(format!("{base}/api/v1/mentorships/{mentorship}/threads"))
        .bearer_auth(token)
        .json(&serde_json::json!({"subject": subject, "body": "Begin"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(format!("{base}/api/v1/threads/{}/messages", thread["thread"]["id"].as_str().context("thread id")?))
}

/// POSTs one message and returns the milliseconds to the 201.
pub async fn post_one(http: &reqwest::Client, url: &str, token: &str, i: usize) -> anyhow::Result<f64> {
    let t0 = Instant::now();
    http.post(url)
        .bearer_auth(token)
        .json(&serde_json::json!({"body": format!("Bericht {i}: tot donderdag!"), "client_msg_id": uuid::Uuid::new_v4().to_string()}))
        .send()
        .await?
        .error_for_status()?;
    Ok(t0.elapsed().as_secs_f64() * 1000.0)
}

/// `n` POSTs one after another, `gap` apart: the idle figures to compare with.
pub async fn idle(http: &reqwest::Client, url: &str, token: &str, n: usize, gap: std::time::Duration) -> anyhow::Result<Latency> {
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        samples.push(post_one(http, url, token, i).await?);
        tokio::time::sleep(gap).await;
    }
    Ok(Latency::of(samples))
}
