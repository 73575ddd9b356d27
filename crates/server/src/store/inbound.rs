//! Received mail: the record of every mail and what became of it, posting a mailed
//! reply or new thread together with its quoted part and attachments in one
//! transaction, notices to senders (rate-limited), bounces and paused addresses.

use super::mail::{RenderedMail, queue_rendered};
use super::threads::{Posted, write_one};
use super::{get_opt_parsed, get_parsed, get_time, is_unique_violation, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Duration, Utc};
use mentorpost_model::api::{MessageView, ThreadView};
use mentorpost_model::{AttachmentId, MentorshipId, MessageId, ProgrammeId, ThreadId, UserId};
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::HashMap;

/// What became of a received mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Posted,
    ThreadCreated,
    /// An auto-reply or other automatic mail: recorded, never posted or answered.
    Automatic,
    /// A delivery status report about our own mail.
    Bounce,
    /// A bare answer to a check-in: the status was recorded, nothing posted.
    CheckinAnswer,
    /// Readable, but nothing was posted (unknown sender, no such conversation…).
    Rejected,
    /// Could not be read at all; kept for an admin.
    Failed,
    /// Sent to `postmaster`: forwarded to the instance's admins.
    Postmaster,
    /// A "yes" to an invitation: the person joined the programme by e-mail.
    Accepted,
    /// "done N": actions ticked off, nothing posted.
    ActionsDone,
    /// An "agree" to an agreement mail: the member confirmed the agreement by e-mail.
    AgreementConfirmed,
    /// A reply to a form mail (reflection, review, closing, follow-up): its answers
    /// were recorded in the member's form.
    FormAnswered,
    /// An "agree" to a new version of a programme's privacy notice: consent recorded.
    NoticeAccepted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Posted => "posted",
            Outcome::ThreadCreated => "thread_created",
            Outcome::Automatic => "automatic",
            Outcome::Bounce => "bounce",
            Outcome::CheckinAnswer => "checkin_answer",
            Outcome::Rejected => "rejected",
            Outcome::Failed => "failed",
            Outcome::Postmaster => "postmaster",
            Outcome::Accepted => "invitation_accepted",
            Outcome::ActionsDone => "actions_done",
            Outcome::AgreementConfirmed => "agreement_confirmed",
            Outcome::FormAnswered => "form_answered",
            Outcome::NoticeAccepted => "notice_accepted",
        }
    }
}

/// The row describing one received mail.
#[derive(Clone, Debug)]
pub struct Record {
    pub dedup_key: String,
    pub via: &'static str,
    pub envelope_from: Option<String>,
    pub from_address: Option<String>,
    pub outcome: Outcome,
    pub reason: Option<String>,
    pub user_id: Option<UserId>,
    pub raw: Vec<u8>,
    /// Until when the raw mail is kept for support.
    pub raw_until: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

/// Has a mail with this key been received before? Returns its outcome.
pub async fn seen(pool: &AnyPool, dedup_key: &str) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT outcome FROM inbound_mail WHERE dedup_key = $1").bind(dedup_key).fetch_optional(pool).await?;
    Ok(row.map(|r| r.try_get("outcome")).transpose()?)
}

async fn insert_record(conn: &mut AnyConnection, r: &Record, message: Option<MessageId>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO inbound_mail (id, dedup_key, via, envelope_from, from_address, outcome, reason, user_id, message_id, size_bytes, raw, raw_until, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(r.dedup_key.as_str())
    .bind(r.via)
    .bind(r.envelope_from.clone())
    .bind(r.from_address.clone())
    .bind(r.outcome.as_str())
    .bind(r.reason.clone())
    .bind(r.user_id.map(|u| u.to_string()))
    .bind(message.map(|m| m.to_string()))
    .bind(r.raw.len() as i64)
    .bind(r.raw.clone())
    .bind(ms(r.raw_until))
    .bind(ms(r.received_at))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a mail that posts nothing. False: the same mail was recorded before.
pub async fn record(db: &Db, record: Record) -> Result<bool, StoreError> {
    db.write(move |conn| Box::pin(async move { Ok(insert_record(conn, &record, None).await?) })).await
}

pub use super::attachments::NewAttachment;
pub use super::threads::Destination;

/// A message that came by mail, with what belongs to it (its files are in `new`).
#[derive(Clone, Debug)]
pub struct MailedMessage {
    pub destination: Destination,
    pub new: super::threads::NewMessage,
    pub quoted: Option<String>,
    pub record: Record,
}

/// What posting a mailed message did.
#[derive(Clone, Debug)]
pub struct MailPosted {
    pub thread: ThreadView,
    pub posted: Posted,
}

/// Posts a mailed message: the message with its attachments, mail and event rows
/// (`threads::write_one`, which also checks the sender may still post), what
/// trimming cut, and the inbound record commit together or not at all. A second
/// delivery of the same mail finds its message by the `client_msg_id` derived from
/// the mail's key and posts nothing.
pub async fn post(db: &Db, mail: MailedMessage) -> Result<MailPosted, StoreError> {
    let result = db
        .write(move |conn| {
            Box::pin(async move {
                let now = now_of(&mail);
                let (thread, mut posted) = write_one(conn, &mail.destination, &mail.new, now).await?;
                if !posted.created {
                    return Ok(MailPosted { thread, posted });
                }
                if let Some(quoted) = mail.quoted.as_deref().filter(|q| !q.trim().is_empty()) {
                    sqlx::query("INSERT INTO message_quoted (message_id, quoted) VALUES ($1, $2)")
                        .bind(posted.message.id.to_string())
                        .bind(quoted)
                        .execute(&mut *conn)
                        .await?;
                    posted.message.quoted = Some(quoted.to_owned());
                }
                insert_record(conn, &mail.record, Some(posted.message.id)).await?;
                Ok(MailPosted { thread, posted })
            })
        })
        .await;
    match result {
        // The same mail, delivered twice at the same moment: the other delivery won.
        Err(StoreError::Database(err)) if is_unique_violation(&err) => {
            Err(StoreError::conflict("duplicate", "this mail was already received"))
        }
        other => Ok(other?),
    }
}

fn now_of(mail: &MailedMessage) -> DateTime<Utc> {
    mail.record.received_at
}

/// The link a mail gives for an attachment: the web app's download, which signs the
/// reader in first and then serves the file (the API's answers a browser 401).
pub fn attachment_url(public_url: &str, id: AttachmentId) -> String {
    format!("{}/attachments/{id}", public_url.trim_end_matches('/'))
}

/// Adds attachment listings (not their data) to a page of messages.
pub async fn attach_listings(pool: &AnyPool, messages: &mut [MessageView]) -> Result<(), StoreError> {
    let ids: Vec<MessageId> = messages.iter().map(|m| m.id).collect();
    let mut listings = super::attachments::listings_of(pool, &ids).await?;
    for m in messages.iter_mut() {
        if let Some(files) = listings.remove(&m.id) {
            m.attachments = files;
        }
    }
    Ok(())
}

/// (name, size, download URL) of each message's attachments, in the order they were
/// added: what a mail about the message lists.
pub async fn attachment_names_of(
    pool: &AnyPool,
    messages: &[MessageId],
    public_url: &str,
) -> Result<HashMap<MessageId, Vec<(String, i64, String)>>, StoreError> {
    let listings = super::attachments::listings_of(pool, messages).await?;
    Ok(listings
        .into_iter()
        .map(|(message, files)| {
            let named = files.into_iter().map(|a| (a.name, a.size_bytes, attachment_url(public_url, a.id))).collect();
            (message, named)
        })
        .collect())
}

/// One attachment with its data, and where it belongs (for the permission check).
pub struct AttachmentFile {
    pub mentorship_id: MentorshipId,
    pub thread_id: ThreadId,
    pub message_created_at: DateTime<Utc>,
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

pub async fn attachment(pool: &AnyPool, id: AttachmentId) -> Result<Option<AttachmentFile>, StoreError> {
    let row = sqlx::query(
        "SELECT a.mentorship_id, m.thread_id, m.created_at, a.name, a.content_type, a.data
         FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(AttachmentFile {
        mentorship_id: get_parsed(&r, "mentorship_id")?,
        thread_id: get_parsed(&r, "thread_id")?,
        message_created_at: get_time(&r, "created_at")?,
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        data: r.try_get("data")?,
    }))
}

// ---- routing lookups ----

/// The person and thread a notification (outbox row) was about: replies whose client
/// dropped the `+token` still name it in `References`.
pub async fn outbox_target(pool: &AnyPool, outbox_id: &str) -> Result<Option<(UserId, ThreadId)>, StoreError> {
    let row = sqlx::query("SELECT o.user_id, m.thread_id FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.id = $1")
        .bind(outbox_id)
        .fetch_optional(pool)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let user: Option<UserId> = get_opt_parsed(&r, "user_id")?;
    Ok(user.map(|u| Ok::<_, sqlx::Error>((u, get_parsed(&r, "thread_id")?))).transpose()?)
}

/// The account a (verified) address belongs to.
pub async fn user_by_address(pool: &AnyPool, address: &str) -> Result<Option<UserId>, StoreError> {
    let row = sqlx::query(
        "SELECT id FROM users WHERE email = $1
         UNION SELECT user_id FROM user_emails WHERE email = $1 AND verified_at IS NOT NULL",
    )
    .bind(address.to_lowercase())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| get_parsed(&r, "id")).transpose()?)
}

/// Is `address` one of `user`'s verified addresses?
pub async fn is_verified_address(pool: &AnyPool, user: UserId, address: &str) -> Result<bool, StoreError> {
    Ok(user_by_address(pool, address).await? == Some(user))
}

/// Is this thread a mentorship's check-in thread? (Answers there are statuses.)
pub async fn thread_mentorship(pool: &AnyPool, thread: ThreadId) -> Result<Option<MentorshipId>, StoreError> {
    let row = sqlx::query("SELECT mentorship_id FROM threads WHERE id = $1").bind(thread.to_string()).fetch_optional(pool).await?;
    Ok(row.map(|r| get_parsed(&r, "mentorship_id")).transpose()?)
}

// ---- notices ----

/// Claims the one notice of `kind` to `address` allowed per day. True: send it.
pub async fn claim_notice(db: &Db, address: String, kind: &'static str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let day = now.format("%Y-%m-%d").to_string();
    db.write(move |conn| {
        Box::pin(async move {
            let done =
                sqlx::query("INSERT INTO inbound_notices (address, kind, day, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                    .bind(address.to_lowercase())
                    .bind(kind)
                    .bind(day)
                    .bind(ms(now))
                    .execute(&mut *conn)
                    .await?;
            Ok(done.rows_affected() == 1)
        })
    })
    .await
}

/// Queues a rendered notice for `to` (a person, or a sender without an account).
pub async fn queue_notice(
    db: &Db,
    id: String,
    user: Option<UserId>,
    to: String,
    rendered: String,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            queue_rendered(conn, vec![RenderedMail { id, kind: "notice", user, to_address: Some(to), rendered }], now).await?;
            Ok(())
        })
    })
    .await?;
    Ok(())
}

/// The instance's admins: (id, address, language) — who reads mail to postmaster.
pub async fn admins(pool: &AnyPool) -> Result<Vec<(UserId, String, String)>, StoreError> {
    let rows = sqlx::query("SELECT id, email, locale FROM users WHERE is_admin = 1 ORDER BY created_at").fetch_all(pool).await?;
    rows.iter()
        .map(|r| Ok((get_parsed(r, "id")?, r.try_get("email")?, r.try_get("locale")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Queues a mail that carries a link to act on (security mail: it goes even when the
/// person's own address is paused for bouncing, and its text is not kept once sent).
pub async fn queue_link_mail(db: &Db, user: UserId, to: String, rendered: String, now: DateTime<Utc>) -> Result<(), StoreError> {
    let id = uuid::Uuid::now_v7().simple().to_string();
    db.write(move |conn| {
        Box::pin(async move {
            queue_rendered(conn, vec![RenderedMail { id, kind: "security", user: Some(user), to_address: Some(to), rendered }], now)
                .await?;
            Ok(())
        })
    })
    .await?;
    Ok(())
}

// ---- adding the address a mail came from ----

/// How long a mailed "add this address" link works.
pub const ADDRESS_LINK_DAYS: i64 = 7;

/// Creates a single-use link token that adds `address` to `user`'s addresses.
pub async fn create_address_confirmation(db: &Db, user: UserId, address: String, now: DateTime<Utc>) -> Result<String, StoreError> {
    let token = mentorpost_auth::opaque::generate_token();
    let hash = mentorpost_auth::opaque::hash_token(&token);
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query("INSERT INTO address_confirmations (token_hash, user_id, address, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(hash)
                .bind(user.to_string())
                .bind(address.to_lowercase())
                .bind(ms(now + Duration::days(ADDRESS_LINK_DAYS)))
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    })
    .await?;
    Ok(token)
}

/// The (person, address) of a link that still works.
pub async fn address_confirmation(pool: &AnyPool, token: &str, now: DateTime<Utc>) -> Result<Option<(UserId, String)>, StoreError> {
    let row =
        sqlx::query("SELECT user_id, address FROM address_confirmations WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(mentorpost_auth::opaque::hash_token(token))
            .bind(ms(now))
            .fetch_optional(pool)
            .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some((get_parsed(&r, "user_id")?, r.try_get("address")?)))
}

/// Uses the link: the address becomes one of the person's verified addresses.
/// `None` when the link is unknown, used or expired.
pub async fn confirm_address(db: &Db, token: String, now: DateTime<Utc>) -> Result<Option<(UserId, String)>, StoreError> {
    let result = db
        .write(move |conn| {
            Box::pin(async move {
                let row = sqlx::query(
                    "UPDATE address_confirmations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
                     RETURNING user_id, address",
                )
                .bind(ms(now))
                .bind(mentorpost_auth::opaque::hash_token(&token))
                .fetch_optional(&mut *conn)
                .await?;
                let Some(r) = row else { return Ok(None) };
                let user: UserId = get_parsed(&r, "user_id")?;
                let address: String = r.try_get("address")?;
                let taken =
                    sqlx::query("SELECT id AS owner FROM users WHERE email = $1 UNION SELECT user_id FROM user_emails WHERE email = $1")
                        .bind(address.as_str())
                        .fetch_optional(&mut *conn)
                        .await?;
                match taken {
                    Some(t) if get_parsed::<UserId>(&t, "owner")? == user => {}
                    Some(_) => return Err(StoreError::conflict("email_taken", "this address belongs to another account")),
                    None => {
                        sqlx::query("INSERT INTO user_emails (email, user_id, verified_at, created_at) VALUES ($1, $2, $3, $3)")
                            .bind(address.as_str())
                            .bind(user.to_string())
                            .bind(ms(now))
                            .execute(&mut *conn)
                            .await?;
                    }
                }
                Ok(Some((user, address)))
            })
        })
        .await?;
    Ok(result)
}

// ---- bounces ----

/// Score at which an address's mail pauses: a hard failure counts 2, a soft one 1,
/// over the last 30 days. Two hard bounces, or four soft ones, pause it.
pub const BOUNCE_THRESHOLD: i64 = 4;
const BOUNCE_WINDOW_DAYS: i64 = 30;

/// Records a failure report; returns whether the address is now paused.
pub async fn record_bounce(
    db: &Db,
    user: UserId,
    address: String,
    status: String,
    permanent: bool,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    record_failure(db, user, address, status, permanent, false, now).await
}

/// Records an abuse complaint (an ARF feedback report): like a hard bounce, but the
/// address's mail pauses at once — a person who calls our mail spam gets no more of it.
pub async fn record_complaint(db: &Db, user: UserId, address: String, now: DateTime<Utc>) -> Result<bool, StoreError> {
    record_failure(db, user, address, "complaint".to_owned(), true, true, now).await
}

async fn record_failure(
    db: &Db,
    user: UserId,
    address: String,
    status: String,
    permanent: bool,
    pause_now: bool,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    db
        .write(move |conn| {
            Box::pin(async move {
                let address = address.to_lowercase();
                sqlx::query("INSERT INTO mail_bounces (id, user_id, address, status, permanent, at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(user.to_string())
                    .bind(address.as_str())
                    .bind(status)
                    .bind(i64::from(permanent))
                    .bind(ms(now))
                    .execute(&mut *conn)
                    .await?;
                let score: i64 = sqlx::query(
                    "SELECT COALESCE(SUM(CASE WHEN permanent = 1 THEN 2 ELSE 1 END), 0) AS score FROM mail_bounces WHERE address = $1 AND at > $2",
                )
                .bind(address.as_str())
                .bind(ms(now - Duration::days(BOUNCE_WINDOW_DAYS)))
                .fetch_one(&mut *conn)
                .await?
                .try_get("score")?;
                let pause = pause_now || score >= BOUNCE_THRESHOLD;
                sqlx::query(
                    "INSERT INTO mail_address_health (address, user_id, score, paused_at, updated_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (address) DO UPDATE SET score = excluded.score, user_id = excluded.user_id,
                       paused_at = COALESCE(mail_address_health.paused_at, excluded.paused_at), updated_at = excluded.updated_at",
                )
                .bind(address.as_str())
                .bind(user.to_string())
                .bind(score)
                .bind(pause.then_some(ms(now)))
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
                let paused: Option<i64> = sqlx::query("SELECT paused_at FROM mail_address_health WHERE address = $1")
                    .bind(address.as_str())
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get("paused_at")?;
                Ok(paused.is_some())
            })
        })
        .await
}

/// Since when `user`'s mail is paused because their address bounces, if it is.
pub async fn paused_since(pool: &AnyPool, user: UserId) -> Result<Option<DateTime<Utc>>, StoreError> {
    let row = sqlx::query(
        "SELECT h.paused_at FROM mail_address_health h JOIN users u ON u.id = h.user_id AND u.email = h.address
         WHERE h.user_id = $1 AND h.paused_at IS NOT NULL",
    )
    .bind(user.to_string())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| super::get_opt_time(&r, "paused_at")).transpose()?.flatten())
}

/// Resumes mail to `user`'s address (they fixed their mailbox): the score starts over.
/// Starts a person's mail over after bounces; true when some address of theirs was
/// paused (a change), false when there was nothing to resume.
pub async fn resume(db: &Db, user: UserId) -> Result<bool, StoreError> {
    let was_paused = db
        .write(move |conn| {
            Box::pin(async move {
                let paused: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM mail_address_health WHERE user_id = $1 AND paused_at IS NOT NULL")
                        .bind(user.to_string())
                        .fetch_one(&mut *conn)
                        .await?;
                sqlx::query("DELETE FROM mail_bounces WHERE user_id = $1").bind(user.to_string()).execute(&mut *conn).await?;
                sqlx::query("DELETE FROM mail_address_health WHERE user_id = $1").bind(user.to_string()).execute(&mut *conn).await?;
                Ok(paused > 0)
            })
        })
        .await?;
    Ok(was_paused)
}

/// People in a programme's active mentorships whose mail is paused: what the
/// coordinator sees ("address bouncing"), without any content.
pub async fn bouncing_in_programme(
    pool: &AnyPool,
    programme: ProgrammeId,
) -> Result<Vec<(UserId, MentorshipId, DateTime<Utc>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT h.user_id, mm.mentorship_id, h.paused_at FROM mail_address_health h
         JOIN users u ON u.id = h.user_id AND u.email = h.address
         JOIN mentorship_members mm ON mm.user_id = h.user_id AND mm.left_at IS NULL
         JOIN mentorships ms ON ms.id = mm.mentorship_id
         WHERE ms.programme_id = $1 AND h.paused_at IS NOT NULL ORDER BY h.paused_at",
    )
    .bind(programme.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((get_parsed(r, "user_id")?, get_parsed(r, "mentorship_id")?, get_time(r, "paused_at")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

// ---- for admins ----

/// A received mail that could not be read, or was refused, for `mentorpost inbound failed`.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct InboundProblem {
    pub id: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub from_address: Option<String>,
    pub size_bytes: i64,
    pub received_at: DateTime<Utc>,
}

pub async fn problems(pool: &AnyPool, include_rejected: bool) -> Result<Vec<InboundProblem>, StoreError> {
    let filter = if include_rejected { "outcome IN ('failed', 'rejected', 'postmaster')" } else { "outcome IN ('failed', 'postmaster')" };
    let sql = format!(
        "SELECT id, outcome, reason, from_address, size_bytes, received_at FROM inbound_mail WHERE {filter} ORDER BY received_at DESC LIMIT 500"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(InboundProblem {
                id: r.try_get("id")?,
                outcome: r.try_get("outcome")?,
                reason: r.try_get("reason")?,
                from_address: r.try_get("from_address")?,
                size_bytes: r.try_get("size_bytes")?,
                received_at: get_time(r, "received_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The raw mail of one record, while it is kept.
pub async fn raw(pool: &AnyPool, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let row = sqlx::query("SELECT raw FROM inbound_mail WHERE id = $1").bind(id).fetch_optional(pool).await?;
    Ok(row.map(|r| r.try_get::<Option<Vec<u8>>, _>("raw")).transpose()?.flatten())
}

/// Clears raw mail past its keeping time; returns how many.
pub async fn purge_raw(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let done = sqlx::query("UPDATE inbound_mail SET raw = NULL, raw_until = NULL WHERE raw_until < $1")
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
            Ok(done.rows_affected())
        })
    })
    .await
}

/// Counts by outcome (tests, metrics).
pub async fn outcome_counts(pool: &AnyPool) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query("SELECT outcome, COUNT(*) AS n FROM inbound_mail GROUP BY outcome ORDER BY outcome").fetch_all(pool).await?;
    rows.iter().map(|r| Ok((r.try_get("outcome")?, r.try_get("n")?))).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
}
