//! The slow reader: one socket that completes `hello`/`live` and then stops reading
//! entirely. The server must close it with the resume code instead of slowing anyone
//! else. While the phase runs nobody polls the socket (tungstenite reads only when
//! asked), so everything the server sends piles up in the kernel buffers and then in
//! the server's per-connection queue; afterwards the bench reads what was buffered and
//! the close frame behind it.

use crate::sockets::{Ws, message_id, open_with_ticket, ticket};
use futures_util::StreamExt;
use mentorpost_model::ws::close;
use serde::Serialize;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Kernel receive buffer of the stalled socket, in bytes (Linux doubles it).
pub const RECV_BUFFER: u32 = 8 * 1024;

/// How long the bench reads the stalled socket after the phase, at most. The server
/// keeps a pending close frame for a silent peer 45 s, far longer than a phase.
const READ_LIMIT: Duration = Duration::from_secs(15);
/// The close frame follows the buffered frames at once; a socket silent this long
/// after its last frame was not closed.
const QUIET_LIMIT: Duration = Duration::from_secs(3);

/// Who opens the stalled socket, and where.
#[derive(Clone, Debug)]
pub struct Stall {
    pub base: String,
    /// Access token of a person who is a member of every mentorship.
    pub token: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct StalledResult {
    /// Start of the measured window → `live` received (ticket, upgrade, `hello`).
    pub open_ms: f64,
    pub open_error: Option<String>,
    /// Message frames that were buffered before the close frame.
    pub frames_before_close: u64,
    /// Due time of the last buffered message, in seconds after the socket stopped
    /// reading: how much of its traffic the buffers absorbed.
    pub last_due_after_s: Option<f64>,
    pub close_code: Option<u16>,
    pub close_reason: Option<String>,
    /// How the socket ended when the bench read it: "close frame", "end of stream",
    /// "error …" or "still open".
    pub ended: String,
}

impl StalledResult {
    pub fn resumed(&self) -> bool {
        self.close_code == Some(close::RESUME)
    }
}

/// An open stalled socket and when it stopped reading.
pub struct Opened {
    pub ws: Ws,
    pub live_at: Instant,
    pub open_ms: f64,
}

/// Opens the stalled socket (small receive buffer, no replay) and returns it unread.
pub async fn open(http: &reqwest::Client, stall: &Stall) -> anyhow::Result<Opened> {
    let started = Instant::now();
    let ticket = ticket(http, &stall.base, &stall.token).await?;
    let ws = open_with_ticket(&stall.base, &ticket, Some(RECV_BUFFER)).await?;
    Ok(Opened { ws, live_at: Instant::now(), open_ms: started.elapsed().as_secs_f64() * 1e3 })
}

/// Reads the stalled socket to its end. `due`: the due time of message `index` of
/// `phase` (the phase this socket lived in).
pub async fn read_out(mut opened: Opened, phase: usize, due: impl Fn(usize) -> Instant) -> StalledResult {
    let mut out = StalledResult { open_ms: opened.open_ms, ended: "still open".into(), ..StalledResult::default() };
    let mut last: Option<usize> = None;
    let deadline = tokio::time::Instant::now() + READ_LIMIT;
    loop {
        let wait = tokio::time::Instant::now() + QUIET_LIMIT;
        let next = match tokio::time::timeout_at(deadline.min(wait), opened.ws.next()).await {
            Ok(next) => next,
            Err(_) => break,
        };
        match next {
            Some(Ok(Message::Text(text))) => {
                if let Some((p, i)) = message_id(&text)
                    && p == phase
                {
                    out.frames_before_close += 1;
                    last = Some(last.map_or(i, |l| l.max(i)));
                }
            }
            Some(Ok(Message::Close(frame))) => {
                out.close_code = frame.as_ref().map(|f| u16::from(f.code));
                out.close_reason = frame.map(|f| f.reason.to_string());
                out.ended = "close frame".into();
                break;
            }
            Some(Ok(_)) => {}
            Some(Err(err)) => {
                out.ended = format!("error {err}");
                break;
            }
            None => {
                out.ended = "end of stream".into();
                break;
            }
        }
    }
    out.last_due_after_s = last.map(|i| {
        let at = due(i);
        if at >= opened.live_at { (at - opened.live_at).as_secs_f64() } else { -(opened.live_at - at).as_secs_f64() }
    });
    out
}
