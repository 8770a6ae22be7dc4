//! 一网通管 › 监测指标阈值 (platform administrators): `/admin/monitoring/thresholds`. The
//! thresholds in force and the level that set them; saving sets this level's, which every
//! level below uses unless it sets its own.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use govnode_monitoring::thresholds::{FIELDS, ThresholdsInForce};
use govnode_monitoring::{MonitoringError, Thresholds};
use serde::{Deserialize, Serialize};

use super::staff::Staff;
use super::{refused, render, see_other};
use crate::AppState;
use crate::common::places::node_name;

/// Only platform administrators set thresholds.
fn may_use(staff: &Staff) -> bool {
    staff.signed_in.access.is_platform_admin()
}

fn not_allowed(node: &AppState, staff: &Staff) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        &staff.frame(&node.node),
        "监测指标阈值仅对平台管理员开放",
        "/admin/",
    )
}

#[derive(Debug, Serialize)]
struct Row {
    field: &'static str,
    label: &'static str,
    unit: &'static str,
    value: String,
}

/// `?done=saved`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Done {
    done: String,
}

/// Where the thresholds in force come from, as staff read it.
fn source(node: &AppState, force: &ThresholdsInForce) -> String {
    match &force.origin {
        None => "国家检查指标默认值".to_string(),
        Some(o) if *o == node.node.id.to_string() => "本节点设置".to_string(),
        Some(o) => format!(
            "上级节点（{}）设置",
            node_name(node, o).unwrap_or_else(|| o.clone())
        ),
    }
}

async fn show(
    node: &AppState,
    staff: &Staff,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
    kept: &[(String, String)],
) -> Response {
    let mut frame = staff.frame(&node.node);
    frame.notice = notice;
    let force = node
        .monitoring
        .thresholds_in_force()
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "console: reading the thresholds failed");
            ThresholdsInForce {
                thresholds: Thresholds::default(),
                origin: None,
                set_by: None,
                at_ms: None,
            }
        });
    let values = force.thresholds.values();
    let rows: Vec<Row> = FIELDS
        .iter()
        .map(|(field, label, unit)| Row {
            field,
            label,
            unit,
            value: kept
                .iter()
                .find(|(k, _)| k == field)
                .map(|(_, v)| v.clone())
                .or_else(|| {
                    values
                        .iter()
                        .find(|(f, _)| f == field)
                        .map(|(_, v)| v.clone())
                })
                .unwrap_or_default(),
        })
        .collect();
    render(
        status,
        "monitoring_thresholds.html",
        &frame,
        serde_json::json!({ "error": error, "rows": rows, "source": source(node, &force) }),
    )
}

/// `GET /admin/monitoring/thresholds`.
async fn page(State(node): State<AppState>, staff: Staff, Query(done): Query<Done>) -> Response {
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let notice = (done.done == "saved")
        .then(|| "已保存监测指标阈值，本节点及未自行设置的下级节点按此监测".to_string());
    show(&node, &staff, StatusCode::OK, None, notice, &[]).await
}

/// `POST /admin/monitoring/thresholds`: `csrf` and one field per threshold.
async fn save(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, super::staff::form_field(&fields, "csrf")) {
        return r;
    }
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let force = match node.monitoring.thresholds_in_force().await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "console: reading the thresholds failed");
            let text = "读取监测指标阈值未成功，请稍后重试".to_string();
            return show(
                &node,
                &staff,
                StatusCode::SERVICE_UNAVAILABLE,
                Some(text),
                None,
                &fields,
            )
            .await;
        }
    };
    let wanted = match force.thresholds.with_values(&fields) {
        Ok(t) => t,
        Err(text) => {
            return show(
                &node,
                &staff,
                StatusCode::BAD_REQUEST,
                Some(text),
                None,
                &fields,
            )
            .await;
        }
    };
    let now = chrono::Utc::now().timestamp_millis();
    let by = staff.signed_in.access.person();
    match node.monitoring.set_thresholds(by, &wanted, now).await {
        Ok(()) => see_other("/admin/monitoring/thresholds?done=saved"),
        Err(MonitoringError::Invalid(text)) => {
            show(
                &node,
                &staff,
                StatusCode::BAD_REQUEST,
                Some(text),
                None,
                &fields,
            )
            .await
        }
        Err(e) => {
            tracing::error!(error = %e, "console: saving the thresholds failed");
            let text = "保存未成功，请稍后重试".to_string();
            show(
                &node,
                &staff,
                StatusCode::SERVICE_UNAVAILABLE,
                Some(text),
                None,
                &fields,
            )
            .await
        }
    }
}

/// The page's routes.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/admin/monitoring/thresholds", get(page).post(save))
}
