//! Links in a page's HTML, found with html5ever's tokenizer (the spec's own attribute and
//! entity rules, no tree built): `a href`, `img src`, `link href`, `iframe src` and the like.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, StartTag, TagToken, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// What kind of reference a link is, as staff read it in a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// `<a href>`.
    Anchor,
    /// `<img src>`, `<source src>`.
    Image,
    /// `<link href>` (stylesheets, icons).
    Resource,
    /// `<iframe src>`, `<embed src>`, `<object data>`.
    Frame,
    /// `<video>`/`<audio>` sources.
    Media,
    /// An article's attachment.
    Attachment,
}

impl LinkKind {
    /// As a finding names it.
    pub fn label(self) -> &'static str {
        match self {
            LinkKind::Anchor => "链接",
            LinkKind::Image => "图片",
            LinkKind::Resource => "引用资源",
            LinkKind::Frame => "嵌入页面",
            LinkKind::Media => "音视频",
            LinkKind::Attachment => "附件",
        }
    }
}

/// One reference found in a page, as written (entities decoded, white space trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The attribute's value.
    pub href: String,
    /// What references it.
    pub kind: LinkKind,
}

/// The links of `html` a visitor's browser would follow or load, in document order;
/// fragments, `mailto:`, `tel:`, `javascript:` and `data:` references are left out.
pub fn extract_links(html: &str) -> Vec<Link> {
    let sink = Sink(RefCell::new(Vec::new()));
    let tok = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tok.feed(&input);
    tok.end();
    tok.sink.0.into_inner()
}

struct Sink(RefCell<Vec<Link>>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let TagToken(tag) = token
            && tag.kind == StartTag
        {
            let (attr, kind) = match &*tag.name {
                "a" | "area" => ("href", LinkKind::Anchor),
                "img" => ("src", LinkKind::Image),
                "link" => ("href", LinkKind::Resource),
                "iframe" | "frame" | "embed" => ("src", LinkKind::Frame),
                "object" => ("data", LinkKind::Frame),
                "video" | "audio" | "source" | "track" => ("src", LinkKind::Media),
                // Their text is not markup (the tree builder would switch the same way).
                "script" => return TokenSinkResult::RawData(RawKind::ScriptData),
                "style" | "xmp" | "noembed" | "noframes" => {
                    return TokenSinkResult::RawData(RawKind::Rawtext);
                }
                "textarea" | "title" => return TokenSinkResult::RawData(RawKind::Rcdata),
                _ => return TokenSinkResult::Continue,
            };
            if let Some(a) = tag.attrs.iter().find(|a| &*a.name.local == attr) {
                let href = a.value.trim();
                if checkable(href) {
                    self.0.borrow_mut().push(Link {
                        href: href.to_string(),
                        kind,
                    });
                }
            }
        }
        TokenSinkResult::Continue
    }
}

/// Whether a reference is one a link check can answer for.
fn checkable(href: &str) -> bool {
    if href.is_empty() || href.starts_with('#') {
        return false;
    }
    let lower = href.get(..11).unwrap_or(href).to_ascii_lowercase();
    !["mailto:", "tel:", "javascript:", "data:", "sms:", "about:"]
        .iter()
        .any(|s| lower.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_kind_of_reference() {
        let html = r#"<p>见<a href="/sites/gz/articles/9">通知</a>和
            <a HREF=' https://www.gov.cn/zhengce/ '>国务院</a>
            <img src="/blobs/abc" alt="图"><link rel=stylesheet href="s.css">
            <iframe src="https://map.example/embed"></iframe>
            <a href="https://a.example/?x=1&amp;y=2">x</a>
            <video src="v.mp4"></video><object data="doc.pdf"></object></p>"#;
        let links = extract_links(html);
        let hrefs: Vec<_> = links.iter().map(|l| (l.href.as_str(), l.kind)).collect();
        assert_eq!(
            hrefs,
            vec![
                ("/sites/gz/articles/9", LinkKind::Anchor),
                ("https://www.gov.cn/zhengce/", LinkKind::Anchor),
                ("/blobs/abc", LinkKind::Image),
                ("s.css", LinkKind::Resource),
                ("https://map.example/embed", LinkKind::Frame),
                ("https://a.example/?x=1&y=2", LinkKind::Anchor),
                ("v.mp4", LinkKind::Media),
                ("doc.pdf", LinkKind::Frame),
            ]
        );
    }

    #[test]
    fn leaves_out_what_cannot_be_checked() {
        let html = r##"<a href="#top">顶部</a><a href="mailto:a@b.cn">信</a>
            <a href="tel:12345">电话</a><a href="JavaScript:void(0)">x</a>
            <img src="data:image/png;base64,AAAA"><a>无链接</a><a href="">空</a>
            <!-- <a href="/in-comment"> --><script>var a = '<a href="/in-script">';</script>"##;
        assert_eq!(extract_links(html), vec![]);
    }

    #[test]
    fn tolerates_broken_markup() {
        let links = extract_links("<a href=/x.html><img src=\"/y.png\"<p>未闭合 <a href='/z");
        assert_eq!(links.first().map(|l| l.href.as_str()), Some("/x.html"));
    }
}
