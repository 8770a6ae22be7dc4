//! Counts not yet written: per Beijing day and site, a counter per dimension and key,
//! with a bound on the distinct keys of the dimensions whose keys come from requests.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::Dimension;

/// The key further keys count under once a dimension holds `max_keys` of them.
pub(crate) const OTHER_KEY: &str = "(其他)";

/// Longest key kept, in bytes (a path or referring host longer than this is cut).
const MAX_KEY_BYTES: usize = 512;

/// One site's counts of one day.
#[derive(Debug, Default)]
pub(crate) struct SiteCounts {
    /// The node the site belongs to.
    pub(crate) owner: String,
    /// Per dimension (indexed by `Dimension as usize`, the order of [`Dimension::ALL`]),
    /// key → count.
    pub(crate) dims: [HashMap<String, i64>; Dimension::ALL.len()],
}

/// Pending counts: day → site → counts.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    pub(crate) days: BTreeMap<NaiveDate, HashMap<String, SiteCounts>>,
}

impl Pending {
    /// Whether nothing is pending.
    pub(crate) fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// The counts of `site` on `day` (created with `owner`; no allocation when they exist).
    pub(crate) fn site(&mut self, day: NaiveDate, site: &str, owner: &str) -> &mut SiteCounts {
        let sites = self.days.entry(day).or_default();
        if !sites.contains_key(site) {
            let counts = SiteCounts {
                owner: owner.to_string(),
                ..SiteCounts::default()
            };
            sites.insert(site.to_string(), counts);
        }
        sites.get_mut(site).expect("inserted above")
    }

    /// Adds `other` into these counts (putting back a batch whose write failed).
    pub(crate) fn merge(&mut self, other: Pending, max_keys: usize) {
        for (day, sites) in other.days {
            for (site, counts) in sites {
                let mine = self.site(day, &site, &counts.owner);
                for (dimension, keys) in Dimension::ALL.into_iter().zip(counts.dims) {
                    for (key, n) in keys {
                        mine.add(dimension, &key, n, max_keys);
                    }
                }
            }
        }
    }
}

impl SiteCounts {
    /// Adds `n` under `key`. A dimension whose keys come from requests (paths, hosts,
    /// columns) holds at most `max_keys` keys, further ones counting under [`OTHER_KEY`].
    pub(crate) fn add(&mut self, dimension: Dimension, key: &str, n: i64, max_keys: usize) {
        let keys = &mut self.dims[dimension as usize];
        let key = cut(key);
        if let Some(count) = keys.get_mut(key) {
            *count += n;
            return;
        }
        let bounded = dimension.is_detail() || dimension == Dimension::Column;
        let mut key = key;
        if bounded && keys.len() >= max_keys {
            if let Some(count) = keys.get_mut(OTHER_KEY) {
                *count += n;
                return;
            }
            key = OTHER_KEY;
        }
        keys.insert(key.to_string(), n);
    }

    /// Adds one under the dimension's total (key "").
    pub(crate) fn total(&mut self, dimension: Dimension) {
        self.add(dimension, "", 1, usize::MAX);
    }
}

/// `key` cut to [`MAX_KEY_BYTES`] at a character boundary.
fn cut(key: &str) -> &str {
    &key[..key.floor_char_boundary(MAX_KEY_BYTES)]
}
