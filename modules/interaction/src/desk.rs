//! Letters desks (受理中心): where a letter goes when its writer does not know which body
//! should answer it. The desk is a body of the site's node; its handlers read the letter
//! and pass it on (转办) to the body that must answer, anywhere in the province.

use govnode_federation::now_ms;
use serde::Serialize;
use sqlx::Row;

use crate::{Interaction, InteractionError};

/// The key of a node's default desk, used by sites without their own.
pub const NODE_DEFAULT: &str = "*";

/// A site's desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Desk {
    /// The site, or `*` for the node's default.
    pub site: String,
    /// The body that takes the letters.
    pub body: String,
    /// Its name.
    pub name: String,
}

impl Interaction {
    /// Makes `body` (a body of this node) the desk of `site` (`*`: the node's default).
    pub async fn set_desk(&self, site: &str, body: &str) -> Result<Desk, InteractionError> {
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM interaction_bodies WHERE id = $1 AND node = $2")
                .bind(body)
                .bind(self.me())
                .fetch_optional(&self.read)
                .await?;
        let name = name.ok_or_else(|| {
            InteractionError::NotFound(format!(
                "body: `{body}` is not a body of this node; declare it first"
            ))
        })?;
        sqlx::query(
            "INSERT INTO interaction_desks (site, body_id, updated_ms) VALUES ($1, $2, $3)
             ON CONFLICT (site) DO UPDATE SET body_id = excluded.body_id, updated_ms = excluded.updated_ms",
        )
        .bind(site)
        .bind(body)
        .bind(now_ms())
        .execute(&self.write)
        .await?;
        Ok(Desk {
            site: site.into(),
            body: body.into(),
            name,
        })
    }

    /// Removes the desk of `site`; letters to it must then name their body.
    pub async fn remove_desk(&self, site: &str) -> Result<(), InteractionError> {
        let n = sqlx::query("DELETE FROM interaction_desks WHERE site = $1")
            .bind(site)
            .execute(&self.write)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(InteractionError::NotFound(format!(
                "site `{site}` has no letters desk"
            )));
        }
        Ok(())
    }

    /// Every desk of this node, the default first.
    pub async fn desks(&self) -> Result<Vec<Desk>, InteractionError> {
        let rows = sqlx::query(
            "SELECT d.site, d.body_id, COALESCE(b.name, '') FROM interaction_desks d
             LEFT JOIN interaction_bodies b ON b.id = d.body_id
             ORDER BY d.site <> '*', d.site",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Desk {
                    site: r.try_get(0)?,
                    body: r.try_get(1)?,
                    name: r.try_get(2)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// The desk that takes `site`'s letters without a chosen body: its own, else the
    /// node's default.
    pub async fn desk_for(&self, site: &str) -> Result<Option<Desk>, InteractionError> {
        Ok(self
            .desks()
            .await?
            .into_iter()
            .filter(|d| d.site == site || d.site == NODE_DEFAULT)
            .max_by_key(|d| d.site == site))
    }

    /// The body a letter goes to: the one chosen, else the site's desk (None: neither).
    pub(crate) async fn addressee(
        &self,
        site: &str,
        chosen: &str,
    ) -> Result<Option<String>, InteractionError> {
        if !chosen.trim().is_empty() {
            return Ok(Some(chosen.trim().to_string()));
        }
        Ok(self.desk_for(site).await?.map(|d| d.body))
    }
}
