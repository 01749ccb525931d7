//! Condition-key facts the checks share: which keys an action supports, key types, deprecated names, and
//! the keys a request always carries.

use sagegate_catalog::{Catalog, KeyInfo, KeyType};
use sagegate_policy::PolicyKind;

use crate::doc::ActionRef;

/// Session keys that every SageMaker check of a Studio execution-role session carries, although no action
/// lists them (spec sagemaker-authorization §1.3 item 6).
pub const SESSION_KEYS: [&str; 2] = ["sagemaker:DomainId", "sagemaker:UserProfileName"];

/// The deprecated `*KmsKey` names and their `…Arn` successors (§1.3 item 4): the sagemaker crate's alias
/// table, plus `HomeEfsFileSystemKmsKey`, which mirrors CreateDomain's volume key.
pub fn deprecated_successor(key: &str) -> Option<&'static str> {
    sagegate_sagemaker::keys::KMS_ALIASES
        .iter()
        .map(|&(successor, alias)| (alias, successor))
        .chain([("sagemaker:HomeEfsFileSystemKmsKey", "sagemaker:VolumeKmsKeyArn")])
        .find(|(alias, _)| alias.eq_ignore_ascii_case(key))
        .map(|(_, successor)| successor)
}

/// A key whose prefix names an identity provider (`token.actions.githubusercontent.com:sub`,
/// `oidc.eks.….amazonaws.com/id/…:aud`): any provider can define such keys, so the catalog cannot know
/// them all.
pub fn is_provider_key(key: &str) -> bool {
    key.split_once(':').is_some_and(|(prefix, _)| prefix.contains(['.', '/']))
}

/// The catalog's entry for a key, if it knows it.
pub fn info(catalog: &Catalog, key: &str) -> Option<KeyInfo> {
    catalog.condition_key(key)
}

/// The key's type, if the catalog knows the key.
pub fn key_type(catalog: &Catalog, key: &str) -> Option<KeyType> {
    info(catalog, key).map(|i| i.key_type)
}

/// A declared key name reduced for comparison: lower case, and for a family only the literal part before
/// its placeholder, so that `aws:ResourceTag/${TagKey}` (a SAR key list) and `aws:ResourceTag/tag-key`
/// (the global table) compare equal, as do `kms:EncryptionContext:${EncryptionContextKey}` entries.
fn comparable(declared: &str) -> String {
    let lower = declared.to_ascii_lowercase();
    if let Some(i) = lower.find("${") {
        return lower.get(..i).unwrap_or_default().to_string();
    }
    match lower.strip_suffix("tag-key") {
        Some(family) if family.ends_with('/') => family.to_string(),
        _ => lower,
    }
}

/// Whether the SAR lists `key` for the action: on its own row, on one of its resource-type rows, or on
/// one of its resource types (spec §1.3 item 2). A key the catalog does not know is never listed.
pub fn action_supports(catalog: &Catalog, a: &ActionRef, key: &str) -> bool {
    let Some(declared) = info(catalog, key).map(|i| i.declared) else {
        return false;
    };
    let want = comparable(declared);
    let mut listed = a.action.condition_keys.iter().copied();
    if listed.any(|k| comparable(k) == want) {
        return true;
    }
    a.action.resource_types.iter().any(|r| {
        r.condition_keys.iter().any(|k| comparable(k) == want)
            || a.service.resource_type(r.name).is_some_and(|t| t.condition_keys.iter().any(|k| comparable(k) == want))
    })
}

/// Keys whose applicability the SAR decides: service keys and the three tag keys. Other global keys
/// (`aws:SourceIp`, …) apply to every action; provider keys cannot be known; SageMaker's session keys are
/// listed nowhere but always apply.
pub fn applicability_is_known(catalog: &Catalog, key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    if is_provider_key(key) || SESSION_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
        return false;
    }
    if lower.starts_with("aws:") {
        return lower.starts_with("aws:requesttag/") || lower.starts_with("aws:resourcetag/") || lower == "aws:tagkeys";
    }
    info(catalog, key).is_some_and(|i| !i.global)
}

/// Keys every request to an identity-based policy carries (K2, K3, sagemaker-authorization §2.6). In
/// resource-based and trust policies the caller may be a service or anonymous, so only the request keys
/// count there.
pub fn always_present(key: &str, kind: PolicyKind) -> bool {
    const REQUEST: [&str; 5] =
        ["aws:currenttime", "aws:epochtime", "aws:securetransport", "aws:requestedregion", "aws:viaawsservice"];
    const PRINCIPAL: [&str; 5] =
        ["aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:userid", "aws:principalisawsservice"];
    let lower = key.to_ascii_lowercase();
    let identity = matches!(
        kind,
        PolicyKind::Identity | PolicyKind::Managed | PolicyKind::Boundary | PolicyKind::Session | PolicyKind::Scp
    );
    REQUEST.contains(&lower.as_str()) || (identity && PRINCIPAL.contains(&lower.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::resolve;

    #[test]
    fn support_comes_from_actions_and_resource_types() {
        let catalog = Catalog::get();
        let train = resolve("sagemaker:CreateTrainingJob", catalog);
        let describe = resolve("sagemaker:DescribeTrainingJob", catalog);
        assert!(action_supports(catalog, &train[0], "sagemaker:VpcSubnets"));
        assert!(action_supports(catalog, &train[0], "aws:RequestTag/Project"));
        assert!(!action_supports(catalog, &describe[0], "sagemaker:VpcSubnets"));
        assert!(action_supports(catalog, &describe[0], "sagemaker:ResourceTag/Project"));
        assert!(action_supports(catalog, &describe[0], "aws:resourcetag/project"));
        let decrypt = resolve("kms:Decrypt", catalog);
        assert!(action_supports(catalog, &decrypt[0], "kms:EncryptionContext:aws:s3:arn"));
        assert_eq!(deprecated_successor("sagemaker:volumekmskey"), Some("sagemaker:VolumeKmsKeyArn"));
        assert!(is_provider_key("token.actions.githubusercontent.com:sub"));
        assert!(applicability_is_known(catalog, "sagemaker:VpcSubnets"));
        assert!(!applicability_is_known(catalog, "sagemaker:DomainId"));
        assert!(!applicability_is_known(catalog, "aws:SourceIp"));
    }
}
