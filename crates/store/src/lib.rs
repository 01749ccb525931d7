//! sagegate-store: the storage layer of `sagegate serve`, a small synchronous record store with two backends.
//!
//! Everything the server keeps (IAM identities, policies, access keys, STS sessions, SageMaker resources) is a
//! JSON value stored under a `(kind, key)` pair. The [`Store`] trait runs closures in transactions (all writes
//! commit together or none do) and exposes a change counter that every committed writing transaction bumps, so
//! several server processes sharing one PostgreSQL database can poll it and refresh their in-memory caches.
//!
//! Backends: [`SqliteStore`] (a file, WAL mode; the default) and [`PostgresStore`] (`postgres://` URLs). Pick one
//! with [`open`]. Both keep keys in byte order, so listing and pagination behave identically. The crate is
//! synchronous on purpose: call it from `tokio::task::spawn_blocking` or a dedicated thread.
//!
//! The same test suite ([`testsuite`]) runs against both backends; see `docs/storage.md`.

use serde::de::DeserializeOwned;
use serde::Serialize;

mod backoff;
mod keyrange;
mod migrations;
mod pg;
mod sqlite;
pub mod testsuite;

pub use pg::{PostgresOptions, PostgresStore};
pub use sqlite::SqliteStore;

/// Longest accepted `kind`, in bytes.
pub const MAX_KIND_BYTES: usize = 128;
/// Longest accepted `key` (and `prefix` / `start_after`), in bytes. PostgreSQL's B-tree index caps an entry
/// near 2.7 kB; a fixed limit below it keeps both backends identical.
pub const MAX_KEY_BYTES: usize = 1024;
/// How many times [`Store::transaction`] runs a closure whose transaction hit a serialization conflict (or a
/// busy database) before giving up with [`StoreError::Conflict`].
pub const MAX_ATTEMPTS: u32 = 20;

/// What can go wrong. A missing record is not an error: reads return `Option`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Concurrent transactions kept conflicting (serialization failure, deadlock or a busy database) and the
    /// retries ran out. Nothing was written.
    #[error("storage conflict: {0}")]
    Conflict(String),
    /// The backend failed (I/O, connection, SQL). Nothing was written, except when the message says the
    /// outcome of a commit is unknown.
    #[error("storage backend error: {0}")]
    Backend(String),
    /// A stored value could not be read back (not JSON, or not the shape asked for).
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// The request itself is not acceptable (empty kind, NUL byte, key too long, unserializable value).
    #[error("invalid storage request: {0}")]
    Invalid(String),
    /// The closure gave up on purpose; returned unchanged by [`Store::transaction`] after rolling back. Callers
    /// usually keep their own domain error beside the transaction and return this to roll back.
    #[error("transaction aborted: {0}")]
    Aborted(String),
}

/// The storage backend. Implementations are cheap to share (`Arc<dyn Store>` or `&dyn Store`).
pub trait Store: Send + Sync {
    /// Runs `f` in one transaction: all writes commit together or none do (a failed call leaves nothing
    /// half-written).
    ///
    /// - If `f` returns `Err(e)`, the transaction rolls back and `transaction` returns `Err(e)`.
    /// - If any [`Tx`] method returned an error, the transaction is doomed: later [`Tx`] calls return the same
    ///   error, it rolls back even if `f` then returns `Ok`, and `transaction` returns that first error.
    /// - On a serialization conflict (PostgreSQL) the transaction rolls back and `f` runs again from the
    ///   start (up to [`MAX_ATTEMPTS`] times). So `f` must not have effects outside the [`Tx`] that a second
    ///   run would duplicate; reset anything it collects at its start. Keep `f` short: no network calls.
    fn transaction(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>) -> Result<(), StoreError>;

    /// A counter bumped by every committed transaction that wrote anything; readers poll it to refresh
    /// caches. It only grows, and moves together with the data (a reader that sees the new value and then
    /// reads sees the writes that bumped it). Read-only and rolled-back transactions leave it alone.
    fn change_counter(&self) -> Result<u64, StoreError>;

    /// The change counter and, per kind, a counter that every committed transaction changing a record of
    /// that kind bumps by one, all read at one instant. A reader that caches only some kinds polls these
    /// and ignores writes to the others.
    fn change_counters(&self) -> Result<ChangeCounters, StoreError>;

    /// `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;

    /// The schema migrations recorded in the database, oldest first.
    fn applied_migrations(&self) -> Result<Vec<AppliedMigration>, StoreError>;
}

/// The operations available inside [`Store::transaction`]. Kinds and keys are compared as bytes.
pub trait Tx {
    /// The record `(kind, key)`, if any.
    fn get(&mut self, kind: &str, key: &str) -> Result<Option<serde_json::Value>, StoreError>;
    /// Inserts or replaces the record.
    fn put(&mut self, kind: &str, key: &str, value: &serde_json::Value) -> Result<(), StoreError>;
    /// Inserts the record unless one exists; `false` (and nothing written) if it exists, for
    /// `EntityAlreadyExists`.
    fn insert(&mut self, kind: &str, key: &str, value: &serde_json::Value) -> Result<bool, StoreError>;
    /// Deletes the record; `false` if there was none.
    fn delete(&mut self, kind: &str, key: &str) -> Result<bool, StoreError>;
    /// Records of `kind` whose key starts with `prefix`, in key order (byte order), at most `limit` of them,
    /// all with keys greater than `start_after` if given (pagination: pass the last key of the previous page).
    fn list(
        &mut self,
        kind: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, serde_json::Value)>, StoreError>;
    /// How many records of `kind` have a key starting with `prefix`.
    fn count(&mut self, kind: &str, prefix: &str) -> Result<u64, StoreError>;
}

/// Typed helpers over [`Tx`], for any `T: Serialize` / `DeserializeOwned` (available on `&mut dyn Tx`).
pub trait TxExt: Tx {
    /// [`Tx::get`], deserialized; a value of the wrong shape is [`StoreError::Corrupt`].
    fn get_as<T: DeserializeOwned>(&mut self, kind: &str, key: &str) -> Result<Option<T>, StoreError> {
        match self.get(kind, key)? {
            None => Ok(None),
            Some(v) => from_value(kind, key, v).map(Some),
        }
    }
    /// [`Tx::put`] of a serialized value.
    fn put_as<T: Serialize + ?Sized>(&mut self, kind: &str, key: &str, value: &T) -> Result<(), StoreError> {
        let v = to_value(kind, key, value)?;
        self.put(kind, key, &v)
    }
    /// [`Tx::insert`] of a serialized value.
    fn insert_as<T: Serialize + ?Sized>(&mut self, kind: &str, key: &str, value: &T) -> Result<bool, StoreError> {
        let v = to_value(kind, key, value)?;
        self.insert(kind, key, &v)
    }
    /// [`Tx::list`], deserialized.
    fn list_as<T: DeserializeOwned>(
        &mut self,
        kind: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, T)>, StoreError> {
        self.list(kind, prefix, start_after, limit)?
            .into_iter()
            .map(|(k, v)| {
                let t = from_value(kind, &k, v)?;
                Ok((k, t))
            })
            .collect()
    }
}

impl<X: Tx + ?Sized> TxExt for X {}

fn from_value<T: DeserializeOwned>(kind: &str, key: &str, v: serde_json::Value) -> Result<T, StoreError> {
    serde_json::from_value(v).map_err(|e| StoreError::Corrupt(format!("{kind}/{key}: {e}")))
}

fn to_value<T: Serialize + ?Sized>(kind: &str, key: &str, value: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Invalid(format!("{kind}/{key}: value does not serialize: {e}")))
}

/// Convenience wrappers on any [`Store`] (available on `&dyn Store`).
pub trait StoreExt: Store {
    /// Runs `f` in a transaction and returns what it produced. `f` may run more than once (see
    /// [`Store::transaction`]); the value of the run that committed is returned.
    fn with_tx<R>(&self, mut f: impl FnMut(&mut dyn Tx) -> Result<R, StoreError>) -> Result<R, StoreError> {
        let mut out = None;
        self.transaction(&mut |tx| {
            out = Some(f(tx)?);
            Ok(())
        })?;
        out.ok_or_else(|| StoreError::Backend("transaction committed without a result".into()))
    }
}

impl<S: Store + ?Sized> StoreExt for S {}

/// One row of `schema_migrations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    /// Migration number, from 1, without gaps.
    pub version: u32,
    /// Short description.
    pub name: String,
    /// When it was applied (UTC, RFC 3339).
    pub applied_at: String,
}

/// Opens a store: `postgres://…` or `postgresql://…` selects PostgreSQL, anything else is a SQLite file path
/// (an optional `sqlite://` or `sqlite:` prefix is stripped; `:memory:` gives a private in-memory database).
/// Migrations are applied before this returns.
pub fn open(url_or_path: &str) -> Result<Box<dyn Store>, StoreError> {
    if url_or_path.starts_with("postgres://") || url_or_path.starts_with("postgresql://") {
        return Ok(Box::new(PostgresStore::open(url_or_path)?));
    }
    let path =
        url_or_path.strip_prefix("sqlite://").or_else(|| url_or_path.strip_prefix("sqlite:")).unwrap_or(url_or_path);
    if path.is_empty() {
        return Err(StoreError::Invalid("empty database path".into()));
    }
    Ok(Box::new(SqliteStore::open(path)?))
}

/// Checks a kind and a key before they reach the database (same rules on both backends).
pub(crate) fn check_kind_key(kind: &str, key: &str) -> Result<(), StoreError> {
    check_kind(kind)?;
    if key.is_empty() {
        return Err(StoreError::Invalid(format!("{kind}: empty key")));
    }
    check_text("key", key)
}

pub(crate) fn check_kind(kind: &str) -> Result<(), StoreError> {
    if kind.is_empty() {
        return Err(StoreError::Invalid("empty kind".into()));
    }
    if kind.len() > MAX_KIND_BYTES {
        return Err(StoreError::Invalid(format!("kind is {} bytes, more than {MAX_KIND_BYTES}", kind.len())));
    }
    if kind.contains('\0') {
        return Err(StoreError::Invalid("kind contains a NUL character".into()));
    }
    Ok(())
}

/// Keys, prefixes and pagination markers: no NUL (PostgreSQL text cannot hold it), at most
/// [`MAX_KEY_BYTES`].
pub(crate) fn check_text(what: &str, s: &str) -> Result<(), StoreError> {
    if s.len() > MAX_KEY_BYTES {
        return Err(StoreError::Invalid(format!("{what} is {} bytes, more than {MAX_KEY_BYTES}", s.len())));
    }
    if s.contains('\0') {
        return Err(StoreError::Invalid(format!("{what} contains a NUL character")));
    }
    Ok(())
}

pub(crate) fn encode_value(value: &serde_json::Value) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid(format!("value does not serialize: {e}")))
}

pub(crate) fn decode_value(kind: &str, key: &str, text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{kind}/{key}: stored value is not JSON: {e}")))
}

/// Converts a page size to SQL's `LIMIT` type.
pub(crate) fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// The store's change counters ([`Store::change_counters`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeCounters {
    /// [`Store::change_counter`].
    pub total: u64,
    /// By kind; a kind never written has no entry (zero).
    pub kinds: std::collections::BTreeMap<String, u64>,
}

impl ChangeCounters {
    /// The sum of some kinds' counters: it moves whenever a commit changes a record of any of them.
    pub fn of(&self, kinds: &[&str]) -> u64 {
        kinds.iter().filter_map(|k| self.kinds.get(*k)).sum()
    }

    /// Reads the rows of `meta` that [`READ_COUNTERS`](crate::migrations::READ_COUNTERS) selects.
    pub(crate) fn from_rows(rows: impl IntoIterator<Item = (String, i64)>) -> Result<ChangeCounters, StoreError> {
        let mut out = ChangeCounters::default();
        for (name, value) in rows {
            let value = u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("counter {name} is {value}")))?;
            match name.strip_prefix(crate::migrations::KIND_COUNTER_PREFIX) {
                Some(kind) => {
                    out.kinds.insert(kind.to_string(), value);
                }
                None => out.total = value,
            }
        }
        Ok(out)
    }
}

/// The `wrote` / first-error bookkeeping that both backends' transactions share.
#[derive(Default)]
pub(crate) struct TxState {
    /// The kinds whose records some operation changed: the commit bumps the change counter and theirs.
    pub written: std::collections::BTreeSet<String>,
    /// The first error any operation returned; it forces a rollback.
    pub failed: Option<StoreError>,
}

impl TxState {
    /// Notes a changed record of `kind`.
    pub fn wrote(&mut self, kind: &str) {
        if !self.written.contains(kind) {
            self.written.insert(kind.to_string());
        }
    }

    /// Records the first error of the transaction and passes the result on.
    pub fn track<T>(&mut self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Err(e) = &r {
            if self.failed.is_none() {
                self.failed = Some(e.clone());
            }
        }
        r
    }
}
