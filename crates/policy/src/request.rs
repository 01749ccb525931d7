//! The request being authorized: principal, action, resource and context (spec 0.1).
//!
//! A `Request` is built once and then evaluated many times, so everything that can be normalized
//! (the lower-cased action, the split resource ARN, lower-cased context keys) is done at build time.

use crate::arn::Arn;

/// Who is calling (0.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum PrincipalKind {
    Root,
    IamUser,
    RoleSession,
    FederatedUser,
    Service,
    WebIdentity,
    Anonymous,
}

/// The calling principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub kind: PrincipalKind,
    /// The caller's ARN; the service name for `Service`; the provider for `WebIdentity`; `anonymous`.
    pub arn: String,
    /// The caller's account (for a role session, the role's account). None for service and anonymous callers.
    pub account: Option<String>,
    pub partition: String,
    /// For a role session: its role's ARN (with path when known).
    pub role_arn: Option<String>,
    /// For a federated user: the ARN of the IAM user (or root) that federated.
    pub federated_by: Option<String>,
    /// The unique ID (`AIDA…` for a user, `AROA…` for a role), when known (P2).
    pub unique_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("`{0}` is not a principal ARN this engine understands (expected a user, root, assumed-role or federated-user ARN, a service principal such as `sagemaker.amazonaws.com`, or `anonymous`)")]
    BadPrincipal(String),
    #[error("`{0}` is not an action of the form `service:ActionName`")]
    BadAction(String),
}

const WEB_IDENTITY_PROVIDERS: [&str; 4] =
    ["accounts.google.com", "graph.facebook.com", "www.amazon.com", "cognito-identity.amazonaws.com"];

impl Principal {
    /// Infers the principal kind from its ARN or name (see `docs/simulate-case-format.md`).
    pub fn parse(s: &str) -> Result<Principal, RequestError> {
        let bad = || RequestError::BadPrincipal(s.to_string());
        let simple = |kind, account: Option<&str>| Principal {
            kind,
            arn: s.to_string(),
            account: account.map(str::to_string),
            partition: "aws".into(),
            role_arn: None,
            federated_by: None,
            unique_id: None,
        };
        if s == "anonymous" || s == "*" {
            return Ok(simple(PrincipalKind::Anonymous, None));
        }
        if WEB_IDENTITY_PROVIDERS.contains(&s) {
            return Ok(simple(PrincipalKind::WebIdentity, None));
        }
        if !s.starts_with("arn:") {
            if s.ends_with(".amazonaws.com") || s.ends_with(".amazonaws.com.cn") {
                return Ok(simple(PrincipalKind::Service, None));
            }
            return Err(bad());
        }
        let arn = Arn::parse(s).ok_or_else(bad)?;
        let account = arn.account;
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let mut p = simple(PrincipalKind::Root, Some(account));
        p.partition = arn.partition.to_string();
        match (arn.service, arn.resource) {
            ("iam", "root") => {}
            ("iam", r) if r.starts_with("user/") && r.len() > 5 && !r.ends_with('/') => p.kind = PrincipalKind::IamUser,
            ("iam", r) if r.starts_with("oidc-provider/") || r.starts_with("saml-provider/") => {
                p.kind = PrincipalKind::WebIdentity;
                p.account = None;
            }
            ("sts", r) if r.starts_with("assumed-role/") => {
                let mut parts = r.splitn(3, '/').skip(1);
                let role = parts.next().filter(|x| !x.is_empty()).ok_or_else(bad)?;
                parts.next().filter(|x| !x.is_empty()).ok_or_else(bad)?;
                p.kind = PrincipalKind::RoleSession;
                p.role_arn = Some(format!("arn:{}:iam::{account}:role/{role}", arn.partition));
            }
            ("sts", r) if r.starts_with("federated-user/") && r.len() > 15 => {
                p.kind = PrincipalKind::FederatedUser;
                p.federated_by = Some(format!("arn:{}:iam::{account}:root", arn.partition));
            }
            _ => return Err(bad()),
        }
        Ok(p)
    }

    /// The name of an IAM user (no path), for `aws:username`.
    pub fn user_name(&self) -> Option<&str> {
        (self.kind == PrincipalKind::IamUser).then(|| self.arn.rsplit('/').next()).flatten()
    }

    /// The session name of a role session.
    pub fn session_name(&self) -> Option<&str> {
        (self.kind == PrincipalKind::RoleSession).then(|| self.arn.rsplit('/').next()).flatten()
    }
}

/// Up to this many keys, `Context::get_hashed` scans the key hashes; above, it searches the sorted keys.
const LINEAR_SCAN_MAX: usize = 48;

/// A context value: one string, or a list (a multivalued key, M1). Serialized as a string or an array.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum ContextValue {
    Single(String),
    Multi(Vec<String>),
}

/// The request context: key → value, keys compared ignoring ASCII case (C2).
///
/// Cloning is a reference-count increment; the entries are copied on the first insert into a clone.
/// A server builds one context per request and derives one per check from it, most of which add
/// nothing, so a deep copy per clone would dominate the cost of a decision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    table: std::sync::Arc<Table>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Table {
    /// (lower-cased key, key as given, value), sorted by lower-cased key then key as given.
    entries: Vec<(String, String, ContextValue)>,
    /// `index::hash` of each entry's lower-cased key, in the same order: a lookup scans these words
    /// instead of comparing strings.
    hashes: Vec<u64>,
}

impl Context {
    pub fn new() -> Self {
        Context::default()
    }

    /// Sets `key` (replacing a value under exactly the same spelling).
    pub fn insert(&mut self, key: impl Into<String>, value: ContextValue) {
        let key = key.into();
        let lower = key.to_ascii_lowercase();
        let t = std::sync::Arc::make_mut(&mut self.table);
        match t.entries.binary_search_by(|(l, k, _)| (l.as_str(), k.as_str()).cmp(&(lower.as_str(), key.as_str()))) {
            Ok(i) => {
                if let Some(e) = t.entries.get_mut(i) {
                    e.2 = value;
                }
            }
            Err(i) => {
                t.hashes.insert(i, crate::index::hash(&lower));
                t.entries.insert(i, (lower, key, value));
            }
        }
    }

    pub fn insert_single(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.insert(key, ContextValue::Single(value.into()));
    }

    /// Whether some spelling of `key` is present.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Looks a key up ignoring ASCII case. When several spellings are present (tag keys that differ only in
    /// case), the exact spelling wins, else the first in byte order (C6).
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.get_lower(&key.to_ascii_lowercase(), key)
    }

    /// Looks up a key by its lower-cased form, its `index::hash`, and its spelling (the evaluator's hot
    /// path). Same answer as `get_lower`.
    #[inline]
    pub(crate) fn get_hashed(&self, key_hash: u64, key_lower: &str, key_exact: &str) -> Option<&ContextValue> {
        if self.table.hashes.len() > LINEAR_SCAN_MAX {
            return self.get_lower(key_lower, key_exact);
        }
        let mut first = None;
        for (h, (l, k, v)) in self.table.hashes.iter().zip(&self.table.entries) {
            if *h != key_hash {
                continue;
            }
            // The exact spelling implies the same lower-cased key, so it is tested first.
            if k == key_exact {
                return Some(v);
            }
            if first.is_none() && l == key_lower {
                first = Some(v);
            }
        }
        first
    }

    /// Looks up an already lower-cased key.
    pub(crate) fn get_lower(&self, key_lower: &str, key_exact: &str) -> Option<&ContextValue> {
        let start = self.table.entries.partition_point(|(l, _, _)| l.as_str() < key_lower);
        let mut first = None;
        for (l, k, v) in self.table.entries.get(start..).unwrap_or_default() {
            if l != key_lower {
                break;
            }
            if k == key_exact {
                return Some(v);
            }
            first.get_or_insert(v);
        }
        first
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.table.entries.iter().map(|(_, k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.table.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.entries.is_empty()
    }
}

/// A request, normalized for evaluation.
#[derive(Debug, Clone)]
pub struct Request {
    pub principal: Principal,
    /// The action as the service spells it (`sagemaker:CreateTrainingJob`); used in messages (AD4).
    pub action: String,
    /// `action`, lower-cased: what action patterns compare against (A2).
    pub(crate) action_lower: String,
    /// The resource ARN, or `*` for an action without resource types.
    pub resource: String,
    /// The resource owner's account (defaults: the ARN's account, else the caller's).
    pub resource_account: Option<String>,
    pub context: Context,
    /// Byte offsets of the first five `:` of `resource` when it is an ARN (R1): split once, here.
    resource_colons: Option<[usize; 5]>,
    /// Byte offset of the `:` in `action_lower`.
    action_colon: usize,
    /// `index::hash` of `action_lower` and of its service prefix, for the action index.
    pub(crate) action_hash: u64,
    pub(crate) service_hash: u64,
}

impl Request {
    /// Builds a request. `resource_account` defaults to the ARN's account component when it has one.
    pub fn new(
        principal: Principal,
        action: &str,
        resource: &str,
        resource_account: Option<String>,
        context: Context,
    ) -> Result<Request, RequestError> {
        if action.split(':').count() != 2 {
            return Err(RequestError::BadAction(action.to_string()));
        }
        let resource_account =
            resource_account.or_else(|| Arn::parse(resource).map(|a| a.account.to_string()).filter(|a| !a.is_empty()));
        let action_lower = action.to_ascii_lowercase();
        let action_colon = action.find(':').unwrap_or(action.len());
        let service = action_lower.get(..action_colon).unwrap_or_default();
        Ok(Request {
            principal,
            action: action.to_string(),
            action_hash: crate::index::hash(&action_lower),
            service_hash: crate::index::hash(service),
            action_lower,
            resource: resource.to_string(),
            resource_account,
            context,
            resource_colons: colons(resource),
            action_colon,
        })
    }

    /// The six components of the resource ARN (R1), or None when the resource is not an ARN.
    pub fn resource_parts(&self) -> Option<[&str; 6]> {
        let [a, b, c, d, e] = self.resource_colons?;
        let r = self.resource.as_str();
        let part = |from: usize, to: usize| r.get(from..to).unwrap_or_default();
        Some([part(0, a), part(a + 1, b), part(b + 1, c), part(c + 1, d), part(d + 1, e), part(e + 1, r.len())])
    }

    /// The resource part of the resource ARN (its sixth component), if the resource is an ARN: one slice,
    /// where [`resource_parts`](Self::resource_parts) makes six.
    #[inline]
    pub(crate) fn resource_part(&self) -> Option<&str> {
        let [.., e] = self.resource_colons?;
        self.resource.get(e + 1..)
    }

    /// The service prefix of the action, lower-cased.
    pub fn service(&self) -> &str {
        self.action_lower.get(..self.action_colon).unwrap_or_default()
    }

    /// The action name, lower-cased.
    pub(crate) fn action_name_lower(&self) -> &str {
        self.action_lower.get(self.action_colon + 1..).unwrap_or_default()
    }

    /// The partition of the resource ARN, if the resource is an ARN.
    pub(crate) fn resource_partition(&self) -> Option<&str> {
        let [a, b, ..] = self.resource_colons?;
        self.resource.get(a + 1..b)
    }

    /// The account that owns the resource: given, from the ARN, or else the caller's.
    pub fn owner_account(&self) -> Option<&str> {
        self.resource_account.as_deref().or(self.principal.account.as_deref())
    }
}

/// The offsets of the first five colons of an ARN, if it starts with `arn:` and has six components.
fn colons(s: &str) -> Option<[usize; 5]> {
    if !s.starts_with("arn:") {
        return None;
    }
    let mut out = [0usize; 5];
    let mut found = s.match_indices(':').map(|(i, _)| i);
    for slot in out.iter_mut() {
        *slot = found.next()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_principal_kinds() {
        let k = |s| Principal::parse(s).unwrap().kind;
        assert_eq!(k("arn:aws:iam::111122223333:root"), PrincipalKind::Root);
        assert_eq!(k("arn:aws:iam::111122223333:user/eng/carol"), PrincipalKind::IamUser);
        assert_eq!(k("arn:aws:sts::111122223333:assumed-role/R/s1"), PrincipalKind::RoleSession);
        assert_eq!(k("arn:aws:sts::111122223333:federated-user/bob"), PrincipalKind::FederatedUser);
        assert_eq!(k("sagemaker.amazonaws.com"), PrincipalKind::Service);
        assert_eq!(k("accounts.google.com"), PrincipalKind::WebIdentity);
        assert_eq!(k("anonymous"), PrincipalKind::Anonymous);
        assert!(Principal::parse("arn:aws:iam::111122223333:role/R").is_err());
        let s = Principal::parse("arn:aws:sts::111122223333:assumed-role/R/s1").unwrap();
        assert_eq!(s.role_arn.as_deref(), Some("arn:aws:iam::111122223333:role/R"));
        assert_eq!(s.session_name(), Some("s1"));
    }

    #[test]
    fn context_keys_ignore_case_and_prefer_exact_spelling() {
        let mut c = Context::new();
        c.insert_single("aws:ResourceTag/project", "b");
        c.insert_single("aws:ResourceTag/Project", "a");
        assert_eq!(c.get("AWS:resourcetag/Project"), Some(&ContextValue::Single("a".into())));
        assert_eq!(c.get("aws:ResourceTag/project"), Some(&ContextValue::Single("b".into())));
        assert_eq!(c.get("aws:ResourceTag/PROJECT"), Some(&ContextValue::Single("a".into())));
        assert!(c.get("aws:ResourceTag/x").is_none());
    }
}
