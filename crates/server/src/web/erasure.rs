//! Erasing one's own account from the settings page: a confirmation page that says
//! exactly what goes and what stays (per programme, as its policy says), the password
//! and a tick to confirm, then the sign-in page saying it is under way. The rules are
//! `http::erasure`'s, shared with the API.

use super::i18n::Tr;
use super::session::{Member, Signed};
use super::signin::{Errors, FieldError};
use super::{PageError, Ui, render, see_other};
use crate::http::erasure::SelfRefusal;
use crate::state::AppState;
use crate::store;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use mentorpost_model::ErasurePolicy;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/erase", get(page).post(erase))
}

#[derive(Template)]
#[template(path = "web/erase.html")]
struct ErasePage {
    ui: Ui,
    /// One line per programme: what becomes of the messages there.
    programmes: Vec<String>,
    has_password: bool,
    errors: Errors,
}

async fn show(state: &AppState, member: &Member, errors: Vec<FieldError>) -> Result<Response, PageError> {
    let tr: &Tr = &member.tr;
    let person = store::users::get(state.db.pool(), member.id()).await?.ok_or(PageError::NotFound)?;
    let programmes = store::erasure::policies_of(state.db.pool(), member.id())
        .await?
        .into_iter()
        .map(|(name, policy)| {
            let key = match policy {
                ErasurePolicy::Tombstone => "erase-goes-messages-tombstone",
                ErasurePolicy::Anonymise => "erase-goes-messages-anonymise",
            };
            tr.ts(key, "programme", &name)
        })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = ErasePage { ui: Ui::for_member(member), programmes, has_password: person.has_password, errors: Errors(errors) };
    Ok((status, render(&page)?).into_response())
}

/// `GET /settings/erase`: what erasing the account does, and the form to confirm.
pub async fn page(State(state): State<AppState>, member: Member) -> Result<Response, PageError> {
    show(&state, &member, Vec::new()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /settings/erase`: erases the account and signs this browser out.
pub async fn erase(State(state): State<AppState>, signed: Signed<EraseForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let tr = &member.tr;
    if form.confirm != "yes" {
        return show(&state, &member, vec![FieldError { field: "confirm", message: tr.t("erase-error-confirm") }]).await;
    }
    let password = Some(form.password).filter(|p| !p.is_empty());
    match crate::http::erasure::erase_self(&state, member.id(), &member.client, password).await? {
        Ok(()) => {
            let mut response = see_other("/signin?done=erased");
            if let Ok(cookie) = super::session::sign_out_cookie(&state).parse() {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
        Err(SelfRefusal::WrongPassword) => {
            show(&state, &member, vec![FieldError { field: "password", message: tr.t("erase-error-password") }]).await
        }
    }
}
