//! What a member's inbox shows: their threads across mentorships with unread counts and
//! whether they owe an answer, and the people of each mentorship. Reads only.

use super::{get_parsed, get_time, ms};
use crate::db::StoreError;
use chrono::{DateTime, Duration, Utc};
use mentorpost_model::{MentorshipId, MentorshipStatus, Role, ThreadId, UserId};
use sqlx::{AnyPool, Row};

/// One line of the inbox.
#[derive(Clone, Debug)]
pub struct InboxThread {
    pub id: ThreadId,
    pub mentorship_id: MentorshipId,
    pub subject: String,
    pub last_message_at: DateTime<Utc>,
    pub message_count: i64,
    pub unread: i64,
    /// The newest message is someone else's and has waited longer than the agreed
    /// response time.
    pub owes_reply: bool,
}

/// A mentorship the reader belongs to, with its current members.
#[derive(Clone, Debug)]
pub struct MyMentorship {
    pub id: MentorshipId,
    pub status: MentorshipStatus,
    pub my_role: Role,
    pub response_within_hours: i64,
    pub members: Vec<Member>,
}

#[derive(Clone, Debug)]
pub struct Member {
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
}

impl MyMentorship {
    /// The other people's names, for labelling ("Çağrı Yılmaz & Henk Jansen").
    pub fn others(&self, me: UserId) -> Vec<&str> {
        self.members.iter().filter(|m| m.user_id != me).map(|m| m.name.as_str()).collect()
    }
}

/// The reader's threads, newest activity first (the window rules of
/// `threads::summaries`), optionally of one mentorship.
pub async fn threads(
    pool: &AnyPool,
    user: UserId,
    mentorship: Option<MentorshipId>,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<Vec<InboxThread>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.id, t.mentorship_id, t.subject, t.last_message_at, t.message_count, ms.response_within_hours,
                mm.left_at,
                (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND m.seq > COALESCE(rm.seq, 0) AND m.author_id <> $1
                   AND (mm.left_at IS NULL OR m.created_at <= mm.left_at)) AS unread,
                (SELECT m.author_id FROM messages m WHERE m.thread_id = t.id ORDER BY m.seq DESC LIMIT 1) AS last_author
         FROM threads t
         JOIN mentorship_members mm ON mm.mentorship_id = t.mentorship_id AND mm.user_id = $1
         JOIN mentorships ms ON ms.id = t.mentorship_id
         LEFT JOIN read_markers rm ON rm.thread_id = t.id AND rm.user_id = $1
         WHERE t.created_at >= mm.joined_at AND (mm.left_at IS NULL OR t.created_at <= mm.left_at)
           AND ($2 = '' OR t.mentorship_id = $2)
         ORDER BY t.last_message_at DESC, t.id DESC
         LIMIT $3",
    )
    .bind(user.to_string())
    .bind(mentorship.map(|m| m.to_string()).unwrap_or_default())
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let last_message_at = get_time(row, "last_message_at")?;
        let last_author: Option<String> = row.try_get("last_author")?;
        let still_member = row.try_get::<Option<i64>, _>("left_at")?.is_none();
        let waited_too_long = ms(now) - ms(last_message_at) > Duration::hours(row.try_get("response_within_hours")?).num_milliseconds();
        let owes_reply = still_member && waited_too_long && last_author.is_some_and(|a| a != user.to_string());
        out.push(InboxThread {
            id: get_parsed(row, "id")?,
            mentorship_id: get_parsed(row, "mentorship_id")?,
            subject: row.try_get("subject")?,
            last_message_at,
            message_count: row.try_get("message_count")?,
            unread: row.try_get("unread")?,
            owes_reply,
        });
    }
    Ok(out)
}

/// The mentorships the reader currently belongs to, with their current members.
pub async fn mentorships(pool: &AnyPool, user: UserId) -> Result<Vec<MyMentorship>, StoreError> {
    let rows = sqlx::query(
        "SELECT ms.id, ms.status, ms.response_within_hours, me.role AS my_role, u.id AS member_id, u.display_name, mm.role
         FROM mentorship_members me
         JOIN mentorships ms ON ms.id = me.mentorship_id
         JOIN mentorship_members mm ON mm.mentorship_id = ms.id AND mm.left_at IS NULL
         JOIN users u ON u.id = mm.user_id
         WHERE me.user_id = $1 AND me.left_at IS NULL
         ORDER BY ms.created_at, ms.id, mm.role, u.display_name",
    )
    .bind(user.to_string())
    .fetch_all(pool)
    .await?;
    let mut out: Vec<MyMentorship> = Vec::new();
    for row in &rows {
        let id: MentorshipId = get_parsed(row, "id")?;
        let member = Member {
            user_id: get_parsed(row, "member_id")?,
            name: row.try_get("display_name")?,
            role: role(&row.try_get::<String, _>("role")?)?,
        };
        match out.last_mut() {
            Some(last) if last.id == id => last.members.push(member),
            _ => out.push(MyMentorship {
                id,
                status: MentorshipStatus::parse(&row.try_get::<String, _>("status")?)
                    .ok_or_else(|| sqlx::Error::Decode("unknown mentorship status".into()))?,
                my_role: role(&row.try_get::<String, _>("my_role")?)?,
                response_within_hours: row.try_get("response_within_hours")?,
                members: vec![member],
            }),
        }
    }
    Ok(out)
}

fn role(text: &str) -> Result<Role, sqlx::Error> {
    Role::parse(text).ok_or_else(|| sqlx::Error::Decode("unknown role".into()))
}

/// The `seq` of the last message the reader has read in a thread (0: none).
pub async fn read_seq(pool: &AnyPool, user: UserId, thread: ThreadId) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT seq FROM read_markers WHERE user_id = $1 AND thread_id = $2")
        .bind(user.to_string())
        .bind(thread.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(match row {
        Some(r) => r.try_get(0)?,
        None => 0,
    })
}
