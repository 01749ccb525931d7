//! The Role Manager catalogue as data: the ML activities (spec `role-manager.md` §3), their
//! dependencies (§7) and the persona presets in both published versions (§2).
//!
//! Which parameters and variants an activity has is not listed here: it follows from the templates
//! themselves (the placeholders a template holds, and whether a `_VPC`/`_KMS` template of the same
//! version exists), so the two cannot disagree.

use std::fmt;

/// A published version of the persona presets and activity list (§2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Catalogue {
    /// The launch documentation, December 2022.
    V2022_12,
    /// The developer guide today.
    Current,
}

impl Catalogue {
    pub const ALL: [Catalogue; 2] = [Catalogue::V2022_12, Catalogue::Current];

    pub fn name(self) -> &'static str {
        match self {
            Catalogue::V2022_12 => "2022-12",
            Catalogue::Current => "current",
        }
    }

    pub fn parse(s: &str) -> Option<Catalogue> {
        Catalogue::ALL.into_iter().find(|c| c.name() == s)
    }
}

impl fmt::Display for Catalogue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A template version: the CDK's integer versions, or the console-only template (§1, last row).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TemplateVersion {
    Cdk(u32),
    Console,
}

impl TemplateVersion {
    /// `1`, `2`, `console`.
    pub fn parse(s: &str) -> Option<TemplateVersion> {
        if s == "console" {
            return Some(TemplateVersion::Console);
        }
        s.strip_prefix('v').unwrap_or(s).parse().ok().filter(|n| *n > 0).map(TemplateVersion::Cdk)
    }
}

impl fmt::Display for TemplateVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateVersion::Cdk(n) => write!(f, "{n}"),
            TemplateVersion::Console => f.write_str("console"),
        }
    }
}

/// Where an activity's permissions come from (§3, column "Kind").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// C: a customer managed policy from the template with this name stem.
    Template { stem: &'static str },
    /// M: an AWS managed policy attached by ARN, with the version spec §1 pins.
    Managed { name: &'static str, pinned_version: &'static str },
    /// Catalogued, but AWS publishes no template (row 22).
    Unavailable { reason: &'static str },
}

/// One ML activity (§3).
#[derive(Clone, Copy, Debug)]
pub struct Activity {
    /// The name used on the command line, e.g. `manage-ml-jobs`.
    pub id: &'static str,
    /// The row of §3.
    pub number: u8,
    /// The console's display name.
    pub name: &'static str,
    pub source: Source,
    /// The template versions offered; the first is the CDK default (§4: "the version defaults to 1").
    pub versions: &'static [TemplateVersion],
    /// The version each catalogue selects when the activity is ticked without a version.
    pub default_2022_12: TemplateVersion,
    pub default_current: TemplateVersion,
    /// The catalogues listing it (§3, last column): `22`, `24`, `cur`, `cn`.
    pub catalogues: &'static [&'static str],
    /// Dependencies (§7): every inner list must have at least one selected member.
    pub requires: &'static [&'static [&'static str]],
    /// What the activity is for (§5; the published descriptions of rows 3 and 4 are swapped).
    pub summary: &'static str,
}

impl Activity {
    pub fn default_version(&self, catalogue: Catalogue) -> TemplateVersion {
        match catalogue {
            Catalogue::V2022_12 => self.default_2022_12,
            Catalogue::Current => self.default_current,
        }
    }

    /// The policy name stem (template stem or managed policy name).
    pub fn stem(&self) -> &'static str {
        match self.source {
            Source::Template { stem } => stem,
            Source::Managed { name, .. } => name,
            Source::Unavailable { .. } => "",
        }
    }
}

const V1: &[TemplateVersion] = &[TemplateVersion::Cdk(1)];
const CONSOLE: &[TemplateVersion] = &[TemplateVersion::Console];
const NONE: &[TemplateVersion] = &[];
const C1: TemplateVersion = TemplateVersion::Cdk(1);
const CON: TemplateVersion = TemplateVersion::Console;

/// Run Studio Applications (§7: every Canvas activity needs it).
pub const RUN_STUDIO: &str = "run-studio-apps";
/// Canvas Core Access, the default fix for the second Canvas dependency (§7).
pub const CANVAS_CORE: &str = "canvas-core-access";
const CANVAS_BASE: &[&str] = &[CANVAS_CORE, "canvas-data-prep"];

/// Every activity of §3, in row order.
pub const ACTIVITIES: &[Activity] = &[
    Activity {
        id: "access-aws-services",
        number: 1,
        name: "Access Required AWS Services",
        source: Source::Template { stem: "SM_ComputeExecutionRole" },
        versions: V1,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["22", "24", "cur"],
        requires: &[],
        summary: "S3, ECR, CloudWatch and logs for the role that jobs and endpoints assume",
    },
    Activity {
        id: RUN_STUDIO,
        number: 2,
        name: "Run Studio Applications",
        source: Source::Template { stem: "SM_StudioAppPermissions" },
        versions: &[TemplateVersion::Cdk(1), TemplateVersion::Cdk(2), TemplateVersion::Console],
        default_2022_12: C1,
        default_current: CON,
        catalogues: &["22", "24", "cur"],
        requires: &[],
        summary: "Studio apps and spaces for domain and user-profile execution roles (\"Run Studio Classic Applications\" today)",
    },
    Activity {
        id: "manage-ml-jobs",
        number: 3,
        name: "Manage ML Jobs",
        source: Source::Template { stem: "SM_CommonJobManagement" },
        versions: V1,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["22", "24", "cur"],
        requires: &[],
        summary: "create, stop and describe training, transform, processing, AutoML and tuning jobs",
    },
    Activity {
        id: "manage-models",
        number: 4,
        name: "Manage Models",
        source: Source::Template { stem: "SM_ModelManagement" },
        versions: V1,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["22", "24", "cur"],
        requires: &[],
        summary: "models, model packages and groups (Model Registry)",
    },
    Activity {
        id: "manage-endpoints",
        number: 5,
        name: "Manage Endpoints",
        source: Source::Template { stem: "SM_EndpointDeployment" },
        versions: V1,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["22", "24", "cn"],
        requires: &[],
        summary: "endpoint configs and endpoints",
    },
    Activity {
        id: "manage-pipelines",
        number: 6,
        name: "Manage Pipelines",
        source: Source::Template { stem: "SM_PipelineManagement" },
        versions: V1,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["22", "24", "cur"],
        requires: &[],
        summary: "pipelines and pipeline executions",
    },
    Activity {
        id: "manage-experiments",
        number: 7,
        name: "Manage Experiments",
        source: Source::Template { stem: "SM_ExperimentsManagement" },
        versions: V1,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["22", "24", "cn"],
        requires: &[],
        summary: "experiments, trials, trial components and lineage entities",
    },
    Activity {
        id: "search-experiments",
        number: 8,
        name: "Search and Visualize Experiments",
        source: Source::Template { stem: "SM_ExperimentsVisualization" },
        versions: V1,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["22", "24", "cur"],
        requires: &[],
        summary: "describe, list, search and query lineage of experiment entities",
    },
    Activity {
        id: "manage-model-monitoring",
        number: 9,
        name: "Manage Model Monitoring",
        source: Source::Template { stem: "SM_ModelMonitoring" },
        versions: V1,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["22", "24", "cur"],
        requires: &[],
        summary: "Model Monitor schedules and their processing jobs",
    },
    Activity {
        id: "s3-full-access",
        number: 10,
        name: "S3 Full Access",
        source: Source::Template { stem: "SageMakerS3AllResourcesPolicyTemplate" },
        versions: &[TemplateVersion::Cdk(1), TemplateVersion::Cdk(2)],
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["22", "24", "cur"],
        requires: &[],
        summary: "object Get/Put (v2: Delete) and ListBucket on every bucket, not s3:* (F11)",
    },
    Activity {
        id: "s3-bucket-access",
        number: 11,
        name: "S3 Bucket Access",
        source: Source::Template { stem: "SageMakerS3BucketPolicyTemplate" },
        versions: V1,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["22", "24", "cur"],
        requires: &[],
        summary: "list, get, put and delete in the given buckets",
    },
    Activity {
        id: "query-athena-workgroups",
        number: 12,
        name: "Query Athena Workgroups",
        source: Source::Template { stem: "SM_AthenaQueryAccess" },
        versions: V1,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["22", "24", "cur"],
        requires: &[],
        summary: "run Athena queries in the given workgroups",
    },
    Activity {
        id: "manage-glue-tables",
        number: 13,
        name: "Manage Glue Tables",
        source: Source::Template { stem: "SM_GlueTableManagement" },
        versions: V1,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["22", "24", "cur"],
        requires: &[],
        summary: "Glue tables for Feature Store's offline store and Data Wrangler",
    },
    Activity {
        id: CANVAS_CORE,
        number: 14,
        name: "Canvas Core Access",
        source: Source::Managed { name: "AmazonSageMakerCanvasFullAccess", pinned_version: "v11" },
        versions: NONE,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["24", "cur"],
        requires: &[&[RUN_STUDIO]],
        summary: "experimentation in Canvas: data prep, model build, validation",
    },
    Activity {
        id: "canvas-data-prep",
        number: 15,
        name: "Canvas Data Preparation (powered by Data Wrangler)",
        source: Source::Managed { name: "AmazonSageMakerCanvasDataPrepFullAccess", pinned_version: "v4" },
        versions: NONE,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["24", "cur"],
        requires: &[&[RUN_STUDIO]],
        summary: "end-to-end data preparation in Canvas",
    },
    Activity {
        id: "canvas-ai-services",
        number: 16,
        name: "Canvas AI Services",
        source: Source::Managed { name: "AmazonSageMakerCanvasAIServicesAccess", pinned_version: "v3" },
        versions: NONE,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["24", "cur"],
        requires: &[&[RUN_STUDIO], CANVAS_BASE],
        summary: "Textract, Rekognition, Comprehend and Bedrock from Canvas",
    },
    Activity {
        id: "canvas-mlops",
        number: 17,
        name: "Canvas MLOps",
        source: Source::Managed { name: "AmazonSageMakerCanvasDirectDeployAccess", pinned_version: "v1" },
        versions: NONE,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["24", "cur"],
        requires: &[&[RUN_STUDIO], CANVAS_BASE],
        summary: "direct deployment of Canvas models to endpoints",
    },
    Activity {
        id: "canvas-kendra-access",
        number: 18,
        name: "Canvas Kendra Access",
        source: Source::Template { stem: "SagemakerCanvasKendraAccessPolicyTemplate" },
        versions: CONSOLE,
        default_2022_12: CON,
        default_current: CON,
        catalogues: &["24", "cur"],
        requires: &[&[RUN_STUDIO], CANVAS_BASE],
        summary: "Kendra retrieval from the given indexes for Canvas",
    },
    Activity {
        id: "use-mlflow",
        number: 19,
        name: "Use MLflow",
        source: Source::Template { stem: "SM_MLflowServerAccess" },
        versions: CONSOLE,
        default_2022_12: CON,
        default_current: CON,
        catalogues: &["cur"],
        requires: &[],
        summary: "call the MLflow REST APIs of tracking servers",
    },
    Activity {
        id: "manage-mlflow",
        number: 20,
        name: "Manage MLflow Tracking Servers",
        source: Source::Template { stem: "SM_MLflowManagement" },
        versions: CONSOLE,
        default_2022_12: CON,
        default_current: CON,
        catalogues: &["cur"],
        requires: &[],
        summary: "create, update and delete MLflow tracking servers (later \"Manage MLflow Apps\")",
    },
    Activity {
        id: "access-aws-services-mlflow",
        number: 21,
        name: "Access required to AWS Services for MLflow",
        source: Source::Template { stem: "SM_MLflowTrackingExecutionRole" },
        versions: CONSOLE,
        default_2022_12: CON,
        default_current: CON,
        catalogues: &["cur"],
        requires: &[],
        summary: "S3 and Model Registry access so the domain's role can also serve a tracking server",
    },
    Activity {
        id: "run-studio-emr-serverless",
        number: 22,
        name: "Run Studio EMR Serverless Applications",
        source: Source::Unavailable {
            reason: "AWS publishes no template for it (neither the CDK package nor the documentation shows its policy)",
        },
        versions: NONE,
        default_2022_12: C1,
        default_current: C1,
        catalogues: &["cur"],
        requires: &[],
        summary: "EMR Serverless applications from Studio (no public template)",
    },
];

/// Looks an activity up by id, row number, display name or policy stem (any ASCII case).
pub fn activity(name: &str) -> Option<&'static Activity> {
    let name = name.trim();
    ACTIVITIES.iter().find(|a| {
        a.id.eq_ignore_ascii_case(name)
            || name.parse::<u8>().ok() == Some(a.number)
            || a.name.eq_ignore_ascii_case(name)
            || (!a.stem().is_empty() && a.stem().eq_ignore_ascii_case(name))
    })
}

/// A persona (§2): a named preset of pre-ticked activities, per catalogue.
#[derive(Clone, Copy, Debug)]
pub struct Persona {
    pub id: &'static str,
    pub name: &'static str,
    pub purpose: &'static str,
    pub preset_2022_12: &'static [&'static str],
    pub preset_current: &'static [&'static str],
}

impl Persona {
    pub fn preset(&self, catalogue: Catalogue) -> &'static [&'static str] {
        match catalogue {
            Catalogue::V2022_12 => self.preset_2022_12,
            Catalogue::Current => self.preset_current,
        }
    }
}

/// The three personas of §2 ("Custom role settings" is no persona: it pre-ticks nothing).
pub const PERSONAS: &[Persona] = &[
    Persona {
        id: "data-scientist",
        name: "Data Scientist",
        purpose: "ML development and experimentation",
        preset_2022_12: &[
            RUN_STUDIO,
            "manage-ml-jobs",
            "manage-models",
            "manage-experiments",
            "search-experiments",
            "s3-bucket-access",
        ],
        preset_current: &[
            RUN_STUDIO,
            "manage-ml-jobs",
            "manage-models",
            "manage-glue-tables",
            "canvas-ai-services",
            "canvas-mlops",
            "canvas-kendra-access",
            "use-mlflow",
            "access-aws-services-mlflow",
            "run-studio-emr-serverless",
        ],
    },
    Persona {
        id: "mlops-engineer",
        name: "MLOps Engineer",
        purpose: "operations",
        preset_2022_12: &[RUN_STUDIO, "manage-models", "manage-endpoints", "manage-pipelines", "search-experiments"],
        preset_current: &[RUN_STUDIO, "manage-models", "manage-pipelines", "search-experiments", "s3-full-access"],
    },
    Persona {
        id: "compute-role",
        name: "SageMaker Compute Role",
        purpose: "execution role of jobs and endpoints",
        preset_2022_12: &["access-aws-services"],
        preset_current: &["access-aws-services"],
    },
];

/// Looks a persona up by id or display name (any ASCII case).
pub fn persona(name: &str) -> Option<&'static Persona> {
    PERSONAS.iter().find(|p| p.id.eq_ignore_ascii_case(name.trim()) || p.name.eq_ignore_ascii_case(name.trim()))
}
