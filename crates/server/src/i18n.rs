//! Every word a person reads, on a page or in a mail, comes from the Fluent catalogues
//! in `crates/server/i18n/<lang>/*.ftl`, compiled into the binary. Unicode isolation
//! marks are off: they would land inside HTML attributes and mail text.

use chrono::{DateTime, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use mentorpost_model::Locale;
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./i18n",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static NL: LanguageIdentifier = langid!("nl");

/// The texts of one language, and dates in one time zone.
#[derive(Clone, Debug)]
pub struct Tr {
    locale: Locale,
    tz: chrono_tz::Tz,
}

impl Tr {
    pub fn new(locale: Locale, timezone: &str) -> Tr {
        Tr { locale, tz: timezone.parse().unwrap_or(chrono_tz::Europe::Amsterdam) }
    }

    pub fn with_zone(locale: Locale, tz: chrono_tz::Tz) -> Tr {
        Tr { locale, tz }
    }

    /// For someone not signed in: the first of their browser's languages we have.
    pub fn from_accept_language(header: Option<&str>) -> Tr {
        Tr::new(negotiate(header.unwrap_or_default()), "Europe/Amsterdam")
    }

    pub fn locale(&self) -> Locale {
        self.locale
    }

    pub fn lang(&self) -> &'static str {
        self.locale.as_str()
    }

    fn id(&self) -> &'static LanguageIdentifier {
        match self.locale {
            Locale::En => &EN,
            Locale::Nl => &NL,
        }
    }

    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// The text of `key` with one text argument.
    pub fn ts(&self, key: &str, name: &'static str, value: &str) -> String {
        self.with(key, [(name, FluentValue::from(value.to_owned()))])
    }

    /// The text of `key` with one number argument (plural forms choose by it).
    pub fn tn(&self, key: &str, name: &'static str, value: impl std::borrow::Borrow<i64>) -> String {
        self.with(key, [(name, FluentValue::from(*value.borrow()))])
    }

    /// The text of `key` with two number arguments.
    pub fn tnn(&self, key: &str, a: (&'static str, i64), b: (&'static str, i64)) -> String {
        self.with(key, [(a.0, FluentValue::from(a.1)), (b.0, FluentValue::from(b.1))])
    }

    /// The text of `key` with any arguments: `tr.args("k", &[("name", name.into()), ("count", 3.into())])`.
    pub fn args(&self, key: &str, args: &[(&'static str, Arg)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Arg::Text(s) => FluentValue::from(*s),
                    Arg::Number(n) => FluentValue::from(*n),
                };
                (Cow::Borrowed(*k), value)
            })
            .collect();
        LOCALES.lookup_with_args(self.id(), key, &args)
    }

    fn with<const N: usize>(&self, key: &str, args: [(&'static str, FluentValue<'static>); N]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect();
        LOCALES.lookup_with_args(self.id(), key, &args)
    }

    fn chrono_locale(&self) -> chrono::Locale {
        match self.locale {
            Locale::En => chrono::Locale::en_GB,
            Locale::Nl => chrono::Locale::nl_NL,
        }
    }

    /// A moment as the reader would say it: the time for today, "yesterday 14:05",
    /// the day and month within a year, the full date beyond.
    pub fn when(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.tz);
        let today = now.with_timezone(&self.tz).date_naive();
        let day = local.date_naive();
        let time = local.format("%H:%M").to_string();
        if day == today {
            time
        } else if today.pred_opt() == Some(day) {
            self.ts("time-yesterday", "time", &time)
        } else if (today - day).num_days() < 300 {
            local.format_localized("%-d %b", self.chrono_locale()).to_string().trim_end_matches('.').to_owned()
        } else {
            local.format_localized("%-d %b %Y", self.chrono_locale()).to_string()
        }
    }

    /// A calendar day: "6 December 2026".
    /// The calendar day `at` falls on in this time zone.
    pub fn local_day(&self, at: DateTime<Utc>) -> chrono::NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    pub fn date(&self, day: chrono::NaiveDate) -> String {
        day.format_localized("%-d %B %Y", self.chrono_locale()).to_string()
    }

    /// A moment written out in a mail: "Sunday 22 November 2026 at 14:05".
    pub fn moment(&self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.tz);
        let date = local.format_localized("%A %-d %B %Y", self.chrono_locale()).to_string();
        let time = local.format("%H:%M").to_string();
        self.args("mail-moment", &[("date", date.as_str().into()), ("time", time.as_str().into())])
    }

    /// The full moment, for a `title` or a screen reader: "Sunday 6 December 2026, 14:05".
    pub fn when_full(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz).format_localized("%A %-d %B %Y, %H:%M", self.chrono_locale()).to_string()
    }
}

/// An argument of a text: words or a number (plural forms choose by numbers).
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    Text(&'a str),
    Number(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(s)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Number(n)
    }
}

/// The best of our languages for an `Accept-Language` header (English when none fits).
pub fn negotiate(header: &str) -> Locale {
    let mut best: Option<(f32, Locale)> = None;
    for part in header.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or_default();
        let Some(locale) = Locale::parse(primary) else { continue };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, locale));
        }
    }
    best.map_or(Locale::En, |(_, l)| l)
}

/// Every key of every catalogue of a language, for the completeness test.
#[cfg(test)]
fn keys(lang: &str) -> std::collections::BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n").join(lang);
    let mut out = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("catalogue folder").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("catalogue");
        for line in text.lines() {
            // A message starts at the line's beginning: `key = …` (attributes and
            // continuation lines are indented).
            if let Some((key, _)) = line.split_once(" =")
                && !key.is_empty()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                out.insert(key.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn english_and_dutch_have_the_same_keys() {
        let (en, nl) = (keys("en"), keys("nl"));
        assert!(en.len() > 20, "the catalogues were not found");
        let only_en: Vec<_> = en.difference(&nl).collect();
        let only_nl: Vec<_> = nl.difference(&en).collect();
        assert!(only_en.is_empty() && only_nl.is_empty(), "only in English: {only_en:?}; only in Dutch: {only_nl:?}");
    }

    #[test]
    fn every_key_resolves_in_both_languages_without_isolation_marks() {
        let mut missing = Vec::new();
        for locale in [Locale::En, Locale::Nl] {
            let tr = Tr::new(locale, "Europe/Amsterdam");
            for key in keys(locale.as_str()) {
                let text = tr.with(
                    &key,
                    [
                        ("count", FluentValue::from(2)),
                        ("name", FluentValue::from("Zofia")),
                        ("time", FluentValue::from("10:00")),
                        // The mentorship page's figures (`tnn`).
                        ("met", FluentValue::from(3)),
                        ("elapsed", FluentValue::from(4)),
                        ("mentors", FluentValue::from(5)),
                        ("mentees", FluentValue::from(6)),
                        ("weeks", FluentValue::from(12)),
                        // Mail texts.
                        ("hours", FluentValue::from(24)),
                        ("role", FluentValue::from("mentor")),
                        ("days", FluentValue::from(7)),
                        ("address", FluentValue::from("a@example.org")),
                        ("subject", FluentValue::from("Łódź")),
                        ("text", FluentValue::from("tekst")),
                        ("when", FluentValue::from("zondag")),
                        ("date", FluentValue::from("2026-12-06")),
                        ("due", FluentValue::from("maandag")),
                        ("title", FluentValue::from("Overzicht")),
                        ("original", FluentValue::from("Vraag")),
                        ("link", FluentValue::from("https://example.org/x")),
                        ("url", FluentValue::from("https://example.org/y")),
                        ("names", FluentValue::from("Zofia & Henk")),
                        ("from", FluentValue::from("mailer-daemon@example.org")),
                        // Onboarding.
                        ("programme", FluentValue::from("Vrijwilligers Utrecht")),
                        ("coordinator", FluentValue::from("Anneke")),
                        ("other", FluentValue::from("Şule")),
                        ("who", FluentValue::from("Jij schrijft eerst.")),
                        ("line", FluentValue::from(4)),
                        ("bad", FluentValue::from(2)),
                        ("web", FluentValue::from(3)),
                        ("email", FluentValue::from(1)),
                        ("column", FluentValue::from("afdeling")),
                        ("version", FluentValue::from("2025-06-1")),
                        // The coordinator's pages.
                        ("active", FluentValue::from(4)),
                        ("proposed", FluentValue::from(1)),
                        ("closed", FluentValue::from(2)),
                        ("total", FluentValue::from(9)),
                        ("page", FluentValue::from(1)),
                        ("pages", FluentValue::from(3)),
                        ("max", FluentValue::from(8)),
                        ("ontrack", FluentValue::from(5)),
                        ("slowing", FluentValue::from(2)),
                        ("dormant", FluentValue::from(1)),
                        ("notstarted", FluentValue::from(1)),
                        // Sessions and their actions.
                        ("number", FluentValue::from(3)),
                        ("numbers", FluentValue::from("4, 9")),
                        ("reason", FluentValue::from("completed")),
                        // Profiles: the other members' profiles in the first-contact mail.
                        ("profiles", FluentValue::from("Wat Şule over zichzelf schreef:")),
                        // Periodic reviews: the coordinator's figures.
                        ("average", FluentValue::from("3.5")),
                        ("continue", FluentValue::from(2)),
                        ("stop", FluentValue::from(0)),
                        ("change", FluentValue::from(1)),
                        // Retention.
                        ("closed", FluentValue::from("1 maart 2025")),
                        // The audit log and security.
                        ("id", FluentValue::from("0193f0c2")),
                        ("device", FluentValue::from("Firefox op Windows")),
                        ("browser", FluentValue::from("Firefox")),
                        ("system", FluentValue::from("Windows")),
                        // Sharing a concern.
                        ("what", FluentValue::from("een bericht")),
                    ],
                );
                if text.is_empty() || text.starts_with("Unknown localization") {
                    missing.push(format!("{locale}: {key} → {text:?}"));
                }
                assert!(!text.contains(['\u{2068}', '\u{2069}']), "{locale}: {key} has isolation marks");
            }
        }
        assert!(missing.is_empty(), "texts that do not resolve:\n{}", missing.join("\n"));
    }

    #[test]
    fn languages_follow_the_browser() {
        assert_eq!(negotiate("nl-NL,nl;q=0.9,en-US;q=0.8"), Locale::Nl);
        assert_eq!(negotiate("de-DE,en;q=0.5,nl;q=0.7"), Locale::Nl);
        assert_eq!(negotiate("fr"), Locale::En);
        assert_eq!(negotiate(""), Locale::En);
        assert_eq!(negotiate("nl;q=0"), Locale::En);
    }

    #[test]
    fn moments_in_the_readers_zone_and_language() {
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 20, 0, 0).single().expect("time");
        let nl = Tr::new(Locale::Nl, "Europe/Amsterdam");
        let en = Tr::new(Locale::En, "Europe/Lisbon");
        let earlier = Utc.with_ymd_and_hms(2026, 12, 6, 9, 5, 0).single().expect("time");
        assert_eq!(nl.when(earlier, now), "10:05");
        assert_eq!(en.when(earlier, now), "09:05");
        let yesterday = Utc.with_ymd_and_hms(2026, 12, 5, 9, 5, 0).single().expect("time");
        assert_eq!(nl.when(yesterday, now), "gisteren 10:05");
        assert_eq!(en.when(yesterday, now), "yesterday 09:05");
        let march = Utc.with_ymd_and_hms(2026, 3, 2, 9, 5, 0).single().expect("time");
        assert_eq!(nl.when(march, now), "2 mrt");
        assert_eq!(en.when(march, now), "2 Mar");
        assert_eq!(nl.when_full(march), "maandag 2 maart 2026, 10:05");
        assert_eq!(nl.date(march.date_naive()), "2 maart 2026");
        assert_eq!(en.date(march.date_naive()), "2 March 2026");
        let old = Utc.with_ymd_and_hms(2025, 1, 2, 9, 5, 0).single().expect("time");
        assert_eq!(en.when(old, now), "2 Jan 2025");
    }
}
