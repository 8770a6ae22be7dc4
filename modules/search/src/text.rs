//! Text folding shared by indexing and queries: traditional characters to simplified,
//! full-width forms to half-width, control characters to spaces.

/// Folds traditional characters to simplified ones. Byte offsets are preserved (every
/// CJK character maps to a character of the same UTF-8 length), so token offsets in the
/// folded text are valid in the original; if that ever failed, the text is kept as is.
pub(crate) fn fold_script(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return text.into();
    }
    let folded = fast2s::convert(text);
    if folded.len() == text.len() && folded != text {
        folded.into()
    } else {
        text.into()
    }
}

/// Normalises what a user typed: control characters become spaces, full-width ASCII
/// becomes half-width, traditional characters become simplified, Latin is lowercased.
pub fn normalize_query(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c if c.is_control() => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    fold_script(&cleaned).into_owned()
}

/// Whether `c` is a CJK unified ideograph (the characters pinyin and typos concern).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Whether a word is made of Han characters only.
pub(crate) fn all_han(word: &str) -> bool {
    !word.is_empty() && word.chars().all(is_han)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_folds_to_simplified_with_same_offsets() {
        let t = "勞動合同法與個人所得稅";
        let s = fold_script(t);
        assert_eq!(s, "劳动合同法与个人所得税");
        assert_eq!(s.len(), t.len());
        assert_eq!(fold_script("社会保险"), "社会保险");
    }

    #[test]
    fn queries_are_cleaned() {
        assert_eq!(normalize_query("ＳＨＥＢＡＯ\u{0007}卡"), "shebao 卡");
        assert_eq!(normalize_query("户口遷移\u{3000}登記"), "户口迁移 登记");
    }
}
