//! Validated values. Each type can only hold a value that passed its rule, so code
//! past the HTTP edge never re-checks. Error messages never echo the rejected input:
//! a rejected subject may hold private words and error bodies reach logs.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a value was rejected. `code` is stable and machine-readable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self { field, code, message: message.into() }
    }
}

/// The dates a programme's records may carry: from a year before the programme was set
/// up here (people log what happened before it moved to this service) to two years
/// ahead (a planned start). A year such as 9999 or -9999 is a slip of the keyboard,
/// and it would break the date arithmetic of the health figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateWindow {
    pub earliest: chrono::NaiveDate,
    pub latest: chrono::NaiveDate,
}

impl DateWindow {
    /// Months before the programme's creation a date may lie.
    pub const MONTHS_BEFORE_PROGRAMME: u32 = 12;
    /// Months after today a date may lie.
    pub const MONTHS_AHEAD: u32 = 24;

    /// The window for a programme created on `created` (its local date), seen on `today`.
    pub fn for_programme(created: chrono::NaiveDate, today: chrono::NaiveDate) -> Self {
        let earliest = created.checked_sub_months(chrono::Months::new(Self::MONTHS_BEFORE_PROGRAMME)).unwrap_or(chrono::NaiveDate::MIN);
        let latest = today.checked_add_months(chrono::Months::new(Self::MONTHS_AHEAD)).unwrap_or(chrono::NaiveDate::MAX);
        Self { earliest, latest }
    }

    /// Rejects a date outside the window with `date_out_of_range`, naming the window.
    pub fn check(&self, field: &'static str, date: chrono::NaiveDate) -> Result<(), ValidationError> {
        if date < self.earliest || date > self.latest {
            return Err(ValidationError::new(
                field,
                "date_out_of_range",
                format!("{field} must lie between {} and {}", self.earliest, self.latest),
            ));
        }
        Ok(())
    }
}

fn has_control(s: &str, allow_line_breaks: bool) -> bool {
    s.chars().any(|c| {
        if allow_line_breaks && (c == '\n' || c == '\r' || c == '\t') {
            return false;
        }
        c.is_control() || c == '\u{2028}' || c == '\u{2029}'
    })
}

/// A thread subject: 1–200 characters after trimming, no control characters (G9).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Subject(String);

impl Subject {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ValidationError::new("subject", "subject_required", "a thread needs a subject line"));
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::new(
                "subject",
                "subject_too_long",
                format!("a subject has at most {} characters", Self::MAX_CHARS),
            ));
        }
        if has_control(trimmed, false) {
            return Err(ValidationError::new(
                "subject",
                "control_characters",
                "a subject may not contain control characters or line breaks",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A message body: UTF-8 text of 1 byte to 64 KiB. Line breaks and tabs are allowed;
/// other control characters are not (they break mail and terminals).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageBody(String);

impl MessageBody {
    pub const MAX_BYTES: usize = 64 * 1024;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        if raw.trim().is_empty() {
            return Err(ValidationError::new("body", "body_required", "a message needs some text"));
        }
        if raw.len() > Self::MAX_BYTES {
            return Err(ValidationError::new("body", "body_too_long", format!("a message has at most {} bytes", Self::MAX_BYTES)));
        }
        if has_control(raw, true) {
            return Err(ValidationError::new(
                "body",
                "control_characters",
                "a message may not contain control characters other than line breaks and tabs",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, normalised to lower case: addresses are unique
/// case-insensitively. Deliberately simple: one `@`, a dotted domain, no spaces or
/// control characters, at most 254 characters; real verification is a mail round trip.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let bad = || ValidationError::new("email", "invalid_email", "not a valid e-mail address");
        // Checked before trimming: a line break in an address is an injection attempt,
        // not stray whitespace.
        if raw.chars().any(|c| c.is_control()) {
            return Err(bad());
        }
        let s = raw.trim();
        if s.is_empty()
            || s.len() > 254
            || s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',' || c == '"')
        {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || local.len() > 64
            || local.contains('@')
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(bad());
        }
        Ok(Self(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

/// A person's display name: 1–100 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValidationError::new("display_name", "name_required", "a name is required"));
        }
        if s.chars().count() > 100 {
            return Err(ValidationError::new("display_name", "name_too_long", "a name has at most 100 characters"));
        }
        if has_control(s, false) {
            return Err(ValidationError::new("display_name", "control_characters", "a name may not contain control characters"));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name such as `Europe/Brussels`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        raw.trim()
            .parse::<chrono_tz::Tz>()
            .map(|tz| Self(tz.name().to_owned()))
            .map_err(|_| ValidationError::new("timezone", "invalid_timezone", "not an IANA time zone name (for example Europe/Amsterdam)"))
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0.parse().unwrap_or(chrono_tz::UTC)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TimeZoneName {
    fn default() -> Self {
        Self("Europe/Amsterdam".to_owned())
    }
}

/// The idempotency key a client sends with a message: 1–100 printable characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientMsgId(String);

impl ClientMsgId {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        if raw.is_empty() || raw.len() > 100 || has_control(raw, false) {
            return Err(ValidationError::new(
                "client_msg_id",
                "invalid_client_msg_id",
                "client_msg_id must be 1 to 100 printable characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_conversions {
    ($($t:ident),+) => {$(
        impl TryFrom<String> for $t {
            type Error = ValidationError;
            fn try_from(s: String) -> Result<Self, Self::Error> { Self::parse(&s) }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String { v.0 }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(&self.0) }
        }
        impl utoipa::PartialSchema for $t {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <String as utoipa::PartialSchema>::schema()
            }
        }
        impl utoipa::ToSchema for $t {}
    )+};
}
string_conversions!(Subject, MessageBody, EmailAddress, DisplayName, TimeZoneName, ClientMsgId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_rules() {
        assert_eq!(
            Subject::parse("  Łódź — vraag over mentorschap, Çağrı ").map(|s| s.0),
            Ok("Łódź — vraag over mentorschap, Çağrı".to_owned())
        );
        assert_eq!(Subject::parse("   ").map_err(|e| e.code), Err("subject_required"));
        assert!(Subject::parse(&"ż".repeat(200)).is_ok());
        assert_eq!(Subject::parse(&"ż".repeat(201)).map_err(|e| e.code), Err("subject_too_long"));
        assert_eq!(Subject::parse("a\r\nBcc: x@y.z").map_err(|e| e.code), Err("control_characters"));
        assert_eq!(Subject::parse("a\u{7}b").map_err(|e| e.code), Err("control_characters"));
    }

    #[test]
    fn rejection_never_echoes_input() {
        let err = Subject::parse(&format!("SECRET{}", "x".repeat(300))).err().map(|e| e.message).unwrap_or_default();
        assert!(!err.contains("SECRET"));
    }

    #[test]
    fn body_rules() {
        assert!(MessageBody::parse("Dzień dobry,\n\tzobaczymy się jutro?").is_ok());
        assert_eq!(MessageBody::parse("").map_err(|e| e.code), Err("body_required"));
        assert!(MessageBody::parse(&"a".repeat(MessageBody::MAX_BYTES)).is_ok());
        assert_eq!(MessageBody::parse(&"a".repeat(MessageBody::MAX_BYTES + 1)).map_err(|e| e.code), Err("body_too_long"));
        assert_eq!(MessageBody::parse("nul\0byte").map_err(|e| e.code), Err("control_characters"));
    }

    #[test]
    fn email_is_case_insensitive_and_checked() {
        assert_eq!(EmailAddress::parse(" Ayşe.Yılmaz@Example.ORG ").map(|e| e.0), Ok("ayşe.yılmaz@example.org".to_owned()));
        for bad in ["", "no-at", "a@b", "a@.com", "a b@c.de", "x@y..z", "<a@b.c>", "a@b.c\r\n"] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn timezone_must_be_iana() {
        assert_eq!(TimeZoneName::parse("Europe/Warsaw").map(|t| t.0), Ok("Europe/Warsaw".to_owned()));
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
    }
}
