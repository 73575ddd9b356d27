//! Netiquette hints while writing (G3, G9, G10, G13). The page sends the draft as the
//! person types (debounced) and shows the hints as dismissible notes; nothing here
//! stores the draft or stands in the way of sending it.

use super::{ApiJson, AuthUser, guard};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use mentorpost_auth::permission::Action;
use mentorpost_model::api::{ErrorBody, HintsRequest, HintsResponse};
use mentorpost_model::hints::{self, Balance, Draft, ReplyContext};
use mentorpost_model::{MessageBody, Subject, ThreadId, UserId, ValidationError};

/// Hints for a draft: a subject that says little, capitals, a long text without
/// paragraphs, personal data; with `thread_id`, an answer later than the agreed
/// response time that does not mention the wait; with `thread_id` or
/// `mentorship_id`, a writer whose side wrote nearly everything lately. Codes and
/// positions only; the page holds the texts.
#[utoipa::path(post, path = "/api/v1/hints", tag = "threads", security(("bearer" = [])), request_body = HintsRequest,
    responses((status = 200, body = HintsResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "The thread does not exist or the caller may not read it."), (status = 422, body = ErrorBody)))]
pub async fn draft_hints(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<HintsRequest>,
) -> ApiResult<Json<HintsResponse>> {
    Ok(Json(hints_for(&state, user.user_id, &req).await?))
}

/// The hints for `user_id`'s draft, however they signed in: the bearer route above,
/// and any page route with a session of its own.
pub async fn hints_for(state: &AppState, user_id: UserId, req: &HintsRequest) -> ApiResult<HintsResponse> {
    check_limits(req)?;
    let access = match (req.thread_id, req.mentorship_id) {
        (Some(thread), _) => {
            let (access, created_at) =
                store::mentorships::access_by_thread(state.db.pool(), thread, user_id).await?.ok_or(ApiError::NotFound)?;
            guard(&access, Action::ReadContent)?;
            if !access.sees_thread(created_at) {
                return Err(ApiError::NotFound);
            }
            Some((access, Some(thread)))
        }
        (None, Some(mentorship)) => {
            let access = store::mentorships::access(state.db.pool(), mentorship, user_id).await?.ok_or(ApiError::NotFound)?;
            guard(&access, Action::WriteContent)?;
            Some((access, None))
        }
        (None, None) => None,
    };
    let (reply, balance) = match &access {
        Some((access, thread)) => {
            let reply = match thread {
                Some(thread) => reply_context(state, user_id, *thread, access.visible_until()).await?,
                None => None,
            };
            (reply, balance(state, access).await?)
        }
        None => (None, None),
    };
    let draft = Draft { subject: req.subject.as_deref(), body: &req.body, reply, balance };
    Ok(HintsResponse { hints: hints::check(&draft) })
}

/// Who wrote in the mentorship over the last weeks, by the caller's side and the
/// other (G10); `None` for someone without a role in it (they write as nobody's side).
async fn balance(state: &AppState, access: &store::mentorships::Access) -> ApiResult<Option<Balance>> {
    let Some(role) = access.role else { return Ok(None) };
    let since = state.clock.now() - chrono::Duration::days(hints::BALANCE_DAYS);
    let (mine, others) = store::threads::messages_by_side(state.db.pool(), access.mentorship_id, role, since).await?;
    Ok(Some(Balance { mine, others }))
}

/// A message's limits (subject as [`Subject`], body as [`MessageBody`]), except that
/// a draft may still be empty: an empty subject is what `subject_missing` is for.
fn check_limits(req: &HintsRequest) -> Result<(), ValidationError> {
    if let Some(subject) = req.subject.as_deref()
        && !subject.trim().is_empty()
    {
        Subject::parse(subject)?;
    }
    if req.body.len() > MessageBody::MAX_BYTES {
        return Err(ValidationError::new("body", "body_too_long", format!("a message has at most {} bytes", MessageBody::MAX_BYTES)));
    }
    if !req.body.trim().is_empty() {
        MessageBody::parse(&req.body)?;
    }
    Ok(())
}

/// How long the message the caller would answer has waited, against the agreed
/// response time (the caller may read the thread up to `visible_until`).
async fn reply_context(
    state: &AppState,
    user_id: UserId,
    thread: ThreadId,
    visible_until: Option<chrono::DateTime<chrono::Utc>>,
) -> ApiResult<Option<ReplyContext>> {
    let awaiting = store::threads::awaiting_reply(state.db.pool(), thread, user_id, visible_until).await?;
    Ok(awaiting.map(|a| ReplyContext {
        waited: state.clock.now() - a.written_at,
        response_time: chrono::Duration::hours(a.response_within_hours),
    }))
}

#[cfg(test)]
mod tests {
    use mentorpost_model::hints::HintCode;

    /// The message ids a Fluent file defines: `id = …` at the start of a line.
    fn ids(ftl: &str) -> Vec<&str> {
        ftl.lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim()))
            .collect()
    }

    #[test]
    fn every_hint_has_a_title_and_a_why_in_english_and_dutch() {
        let files = [("en", include_str!("../../i18n/en/hints.ftl")), ("nl", include_str!("../../i18n/nl/hints.ftl"))];
        for (lang, ftl) in files {
            let defined = ids(ftl);
            for code in HintCode::ALL {
                for part in ["title", "why"] {
                    let id = format!("hint-{}-{part}", code.message_id());
                    assert!(defined.contains(&id.as_str()), "{lang}/hints.ftl lacks {id}");
                }
            }
            // Nothing else, and no isolation marks (the loader adds none either).
            assert_eq!(defined.len(), HintCode::ALL.len() * 2, "{lang}/hints.ftl: {defined:?}");
            assert!(!ftl.contains(['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']), "{lang}/hints.ftl holds isolation marks");
            for line in ftl.lines().filter(|l| l.starts_with("hint-")) {
                let value = line.split_once('=').map(|(_, v)| v.trim()).unwrap_or_default();
                assert!(!value.is_empty(), "{lang}: {line}");
            }
        }
    }
}
