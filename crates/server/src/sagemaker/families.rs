//! The emulated SageMaker resource families as data: names, ARNs, statuses, list summaries.
//!
//! One row per family drives the generic create/describe/list/update/start/stop/delete handlers in
//! `ops.rs`; only what no row can say (Studio's composite keys, endpoints' references) is code.

/// How a family's lifecycle moves on the simulated clock: each step lasts `Config::status_step_seconds`.
#[derive(Debug, Clone, Copy)]
pub struct Lifecycle {
    /// The member that carries the status (`TrainingJobStatus`).
    pub field: &'static str,
    /// Statuses after Create, in order; the last one is where it rests.
    pub create: &'static [&'static str],
    /// Statuses from which Stop is accepted, and the statuses Stop leads through.
    pub stop_from: &'static [&'static str],
    pub stop: &'static [&'static str],
    /// Statuses from which Start is accepted, and the statuses Start leads through.
    pub start_from: &'static [&'static str],
    pub start: &'static [&'static str],
    /// Statuses from which Update is accepted (empty: any), and what Update leads through.
    pub update_from: &'static [&'static str],
    pub update: &'static [&'static str],
    /// Statuses from which Delete is accepted (empty: any).
    pub delete_from: &'static [&'static str],
}

const JOB: Lifecycle = Lifecycle {
    field: "",
    create: &["InProgress", "Completed"],
    stop_from: &["InProgress"],
    stop: &["Stopping", "Stopped"],
    start_from: &[],
    start: &[],
    update_from: &[],
    update: &[],
    delete_from: &[],
};

/// User profiles and spaces: InService at once, and after every update.
const STUDIO_IN_SERVICE: Lifecycle = Lifecycle {
    field: "Status",
    create: &["InService"],
    stop_from: &[],
    stop: &[],
    start_from: &[],
    start: &[],
    update_from: &[],
    update: &["InService"],
    delete_from: &[],
};

/// One emulated resource family.
#[derive(Debug, Clone, Copy)]
pub struct Family {
    /// The ARN resource type (`training-job`).
    pub ty: &'static str,
    /// The operation noun (`TrainingJob`: CreateTrainingJob, DescribeTrainingJob, …).
    pub noun: &'static str,
    /// Other nouns routed to this family (`AutoMLJobV2`).
    pub alias: Option<&'static str>,
    /// The List operation.
    pub list_op: &'static str,
    /// The request member naming the resource.
    pub name_field: &'static str,
    /// The response member carrying its ARN.
    pub arn_field: &'static str,
    /// Name rule: longest name, and whether only lower-case letters are allowed (§5.1).
    pub name_max: usize,
    pub lower_only: bool,
    pub lifecycle: Option<Lifecycle>,
    /// The List response member and the members of each summary.
    pub list_member: &'static str,
    pub summary: &'static [&'static str],
    /// Request members stored under another name in Describe (`SecurityGroupIds` → `SecurityGroups`).
    pub renames: &'static [(&'static str, &'static str)],
    /// Members Describe shows when the request left them out (the API's documented defaults).
    pub defaults: &'static [(&'static str, &'static str)],
    /// The resource's name in error messages (`Training job`).
    pub label: &'static str,
    /// At most this many per account and region (ResourceLimitExceeded).
    pub quota: usize,
}

const fn lc(field: &'static str, base: Lifecycle) -> Lifecycle {
    Lifecycle { field, ..base }
}

pub const FAMILIES: &[Family] = &[
    Family {
        ty: "notebook-instance",
        noun: "NotebookInstance",
        alias: None,
        list_op: "ListNotebookInstances",
        name_field: "NotebookInstanceName",
        arn_field: "NotebookInstanceArn",
        name_max: 63,
        lower_only: false,
        lifecycle: Some(Lifecycle {
            field: "NotebookInstanceStatus",
            create: &["Pending", "InService"],
            stop_from: &["InService"],
            stop: &["Stopping", "Stopped"],
            start_from: &["Stopped", "Failed"],
            start: &["Pending", "InService"],
            update_from: &["Stopped", "Failed"],
            update: &["Updating", "Stopped"],
            delete_from: &["Stopped", "Failed"],
        }),
        list_member: "NotebookInstances",
        summary: &[
            "NotebookInstanceName",
            "NotebookInstanceArn",
            "NotebookInstanceStatus",
            "Url",
            "InstanceType",
            "CreationTime",
            "LastModifiedTime",
            "NotebookInstanceLifecycleConfigName",
            "DefaultCodeRepository",
            "AdditionalCodeRepositories",
        ],
        renames: &[
            ("SecurityGroupIds", "SecurityGroups"),
            ("LifecycleConfigName", "NotebookInstanceLifecycleConfigName"),
        ],
        defaults: &[
            ("DirectInternetAccess", "Enabled"),
            ("RootAccess", "Enabled"),
            ("VolumeSizeInGB", "5"),
            ("PlatformIdentifier", "notebook-al2-v2"),
        ],
        label: "Notebook Instance",
        quota: 100,
    },
    Family {
        ty: "notebook-instance-lifecycle-config",
        noun: "NotebookInstanceLifecycleConfig",
        alias: None,
        list_op: "ListNotebookInstanceLifecycleConfigs",
        name_field: "NotebookInstanceLifecycleConfigName",
        arn_field: "NotebookInstanceLifecycleConfigArn",
        name_max: 63,
        lower_only: false,
        lifecycle: None,
        list_member: "NotebookInstanceLifecycleConfigs",
        summary: &[
            "NotebookInstanceLifecycleConfigName",
            "NotebookInstanceLifecycleConfigArn",
            "CreationTime",
            "LastModifiedTime",
        ],
        renames: &[],
        defaults: &[],
        label: "Notebook Instance Lifecycle Config",
        quota: 200,
    },
    Family {
        ty: "training-job",
        noun: "TrainingJob",
        alias: None,
        list_op: "ListTrainingJobs",
        name_field: "TrainingJobName",
        arn_field: "TrainingJobArn",
        name_max: 63,
        lower_only: false,
        lifecycle: Some(lc("TrainingJobStatus", JOB)),
        list_member: "TrainingJobSummaries",
        summary: &[
            "TrainingJobName",
            "TrainingJobArn",
            "CreationTime",
            "TrainingEndTime",
            "LastModifiedTime",
            "TrainingJobStatus",
        ],
        renames: &[],
        defaults: &[
            ("EnableNetworkIsolation", "false"),
            ("EnableInterContainerTrafficEncryption", "false"),
            ("EnableManagedSpotTraining", "false"),
        ],
        label: "Training job",
        quota: 10_000,
    },
    Family {
        ty: "processing-job",
        noun: "ProcessingJob",
        alias: None,
        list_op: "ListProcessingJobs",
        name_field: "ProcessingJobName",
        arn_field: "ProcessingJobArn",
        name_max: 63,
        lower_only: false,
        lifecycle: Some(lc("ProcessingJobStatus", JOB)),
        list_member: "ProcessingJobSummaries",
        summary: &[
            "ProcessingJobName",
            "ProcessingJobArn",
            "CreationTime",
            "ProcessingEndTime",
            "LastModifiedTime",
            "ProcessingJobStatus",
        ],
        renames: &[],
        defaults: &[],
        label: "Processing job",
        quota: 10_000,
    },
    Family {
        ty: "hyper-parameter-tuning-job",
        noun: "HyperParameterTuningJob",
        alias: None,
        list_op: "ListHyperParameterTuningJobs",
        name_field: "HyperParameterTuningJobName",
        arn_field: "HyperParameterTuningJobArn",
        name_max: 32,
        lower_only: false,
        lifecycle: Some(lc("HyperParameterTuningJobStatus", JOB)),
        list_member: "HyperParameterTuningJobSummaries",
        summary: &[
            "HyperParameterTuningJobName",
            "HyperParameterTuningJobArn",
            "HyperParameterTuningJobStatus",
            "Strategy",
            "CreationTime",
            "HyperParameterTuningEndTime",
            "LastModifiedTime",
            "TrainingJobStatusCounters",
            "ObjectiveStatusCounters",
            "ResourceLimits",
        ],
        renames: &[],
        defaults: &[],
        label: "Hyper-parameter tuning job",
        quota: 10_000,
    },
    Family {
        ty: "transform-job",
        noun: "TransformJob",
        alias: None,
        list_op: "ListTransformJobs",
        name_field: "TransformJobName",
        arn_field: "TransformJobArn",
        name_max: 63,
        lower_only: false,
        lifecycle: Some(lc("TransformJobStatus", JOB)),
        list_member: "TransformJobSummaries",
        summary: &[
            "TransformJobName",
            "TransformJobArn",
            "CreationTime",
            "TransformEndTime",
            "LastModifiedTime",
            "TransformJobStatus",
        ],
        renames: &[],
        defaults: &[],
        label: "Transform job",
        quota: 10_000,
    },
    Family {
        ty: "automl-job",
        noun: "AutoMLJob",
        alias: Some("AutoMLJobV2"),
        list_op: "ListAutoMLJobs",
        name_field: "AutoMLJobName",
        arn_field: "AutoMLJobArn",
        name_max: 32,
        lower_only: false,
        lifecycle: Some(lc("AutoMLJobStatus", JOB)),
        list_member: "AutoMLJobSummaries",
        summary: &[
            "AutoMLJobName",
            "AutoMLJobArn",
            "AutoMLJobStatus",
            "AutoMLJobSecondaryStatus",
            "CreationTime",
            "EndTime",
            "LastModifiedTime",
        ],
        renames: &[],
        defaults: &[],
        label: "AutoML job",
        quota: 10_000,
    },
    Family {
        ty: "model",
        noun: "Model",
        alias: None,
        list_op: "ListModels",
        name_field: "ModelName",
        arn_field: "ModelArn",
        name_max: 63,
        lower_only: false,
        lifecycle: None,
        list_member: "Models",
        summary: &["ModelName", "ModelArn", "CreationTime"],
        renames: &[],
        defaults: &[("EnableNetworkIsolation", "false")],
        label: "Model",
        quota: 10_000,
    },
    Family {
        ty: "endpoint-config",
        noun: "EndpointConfig",
        alias: None,
        list_op: "ListEndpointConfigs",
        name_field: "EndpointConfigName",
        arn_field: "EndpointConfigArn",
        name_max: 63,
        lower_only: false,
        lifecycle: None,
        list_member: "EndpointConfigs",
        summary: &["EndpointConfigName", "EndpointConfigArn", "CreationTime"],
        renames: &[],
        defaults: &[],
        label: "Endpoint configuration",
        quota: 10_000,
    },
    Family {
        ty: "endpoint",
        noun: "Endpoint",
        alias: None,
        list_op: "ListEndpoints",
        name_field: "EndpointName",
        arn_field: "EndpointArn",
        name_max: 63,
        lower_only: false,
        lifecycle: Some(Lifecycle {
            field: "EndpointStatus",
            create: &["Creating", "InService"],
            stop_from: &[],
            stop: &[],
            start_from: &[],
            start: &[],
            update_from: &["InService"],
            update: &["Updating", "InService"],
            delete_from: &[],
        }),
        list_member: "Endpoints",
        summary: &["EndpointName", "EndpointArn", "CreationTime", "LastModifiedTime", "EndpointStatus"],
        renames: &[],
        defaults: &[],
        label: "Endpoint",
        quota: 10_000,
    },
    Family {
        ty: "labeling-job",
        noun: "LabelingJob",
        alias: None,
        list_op: "ListLabelingJobs",
        name_field: "LabelingJobName",
        arn_field: "LabelingJobArn",
        name_max: 63,
        lower_only: false,
        lifecycle: Some(Lifecycle {
            field: "LabelingJobStatus",
            create: &["Initializing", "InProgress", "Completed"],
            stop_from: &["Initializing", "InProgress"],
            stop: &["Stopping", "Stopped"],
            ..JOB
        }),
        list_member: "LabelingJobSummaryList",
        summary: &[
            "LabelingJobName",
            "LabelingJobArn",
            "CreationTime",
            "LastModifiedTime",
            "LabelingJobStatus",
            "LabelCounters",
            "WorkteamArn",
            "PreHumanTaskLambdaArn",
            "InputConfig",
        ],
        renames: &[],
        defaults: &[],
        label: "Labeling job",
        quota: 10_000,
    },
    Family {
        ty: "workteam",
        noun: "Workteam",
        alias: None,
        list_op: "ListWorkteams",
        name_field: "WorkteamName",
        arn_field: "WorkteamArn",
        name_max: 63,
        lower_only: false,
        lifecycle: None,
        list_member: "Workteams",
        summary: &[],
        renames: &[],
        defaults: &[],
        label: "Workteam",
        quota: 25,
    },
    Family {
        ty: "flow-definition",
        noun: "FlowDefinition",
        alias: None,
        list_op: "ListFlowDefinitions",
        name_field: "FlowDefinitionName",
        arn_field: "FlowDefinitionArn",
        name_max: 63,
        lower_only: true,
        lifecycle: Some(Lifecycle {
            field: "FlowDefinitionStatus",
            create: &["Initializing", "Active"],
            stop_from: &[],
            stop: &[],
            ..JOB
        }),
        list_member: "FlowDefinitionSummaries",
        summary: &["FlowDefinitionName", "FlowDefinitionArn", "FlowDefinitionStatus", "CreationTime", "FailureReason"],
        renames: &[],
        defaults: &[],
        label: "Flow definition",
        quota: 10_000,
    },
    Family {
        ty: "human-task-ui",
        noun: "HumanTaskUi",
        alias: None,
        list_op: "ListHumanTaskUis",
        name_field: "HumanTaskUiName",
        arn_field: "HumanTaskUiArn",
        name_max: 63,
        lower_only: true,
        lifecycle: Some(Lifecycle {
            field: "HumanTaskUiStatus",
            create: &["Active"],
            stop_from: &[],
            stop: &[],
            ..JOB
        }),
        list_member: "HumanTaskUiSummaries",
        summary: &["HumanTaskUiName", "HumanTaskUiArn", "CreationTime"],
        renames: &[],
        defaults: &[],
        label: "Human task UI",
        quota: 10_000,
    },
    Family {
        ty: "domain",
        noun: "Domain",
        alias: None,
        list_op: "ListDomains",
        name_field: "DomainName",
        arn_field: "DomainArn",
        name_max: 63,
        lower_only: false,
        lifecycle: Some(Lifecycle {
            field: "Status",
            create: &["Pending", "InService"],
            stop_from: &[],
            stop: &[],
            start_from: &[],
            start: &[],
            update_from: &["InService", "Failed", "Update_Failed"],
            update: &["Updating", "InService"],
            delete_from: &[],
        }),
        list_member: "Domains",
        summary: &["DomainArn", "DomainId", "DomainName", "Status", "CreationTime", "LastModifiedTime", "Url"],
        renames: &[],
        defaults: &[("AppNetworkAccessType", "PublicInternetOnly"), ("TagPropagation", "DISABLED")],
        label: "Domain",
        // AWS's default is one domain per region; emulated accounts allow more so test suites can share one.
        quota: 50,
    },
    Family {
        ty: "user-profile",
        noun: "UserProfile",
        alias: None,
        list_op: "ListUserProfiles",
        name_field: "UserProfileName",
        arn_field: "UserProfileArn",
        name_max: 63,
        lower_only: false,
        lifecycle: Some(STUDIO_IN_SERVICE),
        list_member: "UserProfiles",
        summary: &["DomainId", "UserProfileName", "Status", "CreationTime", "LastModifiedTime"],
        renames: &[],
        defaults: &[],
        label: "User profile",
        quota: 10_000,
    },
    Family {
        ty: "space",
        noun: "Space",
        alias: None,
        list_op: "ListSpaces",
        name_field: "SpaceName",
        arn_field: "SpaceArn",
        name_max: 63,
        lower_only: false,
        lifecycle: Some(STUDIO_IN_SERVICE),
        list_member: "Spaces",
        summary: &[
            "DomainId",
            "SpaceName",
            "Status",
            "CreationTime",
            "LastModifiedTime",
            "SpaceDisplayName",
            "SpaceSharingSettingsSummary",
            "OwnershipSettingsSummary",
        ],
        renames: &[],
        defaults: &[],
        label: "Space",
        quota: 10_000,
    },
    Family {
        ty: "app",
        noun: "App",
        alias: None,
        list_op: "ListApps",
        name_field: "AppName",
        arn_field: "AppArn",
        name_max: 63,
        lower_only: false,
        lifecycle: Some(Lifecycle {
            field: "Status",
            create: &["Pending", "InService"],
            stop_from: &[],
            stop: &[],
            start_from: &[],
            start: &[],
            update_from: &[],
            update: &[],
            delete_from: &["InService", "Failed", "Pending"],
        }),
        list_member: "Apps",
        summary: &[
            "DomainId",
            "UserProfileName",
            "SpaceName",
            "AppType",
            "AppName",
            "Status",
            "CreationTime",
            "ResourceSpec",
        ],
        renames: &[],
        defaults: &[],
        label: "App",
        quota: 10_000,
    },
];

/// The operation verbs the generic handlers serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Create,
    Describe,
    Update,
    Delete,
    Start,
    Stop,
    List,
}

/// The family and verb of an operation, when it is emulated.
pub fn route(op: &str) -> Option<(&'static Family, Verb)> {
    for f in FAMILIES {
        if op == f.list_op {
            return Some((f, Verb::List));
        }
        for noun in std::iter::once(f.noun).chain(f.alias) {
            let Some(verb) = op.strip_suffix(noun) else { continue };
            let v = match verb {
                "Create" => Verb::Create,
                "Describe" => Verb::Describe,
                "Update" => Verb::Update,
                "Delete" => Verb::Delete,
                "Start" => Verb::Start,
                "Stop" => Verb::Stop,
                _ => continue,
            };
            // Jobs and Studio resources have no Start; Models have no Update (AWS has no such operations,
            // so the catalog never routes them; this keeps a typo from reaching a handler).
            return Some((f, v));
        }
    }
    None
}

/// The family of a stored resource type.
pub fn family(ty: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.ty == ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_the_operations_of_every_family() {
        assert_eq!(route("CreateTrainingJob").map(|(f, v)| (f.ty, v)), Some(("training-job", Verb::Create)));
        assert_eq!(route("DescribeAutoMLJobV2").map(|(f, v)| (f.ty, v)), Some(("automl-job", Verb::Describe)));
        assert_eq!(route("ListNotebookInstances").map(|(f, v)| (f.ty, v)), Some(("notebook-instance", Verb::List)));
        assert_eq!(
            route("ListNotebookInstanceLifecycleConfigs").map(|(f, v)| (f.ty, v)),
            Some(("notebook-instance-lifecycle-config", Verb::List))
        );
        assert_eq!(route("DescribeEndpointConfig").map(|(f, v)| (f.ty, v)), Some(("endpoint-config", Verb::Describe)));
        assert!(route("CreatePresignedNotebookInstanceUrl").is_none());
    }

    #[test]
    fn every_routed_operation_exists_in_the_api_model() {
        let catalog = sagegate_catalog::Catalog::get();
        for f in FAMILIES {
            assert!(catalog.operation("sagemaker", f.list_op).is_some(), "{}", f.list_op);
            assert!(catalog.operation("sagemaker", &format!("Create{}", f.noun)).is_some(), "{}", f.noun);
            assert!(catalog.operation("sagemaker", &format!("Describe{}", f.noun)).is_some(), "{}", f.noun);
        }
    }
}
