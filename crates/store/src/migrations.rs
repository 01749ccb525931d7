//! The versioned schema migrations, one list for both backends (same versions, dialect-specific SQL).
//!
//! Rules: never edit or reorder a released migration; append a new one with the next version. Each runs once,
//! inside the transaction that records it in `schema_migrations`, while concurrent openers wait (SQLite:
//! `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock).

/// One schema change.
pub(crate) struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// Every migration, in order, versions 1, 2, 3 … without gaps.
pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "records, meta and the change counter",
    sqlite: "
        CREATE TABLE records (
            kind  TEXT NOT NULL COLLATE BINARY,
            key   TEXT NOT NULL COLLATE BINARY,
            value TEXT NOT NULL,
            PRIMARY KEY (kind, key)
        ) WITHOUT ROWID;
        CREATE TABLE meta (
            name  TEXT PRIMARY KEY NOT NULL,
            value INTEGER NOT NULL
        );
        INSERT INTO meta (name, value) VALUES ('change_counter', 0);
    ",
    postgres: r#"
        CREATE TABLE records (
            kind  TEXT COLLATE "C" NOT NULL,
            key   TEXT COLLATE "C" NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (kind, key)
        );
        CREATE TABLE meta (
            name  TEXT COLLATE "C" PRIMARY KEY,
            value BIGINT NOT NULL
        );
        INSERT INTO meta (name, value) VALUES ('change_counter', 0);
    "#,
}];

/// The newest schema version this build knows.
pub(crate) fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The error for a database migrated by a newer sagegate.
pub(crate) fn too_new(found: i64) -> crate::StoreError {
    crate::StoreError::Backend(format!(
        "the database schema is at version {found}, newer than this build of sagegate knows ({}); upgrade sagegate",
        latest_version()
    ))
}

/// Statements without parameters, identical on both backends.
pub(crate) const BUMP_COUNTER: &str = "UPDATE meta SET value = value + 1 WHERE name = 'change_counter'";
pub(crate) const READ_COUNTER: &str = "SELECT value FROM meta WHERE name = 'change_counter'";
/// The change counter and every per-kind counter (rows `kind:<kind>`, created by a kind's first write), in one
/// statement so that they are read at one instant.
pub(crate) const READ_COUNTERS: &str =
    "SELECT name, value FROM meta WHERE name = 'change_counter' OR name LIKE 'kind:%'";
pub(crate) const KIND_COUNTER_PREFIX: &str = "kind:";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1);
        }
    }
}
