//! Counting into memory: visits, the behaviour filter, the bounds, putting back a batch.

use std::net::{IpAddr, Ipv4Addr};

use super::counts::OTHER_KEY;
use super::visitor::{depth_bucket, visitor_hash};
use super::*;

const UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
/// 2026-03-02 08:00 Beijing.
const T0: i64 = 1_772_409_600_000;
const MIN: i64 = 60_000;

fn view(path: &str, client: u8, at_ms: i64) -> PageView<'_> {
    PageView {
        site: "gd",
        owner: "44",
        path,
        column: None,
        status: 200,
        host: Some("www.gd.gov.cn"),
        referrer: None,
        user_agent: Some(UA),
        client: IpAddr::V4(Ipv4Addr::new(10, 0, 0, client)),
        at_ms,
    }
}

fn memory(max_keys: usize, max_visitors: usize) -> Memory {
    Memory::new(&Settings {
        max_keys,
        max_visitors,
        ..Settings::default()
    })
}

fn count(batch: &Batch, dimension: Dimension, key: &str) -> i64 {
    batch
        .counts
        .days
        .values()
        .flat_map(|sites| sites.values())
        .filter_map(|c| c.dims[dimension as usize].get(key))
        .sum()
}

fn keys(batch: &Batch, dimension: Dimension) -> usize {
    batch
        .counts
        .days
        .values()
        .flat_map(|sites| sites.values())
        .map(|c| c.dims[dimension as usize].len())
        .sum()
}

#[test]
fn a_visit_ends_after_thirty_idle_minutes() {
    let mut m = memory(100, 100);
    m.record(&view("/", 1, T0));
    m.record(&view("/a", 1, T0 + MIN));
    m.record(&view("/b", 1, T0 + 29 * MIN));
    // Not yet idle for 30 minutes: the visit goes on.
    let b = m.take(T0 + 58 * MIN, false);
    assert_eq!(count(&b, Dimension::Visits, ""), 1);
    assert_eq!(count(&b, Dimension::Exit, "/b"), 0);
    assert_eq!(count(&b, Dimension::Path, "/\t/a"), 1);
    assert_eq!(count(&b, Dimension::Path, "/a\t/b"), 1);
    let b = m.take(T0 + 59 * MIN, false);
    assert_eq!(count(&b, Dimension::Exit, "/b"), 1);
    assert_eq!(count(&b, Dimension::Depth, "3"), 1);
    // Back after the idle time: a new visit, not a new visitor.
    m.record(&view("/c", 1, T0 + 90 * MIN));
    let b = m.take(T0 + 90 * MIN, true);
    assert_eq!(count(&b, Dimension::Visits, ""), 1);
    assert_eq!(count(&b, Dimension::Visitors, ""), 0);
    assert_eq!(count(&b, Dimension::Entry, "/c"), 1);
    assert_eq!(count(&b, Dimension::Depth, "1"), 1);
}

#[test]
fn more_than_thirty_views_in_a_minute_make_a_bot_for_the_day() {
    let mut m = memory(100, 100);
    for i in 0..40 {
        m.record(&view("/", 1, T0 + i * 1_000));
    }
    // Hours later, still a bot; a missing page too.
    m.record(&view("/", 1, T0 + 300 * MIN));
    m.record(&PageView {
        status: 404,
        ..view("/x", 1, T0 + 301 * MIN)
    });
    // Thirty a minute, for fifty minutes, is no bot by the minute rule, but the
    // 1,001st view of the day is.
    for i in 0..1_100 {
        m.record(&view("/", 2, T0 + i * 2_000 + 1));
    }
    let b = m.take(T0 + 302 * MIN, false);
    assert_eq!(count(&b, Dimension::PageViews, ""), 30 + 1_000);
    assert_eq!(count(&b, Dimension::Bots, ""), 10 + 2 + 100);
    assert_eq!(count(&b, Dimension::NotFound, "/x"), 0);
}

#[test]
fn keys_beyond_the_bound_count_as_other() {
    let mut m = memory(3, 100);
    for i in 0..10 {
        m.record(&view(&format!("/p{i}"), 1, T0 + i));
    }
    let b = m.take(T0, false);
    assert_eq!(keys(&b, Dimension::Page), 4);
    assert_eq!(count(&b, Dimension::Page, OTHER_KEY), 7);
    assert_eq!(count(&b, Dimension::Page, "/p0"), 1);
    assert_eq!(count(&b, Dimension::PageViews, ""), 10);
    // Paths are bounded too; totals never.
    assert_eq!(keys(&b, Dimension::Path), 4);
    assert_eq!(count(&b, Dimension::Path, OTHER_KEY), 6);
}

#[test]
fn visitors_beyond_the_bound_count_but_are_not_followed() {
    let mut m = memory(100, 2);
    for client in 1..=5 {
        m.record(&view("/", client, T0));
    }
    m.record(&view("/a", 5, T0 + MIN));
    let b = m.take(T0 + 2 * MIN, false);
    assert_eq!(count(&b, Dimension::Visitors, ""), 5);
    assert_eq!(count(&b, Dimension::PageViews, ""), 6);
    assert_eq!(count(&b, Dimension::Visits, ""), 2);
    assert_eq!(count(&b, Dimension::Path, "/\t/a"), 0);
    // Full at the flush: the least recently active visitor was forgotten, its visit ended;
    // room for a new one.
    assert_eq!(count(&b, Dimension::Exit, "/"), 1);
    m.record(&view("/b", 6, T0 + 3 * MIN));
    m.record(&view("/c", 6, T0 + 4 * MIN));
    let b = m.take(T0 + 4 * MIN, true);
    assert_eq!(count(&b, Dimension::Visits, ""), 1);
    assert_eq!(count(&b, Dimension::Path, "/b\t/c"), 1);
    assert_eq!(count(&b, Dimension::Exit, "/c"), 1);
    assert_eq!(count(&b, Dimension::Exit, "/"), 1);
}

#[test]
fn a_batch_put_back_adds_to_what_came_since() {
    let mut m = memory(100, 100);
    m.record(&view("/", 1, T0));
    let b = m.take(T0, false);
    assert!(b.salt.is_some() && b.seen.len() == 1 && b.clean_before.is_some());
    m.record(&view("/", 2, T0 + 1));
    m.restore(b);
    let b = m.take(T0 + 2, false);
    assert_eq!(count(&b, Dimension::PageViews, ""), 2);
    assert_eq!(count(&b, Dimension::Visitors, ""), 2);
    assert!(b.salt.is_some() && b.seen.len() == 2 && b.clean_before.is_some());
    m.written(&b);
    assert!(m.take(T0 + 3, false).is_empty());
}

#[test]
fn the_day_ends_every_visit_and_changes_the_salt() {
    let mut m = memory(100, 100);
    m.record(&view("/", 1, T0));
    let first = m.take(T0, false);
    m.written(&first);
    let next_day = T0 + 24 * 60 * MIN;
    let b = m.take(next_day, false);
    assert_eq!(count(&b, Dimension::Exit, "/"), 1);
    assert_eq!(b.days(), vec![beijing::date_of(T0)]);
    assert!(b.clean_before == Some(beijing::date_of(next_day)) && b.salt.is_none());
    m.record(&view("/", 1, next_day));
    let b = m.take(next_day, false);
    assert_eq!(count(&b, Dimension::Visitors, ""), 1);
    assert_ne!(b.salt.map(|s| s.1), first.salt.map(|s| s.1));
}

#[test]
fn statuses_hours_and_depth_buckets() {
    let mut m = memory(100, 100);
    m.record(&PageView {
        status: 301,
        ..view("/", 1, T0)
    });
    m.record(&PageView {
        status: 410,
        ..view("/gone", 1, T0)
    });
    m.record(&PageView {
        user_agent: None,
        ..view("/", 1, T0)
    });
    let b = m.take(T0, false);
    assert_eq!(count(&b, Dimension::NotFound, "/gone"), 1);
    assert_eq!(count(&b, Dimension::Bots, ""), 1);
    assert_eq!(count(&b, Dimension::PageViews, ""), 0);
    assert_eq!(count(&b, Dimension::Visitors, ""), 0);
    assert_eq!(hour(T0), 8);
    assert_eq!(hour(T0 + 16 * 60 * MIN - 1), 23);
    let buckets: Vec<&str> = [1, 2, 5, 6, 10, 11, 20, 21, 500]
        .into_iter()
        .map(depth_bucket)
        .collect();
    assert_eq!(
        buckets,
        [
            "1", "2", "5", "6-10", "6-10", "11-20", "11-20", "21+", "21+"
        ]
    );
}

#[test]
fn the_visitor_hash_depends_on_salt_site_address_and_agent() {
    let ip: IpAddr = "10.0.0.1".parse().unwrap();
    let base = visitor_hash(&[1; 32], "gd", ip, UA);
    assert_eq!(base, visitor_hash(&[1; 32], "gd", ip, UA));
    assert_ne!(base, visitor_hash(&[2; 32], "gd", ip, UA));
    assert_ne!(base, visitor_hash(&[1; 32], "sz", ip, UA));
    assert_ne!(
        base,
        visitor_hash(&[1; 32], "gd", "10.0.0.2".parse().unwrap(), UA)
    );
    assert_ne!(base, visitor_hash(&[1; 32], "gd", ip, "Mozilla/5.0"));
    // An IPv4 client seen through an IPv6 socket is the same visitor.
    assert_eq!(
        base,
        visitor_hash(&[1; 32], "gd", "::ffff:10.0.0.1".parse().unwrap(), UA)
    );
    // Fields are separated: ("gd", "1…") is not ("gd1", "…").
    let mut key = [0u8; 32];
    key[0] = 1;
    let joined = blake3::keyed_hash(&key, b"gd\x0010.0.0.1\x00x");
    let mut first = [0u8; 8];
    first.copy_from_slice(&joined.as_bytes()[..8]);
    assert_eq!(visitor_hash(&key, "gd", ip, "x"), i64::from_le_bytes(first));
}

#[test]
fn dimensions_index_in_report_order() {
    for (i, d) in Dimension::ALL.into_iter().enumerate() {
        assert_eq!(d as usize, i, "{d:?}");
    }
}
