//! 信息管理 through the console's pages (issue 13: the writing half of test 1, tests 4 and
//! 5): an editor writes an article with a heading, a table and an uploaded image and an
//! attachment, previews it (the public renderer, marked 预览, never cached or indexed),
//! previews unsaved work without saving it, saves a title-only change (every other field
//! kept), autosaves through the API with the session and its CSRF header, and submits (the
//! article is then read-only, and why is said); a form without its CSRF token is refused
//! and saves nothing; an editor of another site, and a column-limited editor, see none of
//! what they may not see, in the list, the editor, the previews or by direct URL.

use govnode_accounts::{Grant, Role};
use govnode_content::{ArticleInput, State};
use govnode_tests::console::{Browser, between, csrf_of};
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

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

const BODY: &str = "## 一、总体要求\n\n全面推进政务公开。\n\n| 事项 | 时限 |\n| --- | --- |\n| 申请受理 | 5个工作日 |\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_writes_uploads_previews_saves_and_submits() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "zcwj", "政策文件", "policy").await;
    t.column("gd", "ywdt", "要闻动态", "news").await;
    let content = t.node.app_state().content.clone();
    let mut b = signed_in(&t, "li.ming", &[Grant::site(Role::Editor, "gd")]).await;

    // One site: the choice goes straight to its columns, by name.
    let choose = b.get("/admin/articles/new").await;
    assert_eq!(choose.status, StatusCode::OK, "{}", choose.text);
    assert!(choose.text.contains("广东省人民政府") && choose.text.contains("政策文件"));
    let form = b.get("/admin/articles/new?site=gd&column=zcwj").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert!(form.text.contains("劳动、人事、监察") || form.text.contains("综合政务"));
    assert!(form.text.contains("<datalist id=\"body-names\">"));
    assert!(
        form.text.contains("广东省人民政府办公厅"),
        "the site's body offered"
    );
    let csrf = csrf_of(&form.text);

    let r = b
        .post(
            "/admin/articles/new",
            &[
                ("csrf", &csrf),
                ("site", "gd"),
                ("column", "zcwj"),
                ("title", "关于推进政务公开的实施意见"),
                ("subtitle", ""),
                ("body", &BODY.replace('\n', "\r\n")),
                ("summary", ""),
                ("author", "李明"),
                ("theme", "01"),
                ("doc_type", "policy"),
                ("issuing_body", "广东省人民政府办公厅"),
                ("doc_number", "粤府办〔2026〕7号"),
                ("date", "2026-03-01"),
                ("valid_from", "2026-04-01"),
                ("valid_to", ""),
                ("tags", "政务公开、实施意见"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let location = r.header("location").unwrap().to_string();
    let id: i64 = between(&location, "/admin/articles/", "?").parse().unwrap();
    let a = content.article(id).await.unwrap();
    assert_eq!(a.state, State::Draft);
    assert_eq!(a.doc.body, BODY, "the browser's CRLF stored as LF");
    assert_eq!(a.doc.tags, ["政务公开", "实施意见"]);
    let editor = format!("/admin/articles/{id}");
    let page = b.get(&location).await;
    assert!(page.text.contains("已保存草稿") && page.text.contains("修订记录"));
    assert!(page.text.contains("<meta name=\"csrf-token\""));
    assert!(page.text.contains("草稿") && page.text.contains("政策文件"));

    // An image, uploaded without script: stored, and put into the body as Markdown.
    let csrf = csrf_of(&page.text);
    let r = b
        .upload(
            &format!("{editor}/uploads"),
            &[("csrf", &csrf), ("kind", "image")],
            ("示意图.png", "image/png", PNG),
        )
        .await;
    see_other(&r, &format!("{editor}?done=image"));
    let hash = govnode_tests::blake3_hex(PNG);
    let a = content.article(id).await.unwrap();
    assert!(
        a.doc.body.ends_with(&format!("![示意图](/blobs/{hash})\n")),
        "{}",
        a.doc.body
    );
    assert_eq!(
        t.get(&format!("/blobs/{hash}")).await.status,
        StatusCode::OK
    );
    // The script's way: JSON back, the body left to the editor (it inserts at the cursor).
    let revision = content.article(id).await.unwrap().revision;
    let r = b
        .upload_as(
            &format!("{editor}/uploads"),
            &[("csrf", &csrf), ("kind", "image")],
            ("图二.png", "image/png", PNG),
            "application/json",
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let answer = r.json();
    assert_eq!(answer["markdown"], format!("![图二](/blobs/{hash})"));
    assert_eq!(answer["size"], format!("{} 字节", PNG.len()));
    assert_eq!(content.article(id).await.unwrap().revision, revision);
    // Not an image.
    let r = b
        .upload(
            &format!("{editor}/uploads"),
            &[("csrf", &csrf), ("kind", "image")],
            ("a.html", "text/html", b"<p>x</p>"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("图片须为 PNG"), "{}", r.text);
    // An attachment: saved with the article at once.
    let r = b
        .upload(
            &format!("{editor}/uploads"),
            &[("csrf", &csrf), ("kind", "attachment"), ("name", "")],
            ("附件一.pdf", "application/pdf", b"%PDF-1.4 test"),
        )
        .await;
    see_other(&r, &format!("{editor}?done=uploaded"));
    let a = content.article(id).await.unwrap();
    assert_eq!(a.doc.attachments.len(), 1);
    assert_eq!(a.doc.attachments[0].name, "附件一.pdf");
    let page = b.get(&editor).await;
    assert!(page.text.contains("附件一.pdf") && page.text.contains("13 字节"));
    assert!(page.text.contains("示意图"), "the body's images are listed");

    // The preview: the site's page with the banner; never cached or indexed.
    let p = b.get(&format!("{editor}/preview")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert_eq!(p.header("cache-control"), Some("no-store"));
    assert!(p.header("x-robots-tag").unwrap().contains("noindex"));
    assert!(p.text.contains("<strong>预览</strong>"));
    assert!(p.text.contains("关于推进政务公开的实施意见"));
    assert!(p.text.contains("<h2>一、总体要求</h2>"), "{}", p.text);
    assert!(p.text.contains("<table>") && p.text.contains("<td>申请受理</td>"));
    assert!(p.text.contains(&format!("src=\"/blobs/{hash}\"")));
    assert!(p.text.contains("附件一.pdf") && p.text.contains("粤府办〔2026〕7号"));
    // An earlier revision, and one that does not exist.
    let first = b.get(&format!("{editor}/preview?revision=1")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(!first.text.contains("附件一.pdf"));
    assert_eq!(
        b.get(&format!("{editor}/preview?revision=99")).await.status,
        StatusCode::NOT_FOUND
    );
    // Never public: not on the site, nor in its sitemap.
    assert_eq!(
        t.get(&format!("/sites/gd/articles/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !t.get("/sites/gd/sitemap.xml")
            .await
            .text
            .contains(&format!("/articles/{id}"))
    );

    // The unsaved form previewed: rendered, nothing saved.
    let revision = content.article(id).await.unwrap().revision;
    let p = b
        .post(
            "/admin/articles/preview",
            &[
                ("csrf", &csrf),
                ("id", &id.to_string()),
                ("title", "尚未保存的新标题"),
                ("body", "**加粗的新正文**"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert_eq!(p.header("cache-control"), Some("no-store"));
    assert!(
        p.text.contains("尚未保存的新标题") && p.text.contains("<strong>加粗的新正文</strong>")
    );
    assert!(
        p.text.contains("粤府办〔2026〕7号"),
        "fields not sent keep theirs"
    );
    let a = content.article(id).await.unwrap();
    assert_eq!(
        (a.revision, a.doc.title.as_str()),
        (revision, "关于推进政务公开的实施意见")
    );

    // A form without its CSRF token: refused, nothing saved.
    let r = b
        .post(&editor, &[("title", "没有令牌的标题"), ("action", "save")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("安全校验码"), "{}", r.text);
    let r = b
        .post(
            &editor,
            &[
                ("csrf", "forged"),
                ("title", "伪造令牌的标题"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(content.article(id).await.unwrap().revision, revision);

    // A title-only change keeps every other field (issue 13, test 5): the whole form as
    // the page shows it, with only the title changed.
    let before = content.article(id).await.unwrap().doc;
    let page = b.get(&editor).await;
    let shown_body = between(&page.text, "aria-describedby=\"body-help\">", "</textarea>");
    assert!(shown_body.contains("一、总体要求"));
    let r = b
        .post(
            &editor,
            &[
                ("csrf", &csrf),
                ("title", "关于全面推进政务公开的实施意见"),
                ("subtitle", &before.subtitle),
                ("body", &before.body.replace('\n', "\r\n")),
                ("summary", &before.summary),
                ("author", &before.author),
                ("theme", &before.theme),
                ("doc_type", &before.doc_type),
                ("issuing_body", &before.issuing_body),
                ("doc_number", &before.doc_number),
                ("date", &before.date),
                ("valid_from", &before.valid_from),
                ("valid_to", &before.valid_to),
                ("tags", &before.tags.join("、")),
                ("action", "save"),
            ],
        )
        .await;
    see_other(&r, &format!("{editor}?done=saved"));
    let after = content.article(id).await.unwrap();
    assert_eq!(after.revision, revision + 1);
    let mut expected = before.clone();
    expected.title = "关于全面推进政务公开的实施意见".into();
    assert_eq!(after.doc, expected, "only the title changed");
    // A form sending only the title keeps every other field too.
    let r = b
        .post(
            &editor,
            &[("csrf", &csrf), ("title", "只改标题"), ("action", "save")],
        )
        .await;
    see_other(&r, &format!("{editor}?done=saved"));
    let after = content.article(id).await.unwrap();
    expected.title = "只改标题".into();
    assert_eq!(after.doc, expected);
    // Saving unchanged is no new revision.
    let r = b
        .post(
            &editor,
            &[("csrf", &csrf), ("title", "只改标题"), ("action", "save")],
        )
        .await;
    see_other(&r, &format!("{editor}?done=unchanged"));
    assert_eq!(content.article(id).await.unwrap().revision, after.revision);
    // A bad field: the form again with the reason in Chinese, nothing saved.
    let r = b
        .post(
            &editor,
            &[
                ("csrf", &csrf),
                ("valid_to", "2026-01-01"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(alert(&r).contains("废止日期不能早于实施日期"), "{}", r.text);
    assert_eq!(content.article(id).await.unwrap().revision, after.revision);

    // The script's autosave: PATCH through the API with the session and its CSRF header.
    let page = b.get(&editor).await;
    let token = between(&page.text, "<meta name=\"csrf-token\" content=\"", "\"");
    let cookie = b
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let r = t
        .http
        .patch(t.url(&format!("/api/admin/articles/{id}")))
        .header("cookie", &cookie)
        .header("x-csrf-token", &token)
        .header("content-type", "application/json")
        .body(json!({ "summary": "自动保存的摘要" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let a = content.article(id).await.unwrap();
    expected.summary = "自动保存的摘要".into();
    assert_eq!(a.doc, expected);

    // The list: by name, in Chinese.
    let list = b.get("/admin/articles").await;
    assert_eq!(list.status, StatusCode::OK);
    for text in ["只改标题", "广东省人民政府", "政策文件", "草稿"] {
        assert!(list.text.contains(text), "{text}: {}", list.text);
    }
    let list = b
        .get("/admin/articles?q=只改&state=draft&site=gd&column=zcwj")
        .await;
    assert!(list.text.contains("只改标题") && list.text.contains("共 1 篇"));
    let list = b.get("/admin/articles?q=没有这个词").await;
    assert!(list.text.contains("共 0 篇"));

    // 提交审核: then read-only, with why; a change posted anyway is refused.
    let r = b
        .post(&editor, &[("csrf", &csrf), ("action", "submit")])
        .await;
    see_other(&r, &format!("{editor}?done=submitted"));
    assert_eq!(content.article(id).await.unwrap().state, State::Submitted);
    let page = b.get(&editor).await;
    assert!(page.text.contains("已提交审核") && page.text.contains("待审核"));
    assert!(
        !page.text.contains("value=\"save\""),
        "no 保存草稿 on a submitted article"
    );
    let r = b
        .post(
            &editor,
            &[("csrf", &csrf), ("title", "审核中修改"), ("action", "save")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(alert(&r).contains("审核完成前不能修改"), "{}", r.text);
    assert_eq!(content.article(id).await.unwrap().doc.title, "只改标题");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editors_see_nothing_of_other_sites_or_columns() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.site("gz", "广州市人民政府").await;
    t.column("gd", "ywdt", "要闻动态", "news").await;
    t.column("gd", "tzgg", "通知公告", "notice").await;
    t.column("gz", "ywdt", "广州要闻", "news").await;
    let content = t.node.app_state().content.clone();
    let create = |site: &'static str, column: &'static str, title: &'static str| {
        let content = content.clone();
        async move {
            let input = ArticleInput {
                column: Some(column.into()),
                title: title.into(),
                body: "正文。".into(),
                ..ArticleInput::default()
            };
            content
                .create_article("zhang.san", site, &input)
                .await
                .unwrap()
                .id
        }
    };
    let gd_news = create("gd", "ywdt", "省里的要闻草稿").await;
    let gd_notice = create("gd", "tzgg", "省里的通知草稿").await;
    let gz_news = create("gz", "ywdt", "广州的要闻草稿").await;

    // An editor of 广州: nothing of 广东 anywhere.
    let mut gz = signed_in(&t, "chen.gz", &[Grant::site(Role::Editor, "gz")]).await;
    let list = gz.get("/admin/articles").await;
    assert!(list.text.contains("广州的要闻草稿"));
    assert!(!list.text.contains("省里的"), "{}", list.text);
    assert!(
        !list.text.contains("广东省人民政府"),
        "another site is not even offered"
    );
    let list = gz.get("/admin/articles?site=gd").await;
    assert!(!list.text.contains("省里的"));
    let list = gz.get("/admin/articles?q=省里").await;
    assert!(list.text.contains("共 0 篇"));
    for path in [
        format!("/admin/articles/{gd_news}"),
        format!("/admin/articles/{gd_news}/preview"),
        format!("/admin/articles/{gd_news}/preview?revision=1"),
        "/admin/articles/999999".to_string(),
    ] {
        let r = gz.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.text.contains("没有这篇信息"), "{path}: {}", r.text);
        assert!(!r.text.contains("省里的"));
    }
    let csrf = gz.csrf("/admin/articles").await;
    let csrf = if csrf.is_empty() {
        unreachable!()
    } else {
        csrf
    };
    let r = gz
        .post(
            &format!("/admin/articles/{gd_news}"),
            &[("csrf", &csrf), ("title", "被改了"), ("action", "save")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = gz
        .post(
            "/admin/articles/preview",
            &[
                ("csrf", &csrf),
                ("id", &gd_news.to_string()),
                ("title", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text.contains("省里的"));
    let r = gz
        .post(
            "/admin/articles/preview",
            &[
                ("csrf", &csrf),
                ("site", "gd"),
                ("column", "ywdt"),
                ("title", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = gz
        .upload(
            &format!("/admin/articles/{gd_news}/uploads"),
            &[("csrf", &csrf), ("kind", "attachment")],
            ("a.pdf", "application/pdf", b"%PDF"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = gz
        .post(
            "/admin/articles/new",
            &[
                ("csrf", &csrf),
                ("site", "gd"),
                ("column", "ywdt"),
                ("title", "越权"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("您不能在这个站点或栏目撰写信息"));
    let new = gz.get("/admin/articles/new?site=gd&column=ywdt").await;
    assert!(!new.text.contains("广东省人民政府") && new.text.contains("广州市人民政府"));
    assert!(
        !new.text.contains("name=\"title\""),
        "no editor for a site not one's own"
    );
    assert_eq!(content.article(gd_news).await.unwrap().revision, 1);
    // Its own article it may open.
    assert_eq!(
        gz.get(&format!("/admin/articles/{gz_news}")).await.status,
        StatusCode::OK
    );

    // An editor limited to 通知公告 of 广东: that column only.
    let mut notice = signed_in(
        &t,
        "wu.tzgg",
        &[Grant::site(Role::Editor, "gd").in_columns(&["tzgg"])],
    )
    .await;
    let list = notice.get("/admin/articles").await;
    assert!(list.text.contains("省里的通知草稿"));
    assert!(!list.text.contains("省里的要闻草稿") && !list.text.contains("广州"));
    let list = notice.get("/admin/articles?site=gd&column=ywdt").await;
    assert!(!list.text.contains("省里的要闻草稿"));
    assert_eq!(
        notice
            .get(&format!("/admin/articles/{gd_news}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        notice
            .get(&format!("/admin/articles/{gd_news}/preview"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = notice.get(&format!("/admin/articles/{gd_notice}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("value=\"save\""));
    let new = notice.get("/admin/articles/new?site=gd").await;
    assert!(new.text.contains("通知公告") && !new.text.contains("要闻动态"));
    let csrf = csrf_of(&page.text);
    let r = notice
        .post(
            "/admin/articles/new",
            &[
                ("csrf", &csrf),
                ("site", "gd"),
                ("column", "ywdt"),
                ("title", "越栏"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = notice
        .post(
            "/admin/articles/new",
            &[
                ("csrf", &csrf),
                ("site", "gd"),
                ("column", "tzgg"),
                ("title", "本栏目的通知"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(r.header("location").unwrap().ends_with("?done=submitted"));
    t.stop().await;
}
