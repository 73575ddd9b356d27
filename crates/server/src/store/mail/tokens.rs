//! Mail tokens: the kinds, their storage key, and remembering them for the way back.

use crate::db::{Db, StoreError};
use crate::store::{get_opt_parsed, get_parsed, ms};
use chrono::{DateTime, Utc};
use mentorpost_model::{MentorshipId, ThreadId, UserId};
use sqlx::{AnyConnection, AnyPool, Row};

use super::*;

/// What a token stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Reply,
    Mentorship,
    Unsubscribe,
    /// The VERP return path `bounce+TOKEN@`: delivery reports name the person.
    Bounce,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Reply => "reply",
            TokenKind::Mentorship => "mentorship",
            TokenKind::Unsubscribe => "unsubscribe",
            TokenKind::Bounce => "bounce",
        }
    }
}

/// A token's storage key.
pub fn token_hash(token: &str) -> String {
    mentorpost_auth::opaque::hash_token(&token.to_ascii_lowercase())
}

/// A token to remember: the token, what it is for, whose it is, its thread and
/// mentorship.
pub type NewToken = (String, TokenKind, UserId, Option<ThreadId>, Option<MentorshipId>);

/// Records tokens (idempotent) so inbound mail and links can be traced back.
pub async fn remember_tokens(db: &Db, tokens: Vec<NewToken>, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            insert_tokens_many(conn, tokens, now).await?;
            Ok(())
        })
    })
    .await?;
    Ok(())
}

/// What a token stands for.
#[derive(Clone, Debug)]
pub struct TokenTarget {
    pub kind: String,
    pub user_id: UserId,
    pub thread_id: Option<ThreadId>,
    pub mentorship_id: Option<MentorshipId>,
}

pub async fn find_token(pool: &AnyPool, token: &str) -> Result<Option<TokenTarget>, StoreError> {
    let row = sqlx::query("SELECT kind, user_id, thread_id, mentorship_id FROM mail_tokens WHERE token_hash = $1")
        .bind(token_hash(token))
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        Ok(TokenTarget {
            kind: r.try_get("kind")?,
            user_id: get_parsed(&r, "user_id")?,
            thread_id: get_opt_parsed(&r, "thread_id")?,
            mentorship_id: get_opt_parsed(&r, "mentorship_id")?,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| e.into())
}

/// `(…), (…)` for `rows` rows of `columns` placeholders each.
pub(super) fn rows_of(rows: usize, columns: usize) -> String {
    (0..rows).map(|r| format!("({})", placeholders(r * columns + 1, columns))).collect::<Vec<_>>().join(", ")
}

/// Tokens per statement: six binds each, well under either backend's limit.
const TOKENS_PER_INSERT: usize = 1000;

/// Like [`insert_tokens`], a statement per thousand tokens.
pub(super) async fn insert_tokens_many(conn: &mut AnyConnection, mut tokens: Vec<NewToken>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    // One statement must not name a row twice.
    let mut seen = std::collections::HashSet::new();
    tokens.retain(|(token, ..)| seen.insert(token.clone()));
    for chunk in tokens.chunks(TOKENS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO mail_tokens (token_hash, kind, user_id, thread_id, mentorship_id, created_at) VALUES {} ON CONFLICT (token_hash) DO NOTHING",
            rows_of(chunk.len(), 6)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (token, kind, user, thread, mentorship) in chunk {
            query = query
                .bind(token_hash(token))
                .bind(kind.as_str())
                .bind(user.to_string())
                .bind(thread.map(|t| t.to_string()))
                .bind(mentorship.map(|m| m.to_string()))
                .bind(ms(now));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
