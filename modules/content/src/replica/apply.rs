//! Applying other nodes' content entries.

use govnode_federation::{Applier, ApplyError, BoxFuture, Entry, Federation};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{AnyConnection, Row as _};

use super::claim::Lineage;
use super::column::decode_column;
use super::{
    ARTICLE, ArticleRecord, COLUMN, SITE, TEMPLATE, TEMPLATE_SET, TemplateRecord,
    TemplateSetRecord, decode, failed, owned_site,
};

/// Applies other nodes' content entries to this node's tables.
#[derive(Debug, Clone)]
pub struct ContentApplier {
    pub(super) me: String,
    pub(super) lineage: Lineage,
    pub(super) templates_applied: Arc<AtomicU64>,
}

impl ContentApplier {
    /// An applier for this node (other nodes never overwrite its own sites, except an
    /// ancestor claiming the same site id).
    pub fn new(federation: &Arc<Federation>) -> Self {
        ContentApplier {
            me: federation.me().to_string(),
            lineage: Lineage::new(federation),
            templates_applied: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Counts template overrides applied from other nodes, so the node knows when to
    /// reload the renderer's overrides of replica sites.
    pub fn templates_applied(&self) -> Arc<AtomicU64> {
        self.templates_applied.clone()
    }

    async fn apply_entry(
        &self,
        tx: &mut AnyConnection,
        entry: &Entry,
        payload: &[u8],
    ) -> Result<(), ApplyError> {
        let origin = entry.origin.to_string();
        let hlc = entry.hlc as i64;
        match entry.kind.as_str() {
            SITE => self.apply_site(&mut *tx, entry, payload).await?,
            COLUMN => {
                let (r, archived_ms) = decode_column(payload)?;
                owned_site(&mut *tx, &r.site, &origin, &self.me).await?;
                let existing =
                    sqlx::query("SELECT entry_hlc FROM columns WHERE site_id = $1 AND slug = $2")
                        .bind(&r.site)
                        .bind(&r.slug)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(failed)?;
                if let Some(row) = existing
                    && row.try_get::<i64, _>(0).map_err(failed)? >= hlc
                {
                    return Ok(());
                }
                let parent_id: Option<i64> = match &r.parent_slug {
                    Some(p) => Some(
                        sqlx::query("SELECT id FROM columns WHERE site_id = $1 AND slug = $2")
                            .bind(&r.site)
                            .bind(p)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(failed)?
                            .ok_or_else(|| {
                                ApplyError::Refused(format!(
                                    "column `{}` names unknown parent `{p}`",
                                    r.slug
                                ))
                            })?
                            .try_get(0)
                            .map_err(failed)?,
                    ),
                    None => None,
                };
                sqlx::query(
                    "INSERT INTO columns (site_id, parent_id, slug, name, kind, update_interval_days, position, template_set, created_ms, entry_hlc, archived_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (site_id, slug) DO UPDATE SET parent_id = excluded.parent_id, \
                     name = excluded.name, kind = excluded.kind, update_interval_days = excluded.update_interval_days, \
                     position = excluded.position, template_set = excluded.template_set, entry_hlc = excluded.entry_hlc, \
                     archived_ms = excluded.archived_ms",
                )
                .bind(&r.site)
                .bind(parent_id)
                .bind(&r.slug)
                .bind(&r.name)
                .bind(&r.kind)
                .bind(r.update_interval_days)
                .bind(r.position)
                .bind(&r.template_set)
                .bind(r.created_ms)
                .bind(hlc)
                .bind(archived_ms)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
            }
            ARTICLE => {
                let r: ArticleRecord = decode(payload)?;
                owned_site(&mut *tx, &r.site, &origin, &self.me).await?;
                let column_id: i64 =
                    sqlx::query("SELECT id FROM columns WHERE site_id = $1 AND slug = $2")
                        .bind(&r.site)
                        .bind(&r.column_slug)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(failed)?
                        .ok_or_else(|| {
                            ApplyError::Refused(format!(
                                "article {}/{} is in unknown column `{}`",
                                r.site, r.id, r.column_slug
                            ))
                        })?
                        .try_get(0)
                        .map_err(failed)?;
                let doc_json = resanitised(&r.doc_json).map_err(|e| {
                    ApplyError::Refused(format!(
                        "article {}/{} carries an unreadable document: {e}",
                        r.site, r.id
                    ))
                })?;
                let existing = sqlx::query(
                    "SELECT entry_hlc FROM published WHERE site_id = $1 AND article_id = $2",
                )
                .bind(&r.site)
                .bind(r.id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(failed)?;
                if let Some(row) = existing
                    && row.try_get::<i64, _>(0).map_err(failed)? >= hlc
                {
                    return Ok(());
                }
                let seq: i64 = sqlx::query(
                    "UPDATE counters SET value = value + 1 WHERE name = 'published_change' RETURNING value",
                )
                .fetch_one(&mut *tx)
                .await
                .map_err(failed)?
                .try_get(0)
                .map_err(failed)?;
                sqlx::query(
                    "INSERT INTO published (site_id, article_id, column_id, revision, title, doc_type, index_number, published_ms, updated_ms, \
                     withdrawn, withdraw_reason, withdrawn_ms, parent_id, doc_json, change_seq, entry_hlc) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                     ON CONFLICT (site_id, article_id) DO UPDATE SET column_id = excluded.column_id, revision = excluded.revision, \
                     title = excluded.title, doc_type = excluded.doc_type, index_number = excluded.index_number, \
                     published_ms = excluded.published_ms, updated_ms = excluded.updated_ms, withdrawn = excluded.withdrawn, \
                     withdraw_reason = excluded.withdraw_reason, withdrawn_ms = excluded.withdrawn_ms, parent_id = excluded.parent_id, \
                     doc_json = excluded.doc_json, change_seq = excluded.change_seq, entry_hlc = excluded.entry_hlc",
                )
                .bind(&r.site)
                .bind(r.id)
                .bind(column_id)
                .bind(r.revision)
                .bind(&r.title)
                .bind(&r.doc_type)
                .bind(&r.index_number)
                .bind(r.published_ms)
                .bind(r.updated_ms)
                .bind(r.withdrawn as i64)
                .bind(&r.withdraw_reason)
                .bind(r.withdrawn_ms)
                .bind(r.parent_id)
                .bind(&doc_json)
                .bind(seq)
                .bind(hlc)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
                // Attachments this node lacks are fetched from peers by hash, later.
                if let Ok(doc) = crate::articles::parse_doc(&doc_json) {
                    for a in &doc.attachments {
                        sqlx::query(
                            "INSERT INTO wanted_blobs (hash, since_ms) SELECT $1, $2 \
                             WHERE NOT EXISTS (SELECT 1 FROM blobs WHERE hash = $1) ON CONFLICT (hash) DO NOTHING",
                        )
                        .bind(&a.hash)
                        .bind(crate::now_ms())
                        .execute(&mut *tx)
                        .await
                        .map_err(failed)?;
                    }
                }
            }
            TEMPLATE_SET => {
                let r: TemplateSetRecord = decode(payload)?;
                let existing =
                    sqlx::query("SELECT origin, entry_hlc FROM column_template_sets WHERE id = $1")
                        .bind(&r.id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(failed)?;
                if let Some(row) = existing {
                    let owner: String = row.try_get(0).map_err(failed)?;
                    // A set of this node's own keeps its id here; otherwise the newest
                    // (hlc, origin) wins, the same on every node whatever the arrival order.
                    let stamp = row.try_get::<i64, _>(1).map_err(failed)?;
                    if owner.is_empty()
                        || owner == self.me
                        || (stamp, owner.as_str()) >= (hlc, origin.as_str())
                    {
                        return Ok(());
                    }
                }
                sqlx::query(
                    "INSERT INTO column_template_sets (id, name, columns_json, updated_ms, origin, entry_hlc) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, columns_json = excluded.columns_json, \
                     updated_ms = excluded.updated_ms, origin = excluded.origin, entry_hlc = excluded.entry_hlc",
                )
                .bind(&r.id)
                .bind(&r.name)
                .bind(&r.columns_json)
                .bind(govnode_federation::millis_of(entry.hlc))
                .bind(&origin)
                .bind(hlc)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
            }
            TEMPLATE => {
                let r: TemplateRecord = decode(payload)?;
                owned_site(&mut *tx, &r.site, &origin, &self.me).await?;
                // The owner's node checked it when it was stored; a modified node may not
                // have, and the site is served on this node's origin.
                if !r.source.is_empty()
                    && let Err(e) = crate::render::check_template_source(&r.name, &r.source)
                {
                    tracing::warn!(%origin, site = %r.site, template = %r.name, error = %e, "replicated template override refused");
                    return Err(ApplyError::Refused(format!(
                        "template {} of site `{}` may not be served: {e}",
                        r.name, r.site
                    )));
                }
                self.templates_applied.fetch_add(1, Ordering::Relaxed);
                let existing = sqlx::query(
                    "SELECT updated_ms FROM templates WHERE site_id = $1 AND name = $2",
                )
                .bind(&r.site)
                .bind(&r.name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(failed)?;
                if let Some(row) = existing
                    && row.try_get::<i64, _>(0).map_err(failed)? > r.updated_ms
                {
                    return Ok(());
                }
                if r.source.is_empty() {
                    sqlx::query("DELETE FROM templates WHERE site_id = $1 AND name = $2")
                        .bind(&r.site)
                        .bind(&r.name)
                        .execute(&mut *tx)
                        .await
                        .map_err(failed)?;
                    return Ok(());
                }
                sqlx::query(
                    "INSERT INTO templates (site_id, name, source, updated_by, updated_ms) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (site_id, name) DO UPDATE SET source = excluded.source, updated_by = excluded.updated_by, \
                     updated_ms = excluded.updated_ms",
                )
                .bind(&r.site)
                .bind(&r.name)
                .bind(&r.source)
                .bind(&r.updated_by)
                .bind(r.updated_ms)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
            }
            crate::distribution::DISTRIBUTION => {
                let r: crate::distribution::DistributionRecord = decode(payload)?;
                owned_site(&mut *tx, &r.from_site, &origin, &self.me).await?;
                crate::distribution::store_distribution(&mut *tx, &origin, &r)
                    .await
                    .map_err(failed)?;
                crate::distribution::open_inbox(&mut *tx, &r, &self.me)
                    .await
                    .map_err(failed)?;
            }
            crate::distribution::RECEIPT => {
                let r: crate::distribution::ReceiptRecord = decode(payload)?;
                owned_site(&mut *tx, &r.site, &origin, &self.me).await?;
                crate::distribution::store_receipt(&mut *tx, &origin, &r)
                    .await
                    .map_err(failed)?;
            }
            other => {
                // A newer kind this version does not know: kept in the log, nothing to apply.
                tracing::debug!(kind = other, "unknown content entry kind");
            }
        }
        Ok(())
    }
}

/// A replicated article's document with its body cleaned as local publication cleans it:
/// another node's `body_html` is never trusted to have been sanitised.
fn resanitised(doc_json: &str) -> Result<String, crate::ContentError> {
    let mut doc = crate::articles::parse_doc(doc_json)?;
    let clean = crate::sanitize::clean_html(&doc.body_html);
    if clean == doc.body_html {
        return Ok(doc_json.to_string());
    }
    doc.body_html = clean;
    Ok(crate::articles::doc_json(&doc))
}

impl Applier for ContentApplier {
    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        entry: &'a Entry,
        payload: &'a [u8],
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(self.apply_entry(conn, entry, payload))
    }
}

#[cfg(test)]
mod tests {
    use super::resanitised;

    #[test]
    fn replicated_bodies_are_cleaned_and_clean_ones_kept_as_sent() {
        let doc = |body_html: &str| {
            serde_json::json!({
                "title": "通知", "subtitle": "", "body": "正文", "body_format": "html",
                "body_html": body_html, "summary": "", "author": "", "issuing_body": "",
                "doc_number": "", "theme": "01", "doc_type": "notice", "date": "",
                "valid_from": "", "valid_to": "", "attachments": [], "tags": [],
            })
            .to_string()
        };
        let raw = doc("<p>正文</p><script>alert(1)</script><img src=\"x\" onerror=\"alert(2)\">");
        let stored = resanitised(&raw).unwrap();
        let body = serde_json::from_str::<serde_json::Value>(&stored).unwrap()["body_html"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(body.starts_with("<p>正文</p>"), "{body}");
        assert!(
            !body.contains("script") && !body.contains("onerror"),
            "{body}"
        );
        let clean = doc("<p>正文</p>");
        assert_eq!(resanitised(&clean).unwrap(), clean);
        assert!(resanitised("{\"title\": 1}").is_err());
    }
}
