//! The inbox: every thread of every mentorship the person belongs to, newest activity
//! first, with unread counts and a marker where they owe an answer; in front, for a
//! mentorship where nobody has written yet, the first-contact view (G5).

use super::first_contact::{self, FirstContact};
use super::session::Member;
use super::{PageError, Ui, render};
use crate::state::AppState;
use crate::store::inbox::{self, InboxThread, MyMentorship};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use mentorpost_model::{MentorshipId, MentorshipStatus};
use serde::Deserialize;

/// Threads on one page; a programme's pair rarely has more.
const INBOX_LIMIT: i64 = 200;

#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    /// Only this mentorship's threads ("" for all).
    #[serde(default)]
    mentorship: Option<String>,
}

pub struct Line {
    pub thread: InboxThread,
    pub with: String,
    pub when: String,
    pub when_full: String,
}

pub struct MentorshipChoice {
    pub id: MentorshipId,
    pub label: String,
    pub selected: bool,
    /// New threads can be started (the mentorship is active).
    pub open: bool,
}

#[derive(Template)]
#[template(path = "web/inbox.html")]
struct InboxView {
    ui: Ui,
    lines: Vec<Line>,
    mentorships: Vec<MentorshipChoice>,
    filtered: bool,
    unread_total: i64,
    first_contacts: Vec<FirstContact>,
}

fn label(m: &MyMentorship, member: &Member) -> String {
    let others = m.others(member.id());
    if others.is_empty() { member.tr.t("inbox-only-you") } else { others.join(" & ") }
}

/// `GET /`: the inbox.
pub async fn page(State(state): State<AppState>, member: Member, Query(q): Query<InboxQuery>) -> Result<Response, PageError> {
    let now = state.clock.now();
    let filter: Option<MentorshipId> = q.mentorship.as_deref().filter(|m| !m.is_empty()).and_then(|m| m.parse().ok());
    let pool = state.db.pool();
    let (mentorships, threads) =
        tokio::try_join!(inbox::mentorships(pool, member.id()), inbox::threads(pool, member.id(), filter, INBOX_LIMIT, now))?;
    let first_contacts = first_contact::pending(&state, &member, filter).await?;
    let lines = threads
        .into_iter()
        .map(|thread| {
            let with = mentorships.iter().find(|m| m.id == thread.mentorship_id).map(|m| label(m, &member)).unwrap_or_default();
            Line { when: member.tr.when(thread.last_message_at, now), when_full: member.tr.when_full(thread.last_message_at), with, thread }
        })
        .collect::<Vec<_>>();
    let unread_total = lines.iter().map(|l| l.thread.unread).sum();
    let choices = mentorships
        .iter()
        .map(|m| MentorshipChoice {
            id: m.id,
            label: label(m, &member),
            selected: filter == Some(m.id),
            open: m.status == MentorshipStatus::Active,
        })
        .collect();
    render(&InboxView {
        ui: Ui::for_member(&member),
        lines,
        mentorships: choices,
        filtered: filter.is_some(),
        unread_total,
        first_contacts,
    })
}
