//! Erasure (the right to be forgotten): the store's side. `crate::erasure` runs it.
//!
//! [`begin`] does in one transaction what must happen at once: the account can no
//! longer be used (sign-in address replaced, password, sessions, links and reply
//! tokens gone), its name becomes the anonymous one, profile, further addresses,
//! settings, consents and enrolments go, memberships end, pending mail to the person
//! is cancelled, and an `erasures` row records the erasure. [`run`] then works
//! through what can be many rows, in batches of at most [`BATCH`], each its own
//! write, so other writers wait for one small batch at most: files and quoted mail of
//! their messages, the messages themselves (a tombstone, or kept under the anonymous
//! name, as the programme's [`ErasurePolicy`] says), raw mail, rendered copies of mail
//! to them, the texts of their forms and shares. [`finish`] marks it done.
//!
//! Every step is idempotent and selects only what is still to do, so a crash at any
//! point leaves what is done done, and [`unfinished`] finds the erasures to resume.
//!
//! What stays: the `users` row (anonymised: every row pointing at it keeps the
//! coordinator's figures counting the contact), dates, scores and choices of forms,
//! the event log, and the audit log (append-only; it names no one but by id).

use super::events::{self, EventRefs};
use super::{get_parsed, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::{EventKind, Locale, MentorshipId, UserId};
use sqlx::{AnyConnection, AnyPool, Row};

/// Rows per write: a batch holds the SQLite writer for a few milliseconds.
pub const BATCH: i64 = 500;

/// An erasure under way (or done).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Erasure {
    pub id: String,
    pub user: UserId,
}

/// What [`begin`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Begun {
    /// Started now: the account is closed, the batches are to run.
    Started(Erasure),
    /// Started earlier and not finished (a crash, or running now): resume it.
    Unfinished(Erasure),
    /// Done before; nothing to do.
    AlreadyErased,
}

/// The address an erased account keeps: unique, and in the `.invalid` domain, which
/// no mail can reach (RFC 2606).
pub fn erased_address(user: UserId) -> String {
    format!("erased-{user}@invalid")
}

/// Whether an address is one of [`erased_address`]'s.
pub fn is_erased_address(address: &str) -> bool {
    address.ends_with("@invalid")
}

/// Per-person rows that go at once: secrets, settings, enrolments, consents. `$1` is
/// the person.
const GO_AT_ONCE: &[&str] = &[
    "DELETE FROM user_emails WHERE user_id = $1",
    "DELETE FROM profiles WHERE user_id = $1",
    "DELETE FROM magic_links WHERE user_id = $1",
    "DELETE FROM ws_tickets WHERE user_id = $1",
    "DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_id = $1)",
    "DELETE FROM web_sessions WHERE session_id IN (SELECT id FROM sessions WHERE user_id = $1)",
    "DELETE FROM known_devices WHERE user_id = $1",
    "DELETE FROM mail_tokens WHERE user_id = $1",
    "DELETE FROM agreement_tokens WHERE user_id = $1",
    "DELETE FROM notice_tokens WHERE user_id = $1",
    "DELETE FROM address_confirmations WHERE user_id = $1",
    "DELETE FROM mail_settings WHERE user_id = $1",
    "DELETE FROM mail_mentorship_settings WHERE user_id = $1",
    "DELETE FROM summary_settings WHERE user_id = $1",
    "DELETE FROM summary_runs WHERE user_id = $1",
    "DELETE FROM digest_runs WHERE user_id = $1",
    "DELETE FROM reply_reminders WHERE user_id = $1",
    "DELETE FROM prompts WHERE user_id = $1",
    "DELETE FROM mail_bounces WHERE user_id = $1",
    "DELETE FROM mail_address_health WHERE user_id = $1",
    "DELETE FROM consents WHERE user_id = $1",
    "DELETE FROM programme_people WHERE user_id = $1",
    "DELETE FROM programme_coordinators WHERE user_id = $1",
    "UPDATE outbox SET status = 'cancelled' WHERE user_id = $1 AND status = 'pending'",
];

/// Starts erasing `user`: everything that must stop at once, in one transaction (see
/// the module docs). `anonymous_name` gives the name the account keeps, in the
/// person's language (the language their mentorships were held in). `requested_by`:
/// the person, an admin, or `None` for the command line.
pub async fn begin(
    db: &Db,
    user: UserId,
    requested_by: Option<UserId>,
    reason: Option<String>,
    anonymous_name: fn(Locale) -> String,
    now: DateTime<Utc>,
) -> Result<Begun, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let found = sqlx::query("SELECT email, locale, erased_at FROM users WHERE id = $1")
                .bind(user.to_string())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::not_found())?;
            if found.try_get::<Option<i64>, _>("erased_at")?.is_some() {
                return Ok(Begun::AlreadyErased);
            }
            let earlier = sqlx::query("SELECT id FROM erasures WHERE user_id = $1").bind(user.to_string()).fetch_optional(&mut *conn).await?;
            if let Some(row) = earlier {
                return Ok(Begun::Unfinished(Erasure { id: row.try_get("id")?, user }));
            }
            let mut addresses = vec![found.try_get::<String, _>("email")?];
            let further = sqlx::query("SELECT email FROM user_emails WHERE user_id = $1").bind(user.to_string()).fetch_all(&mut *conn).await?;
            for row in &further {
                addresses.push(row.try_get("email")?);
            }
            let locale = Locale::parse(&found.try_get::<String, _>("locale")?).unwrap_or_default();
            let id = uuid::Uuid::now_v7().to_string();
            sqlx::query(
                "INSERT INTO erasures (id, user_id, requested_by, reason, addresses, started_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
            )
            .bind(id.clone())
            .bind(user.to_string())
            .bind(requested_by.map(|u| u.to_string()))
            .bind(reason)
            .bind(serde_json::to_string(&addresses).unwrap_or_default())
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE users SET email = $1, display_name = $2, password_hash = NULL, is_admin = 0, updated_at = $3 WHERE id = $4",
            )
            .bind(erased_address(user))
            .bind(anonymous_name(locale))
            .bind(ms(now))
            .bind(user.to_string())
            .execute(&mut *conn)
            .await?;
            for step in GO_AT_ONCE {
                sqlx::query(sqlx::AssertSqlSafe(*step)).bind(user.to_string()).execute(&mut *conn).await?;
            }
            // Revoked, not deleted: the socket watcher closes live connections by it.
            sqlx::query(
                "UPDATE sessions SET revoked_at = COALESCE(revoked_at, $1), revoke_reason = COALESCE(revoke_reason, 'erased'), user_agent = NULL
                 WHERE user_id = $2",
            )
            .bind(ms(now))
            .bind(user.to_string())
            .execute(&mut *conn)
            .await?;
            // Invitations to any of their addresses keep their dates, not the address.
            for address in &addresses {
                sqlx::query(
                    "UPDATE invitations SET email = 'erased-' || id || '@invalid', display_name = $1 WHERE email = $2 OR user_id = $3",
                )
                .bind(anonymous_name(locale))
                .bind(address.clone())
                .bind(user.to_string())
                .execute(&mut *conn)
                .await?;
            }
            let current = sqlx::query("SELECT mentorship_id FROM mentorship_members WHERE user_id = $1 AND left_at IS NULL")
                .bind(user.to_string())
                .fetch_all(&mut *conn)
                .await?;
            for row in &current {
                let mentorship: MentorshipId = get_parsed(row, "mentorship_id")?;
                sqlx::query("UPDATE mentorship_members SET left_at = $1 WHERE mentorship_id = $2 AND user_id = $3")
                    .bind(ms(now))
                    .bind(mentorship.to_string())
                    .bind(user.to_string())
                    .execute(&mut *conn)
                    .await?;
                let refs = EventRefs { actor: requested_by, user: Some(user), ..Default::default() };
                events::append(conn, mentorship, EventKind::MemberRemoved, refs, now).await?;
            }
            Ok(Begun::Started(Erasure { id, user }))
        })
    })
    .await
}

/// The batched steps: `$1` the person, `$2` the batch size, `$3` now. Each is
/// repeated while it fills a batch.
const STEPS: &[(&str, &str)] = &[
    (
        "attachments",
        "DELETE FROM attachments WHERE id IN (SELECT a.id FROM attachments a JOIN messages m ON m.id = a.message_id
         WHERE m.author_id = $1 LIMIT $2)",
    ),
    (
        "quoted",
        "DELETE FROM message_quoted WHERE message_id IN (SELECT q.message_id FROM message_quoted q JOIN messages m ON m.id = q.message_id
         WHERE m.author_id = $1 LIMIT $2)",
    ),
    (
        "messages",
        "UPDATE messages SET body = '', deleted_at = $3, deleted_reason = 'erasure' WHERE id IN (SELECT m.id FROM messages m
         JOIN mentorships ms ON ms.id = m.mentorship_id JOIN programmes p ON p.id = ms.programme_id
         WHERE m.author_id = $1 AND m.deleted_at IS NULL AND p.erasure_policy = 'tombstone' LIMIT $2)",
    ),
    (
        "inbound_mail",
        "UPDATE inbound_mail SET raw = NULL, raw_until = NULL, envelope_from = NULL, from_address = NULL WHERE id IN
         (SELECT id FROM inbound_mail WHERE user_id = $1 AND (raw IS NOT NULL OR envelope_from IS NOT NULL OR from_address IS NOT NULL) LIMIT $2)",
    ),
    (
        "outbox",
        "UPDATE outbox SET rendered = NULL, to_address = NULL, last_error = NULL WHERE id IN (SELECT id FROM outbox WHERE user_id = $1
         AND status <> 'sending' AND (rendered IS NOT NULL OR to_address IS NOT NULL OR last_error IS NOT NULL) LIMIT $2)",
    ),
    (
        "reflections",
        "UPDATE reflections SET subject = '', wanted = '', tried = '', felt = '', went_well = '', went_less_well = '', questions = ''
         WHERE id IN (SELECT id FROM reflections WHERE author_id = $1 AND (subject <> '' OR wanted <> '' OR tried <> '' OR felt <> ''
         OR went_well <> '' OR went_less_well <> '' OR questions <> '') LIMIT $2)",
    ),
    (
        "reviews",
        "UPDATE reviews SET meetings = '', time_enough = '', topics = '', growth = '', comments = '' WHERE id IN (SELECT id FROM reviews
         WHERE user_id = $1 AND (meetings <> '' OR time_enough <> '' OR topics <> '' OR growth <> '' OR comments <> '') LIMIT $2)",
    ),
    (
        "concerns",
        "UPDATE concerns SET snapshot = '{}', note = '' WHERE id IN (SELECT id FROM concerns WHERE shared_by = $1
         AND (snapshot <> '{}' OR note <> '') LIMIT $2)",
    ),
];

/// One-row-per-mentorship forms, emptied in one statement each.
const SMALL_STEPS: &[&str] = &[
    "UPDATE closing_forms SET key_moments = '', thanks = '', achieved = '', not_achieved = '', future_needs = '' WHERE user_id = $1
     AND (key_moments <> '' OR thanks <> '' OR achieved <> '' OR not_achieved <> '' OR future_needs <> '')",
    "UPDATE follow_ups SET how_it_goes = '', still_helps = '', needs_now = '' WHERE user_id = $1
     AND (how_it_goes <> '' OR still_helps <> '' OR needs_now <> '')",
    "UPDATE exports SET expires_at = $2 WHERE user_id = $1 AND removed_at IS NULL AND expires_at > $2",
];

/// Works through the batched steps of `erasure`; returns the rows changed. After each
/// batch `after_batch` hears the number of batches so far (the command line's test
/// hook stops there to be killed).
pub async fn run(db: &Db, erasure: &Erasure, now: DateTime<Utc>, after_batch: &(dyn Fn(u64) + Sync)) -> Result<u64, StoreError> {
    let user = erasure.user;
    let mut changed = 0;
    let mut batches = 0;
    for (_, step) in STEPS {
        changed += super::in_batches(db, step, user.to_string(), BATCH, ms(now), &mut || {
            batches += 1;
            after_batch(batches);
        })
        .await?;
    }
    let id = erasure.id.clone();
    changed += db
        .write(move |conn| {
            Box::pin(async move {
                let mut n = 0;
                for step in SMALL_STEPS {
                    n += sqlx::query(sqlx::AssertSqlSafe(*step))
                        .bind(user.to_string())
                        .bind(ms(now))
                        .execute(&mut *conn)
                        .await?
                        .rows_affected();
                }
                n += forget_mail_from(conn, &id).await?;
                Ok(n)
            })
        })
        .await?;
    Ok(changed)
}

/// Mail that came from one of their addresses but was not routed to them (a
/// rejected or unknown sender), and the notices about it.
async fn forget_mail_from(conn: &mut AnyConnection, erasure: &str) -> Result<u64, sqlx::Error> {
    let row = sqlx::query("SELECT addresses FROM erasures WHERE id = $1").bind(erasure.to_owned()).fetch_optional(&mut *conn).await?;
    let raw: Option<String> = row.map(|r| r.try_get("addresses")).transpose()?.flatten();
    let addresses: Vec<String> = raw.and_then(|r| serde_json::from_str(&r).ok()).unwrap_or_default();
    let mut n = 0;
    for address in addresses {
        n += sqlx::query(
            "UPDATE inbound_mail SET raw = NULL, raw_until = NULL, envelope_from = NULL, from_address = NULL
             WHERE from_address = $1 OR envelope_from = $1",
        )
        .bind(address.clone())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        n += sqlx::query("DELETE FROM inbound_notices WHERE address = $1").bind(address.clone()).execute(&mut *conn).await?.rows_affected();
        n += sqlx::query("DELETE FROM mail_address_health WHERE address = $1")
            .bind(address.clone())
            .execute(&mut *conn)
            .await?
            .rows_affected();
        n += sqlx::query("DELETE FROM mail_bounces WHERE address = $1").bind(address).execute(&mut *conn).await?.rows_affected();
    }
    Ok(n)
}

/// Marks `erasure` done: the addresses it kept go, and every mentorship the person
/// was ever in hears `member.erased`, so open pages show the tombstones and the
/// anonymous name. Nothing happens when it was finished before.
pub async fn finish(db: &Db, erasure: &Erasure, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let erasure = erasure.clone();
    db.write(move |conn| {
        Box::pin(async move {
            let done = sqlx::query("UPDATE erasures SET finished_at = $1, addresses = NULL WHERE id = $2 AND finished_at IS NULL")
                .bind(ms(now))
                .bind(erasure.id.clone())
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if done == 0 {
                return Ok(false);
            }
            sqlx::query("UPDATE users SET erased_at = $1 WHERE id = $2")
                .bind(ms(now))
                .bind(erasure.user.to_string())
                .execute(&mut *conn)
                .await?;
            let all = sqlx::query("SELECT mentorship_id FROM mentorship_members WHERE user_id = $1")
                .bind(erasure.user.to_string())
                .fetch_all(&mut *conn)
                .await?;
            for row in &all {
                let mentorship: MentorshipId = get_parsed(row, "mentorship_id")?;
                let refs = EventRefs { user: Some(erasure.user), ..Default::default() };
                events::append(conn, mentorship, EventKind::MemberErased, refs, now).await?;
            }
            Ok(true)
        })
    })
    .await
}

/// Erasures started and not finished (a crash in the middle): to resume.
pub async fn unfinished(pool: &AnyPool) -> Result<Vec<Erasure>, StoreError> {
    let rows = sqlx::query("SELECT id, user_id FROM erasures WHERE finished_at IS NULL ORDER BY started_at").fetch_all(pool).await?;
    rows.iter()
        .map(|r| Ok(Erasure { id: r.try_get("id")?, user: get_parsed(r, "user_id")? }))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The unfinished erasure of the person who had `address` (the command line resumes
/// by the address it was given, which the account no longer has).
pub async fn unfinished_for_address(pool: &AnyPool, address: &str) -> Result<Option<Erasure>, StoreError> {
    let rows = sqlx::query("SELECT id, user_id, addresses FROM erasures WHERE finished_at IS NULL").fetch_all(pool).await?;
    for r in &rows {
        let raw: Option<String> = r.try_get("addresses")?;
        let addresses: Vec<String> = raw.and_then(|a| serde_json::from_str(&a).ok()).unwrap_or_default();
        if addresses.iter().any(|a| a == address) {
            return Ok(Some(Erasure { id: r.try_get("id")?, user: get_parsed(r, "user_id")? }));
        }
    }
    Ok(None)
}

/// The programmes `user` takes part in through a mentorship, by name, with what
/// their erasure would do to the messages there (the confirmation page says it).
pub async fn policies_of(pool: &AnyPool, user: UserId) -> Result<Vec<(String, mentorpost_model::ErasurePolicy)>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT p.name, p.erasure_policy FROM mentorship_members mm JOIN mentorships m ON m.id = mm.mentorship_id
         JOIN programmes p ON p.id = m.programme_id WHERE mm.user_id = $1 ORDER BY p.name",
    )
    .bind(user.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let policy: String = r.try_get("erasure_policy")?;
            Ok((r.try_get("name")?, mentorpost_model::ErasurePolicy::parse(&policy).unwrap_or(mentorpost_model::ErasurePolicy::Tombstone)))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
