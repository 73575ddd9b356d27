//! Periodic reviews (F8): each member's answers per round, written and changed by that
//! member alone and read by nobody else; coordinators get the figures
//! (`model::review::ReviewFigures`: scores and continue choices), never a text.
//! When a round is due follows from the mentorship's start and the programme's
//! `review_every_months` (`model::review::due_round`), on the programme's calendar.

use super::events::{self, EventRefs};
use super::{get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use mentorpost_model::review::{ContinueChoice, ReviewAnswers, ReviewFigure, ReviewFigures, ReviewView, due_round};
use mentorpost_model::{EventKind, MentorshipId, MentorshipStatus, ProgrammeId, Role, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use std::collections::HashMap;

/// When a mentorship's reviews come due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewSchedule {
    /// The mentorship's start date, or the day it was created when it has none.
    pub start: NaiveDate,
    /// The programme's setting: 4, 5 or 6.
    pub every_months: u32,
    /// The programme's time zone: "today" is its day.
    pub timezone: chrono_tz::Tz,
    pub status: MentorshipStatus,
}

impl ReviewSchedule {
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.timezone).date_naive()
    }

    /// The latest round due on `today` (0: none yet). A proposed mentorship has not
    /// begun: nothing is due in it.
    pub fn due_round(&self, today: NaiveDate) -> i64 {
        if self.status == MentorshipStatus::Proposed {
            return 0;
        }
        i64::from(due_round(self.start, self.every_months, today))
    }
}

const SCHEDULE: &str = "SELECT m.start_date, m.created_at, m.status, p.timezone, p.review_every_months
 FROM mentorships m JOIN programmes p ON p.id = m.programme_id WHERE m.id = $1";

fn schedule_of(r: &AnyRow) -> Result<ReviewSchedule, sqlx::Error> {
    let timezone: chrono_tz::Tz = r.try_get::<String, _>("timezone")?.parse().unwrap_or(chrono_tz::UTC);
    let start = match r.try_get::<Option<String>, _>("start_date")?.and_then(|d| d.parse().ok()) {
        Some(day) => day,
        None => get_time(r, "created_at")?.with_timezone(&timezone).date_naive(),
    };
    let every: i64 = r.try_get("review_every_months")?;
    let status: String = r.try_get("status")?;
    Ok(ReviewSchedule {
        start,
        every_months: u32::try_from(every).unwrap_or(mentorpost_model::review::DEFAULT_EVERY_MONTHS),
        timezone,
        status: MentorshipStatus::parse(&status).unwrap_or(MentorshipStatus::Active),
    })
}

/// When the reviews of `mentorship` come due; `None` when there is no such mentorship.
pub async fn schedule(pool: &AnyPool, mentorship: MentorshipId) -> Result<Option<ReviewSchedule>, StoreError> {
    let row = sqlx::query(SCHEDULE).bind(mentorship.to_string()).fetch_optional(pool).await?;
    Ok(row.as_ref().map(schedule_of).transpose()?)
}

/// The day the reviews count from: the mentorship's start date, or the day (in the
/// programme's time zone) it was created when it has none.
pub async fn start_date(pool: &AnyPool, mentorship: MentorshipId) -> Result<Option<NaiveDate>, StoreError> {
    Ok(schedule(pool, mentorship).await?.map(|s| s.start))
}

const SELECT: &str = "SELECT id, mentorship_id, user_id, role, round, meetings, time_enough, topics, growth, comments,
        satisfaction, continue_choice, created_at, updated_at FROM reviews";

fn view(r: &AnyRow) -> Result<ReviewView, sqlx::Error> {
    let role: String = r.try_get("role")?;
    let satisfaction: Option<i64> = r.try_get("satisfaction")?;
    let choice: Option<String> = r.try_get("continue_choice")?;
    Ok(ReviewView {
        id: r.try_get("id")?,
        mentorship_id: get_parsed(r, "mentorship_id")?,
        user_id: get_parsed(r, "user_id")?,
        role: Role::parse(&role).unwrap_or(Role::Mentee),
        round: r.try_get("round")?,
        answers: ReviewAnswers {
            meetings: r.try_get("meetings")?,
            time: r.try_get("time_enough")?,
            topics: r.try_get("topics")?,
            growth: r.try_get("growth")?,
            comments: r.try_get("comments")?,
            satisfaction: satisfaction.and_then(|s| u8::try_from(s).ok()),
            continue_choice: choice.as_deref().and_then(ContinueChoice::parse),
        },
        created_at: get_time(r, "created_at")?,
        updated_at: get_time(r, "updated_at")?,
    })
}

/// Saves `user`'s answers for `round`, replacing earlier answers for that round. Only a
/// current member of a mentorship that is not closed answers (403 otherwise, 404 for
/// someone outside it), and only a round that is due (`not_due` otherwise); the answers
/// are checked (`ReviewAnswers::validate`). Appends a `review.updated` event.
pub async fn submit(
    db: &Db,
    mentorship: MentorshipId,
    user: UserId,
    round: i64,
    answers: ReviewAnswers,
    now: DateTime<Utc>,
) -> Result<ReviewView, StoreError> {
    answers.validate()?;
    db.write(move |conn| {
        Box::pin(async move {
            let Some(row) = sqlx::query(SCHEDULE).bind(mentorship.to_string()).fetch_optional(&mut *conn).await? else {
                return Err(StoreError::not_found());
            };
            let schedule = schedule_of(&row)?;
            let member = sqlx::query("SELECT role, left_at FROM mentorship_members WHERE mentorship_id = $1 AND user_id = $2")
                .bind(mentorship.to_string())
                .bind(user.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            let Some(member) = member else { return Err(StoreError::not_found()) };
            if member.try_get::<Option<i64>, _>("left_at")?.is_some() {
                return Err(StoreError::forbidden("only a current member answers a review"));
            }
            if schedule.status == MentorshipStatus::Closed {
                return Err(StoreError::forbidden("the mentorship is closed"));
            }
            let due = schedule.due_round(schedule.today(now));
            if round < 1 || round > due {
                return Err(StoreError::invalid("not_due", "this review is not due yet"));
            }
            let role: String = member.try_get("role")?;
            let a = answers;
            let id = uuid::Uuid::now_v7().to_string();
            sqlx::query(
                "INSERT INTO reviews (id, mentorship_id, user_id, role, round, meetings, time_enough, topics, growth, comments,
                                      satisfaction, continue_choice, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
                 ON CONFLICT (mentorship_id, user_id, round) DO UPDATE SET
                    meetings = excluded.meetings, time_enough = excluded.time_enough, topics = excluded.topics,
                    growth = excluded.growth, comments = excluded.comments, satisfaction = excluded.satisfaction,
                    continue_choice = excluded.continue_choice, updated_at = excluded.updated_at",
            )
            .bind(id)
            .bind(mentorship.to_string())
            .bind(user.to_string())
            .bind(role)
            .bind(round)
            .bind(a.meetings)
            .bind(a.time)
            .bind(a.topics)
            .bind(a.growth)
            .bind(a.comments)
            .bind(a.satisfaction.map(i64::from))
            .bind(a.continue_choice.map(ContinueChoice::as_str))
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            events::append(conn, mentorship, EventKind::ReviewUpdated, EventRefs { actor: Some(user), ..Default::default() }, now).await?;
            let sql = format!("{SELECT} WHERE mentorship_id = $1 AND user_id = $2 AND round = $3");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(mentorship.to_string())
                .bind(user.to_string())
                .bind(round)
                .fetch_one(&mut *conn)
                .await?;
            Ok(view(&row)?)
        })
    })
    .await
}

/// `user`'s own reviews in the mentorship, latest round first: nobody else's.
pub async fn for_member(pool: &AnyPool, mentorship: MentorshipId, user: UserId) -> Result<Vec<ReviewView>, StoreError> {
    let sql = format!("{SELECT} WHERE mentorship_id = $1 AND user_id = $2 ORDER BY round DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(mentorship.to_string()).bind(user.to_string()).fetch_all(pool).await?;
    Ok(rows.iter().map(view).collect::<Result<Vec<_>, _>>()?)
}

/// The round due on `today` (the programme's day) that `user` has not answered yet:
/// `None` when no round is due, when they answered it, when they are not a current
/// member or when the mentorship is closed.
pub async fn due(pool: &AnyPool, mentorship: MentorshipId, user: UserId, today: NaiveDate) -> Result<Option<i64>, StoreError> {
    let Some(schedule) = schedule(pool, mentorship).await? else { return Ok(None) };
    if schedule.status == MentorshipStatus::Closed {
        return Ok(None);
    }
    let round = schedule.due_round(today);
    if round < 1 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM mentorship_members WHERE mentorship_id = $1 AND user_id = $2 AND left_at IS NULL) AS member,
                (SELECT COUNT(*) FROM reviews WHERE mentorship_id = $1 AND user_id = $2 AND round = $3) AS answered",
    )
    .bind(mentorship.to_string())
    .bind(user.to_string())
    .bind(round)
    .fetch_one(pool)
    .await?;
    let (member, answered): (i64, i64) = (row.try_get("member")?, row.try_get("answered")?);
    Ok((member > 0 && answered == 0).then_some(round))
}

const FIGURES: &str = "SELECT r.mentorship_id, r.user_id, r.role, r.round, r.satisfaction, r.continue_choice
 FROM reviews r
 JOIN mentorship_members mm ON mm.mentorship_id = r.mentorship_id AND mm.user_id = r.user_id AND mm.left_at IS NULL";

/// Each current member's latest review as figures, by mentorship.
fn collect(rows: &[AnyRow]) -> Result<HashMap<MentorshipId, ReviewFigures>, sqlx::Error> {
    let mut latest: HashMap<(MentorshipId, UserId), ReviewFigure> = HashMap::new();
    for r in rows {
        let role: String = r.try_get("role")?;
        let satisfaction: Option<i64> = r.try_get("satisfaction")?;
        let choice: Option<String> = r.try_get("continue_choice")?;
        let figure = ReviewFigure {
            role: Role::parse(&role).unwrap_or(Role::Mentee),
            round: r.try_get("round")?,
            satisfaction: satisfaction.and_then(|s| u8::try_from(s).ok()),
            continue_choice: choice.as_deref().and_then(ContinueChoice::parse),
        };
        let key = (get_parsed(r, "mentorship_id")?, get_parsed(r, "user_id")?);
        if latest.get(&key).is_none_or(|f| f.round < figure.round) {
            latest.insert(key, figure);
        }
    }
    let mut by: HashMap<MentorshipId, Vec<ReviewFigure>> = HashMap::new();
    for ((mentorship, _), figure) in latest {
        by.entry(mentorship).or_default().push(figure);
    }
    Ok(by.into_iter().map(|(m, f)| (m, ReviewFigures::new(f))).collect())
}

/// The review figures of one mentorship: all a coordinator learns of its reviews.
pub async fn figures(pool: &AnyPool, mentorship: MentorshipId) -> Result<ReviewFigures, StoreError> {
    let sql = format!("{FIGURES} WHERE r.mentorship_id = $1");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(mentorship.to_string()).fetch_all(pool).await?;
    Ok(collect(&rows)?.remove(&mentorship).unwrap_or_default())
}

/// The review figures of every mentorship of a programme that has any (the dashboard).
pub async fn figures_in_programme(pool: &AnyPool, programme: ProgrammeId) -> Result<HashMap<MentorshipId, ReviewFigures>, StoreError> {
    let sql = format!("{FIGURES} JOIN mentorships m ON m.id = r.mentorship_id WHERE m.programme_id = $1");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.to_string()).fetch_all(pool).await?;
    Ok(collect(&rows)?)
}
