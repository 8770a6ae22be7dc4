//! What an ancestor refuses, and the larger count winning whatever the order, with entries
//! made here rather than published by a node.

use govnode_analytics::report::report;
use govnode_analytics::rollup::{DAY_KIND, MAX_ROWS, SiteCounters};
use govnode_analytics::{DayCounters, Scope, Settings};
use govnode_federation::{ApplyError, Audience, Entry, EntryDraft, NodeKey, encode_payload};
use sqlx::Row as _;

use super::{D1, apply, day, open, rows_of};

/// An entry of `origin` with `payload`, signed by some key (the applier trusts the
/// federation for signatures).
fn entry(origin: &str, kind: &str, payload: Vec<u8>) -> Entry {
    Entry::sign(
        &NodeKey::generate(),
        origin.parse().unwrap(),
        1,
        1,
        EntryDraft {
            kind: kind.into(),
            object: D1.into(),
            audience: Audience::Up,
            payload,
        },
    )
}

fn counters(day: &str, site: &str, owner: &str, counts: Vec<(&str, String, i64)>) -> Vec<u8> {
    DayCounters {
        day: day.into(),
        sites: vec![SiteCounters {
            site: site.into(),
            owner: owner.into(),
            counts: counts
                .into_iter()
                .map(|(d, k, n)| (d.to_string(), k, n))
                .collect(),
        }],
    }
    .encode()
}

#[tokio::test]
async fn the_province_refuses_counters_out_of_place_or_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let province = open(dir.path(), "440000", Settings::default()).await;
    let pv = |n| vec![("pv", String::new(), n)];
    let many: Vec<_> = (0..=MAX_ROWS)
        .map(|k| ("page", format!("/{k}"), 1))
        .collect();
    // (why, origin, day, site, owner, counters)
    let cases = vec![
        ("this node's own", "440000", D1, "gd", "440000", pv(1)),
        ("no such day", "440101", "2026-02-30", "th", "440101", pv(1)),
        ("a loose day", "440101", "2026-3-1", "th", "440101", pv(1)),
        (
            "an unknown dimension",
            "440101",
            D1,
            "th",
            "440101",
            vec![("clicks", String::new(), 1)],
        ),
        (
            "an overlong key",
            "440101",
            D1,
            "th",
            "440101",
            vec![("page", "x".repeat(513), 1)],
        ),
        ("a negative count", "440101", D1, "th", "440101", pv(-1)),
        ("too many counters", "440101", D1, "th", "440101", many),
        ("a sibling's site", "440101", D1, "yx", "440102", pv(1)),
        ("its parent's site", "440101", D1, "gz", "440100", pv(1)),
        ("another city's county", "440100", D1, "hz", "440201", pv(1)),
        (
            "an owner that is no node",
            "440101",
            D1,
            "th",
            "tianhe",
            pv(1),
        ),
        ("an empty site id", "440101", D1, "", "440101", pv(1)),
    ];
    let mut refused: Vec<(&str, Entry)> = cases
        .into_iter()
        .map(|(why, origin, day, site, owner, counts)| {
            (
                why,
                entry(origin, DAY_KIND, counters(day, site, owner, counts)),
            )
        })
        .collect();
    let good = counters(D1, "th", "440101", pv(1));
    refused.push(("another kind", entry("440101", "visits.other", good)));
    refused.push((
        "not a payload",
        entry("440101", DAY_KIND, vec![1, 0xff, 0xff]),
    ));
    let v2 = encode_payload(2, &(D1, 0u8));
    refused.push(("another version", entry("440101", DAY_KIND, v2)));
    for (why, e) in &refused {
        let result = apply(&province, e).await;
        assert!(
            matches!(result, Err(ApplyError::Refused(_))),
            "{why}: {result:?}"
        );
    }
    let held: i64 = sqlx::query("SELECT COUNT(*) FROM visit_counts")
        .fetch_one(&province.read)
        .await
        .unwrap()
        .get(0);
    assert_eq!(held, 0, "nothing of a refused entry is written");

    // Within the rules: a key of exactly 512 bytes; a city's replica of its county's site.
    let longest = entry(
        "440101",
        DAY_KIND,
        counters(D1, "th", "440101", vec![("page", "x".repeat(512), 2)]),
    );
    apply(&province, &longest).await.unwrap();
    let replica = entry("440100", DAY_KIND, counters(D1, "th", "440101", pv(5)));
    apply(&province, &replica).await.unwrap();
    assert_eq!(rows_of(&province.read, "440101").await.len(), 1);
    assert_eq!(
        rows_of(&province.read, "440100").await,
        [(D1.into(), "th".into(), "pv".into(), String::new(), 5)]
    );

    // A site of the province's own keeps its owner whatever a node below says of it.
    sqlx::query("INSERT INTO visit_sites (site, owner) VALUES ('gd', '440000')")
        .execute(&province.write)
        .await
        .unwrap();
    let claim = entry("440101", DAY_KIND, counters(D1, "gd", "440101", pv(1)));
    apply(&province, &claim).await.unwrap();
    let owners: Vec<(String, String)> =
        sqlx::query("SELECT site, owner FROM visit_sites ORDER BY site")
            .fetch_all(&province.read)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    assert_eq!(
        owners,
        [
            ("gd".into(), "440000".into()),
            ("th".into(), "440101".into())
        ]
    );
}

#[tokio::test]
async fn an_earlier_entry_after_a_later_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let province = open(dir.path(), "440000", Settings::default()).await;
    let snapshot = |pv: i64, page: i64| {
        counters(
            D1,
            "th",
            "440101",
            vec![
                ("pv", String::new(), pv),
                ("page", "/a".into(), page),
                ("page", "/a".into(), 1),
            ],
        )
    };
    let held = || async {
        let rows = rows_of(&province.read, "440101").await;
        rows.into_iter()
            .map(|(_, _, d, k, n)| (d, k, n))
            .collect::<Vec<_>>()
    };
    let later = [
        ("page".into(), "/a".into(), 4),
        ("pv".into(), String::new(), 9),
    ];
    // The later entry first, the earlier one after it, then the later one again.
    for (pv, page) in [(9, 4), (5, 2), (9, 4)] {
        let e = entry("440101", DAY_KIND, snapshot(pv, page));
        apply(&province, &e).await.unwrap();
        assert_eq!(
            held().await,
            later,
            "after ({pv}, {page}): the larger count stays"
        );
    }
    // Another node's counters of the same site add up beside them.
    apply(&province, &entry("440100", DAY_KIND, snapshot(3, 1)))
        .await
        .unwrap();
    let r = report(&province.read, &Scope::default(), day(D1), day(D1), 5)
        .await
        .unwrap();
    assert_eq!(r.totals.page_views, 12);
    assert_eq!(r.pages[0].count, 5);
}
