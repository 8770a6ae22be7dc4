//! Part 1: propagation latency on a Guangdong-sized tree.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use govnode::local_tree::{LocalTree, Member, PlanOptions};
use govnode_topology::{NodeId, Topology};
use serde_json::{Value, json};

use crate::Args;
use crate::nodes::{Running, county_site, publish, wait_until};
use crate::util::{Rng, Stats, fds, nofile_limits, proc_field, proc_mib};

/// Milliseconds from `published` until `holder` holds `origin`'s log through `target`,
/// checked whenever its log changes.
async fn arrival(holder: &Running, origin: NodeId, target: u64, published: Instant) -> Result<f64> {
    let mut changes = holder.node.federation.subscribe();
    loop {
        changes.borrow_and_update();
        if holder.head(origin).await? >= target {
            return Ok(published.elapsed().as_secs_f64() * 1e3);
        }
        let me = holder.node.federation.me();
        tokio::time::timeout(Duration::from_secs(60), changes.changed())
            .await
            .with_context(|| format!("{me} never received {origin}#{target}"))??;
    }
}

pub(crate) async fn part_latency(args: &Args) -> Result<Value> {
    let province: NodeId = "440000".parse()?;
    let topology = Topology::synthetic(province, &args.counties);
    let members = Member::from_topology(&topology);
    let counties: Vec<&Member> = members.iter().filter(|m| m.parent.is_some()).collect();
    let counties: Vec<&Member> = counties
        .into_iter()
        .filter(|m| topology.children(m.id).is_empty() && m.tier == govnode_topology::Tier::County)
        .collect();
    let base = tempfile::Builder::new()
        .prefix("govnode-bench-tree-")
        .tempdir()?;
    let plan = LocalTree::create(base.path(), &members, &PlanOptions::default())?;
    let n = plan.nodes.len();
    eprintln!("latency: starting {n} nodes …");
    let started = Instant::now();
    let mut nodes: BTreeMap<NodeId, Running> = BTreeMap::new();
    for p in &plan.nodes {
        match Running::open(p).await {
            Ok(r) => {
                nodes.insert(p.member.id, r);
            }
            Err(e) => {
                return Ok(json!({
                    "failed": format!("node {} of {n} ({}) did not start: {e:#}", nodes.len() + 1, p.member.id),
                    "started": nodes.len(), "fds": fds("self"),
                    "rss_mib": proc_mib("/proc/self/status", "VmRSS")?,
                }));
            }
        }
    }
    let start_s = started.elapsed().as_secs_f64();
    eprintln!("latency: {n} nodes open in {start_s:.1} s; connecting …");
    let connect = wait_until(
        "every node connected to its parent",
        Duration::from_secs(120),
        || {
            let ended: Vec<String> = nodes
                .iter()
                .filter(|(_, r)| r.task.is_finished())
                .map(|(id, _)| id.to_string())
                .collect();
            let ok = plan.nodes.iter().all(|p| match p.member.parent {
                None => true,
                Some(parent) => nodes[&p.member.id].connected().contains(&parent),
            });
            async move {
                if !ended.is_empty() {
                    bail!(
                        "the server of {} ended early (its sync or HTTP listener could not bind?)",
                        ended.join(", ")
                    );
                }
                Ok(ok)
            }
        },
    )
    .await
    .map_err(|e| {
        let missing: Vec<String> = plan
            .nodes
            .iter()
            .filter(|p| {
                p.member
                    .parent
                    .is_some_and(|parent| !nodes[&p.member.id].connected().contains(&parent))
            })
            .map(|p| {
                let peers = nodes[&p.member.id]
                    .node
                    .sync
                    .get()
                    .map(|s| s.peers())
                    .unwrap_or_default();
                format!("{} (peers: {peers:?})", p.member.id)
            })
            .collect();
        e.context(format!(
            "{} not connected to their parent: {}",
            missing.len(),
            missing.join("; ")
        ))
    })?;
    eprintln!(
        "latency: connected in {:.1} s; creating county sites …",
        connect.as_secs_f64()
    );
    let mut sites = BTreeMap::new();
    for m in &counties {
        sites.insert(m.id, county_site(&nodes[&m.id].node, m.id, &m.name).await?);
    }
    let root = &nodes[&province];
    let settle = wait_until(
        "the province holding every county's log",
        Duration::from_secs(600),
        || async {
            for m in &counties {
                let own = nodes[&m.id].head(m.id).await?;
                if root.head(m.id).await? < own {
                    return Ok(false);
                }
            }
            Ok(true)
        },
    )
    .await?;
    eprintln!(
        "latency: settled in {:.1} s; {} samples …",
        settle.as_secs_f64(),
        args.samples
    );
    let after_start = json!({
        "rss_mib": proc_mib("/proc/self/status", "VmRSS")?,
        "hwm_mib": proc_mib("/proc/self/status", "VmHWM")?,
        "fds": fds("self"),
        "threads": proc_field("/proc/self/status", "Threads")?,
    });
    let mut rng = Rng::seeded();
    let (mut to_city, mut to_province) = (Vec::new(), Vec::new());
    for i in 0..args.samples {
        let county = counties[rng.below(counties.len())];
        let city = county.parent.expect("a county has a parent");
        let at = &nodes[&county.id];
        publish(
            &at.node,
            &sites[&county.id],
            format!("{}关于第{i}批政务信息公开的通知", county.name),
        )
        .await?;
        let published = Instant::now();
        let target = at.head(county.id).await?;
        let (c, p) = tokio::join!(
            arrival(&nodes[&city], county.id, target, published),
            arrival(root, county.id, target, published)
        );
        to_city.push(c?);
        to_province.push(p?);
        if (i + 1) % 50 == 0 {
            eprintln!("latency: {} samples", i + 1);
        }
        // A short, varying pause: samples do not arrive in lockstep with anti-entropy.
        tokio::time::sleep(Duration::from_millis(10 + rng.below(40) as u64)).await;
    }
    let result = json!({
        "nodes": n,
        "cities": args.counties.len(),
        "counties": counties.len(),
        "counties_per_city": args.counties,
        "start_s": start_s,
        "connect_s": connect.as_secs_f64(),
        "settle_s": settle.as_secs_f64(),
        "after_start": after_start,
        "hwm_mib_end": proc_mib("/proc/self/status", "VmHWM")?,
        "nofile": nofile_limits(),
        "city": Stats::of(to_city).json(),
        "province": Stats::of(to_province).json(),
    });
    eprintln!("latency: stopping …");
    for (_, r) in nodes.into_iter().rev() {
        r.stop().await;
    }
    Ok(result)
}
