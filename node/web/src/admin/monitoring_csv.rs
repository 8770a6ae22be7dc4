//! `/admin/monitoring/report.csv`: every site the person may see, as in the overview (site
//! name, node, score, result, veto items, findings per indicator), UTF-8 with a byte-order
//! mark so that Excel reads the Chinese.

use axum::extract::State;
use axum::response::Response;

use super::monitoring::{indicator_names, internal, may_open, not_allowed, rows};
use super::staff::Staff;
use crate::AppState;

/// `GET /admin/monitoring/report.csv`.
pub(super) async fn csv(State(node): State<AppState>, staff: Staff) -> Response {
    if !may_open(&staff.signed_in.access) {
        return not_allowed(&node, &staff);
    }
    let rows = match rows(&node, &staff).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "console: reading scorecards failed");
            return internal(&staff.frame(&node.node));
        }
    };
    let mut out = super::csv::document();
    let mut head = vec!["站点", "所属节点", "得分", "检查结果", "单项否决项"];
    head.extend(indicator_names());
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    for r in &rows {
        let mut line = vec![
            super::csv::field(&r.name),
            super::csv::field(r.node.as_deref().unwrap_or("本节点")),
            r.score.clone(),
            (if r.passed { "合格" } else { "单项否决" }).to_string(),
            super::csv::field(&r.vetoes.join("；")),
        ];
        line.extend(r.counts.iter().map(u32::to_string));
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    super::csv::download(out, "monitoring-report.csv")
}
