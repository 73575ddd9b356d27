//! Closure (F10): the closing step of a mentorship, the members' closing forms and
//! their follow-ups. Who reads which answer is `model::closure::readable_by`; a
//! coordinator gets the figures only ([`figures`]).

use super::events::{self, EventRefs};
use super::{get_opt_parsed, get_opt_time, get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::closure::{ClosingAnswers, ClosingFigures, ClosingShared, DEFAULT_FOLLOW_UP_MONTHS, FollowUpAnswers, readable_by};
use mentorpost_model::forms::Form;
use mentorpost_model::{EventKind, MentorshipId, ProgrammeId, Role, UserId};
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::HashMap;

/// The reason a mentorship closed through its closing step.
pub const REASON: &str = "completed";

/// Opens the closing step of an active mentorship: by `started_by`, or (`None`) because
/// its end date came near. Returns `false` when the step had already started.
pub async fn start(db: &Db, mentorship: MentorshipId, started_by: Option<UserId>, now: DateTime<Utc>) -> Result<bool, StoreError> {
    db.write(move |conn| Box::pin(async move { start_in(conn, mentorship, started_by, now).await })).await
}

async fn status_in(conn: &mut AnyConnection, mentorship: MentorshipId) -> Result<String, StoreError> {
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM mentorships WHERE id = $1").bind(mentorship.to_string()).fetch_optional(&mut *conn).await?;
    status.ok_or(StoreError::not_found())
}

async fn start_in(
    conn: &mut AnyConnection,
    mentorship: MentorshipId,
    started_by: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if status_in(conn, mentorship).await? != "active" {
        return Err(StoreError::conflict("not_active", "only an active mentorship has a closing step"));
    }
    let done = sqlx::query(
        "INSERT INTO closings (mentorship_id, started_at, started_by, closed_at) VALUES ($1, $2, $3, NULL)
         ON CONFLICT (mentorship_id) DO NOTHING",
    )
    .bind(mentorship.to_string())
    .bind(ms(now))
    .bind(started_by.map(|u| u.to_string()))
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    events::append(conn, mentorship, EventKind::ClosingUpdated, EventRefs { actor: started_by, ..Default::default() }, now).await?;
    Ok(true)
}

/// The role of a current member of the mentorship, or a refusal for anyone else.
async fn current_role_in(conn: &mut AnyConnection, mentorship: MentorshipId, user: UserId) -> Result<Role, StoreError> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM mentorship_members WHERE mentorship_id = $1 AND user_id = $2 AND left_at IS NULL")
            .bind(mentorship.to_string())
            .bind(user.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    role.and_then(|r| Role::parse(&r))
        .ok_or_else(|| StoreError::forbidden("only the mentorship's current members fill in the closing form"))
}

/// What a closing form's submission did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Submitted {
    /// The form was new (not a change of an earlier one).
    pub created: bool,
    /// Every current member has now filled it in, so the mentorship closed.
    pub closed: bool,
}

/// Writes (or replaces) `user`'s closing form. The closing step starts with it when it
/// had not. When every current member has filled in the form, the mentorship closes
/// in the same transaction (reason `completed`).
pub async fn submit(
    db: &Db,
    mentorship: MentorshipId,
    user: UserId,
    answers: ClosingAnswers,
    now: DateTime<Utc>,
) -> Result<Submitted, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let role = current_role_in(conn, mentorship, user).await?;
            answers.validate_for(role)?;
            start_in(conn, mentorship, Some(user), now).await?;
            let a = answers;
            let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM closing_forms WHERE mentorship_id = $1 AND user_id = $2")
                .bind(mentorship.to_string())
                .bind(user.to_string())
                .fetch_one(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO closing_forms (mentorship_id, user_id, role, key_moments, thanks, achieved, not_achieved, future_needs,
                                            created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
                 ON CONFLICT (mentorship_id, user_id) DO UPDATE SET role = $3, key_moments = $4, thanks = $5, achieved = $6,
                        not_achieved = $7, future_needs = $8, updated_at = $9",
            )
            .bind(mentorship.to_string())
            .bind(user.to_string())
            .bind(role.as_str())
            .bind(a.key_moments)
            .bind(a.thanks)
            .bind(a.achieved)
            .bind(a.not_achieved)
            .bind(a.future_needs)
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            let missing: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM mentorship_members m
                 WHERE m.mentorship_id = $1 AND m.left_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM closing_forms f WHERE f.mentorship_id = m.mentorship_id AND f.user_id = m.user_id)",
            )
            .bind(mentorship.to_string())
            .fetch_one(&mut *conn)
            .await?;
            let closed = missing == 0;
            if closed {
                close_step_in(conn, mentorship, user, now).await?;
            } else {
                events::append(conn, mentorship, EventKind::ClosingUpdated, EventRefs { actor: Some(user), ..Default::default() }, now)
                    .await?;
            }
            Ok(Submitted { created: before == 0, closed })
        })
    })
    .await
}

async fn close_step_in(conn: &mut AnyConnection, mentorship: MentorshipId, actor: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
    super::mentorships::close_in(conn, mentorship, REASON, actor, now).await?;
    sqlx::query("UPDATE closings SET closed_at = $1 WHERE mentorship_id = $2")
        .bind(ms(now))
        .bind(mentorship.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// "Close now": a current member closes the mentorship once its closing step has
/// started, without waiting for every form (reason `completed`).
pub async fn close_now(db: &Db, mentorship: MentorshipId, user: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            current_role_in(conn, mentorship, user).await?;
            let started: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM closings WHERE mentorship_id = $1")
                .bind(mentorship.to_string())
                .fetch_one(&mut *conn)
                .await?;
            if started == 0 {
                return Err(StoreError::conflict("closing_not_started", "start the closing step first"));
            }
            close_step_in(conn, mentorship, user, now).await
        })
    })
    .await
}

/// Writes `user`'s follow-up of a closed mentorship they were a member of until it
/// closed. Once: a second one is a conflict.
pub async fn submit_follow_up(
    db: &Db,
    mentorship: MentorshipId,
    user: UserId,
    answers: FollowUpAnswers,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            if status_in(conn, mentorship).await? != "closed" {
                return Err(StoreError::conflict("not_closed", "the follow-up comes after the mentorship closed"));
            }
            current_role_in(conn, mentorship, user).await?;
            answers.validate()?;
            let a = answers;
            let done = sqlx::query(
                "INSERT INTO follow_ups (mentorship_id, user_id, how_it_goes, still_helps, needs_now, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (mentorship_id, user_id) DO NOTHING",
            )
            .bind(mentorship.to_string())
            .bind(user.to_string())
            .bind(a.how_it_goes)
            .bind(a.still_helps)
            .bind(a.needs_now)
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::conflict("follow_up_given", "the follow-up was already given"));
            }
            Ok(())
        })
    })
    .await
}

const FIGURES: &str = "SELECT ms.id, c.started_at, c.started_by, ms.closed_at AS ms_closed_at, ms.status,
        (SELECT COUNT(*) FROM closing_forms f JOIN mentorship_members m ON m.mentorship_id = f.mentorship_id AND m.user_id = f.user_id
          WHERE f.mentorship_id = ms.id AND m.left_at IS NULL) AS forms_in,
        (SELECT COUNT(*) FROM mentorship_members m WHERE m.mentorship_id = ms.id AND m.left_at IS NULL) AS members
 FROM mentorships ms LEFT JOIN closings c ON c.mentorship_id = ms.id";

fn figures_of(r: &sqlx::any::AnyRow) -> Result<ClosingFigures, sqlx::Error> {
    let status: String = r.try_get("status")?;
    Ok(ClosingFigures {
        started_at: get_opt_time(r, "started_at")?,
        started_by: get_opt_parsed(r, "started_by")?,
        forms_in: r.try_get("forms_in")?,
        members: r.try_get("members")?,
        closed_at: if status == "closed" { get_opt_time(r, "ms_closed_at")? } else { None },
    })
}

/// The closing step's figures (no texts): all a coordinator learns of it.
pub async fn figures(pool: &AnyPool, mentorship: MentorshipId) -> Result<Option<ClosingFigures>, StoreError> {
    let sql = format!("{FIGURES} WHERE ms.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(mentorship.to_string()).fetch_optional(pool).await?;
    Ok(row.as_ref().map(figures_of).transpose()?)
}

/// The figures of every mentorship of a programme whose closing step started or that
/// closed, by mentorship.
pub async fn figures_of_programme(pool: &AnyPool, programme: ProgrammeId) -> Result<HashMap<MentorshipId, ClosingFigures>, StoreError> {
    let sql = format!("{FIGURES} WHERE ms.programme_id = $1 AND (c.started_at IS NOT NULL OR ms.status = 'closed')");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.to_string()).fetch_all(pool).await?;
    let mut out = HashMap::new();
    for r in &rows {
        out.insert(get_parsed(r, "id")?, figures_of(r)?);
    }
    Ok(out)
}

/// `user`'s own closing form.
pub async fn form_of(pool: &AnyPool, mentorship: MentorshipId, user: UserId) -> Result<Option<ClosingAnswers>, StoreError> {
    let row = sqlx::query(
        "SELECT key_moments, thanks, achieved, not_achieved, future_needs FROM closing_forms WHERE mentorship_id = $1 AND user_id = $2",
    )
    .bind(mentorship.to_string())
    .bind(user.to_string())
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(ClosingAnswers {
        key_moments: r.try_get("key_moments")?,
        thanks: r.try_get("thanks")?,
        achieved: r.try_get("achieved")?,
        not_achieved: r.try_get("not_achieved")?,
        future_needs: r.try_get("future_needs")?,
    }))
}

/// What the other members' closing forms share with `reader` (who has `reader_role`):
/// key moments, and a mentee's thanks for a mentor; forms that share nothing with them
/// are left out. Oldest first.
pub async fn shared_with(
    pool: &AnyPool,
    mentorship: MentorshipId,
    reader: UserId,
    reader_role: Role,
) -> Result<Vec<ClosingShared>, StoreError> {
    let rows = sqlx::query(
        "SELECT f.user_id, u.display_name, f.role, f.key_moments, f.thanks, f.updated_at
         FROM closing_forms f JOIN users u ON u.id = f.user_id
         WHERE f.mentorship_id = $1 AND f.user_id <> $2 ORDER BY f.created_at",
    )
    .bind(mentorship.to_string())
    .bind(reader.to_string())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let role_text: String = r.try_get("role")?;
        let role = Role::parse(&role_text).unwrap_or(Role::Mentee);
        let keep = |field: &str, value: String| if readable_by(field, role, reader_role) { value } else { String::new() };
        let shared = ClosingShared {
            author_id: get_parsed(r, "user_id")?,
            author_name: r.try_get("display_name")?,
            role,
            key_moments: keep("key_moments", r.try_get("key_moments")?),
            thanks: keep("thanks", r.try_get("thanks")?),
            updated_at: get_time(r, "updated_at")?,
        };
        if !shared.key_moments.trim().is_empty() || !shared.thanks.trim().is_empty() {
            out.push(shared);
        }
    }
    Ok(out)
}

/// `user`'s follow-up of the mentorship, with when it was given.
pub async fn follow_up_of(
    pool: &AnyPool,
    mentorship: MentorshipId,
    user: UserId,
) -> Result<Option<(FollowUpAnswers, DateTime<Utc>)>, StoreError> {
    let row =
        sqlx::query("SELECT how_it_goes, still_helps, needs_now, created_at FROM follow_ups WHERE mentorship_id = $1 AND user_id = $2")
            .bind(mentorship.to_string())
            .bind(user.to_string())
            .fetch_optional(pool)
            .await?;
    let Some(r) = row else { return Ok(None) };
    let answers = FollowUpAnswers {
        how_it_goes: r.try_get("how_it_goes")?,
        still_helps: r.try_get("still_helps")?,
        needs_now: r.try_get("needs_now")?,
    };
    Ok(Some((answers, get_time(&r, "created_at")?)))
}

/// The months after closing before the follow-up, as the mentorship's programme set them.
pub async fn follow_up_months(pool: &AnyPool, mentorship: MentorshipId) -> Result<u32, StoreError> {
    let months: Option<i64> =
        sqlx::query_scalar("SELECT p.follow_up_months FROM mentorships ms JOIN programmes p ON p.id = ms.programme_id WHERE ms.id = $1")
            .bind(mentorship.to_string())
            .fetch_optional(pool)
            .await?;
    Ok(months.and_then(|m| u32::try_from(m).ok()).filter(|m| *m >= 1).unwrap_or(DEFAULT_FOLLOW_UP_MONTHS))
}

/// The current members of a mentorship who have not filled in the closing form, with
/// their role (which questions they are asked): whom an invitation or reminder is for.
pub async fn members_without_form(pool: &AnyPool, mentorship: MentorshipId) -> Result<Vec<(UserId, Role)>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.user_id, m.role FROM mentorship_members m
         WHERE m.mentorship_id = $1 AND m.left_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM closing_forms f WHERE f.mentorship_id = m.mentorship_id AND f.user_id = m.user_id)
         ORDER BY m.joined_at",
    )
    .bind(mentorship.to_string())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let role: String = r.try_get("role")?;
        out.push((get_parsed(r, "user_id")?, Role::parse(&role).unwrap_or(Role::Mentee)));
    }
    Ok(out)
}

/// A member of a closed mentorship who has not given the follow-up yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitingFollowUp {
    pub mentorship: MentorshipId,
    pub user: UserId,
    pub role: Role,
    pub closed_at: DateTime<Utc>,
    /// The programme's months after closing (`model::closure::follow_up_due_on`).
    pub months: u32,
    /// The programme's time zone: the closing day is a day there.
    pub timezone: String,
}

/// Everyone who may still give a follow-up: the members a mentorship had when it
/// closed, without a follow-up. Whether it is due is `follow_up_due_on(closing day,
/// months) <= today`, which the caller decides (months are calendar months).
pub async fn awaiting_follow_up(pool: &AnyPool) -> Result<Vec<AwaitingFollowUp>, StoreError> {
    let rows = sqlx::query(
        "SELECT ms.id, m.user_id, m.role, ms.closed_at, p.follow_up_months, p.timezone
         FROM mentorships ms JOIN programmes p ON p.id = ms.programme_id
              JOIN mentorship_members m ON m.mentorship_id = ms.id AND m.left_at IS NULL
         WHERE ms.status = 'closed' AND ms.closed_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.mentorship_id = ms.id AND f.user_id = m.user_id)
         ORDER BY ms.closed_at",
    )
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let role: String = r.try_get("role")?;
        let months: i64 = r.try_get("follow_up_months")?;
        out.push(AwaitingFollowUp {
            mentorship: get_parsed(r, "id")?,
            user: get_parsed(r, "user_id")?,
            role: Role::parse(&role).unwrap_or(Role::Mentee),
            closed_at: get_time(r, "closed_at")?,
            months: u32::try_from(months).ok().filter(|m| *m >= 1).unwrap_or(DEFAULT_FOLLOW_UP_MONTHS),
            timezone: r.try_get("timezone")?,
        });
    }
    Ok(out)
}
