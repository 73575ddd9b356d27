//! Contact health as the service serves it: `model::health` over what `store::health`
//! reads (times and sides only), for one mentorship or a programme.
//!
//! Each mentorship's [`Snapshot`] is kept in memory under a key of everything it
//! depends on — the mentorship's event sequence (which moves with every message,
//! membership and agreement change), its meeting count, rhythm, status, start, the
//! programme's time zone and the local day. A read rebuilds only the snapshots whose
//! key moved, from that mentorship's contacts, and finishes the rest with
//! `Snapshot::at(now)`: a programme's health costs O(mentorships), not O(messages),
//! and is exact. Several instances each keep their own; the key comes from the
//! database, so none serves a stale one. The background round rebuilds moved
//! snapshots ahead of the next read, for the programmes read within the last hour. Used by the HTTP routes and the weekly summary.

use crate::db::{Db, StoreError};
use crate::store;
use crate::store::health::Tracked;
use chrono::{DateTime, NaiveDate, Utc};
use mentorpost_model::api::MemberView;
use mentorpost_model::health::{Contact, DEFAULT_NOT_STARTED_DAYS, HealthInput, HealthStatus, Snapshot, weekly_statuses};
use mentorpost_model::meeting::MentorshipHealth;
use mentorpost_model::{Clock, MentorshipId, MentorshipStatus, ProgrammeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Above this many moved snapshots one programme-wide read of the contacts is cheaper
/// than reading them mentorship by mentorship.
const PROGRAMME_READ_FROM: usize = 32;

/// Everything a snapshot depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Key {
    last_seq: i64,
    meetings: u32,
    status: MentorshipStatus,
    start: NaiveDate,
    contact_every_days: i64,
    response_within_hours: i64,
    timezone: String,
    not_started_days: i64,
    day: NaiveDate,
}

/// What is kept per mentorship: the snapshot, and the status at the end of each of the
/// last weeks (the dashboard's chart), both as of the key's day.
#[derive(Debug)]
pub struct Built {
    pub snapshot: Snapshot,
    /// [`mentorpost_model::health::weekly_statuses`] as of the build.
    pub weekly_statuses: Vec<Option<HealthStatus>>,
}

/// A build with the key it was made under, and when it was last asked for.
type Kept = (Key, Arc<Built>, std::time::Instant);

/// Most snapshots one process keeps (about a kilobyte each): far above the
/// mentorships one instance serves, so in practice only a leak would reach it.
const MAX_KEPT: usize = 100_000;

/// The snapshots this process holds, one per mentorship.
#[derive(Clone, Default)]
pub struct HealthCache {
    snapshots: Arc<Mutex<HashMap<MentorshipId, Kept>>>,
    /// Held while rebuilding, so a request and the background round (or two requests)
    /// do not both read the same mentorships' contacts: the second finds them built.
    rebuilding: Arc<tokio::sync::Mutex<()>>,
    /// When each programme's health was last read: the background round keeps only
    /// these ready.
    watched: Arc<Mutex<HashMap<ProgrammeId, std::time::Instant>>>,
}

impl HealthCache {
    fn get(&self, id: MentorshipId, key: &Key) -> Option<Arc<Built>> {
        let mut map = self.snapshots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (k, built, used) = map.get_mut(&id)?;
        if k != key {
            return None;
        }
        *used = std::time::Instant::now();
        Some(built.clone())
    }

    fn put(&self, id: MentorshipId, key: Key, snapshot: Arc<Built>) {
        let mut map = self.snapshots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.insert(id, (key, snapshot, std::time::Instant::now()));
        if map.len() > MAX_KEPT {
            forget_least_used(&mut map, MAX_KEPT / 2, |(_, _, at)| *at);
        }
    }

    /// How many snapshots are kept.
    pub fn len(&self) -> usize {
        self.snapshots.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn watch(&self, programme: ProgrammeId) {
        self.watched.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(programme, std::time::Instant::now());
    }

    /// The programmes read within [`WATCHED_FOR`]; forgets the others.
    fn watched(&self) -> Vec<ProgrammeId> {
        let mut watched = self.watched.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        watched.retain(|_, at| at.elapsed() < WATCHED_FOR);
        watched.keys().copied().collect()
    }
}

/// Keeps the `keep` most recently used entries (`used` tells when each was): the
/// cache stays bounded however many mentorships come and go, and what is read keeps
/// being served from memory.
fn forget_least_used<K, V>(map: &mut HashMap<K, V>, keep: usize, used: impl Fn(&V) -> std::time::Instant) {
    if map.len() <= keep {
        return;
    }
    let mut times: Vec<std::time::Instant> = map.values().map(&used).collect();
    times.sort_unstable();
    let cut = times[times.len() - keep];
    map.retain(|_, v| used(v) >= cut);
}

/// How long after a read of a programme's health the background round keeps its
/// snapshots ready. Why not always: while messages flow every snapshot moves, and a
/// rebuild reads all the mentorship's messages (a programme of 100 busy mentorships:
/// 0.7 s of database time per round), which nobody needs while nobody looks.
const WATCHED_FOR: std::time::Duration = std::time::Duration::from_secs(3600);

fn timezone(subject: &Tracked) -> chrono_tz::Tz {
    subject.timezone.parse().unwrap_or(chrono_tz::UTC)
}

fn start_of(subject: &Tracked) -> NaiveDate {
    subject.start_date.unwrap_or_else(|| subject.created_at.with_timezone(&timezone(subject)).date_naive())
}

fn key_of(subject: &Tracked, now: DateTime<Utc>) -> Key {
    Key {
        last_seq: subject.last_seq,
        meetings: subject.meetings,
        status: subject.status,
        start: start_of(subject),
        contact_every_days: subject.contact_every_days,
        response_within_hours: subject.response_within_hours,
        timezone: subject.timezone.clone(),
        not_started_days: subject.not_started_days,
        day: now.with_timezone(&timezone(subject)).date_naive(),
    }
}

fn build(subject: &Tracked, contacts: &[Contact], now: DateTime<Utc>) -> Built {
    let input = HealthInput {
        start: start_of(subject),
        timezone: timezone(subject),
        contact_every_days: subject.contact_every_days,
        response_within_hours: subject.response_within_hours,
        not_started_days: if subject.not_started_days >= 1 { subject.not_started_days } else { DEFAULT_NOT_STARTED_DAYS },
        closed: subject.status == MentorshipStatus::Closed,
        closed_at: subject.closed_at,
        contacts,
        now,
    };
    Built { snapshot: Snapshot::build(&input), weekly_statuses: weekly_statuses(&input) }
}

fn row(subject: &Tracked, members: Vec<MemberView>, built: &Built, now: DateTime<Utc>) -> MentorshipHealth {
    MentorshipHealth {
        mentorship_id: subject.id,
        status: subject.status,
        start_date: subject.start_date,
        contact_every_days: subject.contact_every_days,
        response_within_hours: subject.response_within_hours,
        members,
        meetings: subject.meetings,
        health: built.snapshot.at(now),
    }
}

/// The snapshots of `subjects` at `now`: kept ones whose key still holds, the others
/// rebuilt from the contacts (read per mentorship, or for the whole `programme` when
/// many moved) and kept.
async fn snapshots(
    cache: &HealthCache,
    db: &Db,
    subjects: &[Tracked],
    programme: Option<ProgrammeId>,
    now: DateTime<Utc>,
) -> Result<HashMap<MentorshipId, Arc<Built>>, StoreError> {
    let mut out = HashMap::with_capacity(subjects.len());
    let mut moved = Vec::new();
    for subject in subjects {
        // The key is read before the contacts, so a contact written in between only
        // makes a snapshot newer than its key, and the next read rebuilds it.
        let key = key_of(subject, now);
        match cache.get(subject.id, &key) {
            Some(snapshot) => {
                out.insert(subject.id, snapshot);
            }
            None => moved.push((subject, key)),
        }
    }
    if moved.is_empty() {
        return Ok(out);
    }
    let _rebuilding = cache.rebuilding.lock().await;
    moved.retain(|(subject, key)| match cache.get(subject.id, key) {
        Some(snapshot) => {
            out.insert(subject.id, snapshot);
            false
        }
        None => true,
    });
    if moved.is_empty() {
        return Ok(out);
    }
    let mut contacts = match programme {
        Some(programme) if moved.len() >= PROGRAMME_READ_FROM => store::health::programme_contacts(db, programme).await?,
        _ => {
            let mut all = HashMap::new();
            for chunk in moved.chunks(PROGRAMME_READ_FROM) {
                let ids: Vec<MentorshipId> = chunk.iter().map(|(s, _)| s.id).collect();
                all.extend(store::health::contacts_of(db, &ids).await?);
            }
            all
        }
    };
    for (subject, key) in moved {
        let list = contacts.remove(&subject.id).unwrap_or_default();
        let snapshot = Arc::new(build(subject, &list, now));
        cache.put(subject.id, key, snapshot.clone());
        out.insert(subject.id, snapshot);
    }
    Ok(out)
}

/// One mentorship with its figures.
pub async fn mentorship_row(cache: &HealthCache, db: &Db, id: MentorshipId, now: DateTime<Utc>) -> Result<MentorshipHealth, StoreError> {
    let pool = db.pool();
    let subject = store::health::subject(pool, id).await?.ok_or(StoreError::not_found())?;
    let members = store::mentorships::get(pool, id).await?.map(|m| m.members).unwrap_or_default();
    let snapshots = snapshots(cache, db, std::slice::from_ref(&subject), None, now).await?;
    let snapshot = snapshots.get(&id).ok_or(StoreError::not_found())?;
    Ok(row(&subject, members, snapshot, now))
}

/// Every mentorship of a programme with its figures (closed ones only when asked).
pub async fn programme_rows(
    cache: &HealthCache,
    db: &Db,
    programme: ProgrammeId,
    include_closed: bool,
    now: DateTime<Utc>,
) -> Result<Vec<MentorshipHealth>, StoreError> {
    Ok(programme_rows_with_history(cache, db, programme, include_closed, now).await?.into_iter().map(|(row, _)| row).collect())
}

/// [`programme_rows`], each with its status at the end of each of the last weeks
/// (oldest first, the current week last; `None` before its start).
pub async fn programme_rows_with_history(
    cache: &HealthCache,
    db: &Db,
    programme: ProgrammeId,
    include_closed: bool,
    now: DateTime<Utc>,
) -> Result<Vec<(MentorshipHealth, Vec<Option<HealthStatus>>)>, StoreError> {
    cache.watch(programme);
    let subjects: Vec<Tracked> = store::health::programme_subjects(db, programme)
        .await?
        .into_iter()
        .filter(|s| include_closed || s.status != MentorshipStatus::Closed)
        .collect();
    let snapshots = snapshots(cache, db, &subjects, Some(programme), now).await?;
    let mut members = store::mentorships::programme_members(db, programme).await?;
    Ok(subjects
        .iter()
        .filter_map(|s| {
            snapshots.get(&s.id).map(|built| (row(s, members.remove(&s.id).unwrap_or_default(), built, now), built.weekly_statuses.clone()))
        })
        .collect())
}

/// Rebuilds the moved snapshots of the current mentorships of every programme whose
/// health was read lately, so the next read finds them ready (run by the background
/// round; reading only). A programme nobody looked at is built at its first read.
pub async fn refresh(cache: &HealthCache, db: &Db, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut rebuilt = 0;
    for programme in cache.watched() {
        let subjects: Vec<Tracked> = store::health::programme_subjects(db, programme)
            .await?
            .into_iter()
            .filter(|s| s.status != MentorshipStatus::Closed && cache.get(s.id, &key_of(s, now)).is_none())
            .collect();
        rebuilt += subjects.len();
        snapshots(cache, db, &subjects, Some(programme), now).await?;
    }
    Ok(rebuilt)
}

/// How often the background round looks for moved snapshots.
const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Keeps the snapshots ready: once at start, then every [`REFRESH_EVERY`].
pub async fn run(cache: HealthCache, db: Db, clock: Arc<dyn Clock>, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(REFRESH_EVERY);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        match refresh(&cache, &db, clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(mentorships = n, "health snapshots rebuilt"),
            Err(err) => tracing::warn!(error = ?err, "health refresh failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn the_cache_keeps_the_most_recently_used() {
        let start = Instant::now();
        let mut map: HashMap<u32, Instant> = (0..10).map(|i| (i, start + Duration::from_millis(u64::from(i)))).collect();
        forget_least_used(&mut map, 4, |at| *at);
        let mut kept: Vec<u32> = map.keys().copied().collect();
        kept.sort_unstable();
        assert_eq!(kept, [6, 7, 8, 9]);
        forget_least_used(&mut map, 10, |at| *at);
        assert_eq!(map.len(), 4, "under the bound nothing goes");
    }
}
