//! The first-contact view (G5, G6, G9): until anyone of a mentorship has written, its
//! members find at the top of their inbox and of the mentorship's page who the others
//! are (their profiles), what they agreed (the rhythm, and the ground rules and goals
//! in short), and a first subject with a link that opens the new-conversation form with
//! it filled in. It goes once a member writes the first message.

use super::PageError;
use super::session::Member;
use crate::state::AppState;
use crate::store;
use mentorpost_auth::permission::Action;
use mentorpost_model::api::ProfileView;
use mentorpost_model::{MentorshipId, Profile, Role};

/// Ground rules and goals longer than this many characters are cut short here; the
/// whole text is one link away.
const SUMMARY_CHARS: usize = 280;

/// One labelled field of a profile.
pub struct ProfileLine {
    pub label: String,
    pub text: String,
}

/// Another member as the view shows them.
pub struct OtherMember {
    /// "About Henk Jansen (mentee)".
    pub heading: String,
    /// The fields they wrote; empty when they wrote none.
    pub lines: Vec<ProfileLine>,
    /// The line that says they have not written a profile yet.
    pub none: String,
}

pub struct FirstContact {
    /// The mentorship's id: unique within a page, for the headings' ids.
    pub key: String,
    pub title: String,
    pub intro: String,
    pub others: Vec<OtherMember>,
    pub rhythm: String,
    pub meetings: Option<String>,
    pub ground_rules: Option<String>,
    pub goals: Option<String>,
    /// Where the whole agreement is: `#agreement` on the mentorship's own page.
    pub agreement_link: String,
    pub subject: String,
    /// The new-conversation form with the subject filled in.
    pub write_link: String,
}

/// The labelled lines of a profile's written fields.
pub fn profile_lines(tr: &crate::i18n::Tr, profile: &Profile) -> Vec<ProfileLine> {
    Profile::FIELDS
        .iter()
        .filter(|f| !profile.field(f).is_empty())
        .map(|f| ProfileLine { label: tr.t(&format!("profile-shown-{f}")), text: profile.field(f).to_owned() })
        .collect()
}

fn summary(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.chars().count() <= SUMMARY_CHARS {
        return Some(text.to_owned());
    }
    let cut: String = text.chars().take(SUMMARY_CHARS).collect();
    Some(format!("{}…", cut.trim_end()))
}

fn role_word(member: &Member, role: Option<Role>) -> Option<String> {
    role.map(|r| {
        member.tr.t(match r {
            Role::Mentor => "ms-role-mentor",
            Role::Mentee => "ms-role-mentee",
        })
    })
}

/// The view for one mentorship `member` belongs to, built from `profiles` (the other
/// members', as the store gives them to this member). `on_its_page`: shown on the
/// mentorship's own page, where the agreement is further down.
pub async fn build(
    state: &AppState,
    member: &Member,
    mentorship: MentorshipId,
    profiles: &[ProfileView],
    on_its_page: bool,
) -> Result<FirstContact, PageError> {
    let tr = &member.tr;
    let access = crate::http::mentorship_access(state, &member.as_api_user(), mentorship).await?;
    crate::http::guard(&access, Action::ReadAgreementContent)?;
    let agreement = store::mentorships::agreement(state.db.pool(), mentorship, &access).await?.ok_or(PageError::NotFound)?;
    let names: Vec<&str> = profiles.iter().map(|p| p.display_name.as_str()).collect();
    let with = if names.is_empty() { tr.t("inbox-only-you") } else { names.join(" & ") };
    let others = profiles
        .iter()
        .map(|p| {
            let name = match role_word(member, p.role) {
                Some(role) => format!("{} ({role})", p.display_name),
                None => p.display_name.clone(),
            };
            OtherMember {
                heading: tr.ts("first-contact-about", "name", &name),
                lines: profile_lines(tr, &p.profile),
                none: tr.ts("first-contact-no-profile", "name", &p.display_name),
            }
        })
        .collect();
    let rhythm = &agreement.rhythm;
    let subject = tr.t("first-mail-suggested-subject");
    let encoded = percent_encoding::utf8_percent_encode(&subject, percent_encoding::NON_ALPHANUMERIC);
    let text = |key: &str, value: &str| summary(value).map(|v| tr.ts(key, "text", &v));
    Ok(FirstContact {
        key: mentorship.to_string(),
        title: if on_its_page { tr.t("first-contact-title") } else { tr.ts("first-contact-title-with", "name", &with) },
        intro: tr.ts("first-contact-intro", "name", &with),
        others,
        rhythm: tr.tnn("first-contact-rhythm", ("days", rhythm.contact_every_days), ("hours", rhythm.response_within_hours)),
        meetings: text("first-contact-meetings", &rhythm.meeting_rhythm),
        ground_rules: text("first-contact-ground-rules", &agreement.content.ground_rules),
        goals: text("first-contact-goals", &agreement.content.goals),
        agreement_link: if on_its_page { "#agreement".to_owned() } else { format!("/mentorships/{mentorship}#agreement") },
        write_link: format!("/mentorships/{mentorship}/new?subject={encoded}"),
        subject,
    })
}

/// The views for `member`'s mentorships (among `only`, when given) where nobody has
/// written yet, oldest mentorship first.
pub async fn pending(state: &AppState, member: &Member, only: Option<MentorshipId>) -> Result<Vec<FirstContact>, PageError> {
    let pool = state.db.pool();
    let mut out = Vec::new();
    for id in store::profiles::awaiting_first_message(pool, member.id()).await? {
        if only.is_some_and(|o| o != id) {
            continue;
        }
        let profiles = store::profiles::of_mentorship(pool, id, member.id()).await?;
        out.push(build(state, member, id, &profiles, false).await?);
    }
    Ok(out)
}
