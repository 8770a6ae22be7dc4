//! What an import could not carry over, in the words staff read, each with a short
//! stable code (the console passes codes in its redirect, never free text).

/// 文档含有修订，已按接受全部修订后的文本导入
pub const TRACKED: &str = "文档含有修订，已按接受全部修订后的文本导入";
/// 文本框中的内容未导入，请手工补充
pub const TEXT_BOX: &str = "文本框中的内容未导入，请手工补充";
/// 公式未导入，请手工补充
pub const EQUATION: &str = "公式未导入，请手工补充";
/// 嵌入的对象（如 Excel 表格）未导入，请作为附件上传
pub const OBJECT: &str = "嵌入的对象（如 Excel 表格）未导入，请作为附件上传";
/// 图表未导入，请另存为图片后插入
pub const CHART: &str = "图表未导入，请另存为图片后插入";
/// 脚注未导入，请手工补充
pub const FOOTNOTE: &str = "脚注未导入，请手工补充";
/// 尾注未导入，请手工补充
pub const ENDNOTE: &str = "尾注未导入，请手工补充";
/// 批注未导入
pub const COMMENT: &str = "批注未导入";
/// 部分特殊符号（Symbol 字体）未导入
pub const SYMBOL: &str = "部分特殊符号（Symbol 字体）未导入";
/// 有图片链接到文档之外，未导入
pub const LINKED_IMAGE: &str = "有图片链接到文档之外，未导入";
/// 表格中嵌套的表格已展开为文字
pub const NESTED_TABLE: &str = "表格中嵌套的表格已展开为文字";
/// 图片超过 200 张，其余未导入
pub const TOO_MANY_IMAGES: &str = "图片超过 200 张，其余未导入";
/// 有图片在文档中缺失，未导入
pub const MISSING_IMAGE: &str = "有图片在文档中缺失，未导入";
/// 有图片的格式（如 EMF、WMF、TIFF）无法在网页中显示，未导入，请另存为 PNG 或 JPEG 后插入
pub const IMAGE_FORMAT: &str =
    "有图片的格式（如 EMF、WMF、TIFF）无法在网页中显示，未导入，请另存为 PNG 或 JPEG 后插入";
/// 有图片超过上传大小上限，未导入
pub const IMAGE_TOO_LARGE: &str = "有图片超过上传大小上限，未导入";

/// Every warning with its code.
const ALL: [(&str, &str); 15] = [
    ("tracked", TRACKED),
    ("textbox", TEXT_BOX),
    ("equation", EQUATION),
    ("object", OBJECT),
    ("chart", CHART),
    ("footnote", FOOTNOTE),
    ("endnote", ENDNOTE),
    ("comment", COMMENT),
    ("symbol", SYMBOL),
    ("linked-image", LINKED_IMAGE),
    ("nested-table", NESTED_TABLE),
    ("images", TOO_MANY_IMAGES),
    ("missing-image", MISSING_IMAGE),
    ("image-format", IMAGE_FORMAT),
    ("image-size", IMAGE_TOO_LARGE),
];

/// The code of a warning's text.
pub fn code_of(text: &str) -> Option<&'static str> {
    ALL.iter().find(|(_, t)| *t == text).map(|(c, _)| *c)
}

/// The text of a warning's code.
pub fn text_of(code: &str) -> Option<&'static str> {
    ALL.iter().find(|(c, _)| *c == code).map(|(_, t)| *t)
}
