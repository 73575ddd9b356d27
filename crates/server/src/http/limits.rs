//! Limits on the request head, answered with the JSON error body.
//!
//! hyper has limits of its own (a request target of 64 KiB, 100 header fields, about
//! 400 KiB of head) and answers past them with a bare status and no body, before any
//! of our code sees the request. These limits sit well below hyper's, so an oversized
//! request gets the same `{"error":{"code","message"}}` as every other mistake; only a
//! request beyond hyper's own ceilings still gets hyper's empty answer.

use crate::error::ApiError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Longest request target (path and query) accepted.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header fields accepted (each value of a repeated header counts).
pub const MAX_HEADER_FIELDS: usize = 64;
/// Most header bytes accepted, names and values together.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

pub async fn head_limits(req: Request, next: Next) -> Response {
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        tracing::debug!(bytes = target, "request target too long");
        return ApiError::UriTooLong { limit: MAX_URI_BYTES }.into_response();
    }
    let headers = req.headers();
    let bytes: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if headers.len() > MAX_HEADER_FIELDS || bytes > MAX_HEADER_BYTES {
        tracing::debug!(fields = headers.len(), bytes, "request headers too large");
        return ApiError::HeadersTooLarge { fields: MAX_HEADER_FIELDS, bytes: MAX_HEADER_BYTES }.into_response();
    }
    next.run(req).await
}
