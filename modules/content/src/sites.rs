//! Sites and their host names. Columns and column template sets are in `columns`; who
//! holds a site id (an ancestor's claim wins) and which sites are not served, in `claims`,
//! with the moves behind a superseded site in `aside`.

mod archive;
mod aside;
mod claims;
mod column_changes;
mod columns;
mod edit;

pub(crate) use archive::apply_archived;
pub(crate) use aside::{removed_after, renumber_published, supersede};
pub(crate) use claims::claim_wins;
pub use claims::{SiteListing, SiteState};
pub use column_changes::{ColumnOrder, ColumnUpdate, MAX_POSITION};
pub use columns::{ColumnInput, MAX_COLUMNS_PER_LEVEL, MAX_COLUMNS_PER_SITE, TemplateSet};
pub use edit::SiteUpdate;

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::record;
use crate::model::{check_slug, check_text};
use crate::{Content, ContentError, Site, now_ms};

/// What a platform admin sends to create a site.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteInput {
    /// Short id: 1–40 of a-z, 0-9 and '-', not starting with '-'.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9][a-z0-9-]{0,39}$"))]
    pub id: String,
    /// Display name, 1–100 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"[^\s\u0085]")
    )]
    pub name: String,
    /// Host names served by this site: lowercase letters, digits, '.', '-' and ':'.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9.:-]{1,253}$"))]
    pub hosts: Vec<String>,
    /// Owning body (主办单位), 1–100 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"[^\s\u0085]")
    )]
    pub owner_body: String,
    /// Organisation code of the owning body (for index numbers), 1–40 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 40, pattern = r"[^\s\u0085]")
    )]
    pub body_code: String,
    /// Region code (GB/T 2260), six digits, e.g. 440000.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^(0[1-9]|[1-9][0-9])(0000|(0[1-9]|[1-9][0-9])[0-9]{2})$")
    )]
    pub region: String,
    /// Footer items (网站标识码, 备案号, 承办单位, contact); all optional.
    #[serde(default)]
    pub footer: crate::SiteFooter,
}

/// A comma-joined host list as the site row keeps it.
pub(crate) fn host_list(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .filter(|h| !h.is_empty())
        .map(String::from)
        .collect()
}

fn site_from_row(r: &AnyRow) -> Result<Site, ContentError> {
    Ok(Site {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        hosts: host_list(&r.try_get::<String, _>("hosts")?),
        owner_hosts: host_list(&r.try_get::<String, _>("owner_hosts")?),
        owner_body: r.try_get("owner_body")?,
        body_code: r.try_get("body_code")?,
        region: r.try_get("region")?,
        shutdown: r.try_get::<i64, _>("shutdown")? != 0,
        shutdown_message: r.try_get("shutdown_message")?,
        origin: r.try_get("origin")?,
        footer: crate::footer::footer_from_row(r)?,
    })
}

// `hosts` is kept comma-joined on the site row for reading; `site_hosts` enforces uniqueness and serves lookups.
const SITE_SELECT: &str = "SELECT s.id, s.name, s.hosts, s.owner_hosts, s.owner_body, s.body_code, s.region, s.shutdown, s.shutdown_message, s.origin, \
    s.site_code, s.icp_record, s.police_record, s.conac_id, s.undertaker, s.contact_phone, s.contact_address, s.contact_email FROM sites s";

pub(crate) fn check_host(h: &str) -> Result<(), ContentError> {
    let ok = !h.is_empty()
        && h.len() <= 253
        && h.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-' || b == b':'
        });
    if ok {
        Ok(())
    } else {
        Err(ContentError::Invalid {
            field: "hosts",
            message: format!("`{h}` is not a lowercase host name"),
        })
    }
}

impl Content {
    /// Creates a site.
    pub async fn create_site(&self, actor: &str, input: &SiteInput) -> Result<Site, ContentError> {
        check_slug("id", &input.id)?;
        check_text("name", &input.name, 100)?;
        check_text("owner_body", &input.owner_body, 100)?;
        check_text("body_code", &input.body_code, 40)?;
        if input.region.len() != 6 || !input.region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ContentError::Invalid {
                field: "region",
                message: format!("`{}` is not a six-digit region code", input.region),
            });
        }
        for h in &input.hosts {
            check_host(h)?;
        }
        input.footer.validate(true)?;
        let mut tx = self.write.begin().await?;
        // A descendant's replica holding the id is superseded (an ancestor's claim wins);
        // this node's own site or an ancestor's keeps it.
        let superseded = self.take_site_id(&mut tx, actor, &input.id).await?;
        sqlx::query("INSERT INTO sites (id, name, hosts, owner_body, body_code, region, shutdown, shutdown_message, created_ms, origin) VALUES ($1, $2, $3, $4, $5, $6, 0, '', $7, $8)")
            .bind(&input.id)
            .bind(input.name.trim())
            .bind(input.hosts.join(","))
            .bind(input.owner_body.trim())
            .bind(input.body_code.trim())
            .bind(&input.region)
            .bind(now_ms())
            .bind(self.origin())
            .execute(&mut *tx)
            .await?;
        crate::footer::store_footer(&mut tx, &input.id, &input.footer).await?;
        for h in &input.hosts {
            if sqlx::query("SELECT site_id FROM site_hosts WHERE host = $1")
                .bind(h)
                .fetch_optional(&mut *tx)
                .await?
                .is_some()
            {
                return Err(ContentError::Conflict(format!(
                    "host `{h}` already belongs to another site"
                )));
            }
            sqlx::query("INSERT INTO site_hosts (host, site_id) VALUES ($1, $2)")
                .bind(h)
                .bind(&input.id)
                .execute(&mut *tx)
                .await?;
        }
        record(
            &mut tx,
            actor,
            "create",
            Some(&input.id),
            ("site", &input.id),
            &input.name,
        )
        .await?;
        self.emit_site(&mut tx, &input.id).await?;
        tx.commit().await?;
        self.announce();
        if superseded.is_some() {
            // The replica's documents leave the search index before the answer.
            self.published_changed().await?;
        }
        self.site(&input.id).await
    }

    /// The sites this node serves (not those superseded or refused: see
    /// [`Content::site_listing`]).
    pub async fn sites(&self) -> Result<Vec<Site>, ContentError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SITE_SELECT} WHERE s.state = 'serving' ORDER BY s.created_ms, s.id"
        )))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(site_from_row).collect()
    }

    /// One site this node serves: a superseded or refused one is not found.
    pub async fn site(&self, id: &str) -> Result<Site, ContentError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SITE_SELECT} WHERE s.id = $1 AND s.state = 'serving'"
        )))
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref()
            .map(site_from_row)
            .transpose()?
            .ok_or_else(|| ContentError::NotFound(format!("site `{id}`")))
    }

    /// The site serving a host name, if any (a site kept aside keeps its host names
    /// reserved, serving nothing).
    pub async fn site_by_host(&self, host: &str) -> Result<Option<Site>, ContentError> {
        let row = sqlx::query("SELECT h.site_id FROM site_hosts h JOIN sites s ON s.id = h.site_id WHERE h.host = $1 AND s.state = 'serving'")
            .bind(host)
            .fetch_optional(&self.read)
            .await?;
        match row {
            Some(r) => Ok(Some(self.site(&r.try_get::<String, _>("site_id")?).await?)),
            None => Ok(None),
        }
    }

    /// One-key shutdown (or resumption) of a site.
    pub async fn set_shutdown(
        &self,
        actor: &str,
        site: &str,
        shutdown: bool,
        message: &str,
    ) -> Result<Site, ContentError> {
        if message.chars().count() > 500 {
            return Err(ContentError::Invalid {
                field: "message",
                message: "at most 500 characters".into(),
            });
        }
        let mut tx = self.write.begin().await?;
        let done =
            sqlx::query("UPDATE sites SET shutdown = $1, shutdown_message = $2 WHERE id = $3 AND state = 'serving'")
                .bind(i64::from(shutdown))
                .bind(message)
                .bind(site)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(ContentError::NotFound(format!("site `{site}`")));
        }
        record(
            &mut tx,
            actor,
            if shutdown { "shutdown" } else { "resume" },
            Some(site),
            ("site", site),
            message,
        )
        .await?;
        self.emit_site(&mut tx, site).await?;
        tx.commit().await?;
        self.announce();
        self.site(site).await
    }
}
