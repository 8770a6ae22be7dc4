//! Page links for lists shown in pages (search results, column listings).

use minijinja::Value;

/// The pagination block a list page's template shows: up to nine page links around the
/// current one, previous and next.
pub fn pagination(page: i64, total: i64, per_page: i64, url: impl Fn(i64) -> String) -> Value {
    let pages = ((total + per_page - 1) / per_page).max(1);
    let page = page.clamp(1, pages);
    let lo = (page - 4).max(1);
    let hi = (lo + 8).min(pages);
    let links: Vec<_> = (lo..=hi)
        .map(|n| serde_json::json!({ "n": n, "url": url(n), "current": n == page }))
        .collect();
    Value::from(minijinja::value::Serde(serde_json::json!({
        "page": page, "pages": pages, "total": total, "links": links,
        "prev_url": (page > 1).then(|| url(page - 1)), "next_url": (page < pages).then(|| url(page + 1)),
    })))
}
