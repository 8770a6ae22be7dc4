//! The node: everything one govnode process holds, and its server entry point.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use govnode_accounts::{AuditLog, SessionStore, TokenStore, UserStore};
use govnode_content::Content;
use govnode_content::render::Renderer;
use govnode_federation::{Federation, NodeKey};
use govnode_interaction::survey::{CookieSigner, Surveys};
use govnode_library::BlobStore;
use govnode_search::{Dictionary, OneNetSearch, QueryAnalytics, SearchIndex};
use govnode_web::{AppState, Metrics, NodeInfo, SyncSlot};
use tokio::net::TcpListener;
use tracing::{info, warn};

use crate::indexer::Indexer;
use crate::site_directory::ContentSites;
use crate::storage::Db;
use crate::workers::Workers;
use crate::{Config, NodeError};

/// One node's state, shared by every request handler and background task.
pub struct Node {
    /// Configuration.
    pub config: Config,
    /// Data dir.
    pub data_dir: PathBuf,
    /// Database pools.
    pub db: Db,
    /// Content module.
    pub content: Content,
    /// Blob store.
    pub blobs: BlobStore,
    /// API tokens.
    pub tokens: TokenStore,
    /// Staff sign-in sessions (pruned by a worker).
    pub sessions: SessionStore,
    /// Full-text index.
    pub search: Arc<SearchIndex>,
    /// Search dictionaries (synonyms, topic cards) of this node's lineage.
    pub dictionary: Dictionary,
    /// Tickets (一网通答).
    pub interaction: govnode_interaction::Interaction,
    /// Query analytics.
    pub analytics: QueryAnalytics,
    /// One-net management (一网通管).
    pub monitoring: govnode_monitoring::Monitoring,
    /// Visit analytics (统一行为分析).
    pub visits: govnode_analytics::Visits,
    /// Page renderer.
    pub renderer: Arc<Renderer>,
    /// Keeps the search index caught up with the published table.
    pub(crate) indexer: Arc<Indexer>,
    /// The node's signing identity.
    pub key: NodeKey,
    /// Signed logs, trust and replication.
    pub federation: Arc<Federation>,
    /// The running sync service (set by `run` when the config has `[federation]`).
    pub sync: SyncSlot,
    /// Template overrides applied from other nodes (the renderer reloads when it moves).
    pub(crate) replica_templates: Arc<std::sync::atomic::AtomicU64>,
    /// What the HTTP layer is given.
    pub(crate) web: AppState,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("id", &self.config.node.id)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl Node {
    /// Opens a node's state from its data dir: database (migrated), key, search index
    /// (caught up with the published table), template overrides.
    pub async fn open(config: Config, data_dir: &Path) -> Result<Arc<Node>, NodeError> {
        std::fs::create_dir_all(data_dir)?;
        let db = Db::open(data_dir).await?;
        let key = NodeKey::load_or_create(data_dir)?;
        let blobs = BlobStore::new(
            &data_dir.join("blobs"),
            db.read.clone(),
            db.write.clone(),
            config.library.max_upload_bytes,
        );
        let federation = crate::replication::open(&config, data_dir, &key, &db).await?;
        let content = Content::new(db.read.clone(), db.write.clone(), blobs.clone())
            .with_federation(federation.clone());
        content.claim_origin(config.node.id.as_str()).await?;
        let index_dir = data_dir.join("search");
        let search = tokio::task::spawn_blocking(move || SearchIndex::open(&index_dir))
            .await
            .map_err(|e| NodeError::Storage(format!("opening search index: {e}")))??;
        let search = Arc::new(search);
        let metrics = Arc::new(Metrics::default());
        // The index follows every public change before it is answered (see content's
        // PublishedFollower); the indexer reads through a handle without the follower.
        let indexer = Arc::new(Indexer::new(
            config.node.id.to_string(),
            content.clone(),
            search.clone(),
            metrics.clone(),
        ));
        let content = content.with_follower(indexer.clone());
        let applier = govnode_content::ContentApplier::new(&federation);
        let replica_templates = applier.templates_applied();
        federation.register(govnode_content::KIND_PREFIX, Arc::new(applier));
        let dictionary = Dictionary::new(db.read.clone(), db.write.clone(), federation.clone())
            .with_index(search.clone());
        federation.register(
            govnode_search::dictionary::KIND_PREFIX,
            Arc::new(dictionary.applier()),
        );
        let interaction = govnode_interaction::Interaction::new(
            db.read.clone(),
            db.write.clone(),
            federation.clone(),
        );
        let delivery = Arc::new(interaction.delivery());
        federation.register_delivery(govnode_interaction::KIND_PREFIX, delivery.clone());
        federation.register(govnode_interaction::KIND_PREFIX, delivery);
        let analytics = QueryAnalytics::new(db.read.clone(), db.write.clone(), federation.clone());
        federation.register(
            govnode_search::analytics::KIND_PREFIX,
            Arc::new(analytics.applier()),
        );
        let monitoring = govnode_monitoring::Monitoring::new(db.read.clone(), db.write.clone())
            .with_federation(federation.clone());
        federation.register(
            govnode_monitoring::KIND_PREFIX,
            Arc::new(monitoring.applier()),
        );
        let visits = govnode_analytics::Visits::new(
            db.read.clone(),
            db.write.clone(),
            federation.clone(),
            config.analytics.settings(),
        );
        federation.register(govnode_analytics::KIND_PREFIX, Arc::new(visits.applier()));
        visits
            .start()
            .await
            .map_err(|e| NodeError::Storage(e.to_string()))?;
        // The content checks run before every approval (发布前检查).
        let content = content.with_gate(Arc::new(
            govnode_monitoring::content_checks::MonitoringGate::new(monitoring.clone()),
        ));
        let tokens = TokenStore::new(db.read.clone(), db.write.clone());
        let policy = config.auth.policy();
        let users = UserStore::with_policy(db.read.clone(), db.write.clone(), policy.clone());
        let sessions = SessionStore::with_policy(db.read.clone(), db.write.clone(), policy);
        let sign_in = sign_in_methods(&config.auth, &users)?;
        let renderer = Arc::new(Renderer::default());
        for site in content.sites().await? {
            let overrides = content.template_overrides(&site.id).await?;
            if let Err(e) = renderer.set_overrides(&site.id, overrides) {
                // A stored override that no longer compiles must not take the site down.
                warn!(site = %site.id, error = %e, "template overrides ignored");
            }
        }
        let sync: SyncSlot = Arc::new(OnceLock::new());
        let searches = metrics.clone();
        let one_net = OneNetSearch::new(
            search.clone(),
            federation.clone(),
            sync.clone(),
            Arc::new(ContentSites(content.clone())),
            analytics.clone(),
            Some(Arc::new(move |took: std::time::Duration| {
                searches.searches.inc();
                searches.search_seconds.observe(took.as_secs_f64());
            })),
        );
        federation.queries().register(
            govnode_search::federated::SEARCH_QUERY,
            one_net.query_handler(),
        );
        let web = AppState {
            node: Arc::new(NodeInfo {
                id: config.node.id,
                name: config.node.name.clone(),
                public_url: config.http.public_url.clone(),
                base_url: base_url(config.http.public_url.as_deref(), config.http.listen),
                trusted_proxies: config.http.trusted_proxies.clone(),
                public_key: key.public_hex(),
                max_request_bytes: config.http.max_request_bytes,
                max_upload_bytes: config.library.max_upload_bytes,
            }),
            content: content.clone(),
            blobs: blobs.clone(),
            tokens: tokens.clone(),
            users,
            sessions: sessions.clone(),
            audit: AuditLog::new(db.read.clone()),
            secure_cookies: config.auth.secure_cookie(config.http.public_url.as_deref()),
            sign_in,
            search: search.clone(),
            one_net,
            dictionary: dictionary.clone(),
            analytics: analytics.clone(),
            interaction: interaction.clone(),
            surveys: Surveys::new(db.read.clone(), db.write.clone()),
            monitoring: monitoring.clone(),
            visits: visits.clone(),
            respondents: Arc::new(respondent_signer(&key)),
            renderer: renderer.clone(),
            federation: federation.clone(),
            sync: sync.clone(),
            metrics: metrics.clone(),
        };
        let node = Arc::new(Node {
            config,
            data_dir: data_dir.to_path_buf(),
            db,
            content,
            blobs,
            tokens,
            sessions,
            search,
            dictionary,
            interaction,
            analytics,
            monitoring,
            visits,
            renderer,
            indexer,
            key,
            federation,
            sync,
            replica_templates,
            web,
        });
        // Entries stored but not applied when the process last stopped.
        node.federation.apply_pending().await?;
        node.federation.publish_topology(&node.db.write).await?;
        let federated = node.config.federation.is_some();
        if node
            .dictionary
            .seed_if_new(federated)
            .await
            .map_err(dict_err)?
        {
            info!("search dictionary seeded with the shipped synonyms and topic cards");
        }
        node.reload_lexicon().await?;
        node.interaction
            .reload_settings()
            .await
            .map_err(|e| NodeError::Storage(e.to_string()))?;
        let applied = node.sync_search().await?;
        info!(node = %node.config.node.id, public_key = %node.key.public_hex(), indexed = applied, "node open");
        Ok(node)
    }

    /// Applies every published change the search index lacks; returns how many.
    pub async fn sync_search(&self) -> Result<u64, NodeError> {
        self.indexer.sync().await
    }

    /// Hands the search index the lineage's current synonyms and topic cards.
    pub async fn reload_lexicon(&self) -> Result<(), NodeError> {
        self.dictionary.refresh_index().await.map_err(dict_err)
    }

    /// What the HTTP layer is given.
    pub fn app_state(&self) -> AppState {
        self.web.clone()
    }

    /// Drops the search index and rebuilds it from the published table.
    pub async fn reindex(&self) -> Result<u64, NodeError> {
        let search = self.search.clone();
        tokio::task::spawn_blocking(move || search.clear())
            .await
            .map_err(|e| NodeError::Storage(format!("clearing search index: {e}")))??;
        self.sync_search().await
    }

    /// Closes the database pools.
    pub async fn close(&self) {
        self.db.close().await;
    }
}

fn dict_err(e: govnode_search::DictionaryError) -> NodeError {
    NodeError::Storage(e.to_string())
}

/// The key survey respondents' cookies are signed with, derived from the node's key.
fn respondent_signer(key: &NodeKey) -> CookieSigner {
    let seed = key.sign(b"govnode survey respondent cookie");
    CookieSigner::new(blake3::derive_key(
        "govnode survey respondent cookie v1",
        &seed.to_bytes(),
    ))
}

/// Scheme and authority for absolute links: the configured public URL, else the listening
/// address (`localhost` for an unspecified one).
/// How staff sign in: local passwords and single sign-on as `[auth]` configures them.
fn sign_in_methods(
    auth: &crate::config::AuthSection,
    users: &govnode_accounts::UserStore,
) -> Result<govnode_web::SignInMethods, NodeError> {
    let oidc = match &auth.oidc {
        Some(section) => {
            let settings = section.settings().map_err(NodeError::Config)?;
            let oidc =
                govnode_accounts::Oidc::new(settings, users.clone()).map_err(NodeError::Config)?;
            info!(issuer = %section.issuer, "single sign-on configured");
            Some(oidc)
        }
        None => None,
    };
    Ok(govnode_web::SignInMethods {
        local_passwords: auth.local_passwords,
        oidc_label: auth
            .oidc
            .as_ref()
            .map(|o| o.button_label.trim().to_string())
            .unwrap_or_default(),
        oidc,
    })
}

fn base_url(public_url: Option<&str>, listen: std::net::SocketAddr) -> String {
    match public_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None if listen.ip().is_unspecified() => format!("http://localhost:{}", listen.port()),
        None => format!("http://{listen}"),
    }
}

/// Serves `node` on `listener` until `shutdown` completes, then stops the background
/// tasks and closes storage, in that order.
pub async fn run(
    node: Arc<Node>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), NodeError> {
    let mut workers = Workers::new();
    crate::replication::start(&node, &mut workers).await?;
    let scheduled = node.clone();
    workers.every("scheduled publication", Duration::from_secs(1), move || {
        crate::workers::publish_scheduled(scheduled.clone())
    });
    let analytics = node.analytics.clone();
    workers.spawn("query analytics", move |stop| async move {
        analytics.run(stop).await
    });
    let visits = node.visits.clone();
    workers.spawn("visit analytics", move |stop| async move {
        visits.run(stop).await
    });
    let deadlines = node.clone();
    workers.every("ticket deadlines", Duration::from_secs(60), move || {
        crate::workers::check_deadlines(deadlines.clone())
    });
    let sessions = node.sessions.clone();
    workers.every("expired sessions", Duration::from_secs(300), move || {
        crate::workers::prune_sessions(sessions.clone())
    });
    if let Some(mailer) = crate::mail::Mailer::configured(&node)? {
        let mailing = node.clone();
        let alerting = node.clone();
        let alert_mailer = mailer.clone();
        workers.every("notice mail", crate::mail::PERIOD, move || {
            crate::mail::send_notices(mailing.clone(), mailer.clone())
        });
        workers.every("monitoring alert mail", crate::mail::PERIOD, move || {
            crate::mail::send_alerts(alerting.clone(), alert_mailer.clone())
        });
    }
    let addr = listener.local_addr()?;
    crate::monitoring::start(&node, &mut workers, addr);
    let mut state = node.app_state();
    if node.config.http.public_url.is_none() {
        // The configured port may be 0: links name the port actually bound.
        std::sync::Arc::make_mut(&mut state.node).base_url = base_url(None, addr);
        warn!(
            base = %state.node.base_url,
            "http.public_url is not set: absolute links in feeds and sitemaps of sites reached by path use the listening address"
        );
    }
    let app = govnode_web::router(state);
    info!(%addr, node = %node.config.node.id, "serving");
    govnode_web::serve(listener, app, node.config.http.serve_limits(), shutdown).await?;
    // Shutdown order: HTTP (above), then the workers in start order (followers and sync,
    // the scheduler, analytics, deadlines, sessions), then storage.
    workers.stop().await;
    node.close().await;
    info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    info!("shutdown requested");
}
