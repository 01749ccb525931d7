//! The catalog as the policy validator's vocabulary: known services, actions and condition keys.

use sagegate_policy::{NameKind, Vocabulary};

use crate::Catalog;

impl Vocabulary for Catalog {
    fn knows_service(&self, prefix: &str) -> bool {
        self.service(prefix).is_some()
    }

    fn matches_some_action(&self, pattern: &str) -> bool {
        if pattern.contains(['*', '?']) {
            !self.expand_action_pattern(pattern).is_empty()
        } else {
            self.action(pattern).is_some()
        }
    }

    fn knows_condition_key(&self, key: &str) -> bool {
        self.condition_key(key).is_some()
    }

    fn suggest(&self, kind: NameKind, name: &str) -> Option<String> {
        let kind = match kind {
            NameKind::Service => crate::NameKind::Service,
            NameKind::Action => crate::NameKind::Action,
            NameKind::ConditionKey => crate::NameKind::ConditionKey,
        };
        self.did_you_mean(kind, name)
    }
}

#[cfg(test)]
mod tests {
    use sagegate_policy::{validate_with, PolicyKind};

    use crate::Catalog;

    #[test]
    fn warns_about_unknown_names_with_suggestions() {
        let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow",
            "Action":["sagemaker:CreateTraningJob","sagemakr:ListModels","sagemaker:Describe*","sagemaker:Nope*"],
            "Resource":"*","Condition":{"Bool":{"sagemaker:NetworkIsolaton":"true","aws:SecureTransport":"true"}}}}"#;
        let v = validate_with(text, PolicyKind::Identity, Some(Catalog::get()));
        assert!(v.error.is_none());
        let msgs: Vec<String> =
            v.warnings.iter().map(|w| format!("{} | {}", w.message, w.help.clone().unwrap_or_default())).collect();
        assert!(
            msgs.iter().any(|m| m.contains("`sagemaker:CreateTraningJob` is not a known sagemaker action")
                && m.contains("sagemaker:CreateTrainingJob")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("`sagemakr` is not a known service prefix") && m.contains("`sagemaker`")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("`sagemaker:Nope*` matches no sagemaker action")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("`sagemaker:NetworkIsolaton` is not a known condition key")
                && m.contains("sagemaker:NetworkIsolation")),
            "{msgs:?}"
        );
        assert_eq!(msgs.len(), 4, "{msgs:?}");
    }
}
