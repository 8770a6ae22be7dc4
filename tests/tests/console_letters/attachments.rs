//! A letter's attachments for its handlers: images, PDF and plain text shown in the browser
//! (inline, sandboxed, never cached), anything else downloaded; refused to other bodies.

use govnode_accounts::Grant;
use govnode_tests::console::Browser;
use govnode_tests::{Method, StatusCode};
use serde_json::json;

use super::{CZT, HRSS, node};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_open_in_the_browser_when_safe() {
    let t = node().await;
    let mut hashes = Vec::new();
    for (mime, bytes) in [
        ("image/png", &b"\x89PNG\r\n\x1a\n fake image"[..]),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            &b"PK\x03\x04 fake docx"[..],
        ),
    ] {
        let up = t
            .http
            .post(t.url("/api/interaction/attachments"))
            .header("content-type", mime)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(up.status(), StatusCode::CREATED);
        hashes.push(
            up.json::<serde_json::Value>().await.unwrap()["hash"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let r = t
        .call(Method::POST, "/api/interaction/tickets?site=gd", None, Some(json!({ "kind": "complaint", "body": HRSS,
            "subject": "窗口态度问题", "content": "附现场照片和说明文件。", "name": "王五", "phone": "13700137000",
            "attachments": [[hashes[0], "现场照片.png"], [hashes[1], "说明.docx"]] })))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let code = r.json()["code"].as_str().unwrap().to_string();
    let mut li = Browser::signed_in(&t, "li.handler", &[Grant::body(HRSS)]).await;
    let page = li.get(&format!("/admin/letters/{code}")).await;
    assert!(
        page.text.contains("现场照片.png")
            && page.text.contains("在浏览器中查看")
            && page.text.contains("下载"),
        "{}",
        page.text
    );
    let image = li
        .get(&format!("/admin/letters/{code}/attachments/{}", hashes[0]))
        .await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.header("content-type"), Some("image/png"));
    assert!(
        image
            .header("content-disposition")
            .unwrap()
            .starts_with("inline")
    );
    assert!(
        image
            .header("content-security-policy")
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(image.header("cache-control"), Some("no-store"));
    let doc = li
        .get(&format!("/admin/letters/{code}/attachments/{}", hashes[1]))
        .await;
    assert!(
        doc.header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    let mut qian = Browser::signed_in(&t, "qian.handler", &[Grant::body(CZT)]).await;
    let refused = qian
        .get(&format!("/admin/letters/{code}/attachments/{}", hashes[0]))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    t.stop().await;
}
