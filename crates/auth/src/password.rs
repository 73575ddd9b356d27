//! Password hashing and checking.
//!
//! Argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane): memory-hard,
//! so a stolen hash table is expensive to attack on GPUs, yet a login costs only tens
//! of milliseconds. Hashes are stored as PHC strings, which carry algorithm, parameters
//! and salt, so the parameters can be raised later without invalidating old hashes.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, Salt, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

use crate::AuthError;

/// Memory cost in KiB (OWASP: 19 MiB).
const MEMORY_KIB: u32 = 19_456;
/// Number of passes over the memory.
const ITERATIONS: u32 = 2;
/// Degree of parallelism.
const LANES: u32 = 1;

/// Minimum length in characters: long enough that online guessing is hopeless.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Maximum length in bytes, so a request cannot make the server hash megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

fn hasher() -> Result<Argon2<'static>, AuthError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).map_err(|_| AuthError::Hashing)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with argon2id and a fresh random salt; returns the PHC string.
///
/// Refuses passwords over [`MAX_PASSWORD_BYTES`] (as [`AuthError::WeakPassword`]):
/// [`verify_password`] never accepts them, so such a hash would lock the account.
/// The other strength rules are left to [`check_password_strength`], so callers
/// decide where they apply.
pub fn hash_password(plain: &str) -> Result<String, AuthError> {
    if plain.len() > MAX_PASSWORD_BYTES {
        return Err(AuthError::WeakPassword("longer than 1024 bytes"));
    }
    let mut salt_bytes = [0u8; Salt::RECOMMENDED_LENGTH];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| AuthError::Hashing)?;
    let hash = hasher()?.hash_password(plain.as_bytes(), &salt).map_err(|_| AuthError::Hashing)?;
    Ok(hash.to_string())
}

/// Whether `plain` matches the PHC string `phc`. False on mismatch, on an unparsable
/// or non-argon2 hash, and for over-long input (bounded before any hashing work).
pub fn verify_password(plain: &str, phc: &str) -> bool {
    if plain.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    // The parameters come from the stored hash, so hashes made with older
    // parameters keep verifying after the constants above change.
    Argon2::default().verify_password(plain.as_bytes(), &parsed).is_ok()
}

/// Spends the time of one [`verify_password`] against a fixed hash, for logins whose
/// e-mail address matches no account (or an account without a password). Without it
/// such a login returns measurably faster, which would reveal which addresses exist.
pub fn dummy_verify(plain: &str) {
    static DUMMY_HASH: OnceLock<Option<String>> = OnceLock::new();
    // Computed on first use rather than at build time so it always reflects the
    // current parameters. If hashing ever failed there is nothing useful to
    // compare against; real logins would then fail too.
    let hash = DUMMY_HASH.get_or_init(|| hash_password("mentorpost dummy password").ok());
    if let Some(hash) = hash {
        // The result is meaningless; only the time spent matters.
        let _ = verify_password(plain, hash);
    }
}

/// The most common passwords (Django's list, see `common-passwords.NOTICE`), lower-cased,
/// one a line, most common first.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// Whether `plain` is one of the ~20,000 most common passwords, ignoring case and
/// surrounding spaces: the first words an attacker tries against every account.
pub fn is_common_password(plain: &str) -> bool {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    let set = SET.get_or_init(|| COMMON_PASSWORDS.lines().map(str::trim).filter(|l| !l.is_empty()).collect());
    set.contains(plain.trim().to_lowercase().as_str())
}

/// The reason [`check_password_strength`] gives for a common password.
pub const COMMON_PASSWORD: &str = "one of the most common passwords";

/// Minimal strength rules for a chosen password: at least [`MIN_PASSWORD_CHARS`]
/// characters, at most [`MAX_PASSWORD_BYTES`] bytes, not one character repeated, and
/// not one of the most common passwords ([`is_common_password`]).
pub fn check_password_strength(plain: &str) -> Result<(), AuthError> {
    // Byte length first: it is O(1) and bounds the character scans below.
    if plain.len() > MAX_PASSWORD_BYTES {
        return Err(AuthError::WeakPassword("longer than 1024 bytes"));
    }
    if plain.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::WeakPassword("shorter than 10 characters"));
    }
    let mut chars = plain.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err(AuthError::WeakPassword("a single repeated character"));
    }
    if is_common_password(plain) {
        return Err(AuthError::WeakPassword(COMMON_PASSWORD));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Argon2 at production parameters is slow, so the whole suite computes only three
    // hashes: two here and the one behind `dummy_verify`.
    #[test]
    fn hash_and_verify_round_trip() {
        let first = hash_password("correct horse battery").expect("hashes");
        assert!(first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{first}");
        assert!(verify_password("correct horse battery", &first));
        assert!(!verify_password("correct horse batterY", &first));
        // Refused before hashing, whatever the stored hash.
        assert!(!verify_password(&"x".repeat(MAX_PASSWORD_BYTES + 1), &first));

        // A fresh salt each time: equal passwords do not give equal hashes.
        let second = hash_password("correct horse battery").expect("hashes");
        assert_ne!(first, second);
    }

    #[test]
    fn dummy_verify_runs() {
        dummy_verify("whatever");
        dummy_verify("whatever");
    }

    #[test]
    fn verify_rejects_unusable_hashes_without_hashing() {
        assert!(!verify_password("anything at all", ""));
        assert!(!verify_password("anything at all", "not a hash"));
        assert!(!verify_password("anything at all", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"));
        // A PHC string of another algorithm parses but cannot be verified by argon2.
        assert!(!verify_password("anything at all", "$pbkdf2-sha256$i=1000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"));
    }

    #[test]
    fn over_long_passwords_are_not_hashed() {
        let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        assert!(matches!(hash_password(&long), Err(AuthError::WeakPassword(_))));
    }

    #[test]
    fn strength_rules() {
        assert!(check_password_strength("tensymbols").is_ok());
        assert!(check_password_strength("correct horse battery staple").is_ok());
        assert!(matches!(check_password_strength("ninechars"), Err(AuthError::WeakPassword(_))));
        assert!(matches!(check_password_strength(""), Err(AuthError::WeakPassword(_))));
        assert!(matches!(check_password_strength("aaaaaaaaaaaa"), Err(AuthError::WeakPassword(_))));
        // Ten characters, but twenty bytes: characters count, not bytes.
        assert!(check_password_strength("ééééééééèé").is_ok());
        assert!(matches!(check_password_strength("ééééééééé"), Err(AuthError::WeakPassword(_))));
        assert!(check_password_strength(&"ab".repeat(512)).is_ok());
        assert!(matches!(check_password_strength(&"ab".repeat(513)), Err(AuthError::WeakPassword(_))));
    }

    #[test]
    fn weak_password_message_is_readable() {
        let err = check_password_strength("short").expect_err("too short");
        assert_eq!(err.to_string(), "password too weak: shorter than 10 characters");
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert!(COMMON_PASSWORDS.lines().count() > 19_000);
        assert!(is_common_password("password"));
        assert!(is_common_password("Password1"));
        assert!(is_common_password(" QWERTYUIOP "));
        assert!(!is_common_password("correct horse battery"));
        assert!(matches!(check_password_strength("1q2w3e4r5t"), Err(AuthError::WeakPassword(COMMON_PASSWORD))));
        assert!(matches!(check_password_strength("Qwertyuiop"), Err(AuthError::WeakPassword(COMMON_PASSWORD))));
        assert!(check_password_strength("correct horse battery").is_ok());
    }
}
