//! Changing a site's columns after they exist: rename, change kind or update interval,
//! move under another column, reorder siblings, archive (撤销) an empty column and restore
//! it. Each change is audited and replicated like the column's creation.

use serde::Deserialize;
use sqlx::{AnyConnection, Row};

use super::columns::{MAX_COLUMNS_PER_LEVEL, column_from_row};
use crate::audit::record;
use crate::model::check_text;
use crate::{Column, ColumnKind, Content, ContentError, now_ms};

/// Largest position a column may be given among its siblings.
pub const MAX_POSITION: i64 = 9_999;

/// What a site admin changes in a column; every field left out keeps its value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ColumnUpdate {
    /// New display name, 1–50 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 50, pattern = r"[^\s\u0085]")
    )]
    pub name: Option<String>,
    /// New kind: news, notice, policy, interpretation, guide, qa, topic.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::ColumnKind>))]
    pub kind: Option<String>,
    /// Move under this column (its slug), or to the top level with an empty string.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^([a-z0-9][a-z0-9-]{0,39})?$"))]
    pub parent: Option<String>,
    /// Expected update interval in days, 1–3650; 0 removes the expectation.
    #[serde(default, deserialize_with = "govnode_topology::whole::optional")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 3650))]
    pub update_interval_days: Option<i64>,
    /// Order among siblings, 0–9999.
    #[serde(default, deserialize_with = "govnode_topology::whole::optional")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 9999))]
    pub position: Option<i64>,
}

/// A new order for the columns of one level.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ColumnOrder {
    /// The level: a column's slug for its children; left out for the top level.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9][a-z0-9-]{0,39}$"))]
    pub parent: Option<String>,
    /// Every column in use at that level, by slug, in the new order.
    #[cfg_attr(
        feature = "openapi",
        schema(min_items = 1, max_items = 100, pattern = r"^[a-z0-9][a-z0-9-]{0,39}$")
    )]
    pub slugs: Vec<String>,
}

impl Content {
    /// Changes a column's name, kind, update interval, parent or position.
    pub async fn update_column(
        &self,
        actor: &str,
        site: &str,
        slug: &str,
        update: &ColumnUpdate,
    ) -> Result<Column, ContentError> {
        self.site(site).await?;
        let mut tx = self.write.begin().await?;
        let column = column_in(&mut tx, site, slug).await?;
        if column.archived {
            return Err(ContentError::Conflict(format!(
                "column `{slug}` is archived: restore it before changing it"
            )));
        }
        let mut changes = Vec::new();
        let name = match &update.name {
            Some(n) => {
                check_text("name", n, 50)?;
                changes.push(format!("name {}", n.trim()));
                n.trim().to_string()
            }
            None => column.name.clone(),
        };
        let kind = match &update.kind {
            Some(k) => {
                changes.push(format!("kind {k}"));
                ColumnKind::parse(k)?
            }
            None => column.kind,
        };
        let interval = match update.update_interval_days {
            Some(0) => None,
            Some(d) if (1..=3650).contains(&d) => Some(d),
            Some(_) => {
                return Err(ContentError::Invalid {
                    field: "update_interval_days",
                    message: "must be 0 (none) or 1 to 3650".into(),
                });
            }
            None => column.update_interval_days,
        };
        if update.update_interval_days.is_some() {
            changes.push(format!("update interval {interval:?}"));
        }
        let position = match update.position {
            Some(p) if (0..=MAX_POSITION).contains(&p) => p,
            Some(_) => {
                return Err(ContentError::Invalid {
                    field: "position",
                    message: format!("must be 0 to {MAX_POSITION}"),
                });
            }
            None => column.position,
        };
        let parent = match update.parent.as_deref() {
            None => column.parent,
            Some("") => None,
            Some(p) => Some(self.new_parent(&mut tx, &column, p).await?),
        };
        if parent != column.parent {
            changes.push(format!(
                "moved under {}",
                update
                    .parent
                    .as_deref()
                    .filter(|p| !p.is_empty())
                    .unwrap_or("the top level")
            ));
            let siblings = level_size(&mut tx, site, parent).await?;
            if siblings >= MAX_COLUMNS_PER_LEVEL {
                return Err(ContentError::Invalid {
                    field: "parent",
                    message: format!(
                        "a column level (the top level, or the children of one column) has at most {MAX_COLUMNS_PER_LEVEL} columns"
                    ),
                });
            }
        }
        sqlx::query(
            "UPDATE columns SET name = $1, kind = $2, update_interval_days = $3, position = $4, parent_id = $5 WHERE id = $6",
        )
        .bind(&name)
        .bind(kind.as_str())
        .bind(interval)
        .bind(position)
        .bind(parent)
        .bind(column.id)
        .execute(&mut *tx)
        .await?;
        if update.position.is_some() {
            changes.push(format!("position {position}"));
        }
        self.column_changed(&mut tx, actor, &column, "update", &changes.join("; "))
            .await?;
        tx.commit().await?;
        self.announce();
        self.column_by_id(column.id).await
    }

    /// Sets the order of one level's columns: `order.slugs` must name every column in use
    /// there, once each.
    pub async fn reorder_columns(
        &self,
        actor: &str,
        site: &str,
        order: &ColumnOrder,
    ) -> Result<Vec<Column>, ContentError> {
        self.site(site).await?;
        let mut tx = self.write.begin().await?;
        let parent = match order.parent.as_deref() {
            Some(p) => Some(column_in(&mut tx, site, p).await?.id),
            None => None,
        };
        let rows = sqlx::query(
            "SELECT * FROM columns WHERE site_id = $1 AND archived_ms IS NULL \
             AND ((CAST($2 AS BIGINT) IS NULL AND parent_id IS NULL) OR parent_id = $2)",
        )
        .bind(site)
        .bind(parent)
        .fetch_all(&mut *tx)
        .await?;
        let level = rows
            .iter()
            .map(column_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let mut listed: Vec<&str> = order.slugs.iter().map(String::as_str).collect();
        listed.sort_unstable();
        let mut present: Vec<&str> = level.iter().map(|c| c.slug.as_str()).collect();
        present.sort_unstable();
        if listed != present {
            return Err(ContentError::Invalid {
                field: "slugs",
                message: format!(
                    "must name each column in use at this level once: {}",
                    present.join(", ")
                ),
            });
        }
        for (position, slug) in order.slugs.iter().enumerate() {
            let Some(c) = level.iter().find(|c| &c.slug == slug) else {
                continue;
            };
            let position = i64::try_from(position).unwrap_or(MAX_POSITION);
            if c.position == position {
                continue;
            }
            sqlx::query("UPDATE columns SET position = $1 WHERE id = $2")
                .bind(position)
                .bind(c.id)
                .execute(&mut *tx)
                .await?;
            self.column_changed(
                &mut tx,
                actor,
                c,
                "reorder",
                &format!("position {position}"),
            )
            .await?;
        }
        tx.commit().await?;
        self.announce();
        let mut out = Vec::with_capacity(order.slugs.len());
        for slug in &order.slugs {
            out.push(self.column(site, slug).await?);
        }
        Ok(out)
    }

    /// Archives (撤销) an empty column: no article of any state, no sub-column in use.
    pub async fn archive_column(
        &self,
        actor: &str,
        site: &str,
        slug: &str,
    ) -> Result<Column, ContentError> {
        self.site(site).await?;
        let mut tx = self.write.begin().await?;
        let column = column_in(&mut tx, site, slug).await?;
        if column.archived {
            return Err(ContentError::Conflict(format!(
                "column `{slug}` is archived already"
            )));
        }
        let articles: i64 = sqlx::query("SELECT COUNT(*) FROM articles WHERE column_id = $1")
            .bind(column.id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if articles > 0 {
            return Err(ContentError::Conflict(format!(
                "column `{slug}` has {articles} articles: only an empty column can be archived"
            )));
        }
        let children: i64 = sqlx::query(
            "SELECT COUNT(*) FROM columns WHERE parent_id = $1 AND archived_ms IS NULL",
        )
        .bind(column.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if children > 0 {
            return Err(ContentError::Conflict(format!(
                "column `{slug}` has {children} sub-columns in use: archive or move them first"
            )));
        }
        sqlx::query("UPDATE columns SET archived_ms = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(column.id)
            .execute(&mut *tx)
            .await?;
        self.column_changed(&mut tx, actor, &column, "archive", &column.name)
            .await?;
        tx.commit().await?;
        self.announce();
        self.column_by_id(column.id).await
    }

    /// Puts an archived column back in use (its parent must be in use).
    pub async fn restore_column(
        &self,
        actor: &str,
        site: &str,
        slug: &str,
    ) -> Result<Column, ContentError> {
        self.site(site).await?;
        let mut tx = self.write.begin().await?;
        let column = column_in(&mut tx, site, slug).await?;
        if !column.archived {
            return Err(ContentError::Conflict(format!(
                "column `{slug}` is not archived"
            )));
        }
        if let Some(parent) = column.parent {
            let archived: Option<i64> =
                sqlx::query("SELECT archived_ms FROM columns WHERE id = $1")
                    .bind(parent)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
            if archived.is_some() {
                return Err(ContentError::Conflict(format!(
                    "the parent of column `{slug}` is archived: restore it first"
                )));
            }
        }
        sqlx::query("UPDATE columns SET archived_ms = NULL WHERE id = $1")
            .bind(column.id)
            .execute(&mut *tx)
            .await?;
        self.column_changed(&mut tx, actor, &column, "restore", &column.name)
            .await?;
        tx.commit().await?;
        self.announce();
        self.column_by_id(column.id).await
    }

    /// The id of `slug` as the new parent of `column`: in use, and neither the column
    /// itself nor one of its descendants.
    async fn new_parent(
        &self,
        conn: &mut AnyConnection,
        column: &Column,
        slug: &str,
    ) -> Result<i64, ContentError> {
        let parent =
            column_in(conn, &column.site, slug)
                .await
                .map_err(|_| ContentError::Invalid {
                    field: "parent",
                    message: format!("no column `{slug}` in site `{}`", column.site),
                })?;
        if parent.archived {
            return Err(ContentError::Invalid {
                field: "parent",
                message: format!("column `{slug}` is archived"),
            });
        }
        // Walk up from the new parent: meeting the column means a cycle.
        let mut at = Some(parent.id);
        while let Some(id) = at {
            if id == column.id {
                return Err(ContentError::Invalid {
                    field: "parent",
                    message: format!(
                        "column `{}` cannot move under itself or one of its sub-columns",
                        column.slug
                    ),
                });
            }
            at = sqlx::query("SELECT parent_id FROM columns WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
        }
        Ok(parent.id)
    }

    /// Audits a change to `column` and replicates the column.
    async fn column_changed(
        &self,
        conn: &mut AnyConnection,
        actor: &str,
        column: &Column,
        action: &str,
        detail: &str,
    ) -> Result<(), ContentError> {
        record(
            conn,
            actor,
            action,
            Some(&column.site),
            ("column", &column.id.to_string()),
            detail,
        )
        .await?;
        self.emit_columns(conn, &column.site, Some(column.id)).await
    }
}

/// A column of `site` by slug, read in the transaction.
async fn column_in(
    conn: &mut AnyConnection,
    site: &str,
    slug: &str,
) -> Result<Column, ContentError> {
    sqlx::query("SELECT * FROM columns WHERE site_id = $1 AND slug = $2")
        .bind(site)
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(column_from_row)
        .transpose()?
        .ok_or_else(|| ContentError::NotFound(format!("column `{slug}` in site `{site}`")))
}

/// How many columns in use a level (the top level, or one column's children) has.
async fn level_size(
    conn: &mut AnyConnection,
    site: &str,
    parent: Option<i64>,
) -> Result<i64, ContentError> {
    Ok(sqlx::query(
        "SELECT COUNT(*) FROM columns WHERE site_id = $1 AND archived_ms IS NULL \
         AND ((CAST($2 AS BIGINT) IS NULL AND parent_id IS NULL) OR parent_id = $2)",
    )
    .bind(site)
    .bind(parent)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?)
}
