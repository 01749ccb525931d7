//! How emulated SageMaker resources are stored, and the planner's view of them (`State`, R8).
//!
//! Every resource is one record of kind `sagemaker`, keyed by `<region>:<resource part of its ARN>`
//! lower-cased, so names are unique case-insensitively (§5.2) and a resource is found from its ARN.

use std::cell::RefCell;
use std::sync::Arc;

use sagegate_sagemaker::arns::ResourceFacts;
use sagegate_sagemaker::{State, StoredModelPackage};
use sagegate_store::{StoreError, Tx, TxExt};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::families::Family;

pub const KIND: &str = "sagemaker";
/// Presigned URL tokens (notebook and domain URLs).
pub const PRESIGNED: &str = "sagemaker-presigned";

/// One emulated resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resource {
    /// The ARN resource type (`training-job`).
    pub ty: String,
    /// The name as the caller spelled it.
    pub name: String,
    pub arn: String,
    pub created: i64,
    pub modified: i64,
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    /// The members Describe returns besides the computed ones (status, times, ARN).
    pub doc: Map<String, Value>,
    /// Status history: (time it takes effect, status). The current status is the last one not in the future.
    #[serde(default)]
    pub timeline: Vec<(i64, String)>,
}

impl Resource {
    /// A resource created at `now`, in the first status of its family's lifecycle, which then moves one
    /// status every `step` seconds.
    pub fn new(
        f: &Family,
        name: String,
        arn: String,
        tags: Vec<(String, String)>,
        doc: Map<String, Value>,
        now: i64,
        step: i64,
    ) -> Resource {
        let mut r =
            Resource { ty: f.ty.to_string(), name, arn, created: now, modified: now, tags, doc, timeline: Vec::new() };
        if let Some(lc) = &f.lifecycle {
            r.schedule(now, step, lc.create);
        }
        r
    }

    /// The status at `now`.
    pub fn status(&self, now: i64) -> Option<&str> {
        self.timeline.iter().rev().find(|(t, _)| *t <= now).or(self.timeline.first()).map(|(_, s)| s.as_str())
    }

    /// When the status last changed, at `now`.
    pub fn status_since(&self, now: i64) -> i64 {
        self.timeline.iter().rev().find(|(t, _)| *t <= now).map_or(self.created, |(t, _)| *t)
    }

    /// Replaces the future of the timeline with `steps`, one every `step` seconds from `now`.
    pub fn schedule(&mut self, now: i64, step: i64, steps: &[&str]) {
        self.timeline.retain(|(t, _)| *t <= now);
        for (i, s) in steps.iter().enumerate() {
            self.timeline.push((now.saturating_add(step.saturating_mul(i as i64)), (*s).to_string()));
        }
        self.modified = now;
    }

    pub fn get(&self, member: &str) -> Option<&Value> {
        self.doc.get(member)
    }

    pub fn str(&self, member: &str) -> Option<&str> {
        self.doc.get(member).and_then(Value::as_str)
    }
}

/// The store key of a resource ARN: `<region>:<resource part>`, lower-cased.
pub fn key_of_arn(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        [_, _, "sagemaker", region, _, resource] => Some(format!("{region}:{}", resource.to_lowercase())),
        _ => None,
    }
}

/// The key prefix of a resource type in a region (for listing).
pub fn type_prefix(region: &str, ty: &str) -> String {
    format!("{region}:{ty}/")
}

pub fn load(tx: &mut dyn Tx, arn: &str) -> Result<Option<Resource>, StoreError> {
    match key_of_arn(arn) {
        Some(k) => tx.get_as::<Resource>(KIND, &k),
        None => Ok(None),
    }
}

pub fn save(tx: &mut dyn Tx, r: &Resource) -> Result<(), StoreError> {
    let key = key_of_arn(&r.arn).ok_or_else(|| StoreError::Invalid(format!("not a SageMaker ARN: {}", r.arn)))?;
    tx.put_as(KIND, &key, r)
}

/// Every resource whose key starts with `prefix`, in key order.
pub fn list_all(tx: &mut dyn Tx, prefix: &str) -> Result<Vec<Resource>, StoreError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = tx.list(KIND, prefix, after.as_deref(), 1000)?;
        let done = page.len() < 1000;
        for (k, v) in page {
            out.push(serde_json::from_value(v).map_err(|e| StoreError::Corrupt(format!("{KIND}/{k}: {e}")))?);
            after = Some(k);
        }
        if done {
            return Ok(out);
        }
    }
}

/// Resources read in a transaction, by store key.
pub type Reads = Vec<(String, Arc<Resource>)>;

/// The planner's view of the store, read inside the call's transaction. `State` reads cannot fail, so
/// the first storage error is kept and the caller checks [`TxState::error`] after planning.
pub struct TxState<'a> {
    pub tx: RefCell<&'a mut dyn Tx>,
    pub domain_id: Option<String>,
    /// The call's region: spaces are found under it.
    pub region: String,
    error: RefCell<Option<StoreError>>,
    /// The resources read, kept when the call may fill the read cache (`cache.rs`).
    reads: Option<RefCell<Reads>>,
}

impl<'a> TxState<'a> {
    pub fn new(tx: &'a mut dyn Tx, region: &str, domain_id: Option<String>) -> Self {
        TxState { tx: RefCell::new(tx), domain_id, region: region.to_string(), error: RefCell::new(None), reads: None }
    }

    /// Keeps every resource read, for [`TxState::take_reads`].
    pub fn logging_reads(mut self) -> Self {
        self.reads = Some(RefCell::new(Vec::new()));
        self
    }

    /// The resources read so far, by store key (empty unless [`TxState::logging_reads`]).
    pub fn take_reads(&self) -> Reads {
        self.reads.as_ref().map(|r| r.take()).unwrap_or_default()
    }

    pub fn error(&self) -> Option<StoreError> {
        self.error.borrow().clone()
    }

    /// Remembers the first storage error; the read answers "none".
    fn keep<T>(&self, e: StoreError) -> Option<T> {
        if let Ok(mut slot) = self.error.try_borrow_mut() {
            slot.get_or_insert(e);
        }
        None
    }

    fn read_key(&self, key: &str) -> Option<Arc<Resource>> {
        let Ok(mut tx) = self.tx.try_borrow_mut() else { return None };
        match tx.get_as::<Resource>(KIND, key) {
            Ok(r) => {
                let r = Arc::new(r?);
                if let Some(log) = &self.reads {
                    log.borrow_mut().push((key.to_string(), r.clone()));
                }
                Some(r)
            }
            Err(e) => self.keep(e),
        }
    }
}

impl ResourceFacts for TxState<'_> {
    fn next_model_package_version(&self, _group_arn: &str) -> u64 {
        1
    }

    fn generated_domain_id(&self) -> Option<String> {
        self.domain_id.clone()
    }
}

impl State for TxState<'_> {
    fn tags(&self, arn: &str) -> Option<Vec<(String, String)>> {
        self.read_key(&key_of_arn(arn)?).map(|r| r.tags.clone())
    }

    fn space(&self, domain_id: &str, space_name: &str) -> Option<(Option<String>, String)> {
        self.read_key(&space_key(&self.region, domain_id, space_name)).map(|r| space_facts(&r))
    }

    fn model_package(&self, _arn: &str) -> Option<StoredModelPackage> {
        None
    }
}

/// The store key of a space.
pub fn space_key(region: &str, domain_id: &str, space_name: &str) -> String {
    format!("{region}:space/{domain_id}/{space_name}").to_lowercase()
}

/// (owner profile, sharing type) of a stored space.
pub fn space_facts(r: &Resource) -> (Option<String>, String) {
    let owner = r.get("OwnershipSettings").and_then(|o| o.get("OwnerUserProfileName")).and_then(Value::as_str);
    let sharing =
        r.get("SpaceSharingSettings").and_then(|o| o.get("SharingType")).and_then(Value::as_str).unwrap_or("Shared");
    (owner.map(str::to_string), sharing.to_string())
}
