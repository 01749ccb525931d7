//! The PostgreSQL backend: a small connection pool, REPEATABLE READ transactions retried on serialization
//! failures, and a change counter row that every writing transaction updates.
//!
//! Because every writing transaction updates the same `meta` row, two concurrent writers always conflict and
//! one of them is rolled back and retried (error 40001): writers are serialized, so REPEATABLE READ gives
//! serializable behaviour for them, and read-only transactions see a consistent snapshot that never blocks.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config, IsolationLevel, NoTls};

use crate::backoff::sleep_before_retry;
use crate::keyrange::{lower_bound, prefix_upper_bound};
use crate::migrations::{
    latest_version, too_new, BUMP_COUNTER, KIND_COUNTER_PREFIX, MIGRATIONS, READ_COUNTER, READ_COUNTERS,
};
use crate::{
    check_kind, check_kind_key, check_text, decode_value, encode_value, sql_limit, AppliedMigration, ChangeCounters,
    Store, StoreError, Tx, TxState, MAX_ATTEMPTS,
};

/// The advisory lock that serializes migrations of every sagegate schema in a database.
const MIGRATION_LOCK: i64 = 0x5361_6765_6761_7465; // "Sagegate"
/// How long a transaction waits for a free pooled connection.
const POOL_WAIT: Duration = Duration::from_secs(30);

/// Settings beyond the URL.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// Keep the tables in this schema (created if missing) instead of the first schema of the search path.
    /// Letters, digits and `_` only, at most 63 bytes. Lets several deployments or test runs share a database.
    pub schema: Option<String>,
    /// Most connections open at once (transactions beyond that wait for a free one). Default 16.
    pub max_connections: usize,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions { schema: None, max_connections: 16 }
    }
}

/// A [`Store`] in a PostgreSQL database.
pub struct PostgresStore {
    config: Config,
    schema: Option<String>,
    max_connections: usize,
    pool: Mutex<Pool>,
    freed: Condvar,
}

impl std::fmt::Debug for PostgresStore {
    // The config holds the password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

struct Pool {
    idle: Vec<Client>,
    /// Connections in existence: idle ones plus those lent out.
    open: usize,
}

/// A connection lent out by the pool; returned (or discarded if broken) when dropped.
struct Lease<'a> {
    store: &'a PostgresStore,
    client: Option<Client>,
}

impl Lease<'_> {
    /// Closes the connection instead of returning it to the pool, and the idle ones too: when one
    /// connection was lost (a server restart) the others usually were as well.
    fn discard(&mut self) {
        let lost = usize::from(self.client.take().is_some());
        let mut pool = self.store.lock_pool();
        let idle = std::mem::take(&mut pool.idle);
        pool.open = pool.open.saturating_sub(lost + idle.len());
        drop(pool);
        drop(idle);
        self.store.freed.notify_all();
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            self.store.give_back(client);
        }
    }
}

fn is_retryable(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    )
}

/// The connection is gone (server restarted, connection killed): a fresh one may work.
fn connection_lost(e: &postgres::Error) -> bool {
    e.is_closed()
        || matches!(
            e.code(),
            Some(c) if *c == SqlState::ADMIN_SHUTDOWN
                || *c == SqlState::CRASH_SHUTDOWN
                || *c == SqlState::CANNOT_CONNECT_NOW
                || c.code().starts_with("08")
        )
}

fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("postgres: {} ({})", db.message(), db.code().code()),
        None => {
            let mut s = format!("postgres: {e}");
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                s.push_str(": ");
                s.push_str(&inner.to_string());
                src = inner.source();
            }
            s
        }
    }
}

fn pg(e: postgres::Error) -> StoreError {
    if is_retryable(&e) {
        StoreError::Conflict(describe(&e))
    } else {
        StoreError::Backend(describe(&e))
    }
}

fn valid_schema(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !s.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

/// Converts a row count or counter from PostgreSQL's signed integers.
fn unsigned(what: &str, v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("{what} is {v}")))
}

enum Outcome {
    Done(Result<(), StoreError>),
    /// A serialization conflict: run the closure again after a pause.
    Retry(String),
    /// The pooled connection was dead before anything ran: run again at once on a new one.
    Reconnect(String),
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/dbname?…`, no TLS) and applies pending
    /// migrations.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, PostgresOptions::default())
    }

    /// [`PostgresStore::open`] with options.
    pub fn open_with(url: &str, options: PostgresOptions) -> Result<Self, StoreError> {
        let mut config: Config = url.parse().map_err(|e| StoreError::Invalid(format!("postgres URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("sagegate");
        }
        if let Some(s) = &options.schema {
            if !valid_schema(s) {
                return Err(StoreError::Invalid(format!(
                    "postgres schema {s:?}: use letters, digits and _ (at most 63)"
                )));
            }
        }
        let store = PostgresStore {
            config,
            schema: options.schema,
            max_connections: options.max_connections.max(1),
            pool: Mutex::new(Pool { idle: Vec::new(), open: 0 }),
            freed: Condvar::new(),
        };
        let mut client = store.connect()?;
        migrate(&mut client, store.schema.as_deref())?;
        {
            let mut pool = store.lock_pool();
            pool.open += 1;
        }
        store.give_back(client);
        Ok(store)
    }

    fn connect(&self) -> Result<Client, StoreError> {
        let mut client = self.config.connect(NoTls).map_err(pg)?;
        if let Some(s) = &self.schema {
            client.batch_execute(&format!("SET search_path TO \"{s}\"")).map_err(pg)?;
        }
        Ok(client)
    }

    fn lock_pool(&self) -> MutexGuard<'_, Pool> {
        self.pool.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn give_back(&self, client: Client) {
        let mut pool = self.lock_pool();
        if client.is_closed() {
            pool.open = pool.open.saturating_sub(1);
        } else {
            pool.idle.push(client);
        }
        drop(pool);
        self.freed.notify_one();
    }

    /// A pooled connection, a new one if the pool is below its size, or else the next one given back.
    fn lease(&self) -> Result<Lease<'_>, StoreError> {
        let deadline = Instant::now() + POOL_WAIT;
        let mut pool = self.lock_pool();
        loop {
            if let Some(client) = pool.idle.pop() {
                if client.is_closed() {
                    pool.open = pool.open.saturating_sub(1);
                    continue;
                }
                return Ok(Lease { store: self, client: Some(client) });
            }
            if pool.open < self.max_connections {
                pool.open += 1;
                drop(pool);
                return match self.connect() {
                    Ok(client) => Ok(Lease { store: self, client: Some(client) }),
                    Err(e) => {
                        let mut pool = self.lock_pool();
                        pool.open = pool.open.saturating_sub(1);
                        drop(pool);
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Backend(format!(
                    "postgres: all {} connections stayed busy for {} s",
                    self.max_connections,
                    POOL_WAIT.as_secs()
                )));
            }
            pool = self.freed.wait_timeout(pool, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// Runs `f` with a pooled connection; a connection that turned out broken is replaced once.
    fn with_client<R>(&self, mut f: impl FnMut(&mut Client) -> Result<R, postgres::Error>) -> Result<R, StoreError> {
        let mut lease = self.lease()?;
        let Some(client) = lease.client.as_mut() else {
            return Err(StoreError::Backend("postgres: empty lease".into()));
        };
        match f(client) {
            Err(e) if connection_lost(&e) => {
                lease.discard();
                drop(lease);
                let mut lease = self.lease()?;
                let Some(client) = lease.client.as_mut() else {
                    return Err(StoreError::Backend("postgres: empty lease".into()));
                };
                f(client).map_err(pg)
            }
            r => r.map_err(pg),
        }
    }

    fn attempt(client: &mut Client, f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>) -> Outcome {
        let mut t = match client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).start() {
            Ok(t) => t,
            // A pooled connection the server has closed: try again on a fresh one.
            Err(e) if connection_lost(&e) => return Outcome::Reconnect(describe(&e)),
            Err(e) if is_retryable(&e) => return Outcome::Retry(describe(&e)),
            Err(e) => return Outcome::Done(Err(pg(e))),
        };
        let mut ptx = PgTx { t: &mut t, state: TxState::default() };
        let result = f(&mut ptx);
        let state = ptx.state;
        if let Some(e) = state.failed {
            let _ = t.rollback();
            return match e {
                StoreError::Conflict(m) => Outcome::Retry(m),
                e => Outcome::Done(Err(e)),
            };
        }
        if let Err(e) = result {
            let _ = t.rollback();
            return Outcome::Done(Err(e));
        }
        if !state.written.is_empty() {
            let bumped = t.execute_typed(BUMP_COUNTER, &[]).and_then(|_| {
                for kind in &state.written {
                    let name = format!("{KIND_COUNTER_PREFIX}{kind}");
                    t.execute_typed(
                        "INSERT INTO meta (name, value) VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET value = meta.value + 1",
                        &[(&name, Type::TEXT)],
                    )?;
                }
                Ok(())
            });
            if let Err(e) = bumped {
                let _ = t.rollback();
                return if is_retryable(&e) { Outcome::Retry(describe(&e)) } else { Outcome::Done(Err(pg(e))) };
            }
        }
        match t.commit() {
            Ok(()) => Outcome::Done(Ok(())),
            Err(e) if is_retryable(&e) => Outcome::Retry(describe(&e)),
            Err(e) if !state.written.is_empty() => {
                Outcome::Done(Err(StoreError::Backend(format!("commit outcome unknown: {}", describe(&e)))))
            }
            Err(e) => Outcome::Done(Err(pg(e))),
        }
    }
}

fn migrate(client: &mut Client, schema: Option<&str>) -> Result<(), StoreError> {
    // A session lock, taken before anything else: concurrent openers (several servers starting at once)
    // wait here instead of racing on CREATE TABLE IF NOT EXISTS.
    client.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).map_err(pg)?;
    let result = migrate_locked(client, schema);
    let unlocked = client.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")).map_err(pg);
    result?;
    unlocked
}

fn migrate_locked(client: &mut Client, schema: Option<&str>) -> Result<(), StoreError> {
    if let Some(s) = schema {
        client.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{s}\"")).map_err(pg)?;
    }
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )",
        )
        .map_err(pg)?;
    let mut t = client.transaction().map_err(pg)?;
    let current: i32 = t
        .query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[])
        .and_then(|row| row.try_get(0))
        .map_err(pg)?;
    if i64::from(current) > i64::from(latest_version()) {
        return Err(too_new(i64::from(current)));
    }
    for m in MIGRATIONS.iter().filter(|m| i64::from(m.version) > i64::from(current)) {
        t.batch_execute(m.postgres)
            .map_err(|e| StoreError::Backend(format!("migration {} failed: {}", m.version, describe(&e))))?;
        let version =
            i32::try_from(m.version).map_err(|_| StoreError::Backend(format!("migration version {}", m.version)))?;
        t.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", &[&version, &m.name]).map_err(pg)?;
    }
    t.commit().map_err(pg)
}

impl Store for PostgresStore {
    fn transaction(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let mut attempt = 0;
        let mut reconnected = false;
        loop {
            attempt += 1;
            let outcome = {
                let mut lease = self.lease()?;
                let outcome = match lease.client.as_mut() {
                    Some(client) => Self::attempt(client, f),
                    None => Outcome::Done(Err(StoreError::Backend("postgres: empty lease".into()))),
                };
                if matches!(outcome, Outcome::Reconnect(_)) {
                    lease.discard();
                }
                outcome
            };
            match outcome {
                Outcome::Done(r) => return r,
                Outcome::Reconnect(m) if reconnected => {
                    return Err(StoreError::Backend(format!("connection lost: {m}")))
                }
                Outcome::Reconnect(_) => reconnected = true,
                Outcome::Retry(m) if attempt >= MAX_ATTEMPTS => {
                    return Err(StoreError::Conflict(format!("gave up after {attempt} attempts: {m}")))
                }
                Outcome::Retry(_) => sleep_before_retry(attempt),
            }
        }
    }

    fn change_counter(&self) -> Result<u64, StoreError> {
        let v: i64 = self.with_client(|c| c.query_typed_one(READ_COUNTER, &[])?.try_get(0))?;
        unsigned("change counter", v)
    }

    fn change_counters(&self) -> Result<ChangeCounters, StoreError> {
        let rows = self.with_client(|c| {
            c.query_typed(READ_COUNTERS, &[])?
                .iter()
                .map(|r| Ok((r.try_get::<_, String>(0)?, r.try_get::<_, i64>(1)?)))
                .collect::<Result<Vec<_>, postgres::Error>>()
        })?;
        ChangeCounters::from_rows(rows)
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn applied_migrations(&self) -> Result<Vec<AppliedMigration>, StoreError> {
        let rows = self.with_client(|c| {
            c.query_typed(
                r#"SELECT version, name,
                          to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                   FROM schema_migrations ORDER BY version"#,
                &[],
            )
        })?;
        rows.iter()
            .map(|r| {
                let version: i32 = r.try_get(0).map_err(pg)?;
                Ok(AppliedMigration {
                    version: u32::try_from(version)
                        .map_err(|_| StoreError::Corrupt(format!("migration version {version}")))?,
                    name: r.try_get(1).map_err(pg)?,
                    applied_at: r.try_get(2).map_err(pg)?,
                })
            })
            .collect()
    }
}

struct PgTx<'t, 'c> {
    t: &'t mut postgres::Transaction<'c>,
    state: TxState,
}

type Params<'p> = [(&'p (dyn ToSql + Sync), Type)];

impl PgTx<'_, '_> {
    /// Runs one operation unless an earlier one failed (then that error again: the transaction is doomed),
    /// and remembers its error.
    fn run<T>(&mut self, op: impl FnOnce(&mut Self) -> Result<T, StoreError>) -> Result<T, StoreError> {
        if let Some(e) = &self.state.failed {
            return Err(e.clone());
        }
        let r = op(self);
        self.state.track(r)
    }

    fn rows(&mut self, sql: &str, params: &Params<'_>) -> Result<Vec<postgres::Row>, StoreError> {
        self.t.query_typed(sql, params).map_err(pg)
    }

    fn exec(&mut self, sql: &str, params: &Params<'_>) -> Result<u64, StoreError> {
        self.t.execute_typed(sql, params).map_err(pg)
    }

    fn get_inner(&mut self, kind: &str, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        check_kind_key(kind, key)?;
        let row = self
            .t
            .query_typed_opt(
                "SELECT value FROM records WHERE kind = $1 AND key = $2",
                &[(&kind, Type::TEXT), (&key, Type::TEXT)],
            )
            .map_err(pg)?;
        match row {
            None => Ok(None),
            Some(r) => {
                let text: &str = r.try_get(0).map_err(pg)?;
                decode_value(kind, key, text).map(Some)
            }
        }
    }

    fn put_inner(&mut self, kind: &str, key: &str, value: &serde_json::Value) -> Result<(), StoreError> {
        check_kind_key(kind, key)?;
        let text = encode_value(value)?;
        self.exec(
            "INSERT INTO records (kind, key, value) VALUES ($1, $2, $3)
             ON CONFLICT (kind, key) DO UPDATE SET value = EXCLUDED.value",
            &[(&kind, Type::TEXT), (&key, Type::TEXT), (&text, Type::TEXT)],
        )?;
        self.state.wrote(kind);
        Ok(())
    }

    fn insert_inner(&mut self, kind: &str, key: &str, value: &serde_json::Value) -> Result<bool, StoreError> {
        check_kind_key(kind, key)?;
        let text = encode_value(value)?;
        let n = self.exec(
            "INSERT INTO records (kind, key, value) VALUES ($1, $2, $3)
             ON CONFLICT (kind, key) DO NOTHING",
            &[(&kind, Type::TEXT), (&key, Type::TEXT), (&text, Type::TEXT)],
        )?;
        if n > 0 {
            self.state.wrote(kind);
        }
        Ok(n > 0)
    }

    fn delete_inner(&mut self, kind: &str, key: &str) -> Result<bool, StoreError> {
        check_kind_key(kind, key)?;
        let n =
            self.exec("DELETE FROM records WHERE kind = $1 AND key = $2", &[(&kind, Type::TEXT), (&key, Type::TEXT)])?;
        if n > 0 {
            self.state.wrote(kind);
        }
        Ok(n > 0)
    }

    fn list_inner(
        &mut self,
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
        let rows = match (&upper, inclusive) {
            (Some(upper), true) => self.rows(
                "SELECT key, value FROM records WHERE kind = $1 AND key >= $2 AND key < $3
                 ORDER BY key LIMIT $4",
                &[(&kind, Type::TEXT), (&lower, Type::TEXT), (upper, Type::TEXT), (&limit, Type::INT8)],
            ),
            (Some(upper), false) => self.rows(
                "SELECT key, value FROM records WHERE kind = $1 AND key > $2 AND key < $3
                 ORDER BY key LIMIT $4",
                &[(&kind, Type::TEXT), (&lower, Type::TEXT), (upper, Type::TEXT), (&limit, Type::INT8)],
            ),
            (None, true) => self.rows(
                "SELECT key, value FROM records WHERE kind = $1 AND key >= $2
                 ORDER BY key LIMIT $3",
                &[(&kind, Type::TEXT), (&lower, Type::TEXT), (&limit, Type::INT8)],
            ),
            (None, false) => self.rows(
                "SELECT key, value FROM records WHERE kind = $1 AND key > $2
                 ORDER BY key LIMIT $3",
                &[(&kind, Type::TEXT), (&lower, Type::TEXT), (&limit, Type::INT8)],
            ),
        }?;
        rows.iter()
            .map(|r| {
                let key: String = r.try_get(0).map_err(pg)?;
                let text: &str = r.try_get(1).map_err(pg)?;
                let v = decode_value(kind, &key, text)?;
                Ok((key, v))
            })
            .collect()
    }

    fn count_inner(&mut self, kind: &str, prefix: &str) -> Result<u64, StoreError> {
        check_kind(kind)?;
        check_text("prefix", prefix)?;
        let rows = match prefix_upper_bound(prefix) {
            Some(upper) => self.rows(
                "SELECT count(*) FROM records WHERE kind = $1 AND key >= $2 AND key < $3",
                &[(&kind, Type::TEXT), (&prefix, Type::TEXT), (&upper, Type::TEXT)],
            ),
            None => self.rows(
                "SELECT count(*) FROM records WHERE kind = $1 AND key >= $2",
                &[(&kind, Type::TEXT), (&prefix, Type::TEXT)],
            ),
        }?;
        let n: i64 = match rows.first() {
            Some(r) => r.try_get(0).map_err(pg)?,
            None => 0,
        };
        unsigned("count", n)
    }
}

impl Tx for PgTx<'_, '_> {
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
