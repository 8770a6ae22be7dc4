//! One-net management's checks, as workers: availability probes of this node's sites and
//! its children's every `probe_interval_secs` (jittered), rounds of the site checks
//! (content, freshness, interaction, scorecards, alerts and the webhook, the report up the
//! tree) every `site_check_minutes`, and link checks of this node's own sites every
//! `[monitoring] link_check_hours`. A run in progress is
//! dropped at the stop signal, so neither ever holds up shutdown (findings are replaced per
//! site in one transaction, so a cut run leaves each site's last complete answer).
//!
//! How a site is reached: see `govnode_monitoring::web_checks::probes`. This node's own
//! sites are asked at the address the node listens on; a child's sites by their host names
//! through DNS (what citizens and inspectors see), or, when a probe route names the child's
//! HTTP base, there with `Host: {site host}`.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use govnode_monitoring::run::Round;
use govnode_monitoring::web_checks::links::LinkRun;
use govnode_monitoring::web_checks::probes::probe_targets;
use govnode_monitoring::web_checks::tamper::PagePair;
use govnode_monitoring::web_checks::{
    FetchSettings, LinkFetcher, LinkReport, OwnSites, ProbeResult, Prober, user_agent,
};
use govnode_monitoring::{Alert, MonitoringError};
use reqwest::Url;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::Node;
use crate::workers::Workers;

/// Probes older than this are deleted (the charts show at most a year).
const KEEP_PROBES_DAYS: i64 = 400;

/// Probes in flight at once.
const PROBES_AT_ONCE: usize = 16;

/// Starts the probe and link workers when `[monitoring]` is enabled; `addr` is where this
/// node's HTTP server listens.
pub(crate) fn start(node: &Arc<Node>, workers: &mut Workers, addr: SocketAddr) {
    if !node.config.monitoring.enabled {
        return;
    }
    let probing = node.clone();
    workers.spawn("monitoring probes", move |stop| {
        repeat(
            stop,
            move || {
                let node = probing.clone();
                async move {
                    // The interval in force (set at the province) is read before each wait.
                    let secs = match node.monitoring.thresholds_in_force().await {
                        Ok(t) => t.thresholds.probe_interval_secs,
                        Err(_) => node.monitoring.thresholds().probe_interval_secs,
                    };
                    Duration::from_secs(secs.max(10))
                }
            },
            {
                let node = node.clone();
                move || {
                    let node = node.clone();
                    async move {
                        match probe_now(&node, addr).await {
                            Ok(r) => {
                                let failed = r
                                    .iter()
                                    .filter(|p| p.status == 0 || p.status >= 400)
                                    .count();
                                if failed > 0 {
                                    warn!(probes = r.len(), failed, "availability probes failed");
                                }
                            }
                            Err(e) => warn!(error = %e, "availability probes could not run"),
                        }
                    }
                }
            },
        )
    });
    let minutes = node.config.monitoring.site_check_minutes.max(1);
    let rounds = node.clone();
    workers.spawn("monitoring sites", move |stop| {
        repeat(
            stop,
            move || async move { Duration::from_secs(minutes * 60) },
            move || {
                let node = rounds.clone();
                async move {
                    match check_sites_now(&node, addr).await {
                        Ok(r) => info!(
                            sites = r.sites,
                            failing = r.failing,
                            alerts = r.opened.len(),
                            "site checks done"
                        ),
                        Err(e) => warn!(error = %e, "site checks could not run"),
                    }
                }
            },
        )
    });
    let hours = node.config.monitoring.link_check_hours.max(1);
    let checking = node.clone();
    workers.spawn("monitoring links", move |stop| {
        repeat(
            stop,
            move || async move { Duration::from_secs(hours * 3600) },
            move || {
                let node = checking.clone();
                async move {
                    match check_links_now(&node, addr).await {
                        Ok(r) => info!(
                            pages = r.pages,
                            links = r.links,
                            dead = r.dead,
                            "link checks done"
                        ),
                        Err(e) => warn!(error = %e, "link checks could not run"),
                    }
                }
            },
        )
    });
}

/// Runs `round` again and again, each time after a jittered wait of `period()`, until the
/// stop signal, which also drops a round in progress.
async fn repeat<P, PF, R, RF>(mut stop: watch::Receiver<bool>, mut period: P, mut round: R)
where
    P: FnMut() -> PF,
    PF: Future<Output = Duration>,
    R: FnMut() -> RF,
    RF: Future<Output = ()>,
{
    let mut first = true;
    loop {
        let wait = jittered(period().await, first);
        first = false;
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        tokio::select! {
            _ = stop.changed() => return,
            () = round() => {}
        }
    }
}

/// A wait of about `period`: up to a fifth either way, and the first a random part of one
/// period, so a fleet restarted together does not probe in step. A run in progress is
/// dropped at the stop signal (see the workers above).
fn jittered(period: Duration, first: bool) -> Duration {
    let share = if first {
        rand::random_range(0.05..1.0)
    } else {
        rand::random_range(0.8..1.2)
    };
    period.mul_f64(share)
}

/// Where this node answers, as a base URL (an unspecified listen address as loopback).
fn own_addr(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(a) if a.is_unspecified() => SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port())),
        IpAddr::V6(a) if a.is_unspecified() => SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port())),
        _ => addr,
    }
}

fn base_url(addr: SocketAddr) -> Url {
    Url::parse(&format!("http://{}/", own_addr(addr))).expect("an address is a valid URL")
}

fn agent(node: &Node, addr: SocketAddr) -> String {
    let configured = node.config.monitoring.user_agent.trim();
    if !configured.is_empty() {
        return configured.to_string();
    }
    let public = node
        .config
        .http
        .public_url
        .clone()
        .unwrap_or_else(|| base_url(addr).to_string());
    user_agent(public.trim_end_matches('/'))
}

/// Probes every site this node watches once, records the probes and judges each site's
/// week (the availability finding). `addr` is this node's HTTP address. For tests and the
/// worker.
pub async fn probe_now(node: &Node, addr: SocketAddr) -> Result<Vec<ProbeResult>, MonitoringError> {
    let me = node.config.node.id;
    let children: Vec<String> = node
        .federation
        .topology()
        .children(me)
        .iter()
        .map(|c| c.to_string())
        .collect();
    // Routes from config, those set at run time winning.
    let mut routes = node.config.monitoring.probe_routes.clone();
    routes.extend(node.monitoring.probe_routes().await?);
    let targets = probe_targets(
        &node.content,
        &me.to_string(),
        &children,
        &base_url(addr),
        &routes,
    )
    .await?;
    let timeout = Duration::from_secs(node.config.monitoring.probe_timeout_secs);
    let prober = Prober::new(&agent(node, addr), timeout).map_err(MonitoringError::Upstream)?;
    let gate = Arc::new(tokio::sync::Semaphore::new(PROBES_AT_ONCE));
    let mut tasks = tokio::task::JoinSet::new();
    for t in targets {
        let prober = prober.clone();
        let gate = gate.clone();
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await;
            prober.probe(&t).await
        });
    }
    let mut results = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok(r) = done {
            results.push(r);
        }
    }
    node.monitoring.record_probes(&results).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let sites: BTreeSet<&str> = results.iter().map(|r| r.site.as_str()).collect();
    for site in sites {
        node.monitoring.check_availability(site, now).await?;
    }
    node.monitoring
        .prune_probes(now - KEEP_PROBES_DAYS * 86_400_000)
        .await?;
    Ok(results)
}

/// One round of the site checks (content, freshness, interaction, scorecards, alerts, the
/// report up the tree) over this node's sites and its children's; each new alert goes to
/// the webhook when one is configured. For tests and the worker.
pub async fn check_sites_now(node: &Node, addr: SocketAddr) -> Result<Round, MonitoringError> {
    let me = node.config.node.id;
    let children: Vec<String> = node
        .federation
        .topology()
        .children(me)
        .iter()
        .map(|c| c.to_string())
        .collect();
    let now = chrono::Utc::now().timestamp_millis();
    check_tamper_now(node, addr, &children, now).await?;
    let round = node
        .monitoring
        .check_all(
            &node.content,
            &node.interaction,
            &me.to_string(),
            &children,
            now,
        )
        .await?;
    let hook = node.config.monitoring.webhook_url.trim();
    if !hook.is_empty() {
        for alert in &round.opened {
            post_alert(node, hook, alert).await;
        }
    }
    Ok(round)
}

/// Pages of each child's site compared: the home page and the newest articles.
const TAMPER_PAGES: i64 = 5;

/// Compares the pages of every child's site that has a probe route, as served by the
/// child, with this node's rendering of its replica (see `web_checks::tamper`).
async fn check_tamper_now(
    node: &Node,
    addr: SocketAddr,
    children: &[String],
    now: i64,
) -> Result<(), MonitoringError> {
    let mut routes = node.config.monitoring.probe_routes.clone();
    routes.extend(node.monitoring.probe_routes().await?);
    let sites = node
        .content
        .sites()
        .await
        .map_err(|e| MonitoringError::Upstream(format!("reading sites: {e}")))?;
    crate::install_tls_provider();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(
            node.config.monitoring.probe_timeout_secs,
        ))
        .user_agent(agent(node, addr))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| MonitoringError::Upstream(e.to_string()))?;
    let fetch = |url: String| {
        let client = client.clone();
        async move {
            let r = client.get(url).send().await.ok()?;
            if !r.status().is_success() {
                return None;
            }
            r.text().await.ok()
        }
    };
    let own = base_url(addr);
    for site in sites
        .iter()
        .filter(|s| children.contains(&s.origin) && !s.shutdown)
    {
        let Some(base) = routes.get(&site.origin) else {
            continue;
        };
        let mut paths = vec![format!("/sites/{}/", site.id)];
        let newest = node
            .content
            .latest_published(&site.id, TAMPER_PAGES)
            .await
            .map_err(|e| MonitoringError::Upstream(e.to_string()))?;
        paths.extend(
            newest
                .iter()
                .map(|p| format!("/sites/{}/articles/{}", site.id, p.id)),
        );
        let mut pages = Vec::with_capacity(paths.len());
        for path in paths {
            let served = fetch(format!("{}{}", base.trim_end_matches('/'), path)).await;
            let rendered = fetch(format!("{}{}", own.as_str().trim_end_matches('/'), path)).await;
            pages.push(PagePair {
                path,
                served,
                rendered,
            });
        }
        let found = node.monitoring.check_tamper(&site.id, &pages, now).await?;
        if !found.is_empty() {
            warn!(site = %site.id, pages = found.len(), "pages of a child's site differ from their signed content");
        }
    }
    Ok(())
}

/// POSTs one new alert to the webhook (JSON, 10 s); a failure is logged, not retried: the
/// alert stays in the console and in the mail.
async fn post_alert(node: &Node, hook: &str, alert: &Alert) {
    let site_name = node
        .content
        .site(&alert.site)
        .await
        .map_or_else(|_| alert.site.clone(), |s| s.name);
    let body = serde_json::json!({
        "node": node.config.node.id.to_string(),
        "node_name": node.config.node.name,
        "site": alert.site,
        "site_name": site_name,
        "indicator": alert.indicator.code(),
        "indicator_name": alert.indicator.label(),
        "severity": "veto",
        "detail": alert.detail,
        "opened_ms": alert.opened_ms,
    });
    crate::install_tls_provider();
    let sent = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string());
    let sent = match sent {
        Ok(client) => client
            .post(hook)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.error_for_status().map(|_| ()).map_err(|e| e.to_string())),
        Err(e) => Err(e),
    };
    match sent {
        Ok(()) => info!(alert = alert.id, "monitoring alert posted to the webhook"),
        Err(e) => {
            warn!(alert = alert.id, error = %e, "posting a monitoring alert to the webhook failed")
        }
    }
}

/// Checks the links of every site this node owns (its replicas are checked by their own
/// nodes) in one run: one cache, one per-host rate. For tests and the worker.
pub async fn check_links_now(node: &Node, addr: SocketAddr) -> Result<LinkReport, MonitoringError> {
    let cfg = &node.config.monitoring;
    let sites = node
        .content
        .sites()
        .await
        .map_err(|e| MonitoringError::Upstream(format!("reading sites: {e}")))?;
    let own = OwnSites {
        hosts: sites
            .iter()
            .flat_map(|s| s.hosts.iter().map(|h| h.to_ascii_lowercase()))
            .collect(),
        addr: own_addr(addr),
    };
    let settings = FetchSettings {
        allowed_networks: cfg.networks().map_err(MonitoringError::Invalid)?,
        per_host_per_sec: cfg.per_host_per_sec,
        total_timeout: Duration::from_secs(cfg.link_timeout_secs),
        user_agent: agent(node, addr),
        ..FetchSettings::default()
    };
    let fetcher = LinkFetcher::new(settings, Some(own)).map_err(MonitoringError::Upstream)?;
    let run = LinkRun::new(fetcher, cfg.concurrency);
    let base = base_url(addr);
    let now = chrono::Utc::now().timestamp_millis();
    let mut total = LinkReport::default();
    // A shut-down site (一键关停) answers its maintenance page on purpose: not checked.
    for site in sites
        .iter()
        .filter(|s| !node.content.is_replica(s) && !s.shutdown)
    {
        let r = node
            .monitoring
            .check_site_links(&node.content, &site.id, &base, &run, now)
            .await?;
        total.pages += r.pages;
        total.links += r.links;
        total.dead += r.dead;
    }
    Ok(total)
}
