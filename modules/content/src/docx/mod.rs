//! Word documents (.docx) into draft articles: the container read with caps
//! ([`archive`]), styles, numbering and relationships, the body into blocks ([`body`]),
//! the blocks into the site's Markdown ([`markdown`]), images stored as library blobs and
//! the draft created through the ordinary rules ([`import`]).

mod archive;
mod body;
mod error;
mod import;
mod markdown;
mod model;
mod numbering;
mod rels;
mod styles;
mod table;
#[cfg(test)]
mod tests;
pub mod warnings;
mod xml;

pub use archive::{MAX_ENTRIES, MAX_UNPACKED_BYTES, MAX_UPLOAD_BYTES};
pub use error::DocxError;
pub use import::{DocxImportError, DocxImported};

use std::collections::HashSet;

use model::{Block, Inline, plain};

/// The most images taken from one document.
pub const MAX_IMAGES: usize = 200;

/// An image of the document, to be stored as a blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocxImage {
    /// The archive part (`word/media/image1.png`), as the Markdown refers to it.
    pub part: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its type, from its first bytes.
    pub mime: &'static str,
}

/// A document read: its title, body, images and what could not be carried over.
#[derive(Debug)]
pub struct DocxDocument {
    title: Option<String>,
    blocks: Vec<Block>,
    /// The images the body shows, once each.
    pub images: Vec<DocxImage>,
    /// What was left out or changed, in Chinese, once each.
    pub warnings: Vec<String>,
}

impl DocxDocument {
    /// Reads a .docx.
    pub fn read(bytes: &[u8]) -> Result<Self, DocxError> {
        let mut archive = archive::Archive::open(bytes)?;
        let document = archive
            .text("word/document.xml")?
            .ok_or(DocxError::MissingPart("word/document.xml"))?;
        let styles = styles::Styles::parse(archive.text("word/styles.xml")?.as_deref())?;
        let numbering =
            numbering::Numbering::parse(archive.text("word/numbering.xml")?.as_deref())?;
        let rels = rels::Rels::parse(archive.text("word/_rels/document.xml.rels")?.as_deref())?;
        let core_title = rels::core_title(archive.text("docProps/core.xml")?.as_deref());
        let body = body::read(&document, &styles, &numbering, &rels)?;
        let mut doc = DocxDocument {
            title: None,
            blocks: body.blocks,
            images: Vec::new(),
            warnings: body.warnings,
        };
        doc.take_title(core_title);
        doc.read_images(&mut archive)?;
        if doc.blocks.is_empty() && doc.title.is_none() {
            return Err(DocxError::Empty);
        }
        Ok(doc)
    }

    /// The title: the document's own (its properties), else its first heading; a first
    /// heading that is the title leaves the body (the page shows the title already).
    fn take_title(&mut self, core: Option<String>) {
        let first = match self.blocks.first() {
            Some(Block::Heading(_, inlines)) => Some(plain(inlines).trim().to_string()),
            _ => None,
        };
        let title = core.or_else(|| first.clone()).filter(|t| !t.is_empty());
        if title.is_some() && first == title {
            self.blocks.remove(0);
        }
        self.title = title.map(|t| t.chars().take(200).collect());
    }

    fn read_images(&mut self, archive: &mut archive::Archive<'_>) -> Result<(), DocxError> {
        let mut parts = Vec::new();
        let mut seen = HashSet::new();
        for block in &self.blocks {
            match block {
                Block::Heading(_, i) | Block::Paragraph(i) | Block::ListItem { inlines: i, .. } => {
                    collect_images(i, &mut parts, &mut seen);
                }
                Block::Table(rows) => rows
                    .iter()
                    .flatten()
                    .for_each(|c| collect_images(c, &mut parts, &mut seen)),
            }
        }
        for part in parts {
            if self.images.len() >= MAX_IMAGES {
                self.warn(warnings::TOO_MANY_IMAGES);
                break;
            }
            let Some(bytes) = archive.part(&part)? else {
                self.warn(warnings::MISSING_IMAGE);
                continue;
            };
            match image_type(&bytes) {
                Some(mime) => self.images.push(DocxImage { part, bytes, mime }),
                None => self.warn(warnings::IMAGE_FORMAT),
            }
        }
        Ok(())
    }

    /// Adds a warning once.
    pub fn warn(&mut self, w: &str) {
        if !self.warnings.iter().any(|x| x == w) {
            self.warnings.push(w.to_string());
        }
    }

    /// The title found in the document, if any.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The body as Markdown, images at the URLs `url_of` gives their parts (None: left out).
    pub fn markdown(&self, url_of: &dyn Fn(&str) -> Option<String>) -> String {
        markdown::write(&self.blocks, url_of)
    }
}

fn collect_images(inlines: &[Inline], parts: &mut Vec<String>, seen: &mut HashSet<String>) {
    for i in inlines {
        match i {
            Inline::Image { part, .. } if seen.insert(part.clone()) => parts.push(part.clone()),
            Inline::Link { children, .. } => collect_images(children, parts, seen),
            _ => {}
        }
    }
}

/// The type of an image a browser shows, from its first bytes.
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}
