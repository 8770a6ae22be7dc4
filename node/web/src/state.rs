//! What the HTTP layer is given: the modules' service handles, built once by the node.
//!
//! Handlers take the one service they need (`State<Content>`, `State<Interaction>`…)
//! through [`FromRef`]; the few that combine several take a small state of their own.

use std::sync::{Arc, OnceLock};

use axum::extract::FromRef;
use govnode_accounts::{AuditLog, Oidc, SessionStore, TokenStore, UserStore};
use govnode_analytics::Visits;
use govnode_content::Content;
use govnode_content::render::Renderer;
use govnode_federation::{Federation, SyncService};
use govnode_interaction::Interaction;
use govnode_interaction::survey::{CookieSigner, Surveys};
use govnode_library::BlobStore;
use govnode_monitoring::Monitoring;
use govnode_search::{Dictionary, OneNetSearch, QueryAnalytics, SearchIndex};
use govnode_topology::NodeId;

use crate::common::metrics::Metrics;

/// Facts about the node the pages and the operators' views show.
#[derive(Debug, Clone)]
pub struct NodeInfo {
    /// The node's id (its region code).
    pub id: NodeId,
    /// The node's name (e.g. 广东省).
    pub name: String,
    /// The public base URL, when the node is behind a proxy with its own name.
    pub public_url: Option<String>,
    /// Scheme and authority of absolute links on pages reached by path (`/sites/{id}/…`):
    /// `public_url`, else the address the node listens on. Never taken from a request's
    /// `Host` header, which a client chooses.
    pub base_url: String,
    /// The node's public key, hex.
    pub public_key: String,
    /// Largest request body, except on upload routes.
    pub max_request_bytes: usize,
    /// Largest library upload.
    pub max_upload_bytes: u64,
    /// Reverse proxies whose `X-Forwarded-For` names the client (none: never believed).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// How staff sign in on this node (`[auth]`).
#[derive(Debug, Clone)]
pub struct SignInMethods {
    /// Whether local passwords are accepted (else the password form is not offered).
    pub local_passwords: bool,
    /// Single sign-on, when `[auth.oidc]` configures it.
    pub oidc: Option<Oidc>,
    /// The single sign-on button's label.
    pub oidc_label: String,
}

impl Default for SignInMethods {
    fn default() -> Self {
        SignInMethods {
            local_passwords: true,
            oidc: None,
            oidc_label: String::new(),
        }
    }
}

/// The running sync service, set once the federation has started (never on a standalone node).
pub type SyncSlot = Arc<OnceLock<SyncService>>;

/// Every service handle the routes may be given. Cheap to clone: handles and `Arc`s.
#[derive(Clone)]
pub struct AppState {
    /// Facts about this node.
    pub node: Arc<NodeInfo>,
    /// Sites, columns, articles, the workflow, distribution.
    pub content: Content,
    /// Files by hash.
    pub blobs: BlobStore,
    /// Staff tokens.
    pub tokens: TokenStore,
    /// Staff accounts, their grants, sign-in and second factors.
    pub users: UserStore,
    /// Staff sign-in sessions.
    pub sessions: SessionStore,
    /// The accounts audit log.
    pub audit: AuditLog,
    /// Whether the session cookie is marked `Secure` (the node is reached over https).
    pub secure_cookies: bool,
    /// Passwords and single sign-on, as configured.
    pub sign_in: SignInMethods,
    /// The full-text index (its freshness, for metrics).
    pub search: Arc<SearchIndex>,
    /// One-net search over the tree.
    pub one_net: OneNetSearch,
    /// Synonyms and topic cards of this node's lineage.
    pub dictionary: Dictionary,
    /// Query analytics.
    pub analytics: QueryAnalytics,
    /// Tickets (一网通答).
    pub interaction: Interaction,
    /// Surveys and opinion solicitations.
    pub surveys: Surveys,
    /// One-net management (一网通管): findings, probes and scorecards of the sites watched.
    pub monitoring: Monitoring,
    /// Visit analytics (统一行为分析): page views counted as pages are served.
    pub visits: Visits,
    /// Signs survey respondents' cookies.
    pub respondents: Arc<CookieSigner>,
    /// Site page renderer.
    pub renderer: Arc<Renderer>,
    /// Signed logs, trust, the tree.
    pub federation: Arc<Federation>,
    /// Sync with peers, once started.
    pub sync: SyncSlot,
    /// Metrics.
    pub metrics: Arc<Metrics>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("node", &self.node.id)
            .finish_non_exhaustive()
    }
}

macro_rules! from_state {
    ($($field:ident: $ty:ty),* $(,)?) => {$(
        impl FromRef<AppState> for $ty {
            fn from_ref(s: &AppState) -> Self {
                s.$field.clone()
            }
        }
    )*};
}

from_state!(
    node: Arc<NodeInfo>,
    content: Content,
    blobs: BlobStore,
    tokens: TokenStore,
    users: UserStore,
    sessions: SessionStore,
    audit: AuditLog,
    one_net: OneNetSearch,
    dictionary: Dictionary,
    analytics: QueryAnalytics,
    interaction: Interaction,
    surveys: Surveys,
    monitoring: Monitoring,
    visits: Visits,
    federation: Arc<Federation>,
    metrics: Arc<Metrics>,
);
