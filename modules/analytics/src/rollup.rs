//! Counters up the tree. A node sends its own counters of a day (the `node` column is its
//! id) as one signed `Up` entry, the whole day so far each time; an ancestor keeps, per
//! counting node, day, site, dimension and key, the larger of the count it holds and the
//! one received. Each node's counters only grow, so this is a grow-only counter per node:
//! entries re-delivered, reordered or superseded never count twice, and a region's figure
//! is the sum over the nodes below ([`Merged`] is the same merge in memory, for its laws).
//!
//! Per-page detail is sent for the largest keys only ([`Settings::publish_top`]); a key
//! that falls out of a later entry's top list keeps, above, the count it last had there.

mod apply;
mod merge;

use std::collections::HashMap;

use chrono::NaiveDate;
use govnode_federation::{Audience, EntryDraft, Federation, decode_payload, encode_payload};
use govnode_topology::{NodeId, Topology};
use serde::{Deserialize, Serialize};
use sqlx::{AnyPool, Row as _};

use crate::{AnalyticsError, Dimension, Settings};

pub use apply::VisitsBelow;
pub use merge::{CounterKey, Merged};

/// Entry kind of one node's counters of one day (object: the day, "YYYY-MM-DD").
pub const DAY_KIND: &str = "visits.day";
/// Payload version.
const V1: u8 = 1;
/// The longest key (or site id) an entry may carry, in bytes.
pub const MAX_KEY_BYTES: usize = 512;
/// The most counters one entry may carry.
pub const MAX_ROWS: usize = 500_000;

/// One node's counters of one day, as its entry carries them (postcard: field order is
/// the format).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DayCounters {
    /// The Beijing day, "YYYY-MM-DD".
    pub day: String,
    /// Per site the node counted.
    pub sites: Vec<SiteCounters>,
}

/// One site's counters of the day (postcard: field order is the format).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SiteCounters {
    /// The site id.
    pub site: String,
    /// The node the site belongs to (the sender, or a node below it for a replica it serves).
    pub owner: String,
    /// (dimension code, key, count).
    pub counts: Vec<(String, String, i64)>,
}

impl DayCounters {
    /// The payload of the day's entry.
    pub fn encode(&self) -> Vec<u8> {
        encode_payload(V1, self)
    }

    /// The counters of an entry's payload (version 1 only).
    pub fn decode(payload: &[u8]) -> Result<DayCounters, String> {
        let (version, counters): (u8, DayCounters) = decode_payload(payload)?;
        if version != V1 {
            return Err(format!("unknown payload version {version}"));
        }
        Ok(counters)
    }

    /// Every counter: (site, owner, dimension code, key, count).
    pub fn rows(&self) -> impl Iterator<Item = (&str, &str, &str, &str, i64)> {
        self.sites.iter().flat_map(|s| {
            s.counts.iter().map(|(d, k, n)| {
                (
                    s.site.as_str(),
                    s.owner.as_str(),
                    d.as_str(),
                    k.as_str(),
                    *n,
                )
            })
        })
    }

    /// Why `origin` may not send these counters, if it may not: a malformed day, an
    /// unknown dimension, an overlong key or site id, a negative count, too many rows, or a
    /// site owned outside the origin's subtree.
    pub fn check(&self, origin: NodeId, tree: &Topology) -> Result<NaiveDate, String> {
        let day = parse_day(&self.day).ok_or_else(|| format!("bad day {:?}", self.day))?;
        let rows: usize = self.sites.iter().map(|s| s.counts.len()).sum();
        if rows > MAX_ROWS {
            return Err(format!("{rows} counters, at most {MAX_ROWS}"));
        }
        for s in &self.sites {
            if s.site.is_empty() || s.site.len() > MAX_KEY_BYTES {
                return Err(format!("bad site id of {} bytes", s.site.len()));
            }
            if !in_subtree(&s.owner, origin, tree) {
                return Err(format!(
                    "site {} of node {:?}, not {origin} nor below it",
                    s.site, s.owner
                ));
            }
            for (code, key, n) in &s.counts {
                if Dimension::parse(code).is_none() {
                    return Err(format!("unknown dimension {code:?} (site {})", s.site));
                }
                if key.len() > MAX_KEY_BYTES {
                    return Err(format!(
                        "a {code} key of {} bytes, at most {MAX_KEY_BYTES} (site {})",
                        key.len(),
                        s.site
                    ));
                }
                if *n < 0 {
                    return Err(format!(
                        "negative count {n} ({code} {key:?}, site {})",
                        s.site
                    ));
                }
            }
        }
        Ok(day)
    }
}

/// A day as stored: "YYYY-MM-DD" exactly (so string order is day order).
fn parse_day(text: &str) -> Option<NaiveDate> {
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    (day.format("%Y-%m-%d").to_string() == text).then_some(day)
}

/// Whether `owner` is `origin` or below it: a node counts its own sites and the replicas
/// it serves of its subtree's, never a sibling's or an ancestor's.
fn in_subtree(owner: &str, origin: NodeId, tree: &Topology) -> bool {
    owner
        .parse::<NodeId>()
        .is_ok_and(|owner| owner == origin || tree.is_ancestor(origin, owner))
}

/// Sends this node's counters of `day` up, unless there are none or they are what was
/// last sent for the day. Counters an ancestor would refuse (an overlong key, a site owned
/// outside this node's subtree) are left out rather than have the whole day refused.
pub(crate) async fn publish(
    read: &AnyPool,
    write: &AnyPool,
    federation: &Federation,
    day: NaiveDate,
    settings: &Settings,
) -> Result<bool, AnalyticsError> {
    let me = federation.me();
    let day = day.format("%Y-%m-%d").to_string();
    let counters =
        own_counters(read, me, &day, settings.publish_top, &federation.topology()).await?;
    if counters.sites.is_empty() {
        return Ok(false);
    }
    let payload = counters.encode();
    let digest = blake3::hash(&payload).to_hex().to_string();
    let last: Option<String> = sqlx::query("SELECT digest FROM visit_published WHERE day = $1")
        .bind(&day)
        .fetch_optional(read)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    if last.as_deref() == Some(digest.as_str()) {
        return Ok(false);
    }
    let mut tx = write.begin().await?;
    federation
        .append(
            &mut tx,
            EntryDraft {
                kind: DAY_KIND.into(),
                object: day.clone(),
                audience: Audience::Up,
                payload,
            },
        )
        .await?;
    sqlx::query(
        "INSERT INTO visit_published (day, digest) VALUES ($1, $2)
         ON CONFLICT (day) DO UPDATE SET digest = excluded.digest",
    )
    .bind(&day)
    .bind(&digest)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    federation.announce();
    Ok(true)
}

/// This node's own counters of `day`: detail dimensions cut to their `top` largest keys per
/// site, in a fixed order (so an unchanged day encodes, and digests, the same).
async fn own_counters(
    read: &AnyPool,
    me: NodeId,
    day: &str,
    top: usize,
    tree: &Topology,
) -> Result<DayCounters, AnalyticsError> {
    let rows = sqlx::query(
        "SELECT c.site, s.owner, c.dimension, c.key, c.count
         FROM visit_counts c LEFT JOIN visit_sites s ON s.site = c.site
         WHERE c.node = $1 AND c.day = $2 AND c.count > 0
         ORDER BY c.site, c.dimension, c.count DESC, c.key",
    )
    .bind(me.as_str())
    .bind(day)
    .fetch_all(read)
    .await?;
    let mut sites: Vec<SiteCounters> = Vec::new();
    let mut kept: HashMap<(String, String), usize> = HashMap::new();
    let mut total = 0;
    for r in rows {
        let site: String = r.try_get(0)?;
        // A site without an owner row is counted here, so it is this node's.
        let owner: String = r
            .try_get::<Option<String>, _>(1)?
            .unwrap_or_else(|| me.to_string());
        let code: String = r.try_get(2)?;
        let key: String = r.try_get(3)?;
        let count: i64 = r.try_get(4)?;
        let Some(dimension) = Dimension::parse(&code) else {
            continue;
        };
        if key.len() > MAX_KEY_BYTES || site.len() > MAX_KEY_BYTES || !in_subtree(&owner, me, tree)
        {
            continue;
        }
        if dimension.is_detail() {
            let n = kept.entry((site.clone(), code.clone())).or_default();
            if *n >= top {
                continue;
            }
            *n += 1;
        }
        if total == MAX_ROWS {
            tracing::warn!(day, "visit counters beyond {MAX_ROWS} are not sent up");
            break;
        }
        total += 1;
        match sites.last_mut() {
            Some(s) if s.site == site => s.counts.push((code, key, count)),
            _ => sites.push(SiteCounters {
                site,
                owner,
                counts: vec![(code, key, count)],
            }),
        }
    }
    Ok(DayCounters {
        day: day.to_string(),
        sites,
    })
}
