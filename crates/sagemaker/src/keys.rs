//! Which request fields populate which SageMaker condition keys (spec §2.8), as data.
//!
//! One row per key: the operations and request paths that feed it, how values are normalised (R4)
//! and whether the key is multivalued (R3). A key is put into a check's context only if the SAR lists
//! it for the action (R1); the planner enforces that with the catalog.

/// How raw request values become key values (R4, R5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// The value as sent.
    None,
    /// A KMS key id, alias or ARN, normalised to an ARN (R4).
    KmsKeyArn,
    /// A notebook lifecycle-config name, to its ARN (R4, case kept).
    LifecycleConfigArn,
    /// A model name, to its ARN (R4, lower-cased).
    ModelArn,
    /// The work-team type segment of a work-team ARN (R5).
    WorkteamType,
    /// `"true"` when the path reaches any value (an object counts): a key that only says whether a
    /// structure was given, such as `sagemaker:FeatureGroupOfflineStoreConfig` (§2.8, `Null` only).
    Present,
}

/// One key and where its values come from.
#[derive(Debug, Clone, Copy)]
pub struct KeyRule {
    pub key: &'static str,
    pub multivalued: bool,
    pub transform: Transform,
    /// (operations, paths): each operation reads every path of its entry.
    pub sources: &'static [(&'static [&'static str], &'static [&'static str])],
}

const JOB_DEFINITIONS: &[&str] = &[
    "CreateDataQualityJobDefinition",
    "CreateModelBiasJobDefinition",
    "CreateModelExplainabilityJobDefinition",
    "CreateModelQualityJobDefinition",
];
const MONITORING: &[&str] = &["CreateMonitoringSchedule", "UpdateMonitoringSchedule"];
const NOTEBOOK: &[&str] = &["CreateNotebookInstance", "UpdateNotebookInstance"];
const DOMAIN: &[&str] = &["CreateDomain", "UpdateDomain"];
const PROFILE: &[&str] = &["CreateUserProfile", "UpdateUserProfile"];
const SPACE: &[&str] = &["CreateSpace", "UpdateSpace"];
const CLUSTER: &[&str] = &["CreateCluster", "UpdateCluster"];
const HPO: &[&str] = &["CreateHyperParameterTuningJob"];
const TRAINING: &[&str] = &["CreateTrainingJob"];
const FEATURE_GROUP: &[&str] = &["CreateFeatureGroup"];

/// The deprecated `*KmsKey` names populated beside their `…Arn` successors (R7, §1.3 item 4).
pub const KMS_ALIASES: &[(&str, &str)] = &[
    ("sagemaker:VolumeKmsKeyArn", "sagemaker:VolumeKmsKey"),
    ("sagemaker:OutputKmsKeyArn", "sagemaker:OutputKmsKey"),
    ("sagemaker:DomainSharingOutputKmsKeyArn", "sagemaker:DomainSharingOutputKmsKey"),
    ("sagemaker:FeatureGroupOfflineStoreKmsKeyArn", "sagemaker:FeatureGroupOfflineStoreKmsKey"),
    ("sagemaker:FeatureGroupOnlineStoreKmsKeyArn", "sagemaker:FeatureGroupOnlineStoreKmsKey"),
];

pub const KEY_RULES: &[KeyRule] = &[
    KeyRule {
        key: "sagemaker:InstanceTypes",
        multivalued: true,
        transform: Transform::None,
        sources: &[
            (TRAINING, &["ResourceConfig.InstanceType", "ResourceConfig.InstanceGroups[].InstanceType"]),
            (
                HPO,
                &[
                    "TrainingJobDefinition.ResourceConfig.InstanceType",
                    "TrainingJobDefinition.ResourceConfig.InstanceGroups[].InstanceType",
                    "TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceType",
                    "TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceConfigs[].InstanceType",
                    "TrainingJobDefinitions[].ResourceConfig.InstanceType",
                    "TrainingJobDefinitions[].ResourceConfig.InstanceGroups[].InstanceType",
                    "TrainingJobDefinitions[].HyperParameterTuningResourceConfig.InstanceType",
                    "TrainingJobDefinitions[].HyperParameterTuningResourceConfig.InstanceConfigs[].InstanceType",
                ],
            ),
            (NOTEBOOK, &["InstanceType"]),
            (&["CreateProcessingJob"], &["ProcessingResources.ClusterConfig.InstanceType"]),
            (&["CreateTransformJob"], &["TransformResources.InstanceType"]),
            (&["CreateEndpointConfig"], &["ProductionVariants[].InstanceType", "ShadowProductionVariants[].InstanceType"]),
            (MONITORING, &["MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringResources.ClusterConfig.InstanceType"]),
            (JOB_DEFINITIONS, &["JobResources.ClusterConfig.InstanceType"]),
            (
                DOMAIN,
                &[
                    "DefaultUserSettings.*AppSettings.DefaultResourceSpec.InstanceType",
                    "DefaultSpaceSettings.*AppSettings.DefaultResourceSpec.InstanceType",
                    "DomainSettings.RStudioServerProDomainSettings.DefaultResourceSpec.InstanceType",
                    "DomainSettingsForUpdate.RStudioServerProDomainSettingsForUpdate.DefaultResourceSpec.InstanceType",
                ],
            ),
            (PROFILE, &["UserSettings.*AppSettings.DefaultResourceSpec.InstanceType"]),
            (SPACE, &["SpaceSettings.*AppSettings.DefaultResourceSpec.InstanceType"]),
            (&["CreateApp"], &["ResourceSpec.InstanceType"]),
            (CLUSTER, &["InstanceGroups[].InstanceType", "RestrictedInstanceGroups[].InstanceType"]),
            (&["UpdateTrainingJob"], &["ProfilerRuleConfigurations[].InstanceType"]),
        ],
    },
    KeyRule {
        key: "sagemaker:AcceleratorTypes",
        multivalued: true,
        transform: Transform::None,
        sources: &[(NOTEBOOK, &["AcceleratorTypes[]"]), (&["CreateEndpointConfig"], &["ProductionVariants[].AcceleratorType"])],
    },
    KeyRule {
        key: "sagemaker:VpcSubnets",
        multivalued: true,
        transform: Transform::None,
        sources: &[
            (&["CreateTrainingJob", "CreateModel", "CreateEndpointConfig"], &["VpcConfig.Subnets[]"]),
            (HPO, &["TrainingJobDefinition.VpcConfig.Subnets[]", "TrainingJobDefinitions[].VpcConfig.Subnets[]"]),
            (&["CreateNotebookInstance"], &["SubnetId"]),
            (&["CreateProcessingJob"], &["NetworkConfig.VpcConfig.Subnets[]"]),
            (JOB_DEFINITIONS, &["NetworkConfig.VpcConfig.Subnets[]"]),
            (MONITORING, &["MonitoringScheduleConfig.MonitoringJobDefinition.NetworkConfig.VpcConfig.Subnets[]"]),
            (&["CreateAutoMLJob"], &["AutoMLJobConfig.SecurityConfig.VpcConfig.Subnets[]"]),
            (&["CreateAutoMLJobV2"], &["SecurityConfig.VpcConfig.Subnets[]"]),
            (DOMAIN, &["SubnetIds[]"]),
            (CLUSTER, &["VpcConfig.Subnets[]", "InstanceGroups[].OverrideVpcConfig.Subnets[]"]),
        ],
    },
    KeyRule {
        key: "sagemaker:VpcSecurityGroupIds",
        multivalued: true,
        transform: Transform::None,
        sources: &[
            (&["CreateTrainingJob", "CreateModel", "CreateEndpointConfig"], &["VpcConfig.SecurityGroupIds[]"]),
            (HPO, &["TrainingJobDefinition.VpcConfig.SecurityGroupIds[]", "TrainingJobDefinitions[].VpcConfig.SecurityGroupIds[]"]),
            (&["CreateNotebookInstance"], &["SecurityGroupIds[]"]),
            (&["CreateProcessingJob"], &["NetworkConfig.VpcConfig.SecurityGroupIds[]"]),
            (JOB_DEFINITIONS, &["NetworkConfig.VpcConfig.SecurityGroupIds[]"]),
            (MONITORING, &["MonitoringScheduleConfig.MonitoringJobDefinition.NetworkConfig.VpcConfig.SecurityGroupIds[]"]),
            (&["CreateAutoMLJob"], &["AutoMLJobConfig.SecurityConfig.VpcConfig.SecurityGroupIds[]"]),
            (&["CreateAutoMLJobV2"], &["SecurityConfig.VpcConfig.SecurityGroupIds[]"]),
            (
                &["CreateDomain"],
                &["DomainSettings.SecurityGroupIds[]", "DefaultUserSettings.SecurityGroups[]", "DefaultSpaceSettings.SecurityGroups[]"],
            ),
            (&["UpdateDomain"], &["DomainSettingsForUpdate.SecurityGroupIds[]", "DefaultUserSettings.SecurityGroups[]"]),
            (PROFILE, &["UserSettings.SecurityGroups[]"]),
            (CLUSTER, &["VpcConfig.SecurityGroupIds[]", "InstanceGroups[].OverrideVpcConfig.SecurityGroupIds[]"]),
        ],
    },
    KeyRule {
        key: "sagemaker:NetworkIsolation",
        multivalued: false,
        transform: Transform::None,
        sources: &[
            (&["CreateTrainingJob", "CreateModel", "CreateEndpointConfig"], &["EnableNetworkIsolation"]),
            (HPO, &["TrainingJobDefinition.EnableNetworkIsolation", "TrainingJobDefinitions[].EnableNetworkIsolation"]),
            (&["CreateProcessingJob"], &["NetworkConfig.EnableNetworkIsolation"]),
            (JOB_DEFINITIONS, &["NetworkConfig.EnableNetworkIsolation"]),
            (MONITORING, &["MonitoringScheduleConfig.MonitoringJobDefinition.NetworkConfig.EnableNetworkIsolation"]),
        ],
    },
    KeyRule {
        key: "sagemaker:InterContainerTrafficEncryption",
        multivalued: false,
        transform: Transform::None,
        sources: &[
            (TRAINING, &["EnableInterContainerTrafficEncryption"]),
            (
                HPO,
                &[
                    "TrainingJobDefinition.EnableInterContainerTrafficEncryption",
                    "TrainingJobDefinitions[].EnableInterContainerTrafficEncryption",
                ],
            ),
            (&["CreateProcessingJob"], &["NetworkConfig.EnableInterContainerTrafficEncryption"]),
            (JOB_DEFINITIONS, &["NetworkConfig.EnableInterContainerTrafficEncryption"]),
            (MONITORING, &["MonitoringScheduleConfig.MonitoringJobDefinition.NetworkConfig.EnableInterContainerTrafficEncryption"]),
            (&["CreateAutoMLJob"], &["AutoMLJobConfig.SecurityConfig.EnableInterContainerTrafficEncryption"]),
            (&["CreateAutoMLJobV2"], &["SecurityConfig.EnableInterContainerTrafficEncryption"]),
        ],
    },
    KeyRule {
        key: "sagemaker:VolumeKmsKeyArn",
        multivalued: false,
        transform: Transform::KmsKeyArn,
        sources: &[
            (TRAINING, &["ResourceConfig.VolumeKmsKeyId"]),
            (
                HPO,
                &[
                    "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId",
                    "TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId",
                    "TrainingJobDefinitions[].ResourceConfig.VolumeKmsKeyId",
                    "TrainingJobDefinitions[].HyperParameterTuningResourceConfig.VolumeKmsKeyId",
                ],
            ),
            (&["CreateLabelingJob"], &["LabelingJobAlgorithmsConfig.LabelingJobResourceConfig.VolumeKmsKeyId"]),
            (&["CreateNotebookInstance"], &["KmsKeyId"]),
            (&["CreateProcessingJob"], &["ProcessingResources.ClusterConfig.VolumeKmsKeyId"]),
            (&["CreateTransformJob"], &["TransformResources.VolumeKmsKeyId"]),
            (&["CreateEndpointConfig"], &["KmsKeyId"]),
            (&["CreateAutoMLJob"], &["AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId"]),
            (&["CreateAutoMLJobV2"], &["SecurityConfig.VolumeKmsKeyId"]),
            (JOB_DEFINITIONS, &["JobResources.ClusterConfig.VolumeKmsKeyId"]),
            (MONITORING, &["MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringResources.ClusterConfig.VolumeKmsKeyId"]),
        ],
    },
    KeyRule {
        key: "sagemaker:OutputKmsKeyArn",
        multivalued: false,
        transform: Transform::KmsKeyArn,
        sources: &[
            (&["CreateTrainingJob", "CreateAutoMLJob", "CreateAutoMLJobV2"], &["OutputDataConfig.KmsKeyId"]),
            (HPO, &["TrainingJobDefinition.OutputDataConfig.KmsKeyId", "TrainingJobDefinitions[].OutputDataConfig.KmsKeyId"]),
            (&["CreateProcessingJob"], &["ProcessingOutputConfig.KmsKeyId"]),
            (&["CreateLabelingJob"], &["OutputConfig.KmsKeyId"]),
            (&["CreateTransformJob"], &["TransformOutput.KmsKeyId"]),
            (JOB_DEFINITIONS, &["*JobOutputConfig.KmsKeyId"]),
            (MONITORING, &["MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringOutputConfig.KmsKeyId"]),
        ],
    },
    KeyRule {
        key: "sagemaker:MaxRuntimeInSeconds",
        multivalued: false,
        transform: Transform::None,
        sources: &[
            (&["CreateTrainingJob", "CreateProcessingJob"], &["StoppingCondition.MaxRuntimeInSeconds"]),
            (JOB_DEFINITIONS, &["StoppingCondition.MaxRuntimeInSeconds"]),
            (MONITORING, &["MonitoringScheduleConfig.MonitoringJobDefinition.StoppingCondition.MaxRuntimeInSeconds"]),
            (HPO, &["TrainingJobDefinition.StoppingCondition.MaxRuntimeInSeconds"]),
        ],
    },
    KeyRule {
        key: "sagemaker:KeepAlivePeriod",
        multivalued: false,
        transform: Transform::None,
        sources: &[(&["CreateTrainingJob", "UpdateTrainingJob"], &["ResourceConfig.KeepAlivePeriodInSeconds"])],
    },
    KeyRule {
        key: "sagemaker:EnableRemoteDebug",
        multivalued: false,
        transform: Transform::None,
        sources: &[(&["CreateTrainingJob", "UpdateTrainingJob"], &["RemoteDebugConfig.EnableRemoteDebug"])],
    },
    KeyRule { key: "sagemaker:RootAccess", multivalued: false, transform: Transform::None, sources: &[(NOTEBOOK, &["RootAccess"])] },
    KeyRule {
        key: "sagemaker:DirectInternetAccess",
        multivalued: false,
        transform: Transform::None,
        sources: &[(&["CreateNotebookInstance"], &["DirectInternetAccess"])],
    },
    KeyRule {
        key: "sagemaker:MinimumInstanceMetadataServiceVersion",
        multivalued: false,
        transform: Transform::None,
        sources: &[(NOTEBOOK, &["InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion"])],
    },
    KeyRule {
        key: "sagemaker:NotebookInstanceLifecycleConfigArns",
        multivalued: true,
        transform: Transform::LifecycleConfigArn,
        sources: &[(NOTEBOOK, &["LifecycleConfigName"])],
    },
    KeyRule {
        key: "sagemaker:WorkteamArn",
        multivalued: false,
        transform: Transform::None,
        sources: &[(&["CreateLabelingJob"], &["HumanTaskConfig.WorkteamArn"]), (&["CreateFlowDefinition"], &["HumanLoopConfig.WorkteamArn"])],
    },
    KeyRule {
        key: "sagemaker:WorkteamType",
        multivalued: false,
        transform: Transform::WorkteamType,
        sources: &[(&["CreateLabelingJob"], &["HumanTaskConfig.WorkteamArn"]), (&["CreateFlowDefinition"], &["HumanLoopConfig.WorkteamArn"])],
    },
    KeyRule {
        key: "sagemaker:SpaceSharingType",
        multivalued: false,
        transform: Transform::None,
        sources: &[(&["CreateSpace"], &["SpaceSharingSettings.SharingType"])],
    },
    KeyRule { key: "sagemaker:RemoteAccess", multivalued: false, transform: Transform::None, sources: &[(SPACE, &["SpaceSettings.RemoteAccess"])] },
    KeyRule {
        key: "sagemaker:ImageArns",
        multivalued: true,
        transform: Transform::None,
        sources: &[
            (DOMAIN, &["DefaultUserSettings.*AppSettings.DefaultResourceSpec.SageMakerImageArn", "DefaultSpaceSettings.*AppSettings.DefaultResourceSpec.SageMakerImageArn"]),
            (PROFILE, &["UserSettings.*AppSettings.DefaultResourceSpec.SageMakerImageArn"]),
            (SPACE, &["SpaceSettings.*AppSettings.DefaultResourceSpec.SageMakerImageArn"]),
            (&["CreateApp"], &["ResourceSpec.SageMakerImageArn"]),
        ],
    },
    KeyRule {
        key: "sagemaker:ImageVersionArns",
        multivalued: true,
        transform: Transform::None,
        sources: &[
            (
                DOMAIN,
                &[
                    "DefaultUserSettings.*AppSettings.DefaultResourceSpec.SageMakerImageVersionArn",
                    "DefaultSpaceSettings.*AppSettings.DefaultResourceSpec.SageMakerImageVersionArn",
                ],
            ),
            (PROFILE, &["UserSettings.*AppSettings.DefaultResourceSpec.SageMakerImageVersionArn"]),
            (SPACE, &["SpaceSettings.*AppSettings.DefaultResourceSpec.SageMakerImageVersionArn"]),
            (&["CreateApp"], &["ResourceSpec.SageMakerImageVersionArn"]),
        ],
    },
    KeyRule {
        key: "sagemaker:StudioLifecycleConfigArns",
        multivalued: true,
        transform: Transform::None,
        sources: &[
            (
                DOMAIN,
                &[
                    "DefaultUserSettings.*AppSettings.DefaultResourceSpec.LifecycleConfigArn",
                    "DefaultUserSettings.*AppSettings.LifecycleConfigArns[]",
                    "DefaultSpaceSettings.*AppSettings.DefaultResourceSpec.LifecycleConfigArn",
                    "DefaultSpaceSettings.*AppSettings.LifecycleConfigArns[]",
                ],
            ),
            (PROFILE, &["UserSettings.*AppSettings.DefaultResourceSpec.LifecycleConfigArn", "UserSettings.*AppSettings.LifecycleConfigArns[]"]),
            (SPACE, &["SpaceSettings.*AppSettings.DefaultResourceSpec.LifecycleConfigArn", "SpaceSettings.*AppSettings.LifecycleConfigArns[]"]),
            (&["CreateApp"], &["ResourceSpec.LifecycleConfigArn"]),
        ],
    },
    KeyRule { key: "sagemaker:AppNetworkAccessType", multivalued: false, transform: Transform::None, sources: &[(DOMAIN, &["AppNetworkAccessType"])] },
    KeyRule { key: "sagemaker:AuthMode", multivalued: false, transform: Transform::None, sources: &[(&["CreateDomain"], &["AuthMode"])] },
    KeyRule {
        key: "sagemaker:DomainSharingOutputKmsKeyArn",
        multivalued: false,
        transform: Transform::KmsKeyArn,
        sources: &[(DOMAIN, &["DefaultUserSettings.SharingSettings.S3KmsKeyId"]), (PROFILE, &["UserSettings.SharingSettings.S3KmsKeyId"])],
    },
    KeyRule {
        key: "sagemaker:ModelArn",
        multivalued: false,
        transform: Transform::ModelArn,
        sources: &[(&["CreateEndpointConfig"], &["ProductionVariants[].ModelName"]), (&["CreateTransformJob"], &["ModelName"])],
    },
    KeyRule {
        key: "sagemaker:ServerlessMaxConcurrency",
        multivalued: false,
        transform: Transform::None,
        sources: &[(&["CreateEndpointConfig"], &["ProductionVariants[].ServerlessConfig.MaxConcurrency"])],
    },
    KeyRule {
        key: "sagemaker:ServerlessMemorySize",
        multivalued: false,
        transform: Transform::None,
        sources: &[(&["CreateEndpointConfig"], &["ProductionVariants[].ServerlessConfig.MemorySizeInMB"])],
    },
    KeyRule {
        key: "sagemaker:ModelApprovalStatus",
        multivalued: false,
        transform: Transform::None,
        sources: &[(&["CreateModelPackage", "UpdateModelPackage"], &["ModelApprovalStatus"])],
    },
    KeyRule {
        key: "sagemaker:ModelLifeCycle:Stage",
        multivalued: false,
        transform: Transform::None,
        sources: &[(&["CreateModelPackage", "UpdateModelPackage"], &["ModelLifeCycle.Stage"])],
    },
    KeyRule {
        key: "sagemaker:ModelLifeCycle:StageStatus",
        multivalued: false,
        transform: Transform::None,
        sources: &[(&["CreateModelPackage", "UpdateModelPackage"], &["ModelLifeCycle.StageStatus"])],
    },
    KeyRule {
        key: "sagemaker:CustomerMetadataPropertiesToRemove",
        multivalued: true,
        transform: Transform::None,
        sources: &[(&["UpdateModelPackage"], &["CustomerMetadataPropertiesToRemove[]"])],
    },
    KeyRule {
        key: "sagemaker:PipelineVersionId",
        multivalued: false,
        transform: Transform::None,
        sources: &[(&["StartPipelineExecution", "DescribePipeline", "UpdatePipelineVersion"], &["PipelineVersionId"])],
    },
    // The feature-group keys of CreateFeatureGroup (§2.8 "feature-group keys", inferred).
    KeyRule {
        key: "sagemaker:FeatureGroupEnableOnlineStore",
        multivalued: false,
        transform: Transform::None,
        sources: &[(FEATURE_GROUP, &["OnlineStoreConfig.EnableOnlineStore"])],
    },
    KeyRule {
        key: "sagemaker:FeatureGroupDisableGlueTableCreation",
        multivalued: false,
        transform: Transform::None,
        sources: &[(FEATURE_GROUP, &["OfflineStoreConfig.DisableGlueTableCreation"])],
    },
    KeyRule {
        key: "sagemaker:FeatureGroupOfflineStoreConfig",
        multivalued: false,
        transform: Transform::Present,
        sources: &[(FEATURE_GROUP, &["OfflineStoreConfig"])],
    },
    KeyRule {
        key: "sagemaker:FeatureGroupOfflineStoreS3Uri",
        multivalued: false,
        transform: Transform::None,
        sources: &[(FEATURE_GROUP, &["OfflineStoreConfig.S3StorageConfig.S3Uri"])],
    },
    KeyRule {
        key: "sagemaker:FeatureGroupOfflineStoreKmsKeyArn",
        multivalued: false,
        transform: Transform::KmsKeyArn,
        sources: &[(FEATURE_GROUP, &["OfflineStoreConfig.S3StorageConfig.KmsKeyId"])],
    },
    KeyRule {
        key: "sagemaker:FeatureGroupOnlineStoreKmsKeyArn",
        multivalued: false,
        transform: Transform::KmsKeyArn,
        sources: &[(FEATURE_GROUP, &["OnlineStoreConfig.SecurityConfig.KmsKeyId"])],
    },
];

/// The four file-system keys, expanded per channel (R6), with their paths relative to a channel.
pub const FILE_SYSTEM_KEYS: [(&str, &str); 4] = [
    ("sagemaker:FileSystemId", "FileSystemId"),
    ("sagemaker:FileSystemAccessMode", "FileSystemAccessMode"),
    ("sagemaker:FileSystemDirectoryPath", "DirectoryPath"),
    ("sagemaker:FileSystemType", "FileSystemType"),
];

/// Where the file-system channels of each operation are.
pub const FILE_SYSTEM_CHANNELS: &[(&str, &[&str])] = &[
    ("CreateTrainingJob", &["InputDataConfig[].DataSource.FileSystemDataSource"]),
    (
        "CreateHyperParameterTuningJob",
        &[
            "TrainingJobDefinition.InputDataConfig[].DataSource.FileSystemDataSource",
            "TrainingJobDefinitions[].InputDataConfig[].DataSource.FileSystemDataSource",
        ],
    ),
];

/// The operations whose tag context is never populated (§3.2).
pub const TAG_IMMUNE: [&str; 24] = [
    "DeleteImageVersion",
    "DescribeImageVersion",
    "ListAlgorithms",
    "ListCodeRepositories",
    "ListCompilationJobs",
    "ListEndpointConfigs",
    "ListEndpoints",
    "ListFlowDefinitions",
    "ListHumanTaskUis",
    "ListHyperParameterTuningJobs",
    "ListLabelingJobs",
    "ListLabelingJobsForWorkteam",
    "ListModelPackages",
    "ListModels",
    "ListNotebookInstanceLifecycleConfigs",
    "ListNotebookInstances",
    "ListSubscribedWorkteams",
    "ListTags",
    "ListProcessingJobs",
    "ListTrainingJobs",
    "ListTrainingJobsForHyperParameterTuningJob",
    "ListTransformJobs",
    "ListWorkteams",
    "Search",
];

/// Keys populated by the planner itself rather than by a `KEY_RULES` row (`plan.rs`), with where
/// their values come from. Together with `KEY_RULES`, the aliases of `KMS_ALIASES` and
/// `FILE_SYSTEM_KEYS`, these are the mapped keys; `UNMAPPED` lists the rest (tested against the
/// catalog in `tests/keys.rs`).
pub const SPECIAL_KEYS: &[(&str, &str)] = &[
    (
        "aws:RequestTag/${TagKey}",
        "C1 of a tagging operation and C2: `Tags[].Key` → `Tags[].Value` plus Studio's automatic tags (§4.6); AddTags `Tags[]`",
    ),
    (
        "aws:TagKeys",
        "C1 of a tagging operation and C2: every tag key; AddTags `Tags[].Key`; DeleteTags `TagKeys[]`",
    ),
    (
        "aws:ResourceTag/${TagKey}",
        "the stored tags of an existing resource (R8), the creation tags of the resource being created (R9); never for the 24 operations of §3.2",
    ),
    (
        "sagemaker:ResourceTag/${TagKey}",
        "always the same values as `aws:ResourceTag/${TagKey}` (R8)",
    ),
    (
        "sagemaker:TaggingAction",
        "C2 only: the operation name (§2.2); absent on a direct AddTags",
    ),
    (
        "sagemaker:OwnerUserProfileArn",
        "CreateSpace: `user-profile/<DomainId>/<OwnershipSettings.OwnerUserProfileName>` (R5); Update/DeleteSpace, Create/DeleteApp: the stored space's owner (R8)",
    ),
    (
        "sagemaker:SpaceSharingType",
        "Update/DeleteSpace, CreateApp (`SpaceName`), DeleteApp: the stored space's sharing type (R8); absent for profile apps",
    ),
    (
        "sagemaker:SearchVisibilityCondition/${FilterKey}",
        "Search: `VisibilityConditions[]` {Key, Value}, also with the `/EqualsIfExists` suffix; repeated keys expanded (§3.3, R6)",
    ),
    (
        "sagemaker:CustomerMetadataProperties/${MetadataKey}",
        "Create/UpdateModelPackage: each entry of `CustomerMetadataProperties`",
    ),
    (
        "sagemaker:VolumeKmsKeyArn",
        "CreateDomain: `KmsKeyId`, else the deprecated `HomeEfsFileSystemKmsKeyId`, as a key ARN (with `sagemaker:VolumeKmsKey` and `sagemaker:HomeEfsFileSystemKmsKey`)",
    ),
    (
        "sagemaker:HomeEfsFileSystemKmsKey",
        "CreateDomain: `KmsKeyId`, else `HomeEfsFileSystemKmsKeyId`, as a key ARN (§1.3 item 4)",
    ),
    (
        "sagemaker:CurrentModelLifeCycleStage",
        "checks on an existing model package: its stored `ModelLifeCycle.Stage` (R8)",
    ),
    (
        "sagemaker:CurrentModelLifeCycleStageStatus",
        "checks on an existing model package: its stored `ModelLifeCycle.StageStatus` (R8)",
    ),
    (
        "sagemaker:CurrentCustomerMetadataProperties/${MetadataKey}",
        "checks on an existing model package: each stored `CustomerMetadataProperties` entry (R8)",
    ),
    (
        "sagemaker:DomainId",
        "every check of a Studio session: the session's domain (§4.5)",
    ),
    (
        "sagemaker:UserProfileName",
        "every check of a Studio session with a profile; absent in shared spaces (§4.5)",
    ),
];

/// Keys the control plane never populates from a request, with the reason (documented in
/// `docs/sagemaker-mapping.md`).
pub const UNMAPPED: &[(&str, &str)] = &[
    (
        "sagemaker:DirectGatedModelAccess",
        "no known request field of CreateModel or CreateTrainingJob; always absent (spec §2.8 decision)",
    ),
    ("sagemaker:TargetModel", "runtime (InvokeEndpoint), outside the control plane"),
    (
        "sagemaker:BearerTokenType",
        "CallWithBearerToken is permission-only (no API operation), outside the control plane",
    ),
    ("sagemaker:IsUpdateRecord", "feature-store runtime (PutRecord), outside the control plane"),
    ("sagemaker:UpdatableFeatures", "feature-store runtime (PutRecord), outside the control plane"),
    ("sagemaker:ResourceTag/", "the SAR's bare preface string, not a key; never populated (§1.3 item 5)"),
];
