//! Mentorships: members, agreement, lifecycle, and who may do what with them.

use super::events::{self, EventRefs};
use super::{get_opt_date, get_opt_parsed, get_opt_time, get_parsed, get_time, ms};
use crate::db::{Db, WriteError};
use crate::error::ApiError;
use chrono::{DateTime, NaiveDate, Utc};
use mentorpost_auth::permission::{Actor, MembershipState, Relation};
use mentorpost_model::api::{AgreementView, MemberSpec, MemberView, MentorshipView};
use mentorpost_model::{AgreementContent, EventKind, MentorshipId, MentorshipStatus, ProgrammeId, Rhythm, Role, ThreadId, UserId};
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::HashMap;
use std::sync::LazyLock;

/// Everything a permission decision about one mentorship needs, read in one query.
#[derive(Clone, Debug)]
pub struct Access {
    pub mentorship_id: MentorshipId,
    pub programme_id: ProgrammeId,
    pub status: MentorshipStatus,
    pub role: Option<Role>,
    pub left_at: Option<DateTime<Utc>>,
    pub coordinator: bool,
    pub actor: Actor,
    /// The caller's display name (messages carry it).
    pub actor_name: String,
}

impl Access {
    pub fn relation(&self) -> Relation {
        Relation {
            coordinator: self.coordinator,
            membership: self.role.map(
                |role| {
                    if self.left_at.is_some() { MembershipState::Former(role) } else { MembershipState::Active(role) }
                },
            ),
            mentorship_closed: self.status == MentorshipStatus::Closed,
        }
    }

    /// The last moment whose content this person may read: their leaving time for a
    /// former member, unbounded otherwise.
    pub fn visible_until(&self) -> Option<DateTime<Utc>> {
        self.left_at
    }
}

const ACCESS_COLUMNS: &str = "SELECT m.id AS mentorship_id, m.programme_id, m.status, mm.role, mm.left_at,
        (SELECT COUNT(*) FROM programme_coordinators pc WHERE pc.programme_id = m.programme_id AND pc.user_id = $2) AS coord,
        (SELECT is_admin FROM users WHERE id = $2) AS is_admin,
        (SELECT display_name FROM users WHERE id = $2) AS actor_name";

pub static ACCESS_BY_MENTORSHIP_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{ACCESS_COLUMNS} FROM mentorships m LEFT JOIN mentorship_members mm ON mm.mentorship_id = m.id AND mm.user_id = $2 WHERE m.id = $1"
    )
});

pub static ACCESS_BY_THREAD_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{ACCESS_COLUMNS}, t.created_at AS thread_created_at FROM threads t JOIN mentorships m ON m.id = t.mentorship_id
         LEFT JOIN mentorship_members mm ON mm.mentorship_id = m.id AND mm.user_id = $2 WHERE t.id = $1"
    )
});

pub fn access_from_row(row: &sqlx::any::AnyRow, user: UserId) -> Result<Access, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let role: Option<String> = row.try_get("role")?;
    Ok(Access {
        mentorship_id: get_parsed(row, "mentorship_id")?,
        programme_id: get_parsed(row, "programme_id")?,
        status: MentorshipStatus::parse(&status).unwrap_or(MentorshipStatus::Closed),
        role: role.as_deref().and_then(Role::parse),
        left_at: get_opt_time(row, "left_at")?,
        coordinator: row.try_get::<i64, _>("coord")? > 0,
        actor: Actor { user_id: user, is_admin: row.try_get::<Option<i64>, _>("is_admin")?.unwrap_or(0) != 0 },
        actor_name: row.try_get::<Option<String>, _>("actor_name")?.unwrap_or_default(),
    })
}

pub async fn access(pool: &AnyPool, mentorship: MentorshipId, user: UserId) -> Result<Option<Access>, ApiError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(ACCESS_BY_MENTORSHIP_SQL.as_str()))
        .bind(mentorship.to_string())
        .bind(user.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| access_from_row(&r, user)).transpose()?)
}

/// Access to the mentorship that owns `thread`; also says when the thread was created
/// (a former member sees only threads started before they left).
pub async fn access_by_thread(pool: &AnyPool, thread: ThreadId, user: UserId) -> Result<Option<(Access, DateTime<Utc>)>, ApiError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(ACCESS_BY_THREAD_SQL.as_str()))
        .bind(thread.to_string())
        .bind(user.to_string())
        .fetch_optional(pool)
        .await?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some((access_from_row(&r, user)?, get_time(&r, "thread_created_at")?))),
    }
}

pub fn check_members(members: &[MemberSpec]) -> Result<(), ApiError> {
    if !members.iter().any(|m| m.role == Role::Mentor) || !members.iter().any(|m| m.role == Role::Mentee) {
        return Err(ApiError::unprocessable("members_incomplete", "a mentorship needs at least one mentor and one mentee"));
    }
    for (i, m) in members.iter().enumerate() {
        if members[..i].iter().any(|o| o.user_id == m.user_id) {
            return Err(ApiError::unprocessable("duplicate_member", "a person can be listed only once"));
        }
    }
    if members.len() > 50 {
        return Err(ApiError::unprocessable("too_many_members", "a mentorship has at most 50 members"));
    }
    Ok(())
}

pub struct NewMentorship {
    pub programme_id: ProgrammeId,
    pub members: Vec<MemberSpec>,
    pub start_date: Option<NaiveDate>,
    pub rhythm: Rhythm,
    pub status: MentorshipStatus,
    pub replaces: Option<MentorshipId>,
}

/// Inserts a mentorship with its members inside the caller's transaction.
async fn insert(conn: &mut AnyConnection, new: &NewMentorship, actor: UserId, now: DateTime<Utc>) -> Result<MentorshipId, WriteError> {
    let id = MentorshipId::new();
    for m in &new.members {
        let exists = sqlx::query("SELECT 1 FROM users WHERE id = $1").bind(m.user_id.to_string()).fetch_optional(&mut *conn).await?;
        if exists.is_none() {
            return Err(ApiError::unprocessable("unknown_user", "a listed member does not exist").into());
        }
    }
    sqlx::query(
        "INSERT INTO mentorships (id, programme_id, status, start_date, contact_every_days, response_within_hours, meeting_rhythm,
                                  ground_rules, goals, agreement_updated_at, last_seq, replaces_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '', '', $8, 0, $9, $8)",
    )
    .bind(id.to_string())
    .bind(new.programme_id.to_string())
    .bind(new.status.as_str())
    .bind(new.start_date.map(|d| d.to_string()))
    .bind(new.rhythm.contact_every_days)
    .bind(new.rhythm.response_within_hours)
    .bind(new.rhythm.meeting_rhythm.clone())
    .bind(ms(now))
    .bind(new.replaces.map(|r| r.to_string()))
    .execute(&mut *conn)
    .await?;
    for m in &new.members {
        sqlx::query("INSERT INTO mentorship_members (mentorship_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)")
            .bind(id.to_string())
            .bind(m.user_id.to_string())
            .bind(m.role.as_str())
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
        events::append(
            conn,
            id,
            EventKind::MemberAdded,
            EventRefs { actor: Some(actor), user: Some(m.user_id), ..Default::default() },
            now,
        )
        .await?;
    }
    Ok(id)
}

pub async fn create(db: &Db, new: NewMentorship, actor: UserId, now: DateTime<Utc>) -> Result<MentorshipId, ApiError> {
    Ok(db.write(Box::new(move |conn| Box::pin(async move { insert(conn, &new, actor, now).await }))).await?)
}

/// Closes `old` (reason `re_paired`) and creates its successor in one transaction.
pub async fn repair(db: &Db, old: MentorshipId, new: NewMentorship, actor: UserId, now: DateTime<Utc>) -> Result<MentorshipId, ApiError> {
    Ok(db
        .write(Box::new(move |conn| {
            Box::pin(async move {
                close_in(conn, old, "re_paired", actor, now).await?;
                insert(conn, &new, actor, now).await
            })
        }))
        .await?)
}

async fn close_in(conn: &mut AnyConnection, id: MentorshipId, reason: &str, actor: UserId, now: DateTime<Utc>) -> Result<(), WriteError> {
    let done =
        sqlx::query("UPDATE mentorships SET status = 'closed', end_reason = $1, closed_at = $2 WHERE id = $3 AND status <> 'closed'")
            .bind(reason)
            .bind(ms(now))
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::conflict("already_closed", "this mentorship is already closed").into());
    }
    events::append(conn, id, EventKind::MentorshipUpdated, EventRefs { actor: Some(actor), ..Default::default() }, now).await?;
    Ok(())
}

pub async fn close(db: &Db, id: MentorshipId, reason: String, actor: UserId, now: DateTime<Utc>) -> Result<(), ApiError> {
    Ok(db.write(Box::new(move |conn| Box::pin(async move { close_in(conn, id, &reason, actor, now).await }))).await?)
}

pub async fn activate(db: &Db, id: MentorshipId, actor: UserId, now: DateTime<Utc>) -> Result<(), ApiError> {
    db.write(Box::new(move |conn| {
        Box::pin(async move {
            let done = sqlx::query("UPDATE mentorships SET status = 'active' WHERE id = $1 AND status = 'proposed'")
                .bind(id.to_string())
                .execute(&mut *conn)
                .await?;
            if done.rows_affected() == 0 {
                return Err(ApiError::conflict("not_proposed", "only a proposed mentorship can be activated").into());
            }
            events::append(conn, id, EventKind::MentorshipUpdated, EventRefs { actor: Some(actor), ..Default::default() }, now).await?;
            Ok::<_, WriteError>(())
        })
    }))
    .await?;
    Ok(())
}

pub async fn set_rhythm(db: &Db, id: MentorshipId, rhythm: Rhythm, actor: UserId, now: DateTime<Utc>) -> Result<(), ApiError> {
    db.write(Box::new(move |conn| {
        Box::pin(async move {
            sqlx::query("UPDATE mentorships SET contact_every_days = $1, response_within_hours = $2, meeting_rhythm = $3, agreement_updated_at = $4 WHERE id = $5")
                .bind(rhythm.contact_every_days)
                .bind(rhythm.response_within_hours)
                .bind(rhythm.meeting_rhythm)
                .bind(ms(now))
                .bind(id.to_string())
                .execute(&mut *conn)
                .await?;
            events::append(conn, id, EventKind::AgreementUpdated, EventRefs { actor: Some(actor), ..Default::default() }, now).await?;
            Ok::<_, WriteError>(())
        })
    }))
    .await?;
    Ok(())
}

pub async fn set_content(db: &Db, id: MentorshipId, content: AgreementContent, actor: UserId, now: DateTime<Utc>) -> Result<(), ApiError> {
    db.write(Box::new(move |conn| {
        Box::pin(async move {
            sqlx::query("UPDATE mentorships SET ground_rules = $1, goals = $2, agreement_updated_at = $3 WHERE id = $4")
                .bind(content.ground_rules)
                .bind(content.goals)
                .bind(ms(now))
                .bind(id.to_string())
                .execute(&mut *conn)
                .await?;
            events::append(conn, id, EventKind::AgreementUpdated, EventRefs { actor: Some(actor), ..Default::default() }, now).await?;
            Ok::<_, WriteError>(())
        })
    }))
    .await?;
    Ok(())
}

pub async fn add_member(db: &Db, id: MentorshipId, member: MemberSpec, actor: UserId, now: DateTime<Utc>) -> Result<(), ApiError> {
    db.write(Box::new(move |conn| {
        Box::pin(async move {
            let exists =
                sqlx::query("SELECT 1 FROM users WHERE id = $1").bind(member.user_id.to_string()).fetch_optional(&mut *conn).await?;
            if exists.is_none() {
                return Err(ApiError::unprocessable("unknown_user", "no such user").into());
            }
            let current = sqlx::query("SELECT left_at FROM mentorship_members WHERE mentorship_id = $1 AND user_id = $2")
                .bind(id.to_string())
                .bind(member.user_id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            match current {
                Some(row) if row.try_get::<Option<i64>, _>(0)?.is_none() => {
                    return Err(ApiError::conflict("already_member", "this person is already a member").into());
                }
                Some(_) => {
                    // Rejoining: the history between leaving and rejoining becomes
                    // visible again, which is what a returning member expects.
                    sqlx::query("UPDATE mentorship_members SET role = $1, left_at = NULL WHERE mentorship_id = $2 AND user_id = $3")
                        .bind(member.role.as_str())
                        .bind(id.to_string())
                        .bind(member.user_id.to_string())
                        .execute(&mut *conn)
                        .await?;
                }
                None => {
                    sqlx::query("INSERT INTO mentorship_members (mentorship_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)")
                        .bind(id.to_string())
                        .bind(member.user_id.to_string())
                        .bind(member.role.as_str())
                        .bind(ms(now))
                        .execute(&mut *conn)
                        .await?;
                }
            }
            events::append(
                conn,
                id,
                EventKind::MemberAdded,
                EventRefs { actor: Some(actor), user: Some(member.user_id), ..Default::default() },
                now,
            )
            .await?;
            Ok::<_, WriteError>(())
        })
    }))
    .await?;
    Ok(())
}

pub async fn remove_member(db: &Db, id: MentorshipId, user: UserId, actor: UserId, now: DateTime<Utc>) -> Result<(), ApiError> {
    db.write(Box::new(move |conn| {
        Box::pin(async move {
            let done =
                sqlx::query("UPDATE mentorship_members SET left_at = $1 WHERE mentorship_id = $2 AND user_id = $3 AND left_at IS NULL")
                    .bind(ms(now))
                    .bind(id.to_string())
                    .bind(user.to_string())
                    .execute(&mut *conn)
                    .await?;
            if done.rows_affected() == 0 {
                return Err(ApiError::NotFound.into());
            }
            events::append(
                conn,
                id,
                EventKind::MemberRemoved,
                EventRefs { actor: Some(actor), user: Some(user), ..Default::default() },
                now,
            )
            .await?;
            Ok::<_, WriteError>(())
        })
    }))
    .await?;
    Ok(())
}

pub async fn get(pool: &AnyPool, id: MentorshipId) -> Result<Option<MentorshipView>, ApiError> {
    let Some(row) = sqlx::query("SELECT * FROM mentorships WHERE id = $1").bind(id.to_string()).fetch_optional(pool).await? else {
        return Ok(None);
    };
    let members = sqlx::query(sqlx::AssertSqlSafe(format!("{MEMBER_SELECT} WHERE mm.mentorship_id = $1 ORDER BY mm.role, u.display_name")))
        .bind(id.to_string())
        .fetch_all(pool)
        .await?
        .iter()
        .map(member_from_row)
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let status: String = row.try_get("status")?;
    Ok(Some(MentorshipView {
        id,
        programme_id: get_parsed(&row, "programme_id")?,
        status: MentorshipStatus::parse(&status).unwrap_or(MentorshipStatus::Closed),
        end_reason: row.try_get("end_reason")?,
        start_date: get_opt_date(&row, "start_date")?,
        members,
        rhythm: rhythm_from_row(&row)?,
        last_seq: Some(row.try_get("last_seq")?),
        replaces: get_opt_parsed(&row, "replaces_id")?,
        created_at: get_time(&row, "created_at")?,
    }))
}

const MEMBER_SELECT: &str = "SELECT mm.mentorship_id, mm.user_id, u.display_name, mm.role, mm.joined_at, mm.left_at FROM mentorship_members mm JOIN users u ON u.id = mm.user_id";

fn member_from_row(r: &sqlx::any::AnyRow) -> Result<MemberView, sqlx::Error> {
    let role: String = r.try_get("role")?;
    Ok(MemberView {
        user_id: get_parsed(r, "user_id")?,
        display_name: r.try_get("display_name")?,
        role: Role::parse(&role).unwrap_or(Role::Mentee),
        joined_at: get_time(r, "joined_at")?,
        left_at: get_opt_time(r, "left_at")?,
    })
}

/// The members of every mentorship of a programme, in one query, ordered as [`get`]
/// orders them.
pub async fn programme_members(pool: &AnyPool, programme: ProgrammeId) -> Result<HashMap<MentorshipId, Vec<MemberView>>, ApiError> {
    let sql = format!(
        "{MEMBER_SELECT} JOIN mentorships ms ON ms.id = mm.mentorship_id WHERE ms.programme_id = $1 ORDER BY mm.mentorship_id, mm.role, u.display_name"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.to_string()).fetch_all(pool).await?;
    let mut out: HashMap<MentorshipId, Vec<MemberView>> = HashMap::new();
    for r in &rows {
        out.entry(get_parsed(r, "mentorship_id")?).or_default().push(member_from_row(r)?);
    }
    Ok(out)
}

fn rhythm_from_row(row: &sqlx::any::AnyRow) -> Result<Rhythm, sqlx::Error> {
    Ok(Rhythm {
        contact_every_days: row.try_get("contact_every_days")?,
        response_within_hours: row.try_get("response_within_hours")?,
        meeting_rhythm: row.try_get("meeting_rhythm")?,
    })
}

pub async fn agreement(pool: &AnyPool, id: MentorshipId) -> Result<Option<AgreementView>, ApiError> {
    let row = sqlx::query("SELECT contact_every_days, response_within_hours, meeting_rhythm, ground_rules, goals, agreement_updated_at FROM mentorships WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(AgreementView {
        rhythm: rhythm_from_row(&row)?,
        content: AgreementContent { ground_rules: row.try_get("ground_rules")?, goals: row.try_get("goals")? },
        updated_at: get_time(&row, "agreement_updated_at")?,
    }))
}

/// Mentorship ids of a programme, newest first.
pub async fn ids_in_programme(pool: &AnyPool, programme: ProgrammeId) -> Result<Vec<MentorshipId>, ApiError> {
    let rows = sqlx::query("SELECT id FROM mentorships WHERE programme_id = $1 ORDER BY created_at DESC, id")
        .bind(programme.to_string())
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(|r| get_parsed(r, "id")).collect::<Result<_, _>>()?)
}

/// Mentorships `user` belongs to or belonged to.
pub async fn ids_of_member(pool: &AnyPool, user: UserId) -> Result<Vec<MentorshipId>, ApiError> {
    let rows = sqlx::query("SELECT mentorship_id FROM mentorship_members WHERE user_id = $1 ORDER BY joined_at DESC")
        .bind(user.to_string())
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(|r| get_parsed(r, "mentorship_id")).collect::<Result<_, _>>()?)
}

/// The mentorships `user` is an active member of, with their latest sequence number.
pub async fn active_subscriptions(pool: &AnyPool, user: UserId) -> Result<Vec<(MentorshipId, i64)>, ApiError> {
    let rows = sqlx::query(
        "SELECT m.id, m.last_seq FROM mentorship_members mm JOIN mentorships m ON m.id = mm.mentorship_id
         WHERE mm.user_id = $1 AND mm.left_at IS NULL ORDER BY m.id",
    )
    .bind(user.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((get_parsed(r, "id")?, r.try_get::<i64, _>("last_seq")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
