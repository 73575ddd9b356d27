//! The instance admin's page: programmes and their coordinators (create a programme,
//! appoint or remove a coordinator), and mail that failed — outgoing with a retry,
//! incoming as received — as metadata only: when, the address, the reason; never a
//! subject or a text. Everyone but an instance admin gets 404. Actions call the API's
//! handlers, so the rules are the API's.

use super::session::{Member, Signed};
use super::signin::{Errors, FieldError, NoFields};
use super::{PageError, Ui, render, see_other};
use crate::error::ApiError;
use crate::http::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::store;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mentorpost_auth::permission::{Action, Actor};
use mentorpost_model::api::{AddCoordinatorRequest, CreateProgrammeRequest};
use mentorpost_model::{EmailAddress, ProgrammeId, UserId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(page))
        .route("/admin/programmes", post(create_programme))
        .route("/admin/programmes/{id}/coordinators", post(add_coordinator))
        .route("/admin/programmes/{id}/coordinators/{user}/remove", post(remove_coordinator))
        .route("/admin/mail/{id}/retry", post(retry_mail))
}

/// Failed mails listed (newest first).
const LISTED: i64 = 100;

/// 404 for anyone who is not an instance admin (the page must not tell it exists).
fn admin_only(member: &Member) -> Result<(), PageError> {
    let actor = Actor { user_id: member.id(), is_admin: member.session.is_admin };
    if crate::http::users::instance_allows(&actor, Action::ManageAllUsers) { Ok(()) } else { Err(PageError::NotFound) }
}

pub struct CoordinatorLine {
    pub id: UserId,
    pub name: String,
}

pub struct ProgrammeLine {
    pub id: ProgrammeId,
    pub name: String,
    pub counts: String,
    pub coordinators: Vec<CoordinatorLine>,
    pub has_error: bool,
}

pub struct OutgoingLine {
    pub id: String,
    pub when: String,
    pub to: String,
    pub kind: String,
    pub reason: String,
    pub attempts: i64,
}

pub struct IncomingLine {
    pub when: String,
    pub from: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "web/admin.html")]
struct AdminPage {
    ui: Ui,
    programmes: Vec<ProgrammeLine>,
    outgoing: Vec<OutgoingLine>,
    incoming: Vec<IncomingLine>,
    new_name: String,
    coordinator_email: String,
    errors: Errors,
    done: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProgrammeForm {
    #[serde(default)]
    name: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CoordinatorForm {
    #[serde(default)]
    email: String,
}

/// What a failed form brings back.
#[derive(Default)]
struct Typed {
    name: String,
    email: String,
    /// The programme whose coordinator form failed.
    programme: Option<ProgrammeId>,
}

async fn show(state: &AppState, member: &Member, typed: Typed, errors: Vec<FieldError>, done: Option<&str>) -> Result<Response, PageError> {
    let pool = state.db.pool();
    let now = state.clock.now();
    let tr = &member.tr;
    let (lines, outgoing, incoming) = tokio::try_join!(
        store::programmes::lines(pool, None),
        store::mail::failed_with_addresses(pool, LISTED),
        store::inbound::problems(pool, false),
    )?;
    let mut programmes = Vec::with_capacity(lines.len());
    for l in lines {
        let view = store::programmes::get(pool, l.id).await?.ok_or(PageError::NotFound)?;
        programmes.push(ProgrammeLine {
            id: l.id,
            name: l.name,
            counts: tr.args(
                "coord-programme-counts",
                &[("active", l.active.into()), ("proposed", l.proposed.into()), ("closed", l.closed.into())],
            ),
            coordinators: view.coordinators.into_iter().map(|c| CoordinatorLine { id: c.id, name: c.display_name }).collect(),
            has_error: typed.programme == Some(l.id),
        });
    }
    let none = || tr.t("admin-unknown");
    let outgoing = outgoing
        .into_iter()
        .map(|o| OutgoingLine {
            when: tr.when(o.created_at, now),
            to: o.to_address.unwrap_or_else(none),
            kind: o.kind,
            reason: o.last_error.unwrap_or_else(none),
            attempts: o.attempts,
            id: o.id,
        })
        .collect();
    let incoming = incoming
        .into_iter()
        .take(usize::try_from(LISTED).unwrap_or(100))
        .map(|i| IncomingLine {
            when: tr.when(i.received_at, now),
            from: i.from_address.unwrap_or_else(none),
            reason: i.reason.unwrap_or_else(none),
        })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = AdminPage {
        ui: Ui::for_member(member),
        programmes,
        outgoing,
        incoming,
        new_name: typed.name,
        coordinator_email: typed.email,
        errors: Errors(errors),
        done: done.unwrap_or_default().to_owned(),
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /admin`.
pub async fn page(State(state): State<AppState>, member: Member, Query(q): Query<DoneQuery>) -> Result<Response, PageError> {
    admin_only(&member)?;
    // The page lists failed mail (addresses, reasons), outgoing and incoming: one row.
    super::coordinate::audit(&state, &member, mentorpost_model::audit::AuditAction::FailedMail, Default::default()).await?;
    let done = q.done.as_deref().filter(|d| matches!(*d, "programme" | "coordinator" | "removed" | "retried"));
    show(&state, &member, Typed::default(), Vec::new(), done).await
}

/// `POST /admin/programmes`: a new programme with the default rhythm.
pub async fn create_programme(State(state): State<AppState>, signed: Signed<ProgrammeForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    admin_only(&member)?;
    let name = form.name.trim().to_owned();
    let req = CreateProgrammeRequest { name: name.clone(), timezone: None, default_rhythm: None };
    match crate::http::programmes::create_programme(State(state.clone()), member.as_api_user(), ApiJson(req)).await {
        Ok(_) => Ok(see_other("/admin?done=programme")),
        Err(ApiError::Unprocessable { .. }) => {
            let errors = vec![FieldError { field: "name", message: member.tr.t("admin-error-name") }];
            show(&state, &member, Typed { name, ..Typed::default() }, errors, None).await
        }
        Err(err) => Err(err.into()),
    }
}

fn programme_id(id: &str) -> Result<ProgrammeId, PageError> {
    id.parse().map_err(|_| PageError::NotFound)
}

/// `POST /admin/programmes/{id}/coordinators`: appoint the account with this address.
pub async fn add_coordinator(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed<CoordinatorForm>,
) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    admin_only(&member)?;
    let programme = programme_id(&id)?;
    let email = form.email.trim().to_owned();
    let user = match EmailAddress::parse(&email) {
        Ok(address) => store::users::find_credentials(state.db.pool(), &address).await?.map(|c| c.id),
        Err(_) => None,
    };
    let Some(user_id) = user else {
        let errors = vec![FieldError { field: "email", message: member.tr.t("admin-error-email") }];
        return show(&state, &member, Typed { email, programme: Some(programme), ..Typed::default() }, errors, None).await;
    };
    let _programme = crate::http::programmes::add_coordinator(
        State(state.clone()),
        member.as_api_user(),
        ApiPath(programme),
        ApiJson(AddCoordinatorRequest { user_id }),
    )
    .await?;
    Ok(see_other("/admin?done=coordinator"))
}

/// `POST /admin/programmes/{id}/coordinators/{user}/remove`.
pub async fn remove_coordinator(
    State(state): State<AppState>,
    Path((id, user)): Path<(String, String)>,
    signed: Signed<NoFields>,
) -> Result<Response, PageError> {
    admin_only(&signed.member)?;
    let programme = programme_id(&id)?;
    let user: UserId = user.parse().map_err(|_| PageError::NotFound)?;
    crate::http::programmes::remove_coordinator(State(state.clone()), signed.member.as_api_user(), ApiPath((programme, user))).await?;
    Ok(see_other("/admin?done=removed"))
}

/// `POST /admin/mail/{id}/retry`: a failed mail back in the queue, due now.
pub async fn retry_mail(State(state): State<AppState>, Path(id): Path<String>, signed: Signed<NoFields>) -> Result<Response, PageError> {
    admin_only(&signed.member)?;
    if id.len() > 200 {
        return Err(PageError::NotFound);
    }
    if !store::mail::retry_failed(&state.db, id, state.clock.now()).await? {
        return Err(PageError::NotFound);
    }
    tracing::info!("failed mail queued again by an admin");
    Ok(see_other("/admin?done=retried#outgoing"))
}
