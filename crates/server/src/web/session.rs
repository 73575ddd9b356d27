//! Who is at the browser: the session cookie, the [`Member`] extractor every signed-in
//! page takes, and [`Signed`], the extractor of every state-changing form or fetch,
//! which checks the session's CSRF token before the handler sees anything.

use super::PageError;
use super::i18n::Tr;
use crate::state::AppState;
use crate::store::web_sessions::{self, WebSession};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use cookie::{Cookie, SameSite};
use mentorpost_model::UserId;
use serde::de::DeserializeOwned;

/// The cookie's name. `__Host-` would pin it to https and the exact host; the
/// embedded default serves plain http on localhost, so it is used only on https.
const COOKIE: &str = "mentorpost_session";
const COOKIE_SECURE: &str = "__Host-mentorpost_session";

/// The header a fetch sends the CSRF token in (forms send the `csrf` field).
pub const CSRF_HEADER: &str = "x-csrf-token";

fn secure(state: &AppState) -> bool {
    state.config.public_url.starts_with("https://")
}

fn cookie_name(state: &AppState) -> &'static str {
    if secure(state) { COOKIE_SECURE } else { COOKIE }
}

/// The `Set-Cookie` value that signs this browser in.
pub fn sign_in_cookie(state: &AppState, token: String) -> String {
    Cookie::build((cookie_name(state), token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(state))
        .max_age(cookie::time::Duration::seconds(web_sessions::WEB_SESSION_TTL.num_seconds()))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that forgets the session in this browser.
pub fn sign_out_cookie(state: &AppState) -> String {
    Cookie::build((cookie_name(state), ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(state))
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

fn session_token(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let name = cookie_name(state);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The signed-in person at the browser, with their language and time zone. A page
/// that takes it sends anyone else to the sign-in page and back afterwards.
#[derive(Clone, Debug)]
pub struct Member {
    pub session: WebSession,
    pub tr: Tr,
}

impl Member {
    pub fn id(&self) -> UserId {
        self.session.user_id
    }

    pub fn csrf(&self) -> &str {
        &self.session.csrf_token
    }
}

/// The session behind the request's cookie, if any.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<WebSession>, PageError> {
    let Some(token) = session_token(state, headers) else { return Ok(None) };
    if !mentorpost_auth::opaque::looks_like_token(&token) {
        return Ok(None);
    }
    Ok(web_sessions::find(state.db.pool(), &token, state.clock.now()).await?)
}

impl FromRequestParts<AppState> for Member {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        match current(state, &parts.headers).await? {
            Some(session) => {
                let tr = Tr::new(session.locale, &session.timezone);
                Ok(Member { session, tr })
            }
            None => {
                // Only a GET can be repeated after signing in; a form's words would be lost.
                let next =
                    if parts.method == axum::http::Method::GET { parts.uri.path_and_query().map(|p| p.as_str().to_owned()) } else { None };
                Err(PageError::SignIn { next })
            }
        }
    }
}

/// A state-changing request from a signed-in browser: its form (URL-encoded) once the
/// CSRF token — the `csrf` field, or the `x-csrf-token` header of a fetch — matched the
/// session's. A request from another site cannot know the token.
pub struct Signed<T> {
    pub member: Member,
    pub form: T,
    /// The request asked for JSON (the page's script), not a page.
    pub wants_json: bool,
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: Option<String>,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Signed<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let member = Member::from_request_parts(&mut parts, state).await?;
        let wants_json = parts.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
        let from_header = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = axum::body::to_bytes(body, crate::http::MAX_BODY_BYTES).await.map_err(|_| PageError::TooLarge)?;
        let from_form = serde_urlencoded::from_bytes::<CsrfField>(&bytes).ok().and_then(|f| f.csrf);
        let presented = from_header.or(from_form).unwrap_or_default();
        if !constant_time_eq(presented.as_bytes(), member.csrf().as_bytes()) {
            tracing::info!("form without a valid CSRF token refused");
            return Err(PageError::Csrf);
        }
        let form = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|_| PageError::BadForm)?;
        Ok(Signed { member, form, wants_json })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A form from a browser that is not signed in (sign-in, a link by mail). No session
/// means no CSRF token; a browser still tells where a form came from, so one sent
/// from another site is refused (login CSRF: signing the victim in as the attacker).
pub fn same_origin(headers: &HeaderMap) -> Result<(), PageError> {
    // Browsers of the last years say where a request comes from; trust that first.
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return if matches!(site, "same-origin" | "none") { Ok(()) } else { Err(PageError::Csrf) };
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return Ok(()) };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let same = origin
        .to_str()
        .ok()
        .and_then(|o| url::Url::parse(o).ok())
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(port) => format!("{h}:{port}"),
                None => h.to_owned(),
            })
        })
        .is_some_and(|o| o.eq_ignore_ascii_case(host));
    if same {
        Ok(())
    } else {
        tracing::info!("sign-in form from another origin refused");
        Err(PageError::Csrf)
    }
}
