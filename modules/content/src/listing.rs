//! Finding articles for the staff console's 信息管理: across the sites (and, for a
//! column-limited editor, the columns) a person may see, by site, column, state and words
//! of the title, newest change first, a page at a time with the total.

use serde::Serialize;
use sqlx::Row;

use crate::articles::parse_doc;
use crate::workflow::State;
use crate::{Content, ContentError};

/// Where a person may look: one site, all its columns or only some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteScope {
    /// The site id.
    pub site: String,
    /// `None`: every column; else these column slugs only.
    pub columns: Option<Vec<String>>,
}

/// Which articles.
#[derive(Debug, Clone, Default)]
pub struct ArticleSearch {
    /// `None`: every site of the node; else only within these scopes (empty: nothing).
    pub scopes: Option<Vec<SiteScope>>,
    /// Only this site.
    pub site: Option<String>,
    /// Only this column slug (with `site`).
    pub column: Option<String>,
    /// Only in this state.
    pub state: Option<State>,
    /// Words that must all occur in the title.
    pub words: Vec<String>,
    /// Page size (1–200).
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

/// One row of the list.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleSummary {
    /// Article id.
    pub id: i64,
    /// Site id.
    pub site: String,
    /// Column slug.
    pub column: String,
    /// Column name.
    pub column_name: String,
    /// Workflow state.
    pub state: State,
    /// Title of the working revision.
    pub title: String,
    /// Author shown on the page (may be empty).
    pub author: String,
    /// Who created the article.
    pub created_by: String,
    /// Last change (unix ms).
    pub updated_ms: i64,
}

/// A page of rows and how many match in all.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleListing {
    /// The page's rows.
    pub rows: Vec<ArticleSummary>,
    /// Every matching article.
    pub total: i64,
}

/// A LIKE pattern matching `word` inside the title of a stored document: the title is the
/// first field of the document's JSON, and `","subtitle":` can occur only where the title
/// ends (quotes inside values are escaped), so the word is looked for before it.
fn title_pattern(word: &str) -> String {
    let json = serde_json::to_string(word).unwrap_or_default();
    let inner = json
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or("");
    let mut escaped = String::with_capacity(inner.len());
    for c in inner.chars() {
        if matches!(c, '%' | '_' | '!') {
            escaped.push('!');
        }
        escaped.push(c);
    }
    format!("{{\"title\":\"%{escaped}%\",\"subtitle\":%")
}

impl Content {
    /// Articles matching `q`, newest change first.
    pub async fn search_articles(&self, q: &ArticleSearch) -> Result<ArticleListing, ContentError> {
        let mut sql = String::from(
            " FROM articles a JOIN columns c ON c.id = a.column_id \
             JOIN revisions r ON r.article_id = a.id AND r.revision = a.revision WHERE 1 = 1",
        );
        let mut binds: Vec<String> = Vec::new();
        let param = |binds: &mut Vec<String>, v: &str| {
            binds.push(v.to_string());
            format!("${}", binds.len())
        };
        if let Some(scopes) = &q.scopes {
            if scopes.is_empty() {
                return Ok(ArticleListing {
                    rows: Vec::new(),
                    total: 0,
                });
            }
            let mut alternatives = Vec::new();
            for s in scopes {
                let site = param(&mut binds, &s.site);
                match &s.columns {
                    None => alternatives.push(format!("a.site_id = {site}")),
                    Some(cols) if cols.is_empty() => {}
                    Some(cols) => {
                        let list: Vec<String> = cols.iter().map(|c| param(&mut binds, c)).collect();
                        alternatives.push(format!(
                            "(a.site_id = {site} AND c.slug IN ({}))",
                            list.join(", ")
                        ));
                    }
                }
            }
            if alternatives.is_empty() {
                return Ok(ArticleListing {
                    rows: Vec::new(),
                    total: 0,
                });
            }
            sql.push_str(&format!(" AND ({})", alternatives.join(" OR ")));
        }
        if let Some(site) = &q.site {
            sql.push_str(&format!(" AND a.site_id = {}", param(&mut binds, site)));
        }
        if let Some(column) = &q.column {
            sql.push_str(&format!(" AND c.slug = {}", param(&mut binds, column)));
        }
        if let Some(state) = q.state {
            sql.push_str(&format!(
                " AND a.state = {}",
                param(&mut binds, state.as_str())
            ));
        }
        for w in q.words.iter().filter(|w| !w.trim().is_empty()).take(8) {
            let p = param(&mut binds, &title_pattern(w.trim()));
            sql.push_str(&format!(" AND r.doc_json LIKE {p} ESCAPE '!'"));
        }
        let count_sql = format!("SELECT COUNT(*) AS n{sql}");
        let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total: i64 = count.fetch_one(&self.read).await?.try_get("n")?;
        let list_sql = format!(
            "SELECT a.id, a.site_id, c.slug, c.name, a.state, a.created_by, a.updated_ms, r.doc_json{sql} \
             ORDER BY a.updated_ms DESC, a.id DESC LIMIT {} OFFSET {}",
            q.limit.clamp(1, 200),
            q.offset.max(0)
        );
        let mut list = sqlx::query(sqlx::AssertSqlSafe(list_sql));
        for b in &binds {
            list = list.bind(b.clone());
        }
        let rows = list.fetch_all(&self.read).await?;
        let rows = rows
            .iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let state: String = r.try_get("state")?;
                let doc = parse_doc(&r.try_get::<String, _>("doc_json")?)?;
                Ok(ArticleSummary {
                    id,
                    site: r.try_get("site_id")?,
                    column: r.try_get("slug")?,
                    column_name: r.try_get("name")?,
                    state: State::parse(&state).ok_or_else(|| {
                        ContentError::Conflict(format!("article {id} has unknown state {state}"))
                    })?,
                    title: doc.title,
                    author: doc.author,
                    created_by: r.try_get("created_by")?,
                    updated_ms: r.try_get("updated_ms")?,
                })
            })
            .collect::<Result<Vec<_>, ContentError>>()?;
        Ok(ArticleListing { rows, total })
    }
}

#[cfg(test)]
mod tests {
    use super::title_pattern;

    #[test]
    fn title_patterns_escape_like_and_json() {
        assert_eq!(
            title_pattern("100%_通知"),
            "{\"title\":\"%100!%!_通知%\",\"subtitle\":%"
        );
        assert_eq!(
            title_pattern("a\"b"),
            "{\"title\":\"%a\\\"b%\",\"subtitle\":%"
        );
    }
}
