//! Syndication feeds for new-media channels: RSS 2.0, Atom 1.0 and JSON Feed 1.1.

use govnode_topology::markup::escape as esc;
use serde_json::json;

/// The feed's channel: a site or a column.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Title.
    pub title: String,
    /// Absolute URL of the HTML page.
    pub link: String,
    /// Absolute URL of this feed.
    pub self_url: String,
    /// Description.
    pub description: String,
    /// Newest update (unix ms).
    pub updated_ms: i64,
}

/// One entry.
#[derive(Debug, Clone)]
pub struct Item {
    /// Absolute URL (also the entry id).
    pub url: String,
    /// Title.
    pub title: String,
    /// Plain-text summary.
    pub summary: String,
    /// Sanitised HTML content.
    pub content_html: String,
    /// Author or issuing body.
    pub author: String,
    /// First publication (unix ms).
    pub published_ms: i64,
    /// Last update (unix ms).
    pub updated_ms: i64,
}

fn time(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// RSS 2.0.
pub fn rss(ch: &Channel, items: &[Item]) -> String {
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n\
         <title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>zh-CN</language>\n\
         <lastBuildDate>{}</lastBuildDate>\n<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        esc(&ch.title),
        esc(&ch.link),
        esc(&ch.description),
        time(ch.updated_ms).to_rfc2822(),
        esc(&ch.self_url)
    );
    for i in items {
        x.push_str(&format!(
            "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"true\">{}</guid>\n<pubDate>{}</pubDate>\n<description>{}</description>\n</item>\n",
            esc(&i.title),
            esc(&i.url),
            esc(&i.url),
            time(i.published_ms).to_rfc2822(),
            esc(&i.summary)
        ));
    }
    x.push_str("</channel>\n</rss>\n");
    x
}

/// Atom 1.0.
pub fn atom(ch: &Channel, items: &[Item]) -> String {
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n\
         <title>{}</title>\n<subtitle>{}</subtitle>\n<id>{}</id>\n<link href=\"{}\"/>\n<link rel=\"self\" href=\"{}\"/>\n<updated>{}</updated>\n",
        esc(&ch.title),
        esc(&ch.description),
        esc(&ch.self_url),
        esc(&ch.link),
        esc(&ch.self_url),
        time(ch.updated_ms).to_rfc3339()
    );
    for i in items {
        x.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link href=\"{}\"/>\n<published>{}</published>\n<updated>{}</updated>\n\
             <author><name>{}</name></author>\n<summary>{}</summary>\n<content type=\"html\">{}</content>\n</entry>\n",
            esc(&i.title),
            esc(&i.url),
            esc(&i.url),
            time(i.published_ms).to_rfc3339(),
            time(i.updated_ms).to_rfc3339(),
            esc(if i.author.is_empty() { &ch.title } else { &i.author }),
            esc(&i.summary),
            esc(&i.content_html)
        ));
    }
    x.push_str("</feed>\n");
    x
}

/// JSON Feed 1.1.
pub fn json_feed(ch: &Channel, items: &[Item]) -> serde_json::Value {
    json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": ch.title,
        "home_page_url": ch.link,
        "feed_url": ch.self_url,
        "description": ch.description,
        "language": "zh-CN",
        "items": items.iter().map(|i| json!({
            "id": i.url,
            "url": i.url,
            "title": i.title,
            "summary": i.summary,
            "content_html": i.content_html,
            "date_published": time(i.published_ms).to_rfc3339(),
            "date_modified": time(i.updated_ms).to_rfc3339(),
            "authors": if i.author.is_empty() { vec![] } else { vec![json!({"name": i.author})] },
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Channel, Vec<Item>) {
        let ch = Channel {
            title: "广东省人民政府 <通知>".into(),
            link: "http://gd.example/".into(),
            self_url: "http://gd.example/feed.rss".into(),
            description: "d".into(),
            updated_ms: 1_700_000_000_000,
        };
        let it = Item {
            url: "http://gd.example/articles/1".into(),
            title: "关于A & B的通知".into(),
            summary: "摘要".into(),
            content_html: "<p>正文</p>".into(),
            author: String::new(),
            published_ms: 1_700_000_000_000,
            updated_ms: 1_700_000_000_000,
        };
        (ch, vec![it])
    }

    #[test]
    fn rss_and_atom_escape_and_date() {
        let (ch, items) = sample();
        let r = rss(&ch, &items);
        assert!(r.contains("<title>关于A &amp; B的通知</title>"), "{r}");
        assert!(r.contains("&lt;通知&gt;"));
        assert!(
            r.contains("<pubDate>Tue, 14 Nov 2023 22:13:20 +0000</pubDate>"),
            "{r}"
        );
        let a = atom(&ch, &items);
        assert!(
            a.contains("<content type=\"html\">&lt;p&gt;正文&lt;/p&gt;</content>"),
            "{a}"
        );
        assert!(a.contains("<updated>2023-11-14T22:13:20+00:00</updated>"));
    }

    #[test]
    fn json_feed_shape() {
        let (ch, items) = sample();
        let j = json_feed(&ch, &items);
        assert_eq!(j["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(j["items"][0]["id"], "http://gd.example/articles/1");
        assert_eq!(j["items"][0]["content_html"], "<p>正文</p>");
    }
}
