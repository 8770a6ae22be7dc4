//! Part 2: catch-up of a county's backlog.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use govnode::Node;
use govnode::local_tree::{LocalTree, Member, PlanOptions};
use govnode_content::sanitize::BodyFormat;
use govnode_content::{ArticleInput, ImportDoc};
use govnode_topology::NodeId;
use serde_json::{Value, json};

use crate::Args;
use crate::nodes::{Running, county_site, wait_until};
use crate::util::{cpu_of, mib, proc_mib, reset_peak_rss};

/// A generated notice of a few hundred characters, different per `i`.
fn backlog_doc(i: usize) -> ImportDoc {
    let body = format!(
        "各街道办事处，区政府各部门：\n\n为做好第{i}项重点工作，经区政府同意，现将有关事项通知如下：\n\n\
         一、工作目标。到年底前，完成第{i}项任务的各项指标，群众满意度明显提升。\n\n\
         二、主要任务。（一）摸清底数，建立台账；（二）分类施策，逐项落实；（三）加强督查，定期通报。\n\n\
         三、保障措施。各单位要高度重视，明确分管领导和联络员，于每月5日前报送工作进展。\n\n\
         联系人：王科员，电话：020-3862{:04}。",
        i % 10_000
    );
    ImportDoc {
        key: format!("backlog-{i}"),
        parent_key: None,
        input: ArticleInput {
            title: format!("天河区关于做好第{i}项重点工作的通知"),
            body,
            body_format: BodyFormat::Markdown,
            issuing_body: "广州市天河区人民政府办公室".into(),
            doc_number: format!("穗天府办〔2026〕{i}号"),
            date: "2026-03-01".into(),
            ..ArticleInput::default()
        },
        published_ms: None,
    }
}

/// Entries, payload bytes and approximate wire bytes of `origin`'s log at `node`.
async fn log_of(node: &Node, origin: NodeId, through: u64) -> Result<(u64, u64, u64)> {
    let (mut n, mut payload, mut wire, mut after) = (0u64, 0u64, 0u64, 0u64);
    while after < through {
        let batch = node
            .federation
            .log()
            .entries_after(origin, after, through, 5000)
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.0.seq;
        for (e, _) in &batch {
            n += 1;
            payload += e.payload.as_ref().map_or(0, |p| p.len() as u64);
            wire += e.wire_size() as u64;
        }
    }
    Ok((n, payload, wire))
}

pub(crate) async fn part_catchup(args: &Args) -> Result<Value> {
    let members = vec![
        Member::parse("440000", "广东省", None, &[])?,
        Member::parse("440100", "广州市", Some("440000"), &[])?,
        Member::parse("440106", "天河区", Some("440100"), &[])?,
    ];
    let (province, county) = (members[0].id, members[2].id);
    let base = tempfile::Builder::new()
        .prefix("govnode-bench-catchup-")
        .tempdir()?;
    let plan = LocalTree::create(base.path(), &members, &PlanOptions::default())?;
    // The county, offline: its log grows with nobody to sync with.
    let node = Node::open(plan.nodes[2].config.clone(), &plan.nodes[2].data_dir).await?;
    let site = county_site(&node, county, "天河区").await?;
    eprintln!(
        "catch-up: importing {} documents at the county …",
        args.backlog
    );
    let started = Instant::now();
    let batch = 1000;
    for from in (0..args.backlog).step_by(batch) {
        let docs: Vec<ImportDoc> = (from..(from + batch).min(args.backlog))
            .map(backlog_doc)
            .collect();
        node.content
            .import_batch("bench", &site, "gzdt", &docs, "backlog")
            .await?;
    }
    let import_s = started.elapsed().as_secs_f64();
    node.sync_search().await?;
    let target = node
        .federation
        .heads()
        .await?
        .iter()
        .find(|h| h.origin == county)
        .map_or(0, |h| h.seq);
    let (entries, payload, wire_est) = log_of(&node, county, target).await?;
    let stored: (i64,) =
        sqlx::query_as("SELECT COALESCE(SUM(bytes), 0) FROM fed_entries WHERE origin = $1")
            .bind(county.as_str())
            .fetch_one(&node.db.read)
            .await?;
    eprintln!(
        "catch-up: {entries} entries ({:.0} MiB of payload) imported in {import_s:.1} s; starting the parents …",
        mib(payload)
    );
    let p = Running::open(&plan.nodes[0]).await?;
    let c = Running::open(&plan.nodes[1]).await?;
    wait_until(
        "the city connected to the province",
        Duration::from_secs(60),
        || {
            let ok = c.connected().contains(&province);
            async move { Ok(ok) }
        },
    )
    .await?;
    let rss_before = proc_mib("/proc/self/status", "VmRSS")?;
    let hwm_reset = reset_peak_rss();
    let cpu_before = cpu_of("self");
    let started = Instant::now();
    let k = Running::serve(node).await?;
    let mut peak_sampled = rss_before;
    let mut city_s = None;
    let mut city_bytes = (0, 0, 0, 0);
    let province_s;
    loop {
        peak_sampled = peak_sampled.max(proc_mib("/proc/self/status", "VmRSS")?);
        if city_s.is_none() && c.head(county).await? >= target {
            city_s = Some(started.elapsed().as_secs_f64());
            let (ks, kr) = k.node.sync.get().map_or((0, 0), |s| s.bytes());
            let (cs, cr) = c.node.sync.get().map_or((0, 0), |s| s.bytes());
            city_bytes = (ks, kr, cs, cr);
            eprintln!(
                "catch-up: the city holds the county's log after {:.1} s",
                city_s.unwrap_or(0.0)
            );
        }
        if city_s.is_some() && p.head(county).await? >= target {
            province_s = started.elapsed().as_secs_f64();
            break;
        }
        if started.elapsed() > Duration::from_secs(3600) {
            bail!("catch-up did not finish within an hour");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cpu = cpu_of("self") - cpu_before;
    let hwm = proc_mib("/proc/self/status", "VmHWM")?;
    let city_s = city_s.unwrap_or(f64::NAN);
    let (pc, pr) = p.node.sync.get().map_or((0, 0), |s| s.bytes());
    let city_published = c.node.content.count_published(Some(&site)).await?;
    let result = json!({
        "backlog": args.backlog,
        "entries": entries,
        "target_seq": target,
        "import_s": import_s,
        "payload_bytes": payload,
        "wire_estimate_bytes": wire_est,
        "stored_bytes": stored.0,
        "city_s": city_s,
        "province_s": province_s,
        "county_sent": city_bytes.0, "county_received": city_bytes.1,
        "city_sent": city_bytes.2, "city_received": city_bytes.3,
        "province_sent": pc, "province_received": pr,
        "city_published": city_published,
        "rss_before_mib": rss_before,
        "peak_rss_mib": if hwm_reset { hwm } else { peak_sampled },
        "peak_rss_sampled_mib": peak_sampled,
        "hwm_reset": hwm_reset,
        "cpu_s": cpu,
        "batch_entries": plan.nodes[1].config.federation.as_ref().map_or(0, |f| f.batch_entries),
        "batch_bytes": plan.nodes[1].config.federation.as_ref().map_or(0, |f| f.batch_bytes),
    });
    k.stop().await;
    c.stop().await;
    p.stop().await;
    Ok(result)
}
