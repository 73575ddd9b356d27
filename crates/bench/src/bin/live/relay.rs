//! The floor: the least a server can do for the same fan-out. Same HTTP and WebSocket
//! stack as mentorpost (axum 0.8 over hyper and tokio-tungstenite, same socket buffer
//! settings, a multi-threaded tokio runtime in its own process), but no authentication,
//! no storage and no JSON parsing.
//!
//! - `GET /ws?room=K` opens a socket in room K; the relay answers `{"type":"live"}` once
//!   the socket is registered.
//! - `POST /rooms/K/messages` wraps the posted body into an event frame once and offers
//!   it to every socket of room K with `try_send` on a bounded queue (256, as the real
//!   hub does), then answers 201 with the body.
//!
//! It runs as its own process: this same executable with `--relay-listen` ([`Relay`]).

use anyhow::Context;
use axum::Router;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// The floor relay: this same executable started with `--relay-listen`.
pub struct Relay {
    child: Child,
    pub base: String,
}

impl Relay {
    pub fn start() -> anyhow::Result<Relay> {
        let exe = std::env::current_exe().context("locating this executable")?;
        let mut child = Command::new(exe)
            .args(["--relay-listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting the floor relay")?;
        let stdout = child.stdout.take().context("relay stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).context("reading the relay's address")?;
        let addr = line.trim().strip_prefix("LISTEN ").with_context(|| format!("unexpected relay output {line:?}"))?.to_owned();
        Ok(Relay { child, base: format!("http://{addr}") })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Subscribers = Vec<(u64, mpsc::Sender<Arc<str>>)>;

#[derive(Default)]
struct Rooms {
    rooms: Mutex<HashMap<u32, Subscribers>>,
    next: AtomicU64,
}

#[derive(serde::Deserialize)]
struct RoomQuery {
    room: u32,
}

/// Runs the relay until killed. Prints `LISTEN <addr>` on stdout once listening.
pub fn main(listen: SocketAddr) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let state = Arc::new(Rooms::default());
        let app = Router::new().route("/ws", get(upgrade)).route("/rooms/{room}/messages", post(publish)).with_state(state);
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let mut out = std::io::stdout();
        writeln!(out, "LISTEN {}", listener.local_addr()?)?;
        out.flush()?;
        axum::serve(listener, app).await?;
        anyhow::Ok(())
    })
}

async fn upgrade(State(state): State<Arc<Rooms>>, Query(q): Query<RoomQuery>, ws: WebSocketUpgrade) -> Response {
    ws.read_buffer_size(4096)
        .write_buffer_size(0)
        .max_write_buffer_size(4 * 1024 * 1024)
        .max_message_size(64 * 1024)
        .on_upgrade(move |socket| serve(socket, state, q.room))
}

async fn serve(socket: WebSocket, state: Arc<Rooms>, room: u32) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<Arc<str>>(256);
    let id = state.next.fetch_add(1, Ordering::Relaxed);
    state.rooms.lock().unwrap_or_else(|e| e.into_inner()).entry(room).or_default().push((id, tx));
    if sink.send(Message::Text(Utf8Bytes::from_static(r#"{"type":"live"}"#))).await.is_ok() {
        loop {
            tokio::select! {
                frame = rx.recv() => {
                    let Some(frame) = frame else { break };
                    if sink.send(Message::Text(Utf8Bytes::from(frame.as_ref()))).await.is_err() {
                        break;
                    }
                }
                incoming = stream.next() => match incoming {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                    Some(Ok(_)) => {}
                },
            }
        }
    }
    let mut rooms = state.rooms.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(subs) = rooms.get_mut(&room) {
        subs.retain(|(s, _)| *s != id);
        if subs.is_empty() {
            rooms.remove(&room);
        }
    }
}

async fn publish(State(state): State<Arc<Rooms>>, Path(room): Path<u32>, body: String) -> (StatusCode, String) {
    let frame: Arc<str> = format!(r#"{{"type":"event","event":{{"room":{room},"data":{{"message":{body}}}}}}}"#).into();
    if let Some(subs) = state.rooms.lock().unwrap_or_else(|e| e.into_inner()).get_mut(&room) {
        // A full queue drops that socket, as the real hub evicts a lagging one.
        subs.retain(|(_, tx)| tx.try_send(frame.clone()).is_ok());
    }
    (StatusCode::CREATED, body)
}
