//! Files stored with a message (the `attachments` table, data as a blob): written in
//! the transaction that writes the message, whichever way it came (mail, web form),
//! and listed with the messages and events that readers get.

use super::{get_parsed, ms};
use chrono::{DateTime, Utc};
use mentorpost_model::api::AttachmentView;
use mentorpost_model::{AttachmentId, MentorshipId, MessageId};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// A file to store with a message. The name is already clean
/// (`mentorpost_model::attachment::clean_file_name`).
#[derive(Clone, Debug)]
pub struct NewAttachment {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// Where a reader downloads an attachment (the API's route; the web app has its own
/// under the browser session).
pub fn listing_url(id: AttachmentId) -> String {
    format!("/api/v1/attachments/{id}")
}

/// Writes `files` for `message`, in the caller's transaction, and returns their
/// listings in the order given (the order readers see: `created_at`, then name).
pub(super) async fn insert(
    conn: &mut AnyConnection,
    message: MessageId,
    mentorship: MentorshipId,
    files: &[NewAttachment],
    now: DateTime<Utc>,
) -> Result<Vec<AttachmentView>, sqlx::Error> {
    let mut out = Vec::with_capacity(files.len());
    for a in files {
        let id = AttachmentId::new();
        sqlx::query(
            "INSERT INTO attachments (id, message_id, mentorship_id, name, content_type, size_bytes, data, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.to_string())
        .bind(message.to_string())
        .bind(mentorship.to_string())
        .bind(a.name.as_str())
        .bind(a.content_type.as_str())
        .bind(a.data.len() as i64)
        .bind(a.data.as_slice())
        .bind(ms(now))
        .execute(&mut *conn)
        .await?;
        out.push(AttachmentView {
            id,
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size_bytes: a.data.len() as i64,
            url: listing_url(id),
        });
    }
    Ok(out)
}

/// The listings (not the data) of each message's attachments, from the pool or inside
/// a transaction.
pub async fn listings_of<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    messages: &[MessageId],
) -> Result<HashMap<MessageId, Vec<AttachmentView>>, sqlx::Error> {
    let mut out: HashMap<MessageId, Vec<AttachmentView>> = HashMap::new();
    if messages.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT id, message_id, name, content_type, size_bytes FROM attachments WHERE message_id IN ({}) ORDER BY created_at, name",
        (1..=super::padded_len(messages.len())).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for m in super::padded(messages) {
        query = query.bind(m.to_string());
    }
    for r in &query.fetch_all(exec).await? {
        let id: AttachmentId = get_parsed(r, "id")?;
        out.entry(get_parsed(r, "message_id")?).or_default().push(AttachmentView {
            id,
            name: r.try_get("name")?,
            content_type: r.try_get("content_type")?,
            size_bytes: r.try_get("size_bytes")?,
            url: listing_url(id),
        });
    }
    Ok(out)
}
