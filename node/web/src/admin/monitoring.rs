//! 一网通管: `/admin/monitoring`. Every site the person may see (this node's own and the
//! replicas of the subtree it holds) against the national inspection indicators: its score,
//! 合格 or 单项否决 with the veto items by name, and findings per indicator, failing sites
//! first; a form runs the freshness and interaction checks of a site now. Platform
//! administrators and auditors see every site, a site administrator their sites. The site
//! page and the printable report are in [`super::monitoring_site`], the CSV in
//! [`super::monitoring_csv`].

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use govnode_accounts::{Access, Action, Role};
use govnode_content::{Site, SiteState};
use govnode_monitoring::scorecard::Scorecard;
use govnode_monitoring::{Indicator, SiteSummary};
use serde::{Deserialize, Serialize};

use super::staff::Staff;
use super::{Frame, now_ms, refused, see_other};
use crate::AppState;
use crate::common::places::node_name;
use crate::common::text::url_encode;

/// The console's monitoring routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/monitoring", get(list))
        .route(
            "/admin/monitoring/region-report",
            get(super::monitoring_region::report),
        )
        .route(
            "/admin/monitoring/report.csv",
            get(super::monitoring_csv::csv),
        )
        .route(
            "/admin/monitoring/sites/{site}",
            get(super::monitoring_site::page),
        )
        .route(
            "/admin/monitoring/sites/{site}/report",
            get(super::monitoring_site::report),
        )
        .route("/admin/monitoring/sites/{site}/check", post(check))
}

pub(super) use super::render;

/// The refusal of a failure the person cannot fix.
pub(super) fn internal(frame: &Frame) -> Response {
    refused(
        StatusCode::INTERNAL_SERVER_ERROR,
        frame,
        "系统暂时无法处理，请稍后再试",
        "/admin/monitoring",
    )
}

/// Whether `access` may look at monitoring at all.
pub(super) fn may_open(access: &Access) -> bool {
    access.is_platform_admin()
        || access.holds(Role::Auditor)
        || !access.administered_sites().is_empty()
}

/// Whether `access` may see `site`'s scorecard.
pub(super) fn may_see(access: &Access, site: &str) -> bool {
    access.is_platform_admin() || access.holds(Role::Auditor) || may_check(access, site)
}

/// Whether `access` may run the checks of `site` now (its administrators; auditors only read).
fn may_check(access: &Access, site: &str) -> bool {
    access.is_platform_admin() || access.may(Action::ManageSite, Some(site))
}

/// The refusal of someone who may not use monitoring.
pub(super) fn not_allowed(node: &AppState, staff: &Staff) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        &staff.frame(&node.node),
        "一网通管仅对平台管理员、审计员和站点管理员开放",
        "/admin/",
    )
}

/// The refusal of a site that is not the person's (or does not exist: the same answer, so
/// that nobody learns which sites exist).
pub(super) fn not_theirs(node: &AppState, staff: &Staff) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        &staff.frame(&node.node),
        "您无权查看该站点的监测结果，只能查看您管理的站点",
        "/admin/monitoring",
    )
}

/// One site in the overview and the CSV.
#[derive(Debug, Serialize)]
pub(super) struct SiteRow {
    pub id: String,
    pub url_id: String,
    pub name: String,
    /// The site's region code (GB/T 2260), for the regional report.
    #[serde(skip)]
    pub region: String,
    /// The node it belongs to, for a replica; None for this node's own.
    pub node: Option<String>,
    pub score: String,
    #[serde(skip)]
    pub score_value: f64,
    pub passed: bool,
    /// Veto items by name, once each.
    pub vetoes: Vec<&'static str>,
    /// Findings per indicator, in [`Indicator::ALL`]'s order.
    pub counts: Vec<u32>,
    pub may_check: bool,
}

/// The serving sites `staff` may see, by id.
pub(super) async fn visible_sites(node: &AppState, staff: &Staff) -> Result<Vec<Site>, String> {
    let access = &staff.signed_in.access;
    let listing = node
        .content
        .site_listing()
        .await
        .map_err(|e| e.to_string())?;
    Ok(listing
        .into_iter()
        .filter(|l| l.state == SiteState::Serving && may_see(access, &l.site.id))
        .map(|l| l.site)
        .collect())
}

/// The site `id` if `staff` may see it.
pub(super) async fn visible_site(
    node: &AppState,
    staff: &Staff,
    id: &str,
) -> Result<Option<Site>, String> {
    Ok(visible_sites(node, staff)
        .await?
        .into_iter()
        .find(|s| s.id == id))
}

/// Who the site belongs to, for a replica of a node below.
pub(super) fn replica_of(node: &AppState, origin: &str) -> Option<String> {
    (!origin.is_empty() && origin != node.node.id.as_str())
        .then(|| node_name(node, origin).unwrap_or_else(|| "下级节点".into()))
}

/// A score as shown.
pub(super) fn score_text(score: f64) -> String {
    format!("{score:.0}")
}

/// Every visible site's row, failing sites first, then by score, then by name. What nodes
/// below reported about a site counts too: their veto items (a county's availability, seen
/// by its city), the larger count per indicator, and, for a replica, its own node's score.
pub(super) async fn rows(node: &AppState, staff: &Staff) -> Result<Vec<SiteRow>, String> {
    let access = &staff.signed_in.access;
    let now = now_ms();
    let below: HashMap<String, SiteSummary> = match node.monitoring.below().await {
        Ok(b) => b.into_iter().map(|s| (s.site.clone(), s)).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "monitoring: reading the reports from below failed");
            HashMap::new()
        }
    };
    // Read once for every site (the thresholds in force come from up the tree).
    let thresholds = node
        .monitoring
        .thresholds_in_force()
        .await
        .map_err(|e| e.to_string())?
        .thresholds;
    let mut rows = Vec::new();
    for site in visible_sites(node, staff).await? {
        let findings = node
            .monitoring
            .findings(&site.id)
            .await
            .map_err(|e| e.to_string())?;
        let card = Scorecard::from_findings(&site.id, &findings, &thresholds, now);
        let mut vetoes = card.veto_labels();
        let replica = replica_of(node, &site.origin);
        let mut counts: Vec<u32> = Indicator::ALL.iter().map(|i| card.count(*i)).collect();
        let mut score = card.score;
        if let Some(reported) = below.get(&site.id) {
            for v in reported.veto_labels() {
                if !vetoes.contains(&v) {
                    vetoes.push(v);
                }
            }
            for (i, n) in Indicator::ALL.iter().zip(counts.iter_mut()) {
                if let Some((_, m)) = reported.counts.iter().find(|(c, _)| c == i.code()) {
                    *n = (*n).max(*m);
                }
            }
            // A replica is scored by its own node, which sees all of it.
            if replica.is_some()
                && let Some(s) = reported.score
            {
                score = s;
            }
        }
        rows.push(SiteRow {
            url_id: url_encode(&site.id),
            name: site.name.clone(),
            node: replica,
            score: score_text(score),
            score_value: score,
            passed: vetoes.is_empty(),
            counts,
            may_check: may_check(access, &site.id),
            vetoes,
            region: site.region.clone(),
            id: site.id,
        });
    }
    rows.sort_by(|a, b| {
        a.passed
            .cmp(&b.passed)
            .then(a.score_value.total_cmp(&b.score_value))
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(rows)
}

/// The indicators' names, in the report's order.
pub(super) fn indicator_names() -> Vec<&'static str> {
    Indicator::ALL.iter().map(|i| i.label()).collect()
}

/// The newest alerts of the visible sites (告警), open first.
async fn alert_rows(node: &AppState, rows: &[SiteRow]) -> Vec<serde_json::Value> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let alerts = match node.monitoring.alerts(Some(&ids), 30).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "monitoring: reading alerts failed");
            return Vec::new();
        }
    };
    let now = now_ms();
    alerts
        .into_iter()
        .map(|a| {
            let site = rows.iter().find(|r| r.id == a.site);
            let state = match a.resolved_ms {
                Some(at) => format!("已整改（{}）", govnode_topology::beijing::minute(at)),
                None if a.escalated(now) => "逾期未整改，已报送上级".to_string(),
                None => "待整改".to_string(),
            };
            serde_json::json!({
                "site": site.map_or(a.site.clone(), |r| r.name.clone()),
                "url_id": url_encode(&a.site),
                "indicator": a.indicator.label(),
                "detail": a.detail,
                "opened": govnode_topology::beijing::minute(a.opened_ms),
                "state": state,
                "open": a.resolved_ms.is_none(),
            })
        })
        .collect()
}

/// `GET /admin/monitoring`.
async fn list(State(node): State<AppState>, staff: Staff) -> Response {
    if !may_open(&staff.signed_in.access) {
        return not_allowed(&node, &staff);
    }
    let frame = staff.frame(&node.node);
    let rows = match rows(&node, &staff).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "console: reading scorecards failed");
            return internal(&frame);
        }
    };
    let failing = rows.iter().filter(|r| !r.passed).count();
    let alerts = alert_rows(&node, &rows).await;
    let regions = super::monitoring_region::choices(&node, &rows);
    render(
        StatusCode::OK,
        "monitoring.html",
        &frame,
        serde_json::json!({
            "rows": rows, "indicators": indicator_names(), "failing": failing,
            "platform": staff.signed_in.access.is_platform_admin(), "alerts": alerts,
            "regions": regions,
        }),
    )
}

/// The check form's fields.
#[derive(Debug, Deserialize)]
struct CheckForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/monitoring/sites/{site}/check`: runs the site's freshness and interaction checks
/// now (a replica's freshness only) and records the week's scorecard (the link, content and
/// availability checks run on their own schedule; their current findings count).
async fn check(
    State(node): State<AppState>,
    staff: Staff,
    Path(site): Path<String>,
    Form(f): Form<CheckForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let frame = staff.frame(&node.node);
    let visible = match visible_site(&node, &staff, &site).await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "console: reading sites failed");
            return internal(&frame);
        }
    };
    let Some(visible) = visible else {
        return not_theirs(&node, &staff);
    };
    if !may_check(&staff.signed_in.access, &site) {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "只有平台管理员和该站点的管理员可以立即检查，审计员只能查看结果",
            "/admin/monitoring",
        );
    }
    let now = now_ms();
    let m = &node.monitoring;
    // A replica's letters are filed and answered at its own node, which checks them and
    // reports up; here only what the replica shows (its freshness) is judged.
    let checked = if replica_of(&node, &visible.origin).is_some() {
        match m.check_freshness(&node.content, &site, now).await {
            Ok(_) => m.record_week(&site, now).await.map(|_| ()),
            Err(e) => Err(e),
        }
    } else {
        m.check_site(&node.content, &node.interaction, &site, now)
            .await
            .map(|_| ())
    };
    if let Err(e) = checked {
        tracing::error!(site, error = %e, "console: checking a site failed");
        return internal(&frame);
    }
    see_other(&format!(
        "/admin/monitoring/sites/{}?checked=1",
        url_encode(&site)
    ))
}
