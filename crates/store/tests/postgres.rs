//! The storage test suite on PostgreSQL, each check in a fresh schema of the database named by
//! `SAGEGATE_TEST_POSTGRES_URL` (`scripts/postgres` starts a throwaway server and prints one). Without the
//! variable every test prints why it is skipped and passes.

use sagegate_store::testsuite::{self, TestDb};

fn fresh() -> Option<TestDb> {
    testsuite::postgres_test_db()
}

sagegate_store::store_suite!(fresh);

#[test]
fn open_picks_postgres() {
    let Ok(url) = std::env::var(testsuite::POSTGRES_URL_VAR) else {
        testsuite::say_skipped("the PostgreSQL store tests");
        return;
    };
    // Uses the database's default schema, like `sagegate serve --database URL`.
    testsuite::open_dispatches(&url, "postgres");
    let alt = url.replacen("postgres://", "postgresql://", 1);
    testsuite::open_dispatches(&alt, "postgres");
}

#[test]
fn bad_url_is_an_error() {
    let r = sagegate_store::open("postgres://127.0.0.1:1/nothing?connect_timeout=2");
    assert!(matches!(r, Err(sagegate_store::StoreError::Backend(_))), "{:?}", r.err());
    let r = sagegate_store::open("postgres://[bad");
    assert!(r.is_err());
}

/// Pooled connections killed behind the store's back (as by a server restart) are replaced transparently.
#[test]
fn reconnects_after_connections_are_killed() {
    use sagegate_store::{PostgresOptions, PostgresStore, Store};
    let Ok(url) = std::env::var(testsuite::POSTGRES_URL_VAR) else {
        testsuite::say_skipped("the PostgreSQL store tests");
        return;
    };
    let app = format!("sg_kill_{}", std::process::id());
    let sep = if url.contains('?') { '&' } else { '?' };
    let schema = format!("sg_test_kill_{}", std::process::id());
    let options = PostgresOptions { schema: Some(schema.clone()), ..PostgresOptions::default() };
    let store = PostgresStore::open_with(&format!("{url}{sep}application_name={app}"), options).unwrap();
    // Several pooled connections.
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                store
                    .transaction(&mut |t| {
                        t.get("a", "k")?;
                        std::thread::sleep(std::time::Duration::from_millis(50));
                        Ok(())
                    })
                    .unwrap()
            });
        }
    });
    store.transaction(&mut |t| t.put("a", "k", &serde_json::json!(1))).unwrap();
    let c = store.change_counter().unwrap();

    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let kill =
        format!("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{app}'");
    let killed: i64 = admin.query_one(&kill, &[]).unwrap().get(0);
    assert!(killed >= 1, "no connection to kill");
    assert_eq!(store.change_counter().unwrap(), c);

    admin.query_one(&kill, &[]).unwrap();
    store.transaction(&mut |t| t.put("a", "k", &serde_json::json!(2))).unwrap();
    assert_eq!(store.change_counter().unwrap(), c + 1);
    drop(store);
    admin.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).unwrap();
}
