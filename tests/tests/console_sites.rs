//! 站点、栏目与页面模板 through the console's pages (issue 13, test 3 and its neighbours): a
//! site admin creates a column, renames it, moves it under another, reorders, archives an
//! empty one (its public page then answers 410) and cannot archive one with articles (the
//! reason in Chinese); a platform admin creates and edits a site, shuts it down and resumes
//! it, and keeps a column template set; a site admin of another site gets 403; a template
//! override that does not compile or carries script is refused naming the line, a preview
//! renders the unsaved source marked 预览 and stores nothing, 恢复默认 restores the default;
//! a form without its CSRF token is refused and changes nothing.

use govnode_accounts::{Grant, Role};
use govnode_tests::console::{Browser, between};
use govnode_tests::{Reply, StatusCode, TestNode};
use serde_json::json;

async fn signed_in(t: &TestNode, login: &str, grants: &[Grant]) -> Browser {
    Browser::signed_in(t, login, grants).await
}

fn see_other(r: &Reply, to: &str) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.header("location"), Some(to), "{}", r.text);
}

/// The role="alert" message of a page.
fn alert(r: &Reply) -> String {
    between(&r.text, "role=\"alert\"><p>", "</p>")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_admin_creates_renames_moves_reorders_and_archives_columns() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.site("gz", "广州市人民政府").await;
    let content = t.node.app_state().content.clone();
    let mut b = signed_in(&t, "gd.admin", &[Grant::site(Role::SiteAdmin, "gd")]).await;

    // Only their own site is listed.
    let list = b.get("/admin/sites").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(list.text.contains("广东省人民政府") && !list.text.contains("广州市人民政府"));
    assert_eq!(list.header("cache-control"), Some("no-store"));
    assert!(
        !list.text.contains("新建站点"),
        "a site admin creates no site"
    );

    let path = "/admin/sites/gd/columns";
    let csrf = b.csrf(path).await;
    let create = |slug: &'static str, name: &'static str, kind: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("slug", slug.to_string()),
            ("name", name.to_string()),
            ("kind", kind.to_string()),
            ("parent", String::new()),
            ("interval", "7".to_string()),
        ]
    };
    let as_refs = |f: &[(&'static str, String)]| -> Vec<(&'static str, String)> { f.to_vec() };
    for (slug, name, kind) in [
        ("zwgk", "政务公开", "policy"),
        ("tzgg", "通知公告", "notice"),
        ("xwdt", "新闻动态", "news"),
    ] {
        let fields = as_refs(&create(slug, name, kind));
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = b.post(path, &fields).await;
        see_other(&r, "/admin/sites/gd/columns?done=created");
    }
    let page = b.get(&format!("{path}?done=created")).await;
    assert!(page.text.contains("已新建栏目"), "{}", page.text);
    assert!(page.text.contains("通知公告") && page.text.contains("每 7 天"));
    assert!(
        page.text.contains(">政策文件<"),
        "kinds by their Chinese label"
    );

    // A slug taken: refused in Chinese, the form kept.
    let r = b
        .post(
            path,
            &[
                ("csrf", &csrf),
                ("slug", "tzgg"),
                ("name", "重复"),
                ("kind", "news"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(
        alert(&r).contains("栏目地址“tzgg”已被本站点的其他栏目使用"),
        "{}",
        r.text
    );
    assert!(r.text.contains("value=\"重复\""));

    // Rename and change the interval.
    let r = b
        .post(
            "/admin/sites/gd/columns/tzgg",
            &[
                ("csrf", &csrf),
                ("name", "通知公告栏"),
                ("kind", "notice"),
                ("parent", ""),
                ("interval", "30"),
            ],
        )
        .await;
    see_other(&r, "/admin/sites/gd/columns?done=saved");
    let c = content.column("gd", "tzgg").await.unwrap();
    assert_eq!(
        (c.name.as_str(), c.update_interval_days),
        ("通知公告栏", Some(30))
    );

    // Move it under 政务公开.
    let r = b
        .post(
            "/admin/sites/gd/columns/tzgg",
            &[
                ("csrf", &csrf),
                ("name", "通知公告栏"),
                ("kind", "notice"),
                ("parent", "zwgk"),
                ("interval", "30"),
            ],
        )
        .await;
    see_other(&r, "/admin/sites/gd/columns?done=saved");
    let zwgk = content.column("gd", "zwgk").await.unwrap();
    assert_eq!(
        content.column("gd", "tzgg").await.unwrap().parent,
        Some(zwgk.id)
    );
    let page = b.get(path).await;
    assert!(page.text.contains("“政务公开”的子栏目"), "{}", page.text);
    // Not under itself.
    let r = b
        .post(
            "/admin/sites/gd/columns/zwgk",
            &[
                ("csrf", &csrf),
                ("name", "政务公开"),
                ("kind", "policy"),
                ("parent", "tzgg"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(
        alert(&r).contains("不能把栏目移到它自己或它的子栏目之下"),
        "{}",
        r.text
    );

    // Reorder the top level: 新闻动态 up above 政务公开.
    let order = |cols: Vec<govnode_content::Column>| {
        let mut top: Vec<_> = cols.into_iter().filter(|c| c.parent.is_none()).collect();
        top.sort_by_key(|c| (c.position, c.id));
        top.into_iter().map(|c| c.slug).collect::<Vec<_>>()
    };
    assert_eq!(
        order(content.columns("gd").await.unwrap()),
        ["zwgk", "xwdt"]
    );
    let r = b
        .post(
            "/admin/sites/gd/columns/xwdt/move",
            &[("csrf", &csrf), ("direction", "up")],
        )
        .await;
    see_other(&r, "/admin/sites/gd/columns?done=moved");
    assert_eq!(
        order(content.columns("gd").await.unwrap()),
        ["xwdt", "zwgk"]
    );

    // Archive the empty 通知公告栏: a confirmation first, then its public page is gone.
    assert_eq!(t.get("/sites/gd/columns/tzgg").await.status, StatusCode::OK);
    let r = b
        .post("/admin/sites/gd/columns/tzgg/archive", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(alert(&r).contains("我确认撤销该栏目"));
    assert!(!content.column("gd", "tzgg").await.unwrap().archived);
    let r = b
        .post(
            "/admin/sites/gd/columns/tzgg/archive",
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    see_other(&r, "/admin/sites/gd/columns?done=archived");
    assert!(content.column("gd", "tzgg").await.unwrap().archived);
    assert_eq!(
        t.get("/sites/gd/columns/tzgg").await.status,
        StatusCode::GONE
    );
    let page = b.get(path).await;
    assert!(page.text.contains("已撤销"));
    // Restored, it answers again.
    let r = b
        .post("/admin/sites/gd/columns/tzgg/restore", &[("csrf", &csrf)])
        .await;
    see_other(&r, "/admin/sites/gd/columns?done=restored");
    assert_eq!(t.get("/sites/gd/columns/tzgg").await.status, StatusCode::OK);

    // A column with an article cannot be archived; the reason in Chinese.
    let staff = t.staff("gd").await;
    t.publish(
        "gd",
        &staff,
        json!({ "column": "xwdt", "title": "一条新闻", "body": "正文" }),
    )
    .await;
    let r = b
        .post(
            "/admin/sites/gd/columns/xwdt/archive",
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(
        alert(&r).contains("栏目中还有 1 篇信息，不能撤销"),
        "{}",
        r.text
    );
    assert!(!content.column("gd", "xwdt").await.unwrap().archived);

    // Without the CSRF token: 403 and nothing created.
    let r = b
        .post(
            path,
            &[("slug", "nocsrf"), ("name", "无令牌"), ("kind", "news")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(content.column("gd", "nocsrf").await.is_err());

    // The admin of another site: 403 on every column page of this one.
    let mut other = signed_in(&t, "gz.admin", &[Grant::site(Role::SiteAdmin, "gz")]).await;
    let theirs = other.csrf("/admin/sites/gz/columns").await;
    for r in [
        other.get(path).await,
        other.get("/admin/sites/gd/columns/xwdt").await,
        other.get("/admin/sites/gd").await,
        other
            .post(
                path,
                &[
                    ("csrf", &theirs),
                    ("slug", "mine"),
                    ("name", "越权"),
                    ("kind", "news"),
                ],
            )
            .await,
        other
            .post(
                "/admin/sites/gd/columns/zwgk/move",
                &[("csrf", &theirs), ("direction", "down")],
            )
            .await,
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    }
    assert!(content.column("gd", "mine").await.is_err());
    assert_eq!(
        order(content.columns("gd").await.unwrap()),
        ["xwdt", "zwgk"]
    );
    // Nor page templates, which are the platform admins'.
    assert_eq!(
        b.get("/admin/templates").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_admin_creates_edits_shuts_down_and_resumes_a_site() {
    let t = TestNode::start().await;
    let content = t.node.app_state().content.clone();
    let mut b = signed_in(&t, "pingtai", &[Grant::node(Role::PlatformAdmin)]).await;
    let csrf = b.csrf("/admin/sites").await;
    let page = b.get("/admin/sites").await;
    assert!(
        page.text
            .contains("<option value=\"440000\" selected>广东省</option>"),
        "{}",
        page.text
    );

    let r = b
        .post(
            "/admin/sites",
            &[
                ("csrf", &csrf),
                ("id", "sz"),
                ("name", "深圳市人民政府"),
                ("hosts", "www.sz.gov.test\nsz.gov.test"),
                ("owner_body", "深圳市人民政府办公厅"),
                ("body_code", "007542345"),
                ("region", "440000"),
                ("undertaker", "深圳市政务服务数据管理局"),
            ],
        )
        .await;
    see_other(&r, "/admin/sites/sz?done=created");
    let s = content.site("sz").await.unwrap();
    assert_eq!(s.hosts, ["www.sz.gov.test", "sz.gov.test"]);
    assert_eq!(s.footer.undertaker, "深圳市政务服务数据管理局");
    let list = b.get("/admin/sites").await;
    assert!(list.text.contains("深圳市人民政府") && list.text.contains("正常访问"));
    assert!(
        list.text.contains("<td>广东省</td>"),
        "the region by name: {}",
        list.text
    );

    // The same id again: refused in Chinese, the form kept.
    let r = b
        .post(
            "/admin/sites",
            &[
                ("csrf", &csrf),
                ("id", "sz"),
                ("name", "另一个"),
                ("owner_body", "某单位"),
                ("body_code", "1"),
                ("region", "440000"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(alert(&r).contains("站点标识“sz”已被使用"), "{}", r.text);

    // Edit: name, hosts, owner.
    let r = b
        .post(
            "/admin/sites/sz",
            &[
                ("csrf", &csrf),
                ("name", "深圳市人民政府门户网站"),
                ("hosts", "www.sz.gov.test"),
                ("owner_body", "深圳市人民政府办公厅"),
                ("body_code", "007542345"),
                ("region", "440000"),
            ],
        )
        .await;
    see_other(&r, "/admin/sites/sz?done=saved");
    let s = content.site("sz").await.unwrap();
    assert_eq!(
        (s.name.as_str(), s.hosts.clone()),
        (
            "深圳市人民政府门户网站",
            vec!["www.sz.gov.test".to_string()]
        )
    );
    // A bad host name: refused, nothing changed.
    let r = b
        .post(
            "/admin/sites/sz",
            &[
                ("csrf", &csrf),
                ("name", "改不了"),
                ("hosts", "www.sz.gov.test/x"),
                ("owner_body", "深圳市人民政府办公厅"),
                ("body_code", "007542345"),
                ("region", "440000"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(alert(&r).contains("不是有效的域名"), "{}", r.text);
    assert_eq!(
        content.site("sz").await.unwrap().name,
        "深圳市人民政府门户网站"
    );
    // Without the CSRF token: 403, nothing changed.
    let r = b
        .post(
            "/admin/sites/sz",
            &[
                ("name", "无令牌"),
                ("owner_body", "x"),
                ("body_code", "1"),
                ("region", "440000"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        content.site("sz").await.unwrap().name,
        "深圳市人民政府门户网站"
    );

    // 一键关停 needs its message; then the public pages show it; then resume.
    let r = b
        .post(
            "/admin/sites/sz/shutdown",
            &[("csrf", &csrf), ("action", "shutdown")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(alert(&r).contains("维护公告"));
    let r = b
        .post(
            "/admin/sites/sz/shutdown",
            &[
                ("csrf", &csrf),
                ("action", "shutdown"),
                ("message", "系统升级，暂停访问"),
            ],
        )
        .await;
    see_other(&r, "/admin/sites/sz?done=shutdown");
    assert!(content.site("sz").await.unwrap().shutdown);
    let public = t.get("/sites/sz/").await;
    assert!(
        public.text.contains("系统升级，暂停访问"),
        "{}",
        public.text
    );
    let page = b.get("/admin/sites/sz").await;
    assert!(
        page.text
            .contains("已一键关停（维护公告：系统升级，暂停访问）")
    );
    let r = b
        .post(
            "/admin/sites/sz/shutdown",
            &[("csrf", &csrf), ("action", "resume")],
        )
        .await;
    see_other(&r, "/admin/sites/sz?done=resumed");
    assert!(!content.site("sz").await.unwrap().shutdown);
    assert_eq!(t.get("/sites/sz/").await.status, StatusCode::OK);

    // A column template set, kept through the pages and applied to the site.
    let csrf = b.csrf("/admin/column-templates/new").await;
    let r = b
        .post(
            "/admin/column-templates/new",
            &[
                ("csrf", &csrf),
                ("id", "city"),
                ("name", "市级标准栏目"),
                ("name_0", "通知公告"),
                ("slug_0", "tzgg"),
                ("kind_0", "notice"),
                ("parent_0", ""),
                ("interval_0", "14"),
                ("name_1", ""),
                ("slug_1", ""),
                ("kind_1", "news"),
                ("parent_1", ""),
                ("interval_1", ""),
            ],
        )
        .await;
    see_other(&r, "/admin/column-templates/city?done=saved");
    let r = b
        .post(
            "/admin/column-templates/city/apply",
            &[("csrf", &csrf), ("site", "sz")],
        )
        .await;
    see_other(&r, "/admin/column-templates/city?done=applied");
    assert_eq!(
        content
            .column("sz", "tzgg")
            .await
            .unwrap()
            .template_set
            .as_deref(),
        Some("city")
    );
    let list = b.get("/admin/column-templates").await;
    assert!(
        list.text.contains("市级标准栏目") && list.text.contains("深圳市人民政府门户网站"),
        "{}",
        list.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn template_overrides_are_checked_previewed_and_reverted() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "tzgg", "通知公告", "notice").await;
    let staff = t.staff("gd").await;
    t.publish(
        "gd",
        &staff,
        json!({ "column": "tzgg", "title": "关于开展安全检查的通知", "body": "正文" }),
    )
    .await;
    let content = t.node.app_state().content.clone();
    let mut b = signed_in(&t, "pingtai", &[Grant::node(Role::PlatformAdmin)]).await;

    let list = b.get("/admin/templates?site=gd").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(list.text.contains("home.html") && list.text.contains("默认模板"));
    let path = "/admin/templates/gd/home.html";
    let csrf = b.csrf(path).await;
    let default = govnode_content::render::default_template("home.html").unwrap();

    // Does not compile: refused, naming the line.
    let broken = "<p>一</p>\n<p>二</p>\n{% for x in %}\n";
    let r = b.post(path, &[("csrf", &csrf), ("source", broken)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(alert(&r).contains("第 3 行"), "{}", alert(&r));
    assert!(
        r.text.contains("{% for x in %}"),
        "the typed source is kept"
    );
    // Script: refused, naming the line.
    let script = format!("{default}\n<script>alert(1)</script>\n");
    let r = b.post(path, &[("csrf", &csrf), ("source", &script)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let line = default.lines().count() + 2;
    assert!(
        alert(&r).contains(&format!("第 {line} 行")) && alert(&r).contains("&lt;script&gt;"),
        "{}",
        alert(&r)
    );
    assert!(content.template_overrides("gd").await.unwrap().is_empty());

    // Preview: the site's real content with the unsaved source, marked, stored nowhere.
    let candidate = default.replacen(
        "{% block content %}",
        "{% block content %}<p>候选模板的标记</p>",
        1,
    );
    assert_ne!(candidate, default, "the default home has a content block");
    let r = b
        .post(
            &format!("{path}/preview"),
            &[("csrf", &csrf), ("source", &candidate)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("候选模板的标记") && r.text.contains("预览"));
    assert!(
        r.text.contains("关于开展安全检查的通知"),
        "the site's real content"
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(
        r.header("x-robots-tag")
            .is_some_and(|v| v.contains("noindex"))
    );
    assert!(content.template_overrides("gd").await.unwrap().is_empty());
    assert!(!t.get("/sites/gd/").await.text.contains("候选模板的标记"));

    // Save: the public page uses it; the editor shows the difference from the default.
    let r = b
        .post(path, &[("csrf", &csrf), ("source", &candidate)])
        .await;
    see_other(&r, "/admin/templates?site=gd&done=saved");
    assert!(t.get("/sites/gd/").await.text.contains("候选模板的标记"));
    let editor = b.get(path).await;
    assert!(editor.text.contains("<ins>+"), "{}", editor.text);
    assert!(
        b.get("/admin/templates?site=gd")
            .await
            .text
            .contains("已修改")
    );

    // Without the CSRF token: 403, the override unchanged.
    let r = b.post(&format!("{path}/reset"), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(content.template_overrides("gd").await.unwrap().len(), 1);
    // 恢复默认.
    let r = b.post(&format!("{path}/reset"), &[("csrf", &csrf)]).await;
    see_other(&r, "/admin/templates?site=gd&done=reset");
    assert!(content.template_overrides("gd").await.unwrap().is_empty());
    assert!(!t.get("/sites/gd/").await.text.contains("候选模板的标记"));
}

/// Every template previews on a page that uses it: the search, error, withdrawn,
/// maintenance, letters, Q&A and survey templates too, each showing the unsaved change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_template_previews_on_a_page_that_uses_it() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "tzgg", "通知公告", "notice").await;
    let staff = t.staff("gd").await;
    t.publish(
        "gd",
        &staff,
        json!({ "column": "tzgg", "title": "关于开展安全检查的通知", "body": "正文" }),
    )
    .await;
    let now = govnode_federation::now_ms();
    let r = t
        .post(
            "/api/admin/sites/gd/surveys",
            &t.admin,
            json!({
                "title": "公交线路优化征求意见", "description": "欢迎提出宝贵建议。",
                "body": "广东省交通运输厅", "opens_at": now - 60_000, "closes_at": now + 3_600_000,
                "questions": [{ "kind": "text", "text": "其他意见建议" }]
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let mut b = signed_in(&t, "pingtai", &[Grant::node(Role::PlatformAdmin)]).await;
    let csrf = b.csrf("/admin/templates?site=gd").await;
    for (name, shows) in [
        ("search.html", "关于开展"),
        ("error.html", "页面不存在"),
        ("gone.html", "已撤下"),
        ("maintenance.html", "系统维护"),
        ("letters.html", "联系电话"),
        ("qa.html", "智能问答"),
        ("survey_list.html", "征集调查"),
        ("survey.html", "公交线路优化征求意见"),
    ] {
        let default = govnode_content::render::default_template(name).unwrap();
        let marked = match default.find("{% block content %}") {
            Some(_) => default.replacen(
                "{% block content %}",
                "{% block content %}<p>候选模板的标记</p>",
                1,
            ),
            None => format!("{default}<p>候选模板的标记</p>"),
        };
        let r = b
            .post(
                &format!("/admin/templates/gd/{name}/preview"),
                &[("csrf", &csrf), ("source", &marked)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.text);
        assert!(
            r.text.contains("候选模板的标记") && r.text.contains("预览"),
            "{name} previews the unsaved source: {}",
            r.text
        );
        assert!(r.text.contains(shows), "{name} on its page: {}", r.text);
    }
}

/// 网站标识与页脚 on the site's page: saved and shown in the public footer; a bad record
/// number is refused in Chinese naming the item, with what was typed kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_footer_is_edited_on_the_site_page() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    let mut b = signed_in(&t, "zhan.admin", &[Grant::site(Role::SiteAdmin, "gd")]).await;
    let path = "/admin/sites/gd";
    let csrf = b.csrf(path).await;
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("site_code", "4400000114"),
        ("icp_record", "粤ICP备05070829号"),
        ("police_record", "粤公网安备 44010402000195号"),
        ("conac_id", ""),
        ("undertaker", "广东省政务服务和数据管理局"),
        ("phone", "020-12345678"),
        ("address", "广州市越秀区府前路1号"),
        ("email", "webmaster@gd.gov.cn"),
    ];
    let r = b.post(&format!("{path}/footer"), &fields).await;
    see_other(&r, "/admin/sites/gd?done=footer#footer");
    let home = t.get("/sites/gd/").await.text;
    assert!(
        home.contains("粤ICP备05070829号") && home.contains("4400000114"),
        "{home}"
    );
    fields[2] = ("icp_record", "ICP05070829");
    let r = b.post(&format!("{path}/footer"), &fields).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(
        alert(&r).contains("“ICP05070829”不是有效的ICP备案号"),
        "{}",
        alert(&r)
    );
    assert!(r.text.contains("value=\"ICP05070829\""), "kept as typed");
    // Without the CSRF token nothing changes.
    let r = b.post(&format!("{path}/footer"), &fields[1..]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(t.get("/sites/gd/").await.text.contains("粤ICP备05070829号"));
}
