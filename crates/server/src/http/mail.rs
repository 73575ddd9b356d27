//! Mail preferences, failed mail for admins, and the one-click unsubscribe link.

use super::users::actor;
use super::{ApiJson, ApiPath, AuthUser, mentorship_access};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Tr;
use crate::mail::tokens::{TokenKind, looks_like_token};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use axum::response::Html;
use mentorpost_auth::permission::Action;
use mentorpost_model::MentorshipId;
use mentorpost_model::api::ErrorBody;
use mentorpost_model::audit::AuditAction;
use mentorpost_model::mail::{
    FailedMail, MailMode, MailPreferences, MailSettings, MentorshipAddress, MentorshipMailMode, SetMentorshipMailMode,
};

/// The caller's mail preferences (defaults when never set: `each` without a
/// password, `live` with one; digests at 08:00, weekly on Mondays).
#[utoipa::path(get, path = "/api/v1/me/mail", tag = "mail", security(("bearer" = [])),
    responses((status = 200, body = MailPreferences), (status = 401, body = ErrorBody)))]
pub async fn get_preferences(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<MailPreferences>> {
    preferences(&state, user.user_id).await.map(Json)
}

async fn preferences(state: &AppState, user: mentorpost_model::UserId) -> ApiResult<MailPreferences> {
    let settings = store::mail::settings(state.db.pool(), user).await?;
    let mentorships = store::mail::mentorship_modes(state.db.pool(), user)
        .await?
        .into_iter()
        .map(|(mentorship_id, mode)| MentorshipMailMode { mentorship_id, mode })
        .collect();
    let paused_since = store::inbound::paused_since(state.db.pool(), user).await?;
    let mut new_thread_addresses = Vec::new();
    let mut tokens = Vec::new();
    for mentorship_id in store::mentorships::active_subscriptions(state.db.pool(), user).await?.into_iter().map(|m| m.mentorship) {
        let token = state.mailer.tokens.mentorship(user, mentorship_id);
        new_thread_addresses.push(MentorshipAddress { mentorship_id, address: format!("mentorship+{token}@{}", state.mailer.domain) });
        tokens.push((token, TokenKind::Mentorship, user, None, Some(mentorship_id)));
    }
    // Shown here, so it must route when someone writes to it.
    if !tokens.is_empty() {
        store::mail::remember_tokens(&state.db, tokens, state.clock.now()).await?;
    }
    Ok(MailPreferences { settings, mentorships, paused_since, new_thread_addresses })
}

/// Resume mail after the caller's address bounced (they fixed their mailbox).
#[utoipa::path(post, path = "/api/v1/me/mail/resume", tag = "mail", security(("bearer" = [])),
    responses((status = 200, body = MailPreferences), (status = 401, body = ErrorBody)))]
pub async fn resume_mail(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<MailPreferences>> {
    // Logged only when something was paused: a client calling in a loop must not be
    // able to fill the log.
    if store::inbound::resume(&state.db, user.user_id).await? {
        tracing::info!(user = %user.user_id, "mail resumed after bounces");
    }
    preferences(&state, user.user_id).await.map(Json)
}

/// Replace the caller's general mail settings. Quiet hours (local `HH:MM`, both or
/// neither) delay individual mails, never a digest.
#[utoipa::path(put, path = "/api/v1/me/mail", tag = "mail", security(("bearer" = [])), request_body = MailSettings,
    responses((status = 200, body = MailPreferences), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_preferences(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(settings): ApiJson<MailSettings>,
) -> ApiResult<Json<MailPreferences>> {
    settings.validate()?;
    store::mail::set_settings(&state.db, user.user_id, settings, state.clock.now()).await?;
    preferences(&state, user.user_id).await.map(Json)
}

/// Set the caller's mode for one of their mentorships (`null`: follow the general
/// setting). `off` also drops mail already queued for it.
#[utoipa::path(put, path = "/api/v1/me/mail/mentorships/{id}", tag = "mail", security(("bearer" = [])),
    params(("id" = String, Path, description = "mentorship id")), request_body = SetMentorshipMailMode,
    responses((status = 200, body = MailPreferences), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_mentorship_mode(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(req): ApiJson<SetMentorshipMailMode>,
) -> ApiResult<Json<MailPreferences>> {
    let access = mentorship_access(&state, &user, id).await?;
    // Only members (present or former) have mail to tune; anyone else learns nothing.
    if access.role.is_none() {
        return Err(ApiError::NotFound);
    }
    store::mail::set_mentorship_mode(&state.db, user.user_id, id, req.mode, state.clock.now()).await?;
    preferences(&state, user.user_id).await.map(Json)
}

/// Mail that failed after every retry (admins only), newest first.
#[utoipa::path(get, path = "/api/v1/admin/mail/failed", tag = "mail", security(("bearer" = [])),
    responses((status = 200, body = [FailedMail]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn failed_mail(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Vec<FailedMail>>> {
    // Failed mail names people's addresses: instance administration, like managing users.
    if !super::users::instance_allows(&actor(&state, &user).await?, Action::ManageAllUsers) {
        return Err(ApiError::forbidden("only admins see failed mail"));
    }
    let failed = store::mail::failed(state.db.pool()).await?;
    super::audit::record(&state, user.user_id, &user.client, AuditAction::FailedMail, Default::default()).await?;
    Ok(Json(failed))
}

/// The page behind a mail's unsubscribe link: a button, because mail scanners follow
/// links and a GET must change nothing.
#[utoipa::path(get, path = "/mail/unsubscribe/{token}", tag = "mail",
    params(("token" = String, Path, description = "the token from the mail's List-Unsubscribe link")),
    responses((status = 200, description = "HTML page with a button", content_type = "text/html"), (status = 404, body = ErrorBody)))]
pub async fn unsubscribe_page(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<Html<String>> {
    let target = unsubscribe_target(&state, &token).await?;
    let locale = store::users::get(state.db.pool(), target.0).await?.map(|u| u.locale).unwrap_or_default();
    let tr = Tr::new(locale, "UTC");
    let (title, text, button) = (tr.t("unsubscribe-title"), tr.t("unsubscribe-question"), tr.t("unsubscribe-button"));
    super::pages::render(&super::pages::Unsubscribe { lang: locale.as_str(), title: &title, text: &text, button: &button })
}

/// One-click unsubscribe (RFC 8058): no login, no confirmation; mail for this
/// mentorship is off at once for the person the link was made for. The body must be
/// the form field `List-Unsubscribe=One-Click` (as `application/x-www-form-urlencoded`
/// or `multipart/form-data`), which mail clients and the confirmation page send.
#[utoipa::path(post, path = "/mail/unsubscribe/{token}", tag = "mail",
    params(("token" = String, Path, description = "the token from the mail's List-Unsubscribe link")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "List-Unsubscribe=One-Click"),
    responses((status = 200, description = "unsubscribed", content_type = "text/html"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Html<String>> {
    let (user, mentorship) = unsubscribe_target(&state, &token).await?;
    let content_type = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !is_one_click(content_type, &body) {
        return Err(ApiError::bad_request(
            "one_click_body_required",
            "a one-click unsubscribe posts the form field List-Unsubscribe=One-Click (RFC 8058)",
        ));
    }
    store::mail::set_mentorship_mode(&state.db, user, mentorship, Some(MailMode::Off), state.clock.now()).await?;
    tracing::info!(%user, %mentorship, "unsubscribed by link");
    let locale = store::users::get(state.db.pool(), user).await?.map(|u| u.locale).unwrap_or_default();
    let text = Tr::new(locale, "UTC").t("unsubscribe-done");
    super::pages::render(&super::pages::Notice { lang: locale.as_str(), text: &text })
}

/// Whether a POST body is RFC 8058's `List-Unsubscribe=One-Click`. An empty POST is
/// not: anything that merely follows or prefetches a URL must not unsubscribe.
fn is_one_click(content_type: &str, body: &[u8]) -> bool {
    let media = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match media.as_str() {
        "application/x-www-form-urlencoded" => {
            url::form_urlencoded::parse(body).any(|(name, value)| name == "List-Unsubscribe" && value == "One-Click")
        }
        "multipart/form-data" => {
            let Some(boundary) = content_type.split(';').skip(1).find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim().trim_matches('"').to_owned())
            }) else {
                return false;
            };
            let text = String::from_utf8_lossy(body);
            text.split(&format!("--{boundary}")).any(|part| {
                let Some((head, value)) = part.split_once("\r\n\r\n") else { return false };
                let named = head.lines().any(|l| {
                    let l = l.to_ascii_lowercase();
                    l.starts_with("content-disposition:") && l.contains("name=\"list-unsubscribe\"")
                });
                named && value.trim_end_matches(['\r', '\n']) == "One-Click"
            })
        }
        _ => false,
    }
}

async fn unsubscribe_target(state: &AppState, token: &str) -> ApiResult<(mentorpost_model::UserId, MentorshipId)> {
    if !looks_like_token(token) {
        return Err(ApiError::NotFound);
    }
    let target = store::mail::find_token(state.db.pool(), token).await?.ok_or(ApiError::NotFound)?;
    match (target.kind.as_str() == TokenKind::Unsubscribe.as_str(), target.mentorship_id) {
        (true, Some(mentorship)) => Ok((target.user_id, mentorship)),
        _ => Err(ApiError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::is_one_click;

    #[test]
    fn only_the_one_click_form_unsubscribes() {
        let form = "application/x-www-form-urlencoded";
        assert!(is_one_click(form, b"List-Unsubscribe=One-Click"));
        assert!(is_one_click("Application/X-WWW-Form-Urlencoded; charset=utf-8", b"a=b&List-Unsubscribe=One-Click"));
        assert!(!is_one_click(form, b""));
        assert!(!is_one_click(form, b"List-Unsubscribe=Yes"));
        assert!(!is_one_click("", b"List-Unsubscribe=One-Click"));
        assert!(!is_one_click("application/json", br#"{"List-Unsubscribe":"One-Click"}"#));
        let multipart = "multipart/form-data; boundary=\"xyz\"";
        let body = b"--xyz\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--xyz--\r\n";
        assert!(is_one_click(multipart, body));
        assert!(!is_one_click("multipart/form-data", body), "no boundary");
        let other = b"--xyz\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nOne-Click\r\n--xyz--\r\n";
        assert!(!is_one_click(multipart, other));
    }
}
