//! The WebSocket protocol (`GET /api/v1/ws`), version [`PROTOCOL_VERSION`]. JSON text
//! frames tagged by `type`. See `docs/websocket.md` for the exchange with examples.

use crate::api::EventView;
use crate::ids::{MentorshipId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The protocol this server speaks. A client announcing another version is told to
/// upgrade (close code [`close::UPGRADE_REQUIRED`]).
pub const PROTOCOL_VERSION: u32 = 1;

/// Close codes the server uses, beyond the standard ones.
pub mod close {
    /// Reconnect and resume from your cursors: you fell behind (your queue filled up),
    /// or the server is restarting.
    pub const RESUME: u16 = 4000;
    /// Your login ended (logged out, revoked, or the access token expired): log in again.
    pub const LOGIN_ENDED: u16 = 4001;
    /// Your protocol version is not supported: upgrade the client.
    pub const UPGRADE_REQUIRED: u16 = 4002;
    /// A frame broke the protocol (not JSON, wrong type, wrong order).
    pub const PROTOCOL_ERROR: u16 = 4003;
    /// No valid authentication arrived (bad ticket or token, or none in time).
    pub const UNAUTHENTICATED: u16 = 4004;
}

/// Frames a client sends.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// First frame when the socket was opened without a ticket; later frames of this
    /// type extend the socket's life with a fresh access token.
    Auth { token: String },
    /// Starts the stream. `cursors` maps a mentorship to the last sequence number the
    /// client holds; the server replays everything after it. A mentorship left out
    /// starts live, with no replay.
    Hello {
        protocol: u32,
        #[serde(default)]
        cursors: BTreeMap<MentorshipId, i64>,
    },
}

/// One mentorship the socket is subscribed to.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Subscription {
    pub mentorship_id: MentorshipId,
    /// The latest sequence number at subscription time.
    pub last_seq: i64,
}

/// Frames the server sends.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Answer to `hello`: who you are and what you are subscribed to. Replayed events
    /// follow, then `live`.
    Hello { protocol: u32, user_id: UserId, subscriptions: Vec<Subscription> },
    /// Everything missed has been sent; from now on events arrive as they commit.
    /// `cursors` holds the last sequence number sent per mentorship.
    Live { cursors: BTreeMap<MentorshipId, i64> },
    /// One event of a mentorship's ordered log.
    Event { event: EventView },
    /// Something went wrong; a close frame follows.
    Error { code: String, message: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_parse() {
        let m = MentorshipId::new();
        let text = format!(r#"{{"type":"hello","protocol":1,"cursors":{{"{m}":12}}}}"#);
        let frame: ClientFrame = serde_json::from_str(&text).expect("hello parses");
        assert_eq!(frame, ClientFrame::Hello { protocol: 1, cursors: [(m, 12)].into_iter().collect() });
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"hello","protocol":1,"extra":true}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"shout"}"#).is_err());
    }
}
