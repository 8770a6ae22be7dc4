//! A ticket's progress as the citizen reads it (办理进度): states and actions by their
//! Chinese names, times in Beijing time, bodies by name, and what the citizen may do next
//! (补充材料 while information is asked for, 评价 once replied). For staff, the same
//! history, the deadline in working days, the citizen's data unmasked, and which actions
//! the ticket's state allows (and why not, in Chinese).

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{EventRecord, Personal, TicketKind, TicketRecord, TicketState};
use crate::service::TicketView;
use crate::{Interaction, InteractionError};

/// The ratings a citizen chooses from (评价), best first, with the 1–5 value each records.
pub const RATINGS: [(u8, &str); 3] = [(5, "满意"), (3, "基本满意"), (1, "不满意")];

/// The name of a rating (1–5): 满意, 基本满意 or 不满意; empty before rating.
pub fn rating_label(rating: u8) -> &'static str {
    match rating {
        4..=5 => "满意",
        3 => "基本满意",
        1..=2 => "不满意",
        _ => "",
    }
}

/// The Chinese name of what happened to a ticket (an event's action code).
pub fn action_label(action: &str) -> &'static str {
    match action {
        "submitted" => "提交",
        "accepted" => "受理",
        "refused" => "不予受理",
        "transferred" => "转办",
        "started" => "开始办理",
        "info_requested" => "要求补充材料",
        "info_supplied" => "补充材料",
        "replied" => "答复",
        "extended" => "延期答复",
        "rated" => "评价",
        "closed" => "办结",
        _ => "办理",
    }
}

/// One step of the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// When, Beijing time (`YYYY-MM-DD HH:MM`).
    pub at: String,
    /// What happened (受理, 转办…).
    pub action: &'static str,
    /// The state after it (已受理…).
    pub state: &'static str,
    /// The reason, question, material or rating, bodies by name.
    pub detail: String,
}

/// A ticket as its citizen reads it.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    /// Tracking code.
    pub code: String,
    /// Subject.
    pub subject: String,
    /// The letter.
    pub content: String,
    /// Kind (咨询…).
    pub kind: &'static str,
    /// State (已受理…).
    pub state: &'static str,
    /// The body it is with, by name.
    pub body: String,
    /// Filed, Beijing time.
    pub filed: String,
    /// 答复期限 (a Beijing date), empty before acceptance or once answered.
    pub due_day: String,
    /// 即将到期 or 已超期 while the answer is owed, else empty.
    pub deadline: &'static str,
    /// The reply, and who gave it when.
    pub reply: String,
    /// The body that replied, by name.
    pub reply_body: String,
    /// Replied, Beijing time.
    pub replied: String,
    /// The citizen's rating (满意…), empty before.
    pub rating: &'static str,
    /// What the body asks the citizen for, while it waits for it.
    pub asked: String,
    /// The citizen may answer with more material (待补充材料).
    pub may_supply: bool,
    /// The citizen may rate the reply (已答复).
    pub may_rate: bool,
    /// The history, oldest first.
    pub steps: Vec<Step>,
}

/// The history in words: `name_of` gives a body's name by its id.
pub fn steps(events: &[EventRecord], name_of: &dyn Fn(&str) -> String) -> Vec<Step> {
    events
        .iter()
        .map(|e| Step {
            at: govnode_topology::beijing::minute(e.at_ms),
            action: action_label(&e.action),
            state: TicketState::parse(&e.state).map_or("", |s| s.label()),
            detail: detail(e, name_of),
        })
        .collect()
}

fn detail(e: &EventRecord, name_of: &dyn Fn(&str) -> String) -> String {
    match e.action.as_str() {
        // Recorded as "<from> → <to>：<reason>" by the body that transferred it.
        "transferred" => {
            let (route, reason) = e.detail.split_once('：').unwrap_or((&e.detail, ""));
            match route.split_once(" → ") {
                Some((from, to)) => {
                    let mut s = format!("由{}转至{}", name_of(from.trim()), name_of(to.trim()));
                    if !reason.trim().is_empty() {
                        s.push_str(&format!("。转办理由：{}", reason.trim()));
                    }
                    s
                }
                None => reason.trim().to_string(),
            }
        }
        "rated" => e
            .detail
            .trim()
            .parse::<u8>()
            .map(rating_label)
            .unwrap_or_default()
            .to_string(),
        _ => e.detail.clone(),
    }
}

impl Interaction {
    /// The citizen's reading of a ticket they opened with its password.
    pub async fn progress(&self, view: &TicketView) -> Result<Progress, InteractionError> {
        let names: HashMap<String, String> = self
            .bodies()
            .await?
            .into_iter()
            .map(|b| (b.id, b.name))
            .collect();
        let name_of = |id: &str| {
            names
                .get(id)
                .cloned()
                .unwrap_or_else(|| "相关单位".to_string())
        };
        let t = &view.ticket;
        let state = TicketState::parse(&t.state).unwrap_or(TicketState::Submitted);
        let asked = match state {
            TicketState::InfoRequested => view
                .events
                .iter()
                .rev()
                .find(|e| e.action == "info_requested")
                .map(|e| e.detail.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let deadline = match &view.deadline {
            Some(crate::deadline::DeadlineStatus::DueSoon) => "即将到期",
            Some(crate::deadline::DeadlineStatus::Overdue { .. }) => "已超期",
            _ => "",
        };
        Ok(Progress {
            code: t.code.clone(),
            subject: t.subject.clone(),
            content: t.content.clone(),
            kind: TicketKind::parse(&t.kind).map_or("", |k| k.label()),
            state: state.label(),
            body: name_of(&t.body_id),
            filed: govnode_topology::beijing::minute(t.filed_ms),
            due_day: if state.open() {
                t.due_day.clone()
            } else {
                String::new()
            },
            deadline,
            reply: t.reply.clone(),
            reply_body: t.reply_body.clone(),
            replied: if t.replied_ms > 0 {
                govnode_topology::beijing::minute(t.replied_ms)
            } else {
                String::new()
            },
            rating: rating_label(t.rating),
            asked,
            may_supply: state == TicketState::InfoRequested,
            may_rate: state == TicketState::Replied,
            steps: steps(&view.events, &name_of),
        })
    }
}

/// A handler's actions as the console offers them: (code, Chinese name).
pub const HANDLER_ACTIONS: [(&str, &str); 8] = [
    ("accept", "受理"),
    ("refuse", "不予受理"),
    ("transfer", "转办"),
    ("start", "开始办理"),
    ("request_info", "要求补充材料"),
    ("reply", "答复"),
    ("extend", "延期答复"),
    ("close", "办结"),
];

/// Why a handler may not take `action` (a code of [`HANDLER_ACTIONS`]) on `t` in its
/// state, in Chinese; None when they may. The same rules `act` enforces.
pub fn why_not(t: &TicketRecord, action: &str) -> Option<String> {
    use TicketState::*;
    let state = TicketState::parse(&t.state).unwrap_or(Submitted);
    let label = state.label();
    let why = match action {
        "accept" | "refuse" if state != Submitted => match action {
            "accept" => format!("{label}的来信不能再受理"),
            _ => format!("{label}的来信不能再不予受理，只有尚未受理的来信可以"),
        },
        "transfer" if !state.open() => format!("{label}的来信不能再转办"),
        "start" if state != Accepted => match state {
            Submitted => "请先受理来信，再开始办理".to_string(),
            _ => format!("{label}的来信不能再开始办理"),
        },
        "request_info" | "reply" if !matches!(state, Accepted | InProgress) => match state {
            Submitted => "请先受理来信".to_string(),
            InfoRequested => "正在等待来信人补充材料，收到后才能继续办理".to_string(),
            _ if action == "reply" => format!("{label}的来信不能再答复"),
            _ => format!("{label}的来信不能再要求补充材料"),
        },
        "extend" if t.kind != TicketKind::Disclosure.code() => {
            "只有依申请公开的申请可以延期答复".to_string()
        }
        "extend" if t.extended => "该申请已延期答复过一次，不能再延期".to_string(),
        "extend" if state == Submitted || t.accepted_day.is_empty() => {
            "请先受理申请，再延期答复".to_string()
        }
        "extend" if !state.open() => format!("{label}的申请不能再延期答复"),
        "close" if !matches!(state, Replied | Rated) => {
            format!("{label}的来信不能办结，只有已答复或已评价的来信可以办结")
        }
        "accept" | "refuse" | "transfer" | "start" | "request_info" | "reply" | "extend"
        | "close" => return None,
        _ => "没有这项办理操作".to_string(),
    };
    Some(why)
}

/// A ticket's deadline as staff read it: counted in working days on the holiday calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// 答复期限 (a Beijing date, `YYYY-MM-DD`).
    pub due_day: String,
    /// 即将到期, 已超期 or 按期办理 while the answer is owed; empty once answered.
    pub status: &'static str,
    /// Working days left, today not counted (open and not late).
    pub working_days_left: Option<u32>,
    /// Working days late (open and past the due date).
    pub working_days_late: Option<u32>,
    /// Working days the clock was paused for more information.
    pub paused_days: u32,
    /// Paused since (a Beijing date) while information is asked for.
    pub paused_since: String,
    /// The disclosure extension was granted.
    pub extended: bool,
}

impl Interaction {
    /// The history in words, bodies by name.
    pub async fn history(&self, events: &[EventRecord]) -> Result<Vec<Step>, InteractionError> {
        let names: HashMap<String, String> = self
            .bodies()
            .await?
            .into_iter()
            .map(|b| (b.id, b.name))
            .collect();
        let name_of = |id: &str| {
            names
                .get(id)
                .cloned()
                .unwrap_or_else(|| "相关单位".to_string())
        };
        Ok(steps(events, &name_of))
    }

    /// The citizen's data of a ticket, unmasked, where it is held (for its handlers only:
    /// the caller checks who asks and records the access).
    pub async fn personal_data(&self, code: &str) -> Result<Option<Personal>, InteractionError> {
        let mut conn = self.read.acquire().await?;
        Ok(crate::store::personal(&mut conn, code).await?)
    }

    /// The attachments of a ticket held here: (hash, file name, media type), no bytes.
    pub async fn attachments_of(
        &self,
        code: &str,
    ) -> Result<Vec<(String, String, String)>, InteractionError> {
        Ok(sqlx::query_as(
            "SELECT hash, name, mime FROM ticket_attachments WHERE code = $1 ORDER BY name, hash",
        )
        .bind(code)
        .fetch_all(&self.read)
        .await?)
    }

    /// The deadline of an accepted ticket (None before acceptance).
    pub fn deadline_of(&self, t: &TicketRecord) -> Option<Deadline> {
        let due = chrono::NaiveDate::parse_from_str(&t.due_day, "%Y-%m-%d").ok()?;
        let open = TicketState::parse(&t.state).is_some_and(|s| s.open());
        let calendar = self.calendar();
        let today = crate::beijing_today();
        let (status, left, late) = if !open {
            ("", None, None)
        } else {
            match self.policy().status(&calendar, due, today) {
                crate::deadline::DeadlineStatus::Overdue { working_days_late } => {
                    ("已超期", None, Some(working_days_late))
                }
                crate::deadline::DeadlineStatus::DueSoon => (
                    "即将到期",
                    Some(calendar.working_days_between(today, due)),
                    None,
                ),
                crate::deadline::DeadlineStatus::OnTime => (
                    "按期办理",
                    Some(calendar.working_days_between(today, due)),
                    None,
                ),
            }
        };
        Some(Deadline {
            due_day: t.due_day.clone(),
            status,
            working_days_left: left,
            working_days_late: late,
            paused_days: t.paused_days,
            paused_since: t.paused_since.clone(),
            extended: t.extended,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str, state: &str, detail: &str) -> EventRecord {
        EventRecord {
            id: "x".into(),
            // 2026-01-05 01:30 UTC = 09:30 in Beijing.
            at_ms: 1_767_576_600_000,
            node: "440000".into(),
            action: action.into(),
            state: state.into(),
            detail: detail.into(),
        }
    }

    #[test]
    fn the_history_names_states_actions_and_bodies() {
        let names = |id: &str| match id {
            "440000.hrss" => "广东省人力资源和社会保障厅".to_string(),
            "440100.gz" => "广州市人力资源和社会保障局".to_string(),
            _ => "相关单位".to_string(),
        };
        let s = steps(
            &[
                event("submitted", "submitted", ""),
                event(
                    "transferred",
                    "submitted",
                    "440000.hrss → 440100.gz：属广州市职责",
                ),
                event("rated", "rated", "5"),
            ],
            &names,
        );
        assert_eq!(s[0].at, "2026-01-05 09:30");
        assert_eq!((s[0].action, s[0].state), ("提交", "已提交"));
        assert_eq!(s[1].action, "转办");
        assert_eq!(
            s[1].detail,
            "由广东省人力资源和社会保障厅转至广州市人力资源和社会保障局。转办理由：属广州市职责"
        );
        assert_eq!((s[2].state, s[2].detail.as_str()), ("已评价", "满意"));
    }

    #[test]
    fn actions_not_allowed_are_explained() {
        let mut t: TicketRecord = serde_json::from_value(serde_json::json!({
            "code": "20260101ABCDEF", "kind": "consultation", "subject": "s", "content": "c",
            "body_id": "440000.hrss", "filed_node": "440000", "filed_site": "gd",
            "state": "replied", "consent_public": false, "attachments": [], "filed_ms": 0,
            "accepted_day": "2026-01-05", "due_day": "2026-01-20", "paused_days": 0,
            "paused_since": "", "extended": false, "reply": "r", "reply_body": "b",
            "replied_ms": 1, "rating": 0, "rating_comment": "", "version": 3
        }))
        .unwrap();
        assert_eq!(why_not(&t, "transfer").unwrap(), "已答复的来信不能再转办");
        assert_eq!(why_not(&t, "close"), None);
        assert!(why_not(&t, "extend").unwrap().contains("依申请公开"));
        t.state = "submitted".into();
        assert_eq!(why_not(&t, "accept"), None);
        assert_eq!(why_not(&t, "reply").unwrap(), "请先受理来信");
        t.state = "info_requested".into();
        assert!(why_not(&t, "reply").unwrap().contains("补充材料"));
        for (code, _) in HANDLER_ACTIONS {
            let _ = why_not(&t, code);
        }
        assert!(why_not(&t, "delete").is_some());
    }

    #[test]
    fn ratings_have_names() {
        for (value, name) in RATINGS {
            assert_eq!(rating_label(value), name);
        }
        assert_eq!(rating_label(0), "");
        assert_eq!(action_label("info_requested"), "要求补充材料");
    }
}
