//! Mentorships: members, agreement, lifecycle, and who may do what with them.

use super::events::{self, EventRefs};
use super::{get_opt_date, get_opt_parsed, get_parsed, get_time, ms};
use crate::db::{Db, Note, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use mentorpost_auth::permission::{Action, Actor, Decision, MembershipState, Relation, decide};
use mentorpost_model::api::{AgreementView, MemberSpec, MemberView, MentorshipView};
use mentorpost_model::{AgreementContent, EventKind, MentorshipId, MentorshipStatus, ProgrammeId, Refusal, Rhythm, Role, ThreadId, UserId};
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
    /// When the caller's (latest) membership began: they see threads started from then on.
    pub joined_at: Option<DateTime<Utc>>,
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

    /// Whether this person may do `action` here: the permission rules' verdict as a
    /// refusal (403 for those who may know the mentorship exists, 404 for the rest).
    pub fn permit(&self, action: Action) -> Result<(), Refusal> {
        match decide(Some(&self.actor), &self.relation(), action) {
            Decision::Allow => Ok(()),
            Decision::Forbidden => Err(Refusal::forbidden("your role in this programme does not allow this")),
            // An actor is always present here, so "log in first" cannot arise.
            Decision::NotFound | Decision::Unauthenticated => Err(Refusal::NotFound),
        }
    }

    /// The window of thread starts this person may read (see [`Window`]).
    pub fn window(&self) -> Window {
        Window { from: self.joined_at, until: self.left_at }
    }

    /// Whether a thread started at `started` belongs to what this person may read.
    pub fn sees_thread(&self, started: DateTime<Utc>) -> bool {
        self.window().covers(started)
    }
}

/// What a member may read of a mentorship: the threads started while they were a
/// member. Someone added to a running mentorship does not read what was written
/// before they came (G12: the others wrote it for the people then present); someone
/// who left reads nothing started after they left. Outside a membership (`None`
/// bounds) nothing limits the window, which only matters for callers that already
/// passed the permission check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl Window {
    pub fn covers(&self, started: DateTime<Utc>) -> bool {
        self.from.is_none_or(|from| started >= from) && self.until.is_none_or(|until| started <= until)
    }

    /// The bounds as milliseconds for SQL (`i64::MIN`/`i64::MAX` when open).
    pub fn bounds_ms(&self) -> (i64, i64) {
        (self.from.map(ms).unwrap_or(i64::MIN), self.until.map(ms).unwrap_or(i64::MAX))
    }
}

const ACCESS_COLUMNS: &str = "SELECT m.id AS mentorship_id, m.programme_id, m.status, mm.role, mm.joined_at, mm.left_at,
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
    access_from_columns(row, user).map_err(|err| match err {
        StoreError::Database(err) => err,
        other => sqlx::Error::Protocol(other.to_string()),
    })
}

/// [`access_from_row`] from a row of either connection.
pub fn access_from_columns(row: &impl super::Columns, user: UserId) -> Result<Access, StoreError> {
    let status = row.text("status")?;
    let role = row.opt_text("role")?;
    Ok(Access {
        mentorship_id: row.parsed("mentorship_id")?,
        programme_id: row.parsed("programme_id")?,
        status: MentorshipStatus::parse(&status).unwrap_or(MentorshipStatus::Closed),
        role: role.as_deref().and_then(Role::parse),
        joined_at: row.opt_time("joined_at")?,
        left_at: row.opt_time("left_at")?,
        coordinator: row.int("coord")? > 0,
        actor: Actor { user_id: user, is_admin: row.opt_int("is_admin")?.unwrap_or(0) != 0 },
        actor_name: row.opt_text("actor_name")?.unwrap_or_default(),
    })
}

pub async fn access(pool: &AnyPool, mentorship: MentorshipId, user: UserId) -> Result<Option<Access>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(ACCESS_BY_MENTORSHIP_SQL.as_str()))
        .bind(mentorship.to_string())
        .bind(user.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| access_from_row(&r, user)).transpose()?)
}

/// Access to the mentorship that owns `thread`; also says when the thread was created
/// (a former member sees only threads started before they left). From the pool, or
/// inside a write's transaction.
pub async fn access_by_thread<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    thread: ThreadId,
    user: UserId,
) -> Result<Option<(Access, DateTime<Utc>)>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(ACCESS_BY_THREAD_SQL.as_str()))
        .bind(thread.to_string())
        .bind(user.to_string())
        .fetch_optional(exec)
        .await?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some((access_from_row(&r, user)?, get_time(&r, "thread_created_at")?))),
    }
}

pub fn check_members(members: &[MemberSpec]) -> Result<(), StoreError> {
    if !members.iter().any(|m| m.role == Role::Mentor) || !members.iter().any(|m| m.role == Role::Mentee) {
        return Err(StoreError::invalid("members_incomplete", "a mentorship needs at least one mentor and one mentee"));
    }
    for (i, m) in members.iter().enumerate() {
        if members[..i].iter().any(|o| o.user_id == m.user_id) {
            return Err(StoreError::invalid("duplicate_member", "a person can be listed only once"));
        }
    }
    if members.len() > 50 {
        return Err(StoreError::invalid("too_many_members", "a mentorship has at most 50 members"));
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
async fn insert(conn: &mut AnyConnection, new: &NewMentorship, actor: UserId, now: DateTime<Utc>) -> Result<MentorshipId, StoreError> {
    let id = MentorshipId::new();
    for m in &new.members {
        let exists = sqlx::query("SELECT 1 FROM users WHERE id = $1").bind(m.user_id.to_string()).fetch_optional(&mut *conn).await?;
        if exists.is_none() {
            return Err(StoreError::invalid("unknown_user", "a listed member does not exist"));
        }
    }
    let people: Vec<UserId> = new.members.iter().map(|m| m.user_id).collect();
    if !super::invitations::not_accepted_in(conn, new.programme_id, &people).await?.is_empty() {
        return Err(super::invitations::not_accepted_refusal());
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
    // The agreement it starts with (the programme's rhythm, nothing written yet) is
    // its version 1.
    super::agreements::record_version(conn, id, None, false, now).await?;
    crate::db::note(Note::Joined(new.members.iter().map(|m| m.user_id).collect()));
    Ok(id)
}

pub async fn create(db: &Db, new: NewMentorship, actor: UserId, now: DateTime<Utc>) -> Result<MentorshipId, StoreError> {
    db.write(move |conn| Box::pin(async move { insert(conn, &new, actor, now).await })).await
}

/// Closes `old` (reason `re_paired`) and creates its successor in one transaction.
pub async fn repair(db: &Db, old: MentorshipId, new: NewMentorship, actor: UserId, now: DateTime<Utc>) -> Result<MentorshipId, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            close_in(conn, old, "re_paired", actor, now).await?;
            insert(conn, &new, actor, now).await
        })
    })
    .await
}

pub(crate) async fn close_in(
    conn: &mut AnyConnection,
    id: MentorshipId,
    reason: &str,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let done =
        sqlx::query("UPDATE mentorships SET status = 'closed', end_reason = $1, closed_at = $2 WHERE id = $3 AND status <> 'closed'")
            .bind(reason)
            .bind(ms(now))
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::conflict("already_closed", "this mentorship is already closed"));
    }
    events::append(conn, id, EventKind::MentorshipUpdated, EventRefs { actor: Some(actor), ..Default::default() }, now).await?;
    Ok(())
}

pub async fn close(db: &Db, id: MentorshipId, reason: String, actor: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| Box::pin(async move { close_in(conn, id, &reason, actor, now).await })).await
}

pub async fn activate(db: &Db, id: MentorshipId, actor: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let done = sqlx::query("UPDATE mentorships SET status = 'active' WHERE id = $1 AND status = 'proposed'")
                .bind(id.to_string())
                .execute(&mut *conn)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::conflict("not_proposed", "only a proposed mentorship can be activated"));
            }
            events::append(conn, id, EventKind::MentorshipUpdated, EventRefs { actor: Some(actor), ..Default::default() }, now).await?;
            Ok(())
        })
    })
    .await?;
    Ok(())
}

/// Sets the rhythm. When it differs from the stored one, the agreement gets a new
/// version (written in the same transaction), which the members confirm again; returns
/// that version, or `None` when nothing changed.
pub async fn set_rhythm(db: &Db, id: MentorshipId, rhythm: Rhythm, actor: UserId, now: DateTime<Utc>) -> Result<Option<i64>, StoreError> {
    set_agreement(db, id, Some(rhythm), None, actor, now).await
}

/// Sets the content (members only; the caller checked); see [`set_agreement`].
pub async fn set_content(
    db: &Db,
    id: MentorshipId,
    content: AgreementContent,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    set_agreement(db, id, None, Some(content), actor, now).await
}

/// Sets the rhythm, the content or both in one transaction. Saving content marks it as
/// written now even when unchanged (a newcomer then reads it, see `Window`); a change
/// of either makes one new version (written in the same transaction), which the members
/// confirm again. Returns that version, or `None` when nothing changed.
pub async fn set_agreement(
    db: &Db,
    id: MentorshipId,
    rhythm: Option<Rhythm>,
    content: Option<AgreementContent>,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let (_, before) = super::agreements::current_in(conn, id).await?.ok_or(StoreError::not_found())?;
            let mut changed = false;
            if let Some(rhythm) = rhythm {
                changed |= before.rhythm != rhythm;
                sqlx::query(
                    "UPDATE mentorships SET contact_every_days = $1, response_within_hours = $2, meeting_rhythm = $3, agreement_updated_at = $4
                     WHERE id = $5",
                )
                .bind(rhythm.contact_every_days)
                .bind(rhythm.response_within_hours)
                .bind(rhythm.meeting_rhythm)
                .bind(ms(now))
                .bind(id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            if let Some(content) = content {
                changed |= before.content != content;
                sqlx::query(
                    "UPDATE mentorships SET ground_rules = $1, goals = $2, action_plan = $3, topics_excluded = $4, mentor_time = $5,
                            ending_early = $6, end_date = $7, agreement_updated_at = $8, content_updated_at = $8 WHERE id = $9",
                )
                .bind(content.ground_rules)
                .bind(content.goals)
                .bind(content.action_plan)
                .bind(content.topics_excluded)
                .bind(content.mentor_time)
                .bind(content.ending_early)
                .bind(content.end_date.map(|d| d.to_string()))
                .bind(ms(now))
                .bind(id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            let version = if changed { Some(super::agreements::record_version(conn, id, Some(actor), true, now).await?) } else { None };
            events::append(conn, id, EventKind::AgreementUpdated, EventRefs { actor: Some(actor), ..Default::default() }, now).await?;
            Ok(version)
        })
    })
    .await
}

pub async fn add_member(db: &Db, id: MentorshipId, member: MemberSpec, actor: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let exists =
                sqlx::query("SELECT 1 FROM users WHERE id = $1").bind(member.user_id.to_string()).fetch_optional(&mut *conn).await?;
            if exists.is_none() {
                return Err(StoreError::invalid("unknown_user", "no such user"));
            }
            let programme =
                sqlx::query("SELECT programme_id FROM mentorships WHERE id = $1").bind(id.to_string()).fetch_optional(&mut *conn).await?;
            if let Some(programme) = programme
                && !super::invitations::not_accepted_in(conn, get_parsed(&programme, "programme_id")?, &[member.user_id]).await?.is_empty()
            {
                return Err(super::invitations::not_accepted_refusal());
            }
            let current = sqlx::query("SELECT left_at FROM mentorship_members WHERE mentorship_id = $1 AND user_id = $2")
                .bind(id.to_string())
                .bind(member.user_id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            match current {
                Some(row) if row.try_get::<Option<i64>, _>(0)?.is_none() => {
                    return Err(StoreError::conflict("already_member", "this person is already a member"));
                }
                Some(_) => {
                    // Rejoining starts a new membership: what was written while they
                    // were away was written for the others (see `Window`).
                    sqlx::query(
                        "UPDATE mentorship_members SET role = $1, joined_at = $2, left_at = NULL WHERE mentorship_id = $3 AND user_id = $4",
                    )
                    .bind(member.role.as_str())
                    .bind(ms(now))
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
            crate::db::note(Note::Joined(vec![member.user_id]));
            Ok(())
        })
    })
    .await?;
    Ok(())
}

pub async fn remove_member(db: &Db, id: MentorshipId, user: UserId, actor: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let done =
                sqlx::query("UPDATE mentorship_members SET left_at = $1 WHERE mentorship_id = $2 AND user_id = $3 AND left_at IS NULL")
                    .bind(ms(now))
                    .bind(id.to_string())
                    .bind(user.to_string())
                    .execute(&mut *conn)
                    .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::not_found());
            }
            events::append(
                conn,
                id,
                EventKind::MemberRemoved,
                EventRefs { actor: Some(actor), user: Some(user), ..Default::default() },
                now,
            )
            .await?;
            Ok(())
        })
    })
    .await?;
    Ok(())
}

pub async fn get(pool: &AnyPool, id: MentorshipId) -> Result<Option<MentorshipView>, StoreError> {
    let Some(row) = sqlx::query("SELECT * FROM mentorships WHERE id = $1").bind(id.to_string()).fetch_optional(pool).await? else {
        return Ok(None);
    };
    let members = sqlx::query(sqlx::AssertSqlSafe(format!("{MEMBER_SELECT} WHERE mm.mentorship_id = $1 ORDER BY mm.role, u.display_name")))
        .bind(id.to_string())
        .fetch_all(pool)
        .await?
        .iter()
        .map(member_from_row)
        .collect::<Result<Vec<_>, StoreError>>()?;
    let status: String = row.try_get("status")?;
    // Whether it is confirmed, and when: all a coordinator learns of the contract.
    let agreement = super::agreements::status(pool, id).await?.unwrap_or_default();
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
        agreement_confirmed: agreement.confirmed,
        agreement_confirmed_at: agreement.confirmed_at,
    }))
}

const MEMBER_SELECT: &str = "SELECT mm.mentorship_id, mm.user_id, u.display_name, mm.role, mm.joined_at, mm.left_at FROM mentorship_members mm JOIN users u ON u.id = mm.user_id";

pub(super) fn member_from_row(r: &sqlx::any::AnyRow) -> Result<MemberView, StoreError> {
    member_from_columns(r)
}

fn member_from_columns(r: &impl super::Columns) -> Result<MemberView, StoreError> {
    Ok(MemberView {
        user_id: r.parsed("user_id")?,
        display_name: r.text("display_name")?,
        role: Role::parse(&r.text("role")?).unwrap_or(Role::Mentee),
        joined_at: r.time("joined_at")?,
        left_at: r.opt_time("left_at")?,
    })
}

/// A member with the mentorship they belong to.
struct MemberOf(MentorshipId, MemberView);

impl super::FromColumns for MemberOf {
    fn from_columns(r: &impl super::Columns) -> Result<MemberOf, StoreError> {
        Ok(MemberOf(r.parsed("mentorship_id")?, member_from_columns(r)?))
    }
}

/// The members of every mentorship of a programme, in one query, ordered as [`get`]
/// orders them.
pub async fn programme_members(db: &Db, programme: ProgrammeId) -> Result<HashMap<MentorshipId, Vec<MemberView>>, StoreError> {
    let sql = format!(
        "{MEMBER_SELECT} JOIN mentorships ms ON ms.id = mm.mentorship_id WHERE ms.programme_id = $1 ORDER BY mm.mentorship_id, mm.role, u.display_name"
    );
    let mut out: HashMap<MentorshipId, Vec<MemberView>> = HashMap::new();
    for MemberOf(mentorship, member) in super::fetch_rows::<MemberOf>(db, sql, vec![programme.to_string().into()]).await? {
        out.entry(mentorship).or_default().push(member);
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

/// The agreement as the member behind `access` may read it: the content only when a
/// member saved it since this member joined (see `Window`); otherwise it comes back
/// empty with `content_hidden` set. With the version and who confirmed it.
pub async fn agreement(pool: &AnyPool, id: MentorshipId, access: &Access) -> Result<Option<AgreementView>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}, agreement_updated_at, COALESCE(content_updated_at, created_at) AS content_at FROM mentorships WHERE id = $1",
        super::agreements::RECORD_COLUMNS
    )))
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let Some(status) = super::agreements::status(pool, id).await? else { return Ok(None) };
    let hidden = access.joined_at.is_some_and(|joined| get_time(&row, "content_at").is_ok_and(|at| at < joined));
    let content = if hidden { AgreementContent::default() } else { super::agreements::content_from_row(&row)? };
    Ok(Some(AgreementView {
        rhythm: rhythm_from_row(&row)?,
        content,
        updated_at: get_time(&row, "agreement_updated_at")?,
        content_hidden: hidden,
        version: status.version,
        charter_version: mentorpost_model::agreement::CHARTER_VERSION,
        confirmed: status.confirmed,
        confirmed_at: status.confirmed_at,
        confirmations: status.confirmations,
    }))
}

/// Mentorship ids of a programme, newest first.
pub async fn ids_in_programme(pool: &AnyPool, programme: ProgrammeId) -> Result<Vec<MentorshipId>, StoreError> {
    let rows = sqlx::query("SELECT id FROM mentorships WHERE programme_id = $1 ORDER BY created_at DESC, id")
        .bind(programme.to_string())
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(|r| get_parsed(r, "id")).collect::<Result<_, _>>()?)
}

/// Mentorships `user` belongs to or belonged to.
pub async fn ids_of_member(pool: &AnyPool, user: UserId) -> Result<Vec<MentorshipId>, StoreError> {
    let rows = sqlx::query("SELECT mentorship_id FROM mentorship_members WHERE user_id = $1 ORDER BY joined_at DESC")
        .bind(user.to_string())
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(|r| get_parsed(r, "mentorship_id")).collect::<Result<_, _>>()?)
}

/// A mentorship someone is an active member of, as their live connection follows it.
#[derive(Clone, Copy, Debug)]
pub struct ActiveMembership {
    pub mentorship: MentorshipId,
    pub last_seq: i64,
    /// Set when the mentorship has threads started before this person joined: what
    /// they may see, so live delivery leaves those threads out.
    pub window: Option<Window>,
}

/// The mentorships `user` is an active member of, with their latest sequence number.
pub async fn active_subscriptions(pool: &AnyPool, user: UserId) -> Result<Vec<ActiveMembership>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.id, m.last_seq, mm.joined_at,
                CASE WHEN EXISTS (SELECT 1 FROM threads t WHERE t.mentorship_id = m.id AND t.created_at < mm.joined_at) THEN 1 ELSE 0 END AS hides
         FROM mentorship_members mm JOIN mentorships m ON m.id = mm.mentorship_id
         WHERE mm.user_id = $1 AND mm.left_at IS NULL ORDER BY m.id",
    )
    .bind(user.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let hides = r.try_get::<i64, _>("hides")? != 0;
            Ok(ActiveMembership {
                mentorship: get_parsed(r, "id")?,
                last_seq: r.try_get::<i64, _>("last_seq")?,
                window: hides.then(|| get_time(r, "joined_at")).transpose()?.map(|from| Window { from: Some(from), until: None }),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
