//! Fan-out between instances on one PostgreSQL: `NOTIFY` carrying mentorship ids only.
//!
//! Why batched: PostgreSQL takes a global lock when a notifying transaction commits and
//! collapses beyond a few hundred notifying commits per second when many transactions
//! notify at once. So writes never notify
//! inside their own transaction; the [`Notifier`] collects the ids of mentorships that
//! changed and sends at most one `pg_notify` per [`MIN_GAP`]. News after a quiet spell
//! goes out at once (most mentoring traffic is one message at a time, and waiting for
//! company it never gets only delays it); news within the gap after a NOTIFY waits for
//! the gap's end and goes out with whatever else came meanwhile.
//!
//! The NOTIFY says "mentorship M has news", and carries the news itself where it fits
//! (a payload holds at most 8000 bytes): each new message's event frame, as the local
//! sockets got it. A receiving instance sends such a frame to its sockets from memory
//! when it is the room's next event, exactly as for a local commit, and reads the
//! room from the database otherwise (a gap, a frame that did not fit, events that are
//! not messages), which stays the source of truth. See [`payloads`] for the format.
//!
//! A lost listener connection is noticed (`try_recv` reports it) and re-established
//! here, then every room is pumped from the database: LISTEN first, read second, so
//! nothing sent while it was down is lost, however long the database was away.

use crate::live::Hub;
use crate::live::hub::LiveEvent;
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
/// The least time between two NOTIFYs of one instance: at most 1,000 a second, one
/// after the other from the one notifier task, so an instance's notifying commits
/// never queue on PostgreSQL's notify lock behind each other.
const MIN_GAP: Duration = Duration::from_millis(1);
/// PostgreSQL payloads are limited to 8000 bytes (a little less, to be safe).
const MAX_PAYLOAD: usize = 7900;
/// An event line longer than this goes as its mentorship's id only: one long message
/// must not push the others out.
const MAX_EVENT_LINE: usize = 4000;
/// Application name of the listener's connection (visible in `pg_stat_activity`).
pub const LISTENER_APP_NAME: &str = "mentorpost-listener";

/// Collects changed mentorships and notifies the other instances in batches.
#[derive(Clone)]
pub struct Notifier {
    pending: Arc<Mutex<Pending>>,
    wake: Arc<Notify>,
}

/// What the next NOTIFY says: ids of mentorships (and `u:` people), and frames.
#[derive(Default)]
struct Pending {
    ids: HashSet<String>,
    events: Vec<LiveEvent>,
}

impl Notifier {
    /// "Mentorship M has news."
    pub fn announce(&self, mentorship: MentorshipId) {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).ids.insert(mentorship.to_string());
        self.wake.notify_one();
    }

    /// "Mentorship M has this news": the event's frame travels along where it fits.
    pub fn announce_event(&self, event: &LiveEvent) {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).events.push(event.clone());
        self.wake.notify_one();
    }

    /// "Person U joined a mentorship" (their sockets subscribe to it).
    pub fn announce_member(&self, user: UserId) {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).ids.insert(format!("u:{user}"));
        self.wake.notify_one();
    }
}

/// The NOTIFY payloads for one flush, each at most [`MAX_PAYLOAD`] bytes:
/// `<instance>|<id>,<id>,…,` — every mentorship (or `u:` person) the payload has news
/// of, each followed by a comma — then one line per event frame it carries,
/// `\n<mentorship> <seq> <removed user or -> <frame>`, in commit order. The head alone
/// is the older format (ids only), so an instance that knows no frames still hears of
/// every mentorship.
fn payloads(instance: &str, ids: HashSet<String>, events: Vec<LiveEvent>) -> Vec<String> {
    let mut out = Vec::new();
    let (mut head, mut lines) = (String::new(), String::new());
    let mut listed: HashSet<String> = HashSet::new();
    let flush = |head: &mut String, lines: &mut String, listed: &mut HashSet<String>, out: &mut Vec<String>| {
        if !head.is_empty() {
            out.push(format!("{instance}|{head}{lines}"));
        }
        head.clear();
        lines.clear();
        listed.clear();
    };
    let room = |head: &str, lines: &str, more: usize| instance.len() + 1 + head.len() + lines.len() + more <= MAX_PAYLOAD;
    for event in events {
        let id = event.mentorship.to_string();
        let removes = event.removes.map_or_else(|| "-".to_owned(), |u| u.to_string());
        let line = format!("\n{id} {} {removes} {}", event.seq, event.frame);
        let line = if line.len() <= MAX_EVENT_LINE { line } else { String::new() };
        let id_cost = if listed.contains(&id) { 0 } else { id.len() + 1 };
        if !room(&head, &lines, id_cost + line.len()) {
            flush(&mut head, &mut lines, &mut listed, &mut out);
        }
        if listed.insert(id.clone()) {
            head.push_str(&id);
            head.push(',');
        }
        lines.push_str(&line);
    }
    for id in ids {
        if listed.contains(&id) {
            continue;
        }
        if !room(&head, &lines, id.len() + 1) {
            flush(&mut head, &mut lines, &mut listed, &mut out);
        }
        listed.insert(id.clone());
        head.push_str(&id);
        head.push(',');
    }
    flush(&mut head, &mut lines, &mut listed, &mut out);
    out
}

/// What a NOTIFY payload says (see [`payloads`]): the sending instance, the ids it has
/// news of, and the event frames it carries. `None` for a payload of another shape.
fn parse_payload(payload: &str) -> Option<(&str, Vec<&str>, Vec<LiveEvent>)> {
    let (head, lines) = payload.split_once('\n').unwrap_or((payload, ""));
    let (from, ids) = head.split_once('|')?;
    let ids = ids.split(',').filter(|id| !id.is_empty()).collect();
    let mut events = Vec::new();
    for line in lines.split('\n') {
        let mut parts = line.splitn(4, ' ');
        let (Some(mentorship), Some(seq), Some(removes), Some(frame)) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(mentorship), Ok(seq)) = (mentorship.parse(), seq.parse()) else { continue };
        let removes = if removes == "-" { None } else { removes.parse().ok() };
        events.push(LiveEvent { mentorship, seq, frame: frame.into(), removes });
    }
    Some((from, ids, events))
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
    let mut last_sent: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            _ = notifier.wake.notified() => {}
            _ = shutdown.cancelled() => return,
        }
        if let Some(at) = last_sent
            && at.elapsed() < MIN_GAP
        {
            tokio::time::sleep_until(at + MIN_GAP).await;
        }
        last_sent = Some(tokio::time::Instant::now());
        let Pending { ids, events } = std::mem::take(&mut *notifier.pending.lock().unwrap_or_else(|e| e.into_inner()));
        for payload in payloads(&instance, ids, events) {
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
                let Some((from, ids, events)) = parse_payload(notification.payload()) else {
                    continue;
                };
                if from == instance {
                    continue;
                }
                let mut joined = Vec::new();
                // News of a mentorship whose frames came along is those frames.
                let carried: HashSet<MentorshipId> = events.iter().map(|e| e.mentorship).collect();
                for event in events {
                    hub.deliver(event);
                }
                for id in ids {
                    if let Some(user) = id.strip_prefix("u:") {
                        if let Ok(u) = user.parse::<UserId>() {
                            joined.push(u);
                        }
                    } else if let Ok(m) = id.parse()
                        && !carried.contains(&m)
                    {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn event(mentorship: MentorshipId, seq: i64, body: &str) -> LiveEvent {
        let frame = serde_json::json!({"type": "event", "event": {"mentorship_id": mentorship, "seq": seq, "data": {"body": body}}});
        LiveEvent { mentorship, seq, frame: frame.to_string().into(), removes: None }
    }

    #[test]
    fn frames_travel_with_their_ids_and_come_back_as_sent() {
        let (a, b) = (MentorshipId::new(), MentorshipId::new());
        let gone = UserId::new();
        let mut removal = event(b, 4, "");
        removal.removes = Some(gone);
        let events = vec![event(a, 7, "Dziękuję, do wtorku!\nZ pozdrowieniami"), removal, event(a, 8, "Çağrı, tot dan")];
        let member = format!("u:{}", UserId::new());
        let ids: HashSet<String> = [a.to_string(), member.clone()].into_iter().collect();
        let sent = payloads("inst-1", ids, events.clone());
        assert_eq!(sent.len(), 1);
        let (from, ids, got) = parse_payload(&sent[0]).expect("parses");
        assert_eq!(from, "inst-1");
        let mut ids: Vec<String> = ids.into_iter().map(str::to_owned).collect();
        ids.sort();
        let mut want = vec![a.to_string(), b.to_string(), member];
        want.sort();
        assert_eq!(ids, want, "each id once");
        assert_eq!(got.len(), 3);
        for (g, e) in got.iter().zip(&events) {
            assert_eq!((g.mentorship, g.seq, g.removes, &*g.frame), (e.mentorship, e.seq, e.removes, &*e.frame));
        }
    }

    /// An instance that knows only ids (`<instance>|<id>,<id>`) still hears of every
    /// mentorship: the frames come after the last comma.
    #[test]
    fn the_head_is_the_ids_only_format() {
        let (a, b) = (MentorshipId::new(), MentorshipId::new());
        let sent = payloads("inst-1", [b.to_string()].into_iter().collect(), vec![event(a, 1, "hallo, daar")]);
        let (_, rest) = sent[0].split_once('|').expect("head");
        let heard: HashSet<MentorshipId> = rest.split(',').filter_map(|id| id.parse().ok()).collect();
        assert_eq!(heard, [a, b].into_iter().collect());
    }

    #[test]
    fn payloads_stay_under_the_limit_and_large_frames_go_as_ids() {
        let rooms: Vec<MentorshipId> = (0..40).map(|_| MentorshipId::new()).collect();
        let mut events: Vec<LiveEvent> = (0..200).map(|i| event(rooms[i % rooms.len()], i as i64, &"ż".repeat(300))).collect();
        let big = MentorshipId::new();
        events.push(event(big, 1, &"x".repeat(6000)));
        let ids: HashSet<String> = (0..300).map(|_| MentorshipId::new().to_string()).collect();
        let sent = payloads("inst-1", ids.clone(), events);
        assert!(sent.len() > 1);
        let (mut frames, mut heard) = (0, HashSet::new());
        for p in &sent {
            assert!(p.len() <= MAX_PAYLOAD, "{} bytes", p.len());
            let (_, ids, got) = parse_payload(p).expect("parses");
            heard.extend(ids.into_iter().map(str::to_owned));
            assert!(got.iter().all(|e| e.mentorship != big), "the large frame does not travel");
            frames += got.len();
        }
        assert_eq!(frames, 200);
        assert!(heard.contains(&big.to_string()), "its mentorship is still named");
        assert!(ids.iter().all(|id| heard.contains(id)));
    }
}
