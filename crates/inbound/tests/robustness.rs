//! Whatever the bytes, parsing returns (an error or a best-effort mail) without
//! panicking, in bounded time, and trimming never loses a word: generated mail and
//! the fixture corpus damaged by byte flips, truncation, duplicated headers, broken
//! boundaries and random bytes.

use mentorpost_inbound::{Limits, parse_with, trim};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn corpus() -> &'static Vec<Vec<u8>> {
    static CORPUS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut files: Vec<_> = std::fs::read_dir(dir).expect("fixtures").filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        // The two fixtures built to hit the limits are large; damaging them tests nothing new.
        files.retain(|p| !p.to_string_lossy().contains("huge_header") && !p.to_string_lossy().contains("deep_nesting"));
        files.iter().map(|p| std::fs::read(p).expect("fixture")).collect()
    })
}

fn words(s: &str) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for w in s.split_whitespace() {
        *m.entry(w).or_insert(0) += 1;
    }
    m
}

fn check(raw: &[u8]) -> Result<(), TestCaseError> {
    let started = Instant::now();
    let limits = Limits { max_bytes: 1 << 20 };
    if let Ok(mail) = parse_with(raw, limits) {
        let mut both = words(&mail.body.kept);
        for (w, n) in words(mail.body.trimmed.as_deref().unwrap_or_default()) {
            *both.entry(w).or_insert(0) += n;
        }
        prop_assert_eq!(both, words(&mail.text));
        if mail.body.kept.trim().is_empty() {
            prop_assert!(mail.text.trim().is_empty(), "kept is empty but the text is not");
        }
    }
    prop_assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    Ok(())
}

#[derive(Clone, Debug)]
enum Damage {
    Flip(Vec<(usize, u8)>),
    Truncate(usize),
    DuplicateHeaders(usize),
    BreakBoundaries(usize),
    Insert(usize, Vec<u8>),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        prop::collection::vec((any::<usize>(), any::<u8>()), 1..16).prop_map(Damage::Flip),
        any::<usize>().prop_map(Damage::Truncate),
        (1usize..40).prop_map(Damage::DuplicateHeaders),
        any::<usize>().prop_map(Damage::BreakBoundaries),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..64)).prop_map(|(at, b)| Damage::Insert(at, b)),
    ]
}

fn apply(mut raw: Vec<u8>, d: &Damage) -> Vec<u8> {
    let len = raw.len().max(1);
    match d {
        Damage::Flip(flips) => {
            for &(at, b) in flips {
                if !raw.is_empty() {
                    raw[at % len] = b;
                }
            }
            raw
        }
        Damage::Truncate(at) => {
            raw.truncate(at % len);
            raw
        }
        Damage::DuplicateHeaders(times) => {
            let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(raw.len());
            let headers = raw[..end].to_vec();
            let mut out = Vec::new();
            for _ in 0..*times {
                out.extend_from_slice(&headers);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(&raw[end.min(raw.len())..]);
            out
        }
        Damage::BreakBoundaries(seed) => {
            // Drop every n-th boundary line's leading dashes, or the boundary parameter.
            let text = String::from_utf8_lossy(&raw).into_owned();
            let n = seed % 3 + 1;
            let mut count = 0;
            let lines: Vec<String> = text
                .split('\n')
                .map(|l| {
                    if l.starts_with("--") {
                        count += 1;
                        if count % n == 0 {
                            return l.trim_start_matches('-').to_owned();
                        }
                    }
                    if seed % 5 == 0 { l.replace("boundary=", "boundry=") } else { l.to_owned() }
                })
                .collect();
            lines.join("\n").into_bytes()
        }
        Damage::Insert(at, bytes) => {
            let at = at % len.min(raw.len() + 1).max(1);
            let at = at.min(raw.len());
            raw.splice(at..at, bytes.iter().copied());
            raw
        }
    }
}

/// Lines real replies are made of, for generated text.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Zçğıöşüąęłńśźżáéíóúãõčďľňšťž ,.!?]{0,60}",
        Just(String::new()),
        Just("-- ".to_owned()),
        Just("--".to_owned()),
        Just("> ".to_owned()),
        "> [a-z ]{0,30}",
        Just("On Mon, 3 Mar 2025 at 10:00, Jan de Vries <jan@example.nl> wrote:".to_owned()),
        Just("Op ma 3 mrt 2025 om 10:00 schreef Jan de Vries <jan@example.nl>:".to_owned()),
        Just("Sent from my iPhone".to_owned()),
        Just("________________________________".to_owned()),
        Just("From: Jan de Vries".to_owned()),
        Just("Sent: Monday".to_owned()),
        Just("To: Sarah".to_owned()),
        Just("Subject: Re: x".to_owned()),
        Just("-----Original Message-----".to_owned()),
        Just("\r".to_owned()),
    ]
}

fn generated_mail() -> impl Strategy<Value = Vec<u8>> {
    let header = prop_oneof![
        Just("From: Jan de Vries <jan@example.nl>".to_owned()),
        Just("To: reply+abcdefghijklmnopqrstuvwxyz@mentorpost.test".to_owned()),
        Just("Subject: =?UTF-8?Q?Re:_=C3=87a=C4=9Fr=C4=B1?=".to_owned()),
        Just("Content-Type: text/html; charset=windows-1254".to_owned()),
        Just("Content-Type: text/plain; charset=x-nonsense; format=flowed".to_owned()),
        Just("Content-Type: multipart/alternative; boundary=\"b\"".to_owned()),
        Just("Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"".to_owned()),
        Just("Content-Transfer-Encoding: base64".to_owned()),
        Just("Content-Transfer-Encoding: quoted-printable".to_owned()),
        Just("Auto-Submitted: auto-replied".to_owned()),
        Just("Authentication-Results: mx; spf=pass smtp.mailfrom=example.nl".to_owned()),
        "[A-Za-z-]{1,20}: [ -~]{0,80}",
    ];
    let body_line = prop_oneof![
        line(),
        Just("--b".to_owned()),
        Just("--b--".to_owned()),
        Just("Content-Type: message/delivery-status".to_owned()),
        Just("Final-Recipient: rfc822; jan@example.nl".to_owned()),
        Just("Status: 5.1.1".to_owned()),
        Just("<blockquote type=\"cite\"><div class=\"gmail_quote\">Old</div></blockquote><p>x &amp; y &#x1F600; &bogus;".to_owned()),
        Just("=C3=A7=\r".to_owned()),
    ];
    (prop::collection::vec(header, 0..12), prop::collection::vec(body_line, 0..40)).prop_map(|(h, b)| {
        let mut s = h.join("\r\n");
        s.push_str("\r\n\r\n");
        s.push_str(&b.join("\r\n"));
        s.into_bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn damaged_corpus_never_panics(pick in any::<usize>(), d in damage(), d2 in damage()) {
        let corpus = corpus();
        let raw = corpus[pick % corpus.len()].clone();
        check(&apply(apply(raw, &d), &d2))?;
    }

    #[test]
    fn generated_mail_never_panics(raw in generated_mail()) {
        check(&raw)?;
    }

    #[test]
    fn random_bytes_never_panic(raw in prop::collection::vec(any::<u8>(), 0..2000)) {
        check(&raw)?;
    }

    #[test]
    fn trimming_keeps_every_word(lines in prop::collection::vec(line(), 0..40)) {
        let text = lines.join("\n");
        let t = trim(&text);
        let mut both = words(&t.kept);
        for (w, n) in words(t.trimmed.as_deref().unwrap_or_default()) {
            *both.entry(w).or_insert(0) += n;
        }
        prop_assert_eq!(both, words(&text));
        prop_assert!(!t.kept.trim().is_empty() || text.trim().is_empty());
    }
}
