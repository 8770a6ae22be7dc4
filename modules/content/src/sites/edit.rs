//! Editing a site after its creation: name, host names, owning body, its code, region.
//! Only the node that owns a site edits it; replicas follow its entries.

use serde::Deserialize;
use sqlx::Row;

use super::check_host;
use crate::audit::record;
use crate::model::check_text;
use crate::{Content, ContentError, Site};

/// What a platform admin changes in a site; every field left out keeps its value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteUpdate {
    /// Display name, 1–100 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"[^\s\u0085]")
    )]
    pub name: Option<String>,
    /// Every host name the site answers to (the whole list; empty for none).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9.:-]{1,253}$"))]
    pub hosts: Option<Vec<String>>,
    /// Owning body (主办单位), 1–100 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"[^\s\u0085]")
    )]
    pub owner_body: Option<String>,
    /// Organisation code of the owning body, 1–40 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 40, pattern = r"[^\s\u0085]")
    )]
    pub body_code: Option<String>,
    /// Region code (GB/T 2260), six digits.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^(0[1-9]|[1-9][0-9])(0000|(0[1-9]|[1-9][0-9])[0-9]{2})$")
    )]
    pub region: Option<String>,
}

impl Content {
    /// Changes what `update` names in one of this node's own sites.
    pub async fn update_site(
        &self,
        actor: &str,
        id: &str,
        update: &SiteUpdate,
    ) -> Result<Site, ContentError> {
        let site = self.site(id).await?;
        if self.is_replica(&site) {
            return Err(ContentError::Refused(format!(
                "site `{id}` belongs to node {}: it is changed there and replicated here",
                site.origin
            )));
        }
        let name = text_or(&update.name, &site.name, "name", 100)?;
        let owner_body = text_or(&update.owner_body, &site.owner_body, "owner_body", 100)?;
        let body_code = text_or(&update.body_code, &site.body_code, "body_code", 40)?;
        let region = match &update.region {
            Some(r) if r.len() == 6 && r.bytes().all(|b| b.is_ascii_digit()) => r.clone(),
            Some(r) => {
                return Err(ContentError::Invalid {
                    field: "region",
                    message: format!("`{r}` is not a six-digit region code"),
                });
            }
            None => site.region.clone(),
        };
        let hosts = update.hosts.clone().unwrap_or_else(|| site.hosts.clone());
        for h in &hosts {
            check_host(h)?;
        }
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE sites SET name = $1, hosts = $2, owner_body = $3, body_code = $4, region = $5 WHERE id = $6",
        )
        .bind(&name)
        .bind(hosts.join(","))
        .bind(&owner_body)
        .bind(&body_code)
        .bind(&region)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if update.hosts.is_some() {
            sqlx::query("DELETE FROM site_hosts WHERE site_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for h in &hosts {
                let taken = sqlx::query("SELECT site_id FROM site_hosts WHERE host = $1")
                    .bind(h)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(row) = taken {
                    let other: String = row.try_get("site_id")?;
                    return Err(ContentError::Conflict(format!(
                        "host `{h}` already belongs to site `{other}`"
                    )));
                }
                sqlx::query("INSERT INTO site_hosts (host, site_id) VALUES ($1, $2)")
                    .bind(h)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let changed: Vec<&str> = [
            ("name", update.name.is_some()),
            ("hosts", update.hosts.is_some()),
            ("owner_body", update.owner_body.is_some()),
            ("body_code", update.body_code.is_some()),
            ("region", update.region.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, changed)| changed.then_some(f))
        .collect();
        record(
            &mut tx,
            actor,
            "update",
            Some(id),
            ("site", id),
            &changed.join(", "),
        )
        .await?;
        self.emit_site(&mut tx, id).await?;
        tx.commit().await?;
        self.announce();
        self.site(id).await
    }
}

/// The trimmed new value of a text field, checked, or the current one.
fn text_or(
    new: &Option<String>,
    current: &str,
    field: &'static str,
    max: usize,
) -> Result<String, ContentError> {
    match new {
        Some(v) => {
            check_text(field, v, max)?;
            Ok(v.trim().to_string())
        }
        None => Ok(current.to_string()),
    }
}
