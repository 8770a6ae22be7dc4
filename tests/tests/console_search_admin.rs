//! The console's 搜索管理 (the synonym dictionary, topic cards, query analytics, 试一试)
//! and 知识库 (Q&A entries, replied letters into drafts, unanswered questions).

use std::time::Duration;

use govnode_accounts::{Grant, Role};
use govnode_tests::console::{Browser, between};
use govnode_tests::tree::Member;
use govnode_tests::{Method, StatusCode, TestNode, TestTree};
use serde_json::json;

/// Posts a console form with the CSRF token of `page`; returns the answer.
async fn submit(
    b: &mut Browser,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> govnode_tests::Reply {
    let csrf = b.csrf(page).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    b.post(action, &all).await
}

/// A search of the county's own documents.
async fn county_search(tree: &TestTree, q: &str) -> serde_json::Value {
    tree.node("440106")
        .search_with(&[("q", q), ("scope", "node")])
        .await
}

fn location(r: &govnode_tests::Reply) -> String {
    r.header("location").unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_synonym_set_at_the_province_console_changes_a_county_and_a_city_overrides_it() {
    let m = |id, name, parent| Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    let tree = TestTree::start(vec![
        m("440000", "广东省", None),
        m("440100", "广州市", Some("440000")),
        m("440106", "天河区", Some("440100")),
    ])
    .await;
    let county = tree.node("440106");
    county.site("tianhe", "天河区人民政府").await;
    county.column("tianhe", "bszn", "办事指南", "guide").await;
    let staff = county.staff("tianhe").await;
    for title in ["个体工商户登记办事指南", "企业设立登记指南"] {
        county
            .publish(
                "tianhe",
                &staff,
                json!({ "column": "bszn", "title": title, "body": "申请登记应当提交身份证明。" }),
            )
            .await;
    }
    assert_eq!(county_search(&tree, "开小店").await["total"], 0);

    // The province's platform administrator adds the phrase in the console.
    let province = tree.node("440000");
    let mut admin =
        Browser::signed_in(province, "sheng.admin", &[Grant::node(Role::PlatformAdmin)]).await;
    let r = submit(
        &mut admin,
        "/admin/search/synonym",
        "/admin/search/synonyms",
        &[
            ("colloquial", "开小店"),
            ("official", "个体工商户登记"),
            ("category", "business"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = admin.get(&location(&r)).await;
    assert!(page.text.contains("已保存"), "{}", page.text);
    assert!(page.text.contains("个体工商户登记"), "{}", page.text);
    // Shipped entries read as the platform dictionary, the new one as this level's.
    // The whole dictionary pages by 50.
    let first = admin.get("/admin/search").await;
    assert!(first.text.contains("第 1/"), "{}", first.text);
    assert!(first.text.contains("下一页"), "{}", first.text);
    let second = admin.get("/admin/search?page=2").await;
    assert!(second.text.contains("上一页"), "{}", second.text);
    let shipped = admin.get("/admin/search?q=社保卡").await;
    assert!(shipped.text.contains("平台词库"), "{}", shipped.text);
    // A bad form names the field.
    let r = submit(
        &mut admin,
        "/admin/search/synonym",
        "/admin/search/synonyms",
        &[("colloquial", "开"), ("official", "x")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("群众说法"), "{}", r.text);

    // The entry travels down: the county's results change.
    tree.wait_for("the province's synonym at the county", || async {
        county_search(&tree, "开小店").await["total"] == 1
    })
    .await;
    assert_eq!(
        county_search(&tree, "开小店").await["hits"][0]["title"],
        "个体工商户登记办事指南"
    );

    // The city sees it as inherited from the province, by name, and overrides it.
    let city = tree.node("440100");
    tree.wait_for("the synonym at the city", || async {
        city.search_with(&[("q", "开小店")]).await["expansions"]
            .to_string()
            .contains("个体工商户登记")
    })
    .await;
    let mut city_admin =
        Browser::signed_in(city, "shi.admin", &[Grant::node(Role::PlatformAdmin)]).await;
    let page = city_admin.get("/admin/search?q=开小店").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("上级：广东省"), "{}", page.text);
    assert!(page.text.contains("在本级覆盖"), "{}", page.text);
    let r = submit(
        &mut city_admin,
        "/admin/search/synonym?phrase=开小店",
        "/admin/search/synonyms",
        &[("colloquial", "开小店"), ("official", "企业设立登记")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = city_admin.get("/admin/search?q=开小店&source=here").await;
    assert!(page.text.contains("企业设立登记"), "{}", page.text);
    assert!(
        page.text.contains("覆盖上级：广东省的词条"),
        "{}",
        page.text
    );
    // An inherited (shipped) phrase removed at the city's level.
    let r = submit(
        &mut city_admin,
        "/admin/search",
        "/admin/search/synonyms/remove",
        &[("colloquial", "社保卡")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = city_admin.get("/admin/search?q=社保卡&source=here").await;
    assert!(page.text.contains("本级已删除"), "{}", page.text);
    assert!(
        page.text.contains("不再沿用平台词库的词条"),
        "{}",
        page.text
    );
    let history = city_admin.get("/admin/search").await;
    assert!(
        history.text.contains("设为：企业设立登记"),
        "{}",
        history.text
    );
    // The county now searches with the city's reading.
    tree.wait_for("the city's override at the county", || async {
        county_search(&tree, "开小店").await["hits"][0]["title"] == "企业设立登记指南"
    })
    .await;

    // An editor may not use 搜索管理; an auditor reads but may not change.
    let mut editor =
        Browser::signed_in(province, "bianji", &[Grant::site(Role::Editor, "gd")]).await;
    assert_eq!(
        editor.get("/admin/search").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        editor.get("/admin/search/try?q=社保").await.status,
        StatusCode::FORBIDDEN
    );
    let mut auditor = Browser::signed_in(province, "shenji", &[Grant::node(Role::Auditor)]).await;
    let page = auditor.get("/admin/search").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("审计员"), "{}", page.text);
    let csrf = govnode_tests::console::csrf_of(&page.text);
    let r = auditor
        .post(
            "/admin/search/synonyms",
            &[
                ("csrf", &csrf),
                ("colloquial", "办执照"),
                ("official", "营业执照"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    tree.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn topic_cards_analytics_and_trying_a_query() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "bszn", "办事指南", "guide").await;
    let staff = t.staff("gd").await;
    t.publish(
        "gd",
        &staff,
        json!({ "column": "bszn", "title": "社会保障卡补办指南",
        "body": "社会保障卡丢失后可申请补办。" }),
    )
    .await;
    let mut admin = Browser::signed_in(&t, "pingtai", &[Grant::node(Role::PlatformAdmin)]).await;

    // A topic card added in the console shows above the results.
    let r = submit(
        &mut admin,
        "/admin/search/topics",
        "/admin/search/topics",
        &[
            ("id", "pet_dogs"),
            ("title", "犬只管理"),
            ("summary", "养犬登记、年检与防疫"),
            ("keywords", "养狗\n犬只"),
            ("links", "养犬登记|犬只登记"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = admin.get("/admin/search/topics").await;
    assert!(
        page.text.contains("犬只管理") && page.text.contains("本级"),
        "{}",
        page.text
    );
    let found = t.search("养狗").await;
    assert_eq!(found["topics"][0]["title"], "犬只管理", "{found}");
    let edit = admin.get("/admin/search/topics/edit?id=pet_dogs").await;
    assert!(edit.text.contains("养犬登记|犬只登记"), "{}", edit.text);
    let bad = submit(
        &mut admin,
        "/admin/search/topics",
        "/admin/search/topics",
        &[("id", "Bad Id"), ("title", "x"), ("keywords", "y")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text.contains("卡片标识"), "{}", bad.text);

    // Searches that find nothing show in the analytics, with a link to add a synonym.
    for _ in 0..3 {
        assert_eq!(t.search("办狗证").await["total"], 0);
    }
    t.search("社会保障卡").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    let page = loop {
        let page = admin.get("/admin/search/analytics?days=7").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        if page.text.contains("办狗证") {
            break page;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no analytics: {}",
            page.text
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(page.text.contains("<svg"), "{}", page.text);
    let zero = between(&page.text, "没有结果的搜索词（表格）", "</table>");
    assert!(zero.contains("办狗证"), "{zero}");
    assert!(
        zero.contains("synonym?phrase=%E5%8A%9E%E7%8B%97%E8%AF%81"),
        "{zero}"
    );
    let form = admin
        .get("/admin/search/synonym?phrase=%E5%8A%9E%E7%8B%97%E8%AF%81")
        .await;
    assert!(form.text.contains(r#"value="办狗证""#), "{}", form.text);

    // 试一试: the segmentation, the synonym reading, the question words left out.
    let page = admin.get("/admin/search/try?q=社保卡怎么补办").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("<span class=\"badge\">社保卡</span>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("同义词：社会保障卡"), "{}", page.text);
    assert!(page.text.contains("怎么"), "{}", page.text);
    assert!(page.text.contains("社会保障卡补办指南"), "{}", page.text);
    assert!(page.text.contains("由广东省节点作答"), "{}", page.text);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_knowledge_base_entries_letters_and_unanswered_questions() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "wd", "常见问题", "qa").await;
    let staff = t.staff("gd").await;
    let entry = t
        .publish(
            "gd",
            &staff,
            json!({ "column": "wd", "title": "社会保障卡丢失了怎么补办？",
            "body": "可到社保经办机构申请补办。" }),
        )
        .await;
    let id = entry["id"].as_i64().unwrap();

    // The reviewer's list: the entry by state name, with 撤下.
    let mut reviewer = Browser::signed_in(&t, "shenhe", &[Grant::site(Role::Reviewer, "gd")]).await;
    let page = reviewer.get("/admin/knowledge").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("社会保障卡丢失了怎么补办？"),
        "{}",
        page.text
    );
    assert!(page.text.contains("已发布"), "{}", page.text);
    let retire = format!("/admin/knowledge/{id}/retire");
    let r = submit(
        &mut reviewer,
        "/admin/knowledge",
        &retire,
        &[("reason", "")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("撤下原因"), "{}", r.text);
    let r = submit(
        &mut reviewer,
        "/admin/knowledge",
        &retire,
        &[("reason", "政策已调整")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = reviewer.get("/admin/knowledge").await;
    assert!(page.text.contains("已撤稿"), "{}", page.text);
    assert_eq!(
        t.get(&format!("/sites/gd/articles/{id}")).await.status,
        StatusCode::GONE
    );
    // An editor sees the list (with 新建问答) but has no 撤下.
    let mut editor = Browser::signed_in(&t, "bianji", &[Grant::site(Role::Editor, "gd")]).await;
    let page = editor.get("/admin/knowledge").await;
    assert!(
        page.text.contains("new?site=gd&amp;column=wd"),
        "{}",
        page.text
    );

    // A question the assistant cannot answer is recorded (masked), listed, then dismissed.
    for _ in 0..2 {
        let p = t
            .get("/sites/gd/qa?q=宠物犬只登记办理地点在哪里13800138000")
            .await;
        assert_eq!(p.status, StatusCode::OK);
    }
    let page = editor.get("/admin/knowledge/unanswered").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("宠物犬只登记办理地点在哪里#"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("13800138000"));
    assert!(page.text.contains("写成问答"), "{}", page.text);
    assert!(
        page.text.contains("&amp;title=") || page.text.contains("&title="),
        "{}",
        page.text
    );
    let new = editor
        .get("/admin/articles/new?site=gd&column=wd&title=%E5%AE%A0%E7%89%A9")
        .await;
    assert!(new.text.contains(r#"value="宠物""#), "{}", new.text);
    let r = submit(
        &mut editor,
        "/admin/knowledge/unanswered",
        "/admin/knowledge/unanswered/dismiss",
        &[("site", "gd"), ("question", "宠物犬只登记办理地点在哪里#")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = editor.get("/admin/knowledge/unanswered").await;
    assert!(
        !page.text.contains("宠物犬只登记办理地点在哪里#"),
        "{}",
        page.text
    );

    // A replied letter (with consent) becomes a Q&A draft from the console.
    let r = t
        .call(
            Method::PUT,
            "/api/admin/interaction/bodies/gaj",
            Some(&t.admin),
            Some(json!({ "name": "广东省公安厅" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let handler = t.token(Role::Handler, Some("440000.gaj"), "gaj-api").await;
    let filed = t
        .call(Method::POST, "/api/interaction/tickets?site=gd", None,
            Some(json!({ "kind": "consultation", "body": "440000.gaj", "subject": "犬只登记在哪里办理？",
                "content": "请问犬只登记办理地点在哪里？", "name": "钱七", "phone": "13500135000", "consent_public": true })))
        .await
        .json();
    let code = filed["code"].as_str().unwrap().to_string();
    for action in [
        json!({ "action": "accept" }),
        json!({ "action": "reply", "text": "可到居住地派出所办理犬只登记。" }),
    ] {
        let r = t
            .call(
                Method::POST,
                &format!("/api/admin/interaction/tickets/{code}/actions"),
                Some(&handler),
                Some(action),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    // Editors are not handlers.
    assert_eq!(
        editor.get("/admin/knowledge/from-letters").await.status,
        StatusCode::FORBIDDEN
    );
    let mut clerk = Browser::signed_in(&t, "jingban", &[Grant::body("440000.gaj")]).await;
    let page = clerk.get("/admin/knowledge/from-letters").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("犬只登记在哪里办理？"), "{}", page.text);
    assert!(page.text.contains("广东省公安厅"), "{}", page.text);
    assert!(!page.text.contains("13500135000"));
    let r = submit(
        &mut clerk,
        "/admin/knowledge/from-letters",
        "/admin/knowledge/from-letters",
        &[("code", &code), ("target", "gd/wd")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = clerk.get(&location(&r)).await;
    assert!(page.text.contains("已生成问答草稿"), "{}", page.text);
    let page = editor.get("/admin/knowledge").await;
    let row = between(&page.text, "犬只登记在哪里办理？", "</tr>");
    assert!(row.contains("草稿"), "{row}");

    if govnode_tests::browser::available() {
        check_pages(&t, &code).await;
    }
    t.stop().await;
}

/// Every new page, signed in as a platform administrator, through Chromium and axe-core.
async fn check_pages(t: &TestNode, _code: &str) {
    use govnode_tests::browser::{assert_no_problems, check, page};
    // Chromium at 1280 and 375 px, axe-core: no serious or critical violation, no overflow.
    let session = t
        .console_session("browser.admin", &[Grant::node(Role::PlatformAdmin)])
        .await;
    t.search("办狗证").await;
    let cookies = json!([{ "name": "govnode_session", "value": session }]);
    let pages: Vec<serde_json::Value> = [
        ("dictionary", "/admin/search?q=社保"),
        ("synonym", "/admin/search/synonym?phrase=社保卡"),
        ("topics", "/admin/search/topics"),
        ("analytics", "/admin/search/analytics?days=30"),
        ("try", "/admin/search/try?q=社保卡怎么补办"),
        ("knowledge", "/admin/knowledge"),
        ("unanswered", "/admin/knowledge/unanswered"),
        ("letters", "/admin/knowledge/from-letters"),
    ]
    .into_iter()
    .map(|(name, path)| {
        let mut p = page(name, t.url(path));
        p["cookies"] = cookies.clone();
        p
    })
    .collect();
    let results = check(pages).await;
    assert_no_problems(&results);
    assert!(govnode_tests::browser::text_of(&results, "try").contains("同义词：社会保障卡"));
    assert!(govnode_tests::browser::text_of(&results, "letters").contains("犬只登记在哪里办理？"));
}
