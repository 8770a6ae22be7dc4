//! Monitoring alerts by e-mail: each veto item a site gains is mailed once to the site's
//! administrators (to the node's platform administrators when the site has none with an
//! address), retried like notices.

use std::sync::Arc;

use govnode_accounts::{Role, Scope};
use govnode_monitoring::Alert;
use tracing::{debug, info, warn};

use super::Mailer;
use crate::Node;

/// Failed attempts after which an alert is no longer mailed.
const MAX_ATTEMPTS: i64 = 10;

/// The subject line of an alert.
pub(crate) fn subject(a: &Alert, site_name: &str) -> String {
    format!(
        "【网站监测告警】{site_name}：{}（单项否决）",
        a.indicator.label()
    )
}

/// The text of an alert's message.
pub(crate) fn text(a: &Alert, site_name: &str, node_name: &str, base_url: Option<&str>) -> String {
    let mut out = format!(
        "{site_name}出现单项否决问题：{}。\n\n问题：{}\n发现时间：{}\n\n请尽快整改；问题消除后监测自动恢复。未及时整改的，将报送上级节点。\n",
        a.indicator.label(),
        a.detail,
        govnode_topology::beijing::minute(a.opened_ms),
    );
    if let Some(base) = base_url {
        out.push_str(&format!(
            "监测详情：{}/admin/monitoring/sites/{}\n",
            base.trim_end_matches('/'),
            a.site
        ));
    }
    out.push_str(&format!(
        "\n此邮件由{node_name}政府网站平台自动发送，请勿直接回复。\n"
    ));
    out
}

/// Sends the alerts not yet mailed (one round).
pub(crate) async fn send_alerts(node: Arc<Node>, mailer: Arc<Mailer>) {
    let due = match node.monitoring.alerts_to_mail(MAX_ATTEMPTS).await {
        Ok(d) => d,
        Err(e) => {
            warn!(error = %e, "reading monitoring alerts to mail failed");
            return;
        }
    };
    let now = chrono::Utc::now().timestamp_millis();
    for a in due {
        let site_name = node
            .content
            .site(&a.site)
            .await
            .map_or_else(|_| a.site.clone(), |s| s.name);
        let mut to = Vec::new();
        for (role, scope) in [
            (Role::SiteAdmin, Scope::Site(a.site.clone())),
            (Role::PlatformAdmin, Scope::Node),
        ] {
            match node.web.users.emails_of_holders(role, &scope, now).await {
                Ok(found) => to = found,
                Err(e) => warn!(alert = a.id, error = %e, "reading an alert's recipients failed"),
            }
            if !to.is_empty() {
                break;
            }
        }
        if to.is_empty() {
            debug!(
                alert = a.id,
                "a monitoring alert has nobody with an e-mail address to tell"
            );
            if let Err(e) = node.monitoring.alert_mailed(a.id, true).await {
                warn!(alert = a.id, error = %e, "recording an alert as mailed failed");
            }
            continue;
        }
        let body = text(
            &a,
            &site_name,
            &node.config.node.name,
            node.config.http.public_url.as_deref(),
        );
        let sent = mailer.deliver(&to, subject(&a, &site_name), body).await;
        if let Err(e) = &sent {
            warn!(alert = a.id, error = %e, "e-mailing a monitoring alert failed; will retry");
        } else {
            info!(
                alert = a.id,
                indicator = a.indicator.code(),
                recipients = to.len(),
                "monitoring alert e-mailed"
            );
        }
        if let Err(e) = node.monitoring.alert_mailed(a.id, sent.is_ok()).await {
            warn!(alert = a.id, error = %e, "recording an alert's mail failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use govnode_monitoring::Indicator;

    #[test]
    fn an_alert_names_the_site_and_the_item_in_chinese() {
        let a = Alert {
            id: 1,
            site: "tianhe".into(),
            indicator: Indicator::HomeStale,
            detail: "首页已有20天未更新（期限14天）".into(),
            opened_ms: 0,
            resolved_ms: None,
            mailed: false,
            mail_attempts: 0,
        };
        assert_eq!(
            subject(&a, "天河区人民政府"),
            "【网站监测告警】天河区人民政府：首页不更新（单项否决）"
        );
        let t = text(&a, "天河区人民政府", "广州市", Some("https://gz.gov.cn/"));
        assert!(t.contains("首页已有20天未更新"));
        assert!(t.contains("https://gz.gov.cn/admin/monitoring/sites/tianhe"));
    }
}
