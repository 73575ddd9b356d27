//! Opaque bearer tokens: refresh tokens, magic-link tokens, WebSocket tickets and
//! reply-by-mail tokens.
//!
//! They carry no meaning of their own; the database maps them to what they grant.
//! Only [`hash_token`] of a token is ever stored, so a leaked database dump cannot be
//! replayed. A plain unsalted SHA-256 suffices (unlike for passwords) because the
//! tokens have 256 bits of entropy: there is nothing to brute-force.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Random bytes per token: 256 bits, beyond any guessing attack.
const TOKEN_BYTES: usize = 32;

/// Length of a token in URL-safe base64 without padding (`ceil(32 * 8 / 6)`).
const TOKEN_CHARS: usize = 43;

/// A fresh token: 32 random bytes as URL-safe base64 without padding (43 characters),
/// so it fits into URLs, e-mail reply addresses and headers unescaped.
pub fn generate_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    // `ThreadRng` is a CSPRNG seeded from the OS and periodically reseeded.
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token: SHA-256 of its text, lowercase hex.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `s` has the shape of a token from [`generate_token`]. A cheap filter that
/// spares the database a lookup for obvious garbage; it proves nothing.
pub fn looks_like_token(s: &str) -> bool {
    s.len() == TOKEN_CHARS && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_documented_shape() {
        let token = generate_token();
        assert_eq!(token.len(), 43);
        assert!(looks_like_token(&token));
        let decoded = URL_SAFE_NO_PAD.decode(&token).expect("valid base64");
        assert_eq!(decoded.len(), 32);
    }

    #[test]
    fn tokens_differ() {
        assert_ne!(generate_token(), generate_token());
    }

    #[test]
    fn hash_is_sha256_lower_hex() {
        // Known SHA-256 of "abc" (FIPS 180-2 test vector).
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let token = generate_token();
        assert_eq!(hash_token(&token), hash_token(&token));
        assert_ne!(hash_token(&token), token);
    }

    #[test]
    fn shape_check_rejects_garbage() {
        assert!(!looks_like_token(""));
        assert!(!looks_like_token(&"a".repeat(42)));
        assert!(!looks_like_token(&"a".repeat(44)));
        // Standard-alphabet characters and padding are not ours.
        assert!(!looks_like_token(&format!("{}+", "a".repeat(42))));
        assert!(!looks_like_token(&format!("{}/", "a".repeat(42))));
        assert!(!looks_like_token(&format!("{}=", "a".repeat(42))));
        // 43 bytes but not 43 ASCII characters.
        assert!(!looks_like_token(&format!("{}é", "a".repeat(41))));
        assert!(looks_like_token(&format!("{}-_", "a".repeat(41))));
    }
}
