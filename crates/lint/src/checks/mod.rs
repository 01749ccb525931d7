//! The checks, one per file, and the registry that runs them in code order.
//!
//! A check is a `pub(crate) const CHECK: Check` plus its `run` function. To add one: pick the next free code
//! in its area (codes are never reused), add the file, list it in [`ALL`], and document it in
//! `docs/lint.md` (a test fails until you do).

use sagegate_policy::ast::{BaseOperator, Condition, Operator, SetOperator, Spanned, Statement};
use sagegate_policy::span::Span;
use sagegate_policy::variables::{pieces, Piece};

use crate::doc::{Doc, Facts};
use crate::Check;

mod action_case;
mod action_matches_no_resource;
mod allow_not_action;
mod allow_not_resource;
mod broad_sagemaker_grant;
mod deny_misses_absent_key;
mod deny_not_principal;
mod deprecated_kms_key;
mod empty_condition_value;
mod for_all_values_without_null;
mod iam_validation;
mod if_exists_on_always_present_key;
mod invalid_account_id;
mod invalid_arn_value;
mod invalid_binary_value;
mod invalid_bool_value;
mod invalid_ip_value;
mod invalid_numeric_value;
mod invalid_region;
mod key_missing_for_some_actions;
mod key_not_applicable;
mod like_without_wildcard;
mod missing_add_tags;
mod missing_version;
mod non_arn_value_for_arn_key;
mod operator_type_mismatch;
mod pass_role_wildcard_resource;
mod pass_role_without_service;
mod plain_operator_on_multivalued_key;
mod public_principal;
mod redundant_action;
mod redundant_resource;
mod redundant_statement;
mod resource_matches_no_action;
mod sagemaker_trust_without_source;
mod set_operator_on_single_valued_key;
mod shadowed_by_deny;
mod short_arn;
mod statement_matches_no_resource;
mod string_operator_on_arn_key;
mod tag_condition_on_tag_immune;
mod unknown_action;
mod unknown_condition_key;
mod unknown_service;
mod unknown_variable;
mod variable_not_substituted;
mod variable_without_version;
mod wildcard_in_string_equals;
mod wildcard_only_action;
mod wildcard_resource_type;
mod wildcard_service_prefix;
mod write_on_all_resources;

/// Every check, in code order.
pub(crate) static ALL: &[&Check] = &[
    &iam_validation::CHECK,
    &missing_version::CHECK,
    &variable_without_version::CHECK,
    &variable_not_substituted::CHECK,
    &unknown_variable::CHECK,
    &unknown_service::CHECK,
    &unknown_action::CHECK,
    &unknown_condition_key::CHECK,
    &action_case::CHECK,
    &wildcard_service_prefix::CHECK,
    &deprecated_kms_key::CHECK,
    &redundant_action::CHECK,
    &wildcard_only_action::CHECK,
    &action_matches_no_resource::CHECK,
    &statement_matches_no_resource::CHECK,
    &wildcard_resource_type::CHECK,
    &short_arn::CHECK,
    &invalid_account_id::CHECK,
    &invalid_region::CHECK,
    &redundant_resource::CHECK,
    &resource_matches_no_action::CHECK,
    &key_not_applicable::CHECK,
    &key_missing_for_some_actions::CHECK,
    &operator_type_mismatch::CHECK,
    &string_operator_on_arn_key::CHECK,
    &set_operator_on_single_valued_key::CHECK,
    &plain_operator_on_multivalued_key::CHECK,
    &for_all_values_without_null::CHECK,
    &if_exists_on_always_present_key::CHECK,
    &invalid_bool_value::CHECK,
    &invalid_numeric_value::CHECK,
    &invalid_ip_value::CHECK,
    &invalid_arn_value::CHECK,
    &invalid_binary_value::CHECK,
    &empty_condition_value::CHECK,
    &wildcard_in_string_equals::CHECK,
    &like_without_wildcard::CHECK,
    &non_arn_value_for_arn_key::CHECK,
    &deny_misses_absent_key::CHECK,
    &allow_not_action::CHECK,
    &allow_not_resource::CHECK,
    &deny_not_principal::CHECK,
    &redundant_statement::CHECK,
    &shadowed_by_deny::CHECK,
    &write_on_all_resources::CHECK,
    &public_principal::CHECK,
    &pass_role_wildcard_resource::CHECK,
    &pass_role_without_service::CHECK,
    &broad_sagemaker_grant::CHECK,
    &tag_condition_on_tag_immune::CHECK,
    &missing_add_tags::CHECK,
    &sagemaker_trust_without_source::CHECK,
];

/// One condition with a known operator, and where it sits.
pub(crate) struct Cond<'d> {
    pub st: &'d Statement,
    pub facts: &'d Facts,
    pub c: &'d Condition,
    pub set: SetOperator,
    pub base: BaseOperator,
    pub if_exists: bool,
}

impl Cond<'_> {
    /// Whether the condition is false when its key is absent: `Null` asking for the key to be present
    /// (O10); otherwise no `IfExists` (C4, M7), and `ForAnyValue:` (M4) or a positive operator without a
    /// set prefix (C3). `ForAllValues:` is true on an absent key (M3).
    pub fn needs_key(&self) -> bool {
        if self.base == BaseOperator::Null {
            return self.c.values.iter().all(|v| v.value.eq_ignore_ascii_case("false"));
        }
        !self.if_exists
            && match self.set {
                SetOperator::ForAnyValue => true,
                SetOperator::ForAllValues => false,
                SetOperator::None => !self.base.is_negated(),
            }
    }
}

/// Every condition of the document whose operator IAM knows.
pub(crate) fn conditions<'d>(doc: &'d Doc) -> impl Iterator<Item = Cond<'d>> + 'd {
    doc.statements().flat_map(|(st, facts)| {
        st.conditions.iter().filter_map(move |c| match c.parsed {
            Operator::Known { set, base, if_exists } => Some(Cond { st, facts, c, set, base, if_exists }),
            Operator::Unknown => None,
        })
    })
}

/// Whether statement `general` applies to every request that statement `specific` applies to, judged
/// from the text: its actions and resources cover the other's, its principal is the same, and its
/// conditions are a subset of the other's (so it is at most as strict). `NotAction`/`NotResource`
/// statements are not compared.
pub(crate) fn statement_covers(doc: &Doc, general: &Statement, specific: &Statement) -> bool {
    let (Some(ga), Some(sa)) = (&general.action, &specific.action) else {
        return false;
    };
    if ga.negated || sa.negated {
        return false;
    }
    if !sa.entries.iter().all(|s| ga.entries.iter().any(|g| crate::patterns::action_covers(&g.value, &s.value))) {
        return false;
    }
    let vars = doc.substitutes_variables();
    match (&general.resource, &specific.resource) {
        (None, None) => {}
        (Some(g), Some(s)) if !g.negated && !s.negated => {
            if !s
                .entries
                .iter()
                .all(|s| g.entries.iter().any(|g| crate::patterns::resource_covers(&g.value, &s.value, vars)))
            {
                return false;
            }
        }
        _ => return false,
    }
    let source = |span: Span| doc.text.get(span.start..span.end).unwrap_or_default();
    match (&general.principal, &specific.principal) {
        (None, None) => {}
        (Some(g), Some(s)) if g.negated == s.negated && source(g.span) == source(s.span) => {}
        _ => return false,
    }
    let canonical = |c: &Condition| {
        let mut values: Vec<&str> = c.values.iter().map(|v| v.value.as_str()).collect();
        values.sort_unstable();
        format!("{}\u{0}{}\u{0}{}", c.operator.value, c.key.value.to_ascii_lowercase(), values.join("\u{0}"))
    };
    let specific_conditions: Vec<String> = specific.conditions.iter().map(canonical).collect();
    general.conditions.iter().all(|c| specific_conditions.contains(&canonical(c)))
}

/// Whether the statement can never apply to `action` because the action takes no resource ARN and the
/// statement names no `*` resource (SG201 reports it; other checks stay quiet about such actions).
pub(crate) fn dead_wildcard_only(st: &Statement, action: &crate::doc::ActionRef) -> bool {
    action.action.is_wildcard_only()
        && st.resource.as_ref().is_some_and(|r| !r.negated && !r.entries.iter().any(|e| e.value == "*"))
}

/// Whether `action` is one of the SageMaker operations that tags cannot restrict (SG502's domain).
pub(crate) fn tag_immune(action: &crate::doc::ActionRef) -> bool {
    action.service.prefix == "sagemaker" && sagegate_sagemaker::keys::TAG_IMMUNE.contains(&action.action.name)
}

/// Whether a key is a resource-tag key (`aws:ResourceTag/…`, `sagemaker:ResourceTag/…`).
pub(crate) fn is_resource_tag_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("aws:resourcetag/") || key.starts_with("sagemaker:resourcetag/")
}

/// Whether a value holds a policy variable (or an escape), which makes its text unknowable here.
pub(crate) fn has_variable(s: &str) -> bool {
    s.contains("${")
}

/// One `${key}` or `${key, 'default'}` in a string, with its byte range (escapes such as `${*}` excluded).
pub(crate) struct VarRef {
    pub start: usize,
    pub end: usize,
    pub key: String,
    pub default: Option<String>,
}

/// The variables of `s` (PV1).
pub(crate) fn variables(s: &str) -> Vec<VarRef> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = s.get(from..).and_then(|r| r.find("${")).map(|i| from + i) {
        from = i + 2;
        let rest = s.get(i..).unwrap_or_default();
        if let Some(Piece::Var { key, default, .. }) = pieces(rest).into_iter().next() {
            let len = match &default {
                None => key.len() + 3,
                Some(_) => rest.find("'}").map_or(rest.len(), |j| j + 2),
            };
            out.push(VarRef { start: i, end: i + len, key, default });
            from = i + len;
        }
    }
    out
}

/// Where variables start being substituted in a `Resource` entry: after the resource-type prefix of the
/// resource part (PV2, R9), or at the resource part for S3 bucket and object ARNs (R6). Variables before
/// this offset are literal text. The end of the text when the entry is not an ARN or has no resource part.
pub(crate) fn resource_substitution_start(entry: &str) -> usize {
    let Some(parts) = crate::patterns::arn_parts(entry) else {
        return entry.len();
    };
    let Some(r0) = entry.match_indices(':').nth(4).map(|(i, _)| i + 1) else {
        return entry.len();
    };
    let resource = entry.get(r0..).unwrap_or_default();
    let s3_style = parts[2].eq_ignore_ascii_case("s3") && parts[3].is_empty() && parts[4].is_empty();
    match resource.find(['/', ':']) {
        Some(i) if !s3_style && resource.get(..i) != Some("*") => r0 + i + 1,
        _ => r0,
    }
}

/// The span of `s.value[start..end]` in the source, or the whole value's span when the JSON string holds
/// escapes (then offsets in the value are not offsets in the text).
pub(crate) fn sub_span(text: &str, s: &Spanned<String>, start: usize, end: usize) -> Span {
    let raw = text.get(s.span.start..s.span.end).unwrap_or_default();
    if raw.len() == s.value.len() + 2 && raw.get(1..raw.len() - 1) == Some(s.value.as_str()) {
        Span::new(s.span.start + 1 + start, s.span.start + 1 + end)
    } else {
        s.span
    }
}

#[cfg(test)]
pub(crate) mod test {
    //! Helpers for the checks' tests: policy text in, `CODE line:column covered-text` out.

    use sagegate_catalog::Catalog;
    use sagegate_policy::PolicyKind;

    use crate::doc::Doc;
    use crate::positions::Positions;
    use crate::{Check, Finding, Sink};

    fn findings(check: &'static Check, kind: PolicyKind, text: &str) -> Vec<Finding> {
        let doc = Doc::new(text, kind, Catalog::get());
        let mut sink = Sink::new();
        (check.run)(&doc, &mut sink);
        sink.finish(check, &Positions::new(text))
    }

    /// A 2012-10-17 policy with one statement per line: statement `i` is on line `i + 2`, and its columns
    /// are its own offsets plus one.
    pub fn policy(statements: &[&str]) -> String {
        format!("{{\"Version\": \"2012-10-17\", \"Statement\": [\n{}\n]}}", statements.join(",\n"))
    }

    /// Runs one check; each finding as `CODE line:column covered-text`.
    pub fn run(check: &'static Check, kind: PolicyKind, text: &str) -> Vec<String> {
        findings(check, kind, text)
            .iter()
            .map(|f| {
                let covered = text.get(f.span.start..f.span.end).unwrap_or_default();
                format!("{} {}:{} {covered}", f.code, f.start.line, f.start.column)
            })
            .collect()
    }

    /// [`run`] on an identity policy.
    pub fn found(check: &'static Check, text: &str) -> Vec<String> {
        run(check, PolicyKind::Identity, text)
    }

    /// Each finding's `message | help`.
    pub fn messages(check: &'static Check, text: &str) -> Vec<String> {
        findings(check, PolicyKind::Identity, text).iter().map(|f| format!("{} | {}", f.message, f.help)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_well_formed_and_in_order() {
        let codes: Vec<&str> = ALL.iter().map(|c| c.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted, "codes must be unique and listed in order");
        for c in ALL {
            assert!(
                c.code.len() == 5 && c.code.starts_with("SG") && c.code[2..].bytes().all(|b| b.is_ascii_digit()),
                "{c:?}"
            );
            assert!(c.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{c:?}");
            assert!(c.summary.ends_with('.'), "{c:?}");
            assert_eq!(ALL.iter().filter(|d| d.name == c.name).count(), 1, "{c:?}");
        }
        assert!(ALL.len() >= 30);
    }
}
