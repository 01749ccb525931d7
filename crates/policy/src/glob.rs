//! Glob matching (spec 0.4): `*` matches any run of characters, `?` exactly one, all else itself.
//!
//! Patterns are compiled to tokens once. Text produced by variable substitution becomes `Literal`
//! tokens, so a `*` inside a resolved value matches only a `*` (PV5).

/// One pattern token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// Characters that match themselves.
    Literal(char),
    /// `*`.
    Star,
    /// `?`.
    Question,
    /// A character from variable substitution or an escape: matches only itself, and is never an ARN
    /// component separator (PV5).
    Escaped(char),
}

/// Compiles glob text to tokens.
pub fn tokens(pattern: &str) -> Vec<Token> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Token::Star,
            '?' => Token::Question,
            c => Token::Literal(c),
        })
        .collect()
}

/// Whether the tokens cover the whole subject. `fold` maps each character before comparing (for
/// ASCII-case-insensitive matching, pass a lower-case pattern and `to_ascii_lowercase`).
pub fn matches_with(pattern: &[Token], subject: &str, fold: impl Fn(char) -> char) -> bool {
    // Iterative matcher with single-star backtracking: linear in practice, O(n*m) at worst, no allocation.
    let subj = subject.as_bytes();
    let (mut p, mut s) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        let next = decode(subj, s);
        match (pattern.get(p), next) {
            (Some(Token::Star), _) => {
                star = Some((p, s));
                p += 1;
                continue;
            }
            (Some(Token::Question), Some((_, w))) => {
                p += 1;
                s += w;
                continue;
            }
            (Some(Token::Literal(c) | Token::Escaped(c)), Some((ch, w))) if fold(ch) == *c => {
                p += 1;
                s += w;
                continue;
            }
            (None, None) => return true,
            _ => {}
        }
        // Mismatch: let the last star swallow one more character.
        match star {
            Some((sp, ss)) => match decode(subj, ss) {
                Some((_, w)) => {
                    star = Some((sp, ss + w));
                    p = sp + 1;
                    s = ss + w;
                }
                None => return false,
            },
            None => return false,
        }
    }
}

/// Case-sensitive whole-subject glob match.
pub fn matches(pattern: &[Token], subject: &str) -> bool {
    matches_with(pattern, subject, |c| c)
}

/// Whether a glob text (not yet compiled) matches; for one-off uses off the hot path.
pub fn matches_text(pattern: &str, subject: &str) -> bool {
    matches(&tokens(pattern), subject)
}

/// Decodes the UTF-8 character at byte `i` of a valid UTF-8 slice.
fn decode(s: &[u8], i: usize) -> Option<(char, usize)> {
    let b0 = *s.get(i)?;
    if b0 < 0x80 {
        return Some((b0 as char, 1));
    }
    let w = if b0 >= 0xF0 {
        4
    } else if b0 >= 0xE0 {
        3
    } else {
        2
    };
    let ch = std::str::from_utf8(s.get(i..i + w)?).ok()?.chars().next()?;
    Some((ch, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_semantics() {
        assert!(matches_text("*", ""));
        assert!(matches_text("a*c", "abbbc"));
        assert!(matches_text("a?c", "abc"));
        assert!(!matches_text("a?c", "ac"));
        assert!(!matches_text("abc", "abcd"));
        assert!(matches_text("*/*", "training-job/x/y"));
        assert!(matches_text("é?", "éé"));
        assert!(!matches_text("a*b*c", "axbxd"));
        assert!(matches_text("a*b*c", "axbxbc"));
    }

    #[test]
    fn literal_tokens_never_act_as_wildcards() {
        let p = vec![Token::Literal('*')];
        assert!(matches(&p, "*"));
        assert!(!matches(&p, "x"));
    }

    #[test]
    fn compiled_forms_agree_with_the_matcher() {
        for (p, subjects) in [
            ("*", &["", "x"][..]),
            ("ml.c5.*", &["ml.c5.xlarge", "ml.c5.", "ml.c6.x", "ml.c"][..]),
            ("abc", &["abc", "abcd", "ab"][..]),
            ("a*b?", &["axbc", "ab", "abz"][..]),
        ] {
            let g = Glob::new(p);
            for s in subjects {
                assert_eq!(g.matches(s), matches_text(p, s), "{p} vs {s}");
            }
        }
        assert!(Glob::new("describe*").matches_ignore_ascii_case("DescribeDomain"));
        assert!(!Glob::new("describé*").matches_ignore_ascii_case("d"));
    }

    #[test]
    fn star_only_segments_agree_with_the_matcher() {
        let patterns = ["*SageMaker*", "a*b*c", "*a*", "a**b", "**", "*ab", "ab*cd*", "*é*x", "a*a*a", "x*"];
        let subjects = [
            "",
            "a",
            "ab",
            "abc",
            "aab",
            "aaa",
            "aXbYc",
            "arn:aws:s3:::my-SageMaker-bucket",
            "sagemaker",
            "ééx",
            "abcdcd",
            "acbd",
            "xa",
            "ba",
        ];
        for p in patterns {
            let g = Glob::new(p);
            let lower = Glob::new(&p.to_ascii_lowercase());
            for s in subjects {
                assert_eq!(g.matches(s), matches_text(p, s), "{p} vs {s}");
                let folded = matches_with(&tokens(&p.to_ascii_lowercase()), s, |c| c.to_ascii_lowercase());
                assert_eq!(lower.matches_ignore_ascii_case(s), folded, "{p} vs {s}, ignoring case");
            }
        }
    }

    #[test]
    fn case_folding() {
        assert!(matches_with(&tokens("describe*"), "DescribeDomain", |c| c.to_ascii_lowercase()));
    }
}

/// A compiled glob in its cheapest form: most ARN components and action names are `*` or literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Glob {
    /// `*`: matches everything.
    Any,
    /// No wildcard: whole-string equality.
    Exact(Box<str>),
    /// A literal prefix then one trailing `*` (`ml.c5.*`, `Describe*`): a prefix test.
    Prefix(Box<str>),
    /// Only `*` wildcards, at least two or one not at the end: the literal pieces between them.
    Segments(Box<[Box<str>]>),
    /// Anything else.
    Tokens(Box<[Token]>),
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    (0..=hay.len().checked_sub(needle.len())?)
        .find(|&i| hay.get(i..i + needle.len()).is_some_and(|w| w.eq_ignore_ascii_case(needle)))
}

fn find_bytes(hay: &[u8], m: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = m.split_first() else { return Some(0) };
    let mut i = 0;
    while let Some(p) = hay.get(i..)?.iter().position(|&c| c == first) {
        let at = i + p;
        if hay.get(at + 1..at + m.len()) == Some(rest) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

fn segments_match(segs: &[Box<str>], s: &str, ci: bool) -> bool {
    let (Some((first, rest)), b) = (segs.split_first(), s.as_bytes()) else { return false };
    let Some((last, middle)) = rest.split_last() else { return false };
    let (f, l) = (first.as_bytes(), last.as_bytes());
    if b.len() < f.len() + l.len() {
        return false;
    }
    let eq = |a: &[u8], c: &[u8]| if ci { a.eq_ignore_ascii_case(c) } else { a == c };
    if !b.get(..f.len()).is_some_and(|x| eq(x, f)) || !b.get(b.len() - l.len()..).is_some_and(|x| eq(x, l)) {
        return false;
    }
    let mut hay = b.get(f.len()..b.len() - l.len()).unwrap_or_default();
    for m in middle.iter() {
        let m = m.as_bytes();
        let at = if ci { find_ci(hay, m) } else { find_bytes(hay, m) };
        match at {
            Some(i) => hay = hay.get(i + m.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    true
}

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        if pattern == "*" {
            Glob::Any
        } else if !pattern.contains(['*', '?']) {
            Glob::Exact(pattern.into())
        } else if let Some(prefix) = pattern.strip_suffix('*').filter(|p| !p.contains(['*', '?'])) {
            Glob::Prefix(prefix.into())
        } else if !pattern.contains('?') {
            Glob::Segments(pattern.split('*').map(Into::into).collect())
        } else {
            Glob::Tokens(tokens(pattern).into_boxed_slice())
        }
    }

    /// Case-sensitive match.
    pub fn matches(&self, subject: &str) -> bool {
        match self {
            Glob::Any => true,
            Glob::Exact(e) => **e == *subject,
            Glob::Prefix(p) => subject.starts_with(&**p),
            Glob::Segments(g) => segments_match(g, subject, false),
            Glob::Tokens(t) => matches(t, subject),
        }
    }

    /// ASCII-case-insensitive match; the pattern must have been built from lower-cased text.
    pub fn matches_ignore_ascii_case(&self, subject: &str) -> bool {
        match self {
            Glob::Any => true,
            // Byte equality first: patterns and subjects are usually already lower-case.
            Glob::Exact(e) => **e == *subject || e.eq_ignore_ascii_case(subject),
            Glob::Prefix(p) => subject.get(..p.len()).is_some_and(|s| s == &**p || s.eq_ignore_ascii_case(p)),
            Glob::Segments(g) => segments_match(g, subject, true),
            Glob::Tokens(t) => matches_with(t, subject, |c| c.to_ascii_lowercase()),
        }
    }
}
