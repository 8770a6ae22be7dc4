//! The Q&A assistant's page (智能问答) at a site's `qa` path: a GET form, the answer with
//! links to its documents, a consultation pre-filled with the question when nothing
//! answers; and a question whose key words a published policy's title holds is answered
//! with that policy (it used to search written Q&A only).

use govnode_tests::{StatusCode, TestNode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_qa_page_answers_from_published_documents() {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "zcwj", "政策文件", "policy").await;
    t.column("gd", "gzdt", "工作动态", "news").await;
    let staff = t.staff("gd").await;
    t.publish(
        "gd",
        &staff,
        json!({ "column": "gzdt", "title": "省住房公积金管理委员会召开年度会议",
        "body": "会议听取了住房公积金年度工作报告。" }),
    )
    .await;
    let policy = t
        .publish("gd", &staff, json!({ "column": "zcwj", "title": "住房公积金提取管理办法",
            "body": "第一条 为规范住房公积金提取，制定本办法。第二条 职工购买、建造自住住房的，可以申请提取住房公积金账户内的存储余额。" }))
        .await;
    let url = format!("/sites/gd/articles/{}", policy["id"].as_i64().unwrap());

    // The API answers with the policy, confidently.
    let r = t.get("/api/qa?q=怎么提取公积金&site=gd").await.json();
    assert_eq!(r["confident"], true, "{r}");
    assert_eq!(r["answers"][0]["question"], "住房公积金提取管理办法", "{r}");
    assert_eq!(r["answers"][0]["url"], url.as_str());
    assert!(r["consultation"].is_null());

    // The page: the question kept in its form, the answer linking its source.
    let page = t.get("/sites/gd/qa?q=怎么提取公积金").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let html = &page.text;
    assert!(
        html.contains("<h1>智能问答</h1>") && html.contains("<h2 id=\"answer-h\">答案</h2>"),
        "{html}"
    );
    assert!(
        html.contains(&format!("<a href=\"{url}\">住房公积金提取管理办法</a>")),
        "{html}"
    );
    assert!(html.contains("来源：广东省人民政府 · 政策文件"), "{html}");
    assert!(
        html.contains("<label for=\"qa-q\">") && html.contains("value=\"怎么提取公积金\""),
        "{html}"
    );
    assert!(html.contains("method=\"get\""));

    // Nothing answers: said so, with a consultation whose form is pre-filled.
    let page = t.get("/sites/gd/qa?q=宠物犬只登记办理地点").await;
    assert!(page.text.contains("未找到可靠答案"), "{}", page.text);
    let start = page.text.find("写信咨询").unwrap();
    let link = &page.text[..start];
    let link = &link[link.rfind("href=\"").unwrap() + 6..];
    let link = link[..link.find('"').unwrap()].replace("&amp;", "&");
    assert!(
        link.starts_with("/sites/gd/letters?kind=consultation&subject="),
        "{link}"
    );
    let letters = t.get(&link).await.text;
    assert!(
        letters.contains(">宠物犬只登记办理地点</textarea>"),
        "{letters}"
    );
    assert!(
        letters.contains("<option value=\"consultation\" selected>"),
        "{letters}"
    );
    // The letters page leads to the assistant.
    assert!(letters.contains("href=\"/sites/gd/qa\""), "{letters}");

    // No question, or one too long; and the page by the site's host name.
    let empty = t.get("/sites/gd/qa?q=").await;
    assert!(empty.text.contains("请输入您的问题"), "{}", empty.text);
    let long = "问".repeat(201);
    let r = t.get(&format!("/sites/gd/qa?q={long}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text.contains("问题不能超过 200 字（现为 201 字）"),
        "{}",
        r.text
    );
    let by_host = t.get_host("gd.gov.test", "/qa?q=怎么提取公积金").await;
    assert_eq!(by_host.status, StatusCode::OK);
    assert!(
        by_host.text.contains("住房公积金提取管理办法"),
        "{}",
        by_host.text
    );
    t.stop().await;
}
