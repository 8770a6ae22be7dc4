//! Forged, altered, unchained and unauthorised entries are rejected one by one, counted
//! and logged, and the rest of the batch is applied.

use govnode_federation::{Audience, Certificate, Entry, EntryDraft, NodeKey, encode_payload};
use govnode_tests::tree::Member;
use govnode_tests::{StatusCode, TestTree};
use govnode_topology::{NodeId, Tier};
use serde_json::json;

fn id(s: &str) -> NodeId {
    s.parse().unwrap()
}

fn three() -> Vec<Member> {
    let m = |id, name, parent: Option<&'static str>| Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    vec![
        m("440000", "广东省", None),
        m("440100", "广州市", Some("440000")),
        m("440103", "荔湾区", Some("440100")),
        m("440106", "天河区", Some("440100")),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_entries_are_rejected_and_the_rest_of_the_batch_applies() {
    let tree = TestTree::start(three()).await;
    // Content at 440106 that the province will receive in a hand-made batch.
    let county = tree.node("440106");
    county.site("tianhe", "天河区人民政府").await;
    county.column("tianhe", "news", "工作动态", "news").await;
    let staff = county.staff("tianhe").await;
    let a = county
        .publish("tianhe", &staff, json!({ "column": "news", "title": "天河区召开安全生产工作会议", "body": "会议要求……" }))
        .await;
    let path = format!("/sites/tianhe/articles/{}", a["id"]);
    tree.wait_page("440000", &path).await;
    let fed = &county.node.federation;
    let head = fed.log().version_vector().await.unwrap().get(id("440106"));
    let legit: Vec<Entry> = fed
        .log()
        .entries_after(id("440106"), 0, head, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    let article = legit
        .iter()
        .find(|e| e.kind == "content.article")
        .unwrap()
        .clone();

    // 1. Forged: claims origin 440106, signed by a key that is not 440106's.
    let rogue = NodeKey::generate();
    let forged = Entry::sign(
        &rogue,
        id("440106"),
        head + 1,
        article.hlc + 1,
        EntryDraft {
            kind: article.kind.clone(),
            object: article.object.clone(),
            audience: Audience::Public,
            payload: article.payload.clone().unwrap(),
        },
    );
    // 2. Relay-altered: a genuine entry whose payload a relay changed.
    let mut altered = article.clone();
    altered.payload = Some(encode_payload(1, &"篡改后的内容"));
    // 3. Unchained: a node certified by a fake "city" key that the root never certified.
    let fake_city = NodeKey::generate();
    let stranger = NodeKey::generate();
    let now = chrono::Utc::now().timestamp_millis();
    let stranger_cert = Certificate::issue(
        &fake_city,
        id("440100"),
        id("440111"),
        Tier::County,
        stranger.public_bytes(),
        Some(id("440100")),
        now - 1000,
        now + 86_400_000,
    );
    let unchained = Entry::sign(
        &stranger,
        id("440111"),
        1,
        article.hlc + 2,
        EntryDraft {
            kind: "content.site".into(),
            object: "fake".into(),
            audience: Audience::Public,
            payload: vec![1, 2, 3],
        },
    );
    // 4. A genuine node (440103) writing to a site it does not own (440106's).
    let liwan = &tree.node("440103").node;
    let liwan_head = tree
        .node("440000")
        .node
        .federation
        .log()
        .version_vector()
        .await
        .unwrap()
        .get(id("440103"));
    let claim = Entry::sign(
        &liwan.key,
        id("440103"),
        liwan_head + 1,
        article.hlc + 3,
        EntryDraft {
            kind: article.kind.clone(),
            object: article.object.clone(),
            audience: Audience::Public,
            payload: article.payload.clone().unwrap(),
        },
    );

    // A fresh province-side view: ingest at the city a batch mixing all of them with a
    // legitimate newer entry from 440106.
    let b = county
        .publish(
            "tianhe",
            &staff,
            json!({ "column": "news", "title": "天河区发布防汛应急预案", "body": "……" }),
        )
        .await;
    let new_head = fed.log().version_vector().await.unwrap().get(id("440106"));
    let fresh: Vec<Entry> = fed
        .log()
        .entries_after(id("440106"), head, new_head, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    let mut batch = vec![forged, altered, unchained, claim];
    batch.extend(fresh);
    let mut certs = vec![stranger_cert];
    certs.extend(liwan.federation.own_chain());
    let report = tree
        .node("440000")
        .node
        .federation
        .ingest("test-relay", batch, certs)
        .await
        .unwrap();
    assert_eq!(report.rejected.len(), 3, "{report:?}");

    let province = tree.node("440000");
    // The legitimate part of the batch applied (or had already arrived by sync).
    let b_path = format!("/sites/tianhe/articles/{}", b["id"]);
    tree.wait_page("440000", &b_path).await;
    // The claimed write never replaced 440106's article.
    let page = province.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("安全生产工作会议"));

    let status = province.get("/api/federation/status").await.json();
    let by_reason = &status["rejected"]["by_reason"];
    for reason in [
        "bad-signature",
        "bad-hash",
        "unchained-certificate",
        "refused",
    ] {
        assert!(
            by_reason[reason].as_u64().unwrap_or(0) >= 1,
            "{reason}: {status}"
        );
    }
    let detail = status["rejected"]["recent"].to_string();
    assert!(detail.contains("belongs to 440106"), "{detail}");
    let metrics = province.get("/metrics").await.text;
    assert!(
        metrics.contains("govnode_federation_rejected_entries_total{reason=\"bad-signature\"}"),
        "{metrics}"
    );
    tree.shutdown().await;
}
