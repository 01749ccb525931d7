//! Service Authorization Reference (SAR) tables: services, actions, resource types and condition
//! keys for every AWS service, parsed lazily one service at a time from the embedded `sar.tsv`.
//!
//! `sar.tsv` holds one line per service, sorted by prefix: `prefix<TAB>{json}`; the small
//! `sar-index.json` records where each service's JSON starts and how long it is. Reading that
//! index is all [`Catalog::get`](crate::Catalog::get) does; a service's JSON is parsed the first
//! time the service is asked for. Every table inside a service is sorted case-insensitively by
//! name, so lookups are binary searches; all strings are borrowed from the embedded text.

use serde::Deserialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The type of a condition key, spelled in the data as in AWS's reference (`ARN`, `IPAddress`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
pub enum KeyType {
    String,
    ArrayOfString,
    #[serde(rename = "ARN")]
    Arn,
    #[serde(rename = "ArrayOfARN")]
    ArrayOfArn,
    Bool,
    ArrayOfBool,
    Numeric,
    ArrayOfNumeric,
    Date,
    ArrayOfDate,
    #[serde(rename = "IPAddress")]
    IpAddress,
    #[serde(rename = "ArrayOfIPAddress")]
    ArrayOfIpAddress,
    Binary,
    ArrayOfBinary,
}

impl KeyType {
    /// The spelling AWS's reference uses, e.g. `ArrayOfARN`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::String => "String",
            KeyType::ArrayOfString => "ArrayOfString",
            KeyType::Arn => "ARN",
            KeyType::ArrayOfArn => "ArrayOfARN",
            KeyType::Bool => "Bool",
            KeyType::ArrayOfBool => "ArrayOfBool",
            KeyType::Numeric => "Numeric",
            KeyType::ArrayOfNumeric => "ArrayOfNumeric",
            KeyType::Date => "Date",
            KeyType::ArrayOfDate => "ArrayOfDate",
            KeyType::IpAddress => "IPAddress",
            KeyType::ArrayOfIpAddress => "ArrayOfIPAddress",
            KeyType::Binary => "Binary",
            KeyType::ArrayOfBinary => "ArrayOfBinary",
        }
    }

    /// Whether the key is multi-valued (`ArrayOf…`).
    pub fn is_array(self) -> bool {
        self.as_str().starts_with("ArrayOf")
    }

    /// The element type: `ArrayOfARN` → `ARN`; single-valued types return themselves.
    pub fn element(self) -> KeyType {
        match self {
            KeyType::ArrayOfString => KeyType::String,
            KeyType::ArrayOfArn => KeyType::Arn,
            KeyType::ArrayOfBool => KeyType::Bool,
            KeyType::ArrayOfNumeric => KeyType::Numeric,
            KeyType::ArrayOfDate => KeyType::Date,
            KeyType::ArrayOfIpAddress => KeyType::IpAddress,
            KeyType::ArrayOfBinary => KeyType::Binary,
            other => other,
        }
    }
}

/// An action's access level. The data may list several (`"Tagging, Write"`); the first is the
/// primary level shown in AWS's policy summaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum AccessLevel {
    List,
    Read,
    #[default]
    Write,
    PermissionsManagement,
    Tagging,
}

impl AccessLevel {
    /// AWS's spelling, e.g. `Permissions management`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    /// Parses one level word as the data spells it.
    pub fn parse(word: &str) -> Option<AccessLevel> {
        Some(match word.trim() {
            "List" => AccessLevel::List,
            "Read" => AccessLevel::Read,
            "Write" => AccessLevel::Write,
            "Permissions management" => AccessLevel::PermissionsManagement,
            "Tagging" => AccessLevel::Tagging,
            _ => return None,
        })
    }
}

/// One AWS service's SAR entry.
#[derive(Debug, Deserialize)]
pub struct Service {
    /// The service prefix used in actions, e.g. `sagemaker`.
    #[serde(skip)]
    pub prefix: &'static str,
    /// AWS's display name, e.g. `Amazon SageMaker`.
    pub name: &'static str,
    /// Actions, sorted case-insensitively by name.
    pub actions: Vec<Action>,
    /// Resource types, sorted case-insensitively by name.
    #[serde(rename = "resources")]
    pub resource_types: Vec<ResourceType>,
    /// Condition keys this service declares (service keys and the `aws:` keys its actions and
    /// resource types use), sorted case-insensitively.
    #[serde(rename = "keys")]
    pub condition_keys: Vec<ConditionKey>,
}

/// An IAM action.
#[derive(Debug, Deserialize)]
pub struct Action {
    /// Canonical spelling, e.g. `CreateTrainingJob`.
    pub name: &'static str,
    /// `prefix:Name`, e.g. `sagemaker:CreateTrainingJob`.
    #[serde(skip)]
    pub qualified: String,
    /// The primary access level (see [`AccessLevel`]).
    #[serde(skip)]
    pub access_level: AccessLevel,
    /// The access level as the data spells it, e.g. `Tagging, Write`.
    #[serde(rename = "access")]
    pub access_level_text: &'static str,
    /// Resource types in SAR order, each with its `required` flag.
    #[serde(rename = "resources", default)]
    pub resource_types: Vec<ActionResourceType>,
    /// Action-level condition keys. Resource-type keys (e.g. `aws:ResourceTag/${TagKey}`) are
    /// on the [`ResourceType`], not repeated here (spec §1.3 item 2).
    #[serde(rename = "keys", default)]
    pub condition_keys: Vec<&'static str>,
    /// Dependent actions (empty in current SAR data for most services).
    #[serde(rename = "deps", default)]
    pub dependent_actions: Vec<&'static str>,
    /// Named alternative resource-type combinations, where the SAR gives them.
    #[serde(default)]
    pub scenarios: Vec<Scenario>,
}

/// A resource type an action applies to.
#[derive(Debug, Deserialize)]
pub struct ActionResourceType {
    /// The resource type's name, e.g. `training-job`.
    pub name: &'static str,
    /// Whether the SAR marks it required (`*` in the reference table).
    #[serde(default)]
    pub required: bool,
    /// Condition keys listed on this action row for this resource type.
    #[serde(rename = "keys", default)]
    pub condition_keys: Vec<&'static str>,
    /// Dependent actions listed on this row.
    #[serde(rename = "deps", default)]
    pub dependent_actions: Vec<&'static str>,
}

/// A named resource-type combination of an action.
#[derive(Debug, Deserialize)]
pub struct Scenario {
    pub name: &'static str,
    #[serde(rename = "resources", default)]
    pub resource_types: Vec<ScenarioResourceType>,
}

/// A resource type within a [`Scenario`].
#[derive(Debug, Deserialize)]
pub struct ScenarioResourceType {
    pub name: &'static str,
    #[serde(default)]
    pub required: bool,
}

/// A resource type of a service.
#[derive(Debug, Deserialize)]
pub struct ResourceType {
    /// Canonical name, e.g. `training-job`.
    pub name: &'static str,
    /// ARN format with `${Partition}`, `${Region}`, `${Account}` and name variables.
    #[serde(rename = "arn")]
    pub arn_format: &'static str,
    /// Condition keys declared on the resource type (e.g. the `ResourceTag` families).
    #[serde(rename = "keys", default)]
    pub condition_keys: Vec<&'static str>,
}

/// A condition key a service declares.
#[derive(Debug, Deserialize)]
pub struct ConditionKey {
    /// Canonical spelling, e.g. `sagemaker:VolumeKmsKey` or `sagemaker:ResourceTag/${TagKey}`.
    pub name: &'static str,
    #[serde(rename = "type")]
    pub key_type: KeyType,
}

/// An `aws:*` (or other global) key from iam-data's global table.
#[derive(Debug, Deserialize)]
pub struct GlobalKey {
    /// Canonical spelling. Families are written with a `tag-key` placeholder, e.g.
    /// `aws:RequestTag/tag-key`; anything after the `/` matches.
    pub name: &'static str,
    #[serde(rename = "type")]
    pub key_type: KeyType,
    /// `principal`, `session`, `network`, `resource` or `request`.
    pub category: &'static str,
}

impl GlobalKey {
    /// For a family key (`aws:RequestTag/tag-key`), the literal prefix including the `/`.
    pub fn family_prefix(&self) -> Option<&'static str> {
        self.name.find('/').and_then(|i| self.name.get(..=i))
    }
}

/// A pattern ("family") key from iam-data's `conditionPatterns.json`.
#[derive(Debug, Deserialize)]
pub struct PatternKey {
    /// The data's regular expression, e.g. `sagemaker:ResourceTag/.+?` (`.+?` = one or more
    /// characters, `.` = any character, the rest literal; matched case-insensitively).
    pub regex: &'static str,
    /// The declared key it stands for, e.g. `sagemaker:ResourceTag/${TagKey}`.
    pub key: &'static str,
    #[serde(rename = "type")]
    pub key_type: KeyType,
    /// Services that declare the key.
    pub services: Vec<&'static str>,
}

impl PatternKey {
    /// Whether `name` is a member of this family (case-insensitive).
    pub fn matches(&self, name: &str) -> bool {
        regex_lite_match(self.regex.as_bytes(), name.as_bytes())
    }

    /// The literal text before the first wildcard, e.g. `sagemaker:ResourceTag/`.
    pub fn literal_prefix(&self) -> &'static str {
        let end = self.regex.find('.').unwrap_or(self.regex.len());
        self.regex.get(..end).unwrap_or("")
    }
}

/// The subset of regular expressions the pattern data uses: `.+?`, `.`, literals.
fn regex_lite_match(re: &[u8], s: &[u8]) -> bool {
    match re {
        [] => s.is_empty(),
        [b'.', b'+', b'?', rest @ ..] => {
            (1..=s.len()).any(|i| s.get(i..).is_some_and(|tail| regex_lite_match(rest, tail)))
        }
        [b'.', rest @ ..] => s.split_first().is_some_and(|(_, tail)| regex_lite_match(rest, tail)),
        [c, rest @ ..] => {
            s.split_first().is_some_and(|(b, tail)| b.eq_ignore_ascii_case(c) && regex_lite_match(rest, tail))
        }
    }
}

/// `sar-index.json`.
#[derive(Debug, Deserialize)]
pub(crate) struct SarIndex {
    /// `(prefix, byte offset of the service's JSON in sar.tsv, length)`, sorted by prefix.
    pub services: Vec<(&'static str, usize, usize)>,
    #[serde(rename = "globalKeys")]
    pub global_keys: Vec<GlobalKey>,
    pub patterns: Vec<PatternKey>,
    /// Lower-case key prefix → services (other than a service of that name) declaring such keys,
    /// e.g. `saml` → `[sts]`.
    #[serde(rename = "keyPrefixes", borrow)]
    pub key_prefixes: BTreeMap<&'static str, Vec<&'static str>>,
}

/// Compares `a` case-insensitively (ASCII) with `b`, which must already be lower-case.
pub(crate) fn cmp_lower(a: &str, lower_b: &str) -> Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(lower_b.bytes())
}

impl Service {
    fn finish(&mut self, prefix: &'static str) -> Result<(), String> {
        self.prefix = prefix;
        for action in &mut self.actions {
            action.qualified = format!("{prefix}:{}", action.name);
            let primary = action.access_level_text.split(',').next().unwrap_or("");
            action.access_level = AccessLevel::parse(primary).ok_or_else(|| {
                format!("{prefix}:{}: unknown access level `{}`", action.name, action.access_level_text)
            })?;
        }
        Ok(())
    }

    /// Looks up an action by name, case-insensitively (`createtrainingjob` finds `CreateTrainingJob`).
    pub fn action(&self, name: &str) -> Option<&Action> {
        let lower = name.to_ascii_lowercase();
        self.actions.binary_search_by(|a| cmp_lower(a.name, &lower)).ok().and_then(|i| self.actions.get(i))
    }

    /// Looks up a resource type by name, case-insensitively.
    pub fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        let lower = name.to_ascii_lowercase();
        self.resource_types
            .binary_search_by(|r| cmp_lower(r.name, &lower))
            .ok()
            .and_then(|i| self.resource_types.get(i))
    }

    /// Looks up one of this service's declared condition keys by exact name, case-insensitively
    /// (no pattern matching; see [`Catalog::condition_key`](crate::Catalog::condition_key)).
    pub fn condition_key(&self, name: &str) -> Option<&ConditionKey> {
        let lower = name.to_ascii_lowercase();
        self.condition_keys
            .binary_search_by(|k| cmp_lower(k.name, &lower))
            .ok()
            .and_then(|i| self.condition_keys.get(i))
    }
}

impl Action {
    /// Every access level the data lists for the action, primary first.
    pub fn access_levels(&self) -> impl Iterator<Item = AccessLevel> + '_ {
        self.access_level_text.split(',').filter_map(AccessLevel::parse)
    }

    /// The resource types marked required.
    pub fn required_resource_types(&self) -> impl Iterator<Item = &ActionResourceType> + '_ {
        self.resource_types.iter().filter(|r| r.required)
    }

    /// Whether the action takes no resource type, i.e. only `"Resource": "*"` applies.
    pub fn is_wildcard_only(&self) -> bool {
        self.resource_types.is_empty()
    }
}

/// The SAR part of the catalog: where each service's JSON sits, and the small index.
pub(crate) struct Sar {
    /// `(prefix, json)`, sorted by prefix.
    lines: Vec<(&'static str, &'static str)>,
    services: Vec<OnceLock<Result<Service, String>>>,
    pub index: Result<SarIndex, String>,
    /// Problems found while locating the services (reported by `verify`).
    layout_errors: Vec<String>,
}

impl Sar {
    /// Locates every service's JSON in `tsv` from the spans in the index, without reading
    /// `tsv` itself (so start-up touches only the small index).
    pub fn new(tsv: &'static str, index_json: &'static str) -> Sar {
        let index: Result<SarIndex, String> =
            serde_json::from_str(index_json).map_err(|e| format!("sar-index.json: {e}"));
        let mut lines = Vec::new();
        let mut layout_errors = Vec::new();
        if let Ok(index) = &index {
            lines.reserve(index.services.len());
            for &(prefix, offset, len) in &index.services {
                match tsv.get(offset..offset.saturating_add(len)) {
                    Some(json) => lines.push((prefix, json)),
                    None => layout_errors.push(format!("sar-index.json: the span of {prefix} is outside sar.tsv")),
                }
            }
        }
        let services = lines.iter().map(|_| OnceLock::new()).collect();
        Sar { lines, services, index, layout_errors }
    }

    /// Checks that every span is exactly one `prefix<TAB>{json}` line and that all lines are
    /// covered, in order.
    fn check_layout(&self, tsv: &str) -> Vec<String> {
        let mut errors = self.layout_errors.clone();
        let Ok(index) = &self.index else {
            return errors;
        };
        let mut expected_start = 0usize;
        for &(prefix, offset, len) in &index.services {
            let end = offset.saturating_add(len);
            let head_ok = tsv.get(expected_start..offset).is_some_and(|head| head.strip_suffix('\t') == Some(prefix));
            let tail_ok = tsv.get(end..end.saturating_add(1)) == Some("\n");
            if !(head_ok && tail_ok) {
                errors.push(format!("sar-index.json: the span of {prefix} does not match sar.tsv"));
                break;
            }
            expected_start = end.saturating_add(1);
        }
        if errors.is_empty() && expected_start != tsv.len() {
            errors.push("sar.tsv has lines the index does not list".to_string());
        }
        errors
    }

    pub fn prefixes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.lines.iter().map(|(p, _)| *p)
    }

    fn position(&self, prefix: &str) -> Option<usize> {
        let lower = prefix.to_ascii_lowercase();
        self.lines.binary_search_by(|(p, _)| p.cmp(&lower.as_str())).ok()
    }

    fn load(&self, i: usize) -> &Result<Service, String> {
        static MISSING: Result<Service, String> = Err(String::new());
        let (Some(cell), Some((prefix, json))) = (self.services.get(i), self.lines.get(i)) else {
            return &MISSING;
        };
        cell.get_or_init(|| {
            let mut service: Service =
                serde_json::from_str(json).map_err(|e| format!("sar.tsv service {prefix}: {e}"))?;
            service.finish(prefix)?;
            Ok(service)
        })
    }

    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.position(prefix).and_then(|i| self.load(i).as_ref().ok())
    }

    /// Every service, parsing those not parsed yet.
    pub fn all(&self) -> impl Iterator<Item = &Service> + '_ {
        (0..self.lines.len()).filter_map(|i| self.load(i).as_ref().ok())
    }

    /// Parses everything, returning every error.
    pub fn verify(&self, tsv: &str) -> Vec<String> {
        let mut errors = self.check_layout(tsv);
        errors.extend((0..self.lines.len()).filter_map(|i| self.load(i).as_ref().err().cloned()));
        if let Err(e) = &self.index {
            errors.push(e.clone());
        }
        if self.lines.windows(2).any(|w| matches!(w, [a, b] if a.0 >= b.0)) {
            errors.push("sar.tsv is not sorted by prefix".to_string());
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_check() {
        const TSV: &str = "a\t{\"name\":\"A\",\"actions\":[],\"resources\":[],\"keys\":[]}\nb\t{\"name\":\"B\",\"actions\":[{\"name\":\"Go\",\"access\":\"Tagging, Write\"}],\"resources\":[],\"keys\":[]}\n";
        let index = |spans: &str| -> &'static str {
            Box::leak(
                format!("{{\"services\":[{spans}],\"globalKeys\":[],\"patterns\":[],\"keyPrefixes\":{{}}}}")
                    .into_boxed_str(),
            )
        };
        let good = Sar::new(TSV, index("[\"a\",2,50],[\"b\",55,89]"));
        assert_eq!(good.verify(TSV), Vec::<String>::new());
        let go = good.service("B").unwrap().action("go").unwrap();
        assert_eq!((go.qualified.as_str(), go.access_level), ("b:Go", AccessLevel::Tagging));
        let shifted = Sar::new(TSV, index("[\"a\",2,49],[\"b\",55,89]"));
        assert_eq!(shifted.verify(TSV).len(), 2, "bad span, and service a no longer parses");
        let outside = Sar::new(TSV, index("[\"a\",2,50],[\"b\",55,9999]"));
        assert!(!outside.verify(TSV).is_empty());
        let missing = Sar::new(TSV, index("[\"a\",2,50]"));
        assert_eq!(missing.verify(TSV), ["sar.tsv has lines the index does not list"]);
    }

    #[test]
    fn regex_lite() {
        assert!(regex_lite_match(b"sagemaker:ResourceTag/.+?", b"SageMaker:resourcetag/Project"));
        assert!(!regex_lite_match(b"sagemaker:ResourceTag/.+?", b"sagemaker:ResourceTag/"));
        assert!(regex_lite_match(b"agent..+?.buildkite.dev:build_branch", b"agent.x.buildkite.dev:build_branch"));
        assert!(regex_lite_match(
            b"codebuild:secondarySources/.+?.auth.type",
            b"codebuild:secondarySources/a.b.auth.type"
        ));
        assert!(!regex_lite_match(
            b"codebuild:secondarySources/.+?.auth.type",
            b"codebuild:secondarySources/a.auth.typo"
        ));
    }
}
