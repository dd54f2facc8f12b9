//! Character classes as Python's `re` and `str` see them, so parsers accept exactly what
//! `packaging` accepts: its regular expressions use `\s` (Unicode whitespace per `str.isspace`)
//! and `\b` (a boundary between word and non-word characters).

/// Whether Python's `str.isspace()` (and so `re`'s `\s`) holds for `c`.
pub fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{1c}'..='\u{1f}' | ' ' | '\u{85}' | '\u{a0}'
            | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}'
            | '\u{205f}' | '\u{3000}'
    )
}

/// `s` without the characters Python's `str.strip()` removes.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Whether `c` is a word character for `re`'s `\w`/`\b` on `str` patterns (alphanumeric or `_`).
/// Rust's Unicode alphanumeric class differs from Python's on a few combining marks; those can
/// never start a token of the grammars here, so the answer (accepted or refused) is the same.
pub fn is_word(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Whether byte offset `i` of `s` is a word boundary (`\b`).
pub fn is_boundary(s: &str, i: usize) -> bool {
    let before = s.get(..i).and_then(|t| t.chars().next_back()).map_or(false, is_word);
    let after = s.get(i..).and_then(|t| t.chars().next()).map_or(false, is_word);
    before != after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_matches_python() {
        for c in ['\t', '\n', '\u{1c}', '\u{85}', '\u{a0}', '\u{3000}', '\u{2029}'] {
            assert!(is_py_space(c), "{:?}", c);
        }
        for c in ['a', '\u{200b}', '\u{180e}', '\u{feff}'] {
            assert!(!is_py_space(c), "{:?}", c);
        }
        assert_eq!(py_strip("\u{a0} 1.0\t\u{1f}"), "1.0");
    }

    #[test]
    fn boundaries() {
        assert!(is_boundary("a b", 1));
        assert!(is_boundary("ab", 0));
        assert!(is_boundary("ab", 2));
        assert!(!is_boundary("ab", 1));
        assert!(!is_boundary("a_b", 1));
        assert!(!is_boundary("-;", 1));
        assert!(!is_boundary("aé", 1));
    }
}
