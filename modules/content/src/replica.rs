//! Replication of public content: every site, column, template-set, template and
//! published-article change becomes a signed entry (full state of the object, so applying
//! is last-writer-wins on (hlc, origin) and idempotent); entries from other nodes are
//! applied to the same tables, marked with their origin.
//!
//! Drafts, revisions and workflow state never become entries (先审后发).

use govnode_federation::{
    Applier, ApplyError, Audience, BoxFuture, Entry, EntryDraft, Federation, decode_payload,
    encode_payload,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row as _};

use crate::{Content, ContentError};

/// Entry kinds this module owns start with this.
pub const KIND_PREFIX: &str = "content.";
const SITE: &str = "content.site";
const COLUMN: &str = "content.column";
const ARTICLE: &str = "content.article";
const TEMPLATE_SET: &str = "content.template-set";
const TEMPLATE: &str = "content.template";
const V1: u8 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct SiteRecord {
    id: String,
    name: String,
    owner_body: String,
    body_code: String,
    region: String,
    shutdown: bool,
    shutdown_message: String,
    created_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct ColumnRecord {
    site: String,
    slug: String,
    parent_slug: Option<String>,
    name: String,
    kind: String,
    update_interval_days: Option<i64>,
    position: i64,
    template_set: Option<String>,
    created_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct ArticleRecord {
    site: String,
    id: i64,
    column_slug: String,
    revision: i64,
    title: String,
    doc_type: String,
    index_number: String,
    published_ms: i64,
    updated_ms: i64,
    withdrawn: bool,
    withdraw_reason: String,
    withdrawn_ms: Option<i64>,
    parent_id: Option<i64>,
    doc_json: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct TemplateSetRecord {
    id: String,
    name: String,
    columns_json: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct TemplateRecord {
    site: String,
    name: String,
    source: String,
    updated_by: String,
    updated_ms: i64,
}

impl Content {
    async fn append(
        &self,
        conn: &mut AnyConnection,
        kind: &str,
        object: String,
        payload: Vec<u8>,
    ) -> Result<(), ContentError> {
        let Some(fed) = &self.federation else {
            return Ok(());
        };
        fed.append(
            conn,
            EntryDraft {
                kind: kind.to_string(),
                object,
                audience: Audience::Public,
                payload,
            },
        )
        .await
        .map_err(|e| ContentError::Federation(e.to_string()))?;
        Ok(())
    }

    /// The node id this content belongs to ('' when not federated).
    pub(crate) fn origin(&self) -> String {
        self.federation
            .as_ref()
            .map(|f| f.me().to_string())
            .unwrap_or_default()
    }

    /// Whether a site is a replica of another node's.
    pub fn is_replica(&self, site: &crate::Site) -> bool {
        !site.origin.is_empty() && site.origin != self.origin()
    }

    /// Tells the sync task that entries were committed.
    pub(crate) fn announce(&self) {
        if let Some(fed) = &self.federation {
            fed.announce();
        }
    }

    /// Records a site's current public state (call inside the changing transaction).
    pub(crate) async fn emit_site(
        &self,
        conn: &mut AnyConnection,
        site: &str,
    ) -> Result<(), ContentError> {
        let r = sqlx::query(
            "SELECT id, name, owner_body, body_code, region, shutdown, shutdown_message, created_ms FROM sites WHERE id = $1",
        )
        .bind(site)
        .fetch_one(&mut *conn)
        .await?;
        let record = SiteRecord {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            owner_body: r.try_get("owner_body")?,
            body_code: r.try_get("body_code")?,
            region: r.try_get("region")?,
            shutdown: r.try_get::<i64, _>("shutdown")? != 0,
            shutdown_message: r.try_get("shutdown_message")?,
            created_ms: r.try_get("created_ms")?,
        };
        self.append(conn, SITE, site.to_string(), encode_payload(V1, &record))
            .await
    }

    /// Records every column of a site.
    pub(crate) async fn emit_columns(
        &self,
        conn: &mut AnyConnection,
        site: &str,
        only: Option<i64>,
    ) -> Result<(), ContentError> {
        let rows = sqlx::query(
            "SELECT c.slug, p.slug AS parent_slug, c.name, c.kind, c.update_interval_days, c.position, c.template_set, c.created_ms \
             FROM columns c LEFT JOIN columns p ON p.id = c.parent_id WHERE c.site_id = $1 AND ($2 = 0 OR c.id = $2) ORDER BY c.id",
        )
        .bind(site)
        .bind(only.unwrap_or(0))
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            let record = ColumnRecord {
                site: site.to_string(),
                slug: r.try_get("slug")?,
                parent_slug: r.try_get("parent_slug")?,
                name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                update_interval_days: r.try_get("update_interval_days")?,
                position: r.try_get("position")?,
                template_set: r.try_get("template_set")?,
                created_ms: r.try_get("created_ms")?,
            };
            let object = format!("{site}/{}", record.slug);
            self.append(conn, COLUMN, object, encode_payload(V1, &record))
                .await?;
        }
        Ok(())
    }

    /// Records an article's published state (live or withdrawn).
    pub(crate) async fn emit_article(
        &self,
        conn: &mut AnyConnection,
        site: &str,
        id: i64,
    ) -> Result<(), ContentError> {
        if self.federation.is_none() {
            return Ok(());
        }
        let r = sqlx::query(
            "SELECT c.slug, p.revision, p.title, p.doc_type, p.index_number, p.published_ms, p.updated_ms, p.withdrawn, \
             p.withdraw_reason, p.withdrawn_ms, p.parent_id, p.doc_json FROM published p JOIN columns c ON c.id = p.column_id \
             WHERE p.site_id = $1 AND p.article_id = $2",
        )
        .bind(site)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        let record = ArticleRecord {
            site: site.to_string(),
            id,
            column_slug: r.try_get("slug")?,
            revision: r.try_get("revision")?,
            title: r.try_get("title")?,
            doc_type: r.try_get("doc_type")?,
            index_number: r.try_get("index_number")?,
            published_ms: r.try_get("published_ms")?,
            updated_ms: r.try_get("updated_ms")?,
            withdrawn: r.try_get::<i64, _>("withdrawn")? != 0,
            withdraw_reason: r.try_get("withdraw_reason")?,
            withdrawn_ms: r.try_get("withdrawn_ms")?,
            parent_id: r.try_get("parent_id")?,
            doc_json: r.try_get("doc_json")?,
        };
        self.append(
            conn,
            ARTICLE,
            format!("{site}/{id}"),
            encode_payload(V1, &record),
        )
        .await
    }

    /// The entry for a freshly published article, built from the row being written (bulk
    /// import: no re-read; appended in bulk with [`Content::append_drafts`]).
    pub(crate) fn new_article_draft(
        &self,
        row: &crate::published::Row<'_>,
        column_slug: &str,
    ) -> Option<EntryDraft> {
        self.federation.as_ref()?;
        let record = ArticleRecord {
            site: row.site.to_string(),
            id: row.id,
            column_slug: column_slug.to_string(),
            revision: row.revision,
            title: row.doc.title.clone(),
            doc_type: row.doc.doc_type.clone(),
            index_number: row.index_number.to_string(),
            published_ms: row.published_ms,
            updated_ms: row.updated_ms,
            withdrawn: false,
            withdraw_reason: String::new(),
            withdrawn_ms: None,
            parent_id: row.parent_id,
            doc_json: crate::articles::doc_json(row.doc),
        };
        Some(EntryDraft {
            kind: ARTICLE.into(),
            object: format!("{}/{}", row.site, row.id),
            audience: Audience::Public,
            payload: encode_payload(V1, &record),
        })
    }

    /// Appends drafts in bulk inside the caller's transaction.
    pub(crate) async fn append_drafts(
        &self,
        conn: &mut AnyConnection,
        drafts: Vec<EntryDraft>,
    ) -> Result<(), ContentError> {
        if let Some(fed) = &self.federation {
            fed.append_many(conn, drafts)
                .await
                .map_err(|e| ContentError::Federation(e.to_string()))?;
        }
        Ok(())
    }

    /// Records a column template set.
    pub(crate) async fn emit_template_set(
        &self,
        conn: &mut AnyConnection,
        id: &str,
    ) -> Result<(), ContentError> {
        let r =
            sqlx::query("SELECT id, name, columns_json FROM column_template_sets WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
        let record = TemplateSetRecord {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            columns_json: r.try_get("columns_json")?,
        };
        self.append(
            conn,
            TEMPLATE_SET,
            id.to_string(),
            encode_payload(V1, &record),
        )
        .await
    }

    /// Records a site's template override.
    pub(crate) async fn emit_template(
        &self,
        conn: &mut AnyConnection,
        site: &str,
        name: &str,
    ) -> Result<(), ContentError> {
        let r = sqlx::query(
            "SELECT source, updated_by, updated_ms FROM templates WHERE site_id = $1 AND name = $2",
        )
        .bind(site)
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?;
        // No row: the override was reset to the default (an empty source says so).
        let record = match r {
            Some(r) => TemplateRecord {
                site: site.to_string(),
                name: name.to_string(),
                source: r.try_get("source")?,
                updated_by: r.try_get("updated_by")?,
                updated_ms: r.try_get("updated_ms")?,
            },
            None => TemplateRecord {
                site: site.to_string(),
                name: name.to_string(),
                source: String::new(),
                updated_by: String::new(),
                updated_ms: crate::now_ms(),
            },
        };
        self.append(
            conn,
            TEMPLATE,
            format!("{site}/{name}"),
            encode_payload(V1, &record),
        )
        .await
    }
}

/// Applies other nodes' content entries to this node's tables.
#[derive(Debug, Clone)]
pub struct ContentApplier {
    me: String,
    templates_applied: Arc<AtomicU64>,
}

impl ContentApplier {
    /// An applier for this node (other nodes never overwrite its own sites).
    pub fn new(federation: &Federation) -> Self {
        ContentApplier {
            me: federation.me().to_string(),
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
            SITE => {
                let r: SiteRecord = decode(payload)?;
                if r.id != entry.object {
                    return Err(ApplyError::Refused(format!(
                        "site entry for `{}` carries site `{}`",
                        entry.object, r.id
                    )));
                }
                if let Some((owner, stamp)) = site_owner(&mut *tx, &r.id).await? {
                    check_owner(&owner, &origin, &r.id, &self.me)?;
                    if stamp >= hlc {
                        return Ok(());
                    }
                }
                sqlx::query(
                    "INSERT INTO sites (id, name, hosts, owner_body, body_code, region, shutdown, shutdown_message, created_ms, origin, entry_hlc) \
                     VALUES ($1, $2, '', $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
                     owner_body = excluded.owner_body, body_code = excluded.body_code, region = excluded.region, shutdown = excluded.shutdown, \
                     shutdown_message = excluded.shutdown_message, entry_hlc = excluded.entry_hlc",
                )
                .bind(&r.id)
                .bind(&r.name)
                .bind(&r.owner_body)
                .bind(&r.body_code)
                .bind(&r.region)
                .bind(r.shutdown as i64)
                .bind(&r.shutdown_message)
                .bind(r.created_ms)
                .bind(&origin)
                .bind(hlc)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
            }
            COLUMN => {
                let r: ColumnRecord = decode(payload)?;
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
                    "INSERT INTO columns (site_id, parent_id, slug, name, kind, update_interval_days, position, template_set, created_ms, entry_hlc) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (site_id, slug) DO UPDATE SET parent_id = excluded.parent_id, \
                     name = excluded.name, kind = excluded.kind, update_interval_days = excluded.update_interval_days, \
                     position = excluded.position, template_set = excluded.template_set, entry_hlc = excluded.entry_hlc",
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
                .bind(&r.doc_json)
                .bind(seq)
                .bind(hlc)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
                // Attachments this node lacks are fetched from peers by hash, later.
                if let Ok(doc) = crate::articles::parse_doc(&r.doc_json) {
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

fn failed(e: impl std::fmt::Display) -> ApplyError {
    ApplyError::Failed(e.to_string())
}

fn decode<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, ApplyError> {
    match decode_payload::<T>(payload) {
        Ok((V1, value)) => Ok(value),
        Ok((v, _)) => Err(ApplyError::Refused(format!(
            "unsupported payload version {v}"
        ))),
        Err(e) => Err(ApplyError::Refused(e)),
    }
}

async fn site_owner(
    conn: &mut AnyConnection,
    site: &str,
) -> Result<Option<(String, i64)>, ApplyError> {
    let row = sqlx::query("SELECT origin, entry_hlc FROM sites WHERE id = $1")
        .bind(site)
        .fetch_optional(&mut *conn)
        .await
        .map_err(failed)?;
    row.map(|r| Ok((r.try_get(0).map_err(failed)?, r.try_get(1).map_err(failed)?)))
        .transpose()
}

fn check_owner(owner: &str, origin: &str, site: &str, me: &str) -> Result<(), ApplyError> {
    let owner = if owner.is_empty() { me } else { owner };
    if owner == origin {
        Ok(())
    } else {
        Err(ApplyError::Refused(format!(
            "{origin} claims site `{site}`, which belongs to {owner}"
        )))
    }
}

async fn owned_site(
    conn: &mut AnyConnection,
    site: &str,
    origin: &str,
    me: &str,
) -> Result<(), ApplyError> {
    match site_owner(conn, site).await? {
        Some((owner, _)) => check_owner(&owner, origin, site, me),
        None => Err(ApplyError::Refused(format!(
            "{origin} writes to site `{site}`, which it never declared"
        ))),
    }
}
