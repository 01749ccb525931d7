//! Execution roles: a role passed to SageMaker must exist and trust `sagemaker.amazonaws.com`
//! (spec §4.5, S23), checked after authorization as SageMaker does when it first assumes the role.

use sagegate_policy::{evaluate, CompiledPolicy, Decision, PolicySet, Principal, Request};

use super::ops::validation;
use super::{Env, Fail};
use crate::records::RoleRec;

pub const SAGEMAKER_SERVICE: &str = "sagemaker.amazonaws.com";

/// The stored role an ARN of this account names.
pub fn role_of<'a>(env: &'a Env, role_arn: &str) -> Option<&'a RoleRec> {
    let account = env.scope.account.as_str();
    let rest = role_arn.strip_prefix("arn:aws:iam::")?.strip_prefix(account)?.strip_prefix(":role/")?;
    let name = rest.rsplit('/').next()?;
    env.dir.roles.get(name).filter(|r| r.arn == role_arn || r.arn.ends_with(&format!("/{name}")))
}

/// Whether SageMaker may assume `role_arn` for the resource `source_arn`: the trust policy, as the
/// resource policy, must allow `sts:AssumeRole` (and `extra_actions`) to the service principal, with
/// `aws:SourceAccount` and `aws:SourceArn` set.
pub fn trusts_sagemaker(env: &Env, role: &RoleRec, source_arn: &str, extra_actions: &[&str]) -> bool {
    let Ok(trust) = CompiledPolicy::parse("trust policy", &role.trust_policy) else { return false };
    let Ok(principal) = Principal::parse(SAGEMAKER_SERVICE) else { return false };
    let set = PolicySet { resource: Some(trust), ..PolicySet::default() };
    let mut ctx = sagegate_policy::Context::new();
    ctx.insert_single("aws:SourceAccount", env.scope.account.clone());
    ctx.insert_single("aws:SourceArn", source_arn.to_string());
    ctx.insert_single("aws:PrincipalIsAWSService", "true");
    ctx.insert_single("aws:PrincipalServiceName", SAGEMAKER_SERVICE);
    std::iter::once("sts:AssumeRole").chain(extra_actions.iter().copied()).all(|action| {
        Request::new(principal.clone(), action, &role.arn, Some(env.scope.account.clone()), ctx.clone())
            .map(|req| evaluate(&set, &req) == Decision::Allow)
            .unwrap_or(false)
    })
}

/// SageMaker's answer when it cannot assume a role.
pub fn cannot_assume(role_arn: &str) -> Fail {
    validation(format!(
        "Could not assume role {role_arn}. Please ensure that the role exists and allows principal '{SAGEMAKER_SERVICE}' to assume the role."
    ))
}

/// Every role the call passes (C3's roles) must exist in this account and trust SageMaker.
pub fn check_passed_roles(env: &Env, source_arn: &str) -> Result<(), Fail> {
    for role_arn in sagegate_sagemaker::passrole::passed_roles(&env.op, &env.body) {
        let ok = role_of(env, &role_arn).is_some_and(|r| trusts_sagemaker(env, r, source_arn, &[]));
        if !ok {
            return Err(cannot_assume(&role_arn));
        }
    }
    Ok(())
}
