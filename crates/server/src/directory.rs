//! The in-memory directory: every identity, credential and compiled policy, rebuilt from the store.
//!
//! Architecture invariant: the request hot path (authenticate, authorize) reads only this snapshot:
//! O(1) credential lookup by access key id, and policy sets compiled once per identity. Writes go
//! to the store, and a new snapshot replaces the old one after every change (ours, or another
//! process's, seen through the store's change counter).
//!
//! Architecture invariant: a reload compiles only documents it has not seen. Compiled policies are kept
//! by name and text from one snapshot to the next ([`Compiled`]), and their clones share one body, so a
//! reload costs reading the store, not parsing every policy of every identity again. Nothing on the
//! request path compiles: session policies are compiled at load too.

use std::collections::HashMap;
use std::sync::Arc;

use sagegate_policy::{CompiledPolicy, Context, ContextValue, PolicySet, Principal, PrincipalKind};
use sagegate_store::{StoreError, Tx};

use crate::records::*;

/// A resolved caller: who, with which policies and principal keys.
#[derive(Debug, Clone)]
pub struct Identity {
    pub principal: Principal,
    pub policies: Arc<PolicySet>,
    /// The principal keys of K2/K3 (`aws:PrincipalArn`, `aws:userid`, tags, …).
    pub context: Context,
    /// The IAM user behind the call (its own keys, a GetSessionToken or federated session).
    pub user: Option<String>,
    /// The STS session, for temporary credentials.
    pub session: Option<SessionRec>,
    /// The unique id (`AIDA…`, `AROA…:<session>`, or the account id for root).
    pub user_id: String,
}

/// A snapshot of all IAM and STS state.
#[derive(Debug, Default)]
pub struct Directory {
    pub account: Option<AccountRec>,
    pub users: HashMap<String, UserRec>,
    pub groups: HashMap<String, GroupRec>,
    pub roles: HashMap<String, RoleRec>,
    /// Customer managed policies by ARN.
    pub policies: HashMap<String, PolicyRec>,
    pub access_keys: HashMap<String, AccessKeyRec>,
    pub sessions: HashMap<String, SessionRec>,
    /// What web-identity and SAML sessions keep, by access key id.
    pub federation: HashMap<String, Vec<ContextEntry>>,
    /// IAM identity providers by ARN.
    pub oidc_providers: HashMap<String, OidcProviderRec>,
    pub saml_providers: HashMap<String, SamlProviderRec>,
    /// DeleteServiceLinkedRole tasks by id.
    pub slr_deletions: HashMap<String, SlrDeletionRec>,
    /// When the first stored session expires: the refresher purges expired sessions once it is past.
    pub first_expiry: Option<i64>,
    /// Compiled policy sets: users by name, roles by name (without session policies).
    user_sets: HashMap<String, Arc<PolicySet>>,
    role_sets: HashMap<String, Arc<PolicySet>>,
    /// Policy sets of sessions that have session policies (role and federated-user sessions), by access key id.
    session_sets: HashMap<String, Arc<PolicySet>>,
    /// Every document this snapshot compiled; the next load takes from it.
    compiled: Compiled,
    /// The sum of the store's counters of [`DIRECTORY_KINDS`] that this snapshot reflects.
    pub counter: u64,
}

/// The kinds a snapshot is built from: only writes to these reload the directory (SageMaker resources
/// are read from the store, or from the read cache, per call).
pub const DIRECTORY_KINDS: &[&str] = &[
    ACCOUNT,
    USER,
    GROUP,
    ROLE,
    POLICY,
    ACCESS_KEY,
    SESSION,
    SESSION_FEDERATION,
    OIDC_PROVIDER,
    SAML_PROVIDER,
    SLR_DELETION,
];

fn all<T: serde::de::DeserializeOwned>(tx: &mut dyn Tx, kind: &str) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = tx.list(kind, "", after.as_deref(), 1000)?;
        let done = page.len() < 1000;
        for (k, v) in page {
            out.push(serde_json::from_value(v).map_err(|e| StoreError::Corrupt(format!("{kind}/{k}: {e}")))?);
            after = Some(k);
        }
        if done {
            return Ok(out);
        }
    }
}

/// Compiled policies by name, then document text. `None` remembers a document that does not parse.
#[derive(Debug, Default)]
struct Compiled(HashMap<String, HashMap<String, Option<CompiledPolicy>>>);

impl Compiled {
    fn get(&self, name: &str, text: &str) -> Option<&Option<CompiledPolicy>> {
        self.0.get(name).and_then(|by_text| by_text.get(text))
    }
}

/// Compiles for one load: from this load's own results, then the previous snapshot's, then the parser.
struct Compiler<'a> {
    previous: &'a Compiled,
    current: Compiled,
}

impl Compiler<'_> {
    fn compile(&mut self, name: &str, text: &str) -> Option<CompiledPolicy> {
        if let Some(done) = self.current.get(name, text) {
            return done.clone();
        }
        let compiled = match self.previous.get(name, text) {
            Some(done) => done.clone(),
            // Stored documents were validated on the way in; one that no longer parses takes no part (E1).
            None => CompiledPolicy::parse(name, text).ok(),
        };
        self.current.0.entry(name.to_string()).or_default().insert(text.to_string(), compiled.clone());
        compiled
    }

    fn compile_all<'p>(&mut self, named: impl Iterator<Item = (&'p str, &'p str)>) -> Vec<CompiledPolicy> {
        named.filter_map(|(name, text)| self.compile(name, text)).collect()
    }
}

impl Directory {
    /// Reads everything and compiles every identity's policies, reusing what `previous` compiled.
    pub fn load(tx: &mut dyn Tx, counter: u64, previous: &Directory) -> Result<Directory, StoreError> {
        let account = all::<AccountRec>(tx, ACCOUNT)?.into_iter().next();
        let mut d = Directory { account, counter, ..Directory::default() };
        d.users = all::<UserRec>(tx, USER)?.into_iter().map(|u| (u.name.clone(), u)).collect();
        d.groups = all::<GroupRec>(tx, GROUP)?.into_iter().map(|g| (g.name.clone(), g)).collect();
        d.roles = all::<RoleRec>(tx, ROLE)?.into_iter().map(|r| (r.name.clone(), r)).collect();
        d.policies = all::<PolicyRec>(tx, POLICY)?.into_iter().map(|p| (p.arn.clone(), p)).collect();
        d.access_keys = all::<AccessKeyRec>(tx, ACCESS_KEY)?.into_iter().map(|k| (k.id.clone(), k)).collect();
        d.sessions = all::<SessionRec>(tx, SESSION)?.into_iter().map(|s| (s.access_key_id.clone(), s)).collect();
        d.first_expiry = d.sessions.values().map(|s| s.expires).min();
        d.federation =
            all::<FederationRec>(tx, SESSION_FEDERATION)?.into_iter().map(|f| (f.access_key_id, f.context)).collect();
        d.oidc_providers = all::<OidcProviderRec>(tx, OIDC_PROVIDER)?.into_iter().map(|p| (p.arn.clone(), p)).collect();
        d.saml_providers = all::<SamlProviderRec>(tx, SAML_PROVIDER)?.into_iter().map(|p| (p.arn.clone(), p)).collect();
        d.slr_deletions = all::<SlrDeletionRec>(tx, SLR_DELETION)?.into_iter().map(|t| (t.id.clone(), t)).collect();
        let mut c = Compiler { previous: &previous.compiled, current: Compiled::default() };
        d.user_sets = d.users.values().map(|u| (u.name.clone(), Arc::new(d.user_policy_set(u, &mut c)))).collect();
        d.role_sets = d.roles.values().map(|r| (r.name.clone(), Arc::new(d.role_policy_set(r, &[], &mut c)))).collect();
        d.session_sets = d.session_policy_sets(&mut c);
        d.compiled = c.current;
        Ok(d)
    }

    /// The policy sets of sessions whose policies differ from their identity's: role sessions with
    /// session policies, and federated users (who always have session policies).
    fn session_policy_sets(&self, c: &mut Compiler) -> HashMap<String, Arc<PolicySet>> {
        let mut out = HashMap::new();
        for s in self.sessions.values() {
            let set = match s.kind.as_str() {
                "role" if !s.session_policies.is_empty() => {
                    let Some(r) = self.roles.get(&s.source) else { continue };
                    self.role_policy_set(r, &s.session_policies, c)
                }
                "federated" => {
                    let Some(u) = self.users.get(&s.source) else { continue };
                    let mut set = self.user_policy_set(u, c);
                    set.session = Some(Self::session_policies(&s.session_policies, c));
                    set
                }
                _ => continue,
            };
            out.insert(s.access_key_id.clone(), Arc::new(set));
        }
        out
    }

    fn session_policies(docs: &[String], c: &mut Compiler) -> Vec<CompiledPolicy> {
        docs.iter().enumerate().filter_map(|(i, d)| c.compile(&format!("session-policy-{i}"), d)).collect()
    }

    pub fn account_id(&self) -> &str {
        self.account.as_ref().map_or("000000000000", |a| a.id.as_str())
    }

    /// The default-version document of a managed policy: customer ones from the store, AWS ones from the catalog.
    pub fn managed_policy_document(&self, arn: &str) -> Option<String> {
        if let Some(p) = self.policies.get(arn) {
            return p.versions.iter().find(|v| v.id == p.default_version).map(|v| v.document.clone());
        }
        sagegate_catalog::Catalog::get().managed_policy_by_arn(arn).map(|p| p.document.to_string())
    }

    fn managed(&self, arns: &[String], c: &mut Compiler) -> Vec<CompiledPolicy> {
        arns.iter().filter_map(|a| self.managed_policy_document(a).and_then(|d| c.compile(a, &d))).collect()
    }

    fn inline(policies: &[InlinePolicy], c: &mut Compiler) -> Vec<CompiledPolicy> {
        c.compile_all(policies.iter().map(|p| (p.name.as_str(), p.document.as_str())))
    }

    fn user_policy_set(&self, u: &UserRec, c: &mut Compiler) -> PolicySet {
        let mut identity = Self::inline(&u.inline, c);
        identity.extend(self.managed(&u.attached, c));
        for g in u.groups.iter().filter_map(|g| self.groups.get(g)) {
            identity.extend(Self::inline(&g.inline, c));
            identity.extend(self.managed(&g.attached, c));
        }
        let boundary = u.boundary.as_ref().and_then(|b| self.managed(std::slice::from_ref(b), c).into_iter().next());
        PolicySet { identity, boundary, ..PolicySet::default() }
    }

    fn role_policy_set(&self, r: &RoleRec, session_policies: &[String], c: &mut Compiler) -> PolicySet {
        let mut identity = Self::inline(&r.inline, c);
        identity.extend(self.managed(&r.attached, c));
        let boundary = r.boundary.as_ref().and_then(|b| self.managed(std::slice::from_ref(b), c).into_iter().next());
        let session = (!session_policies.is_empty()).then(|| Self::session_policies(session_policies, c));
        PolicySet { identity, boundary, session, ..PolicySet::default() }
    }

    /// The secret and session token for an access key id (SigV4 §5.7); inactive keys are unknown.
    pub fn key_record(&self, akid: &str) -> Option<sagegate_sigv4::KeyRecord> {
        if let Some(a) = self.account.as_ref().filter(|a| a.root_access_key_id == akid) {
            return Some(sagegate_sigv4::KeyRecord {
                secret: a.root_secret.clone(),
                session_token: None,
                expires_at: None,
            });
        }
        if let Some(k) = self.access_keys.get(akid).filter(|k| k.status == "Active") {
            return Some(sagegate_sigv4::KeyRecord { secret: k.secret.clone(), session_token: None, expires_at: None });
        }
        self.sessions.get(akid).map(|s| sagegate_sigv4::KeyRecord {
            secret: s.secret.clone(),
            session_token: Some(s.token.clone()),
            expires_at: Some(s.expires),
        })
    }

    /// Who an authenticated access key id belongs to.
    pub fn identity(&self, akid: &str) -> Option<Identity> {
        let account = self.account_id().to_string();
        let mut ctx = Context::new();
        ctx.insert_single("aws:PrincipalAccount", account.clone());
        if self.account.as_ref().is_some_and(|a| a.root_access_key_id == akid) {
            let arn = format!("arn:aws:iam::{account}:root");
            ctx.insert_single("aws:PrincipalType", "Account");
            ctx.insert_single("aws:userid", account.clone());
            ctx.insert_single("aws:PrincipalArn", arn.clone());
            let principal = Principal::parse(&arn).ok()?;
            return Some(Identity {
                principal,
                policies: Arc::new(PolicySet::default()),
                context: ctx,
                user: None,
                session: None,
                user_id: account,
            });
        }
        if let Some(k) = self.access_keys.get(akid) {
            let u = self.users.get(&k.user)?;
            return Some(self.user_identity(u, ctx, None));
        }
        let s = self.sessions.get(akid)?;
        ctx.insert_single("aws:TokenIssueTime", sagegate_sigv4::format_amz_date(s.issued));
        ctx.insert_single("aws:MultiFactorAuthPresent", s.mfa.to_string());
        match s.kind.as_str() {
            "user" => {
                let u = self.users.get(&s.source)?;
                Some(self.user_identity(u, ctx, Some(s.clone())))
            }
            "role" => {
                let r = self.roles.get(&s.source)?;
                let session_name = s.arn.rsplit('/').next().unwrap_or_default();
                let user_id = format!("{}:{session_name}", r.id);
                ctx.insert_single("aws:PrincipalType", "AssumedRole");
                ctx.insert_single("aws:userid", user_id.clone());
                ctx.insert_single("aws:PrincipalArn", r.arn.clone());
                let mut tags: Vec<Tag> = r.tags.clone();
                for t in &s.tags {
                    tags.retain(|x| !x.key.eq_ignore_ascii_case(&t.key));
                    tags.push(t.clone());
                }
                for t in &tags {
                    ctx.insert_single(format!("aws:PrincipalTag/{}", t.key), t.value.clone());
                }
                if let Some(si) = &s.source_identity {
                    ctx.insert_single("aws:SourceIdentity", si.clone());
                }
                for e in self.federation.get(akid).into_iter().flatten() {
                    let value = match (e.multi, e.values.as_slice()) {
                        (false, [one]) => ContextValue::Single(one.clone()),
                        _ => ContextValue::Multi(e.values.clone()),
                    };
                    ctx.insert(e.key.clone(), value);
                }
                if let Some((domain, profile, _)) = &s.studio {
                    ctx.insert_single("sagemaker:DomainId", domain.clone());
                    if let Some(p) = profile {
                        ctx.insert_single("sagemaker:UserProfileName", p.clone());
                    }
                }
                let mut principal = Principal::parse(&s.arn).ok()?;
                principal.role_arn = Some(r.arn.clone());
                principal.unique_id = Some(r.id.clone());
                let policies = if s.session_policies.is_empty() {
                    self.role_sets.get(&r.name).cloned().unwrap_or_default()
                } else {
                    self.session_sets.get(&s.access_key_id).cloned().unwrap_or_default()
                };
                Some(Identity { principal, policies, context: ctx, user: None, session: Some(s.clone()), user_id })
            }
            "federated" => {
                let u = self.users.get(&s.source)?;
                let name = s.arn.rsplit('/').next().unwrap_or_default();
                let user_id = format!("{account}:{name}");
                ctx.insert_single("aws:PrincipalType", "FederatedUser");
                ctx.insert_single("aws:userid", user_id.clone());
                ctx.insert_single("aws:PrincipalArn", s.arn.clone());
                let mut principal = Principal::parse(&s.arn).ok()?;
                principal.federated_by = Some(u.arn.clone());
                // Loaded with the snapshot; a missing set (never expected) has no policies: it allows nothing.
                let policies = self.session_sets.get(&s.access_key_id).cloned().unwrap_or_default();
                Some(Identity {
                    principal,
                    policies,
                    context: ctx,
                    user: Some(u.name.clone()),
                    session: Some(s.clone()),
                    user_id,
                })
            }
            _ => None,
        }
    }

    fn user_identity(&self, u: &UserRec, mut ctx: Context, session: Option<SessionRec>) -> Identity {
        ctx.insert_single("aws:PrincipalType", "User");
        ctx.insert_single("aws:userid", u.id.clone());
        ctx.insert_single("aws:username", u.name.clone());
        ctx.insert_single("aws:PrincipalArn", u.arn.clone());
        for t in &u.tags {
            ctx.insert_single(format!("aws:PrincipalTag/{}", t.key), t.value.clone());
        }
        let mut principal = Principal {
            kind: PrincipalKind::IamUser,
            arn: u.arn.clone(),
            account: Some(self.account_id().to_string()),
            partition: "aws".into(),
            role_arn: None,
            federated_by: None,
            unique_id: Some(u.id.clone()),
        };
        if let Ok(p) = Principal::parse(&u.arn) {
            principal.partition = p.partition;
        }
        let policies = self.user_sets.get(&u.name).cloned().unwrap_or_default();
        Identity { principal, policies, context: ctx, user: Some(u.name.clone()), session, user_id: u.id.clone() }
    }
}

/// Adds a list value.
pub fn multi(ctx: &mut Context, key: &str, values: Vec<String>) {
    ctx.insert(key, ContextValue::Multi(values));
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}}"#;

    #[test]
    fn a_reload_reuses_what_the_previous_snapshot_compiled() {
        let empty = Compiled::default();
        let mut first = Compiler { previous: &empty, current: Compiled::default() };
        let a = first.compile("p", DOC).unwrap();
        // Within one load, the same document attached twice is compiled once.
        assert!(first.compile("p", DOC).unwrap().shares_body_with(&a));
        let kept = first.current;
        let mut second = Compiler { previous: &kept, current: Compiled::default() };
        assert!(second.compile("p", DOC).unwrap().shares_body_with(&a));
        // A changed document, or the same text under another name, is compiled anew.
        let changed = DOC.replace("ListUsers", "GetUser");
        assert!(!second.compile("p", &changed).unwrap().shares_body_with(&a));
        assert!(!second.compile("q", DOC).unwrap().shares_body_with(&a));
        // Only what this load used is kept for the next one.
        assert_eq!(second.current.0.get("p").map(HashMap::len), Some(2));
    }

    #[test]
    fn a_document_that_no_longer_parses_takes_no_part_and_is_remembered() {
        let empty = Compiled::default();
        let mut c = Compiler { previous: &empty, current: Compiled::default() };
        assert!(c.compile("bad", "{not json").is_none());
        assert!(matches!(c.current.get("bad", "{not json"), Some(None)));
    }
}
