//! What 访问统计 shows instead of the codes the counters hold: sites and their nodes by
//! name, article pages by their published title, column pages and columns by the column's
//! name, the home page as 首页, source classes, devices and browsers by their Chinese names,
//! depth buckets and hours as read. Read once per page for every key of the report.

use std::collections::HashMap;

use govnode_analytics::{Browser, Device, KeyCount, Report, SourceClass};

use super::analytics::Visible;
use crate::AppState;

/// Names of a report's keys.
#[derive(Debug, Default)]
pub(super) struct Names {
    /// Site id → (name, the node for a replica).
    sites: HashMap<String, (String, Option<String>)>,
    /// (site, article id) → title, for published articles.
    titles: HashMap<(String, i64), String>,
    /// (site, column slug) → name.
    columns: HashMap<(String, String), String>,
}

/// The article id of an article page's path.
fn article_id(path: &str) -> Option<i64> {
    path.strip_prefix("/articles/")?.parse().ok()
}

/// The slug of a column page's path.
fn column_slug(path: &str) -> Option<&str> {
    path.strip_prefix("/columns/")
        .filter(|s| !s.is_empty() && !s.contains('/'))
}

/// The pages every site has, by name.
fn fixed_page(path: &str) -> Option<&'static str> {
    Some(match path {
        "/" => "首页",
        "/search" => "站内搜索",
        "/letters" => "我要写信",
        "/letters/sent" => "写信回执",
        "/qa" => "智能问答",
        "/surveys" => "征集调查",
        "(其他)" => "其他页面",
        _ => return None,
    })
}

impl Names {
    /// The names of every key `reports` hold, for someone who sees `visible`.
    pub(super) async fn load(node: &AppState, visible: &Visible, reports: &[&Report]) -> Names {
        let mut names = Names {
            sites: visible
                .sites
                .iter()
                .map(|s| (s.id.clone(), (s.name.clone(), s.node.clone())))
                .collect(),
            ..Names::default()
        };
        let mut wanted_titles: Vec<(String, i64)> = Vec::new();
        let mut wanted_columns: Vec<String> = Vec::new();
        for report in reports {
            let mut pages: Vec<(&str, &str)> = Vec::new();
            for k in report
                .pages
                .iter()
                .chain(&report.entries)
                .chain(&report.exits)
            {
                pages.push((k.site.as_deref().unwrap_or(""), &k.key));
            }
            for k in &report.paths {
                let (from, to) = k.key.split_once('\t').unwrap_or((&k.key, ""));
                pages.push((k.site.as_deref().unwrap_or(""), from));
                pages.push((k.site.as_deref().unwrap_or(""), to));
            }
            for (site, path) in pages {
                if let Some(id) = article_id(path) {
                    wanted_titles.push((site.to_string(), id));
                }
                if column_slug(path).is_some() {
                    wanted_columns.push(site.to_string());
                }
            }
            wanted_columns.extend(
                report
                    .columns
                    .iter()
                    .map(|k| k.site.clone().unwrap_or_default()),
            );
        }
        wanted_columns.sort();
        wanted_columns.dedup();
        wanted_titles.sort();
        wanted_titles.dedup();
        for (site, id) in wanted_titles {
            match node.content.published_title(&site, id).await {
                Ok(Some(title)) => {
                    names.titles.insert((site, id), title);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(site, id, error = %e, "analytics: a title lookup failed"),
            }
        }
        for site in wanted_columns {
            match node.content.columns(&site).await {
                Ok(columns) => {
                    for c in columns {
                        names.columns.insert((site.clone(), c.slug), c.name);
                    }
                }
                Err(e) => tracing::warn!(site, error = %e, "analytics: reading columns failed"),
            }
        }
        names
    }

    /// A site's name (a site this node holds no record of, by its id).
    pub(super) fn site(&self, id: &str) -> String {
        self.sites
            .get(id)
            .map_or_else(|| format!("站点 {id}"), |(name, _)| name.clone())
    }

    /// The node a replica site belongs to (None for this node's own).
    pub(super) fn node_of(&self, id: &str) -> Option<String> {
        self.sites.get(id).and_then(|(_, node)| node.clone())
    }

    /// A page of `site` by name: an article by its title, a column page by the column's
    /// name, the fixed pages by theirs, others as their path.
    pub(super) fn page(&self, site: Option<&str>, path: &str) -> String {
        let site = site.unwrap_or("");
        if let Some(name) = fixed_page(path) {
            return name.to_string();
        }
        if let Some(title) =
            article_id(path).and_then(|id| self.titles.get(&(site.to_string(), id)))
        {
            return title.clone();
        }
        if let Some(name) = column_slug(path)
            .and_then(|slug| self.columns.get(&(site.to_string(), slug.to_string())))
        {
            return format!("{name}（栏目页）");
        }
        path.to_string()
    }

    /// A column by name (its slug if unknown).
    pub(super) fn column(&self, site: Option<&str>, slug: &str) -> String {
        if slug == "(其他)" {
            return "其他栏目".into();
        }
        self.columns
            .get(&(site.unwrap_or("").to_string(), slug.to_string()))
            .cloned()
            .unwrap_or_else(|| slug.to_string())
    }

    /// A next-page path "from\tto" as "A → B".
    pub(super) fn path(&self, key: &KeyCount) -> String {
        let site = key.site.as_deref();
        match key.key.split_once('\t') {
            Some((from, to)) => format!("{} → {}", self.page(site, from), self.page(site, to)),
            None => self.page(site, &key.key),
        }
    }
}

/// A source class by name.
pub(super) fn source(code: &str) -> String {
    SourceClass::parse(code).map_or_else(other, |c| c.label().to_string())
}

/// A device family by name.
pub(super) fn device(code: &str) -> String {
    Device::parse(code).map_or_else(other, |d| d.label().to_string())
}

/// A browser family by name.
pub(super) fn browser(code: &str) -> String {
    Browser::parse(code).map_or_else(other, |b| b.label().to_string())
}

/// A key no name is known for: 其他 (a code is never shown).
fn other() -> String {
    "其他".into()
}

/// A depth bucket as read: "1" → "1 页", "6-10" → "6—10 页", "21+" → "21 页及以上".
pub(super) fn depth(bucket: &str) -> String {
    if let Some(n) = bucket.strip_suffix('+') {
        format!("{n} 页及以上")
    } else if let Some((a, b)) = bucket.split_once('-') {
        format!("{a}—{b} 页")
    } else {
        format!("{bucket} 页")
    }
}

/// An hour key "07" as read: "7时".
pub(super) fn hour(key: &str) -> String {
    format!("{}时", key.parse::<u32>().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_codes_read_as_names() {
        let mut names = Names::default();
        names
            .titles
            .insert(("gd".into(), 12), "全省工作会议召开".into());
        names
            .columns
            .insert(("gd".into(), "yw".into()), "要闻动态".into());
        assert_eq!(names.page(Some("gd"), "/"), "首页");
        assert_eq!(names.page(Some("gd"), "/articles/12"), "全省工作会议召开");
        assert_eq!(names.page(Some("gd"), "/articles/13"), "/articles/13");
        assert_eq!(names.page(Some("gd"), "/columns/yw"), "要闻动态（栏目页）");
        assert_eq!(names.column(Some("gd"), "yw"), "要闻动态");
        let path = KeyCount {
            site: Some("gd".into()),
            key: "/\t/articles/12".into(),
            count: 3,
        };
        assert_eq!(names.path(&path), "首页 → 全省工作会议召开");
        assert_eq!(names.site("zz"), "站点 zz");
        assert_eq!(source("search"), "搜索引擎");
        assert_eq!(source("direct"), "直接访问");
        assert_eq!(device("desktop"), "电脑");
        assert_eq!(browser("wechat"), "微信");
        assert_eq!(browser("netscape"), "其他");
        assert_eq!(depth("1"), "1 页");
        assert_eq!(depth("6-10"), "6—10 页");
        assert_eq!(depth("21+"), "21 页及以上");
        assert_eq!(hour("07"), "7时");
    }
}
