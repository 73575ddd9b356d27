//! The bench's sockets: opening them on the real server (ticket → upgrade → `hello` →
//! wait for `live`) or on the floor relay, and one reader task per socket that stamps
//! the arrival time of every message it sees into the [`Recorder`].
//!
//! Messages are recognised by their `client_msg_id`, `lv<phase>x<index>`, which both
//! servers carry verbatim in the frame; the index gives the scheduled send time.

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use mentorpost_model::ws::{ClientFrame, PROTOCOL_VERSION};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Arrival and send times of one measured phase, in ns since the recorder's epoch
/// (0 = not yet).
pub struct PhaseRec {
    pub n: usize,
    /// Scheduled time of message 0; message i is due at `start + i / rate`.
    pub start_ns: AtomicU64,
    /// Arrival on the mentee's socket (the other member: what the contract measures).
    pub recv: Vec<AtomicU64>,
    /// Arrival on the mentor's own socket (the poster's other devices see this).
    pub echo: Vec<AtomicU64>,
    /// When the POST actually started.
    pub sent: Vec<AtomicU64>,
    /// When the POST's response was complete (201 only).
    pub done: Vec<AtomicU64>,
    pub duplicates: AtomicU64,
    pub post_errors: AtomicU64,
    pub first_error: Mutex<Option<String>>,
    /// POSTs started and not yet answered.
    pub outstanding: AtomicU64,
}

impl PhaseRec {
    fn new(n: usize) -> PhaseRec {
        let zeros = || (0..n).map(|_| AtomicU64::new(0)).collect::<Vec<_>>();
        PhaseRec {
            n,
            start_ns: AtomicU64::new(0),
            recv: zeros(),
            echo: zeros(),
            sent: zeros(),
            done: zeros(),
            duplicates: AtomicU64::new(0),
            post_errors: AtomicU64::new(0),
            first_error: Mutex::new(None),
            outstanding: AtomicU64::new(0),
        }
    }

    pub fn error(&self, what: String) {
        self.post_errors.fetch_add(1, Ordering::Relaxed);
        self.first_error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(what);
    }
}

/// What one socket is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The mentee's socket: arrivals are the measured latency.
    Receiver,
    /// The mentor's socket: receives its own posts.
    Echo,
    /// Idle-connection test: only answers pings and notices closes.
    Idle,
}

pub struct Recorder {
    epoch: Instant,
    pub phases: Vec<PhaseRec>,
    /// Frames that carried no recognisable message id (pings are not frames here).
    pub other_frames: AtomicU64,
    /// Sockets that ended while they should have stayed open.
    pub closed: AtomicU64,
    pub close_reasons: Mutex<Vec<String>>,
}

impl Recorder {
    /// `sizes`: messages per phase.
    pub fn new(sizes: &[usize]) -> Recorder {
        Recorder {
            epoch: Instant::now(),
            phases: sizes.iter().map(|&n| PhaseRec::new(n)).collect(),
            other_frames: AtomicU64::new(0),
            closed: AtomicU64::new(0),
            close_reasons: Mutex::new(Vec::new()),
        }
    }

    /// Now, in ns since the epoch, never 0.
    pub fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64 + 1
    }

    /// The std instant of a time on this recorder's clock.
    pub fn instant(&self, ns: u64) -> Instant {
        self.epoch + Duration::from_nanos(ns)
    }

    fn arrived(&self, role: Role, phase: usize, index: usize, at: u64) {
        let Some(rec) = self.phases.get(phase) else {
            self.other_frames.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let slots = match role {
            Role::Receiver => &rec.recv,
            Role::Echo => &rec.echo,
            Role::Idle => {
                self.other_frames.fetch_add(1, Ordering::Relaxed);
                return;
            }
        };
        match slots.get(index) {
            Some(slot) => {
                if slot.compare_exchange(0, at, Ordering::Relaxed, Ordering::Relaxed).is_err() {
                    rec.duplicates.fetch_add(1, Ordering::Relaxed);
                }
            }
            None => {
                self.other_frames.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn ended(&self, why: String) {
        self.closed.fetch_add(1, Ordering::Relaxed);
        let mut reasons = self.close_reasons.lock().unwrap_or_else(|e| e.into_inner());
        if reasons.len() < 5 {
            reasons.push(why);
        }
    }
}

/// `lv<phase>x<index>` out of a frame's `"client_msg_id":"…"`.
pub fn message_id(text: &str) -> Option<(usize, usize)> {
    const KEY: &str = "\"client_msg_id\":\"lv";
    let rest = &text[text.find(KEY)? + KEY.len()..];
    let (phase, rest) = rest.split_once('x')?;
    let end = rest.find('"')?;
    Some((phase.parse().ok()?, rest[..end].parse().ok()?))
}

/// Client sockets keep tungstenite's buffers small (4 KiB read instead of 128 KiB),
/// so 10,000 of them stay cheap on the bench's side, and write each frame at once.
fn config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0)
}

async fn connect(url: &str) -> anyhow::Result<Ws> {
    let (ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config()), true).await.context("opening the WebSocket")?;
    Ok(ws)
}

/// Like [`connect`], with the kernel's receive buffer of this socket fixed at
/// `recv_buffer` bytes (set before connecting, so the advertised window stays small):
/// a reader that stops reading then backs up into the server after a few KiB instead
/// of the megabytes loopback autotuning would buffer.
async fn connect_small(url: &str, recv_buffer: u32) -> anyhow::Result<Ws> {
    let host = url.strip_prefix("ws://").and_then(|r| r.split('/').next()).context("plain ws URL")?;
    let addr: std::net::SocketAddr = host.parse().context("a loopback address")?;
    let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_recv_buffer_size(recv_buffer)?;
    socket.set_nodelay(true)?;
    let stream = socket.connect(addr).await.context("connecting")?;
    let (ws, _) = tokio_tungstenite::client_async_with_config(url, MaybeTlsStream::Plain(stream), Some(config()))
        .await
        .context("opening the WebSocket")?;
    Ok(ws)
}

/// Reads frames until `{"type":"live"}` (after `hello` and any replay).
async fn wait_live(ws: &mut Ws) -> anyhow::Result<()> {
    loop {
        let next = tokio::time::timeout(Duration::from_secs(30), ws.next()).await.context("no `live` frame within 30 s")?;
        match next {
            Some(Ok(Message::Text(text))) if text.contains(r#""type":"live""#) => return Ok(()),
            Some(Ok(Message::Close(frame))) => bail!("closed before `live`: {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(err)) => bail!("socket error before `live`: {err}"),
            None => bail!("socket ended before `live`"),
        }
    }
}

/// A single-use WebSocket ticket from the server at `base`.
pub async fn ticket(http: &reqwest::Client, base: &str, token: &str) -> anyhow::Result<String> {
    let resp = http.post(format!("{base}/api/v1/ws/ticket")).bearer_auth(token).send().await.context("asking for a ticket")?;
    if !resp.status().is_success() {
        bail!("ticket refused: {}", resp.status());
    }
    let body: serde_json::Value = resp.json().await?;
    Ok(body["ticket"].as_str().context("no ticket in the answer")?.to_owned())
}

/// Opens an authenticated socket on the real server: ticket, upgrade, `hello`, `live`.
pub async fn open_real(http: &reqwest::Client, base: &str, token: &str) -> anyhow::Result<Ws> {
    let ticket = ticket(http, base, token).await?;
    open_with_ticket(base, &ticket, None).await
}

/// Opens a socket on the server at `base` with a ticket (which any instance on the
/// same database may have issued): upgrade, `hello`, `live`. `recv_buffer`: see
/// [`connect_small`].
pub async fn open_with_ticket(base: &str, ticket: &str, recv_buffer: Option<u32>) -> anyhow::Result<Ws> {
    let host = base.strip_prefix("http://").context("plain http base")?;
    let url = format!("ws://{host}/api/v1/ws?ticket={ticket}");
    let mut ws = match recv_buffer {
        Some(bytes) => connect_small(&url, bytes).await?,
        None => connect(&url).await?,
    };
    let hello = serde_json::to_string(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, cursors: BTreeMap::new() })?;
    ws.send(Message::text(hello)).await?;
    wait_live(&mut ws).await?;
    Ok(ws)
}

/// Opens a socket in `room` of the floor relay.
pub async fn open_floor(base: &str, room: usize) -> anyhow::Result<Ws> {
    let host = base.strip_prefix("http://").context("plain http base")?;
    let mut ws = connect(&format!("ws://{host}/ws?room={room}")).await?;
    wait_live(&mut ws).await?;
    Ok(ws)
}

/// Reads the socket until it ends, stamping arrivals. Pings are answered by
/// tungstenite while reading.
pub fn spawn_reader(mut ws: Ws, role: Role, rec: Arc<Recorder>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    let at = rec.now_ns();
                    match message_id(&text) {
                        Some((phase, index)) => rec.arrived(role, phase, index, at),
                        None => {
                            rec.other_frames.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    rec.ended(format!("close frame {frame:?}"));
                    return;
                }
                Some(Ok(_)) => {}
                Some(Err(err)) => {
                    rec.ended(format!("error {err}"));
                    return;
                }
                None => {
                    rec.ended("end of stream".into());
                    return;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_message_ids_in_both_servers_frames() {
        let real = r#"{"type":"event","event":{"mentorship_id":"x","seq":4,"kind":"message.created","data":{"message":{"body":"hi","client_msg_id":"lv3x1234","seq":4}}}}"#;
        assert_eq!(message_id(real), Some((3, 1234)));
        let floor = r#"{"type":"event","event":{"room":7,"data":{"message":{"body":"hi","client_msg_id":"lv0x0"}}}}"#;
        assert_eq!(message_id(floor), Some((0, 0)));
        assert_eq!(message_id(r#"{"type":"live"}"#), None);
        assert_eq!(message_id(r#"{"client_msg_id":"other"}"#), None);
    }
}
