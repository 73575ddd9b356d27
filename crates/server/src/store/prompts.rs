//! The journey's prompts (F5–F10): timers derived from the records, fired once across
//! instances, and the invitations they sent with their reply tokens.
//!
//! Why timers are derived rather than written by each feature's write path: the
//! records they come from (a meeting, an action's due date, the agreed end date, the
//! programme's review cadence, a closing) change on many paths, and a timer keyed by
//! what it was derived from (a meeting id, `3.2026-12-10`, an end date) is simply
//! missing after a change. The reconciling reads below find the missing ones with an
//! anti-join each; the scheduler computes their instants and adds them. Firing is a
//! compare-and-set on `fired_at`, so two instances never both invite.

use super::mail::{EFFECTIVE_MODE_SQL, settings_from_row, token_hash};
use super::{get_parsed, get_time, ms, padded, padded_len};
use crate::db::{Backend, Db, Note, StoreError, note};
use chrono::{DateTime, NaiveDate, Utc};
use mentorpost_model::journey::PromptKind;
use mentorpost_model::mail::{MailMode, MailSettings};
use mentorpost_model::{Locale, MentorshipId, Role, UserId};
use sqlx::{AnyPool, Row};
use std::collections::{HashMap, HashSet};

/// A moment a step of the journey comes due for a mentorship.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timer {
    pub mentorship_id: MentorshipId,
    pub kind: PromptKind,
    /// What it was derived from: a meeting id, a review round, an end date, an action.
    pub subject: String,
    pub due_at: DateTime<Utc>,
}

/// Adds timers that are not there yet (an existing key is left as it is).
pub async fn add_timers(db: &Db, timers: Vec<Timer>, now: DateTime<Utc>) -> Result<(), StoreError> {
    if timers.is_empty() {
        return Ok(());
    }
    let added = timers.len();
    db.write(move |conn| {
        Box::pin(async move {
            for chunk in timers.chunks(ROWS_PER_INSERT) {
                let values = (0..chunk.len())
                    .map(|i| format!("(${}, ${}, ${}, ${}, $1)", i * 4 + 2, i * 4 + 3, i * 4 + 4, i * 4 + 5))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "INSERT INTO journey_timers (mentorship_id, kind, subject, due_at, created_at) VALUES {values}
                     ON CONFLICT (mentorship_id, kind, subject) DO NOTHING"
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now));
                for t in chunk {
                    query = query.bind(t.mentorship_id.to_string()).bind(t.kind.as_str()).bind(t.subject.clone()).bind(ms(t.due_at));
                }
                query.execute(&mut *conn).await?;
            }
            Ok(())
        })
    })
    .await?;
    // A large batch (the first round over an existing programme) changes the table's
    // shape all at once; PostgreSQL's statistics, and the plans cached from them, would
    // otherwise still see an empty table until autovacuum's next pass, and run the
    // reconciling anti-joins as nested loops over sequential scans (seconds a round).
    if added >= ANALYZE_AFTER && db.backend() == Backend::Postgres {
        sqlx::query("ANALYZE journey_timers").execute(db.pool()).await?;
    }
    Ok(())
}

/// Timers added at once after which PostgreSQL's statistics are refreshed.
const ANALYZE_AFTER: usize = 1_000;

/// Rows per multi-row insert (five binds each stays far below both backends' limits).
const ROWS_PER_INSERT: usize = 500;

/// The waiting timers due at `now`, earliest first.
pub async fn due(pool: &AnyPool, now: DateTime<Utc>, limit: i64) -> Result<Vec<Timer>, StoreError> {
    let rows = sqlx::query(
        "SELECT mentorship_id, kind, subject, due_at FROM journey_timers WHERE fired_at IS NULL AND due_at <= $1
         ORDER BY due_at LIMIT $2",
    )
    .bind(ms(now))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        let Some(kind) = PromptKind::parse(&kind) else { continue };
        out.push(Timer {
            mentorship_id: get_parsed(r, "mentorship_id")?,
            kind,
            subject: r.try_get("subject")?,
            due_at: get_time(r, "due_at")?,
        });
    }
    Ok(out)
}

/// Moves a waiting timer (its record now says a later moment).
pub async fn postpone(db: &Db, timer: &Timer, due_at: DateTime<Utc>) -> Result<(), StoreError> {
    let (id, kind, subject) = (timer.mentorship_id.to_string(), timer.kind.as_str(), timer.subject.clone());
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query(
                "UPDATE journey_timers SET due_at = $1 WHERE mentorship_id = $2 AND kind = $3 AND subject = $4 AND fired_at IS NULL",
            )
            .bind(ms(due_at))
            .bind(id)
            .bind(kind)
            .bind(subject)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    })
    .await
}

// ---- reconciling: records whose timer is missing ----------------------------------

/// Sessions logged since `since` in active mentorships without a reflection timer.
pub async fn meetings_without_timer(
    pool: &AnyPool,
    since: DateTime<Utc>,
) -> Result<Vec<(MentorshipId, String, DateTime<Utc>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT mt.mentorship_id, mt.id, mt.created_at FROM meetings mt
         JOIN mentorships m ON m.id = mt.mentorship_id AND m.status = 'active'
         WHERE mt.created_at >= $1
           AND NOT EXISTS (SELECT 1 FROM journey_timers t
                           WHERE t.mentorship_id = mt.mentorship_id AND t.kind = 'reflection' AND t.subject = mt.id)",
    )
    .bind(ms(since))
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok((get_parsed(r, "mentorship_id")?, r.try_get("id")?, get_time(r, "created_at")?))).collect()
}

/// An open action with a due date whose reminder timer is missing.
#[derive(Clone, Debug)]
pub struct OpenAction {
    pub mentorship_id: MentorshipId,
    pub number: i64,
    pub due_on: NaiveDate,
    /// The owner's time zone: the reminder comes at their morning.
    pub timezone: String,
}

/// Open actions of active mentorships due on or after `from` without a reminder timer
/// for their current due date.
pub async fn actions_without_timer(pool: &AnyPool, from: NaiveDate) -> Result<Vec<OpenAction>, StoreError> {
    // `due_on` is YYYY-MM-DD text, so text order is date order and `||` builds the key.
    let rows = sqlx::query(
        "SELECT a.mentorship_id, a.number, a.due_on, u.timezone FROM actions a
         JOIN mentorships m ON m.id = a.mentorship_id AND m.status = 'active'
         JOIN users u ON u.id = a.owner_id
         WHERE a.done_at IS NULL AND a.due_on IS NOT NULL AND a.due_on >= $1
           AND NOT EXISTS (SELECT 1 FROM journey_timers t
                           WHERE t.mentorship_id = a.mentorship_id AND t.kind = 'action'
                             AND t.subject = CAST(a.number AS TEXT) || '.' || a.due_on)",
    )
    .bind(from.to_string())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let due: String = r.try_get("due_on")?;
        let Ok(due_on) = due.parse() else { continue };
        out.push(OpenAction {
            mentorship_id: get_parsed(r, "mentorship_id")?,
            number: r.try_get("number")?,
            due_on,
            timezone: r.try_get("timezone")?,
        });
    }
    Ok(out)
}

/// Active mentorships with an agreed end date whose closure timer for that date is
/// missing, with their programme's time zone.
pub async fn end_dates_without_timer(pool: &AnyPool) -> Result<Vec<(MentorshipId, NaiveDate, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.id, m.end_date, p.timezone FROM mentorships m JOIN programmes p ON p.id = m.programme_id
         WHERE m.status = 'active' AND m.end_date IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM journey_timers t WHERE t.mentorship_id = m.id AND t.kind = 'closure' AND t.subject = m.end_date)",
    )
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let end: String = r.try_get("end_date")?;
        let Ok(end) = end.parse() else { continue };
        out.push((get_parsed(r, "id")?, end, r.try_get("timezone")?));
    }
    Ok(out)
}

/// An active mentorship without a waiting review timer: when its reviews count from,
/// its programme's cadence and zone, and the last round a timer was made for.
#[derive(Clone, Debug)]
pub struct ReviewCandidate {
    pub mentorship_id: MentorshipId,
    pub start: NaiveDate,
    pub every_months: u32,
    pub timezone: String,
    pub last_round: i64,
}

/// Active mentorships whose next review has no timer yet.
pub async fn mentorships_without_review_timer(pool: &AnyPool) -> Result<Vec<ReviewCandidate>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.id, m.start_date, m.created_at, p.timezone, p.review_every_months,
                (SELECT MAX(CAST(t.subject AS BIGINT)) FROM journey_timers t WHERE t.mentorship_id = m.id AND t.kind = 'review') AS last_round
         FROM mentorships m JOIN programmes p ON p.id = m.programme_id
         WHERE m.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM journey_timers t WHERE t.mentorship_id = m.id AND t.kind = 'review' AND t.fired_at IS NULL)",
    )
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let timezone: String = r.try_get("timezone")?;
        let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
        let start = match r.try_get::<Option<String>, _>("start_date")?.and_then(|d| d.parse().ok()) {
            Some(day) => day,
            None => get_time(r, "created_at")?.with_timezone(&tz).date_naive(),
        };
        let every: i64 = r.try_get("review_every_months")?;
        out.push(ReviewCandidate {
            mentorship_id: get_parsed(r, "id")?,
            start,
            every_months: u32::try_from(every).unwrap_or(mentorpost_model::review::DEFAULT_EVERY_MONTHS),
            timezone,
            last_round: r.try_get::<Option<i64>, _>("last_round")?.unwrap_or(0),
        });
    }
    Ok(out)
}

/// Active mentorships whose closing step started (on the web, by the API, or because
/// the end date came near) and whose members were not invited to the closing form yet.
pub async fn closings_without_timer(pool: &AnyPool) -> Result<Vec<MentorshipId>, StoreError> {
    let rows = sqlx::query(
        "SELECT c.mentorship_id FROM closings c JOIN mentorships m ON m.id = c.mentorship_id AND m.status = 'active'
         WHERE NOT EXISTS (SELECT 1 FROM journey_timers t WHERE t.mentorship_id = c.mentorship_id AND t.kind = 'closing')",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok(get_parsed(r, "mentorship_id")?)).collect()
}

/// Mentorships paired since `since` whose members were not yet asked for a missing
/// profile, with when they were paired.
pub async fn pairings_without_profile_timer(
    pool: &AnyPool,
    since: DateTime<Utc>,
) -> Result<Vec<(MentorshipId, DateTime<Utc>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.id, m.created_at FROM mentorships m
         WHERE m.status = 'active' AND m.created_at >= $1
           AND NOT EXISTS (SELECT 1 FROM journey_timers t WHERE t.mentorship_id = m.id AND t.kind = 'profile')",
    )
    .bind(ms(since))
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok((get_parsed(r, "id")?, get_time(r, "created_at")?))).collect()
}

/// A closed mentorship without a follow-up timer: when it closed, the programme's
/// follow-up months and zone.
pub async fn closed_without_timer(pool: &AnyPool) -> Result<Vec<(MentorshipId, DateTime<Utc>, u32, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.id, m.closed_at, p.follow_up_months, p.timezone FROM mentorships m JOIN programmes p ON p.id = m.programme_id
         WHERE m.status = 'closed' AND m.closed_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM journey_timers t WHERE t.mentorship_id = m.id AND t.kind = 'follow_up')",
    )
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let months: i64 = r.try_get("follow_up_months")?;
        out.push((
            get_parsed(r, "id")?,
            get_time(r, "closed_at")?,
            u32::try_from(months).unwrap_or(mentorpost_model::closure::DEFAULT_FOLLOW_UP_MONTHS),
            r.try_get("timezone")?,
        ));
    }
    Ok(out)
}

/// A mentorship's status and agreed end date, to check a closure timer against.
pub async fn end_date(pool: &AnyPool, mentorship: MentorshipId) -> Result<Option<(String, Option<NaiveDate>)>, StoreError> {
    let row =
        sqlx::query("SELECT status, end_date FROM mentorships WHERE id = $1").bind(mentorship.to_string()).fetch_optional(pool).await?;
    let Some(r) = row else { return Ok(None) };
    let end: Option<String> = r.try_get("end_date")?;
    Ok(Some((r.try_get("status")?, end.and_then(|d| d.parse().ok()))))
}

/// Who already answered, as (mentorship, user, round) — `round` 0 for the closing form
/// and the follow-up, which a member fills in once.
pub async fn answered(pool: &AnyPool, kind: PromptKind, ids: &[MentorshipId]) -> Result<HashSet<(MentorshipId, UserId, i64)>, StoreError> {
    let select = match kind {
        PromptKind::Review => "SELECT mentorship_id, user_id, round FROM reviews",
        PromptKind::Closing => "SELECT mentorship_id, user_id, 0 AS round FROM closing_forms",
        PromptKind::FollowUp => "SELECT mentorship_id, user_id, 0 AS round FROM follow_ups",
        // Someone who wrote any of their profile has one.
        PromptKind::Profile => {
            "SELECT mm.mentorship_id, p.user_id, 0 AS round FROM profiles p JOIN mentorship_members mm ON mm.user_id = p.user_id
             WHERE (p.background <> '' OR p.experience <> '' OR p.interests <> '' OR p.hopes <> '') AND mm.mentorship_id IN"
        }
        PromptKind::Reflection | PromptKind::Closure | PromptKind::Action => return Ok(HashSet::new()),
    };
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut out = HashSet::new();
    for chunk in ids.chunks(IN_LIST) {
        let list = placeholders(1, padded_len(chunk.len()));
        let sql = if select.ends_with(" IN") { format!("{select} ({list})") } else { format!("{select} WHERE mentorship_id IN ({list})") };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in padded(chunk) {
            query = query.bind(id.as_str());
        }
        for r in &query.fetch_all(pool).await? {
            out.insert((get_parsed(r, "mentorship_id")?, get_parsed(r, "user_id")?, r.try_get::<i64, _>("round")?));
        }
    }
    Ok(out)
}

// ---- firing ------------------------------------------------------------------------

/// A member as an invitation needs them.
#[derive(Clone, Debug)]
pub struct Member {
    pub mentorship_id: MentorshipId,
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
    pub locale: Locale,
    pub timezone: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
    /// Their mail mode for this mentorship (a general `off` wins).
    pub mode: MailMode,
    pub settings: MailSettings,
    /// Signs in to the web app; without a password the person takes part by mail alone.
    pub has_password: bool,
}

/// The current members of these mentorships, by mentorship.
pub async fn members(pool: &AnyPool, ids: &[MentorshipId]) -> Result<HashMap<MentorshipId, Vec<Member>>, StoreError> {
    let mut out: HashMap<MentorshipId, Vec<Member>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    for chunk in ids.chunks(IN_LIST) {
        let sql = format!(
            "SELECT mm.mentorship_id, u.id, u.display_name, u.email, u.locale, u.timezone, mm.role, mm.joined_at,
                    CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password, s.mode AS own_mode, s.digest_hour,
                    s.digest_weekday, s.quiet_start, s.quiet_end, s.missed_delay_minutes, {EFFECTIVE_MODE_SQL} AS effective_mode
             FROM mentorship_members mm JOIN users u ON u.id = mm.user_id
             LEFT JOIN mail_settings s ON s.user_id = mm.user_id
             LEFT JOIN mail_mentorship_settings o ON o.user_id = mm.user_id AND o.mentorship_id = mm.mentorship_id
             WHERE mm.mentorship_id IN ({}) AND mm.left_at IS NULL ORDER BY mm.role, u.display_name",
            placeholders(1, padded_len(chunk.len()))
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in padded(chunk) {
            query = query.bind(id.as_str());
        }
        for r in &query.fetch_all(pool).await? {
            let role: String = r.try_get("role")?;
            let mode: String = r.try_get("effective_mode")?;
            let locale: String = r.try_get("locale")?;
            let member = Member {
                mentorship_id: get_parsed(r, "mentorship_id")?,
                user_id: get_parsed(r, "id")?,
                display_name: r.try_get("display_name")?,
                email: r.try_get("email")?,
                locale: Locale::parse(&locale).unwrap_or_default(),
                timezone: r.try_get("timezone")?,
                role: Role::parse(&role).unwrap_or(Role::Mentee),
                joined_at: get_time(r, "joined_at")?,
                // An unreadable mode sends nothing rather than too much.
                mode: MailMode::parse(&mode).unwrap_or(MailMode::Off),
                settings: settings_from_row(r)?,
                has_password: r.try_get::<i64, _>("has_password")? != 0,
            };
            out.entry(member.mentorship_id).or_default().push(member);
        }
    }
    Ok(out)
}

/// Ids per `IN (…)` list.
const IN_LIST: usize = 256;

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The (mentorship, meeting, author) triples of the reflections already written about
/// these meetings: nobody is invited to a form they filled in.
pub async fn reflections_written(pool: &AnyPool, meetings: &[String]) -> Result<Vec<(String, UserId)>, StoreError> {
    let mut out = Vec::new();
    for chunk in meetings.chunks(IN_LIST) {
        let sql =
            format!("SELECT meeting_id, author_id FROM reflections WHERE meeting_id IN ({})", placeholders(1, padded_len(chunk.len())));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in padded(chunk) {
            query = query.bind(id.as_str());
        }
        for r in &query.fetch_all(pool).await? {
            out.push((r.try_get("meeting_id")?, get_parsed(r, "author_id")?));
        }
    }
    Ok(out)
}

/// Meeting dates (YYYY-MM-DD, programme zone) by meeting id.
pub async fn meeting_days(pool: &AnyPool, meetings: &[String]) -> Result<HashMap<String, NaiveDate>, StoreError> {
    let mut out = HashMap::new();
    for chunk in meetings.chunks(IN_LIST) {
        let sql = format!("SELECT id, held_on FROM meetings WHERE id IN ({})", placeholders(1, padded_len(chunk.len())));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in padded(chunk) {
            query = query.bind(id.as_str());
        }
        for r in &query.fetch_all(pool).await? {
            let day: String = r.try_get("held_on")?;
            if let Ok(day) = day.parse() {
                out.insert(r.try_get("id")?, day);
            }
        }
    }
    Ok(out)
}

/// An open action as its reminder shows it.
#[derive(Clone, Debug)]
pub struct ActionDue {
    pub text: String,
    pub owner_id: UserId,
    pub due_on: Option<NaiveDate>,
    pub done: bool,
    pub created_at: DateTime<Utc>,
}

/// One action of a mentorship by its number.
pub async fn action(pool: &AnyPool, mentorship: MentorshipId, number: i64) -> Result<Option<ActionDue>, StoreError> {
    let row = sqlx::query("SELECT text, owner_id, due_on, done_at, created_at FROM actions WHERE mentorship_id = $1 AND number = $2")
        .bind(mentorship.to_string())
        .bind(number)
        .fetch_optional(pool)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let due: Option<String> = r.try_get("due_on")?;
    Ok(Some(ActionDue {
        text: r.try_get("text")?,
        owner_id: get_parsed(&r, "owner_id")?,
        due_on: due.and_then(|d| d.parse().ok()),
        done: r.try_get::<Option<i64>, _>("done_at")?.is_some(),
        created_at: get_time(&r, "created_at")?,
    }))
}

/// One member's invitation of a fired timer.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub user: UserId,
    /// The reply token (`form+TOKEN@`), stored hashed.
    pub token: String,
    /// The rendered mail and when it may go; `None` when the person reads no mail.
    pub mail: Option<(String, DateTime<Utc>)>,
}

/// A timer to fire with the invitations it sends.
#[derive(Clone, Debug)]
pub struct Firing {
    pub timer: Timer,
    pub invitations: Vec<Invitation>,
}

/// The prompt's id: `kind.mentorship.subject.user`, also its mail's outbox id.
pub fn prompt_id(timer: &Timer, user: UserId) -> String {
    format!("{}.{}.{}.{}", timer.kind.as_str(), timer.mentorship_id, timer.subject, user)
}

/// Fires the timers that are still waiting and queues their invitations, in one
/// transaction. A timer another instance fired meanwhile is skipped with everything
/// it would have sent: `UPDATE … WHERE fired_at IS NULL` is the claim (on PostgreSQL
/// the second of two concurrent claims waits for the first's row lock, then finds the
/// row fired). Set-based, so a round that fires thousands (the first over an existing
/// programme) costs a few statements per batch, not a few per timer. Returns how many
/// timers fired and how many mails were queued.
pub async fn fire(db: &Db, firings: Vec<Firing>, now: DateTime<Utc>) -> Result<(usize, usize), StoreError> {
    if firings.is_empty() {
        return Ok((0, 0));
    }
    db.write(move |conn| {
        Box::pin(async move {
            let mut fired = 0;
            let mut mail_ids = Vec::new();
            for batch in firings.chunks(FIRE_BATCH) {
                // 1. The claim.
                let values = (0..batch.len()).map(|i| format!("(${}, ${}, ${})", i * 3 + 2, i * 3 + 3, i * 3 + 4)).collect::<Vec<_>>().join(", ");
                let sql = format!(
                    "UPDATE journey_timers SET fired_at = $1
                     WHERE fired_at IS NULL AND (mentorship_id, kind, subject) IN (VALUES {values})
                     RETURNING mentorship_id, kind, subject"
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now));
                for f in batch {
                    query = query.bind(f.timer.mentorship_id.to_string()).bind(f.timer.kind.as_str()).bind(f.timer.subject.as_str());
                }
                let mut claimed = HashSet::new();
                for r in &query.fetch_all(&mut *conn).await? {
                    let (m, k, subject): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
                    claimed.insert(format!("{k}.{m}.{subject}"));
                }
                fired += claimed.len();
                let invitations: Vec<(&Timer, &Invitation)> = batch
                    .iter()
                    .filter(|f| claimed.contains(&format!("{}.{}.{}", f.timer.kind.as_str(), f.timer.mentorship_id, f.timer.subject)))
                    .flat_map(|f| f.invitations.iter().map(move |inv| (&f.timer, inv)))
                    .collect();
                for chunk in invitations.chunks(ROWS_PER_INSERT / 2) {
                    // 2. The members' prompts, with their reply tokens.
                    let values = (0..chunk.len())
                        .map(|i| {
                            let b = i * 7 + 2;
                            format!("(${b}, ${}, ${}, ${}, ${}, ${}, ${}, $1)", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6)
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!(
                        "INSERT INTO prompts (id, mentorship_id, kind, subject, user_id, token_hash, mailed, created_at) VALUES {values}
                         ON CONFLICT (id) DO NOTHING RETURNING id"
                    );
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now));
                    for (t, inv) in chunk {
                        query = query
                            .bind(prompt_id(t, inv.user))
                            .bind(t.mentorship_id.to_string())
                            .bind(t.kind.as_str())
                            .bind(t.subject.as_str())
                            .bind(inv.user.to_string())
                            .bind(token_hash(&inv.token))
                            .bind(i64::from(inv.mail.is_some()));
                    }
                    let inserted: HashSet<String> =
                        query.fetch_all(&mut *conn).await?.iter().map(|r| r.try_get::<String, _>(0)).collect::<Result<_, _>>()?;
                    // 3. Their mails.
                    let mails: Vec<QueuedMail> = chunk
                        .iter()
                        .filter_map(|(t, inv)| {
                            let id = prompt_id(t, inv.user);
                            let mail = inv.mail.as_ref()?;
                            inserted.contains(&id).then_some((id, *t, *inv, mail))
                        })
                        .collect();
                    if mails.is_empty() {
                        continue;
                    }
                    let values = (0..mails.len())
                        .map(|i| {
                            let b = i * 5 + 2;
                            format!("(${b}, 'prompt', ${}, ${}, ${}, 'pending', ${}, 0, $1)", b + 1, b + 2, b + 3, b + 4)
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!(
                        "INSERT INTO outbox (id, kind, user_id, mentorship_id, rendered, status, not_before, attempts, created_at) VALUES {values}
                         ON CONFLICT (id) DO NOTHING"
                    );
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ms(now));
                    for (id, t, inv, (rendered, not_before)) in &mails {
                        query = query
                            .bind(id.as_str())
                            .bind(inv.user.to_string())
                            .bind(t.mentorship_id.to_string())
                            .bind(rendered.as_str())
                            .bind(ms(*not_before));
                    }
                    query.execute(&mut *conn).await?;
                    mail_ids.extend(mails.into_iter().map(|(id, ..)| id));
                }
            }
            let queued = mail_ids.len();
            if !mail_ids.is_empty() {
                note(Note::Mail(mail_ids));
            }
            Ok((fired, queued))
        })
    })
    .await
}

/// A mail to queue: the prompt's id (also the outbox id), its timer, the invitation
/// and its rendered text with when it may go.
type QueuedMail<'a> = (String, &'a Timer, &'a Invitation, &'a (String, DateTime<Utc>));

/// Timers claimed per statement (three binds each).
const FIRE_BATCH: usize = 256;

/// Fires timers that invite nobody (stale, or their record is gone): they stay fired.
pub async fn retire(db: &Db, timers: Vec<Timer>, now: DateTime<Utc>) -> Result<(), StoreError> {
    let firings = timers.into_iter().map(|timer| Firing { timer, invitations: Vec::new() }).collect();
    fire(db, firings, now).await.map(|_| ())
}

// ---- the way back --------------------------------------------------------------------

/// What a `form+TOKEN` address stands for.
#[derive(Clone, Debug)]
pub struct PromptTarget {
    pub id: String,
    pub mentorship_id: MentorshipId,
    pub kind: PromptKind,
    pub subject: String,
    pub user_id: UserId,
    pub answered: bool,
}

pub async fn by_token(pool: &AnyPool, token: &str) -> Result<Option<PromptTarget>, StoreError> {
    let row = sqlx::query("SELECT id, mentorship_id, kind, subject, user_id, answered_at FROM prompts WHERE token_hash = $1")
        .bind(token_hash(token))
        .fetch_optional(pool)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let kind: String = r.try_get("kind")?;
    let Some(kind) = PromptKind::parse(&kind) else { return Ok(None) };
    Ok(Some(PromptTarget {
        id: r.try_get("id")?,
        mentorship_id: get_parsed(&r, "mentorship_id")?,
        kind,
        subject: r.try_get("subject")?,
        user_id: get_parsed(&r, "user_id")?,
        answered: r.try_get::<Option<i64>, _>("answered_at")?.is_some(),
    }))
}

/// Notes that the invitation was answered by mail.
pub async fn mark_answered(db: &Db, id: String, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query("UPDATE prompts SET answered_at = $1 WHERE id = $2").bind(ms(now)).bind(id).execute(&mut *conn).await?;
            Ok(())
        })
    })
    .await
}
