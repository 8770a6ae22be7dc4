//! What a template may emit: nothing a browser runs as script. A site's overrides are
//! served on its ancestors' origin too (a county's site at the city and the province), so
//! an override that could script its page could script theirs.
//!
//! Refused: `<script>`; elements that embed other documents or plugins (`<iframe>`,
//! `<frame>`, `<frameset>`, `<object>`, `<embed>`, `<applet>`, `<portal>`); `<base>`;
//! `<meta http-equiv>`; event-handler attributes (`on…`); `javascript:`, `vbscript:` and
//! non-image `data:` URLs in attributes that take one; `expression(`, `behavior:`,
//! `-moz-binding` and script URLs in styles. Attribute values are read as a browser reads
//! them (entities decoded, tabs and line breaks dropped), so `&#106;avascript:` is caught.
//!
//! The check runs on an override's source (with the template syntax taken out, so
//! `<scr{{ '' }}ipt>` is seen as `<script>`) when it is stored, when a replicated one is
//! applied and whenever overrides are installed; and on every page an override renders,
//! which catches what only the rendering produces (`<{{ 'script' }}>`). Pages also carry a
//! Content-Security-Policy without inline script; this check is for the browsers that
//! ignore it.

use crate::ContentError;

/// Checks an override's source; the error names the template, the line and what is wrong.
pub fn check_template_source(name: &str, source: &str) -> Result<(), ContentError> {
    let (markup, segments) = without_template_syntax(source);
    match scan(&markup) {
        None => Ok(()),
        Some((at, what)) => {
            let line = line_of(source, original_offset(&segments, at));
            Err(ContentError::Invalid {
                field: "source",
                message: format!("模板 {name} 第 {line} 行：{what}"),
            })
        }
    }
}

/// Checks a page an override rendered.
pub(crate) fn check_rendered(name: &str, page: &str) -> Result<(), ContentError> {
    match scan(page) {
        None => Ok(()),
        Some((at, what)) => Err(ContentError::Template {
            name: name.to_string(),
            message: format!(
                "渲染结果第 {} 行：{what}，此页面不予输出",
                line_of(page, at)
            ),
        }),
    }
}

fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The markup of a template: its text with `{{ … }}`, `{% … %}` and `{# … #}` taken out
/// (a `{% raw %}` block's content is kept as text), and where each kept piece starts in
/// the markup and in the source.
fn without_template_syntax(source: &str) -> (String, Vec<(usize, usize)>) {
    let mut markup = String::with_capacity(source.len());
    let mut segments = Vec::new();
    let mut keep = |markup: &mut String, from: usize, to: usize| {
        if from < to {
            segments.push((markup.len(), from));
            markup.push_str(&source[from..to]);
        }
    };
    let mut i = 0;
    while let Some(off) = find_opener(&source[i..]) {
        let open = i + off;
        keep(&mut markup, i, open);
        let closer = match &source[open + 1..open + 2] {
            "{" => "}}",
            "%" => "%}",
            _ => "#}",
        };
        let Some(len) = source[open + 2..].find(closer) else {
            // Unclosed: the template does not compile; nothing after it is markup.
            i = source.len();
            break;
        };
        let inner = &source[open + 2..open + 2 + len];
        i = open + 2 + len + 2;
        if closer == "%}"
            && inner.trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace()) == "raw"
        {
            let end = find_endraw(&source[i..]).map_or(source.len(), |e| i + e);
            keep(&mut markup, i, end);
            i = end;
        }
    }
    keep(&mut markup, i, source.len());
    (markup, segments)
}

fn find_opener(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(1)).find(|&k| b[k] == b'{' && matches!(b[k + 1], b'{' | b'%' | b'#'))
}

/// Where the `{% endraw %}` closing a raw block starts.
fn find_endraw(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(off) = s[from..].find("{%") {
        let at = from + off;
        let rest = s[at + 2..].trim_start_matches(['-', '+']).trim_start();
        if rest.starts_with("endraw") {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

fn original_offset(segments: &[(usize, usize)], at: usize) -> usize {
    match segments.partition_point(|&(start, _)| start <= at) {
        0 => 0,
        k => {
            let (start, original) = segments[k - 1];
            original + (at - start)
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

/// Elements whose content a browser reads as text: tags inside are not tags, so the scan
/// resumes at their end tag (their content is still scanned, which can only refuse more).
const TEXT_ELEMENTS: [&str; 7] = [
    "title", "textarea", "style", "xmp", "noscript", "noembed", "noframes",
];

/// Attributes whose value a browser may load or navigate to.
const URL_ATTRIBUTES: [&str; 19] = [
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "lowsrc",
    "dynsrc",
    "codebase",
    "manifest",
    "ping",
    "cite",
    "longdesc",
    "usemap",
    "icon",
    "to",
    "from",
    "values",
];

/// The first forbidden construct in `html`: its byte offset and what it is.
fn scan(html: &str) -> Option<(usize, String)> {
    let b = html.as_bytes();
    let n = b.len();
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let start = i + off;
        if html[start..].starts_with("<!--") {
            // A comment ends at the first `-->`; its content is scanned on its own (IE's
            // conditional comments run what they hold).
            let body = start + 4;
            let end = html[body..].find("-->").map_or(n, |e| body + e);
            if let Some((at, what)) = scan(&html[body..end]) {
                return Some((body + at, what));
            }
            i = (end + 3).min(n);
            continue;
        }
        let closing = b.get(start + 1) == Some(&b'/');
        let mut j = start + 1 + usize::from(closing);
        if j >= n || !b[j].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        let name_start = j;
        while j < n && !is_space(b[j]) && b[j] != b'/' && b[j] != b'>' {
            j += 1;
        }
        let element = html[name_start..j].to_ascii_lowercase();
        if closing {
            i = j;
            continue;
        }
        if let Some(why) = forbidden_element(&element) {
            return Some((start, format!("不允许 <{element}> 标签（{why}）")));
        }
        loop {
            while j < n && (is_space(b[j]) || b[j] == b'/') {
                j += 1;
            }
            if j >= n || b[j] == b'>' {
                break;
            }
            let attr_start = j;
            j += 1;
            while j < n && !is_space(b[j]) && !matches!(b[j], b'/' | b'>' | b'=') {
                j += 1;
            }
            let attr = html[attr_start..j].to_ascii_lowercase();
            while j < n && is_space(b[j]) {
                j += 1;
            }
            let mut value = "";
            if j < n && b[j] == b'=' {
                j += 1;
                while j < n && is_space(b[j]) {
                    j += 1;
                }
                if j < n && (b[j] == b'"' || b[j] == b'\'') {
                    let quote = b[j];
                    let from = j + 1;
                    let to = b[from..]
                        .iter()
                        .position(|&c| c == quote)
                        .map_or(n, |e| from + e);
                    value = &html[from..to];
                    j = (to + 1).min(n);
                } else {
                    let from = j;
                    while j < n && !is_space(b[j]) && b[j] != b'>' {
                        j += 1;
                    }
                    value = &html[from..j];
                }
            }
            if let Some(what) = check_attribute(&element, &attr, value) {
                return Some((attr_start, what));
            }
        }
        i = (j + 1).min(n);
        if TEXT_ELEMENTS.contains(&element.as_str()) {
            let end = find_end_tag(html, i, &element);
            let content = &html[i..end];
            let found = if element == "style" {
                css_danger(content)
                    .map(|w| (0, format!("<style> 中不允许 {w}（样式不得执行脚本）")))
            } else {
                scan(content)
            };
            if let Some((at, what)) = found {
                return Some((i + at, what));
            }
            i = end;
        }
    }
    None
}

/// Where `</element` starts after `from` (ASCII case-insensitive), or the end.
fn find_end_tag(html: &str, from: usize, element: &str) -> usize {
    let b = html.as_bytes();
    let needle = element.as_bytes();
    let mut k = from;
    while let Some(off) = b[k..].windows(2).position(|w| w == b"</") {
        let at = k + off;
        let name = &b[at + 2..];
        if name.len() >= needle.len() && name[..needle.len()].eq_ignore_ascii_case(needle) {
            return at;
        }
        k = at + 2;
    }
    html.len()
}

fn forbidden_element(element: &str) -> Option<&'static str> {
    Some(match element {
        "script" => "模板不得包含脚本",
        "iframe" | "frame" | "frameset" | "object" | "embed" | "applet" | "portal" => {
            "模板不得嵌入其他页面或插件"
        }
        "base" => "模板不得改变页面链接的基准地址",
        _ => return None,
    })
}

fn check_attribute(element: &str, attr: &str, value: &str) -> Option<String> {
    if attr.starts_with("on") {
        return Some(format!("不允许事件属性 {attr}（模板不得包含脚本）"));
    }
    if element == "meta" && attr == "http-equiv" {
        return Some("不允许 <meta http-equiv>（模板不得改变页面的安全设置或自动跳转）".into());
    }
    if attr == "style" {
        return css_danger(value).map(|w| format!("属性 style 中不允许 {w}（样式不得执行脚本）"));
    }
    if URL_ATTRIBUTES.contains(&attr) || attr.ends_with(":href") {
        let url = as_browser_reads(value);
        // An animation's `values` is a list, any of which may become the URL.
        let mut urls = url.split(if attr == "values" { ';' } else { '\0' });
        let scheme = urls.find_map(dangerous_scheme)?;
        let why = if scheme == "data:" {
            "只允许 data:image/ 图片"
        } else {
            "模板不得包含脚本"
        };
        return Some(format!("属性 {attr} 不允许使用 {scheme} 地址（{why}）"));
    }
    None
}

/// The scheme of a URL (as a browser reads it) that runs script or opens a document.
fn dangerous_scheme(url: &str) -> Option<&'static str> {
    ["javascript:", "vbscript:", "livescript:"]
        .into_iter()
        .find(|s| url.starts_with(s))
        .or_else(|| {
            (url.starts_with("data:") && !url.starts_with("data:image/")).then_some("data:")
        })
}

/// What in a style runs script in some browser.
fn css_danger(css: &str) -> Option<&'static str> {
    let mut text = as_browser_reads(css).replace('\\', "");
    while let Some(open) = text.find("/*") {
        let close = text[open + 2..]
            .find("*/")
            .map_or(text.len(), |c| open + 2 + c + 2);
        text.replace_range(open..close, "");
    }
    [
        "expression(",
        "javascript:",
        "vbscript:",
        "behavior:",
        "-moz-binding",
    ]
    .into_iter()
    .find(|d| text.contains(d))
}

/// An attribute value as a URL parser sees it: character references decoded, whitespace
/// and control characters gone, lower case.
fn as_browser_reads(value: &str) -> String {
    let lower = value.to_ascii_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut rest = lower.as_str();
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode_reference(rest) {
            Some((c, used)) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_lowercase()
}

/// A character reference at the start of `s` (lower-cased): the character and its length.
fn decode_reference(s: &str) -> Option<(char, usize)> {
    if let Some(num) = s.strip_prefix("&#") {
        let (radix, digits_at) = if num.starts_with('x') {
            (16, 3)
        } else {
            (10, 2)
        };
        let digits = s[digits_at..]
            .bytes()
            .take_while(|&b| (b as char).is_digit(radix))
            .count();
        if digits == 0 {
            return None;
        }
        let code = u32::from_str_radix(&s[digits_at..digits_at + digits], radix).unwrap_or(0xfffd);
        let used = digits_at + digits + usize::from(s[digits_at + digits..].starts_with(';'));
        return Some((char::from_u32(code).unwrap_or('\u{fffd}'), used));
    }
    const NAMED: [(&str, char); 9] = [
        ("&colon;", ':'),
        ("&tab;", '\t'),
        ("&newline;", '\n'),
        ("&lpar;", '('),
        ("&rpar;", ')'),
        ("&sol;", '/'),
        ("&bsol;", '\\'),
        ("&amp;", '&'),
        ("&amp", '&'),
    ];
    NAMED
        .iter()
        .find(|(name, _)| s.starts_with(name))
        .map(|&(name, c)| (c, name.len()))
}

#[cfg(test)]
mod tests;
