//! One-net search as a domain service: scopes resolved against the tree, the shards a
//! node holds searched, a scope it cannot reach answered partially with the missing
//! shards named, hits linked to their owners, and the search counted where it was asked.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use common::doc;
use govnode_federation::testing::temp_database;
use govnode_federation::{BoxFuture, Federation, FederationSettings, NodeKey};
use govnode_search::federated::{FederatedError, SiteDirectory, SiteLink, resolve};
use govnode_search::{
    Change, OneNetSearch, QueryAnalytics, SearchIndex, SearchQuery, SearchRequest,
};
use govnode_topology::{NodeId, Topology};

/// City 440100 of a province with two cities: 440100 (counties 440101, 440102) and
/// 440200 (county 440201).
async fn city(dir: &std::path::Path) -> (Arc<Federation>, QueryAnalytics) {
    let (read, write) = temp_database(
        dir,
        &[&govnode_federation::MIGRATOR, &govnode_search::MIGRATOR],
    )
    .await;
    let me: NodeId = "440100".parse().unwrap();
    let settings = FederationSettings {
        me,
        tier: me.tier(),
        parent: me.implied_parent(),
        aerial_roots: Vec::new(),
        root_key: NodeKey::generate().public_bytes(),
        chain: Vec::new(),
        topology: Some(Topology::synthetic("440000".parse().unwrap(), &[2, 1])),
        batch_entries: 500,
        batch_bytes: 4 << 20,
    };
    let fed = Federation::open(settings, NodeKey::generate(), read.clone(), write.clone())
        .await
        .unwrap();
    let analytics = QueryAnalytics::new(read, write, fed.clone());
    (fed, analytics)
}

/// Sites as a stub content module knows them.
struct Sites(Mutex<HashMap<String, SiteLink>>);

impl SiteDirectory for Sites {
    fn sites(&self) -> BoxFuture<'_, Result<HashMap<String, SiteLink>, String>> {
        let sites = self.0.lock().unwrap().clone();
        Box::pin(async move { Ok(sites) })
    }
}

fn ids(list: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = list.iter().map(String::as_str).collect();
    v.sort();
    v
}

#[tokio::test]
async fn scopes_name_the_shards_held_and_missing() {
    let dir = tempfile::tempdir().unwrap();
    let (fed, _) = city(dir.path()).await;
    let province = resolve(&fed, Some("province"), None).unwrap();
    assert_eq!(
        ids(province.origins.as_ref().unwrap()),
        ["440000", "440100", "440101", "440102"]
    );
    assert_eq!(ids(&province.missing), ["440200", "440201"]);
    let region = resolve(&fed, Some("region:440100"), None).unwrap();
    assert!(region.missing.is_empty(), "{region:?}");
    let cousin = resolve(&fed, Some("region:440200"), None).unwrap();
    assert_eq!(ids(&cousin.missing), ["440200", "440201"]);
    assert_eq!(
        resolve(&fed, Some("node"), None).unwrap().origins,
        Some(vec!["440100".to_string()])
    );
    assert!(matches!(
        resolve(&fed, Some("region:449900"), None),
        Err(FederatedError::NotFound(m)) if m.contains("449900")
    ));
    assert!(matches!(
        resolve(&fed, Some("site"), None),
        Err(FederatedError::Invalid(m)) if m.starts_with("scope:")
    ));
    assert!(matches!(
        resolve(&fed, Some("everywhere"), None),
        Err(FederatedError::Invalid(m)) if m.contains("everywhere")
    ));
}

#[tokio::test]
async fn an_unreachable_scope_is_answered_partially_from_the_held_shards() {
    let dir = tempfile::tempdir().unwrap();
    let (fed, analytics) = city(dir.path()).await;
    let index = Arc::new(SearchIndex::in_memory().unwrap());
    let mut docs = Vec::new();
    for (key, origin, site) in [
        ("gz:1", "440100", "gz"),
        ("th:1", "440101", "th"),
        ("sz:1", "440200", "sz"),
    ] {
        let mut d = doc(
            key,
            "policy",
            "城市更新管理办法",
            "城市更新项目的申报和审批。",
        );
        d.origin = origin.into();
        d.site = site.into();
        d.url = format!("/sites/{site}/articles/1");
        // Published at 00:00 Beijing time on 1 March 2024 (still 29 February in UTC).
        let march = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        d.published = govnode_topology::beijing::midnight_ms(march) / 1000;
        docs.push(Change::Upsert(d));
    }
    index.apply(docs, 3).unwrap();
    let sites = Sites(Mutex::new(HashMap::from([
        (
            "gz".to_string(),
            SiteLink {
                name: "广州市人民政府".into(),
                host: Some("www.gz.gov.cn".into()),
                replica: false,
            },
        ),
        (
            "th".to_string(),
            SiteLink {
                name: "天河区人民政府".into(),
                host: Some("www.thnet.gov.cn".into()),
                replica: true,
            },
        ),
    ])));
    let searched = Arc::new(Mutex::new(0));
    let counter = searched.clone();
    let one_net = OneNetSearch::new(
        index,
        fed,
        Arc::new(OnceLock::new()),
        Arc::new(sites),
        analytics.clone(),
        Some(Arc::new(move |_| *counter.lock().unwrap() += 1)),
    );
    let request = |scope: &str| SearchRequest {
        query: SearchQuery {
            text: "城市更新".into(),
            site: None,
            page: 1,
            per_page: 10,
            ..SearchQuery::default()
        },
        scope: Some(scope.into()),
        level: None,
    };
    // The province's whole tree: this city cannot reach the other city's shards (it does
    // not sync), so it answers from what it holds and says what is missing.
    let answer = one_net.search(request("province")).await.unwrap();
    assert!(answer.partial);
    assert_eq!(ids(&answer.missing), ["440200", "440201"]);
    assert_eq!(answer.answered_by.as_str(), "440100");
    let mut origins: Vec<&str> = answer.hits.iter().map(|h| h.origin.as_str()).collect();
    origins.sort();
    assert_eq!(
        origins,
        ["440100", "440101"],
        "the other city's shard is not held"
    );
    // An own site links here; a replica links to its owner's host.
    let own = answer.hits.iter().find(|h| h.site == "gz").unwrap();
    assert_eq!(own.url, "/sites/gz/articles/1");
    assert_eq!(own.level.as_deref(), Some("city"));
    // Dates are Beijing dates, as the search page shows their first ten characters.
    assert!(
        own.published.starts_with("2024-03-01T00:00:00+08:00"),
        "{}",
        own.published
    );
    let replica = answer.hits.iter().find(|h| h.site == "th").unwrap();
    assert_eq!(replica.url, "https://www.thnet.gov.cn/articles/1");
    assert_eq!(replica.replica_url.as_deref(), Some("/sites/th/articles/1"));
    assert_eq!(answer.facets.site.len(), 2);
    // Its own region is held whole.
    let region = one_net.search(request("region:440100")).await.unwrap();
    assert!(!region.partial && region.missing.is_empty());
    assert_eq!(region.total, 2);
    // Both searches were counted where they were asked, and timed.
    assert_eq!(*searched.lock().unwrap(), 2);
    assert!(analytics.flush().await.unwrap());
    let report = analytics.report(None, 1, 10).await.unwrap();
    assert_eq!(report.searches, 2);
    // A bad scope is refused before anything is searched.
    assert!(matches!(
        one_net.search(request("region:xx")).await,
        Err(FederatedError::Invalid(_))
    ));
}
