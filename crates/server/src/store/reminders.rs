//! Replies coming due (F15): the latest message of a thread, by one side, that the
//! other side has not answered and whose agreed response time is three quarters gone.

use super::mail::EFFECTIVE_MODE_SQL;
use super::mail::{RenderedMail, queue_rendered};
use super::{get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::{MentorshipId, MessageId, ThreadId, UserId};
use sqlx::{AnyPool, Row};

/// Someone to remind about one message.
#[derive(Clone, Debug)]
pub struct Due {
    pub message_id: MessageId,
    pub thread_id: ThreadId,
    pub mentorship_id: MentorshipId,
    pub subject: String,
    pub author_name: String,
    pub written_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub user_id: UserId,
    pub email: String,
    pub locale: String,
    pub timezone: String,
}

/// People owing a reply that falls due within the last quarter of the agreed time,
/// who read this mentorship by mail message by message or on the web (`each`,
/// `live`; digest readers see overdue replies in their digest), not yet reminded.
pub async fn due(pool: &AnyPool, now: DateTime<Utc>) -> Result<Vec<Due>, StoreError> {
    let sql = format!(
        "SELECT lm.id AS message_id, t.id AS thread_id, t.mentorship_id, t.subject, au.display_name AS author_name, lm.created_at,
                ms.response_within_hours AS hours, u.id AS user_id, u.email, u.locale, u.timezone, ({mode}) AS mode
         FROM threads t
         JOIN messages lm ON lm.thread_id = t.id AND lm.seq = t.last_seq
         JOIN mentorships ms ON ms.id = t.mentorship_id AND ms.status = 'active'
         JOIN mentorship_members am ON am.mentorship_id = ms.id AND am.user_id = lm.author_id
         JOIN users au ON au.id = lm.author_id
         JOIN mentorship_members mm ON mm.mentorship_id = ms.id AND mm.left_at IS NULL AND mm.role <> am.role
              AND mm.joined_at <= t.created_at
         JOIN users u ON u.id = mm.user_id
         LEFT JOIN mail_settings s ON s.user_id = u.id
         LEFT JOIN mail_mentorship_settings o ON o.user_id = u.id AND o.mentorship_id = ms.id
         WHERE lm.source <> 'system'
           AND lm.created_at <= $1 - ms.response_within_hours * 2700000
           AND lm.created_at > $1 - ms.response_within_hours * 3600000
           AND NOT EXISTS (SELECT 1 FROM reply_reminders r WHERE r.message_id = lm.id AND r.user_id = u.id)",
        mode = EFFECTIVE_MODE_SQL
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now)).fetch_all(pool).await?;
    let mut out = Vec::new();
    for r in &rows {
        let mode: String = r.try_get("mode")?;
        if mode != "each" && mode != "live" {
            continue;
        }
        let written_at = get_time(r, "created_at")?;
        let hours: i64 = r.try_get("hours")?;
        out.push(Due {
            message_id: get_parsed(r, "message_id")?,
            thread_id: get_parsed(r, "thread_id")?,
            mentorship_id: get_parsed(r, "mentorship_id")?,
            subject: r.try_get("subject")?,
            author_name: r.try_get("author_name")?,
            written_at,
            due_at: written_at + chrono::Duration::hours(hours),
            user_id: get_parsed(r, "user_id")?,
            email: r.try_get("email")?,
            locale: r.try_get("locale")?,
            timezone: r.try_get("timezone")?,
        });
    }
    Ok(out)
}

/// Records the reminder and queues its mail in one transaction; false if it was sent.
/// Records the reminder as sent and queues its mail, to go at `not_before` (after the
/// reader's quiet hours), in one transaction.
pub async fn record(
    db: &Db,
    d: &Due,
    outbox_id: String,
    rendered: String,
    now: DateTime<Utc>,
    not_before: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (message, user) = (d.message_id, d.user_id);
    db.write(move |conn| {
        Box::pin(async move {
            let inserted =
                sqlx::query("INSERT INTO reply_reminders (message_id, user_id, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(message.to_string())
                    .bind(user.to_string())
                    .bind(ms(now))
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            if inserted == 0 {
                return Ok(false);
            }
            let mail = RenderedMail { id: outbox_id.clone(), kind: "reminder", user: Some(user), to_address: None, rendered };
            queue_rendered(conn, vec![mail], now).await?;
            if not_before > now {
                sqlx::query("UPDATE outbox SET not_before = $1 WHERE id = $2")
                    .bind(ms(not_before))
                    .bind(outbox_id)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(true)
        })
    })
    .await
}
