//! What can be wrong with an uploaded Word document: one error, the API's English (its
//! `Display`) and the console's Chinese ([`DocxError::chinese`]).

/// A .docx that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocxError {
    /// Not a zip archive holding a Word document.
    #[error("not a Word document (.docx)")]
    NotDocx,
    /// An old binary Word file (.doc) or an encrypted document (both OLE containers).
    #[error("a legacy (.doc) or password-protected Word file: save it as .docx without a password")]
    LegacyOrEncrypted,
    /// The upload is larger than the cap.
    #[error("document too large: {size} bytes, at most {limit}")]
    TooLarge {
        /// Bytes uploaded.
        size: u64,
        /// The cap.
        limit: u64,
    },
    /// The archive lists more entries than any real document has.
    #[error("the document's archive has {count} entries, at most {limit}")]
    TooManyEntries {
        /// Entries in the archive.
        count: usize,
        /// The cap.
        limit: usize,
    },
    /// Unpacking would exceed the cap on uncompressed bytes (a zip bomb).
    #[error("the document unpacks to more than {limit} bytes")]
    Unpacked {
        /// The cap.
        limit: u64,
    },
    /// A part every document needs is absent.
    #[error("the document lacks its {0}")]
    MissingPart(&'static str),
    /// A part could not be read or parsed.
    #[error("the document's {part} is damaged: {detail}")]
    Damaged {
        /// The part (e.g. `word/document.xml`).
        part: String,
        /// What failed.
        detail: String,
    },
    /// Nothing in the document could be carried over.
    #[error("the document has no text to import")]
    Empty,
}

impl DocxError {
    /// The message a member of staff reads in the console.
    pub fn chinese(&self) -> String {
        match self {
            DocxError::NotDocx => "不是 Word 文档（.docx），请选择 .docx 格式的文件".into(),
            DocxError::LegacyOrEncrypted => {
                "这是旧版 Word 文档（.doc）或设有打开密码的文档，请在 Word 中另存为不设密码的 .docx 后再导入"
                    .into()
            }
            DocxError::TooLarge { limit, .. } => {
                format!("文档过大（上限 {}）", megabytes(*limit))
            }
            DocxError::TooManyEntries { limit, .. } => {
                format!("文档过于复杂（其中的文件超过 {limit} 个），无法导入")
            }
            DocxError::Unpacked { limit } => {
                format!("文档解压后过大（上限 {}），无法导入", megabytes(*limit))
            }
            DocxError::MissingPart(part) => format!("文档中缺少正文 {part}"),
            DocxError::Damaged { part, .. } => format!("文档已损坏：{part} 无法读取"),
            DocxError::Empty => "文档中没有可导入的正文".into(),
        }
    }

    /// Whether the answer is 413 (too large) rather than 400.
    pub fn is_too_large(&self) -> bool {
        matches!(self, DocxError::TooLarge { .. })
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{} MB", bytes / (1024 * 1024))
}
