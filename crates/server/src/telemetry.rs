//! Metrics in the Prometheus text format, on a listen address of their own
//! (`--metrics-listen`), never on the public one.
//!
//! The counters and histograms are recorded where things happen, through the
//! `metrics` facade (a no-op until [`install`] sets the recorder); the few figures
//! that are state rather than events — the outbox's depth and the age of its oldest
//! pending mail, the database pool — are read when Prometheus scrapes. Labels are
//! closed vocabularies only (route templates, methods, statuses, kinds, outcomes), so
//! no person, address or text can reach a label.

use crate::state::AppState;
use crate::store;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// Histogram buckets for durations, in seconds: 0.5 ms to 10 s.
const SECONDS: &[f64] = &[0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0];
/// Buckets for the writes folded into one SQLite commit.
const WRITES: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Sets the process's recorder (once; later calls return the same handle). `None` when
/// another recorder was set first.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
                .and_then(|b| b.set_buckets_for_metric(Matcher::Full("mentorpost_sqlite_commit_writes".into()), WRITES));
            match builder.and_then(PrometheusBuilder::install_recorder) {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(err) => {
                    tracing::error!(error = %err, "the metrics recorder could not be installed");
                    None
                }
            }
        })
        .as_ref()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!("mentorpost_http_requests_total", "HTTP requests answered, by route template, method and status");
    describe_histogram!("mentorpost_http_request_duration_seconds", Unit::Seconds, "Time to answer an HTTP request, by route and method");
    describe_gauge!("mentorpost_websockets_open", "Live WebSocket connections");
    describe_counter!("mentorpost_events_fanned_out_total", "Event frames offered to live sockets");
    describe_counter!("mentorpost_slow_reader_evictions_total", "Sockets closed for falling behind (they resume)");
    describe_gauge!("mentorpost_outbox_pending", "Mails waiting in the outbox (read at scrape)");
    describe_gauge!(
        "mentorpost_outbox_oldest_pending_age_seconds",
        Unit::Seconds,
        "Age of the oldest mail due and not sent (read at scrape)"
    );
    describe_counter!("mentorpost_mails_total", "Outgoing mails finished, by kind and outcome (sent, failed, cancelled, later)");
    describe_counter!("mentorpost_mail_bounces_total", "Delivery reports received for mail sent");
    describe_counter!("mentorpost_inbound_mails_total", "Incoming mails, by outcome");
    describe_counter!("mentorpost_job_rounds_total", "Rounds of the background jobs, by job");
    describe_counter!("mentorpost_digests_queued_total", "Digest mails queued by the scheduler");
    describe_counter!("mentorpost_retention_runs_total", "Runs of the daily retention job");
    describe_counter!("mentorpost_retention_rows_changed_total", "Rows the retention job emptied or removed");
    describe_gauge!("mentorpost_retention_last_run_timestamp_seconds", Unit::Seconds, "When the retention job last finished (Unix time)");
    describe_counter!("mentorpost_erasures_total", "Account erasures, by stage (started, finished)");
    describe_gauge!("mentorpost_db_pool_connections", "Database pool connections, by state (open, idle; read at scrape)");
    describe_histogram!("mentorpost_sqlite_commit_writes", "Writes folded into one SQLite group commit");
    describe_histogram!("mentorpost_sqlite_commit_seconds", Unit::Seconds, "Time of one SQLite COMMIT (the fsync)");
}

/// Counts and times every request by its route template (never the path as sent: paths
/// carry ids and tokens).
pub async fn track_http(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "(no route)".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("mentorpost_http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("mentorpost_http_request_duration_seconds", "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The metrics listener's routes: `GET /metrics`.
pub fn router(state: AppState) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(state)
}

async fn scrape(State(state): State<AppState>) -> Response {
    let Some(handle) = install() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics are off in this process\n").into_response();
    };
    let now = state.clock.now();
    match store::mail::outbox_depth(state.db.pool(), now).await {
        Ok((pending, oldest)) => {
            metrics::gauge!("mentorpost_outbox_pending").set(pending as f64);
            let age = oldest.map_or(0.0, |at| (now - at).num_milliseconds().max(0) as f64 / 1000.0);
            metrics::gauge!("mentorpost_outbox_oldest_pending_age_seconds").set(age);
        }
        Err(err) => tracing::warn!(error = %err, "reading the outbox depth for metrics failed"),
    }
    let pool = state.db.pool();
    metrics::gauge!("mentorpost_db_pool_connections", "state" => "open").set(f64::from(pool.size()));
    metrics::gauge!("mentorpost_db_pool_connections", "state" => "idle").set(pool.num_idle() as f64);
    handle.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}

/// A live socket, counted while it lives.
pub struct OpenSocket;

impl OpenSocket {
    pub fn new() -> OpenSocket {
        metrics::gauge!("mentorpost_websockets_open").increment(1.0);
        OpenSocket
    }
}

impl Default for OpenSocket {
    fn default() -> Self {
        OpenSocket::new()
    }
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        metrics::gauge!("mentorpost_websockets_open").decrement(1.0);
    }
}
