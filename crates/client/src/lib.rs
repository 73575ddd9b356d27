//! A small mentorpost client: log in, post, and follow the live stream over
//! WebSocket (tokio-tungstenite) with resume-by-cursor. Used by the integration tests
//! and the benchmarks; also a reference for writing other clients.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use mentorpost_client::{Api, Live};
//! let api = Api::login("http://127.0.0.1:8080", "cagri@demo.mentorpost.localhost", "mentorpost-demo").await?;
//! let mut live = Live::connect(&api).await?;
//! live.hello().await?;
//! while let Some(event) = live.next_event().await? {
//!     println!("{} #{}: {}", event.mentorship_id, event.seq, event.kind);
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use mentorpost_model::api::{EventView, MessageView, TokenResponse};
use mentorpost_model::ws::{ClientFrame, PROTOCOL_VERSION, ServerFrame, Subscription};
use mentorpost_model::{MentorshipId, ThreadId, UserId};
use serde_json::json;
use std::collections::BTreeMap;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// An authenticated REST client.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
    pub access_token: String,
    pub refresh_token: String,
    pub user_id: UserId,
}

impl Api {
    pub async fn login(base: &str, email: &str, password: &str) -> anyhow::Result<Api> {
        let http = reqwest::Client::builder().no_proxy().build()?;
        let resp = http.post(format!("{base}/api/v1/auth/login")).json(&json!({"email": email, "password": password})).send().await?;
        if !resp.status().is_success() {
            bail!("login failed: {} {}", resp.status(), resp.text().await.unwrap_or_default());
        }
        let tokens: TokenResponse = resp.json().await?;
        Ok(Api {
            base: base.trim_end_matches('/').to_owned(),
            http,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            user_id: tokens.user.id,
        })
    }

    /// A single-use WebSocket ticket.
    pub async fn ws_ticket(&self) -> anyhow::Result<String> {
        let resp = self.http.post(format!("{}/api/v1/ws/ticket", self.base)).bearer_auth(&self.access_token).send().await?;
        if !resp.status().is_success() {
            bail!("ticket refused: {}", resp.status());
        }
        let body: serde_json::Value = resp.json().await?;
        body["ticket"].as_str().map(str::to_owned).context("no ticket in the answer")
    }

    /// Posts a message; `client_msg_id` makes retries safe.
    pub async fn post_message(&self, thread: ThreadId, body: &str, client_msg_id: &str) -> anyhow::Result<(u16, MessageView)> {
        let resp = self
            .http
            .post(format!("{}/api/v1/threads/{thread}/messages", self.base))
            .bearer_auth(&self.access_token)
            .json(&json!({"body": body, "client_msg_id": client_msg_id}))
            .send()
            .await?;
        let status = resp.status().as_u16();
        if !resp.status().is_success() {
            bail!("post failed: {status} {}", resp.text().await.unwrap_or_default());
        }
        Ok((status, resp.json().await?))
    }
}

/// How a live stream ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closed {
    pub code: Option<u16>,
    pub reason: String,
}

/// A live connection. Keeps the cursor per mentorship so a reconnect resumes exactly
/// where this one stopped.
pub struct Live {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub cursors: BTreeMap<MentorshipId, i64>,
    pub subscriptions: Vec<Subscription>,
    pub closed: Option<Closed>,
}

fn ws_url(base: &str) -> String {
    let base = base.trim_end_matches('/');
    if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}/api/v1/ws")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}/api/v1/ws")
    } else {
        format!("{base}/api/v1/ws")
    }
}

impl Live {
    /// Opens a socket with a fresh ticket. Call [`Live::hello`] next.
    pub async fn connect(api: &Api) -> anyhow::Result<Live> {
        let ticket = api.ws_ticket().await?;
        Self::connect_url(&format!("{}?ticket={ticket}", ws_url(&api.base)), BTreeMap::new()).await
    }

    /// Opens a socket authenticated by an `auth` first frame instead of a ticket.
    pub async fn connect_with_token(base: &str, token: &str) -> anyhow::Result<Live> {
        let mut live = Self::connect_url(&ws_url(base), BTreeMap::new()).await?;
        live.send(&ClientFrame::Auth { token: token.to_owned() }).await?;
        Ok(live)
    }

    /// Opens a socket at a full URL (for tests of odd cases), keeping `cursors`.
    pub async fn connect_url(url: &str, cursors: BTreeMap<MentorshipId, i64>) -> anyhow::Result<Live> {
        let (ws, _) = tokio_tungstenite::connect_async(url).await.context("opening the WebSocket")?;
        Ok(Live { ws, cursors, subscriptions: Vec::new(), closed: None })
    }

    /// Reconnects with a new ticket and resumes from the cursors this client holds.
    pub async fn resume(api: &Api, cursors: BTreeMap<MentorshipId, i64>) -> anyhow::Result<Live> {
        let ticket = api.ws_ticket().await?;
        let mut live = Self::connect_url(&format!("{}?ticket={ticket}", ws_url(&api.base)), cursors).await?;
        live.hello().await?;
        Ok(live)
    }

    pub async fn send(&mut self, frame: &ClientFrame) -> anyhow::Result<()> {
        self.ws.send(Message::Text(serde_json::to_string(frame)?.into())).await?;
        Ok(())
    }

    /// Sends a binary frame (not part of the protocol: for tests of how the server
    /// refuses one).
    pub async fn send_binary(&mut self, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.ws.send(Message::Binary(bytes.into())).await?;
        Ok(())
    }

    /// Sends `hello` with the held cursors and waits for the server's `hello`.
    pub async fn hello(&mut self) -> anyhow::Result<()> {
        let cursors = self.cursors.clone();
        self.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, cursors }).await?;
        match self.next_frame().await? {
            Some(ServerFrame::Hello { subscriptions, .. }) => {
                for s in &subscriptions {
                    // A mentorship without a cursor starts live at its current end.
                    self.cursors.entry(s.mentorship_id).or_insert(s.last_seq);
                }
                self.subscriptions = subscriptions;
                Ok(())
            }
            Some(other) => bail!("expected hello, got {other:?}"),
            None => bail!("closed before hello: {:?}", self.closed),
        }
    }

    /// The next server frame; `None` once the socket closed (see [`Live::closed`]).
    /// Events update the cursors.
    pub async fn next_frame(&mut self) -> anyhow::Result<Option<ServerFrame>> {
        loop {
            let Some(msg) = self.ws.next().await else {
                self.closed.get_or_insert(Closed { code: None, reason: String::new() });
                return Ok(None);
            };
            match msg {
                Ok(Message::Text(text)) => {
                    let frame: ServerFrame = serde_json::from_str(&text).context("a server frame")?;
                    if let ServerFrame::Event { event } = &frame {
                        self.cursors.insert(event.mentorship_id, event.seq);
                    }
                    return Ok(Some(frame));
                }
                Ok(Message::Close(frame)) => {
                    self.closed = Some(close_of(frame));
                    return Ok(None);
                }
                Ok(_) => continue,
                Err(tokio_tungstenite::tungstenite::Error::ConnectionClosed | tokio_tungstenite::tungstenite::Error::AlreadyClosed) => {
                    self.closed.get_or_insert(Closed { code: None, reason: String::new() });
                    return Ok(None);
                }
                Err(err) => {
                    self.closed.get_or_insert(Closed { code: None, reason: err.to_string() });
                    return Ok(None);
                }
            }
        }
    }

    /// The next event, skipping `live` and other control frames.
    pub async fn next_event(&mut self) -> anyhow::Result<Option<EventView>> {
        loop {
            match self.next_frame().await? {
                Some(ServerFrame::Event { event }) => return Ok(Some(event)),
                Some(ServerFrame::Error { code, message }) => {
                    bail!("server error {code}: {message}")
                }
                Some(_) => continue,
                None => return Ok(None),
            }
        }
    }

    /// Closes politely.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

fn close_of(frame: Option<CloseFrame>) -> Closed {
    match frame {
        Some(f) => Closed { code: Some(u16::from(f.code)), reason: f.reason.to_string() },
        None => Closed { code: None, reason: String::new() },
    }
}
