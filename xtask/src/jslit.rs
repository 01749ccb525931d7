//! Extracts the literal global-condition-key table from iam-data's `dist/cjs/globalConditionKeys.js`
//! as text, without running JavaScript.
//!
//! The module holds `exports.globalConditionKeys = [ { key: '…', category: '…', type: '…',
//! description: '…' }, … ];`. This reader tokenizes that array literal (strings in either quote,
//! identifiers, punctuation, `//` and `/* */` comments) and returns each object's string fields.

/// One object of the table: its `ident: 'string'` pairs in source order.
pub type JsObject = Vec<(String, String)>;

/// Finds `exports.globalConditionKeys = [` and parses the array literal that follows.
pub fn global_condition_keys(source: &str) -> Result<Vec<JsObject>, String> {
    const ANCHOR: &str = "exports.globalConditionKeys = [";
    let start = source
        .find(ANCHOR)
        .ok_or_else(|| format!("globalConditionKeys.js: `{ANCHOR}` not found; the module layout changed"))?;
    let tokens = tokenize(&source[start + ANCHOR.len() - 1..])?;
    parse_array(&tokens)
}

#[derive(Debug, PartialEq)]
enum Tok {
    Str(String),
    Ident(String),
    Punct(char),
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut depth = 0usize;
    while let Some((at, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '/' if matches!(chars.peek(), Some((_, '/'))) => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if matches!(chars.peek(), Some((_, '*'))) => {
                chars.next();
                let mut prev = ' ';
                for (_, c) in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '\'' | '"' | '`' => {
                let quote = c;
                let mut s = String::new();
                let mut closed = false;
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => match chars.next() {
                            Some((_, 'n')) => s.push('\n'),
                            Some((_, 't')) => s.push('\t'),
                            Some((_, other)) => s.push(other),
                            None => break,
                        },
                        c if c == quote => {
                            closed = true;
                            break;
                        }
                        c => s.push(c),
                    }
                }
                if !closed {
                    return Err(format!("globalConditionKeys.js: unterminated string at byte {at}"));
                }
                out.push(Tok::Str(s));
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' => {
                let mut s = String::from(c);
                while let Some(&(_, n)) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' || n == '$' {
                        s.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Tok::Ident(s));
            }
            '[' | '{' => {
                depth += 1;
                out.push(Tok::Punct(c));
            }
            ']' | '}' => {
                depth = depth.saturating_sub(1);
                out.push(Tok::Punct(c));
                if depth == 0 {
                    return Ok(out);
                }
            }
            ',' | ':' => out.push(Tok::Punct(c)),
            other => return Err(format!("globalConditionKeys.js: unexpected `{other}` at byte {at} inside the table")),
        }
    }
    Err("globalConditionKeys.js: the table's closing `]` was not found".to_string())
}

fn parse_array(tokens: &[Tok]) -> Result<Vec<JsObject>, String> {
    let err = |what: &str| format!("globalConditionKeys.js: {what}");
    let mut it = tokens.iter().peekable();
    if it.next() != Some(&Tok::Punct('[')) {
        return Err(err("expected `[`"));
    }
    let mut objects = Vec::new();
    loop {
        match it.next() {
            Some(Tok::Punct(']')) => return Ok(objects),
            Some(Tok::Punct(',')) => continue,
            Some(Tok::Punct('{')) => {
                let mut obj = Vec::new();
                loop {
                    match it.next() {
                        Some(Tok::Punct('}')) => break,
                        Some(Tok::Punct(',')) => continue,
                        Some(Tok::Ident(name)) | Some(Tok::Str(name)) => {
                            if it.next() != Some(&Tok::Punct(':')) {
                                return Err(err(&format!("expected `:` after `{name}`")));
                            }
                            match it.next() {
                                Some(Tok::Str(value)) => obj.push((name.clone(), value.clone())),
                                other => {
                                    return Err(err(&format!("field `{name}` is not a string literal: {other:?}")))
                                }
                            }
                        }
                        other => return Err(err(&format!("unexpected token in an object: {other:?}"))),
                    }
                }
                objects.push(obj);
            }
            other => return Err(err(&format!("unexpected token in the array: {other:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_table_with_comments() {
        let src = "x;\nexports.globalConditionKeys = [\n  { key: 'aws:A', type: 'Date', //Can also\n description: 'it\\'s' },\n { key: \"aws:B/tag-key\", type: 'String' }\n];\nconst y = 1;";
        let t = global_condition_keys(src).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0][0], ("key".to_string(), "aws:A".to_string()));
        assert_eq!(t[0][2].1, "it's");
        assert_eq!(t[1][0].1, "aws:B/tag-key");
    }
}
