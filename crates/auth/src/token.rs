//! Access tokens: short-lived JWTs signed with HS256.
//!
//! An access token proves "user X, in login session S" for [`ACCESS_TOKEN_TTL_SECS`]
//! without a database read; revocation works by refusing to renew it (refresh
//! tokens are opaque and live in the database). Because it cannot be revoked early,
//! its lifetime is kept short and anything looking like a long-lived token is refused.
//!
//! Time checks use the `now` passed in (the server's injectable clock), never the
//! system clock, so expiry is testable and consistent with every other rule.

use std::fmt;

use chrono::{DateTime, Utc};
use jsonwebtoken::errors::{Error as JwtError, ErrorKind};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use mentorpost_model::UserId;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::AuthError;

/// The `aud` claim of every token we issue; tokens for anything else are refused.
pub const AUDIENCE: &str = "mentorpost";
/// Lifetime of an access token: 15 minutes.
pub const ACCESS_TOKEN_TTL_SECS: i64 = 900;

/// Tolerated clock difference between the instance that issued a token and the one
/// verifying it (several instances may serve the same users).
const CLOCK_SKEW_SECS: i64 = 60;
/// Our tokens are a few hundred bytes; anything far larger is not ours and is not
/// worth decoding.
const MAX_TOKEN_BYTES: usize = 4096;
/// Size of a generated signing secret: the HS256 block size, more than the
/// 256 bits RFC 7518 requires.
const SECRET_BYTES: usize = 64;

/// The claims of an access token.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AccessClaims {
    /// The user id, as text.
    pub sub: String,
    /// The login (session) id, so a logout of one session can be told apart.
    pub sid: String,
    /// Always [`AUDIENCE`].
    pub aud: String,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
}

impl AccessClaims {
    /// The user the token was issued to. Always `Some` for claims returned by
    /// [`JwtKeys::verify`], which refuses tokens whose `sub` is not a user id.
    pub fn user_id(&self) -> Option<UserId> {
        self.sub.parse().ok()
    }
}

/// Claims as they arrive: every field optional, so a missing claim is reported as
/// [`TokenError::MissingClaim`] rather than as a generic parse failure.
#[derive(Deserialize)]
struct ReceivedClaims {
    sub: Option<String>,
    sid: Option<String>,
    aud: Option<String>,
    iat: Option<i64>,
    exp: Option<i64>,
}

/// Why a presented access token was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TokenError {
    /// Not a well-formed JWT of ours (bad encoding, bad JSON, bad claim values).
    #[error("malformed token")]
    Malformed,
    /// The signature does not match: forged, tampered with, or another key.
    #[error("invalid token signature")]
    BadSignature,
    /// Signed (or "unsigned") with an algorithm other than HS256.
    #[error("token algorithm not accepted")]
    WrongAlgorithm,
    /// Issued for another audience.
    #[error("token is for another audience")]
    WrongAudience,
    /// Past its `exp`.
    #[error("token expired")]
    Expired,
    /// Issued in the future (beyond the tolerated clock skew).
    #[error("token not yet valid")]
    NotYetValid,
    /// A required claim (`sub`, `sid`, `aud`, `iat`, `exp`) is absent.
    #[error("token lacks a required claim")]
    MissingClaim,
}

impl TokenError {
    /// Machine-readable error code for API responses. Only expiry gets its own code,
    /// because it is the one case a client should handle by refreshing; the others
    /// are deliberately not distinguished for an attacker.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Expired => "token_expired",
            TokenError::Malformed
            | TokenError::BadSignature
            | TokenError::WrongAlgorithm
            | TokenError::WrongAudience
            | TokenError::NotYetValid
            | TokenError::MissingClaim => "token_invalid",
        }
    }
}

/// The HS256 key for issuing and verifying access tokens.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        f.write_str("JwtKeys { .. }")
    }
}

impl JwtKeys {
    /// Keys from a shared secret (see [`generate_secret`]). All instances serving
    /// the same users must use the same secret.
    pub fn new(secret: &[u8]) -> Self {
        ensure_crypto_provider();

        let mut validation = Validation::new(Algorithm::HS256);
        // The library would compare `exp` with the system clock; we check times
        // ourselves against the injected `now`. It still enforces presence.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        validation.set_audience(&[AUDIENCE]);

        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation }
    }

    /// Issues an access token for `user` in login session `session_id`, valid from
    /// `now` for [`ACCESS_TOKEN_TTL_SECS`]. Returns the token and its claims.
    pub fn issue(&self, user: UserId, session_id: &str, now: DateTime<Utc>) -> Result<(String, AccessClaims), AuthError> {
        let iat = now.timestamp();
        let claims = AccessClaims {
            sub: user.to_string(),
            sid: session_id.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat,
            exp: iat.saturating_add(ACCESS_TOKEN_TTL_SECS),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|_| AuthError::Signing)?;
        Ok((token, claims))
    }

    /// Verifies a presented access token at instant `now` and returns its claims.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Malformed);
        }

        // Pin the algorithm before any key is involved, so `alg: none` and
        // algorithm-confusion tokens never reach signature checking.
        let header = jsonwebtoken::decode_header(token).map_err(|e| header_error(&e))?;
        if header.alg != Algorithm::HS256 {
            return Err(TokenError::WrongAlgorithm);
        }

        // Checks signature (before parsing the claims), algorithm again, presence
        // of exp/sub/aud and the audience.
        let received =
            jsonwebtoken::decode::<ReceivedClaims>(token, &self.decoding, &self.validation).map_err(|e| decode_error(&e))?.claims;

        let (Some(sub), Some(sid), Some(aud), Some(iat), Some(exp)) =
            (received.sub, received.sid, received.aud, received.iat, received.exp)
        else {
            return Err(TokenError::MissingClaim);
        };
        if aud != AUDIENCE {
            return Err(TokenError::WrongAudience);
        }
        if sub.parse::<UserId>().is_err() {
            return Err(TokenError::Malformed);
        }
        // A validly signed token can only have an odd lifetime if the key leaked or
        // a bug issued it; either way it must not grant long-lived access.
        let lifetime = exp.saturating_sub(iat);
        if lifetime <= 0 || lifetime > ACCESS_TOKEN_TTL_SECS + CLOCK_SKEW_SECS {
            return Err(TokenError::Malformed);
        }

        let now = now.timestamp();
        if exp <= now {
            return Err(TokenError::Expired);
        }
        if iat > now.saturating_add(CLOCK_SKEW_SECS) {
            return Err(TokenError::NotYetValid);
        }

        Ok(AccessClaims { sub, sid, aud, iat, exp })
    }
}

/// A fresh random signing secret (64 bytes).
pub fn generate_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    // `ThreadRng` is a CSPRNG seeded from the OS and periodically reseeded.
    rand::rng().fill_bytes(&mut secret);
    secret
}

/// Selects the RustCrypto backend of jsonwebtoken explicitly. The library otherwise
/// infers it from crate features and panics on first use if feature unification
/// ever enables a second backend. An `Err` only means a provider is already
/// installed (by an earlier call or by the application), which is fine.
fn ensure_crypto_provider() {
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
}

/// Classifies a header that could not be decoded. The library models `alg` as an
/// enum, so an algorithm it does not know (notably `none`) surfaces as a JSON
/// "unknown variant" error; that is an algorithm problem, not a malformed token.
fn header_error(error: &JwtError) -> TokenError {
    match error.kind() {
        ErrorKind::Json(json) if json.to_string().starts_with("unknown variant") => TokenError::WrongAlgorithm,
        _ => TokenError::Malformed,
    }
}

/// Maps the library's decoding errors onto ours.
fn decode_error(error: &JwtError) -> TokenError {
    match error.kind() {
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm | ErrorKind::UnsupportedAlgorithm | ErrorKind::InvalidAlgorithmName => {
            TokenError::WrongAlgorithm
        }
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::MissingRequiredClaim(_) => TokenError::MissingClaim,
        // Not enabled above, but mapped faithfully should that change.
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        _ => TokenError::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const T0: i64 = 1_750_000_000;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).expect("in range")
    }

    fn keys() -> JwtKeys {
        JwtKeys::new(SECRET)
    }

    fn b64(text: &str) -> String {
        URL_SAFE_NO_PAD.encode(text)
    }

    /// Hand-crafts a token from literal JSON, signed with `alg` and `secret`.
    fn craft(header_json: &str, claims_json: &str, alg: Algorithm, secret: &[u8]) -> String {
        ensure_crypto_provider();
        let message = format!("{}.{}", b64(header_json), b64(claims_json));
        let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &EncodingKey::from_secret(secret), alg).expect("signs");
        format!("{message}.{signature}")
    }

    fn hs256(claims_json: &str) -> String {
        craft(r#"{"alg":"HS256","typ":"JWT"}"#, claims_json, Algorithm::HS256, SECRET)
    }

    fn claims_json(sub: &str, aud: &str, iat: i64, exp: i64) -> String {
        format!(r#"{{"sub":"{sub}","sid":"s1","aud":"{aud}","iat":{iat},"exp":{exp}}}"#)
    }

    #[test]
    fn round_trip() {
        let user = UserId::new();
        let (token, claims) = keys().issue(user, "session-1", at(T0)).expect("issues");
        assert_eq!(claims.sub, user.to_string());
        assert_eq!(claims.sid, "session-1");
        assert_eq!(claims.aud, AUDIENCE);
        assert_eq!(claims.iat, T0);
        assert_eq!(claims.exp, T0 + ACCESS_TOKEN_TTL_SECS);
        assert_eq!(claims.user_id(), Some(user));

        let verified = keys().verify(&token, at(T0 + 1)).expect("verifies");
        assert_eq!(verified, claims);
    }

    #[test]
    fn hand_crafted_token_with_the_right_key_verifies() {
        // Guards the other hand-crafted cases: they fail for their own reason only.
        let sub = UserId::new().to_string();
        let token = hs256(&claims_json(&sub, AUDIENCE, T0, T0 + 900));
        assert!(keys().verify(&token, at(T0)).is_ok());
    }

    #[test]
    fn expired_token_is_refused() {
        let (token, _) = keys().issue(UserId::new(), "s", at(T0)).expect("issues");
        assert!(keys().verify(&token, at(T0 + ACCESS_TOKEN_TTL_SECS - 1)).is_ok());
        assert_eq!(keys().verify(&token, at(T0 + ACCESS_TOKEN_TTL_SECS)), Err(TokenError::Expired));
        assert_eq!(keys().verify(&token, at(T0 + 86_400)), Err(TokenError::Expired));
        assert_eq!(TokenError::Expired.code(), "token_expired");
    }

    #[test]
    fn token_from_the_future_is_refused_beyond_skew() {
        let (token, _) = keys().issue(UserId::new(), "s", at(T0)).expect("issues");
        assert!(keys().verify(&token, at(T0 - CLOCK_SKEW_SECS)).is_ok());
        assert_eq!(keys().verify(&token, at(T0 - CLOCK_SKEW_SECS - 1)), Err(TokenError::NotYetValid));
    }

    #[test]
    fn wrong_audience_is_refused() {
        let sub = UserId::new().to_string();
        let token = hs256(&claims_json(&sub, "someone-else", T0, T0 + 900));
        assert_eq!(keys().verify(&token, at(T0)), Err(TokenError::WrongAudience));
        assert_eq!(TokenError::WrongAudience.code(), "token_invalid");
    }

    #[test]
    fn audience_list_is_refused() {
        let sub = UserId::new().to_string();
        let claims = format!(r#"{{"sub":"{sub}","sid":"s","aud":["{AUDIENCE}"],"iat":{T0},"exp":{}}}"#, T0 + 900);
        assert!(keys().verify(&hs256(&claims), at(T0)).is_err());
    }

    #[test]
    fn alg_none_is_refused() {
        let sub = UserId::new().to_string();
        let claims = claims_json(&sub, AUDIENCE, T0, T0 + 900);
        let unsigned = format!("{}.{}.", b64(r#"{"alg":"none","typ":"JWT"}"#), b64(&claims));
        assert_eq!(keys().verify(&unsigned, at(T0)), Err(TokenError::WrongAlgorithm));

        // Same with a valid HS256 signature over the "none" header.
        let signed_none = craft(r#"{"alg":"none","typ":"JWT"}"#, &claims, Algorithm::HS256, SECRET);
        assert_eq!(keys().verify(&signed_none, at(T0)), Err(TokenError::WrongAlgorithm));
    }

    #[test]
    fn other_hmac_algorithm_with_the_same_secret_is_refused() {
        let (_, claims) = keys().issue(UserId::new(), "s", at(T0)).expect("issues");
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS512), &claims, &EncodingKey::from_secret(SECRET)).expect("signs");
        assert_eq!(keys().verify(&token, at(T0)), Err(TokenError::WrongAlgorithm));
    }

    #[test]
    fn asymmetric_algorithm_header_is_refused() {
        // Classic key confusion: an RS256 header over an HMAC made with the secret.
        let sub = UserId::new().to_string();
        let token = craft(r#"{"alg":"RS256","typ":"JWT"}"#, &claims_json(&sub, AUDIENCE, T0, T0 + 900), Algorithm::HS256, SECRET);
        assert_eq!(keys().verify(&token, at(T0)), Err(TokenError::WrongAlgorithm));
    }

    #[test]
    fn tampered_signature_is_refused() {
        let (token, _) = keys().issue(UserId::new(), "s", at(T0)).expect("issues");
        let (message, signature) = token.rsplit_once('.').expect("three parts");
        // Change the first signature character: the last one has unused bits.
        let first = if signature.starts_with('A') { 'B' } else { 'A' };
        let tampered = format!("{message}.{first}{}", &signature[1..]);
        assert_eq!(keys().verify(&tampered, at(T0)), Err(TokenError::BadSignature));
    }

    #[test]
    fn tampered_claims_are_refused() {
        let (token, _) = keys().issue(UserId::new(), "s", at(T0)).expect("issues");
        let mut parts = token.split('.');
        let (header, _, signature) = (parts.next(), parts.next(), parts.next());
        let other = claims_json(&UserId::new().to_string(), AUDIENCE, T0, T0 + 900);
        let forged = format!("{}.{}.{}", header.expect("header"), b64(&other), signature.expect("signature"));
        assert_eq!(keys().verify(&forged, at(T0)), Err(TokenError::BadSignature));
    }

    #[test]
    fn other_key_is_refused() {
        let (token, _) = JwtKeys::new(&generate_secret()).issue(UserId::new(), "s", at(T0)).expect("issues");
        assert_eq!(keys().verify(&token, at(T0)), Err(TokenError::BadSignature));
    }

    #[test]
    fn missing_claims_are_refused() {
        let sub = UserId::new().to_string();
        let exp = T0 + 900;
        let cases = [
            format!(r#"{{"sub":"{sub}","sid":"s","aud":"{AUDIENCE}","iat":{T0}}}"#),
            format!(r#"{{"sub":"{sub}","sid":"s","aud":"{AUDIENCE}","exp":{exp}}}"#),
            format!(r#"{{"sid":"s","aud":"{AUDIENCE}","iat":{T0},"exp":{exp}}}"#),
            format!(r#"{{"sub":"{sub}","sid":"s","iat":{T0},"exp":{exp}}}"#),
            format!(r#"{{"sub":"{sub}","aud":"{AUDIENCE}","iat":{T0},"exp":{exp}}}"#),
            format!(r#"{{"sub":"{sub}","sid":"s","aud":"{AUDIENCE}","iat":{T0},"exp":null}}"#),
        ];
        for claims in cases {
            assert_eq!(keys().verify(&hs256(&claims), at(T0)), Err(TokenError::MissingClaim), "{claims}");
        }
    }

    #[test]
    fn subject_must_be_a_user_id() {
        let token = hs256(&claims_json("admin", AUDIENCE, T0, T0 + 900));
        assert_eq!(keys().verify(&token, at(T0)), Err(TokenError::Malformed));
    }

    #[test]
    fn absurd_lifetimes_are_refused() {
        let sub = UserId::new().to_string();
        let year = hs256(&claims_json(&sub, AUDIENCE, T0, T0 + 365 * 86_400));
        assert_eq!(keys().verify(&year, at(T0)), Err(TokenError::Malformed));
        let backwards = hs256(&claims_json(&sub, AUDIENCE, T0 + 30, T0 + 10));
        assert_eq!(keys().verify(&backwards, at(T0)), Err(TokenError::Malformed));
        let extreme = hs256(&claims_json(&sub, AUDIENCE, i64::MIN, i64::MAX));
        assert_eq!(keys().verify(&extreme, at(T0)), Err(TokenError::Malformed));
    }

    #[test]
    fn wrongly_typed_claims_are_refused() {
        let sub = UserId::new().to_string();
        let claims = format!(r#"{{"sub":"{sub}","sid":"s","aud":"{AUDIENCE}","iat":{T0},"exp":"{}"}}"#, T0 + 900);
        assert_eq!(keys().verify(&hs256(&claims), at(T0)), Err(TokenError::Malformed));
    }

    #[test]
    fn garbage_is_malformed() {
        for garbage in ["", "abc", "a.b", "a.b.c", "a.b.c.d", "..", "Bearer x.y.z"] {
            assert_eq!(keys().verify(garbage, at(T0)), Err(TokenError::Malformed), "{garbage}");
        }
        let (token, _) = keys().issue(UserId::new(), "s", at(T0)).expect("issues");
        let padded = format!("{token}{}", "A".repeat(MAX_TOKEN_BYTES));
        assert_eq!(keys().verify(&padded, at(T0)), Err(TokenError::Malformed));
    }

    #[test]
    fn secrets_are_random_and_sized() {
        let a = generate_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, generate_secret());
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        assert_eq!(format!("{:?}", keys()), "JwtKeys { .. }");
    }
}
