//! The storage test suite: one set of checks that every backend must pass, reusable by other crates.
//!
//! Each check takes a `&dyn Store` (a fresh, empty database) or a [`TestDb`] (a way to open several stores on
//! one fresh database) and panics on failure, like a test. [`store_suite!`](crate::store_suite) turns the whole
//! list into `#[test]` functions for a backend:
//!
//! ```ignore
//! fn fresh() -> Option<sagegate_store::testsuite::TestDb> {
//!     Some(sagegate_store::testsuite::sqlite_temp_db())
//! }
//! sagegate_store::store_suite!(fresh);
//! ```
//!
//! [`sqlite_temp_db`] and [`postgres_test_db`] make fresh databases (a temporary file; a temporary schema in the
//! database named by `SAGEGATE_TEST_POSTGRES_URL`) and remove them when dropped.
//!
//! This module is test code compiled into the library so that other crates can run it; it asserts and panics
//! by design, and nothing in the server calls it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    open, PostgresOptions, PostgresStore, SqliteStore, Store, StoreError, StoreExt, Tx, TxExt, MAX_KEY_BYTES,
    MAX_KIND_BYTES,
};

/// The environment variable naming the PostgreSQL database the suite may use (`scripts/postgres` prints one).
pub const POSTGRES_URL_VAR: &str = "SAGEGATE_TEST_POSTGRES_URL";

/// Opens one more store on the test database.
pub type Opener = dyn Fn() -> Result<Box<dyn Store>, StoreError> + Send + Sync;

/// A fresh, empty database for one test, and how to open stores on it. Dropping it removes the database.
pub struct TestDb {
    label: String,
    opener: Box<Opener>,
    cleanup: Option<Box<dyn FnOnce() + Send + Sync>>,
}

impl TestDb {
    /// A test database opened by `opener`; `label` names it in failure messages.
    pub fn new(
        label: impl Into<String>,
        opener: impl Fn() -> Result<Box<dyn Store>, StoreError> + Send + Sync + 'static,
    ) -> Self {
        TestDb { label: label.into(), opener: Box::new(opener), cleanup: None }
    }

    /// Runs `f` when the test database is dropped (to delete it).
    pub fn with_cleanup(mut self, f: impl FnOnce() + Send + Sync + 'static) -> Self {
        self.cleanup = Some(Box::new(f));
        self
    }

    /// Opens a new store on the database (migrating it on first use).
    pub fn try_open(&self) -> Result<Box<dyn Store>, StoreError> {
        (self.opener)()
    }

    /// [`TestDb::try_open`], panicking on failure.
    pub fn open(&self) -> Box<dyn Store> {
        match self.try_open() {
            Ok(s) => s,
            Err(e) => panic!("cannot open test database {}: {e}", self.label),
        }
    }

    /// What the database is (path or schema), for messages.
    pub fn label(&self) -> &str {
        &self.label
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(f) = self.cleanup.take() {
            f();
        }
    }
}

fn unique_name(stem: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{stem}_{}_{}_{nanos}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// A new SQLite database file in a fresh temporary directory, removed on drop.
pub fn sqlite_temp_db() -> TestDb {
    let dir: PathBuf = std::env::temp_dir().join(unique_name("sagegate-store"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sagegate.db");
    let label = path.display().to_string();
    TestDb::new(label, move || SqliteStore::open(&path).map(|s| Box::new(s) as Box<dyn Store>)).with_cleanup(
        move || {
            let _ = std::fs::remove_dir_all(&dir);
        },
    )
}

/// A new schema in the database named by `SAGEGATE_TEST_POSTGRES_URL`, dropped on drop; `None` (after
/// printing why) when the variable is unset, so that the PostgreSQL tests pass as skipped.
pub fn postgres_test_db() -> Option<TestDb> {
    let url = match std::env::var(POSTGRES_URL_VAR) {
        Ok(u) if !u.trim().is_empty() => u,
        _ => {
            say_skipped("the PostgreSQL store tests");
            return None;
        }
    };
    let schema = unique_name("sg_test");
    let open_url = url.clone();
    let open_schema = schema.clone();
    let db = TestDb::new(format!("schema {schema}"), move || {
        let options = PostgresOptions { schema: Some(open_schema.clone()), ..PostgresOptions::default() };
        PostgresStore::open_with(&open_url, options).map(|s| Box::new(s) as Box<dyn Store>)
    })
    .with_cleanup(move || {
        if let Ok(mut client) = postgres::Client::connect(&url, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"));
        }
    });
    Some(db)
}

/// Prints, once per process and past the test harness's output capture (so that a plain `cargo test` shows
/// it), that the PostgreSQL tests were skipped and how to run them.
pub fn say_skipped(what: &str) {
    use std::io::Write;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(std::io::stderr(), "skipped: {what}: set {POSTGRES_URL_VAR} (scripts/postgres prints one)");
    });
}

/// Runs a single-store check on a fresh database from `fresh` (skipped when it gives none).
pub fn with_store(fresh: fn() -> Option<TestDb>, check: fn(&dyn Store)) {
    if let Some(db) = fresh() {
        let store = db.open();
        check(&*store);
    }
}

/// Runs a several-store check on a fresh database from `fresh` (skipped when it gives none).
pub fn with_db(fresh: fn() -> Option<TestDb>, check: fn(&TestDb)) {
    if let Some(db) = fresh() {
        check(&db);
    }
}

/// Defines one `#[test]` per check of the suite, each on a fresh database from `$fresh`
/// (a `fn() -> Option<TestDb>`; `None` skips).
#[macro_export]
macro_rules! store_suite {
    ($fresh:expr) => {
        $crate::store_suite!(@store $fresh;
            put_get_delete, values_round_trip, insert_existing, list_order_and_prefix,
            list_pagination, count_prefix, rollback_on_error, failed_operation_rolls_back,
            panic_in_closure_rolls_back, change_counter_counts_writing_commits, change_counters_count_per_kind,
            invalid_input_rejected,
            typed_helpers, concurrent_writers);
        $crate::store_suite!(@db $fresh;
            concurrent_writers_two_instances, reopen_keeps_data, migrations_run_once,
            two_instances_share_changes);
    };
    (@store $fresh:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::testsuite::with_store($fresh, $crate::testsuite::$name);
            }
        )*
    };
    (@db $fresh:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::testsuite::with_db($fresh, $crate::testsuite::$name);
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

fn tx(store: &dyn Store, mut f: impl FnMut(&mut dyn Tx) -> Result<(), StoreError>) {
    if let Err(e) = store.transaction(&mut f) {
        panic!("{} transaction failed: {e}", store.backend());
    }
}

fn read<R>(store: &dyn Store, f: impl FnMut(&mut dyn Tx) -> Result<R, StoreError>) -> R {
    match store.with_tx(f) {
        Ok(r) => r,
        Err(e) => panic!("{} transaction failed: {e}", store.backend()),
    }
}

fn get(store: &dyn Store, kind: &str, key: &str) -> Option<Value> {
    read(store, |t| t.get(kind, key))
}

fn counter(store: &dyn Store) -> u64 {
    store.change_counter().unwrap()
}

fn keys(rows: &[(String, Value)]) -> Vec<&str> {
    rows.iter().map(|(k, _)| k.as_str()).collect()
}

// ---------------------------------------------------------------------------------------------------------
// Single-store checks

/// put/get/delete, replacing, and kinds kept apart.
pub fn put_get_delete(store: &dyn Store) {
    assert_eq!(get(store, "user", "alice"), None);
    tx(store, |t| t.put("user", "alice", &json!({"n": 1})));
    assert_eq!(get(store, "user", "alice"), Some(json!({"n": 1})));
    tx(store, |t| t.put("user", "alice", &json!({"n": 2})));
    assert_eq!(get(store, "user", "alice"), Some(json!({"n": 2})));

    // Same key, other kinds: separate records.
    tx(store, |t| t.put("role", "alice", &json!("a role")));
    tx(store, |t| t.put("user2", "alice", &json!(3)));
    assert_eq!(get(store, "role", "alice"), Some(json!("a role")));
    assert_eq!(get(store, "user", "alice"), Some(json!({"n": 2})));

    let deleted = read(store, |t| t.delete("user", "alice"));
    assert!(deleted);
    assert_eq!(get(store, "user", "alice"), None);
    let deleted = read(store, |t| t.delete("user", "alice"));
    assert!(!deleted, "deleting a missing record reports false");
    assert_eq!(get(store, "role", "alice"), Some(json!("a role")));
    assert_eq!(get(store, "user2", "alice"), Some(json!(3)));

    // Reads see the transaction's own writes.
    read(store, |t| {
        t.put("user", "bob", &json!(1))?;
        assert_eq!(t.get("user", "bob")?, Some(json!(1)));
        assert!(t.delete("user", "bob")?);
        assert_eq!(t.get("user", "bob")?, None);
        Ok(())
    });
}

/// Values come back exactly as stored, object key order and all.
pub fn values_round_trip(store: &dyn Store) {
    let big = "x".repeat(1 << 20);
    let values = vec![
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(0.5),
        json!(-1024.75),
        json!(""),
        json!("é \u{0} \u{7f} \u{10FFFF} \"quoted\" \\ \n"),
        json!({"z": 1, "a": [1, {"b": null, "a": "x"}], "m": {}}),
        json!([]),
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        json!(big),
    ];
    tx(store, |t| {
        for (i, v) in values.iter().enumerate() {
            t.put("value", &format!("v{i:02}"), v)?;
        }
        Ok(())
    });
    for (i, v) in values.iter().enumerate() {
        let got = get(store, "value", &format!("v{i:02}")).unwrap();
        assert_eq!(serde_json::to_string(&got).unwrap(), serde_json::to_string(v).unwrap(), "value {i}");
    }
    let listed = read(store, |t| t.list("value", "v", None, 100));
    assert_eq!(listed.len(), values.len());
    for ((_, got), v) in listed.iter().zip(&values) {
        assert_eq!(serde_json::to_string(got).unwrap(), serde_json::to_string(v).unwrap());
    }
}

/// `insert` refuses to replace (for EntityAlreadyExists) and leaves the old value.
pub fn insert_existing(store: &dyn Store) {
    assert!(read(store, |t| t.insert("group", "admins", &json!(1))));
    assert!(!read(store, |t| t.insert("group", "admins", &json!(2))));
    assert_eq!(get(store, "group", "admins"), Some(json!(1)));
    assert!(read(store, |t| t.insert("group", "ops", &json!(3))));
    assert!(read(store, |t| t.delete("group", "admins")));
    assert!(read(store, |t| t.insert("group", "admins", &json!(4))));
    assert_eq!(get(store, "group", "admins"), Some(json!(4)));
    // Within one transaction too.
    read(store, |t| {
        assert!(t.insert("group", "devs", &json!(5))?);
        assert!(!t.insert("group", "devs", &json!(6))?);
        Ok(())
    });
    assert_eq!(get(store, "group", "devs"), Some(json!(5)));
}

const ORDER_KEYS: &[&str] = &[
    "a",
    "a/b",
    "a0",
    "aB",
    "ab",
    "a\u{7f}",
    "a\u{80}",
    "a\u{e9}",
    "a\u{fffd}",
    "a\u{10000}",
    "a\u{10FFFF}",
    "a\u{10FFFF}z",
    "A",
    "Z",
    "b",
    "\u{d7ff}x",
    "\u{e000}",
    "~",
    " ",
    "user/Alice",
    "user/alice",
    "user/alice2",
    "user/bob",
];

/// Listing is in byte order (not locale order), filters by prefix exactly, and keeps kinds apart.
pub fn list_order_and_prefix(store: &dyn Store) {
    tx(store, |t| {
        // Insert in a scrambled order.
        for k in ORDER_KEYS.iter().rev() {
            t.put("k", k, &json!(k))?;
        }
        for k in ["a", "b", "user/x"] {
            t.put("k2", k, &json!(0))?;
            t.put("j", k, &json!(0))?;
        }
        Ok(())
    });
    let mut sorted: Vec<&str> = ORDER_KEYS.to_vec();
    sorted.sort_unstable(); // str's Ord is byte order
    let all = read(store, |t| t.list("k", "", None, 1000));
    assert_eq!(keys(&all), sorted, "byte order");
    for (k, v) in &all {
        assert_eq!(v, &json!(k));
    }
    for prefix in ["", "a", "a/", "A", "a\u{10FFFF}", "\u{d7ff}", "user/", "user/alice", "user/A", "zzz", "~"] {
        let expected: Vec<&str> = sorted.iter().copied().filter(|k| k.starts_with(prefix)).collect();
        let got = read(store, |t| t.list("k", prefix, None, 1000));
        assert_eq!(keys(&got), expected, "prefix {prefix:?}");
        let n = read(store, |t| t.count("k", prefix));
        assert_eq!(n, expected.len() as u64, "count of prefix {prefix:?}");
    }
    assert_eq!(read(store, |t| t.list("k2", "", None, 10)).len(), 3);
    assert!(read(store, |t| t.list("nothing", "", None, 10)).is_empty());
}

/// Pages of `limit` records after `start_after` cover a prefix exactly once, in order.
pub fn list_pagination(store: &dyn Store) {
    let expected: Vec<String> = (0..25).map(|i| format!("user/{i:03}")).collect();
    tx(store, |t| {
        for k in expected.iter().rev() {
            t.put("p", k, &json!({"k": k}))?;
        }
        for k in ["user", "user0", "usea", "v"] {
            t.put("p", k, &json!(null))?;
        }
        Ok(())
    });
    let mut seen: Vec<String> = Vec::new();
    let mut pages = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = read(store, |t| t.list("p", "user/", marker.as_deref(), 7));
        pages.push(page.len());
        let Some((last, _)) = page.last() else { break };
        marker = Some(last.clone());
        seen.extend(page.iter().map(|(k, _)| k.clone()));
    }
    assert_eq!(pages, vec![7, 7, 7, 4, 0]);
    assert_eq!(seen, expected);

    let after = |s: Option<&str>, limit: usize| -> Vec<String> {
        read(store, |t| t.list("p", "user/", s, limit)).into_iter().map(|(k, _)| k).collect()
    };
    // A marker that is not a key: continue from the next key.
    assert_eq!(after(Some("user/010x"), 2), vec!["user/011".to_string(), "user/012".to_string()]);
    // Markers before the prefix start at its beginning; markers after it give nothing.
    assert_eq!(after(Some("a"), 100), expected);
    assert_eq!(after(Some("user/"), 100), expected);
    assert!(after(Some("user/024"), 100).is_empty());
    assert!(after(Some("zzz"), 100).is_empty());
    assert!(after(None, 0).is_empty());
    assert_eq!(after(None, usize::MAX), expected);
    // Whole kind, paginated from a marker outside every prefix.
    let rest = read(store, |t| t.list("p", "", Some("user/024"), 100));
    assert_eq!(keys(&rest), vec!["user0", "v"]);
}

/// `count` counts exactly the records of the kind with the prefix.
pub fn count_prefix(store: &dyn Store) {
    tx(store, |t| {
        for i in 0..30 {
            t.put("policy", &format!("arn/{i:02}"), &json!(i))?;
        }
        t.put("policy", "other", &json!(0))?;
        t.put("policyx", "arn/00", &json!(0))?;
        Ok(())
    });
    assert_eq!(read(store, |t| t.count("policy", "")), 31);
    assert_eq!(read(store, |t| t.count("policy", "arn/")), 30);
    assert_eq!(read(store, |t| t.count("policy", "arn/1")), 10);
    assert_eq!(read(store, |t| t.count("policy", "arn/29")), 1);
    assert_eq!(read(store, |t| t.count("policy", "arn/3")), 0);
    assert_eq!(read(store, |t| t.count("policyx", "")), 1);
    assert_eq!(read(store, |t| t.count("none", "")), 0);
}

/// A closure returning `Err` after several writes leaves nothing behind, and its error comes back unchanged.
pub fn rollback_on_error(store: &dyn Store) {
    tx(store, |t| t.put("acct", "keep", &json!(1)));
    let c0 = counter(store);
    let r = store.transaction(&mut |t| {
        t.put("acct", "a", &json!(1))?;
        t.put("acct", "b", &json!(2))?;
        assert!(t.insert("acct", "c", &json!(3))?);
        t.put("acct", "keep", &json!(2))?;
        assert!(t.delete("acct", "keep")?);
        t.put("other", "x", &json!(1))?;
        Err(StoreError::Aborted("LimitExceeded".into()))
    });
    assert_eq!(r, Err(StoreError::Aborted("LimitExceeded".into())));
    for k in ["a", "b", "c"] {
        assert_eq!(get(store, "acct", k), None, "{k} must not exist");
    }
    assert_eq!(get(store, "other", "x"), None);
    assert_eq!(get(store, "acct", "keep"), Some(json!(1)));
    assert_eq!(read(store, |t| t.count("acct", "")), 1);
    assert_eq!(counter(store), c0, "a rolled-back transaction does not bump the counter");
}

/// An error from a `Tx` method rolls the transaction back even if the closure swallows it.
pub fn failed_operation_rolls_back(store: &dyn Store) {
    let c0 = counter(store);
    let r = store.transaction(&mut |t| {
        t.put("acct", "a", &json!(1))?;
        let bad = t.put("acct", "bad\u{0}key", &json!(1));
        assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");
        // The transaction is doomed: later operations fail with the same error, and it rolls back even
        // though the closure returns Ok.
        assert_eq!(t.get("acct", "a"), bad.clone().map(|()| None));
        assert_eq!(t.put("acct", "b", &json!(1)), bad);
        Ok(())
    });
    assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
    assert_eq!(get(store, "acct", "a"), None);
    assert_eq!(get(store, "acct", "b"), None);
    assert_eq!(counter(store), c0);
}

/// A closure that panics rolls back, and the store keeps working.
pub fn panic_in_closure_rolls_back(store: &dyn Store) {
    let r = catch_unwind(AssertUnwindSafe(|| {
        let _ = store.transaction(&mut |t| {
            t.put("acct", "half", &json!(1))?;
            // Unwinds like a panic, without the panic hook's message and backtrace in the test output.
            std::panic::resume_unwind(Box::new("intentional unwind inside a store transaction"));
        });
    }));
    assert!(r.is_err());
    assert_eq!(get(store, "acct", "half"), None);
    tx(store, |t| t.put("acct", "after", &json!(1)));
    assert_eq!(get(store, "acct", "after"), Some(json!(1)));
}

/// The change counter moves once per committed transaction that wrote something, and only then.
pub fn change_counter_counts_writing_commits(store: &dyn Store) {
    let c0 = counter(store);
    assert_eq!(counter(store), c0, "reading the counter does not move it");
    read(store, |t| {
        t.get("x", "a")?;
        t.list("x", "", None, 10)?;
        t.count("x", "")?;
        Ok(())
    });
    assert_eq!(counter(store), c0, "read-only");
    tx(store, |t| t.put("x", "a", &json!(1)));
    assert_eq!(counter(store), c0 + 1, "one write");
    tx(store, |t| {
        t.put("x", "b", &json!(1))?;
        t.put("x", "c", &json!(1))?;
        t.insert("x", "d", &json!(1))?;
        t.delete("x", "a")?;
        Ok(())
    });
    assert_eq!(counter(store), c0 + 2, "several writes, one commit");
    tx(store, |t| {
        assert!(!t.insert("x", "b", &json!(2))?);
        assert!(!t.delete("x", "missing")?);
        Ok(())
    });
    assert_eq!(counter(store), c0 + 2, "no row changed");
    tx(store, |t| t.put("x", "b", &json!(1)));
    assert_eq!(counter(store), c0 + 3, "a put of the same value still counts");
    let _ = store.transaction(&mut |t| {
        t.put("x", "e", &json!(1))?;
        Err(StoreError::Aborted("no".into()))
    });
    assert_eq!(counter(store), c0 + 3, "rolled back");
}

/// Each kind's counter moves once per committed transaction that changed a record of that kind, and the
/// total agrees with `change_counter`.
pub fn change_counters_count_per_kind(store: &dyn Store) {
    let c0 = store.change_counters().unwrap();
    assert_eq!(c0.total, counter(store));
    let kind = |c: &crate::ChangeCounters, k: &str| c.kinds.get(k).copied().unwrap_or(0);
    tx(store, |t| t.put("k-one", "a", &json!(1)));
    let c1 = store.change_counters().unwrap();
    assert_eq!(
        (c1.total, kind(&c1, "k-one"), kind(&c1, "k-two")),
        (c0.total + 1, kind(&c0, "k-one") + 1, kind(&c0, "k-two"))
    );
    tx(store, |t| {
        t.put("k-one", "b", &json!(1))?;
        t.put("k-one", "c", &json!(1))?;
        t.insert("k-two", "a", &json!(1))?;
        Ok(())
    });
    let c2 = store.change_counters().unwrap();
    assert_eq!(
        (c2.total, kind(&c2, "k-one"), kind(&c2, "k-two")),
        (c1.total + 1, kind(&c1, "k-one") + 1, kind(&c1, "k-two") + 1)
    );
    assert_eq!(c2.of(&["k-one", "k-two"]), c1.of(&["k-one", "k-two"]) + 2);
    assert_eq!(c2.of(&["k-never-written"]), 0);
    tx(store, |t| {
        assert!(!t.delete("k-one", "missing")?);
        Ok(())
    });
    let _ = store.transaction(&mut |t| {
        t.delete("k-one", "a")?;
        Err(StoreError::Aborted("no".into()))
    });
    assert_eq!(store.change_counters().unwrap(), c2, "no row changed, or rolled back");
    tx(store, |t| t.delete("k-two", "a").map(|_| ()));
    let c3 = store.change_counters().unwrap();
    assert_eq!(
        (c3.total, kind(&c3, "k-one"), kind(&c3, "k-two")),
        (c2.total + 1, kind(&c2, "k-one"), kind(&c2, "k-two") + 1)
    );
}

/// Bad kinds and keys are refused the same way on every backend.
pub fn invalid_input_rejected(store: &dyn Store) {
    let long_kind = "k".repeat(MAX_KIND_BYTES + 1);
    let long_key = "k".repeat(MAX_KEY_BYTES + 1);
    let max_key = "é".repeat(MAX_KEY_BYTES / 2);
    let v = json!(1);
    type Op<'a> = Box<dyn Fn(&mut dyn Tx) -> Result<(), StoreError> + 'a>;
    let ops: Vec<(&str, Op<'_>)> = vec![
        ("empty kind", Box::new(|t| t.put("", "a", &v))),
        ("long kind", Box::new(|t| t.put(&long_kind, "a", &v))),
        ("NUL kind", Box::new(|t| t.get("a\u{0}", "a").map(drop))),
        ("empty key", Box::new(|t| t.put("a", "", &v))),
        ("long key", Box::new(|t| t.insert("a", &long_key, &v).map(drop))),
        ("NUL key", Box::new(|t| t.delete("a", "\u{0}").map(drop))),
        ("NUL prefix", Box::new(|t| t.list("a", "x\u{0}", None, 1).map(drop))),
        ("long marker", Box::new(|t| t.list("a", "", Some(&long_key), 1).map(drop))),
        ("long count prefix", Box::new(|t| t.count("a", &long_key).map(drop))),
    ];
    for (what, op) in ops {
        let r = store.transaction(&mut |t| op(t));
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{what}: {r:?}");
    }
    tx(store, |t| t.put("a", &max_key, &v));
    assert_eq!(get(store, "a", &max_key), Some(v.clone()));
    assert_eq!(read(store, |t| t.count("a", "")), 1);
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SampleUser {
    name: String,
    arn: String,
    tags: BTreeMap<String, String>,
}

/// `get_as` / `put_as` / `insert_as` / `list_as` / `with_tx`, and `Corrupt` for a value of the wrong shape.
pub fn typed_helpers(store: &dyn Store) {
    let alice = SampleUser {
        name: "alice".into(),
        arn: "arn:aws:iam::123456789012:user/alice".into(),
        tags: BTreeMap::from([("team".to_string(), "ml".to_string())]),
    };
    tx(store, |t| t.put_as("user", "alice", &alice));
    let got: Option<SampleUser> = read(store, |t| t.get_as("user", "alice"));
    assert_eq!(got.as_ref(), Some(&alice));
    let bob = SampleUser { name: "bob".into(), ..alice.clone() };
    assert!(read(store, |t| t.insert_as("user", "bob", &bob)));
    assert!(!read(store, |t| t.insert_as("user", "bob", &alice)));
    let all: Vec<(String, SampleUser)> = read(store, |t| t.list_as("user", "", None, 10));
    assert_eq!(all, vec![("alice".to_string(), alice.clone()), ("bob".to_string(), bob)]);
    let missing: Option<SampleUser> = read(store, |t| t.get_as("user", "carol"));
    assert_eq!(missing, None);
    let wrong = store.with_tx(|t| t.get_as::<u64>("user", "alice"));
    assert!(matches!(wrong, Err(StoreError::Corrupt(_))), "{wrong:?}");
    let n = store
        .with_tx(|t| {
            t.put_as("n", "x", &41u64)?;
            Ok(t.get_as::<u64>("n", "x")?.unwrap_or(0) + 1)
        })
        .unwrap();
    assert_eq!(n, 42);
}

const WRITER_THREADS: usize = 4;
const INCREMENTS_PER_THREAD: u64 = 25;

/// Adds one to the record `("counter", "n")` in its own transaction; returns how many runs it took.
fn increment(store: &dyn Store) -> u32 {
    let mut runs = 0;
    tx(store, |t| {
        runs += 1;
        let n: u64 = t.get_as("counter", "n")?.unwrap_or(0);
        t.put_as("counter", "n", &(n + 1))
    });
    runs
}

fn run_writers(stores: &[&dyn Store]) -> (u64, u32) {
    let c0 = counter(stores[0]);
    let barrier = Barrier::new(WRITER_THREADS);
    let runs: u32 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WRITER_THREADS)
            .map(|i| {
                let store = stores[i % stores.len()];
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    (0..INCREMENTS_PER_THREAD).map(|_| increment(store)).sum::<u32>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let total = WRITER_THREADS as u64 * INCREMENTS_PER_THREAD;
    let n: Option<u64> = read(stores[0], |t| t.get_as("counter", "n"));
    assert_eq!(n, Some(total), "lost updates");
    assert_eq!(counter(stores[0]) - c0, total, "one change per committed transaction");
    (total, runs)
}

/// Threads incrementing one record, each increment in its own transaction: no update is lost.
pub fn concurrent_writers(store: &dyn Store) {
    let start = Instant::now();
    let (total, runs) = run_writers(&[store]);
    eprintln!(
        "{}: {total} concurrent increments in {:?}, {} retries",
        store.backend(),
        start.elapsed(),
        runs as u64 - total
    );
}

/// The same through two store instances on one database (two "processes").
pub fn concurrent_writers_two_instances(db: &TestDb) {
    let a = db.open();
    let b = db.open();
    let start = Instant::now();
    let (total, runs) = run_writers(&[&*a, &*b]);
    eprintln!(
        "{} (two instances): {total} concurrent increments in {:?}, {} retries",
        a.backend(),
        start.elapsed(),
        runs as u64 - total
    );
}

// ---------------------------------------------------------------------------------------------------------
// Several-store checks

/// Data and the counter survive closing and reopening.
pub fn reopen_keeps_data(db: &TestDb) {
    let (c, migrations) = {
        let a = db.open();
        tx(&*a, |t| {
            t.put("user", "alice", &json!({"n": 1}))?;
            t.put("user", "bob", &json!({"n": 2}))
        });
        tx(&*a, |t| t.delete("user", "bob").map(drop));
        (counter(&*a), a.applied_migrations().unwrap())
    };
    let b = db.open();
    assert_eq!(get(&*b, "user", "alice"), Some(json!({"n": 1})));
    assert_eq!(get(&*b, "user", "bob"), None);
    assert_eq!(counter(&*b), c);
    assert_eq!(b.applied_migrations().unwrap(), migrations);
}

/// Migrations are applied exactly once, even when several stores open a new database at the same time.
pub fn migrations_run_once(db: &TestDb) {
    const OPENERS: usize = 4;
    let barrier = Arc::new(Barrier::new(OPENERS));
    let stores: Vec<Box<dyn Store>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..OPENERS)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                s.spawn(move || {
                    barrier.wait();
                    db.try_open()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join().unwrap() {
                Ok(s) => s,
                Err(e) => panic!("concurrent open of {}: {e}", db.label()),
            })
            .collect()
    });
    let first = stores[0].applied_migrations().unwrap();
    let versions: Vec<u32> = first.iter().map(|m| m.version).collect();
    let expected: Vec<u32> = (1..=crate::migrations::latest_version()).collect();
    assert_eq!(versions, expected);
    for m in &first {
        assert!(!m.name.is_empty());
        assert!(m.applied_at.ends_with('Z'), "{}", m.applied_at);
    }
    for s in &stores {
        assert_eq!(s.applied_migrations().unwrap(), first);
        assert_eq!(counter(&**s), 0);
    }
    drop(stores);
    let again = db.open();
    assert_eq!(again.applied_migrations().unwrap(), first, "reopening migrates nothing");
}

/// A write through one store is visible to another on the same database, and moves the counter it sees.
pub fn two_instances_share_changes(db: &TestDb) {
    let a = db.open();
    let b = db.open();
    let b0 = counter(&*b);
    assert_eq!(get(&*b, "policy", "p1"), None);
    tx(&*a, |t| t.put("policy", "p1", &json!({"v": 1})));
    // No cache in the store: the other instance sees the commit at once (the server polls within 1 s).
    assert_eq!(counter(&*b), b0 + 1);
    assert_eq!(get(&*b, "policy", "p1"), Some(json!({"v": 1})));
    tx(&*b, |t| t.put("policy", "p1", &json!({"v": 2})));
    assert_eq!(counter(&*a), b0 + 2);
    assert_eq!(get(&*a, "policy", "p1"), Some(json!({"v": 2})));
    assert!(read(&*b, |t| t.delete("policy", "p1")));
    assert_eq!(get(&*a, "policy", "p1"), None);
    assert_eq!(counter(&*a), counter(&*b));
}

/// [`open`] picks the backend from the string.
pub fn open_dispatches(url_or_path: &str, backend: &str) {
    let s = open(url_or_path).unwrap();
    assert_eq!(s.backend(), backend);
}
