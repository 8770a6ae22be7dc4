//! Counters up the tree over real SQLite databases: nodes publish their growing counters of
//! a day as entries, the province applies them in shuffled order with duplicates, and its
//! report sums each node's latest counts; what a node sends (here) and what an ancestor
//! refuses ([`refusals`]).

mod refusals;

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use govnode_analytics::report::report;
use govnode_analytics::rollup::{DAY_KIND, SiteCounters};
use govnode_analytics::{DayCounters, Scope, Settings, Totals, Visits};
use govnode_federation::testing::temp_database;
use govnode_federation::{
    Applier, ApplyError, Audience, Entry, Federation, FederationSettings, NodeKey,
};
use govnode_topology::{NodeId, Topology};
use sqlx::{AnyPool, Row as _};

/// Province 440000; city 440100 with counties 440101 and 440102; city 440200 with 440201.
fn tree() -> Topology {
    Topology::synthetic("440000".parse().unwrap(), &[2, 1])
}

struct TestNode {
    read: AnyPool,
    write: AnyPool,
    federation: Arc<Federation>,
    visits: Visits,
}

/// Node `id` in `dir/id`, knowing the whole tree.
async fn open(dir: &Path, id: &str, settings: Settings) -> TestNode {
    let (read, write) = temp_database(
        &dir.join(id),
        &[&govnode_federation::MIGRATOR, &govnode_analytics::MIGRATOR],
    )
    .await;
    let me: NodeId = id.parse().unwrap();
    let federation = Federation::open(
        FederationSettings {
            me,
            tier: me.tier(),
            parent: me.implied_parent(),
            aerial_roots: Vec::new(),
            root_key: NodeKey::generate().public_bytes(),
            chain: Vec::new(),
            topology: Some(tree()),
            batch_entries: 500,
            batch_bytes: 4 << 20,
        },
        NodeKey::generate(),
        read.clone(),
        write.clone(),
    )
    .await
    .unwrap();
    let visits = Visits::new(read.clone(), write.clone(), federation.clone(), settings);
    TestNode {
        read,
        write,
        federation,
        visits,
    }
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Counts `n` more at `node` as its flush would (its own rows), `site` owned by `owner`.
async fn count(
    node: &TestNode,
    day: &str,
    (site, owner): (&str, &str),
    dim: &str,
    key: &str,
    n: i64,
) {
    sqlx::query(
        "INSERT INTO visit_counts (node, day, site, dimension, key, count) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (node, day, site, dimension, key) DO UPDATE SET count = visit_counts.count + excluded.count",
    )
    .bind(node.federation.me().as_str())
    .bind(day)
    .bind(site)
    .bind(dim)
    .bind(key)
    .bind(n)
    .execute(&node.write)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO visit_sites (site, owner) VALUES ($1, $2) ON CONFLICT (site) DO NOTHING",
    )
    .bind(site)
    .bind(owner)
    .execute(&node.write)
    .await
    .unwrap();
}

async fn latest_entry(node: &TestNode) -> Entry {
    node.federation
        .log()
        .latest_of_kind(DAY_KIND)
        .await
        .unwrap()
        .expect("a visits entry")
}

/// Applies `entry` at `node` as the federation does, inside a transaction.
async fn apply(node: &TestNode, entry: &Entry) -> Result<(), ApplyError> {
    let mut tx = node.write.begin().await.unwrap();
    let payload = entry.payload.as_deref().expect("payload present");
    let result = node.visits.applier().apply(&mut tx, entry, payload).await;
    tx.commit().await.unwrap();
    result
}

/// Every counter held at `pool` for counting node `node`, in order.
async fn rows_of(pool: &AnyPool, node: &str) -> Vec<(String, String, String, String, i64)> {
    sqlx::query(
        "SELECT day, site, dimension, key, count FROM visit_counts WHERE node = $1
         ORDER BY day, site, dimension, key",
    )
    .bind(node)
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
    .collect()
}

/// Fisher–Yates with a xorshift generator (deterministic for a seed).
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut x = seed | 1;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        items.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

const D1: &str = "2026-03-01";
const D2: &str = "2026-03-02";

#[tokio::test]
async fn the_province_sums_each_nodes_latest_counts_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let city = open(dir.path(), "440100", Settings::default()).await;
    let tianhe = open(dir.path(), "440101", Settings::default()).await;
    let yuexiu = open(dir.path(), "440102", Settings::default()).await;
    let senders = [&city, &tianhe, &yuexiu];

    // Three rounds of counting, each published: every entry holds the day so far.
    let mut entries = Vec::new();
    for round in 1..=3i64 {
        count(&tianhe, D1, ("th", "440101"), "pv", "", 10 * round).await;
        count(
            &tianhe,
            D1,
            ("th", "440101"),
            "page",
            &format!("/p{round}"),
            round,
        )
        .await;
        count(&tianhe, D1, ("th", "440101"), "hour", "09", 10 * round).await;
        count(&yuexiu, D1, ("yx", "440102"), "pv", "", 3).await;
        count(&yuexiu, D1, ("yx", "440102"), "uv", "", 1).await;
        // The city counts its own site and the replica it serves of Tianhe's.
        count(&city, D1, ("gz", "440100"), "pv", "", 7 * round).await;
        count(&city, D1, ("th", "440101"), "pv", "", round).await;
        count(&city, D1, ("th", "440101"), "page", "/p1", round).await;
        if round > 1 {
            count(&tianhe, D2, ("th", "440101"), "visits", "", round).await;
            count(&tianhe, D2, ("th", "440101"), "depth", "1", round).await;
        }
        for node in senders {
            for d in [D1, D2] {
                if node.visits.publish(day(d)).await.unwrap() {
                    entries.push(latest_entry(node).await);
                }
            }
        }
    }
    assert_eq!(
        entries.len(),
        3 * 3 + 2,
        "one entry per node, day and round counted"
    );
    assert!(
        !tianhe.visits.publish(day(D1)).await.unwrap(),
        "an unchanged day is not sent again"
    );

    // The nodes' latest counts, summed as the province should see them.
    let range = (day(D1), day(D2));
    let mut expected = Totals::default();
    let mut expected_hours = vec![0; 24];
    for node in senders {
        let own = report(&node.read, &Scope::default(), range.0, range.1, 50)
            .await
            .unwrap();
        expected.page_views += own.totals.page_views;
        expected.visitors += own.totals.visitors;
        expected.visits += own.totals.visits;
        expected.single_page_visits += own.totals.single_page_visits;
        for (h, k) in own.hours.iter().enumerate() {
            expected_hours[h] += k.count;
        }
    }
    assert_eq!(
        expected,
        Totals {
            page_views: 60 + 9 + 42 + 6,
            visitors: 3,
            visits: 5,
            single_page_visits: 5,
            not_found: 0,
            bots: 0,
        }
    );

    for seed in [1u64, 7, 2026] {
        let province = open(
            &dir.path().join(format!("seed{seed}")),
            "440000",
            Settings::default(),
        )
        .await;
        // Every entry, some twice or three times, in a shuffled order.
        let mut delivery: Vec<&Entry> = entries
            .iter()
            .chain(&entries[..4])
            .chain(&entries[2..3])
            .collect();
        shuffle(&mut delivery, seed);
        for entry in delivery {
            apply(&province, entry).await.unwrap();
        }
        for node in senders {
            let me = node.federation.me();
            assert_eq!(
                rows_of(&province.read, me.as_str()).await,
                rows_of(&node.read, me.as_str()).await,
                "seed {seed}: the province holds {me}'s latest counters"
            );
        }
        let r = report(&province.read, &Scope::default(), range.0, range.1, 50)
            .await
            .unwrap();
        assert_eq!(r.totals, expected, "seed {seed}");
        let hours: Vec<i64> = r.hours.iter().map(|k| k.count).collect();
        assert_eq!(hours, expected_hours, "seed {seed}");
        let sites: Vec<_> = r
            .sites
            .iter()
            .map(|s| (s.site.as_str(), s.totals.page_views))
            .collect();
        assert_eq!(sites, [("th", 66), ("gz", 42), ("yx", 9)], "seed {seed}");
        let pages: Vec<_> = r.pages.iter().map(|k| (k.key.as_str(), k.count)).collect();
        assert_eq!(pages, [("/p1", 7), ("/p3", 3), ("/p2", 2)], "seed {seed}");
        let owners: Vec<(String, String)> =
            sqlx::query("SELECT site, owner FROM visit_sites ORDER BY site")
                .fetch_all(&province.read)
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
        let owners: Vec<_> = owners
            .iter()
            .map(|(s, o)| (s.as_str(), o.as_str()))
            .collect();
        assert_eq!(
            owners,
            [("gz", "440100"), ("th", "440101"), ("yx", "440102")]
        );
    }
}

#[tokio::test]
async fn a_node_sends_its_own_day_with_the_top_detail_keys_once_per_change() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        publish_top: 2,
        ..Settings::default()
    };
    let node = open(dir.path(), "440101", settings).await;
    assert!(
        !node.visits.publish(day(D1)).await.unwrap(),
        "nothing counted, nothing sent"
    );

    let th = ("th", "440101");
    count(&node, D1, th, "pv", "", 12).await;
    for (page, n) in [("/a", 5), ("/b", 3), ("/c", 1), ("/d", 3)] {
        count(&node, D1, th, "page", page, n).await;
    }
    for column in ["news", "notice", "policy"] {
        count(&node, D1, th, "column", column, 1).await;
    }
    count(&node, D1, th, "page", &"x".repeat(513), 9).await;
    // A sibling's site is not this node's to count: left out, not refused above.
    count(&node, D1, ("yx", "440102"), "pv", "", 4).await;
    // Another node's rows (arrived from below) are not sent on.
    sqlx::query("INSERT INTO visit_counts (node, day, site, dimension, key, count) VALUES ('440199', $1, 'th', 'pv', '', 50)")
        .bind(D1)
        .execute(&node.write)
        .await
        .unwrap();

    assert!(node.visits.publish(day(D1)).await.unwrap());
    let entry = latest_entry(&node).await;
    assert_eq!(entry.origin.as_str(), "440101");
    assert_eq!((entry.kind.as_str(), entry.object.as_str()), (DAY_KIND, D1));
    assert_eq!(entry.audience, Audience::Up, "for the ancestors only");
    let payload = entry.payload.as_deref().unwrap();
    assert_eq!(payload[0], 1, "payload version 1");
    let counters = DayCounters::decode(payload).unwrap();
    assert_eq!(
        counters,
        DayCounters {
            day: D1.into(),
            sites: vec![SiteCounters {
                site: "th".into(),
                owner: "440101".into(),
                counts: [
                    ("column", "news", 1),
                    ("column", "notice", 1),
                    ("column", "policy", 1),
                    ("page", "/a", 5),
                    ("page", "/b", 3),
                    ("pv", "", 12),
                ]
                .iter()
                .map(|(d, k, n)| (d.to_string(), k.to_string(), *n))
                .collect(),
            }],
        },
        "detail cut to the 2 largest (ties by key), other dimensions whole"
    );
    let digest: String = sqlx::query("SELECT digest FROM visit_published WHERE day = $1")
        .bind(D1)
        .fetch_one(&node.read)
        .await
        .unwrap()
        .get(0);
    assert_eq!(digest, blake3::hash(payload).to_hex().to_string());

    assert!(!node.visits.publish(day(D1)).await.unwrap(), "unchanged");
    count(&node, D1, th, "page", "/c", 1).await;
    assert!(
        !node.visits.publish(day(D1)).await.unwrap(),
        "a change outside the top list sends nothing"
    );
    count(&node, D1, th, "pv", "", 1).await;
    assert!(node.visits.publish(day(D1)).await.unwrap());
    let again = latest_entry(&node).await;
    assert!(again.seq > entry.seq);
    assert!(
        !node.visits.publish(day(D2)).await.unwrap(),
        "another day has nothing"
    );
}
