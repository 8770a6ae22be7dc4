//! The published table: the public state of every article, kept apart from drafts and
//! workflow state. Each change takes the next local change sequence, which the search
//! index records in its commits, so it can always catch up from where it left off.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};

use crate::articles::{doc_json, parse_doc};
use crate::{ArticleDoc, Content, ContentError, Published};

/// A published row to write.
pub(crate) struct Row<'a> {
    pub id: i64,
    pub site: &'a str,
    pub column_id: i64,
    pub revision: i64,
    pub index_number: &'a str,
    pub published_ms: i64,
    pub updated_ms: i64,
    pub parent_id: Option<i64>,
    pub doc: &'a ArticleDoc,
    pub change_seq: i64,
}

/// Reserves `n` change sequence numbers; returns the last one.
pub(crate) async fn bump_change_seq(conn: &mut AnyConnection, n: i64) -> Result<i64, ContentError> {
    let row = sqlx::query(
        "UPDATE counters SET value = value + $1 WHERE name = 'published_change' RETURNING value",
    )
    .bind(n)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("value")?)
}

/// Whether an article has a live (published, not withdrawn) copy.
pub(crate) async fn is_live(conn: &mut AnyConnection, id: i64) -> Result<bool, ContentError> {
    let row = sqlx::query("SELECT p.withdrawn FROM published p JOIN articles a ON a.id = p.article_id AND a.site_id = p.site_id WHERE a.id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64, _>("withdrawn")? == 0,
        None => false,
    })
}

/// Inserts or replaces the published copy of an article.
pub(crate) async fn upsert(conn: &mut AnyConnection, r: &Row<'_>) -> Result<(), ContentError> {
    sqlx::query(
        "INSERT INTO published (article_id, site_id, column_id, revision, title, doc_type, index_number, published_ms, updated_ms, \
           withdrawn, withdraw_reason, withdrawn_ms, parent_id, doc_json, change_seq) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, '', NULL, $10, $11, $12) \
         ON CONFLICT (site_id, article_id) DO UPDATE SET column_id = excluded.column_id, revision = excluded.revision, title = excluded.title, \
           doc_type = excluded.doc_type, updated_ms = excluded.updated_ms, withdrawn = 0, withdraw_reason = '', withdrawn_ms = NULL, \
           doc_json = excluded.doc_json, change_seq = excluded.change_seq",
    )
    .bind(r.id)
    .bind(r.site)
    .bind(r.column_id)
    .bind(r.revision)
    .bind(&r.doc.title)
    .bind(&r.doc.doc_type)
    .bind(r.index_number)
    .bind(r.published_ms)
    .bind(r.updated_ms)
    .bind(r.parent_id)
    .bind(doc_json(r.doc))
    .bind(r.change_seq)
    .execute(conn)
    .await?;
    Ok(())
}

const SELECT: &str = "SELECT article_id, site_id, column_id, revision, index_number, published_ms, updated_ms, withdrawn, \
     withdraw_reason, withdrawn_ms, parent_id, doc_json, change_seq FROM published";

fn from_row(r: &AnyRow) -> Result<Published, ContentError> {
    let withdrawn = r.try_get::<i64, _>("withdrawn")? != 0;
    Ok(Published {
        id: r.try_get("article_id")?,
        site: r.try_get("site_id")?,
        column_id: r.try_get("column_id")?,
        revision: r.try_get("revision")?,
        index_number: r.try_get("index_number")?,
        published_ms: r.try_get("published_ms")?,
        updated_ms: r.try_get("updated_ms")?,
        withdrawn: if withdrawn {
            Some((
                r.try_get("withdraw_reason")?,
                r.try_get::<Option<i64>, _>("withdrawn_ms")?
                    .unwrap_or_default(),
            ))
        } else {
            None
        },
        parent_id: r.try_get("parent_id")?,
        doc: parse_doc(&r.try_get::<String, _>("doc_json")?)?,
        change_seq: r.try_get("change_seq")?,
    })
}

/// A light listing entry (id and title only), for long clause lists.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TitleEntry {
    /// Article id.
    pub id: i64,
    /// Title.
    pub title: String,
}

/// Copies the working revision into the published table, assigning the index number on
/// first publication.
pub(crate) async fn publish_in(
    conn: &mut AnyConnection,
    id: i64,
    revision: i64,
    site: &str,
    now: i64,
) -> Result<(), ContentError> {
    let row = sqlx::query(
        "SELECT a.column_id, a.parent_id, r.doc_json, s.body_code FROM articles a \
         JOIN revisions r ON r.article_id = a.id AND r.revision = $2 JOIN sites s ON s.id = a.site_id WHERE a.id = $1",
    )
    .bind(id)
    .bind(revision)
    .fetch_one(&mut *conn)
    .await?;
    let mut doc = parse_doc(&row.try_get::<String, _>("doc_json")?)?;
    // Lists are ordered by the document's own date when the author gave one (a backdated
    // policy document sorts where it belongs), else by the moment of first publication.
    let dated = crate::import::date_ms(&doc.date);
    if doc.date.is_empty() {
        doc.date = govnode_topology::beijing::date(now);
    }
    let previous = sqlx::query(
        "SELECT index_number, published_ms FROM published WHERE article_id = $1 AND site_id = $2",
    )
    .bind(id)
    .bind(site)
    .fetch_optional(&mut *conn)
    .await?;
    let (index_number, published_ms) = match previous {
        Some(p) => (
            p.try_get::<String, _>("index_number")?,
            p.try_get::<i64, _>("published_ms")?,
        ),
        None => {
            let year = doc
                .date
                .get(..4)
                .and_then(|y| y.parse().ok())
                .unwrap_or(1970);
            let body_code: String = row.try_get("body_code")?;
            let n =
                govnode_library::assign_index_number(conn, &body_code, &doc.theme, year).await?;
            (n.to_string(), dated.unwrap_or(now))
        }
    };
    let seq = bump_change_seq(conn, 1).await?;
    upsert(
        conn,
        &Row {
            id,
            site,
            column_id: row.try_get("column_id")?,
            revision,
            index_number: &index_number,
            published_ms,
            updated_ms: now,
            parent_id: row.try_get("parent_id")?,
            doc: &doc,
            change_seq: seq,
        },
    )
    .await
}

impl Content {
    /// The published (or withdrawn) copy of an article in a site.
    pub async fn published(&self, site: &str, id: i64) -> Result<Option<Published>, ContentError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE article_id = $1 AND site_id = $2"
        )))
        .bind(id)
        .bind(site)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Live documents of a column, newest first, with the total count.
    pub async fn published_in_column(
        &self,
        column_id: i64,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<Published>, i64), ContentError> {
        let total: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM published WHERE column_id = $1 AND withdrawn = 0",
        )
        .bind(column_id)
        .fetch_one(&self.read)
        .await?
        .try_get("n")?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE column_id = $1 AND withdrawn = 0 ORDER BY published_ms DESC, article_id DESC LIMIT $2 OFFSET $3"
        )))
        .bind(column_id)
        .bind(per_page)
        .bind((page.max(1) - 1).saturating_mul(per_page))
        .fetch_all(&self.read)
        .await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }

    /// The newest live documents of a site.
    pub async fn latest_published(
        &self,
        site: &str,
        limit: i64,
    ) -> Result<Vec<Published>, ContentError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE site_id = $1 AND withdrawn = 0 ORDER BY published_ms DESC, article_id DESC LIMIT $2"
        )))
        .bind(site)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Live clauses of a parent document, in order.
    pub async fn published_children(
        &self,
        site: &str,
        parent_id: i64,
    ) -> Result<Vec<TitleEntry>, ContentError> {
        let rows = sqlx::query("SELECT article_id, title FROM published WHERE site_id = $1 AND parent_id = $2 AND withdrawn = 0 ORDER BY article_id")
            .bind(site)
            .bind(parent_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(TitleEntry {
                    id: r.try_get("article_id")?,
                    title: r.try_get("title")?,
                })
            })
            .collect()
    }

    /// Title of a live document (for parent links).
    pub async fn published_title(
        &self,
        site: &str,
        id: i64,
    ) -> Result<Option<String>, ContentError> {
        let row = sqlx::query(
            "SELECT title FROM published WHERE article_id = $1 AND site_id = $2 AND withdrawn = 0",
        )
        .bind(id)
        .bind(site)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| r.try_get("title").map_err(ContentError::from))
            .transpose()
    }

    /// Every live document of a site as (id, last update), for the sitemap.
    pub async fn sitemap(&self, site: &str, limit: i64) -> Result<Vec<(i64, i64)>, ContentError> {
        let rows = sqlx::query("SELECT article_id, updated_ms FROM published WHERE site_id = $1 AND withdrawn = 0 ORDER BY article_id LIMIT $2")
            .bind(site)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("article_id")?, r.try_get("updated_ms")?)))
            .collect()
    }

    /// Published-table changes after `after`, in change order (what the search index
    /// applies). A document of a site this node does not serve (superseded or refused)
    /// comes as withdrawn, and a document moved away from its key (its site superseded)
    /// as a withdrawn one under the key it left.
    pub async fn published_changes(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Published>, ContentError> {
        // One read transaction: both lists from the same snapshot, so no change is skipped.
        let mut tx = self.read.begin().await?;
        let rows = sqlx::query(
            "SELECT p.article_id, p.site_id, p.column_id, p.revision, p.index_number, p.published_ms, p.updated_ms, \
             CASE WHEN COALESCE(s.state, 'serving') = 'serving' THEN p.withdrawn ELSE 1 END AS withdrawn, \
             p.withdraw_reason, p.withdrawn_ms, p.parent_id, p.doc_json, p.change_seq \
             FROM published p LEFT JOIN sites s ON s.id = p.site_id WHERE p.change_seq > $1 ORDER BY p.change_seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut changes = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        changes.extend(crate::sites::removed_after(&mut tx, after, limit).await?);
        tx.commit().await?;
        changes.sort_by_key(|p| p.change_seq);
        changes.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(changes)
    }

    /// The highest change sequence taken so far.
    pub async fn last_change_seq(&self) -> Result<i64, ContentError> {
        let row = sqlx::query("SELECT value FROM counters WHERE name = 'published_change'")
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get("value")?)
    }

    /// Number of live documents (all sites, or one).
    pub async fn count_published(&self, site: Option<&str>) -> Result<i64, ContentError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM published WHERE withdrawn = 0 AND (CAST($1 AS TEXT) IS NULL OR site_id = $1)")
            .bind(site)
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Live documents per origin node (the search shards' sizes).
    pub async fn count_published_by_origin(
        &self,
    ) -> Result<std::collections::BTreeMap<String, i64>, ContentError> {
        let rows = sqlx::query(
            "SELECT s.origin, COUNT(*) FROM published p JOIN sites s ON s.id = p.site_id WHERE p.withdrawn = 0 GROUP BY s.origin",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }
}
