//! 办件统计: `/admin/letters/stats`. Per body: letters received, replied, replied on time,
//! overdue, average working days to reply and satisfaction; this node's own bodies and the
//! statistics rolled up from the levels below. Three bar charts (inline SVG, drawn by the
//! interaction module's chart) and the table they are drawn from. Platform administrators
//! and auditors see every body; a handler their bodies and those below them.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use govnode_interaction::BodyStats;
use govnode_interaction::survey::value_chart;
use serde::Serialize;

use super::letters_escalations::{handled, may_oversee, not_allowed, sees_all};
use super::staff::Staff;
use super::{refused, render};
use crate::AppState;
use crate::common::places::node_name;

#[derive(Debug, Serialize)]
struct Row {
    body: String,
    node: String,
    received: u64,
    replied: u64,
    on_time: u64,
    overdue: u64,
    on_time_rate: String,
    average_days: String,
    satisfaction: String,
    rated: u64,
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// `GET /admin/letters/stats`.
pub(super) async fn page(State(node): State<AppState>, staff: Staff) -> Response {
    let access = &staff.signed_in.access;
    if !may_oversee(access) {
        return not_allowed(&node, &staff, "办件统计");
    }
    let frame = staff.frame(&node.node);
    let today = govnode_topology::beijing::today();
    let loaded = async {
        let own = node.interaction.stats(today).await?;
        let below = node.interaction.rolled_up().await?;
        let bodies = node.interaction.bodies().await?;
        Ok::<_, govnode_interaction::InteractionError>((own, below, bodies))
    };
    let (own, below, bodies) = match loaded.await {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(error = %e, "console: reading letter statistics failed");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &frame,
                "系统暂时无法处理，请稍后再试",
                "/admin/",
            );
        }
    };
    let by_id: BTreeMap<&str, (&str, &str)> = bodies
        .iter()
        .map(|b| (b.id.as_str(), (b.name.as_str(), b.superior.as_str())))
        .collect();
    let mine = handled(access);
    let all = sees_all(access);
    let visible = |s: &BodyStats| {
        all || mine.contains(&s.body)
            || by_id
                .get(s.body.as_str())
                .is_some_and(|(_, superior)| mine.iter().any(|m| m == superior))
    };
    let me = node.node.id.to_string();
    let mut stats: Vec<(String, BodyStats)> = own.into_iter().map(|s| (me.clone(), s)).collect();
    stats.extend(below);
    stats.retain(|(_, s)| visible(s));
    let name = |id: &str| {
        by_id
            .get(id)
            .map_or("未知单位".to_string(), |(n, _)| n.to_string())
    };
    let rows: Vec<Row> = stats
        .iter()
        .map(|(n, s)| Row {
            body: name(&s.body),
            node: node_name(&node, n).unwrap_or_else(|| "未知节点".into()),
            received: s.received,
            replied: s.replied,
            on_time: s.on_time,
            overdue: s.overdue,
            on_time_rate: rate(s.on_time, s.replied).map_or("—".into(), |r| format!("{r:.1}%")),
            average_days: if s.replied > 0 {
                format!("{:.1}", s.average_days_to_reply)
            } else {
                "—".into()
            },
            satisfaction: if s.rated > 0 {
                format!("{:.1} 分", s.satisfaction)
            } else {
                "—".into()
            },
            rated: s.rated,
        })
        .collect();
    let names: Vec<String> = stats.iter().map(|(_, s)| name(&s.body)).collect();
    let most = stats.iter().map(|(_, s)| s.received).max().unwrap_or(0) as f64;
    let received: Vec<(&str, f64, String)> = stats
        .iter()
        .zip(&names)
        .map(|((_, s), n)| (n.as_str(), s.received as f64, format!("{} 件", s.received)))
        .collect();
    let on_time: Vec<(&str, f64, String)> = stats
        .iter()
        .zip(&names)
        .map(|((_, s), n)| {
            let r = rate(s.on_time, s.replied);
            (
                n.as_str(),
                r.unwrap_or(0.0),
                r.map_or("尚无答复".into(), |r| format!("{r:.1}%")),
            )
        })
        .collect();
    let satisfaction: Vec<(&str, f64, String)> = stats
        .iter()
        .zip(&names)
        .map(|((_, s), n)| {
            if s.rated > 0 {
                (
                    n.as_str(),
                    s.satisfaction,
                    format!("{:.1} 分", s.satisfaction),
                )
            } else {
                (n.as_str(), 0.0, "尚无评价".into())
            }
        })
        .collect();
    let charts = if rows.is_empty() {
        Vec::new()
    } else {
        vec![
            value_chart("stats-received", "各单位收到来信（件）", &received, most),
            value_chart("stats-on-time", "各单位按时答复率", &on_time, 100.0),
            value_chart(
                "stats-satisfaction",
                "各单位满意度（满分 5 分）",
                &satisfaction,
                5.0,
            ),
        ]
    };
    render(
        StatusCode::OK,
        "letters_stats.html",
        &frame,
        serde_json::json!({ "rows": rows, "charts": charts }),
    )
}
