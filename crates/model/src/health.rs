//! Contact health of a mentorship (F9, F13, F15): pure functions over *when* members
//! were in contact and *which side* they are on — never over what they wrote (G12).
//! Definitions and a worked example: `docs/coordinator.md`; the tests below are that
//! example.

use crate::ThreadId;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Days after the start within which a pair is expected to have met a window once.
pub const DEFAULT_NOT_STARTED_DAYS: i64 = 14;
/// Weeks of the contacts-per-week series.
pub const WEEKS: usize = 12;
/// Days over which response times and balance are taken.
pub const RECENT_DAYS: i64 = 90;

/// The two sides of a mentorship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Mentors,
    Mentees,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Mentors => Side::Mentees,
            Side::Mentees => Side::Mentors,
        }
    }
}

/// One contact: a message by a member of one side in one thread, or a logged meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contact {
    Message { at: DateTime<Utc>, side: Side, thread: ThreadId },
    Meeting { at: DateTime<Utc> },
}

impl Contact {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Contact::Message { at, .. } | Contact::Meeting { at } => *at,
        }
    }
}

/// Health status, the first that applies (see `docs/coordinator.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    NotStarted,
    OnTrack,
    Slowing,
    Dormant,
    Closed,
}

/// What [`compute`] needs to know about a mentorship.
#[derive(Clone, Debug)]
pub struct HealthInput<'a> {
    /// The start date, a calendar day in the programme's time zone.
    pub start: NaiveDate,
    pub timezone: Tz,
    /// Agreed contact every N days (≥ 1).
    pub contact_every_days: i64,
    /// Agreed answer within H hours (≥ 1).
    pub response_within_hours: i64,
    /// N₀: days after the start before a pair that never met a window is `not_started`.
    pub not_started_days: i64,
    pub closed: bool,
    /// When it closed: its figures stand still from then on (windows stop counting,
    /// "days since the last contact" is as of that moment).
    pub closed_at: Option<DateTime<Utc>>,
    /// Every contact, in any order.
    pub contacts: &'a [Contact],
    pub now: DateTime<Utc>,
}

/// Contacts in one ISO week of the programme's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WeekCount {
    pub iso_year: i32,
    pub iso_week: u32,
    pub contacts: u32,
}

/// A value per side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PerSide<T> {
    pub mentors: T,
    pub mentees: T,
}

impl<T> PerSide<T> {
    fn get_mut(&mut self, side: Side) -> &mut T {
        match side {
            Side::Mentors => &mut self.mentors,
            Side::Mentees => &mut self.mentees,
        }
    }
}

/// Replies one side owes past the agreed response time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Overdue {
    pub count: u32,
    /// Age of the oldest unanswered message, in whole hours.
    pub oldest_hours: Option<i64>,
    /// How many each side owes.
    pub owed_by: PerSide<u32>,
}

/// The health of one mentorship at one moment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: HealthStatus,
    pub last_contact: Option<DateTime<Utc>>,
    /// Whole days since the last contact.
    pub days_since_contact: Option<i64>,
    /// Contacts per ISO week, the 12 weeks ending with the current one, oldest first.
    pub weekly_contacts: Vec<WeekCount>,
    pub windows_met: u32,
    pub windows_elapsed: u32,
    /// Median hours until the other side's next message in the thread, by the side that
    /// answers, over the last 90 days.
    pub median_response_hours: PerSide<Option<f64>>,
    pub replies_overdue: Overdue,
    /// Messages per side over the last 90 days.
    pub messages_90d: PerSide<u32>,
}

/// Local midnight of `day` in `tz` as an instant. A midnight that DST skips becomes
/// the first moment of that day.
fn local_midnight(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        chrono::LocalResult::None => (1..=180)
            .find_map(|m| tz.from_local_datetime(&(naive + Duration::minutes(m))).earliest())
            .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc)),
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 })
}

/// Computes every metric of `input` (see `docs/coordinator.md` for the definitions).
pub fn compute(input: &HealthInput) -> Health {
    Snapshot::build(input).at(input.now)
}

/// The figures of a mentorship that hold for a whole local day of the programme, as
/// long as no contact is added: windows, weeks and the 90 calendar days all turn at
/// local midnight. What moves within the day — days since the last contact, the status,
/// which unanswered messages are overdue — [`Snapshot::at`] derives from the instants
/// kept here. The server keeps one per mentorship and rebuilds it only when a contact,
/// the agreement or the day changes, so a programme's health reads in O(mentorships).
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The local day (programme time zone) the snapshot holds for.
    pub day: NaiveDate,
    start: DateTime<Utc>,
    contact_every_days: i64,
    response_within_hours: i64,
    closed: bool,
    /// The moment the figures stop at (the closing), if any.
    frozen_at: Option<DateTime<Utc>>,
    /// `not_started` applies today if no window has been met.
    not_started_due: bool,
    ever_met: bool,
    last_contact: Option<DateTime<Utc>>,
    weekly_contacts: Vec<WeekCount>,
    windows_met: u32,
    windows_elapsed: u32,
    median_response_hours: PerSide<Option<f64>>,
    messages_90d: PerSide<u32>,
    /// Messages without a later message from the other side in their thread, oldest
    /// first, with the side that wrote them.
    unanswered: Vec<(DateTime<Utc>, Side)>,
}

impl Snapshot {
    /// Everything about `input` that does not depend on the time of day of `input.now`.
    pub fn build(input: &HealthInput) -> Snapshot {
        let n = input.contact_every_days.max(1);
        let tz = input.timezone;
        // A closed mentorship's windows stop at its closing.
        let now = input.closed_at.filter(|_| input.closed).map_or(input.now, |c| c.min(input.now));
        let today = input.now.with_timezone(&tz).date_naive();
        let mut contacts: Vec<Contact> = input.contacts.iter().copied().filter(|c| c.at() <= now).collect();
        contacts.sort_by_key(Contact::at);

        // Windows, anchored at the start date's local midnight, N calendar days each.
        let window_start = |k: i64| local_midnight(tz, input.start + Duration::days(k * n));
        let start = window_start(0);
        let window_of = |at: DateTime<Utc>| -> Option<i64> {
            if at < start {
                return None;
            }
            let days = (at.with_timezone(&tz).date_naive() - input.start).num_days();
            Some(days.div_euclid(n))
        };
        let mut elapsed: i64 = 0;
        while window_start(elapsed + 1) <= now {
            elapsed += 1;
        }
        // Per window (up to the current one): (mentors wrote, mentees wrote, meeting).
        let mut windows = vec![(false, false, false); usize::try_from(elapsed + 1).unwrap_or(0)];
        for c in &contacts {
            let Some(k) = window_of(c.at()).and_then(|k| usize::try_from(k).ok()) else { continue };
            let Some(w) = windows.get_mut(k) else { continue };
            match c {
                Contact::Message { side: Side::Mentors, .. } => w.0 = true,
                Contact::Message { side: Side::Mentees, .. } => w.1 = true,
                Contact::Meeting { .. } => w.2 = true,
            }
        }
        let is_met = |w: &(bool, bool, bool)| (w.0 && w.1) || w.2;
        let completed = usize::try_from(elapsed).unwrap_or(0);
        let windows_met = windows.iter().take(completed).filter(|w| is_met(w)).count() as u32;

        // Contacts per ISO week: the 12 weeks ending with the current one.
        let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let first_monday = this_monday - Duration::weeks(WEEKS as i64 - 1);
        let mut weekly: Vec<WeekCount> = (0..WEEKS as i64)
            .map(|i| {
                let iso = (first_monday + Duration::weeks(i)).iso_week();
                WeekCount { iso_year: iso.year(), iso_week: iso.week(), contacts: 0 }
            })
            .collect();
        for c in &contacts {
            let day = c.at().with_timezone(&tz).date_naive();
            let offset = (day - first_monday).num_days();
            if offset >= 0
                && let Some(week) = weekly.get_mut(usize::try_from(offset / 7).unwrap_or(usize::MAX))
            {
                week.contacts += 1;
            }
        }

        // Responses, unanswered messages and balance: messages only, thread by thread.
        // "The last 90 days" are today and the 89 local days before it.
        let recent_from = local_midnight(tz, today - Duration::days(RECENT_DAYS - 1));
        let messages: Vec<(DateTime<Utc>, Side, ThreadId)> = contacts
            .iter()
            .filter_map(|c| match c {
                Contact::Message { at, side, thread } => Some((*at, *side, *thread)),
                Contact::Meeting { .. } => None,
            })
            .collect();
        let mut responses: PerSide<Vec<f64>> = PerSide::default();
        let mut unanswered = Vec::new();
        let mut balance: PerSide<u32> = PerSide::default();
        // Per thread and side: the next later message's time, found walking backwards.
        let mut next_by: std::collections::HashMap<(ThreadId, Side), DateTime<Utc>> = std::collections::HashMap::new();
        let mut answers = vec![None; messages.len()];
        for (i, (at, side, thread)) in messages.iter().enumerate().rev() {
            answers[i] = next_by.get(&(*thread, side.other())).copied();
            next_by.insert((*thread, *side), *at);
        }
        for ((at, side, _), answer) in messages.iter().zip(answers) {
            if *at >= recent_from {
                *balance.get_mut(*side) += 1;
            }
            match answer {
                Some(answered_at) if *at >= recent_from => {
                    responses.get_mut(side.other()).push((answered_at - *at).num_seconds() as f64 / 3600.0);
                }
                Some(_) => {}
                None => unanswered.push((*at, *side)),
            }
        }

        Snapshot {
            day: today,
            start,
            contact_every_days: n,
            response_within_hours: input.response_within_hours.max(1),
            closed: input.closed,
            frozen_at: input.closed_at.filter(|_| input.closed),
            not_started_due: now >= local_midnight(tz, input.start + Duration::days(input.not_started_days)),
            ever_met: windows.iter().any(is_met),
            last_contact: contacts.last().map(Contact::at),
            weekly_contacts: weekly,
            windows_met,
            windows_elapsed: u32::try_from(elapsed).unwrap_or(u32::MAX),
            median_response_hours: PerSide { mentors: median(responses.mentors), mentees: median(responses.mentees) },
            messages_90d: balance,
            unanswered,
        }
    }

    /// The health at `now`, a moment of the snapshot's day after it was built.
    pub fn at(&self, now: DateTime<Utc>) -> Health {
        let now = self.frozen_at.map_or(now, |f| f.min(now));
        let n = self.contact_every_days;
        let silent_for = now - self.last_contact.unwrap_or(self.start);
        let due_after = Duration::hours(self.response_within_hours);
        let mut overdue = Overdue::default();
        for (at, side) in self.unanswered.iter().take_while(|(at, _)| now - *at > due_after) {
            overdue.count += 1;
            *overdue.owed_by.get_mut(side.other()) += 1;
            let age = (now - *at).num_hours();
            overdue.oldest_hours = Some(overdue.oldest_hours.map_or(age, |o| o.max(age)));
        }
        let status = if self.closed {
            HealthStatus::Closed
        } else if !self.ever_met && self.not_started_due {
            HealthStatus::NotStarted
        } else if silent_for > Duration::days(2 * n) {
            HealthStatus::Dormant
        } else if silent_for > Duration::days(n) {
            HealthStatus::Slowing
        } else {
            HealthStatus::OnTrack
        };
        Health {
            status,
            last_contact: self.last_contact,
            days_since_contact: self.last_contact.map(|t| (now - t).num_days()),
            weekly_contacts: self.weekly_contacts.clone(),
            windows_met: self.windows_met,
            windows_elapsed: self.windows_elapsed,
            median_response_hours: self.median_response_hours,
            replies_overdue: overdue,
            messages_90d: self.messages_90d,
        }
    }
}

/// The status at the end of each of the [`WEEKS`] − 1 ISO weeks (programme time zone)
/// before the current one, oldest first, then the status at `input.now`: the same rules
/// as [`compute`], asked as of each week's last moment. A week that ended before the
/// start date is `None` (the mentorship was not running yet). `input.closed` applies
/// only to the current week: a mentorship closed now was running before.
pub fn weekly_statuses(input: &HealthInput) -> Vec<Option<HealthStatus>> {
    let tz = input.timezone;
    let today = input.now.with_timezone(&tz).date_naive();
    let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let start = local_midnight(tz, input.start);
    let mut out = Vec::with_capacity(WEEKS);
    for back in (1..WEEKS as i64).rev() {
        // The last moment of the week that ended `back - 1` weeks before this one.
        let end = local_midnight(tz, this_monday - Duration::weeks(back - 1)) - Duration::milliseconds(1);
        if end < start {
            out.push(None);
            continue;
        }
        let past = HealthInput { now: end, closed: false, ..input.clone() };
        out.push(Some(Snapshot::build(&past).at(end).status));
    }
    out.push(Some(compute(input).status));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const AMS: Tz = chrono_tz::Europe::Amsterdam;

    fn local(day: u32, month: u32, hour: u32) -> DateTime<Utc> {
        AMS.with_ymd_and_hms(2026, month, day, hour, 0, 0).single().expect("a local time").with_timezone(&Utc)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    /// The worked example of `docs/coordinator.md`.
    fn example() -> (Vec<Contact>, ThreadId, ThreadId) {
        let (t1, t2) = (ThreadId::new(), ThreadId::new());
        let msg = |at, side, thread| Contact::Message { at, side, thread };
        let contacts = vec![
            msg(local(1, 9, 10), Side::Mentors, t1),
            msg(local(2, 9, 9), Side::Mentees, t1),
            msg(local(3, 9, 13), Side::Mentors, t1),
            Contact::Meeting { at: local(10, 9, 19) },
            msg(local(16, 9, 20), Side::Mentees, t2),
            msg(local(18, 9, 8), Side::Mentors, t2),
            msg(local(19, 9, 12), Side::Mentees, t2),
            msg(local(1, 10, 15), Side::Mentors, t2),
            msg(local(3, 10, 18), Side::Mentees, t2),
        ];
        (contacts, t1, t2)
    }

    fn input(contacts: &[Contact], now: DateTime<Utc>) -> HealthInput<'_> {
        HealthInput {
            start: date(2026, 9, 1),
            timezone: AMS,
            contact_every_days: 7,
            response_within_hours: 48,
            not_started_days: DEFAULT_NOT_STARTED_DAYS,
            closed: false,
            closed_at: None,
            contacts,
            now,
        }
    }

    #[test]
    fn worked_example() {
        let (contacts, _, _) = example();
        let h = compute(&input(&contacts, local(6, 10, 12)));
        assert_eq!(h.status, HealthStatus::OnTrack);
        assert_eq!(h.last_contact, Some(local(3, 10, 18)));
        assert_eq!(h.days_since_contact, Some(2));
        assert_eq!((h.windows_met, h.windows_elapsed), (4, 5));
        let weeks: Vec<(u32, u32)> = h.weekly_contacts.iter().map(|w| (w.iso_week, w.contacts)).collect();
        assert_eq!(weeks, [(30, 0), (31, 0), (32, 0), (33, 0), (34, 0), (35, 0), (36, 3), (37, 1), (38, 3), (39, 0), (40, 2), (41, 0)]);
        assert_eq!(h.median_response_hours, PerSide { mentors: Some(36.0), mentees: Some(28.0) });
        assert_eq!(h.replies_overdue, Overdue { count: 2, oldest_hours: Some(791), owed_by: PerSide { mentors: 1, mentees: 1 } });
        assert_eq!(h.messages_90d, PerSide { mentors: 4, mentees: 4 });
    }

    #[test]
    fn slowing_then_dormant() {
        let (contacts, _, _) = example();
        let at = |day, month| compute(&input(&contacts, local(day, month, 12)));
        assert_eq!(at(11, 10).status, HealthStatus::Slowing);
        assert_eq!(at(11, 10).days_since_contact, Some(7));
        assert_eq!(at(18, 10).status, HealthStatus::Dormant);
        // Exactly N days is not yet "more than N days".
        assert_eq!(compute(&input(&contacts, local(10, 10, 18))).status, HealthStatus::OnTrack);
    }

    #[test]
    fn never_started_until_a_window_is_met() {
        let t1 = ThreadId::new();
        let welcome = [Contact::Message { at: local(1, 9, 10), side: Side::Mentors, thread: t1 }];
        assert_eq!(compute(&input(&welcome, local(5, 9, 12))).status, HealthStatus::OnTrack);
        assert_eq!(compute(&input(&welcome, local(8, 9, 11))).status, HealthStatus::Slowing);
        assert_eq!(compute(&input(&welcome, local(15, 9, 0))).status, HealthStatus::NotStarted);
        let mut answered = welcome.to_vec();
        answered.push(Contact::Message { at: local(16, 9, 9), side: Side::Mentees, thread: t1 });
        answered.push(Contact::Message { at: local(17, 9, 9), side: Side::Mentors, thread: t1 });
        assert_eq!(compute(&input(&answered, local(18, 9, 0))).status, HealthStatus::OnTrack, "met in W3: started after all");
    }

    #[test]
    fn a_closed_mentorships_figures_stand_still_at_its_closing() {
        let (contacts, ..) = example();
        let closing = local(10, 10, 12);
        let mut closed = input(&contacts, closing);
        closed.closed = true;
        closed.closed_at = Some(closing);
        let then = compute(&closed);
        closed.now = local(10, 10, 12) + Duration::days(300);
        let later = compute(&closed);
        assert_eq!(later.windows_elapsed, then.windows_elapsed, "windows stop counting at the closing");
        assert_eq!(later.windows_met, then.windows_met);
        assert_eq!(later.days_since_contact, then.days_since_contact, "days since contact as of the closing");
        assert_eq!(later.status, HealthStatus::Closed);
    }

    #[test]
    fn closed_wins_and_nothing_counts_from_the_future() {
        let (contacts, _, _) = example();
        let mut closed = input(&contacts, local(18, 10, 12));
        closed.closed = true;
        assert_eq!(compute(&closed).status, HealthStatus::Closed);
        // Asked for an earlier moment, later contacts do not exist yet.
        let h = compute(&input(&contacts, local(4, 9, 0)));
        assert_eq!(h.last_contact, Some(local(3, 9, 13)));
        assert_eq!((h.windows_met, h.windows_elapsed), (0, 0), "the first window is still running");
    }

    #[test]
    fn windows_are_calendar_days_across_dst() {
        // Start on Monday 19 October; the clocks go back on Sunday 25 October. The
        // second window starts at local midnight of Monday 26 October.
        let t = ThreadId::new();
        let contacts = [
            Contact::Message {
                at: AMS.with_ymd_and_hms(2026, 10, 25, 23, 30, 0).single().expect("t").with_timezone(&Utc),
                side: Side::Mentors,
                thread: t,
            },
            Contact::Message {
                at: AMS.with_ymd_and_hms(2026, 10, 26, 0, 30, 0).single().expect("t").with_timezone(&Utc),
                side: Side::Mentees,
                thread: t,
            },
        ];
        let mut i = input(&contacts, AMS.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).single().expect("t").with_timezone(&Utc));
        i.start = date(2026, 10, 19);
        let h = compute(&i);
        assert_eq!((h.windows_met, h.windows_elapsed), (0, 2), "one side in each window: neither is met");
    }

    #[test]
    fn a_snapshot_holds_for_the_rest_of_its_day() {
        let (contacts, _, _) = example();
        // Built at each hour of a day, read at each later hour of that day: the same
        // figures as computing from scratch, overdue replies and statuses included.
        for (day, month) in [(3, 9), (4, 9), (5, 9), (8, 9), (17, 9), (20, 9), (5, 10), (11, 10), (18, 10)] {
            for built in 0..24 {
                let snapshot = Snapshot::build(&input(&contacts, local(day, month, built)));
                assert_eq!(snapshot.day, local(day, month, built).with_timezone(&AMS).date_naive());
                for read in built..24 {
                    let now = local(day, month, read);
                    // Only while no contact was added in between.
                    if contacts.iter().any(|c| c.at() > local(day, month, built) && c.at() <= now) {
                        continue;
                    }
                    assert_eq!(snapshot.at(now), compute(&input(&contacts, now)), "built {day}/{month} {built}h, read {read}h");
                }
            }
        }
    }

    #[test]
    fn balance_and_responses_cover_the_last_90_days_only() {
        let t = ThreadId::new();
        let contacts = [
            Contact::Message { at: local(1, 1, 10), side: Side::Mentors, thread: t },
            Contact::Message { at: local(1, 1, 12), side: Side::Mentees, thread: t },
            Contact::Message { at: local(1, 9, 10), side: Side::Mentees, thread: t },
            Contact::Message { at: local(1, 9, 14), side: Side::Mentors, thread: t },
        ];
        let mut i = input(&contacts, local(2, 9, 0));
        i.start = date(2026, 1, 1);
        let h = compute(&i);
        assert_eq!(h.messages_90d, PerSide { mentors: 1, mentees: 1 });
        assert_eq!(h.median_response_hours, PerSide { mentors: Some(4.0), mentees: None });
    }

    #[test]
    fn weekly_statuses_are_the_status_at_each_week_end() {
        let (contacts, _, _) = example();
        // Sunday 18 October 2026 at noon: the current ISO week is 42.
        let now = local(18, 10, 12);
        let statuses = weekly_statuses(&input(&contacts, now));
        assert_eq!(statuses.len(), WEEKS);
        assert_eq!(statuses[WEEKS - 1], Some(compute(&input(&contacts, now)).status));
        // Week 41 ended on Sunday 11 October, 23:59:59.999.
        let end_41 = local(12, 10, 0) - Duration::milliseconds(1);
        assert_eq!(statuses[WEEKS - 2], Some(compute(&input(&contacts, end_41)).status));
        assert_eq!(statuses[WEEKS - 2], Some(HealthStatus::Slowing));
        // Weeks that ended before the start on 1 September: not running yet.
        assert_eq!(statuses[0], None);
        let running = statuses.iter().filter(|s| s.is_some()).count();
        assert_eq!(running, 7, "weeks 36 to 42: {statuses:?}");
        // Closed now, running before.
        let mut closed = input(&contacts, now);
        closed.closed = true;
        let c = weekly_statuses(&closed);
        assert_eq!(c[WEEKS - 1], Some(HealthStatus::Closed));
        assert_eq!(c[WEEKS - 2], Some(HealthStatus::Slowing));
    }
}
