//! A person's data as a zip (GDPR right of access and portability): JSON files, the
//! attachments, and `index.html`, a page in the person's language that reads offline
//! from the unzipped folder and links the rest. What goes in is `store::person`'s
//! decision; this module packs it, answers the API, builds large exports in the
//! background (a file in `<data dir>/exports/`, a mailed link that expires) and deletes
//! them at expiry. The settings page and `mentorpost user export` use the same steps.

use super::{ApiPath, AuthUser};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::store;
use crate::store::mail::RenderedMail;
use crate::store::person::{MessageExport, PersonExport};
use anyhow::Context;
use askama::Template;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use mentorpost_auth::permission::Action;
use mentorpost_model::api::ErrorBody;
use mentorpost_model::{Locale, UserId};
use serde::Serialize;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;

/// Days a mailed export link works; the file is deleted after.
pub const LINK_DAYS: i64 = 7;

/// How often expired export files are looked for.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// What an export holds, in numbers (for logs, the CLI and the benchmark).
#[derive(Clone, Copy, Debug, Default)]
pub struct Summary {
    pub messages: usize,
    pub attachments: usize,
    pub bytes: u64,
}

/// The answer when an export is built in the background.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportQueued {
    /// Always `queued`: a link is mailed to the person's address when the file is ready.
    pub status: String,
    /// Days the mailed link works.
    pub link_days: i64,
}

fn zip_options(now: DateTime<Utc>) -> SimpleFileOptions {
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(now.year()).unwrap_or(1980),
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    )
    .unwrap_or_default();
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).last_modified_time(stamp)
}

/// Writes `user`'s export into `out` as a zip, read in one snapshot. `None` when there
/// is no such person.
pub async fn package<W: Write + Seek + Send>(
    db: &crate::db::Db,
    user: UserId,
    now: DateTime<Utc>,
    out: W,
) -> anyhow::Result<Option<(W, Summary)>> {
    let options = zip_options(now);
    let mut zip = zip::ZipWriter::new(out);
    let mut attachments = 0;
    let data = store::person::export(db, user, now, |file, bytes| {
        zip.start_file(file.file.as_str(), options).context("starting an attachment in the zip")?;
        zip.write_all(bytes).context("writing an attachment into the zip")?;
        attachments += 1;
        Ok(())
    })
    .await
    .context("reading the person's data")?;
    let Some(data) = data else { return Ok(None) };
    let mut json = |name: &str, value: &dyn erased::Json| -> anyhow::Result<()> {
        zip.start_file(format!("data/{name}"), options).context("starting a JSON file in the zip")?;
        value.write_pretty(&mut zip).with_context(|| format!("writing data/{name}"))
    };
    json(
        "account.json",
        &serde_json::json!({
            "format": data.format, "generated_at": data.generated_at, "account": data.account, "addresses": data.addresses,
            "profile": data.profile, "sign_ins": data.sign_ins, "exports": data.exports,
        }),
    )?;
    json(
        "programmes.json",
        &serde_json::json!({
            "programmes": data.programmes, "invitations": data.invitations, "consents": data.consents,
        }),
    )?;
    json("mentorships.json", &MentorshipsFile(&data))?;
    json("messages.json", &MessagesFile(&data))?;
    json("forms.json", &data.forms)?;
    json("mail.json", &data.mail)?;
    json("concerns.json", &data.concerns)?;
    json("audit.json", &data.audit)?;
    zip.start_file("index.html", options).context("starting the index in the zip")?;
    let index = index_html(&data).context("rendering the index")?;
    zip.write_all(index.as_bytes()).context("writing the index")?;
    let mut out = zip.finish().context("finishing the zip")?;
    let bytes = out.stream_position().unwrap_or_default();
    Ok(Some((out, Summary { messages: data.message_count(), attachments, bytes })))
}

/// Serialising without naming each type (the JSON files are of several types).
mod erased {
    pub trait Json {
        fn write_pretty(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()>;
    }
    impl<T: serde::Serialize> Json for T {
        fn write_pretty(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()> {
            serde_json::to_writer_pretty(out, self)
        }
    }
}

/// `data/mentorships.json`: the mentorships without their threads (which are in
/// `messages.json`).
struct MentorshipsFile<'a>(&'a PersonExport);

impl Serialize for MentorshipsFile<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.0.mentorships.len()))?;
        for m in &self.0.mentorships {
            seq.serialize_element(&serde_json::json!({
                "id": m.id, "programme": m.programme, "status": m.status, "end_reason": m.end_reason,
                "start_date": m.start_date, "created_at": m.created_at, "closed_at": m.closed_at,
                "your_role": m.your_role, "joined_at": m.joined_at, "left_at": m.left_at, "members": m.members,
                "agreement": m.agreement, "agreement_versions": m.agreement_versions, "confirmations": m.confirmations,
                "meetings": m.meetings, "actions": m.actions, "checkin_answers": m.checkin_answers,
                "read_markers": m.read_markers, "mail_mode": m.mail_mode,
            }))?;
        }
        seq.end()
    }
}

/// `data/messages.json`: the threads of each mentorship with their messages, and their
/// own messages elsewhere.
struct MessagesFile<'a>(&'a PersonExport);

impl Serialize for MessagesFile<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        #[derive(Serialize)]
        struct Of<'a> {
            mentorship_id: &'a str,
            programme: &'a str,
            threads: &'a [store::person::ThreadExport],
        }
        let mentorships: Vec<Of> =
            self.0.mentorships.iter().map(|m| Of { mentorship_id: &m.id, programme: &m.programme, threads: &m.threads }).collect();
        let mut st = s.serialize_struct("Messages", 2)?;
        st.serialize_field("mentorships", &mentorships)?;
        st.serialize_field("elsewhere", &self.0.messages_elsewhere)?;
        st.end()
    }
}

/// A link inside the export: the path with everything but unreserved characters
/// percent-encoded, segment by segment.
fn href(path: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    path.split('/').map(|seg| percent_encoding::utf8_percent_encode(seg, SEGMENT).to_string()).collect::<Vec<_>>().join("/")
}

pub struct FileRow {
    pub href: String,
    pub name: String,
    pub label: String,
}

pub struct MessageRow {
    pub author: String,
    pub time: String,
    pub body: String,
    pub quoted: Option<String>,
    pub files: Vec<FileRow>,
}

pub struct ThreadRow {
    pub subject: String,
    pub meta: String,
    pub messages: Vec<MessageRow>,
}

pub struct MentorshipRow {
    pub heading: String,
    pub period: String,
    pub left: Option<String>,
    pub members: Vec<String>,
    pub threads: Vec<ThreadRow>,
}

#[derive(Template)]
#[template(path = "export/index.html")]
struct IndexView {
    tr: Tr,
    lang: &'static str,
    intro: String,
    files: Vec<FileRow>,
    account: Vec<(String, String)>,
    counts: Vec<String>,
    mentorships: Vec<MentorshipRow>,
    elsewhere: Vec<MessageRow>,
    footer: String,
}

fn message_row(tr: &Tr, m: &MessageExport) -> MessageRow {
    MessageRow {
        author: if m.by_you { tr.ts("export-message-you", "name", &m.author) } else { m.author.clone() },
        time: tr.when_full(m.written_at),
        body: m.body.clone(),
        quoted: m.quoted.clone().filter(|q| !q.trim().is_empty()),
        files: m.attachments.iter().map(|a| FileRow { href: href(&a.file), name: a.name.clone(), label: a.content_type.clone() }).collect(),
    }
}

/// The readable page of an export, in the person's language and time zone.
pub fn index_html(data: &PersonExport) -> anyhow::Result<String> {
    let locale = Locale::parse(&data.account.locale).unwrap_or_default();
    let tr = Tr::new(locale, &data.account.timezone);
    let generated = tr.when_full(data.generated_at);
    let file = |name: &str, key: &str| FileRow { href: href(&format!("data/{name}")), name: format!("data/{name}"), label: tr.t(key) };
    let files = vec![
        file("account.json", "export-file-account"),
        file("programmes.json", "export-file-programmes"),
        file("mentorships.json", "export-file-mentorships"),
        file("messages.json", "export-file-messages"),
        file("forms.json", "export-file-forms"),
        file("mail.json", "export-file-mail"),
        file("concerns.json", "export-file-concerns"),
        file("audit.json", "export-file-audit"),
    ];
    let extra: Vec<String> = data.addresses.iter().skip(1).filter_map(|a| a["email"].as_str().map(str::to_owned)).collect();
    let account = vec![
        (tr.t("export-name"), data.account.display_name.clone()),
        (tr.t("export-email"), data.account.email.clone()),
        (tr.t("export-addresses"), if extra.is_empty() { tr.t("export-none") } else { extra.join(", ") }),
        (tr.t("export-language"), data.account.locale.clone()),
        (tr.t("export-timezone"), data.account.timezone.clone()),
        (tr.t("export-created"), tr.when_full(data.account.created_at)),
    ];
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let attachments = data
        .mentorships
        .iter()
        .flat_map(|m| &m.threads)
        .flat_map(|t| &t.messages)
        .chain(&data.messages_elsewhere)
        .map(|m| m.attachments.len())
        .sum();
    let forms = data.forms.reflections.len() + data.forms.reviews.len() + data.forms.closing_forms.len() + data.forms.follow_ups.len();
    let counts = vec![
        tr.tn("export-count-messages", "count", count(data.message_count())),
        tr.tn("export-count-attachments", "count", count(attachments)),
        tr.tn("export-count-forms", "count", count(forms)),
    ];
    let mentorships = data
        .mentorships
        .iter()
        .map(|m| {
            let role = tr.t(&format!("ms-role-{}", m.your_role));
            MentorshipRow {
                heading: tr
                    .args("export-mentorship-heading", &[("programme", m.programme.as_str().into()), ("role", role.as_str().into())]),
                period: tr.ts("export-mentorship-period", "date", &tr.when_full(m.joined_at)),
                left: m.left_at.map(|at| tr.ts("export-mentorship-left", "date", &tr.when_full(at))),
                members: m
                    .members
                    .iter()
                    .map(|p| {
                        let role = p["role"].as_str().map(|r| tr.t(&format!("ms-role-{r}"))).unwrap_or_default();
                        format!("{} ({role})", p["name"].as_str().unwrap_or_default())
                    })
                    .collect(),
                threads: m
                    .threads
                    .iter()
                    .map(|t| ThreadRow {
                        subject: t.subject.clone(),
                        meta: tr.args(
                            "export-thread-meta",
                            &[
                                ("name", t.started_by.as_str().into()),
                                ("time", tr.when_full(t.started_at).as_str().into()),
                                ("count", count(t.messages.len()).into()),
                            ],
                        ),
                        messages: t.messages.iter().map(|msg| message_row(&tr, msg)).collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    let view = IndexView {
        lang: tr.lang(),
        intro: tr.args("export-intro", &[("name", data.account.display_name.as_str().into()), ("time", generated.as_str().into())]),
        files,
        account,
        counts,
        mentorships,
        elsewhere: data.messages_elsewhere.iter().map(|m| message_row(&tr, m)).collect(),
        footer: tr.ts("export-footer", "time", &generated),
        tr,
    };
    Ok(view.render()?)
}

/// Whether `user`'s export is small enough to hand over in the request.
pub async fn fits_inline(state: &AppState, user: UserId) -> ApiResult<bool> {
    let estimate = store::person::estimate(&state.db, user).await?;
    Ok(u64::try_from(estimate).unwrap_or(u64::MAX) <= state.config.export_inline_max_bytes)
}

/// The name a downloaded export is saved under.
fn download_name(now: DateTime<Utc>) -> String {
    format!("mentorpost-export-{}.zip", now.format("%Y-%m-%d"))
}

fn zip_response(bytes: Body, name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// The export of `user` as the answer to `requested_by`'s request: the zip at once
/// when it is small, else queued for the background (202).
pub async fn answer(state: &AppState, user: UserId, requested_by: UserId) -> ApiResult<Response> {
    let now = state.clock.now();
    if fits_inline(state, user).await? {
        let (bytes, summary) = package(&state.db, user, now, std::io::Cursor::new(Vec::new())).await?.ok_or(ApiError::NotFound)?;
        tracing::info!(messages = summary.messages, attachments = summary.attachments, bytes = summary.bytes, "export handed over");
        return Ok(zip_response(Body::from(bytes.into_inner()), &download_name(now)));
    }
    start_in_background(state.clone(), user, requested_by);
    Ok((StatusCode::ACCEPTED, Json(ExportQueued { status: "queued".to_owned(), link_days: LINK_DAYS })).into_response())
}

/// Builds the export in a task of its own and mails the link when the file is ready.
/// A build cut short (the server stopped) leaves a partial file that the purge removes;
/// the person can ask again.
pub fn start_in_background(state: AppState, user: UserId, requested_by: UserId) {
    tokio::spawn(async move {
        if let Err(err) = build_and_mail(&state, user, requested_by).await {
            tracing::warn!(error = format!("{err:#}"), %user, "building an export failed");
        }
    });
}

/// Where export files live.
pub fn exports_dir(state: &AppState) -> PathBuf {
    state.config.data_dir.join("exports")
}

/// Builds `user`'s export into a file, records it and queues the mail with its link.
pub async fn build_and_mail(state: &AppState, user: UserId, requested_by: UserId) -> anyhow::Result<()> {
    let now = state.clock.now();
    let dir = exports_dir(state);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let id = uuid::Uuid::now_v7().simple().to_string();
    let part = dir.join(format!("{id}.zip.part"));
    let file = std::fs::File::create(&part).with_context(|| format!("creating {}", part.display()))?;
    let Some((file, summary)) = package(&state.db, user, now, std::io::BufWriter::new(file)).await? else {
        let _ = std::fs::remove_file(&part);
        return Ok(());
    };
    let file = file.into_inner().context("flushing the export file")?;
    file.sync_all().context("syncing the export file")?;
    drop(file);
    std::fs::rename(&part, dir.join(format!("{id}.zip"))).context("naming the export file")?;

    let person = store::users::get(state.db.pool(), user).await?.context("the person is gone")?;
    let token = mentorpost_auth::opaque::generate_token();
    let expires_at = now + Duration::days(LINK_DAYS);
    let link = format!("{}/api/v1/exports/{token}", state.mailer.public_url);
    let rendered = state.mailer.render_export(
        &person.display_name,
        &person.email,
        person.locale,
        &person.timezone,
        &link,
        expires_at,
        requested_by != user,
    )?;
    let export = store::exports::NewExport {
        id: id.clone(),
        user,
        requested_by,
        token_hash: mentorpost_auth::opaque::hash_token(&token),
        size_bytes: i64::try_from(summary.bytes).unwrap_or(i64::MAX),
        expires_at,
    };
    let mail = RenderedMail { id: format!("export.{id}"), kind: "export", user: Some(user), to_address: None, rendered };
    store::exports::record(&state.db, export, mail, now).await?;
    tracing::info!(export = %id, messages = summary.messages, attachments = summary.attachments, bytes = summary.bytes, "export ready, link mailed");
    Ok(())
}

/// Deletes the files of expired exports (their links then answer 410), and files no
/// record names that are older than a day (a build cut short). Returns how many
/// expired exports were removed.
pub async fn purge(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let dir = exports_dir(state);
    let expired = store::exports::expired(state.db.pool(), now).await?;
    for id in &expired {
        remove_file(&dir.join(format!("{id}.zip")))?;
        store::exports::mark_removed(&state.db, id.clone(), now).await?;
    }
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let known = store::exports::known_ids(state.db.pool()).await?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let id = name.trim_end_matches(".part").trim_end_matches(".zip");
            let old =
                entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age.as_secs() > 86_400);
            if old && !known.contains(id) {
                remove_file(&path)?;
            }
        }
    }
    Ok(expired.len())
}

fn remove_file(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err).with_context(|| format!("deleting {}", path.display())),
    }
}

/// Deletes expired export files every hour (and when the test clock moves).
pub async fn run_purge(state: AppState) {
    let mut tick = tokio::time::interval(PURGE_EVERY);
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = tick.tick() => {}
            _ = state.clock_moved.notified() => {}
        }
        match purge(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "expired exports deleted"),
            Err(err) => tracing::warn!(error = format!("{err:#}"), "deleting expired exports failed"),
        }
    }
}

/// Download everything the service holds about you, as a zip (JSON files, the
/// attachments, and `index.html` to read it offline). A large export is built in the
/// background instead (202): a link to it is mailed to your address and works for
/// 7 days.
#[utoipa::path(post, path = "/api/v1/me/export", tag = "people", security(("bearer" = [])),
    responses((status = 200, description = "the export: a zip of JSON files, attachments and index.html", content_type = "application/zip"),
        (status = 202, body = ExportQueued), (status = 401, body = ErrorBody)))]
pub async fn export_me(State(state): State<AppState>, user: AuthUser) -> ApiResult<Response> {
    answer(&state, user.user_id, user.user_id).await
}

/// An admin downloads a person's export on their behalf (their right of access, asked
/// through the administrator). Anyone else: 404; a coordinator of the person's
/// programme: 403 (coordinators never read content).
#[utoipa::path(post, path = "/api/v1/users/{id}/export", tag = "people", security(("bearer" = [])), params(("id" = UserId, Path)),
    responses((status = 200, description = "the export: a zip of JSON files, attachments and index.html", content_type = "application/zip"),
        (status = 202, body = ExportQueued), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export_user(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<UserId>) -> ApiResult<Response> {
    let actor = super::users::actor(&state, &user).await?;
    if id != user.user_id && !super::users::instance_allows(&actor, Action::ManageAllUsers) {
        if super::users::coordinates_person(&state, user.user_id, id).await? {
            return Err(ApiError::forbidden("only the person and admins export a person's data"));
        }
        return Err(ApiError::NotFound);
    }
    if store::users::get(state.db.pool(), id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    // An export on someone's behalf is recorded (the person sees it in their next one).
    if id != user.user_id {
        tracing::info!(admin = %user.user_id, person = %id, "export on a person's behalf");
        let what = super::audit::Concerning::person(id);
        super::audit::record(&state, user.user_id, &user.client, mentorpost_model::audit::AuditAction::PersonExport, what).await?;
    }
    answer(&state, id, user.user_id).await
}

/// Download an export from the mailed link. The link's token is the authority (like a
/// sign-in link); it works for 7 days, then answers 410 and the file is gone.
#[utoipa::path(get, path = "/api/v1/exports/{token}", tag = "people", params(("token" = String, Path)),
    responses((status = 200, description = "the export: a zip of JSON files, attachments and index.html", content_type = "application/zip"),
        (status = 404, body = ErrorBody), (status = 410, body = ErrorBody, description = "the link expired and the file was deleted")))]
pub async fn download(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> ApiResult<Response> {
    if !mentorpost_auth::opaque::looks_like_token(&token) {
        return Err(ApiError::NotFound);
    }
    let export =
        store::exports::by_token(state.db.pool(), &mentorpost_auth::opaque::hash_token(&token)).await?.ok_or(ApiError::NotFound)?;
    let now = state.clock.now();
    if export.removed_at.is_some() || export.expires_at <= now {
        return Err(ApiError::gone("export_expired", "this export's link has expired and its file was deleted; ask for a new export"));
    }
    let path = exports_dir(&state).join(format!("{}.zip", export.id));
    let file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::gone("export_expired", "this export's file is no longer there; ask for a new export"));
        }
        Err(err) => return Err(ApiError::Internal(anyhow::Error::new(err).context("opening an export file"))),
    };
    tracing::info!(export = %export.id, person = %export.user, "export downloaded");
    Ok(zip_response(Body::from_stream(tokio_util::io::ReaderStream::new(file)), &download_name(now)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_inside_the_export_are_percent_encoded_per_segment() {
        assert_eq!(href("data/account.json"), "data/account.json");
        assert_eq!(href("attachments/01ab-notes on #2?.pdf"), "attachments/01ab-notes%20on%20%232%3F.pdf");
        assert_eq!(href("attachments/x-Łódź.txt"), "attachments/x-%C5%81%C3%B3d%C5%BA.txt");
    }
}
