//! Glob matching for action patterns and edit-distance suggestions ("did you mean …?").

/// Case-insensitive (ASCII) glob: `*` matches any run of characters, `?` exactly one.
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || text.get(t).is_some_and(|b| b.eq_ignore_ascii_case(&c)) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern.get(p..).is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// Whether a name contains glob wildcards.
pub fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// The largest edit distance worth suggesting for a name of this length.
pub fn threshold(len: usize) -> usize {
    (len / 4).clamp(1, 4)
}

/// Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent
/// transpositions), ASCII case-insensitive, giving up above `limit`.
pub fn distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_lowercase()).collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let width = b.len() + 1;
    let mut prev2: Vec<usize> = vec![0; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur: Vec<usize> = vec![0; width];
    for (i, &ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        let mut row_min = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(usize::MAX).saturating_add(1);
            let ins = cur.get(j).copied().unwrap_or(usize::MAX).saturating_add(1);
            let sub = prev.get(j).copied().unwrap_or(usize::MAX).saturating_add(cost);
            let mut best = del.min(ins).min(sub);
            if i > 0 && j > 0 && a.get(i - 1) == Some(&cb) && b.get(j - 1) == Some(&ca) {
                best = best.min(prev2.get(j - 1).copied().unwrap_or(usize::MAX).saturating_add(1));
            }
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = best;
            }
            row_min = row_min.min(best);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().filter(|&d| d <= limit)
}

/// The candidate closest to `query` within [`threshold`], first one on ties.
pub fn nearest<'a>(query: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut limit = threshold(query.len());
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if let Some(d) = distance(query, c, limit) {
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, c));
                if d == 0 {
                    break;
                }
                limit = d;
            }
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(b"sagemaker:Describe*", b"sagemaker:DescribeTrainingJob"));
        assert!(glob_match(b"SAGEMAKER:describe*", b"sagemaker:DescribeTrainingJob"));
        assert!(glob_match(b"*", b"anything"));
        assert!(glob_match(b"s?:Get*", b"s3:GetObject"));
        assert!(glob_match(b"*:*Tags", b"sagemaker:AddTags"));
        assert!(!glob_match(b"sagemaker:Describe", b"sagemaker:DescribeX"));
        assert!(!glob_match(b"s?:Get*", b"sts:GetCallerIdentity"));
        assert!(glob_match(b"a*b*c", b"aXbYbZc"));
    }

    #[test]
    fn distances() {
        assert_eq!(distance("CreateTraningJob", "CreateTrainingJob", 4), Some(1));
        assert_eq!(distance("sagemkaer", "sagemaker", 2), Some(1));
        assert_eq!(distance("abc", "ABC", 1), Some(0));
        assert_eq!(distance("abc", "xyz", 2), None);
        assert_eq!(nearest("sagemakr", ["s3", "sagemaker", "sagemaker-geospatial"]), Some("sagemaker"));
        assert_eq!(nearest("zzzz", ["s3", "sagemaker"]), None);
    }
}
