//! Whole-message behaviour beyond the corpus table: what the server reads.

use mentorpost_inbound::{ParseError, parse};

const MAIL: &str = "Received: from mail.example.nl by mx.mentorpost.test; Mon, 3 Mar 2025 10:20:31 +0100\r\n\
Return-Path: <jan@example.nl>\r\n\
Delivered-To: reply+abcdefghijklmnopqrstuvwxyz@mentorpost.test\r\n\
From: Jan de Vries <jan@Example.NL>\r\n\
To: reply+abcdefghijklmnopqrstuvwxyz@mentorpost.test\r\n\
Subject: RE: Planning\r\n\
In-Reply-To: <post.1@mentorpost.test>\r\n\
References: <thread.1@mentorpost.test> <post.1@mentorpost.test>\r\n\
X-Auto-Response-Suppress: All\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Dinsdag is goed.\r\n";

#[test]
fn exchange_suppress_header_alone_is_not_automatic() {
    let mail = parse(MAIL.as_bytes()).expect("parses");
    assert_eq!(mail.automatic, None);
    assert_eq!(mail.body.kept, "Dinsdag is goed.");
    assert_eq!(mail.from.as_ref().map(|f| f.address.as_str()), Some("jan@example.nl"));
    assert_eq!(mail.references, vec!["post.1@mentorpost.test", "thread.1@mentorpost.test"]);
    assert_eq!(mail.recipients, vec!["reply+abcdefghijklmnopqrstuvwxyz@mentorpost.test"]);
    assert!(!mail.auth.sender_verified(), "no Authentication-Results: not verified");
}

#[test]
fn dedup_ignores_relay_trace_without_message_id() {
    let other_chain = MAIL
        .replace("Received: from mail.example.nl by mx.mentorpost.test;", "Received: from relay2.example.org by mx2.mentorpost.test;")
        .replace("Return-Path: <jan@example.nl>\r\n", "Received: from a by b; Mon, 3 Mar 2025\r\nARC-Seal: i=1; a=rsa-sha256; cv=none\r\nAuthentication-Results: mx2; spf=pass smtp.mailfrom=example.nl\r\n");
    let a = parse(MAIL.as_bytes()).expect("parses");
    let b = parse(other_chain.as_bytes()).expect("parses");
    assert_eq!(a.message_id, None);
    assert_eq!(a.dedup_key, b.dedup_key);
    let c = parse(MAIL.replace("Dinsdag is goed.", "Woensdag is goed.").as_bytes()).expect("parses");
    assert_ne!(a.dedup_key, c.dedup_key);
    let with_id = MAIL.replace("Subject:", "Message-ID: <abc@example.nl>\r\nSubject:");
    let d = parse(with_id.as_bytes()).expect("parses");
    let e = parse(with_id.replace("Dinsdag", "Donderdag").as_bytes()).expect("parses");
    assert_eq!(d.message_id.as_deref(), Some("abc@example.nl"));
    assert_eq!(d.dedup_key, e.dedup_key, "same Message-ID and sender: same mail");
}

#[test]
fn aligned_authentication_results_verify_the_sender() {
    let signed = MAIL.replace(
        "Subject:",
        "Authentication-Results: mx.mentorpost.test; spf=pass (ok) smtp.mailfrom=jan@mail.example.nl; dmarc=none\r\nSubject:",
    );
    assert!(parse(signed.as_bytes()).expect("parses").auth.sender_verified());
    let foreign =
        MAIL.replace("Subject:", "Authentication-Results: mx.mentorpost.test; spf=pass smtp.mailfrom=attacker.example\r\nSubject:");
    assert!(!parse(foreign.as_bytes()).expect("parses").auth.sender_verified());
}

#[test]
fn limits_refuse_with_a_reason() {
    assert_eq!(parse(b"  \r\n").err(), Some(ParseError::Empty));
    let big = vec![b'a'; 11 * 1024 * 1024];
    assert!(matches!(parse(&big), Err(ParseError::TooLarge { .. })));
}
