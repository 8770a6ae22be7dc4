//! Counting into memory, on the page-serving path: a few hash lookups under a short lock,
//! no await, and no allocation for a page, key or visitor already known. What is kept is
//! bounded: `max_keys` keys per site and request-keyed dimension between flushes, and
//! `max_visitors` visitors followed per day (beyond that a new visitor still counts for
//! 访客数 and its page views, but its visit is not followed; at a flush a full memory
//! forgets the least recently active visitors, ending their visits). The day's visitor
//! hashes (8 bytes each) are kept for the whole day, so 访客数 stays exact.

mod counts;
mod visitor;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use govnode_topology::beijing;

use crate::classify::{SourceClass, browser, device, is_bot, referral};
use crate::{Dimension, PageView, Settings};

pub(crate) use counts::{Pending, SiteCounts};
use visitor::{ByHash, HOURS, VISIT_IDLE_MS, Visit, Visitor, depth_bucket, visitor_hash};

const DAY_MS: i64 = 86_400_000;
const OFFSET_MS: i64 = beijing::OFFSET_SECS as i64 * 1000;

/// The Beijing day of a unix time, as a day count (cheaper than a date per request).
fn day_number(at_ms: i64) -> i64 {
    (at_ms + OFFSET_MS).div_euclid(DAY_MS)
}

/// The Beijing hour (0–23) of a unix time.
fn hour(at_ms: i64) -> usize {
    usize::try_from((at_ms + OFFSET_MS).rem_euclid(DAY_MS) / 3_600_000).unwrap_or(0)
}

/// What has been counted since the last flush, and the day's visitors and visits.
pub(crate) struct Memory {
    max_keys: usize,
    max_visitors: usize,
    pending: Pending,
    today: Option<Today>,
    /// The day before which salts and visitor hashes have been deleted from the database.
    cleaned: Option<NaiveDate>,
    /// Reused to build keys ("from\tto", a lowercased host) without allocating.
    scratch: String,
}

/// The current Beijing day's salt, visitors and visits.
struct Today {
    number: i64,
    day: NaiveDate,
    salt: [u8; 32],
    /// Whether the salt is in the database.
    salt_saved: bool,
    /// The day's sites with their owners (visitors refer to them by index).
    sites: Vec<Site>,
    site_ids: HashMap<String, u32>,
    /// Every visitor of the day (for 访客数).
    seen: HashSet<i64, ByHash>,
    /// Visitors not yet written to `visit_seen` (site index, hash).
    unsaved: Vec<(u32, i64)>,
    /// The visitors followed (visits, behaviour), at most `max_visitors`.
    visitors: HashMap<i64, Visitor, ByHash>,
}

struct Site {
    id: String,
    owner: String,
}

impl Today {
    fn new(number: i64, day: NaiveDate, salt: [u8; 32], salt_saved: bool) -> Today {
        Today {
            number,
            day,
            salt,
            salt_saved,
            sites: Vec::new(),
            site_ids: HashMap::new(),
            seen: HashSet::default(),
            unsaved: Vec::new(),
            visitors: HashMap::default(),
        }
    }

    /// The index of `site` (added with `owner` the first time of the day).
    fn site(&mut self, site: &str, owner: &str) -> u32 {
        if let Some(i) = self.site_ids.get(site) {
            return *i;
        }
        let i = u32::try_from(self.sites.len()).unwrap_or(u32::MAX);
        self.sites.push(Site {
            id: site.to_string(),
            owner: owner.to_string(),
        });
        self.site_ids.insert(site.to_string(), i);
        i
    }
}

/// What a flush writes, taken out of memory; put back when the write fails.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// Counts to add.
    pub(crate) counts: Pending,
    /// Today's salt, when not yet written.
    pub(crate) salt: Option<(NaiveDate, [u8; 32])>,
    /// Visitors of the day not yet written (day, site, hash).
    pub(crate) seen: Vec<(NaiveDate, String, i64)>,
    /// Delete salts and visitor hashes of days before this one.
    pub(crate) clean_before: Option<NaiveDate>,
}

impl Batch {
    /// Whether there is nothing to write.
    pub(crate) fn is_empty(&self) -> bool {
        self.counts.is_empty()
            && self.salt.is_none()
            && self.seen.is_empty()
            && self.clean_before.is_none()
    }

    /// The days that receive counts, in order.
    pub(crate) fn days(&self) -> Vec<NaiveDate> {
        self.counts.days.keys().copied().collect()
    }
}

impl Memory {
    /// Empty memory for these settings.
    pub(crate) fn new(settings: &Settings) -> Memory {
        Memory {
            max_keys: settings.max_keys.max(1),
            max_visitors: settings.max_visitors,
            pending: Pending::default(),
            today: None,
            cleaned: None,
            scratch: String::new(),
        }
    }

    /// Counts one request: a page view (200), a missing page (404, 410) or a bot's request;
    /// other statuses are not counted.
    pub(crate) fn record(&mut self, view: &PageView<'_>) {
        let found = view.status == 200;
        if !found && !matches!(view.status, 404 | 410) {
            return;
        }
        self.roll(view.at_ms);
        let Memory {
            max_keys,
            max_visitors,
            pending,
            today,
            scratch,
            ..
        } = self;
        let (max_keys, max_visitors) = (*max_keys, *max_visitors);
        let Some(today) = today.as_mut() else {
            return;
        };
        let counts = pending.site(today.day, view.site, view.owner);
        let user_agent = view.user_agent.map(str::trim).unwrap_or_default();
        if is_bot(user_agent) {
            counts.total(Dimension::Bots);
            return;
        }
        let hash = visitor_hash(&today.salt, view.site, view.client, user_agent);
        if !found {
            if today.visitors.get(&hash).is_some_and(|v| v.bot) {
                counts.total(Dimension::Bots);
            } else {
                counts.add(Dimension::NotFound, view.path, 1, max_keys);
            }
            return;
        }
        if let Some(visitor) = today.visitors.get_mut(&hash) {
            if visitor.bot || visitor.behaves_as_bot(view.at_ms) {
                counts.total(Dimension::Bots);
                return;
            }
            let idle = view.at_ms - visitor.last_ms >= VISIT_IDLE_MS;
            match &mut visitor.visit {
                Some(visit) if !idle => {
                    scratch.clear();
                    scratch.push_str(&visit.last_path);
                    scratch.push('\t');
                    scratch.push_str(view.path);
                    counts.add(Dimension::Path, scratch, 1, max_keys);
                    visit.pages = visit.pages.saturating_add(1);
                    visit.last_path.clear();
                    visit.last_path.push_str(view.path);
                }
                open => {
                    if let Some(ended) = open.take() {
                        end_visit(counts, &ended, max_keys);
                    }
                    *open = Some(start_visit(counts, scratch, view, max_keys));
                }
            }
            visitor.last_ms = visitor.last_ms.max(view.at_ms);
        } else {
            let site = today.site(view.site, view.owner);
            if today.seen.insert(hash) {
                counts.total(Dimension::Visitors);
                today.unsaved.push((site, hash));
            }
            if today.visitors.len() < max_visitors {
                let mut visitor = Visitor::new(site, view.at_ms);
                visitor.behaves_as_bot(view.at_ms);
                visitor.visit = Some(start_visit(counts, scratch, view, max_keys));
                today.visitors.insert(hash, visitor);
            }
        }
        counts.total(Dimension::PageViews);
        counts.add(Dimension::Page, view.path, 1, max_keys);
        if let Some(column) = view.column {
            counts.add(Dimension::Column, column, 1, max_keys);
        }
        counts.add(Dimension::Device, device(user_agent).code(), 1, max_keys);
        counts.add(Dimension::Browser, browser(user_agent).code(), 1, max_keys);
        counts.add(Dimension::Hour, HOURS[hour(view.at_ms)], 1, max_keys);
    }

    /// Makes the day of `at_ms` the current one, ending the previous day (its visits end,
    /// its salt and visitors are forgotten). A request stamped before the current day (a
    /// few ms out of order around midnight) counts under the current day.
    fn roll(&mut self, at_ms: i64) {
        let number = day_number(at_ms);
        if self.today.as_ref().is_some_and(|t| t.number >= number) {
            return;
        }
        self.end_day();
        let day = beijing::date_of(at_ms);
        self.today = Some(Today::new(number, day, rand::random(), false));
    }

    /// Ends every visit of the current day and forgets the day.
    fn end_day(&mut self) {
        if let Some(mut today) = self.today.take() {
            close_visits(&mut today, &mut self.pending, self.max_keys, None);
        }
    }

    /// Takes out what a flush at `now_ms` writes: ends the day if it is over, ends visits
    /// idle for 30 minutes (every visit when `close_all`, at shutdown), forgets the least
    /// recently active visitors when memory is full.
    pub(crate) fn take(&mut self, now_ms: i64, close_all: bool) -> Batch {
        if self
            .today
            .as_ref()
            .is_some_and(|t| t.number < day_number(now_ms))
        {
            self.end_day();
        }
        let mut batch = Batch::default();
        if let Some(today) = self.today.as_mut() {
            let idle_before = (!close_all).then_some(now_ms - VISIT_IDLE_MS);
            close_visits(today, &mut self.pending, self.max_keys, idle_before);
            evict(today, &mut self.pending, self.max_keys, self.max_visitors);
            if !today.salt_saved {
                today.salt_saved = true;
                batch.salt = Some((today.day, today.salt));
            }
            batch.seen = today
                .unsaved
                .drain(..)
                .map(|(site, hash)| (today.day, today.sites[site as usize].id.clone(), hash))
                .collect();
        }
        let now_day = beijing::date_of(now_ms);
        if self.cleaned.is_none_or(|c| c < now_day) {
            batch.clean_before = Some(now_day);
        }
        batch.counts = std::mem::take(&mut self.pending);
        batch
    }

    /// Records that `batch` was written.
    pub(crate) fn written(&mut self, batch: &Batch) {
        if let Some(day) = batch.clean_before {
            self.cleaned = self.cleaned.max(Some(day));
        }
    }

    /// Puts back a batch whose write failed (its counts add to those since).
    pub(crate) fn restore(&mut self, batch: Batch) {
        self.pending.merge(batch.counts, self.max_keys);
        let Some(today) = self.today.as_mut() else {
            return;
        };
        if batch.salt.is_some_and(|(day, _)| day == today.day) {
            today.salt_saved = false;
        }
        for (day, site, hash) in batch.seen {
            if let (true, Some(i)) = (day == today.day, today.site_ids.get(&site)) {
                today.unsaved.push((*i, hash));
            }
        }
    }

    /// Takes in the stored salt and visitors of `day` (after a restart), unless this memory
    /// already counts that day or a later one.
    pub(crate) fn load(&mut self, day: NaiveDate, salt: [u8; 32], seen: Vec<i64>) {
        let number = day_number(beijing::midnight_ms(day));
        if self.today.as_ref().is_some_and(|t| t.number >= number) {
            return;
        }
        self.end_day();
        let mut today = Today::new(number, day, salt, true);
        today.seen.extend(seen);
        self.today = Some(today);
    }
}

/// Ends the visits idle since `idle_before` (every visit for None).
fn close_visits(
    today: &mut Today,
    pending: &mut Pending,
    max_keys: usize,
    idle_before: Option<i64>,
) {
    let Today {
        day,
        sites,
        visitors,
        ..
    } = today;
    for visitor in visitors.values_mut() {
        if idle_before.is_some_and(|t| visitor.last_ms > t) {
            continue;
        }
        if let Some(visit) = visitor.visit.take() {
            let site = &sites[visitor.site as usize];
            end_visit(pending.site(*day, &site.id, &site.owner), &visit, max_keys);
        }
    }
}

/// When `max_visitors` are followed, forgets the least recently active quarter (people
/// before filtered bots, so a bot stays known), ending their visits.
fn evict(today: &mut Today, pending: &mut Pending, max_keys: usize, max_visitors: usize) {
    if today.visitors.len() < max_visitors || max_visitors == 0 {
        return;
    }
    let keep = max_visitors - max_visitors.div_ceil(4);
    let mut order: Vec<(bool, i64, i64)> = today
        .visitors
        .iter()
        .map(|(hash, v)| (v.bot, v.last_ms, *hash))
        .collect();
    order.sort_unstable();
    let forget = today.visitors.len().saturating_sub(keep);
    for (_, _, hash) in order.into_iter().take(forget) {
        if let Some(visit) = today.visitors.remove(&hash).and_then(|v| {
            let site = v.site;
            v.visit.map(|visit| (site, visit))
        }) {
            let site = &today.sites[visit.0 as usize];
            end_visit(
                pending.site(today.day, &site.id, &site.owner),
                &visit.1,
                max_keys,
            );
        }
    }
}

/// Counts the start of a visit at `view`: the visit, its entry page and its source.
fn start_visit(
    counts: &mut SiteCounts,
    scratch: &mut String,
    view: &PageView<'_>,
    max_keys: usize,
) -> Visit {
    counts.total(Dimension::Visits);
    counts.add(Dimension::Entry, view.path, 1, max_keys);
    // A link within the site starting a visit (an old tab) counts as direct.
    let (class, engine, host) =
        referral(view.referrer, view.host).unwrap_or((SourceClass::Direct, None, None));
    counts.add(Dimension::Source, class.code(), 1, max_keys);
    if let Some(engine) = engine {
        counts.add(Dimension::Engine, engine, 1, max_keys);
    }
    if let (false, Some(host)) = (class == SourceClass::Direct, host) {
        scratch.clear();
        scratch.extend(host.chars().map(|c| c.to_ascii_lowercase()));
        counts.add(Dimension::Referrer, scratch, 1, max_keys);
    }
    Visit {
        pages: 1,
        last_path: view.path.to_string(),
    }
}

/// Counts the end of a visit: its exit page and depth.
fn end_visit(counts: &mut SiteCounts, visit: &Visit, max_keys: usize) {
    counts.add(Dimension::Exit, &visit.last_path, 1, max_keys);
    counts.add(Dimension::Depth, depth_bucket(visit.pages), 1, max_keys);
}
