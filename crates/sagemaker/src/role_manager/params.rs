//! Activity parameters (spec `role-manager.md` §3, "Parameters"): the multi-value placeholders of the
//! templates, their names in the CDK and the console, and how each value is checked.

use std::fmt;

/// A multi-value placeholder `[[Name]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Param {
    S3Buckets,
    EcrRepoArns,
    PassRoles,
    WorkGroupNames,
    GlueDbNames,
    KendraIndexIds,
    VpcSubnets,
    VpcSecurityGroups,
    DataKmsKeys,
    VolumeKmsKeys,
}

impl Param {
    pub const ALL: [Param; 10] = [
        Param::S3Buckets,
        Param::EcrRepoArns,
        Param::PassRoles,
        Param::WorkGroupNames,
        Param::GlueDbNames,
        Param::KendraIndexIds,
        Param::VpcSubnets,
        Param::VpcSecurityGroups,
        Param::DataKmsKeys,
        Param::VolumeKmsKeys,
    ];

    /// The placeholder name inside `[[…]]`.
    pub fn name(self) -> &'static str {
        match self {
            Param::S3Buckets => "S3Buckets",
            Param::EcrRepoArns => "ECRRepoArns",
            Param::PassRoles => "PassRoles",
            Param::WorkGroupNames => "WorkGroupNames",
            Param::GlueDbNames => "GlueDbNames",
            Param::KendraIndexIds => "KendraIndexIds",
            Param::VpcSubnets => "VpcSubnets",
            Param::VpcSecurityGroups => "VpcSecurityGroups",
            Param::DataKmsKeys => "DataKmsKeys",
            Param::VolumeKmsKeys => "VolumeKmsKeys",
        }
    }

    /// The CDK property and console field names, also accepted on the command line.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Param::S3Buckets => &["s3Buckets", "bucket", "buckets"],
            Param::EcrRepoArns => &["ecrRepositories", "EcrRepoArns"],
            Param::PassRoles => &["rolesToPass", "roles"],
            Param::WorkGroupNames => &["athenaWorkgroupNames", "workgroups"],
            Param::GlueDbNames => &["glueDatabaseNames", "glueDatabases"],
            Param::KendraIndexIds => &["index_ids", "indexIds", "kendraIndexes"],
            Param::VpcSubnets => &["subnets"],
            Param::VpcSecurityGroups => &["securityGroups", "VpcSecurityGroupIds"],
            Param::DataKmsKeys => &["dataKeys"],
            Param::VolumeKmsKeys => &["volumeKeys"],
        }
    }

    /// Looks a parameter up by placeholder name or alias (any ASCII case).
    pub fn parse(s: &str) -> Option<Param> {
        let s = s.trim();
        Param::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s) || p.aliases().iter().any(|a| a.eq_ignore_ascii_case(s)))
    }

    /// Whether the value belongs to the VPC customisation (§4).
    pub fn is_vpc(self) -> bool {
        matches!(self, Param::VpcSubnets | Param::VpcSecurityGroups)
    }

    /// Whether the value belongs to the KMS customisation (§4).
    pub fn is_kms(self) -> bool {
        matches!(self, Param::DataKmsKeys | Param::VolumeKmsKeys)
    }

    /// What a value must look like, for error help.
    pub fn expected(self) -> &'static str {
        match self {
            Param::S3Buckets => "S3 bucket names (3–63 lower-case letters, digits, dots and hyphens), not ARNs",
            Param::EcrRepoArns => "ECR repository ARNs, arn:aws:ecr:REGION:ACCOUNT:repository/NAME",
            Param::PassRoles => "IAM role ARNs, arn:aws:iam::ACCOUNT:role/NAME",
            Param::WorkGroupNames | Param::GlueDbNames => {
                "names of letters, digits and the characters . / : - _ (no spaces)"
            }
            Param::KendraIndexIds => "Kendra index ids (36 letters, digits and hyphens)",
            Param::VpcSubnets => "subnet ids, subnet-…",
            Param::VpcSecurityGroups => "security-group ids, sg-…",
            Param::DataKmsKeys | Param::VolumeKmsKeys => {
                "KMS key ARNs, arn:aws:kms:REGION:ACCOUNT:key/KEY-ID (the CDK passes bare key ids, which IAM rejects: F3)"
            }
        }
    }

    /// Checks one value; the error says what is wrong.
    pub fn check(self, value: &str) -> Result<(), String> {
        let ok = match self {
            Param::S3Buckets => bucket_name(value),
            Param::EcrRepoArns => {
                arn_of(value, "ecr", |r| r.strip_prefix("repository/").is_some_and(|n| !n.is_empty()))
            }
            Param::PassRoles => {
                arn_of(value, "iam", |r| r.strip_prefix("role/").is_some_and(|n| !n.is_empty() && !n.ends_with('/')))
            }
            Param::WorkGroupNames | Param::GlueDbNames => {
                !value.is_empty()
                    && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b':' | b'-' | b'_'))
            }
            Param::KendraIndexIds => {
                value.len() == 36
                    && value.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
                    && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            }
            Param::VpcSubnets => id_with_prefix(value, "subnet-"),
            Param::VpcSecurityGroups => id_with_prefix(value, "sg-"),
            Param::DataKmsKeys | Param::VolumeKmsKeys => {
                arn_of(value, "kms", |r| r.strip_prefix("key/").is_some_and(|n| !n.is_empty()))
            }
        };
        if ok {
            Ok(())
        } else {
            Err(format!("`{value}` is not valid for {self}: expected {}", self.expected()))
        }
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// S3 general-purpose bucket naming rules.
fn bucket_name(s: &str) -> bool {
    let b = s.as_bytes();
    let edge = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&b.len())
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-')
        && edge(b.first())
        && edge(b.last())
        && !s.contains("..")
        && !(s.split('.').count() == 4 && s.split('.').all(|p| p.parse::<u8>().is_ok()))
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, with a 12-digit account and a resource that
/// satisfies `resource_ok`.
fn arn_of(s: &str, service: &str, resource_ok: impl Fn(&str) -> bool) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, svc, _region, account, resource] => {
            partition.starts_with("aws")
                && *svc == service
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && resource_ok(resource)
        }
        _ => false,
    }
}

fn id_with_prefix(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_per_parameter() {
        assert!(Param::S3Buckets.check("amzn-s3-demo-bucket").is_ok());
        assert!(Param::S3Buckets.check("arn:aws:s3:::b").is_err());
        assert!(Param::S3Buckets.check("Upper").is_err());
        assert!(Param::S3Buckets.check("192.168.1.1").is_err());
        assert!(Param::PassRoles.check("arn:aws:iam::111122223333:role/service-role/Exec").is_ok());
        assert!(Param::PassRoles.check("Exec").is_err());
        assert!(Param::EcrRepoArns.check("arn:aws:ecr:us-east-1:111122223333:repository/r").is_ok());
        assert!(Param::VolumeKmsKeys.check("1234abcd-12ab-34cd-56ef-1234567890ab").is_err());
        assert!(Param::VolumeKmsKeys.check("arn:aws:kms:us-east-1:111122223333:key/1234abcd").is_ok());
        assert!(Param::WorkGroupNames.check("primary").is_ok());
        assert!(Param::WorkGroupNames.check("has space").is_err());
        assert!(Param::KendraIndexIds.check("0123abcd-0123-abcd-0123-0123456789ab").is_ok());
        assert!(Param::VpcSubnets.check("subnet-0a1b").is_ok());
        assert!(Param::VpcSecurityGroups.check("subnet-0a1b").is_err());
        assert_eq!(Param::parse("rolesToPass"), Some(Param::PassRoles));
        assert_eq!(Param::parse("ecrrepoarns"), Some(Param::EcrRepoArns));
    }
}
