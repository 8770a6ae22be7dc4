//! Importing a Word document (.docx) into a draft (issue 13, test 2): through the API and
//! through the console's form, with documents built here part by part.

use std::io::Write;

use govnode_accounts::{Grant, Role};
use govnode_tests::{TestNode, blake3_hex};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture""#;

/// Chinese Word's built-in heading styles: ids "1", "2", names "标题 1"…
const STYLES: &str = r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:type="paragraph" w:styleId="1"><w:name w:val="标题 1"/></w:style><w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/></w:style></w:styles>"#;

const NUMBERING: &str = r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl></w:abstractNum><w:num w:numId="3"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#;

const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/></Relationships>"#;

/// A zip of `parts`, deflated.
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, bytes) in parts {
        w.start_file(*name, options).expect("entry");
        w.write_all(bytes).expect("write");
    }
    w.finish().expect("zip").into_inner()
}

fn docx(body: &str) -> Vec<u8> {
    let document = format!(r#"<w:document {NS}><w:body>{body}</w:body></w:document>"#);
    zip_of(&[
        ("[Content_Types].xml", b"<Types/>".as_slice()),
        ("word/document.xml", document.as_bytes()),
        ("word/styles.xml", STYLES.as_bytes()),
        ("word/numbering.xml", NUMBERING.as_bytes()),
        ("word/_rels/document.xml.rels", RELS.as_bytes()),
        ("word/media/image1.png", PNG),
    ])
}

fn para(style: &str, text: &str) -> String {
    let ppr = if style.is_empty() {
        String::new()
    } else {
        format!(r#"<w:pPr><w:pStyle w:val="{style}"/></w:pPr>"#)
    };
    format!("<w:p>{ppr}<w:r><w:t>{text}</w:t></w:r></w:p>")
}

fn item(text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
    )
}

fn row(cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .map(|c| format!("<w:tc>{}</w:tc>", para("", c)))
        .collect();
    format!("<w:tr>{cells}</w:tr>")
}

/// A heading, a list, a table and an image, under the document's title.
fn notice() -> Vec<u8> {
    docx(
        &[
            para("1", "关于开展2026年度政务公开工作的通知"),
            para("2", "一、工作任务"),
            item("梳理公开目录"),
            item("更新办事指南"),
            format!(
                "<w:tbl>{}{}</w:tbl>",
                row(&["事项", "完成时限"]),
                row(&["公开目录", "6月30日前"])
            ),
            r#"<w:p><w:r><w:drawing><wp:inline><wp:docPr id="1" name="图片 1" descr="工作流程图"/><a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed="rId9"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#.to_string(),
        ]
        .concat(),
    )
}

async fn upload(t: &TestNode, path: &str, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let r = t
        .http
        .post(t.url(path))
        .bearer_auth(token)
        .header("content-type", DOCX)
        .body(bytes)
        .send()
        .await
        .expect("upload");
    let status = r.status();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| json!({ "text": text })),
    )
}

async fn node() -> TestNode {
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "notice", "通知公告", "notice").await;
    t.site("gz", "广州市人民政府").await;
    t.column("gz", "notice", "通知公告", "notice").await;
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_imports_into_the_expected_structure_and_publishes() {
    let t = node().await;
    let staff = t.staff("gd").await;
    let (status, reply) = upload(
        &t,
        "/api/admin/sites/gd/articles/docx?column=notice",
        &staff.editor,
        notice(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["warnings"], json!([]));
    let article = &reply["article"];
    assert_eq!(article["state"], "draft");
    assert_eq!(article["column"], "notice");
    assert_eq!(
        article["doc"]["title"],
        "关于开展2026年度政务公开工作的通知"
    );
    let hash = blake3_hex(PNG);
    assert_eq!(
        article["doc"]["body"].as_str().expect("body"),
        format!(
            "## 一、工作任务\n\n1. 梳理公开目录\n2. 更新办事指南\n\n| 事项 | 完成时限 |\n| --- | --- |\n| 公开目录 | 6月30日前 |\n\n![工作流程图](/blobs/{hash})\n"
        )
    );
    // The image is a stored blob, served where the body points.
    let blob = t
        .http
        .get(t.url(&format!("/blobs/{hash}")))
        .send()
        .await
        .expect("blob");
    assert_eq!(blob.status(), StatusCode::OK);
    assert_eq!(blob.headers()["content-type"], "image/png");
    assert_eq!(blob.bytes().await.expect("bytes").as_ref(), PNG);

    // After review, the public page shows the table and the image.
    let id = article["id"].as_i64().expect("id");
    for (who, action) in [
        (&staff.editor, "submit"),
        (&staff.reviewer, "approve"),
        (&staff.reviewer, "publish"),
    ] {
        let r = t
            .post(
                &format!("/api/admin/articles/{id}/{action}"),
                who,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.text);
    }
    let page = t.get(&format!("/sites/gd/articles/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for want in [
        "关于开展2026年度政务公开工作的通知",
        "<h2>一、工作任务</h2>",
        "<li>梳理公开目录</li>",
        "<th>事项</th>",
        "<td>6月30日前</td>",
        &format!("<img src=\"/blobs/{hash}\" alt=\"工作流程图\">"),
    ] {
        assert!(page.text.contains(want), "{want} not on the page");
    }
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_files_are_refused_by_name_and_nothing_is_created() {
    let t = node().await;
    let staff = t.staff("gd").await;
    let path = "/api/admin/sites/gd/articles/docx?column=notice";
    // A zip bomb: one body part of 101 MiB of zeros, a fraction of a MiB packed.
    let zeros = vec![0u8; 101 * 1024 * 1024];
    let bomb = zip_of(&[
        ("[Content_Types].xml", b"<Types/>".as_slice()),
        ("word/document.xml", zeros.as_slice()),
    ]);
    drop(zeros);
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    let no_body = zip_of(&[("[Content_Types].xml", b"<Types/>".as_slice())]);
    let mut broken = notice();
    broken.truncate(broken.len() / 2);
    for (what, bytes, status, says) in [
        (
            "a damaged zip",
            broken,
            StatusCode::BAD_REQUEST,
            "not a Word document (.docx)",
        ),
        (
            "a PDF",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec(),
            StatusCode::BAD_REQUEST,
            "not a Word document (.docx)",
        ),
        (
            "a zip without a body",
            no_body,
            StatusCode::BAD_REQUEST,
            "the document lacks its word/document.xml",
        ),
        (
            "a zip bomb",
            bomb,
            StatusCode::BAD_REQUEST,
            "the document unpacks to more than 104857600 bytes",
        ),
        (
            "an over-size upload",
            vec![b'P'; 20 * 1024 * 1024 + 1],
            StatusCode::PAYLOAD_TOO_LARGE,
            "document too large: at most 20971520 bytes",
        ),
    ] {
        let (s, reply) = upload(&t, path, &staff.editor, bytes).await;
        assert_eq!(s, status, "{what}: {reply}");
        assert_eq!(reply["message"], says, "{what}: {reply}");
    }
    // An editor of another site may not import into this one.
    let gz = t.staff("gz").await;
    let (s, reply) = upload(&t, path, &gz.editor, notice()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{reply}");
    assert_eq!(reply["error"], "forbidden");
    // No column, or one the site lacks.
    let (s, reply) = upload(
        &t,
        "/api/admin/sites/gd/articles/docx",
        &staff.editor,
        notice(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{reply}");
    let (s, reply) = upload(
        &t,
        "/api/admin/sites/gd/articles/docx?column=nope",
        &staff.editor,
        notice(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{reply}");
    assert_eq!(reply["message"], "column: no column `nope` in site `gd`");
    let list = t
        .call(
            Method::GET,
            "/api/admin/sites/gd/articles",
            Some(&t.admin),
            None,
        )
        .await
        .json();
    assert_eq!(list, json!([]), "a refused import created a draft");
    t.stop().await;
}

/// A multipart form as a browser sends it.
fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----govnode-test-boundary-7e1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"通知.docx\"\r\nContent-Type: {DOCX}\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn csrf_of(page: &str) -> String {
    let field = "name=\"csrf\" value=\"";
    let at = page.find(field).expect("a csrf field") + field.len();
    page[at..].split('"').next().expect("its value").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_form_creates_the_draft_and_redirects() {
    let t = node().await;
    let session = t
        .console_session("gd-bianji", &[Grant::site(Role::Editor, "gd")])
        .await;
    let cookie = format!("govnode_session={session}");
    let get = |path: &'static str| {
        let (t, cookie) = (&t, cookie.clone());
        async move {
            let r = t
                .http
                .get(t.url(path))
                .header("cookie", cookie)
                .send()
                .await
                .expect("page");
            (r.status(), r.text().await.expect("text"))
        }
    };
    let (status, form) = get("/admin/articles/import").await;
    assert_eq!(status, StatusCode::OK, "{form}");
    // Only the places this editor may write in, by name.
    assert!(form.contains("广东省人民政府 · 通知公告"), "{form}");
    assert!(!form.contains("广州市人民政府"), "{form}");
    let csrf = csrf_of(&form);
    let post = |fields: Vec<(&'static str, String)>, file: Vec<u8>| {
        let (t, cookie) = (&t, cookie.clone());
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (ct, body) = multipart(&fields, &file);
            let r = t
                .http
                .post(t.url("/admin/articles/import"))
                .header("cookie", cookie)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .expect("post");
            let location = r
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            (r.status(), location, r.text().await.expect("text"))
        }
    };
    // Without the form's CSRF token nothing happens.
    let (status, _, _) = post(
        vec![("csrf", "0".repeat(64)), ("place", "gd:notice".into())],
        notice(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Not a Word document: the form again, saying so in Chinese.
    let (status, _, page) = post(
        vec![
            ("csrf", csrf.clone()),
            ("place", "gd:notice".into()),
            ("title", String::new()),
        ],
        b"%PDF-1.7".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("不是 Word 文档（.docx）"), "{page}");
    // Another site's column is refused.
    let (status, _, page) = post(
        vec![("csrf", csrf.clone()), ("place", "gz:notice".into())],
        notice(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("您不能在所选的栏目中撰写信息"), "{page}");
    let (status, location, _) = post(
        vec![
            ("csrf", csrf.clone()),
            ("place", "gd:notice".into()),
            ("title", "政务公开工作通知（导入）".into()),
        ],
        notice(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id: i64 = location
        .strip_prefix("/admin/articles/")
        .and_then(|rest| rest.strip_suffix("?done=created"))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirected to {location}"));
    let a = t
        .call(
            Method::GET,
            &format!("/api/admin/articles/{id}"),
            Some(&t.admin),
            None,
        )
        .await
        .json();
    assert_eq!(a["doc"]["title"], "政务公开工作通知（导入）");
    assert_eq!(a["created_by"], "gd-bianji");
    assert_eq!(a["state"], "draft");
    assert!(
        a["doc"]["body"]
            .as_str()
            .expect("body")
            .contains("| 公开目录 | 6月30日前 |")
    );

    // What did not come over is named on the page the import leads to.
    let with_footnote = docx(
        &[
            para("1", "带脚注的通知"),
            r#"<w:p><w:r><w:t>正文</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r></w:p>"#
                .to_string(),
        ]
        .concat(),
    );
    let (status, location, _) = post(
        vec![("csrf", csrf.clone()), ("place", "gd:notice".into())],
        with_footnote,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.starts_with("/admin/articles/import/done?id="),
        "{location}"
    );
    let r = t
        .http
        .get(t.url(&location))
        .header("cookie", cookie.clone())
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.expect("text");
    assert!(page.contains("脚注未导入，请手工补充"), "{page}");
    assert!(page.contains("已将 Word 文档导入为草稿"), "{page}");
    t.stop().await;
}
