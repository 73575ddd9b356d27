//! The audit log for instance admins (`GET /admin/audit`): who was shown whose personal
//! data, when, from where; newest first, 50 a page, filtered by who looked, whom it
//! concerned and what kind of access (a plain GET form). Everyone else gets 404, like
//! the admin page. Reading the log is recorded too.

use super::session::Member;
use super::{PageError, Ui, render};
use crate::http::audit::Concerning;
use crate::state::AppState;
use crate::store;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use mentorpost_auth::permission::{Action, Actor};
use mentorpost_model::audit::AuditAction;
use mentorpost_model::{EmailAddress, UserId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/audit", get(page))
}

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct AuditForm {
    /// Who looked: an e-mail address or an account id.
    #[serde(default)]
    actor: String,
    /// Whom it concerned: an e-mail address or an account id.
    #[serde(default)]
    person: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    before: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

pub struct Line {
    pub when: String,
    pub actor: String,
    pub actor_link: String,
    pub action: String,
    pub concerning: String,
    pub person_link: Option<String>,
    pub address: String,
    pub request_id: String,
}

#[derive(Template)]
#[template(path = "web/audit.html")]
struct AuditView {
    ui: Ui,
    actor: String,
    person: String,
    actions: Vec<Choice>,
    lines: Vec<Line>,
    filtered: bool,
    unknown_person: bool,
    next_link: Option<String>,
}

/// The account a filter field names, by id or by one of its addresses: `None` for an
/// empty field, `Some(None)` when nothing matches.
async fn find_person(state: &AppState, value: &str) -> Result<Option<Option<UserId>>, PageError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if let Ok(id) = value.parse::<UserId>() {
        return Ok(Some(Some(id)));
    }
    let Ok(address) = EmailAddress::parse(value) else { return Ok(Some(None)) };
    Ok(Some(store::users::find_credentials(state.db.pool(), &address).await?.map(|c| c.id)))
}

fn action_key(a: AuditAction) -> String {
    format!("audit-action-{}", a.as_str().replace('_', "-"))
}

/// `GET /admin/audit`.
pub async fn page(State(state): State<AppState>, member: Member, Query(form): Query<AuditForm>) -> Result<Response, PageError> {
    let actor = Actor { user_id: member.id(), is_admin: member.session.is_admin };
    if !crate::http::users::instance_allows(&actor, Action::ManageAllUsers) {
        return Err(PageError::NotFound);
    }
    let tr = &member.tr;
    let (actor_id, person_id) = (find_person(&state, &form.actor).await?, find_person(&state, &form.person).await?);
    let unknown_person = actor_id == Some(None) || person_id == Some(None);
    let (actor_id, person_id) = (actor_id.flatten(), person_id.flatten());
    let action = AuditAction::parse(&form.action);
    let filter = store::audit::Filter {
        actor: actor_id,
        subject: person_id,
        action,
        before: Some(form.before.clone()).filter(|b| !b.is_empty() && b.len() <= 64),
        ..Default::default()
    };
    let page = if unknown_person {
        mentorpost_model::audit::AuditPage { entries: Vec::new(), next_before: None }
    } else {
        crate::http::audit::page(&state, &filter, PAGE_SIZE).await?
    };
    crate::http::audit::record(
        &state,
        member.id(),
        &member.client,
        AuditAction::AuditRead,
        Concerning { person: person_id, ..Default::default() },
    )
    .await?;
    let now = state.clock.now();
    let lines = page
        .entries
        .iter()
        .map(|e| {
            let mut concerning = Vec::new();
            if let Some(name) = &e.subject_name {
                concerning.push(name.clone());
            }
            if let Some(name) = &e.programme_name {
                concerning.push(name.clone());
            }
            if let Some(m) = e.mentorship_id {
                concerning.push(tr.ts("audit-mentorship", "id", &short(&m.to_string())));
            }
            Line {
                when: tr.when(e.at, now),
                actor: e.actor_name.clone(),
                actor_link: format!("/admin/audit?actor={}", e.actor_id),
                action: tr.t(&action_key(e.action)),
                concerning: if concerning.is_empty() { tr.t("audit-concerning-many") } else { concerning.join(", ") },
                person_link: e.subject_user_id.map(|id| format!("/admin/audit?person={id}")),
                address: e.client_address.clone(),
                request_id: e.request_id.clone(),
            }
        })
        .collect();
    let next_link = page.next_before.map(|before| {
        let pairs =
            [("actor", form.actor.trim()), ("person", form.person.trim()), ("action", form.action.as_str()), ("before", before.as_str())];
        let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        format!("/admin/audit?{}", serde_urlencoded::to_string(&kept).unwrap_or_default())
    });
    let actions = AuditAction::ALL
        .into_iter()
        .map(|a| Choice { value: a.as_str(), label: tr.t(&action_key(a)), selected: action == Some(a) })
        .collect();
    render(&AuditView {
        ui: Ui::for_member(&member),
        filtered: actor_id.is_some() || person_id.is_some() || action.is_some(),
        actor: form.actor.trim().to_owned(),
        person: form.person.trim().to_owned(),
        actions,
        lines,
        unknown_person,
        next_link,
    })
}

/// The first block of an id: enough to tell rows apart on a page.
fn short(id: &str) -> String {
    id.chars().take(8).collect()
}
