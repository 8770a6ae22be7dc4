//! Replication wiring: the federation's settings from the config, the certificate chain
//! in the data dir (the root signs its own), the sync service, the blob source, and the
//! workers that follow replicated changes (search index, dictionary, settings, replica
//! templates, wanted blobs).

use govnode_federation::now_ms;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt as _;
use govnode_federation::net::NetConfig;
use govnode_federation::{
    BlobSource, Certificate, Federation, FederationSettings, NodeKey, SyncService, SyncSettings,
    chain_from_file, chain_to_text,
};
use govnode_library::BlobStore;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::storage::Db;
use crate::workers::Workers;
use crate::{Config, Node, NodeError};

/// Default chain file name in the data dir.
pub const CHAIN_FILE: &str = "node.certs";

/// The chain file this node uses.
pub fn chain_path(config: &Config, data_dir: &Path) -> PathBuf {
    let name = config
        .federation
        .as_ref()
        .map_or(CHAIN_FILE, |f| f.certificate.as_str());
    data_dir.join(name)
}

/// Builds the federation settings; self-signs the root's certificate on first start.
pub(crate) fn settings(
    config: &Config,
    data_dir: &Path,
    key: &NodeKey,
) -> Result<FederationSettings, NodeError> {
    let me = config.node.id;
    let section = config.federation.as_ref();
    let root_key = match section {
        Some(f) => f.root_key_bytes()?,
        // A standalone node is its own root.
        None => key.public_bytes(),
    };
    let parent = section.and_then(|f| f.parent.as_ref().map(|l| l.id));
    let path = chain_path(config, data_dir);
    let chain = if path.exists() {
        chain_from_file(&path).map_err(|e| NodeError::Config(e.to_string()))?
    } else if parent.is_none() && root_key == key.public_bytes() {
        let cert = Certificate::self_signed_root(key, me, now_ms() - 60_000, 30);
        std::fs::write(&path, chain_to_text(std::slice::from_ref(&cert)))?;
        info!(path = %path.display(), "root certificate self-signed");
        vec![cert]
    } else {
        warn!(node = %me, "not enrolled yet: run `govnode certify` at the parent and `govnode install-cert` here");
        Vec::new()
    };
    let (batch_entries, batch_bytes) =
        section.map_or((500, 4 << 20), |f| (f.batch_entries, f.batch_bytes));
    Ok(FederationSettings {
        me,
        tier: section.and_then(|f| f.tier).unwrap_or_else(|| me.tier()),
        parent,
        aerial_roots: section
            .map_or_else(Vec::new, |f| f.aerial_roots.iter().map(|l| l.id).collect()),
        root_key,
        chain,
        topology: config.tree()?,
        batch_entries,
        batch_bytes,
    })
}

/// Opens the federation service and applies whatever a crash left pending.
pub(crate) async fn open(
    config: &Config,
    data_dir: &Path,
    key: &NodeKey,
    db: &Db,
) -> Result<Arc<Federation>, NodeError> {
    let settings = settings(config, data_dir, key)?;
    let fed = Federation::open(settings, key.clone(), db.read.clone(), db.write.clone()).await?;
    Ok(fed)
}

struct NodeBlobs(BlobStore);

impl BlobSource for NodeBlobs {
    fn get(
        &self,
        hash: [u8; 32],
    ) -> futures::future::BoxFuture<'static, Option<(String, Vec<u8>)>> {
        let store = self.0.clone();
        async move {
            // Peers get public blobs only: a citizen's file travels sealed in its ticket.
            match store.get_public(&hex::encode(hash)).await {
                Ok(Some((info, bytes))) => Some((info.mime, bytes)),
                _ => None,
            }
        }
        .boxed()
    }
}

/// Starts the follower of replicated changes and, when the config has a `[federation]`
/// section, sync and the fetcher of wanted blobs.
pub(crate) async fn start(node: &Arc<Node>, workers: &mut Workers) -> Result<(), NodeError> {
    let followed = node.clone();
    workers.spawn("replication follower", move |stop| {
        follow_changes(followed, stop)
    });
    let Some(section) = &node.config.federation else {
        return Ok(());
    };
    let mut uplinks: Vec<_> = section.parent.iter().map(|l| l.address).collect();
    uplinks.extend(section.aerial_roots.iter().map(|l| l.address));
    let settings = SyncSettings {
        net: NetConfig {
            listen: section.listen,
            uplinks,
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(10),
            ..NetConfig::default()
        },
        anti_entropy: Duration::from_secs(section.anti_entropy_secs.max(1)),
        batch_entries: section.batch_entries,
        batch_bytes: section.batch_bytes,
    };
    let blobs: Arc<dyn BlobSource> = Arc::new(NodeBlobs(node.blobs.clone()));
    let (sync, task) = SyncService::start(
        node.federation.clone(),
        settings,
        Some(blobs),
        workers.stop_signal(),
    )
    .await?;
    let addr = sync.listen_addr().await;
    info!(sync = %addr, "federation sync listening");
    let _ = node.sync.set(sync.clone());
    workers.adopt("sync", task);
    let fetcher = node.clone();
    workers.spawn("wanted blobs", move |stop| {
        fetch_wanted_blobs(fetcher, sync, stop)
    });
    Ok(())
}

/// Keeps the search index, the search dictionary and replica sites' template overrides
/// caught up with replicated entries.
async fn follow_changes(node: Arc<Node>, mut stop: watch::Receiver<bool>) {
    let mut changes = node.federation.subscribe();
    let mut templates_seen = 0;
    let mut dictionary_seen = node.dictionary.changes();
    let mut arrivals_seen = node.interaction.arrivals();
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            r = changes.changed() => if r.is_err() { return },
        }
        if let Err(e) = node.sync_search().await {
            warn!(error = %e, "search sync after replication failed");
        }
        let templates = node
            .replica_templates
            .load(std::sync::atomic::Ordering::Relaxed);
        let arrivals = node.interaction.arrivals();
        if arrivals != arrivals_seen {
            arrivals_seen = arrivals;
            if let Err(e) = node.interaction.reload_settings().await {
                warn!(error = %e, "reloading the interaction settings failed");
            }
        }
        let dictionary = node.dictionary.changes();
        if dictionary != dictionary_seen {
            dictionary_seen = dictionary;
            if let Err(e) = node.reload_lexicon().await {
                warn!(error = %e, "reloading the search dictionary failed");
            }
        }
        if templates != templates_seen {
            templates_seen = templates;
            if let Err(e) = reload_replica_templates(&node).await {
                warn!(error = %e, "reloading replicated template overrides failed");
            }
        }
    }
}

/// Hands the renderer the current overrides of every replica site.
async fn reload_replica_templates(node: &Node) -> Result<(), NodeError> {
    for site in node.content.sites().await? {
        if !node.content.is_replica(&site) {
            continue;
        }
        let overrides = node.content.template_overrides(&site.id).await?;
        if let Err(e) = node.renderer.set_overrides(&site.id, overrides) {
            // The owner's renderer accepted them; a difference in versions must not
            // take the replica down: it keeps the defaults.
            warn!(site = %site.id, error = %e, "replicated template overrides ignored");
        }
    }
    Ok(())
}

/// Fetches attachments of replicated articles from peers, verified by hash.
async fn fetch_wanted_blobs(node: Arc<Node>, sync: SyncService, mut stop: watch::Receiver<bool>) {
    let mut changes = node.federation.subscribe();
    loop {
        let wanted = match node.content.wanted_blobs(100).await {
            Ok(hashes) => hashes,
            Err(e) => {
                warn!(error = %e, "reading wanted blobs failed");
                Vec::new()
            }
        };
        for hash in wanted {
            let Ok(bytes) = hex::decode(&hash) else {
                continue;
            };
            let Ok(raw) = <[u8; 32]>::try_from(bytes.as_slice()) else {
                continue;
            };
            if let Some((mime, data)) = sync.fetch_blob(raw).await {
                match node.blobs.put(&data, &mime).await {
                    Ok(_) => {
                        if let Err(e) = node.content.blob_arrived(&hash).await {
                            warn!(%hash, error = %e, "forgetting a fetched blob failed");
                        }
                    }
                    Err(e) => warn!(%hash, error = %e, "storing a fetched blob failed"),
                }
            }
        }
        tokio::select! {
            _ = stop.changed() => return,
            _ = changes.changed() => {}
            _ = tokio::time::sleep(Duration::from_secs(30)) => {}
        }
    }
}
