//! Reflection forms (F6, F7): written and edited by their author, read by whom
//! `model::reflection::readable_by` allows; coordinators get counts only.

use super::{get_opt_date, get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use mentorpost_model::reflection::{ReflectionAnswers, ReflectionView, readable_by};
use mentorpost_model::{MentorshipId, Role, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

const SELECT: &str = "SELECT r.id, r.mentorship_id, r.author_id, u.display_name AS author_name, r.role, r.meeting_id, mt.held_on,
        r.subject, r.wanted, r.tried, r.felt, r.went_well, r.went_less_well, r.questions, r.shared, r.created_at, r.updated_at
 FROM reflections r JOIN users u ON u.id = r.author_id LEFT JOIN meetings mt ON mt.id = r.meeting_id";

fn view(r: &AnyRow) -> Result<ReflectionView, sqlx::Error> {
    let role: String = r.try_get("role")?;
    Ok(ReflectionView {
        id: r.try_get("id")?,
        mentorship_id: get_parsed(r, "mentorship_id")?,
        author_id: get_parsed(r, "author_id")?,
        author_name: r.try_get("author_name")?,
        role: Role::parse(&role).unwrap_or(Role::Mentee),
        meeting_id: r.try_get("meeting_id")?,
        meeting_date: get_opt_date(r, "held_on")?,
        answers: ReflectionAnswers {
            subject: r.try_get("subject")?,
            wanted: r.try_get("wanted")?,
            tried: r.try_get("tried")?,
            felt: r.try_get("felt")?,
            went_well: r.try_get("went_well")?,
            went_less_well: r.try_get("went_less_well")?,
            questions: r.try_get("questions")?,
        },
        shared: r.try_get::<i64, _>("shared")? != 0,
        created_at: get_time(r, "created_at")?,
        updated_at: get_time(r, "updated_at")?,
    })
}

/// The date of a meeting of this mentorship, or `None` when it has no such meeting.
pub async fn meeting_date(pool: &AnyPool, mentorship: MentorshipId, meeting: &str) -> Result<Option<NaiveDate>, StoreError> {
    let day: Option<String> = sqlx::query_scalar("SELECT held_on FROM meetings WHERE id = $1 AND mentorship_id = $2")
        .bind(meeting.to_owned())
        .bind(mentorship.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(day.and_then(|d| d.parse().ok()))
}

/// A new form by `author`, who has `role` in the mentorship.
pub struct NewReflection {
    pub mentorship: MentorshipId,
    pub author: UserId,
    pub role: Role,
    pub meeting: Option<String>,
    pub answers: ReflectionAnswers,
    pub shared: bool,
}

pub async fn create(db: &Db, new: NewReflection, now: DateTime<Utc>) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    let returned = id.clone();
    db.write(move |conn| {
        Box::pin(async move {
            let a = new.answers;
            sqlx::query(
                "INSERT INTO reflections (id, mentorship_id, author_id, role, meeting_id, subject, wanted, tried, felt, went_well,
                                          went_less_well, questions, shared, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
            )
            .bind(id)
            .bind(new.mentorship.to_string())
            .bind(new.author.to_string())
            .bind(new.role.as_str())
            .bind(new.meeting)
            .bind(a.subject)
            .bind(a.wanted)
            .bind(a.tried)
            .bind(a.felt)
            .bind(a.went_well)
            .bind(a.went_less_well)
            .bind(a.questions)
            .bind(i64::from(new.shared))
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    })
    .await?;
    Ok(returned)
}

/// Replaces the answers (and the sharing) of `author`'s own form; `false` when they
/// have no such form.
pub async fn update(
    db: &Db,
    id: String,
    author: UserId,
    answers: ReflectionAnswers,
    shared: bool,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let a = answers;
            let done = sqlx::query(
                "UPDATE reflections SET subject = $1, wanted = $2, tried = $3, felt = $4, went_well = $5, went_less_well = $6,
                        questions = $7, shared = $8, updated_at = $9
                 WHERE id = $10 AND author_id = $11",
            )
            .bind(a.subject)
            .bind(a.wanted)
            .bind(a.tried)
            .bind(a.felt)
            .bind(a.went_well)
            .bind(a.went_less_well)
            .bind(a.questions)
            .bind(i64::from(shared))
            .bind(ms(now))
            .bind(id)
            .bind(author.to_string())
            .execute(&mut *conn)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    })
    .await
}

/// `author`'s own form about `meeting`, if they wrote one.
pub async fn own_for_meeting(pool: &AnyPool, author: UserId, meeting: &str) -> Result<Option<ReflectionView>, StoreError> {
    let sql = format!("{SELECT} WHERE r.author_id = $1 AND r.meeting_id = $2 ORDER BY r.created_at LIMIT 1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(author.to_string()).bind(meeting.to_owned()).fetch_optional(pool).await?;
    Ok(row.as_ref().map(view).transpose()?)
}

/// One form, whoever may read it (the caller checks).
pub async fn get(pool: &AnyPool, id: &str) -> Result<Option<ReflectionView>, StoreError> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_owned()).fetch_optional(pool).await?;
    Ok(row.as_ref().map(view).transpose()?)
}

/// The forms of the mentorship `viewer` (with `viewer_role`) may read, written up to
/// `until` (a former member's view ends when they left), newest first.
pub async fn readable(
    pool: &AnyPool,
    mentorship: MentorshipId,
    viewer: UserId,
    viewer_role: Role,
    until: Option<DateTime<Utc>>,
) -> Result<Vec<ReflectionView>, StoreError> {
    let sql = format!("{SELECT} WHERE r.mentorship_id = $1 AND r.created_at <= $2 ORDER BY r.created_at DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(mentorship.to_string()).bind(until.map_or(i64::MAX, ms)).fetch_all(pool).await?;
    let all = rows.iter().map(view).collect::<Result<Vec<_>, _>>()?;
    Ok(all.into_iter().filter(|r| r.author_id == viewer || readable_by(r.role, r.shared, viewer_role)).collect())
}

/// How many forms mentors and mentees filled in: all a coordinator learns of them.
pub async fn counts(pool: &AnyPool, mentorship: MentorshipId) -> Result<(i64, i64), StoreError> {
    let row = sqlx::query(
        "SELECT COALESCE(SUM(CASE WHEN role = 'mentor' THEN 1 ELSE 0 END), 0) AS mentors,
                COALESCE(SUM(CASE WHEN role = 'mentor' THEN 0 ELSE 1 END), 0) AS mentees
         FROM reflections WHERE mentorship_id = $1",
    )
    .bind(mentorship.to_string())
    .fetch_one(pool)
    .await?;
    Ok((row.try_get("mentors")?, row.try_get("mentees")?))
}
