//! Index schema, analysers and the mapping from [`Document`] to tantivy documents.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer};
use tantivy::{Index, TantivyDocument};

use crate::Document;
use crate::tokenizer::ChineseTokenizer;

/// Name under which the jieba analyser is registered in the index.
pub(crate) const JIEBA: &str = "jieba";

/// Tokens longer than this many bytes are dropped at indexing time.
const MAX_TOKEN_BYTES: usize = 100;

/// Name of the fast `published` column (used for tie-breaking).
pub(crate) const PUBLISHED: &str = "published";

/// Name of the fast `doc_type` column (facet).
pub(crate) const DOC_TYPE: &str = "doc_type";
/// Name of the fast `site` column (facet).
pub(crate) const SITE: &str = "site";
/// Name of the fast `origin` column (facet; levels are derived from origins).
pub(crate) const ORIGIN: &str = "origin";
/// Name of the fast verbatim issuing-body column (facet and filter).
pub(crate) const ISSUING_BODY: &str = "issuing_body_raw";

/// Handles to every field of the schema.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    pub key: Field,
    pub title: Field,
    pub subtitle: Field,
    pub body_text: Field,
    pub summary: Field,
    pub issuing_body: Field,
    pub column: Field,
    pub tags: Field,
    /// `doc_number` and `index_number`, segmented (partial matches).
    pub numbers: Field,
    /// `doc_number` and `index_number`, verbatim (exact match of the whole query).
    pub numbers_exact: Field,
    /// `issuing_body`, verbatim (facet and filter).
    pub issuing_body_raw: Field,
    /// The title as a key (folded, punctuation removed), with and without the
    /// 中华人民共和国 prefix: an exact title ranks its document first.
    pub title_exact: Field,
    pub site: Field,
    pub site_name: Field,
    pub origin: Field,
    pub doc_type: Field,
    pub url: Field,
    pub published: Field,
}

impl Fields {
    /// Segmented text fields searched by the query, with their boosts.
    pub fn text_fields(&self) -> [(Field, f32); 8] {
        [
            (self.title, 3.0),
            (self.subtitle, 1.5),
            (self.tags, 1.5),
            (self.numbers, 1.5),
            (self.summary, 1.0),
            (self.body_text, 1.0),
            (self.issuing_body, 1.0),
            (self.column, 1.0),
        ]
    }
}

/// Builds the schema and returns it with the field handles.
pub(crate) fn build_schema() -> (Schema, Fields) {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(JIEBA)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = TextOptions::default().set_indexing_options(indexing);
    let text_stored = text.clone().set_stored();

    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        title: b.add_text_field("title", text_stored.clone()),
        subtitle: b.add_text_field("subtitle", text.clone()),
        body_text: b.add_text_field("body_text", text_stored.clone()),
        summary: b.add_text_field("summary", text_stored),
        issuing_body: b.add_text_field("issuing_body", text.clone()),
        column: b.add_text_field("column", text.clone()),
        tags: b.add_text_field("tags", text.clone()),
        numbers: b.add_text_field("numbers", text),
        numbers_exact: b.add_text_field("numbers_exact", STRING),
        issuing_body_raw: b.add_text_field(ISSUING_BODY, STRING | FAST),
        title_exact: b.add_text_field("title_exact", STRING),
        site: b.add_text_field(SITE, STRING | STORED | FAST),
        site_name: b.add_text_field("site_name", STORED),
        origin: b.add_text_field(ORIGIN, STRING | STORED | FAST),
        doc_type: b.add_text_field(DOC_TYPE, STRING | STORED | FAST),
        url: b.add_text_field("url", STORED),
        published: b.add_i64_field(PUBLISHED, INDEXED | STORED | FAST),
    };
    (b.build(), fields)
}

/// The analyser used for indexing: folded script, jieba search mode, long tokens dropped, lowercased.
pub(crate) fn index_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ChineseTokenizer::new(true))
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// The analyser used to split a query into words: jieba default mode, lowercased.
pub(crate) fn word_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ChineseTokenizer::new(false))
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// Registers the analysers an index needs.
pub(crate) fn register_tokenizers(index: &Index, analyzer: TextAnalyzer) {
    index.tokenizers().register(JIEBA, analyzer);
}

/// Normalises a document number for exact matching (trimmed, inner whitespace removed, lowercased).
pub(crate) fn normalize_number(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The prefix citizens leave out of national law titles.
const NATIONAL_PREFIX: &str = "中华人民共和国";

/// Keys of a title (or of a query typed as a title): folded, lowercased, letters and
/// characters only; a second key without the national prefix.
pub(crate) fn title_keys(title: &str) -> Vec<String> {
    let key: String = crate::text::fold_script(title)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let mut keys = Vec::new();
    if let Some(short) = key.strip_prefix(NATIONAL_PREFIX)
        && !short.is_empty()
    {
        keys.push(short.to_string());
    }
    if !key.is_empty() {
        keys.push(key);
    }
    keys
}

/// Converts a [`Document`] into a tantivy document.
pub(crate) fn to_tantivy(f: &Fields, d: &Document) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.key, &d.key);
    doc.add_text(f.title, &d.title);
    for key in title_keys(&d.title) {
        doc.add_text(f.title_exact, key);
    }
    doc.add_text(f.subtitle, &d.subtitle);
    doc.add_text(f.body_text, &d.body_text);
    doc.add_text(f.summary, &d.summary);
    doc.add_text(f.issuing_body, &d.issuing_body);
    let body = d.issuing_body.trim();
    if !body.is_empty() {
        doc.add_text(f.issuing_body_raw, body);
    }
    doc.add_text(f.column, &d.column);
    for tag in &d.tags {
        doc.add_text(f.tags, tag);
    }
    for number in [&d.doc_number, &d.index_number] {
        let exact = normalize_number(number);
        if !exact.is_empty() {
            doc.add_text(f.numbers, number);
            doc.add_text(f.numbers_exact, exact);
        }
    }
    doc.add_text(f.site, &d.site);
    doc.add_text(f.site_name, &d.site_name);
    doc.add_text(f.origin, &d.origin);
    doc.add_text(f.doc_type, &d.doc_type);
    doc.add_text(f.url, &d.url);
    doc.add_i64(f.published, d.published);
    doc
}
