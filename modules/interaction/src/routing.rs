//! What arrives from other nodes: tickets and their changes (routed envelopes), and the
//! directory of bodies (log entries: each node declares its bodies; the province
//! re-declares every body it learns, so the directory reaches every node).

use std::sync::{Arc, Weak};

use govnode_federation::{
    Applier, ApplyError, Audience, BoxFuture, DeliveryHandler, Entry, EntryDraft, Federation,
    decode_payload, encode_payload, now_ms,
};
use sqlx::AnyConnection;

use crate::model::{Body, EventRecord, Transfer};
use crate::store;

/// Kind prefix of everything this module sends.
pub const KIND_PREFIX: &str = "interaction.";
/// Envelope kind: a ticket for a body at the destination.
pub(crate) const TICKET: &str = "interaction.ticket";
/// Envelope kind: a change of a ticket the destination holds.
pub(crate) const UPDATE: &str = "interaction.update";
/// Envelope kind: an overdue ticket escalated to the superior level.
pub(crate) const ESCALATION: &str = "interaction.escalation";
/// Envelope kind: a reply's approved (or withdrawn) publication, for the filing node.
pub(crate) const PUBLICATION: &str = "interaction.publication";
/// Log entry kind: a body of the directory.
pub(crate) const BODY: &str = "interaction.body";
/// Payload version.
pub(crate) const V1: u8 = 1;
/// Changes a citizen makes, at the filing node as well as at the body's.
const CITIZEN_ACTIONS: [&str; 2] = ["info_supplied", "rated"];

/// Takes tickets, changes and escalations addressed to this node, and bodies of the
/// directory.
pub struct TicketDelivery {
    pub(crate) me: String,
    pub(crate) federation: Weak<Federation>,
    pub(crate) changes: Arc<std::sync::atomic::AtomicU64>,
}

fn refused(e: impl std::fmt::Display) -> ApplyError {
    ApplyError::Refused(e.to_string())
}

fn failed(e: sqlx::Error) -> ApplyError {
    ApplyError::Failed(e.to_string())
}

impl TicketDelivery {
    async fn take(
        &self,
        conn: &mut AnyConnection,
        envelope: &Entry,
        payload: &[u8],
    ) -> Result<(), ApplyError> {
        let (version, transfer): (u8, Transfer) = decode_payload(payload).map_err(refused)?;
        if version != V1 {
            return Err(refused(format!(
                "ticket payload v{version} is not understood"
            )));
        }
        let now = now_ms();
        match (envelope.kind.as_str(), transfer) {
            (
                TICKET,
                Transfer::Ticket {
                    ticket,
                    events,
                    sealed_personal,
                },
            ) => {
                let fed = self
                    .federation
                    .upgrade()
                    .ok_or_else(|| refused("stopping"))?;
                let sealed: crate::model::Sealed = fed
                    .key()
                    .open_sealed(&sealed_personal)
                    .and_then(|plain| serde_json::from_slice(&plain).ok())
                    .ok_or_else(|| {
                        refused(format!(
                            "the personal data of ticket {} is not sealed to this node",
                            ticket.code
                        ))
                    })?;
                let holder = Body::node_of(&ticket.body_id) == Some(self.me.as_str());
                if !holder {
                    return Err(refused(format!(
                        "ticket {} is for a body of another node",
                        ticket.code
                    )));
                }
                let from = envelope.origin.to_string();
                store::put(conn, &ticket, true, now, &from)
                    .await
                    .map_err(failed)?;
                for e in &events {
                    store::add_event(conn, &ticket.code, e, "")
                        .await
                        .map_err(failed)?;
                }
                // Attachments are verified against their hashes before they are kept.
                if sealed
                    .attachments
                    .iter()
                    .any(|a| blake3::hash(&a.bytes).to_hex().as_str() != a.hash)
                {
                    return Err(refused(format!(
                        "an attachment of ticket {} does not match its hash",
                        ticket.code
                    )));
                }
                store::put_personal(conn, &ticket.code, &sealed.personal)
                    .await
                    .map_err(failed)?;
                store::put_attachments(conn, &ticket.code, &sealed.attachments)
                    .await
                    .map_err(failed)?;
                crate::notices::arrived(conn, &ticket)
                    .await
                    .map_err(failed)?;
            }
            (UPDATE, Transfer::Update { ticket, event }) => {
                let holder = Body::node_of(&ticket.body_id) == Some(self.me.as_str());
                let from = envelope.origin.to_string();
                store::put(conn, &ticket, holder, now, &from)
                    .await
                    .map_err(failed)?;
                store::add_event(conn, &ticket.code, &event, "")
                    .await
                    .map_err(failed)?;
                self.pass_on(conn, &ticket.code, &event, &from).await?;
            }
            (
                ESCALATION,
                Transfer::Escalation {
                    code,
                    body_id,
                    kind,
                    subject,
                    due_day,
                    working_days_late,
                    red_line,
                },
            ) => {
                crate::notices::escalated(conn, &code, &body_id, &subject, &due_day, red_line)
                    .await
                    .map_err(failed)?;
                sqlx::query(
                    "INSERT INTO ticket_escalations (code, from_node, body_id, kind, subject, due_day, working_days_late, red_line, at_ms)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (code) DO UPDATE SET working_days_late = excluded.working_days_late,
                       red_line = MAX(ticket_escalations.red_line, excluded.red_line), at_ms = excluded.at_ms",
                )
                .bind(code)
                .bind(envelope.origin.to_string())
                .bind(body_id)
                .bind(kind)
                .bind(subject)
                .bind(due_day)
                .bind(i64::from(working_days_late))
                .bind(i64::from(red_line))
                .bind(now)
                .execute(&mut *conn)
                .await
                .map_err(failed)?;
            }
            (PUBLICATION, Transfer::Publication { code, publication }) => {
                // Only the node of the ticket's body publishes its reply (checked again
                // when listed, for a publication that arrives before the ticket).
                if let Some((t, _)) = store::get(conn, &code).await.map_err(failed)?
                    && Body::node_of(&t.body_id) != Some(envelope.origin.to_string().as_str())
                {
                    return Err(refused(format!(
                        "{} may not publish the reply of ticket {code}",
                        envelope.origin
                    )));
                }
                crate::publication::receive(
                    conn,
                    &code,
                    &publication,
                    &envelope.origin.to_string(),
                )
                .await
                .map_err(failed)?;
            }
            (kind, _) => return Err(refused(format!("`{kind}` does not carry that payload"))),
        }
        self.changes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// A citizen's change that reached a node the ticket has since left (the answer to a
    /// request for information, sent while the body transferred the ticket on) goes on to
    /// the node that holds it now, so the new body sees it too. Sent in the transaction
    /// that received it: it is passed on exactly when it is taken.
    async fn pass_on(
        &self,
        conn: &mut AnyConnection,
        code: &str,
        event: &EventRecord,
        from: &str,
    ) -> Result<(), ApplyError> {
        if !CITIZEN_ACTIONS.contains(&event.action.as_str()) {
            return Ok(());
        }
        let Some((stored, _)) = store::get(conn, code).await.map_err(failed)? else {
            return Ok(());
        };
        let Some(holder) = Body::node_of(&stored.body_id) else {
            return Ok(());
        };
        if holder == self.me || holder == from {
            return Ok(());
        }
        let Ok(holder) = holder.parse() else {
            return Ok(());
        };
        let fed = self
            .federation
            .upgrade()
            .ok_or_else(|| refused("stopping"))?;
        let update = Transfer::Update {
            ticket: stored,
            event: event.clone(),
        };
        fed.send(conn, holder, UPDATE, encode_payload(V1, &update))
            .await
            .map_err(|e| ApplyError::Failed(e.to_string()))?;
        Ok(())
    }

    async fn body(
        &self,
        conn: &mut AnyConnection,
        entry: &Entry,
        payload: &[u8],
    ) -> Result<(), ApplyError> {
        let (version, body): (u8, Body) = decode_payload(payload).map_err(refused)?;
        if version != V1 || Body::node_of(&body.id) != Some(body.node.as_str()) {
            return Err(refused("malformed body"));
        }
        let origin = entry.origin.to_string();
        let fed = self
            .federation
            .upgrade()
            .ok_or_else(|| refused("stopping"))?;
        // A node vouches for its own key (its chain is verified); the province re-declares
        // what it verified.
        if body.node == origin
            && fed.trust().key_of(entry.origin).map(hex::encode) != Some(body.public_key.clone())
        {
            return Err(refused(format!(
                "{origin} declared a key that is not its certified key"
            )));
        }
        let root = fed.topology().root().to_string();
        // A node declares its own bodies; the province re-declares them for everyone.
        if body.node != origin && origin != root {
            return Err(refused(format!(
                "{origin} may not declare bodies of {}",
                body.node
            )));
        }
        store::put_body(conn, &body, now_ms())
            .await
            .map_err(failed)?;
        if self.me == root && origin != self.me {
            fed.append(
                conn,
                EntryDraft {
                    kind: BODY.into(),
                    object: format!("body:{}", body.id),
                    audience: Audience::Public,
                    payload: encode_payload(V1, &body),
                },
            )
            .await
            .map_err(|e| ApplyError::Failed(e.to_string()))?;
        }
        Ok(())
    }
}

impl DeliveryHandler for TicketDelivery {
    fn deliver<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        envelope: &'a Entry,
        payload: &'a [u8],
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(self.take(conn, envelope, payload))
    }
}

impl Applier for TicketDelivery {
    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        entry: &'a Entry,
        payload: &'a [u8],
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(async move {
            match entry.kind.as_str() {
                BODY => self.body(conn, entry, payload).await,
                crate::settings::SETTINGS => {
                    let (version, settings): (u8, crate::Settings) =
                        decode_payload(payload).map_err(refused)?;
                    if version != V1 || settings.policy.validate().is_err() {
                        return Err(refused("malformed interaction settings"));
                    }
                    crate::settings::store(
                        conn,
                        &entry.origin.to_string(),
                        &settings,
                        entry.hlc as i64,
                    )
                    .await
                    .map_err(failed)?;
                    self.changes
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    Ok(())
                }
                crate::rollup::STATS => {
                    let (version, stats): (u8, Vec<crate::BodyStats>) =
                        decode_payload(payload).map_err(refused)?;
                    let origin = entry.origin.to_string();
                    let own =
                        |b: &crate::BodyStats| Body::node_of(&b.body) == Some(origin.as_str());
                    if version != V1 || !stats.iter().all(own) {
                        return Err(refused("statistics of another node's bodies"));
                    }
                    crate::rollup::store(conn, &origin, &stats)
                        .await
                        .map_err(failed)
                }
                other => Err(refused(format!("unknown kind {other}"))),
            }
        })
    }
}
