//! Handlers' actions, the citizen's answers and ratings, deadlines and escalation,
//! statistics, and the public list of replies.

use chrono::NaiveDate;
use govnode_federation::{encode_payload, now_ms};
use govnode_topology::NodeId;
use serde::Serialize;

use crate::deadline::{DeadlineStatus, past_red_line};
use crate::model::{Body, TicketKind, TicketRecord, TicketState, Transfer};
use crate::requests::HandlerAction;
use crate::routing::{ESCALATION, TICKET, V1};
use crate::service::{Interaction, TicketView, bad, beijing_today, check_len, fed_err};
use crate::{InteractionError, store};

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn conflict(t: &TicketRecord, what: &str) -> InteractionError {
    InteractionError::Conflict(format!("ticket {} is {}: cannot {what}", t.code, t.state))
}

/// A replied letter as published (with the citizen's consent).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicReply {
    /// Tracking code.
    pub code: String,
    /// Kind label.
    pub kind: &'static str,
    /// Subject.
    pub subject: String,
    /// The letter.
    pub content: String,
    /// 受理日期.
    pub accepted_day: String,
    /// 答复日期.
    pub replied_day: String,
    /// 答复部门.
    pub body: String,
    /// The reply.
    pub reply: String,
}

/// Statistics of one body.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BodyStats {
    /// Body id.
    pub body: String,
    /// Tickets received.
    pub received: u64,
    /// Replied.
    pub replied: u64,
    /// Replied on or before the due date.
    pub on_time: u64,
    /// Open and past the due date, or replied late.
    pub overdue: u64,
    /// Average working days from acceptance to reply.
    pub average_days_to_reply: f64,
    /// Average rating (1–5) of rated replies.
    pub satisfaction: f64,
    /// Rated replies.
    pub rated: u64,
}

impl Interaction {
    /// A handler's action on a ticket this node holds; `body_scope` is the handler's body
    /// (None for platform administrators).
    pub async fn act(
        &self,
        code: &str,
        actor: &str,
        body_scope: Option<&str>,
        action: HandlerAction,
    ) -> Result<TicketView, InteractionError> {
        let mut conn = self.read.acquire().await?;
        let (mut t, holder) = store::get(&mut conn, code)
            .await?
            .ok_or_else(|| InteractionError::NotFound(format!("no ticket {code} here")))?;
        drop(conn);
        if !holder {
            return Err(InteractionError::Forbidden(format!(
                "ticket {code} is handled by {}, not on this node",
                t.body_id
            )));
        }
        if body_scope.is_some_and(|b| b != t.body_id) {
            return Err(InteractionError::Forbidden(format!(
                "ticket {code} belongs to {}, not to your body",
                t.body_id
            )));
        }
        let state = TicketState::parse(&t.state).unwrap_or(TicketState::Submitted);
        let today = beijing_today();
        let calendar = self.calendar();
        let (action_code, new_state, detail) = match action {
            HandlerAction::Accept => {
                if state != TicketState::Submitted {
                    return Err(conflict(&t, "accept"));
                }
                t.accepted_day = day(today);
                t.due_day = day(self
                    .policy()
                    .due_date(&calendar, today, &t.kind, 0, false)
                    .map_err(|e| bad(e.to_string()))?);
                ("accepted", TicketState::Accepted, String::new())
            }
            HandlerAction::Refuse { reason } => {
                check_len("reason", &reason, 2, 500)?;
                if state != TicketState::Submitted {
                    return Err(conflict(&t, "refuse"));
                }
                ("refused", TicketState::Refused, reason)
            }
            HandlerAction::Start => {
                if !matches!(state, TicketState::Accepted) {
                    return Err(conflict(&t, "start"));
                }
                ("started", TicketState::InProgress, String::new())
            }
            HandlerAction::RequestInfo { question } => {
                check_len("question", &question, 2, 1000)?;
                if !matches!(state, TicketState::Accepted | TicketState::InProgress) {
                    return Err(conflict(&t, "ask for information"));
                }
                t.paused_since = day(today);
                ("info_requested", TicketState::InfoRequested, question)
            }
            HandlerAction::Reply { text } => {
                check_len("text", &text, 2, 10_000)?;
                if !matches!(state, TicketState::Accepted | TicketState::InProgress) {
                    return Err(conflict(&t, "reply"));
                }
                t.reply = text.trim().into();
                t.reply_body = self.body_name(&t.body_id).await?;
                t.replied_ms = now_ms();
                ("replied", TicketState::Replied, String::new())
            }
            HandlerAction::Extend { reason } => {
                check_len("reason", &reason, 2, 500)?;
                if t.kind != TicketKind::Disclosure.code() {
                    return Err(bad(
                        "action: only applications for disclosure can be extended",
                    ));
                }
                if t.extended {
                    return Err(InteractionError::Conflict(format!(
                        "ticket {code} was already extended once"
                    )));
                }
                if !state.open() || t.accepted_day.is_empty() {
                    return Err(conflict(&t, "extend"));
                }
                t.extended = true;
                let accepted = parse_day(&t.accepted_day).unwrap_or(today);
                t.due_day = day(self
                    .policy()
                    .due_date(&calendar, accepted, &t.kind, t.paused_days, true)
                    .map_err(|e| bad(e.to_string()))?);
                ("extended", state, reason)
            }
            HandlerAction::Close => {
                if !matches!(state, TicketState::Replied | TicketState::Rated) {
                    return Err(conflict(&t, "close"));
                }
                ("closed", TicketState::Closed, String::new())
            }
            HandlerAction::Transfer { body, reason } => {
                check_len("reason", &reason, 2, 500)?;
                return self.transfer(t, state, &body, &reason, actor).await;
            }
        };
        t.state = new_state.code().into();
        let event = self.event(code, action_code, new_state, &detail);
        let t = self.commit_change(t, event, actor, true, None).await?;
        let mut conn = self.read.acquire().await?;
        self.view(&mut conn, t, true).await
    }

    async fn body_name(&self, id: &str) -> Result<String, InteractionError> {
        Ok(self
            .bodies()
            .await?
            .into_iter()
            .find(|b| b.id == id)
            .map_or_else(|| id.to_string(), |b| b.name))
    }

    /// 转办: hands the ticket to another body; on another node it travels there with its
    /// history and the citizen's data, which this node then forgets (unless filed here).
    async fn transfer(
        &self,
        mut t: TicketRecord,
        state: TicketState,
        to: &str,
        reason: &str,
        actor: &str,
    ) -> Result<TicketView, InteractionError> {
        if !state.open() {
            return Err(conflict(&t, "transfer"));
        }
        let node: NodeId = Body::node_of(to)
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| bad(format!("body: `{to}` is not a body id")))?;
        if to == t.body_id {
            return Err(bad("body: the ticket is already with this body"));
        }
        let from = t.body_id.clone();
        t.body_id = to.to_string();
        // A transferred ticket starts over at its new body: submitted, no deadline yet.
        t.state = TicketState::Submitted.code().into();
        t.accepted_day.clear();
        t.due_day.clear();
        t.version += 1;
        let event = self.event(
            &t.code,
            "transferred",
            TicketState::Submitted,
            &format!("{from} → {to}：{reason}"),
        );
        let me = self.federation.me();
        if node == me {
            let t = self.commit_change(t, event, actor, true, None).await?;
            let mut conn = self.read.acquire().await?;
            return self.view(&mut conn, t, true).await;
        }
        let mut tx = self.write.begin().await?;
        store::put(&mut tx, &t, false, now_ms(), "").await?;
        store::add_event(&mut tx, &t.code, &event, actor).await?;
        let events = store::events(&mut tx, &t.code).await?;
        let personal = store::personal(&mut tx, &t.code).await?.unwrap_or_default();
        let attachments = store::attachments(&mut tx, &t.code).await?;
        let sealed = crate::model::Sealed {
            personal,
            attachments,
        };
        let sealed_personal = self.seal_for(&mut tx, node, &sealed).await?;
        let transfer = Transfer::Ticket {
            ticket: t.clone(),
            events,
            sealed_personal,
        };
        self.federation
            .send(&mut tx, node, TICKET, encode_payload(V1, &transfer))
            .await
            .map_err(fed_err)?;
        let filed: Option<NodeId> = t.filed_node.parse().ok();
        if let Some(filed) = filed.filter(|f| *f != me && *f != node) {
            let update = Transfer::Update {
                ticket: t.clone(),
                event: event.clone(),
            };
            self.federation
                .send(
                    &mut tx,
                    filed,
                    crate::routing::UPDATE,
                    encode_payload(V1, &update),
                )
                .await
                .map_err(fed_err)?;
        }
        if filed != Some(me) {
            store::drop_personal(&mut tx, &t.code).await?;
            store::drop_attachments(&mut tx, &t.code).await?;
        }
        tx.commit().await?;
        self.federation.kick_outbox();
        let mut conn = self.read.acquire().await?;
        self.view(&mut conn, t, false).await
    }

    /// The citizen answers a request for information (the clock runs again).
    pub async fn supply_info(
        &self,
        code: &str,
        password: &str,
        text: &str,
    ) -> Result<TicketView, InteractionError> {
        if let Some(p) = crate::problem::check_supplement(text) {
            return Err(p.into());
        }
        let view = self.citizen_view(code, password).await?;
        let mut t = view.ticket;
        if t.state != TicketState::InfoRequested.code() {
            return Err(conflict(&t, "take more information"));
        }
        let calendar = self.calendar();
        let today = beijing_today();
        if let Some(since) = parse_day(&t.paused_since) {
            t.paused_days += calendar.working_days_between(since, today);
        }
        t.paused_since.clear();
        if let Some(accepted) = parse_day(&t.accepted_day) {
            t.due_day = day(self
                .policy()
                .due_date(&calendar, accepted, &t.kind, t.paused_days, t.extended)
                .map_err(|e| bad(e.to_string()))?);
        }
        t.state = TicketState::InProgress.code().into();
        let event = self.event(code, "info_supplied", TicketState::InProgress, text.trim());
        let t = self
            .commit_change(t, event, "citizen", view.holder, None)
            .await?;
        let mut conn = self.read.acquire().await?;
        self.view(&mut conn, t, view.holder).await
    }

    /// The citizen rates the reply (1–5).
    pub async fn rate(
        &self,
        code: &str,
        password: &str,
        rating: u8,
        comment: &str,
    ) -> Result<TicketView, InteractionError> {
        if let Some(p) = crate::problem::check_rating(rating, comment)
            .into_iter()
            .next()
        {
            return Err(p.into());
        }
        let view = self.citizen_view(code, password).await?;
        let mut t = view.ticket;
        if t.state != TicketState::Replied.code() {
            return Err(conflict(&t, "be rated"));
        }
        t.rating = rating;
        t.rating_comment = comment.trim().into();
        t.state = TicketState::Rated.code().into();
        let event = self.event(code, "rated", TicketState::Rated, &format!("{rating}"));
        let t = self
            .commit_change(t, event, "citizen", view.holder, None)
            .await?;
        let mut conn = self.read.acquire().await?;
        self.view(&mut conn, t, view.holder).await
    }

    /// Marks overdue tickets held here and escalates each once to the superior level (the
    /// parent node), flagging consultations past the national red line; returns how many
    /// were escalated. `today` is the Beijing date.
    pub async fn check_deadlines(&self, today: NaiveDate) -> Result<usize, InteractionError> {
        let mut conn = self.read.acquire().await?;
        let held = store::list(&mut conn, "holder = 1", &[], 10_000).await?;
        drop(conn);
        let calendar = self.calendar();
        let parent = self.federation.settings().parent;
        let mut escalated = 0;
        for t in held {
            let state = TicketState::parse(&t.state).unwrap_or(TicketState::Submitted);
            if !state.open() || state == TicketState::InfoRequested {
                continue;
            }
            self.deadline_notice(&t, today).await?;
            let filed = govnode_topology::beijing::date_of(t.filed_ms);
            let red_line = t.kind == TicketKind::Consultation.code() && past_red_line(filed, today);
            let late = match parse_day(&t.due_day)
                .map(|due| self.policy().status(&calendar, due, today))
            {
                Some(DeadlineStatus::Overdue { working_days_late }) => working_days_late,
                _ if red_line => 0,
                _ => continue,
            };
            let already: i64 = sqlx::query_scalar("SELECT escalated FROM tickets WHERE code = $1")
                .bind(&t.code)
                .fetch_one(&self.read)
                .await?;
            let level = if red_line { 2 } else { 1 };
            if already >= level {
                continue;
            }
            let mut tx = self.write.begin().await?;
            sqlx::query("UPDATE tickets SET escalated = $2 WHERE code = $1")
                .bind(&t.code)
                .bind(level)
                .execute(&mut *tx)
                .await?;
            let escalation = Transfer::Escalation {
                code: t.code.clone(),
                body_id: t.body_id.clone(),
                kind: t.kind.clone(),
                subject: t.subject.clone(),
                due_day: t.due_day.clone(),
                working_days_late: late,
                red_line,
            };
            match parent {
                Some(parent) => {
                    self.federation
                        .send(&mut tx, parent, ESCALATION, encode_payload(V1, &escalation))
                        .await
                        .map_err(fed_err)?;
                }
                None => {
                    // The province has no superior node: it keeps its own escalations.
                    sqlx::query(
                        "INSERT INTO ticket_escalations (code, from_node, body_id, kind, subject, due_day, working_days_late, red_line, at_ms)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (code) DO UPDATE SET
                         working_days_late = excluded.working_days_late, red_line = excluded.red_line, at_ms = excluded.at_ms",
                    )
                    .bind(&t.code)
                    .bind(self.me())
                    .bind(&t.body_id)
                    .bind(&t.kind)
                    .bind(&t.subject)
                    .bind(&t.due_day)
                    .bind(i64::from(late))
                    .bind(i64::from(red_line))
                    .bind(now_ms())
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            escalated += 1;
        }
        self.federation.kick_outbox();
        Ok(escalated)
    }

    /// Overdue tickets of the levels below, escalated to this node.
    pub async fn escalations(&self) -> Result<Vec<serde_json::Value>, InteractionError> {
        let rows = sqlx::query(
            "SELECT code, from_node, body_id, kind, subject, due_day, working_days_late, red_line, at_ms FROM ticket_escalations ORDER BY red_line DESC, working_days_late DESC",
        )
        .fetch_all(&self.read)
        .await?;
        use sqlx::Row as _;
        let mut out = Vec::new();
        for r in rows {
            out.push(serde_json::json!({
                "code": r.try_get::<String, _>(0)?, "from_node": r.try_get::<String, _>(1)?,
                "body": r.try_get::<String, _>(2)?, "kind": r.try_get::<String, _>(3)?,
                "subject": r.try_get::<String, _>(4)?, "due_day": r.try_get::<String, _>(5)?,
                "working_days_late": r.try_get::<i64, _>(6)?, "red_line": r.try_get::<i64, _>(7)? != 0,
                "at_ms": r.try_get::<i64, _>(8)?,
            }));
        }
        Ok(out)
    }

    /// Statistics of the bodies whose tickets are held here.
    pub async fn stats(&self, today: NaiveDate) -> Result<Vec<BodyStats>, InteractionError> {
        let mut conn = self.read.acquire().await?;
        let held = store::list(&mut conn, "holder = 1", &[], 100_000).await?;
        let calendar = self.calendar();
        let mut by_body: std::collections::BTreeMap<String, (BodyStats, f64, f64)> =
            Default::default();
        for t in held {
            let (s, days_sum, rating_sum) = by_body.entry(t.body_id.clone()).or_insert_with(|| {
                (
                    BodyStats {
                        body: t.body_id.clone(),
                        ..Default::default()
                    },
                    0.0,
                    0.0,
                )
            });
            s.received += 1;
            let due = parse_day(&t.due_day);
            if t.replied_ms > 0 {
                s.replied += 1;
                let replied = govnode_topology::beijing::date_of(t.replied_ms);
                if due.is_none_or(|d| replied <= d) {
                    s.on_time += 1;
                } else {
                    s.overdue += 1;
                }
                if let Some(accepted) = parse_day(&t.accepted_day) {
                    *days_sum += f64::from(calendar.working_days_between(accepted, replied));
                }
            } else if due.is_some_and(|d| today > d)
                && TicketState::parse(&t.state).is_some_and(|st| st.open())
            {
                s.overdue += 1;
            }
            if t.rating > 0 {
                s.rated += 1;
                *rating_sum += f64::from(t.rating);
            }
        }
        Ok(by_body
            .into_values()
            .map(|(mut s, days, rating)| {
                if s.replied > 0 {
                    s.average_days_to_reply = days / s.replied as f64;
                }
                if s.rated > 0 {
                    s.satisfaction = rating / s.rated as f64;
                }
                s
            })
            .collect())
    }

    /// Replied letters published with the citizen's consent and a reviewer's approval (答复公开),
    /// filed on `site` or answered by `body`, newest first: the approved public text only.
    pub async fn public_replies(
        &self,
        site: Option<&str>,
        body: Option<&str>,
        limit: i64,
    ) -> Result<Vec<PublicReply>, InteractionError> {
        self.search_replies(site, body, "", limit).await
    }

    /// Published replies whose public subject, letter or reply hold every word of `q`
    /// (whitespace-separated, case-insensitive).
    pub async fn search_replies(
        &self,
        site: Option<&str>,
        body: Option<&str>,
        q: &str,
        limit: i64,
    ) -> Result<Vec<PublicReply>, InteractionError> {
        let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
        let wanted = usize::try_from(limit).unwrap_or(100);
        let limit = if words.is_empty() { limit } else { 5_000 };
        let mut conn = self.read.acquire().await?;
        let list = crate::publication::approved(&mut conn, site, body, limit).await?;
        Ok(list
            .into_iter()
            .filter(|(_, body_id)| body.is_none_or(|b| b == body_id))
            .map(|(reply, _)| reply)
            .filter(|t| {
                let text = format!("{} {} {}", t.subject, t.content, t.reply).to_lowercase();
                words.iter().all(|w| text.contains(w.as_str()))
            })
            .take(wanted)
            .collect())
    }
}

/// Inbox filters: open tickets (as `TicketState::open`) and finished ones, of all bodies or of one.
impl Interaction {
    /// An attachment of a ticket held here: (name, MIME type, bytes).
    pub async fn attachment(
        &self,
        code: &str,
        hash: &str,
    ) -> Result<Option<crate::model::Attachment>, InteractionError> {
        let mut conn = self.read.acquire().await?;
        Ok(store::attachments(&mut conn, code)
            .await?
            .into_iter()
            .find(|a| a.hash == hash))
    }
}
