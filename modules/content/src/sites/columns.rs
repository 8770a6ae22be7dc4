//! Columns of a site and column template sets (Hainan's "1+N").

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::record;
use crate::model::{check_slug, check_text};
use crate::{Column, ColumnKind, Content, ContentError, now_ms};

/// What a site admin sends to create a column.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ColumnInput {
    /// Path segment: 1–40 of a-z, 0-9 and '-', not starting with '-'.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9][a-z0-9-]{0,39}$"))]
    pub slug: String,
    /// Display name, 1–50 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 50, pattern = r"[^\s\u0085]")
    )]
    pub name: String,
    /// Kind: news, notice, policy, interpretation, guide, qa, topic.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::ColumnKind))]
    pub kind: String,
    /// Parent column slug, for a sub-column: a column the site has (in a template set, one
    /// listed before it or one the site has).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9][a-z0-9-]{0,39}$"))]
    pub parent: Option<String>,
    /// Expected update interval in days, 1–3650.
    #[serde(default, deserialize_with = "govnode_topology::whole::optional")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub update_interval_days: Option<i64>,
    /// Order among siblings.
    #[serde(default, deserialize_with = "govnode_topology::whole::number")]
    pub position: i64,
}

/// A column template set ("1+N" 标准栏目) as stored: the columns it stamps onto sites.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TemplateSet {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<ColumnInput>,
    /// When it was last saved (unix ms).
    pub updated_ms: i64,
    /// The sites holding a column stamped from it, by id.
    pub sites: Vec<String>,
}

pub(crate) fn column_from_row(r: &AnyRow) -> Result<Column, ContentError> {
    let kind: String = r.try_get("kind")?;
    Ok(Column {
        id: r.try_get("id")?,
        site: r.try_get("site_id")?,
        parent: r.try_get("parent_id")?,
        slug: r.try_get("slug")?,
        name: r.try_get("name")?,
        kind: ColumnKind::parse(&kind)?,
        update_interval_days: r.try_get("update_interval_days")?,
        position: r.try_get("position")?,
        template_set: r.try_get("template_set")?,
        archived: r.try_get::<Option<i64>, _>("archived_ms")?.is_some(),
    })
}

impl Content {
    /// Creates a column in a site.
    pub async fn create_column(
        &self,
        actor: &str,
        site: &str,
        input: &ColumnInput,
    ) -> Result<Column, ContentError> {
        self.site(site).await?;
        let mut tx = self.write.begin().await?;
        let id = insert_column(&mut tx, site, input, None).await?;
        record(
            &mut tx,
            actor,
            "create",
            Some(site),
            ("column", &id.to_string()),
            &input.name,
        )
        .await?;
        self.emit_columns(&mut tx, site, Some(id)).await?;
        tx.commit().await?;
        self.announce();
        self.column_by_id(id).await
    }

    /// A site's columns, parents before children, by position.
    pub async fn columns(&self, site: &str) -> Result<Vec<Column>, ContentError> {
        let rows = sqlx::query("SELECT * FROM columns WHERE site_id = $1 ORDER BY position, id")
            .bind(site)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(column_from_row).collect()
    }

    /// A column by its slug.
    pub async fn column(&self, site: &str, slug: &str) -> Result<Column, ContentError> {
        let row = sqlx::query("SELECT * FROM columns WHERE site_id = $1 AND slug = $2")
            .bind(site)
            .bind(slug)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref()
            .map(column_from_row)
            .transpose()?
            .ok_or_else(|| ContentError::NotFound(format!("column `{slug}` in site `{site}`")))
    }

    /// A column by id.
    pub async fn column_by_id(&self, id: i64) -> Result<Column, ContentError> {
        let row = sqlx::query("SELECT * FROM columns WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref()
            .map(column_from_row)
            .transpose()?
            .ok_or_else(|| ContentError::NotFound(format!("column {id}")))
    }

    /// Saves a column template set: columns every site stamped with it gets.
    pub async fn put_template_set(
        &self,
        actor: &str,
        id: &str,
        name: &str,
        columns: &[ColumnInput],
    ) -> Result<(), ContentError> {
        check_slug("id", id)?;
        check_text("name", name, 100)?;
        if columns.is_empty() {
            return Err(ContentError::Invalid {
                field: "columns",
                message: "a template set needs at least one column".into(),
            });
        }
        for (i, c) in columns.iter().enumerate() {
            validate_column(c).map_err(|e| match e {
                ContentError::Invalid { field, message } => ContentError::Invalid {
                    field: "columns",
                    message: format!("column {}: {field}: {message}", i + 1),
                },
                other => other,
            })?;
        }
        let json = serde_json::to_string(columns).map_err(|e| ContentError::Invalid {
            field: "columns",
            message: e.to_string(),
        })?;
        let mut tx = self.write.begin().await?;
        sqlx::query("INSERT INTO column_template_sets (id, name, columns_json, updated_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, columns_json = excluded.columns_json, updated_ms = excluded.updated_ms")
            .bind(id)
            .bind(name)
            .bind(&json)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            "put",
            None,
            ("column-template-set", id),
            name,
        )
        .await?;
        self.emit_template_set(&mut tx, id).await?;
        tx.commit().await?;
        self.announce();
        Ok(())
    }

    /// Every column template set, by name, each with the sites using it.
    pub async fn template_sets(&self) -> Result<Vec<TemplateSet>, ContentError> {
        let rows = sqlx::query(
            "SELECT id, name, columns_json, updated_ms FROM column_template_sets ORDER BY name, id",
        )
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("id")?;
            let columns: Vec<ColumnInput> =
                serde_json::from_str(&r.try_get::<String, _>("columns_json")?).map_err(|e| {
                    ContentError::Conflict(format!("template set `{id}` is unreadable: {e}"))
                })?;
            let sites = sqlx::query(
                "SELECT DISTINCT site_id FROM columns WHERE template_set = $1 ORDER BY site_id",
            )
            .bind(&id)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|s| s.try_get::<String, _>("site_id"))
            .collect::<Result<Vec<_>, _>>()?;
            out.push(TemplateSet {
                name: r.try_get("name")?,
                updated_ms: r.try_get("updated_ms")?,
                id,
                columns,
                sites,
            });
        }
        Ok(out)
    }

    /// One column template set.
    pub async fn template_set(&self, id: &str) -> Result<TemplateSet, ContentError> {
        self.template_sets()
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| ContentError::NotFound(format!("column template set `{id}`")))
    }

    /// Stamps a template set onto a site: creates the set's columns the site lacks (by slug).
    /// Returns the columns created; stamping twice creates nothing the second time.
    pub async fn apply_template_set(
        &self,
        actor: &str,
        set: &str,
        site: &str,
    ) -> Result<Vec<Column>, ContentError> {
        self.site(site).await?;
        let row = sqlx::query("SELECT columns_json FROM column_template_sets WHERE id = $1")
            .bind(set)
            .fetch_optional(&self.read)
            .await?;
        let row =
            row.ok_or_else(|| ContentError::NotFound(format!("column template set `{set}`")))?;
        let columns: Vec<ColumnInput> =
            serde_json::from_str(&row.try_get::<String, _>("columns_json")?).map_err(|e| {
                ContentError::Conflict(format!("template set `{set}` is unreadable: {e}"))
            })?;
        let mut tx = self.write.begin().await?;
        let mut created = Vec::new();
        for c in &columns {
            let exists = sqlx::query("SELECT id FROM columns WHERE site_id = $1 AND slug = $2")
                .bind(site)
                .bind(&c.slug)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                created.push(insert_column(&mut tx, site, c, Some(set)).await?);
            }
        }
        record(
            &mut tx,
            actor,
            "apply",
            Some(site),
            ("column-template-set", set),
            &format!("{} columns created", created.len()),
        )
        .await?;
        for id in &created {
            self.emit_columns(&mut tx, site, Some(*id)).await?;
        }
        tx.commit().await?;
        self.announce();
        let mut out = Vec::with_capacity(created.len());
        for id in created {
            out.push(self.column_by_id(id).await?);
        }
        Ok(out)
    }
}

pub(crate) fn validate_column(input: &ColumnInput) -> Result<ColumnKind, ContentError> {
    check_slug("slug", &input.slug)?;
    check_text("name", &input.name, 50)?;
    if let Some(d) = input.update_interval_days
        && !(1..=3650).contains(&d)
    {
        return Err(ContentError::Invalid {
            field: "update_interval_days",
            message: "must be 1 to 3650".into(),
        });
    }
    ColumnKind::parse(&input.kind)
}

/// Columns one site may have.
pub const MAX_COLUMNS_PER_SITE: i64 = 1_000;
/// Columns one level may have: the top level (the navigation) or one column's children.
pub const MAX_COLUMNS_PER_LEVEL: i64 = 100;

async fn insert_column(
    conn: &mut sqlx::AnyConnection,
    site: &str,
    input: &ColumnInput,
    set: Option<&str>,
) -> Result<i64, ContentError> {
    let kind = validate_column(input)?;
    let parent = match &input.parent {
        Some(p) => {
            let row = sqlx::query("SELECT id FROM columns WHERE site_id = $1 AND slug = $2")
                .bind(site)
                .bind(p)
                .fetch_optional(&mut *conn)
                .await?;
            let row = row.ok_or_else(|| ContentError::Invalid {
                field: "parent",
                message: format!("no column `{p}` in site `{site}`"),
            })?;
            Some(row.try_get::<i64, _>("id")?)
        }
        None => None,
    };
    if sqlx::query("SELECT id FROM columns WHERE site_id = $1 AND slug = $2")
        .bind(site)
        .bind(&input.slug)
        .fetch_optional(&mut *conn)
        .await?
        .is_some()
    {
        return Err(ContentError::Conflict(format!(
            "column `{}` already exists in site `{site}`",
            input.slug
        )));
    }
    // Every page carries the top level as navigation and every column is a listing to
    // keep current: bounded, so no site can make every page huge.
    let (in_site, siblings): (i64, i64) = {
        let r = sqlx::query(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN (CAST($2 AS BIGINT) IS NULL AND parent_id IS NULL) OR parent_id = $2 THEN 1 ELSE 0 END), 0)
             FROM columns WHERE site_id = $1",
        )
        .bind(site)
        .bind(parent)
        .fetch_one(&mut *conn)
        .await?;
        (r.try_get(0)?, r.try_get(1)?)
    };
    if in_site >= MAX_COLUMNS_PER_SITE {
        return Err(ContentError::Invalid {
            field: "columns",
            message: format!("a site has at most {MAX_COLUMNS_PER_SITE} columns"),
        });
    }
    if siblings >= MAX_COLUMNS_PER_LEVEL {
        return Err(ContentError::Invalid {
            field: "parent",
            message: format!(
                "a column level (the top level, or the children of one column) has at most {MAX_COLUMNS_PER_LEVEL} columns"
            ),
        });
    }
    let row = sqlx::query(
        "INSERT INTO columns (site_id, parent_id, slug, name, kind, update_interval_days, position, template_set, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(site)
    .bind(parent)
    .bind(&input.slug)
    .bind(input.name.trim())
    .bind(kind.as_str())
    .bind(input.update_interval_days)
    .bind(input.position)
    .bind(set)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}
