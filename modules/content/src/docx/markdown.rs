//! Blocks written in the Markdown the site renders (CommonMark with GFM tables): headings,
//! paragraphs, nested lists, tables with the first row as header, links and images. Text is
//! kept exactly; only characters Markdown would read as syntax are escaped.

use std::collections::HashMap;

use super::model::{Block, Inline, plain};

/// Writes `blocks`; `url_of` gives an image part's public URL (None: the image is left out).
pub(crate) fn write(blocks: &[Block], url_of: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    // Per list: the number of the last item at each level.
    let mut counters: HashMap<String, Vec<u32>> = HashMap::new();
    // The marker widths of the open list items, by level.
    let mut widths: Vec<usize> = Vec::new();
    let mut previous_was_item = false;
    for block in blocks {
        let item = matches!(block, Block::ListItem { .. });
        if !out.is_empty() {
            out.push_str(if item && previous_was_item {
                "\n"
            } else {
                "\n\n"
            });
        }
        if !item {
            widths.clear();
        }
        match block {
            Block::Heading(level, inlines) => {
                out.push_str(&"#".repeat(usize::from(*level)));
                out.push(' ');
                out.push_str(&escape(plain(inlines).trim()));
            }
            Block::Paragraph(inlines) => {
                out.push_str(&guard_start(&inlines_md(inlines, url_of, "\\\n")));
            }
            Block::ListItem {
                list,
                level,
                ordered,
                inlines,
            } => {
                let level = usize::from(*level).min(widths.len());
                widths.truncate(level);
                let indent: usize = widths.iter().sum();
                let marker = if *ordered {
                    let c = counters.entry(list.clone()).or_default();
                    c.resize(level + 1, 0);
                    c[level] += 1;
                    format!("{}. ", c[level])
                } else {
                    "- ".to_string()
                };
                widths.push(marker.len());
                let newline = format!("\\\n{}", " ".repeat(indent + marker.len()));
                out.push_str(&" ".repeat(indent));
                out.push_str(&marker);
                out.push_str(&guard_start(&inlines_md(inlines, url_of, &newline)));
            }
            Block::Table(rows) => table(&mut out, rows, url_of),
        }
        previous_was_item = item;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

fn table(out: &mut String, rows: &[Vec<Vec<Inline>>], url_of: &dyn Fn(&str) -> Option<String>) {
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push('|');
        for cell in row {
            let text = inlines_md(cell, url_of, " ");
            out.push(' ');
            out.push_str(text.trim());
            out.push_str(" |");
        }
        if i == 0 {
            out.push_str("\n|");
            out.push_str(&" --- |".repeat(row.len()));
        }
    }
}

/// Inlines as Markdown; `newline` is what a line break becomes.
fn inlines_md(
    inlines: &[Inline],
    url_of: &dyn Fn(&str) -> Option<String>,
    newline: &str,
) -> String {
    let mut out = String::new();
    for inline in inlines {
        match inline {
            Inline::Text { text, bold, italic } => emphasised(&mut out, text, *bold, *italic),
            Inline::Break => out.push_str(newline),
            Inline::Link { href, children } => {
                out.push('[');
                out.push_str(&inlines_md(children, url_of, " "));
                out.push_str("](");
                out.push_str(&destination(href));
                out.push(')');
            }
            Inline::Image { part, alt } => {
                if let Some(url) = url_of(part) {
                    out.push_str("![");
                    out.push_str(&escape(alt));
                    out.push_str("](");
                    out.push_str(&destination(&url));
                    out.push(')');
                }
            }
        }
    }
    out
}

/// Text with its emphasis. Delimiters go outside surrounding spaces; when the text starts
/// or ends with punctuation (。，“ …) CommonMark would not read `**` next to other text as
/// emphasis, so the HTML tags (kept by the cleaner) are used instead.
fn emphasised(out: &mut String, text: &str, bold: bool, italic: bool) {
    let text = text.replace('\t', " ");
    if !bold && !italic {
        out.push_str(&escape(&text));
        return;
    }
    let core = text.trim_matches(' ');
    if core.is_empty() {
        out.push_str(&text);
        return;
    }
    let lead = &text[..text.len() - text.trim_start_matches(' ').len()];
    let trail = &text[text.trim_end_matches(' ').len()..];
    let tags = !(core.chars().next().is_some_and(char::is_alphanumeric)
        && core.chars().last().is_some_and(char::is_alphanumeric));
    let (open, close) = match (bold, italic, tags) {
        (true, true, false) => ("***", "***"),
        (true, false, false) => ("**", "**"),
        (false, true, false) => ("*", "*"),
        (true, true, true) => ("<strong><em>", "</em></strong>"),
        (true, false, true) => ("<strong>", "</strong>"),
        _ => ("<em>", "</em>"),
    };
    out.push_str(lead);
    out.push_str(open);
    out.push_str(&escape(core));
    out.push_str(close);
    out.push_str(trail);
}

/// Escapes the ASCII characters Markdown (and GFM tables) would read as syntax.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '&' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes what would start a heading, a list item or a thematic break at a line's start,
/// and drops leading ASCII spaces (an indented code block); full-width spaces stay.
fn guard_start(line: &str) -> String {
    let line = line.trim_start_matches(' ');
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if line.starts_with(['#', '-', '+', '=']) {
        format!("\\{line}")
    } else if digits > 0 && line[digits..].starts_with(['.', ')']) {
        format!("{}\\{}", &line[..digits], &line[digits..])
    } else {
        line.to_string()
    }
}

/// A link destination: spaces, angle brackets and parentheses percent-encoded.
fn destination(url: &str) -> String {
    url.trim()
        .replace(' ', "%20")
        .replace('<', "%3C")
        .replace('>', "%3E")
        .replace('(', "%28")
        .replace(')', "%29")
}
