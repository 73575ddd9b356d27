//! Login, refresh-token rotation, logout and magic links.

use super::ApiJson;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, sessions::Rotation};
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use chrono::Duration;
use mentorpost_auth::{opaque, password, token::ACCESS_TOKEN_TTL_SECS};
use mentorpost_model::api::{ErrorBody, LoginRequest, MagicLinkRedeemRequest, MagicLinkRequest, RefreshRequest, TokenResponse};
use mentorpost_model::{EmailAddress, UserId};
use std::net::SocketAddr;

/// Magic links mailed per address within [`FAILURE_WINDOW`].
const MAX_LINKS_PER_ACCOUNT: i64 = 5;
/// Failed logins (and requested links) allowed per client address within [`FAILURE_WINDOW`].
const MAX_FAILURES_PER_IP: i64 = 20;
const FAILURE_WINDOW: Duration = Duration::minutes(15);
/// Failed logins for one account from one client before it must wait between tries.
const FREE_FAILURES_PER_ACCOUNT_AND_CLIENT: i64 = 3;
/// The first wait; each further failure doubles it, up to [`FAILURE_WINDOW`].
const FIRST_DELAY: Duration = Duration::seconds(5);

/// How long a client must wait after its last failed login for this account before
/// it may try again. The throttle is per account *and* client: counted per account
/// alone, anyone could lock the real person out by failing five times on purpose.
fn login_delay(failures: i64) -> Duration {
    let beyond = failures - FREE_FAILURES_PER_ACCOUNT_AND_CLIENT;
    if beyond < 0 {
        return Duration::zero();
    }
    // 2^beyond, with the exponent kept small enough not to overflow before the cap.
    let factor = 1i32 << beyond.min(16);
    (FIRST_DELAY * factor).min(FAILURE_WINDOW)
}

fn retry_after(wait: Duration) -> ApiError {
    // Whole seconds, rounded up, so a client that waits as told is let in.
    let millis = wait.num_milliseconds().max(1).unsigned_abs();
    ApiError::TooManyRequests { retry_after_secs: millis.div_ceil(1000) }
}

async fn tokens(state: &AppState, user: UserId, session_id: String, refresh_token: String) -> ApiResult<TokenResponse> {
    let (access_token, _) =
        state.jwt.issue(user, &session_id, state.clock.now()).map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    let user = store::users::get(state.db.pool(), user)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("unknown_user", "this account no longer exists"))?;
    Ok(TokenResponse { access_token, token_type: "Bearer".into(), expires_in: ACCESS_TOKEN_TTL_SECS, refresh_token, user })
}

/// Log in with e-mail and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    who: super::audit::Client,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let client = super::client_ip(peer.ip(), &headers, &state.config.trusted_proxies);
    let user = check_password(&state, client, &req.email, req.password).await?;
    let login = store::sessions::start(&state.db, user, state.clock.now()).await?;
    super::security::after_sign_in(&state, user, &login.session_id, &who, None).await?;
    Ok(Json(tokens(&state, user, login.session_id, login.refresh_token).await?))
}

/// Checks an e-mail address and password under the login limits (per client address,
/// and per account and client with a growing wait): the person's id, or 401 / 429.
/// The API's login and the web app's sign-in both come through here.
pub async fn check_password(state: &AppState, client: std::net::IpAddr, email: &str, password: String) -> ApiResult<UserId> {
    let now = state.clock.now();
    let bad = || ApiError::unauthenticated("invalid_credentials", "e-mail address or password is wrong");
    let email = EmailAddress::parse(email).map_err(|_| bad())?;
    let pair_key = format!("account-client:{}|{client}", email.as_str());
    let keys = vec![pair_key.clone(), format!("ip:{client}")];
    let counts = store::sessions::recent_failures(state.db.pool(), &keys, now - FAILURE_WINDOW).await?;
    let (pair, source) = (counts.first().copied().unwrap_or_default(), counts.get(1).copied().unwrap_or_default());
    if source.count >= MAX_FAILURES_PER_IP {
        // At the latest when the newest failure leaves the window.
        let ends = source.last.map_or(FAILURE_WINDOW, |last| last + FAILURE_WINDOW - now);
        return Err(retry_after(ends.min(FAILURE_WINDOW)));
    }
    if let Some(last) = pair.last {
        let wait = last + login_delay(pair.count) - now;
        if wait > Duration::zero() {
            return Err(retry_after(wait));
        }
    }
    if password.len() > 1024 {
        return Err(bad());
    }
    let creds = store::users::find_credentials(state.db.pool(), &email).await?;
    let plain = password;
    let verified = match creds.as_ref().and_then(|c| c.password_hash.clone()) {
        Some(hash) => password_work(move || password::verify_password(&plain, &hash)).await.unwrap_or(false),
        None => {
            // Same work for unknown accounts, so timing does not reveal which exist.
            password_work(move || password::dummy_verify(&plain)).await.ok();
            false
        }
    };
    let Some(user) = creds.filter(|_| verified).map(|c| c.id) else {
        store::sessions::record_failure(&state.db, keys, now).await?;
        tracing::info!(client = %client, "failed login");
        return Err(bad());
    };
    if pair.count > 0 {
        // This client knows the password: its earlier slips no longer slow it down.
        store::sessions::clear_failures(&state.db, pair_key).await?;
    }
    Ok(user)
}

/// Exchange a refresh token for a new access token and a new refresh token. A
/// refresh token that was already used revokes its whole login.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody)))]
pub async fn refresh(State(state): State<AppState>, ApiJson(req): ApiJson<RefreshRequest>) -> ApiResult<Json<TokenResponse>> {
    if !opaque::looks_like_token(&req.refresh_token) {
        return Err(ApiError::unauthenticated("refresh_invalid", "this refresh token is not valid"));
    }
    match store::sessions::rotate(&state.db, req.refresh_token, state.clock.now()).await? {
        Rotation::Rotated { user, session_id, refresh_token } => Ok(Json(tokens(&state, user, session_id, refresh_token).await?)),
        Rotation::Invalid => Err(ApiError::unauthenticated("refresh_invalid", "this refresh token is not valid")),
        Rotation::ReuseDetected => {
            tracing::warn!("refresh token reused; login revoked");
            Err(ApiError::unauthenticated("refresh_reused", "this refresh token was already used; the login has been ended for safety"))
        }
    }
}

/// End the login the refresh token belongs to.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshRequest, responses((status = 204)))]
pub async fn logout(State(state): State<AppState>, ApiJson(req): ApiJson<RefreshRequest>) -> ApiResult<StatusCode> {
    if opaque::looks_like_token(&req.refresh_token) {
        store::sessions::logout(&state.db, req.refresh_token, state.clock.now()).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Mail a single-use login link (valid 15 minutes). Always answers 202, whether or
/// not the address has an account, so the endpoint cannot probe for accounts.
#[utoipa::path(post, path = "/api/v1/auth/magic-link", tag = "auth", request_body = MagicLinkRequest, responses((status = 202), (status = 429, body = ErrorBody)))]
pub async fn magic_link(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    ApiJson(req): ApiJson<MagicLinkRequest>,
) -> ApiResult<StatusCode> {
    let client = super::client_ip(peer.ip(), &headers, &state.config.trusted_proxies);
    mail_magic_link(&state, client, &req.email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Mails a sign-in link to the account with this address, if there is one, under the
/// limits per address and per client (so nobody can flood someone's inbox). Says
/// nothing about whether the account exists. The API and the web app both use it.
pub async fn mail_magic_link(state: &AppState, client: std::net::IpAddr, email: &str) -> ApiResult<()> {
    let now = state.clock.now();
    let Ok(email) = EmailAddress::parse(email) else {
        return Err(ApiError::unprocessable("invalid_email", "not a valid e-mail address"));
    };
    // Counted like failures so the endpoint cannot be used to flood someone's inbox.
    let keys = vec![format!("magic:{}", email.as_str()), format!("magic-ip:{client}")];
    let counts = store::sessions::recent_failures(state.db.pool(), &keys, now - FAILURE_WINDOW).await?;
    if counts.first().is_some_and(|f| f.count >= MAX_LINKS_PER_ACCOUNT) || counts.get(1).is_some_and(|f| f.count >= MAX_FAILURES_PER_IP) {
        return Err(ApiError::TooManyRequests { retry_after_secs: FAILURE_WINDOW.num_seconds() as u64 });
    }
    store::sessions::record_failure(&state.db, keys, now).await?;
    if let Some(creds) = store::users::find_credentials(state.db.pool(), &email).await?
        && let Some(user) = store::users::get(state.db.pool(), creds.id).await?
    {
        let token = mentorpost_auth::opaque::generate_token();
        let link = format!("{}/login/magic?token={token}", state.config.public_url.trim_end_matches('/'));
        let rendered = state.mailer.render_magic_link(&user.display_name, &user.email, user.locale, &link)?;
        store::sessions::create_magic_link(&state.db, user.id, &token, user.email.clone(), rendered, now).await?;
    }
    Ok(())
}

/// Redeem a magic-link token for a login.
#[utoipa::path(post, path = "/api/v1/auth/magic-link/redeem", tag = "auth", request_body = MagicLinkRedeemRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody)))]
pub async fn magic_link_redeem(
    State(state): State<AppState>,
    who: super::audit::Client,
    ApiJson(req): ApiJson<MagicLinkRedeemRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let invalid = || ApiError::unauthenticated("magic_link_invalid", "this login link is not valid, was already used or has expired");
    if !opaque::looks_like_token(&req.token) {
        return Err(invalid());
    }
    let (user, login) = store::sessions::redeem_magic_link(&state.db, req.token, state.clock.now()).await?.ok_or_else(invalid)?;
    super::security::after_sign_in(&state, user, &login.session_id, &who, None).await?;
    Ok(Json(tokens(&state, user, login.session_id, login.refresh_token).await?))
}

/// Password hashes running at once. Each argon2id run holds 19 MiB (OWASP parameters)
/// and the allocator keeps what it once held, so unbounded concurrent logins would grow
/// the process by that much per request; more than a few at once also cannot finish
/// sooner on a small machine.
const PASSWORD_WORKERS: usize = 4;

/// Runs a password hash or check on the blocking pool, at most [`PASSWORD_WORKERS`] at
/// a time; the rest wait their turn.
pub async fn password_work<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    static PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(PASSWORD_WORKERS);
    let _permit = PERMITS.acquire().await?;
    Ok(tokio::task::spawn_blocking(work).await?)
}
