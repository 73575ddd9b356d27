//! Personal data: what the service holds about one person, in one place.
//!
//! [`MAP`] says, for every table of the schema, whether it holds data about a person
//! and how a person's rows are found; a test reads the migrations and fails on a table
//! without a row, so a new table cannot be forgotten. The export (right of access and
//! portability, [`export`]) walks the tables the map marks as personal; the erasure and
//! the retention job are to walk the same map. `docs/architecture.md` ("Personal data
//! map") is the same table in prose.
//!
//! What is *theirs*: their account, addresses, profile, memberships, consents, mail
//! settings and mail records; in each mentorship the messages they wrote and received
//! in the threads they may read (the membership's window), the attachments of those
//! messages, the agreement as they may read it, the sessions and actions of their time
//! there; and of the forms (reflections, reviews, closing forms, follow-ups, check-in
//! answers) **their own answers only** — another member's form, even one they may
//! read, is the other member's.

use super::from_ms;
use crate::db::{Backend, Db};
use chrono::{DateTime, Utc};
use mentorpost_model::UserId;
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};

/// Whether a table holds data about a person, and how their rows are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holds {
    /// Rows about a person, exported; the text says how they are found.
    Personal(&'static str),
    /// Rows about a person that the export leaves out (secrets, counters, copies);
    /// the text says why. Erasure still removes them.
    PersonalNotExported(&'static str),
    /// No data about a person; the text says what it holds.
    NotPersonal(&'static str),
}

/// Every table of the schema and what it holds about people (see the module docs).
pub const MAP: &[(&str, Holds)] = &[
    ("settings", Holds::NotPersonal("instance settings: the signing secret, scan positions")),
    ("users", Holds::Personal("the account: `id`")),
    ("user_emails", Holds::Personal("further addresses: `user_id`")),
    ("programmes", Holds::NotPersonal("programmes and their defaults")),
    ("programme_coordinators", Holds::Personal("coordinator of a programme: `user_id`")),
    ("programme_people", Holds::Personal("enrolled in a programme: `user_id`")),
    ("mentorships", Holds::Personal("the agreement's content, written by the members: through `mentorship_members`")),
    ("mentorship_members", Holds::Personal("memberships: `user_id`")),
    ("threads", Holds::Personal("subjects: the threads of the membership's window, and `created_by`")),
    ("messages", Holds::Personal("written (`author_id`) and received (the threads of the window)")),
    ("read_markers", Holds::Personal("how far they read: `user_id`")),
    ("events", Holds::PersonalNotExported("the mentorship's change log; refers to rows exported themselves (`actor_id`, `user_id`)")),
    ("sessions", Holds::Personal("sign-ins: `user_id`")),
    ("refresh_tokens", Holds::PersonalNotExported("token hashes of their sign-ins: secrets, no information")),
    ("magic_links", Holds::PersonalNotExported("token hashes of mailed sign-in links: secrets")),
    ("login_failures", Holds::PersonalNotExported("failed sign-ins counted per address hash for 15 minutes")),
    ("ws_tickets", Holds::PersonalNotExported("single-use socket tickets, 30 seconds")),
    ("mail_settings", Holds::Personal("mail settings: `user_id`")),
    ("mail_mentorship_settings", Holds::Personal("mail mode per mentorship: `user_id`")),
    ("outbox", Holds::Personal("mail to them (`user_id`): kind, status, times; rendered copies stay out")),
    ("digest_runs", Holds::PersonalNotExported("which digest periods were sent: `user_id`")),
    ("mail_tokens", Holds::PersonalNotExported("reply-address token hashes: secrets")),
    ("inbound_mail", Holds::Personal("mail received from them or for them: `user_id` (the record, not the raw mail)")),
    ("message_quoted", Holds::Personal("what trimming cut from their mail: with the message")),
    ("attachments", Holds::Personal("files of the messages exported: with the message")),
    ("inbound_notices", Holds::PersonalNotExported("which notices went to which address and day, at most one a day")),
    ("address_confirmations", Holds::PersonalNotExported("token hashes of add-an-address links: secrets")),
    ("mail_bounces", Holds::Personal("delivery failures of their addresses: `user_id`")),
    ("mail_address_health", Holds::Personal("paused addresses: `user_id`")),
    ("meetings", Holds::Personal("sessions of the membership's window, `logged_by`")),
    ("checkins", Holds::PersonalNotExported("a coordinator's check-in: its thread and their answers are exported")),
    ("checkin_answers", Holds::Personal("their own answers: `user_id`")),
    ("summary_settings", Holds::Personal("a coordinator's weekly summary settings: `user_id`")),
    ("summary_runs", Holds::PersonalNotExported("which summaries were sent: figures, no content")),
    ("reply_reminders", Holds::PersonalNotExported("which reminders were sent: `user_id`")),
    ("web_sessions", Holds::PersonalNotExported("browser session token hashes: secrets")),
    ("invitations", Holds::Personal("invitations to their address or accepted by them: `email`, `user_id`")),
    ("consents", Holds::Personal("consent records: `user_id`")),
    ("privacy_notices", Holds::NotPersonal("a programme's privacy notices (who published one is staff, named in the audit log)")),
    ("notice_tokens", Holds::PersonalNotExported("privacy-notice reply-address token hashes: secrets")),
    ("concerns", Holds::Personal("what they shared with the coordinators: `shared_by`")),
    ("audit_log", Holds::Personal("staff accesses concerning them (`subject_user_id`, their mentorships and programmes)")),
    ("known_devices", Holds::PersonalNotExported("fingerprints of devices they signed in from (hashes, for the new-device mail)")),
    ("profiles", Holds::Personal("the profile: `user_id`")),
    ("agreement_versions", Holds::Personal("versions they may read (content saved since joining)")),
    ("agreement_confirmations", Holds::Personal("their confirmations: `user_id`")),
    ("agreement_tokens", Holds::PersonalNotExported("agreement reply-address token hashes: secrets")),
    ("actions", Holds::Personal("actions of the membership's window, `owner_id`")),
    ("reflections", Holds::Personal("their own forms only: `author_id`")),
    ("reviews", Holds::Personal("their own answers only: `user_id`")),
    ("closings", Holds::PersonalNotExported("when a closing step started and closed: dates of the mentorship")),
    ("closing_forms", Holds::Personal("their own form only: `user_id`")),
    ("follow_ups", Holds::Personal("their own follow-up only: `user_id`")),
    ("journey_timers", Holds::NotPersonal("when a mentorship's next step comes due")),
    ("prompts", Holds::PersonalNotExported("which form invitations were mailed to them, with a token hash")),
    ("exports", Holds::Personal("their exports: when made, until when kept")),
    ("erasures", Holds::PersonalNotExported("the record of an erasure: by whom, why, when; the addresses only while it runs")),
];

/// The version of the export's layout, in every export.
pub const FORMAT: u32 = 1;

/// Everything about one person (see the module docs), read in one snapshot.
#[derive(Clone, Debug, Serialize)]
pub struct PersonExport {
    pub format: u32,
    pub generated_at: DateTime<Utc>,
    pub account: Account,
    /// The sign-in address first, then the further ones.
    pub addresses: Vec<Value>,
    pub profile: Option<Value>,
    pub sign_ins: Vec<Value>,
    /// Programmes they take part in or coordinate.
    pub programmes: Vec<Value>,
    pub invitations: Vec<Value>,
    pub consents: Vec<Value>,
    pub mentorships: Vec<MentorshipExport>,
    /// Messages they wrote in threads outside their memberships (a coordinator's
    /// check-in question): their own words only.
    pub messages_elsewhere: Vec<MessageExport>,
    pub forms: Forms,
    pub mail: MailData,
    pub exports: Vec<Value>,
    /// What they shared with the coordinators, as the coordinators see it.
    pub concerns: Vec<Value>,
    /// Every recorded access by staff to data concerning them (the audit log).
    pub audit: Vec<Value>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Account {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub timezone: String,
    pub locale: String,
    pub is_admin: bool,
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MentorshipExport {
    pub id: String,
    pub programme: String,
    pub status: String,
    pub end_reason: Option<String>,
    pub start_date: Option<String>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub your_role: String,
    pub joined_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
    /// The members (names and roles, never their addresses).
    pub members: Vec<Value>,
    /// The agreement as it stands, when they may read its content.
    pub agreement: Value,
    pub agreement_versions: Vec<Value>,
    pub confirmations: Vec<Value>,
    pub threads: Vec<ThreadExport>,
    pub read_markers: Vec<Value>,
    pub meetings: Vec<Value>,
    pub actions: Vec<Value>,
    pub checkin_answers: Vec<Value>,
    pub mail_mode: Option<Value>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ThreadExport {
    pub id: String,
    pub subject: String,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub messages: Vec<MessageExport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MessageExport {
    pub id: String,
    pub author: String,
    pub by_you: bool,
    pub written_at: DateTime<Utc>,
    /// web, email, api
    pub source: String,
    pub body: String,
    /// What trimming cut from a mail (quoted history, signature).
    pub quoted: Option<String>,
    pub attachments: Vec<AttachmentRef>,
}

/// A file of a message; its bytes are in the export at `file`.
#[derive(Clone, Debug, Serialize)]
pub struct AttachmentRef {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// The path inside the export.
    pub file: String,
}

/// Their own forms, every mentorship together (each names its mentorship).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Forms {
    pub reflections: Vec<Value>,
    pub reviews: Vec<Value>,
    pub closing_forms: Vec<Value>,
    pub follow_ups: Vec<Value>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct MailData {
    pub settings: Option<Value>,
    pub coordinator_summary: Option<Value>,
    pub bounces: Vec<Value>,
    pub paused_addresses: Vec<Value>,
    /// Mail sent to them: kind, status and times (the mails' text is not kept).
    pub sent: Vec<Value>,
    /// Mail received from or for them: the record (the raw mail is kept 30 days for
    /// support only).
    pub received: Vec<Value>,
}

impl PersonExport {
    pub fn message_count(&self) -> usize {
        self.mentorships.iter().flat_map(|m| &m.threads).map(|t| t.messages.len()).sum::<usize>() + self.messages_elsewhere.len()
    }
}

/// How a column is read into JSON.
#[derive(Clone, Copy)]
enum K {
    Text,
    OptText,
    Int,
    OptInt,
    Time,
    OptTime,
    Flag,
    /// Text holding JSON (kept as JSON).
    Json,
}

fn value(row: &AnyRow, col: &str, kind: K) -> Result<Value, sqlx::Error> {
    let time = |v: i64| Value::String(from_ms(v).to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    Ok(match kind {
        K::Text => Value::String(row.try_get::<String, _>(col)?),
        K::OptText => row.try_get::<Option<String>, _>(col)?.map_or(Value::Null, Value::String),
        K::Int => Value::from(row.try_get::<i64, _>(col)?),
        K::OptInt => row.try_get::<Option<i64>, _>(col)?.map_or(Value::Null, Value::from),
        K::Time => time(row.try_get::<i64, _>(col)?),
        K::OptTime => row.try_get::<Option<i64>, _>(col)?.map_or(Value::Null, time),
        K::Flag => Value::Bool(row.try_get::<i64, _>(col)? != 0),
        K::Json => {
            let raw: String = row.try_get(col)?;
            serde_json::from_str(&raw).unwrap_or(Value::String(raw))
        }
    })
}

fn object(row: &AnyRow, cols: &[(&str, K)]) -> Result<Value, sqlx::Error> {
    let mut map = Map::new();
    for (col, kind) in cols {
        map.insert((*col).to_owned(), value(row, col, *kind)?);
    }
    Ok(Value::Object(map))
}

/// Runs `sql` with the person's id as `$1` and reads each row as an object.
async fn list(conn: &mut AnyConnection, sql: &'static str, user: &str, cols: &[(&str, K)]) -> Result<Vec<Value>, sqlx::Error> {
    let rows = sqlx::query(sql).bind(user).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| object(r, cols)).collect()
}

/// Rows of `sql` grouped by their `mentorship_id` column.
async fn by_mentorship(
    conn: &mut AnyConnection,
    sql: &'static str,
    user: &str,
    cols: &[(&str, K)],
) -> Result<HashMap<String, Vec<Value>>, sqlx::Error> {
    let rows = sqlx::query(sql).bind(user).fetch_all(&mut *conn).await?;
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    for r in &rows {
        out.entry(r.try_get::<String, _>("mentorship_id")?).or_default().push(object(r, cols)?);
    }
    Ok(out)
}

/// The window of a membership in SQL, for a table aliased `x` with a time column:
/// created while they were a member.
macro_rules! in_window {
    ($col:literal) => {
        concat!($col, " >= mm.joined_at AND (mm.left_at IS NULL OR ", $col, " <= mm.left_at)")
    };
}

/// The file name of an attachment inside the export: its id (unique) and its cleaned
/// name, with nothing that could climb out of the folder.
fn attachment_path(id: &str, name: &str) -> String {
    let safe: String = name.chars().map(|c| if matches!(c, '/' | '\\' | ':') || c.is_control() { '_' } else { c }).collect();
    let safe = safe.trim_start_matches('.');
    format!("attachments/{id}-{}", if safe.is_empty() { "file" } else { safe })
}

/// Reads everything about `user` in one read transaction (a consistent snapshot: on
/// PostgreSQL `REPEATABLE READ`, on SQLite one read transaction of the WAL), and hands
/// each attachment's bytes to `file` as they are read, so they need not all be held at
/// once. `None` when there is no such person.
pub async fn export<F>(db: &Db, user: UserId, now: DateTime<Utc>, mut file: F) -> anyhow::Result<Option<PersonExport>>
where
    F: FnMut(&AttachmentRef, &[u8]) -> anyhow::Result<()> + Send,
{
    let mut tx = db.pool().begin().await?;
    if db.backend() == Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    }
    let conn: &mut AnyConnection = &mut tx;
    let uid = user.to_string();
    let u = uid.as_str();

    let Some(row) = sqlx::query(
        "SELECT id, email, display_name, timezone, locale, is_admin, password_hash, created_at, updated_at FROM users WHERE id = $1",
    )
    .bind(u)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let account = Account {
        id: user,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        timezone: row.try_get("timezone")?,
        locale: row.try_get("locale")?,
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
        has_password: row.try_get::<Option<String>, _>("password_hash")?.is_some(),
        created_at: from_ms(row.try_get("created_at")?),
        updated_at: from_ms(row.try_get("updated_at")?),
    };

    let mut addresses =
        vec![serde_json::json!({"email": account.email, "sign_in": true, "verified_at": null, "added_at": account.created_at})];
    addresses.extend(
        list(
            conn,
            "SELECT email, verified_at, created_at FROM user_emails WHERE user_id = $1 ORDER BY created_at, email",
            u,
            &[("email", K::Text), ("verified_at", K::OptTime), ("created_at", K::Time)],
        )
        .await?,
    );
    let profile = list(
        conn,
        "SELECT background, experience, interests, hopes, updated_at FROM profiles WHERE user_id = $1",
        u,
        &[("background", K::Text), ("experience", K::Text), ("interests", K::Text), ("hopes", K::Text), ("updated_at", K::Time)],
    )
    .await?
    .pop();
    let sign_ins = list(
        conn,
        "SELECT created_at, revoked_at, revoke_reason FROM sessions WHERE user_id = $1 ORDER BY created_at",
        u,
        &[("created_at", K::Time), ("revoked_at", K::OptTime), ("revoke_reason", K::OptText)],
    )
    .await?;
    let programmes = list(
        conn,
        "SELECT p.id AS programme_id, p.name AS programme, 'participant' AS role, pp.created_at AS since
           FROM programme_people pp JOIN programmes p ON p.id = pp.programme_id WHERE pp.user_id = $1
         UNION ALL
         SELECT p.id, p.name, 'coordinator', pc.created_at
           FROM programme_coordinators pc JOIN programmes p ON p.id = pc.programme_id WHERE pc.user_id = $1
         ORDER BY since, programme_id",
        u,
        &[("programme_id", K::Text), ("programme", K::Text), ("role", K::Text), ("since", K::Time)],
    )
    .await?;
    let invitations = list(
        conn,
        "SELECT p.name AS programme, i.email, i.display_name, i.role, i.locale, i.timezone, i.created_at, i.sent_at, i.expires_at,
                i.revoked_at, i.accepted_at, i.accepted_via
           FROM invitations i JOIN programmes p ON p.id = i.programme_id
          WHERE i.user_id = $1 OR i.email IN (SELECT email FROM users WHERE id = $1 UNION SELECT email FROM user_emails WHERE user_id = $1)
          ORDER BY i.created_at",
        u,
        &[
            ("programme", K::Text),
            ("email", K::Text),
            ("display_name", K::Text),
            ("role", K::Text),
            ("locale", K::Text),
            ("timezone", K::Text),
            ("created_at", K::Time),
            ("sent_at", K::Time),
            ("expires_at", K::Time),
            ("revoked_at", K::OptTime),
            ("accepted_at", K::OptTime),
            ("accepted_via", K::OptText),
        ],
    )
    .await?;
    let consents = list(
        conn,
        "SELECT p.name AS programme, c.notice_version, c.via, c.given_at
           FROM consents c JOIN programmes p ON p.id = c.programme_id WHERE c.user_id = $1 ORDER BY c.given_at",
        u,
        &[("programme", K::Text), ("notice_version", K::Text), ("via", K::Text), ("given_at", K::Time)],
    )
    .await?;

    // Memberships, with what each holds.
    let member_rows = sqlx::query(
        "SELECT m.id, p.name AS programme, m.status, m.end_reason, m.start_date, m.end_date, m.created_at, m.closed_at,
                m.contact_every_days, m.response_within_hours, m.meeting_rhythm, m.agreement_version,
                m.ground_rules, m.goals, m.action_plan, m.topics_excluded, m.mentor_time, m.ending_early,
                COALESCE(m.content_updated_at, m.created_at) AS content_at,
                mm.role, mm.joined_at, mm.left_at
           FROM mentorship_members mm JOIN mentorships m ON m.id = mm.mentorship_id JOIN programmes p ON p.id = m.programme_id
          WHERE mm.user_id = $1 ORDER BY mm.joined_at, m.id",
    )
    .bind(u)
    .fetch_all(&mut *conn)
    .await?;

    let mut members = by_mentorship(
        conn,
        "SELECT o.mentorship_id, u.display_name AS name, o.role, o.joined_at, o.left_at, CASE WHEN o.user_id = $1 THEN 1 ELSE 0 END AS you
           FROM mentorship_members mm JOIN mentorship_members o ON o.mentorship_id = mm.mentorship_id JOIN users u ON u.id = o.user_id
          WHERE mm.user_id = $1 ORDER BY o.joined_at, u.display_name",
        u,
        &[("name", K::Text), ("role", K::Text), ("joined_at", K::Time), ("left_at", K::OptTime), ("you", K::Flag)],
    )
    .await?;
    let mut versions = by_mentorship(
        conn,
        "SELECT v.mentorship_id, v.version, v.agreement, v.changed_at, CASE WHEN v.changed_by = $1 THEN 1 ELSE 0 END AS changed_by_you
               FROM mentorship_members mm JOIN agreement_versions v ON v.mentorship_id = mm.mentorship_id
              WHERE mm.user_id = $1 AND v.content_at >= mm.joined_at AND (mm.left_at IS NULL OR v.changed_at <= mm.left_at)
              ORDER BY v.version",
        u,
        &[("version", K::Int), ("agreement", K::Json), ("changed_at", K::Time), ("changed_by_you", K::Flag)],
    )
    .await?;
    let mut confirmations = by_mentorship(
        conn,
        "SELECT mentorship_id, version, charter_version, confirmed_at, via FROM agreement_confirmations WHERE user_id = $1 ORDER BY confirmed_at",
        u,
        &[("version", K::Int), ("charter_version", K::Int), ("confirmed_at", K::Time), ("via", K::Text)],
    )
    .await?;
    let mut read_markers = by_mentorship(
        conn,
        "SELECT t.mentorship_id, r.thread_id, r.message_id, r.updated_at
           FROM read_markers r JOIN threads t ON t.id = r.thread_id WHERE r.user_id = $1 ORDER BY r.updated_at",
        u,
        &[("thread_id", K::Text), ("message_id", K::Text), ("updated_at", K::Time)],
    )
    .await?;
    let mut meetings = by_mentorship(
        conn,
        concat!(
            "SELECT x.mentorship_id, x.id, lu.display_name AS logged_by, CASE WHEN x.logged_by = $1 THEN 1 ELSE 0 END AS logged_by_you,
                    x.held_on, x.duration_minutes, x.mode, x.note, x.learning_goal, x.explored, x.created_at
               FROM mentorship_members mm JOIN meetings x ON x.mentorship_id = mm.mentorship_id JOIN users lu ON lu.id = x.logged_by
              WHERE mm.user_id = $1 AND ",
            in_window!("x.created_at"),
            " ORDER BY x.held_at, x.id"
        ),
        u,
        &[
            ("id", K::Text),
            ("logged_by", K::Text),
            ("logged_by_you", K::Flag),
            ("held_on", K::Text),
            ("duration_minutes", K::Int),
            ("mode", K::Text),
            ("note", K::OptText),
            ("learning_goal", K::OptText),
            ("explored", K::OptText),
            ("created_at", K::Time),
        ],
    )
    .await?;
    let mut actions = by_mentorship(
        conn,
        concat!(
            "SELECT x.mentorship_id, x.number, x.text, ou.display_name AS owner, CASE WHEN x.owner_id = $1 THEN 1 ELSE 0 END AS yours,
                    x.meeting_id, x.due_on, x.created_at, x.done_at
               FROM mentorship_members mm JOIN actions x ON x.mentorship_id = mm.mentorship_id JOIN users ou ON ou.id = x.owner_id
              WHERE mm.user_id = $1 AND ",
            in_window!("x.created_at"),
            " ORDER BY x.number"
        ),
        u,
        &[
            ("number", K::Int),
            ("text", K::Text),
            ("owner", K::Text),
            ("yours", K::Flag),
            ("meeting_id", K::OptText),
            ("due_on", K::OptText),
            ("created_at", K::Time),
            ("done_at", K::OptTime),
        ],
    )
    .await?;
    let mut checkin_answers = by_mentorship(
        conn,
        "SELECT c.mentorship_id, c.id AS checkin_id, c.created_at AS asked_at, a.status, a.via, a.answered_at
           FROM checkin_answers a JOIN checkins c ON c.id = a.checkin_id WHERE a.user_id = $1 ORDER BY a.answered_at",
        u,
        &[("checkin_id", K::Text), ("asked_at", K::Time), ("status", K::Text), ("via", K::Text), ("answered_at", K::Time)],
    )
    .await?;
    let mut modes = by_mentorship(
        conn,
        "SELECT mentorship_id, mode, updated_at FROM mail_mentorship_settings WHERE user_id = $1",
        u,
        &[("mode", K::Text), ("updated_at", K::Time)],
    )
    .await?;

    // Threads and messages of the windows, then the attachments of those messages.
    let thread_rows = sqlx::query(concat!(
        "SELECT t.mentorship_id, t.id, t.subject, su.display_name AS started_by, t.created_at
           FROM mentorship_members mm JOIN threads t ON t.mentorship_id = mm.mentorship_id JOIN users su ON su.id = t.created_by
          WHERE mm.user_id = $1 AND ",
        in_window!("t.created_at"),
        " ORDER BY t.created_at, t.id"
    ))
    .bind(u)
    .fetch_all(&mut *conn)
    .await?;
    let message_sql = concat!(
        "SELECT x.id, x.thread_id, au.display_name AS author, x.author_id, x.body, x.source, x.created_at, q.quoted
           FROM mentorship_members mm JOIN threads t ON t.mentorship_id = mm.mentorship_id
           JOIN messages x ON x.thread_id = t.id JOIN users au ON au.id = x.author_id
           LEFT JOIN message_quoted q ON q.message_id = x.id
          WHERE mm.user_id = $1 AND ",
        in_window!("t.created_at"),
        " AND (mm.left_at IS NULL OR x.created_at <= mm.left_at) ORDER BY x.thread_id, x.seq"
    );
    let message_rows = sqlx::query(message_sql).bind(u).fetch_all(&mut *conn).await?;
    let attachment_rows = sqlx::query(concat!(
        "SELECT a.id, a.message_id, a.name, a.content_type, a.size_bytes
           FROM mentorship_members mm JOIN threads t ON t.mentorship_id = mm.mentorship_id
           JOIN messages x ON x.thread_id = t.id JOIN attachments a ON a.message_id = x.id
          WHERE mm.user_id = $1 AND ",
        in_window!("t.created_at"),
        " AND (mm.left_at IS NULL OR x.created_at <= mm.left_at) ORDER BY a.created_at, a.name"
    ))
    .bind(u)
    .fetch_all(&mut *conn)
    .await?;
    // Their own words in threads of no membership of theirs (a coordinator's
    // check-in question): theirs, without anyone else's.
    let elsewhere_rows = sqlx::query(
        "SELECT x.id, x.thread_id, au.display_name AS author, x.author_id, x.body, x.source, x.created_at, q.quoted
           FROM messages x JOIN threads t ON t.id = x.thread_id JOIN users au ON au.id = x.author_id
           LEFT JOIN message_quoted q ON q.message_id = x.id
          WHERE x.author_id = $1 AND NOT EXISTS (
                SELECT 1 FROM mentorship_members mm WHERE mm.user_id = $1 AND mm.mentorship_id = t.mentorship_id
                   AND t.created_at >= mm.joined_at AND (mm.left_at IS NULL OR (t.created_at <= mm.left_at AND x.created_at <= mm.left_at)))
          ORDER BY x.created_at, x.id",
    )
    .bind(u)
    .fetch_all(&mut *conn)
    .await?;

    let mut files: HashMap<String, Vec<AttachmentRef>> = HashMap::new();
    for r in &attachment_rows {
        let id: String = r.try_get("id")?;
        let name: String = r.try_get("name")?;
        let file = attachment_path(&id, &name);
        files.entry(r.try_get("message_id")?).or_default().push(AttachmentRef {
            id,
            name,
            content_type: r.try_get("content_type")?,
            size_bytes: r.try_get("size_bytes")?,
            file,
        });
    }
    let message = |r: &AnyRow, files: &mut HashMap<String, Vec<AttachmentRef>>| -> Result<MessageExport, sqlx::Error> {
        let id: String = r.try_get("id")?;
        Ok(MessageExport {
            attachments: files.remove(&id).unwrap_or_default(),
            id,
            author: r.try_get("author")?,
            by_you: r.try_get::<String, _>("author_id")? == u,
            written_at: from_ms(r.try_get("created_at")?),
            source: r.try_get("source")?,
            body: r.try_get("body")?,
            quoted: r.try_get("quoted")?,
        })
    };
    let mut by_thread: HashMap<String, Vec<MessageExport>> = HashMap::new();
    for r in &message_rows {
        by_thread.entry(r.try_get("thread_id")?).or_default().push(message(r, &mut files)?);
    }
    let messages_elsewhere = elsewhere_rows.iter().map(|r| message(r, &mut files)).collect::<Result<Vec<_>, _>>()?;
    let mut threads: BTreeMap<String, Vec<ThreadExport>> = BTreeMap::new();
    for r in &thread_rows {
        let id: String = r.try_get("id")?;
        threads.entry(r.try_get("mentorship_id")?).or_default().push(ThreadExport {
            messages: by_thread.remove(&id).unwrap_or_default(),
            id,
            subject: r.try_get("subject")?,
            started_by: r.try_get("started_by")?,
            started_at: from_ms(r.try_get("created_at")?),
        });
    }

    let mut mentorships = Vec::with_capacity(member_rows.len());
    for r in &member_rows {
        let id: String = r.try_get("id")?;
        let joined: i64 = r.try_get("joined_at")?;
        let left: Option<i64> = r.try_get("left_at")?;
        let content_visible = left.is_none() && r.try_get::<i64, _>("content_at")? >= joined;
        let mut agreement = object(
            r,
            &[
                ("agreement_version", K::Int),
                ("contact_every_days", K::Int),
                ("response_within_hours", K::Int),
                ("meeting_rhythm", K::Text),
                ("end_date", K::OptText),
            ],
        )?;
        if content_visible && let Value::Object(map) = &mut agreement {
            for col in ["ground_rules", "goals", "action_plan", "topics_excluded", "mentor_time", "ending_early"] {
                map.insert(col.to_owned(), value(r, col, K::Text)?);
            }
        }
        mentorships.push(MentorshipExport {
            programme: r.try_get("programme")?,
            status: r.try_get("status")?,
            end_reason: r.try_get("end_reason")?,
            start_date: r.try_get("start_date")?,
            created_at: from_ms(r.try_get("created_at")?),
            closed_at: r.try_get::<Option<i64>, _>("closed_at")?.map(from_ms),
            your_role: r.try_get("role")?,
            joined_at: from_ms(joined),
            left_at: left.map(from_ms),
            members: members.remove(&id).unwrap_or_default(),
            agreement,
            agreement_versions: versions.remove(&id).unwrap_or_default(),
            confirmations: confirmations.remove(&id).unwrap_or_default(),
            threads: threads.remove(&id).unwrap_or_default(),
            read_markers: read_markers.remove(&id).unwrap_or_default(),
            meetings: meetings.remove(&id).unwrap_or_default(),
            actions: actions.remove(&id).unwrap_or_default(),
            checkin_answers: checkin_answers.remove(&id).unwrap_or_default(),
            mail_mode: modes.remove(&id).and_then(|mut v| v.pop()),
            id,
        });
    }

    let forms = Forms {
        reflections: list(
            conn,
            "SELECT mentorship_id, id, role, meeting_id, subject, wanted, tried, felt, went_well, went_less_well, questions, shared,
                    created_at, updated_at
               FROM reflections WHERE author_id = $1 ORDER BY created_at, id",
            u,
            &[
                ("mentorship_id", K::Text),
                ("id", K::Text),
                ("role", K::Text),
                ("meeting_id", K::OptText),
                ("subject", K::Text),
                ("wanted", K::Text),
                ("tried", K::Text),
                ("felt", K::Text),
                ("went_well", K::Text),
                ("went_less_well", K::Text),
                ("questions", K::Text),
                ("shared", K::Flag),
                ("created_at", K::Time),
                ("updated_at", K::Time),
            ],
        )
        .await?,
        reviews: list(
            conn,
            "SELECT mentorship_id, round, role, meetings, time_enough, topics, growth, comments, satisfaction, continue_choice,
                    created_at, updated_at
               FROM reviews WHERE user_id = $1 ORDER BY created_at, mentorship_id",
            u,
            &[
                ("mentorship_id", K::Text),
                ("round", K::Int),
                ("role", K::Text),
                ("meetings", K::Text),
                ("time_enough", K::Text),
                ("topics", K::Text),
                ("growth", K::Text),
                ("comments", K::Text),
                ("satisfaction", K::OptInt),
                ("continue_choice", K::OptText),
                ("created_at", K::Time),
                ("updated_at", K::Time),
            ],
        )
        .await?,
        closing_forms: list(
            conn,
            "SELECT mentorship_id, role, key_moments, thanks, achieved, not_achieved, future_needs, created_at, updated_at
               FROM closing_forms WHERE user_id = $1 ORDER BY created_at, mentorship_id",
            u,
            &[
                ("mentorship_id", K::Text),
                ("role", K::Text),
                ("key_moments", K::Text),
                ("thanks", K::Text),
                ("achieved", K::Text),
                ("not_achieved", K::Text),
                ("future_needs", K::Text),
                ("created_at", K::Time),
                ("updated_at", K::Time),
            ],
        )
        .await?,
        follow_ups: list(
            conn,
            "SELECT mentorship_id, how_it_goes, still_helps, needs_now, created_at FROM follow_ups WHERE user_id = $1
              ORDER BY created_at, mentorship_id",
            u,
            &[
                ("mentorship_id", K::Text),
                ("how_it_goes", K::Text),
                ("still_helps", K::Text),
                ("needs_now", K::Text),
                ("created_at", K::Time),
            ],
        )
        .await?,
    };

    let mail = MailData {
        settings: list(
            conn,
            "SELECT mode, digest_hour, digest_weekday, quiet_start, quiet_end, missed_delay_minutes, updated_at
               FROM mail_settings WHERE user_id = $1",
            u,
            &[
                ("mode", K::Text),
                ("digest_hour", K::Int),
                ("digest_weekday", K::Int),
                ("quiet_start", K::OptInt),
                ("quiet_end", K::OptInt),
                ("missed_delay_minutes", K::Int),
                ("updated_at", K::Time),
            ],
        )
        .await?
        .pop(),
        coordinator_summary: list(
            conn,
            "SELECT weekday, hour, send_all_clear, enabled, updated_at FROM summary_settings WHERE user_id = $1",
            u,
            &[("weekday", K::Int), ("hour", K::Int), ("send_all_clear", K::Flag), ("enabled", K::Flag), ("updated_at", K::Time)],
        )
        .await?
        .pop(),
        bounces: list(
            conn,
            "SELECT address, status, permanent, at FROM mail_bounces WHERE user_id = $1 ORDER BY at",
            u,
            &[("address", K::Text), ("status", K::Text), ("permanent", K::Flag), ("at", K::Time)],
        )
        .await?,
        paused_addresses: list(
            conn,
            "SELECT address, score, paused_at, updated_at FROM mail_address_health WHERE user_id = $1 ORDER BY address",
            u,
            &[("address", K::Text), ("score", K::Int), ("paused_at", K::OptTime), ("updated_at", K::Time)],
        )
        .await?,
        sent: list(
            conn,
            "SELECT kind, status, mentorship_id, created_at, sent_at FROM outbox WHERE user_id = $1 ORDER BY created_at, id",
            u,
            &[("kind", K::Text), ("status", K::Text), ("mentorship_id", K::OptText), ("created_at", K::Time), ("sent_at", K::OptTime)],
        )
        .await?,
        received: list(
            conn,
            "SELECT via, from_address, outcome, message_id, size_bytes, received_at FROM inbound_mail WHERE user_id = $1
              ORDER BY received_at, id",
            u,
            &[
                ("via", K::Text),
                ("from_address", K::OptText),
                ("outcome", K::Text),
                ("message_id", K::OptText),
                ("size_bytes", K::Int),
                ("received_at", K::Time),
            ],
        )
        .await?,
    };
    let exports = list(
        conn,
        "SELECT created_at, expires_at, removed_at, CASE WHEN requested_by = user_id THEN 1 ELSE 0 END AS by_you
           FROM exports WHERE user_id = $1 ORDER BY created_at",
        u,
        &[("created_at", K::Time), ("expires_at", K::Time), ("removed_at", K::OptTime), ("by_you", K::Flag)],
    )
    .await?;

    let concerns = list(
        conn,
        "SELECT p.name AS programme, c.kind, c.snapshot, c.note, c.others_may_see, c.created_at, c.acknowledged_at, c.resolved_at
           FROM concerns c JOIN programmes p ON p.id = c.programme_id WHERE c.shared_by = $1 ORDER BY c.created_at",
        u,
        &[
            ("programme", K::Text),
            ("kind", K::Text),
            ("snapshot", K::Json),
            ("note", K::Text),
            ("others_may_see", K::Flag),
            ("created_at", K::Time),
            ("acknowledged_at", K::OptTime),
            ("resolved_at", K::OptTime),
        ],
    )
    .await?;
    // The same selection as `store::audit::concerning`, read in this snapshot.
    let audit = list(
        conn,
        "SELECT a.at, a.action, COALESCE(w.display_name, '') AS who, a.client_address
           FROM audit_log a LEFT JOIN users w ON w.id = a.actor_id
          WHERE a.subject_user_id = $1
             OR a.mentorship_id IN (SELECT mentorship_id FROM mentorship_members WHERE user_id = $1)
             OR (a.subject_user_id IS NULL AND a.mentorship_id IS NULL AND a.programme_id IN (
                 SELECT programme_id FROM programme_people WHERE user_id = $1
                 UNION SELECT m.programme_id FROM mentorships m JOIN mentorship_members mm ON mm.mentorship_id = m.id WHERE mm.user_id = $1))
          ORDER BY a.id",
        u,
        &[("at", K::Time), ("action", K::Text), ("who", K::Text), ("client_address", K::Text)],
    )
    .await?;

    // The files last, one at a time, in the same snapshot.
    let all_files = mentorships
        .iter()
        .flat_map(|m| &m.threads)
        .flat_map(|t| &t.messages)
        .chain(&messages_elsewhere)
        .flat_map(|m| &m.attachments)
        .cloned()
        .collect::<Vec<_>>();
    for a in &all_files {
        let data: Vec<u8> =
            sqlx::query("SELECT data FROM attachments WHERE id = $1").bind(&a.id).fetch_one(&mut *conn).await?.try_get(0)?;
        file(a, &data)?;
    }
    drop(tx);

    Ok(Some(PersonExport {
        format: FORMAT,
        generated_at: now,
        account,
        addresses,
        profile,
        sign_ins,
        programmes,
        invitations,
        consents,
        mentorships,
        messages_elsewhere,
        forms,
        mail,
        exports,
        concerns,
        audit,
    }))
}

/// A rough size of a person's export in bytes (message texts and files of their
/// mentorships), to decide whether it is made at once or in the background. (The
/// casts: PostgreSQL sums a BIGINT column as NUMERIC.)
pub async fn estimate(db: &Db, user: UserId) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "SELECT
            (SELECT CAST(COALESCE(SUM(LENGTH(x.body)), 0) AS BIGINT) FROM messages x
              WHERE x.mentorship_id IN (SELECT mentorship_id FROM mentorship_members WHERE user_id = $1) OR x.author_id = $1) AS texts,
            (SELECT CAST(COALESCE(SUM(a.size_bytes), 0) AS BIGINT) FROM attachments a
              WHERE a.mentorship_id IN (SELECT mentorship_id FROM mentorship_members WHERE user_id = $1)) AS files",
    )
    .bind(user.to_string())
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get::<i64, _>("texts")? + row.try_get::<i64, _>("files")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table the migrations create has a row in [`MAP`], and every row names a
    /// table that exists: a new table needs a decision about people's data.
    #[test]
    fn every_table_has_a_decision() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sqlite");
        let mut tables = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(&dir).expect("migrations folder") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("migration");
            for line in text.lines() {
                if let Some(rest) = line.trim().strip_prefix("CREATE TABLE ") {
                    let name = rest.trim_start_matches("IF NOT EXISTS ").split([' ', '(']).next().unwrap_or_default();
                    tables.insert(name.to_owned());
                }
            }
        }
        let mapped: std::collections::BTreeSet<String> = MAP.iter().map(|(t, _)| (*t).to_owned()).collect();
        let missing: Vec<_> = tables.difference(&mapped).collect();
        let stale: Vec<_> = mapped.difference(&tables).collect();
        assert!(missing.is_empty(), "tables without a decision in store::person::MAP: {missing:?}");
        assert!(stale.is_empty(), "rows of store::person::MAP for tables that do not exist: {stale:?}");
        assert_eq!(MAP.len(), mapped.len(), "a table twice in the map");
    }

    #[test]
    fn attachment_paths_stay_in_their_folder() {
        assert_eq!(attachment_path("a1", "notes.txt"), "attachments/a1-notes.txt");
        assert_eq!(attachment_path("a1", "../../etc/passwd"), "attachments/a1-_.._etc_passwd");
        assert_eq!(attachment_path("a1", "..."), "attachments/a1-file");
        assert_eq!(attachment_path("a1", "C:\\x\ny"), "attachments/a1-C__x_y");
    }
}
