//! Authentication and authorisation rules of mentorpost: password hashing, access
//! tokens, opaque bearer tokens and the permission matrix.
//!
//! Nothing here touches the network, the database or the clock: the server passes
//! `now` in, so every rule is testable at any instant. The only side effect is
//! drawing randomness (salts, secrets, tokens).
//!
//! - [`password`]: argon2id hashing, verification and a strength floor.
//! - [`token`]: short-lived HS256 JWT access tokens.
//! - [`opaque`]: random bearer tokens stored only as their SHA-256.
//! - [`permission`]: who may do what to which resource.
#![forbid(unsafe_code)]

pub mod opaque;
pub mod password;
pub mod permission;
pub mod token;

pub use permission::{Action, Actor, Decision, MembershipState, Relation, decide, reveals_content};
pub use token::{ACCESS_TOKEN_TTL_SECS, AUDIENCE, AccessClaims, JwtKeys, TokenError};

/// Failures of the operations that produce credentials (as opposed to checking them,
/// which answers with `bool` or [`TokenError`]).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The password does not meet [`password::check_password_strength`]; the
    /// message says which rule it broke and is safe to show to the user.
    #[error("password too weak: {0}")]
    WeakPassword(&'static str),
    /// Argon2 refused its parameters or input; not the user's fault.
    #[error("hashing failed")]
    Hashing,
    /// The JWT library could not sign the claims; not the user's fault.
    #[error("token could not be signed")]
    Signing,
}
