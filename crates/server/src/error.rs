//! The one error type of the HTTP API. Every client mistake becomes a precise 4xx
//! with `{"error":{"code","message"}}`; every server fault is logged with its cause
//! and answered with an opaque 500.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mentorpost_model::api::{ErrorBody, ErrorDetail};
use mentorpost_model::{Refusal, ValidationError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    #[error("authentication required")]
    Unauthenticated { code: &'static str, message: String },
    #[error("forbidden")]
    Forbidden { message: String },
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// What the request names existed but is gone for good (an expired export link).
    #[error("{message}")]
    Gone { code: &'static str, message: String },
    #[error("payload too large")]
    PayloadTooLarge,
    /// The request target is longer than `limit` bytes.
    #[error("URI too long")]
    UriTooLong { limit: usize },
    /// The request has more than `fields` header fields, or more than `bytes` bytes of them.
    #[error("request headers too large")]
    HeadersTooLarge { fields: usize, bytes: usize },
    /// A body was sent without `Content-Type: application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("unavailable")]
    Unavailable,
    /// The disk is full: nothing was saved (a retry after space returns succeeds).
    #[error("storage full")]
    StorageFull,
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// A fault with context around it is still the database's: an unreachable database
/// or a full disk found anywhere in the chain keeps its own answer (503), not 500.
impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        for cause in err.chain() {
            if let Some(db) = cause.downcast_ref::<sqlx::Error>() {
                if crate::db::is_disk_full(db) {
                    tracing::error!(error = format!("{err:#}"), "a write failed: the disk is full");
                    return ApiError::StorageFull;
                }
                if crate::db::is_unreachable(db) {
                    tracing::warn!(error = format!("{err:#}"), "the database is unreachable");
                    return ApiError::Unavailable;
                }
            }
            if let Some(store) = cause.downcast_ref::<crate::db::StoreError>() {
                match store {
                    crate::db::StoreError::Full => return ApiError::StorageFull,
                    crate::db::StoreError::Unreachable | crate::db::StoreError::WriterGone => return ApiError::Unavailable,
                    _ => {}
                }
            }
        }
        ApiError::Internal(err)
    }
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest { code, message: message.into() }
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict { code, message: message.into() }
    }
    pub fn gone(code: &'static str, message: impl Into<String>) -> Self {
        Self::Gone { code, message: message.into() }
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden { message: message.into() }
    }
    pub fn unauthenticated(code: &'static str, message: impl Into<String>) -> Self {
        Self::Unauthenticated { code, message: message.into() }
    }
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::Unprocessable { code, message: message.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Gone { .. } => StatusCode::GONE,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable | ApiError::StorageFull => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn detail(&self) -> (String, String) {
        let (code, message): (&str, String) = match self {
            ApiError::BadRequest { code, message }
            | ApiError::Unprocessable { code, message }
            | ApiError::Unauthenticated { code, message }
            | ApiError::Conflict { code, message }
            | ApiError::Gone { code, message } => (code, message.clone()),
            ApiError::Forbidden { message } => ("forbidden", message.clone()),
            ApiError::NotFound => ("not_found", "no such resource".to_owned()),
            ApiError::MethodNotAllowed => ("method_not_allowed", "this resource does not take that method".to_owned()),
            ApiError::PayloadTooLarge => ("payload_too_large", "the request body is larger than 1 MiB".to_owned()),
            ApiError::UriTooLong { limit } => ("uri_too_long", format!("the request target is longer than {limit} bytes")),
            ApiError::HeadersTooLarge { fields, bytes } => {
                ("headers_too_large", format!("the request has more than {fields} header fields or more than {bytes} bytes of headers"))
            }
            ApiError::UnsupportedMediaType => ("unsupported_media_type", "send the body as application/json".to_owned()),
            ApiError::TooManyRequests { .. } => ("rate_limited", "too many attempts; try again later".to_owned()),
            ApiError::Unavailable => ("unavailable", "the service is shutting down or its database is unreachable".to_owned()),
            ApiError::StorageFull => ("storage_full", "the server's disk is full: nothing was saved; try again later".to_owned()),
            ApiError::Internal(_) => ("internal", "something went wrong on our side; it has been logged".to_owned()),
        };
        (code.to_owned(), message)
    }
}

impl From<ValidationError> for ApiError {
    fn from(err: ValidationError) -> Self {
        ApiError::Unprocessable { code: err.code, message: err.message }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        if crate::db::is_disk_full(&err) {
            tracing::error!(error = %err, "a write failed: the disk is full");
            return ApiError::StorageFull;
        }
        if crate::db::is_unreachable(&err) {
            tracing::warn!(error = %err, "the database is unreachable");
            return ApiError::Unavailable;
        }
        ApiError::Internal(anyhow::Error::new(err).context("database"))
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Invalid { code, message } => ApiError::Unprocessable { code, message },
            Refusal::Forbidden { message } => ApiError::Forbidden { message },
            Refusal::NotFound => ApiError::NotFound,
            Refusal::Conflict { code, message } => ApiError::Conflict { code, message },
        }
    }
}

impl From<crate::db::StoreError> for ApiError {
    fn from(err: crate::db::StoreError) -> Self {
        match err {
            crate::db::StoreError::Rejected(refusal) => refusal.into(),
            crate::db::StoreError::Database(db) => db.into(),
            crate::db::StoreError::WriterGone | crate::db::StoreError::Unreachable => ApiError::Unavailable,
            crate::db::StoreError::Full => ApiError::StorageFull,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(err) = &self {
            tracing::error!(error = format!("{err:#}"), "request failed");
        }
        let (code, message) = self.detail();
        let body = ErrorBody { error: ErrorDetail { code, message } };
        let mut response = (status, axum::Json(body)).into_response();
        let retry_after = match self {
            ApiError::TooManyRequests { retry_after_secs } => Some(retry_after_secs),
            // A database comes back, or another instance takes over, within seconds.
            ApiError::Unavailable => Some(UNAVAILABLE_RETRY_SECS),
            _ => None,
        };
        if let Some(secs) = retry_after
            && let Ok(value) = secs.to_string().parse()
        {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
        }
        response
    }
}

/// The `Retry-After` of a 503 `unavailable`.
const UNAVAILABLE_RETRY_SECS: u64 = 2;

pub type ApiResult<T> = Result<T, ApiError>;
