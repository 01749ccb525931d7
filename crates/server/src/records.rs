//! The records the server keeps in the store, one `kind` each: what IAM and STS state looks like at rest.

use serde::{Deserialize, Serialize};

pub const ACCOUNT: &str = "account";
pub const USER: &str = "user";
pub const ROLE: &str = "role";
pub const GROUP: &str = "group";
pub const POLICY: &str = "policy";
pub const ACCESS_KEY: &str = "access-key";
pub const SESSION: &str = "session";
pub const OIDC_PROVIDER: &str = "oidc-provider";
pub const SAML_PROVIDER: &str = "saml-provider";
pub const SLR_DELETION: &str = "slr-deletion";
pub const SESSION_FEDERATION: &str = "session-federation";

/// The emulated account and its root credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountRec {
    pub id: String,
    pub root_access_key_id: String,
    pub root_secret: String,
    pub created: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// An inline policy: name and document text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub name: String,
    pub document: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserRec {
    pub name: String,
    pub path: String,
    pub id: String,
    pub arn: String,
    pub created: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub boundary: Option<String>,
    #[serde(default)]
    pub inline: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupRec {
    pub name: String,
    pub path: String,
    pub id: String,
    pub arn: String,
    pub created: i64,
    #[serde(default)]
    pub inline: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleRec {
    pub name: String,
    pub path: String,
    pub id: String,
    pub arn: String,
    pub created: i64,
    pub trust_policy: String,
    #[serde(default)]
    pub description: Option<String>,
    pub max_session_duration: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub boundary: Option<String>,
    #[serde(default)]
    pub inline: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub id: String,
    pub document: String,
    pub created: i64,
}

/// A customer managed policy (AWS managed ones come from the catalog).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyRec {
    pub name: String,
    pub path: String,
    pub id: String,
    pub arn: String,
    pub created: i64,
    #[serde(default)]
    pub description: Option<String>,
    pub default_version: String,
    pub versions: Vec<PolicyVersion>,
    /// The next version number to hand out (`v<n>`).
    pub next_version: u32,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessKeyRec {
    pub id: String,
    pub secret: String,
    pub user: String,
    /// `Active` or `Inactive`.
    pub status: String,
    pub created: i64,
}

/// Temporary credentials issued by STS.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRec {
    pub access_key_id: String,
    pub secret: String,
    pub token: String,
    pub expires: i64,
    pub issued: i64,
    /// The principal's ARN (`assumed-role/…`, `federated-user/…`, or the user for GetSessionToken).
    pub arn: String,
    /// For role sessions: the role's name; for federated users and GetSessionToken: the IAM user.
    pub source: String,
    /// `role`, `federated` or `user`.
    pub kind: String,
    #[serde(default)]
    pub session_policies: Vec<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub transitive_tag_keys: Vec<String>,
    #[serde(default)]
    pub source_identity: Option<String>,
    #[serde(default)]
    pub mfa: bool,
    /// Studio session context (`sagemaker:DomainId`, `sagemaker:UserProfileName`).
    #[serde(default)]
    pub studio: Option<(String, Option<String>, Option<String>)>,
}

/// What a web-identity or SAML role session keeps for its later requests (`aws:FederatedProvider`,
/// `<provider>:sub`, `saml:sub`, …), stored beside its `SessionRec` under the same access key id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FederationRec {
    pub access_key_id: String,
    pub context: Vec<ContextEntry>,
}

/// One condition key and its value(s), as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContextEntry {
    pub key: String,
    pub values: Vec<String>,
    /// A multivalued key (a list even with one value).
    #[serde(default)]
    pub multi: bool,
}

/// An IAM OpenID Connect provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcProviderRec {
    pub arn: String,
    /// The URL without `https://`, as IAM returns it and as the condition keys name the provider
    /// (`token.actions.githubusercontent.com`).
    pub url: String,
    pub client_ids: Vec<String>,
    pub thumbprints: Vec<String>,
    pub created: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// An IAM SAML provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SamlProviderRec {
    pub arn: String,
    pub name: String,
    pub metadata: String,
    /// The IdP's `entityID` from the metadata: the issuer its assertions must name.
    pub entity_id: String,
    pub uuid: String,
    pub created: i64,
    pub valid_until: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// A DeleteServiceLinkedRole task (`task/aws-service-role/<service>/<role>/<uuid>`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlrDeletionRec {
    pub id: String,
    pub role_arn: String,
    /// `SUCCEEDED`, `IN_PROGRESS`, `FAILED` or `NOT_STARTED`.
    pub status: String,
    pub created: i64,
}
