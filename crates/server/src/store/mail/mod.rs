//! Mail in the store, by aggregate: the outbox, people's mail settings, mail tokens,
//! what notification mails say, and digests.

mod digests;
mod notifications;
mod outbox;
mod settings;
mod tokens;

pub use digests::*;
pub use notifications::*;
pub use outbox::*;
pub use settings::*;
pub use tokens::*;

/// The effective mode, as SQL over `mail_settings s`, `mail_mentorship_settings o`
/// and `users u`: a general `off` wins over everything (it means no mail at all);
/// otherwise the mentorship's own setting, else the general one, else the default.
pub const EFFECTIVE_MODE_SQL: &str = "CASE WHEN s.mode = 'off' THEN 'off'
    ELSE COALESCE(o.mode, s.mode, CASE WHEN u.password_hash IS NULL THEN 'each' ELSE 'live' END) END";

/// Placeholders `$from…` for `n` values.
pub(super) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}
