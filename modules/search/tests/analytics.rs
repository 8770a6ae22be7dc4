//! Search analytics over a real SQLite database: counting, flushing, the report (and its
//! JSON shape), publishing the day as an entry, and the levels below at an ancestor.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use govnode_federation::testing::temp_database;
use govnode_federation::{
    Applier, ApplyError, Audience, Entry, EntryDraft, Federation, FederationSettings, NodeKey,
    decode_payload, encode_payload,
};
use govnode_search::analytics::{KIND_PREFIX, QueryAnalytics, QueryReport, beijing_today};
use govnode_topology::NodeId;
use serde_json::json;
use sqlx::{AnyPool, Row as _};

/// The entry kind analytics publish (a wire name: it must not change).
const QUERIES: &str = "analytics.queries";

/// One node: its pools, federation service and analytics.
struct TestNode {
    read: AnyPool,
    write: AnyPool,
    federation: Arc<Federation>,
    analytics: QueryAnalytics,
}

/// A node `id` with a database in `dir`, holding the federation's and search's tables.
async fn open(dir: &Path, id: &str) -> TestNode {
    // As the node does: one writer, several readers (each node in its own directory).
    let (read, write) = temp_database(
        &dir.join(id),
        &[&govnode_federation::MIGRATOR, &govnode_search::MIGRATOR],
    )
    .await;
    let me: NodeId = id.parse().expect("node id");
    let settings = FederationSettings {
        me,
        tier: me.tier(),
        parent: me.implied_parent(),
        aerial_roots: Vec::new(),
        root_key: NodeKey::generate().public_bytes(),
        chain: Vec::new(),
        topology: None,
        batch_entries: 500,
        batch_bytes: 4 << 20,
    };
    let federation = Federation::open(settings, NodeKey::generate(), read.clone(), write.clone())
        .await
        .expect("federation opens");
    let analytics = QueryAnalytics::new(read.clone(), write.clone(), federation.clone());
    TestNode {
        read,
        write,
        federation,
        analytics,
    }
}

/// Adds a stored aggregate directly (days other than today).
async fn insert_day(node: &TestNode, day: &str, site: &str, query: &str, searches: i64) {
    sqlx::query(
        "INSERT INTO search_query_stats (day, site, query, searches, zero_results, results) VALUES ($1, $2, $3, $4, 0, $4)",
    )
    .bind(day)
    .bind(site)
    .bind(query)
    .bind(searches)
    .execute(&node.write)
    .await
    .unwrap();
}

/// The newest analytics entry of the node's own log.
async fn latest_entry(node: &TestNode) -> Entry {
    node.federation
        .log()
        .latest_of_kind(QUERIES)
        .await
        .unwrap()
        .expect("an analytics entry")
}

/// Applies `entry` at `node` as the federation would (inside a transaction).
async fn apply(node: &TestNode, entry: &Entry) -> Result<(), ApplyError> {
    let mut tx = node.write.begin().await.unwrap();
    let payload = entry.payload.as_deref().expect("payload present");
    let result = node
        .analytics
        .applier()
        .apply(&mut tx, entry, payload)
        .await;
    tx.commit().await.unwrap();
    result
}

/// Searches at two sites and outside any site, several of them finding nothing.
fn record_searches(a: &QueryAnalytics) {
    for results in [10, 20, 0] {
        a.record(Some("gd"), "社保", results);
    }
    a.record(Some("gd"), "身份证440101199001011234", 0);
    a.record(Some("sz"), "社保", 5);
    a.record(Some("sz"), "公积金", 4);
    a.record(Some("sz"), " 公积金 ", 4);
    a.record(None, "医保", 0);
    a.record(None, "   ", 3);
}

fn day_before(days: i64) -> String {
    let today = chrono::NaiveDate::parse_from_str(&beijing_today(), "%Y-%m-%d").unwrap();
    (today - chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn recorded_searches_are_reported_after_a_flush() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), "440100").await;
    record_searches(&node.analytics);
    let before = node.analytics.report(None, 30, 20).await.unwrap();
    assert_eq!(before.searches, 0, "nothing is written before a flush");
    assert!(node.analytics.flush().await.unwrap());
    assert!(
        !node.analytics.flush().await.unwrap(),
        "nothing left to write"
    );

    let all = node.analytics.report(None, 30, 20).await.unwrap();
    assert_eq!(all.since, day_before(29));
    assert_eq!((all.days, all.site.as_deref()), (30, None));
    assert_eq!(all.searches, 8, "the blank query is not counted");
    assert_eq!(all.zero_result_searches, 3);
    assert_eq!(all.distinct_queries, 4);
    let top: Vec<_> = all
        .top_queries
        .iter()
        .map(|q| {
            (
                q.query.as_str(),
                q.searches,
                q.zero_results,
                q.average_results,
            )
        })
        .collect();
    assert_eq!(
        top,
        [
            ("社保", 4, 1, 8.75),
            ("公积金", 2, 0, 4.0),
            ("医保", 1, 1, 0.0),
            ("身份证#", 1, 1, 0.0),
        ],
        "most searched first, the ID number masked"
    );
    let zero: Vec<_> = all
        .zero_result_queries
        .iter()
        .map(|q| (q.query.as_str(), q.zero_results))
        .collect();
    assert_eq!(zero, [("医保", 1), ("社保", 1), ("身份证#", 1)]);
    let sites: Vec<_> = all
        .sites
        .iter()
        .map(|s| (s.site.as_str(), s.searches, s.zero_results))
        .collect();
    assert_eq!(sites, [("gd", 4, 2), ("sz", 3, 0), ("", 1, 1)]);
    let below = all.below.expect("all sites: the levels below");
    assert!(below.nodes.is_empty() && below.top_queries.is_empty());

    let gd = node.analytics.report(Some("gd"), 30, 20).await.unwrap();
    assert_eq!(gd.site.as_deref(), Some("gd"));
    assert_eq!(
        (gd.searches, gd.zero_result_searches, gd.distinct_queries),
        (4, 2, 2)
    );
    assert_eq!(gd.top_queries[0].query, "社保");
    assert_eq!(gd.top_queries[0].average_results, 10.0);
    assert_eq!(gd.sites.len(), 1);
    assert!(gd.below.is_none(), "one site: no levels below");

    let limited = node.analytics.report(None, 30, 1).await.unwrap();
    assert_eq!(limited.top_queries.len(), 1);
    assert_eq!(limited.zero_result_queries.len(), 1);
}

#[tokio::test]
async fn flushes_add_up_and_old_days_fall_out_of_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), "440100").await;
    node.analytics.record(Some("gd"), "社保", 1);
    node.analytics.flush().await.unwrap();
    node.analytics.record(Some("gd"), "社保", 3);
    node.analytics.flush().await.unwrap();
    insert_day(&node, &day_before(1), "gd", "社保", 5).await;
    insert_day(&node, "2000-01-01", "gd", "老查询", 7).await;

    let today = node.analytics.report(None, 1, 20).await.unwrap();
    assert_eq!(today.since, beijing_today());
    assert_eq!(today.searches, 2);
    assert_eq!(today.top_queries[0].average_results, 2.0);
    let two_days = node.analytics.report(None, 2, 20).await.unwrap();
    assert_eq!(two_days.searches, 7);
    // Far more days than chrono can subtract: the whole history, not a panic.
    let everything = node.analytics.report(None, i64::MAX, 20).await.unwrap();
    assert_eq!(everything.searches, 14);
}

/// The report as the node built it with `serde_json::json!` before it was typed.
fn former_json(r: &QueryReport) -> serde_json::Value {
    let queries = |qs: &[govnode_search::analytics::QueryCount]| {
        qs.iter()
            .map(|q| {
                json!({
                    "query": q.query, "searches": q.searches,
                    "zero_results": q.zero_results, "average_results": q.average_results,
                })
            })
            .collect::<Vec<_>>()
    };
    let below = match &r.below {
        None => serde_json::Value::Null,
        Some(b) => json!({
            "nodes": b.nodes.iter().map(|n| json!({
                "node": n.node, "searches": n.searches, "zero_results": n.zero_results,
            })).collect::<Vec<_>>(),
            "top_queries": b.top_queries.iter().map(|q| json!({
                "query": q.query, "searches": q.searches, "zero_results": q.zero_results,
            })).collect::<Vec<_>>(),
        }),
    };
    json!({
        "below": below,
        "since": r.since, "days": r.days, "site": r.site,
        "searches": r.searches,
        "zero_result_searches": r.zero_result_searches,
        "distinct_queries": r.distinct_queries,
        "top_queries": queries(&r.top_queries), "zero_result_queries": queries(&r.zero_result_queries),
        "sites": r.sites.iter().map(|s| json!({
            "site": s.site, "searches": s.searches, "zero_results": s.zero_results,
        })).collect::<Vec<_>>(),
    })
}

#[tokio::test]
async fn the_report_serialises_byte_for_byte_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let city = open(dir.path(), "440100").await;
    let district = open(dir.path(), "440103").await;
    record_searches(&city.analytics);
    city.analytics.flush().await.unwrap();
    district.analytics.record(Some("lw"), "户籍", 2);
    district.analytics.flush().await.unwrap();
    district.analytics.publish(&beijing_today()).await.unwrap();
    apply(&city, &latest_entry(&district).await).await.unwrap();

    for site in [None, Some("gd")] {
        let report = city.analytics.report(site, 30, 20).await.unwrap();
        let typed = serde_json::to_string(&report).unwrap();
        assert_eq!(typed, former_json(&report).to_string(), "site {site:?}");
    }
    let gd = serde_json::to_value(city.analytics.report(Some("gd"), 30, 20).await.unwrap());
    assert!(gd.unwrap()["below"].is_null());
    let all = serde_json::to_value(city.analytics.report(None, 30, 20).await.unwrap()).unwrap();
    assert_eq!(all["below"]["nodes"][0]["node"], "440103");
    assert!(all["site"].is_null());
}

#[tokio::test]
async fn publishing_appends_the_day_as_an_up_entry() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), "440103").await;
    node.analytics.publish(&beijing_today()).await.unwrap();
    let none = node.federation.log().latest_of_kind(QUERIES).await.unwrap();
    assert!(none.is_none(), "a day without searches is not published");

    record_searches(&node.analytics);
    node.analytics.flush().await.unwrap();
    let today = beijing_today();
    node.analytics.publish(&today).await.unwrap();
    let entry = latest_entry(&node).await;
    assert!(entry.kind.starts_with(KIND_PREFIX));
    assert_eq!(entry.origin.as_str(), "440103");
    assert_eq!(entry.object, format!("queries:{today}"));
    assert_eq!(entry.audience, Audience::Up, "for the ancestors only");
    // The payload as the node crate wrote it: version 1, (day, rows).
    type Rows = Vec<(String, String, i64, i64, i64)>;
    let (version, (day, rows)): (u8, (String, Rows)) =
        decode_payload(entry.payload.as_deref().unwrap()).unwrap();
    assert_eq!((version, day.as_str()), (1, today.as_str()));
    assert_eq!(rows.len(), 5, "one row per site and query");
    assert_eq!(rows[0], ("gd".into(), "社保".into(), 3, 1, 30));
    assert!(
        rows.windows(2).all(|w| w[0].2 >= w[1].2),
        "most searched first"
    );
}

#[tokio::test]
async fn an_ancestor_keeps_the_latest_day_of_each_node_below() {
    let dir = tempfile::tempdir().unwrap();
    let city = open(dir.path(), "440100").await;
    let district = open(dir.path(), "440103").await;
    district.analytics.record(Some("lw"), "户籍", 2);
    district.analytics.record(Some("lw"), "户籍", 0);
    district.analytics.record(None, "社保", 1);
    district.analytics.flush().await.unwrap();
    district.analytics.publish(&beijing_today()).await.unwrap();
    let first = latest_entry(&district).await;

    apply(&city, &first).await.unwrap();
    let below = |r: QueryReport| {
        let b = r.below.expect("levels below");
        let nodes: Vec<_> = b
            .nodes
            .into_iter()
            .map(|n| (n.node, n.searches, n.zero_results))
            .collect();
        let top: Vec<_> = b
            .top_queries
            .into_iter()
            .map(|q| (q.query, q.searches, q.zero_results))
            .collect();
        (nodes, top)
    };
    let report = city.analytics.report(None, 30, 20).await.unwrap();
    assert_eq!(
        report.searches, 0,
        "the levels below are not the city's own searches"
    );
    let expected = (
        vec![("440103".to_string(), 3, 1)],
        vec![("户籍".to_string(), 2, 1), ("社保".to_string(), 1, 0)],
    );
    assert_eq!(below(report), expected);

    apply(&city, &first).await.unwrap();
    let again = city.analytics.report(None, 30, 20).await.unwrap();
    assert_eq!(
        below(again),
        expected,
        "a re-delivered entry is not counted twice"
    );

    // Later the same day: the new entry holds the whole day and replaces the first.
    district.analytics.record(Some("lw"), "户籍", 5);
    district.analytics.flush().await.unwrap();
    district.analytics.publish(&beijing_today()).await.unwrap();
    let second = latest_entry(&district).await;
    assert!(second.seq > first.seq);
    apply(&city, &second).await.unwrap();
    let later = city.analytics.report(None, 30, 20).await.unwrap();
    assert_eq!(
        below(later),
        (
            vec![("440103".to_string(), 4, 1)],
            vec![("户籍".to_string(), 3, 1), ("社保".to_string(), 1, 0)],
        )
    );
    let stored: i64 = sqlx::query("SELECT COUNT(*) FROM search_query_stats_below")
        .fetch_one(&city.read)
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 2, "one row per site and query of the day");
}

#[tokio::test]
async fn the_applier_refuses_other_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let city = open(dir.path(), "440100").await;
    let district = open(dir.path(), "440103").await;
    let mut tx = district.write.begin().await.unwrap();
    let entry = district
        .federation
        .append(
            &mut tx,
            EntryDraft {
                kind: "analytics.visits".into(),
                object: "visits:2025-01-01".into(),
                audience: Audience::Up,
                payload: encode_payload(1, &("2025-01-01", Vec::<u8>::new())),
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(
        apply(&city, &entry).await,
        Err(ApplyError::Refused(_))
    ));
}

#[tokio::test]
async fn running_flushes_once_more_when_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path(), "440100").await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let analytics = node.analytics.clone();
    let task = tokio::spawn(async move { analytics.run(stopped).await });
    node.analytics.record(Some("gd"), "社保", 1);
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(30), task)
        .await
        .expect("stops promptly")
        .unwrap();
    let report = node.analytics.report(None, 1, 20).await.unwrap();
    assert_eq!(
        report.searches, 1,
        "counted through a clone, written at stop"
    );
}
