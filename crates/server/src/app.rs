//! Assembling and running the service: `App::build` opens the database, migrates,
//! loads the signing key; `App::run` serves on a listener the caller owns until the
//! caller's shutdown token fires, drains (see `drain`), then lets in-flight requests
//! finish.

use crate::config::Config;
use crate::db::{Backend, Db};
use crate::live::{Hub, fanout};
use crate::mail::Mailer;
use crate::state::{AppState, Shared};
use crate::{demo, drain, http, store, web};
use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderName;
use axum::serve::ListenerExt;
use mentorpost_auth::token::JwtKeys;
use mentorpost_model::{Clock, SystemClock};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub struct App {
    pub state: AppState,
    /// The adjustable clock of `serve --test-clock`: mounts `POST /test/clock/advance`.
    pub test_clock: Option<Arc<mentorpost_model::ManualClock>>,
}

impl App {
    /// Opens and migrates the database and prepares the state. Seeds the demo data when
    /// `config.demo` is set and the database is empty.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        std::fs::create_dir_all(&config.data_dir).with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        let secret = match &config.jwt_secret {
            Some(s) if s.len() >= 32 => s.as_bytes().to_vec(),
            Some(_) => anyhow::bail!("MENTORPOST_JWT_SECRET must be at least 32 characters"),
            None => store::settings::jwt_secret(&db).await.context("loading the signing secret")?,
        };
        let mailer = Mailer::new(&config, &secret)?;
        let hub = Hub::new(db.clone());
        // Committed writes publish themselves to the hub and the mailer.
        db.subscribe(Arc::new(hub.clone()));
        db.subscribe(Arc::new(mailer.clone()));
        let state = AppState::new(Shared {
            db,
            clock,
            jwt: Arc::new(JwtKeys::new(&secret)),
            config: Arc::new(config),
            mailer,
            hub,
            draining: CancellationToken::new(),
            shutdown: CancellationToken::new(),
            ws_tasks: TaskTracker::new(),
            smtp_addr: Arc::new(tokio::sync::watch::Sender::new(None)),
            health: crate::health::HealthCache::default(),
            clock_moved: Arc::new(tokio::sync::Notify::new()),
        });
        if state.config.demo {
            demo::seed_if_empty(&state).await?;
        }
        Ok(App { state, test_clock: None })
    }

    pub fn router(&self) -> Router {
        let (api, openapi) = http::api_router();
        let openapi = Arc::new(openapi);
        let trusted: Arc<[std::net::IpAddr]> = self.state.config.trusted_proxies.clone().into();
        api.route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .merge(web::router())
        .merge(self.test_clock.clone().map(http::test_clock::router).unwrap_or_default())
        .fallback(http::health::not_found)
        .method_not_allowed_fallback(http::health::method_not_allowed)
        .layer(axum::middleware::from_fn(crate::telemetry::track_http))
        .layer(axum::middleware::map_response(http::html_security_headers))
        .layer(DefaultBodyLimit::max(http::MAX_BODY_BYTES))
        .layer(axum::middleware::map_response_with_state(self.state.clone(), drain::close_connections_while_draining))
        .layer(axum::middleware::from_fn(http::limits::head_limits))
        // Outermost last: an id is settled first (a proxy's, or a new one), then the
        // request runs inside its span, and the answer carries the id back.
        .layer(TraceLayer::new_for_http().make_span_with(http::request_id::request_span))
        .layer(PropagateRequestIdLayer::new(HeaderName::from_static(http::request_id::HEADER)))
        .layer(SetRequestIdLayer::new(HeaderName::from_static(http::request_id::HEADER), http::request_id::MakeRequestUuidV7))
        .layer(axum::middleware::map_request(move |req| {
            let trusted = trusted.clone();
            async move { http::request_id::keep_request_id_only_from(&trusted, req) }
        }))
        .with_state(self.state.clone())
    }

    /// Serves until `shutdown` is cancelled, then drains for `config.drain` (or until
    /// no connection is open): `/readyz` answers 503 and every response closes its
    /// connection. Then in-flight requests finish, every WebSocket gets a close frame
    /// telling it to reconnect, background tasks stop.
    pub async fn run(self, listener: TcpListener, shutdown: CancellationToken) -> anyhow::Result<()> {
        let router = self.router();
        let state = self.state.clone();
        let db = state.db.clone();
        let addr = listener.local_addr().context("reading the listen address")?;
        let background = TaskTracker::new();
        if db.backend() == Backend::Postgres {
            let instance = uuid::Uuid::now_v7().to_string();
            fanout::start(state.hub.clone(), &state.config.database_url, instance, state.shutdown.clone(), &background)
                .await
                .context("starting cross-instance fan-out")?;
        }
        background.spawn(watch_revoked_logins(state.clone()));
        background.spawn(crate::mail::outbox::run(state.clone()));
        background.spawn(crate::mail::digest::run(state.clone()));
        background.spawn(crate::inbound::purge_raw_mail(state.clone()));
        if state.config.retention_job {
            background.spawn(crate::mail::retention::run(state.clone()));
        }
        background.spawn(http::exports::run_purge(state.clone()));
        // An erasure a crash interrupted is finished before anything else is asked of it.
        let resuming = state.clone();
        background.spawn(async move {
            if let Err(err) = crate::erasure::resume_unfinished(&resuming).await {
                tracing::error!(error = format!("{err:#}"), "resuming unfinished erasures failed");
            }
        });
        background.spawn(crate::health::run(state.health.clone(), state.db.clone(), state.clock.clone(), state.shutdown.clone()));
        if let Some(metrics_addr) = state.config.metrics_listen {
            crate::telemetry::install();
            let listener = TcpListener::bind(metrics_addr).await.with_context(|| format!("listening for metrics on {metrics_addr}"))?;
            let metrics_addr = listener.local_addr().context("reading the metrics listen address")?;
            tracing::info!(%metrics_addr, "metrics listening");
            let stop = state.shutdown.clone();
            let metrics = crate::telemetry::router(state.clone());
            background.spawn(async move {
                let served = axum::serve(listener, metrics).with_graceful_shutdown(async move { stop.cancelled().await });
                if let Err(err) = served.await {
                    tracing::error!(error = %err, "the metrics listener failed");
                }
            });
        }
        if let Some(smtp_addr) = state.config.smtp_listen {
            let smtp = TcpListener::bind(smtp_addr).await.with_context(|| format!("listening for SMTP on {smtp_addr}"))?;
            let tls = match &state.config.smtp_tls {
                Some((cert, key)) => Some(crate::inbound::smtp::tls_acceptor(cert, key)?),
                None => None,
            };
            let smtp_addr = smtp.local_addr().context("reading the SMTP listen address")?;
            tracing::info!(%smtp_addr, "SMTP listener for incoming mail");
            state.smtp_addr.send_replace(Some(smtp_addr));
            background.spawn(crate::inbound::smtp::serve(state.clone(), smtp, tls, state.shutdown.clone()));
        }
        tracing::info!(
            %addr,
            backend = db.backend().name(),
            database = %crate::db::redact_url(&state.config.database_url),
            mail = %state.config.smtp_url.as_deref().map_or_else(|| "files".to_owned(), crate::db::redact_url),
            "mentorpost listening"
        );
        let stopping = state.shutdown.clone();
        let draining = state.draining.clone();
        let drain_for = state.config.drain;
        let open = drain::OpenConnections::default();
        // The no-op tap only lends the listener axum's `ConnectInfo<SocketAddr>`.
        let listener = drain::CountingListener::new(listener, open.clone()).tap_io(|_| {});
        let serve = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(async move {
            shutdown.cancelled().await;
            // Stopping the listener now would reset requests already written on idle
            // keep-alive connections: keep serving, but send everyone elsewhere.
            draining.cancel();
            tracing::info!(drain_seconds = drain_for.as_secs_f64(), open_connections = open.count(), "draining before the stop");
            if tokio::time::timeout(drain_for, open.all_closed()).await.is_err() {
                tracing::info!(open_connections = open.count(), "drain period over");
            }
            // Sockets learn first, so they close while HTTP finishes.
            stopping.cancel();
        });
        let served = serve.await.context("serving HTTP");
        state.draining.cancel();
        state.shutdown.cancel();
        state.ws_tasks.close();
        state.ws_tasks.wait().await;
        background.close();
        background.wait().await;
        state.hub.drain().await;
        db.close().await;
        tracing::info!("mentorpost stopped");
        served
    }
}

/// How often logins revoked elsewhere are looked up, to close their sockets.
const REVOCATION_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// Closes the sockets of logins revoked on any instance (logout, refresh-token reuse).
async fn watch_revoked_logins(state: AppState) {
    let mut since = state.clock.now();
    let mut tick = tokio::time::interval(REVOCATION_POLL);
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let now = state.clock.now();
        match store::tickets::revoked_since(state.db.pool(), since - chrono::Duration::seconds(5)).await {
            Ok(sessions) => {
                state.hub.end_logins(&sessions);
                since = now;
            }
            Err(err) => tracing::warn!(error = %err, "checking revoked logins failed"),
        }
    }
}

/// Cancels `token` on SIGTERM or SIGINT.
pub fn cancel_on_signals(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(err) => {
                    tracing::error!(error = %err, "cannot listen for SIGTERM");
                    let _ = ctrl_c.await;
                    token.cancel();
                    return;
                }
            };
            tokio::select! {
                _ = ctrl_c => {},
                _ = term.recv() => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
        tracing::info!("shutdown signal received; finishing in-flight requests");
        token.cancel();
    });
}
