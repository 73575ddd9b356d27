//! The agreement as a contract (F3, G3): its versions, the members' confirmations and
//! the reply addresses of agreement mails. The rhythm and content themselves live on
//! `mentorships` (see `store::mentorships`); every change there bumps
//! `mentorships.agreement_version` and writes the whole agreement into
//! `agreement_versions` in the same transaction ([`record_version`]).
//!
//! What a coordinator may learn from here is [`Status::confirmed`] and its time —
//! never a version's text.

use super::mail::token_hash;
use super::{events, get_opt_date, get_opt_parsed, get_parsed, get_time, ms};
use crate::db::{Db, Note, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::agreement::{AgreementRecord, CHARTER_VERSION, ConfirmedVia};
use mentorpost_model::api::{AgreementConfirmation, AgreementVersionView, PersonRef};
use mentorpost_model::{AgreementContent, EventKind, MentorshipId, Rhythm, Role, UserId};
use sqlx::{AnyConnection, AnyPool, Row};

/// The agreement as it stands, read inside a transaction.
pub(super) async fn current_in(conn: &mut AnyConnection, id: MentorshipId) -> Result<Option<(i64, AgreementRecord)>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT agreement_version, {RECORD_COLUMNS} FROM mentorships WHERE id = $1")))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((r.try_get("agreement_version")?, record_from_row(&r)?))).transpose()
}

/// The columns [`record_from_row`] reads.
pub(super) const RECORD_COLUMNS: &str = "contact_every_days, response_within_hours, meeting_rhythm, ground_rules, goals, action_plan,
     topics_excluded, mentor_time, ending_early, end_date";

pub(super) fn record_from_row(row: &sqlx::any::AnyRow) -> Result<AgreementRecord, sqlx::Error> {
    Ok(AgreementRecord {
        rhythm: Rhythm {
            contact_every_days: row.try_get("contact_every_days")?,
            response_within_hours: row.try_get("response_within_hours")?,
            meeting_rhythm: row.try_get("meeting_rhythm")?,
        },
        content: content_from_row(row)?,
    })
}

pub(super) fn content_from_row(row: &sqlx::any::AnyRow) -> Result<AgreementContent, sqlx::Error> {
    Ok(AgreementContent {
        ground_rules: row.try_get("ground_rules")?,
        goals: row.try_get("goals")?,
        action_plan: row.try_get("action_plan")?,
        topics_excluded: row.try_get("topics_excluded")?,
        mentor_time: row.try_get("mentor_time")?,
        ending_early: row.try_get("ending_early")?,
        end_date: get_opt_date(row, "end_date")?,
    })
}

/// Writes the agreement as it now stands as a version: with `bump`, as the next
/// version (after a change); without, as the version the row already names (a new
/// mentorship's first). Runs inside the changing transaction.
pub(super) async fn record_version(
    conn: &mut AnyConnection,
    id: MentorshipId,
    changed_by: Option<UserId>,
    bump: bool,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    if bump {
        sqlx::query("UPDATE mentorships SET agreement_version = agreement_version + 1 WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT agreement_version, COALESCE(content_updated_at, created_at) AS content_at, {RECORD_COLUMNS} FROM mentorships WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let version: i64 = row.try_get("agreement_version")?;
    let record = record_from_row(&row)?;
    let json = serde_json::to_string(&record).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO agreement_versions (mentorship_id, version, agreement, changed_by, changed_at, content_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(version)
    .bind(json)
    .bind(changed_by.map(|u| u.to_string()))
    .bind(ms(now))
    .bind(row.try_get::<i64, _>("content_at")?)
    .execute(&mut *conn)
    .await?;
    Ok(version)
}

/// Where the members stand with the agreement's current version.
#[derive(Clone, Debug, Default)]
pub struct Status {
    pub version: i64,
    pub confirmations: Vec<AgreementConfirmation>,
    /// Every current member confirmed the current version under the current charter.
    pub confirmed: bool,
    /// When the last of them did, if all did.
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl Status {
    /// Whether `user` confirmed the current version (and charter).
    pub fn confirmed_by(&self, user: UserId) -> bool {
        self.confirmations.iter().any(|c| c.user_id == user && c.current)
    }
}

/// The confirmation status of a mentorship's agreement: each current member's latest
/// confirmation. `None` when there is no such mentorship.
pub async fn status(pool: &AnyPool, id: MentorshipId) -> Result<Option<Status>, StoreError> {
    let Some(row) =
        sqlx::query("SELECT agreement_version FROM mentorships WHERE id = $1").bind(id.to_string()).fetch_optional(pool).await?
    else {
        return Ok(None);
    };
    let version: i64 = row.try_get("agreement_version")?;
    let members = sqlx::query(
        "SELECT mm.user_id, u.display_name, mm.role FROM mentorship_members mm JOIN users u ON u.id = mm.user_id
         WHERE mm.mentorship_id = $1 AND mm.left_at IS NULL ORDER BY mm.role, u.display_name",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    // Newest version first: the first row per person is their latest confirmation.
    let rows = sqlx::query(
        "SELECT user_id, version, charter_version, confirmed_at, via FROM agreement_confirmations
         WHERE mentorship_id = $1 ORDER BY version DESC",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let mut confirmations = Vec::with_capacity(members.len());
    for m in &members {
        let user: UserId = get_parsed(m, "user_id")?;
        let role: String = m.try_get("role")?;
        let latest = rows.iter().find(|r| get_parsed::<UserId>(r, "user_id").is_ok_and(|u| u == user));
        let (confirmed_version, charter, at, via) = match latest {
            Some(r) => (
                Some(r.try_get::<i64, _>("version")?),
                r.try_get::<i64, _>("charter_version")?,
                Some(get_time(r, "confirmed_at")?),
                ConfirmedVia::parse(&r.try_get::<String, _>("via")?),
            ),
            None => (None, 0, None, None),
        };
        confirmations.push(AgreementConfirmation {
            user_id: user,
            display_name: m.try_get("display_name")?,
            role: Role::parse(&role).unwrap_or(Role::Mentee),
            confirmed_version,
            confirmed_at: at,
            via,
            current: confirmed_version == Some(version) && charter == CHARTER_VERSION,
        });
    }
    let confirmed = !confirmations.is_empty() && confirmations.iter().all(|c| c.current);
    let confirmed_at = if confirmed { confirmations.iter().filter_map(|c| c.confirmed_at).max() } else { None };
    Ok(Some(Status { version, confirmations, confirmed, confirmed_at }))
}

/// What a confirmation did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Confirmed {
    pub version: i64,
    /// False when this member had confirmed this version and charter already.
    pub new: bool,
}

/// Records that `user` (an active member; the caller checked) confirms the current
/// version and accepts the current charter. Idempotent. With `seen`, refuses (409
/// `agreement_changed`) when the agreement has moved on since the member read it.
pub async fn confirm(
    db: &Db,
    id: MentorshipId,
    user: UserId,
    seen: Option<i64>,
    via: ConfirmedVia,
    now: DateTime<Utc>,
) -> Result<Confirmed, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let row = sqlx::query("SELECT agreement_version FROM mentorships WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::not_found())?;
            let version: i64 = row.try_get(0)?;
            if seen.is_some_and(|s| s != version) {
                return Err(StoreError::conflict(
                    "agreement_changed",
                    "the agreement changed since you read it: read the current version and confirm that",
                ));
            }
            // A second confirmation changes nothing, unless the charter is newer now.
            let done = sqlx::query(
                "INSERT INTO agreement_confirmations (mentorship_id, user_id, version, charter_version, confirmed_at, via)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (mentorship_id, user_id, version) DO UPDATE
                    SET charter_version = excluded.charter_version, confirmed_at = excluded.confirmed_at, via = excluded.via
                    WHERE agreement_confirmations.charter_version <> excluded.charter_version",
            )
            .bind(id.to_string())
            .bind(user.to_string())
            .bind(version)
            .bind(CHARTER_VERSION)
            .bind(ms(now))
            .bind(via.as_str())
            .execute(&mut *conn)
            .await?;
            let new = done.rows_affected() > 0;
            // An agreement mail still waiting for this member has nothing left to ask.
            sqlx::query(
                "UPDATE outbox SET status = 'cancelled', last_error = 'confirmed meanwhile'
                 WHERE kind = 'agreement' AND mentorship_id = $1 AND user_id = $2 AND status = 'pending'",
            )
            .bind(id.to_string())
            .bind(user.to_string())
            .execute(&mut *conn)
            .await?;
            if new {
                events::append(conn, id, EventKind::AgreementUpdated, events::EventRefs { actor: Some(user), ..Default::default() }, now)
                    .await?;
            }
            Ok(Confirmed { version, new })
        })
    })
    .await
}

/// The kept versions, newest first, as a member may read them: a former member sees
/// those made until they left; a version whose content was written before the reader
/// joined comes with its content empty and `content_hidden` (as the current agreement).
pub async fn versions(
    pool: &AnyPool,
    id: MentorshipId,
    joined: Option<DateTime<Utc>>,
    left: Option<DateTime<Utc>>,
) -> Result<Vec<AgreementVersionView>, StoreError> {
    let rows = sqlx::query(
        "SELECT v.version, v.agreement, v.changed_by, u.display_name AS changed_by_name, v.changed_at, v.content_at
         FROM agreement_versions v LEFT JOIN users u ON u.id = v.changed_by
         WHERE v.mentorship_id = $1 AND v.changed_at <= $2 ORDER BY v.version DESC",
    )
    .bind(id.to_string())
    .bind(left.map(ms).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?;
    let confirmations = sqlx::query(
        "SELECT ac.version, u.display_name FROM agreement_confirmations ac JOIN users u ON u.id = ac.user_id
         WHERE ac.mentorship_id = $1 ORDER BY ac.confirmed_at",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let version: i64 = r.try_get("version")?;
        let text: String = r.try_get("agreement")?;
        let record: AgreementRecord = serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let hidden = joined.is_some_and(|j| get_time(r, "content_at").is_ok_and(|at| at < j));
        let changed_by = match get_opt_parsed::<UserId>(r, "changed_by")? {
            Some(user) => {
                Some(PersonRef { id: user, display_name: r.try_get::<Option<String>, _>("changed_by_name")?.unwrap_or_default() })
            }
            None => None,
        };
        let confirmed_by = confirmations
            .iter()
            .filter(|c| c.try_get::<i64, _>("version").is_ok_and(|v| v == version))
            .map(|c| c.try_get::<String, _>("display_name"))
            .collect::<Result<_, _>>()?;
        out.push(AgreementVersionView {
            version,
            changed_at: get_time(r, "changed_at")?,
            changed_by,
            rhythm: record.rhythm,
            content: if hidden { AgreementContent::default() } else { record.content },
            content_hidden: hidden,
            confirmed_by,
        });
    }
    Ok(out)
}

/// What the agreement mails of one version are made from.
#[derive(Clone, Debug)]
pub struct PromptData {
    pub version: i64,
    pub record: AgreementRecord,
    /// When the content was last saved by a member (the creation, if never).
    pub content_at: DateTime<Utc>,
    pub status: Status,
    /// Closed mentorships ask nobody.
    pub closed: bool,
    pub start_date: Option<chrono::NaiveDate>,
    /// The current members, as every prompt's mail takes them.
    pub recipients: Vec<super::prompts::Member>,
}

pub async fn prompt_data(pool: &AnyPool, id: MentorshipId) -> Result<Option<PromptData>, StoreError> {
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT agreement_version, status, start_date, COALESCE(content_updated_at, created_at) AS content_at, {RECORD_COLUMNS}
         FROM mentorships WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let Some(status) = status(pool, id).await? else { return Ok(None) };
    let recipients = super::prompts::members(pool, &[id]).await?.remove(&id).unwrap_or_default();
    let state: String = row.try_get("status")?;
    Ok(Some(PromptData {
        version: row.try_get("agreement_version")?,
        record: record_from_row(&row)?,
        content_at: get_time(&row, "content_at")?,
        status,
        closed: state == "closed",
        start_date: get_opt_date(&row, "start_date")?,
        recipients,
    }))
}

/// One agreement mail, rendered, with its reply token.
pub struct PromptMail {
    pub user: UserId,
    pub token: String,
    pub rendered: String,
    pub not_before: DateTime<Utc>,
}

/// Queues the agreement mails of `version`, unless the agreement moved on meanwhile (the
/// newer version's mails follow). A mail of an older version still waiting for the same
/// person is cancelled: one mail per person for a run of changes. The outbox id names
/// mentorship, version and person, so queuing twice is harmless. Returns how many were
/// queued.
pub async fn queue_prompts(
    db: &Db,
    id: MentorshipId,
    version: i64,
    mails: Vec<PromptMail>,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    if mails.is_empty() {
        return Ok(0);
    }
    db.write(move |conn| {
        Box::pin(async move {
            let current: Option<i64> = sqlx::query("SELECT agreement_version FROM mentorships WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
            if current != Some(version) {
                return Ok(0);
            }
            let mut queued = Vec::new();
            for mail in mails {
                let outbox_id = format!("agreement.{id}.{version}.{}", mail.user);
                sqlx::query(
                    "UPDATE outbox SET status = 'cancelled', last_error = 'a newer version of the agreement'
                     WHERE kind = 'agreement' AND mentorship_id = $1 AND user_id = $2 AND status = 'pending' AND id <> $3",
                )
                .bind(id.to_string())
                .bind(mail.user.to_string())
                .bind(outbox_id.as_str())
                .execute(&mut *conn)
                .await?;
                sqlx::query(
                    "INSERT INTO agreement_tokens (token_hash, mentorship_id, user_id, version, created_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (token_hash) DO NOTHING",
                )
                .bind(token_hash(&mail.token))
                .bind(id.to_string())
                .bind(mail.user.to_string())
                .bind(version)
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
                let done = sqlx::query(
                    "INSERT INTO outbox (id, kind, user_id, mentorship_id, rendered, status, not_before, attempts, created_at)
                     VALUES ($1, 'agreement', $2, $3, $4, 'pending', $5, 0, $6) ON CONFLICT (id) DO NOTHING",
                )
                .bind(outbox_id.as_str())
                .bind(mail.user.to_string())
                .bind(id.to_string())
                .bind(mail.rendered)
                .bind(ms(mail.not_before))
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
                if done.rows_affected() > 0 {
                    queued.push(outbox_id);
                }
            }
            let n = queued.len();
            if !queued.is_empty() {
                crate::db::note(Note::Mail(queued));
            }
            Ok(n)
        })
    })
    .await
}

/// What the reply address `agreement+TOKEN@` of an agreement mail stands for.
#[derive(Clone, Copy, Debug)]
pub struct TokenTarget {
    pub mentorship_id: MentorshipId,
    pub user_id: UserId,
    /// The version the mail showed.
    pub version: i64,
}

pub async fn by_token(pool: &AnyPool, token: &str) -> Result<Option<TokenTarget>, StoreError> {
    let row = sqlx::query("SELECT mentorship_id, user_id, version FROM agreement_tokens WHERE token_hash = $1")
        .bind(token_hash(token))
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        Ok(TokenTarget {
            mentorship_id: get_parsed(&r, "mentorship_id")?,
            user_id: get_parsed(&r, "user_id")?,
            version: r.try_get("version")?,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| e.into())
}

/// Remembers the reply token of a mail that answers an agreement reply (same person and
/// version), so answering it works as well.
pub async fn remember_token(db: &Db, target: TokenTarget, token: String, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO agreement_tokens (token_hash, mentorship_id, user_id, version, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (token_hash) DO NOTHING",
            )
            .bind(token_hash(&token))
            .bind(target.mentorship_id.to_string())
            .bind(target.user_id.to_string())
            .bind(target.version)
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    })
    .await
}
