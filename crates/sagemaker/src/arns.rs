//! SageMaker resource ARNs (spec §5) and the resources each operation's own action is checked on (§2.3).

use serde_json::Value;

/// Where a request runs: the ARN's partition, region and account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub partition: String,
    pub region: String,
    pub account: String,
}

impl Scope {
    pub fn new(region: &str, account: &str) -> Scope {
        let partition = if region.starts_with("cn-") {
            "aws-cn"
        } else if region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        };
        Scope { partition: partition.into(), region: region.into(), account: account.into() }
    }

    /// `arn:<partition>:sagemaker:<region>:<account>:<resource>`.
    pub fn arn(&self, resource: &str) -> String {
        format!("arn:{}:sagemaker:{}:{}:{resource}", self.partition, self.region, self.account)
    }

    /// A resource of `type` named `name`, with the name's case per §5.2.
    pub fn named(&self, ty: &str, name: &str) -> String {
        let name = if lowercases_name(ty) { name.to_lowercase() } else { name.to_string() };
        self.arn(&format!("{ty}/{name}"))
    }

    /// A KMS key id, alias or ARN as a key ARN (R4): ARNs are kept, bare ids and aliases qualified.
    pub fn kms_key_arn(&self, key: &str) -> String {
        if key.starts_with("arn:") {
            key.to_string()
        } else if key.starts_with("alias/") {
            format!("arn:{}:kms:{}:{}:{key}", self.partition, self.region, self.account)
        } else {
            format!("arn:{}:kms:{}:{}:key/{key}", self.partition, self.region, self.account)
        }
    }
}

/// The resource types whose ARN lower-cases the name (§5.1, §5.2). One table, so a wrong guess is
/// corrected here and nowhere else.
const LOWER_CASE_NAMES: [&str; 14] = [
    "notebook-instance",
    "training-job",
    "processing-job",
    "hyper-parameter-tuning-job",
    "transform-job",
    "automl-job",
    "model",
    "endpoint-config",
    "endpoint",
    "labeling-job",
    "experiment",
    "pipeline",
    "model-package-group",
    "model-package",
];

pub fn lowercases_name(ty: &str) -> bool {
    LOWER_CASE_NAMES.contains(&ty)
}

/// Normalises an ARN given in a request: the name segment of a lower-casing type is lower-cased.
pub fn normalize_arn(arn: &str) -> String {
    let mut parts: Vec<&str> = arn.splitn(6, ':').collect();
    let Some(resource) = parts.get(5).copied() else {
        return arn.to_string();
    };
    if parts.get(2) != Some(&"sagemaker") {
        return arn.to_string();
    }
    let Some((ty, rest)) = resource.split_once('/') else {
        return arn.to_string();
    };
    if !lowercases_name(ty) {
        return arn.to_string();
    }
    let lowered = format!("{ty}/{}", rest.to_lowercase());
    parts.truncate(5);
    format!("{}:{lowered}", parts.join(":"))
}

fn s<'a>(body: &'a Value, field: &str) -> Option<&'a str> {
    body.get(field).and_then(Value::as_str)
}

/// A name or an ARN, as an ARN of `ty`.
fn name_or_arn(scope: &Scope, ty: &str, v: &str) -> String {
    if v.starts_with("arn:") {
        normalize_arn(v)
    } else {
        scope.named(ty, v)
    }
}

/// Facts about stored state the resource builder needs.
pub trait ResourceFacts {
    /// The version number the next package of a model-package group will get.
    fn next_model_package_version(&self, group_arn: &str) -> u64;
    /// For DeleteApp and DescribeApp: nothing extra is needed; the app ARN comes from the request.
    fn generated_domain_id(&self) -> Option<String>;
}

/// The resources an operation's own action is checked on (§2.3, C1), in order, for first-scope
/// operations. `None` means the operation is not first-scope (the caller falls back to the SAR).
/// `Some(Err(field))` means a required identifier is missing from the request.
pub fn first_scope_resources(
    op: &str,
    body: &Value,
    scope: &Scope,
    facts: &dyn ResourceFacts,
) -> Option<Result<Vec<String>, String>> {
    let one = |ty: &str, field: &str| -> Result<Vec<String>, String> {
        s(body, field).map(|n| vec![name_or_arn(scope, ty, n)]).ok_or_else(|| field.to_string())
    };
    let r = match op {
        "CreateNotebookInstance"
        | "DescribeNotebookInstance"
        | "UpdateNotebookInstance"
        | "DeleteNotebookInstance"
        | "StartNotebookInstance"
        | "StopNotebookInstance"
        | "CreatePresignedNotebookInstanceUrl" => one("notebook-instance", "NotebookInstanceName"),
        "CreateNotebookInstanceLifecycleConfig"
        | "DescribeNotebookInstanceLifecycleConfig"
        | "UpdateNotebookInstanceLifecycleConfig"
        | "DeleteNotebookInstanceLifecycleConfig" => {
            one("notebook-instance-lifecycle-config", "NotebookInstanceLifecycleConfigName")
        }
        "CreateTrainingJob" | "DescribeTrainingJob" | "StopTrainingJob" | "UpdateTrainingJob" => {
            one("training-job", "TrainingJobName").map(|mut v| {
                if let Some(plan) = body.pointer("/ResourceConfig/TrainingPlanArn").and_then(Value::as_str) {
                    v.push(plan.to_string());
                }
                v
            })
        }
        "CreateProcessingJob" | "DescribeProcessingJob" | "StopProcessingJob" => {
            one("processing-job", "ProcessingJobName")
        }
        "CreateHyperParameterTuningJob"
        | "DescribeHyperParameterTuningJob"
        | "StopHyperParameterTuningJob"
        | "DeleteHyperParameterTuningJob"
        | "ListTrainingJobsForHyperParameterTuningJob" => {
            one("hyper-parameter-tuning-job", "HyperParameterTuningJobName")
        }
        "CreateTransformJob" | "DescribeTransformJob" | "StopTransformJob" => one("transform-job", "TransformJobName"),
        "CreateAutoMLJob" | "DescribeAutoMLJob" | "StopAutoMLJob" | "CreateAutoMLJobV2" | "DescribeAutoMLJobV2" => {
            one("automl-job", "AutoMLJobName")
        }
        "CreateModel" | "DescribeModel" | "DeleteModel" => one("model", "ModelName"),
        "CreateEndpointConfig" | "DescribeEndpointConfig" | "DeleteEndpointConfig" => {
            one("endpoint-config", "EndpointConfigName")
        }
        "CreateEndpoint" | "UpdateEndpoint" => one("endpoint", "EndpointName").and_then(|mut v| {
            v.extend(one("endpoint-config", "EndpointConfigName")?);
            Ok(v)
        }),
        "DescribeEndpoint" | "DeleteEndpoint" | "UpdateEndpointWeightsAndCapacities" => one("endpoint", "EndpointName"),
        "CreateLabelingJob" | "DescribeLabelingJob" | "StopLabelingJob" => one("labeling-job", "LabelingJobName"),
        "CreateWorkteam" | "DescribeWorkteam" | "UpdateWorkteam" | "DeleteWorkteam" => s(body, "WorkteamName")
            .map(|n| vec![scope.arn(&format!("workteam/private-crowd/{n}"))])
            .ok_or_else(|| "WorkteamName".to_string()),
        "ListLabelingJobsForWorkteam" => {
            s(body, "WorkteamArn").map(|a| vec![a.to_string()]).ok_or_else(|| "WorkteamArn".to_string())
        }
        "CreateFlowDefinition" | "DescribeFlowDefinition" | "DeleteFlowDefinition" => {
            one("flow-definition", "FlowDefinitionName")
        }
        "CreateHumanTaskUi" | "DescribeHumanTaskUi" | "DeleteHumanTaskUi" => one("human-task-ui", "HumanTaskUiName"),
        "CreateDomain" => facts.generated_domain_id().or_else(|| s(body, "DomainId").map(str::to_string)).map_or_else(
            || Ok(vec![scope.arn("domain/d-xxxxxxxxxxxx")]),
            |id| Ok(vec![scope.arn(&format!("domain/{id}"))]),
        ),
        "DescribeDomain" | "UpdateDomain" | "DeleteDomain" => one("domain", "DomainId"),
        "CreateUserProfile"
        | "DescribeUserProfile"
        | "UpdateUserProfile"
        | "DeleteUserProfile"
        | "CreatePresignedDomainUrl" => match (s(body, "DomainId"), s(body, "UserProfileName")) {
            (Some(d), Some(u)) => Ok(vec![scope.arn(&format!("user-profile/{d}/{u}"))]),
            (None, _) => Err("DomainId".into()),
            (_, None) => Err("UserProfileName".into()),
        },
        "CreateSpace" | "DescribeSpace" | "UpdateSpace" | "DeleteSpace" => {
            match (s(body, "DomainId"), s(body, "SpaceName")) {
                (Some(d), Some(sp)) => Ok(vec![scope.arn(&format!("space/{d}/{sp}"))]),
                (None, _) => Err("DomainId".into()),
                (_, None) => Err("SpaceName".into()),
            }
        }
        "CreateApp" | "DescribeApp" | "DeleteApp" => {
            let owner = s(body, "UserProfileName").or_else(|| s(body, "SpaceName"));
            match (s(body, "DomainId"), owner, s(body, "AppType"), s(body, "AppName")) {
                (Some(d), Some(o), Some(t), Some(n)) => {
                    Ok(vec![scope.arn(&format!("app/{d}/{o}/{}/{n}", t.to_lowercase()))])
                }
                (None, ..) => Err("DomainId".into()),
                (_, None, ..) => Err("UserProfileName".into()),
                (_, _, None, _) => Err("AppType".into()),
                _ => Err("AppName".into()),
            }
        }
        "CreateExperiment" | "DescribeExperiment" | "UpdateExperiment" | "DeleteExperiment" => {
            one("experiment", "ExperimentName")
        }
        "CreatePipeline"
        | "DescribePipeline"
        | "UpdatePipeline"
        | "DeletePipeline"
        | "StartPipelineExecution"
        | "ListPipelineExecutions"
        | "ListPipelineVersions" => one("pipeline", "PipelineName"),
        "DescribePipelineExecution"
        | "StopPipelineExecution"
        | "RetryPipelineExecution"
        | "UpdatePipelineExecution"
        | "ListPipelineExecutionSteps"
        | "ListPipelineParametersForExecution" => s(body, "PipelineExecutionArn")
            .map(|a| vec![normalize_arn(a)])
            .ok_or_else(|| "PipelineExecutionArn".to_string()),
        "CreateModelPackage" => match (s(body, "ModelPackageGroupName"), s(body, "ModelPackageName")) {
            (Some(g), _) => {
                let group_arn = name_or_arn(scope, "model-package-group", g);
                let group = group_arn.rsplit('/').next().unwrap_or_default().to_string();
                let v = facts.next_model_package_version(&group_arn);
                Ok(vec![scope.arn(&format!("model-package/{group}/{v}"))])
            }
            (None, Some(n)) => Ok(vec![name_or_arn(scope, "model-package", n)]),
            (None, None) => Err("ModelPackageName".into()),
        },
        "DescribeModelPackage" | "UpdateModelPackage" | "DeleteModelPackage" => {
            let field = if body.get("ModelPackageArn").is_some() { "ModelPackageArn" } else { "ModelPackageName" };
            one("model-package", field)
        }
        "CreateModelPackageGroup" | "DescribeModelPackageGroup" | "DeleteModelPackageGroup" => {
            one("model-package-group", "ModelPackageGroupName")
        }
        "AddTags" | "DeleteTags" | "ListTags" => {
            s(body, "ResourceArn").map(|a| vec![normalize_arn(a)]).ok_or_else(|| "ResourceArn".to_string())
        }
        "ListModelPackages" => Ok(vec!["*".to_string()]),
        _ => return None,
    };
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct NoFacts;
    impl ResourceFacts for NoFacts {
        fn next_model_package_version(&self, _: &str) -> u64 {
            1
        }
        fn generated_domain_id(&self) -> Option<String> {
            None
        }
    }

    #[test]
    fn names_and_case() {
        let sc = Scope::new("us-east-1", "111122223333");
        let r = |op, b| first_scope_resources(op, &b, &sc, &NoFacts).unwrap().unwrap();
        assert_eq!(
            r("CreateTrainingJob", json!({"TrainingJobName": "MyJob"})),
            ["arn:aws:sagemaker:us-east-1:111122223333:training-job/myjob"]
        );
        assert_eq!(
            r("CreateEndpoint", json!({"EndpointName": "E", "EndpointConfigName": "C"})),
            [
                "arn:aws:sagemaker:us-east-1:111122223333:endpoint/e",
                "arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/c"
            ]
        );
        assert_eq!(
            r(
                "CreateApp",
                json!({"DomainId": "d-1", "SpaceName": "Sp", "AppType": "JupyterLab", "AppName": "default"})
            ),
            ["arn:aws:sagemaker:us-east-1:111122223333:app/d-1/Sp/jupyterlab/default"]
        );
        assert_eq!(
            r("CreateModelPackage", json!({"ModelPackageGroupName": "G"})),
            ["arn:aws:sagemaker:us-east-1:111122223333:model-package/g/1"]
        );
        assert!(first_scope_resources("CreateModel", &json!({}), &sc, &NoFacts).unwrap().is_err());
        assert!(first_scope_resources("CreateCluster", &json!({}), &sc, &NoFacts).is_none());
        assert_eq!(sc.kms_key_arn("k1"), "arn:aws:kms:us-east-1:111122223333:key/k1");
        assert_eq!(
            normalize_arn("arn:aws:sagemaker:us-east-1:1:training-job/ABC"),
            "arn:aws:sagemaker:us-east-1:1:training-job/abc"
        );
    }
}
