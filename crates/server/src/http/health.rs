//! Liveness, readiness, the landing page and the JSON 404.

use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use mentorpost_model::api::{ErrorBody, Readiness};

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers and the server is not draining before a stop.
#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200, body = Readiness), (status = 503, body = ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Readiness>, ApiError> {
    // Load balancers take this instance out of rotation while it still answers.
    if state.draining.is_cancelled() {
        return Err(ApiError::Unavailable);
    }
    match sqlx::query("SELECT 1").execute(state.db.pool()).await {
        Ok(_) => Ok(Json(Readiness { status: "ready".into(), database: state.db.backend().name().into() })),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            Err(ApiError::Unavailable)
        }
    }
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// A known path with a method it does not take: a JSON error like every other.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
