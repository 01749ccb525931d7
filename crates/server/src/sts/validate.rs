//! Input validation of STS requests (and of the newer IAM operations) from the botocore wire model
//! (catalog), with AWS's wording:
//! `1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member
//! must have length greater than or equal to 2` (wire spec §3.3, §4.1).
//!
//! It checks what the model states for each member that arrived: required members, string length
//! and pattern, integer bounds, list lengths, and the same for the fields of list elements
//! (`tags.1.member.key`). Patterns are botocore's single character classes (`[\w+=,.@-]*`), which
//! `CharClass` interprets; a pattern of any other form is not checked.

use sagegate_catalog::{ApiModel, Catalog, Shape, ShapeKind};

use crate::call::Params;

/// Validates the parameters of an STS operation; `Err` carries the full message.
pub fn validate(operation: &str, params: &Params) -> Result<(), String> {
    validate_in("sts", operation, params)
}

/// Validates the parameters of an operation of `service`'s model (`sts`, `iam`).
pub fn validate_in(service: &str, operation: &str, params: &Params) -> Result<(), String> {
    let Some(model) = Catalog::get().api(service) else {
        return Ok(());
    };
    let Some(input) = model.operation(operation).filter(|o| o.name == operation).and_then(|o| model.input(o)) else {
        return Ok(());
    };
    let mut errors = Vec::new();
    for m in &input.members {
        let Some(shape) = model.shape(m.shape) else { continue };
        let path = camel(m.name);
        match shape.kind {
            ShapeKind::List => {
                let n = list_len(params, m.name);
                if let Some(n) = n {
                    check_list(model, shape, params, m.name, &path, n, &mut errors);
                } else if m.required {
                    errors
                        .push(format!("Value null at '{path}' failed to satisfy constraint: Member must not be null"));
                }
            }
            ShapeKind::Structure => {}
            _ => match params.get(m.name) {
                Some(v) => check_scalar(shape, v, &path, &mut errors),
                None if m.required => {
                    errors.push(format!("Value null at '{path}' failed to satisfy constraint: Member must not be null"))
                }
                None => {}
            },
        }
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(format!("1 validation error detected: {}", errors.join("; "))),
        n => Err(format!("{n} validation errors detected: {}", errors.join("; "))),
    }
}

/// `RoleSessionName` → `roleSessionName`.
fn camel(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The number of elements of list `name` (`name.member.N…`), or None when absent. `name=` is empty.
fn list_len(params: &Params, name: &str) -> Option<usize> {
    let Params::Query(pairs) = params else { return None };
    let prefix = format!("{name}.member.");
    let mut indexes: Vec<u32> =
        pairs.iter().filter_map(|(k, _)| k.strip_prefix(&prefix)?.split('.').next()?.parse().ok()).collect();
    indexes.sort_unstable();
    indexes.dedup();
    if !indexes.is_empty() {
        return Some(indexes.len());
    }
    pairs.iter().any(|(k, _)| k == name).then_some(0)
}

fn check_list(
    model: &ApiModel,
    shape: &Shape,
    params: &Params,
    name: &str,
    path: &str,
    n: usize,
    errors: &mut Vec<String>,
) {
    if let Some(max) = shape.max {
        if n as f64 > max {
            errors.push(format!(
                "Value at '{path}' failed to satisfy constraint: Member must have length less than or equal to {max}"
            ));
            return;
        }
    }
    let Some(elem) = shape.list_member.and_then(|s| model.shape(s)) else { return };
    match elem.kind {
        ShapeKind::Structure => {
            for (i, fields) in params.structs(name).iter().enumerate() {
                for fm in &elem.members {
                    let Some(fshape) = model.shape(fm.shape) else { continue };
                    let fpath = format!("{path}.{}.member.{}", i + 1, camel(fm.name));
                    match fields.iter().find(|(k, _)| k == fm.name) {
                        Some((_, v)) => check_scalar(fshape, v, &fpath, errors),
                        None if fm.required => errors.push(format!(
                            "Value null at '{fpath}' failed to satisfy constraint: Member must not be null"
                        )),
                        None => {}
                    }
                }
            }
        }
        ShapeKind::String => {
            for (i, v) in params.list(name).iter().enumerate() {
                check_scalar(elem, v, &format!("{path}.{}.member", i + 1), errors);
            }
        }
        _ => {}
    }
}

fn check_scalar(shape: &Shape, v: &str, path: &str, errors: &mut Vec<String>) {
    let fail = |what: String| format!("Value '{v}' at '{path}' failed to satisfy constraint: Member must {what}");
    match shape.kind {
        ShapeKind::Integer | ShapeKind::Long => {
            let Ok(n) = v.trim().parse::<i64>() else {
                errors.push(fail("be a number".into()));
                return;
            };
            if let Some(min) = shape.min.filter(|m| (n as f64) < *m) {
                errors.push(fail(format!("have value greater than or equal to {min}")));
            }
            if let Some(max) = shape.max.filter(|m| (n as f64) > *m) {
                errors.push(fail(format!("have value less than or equal to {max}")));
            }
        }
        ShapeKind::String => {
            let len = v.chars().count() as f64;
            if let Some(min) = shape.min.filter(|m| len < *m) {
                errors.push(fail(format!("have length greater than or equal to {min}")));
            }
            if let Some(max) = shape.max.filter(|m| len > *m) {
                errors.push(fail(format!("have length less than or equal to {max}")));
            }
            if !shape.enum_values.is_empty() && !shape.enum_values.iter().any(|e| e == v) {
                errors.push(fail(format!("satisfy enum value set: [{}]", shape.enum_values.join(", "))));
            }
            if let Some(p) = &shape.pattern {
                if CharClass::parse(p).is_some_and(|c| !c.matches(v)) {
                    errors.push(fail(format!("satisfy regular expression pattern: {p}")));
                }
            }
        }
        ShapeKind::Boolean if v != "true" && v != "false" => errors.push(fail("be a boolean".into())),
        _ => {}
    }
}

/// A botocore pattern of the form `[class]*` or `[class]+`.
#[derive(Debug, PartialEq)]
pub struct CharClass {
    items: Vec<ClassItem>,
    /// `+`: at least one character.
    non_empty: bool,
}

#[derive(Debug, PartialEq)]
enum ClassItem {
    Range(char, char),
    /// `\w`: letters, digits and `_`.
    Word,
    /// `\d`.
    Digit,
    /// `\p{L}`, `\p{Z}`, `\p{N}`.
    Letter,
    Separator,
    Number,
}

impl CharClass {
    pub fn parse(pattern: &str) -> Option<CharClass> {
        let (body, non_empty) = match pattern.strip_suffix("]*") {
            Some(b) => (b, false),
            None => (pattern.strip_suffix("]+")?, true),
        };
        let body = body.strip_prefix('[')?;
        let chars: Vec<char> = body.chars().collect();
        let mut items = Vec::new();
        let mut i = 0;
        // One class atom: a literal, an escaped literal or `\uXXXX`, or a class escape.
        let atom = |i: &mut usize| -> Option<Result<char, ClassItem>> {
            let c = *chars.get(*i)?;
            *i += 1;
            if c != '\\' {
                return Some(Ok(c));
            }
            let e = *chars.get(*i)?;
            *i += 1;
            Some(match e {
                'w' => Err(ClassItem::Word),
                'd' => Err(ClassItem::Digit),
                'p' => {
                    let name: String = chars.get(*i..*i + 3)?.iter().collect();
                    *i += 3;
                    match name.as_str() {
                        "{L}" => Err(ClassItem::Letter),
                        "{Z}" => Err(ClassItem::Separator),
                        "{N}" => Err(ClassItem::Number),
                        _ => return None,
                    }
                }
                'u' => {
                    // botocore writes `\u10000` for code points above U+FFFF: up to 6 hex digits.
                    let mut hex = String::new();
                    while hex.len() < 6 && chars.get(*i).is_some_and(|c| c.is_ascii_hexdigit()) {
                        hex.push(chars.get(*i).copied().unwrap_or('0'));
                        *i += 1;
                    }
                    Ok(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?)
                }
                other => Ok(other),
            })
        };
        while i < chars.len() {
            match atom(&mut i)? {
                Err(item) => items.push(item),
                Ok(lo) => {
                    if chars.get(i) == Some(&'-') && i + 1 < chars.len() {
                        i += 1;
                        match atom(&mut i)? {
                            Ok(hi) => items.push(ClassItem::Range(lo, hi)),
                            Err(item) => {
                                items.push(ClassItem::Range(lo, lo));
                                items.push(ClassItem::Range('-', '-'));
                                items.push(item);
                            }
                        }
                    } else {
                        items.push(ClassItem::Range(lo, lo));
                    }
                }
            }
        }
        Some(CharClass { items, non_empty })
    }

    pub fn matches(&self, s: &str) -> bool {
        (!self.non_empty || !s.is_empty()) && s.chars().all(|c| self.items.iter().any(|it| it.matches(c)))
    }
}

impl ClassItem {
    fn matches(&self, c: char) -> bool {
        match self {
            ClassItem::Range(lo, hi) => (*lo..=*hi).contains(&c),
            ClassItem::Word => c.is_alphanumeric() || c == '_',
            ClassItem::Digit => c.is_ascii_digit(),
            ClassItem::Letter => c.is_alphabetic(),
            ClassItem::Separator => c == ' ' || (c.is_whitespace() && !c.is_control()),
            ClassItem::Number => c.is_numeric(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_classes_of_the_sts_model() {
        let session = CharClass::parse(r"[\w+=,.@-]*").unwrap();
        assert!(session.matches("my-session.1@x") && session.matches(""));
        assert!(!session.matches("a b") && !session.matches("a/b"));
        let tag = CharClass::parse(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+").unwrap();
        assert!(tag.matches("Team Name:é/1") && !tag.matches("") && !tag.matches("a*b"));
        let policy = CharClass::parse(r"[\u0009\u000A\u000D\u0020-\u00FF]+").unwrap();
        assert!(policy.matches("{\"a\":\n\t1}") && !policy.matches("\u{1}") && !policy.matches("€"));
        let arn =
            CharClass::parse(r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+")
                .unwrap();
        assert!(arn.matches("arn:aws:iam::123456789012:role/x😀") && !arn.matches("a\u{7}"));
        assert!(CharClass::parse(r"[\d]*").unwrap().matches("123456"));
        assert!(CharClass::parse("^(a|b)$").is_none());
    }

    #[test]
    fn messages_name_the_member_path() {
        let p =
            |pairs: &[(&str, &str)]| Params::Query(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        assert_eq!(
            validate("GetFederationToken", &p(&[("Name", "a")])).unwrap_err(),
            "1 validation error detected: Value 'a' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2"
        );
        assert_eq!(
            validate("GetSessionToken", &p(&[("DurationSeconds", "899"), ("TokenCode", "12x456")])).unwrap_err(),
            "2 validation errors detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900; Value '12x456' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*"
        );
        assert_eq!(
            validate("AssumeRole", &p(&[("RoleArn", "arn:aws:iam::123456789012:role/r"), ("RoleSessionName", "s1"), ("Tags.member.1.Key", "a*"), ("Tags.member.1.Value", "v")])).unwrap_err(),
            "1 validation error detected: Value 'a*' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
        );
        assert_eq!(
            validate("AssumeRole", &p(&[("RoleSessionName", "s1")])).unwrap_err(),
            "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
        );
        assert!(validate("GetCallerIdentity", &p(&[])).is_ok());
    }
}
