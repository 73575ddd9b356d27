//! Tokens that mails carry in addresses and links: `reply+TOKEN@` (recipient and
//! thread), `mentorship+TOKEN@` (person and mentorship), unsubscribe links (person and
//! mentorship), and the VERP return path `bounce+TOKEN@` (person).
//!
//! A token is HMAC-SHA256 over what it stands for, keyed by a key derived from the
//! instance secret, cut to 130 bits and written in lower-case base32: mail systems may
//! change the case of an address's local part, so the alphabet has no case. Being
//! derived, the same mail always gets the same token (a resend is identical) and
//! nothing secret is stored: the database keeps only a hash for the reverse lookup.

// The kinds and the storage key belong to the table of remembered tokens.
use crate::store::mail::NewToken;
pub use crate::store::mail::{TokenKind, token_hash};
use hmac::{Hmac, Mac};
use mentorpost_model::{MentorshipId, ThreadId, UserId};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct MailTokens {
    key: [u8; 32],
}

impl MailTokens {
    pub fn new(instance_secret: &[u8]) -> MailTokens {
        let mut h = Sha256::new();
        h.update(b"mentorpost mail tokens v1\0");
        h.update(instance_secret);
        MailTokens { key: h.finalize().into() }
    }

    fn derive(&self, kind: TokenKind, user: UserId, scope: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else { return String::new() };
        mac.update(kind.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(user.to_string().as_bytes());
        mac.update(b"\0");
        mac.update(scope.as_bytes());
        base32_lower(&mac.finalize().into_bytes()[..17])[..26].to_owned()
    }

    pub fn reply(&self, user: UserId, thread: ThreadId) -> String {
        self.derive(TokenKind::Reply, user, &thread.to_string())
    }

    pub fn mentorship(&self, user: UserId, mentorship: MentorshipId) -> String {
        self.derive(TokenKind::Mentorship, user, &mentorship.to_string())
    }

    pub fn unsubscribe(&self, user: UserId, mentorship: MentorshipId) -> String {
        self.derive(TokenKind::Unsubscribe, user, &mentorship.to_string())
    }

    /// One per person: a report about any mail to them names them.
    pub fn bounce(&self, user: UserId) -> String {
        self.derive(TokenKind::Bounce, user, "")
    }
}

/// The tokens this process knows are stored. Tokens are derived, so the same few
/// recur in mail after mail (one reply token per person and thread); skipping the
/// known ones spares the database a write per batch. Stored tokens are never deleted,
/// so a stale entry cannot hide a missing row; the set is emptied when it grows past
/// a bound and simply fills again.
#[derive(Clone, Default)]
pub struct Remembered {
    known: Arc<Mutex<HashSet<String>>>,
}

/// Tokens kept in memory at most (about 100 bytes each).
const REMEMBERED_AT_MOST: usize = 100_000;

impl Remembered {
    /// The tokens not known to be stored, each once.
    pub fn unknown<'a>(&self, tokens: impl Iterator<Item = &'a NewToken>) -> Vec<NewToken> {
        let known = self.known.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut seen = HashSet::new();
        tokens.filter(|(token, ..)| !known.contains(token) && seen.insert(token.as_str())).cloned().collect()
    }

    /// Marks tokens as stored, after the write that stored them committed.
    pub fn learn(&self, tokens: Vec<String>) {
        let mut known = self.known.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if known.len() + tokens.len() > REMEMBERED_AT_MOST {
            known.clear();
        }
        known.extend(tokens);
    }
}

/// A fresh random token of the same shape (130 random bits, lower-case base32), for
/// what must be single-use and stored only hashed, yet fit an address's local part
/// as well as a link: an invitation's link and its `invite+TOKEN@` reply address.
pub fn random() -> String {
    let mut bytes = [0u8; 17];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    base32_lower(&bytes)[..26].to_owned()
}

/// Does `s` look like one of our tokens (26 characters of the base32 alphabet)?
pub fn looks_like_token(s: &str) -> bool {
    s.len() == 26 && s.bytes().all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b) || b.is_ascii_uppercase())
}

/// RFC 4648 base32, lower case, no padding. Hand-written: a dozen lines, not worth a
/// dependency.
fn base32_lower(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(char::from(ALPHABET[((buffer >> (bits - 5)) & 31) as usize]));
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(base32_lower(b"foobar"), "mzxw6ytboi");
        assert_eq!(base32_lower(b"f"), "my");
    }

    #[test]
    fn tokens_are_stable_distinct_and_case_free() {
        let t = MailTokens::new(b"secret");
        let (u, th) = (UserId::new(), ThreadId::new());
        let a = t.reply(u, th);
        assert_eq!(a, t.reply(u, th));
        assert_eq!(a.len(), 26);
        assert!(looks_like_token(&a));
        assert_ne!(a, t.reply(UserId::new(), th));
        assert_ne!(a, MailTokens::new(b"other").reply(u, th));
        assert_eq!(token_hash(&a), token_hash(&a.to_ascii_uppercase()));
        let m = MentorshipId::new();
        assert_ne!(t.mentorship(u, m), t.unsubscribe(u, m));
        let r = random();
        assert!(looks_like_token(&r), "{r}");
        assert_ne!(r, random());
    }
}
