//! Dark links (暗链): links a visitor cannot see but a crawler follows, the usual way a
//! hacked government site is made to sell gambling or worse. One pass of the html5ever
//! tokenizer keeps a stack of open elements with whether each hides what it holds and its
//! colours; a link inside (or itself) hidden is reported with why.

use std::cell::RefCell;
use std::collections::HashSet;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, EndTag, StartTag, Tag, TagToken, Token, TokenSink, TokenSinkResult, Tokenizer,
    TokenizerOpts,
};
use serde::Serialize;

/// A hidden link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DarkLink {
    /// Where it points.
    pub href: String,
    /// Its text (trimmed, at most 50 characters).
    pub text: String,
    /// How it is hidden, in Chinese.
    pub how: String,
}

/// The hidden links of `html` (a body or a template).
pub fn dark_links(html: &str) -> Vec<DarkLink> {
    let sink = Sink::default();
    let tok = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tok.feed(&input);
    tok.end();
    tok.sink.state.borrow_mut().found.split_off(0)
}

const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

struct Open {
    name: String,
    /// Why this element (or an ancestor) hides its content.
    hidden: Option<String>,
    color: Option<String>,
    background: Option<String>,
}

#[derive(Default)]
struct State {
    stack: Vec<Open>,
    /// Classes and ids hidden by a `<style>` rule seen so far.
    hidden_classes: HashSet<String>,
    hidden_ids: HashSet<String>,
    in_style: bool,
    style_text: String,
    /// The link being read: (href, text, how).
    link: Option<(String, String, String)>,
    found: Vec<DarkLink>,
}

#[derive(Default)]
struct Sink {
    state: RefCell<State>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut s = self.state.borrow_mut();
        match token {
            TagToken(tag) if tag.kind == StartTag => return s.start(&tag),
            TagToken(tag) if tag.kind == EndTag => s.end(&tag.name),
            Token::CharacterTokens(t) => {
                if s.in_style {
                    s.style_text.push_str(&t);
                } else if let Some((_, text, _)) = s.link.as_mut()
                    && text.chars().count() < 50
                {
                    text.push_str(&t);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

impl State {
    fn start(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name = tag.name.to_string();
        let attr = |n: &str| {
            tag.attrs
                .iter()
                .find(|a| &*a.name.local == n)
                .map(|a| a.value.to_string())
        };
        match name.as_str() {
            "style" => {
                self.in_style = true;
                self.style_text.clear();
                return TokenSinkResult::RawData(RawKind::Rawtext);
            }
            "script" => return TokenSinkResult::RawData(RawKind::ScriptData),
            "textarea" | "title" => return TokenSinkResult::RawData(RawKind::Rcdata),
            _ => {}
        }
        let parent = self.stack.last();
        let decls = attr("style").map(|s| declarations(&s)).unwrap_or_default();
        let own_color = get(&decls, "color").map(norm_color);
        let own_bg = get(&decls, "background-color")
            .or_else(|| get(&decls, "background"))
            .map(norm_color);
        let color = own_color
            .clone()
            .or_else(|| parent.and_then(|p| p.color.clone()));
        let background = own_bg.or_else(|| parent.and_then(|p| p.background.clone()));
        let mut hidden = parent.and_then(|p| p.hidden.clone());
        if hidden.is_none() {
            hidden = hides(&decls).or_else(|| {
                if attr("hidden").is_some() {
                    return Some("hidden 属性".into());
                }
                let classes = attr("class").unwrap_or_default();
                if let Some(c) = classes
                    .split_whitespace()
                    .find(|c| self.hidden_classes.contains(*c))
                {
                    return Some(format!("样式类 .{c} 隐藏"));
                }
                if let Some(id) = attr("id").filter(|i| self.hidden_ids.contains(i)) {
                    return Some(format!("样式 #{id} 隐藏"));
                }
                if name == "marquee" {
                    return marquee_hides(&attr);
                }
                None
            });
        }
        if name == "a"
            && let Some(href) = attr("href")
        {
            let how = match (&hidden, &color, &background) {
                (Some(h), _, _) => Some(h.clone()),
                (None, Some(c), Some(b)) if c == b => Some(format!("文字颜色与背景相同（{c}）")),
                _ => None,
            };
            self.link = how.map(|how| (href, String::new(), how));
        }
        if !tag.self_closing && !VOID.contains(&name.as_str()) {
            self.stack.push(Open {
                name,
                hidden,
                color,
                background,
            });
        }
        TokenSinkResult::Continue
    }

    fn end(&mut self, name: &str) {
        if name == "style" && self.in_style {
            self.in_style = false;
            let css = std::mem::take(&mut self.style_text);
            self.read_style(&css);
            return;
        }
        if name == "a"
            && let Some((href, text, how)) = self.link.take()
        {
            self.found.push(DarkLink {
                href,
                text: text.trim().chars().take(50).collect(),
                how,
            });
        }
        if let Some(i) = self.stack.iter().rposition(|o| o.name == name) {
            self.stack.truncate(i);
        }
    }

    /// Remembers `.class` and `#id` rules that hide (simple selectors only).
    fn read_style(&mut self, css: &str) {
        for rule in css.split('}') {
            let Some((selectors, body)) = rule.split_once('{') else {
                continue;
            };
            if hides(&declarations(body)).is_none() {
                continue;
            }
            for sel in selectors.split(',').map(str::trim) {
                let simple = |s: &str| {
                    s.chars()
                        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                };
                if let Some(c) = sel.strip_prefix('.').filter(|c| simple(c)) {
                    self.hidden_classes.insert(c.to_string());
                } else if let Some(i) = sel.strip_prefix('#').filter(|i| simple(i)) {
                    self.hidden_ids.insert(i.to_string());
                }
            }
        }
    }
}

/// `style` declarations as (property, value), lower case, spaces and `!important` gone.
fn declarations(style: &str) -> Vec<(String, String)> {
    style
        .split(';')
        .filter_map(|d| d.split_once(':'))
        .map(|(p, v)| {
            let v = v.to_ascii_lowercase().replace("!important", "");
            (p.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect()
}

fn get<'a>(decls: &'a [(String, String)], prop: &str) -> Option<&'a str> {
    decls
        .iter()
        .rev()
        .find(|(p, _)| p == prop)
        .map(|(_, v)| v.as_str())
}

/// The leading number of a CSS length (`-9999px` → -9999).
fn number(v: &str) -> Option<f64> {
    let end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(v.len());
    v[..end].parse().ok()
}

/// Whether a length is (nearly) nothing: 0 in any unit, at most 1px/pt.
fn tiny(v: &str) -> bool {
    number(v).is_some_and(|n| n <= 0.0 || (n <= 1.0 && (v.ends_with("px") || v.ends_with("pt"))))
}

/// Far off screen: at most -999 (px or any unit a trick would use).
fn far_off(v: &str) -> bool {
    number(v).is_some_and(|n| n <= -999.0)
}

/// Why these declarations hide an element, in Chinese.
fn hides(d: &[(String, String)]) -> Option<String> {
    if get(d, "display") == Some("none") {
        return Some("display:none".into());
    }
    if matches!(get(d, "visibility"), Some("hidden" | "collapse")) {
        return Some("visibility:hidden".into());
    }
    if get(d, "font-size").is_some_and(tiny) {
        return Some("字号为 0".into());
    }
    if get(d, "opacity").and_then(number) == Some(0.0) {
        return Some("透明度为 0".into());
    }
    let positioned = matches!(get(d, "position"), Some("absolute" | "fixed" | "relative"));
    for p in ["left", "top", "right", "bottom"] {
        if positioned && get(d, p).is_some_and(far_off) {
            return Some(format!("定位到页面之外（{p}:{}）", get(d, p).unwrap_or("")));
        }
    }
    for p in ["text-indent", "margin-left", "margin-top"] {
        if get(d, p).is_some_and(far_off) {
            return Some(format!("移到页面之外（{p}:{}）", get(d, p).unwrap_or("")));
        }
    }
    let overflow_hidden = matches!(get(d, "overflow"), Some("hidden" | "clip"));
    if overflow_hidden && (get(d, "width").is_some_and(tiny) || get(d, "height").is_some_and(tiny))
    {
        return Some("尺寸为 0 且溢出隐藏".into());
    }
    if let (Some(c), Some(b)) = (
        get(d, "color"),
        get(d, "background-color").or_else(|| get(d, "background")),
    ) && norm_color(c) == norm_color(b)
    {
        return Some(format!("文字颜色与背景相同（{}）", norm_color(c)));
    }
    None
}

/// A marquee too small to read or scrolling too fast to see.
fn marquee_hides(attr: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let small = |n: &str| attr(n).and_then(|v| number(&v)).is_some_and(|v| v <= 2.0);
    if small("width") || small("height") {
        return Some("滚动字幕尺寸过小".into());
    }
    if attr("scrollamount")
        .and_then(|v| number(&v))
        .is_some_and(|v| v >= 500.0)
    {
        return Some("滚动字幕速度过快".into());
    }
    None
}

/// Colours compared as written, with the common equivalent spellings of white and black.
fn norm_color(c: &str) -> String {
    let c = c.trim().to_ascii_lowercase().replace(' ', "");
    match c.as_str() {
        "#fff" | "#ffffff" | "white" | "rgb(255,255,255)" => "#ffffff".into(),
        "#000" | "#000000" | "black" | "rgb(0,0,0)" => "#000000".into(),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hows(html: &str) -> Vec<String> {
        dark_links(html).into_iter().map(|d| d.how).collect()
    }

    #[test]
    fn visible_links_pass() {
        assert!(dark_links(r#"<p><a href="/a">政务公开</a> <a href="https://www.gov.cn/" style="color:#333">中国政府网</a></p>"#).is_empty());
        assert!(dark_links(r#"<div style="display:block"><a href="/x">x</a></div>"#).is_empty());
    }

    #[test]
    fn each_trick_is_found() {
        let cases = [
            (
                r#"<div style="display:none"><a href="http://bet.example/">百家乐</a></div>"#,
                "display:none",
            ),
            (
                r#"<a href="http://bet.example/" style="visibility: hidden">x</a>"#,
                "visibility:hidden",
            ),
            (
                r#"<span style="font-size:0px"><a href="http://bet.example/">x</a></span>"#,
                "字号为 0",
            ),
            (
                r#"<div style="position:absolute;left:-9999px;top:0"><a href="http://bet.example/">x</a></div>"#,
                "定位到页面之外",
            ),
            (
                r#"<div style="text-indent:-10000px"><a href="http://bet.example/">x</a></div>"#,
                "移到页面之外",
            ),
            (
                r#"<div style="width:0;height:0;overflow:hidden"><a href="http://bet.example/">x</a></div>"#,
                "尺寸为 0",
            ),
            (
                r#"<div style="background:#fff"><a href="http://bet.example/" style="color:#FFFFFF">x</a></div>"#,
                "文字颜色与背景相同",
            ),
            (
                r#"<a href="http://bet.example/" style="color:white;background-color:#fff">x</a>"#,
                "文字颜色与背景相同",
            ),
            (
                r#"<div hidden><a href="http://bet.example/">x</a></div>"#,
                "hidden 属性",
            ),
            (
                r#"<style>.ad{display:none}</style><p class="x ad"><a href="http://bet.example/">x</a></p>"#,
                "样式类 .ad",
            ),
            (
                r#"<style>#k { visibility:hidden }</style><div id="k"><a href="http://bet.example/">x</a></div>"#,
                "样式 #k",
            ),
            (
                r#"<marquee height="1" width="1"><a href="http://bet.example/">x</a></marquee>"#,
                "滚动字幕尺寸过小",
            ),
            (
                r#"<div style="opacity:0"><a href="http://bet.example/">x</a></div>"#,
                "透明度为 0",
            ),
        ];
        for (html, how) in cases {
            let found = hows(html);
            assert_eq!(found.len(), 1, "{html}: {found:?}");
            assert!(found[0].contains(how), "{html}: {found:?}");
        }
    }

    #[test]
    fn hiding_ends_with_its_element() {
        let html = r#"<div style="display:none"><a href="http://bet.example/">赌</a></div><a href="/ok">正常</a>"#;
        let found = dark_links(html);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].href, "http://bet.example/");
        assert_eq!(found[0].text, "赌");
    }

    #[test]
    fn script_text_is_not_markup() {
        let html = r#"<script>var s = '<div style="display:none"><a href="x">';</script><a href="/ok">ok</a>"#;
        assert!(dark_links(html).is_empty());
    }
}
