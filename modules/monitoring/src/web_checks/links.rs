//! Dead links (死链) in a site's published pages and attachments: every live article's
//! body is tokenized for its links, its attachments added, each distinct URL checked once
//! per run (the cache is the run's), and each dead one becomes a finding on its page.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use govnode_content::{Content, Published};
use reqwest::Url;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::extract::{LinkKind, extract_links};
use super::fetch::{LinkFetcher, Outcome};
use crate::{Finding, Indicator, Monitoring, MonitoringError, Severity, Source};

/// Articles read from the database at a time.
const PAGE: i64 = 200;

/// One run of link checks: the fetcher (its per-host rate), the cache of answers, and how
/// many checks run at once. Shared by every site the run checks.
#[derive(Debug, Clone)]
pub struct LinkRun {
    fetcher: LinkFetcher,
    cache: Arc<Mutex<HashMap<String, Outcome>>>,
    concurrency: usize,
}

impl LinkRun {
    /// A run with at most `concurrency` checks in flight.
    pub fn new(fetcher: LinkFetcher, concurrency: usize) -> LinkRun {
        LinkRun {
            fetcher,
            cache: Arc::new(Mutex::new(HashMap::new())),
            concurrency: concurrency.max(1),
        }
    }

    /// Distinct URLs checked so far.
    pub fn checked(&self) -> usize {
        self.cache.lock().expect("cache").len()
    }

    /// Checks every URL of `urls` not yet in the cache; returns each one's outcome.
    pub async fn check_all(&self, urls: &[Url]) -> HashMap<String, Outcome> {
        let todo: Vec<Url> = {
            let cache = self.cache.lock().expect("cache");
            let mut seen = std::collections::HashSet::new();
            urls.iter()
                .filter(|u| !cache.contains_key(u.as_str()) && seen.insert(u.as_str().to_string()))
                .cloned()
                .collect()
        };
        let gate = Arc::new(Semaphore::new(self.concurrency));
        let mut tasks = JoinSet::new();
        for url in todo {
            let fetcher = self.fetcher.clone();
            let gate = gate.clone();
            tasks.spawn(async move {
                let _permit = gate.acquire_owned().await;
                let outcome = fetcher.check(&url).await;
                (url.to_string(), outcome)
            });
        }
        while let Some(done) = tasks.join_next().await {
            if let Ok((url, outcome)) = done {
                self.cache.lock().expect("cache").insert(url, outcome);
            }
        }
        let cache = self.cache.lock().expect("cache");
        urls.iter()
            .filter_map(|u| cache.get(u.as_str()).map(|o| (u.to_string(), o.clone())))
            .collect()
    }
}

/// What a site's link check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkReport {
    /// Pages read.
    pub pages: usize,
    /// Links found (a link repeated on a page counted once).
    pub links: usize,
    /// Dead links (per page).
    pub dead: usize,
}

/// One link of one page.
struct Found {
    page: usize,
    kind: LinkKind,
    url: Url,
}

impl Monitoring {
    /// Checks the links of `site`'s live articles and attachments and replaces its link
    /// findings. `base` is where a page without host names is served (this node's address).
    pub async fn check_site_links(
        &self,
        content: &Content,
        site: &str,
        base: &Url,
        run: &LinkRun,
        now_ms: i64,
    ) -> Result<LinkReport, MonitoringError> {
        let upstream = |e: govnode_content::ContentError| MonitoringError::Upstream(e.to_string());
        let s = content.site(site).await.map_err(upstream)?;
        let origin = match s.hosts.first() {
            Some(h) => Url::parse(&format!("http://{h}/"))
                .map_err(|e| MonitoringError::Invalid(format!("host {h:?}: {e}")))?,
            None => base.clone(),
        };
        let mut pages: Vec<String> = Vec::new();
        let mut found: Vec<Found> = Vec::new();
        for column in content.columns(site).await.map_err(upstream)? {
            let mut page = 1;
            loop {
                let (batch, total) = content
                    .published_in_column(column.id, page, PAGE)
                    .await
                    .map_err(upstream)?;
                for p in &batch {
                    read_page(&origin, p, &mut pages, &mut found);
                }
                if batch.is_empty() || page * PAGE >= total {
                    break;
                }
                page += 1;
            }
        }
        let urls: Vec<Url> = found.iter().map(|f| f.url.clone()).collect();
        let outcomes = run.check_all(&urls).await;
        let mut findings = Vec::new();
        for f in &found {
            let Some(outcome) = outcomes.get(f.url.as_str()) else {
                continue;
            };
            if outcome.is_dead() {
                findings.push(Finding {
                    site: site.to_string(),
                    indicator: Indicator::DeadLink,
                    severity: Severity::Deduction,
                    subject: pages[f.page].clone(),
                    detail: format!("{} {}：{}", f.kind.label(), f.url, outcome.detail()),
                    at_ms: now_ms,
                });
            }
        }
        self.replace_findings(site, Source::Links, &findings)
            .await?;
        Ok(LinkReport {
            pages: pages.len(),
            links: found.len(),
            dead: findings.len(),
        })
    }
}

/// Adds a page's links (each distinct URL once per page) and attachments.
fn read_page(origin: &Url, p: &Published, pages: &mut Vec<String>, found: &mut Vec<Found>) {
    let path = govnode_content::article_path(&p.site, p.id);
    let Ok(page_url) = origin.join(&path) else {
        return;
    };
    let page = pages.len();
    pages.push(format!("《{}》 {page_url}", p.doc.title));
    let mut on_page = BTreeMap::new();
    for link in extract_links(&p.doc.body_html) {
        if let Ok(url) = page_url.join(&link.href) {
            on_page.entry(without_fragment(url)).or_insert(link.kind);
        }
    }
    for a in &p.doc.attachments {
        if let Ok(url) = origin.join(&format!("/blobs/{}", a.hash)) {
            on_page.entry(url).or_insert(LinkKind::Attachment);
        }
    }
    for (url, kind) in on_page {
        found.push(Found { page, kind, url });
    }
}

fn without_fragment(mut url: Url) -> Url {
    url.set_fragment(None);
    url
}
