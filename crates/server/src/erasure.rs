//! Erasing a person (the right to be forgotten): [`start`] closes the account at once
//! (`store::erasure::begin`); [`complete`] then works through the batches, deletes
//! their export files and marks it done. The web and the API complete in the
//! background ([`spawn`]); the command line in the foreground. At start the server
//! resumes any erasure a crash interrupted ([`resume_unfinished`]).

use crate::i18n::Tr;
use crate::state::AppState;
use crate::store;
use crate::store::erasure::{Begun, Erasure};
use anyhow::Context;
use mentorpost_model::{Locale, UserId};

/// The name an erased account keeps, in the person's language.
pub fn anonymous_name(locale: Locale) -> String {
    Tr::new(locale, "UTC").t("erased-person-name")
}

/// Starts erasing `user` (see `store::erasure::begin`).
pub async fn start(
    state: &AppState,
    user: UserId,
    requested_by: Option<UserId>,
    reason: Option<String>,
) -> Result<Begun, crate::db::StoreError> {
    let begun = store::erasure::begin(&state.db, user, requested_by, reason, anonymous_name, state.clock.now()).await?;
    if let Begun::Started(e) = &begun {
        metrics::counter!("mentorpost_erasures_total", "stage" => "started").increment(1);
        tracing::info!(erasure = %e.id, person = %user, by = ?requested_by.map(|u| u.to_string()), "erasure started");
    }
    Ok(begun)
}

/// Runs `erasure`'s batches, deletes its export files and marks it done; returns the
/// rows changed. Safe to run again, and after a crash.
pub async fn complete(state: &AppState, erasure: &Erasure, after_batch: &(dyn Fn(u64) + Sync)) -> anyhow::Result<u64> {
    let started = std::time::Instant::now();
    let changed = store::erasure::run(&state.db, erasure, state.clock.now(), after_batch).await.context("erasing in batches")?;
    crate::http::exports::purge(state).await.context("deleting export files")?;
    if store::erasure::finish(&state.db, erasure, state.clock.now()).await.context("finishing the erasure")? {
        metrics::counter!("mentorpost_erasures_total", "stage" => "finished").increment(1);
    }
    tracing::info!(erasure = %erasure.id, person = %erasure.user, rows = changed, ms = started.elapsed().as_millis() as u64, "erasure finished");
    Ok(changed)
}

/// Completes `erasure` in the background; a failure is logged, and the next start
/// resumes it.
pub fn spawn(state: &AppState, erasure: Erasure) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(err) = complete(&state, &erasure, &|_| {}).await {
            tracing::error!(erasure = %erasure.id, error = format!("{err:#}"), "erasure failed; it resumes at the next start");
        }
    });
}

/// Completes every erasure a crash left unfinished.
pub async fn resume_unfinished(state: &AppState) -> anyhow::Result<usize> {
    let open = store::erasure::unfinished(state.db.pool()).await.context("looking for unfinished erasures")?;
    for erasure in &open {
        tracing::info!(erasure = %erasure.id, person = %erasure.user, "resuming an unfinished erasure");
        complete(state, erasure, &|_| {}).await?;
    }
    Ok(open.len())
}
