//! Profiles (G5): each person's own, and those of the people they share a mentorship
//! with. Who reads a profile is decided here, in the SQL: the person, and whoever is or
//! was a member of a mentorship together with them. No function here serves a
//! coordinator or an admin as such.

use super::{get_opt_time, get_parsed, ms};
use crate::db::{Db, StoreError};
use chrono::{DateTime, Utc};
use mentorpost_model::api::ProfileView;
use mentorpost_model::{MentorshipId, MentorshipStatus, Profile, Role, UserId};
use sqlx::{AnyPool, Row};

fn profile_from_row(row: &sqlx::any::AnyRow) -> Result<Profile, sqlx::Error> {
    Ok(Profile {
        background: row.try_get::<Option<String>, _>("background")?.unwrap_or_default(),
        experience: row.try_get::<Option<String>, _>("experience")?.unwrap_or_default(),
        interests: row.try_get::<Option<String>, _>("interests")?.unwrap_or_default(),
        hopes: row.try_get::<Option<String>, _>("hopes")?.unwrap_or_default(),
    })
}

/// `user`'s own profile (empty, with no `updated_at`, when they never wrote one);
/// `None` when there is no such person.
pub async fn own(pool: &AnyPool, user: UserId) -> Result<Option<ProfileView>, StoreError> {
    let row = sqlx::query(
        "SELECT u.display_name, p.background, p.experience, p.interests, p.hopes, p.updated_at
         FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE u.id = $1",
    )
    .bind(user.to_string())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(ProfileView {
        user_id: user,
        display_name: row.try_get("display_name")?,
        role: None,
        profile: profile_from_row(&row)?,
        updated_at: get_opt_time(&row, "updated_at")?,
    }))
}

/// Saves `user`'s profile, replacing what was there. The caller has validated and
/// normalised it.
pub async fn save(db: &Db, user: UserId, profile: Profile, now: DateTime<Utc>) -> Result<(), StoreError> {
    db.write(move |conn| {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO profiles (user_id, background, experience, interests, hopes, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (user_id) DO UPDATE SET background = excluded.background, experience = excluded.experience,
                    interests = excluded.interests, hopes = excluded.hopes, updated_at = excluded.updated_at",
            )
            .bind(user.to_string())
            .bind(profile.background)
            .bind(profile.experience)
            .bind(profile.interests)
            .bind(profile.hopes)
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    })
    .await
}

/// The profiles of the other current members of `mentorship`, as `viewer` may read
/// them: nothing unless `viewer` is or was a member; a former member sees only the
/// people who were members while they were (never someone who came after they left).
/// Mentors first, then by name; a member who wrote nothing comes with an empty profile.
pub async fn of_mentorship(pool: &AnyPool, mentorship: MentorshipId, viewer: UserId) -> Result<Vec<ProfileView>, StoreError> {
    let rows = sqlx::query(
        "SELECT mm.user_id, u.display_name, mm.role, p.background, p.experience, p.interests, p.hopes, p.updated_at
         FROM mentorship_members me
         JOIN mentorship_members mm ON mm.mentorship_id = me.mentorship_id AND mm.user_id <> me.user_id AND mm.left_at IS NULL
         JOIN users u ON u.id = mm.user_id
         LEFT JOIN profiles p ON p.user_id = mm.user_id
         WHERE me.mentorship_id = $1 AND me.user_id = $2 AND (me.left_at IS NULL OR mm.joined_at <= me.left_at)
         ORDER BY CASE WHEN mm.role = 'mentor' THEN 0 ELSE 1 END, u.display_name, mm.user_id",
    )
    .bind(mentorship.to_string())
    .bind(viewer.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ProfileView {
                user_id: get_parsed(row, "user_id")?,
                display_name: row.try_get("display_name")?,
                role: Role::parse(&row.try_get::<String, _>("role")?),
                profile: profile_from_row(row)?,
                updated_at: get_opt_time(row, "updated_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The profiles of every current member of `mentorship`, for the mail each of them
/// gets when it starts (each reads the others'): only for mail to that mentorship's
/// members.
pub async fn of_members(pool: &AnyPool, mentorship: MentorshipId) -> Result<Vec<(UserId, Profile)>, StoreError> {
    let rows = sqlx::query(
        "SELECT mm.user_id, p.background, p.experience, p.interests, p.hopes
         FROM mentorship_members mm JOIN profiles p ON p.user_id = mm.user_id
         WHERE mm.mentorship_id = $1 AND mm.left_at IS NULL ORDER BY mm.user_id",
    )
    .bind(mentorship.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter().map(|row| Ok((get_parsed(row, "user_id")?, profile_from_row(row)?))).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
}

/// The mentorships in which `user` is a current member, that are active, and where no
/// member has written a message yet: there the first-contact view shows. A
/// coordinator's check-in does not count as the first message (a pair that never
/// started is exactly who gets one).
pub async fn awaiting_first_message(pool: &AnyPool, user: UserId) -> Result<Vec<MentorshipId>, StoreError> {
    let rows = sqlx::query(
        "SELECT ms.id FROM mentorship_members me JOIN mentorships ms ON ms.id = me.mentorship_id
         WHERE me.user_id = $1 AND me.left_at IS NULL AND ms.status = $2
           AND NOT EXISTS (SELECT 1 FROM threads t
                           JOIN messages m ON m.thread_id = t.id
                           JOIN mentorship_members a ON a.mentorship_id = t.mentorship_id AND a.user_id = m.author_id
                           WHERE t.mentorship_id = ms.id)
         ORDER BY ms.created_at, ms.id",
    )
    .bind(user.to_string())
    .bind(MentorshipStatus::Active.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| get_parsed(r, "id")).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
}
