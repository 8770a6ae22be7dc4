//! Search scopes over the tree: which shards a node holds, and partial answers naming
//! what is missing.

use govnode_tests::{StatusCode, TestTree};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scopes_cover_the_shards_a_node_holds_and_name_the_missing_ones() {
    let mut tree = TestTree::one_two_four().await;
    for (node, site, title) in [
        ("440000", "gd", "广东省社会保险基金监督办法"),
        ("440100", "gz", "广州市社会保险经办规程"),
        ("440106", "tianhe", "天河区社会保险业务指南"),
        ("440303", "luohu", "罗湖区社会保险服务通知"),
    ] {
        let n = tree.node(node);
        n.site(site, site).await;
        n.column(site, "news", "动态", "news").await;
        let staff = n.staff(site).await;
        n.publish(
            site,
            &staff,
            json!({ "column": "news", "title": title, "body": "社会保险" }),
        )
        .await;
    }
    // The province holds every shard: the province scope is whole there.
    let all = tree
        .wait_search("440000", &[("q", "社会保险"), ("scope", "province")], 4)
        .await;
    assert_eq!(all["partial"], false, "{all}");
    assert_eq!(all["total"], 4);
    // A region at the province: only that subtree's documents.
    let r = tree
        .node("440000")
        .search_with(&[("q", "社会保险"), ("scope", "region:440100")])
        .await;
    assert_eq!(r["total"], 2, "{r}");
    assert!(
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| ["440100", "440106"].contains(&h["origin"].as_str().unwrap()))
    );

    // A county does not hold the province: its query goes to the root, which answers whole.
    let county = tree
        .wait_search("440106", &[("q", "社会保险"), ("scope", "province")], 4)
        .await;
    assert_eq!(county["partial"], false, "{county}");
    assert_eq!(county["answered_by"], "440000");
    // Another city's region: answered by the lowest common ancestor (the root here).
    let r = tree
        .node("440106")
        .search_with(&[("q", "社会保险"), ("scope", "region:440300")])
        .await;
    assert_eq!(
        (r["total"].as_u64(), r["answered_by"].as_str()),
        (Some(1), Some("440000")),
        "{r}"
    );
    assert_eq!(r["hits"][0]["origin"], "440303");
    // Its own city's region is answered by the city.
    let r = tree
        .node("440106")
        .search_with(&[("q", "社会保险"), ("scope", "region:440100")])
        .await;
    assert_eq!(
        (r["total"].as_u64(), r["answered_by"].as_str()),
        (Some(2), Some("440100")),
        "{r}"
    );

    let own = tree
        .node("440106")
        .search_with(&[("q", "社会保险"), ("scope", "node")])
        .await;
    assert_eq!(own["total"], 1);
    assert_eq!(own["hits"][0]["origin"], "440106");
    let site = tree
        .node("440106")
        .search_with(&[("q", "社会保险"), ("scope", "site"), ("site", "gd")])
        .await;
    assert_eq!(site["total"], 1);

    // Shards and their freshness.
    let shards = tree.node("440106").get("/api/search/shards").await.json();
    let held: Vec<(&str, &str)> = shards["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["shard"].as_str().unwrap(), s["held_as"].as_str().unwrap()))
        .collect();
    assert_eq!(
        held,
        vec![
            ("440000", "lineage"),
            ("440100", "lineage"),
            ("440106", "own")
        ],
        "{shards}"
    );
    assert!(shards["shards"][2]["documents"].as_i64().unwrap() >= 1);

    // Bad scopes are named.
    for (scope, status) in [
        ("planet", StatusCode::BAD_REQUEST),
        ("region:44", StatusCode::BAD_REQUEST),
        ("region:450000", StatusCode::NOT_FOUND),
        ("site", StatusCode::BAD_REQUEST),
    ] {
        let r = tree
            .node("440106")
            .get(&format!("/api/search?q=社保&scope={scope}"))
            .await;
        assert_eq!(r.status, status, "{scope}: {}", r.text);
        assert!(r.text.contains("scope"), "{}", r.text);
    }
    // The root down: the county answers from its own and lineage shards, saying what is missing.
    tree.stop("440000").await;
    let county = tree
        .node("440106")
        .search_with(&[("q", "社会保险"), ("scope", "province")])
        .await;
    assert_eq!(county["partial"], true, "{county}");
    assert_eq!(county["answered_by"], "440106");
    assert_eq!(
        county["total"], 3,
        "own, city and province shards held here: {county}"
    );
    let mut missing: Vec<&str> = county["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    missing.sort();
    assert_eq!(
        missing,
        vec!["440103", "440300", "440303", "440304"],
        "{county}"
    );
    // The search page says so, naming what is missing, and still lists what is held.
    let page = tree
        .node("440106")
        .get("/sites/tianhe/search?q=社会保险&scope=province")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("搜索结果不完整"), "{}", page.text);
    assert!(page.text.contains("440303"), "{}", page.text);
    assert!(page.text.contains("天河区社会保险业务指南"));
    tree.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dictionary_change_at_the_province_reaches_a_county_and_changes_its_results() {
    let tree = TestTree::one_two_four().await;
    let county = tree.node("440106");
    county.site("tianhe", "天河区人民政府").await;
    county.column("tianhe", "bszn", "办事指南", "guide").await;
    let staff = county.staff("tianhe").await;
    county
        .publish(
            "tianhe",
            &staff,
            json!({ "column": "bszn", "title": "个体工商户登记办事指南", "body": "申请个体工商户登记，应当提交经营者身份证明。" }),
        )
        .await;
    // No entry yet: the colloquial phrase finds nothing.
    let before = county
        .search_with(&[("q", "开小店"), ("scope", "node")])
        .await;
    assert_eq!(before["total"], 0, "{before}");

    let province = tree.node("440000");
    let admin = province
        .token(govnode_tests::Role::PlatformAdmin, None, "platform")
        .await;
    let r = province
        .call(
            govnode_tests::Method::PUT,
            "/api/admin/search/synonyms/开小店",
            Some(&admin),
            Some(json!({ "official": ["个体工商户登记"], "category": "business" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let version = r.json()["version"].as_u64().unwrap();
    assert!(
        version > 300,
        "the shipped dictionary is version 1..n: {}",
        r.text
    );

    // The signed entry travels down; the county's results change.
    let after = tree
        .wait_search("440106", &[("q", "开小店"), ("scope", "node")], 1)
        .await;
    assert_eq!(after["hits"][0]["title"], "个体工商户登记办事指南");
    assert_eq!(after["expansions"][0]["from"], "开小店");

    // The county sees the province's versions, and adds an entry of its own…
    let county_admin = county
        .token(govnode_tests::Role::PlatformAdmin, None, "county-platform")
        .await;
    let list = county
        .call(
            govnode_tests::Method::GET,
            "/api/admin/search/synonyms",
            Some(&county_admin),
            None,
        )
        .await
        .json();
    assert_eq!(list["versions"]["440000"], version, "{}", list["versions"]);
    let r = county
        .call(
            govnode_tests::Method::PUT,
            "/api/admin/search/synonyms/办执照",
            Some(&county_admin),
            Some(json!({ "official": ["个体工商户登记"] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["versions"]["440106"], 1);
    assert_eq!(
        county
            .search_with(&[("q", "办执照"), ("scope", "node")])
            .await["total"],
        1
    );
    // …which the province does not search with (it is not in the province's lineage).
    let at_root = tree.wait_search("440000", &[("q", "个体工商户")], 1).await;
    assert_eq!(at_root["total"], 1);
    assert_eq!(province.search_with(&[("q", "办执照")]).await["total"], 0);

    // A removal at the province reaches the county too.
    let r = province
        .call(
            govnode_tests::Method::DELETE,
            "/api/admin/search/synonyms/开小店",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    tree.wait_for("removal at the county", || async {
        county
            .search_with(&[("q", "开小店"), ("scope", "node")])
            .await["total"]
            == 0
    })
    .await;
    // The county's search analytics roll up to the province as aggregates.
    tree.wait_for("the county's query aggregates at the province", || async {
        let r = province
            .call(
                govnode_tests::Method::GET,
                "/api/admin/search/queries?days=2",
                Some(&admin),
                None,
            )
            .await
            .json();
        r["below"]["nodes"]
            .as_array()
            .is_some_and(|n| n.iter().any(|x| x["node"] == "440106"))
            && r["below"]["top_queries"].to_string().contains("开小店")
    })
    .await;
    tree.shutdown().await;
}

/// Issue 11: a tree enrolled as the README shows, without `[[topology.nodes]]`, still
/// answers the province and region scopes over every shard the province holds (the tree
/// drawn from the certificates), instead of 0 hits that claim to be whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scopes_follow_the_certified_tree_when_no_topology_is_configured() {
    let m = |id, name, parent| govnode_tests::tree::Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    let tree = TestTree::start_without_topology(vec![
        m("440000", "广东省", None),
        m("440100", "广州市", Some("440000")),
        m("440106", "天河区", Some("440100")),
    ])
    .await;
    for (node, site, title) in [
        ("440100", "gz", "广州市养老保险经办规程"),
        ("440106", "tianhe", "天河区养老保险业务指南"),
    ] {
        let n = tree.node(node);
        n.site(site, site).await;
        n.column(site, "news", "动态", "news").await;
        let staff = n.staff(site).await;
        n.publish(
            site,
            &staff,
            json!({ "column": "news", "title": title, "body": "养老保险" }),
        )
        .await;
    }
    let all = tree
        .wait_search("440000", &[("q", "养老保险"), ("scope", "province")], 2)
        .await;
    assert_eq!(all["partial"], false, "{all}");
    assert_eq!(all["total"], 2, "{all}");
    let county = tree
        .node("440000")
        .search_with(&[("q", "养老保险"), ("scope", "region:440106")])
        .await;
    assert_eq!(county["total"], 1, "{county}");
    assert_eq!(county["hits"][0]["origin"], "440106", "{county}");
    let city = tree
        .node("440000")
        .search_with(&[("q", "养老保险"), ("scope", "region:440100")])
        .await;
    assert_eq!(city["total"], 2, "{city}");
    tree.shutdown().await;
}
