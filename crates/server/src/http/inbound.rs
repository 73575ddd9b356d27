//! Mail in over HTTP (for MTAs and mail services that post raw mail), received mail
//! that failed for admins, and attachment downloads for members.

use super::threads::thread_guard;
use super::users::actor;
use super::{ApiPath, AuthUser};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Tr;
use crate::inbound::{Delivery, Receipt, Via, receive};
use crate::state::AppState;
use crate::store;
use crate::store::inbound::InboundProblem;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use mentorpost_auth::permission::Action;
use mentorpost_model::api::ErrorBody;
use mentorpost_model::audit::AuditAction;
use mentorpost_model::{AttachmentId, ProgrammeId};
use subtle_eq::constant_time_eq;

/// Receive one raw RFC 5322 mail (the request body as it is, any content type),
/// authorised by the inbound secret (`MENTORPOST_INBOUND_SECRET`) as a bearer token.
/// 200 with what became of it — also when nothing was posted (an auto-reply, an
/// unknown sender): the mail is stored either way. 503 when it could not be stored:
/// the caller should retry.
#[utoipa::path(post, path = "/api/v1/inbound/email", tag = "inbound", security(("inbound_secret" = [])),
    request_body(content = String, content_type = "message/rfc822", description = "the raw mail"),
    responses((status = 200, body = Receipt), (status = 400, body = ErrorBody, description = "the body is empty"), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "the endpoint is off (no inbound secret configured)"), (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn receive_email(State(state): State<AppState>, headers: HeaderMap, body: Body) -> ApiResult<Json<Receipt>> {
    let Some(secret) = state.config.inbound_secret.as_deref() else {
        // Off unless configured: the route does not exist for anyone.
        return Err(ApiError::NotFound);
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    if !presented.is_some_and(|p| constant_time_eq(p.as_bytes(), secret.as_bytes())) {
        return Err(ApiError::unauthenticated("invalid_inbound_secret", "a valid inbound secret is required"));
    }
    let limit = state.config.inbound.max_bytes;
    let raw = axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::PayloadTooLarge)?;
    if raw.is_empty() {
        return Err(ApiError::bad_request("empty_mail", "the request body must be the raw mail"));
    }
    let delivery = Delivery { raw: raw.to_vec(), via: Via::Http, envelope_from: None, envelope_to: envelope_to(&headers) };
    match receive(&state, delivery).await {
        Ok(receipt) => Ok(Json(receipt)),
        Err(ApiError::Internal(err)) => {
            tracing::error!(error = %err, "storing a mail received over HTTP failed");
            Err(ApiError::Unavailable)
        }
        Err(err) => Err(err),
    }
}

/// The envelope recipients, when the caller passes them (`X-Envelope-To`, comma
/// separated), as MTAs that post mail can.
fn envelope_to(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("x-envelope-to")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|a| a.trim().trim_start_matches('<').trim_end_matches('>').to_lowercase())
        .filter(|a| a.contains('@'))
        .collect()
}

/// Received mail that could not be read (and, with `?rejected=true`, mail that was
/// refused), newest first — for admins.
#[utoipa::path(get, path = "/api/v1/admin/inbound/failed", tag = "inbound", security(("bearer" = [])),
    params(FailedQuery),
    responses((status = 200, body = [InboundProblem]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn failed_inbound(
    State(state): State<AppState>,
    user: AuthUser,
    super::ApiQuery(q): super::ApiQuery<FailedQuery>,
) -> ApiResult<Json<Vec<InboundProblem>>> {
    if !super::users::instance_allows(&actor(&state, &user).await?, Action::ManageAllUsers) {
        return Err(ApiError::forbidden("only admins see received mail"));
    }
    let problems = store::inbound::problems(state.db.pool(), q.rejected.unwrap_or(false)).await?;
    super::audit::record(&state, user.user_id, &user.client, AuditAction::FailedInbound, Default::default()).await?;
    Ok(Json(problems))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FailedQuery {
    /// Also list refused mail.
    pub rejected: Option<bool>,
}

/// People in the programme's current mentorships whose mail is paused because their
/// address keeps bouncing: who and since when, no content (coordinators and admins).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/bouncing", tag = "inbound", security(("bearer" = [])), params(("id" = ProgrammeId, Path)),
    responses((status = 200, body = [BouncingAddress]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn programme_bouncing(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(programme): ApiPath<ProgrammeId>,
) -> ApiResult<Json<Vec<BouncingAddress>>> {
    let actor = actor(&state, &user).await?;
    super::users::programme_guard(&state, &actor, programme, Action::ListProgrammeMentorships).await?;
    let rows = store::inbound::bouncing_in_programme(state.db.pool(), programme).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (user_id, mentorship_id, since) in rows {
        let display_name = store::users::get(state.db.pool(), user_id).await?.map(|u| u.display_name).unwrap_or_default();
        out.push(BouncingAddress { user_id, display_name, mentorship_id, since });
    }
    let what = super::audit::Concerning::programme(programme);
    super::audit::record(&state, user.user_id, &user.client, AuditAction::BouncingList, what).await?;
    Ok(Json(out))
}

/// "Address bouncing" for one person in one mentorship.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BouncingAddress {
    pub user_id: mentorpost_model::UserId,
    pub display_name: String,
    pub mentorship_id: mentorpost_model::MentorshipId,
    /// Since when their mail is paused.
    pub since: chrono::DateTime<chrono::Utc>,
}

/// Download a message's attachment (members who can read the message only).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "threads", security(("bearer" = [])), params(("id" = AttachmentId, Path)),
    responses((status = 200, description = "the file as a download: its own content type when that is an inert one (images other than SVG, PDF, plain text, office documents, audio, video), else application/octet-stream", content_type = "*/*"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download_attachment(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<AttachmentId>) -> ApiResult<Response> {
    let file = store::inbound::attachment(state.db.pool(), id).await?.ok_or(ApiError::NotFound)?;
    let visible_until = thread_guard(&state, user.user_id, file.thread_id, Action::ReadContent).await?;
    // A former member sees what was posted up to their leaving, no more.
    if visible_until.is_some_and(|left| file.message_created_at > left) {
        return Err(ApiError::NotFound);
    }
    // Served as a download of an inert type whatever the sender declared: a file can
    // never run as a page of ours (an HTML or SVG file would run script in our origin).
    let content_type = HeaderValue::from_static(mentorpost_model::attachment::served_content_type(&file.content_type));
    let disposition =
        format!("attachment; filename*=UTF-8''{}", percent_encoding::utf8_percent_encode(&file.name, percent_encoding::NON_ALPHANUMERIC));
    let disposition = HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            // Should a browser render it anyway: no script, no plugins, an opaque origin.
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox")),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        file.data,
    )
        .into_response())
}

mod subtle_eq {
    /// Compares secrets without an early exit, so timing does not reveal how much of
    /// a guess was right.
    pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// The page behind a mailed "add this address" link: a button, because mail scanners
/// follow links and a GET must change nothing.
#[utoipa::path(get, path = "/mail/add-address/{token}", tag = "inbound",
    params(("token" = String, Path, description = "the token from the mailed link")),
    responses((status = 200, description = "HTML page with a button", content_type = "text/html"), (status = 404, body = ErrorBody)))]
pub async fn add_address_page(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<Html<String>> {
    let (user, address) =
        store::inbound::address_confirmation(state.db.pool(), &token, state.clock.now()).await?.ok_or(ApiError::NotFound)?;
    let locale = store::users::get(state.db.pool(), user).await?.map(|u| u.locale).unwrap_or_default();
    let tr = Tr::new(locale, "UTC");
    // The sentence around the address, which the page shows in bold.
    let question = tr.ts("add-address-question", "address", &address);
    let (before, after) = question.split_once(address.as_str()).unwrap_or((question.as_str(), ""));
    let (title, button) = (tr.t("add-address-title"), tr.t("add-address-button"));
    super::pages::render(&super::pages::AddAddress {
        lang: locale.as_str(),
        title: &title,
        before,
        address: &address,
        after,
        button: &button,
    })
}

/// Adds the address the link was made for to its person's verified addresses (once).
#[utoipa::path(post, path = "/mail/add-address/{token}", tag = "inbound",
    params(("token" = String, Path, description = "the token from the mailed link")),
    responses((status = 200, description = "added", content_type = "text/html"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_address(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<Html<String>> {
    let (user, address) = store::inbound::confirm_address(&state.db, token, state.clock.now()).await?.ok_or(ApiError::NotFound)?;
    tracing::info!(%user, "address added by mailed link");
    if let Err(err) = crate::mail::security::alert(&state, user, crate::mail::security::Alert::AddressAdded { added: &address }).await {
        tracing::error!(error = ?err, %user, "the address-added alert could not be queued");
    }
    let locale = store::users::get(state.db.pool(), user).await?.map(|u| u.locale).unwrap_or_default();
    let text = Tr::new(locale, "UTC").ts("add-address-done", "address", &address);
    super::pages::render(&super::pages::Notice { lang: locale.as_str(), text: &text })
}
