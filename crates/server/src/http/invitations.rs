//! Inviting people into a programme, shared by the coordinator's web pages, the CLI
//! (`mentorpost invite`) and the inbound path (a "yes" reply): judging a list, sending
//! invitation mails, re-sending, and pairing accepted people with first-contact mails.

use crate::error::{ApiError, ApiResult};
use crate::mail::{FirstContactMail, InvitationMail, tokens};
use crate::state::AppState;
use crate::store;
use crate::store::invitations::NewInvitation;
use chrono::Duration;
use mentorpost_model::api::ProgrammeView;
use mentorpost_model::roster::{self, Checked, Defaults, Invitee};
use mentorpost_model::{Locale, MentorshipId, ProgrammeId, Role, TimeZoneName, UserId};

/// Reads and judges a list against the programme's current people.
pub async fn check_list(state: &AppState, programme: &ProgrammeView, bytes: &[u8], locale: Locale) -> ApiResult<Checked> {
    let taken = store::invitations::taken(state.db.pool(), programme.id, state.clock.now()).await?;
    let defaults = Defaults { locale, timezone: TimeZoneName::parse(&programme.timezone).unwrap_or_default() };
    Ok(roster::check(bytes, &defaults, |e| taken.contains(e.as_str())))
}

/// The name an invitation says it comes from: the inviting coordinator, else the
/// programme's first coordinator, else the programme.
fn inviter<'a>(programme: &'a ProgrammeView, by: Option<&'a str>) -> &'a str {
    by.or(programme.coordinators.first().map(|c| c.display_name.as_str())).unwrap_or(programme.name.as_str())
}

/// Invites everyone in `invitees` (all or nothing) and queues their mails.
pub async fn invite(
    state: &AppState,
    programme: &ProgrammeView,
    by: Option<(UserId, &str)>,
    invitees: Vec<Invitee>,
) -> ApiResult<Vec<String>> {
    let now = state.clock.now();
    let days = state.config.invitation_days.max(1);
    let from = inviter(programme, by.map(|b| b.1));
    let mut items = Vec::with_capacity(invitees.len());
    for invitee in invitees {
        let token = tokens::random();
        let rendered = state.mailer.render_invitation(&InvitationMail {
            to_name: invitee.name.as_str(),
            to_email: invitee.email.as_str(),
            locale: invitee.locale,
            programme: &programme.name,
            invited_by: from,
            token: &token,
            days,
        })?;
        items.push(NewInvitation { invitee, token, rendered });
    }
    let ids = store::invitations::create(&state.db, programme.id, by.map(|b| b.0), items, now + Duration::days(days), now).await?;
    tracing::info!(programme = %programme.id, invited = ids.len(), "invitations queued");
    Ok(ids)
}

/// Sends an open (or revoked, or expired) invitation again with a new link.
pub async fn resend(state: &AppState, programme: &ProgrammeView, by: Option<&str>, id: &str) -> ApiResult<()> {
    let now = state.clock.now();
    let invitation = store::invitations::get(state.db.pool(), programme.id, id, now).await?.ok_or(ApiError::NotFound)?;
    let days = state.config.invitation_days.max(1);
    let token = tokens::random();
    let rendered = state.mailer.render_invitation(&InvitationMail {
        to_name: &invitation.display_name,
        to_email: &invitation.email,
        locale: invitation.locale,
        programme: &programme.name,
        invited_by: inviter(programme, by),
        token: &token,
        days,
    })?;
    store::invitations::resend(&state.db, programme.id, invitation.id, token, rendered, now + Duration::days(days), now).await?;
    Ok(())
}

/// One side of a new pair.
pub struct Pairing {
    pub mentors: Vec<UserId>,
    pub mentees: Vec<UserId>,
    /// Which side writes first: mentors, or (reverse mentoring, as agreed) mentees.
    pub first: Role,
}

/// Creates a mentorship of accepted people through the API's own path
/// ([`super::mentorships::create_in_programme`]), active at once with the programme's
/// rhythm, and mails every member a first-contact mail and then the agreement.
pub async fn pair(state: &AppState, programme: &ProgrammeView, coordinator: UserId, pairing: Pairing) -> ApiResult<MentorshipId> {
    use mentorpost_model::api::{CreateMentorshipRequest, MemberSpec};
    let members: Vec<MemberSpec> = pairing
        .mentors
        .iter()
        .map(|&user_id| MemberSpec { user_id, role: Role::Mentor })
        .chain(pairing.mentees.iter().map(|&user_id| MemberSpec { user_id, role: Role::Mentee }))
        .collect();
    let req = CreateMentorshipRequest {
        members: members.clone(),
        rhythm: None,
        start_date: None,
        status: Some(mentorpost_model::MentorshipStatus::Active),
    };
    let id = super::mentorships::create_in_programme(state, coordinator, programme.id, req).await?;
    first_contact(state, programme, id, &members, pairing.first).await?;
    // And, a little later, the agreement to fill in and confirm together (F3).
    crate::mail::agreement::prompt_after_change(state, id).await;
    Ok(id)
}

async fn first_contact(
    state: &AppState,
    programme: &ProgrammeView,
    mentorship: MentorshipId,
    members: &[mentorpost_model::api::MemberSpec],
    first: Role,
) -> ApiResult<()> {
    let now = state.clock.now();
    let mut people = Vec::with_capacity(members.len());
    for m in members {
        let user = store::users::get(state.db.pool(), m.user_id).await?.ok_or(ApiError::NotFound)?;
        people.push((m.role, user));
    }
    let names = |pick: &dyn Fn(&(Role, mentorpost_model::api::UserView)) -> bool| {
        people.iter().filter(|p| pick(p)).map(|p| p.1.display_name.clone()).collect::<Vec<_>>().join(", ")
    };
    let first_writers = names(&|p| p.0 == first);
    // What each member wrote about themselves before the pairing (G5): each reads the
    // others' in their mail, which an e-mail-only member never could otherwise.
    let profiles = store::profiles::of_members(state.db.pool(), mentorship).await?;
    let profile_of = |user| profiles.iter().find(|(id, _)| *id == user).map(|(_, p)| p);
    // Each mail follows its reader's mode for the mentorship and their quiet hours: none
    // with `off`, beside the next digest for digest readers (G2, the prompts' rule).
    let settings = store::prompts::members(state.db.pool(), &[mentorship]).await?.remove(&mentorship).unwrap_or_default();
    let mut mails = Vec::with_capacity(people.len());
    let mut remember = Vec::with_capacity(people.len());
    for (role, user) in &people {
        let Some(when) = settings.iter().find(|m| m.user_id == user.id).and_then(|m| {
            let tz: chrono_tz::Tz = m.timezone.parse().unwrap_or(chrono_tz::UTC);
            mentorpost_model::agreement::deliver_at(m.mode, &m.settings, tz, now)
        }) else {
            continue;
        };
        let others = names(&|p| p.1.id != user.id);
        let others_profiles: Vec<(&str, Option<&mentorpost_model::Profile>)> =
            people.iter().filter(|p| p.1.id != user.id).map(|p| (p.1.display_name.as_str(), profile_of(p.1.id))).collect();
        let token = state.mailer.tokens.mentorship(user.id, mentorship);
        let address = format!("mentorship+{token}@{}", state.mailer.domain);
        let link = format!("{}/mentorships/{mentorship}", state.mailer.public_url);
        let rendered = state.mailer.render_first_contact(&FirstContactMail {
            to_name: &user.display_name,
            to_email: &user.email,
            locale: user.locale,
            programme: &programme.name,
            others: &others,
            writes_first: *role == first,
            first_writers: &first_writers,
            new_thread_address: &address,
            link: &link,
            profiles: &others_profiles,
        })?;
        remember.push((token, tokens::TokenKind::Mentorship, user.id, None, Some(mentorship)));
        mails.push((user.id, rendered, when));
    }
    store::mail::remember_tokens(&state.db, remember, now).await?;
    store::invitations::queue_first_contact(&state.db, mails, now).await?;
    Ok(())
}

/// The programme a coordinator works in, or not found for anyone else.
pub async fn coordinated(state: &AppState, user: UserId, programme: ProgrammeId) -> ApiResult<ProgrammeView> {
    if !store::programmes::is_coordinator(state.db.pool(), programme, user).await? {
        return Err(ApiError::NotFound);
    }
    store::programmes::get(state.db.pool(), programme).await?.ok_or(ApiError::NotFound)
}

/// A list's problem as a sentence in the reader's language.
pub fn file_problem_text(tr: &crate::i18n::Tr, p: &roster::FileProblem) -> String {
    use roster::FileProblem;
    match p {
        FileProblem::Empty => tr.t("onb-file-empty"),
        FileProblem::Unreadable => tr.t("onb-file-unreadable"),
        FileProblem::TooManyRows => tr.tn("onb-file-too-many", "count", roster::MAX_ROWS as i64),
        FileProblem::UnknownColumn(c) => tr.ts("onb-file-unknown-column", "column", c),
        FileProblem::MissingColumn(c) => tr.ts("onb-file-missing-column", "column", c.as_str()),
        FileProblem::DuplicateColumn(c) => tr.ts("onb-file-duplicate-column", "column", c.as_str()),
    }
}

/// A row's problem as words in the reader's language.
pub fn row_problem_text(tr: &crate::i18n::Tr, p: &roster::RowProblem) -> String {
    match p {
        roster::RowProblem::DuplicateInFile { line } => tr.tn("onb-row-duplicate_in_file", "line", *line as i64),
        other => tr.t(&format!("onb-row-{}", other.code())),
    }
}
