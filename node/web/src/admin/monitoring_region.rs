//! The printable inspection report of a region (`/admin/monitoring/region-report?region=`):
//! every site the person may see whose region lies in it, as the overview scores them — the
//! totals, each region one level down, the failing sites with their veto items, every
//! site's result and the problems per indicator. The inspectors' quarterly check is per
//! province, city and county; this is the page a platform team prints before it.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_topology::NodeId;
use serde::{Deserialize, Serialize};

use super::monitoring::{SiteRow, indicator_names, internal, may_open, not_allowed, rows};
use super::staff::Staff;
use super::{now_ms, refused, render, shown};
use crate::AppState;
use crate::common::places;

/// The report's query.
#[derive(Debug, Deserialize)]
pub(super) struct RegionQuery {
    #[serde(default)]
    region: String,
}

/// A region the overview offers a report for.
#[derive(Debug, Serialize)]
pub(super) struct RegionChoice {
    code: String,
    name: String,
}

/// The region's chain from the top down to itself (the tree's when it knows the region,
/// else what the code implies).
fn chain(node: &AppState, id: NodeId) -> Vec<NodeId> {
    let tree = node.federation.topology();
    let mut chain = if tree.contains(id) {
        tree.ancestors(id)
    } else {
        id.implied_ancestors()
    };
    chain.reverse();
    chain.push(id);
    chain
}

/// A region's full name (广东省深圳市), or 未知地区 when this node knows no name for it.
fn full_name(node: &AppState, code: &str) -> String {
    match places::node_name(node, code) {
        Some(_) => places::region_name(node, code).unwrap_or_else(|| "未知地区".into()),
        None => "未知地区".into(),
    }
}

/// The regions the person's sites lie in, with every region above them, by code.
pub(super) fn choices(node: &AppState, rows: &[SiteRow]) -> Vec<RegionChoice> {
    let mut codes: BTreeMap<String, ()> = BTreeMap::new();
    for r in rows {
        if let Ok(id) = r.region.parse::<NodeId>() {
            for c in chain(node, id) {
                codes.insert(c.as_str().to_string(), ());
            }
        }
    }
    codes
        .into_keys()
        .filter(|c| places::node_name(node, c).is_some())
        .map(|code| RegionChoice {
            name: full_name(node, &code),
            code,
        })
        .collect()
}

/// A group of sites in the report (the region itself, or one region below it).
#[derive(Debug, Default, Serialize)]
struct Tally {
    name: String,
    sites: usize,
    failing: usize,
    average: String,
    #[serde(skip)]
    total: f64,
}

impl Tally {
    fn add(&mut self, row: &SiteRow) {
        self.sites += 1;
        self.failing += usize::from(!row.passed);
        self.total += row.score_value;
        self.average = format!("{:.1}", self.total / self.sites as f64);
    }
}

/// `GET /admin/monitoring/region-report?region=440300`.
pub(super) async fn report(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<RegionQuery>,
) -> Response {
    if !may_open(&staff.signed_in.access) {
        return not_allowed(&node, &staff);
    }
    let frame = staff.frame(&node.node);
    let region: NodeId = match q.region.trim().parse() {
        Ok(r) => r,
        Err(_) if q.region.trim().is_empty() => {
            return refused(
                StatusCode::BAD_REQUEST,
                &frame,
                "请选择要生成检查报告的地区",
                "/admin/monitoring",
            );
        }
        Err(_) => {
            return refused(
                StatusCode::BAD_REQUEST,
                &frame,
                &format!(
                    "“{}”不是有效的行政区划代码，请从一网通管页面选择地区",
                    q.region.trim()
                ),
                "/admin/monitoring",
            );
        }
    };
    let all = match rows(&node, &staff).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "console: reading scorecards failed");
            return internal(&frame);
        }
    };
    let mut total = Tally {
        name: full_name(&node, region.as_str()),
        ..Tally::default()
    };
    // Keyed by code so that regions come in code order, the region's own sites first.
    let mut below: BTreeMap<String, Tally> = BTreeMap::new();
    let mut counts = vec![(0u32, 0usize); indicator_names().len()];
    let mut sites = Vec::new();
    for row in &all {
        let Ok(id) = row.region.parse::<NodeId>() else {
            continue;
        };
        let chain = chain(&node, id);
        let Some(at) = chain.iter().position(|c| *c == region) else {
            continue;
        };
        total.add(row);
        let (key, name) = match chain.get(at + 1) {
            Some(next) => (
                next.as_str().to_string(),
                places::node_name(&node, next.as_str()).unwrap_or_else(|| "未知地区".into()),
            ),
            None => (String::new(), format!("{}本级", total.name)),
        };
        below
            .entry(key)
            .or_insert_with(|| Tally {
                name,
                ..Tally::default()
            })
            .add(row);
        for (slot, n) in counts.iter_mut().zip(&row.counts) {
            slot.0 += n;
            slot.1 += usize::from(*n > 0);
        }
        sites.push(serde_json::json!({
            "name": row.name,
            "region": full_name(&node, &row.region),
            "node": row.node,
            "score": row.score,
            "passed": row.passed,
            "vetoes": row.vetoes,
        }));
    }
    let problems: Vec<serde_json::Value> = indicator_names()
        .into_iter()
        .zip(counts)
        .filter(|(_, (n, _))| *n > 0)
        .map(|(name, (n, sites))| serde_json::json!({ "indicator": name, "count": n, "sites": sites }))
        .collect();
    render(
        StatusCode::OK,
        "monitoring_region.html",
        &frame,
        serde_json::json!({
            "region": total.name,
            "generated": shown(now_ms()),
            "total": total,
            "below": below.into_values().collect::<Vec<_>>(),
            "sites": sites,
            "problems": problems,
        }),
    )
}
