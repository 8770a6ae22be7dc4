//! The report over a real SQLite database, counters written directly: every field, the days
//! without counts, complete hours and depth, limits, scopes and refused ranges.

use chrono::NaiveDate;
use govnode_analytics::report::{MAX_DAYS, report};
use govnode_analytics::{AnalyticsError, KeyCount, Report, Scope, Totals};
use govnode_federation::testing::temp_database;
use sqlx::AnyPool;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// (node, day, site, dimension, key, count)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
);

/// Two counting nodes, two sites, three days of the range (the middle one empty) and a day
/// either side of it.
const ROWS: &[Row] = &[
    ("440100", "2026-03-01", "gz", "pv", "", 10),
    ("440100", "2026-03-01", "gz", "uv", "", 4),
    ("440100", "2026-03-01", "gz", "visits", "", 5),
    ("440100", "2026-03-01", "gz", "depth", "1", 3),
    ("440100", "2026-03-01", "gz", "depth", "2", 1),
    ("440100", "2026-03-01", "gz", "depth", "21+", 1),
    ("440100", "2026-03-01", "gz", "notfound", "/x", 2),
    ("440100", "2026-03-01", "gz", "notfound", "/y", 1),
    ("440100", "2026-03-01", "gz", "bots", "", 7),
    ("440100", "2026-03-01", "gz", "hour", "09", 6),
    ("440100", "2026-03-01", "gz", "hour", "23", 4),
    ("440100", "2026-03-01", "gz", "page", "/", 6),
    ("440100", "2026-03-01", "gz", "page", "/a", 4),
    ("440100", "2026-03-01", "gz", "column", "news", 8),
    ("440100", "2026-03-01", "gz", "source", "search", 3),
    ("440100", "2026-03-01", "gz", "source", "direct", 2),
    ("440100", "2026-03-01", "gz", "engine", "百度", 3),
    ("440100", "2026-03-01", "gz", "referrer", "www.baidu.com", 3),
    ("440100", "2026-03-01", "gz", "entry", "/", 4),
    ("440100", "2026-03-01", "gz", "exit", "/a", 4),
    ("440100", "2026-03-01", "gz", "path", "/\t/a", 2),
    ("440100", "2026-03-01", "gz", "device", "desktop", 7),
    ("440100", "2026-03-01", "gz", "browser", "chrome", 10),
    // The same site counted by another node (a replica it serves): summed.
    ("440101", "2026-03-01", "gz", "pv", "", 5),
    ("440101", "2026-03-01", "gz", "uv", "", 2),
    ("440101", "2026-03-01", "gz", "visits", "", 2),
    ("440101", "2026-03-01", "gz", "page", "/", 5),
    ("440100", "2026-03-03", "th", "pv", "", 20),
    ("440100", "2026-03-03", "th", "uv", "", 8),
    ("440100", "2026-03-03", "th", "visits", "", 10),
    ("440100", "2026-03-03", "th", "depth", "1", 6),
    ("440100", "2026-03-03", "th", "page", "/", 11),
    ("440100", "2026-03-03", "th", "hour", "09", 20),
    ("440100", "2026-03-03", "th", "source", "search", 5),
    ("440100", "2026-03-03", "th", "engine", "必应", 3),
    ("440100", "2026-03-03", "th", "referrer", "www.baidu.com", 5),
    // Outside the range.
    ("440100", "2026-02-28", "gz", "pv", "", 100),
    ("440100", "2026-02-28", "gz", "page", "/old", 100),
    ("440100", "2026-03-04", "th", "pv", "", 100),
    ("440100", "2026-03-04", "th", "hour", "10", 100),
];

async fn database(dir: &std::path::Path) -> AnyPool {
    let (read, write) = temp_database(dir, &[&govnode_analytics::MIGRATOR]).await;
    for (node, day, site, dimension, key, count) in ROWS {
        sqlx::query(
            "INSERT INTO visit_counts (node, day, site, dimension, key, count)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(*node)
        .bind(*day)
        .bind(*site)
        .bind(*dimension)
        .bind(*key)
        .bind(*count)
        .execute(&write)
        .await
        .unwrap();
    }
    read
}

async fn march(read: &AnyPool, scope: &Scope, limit: usize) -> Report {
    report(read, scope, day("2026-03-01"), day("2026-03-03"), limit)
        .await
        .unwrap()
}

fn keys(list: &[KeyCount]) -> Vec<(Option<&str>, &str, i64)> {
    list.iter()
        .map(|k| (k.site.as_deref(), k.key.as_str(), k.count))
        .collect()
}

fn totals(pv: i64, uv: i64, visits: i64, single: i64, not_found: i64, bots: i64) -> Totals {
    Totals {
        page_views: pv,
        visitors: uv,
        visits,
        single_page_visits: single,
        not_found,
        bots,
    }
}

#[tokio::test]
async fn every_field_sums_the_nodes_over_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let read = database(dir.path()).await;
    let r = march(&read, &Scope::default(), 20).await;

    assert_eq!(
        (r.from, r.to),
        (Some(day("2026-03-01")), Some(day("2026-03-03")))
    );
    assert_eq!(r.totals, totals(35, 14, 17, 9, 3, 7));
    assert!((r.totals.pages_per_visit() - 35.0 / 17.0).abs() < 1e-9);
    let daily: Vec<_> = r.daily.iter().map(|d| (d.day, d.totals)).collect();
    assert_eq!(
        daily,
        [
            (day("2026-03-01"), totals(15, 6, 7, 3, 3, 7)),
            (day("2026-03-02"), Totals::default()),
            (day("2026-03-03"), totals(20, 8, 10, 6, 0, 0)),
        ],
        "every day of the range, the empty one with zeros"
    );
    let sites: Vec<_> = r
        .sites
        .iter()
        .map(|s| (s.site.as_str(), s.totals))
        .collect();
    assert_eq!(
        sites,
        [
            ("th", totals(20, 8, 10, 6, 0, 0)),
            ("gz", totals(15, 6, 7, 3, 3, 7))
        ],
        "largest page views first"
    );

    // Per-site keys carry their site; ties by key, then site.
    assert_eq!(
        keys(&r.pages),
        [
            (Some("gz"), "/", 11),
            (Some("th"), "/", 11),
            (Some("gz"), "/a", 4)
        ]
    );
    assert_eq!(keys(&r.columns), [(Some("gz"), "news", 8)]);
    assert_eq!(keys(&r.entries), [(Some("gz"), "/", 4)]);
    assert_eq!(keys(&r.exits), [(Some("gz"), "/a", 4)]);
    assert_eq!(keys(&r.paths), [(Some("gz"), "/\t/a", 2)]);
    assert_eq!(
        keys(&r.not_found),
        [(Some("gz"), "/x", 2), (Some("gz"), "/y", 1)]
    );
    // Summed over sites, no site.
    assert_eq!(keys(&r.sources), [(None, "search", 8), (None, "direct", 2)]);
    assert_eq!(
        keys(&r.engines),
        [(None, "必应", 3), (None, "百度", 3)],
        "a tie ordered by key"
    );
    assert_eq!(keys(&r.referrers), [(None, "www.baidu.com", 8)]);
    assert_eq!(keys(&r.devices), [(None, "desktop", 7)]);
    assert_eq!(keys(&r.browsers), [(None, "chrome", 10)]);

    let hours: Vec<_> = r.hours.iter().map(|k| (k.key.as_str(), k.count)).collect();
    assert_eq!(hours.len(), 24);
    for (h, (key, count)) in hours.iter().enumerate() {
        assert_eq!(*key, format!("{h:02}"));
        let expected = match h {
            9 => 26,
            23 => 4,
            _ => 0,
        };
        assert_eq!(*count, expected, "hour {key}");
    }
    assert!(r.hours.iter().all(|k| k.site.is_none()));
    assert_eq!(
        keys(&r.depth),
        [
            (None, "1", 9),
            (None, "2", 1),
            (None, "3", 0),
            (None, "4", 0),
            (None, "5", 0),
            (None, "6-10", 0),
            (None, "11-20", 0),
            (None, "21+", 1),
        ]
    );
}

#[tokio::test]
async fn the_limit_cuts_top_lists_but_not_hours_or_depth() {
    let dir = tempfile::tempdir().unwrap();
    let read = database(dir.path()).await;
    let one = march(&read, &Scope::default(), 1).await;
    assert_eq!(keys(&one.pages), [(Some("gz"), "/", 11)]);
    assert_eq!(keys(&one.sources), [(None, "search", 8)]);
    assert_eq!(keys(&one.not_found), [(Some("gz"), "/x", 2)]);
    assert_eq!((one.hours.len(), one.depth.len()), (24, 8));
    assert_eq!(
        one.totals,
        totals(35, 14, 17, 9, 3, 7),
        "totals are not cut"
    );
    assert_eq!(one.sites.len(), 2, "sites are not cut");

    let none = march(&read, &Scope::default(), 0).await;
    for list in [
        &none.columns,
        &none.pages,
        &none.sources,
        &none.engines,
        &none.referrers,
        &none.entries,
        &none.exits,
        &none.paths,
        &none.devices,
        &none.browsers,
        &none.not_found,
    ] {
        assert!(list.is_empty(), "{list:?}");
    }
    assert_eq!(none.hours.iter().map(|k| k.count).sum::<i64>(), 30);
    assert_eq!(none.depth.iter().map(|k| k.count).sum::<i64>(), 11);
}

#[tokio::test]
async fn a_scope_reads_its_sites_only() {
    let dir = tempfile::tempdir().unwrap();
    let read = database(dir.path()).await;
    let scope = Scope {
        sites: Some(vec!["th".into(), "nosuch".into(), "th".into()]),
    };
    let th = march(&read, &scope, 20).await;
    assert_eq!(th.totals, totals(20, 8, 10, 6, 0, 0));
    let sites: Vec<_> = th
        .sites
        .iter()
        .map(|s| (s.site.as_str(), s.totals.page_views))
        .collect();
    assert_eq!(
        sites,
        [("th", 20), ("nosuch", 0)],
        "a listed site without counts shows"
    );
    assert_eq!(keys(&th.pages), [(Some("th"), "/", 11)]);
    assert_eq!(keys(&th.sources), [(None, "search", 5)]);
    assert!(th.not_found.is_empty() && th.columns.is_empty());
    assert_eq!(th.hours[9].count, 20);
    assert_eq!(th.daily[0].totals, Totals::default());

    let empty = march(
        &read,
        &Scope {
            sites: Some(Vec::new()),
        },
        20,
    )
    .await;
    assert_eq!(empty.totals, Totals::default());
    assert_eq!(empty.daily.len(), 3);
    assert!(empty.sites.is_empty() && empty.pages.is_empty());
    assert_eq!((empty.hours.len(), empty.depth.len()), (24, 8));
    assert!(empty.hours.iter().chain(&empty.depth).all(|k| k.count == 0));

    // One day: only its own rows.
    let fourth = report(
        &read,
        &Scope::default(),
        day("2026-03-04"),
        day("2026-03-04"),
        5,
    )
    .await
    .unwrap();
    assert_eq!(fourth.totals.page_views, 100);
    assert_eq!(fourth.daily.len(), 1);
    assert_eq!(fourth.hours[10].count, 100);
}

#[tokio::test]
async fn ranges_backwards_or_over_three_years_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let read = database(dir.path()).await;
    let all = Scope::default();
    let backwards = report(&read, &all, day("2026-03-03"), day("2026-03-01"), 5).await;
    assert!(
        matches!(backwards, Err(AnalyticsError::Invalid(_))),
        "{backwards:?}"
    );

    let from = day("2024-01-01");
    let longest = from + chrono::Duration::days(MAX_DAYS - 1);
    let r = report(&read, &all, from, longest, 5).await.unwrap();
    assert_eq!(r.daily.len() as i64, MAX_DAYS);
    assert_eq!(r.totals.page_views, 235, "every stored day falls in it");
    let too_long = report(&read, &all, from, longest + chrono::Duration::days(1), 5).await;
    assert!(
        matches!(too_long, Err(AnalyticsError::Invalid(_))),
        "{too_long:?}"
    );
}
