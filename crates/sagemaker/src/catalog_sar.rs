//! The planner's view of the Service Authorization Reference and the API model, over the catalog.

use sagegate_catalog::Catalog;

use crate::plan::Sar;

/// `Sar` backed by the embedded catalog.
#[derive(Clone, Copy)]
pub struct CatalogSar(pub &'static Catalog);

impl Default for CatalogSar {
    fn default() -> Self {
        CatalogSar(Catalog::get())
    }
}

impl CatalogSar {
    fn action(&self, op: &str) -> Option<&'static sagegate_catalog::Action> {
        self.0.service("sagemaker")?.action(op)
    }

    /// Whether `op` is an operation of SageMaker's API model (exact spelling).
    pub fn is_operation(&self, op: &str) -> bool {
        self.0.api("sagemaker").and_then(|m| m.operation(op)).is_some_and(|o| o.name == op)
    }
}

impl Sar for CatalogSar {
    fn has_action(&self, op: &str) -> bool {
        self.action(op).is_some_and(|a| a.name == op)
    }

    fn action_lists_key(&self, op: &str, key: &str) -> bool {
        let Some(a) = self.action(op) else {
            return false;
        };
        a.condition_keys.iter().any(|k| k.eq_ignore_ascii_case(key))
            || a.resource_types.iter().any(|r| r.condition_keys.iter().any(|k| k.eq_ignore_ascii_case(key)))
    }

    fn resource_types(&self, op: &str) -> Vec<(String, bool)> {
        self.action(op)
            .map(|a| a.resource_types.iter().map(|r| (r.name.to_string(), r.required)).collect())
            .unwrap_or_default()
    }

    fn arn_format(&self, ty: &str) -> Option<String> {
        self.0.resource_type("sagemaker", ty).map(|r| r.arn_format.to_string())
    }

    fn type_has_tag_keys(&self, ty: &str) -> bool {
        self.0
            .resource_type("sagemaker", ty)
            .is_some_and(|r| r.condition_keys.iter().any(|k| k.eq_ignore_ascii_case("aws:ResourceTag/${TagKey}")))
    }

    fn has_tags_member(&self, op: &str) -> bool {
        self.0.api("sagemaker").and_then(|m| m.shape_at(op, "")).is_some_and(|s| s.member("Tags").is_some())
    }
}
