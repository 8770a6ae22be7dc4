//! The template check: what is refused, where it is reported, and what passes.

use super::*;

fn refused(source: &str) -> String {
    check_template_source("home.html", source)
        .expect_err(source)
        .to_string()
}

#[test]
fn every_default_template_passes() {
    for name in crate::render::TEMPLATE_NAMES {
        let source = crate::render::default_template(name).unwrap();
        check_template_source(name, source).unwrap();
    }
}

#[test]
fn script_and_handlers_are_refused_with_their_line() {
    let e = refused("<p>首页</p>\n<div>\n<SCRIPT src=/x.js></script>");
    assert!(
        e.contains("home.html") && e.contains("第 3 行") && e.contains("<script>"),
        "{e}"
    );
    let e = refused("<a href=\"/\"\n   onclick=\"steal()\">首页</a>");
    assert!(e.contains("第 2 行") && e.contains("onclick"), "{e}");
    assert!(refused("<img/src=\"x\"/onerror=alert(1)>").contains("onerror"));
    assert!(refused("<svg><animate onbegin=alert(1)>").contains("onbegin"));
    for tag in ["iframe", "object", "embed", "base", "frameset", "applet"] {
        assert!(
            refused(&format!("<{tag} src=x>")).contains(&format!("<{tag}>")),
            "{tag}"
        );
    }
    assert!(refused("<meta http-equiv=\"refresh\" content=\"0;url=/\">").contains("http-equiv"));
    // A meta without http-equiv is fine.
    check_template_source(
        "home.html",
        "<meta name=\"description\" content=\"javascript: 入门\">",
    )
    .unwrap();
}

#[test]
fn script_urls_are_refused_however_written() {
    for src in [
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\" JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"java\tscript:alert(1)\">x</a>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\"&#x6A;avascript&colon;alert(1)\">x</a>",
        "<a href=javascript:alert(1)>x</a>",
        "<form action=\"vbscript:x\"></form>",
        "<button formaction='javascript:x'>提交</button>",
        "<svg><a xlink:href=\"javascript:x\">x</a></svg>",
        "<svg><set attributeName=\"href\" to=\"javascript:x\"/></svg>",
        "<svg><animate values=\"/;javascript:x\"/></svg>",
        "<svg><animate values=\"/&#59;&#106;avascript:x\"/></svg>",
        "<a href=\"data:text/html,<b>x</b>\">x</a>",
    ] {
        let e = refused(src);
        assert!(e.contains("地址"), "{src}: {e}");
    }
    // Images may be inline data; ordinary links and paths are fine.
    check_template_source(
        "home.html",
        "<img src=\"data:image/png;base64,AAAA\" alt=\"\"><a href=\"https://www.gov.cn/\">中国政府网</a>\
         <a href=\"/sites/gd/search?q=javascript\">搜索</a><a href=\"mailto:x@gd.gov.cn\">邮箱</a>",
    )
    .unwrap();
}

#[test]
fn styles_may_not_run_script() {
    assert!(refused("<div style=\"width: expression(alert(1))\">").contains("expression("));
    assert!(refused("<div style=\"background:url(javascript:x)\">").contains("javascript:"));
    assert!(refused("<style>\nbody { behavior: url(x.htc) }\n</style>").contains("behavior:"));
    assert!(refused("<style>p{width:expr/**/ession(1)}</style>").contains("expression("));
    check_template_source(
        "home.html",
        "<style>.a { color: #1d5fa8 }</style><p style=\"margin:0\">x</p>",
    )
    .unwrap();
}

#[test]
fn template_syntax_cannot_hide_markup() {
    // Taken out, the pieces join: what the page will hold is what is checked.
    assert!(refused("<scr{{ '' }}ipt>alert(1)</script>").contains("<script>"));
    assert!(refused("<a {% if x %}onclick=\"y()\"{% endif %}>").contains("onclick"));
    assert!(refused("{% raw %}{{<script>}}{% endraw %}").contains("<script>"));
    // A comment of the template is never emitted; a template's variables and tests
    // inside a tag are not attributes.
    check_template_source(
        "home.html",
        "{# <script> #}<li{% if online %} class=\"current\"{% endif %}><a href=\"{{ c.url }}\">{{ c.name }}</a></li>",
    )
    .unwrap();
}

#[test]
fn the_parser_is_not_fooled_by_text_and_comments() {
    // Tags in a title are text to a browser, so an attribute quote there hides nothing.
    assert!(refused("<title><a title=\"</title><script>alert(1)</script>\">").contains("<script>"));
    // A comment ends at the first `-->`, not at a quote.
    assert!(refused("<!-- <a title=\" --> <script>alert(1)</script> \">").contains("<script>"));
    // IE's conditional comments run what they hold.
    assert!(refused("<!--[if IE]><script src=x></script><![endif]-->").contains("<script>"));
    // Words in text and attribute values are not markup.
    check_template_source(
        "home.html",
        "<p>请勿点击 onclick=\"x\" 或 javascript: 链接</p><p title=\"<script>\">a &lt;script&gt; b</p>",
    )
    .unwrap();
}

#[test]
fn rendered_pages_are_checked_too() {
    check_rendered("home.html", "<p>x</p>\n<a href=\"/a\">a</a>").unwrap();
    let e = check_rendered("home.html", "<p>x</p>\n<script>alert(1)</script>")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("home.html") && e.contains("第 2 行") && e.contains("<script>"),
        "{e}"
    );
}
