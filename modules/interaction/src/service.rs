//! The interaction service: filing, citizens' queries and ratings, handlers' actions,
//! deadlines and escalation, statistics and the public list of replies.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use chrono::NaiveDate;
use govnode_federation::{Audience, EntryDraft, Federation, encode_payload, now_ms};
use govnode_topology::NodeId;
use serde::Serialize;
use sqlx::AnyPool;

use crate::calendar::HolidayCalendar;
use crate::deadline::{DeadlinePolicy, DeadlineStatus};
use crate::model::{
    Attachment, Body, EventRecord, Personal, Sealed, TicketKind, TicketRecord, TicketState,
    Transfer,
};
use crate::requests::Filing;
use crate::routing::{BODY, TICKET, TicketDelivery, UPDATE, V1};
use crate::{InteractionError, store};

/// Submissions allowed per client and hour.
pub const SUBMISSIONS_PER_HOUR: i64 = 20;
/// Most bytes of attachments a ticket may carry.
pub const MAX_ATTACHMENT_BYTES: usize = 10 << 20;
/// Longest letter, in characters.
pub const MAX_CONTENT_CHARS: usize = 5_000;

/// A ticket as shown to the citizen or a handler (never with its password's hash: the
/// record leaves it out of every serialisation but the wire's).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketView {
    /// The ticket.
    #[serde(flatten)]
    pub ticket: TicketRecord,
    /// State label.
    pub state_label: &'static str,
    /// Kind label.
    pub kind_label: &'static str,
    /// The citizen's data, masked (None where not held).
    pub personal: Option<Personal>,
    /// History.
    pub events: Vec<EventRecord>,
    /// Deadline status of an open ticket.
    pub deadline: Option<DeadlineStatus>,
    /// This node holds the ticket (its body is here).
    pub holder: bool,
}

/// What a view's deadline status is computed with, read once for a whole list.
pub(crate) struct DeadlineClock {
    calendar: HolidayCalendar,
    policy: DeadlinePolicy,
    today: NaiveDate,
}

impl DeadlineClock {
    /// The calendar and policy in force, and today in Beijing.
    pub(crate) fn now(i: &Interaction) -> Self {
        DeadlineClock {
            calendar: i.calendar(),
            policy: i.policy(),
            today: beijing_today(),
        }
    }

    /// The deadline status of an open ticket with a due day.
    pub(crate) fn status(&self, ticket: &TicketRecord) -> Option<DeadlineStatus> {
        let open = TicketState::parse(&ticket.state).is_some_and(|s| s.open());
        match (open, NaiveDate::parse_from_str(&ticket.due_day, "%Y-%m-%d")) {
            (true, Ok(due)) => Some(self.policy.status(&self.calendar, due, self.today)),
            _ => None,
        }
    }

    /// The days an inbox ranks by, as `YYYY-MM-DD`: today (a ticket due before it is
    /// overdue) and the last day a ticket due on it is due soon.
    pub(crate) fn rank_days(&self) -> (String, String) {
        let mut last_due_soon = self.today;
        // Due soon is "within so many working days": a few weeks at most, holidays included.
        for _ in 0..400 {
            let Some(next) = last_due_soon.succ_opt() else {
                break;
            };
            if self.policy.status(&self.calendar, next, self.today) != DeadlineStatus::DueSoon {
                break;
            }
            last_due_soon = next;
        }
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        (day(self.today), day(last_due_soon))
    }

    /// A ticket as shown, its personal data masked.
    pub(crate) fn view(
        &self,
        ticket: TicketRecord,
        personal: Option<Personal>,
        events: Vec<EventRecord>,
        holder: bool,
    ) -> TicketView {
        let state = TicketState::parse(&ticket.state).unwrap_or(TicketState::Submitted);
        let deadline = self.status(&ticket);
        TicketView {
            state_label: state.label(),
            kind_label: TicketKind::parse(&ticket.kind).map_or("", |k| k.label()),
            ticket,
            personal: personal.map(|p| p.masked()),
            events,
            deadline,
            holder,
        }
    }
}

/// The interaction service of a node.
#[derive(Clone)]
pub struct Interaction {
    pub(crate) read: AnyPool,
    pub(crate) write: AnyPool,
    pub(crate) federation: Arc<Federation>,
    calendar: Arc<RwLock<HolidayCalendar>>,
    policy: Arc<RwLock<DeadlinePolicy>>,
    changes: Arc<AtomicU64>,
    /// Turns at hashing tracking passwords (see `password.rs`).
    pub(crate) hashing: Arc<tokio::sync::Semaphore>,
    /// Filings' receipts waiting for their confirmation page (see `receipt.rs`).
    pub(crate) receipts: crate::receipt::Receipts,
}

pub(crate) fn bad(m: impl Into<String>) -> InteractionError {
    InteractionError::invalid(m)
}

pub(crate) fn fed_err(e: govnode_federation::FederationError) -> InteractionError {
    InteractionError::Federation(e)
}

/// Today in Beijing.
pub fn beijing_today() -> NaiveDate {
    govnode_topology::beijing::today()
}

pub(crate) fn random_string(alphabet: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| alphabet[rand::random_range(0..alphabet.len())] as char)
        .collect()
}

pub(crate) fn check_len(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), InteractionError> {
    let n = value.trim().chars().count();
    if n < min || n > max {
        return Err(bad(format!(
            "{field}: must be {min}–{max} characters (got {n})"
        )));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(bad(format!("{field}: control characters are not allowed")));
    }
    Ok(())
}

impl Interaction {
    /// The service over the node's database, routing through the federation.
    pub fn new(read: AnyPool, write: AnyPool, federation: Arc<Federation>) -> Self {
        Self {
            read,
            write,
            federation,
            calendar: Arc::new(RwLock::new(HolidayCalendar::shipped())),
            policy: Arc::new(RwLock::new(DeadlinePolicy::default())),
            changes: Arc::new(AtomicU64::new(0)),
            hashing: Arc::new(tokio::sync::Semaphore::new(crate::password::AT_ONCE)),
            receipts: Default::default(),
        }
    }

    /// The handler of envelopes and body entries from other nodes.
    pub fn delivery(&self) -> TicketDelivery {
        TicketDelivery {
            me: self.me(),
            federation: Arc::downgrade(&self.federation),
            changes: self.changes.clone(),
        }
    }

    /// Counts tickets and changes arrived from other nodes.
    pub fn arrivals(&self) -> u64 {
        self.changes.load(Ordering::Relaxed)
    }

    /// Counts one upload against the client's hourly allowance (shared with filings).
    pub async fn admit_upload(&self, client: &str) -> Result<(), InteractionError> {
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO ticket_rate (client, hour, n) VALUES ($1, $2, 1)
             ON CONFLICT (client, hour) DO UPDATE SET n = ticket_rate.n + 1 RETURNING n",
        )
        .bind(blake3::hash(client.as_bytes()).to_hex().to_string())
        .bind(now_ms() / 3_600_000)
        .fetch_one(&self.write)
        .await?;
        if n > SUBMISSIONS_PER_HOUR {
            return Err(InteractionError::RateLimited(format!(
                "at most {SUBMISSIONS_PER_HOUR} submissions an hour from one client; please try again later"
            )));
        }
        Ok(())
    }

    pub(crate) fn me(&self) -> String {
        self.federation.me().to_string()
    }

    /// The holiday calendar in use.
    pub fn calendar(&self) -> HolidayCalendar {
        self.calendar
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The deadline policy in use.
    pub fn policy(&self) -> DeadlinePolicy {
        self.policy
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the calendar and the policy.
    pub(crate) fn install(&self, calendar: HolidayCalendar, policy: DeadlinePolicy) {
        *self.calendar.write().unwrap_or_else(|p| p.into_inner()) = calendar;
        *self.policy.write().unwrap_or_else(|p| p.into_inner()) = policy;
    }

    /// Declares (or renames) a body of this node; it reaches the whole province.
    pub async fn put_body(
        &self,
        slug: &str,
        name: &str,
        superior: &str,
    ) -> Result<Body, InteractionError> {
        let id = format!("{}.{slug}", self.me());
        if Body::node_of(&id).is_none() {
            return Err(bad("id: 1–40 lowercase letters, digits, _ or -"));
        }
        check_len("name", name, 2, 60)?;
        if !superior.is_empty() && Body::node_of(superior).is_none() {
            return Err(bad("superior: not a body id (<node>.<slug>)"));
        }
        let body = Body {
            id: id.clone(),
            node: self.me(),
            name: name.trim().into(),
            superior: superior.into(),
            public_key: self.federation.key().public_hex(),
        };
        let mut tx = self.write.begin().await?;
        store::put_body(&mut tx, &body, now_ms()).await?;
        self.federation
            .append(
                &mut tx,
                EntryDraft {
                    kind: BODY.into(),
                    object: format!("body:{id}"),
                    audience: Audience::Public,
                    payload: encode_payload(V1, &body),
                },
            )
            .await
            .map_err(fed_err)?;
        tx.commit().await?;
        self.federation.announce();
        Ok(body)
    }

    /// The directory: every body this node knows.
    pub async fn bodies(&self) -> Result<Vec<Body>, InteractionError> {
        let mut conn = self.read.acquire().await?;
        Ok(store::bodies(&mut conn).await?)
    }

    /// Files a ticket with the files the citizen uploaded (`attachments`, one for each of
    /// `f.attachments`, verified by the caller); returns (tracking code, query password).
    /// Durable before it returns.
    pub async fn file(
        &self,
        site: &str,
        f: Filing,
        client: &str,
        attachments: Vec<Attachment>,
    ) -> Result<(String, String), InteractionError> {
        let bytes: usize = attachments.iter().map(|a| a.bytes.len()).sum();
        let (addressee, problems) = self.review(site, &f, bytes).await?;
        if let Some(p) = problems.into_iter().next() {
            return Err(p.into());
        }
        let (kind, body_id, body_node) = addressee.ok_or_else(|| bad("body: unknown"))?;
        let now = now_ms();
        let hour = now / 3_600_000;
        let client = blake3::hash(client.as_bytes()).to_hex().to_string();
        let limited = || {
            InteractionError::RateLimited(format!(
                "at most {SUBMISSIONS_PER_HOUR} submissions an hour from one client; please try again later"
            ))
        };
        // A client over its allowance costs no password hash; the count that holds is the
        // one taken with the filing, below.
        let used: Option<i64> =
            sqlx::query_scalar("SELECT n FROM ticket_rate WHERE client = $1 AND hour = $2")
                .bind(&client)
                .bind(hour)
                .fetch_optional(&self.read)
                .await?;
        if used.is_some_and(|n| n >= SUBMISSIONS_PER_HOUR) {
            return Err(limited());
        }
        // Hashed before the transaction: the one writer is not held while argon2 runs.
        let password = random_string(b"abcdefghjkmnpqrstuvwxyz23456789", 8);
        let password_hash = self.hash_password(&password).await;
        let mut tx = self.write.begin().await?;
        // Rate limit per client and hour, counted in the same transaction as the filing.
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO ticket_rate (client, hour, n) VALUES ($1, $2, 1)
             ON CONFLICT (client, hour) DO UPDATE SET n = ticket_rate.n + 1 RETURNING n",
        )
        .bind(&client)
        .bind(hour)
        .fetch_one(&mut *tx)
        .await?;
        if n > SUBMISSIONS_PER_HOUR {
            return Err(limited());
        }
        let code = format!(
            "{}{}",
            govnode_topology::beijing::today().format("%Y%m%d"),
            random_string(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 6)
        );
        let ticket = TicketRecord {
            code: code.clone(),
            kind: kind.code().into(),
            subject: f.subject.trim().into(),
            content: f.content.trim().into(),
            body_id,
            filed_node: self.me(),
            filed_site: site.into(),
            state: TicketState::Submitted.code().into(),
            consent_public: f.consent_public,
            password_hash,
            attachments: f.attachments.clone(),
            filed_ms: now,
            accepted_day: String::new(),
            due_day: String::new(),
            paused_days: 0,
            paused_since: String::new(),
            extended: false,
            reply: String::new(),
            reply_body: String::new(),
            replied_ms: 0,
            rating: 0,
            rating_comment: String::new(),
            version: 1,
        };
        let personal = Personal {
            name: f.name.trim().into(),
            phone: f.phone.trim().into(),
            id_number: f.id_number.trim().into(),
            email: f.email.trim().into(),
        };
        let event = self.event(&code, "submitted", TicketState::Submitted, "");
        let here = body_node == self.federation.me();
        store::put(&mut tx, &ticket, here, now, "").await?;
        store::put_personal(&mut tx, &code, &personal).await?;
        store::put_attachments(&mut tx, &code, &attachments).await?;
        store::add_event(&mut tx, &code, &event, "citizen").await?;
        if here {
            crate::notices::arrived(&mut tx, &ticket).await?;
        }
        if !here {
            let sealed = Sealed {
                personal,
                attachments,
            };
            let sealed_personal = self.seal_for(&mut tx, body_node, &sealed).await?;
            let transfer = Transfer::Ticket {
                ticket: ticket.clone(),
                events: vec![event],
                sealed_personal,
            };
            self.federation
                .send(&mut tx, body_node, TICKET, encode_payload(V1, &transfer))
                .await
                .map_err(fed_err)?;
        }
        tx.commit().await?;
        self.federation.kick_outbox();
        Ok((code, password))
    }

    /// Seals the citizen's data to `node`'s key: from the province's directory of bodies,
    /// else from the certificate chains this node holds (its lineage).
    pub(crate) async fn seal_for(
        &self,
        conn: &mut sqlx::AnyConnection,
        node: NodeId,
        sealed: &Sealed,
    ) -> Result<Vec<u8>, InteractionError> {
        let listed: Option<String> = sqlx::query_scalar(
            "SELECT public_key FROM interaction_bodies WHERE node = $1 AND public_key != '' ORDER BY updated_ms DESC LIMIT 1",
        )
        .bind(node.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        let key = listed
            .and_then(|k| hex::decode(k).ok())
            .and_then(|k| <[u8; 32]>::try_from(k).ok())
            .or_else(|| self.federation.trust().key_of(node))
            .ok_or_else(|| {
                InteractionError::NotFound(format!(
                    "body: node {node} is not in this node's directory yet; try again later"
                ))
            })?;
        let plain = serde_json::to_vec(sealed).unwrap_or_default();
        govnode_federation::seal_for(&key, &plain)
            .ok_or_else(|| InteractionError::Unroutable(format!("node {node} has no usable key")))
    }

    pub(crate) fn event(
        &self,
        code: &str,
        action: &str,
        state: TicketState,
        detail: &str,
    ) -> EventRecord {
        let at_ms = now_ms();
        EventRecord {
            id: format!("{code}-{at_ms}-{}", random_string(b"0123456789abcdef", 8)),
            at_ms,
            node: self.me(),
            action: action.into(),
            state: state.code().into(),
            detail: detail.into(),
        }
    }

    /// A ticket for the citizen, checked against the tracking password: a wrong one is the
    /// same 404 as an unknown code; after too many wrong ones the ticket refuses every
    /// password for a while (`RateLimited`, naming when to try again).
    pub async fn citizen_view(
        &self,
        code: &str,
        password: &str,
    ) -> Result<TicketView, InteractionError> {
        let not_found =
            || InteractionError::NotFound("no ticket with this tracking code and password".into());
        let mut conn = self.read.acquire().await?;
        let (ticket, holder) = store::get(&mut conn, code).await?.ok_or_else(not_found)?;
        drop(conn);
        if !self.password_opens(&ticket, password).await? {
            return Err(not_found());
        }
        let mut conn = self.read.acquire().await?;
        self.view(&mut conn, ticket, holder).await
    }

    /// A ticket for a handler (None if not known here).
    pub async fn handler_view(&self, code: &str) -> Result<Option<TicketView>, InteractionError> {
        let mut conn = self.read.acquire().await?;
        match store::get(&mut conn, code).await? {
            Some((t, holder)) => Ok(Some(self.view(&mut conn, t, holder).await?)),
            None => Ok(None),
        }
    }

    pub(crate) async fn view(
        &self,
        conn: &mut sqlx::AnyConnection,
        ticket: TicketRecord,
        holder: bool,
    ) -> Result<TicketView, InteractionError> {
        let personal = store::personal(conn, &ticket.code).await?;
        let events = store::events(conn, &ticket.code).await?;
        let clock = DeadlineClock::now(self);
        Ok(clock.view(ticket, personal, events, holder))
    }

    /// Stores a change made here and sends it to the other end(s).
    pub(crate) async fn commit_change(
        &self,
        mut ticket: TicketRecord,
        event: EventRecord,
        actor: &str,
        holder_here: bool,
        also_to: Option<NodeId>,
    ) -> Result<TicketRecord, InteractionError> {
        ticket.version += 1;
        let mut tx = self.write.begin().await?;
        store::put(&mut tx, &ticket, holder_here, now_ms(), "").await?;
        store::add_event(&mut tx, &ticket.code, &event, actor).await?;
        crate::notices::changed(&mut tx, &ticket, &event.action, holder_here).await?;
        let me = self.federation.me();
        let mut targets: Vec<NodeId> = Vec::new();
        if let Ok(filed) = ticket.filed_node.parse::<NodeId>() {
            targets.push(filed);
        }
        if let Some(n) = Body::node_of(&ticket.body_id).and_then(|n| n.parse().ok()) {
            targets.push(n);
        }
        targets.extend(also_to);
        targets.sort();
        targets.dedup();
        for node in targets.into_iter().filter(|n| *n != me) {
            let update = Transfer::Update {
                ticket: ticket.clone(),
                event: event.clone(),
            };
            self.federation
                .send(&mut tx, node, UPDATE, encode_payload(V1, &update))
                .await
                .map_err(fed_err)?;
        }
        tx.commit().await?;
        self.federation.kick_outbox();
        Ok(ticket)
    }
}
