//! Why a role cannot be planned (spec `role-manager.md` §4 "Errors", §7, §9). The planner reports
//! every violation at once, so these are collected into `PlanErrors`.

use std::fmt;

/// One violation found before anything is printed or created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error("unknown persona `{0}`")]
    UnknownPersona(String),
    #[error("unknown ML activity `{0}`")]
    UnknownActivity(String),
    #[error("{activity} has no template version {version}")]
    UnknownVersion { activity: String, version: String, available: String },
    #[error("{0} cannot be generated: {1}")]
    Unavailable(String, &'static str),
    #[error("{0} is selected twice (versions of one activity count as the same activity)")]
    Duplicate(String),
    #[error("`--without {0}` names an activity that is not selected")]
    NotSelected(String),
    #[error("no ML activity is selected")]
    NothingSelected,
    #[error("{activity} needs {needs}, which is not selected")]
    MissingDependency { activity: String, needs: String },
    #[error("{activity} needs the parameter {param} (at least one value)")]
    MissingParameter { activity: String, param: String },
    #[error("unknown parameter `{0}`")]
    UnknownParameter(String),
    #[error("{0}")]
    InvalidValue(String),
    #[error("VPC customisation needs at least one subnet and at least one security group")]
    IncompleteVpc,
    #[error("KMS customisation needs at least one data key and at least one volume key")]
    IncompleteKms,
    #[error("placeholder {placeholder} of {template} has no value")]
    UnresolvedPlaceholder { template: String, placeholder: String },
    #[error(
        "role would need {total} managed policies ({activities} activities + {extra} additional); quota PoliciesPerRole is {quota}"
    )]
    Quota { total: usize, activities: usize, extra: usize, quota: usize, names: Vec<String> },
    #[error("quota PoliciesPerRole {0} is out of range: the default is 10 and it can be raised to at most 20")]
    QuotaOutOfRange(usize),
    #[error("{0} ML activities are selected; the domain wizard accepts at most 8")]
    DomainLimit(usize),
    #[error("managed policy {name} would hold {size} characters; a managed policy may hold at most 6,144")]
    PolicyTooLarge { name: String, size: usize },
    #[error(
        "the inline policies of the role would hold {0} characters; a role's inline policies may hold at most 10,240"
    )]
    InlineTooLarge(usize),
    #[error("the trust policy would hold {0} characters; the default quota is 2,048")]
    TrustTooLarge(usize),
    #[error("role name `{0}` is invalid: at most 64 characters of letters, digits and + = , . @ _ -")]
    RoleName(String),
    #[error("policy name `{0}` is invalid: at most 128 characters of letters, digits and + = , . @ _ -")]
    PolicyName(String),
    #[error("the AWS managed policy `{0}` is not in the catalog")]
    UnknownManagedPolicy(String),
    #[error("the templates could not be loaded: {0}")]
    Data(String),
}

impl RoleError {
    /// What to do about it.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            RoleError::UnknownPersona(_) => "personas: data-scientist, mlops-engineer, compute-role".into(),
            RoleError::UnknownActivity(_) => "`sagegate roles activities` lists the ML activities".into(),
            RoleError::UnknownVersion { activity, available, .. } => {
                format!("{activity} has the versions {available}; write e.g. `--activity ID@1`")
            }
            RoleError::Unavailable(..) => "untick it with `--without` and grant its permissions by hand".into(),
            RoleError::Duplicate(_) => "select one version only".into(),
            RoleError::MissingDependency { .. } => {
                "tick the prerequisite with `--activity`, or pass `--fix-dependencies` to add it".into()
            }
            RoleError::MissingParameter { param, .. } => {
                format!("pass `--param {param}=VALUE[,VALUE…]`; an empty list would expand to an empty Resource (F1)")
            }
            RoleError::UnknownParameter(_) => format!(
                "parameters: {}",
                super::params::Param::ALL.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
            ),
            RoleError::IncompleteVpc => "pass `--vpc SUBNET[,SUBNET…]/SG[,SG…]`".into(),
            RoleError::IncompleteKms => "pass `--kms KEY-ARN` (both kinds) or `--kms DATA-ARN[,…]/VOLUME-ARN[,…]`".into(),
            RoleError::Quota { names, quota, .. } => format!(
                "the policies: {}; untick activities with `--without`, or raise the quota with `--max-managed-policies` (at most 20; the account's quota must have been raised too{})",
                names.join(", "),
                if *quota < 20 { "" } else { ", and it is already at the maximum" }
            ),
            RoleError::DomainLimit(_) => "untick activities with `--without` before using the selection in the domain wizard".into(),
            RoleError::PolicyTooLarge { .. } | RoleError::InlineTooLarge(_) => {
                "shorten the parameter lists (bucket, role or key lists) or split the activity across roles".into()
            }
            RoleError::TrustTooLarge(_) => "use `--trust plain`".into(),
            RoleError::RoleName(_) => "the console and the CDK prefix the suffix; choose a shorter `--role-name`".into(),
            RoleError::UnknownManagedPolicy(_) => "give the policy's ARN or exact name".into(),
            _ => return None,
        })
    }
}

/// Every violation found; nothing is printed or created when this is returned (§7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanErrors(pub Vec<RoleError>);

impl fmt::Display for PlanErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "the role cannot be planned ({n} problem{}):", if n == 1 { "" } else { "s" })?;
        for e in &self.0 {
            write!(f, "\n  - {e}")?;
            if let Some(h) = e.help() {
                write!(f, "\n    help: {h}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for PlanErrors {}
