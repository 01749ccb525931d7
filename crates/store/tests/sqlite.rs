//! The storage test suite on SQLite: each check on a fresh database file in a temporary directory.

use sagegate_store::testsuite::{self, TestDb};

fn fresh() -> Option<TestDb> {
    Some(testsuite::sqlite_temp_db())
}

sagegate_store::store_suite!(fresh);

#[test]
fn open_picks_sqlite() {
    let db = testsuite::sqlite_temp_db();
    let dir = std::env::temp_dir().join(format!("sagegate-store-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("x.db");
    let path = path.to_str().unwrap();
    testsuite::open_dispatches(path, "sqlite");
    testsuite::open_dispatches(&format!("sqlite://{path}"), "sqlite");
    testsuite::open_dispatches(":memory:", "sqlite");
    assert!(matches!(sagegate_store::open(""), Err(sagegate_store::StoreError::Invalid(_))));
    let _ = std::fs::remove_dir_all(&dir);
    drop(db);
}

#[test]
fn file_is_in_wal_mode() {
    let db = testsuite::sqlite_temp_db();
    let _store = db.open();
    let wal = std::path::Path::new(db.label()).with_extension("db-wal");
    assert!(wal.exists(), "{} missing", wal.display());
}

#[test]
fn in_memory_database_works() {
    let store = sagegate_store::open(":memory:").unwrap();
    store.transaction(&mut |t| t.put("a", "b", &serde_json::json!(1))).unwrap();
    assert_eq!(store.change_counter().unwrap(), 1);
}

#[cfg(unix)]
#[test]
fn new_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let db = testsuite::sqlite_temp_db();
    let store = db.open();
    store.transaction(&mut |t| t.put("a", "b", &serde_json::json!(1))).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", db.label());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{path}");
    }
}
