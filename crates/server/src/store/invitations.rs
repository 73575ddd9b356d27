//! Invitations and consent: how people join a programme.
//!
//! An invitation is a name, an address, a role, a language and a time zone, with a
//! single-use token (stored only as its hash) that is both the link and the reply
//! address of the invitation mail. Nobody becomes a user or one of the programme's
//! people before accepting, and [`not_accepted_in`] is the rule the mentorship writes
//! check: a person with an open invitation to a programme cannot be put in one of its
//! mentorships, so nobody receives mentoring mail before saying yes.

use super::mail::{RenderedMail, queue_rendered};
use super::{get_opt_parsed, get_opt_time, get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::roster::Invitee;
use mentorpost_model::{EmailAddress, Locale, ProgrammeId, Role, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::HashSet;

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Sent, not yet answered, still valid.
    Invited,
    Expired,
    Revoked,
    /// Accepted with a password: uses the web app.
    AcceptedWeb,
    /// Accepted without a password: takes part by e-mail.
    EmailOnly,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Invited => "invited",
            Status::Expired => "expired",
            Status::Revoked => "revoked",
            Status::AcceptedWeb => "accepted_web",
            Status::EmailOnly => "email_only",
        }
    }

    pub fn is_accepted(self) -> bool {
        matches!(self, Status::AcceptedWeb | Status::EmailOnly)
    }
}

/// How a person accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Web,
    Email,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Web => "web",
            Via::Email => "email",
        }
    }
}

/// One invitation as the coordinator's people page and the invitation page see it.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub id: String,
    pub programme_id: ProgrammeId,
    pub programme_name: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub locale: Locale,
    pub timezone: String,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub user_id: Option<UserId>,
    pub status: Status,
    /// Since when mail to this person bounces (their address is paused), if it does.
    pub bouncing_since: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "i.id, i.programme_id, p.name AS programme_name, i.email, i.display_name, i.role, i.locale, i.timezone, i.sent_at,
    i.expires_at, i.revoked_at, i.accepted_at, i.accepted_via, i.user_id,
    (SELECT MIN(h.paused_at) FROM mail_address_health h WHERE h.address = i.email AND h.paused_at IS NOT NULL) AS bouncing_since";

fn from_row(row: &AnyRow, now: DateTime<Utc>) -> Result<Invitation, sqlx::Error> {
    let expires_at = get_time(row, "expires_at")?;
    let accepted_at = get_opt_time(row, "accepted_at")?;
    let via: Option<String> = row.try_get("accepted_via")?;
    let status = if accepted_at.is_some() {
        if via.as_deref() == Some("web") { Status::AcceptedWeb } else { Status::EmailOnly }
    } else if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
        Status::Revoked
    } else if expires_at <= now {
        Status::Expired
    } else {
        Status::Invited
    };
    let role: String = row.try_get("role")?;
    let locale: String = row.try_get("locale")?;
    Ok(Invitation {
        id: row.try_get("id")?,
        programme_id: get_parsed(row, "programme_id")?,
        programme_name: row.try_get("programme_name")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role).unwrap_or(Role::Mentee),
        locale: Locale::parse(&locale).unwrap_or_default(),
        timezone: row.try_get("timezone")?,
        sent_at: get_time(row, "sent_at")?,
        expires_at,
        accepted_at,
        user_id: get_opt_parsed(row, "user_id")?,
        status,
        bouncing_since: get_opt_time(row, "bouncing_since")?,
    })
}

/// A token's storage key (lower-cased first: a reply address's case may change).
pub fn token_hash(token: &str) -> String {
    mentorpost_auth::opaque::hash_token(&token.to_ascii_lowercase())
}

/// One person to invite, with the token their mail carries and the mail itself.
pub struct NewInvitation {
    pub invitee: Invitee,
    pub token: String,
    pub rendered: String,
}

/// The addresses a programme already has: open or accepted invitations, its people,
/// coordinators and members of its mentorships.
/// A new list must not invite them again.
pub async fn taken(pool: &AnyPool, programme: ProgrammeId, now: DateTime<Utc>) -> Result<HashSet<String>, StoreError> {
    Ok(taken_rows(TakenSource::Pool(pool), programme, now).await?)
}

enum TakenSource<'a> {
    Pool(&'a AnyPool),
    Conn(&'a mut AnyConnection),
}

async fn taken_rows(source: TakenSource<'_>, programme: ProgrammeId, now: DateTime<Utc>) -> Result<HashSet<String>, sqlx::Error> {
    let sql = "SELECT email FROM invitations WHERE programme_id = $1 AND revoked_at IS NULL AND (accepted_at IS NOT NULL OR expires_at > $2)
               UNION SELECT u.email FROM programme_people pp JOIN users u ON u.id = pp.user_id WHERE pp.programme_id = $1
               UNION SELECT u.email FROM programme_coordinators pc JOIN users u ON u.id = pc.user_id WHERE pc.programme_id = $1
               UNION SELECT u.email FROM mentorship_members mm JOIN mentorships m ON m.id = mm.mentorship_id JOIN users u ON u.id = mm.user_id
                     WHERE m.programme_id = $1";
    let query = sqlx::query(sql).bind(programme.to_string()).bind(ms(now));
    let rows = match source {
        TakenSource::Pool(pool) => query.fetch_all(pool).await?,
        TakenSource::Conn(conn) => query.fetch_all(&mut *conn).await?,
    };
    rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
}

/// Rows per insert statement: twelve binds each, far below either backend's limit.
const ROWS_PER_INSERT: usize = 500;

/// Invites everyone in `items` and queues their mails, all or nothing: when any of
/// them is already in the programme (invited meanwhile, say), nothing is written and
/// the conflict names no address. A revoked or expired invitation of the same address
/// is renewed. Returns the invitations' ids in the order given.
pub async fn create(
    db: &Db,
    programme: ProgrammeId,
    invited_by: Option<UserId>,
    items: Vec<NewInvitation>,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    db.write(move |conn| {
        Box::pin(async move {
            let taken = taken_rows(TakenSource::Conn(&mut *conn), programme, now).await?;
            let mut seen = HashSet::new();
            for item in &items {
                let email = item.invitee.email.as_str();
                if taken.contains(email) || !seen.insert(email) {
                    return Err(StoreError::conflict("already_in_programme", "someone on the list is already in the programme"));
                }
            }
            // Earlier, dead invitations of the same addresses are renewed in place.
            let dead: HashSet<String> = sqlx::query("SELECT email FROM invitations WHERE programme_id = $1")
                .bind(programme.to_string())
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>(0))
                .collect::<Result<_, _>>()?;
            let mut ids = Vec::with_capacity(items.len());
            let mut fresh = Vec::new();
            for item in &items {
                let email = item.invitee.email.as_str();
                if dead.contains(email) {
                    let row = sqlx::query(
                        "UPDATE invitations SET display_name = $1, role = $2, locale = $3, timezone = $4, invited_by = $5, token_hash = $6,
                            sent_at = $7, expires_at = $8, revoked_at = NULL WHERE programme_id = $9 AND email = $10 RETURNING id",
                    )
                    .bind(item.invitee.name.as_str())
                    .bind(item.invitee.role.as_str())
                    .bind(item.invitee.locale.as_str())
                    .bind(item.invitee.timezone.as_str())
                    .bind(invited_by.map(|u| u.to_string()))
                    .bind(token_hash(&item.token))
                    .bind(ms(now))
                    .bind(ms(expires_at))
                    .bind(programme.to_string())
                    .bind(email)
                    .fetch_one(&mut *conn)
                    .await?;
                    ids.push(row.try_get::<String, _>(0)?);
                } else {
                    let id = uuid::Uuid::now_v7().to_string();
                    ids.push(id.clone());
                    fresh.push((id, item));
                }
            }
            for chunk in fresh.chunks(ROWS_PER_INSERT) {
                let values = (0..chunk.len())
                    .map(|i| {
                        let b = i * 10;
                        format!(
                            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                            b + 1,
                            b + 2,
                            b + 3,
                            b + 4,
                            b + 5,
                            b + 6,
                            b + 7,
                            b + 8,
                            b + 9,
                            b + 10,
                            b + 10,
                            chunk.len() * 10 + 1
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "INSERT INTO invitations (id, programme_id, email, display_name, role, locale, timezone, invited_by, token_hash, created_at,
                                              sent_at, expires_at) VALUES {values}"
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (id, item) in chunk {
                    query = query
                        .bind(id.clone())
                        .bind(programme.to_string())
                        .bind(item.invitee.email.as_str().to_owned())
                        .bind(item.invitee.name.as_str().to_owned())
                        .bind(item.invitee.role.as_str())
                        .bind(item.invitee.locale.as_str())
                        .bind(item.invitee.timezone.as_str().to_owned())
                        .bind(invited_by.map(|u| u.to_string()))
                        .bind(token_hash(&item.token))
                        .bind(ms(now));
                }
                query.bind(ms(expires_at)).execute(&mut *conn).await?;
            }
            let mails = items
                .into_iter()
                .map(|item| RenderedMail {
                    id: format!("invitation.{}", uuid::Uuid::now_v7()),
                    kind: "invitation",
                    user: None,
                    to_address: Some(item.invitee.email.as_str().to_owned()),
                    rendered: item.rendered,
                })
                .collect();
            queue_rendered(conn, mails, now).await?;
            Ok(ids)
        })
    })
    .await
}

/// The programme's invitations, newest first.
pub async fn list(pool: &AnyPool, programme: ProgrammeId, now: DateTime<Utc>) -> Result<Vec<Invitation>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM invitations i JOIN programmes p ON p.id = i.programme_id WHERE i.programme_id = $1
         ORDER BY i.sent_at DESC, i.display_name, i.id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.to_string()).fetch_all(pool).await?;
    Ok(rows.iter().map(|r| from_row(r, now)).collect::<Result<_, _>>()?)
}

/// One invitation of a programme.
pub async fn get(pool: &AnyPool, programme: ProgrammeId, id: &str, now: DateTime<Utc>) -> Result<Option<Invitation>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM invitations i JOIN programmes p ON p.id = i.programme_id WHERE i.programme_id = $1 AND i.id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.to_string()).bind(id.to_owned()).fetch_optional(pool).await?;
    Ok(row.map(|r| from_row(&r, now)).transpose()?)
}

/// The invitation a link or reply address names (whatever its state), if any.
pub async fn by_token(pool: &AnyPool, token: &str, now: DateTime<Utc>) -> Result<Option<Invitation>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM invitations i JOIN programmes p ON p.id = i.programme_id WHERE i.token_hash = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(token_hash(token)).fetch_optional(pool).await?;
    Ok(row.map(|r| from_row(&r, now)).transpose()?)
}

/// Sends an invitation again with a new token (the old link and reply address die) and
/// a new expiry; a revoked one comes back to life. Refused once accepted.
pub async fn resend(
    db: &Db,
    programme: ProgrammeId,
    id: String,
    token: String,
    rendered: String,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let row = sqlx::query(
                "UPDATE invitations SET token_hash = $1, sent_at = $2, expires_at = $3, revoked_at = NULL
                 WHERE programme_id = $4 AND id = $5 AND accepted_at IS NULL RETURNING email",
            )
            .bind(token_hash(&token))
            .bind(ms(now))
            .bind(ms(expires_at))
            .bind(programme.to_string())
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
            let Some(row) = row else { return Err(StoreError::conflict("not_open", "this invitation was accepted or does not exist")) };
            let email: String = row.try_get(0)?;
            let mail = RenderedMail {
                id: format!("invitation.{}", uuid::Uuid::now_v7()),
                kind: "invitation",
                user: None,
                to_address: Some(email),
                rendered,
            };
            queue_rendered(conn, vec![mail], now).await?;
            Ok(())
        })
    })
    .await
}

/// Revokes an invitation that was not accepted: its link and reply address stop working.
pub async fn revoke(db: &Db, programme: ProgrammeId, id: String, now: DateTime<Utc>) -> Result<bool, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let done = sqlx::query(
                "UPDATE invitations SET revoked_at = $1 WHERE programme_id = $2 AND id = $3 AND accepted_at IS NULL AND revoked_at IS NULL",
            )
            .bind(ms(now))
            .bind(programme.to_string())
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    })
    .await
}

/// Why an invitation could not be accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotAccepted {
    Unknown,
    Expired,
    Revoked,
    AlreadyAccepted,
}

/// Accepting succeeded: who the person now is.
#[derive(Clone, Debug)]
pub struct Accepted {
    pub user_id: UserId,
    pub programme_id: ProgrammeId,
}

/// Accepts the invitation behind `token`: the person becomes a user (or, when an
/// account has the address, that user) and one of the programme's people, and their
/// consent to the programme's current privacy notice
/// (`store::notices`) is recorded. `password_hash` (web) is
/// set only on an account without a password; without one (e-mail) the person's mail
/// mode becomes `each`, so every message, check-in and notice reaches them by mail.
pub async fn accept(
    db: &Db,
    token: String,
    via: Via,
    password_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<Result<Accepted, NotAccepted>, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let row = sqlx::query(
                "SELECT id, programme_id, email, display_name, locale, timezone, expires_at, revoked_at, accepted_at
                 FROM invitations WHERE token_hash = $1",
            )
            .bind(token_hash(&token))
            .fetch_optional(&mut *conn)
            .await?;
            let Some(row) = row else { return Ok(Err(NotAccepted::Unknown)) };
            if row.try_get::<Option<i64>, _>("accepted_at")?.is_some() {
                return Ok(Err(NotAccepted::AlreadyAccepted));
            }
            if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
                return Ok(Err(NotAccepted::Revoked));
            }
            if row.try_get::<i64, _>("expires_at")? <= ms(now) {
                return Ok(Err(NotAccepted::Expired));
            }
            let id: String = row.try_get("id")?;
            let programme: ProgrammeId = get_parsed(&row, "programme_id")?;
            let email: String = row.try_get("email")?;
            let existing = sqlx::query(
                "SELECT id, password_hash FROM users WHERE email = $1
                 UNION ALL SELECT u.id, u.password_hash FROM user_emails e JOIN users u ON u.id = e.user_id WHERE e.email = $1 AND e.verified_at IS NOT NULL",
            )
            .bind(email.clone())
            .fetch_optional(&mut *conn)
            .await?;
            let user = match existing {
                Some(found) => {
                    let user: UserId = get_parsed(&found, "id")?;
                    let has_password = found.try_get::<Option<String>, _>("password_hash")?.is_some();
                    if let (false, Some(hash)) = (has_password, password_hash.clone()) {
                        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
                            .bind(hash)
                            .bind(ms(now))
                            .bind(user.to_string())
                            .execute(&mut *conn)
                            .await?;
                    }
                    user
                }
                None => {
                    let user = UserId::new();
                    sqlx::query(
                        "INSERT INTO users (id, email, display_name, timezone, locale, is_admin, password_hash, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $7)",
                    )
                    .bind(user.to_string())
                    .bind(email.clone())
                    .bind(row.try_get::<String, _>("display_name")?)
                    .bind(row.try_get::<String, _>("timezone")?)
                    .bind(row.try_get::<String, _>("locale")?)
                    .bind(password_hash.clone())
                    .bind(ms(now))
                    .execute(&mut *conn)
                    .await?;
                    user
                }
            };
            if via == Via::Email {
                // Every message, check-in and notice by mail, one mail each.
                sqlx::query(
                    "INSERT INTO mail_settings (user_id, mode, digest_hour, digest_weekday, quiet_start, quiet_end, missed_delay_minutes, updated_at)
                     VALUES ($1, 'each', 8, 1, NULL, NULL, 10, $2)
                     ON CONFLICT (user_id) DO UPDATE SET mode = 'each', updated_at = excluded.updated_at",
                )
                .bind(user.to_string())
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
            }
            sqlx::query("INSERT INTO programme_people (programme_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(programme.to_string())
                .bind(user.to_string())
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
            // Consent to the notice current now: the page and the mail show that one.
            let label = super::notices::current_label_in(conn, programme).await?;
            super::notices::record_in(conn, user, programme, &label, via.as_str(), now).await?;
            sqlx::query("UPDATE invitations SET accepted_at = $1, accepted_via = $2, user_id = $3 WHERE id = $4")
                .bind(ms(now))
                .bind(via.as_str())
                .bind(user.to_string())
                .bind(id)
                .execute(&mut *conn)
                .await?;
            Ok(Ok(Accepted { user_id: user, programme_id: programme }))
        })
    })
    .await
}

/// A recorded consent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consent {
    pub notice_version: String,
    pub via: String,
    pub given_at: DateTime<Utc>,
}

pub async fn consents(pool: &AnyPool, user: UserId, programme: ProgrammeId) -> Result<Vec<Consent>, StoreError> {
    let rows = sqlx::query("SELECT notice_version, via, given_at FROM consents WHERE user_id = $1 AND programme_id = $2 ORDER BY given_at")
        .bind(user.to_string())
        .bind(programme.to_string())
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(|r| Ok(Consent { notice_version: r.try_get("notice_version")?, via: r.try_get("via")?, given_at: get_time(r, "given_at")? }))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// A person of the programme who may be paired: accepted, with the role they were
/// invited for (none when they joined another way).
#[derive(Clone, Debug)]
pub struct Person {
    pub user_id: UserId,
    pub display_name: String,
    pub role: Option<Role>,
    pub email_only: bool,
}

/// The programme's people who can be put in a mentorship, by name.
pub async fn people(pool: &AnyPool, programme: ProgrammeId) -> Result<Vec<Person>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, CASE WHEN u.password_hash IS NULL THEN 1 ELSE 0 END AS email_only,
                (SELECT i.role FROM invitations i WHERE i.programme_id = pp.programme_id AND i.user_id = u.id) AS role
         FROM programme_people pp JOIN users u ON u.id = pp.user_id WHERE pp.programme_id = $1
           AND u.id NOT IN (SELECT user_id FROM programme_coordinators WHERE programme_id = $1)
         ORDER BY u.display_name, u.id",
    )
    .bind(programme.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let role: Option<String> = r.try_get("role")?;
            Ok(Person {
                user_id: get_parsed(r, "id")?,
                display_name: r.try_get("display_name")?,
                role: role.as_deref().and_then(Role::parse),
                email_only: r.try_get::<i64, _>("email_only")? != 0,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// The rule behind "nobody receives mentoring mail before accepting": of `users`,
/// those who have an invitation to `programme` they have not accepted and are not
/// (by another way) one of its people. Mentorship writes refuse them.
pub async fn not_accepted_in(conn: &mut AnyConnection, programme: ProgrammeId, users: &[UserId]) -> Result<Vec<UserId>, sqlx::Error> {
    let mut out = Vec::new();
    for user in users {
        let row = sqlx::query(
            "SELECT 1 FROM invitations i JOIN users u ON u.email = i.email
             WHERE i.programme_id = $1 AND u.id = $2 AND i.accepted_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM programme_people pp WHERE pp.programme_id = $1 AND pp.user_id = $2)",
        )
        .bind(programme.to_string())
        .bind(user.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        if row.is_some() {
            out.push(*user);
        }
    }
    Ok(out)
}

/// The refusal for [`not_accepted_in`].
pub fn not_accepted_refusal() -> StoreError {
    StoreError::invalid("not_accepted", "a listed person has not accepted the programme's invitation yet")
}

/// Whether `email` is a valid address the programme already has (for the one-person form).
pub async fn is_taken(pool: &AnyPool, programme: ProgrammeId, email: &EmailAddress, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(taken(pool, programme, now).await?.contains(email.as_str()))
}

/// Queues the first-contact mails of a new mentorship (one per member, rendered).
pub async fn queue_first_contact(db: &Db, mails: Vec<(UserId, String, DateTime<Utc>)>, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let (now_mails, later): (Vec<_>, Vec<_>) = mails.into_iter().partition(|(_, _, at)| *at <= now);
            let mails = now_mails
                .into_iter()
                .map(|(user, rendered, _)| RenderedMail {
                    id: format!("first_contact.{}", uuid::Uuid::now_v7()),
                    kind: "first_contact",
                    user: Some(user),
                    to_address: None,
                    rendered,
                })
                .collect();
            queue_rendered(conn, mails, now).await?;
            // Mail for a later moment (quiet hours, a digest reader's hour): the
            // outbox's scan round finds it when it comes due.
            for (user, rendered, at) in later {
                sqlx::query(
                    "INSERT INTO outbox (id, kind, user_id, rendered, status, not_before, attempts, created_at)
                     VALUES ($1, 'first_contact', $2, $3, 'pending', $4, 0, $5)",
                )
                .bind(format!("first_contact.{}", uuid::Uuid::now_v7()))
                .bind(user.to_string())
                .bind(rendered)
                .bind(ms(at))
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        })
    })
    .await
}
