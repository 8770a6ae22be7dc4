//! A visitor of the day: the salted hash that names it, the behaviour filter, and its
//! current visit.

use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

/// Page views within a minute beyond which a visitor is a bot for the rest of the day.
pub(crate) const MAX_PER_MINUTE: u32 = 30;
/// Page views in a day beyond which a visitor is a bot for the rest of the day.
pub(crate) const MAX_PER_DAY: u32 = 1_000;
/// Idle time that ends a visit.
pub(crate) const VISIT_IDLE_MS: i64 = 30 * 60_000;

/// The behaviour filter's minute, as six ten-second buckets: the views counted lie within
/// less than 60 seconds, so more than 30 of them are certainly more than 30 in a minute.
const BUCKET_MS: i64 = 10_000;
const BUCKETS: usize = 6;

/// The visitor hash: the first 8 bytes of the keyed blake3 hash, under the day's salt, of
/// site, address and user agent. Nothing else about a visitor is kept.
pub(crate) fn visitor_hash(salt: &[u8; 32], site: &str, client: IpAddr, user_agent: &str) -> i64 {
    let mut hasher = blake3::Hasher::new_keyed(salt);
    hasher.update(site.as_bytes());
    hasher.update(b"\0");
    // The address's text written straight into the hash (no allocation).
    let _ = write!(HashWriter(&mut hasher), "{}", client.to_canonical());
    hasher.update(b"\0");
    hasher.update(user_agent.as_bytes());
    let bytes = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&bytes.as_bytes()[..8]);
    i64::from_le_bytes(first)
}

struct HashWriter<'a>(&'a mut blake3::Hasher);

impl std::fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// Hashing of visitor hashes in maps and sets: they are already keyed hashes (nobody can
/// aim at a bucket without the salt), so they are used as they are.
#[derive(Default)]
pub(crate) struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_i64(&mut self, n: i64) {
        self.0 = n as u64;
    }
}

/// Builds [`Identity`] hashers.
pub(crate) type ByHash = BuildHasherDefault<Identity>;

/// A visitor followed today.
#[derive(Debug)]
pub(crate) struct Visitor {
    /// The site (an index into the day's sites).
    pub(crate) site: u32,
    /// Its last page view (unix ms).
    pub(crate) last_ms: i64,
    /// Page views today.
    day_views: u32,
    /// The ten-second bucket of `recent[0]`.
    bucket: i64,
    /// Page views per ten seconds, the newest first.
    recent: [u8; BUCKETS],
    /// Filtered as a bot for the rest of the day.
    pub(crate) bot: bool,
    /// The visit under way, if any.
    pub(crate) visit: Option<Visit>,
}

/// A visit under way.
#[derive(Debug)]
pub(crate) struct Visit {
    /// Pages so far.
    pub(crate) pages: u32,
    /// The last page's path.
    pub(crate) last_path: String,
}

impl Visitor {
    /// A visitor of `site` not yet seen.
    pub(crate) fn new(site: u32, at_ms: i64) -> Visitor {
        Visitor {
            site,
            last_ms: at_ms,
            day_views: 0,
            bucket: at_ms.div_euclid(BUCKET_MS),
            recent: [0; BUCKETS],
            bot: false,
            visit: None,
        }
    }

    /// Counts a page view at `at_ms` into the behaviour filter; true when it makes the
    /// visitor a bot (more than 30 page views within a minute, or 1,000 in the day).
    pub(crate) fn behaves_as_bot(&mut self, at_ms: i64) -> bool {
        let bucket = at_ms.div_euclid(BUCKET_MS);
        // Views earlier than the newest bucket (out of order by a few ms) count in it.
        let shift = bucket.saturating_sub(self.bucket).max(0);
        if shift > 0 {
            let shift = usize::try_from(shift).unwrap_or(BUCKETS).min(BUCKETS);
            self.recent.rotate_right(shift);
            self.recent[..shift].fill(0);
            self.bucket = bucket;
        }
        self.recent[0] = self.recent[0].saturating_add(1);
        self.day_views = self.day_views.saturating_add(1);
        let minute: u32 = self.recent.iter().map(|n| u32::from(*n)).sum();
        self.bot |= minute > MAX_PER_MINUTE || self.day_views > MAX_PER_DAY;
        self.bot
    }
}

/// The bucket of [`Dimension::Depth`](crate::Dimension::Depth) of a visit of `pages`.
pub(crate) fn depth_bucket(pages: u32) -> &'static str {
    match pages {
        0 | 1 => "1",
        2 => "2",
        3 => "3",
        4 => "4",
        5 => "5",
        6..=10 => "6-10",
        11..=20 => "11-20",
        _ => "21+",
    }
}

/// The keys of [`Dimension::Hour`](crate::Dimension::Hour).
pub(crate) const HOURS: [&str; 24] = [
    "00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15",
    "16", "17", "18", "19", "20", "21", "22", "23",
];
