//! Turning author input into safe HTML, and HTML into plain text for search and summaries.

use std::sync::LazyLock;

/// Markdown or HTML, as an author submits a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BodyFormat {
    /// CommonMark.
    #[default]
    Markdown,
    /// HTML (sanitised).
    Html,
}

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    // Government documents use tables and figures; keep them, drop anything active.
    b.add_tags(["figure", "figcaption", "caption"]);
    b.add_tag_attributes("td", ["colspan", "rowspan"]);
    b.add_tag_attributes("th", ["colspan", "rowspan", "scope"]);
    b.link_rel(Some("noopener noreferrer"));
    b
});

/// Renders a body to sanitised HTML.
pub fn body_to_html(body: &str, format: BodyFormat) -> String {
    match format {
        BodyFormat::Markdown => {
            let parser =
                pulldown_cmark::Parser::new_ext(body, pulldown_cmark::Options::ENABLE_TABLES);
            let mut html = String::with_capacity(body.len() * 3 / 2);
            pulldown_cmark::html::push_html(&mut html, parser);
            CLEANER.clean(&html).to_string()
        }
        BodyFormat::Html => CLEANER.clean(body).to_string(),
    }
}

/// Cleans HTML that is already meant to be safe (a body rendered elsewhere, e.g. by the
/// node a replicated article comes from) with the same cleaner as local publication: what
/// another node sends is never trusted to have been sanitised.
pub fn clean_html(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

/// Strips tags and decodes the common entities, keeping paragraph breaks as newlines.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag
                    .trim_start_matches('/')
                    .split([' ', '/'])
                    .next()
                    .unwrap_or("");
                if matches!(
                    name,
                    "p" | "br" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr" | "div"
                ) && !out.ends_with('\n')
                {
                    out.push('\n');
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// The first `max` characters of plain text, on one line, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut s: String = flat.chars().take(max).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_are_removed() {
        let html = body_to_html(
            "<p onclick=\"x()\">通知</p><script>alert(1)</script><a href=\"javascript:x\">链接</a>",
            BodyFormat::Html,
        );
        assert!(html.contains("<p>通知</p>"), "{html}");
        assert!(
            !html.contains("script") && !html.contains("onclick") && !html.contains("javascript"),
            "{html}"
        );
    }

    #[test]
    fn received_html_is_cleaned_like_local_bodies() {
        let raw = "<h2>第一章</h2><p>正文</p><script>alert(1)</script><img src=\"x\" onerror=\"alert(2)\">\
                   <a href=\"javascript:alert(3)\">链接</a><iframe src=\"https://evil.example\"></iframe>";
        let clean = clean_html(raw);
        assert!(clean.contains("<h2>第一章</h2><p>正文</p>"), "{clean}");
        for bad in ["script", "onerror", "javascript", "iframe", "alert"] {
            assert!(!clean.contains(bad), "{bad} in {clean}");
        }
        // What local publication produced comes through unchanged.
        let local = body_to_html(
            "## 标题\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
            BodyFormat::Markdown,
        );
        assert_eq!(clean_html(&local), local);
    }

    #[test]
    fn markdown_renders_headings_and_tables() {
        let html = body_to_html(
            "## 第一章 总则\n\n第一条 为了规范……\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
            BodyFormat::Markdown,
        );
        assert!(html.contains("<h2>第一章 总则</h2>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        let raw = body_to_html("<img src=x onerror=alert(1)>", BodyFormat::Markdown);
        assert!(!raw.contains("onerror"), "{raw}");
    }

    #[test]
    fn text_and_excerpts() {
        let t = html_to_text("<h2>第一章</h2><p>第一条 A &amp; B</p>");
        assert_eq!(t, "第一章\n第一条 A & B");
        assert_eq!(excerpt("一二三四五", 3), "一二三…");
        assert_eq!(excerpt("一 二", 10), "一 二");
    }
}
