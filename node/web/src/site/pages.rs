//! Public pages: the contexts handed to the templates, feeds and the sitemap.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use govnode_content::{Column, Published};
use minijinja::Value;

use super::{PageError, PageRequest, html};

const PER_PAGE: i64 = 20;

pub(super) type Ctx = BTreeMap<&'static str, Value>;

pub(super) fn v<T: serde::Serialize>(x: T) -> Value {
    Value::from(minijinja::value::Serde(x))
}

pub(super) use govnode_topology::beijing::date;

pub(crate) use crate::common::text::url_encode as enc;

impl PageRequest {
    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub(super) fn absolute(&self, path: &str) -> String {
        format!("{}{}{}", self.origin, self.base, path)
    }

    pub(super) fn article_url(&self, id: i64) -> String {
        self.url(&format!("/articles/{id}"))
    }

    /// The context every page shares.
    pub(super) async fn common(
        &self,
        title: &str,
        current_column: Option<i64>,
        feeds: Vec<(String, &str, String)>,
        breadcrumbs: Vec<(String, String)>,
    ) -> Result<(Ctx, Vec<Column>), PageError> {
        // An archived column is out of the navigation and of every listing.
        let mut columns = self.node.content.columns(&self.site.id).await?;
        columns.retain(|c| !c.archived);
        let mut ctx = Ctx::new();
        let s = &self.site;
        ctx.insert(
            "site",
            v(serde_json::json!({
                "id": s.id, "name": s.name, "owner_body": s.owner_body, "region": s.region,
                "region_name": self.region_name(&s.region),
                "home_url": self.url("/"), "search_url": self.url("/search"), "sitemap_url": self.url("/sitemap.xml"),
                "feeds": { "rss": self.url("/feed.rss"), "atom": self.url("/feed.atom"), "json": self.url("/feed.json") },
                "footer": self.footer(),
            })),
        );
        let mut nav: Vec<_> = columns
            .iter()
            .filter(|c| c.parent.is_none())
            .map(|c| serde_json::json!({ "name": c.name, "url": self.url(&format!("/columns/{}", c.slug)), "current": Some(c.id) == current_column }))
            .collect();
        // Every site has its interaction pages (互动交流), whatever its columns.
        let here = self.path.split('?').next().unwrap_or("");
        for (name, page) in [
            ("互动交流", "/letters"),
            ("智能问答", "/qa"),
            ("征集调查", "/surveys"),
        ] {
            let url = self.url(page);
            nav.push(
                serde_json::json!({ "name": name, "current": here.starts_with(&url), "url": url }),
            );
        }
        ctx.insert("nav", v(nav));
        if self.node.content.is_replica(s) {
            let synced = replica_synced_ms(&self.node, &s.origin).await;
            ctx.insert(
                "replica",
                v(serde_json::json!({
                    "origin": s.origin,
                    "origin_name": self.node_name(&s.origin).unwrap_or_else(|| "其他节点".into()),
                    "served_by": self.node.node.name,
                    "synced": synced.map_or_else(|| "未知".to_string(), beijing_time),
                })),
            );
        }
        ctx.insert("elder", Value::from(self.elder));
        ctx.insert(
            "elder_toggle_url",
            Value::from(format!(
                "/elder?on={}&back={}",
                if self.elder { 0 } else { 1 },
                enc(&self.path)
            )),
        );
        ctx.insert("page_title", Value::from(title));
        ctx.insert(
            "canonical_url",
            Value::from(format!(
                "/sites/{}{}",
                s.id,
                self.path.strip_prefix(&self.base).unwrap_or(&self.path)
            )),
        );
        let mut alternates = vec![
            (
                format!("{} RSS", s.name),
                "application/rss+xml",
                self.url("/feed.rss"),
            ),
            (
                format!("{} Atom", s.name),
                "application/atom+xml",
                self.url("/feed.atom"),
            ),
            (
                format!("{} JSON Feed", s.name),
                "application/feed+json",
                self.url("/feed.json"),
            ),
        ];
        alternates.extend(feeds);
        ctx.insert(
            "feeds",
            v(alternates
                .iter()
                .map(|(t, ty, u)| serde_json::json!({ "title": t, "type": ty, "url": u }))
                .collect::<Vec<_>>()),
        );
        let mut crumbs = vec![("首页".to_string(), self.url("/"))];
        crumbs.extend(breadcrumbs);
        ctx.insert(
            "breadcrumbs",
            v(if crumbs.len() > 1 {
                crumbs
                    .iter()
                    .map(|(n, u)| serde_json::json!({ "name": n, "url": u }))
                    .collect()
            } else {
                Vec::new()
            }),
        );
        Ok((ctx, columns))
    }

    /// The name of node (region) `code`, if this node knows one.
    pub(super) fn node_name(&self, code: &str) -> Option<String> {
        crate::common::places::node_name(&self.node, code)
    }

    /// A region's full name from the province down (广东省广州市天河区); None when this
    /// node knows no name for it, so a page never shows the bare code.
    pub(super) fn region_name(&self, code: &str) -> Option<String> {
        crate::common::places::region_name(&self.node, code)
    }

    /// The footer items of the site with their national links (only those set).
    fn footer(&self) -> serde_json::Value {
        let f = self.site.footer.trimmed();
        let set = |s: &str| (!s.is_empty()).then(|| s.to_string());
        // The page without its query: what a citizen searched for is not passed on.
        let here = self.path.split('?').next().unwrap_or("/");
        let page = format!("{}{here}", self.origin);
        serde_json::json!({
            "site_code": set(&f.site_code),
            "icp_record": set(&f.icp_record),
            "icp_url": set(&f.icp_record).map(|_| govnode_content::footer::ICP_LOOKUP_URL),
            "police_record": set(&f.police_record),
            "police_url": f.police_url(),
            "conac_url": f.conac_url(),
            "undertaker": set(&f.undertaker),
            "phone": set(&f.phone),
            "address": set(&f.address),
            "email": set(&f.email),
            "error_report_url": f.error_report_url(&enc(&page)),
        })
    }

    pub(super) fn render(
        &self,
        status: StatusCode,
        name: &str,
        ctx: Ctx,
    ) -> Result<Response, PageError> {
        let body = self
            .node
            .renderer
            .render(Some(&self.site.id), name, &Value::from(ctx))
            .map_err(|e| PageError::Internal(e.to_string()))?;
        Ok(html(status, body))
    }

    pub(super) fn list_item(&self, p: &Published) -> serde_json::Value {
        serde_json::json!({
            "title": p.doc.title, "url": self.article_url(p.id), "published": p.doc.date.clone(),
            "summary": p.doc.summary, "doc_number": p.doc.doc_number,
        })
    }
}

/// `GET /static/gov-mark.svg`: the image of the footer's 党政机关 badge.
pub(super) async fn gov_mark() -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        govnode_content::footer::GOV_MARK_SVG,
    )
        .into_response()
}

pub(super) use crate::common::paging::pagination;

pub(super) fn page_param(req: &PageRequest) -> i64 {
    req.query
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1)
}

/// Site home: the newest documents, then the latest per column.
pub async fn home(req: &PageRequest) -> Result<Response, PageError> {
    let (mut ctx, columns) = req
        .common(&req.site.name, None, Vec::new(), Vec::new())
        .await?;
    let latest = req.node.content.latest_published(&req.site.id, 8).await?;
    ctx.insert(
        "latest",
        v(latest.iter().map(|p| req.list_item(p)).collect::<Vec<_>>()),
    );
    let mut sections = Vec::new();
    for c in columns.iter().filter(|c| c.parent.is_none()) {
        let (items, _) = req.node.content.published_in_column(c.id, 1, 6).await?;
        sections.push(serde_json::json!({
            "column": { "name": c.name, "url": req.url(&format!("/columns/{}", c.slug)), "kind_label": c.kind.label() },
            "articles": items.iter().map(|p| req.list_item(p)).collect::<Vec<_>>(),
        }));
    }
    ctx.insert("sections", v(sections));
    req.render(StatusCode::OK, "home.html", ctx)
}

/// A column's list page.
pub async fn column(req: &PageRequest, slug: &str) -> Result<Response, PageError> {
    let column = req.node.content.column(&req.site.id, slug).await?;
    if column.archived {
        return Err(PageError::Gone(format!("栏目「{}」已撤销", column.name)));
    }
    let curl = req.url(&format!("/columns/{slug}"));
    let feeds = vec![
        (
            format!("{} RSS", column.name),
            "application/rss+xml",
            format!("{curl}/feed.rss"),
        ),
        (
            format!("{} Atom", column.name),
            "application/atom+xml",
            format!("{curl}/feed.atom"),
        ),
        (
            format!("{} JSON Feed", column.name),
            "application/feed+json",
            format!("{curl}/feed.json"),
        ),
    ];
    let (mut ctx, columns) = req
        .common(
            &column.name,
            Some(column.parent.unwrap_or(column.id)),
            feeds,
            vec![(column.name.clone(), curl.clone())],
        )
        .await?;
    let page = page_param(req);
    let (items, total) = req
        .node
        .content
        .published_in_column(column.id, page, PER_PAGE)
        .await?;
    ctx.insert(
        "column",
        v(serde_json::json!({ "name": column.name, "url": curl, "kind": column.kind.as_str(), "kind_label": column.kind.label(), "update_interval_days": column.update_interval_days })),
    );
    let children: Vec<_> = columns
        .iter()
        .filter(|c| c.parent == Some(column.id))
        .map(|c| serde_json::json!({ "name": c.name, "url": req.url(&format!("/columns/{}", c.slug)) }))
        .collect();
    ctx.insert("children", v(children));
    ctx.insert(
        "articles",
        v(items.iter().map(|p| req.list_item(p)).collect::<Vec<_>>()),
    );
    ctx.insert(
        "pagination",
        pagination(page, total, PER_PAGE, |n| format!("{curl}?page={n}")),
    );
    ctx.insert("column_feeds", v(serde_json::json!({ "rss": format!("{curl}/feed.rss"), "atom": format!("{curl}/feed.atom"), "json": format!("{curl}/feed.json") })));
    req.render(StatusCode::OK, "column.html", ctx)
        .map(|r| super::visits::in_column(r, slug))
}

fn size_label(bytes: i64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KB", b as f64 / (1 << 10) as f64),
        b => format!("{b} B"),
    }
}

fn validity(from: &str, to: &str) -> &'static str {
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    match (from.is_empty(), to.is_empty()) {
        (true, true) => "",
        _ if !from.is_empty() && today.as_str() < from => "尚未生效",
        _ if !to.is_empty() && today.as_str() > to => "失效",
        _ => "有效",
    }
}

/// An article page (410 with the reason once withdrawn).
pub async fn article(req: &PageRequest, id: i64) -> Result<Response, PageError> {
    let p = req
        .node
        .content
        .published(&req.site.id, id)
        .await?
        .ok_or_else(|| PageError::NotFound(format!("没有编号为 {id} 的文章")))?;
    if let Some((reason, at)) = &p.withdrawn {
        let (mut ctx, _) = req
            .common(&p.doc.title, None, Vec::new(), Vec::new())
            .await?;
        ctx.insert("title", Value::from(p.doc.title.clone()));
        ctx.insert("reason", Value::from(reason.clone()));
        ctx.insert("withdrawn_at", Value::from(date(*at)));
        return req.render(StatusCode::GONE, "gone.html", ctx);
    }
    article_page(req, &p).await
}

/// Renders document `p` as its article page: the public page, and the console's preview
/// of a draft or revision (the same renderer, templates and context).
pub(crate) async fn article_page(req: &PageRequest, p: &Published) -> Result<Response, PageError> {
    let id = p.id;
    let column = req.node.content.column_by_id(p.column_id).await?;
    let curl = req.url(&format!("/columns/{}", column.slug));
    let (mut ctx, _) = req
        .common(
            &p.doc.title,
            Some(column.parent.unwrap_or(column.id)),
            Vec::new(),
            vec![
                (column.name.clone(), curl.clone()),
                (p.doc.title.clone(), req.article_url(id)),
            ],
        )
        .await?;
    let d = &p.doc;
    let doc_type = govnode_library::doc_type(&d.doc_type);
    let parent = match p.parent_id {
        Some(pid) => req
            .node
            .content
            .published_title(&p.site, pid)
            .await?
            .map(|t| serde_json::json!({ "title": t, "url": req.article_url(pid) })),
        None => None,
    };
    let children = req.node.content.published_children(&p.site, id).await?;
    let mut article = BTreeMap::<&str, Value>::new();
    article.insert("body_html", Value::from_safe_string(d.body_html.clone()));
    for (k, val) in [
        ("title", &d.title),
        ("subtitle", &d.subtitle),
        ("summary", &d.summary),
        ("author", &d.author),
        ("issuing_body", &d.issuing_body),
        ("doc_number", &d.doc_number),
        ("published", &d.date),
        ("valid_from", &d.valid_from),
        ("valid_to", &d.valid_to),
        ("index_number", &p.index_number),
    ] {
        article.insert(k, Value::from(val.clone()));
    }
    article.insert("theme", Value::from(govnode_library::theme_label(&d.theme)));
    article.insert(
        "doc_type_label",
        Value::from(doc_type.map(|t| t.label).unwrap_or("")),
    );
    article.insert(
        "is_policy",
        Value::from(doc_type.is_some_and(|t| t.is_policy)),
    );
    article.insert(
        "validity_label",
        Value::from(validity(&d.valid_from, &d.valid_to)),
    );
    article.insert("tags", v(&d.tags));
    article.insert(
        "attachments",
        v(d.attachments.iter().map(|a| serde_json::json!({ "name": a.name, "url": format!("/blobs/{}", a.hash), "size_label": size_label(a.size), "mime": a.mime })).collect::<Vec<_>>()),
    );
    article.insert("parent", v(parent));
    article.insert(
        "children",
        v(children
            .iter()
            .map(|c| serde_json::json!({ "title": c.title, "url": req.article_url(c.id) }))
            .collect::<Vec<_>>()),
    );
    article.insert("revision", Value::from(p.revision));
    article.insert("updated", Value::from(beijing_time(p.updated_ms)));
    ctx.insert("article", Value::from(article));
    ctx.insert("column", v(serde_json::json!({ "name": column.name, "url": curl, "kind_label": column.kind.label() })));
    let mut page = req.render(StatusCode::OK, "article.html", ctx)?;
    // When the document last changed, for crawlers and inspection tools; revalidation goes
    // by the ETag, which also covers the navigation and templates around it.
    if let Some(at) = chrono::DateTime::from_timestamp_millis(p.updated_ms)
        && let Ok(value) =
            axum::http::HeaderValue::from_str(&at.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        page.headers_mut()
            .insert(axum::http::header::LAST_MODIFIED, value);
    }
    Ok(super::visits::in_column(page, &column.slug))
}

use govnode_topology::beijing::minute as beijing_time;

/// When this node's copy of `origin`'s log last moved (unix ms).
async fn replica_synced_ms(node: &crate::AppState, origin: &str) -> Option<i64> {
    let heads = node.federation.heads().await.ok()?;
    heads
        .into_iter()
        .find(|h| h.origin.as_str() == origin)
        .map(|h| govnode_federation::millis_of(h.hlc))
}
