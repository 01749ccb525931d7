//! Reasoning about globs rather than matching them: can two patterns match a common string (a resource
//! entry against a resource type's ARN format), and does one pattern match everything another does
//! (redundant entries and statements)?
//!
//! Both questions are answered by a search over pairs of pattern positions, linear in the product of
//! the pattern lengths. "Covers" is sound but not complete: `true` is always right, and the rare
//! `false` that should be `true` only hides a suggestion.

use sagegate_policy::variables::{pieces, Piece};

/// One glob token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Lit(char),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters.
    Any,
    /// A run of characters without `/` (an S3 bucket name in an ARN format).
    AnySegment,
}

impl Tok {
    fn is_star(self) -> bool {
        matches!(self, Tok::Any | Tok::AnySegment)
    }
}

/// Tokens of a policy glob. With `variables`, a `${…}` variable may become any text (PV1), and the escapes
/// `${*}`, `${?}`, `${$}` are literal characters.
pub fn policy_tokens(s: &str, variables: bool) -> Vec<Tok> {
    let glob = |t: &str, out: &mut Vec<Tok>| {
        out.extend(t.chars().map(|c| match c {
            '*' => Tok::Any,
            '?' => Tok::One,
            c => Tok::Lit(c),
        }))
    };
    let mut out = Vec::with_capacity(s.len());
    if !variables || !s.contains("${") {
        glob(s, &mut out);
        return out;
    }
    for piece in pieces(s) {
        match piece {
            Piece::Text(t) => glob(&t, &mut out),
            Piece::Escaped(c) => out.push(Tok::Lit(c)),
            Piece::Var { .. } => out.push(Tok::Any),
        }
    }
    out
}

/// Tokens of a Service Authorization Reference ARN format, e.g.
/// `arn:${Partition}:s3:::${BucketName}`: each `${Name}` stands for any text. Bucket names cannot hold
/// `/`, which is what makes bucket-level actions on object ARNs (`bucket/*`) detectably dead; other
/// names may (log groups, object keys, role paths), so they stay unrestricted.
pub fn format_tokens(s: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let (before, after) = rest.split_at(i);
        out.extend(before.chars().map(Tok::Lit));
        match after.find('}') {
            Some(end) => {
                let name = after.get(2..end).unwrap_or_default();
                out.push(if name == "BucketName" { Tok::AnySegment } else { Tok::Any });
                rest = after.get(end + 1..).unwrap_or_default();
            }
            None => {
                out.extend(after.chars().map(Tok::Lit));
                rest = "";
            }
        }
    }
    out.extend(rest.chars().map(Tok::Lit));
    out
}

fn same(a: char, b: char, fold: bool) -> bool {
    a == b || (fold && a.eq_ignore_ascii_case(&b))
}

/// A reachability search over position pairs `(i, j)`; `step` lists the successors of a pair.
fn reach(len_a: usize, len_b: usize, step: impl Fn(usize, usize, &mut Vec<(usize, usize)>)) -> bool {
    let width = len_b + 1;
    let mut seen = vec![false; (len_a + 1) * width];
    let mut stack = vec![(0usize, 0usize)];
    let mut next = Vec::new();
    while let Some((i, j)) = stack.pop() {
        match seen.get_mut(i * width + j) {
            Some(s) if !*s => *s = true,
            _ => continue,
        }
        if i == len_a && j == len_b {
            return true;
        }
        next.clear();
        step(i, j, &mut next);
        stack.extend(next.iter().copied().filter(|&(a, b)| a <= len_a && b <= len_b));
    }
    false
}

/// Whether the glob matches the whole subject (single-star backtracking, no allocation).
pub fn matches(glob: &[Tok], subject: &str, fold: bool) -> bool {
    let subject: &[u8] = subject.as_bytes();
    let (mut p, mut s) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    let char_at = |i: usize| subject.get(i..).and_then(|r| std::str::from_utf8(r).ok()).and_then(|r| r.chars().next());
    loop {
        let c = char_at(s);
        match (glob.get(p), c) {
            (Some(Tok::Any | Tok::AnySegment), _) => {
                star = Some((p, s));
                p += 1;
                continue;
            }
            (Some(Tok::One), Some(ch)) => {
                p += 1;
                s += ch.len_utf8();
                continue;
            }
            (Some(Tok::Lit(l)), Some(ch)) if same(*l, ch, fold) => {
                p += 1;
                s += ch.len_utf8();
                continue;
            }
            (None, None) => return true,
            _ => {}
        }
        match star {
            Some((sp, ss)) => match char_at(ss) {
                Some(ch) if !(glob.get(sp) == Some(&Tok::AnySegment) && ch == '/') => {
                    star = Some((sp, ss + ch.len_utf8()));
                    p = sp + 1;
                    s = ss + ch.len_utf8();
                }
                _ => return false,
            },
            None => return false,
        }
    }
}

/// Whether some string matches both globs.
pub fn intersects(a: &[Tok], b: &[Tok], fold: bool) -> bool {
    reach(a.len(), b.len(), |i, j, next| {
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        if x.is_some_and(Tok::is_star) {
            next.push((i + 1, j));
        }
        if y.is_some_and(Tok::is_star) {
            next.push((i, j + 1));
        }
        let (Some(x), Some(y)) = (x, y) else {
            return;
        };
        let common = match (x, y) {
            (Tok::Lit(c), Tok::Lit(d)) => same(c, d, fold),
            (Tok::Lit(c), Tok::AnySegment) | (Tok::AnySegment, Tok::Lit(c)) => c != '/',
            _ => true,
        };
        // Two stars consuming one character together go nowhere new.
        if common && !(x.is_star() && y.is_star()) {
            next.push((i + usize::from(!x.is_star()), j + usize::from(!y.is_star())));
        }
    })
}

/// Whether the literal text before the first wildcard of `general`, and after its last, can be a prefix
/// and a suffix of what `specific` matches: a cheap test that rejects most pairs before [`covers`].
fn ends_agree(general: &str, specific: &str, fold: bool) -> bool {
    let eq = |a: &str, b: &str| if fold { a.eq_ignore_ascii_case(b) } else { a == b };
    let head = general.find(['*', '?']).map_or(general, |i| general.get(..i).unwrap_or_default());
    let tail = general.rfind(['*', '?']).map_or(general, |i| general.get(i + 1..).unwrap_or_default());
    specific.get(..head.len()).is_some_and(|s| eq(s, head))
        && specific.len().checked_sub(tail.len()).and_then(|i| specific.get(i..)).is_some_and(|s| eq(s, tail))
}

/// Whether `general` matches every string `specific` matches.
pub fn covers(general: &[Tok], specific: &[Tok], fold: bool) -> bool {
    reach(general.len(), specific.len(), |i, j, next| {
        let Some(g) = general.get(i).copied() else {
            return;
        };
        let s = specific.get(j).copied();
        match g {
            Tok::Any => {
                next.push((i + 1, j));
                if s.is_some() {
                    next.push((i, j + 1));
                }
            }
            Tok::AnySegment => {
                next.push((i + 1, j));
                if matches!(s, Some(Tok::Lit(c)) if c != '/') || s == Some(Tok::AnySegment) {
                    next.push((i, j + 1));
                }
            }
            Tok::One => {
                if matches!(s, Some(Tok::Lit(_) | Tok::One)) {
                    next.push((i + 1, j + 1));
                }
            }
            Tok::Lit(c) => {
                if matches!(s, Some(Tok::Lit(d)) if same(c, d, fold)) {
                    next.push((i + 1, j + 1));
                }
            }
        }
    })
}

/// The six components of a `Resource` entry (R1), with R7's padding of a short entry ending in `*`.
/// None for `*` and for what is not an ARN (R8).
pub fn arn_parts(entry: &str) -> Option<[&str; 6]> {
    if !entry.starts_with("arn:") {
        return None;
    }
    let mut parts = ["*"; 6];
    let mut n = 0;
    for (slot, part) in parts.iter_mut().zip(entry.splitn(6, ':')) {
        *slot = part;
        n += 1;
    }
    (n == 6 || entry.ends_with('*')).then_some(parts)
}

/// Whether the entry's resource part has a wildcard in its resource-type prefix, so it matches nothing (R6).
pub fn wildcard_type_prefix(entry: &str) -> bool {
    let Some(parts) = arn_parts(entry) else {
        return false;
    };
    let resource = parts[5];
    // S3 bucket and object ARNs have no type prefix: their whole resource part is a glob (R6).
    if parts[2].eq_ignore_ascii_case("s3") && parts[3].is_empty() && parts[4].is_empty() {
        return false;
    }
    match resource.find(['/', ':']) {
        Some(i) => resource.get(..i).is_some_and(|p| p != "*" && p.contains(['*', '?'])),
        None => false,
    }
}

/// An ARN (a `Resource` entry or a resource type's ARN format) split and tokenized once, for repeated
/// [`arn_intersects`] tests.
pub struct ArnTokens([Vec<Tok>; 6]);

impl ArnTokens {
    /// A `Resource` entry; None when it is not an ARN. With `variables`, variables in the resource part
    /// may become anything.
    pub fn entry(entry: &str, variables: bool) -> Option<ArnTokens> {
        let parts = arn_parts(entry)?;
        let [arn, partition, service, region, account, resource] = parts;
        let plain = |p: &str| policy_tokens(p, false);
        Some(ArnTokens([
            plain(arn),
            plain(partition),
            plain(service),
            plain(region),
            plain(account),
            policy_tokens(resource, variables),
        ]))
    }

    /// A Service Authorization Reference ARN format.
    pub fn format(format: &str) -> Option<ArnTokens> {
        let parts = arn_parts(format)?;
        Some(ArnTokens(parts.map(format_tokens)))
    }
}

/// Whether an entry can match some resource of a format. Partition, service, region and account compare
/// ignoring case (R4, R5) and never across `:`; the resource part is case-sensitive (R6).
pub fn arn_intersects(entry: &ArnTokens, format: &ArnTokens) -> bool {
    entry.0.iter().zip(format.0.iter()).enumerate().all(|(i, (e, f))| intersects(e, f, i < 5))
}

fn is_pattern(s: &str, variables: bool) -> bool {
    s.contains(['*', '?']) || (variables && s.contains("${"))
}

/// Whether Resource entry `general` matches every resource `specific` matches.
pub fn resource_covers(general: &str, specific: &str, variables: bool) -> bool {
    if general == "*" || general == specific {
        return true;
    }
    if !is_pattern(general, variables) {
        return false; // a literal covers only itself (differences of case aside)
    }
    let (Some(g), Some(s)) = (arn_parts(general), arn_parts(specific)) else {
        return false;
    };
    g.iter().zip(s.iter()).enumerate().all(|(i, (g, s))| {
        let vars = variables && i == 5;
        g == s || ((vars || ends_agree(g, s, i < 5)) && covers(&policy_tokens(g, vars), &policy_tokens(s, vars), i < 5))
    })
}

/// Whether Action entry `general` matches every action `specific` matches (A1, A2, A4).
pub fn action_covers(general: &str, specific: &str) -> bool {
    if general == "*" {
        return true;
    }
    let (Some((gp, gn)), Some((sp, sn))) = (general.split_once(':'), specific.split_once(':')) else {
        return general == specific;
    };
    if gp.contains(['*', '?']) || sp.contains(['*', '?']) || gn.contains(':') || sn.contains(':') {
        return false;
    }
    if !gp.eq_ignore_ascii_case(sp) {
        return false;
    }
    if !gn.contains(['*', '?']) {
        return !sn.contains(['*', '?']) && gn.eq_ignore_ascii_case(sn);
    }
    if !ends_agree(gn, sn, true) {
        return false;
    }
    covers(&policy_tokens(gn, false), &policy_tokens(sn, false), true)
}

/// An example resource ARN from a format: `arn:${Partition}:sagemaker:${Region}:${Account}:endpoint/${EndpointName}`
/// becomes `arn:aws:sagemaker:*:*:endpoint/*`.
pub fn example_arn(format: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(i) = rest.find("${") {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        let end = after.find('}').unwrap_or(after.len().saturating_sub(1));
        out.push_str(if after.starts_with("${Partition}") { "aws" } else { "*" });
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<Tok> {
        policy_tokens(s, false)
    }

    fn may_match_format(entry: &str, format: &str, variables: bool) -> bool {
        arn_intersects(&ArnTokens::entry(entry, variables).unwrap(), &ArnTokens::format(format).unwrap())
    }

    #[test]
    fn intersection() {
        assert!(intersects(&t("training-job/*"), &format_tokens("training-job/${Name}"), false));
        assert!(!intersects(&t("Canvas*"), &format_tokens("endpoint/${EndpointName}"), false));
        assert!(intersects(&t("*Canvas*"), &format_tokens("endpoint/${EndpointName}"), false));
        assert!(!intersects(&t("bucket/*"), &format_tokens("${BucketName}"), false));
        assert!(intersects(&t("bucket*"), &format_tokens("${BucketName}"), false));
        assert!(intersects(&t("a?c"), &t("*b*"), false));
        assert!(!intersects(&t("a?c"), &t("b*"), false));
        assert!(!intersects(&t("a?c"), &t("*dd*"), false));
        assert!(intersects(&t("US-EAST-1"), &t("us-*"), true));
    }

    #[test]
    fn coverage() {
        assert!(covers(&t("*"), &t("abc*"), false));
        assert!(covers(&t("a*"), &t("ab?c*"), false));
        assert!(!covers(&t("ab*"), &t("a*"), false));
        assert!(!covers(&t("a?"), &t("a*"), false));
        assert!(covers(&t("a?"), &t("a?"), false));
        assert!(action_covers("sagemaker:*", "SageMaker:Describe*"));
        assert!(action_covers("sagemaker:Describe*", "sagemaker:describetrainingjob"));
        assert!(!action_covers("sagemaker:Describe*", "sagemaker:List*"));
        assert!(!action_covers("sage*:*", "sagemaker:ListModels"));
        assert!(resource_covers("arn:aws:sagemaker:*:*:*", "arn:aws:sagemaker:us-east-1:1:model/m", false));
        assert!(!resource_covers("arn:aws:sagemaker:*:*:model/*", "arn:aws:sagemaker:*:*:*", false));
        assert!(resource_covers("arn:aws:sagemaker:*", "arn:aws:sagemaker:us-east-1:1:model/m", false));
    }

    #[test]
    fn arns() {
        assert_eq!(arn_parts("arn:aws:sagemaker:*"), Some(["arn", "aws", "sagemaker", "*", "*", "*"]));
        assert_eq!(arn_parts("arn:aws:s3"), None);
        assert!(wildcard_type_prefix("arn:aws:sagemaker:*:*:notebook-*/x"));
        assert!(!wildcard_type_prefix("arn:aws:sagemaker:*:*:*/x"));
        assert!(!may_match_format(
            "arn:aws:sagemaker:*:*:Canvas*",
            "arn:${Partition}:sagemaker:${Region}:${Account}:endpoint/${EndpointName}",
            false
        ));
        assert!(may_match_format(
            "arn:aws:sagemaker:*:*:endpoint/${aws:username}",
            "arn:${Partition}:sagemaker:${Region}:${Account}:endpoint/${EndpointName}",
            true
        ));
        assert_eq!(
            example_arn("arn:${Partition}:sagemaker:${Region}:${Account}:endpoint/${EndpointName}"),
            "arn:aws:sagemaker:*:*:endpoint/*"
        );
    }
}
