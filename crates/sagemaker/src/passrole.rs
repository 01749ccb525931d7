//! The operations that check `iam:PassRole`, and the request fields holding the roles (spec §2.4).

use serde_json::Value;

use crate::path::select_text;

/// `US(x)`: the role fields of a Studio user-settings block.
const USER_SETTINGS_ROLES: [&str; 7] = [
    "ExecutionRole",
    "CanvasAppSettings.TimeSeriesForecastingSettings.AmazonForecastRoleArn",
    "CanvasAppSettings.ModelRegisterSettings.CrossAccountModelRegisterRoleArn",
    "CanvasAppSettings.GenerativeAiSettings.AmazonBedrockRoleArn",
    "CanvasAppSettings.EmrServerlessSettings.ExecutionRoleArn",
    "JupyterLabAppSettings.EmrSettings.AssumableRoleArns[]",
    "JupyterLabAppSettings.EmrSettings.ExecutionRoleArns[]",
];

/// `SS(x)`: the role fields of a Studio space-settings block.
const SPACE_SETTINGS_ROLES: [&str; 3] = [
    "ExecutionRole",
    "JupyterLabAppSettings.EmrSettings.AssumableRoleArns[]",
    "JupyterLabAppSettings.EmrSettings.ExecutionRoleArns[]",
];

const ROLE_ARN_OPERATIONS: [&str; 24] = [
    "CreateAIBenchmarkJob",
    "CreateAIRecommendationJob",
    "CreateAutoMLJob",
    "CreateCompilationJob",
    "CreateDataQualityJobDefinition",
    "CreateFeatureGroup",
    "CreateFlowDefinition",
    "CreateImage",
    "CreateInferenceExperiment",
    "CreateInferenceRecommendationsJob",
    "CreateLabelingJob",
    "CreateMlflowApp",
    "CreateMlflowTrackingServer",
    "CreateModelBiasJobDefinition",
    "CreateModelExplainabilityJobDefinition",
    "CreateModelQualityJobDefinition",
    "CreateNotebookInstance",
    "CreateOptimizationJob",
    "CreatePipeline",
    "CreateTrainingJob",
    "RenderUiTemplate",
    "UpdateImage",
    "UpdateNotebookInstance",
    "UpdatePipeline",
];

/// The request paths holding roles passed to SageMaker by `op`; empty if it passes none.
pub fn role_paths(op: &str) -> Vec<String> {
    let prefixed = |prefix: &str, fields: &[&str]| fields.iter().map(|f| format!("{prefix}.{f}")).collect::<Vec<_>>();
    let fixed = |paths: &[&str]| paths.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    if ROLE_ARN_OPERATIONS.contains(&op) {
        return fixed(&["RoleArn"]);
    }
    match op {
        "CreateAutoMLJobV2" => fixed(&["RoleArn", "AutoMLComputeConfig.EmrServerlessComputeConfig.ExecutionRoleARN"]),
        "CreateAlgorithm" | "CreateModelPackage" => fixed(&["ValidationSpecification.ValidationRole"]),
        "CreateModel" | "CreateEndpointConfig" | "CreatePartnerApp" => fixed(&["ExecutionRoleArn"]),
        "CreateHyperParameterTuningJob" => {
            fixed(&["TrainingJobDefinition.RoleArn", "TrainingJobDefinitions[].RoleArn"])
        }
        "CreateProcessingJob" => {
            fixed(&["RoleArn", "ProcessingInputs[].DatasetDefinition.RedshiftDatasetDefinition.ClusterRoleArn"])
        }
        "CreateMonitoringSchedule" | "UpdateMonitoringSchedule" => {
            fixed(&["MonitoringScheduleConfig.MonitoringJobDefinition.RoleArn"])
        }
        "CreateProject" => fixed(&["TemplateProviders[].CfnTemplateProvider.RoleARN"]),
        "CreateCluster" | "UpdateCluster" => {
            fixed(&["InstanceGroups[].ExecutionRole", "RestrictedInstanceGroups[].ExecutionRole", "ClusterRole"])
        }
        "CreateDomain" => {
            let mut v = prefixed("DefaultUserSettings", &USER_SETTINGS_ROLES);
            v.extend(prefixed("DefaultSpaceSettings", &SPACE_SETTINGS_ROLES));
            v.push("DomainSettings.RStudioServerProDomainSettings.DomainExecutionRoleArn".into());
            v
        }
        "UpdateDomain" => {
            let mut v = prefixed("DefaultUserSettings", &USER_SETTINGS_ROLES);
            v.extend(prefixed("DefaultSpaceSettings", &SPACE_SETTINGS_ROLES));
            v.push("DomainSettingsForUpdate.RStudioServerProDomainSettingsForUpdate.DomainExecutionRoleArn".into());
            v
        }
        "CreateUserProfile" | "UpdateUserProfile" => prefixed("UserSettings", &USER_SETTINGS_ROLES),
        _ => Vec::new(),
    }
}

/// The distinct role ARNs `op` passes, in request order (C3).
pub fn passed_roles(op: &str, body: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for path in role_paths(op) {
        for role in select_text(body, &path) {
            if !role.is_empty() && !out.contains(&role) {
                out.push(role);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_distinct_roles_in_order() {
        let body = json!({"TrainingJobDefinitions": [{"RoleArn": "a"}, {"RoleArn": "b"}, {"RoleArn": "a"}]});
        assert_eq!(passed_roles("CreateHyperParameterTuningJob", &body), ["a", "b"]);
        let body =
            json!({"DefaultUserSettings": {"ExecutionRole": "u"}, "DefaultSpaceSettings": {"ExecutionRole": "s"}});
        assert_eq!(passed_roles("CreateDomain", &body), ["u", "s"]);
        assert!(passed_roles("CreateTransformJob", &json!({"RoleArn": "x"})).is_empty());
        assert_eq!(role_paths("CreateTrainingJob"), ["RoleArn"]);
    }
}
