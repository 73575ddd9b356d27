//! Sharing a concern with the programme's coordinators (F4), and the privacy notice
//! with its consent records (GDPR). A share is the only path by which content reaches
//! a coordinator: the member picks one message, one thread or writes a note, the
//! snapshot of exactly that is stored, the other members are told that something was
//! shared (what, only if the sharer allows it), and the programme's coordinators —
//! not admins who do not coordinate it — read it. The web pages call the same
//! functions.

use super::users::{actor, programme_guard};
use super::{ApiJson, ApiPath, AuthUser, guard, mentorship_access};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use crate::store::concerns::{Item, NewConcern};
use crate::store::mail::RenderedMail;
use crate::store::mentorships::Access;
use crate::store::notices::{Current, NotRecorded};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mentorpost_auth::permission::{Action, Actor};
use mentorpost_model::api::ErrorBody;
use mentorpost_model::audit::AuditAction;
use mentorpost_model::concern::{
    AcceptNoticeRequest, ConcernKind, ConcernNotice, ConcernStatus, ConcernStatusRequest, ConcernView, ConsentView, NoticeView,
    PublishNoticeRequest, ShareConcernRequest, Snapshot,
};
use mentorpost_model::{Locale, MentorshipId, ProgrammeId};

/// The item a valid request names.
pub fn item_of(req: &ShareConcernRequest) -> Item {
    match (req.kind, req.message_id, req.thread_id) {
        (ConcernKind::Message, Some(m), _) => Item::Message(m),
        (ConcernKind::Thread, _, Some(t)) => Item::Thread(t),
        _ => Item::Note,
    }
}

/// What sharing `item` would show the coordinator, for the confirmation page; the same
/// refusals as sharing it (not a current member of the open mentorship: 403/404; an item
/// outside the mentorship or the member's window: 404).
pub async fn preview(state: &AppState, access: &Access, item: &Item) -> ApiResult<Snapshot> {
    guard(access, Action::WriteContent)?;
    Ok(store::concerns::snapshot(state.db.pool(), access, item).await?)
}

/// Shares what `req` names, for the API and the web page alike.
pub async fn share(state: &AppState, access: &Access, client: &super::audit::Client, req: ShareConcernRequest) -> ApiResult<ConcernView> {
    let note = req.validate()?;
    let item = item_of(&req);
    let snapshot = preview(state, access, &item).await?;
    let now = state.clock.now();
    let pool = state.db.pool();
    let programme = store::programmes::get(pool, access.programme_id).await?.map(|p| p.name).unwrap_or_default();
    let link = format!("{}/mentorships/{}", state.mailer.public_url, access.mentorship_id);
    let mut mails = Vec::new();
    for (user, name, email, locale) in store::concerns::others_to_tell(pool, access.mentorship_id, access.actor.user_id).await? {
        let rendered = state.mailer.render_concern_notice(&crate::mail::ConcernMail {
            to_name: &name,
            to_email: &email,
            locale: Locale::parse(&locale).unwrap_or_default(),
            sharer: &access.actor_name,
            kind: item.kind(),
            programme: &programme,
            shown: req.others_may_see.then_some((&snapshot, note.as_str())),
            link: &link,
        })?;
        mails.push(RenderedMail { id: uuid::Uuid::now_v7().to_string(), kind: "concern", user: Some(user), to_address: None, rendered });
    }
    let view = store::concerns::share(
        &state.db,
        NewConcern { mentorship: access.mentorship_id, by: access.actor.user_id, item, snapshot, note, others_may_see: req.others_may_see },
        mails,
        now,
    )
    .await?;
    audit_concern_shared(state, client, &view).await?;
    Ok(view)
}

/// The one place a share is recorded: the audit log (who shared, which mentorship and
/// programme, when, from where; never the content) and the log.
async fn audit_concern_shared(state: &AppState, client: &super::audit::Client, view: &ConcernView) -> ApiResult<()> {
    tracing::info!(concern = %view.id, mentorship = %view.mentorship_id, programme = %view.programme_id,
        by = %view.shared_by, kind = view.kind.as_str(), "concern shared with the coordinators");
    let what = super::audit::Concerning::mentorship(view.programme_id, view.mentorship_id);
    super::audit::record(state, view.shared_by, client, AuditAction::ConcernShared, what).await
}

/// Share one message, one thread or a note with the programme's coordinators (current
/// members of an open mentorship). What is shared is copied now; the other members
/// are told that something was shared, and what only with `others_may_see`.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/concerns", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    request_body = ShareConcernRequest,
    responses((status = 201, body = ConcernView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn share_concern(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
    ApiJson(req): ApiJson<ShareConcernRequest>,
) -> ApiResult<(StatusCode, Json<ConcernView>)> {
    let access = mentorship_access(&state, &user, id).await?;
    Ok((StatusCode::CREATED, Json(share(&state, &access, &user.client, req).await?)))
}

/// What was shared in this mentorship, as its members see it: who shared and when;
/// what, for the sharer and when they allowed the others to see it. Coordinators 403.
#[utoipa::path(get, path = "/api/v1/mentorships/{id}/concerns", tag = "mentorships", security(("bearer" = [])), params(("id" = MentorshipId, Path)),
    responses((status = 200, body = [ConcernNotice]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn mentorship_concerns(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<MentorshipId>,
) -> ApiResult<Json<Vec<ConcernNotice>>> {
    let access = mentorship_access(&state, &user, id).await?;
    guard(&access, Action::ReadContent)?;
    Ok(Json(store::concerns::of_mentorship(state.db.pool(), &access).await?))
}

/// Only the programme's own coordinators read what was shared with them: an admin who
/// does not coordinate it gets 403, anyone else the 404 of a programme they cannot see.
pub async fn coordinator_guard(state: &AppState, actor: &Actor, programme: ProgrammeId) -> ApiResult<()> {
    programme_guard(state, actor, programme, Action::ListProgrammeMentorships).await?;
    if store::programmes::is_coordinator(state.db.pool(), programme, actor.user_id).await? {
        Ok(())
    } else {
        Err(ApiError::forbidden("only the programme's coordinators read what members share with them"))
    }
}

/// Everything members of the programme shared with its coordinators, newest first —
/// only the shared items, each with who shared it and when.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/concerns", tag = "programmes", security(("bearer" = [])), params(("id" = ProgrammeId, Path)),
    responses((status = 200, body = [ConcernView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn programme_concerns(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<ProgrammeId>,
) -> ApiResult<Json<Vec<ConcernView>>> {
    coordinator_guard(&state, &actor(&state, &user).await?, id).await?;
    super::audit::record(&state, user.user_id, &user.client, AuditAction::ConcernRead, super::audit::Concerning::programme(id)).await?;
    Ok(Json(store::concerns::of_programme(state.db.pool(), id).await?))
}

/// Marks a shared concern `acknowledged` or `resolved` (the programme's coordinators);
/// repeating changes nothing, `new` is 422.
pub async fn set_status(state: &AppState, actor: &Actor, id: &str, status: ConcernStatus) -> ApiResult<ConcernView> {
    let Some(concern) = store::concerns::get(state.db.pool(), id).await? else { return Err(ApiError::NotFound) };
    coordinator_guard(state, actor, concern.programme_id).await?;
    store::concerns::set_status(&state.db, id.to_owned(), status, actor.user_id, state.clock.now()).await?;
    store::concerns::get(state.db.pool(), id).await?.ok_or(ApiError::NotFound)
}

#[utoipa::path(put, path = "/api/v1/concerns/{id}/status", tag = "programmes", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = ConcernStatusRequest,
    responses((status = 200, body = ConcernView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn concern_status(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ConcernStatusRequest>,
) -> ApiResult<Json<ConcernView>> {
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(ApiError::NotFound);
    }
    Ok(Json(set_status(&state, &actor(&state, &user).await?, &id, req.status).await?))
}

/// Your consent records: which version of which programme's privacy notice you
/// accepted, when and how (oldest first).
#[utoipa::path(get, path = "/api/v1/me/consents", tag = "people", security(("bearer" = [])),
    responses((status = 200, body = [ConsentView]), (status = 401, body = ErrorBody)))]
pub async fn my_consents(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Vec<ConsentView>>> {
    let records = store::notices::consents_of(state.db.pool(), user.user_id).await?;
    Ok(Json(
        records
            .into_iter()
            .map(|c| ConsentView {
                programme_id: c.programme_id,
                programme_name: c.programme_name,
                notice_version: c.notice_version,
                via: c.via,
                given_at: c.given_at,
            })
            .collect(),
    ))
}

/// The words of the built-in notice in one language (paragraphs separated by blank lines).
pub fn default_text(locale: Locale) -> String {
    let tr = crate::i18n::Tr::new(locale, "UTC");
    DEFAULT_PARAGRAPHS.iter().map(|k| tr.t(k)).collect::<Vec<_>>().join("\n\n")
}

/// The catalogue keys of the built-in notice, in order.
pub const DEFAULT_PARAGRAPHS: [&str; 7] = [
    "notice-default-who",
    "notice-default-stored",
    "notice-default-members",
    "notice-default-coordinators",
    "notice-default-sharing",
    "notice-default-keep",
    "notice-default-rights",
];

/// A notice's view for the API.
pub fn notice_view(programme: ProgrammeId, current: &Current, accepted: bool) -> NoticeView {
    match current {
        Current::Default => NoticeView {
            programme_id: programme,
            version: current.label(),
            is_default: true,
            text_en: default_text(Locale::En),
            text_nl: default_text(Locale::Nl),
            published_at: None,
            accepted,
        },
        Current::Published(p) => NoticeView {
            programme_id: programme,
            version: current.label(),
            is_default: false,
            text_en: p.text_en.clone(),
            text_nl: p.text_nl.clone(),
            published_at: Some(p.published_at),
            accepted,
        },
    }
}

/// Who may read a programme's notice: its coordinators and admins, and the people who
/// take or took part in it; anyone else 404.
async fn notice_reader(state: &AppState, actor: &Actor, programme: ProgrammeId) -> ApiResult<()> {
    if store::notices::took_part(state.db.pool(), actor.user_id, programme).await? {
        return Ok(());
    }
    match programme_guard(state, actor, programme, Action::ReadProgramme).await {
        Err(ApiError::Forbidden { .. }) => Err(ApiError::NotFound),
        other => other,
    }
}

/// The programme's current privacy notice (the built-in one when it published none),
/// and whether you accepted it.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/privacy-notice", tag = "programmes", security(("bearer" = [])), params(("id" = ProgrammeId, Path)),
    responses((status = 200, body = NoticeView), (status = 404, body = ErrorBody)))]
pub async fn get_notice(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<ProgrammeId>) -> ApiResult<Json<NoticeView>> {
    notice_reader(&state, &actor(&state, &user).await?, id).await?;
    let current = store::notices::current(state.db.pool(), id).await?;
    let label = current.label();
    let accepted =
        store::notices::consents_of(state.db.pool(), user.user_id).await?.iter().any(|c| c.programme_id == id && c.notice_version == label);
    Ok(Json(notice_view(id, &current, accepted)))
}

/// Checks a new notice's texts: both languages, not empty, within the limit.
pub fn check_texts(req: &PublishNoticeRequest) -> ApiResult<(String, String)> {
    let clean = |t: &str| t.trim().replace("\r\n", "\n");
    let (en, nl) = (clean(&req.text_en), clean(&req.text_nl));
    for (field, text) in [("text_en", &en), ("text_nl", &nl)] {
        if text.is_empty() {
            return Err(ApiError::unprocessable("required", format!("{field}: the notice needs its text in both languages")));
        }
        if text.chars().count() > store::notices::MAX_TEXT_CHARS {
            return Err(ApiError::unprocessable(
                "too_long",
                format!("{field}: a notice is at most {} characters", store::notices::MAX_TEXT_CHARS),
            ));
        }
    }
    Ok((en, nl))
}

/// Publish a new version of the programme's privacy notice (coordinators and admins).
/// Everyone taking part is asked to accept it on their next visit.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/privacy-notices", tag = "programmes", security(("bearer" = [])), params(("id" = ProgrammeId, Path)),
    request_body = PublishNoticeRequest,
    responses((status = 201, body = NoticeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_notice(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<ProgrammeId>,
    ApiJson(req): ApiJson<PublishNoticeRequest>,
) -> ApiResult<(StatusCode, Json<NoticeView>)> {
    programme_guard(&state, &actor(&state, &user).await?, id, Action::ManageProgrammeUsers).await?;
    let (en, nl) = check_texts(&req)?;
    let published = publish(&state, id, en, nl, user.user_id).await?;
    Ok((StatusCode::CREATED, Json(notice_view(id, &Current::Published(published), false))))
}

/// Publishes checked texts (the API and the web page).
pub async fn publish(
    state: &AppState,
    programme: ProgrammeId,
    en: String,
    nl: String,
    by: mentorpost_model::UserId,
) -> ApiResult<store::notices::Published> {
    let published = store::notices::publish(&state.db, programme, en, nl, by, state.clock.now()).await?;
    tracing::info!(programme = %programme, version = published.version, "privacy notice published");
    // After the commit: the version stands even when its mails cannot be made; the
    // people it misses are asked on their next visit to the web app.
    if let Err(err) = notice_mails(state, programme, &published).await {
        tracing::warn!(error = %err, programme = %programme, "privacy notice mails not queued");
    }
    Ok(published)
}

/// Mails the new version to everyone taking part by e-mail only, each with a reply
/// address where "agree" records their consent (`inbound`, `privacy+TOKEN`).
async fn notice_mails(state: &AppState, programme: ProgrammeId, published: &store::notices::Published) -> ApiResult<()> {
    let pool = state.db.pool();
    let readers = store::notices::email_only(pool, programme).await?;
    if readers.is_empty() {
        return Ok(());
    }
    let name = store::programmes::get(pool, programme).await?.map(|p| p.name).unwrap_or_default();
    let current = Current::Published(published.clone());
    let mut mails = Vec::with_capacity(readers.len());
    for r in readers {
        let locale = Locale::parse(&r.locale).unwrap_or_default();
        let tr = crate::i18n::Tr::new(locale, "UTC");
        let token = crate::mail::tokens::random();
        let version_text = tr.args(
            "notice-version",
            &[("number", published.version.into()), ("date", tr.date(published.published_at.date_naive()).as_str().into())],
        );
        let rendered = state.mailer.render_notice_update(&crate::mail::NoticeUpdateMail {
            to_name: &r.display_name,
            to_email: &r.email,
            locale,
            programme: &name,
            version_text: &version_text,
            text: published.text(locale),
            token: &token,
        })?;
        mails.push(store::notices::NoticeMail { user: r.user_id, token, rendered });
    }
    store::notices::queue_mails(&state.db, programme, current.label(), mails, state.clock.now()).await?;
    Ok(())
}

/// Accept the programme's current notice (the people taking part): 409
/// `notice_changed` when the version read is no longer the current one.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/privacy-notice/accept", tag = "programmes", security(("bearer" = [])), params(("id" = ProgrammeId, Path)),
    request_body = AcceptNoticeRequest,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept_notice(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<ProgrammeId>,
    ApiJson(req): ApiJson<AcceptNoticeRequest>,
) -> ApiResult<StatusCode> {
    match store::notices::accept(&state.db, user.user_id, id, req.version, "api", state.clock.now()).await? {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(NotRecorded::NotInProgramme) => Err(ApiError::NotFound),
        Err(NotRecorded::Changed) => {
            Err(ApiError::conflict("notice_changed", "a newer version of the notice was published; read it first"))
        }
    }
}
