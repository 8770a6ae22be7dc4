//! Routed store-and-forward delivery: a module sends a payload to a named node (a ticket
//! to the node of the responsible body), and every hop of the tree path persists the
//! signed envelope before acknowledging it, so nothing is lost when any hop is down for
//! any time, and nothing is duplicated when an acknowledgement is lost (ids are
//! remembered). Unlike log entries, envelopes travel between any two nodes, cousins
//! included, and are held only by the nodes on their path until passed on.

use std::sync::{Arc, RwLock};

use govnode_topology::NodeId;
use sqlx::{AnyConnection, Row as _};

use crate::cert::Certificate;
use crate::entry::{Audience, Entry, EntryDraft};
use crate::error::FederationError;
use crate::hlc::now_ms;
use crate::replica::{ApplyError, BoxFuture, Federation};

/// Takes envelopes of one kind prefix addressed to this node.
pub trait DeliveryHandler: Send + Sync {
    /// Stores what the envelope carries, inside the transaction that also records its id
    /// (decide `Refused` before writing anything).
    fn deliver<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        envelope: &'a Entry,
        payload: &'a [u8],
    ) -> BoxFuture<'a, Result<(), ApplyError>>;
}

/// Handlers by kind prefix.
#[derive(Default)]
pub(crate) struct DeliveryHandlers(RwLock<Vec<(String, Arc<dyn DeliveryHandler>)>>);

impl DeliveryHandlers {
    fn find(&self, kind: &str) -> Option<Arc<dyn DeliveryHandler>> {
        self.0
            .read()
            .expect("delivery handlers lock")
            .iter()
            .find(|(prefix, _)| kind.starts_with(prefix.as_str()))
            .map(|(_, h)| h.clone())
    }
}

/// One envelope waiting in the outbox.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Envelope id (hex).
    pub id: String,
    /// Where it goes.
    pub destination: NodeId,
    /// The signed envelope.
    pub envelope: Entry,
    /// Tries so far.
    pub attempts: i64,
}

/// The object naming an envelope's destination (covered by the signature).
fn destination_of(envelope: &Entry) -> Option<NodeId> {
    envelope.object.strip_prefix("to:")?.parse().ok()
}

/// An envelope's id: the blake3 hash of its signed bytes.
pub fn envelope_id(envelope: &Entry) -> String {
    blake3::hash(&envelope.canonical_bytes())
        .to_hex()
        .to_string()
}

impl Federation {
    /// Registers the handler of envelopes whose kind starts with `prefix`.
    pub fn register_delivery(&self, prefix: &str, handler: Arc<dyn DeliveryHandler>) {
        self.deliveries
            .0
            .write()
            .expect("delivery handlers lock")
            .push((prefix.to_string(), handler));
    }

    /// Signs `payload` for `destination` and puts it in the outbox, inside the caller's
    /// transaction; after the commit, call [`Federation::kick_outbox`]. Returns the id.
    pub async fn send(
        &self,
        conn: &mut AnyConnection,
        destination: NodeId,
        kind: &str,
        payload: Vec<u8>,
    ) -> Result<String, FederationError> {
        let draft = EntryDraft {
            kind: kind.to_string(),
            object: format!("to:{destination}"),
            audience: Audience::Nodes(vec![destination]),
            payload,
        };
        let envelope = Entry::sign(self.key(), self.me(), 0, self.hlc.now(), draft);
        let id = envelope_id(&envelope);
        store_outbox(conn, &id, destination, &envelope).await?;
        Ok(id)
    }

    /// Wakes the forwarder (after a commit that put envelopes in the outbox).
    pub fn kick_outbox(&self) {
        self.outbox_wake.notify_one();
    }

    /// Waits until the outbox may have work.
    pub(crate) async fn outbox_kicked(&self) {
        self.outbox_wake.notified().await;
    }

    /// The oldest envelopes waiting to be passed on.
    pub async fn outbox(&self, limit: i64) -> Result<Vec<Pending>, FederationError> {
        let rows = sqlx::query(
            "SELECT id, destination, envelope, attempts FROM fed_outbox ORDER BY created_ms, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.log.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let bytes: Vec<u8> = r.try_get(2)?;
            let destination: String = r.try_get(1)?;
            let (Ok(envelope), Ok(destination)) =
                (postcard::from_bytes::<Entry>(&bytes), destination.parse())
            else {
                continue;
            };
            out.push(Pending {
                id: r.try_get(0)?,
                destination,
                envelope,
                attempts: r.try_get(3)?,
            });
        }
        Ok(out)
    }

    /// Number of envelopes waiting.
    pub async fn outbox_len(&self) -> Result<i64, FederationError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM fed_outbox")
            .fetch_one(&self.log.read)
            .await?
            .try_get(0)?)
    }

    /// The next hop acknowledged the envelope: it is no longer ours to keep.
    pub(crate) async fn passed_on(&self, id: &str) -> Result<(), FederationError> {
        sqlx::query("DELETE FROM fed_outbox WHERE id = $1")
            .bind(id)
            .execute(&self.log.write)
            .await?;
        Ok(())
    }

    /// A try failed; remember why.
    pub(crate) async fn attempt_failed(&self, id: &str, why: &str) -> Result<(), FederationError> {
        sqlx::query("UPDATE fed_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1")
            .bind(id)
            .bind(why)
            .execute(&self.log.write)
            .await?;
        Ok(())
    }

    /// Takes an envelope from a peer: verifies it, and in one transaction remembers its id
    /// and either hands it to the module (addressed here) or puts it in the outbox
    /// (passing through). Only then is it acknowledged. A repeat is acknowledged again.
    pub async fn receive(&self, envelope: Entry, chain: Vec<Certificate>) -> Result<(), String> {
        self.trust.admit(&chain, now_ms());
        let key = self.trust.key_of(envelope.origin).ok_or_else(|| {
            format!(
                "no certificate chain of {} reaches the root",
                envelope.origin
            )
        })?;
        if !envelope.payload_intact() || !envelope.signed_by(&key) {
            return Err(format!(
                "envelope not signed by {}'s certified key",
                envelope.origin
            ));
        }
        let destination = destination_of(&envelope).ok_or("envelope without a destination")?;
        let id = envelope_id(&envelope);
        let db = |e: sqlx::Error| e.to_string();
        let mut tx = self.log.write.begin().await.map_err(db)?;
        let seen = sqlx::query("SELECT 1 FROM fed_delivered WHERE id = $1")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        if seen.is_some() {
            return Ok(());
        }
        let here = destination == self.me();
        if here {
            let handler = self
                .deliveries
                .find(&envelope.kind)
                .ok_or_else(|| format!("{} takes no `{}` deliveries", self.me(), envelope.kind))?;
            let payload = envelope.payload.as_deref().unwrap_or_default();
            handler
                .deliver(&mut tx, &envelope, payload)
                .await
                .map_err(|e| format!("{e:?}"))?;
        } else {
            store_outbox(&mut tx, &id, destination, &envelope)
                .await
                .map_err(|e| e.to_string())?;
        }
        sqlx::query(
            "INSERT INTO fed_delivered (id, origin, kind, relayed, at_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(envelope.origin.to_string())
        .bind(&envelope.kind)
        .bind(i64::from(!here))
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        // Relayed, or taken by a handler that may have sent something on in the same
        // transaction: either way the outbox may have grown.
        self.kick_outbox();
        Ok(())
    }
}

async fn store_outbox(
    conn: &mut AnyConnection,
    id: &str,
    destination: NodeId,
    envelope: &Entry,
) -> Result<(), FederationError> {
    sqlx::query(
        "INSERT INTO fed_outbox (id, destination, origin, kind, envelope, created_ms) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(destination.to_string())
    .bind(envelope.origin.to_string())
    .bind(&envelope.kind)
    .bind(postcard::to_stdvec(envelope).expect("postcard encodes plain structs"))
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
