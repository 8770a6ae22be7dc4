//! A site's page that shows a given template, on the site's real content: what the
//! console's template preview renders with an unsaved template. Pages that need a visitor's
//! state show a representative case (a search for a word of the newest title, a missing
//! page, a withdrawn article, the maintenance notice, the letters form, the newest survey).

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::Value;

use super::{PageError, PageRequest, fallback, letters, pages, qa, search, surveys};

/// The page of `req.site` that uses template `name` (the home page for the layout and any
/// template no page names).
pub(crate) async fn page_using(req: &PageRequest, name: &str) -> Result<Response, PageError> {
    let content = &req.node.content;
    match name {
        "column.html" => {
            let columns = content.columns(&req.site.id).await?;
            match columns.into_iter().find(|c| !c.archived) {
                Some(c) => pages::column(req, &c.slug).await,
                None => pages::home(req).await,
            }
        }
        "article.html" => match newest(req).await? {
            Some((id, _)) => pages::article(req, id).await,
            None => pages::home(req).await,
        },
        "search.html" => {
            let mut req = req.clone();
            let word = newest(&req).await?.map_or_else(
                || "政务公开".to_string(),
                |(_, title)| title.chars().take(4).collect(),
            );
            req.query.insert("q".into(), word);
            search::search(&req).await
        }
        "error.html" => Ok(fallback::error_page(req, PageError::NotFound(String::new())).await),
        "gone.html" => {
            let title = "（示例）已撤下的信息";
            let (mut ctx, _) = req.common(title, None, Vec::new(), Vec::new()).await?;
            ctx.insert("title", Value::from(title));
            ctx.insert("reason", Value::from("（示例）该信息已被撤下"));
            ctx.insert(
                "withdrawn_at",
                Value::from(govnode_topology::beijing::date(govnode_federation::now_ms())),
            );
            req.render(StatusCode::GONE, "gone.html", ctx)
        }
        "maintenance.html" => {
            let mut req = req.clone();
            if req.site.shutdown_message.is_empty() {
                req.site.shutdown_message = "（示例）网站正在进行系统维护，请稍后访问。".into();
            }
            Ok(fallback::maintenance(&req).await)
        }
        "letters.html" | "letter_sent.html" | "letter_track.html" => letters::letters(req).await,
        "qa.html" => qa::qa(req).await,
        "survey_list.html" => surveys::list(req).await,
        "survey.html" => surveys::newest(req).await,
        _ => pages::home(req).await,
    }
}

/// The site's newest published article: id and title.
async fn newest(req: &PageRequest) -> Result<Option<(i64, String)>, PageError> {
    let latest = req.node.content.latest_published(&req.site.id, 1).await?;
    Ok(latest.first().map(|p| (p.id, p.doc.title.clone())))
}
