//! Syndication for new-media channels and crawlers: per-site and per-column feeds, the sitemap.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use govnode_content::Published;
use govnode_content::feeds::{self, Channel, Item};

use super::pages::date;
use super::{PageError, PageRequest};

fn feed_response(kind: &str, ch: &Channel, items: &[Item]) -> Result<Response, PageError> {
    Ok(match kind {
        "rss" => (
            [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
            feeds::rss(ch, items),
        )
            .into_response(),
        "atom" => (
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            feeds::atom(ch, items),
        )
            .into_response(),
        "json" => (
            [(header::CONTENT_TYPE, "application/feed+json; charset=utf-8")],
            feeds::json_feed(ch, items).to_string(),
        )
            .into_response(),
        other => {
            return Err(PageError::NotFound(format!(
                "没有 {other} 格式的订阅（可选 rss、atom、json）"
            )));
        }
    })
}

fn items(req: &PageRequest, list: &[Published]) -> Vec<Item> {
    list.iter()
        .map(|p| Item {
            url: req.absolute(&format!("/articles/{}", p.id)),
            title: p.doc.title.clone(),
            summary: p.doc.summary.clone(),
            content_html: p.doc.body_html.clone(),
            author: p.doc.issuing_body.clone(),
            published_ms: p.published_ms,
            updated_ms: p.updated_ms,
        })
        .collect()
}

/// A site's feed.
pub async fn site_feed(req: &PageRequest, kind: &str) -> Result<Response, PageError> {
    let list = req.node.content.latest_published(&req.site.id, 20).await?;
    let ch = Channel {
        title: req.site.name.clone(),
        link: req.absolute("/"),
        self_url: req.absolute(&format!("/feed.{kind}")),
        description: format!("{}发布的最新信息", req.site.owner_body),
        updated_ms: list.iter().map(|p| p.updated_ms).max().unwrap_or(0),
    };
    feed_response(kind, &ch, &items(req, &list))
}

/// A column's feed.
pub async fn column_feed(req: &PageRequest, slug: &str, kind: &str) -> Result<Response, PageError> {
    let column = req.node.content.column(&req.site.id, slug).await?;
    if column.archived {
        return Err(PageError::Gone(format!("栏目「{}」已撤销", column.name)));
    }
    let (list, _) = req
        .node
        .content
        .published_in_column(column.id, 1, 20)
        .await?;
    let ch = Channel {
        title: format!("{} - {}", column.name, req.site.name),
        link: req.absolute(&format!("/columns/{slug}")),
        self_url: req.absolute(&format!("/columns/{slug}/feed.{kind}")),
        description: format!("{}「{}」栏目", req.site.name, column.name),
        updated_ms: list.iter().map(|p| p.updated_ms).max().unwrap_or(0),
    };
    feed_response(kind, &ch, &items(req, &list))
}

/// The sitemap (sitemaps.org; at most 50,000 URLs).
pub async fn sitemap(req: &PageRequest) -> Result<Response, PageError> {
    let esc = |s: String| crate::common::text::escape(&s);
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    x.push_str(&format!(
        "<url><loc>{}</loc></url>\n",
        esc(req.absolute("/"))
    ));
    let columns = req.node.content.columns(&req.site.id).await?;
    for c in columns.iter().filter(|c| !c.archived) {
        x.push_str(&format!(
            "<url><loc>{}</loc></url>\n",
            esc(req.absolute(&format!("/columns/{}", c.slug)))
        ));
    }
    for (id, updated) in req
        .node
        .content
        .sitemap(&req.site.id, 50_000 - 1 - columns.len() as i64)
        .await?
    {
        x.push_str(&format!(
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
            esc(req.absolute(&format!("/articles/{id}"))),
            date(updated)
        ));
    }
    x.push_str("</urlset>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        x,
    )
        .into_response())
}
