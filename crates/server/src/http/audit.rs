//! The audit log at the edges: who asks ([`Client`]: address, request id, device), the
//! one call every staff path makes when it shows personal data ([`record`]), and
//! `GET /api/v1/audit` for admins.

use super::users::{actor, instance_allows};
use super::{ApiQuery, AuthUser};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use mentorpost_auth::permission::Action;
use mentorpost_model::api::ErrorBody;
use mentorpost_model::audit::{AuditAction, AuditPage};
use mentorpost_model::{MentorshipId, ProgrammeId, UserId};
use serde::Deserialize;
use std::net::SocketAddr;
use tower_http::request_id::RequestId;
use utoipa::IntoParams;

/// Where a request comes from: the client's address (after trusted proxies, as the
/// login limits see it), its request id, and its `User-Agent` (at most 300
/// characters, for the list of signed-in devices).
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub address: String,
    pub request_id: String,
    pub user_agent: Option<String>,
}

impl Client {
    pub fn from_parts(parts: &Parts, state: &AppState) -> Client {
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| super::client_ip(info.0.ip(), &parts.headers, &state.config.trusted_proxies).to_string())
            .unwrap_or_else(|| "unknown".to_owned());
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .and_then(|id| id.header_value().to_str().ok())
            .map_or_else(|| "-".to_owned(), str::to_owned);
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().filter(|c| !c.is_control()).take(300).collect::<String>())
            .filter(|v| !v.trim().is_empty());
        Client { address, request_id, user_agent }
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Client::from_parts(parts, state))
    }
}

/// What an access concerned: one person, a programme, a mentorship (any of them).
#[derive(Clone, Copy, Debug, Default)]
pub struct Concerning {
    pub person: Option<UserId>,
    pub programme: Option<ProgrammeId>,
    pub mentorship: Option<MentorshipId>,
}

impl Concerning {
    pub fn programme(id: ProgrammeId) -> Self {
        Concerning { programme: Some(id), ..Self::default() }
    }
    pub fn mentorship(programme: ProgrammeId, id: MentorshipId) -> Self {
        Concerning { programme: Some(programme), mentorship: Some(id), ..Self::default() }
    }
    pub fn person(id: UserId) -> Self {
        Concerning { person: Some(id), ..Self::default() }
    }
}

/// Records that `actor` was shown personal data, in the request that shows it: if the
/// row cannot be written, the data is not shown either (the caller returns the error).
pub async fn record(state: &AppState, actor: UserId, client: &Client, action: AuditAction, what: Concerning) -> ApiResult<()> {
    let access = store::audit::Access {
        actor,
        action,
        subject: what.person,
        programme: what.programme,
        mentorship: what.mentorship,
        client_address: client.address.clone(),
        request_id: client.request_id.clone(),
    };
    store::audit::record(&state.db, access, state.clock.now()).await?;
    Ok(())
}

/// Rows a page of the log holds at most.
pub const MAX_PAGE: i64 = 200;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only accesses by this person.
    pub actor: Option<UserId>,
    /// Only accesses concerning this person.
    pub person: Option<UserId>,
    /// Only this kind of access.
    pub action: Option<AuditAction>,
    pub programme: Option<ProgrammeId>,
    pub mentorship: Option<MentorshipId>,
    /// Older than this entry (`next_before` of the previous page).
    pub before: Option<String>,
    /// Entries per page, 1–200 (default 50).
    pub limit: Option<i64>,
}

impl AuditQuery {
    pub fn filter(&self) -> ApiResult<store::audit::Filter> {
        if self.before.as_ref().is_some_and(|b| b.len() > 64) {
            return Err(ApiError::bad_request("invalid_query", "before is an entry id"));
        }
        Ok(store::audit::Filter {
            actor: self.actor,
            subject: self.person,
            action: self.action,
            programme: self.programme,
            mentorship: self.mentorship,
            before: self.before.clone(),
        })
    }
}

/// One page of `filter`, newest first, with the cursor of the next.
pub async fn page(state: &AppState, filter: &store::audit::Filter, limit: i64) -> ApiResult<AuditPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    let mut entries = store::audit::list(state.db.pool(), filter, limit + 1).await?;
    let more = entries.len() as i64 > limit;
    entries.truncate(usize::try_from(limit).unwrap_or(50));
    let next_before = if more { entries.last().map(|e| e.id.clone()) } else { None };
    Ok(AuditPage { entries, next_before })
}

/// The audit log (admins only): every access by an admin or coordinator to personal
/// data, newest first. Reading it is itself recorded.
#[utoipa::path(get, path = "/api/v1/audit", tag = "people", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: AuthUser, ApiQuery(q): ApiQuery<AuditQuery>) -> ApiResult<Json<AuditPage>> {
    if !instance_allows(&actor(&state, &user).await?, Action::ManageAllUsers) {
        return Err(ApiError::forbidden("only admins read the audit log"));
    }
    let filter = q.filter()?;
    let page = page(&state, &filter, q.limit.unwrap_or(50)).await?;
    record(&state, user.user_id, &user.client, AuditAction::AuditRead, Concerning { person: q.person, ..Concerning::default() }).await?;
    Ok(Json(page))
}

/// Records a view of one mentorship's people when the caller sees it as staff (its
/// coordinator, an admin), not as one of its members (current or former): a member
/// reading their own mentorship leaves no row.
pub async fn record_if_staff(state: &AppState, user: &AuthUser, access: &store::mentorships::Access, action: AuditAction) -> ApiResult<()> {
    if access.role.is_some() {
        return Ok(());
    }
    record(state, user.user_id, &user.client, action, Concerning::mentorship(access.programme_id, access.mentorship_id)).await
}
