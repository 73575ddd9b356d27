//! Actions agreed in sessions (F5): written with their session, read by the members,
//! ticked off (and reopened) by any current member. Each change appends an
//! `action.updated` event in its own transaction, so open pages see it live.

use super::events::{self, EventRefs};
use super::{get_opt_date, get_opt_parsed, get_opt_time, get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use mentorpost_model::session::{ActionView, NewAction};
use mentorpost_model::{EventKind, MentorshipId, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::HashMap;

const COLUMNS: &str = "a.id, a.mentorship_id, a.number, a.meeting_id, a.text, a.owner_id, u.display_name AS owner_name,
        a.due_on, a.created_at, a.done_at, a.done_by";
const FROM: &str = "FROM actions a JOIN users u ON u.id = a.owner_id";

fn view(r: &AnyRow) -> Result<ActionView, sqlx::Error> {
    Ok(ActionView {
        id: r.try_get("id")?,
        mentorship_id: get_parsed(r, "mentorship_id")?,
        number: r.try_get("number")?,
        text: r.try_get("text")?,
        owner_id: get_parsed(r, "owner_id")?,
        owner_name: r.try_get("owner_name")?,
        due_on: get_opt_date(r, "due_on")?,
        meeting_id: r.try_get("meeting_id")?,
        created_at: get_time(r, "created_at")?,
        done_at: get_opt_time(r, "done_at")?,
        done_by: get_opt_parsed(r, "done_by")?,
    })
}

/// Writes a session's actions in the caller's transaction, numbered after the
/// mentorship's last. The caller appended the session's event first: its update of
/// the mentorship row orders concurrent writers, so the numbers cannot collide.
pub async fn insert_in(
    conn: &mut AnyConnection,
    mentorship: MentorshipId,
    meeting: &str,
    created_by: UserId,
    actions: &[(NewAction, String)],
    now: DateTime<Utc>,
) -> Result<Vec<ActionView>, StoreError> {
    if actions.is_empty() {
        return Ok(Vec::new());
    }
    let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(number), 0) FROM actions WHERE mentorship_id = $1")
        .bind(mentorship.to_string())
        .fetch_one(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(actions.len());
    for (i, (action, owner_name)) in actions.iter().enumerate() {
        let id = uuid::Uuid::now_v7().to_string();
        let number = last + 1 + i as i64;
        let text = action.text.trim().to_owned();
        sqlx::query(
            "INSERT INTO actions (id, mentorship_id, number, meeting_id, text, owner_id, due_on, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id.clone())
        .bind(mentorship.to_string())
        .bind(number)
        .bind(meeting.to_owned())
        .bind(text.clone())
        .bind(action.owner_id.to_string())
        .bind(action.due_on.map(|d| d.to_string()))
        .bind(created_by.to_string())
        .bind(ms(now))
        .execute(&mut *conn)
        .await?;
        out.push(ActionView {
            id,
            mentorship_id: mentorship,
            number,
            text,
            owner_id: action.owner_id,
            owner_name: owner_name.clone(),
            due_on: action.due_on,
            meeting_id: Some(meeting.to_owned()),
            created_at: super::from_ms(ms(now)),
            done_at: None,
            done_by: None,
        });
    }
    Ok(out)
}

/// The mentorship's actions agreed up to `until` (a former member's view ends when
/// they left): open ones first by due date (undated last), then the done ones, most
/// recently done first.
pub async fn of_mentorship(pool: &AnyPool, mentorship: MentorshipId, until: Option<DateTime<Utc>>) -> Result<Vec<ActionView>, StoreError> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE a.mentorship_id = $1 AND a.created_at <= $2 ORDER BY a.number");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(mentorship.to_string()).bind(until.map_or(i64::MAX, ms)).fetch_all(pool).await?;
    let mut out = rows.iter().map(view).collect::<Result<Vec<_>, _>>()?;
    out.sort_by_key(|a| match a.done_at {
        None => (0, a.due_on.unwrap_or(NaiveDate::MAX), i64::MAX, a.number),
        Some(done) => (1, NaiveDate::MIN, -done.timestamp_millis(), a.number),
    });
    Ok(out)
}

/// The actions of each of the given meetings, by meeting id.
pub async fn of_meetings(pool: &AnyPool, mentorship: MentorshipId) -> Result<HashMap<String, Vec<ActionView>>, StoreError> {
    let mut out: HashMap<String, Vec<ActionView>> = HashMap::new();
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE a.mentorship_id = $1 AND a.meeting_id IS NOT NULL ORDER BY a.number");
    for r in &sqlx::query(sqlx::AssertSqlSafe(sql)).bind(mentorship.to_string()).fetch_all(pool).await? {
        let action = view(r)?;
        if let Some(meeting) = action.meeting_id.clone() {
            out.entry(meeting).or_default().push(action);
        }
    }
    Ok(out)
}

/// Open actions due before `before` (overdue ones included) in the current
/// mentorships of each of `readers`, by reader, by due date: what digests list under
/// "due this week". One query for a batch of readers.
pub async fn due_for_readers(
    pool: &AnyPool,
    readers: &[UserId],
    before: NaiveDate,
) -> Result<HashMap<UserId, Vec<ActionView>>, StoreError> {
    let mut out: HashMap<UserId, Vec<ActionView>> = HashMap::new();
    if readers.is_empty() {
        return Ok(out);
    }
    let list = (2..super::padded_len(readers.len()) + 2).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT mm.user_id AS reader, {COLUMNS} {FROM}
         JOIN mentorship_members mm ON mm.mentorship_id = a.mentorship_id AND mm.left_at IS NULL
         JOIN mentorships ms ON ms.id = a.mentorship_id AND ms.status <> 'closed'
         WHERE mm.user_id IN ({list}) AND a.done_at IS NULL AND a.due_on IS NOT NULL AND a.due_on < $1
         ORDER BY a.due_on, a.number"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(before.to_string());
    for r in super::padded(readers) {
        query = query.bind(r.to_string());
    }
    for r in &query.fetch_all(pool).await? {
        out.entry(get_parsed(r, "reader")?).or_default().push(view(r)?);
    }
    Ok(out)
}

/// Marks action `number` of the mentorship done (`done: true`) or open again. Returns
/// the action as it is now, or `None` when the mentorship has no such action. Setting
/// the state it already has changes nothing and appends no event.
pub async fn set_done(
    db: &Db,
    mentorship: MentorshipId,
    number: i64,
    by: UserId,
    done: bool,
    now: DateTime<Utc>,
) -> Result<Option<ActionView>, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let sql = format!("SELECT {COLUMNS} {FROM} WHERE a.mentorship_id = $1 AND a.number = $2");
            let Some(row) =
                sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(mentorship.to_string()).bind(number).fetch_optional(&mut *conn).await?
            else {
                return Ok(None);
            };
            let current = view(&row)?;
            if current.done_at.is_some() == done {
                return Ok(Some(current));
            }
            sqlx::query("UPDATE actions SET done_at = $1, done_by = $2 WHERE id = $3")
                .bind(done.then_some(ms(now)))
                .bind(done.then(|| by.to_string()))
                .bind(current.id.clone())
                .execute(&mut *conn)
                .await?;
            events::append(conn, mentorship, EventKind::ActionUpdated, EventRefs { actor: Some(by), ..Default::default() }, now).await?;
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(mentorship.to_string()).bind(number).fetch_one(&mut *conn).await?;
            Ok(Some(view(&row)?))
        })
    })
    .await
}

/// Someone who gets a mail about a session as it is logged.
pub struct SessionReader {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub locale: String,
    pub timezone: String,
}

/// The current members of `mentorship` other than `except` whose mail for it comes
/// one mail per message (`each`, the e-mail-only default): they hear of a session
/// when it is logged. Others see it on the page, or its due actions in their digest.
pub async fn session_readers(pool: &AnyPool, mentorship: MentorshipId, except: UserId) -> Result<Vec<SessionReader>, StoreError> {
    let sql = format!(
        "SELECT u.id, u.email, u.display_name, u.locale, u.timezone
         FROM mentorship_members mm
         JOIN users u ON u.id = mm.user_id
         LEFT JOIN mail_settings s ON s.user_id = u.id
         LEFT JOIN mail_mentorship_settings o ON o.user_id = u.id AND o.mentorship_id = mm.mentorship_id
         WHERE mm.mentorship_id = $1 AND mm.left_at IS NULL AND mm.user_id <> $2 AND ({}) = 'each'",
        super::mail::EFFECTIVE_MODE_SQL
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(mentorship.to_string()).bind(except.to_string()).fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(SessionReader {
                user_id: get_parsed(r, "id")?,
                email: r.try_get("email")?,
                display_name: r.try_get("display_name")?,
                locale: r.try_get("locale")?,
                timezone: r.try_get("timezone")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Queues the rendered session mails: (reader, mail, not before — past the reader's
/// quiet hours).
pub async fn queue_session_mails(db: &Db, mails: Vec<(UserId, String, DateTime<Utc>)>, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let mut ids = Vec::with_capacity(mails.len());
            for (user, rendered, not_before) in mails {
                let id = format!("session.{}", uuid::Uuid::now_v7());
                sqlx::query(
                    "INSERT INTO outbox (id, kind, user_id, rendered, status, not_before, attempts, created_at)
                     VALUES ($1, 'session', $2, $3, 'pending', $4, 0, $5)",
                )
                .bind(id.clone())
                .bind(user.to_string())
                .bind(rendered)
                .bind(ms(not_before.max(now)))
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
                ids.push(id);
            }
            if !ids.is_empty() {
                crate::db::note(crate::db::Note::Mail(ids));
            }
            Ok(())
        })
    })
    .await
}
