//! `sagegate serve`: SageMaker (AWS JSON 1.1), IAM and STS (awsQuery) on one listener, every call
//! authenticated with SigV4 and authorized by the policy engine.
//!
//! ```text
//! request ─▶ http::route (protocol, operation) ─▶ sigv4::verify (directory key lookup, O(1))
//!         ─▶ {iam, sts, sagemaker}::dispatch ─▶ Call::authorize (engine, compiled policies) ─▶ store
//! ```
//! Errors at any stage render in the routed protocol (error.rs). State lives in the store; the
//! directory (directory.rs) is its compiled in-memory snapshot, refreshed after every change.

pub mod call;
pub mod directory;
pub mod error;
pub mod http;
pub mod iam;
pub mod ids;
pub mod records;
pub mod sagemaker;
pub mod sts;
pub mod xml;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::routing::{any, get};
use axum::Router;
use sagegate_store::{Store, StoreError, Tx};

use crate::directory::Directory;
use crate::records::{AccountRec, ACCOUNT};

/// The largest request body accepted (8 MiB, documented in docs/compatibility.md); larger ones get
/// `RequestEntityTooLarge` (HTTP 413) in the routed protocol, before any of the body is parsed.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Server settings (`sagegate serve --help` documents each).
#[derive(Debug, Clone)]
pub struct Config {
    pub account_id: String,
    /// The default region, and the one region served besides those in `extra_regions`.
    pub region: String,
    pub extra_regions: Vec<String>,
    pub max_clock_skew: i64,
    /// Root credentials to create on first start (else random).
    pub root_access_key_id: Option<String>,
    pub root_secret_access_key: Option<String>,
    /// Test setting: seconds added to the server's clock (signature skew, session expiry, time keys).
    /// Lets a test see temporary credentials expire without waiting; 0 in normal use.
    pub clock_offset: i64,
    /// Log every request (a JSON line on stderr). Server faults (5xx but 501) are always logged.
    pub log_requests: bool,
    /// Seconds each step of a SageMaker resource's lifecycle lasts on the simulated clock.
    pub status_step_seconds: i64,
    /// Take the network origin from `X-Forwarded-For` and the `x-sagegate-source-vpc(e)` headers (tests,
    /// or a trusted proxy in front of sagegate).
    pub trust_forwarded_for: bool,
    /// The address served, for URLs that point back at sagegate when a request names no `Host`.
    pub listen: String,
    /// `iam.policies_per_role`: how many managed policies `AttachRolePolicy` lets one role have
    /// (IAM's `PoliciesPerRole` quota: 10 by default, raised to at most 20 through Service Quotas).
    pub policies_per_role: usize,
}

impl Config {
    pub fn regions(&self) -> Vec<String> {
        let mut r = vec![self.region.clone()];
        r.extend(self.extra_regions.iter().cloned());
        r
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            extra_regions: Vec::new(),
            max_clock_skew: 900,
            root_access_key_id: None,
            root_secret_access_key: None,
            clock_offset: 0,
            log_requests: false,
            status_step_seconds: 5,
            trust_forwarded_for: false,
            listen: "127.0.0.1:5056".into(),
            policies_per_role: 10,
        }
    }
}

/// Counters and a latency histogram for `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub errors: AtomicU64,
    pub denied: AtomicU64,
    pub decisions: AtomicU64,
    /// Latency buckets (upper bounds in microseconds: 100, 250, 500, 1000, 2500, 5000, 10000, +Inf).
    pub latency: [AtomicU64; 8],
    pub latency_sum_us: AtomicU64,
    /// Directory reloads (after writes, ours or another process's) and the time they took.
    pub reloads: AtomicU64,
    pub reload_sum_us: AtomicU64,
    /// Reloads that failed (the previous snapshot stays in place; the poller tries again).
    pub reload_errors: AtomicU64,
}

const LATENCY_BOUNDS_US: [u64; 7] = [100, 250, 500, 1000, 2500, 5000, 10000];

impl Metrics {
    pub fn record_latency(&self, d: Duration) {
        let us = d.as_micros() as u64;
        self.latency_sum_us.fetch_add(us, Ordering::Relaxed);
        let i = LATENCY_BOUNDS_US.iter().position(|b| us <= *b).unwrap_or(LATENCY_BOUNDS_US.len());
        if let Some(b) = self.latency.get(i) {
            b.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn reloaded(&self, d: Duration) {
        self.reloads.fetch_add(1, Ordering::Relaxed);
        self.reload_sum_us.fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut s = String::new();
        s.push_str("# HELP sagegate_requests_total API requests received.\n# TYPE sagegate_requests_total counter\n");
        s.push_str(&format!("sagegate_requests_total {}\n", g(&self.requests)));
        s.push_str(
            "# HELP sagegate_errors_total API requests answered with an error.\n# TYPE sagegate_errors_total counter\n",
        );
        s.push_str(&format!("sagegate_errors_total {}\n", g(&self.errors)));
        s.push_str("# HELP sagegate_access_denied_total Requests denied by authorization.\n# TYPE sagegate_access_denied_total counter\n");
        s.push_str(&format!("sagegate_access_denied_total {}\n", g(&self.denied)));
        s.push_str(
            "# HELP sagegate_decisions_total Policy decisions evaluated.\n# TYPE sagegate_decisions_total counter\n",
        );
        s.push_str(&format!("sagegate_decisions_total {}\n", g(&self.decisions)));
        s.push_str("# HELP sagegate_request_duration_seconds Request latency.\n# TYPE sagegate_request_duration_seconds histogram\n");
        let mut cumulative = 0;
        for (i, b) in self.latency.iter().enumerate() {
            cumulative += g(b);
            let le = LATENCY_BOUNDS_US.get(i).map_or("+Inf".to_string(), |us| format!("{}", *us as f64 / 1e6));
            s.push_str(&format!("sagegate_request_duration_seconds_bucket{{le=\"{le}\"}} {cumulative}\n"));
        }
        s.push_str(&format!("sagegate_request_duration_seconds_sum {}\n", g(&self.latency_sum_us) as f64 / 1e6));
        s.push_str(&format!("sagegate_request_duration_seconds_count {cumulative}\n"));
        s.push_str("# HELP sagegate_directory_reloads_total Reloads of the in-memory directory from the store.\n# TYPE sagegate_directory_reloads_total counter\n");
        s.push_str(&format!("sagegate_directory_reloads_total {}\n", g(&self.reloads)));
        s.push_str("# HELP sagegate_directory_reload_seconds_total Time spent reloading the directory.\n# TYPE sagegate_directory_reload_seconds_total counter\n");
        s.push_str(&format!("sagegate_directory_reload_seconds_total {}\n", g(&self.reload_sum_us) as f64 / 1e6));
        s.push_str("# HELP sagegate_directory_reload_errors_total Directory reloads that failed.\n# TYPE sagegate_directory_reload_errors_total counter\n");
        s.push_str(&format!("sagegate_directory_reload_errors_total {}\n", g(&self.reload_errors)));
        s
    }
}

/// Shared server state.
pub struct AppState {
    pub config: Config,
    pub store: Arc<dyn Store>,
    directory: RwLock<Arc<Directory>>,
    /// Held while the directory reloads: one load at a time, so a write's refresh and the poller's do not
    /// both read and compile the whole store on a 2-core machine (the second finds the snapshot current).
    reloading: Mutex<()>,
    /// The store's total change counter when last polled: when it moves, someone wrote SageMaker resources
    /// (or anything else), and the read cache starts over.
    seen_total: AtomicU64,
    pub metrics: Metrics,
    /// SigV4 signing keys, derived once per key, day, region and service (wire spec §5.6).
    pub signing_keys: sagegate_sigv4::SigningKeyCache,
    /// SageMaker resources read recently, for Describe calls (`sagemaker/cache.rs`).
    pub resources: sagemaker::cache::ResourceCache,
}

impl AppState {
    /// Opens the state: bootstraps the account on first start and loads the directory.
    pub fn new(config: Config, store: Arc<dyn Store>) -> Result<Arc<AppState>, StoreError> {
        let st = Arc::new(AppState {
            config,
            store,
            directory: RwLock::new(Arc::new(Directory::default())),
            reloading: Mutex::new(()),
            seen_total: AtomicU64::new(0),
            metrics: Metrics::default(),
            signing_keys: sagegate_sigv4::SigningKeyCache::new(),
            resources: sagemaker::cache::ResourceCache::default(),
        });
        st.bootstrap()?;
        st.reload(true)?;
        Ok(st)
    }

    /// The server's clock in epoch seconds: the system clock plus the `clock_offset` test setting.
    pub fn now(&self) -> i64 {
        http::now().saturating_add(self.config.clock_offset)
    }

    /// The current snapshot.
    pub fn directory(&self) -> Arc<Directory> {
        match self.directory.read() {
            Ok(d) => d.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Brings the directory up to date with the store (see `reload`).
    pub fn refresh(&self) -> Result<(), StoreError> {
        self.reload(false)
    }

    /// Reloads the directory from the store; unless `force`, only if a directory kind's counter moved
    /// since the snapshot in place was loaded. Empties the SageMaker read cache if anything was written.
    fn reload(&self, force: bool) -> Result<(), StoreError> {
        let _one_at_a_time = match self.reloading.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let started = std::time::Instant::now();
        let counters = self.store.change_counters()?;
        if self.seen_total.swap(counters.total, Ordering::SeqCst) != counters.total {
            // Someone wrote since the last poll: another process (SageMaker resources too) or this
            // process's IAM. Read after the counters, so the invalidation follows the writes they reflect.
            self.resources.invalidate();
        }
        let counter = counters.of(directory::DIRECTORY_KINDS);
        let previous = self.directory();
        if counter == previous.counter && !force {
            // The snapshot in place was loaded after these counters reached this value: it has every write
            // of every kind it reads. Writes of other kinds (SageMaker resources) need no reload.
            return Ok(());
        }
        let mut loaded = None;
        self.store.transaction(&mut |tx: &mut dyn Tx| {
            loaded = Some(Directory::load(tx, counter, &previous)?);
            Ok(())
        })?;
        if let Some(d) = loaded {
            self.install(d);
        }
        self.metrics.reloaded(started.elapsed());
        Ok(())
    }

    /// Installs a snapshot unless a newer one is in place. Loads race: the refresher may finish a load
    /// begun before a write after the write's own refresh installed a newer snapshot; going back to the
    /// older one would make a new key or session unknown until the next poll.
    fn install(&self, d: Directory) {
        let mut current = match self.directory.write() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        if d.counter >= current.counter {
            *current = Arc::new(d);
        }
    }

    /// Runs a write transaction, then refreshes the directory so the change is enforced at once.
    pub fn write<R>(&self, mut f: impl FnMut(&mut dyn Tx) -> Result<R, StoreError>) -> Result<R, StoreError> {
        let mut out = None;
        self.store.transaction(&mut |tx: &mut dyn Tx| {
            out = Some(f(tx)?);
            Ok(())
        })?;
        self.refresh()?;
        out.ok_or_else(|| StoreError::Backend("the transaction produced no result".into()))
    }

    fn bootstrap(&self) -> Result<(), StoreError> {
        let cfg = self.config.clone();
        self.store.transaction(&mut |tx: &mut dyn Tx| {
            if tx.get(ACCOUNT, "main")?.is_some() {
                return Ok(());
            }
            let rec = AccountRec {
                id: cfg.account_id.clone(),
                root_access_key_id: cfg.root_access_key_id.clone().unwrap_or_else(|| ids::id("AKIA")),
                root_secret: cfg.root_secret_access_key.clone().unwrap_or_else(ids::secret),
                created: http::now().saturating_add(cfg.clock_offset),
            };
            let v = serde_json::to_value(&rec).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.put(ACCOUNT, "main", &v)
        })
    }

    /// The root credentials (for the generated `credentials` file).
    pub fn root_credentials(&self) -> Option<(String, String)> {
        self.directory().account.as_ref().map(|a| (a.root_access_key_id.clone(), a.root_secret.clone()))
    }
}

/// The router: `/health`, `/metrics`, and everything else is an AWS API request.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok\n" }))
        .route(
            "/metrics",
            get(|axum::extract::State(st): axum::extract::State<Arc<AppState>>| async move { st.metrics.render() }),
        )
        .route("/sagegate/notebook/{name}", get(sagemaker::presigned::open_notebook))
        .route("/sagegate/notebook/{name}/ws", get(sagemaker::presigned::notebook_socket))
        .route("/sagegate/studio/{domain}/{profile}", get(sagemaker::presigned::open_studio))
        .fallback(any(http::handle))
        .with_state(state)
}

/// Polls the store's change counter so that changes made by other processes are enforced within a
/// fraction of a second (issue 4: within 1 s).
pub fn spawn_refresher(state: Arc<AppState>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        loop {
            tick.tick().await;
            let st = state.clone();
            // Store calls block; keep them off the async workers. Expired sessions are purged here too.
            let _ = tokio::task::spawn_blocking(move || {
                if let Err(e) = st.refresh() {
                    st.metrics.reload_errors.fetch_add(1, Ordering::Relaxed);
                    eprintln!("{}", serde_json::json!({"time": call::iso8601(http::now()), "event": "reload failed", "message": e.to_string()}));
                }
                sts::token::purge_expired(&st)
            })
            .await;
        }
    });
}

/// Serves until Ctrl-C or SIGTERM, then drains in-flight requests.
pub async fn serve(state: Arc<AppState>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    spawn_refresher(state.clone());
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_snapshot_never_replaces_a_newer_one() {
        let store: Arc<dyn Store> = Arc::from(sagegate_store::open(":memory:").unwrap());
        let st = AppState::new(Config::default(), store).unwrap();
        st.write(|tx| tx.put("user", "x", &serde_json::json!({"name": "x", "path": "/", "id": "AIDAX", "arn": "arn:aws:iam::123456789012:user/x", "created": 0}))).unwrap();
        let newer = st.directory().counter;
        assert!(newer > 0 && st.directory().users.contains_key("x"));
        st.install(Directory::default());
        assert_eq!(st.directory().counter, newer);
        assert!(st.directory().users.contains_key("x"));
    }

    #[test]
    fn only_directory_writes_reload_the_directory_but_any_write_empties_the_read_cache() {
        let store: Arc<dyn Store> = Arc::from(sagegate_store::open(":memory:").unwrap());
        let st = AppState::new(Config::default(), store.clone()).unwrap();
        let reloads = || st.metrics.reloads.load(Ordering::SeqCst);
        let epoch = st.resources.epoch();
        let before = reloads();
        // Another process writes a SageMaker resource: the next poll empties the cache and reloads nothing.
        store.transaction(&mut |tx: &mut dyn Tx| tx.put("sagemaker-model", "m", &serde_json::json!({}))).unwrap();
        st.refresh().unwrap();
        assert_eq!(reloads(), before);
        assert_ne!(st.resources.epoch(), epoch);
        // A quiet poll does neither.
        let epoch = st.resources.epoch();
        st.refresh().unwrap();
        assert_eq!((reloads(), st.resources.epoch()), (before, epoch));
        // A user written elsewhere is loaded at the next poll.
        store
            .transaction(&mut |tx: &mut dyn Tx| tx.put("user", "y", &serde_json::json!({"name": "y", "path": "/", "id": "AIDAY", "arn": "arn:aws:iam::123456789012:user/y", "created": 0})))
            .unwrap();
        st.refresh().unwrap();
        assert_eq!(reloads(), before + 1);
        assert!(st.directory().users.contains_key("y"));
    }
}
