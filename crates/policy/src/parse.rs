//! From JSON text to the policy model, failing only on what the model cannot hold.
//!
//! Every failure here is a V14 row 3 error ("Syntax errors in policy."): not JSON, a duplicate key, a
//! wrong JSON type, an unknown key, an empty `Statement`, or both members of a pair. Everything the
//! model can represent is kept, and the validator judges it.

use crate::ast::*;
use crate::json::{self, Json, JsonErrorKind, JsonValue, Member};
use crate::span::Span;

/// Why a document could not be parsed into the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub message: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The text is not JSON.
    NotJson,
    /// A key repeated within one object (V2).
    DuplicateKey,
    /// JSON, but not the shape of a policy.
    Structure,
}

fn structure(message: impl Into<String>, span: Span) -> ParseError {
    ParseError { kind: ParseErrorKind::Structure, message: message.into(), span }
}

impl Policy {
    /// Parses a policy document. See the module docs for what fails here.
    pub fn parse(text: &str) -> Result<Policy, ParseError> {
        let root = json::parse(text).map_err(|e| ParseError {
            kind: match e.kind {
                JsonErrorKind::Syntax(_) => ParseErrorKind::NotJson,
                JsonErrorKind::DuplicateKey(_) => ParseErrorKind::DuplicateKey,
            },
            message: e.message(),
            span: e.span,
        })?;
        let members = as_object(&root, "the policy document")?;
        let mut version = Spanned::new(Version::Absent, Span::new(0, 0));
        let mut id = None;
        let mut statement = None;
        for m in members {
            match m.key.as_str() {
                "Version" => {
                    let s = as_string(&m.value, "`Version`")?;
                    let v = match s.as_str() {
                        "2012-10-17" => Version::V2012_10_17,
                        "2008-10-17" => Version::V2008_10_17,
                        _ => Version::Unknown(s),
                    };
                    version = Spanned::new(v, m.value.span);
                }
                "Id" => id = Some(Spanned::new(as_string(&m.value, "`Id`")?, m.value.span)),
                "Statement" => statement = Some(&m.value),
                other => return Err(structure(format!("unknown top-level key `{other}`"), m.key_span)),
            }
        }
        let statement = statement.ok_or_else(|| structure("the policy has no `Statement`", root.span))?;
        let items: Vec<&Json> = match &statement.value {
            JsonValue::Object(_) => vec![statement],
            JsonValue::Array(items) => items.iter().collect(),
            _ => return Err(structure("`Statement` must be an object or an array of objects", statement.span)),
        };
        if items.is_empty() {
            return Err(structure("`Statement` is an empty array", statement.span));
        }
        let statements =
            items.into_iter().enumerate().map(|(i, s)| parse_statement(i, s)).collect::<Result<Vec<_>, _>>()?;
        Ok(Policy { source: text.to_string(), version, id, statements, statement_span: statement.span })
    }
}

fn as_object<'a>(j: &'a Json, what: &str) -> Result<&'a [Member], ParseError> {
    match &j.value {
        JsonValue::Object(m) => Ok(m),
        _ => Err(structure(format!("{what} must be a JSON object"), j.span)),
    }
}

fn as_string(j: &Json, what: &str) -> Result<String, ParseError> {
    match &j.value {
        JsonValue::String(s) => Ok(s.clone()),
        _ => Err(structure(format!("{what} must be a string"), j.span)),
    }
}

/// A string or an array of strings (V8). An empty array yields no entries.
fn string_list(j: &Json, what: &str) -> Result<Vec<Spanned<String>>, ParseError> {
    match &j.value {
        JsonValue::String(s) => Ok(vec![Spanned::new(s.clone(), j.span)]),
        JsonValue::Array(items) => items
            .iter()
            .map(|i| match &i.value {
                JsonValue::String(s) => Ok(Spanned::new(s.clone(), i.span)),
                _ => Err(structure(format!("every entry of {what} must be a string"), i.span)),
            })
            .collect(),
        _ => Err(structure(format!("{what} must be a string or an array of strings"), j.span)),
    }
}

fn parse_statement(index: usize, j: &Json) -> Result<Statement, ParseError> {
    let members = as_object(j, "a statement")?;
    let mut sid = None;
    let mut effect = None;
    let mut principal: Option<PrincipalBlock> = None;
    let mut action: Option<ActionBlock> = None;
    let mut resource: Option<ResourceBlock> = None;
    let mut conditions = Vec::new();
    let mut condition_span = None;
    for m in members {
        let key = m.key.as_str();
        match key {
            "Sid" => sid = Some(Spanned::new(as_string(&m.value, "`Sid`")?, m.value.span)),
            "Effect" => {
                let s = as_string(&m.value, "`Effect`")?;
                let e = match s.as_str() {
                    "Allow" => Effect::Allow,
                    "Deny" => Effect::Deny,
                    _ => Effect::Invalid(s),
                };
                effect = Some(Spanned::new(e, m.value.span));
            }
            "Principal" | "NotPrincipal" => {
                if principal.is_some() {
                    return Err(structure(
                        "a statement may have only one of `Principal` and `NotPrincipal`",
                        m.key_span,
                    ));
                }
                principal = Some(PrincipalBlock {
                    negated: key == "NotPrincipal",
                    span: m.value.span,
                    key_span: m.key_span,
                    principals: parse_principals(&m.value, key)?,
                });
            }
            "Action" | "NotAction" => {
                // V8: an empty list counts as the element being missing, so it makes no pair.
                if action.as_ref().is_some_and(|a| !a.entries.is_empty()) && !is_empty_list(&m.value) {
                    return Err(structure("a statement may have only one of `Action` and `NotAction`", m.key_span));
                }
                let entries = string_list(&m.value, &format!("`{key}`"))?;
                if entries.is_empty() && action.is_some() {
                    continue;
                }
                action = Some(ActionBlock {
                    negated: key == "NotAction",
                    key_span: m.key_span,
                    span: m.value.span,
                    entries,
                });
            }
            "Resource" | "NotResource" => {
                if resource.as_ref().is_some_and(|r| !r.entries.is_empty()) && !is_empty_list(&m.value) {
                    return Err(structure("a statement may have only one of `Resource` and `NotResource`", m.key_span));
                }
                let entries = string_list(&m.value, &format!("`{key}`"))?;
                if entries.is_empty() && resource.is_some() {
                    continue;
                }
                resource = Some(ResourceBlock {
                    negated: key == "NotResource",
                    key_span: m.key_span,
                    span: m.value.span,
                    entries,
                });
            }
            "Condition" => {
                condition_span = Some(m.value.span);
                conditions = parse_conditions(&m.value)?;
            }
            other => return Err(structure(format!("unknown statement key `{other}`"), m.key_span)),
        }
    }
    let effect = effect.ok_or_else(|| structure("the statement has no `Effect`", j.span))?;
    // V8: an empty list counts as the element being missing.
    let action = action.filter(|a| !a.entries.is_empty());
    let resource = resource.filter(|r| !r.entries.is_empty());
    Ok(Statement { index, span: j.span, sid, effect, principal, action, resource, conditions, condition_span })
}

fn is_empty_list(j: &Json) -> bool {
    matches!(&j.value, JsonValue::Array(a) if a.is_empty())
}

fn parse_principals(j: &Json, key: &str) -> Result<PrincipalSet, ParseError> {
    match &j.value {
        JsonValue::String(s) if s == "*" => Ok(PrincipalSet::Wildcard),
        JsonValue::String(_) => Err(structure(format!("`{key}` as a string may only be \"*\""), j.span)),
        JsonValue::Object(members) => {
            let mut map = Vec::new();
            for m in members {
                let ty = PrincipalType::from_key(&m.key).ok_or_else(|| {
                    structure(
                        format!(
                            "unknown principal type `{}` (expected AWS, Service, Federated or CanonicalUser)",
                            m.key
                        ),
                        m.key_span,
                    )
                })?;
                map.push((ty, string_list(&m.value, &format!("`{key}.{}`", m.key))?));
            }
            Ok(PrincipalSet::Map(map))
        }
        _ => Err(structure(format!("`{key}` must be \"*\" or an object"), j.span)),
    }
}

fn parse_conditions(j: &Json) -> Result<Vec<Condition>, ParseError> {
    let mut out = Vec::new();
    for op in as_object(j, "`Condition`")? {
        let keys = as_object(&op.value, "a condition operator block")?;
        let parsed = Operator::parse(&op.key);
        for k in keys {
            let values = condition_values(&k.value)?;
            out.push(Condition {
                operator: Spanned::new(op.key.clone(), op.key_span),
                parsed,
                key: Spanned::new(k.key.clone(), k.key_span),
                values,
                values_span: k.value.span,
            });
        }
    }
    Ok(out)
}

/// A condition value: a string, a number or a boolean, or a non-empty array of these (V9).
fn condition_values(j: &Json) -> Result<Vec<Spanned<String>>, ParseError> {
    fn scalar(j: &Json) -> Result<Spanned<String>, ParseError> {
        match &j.value {
            JsonValue::String(s) => Ok(Spanned::new(s.clone(), j.span)),
            JsonValue::Number(n) => Ok(Spanned::new(n.clone(), j.span)),
            JsonValue::Bool(b) => Ok(Spanned::new(b.to_string(), j.span)),
            _ => Err(structure("a condition value must be a string, a number or a boolean", j.span)),
        }
    }
    match &j.value {
        JsonValue::Array(items) if items.is_empty() => {
            Err(structure("a condition value may not be an empty array", j.span))
        }
        JsonValue::Array(items) => items.iter().map(scalar).collect(),
        _ => Ok(vec![scalar(j)?]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_statement() {
        let p = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":{"Sid":"A","Effect":"Allow","Action":"s3:GetObject",
            "Resource":["arn:aws:s3:::b/*"],"Condition":{"NumericLessThan":{"s3:max-keys":10, "x:y":[true]}}}}"#,
        )
        .unwrap();
        assert_eq!(p.statements.len(), 1);
        let s = &p.statements[0];
        assert_eq!(s.conditions[0].values[0].value, "10");
        assert_eq!(s.conditions[1].values[0].value, "true");
    }

    #[test]
    fn rejects_what_the_model_cannot_hold() {
        for bad in [
            r#"{"Statement":[]}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"a:b","NotAction":"a:c"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"a:b","Foo":1}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"a:b","Condition":{"StringEquals":{"k":null}}}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"a:b","Condition":{"StringEquals":{"k":[]}}}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":5}}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":"arn:aws:iam::1:root","Action":"a:b"}}"#,
        ] {
            assert!(Policy::parse(bad).is_err(), "{bad}");
        }
    }
}
