//! `/admin/monitoring/report.csv`: every site the person may see, as in the overview (site
//! name, node, score, result, veto items, findings per indicator), UTF-8 with a byte-order
//! mark so that Excel reads the Chinese.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::monitoring::{indicator_names, internal, may_open, not_allowed, rows};
use super::staff::Staff;
use crate::AppState;

/// One CSV field, quoted when it must be (RFC 4180); a leading formula character is
/// neutralised so that a spreadsheet never runs a site's name.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

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
    let mut out = String::from("\u{feff}");
    let mut head = vec!["站点", "所属节点", "得分", "检查结果", "单项否决项"];
    head.extend(indicator_names());
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    for r in &rows {
        let mut line = vec![
            field(&r.name),
            field(r.node.as_deref().unwrap_or("本节点")),
            r.score.clone(),
            (if r.passed { "合格" } else { "单项否决" }).to_string(),
            field(&r.vetoes.join("；")),
        ];
        line.extend(r.counts.iter().map(u32::to_string));
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    let mut resp = (StatusCode::OK, out).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"monitoring-report.csv\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(field("广东省人民政府"), "广东省人民政府");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=1+1"), "'=1+1");
    }
}
