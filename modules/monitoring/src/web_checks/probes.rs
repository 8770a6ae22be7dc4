//! Availability probes (站点可访问性): each node asks its own sites and its children's for
//! their home page, records status and time, and judges the week against the veto: ≥ 5 %
//! of probes failed or took ≥ 15 s. Because the parent probes, a dead county is seen even
//! though it cannot report itself.
//!
//! A site is probed at `http://{host}/` for each of its host names. Where the host names do
//! not lead to the serving node by DNS (a node inside a private network, a test tree), a
//! *probe route* names the node's HTTP base and the request goes there with
//! `Host: {site host}`, which is how the node itself routes a site; this node's own sites
//! are probed at the address it listens on unless a route says otherwise.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use govnode_content::Content;
use reqwest::Url;
use sqlx::Row;

use crate::{Finding, Indicator, Monitoring, MonitoringError, Severity, Source};

/// One probe to make: which site, the address people use, and where to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTarget {
    /// The site.
    pub site: String,
    /// The address recorded and shown (`http://{host}/`).
    pub url: String,
    /// Where the request goes.
    pub connect: Url,
    /// The `Host` header, when connecting through a route.
    pub host: Option<String>,
}

/// What one probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResult {
    /// The site.
    pub site: String,
    /// The address probed.
    pub url: String,
    /// When (unix ms).
    pub at_ms: i64,
    /// The answer's status, 0 when nothing answered.
    pub status: u16,
    /// Why nothing answered (empty otherwise).
    pub error: String,
    /// Milliseconds until the whole page arrived (or the failure).
    pub millis: i64,
}

/// Probes over a period.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Availability {
    /// Probes made.
    pub probes: i64,
    /// Probes nothing answered, or answered with an error status.
    pub failed: i64,
    /// Probes answered, but at or past the slow limit.
    pub slow: i64,
    /// (failed + slow) / probes, in percent (0 without probes).
    pub percent_failed: f64,
}

/// One Beijing day of probes, for the charts.
#[derive(Debug, Clone, PartialEq)]
pub struct DayAvailability {
    /// The day.
    pub day: NaiveDate,
    /// Its probes.
    pub availability: Availability,
}

/// Makes probes (one HTTP client, no redirects followed: a redirect is an answer).
#[derive(Debug, Clone)]
pub struct Prober {
    client: reqwest::Client,
    max_body: usize,
}

impl Prober {
    /// A prober giving up after `timeout`.
    pub fn new(user_agent: &str, timeout: Duration) -> Result<Prober, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(timeout)
            .timeout(timeout)
            .build()
            .map_err(|e| format!("HTTP client for probes: {e}"))?;
        Ok(Prober {
            client,
            max_body: 4 << 20,
        })
    }

    /// Probes one target: the time is until the page (up to 4 MiB) has arrived.
    pub async fn probe(&self, t: &ProbeTarget) -> ProbeResult {
        let at_ms = chrono::Utc::now().timestamp_millis();
        let started = Instant::now();
        let mut req = self.client.get(t.connect.clone());
        if let Some(host) = &t.host {
            req = req.header(reqwest::header::HOST, host);
        }
        let (status, error) = match req.send().await {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let mut read = 0usize;
                let mut error = String::new();
                while read < self.max_body {
                    match resp.chunk().await {
                        Ok(Some(c)) => read += c.len(),
                        Ok(None) => break,
                        Err(e) => {
                            error = describe(&e);
                            break;
                        }
                    }
                }
                if error.is_empty() {
                    (status, error)
                } else {
                    (0, error)
                }
            }
            Err(e) => (0, describe(&e)),
        };
        ProbeResult {
            site: t.site.clone(),
            url: t.url.clone(),
            at_ms,
            status,
            error,
            millis: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        }
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "访问超时".into()
    } else if e.is_connect() {
        "无法连接".into()
    } else {
        "应答无效".into()
    }
}

/// The probe targets of this node: its own sites and those of its children (`children`,
/// node ids), each host name's home page (a child's names as its site entries announce
/// them). Shut-down sites (一键关停) are left out: they are
/// closed on purpose. A child's site without host names, or without a route when it has
/// none, cannot be reached and is left out too.
pub async fn probe_targets(
    content: &Content,
    me: &str,
    children: &[String],
    own_base: &Url,
    routes: &BTreeMap<String, String>,
) -> Result<Vec<ProbeTarget>, MonitoringError> {
    let sites = content
        .sites()
        .await
        .map_err(|e| MonitoringError::Upstream(format!("reading sites: {e}")))?;
    let mut out = Vec::new();
    for site in sites {
        if site.shutdown {
            continue;
        }
        let own = site.origin.is_empty() || site.origin == me;
        if !own && !children.contains(&site.origin) {
            continue;
        }
        let node = if own { me } else { site.origin.as_str() };
        let route = match routes.get(node) {
            Some(base) => Some(Url::parse(base).map_err(|e| {
                MonitoringError::Invalid(format!("probe route of {node} {base:?}: {e}"))
            })?),
            None if own => Some(own_base.clone()),
            None => None,
        };
        // A replica row answers for no host name here; its owner's names are probed.
        let hosts = if own { &site.hosts } else { &site.owner_hosts };
        if hosts.is_empty() {
            if let Some(base) = &route {
                let url = base
                    .join(&format!("/sites/{}/", site.id))
                    .map_err(|e| MonitoringError::Invalid(e.to_string()))?;
                out.push(ProbeTarget {
                    site: site.id.clone(),
                    url: url.to_string(),
                    connect: url,
                    host: None,
                });
            }
            continue;
        }
        for host in hosts {
            let url = format!("http://{host}/");
            let (connect, host) = match &route {
                Some(base) => (
                    base.join("/")
                        .map_err(|e| MonitoringError::Invalid(e.to_string()))?,
                    Some(host.clone()),
                ),
                None => match Url::parse(&url) {
                    Ok(u) => (u, None),
                    Err(_) => continue,
                },
            };
            out.push(ProbeTarget {
                site: site.id.clone(),
                url,
                connect,
                host,
            });
        }
    }
    Ok(out)
}

impl Monitoring {
    /// Records probes.
    pub async fn record_probes(&self, results: &[ProbeResult]) -> Result<(), MonitoringError> {
        let mut tx = self.write.begin().await?;
        for r in results {
            sqlx::query(
                "INSERT INTO monitoring_probes (site_id, url, at_ms, status, error, millis) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&r.site)
            .bind(&r.url)
            .bind(r.at_ms)
            .bind(i64::from(r.status))
            .bind(&r.error)
            .bind(r.millis)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The probes of `site` since `since_ms`.
    pub async fn availability(
        &self,
        site: &str,
        since_ms: i64,
    ) -> Result<Availability, MonitoringError> {
        let slow_ms = self.slow_ms().await?;
        let r = sqlx::query(
            "SELECT COUNT(*) AS n, \
               COALESCE(SUM(CASE WHEN status = 0 OR status >= 400 THEN 1 ELSE 0 END), 0) AS failed, \
               COALESCE(SUM(CASE WHEN status > 0 AND status < 400 AND millis >= $3 THEN 1 ELSE 0 END), 0) AS slow \
             FROM monitoring_probes WHERE site_id = $1 AND at_ms >= $2",
        )
        .bind(site)
        .bind(since_ms)
        .bind(slow_ms)
        .fetch_one(&self.read)
        .await?;
        Ok(availability(
            r.try_get("n")?,
            r.try_get("failed")?,
            r.try_get("slow")?,
        ))
    }

    /// The probes of `site` per Beijing day, the last `days` days up to `now_ms`'s day, oldest
    /// first (a day without probes counts zero).
    pub async fn availability_by_day(
        &self,
        site: &str,
        days: u32,
        now_ms: i64,
    ) -> Result<Vec<DayAvailability>, MonitoringError> {
        let today = govnode_topology::beijing::date_of(now_ms);
        let first = today - chrono::Days::new(u64::from(days.max(1) - 1));
        let since = govnode_topology::beijing::midnight_ms(first);
        let rows = sqlx::query(
            "SELECT (at_ms + 28800000) / 86400000 AS d, COUNT(*) AS n, \
               SUM(CASE WHEN status = 0 OR status >= 400 THEN 1 ELSE 0 END) AS failed, \
               SUM(CASE WHEN status > 0 AND status < 400 AND millis >= $3 THEN 1 ELSE 0 END) AS slow \
             FROM monitoring_probes WHERE site_id = $1 AND at_ms >= $2 GROUP BY d",
        )
        .bind(site)
        .bind(since)
        .bind(self.slow_ms().await?)
        .fetch_all(&self.read)
        .await?;
        let mut by_day = BTreeMap::new();
        for r in rows {
            by_day.insert(
                r.try_get::<i64, _>("d")?,
                availability(r.try_get("n")?, r.try_get("failed")?, r.try_get("slow")?),
            );
        }
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
        Ok(first
            .iter_days()
            .take_while(|d| *d <= today)
            .map(|day| DayAvailability {
                day,
                availability: by_day
                    .get(&(day - epoch).num_days())
                    .copied()
                    .unwrap_or_default(),
            })
            .collect())
    }

    /// Judges `site`'s probes of the window ending at `now_ms` and replaces its availability
    /// finding: a veto at or past the threshold, a warning for fewer failures.
    pub async fn check_availability(
        &self,
        site: &str,
        now_ms: i64,
    ) -> Result<Availability, MonitoringError> {
        let t = &self.thresholds_in_force().await?.thresholds;
        let since = now_ms - i64::from(t.availability_window_days) * 86_400_000;
        let a = self.availability(site, since).await?;
        let bad = a.failed + a.slow;
        let mut findings = Vec::new();
        if a.probes > 0 && bad > 0 {
            let severity = if a.percent_failed >= t.availability_veto_percent {
                Severity::Veto
            } else {
                Severity::Warning
            };
            findings.push(Finding {
                site: site.to_string(),
                indicator: Indicator::Availability,
                severity,
                subject: "首页".into(),
                detail: format!(
                    "近 {} 天探测 {} 次，{} 次无法访问，{} 次超过 {} 秒，失败率 {:.1}%（{} {}%）",
                    t.availability_window_days,
                    a.probes,
                    a.failed,
                    a.slow,
                    t.probe_slow_secs,
                    a.percent_failed,
                    if severity == Severity::Veto {
                        "达到单项否决线"
                    } else {
                        "低于单项否决线"
                    },
                    t.availability_veto_percent,
                ),
                at_ms: now_ms,
            });
        }
        self.replace_findings(site, Source::Availability, &findings)
            .await?;
        Ok(a)
    }

    /// Deletes probes made before `before_ms` (the charts keep what they show).
    pub async fn prune_probes(&self, before_ms: i64) -> Result<u64, MonitoringError> {
        let done = sqlx::query("DELETE FROM monitoring_probes WHERE at_ms < $1")
            .bind(before_ms)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    /// Sets where a node's sites are probed (its HTTP base, e.g. `http://10.0.0.5:8080`).
    pub async fn set_probe_route(&self, node: &str, base_url: &str) -> Result<(), MonitoringError> {
        let url = Url::parse(base_url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                MonitoringError::Invalid(format!(
                    "probe route of {node}: {base_url:?} is not an http(s) URL"
                ))
            })?;
        sqlx::query(
            "INSERT INTO monitoring_probe_routes (node_id, base_url) VALUES ($1, $2) \
             ON CONFLICT (node_id) DO UPDATE SET base_url = excluded.base_url",
        )
        .bind(node)
        .bind(url.as_str())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Removes a node's probe route (its sites are then probed by their host names).
    pub async fn remove_probe_route(&self, node: &str) -> Result<(), MonitoringError> {
        sqlx::query("DELETE FROM monitoring_probe_routes WHERE node_id = $1")
            .bind(node)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// The probe routes, by node id.
    pub async fn probe_routes(&self) -> Result<BTreeMap<String, String>, MonitoringError> {
        let rows = sqlx::query("SELECT node_id, base_url FROM monitoring_probe_routes")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("node_id")?, r.try_get("base_url")?)))
            .collect()
    }

    async fn slow_ms(&self) -> Result<i64, MonitoringError> {
        let t = self.thresholds_in_force().await?.thresholds;
        Ok(i64::try_from(t.probe_slow_secs.saturating_mul(1000)).unwrap_or(i64::MAX))
    }
}

fn availability(probes: i64, failed: i64, slow: i64) -> Availability {
    Availability {
        probes,
        failed,
        slow,
        percent_failed: if probes > 0 {
            (failed + slow) as f64 * 100.0 / probes as f64
        } else {
            0.0
        },
    }
}
