//! The merge law, as a property: however a log is cut into batches, reordered and
//! duplicated on the way, every receiver ends in the same state as one that got it in
//! order (idempotent, order-independent; last writer wins per object, tombstones stick).

use std::collections::BTreeMap;
use std::sync::Arc;

use govnode::config::{FederationSection, Link};
use govnode::{Config, Node};
use govnode_federation::{Certificate, Entry};
use govnode_tests::TestNode;
use proptest::prelude::*;
use serde_json::json;
use sqlx::Row as _;

/// A county's log with creates, revisions, a withdrawal and a site shutdown.
async fn source_log() -> (Vec<Entry>, Vec<Certificate>, [u8; 32]) {
    let county = TestNode::start_as("440106", "天河区").await;
    county.site("tianhe", "天河区人民政府").await;
    county.column("tianhe", "news", "工作动态", "news").await;
    county
        .column("tianhe", "notice", "通知公告", "notice")
        .await;
    let staff = county.staff("tianhe").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let a = county
            .publish(
                "tianhe",
                &staff,
                json!({ "column": "news", "title": format!("工作动态第{i}期"), "body": "……" }),
            )
            .await;
        ids.push(a["id"].as_i64().unwrap());
    }
    // Revise a live article twice (each republication is a newer write of the same object).
    for round in 0..2 {
        let id = ids[0];
        let r = county
            .call(
                govnode_tests::Method::PUT,
                &format!("/api/admin/articles/{id}"),
                Some(&staff.editor),
                Some(json!({ "title": format!("工作动态第0期（修订{round}）"), "body": "更正" })),
            )
            .await;
        assert_eq!(r.status, govnode_tests::StatusCode::OK, "{}", r.text);
        for (who, action) in [
            (&staff.editor, "submit"),
            (&staff.reviewer, "approve"),
            (&staff.reviewer, "publish"),
        ] {
            let r = county
                .post(
                    &format!("/api/admin/articles/{id}/{action}"),
                    who,
                    json!({}),
                )
                .await;
            assert_eq!(r.status, govnode_tests::StatusCode::OK, "{}", r.text);
        }
    }
    let r = county
        .post(
            &format!("/api/admin/articles/{}/withdraw", ids[1]),
            &staff.reviewer,
            json!({ "reason": "信息有误" }),
        )
        .await;
    assert_eq!(r.status, govnode_tests::StatusCode::OK, "{}", r.text);
    let fed = &county.node.federation;
    let me = fed.me();
    let head = fed.log().version_vector().await.unwrap().get(me);
    let entries = fed
        .log()
        .entries_after(me, 0, head, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    let chain = fed.own_chain();
    let key = county.node.key.public_bytes();
    county.stop().await;
    (entries, chain, key)
}

/// Opens a receiver (the county's city) trusting the county's standalone root key.
async fn receiver(root: [u8; 32], dir: &std::path::Path) -> Arc<Node> {
    let mut config = Config::new("440100".parse().unwrap(), "广州市");
    config.federation = Some(FederationSection {
        tier: None,
        listen: "127.0.0.1:0".parse().unwrap(),
        root_key: root.iter().map(|b| format!("{b:02x}")).collect(),
        parent: Some(Link {
            id: "440000".parse().unwrap(),
            address: "127.0.0.1:9".parse().unwrap(),
        }),
        aerial_roots: vec![],
        certificate: "node.certs".into(),
        anti_entropy_secs: 30,
        batch_entries: 500,
        batch_bytes: 4 << 20,
    });
    Node::open(config, dir).await.unwrap()
}

/// What a reader sees: every published row, and the log head with its digest.
async fn state(
    node: &Node,
) -> (
    BTreeMap<(String, i64), (String, i64, i64, String)>,
    Vec<(String, u64, String)>,
) {
    let rows = sqlx::query(
        "SELECT site_id, article_id, title, revision, withdrawn, withdraw_reason FROM published",
    )
    .fetch_all(&node.db.read)
    .await
    .unwrap();
    let published = rows
        .iter()
        .map(|r| {
            (
                (r.get::<String, _>(0), r.get::<i64, _>(1)),
                (
                    r.get::<String, _>(2),
                    r.get::<i64, _>(3),
                    r.get::<i64, _>(4),
                    r.get::<String, _>(5),
                ),
            )
        })
        .collect();
    let heads = node
        .federation
        .heads()
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.origin.to_string(), h.seq, h.digest))
        .collect();
    (published, heads)
}

#[test]
fn any_batching_order_and_duplication_converges_to_the_in_order_state() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (entries, chain, root) = rt.block_on(source_log());
    assert_eq!(
        entries.len(),
        10,
        "site, 2 columns, 4 publications, 2 revisions, 1 withdrawal"
    );
    let reference = rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let node = receiver(root, dir.path()).await;
        node.federation
            .ingest("test", entries.clone(), chain.clone())
            .await
            .unwrap();
        let s = state(&node).await;
        node.close().await;
        s
    });
    assert!(
        reference.0.values().any(|v| v.0.contains("修订1")),
        "the last revision wins: {:?}",
        reference.0
    );
    assert!(
        reference.0.values().any(|v| v.2 == 1 && v.3 == "信息有误"),
        "the tombstone holds"
    );

    let n = entries.len();
    let strategy = (
        Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        proptest::collection::vec(0..n, 0..8),
        1..6usize,
    );
    let config = ProptestConfig {
        cases: 6,
        ..ProptestConfig::default()
    };
    proptest!(config, |((order, dups, batch) in strategy)| {
        let mut arrivals: Vec<Entry> = order.iter().map(|i| entries[*i].clone()).collect();
        for d in &dups {
            arrivals.insert(d % arrivals.len(), entries[*d].clone());
        }
        let got = rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let node = receiver(root, dir.path()).await;
            for chunk in arrivals.chunks(batch) {
                node.federation.ingest("test", chunk.to_vec(), chain.clone()).await.unwrap();
            }
            let s = state(&node).await;
            node.close().await;
            s
        });
        prop_assert_eq!(&got, &reference);
    });
}
