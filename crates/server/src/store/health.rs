//! What the contact-health figures are computed from: per mentorship, *when* each
//! member wrote (and on which side) and when meetings were logged — never subjects,
//! bodies or notes.

use super::{Columns, FromColumns, get_parsed, get_time, ms};
use crate::db::direct::Param;
use crate::db::{Db, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use mentorpost_model::health::{Contact, Side};
use mentorpost_model::meeting::MeetingView;
use mentorpost_model::session::NewAction;
use mentorpost_model::{EventKind, MeetingMode, MentorshipId, MentorshipStatus, ProgrammeId, UserId};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;

/// A mentorship's settings the figures need.
#[derive(Clone, Debug)]
pub struct Tracked {
    pub id: MentorshipId,
    pub status: MentorshipStatus,
    pub start_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub contact_every_days: i64,
    pub response_within_hours: i64,
    pub timezone: String,
    /// Moves with every event of the mentorship (messages, membership, agreement).
    pub last_seq: i64,
    /// Meetings logged so far (they are never deleted, so the count moves with each).
    pub meetings: u32,
    /// When the programme was set up: the dates its records may carry start a year before.
    pub programme_created_at: DateTime<Utc>,
    /// The programme's days after the start before a pair that never met a window
    /// counts as not started.
    pub not_started_days: i64,
    /// When it closed: its figures stand still from then on.
    pub closed_at: Option<DateTime<Utc>>,
}

const SUBJECT_SELECT: &str =
    "SELECT ms.id, ms.status, ms.start_date, ms.created_at, ms.closed_at, ms.contact_every_days, ms.response_within_hours, p.timezone, ms.last_seq,
            p.created_at AS programme_created_at, p.default_not_started_days, (SELECT COUNT(*) FROM meetings mt WHERE mt.mentorship_id = ms.id) AS meetings
     FROM mentorships ms JOIN programmes p ON p.id = ms.programme_id";

impl FromColumns for Tracked {
    fn from_columns(r: &impl Columns) -> Result<Tracked, StoreError> {
        Ok(Tracked {
            id: r.parsed("id")?,
            status: MentorshipStatus::parse(&r.text("status")?).unwrap_or(MentorshipStatus::Closed),
            start_date: r.opt_parsed::<NaiveDate>("start_date")?,
            created_at: r.time("created_at")?,
            contact_every_days: r.int("contact_every_days")?,
            response_within_hours: r.int("response_within_hours")?,
            timezone: r.text("timezone")?,
            last_seq: r.int("last_seq")?,
            meetings: u32::try_from(r.int("meetings")?).unwrap_or(u32::MAX),
            programme_created_at: r.time("programme_created_at")?,
            not_started_days: r.int("default_not_started_days")?,
            closed_at: r.opt_time("closed_at")?,
        })
    }
}

pub async fn subject(pool: &AnyPool, id: MentorshipId) -> Result<Option<Tracked>, StoreError> {
    let sql = format!("{SUBJECT_SELECT} WHERE ms.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(pool).await?;
    row.map(|r| Tracked::from_columns(&r)).transpose()
}

pub async fn programme_subjects(db: &Db, programme: ProgrammeId) -> Result<Vec<Tracked>, StoreError> {
    let sql = format!("{SUBJECT_SELECT} WHERE ms.programme_id = $1 ORDER BY ms.created_at, ms.id");
    super::fetch_rows(db, sql, vec![Param::from(programme.to_string())]).await
}

/// A contact with the mentorship it belongs to.
struct ContactOf(MentorshipId, Contact);

/// A row of the messages' read in [`contacts_where`].
struct MessageContact(ContactOf);

impl FromColumns for MessageContact {
    fn from_columns(r: &impl Columns) -> Result<MessageContact, StoreError> {
        let side = if r.text("role")? == "mentor" { Side::Mentors } else { Side::Mentees };
        let contact = Contact::Message { at: r.time("created_at")?, side, thread: r.parsed("thread_id")? };
        Ok(MessageContact(ContactOf(r.parsed("mentorship_id")?, contact)))
    }
}

/// A row of the meetings' read in [`contacts_where`].
struct MeetingContact(ContactOf);

impl FromColumns for MeetingContact {
    fn from_columns(r: &impl Columns) -> Result<MeetingContact, StoreError> {
        Ok(MeetingContact(ContactOf(r.parsed("mentorship_id")?, Contact::Meeting { at: r.time("held_at")? })))
    }
}

/// Contacts per mentorship, for the mentorships of `filter` (over `ms`, with `binds` as
/// `$1…`). Only messages whose author is a member count (system messages and
/// coordinators' check-ins do not; auto-replies are never posted), on the author's side.
/// A cold start reads every message of a programme here, so it goes through
/// [`super::fetch_rows`] (on SQLite, the direct read connections).
async fn contacts_where(db: &Db, filter: &str, binds: &[String]) -> Result<HashMap<MentorshipId, Vec<Contact>>, StoreError> {
    let params: Vec<Param> = binds.iter().map(|b| Param::from(b.as_str())).collect();
    let sql = format!(
        "SELECT m.mentorship_id, m.created_at, m.thread_id, mm.role FROM messages m
         JOIN mentorships ms ON ms.id = m.mentorship_id
         JOIN mentorship_members mm ON mm.mentorship_id = m.mentorship_id AND mm.user_id = m.author_id
         WHERE {filter} AND m.source <> 'system'"
    );
    let messages = super::fetch_rows::<MessageContact>(db, sql, params.clone()).await?.into_iter().map(|MessageContact(c)| c);
    let sql = format!("SELECT m.mentorship_id, m.held_at FROM meetings m JOIN mentorships ms ON ms.id = m.mentorship_id WHERE {filter}");
    let meetings = super::fetch_rows::<MeetingContact>(db, sql, params).await?.into_iter().map(|MeetingContact(c)| c);
    let mut out: HashMap<MentorshipId, Vec<Contact>> = HashMap::new();
    for ContactOf(mentorship, contact) in messages.chain(meetings) {
        out.entry(mentorship).or_default().push(contact);
    }
    Ok(out)
}

/// The contacts of the given mentorships.
pub async fn contacts_of(db: &Db, ids: &[MentorshipId]) -> Result<HashMap<MentorshipId, Vec<Contact>>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let binds: Vec<String> = ids.iter().map(ToString::to_string).collect();
    contacts_where(db, &format!("ms.id IN ({})", placeholders.join(", ")), &binds).await
}

/// The contacts of every mentorship of a programme.
pub async fn programme_contacts(db: &Db, programme: ProgrammeId) -> Result<HashMap<MentorshipId, Vec<Contact>>, StoreError> {
    contacts_where(db, "ms.programme_id = $1", &[programme.to_string()]).await
}

/// A meeting to store.
pub struct NewMeeting {
    pub mentorship: MentorshipId,
    pub logged_by: UserId,
    pub date: NaiveDate,
    pub held_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub mode: MeetingMode,
    pub note: Option<String>,
    pub learning_goal: Option<String>,
    pub explored: Option<String>,
    /// The actions agreed, each with its owner's display name.
    pub actions: Vec<(NewAction, String)>,
}

pub async fn log_meeting(db: &Db, m: NewMeeting, now: DateTime<Utc>) -> Result<MeetingView, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    let view = MeetingView {
        id: id.clone(),
        mentorship_id: m.mentorship,
        logged_by: m.logged_by,
        date: m.date,
        held_at: super::from_ms(ms(m.held_at)),
        duration_minutes: m.duration_minutes,
        mode: m.mode,
        note: m.note.clone(),
        learning_goal: m.learning_goal.clone(),
        explored: m.explored.clone(),
        actions: Vec::new(),
        created_at: super::from_ms(ms(now)),
    };
    let actions = db.write(move |conn| {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO meetings (id, mentorship_id, logged_by, held_on, held_at, duration_minutes, mode, note, learning_goal, explored, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id.clone())
            .bind(m.mentorship.to_string())
            .bind(m.logged_by.to_string())
            .bind(m.date.to_string())
            .bind(ms(m.held_at))
            .bind(m.duration_minutes)
            .bind(m.mode.as_str())
            .bind(m.note)
            .bind(m.learning_goal)
            .bind(m.explored)
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            // A meeting is contact: the members see it logged, live.
            super::events::append(
                conn,
                m.mentorship,
                EventKind::MeetingLogged,
                super::events::EventRefs { actor: Some(m.logged_by), ..Default::default() },
                now,
            )
            .await?;
            super::actions::insert_in(conn, m.mentorship, &id, m.logged_by, &m.actions, now).await
        })
    })
    .await?;
    Ok(MeetingView { actions, ..view })
}

/// A mentorship's meetings, newest first (members only: notes included).
pub async fn meetings(pool: &AnyPool, id: MentorshipId, until: Option<DateTime<Utc>>) -> Result<Vec<MeetingView>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, logged_by, held_on, held_at, duration_minutes, mode, note, learning_goal, explored, created_at FROM meetings
         WHERE mentorship_id = $1 AND held_at <= $2 ORDER BY held_at DESC",
    )
    .bind(id.to_string())
    .bind(until.map_or(i64::MAX, ms))
    .fetch_all(pool)
    .await?;
    let mut actions = super::actions::of_meetings(pool, id).await?;
    rows.iter()
        .map(|r| {
            let mode: String = r.try_get("mode")?;
            let meeting: String = r.try_get("id")?;
            let day: String = r.try_get("held_on")?;
            Ok(MeetingView {
                actions: actions.remove(&meeting).unwrap_or_default(),
                id: meeting,
                mentorship_id: id,
                logged_by: get_parsed(r, "logged_by")?,
                date: day.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                held_at: get_time(r, "held_at")?,
                duration_minutes: r.try_get("duration_minutes")?,
                mode: MeetingMode::parse(&mode).unwrap_or(MeetingMode::Video),
                note: r.try_get("note")?,
                learning_goal: r.try_get("learning_goal")?,
                explored: r.try_get("explored")?,
                created_at: get_time(r, "created_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
