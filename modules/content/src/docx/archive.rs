//! The .docx container: a zip read with caps on its size, its entries and the bytes it
//! unpacks to, whatever its headers claim. Nothing is written to disk.

use std::io::{Cursor, Read};

use super::DocxError;

/// The largest upload accepted (bytes).
pub const MAX_UPLOAD_BYTES: u64 = 20 * 1024 * 1024;
/// The most entries an archive may list.
pub const MAX_ENTRIES: usize = 2_000;
/// The most bytes read out of one archive, all parts together.
pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;

/// An opened document with a budget of bytes still to unpack.
pub(crate) struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    budget: u64,
}

impl<'a> Archive<'a> {
    /// Opens `bytes` as a Word document's container.
    pub(crate) fn open(bytes: &'a [u8]) -> Result<Self, DocxError> {
        if bytes.len() as u64 > MAX_UPLOAD_BYTES {
            return Err(DocxError::TooLarge {
                size: bytes.len() as u64,
                limit: MAX_UPLOAD_BYTES,
            });
        }
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return Err(DocxError::LegacyOrEncrypted);
        }
        if !bytes.starts_with(b"PK") {
            return Err(DocxError::NotDocx);
        }
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| DocxError::NotDocx)?;
        if zip.len() > MAX_ENTRIES {
            return Err(DocxError::TooManyEntries {
                count: zip.len(),
                limit: MAX_ENTRIES,
            });
        }
        if zip.index_for_name("word/document.xml").is_none() {
            return Err(if zip.index_for_name("[Content_Types].xml").is_some() {
                DocxError::MissingPart("word/document.xml")
            } else {
                DocxError::NotDocx
            });
        }
        Ok(Archive {
            zip,
            budget: MAX_UNPACKED_BYTES,
        })
    }

    /// The same archive with a smaller budget (tests).
    #[cfg(test)]
    pub(crate) fn with_budget(mut self, budget: u64) -> Self {
        self.budget = budget;
        self
    }

    /// A part's bytes, or None when the archive lacks it. Reading stops at the budget: a
    /// header that lies about the size cannot make it read more.
    pub(crate) fn part(&mut self, name: &str) -> Result<Option<Vec<u8>>, DocxError> {
        let mut file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => {
                return Err(DocxError::Damaged {
                    part: name.to_string(),
                    detail: e.to_string(),
                });
            }
        };
        if file.size() > self.budget {
            return Err(DocxError::Unpacked {
                limit: MAX_UNPACKED_BYTES,
            });
        }
        let mut out = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0).min(1 << 20));
        let read = (&mut file)
            .take(self.budget + 1)
            .read_to_end(&mut out)
            .map_err(|e| DocxError::Damaged {
                part: name.to_string(),
                detail: e.to_string(),
            })?;
        if read as u64 > self.budget {
            return Err(DocxError::Unpacked {
                limit: MAX_UNPACKED_BYTES,
            });
        }
        self.budget -= read as u64;
        Ok(Some(out))
    }

    /// A part as text (XML parts are UTF-8), or None when absent.
    pub(crate) fn text(&mut self, name: &str) -> Result<Option<String>, DocxError> {
        match self.part(name)? {
            None => Ok(None),
            Some(bytes) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| DocxError::Damaged {
                    part: name.to_string(),
                    detail: "not UTF-8".into(),
                }),
        }
    }
}
