//! The WebSocket endpoint and its tickets.

use super::{ApiQuery, AuthUser};
use crate::error::{ApiError, ApiResult};
use crate::live::socket::{self, Authenticated};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use mentorpost_auth::opaque;
use mentorpost_model::api::ErrorBody;
use serde::{Deserialize, Serialize};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::create_response;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use utoipa::ToSchema;

/// Bytes of a socket's read buffer (see `upgrade`).
const READ_BUFFER: usize = 512;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TicketResponse {
    /// Single-use; pass as `?ticket=` when opening `/api/v1/ws` within `expires_in` seconds.
    pub ticket: String,
    pub expires_in: i64,
}

/// A single-use ticket (valid 30 s) for opening the WebSocket, so the access token
/// never appears in the URL of a long-lived connection.
#[utoipa::path(post, path = "/api/v1/ws/ticket", tag = "live", security(("bearer" = [])), responses((status = 200, body = TicketResponse), (status = 401, body = ErrorBody)))]
pub async fn ticket(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<TicketResponse>> {
    if !store::sessions::is_active(state.db.pool(), &user.session_id).await? {
        return Err(ApiError::unauthenticated("login_ended", "this login has ended; log in again"));
    }
    let ticket = store::tickets::issue(&state.db, user.user_id, user.session_id, state.clock.now()).await?;
    Ok(Json(TicketResponse { ticket, expires_in: store::tickets::TICKET_TTL.num_seconds() }))
}

#[derive(Debug, Deserialize)]
pub struct WsQuery {
    #[serde(default)]
    ticket: Option<String>,
}

/// Is this `Origin` allowed to open a socket? Browsers always send one; other clients
/// (the Rust client, curl) send none and are authenticated like any API client.
pub fn origin_allowed(headers: &HeaderMap, public_url: &str, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(axum::http::header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let own = origin_of(public_url);
    origin.eq_ignore_ascii_case(&own) || allowed.iter().any(|a| origin.eq_ignore_ascii_case(a.trim_end_matches('/')))
}

fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let host = rest.split('/').next().unwrap_or_default();
    format!("{scheme}://{host}")
}

/// Opens the live event stream (WebSocket). Authenticate with `?ticket=` from
/// `POST /api/v1/ws/ticket`, or send `{"type":"auth","token":…}` as the first frame.
/// Protocol: `docs/websocket.md`.
#[utoipa::path(get, path = "/api/v1/ws", tag = "live", params(("ticket" = Option<String>, Query, description = "single-use ticket")),
    responses((status = 101, description = "switching to the WebSocket protocol"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<WsQuery>,
    request: Request,
) -> ApiResult<Response> {
    // The upgrade is ours rather than axum's `WebSocketUpgrade`, whose socket hides
    // the connection: closing well needs it (see `live::socket`, the linger).
    let (mut parts, _body) = request.into_parts();
    let on_upgrade = parts.extensions.remove::<hyper::upgrade::OnUpgrade>();
    let accepted = create_response(&axum::http::Request::from_parts(parts, ()))
        .map_err(|err| ApiError::bad_request("websocket_upgrade_required", format!("not a WebSocket handshake: {err}")))?;
    let on_upgrade =
        on_upgrade.ok_or_else(|| ApiError::bad_request("websocket_upgrade_required", "this connection cannot switch to WebSocket"))?;
    if !origin_allowed(&headers, &state.config.public_url, &state.config.ws_allowed_origins) {
        return Err(ApiError::forbidden("this origin may not open a socket"));
    }
    let auth = match q.ticket {
        Some(ticket) => {
            let invalid = || ApiError::unauthenticated("ticket_invalid", "this ticket is not valid, was already used or has expired");
            if !opaque::looks_like_token(&ticket) {
                return Err(invalid());
            }
            let (user, session) = store::tickets::redeem(&state.db, ticket, state.clock.now()).await?.ok_or_else(invalid)?;
            Some(Authenticated { user, session })
        }
        None => None,
    };
    // tungstenite's default read buffer is 128 KiB per socket, and every read fills
    // the whole buffer with zeros first, so all of it is resident. Clients send tiny
    // frames (pongs, an auth token, hello); a larger one grows the buffer for as long
    // as it takes, so a small buffer keeps idle sockets cheap.
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_write_buffer_size(4 * 1024 * 1024)
        .max_message_size(Some(64 * 1024))
        .max_frame_size(Some(64 * 1024));
    let tracker = state.ws_tasks.clone();
    tokio::spawn(tracker.track_future(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let _open = crate::telemetry::OpenSocket::new();
                let socket = WebSocketStream::from_raw_socket(hyper_util::rt::TokioIo::new(upgraded), Role::Server, Some(config)).await;
                socket::serve(socket, state, auth).await;
            }
            Err(err) => tracing::debug!(error = %err, "the WebSocket upgrade failed"),
        }
    }));
    let (head, ()) = accepted.into_parts();
    Ok(Response::from_parts(head, Body::empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let mut h = HeaderMap::new();
        assert!(origin_allowed(&h, "https://mentoring.example.org/", &[]));
        h.insert(axum::http::header::ORIGIN, "https://mentoring.example.org".parse().expect("header"));
        assert!(origin_allowed(&h, "https://mentoring.example.org/", &[]));
        h.insert(axum::http::header::ORIGIN, "https://evil.example".parse().expect("header"));
        assert!(!origin_allowed(&h, "https://mentoring.example.org", &[]));
        assert!(origin_allowed(&h, "https://mentoring.example.org", &["https://evil.example".into()]));
    }
}
