//! Erasing an account (the right to be forgotten): the API's requests and answer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The longest reason an admin may give.
pub const REASON_MAX_CHARS: usize = 500;

/// The caller erases their own account. A person with a password confirms with it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseMeRequest {
    #[serde(default)]
    pub password: Option<String>,
}

/// An admin erases a person's account on their behalf.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseUserRequest {
    /// Why (for the record, kept with the erasure): 1 to 500 characters.
    pub reason: String,
}

/// Where an erasure stands.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ErasureStatus {
    /// `erasing`: the account is closed and the rest goes within seconds; `erased`:
    /// done before.
    pub status: String,
}

/// A reason as given, trimmed, when it is one.
pub fn valid_reason(reason: &str) -> Option<&str> {
    let trimmed = reason.trim();
    (!trimmed.is_empty() && trimmed.chars().count() <= REASON_MAX_CHARS).then_some(trimmed)
}
