//! Privacy notices and consent (GDPR): each programme's notice with its versions, the
//! built-in default a programme without one uses, and the consent records.
//!
//! A version's *label* is what a consent records: the number as text ("1", "2", …)
//! for a version a coordinator published, [`DEFAULT_VERSION`] for the built-in one.
//! A person is asked (again) when the current label of one of their programmes has no
//! consent of theirs and either the programme published a notice or they consented to
//! an earlier version there; so nobody who never saw a notice is stopped by the default.

use super::{get_opt_parsed, get_parsed, get_time, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::{Locale, ProgrammeId, UserId};
use sqlx::{AnyConnection, AnyPool, Row};

/// The label of the built-in notice (its words: the `notice-default-*` catalogue keys).
/// Change it whenever those words change in meaning: everyone who accepted the old
/// one is asked again on their next visit.
pub const DEFAULT_VERSION: &str = "default-2026-12";

/// Most characters of one language's text of a notice.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// A published version of a programme's notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub version: i64,
    pub text_en: String,
    pub text_nl: String,
    pub published_at: DateTime<Utc>,
    pub published_by: Option<UserId>,
}

impl Published {
    pub fn text(&self, locale: Locale) -> &str {
        match locale {
            Locale::Nl => &self.text_nl,
            _ => &self.text_en,
        }
    }
}

/// A programme's current notice: its newest published version, or the default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Current {
    Default,
    Published(Published),
}

impl Current {
    /// What a consent to this notice records.
    pub fn label(&self) -> String {
        match self {
            Current::Default => DEFAULT_VERSION.to_owned(),
            Current::Published(p) => p.version.to_string(),
        }
    }
}

fn published_from(row: &sqlx::any::AnyRow) -> Result<Published, sqlx::Error> {
    Ok(Published {
        version: row.try_get("version")?,
        text_en: row.try_get("text_en")?,
        text_nl: row.try_get("text_nl")?,
        published_at: get_time(row, "published_at")?,
        published_by: get_opt_parsed(row, "published_by")?,
    })
}

const CURRENT_SQL: &str = "SELECT version, text_en, text_nl, published_at, published_by FROM privacy_notices
     WHERE programme_id = $1 ORDER BY version DESC LIMIT 1";

pub async fn current(pool: &AnyPool, programme: ProgrammeId) -> Result<Current, StoreError> {
    let row = sqlx::query(CURRENT_SQL).bind(programme.to_string()).fetch_optional(pool).await?;
    Ok(match row {
        Some(r) => Current::Published(published_from(&r)?),
        None => Current::Default,
    })
}

/// The current notice's label, inside a transaction.
pub async fn current_label_in(conn: &mut AnyConnection, programme: ProgrammeId) -> Result<String, sqlx::Error> {
    let row = sqlx::query("SELECT MAX(version) AS v FROM privacy_notices WHERE programme_id = $1")
        .bind(programme.to_string())
        .fetch_one(&mut *conn)
        .await?;
    Ok(match row.try_get::<Option<i64>, _>("v")? {
        Some(v) => v.to_string(),
        None => DEFAULT_VERSION.to_owned(),
    })
}

/// Every published version of a programme's notice, newest first.
pub async fn versions(pool: &AnyPool, programme: ProgrammeId) -> Result<Vec<Published>, StoreError> {
    let rows = sqlx::query(
        "SELECT version, text_en, text_nl, published_at, published_by FROM privacy_notices WHERE programme_id = $1 ORDER BY version DESC",
    )
    .bind(programme.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(published_from).collect::<Result<_, _>>()?)
}

/// Publishes a new version of the programme's notice (the next number); the caller
/// checked the texts and that `by` may. From now on the programme's people are asked to
/// accept it.
pub async fn publish(
    db: &Db,
    programme: ProgrammeId,
    text_en: String,
    text_nl: String,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Published, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM privacy_notices WHERE programme_id = $1")
                .bind(programme.to_string())
                .fetch_one(&mut *conn)
                .await?;
            let version = row.try_get::<i64, _>("v")? + 1;
            sqlx::query(
                "INSERT INTO privacy_notices (id, programme_id, version, text_en, text_nl, published_at, published_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(programme.to_string())
            .bind(version)
            .bind(text_en.clone())
            .bind(text_nl.clone())
            .bind(ms(now))
            .bind(by.to_string())
            .execute(&mut *conn)
            .await?;
            Ok(Published { version, text_en, text_nl, published_at: now, published_by: Some(by) })
        })
    })
    .await
}

/// Records a consent inside the caller's transaction; a repeat changes nothing.
pub async fn record_in(
    conn: &mut AnyConnection,
    user: UserId,
    programme: ProgrammeId,
    label: &str,
    via: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO consents (user_id, programme_id, notice_version, via, given_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, programme_id, notice_version) DO NOTHING",
    )
    .bind(user.to_string())
    .bind(programme.to_string())
    .bind(label.to_owned())
    .bind(via.to_owned())
    .bind(ms(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Why an acceptance was not recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotRecorded {
    /// Not one of the programme's people, nor a member (now or before) of one of its mentorships.
    NotInProgramme,
    /// The version accepted is no longer the current one: show the new one.
    Changed,
}

/// `user` accepts version `label` of `programme`'s notice (`via`: web, email, api).
/// Only the current version can be accepted, so what is recorded is what was read.
pub async fn accept(
    db: &Db,
    user: UserId,
    programme: ProgrammeId,
    label: String,
    via: &'static str,
    now: DateTime<Utc>,
) -> Result<Result<(), NotRecorded>, StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM ({EVER_IN}) p WHERE p.programme_id = $2")))
                .bind(user.to_string())
                .bind(programme.to_string())
                .fetch_one(&mut *conn)
                .await?;
            if row.try_get::<i64, _>("n")? == 0 {
                return Ok(Err(NotRecorded::NotInProgramme));
            }
            if current_label_in(conn, programme).await? != label {
                return Ok(Err(NotRecorded::Changed));
            }
            record_in(conn, user, programme, &label, via, now).await?;
            Ok(Ok(()))
        })
    })
    .await
}

/// The programmes a person takes part in: accepted into (`programme_people`) or a
/// current member of one of its mentorships. `$1` is the person.
const PROGRAMMES_OF: &str = "SELECT pp.programme_id FROM programme_people pp WHERE pp.user_id = $1
     UNION SELECT ms.programme_id FROM mentorship_members mm JOIN mentorships ms ON ms.id = mm.mentorship_id
     WHERE mm.user_id = $1 AND mm.left_at IS NULL";

/// The programmes a person has taken part in: [`PROGRAMMES_OF`] and the mentorships
/// they left. Whoever was asked to consent may read and accept the notice.
const EVER_IN: &str = "SELECT pp.programme_id FROM programme_people pp WHERE pp.user_id = $1
     UNION SELECT ms.programme_id FROM mentorship_members mm JOIN mentorships ms ON ms.id = mm.mentorship_id WHERE mm.user_id = $1";

/// A programme whose current notice the person has still to accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub programme_id: ProgrammeId,
    pub programme_name: String,
    pub notice: Current,
}

/// The notices `user` is asked to accept before going on (see the module's rule), in
/// one statement: the web app asks on every page.
pub async fn pending(pool: &AnyPool, user: UserId) -> Result<Vec<Pending>, StoreError> {
    let sql = format!(
        "SELECT p.programme_id, pr.name, n.version, n.text_en, n.text_nl, n.published_at, n.published_by
         FROM ({PROGRAMMES_OF}) p
         JOIN programmes pr ON pr.id = p.programme_id
         LEFT JOIN privacy_notices n ON n.programme_id = p.programme_id
              AND n.version = (SELECT MAX(x.version) FROM privacy_notices x WHERE x.programme_id = p.programme_id)
         WHERE NOT EXISTS (SELECT 1 FROM consents c WHERE c.user_id = $1 AND c.programme_id = p.programme_id
                           AND c.notice_version = CASE WHEN n.version IS NULL THEN $2 ELSE CAST(n.version AS TEXT) END)
           AND (n.version IS NOT NULL OR EXISTS (SELECT 1 FROM consents c WHERE c.user_id = $1 AND c.programme_id = p.programme_id))
         ORDER BY pr.name, p.programme_id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user.to_string()).bind(DEFAULT_VERSION).fetch_all(pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let notice = match r.try_get::<Option<i64>, _>("version")? {
            Some(_) => Current::Published(published_from(r)?),
            None => Current::Default,
        };
        out.push(Pending { programme_id: get_parsed(r, "programme_id")?, programme_name: r.try_get("name")?, notice });
    }
    Ok(out)
}

/// The programmes a person takes part in, with their current notices (the page where
/// one reads them again).
pub async fn of_person(pool: &AnyPool, user: UserId) -> Result<Vec<(ProgrammeId, String, Current)>, StoreError> {
    let sql =
        format!("SELECT p.programme_id, pr.name FROM ({PROGRAMMES_OF}) p JOIN programmes pr ON pr.id = p.programme_id ORDER BY pr.name");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user.to_string()).fetch_all(pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: ProgrammeId = get_parsed(r, "programme_id")?;
        out.push((id, r.try_get("name")?, current(pool, id).await?));
    }
    Ok(out)
}

/// Whether `user` takes or took part in `programme` (see [`EVER_IN`]).
pub async fn took_part(pool: &AnyPool, user: UserId, programme: ProgrammeId) -> Result<bool, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM ({EVER_IN}) p WHERE p.programme_id = $2")))
        .bind(user.to_string())
        .bind(programme.to_string())
        .fetch_one(pool)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// One consent record, as the person's export and `GET /api/v1/me/consents` show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentRecord {
    pub programme_id: ProgrammeId,
    pub programme_name: String,
    /// The label of the version accepted.
    pub notice_version: String,
    /// web | email | api
    pub via: String,
    pub given_at: DateTime<Utc>,
}

/// Every consent `user` gave, oldest first.
pub async fn consents_of(pool: &AnyPool, user: UserId) -> Result<Vec<ConsentRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT c.programme_id, p.name, c.notice_version, c.via, c.given_at FROM consents c JOIN programmes p ON p.id = c.programme_id
         WHERE c.user_id = $1 ORDER BY c.given_at, c.programme_id, c.notice_version",
    )
    .bind(user.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(ConsentRecord {
                programme_id: get_parsed(r, "programme_id")?,
                programme_name: r.try_get("name")?,
                notice_version: r.try_get("notice_version")?,
                via: r.try_get("via")?,
                given_at: get_time(r, "given_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// An e-mail-only person taking part in a programme: asked to accept a new version by mail.
#[derive(Clone, Debug)]
pub struct MailReader {
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
    pub locale: String,
}

/// The people taking part in `programme` who have no password (they read and answer by mail).
pub async fn email_only(pool: &AnyPool, programme: ProgrammeId) -> Result<Vec<MailReader>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, u.email, u.locale FROM users u
         WHERE u.password_hash IS NULL AND u.id IN (SELECT pp.user_id FROM programme_people pp WHERE pp.programme_id = $1
             UNION SELECT mm.user_id FROM mentorship_members mm JOIN mentorships ms ON ms.id = mm.mentorship_id
             WHERE ms.programme_id = $1 AND mm.left_at IS NULL)
         ORDER BY u.id",
    )
    .bind(programme.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(MailReader {
                user_id: get_parsed(r, "id")?,
                display_name: r.try_get("display_name")?,
                email: r.try_get("email")?,
                locale: r.try_get("locale")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// A mail asking to accept a version, with its reply token.
pub struct NoticeMail {
    pub user: UserId,
    pub token: String,
    pub rendered: String,
}

/// Queues the mails and remembers their reply tokens (hashed) in one transaction.
pub async fn queue_mails(
    db: &Db,
    programme: ProgrammeId,
    label: String,
    mails: Vec<NoticeMail>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            let mut rendered = Vec::with_capacity(mails.len());
            for m in mails {
                sqlx::query(
                    "INSERT INTO notice_tokens (token_hash, user_id, programme_id, notice_version, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(super::mail::token_hash(&m.token))
                .bind(m.user.to_string())
                .bind(programme.to_string())
                .bind(label.clone())
                .bind(ms(now))
                .execute(&mut *conn)
                .await?;
                rendered.push(super::mail::RenderedMail {
                    id: uuid::Uuid::now_v7().to_string(),
                    kind: "privacy",
                    user: Some(m.user),
                    to_address: None,
                    rendered: m.rendered,
                });
            }
            super::mail::queue_rendered(conn, rendered, now).await?;
            Ok(())
        })
    })
    .await
}

/// Who a `privacy+TOKEN` reply is from, and which version it answers.
pub async fn by_token(pool: &AnyPool, token: &str) -> Result<Option<(UserId, ProgrammeId, String)>, StoreError> {
    let row = sqlx::query("SELECT user_id, programme_id, notice_version FROM notice_tokens WHERE token_hash = $1")
        .bind(super::mail::token_hash(token))
        .fetch_optional(pool)
        .await?;
    Ok(row
        .map(|r| Ok::<_, sqlx::Error>((get_parsed(&r, "user_id")?, get_parsed(&r, "programme_id")?, r.try_get("notice_version")?)))
        .transpose()?)
}
