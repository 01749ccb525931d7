//! Who temporary credentials speak for, and what they may call (spec T6, T7, K2, K3).
//!
//! `resolve` completes the directory's identity of an access key with what only a session knows:
//! `aws:TokenIssueTime` (ISO 8601), `aws:MultiFactorAuthPresent` and `aws:MultiFactorAuthAge`, a
//! federated user's principal tags (the IAM user's tags overridden by the passed ones, T6), and the
//! sessions the root user creates (GetSessionToken and GetFederationToken called as root).
//! `check_allowed` applies AWS's limits on what each kind of temporary credentials may call.

use std::sync::Arc;

use sagegate_policy::{CompiledPolicy, Context, PolicySet, Principal};

use crate::call::iso8601;
use crate::directory::{Directory, Identity};
use crate::error::{ApiError, Service};
use crate::records::{SessionRec, Tag};

/// Session kinds as stored in `SessionRec::kind`.
pub const ROLE: &str = "role";
pub const FEDERATED: &str = "federated";
/// GetSessionToken called by an IAM user: the principal stays the user.
pub const USER: &str = "user";
/// GetSessionToken called by the root user: the principal stays root.
pub const ROOT: &str = "root";

/// The caller behind an authenticated access key id, with every principal key of K2/K3.
pub fn resolve(dir: &Directory, akid: &str, now: i64) -> Option<Identity> {
    let session = dir.sessions.get(akid);
    let mut identity = match dir.identity(akid) {
        Some(i) => i,
        None => root_session(dir, session?)?,
    };
    if let Some(s) = session {
        decorate(&mut identity, dir, s, now);
    }
    Some(identity)
}

/// Session keys the directory leaves out or writes in another form.
fn decorate(identity: &mut Identity, dir: &Directory, s: &SessionRec, now: i64) {
    let ctx = &mut identity.context;
    // Date operators compare ISO 8601 instants (K3: the key is a Date).
    ctx.insert_single("aws:TokenIssueTime", iso8601(s.issued));
    ctx.insert_single("aws:MultiFactorAuthPresent", s.mfa.to_string());
    if s.mfa {
        ctx.insert_single("aws:MultiFactorAuthAge", now.saturating_sub(s.issued).max(0).to_string());
    }
    if s.kind == FEDERATED {
        let user_tags = dir.users.get(&s.source).map(|u| u.tags.as_slice()).unwrap_or_default();
        for t in merge_tags(user_tags, &s.tags) {
            ctx.insert_single(format!("aws:PrincipalTag/{}", t.key), t.value);
        }
        if let Some(si) = &s.source_identity {
            ctx.insert_single("aws:SourceIdentity", si.clone());
        }
    }
}

/// `base` overridden by `passed`, keys compared ignoring case (T5, T6).
pub fn merge_tags(base: &[Tag], passed: &[Tag]) -> Vec<Tag> {
    let mut tags: Vec<Tag> = base.to_vec();
    for t in passed {
        tags.retain(|x| !x.key.eq_ignore_ascii_case(&t.key));
        tags.push(t.clone());
    }
    tags
}

/// Sessions the root user created: GetSessionToken (the caller stays root) and GetFederationToken
/// (a federated user whose identity step is root's implicit allow, E10).
fn root_session(dir: &Directory, s: &SessionRec) -> Option<Identity> {
    let account = dir.account.as_ref()?;
    match s.kind.as_str() {
        ROOT => {
            let mut id = dir.identity(&account.root_access_key_id)?;
            id.session = Some(s.clone());
            Some(id)
        }
        FEDERATED if s.source.is_empty() => {
            let acct = account.id.clone();
            let name = s.arn.rsplit('/').next().unwrap_or_default();
            let user_id = format!("{acct}:{name}");
            let mut ctx = Context::new();
            ctx.insert_single("aws:PrincipalAccount", acct.clone());
            ctx.insert_single("aws:PrincipalType", "FederatedUser");
            ctx.insert_single("aws:userid", user_id.clone());
            ctx.insert_single("aws:PrincipalArn", s.arn.clone());
            // Principal::parse records root as the federating identity.
            let principal = Principal::parse(&s.arn).ok()?;
            let policies =
                PolicySet { session: Some(compile_session_policies(&s.session_policies)), ..PolicySet::default() };
            Some(Identity {
                principal,
                policies: Arc::new(policies),
                context: ctx,
                user: None,
                session: Some(s.clone()),
                user_id,
            })
        }
        _ => None,
    }
}

fn compile_session_policies(docs: &[String]) -> Vec<CompiledPolicy> {
    docs.iter().enumerate().filter_map(|(i, d)| CompiledPolicy::parse(format!("session-policy-{i}"), d).ok()).collect()
}

/// AWS's limits on temporary credentials, checked after authentication and before authorization:
/// - GetSessionToken credentials cannot call IAM unless they were issued with MFA (AWS answers
///   `InvalidClientTokenId`), nor any STS operation but AssumeRole and GetCallerIdentity;
/// - federated users cannot call IAM, nor any STS operation but GetCallerIdentity;
/// - no temporary credentials can call GetSessionToken or GetFederationToken.
pub fn check_allowed(identity: &Identity, service: Service, operation: &str) -> Result<(), ApiError> {
    let Some(s) = &identity.session else {
        return Ok(());
    };
    let no_iam = match s.kind.as_str() {
        USER | ROOT => !s.mfa,
        FEDERATED => true,
        _ => false,
    };
    if service == Service::Iam && no_iam {
        return Err(ApiError::auth(service, &sagegate_sigv4::AuthError::UnrecognizedClient));
    }
    if service != Service::Sts {
        return Ok(());
    }
    let forbidden = match operation {
        "GetSessionToken" | "GetFederationToken" => true,
        "GetCallerIdentity" => false,
        // Federated users may call no other STS operation that exists; unknown ones stay InvalidAction.
        op => s.kind == FEDERATED && super::known_operation(op),
    };
    if forbidden {
        return Err(ApiError::access_denied(service, format!("Cannot call {operation} with session credentials")));
    }
    Ok(())
}
