//! What inspection (一网通管) asks of a site's content: when its home page last changed, and
//! per column how much live content it holds and when it was last published to. Read from
//! the published table only, as inspectors see the site.

use serde::Serialize;
use sqlx::Row;

use crate::{ColumnKind, Content, ContentError};

/// How many of the newest documents the home page lists (`site/pages.rs` shows eight).
const HOME_LIST: i64 = 8;

/// One column as inspection sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnInspection {
    /// Row id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// What it publishes.
    pub kind: ColumnKind,
    /// Its own expected update interval, if set.
    pub update_interval_days: Option<i64>,
    /// Whether it has sub-columns in use (its content is then in them).
    pub has_children: bool,
    /// Live (not withdrawn) documents in it.
    pub live_articles: i64,
    /// The newest publication in it (unix ms), if any.
    pub last_published_ms: Option<i64>,
}

/// A site's content as inspection sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteInspection {
    /// When the home page last changed: the newest publication or revision among the
    /// documents it lists (the site's newest live documents), if it lists any.
    pub home_updated_ms: Option<i64>,
    /// Every column in use (archived ones are out of the site).
    pub columns: Vec<ColumnInspection>,
}

impl Content {
    /// What inspection needs of `site`'s content.
    pub async fn inspection(&self, site: &str) -> Result<SiteInspection, ContentError> {
        let home_updated_ms: Option<i64> = sqlx::query(
            "SELECT MAX(CASE WHEN updated_ms > published_ms THEN updated_ms ELSE published_ms END) AS t \
             FROM (SELECT published_ms, updated_ms FROM published WHERE site_id = $1 AND withdrawn = 0 \
                   ORDER BY published_ms DESC, article_id DESC LIMIT $2) AS shown",
        )
        .bind(site)
        .bind(HOME_LIST)
        .fetch_one(&self.read)
        .await?
        .try_get("t")?;
        let rows = sqlx::query(
            "SELECT c.id, c.name, c.kind, c.update_interval_days, \
                    (SELECT COUNT(*) FROM columns s WHERE s.parent_id = c.id AND s.archived_ms IS NULL) AS children, \
                    (SELECT COUNT(*) FROM published p WHERE p.site_id = c.site_id AND p.column_id = c.id AND p.withdrawn = 0) AS live, \
                    (SELECT MAX(p.published_ms) FROM published p WHERE p.site_id = c.site_id AND p.column_id = c.id AND p.withdrawn = 0) AS last \
             FROM columns c WHERE c.site_id = $1 AND c.archived_ms IS NULL ORDER BY c.position, c.id",
        )
        .bind(site)
        .fetch_all(&self.read)
        .await?;
        let mut columns = Vec::with_capacity(rows.len());
        for r in rows {
            let kind: String = r.try_get("kind")?;
            columns.push(ColumnInspection {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                kind: ColumnKind::parse(&kind)?,
                update_interval_days: r.try_get("update_interval_days")?,
                has_children: r.try_get::<i64, _>("children")? > 0,
                live_articles: r.try_get("live")?,
                last_published_ms: r.try_get("last")?,
            });
        }
        Ok(SiteInspection {
            home_updated_ms,
            columns,
        })
    }
}
