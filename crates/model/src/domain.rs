//! Small closed vocabularies of the domain. Each has a stable text form used both in
//! JSON and in the database, so the two never disagree.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! text_enum {
    // `$text` is a `tt`, not a `literal`: a `literal` fragment reaches derive macros
    // wrapped in an invisible group, which utoipa skips, so the OpenAPI document fell
    // back to the Rust variant names while serde used the text form.
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// A member's role in one mentorship. Independent of age or rank (G14): in reverse
    /// mentoring the younger person is the mentor.
    Role { Mentor => "mentor", Mentee => "mentee" }
);

text_enum!(
    /// Lifecycle of a mentorship.
    MentorshipStatus { Proposed => "proposed", Active => "active", Closed => "closed" }
);

text_enum!(
    /// Language of mails and pages for one person.
    Locale { En => "en", Nl => "nl" }
);

text_enum!(
    /// What an erased person's messages become in a programme's mentorships: their
    /// text removed, a tombstone in its place (the default), or kept under the
    /// anonymous name ("Former participant").
    ErasurePolicy { Tombstone => "tombstone", Anonymise => "anonymise" }
);

text_enum!(
    /// How a logged meeting took place.
    MeetingMode { Video => "video", Phone => "phone", InPerson => "in_person" }
);

text_enum!(
    /// Where a message came from.
    MessageSource { Web => "web", Email => "email", System => "system" }
);

text_enum!(
    /// What an event in a mentorship's ordered log records. Events reference rows;
    /// the payload a client sees is built from the current rows.
    EventKind {
        ThreadCreated => "thread.created",
        MessageCreated => "message.created",
        MessageEdited => "message.edited",
        MessageDeleted => "message.deleted",
        ReadUpdated => "read.updated",
        MentorshipUpdated => "mentorship.updated",
        AgreementUpdated => "agreement.updated",
        MemberAdded => "member.added",
        MemberRemoved => "member.removed",
        MemberErased => "member.erased",
        MeetingLogged => "meeting.logged",
        ActionUpdated => "action.updated",
        ClosingUpdated => "closing.updated",
        ReviewUpdated => "review.updated",
    }
);

text_enum!(
    /// What a prompt invites to: a reflection form after a session (F6, F7), a review
    /// (F8), the closing step as the end date nears (`closure`), its form (`closing`),
    /// the follow-up after closing (F10), an action falling due tomorrow (F5), and for
    /// an e-mail-only member without one, their profile after pairing (G5).
    PromptKind {
        Reflection => "reflection",
        Review => "review",
        Closure => "closure",
        Closing => "closing",
        FollowUp => "follow_up",
        Action => "action",
        Profile => "profile",
    }
);

// The enum comes from `text_enum!`, which cannot carry a `#[default]` attribute.
#[allow(clippy::derivable_impls)]
impl Default for Locale {
    fn default() -> Self {
        Locale::En
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
        }
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
        }
        assert_eq!(Role::parse("boss"), None);
    }

    #[test]
    fn openapi_schema_uses_the_text_form() {
        fn values<T: utoipa::PartialSchema>() -> Vec<String> {
            let json = serde_json::to_value(T::schema()).unwrap_or_default();
            json["enum"].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
        }
        fn texts<T: Copy + std::fmt::Display>(all: &[T]) -> Vec<String> {
            all.iter().map(|v| v.to_string()).collect()
        }
        assert_eq!(values::<Role>(), texts(Role::ALL));
        assert_eq!(values::<MentorshipStatus>(), texts(MentorshipStatus::ALL));
        assert_eq!(values::<Locale>(), texts(Locale::ALL));
        assert_eq!(values::<MeetingMode>(), texts(MeetingMode::ALL));
        assert_eq!(values::<MessageSource>(), texts(MessageSource::ALL));
        assert_eq!(values::<EventKind>(), texts(EventKind::ALL));
    }

    #[test]
    fn json_uses_the_text_form() {
        assert_eq!(serde_json::to_string(&Role::Mentee).ok().as_deref(), Some("\"mentee\""));
        assert_eq!(serde_json::to_string(&MentorshipStatus::Active).ok().as_deref(), Some("\"active\""));
    }
}
