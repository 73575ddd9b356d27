//! One WebSocket connection: authenticate (ticket or `auth` frame), `hello` with
//! cursors, replay from the database, `live`, then stream events as they commit.
//!
//! Subscribing happens before the backlog is read, so nothing can fall between the
//! replay and the live stream; events the replay already covered are skipped by
//! sequence number. One `select!` loop serves the socket: client frames, queued
//! events, heartbeats, eviction and server shutdown.
//!
//! A close is sent and then lingered on: the server shuts down its sending side and
//! reads on (discarding) for a moment before dropping the connection. Dropping a
//! socket with unread data in it (say the pong of a reader that was cut off while not
//! reading) makes the kernel send a reset, and a reset throws away whatever the peer
//! has not read yet — the close frame included, so the peer would see 1006.

use super::hub::{Evict, Eviction, Outgoing, Subscriber};
use crate::state::AppState;
use crate::store;
use crate::store::mentorships::{ActiveMembership, Window};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use mentorpost_model::ws::{ClientFrame, PROTOCOL_VERSION, ServerFrame, Subscription, close};
use mentorpost_model::{MentorshipId, UserId};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Events queued per connection before it counts as lagging and is told to resume.
/// Well above the pump's batch, so one burst never evicts a reader that keeps up.
pub const QUEUE_CAPACITY: usize = 512;
/// Heartbeat: a ping this often…
const PING_EVERY: Duration = Duration::from_secs(15);
/// …and a peer silent for this long is dead (so it is dropped within 60 s).
const SILENCE_LIMIT: Duration = Duration::from_secs(45);
/// A socket opened without a ticket must authenticate within this time.
const AUTH_DEADLINE: Duration = Duration::from_secs(10);
/// Replay page size.
const REPLAY_PAGE: i64 = 500;
/// After a close: how long the server reads on before it drops the connection.
const LINGER: Duration = Duration::from_secs(2);

/// Who the socket belongs to, when the ticket already said so.
pub struct Authenticated {
    pub user: UserId,
    pub session: String,
}

/// A server-side WebSocket over the upgraded HTTP connection.
pub type WebSocket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;
type Sink = SplitSink<WebSocket, Message>;
type Stream = SplitStream<WebSocket>;

enum End {
    /// The server closes with this code and reason.
    Close(u16, &'static str),
    /// The client sent a close frame: answer it.
    PeerClosed,
    /// The connection is gone or dead: nothing to say.
    Gone,
}

pub async fn serve(socket: WebSocket, state: AppState, auth: Option<Authenticated>) {
    let (mut sink, mut stream) = socket.split();
    let end = match run(&mut sink, &mut stream, &state, auth).await {
        Ok(end) => end,
        Err(err) => {
            tracing::debug!(error = %err, "websocket ended with an error");
            End::Gone
        }
    };
    match end {
        End::Close(code, reason) => {
            let frame = CloseFrame { code: CloseCode::from(code), reason: Utf8Bytes::from_static(reason) };
            // A peer told to resume because it fell behind is, by definition, not reading
            // right now: keep the close frame pending as long as a silent peer is kept (its
            // queue and subscriptions are gone already), so it learns why when it reads
            // again. When the server shuts down, 2 s at most.
            let stopping = async {
                state.shutdown.cancelled().await;
                tokio::time::sleep(Duration::from_secs(2)).await;
            };
            let sent = tokio::time::timeout(SILENCE_LIMIT, async {
                tokio::select! {
                    sent = sink.send(Message::Close(Some(frame))) => sent.is_ok(),
                    _ = stopping => false,
                }
            })
            .await
            .unwrap_or(false);
            if sent {
                linger(sink, stream).await;
            }
        }
        End::PeerClosed => {
            // tungstenite queued the answering close frame when it read the peer's;
            // closing the sink sends it.
            if tokio::time::timeout(LINGER, sink.close()).await.is_ok_and(|closed| closed.is_ok()) {
                linger(sink, stream).await;
            }
        }
        End::Gone => {}
    }
}

/// After the close frame: end our sending side (the peer reads everything up to the
/// close frame, then the end) and read on, discarding, until the peer closes its side
/// or [`LINGER`] is up, so nothing unread is left when the connection is dropped.
async fn linger(sink: Sink, stream: Stream) {
    let Ok(mut socket) = sink.reunite(stream) else { return };
    let io = socket.get_mut();
    let _ = tokio::time::timeout(LINGER, async {
        if io.shutdown().await.is_err() {
            return;
        }
        // On the heap: an array here would sit in every socket's task for its whole
        // life (a task is as large as the largest state it can reach).
        let mut discard = vec![0u8; 4096];
        while let Ok(1..) = io.read(&mut discard).await {}
    })
    .await;
}

async fn send_frame(sink: &mut Sink, frame: &ServerFrame) -> anyhow::Result<()> {
    sink.send(Message::Text(serde_json::to_string(frame)?.into())).await?;
    Ok(())
}

async fn send_error(sink: &mut Sink, code: &str, message: &str) {
    let _ = send_frame(sink, &ServerFrame::Error { code: code.into(), message: message.into() }).await;
}

/// Reads the next text frame as a [`ClientFrame`]; answers pings on the way.
async fn next_client_frame(stream: &mut Stream) -> Result<ClientFrame, End> {
    loop {
        match stream.next().await {
            None | Some(Err(_)) => return Err(End::Gone),
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(&text).map_err(|_| End::Close(close::PROTOCOL_ERROR, "not a protocol frame"));
            }
            Some(Ok(Message::Close(_))) => return Err(End::PeerClosed),
            Some(Ok(Message::Binary(_))) => {
                return Err(End::Close(close::PROTOCOL_ERROR, "text frames only"));
            }
            Some(Ok(_)) => continue,
        }
    }
}

async fn run(sink: &mut Sink, stream: &mut Stream, state: &AppState, auth: Option<Authenticated>) -> anyhow::Result<End> {
    // 1. Who is this?
    let mut token_exp: Option<i64> = None;
    let who = match auth {
        Some(a) => a,
        None => {
            // A server beginning to stop tells a socket still authenticating to resume.
            let first = tokio::select! {
                biased;
                _ = state.shutdown.cancelled() => return Ok(End::Close(close::RESUME, "server restarting; reconnect and resume")),
                first = tokio::time::timeout(AUTH_DEADLINE, next_client_frame(stream)) => first,
            };
            let token = match first {
                Ok(Ok(ClientFrame::Auth { token })) => token,
                Ok(Err(end @ (End::PeerClosed | End::Gone))) => return Ok(end),
                _ => {
                    send_error(sink, "unauthenticated", "send a ticket in the URL or an auth frame first").await;
                    return Ok(End::Close(close::UNAUTHENTICATED, "unauthenticated"));
                }
            };
            match state.jwt.verify(&token, state.clock.now()) {
                Ok(claims) if Box::pin(store::sessions::is_active(state.db.pool(), &claims.sid)).await.unwrap_or(false) => {
                    match claims.sub.parse() {
                        Ok(user) => {
                            token_exp = Some(claims.exp);
                            Authenticated { user, session: claims.sid }
                        }
                        Err(_) => return Ok(End::Close(close::UNAUTHENTICATED, "unauthenticated")),
                    }
                }
                _ => {
                    send_error(sink, "unauthenticated", "the access token is not valid").await;
                    return Ok(End::Close(close::UNAUTHENTICATED, "unauthenticated"));
                }
            }
        }
    };

    // 2. hello
    let cursors_in = loop {
        // Waiting for hello must not hold up shutdown (shutdown waits for every socket).
        let next = tokio::select! {
            biased;
            _ = state.shutdown.cancelled() => return Ok(End::Close(close::RESUME, "server restarting; reconnect and resume")),
            next = next_client_frame(stream) => next,
        };
        match next {
            Ok(ClientFrame::Hello { protocol, cursors }) => {
                if protocol != PROTOCOL_VERSION {
                    send_error(sink, "upgrade_required", &format!("this server speaks protocol {PROTOCOL_VERSION}")).await;
                    return Ok(End::Close(close::UPGRADE_REQUIRED, "upgrade required"));
                }
                break cursors;
            }
            Ok(ClientFrame::Auth { .. }) => continue,
            Err(end) => return Ok(end),
        }
    };

    // 3. Subscribe first, then read the backlog.
    let hub = state.hub.clone();
    let conn = hub.next_conn_id();
    let (tx, mut rx) = mpsc::channel::<Outgoing>(QUEUE_CAPACITY);
    let evict = Arc::new(Evict::default());
    let me = Subscriber { conn, user: who.user, session: who.session.clone(), tx, evict: evict.clone() };
    hub.register(me.clone());
    let subscriptions = Box::pin(store::mentorships::active_subscriptions(state.db.pool(), who.user)).await?;
    for m in &subscriptions {
        hub.subscribe(m.mentorship, me.clone(), m.last_seq);
    }
    // Eviction and shutdown also end a connection whose send is blocked on a peer that
    // stopped reading (during the hello, the replay or a ping), not only between events.
    let result = tokio::select! {
        biased;
        result = stream_events(sink, stream, state, &who, &me, &subscriptions, cursors_in, &mut rx, &evict, token_exp) => result,
        why = evict.fired() => Ok(match why {
            Eviction::Lagging => End::Close(close::RESUME, "too slow; reconnect and resume"),
            Eviction::LoginEnded => End::Close(close::LOGIN_ENDED, "login ended"),
        }),
        _ = state.shutdown.cancelled() => Ok(End::Close(close::RESUME, "server restarting; reconnect and resume")),
    };
    hub.unsubscribe_all(conn);
    result
}

#[allow(clippy::too_many_arguments)]
async fn stream_events(
    sink: &mut Sink,
    stream: &mut Stream,
    state: &AppState,
    who: &Authenticated,
    me: &Subscriber,
    subscriptions: &[ActiveMembership],
    cursors_in: BTreeMap<MentorshipId, i64>,
    rx: &mut mpsc::Receiver<Outgoing>,
    evict: &Evict,
    mut token_exp: Option<i64>,
) -> anyhow::Result<End> {
    let subs: Vec<Subscription> =
        subscriptions.iter().map(|m| Subscription { mentorship_id: m.mentorship, last_seq: m.last_seq }).collect();
    send_frame(sink, &ServerFrame::Hello { protocol: PROTOCOL_VERSION, user_id: who.user, subscriptions: subs }).await?;

    // Mentorships with threads from before this person joined: their events are read
    // through the window instead of sent from the shared frame.
    let mut windows: HashMap<MentorshipId, Window> = subscriptions.iter().filter_map(|m| Some((m.mentorship, m.window?))).collect();
    // Replay: everything after each cursor the client sent, up to now.
    let mut cursors: HashMap<MentorshipId, i64> = HashMap::new();
    for m in subscriptions {
        match cursors_in.get(&m.mentorship) {
            Some(&from) => {
                let reached = Box::pin(replay(sink, state, m.mentorship, from.max(0), None, m.window)).await?;
                cursors.insert(m.mentorship, reached);
            }
            None => {
                cursors.insert(m.mentorship, m.last_seq);
            }
        }
    }
    send_frame(sink, &ServerFrame::Live { cursors: cursors.iter().map(|(k, v)| (*k, *v)).collect() }).await?;

    // Rare steps (a replay, a membership change, a login check) run boxed below: an
    // idle socket's task is as large as the largest step its loop awaits inline.
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut last_heard = Instant::now();
    let shutdown = state.shutdown.clone();
    loop {
        let exp_in = token_exp.map(|exp| Duration::from_millis(((exp * 1000) - state.clock.now().timestamp_millis()).max(0) as u64));
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => return Ok(End::Close(close::RESUME, "server restarting; reconnect and resume")),
            why = evict.fired() => {
                return Ok(match why {
                    Eviction::Lagging => End::Close(close::RESUME, "too slow; reconnect and resume"),
                    Eviction::LoginEnded => End::Close(close::LOGIN_ENDED, "login ended"),
                });
            }
            _ = async { match exp_in { Some(d) => tokio::time::sleep(d).await, None => std::future::pending().await } } => {
                return Ok(End::Close(close::LOGIN_ENDED, "access token expired; send a fresh auth frame before expiry"));
            }
            incoming = stream.next() => {
                last_heard = Instant::now();
                match incoming {
                    None | Some(Err(_)) => return Ok(End::Gone),
                    Some(Ok(Message::Close(_))) => return Ok(End::PeerClosed),
                    Some(Ok(Message::Text(text))) => match serde_json::from_str::<ClientFrame>(&text) {
                        Ok(ClientFrame::Auth { token }) => match state.jwt.verify(&token, state.clock.now()) {
                            // A fresh token of the same, still active login extends the socket.
                            Ok(claims)
                                if claims.sub == who.user.to_string()
                                    && claims.sid == who.session
                                    && Box::pin(store::sessions::is_active(state.db.pool(), &claims.sid)).await.unwrap_or(false) =>
                            {
                                token_exp = token_exp.map(|_| claims.exp)
                            }
                            _ => return Ok(End::Close(close::LOGIN_ENDED, "the new access token is not valid")),
                        },
                        Ok(ClientFrame::Hello { .. }) => return Ok(End::Close(close::PROTOCOL_ERROR, "hello was already sent")),
                        Err(_) => return Ok(End::Close(close::PROTOCOL_ERROR, "not a protocol frame")),
                    },
                    Some(Ok(Message::Binary(_))) => return Ok(End::Close(close::PROTOCOL_ERROR, "binary frames are not part of the protocol")),
                    // Pings are answered by tungstenite; pongs only prove the peer is there.
                    Some(Ok(_)) => {}
                }
            }
            outgoing = rx.recv() => {
                let event = match outgoing {
                    None => return Ok(End::Close(close::RESUME, "reconnect and resume")),
                    Some(Outgoing::MembershipsChanged) => {
                        // A revoked login never joins anything new, even before the
                        // revocation watcher has closed its socket.
                        if !Box::pin(store::sessions::is_active(state.db.pool(), &who.session)).await? {
                            return Ok(End::Close(close::LOGIN_ENDED, "login ended"));
                        }
                        Box::pin(join_new_mentorships(sink, state, me, &mut cursors, &mut windows)).await?;
                        continue;
                    }
                    Some(Outgoing::Event(event)) => event,
                };
                let Some(cursor) = cursors.get(&event.mentorship).copied() else { continue };
                if event.seq <= cursor {
                    continue;
                }
                let window = windows.get(&event.mentorship).copied();
                if window.is_some() {
                    // The shared frame may be about a thread this person may not see:
                    // read this stretch through their window instead.
                    let reached = Box::pin(replay(sink, state, event.mentorship, cursor, Some(event.seq), window)).await?;
                    cursors.insert(event.mentorship, reached);
                    if event.removes == Some(who.user) {
                        cursors.remove(&event.mentorship);
                        windows.remove(&event.mentorship);
                    }
                    continue;
                }
                let mut reached = cursor;
                if event.seq > cursor + 1 {
                    // Should not happen (the hub delivers in order), but never skip: fill
                    // the gap from the database.
                    reached = Box::pin(replay(sink, state, event.mentorship, cursor, Some(event.seq - 1), None)).await?;
                }
                if event.seq == reached + 1 {
                    tokio::select! {
                        sent = sink.send(Message::Text(Utf8Bytes::from(event.frame.as_ref()))) => sent?,
                        why = evict.fired() => {
                            return Ok(match why {
                                Eviction::Lagging => End::Close(close::RESUME, "too slow; reconnect and resume"),
                                Eviction::LoginEnded => End::Close(close::LOGIN_ENDED, "login ended"),
                            });
                        }
                    }
                    cursors.insert(event.mentorship, event.seq);
                }
                if event.removes == Some(who.user) {
                    cursors.remove(&event.mentorship);
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > SILENCE_LIMIT {
                    return Ok(End::Gone);
                }
                // A peer that stopped reading can leave this send pending forever; it
                // gets as long as a silent peer does.
                match tokio::time::timeout(SILENCE_LIMIT, sink.send(Message::Ping(Default::default()))).await {
                    Ok(sent) => sent?,
                    Err(_) => return Ok(End::Gone),
                }
            }
        }
    }
}

/// After a membership was added: subscribe to mentorships not yet followed and send
/// their events from the person's own `member.added` on.
async fn join_new_mentorships(
    sink: &mut Sink,
    state: &AppState,
    me: &Subscriber,
    cursors: &mut HashMap<MentorshipId, i64>,
    windows: &mut HashMap<MentorshipId, Window>,
) -> anyhow::Result<()> {
    let now = store::mentorships::active_subscriptions(state.db.pool(), me.user).await?;
    for m in now {
        if cursors.contains_key(&m.mentorship) {
            continue;
        }
        if let Some(window) = m.window {
            windows.insert(m.mentorship, window);
        }
        state.hub.subscribe(m.mentorship, me.clone(), m.last_seq);
        let from = store::events::joined_at_seq(state.db.pool(), m.mentorship, me.user).await?.map(|s| s - 1).unwrap_or(m.last_seq);
        let reached = replay(sink, state, m.mentorship, from, None, m.window).await?;
        cursors.insert(m.mentorship, reached);
    }
    Ok(())
}

/// Sends the events of `mentorship` after `after` (up to `until`, inclusive) that
/// `window` lets this person see, and returns the sequence number the connection has
/// now covered: the last one sent, or — when a window hides events — the end of the
/// stretch read, so hidden events never look like a gap.
async fn replay(
    sink: &mut Sink,
    state: &AppState,
    mentorship: MentorshipId,
    after: i64,
    until: Option<i64>,
    window: Option<Window>,
) -> anyhow::Result<i64> {
    let covered = match (window, until) {
        (None, _) => after,
        (Some(_), Some(until)) => until,
        // Read before the events: everything up to it has committed.
        (Some(_), None) => store::events::last_seq(state.db.pool(), mentorship).await.map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let mut cursor = after;
    loop {
        let events = store::events::list(state.db.pool(), mentorship, cursor, REPLAY_PAGE, window.unwrap_or_default())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let n = events.len() as i64;
        for event in events {
            if until.is_some_and(|u| event.seq > u) {
                return Ok(cursor.max(covered));
            }
            cursor = event.seq;
            send_frame(sink, &ServerFrame::Event { event }).await?;
        }
        if n < REPLAY_PAGE {
            return Ok(cursor.max(covered));
        }
    }
}
