//! A process-local read cache of SageMaker resources, so that a Describe call is planned, authorized and
//! answered without a store transaction or a trip to the blocking pool.
//!
//! Architecture invariant: the cache never serves a resource older than the last write this process
//! committed, and serves another process's write within one poll of the store's change counter.
//! - Every SageMaker call that may write invalidates the cache after its transaction ends
//!   ([`super::authorized`]); the directory refresh invalidates it whenever the store's change counter
//!   has moved (writes by other processes, and this process's IAM writes).
//! - Entries are filled only by read-only calls, from reads made in a transaction that began after the
//!   epoch the filler saw; an invalidation in between bumps the epoch and the fill is dropped. So a fill
//!   can never put back a value that an invalidation already removed.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use sagegate_sagemaker::arns::ResourceFacts;
use sagegate_sagemaker::State;

use super::records::{key_of_arn, space_facts, space_key, Resource};

/// Entries kept before the cache starts over (a bound on memory, not a tuning knob).
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct ResourceCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    epoch: u64,
    by_key: HashMap<String, Arc<Resource>>,
}

impl ResourceCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The current epoch; take it before the transaction whose reads will [`fill`](Self::fill) the cache.
    pub fn epoch(&self) -> u64 {
        self.lock().epoch
    }

    /// The cached resource under a store key (`records::key_of_arn`).
    pub fn get(&self, key: &str) -> Option<Arc<Resource>> {
        self.lock().by_key.get(key).cloned()
    }

    /// Caches resources read in a transaction begun at `epoch`, unless the cache was invalidated since.
    pub fn fill(&self, epoch: u64, reads: Vec<(String, Arc<Resource>)>) {
        let mut inner = self.lock();
        if inner.epoch != epoch {
            return;
        }
        if inner.by_key.len() + reads.len() > MAX_ENTRIES {
            inner.by_key.clear();
        }
        inner.by_key.extend(reads);
    }

    /// Forgets everything; call after a write commits (or might have).
    pub fn invalidate(&self) {
        let mut inner = self.lock();
        inner.epoch = inner.epoch.wrapping_add(1);
        inner.by_key.clear();
    }
}

/// The planner's view of the cache: a read it cannot answer marks the plan as incomplete, and the call
/// then takes the transactional path, which reads the store (and fills the cache).
pub struct CacheState<'a> {
    pub cache: &'a ResourceCache,
    pub region: &'a str,
    missed: Cell<bool>,
}

impl<'a> CacheState<'a> {
    pub fn new(cache: &'a ResourceCache, region: &'a str) -> Self {
        CacheState { cache, region, missed: Cell::new(false) }
    }

    /// Whether some read was not in the cache (the plan may then be wrong; do not use it).
    pub fn missed(&self) -> bool {
        self.missed.get()
    }

    fn read(&self, key: Option<String>) -> Option<Arc<Resource>> {
        let r = key.and_then(|k| self.cache.get(&k));
        if r.is_none() {
            self.missed.set(true);
        }
        r
    }
}

impl ResourceFacts for CacheState<'_> {
    fn next_model_package_version(&self, _group_arn: &str) -> u64 {
        1
    }

    fn generated_domain_id(&self) -> Option<String> {
        None
    }
}

impl State for CacheState<'_> {
    fn tags(&self, arn: &str) -> Option<Vec<(String, String)>> {
        self.read(key_of_arn(arn)).map(|r| r.tags.clone())
    }

    fn space(&self, domain_id: &str, space_name: &str) -> Option<(Option<String>, String)> {
        self.read(Some(space_key(self.region, domain_id, space_name))).map(|r| space_facts(&r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(name: &str) -> Arc<Resource> {
        Arc::new(Resource {
            ty: "model".into(),
            name: name.into(),
            arn: format!("arn:aws:sagemaker:us-east-1:123456789012:model/{name}"),
            created: 0,
            modified: 0,
            tags: Vec::new(),
            doc: serde_json::Map::new(),
            timeline: Vec::new(),
        })
    }

    #[test]
    fn a_fill_from_before_an_invalidation_is_dropped() {
        let c = ResourceCache::default();
        let e = c.epoch();
        c.invalidate();
        c.fill(e, vec![("us-east-1:model/m".into(), res("m"))]);
        assert!(c.get("us-east-1:model/m").is_none());
        let e = c.epoch();
        c.fill(e, vec![("us-east-1:model/m".into(), res("m"))]);
        assert_eq!(c.get("us-east-1:model/m").map(|r| r.name.clone()).as_deref(), Some("m"));
        c.invalidate();
        assert!(c.get("us-east-1:model/m").is_none());
    }

    #[test]
    fn the_cache_is_bounded() {
        let c = ResourceCache::default();
        for i in 0..(MAX_ENTRIES + 5) {
            let e = c.epoch();
            c.fill(e, vec![(format!("k{i}"), res("m"))]);
        }
        assert!(c.lock().by_key.len() <= MAX_ENTRIES);
    }
}
