//! 办件提醒 by e-mail: the worker that sends the letters desk's notices (written by the
//! interaction module) to the handlers of each notice's body through the SMTP server of
//! `[mail]`. A notice is marked mailed only once the server accepted the message; a failure
//! waits longer each time (the module keeps the attempts). Messages are Chinese and carry the
//! body's name, the tracking code, the due day and a console link, never the citizen's data
//! (nor the letter's subject, which the citizen wrote).
//! Logs never name a recipient.

use std::sync::Arc;
use std::time::Duration;

use govnode_accounts::{Role, Scope};
use govnode_interaction::{Notice, NoticeKind};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tracing::{debug, info, warn};

use crate::config::{MailSection, MailSecurity};

mod alerts;
use crate::{Node, NodeError};
pub(crate) use alerts::send_alerts;

/// How often unmailed notices are looked for.
pub(crate) const PERIOD: Duration = Duration::from_secs(3);

/// Notices sent per round at most.
const BATCH: i64 = 50;

/// The configured SMTP server and sender.
pub(crate) struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// Sends one message to `to` (as Bcc, so recipients do not see each other); addresses
    /// that do not parse are left out and counted in the log, never named.
    pub(crate) async fn deliver(
        &self,
        to: &[String],
        subject: String,
        body: String,
    ) -> Result<(), String> {
        let mut message = Message::builder()
            .from(self.from.clone())
            .subject(subject)
            .header(ContentType::TEXT_PLAIN);
        let mut bad_addresses = 0;
        for address in to {
            match address.parse::<Mailbox>() {
                Ok(mb) => message = message.bcc(mb),
                Err(_) => bad_addresses += 1,
            }
        }
        if bad_addresses > 0 {
            warn!(
                count = bad_addresses,
                "users' e-mail addresses that are not addresses were left out"
            );
        }
        let message = message.body(body).map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The mailer of `[mail]`, when present and enabled.
    pub(crate) fn configured(node: &Node) -> Result<Option<Arc<Mailer>>, NodeError> {
        match &node.config.mail {
            Some(m) if m.enabled => Mailer::new(m).map(|m| Some(Arc::new(m))),
            _ => Ok(None),
        }
    }

    fn new(m: &MailSection) -> Result<Mailer, NodeError> {
        let bad = |e: String| NodeError::Config(e);
        crate::install_tls_provider();
        let host = m.host.trim();
        let builder = match m.security {
            MailSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            MailSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| bad(format!("mail.host: {e}")))?,
            MailSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| bad(format!("mail.host: {e}")))?,
        };
        let mut builder = builder.port(m.port).timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&m.username, m.password().map_err(bad)?) {
            builder = builder.credentials(Credentials::new(user.trim().to_string(), password));
        }
        let from = m
            .from
            .trim()
            .parse()
            .map_err(|e| bad(format!("mail.from: {e}")))?;
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }
}

/// The subject line of a notice: by tracking code, never the letter's own subject, which the
/// citizen wrote and may hold their name (the mail leaves the platform).
pub(crate) fn subject(n: &Notice) -> String {
    format!("【办件提醒】{}（查询码：{}）", n.kind.label(), n.code)
}

/// A due day as people read it: 2026年12月5日.
fn day(d: &str) -> String {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map(|d| d.format("%Y年%-m月%-d日").to_string())
        .unwrap_or_else(|_| "尚未受理，受理后起算".into())
}

/// The text of a notice's message (no personal data of the citizen).
pub(crate) fn text(n: &Notice, body_name: &str, node_name: &str, base_url: Option<&str>) -> String {
    let what = match n.kind {
        NoticeKind::Arrived => format!("{body_name}收到一件新来信，请及时受理。"),
        NoticeKind::DueSoon => format!("{body_name}的一件来信即将到期，请在答复期限内答复。"),
        NoticeKind::Overdue => format!("{body_name}的一件来信已超期，请尽快答复。"),
        NoticeKind::Escalated => {
            format!("下级单位{body_name}的一件来信已超期，已提请本级督办。")
        }
    };
    let mut out = format!(
        "{what}\n\n办理单位：{body_name}\n查询码：{}\n答复期限：{}\n",
        n.code,
        day(&n.due_day)
    );
    if let Some(base) = base_url {
        let path = if n.kind == NoticeKind::Escalated {
            "/admin/letters/escalations".to_string()
        } else {
            format!("/admin/letters/{}", n.code)
        };
        out.push_str(&format!("办理链接：{}{path}\n", base.trim_end_matches('/')));
    }
    out.push_str(&format!(
        "\n此邮件由{node_name}政府网站平台自动发送，请勿直接回复。\n"
    ));
    out
}

/// Sends the notices due for mail (one round).
pub(crate) async fn send_notices(node: Arc<Node>, mailer: Arc<Mailer>) {
    let now = chrono::Utc::now().timestamp_millis();
    let due = match node.interaction.notices_to_mail(now, BATCH).await {
        Ok(d) => d,
        Err(e) => {
            warn!(error = %e, "reading notices to mail failed");
            return;
        }
    };
    if due.is_empty() {
        return;
    }
    let bodies = node.interaction.bodies().await.unwrap_or_default();
    let name_of = |id: &str| {
        bodies
            .iter()
            .find(|b| b.id == id)
            .map_or_else(|| id.to_string(), |b| b.name.clone())
    };
    let base_url = node.config.http.public_url.as_deref();
    for n in due {
        let (role, scope) = if n.body_id.is_empty() {
            (Role::PlatformAdmin, Scope::Node)
        } else {
            (Role::Handler, Scope::Body(n.body_id.clone()))
        };
        let to = match node.web.users.emails_of_holders(role, &scope, now).await {
            Ok(to) => to,
            Err(e) => {
                warn!(notice = %n.id, error = %e, "reading the recipients of a notice failed");
                continue;
            }
        };
        if to.is_empty() {
            debug!(notice = %n.id, "a notice has nobody with an e-mail address to tell");
            if let Err(e) = node.interaction.notice_mailed(&n.id).await {
                warn!(notice = %n.id, error = %e, "recording a notice as mailed failed");
            }
            continue;
        }
        let body = text(
            &n,
            &name_of(&n.ticket_body),
            &node.config.node.name,
            base_url,
        );
        let sent = mailer.deliver(&to, subject(&n), body).await;
        match sent {
            Ok(_) => {
                info!(notice = %n.id, kind = n.kind.code(), recipients = to.len(), "notice e-mailed");
                if let Err(e) = node.interaction.notice_mailed(&n.id).await {
                    warn!(notice = %n.id, error = %e, "recording a notice as mailed failed");
                }
            }
            Err(e) => match node.interaction.notice_mail_failed(&n.id, now).await {
                Ok(attempts) => {
                    warn!(notice = %n.id, attempts, error = %e, "e-mailing a notice failed; will retry")
                }
                Err(e2) => {
                    warn!(notice = %n.id, error = %e, record_error = %e2, "e-mailing a notice failed")
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_with_a_link_and_no_citizen() {
        let n = Notice {
            id: "arrived:X:440000.hrss:1".into(),
            body_id: "440000.hrss".into(),
            ticket_body: "440000.hrss".into(),
            kind: NoticeKind::Arrived,
            code: "20261205ABCDEF".into(),
            subject: "张三的社保转移".into(),
            due_day: "2026-12-18".into(),
            at_ms: 0,
            mailed: false,
            mail_attempts: 0,
            read: false,
        };
        assert_eq!(subject(&n), "【办件提醒】新来信（查询码：20261205ABCDEF）");
        let t = text(&n, "广东省人社厅", "广东省", Some("https://gd.gov.cn/"));
        // The citizen wrote the subject: it may name them, so it never leaves by mail.
        assert!(!t.contains("张三"), "{t}");
        assert!(t.contains("查询码：20261205ABCDEF"));
        assert!(t.contains("2026年12月18日"));
        assert!(t.contains("https://gd.gov.cn/admin/letters/20261205ABCDEF"));
    }
}
