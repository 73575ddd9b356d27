//! Concerns a member shares with the programme's coordinators (safeguarding, F4): the
//! one way content reaches a coordinator, and only what the member chose. What was
//! shared is copied into the row as a snapshot at that moment, so the coordinators'
//! reads touch `concerns` alone — never `messages` or `threads` — and a later edit or
//! erasure of the message does not change what was shared.

use super::mail::{RenderedMail, queue_rendered};
use super::mentorships::{ACCESS_BY_MENTORSHIP_SQL, Access, access_from_row};
use super::{get_opt_time, get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_auth::permission::Action;
use mentorpost_model::concern::{ConcernKind, ConcernNotice, ConcernStatus, ConcernView, SharedMessage, Snapshot};
use mentorpost_model::{MentorshipId, MessageId, ProgrammeId, Refusal, ThreadId, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

/// What a member is about to share.
#[derive(Clone, Debug)]
pub enum Item {
    Message(MessageId),
    Thread(ThreadId),
    Note,
}

impl Item {
    pub fn kind(&self) -> ConcernKind {
        match self {
            Item::Message(_) => ConcernKind::Message,
            Item::Thread(_) => ConcernKind::Thread,
            Item::Note => ConcernKind::Note,
        }
    }
}

/// The snapshot of `item` as `access`'s person reads it now: a message or thread of
/// this mentorship inside their window (404 otherwise, as for reading it). The caller
/// shows it on the confirmation page, or stores it with [`share`].
pub async fn snapshot(pool: &AnyPool, access: &Access, item: &Item) -> Result<Snapshot, StoreError> {
    let rows = match item {
        Item::Note => return Ok(Snapshot::default()),
        Item::Message(id) => {
            sqlx::query(
                "SELECT t.subject, t.created_at AS thread_created_at, m.body, m.created_at, u.display_name
                 FROM messages m JOIN threads t ON t.id = m.thread_id JOIN users u ON u.id = m.author_id
                 WHERE m.id = $1 AND m.mentorship_id = $2",
            )
            .bind(id.to_string())
            .bind(access.mentorship_id.to_string())
            .fetch_all(pool)
            .await?
        }
        Item::Thread(id) => {
            sqlx::query(
                "SELECT t.subject, t.created_at AS thread_created_at, m.body, m.created_at, u.display_name
                 FROM threads t JOIN messages m ON m.thread_id = t.id JOIN users u ON u.id = m.author_id
                 WHERE t.id = $1 AND t.mentorship_id = $2 ORDER BY m.seq",
            )
            .bind(id.to_string())
            .bind(access.mentorship_id.to_string())
            .fetch_all(pool)
            .await?
        }
    };
    let Some(first) = rows.first() else { return Err(Refusal::NotFound.into()) };
    if !access.sees_thread(get_time(first, "thread_created_at")?) {
        return Err(Refusal::NotFound.into());
    }
    let until = access.visible_until().map(ms).unwrap_or(i64::MAX);
    let mut messages = Vec::with_capacity(rows.len());
    for r in &rows {
        if r.try_get::<i64, _>("created_at")? > until {
            continue;
        }
        messages.push(SharedMessage {
            author_name: r.try_get("display_name")?,
            created_at: get_time(r, "created_at")?,
            body: r.try_get("body")?,
        });
    }
    Ok(Snapshot { subject: Some(first.try_get("subject")?), messages })
}

/// A share to store.
pub struct NewConcern {
    pub mentorship: MentorshipId,
    pub by: UserId,
    pub item: Item,
    pub snapshot: Snapshot,
    pub note: String,
    pub others_may_see: bool,
}

/// Stores a share and queues the mails that tell the other members (rendered by the
/// caller), in one transaction; the sharer must still be a current member of the open
/// mentorship (checked again here, like a post).
pub async fn share(db: &Db, new: NewConcern, mails: Vec<RenderedMail>, now: DateTime<Utc>) -> Result<ConcernView, StoreError> {
    let snapshot_json = serde_json::to_string(&new.snapshot).map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
    db.write(move |conn| {
        Box::pin(async move {
            let row = sqlx::query(sqlx::AssertSqlSafe(ACCESS_BY_MENTORSHIP_SQL.as_str()))
                .bind(new.mentorship.to_string())
                .bind(new.by.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            let Some(row) = row else { return Err(Refusal::NotFound.into()) };
            let access = access_from_row(&row, new.by)?;
            access.permit(Action::WriteContent)?;
            let id = uuid::Uuid::now_v7().to_string();
            let (thread, message) = match &new.item {
                Item::Message(m) => (None, Some(m.to_string())),
                Item::Thread(t) => (Some(t.to_string()), None),
                Item::Note => (None, None),
            };
            sqlx::query(
                "INSERT INTO concerns (id, mentorship_id, programme_id, shared_by, kind, thread_id, message_id, snapshot, note, others_may_see, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id.clone())
            .bind(new.mentorship.to_string())
            .bind(access.programme_id.to_string())
            .bind(new.by.to_string())
            .bind(new.item.kind().as_str())
            .bind(thread)
            .bind(message)
            .bind(snapshot_json)
            .bind(new.note.clone())
            .bind(i64::from(new.others_may_see))
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            queue_rendered(conn, mails, now).await?;
            Ok(ConcernView {
                id,
                programme_id: access.programme_id,
                mentorship_id: new.mentorship,
                shared_by: new.by,
                shared_by_name: access.actor_name.clone(),
                kind: new.item.kind(),
                snapshot: new.snapshot,
                note: new.note,
                others_may_see: new.others_may_see,
                created_at: now,
                status: ConcernStatus::New,
                acknowledged_at: None,
                resolved_at: None,
            })
        })
    })
    .await
}

const COLUMNS: &str = "SELECT c.id, c.programme_id, c.mentorship_id, c.shared_by, u.display_name, c.kind, c.snapshot, c.note,
        c.others_may_see, c.created_at, c.acknowledged_at, c.resolved_at
     FROM concerns c JOIN users u ON u.id = c.shared_by";

fn view_from(r: &AnyRow) -> Result<ConcernView, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    let snapshot: String = r.try_get("snapshot")?;
    let acknowledged_at = get_opt_time(r, "acknowledged_at")?;
    let resolved_at = get_opt_time(r, "resolved_at")?;
    Ok(ConcernView {
        id: r.try_get("id")?,
        programme_id: get_parsed(r, "programme_id")?,
        mentorship_id: get_parsed(r, "mentorship_id")?,
        shared_by: get_parsed(r, "shared_by")?,
        shared_by_name: r.try_get("display_name")?,
        kind: ConcernKind::parse(&kind).ok_or_else(|| sqlx::Error::Decode("unknown concern kind".into()))?,
        snapshot: serde_json::from_str(&snapshot).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        note: r.try_get("note")?,
        others_may_see: r.try_get::<i64, _>("others_may_see")? != 0,
        created_at: get_time(r, "created_at")?,
        status: match (acknowledged_at, resolved_at) {
            (_, Some(_)) => ConcernStatus::Resolved,
            (Some(_), None) => ConcernStatus::Acknowledged,
            (None, None) => ConcernStatus::New,
        },
        acknowledged_at,
        resolved_at,
    })
}

/// Everything shared in a programme, newest first: what its coordinators read.
pub async fn of_programme(pool: &AnyPool, programme: ProgrammeId) -> Result<Vec<ConcernView>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE c.programme_id = $1 ORDER BY c.created_at DESC, c.id DESC")))
        .bind(programme.to_string())
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(view_from).collect::<Result<_, _>>()?)
}

pub async fn get(pool: &AnyPool, id: &str) -> Result<Option<ConcernView>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE c.id = $1"))).bind(id.to_owned()).fetch_optional(pool).await?;
    Ok(row.as_ref().map(view_from).transpose()?)
}

/// The shares of a mentorship as its member `reader` sees them, newest first: that
/// something was shared, by whom and when; what, for the sharer and when allowed.
/// Shares from before the reader joined are not listed (their window).
pub async fn of_mentorship(pool: &AnyPool, access: &Access) -> Result<Vec<ConcernNotice>, StoreError> {
    let from = access.joined_at.map(ms).unwrap_or(i64::MIN);
    let until = access.visible_until().map(ms).unwrap_or(i64::MAX);
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE c.mentorship_id = $1 AND (c.shared_by = $2 OR (c.created_at >= $3 AND c.created_at <= $4))
         ORDER BY c.created_at DESC, c.id DESC"
    )))
    .bind(access.mentorship_id.to_string())
    .bind(access.actor.user_id.to_string())
    .bind(from)
    .bind(until)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let view = view_from(r)?;
        let sees = view.shared_by == access.actor.user_id || view.others_may_see;
        out.push(ConcernNotice {
            id: view.id.clone(),
            shared_by: view.shared_by,
            shared_by_name: view.shared_by_name.clone(),
            kind: view.kind,
            created_at: view.created_at,
            shared: sees.then_some(view),
        });
    }
    Ok(out)
}

/// Marks a share acknowledged or resolved (resolving also acknowledges); repeating
/// changes nothing. The caller checked that `by` coordinates its programme.
pub async fn set_status(db: &Db, id: String, status: ConcernStatus, by: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let sql = match status {
                ConcernStatus::New => return Err(StoreError::invalid("status", "a shared concern cannot become new again")),
                ConcernStatus::Acknowledged => {
                    "UPDATE concerns SET acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3 AND acknowledged_at IS NULL"
                }
                ConcernStatus::Resolved => {
                    "UPDATE concerns SET acknowledged_at = COALESCE(acknowledged_at, $1), acknowledged_by = COALESCE(acknowledged_by, $2),
                     resolved_at = $1, resolved_by = $2 WHERE id = $3 AND resolved_at IS NULL"
                }
            };
            sqlx::query(sql).bind(ms(now)).bind(by.to_string()).bind(id).execute(&mut *conn).await?;
            Ok(())
        })
    })
    .await
}

/// The other current members of a mentorship, who are told of a share: id, name,
/// address, language.
pub async fn others_to_tell(
    pool: &AnyPool,
    mentorship: MentorshipId,
    by: UserId,
) -> Result<Vec<(UserId, String, String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, u.email, u.locale FROM mentorship_members mm JOIN users u ON u.id = mm.user_id
         WHERE mm.mentorship_id = $1 AND mm.left_at IS NULL AND mm.user_id <> $2 ORDER BY u.display_name",
    )
    .bind(mentorship.to_string())
    .bind(by.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((get_parsed(r, "id")?, r.try_get("display_name")?, r.try_get("email")?, r.try_get("locale")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// The thread a message belongs to.
pub async fn thread_of_message(pool: &AnyPool, message: MessageId) -> Result<Option<ThreadId>, StoreError> {
    let row = sqlx::query("SELECT thread_id FROM messages WHERE id = $1").bind(message.to_string()).fetch_optional(pool).await?;
    Ok(row.map(|r| get_parsed(&r, "thread_id")).transpose()?)
}
