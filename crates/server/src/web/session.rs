//! Who is at the browser: the session cookie, the [`Member`] extractor every signed-in
//! page takes, and [`Signed`], the extractor of every state-changing form or fetch,
//! which checks the session's CSRF token before the handler sees anything;
//! [`SignedWithFiles`] is the same for the forms that can carry files (multipart).

use super::PageError;
use super::i18n::Tr;
use crate::state::AppState;
use crate::store::attachments::NewAttachment;
use crate::store::web_sessions::{self, WebSession};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::routing::MethodRouter;
use cookie::{Cookie, SameSite};
use futures_util::StreamExt;
use mentorpost_model::UserId;
use mentorpost_model::attachment::{clean_file_name, content_type_for};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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

/// The device cookie: a random value a browser keeps for 400 days (the most browsers
/// allow), so a sign-in from it is recognised as a known device. It says nothing and
/// opens nothing; only its hash is stored (`known_devices`).
const DEVICE_COOKIE: &str = "mentorpost_device";

/// This browser's device cookie, or a new one with the `Set-Cookie` value that gives
/// it to the browser.
pub fn device(headers: &HeaderMap, state: &AppState) -> (String, Option<String>) {
    let existing = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == DEVICE_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| mentorpost_auth::opaque::looks_like_token(v));
    if let Some(value) = existing {
        return (value, None);
    }
    let value = mentorpost_auth::opaque::generate_token();
    let set = Cookie::build((DEVICE_COOKIE, value.clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(state))
        .max_age(cookie::time::Duration::days(400))
        .build()
        .to_string();
    (value, Some(set))
}

/// Signs this browser in after `user` proved who they are: a browser session for the
/// login (`attach_to`, from a redeemed link) or a new login, the device recorded (a mail
/// when it is new to them), and the cookies.
pub async fn sign_in(
    state: &AppState,
    headers: &HeaderMap,
    client: &crate::http::audit::Client,
    user: UserId,
    attach_to: Option<String>,
    next: &str,
) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    let now = state.clock.now();
    let web = match attach_to {
        Some(session_id) => web_sessions::attach(&state.db, session_id, now).await?,
        None => web_sessions::start(&state.db, user, now).await?,
    };
    let (device, set_device) = device(headers, state);
    crate::http::security::after_sign_in(state, user, &web.session_id, client, Some(&device)).await?;
    let mut response = axum::response::Redirect::to(next).into_response();
    for cookie in [Some(sign_in_cookie(state, web.token)), set_device].into_iter().flatten() {
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
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
    /// Where the request comes from (for the audit log and the devices list).
    pub client: crate::http::audit::Client,
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
                let now = state.clock.now();
                if session.last_used_at.is_none_or(|at| now - at >= crate::store::devices::TOUCH_EVERY) {
                    // "Last used" for the list of devices: one write every few minutes.
                    crate::store::devices::touch(&state.db, session.session_id.clone(), now).await?;
                }
                // A new version of a programme's privacy notice is read and accepted
                // before any other page (a form still goes through: its words would be lost).
                if parts.method == axum::http::Method::GET
                    && super::notice::asks_first(parts.uri.path())
                    && !wants_json(&parts.headers)
                    && !crate::store::notices::pending(state.db.pool(), session.user_id).await?.is_empty()
                {
                    let next = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".to_owned());
                    return Err(PageError::Notice { next });
                }
                let tr = Tr::new(session.locale, &session.timezone);
                let client = crate::http::audit::Client::from_parts(parts, state);
                Ok(Member { session, tr, client })
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
        let wants_json = wants_json(&parts.headers);
        let from_header = csrf_header(&parts.headers);
        let bytes = axum::body::to_bytes(body, crate::http::MAX_BODY_BYTES).await.map_err(|_| PageError::TooLarge)?;
        let from_form = serde_urlencoded::from_bytes::<CsrfField>(&bytes).ok().and_then(|f| f.csrf);
        check_csrf(&member, from_header.or(from_form).as_deref())?;
        let form = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|_| PageError::BadForm)?;
        Ok(Signed { member, form, wants_json })
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"))
}

fn csrf_header(headers: &HeaderMap) -> Option<String> {
    headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// The token presented (the header's, else the form's) must be the session's.
fn check_csrf(member: &Member, presented: Option<&str>) -> Result<(), PageError> {
    if constant_time_eq(presented.unwrap_or_default().as_bytes(), member.csrf().as_bytes()) {
        Ok(())
    } else {
        tracing::info!("form without a valid CSRF token refused");
        Err(PageError::Csrf)
    }
}

/// Most files one message takes.
pub const MAX_FILES: usize = 10;
/// Most parts a multipart form may have (its fields and files together).
const MAX_PARTS: usize = 64;
/// The name of the forms' file input.
pub const FILES_FIELD: &str = "files";

/// Why the files of a form were not taken. Nothing is stored; the form is shown again
/// with what was typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilesProblem {
    /// Together larger than the attachment limit.
    TooLarge,
    /// More than [`MAX_FILES`].
    TooMany,
}

/// [`Signed`] for the forms that can carry files (a reply, a new thread): the same
/// CSRF check and text fields, from a `multipart/form-data` body as well as an
/// URL-encoded one, and the files alongside. The files together may be as large as
/// the attachment limit (`MENTORPOST_ATTACHMENTS_MAX_BYTES`, the one mail in has);
/// the whole body that limit plus the text forms' 1 MiB. Past either, `problem` says
/// so and `files` is empty. The routes that take it switch off the app-wide body limit
/// ([`upload_route`]): this extractor sets its own.
pub struct SignedWithFiles<T> {
    pub member: Member,
    pub form: T,
    pub wants_json: bool,
    pub files: Vec<NewAttachment>,
    pub problem: Option<FilesProblem>,
}

/// A route whose handler takes [`SignedWithFiles`]: axum's body limit (the app's 1 MiB)
/// gives way to the extractor's own.
pub fn upload_route(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.layer(DefaultBodyLimit::disable())
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for SignedWithFiles<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let is_multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
        if !is_multipart {
            // The page's script sends a form without files URL-encoded.
            let Signed { member, form, wants_json } = Signed::<T>::from_request(req, state).await?;
            return Ok(SignedWithFiles { member, form, wants_json, files: Vec::new(), problem: None });
        }
        let (mut parts, body) = req.into_parts();
        let member = Member::from_request_parts(&mut parts, state).await?;
        let wants_json = wants_json(&parts.headers);
        let from_header = csrf_header(&parts.headers);
        if from_header.is_some() {
            // A fetch says its token before the body: refuse before reading any of it.
            check_csrf(&member, from_header.as_deref())?;
        }
        let limits = FileLimits::new(state.config.inbound.max_attachment_bytes);
        let cut = Arc::new(AtomicBool::new(false));
        let body = capped(body, limits.read_at_most, cut.clone());
        let req = Request::from_parts(parts, body);
        let mut multipart = <Multipart as FromRequest<AppState>>::from_request(req, state).await.map_err(|_| PageError::BadForm)?;
        let mut read = FormRead::default();
        let mut presented = from_header;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                // Cut off past what is read at all: the answer is "too large" (with
                // the words that came before the files, which our forms send first).
                Err(_) if cut.load(Ordering::Relaxed) => {
                    read.problem = Some(FilesProblem::TooLarge);
                    break;
                }
                Err(_) => return Err(PageError::BadForm),
            };
            read.parts += 1;
            if read.parts > MAX_PARTS {
                return Err(PageError::BadForm);
            }
            let name = field.name().unwrap_or_default().to_owned();
            match field.file_name().map(str::to_owned) {
                None => {
                    let text = read.text(field, &cut).await?;
                    if name == "csrf" && presented.is_none() {
                        presented = Some(text.clone());
                    }
                    read.fields.push((name, text));
                }
                Some(file_name) => {
                    // Our forms send the token first: no file is taken in before it.
                    check_csrf(&member, presented.as_deref())?;
                    let declared = field.content_type().map(str::to_owned);
                    let keep = name == FILES_FIELD;
                    match read.file(field, &limits, keep, &cut).await {
                        Ok(Some(data)) => read.files.push(NewAttachment {
                            content_type: content_type_for(declared.as_deref(), &file_name),
                            name: clean_file_name(&file_name),
                            data,
                        }),
                        Ok(None) => {}
                        Err(Stop::Cut) => {
                            read.problem = Some(FilesProblem::TooLarge);
                            break;
                        }
                        Err(Stop::Broken) => return Err(PageError::BadForm),
                    }
                }
            }
        }
        check_csrf(&member, presented.as_deref())?;
        let encoded = serde_urlencoded::to_string(&read.fields).map_err(|_| PageError::BadForm)?;
        let form = serde_urlencoded::from_str::<T>(&encoded).map_err(|_| PageError::BadForm)?;
        let (files, problem) = match read.problem {
            Some(problem) => (Vec::new(), Some(problem)),
            None => (read.files, None),
        };
        Ok(SignedWithFiles { member, form, wants_json, files, problem })
    }
}

/// What a multipart form may bring.
struct FileLimits {
    /// The files together.
    files: usize,
    /// Everything kept (files and text): the files' limit and the text forms' 1 MiB.
    kept: usize,
    /// Read at all. Past what is kept, the rest of the body is still read and thrown
    /// away up to here, so a browser that sent a large file reads the answer (one
    /// that stops reading mid-upload often shows the person a reset connection).
    read_at_most: usize,
}

impl FileLimits {
    fn new(files: usize) -> FileLimits {
        let kept = files.saturating_add(crate::http::MAX_BODY_BYTES);
        FileLimits { files, kept, read_at_most: kept.saturating_mul(4) }
    }
}

/// Why a file's part ended early.
enum Stop {
    /// Past what is read at all.
    Cut,
    /// Not a readable multipart body.
    Broken,
}

#[derive(Default)]
struct FormRead {
    fields: Vec<(String, String)>,
    files: Vec<NewAttachment>,
    problem: Option<FilesProblem>,
    parts: usize,
    /// Text kept so far.
    text_bytes: usize,
    /// File bytes kept so far.
    file_bytes: usize,
}

impl FormRead {
    async fn text(&mut self, mut field: axum::extract::multipart::Field<'_>, cut: &AtomicBool) -> Result<String, PageError> {
        let mut bytes = Vec::new();
        let stopped = |_| if cut.load(Ordering::Relaxed) { PageError::TooLarge } else { PageError::BadForm };
        while let Some(chunk) = field.chunk().await.map_err(stopped)? {
            self.text_bytes += chunk.len();
            if self.text_bytes > crate::http::MAX_BODY_BYTES {
                return Err(PageError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        String::from_utf8(bytes).map_err(|_| PageError::BadForm)
    }

    /// A file's bytes, or `None` when it is not kept: an empty part (a browser sends one
    /// for a file input left empty), another input's, or one past the limits (then
    /// `problem` says which, and its bytes are read and dropped).
    async fn file(
        &mut self,
        mut field: axum::extract::multipart::Field<'_>,
        limits: &FileLimits,
        keep: bool,
        cut: &AtomicBool,
    ) -> Result<Option<Vec<u8>>, Stop> {
        let mut data = Vec::new();
        let mut keep = keep && self.problem.is_none();
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(_) if cut.load(Ordering::Relaxed) => return Err(Stop::Cut),
                Err(_) => return Err(Stop::Broken),
            };
            if !keep {
                continue;
            }
            self.file_bytes += chunk.len();
            if self.file_bytes > limits.files || self.file_bytes + self.text_bytes > limits.kept {
                self.problem = Some(FilesProblem::TooLarge);
                keep = false;
                data = Vec::new();
                continue;
            }
            data.extend_from_slice(&chunk);
        }
        if !keep || data.is_empty() {
            return Ok(None);
        }
        if self.files.len() >= MAX_FILES {
            self.problem.get_or_insert(FilesProblem::TooMany);
            return Ok(None);
        }
        Ok(Some(data))
    }
}

/// `body`, ending in an error once more than `limit` bytes came; `cut` tells that
/// this is why it ended.
fn capped(body: Body, limit: usize, cut: Arc<AtomicBool>) -> Body {
    let mut seen = 0usize;
    Body::from_stream(body.into_data_stream().map(move |chunk| {
        let chunk = chunk?;
        seen = seen.saturating_add(chunk.len());
        if seen > limit {
            cut.store(true, Ordering::Relaxed);
            return Err(axum::Error::new("the request body is larger than this form takes"));
        }
        Ok(chunk)
    }))
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
