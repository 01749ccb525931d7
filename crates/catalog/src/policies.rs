//! AWS managed policies (current default version only), parsed on first use from the embedded
//! `managed-policies.tsv`: one line per policy, sorted by name,
//! `name<TAB>path<TAB>arn<TAB>version<TAB>last-updated<TAB>document-json`.

/// One AWS managed policy at its default version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagedPolicy {
    /// e.g. `AmazonSageMakerFullAccess`.
    pub name: &'static str,
    /// IAM path, e.g. `/` or `/service-role/`.
    pub path: &'static str,
    /// e.g. `arn:aws:iam::aws:policy/AmazonSageMakerFullAccess`.
    pub arn: &'static str,
    /// The default version's id, e.g. `v29`.
    pub version_id: &'static str,
    /// When the policy was last updated (ISO 8601, as the package records it; may be empty).
    pub updated: &'static str,
    /// The default version's policy document: compact JSON text with AWS's key order.
    pub document: &'static str,
}

pub(crate) struct Policies {
    /// Sorted by name (byte order).
    pub list: Vec<ManagedPolicy>,
}

impl Policies {
    pub fn parse(tsv: &'static str) -> Result<Policies, String> {
        let mut list = Vec::with_capacity(1700);
        for (n, line) in tsv.split('\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let mut f = line.splitn(6, '\t');
            let mut next = || f.next().ok_or_else(|| format!("managed-policies.tsv line {}: too few fields", n + 1));
            list.push(ManagedPolicy {
                name: next()?,
                path: next()?,
                arn: next()?,
                version_id: next()?,
                updated: next()?,
                document: next()?,
            });
        }
        if list.windows(2).any(|w| matches!(w, [a, b] if a.name >= b.name)) {
            return Err("managed-policies.tsv is not sorted by name".to_string());
        }
        Ok(Policies { list })
    }

    /// Exact name first, then a case-insensitive match.
    pub fn by_name(&self, name: &str) -> Option<&ManagedPolicy> {
        match self.list.binary_search_by(|p| p.name.cmp(name)) {
            Ok(i) => self.list.get(i),
            Err(_) => self.list.iter().find(|p| p.name.eq_ignore_ascii_case(name)),
        }
    }

    /// Exact ARN (the name is the last path segment).
    pub fn by_arn(&self, arn: &str) -> Option<&ManagedPolicy> {
        let name = arn.rsplit('/').next()?;
        let i = self.list.binary_search_by(|p| p.name.cmp(name)).ok()?;
        self.list.get(i).filter(|p| p.arn == arn)
    }
}
