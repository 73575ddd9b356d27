//! The key that makes the same mail, delivered twice, post once: `Message-ID` and
//! sender when there is a Message-ID; otherwise a hash of the message without the
//! trace headers relays add (`Received`, `Return-Path`, `Delivered-To`,
//! `X-Original-To`, `Authentication-Results`).

use sha2::{Digest, Sha256};

pub fn key(raw: &[u8], message_id: Option<&str>, from: Option<&str>) -> String {
    let mut h = Sha256::new();
    match message_id {
        Some(id) => {
            h.update(b"mid\0");
            h.update(id.trim().as_bytes());
            h.update(b"\0");
            h.update(from.unwrap_or_default().to_ascii_lowercase().as_bytes());
        }
        None => {
            h.update(b"raw\0");
            h.update(raw);
        }
    }
    hex::encode(h.finalize())
}
