//! Naming a signed-in device from its `User-Agent`, for the list of sessions on the
//! settings page and the new-sign-in mail: "Firefox on Windows". A few well-known
//! names, checked in an order that handles the usual impersonation (every Chromium
//! browser says "Safari", Edge and Opera say "Chrome"); anything else is unknown.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One of the caller's open logins (a browser, or an API client), as listed on the
/// settings page and by `GET /api/v1/me/sessions`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    /// `web` (a browser) or `api` (a client holding a refresh token).
    pub kind: String,
    pub created_at: DateTime<Utc>,
    /// Last seen (to within a few minutes for a browser; at the last token refresh for
    /// an API client).
    pub last_used_at: Option<DateTime<Utc>>,
    /// The browser and system, as named from the User-Agent ("Firefox on Windows"), or
    /// null when not recognised.
    pub device: Option<String>,
    /// The login this request was made with.
    pub current: bool,
}

/// How many logins were ended.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionsEnded {
    pub ended: u64,
}

/// A new password for the caller, with the current one.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// The browser and system a `User-Agent` names, when it names known ones.
pub fn describe(user_agent: Option<&str>) -> Option<(&'static str, Option<&'static str>)> {
    let ua = user_agent?;
    let browser = if ua.contains("Edg/") || ua.contains("EdgA/") || ua.contains("EdgiOS/") {
        "Edge"
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        "Opera"
    } else if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        "Firefox"
    } else if ua.contains("SamsungBrowser/") {
        "Samsung Internet"
    } else if ua.contains("Chrome/") || ua.contains("CriOS/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") && ua.contains("Version/") {
        "Safari"
    } else if ua.starts_with("curl/") {
        "curl"
    } else {
        return None;
    };
    let system = if ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod") {
        Some("iOS")
    } else if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("CrOS") {
        Some("ChromeOS")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        Some("macOS")
    } else if ua.contains("Linux") || ua.contains("X11") {
        Some("Linux")
    } else {
        None
    };
    Some((browser, system))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_are_named() {
        let cases = [
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", ("Firefox", Some("Windows"))),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                ("Safari", Some("macOS")),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                ("Edge", Some("Windows")),
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                ("Chrome", Some("Android")),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                ("Safari", Some("iOS")),
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                ("Chrome", Some("Linux")),
            ),
        ];
        for (ua, expected) in cases {
            assert_eq!(describe(Some(ua)), Some(expected), "{ua}");
        }
        assert_eq!(describe(Some("my-script/1.0")), None);
        assert_eq!(describe(None), None);
    }
}
