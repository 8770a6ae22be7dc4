//! What a document's body becomes before it is written as Markdown: blocks of inlines.

/// A piece of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Inline {
    /// Text with its emphasis.
    Text {
        /// The characters, exactly as in the document.
        text: String,
        /// Bold.
        bold: bool,
        /// Italic.
        italic: bool,
    },
    /// A line break inside a paragraph.
    Break,
    /// A hyperlink around its text.
    Link {
        /// The address.
        href: String,
        /// What it shows.
        children: Vec<Inline>,
    },
    /// An image: the archive part holding it and its description.
    Image {
        /// e.g. `word/media/image1.png`.
        part: String,
        /// Alternative text (the picture's description in Word).
        alt: String,
    },
}

/// A table cell.
pub(crate) type Cell = Vec<Inline>;

/// A block of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A heading, level 1–6.
    Heading(u8, Vec<Inline>),
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// An item of a list.
    ListItem {
        /// The list (`numId`): numbering continues within one list.
        list: String,
        /// Nesting, from 0.
        level: u8,
        /// Numbered (else bulleted).
        ordered: bool,
        /// The item's text.
        inlines: Vec<Inline>,
    },
    /// A table: rows of cells, every row as wide as the widest.
    Table(Vec<Vec<Cell>>),
}

/// The plain text of inlines (for titles and headings).
pub(crate) fn plain(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text { text, .. } => out.push_str(text),
            Inline::Break => out.push(' '),
            Inline::Link { children, .. } => out.push_str(&plain(children)),
            Inline::Image { .. } => {}
        }
    }
    out
}
