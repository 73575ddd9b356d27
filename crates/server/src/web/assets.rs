//! The web app's own files (CSS, the one script), compiled into the binary and served
//! under names that carry a hash of their content, so browsers may keep them forever:
//! a new version has a new name.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

pub struct Asset {
    /// `/assets/app.3f9a1c2e.css`
    pub path: String,
    content_type: &'static str,
    body: &'static [u8],
}

fn asset(stem: &str, ext: &str, content_type: &'static str, body: &'static [u8]) -> Asset {
    let hash = hex::encode(&Sha256::digest(body)[..6]);
    Asset { path: format!("/assets/{stem}.{hash}.{ext}"), content_type, body }
}

pub struct Assets {
    pub css: Asset,
    pub js: Asset,
    pub icon: Asset,
}

pub static ASSETS: LazyLock<Assets> = LazyLock::new(|| Assets {
    css: asset("app", "css", "text/css; charset=utf-8", include_bytes!("../../assets/app.css")),
    js: asset("app", "js", "text/javascript; charset=utf-8", include_bytes!("../../assets/app.js")),
    icon: asset("icon", "svg", "image/svg+xml", include_bytes!("../../assets/icon.svg")),
});

/// `GET /assets/{file}`: only the current names exist.
pub async fn serve(Path(file): Path<String>) -> Response {
    let wanted = format!("/assets/{file}");
    let Some(asset) = [&ASSETS.css, &ASSETS.js, &ASSETS.icon].into_iter().find(|a| a.path == wanted) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        asset.body,
    )
        .into_response()
}

/// The stylesheet's path, for templates outside the web app (mail landing pages).
pub fn css_path() -> &'static str {
    &ASSETS.css.path
}

/// `GET /favicon.ico`: browsers ask for it whatever the page says.
pub async fn favicon() -> Response {
    axum::response::Redirect::permanent(&ASSETS.icon.path).into_response()
}
