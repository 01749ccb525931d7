//! The SQLite backend: one connection to a WAL-mode file, `BEGIN IMMEDIATE` transactions.
//!
//! Inside a process the connection sits behind a mutex, so transactions run one at a time. Across processes
//! (or several `SqliteStore`s on one file) SQLite's file locks serialize writers: `BEGIN IMMEDIATE` takes the
//! write lock up front and waits up to [`BUSY_TIMEOUT`] for it, so a transaction never has to be retried.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};

use crate::keyrange::{lower_bound, prefix_upper_bound};
use crate::migrations::{
    latest_version, too_new, BUMP_COUNTER, KIND_COUNTER_PREFIX, MIGRATIONS, READ_COUNTER, READ_COUNTERS,
};
use crate::{
    check_kind, check_kind_key, check_text, decode_value, encode_value, sql_limit, AppliedMigration, ChangeCounters,
    Store, StoreError, Tx, TxState,
};

/// How long a transaction waits for another connection's write lock before failing with
/// [`StoreError::Conflict`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A [`Store`] in a SQLite file (or `:memory:`).
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

fn sq(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(fe, _)
            if matches!(fe.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
        {
            StoreError::Conflict(format!("sqlite: {e}"))
        }
        _ => StoreError::Backend(format!("sqlite: {e}")),
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`, switches it to WAL mode and applies pending
    /// migrations.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        create_private(path)?;
        let mut conn = Connection::open(path)
            .map_err(|e| StoreError::Backend(format!("sqlite: cannot open {}: {e}", path.display())))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sq)?;
        // WAL: readers do not block the writer and vice versa. `:memory:` answers "memory"; that is fine.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(sq)?;
        // FULL: a committed transaction survives a power cut, not only a crash of the process.
        conn.pragma_update(None, "synchronous", "FULL").map_err(sq)?;
        migrate(&mut conn)?;
        Ok(SqliteStore { conn: Mutex::new(conn) })
    }

    /// The connection, usable even after a panic in another thread's closure (whose transaction is rolled
    /// back here if it was left open).
    fn lock(&self) -> MutexGuard<'_, Connection> {
        let guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        if !guard.is_autocommit() {
            // Best effort: if this fails the next BEGIN fails too and reports it.
            let _ = guard.execute_batch("ROLLBACK");
        }
        guard
    }
}

/// Creates the database file readable by its owner only (it holds secret keys); SQLite gives the `-wal` and
/// `-shm` files the same mode. An existing file is left alone.
fn create_private(path: &Path) -> Result<(), StoreError> {
    if path.as_os_str() == ":memory:" || path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        // Another process created it first: fine.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Backend(format!("sqlite: cannot create {}: {e}", path.display()))),
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY NOT NULL,
            name       TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )
    .map_err(sq)?;
    let current: i64 =
        tx.query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |r| r.get(0)).map_err(sq)?;
    if current > i64::from(latest_version()) {
        return Err(too_new(current));
    }
    for m in MIGRATIONS.iter().filter(|m| i64::from(m.version) > current) {
        tx.execute_batch(m.sqlite)
            .map_err(|e| StoreError::Backend(format!("sqlite: migration {} failed: {e}", m.version)))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at)
             VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
            params![m.version, m.name],
        )
        .map_err(sq)?;
    }
    tx.commit().map_err(sq)
}

impl Store for SqliteStore {
    fn transaction(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        let mut stx = SqliteTx { tx: &tx, state: TxState::default() };
        let result = f(&mut stx);
        let state = stx.state;
        // Dropping `tx` without committing rolls back.
        if let Some(e) = state.failed {
            return Err(e);
        }
        result?;
        if !state.written.is_empty() {
            tx.execute(BUMP_COUNTER, []).map_err(sq)?;
            let mut bump = tx
                .prepare_cached(
                    "INSERT INTO meta (name, value) VALUES (?1, 1) ON CONFLICT (name) DO UPDATE SET value = meta.value + 1",
                )
                .map_err(sq)?;
            for kind in &state.written {
                bump.execute(params![format!("{KIND_COUNTER_PREFIX}{kind}")]).map_err(sq)?;
            }
        }
        tx.commit().map_err(sq)
    }

    fn change_counter(&self) -> Result<u64, StoreError> {
        let conn = self.lock();
        let v: i64 = conn.query_row(READ_COUNTER, [], |r| r.get(0)).map_err(sq)?;
        u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("change counter is {v}")))
    }

    fn change_counters(&self) -> Result<ChangeCounters, StoreError> {
        let conn = self.lock();
        let mut st = conn.prepare_cached(READ_COUNTERS).map_err(sq)?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(sq)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sq)?;
        ChangeCounters::from_rows(rows)
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn applied_migrations(&self) -> Result<Vec<AppliedMigration>, StoreError> {
        let conn = self.lock();
        let mut st =
            conn.prepare("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").map_err(sq)?;
        let rows = st
            .query_map([], |r| Ok(AppliedMigration { version: r.get(0)?, name: r.get(1)?, applied_at: r.get(2)? }))
            .map_err(sq)?;
        rows.map(|r| r.map_err(sq)).collect()
    }
}

struct SqliteTx<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    state: TxState,
}

impl SqliteTx<'_> {
    /// Runs one operation unless an earlier one failed (then that error again: the transaction is doomed),
    /// and remembers its error.
    fn run<T>(&mut self, op: impl FnOnce(&mut Self) -> Result<T, StoreError>) -> Result<T, StoreError> {
        if let Some(e) = &self.state.failed {
            return Err(e.clone());
        }
        let r = op(self);
        self.state.track(r)
    }

    fn get_inner(&self, kind: &str, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        check_kind_key(kind, key)?;
        let mut st = self.tx.prepare_cached("SELECT value FROM records WHERE kind = ?1 AND key = ?2").map_err(sq)?;
        let text: Option<String> = st.query_row(params![kind, key], |r| r.get(0)).optional().map_err(sq)?;
        text.map(|t| decode_value(kind, key, &t)).transpose()
    }

    fn put_inner(&mut self, kind: &str, key: &str, value: &serde_json::Value) -> Result<(), StoreError> {
        check_kind_key(kind, key)?;
        let text = encode_value(value)?;
        let mut st = self
            .tx
            .prepare_cached(
                "INSERT INTO records (kind, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value",
            )
            .map_err(sq)?;
        st.execute(params![kind, key, text]).map_err(sq)?;
        self.state.wrote(kind);
        Ok(())
    }

    fn insert_inner(&mut self, kind: &str, key: &str, value: &serde_json::Value) -> Result<bool, StoreError> {
        check_kind_key(kind, key)?;
        let text = encode_value(value)?;
        let mut st = self
            .tx
            .prepare_cached(
                "INSERT INTO records (kind, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kind, key) DO NOTHING",
            )
            .map_err(sq)?;
        let n = st.execute(params![kind, key, text]).map_err(sq)?;
        if n > 0 {
            self.state.wrote(kind);
        }
        Ok(n > 0)
    }

    fn delete_inner(&mut self, kind: &str, key: &str) -> Result<bool, StoreError> {
        check_kind_key(kind, key)?;
        let mut st = self.tx.prepare_cached("DELETE FROM records WHERE kind = ?1 AND key = ?2").map_err(sq)?;
        let n = st.execute(params![kind, key]).map_err(sq)?;
        if n > 0 {
            self.state.wrote(kind);
        }
        Ok(n > 0)
    }

    fn list_inner(
        &self,
        kind: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, serde_json::Value)>, StoreError> {
        check_kind(kind)?;
        check_text("prefix", prefix)?;
        if let Some(s) = start_after {
            check_text("start_after", s)?;
        }
        if limit == 0 {
            return Ok(Vec::new());
        }
        let (lower, inclusive) = lower_bound(prefix, start_after);
        let upper = prefix_upper_bound(prefix);
        let limit = sql_limit(limit);
        let map = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(String, String)> { Ok((r.get(0)?, r.get(1)?)) };
        let rows: Vec<(String, String)> = match (&upper, inclusive) {
            (Some(upper), true) => self
                .tx
                .prepare_cached(
                    "SELECT key, value FROM records WHERE kind = ?1 AND key >= ?2 AND key < ?3
                     ORDER BY key LIMIT ?4",
                )
                .and_then(|mut st| st.query_map(params![kind, lower, upper, limit], map)?.collect()),
            (Some(upper), false) => self
                .tx
                .prepare_cached(
                    "SELECT key, value FROM records WHERE kind = ?1 AND key > ?2 AND key < ?3
                     ORDER BY key LIMIT ?4",
                )
                .and_then(|mut st| st.query_map(params![kind, lower, upper, limit], map)?.collect()),
            (None, true) => self
                .tx
                .prepare_cached(
                    "SELECT key, value FROM records WHERE kind = ?1 AND key >= ?2
                     ORDER BY key LIMIT ?3",
                )
                .and_then(|mut st| st.query_map(params![kind, lower, limit], map)?.collect()),
            (None, false) => self
                .tx
                .prepare_cached(
                    "SELECT key, value FROM records WHERE kind = ?1 AND key > ?2
                     ORDER BY key LIMIT ?3",
                )
                .and_then(|mut st| st.query_map(params![kind, lower, limit], map)?.collect()),
        }
        .map_err(sq)?;
        rows.into_iter()
            .map(|(k, t)| {
                let v = decode_value(kind, &k, &t)?;
                Ok((k, v))
            })
            .collect()
    }

    fn count_inner(&self, kind: &str, prefix: &str) -> Result<u64, StoreError> {
        check_kind(kind)?;
        check_text("prefix", prefix)?;
        let n: i64 = match prefix_upper_bound(prefix) {
            Some(upper) => self
                .tx
                .prepare_cached("SELECT count(*) FROM records WHERE kind = ?1 AND key >= ?2 AND key < ?3")
                .and_then(|mut st| st.query_row(params![kind, prefix, upper], |r| r.get(0))),
            None => self
                .tx
                .prepare_cached("SELECT count(*) FROM records WHERE kind = ?1 AND key >= ?2")
                .and_then(|mut st| st.query_row(params![kind, prefix], |r| r.get(0))),
        }
        .map_err(sq)?;
        u64::try_from(n).map_err(|_| StoreError::Backend(format!("sqlite: count is {n}")))
    }
}

impl Tx for SqliteTx<'_> {
    fn get(&mut self, kind: &str, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        self.run(|s| s.get_inner(kind, key))
    }

    fn put(&mut self, kind: &str, key: &str, value: &serde_json::Value) -> Result<(), StoreError> {
        self.run(|s| s.put_inner(kind, key, value))
    }

    fn insert(&mut self, kind: &str, key: &str, value: &serde_json::Value) -> Result<bool, StoreError> {
        self.run(|s| s.insert_inner(kind, key, value))
    }

    fn delete(&mut self, kind: &str, key: &str) -> Result<bool, StoreError> {
        self.run(|s| s.delete_inner(kind, key))
    }

    fn list(
        &mut self,
        kind: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, serde_json::Value)>, StoreError> {
        self.run(|s| s.list_inner(kind, prefix, start_after, limit))
    }

    fn count(&mut self, kind: &str, prefix: &str) -> Result<u64, StoreError> {
        self.run(|s| s.count_inner(kind, prefix))
    }
}
