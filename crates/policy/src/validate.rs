//! Validation as strict as IAM's (section 1): the first V14 error in table order, V15 quotas, and V16
//! lint warnings, each with IAM's exact text, a span, a `line:column` and a help line.

use serde::Serialize;

use crate::arn::KNOWN_PARTITIONS;
use crate::ast::*;
use crate::condition::{Decimal, Instant, IpNet};
use crate::json::count_non_whitespace;
use crate::parse::ParseErrorKind;
use crate::span::{line_column, LineColumn, Span};

/// The kind of policy being validated: it decides which elements are required or forbidden (V6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PolicyKind {
    /// An inline identity policy (user, group or role).
    Identity,
    /// A customer managed identity policy.
    Managed,
    /// A service's resource-based policy.
    Resource,
    /// A role trust policy.
    Trust,
    /// A permissions boundary (a managed policy).
    Boundary,
    /// An inline session policy.
    Session,
    Scp,
    Rcp,
}

impl PolicyKind {
    pub const ALL: [PolicyKind; 8] = [
        PolicyKind::Identity,
        PolicyKind::Managed,
        PolicyKind::Resource,
        PolicyKind::Trust,
        PolicyKind::Boundary,
        PolicyKind::Session,
        PolicyKind::Scp,
        PolicyKind::Rcp,
    ];

    pub fn parse(s: &str) -> Option<PolicyKind> {
        Some(match s {
            "identity" => PolicyKind::Identity,
            "managed" => PolicyKind::Managed,
            "resource" => PolicyKind::Resource,
            "trust" => PolicyKind::Trust,
            "boundary" => PolicyKind::Boundary,
            "session" => PolicyKind::Session,
            "scp" => PolicyKind::Scp,
            "rcp" => PolicyKind::Rcp,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Managed => "managed",
            PolicyKind::Resource => "resource",
            PolicyKind::Trust => "trust",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Session => "session",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
        }
    }

    /// Kinds whose statements may not name a principal (V6, V14 row 4).
    fn principal_forbidden(self) -> bool {
        matches!(
            self,
            PolicyKind::Identity | PolicyKind::Managed | PolicyKind::Boundary | PolicyKind::Session | PolicyKind::Scp
        )
    }

    /// IAM's own policies: strict Sids (V7).
    fn is_iam(self) -> bool {
        matches!(
            self,
            PolicyKind::Identity | PolicyKind::Managed | PolicyKind::Boundary | PolicyKind::Session | PolicyKind::Trust
        )
    }

    fn is_managed(self) -> bool {
        matches!(self, PolicyKind::Managed | PolicyKind::Boundary)
    }

    /// The API parameter named in `ValidationError` messages (V14 rows 1–2).
    fn parameter(self) -> &'static str {
        match self {
            PolicyKind::Trust => "assumeRolePolicyDocument",
            PolicyKind::Session => "policy",
            PolicyKind::Scp | PolicyKind::Rcp => "content",
            _ => "policyDocument",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding: an error (IAM rejects the document) or a lint warning (V16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    pub severity: Severity,
    /// `MalformedPolicyDocument`, `ValidationError`, `LimitExceeded`, … or a lint code.
    pub code: &'static str,
    /// IAM's message text, exactly.
    pub message: String,
    /// The spec rule (`V14`, `R6`, …).
    pub rule: &'static str,
    /// The V14 table row, for errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u8>,
    pub span: Option<Span>,
    pub position: Option<LineColumn>,
    pub help: Option<String>,
}

/// The result of validating one document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Validation {
    /// The first error (V1), if any.
    pub error: Option<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl Validation {
    pub fn is_valid(&self) -> bool {
        self.error.is_none()
    }
}

const MALFORMED: &str = "MalformedPolicyDocument";

struct Finding {
    row: u8,
    pos: usize,
    message: String,
    span: Span,
    help: &'static str,
}

/// What names exist: services, actions and condition keys. The service catalog implements it, so the
/// language crate stays free of generated data (V16 lint: unknown names, with "did you mean").
pub trait Vocabulary {
    /// Whether `prefix` is a known service.
    fn knows_service(&self, prefix: &str) -> bool;
    /// Whether an action entry (`svc:Name`, possibly with `*`/`?`) matches at least one known action.
    fn matches_some_action(&self, pattern: &str) -> bool;
    /// Whether a condition key is known (globals, service keys, key families).
    fn knows_condition_key(&self, key: &str) -> bool;
    /// A close known name, for "did you mean".
    fn suggest(&self, kind: NameKind, name: &str) -> Option<String>;
}

/// The kinds of names a `Vocabulary` can suggest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Service,
    Action,
    ConditionKey,
}

/// Validates `text` as a policy of `kind` (V1–V16).
pub fn validate(text: &str, kind: PolicyKind) -> Validation {
    validate_with(text, kind, None)
}

/// Validates, and with a vocabulary also warns about unknown services, actions and keys (V10, V16).
pub fn validate_with(text: &str, kind: PolicyKind, vocabulary: Option<&dyn Vocabulary>) -> Validation {
    let mut v = Validation::default();
    let error =
        |code: &'static str, rule: &'static str, row: Option<u8>, message: String, span: Option<Span>, help: &str| {
            Diagnostic {
                severity: Severity::Error,
                code,
                message,
                rule,
                row,
                span,
                position: span.map(|s| line_column(text, s.start)),
                help: (!help.is_empty()).then(|| help.to_string()),
            }
        };
    // Row 1: character set (V12).
    if let Some((i, _)) = text.char_indices().find(|(_, c)| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}')) {
        let end = text.get(i..).and_then(|s| s.chars().next()).map_or(i, |c| i + c.len_utf8());
        v.error = Some(error(
            "ValidationError",
            "V12",
            Some(1),
            format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
                kind.parameter()
            ),
            Some(Span::new(i, end)),
            "policies may contain only tab, line feed, carriage return and characters U+0020 to U+00FF",
        ));
        return v;
    }
    // Row 2: length (V12).
    if text.chars().count() > 131_072 {
        v.error = Some(error(
            "ValidationError",
            "V12",
            Some(2),
            format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must have length less than or equal to 131072",
                kind.parameter()
            ),
            None,
            "split the policy into several smaller policies",
        ));
        return v;
    }
    // Row 3: what cannot even be parsed into the model.
    let policy = match Policy::parse(text) {
        Ok(p) => p,
        Err(e) => {
            let invalid_json = matches!(e.kind, ParseErrorKind::NotJson | ParseErrorKind::DuplicateKey)
                && matches!(kind, PolicyKind::Trust | PolicyKind::Resource);
            let message = if invalid_json { "This policy contains invalid Json" } else { "Syntax errors in policy." };
            let mut d = error(MALFORMED, "V14", Some(3), message.to_string(), Some(e.span), "");
            d.help = Some(e.message);
            v.error = Some(d);
            return v;
        }
    };
    let mut findings = Vec::new();
    check_document(&policy, kind, &mut findings);
    if let Some(f) = findings.into_iter().min_by_key(|f| (f.row, f.pos)) {
        v.error = Some(error(MALFORMED, "V14", Some(f.row), f.message, Some(f.span), f.help));
    } else if let Some(d) = check_quota(text, kind) {
        v.error = Some(d);
    }
    lint(&policy, kind, &mut v.warnings);
    if let Some(vocab) = vocabulary {
        lint_names(&policy, vocab, &mut v.warnings);
    }
    v
}

/// Unknown services, actions and condition keys (V10, V16).
fn lint_names(p: &Policy, vocab: &dyn Vocabulary, out: &mut Vec<Diagnostic>) {
    let warn = |code: &'static str, message: String, span: Span, help: String| Diagnostic {
        severity: Severity::Warning,
        code,
        message,
        rule: "V16",
        row: None,
        span: Some(span),
        position: Some(line_column(&p.source, span.start)),
        help: Some(help),
    };
    let did_you_mean = |kind: NameKind, name: &str, fallback: &str| match vocab.suggest(kind, name) {
        Some(s) if s != name => format!("did you mean `{s}`?"),
        _ => fallback.to_string(),
    };
    for st in &p.statements {
        for e in st.action.iter().flat_map(|a| &a.entries) {
            let Some((prefix, name)) = e.value.split_once(':') else {
                continue;
            };
            if prefix.contains(['*', '?']) || name.contains(':') || prefix.is_empty() {
                continue; // A4 and the V14 rows report these
            }
            if !vocab.knows_service(prefix) {
                let help = did_you_mean(
                    NameKind::Service,
                    prefix,
                    "check the service prefix in the Service Authorization Reference",
                );
                out.push(warn("unknown-service", format!("`{prefix}` is not a known service prefix"), e.span, help));
            } else if !vocab.matches_some_action(&e.value) {
                let (message, help) = if name.contains(['*', '?']) {
                    (format!("`{}` matches no {prefix} action", e.value), "check the pattern's spelling".to_string())
                } else {
                    (
                        format!("`{}` is not a known {prefix} action", e.value),
                        did_you_mean(NameKind::Action, &e.value, "check the action name"),
                    )
                };
                out.push(warn("unknown-action", message, e.span, help));
            }
        }
        for c in &st.conditions {
            let key = &c.key.value;
            if !key.contains(':') || vocab.knows_condition_key(key) {
                continue;
            }
            let help =
                did_you_mean(NameKind::ConditionKey, key, "check the key in the Service Authorization Reference");
            out.push(warn("unknown-condition-key", format!("`{key}` is not a known condition key"), c.key.span, help));
        }
    }
}

fn check_quota(text: &str, kind: PolicyKind) -> Option<Diagnostic> {
    let (limit, count, code, message) = match kind {
        PolicyKind::Managed | PolicyKind::Boundary => {
            (6_144, count_non_whitespace(text), "LimitExceeded", "Cannot exceed quota for PolicySize: 6144".to_string())
        }
        PolicyKind::Trust => (
            2_048,
            count_non_whitespace(text),
            "LimitExceeded",
            "Cannot exceed quota for ACLSizePerRole: 2048".to_string(),
        ),
        PolicyKind::Scp | PolicyKind::Rcp => (
            5_120,
            text.chars().count(),
            "ConstraintViolationException",
            "You have exceeded the maximum size of a policy (5120 characters, whitespace included).".to_string(),
        ),
        PolicyKind::Session => (
            2_048,
            count_non_whitespace(text),
            "PackedPolicyTooLarge",
            "The inline session policy exceeds 2048 characters.".to_string(),
        ),
        PolicyKind::Identity | PolicyKind::Resource => return None,
    };
    (count > limit).then(|| Diagnostic {
        severity: Severity::Error,
        code,
        message,
        rule: "V15",
        row: None,
        span: None,
        position: None,
        help: Some(format!("the document has {count} characters counted against a limit of {limit}")),
    })
}

fn check_document(p: &Policy, kind: PolicyKind, out: &mut Vec<Finding>) {
    let mut push = |row: u8, span: Span, message: String, help: &'static str| {
        out.push(Finding { row, pos: span.start, message, span, help });
    };
    match &p.version.value {
        Version::Unknown(_) => push(
            3,
            p.version.span,
            "Syntax errors in policy.".into(),
            "`Version` must be \"2012-10-17\" (or the legacy \"2008-10-17\")",
        ),
        Version::Absent | Version::V2008_10_17 if kind.is_managed() => push(
            5,
            p.version.span,
            "Policy document must be version 2012-10-17 or greater.".into(),
            "add \"Version\": \"2012-10-17\" at the top of the document",
        ),
        _ => {}
    }
    let mut sids: Vec<&str> = Vec::new();
    for st in &p.statements {
        check_statement(st, kind, &mut push);
        if let Some(sid) = &st.sid {
            if kind.is_iam() {
                if !sid.value.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    push(
                        8,
                        sid.span,
                        "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*".into(),
                        "use only letters and digits in a Sid",
                    );
                }
                if !sid.value.is_empty() && sids.contains(&sid.value.as_str()) {
                    push(
                        7,
                        sid.span,
                        "Statement IDs (SID) in a single policy must be unique.".into(),
                        "give every statement a different Sid",
                    );
                }
                sids.push(&sid.value);
            }
        }
    }
}

const SYNTAX: &str = "Syntax errors in policy.";

fn check_statement(st: &Statement, kind: PolicyKind, push: &mut impl FnMut(u8, Span, String, &'static str)) {
    // Effect (V5).
    if let Effect::Invalid(e) = &st.effect.value {
        if e.eq_ignore_ascii_case("allow") || e.eq_ignore_ascii_case("deny") {
            push(
                6,
                st.effect.span,
                "The policy failed legacy parsing".into(),
                "`Effect` is case-sensitive: write \"Allow\" or \"Deny\"",
            );
        } else {
            push(3, st.effect.span, SYNTAX.into(), "`Effect` must be \"Allow\" or \"Deny\"");
        }
    }
    let is_allow = st.effect.value == Effect::Allow;
    // Principal (V6, P3).
    match &st.principal {
        Some(pb) if kind.principal_forbidden() => {
            push(
                4,
                pb.key_span,
                "Policy document should not specify a principal.".into(),
                "remove the principal: this kind of policy applies to whoever it is attached to",
            );
        }
        Some(pb) => {
            if pb.negated && (is_allow || kind == PolicyKind::Trust) {
                push(
                    3,
                    pb.key_span,
                    SYNTAX.into(),
                    "`NotPrincipal` may be used only with \"Effect\": \"Deny\", and never in a trust policy",
                );
            }
            if kind == PolicyKind::Rcp && (pb.negated || !matches!(pb.principals, PrincipalSet::Wildcard)) {
                push(3, pb.span, SYNTAX.into(), "an RCP's principal must be exactly \"*\"");
            }
            if let PrincipalSet::Map(m) = &pb.principals {
                for (_, values) in m {
                    for v in values {
                        if v.value.contains('*') && v.value != "*" {
                            push(
                                3,
                                v.span,
                                SYNTAX.into(),
                                "a principal may be \"*\" as a whole value only; partial wildcards are not allowed",
                            );
                        }
                    }
                }
            }
        }
        None if matches!(kind, PolicyKind::Resource | PolicyKind::Trust | PolicyKind::Rcp) => {
            push(
                19,
                st.span,
                "Missing required field Principal".into(),
                "add a `Principal` element naming who the statement applies to",
            );
        }
        None => {}
    }
    if kind == PolicyKind::Rcp && is_allow {
        push(
            3,
            st.effect.span,
            SYNTAX.into(),
            "customer RCPs may only deny; the AWS-managed RCPFullAWSAccess provides the allow",
        );
    }
    // Action (V10, V14 rows 9, 16–18, 21).
    match &st.action {
        None => {
            push(9, st.span, "Policy statement must contain actions.".into(), "add an `Action` or `NotAction` element")
        }
        Some(a) => {
            for e in &a.entries {
                check_action(&e.value, e.span, push);
                if kind == PolicyKind::Trust && (a.negated || !is_trust_action(&e.value)) {
                    push(
                        21,
                        e.span,
                        "AssumeRole policy may only specify STS AssumeRole actions.".into(),
                        "a trust policy may list only sts:AssumeRole, sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:TagSession, sts:SetSourceIdentity and sts:SetContext",
                    );
                }
            }
        }
    }
    // Resource (V11, V14 rows 10–15, 20).
    match (&st.resource, kind) {
        (Some(r), PolicyKind::Trust) => {
            let field = if r.negated { "NotResource" } else { "Resource" };
            push(
                20,
                r.key_span,
                format!("Has prohibited field {field}"),
                "a trust policy applies to its role: remove the resource element",
            );
        }
        (Some(r), _) => {
            for e in &r.entries {
                check_resource(&e.value, e.span, push);
            }
        }
        (None, PolicyKind::Trust) => {}
        (None, _) => push(
            10,
            st.span,
            "Policy statement must contain resources.".into(),
            "add a `Resource` or `NotResource` element",
        ),
    }
    // Conditions (V9, O5, O10).
    for c in &st.conditions {
        match c.parsed {
            Operator::Unknown => push(
                3,
                c.operator.span,
                SYNTAX.into(),
                "unknown condition operator: operator names are case-sensitive, e.g. `StringEquals`",
            ),
            op if op.is_malformed_null() => {
                push(3, c.operator.span, SYNTAX.into(), "`Null` takes neither a set prefix nor `IfExists`")
            }
            Operator::Known { base: BaseOperator::Null, .. } => {
                for v in &c.values {
                    if !v.value.eq_ignore_ascii_case("true") && !v.value.eq_ignore_ascii_case("false") {
                        push(3, v.span, SYNTAX.into(), "a `Null` condition value must be true or false");
                    }
                }
            }
            Operator::Known { base, .. } if base.family() == OperatorFamily::Date => {
                for v in &c.values {
                    if Instant::parse(&v.value).is_none() {
                        push(
                            6,
                            v.span,
                            "The policy failed legacy parsing".into(),
                            "a date is epoch seconds or ISO 8601, e.g. 2024-01-31T23:59:59Z",
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

fn is_trust_action(a: &str) -> bool {
    [
        "*",
        "sts:*",
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
    ]
    .iter()
    .any(|t| a.eq_ignore_ascii_case(t))
}

fn check_action(a: &str, span: Span, push: &mut impl FnMut(u8, Span, String, &'static str)) {
    if a == "*" {
        return;
    }
    let colons = a.matches(':').count();
    if colons == 0 {
        push(
            16,
            span,
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.".into(),
            "write actions as `service:ActionName`, e.g. `sagemaker:CreateTrainingJob`",
        );
        return;
    }
    if colons > 1 {
        push(17, span, "Actions/Condition can contain only one colon.".into(), "write actions as `service:ActionName`");
        return;
    }
    let prefix = a.split(':').next().unwrap_or_default();
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'*' | b'?'))
    {
        push(
            18,
            span,
            format!("Vendor {prefix} is not valid"),
            "a service prefix contains only letters, digits, `.` and `-`",
        );
    }
}

const IAM_TYPES: [&str; 13] = [
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
];

fn check_resource(r: &str, span: Span, push: &mut impl FnMut(u8, Span, String, &'static str)) {
    if r == "*" {
        return;
    }
    let not_arn = || format!("Resource {r} must be in ARN format or \"*\".");
    const ARN_HELP: &str = "write an ARN, `arn:partition:service:region:account-id:resource`, or \"*\"";
    if !r.contains(':') || !r.starts_with("arn:") {
        push(11, span, not_arn(), ARN_HELP);
        return;
    }
    let comps: Vec<&str> = r.splitn(6, ':').collect();
    let padded = comps.len() < 6;
    if padded && !r.ends_with('*') {
        push(11, span, not_arn(), ARN_HELP); // R7/R8
        return;
    }
    let get = |i: usize| comps.get(i).copied();
    let (partition, service, region, account, rest) = (get(1), get(2), get(3), get(4), get(5));
    let shown = |c: Option<&str>| c.unwrap_or("*").to_string();
    let mut has_11_15 = false;
    if let Some(p) = partition {
        if !KNOWN_PARTITIONS.contains(&p) {
            has_11_15 = true;
            push(
                12,
                span,
                format!(
                    "Partition \"{p}\" is not valid for resource \"arn:{p}:{}:{}:{}:{}\".",
                    shown(service),
                    shown(region),
                    shown(account),
                    shown(rest)
                ),
                "known partitions: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc",
            );
        }
    }
    let service_text = service.unwrap_or_default();
    if service.is_none() || service_text.contains(['*', '?']) {
        has_11_15 = true;
        push(
            13,
            span,
            "Resource vendor must be fully qualified and cannot contain regexes.".into(),
            "the service part of a resource ARN must be literal, e.g. `sagemaker`",
        );
    }
    let region_text = region.unwrap_or_default();
    if service_text == "iam" && !region_text.is_empty() {
        has_11_15 = true;
        push(
            14,
            span,
            format!("IAM resource {r} cannot contain region information."),
            "IAM is global: leave the region empty, `arn:aws:iam::123456789012:role/R`",
        );
    }
    if service_text == "s3" && !region_text.is_empty() {
        has_11_15 = true;
        push(
            14,
            span,
            format!("Resource {r} can not contain region information."),
            "S3 bucket and object ARNs have no region: `arn:aws:s3:::bucket/key`",
        );
    }
    if service_text == "iam" {
        let rest = rest.unwrap_or("*");
        if rest != "*" && !IAM_TYPES.iter().any(|t| rest.starts_with(t)) {
            has_11_15 = true;
            push(
                15,
                span,
                "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.".into(),
                "name an IAM resource type, e.g. `role/MyRole`",
            );
        }
    }
    if !has_11_15 && ((r.contains("::") && r.matches(':').count() < 5) || service == Some("")) {
        push(6, span, "The policy failed legacy parsing".into(), ARN_HELP);
    }
}

/// Keys known to be single-valued (M1, M6) and multivalued (M1, M2).
fn key_is_single_valued(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["aws:resourcetag/", "aws:requesttag/", "aws:principaltag/", "sagemaker:resourcetag/"]
        .iter()
        .any(|p| k.starts_with(p))
        || [
            "aws:username",
            "aws:userid",
            "aws:principalarn",
            "aws:principalaccount",
            "aws:principaltype",
            "aws:sourceip",
            "aws:sourcevpc",
            "aws:sourcevpce",
            "aws:requestedregion",
            "aws:currenttime",
            "aws:epochtime",
            "aws:securetransport",
            "aws:principalorgid",
            "aws:resourceaccount",
            "aws:sourcearn",
            "aws:sourceaccount",
            "iam:passedtoservice",
        ]
        .contains(&k.as_str())
}

fn key_is_multivalued(key: &str) -> bool {
    [
        "aws:tagkeys",
        "aws:calledvia",
        "aws:principalorgpaths",
        "aws:resourceorgpaths",
        "aws:principalservicenameslist",
        "sagemaker:instancetypes",
        "sagemaker:vpcsubnets",
        "sagemaker:vpcsecuritygroupids",
    ]
    .contains(&key.to_ascii_lowercase().as_str())
}

fn lint(p: &Policy, kind: PolicyKind, out: &mut Vec<Diagnostic>) {
    let warn = |code: &'static str, rule: &'static str, message: String, span: Span, help: &str| Diagnostic {
        severity: Severity::Warning,
        code,
        message,
        rule,
        row: None,
        span: Some(span),
        position: Some(line_column(&p.source, span.start)),
        help: Some(help.to_string()),
    };
    let vars = p.version.value.substitutes_variables();
    if let (Some(id), PolicyKind::Identity | PolicyKind::Managed) = (&p.id, kind) {
        out.push(warn(
            "id-in-identity-policy",
            "V7",
            "`Id` has no effect in an identity policy".into(),
            id.span,
            "remove `Id`; use `Sid` to name statements",
        ));
    }
    let has_var = |s: &str| s.contains("${");
    for st in &p.statements {
        if let Some(a) = &st.action {
            for e in &a.entries {
                let prefix = e.value.split(':').next().unwrap_or_default();
                if e.value.contains(':') && prefix.contains(['*', '?']) {
                    out.push(warn(
                        "wildcard-service-prefix",
                        "A4",
                        format!("`{}` has a wildcard in its service prefix and matches nothing", e.value),
                        e.span,
                        "spell the service prefix out, e.g. `sagemaker:Describe*`",
                    ));
                }
                if has_var(&e.value) {
                    out.push(warn(
                        "variable-not-substituted",
                        "PV2",
                        format!("`{}`: variables are not substituted in actions", e.value),
                        e.span,
                        "policy variables work only in resources and String/ARN condition values",
                    ));
                }
            }
        }
        if let Some(r) = &st.resource {
            for e in &r.entries {
                if let Some(crate::arn::Arn { resource, .. }) = crate::arn::Arn::parse(&e.value) {
                    if let Some(i) = resource.find(['/', ':']) {
                        let prefix = resource.get(..i).unwrap_or_default();
                        if prefix != "*" && prefix.contains(['*', '?']) {
                            out.push(warn(
                                "wildcard-resource-type",
                                "R6",
                                format!("`{}` has a wildcard in its resource type and matches nothing", e.value),
                                e.span,
                                "spell the resource type out, e.g. `notebook-instance/*`",
                            ));
                        }
                    }
                }
                if has_var(&e.value) && !vars {
                    out.push(warn(
                        "variable-not-substituted",
                        "PV3",
                        format!("`{}`: variables are substituted only under Version 2012-10-17", e.value),
                        e.span,
                        "add \"Version\": \"2012-10-17\"",
                    ));
                }
            }
        }
        if let Some(pb) = &st.principal {
            if let PrincipalSet::Map(m) = &pb.principals {
                for v in m.iter().flat_map(|(_, vs)| vs) {
                    if has_var(&v.value) {
                        out.push(warn(
                            "variable-not-substituted",
                            "PV2",
                            format!("`{}`: variables are not substituted in principals", v.value),
                            v.span,
                            "policy variables work only in resources and String/ARN condition values",
                        ));
                    }
                }
            }
        }
        for c in &st.conditions {
            let Operator::Known { set, base, .. } = c.parsed else {
                continue;
            };
            if has_var(&c.key.value) {
                out.push(warn(
                    "variable-not-substituted",
                    "PV2",
                    format!("`{}`: variables are not substituted in condition keys", c.key.value),
                    c.key.span,
                    "name the key literally",
                ));
            }
            if set != SetOperator::None && base != BaseOperator::Null && key_is_single_valued(&c.key.value) {
                out.push(warn(
                    "set-operator-on-single-valued-key",
                    "M6",
                    format!(
                        "`{}` is single-valued: `{}` treats it as a one-element list",
                        c.key.value, c.operator.value
                    ),
                    c.operator.span,
                    "drop the ForAllValues:/ForAnyValue: prefix",
                ));
            }
            if set == SetOperator::None && base != BaseOperator::Null && key_is_multivalued(&c.key.value) {
                out.push(warn(
                    "plain-operator-on-multivalued-key",
                    "M2",
                    format!(
                        "`{}` is multivalued: `{}` without ForAllValues:/ForAnyValue: never matches it",
                        c.key.value, c.operator.value
                    ),
                    c.operator.span,
                    "add ForAllValues: or ForAnyValue:",
                ));
            }
            let family = base.family();
            for v in &c.values {
                let bad = match family {
                    OperatorFamily::Numeric => Decimal::parse(&v.value).is_none(),
                    OperatorFamily::Bool => {
                        !v.value.eq_ignore_ascii_case("true") && !v.value.eq_ignore_ascii_case("false")
                    }
                    OperatorFamily::Ip => IpNet::parse(&v.value).is_none(),
                    OperatorFamily::Binary => crate::condition::base64_decode(&v.value).is_none(),
                    OperatorFamily::Arn => v.value.splitn(6, ':').count() < 6,
                    _ => false,
                };
                if bad {
                    out.push(warn(
                        "invalid-condition-value",
                        "V16",
                        format!("`{}` is not a valid value for `{}` and never matches", v.value, c.operator.value),
                        v.span,
                        "check the value's format for this operator",
                    ));
                }
                let substitutes = vars && matches!(family, OperatorFamily::String | OperatorFamily::Arn);
                if has_var(&v.value) && !substitutes {
                    out.push(warn(
                        "variable-not-substituted",
                        if vars { "PV2" } else { "PV3" },
                        format!("`{}`: variables are not substituted here", v.value),
                        v.span,
                        "variables work only in String and ARN condition values, under Version 2012-10-17",
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str, kind: PolicyKind) -> Option<(u8, String)> {
        validate(text, kind).error.map(|d| (d.row.unwrap_or(0), d.message))
    }

    #[test]
    fn first_error_in_table_order() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Sid":"a-b","Effect":"allow","Action":"s3GetObject"}]}"#;
        assert_eq!(err(p, PolicyKind::Identity).unwrap().0, 6);
        let p = r#"{"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*"}}"#;
        assert_eq!(err(p, PolicyKind::Managed).unwrap().0, 5);
        assert!(err(p, PolicyKind::Identity).is_none());
    }

    #[test]
    fn trust_policy_rules() {
        let ok = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}}"#;
        assert!(err(ok, PolicyKind::Trust).is_none());
        let bad = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}}"#;
        assert_eq!(err(bad, PolicyKind::Trust).unwrap().0, 21);
        assert_eq!(err("{", PolicyKind::Trust).unwrap().1, "This policy contains invalid Json");
        assert_eq!(err("{", PolicyKind::Identity).unwrap().1, "Syntax errors in policy.");
    }

    #[test]
    fn resource_rows() {
        let with = |r: &str| format!(r#"{{"Statement":{{"Effect":"Allow","Action":"a:b","Resource":"{r}"}}}}"#);
        assert_eq!(err(&with("notanarn"), PolicyKind::Identity).unwrap().0, 11);
        assert_eq!(
            err(&with("arn:foo:s3:::b"), PolicyKind::Identity).unwrap().1,
            "Partition \"foo\" is not valid for resource \"arn:foo:s3:::b\"."
        );
        assert_eq!(err(&with("arn:aws:sage*:*:*:*"), PolicyKind::Identity).unwrap().0, 13);
        assert_eq!(err(&with("arn:aws:iam:us-east-1:1:role/x"), PolicyKind::Identity).unwrap().0, 14);
        assert_eq!(err(&with("arn:aws:iam::1:thing/x"), PolicyKind::Identity).unwrap().0, 15);
        assert_eq!(err(&with("arn:aws::*"), PolicyKind::Identity).unwrap().0, 6);
        assert!(err(&with("arn:aws:sagemaker:*"), PolicyKind::Identity).is_none());
    }
}
