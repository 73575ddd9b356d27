//! What the notification mails of a batch of claimed outbox rows say, read in a few statements.

use crate::db::StoreError;
use crate::store::{get_opt_parsed, get_opt_time, get_parsed, get_time};
use chrono::{DateTime, Utc};
use mentorpost_model::mail::{MailMode, MailSettings, MembershipChange, membership_changes};
use mentorpost_model::{MentorshipId, MessageId, ThreadId, UserId};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;

use super::*;

/// Everything needed to write one notification mail.
#[derive(Clone, Debug)]
pub struct NotificationData {
    pub recipient_email: String,
    pub recipient_name: String,
    pub recipient_locale: String,
    pub recipient_timezone: String,
    pub mode: MailMode,
    pub settings: MailSettings,
    pub still_member: bool,
    /// Mail to the recipient's address is paused because it bounces.
    pub paused: bool,
    /// Its author deleted the message before the mail went out.
    pub deleted: bool,
    /// The recipient's read marker in the thread is at or past the message.
    pub already_read: bool,
    pub mentorship_id: MentorshipId,
    pub thread_id: ThreadId,
    pub thread_subject: String,
    pub is_reply: bool,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// The previous message by someone else in the thread: (author, body).
    pub answers: Option<(String, String)>,
    /// Member names, for the List-Id phrase.
    pub member_names: Vec<String>,
    /// Who joined or left the mentorship since its previous message (not the reader).
    pub membership_changes: Vec<MembershipChange>,
    /// The message's attachments: (name, size, link).
    pub attachments: Vec<(String, i64, String)>,
}

/// What the notification mails of a batch of claimed outbox rows need, by outbox id,
/// in four statements for the whole batch (six per mail made the worker's reads the
/// larger part of what a mail costs). A row whose message is gone is missing from the
/// map.
pub async fn notifications_data(
    pool: &AnyPool,
    outbox_ids: &[String],
    public_url: &str,
) -> Result<HashMap<String, NotificationData>, StoreError> {
    let mut out = HashMap::with_capacity(outbox_ids.len());
    for chunk in outbox_ids.chunks(NOTIFICATIONS_PER_READ) {
        notifications_chunk(pool, chunk, public_url, &mut out).await?;
    }
    Ok(out)
}

/// Outbox rows per read: one placeholder each, far below either backend's limit.
const NOTIFICATIONS_PER_READ: usize = 512;

async fn notifications_chunk(
    pool: &AnyPool,
    outbox_ids: &[String],
    public_url: &str,
    out: &mut HashMap<String, NotificationData>,
) -> Result<(), StoreError> {
    if outbox_ids.is_empty() {
        return Ok(());
    }
    // `earlier` only asks whether one earlier message exists: counting them all walked
    // the whole thread for every mail, which grew with the thread.
    let sql = format!(
        "SELECT ob.id AS outbox_id, u.email, u.display_name, u.locale, u.timezone, ({mode}) AS mode,
                CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password,
                s.mode AS own_mode, s.digest_hour, s.digest_weekday, s.quiet_start, s.quiet_end, s.missed_delay_minutes,
                mm.left_at, mm.user_id AS member,
                CASE WHEN mm.joined_at <= t.created_at THEN 1 ELSE 0 END AS sees_thread,
                COALESCE(rm.seq, 0) AS read_seq,
                m.seq, m.body, m.created_at, m.deleted_at, m.id AS message_id, au.display_name AS author_name,
                t.id AS thread_id, t.subject, t.mentorship_id,
                (SELECT COUNT(*) FROM (SELECT 1 FROM messages p WHERE p.thread_id = m.thread_id AND p.seq < m.seq LIMIT 1) e) AS earlier,
                (SELECT MAX(p.created_at) FROM messages p WHERE p.mentorship_id = m.mentorship_id AND p.created_at < m.created_at) AS previous_at,
                (SELECT p.id FROM messages p WHERE p.thread_id = m.thread_id AND p.seq < m.seq AND p.author_id <> m.author_id
                 ORDER BY p.seq DESC LIMIT 1) AS answer_id,
                (SELECT COUNT(*) FROM mail_address_health h
                 WHERE h.user_id = u.id AND h.address = u.email AND h.paused_at IS NOT NULL) AS paused
         FROM outbox ob
         JOIN messages m ON m.id = ob.message_id
         JOIN threads t ON t.id = m.thread_id
         JOIN users au ON au.id = m.author_id
         JOIN users u ON u.id = ob.user_id
         LEFT JOIN mentorship_members mm ON mm.mentorship_id = m.mentorship_id AND mm.user_id = u.id
         LEFT JOIN mail_settings s ON s.user_id = u.id
         LEFT JOIN mail_mentorship_settings o ON o.user_id = u.id AND o.mentorship_id = m.mentorship_id
         LEFT JOIN read_markers rm ON rm.user_id = u.id AND rm.thread_id = m.thread_id
         WHERE ob.id IN ({ids})",
        mode = EFFECTIVE_MODE_SQL,
        ids = placeholders(1, crate::store::padded_len(outbox_ids.len()))
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in crate::store::padded(outbox_ids) {
        query = query.bind(id.as_str());
    }
    let rows = query.fetch_all(pool).await?;
    let mut answer_ids: Vec<String> = Vec::new();
    let mut mentorships: Vec<MentorshipId> = Vec::new();
    let mut messages: Vec<MessageId> = Vec::new();
    for r in &rows {
        if let Some(answer) = r.try_get::<Option<String>, _>("answer_id")? {
            answer_ids.push(answer);
        }
        mentorships.push(get_parsed(r, "mentorship_id")?);
        messages.push(get_parsed(r, "message_id")?);
    }
    answer_ids.sort_unstable();
    answer_ids.dedup();
    mentorships.sort_unstable();
    mentorships.dedup();
    messages.sort_unstable();
    messages.dedup();
    let answers = bodies_of(pool, &answer_ids).await?;
    let members = members_of(pool, &mentorships).await?;
    let attachments = crate::store::inbound::attachment_names_of(pool, &messages, public_url).await?;
    for r in &rows {
        let seq: i64 = r.try_get("seq")?;
        let mentorship_id: MentorshipId = get_parsed(r, "mentorship_id")?;
        let message_id: MessageId = get_parsed(r, "message_id")?;
        let mode: String = r.try_get("mode")?;
        let answer = r.try_get::<Option<String>, _>("answer_id")?.and_then(|a| answers.get(&a).cloned());
        out.insert(
            r.try_get("outbox_id")?,
            NotificationData {
                recipient_email: r.try_get("email")?,
                recipient_name: r.try_get("display_name")?,
                recipient_locale: r.try_get("locale")?,
                recipient_timezone: r.try_get("timezone")?,
                mode: MailMode::parse(&mode).unwrap_or(MailMode::Off),
                settings: settings_from_row(r)?,
                // A member who left, or left and came back after the thread started,
                // no longer reads it.
                still_member: r.try_get::<Option<String>, _>("member")?.is_some()
                    && r.try_get::<Option<i64>, _>("left_at")?.is_none()
                    && r.try_get::<Option<i64>, _>("sees_thread")? == Some(1),
                paused: r.try_get::<i64, _>("paused")? > 0,
                deleted: r.try_get::<Option<i64>, _>("deleted_at")?.is_some(),
                already_read: r.try_get::<i64, _>("read_seq")? >= seq,
                mentorship_id,
                thread_id: get_parsed(r, "thread_id")?,
                thread_subject: r.try_get("subject")?,
                is_reply: r.try_get::<i64, _>("earlier")? > 0,
                author_name: r.try_get("author_name")?,
                body: r.try_get("body")?,
                created_at: get_time(r, "created_at")?,
                answers: answer,
                // Several mails of a batch may share a mentorship or a message.
                member_names: members.get(&mentorship_id).map(|m| member_names(m)).unwrap_or_default(),
                // Who joined or left since the mentorship's previous message.
                membership_changes: match (members.get(&mentorship_id), get_opt_parsed::<UserId>(r, "member")?) {
                    (Some(all), Some(reader)) => {
                        let created: DateTime<Utc> = get_time(r, "created_at")?;
                        let previous = get_opt_time(r, "previous_at")?.unwrap_or(DateTime::<Utc>::MIN_UTC);
                        membership_changes(all, reader, previous, created)
                    }
                    _ => Vec::new(),
                },
                attachments: attachments.get(&message_id).cloned().unwrap_or_default(),
            },
        );
    }
    Ok(())
}

/// Author name and body of each message, by id.
async fn bodies_of(pool: &AnyPool, ids: &[String]) -> Result<HashMap<String, (String, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT p.id, au.display_name, p.body FROM messages p JOIN users au ON au.id = p.author_id WHERE p.id IN ({}) AND p.deleted_at IS NULL",
        placeholders(1, crate::store::padded_len(ids.len()))
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in crate::store::padded(ids) {
        query = query.bind(id.as_str());
    }
    let mut out = HashMap::with_capacity(ids.len());
    for r in &query.fetch_all(pool).await? {
        out.insert(r.try_get("id")?, (r.try_get("display_name")?, r.try_get("body")?));
    }
    Ok(out)
}
