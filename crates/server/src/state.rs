//! The shared state every handler, socket and background job reaches: the database,
//! the clock, keys, settings, the mailer, the live hub and the stop signals. `app`
//! builds it; nothing here assembles or runs anything.

use crate::config::Config;
use crate::db::Db;
use crate::live::Hub;
use crate::mail::Mailer;
use mentorpost_auth::token::JwtKeys;
use mentorpost_model::Clock;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// What every handler can reach. Cloned for every request that extracts it, so a
/// clone is one reference count: the parts live behind one `Arc` (cloning each part —
/// two cancellation tokens with their locks, the mailer's strings — cost more than
/// answering `GET /healthz`).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub jwt: Arc<JwtKeys>,
    pub config: Arc<Config>,
    pub mailer: Mailer,
    /// Live fan-out to WebSocket connections.
    pub hub: Arc<Hub>,
    /// Fires when the server is told to stop: `/readyz` answers 503 and responses close
    /// their connections while it keeps serving for the drain period.
    pub draining: CancellationToken,
    /// Fires when the drain is over and the server stops: sockets close with
    /// "reconnect", background tasks end.
    pub shutdown: CancellationToken,
    /// Every WebSocket connection's task, so shutdown can wait for them.
    pub ws_tasks: TaskTracker,
    /// Where the SMTP listener listens, once it does (port 0 picks one).
    pub smtp_addr: Arc<tokio::sync::watch::Sender<Option<SocketAddr>>>,
    /// Contact-health snapshots per mentorship (see `health`).
    pub health: crate::health::HealthCache,
    /// Told when the test clock moved (`serve --test-clock`): the schedulers run a round.
    pub clock_moved: Arc<tokio::sync::Notify>,
}
