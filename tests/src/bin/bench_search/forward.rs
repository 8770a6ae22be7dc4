//! Part 5: `GET /api/search?scope=province` at a county, which holds only its lineage's and
//! its own shards and so forwards the query to the root over the federation, against the
//! same query answered locally at the province.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use govnode_tests::TestNode;
use govnode_tests::tree::{Member, TestTree};
use serde_json::{Value, json};

use crate::Args;
use crate::parts::inputs;
use crate::util::stats;

/// Documents published at the province.
const PUBLISHED: usize = 200;

/// The tree: two cities; county 440106 reaches the root through its city only, county
/// 440103 also has the root as an aerial root (a direct link).
fn members() -> Vec<Member> {
    let m = |id, name, parent: Option<&'static str>, aerial: Vec<&'static str>| Member {
        id,
        name,
        parent,
        aerial,
    };
    vec![
        m("440000", "广东省", None, vec![]),
        m("440100", "广州市", Some("440000"), vec![]),
        m("440300", "深圳市", Some("440000"), vec![]),
        m("440106", "天河区", Some("440100"), vec![]),
        m("440103", "荔湾区", Some("440100"), vec!["440000"]),
        m("440303", "罗湖区", Some("440300"), vec![]),
    ]
}

/// One timed `GET /api/search?q=…&scope=province`; returns milliseconds and the answer.
async fn timed(node: &TestNode, q: &str) -> Result<(f64, Value)> {
    let started = Instant::now();
    let r = node
        .http
        .get(node.url("/api/search"))
        .query(&[("q", q), ("scope", "province")])
        .send()
        .await
        .context("search request")?;
    let status = r.status();
    let body = r.bytes().await.context("search body")?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    if !status.is_success() {
        bail!("search `{q}` answered {status}");
    }
    Ok((ms, serde_json::from_slice(&body)?))
}

/// Part 5: starts the tree, publishes at the province and times the three paths.
pub(crate) async fn part_forward(args: &Args) -> Result<Value> {
    let (corpus, queries) = inputs(args)?;
    eprintln!("forward: starting a tree of 6 nodes …");
    let tree = TestTree::start(members()).await;
    let root = tree.node("440000");
    root.site("gd", "广东省人民政府").await;
    root.column("gd", "news", "政策法规", "news").await;
    let staff = root.staff("gd").await;
    // Articles spread over the corpus, so the query mix finds some of them.
    let stride = (corpus.articles.len() / PUBLISHED).max(1);
    eprintln!("forward: publishing {PUBLISHED} articles at the province …");
    for a in corpus.articles.iter().step_by(stride).take(PUBLISHED) {
        let article = json!({ "column": "news", "title": a.title, "body": a.body });
        root.publish("gd", &staff, article).await;
    }
    // Queries that find something at the province (all of them if none does).
    let mut texts = Vec::new();
    for q in &queries {
        if timed(root, &q.text()).await?.1["total"].as_u64() > Some(0) {
            texts.push(q.text());
        }
    }
    if texts.is_empty() {
        texts = queries.iter().map(|q| q.text()).collect();
    }
    eprintln!(
        "forward: {} queries with hits; {} requests per path …",
        texts.len(),
        args.samples
    );
    let paths = [
        ("440000", "local"),
        ("440106", "via city"),
        ("440103", "aerial"),
    ];
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); paths.len()];
    let mut totals = Vec::new();
    // One warm-up round, then until every path has its samples.
    let mut i = 0;
    while samples[0].len() < args.samples {
        let q = &texts[i % texts.len()];
        let mut answers = Vec::new();
        for (p, (id, _)) in paths.iter().enumerate() {
            let (ms, answer) = timed(tree.node(id), q).await?;
            if answer["partial"] != false || answer["answered_by"] != "440000" {
                bail!("scope=province at {id} was not answered whole by the root: {answer}");
            }
            if i >= texts.len() {
                samples[p].push(ms);
            }
            answers.push(answer["total"].as_u64().unwrap_or(0));
        }
        if answers.iter().any(|t| *t != answers[0]) {
            bail!("`{q}`: the paths disagree on the total: {answers:?}");
        }
        if i < texts.len() {
            totals.push(answers[0]);
        }
        i += 1;
    }
    let result = json!({
        "published": PUBLISHED,
        "queries": texts.len(),
        "median_total": crate::util::median(totals),
        "paths": paths.iter().zip(samples).map(|((id, name), s)| json!({
            "node": id, "path": name, "latency": stats(s),
        })).collect::<Vec<_>>(),
    });
    eprintln!("forward: stopping …");
    tree.shutdown().await;
    Ok(result)
}
