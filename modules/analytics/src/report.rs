//! Reading the counters: the figures of a scope (some sites, or every site this node holds
//! counters for) over a range of Beijing days, every counting node summed.
//!
//! 访客数 over a range is the sum of each day's unique visitors (a visitor is recognised
//! within one day only, by design).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::{Any, AnyArguments};
use sqlx::{AnyConnection, AnyPool, Row as _};

use crate::{AnalyticsError, Dimension};

/// The longest range a report covers, in days: three years, one of them leap.
pub const MAX_DAYS: i64 = 3 * 365 + 1;

/// The buckets of [`Dimension::Depth`], in their natural order.
pub const DEPTH_BUCKETS: [&str; 8] = ["1", "2", "3", "4", "5", "6-10", "11-20", "21+"];

/// Dimensions of the totals (depth only for its bucket "1": single-page visits).
const TOTAL_DIMENSIONS: [Dimension; 6] = [
    Dimension::PageViews,
    Dimension::Visitors,
    Dimension::Visits,
    Dimension::NotFound,
    Dimension::Bots,
    Dimension::Depth,
];
/// Top lists whose keys are per site.
const PER_SITE: [Dimension; 6] = [
    Dimension::Column,
    Dimension::Page,
    Dimension::Entry,
    Dimension::Exit,
    Dimension::Path,
    Dimension::NotFound,
];
/// Top lists summed over sites.
const SUMMED: [Dimension; 5] = [
    Dimension::Source,
    Dimension::Engine,
    Dimension::Referrer,
    Dimension::Device,
    Dimension::Browser,
];
/// Lists that are complete whatever the limit.
const COMPLETE: [Dimension; 2] = [Dimension::Hour, Dimension::Depth];

/// Which sites a report covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    /// These sites only; `None`: every site with counters here (this node's and, at an
    /// ancestor, the subtree's).
    pub sites: Option<Vec<String>>,
}

/// Totals over a range.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Totals {
    /// 访问量.
    pub page_views: i64,
    /// 访客数 (sum of daily unique visitors).
    pub visitors: i64,
    /// Visits.
    pub visits: i64,
    /// Visits of a single page.
    pub single_page_visits: i64,
    /// Requests for missing pages.
    pub not_found: i64,
    /// Requests filtered as bots.
    pub bots: i64,
}

impl Totals {
    /// 平均访问深度: page views per visit (0 without visits).
    pub fn pages_per_visit(&self) -> f64 {
        if self.visits > 0 {
            self.page_views as f64 / self.visits as f64
        } else {
            0.0
        }
    }
}

/// One day's totals, for the charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayTotals {
    /// The Beijing day.
    pub day: NaiveDate,
    /// Its totals.
    pub totals: Totals,
}

/// One site's totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteTotals {
    /// The site id.
    pub site: String,
    /// Its totals over the range.
    pub totals: Totals,
}

/// One key of a top list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyCount {
    /// The site the key belongs to, for keys that are per site (pages, columns, entry and
    /// exit pages, paths, missing pages); `None` where the key is summed over sites
    /// (sources, engines, referrers, devices, browsers, hours, depth).
    pub site: Option<String>,
    /// The key as stored (a path, a slug, a code, a host; a path transition "from\tto").
    pub key: String,
    /// Its count over the range.
    pub count: i64,
}

/// Everything a dashboard shows for a scope and range. Top lists are largest first (ties by
/// key); `hours` and `depth` are complete and in their natural order (hours "00"…"23",
/// depth "1"…"21+"), zero counts included.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Report {
    /// The first day.
    pub from: Option<NaiveDate>,
    /// The last day.
    pub to: Option<NaiveDate>,
    /// Totals.
    pub totals: Totals,
    /// Every day of the range, in order, zero days included.
    pub daily: Vec<DayTotals>,
    /// Per site, largest page views first.
    pub sites: Vec<SiteTotals>,
    /// Page views per column.
    pub columns: Vec<KeyCount>,
    /// Page views per page.
    pub pages: Vec<KeyCount>,
    /// Visits per source class (key: `SourceClass::code`).
    pub sources: Vec<KeyCount>,
    /// Visits per search engine.
    pub engines: Vec<KeyCount>,
    /// Visits per referring host.
    pub referrers: Vec<KeyCount>,
    /// Visits per entry page.
    pub entries: Vec<KeyCount>,
    /// Visits per exit page.
    pub exits: Vec<KeyCount>,
    /// Next-page paths (key "from\tto").
    pub paths: Vec<KeyCount>,
    /// Visits by pages per visit.
    pub depth: Vec<KeyCount>,
    /// Page views per device family (key: `Device::code`).
    pub devices: Vec<KeyCount>,
    /// Page views per browser family (key: `Browser::code`).
    pub browsers: Vec<KeyCount>,
    /// Page views per hour.
    pub hours: Vec<KeyCount>,
    /// Missing pages.
    pub not_found: Vec<KeyCount>,
}

/// The report of `scope` over `from..=to`.
pub async fn report(
    read: &AnyPool,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    limit: usize,
) -> Result<Report, AnalyticsError> {
    if from > to {
        return Err(AnalyticsError::Invalid(format!(
            "report range {from}..{to}: the first day is after the last"
        )));
    }
    let days = (to - from).num_days() + 1;
    if days > MAX_DAYS {
        return Err(AnalyticsError::Invalid(format!(
            "report range {from}..{to}: {days} days, at most {MAX_DAYS}"
        )));
    }
    let filter = Filter::new(scope, from, to);
    let mut report = Report {
        from: Some(from),
        to: Some(to),
        ..Report::default()
    };
    // An empty list of sites has no figures (and `IN ()` is no SQL).
    let (daily, sites) = if filter.sites.as_ref().is_some_and(|s| s.is_empty()) {
        (BTreeMap::new(), BTreeMap::new())
    } else {
        // One read transaction: every figure from the same snapshot, even across a flush.
        let mut tx = read.begin().await?;
        let daily = totals_by(&mut tx, &filter, "day").await?;
        let sites = totals_by(&mut tx, &filter, "site").await?;
        top_lists(&mut tx, &filter, limit, &mut report).await?;
        tx.commit().await?;
        (daily, sites)
    };
    report.daily = from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|day| DayTotals {
            day,
            totals: daily.get(&day_text(day)).copied().unwrap_or_default(),
        })
        .collect();
    for d in &report.daily {
        report.totals.add(&d.totals);
    }
    report.sites = site_totals(sites, filter.sites.as_deref());
    report.hours = complete(&report.hours, (0..24).map(|h| format!("{h:02}")));
    report.depth = complete(&report.depth, DEPTH_BUCKETS.iter().map(|b| b.to_string()));
    Ok(report)
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        self.page_views += other.page_views;
        self.visitors += other.visitors;
        self.visits += other.visits;
        self.single_page_visits += other.single_page_visits;
        self.not_found += other.not_found;
        self.bots += other.bots;
    }

    /// Adds one total dimension's count (depth: the single-page bucket).
    fn count(&mut self, dimension: Dimension, n: i64) {
        match dimension {
            Dimension::PageViews => self.page_views += n,
            Dimension::Visitors => self.visitors += n,
            Dimension::Visits => self.visits += n,
            Dimension::Depth => self.single_page_visits += n,
            Dimension::NotFound => self.not_found += n,
            Dimension::Bots => self.bots += n,
            _ => {}
        }
    }
}

/// The rows a report reads: the range, and the scope's sites (deduplicated) when listed.
struct Filter {
    from: String,
    to: String,
    sites: Option<Vec<String>>,
}

impl Filter {
    fn new(scope: &Scope, from: NaiveDate, to: NaiveDate) -> Filter {
        let sites = scope.sites.as_ref().map(|s| {
            let mut s = s.clone();
            s.sort();
            s.dedup();
            s
        });
        Filter {
            from: day_text(from),
            to: day_text(to),
            sites,
        }
    }

    /// The WHERE condition with placeholders from `$1`, and the next free placeholder.
    fn condition(&self) -> (String, usize) {
        let mut sql = "day >= $1 AND day <= $2".to_string();
        let mut next = 3;
        if let Some(sites) = &self.sites {
            let list: Vec<String> = (0..sites.len()).map(|k| format!("${}", next + k)).collect();
            sql.push_str(&format!(" AND site IN ({})", list.join(", ")));
            next += sites.len();
        }
        (sql, next)
    }

    /// `sql` (built here from constants, never from input) with the condition's values bound.
    fn query(&self, sql: String) -> sqlx::query::Query<'_, Any, AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.from.as_str())
            .bind(self.to.as_str());
        for site in self.sites.iter().flatten() {
            q = q.bind(site.as_str());
        }
        q
    }
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// `'pv', 'uv', …`: the dimensions' codes as SQL literals (constants, never input).
fn codes(dimensions: &[Dimension]) -> String {
    let quoted: Vec<String> = dimensions
        .iter()
        .map(|d| format!("'{}'", d.code()))
        .collect();
    quoted.join(", ")
}

/// Totals grouped by `column` (`day` or `site`).
async fn totals_by(
    conn: &mut AnyConnection,
    filter: &Filter,
    column: &'static str,
) -> Result<BTreeMap<String, Totals>, AnalyticsError> {
    let (condition, _) = filter.condition();
    let sql = format!(
        "SELECT {column}, dimension, SUM(count) FROM visit_counts
         WHERE {condition} AND dimension IN ({}) AND (dimension <> 'depth' OR key = '1')
         GROUP BY {column}, dimension",
        codes(&TOTAL_DIMENSIONS)
    );
    let mut out: BTreeMap<String, Totals> = BTreeMap::new();
    for r in filter.query(sql).fetch_all(&mut *conn).await? {
        let group: String = r.try_get(0)?;
        let code: String = r.try_get(1)?;
        let n: i64 = r.try_get(2)?;
        if let Some(dimension) = Dimension::parse(&code) {
            out.entry(group).or_default().count(dimension, n);
        }
    }
    Ok(out)
}

/// Fills the top lists: per-site keys, keys summed over sites (both ranked per dimension in
/// SQL, at most `limit` each), and the complete hour and depth counts.
async fn top_lists(
    conn: &mut AnyConnection,
    filter: &Filter,
    limit: usize,
    report: &mut Report,
) -> Result<(), AnalyticsError> {
    let (condition, next) = filter.condition();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let per_site = format!(
        "SELECT dimension, site, key, n FROM (
           SELECT dimension, site, key, SUM(count) AS n,
                  ROW_NUMBER() OVER (PARTITION BY dimension ORDER BY SUM(count) DESC, key, site) AS r
           FROM visit_counts WHERE {condition} AND dimension IN ({})
           GROUP BY dimension, site, key
         ) ranked WHERE r <= ${next} ORDER BY dimension, r",
        codes(&PER_SITE)
    );
    for r in filter
        .query(per_site)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?
    {
        let code: String = r.try_get(0)?;
        let key = KeyCount {
            site: Some(r.try_get(1)?),
            key: r.try_get(2)?,
            count: r.try_get(3)?,
        };
        if let Some(list) = Dimension::parse(&code).and_then(|d| list_of(report, d)) {
            list.push(key);
        }
    }
    let summed = format!(
        "SELECT dimension, key, n FROM (
           SELECT dimension, key, SUM(count) AS n,
                  ROW_NUMBER() OVER (PARTITION BY dimension ORDER BY SUM(count) DESC, key) AS r
           FROM visit_counts WHERE {condition} AND dimension IN ({})
           GROUP BY dimension, key
         ) ranked WHERE r <= ${next} OR dimension IN ({}) ORDER BY dimension, r",
        codes(&[&SUMMED[..], &COMPLETE[..]].concat()),
        codes(&COMPLETE)
    );
    for r in filter
        .query(summed)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?
    {
        let code: String = r.try_get(0)?;
        let key = KeyCount {
            site: None,
            key: r.try_get(1)?,
            count: r.try_get(2)?,
        };
        if let Some(list) = Dimension::parse(&code).and_then(|d| list_of(report, d)) {
            list.push(key);
        }
    }
    Ok(())
}

/// The report's list of a dimension.
fn list_of(report: &mut Report, dimension: Dimension) -> Option<&mut Vec<KeyCount>> {
    Some(match dimension {
        Dimension::Column => &mut report.columns,
        Dimension::Page => &mut report.pages,
        Dimension::Source => &mut report.sources,
        Dimension::Engine => &mut report.engines,
        Dimension::Referrer => &mut report.referrers,
        Dimension::Entry => &mut report.entries,
        Dimension::Exit => &mut report.exits,
        Dimension::Path => &mut report.paths,
        Dimension::Depth => &mut report.depth,
        Dimension::Device => &mut report.devices,
        Dimension::Browser => &mut report.browsers,
        Dimension::Hour => &mut report.hours,
        Dimension::NotFound => &mut report.not_found,
        _ => return None,
    })
}

/// Every key of `keys`, in their order, with its count in `found` (zero when absent).
fn complete(found: &[KeyCount], keys: impl Iterator<Item = String>) -> Vec<KeyCount> {
    keys.map(|key| KeyCount {
        site: None,
        count: found.iter().find(|k| k.key == key).map_or(0, |k| k.count),
        key,
    })
    .collect()
}

/// Per site, largest page views first (then by id); a listed site without counts shows
/// with zeros.
fn site_totals(mut sites: BTreeMap<String, Totals>, listed: Option<&[String]>) -> Vec<SiteTotals> {
    for site in listed.into_iter().flatten() {
        sites.entry(site.clone()).or_default();
    }
    let mut out: Vec<SiteTotals> = sites
        .into_iter()
        .map(|(site, totals)| SiteTotals { site, totals })
        .collect();
    out.sort_by(|a, b| {
        b.totals
            .page_views
            .cmp(&a.totals.page_views)
            .then_with(|| a.site.cmp(&b.site))
    });
    out
}
