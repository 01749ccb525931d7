//! Key ranges for prefix queries: `key starts with P` as the index-friendly `P <= key < upper(P)`.
//!
//! Keys are compared as UTF-8 bytes on both backends (SQLite BINARY, PostgreSQL `COLLATE "C"`), which is the
//! same order as Unicode code points, so the smallest string after every string that starts with `P` is `P`
//! with its last character replaced by the next one (dropping trailing `char::MAX`es first).

/// The exclusive upper bound of the keys starting with `prefix`, or `None` when there is none (empty prefix,
/// or a prefix made only of `char::MAX`).
pub(crate) fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = next_char(last) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The next Unicode scalar value (skipping the surrogate gap), if any.
fn next_char(c: char) -> Option<char> {
    match c {
        '\u{D7FF}' => Some('\u{E000}'),
        char::MAX => None,
        _ => char::from_u32(u32::from(c) + 1),
    }
}

/// The lower bound of a listing: `(bound, inclusive)`. `start_after` wins when it is at or past the prefix.
pub(crate) fn lower_bound<'a>(prefix: &'a str, start_after: Option<&'a str>) -> (&'a str, bool) {
    match start_after {
        Some(s) if s >= prefix => (s, false),
        _ => (prefix, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_bounds() {
        assert_eq!(prefix_upper_bound(""), None);
        assert_eq!(prefix_upper_bound("a").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound("user/").as_deref(), Some("user0"));
        assert_eq!(prefix_upper_bound("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound("\u{10FFFF}\u{10FFFF}"), None);
        assert_eq!(prefix_upper_bound("\u{7F}").as_deref(), Some("\u{80}"));
    }

    #[test]
    fn upper_bound_is_tight() {
        let keys = ["a", "a\u{10FFFF}", "a\u{10FFFF}z", "aa", "b", "\u{D7FF}", "\u{E000}", "~", "\u{80}"];
        for p in ["a", "a\u{10FFFF}", "\u{D7FF}", "~", ""] {
            let upper = prefix_upper_bound(p);
            for k in keys {
                let in_range = k >= p && upper.as_deref().is_none_or(|u| k < u);
                assert_eq!(in_range, k.starts_with(p), "prefix {p:?} key {k:?}");
            }
        }
    }
}
