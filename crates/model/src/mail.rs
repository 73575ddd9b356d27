//! Mail preferences and the pure time rules behind them: quiet hours and digest
//! periods in each person's own time zone, correct across DST changes (G1, G4).

use crate::validate::ValidationError;
use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a person receives a mentorship's messages by mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailMode {
    /// Web only, plus a mail for a message that stays unread for a while.
    Live,
    /// A mail for every message.
    Each,
    /// One digest a day.
    Daily,
    /// One digest a week.
    Weekly,
    /// No mail at all (security mail excepted).
    Off,
}

impl MailMode {
    pub fn as_str(self) -> &'static str {
        match self {
            MailMode::Live => "live",
            MailMode::Each => "each",
            MailMode::Daily => "daily",
            MailMode::Weekly => "weekly",
            MailMode::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<MailMode> {
        Some(match s {
            "live" => MailMode::Live,
            "each" => MailMode::Each,
            "daily" => MailMode::Daily,
            "weekly" => MailMode::Weekly,
            "off" => MailMode::Off,
            _ => return None,
        })
    }

    /// The default: people without a password take part by mail only, so they get
    /// every message; everyone else reads on the web and gets missed-message mail.
    pub fn default_for(has_password: bool) -> MailMode {
        if has_password { MailMode::Live } else { MailMode::Each }
    }
}

/// A person's general mail settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub mode: MailMode,
    /// Local hour (0–23) of the daily or weekly digest.
    pub digest_hour: u32,
    /// ISO weekday of the weekly digest: 1 = Monday … 7 = Sunday.
    pub digest_weekday: u32,
    /// Start of quiet hours, local "HH:MM"; individual mails wait until they end.
    #[serde(default)]
    pub quiet_start: Option<String>,
    /// End of quiet hours, local "HH:MM" (may be past midnight: 22:00–07:00).
    #[serde(default)]
    pub quiet_end: Option<String>,
    /// `live` mode: minutes a message may stay unread before it is mailed (1–1440).
    pub missed_delay_minutes: u32,
}

impl MailSettings {
    pub fn defaults(has_password: bool) -> MailSettings {
        MailSettings {
            mode: MailMode::default_for(has_password),
            digest_hour: 8,
            digest_weekday: 1,
            quiet_start: None,
            quiet_end: None,
            missed_delay_minutes: 10,
        }
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.digest_hour > 23 {
            return Err(ValidationError::new("digest_hour", "out_of_range", "digest_hour is 0 to 23"));
        }
        if !(1..=7).contains(&self.digest_weekday) {
            return Err(ValidationError::new("digest_weekday", "out_of_range", "digest_weekday is 1 (Monday) to 7 (Sunday)"));
        }
        if !(1..=1440).contains(&self.missed_delay_minutes) {
            return Err(ValidationError::new("missed_delay_minutes", "out_of_range", "missed_delay_minutes is 1 to 1440"));
        }
        match (&self.quiet_start, &self.quiet_end) {
            (None, None) => Ok(()),
            (Some(a), Some(b)) => {
                let (a, b) = (parse_hhmm(a), parse_hhmm(b));
                match (a, b) {
                    (Some(a), Some(b)) if a != b => Ok(()),
                    (Some(_), Some(_)) => {
                        Err(ValidationError::new("quiet_end", "empty_quiet_hours", "quiet hours must not start and end at the same time"))
                    }
                    _ => Err(ValidationError::new("quiet_start", "invalid_time", "quiet hours are local times HH:MM")),
                }
            }
            _ => Err(ValidationError::new("quiet_start", "incomplete_quiet_hours", "give both quiet_start and quiet_end, or neither")),
        }
    }

    /// Quiet hours as minutes after local midnight.
    pub fn quiet_minutes(&self) -> Option<(u32, u32)> {
        Some((parse_hhmm(self.quiet_start.as_deref()?)?, parse_hhmm(self.quiet_end.as_deref()?)?))
    }
}

/// A person's mail preferences: the general settings and per-mentorship modes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MailPreferences {
    pub settings: MailSettings,
    /// Mentorships with a mode of their own (overrides `settings.mode`, except that a
    /// general `off` silences everything).
    pub mentorships: Vec<MentorshipMailMode>,
    /// Set when mail to the person's address keeps bouncing: mail is paused from this
    /// moment until they resume it (`POST /api/v1/me/mail/resume`).
    #[serde(default)]
    pub paused_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Per current mentorship, the address that starts a new thread by mail.
    #[serde(default)]
    pub new_thread_addresses: Vec<MentorshipAddress>,
}

/// The person's own address for starting threads in one mentorship by mail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MentorshipAddress {
    pub mentorship_id: crate::MentorshipId,
    pub address: String,
}

/// One mentorship's mode for one person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MentorshipMailMode {
    pub mentorship_id: crate::MentorshipId,
    pub mode: MailMode,
}

/// `PUT /me/mail/mentorships/{id}`: a mode, or `null` to follow the general setting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetMentorshipMailMode {
    pub mode: Option<MailMode>,
}

/// A mail that failed for good, for admins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FailedMail {
    pub id: String,
    /// notification | missed | digest | security
    pub kind: String,
    pub user_id: Option<crate::UserId>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// "HH:MM" → minutes after midnight.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && s.trim().len() == 5).then_some(h * 60 + m)
}

/// Minutes after midnight → "HH:MM".
pub fn format_hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The UTC instant of a local wall-clock time. In a spring-forward gap the local time
/// does not exist: take the first instant after the gap. In a fall-back overlap it
/// exists twice: take the earlier.
pub fn local_instant(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = NaiveDateTime::new(date, time);
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => {
            // Walk forward minute by minute to the end of the gap (at most a few hours).
            let mut probe = naive;
            for _ in 0..(24 * 60) {
                probe += Duration::minutes(1);
                if let LocalResult::Single(t) | LocalResult::Ambiguous(t, _) = tz.from_local_datetime(&probe) {
                    return t.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&naive)
        }
    }
}

/// If `now` falls in the quiet hours `(start, end)` (minutes after local midnight;
/// `start > end` spans midnight), the instant they end; otherwise `None`.
pub fn quiet_until(tz: Tz, quiet: (u32, u32), now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let (start, end) = quiet;
    let local = now.with_timezone(&tz);
    let minute = local.hour_minute();
    let today = local.date_naive();
    let end_time = NaiveTime::from_hms_opt(end / 60, end % 60, 0)?;
    let inside = if start < end { minute >= start && minute < end } else { minute >= start || minute < end };
    if !inside {
        return None;
    }
    // The end is later today, unless the window spans midnight and we are before it.
    let end_date = if start > end && minute >= start { today.succ_opt()? } else { today };
    Some(local_instant(tz, end_date, end_time))
}

trait HourMinute {
    fn hour_minute(&self) -> u32;
}

impl<T: chrono::Timelike> HourMinute for T {
    fn hour_minute(&self) -> u32 {
        self.hour() * 60 + self.minute()
    }
}

/// The digest due most recently at or before `now`: its period key (unique per person
/// and period, e.g. `daily:2026-11-22`, `weekly:2026-W47`) and the instant it was due.
/// `None` for modes without digests.
pub fn digest_due(tz: Tz, mode: MailMode, hour: u32, weekday: u32, now: DateTime<Utc>) -> Option<(String, DateTime<Utc>)> {
    let at = NaiveTime::from_hms_opt(hour.min(23), 0, 0)?;
    let local_today = now.with_timezone(&tz).date_naive();
    match mode {
        MailMode::Daily => {
            let today_due = local_instant(tz, local_today, at);
            let date = if today_due <= now { local_today } else { local_today.pred_opt()? };
            Some((format!("daily:{date}"), local_instant(tz, date, at)))
        }
        MailMode::Weekly => {
            let target = weekday.clamp(1, 7);
            let today = local_today.weekday().number_from_monday();
            let back = (today + 7 - target) % 7;
            let mut date = local_today - Duration::days(i64::from(back));
            if local_instant(tz, date, at) > now {
                date -= Duration::days(7);
            }
            let week = date.iso_week();
            Some((format!("weekly:{}-W{:02}", week.year(), week.week()), local_instant(tz, date, at)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).expect("time")
    }

    #[test]
    fn defaults_follow_the_password() {
        assert_eq!(MailSettings::defaults(false).mode, MailMode::Each);
        assert_eq!(MailSettings::defaults(true).mode, MailMode::Live);
    }

    #[test]
    fn validation() {
        let mut s = MailSettings::defaults(true);
        assert!(s.validate().is_ok());
        s.quiet_start = Some("22:00".into());
        assert!(s.validate().is_err(), "half a window");
        s.quiet_end = Some("07:00".into());
        assert!(s.validate().is_ok());
        assert_eq!(s.quiet_minutes(), Some((22 * 60, 7 * 60)));
        s.quiet_end = Some("7:00".into());
        assert!(s.validate().is_err());
        let s = MailSettings { digest_hour: 24, ..MailSettings::defaults(true) };
        assert!(s.validate().is_err());
    }

    #[test]
    fn quiet_hours_across_midnight() {
        let tz: Tz = "Europe/Amsterdam".parse().expect("tz");
        let quiet = (22 * 60, 7 * 60);
        // 23:30 local (UTC+1 in November) → until 07:00 next morning local.
        assert_eq!(quiet_until(tz, quiet, utc("2026-11-22T22:30:00Z")), Some(utc("2026-11-23T06:00:00Z")));
        // 05:00 local → until 07:00 the same morning.
        assert_eq!(quiet_until(tz, quiet, utc("2026-11-23T04:00:00Z")), Some(utc("2026-11-23T06:00:00Z")));
        // 12:00 local → not quiet.
        assert_eq!(quiet_until(tz, quiet, utc("2026-11-23T11:00:00Z")), None);
        // A daytime window.
        assert_eq!(quiet_until(tz, (9 * 60, 17 * 60), utc("2026-11-23T11:00:00Z")), Some(utc("2026-11-23T16:00:00Z")));
    }

    #[test]
    fn daily_digest_in_local_time_across_dst() {
        let tz: Tz = "Europe/Amsterdam".parse().expect("tz");
        // Winter: 08:00 local is 07:00 UTC.
        assert_eq!(
            digest_due(tz, MailMode::Daily, 8, 1, utc("2026-11-22T07:30:00Z")),
            Some(("daily:2026-11-22".into(), utc("2026-11-22T07:00:00Z")))
        );
        // Before today's hour: yesterday's period.
        assert_eq!(digest_due(tz, MailMode::Daily, 8, 1, utc("2026-11-22T06:59:00Z")).map(|d| d.0), Some("daily:2026-11-21".into()));
        // Summer: 08:00 local is 06:00 UTC.
        assert_eq!(
            digest_due(tz, MailMode::Daily, 8, 1, utc("2026-07-01T06:00:00Z")),
            Some(("daily:2026-07-01".into(), utc("2026-07-01T06:00:00Z")))
        );
        // Spring forward (29 March 2026, 02:00 → 03:00): a 02:00 digest goes at 03:00 local = 01:00 UTC.
        assert_eq!(
            digest_due(tz, MailMode::Daily, 2, 1, utc("2026-03-29T01:30:00Z")),
            Some(("daily:2026-03-29".into(), utc("2026-03-29T01:00:00Z")))
        );
        // Fall back (25 October 2026, 03:00 → 02:00): a 02:00 digest goes at the first 02:00 = 00:00 UTC, once.
        assert_eq!(
            digest_due(tz, MailMode::Daily, 2, 1, utc("2026-10-25T01:30:00Z")),
            Some(("daily:2026-10-25".into(), utc("2026-10-25T00:00:00Z")))
        );
    }

    #[test]
    fn weekly_digest_on_the_chosen_weekday() {
        let tz: Tz = "America/Sao_Paulo".parse().expect("tz");
        // Sunday 22 November 2026, 10:00 local (UTC-3); weekly on Monday 08:00 → last Monday 16 November.
        let (key, due) = digest_due(tz, MailMode::Weekly, 8, 1, utc("2026-11-22T13:00:00Z")).expect("due");
        assert_eq!(key, "weekly:2026-W47");
        assert_eq!(due, utc("2026-11-16T11:00:00Z"));
        // Monday 23 November 08:00 local exactly → the new week's digest.
        let (key, due) = digest_due(tz, MailMode::Weekly, 8, 1, utc("2026-11-23T11:00:00Z")).expect("due");
        assert_eq!((key.as_str(), due), ("weekly:2026-W48", utc("2026-11-23T11:00:00Z")));
        assert_eq!(digest_due(tz, MailMode::Each, 8, 1, utc("2026-11-23T11:00:00Z")), None);
    }
}

/// A change in who belongs to a mentorship, as the other members are told about it in
/// their next mail: someone new reads along from now on, or someone stopped (G12).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipChange {
    pub name: String,
    pub role: crate::Role,
    /// Joined (true) or left (false).
    pub joined: bool,
    pub at: DateTime<Utc>,
}

/// The membership changes among `members` in `(after, up_to]` that `reader` should be
/// told about, oldest first: not their own, and not the founding members' joining (the
/// earliest `joined_at`: the mentorship began with them).
pub fn membership_changes(
    members: &[crate::api::MemberView],
    reader: crate::UserId,
    after: DateTime<Utc>,
    up_to: DateTime<Utc>,
) -> Vec<MembershipChange> {
    let founded = members.iter().map(|m| m.joined_at).min();
    let within = |at: DateTime<Utc>| at > after && at <= up_to;
    let mut out = Vec::new();
    for m in members.iter().filter(|m| m.user_id != reader) {
        if Some(m.joined_at) != founded && within(m.joined_at) {
            out.push(MembershipChange { name: m.display_name.clone(), role: m.role, joined: true, at: m.joined_at });
        }
        if let Some(left) = m.left_at.filter(|&l| within(l)) {
            out.push(MembershipChange { name: m.display_name.clone(), role: m.role, joined: false, at: left });
        }
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.name.cmp(&b.name)));
    out
}

#[cfg(test)]
mod membership_change_tests {
    use super::*;
    use crate::api::MemberView;
    use crate::{Role, UserId};

    fn member(name: &str, role: Role, joined: i64, left: Option<i64>) -> MemberView {
        let t = |h: i64| Utc.timestamp_opt(1_700_000_000 + h * 3600, 0).single().expect("time");
        MemberView { user_id: UserId::new(), display_name: name.into(), role, joined_at: t(joined), left_at: left.map(t) }
    }

    #[test]
    fn tells_of_joins_and_leaves_in_the_window_but_not_the_founders_or_the_reader() {
        let t = |h: i64| Utc.timestamp_opt(1_700_000_000 + h * 3600, 0).single().expect("time");
        let members = vec![
            member("Çağrı Yılmaz", Role::Mentor, 0, None),
            member("Anouk de Vries", Role::Mentee, 0, Some(5)),
            member("Zofia Wójcik", Role::Mentor, 3, None),
            member("João Gonçalves", Role::Mentee, 10, None),
        ];
        let reader = members[0].user_id;
        let got = membership_changes(&members, reader, t(0), t(6));
        assert_eq!(
            got.iter().map(|c| (c.name.as_str(), c.joined)).collect::<Vec<_>>(),
            vec![("Zofia Wójcik", true), ("Anouk de Vries", false)],
            "founders' joining at the start is not news; João joined after the window"
        );
        // The reader is not told of their own joining.
        assert!(membership_changes(&members, members[2].user_id, t(0), t(6)).iter().all(|c| c.name != "Zofia Wójcik"));
        // Nothing in an empty window.
        assert!(membership_changes(&members, reader, t(6), t(9)).is_empty());
    }
}
