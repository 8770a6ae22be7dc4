//! The safe fetcher of link checks. A link on a government page may name any host, and
//! the node usually sits inside a government network, so a check must never become a way
//! into it: the fetcher resolves every host itself and connects only to the addresses it
//! checked (its resolver is the only one reqwest uses, so the connection is pinned to a
//! checked address), refuses non-public addresses unless allowed in config, follows
//! redirects by hand re-checking each hop, and bounds time, body size and the rate per host.
//!
//! Links to this node's own sites are requested from the node itself (its own address, the
//! site's host name in `Host`), so they answer exactly what a visitor gets, without DNS.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{Method, StatusCode, Url};

use super::address::{Network, non_public, permitted};

/// Limits and identity of link checks (from `[monitoring]`).
#[derive(Debug, Clone)]
pub struct FetchSettings {
    /// Non-public networks external checks may connect to anyway.
    pub allowed_networks: Vec<Network>,
    /// Requests per second to one host, across the whole run.
    pub per_host_per_sec: u32,
    /// Time one check may spend in requests, redirects included.
    pub total_timeout: Duration,
    /// Bytes of a body read at most (the rest is never fetched).
    pub max_body_bytes: usize,
    /// Redirects followed at most.
    pub max_redirects: usize,
    /// The `User-Agent` every request carries.
    pub user_agent: String,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            allowed_networks: Vec::new(),
            per_host_per_sec: 2,
            total_timeout: Duration::from_secs(15),
            max_body_bytes: 4096,
            max_redirects: 5,
            user_agent: user_agent(""),
        }
    }
}

/// The User-Agent of the node's checks, naming the node so a site's operator can ask.
pub fn user_agent(public_url: &str) -> String {
    format!("govnode-monitoring/0.1 (政府网站监测; +{public_url})")
}

/// What a checked link answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A successful answer (after redirects).
    Ok(u16),
    /// An error status.
    Status(u16),
    /// A hop named an address the node may not connect to.
    Refused {
        /// The refused host.
        host: String,
        /// Which kind of address, in Chinese.
        why: &'static str,
    },
    /// No answer within the time limit.
    Timeout,
    /// The host did not resolve, the connection failed, the answer was not HTTP.
    Failed(String),
    /// More redirects than allowed, or a redirect without a usable target.
    BadRedirect(String),
    /// Not a link a check can follow (an `ftp:` URL, a malformed one).
    Unsupported,
}

impl Outcome {
    /// Whether the link counts as dead.
    pub fn is_dead(&self) -> bool {
        !matches!(self, Outcome::Ok(_) | Outcome::Unsupported)
    }

    /// What it answered, in Chinese for the finding.
    pub fn detail(&self) -> String {
        match self {
            Outcome::Ok(s) => format!("链接可以访问（{s}）"),
            Outcome::Status(s) => format!("链接无法访问（{s}）"),
            Outcome::Refused { why, .. } => format!("链接指向{why}，已拒绝检查"),
            Outcome::Timeout => "链接访问超时".into(),
            Outcome::Failed(why) => format!("链接无法访问（{why}）"),
            Outcome::BadRedirect(why) => format!("链接跳转异常（{why}）"),
            Outcome::Unsupported => "链接无法检查".into(),
        }
    }
}

/// Why the resolver refused a host (found again in reqwest's error chain).
#[derive(Debug)]
struct Refused(&'static str);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused: {}", self.0)
    }
}
impl std::error::Error for Refused {}

/// The only resolver external requests use: it hands reqwest the permitted addresses only.
struct SafeResolver {
    allowed: Arc<Vec<Network>>,
}

impl Resolve for SafeResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.allowed.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut why = "未知地址";
            let ok: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match permitted(a.ip(), &allowed) {
                    Ok(()) => true,
                    Err(w) => {
                        why = w;
                        false
                    }
                })
                .collect();
            if ok.is_empty() {
                return Err(Box::new(Refused(why)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(ok.into_iter()) as Addrs)
        })
    }
}

/// At most N requests per second to one host, shared by every check of a run.
#[derive(Debug)]
pub struct HostRate {
    gap: Duration,
    next: Mutex<HashMap<String, Instant>>,
}

impl HostRate {
    /// `per_sec` requests per second per host (at least one).
    pub fn new(per_sec: u32) -> Self {
        HostRate {
            gap: Duration::from_secs(1) / per_sec.max(1),
            next: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for `host`'s next slot.
    pub async fn acquire(&self, host: &str) {
        let slot = {
            let mut next = self.next.lock().expect("rate lock");
            let now = Instant::now();
            let slot = next.get(host).copied().filter(|t| *t > now).unwrap_or(now);
            next.insert(host.to_string(), slot + self.gap);
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

/// This node's own sites: their host names, and where the node answers.
#[derive(Debug, Clone)]
pub struct OwnSites {
    /// Host names (lowercase, with `:port` when not the default) served by this node.
    pub hosts: HashSet<String>,
    /// The node's own HTTP address.
    pub addr: SocketAddr,
}

/// Checks links: external ones safely, this node's own by asking the node.
#[derive(Clone)]
pub struct LinkFetcher {
    settings: Arc<FetchSettings>,
    external: reqwest::Client,
    local: reqwest::Client,
    own: Option<Arc<OwnSites>>,
    rate: Arc<HostRate>,
}

impl std::fmt::Debug for LinkFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkFetcher")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl LinkFetcher {
    /// A fetcher for one run (its rate limits last as long as it does).
    pub fn new(settings: FetchSettings, own: Option<OwnSites>) -> Result<LinkFetcher, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let per_request = settings.total_timeout;
        let external = reqwest::Client::builder()
            .user_agent(&settings.user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(SafeResolver {
                allowed: Arc::new(settings.allowed_networks.clone()),
            })
            .connect_timeout(per_request)
            .timeout(per_request)
            .build()
            .map_err(|e| format!("HTTP client for link checks: {e}"))?;
        let local = reqwest::Client::builder()
            .user_agent(&settings.user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(per_request)
            .build()
            .map_err(|e| format!("HTTP client for link checks: {e}"))?;
        Ok(LinkFetcher {
            rate: Arc::new(HostRate::new(settings.per_host_per_sec)),
            settings: Arc::new(settings),
            external,
            local,
            own: own.map(Arc::new),
        })
    }

    /// The host key of a URL: its host name, with the port when not the default.
    fn host_key(url: &Url) -> String {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host,
        }
    }

    /// Whether a URL names one of this node's own sites (or the node's own address).
    pub fn is_own(&self, url: &Url) -> bool {
        let Some(own) = &self.own else { return false };
        let key = Self::host_key(url);
        let own_addr = literal_ip(url) == Some(own.addr.ip())
            && url.port_or_known_default() == Some(own.addr.port());
        own.hosts.contains(&key) || own_addr
    }

    /// Checks one link, following redirects.
    pub async fn check(&self, url: &Url) -> Outcome {
        let mut url = url.clone();
        let mut spent = Duration::ZERO;
        for hop in 0..=self.settings.max_redirects {
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return if hop == 0 {
                    Outcome::Unsupported
                } else {
                    Outcome::BadRedirect(format!("跳转到无法检查的地址 {url}"))
                };
            }
            let own = self.is_own(&url);
            if !own
                && let Some(ip) = literal_ip(&url)
                && let Err(why) = permitted(ip, &self.settings.allowed_networks)
            {
                return Outcome::Refused {
                    host: Self::host_key(&url),
                    why,
                };
            }
            let host = Self::host_key(&url);
            let mut answered = None;
            // HEAD first; some servers answer HEAD wrongly, so an error status asks again by GET.
            for method in [Method::HEAD, Method::GET] {
                // The node's own pages are bounded by the run's concurrency alone.
                if !own {
                    self.rate.acquire(&host).await;
                }
                let Some(left) = self.settings.total_timeout.checked_sub(spent) else {
                    return Outcome::Timeout;
                };
                let started = Instant::now();
                let answer = tokio::time::timeout(left, self.request(method, &url, own)).await;
                spent += started.elapsed();
                match answer {
                    Err(_) => return Outcome::Timeout,
                    Ok(Err(outcome)) => return outcome,
                    Ok(Ok((s, next))) => {
                        let error = s.is_client_error() || s.is_server_error();
                        answered = Some((s, next));
                        if !error {
                            break;
                        }
                    }
                }
                if spent >= self.settings.total_timeout {
                    return Outcome::Timeout;
                }
            }
            let Some((status, next)) = answered else {
                return Outcome::Unsupported;
            };
            if status.is_redirection() {
                match next {
                    Some(next) => {
                        url = next;
                        continue;
                    }
                    None => return Outcome::BadRedirect("跳转缺少目标地址".into()),
                }
            }
            return if status.is_client_error() || status.is_server_error() {
                Outcome::Status(status.as_u16())
            } else {
                Outcome::Ok(status.as_u16())
            };
        }
        Outcome::BadRedirect(format!("跳转超过 {} 次", self.settings.max_redirects))
    }
}

impl LinkFetcher {
    /// One request: its status and, for a redirect, the resolved `Location`. At most
    /// `max_body_bytes` of a body are read; dropping the answer closes the connection.
    async fn request(
        &self,
        method: Method,
        url: &Url,
        own: bool,
    ) -> Result<(StatusCode, Option<Url>), Outcome> {
        let request = match (&self.own, own) {
            (Some(node), true) => {
                let mut direct = url.clone();
                let _ = direct.set_scheme("http");
                let _ = direct.set_ip_host(node.addr.ip());
                let _ = direct.set_port(Some(node.addr.port()));
                self.local
                    .request(method.clone(), direct)
                    .header(reqwest::header::HOST, Self::host_key(url))
            }
            _ => self.external.request(method.clone(), url.clone()),
        };
        let mut resp = request.send().await.map_err(|e| classify(url, &e))?;
        let status = resp.status();
        let next = status
            .is_redirection()
            .then(|| resp.headers().get(reqwest::header::LOCATION))
            .flatten()
            .and_then(|l| l.to_str().ok())
            .and_then(|l| url.join(l).ok());
        if method == Method::GET {
            let mut read = 0usize;
            while read < self.settings.max_body_bytes {
                match resp.chunk().await {
                    Ok(Some(c)) => read += c.len(),
                    Ok(None) => break,
                    Err(e) => return Err(classify(url, &e)),
                }
            }
        }
        Ok((status, next))
    }
}

/// A failed request as an outcome: a refusal of the resolver, a timeout, or a failure.
fn classify(url: &Url, e: &reqwest::Error) -> Outcome {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<Refused>() {
            return Outcome::Refused {
                host: LinkFetcher::host_key(url),
                why: r.0,
            };
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return Outcome::Failed("连接被拒绝".into());
        }
        source = s.source();
    }
    if e.is_timeout() {
        Outcome::Timeout
    } else if e.is_connect() {
        Outcome::Failed("无法连接".into())
    } else {
        Outcome::Failed("应答无效".into())
    }
}

/// Why a host is not public, for a finding (a literal address only).
pub fn refused_reason(url: &Url) -> Option<&'static str> {
    literal_ip(url).and_then(non_public)
}

fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(a) => Some(IpAddr::V4(a)),
        url::Host::Ipv6(a) => Some(IpAddr::V6(a)),
        url::Host::Domain(_) => None,
    }
}
