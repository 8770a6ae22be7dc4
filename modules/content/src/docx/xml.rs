//! Small helpers over quick-xml for the parts of a document: names without their prefix
//! (Word's `w:`, `r:`, `a:` prefixes are conventional, not fixed) and attribute values.

use quick_xml::events::BytesStart;

use super::DocxError;

/// An element's name without its namespace prefix.
pub(crate) fn local(e: &BytesStart<'_>) -> String {
    let name = e.name();
    let raw: &str = name.as_ref();
    raw.rsplit(':').next().unwrap_or(raw).to_string()
}

/// The value of the attribute whose name (without prefix) is `name`.
pub(crate) fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().with_checks(false).flatten().find_map(|a| {
        let key: &str = a.key.as_ref();
        let l = key.rsplit(':').next().unwrap_or(key);
        (l == name).then(|| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.into_owned())
        })
    })
}

/// Whether an on/off property (`<w:b/>`, `<w:b w:val="0"/>`) is on.
pub(crate) fn on(e: &BytesStart<'_>) -> bool {
    !matches!(
        attr(e, "val").as_deref(),
        Some("0" | "false" | "off" | "none")
    )
}

/// A parse failure of `part`.
pub(crate) fn damaged(part: &str, e: impl std::fmt::Display) -> DocxError {
    DocxError::Damaged {
        part: part.to_string(),
        detail: e.to_string(),
    }
}

/// The text of an entity reference (`&amp;`, `&#x4E2D;`).
pub(crate) fn entity(r: &quick_xml::events::BytesRef<'_>) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    let name = r.xml_content(quick_xml::XmlVersion::Implicit1_0);
    quick_xml::escape::resolve_predefined_entity(&name)
        .unwrap_or_default()
        .to_string()
}
