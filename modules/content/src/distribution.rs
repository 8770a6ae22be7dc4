//! Information distribution (信息分发): an upper node sends a published article down to
//! named descendant sites; each target site republishes it under a column of its own, and
//! a receipt (who republished, when, where) flows back up to the sender.
//!
//! The distribution is an entry addressed to the target sites' nodes (relays on the path
//! hold it, nobody else); the receipt is an entry addressed up the tree.

use govnode_federation::{Audience, EntryDraft, encode_payload};
use govnode_topology::NodeId;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row as _};

use crate::{ArticleInput, Content, ContentError, Transition, article_path, now_ms};

pub(crate) const DISTRIBUTION: &str = "content.distribution";
pub(crate) const RECEIPT: &str = "content.receipt";
/// Who the workflow records as having written a republished article.
const DISTRIBUTOR: &str = "信息分发";

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct DistributionRecord {
    pub id: String,
    pub from_site: String,
    pub from_site_name: String,
    pub article_id: i64,
    pub title: String,
    pub doc_json: String,
    pub targets: Vec<String>,
    pub note: String,
    pub sent_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ReceiptRecord {
    pub dist_id: String,
    pub site: String,
    pub article_id: i64,
    pub at_ms: i64,
}

/// A distribution as its sender sees it, with the receipts that came back.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Distribution {
    /// Distribution id.
    pub id: String,
    /// Sending node.
    pub origin: String,
    /// Sending site and article.
    pub from_site: String,
    /// The distributed article's id at the sender.
    pub article_id: i64,
    /// Title.
    pub title: String,
    /// Target sites.
    pub targets: Vec<String>,
    /// A note to the targets.
    pub note: String,
    /// When sent (unix ms).
    pub sent_ms: i64,
    /// Receipts: who republished, when, where.
    pub receipts: Vec<Receipt>,
}

/// One target's republication.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    /// Target site.
    pub site: String,
    /// The node that republished.
    pub node: String,
    /// The new article's id there.
    pub article_id: i64,
    /// Its public path.
    pub path: String,
    /// When (unix ms).
    pub at_ms: i64,
}

/// A distribution waiting at (or handled by) a target site.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItem {
    /// Distribution id.
    pub id: String,
    /// Sending node, site and site name.
    pub from_node: String,
    /// Sending site.
    pub from_site: String,
    /// Sending site's name.
    pub from_site_name: String,
    /// Title.
    pub title: String,
    /// Note.
    pub note: String,
    /// Sent (unix ms).
    pub sent_ms: i64,
    /// pending or republished.
    pub state: String,
    /// The republished article, once republished.
    pub article_id: Option<i64>,
}

fn invalid(field: &'static str, message: String) -> ContentError {
    ContentError::Invalid { field, message }
}

impl Content {
    /// Distributes a live article of `site` to descendant sites for republication.
    pub async fn distribute(
        &self,
        actor: &str,
        site: &str,
        article_id: i64,
        targets: &[String],
        note: &str,
    ) -> Result<Distribution, ContentError> {
        let Some(fed) = self.federation.clone() else {
            return Err(ContentError::Conflict("this node is not federated".into()));
        };
        if targets.is_empty() || targets.len() > 500 {
            return Err(invalid("targets", "name 1 to 500 target sites".into()));
        }
        if note.chars().count() > 500 {
            return Err(invalid("note", "at most 500 characters".into()));
        }
        let source = self.site(site).await?;
        let p = self.published(site, article_id).await?.ok_or_else(|| {
            ContentError::NotFound(format!("published article {article_id} of site `{site}`"))
        })?;
        if p.withdrawn.is_some() {
            return Err(ContentError::Conflict(format!(
                "article {article_id} is withdrawn"
            )));
        }
        let mut nodes: Vec<NodeId> = Vec::new();
        for t in targets {
            let target = self
                .site(t)
                .await
                .map_err(|_| invalid("targets", format!("site `{t}` is not known at this node")))?;
            let owner: NodeId = target
                .origin
                .parse()
                .map_err(|_| invalid("targets", format!("site `{t}` has no owning node")))?;
            if !fed.is_ancestor(fed.me(), owner) {
                return Err(invalid(
                    "targets",
                    format!("site `{t}` belongs to node {owner}, which is not below this node"),
                ));
            }
            if !nodes.contains(&owner) {
                nodes.push(owner);
            }
        }
        let now = now_ms();
        let record = DistributionRecord {
            id: format!("{}-{}-{article_id}-{now}", fed.me(), site),
            from_site: site.to_string(),
            from_site_name: source.name.clone(),
            article_id,
            title: p.doc.title.clone(),
            doc_json: crate::articles::doc_json(&p.doc),
            targets: targets.to_vec(),
            note: note.trim().to_string(),
            sent_ms: now,
        };
        let mut tx = self.write.begin().await?;
        store_distribution(&mut tx, &fed.me().to_string(), &record).await?;
        fed.append(
            &mut tx,
            EntryDraft {
                kind: DISTRIBUTION.into(),
                object: record.id.clone(),
                audience: Audience::Nodes(nodes),
                payload: encode_payload(1, &record),
            },
        )
        .await?;
        crate::audit::record(
            &mut tx,
            actor,
            "distribute",
            Some(site),
            ("article", &article_id.to_string()),
            &targets.join(","),
        )
        .await?;
        tx.commit().await?;
        self.announce();
        let mut all = self.distributions_of(site, article_id).await?;
        all.retain(|d| d.id == record.id);
        all.pop()
            .ok_or_else(|| ContentError::NotFound("distribution".into()))
    }

    /// Distributions of an article, with receipts.
    pub async fn distributions_of(
        &self,
        site: &str,
        article_id: i64,
    ) -> Result<Vec<Distribution>, ContentError> {
        let rows = sqlx::query(
            "SELECT id, origin, from_site, article_id, title, targets, note, sent_ms FROM distributions \
             WHERE from_site = $1 AND article_id = $2 ORDER BY sent_ms",
        )
        .bind(site)
        .bind(article_id)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let id: String = r.try_get("id")?;
            let receipts = sqlx::query(
                "SELECT site_id, node, article_id, at_ms FROM distribution_receipts WHERE dist_id = $1 ORDER BY at_ms",
            )
            .bind(&id)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|x| {
                let site: String = x.try_get("site_id")?;
                let article_id: i64 = x.try_get("article_id")?;
                Ok(Receipt {
                    path: article_path(&site, article_id),
                    site,
                    node: x.try_get("node")?,
                    article_id,
                    at_ms: x.try_get("at_ms")?,
                })
            })
            .collect::<Result<Vec<_>, ContentError>>()?;
            out.push(Distribution {
                id,
                origin: r.try_get("origin")?,
                from_site: r.try_get("from_site")?,
                article_id: r.try_get("article_id")?,
                title: r.try_get("title")?,
                targets: r
                    .try_get::<String, _>("targets")?
                    .split(',')
                    .map(String::from)
                    .collect(),
                note: r.try_get("note")?,
                sent_ms: r.try_get("sent_ms")?,
                receipts,
            });
        }
        Ok(out)
    }

    /// Distributions addressed to a site, newest first.
    pub async fn inbox(&self, site: &str) -> Result<Vec<InboxItem>, ContentError> {
        self.site(site).await?;
        let rows = sqlx::query(
            "SELECT d.id, d.origin, d.from_site, d.from_site_name, d.title, d.note, d.sent_ms, i.state, i.article_id \
             FROM distribution_inbox i JOIN distributions d ON d.id = i.dist_id WHERE i.site_id = $1 ORDER BY d.sent_ms DESC",
        )
        .bind(site)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(InboxItem {
                    id: r.try_get("id")?,
                    from_node: r.try_get("origin")?,
                    from_site: r.try_get("from_site")?,
                    from_site_name: r.try_get("from_site_name")?,
                    title: r.try_get("title")?,
                    note: r.try_get("note")?,
                    sent_ms: r.try_get("sent_ms")?,
                    state: r.try_get("state")?,
                    article_id: r.try_get("article_id")?,
                })
            })
            .collect()
    }

    /// Republishes a distributed article in one of the target site's columns, and sends
    /// the receipt up. The content was reviewed at the sender; the caller (who holds the
    /// publish right on the target site) is recorded as approver and publisher.
    pub async fn republish(
        &self,
        actor: &str,
        site: &str,
        dist_id: &str,
        column: &str,
    ) -> Result<i64, ContentError> {
        let Some(fed) = self.federation.clone() else {
            return Err(ContentError::Conflict("this node is not federated".into()));
        };
        let row = sqlx::query(
            "SELECT i.state, d.doc_json, d.from_site_name FROM distribution_inbox i JOIN distributions d ON d.id = i.dist_id \
             WHERE i.dist_id = $1 AND i.site_id = $2",
        )
        .bind(dist_id)
        .bind(site)
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| ContentError::NotFound(format!("distribution `{dist_id}` for site `{site}`")))?;
        if row.try_get::<String, _>("state")? != "pending" {
            return Err(ContentError::Conflict(format!(
                "distribution `{dist_id}` was already republished"
            )));
        }
        let doc = crate::articles::parse_doc(&row.try_get::<String, _>("doc_json")?)?;
        let from: String = row.try_get("from_site_name")?;
        let mut attachments = Vec::new();
        for a in doc.attachments {
            // Blobs arrive by hash from peers; what has not arrived yet is left out.
            if self.blobs.info(&a.hash).await?.is_some() {
                attachments.push(a);
            }
        }
        let input = ArticleInput {
            column: Some(column.to_string()),
            title: doc.title,
            subtitle: doc.subtitle,
            body: doc.body,
            body_format: doc.body_format,
            summary: doc.summary,
            author: if doc.author.is_empty() {
                from
            } else {
                doc.author
            },
            issuing_body: doc.issuing_body,
            doc_number: doc.doc_number,
            theme: doc.theme,
            doc_type: doc.doc_type,
            date: doc.date,
            valid_from: doc.valid_from,
            valid_to: doc.valid_to,
            attachments,
            tags: doc.tags,
        };
        let article = self.create_article(DISTRIBUTOR, site, &input).await?;
        self.transition(DISTRIBUTOR, article.id, Transition::Submit, None, None)
            .await?;
        self.transition(actor, article.id, Transition::Approve, None, None)
            .await?;
        self.transition(actor, article.id, Transition::Publish, None, None)
            .await?;
        let receipt = ReceiptRecord {
            dist_id: dist_id.to_string(),
            site: site.to_string(),
            article_id: article.id,
            at_ms: now_ms(),
        };
        let mut tx = self.write.begin().await?;
        sqlx::query("UPDATE distribution_inbox SET state = 'republished', article_id = $1, decided_ms = $2 WHERE dist_id = $3 AND site_id = $4")
            .bind(article.id)
            .bind(receipt.at_ms)
            .bind(dist_id)
            .bind(site)
            .execute(&mut *tx)
            .await?;
        store_receipt(&mut tx, &fed.me().to_string(), &receipt).await?;
        fed.append(
            &mut tx,
            EntryDraft {
                kind: RECEIPT.into(),
                object: format!("{dist_id}/{site}"),
                audience: Audience::Up,
                payload: encode_payload(1, &receipt),
            },
        )
        .await?;
        tx.commit().await?;
        self.announce();
        self.published_changed().await?;
        Ok(article.id)
    }
}

/// Stores a distribution (sent here or received); idempotent.
pub(crate) async fn store_distribution(
    conn: &mut AnyConnection,
    origin: &str,
    r: &DistributionRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO distributions (id, origin, from_site, from_site_name, article_id, title, doc_json, targets, note, sent_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&r.id)
    .bind(origin)
    .bind(&r.from_site)
    .bind(&r.from_site_name)
    .bind(r.article_id)
    .bind(&r.title)
    .bind(&r.doc_json)
    .bind(r.targets.join(","))
    .bind(&r.note)
    .bind(r.sent_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Opens inbox rows for the targets this node owns; idempotent.
pub(crate) async fn open_inbox(
    conn: &mut AnyConnection,
    r: &DistributionRecord,
    me: &str,
) -> Result<(), sqlx::Error> {
    for t in &r.targets {
        sqlx::query(
            "INSERT INTO distribution_inbox (dist_id, site_id, state) SELECT $1, $2, 'pending' \
             WHERE EXISTS (SELECT 1 FROM sites WHERE id = $2 AND origin = $3) ON CONFLICT (dist_id, site_id) DO NOTHING",
        )
        .bind(&r.id)
        .bind(t)
        .bind(me)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Stores a receipt; idempotent.
pub(crate) async fn store_receipt(
    conn: &mut AnyConnection,
    node: &str,
    r: &ReceiptRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO distribution_receipts (dist_id, site_id, node, article_id, at_ms) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (dist_id, site_id) DO NOTHING",
    )
    .bind(&r.dist_id)
    .bind(&r.site)
    .bind(node)
    .bind(r.article_id)
    .bind(r.at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
