//! A test-only control of the server's clock (design: "Time is injectable"): with
//! `serve --test-clock` the server runs on a [`ManualClock`] and answers
//! `POST /test/clock/advance` (`{"seconds": N}`), so black-box tests of digests,
//! summaries and contact health move time instead of waiting for it. Off unless asked
//! for; the route does not exist otherwise (404), and it answers only peers on the
//! loopback interface. Not part of the API document.

use super::ApiJson;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::routing::post;
use axum::{Json, Router};
use mentorpost_model::{Clock, ManualClock};
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// Seconds to move the clock forward (negative: back), at most ten years.
    pub seconds: i64,
}

#[derive(Debug, serde::Serialize)]
pub struct Now {
    pub now: chrono::DateTime<chrono::Utc>,
}

const TEN_YEARS: i64 = 10 * 366 * 24 * 3600;

/// The route, over the clock the app was built with.
pub fn router(clock: Arc<ManualClock>) -> Router<AppState> {
    Router::new().route(
        "/test/clock/advance",
        post(move |State(state): State<AppState>, ConnectInfo(peer): ConnectInfo<SocketAddr>, ApiJson(req): ApiJson<Advance>| {
            let clock = clock.clone();
            async move {
                if !peer.ip().is_loopback() {
                    tracing::warn!(%peer, "test clock refused to a peer off loopback");
                    return Err(ApiError::NotFound);
                }
                if req.seconds.abs() > TEN_YEARS {
                    return Err(ApiError::unprocessable("invalid_seconds", "seconds is at most ten years either way"));
                }
                clock.advance(chrono::Duration::seconds(req.seconds));
                tracing::info!(seconds = req.seconds, now = %clock.now(), "test clock moved");
                // The schedulers look again at once instead of at their next tick.
                state.clock_moved.notify_waiters();
                Ok(Json(Now { now: clock.now() }))
            }
        }),
    )
}
