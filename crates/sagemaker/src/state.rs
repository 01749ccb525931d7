//! Stored state for offline simulation, read from a JSON document (`sagegate simulate --state FILE`).
//!
//! ```json
//! {"resources": {"arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-b1": {"tags": {"Project": "B"}},
//!                "arn:aws:sagemaker:us-east-1:111122223333:model-package/g/1": {
//!                    "modelLifeCycle": {"Stage": "Staging", "StageStatus": "Approved"},
//!                    "customerMetadataProperties": {"team": "a"}}},
//!  "spaces": [{"domainId": "d-abc", "spaceName": "sp1", "ownerUserProfileName": "alice", "sharingType": "Private"}],
//!  "modelPackageGroups": {"arn:aws:sagemaker:us-east-1:111122223333:model-package-group/g": 3},
//!  "domainId": "d-new000000000"}
//! ```

use serde_json::Value;

use crate::arns::{normalize_arn, ResourceFacts};
use crate::plan::{State, StoredModelPackage};

/// Stored resources, spaces and counters, as plain data.
#[derive(Debug, Clone, Default)]
pub struct JsonState {
    /// (normalised ARN, tags).
    pub resources: Vec<(String, Vec<(String, String)>)>,
    /// (normalised ARN, stored model-package facts).
    pub model_packages: Vec<(String, StoredModelPackage)>,
    /// (domain id, space name, owner profile, sharing type).
    pub spaces: Vec<(String, String, Option<String>, String)>,
    /// (group ARN, versions so far).
    pub model_package_groups: Vec<(String, u64)>,
    /// The id CreateDomain generates.
    pub domain_id: Option<String>,
}

impl JsonState {
    /// Reads the document shown in the module docs. Unknown members are an error, so typos show.
    pub fn from_value(v: &Value) -> Result<JsonState, String> {
        let obj = v.as_object().ok_or("the state must be a JSON object")?;
        let mut st = JsonState::default();
        for (k, v) in obj {
            match k.as_str() {
                "resources" => {
                    for (arn, r) in v.as_object().ok_or("`resources` must map ARNs to objects")? {
                        let r = r.as_object().ok_or("`resources` must map ARNs to objects")?;
                        if let Some(k) = r
                            .keys()
                            .find(|k| !["tags", "modelLifeCycle", "customerMetadataProperties"].contains(&k.as_str()))
                        {
                            return Err(format!("unknown member `{k}` of resource {arn} (known: tags, modelLifeCycle, customerMetadataProperties)"));
                        }
                        let pairs = |field: &str| -> Vec<(String, String)> {
                            r.get(field)
                                .and_then(Value::as_object)
                                .map(|t| {
                                    t.iter()
                                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                                        .collect()
                                })
                                .unwrap_or_default()
                        };
                        let arn = normalize_arn(arn);
                        if r.contains_key("modelLifeCycle") || r.contains_key("customerMetadataProperties") {
                            let cycle = |f: &str| {
                                r.get("modelLifeCycle")
                                    .and_then(|c| c.get(f))
                                    .and_then(Value::as_str)
                                    .map(str::to_string)
                            };
                            st.model_packages.push((
                                arn.clone(),
                                StoredModelPackage {
                                    stage: cycle("Stage"),
                                    stage_status: cycle("StageStatus"),
                                    customer_metadata: pairs("customerMetadataProperties"),
                                },
                            ));
                        }
                        st.resources.push((arn, pairs("tags")));
                    }
                }
                "spaces" => {
                    for s in v.as_array().ok_or("`spaces` must be a list")? {
                        let field = |f: &str| s.get(f).and_then(Value::as_str).map(str::to_string);
                        let (Some(d), Some(n)) = (field("domainId"), field("spaceName")) else {
                            return Err("every space needs `domainId` and `spaceName`".into());
                        };
                        st.spaces.push((
                            d,
                            n,
                            field("ownerUserProfileName"),
                            field("sharingType").unwrap_or_else(|| "Shared".into()),
                        ));
                    }
                }
                "modelPackageGroups" => {
                    for (arn, n) in v.as_object().ok_or("`modelPackageGroups` must map ARNs to version counts")? {
                        st.model_package_groups.push((normalize_arn(arn), n.as_u64().unwrap_or(0)));
                    }
                }
                "domainId" => st.domain_id = v.as_str().map(str::to_string),
                other => {
                    return Err(format!(
                        "unknown state member `{other}` (known: resources, spaces, modelPackageGroups, domainId)"
                    ))
                }
            }
        }
        Ok(st)
    }
}

impl ResourceFacts for JsonState {
    fn next_model_package_version(&self, group_arn: &str) -> u64 {
        let arn = normalize_arn(group_arn);
        self.model_package_groups.iter().find(|(g, _)| *g == arn).map_or(1, |(_, n)| n + 1)
    }

    fn generated_domain_id(&self) -> Option<String> {
        self.domain_id.clone()
    }
}

impl State for JsonState {
    fn tags(&self, arn: &str) -> Option<Vec<(String, String)>> {
        let arn = normalize_arn(arn);
        self.resources.iter().find(|(a, _)| *a == arn).map(|(_, t)| t.clone())
    }

    fn space(&self, domain_id: &str, space_name: &str) -> Option<(Option<String>, String)> {
        self.spaces
            .iter()
            .find(|(d, n, _, _)| d == domain_id && n == space_name)
            .map(|(_, _, o, t)| (o.clone(), t.clone()))
    }

    fn model_package(&self, arn: &str) -> Option<StoredModelPackage> {
        let arn = normalize_arn(arn);
        self.model_packages.iter().find(|(a, _)| *a == arn).map(|(_, p)| p.clone())
    }
}
