//! Visit analytics (统一行为分析): for every site, 访问量 (page views), 访客数 (unique
//! visitors per day), 来源 (search engines, government sites, social, direct, by referrer
//! host), 入口页 and exit pages, 访问路径 (next-page paths), 访问深度 (pages per visit),
//! device and browser family, 时段分布 (hour of day), missing pages, with bots filtered.
//!
//! Privacy as Plausible and GoatCounter do it: no script, no cookie, no address stored. A
//! visitor is a 64-bit hash of the day's random salt, the site, the address and the user
//! agent; the salt lives for one Beijing day and is deleted with the day's hashes.
//!
//! Recording is on the page-serving path, so it only counts into memory ([`Visits::record`],
//! a short lock, no await); a worker writes the counts every minute ([`Visits::flush`]) and
//! bounds what is kept in memory. A node sends its own daily counters up the tree as signed
//! `Up` entries; an ancestor merges them per counting node by taking the larger count, so
//! a re-delivered or reordered entry never counts twice ([`rollup`]).

mod classify;
mod recorder;
pub mod report;
pub mod rollup;
mod store;

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use govnode_federation::Federation;
use sqlx::AnyPool;
use tokio::sync::watch;

pub use classify::{
    Agent, Browser, Device, Referral, SourceClass, classify_agent, classify_referrer,
};
pub use report::{DayTotals, KeyCount, Report, Scope, SiteTotals, Totals};
pub use rollup::{DayCounters, VisitsBelow};

/// The module's migrations (block 8xxxx).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Entry kind prefix of the module's entries (register [`VisitsBelow`] under it).
pub const KIND_PREFIX: &str = "visits.";

/// Errors of visit analytics.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// Reading or writing the counters failed.
    #[error("visit analytics storage: {0}")]
    Storage(#[from] sqlx::Error),
    /// The federation did not take the day's entry.
    #[error("visit analytics entry: {0}")]
    Federation(#[from] govnode_federation::FederationError),
    /// A request the module cannot answer (a bad range …), said in English for the log.
    #[error("{0}")]
    Invalid(String),
}

/// What is counted, one counter family per dimension (the `dimension` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    /// 访问量: page views (key "").
    PageViews,
    /// 访客数: unique visitors of the day (key "").
    Visitors,
    /// Visits (a visitor's pages with less than 30 minutes between them; key "").
    Visits,
    /// Page views per column (key: the column's slug; an article counts for its column).
    Column,
    /// Page views per page (key: the site-relative path, no query).
    Page,
    /// Visits per source class (key: [`SourceClass::code`]).
    Source,
    /// Visits from each search engine (key: the engine's name, e.g. 百度).
    Engine,
    /// Visits per referring host (key: the host), for sources other than direct.
    Referrer,
    /// Visits per entry page (key: path).
    Entry,
    /// Visits per exit page (key: path).
    Exit,
    /// Next-page paths (key: "from\tto").
    Path,
    /// Visits by pages per visit (key: "1", "2", "3", "4", "5", "6-10", "11-20", "21+").
    Depth,
    /// Page views per device family (key: [`Device::code`]).
    Device,
    /// Page views per browser family (key: [`Browser::code`]).
    Browser,
    /// Page views per Beijing hour (key: "00" … "23").
    Hour,
    /// Requests for missing pages (404 and 410; key: path).
    NotFound,
    /// Requests filtered as bots (key "").
    Bots,
}

impl Dimension {
    /// Every dimension, in report order.
    pub const ALL: [Dimension; 17] = [
        Dimension::PageViews,
        Dimension::Visitors,
        Dimension::Visits,
        Dimension::Column,
        Dimension::Page,
        Dimension::Source,
        Dimension::Engine,
        Dimension::Referrer,
        Dimension::Entry,
        Dimension::Exit,
        Dimension::Path,
        Dimension::Depth,
        Dimension::Device,
        Dimension::Browser,
        Dimension::Hour,
        Dimension::NotFound,
        Dimension::Bots,
    ];

    /// The code stored in `visit_counts.dimension` and carried in entries.
    pub fn code(self) -> &'static str {
        match self {
            Dimension::PageViews => "pv",
            Dimension::Visitors => "uv",
            Dimension::Visits => "visits",
            Dimension::Column => "column",
            Dimension::Page => "page",
            Dimension::Source => "source",
            Dimension::Engine => "engine",
            Dimension::Referrer => "referrer",
            Dimension::Entry => "entry",
            Dimension::Exit => "exit",
            Dimension::Path => "path",
            Dimension::Depth => "depth",
            Dimension::Device => "device",
            Dimension::Browser => "browser",
            Dimension::Hour => "hour",
            Dimension::NotFound => "notfound",
            Dimension::Bots => "bots",
        }
    }

    /// The dimension of a stored code.
    pub fn parse(code: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.code() == code)
    }

    /// Whether the dimension is per-page detail, pruned after the retention period
    /// (the totals and the other dimensions are kept).
    pub fn is_detail(self) -> bool {
        matches!(
            self,
            Dimension::Page
                | Dimension::Referrer
                | Dimension::Entry
                | Dimension::Exit
                | Dimension::Path
                | Dimension::NotFound
        )
    }
}

/// One request of a public page, as the page-serving path sees it. Borrowed: recording
/// copies only what it counts.
#[derive(Debug, Clone, Copy)]
pub struct PageView<'a> {
    /// The site.
    pub site: &'a str,
    /// The node the site belongs to (this node's id for its own sites, the origin for a
    /// replica it serves).
    pub owner: &'a str,
    /// The site-relative path without the query ("/", "/articles/12", "/columns/news").
    pub path: &'a str,
    /// The column the page belongs to (a column page, or an article's column).
    pub column: Option<&'a str>,
    /// The answer's status: 200 counts a page view, 404 and 410 a missing page; others
    /// are not counted.
    pub status: u16,
    /// The request's `Host` (to tell a link within the site from a referral).
    pub host: Option<&'a str>,
    /// The `Referer` header.
    pub referrer: Option<&'a str>,
    /// The `User-Agent` header.
    pub user_agent: Option<&'a str>,
    /// The client's address (hashed with the day's salt, never kept).
    pub client: IpAddr,
    /// When (unix ms).
    pub at_ms: i64,
}

/// How analytics run (`[analytics]` in the node's config).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Whether page views are recorded at all.
    pub enabled: bool,
    /// How often counts are written.
    pub flush_every: Duration,
    /// How often today's counters so far are sent up (a closed day is sent at once).
    pub publish_every: Duration,
    /// Months per-page detail is kept ([`Dimension::is_detail`]); totals are kept.
    pub detail_months: u32,
    /// Visitors tracked in memory per day (for visits and paths); beyond it a new visitor
    /// is still counted but its visit is not followed.
    pub max_visitors: usize,
    /// Distinct keys per site and detail dimension kept in memory between flushes; beyond
    /// it further keys count under "(其他)".
    pub max_keys: usize,
    /// Keys per site and detail dimension sent up in a day's entry (the largest counts).
    pub publish_top: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: true,
            flush_every: Duration::from_secs(60),
            publish_every: Duration::from_secs(6 * 3600),
            detail_months: 13,
            max_visitors: 200_000,
            max_keys: 10_000,
            publish_top: 200,
        }
    }
}

/// The node's visit analytics: cheap to clone, every clone counts into the same memory.
#[derive(Clone)]
pub struct Visits {
    read: AnyPool,
    write: AnyPool,
    federation: Arc<Federation>,
    settings: Settings,
    /// Whether page views are counted now (starts as `settings.enabled`).
    enabled: Arc<AtomicBool>,
    /// What has been counted since the last flush, and the day's visitors and visits; a
    /// std mutex since `record` is sync and never awaits inside.
    memory: Arc<Mutex<recorder::Memory>>,
}

impl std::fmt::Debug for Visits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Visits")
            .field("me", &self.federation.me())
            .finish_non_exhaustive()
    }
}

impl Visits {
    /// Analytics over the node's database, sending up with its federation service.
    pub fn new(
        read: AnyPool,
        write: AnyPool,
        federation: Arc<Federation>,
        settings: Settings,
    ) -> Self {
        let memory = recorder::Memory::new(&settings);
        Visits {
            read,
            write,
            federation,
            enabled: Arc::new(AtomicBool::new(settings.enabled)),
            settings,
            memory: Arc::new(Mutex::new(memory)),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Loads today's salt and visitors, so a restart counts a returning visitor once.
    /// Called once before serving.
    pub async fn start(&self) -> Result<(), AnalyticsError> {
        store::load_today(&self.read, &self.write, &self.memory).await
    }

    /// Whether page views are counted now.
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Turns counting on or off while the node runs (the benchmark compares both on one
    /// node); what was counted stays and is written as usual.
    pub fn set_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::Relaxed);
    }

    /// Counts one page request into memory (nothing when analytics are off).
    pub fn record(&self, view: &PageView<'_>) {
        if !self.enabled() {
            return;
        }
        let mut memory = self.memory.lock().unwrap_or_else(|p| p.into_inner());
        memory.record(view);
    }

    /// Closes visits idle for 30 minutes as of `now_ms`, writes every pending count in one
    /// transaction and, when a Beijing day has ended, deletes its salt and visitor hashes
    /// and closes its remaining visits first. Returns the days that received counts.
    pub async fn flush(&self, now_ms: i64) -> Result<Vec<NaiveDate>, AnalyticsError> {
        store::flush(
            &self.write,
            &self.memory,
            &self.federation.me().to_string(),
            now_ms,
        )
        .await
    }

    /// Sends this node's own counters of `day` up the tree as one signed entry, unless
    /// they are unchanged since the last time.
    pub async fn publish(&self, day: NaiveDate) -> Result<bool, AnalyticsError> {
        rollup::publish(
            &self.read,
            &self.write,
            &self.federation,
            day,
            &self.settings,
        )
        .await
    }

    /// Deletes per-page detail of days before `before` (totals stay). Returns rows deleted.
    pub async fn prune(&self, before: NaiveDate) -> Result<u64, AnalyticsError> {
        store::prune(&self.write, before).await
    }

    /// The figures of `scope` over `from..=to` (Beijing days), every counting node summed,
    /// with at most `limit` rows in each top list.
    pub async fn report(
        &self,
        scope: &Scope,
        from: NaiveDate,
        to: NaiveDate,
        limit: usize,
    ) -> Result<Report, AnalyticsError> {
        report::report(&self.read, scope, from, to, limit).await
    }

    /// The applier of the counters nodes below send (register under [`KIND_PREFIX`]).
    pub fn applier(&self) -> VisitsBelow {
        VisitsBelow::new(self.federation.clone())
    }

    /// The worker: flushes every `flush_every`, sends today's counters up every
    /// `publish_every` and a day's final counters once it has ended, prunes detail past
    /// the retention once a day; flushes a last time when `stop` changes.
    pub async fn run(&self, stop: watch::Receiver<bool>) {
        store::run(self, stop).await
    }
}
