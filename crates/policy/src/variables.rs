//! Policy variables (section 8): `${key}`, `${key, 'default'}`, and the escapes `${*}` `${?}` `${$}`.
//!
//! Text is split into pieces once, at compile time. At evaluation a variable resolves to the
//! single-valued context value of its key (PV4); substituted text is always literal (PV5).

use crate::glob::Token;
use crate::request::{Context, ContextValue};

/// One piece of a string that may contain variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Ordinary text (a glob where the context is a glob).
    Text(String),
    /// A character from `${*}`, `${?}` or `${$}`: always literal.
    Escaped(char),
    /// A variable reference.
    Var { key_lower: String, key: String, default: Option<String> },
}

/// Splits `s` into pieces (PV1). A `${` that does not form a valid variable stays literal text.
pub fn pieces(s: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let (before, after) = rest.split_at(i);
        text.push_str(before);
        match parse_var(after) {
            Some((piece, len)) => {
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(piece);
                rest = after.get(len..).unwrap_or_default();
            }
            None => {
                text.push_str("${");
                rest = after.get(2..).unwrap_or_default();
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// Parses a variable at the start of `s` (which starts with `${`); returns it and its length.
fn parse_var(s: &str) -> Option<(Piece, usize)> {
    let body = s.get(2..)?;
    for (esc, c) in [("*}", '*'), ("?}", '?'), ("$}", '$')] {
        if body.starts_with(esc) {
            return Some((Piece::Escaped(c), 4));
        }
    }
    let key_len = body.find(|c: char| c == '}' || c == ',' || c == '\'' || c.is_whitespace()).unwrap_or(body.len());
    if key_len == 0 {
        return None;
    }
    let key = body.get(..key_len)?;
    let after_key = body.get(key_len..)?;
    if after_key.starts_with('}') {
        let piece = Piece::Var { key_lower: key.to_ascii_lowercase(), key: key.to_string(), default: None };
        return Some((piece, 2 + key_len + 1));
    }
    let after_comma = after_key.strip_prefix(',')?;
    let trimmed = after_comma.trim_start_matches(' ');
    let quoted = trimmed.strip_prefix('\'')?;
    let close = quoted.find('\'')?;
    let default = quoted.get(..close)?;
    if !quoted.get(close + 1..)?.starts_with('}') {
        return None;
    }
    let len = 2 + key_len + 1 + (after_comma.len() - trimmed.len()) + 1 + close + 1 + 1;
    let piece =
        Piece::Var { key_lower: key.to_ascii_lowercase(), key: key.to_string(), default: Some(default.to_string()) };
    Some((piece, len))
}

/// Whether any piece is a variable or an escape (so the text needs resolving).
pub fn needs_resolution(p: &[Piece]) -> bool {
    p.iter().any(|x| !matches!(x, Piece::Text(_)))
}

/// Resolves one variable (PV4): the single value of its key, else its default, else None.
pub fn resolve<'a>(ctx: &'a Context, key_lower: &str, key: &str, default: Option<&'a str>) -> Option<&'a str> {
    match ctx.get_lower(key_lower, key) {
        Some(ContextValue::Single(v)) => Some(v.as_str()),
        // A multivalued key is treated as absent (PV4).
        _ => default,
    }
}

/// Resolves pieces to glob tokens; substituted text becomes literal tokens. None if unresolved.
/// `fold` maps template text characters (e.g. to lower case for case-insensitive matching).
pub fn resolve_tokens(p: &[Piece], ctx: &Context, out: &mut Vec<Token>) -> bool {
    out.clear();
    for piece in p {
        match piece {
            Piece::Text(t) => out.extend(crate::glob::tokens(t)),
            Piece::Escaped(c) => out.push(Token::Escaped(*c)),
            Piece::Var { key_lower, key, default } => match resolve(ctx, key_lower, key, default.as_deref()) {
                Some(v) => out.extend(v.chars().map(Token::Escaped)),
                None => return false,
            },
        }
    }
    true
}

/// Resolves pieces to plain text (for equality operators). None if unresolved.
pub fn resolve_text(p: &[Piece], ctx: &Context, out: &mut String) -> bool {
    out.clear();
    for piece in p {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Escaped(c) => out.push(*c),
            Piece::Var { key_lower, key, default } => match resolve(ctx, key_lower, key, default.as_deref()) {
                Some(v) => out.push_str(v),
                None => return false,
            },
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(k: &str, d: Option<&str>) -> Piece {
        Piece::Var { key_lower: k.to_ascii_lowercase(), key: k.into(), default: d.map(Into::into) }
    }

    #[test]
    fn parses_variables_defaults_and_escapes() {
        assert_eq!(
            pieces("home/${aws:username}/*"),
            vec![Piece::Text("home/".into()), var("aws:username", None), Piece::Text("/*".into())]
        );
        assert_eq!(pieces("${aws:PrincipalTag/team, 'none'}"), vec![var("aws:PrincipalTag/team", Some("none"))]);
        assert_eq!(pieces("${aws:x,'d'}"), vec![var("aws:x", Some("d"))]);
        assert_eq!(pieces("a${*}b"), vec![Piece::Text("a".into()), Piece::Escaped('*'), Piece::Text("b".into())]);
        assert_eq!(pieces("${}"), vec![Piece::Text("${}".into())]);
        assert_eq!(pieces("${a b}"), vec![Piece::Text("${a b}".into())]);
        assert_eq!(pieces("${a"), vec![Piece::Text("${a".into())]);
    }

    #[test]
    fn resolves_single_values_only() {
        let mut c = Context::new();
        c.insert_single("aws:username", "alice");
        c.insert("aws:TagKeys", ContextValue::Multi(vec!["a".into()]));
        let mut s = String::new();
        assert!(resolve_text(&pieces("u/${AWS:UserName}"), &c, &mut s));
        assert_eq!(s, "u/alice");
        assert!(!resolve_text(&pieces("${aws:TagKeys}"), &c, &mut s));
        assert!(resolve_text(&pieces("${aws:TagKeys, 'x'}"), &c, &mut s));
        assert_eq!(s, "x");
    }
}
