//! Condition evaluation: the operator families (section 6) and multivalued keys (section 7).
//!
//! Each (context value, policy value) pair yields Match, NoMatch or Invalid (O2). Policy values are
//! parsed once at compile time; context values are parsed per evaluation without allocating.

use std::cmp::Ordering;
use std::net::IpAddr;

use crate::ast::{BaseOperator, Operator, OperatorFamily, SetOperator};
use crate::glob::{self, Glob, Token};
use crate::request::{Context, ContextValue};
use crate::variables::{self, Piece};

/// The outcome of comparing one context value with one policy value (O2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pair {
    Match,
    NoMatch,
    Invalid,
}

/// A policy value, pre-parsed for its operator family.
#[derive(Debug, Clone)]
pub enum PolicyValue {
    /// String family: the text, its compiled glob (for `StringLike`), and pieces when variables apply.
    Str {
        text: String,
        glob: Glob,
        vars: Option<Vec<Piece>>,
    },
    /// ARN family: six glob components, or None when the value has fewer (NoMatch, O9).
    Arn {
        parts: Option<[Vec<Token>; 6]>,
        vars: Option<Vec<Piece>>,
    },
    Numeric(Option<Decimal>),
    Date(Option<Instant>),
    Bool(Option<bool>),
    Binary(Option<Vec<u8>>),
    Ip(Option<IpNet>),
    /// `Null`: `true` = key absent, `false` = key present; None = malformed (never matches).
    Null(Option<bool>),
}

/// A compiled condition: one operator, one key, its values (C1).
#[derive(Debug, Clone)]
pub struct CompiledCondition {
    pub operator: Operator,
    pub key: String,
    pub key_lower: String,
    /// `index::hash` of `key_lower`, for the context lookup.
    pub(crate) key_hash: u64,
    pub values: Vec<PolicyValue>,
    /// Position of this condition within its statement's `Condition` block (for explanations).
    pub index: usize,
    /// The operator and the values as written, and the span of the condition (key through values) in the
    /// policy source: for explanations only.
    pub(crate) operator_name: String,
    pub(crate) values_text: Vec<String>,
    pub(crate) span: crate::span::Span,
    /// Precomputed from `operator`: never true (an unknown operator, O11, or a malformed `Null`, O10).
    never: bool,
    /// Precomputed from `operator`: the base operator is negated (C3), and its positive form.
    negated: bool,
    positive: BaseOperator,
    /// Precomputed: whether `holds` may take the plain-string path.
    plain: Plain,
}

/// Conditions of the string family without variables, `StringEquals`/`StringLike` and their negations,
/// are most of what policies hold; `holds` decides them without going through `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plain {
    No,
    Equals,
    Like,
}

impl CompiledCondition {
    /// Compiles one condition. `variables` says whether the policy's Version substitutes them (PV3).
    pub fn compile(operator: Operator, key: &str, values: &[String], index: usize, variables: bool) -> Self {
        let family = match operator {
            Operator::Known { base, .. } => Some(base.family()),
            Operator::Unknown => None,
        };
        let values: Vec<PolicyValue> = values.iter().map(|v| compile_value(family, v, variables)).collect();
        let key_lower = key.to_ascii_lowercase();
        let key_hash = crate::index::hash(&key_lower);
        let (never, negated, positive) = match operator {
            Operator::Known { base, .. } => (operator.is_malformed_null(), base.is_negated(), positive_of(base)),
            Operator::Unknown => (true, false, BaseOperator::Null),
        };
        let all_plain = values.iter().all(|v| matches!(v, PolicyValue::Str { vars: None, .. }));
        let plain = match positive {
            _ if never || !all_plain => Plain::No,
            BaseOperator::StringEquals => Plain::Equals,
            BaseOperator::StringLike => Plain::Like,
            _ => Plain::No,
        };
        CompiledCondition {
            operator,
            key: key.to_string(),
            key_lower,
            key_hash,
            values,
            index,
            operator_name: String::new(),
            values_text: Vec::new(),
            span: crate::span::Span::default(),
            never,
            negated,
            positive,
            plain,
        }
    }

    /// Whether the condition holds for `ctx`: `evaluate`, with plain string conditions decided inline.
    #[inline]
    pub(crate) fn holds(&self, ctx: &Context, scratch: &mut Scratch) -> bool {
        match (self.plain, self.operator) {
            (Plain::Equals, Operator::Known { set, if_exists, .. }) => self.holds_plain::<false>(set, if_exists, ctx),
            (Plain::Like, Operator::Known { set, if_exists, .. }) => self.holds_plain::<true>(set, if_exists, ctx),
            _ => self.evaluate(ctx, scratch),
        }
    }

    /// `evaluate` for a plain string condition (`Plain::Equals` or `Plain::Like`): every pair is Match or
    /// NoMatch, so a negated operator holds when no value matches (O2, M5).
    #[inline]
    fn holds_plain<const LIKE: bool>(&self, set: SetOperator, if_exists: bool, ctx: &Context) -> bool {
        let test = |v: &str| {
            let any = self.values.iter().any(|p| match p {
                PolicyValue::Str { text, glob, .. } => {
                    if LIKE {
                        glob.matches(v)
                    } else {
                        text == v
                    }
                }
                _ => false,
            });
            any != self.negated
        };
        match ctx.get_hashed(self.key_hash, &self.key_lower, &self.key) {
            // C3, C4, M3, M4, M7.
            None => {
                if_exists
                    || match set {
                        SetOperator::None => self.negated,
                        SetOperator::ForAllValues => true,
                        SetOperator::ForAnyValue => false,
                    }
            }
            Some(ContextValue::Single(v)) => test(v), // M6 for the set operators
            Some(ContextValue::Multi(vs)) => match set {
                SetOperator::None => false, // M2
                SetOperator::ForAllValues => vs.iter().all(|v| test(v)),
                SetOperator::ForAnyValue => vs.iter().any(|v| test(v)),
            },
        }
    }

    /// Whether the condition holds for `ctx` (sections 5–7).
    pub fn evaluate(&self, ctx: &Context, scratch: &mut Scratch) -> bool {
        let Operator::Known { set, base, if_exists } = self.operator else {
            return false; // O11
        };
        if self.never {
            return false; // O10
        }
        let value = ctx.get_hashed(self.key_hash, &self.key_lower, &self.key);
        if base == BaseOperator::Null {
            let present = value.is_some();
            return self.values.iter().any(|v| match v {
                PolicyValue::Null(Some(want_absent)) => *want_absent != present,
                _ => false,
            });
        }
        let Some(value) = value else {
            // C3, C4, M3, M4, M7.
            if if_exists {
                return true;
            }
            return match set {
                SetOperator::None => base.is_negated(),
                SetOperator::ForAllValues => true,
                SetOperator::ForAnyValue => false,
            };
        };
        match (set, value) {
            (SetOperator::None, ContextValue::Multi(_)) => false, // M2
            (SetOperator::None, ContextValue::Single(v)) => self.test(v, ctx, scratch),
            (SetOperator::ForAllValues, ContextValue::Single(v)) => self.test(v, ctx, scratch), // M6
            (SetOperator::ForAnyValue, ContextValue::Single(v)) => self.test(v, ctx, scratch),
            (SetOperator::ForAllValues, ContextValue::Multi(vs)) => vs.iter().all(|v| self.test(v, ctx, scratch)),
            (SetOperator::ForAnyValue, ContextValue::Multi(vs)) => vs.iter().any(|v| self.test(v, ctx, scratch)),
        }
    }

    /// The request's value of this condition's key (for explanations).
    pub(crate) fn seen<'a>(&self, ctx: &'a Context) -> Option<&'a ContextValue> {
        ctx.get_hashed(self.key_hash, &self.key_lower, &self.key)
    }

    /// T(v) (M5): for a positive operator some pair matches; for a negated one no pair matches and
    /// none is invalid (O2).
    fn test(&self, v: &str, ctx: &Context, scratch: &mut Scratch) -> bool {
        if self.negated {
            self.values.iter().all(|p| self.pair(v, p, ctx, scratch) == Pair::NoMatch)
        } else {
            self.values.iter().any(|p| self.pair(v, p, ctx, scratch) == Pair::Match)
        }
    }

    /// `compare` under the positive operator, with the two most common cases (`StringEquals` and
    /// `StringLike` on a value without variables) decided inline, as `compare` would decide them.
    #[inline]
    fn pair(&self, v: &str, p: &PolicyValue, ctx: &Context, scratch: &mut Scratch) -> Pair {
        match (self.positive, p) {
            (BaseOperator::StringEquals, PolicyValue::Str { text, vars: None, .. }) => {
                if text == v {
                    Pair::Match
                } else {
                    Pair::NoMatch
                }
            }
            (BaseOperator::StringLike, PolicyValue::Str { glob, vars: None, .. }) => {
                if glob.matches(v) {
                    Pair::Match
                } else {
                    Pair::NoMatch
                }
            }
            _ => compare(self.positive, v, p, ctx, scratch),
        }
    }
}

/// Reusable buffers for variable resolution, so repeated evaluation does not allocate.
#[derive(Debug, Default)]
pub struct Scratch {
    pub text: String,
    pub tokens: Vec<Token>,
}

fn positive_of(base: BaseOperator) -> BaseOperator {
    use BaseOperator::*;
    match base {
        StringNotEquals => StringEquals,
        StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
        StringNotLike => StringLike,
        NumericNotEquals => NumericEquals,
        DateNotEquals => DateEquals,
        NotIpAddress => IpAddress,
        ArnNotEquals => ArnEquals,
        ArnNotLike => ArnLike,
        other => other,
    }
}

fn compile_value(family: Option<OperatorFamily>, v: &str, variables: bool) -> PolicyValue {
    let vars = || {
        if !variables {
            return None;
        }
        let p = variables::pieces(v);
        variables::needs_resolution(&p).then_some(p)
    };
    match family {
        None | Some(OperatorFamily::String) => {
            PolicyValue::Str { text: v.to_string(), glob: Glob::new(v), vars: vars() }
        }
        Some(OperatorFamily::Arn) => {
            let vars = vars();
            let parts = if vars.is_some() { None } else { arn_parts(&glob::tokens(v)) };
            PolicyValue::Arn { parts, vars }
        }
        Some(OperatorFamily::Numeric) => PolicyValue::Numeric(Decimal::parse(v)),
        Some(OperatorFamily::Date) => PolicyValue::Date(Instant::parse(v)),
        Some(OperatorFamily::Bool) => PolicyValue::Bool(parse_bool(v)),
        Some(OperatorFamily::Binary) => PolicyValue::Binary(base64_decode(v)),
        Some(OperatorFamily::Ip) => PolicyValue::Ip(IpNet::parse(v)),
        Some(OperatorFamily::Null) => PolicyValue::Null(parse_bool(v)),
    }
}

/// Splits glob tokens at `:` literals into six ARN components (the sixth keeps further `:`).
fn arn_parts(tokens: &[Token]) -> Option<[Vec<Token>; 6]> {
    let mut parts: [Vec<Token>; 6] = Default::default();
    let mut i = 0;
    for t in tokens {
        if *t == Token::Literal(':') && i < 5 {
            i += 1;
            continue;
        }
        parts.get_mut(i)?.push(t.clone());
    }
    (i == 5).then_some(parts)
}

fn parse_bool(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Compares one context value with one policy value under a positive base operator.
fn compare(base: BaseOperator, v: &str, p: &PolicyValue, ctx: &Context, scratch: &mut Scratch) -> Pair {
    use BaseOperator::*;
    let m = |b: bool| if b { Pair::Match } else { Pair::NoMatch };
    match (base, p) {
        (StringEquals | StringEqualsIgnoreCase | StringLike, PolicyValue::Str { text, glob: pattern, vars }) => {
            let Scratch { text: buf, tokens: tbuf } = scratch;
            match (base, vars) {
                (StringLike, None) => m(pattern.matches(v)),
                (StringLike, Some(pieces)) => {
                    // PV7: an unresolved variable matches no context value.
                    m(variables::resolve_tokens(pieces, ctx, tbuf) && glob::matches(tbuf, v))
                }
                (_, vars) => {
                    let want: &str = match vars {
                        None => text,
                        Some(pieces) => {
                            if !variables::resolve_text(pieces, ctx, buf) {
                                return Pair::NoMatch;
                            }
                            buf
                        }
                    };
                    if base == StringEquals {
                        m(v == want)
                    } else {
                        m(eq_unicode_ignore_case(v, want))
                    }
                }
            }
        }
        (ArnEquals | ArnLike, PolicyValue::Arn { parts, vars }) => {
            let Some(ctx_parts) = crate::arn::split6(v) else {
                return Pair::NoMatch;
            };
            match vars {
                None => match parts {
                    Some(parts) => m(parts.iter().zip(ctx_parts.iter()).all(|(pt, c)| glob::matches(pt, c))),
                    None => Pair::NoMatch,
                },
                Some(pieces) => {
                    let tbuf = &mut scratch.tokens;
                    if !variables::resolve_tokens(pieces, ctx, tbuf) {
                        return Pair::NoMatch;
                    }
                    match arn_parts(tbuf) {
                        Some(parts) => m(parts.iter().zip(ctx_parts.iter()).all(|(pt, c)| glob::matches(pt, c))),
                        None => Pair::NoMatch,
                    }
                }
            }
        }
        (
            NumericEquals | NumericLessThan | NumericLessThanEquals | NumericGreaterThan | NumericGreaterThanEquals,
            PolicyValue::Numeric(pv),
        ) => {
            let (Some(pv), Some(cv)) = (pv, Decimal::parse(v)) else {
                return Pair::Invalid;
            };
            let o = cv.cmp(pv);
            m(match base {
                NumericEquals => o == Ordering::Equal,
                NumericLessThan => o == Ordering::Less,
                NumericLessThanEquals => o != Ordering::Greater,
                NumericGreaterThan => o == Ordering::Greater,
                _ => o != Ordering::Less,
            })
        }
        (
            DateEquals | DateLessThan | DateLessThanEquals | DateGreaterThan | DateGreaterThanEquals,
            PolicyValue::Date(pv),
        ) => {
            let (Some(pv), Some(cv)) = (pv, Instant::parse(v)) else {
                return Pair::Invalid;
            };
            let o = cv.cmp(pv);
            m(match base {
                DateEquals => o == Ordering::Equal,
                DateLessThan => o == Ordering::Less,
                DateLessThanEquals => o != Ordering::Greater,
                DateGreaterThan => o == Ordering::Greater,
                _ => o != Ordering::Less,
            })
        }
        (Bool, PolicyValue::Bool(pv)) => match (pv, parse_bool(v)) {
            (Some(a), Some(b)) => m(*a == b),
            _ => Pair::Invalid,
        },
        (BinaryEquals, PolicyValue::Binary(pv)) => match pv {
            Some(a) => match base64_eq(v, a) {
                Some(b) => m(b),
                None => Pair::Invalid,
            },
            None => Pair::Invalid,
        },
        (IpAddress, PolicyValue::Ip(pv)) => {
            let (Some(net), Ok(addr)) = (pv, v.parse::<IpAddr>()) else {
                return Pair::Invalid;
            };
            m(net.contains(addr))
        }
        _ => Pair::NoMatch,
    }
}

/// Unicode-lowercase equality (O3).
fn eq_unicode_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    // `str::to_lowercase` applies the context-sensitive mappings (a word-final Σ becomes ς) that
    // per-character lowercasing misses; only non-ASCII values pay for the allocation.
    a.to_lowercase() == b.to_lowercase()
}

/// An exact decimal borrowed from its text (O4): value = sign × 0.digits × 10^exp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    negative: bool,
    /// Significant digits, no leading or trailing zeros; empty for zero.
    digits: Vec<u8>,
    exp: i64,
}

impl Decimal {
    /// Grammar `[+-]?(digits[.digits] | .digits)([eE][+-]?digits)?`, no spaces (O4).
    pub fn parse(s: &str) -> Option<Decimal> {
        let b = s.as_bytes();
        let mut i = 0;
        let mut negative = false;
        if let Some(&c @ (b'+' | b'-')) = b.first() {
            negative = c == b'-';
            i = 1;
        }
        let int_start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let int = b.get(int_start..i)?;
        let mut frac: &[u8] = &[];
        if b.get(i) == Some(&b'.') {
            i += 1;
            let fs = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            frac = b.get(fs..i)?;
            if frac.is_empty() {
                return None; // `1.` is not in the grammar
            }
        }
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let mut e: i64 = 0;
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            let mut eneg = false;
            if let Some(&c @ (b'+' | b'-')) = b.get(i) {
                eneg = c == b'-';
                i += 1;
            }
            let es = i;
            while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
                e = e.saturating_mul(10).saturating_add(i64::from(d - b'0'));
                i += 1;
            }
            if i == es {
                return None;
            }
            if eneg {
                e = -e;
            }
        }
        if i != b.len() {
            return None;
        }
        let all: Vec<u8> = int.iter().chain(frac.iter()).map(|d| d - b'0').collect();
        let lead = all.iter().take_while(|d| **d == 0).count();
        let mut digits: Vec<u8> = all.get(lead..).unwrap_or_default().to_vec();
        while digits.last() == Some(&0) {
            digits.pop();
        }
        let exp = (int.len() as i64 - lead as i64).saturating_add(e);
        Some(Decimal { negative: negative && !digits.is_empty(), digits, exp })
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let mag = |a: &Decimal, b: &Decimal| match (a.digits.is_empty(), b.digits.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => a.exp.cmp(&b.exp).then_with(|| a.digits.cmp(&b.digits)),
        };
        match (self.negative, other.negative) {
            (false, false) => mag(self, other),
            (true, true) => mag(other, self),
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// An instant: seconds since the epoch plus nanoseconds (O5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    pub seconds: i64,
    pub nanos: u32,
}

impl Instant {
    /// Epoch seconds (all digits) or a W3C ISO 8601 form (O5).
    pub fn parse(s: &str) -> Option<Instant> {
        let b = s.as_bytes();
        if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
            return Some(Instant { seconds: s.parse().ok()?, nanos: 0 });
        }
        let num = |from: usize, len: usize| -> Option<i64> {
            let part = b.get(from..from + len)?;
            if !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            std::str::from_utf8(part).ok()?.parse().ok()
        };
        let year = num(0, 4)?;
        if b.get(4) != Some(&b'-') {
            return None;
        }
        let month = num(5, 2)?;
        if !(1..=12).contains(&month) {
            return None;
        }
        let (mut day, mut i) = (1, 7);
        if b.len() > 7 {
            if b.get(7) != Some(&b'-') {
                return None;
            }
            day = num(8, 2)?;
            i = 10;
            if day < 1 || day > days_in_month(year, month) {
                return None;
            }
        }
        let mut secs = days_from_civil(year, month, day) * 86_400;
        let mut nanos = 0u32;
        if i == 10 && b.len() > 10 {
            if b.get(10) != Some(&b'T') {
                return None;
            }
            let hh = num(11, 2)?;
            if b.get(13) != Some(&b':') {
                return None;
            }
            let mm = num(14, 2)?;
            i = 16;
            let mut ss = 0;
            if b.get(16) == Some(&b':') {
                ss = num(17, 2)?;
                i = 19;
                if b.get(19) == Some(&b'.') {
                    let fs = 20;
                    let mut j = fs;
                    while b.get(j).is_some_and(u8::is_ascii_digit) {
                        j += 1;
                    }
                    if j == fs {
                        return None;
                    }
                    let mut n: u32 = 0;
                    for k in 0..9 {
                        let d = b.get(fs + k).filter(|_| fs + k < j).map_or(0, |d| u32::from(d - b'0'));
                        n = n * 10 + d;
                    }
                    nanos = n;
                    i = j;
                }
            }
            if hh > 23 || mm > 59 || ss > 60 {
                return None;
            }
            secs += hh * 3600 + mm * 60 + ss;
            match b.get(i) {
                None => {}
                Some(b'Z') if i + 1 == b.len() => {}
                Some(&c @ (b'+' | b'-')) if i + 6 == b.len() && b.get(i + 3) == Some(&b':') => {
                    let (th, tm) = (num(i + 1, 2)?, num(i + 4, 2)?);
                    if th > 23 || tm > 59 {
                        return None;
                    }
                    let off = th * 3600 + tm * 60;
                    secs += if c == b'+' { -off } else { off };
                }
                _ => return None,
            }
        } else if b.len() != i {
            return None;
        }
        Some(Instant { seconds: secs, nanos })
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An IPv4 or IPv6 network (O8). Host bits past the prefix are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn parse(s: &str) -> Option<IpNet> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            None => max,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
            Some(_) => return None,
        };
        (prefix <= max).then_some(IpNet { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(self.prefix)) };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(self.prefix)) };
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

fn b64_val(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    }))
}

/// Standard base64 (RFC 4648) with optional padding; None when invalid (O7).
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    base64_each(s, |b| out.push(b))?;
    Some(out)
}

/// Compares the decoding of `s` with `want` without allocating.
fn base64_eq(s: &str, want: &[u8]) -> Option<bool> {
    let mut i = 0;
    let mut equal = true;
    base64_each(s, |b| {
        equal &= want.get(i) == Some(&b);
        i += 1;
    })?;
    Some(equal && i == want.len())
}

fn base64_each(s: &str, mut emit: impl FnMut(u8)) -> Option<()> {
    let trimmed = s.trim_end_matches('=');
    let pad = s.len() - trimmed.len();
    if pad > 2 || (pad > 0 && !s.len().is_multiple_of(4)) || trimmed.len() % 4 == 1 {
        return None;
    }
    let b = trimmed.as_bytes();
    for chunk in b.chunks(4) {
        let mut acc = 0u32;
        for (k, c) in chunk.iter().enumerate() {
            acc |= b64_val(*c)? << (18 - 6 * k);
        }
        let bytes = acc.to_be_bytes();
        for byte in bytes.iter().skip(1).take(chunk.len() - 1) {
            emit(*byte);
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `holds` takes an inline path for plain string conditions; it must agree with `evaluate` on every
    /// operator form, value shape and context shape.
    #[test]
    fn plain_string_path_agrees_with_evaluate() {
        let contexts: Vec<Option<ContextValue>> = vec![
            None,
            Some(ContextValue::Single("a".into())),
            Some(ContextValue::Single("ab".into())),
            Some(ContextValue::Single("".into())),
            Some(ContextValue::Multi(vec![])),
            Some(ContextValue::Multi(vec!["a".into()])),
            Some(ContextValue::Multi(vec!["a".into(), "b".into()])),
            Some(ContextValue::Multi(vec!["ab".into(), "x".into()])),
        ];
        let values: [&[&str]; 4] = [&["a"], &["a*"], &["b", "a?"], &[]];
        let mut checked = 0;
        for set in ["", "ForAllValues:", "ForAnyValue:"] {
            for base in ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike"] {
                for suffix in ["", "IfExists"] {
                    let op = Operator::parse(&format!("{set}{base}{suffix}"));
                    for vs in values {
                        let vs: Vec<String> = vs.iter().map(|v| v.to_string()).collect();
                        let c = CompiledCondition::compile(op, "k:Key", &vs, 0, true);
                        assert_ne!(c.plain, Plain::No, "{set}{base}{suffix}");
                        for (i, cv) in contexts.iter().enumerate() {
                            let mut ctx = Context::new();
                            if let Some(v) = cv {
                                ctx.insert(if i % 2 == 0 { "k:Key" } else { "K:KEY" }, v.clone());
                            }
                            let mut scratch = Scratch::default();
                            let general = c.evaluate(&ctx, &mut scratch);
                            assert_eq!(c.holds(&ctx, &mut scratch), general, "{set}{base}{suffix} {vs:?} on {cv:?}");
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 3 * 4 * 2 * 4 * 8);
        // Variables, other families and `Null` keep the general path.
        let vars =
            CompiledCondition::compile(Operator::parse("StringEquals"), "k", &["${aws:username}".into()], 0, true);
        assert_eq!(vars.plain, Plain::No);
        let ic = CompiledCondition::compile(Operator::parse("StringEqualsIgnoreCase"), "k", &["a".into()], 0, true);
        assert_eq!(ic.plain, Plain::No);
    }

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn decimals_compare_exactly() {
        assert_eq!(d("1.0"), d("1"));
        assert_eq!(d("010"), d("10"));
        assert_eq!(d("1e1"), d("10"));
        assert_eq!(d("-0"), d("0"));
        assert!(d("0.1") < d("0.2"));
        assert!(d("-5") < d("-4.9"));
        assert!(d(".5") < d("1"));
        for bad in ["", "1.", "abc", "10abc", " 1", "1e", "+", "."] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn dates_parse_w3c_forms_and_epoch() {
        let t = |s| Instant::parse(s).unwrap().seconds;
        assert_eq!(t("1970-01-01T00:00:00Z"), 0);
        assert_eq!(t("2024"), 2024);
        assert_eq!(t("2020-01"), t("2020-01-01T00:00:00Z"));
        assert_eq!(t("2020-01-01T01:00+01:00"), t("2020-01-01T00:00:00Z"));
        assert_eq!(t("2020-01-01T00:00:00"), t("2020-01-01"));
        assert_eq!(Instant::parse("2020-01-01T00:00:00.5Z").unwrap().nanos, 500_000_000);
        for bad in ["2020-13", "2020-02-30", "2020-01-01T25:00Z", "yesterday", "2020-01-01T00:00:00X"] {
            assert!(Instant::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ip_networks() {
        let n = IpNet::parse("192.0.2.77/24").unwrap();
        assert!(n.contains("192.0.2.1".parse().unwrap()));
        assert!(!n.contains("192.0.3.1".parse().unwrap()));
        assert!(!n.contains("::ffff:192.0.2.1".parse().unwrap()));
        assert!(IpNet::parse("2001:db8::/32").unwrap().contains("2001:db8::1".parse().unwrap()));
        assert!(IpNet::parse("1.2.3.4/33").is_none());
    }

    #[test]
    fn base64() {
        assert_eq!(base64_decode("QWJj").unwrap(), b"Abc");
        assert_eq!(base64_decode("QQ==").unwrap(), b"A");
        assert!(base64_decode("Q===").is_none());
        assert!(base64_decode("Q!==").is_none());
        assert_eq!(base64_eq("QQ==", b"A"), Some(true));
    }
}
