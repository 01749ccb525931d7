//! The policy model: every element of an IAM JSON policy, with the source span it came from.
//!
//! The model is lenient on purpose (V1): it can hold documents that validation rejects (an `Effect` of
//! `allow`, an unknown operator, a duplicate Sid), so that the evaluator can apply the "at evaluation"
//! clauses of the spec to them. Only what cannot be represented at all fails parsing.

use crate::span::Span;

/// A value with the span of the JSON text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// The `Version` element (V3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    V2012_10_17,
    V2008_10_17,
    /// The element is absent: the legacy semantics of `2008-10-17` apply (PV3).
    Absent,
    /// Any other string: malformed (V14 row 3); evaluated like `2008-10-17`.
    Unknown(String),
}

impl Version {
    /// Whether policy variables are substituted (PV3).
    pub fn substitutes_variables(&self) -> bool {
        matches!(self, Version::V2012_10_17)
    }
}

/// A parsed policy document, owning its source text.
#[derive(Debug, Clone)]
pub struct Policy {
    pub source: String,
    pub version: Spanned<Version>,
    pub id: Option<Spanned<String>>,
    pub statements: Vec<Statement>,
    /// The span of the `Statement` member's value.
    pub statement_span: Span,
}

/// The `Effect` element (V5). A case variant or other text is kept so validation can name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
    /// Not exactly `Allow` or `Deny`: the statement never applies.
    Invalid(String),
}

/// One statement of a policy.
#[derive(Debug, Clone)]
pub struct Statement {
    /// 0-based position in the `Statement` array.
    pub index: usize,
    pub span: Span,
    pub sid: Option<Spanned<String>>,
    pub effect: Spanned<Effect>,
    pub principal: Option<PrincipalBlock>,
    pub action: Option<ActionBlock>,
    pub resource: Option<ResourceBlock>,
    pub conditions: Vec<Condition>,
    /// The span of the `Condition` member's value, when present.
    pub condition_span: Option<Span>,
}

/// `Principal` or `NotPrincipal` (P1).
#[derive(Debug, Clone)]
pub struct PrincipalBlock {
    pub negated: bool,
    pub span: Span,
    /// The key span of the member (`"Principal"` or `"NotPrincipal"`).
    pub key_span: Span,
    pub principals: PrincipalSet,
}

#[derive(Debug, Clone)]
pub enum PrincipalSet {
    /// `"Principal": "*"`.
    Wildcard,
    /// A map of principal types to values; every pair ORs together.
    Map(Vec<(PrincipalType, Vec<Spanned<String>>)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

impl PrincipalType {
    pub fn from_key(s: &str) -> Option<Self> {
        match s {
            "AWS" => Some(PrincipalType::Aws),
            "Service" => Some(PrincipalType::Service),
            "Federated" => Some(PrincipalType::Federated),
            "CanonicalUser" => Some(PrincipalType::CanonicalUser),
            _ => None,
        }
    }
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone)]
pub struct ActionBlock {
    pub negated: bool,
    pub key_span: Span,
    pub span: Span,
    pub entries: Vec<Spanned<String>>,
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone)]
pub struct ResourceBlock {
    pub negated: bool,
    pub key_span: Span,
    pub span: Span,
    pub entries: Vec<Spanned<String>>,
}

/// One (operator, key, values) triple of a `Condition` block (C1).
#[derive(Debug, Clone)]
pub struct Condition {
    pub operator: Spanned<String>,
    pub parsed: Operator,
    pub key: Spanned<String>,
    pub values: Vec<Spanned<String>>,
    /// The span of the key's value (string or array).
    pub values_span: Span,
}

/// The 27 base operators (O1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// The operator families, which decide the value grammar and whether variables apply (PV2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorFamily {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

impl BaseOperator {
    pub const ALL: [BaseOperator; 27] = [
        BaseOperator::StringEquals,
        BaseOperator::StringNotEquals,
        BaseOperator::StringEqualsIgnoreCase,
        BaseOperator::StringNotEqualsIgnoreCase,
        BaseOperator::StringLike,
        BaseOperator::StringNotLike,
        BaseOperator::NumericEquals,
        BaseOperator::NumericNotEquals,
        BaseOperator::NumericLessThan,
        BaseOperator::NumericLessThanEquals,
        BaseOperator::NumericGreaterThan,
        BaseOperator::NumericGreaterThanEquals,
        BaseOperator::DateEquals,
        BaseOperator::DateNotEquals,
        BaseOperator::DateLessThan,
        BaseOperator::DateLessThanEquals,
        BaseOperator::DateGreaterThan,
        BaseOperator::DateGreaterThanEquals,
        BaseOperator::Bool,
        BaseOperator::BinaryEquals,
        BaseOperator::IpAddress,
        BaseOperator::NotIpAddress,
        BaseOperator::ArnEquals,
        BaseOperator::ArnLike,
        BaseOperator::ArnNotEquals,
        BaseOperator::ArnNotLike,
        BaseOperator::Null,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BaseOperator::StringEquals => "StringEquals",
            BaseOperator::StringNotEquals => "StringNotEquals",
            BaseOperator::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            BaseOperator::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            BaseOperator::StringLike => "StringLike",
            BaseOperator::StringNotLike => "StringNotLike",
            BaseOperator::NumericEquals => "NumericEquals",
            BaseOperator::NumericNotEquals => "NumericNotEquals",
            BaseOperator::NumericLessThan => "NumericLessThan",
            BaseOperator::NumericLessThanEquals => "NumericLessThanEquals",
            BaseOperator::NumericGreaterThan => "NumericGreaterThan",
            BaseOperator::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            BaseOperator::DateEquals => "DateEquals",
            BaseOperator::DateNotEquals => "DateNotEquals",
            BaseOperator::DateLessThan => "DateLessThan",
            BaseOperator::DateLessThanEquals => "DateLessThanEquals",
            BaseOperator::DateGreaterThan => "DateGreaterThan",
            BaseOperator::DateGreaterThanEquals => "DateGreaterThanEquals",
            BaseOperator::Bool => "Bool",
            BaseOperator::BinaryEquals => "BinaryEquals",
            BaseOperator::IpAddress => "IpAddress",
            BaseOperator::NotIpAddress => "NotIpAddress",
            BaseOperator::ArnEquals => "ArnEquals",
            BaseOperator::ArnLike => "ArnLike",
            BaseOperator::ArnNotEquals => "ArnNotEquals",
            BaseOperator::ArnNotLike => "ArnNotLike",
            BaseOperator::Null => "Null",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        BaseOperator::ALL.into_iter().find(|op| op.name() == s)
    }

    /// Negated operators (C3): true on an absent key; values NOR together.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            BaseOperator::StringNotEquals
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringNotLike
                | BaseOperator::NumericNotEquals
                | BaseOperator::DateNotEquals
                | BaseOperator::NotIpAddress
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnNotLike
        )
    }

    pub fn family(self) -> OperatorFamily {
        use BaseOperator::*;
        match self {
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike => OperatorFamily::String,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => OperatorFamily::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => OperatorFamily::Date,
            Bool => OperatorFamily::Bool,
            BinaryEquals => OperatorFamily::Binary,
            IpAddress | NotIpAddress => OperatorFamily::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => OperatorFamily::Arn,
            Null => OperatorFamily::Null,
        }
    }
}

/// The set prefix of an operator (M3, M4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetOperator {
    None,
    ForAllValues,
    ForAnyValue,
}

/// A full operator name, parsed (O1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    Known {
        set: SetOperator,
        base: BaseOperator,
        if_exists: bool,
    },
    /// Not an operator IAM knows, in any case (V9, O11): its condition is false at evaluation.
    Unknown,
}

impl Operator {
    /// Parses an operator name exactly as AWS spells it (case-sensitive, V9).
    pub fn parse(name: &str) -> Operator {
        let (set, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (SetOperator::ForAllValues, r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (SetOperator::ForAnyValue, r)
        } else {
            (SetOperator::None, name)
        };
        if let Some(base) = BaseOperator::from_name(rest) {
            return Operator::Known { set, base, if_exists: false };
        }
        if let Some(base) = rest.strip_suffix("IfExists").and_then(BaseOperator::from_name) {
            return Operator::Known { set, base, if_exists: true };
        }
        Operator::Unknown
    }

    /// Whether this is a `Null` with a set prefix or `IfExists`: malformed, never matches (O10).
    pub fn is_malformed_null(&self) -> bool {
        matches!(self, Operator::Known { base: BaseOperator::Null, set, if_exists }
            if *set != SetOperator::None || *if_exists)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_operator_names_exactly() {
        assert_eq!(
            Operator::parse("ForAllValues:StringLikeIfExists"),
            Operator::Known { set: SetOperator::ForAllValues, base: BaseOperator::StringLike, if_exists: true }
        );
        assert_eq!(Operator::parse("stringequals"), Operator::Unknown);
        assert_eq!(Operator::parse("String"), Operator::Unknown);
        assert!(Operator::parse("NullIfExists").is_malformed_null());
        assert!(Operator::parse("ForAnyValue:Null").is_malformed_null());
    }
}
