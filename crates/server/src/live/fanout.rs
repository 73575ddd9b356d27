//! Fan-out between instances on one PostgreSQL: `NOTIFY` carrying mentorship ids only.
//!
//! Why batched: PostgreSQL takes a global lock when a notifying transaction commits and
//! collapses beyond a few hundred notifying commits per second. So writes never notify
//! inside their own transaction; the [`Notifier`] collects the ids of mentorships that
//! changed and sends one `pg_notify` per interval (a few milliseconds). The receiving
//! instance reads the events from the database, which stays the source of truth; the
//! signal only says "mentorship M has news".
//!
//! A lost listener connection is noticed (`try_recv` reports it) and re-established
//! here, then every room is pumped from the database: LISTEN first, read second, so
//! nothing sent while it was down is lost, however long the database was away.

use crate::live::Hub;
use anyhow::Context;
use mentorpost_model::{MentorshipId, UserId};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use std::collections::HashSet;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

pub const CHANNEL: &str = "mentorpost_events";
/// How long announcements are gathered before one NOTIFY goes out.
const FLUSH_INTERVAL: Duration = Duration::from_millis(3);
/// PostgreSQL payloads are limited to 8000 bytes; ids of up to 38 bytes plus separators.
const IDS_PER_NOTIFY: usize = 180;
/// Application name of the listener's connection (visible in `pg_stat_activity`).
pub const LISTENER_APP_NAME: &str = "mentorpost-listener";

/// Collects changed mentorships and notifies the other instances in batches.
#[derive(Clone)]
pub struct Notifier {
    pending: Arc<Mutex<HashSet<String>>>,
    wake: Arc<Notify>,
}

impl Notifier {
    /// "Mentorship M has news."
    pub fn announce(&self, mentorship: MentorshipId) {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).insert(mentorship.to_string());
        self.wake.notify_one();
    }

    /// "Person U joined a mentorship" (their sockets subscribe to it).
    pub fn announce_member(&self, user: UserId) {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).insert(format!("u:{user}"));
        self.wake.notify_one();
    }
}

/// Tells every instance that `mentorship` has news, from a process that runs no hub
/// of its own (`mentorpost inbound` from an MTA's pipe).
pub async fn announce_from_outside(pool: &sqlx::AnyPool, mentorship: MentorshipId) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(format!("pipe|{mentorship}")).execute(pool).await.map(|_| ())
}

/// Starts the notifier and the listener for this instance. `instance` tags this
/// instance's own notifications so it skips them (it delivered locally already).
/// Both tasks run on `tasks`, so shutdown waits for them.
pub async fn start(
    hub: Arc<Hub>,
    database_url: &str,
    instance: String,
    shutdown: CancellationToken,
    tasks: &tokio_util::task::TaskTracker,
) -> anyhow::Result<()> {
    let notifier = Notifier { pending: Arc::default(), wake: Arc::new(Notify::new()) };
    hub.set_notifier(notifier.clone());
    tasks.spawn(run_notifier(hub.clone(), notifier, instance.clone(), shutdown.clone()));

    let options = PgConnectOptions::from_str(database_url).context("parsing the PostgreSQL URL")?.application_name(LISTENER_APP_NAME);
    // A short acquire timeout: the reconnect loop below does the waiting, with backoff.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(2))
        .connect_with(options)
        .await
        .context("connecting the listener")?;
    let listener = listen(&pool).await?;
    tasks.spawn(run_listener(hub, pool, listener, instance, shutdown));
    Ok(())
}

async fn run_notifier(hub: Arc<Hub>, notifier: Notifier, instance: String, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = notifier.wake.notified() => {}
            _ = shutdown.cancelled() => return,
        }
        tokio::time::sleep(FLUSH_INTERVAL).await;
        let ids: Vec<String> = notifier.pending.lock().unwrap_or_else(|e| e.into_inner()).drain().collect();
        for chunk in ids.chunks(IDS_PER_NOTIFY) {
            let payload = format!("{instance}|{}", chunk.join(","));
            if let Err(err) = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(hub.db().pool()).await {
                // The other instances catch up at their next resync; log and go on.
                tracing::warn!(error = %err, "NOTIFY failed");
            }
        }
    }
}

/// How often every room is pumped even without a signal: a last line of defence that
/// bounds how long any missed signal can delay delivery.
const RESYNC_INTERVAL: Duration = Duration::from_secs(30);

async fn listen(pool: &PgPool) -> anyhow::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await.context("starting the listener")?;
    listener.listen(CHANNEL).await.context("LISTEN")?;
    Ok(listener)
}

/// A listening connection again, after `backoff`s that grow to [`MAX_BACKOFF`]; `None`
/// when the server stops first.
async fn relisten(pool: &PgPool, shutdown: &CancellationToken) -> Option<PgListener> {
    let mut backoff = Duration::from_millis(100);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return None,
            listening = listen(pool) => match listening {
                Ok(listener) => return Some(listener),
                Err(err) => tracing::warn!(error = format!("{err:#}"), retry_ms = backoff.as_millis() as u64, "listener cannot reconnect yet"),
            },
        }
        tokio::select! {
            _ = shutdown.cancelled() => return None,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// The longest pause between two attempts to listen again: a restarted database is
/// heard from within about this long.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

async fn run_listener(hub: Arc<Hub>, pool: PgPool, mut listener: PgListener, instance: String, shutdown: CancellationToken) {
    let mut resync = tokio::time::interval(RESYNC_INTERVAL);
    resync.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let next = tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = resync.tick() => { hub.resync_all(); continue; }
            next = listener.try_recv() => next,
        };
        match next {
            Ok(Some(notification)) => {
                let Some((from, ids)) = notification.payload().split_once('|') else {
                    continue;
                };
                if from == instance {
                    continue;
                }
                let mut joined = Vec::new();
                for id in ids.split(',') {
                    if let Some(user) = id.strip_prefix("u:") {
                        if let Ok(u) = user.parse::<UserId>() {
                            joined.push(u);
                        }
                    } else if let Ok(m) = id.parse() {
                        hub.news(m);
                    }
                }
                hub.memberships_changed(&joined);
            }
            lost => {
                if let Err(err) = lost {
                    tracing::warn!(error = %err, "listener connection failed; reconnecting");
                } else {
                    tracing::warn!("listener connection lost; reconnecting");
                }
                drop(listener);
                let started = std::time::Instant::now();
                listener = match relisten(&pool, &shutdown).await {
                    Some(listener) => listener,
                    None => return,
                };
                // Listening again; whatever was notified meanwhile is gone, so read
                // everything again now.
                tracing::info!(ms = started.elapsed().as_millis() as u64, "listener reconnected; resyncing from the database");
                hub.resync_all();
            }
        }
    }
}
