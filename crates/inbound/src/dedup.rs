//! The key that makes the same mail, delivered twice, post once: `Message-ID` and
//! sender when there is a Message-ID; otherwise a hash of the message without the
//! trace headers relays add (`Received`, `X-Received`, `Return-Path`, `Delivered-To`,
//! `X-Original-To`, `Envelope-To`, `Authentication-Results`, `ARC-*`,
//! `Received-SPF`), with line endings normalised. `DKIM-Signature` is kept: it is the
//! sender's, not a relay's.

use sha2::{Digest, Sha256};

const TRACE: &[&str] = &[
    "received",
    "x-received",
    "return-path",
    "delivered-to",
    "x-original-to",
    "envelope-to",
    "x-envelope-to",
    "authentication-results",
    "received-spf",
];

pub fn key(raw: &[u8], message_id: Option<&str>, from: Option<&str>) -> String {
    let mut h = Sha256::new();
    match message_id {
        Some(id) => {
            h.update(b"mid\0");
            h.update(id.trim().trim_matches(['<', '>']).as_bytes());
            h.update(b"\0");
            h.update(from.unwrap_or_default().trim().to_ascii_lowercase().as_bytes());
        }
        None => {
            h.update(b"raw\0");
            h.update(without_trace(raw));
        }
    }
    hex::encode(h.finalize())
}

/// The message with trace header fields (and their continuation lines) removed and
/// CRLF turned into LF.
fn without_trace(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut in_headers = true;
    let mut skipping = false;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        let bare = line.strip_suffix(b"\n").unwrap_or(line);
        let bare = bare.strip_suffix(b"\r").unwrap_or(bare);
        if in_headers {
            if bare.is_empty() {
                in_headers = false;
            } else if bare[0] == b' ' || bare[0] == b'\t' {
                if skipping {
                    continue;
                }
            } else {
                let name = bare.split(|&b| b == b':').next().unwrap_or_default();
                let name = String::from_utf8_lossy(name).trim().to_ascii_lowercase();
                skipping = TRACE.contains(&name.as_str()) || name.starts_with("arc-");
                if skipping {
                    continue;
                }
            }
        }
        out.extend_from_slice(bare);
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_headers_do_not_change_the_key() {
        let a = b"Received: from a by b;\r\n\tMon, 3 Mar 2025\r\nFrom: jan@example.nl\r\nSubject: x\r\n\r\nHallo\r\n";
        let b = b"Received: from c by d\r\nReceived: from e\r\nARC-Seal: i=1\r\nFrom: jan@example.nl\r\nSubject: x\r\n\r\nHallo\r\n";
        let c = b"From: jan@example.nl\r\nSubject: x\r\n\r\nHallo!\r\n";
        assert_eq!(key(a, None, None), key(b, None, None));
        assert_ne!(key(a, None, None), key(c, None, None));
        assert_eq!(key(a, Some("<x@y>"), Some("Jan@example.nl")), key(c, Some("x@y"), Some("jan@example.nl")));
    }
}
