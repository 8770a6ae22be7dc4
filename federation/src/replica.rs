//! The federation service: local appends, verification and ingestion of remote entries,
//! application through module appliers, and answering pulls with what a peer lacks and
//! is entitled to.

use crate::hlc::now_ms;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};

use govnode_topology::{NodeId, Tier, Topology};
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::watch;
use tracing::{debug, warn};

use crate::cert::{Certificate, Trust};
use crate::entry::{Audience, Entry, EntryDraft, decode_payload, encode_payload};
use crate::error::FederationError;
use crate::hlc::Hlc;
use crate::identity::NodeKey;
use crate::log::{Head, Log, Status};

/// A boxed future, for dyn-compatible async traits.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Entry kind of the province's tree.
pub const TOPOLOGY_KIND: &str = "federation.topology";

/// Why a module did not apply an entry.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApplyError {
    /// Authentic but not allowed (e.g. a site the origin does not own): never retried.
    #[error("refused: {0}")]
    Refused(String),
    /// A local failure (database): retried later.
    #[error("failed: {0}")]
    Failed(String),
}

/// A module's handler for the entry kinds it owns. Must be idempotent and decide per
/// object by last-writer-wins on (hlc, origin), so order and duplicates do not matter.
pub trait Applier: Send + Sync {
    /// Applies one entry whose payload is present and verified, inside the batch's
    /// transaction (decide `Refused` before writing anything).
    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        entry: &'a Entry,
        payload: &'a [u8],
    ) -> BoxFuture<'a, Result<(), ApplyError>>;
}

/// The federation settings a node starts with.
#[derive(Debug, Clone)]
pub struct FederationSettings {
    /// This node.
    pub me: NodeId,
    /// Its tier.
    pub tier: Tier,
    /// Its parent (None at the root).
    pub parent: Option<NodeId>,
    /// Extra uplinks to higher ancestors.
    pub aerial_roots: Vec<NodeId>,
    /// The province root public key.
    pub root_key: [u8; 32],
    /// This node's certificate chain, leaf first (empty until enrolled).
    pub chain: Vec<Certificate>,
    /// The whole tree (the province's config); others learn it as an entry.
    pub topology: Option<Topology>,
    /// Pull batch limit: entries.
    pub batch_entries: u32,
    /// Pull batch limit: bytes.
    pub batch_bytes: u32,
}

/// What one ingested batch did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct IngestReport {
    /// Newly stored.
    pub stored: usize,
    /// Already held.
    pub duplicates: usize,
    /// Rejected, with reasons.
    pub rejected: Vec<String>,
    /// Applied to local state.
    pub applied: usize,
}

/// The federation service of one node.
pub struct Federation {
    pub(crate) settings: FederationSettings,
    key: NodeKey,
    pub(crate) log: Log,
    pub(crate) trust: Trust,
    pub(crate) hlc: Hlc,
    /// The tree as configured or distributed by the province (else the implied chain).
    topology: RwLock<Arc<Topology>>,
    /// That tree with every certified node folded in, and the trust generation it was
    /// built at (`u64::MAX`: rebuild).
    effective: RwLock<(u64, Arc<Topology>)>,
    appliers: RwLock<Vec<(String, Arc<dyn Applier>)>>,
    appended: watch::Sender<u64>,
    rejected: Mutex<BTreeMap<String, u64>>,
    apply_lock: tokio::sync::Mutex<()>,
    queries: crate::sync::QueryHandlers,
    pub(crate) deliveries: crate::delivery::DeliveryHandlers,
    pub(crate) outbox_wake: tokio::sync::Notify,
}

impl std::fmt::Debug for Federation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Federation")
            .field("me", &self.settings.me)
            .finish()
    }
}

impl Federation {
    /// Opens the service over the node's database pools.
    pub async fn open(
        settings: FederationSettings,
        key: NodeKey,
        read: AnyPool,
        write: AnyPool,
    ) -> Result<Arc<Federation>, FederationError> {
        let log = Log::new(read, write);
        let trust = Trust::new(settings.root_key);
        let stored: Vec<Certificate> = log
            .certificates()
            .await?
            .iter()
            .filter_map(|b| postcard::from_bytes(b).ok())
            .collect();
        let mut all = settings.chain.clone();
        all.extend(stored);
        trust.admit(&all, now_ms());
        if let Some(own) = settings.chain.first() {
            if own.public_key != key.public_bytes() || own.node != settings.me {
                return Err(FederationError::Config(format!(
                    "the installed certificate is for node {} with another key, not this node {}",
                    own.node, settings.me
                )));
            }
            if trust.key_of(settings.me).is_none() {
                return Err(FederationError::Config(format!(
                    "the installed certificate chain of {} does not reach the configured root key",
                    settings.me
                )));
            }
        }
        let hlc = Hlc::starting_after(log.max_hlc().await?);
        let mut topology = match &settings.topology {
            Some(t) => t.clone(),
            None => Topology::implied(settings.me),
        };
        if settings.topology.is_none()
            && let Some(entry) = log.latest_of_kind(TOPOLOGY_KIND).await?
            && let Some(Ok((_, t))) = entry.payload.as_deref().map(decode_payload::<Topology>)
        {
            topology = t;
        }
        let fed = Arc::new(Federation {
            key,
            log,
            trust,
            hlc,
            effective: RwLock::new((u64::MAX, Arc::new(topology.clone()))),
            topology: RwLock::new(Arc::new(topology)),
            appliers: RwLock::new(Vec::new()),
            appended: watch::channel(0).0,
            rejected: Mutex::new(BTreeMap::new()),
            apply_lock: tokio::sync::Mutex::new(()),
            queries: crate::sync::QueryHandlers::default(),
            deliveries: Default::default(),
            outbox_wake: tokio::sync::Notify::new(),
            settings,
        });
        for cert in fed.trust.chain_of(fed.settings.me) {
            fed.log
                .save_certificate(cert.node, &postcard::to_stdvec(&cert).expect("encodes"))
                .await?;
        }
        Ok(fed)
    }

    /// This node.
    pub fn me(&self) -> NodeId {
        self.settings.me
    }

    /// The settings it started with.
    pub fn settings(&self) -> &FederationSettings {
        &self.settings
    }

    /// The log store.
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// Verified certificates.
    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    /// The node's key.
    pub fn key(&self) -> &NodeKey {
        &self.key
    }

    /// The tree as this node knows it: the province's tree (configured, or received as an
    /// entry) with every node whose certificate this node has verified added under its
    /// certified parent; where both list a node, the province's tree wins. Without a
    /// province's tree, the certificates draw it, and the chain the node's code implies only
    /// fills in what they lack. So a tree enrolled without `[[topology.nodes]]` still knows
    /// the children whose shards it holds.
    pub fn topology(&self) -> Arc<Topology> {
        let generation = self.trust.generation();
        {
            let effective = self.effective.read().expect("topology lock");
            if effective.0 == generation {
                return effective.1.clone();
            }
        }
        let base = self.topology.read().expect("topology lock").clone();
        // The province's tree is the authority; the chain a code merely implies is not.
        let implied = *base == Topology::implied(self.me());
        let merged = match self.trust.certified_tree() {
            Some(certified) if implied => match certified.merge(&base) {
                Ok(t) => Arc::new(t),
                Err(e) => {
                    warn!(error = %e, "the certified nodes and this node's code draw different trees; using the code's");
                    base
                }
            },
            Some(certified) => match base.merge(&certified) {
                Ok(t) => Arc::new(t),
                Err(e) => {
                    warn!(error = %e, "the certified nodes do not fit the province's tree; using the province's tree alone");
                    base
                }
            },
            None => base,
        };
        *self.effective.write().expect("topology lock") = (generation, merged.clone());
        merged
    }

    /// Handlers of queries routed to this node, by kind.
    pub fn queries(&self) -> &crate::sync::QueryHandlers {
        &self.queries
    }

    /// Registers the applier for entry kinds starting with `prefix`.
    pub fn register(&self, prefix: &str, applier: Arc<dyn Applier>) {
        self.appliers
            .write()
            .expect("appliers lock")
            .push((prefix.to_string(), applier));
    }

    /// Appends a local entry inside the caller's transaction; call [`Federation::announce`] after commit.
    pub async fn append(
        &self,
        conn: &mut AnyConnection,
        draft: EntryDraft,
    ) -> Result<Entry, FederationError> {
        Log::append_local(conn, &self.key, self.settings.me, self.hlc.now(), draft).await
    }

    /// Appends many local entries in the caller's transaction (bulk import); returns the new head.
    pub async fn append_many(
        &self,
        conn: &mut AnyConnection,
        drafts: Vec<EntryDraft>,
    ) -> Result<u64, FederationError> {
        let hlcs: Vec<u64> = drafts.iter().map(|_| self.hlc.now()).collect();
        Log::append_local_many(conn, &self.key, self.settings.me, hlcs.into_iter(), drafts).await
    }

    /// Tells subscribers (the sync task, the search indexer) that the log grew.
    pub fn announce(&self) {
        self.appended.send_modify(|n| *n += 1);
    }

    /// A receiver that changes whenever the log grows.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.appended.subscribe()
    }

    /// At the root: publishes the configured tree if it differs from the last one published.
    pub async fn publish_topology(&self, write: &AnyPool) -> Result<(), FederationError> {
        let Some(topology) = &self.settings.topology else {
            return Ok(());
        };
        let payload = encode_payload(1, topology);
        if let Some(last) = self.log.latest_of_kind(TOPOLOGY_KIND).await?
            && last.origin == self.me()
            && last.payload.as_deref() == Some(&payload[..])
        {
            return Ok(());
        }
        let mut tx = write.begin().await?;
        self.append(
            &mut tx,
            EntryDraft {
                kind: TOPOLOGY_KIND.into(),
                object: "tree".into(),
                audience: Audience::Public,
                payload,
            },
        )
        .await?;
        tx.commit().await?;
        self.announce();
        Ok(())
    }

    async fn reject(&self, entry: &Entry, peer: &str, reason: &str, detail: &str) {
        warn!(origin = %entry.origin, seq = entry.seq, peer, reason, detail, "entry rejected");
        *self
            .rejected
            .lock()
            .expect("rejected lock")
            .entry(reason.to_string())
            .or_default() += 1;
        if let Err(e) = self
            .log
            .record_rejection(entry.origin.as_str(), entry.seq, peer, reason, detail)
            .await
        {
            warn!(error = %e, "could not record a rejection");
        }
    }

    /// Rejected entries since start, by reason (for /metrics).
    pub fn rejected_counts(&self) -> BTreeMap<String, u64> {
        self.rejected.lock().expect("rejected lock").clone()
    }

    /// Verifies, stores and applies a batch from `peer`. Bad entries are rejected one by
    /// one; the rest of the batch goes on.
    pub async fn ingest(
        &self,
        peer: &str,
        entries: Vec<Entry>,
        certificates: Vec<Certificate>,
    ) -> Result<IngestReport, FederationError> {
        let (admitted, _) = self.trust.admit(&certificates, now_ms());
        for cert in &admitted {
            self.log
                .save_certificate(cert.node, &postcard::to_stdvec(cert).expect("encodes"))
                .await?;
        }
        let mut report = IngestReport::default();
        let mut accepted = Vec::with_capacity(entries.len());
        for entry in entries {
            let verdict = if !entry.payload_intact() {
                Err((
                    "bad-hash",
                    "the payload does not match its blake3 hash".to_string(),
                ))
            } else if let Some(key) = self.trust.key_of(entry.origin) {
                if entry.signed_by(&key) {
                    Ok(())
                } else {
                    Err((
                        "bad-signature",
                        format!("not signed by {}'s certified key", entry.origin),
                    ))
                }
            } else {
                Err((
                    "unchained-certificate",
                    format!("no certificate chain of {} reaches the root", entry.origin),
                ))
            };
            if let Err((reason, detail)) = verdict {
                self.reject(&entry, peer, reason, &detail).await;
                report
                    .rejected
                    .push(format!("{}#{}: {reason}", entry.origin, entry.seq));
                continue;
            }
            self.hlc.observe(entry.hlc);
            if entry.payload.is_none() {
                accepted.push((entry, Status::Elided));
            } else if self.is_holder(self.me(), &entry) {
                accepted.push((entry, Status::Pending));
            } else {
                accepted.push((entry.elided(), Status::Elided));
            }
        }
        let inserted = self.log.insert(&accepted).await?;
        report.stored = inserted.stored;
        report.duplicates = inserted.duplicates;
        for (origin, seq) in &inserted.conflicts {
            if let Some((entry, _)) = accepted
                .iter()
                .find(|(e, _)| e.origin == *origin && e.seq == *seq)
            {
                self.reject(
                    entry,
                    peer,
                    "equivocation",
                    "a different entry with this sequence is already held",
                )
                .await;
                report
                    .rejected
                    .push(format!("{origin}#{seq}: equivocation"));
            }
        }
        report.applied = self.apply_pending().await?;
        if !inserted.advanced.is_empty() {
            self.announce();
        }
        Ok(report)
    }

    /// Applies stored entries that are contiguous and not yet applied; returns how many.
    /// Each round of up to 500 entries is one transaction (one fsync), statuses included.
    pub async fn apply_pending(&self) -> Result<usize, FederationError> {
        let _guard = self.apply_lock.lock().await;
        let mut applied = 0;
        loop {
            let pending = self.log.pending(500).await?;
            if pending.is_empty() {
                return Ok(applied);
            }
            let mut refused = Vec::new();
            let mut tx = self.log.begin().await?;
            for entry in &pending {
                let payload = entry.payload.as_deref().unwrap_or_default();
                let status = match self.apply_one(&mut tx, entry, payload).await {
                    Ok(()) => Status::Applied,
                    Err(ApplyError::Refused(why)) => {
                        refused.push((entry, why));
                        Status::Refused
                    }
                    Err(ApplyError::Failed(why)) => {
                        // Roll the round back; it is retried on the next ingest or start.
                        warn!(origin = %entry.origin, seq = entry.seq, error = why, "apply failed; will retry");
                        return Ok(applied);
                    }
                };
                Log::set_status_in(&mut tx, entry.origin, entry.seq, status).await?;
                if status == Status::Applied {
                    applied += 1;
                }
            }
            tx.commit().await?;
            for (entry, why) in refused {
                self.reject(entry, "-", "refused", &why).await;
            }
        }
    }

    async fn apply_one(
        &self,
        conn: &mut AnyConnection,
        entry: &Entry,
        payload: &[u8],
    ) -> Result<(), ApplyError> {
        if entry.kind == TOPOLOGY_KIND {
            let root = self.topology().root();
            let origin_is_root = self
                .trust
                .certificate(entry.origin)
                .is_some_and(|c| c.issuer == c.node);
            if !origin_is_root {
                return Err(ApplyError::Refused(format!(
                    "{} is not the province root; only the root sets the tree",
                    entry.origin
                )));
            }
            let (_, topology): (u8, Topology) =
                decode_payload(payload).map_err(ApplyError::Refused)?;
            if !topology.contains(self.me()) {
                warn!(root = %root, "the province's tree does not list this node; keeping the implied one");
                return Ok(());
            }
            let newest = self
                .log
                .latest_of_kind(TOPOLOGY_KIND)
                .await
                .map_err(|e| ApplyError::Failed(e.to_string()))?;
            if newest.is_none_or(|n| n.hlc <= entry.hlc) {
                *self.topology.write().expect("topology lock") = Arc::new(topology);
                self.effective.write().expect("topology lock").0 = u64::MAX;
                debug!("tree updated from the province");
            }
            return Ok(());
        }
        let applier = {
            let appliers = self.appliers.read().expect("appliers lock");
            appliers
                .iter()
                .find(|(prefix, _)| entry.kind.starts_with(prefix.as_str()))
                .map(|(_, a)| a.clone())
        };
        match applier {
            Some(applier) => applier.apply(conn, entry, payload).await,
            // A kind this version does not know: kept and relayed, nothing to apply.
            None => Ok(()),
        }
    }

    /// Heads, for status pages and digest comparison.
    pub async fn heads(&self) -> Result<Vec<Head>, FederationError> {
        self.log.heads().await
    }

    /// This node's chain, leaf first.
    pub fn own_chain(&self) -> Vec<Certificate> {
        self.trust.chain_of(self.me())
    }
}
