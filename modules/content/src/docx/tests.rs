//! The converter on small documents built here, part by part.

use std::io::Write;

use super::*;
use crate::sanitize::{BodyFormat, body_to_html};

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape""#;

/// A 1×1 PNG.
pub(crate) const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

const STYLES: &str = r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="2"><w:name w:val="标题 2"/><w:basedOn w:val="a"/></w:style>
<w:style w:type="paragraph" w:styleId="x3"><w:name w:val="My Level"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="yd"><w:name w:val="要点"/><w:basedOn w:val="a"/><w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="yd2"><w:name w:val="要点（斜）"/><w:basedOn w:val="yd"/><w:rPr><w:i/></w:rPr></w:style>
<w:style w:type="character" w:styleId="a3"><w:name w:val="Strong"/><w:rPr><w:b/><w:bCs/></w:rPr></w:style>
<w:style w:type="character" w:styleId="a4"><w:name w:val="Emphasis"/><w:rPr><w:i/><w:iCs/></w:rPr></w:style>
<w:style w:type="table" w:styleId="t1"><w:name w:val="Table Grid"/><w:rPr><w:b/></w:rPr></w:style>
</w:styles>"#;

const NUMBERING: &str = r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="decimal"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>"#;

const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/>
<Relationship Id="rId6" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://www.gov.cn/zhengce/" TargetMode="External"/>
</Relationships>"#;

/// A .docx whose body is `body`, with the styles, numbering, relationships and image above.
pub(crate) fn docx(body: &str) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    zip_of(&[
        ("[Content_Types].xml", b"<Types/>".as_slice()),
        ("word/document.xml", document.as_bytes()),
        ("word/styles.xml", STYLES.as_bytes()),
        ("word/numbering.xml", NUMBERING.as_bytes()),
        ("word/_rels/document.xml.rels", RELS.as_bytes()),
        ("word/media/image1.png", PNG),
    ])
}

/// A zip of `parts`, deflated.
pub(crate) fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn p(style: Option<&str>, runs: &str) -> String {
    let ppr = style
        .map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#))
        .unwrap_or_default();
    format!("<w:p>{ppr}{runs}</w:p>")
}

fn r(text: &str) -> String {
    format!(r#"<w:r><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}

fn item(num: u32, level: u32, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>{}</w:p>"#,
        r(text)
    )
}

fn cell(text: &str, extra: &str) -> String {
    format!("<w:tc><w:tcPr>{extra}</w:tcPr>{}</w:tc>", p(None, &r(text)))
}

const IMAGE: &str = r#"<w:r><w:drawing><wp:inline><wp:docPr id="1" name="图片 1" descr="办事流程图"/><a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed="rId5"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#;

fn url_of(part: &str) -> Option<String> {
    (part == "word/media/image1.png").then(|| "/blobs/abc".to_string())
}

fn full_body() -> String {
    [
        p(Some("1"), &r("关于做好2026年春节期间安全工作的通知")),
        p(Some("2"), &r("一、总体要求")),
        p(
            None,
            &[
                r("各单位：请"),
                r#"<w:r><w:rPr><w:b/></w:rPr><w:t>务必</w:t></w:r>"#.to_string(),
                r("按时"),
                r#"<w:r><w:rPr><w:i/></w:rPr><w:t>报送</w:t></w:r>"#.to_string(),
                r("。详见"),
                r#"<w:hyperlink r:id="rId6"><w:r><w:t>中国政府网</w:t></w:r></w:hyperlink>"#
                    .to_string(),
                r("。"),
            ]
            .concat(),
        ),
        item(1, 0, "加强领导"),
        item(1, 0, "落实责任"),
        item(1, 1, "明确分工"),
        p(Some("x3"), &r("（一）报送材料")),
        item(2, 0, "填写申请表"),
        item(2, 0, "提交材料"),
        format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr><w:tr>{}</w:tr></w:tbl>",
            cell("项目", ""),
            cell("金额（元）", ""),
            cell("办公费|印刷", ""),
            cell("1,000", ""),
            cell("合计：1,000", r#"<w:gridSpan w:val="2"/>"#),
        ),
        p(None, IMAGE),
        p(
            None,
            r#"<w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t></w:r>"#,
        ),
        p(None, &r("　　#1. 全角空格与“引号”保持不变。")),
    ]
    .concat()
}

#[test]
fn a_document_becomes_the_expected_markdown() {
    let doc = DocxDocument::read(&docx(&full_body())).unwrap();
    assert_eq!(doc.title(), Some("关于做好2026年春节期间安全工作的通知"));
    let md = doc.markdown(&url_of);
    let want = [
        "## 一、总体要求",
        "",
        "各单位：请**务必**按时*报送*。详见[中国政府网](https://www.gov.cn/zhengce/)。",
        "",
        "- 加强领导",
        "- 落实责任",
        "  - 明确分工",
        "",
        "### （一）报送材料",
        "",
        "1. 填写申请表",
        "2. 提交材料",
        "",
        "| 项目 | 金额（元） |",
        "| --- | --- |",
        "| 办公费\\|印刷 | 1,000 |",
        "| 合计：1,000 |  |",
        "",
        "![办事流程图](/blobs/abc)",
        "",
        "第一行\\",
        "第二行",
        "",
        "\u{3000}\u{3000}#1. 全角空格与“引号”保持不变。",
        "",
    ]
    .join("\n");
    assert_eq!(md, want);
    assert_eq!(doc.images.len(), 1);
    assert_eq!(doc.images[0].mime, "image/png");
    assert_eq!(doc.images[0].bytes, PNG);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let html = body_to_html(&md, BodyFormat::Markdown);
    for want in [
        "<h2>一、总体要求</h2>",
        "<strong>务必</strong>",
        "<em>报送</em>",
        "<a href=\"https://www.gov.cn/zhengce/\" rel=\"noopener noreferrer\">中国政府网</a>",
        "<li>落实责任\n<ul>\n<li>明确分工</li>",
        "<ol>\n<li>填写申请表</li>",
        "<th>项目</th>",
        "<td>办公费|印刷</td>",
        "<img src=\"/blobs/abc\" alt=\"办事流程图\">",
        "第一行<br>\n第二行",
    ] {
        assert!(html.contains(want), "{want} not in {html}");
    }
}

#[test]
fn emphasis_next_to_chinese_punctuation_uses_tags() {
    let body = p(
        None,
        &format!(
            "{}{}",
            r#"<w:r><w:rPr><w:b/></w:rPr><w:t>特此通知。</w:t></w:r>"#,
            r("附件"),
        ),
    );
    let doc = DocxDocument::read(&docx(&(p(Some("1"), &r("标题")) + &body))).unwrap();
    assert_eq!(doc.markdown(&url_of), "<strong>特此通知。</strong>附件\n");
}

#[test]
fn tracked_changes_are_accepted_and_what_is_left_out_is_named() {
    let body = [
        p(Some("1"), &r("标题")),
        p(
            None,
            &format!(
                "{}<w:ins>{}</w:ins><w:del><w:r><w:delText>删除的</w:delText></w:r></w:del>{}",
                r("保留"),
                r("新增的"),
                r("文字"),
            ),
        ),
        p(
            None,
            &format!(
                r#"{}<w:r><w:drawing><wp:anchor><wps:wsp><wps:txbx><w:txbxContent>{}</w:txbxContent></wps:txbx></wps:wsp></wp:anchor></w:drawing></w:r><w:r><w:footnoteReference w:id="1"/></w:r>"#,
                r("正文"),
                p(None, &r("文本框里的字")),
            ),
        ),
    ]
    .concat();
    let doc = DocxDocument::read(&docx(&body)).unwrap();
    assert_eq!(doc.markdown(&url_of), "保留新增的文字\n\n正文\n");
    assert_eq!(
        doc.warnings,
        [
            "文档含有修订，已按接受全部修订后的文本导入",
            "文本框中的内容未导入，请手工补充",
            "脚注未导入，请手工补充",
        ]
    );
}

#[test]
fn markdown_syntax_in_text_is_escaped() {
    let body = p(None, &r("1. *不是* [列表] &amp; &lt;b&gt; # 号"));
    let doc = DocxDocument::read(&docx(&body)).unwrap();
    assert_eq!(doc.title(), None);
    let md = doc.markdown(&url_of);
    assert_eq!(md, "1\\. \\*不是\\* \\[列表\\] \\& \\<b\\> # 号\n");
    assert_eq!(
        body_to_html(&md, BodyFormat::Markdown),
        "<p>1. *不是* [列表] &amp; &lt;b&gt; # 号</p>\n"
    );
}

#[test]
fn hostile_and_wrong_files_are_refused_by_name() {
    assert_eq!(
        DocxDocument::read(b"%PDF-1.7 not a word file").unwrap_err(),
        DocxError::NotDocx
    );
    assert_eq!(
        DocxDocument::read(b"PK\x03\x04 truncated").unwrap_err(),
        DocxError::NotDocx
    );
    let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
    assert_eq!(
        DocxDocument::read(&ole).unwrap_err(),
        DocxError::LegacyOrEncrypted
    );
    let no_body = zip_of(&[("[Content_Types].xml", b"<Types/>".as_slice())]);
    let e = DocxDocument::read(&no_body).unwrap_err();
    assert_eq!(e, DocxError::MissingPart("word/document.xml"));
    assert_eq!(e.chinese(), "文档中缺少正文 word/document.xml");
    let other_zip = zip_of(&[("readme.txt", b"hello".as_slice())]);
    assert_eq!(
        DocxDocument::read(&other_zip).unwrap_err(),
        DocxError::NotDocx
    );
    let huge = vec![0u8; usize::try_from(MAX_UPLOAD_BYTES).unwrap() + 1];
    let e = DocxDocument::read(&huge).unwrap_err();
    assert!(
        e.is_too_large() && e.chinese().starts_with("文档过大"),
        "{e}"
    );
    let broken = zip_of(&[
        ("[Content_Types].xml", b"<Types/>".as_slice()),
        (
            "word/document.xml",
            b"<w:document><w:body><w:p></w:body>".as_slice(),
        ),
    ]);
    assert!(matches!(
        DocxDocument::read(&broken).unwrap_err(),
        DocxError::Damaged { part, .. } if part == "word/document.xml"
    ));
}

#[test]
fn a_zip_bomb_stops_at_the_budget() {
    // 8 MiB of zeros compress to a few KiB; with a 1 MiB budget reading stops there.
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let bytes = zip_of(&[
        ("[Content_Types].xml", b"<Types/>".as_slice()),
        ("word/document.xml", zeros.as_slice()),
    ]);
    assert!(bytes.len() < 100_000, "{}", bytes.len());
    let mut archive = archive::Archive::open(&bytes)
        .unwrap()
        .with_budget(1024 * 1024);
    assert!(matches!(
        archive.part("word/document.xml").unwrap_err(),
        DocxError::Unpacked { .. }
    ));
}

#[test]
fn too_many_entries_are_refused() {
    let names: Vec<String> = (0..=MAX_ENTRIES).map(|i| format!("f{i}")).collect();
    let parts: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), b"".as_slice())).collect();
    assert!(matches!(
        DocxDocument::read(&zip_of(&parts)).unwrap_err(),
        DocxError::TooManyEntries { .. }
    ));
}

#[test]
fn merged_and_nested_cells_keep_the_grid() {
    let restart = r#"<w:vMerge w:val="restart"/>"#;
    let table = format!(
        "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr><w:tr>{}<w:tc>{}<w:tbl><w:tr>{}</w:tr></w:tbl></w:tc></w:tr></w:tbl>",
        cell("地区", restart),
        cell("人数", ""),
        cell("", "<w:vMerge/>"),
        cell("12", ""),
        cell("广州", ""),
        p(None, &r("外层")),
        cell("内层", ""),
    );
    let doc = DocxDocument::read(&docx(&table)).unwrap();
    assert_eq!(
        doc.markdown(&url_of),
        "| 地区 | 人数 |\n| --- | --- |\n|  | 12 |\n| 广州 | 外层 内层 |\n"
    );
    assert_eq!(doc.warnings, [warnings::NESTED_TABLE]);
}

#[test]
fn the_title_comes_from_the_documents_properties_first() {
    let core = r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>广东省人民政府办公厅关于印发某某方案的通知</dc:title></cp:coreProperties>"#;
    let document = format!(
        r#"<w:document {NS}><w:body>{}{}</w:body></w:document>"#,
        p(Some("1"), &r("第一章 总则")),
        p(None, &r("正文。")),
    );
    let bytes = zip_of(&[
        ("[Content_Types].xml", b"<Types/>".as_slice()),
        ("word/document.xml", document.as_bytes()),
        ("word/styles.xml", STYLES.as_bytes()),
        ("docProps/core.xml", core.as_bytes()),
    ]);
    let doc = DocxDocument::read(&bytes).unwrap();
    assert_eq!(
        doc.title(),
        Some("广东省人民政府办公厅关于印发某某方案的通知")
    );
    // The first heading is not the title, so it stays in the body.
    assert_eq!(doc.markdown(&url_of), "# 第一章 总则\n\n正文。\n");
}

fn styled_run(style: &str, extra: &str, text: &str) -> String {
    format!(
        r#"<w:r><w:rPr><w:rStyle w:val="{style}"/>{extra}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>"#
    )
}

#[test]
fn emphasis_from_paragraph_and_character_styles() {
    let body = [
        p(Some("yd"), &r("要点段落")),
        p(Some("yd2"), &r("斜体要点")),
        p(
            None,
            &format!(
                "{}{}{}{}",
                r("普通"),
                styled_run("a3", "", "加粗字符样式"),
                styled_run("a4", "", "强调"),
                styled_run("a3", r#"<w:b w:val="0"/>"#, "直接取消加粗"),
            ),
        ),
        p(Some("t1"), &r("表格样式不影响")),
    ]
    .concat();
    let doc = DocxDocument::read(&docx(&body)).unwrap();
    let md = doc.markdown(&url_of);
    assert!(md.contains("**要点段落**"), "{md}");
    assert!(
        md.contains("***斜体要点***") || md.contains("**_斜体要点_**"),
        "{md}"
    );
    assert!(md.contains("普通**加粗字符样式**"), "{md}");
    assert!(md.contains("*强调*") || md.contains("_强调_"), "{md}");
    assert!(
        md.contains("直接取消加粗") && !md.contains("**直接取消加粗"),
        "{md}"
    );
    assert!(
        md.contains("表格样式不影响") && !md.contains("**表格样式"),
        "{md}"
    );
}
