//! The public pages in real Chromium (Debian's `chromium`, driven by playwright-core from
//! `tests/browser/check.mjs`, installed by `.ci/run`): at 1280 and 375 px every page has no
//! axe-core violation of impact serious or critical, is no wider than the window, and logs
//! no console error (a Content Security Policy violation is one); forms submitted in the
//! browser land where a citizen expects.

use govnode_tests::browser::{assert_no_problems, check, page};
use govnode_tests::{Method, Role, StatusCode, TestNode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_pages_pass_axe_fit_a_phone_and_break_no_policy() {
    if !govnode_tests::browser::available() {
        return;
    }
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "zcwj", "政策文件", "policy").await;
    t.column("gd", "gzdt", "工作动态", "news").await;
    let r = t
        .call(
            Method::PUT,
            "/api/admin/interaction/bodies/zwfw",
            Some(&t.admin),
            Some(json!({ "name": "广东省政务服务数据管理局" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let staff = t.staff("gd").await;
    let policy = t
        .publish(
            "gd",
            &staff,
            json!({ "column": "zcwj", "title": "广东省住房公积金提取管理办法", "doc_number": "粤府〔2026〕8号",
                "issuing_body": "广东省人民政府", "theme": "01", "date": "2026-03-01", "valid_from": "2026-03-01",
                "body": "## 第一条 提取条件\n\n职工购买自住住房的，可以申请提取住房公积金。\n\n| 项目 | 材料 |\n| --- | --- |\n| 购房 | 购房合同、发票 |",
                "tags": ["住房公积金"] }),
        )
        .await;
    let id = policy["id"].as_i64().unwrap();
    for i in 0..12 {
        t.publish(
            "gd",
            &staff,
            json!({ "column": "gzdt", "title": format!("省政府召开第{i}次常务会议研究部署数字政府建设工作"), "body": "会议内容" }),
        )
        .await;
    }
    let url = |p: &str| t.url(p);
    let mut pages = vec![
        page("portal", url("/")),
        page("home", url("/sites/gd/")),
        page("column", url("/sites/gd/columns/gzdt")),
        page("article", url(&format!("/sites/gd/articles/{id}"))),
        page("search", url("/sites/gd/search?q=住房公积金")),
        page(
            "search-empty",
            url("/sites/gd/search?q=完全不存在的词语组合"),
        ),
        page("search-form", url("/sites/gd/search")),
        page("letters", url("/sites/gd/letters")),
        page("qa", url("/sites/gd/qa?q=怎么提取公积金")),
        page("qa-form", url("/sites/gd/qa")),
        page("surveys", url("/sites/gd/surveys")),
        page("not-found", url("/sites/gd/articles/999999")),
        page("federation", url("/federation")),
    ];
    for (name, path) in [
        ("home-elder", "/sites/gd/"),
        ("letters-elder", "/sites/gd/letters"),
    ] {
        let mut elder = page(name, url(path));
        elder["cookies"] = json!([{ "name": "elder", "value": "1" }]);
        pages.push(elder);
    }
    // A letter too short and a bad phone number: the citizen sees the form again with the
    // errors, in Chinese, next to the fields.
    let mut invalid = page("letter-invalid", url("/sites/gd/letters"));
    invalid["submit"] = json!({
        "form": "form.letter-form[enctype]",
        "fields": { "name": "张三", "phone": "12", "subject": "咨询", "content": "太短" }
    });
    pages.push(invalid);
    // A valid letter: the browser follows the redirect to the confirmation.
    let mut filed = page("letter-filed", url("/sites/gd/letters"));
    filed["submit"] = json!({
        "form": "form.letter-form[enctype]",
        "fields": { "body": "广东省政务服务数据管理局", "name": "张三", "phone": "13800138000", "subject": "咨询住房公积金提取",
                    "content": "请问购买自住住房后如何申请提取住房公积金，需要哪些材料？" }
    });
    pages.push(filed);
    pages.extend(console_pages(&t).await);
    let results = check(pages).await;
    assert_no_problems(&results);
    // The checks looked at real pages, not error pages.
    let article = results.iter().find(|r| r["name"] == "article").unwrap();
    assert!(
        article["text"]
            .as_str()
            .unwrap()
            .contains("住房公积金提取管理办法"),
        "{article}"
    );
    let invalid = results
        .iter()
        .find(|r| r["name"] == "letter-invalid")
        .unwrap();
    let text = invalid["text"].as_str().unwrap();
    assert!(
        text.contains("联系电话") && !text.contains("phone:"),
        "{invalid}"
    );
    let filed = results
        .iter()
        .find(|r| r["name"] == "letter-filed")
        .unwrap();
    assert!(
        filed["landed"].as_str().unwrap().contains("/letters/sent"),
        "{filed}"
    );
    assert_eq!(results.len(), 2 * 51);
    for (name, text) in [
        ("admin-article-preview", "预览"),
        ("admin-article-save-error", "废止日期不能早于实施日期"),
        ("admin-article-submitted", "审核完成前不能修改"),
    ] {
        let r = results.iter().find(|r| r["name"] == name).unwrap();
        assert!(r["text"].as_str().unwrap().contains(text), "{r}");
    }
    let home = results.iter().find(|r| r["name"] == "admin-home").unwrap();
    assert!(
        home["text"].as_str().unwrap().contains("李四，您好"),
        "{home}"
    );
    let created = results
        .iter()
        .find(|r| r["name"] == "admin-user-created")
        .unwrap();
    assert!(
        created["text"].as_str().unwrap().contains("只显示这一次"),
        "{created}"
    );
    let enrol = results.iter().find(|r| r["name"] == "admin-enrol").unwrap();
    assert!(
        enrol["text"].as_str().unwrap().contains("设置身份验证器"),
        "{enrol}"
    );
    t.stop().await;
}

/// The staff console's pages: the sign-in form (and its error), enrolling an authenticator,
/// and a signed-in person's landing page, account and password change.
async fn console_pages(t: &TestNode) -> Vec<Value> {
    use govnode_accounts::{Access, Grant, NewUser};
    let state = t.node.app_state();
    let now = chrono::Utc::now().timestamp_millis();
    let (first, second) = ("Chushi-Mima-2026", "Xin-Mima-Qiang-77");
    let mut cookies = Vec::new();
    for (login, grant) in [
        ("li.editor", Grant::site(Role::Editor, "gd")),
        ("wang.admin", Grant::site(Role::SiteAdmin, "gd")),
    ] {
        let new = NewUser {
            login: login.into(),
            display_name: "李四".into(),
            ..NewUser::default()
        };
        let user = state
            .users
            .create(&Access::operator("test"), &new, first, &[grant], now)
            .await
            .unwrap();
        state
            .users
            .change_password(user.id, first, second, None, "127.0.0.1", now)
            .await
            .unwrap();
        let (sign_in_cookie, csrf) = t.sign_in_form().await;
        let r = t
            .http
            .post(t.url("/admin/sign-in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", sign_in_cookie)
            .body(format!("csrf={csrf}&login={login}&password={second}"))
            .send()
            .await
            .unwrap();
        let set = r.headers()["set-cookie"].to_str().unwrap();
        let value = set
            .strip_prefix("govnode_session=")
            .and_then(|v| v.split(';').next())
            .unwrap()
            .to_string();
        cookies.push(json!([{ "name": "govnode_session", "value": value }]));
    }
    let url = |p: &str| t.url(p);
    let mut pages = vec![page("admin-sign-in", url("/admin/sign-in"))];
    let mut wrong = page("admin-sign-in-error", url("/admin/sign-in"));
    wrong["submit"] = json!({
        "form": "form[action=\"/admin/sign-in\"]",
        "fields": { "login": "nobody", "password": "wrong-password" }
    });
    pages.push(wrong);
    for (name, path) in [
        ("admin-home", "/admin/"),
        ("admin-account", "/admin/account"),
        ("admin-password", "/admin/password"),
    ] {
        let mut p = page(name, url(path));
        p["cookies"] = cookies[0].clone();
        pages.push(p);
    }
    let mut enrol = page("admin-enrol", url("/admin/sign-in/enrol"));
    enrol["cookies"] = cookies[1].clone();
    pages.push(enrol);

    // 用户管理, as a platform admin (signed in with an authenticator).
    let root = state
        .users
        .create(
            &Access::operator("test"),
            &NewUser {
                login: "root.admin".into(),
                display_name: "赵平台".into(),
                ..NewUser::default()
            },
            first,
            &[Grant::node(Role::PlatformAdmin)],
            now,
        )
        .await
        .unwrap();
    state
        .users
        .change_password(root.id, first, second, None, "127.0.0.1", now)
        .await
        .unwrap();
    let enrolment = state.users.totp_begin(root.id, now).await.unwrap();
    let secret = enrolment.secret.expose().to_string();
    let code = govnode_accounts::totp_code(&secret, now - 30_000).unwrap();
    state.users.totp_confirm(root.id, &code, now).await.unwrap();
    let root_cookie = json!([{ "name": "govnode_session", "value": console_sign_in(t, "root.admin", second, &secret).await }]);
    let editor = state.users.by_login("li.editor").await.unwrap().unwrap();
    for (name, path) in [
        ("admin-users", "/admin/users".to_string()),
        ("admin-user-new", "/admin/users/new".into()),
        ("admin-user", format!("/admin/users/{}", editor.id)),
    ] {
        let mut p = page(name, url(&path));
        p["cookies"] = root_cookie.clone();
        pages.push(p);
    }
    let mut created = page("admin-user-created", url("/admin/users/new"));
    created["cookies"] = root_cookie.clone();
    created["submit"] = json!({
        "form": "form[action=\"/admin/users/new\"]",
        "fields": { "login": "zhou.bian", "display_name": "周编辑", "role": "editor", "site": "gd" }
    });
    pages.push(created);
    // 信息审核, 信息分发, 操作日志 and the 工作台 with work on it, as the platform admin.
    pages.extend(review_pages(t, &root_cookie).await);
    pages.extend(sites_pages(t, &root_cookie));
    pages.extend(articles_pages(t, &root_cookie).await);
    let mut invalid = page("admin-user-new-error", url("/admin/users/new"));
    invalid["cookies"] = root_cookie;
    invalid["submit"] = json!({
        "form": "form[action=\"/admin/users/new\"]",
        "fields": { "login": "无效 登录名", "display_name": "周编辑" }
    });
    pages.push(invalid);
    pages
}

/// 信息审核 (the queue and 比对修改 of a revised, submitted article), 信息分发, 操作日志 and
/// the 工作台, signed in with `cookies`.
async fn review_pages(t: &TestNode, cookies: &Value) -> Vec<Value> {
    use govnode_content::{ArticleInput, Transition};
    let content = t.node.app_state().content;
    let input = |title: &str, body: &str| ArticleInput {
        column: Some("gzdt".into()),
        title: title.into(),
        body: body.into(),
        ..ArticleInput::default()
    };
    let a = content
        .create_article(
            "li.editor",
            "gd",
            &input("全省推进政务服务标准化工作", "第一段。\n第二段。\n"),
        )
        .await
        .unwrap();
    content
        .revise_article(
            "li.editor",
            a.id,
            &ArticleInput {
                column: None,
                ..input(
                    "全省推进政务服务标准化建设工作",
                    "第一段。\n第二段有改动。\n",
                )
            },
        )
        .await
        .unwrap();
    content
        .transition("li.editor", a.id, Transition::Submit, None, None)
        .await
        .unwrap();
    let review = format!("/admin/review/{}", a.id);
    [
        ("admin-dashboard", "/admin/"),
        ("admin-review", "/admin/review"),
        ("admin-review-diff", review.as_str()),
        ("admin-distribution", "/admin/distribution"),
        ("admin-audit", "/admin/audit?site=gd"),
    ]
    .into_iter()
    .map(|(name, path)| {
        let mut p = page(name, t.url(path));
        p["cookies"] = cookies.clone();
        p
    })
    .collect()
}

/// 信息管理: the list, choosing a site and column, the editor (new, a draft with an
/// attachment, a submitted one shown read-only, a refused save), a preview; signed in with
/// `cookies`.
async fn articles_pages(t: &TestNode, cookies: &Value) -> Vec<Value> {
    use govnode_content::{ArticleInput, Attachment, Transition};
    let state = t.node.app_state();
    let file = state
        .blobs
        .put(b"%PDF-1.4 browser", "application/pdf")
        .await
        .unwrap();
    let input = |title: &str| ArticleInput {
        column: Some("zcwj".into()),
        title: title.into(),
        body: "## 一、总体要求\n\n| 事项 | 时限 |\n| --- | --- |\n| 受理 | 5个工作日 |\n".into(),
        issuing_body: "广东省人民政府办公厅".into(),
        attachments: vec![Attachment {
            hash: file.hash.clone(),
            name: "实施细则.pdf".into(),
            size: 0,
            mime: String::new(),
        }],
        ..ArticleInput::default()
    };
    let draft = state
        .content
        .create_article("li.editor", "gd", &input("关于推进政务公开的实施意见"))
        .await
        .unwrap();
    let submitted = state
        .content
        .create_article("li.editor", "gd", &input("已提交审核的实施意见"))
        .await
        .unwrap();
    state
        .content
        .transition("li.editor", submitted.id, Transition::Submit, None, None)
        .await
        .unwrap();
    let editor = format!("/admin/articles/{}", draft.id);
    let mut pages: Vec<Value> = [
        ("admin-articles", "/admin/articles?site=gd".to_string()),
        ("admin-article-choose", "/admin/articles/new?site=gd".into()),
        (
            "admin-article-new",
            "/admin/articles/new?site=gd&column=zcwj".into(),
        ),
        ("admin-article", editor.clone()),
        (
            "admin-article-submitted",
            format!("/admin/articles/{}", submitted.id),
        ),
        ("admin-article-preview", format!("{editor}/preview")),
    ]
    .into_iter()
    .map(|(name, path)| {
        let mut p = page(name, t.url(&path));
        p["cookies"] = cookies.clone();
        p
    })
    .collect();
    let mut refused = page("admin-article-save-error", t.url(&editor));
    refused["cookies"] = cookies.clone();
    refused["submit"] = json!({
        "form": "form#editor",
        "fields": { "valid_from": "2026-04-01", "valid_to": "2026-01-01" }
    });
    pages.push(refused);
    pages
}

/// 站点与栏目, 栏目模板 and 页面模板 (with a refused new column), signed in with `cookies`.
fn sites_pages(t: &TestNode, cookies: &Value) -> Vec<Value> {
    let mut pages: Vec<Value> = [
        ("admin-sites", "/admin/sites"),
        ("admin-site", "/admin/sites/gd"),
        ("admin-columns", "/admin/sites/gd/columns"),
        ("admin-column", "/admin/sites/gd/columns/gzdt"),
        ("admin-column-templates", "/admin/column-templates"),
        ("admin-column-template-new", "/admin/column-templates/new"),
        ("admin-page-templates", "/admin/templates?site=gd"),
        ("admin-page-template", "/admin/templates/gd/home.html"),
        ("admin-article-import", "/admin/articles/import"),
        ("admin-federation", "/admin/federation"),
    ]
    .into_iter()
    .map(|(name, path)| {
        let mut p = page(name, t.url(path));
        p["cookies"] = cookies.clone();
        p
    })
    .collect();
    let mut taken = page("admin-column-new-error", t.url("/admin/sites/gd/columns"));
    taken["cookies"] = cookies.clone();
    taken["submit"] = json!({
        "form": "form[action=\"/admin/sites/gd/columns\"]",
        "fields": { "name": "重复的栏目", "slug": "gzdt" }
    });
    pages.push(taken);
    pages
}

/// Signs `login` in through the console's password and code steps; the session id.
async fn console_sign_in(t: &TestNode, login: &str, password: &str, totp: &str) -> String {
    let cookie_of = |r: &reqwest::Response| {
        let set = r.headers()["set-cookie"].to_str().unwrap();
        set.strip_prefix("govnode_session=")
            .and_then(|v| v.split(';').next())
            .unwrap()
            .to_string()
    };
    let (sign_in_cookie, csrf) = t.sign_in_form().await;
    let r = t
        .http
        .post(t.url("/admin/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", sign_in_cookie)
        .body(format!("csrf={csrf}&login={login}&password={password}"))
        .send()
        .await
        .unwrap();
    let pending = cookie_of(&r);
    let form = t
        .http
        .get(t.url("/admin/sign-in/code"))
        .header("cookie", format!("govnode_session={pending}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = form.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &form[at..at + form[at..].find('"').unwrap()];
    let code = govnode_accounts::totp_code(totp, chrono::Utc::now().timestamp_millis()).unwrap();
    let r = t
        .http
        .post(t.url("/admin/sign-in/code"))
        .header("cookie", format!("govnode_session={pending}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&code={code}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    cookie_of(&r)
}
