//! Why the domain says no, independent of how the answer travels: the HTTP layer turns
//! a [`Refusal`] into a status code and a JSON error, a mail job into a notice or a log
//! line. The store and the database layer speak only this.

use crate::ValidationError;

/// A rule refused a request. `code`s are stable and machine-readable; messages never
/// quote what was submitted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The input breaks a rule (a value out of range, an unknown reference).
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// The caller may know the thing exists but may not do this.
    #[error("{message}")]
    Forbidden { message: String },
    /// No such thing, or nothing the caller may know of.
    #[error("not found")]
    NotFound,
    /// The request contradicts what is stored (a duplicate, a reused key, a state that
    /// no longer allows it).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
}

impl Refusal {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Refusal::Invalid { code, message: message.into() }
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Refusal::Forbidden { message: message.into() }
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Refusal::Conflict { code, message: message.into() }
    }
}

impl From<ValidationError> for Refusal {
    fn from(err: ValidationError) -> Self {
        Refusal::Invalid { code: err.code, message: err.message }
    }
}
