//! botocore wire models for SageMaker, IAM and STS: operations and the shapes reachable from
//! their inputs (members, types, required flags, list/map nesting, enums, patterns, bounds),
//! parsed on first use from the embedded `botocore/<service>.json`.

use serde::Deserialize;

/// A service's wire model.
#[derive(Debug, Deserialize)]
pub struct ApiModel {
    /// The service prefix, e.g. `sagemaker`.
    pub service: &'static str,
    pub metadata: ApiMetadata,
    /// Operations sorted by name.
    pub operations: Vec<Operation>,
    /// Every shape reachable from an operation input, sorted by name.
    pub shapes: Vec<Shape>,
}

/// The model's service metadata.
#[derive(Debug, Deserialize)]
pub struct ApiMetadata {
    #[serde(rename = "apiVersion")]
    pub api_version: &'static str,
    /// `json` (SageMaker) or `query` (IAM, STS).
    pub protocol: &'static str,
    #[serde(rename = "jsonVersion", default)]
    pub json_version: Option<&'static str>,
    /// `SageMaker`: the wire target is `X-Amz-Target: SageMaker.<Operation>`.
    #[serde(rename = "targetPrefix", default)]
    pub target_prefix: Option<&'static str>,
    /// SigV4 signing name when it differs from the endpoint prefix.
    #[serde(rename = "signingName", default)]
    pub signing_name: Option<&'static str>,
    #[serde(rename = "endpointPrefix")]
    pub endpoint_prefix: &'static str,
    #[serde(rename = "serviceId")]
    pub service_id: &'static str,
}

/// An API operation.
#[derive(Debug, Deserialize)]
pub struct Operation {
    /// e.g. `CreateTrainingJob`.
    pub name: &'static str,
    #[serde(rename = "method")]
    pub http_method: &'static str,
    #[serde(rename = "uri")]
    pub request_uri: &'static str,
    /// Name of the input shape, if the operation takes one.
    #[serde(default)]
    pub input: Option<&'static str>,
}

/// A shape's wire type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeKind {
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Float,
    Double,
    Boolean,
    Timestamp,
    Blob,
}

/// A shape of the wire model.
#[derive(Debug, Deserialize)]
pub struct Shape {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: ShapeKind,
    /// Structure members, in declaration order.
    #[serde(default)]
    pub members: Vec<Member>,
    /// List element shape.
    #[serde(rename = "member", default)]
    pub list_member: Option<&'static str>,
    /// Map key shape.
    #[serde(rename = "key", default)]
    pub map_key: Option<&'static str>,
    /// Map value shape.
    #[serde(rename = "value", default)]
    pub map_value: Option<&'static str>,
    /// Allowed string values (empty = unrestricted).
    #[serde(rename = "enum", default)]
    pub enum_values: Vec<String>,
    /// Regular expression a string must match (as botocore gives it).
    #[serde(default)]
    pub pattern: Option<String>,
    /// Minimum length (strings, lists, maps) or value (numbers).
    #[serde(default)]
    pub min: Option<f64>,
    /// Maximum length or value.
    #[serde(default)]
    pub max: Option<f64>,
    /// A structure of which exactly one member may be set.
    #[serde(default)]
    pub union: bool,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(rename = "timestampFormat", default)]
    pub timestamp_format: Option<&'static str>,
}

/// A structure member.
#[derive(Debug, Deserialize)]
pub struct Member {
    pub name: &'static str,
    /// The member's shape name.
    pub shape: &'static str,
    #[serde(default)]
    pub required: bool,
    #[serde(rename = "idempotencyToken", default)]
    pub idempotency_token: bool,
    #[serde(default)]
    pub deprecated: bool,
    /// A string member that carries a JSON document.
    #[serde(rename = "jsonvalue", default)]
    pub json_value: bool,
    #[serde(default)]
    pub location: Option<&'static str>,
    #[serde(rename = "locationName", default)]
    pub location_name: Option<&'static str>,
}

impl Shape {
    /// A structure member by exact name.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The names of the required members.
    pub fn required_members(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.members.iter().filter(|m| m.required).map(|m| m.name)
    }
}

impl ApiModel {
    pub(crate) fn parse(json: &'static str) -> Result<ApiModel, String> {
        let model: ApiModel = serde_json::from_str(json).map_err(|e| format!("botocore model: {e}"))?;
        let sorted_ops = model.operations.windows(2).all(|w| matches!(w, [a, b] if a.name < b.name));
        let sorted_shapes = model.shapes.windows(2).all(|w| matches!(w, [a, b] if a.name < b.name));
        if !sorted_ops || !sorted_shapes {
            return Err(format!("botocore model {}: operations or shapes are not sorted", model.service));
        }
        Ok(model)
    }

    /// An operation by name: exact first, then case-insensitive.
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        match self.operations.binary_search_by(|o| o.name.cmp(name)) {
            Ok(i) => self.operations.get(i),
            Err(_) => self.operations.iter().find(|o| o.name.eq_ignore_ascii_case(name)),
        }
    }

    /// A shape by exact name.
    pub fn shape(&self, name: &str) -> Option<&Shape> {
        self.shapes.binary_search_by(|s| s.name.cmp(name)).ok().and_then(|i| self.shapes.get(i))
    }

    /// The input shape of an operation.
    pub fn input(&self, operation: &Operation) -> Option<&Shape> {
        operation.input.and_then(|name| self.shape(name))
    }

    /// The shape at a request field path of an operation's input, in the spec's wire-model
    /// notation: members separated by `.`, and `[]` after a list member for "every element"
    /// (`VpcConfig.Subnets[]`, `TrainingJobDefinitions[].RoleArn`). A map member followed by
    /// `{}` steps into its values. An empty path is the input shape itself.
    pub fn shape_at(&self, operation: &str, path: &str) -> Option<&Shape> {
        let mut shape = self.input(self.operation(operation)?)?;
        if path.is_empty() {
            return Some(shape);
        }
        for segment in path.split('.') {
            let mut name = segment;
            let mut steps: Vec<char> = Vec::new();
            loop {
                if let Some(rest) = name.strip_suffix("[]") {
                    steps.push('[');
                    name = rest;
                } else if let Some(rest) = name.strip_suffix("{}") {
                    steps.push('{');
                    name = rest;
                } else {
                    break;
                }
            }
            let member = shape.member(name)?;
            shape = self.shape(member.shape)?;
            for step in steps.iter().rev() {
                shape = match (step, shape.kind) {
                    ('[', ShapeKind::List) => self.shape(shape.list_member?)?,
                    ('{', ShapeKind::Map) => self.shape(shape.map_value?)?,
                    _ => return None,
                };
            }
        }
        Some(shape)
    }
}
