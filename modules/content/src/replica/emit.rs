//! Building and appending this node's content entries.

use govnode_federation::{Audience, EntryDraft, encode_payload};

use sqlx::{AnyConnection, Row as _};

use super::column::encode_column;
use super::site::encode_site;
use super::{
    ARTICLE, ArticleRecord, COLUMN, ColumnRecord, SITE, SiteRecord, TEMPLATE, TEMPLATE_SET,
    TemplateRecord, TemplateSetRecord, V1,
};
use crate::{Content, ContentError};

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
        .await?;
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

    /// Records a site's current public state, its footer included (call inside the changing
    /// transaction).
    pub(crate) async fn emit_site(
        &self,
        conn: &mut AnyConnection,
        site: &str,
    ) -> Result<(), ContentError> {
        let r = sqlx::query(
            "SELECT id, name, hosts, owner_body, body_code, region, shutdown, shutdown_message, created_ms, site_code, icp_record, \
             police_record, conac_id, undertaker, contact_phone, contact_address, contact_email, state FROM sites WHERE id = $1",
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
        let footer = crate::footer::footer_from_row(&r)?;
        let archived = r.try_get::<String, _>("state")? == "archived";
        let hosts = crate::sites::host_list(&r.try_get::<String, _>("hosts")?);
        self.append(
            conn,
            SITE,
            site.to_string(),
            encode_site(&record, &footer, archived, &hosts),
        )
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
            "SELECT c.slug, p.slug AS parent_slug, c.name, c.kind, c.update_interval_days, c.position, c.template_set, c.created_ms, c.archived_ms \
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
            let archived_ms: Option<i64> = r.try_get("archived_ms")?;
            self.append(conn, COLUMN, object, encode_column(&record, archived_ms))
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
            fed.append_many(conn, drafts).await?;
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
