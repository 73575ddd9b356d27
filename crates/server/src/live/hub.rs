//! The in-process hub: rooms per mentorship, each with its subscribers and a pump
//! that reads new events from the database and fans them out.
//!
//! Reading from the database instead of passing events from the writer keeps one
//! path for everything — local writes, writes on other instances, a recovered listener
//! — and guarantees order: the pump delivers events strictly by sequence number, and
//! sequence order is commit order.

use crate::db::Db;
use crate::store;
use crate::store::mentorships::Window;
use mentorpost_model::api::EventView;
use mentorpost_model::{EventKind, MentorshipId, UserId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Events a pump reads per database round trip; well below a connection's queue
/// capacity, so a burst never fills the queue of a reader that keeps up.
const PUMP_BATCH: i64 = 128;

/// One event, serialised once for every connection that receives it.
#[derive(Clone, Debug)]
pub struct LiveEvent {
    pub mentorship: MentorshipId,
    pub seq: i64,
    /// The complete `{"type":"event",…}` frame.
    pub frame: Arc<str>,
    /// Set on `member.removed`: that person receives this event, then nothing more.
    pub removes: Option<UserId>,
}

/// What reaches a connection's queue. One pointer wide: every connection's queue
/// allocates its first block of slots when it opens, so the slot size is paid by
/// every idle socket (64-byte slots cost 2 KiB each).
#[derive(Clone, Debug)]
pub enum Outgoing {
    Event(Arc<LiveEvent>),
    /// The person was added to a mentorship: look up the subscriptions again.
    MembershipsChanged,
}

/// Why the hub asks a connection to close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eviction {
    /// Its queue overflowed: reconnect and resume.
    Lagging,
    /// Its login was revoked.
    LoginEnded,
}

/// A connection's handle as the hub sees it.
#[derive(Clone)]
pub struct Subscriber {
    pub conn: u64,
    pub user: UserId,
    pub session: String,
    pub tx: mpsc::Sender<Outgoing>,
    pub evict: Arc<Evict>,
}

/// A one-shot eviction signal with its reason.
#[derive(Default)]
pub struct Evict {
    token: CancellationToken,
    reason: Mutex<Option<Eviction>>,
}

impl Evict {
    pub fn fire(&self, why: Eviction) {
        let mut reason = self.reason.lock().unwrap_or_else(|e| e.into_inner());
        if reason.is_none() {
            *reason = Some(why);
        }
        self.token.cancel();
    }

    pub async fn fired(&self) -> Eviction {
        self.token.cancelled().await;
        self.reason.lock().unwrap_or_else(|e| e.into_inner()).unwrap_or(Eviction::Lagging)
    }
}

#[derive(Default)]
struct Room {
    subs: Vec<Subscriber>,
    /// Last sequence number fanned out (or known to be covered by subscribers' replay).
    delivered: i64,
    pumping: bool,
    /// News arrived while pumping: read once more before stopping.
    again: bool,
}

pub struct Hub {
    db: Db,
    rooms: Mutex<HashMap<MentorshipId, Room>>,
    /// Every connection per person, to tell them about new memberships.
    people: Mutex<HashMap<UserId, Vec<Subscriber>>>,
    next_conn: AtomicU64,
    /// Tells other instances (PostgreSQL only).
    notifier: Mutex<Option<crate::live::fanout::Notifier>>,
    tasks: TaskTracker,
}

impl Hub {
    pub fn new(db: Db) -> Arc<Hub> {
        Arc::new(Hub {
            db,
            rooms: Mutex::new(HashMap::new()),
            people: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(1),
            notifier: Mutex::new(None),
            tasks: TaskTracker::new(),
        })
    }

    fn rooms(&self) -> MutexGuard<'_, HashMap<MentorshipId, Room>> {
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_notifier(&self, notifier: crate::live::fanout::Notifier) {
        *self.notifier.lock().unwrap_or_else(|e| e.into_inner()) = Some(notifier);
    }

    pub fn next_conn_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// A write to `mentorship` committed on this instance: deliver it here and tell
    /// the other instances.
    pub fn committed(self: &Arc<Self>, mentorship: MentorshipId) {
        if let Some(n) = self.notifier.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            n.announce(mentorship);
        }
        self.news(mentorship);
    }

    /// An event committed on this instance, with its client payload: when it is the
    /// room's next one, it goes out from memory (no database read); otherwise (a pump
    /// runs, or something before it is not delivered yet) the pump delivers it in order.
    /// The other instances are told either way, with the frame when it fits a NOTIFY.
    pub fn committed_event(self: &Arc<Self>, event: &EventView) {
        let mentorship = event.mentorship_id;
        // The frame is serialised only when someone takes it: on a single instance
        // most posts go to a mentorship with no socket open here.
        let notifying = self.notifier.lock().unwrap_or_else(|e| e.into_inner()).is_some();
        if !notifying && !self.rooms().contains_key(&mentorship) {
            return;
        }
        let live = live_event(mentorship, event);
        if let Some(n) = self.notifier.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            match &live {
                Some(live) => n.announce_event(live),
                None => n.announce(mentorship),
            }
        }
        match live {
            Some(live) => self.deliver(live),
            None => self.news(mentorship),
        }
    }

    /// An event with its frame, committed here or on another instance (which sent the
    /// frame along): delivered from memory when it is the room's next one; otherwise
    /// the pump reads the room's events in order from the database.
    pub fn deliver(self: &Arc<Self>, live: LiveEvent) {
        let mentorship = live.mentorship;
        let mut rooms = self.rooms();
        let Some(room) = rooms.get_mut(&mentorship) else {
            return;
        };
        if room.pumping || live.seq != room.delivered + 1 {
            let behind = live.seq > room.delivered;
            drop(rooms);
            if behind {
                self.news(mentorship);
            }
            return;
        }
        offer(room, live);
    }

    /// Something may have been committed in `mentorship` (here or elsewhere): pump the
    /// room if anyone here listens.
    pub fn news(self: &Arc<Self>, mentorship: MentorshipId) {
        let mut rooms = self.rooms();
        let Some(room) = rooms.get_mut(&mentorship) else {
            return;
        };
        if room.pumping {
            room.again = true;
            return;
        }
        room.pumping = true;
        drop(rooms);
        let hub = self.clone();
        self.tasks.spawn(async move { hub.pump(mentorship).await });
    }

    /// Pumps every room: after a lost cross-instance signal, nothing may stay behind.
    pub fn resync_all(self: &Arc<Self>) {
        let ids: Vec<MentorshipId> = self.rooms().keys().copied().collect();
        for id in ids {
            self.news(id);
        }
    }

    async fn pump(self: Arc<Self>, mentorship: MentorshipId) {
        loop {
            let after = match self.rooms().get(&mentorship) {
                Some(room) => room.delivered,
                None => return,
            };
            let events = match store::events::list(self.db.pool(), mentorship, after, PUMP_BATCH, Window::default()).await {
                Ok(events) => events,
                Err(err) => {
                    tracing::warn!(%mentorship, error = %err, "reading events for live delivery failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    continue;
                }
            };
            let full_batch = events.len() as i64 == PUMP_BATCH;
            let mut rooms = self.rooms();
            let Some(room) = rooms.get_mut(&mentorship) else {
                return;
            };
            for event in events {
                if event.seq > room.delivered {
                    match live_event(mentorship, &event) {
                        Some(live) => offer(room, live),
                        // Said in the log; skipped rather than retried for ever.
                        None => room.delivered = event.seq,
                    }
                }
            }
            if full_batch {
                continue;
            }
            if room.again {
                room.again = false;
                continue;
            }
            room.pumping = false;
            if room.subs.is_empty() {
                rooms.remove(&mentorship);
            }
            return;
        }
    }

    /// Subscribes a connection to a mentorship. `known_seq` is a sequence number the
    /// caller will cover by replaying from the database, so the room need not.
    pub fn subscribe(self: &Arc<Self>, mentorship: MentorshipId, sub: Subscriber, known_seq: i64) {
        let mut rooms = self.rooms();
        let room = rooms.entry(mentorship).or_default();
        if room.subs.is_empty() && !room.pumping {
            room.delivered = room.delivered.max(known_seq);
        }
        room.subs.push(sub);
    }

    /// Registers a connection of a person (before its subscriptions are read, so a
    /// membership added meanwhile is not missed).
    pub fn register(&self, sub: Subscriber) {
        self.people.lock().unwrap_or_else(|e| e.into_inner()).entry(sub.user).or_default().push(sub);
    }

    /// `users` were added to a mentorship on this instance or another: their
    /// connections look up their subscriptions again.
    pub fn memberships_changed(&self, users: &[UserId]) {
        let people = self.people.lock().unwrap_or_else(|e| e.into_inner());
        for user in users {
            for sub in people.get(user).into_iter().flatten() {
                if let Err(mpsc::error::TrySendError::Full(_)) = sub.tx.try_send(Outgoing::MembershipsChanged) {
                    metrics::counter!("mentorpost_slow_reader_evictions_total").increment(1);
                    sub.evict.fire(Eviction::Lagging);
                }
            }
        }
    }

    /// Announces new memberships here and to the other instances.
    pub fn members_added(&self, users: &[UserId]) {
        if let Some(n) = self.notifier.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            for user in users {
                n.announce_member(*user);
            }
        }
        self.memberships_changed(users);
    }

    /// Removes a connection from every room.
    pub fn unsubscribe_all(&self, conn: u64) {
        {
            let mut people = self.people.lock().unwrap_or_else(|e| e.into_inner());
            people.retain(|_, subs| {
                subs.retain(|s| s.conn != conn);
                !subs.is_empty()
            });
        }
        let mut rooms = self.rooms();
        rooms.retain(|_, room| {
            room.subs.retain(|s| s.conn != conn);
            !room.subs.is_empty() || room.pumping
        });
    }

    /// Evicts the connections of revoked logins: every connection of the login, also
    /// one that follows no mentorship yet (it could join one later).
    pub fn end_logins(&self, sessions: &[String]) {
        if sessions.is_empty() {
            return;
        }
        for subs in self.people.lock().unwrap_or_else(|e| e.into_inner()).values() {
            for sub in subs {
                if sessions.contains(&sub.session) {
                    sub.evict.fire(Eviction::LoginEnded);
                }
            }
        }
    }

    /// Connections per room, for tests and metrics.
    pub fn subscriber_count(&self) -> usize {
        self.rooms().values().map(|r| r.subs.len()).sum()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Waits for running pumps (shutdown).
    pub async fn drain(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }
}

/// An event frame, serialised from a borrowed event: the same JSON as
/// `ServerFrame::Event`, without copying the event's payload first.
#[derive(serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum EventFrame<'a> {
    Event { event: &'a EventView },
}

/// `event` serialised once, for every connection that receives it (here, and on the
/// other instances when the NOTIFY carries it).
fn live_event(mentorship: MentorshipId, event: &EventView) -> Option<LiveEvent> {
    let removes = (event.kind == EventKind::MemberRemoved)
        .then(|| event.data.get("user_id").and_then(|v| v.as_str()).and_then(|s| s.parse().ok()))
        .flatten();
    match serde_json::to_string(&EventFrame::Event { event }) {
        Ok(text) => Some(LiveEvent { mentorship, seq: event.seq, frame: text.into(), removes }),
        Err(err) => {
            tracing::error!(error = %err, "serialising an event failed");
            None
        }
    }
}

/// Offers `live` to every subscriber of the room; a full queue evicts its connection
/// (it resumes later) instead of slowing the others.
fn offer(room: &mut Room, live: LiveEvent) {
    let (seq, removes) = (live.seq, live.removes);
    let live = Arc::new(live);
    metrics::counter!("mentorpost_events_fanned_out_total").increment(room.subs.len() as u64);
    room.subs.retain(|sub| {
        match sub.tx.try_send(Outgoing::Event(live.clone())) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                metrics::counter!("mentorpost_slow_reader_evictions_total").increment(1);
                sub.evict.fire(Eviction::Lagging);
                return false;
            }
            Err(mpsc::error::TrySendError::Closed(_)) => return false,
        }
        // A removed member gets the removal itself, then nothing more.
        removes != Some(sub.user)
    });
    room.delivered = seq;
}

/// The hub hears of every committed write (`db::publish`): new members' sockets follow
/// their new mentorships first, then each touched mentorship's events go out.
impl crate::db::Subscriber for Arc<Hub> {
    fn committed(&self, notes: &[crate::db::Note]) {
        use crate::db::Note;
        for note in notes {
            if let Note::Joined(users) = note {
                self.members_added(users);
            }
        }
        let mut touched: Vec<MentorshipId> = Vec::new();
        for note in notes {
            match note {
                Note::Message(event) => self.committed_event(event),
                Note::Events(mentorship) if !touched.contains(mentorship) => {
                    touched.push(*mentorship);
                    self.committed(*mentorship);
                }
                Note::Events(_) | Note::Joined(_) | Note::Mail(_) | Note::MailDue => {}
            }
        }
    }
}

#[cfg(test)]
mod frame_tests {
    use super::*;

    /// Every socket's queue allocates a block of 32 slots up front: keep a slot one
    /// pointer wide.
    #[test]
    fn a_queued_event_is_one_pointer() {
        assert_eq!(std::mem::size_of::<Outgoing>(), std::mem::size_of::<usize>());
    }

    /// The borrowed frame is byte for byte the protocol's `event` frame.
    #[test]
    fn event_frames_are_the_protocols() {
        let event: EventView = serde_json::from_value(serde_json::json!({
            "mentorship_id": uuid::Uuid::now_v7(), "seq": 7, "kind": "message.created",
            "at": "2026-12-06T20:00:00Z", "actor_id": null,
            "data": {"message": {"body": "Dziękuję, tot dinsdag!", "seq": 7}, "thread_subject": "Çağrı's vraag"}
        }))
        .expect("event");
        let borrowed = serde_json::to_string(&EventFrame::Event { event: &event }).expect("borrowed");
        let owned = serde_json::to_string(&mentorpost_model::ws::ServerFrame::Event { event }).expect("owned");
        assert_eq!(borrowed, owned);
    }
}
