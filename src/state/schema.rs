//! The state file's SQLite schema: the ordered list of migrations, recognising whether a file is
//! an ecsform state and at which schema version, and bringing it up to date in one transaction.
//! It does not read or write resources, outputs, history or the lock.

use std::path::Path;

use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior};

use super::error::StateError;
use super::sql_err;

/// The value of `meta.format` that marks a file as ours.
pub(crate) const FORMAT: &str = "ecsform-state";

/// One step of the schema: the SQL that takes a state from `version - 1` to `version`.
#[derive(Clone, Copy)]
pub(crate) struct Migration {
    /// The schema version after this step.
    pub version: i64,
    /// The statements of the step, run with `execute_batch`.
    pub sql: &'static str,
}

/// Every migration, oldest first. Append new steps; never edit a released one, because files
/// already migrated by it will not run it again.
pub(crate) const MIGRATIONS: &[Migration] = &[V1, V2, V3, V4];

const V1: Migration = Migration {
    version: 1,
    sql: r#"
CREATE TABLE meta (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    format         TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    lineage        TEXT    NOT NULL,
    serial         INTEGER NOT NULL
);
CREATE TABLE resources (
    address        TEXT    NOT NULL PRIMARY KEY,
    mode           TEXT    NOT NULL CHECK (mode IN ('managed', 'data')),
    type           TEXT    NOT NULL,
    module_path    TEXT    NOT NULL,
    index_key      TEXT    NOT NULL,
    id             TEXT,
    attributes     TEXT    NOT NULL,
    dependencies   TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('ready', 'tainted', 'creating')),
    schema_version INTEGER NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE TABLE outputs (
    name      TEXT    NOT NULL PRIMARY KEY,
    value     TEXT    NOT NULL,
    sensitive INTEGER NOT NULL CHECK (sensitive IN (0, 1))
);
CREATE TABLE history (
    id         INTEGER PRIMARY KEY,
    applied_at TEXT    NOT NULL,
    action     TEXT    NOT NULL
               CHECK (action IN ('create', 'update', 'replace', 'delete', 'read')),
    address    TEXT    NOT NULL,
    before     TEXT,
    after      TEXT,
    serial     INTEGER NOT NULL
);
CREATE TABLE lock (
    slot       INTEGER PRIMARY KEY CHECK (slot = 1),
    id         TEXT    NOT NULL,
    pid        INTEGER NOT NULL,
    host       TEXT    NOT NULL,
    command    TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
"#,
};

/// History rows for `state rm` and `state mv`: a `moved_from` column, and the list of actions
/// checked in Rust (`records::ACTIONS`) instead of in a CHECK constraint, so that a new kind of
/// change needs no migration. SQLite cannot change a constraint in place: the table is copied.
const V2: Migration = Migration {
    version: 2,
    sql: r#"
CREATE TABLE history_v2 (
    id         INTEGER PRIMARY KEY,
    applied_at TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    before     TEXT,
    after      TEXT,
    serial     INTEGER NOT NULL,
    moved_from TEXT
);
INSERT INTO history_v2 (id, applied_at, action, address, before, after, serial)
    SELECT id, applied_at, action, address, before, after, serial FROM history;
DROP TABLE history;
ALTER TABLE history_v2 RENAME TO history;
"#,
};

/// Where each instance's sensitive values are (Terraform's `sensitive_attributes`): JSON
/// paths into its attributes, kept for the instance and for each history row, so that views of
/// the state mask values that came from sensitive variables without the configuration.
const V3: Migration = Migration {
    version: 3,
    sql: r#"
ALTER TABLE resources ADD COLUMN sensitive_paths TEXT NOT NULL DEFAULT '[]';
ALTER TABLE history ADD COLUMN sensitive_paths TEXT NOT NULL DEFAULT '[]';
"#,
};

/// The undo log behind `state rollback`, kept by triggers so that no write can forget it: one
/// `revisions` row per serial, and for every row of `resources` or `outputs` a write inserts,
/// changes or deletes, the row as it was before (`present = 0`: there was none). Undoing the
/// log of the serials after N, newest first, gives the state at serial N. A state migrated from
/// version 3 has no log for its earlier serials (no `revisions` rows), which is how a rollback
/// that far back is refused. The lock row also records the holder's process start time, so
/// that a lock left by a process whose PID was reused is still recognised as stale.
const V4: Migration = Migration {
    version: 4,
    sql: r#"
ALTER TABLE lock ADD COLUMN process_start TEXT;
ALTER TABLE history ADD COLUMN rollback_to INTEGER;
CREATE TABLE revisions (
    serial     INTEGER PRIMARY KEY,
    written_at TEXT    NOT NULL
);
CREATE TABLE resources_undo (
    seq            INTEGER PRIMARY KEY,
    serial         INTEGER NOT NULL,
    address        TEXT    NOT NULL,
    present        INTEGER NOT NULL CHECK (present IN (0, 1)),
    mode           TEXT,
    type           TEXT,
    module_path    TEXT,
    index_key      TEXT,
    id             TEXT,
    attributes     TEXT,
    dependencies   TEXT,
    status         TEXT,
    schema_version INTEGER,
    updated_at     TEXT,
    sensitive_paths TEXT
);
CREATE INDEX resources_undo_serial ON resources_undo (serial);
CREATE TABLE outputs_undo (
    seq       INTEGER PRIMARY KEY,
    serial    INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    present   INTEGER NOT NULL CHECK (present IN (0, 1)),
    value     TEXT,
    sensitive INTEGER
);
CREATE INDEX outputs_undo_serial ON outputs_undo (serial);
CREATE TRIGGER revisions_log AFTER UPDATE OF serial ON meta
WHEN NEW.serial > OLD.serial
BEGIN
    INSERT OR REPLACE INTO revisions (serial, written_at)
        VALUES (NEW.serial, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
CREATE TRIGGER resources_undo_insert AFTER INSERT ON resources
BEGIN
    INSERT INTO resources_undo (serial, address, present)
        VALUES ((SELECT serial FROM meta WHERE id = 1), NEW.address, 0);
END;
CREATE TRIGGER resources_undo_update AFTER UPDATE ON resources
BEGIN
    INSERT INTO resources_undo (serial, address, present, mode, type, module_path, index_key,
            id, attributes, dependencies, status, schema_version, updated_at, sensitive_paths)
        VALUES ((SELECT serial FROM meta WHERE id = 1), OLD.address, 1, OLD.mode, OLD.type,
            OLD.module_path, OLD.index_key, OLD.id, OLD.attributes, OLD.dependencies,
            OLD.status, OLD.schema_version, OLD.updated_at, OLD.sensitive_paths);
    INSERT INTO resources_undo (serial, address, present)
        SELECT (SELECT serial FROM meta WHERE id = 1), NEW.address, 0
        WHERE NEW.address <> OLD.address;
END;
CREATE TRIGGER resources_undo_delete AFTER DELETE ON resources
BEGIN
    INSERT INTO resources_undo (serial, address, present, mode, type, module_path, index_key,
            id, attributes, dependencies, status, schema_version, updated_at, sensitive_paths)
        VALUES ((SELECT serial FROM meta WHERE id = 1), OLD.address, 1, OLD.mode, OLD.type,
            OLD.module_path, OLD.index_key, OLD.id, OLD.attributes, OLD.dependencies,
            OLD.status, OLD.schema_version, OLD.updated_at, OLD.sensitive_paths);
END;
CREATE TRIGGER outputs_undo_insert AFTER INSERT ON outputs
BEGIN
    INSERT INTO outputs_undo (serial, name, present)
        VALUES ((SELECT serial FROM meta WHERE id = 1), NEW.name, 0);
END;
CREATE TRIGGER outputs_undo_update AFTER UPDATE ON outputs
BEGIN
    INSERT INTO outputs_undo (serial, name, present, value, sensitive)
        VALUES ((SELECT serial FROM meta WHERE id = 1), OLD.name, 1, OLD.value, OLD.sensitive);
    INSERT INTO outputs_undo (serial, name, present)
        SELECT (SELECT serial FROM meta WHERE id = 1), NEW.name, 0
        WHERE NEW.name <> OLD.name;
END;
CREATE TRIGGER outputs_undo_delete AFTER DELETE ON outputs
BEGIN
    INSERT INTO outputs_undo (serial, name, present, value, sensitive)
        VALUES ((SELECT serial FROM meta WHERE id = 1), OLD.name, 1, OLD.value, OLD.sensitive);
END;
"#,
};

/// Every table any migration creates. A file with any other table is not ours.
const TABLES: &[&str] = &[
    "meta",
    "resources",
    "outputs",
    "history",
    "lock",
    "revisions",
    "resources_undo",
    "outputs_undo",
];

/// The schema version the last of `migrations` produces.
pub(crate) fn latest_version(migrations: &[Migration]) -> i64 {
    migrations.last().map_or(0, |m| m.version)
}

/// What `inspect` found in a file.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// An empty file (or an SQLite database with no pages): a state yet to be created.
    Empty,
    /// An ecsform state at this schema version, not newer than we know.
    State { version: i64 },
}

/// Decides whether the database is an empty file or an ecsform state we can use, only reading.
/// Anything else is `NotState` or `NewerSchema`, so the caller leaves the file alone.
///
/// `tableless_is_empty` is for a second look inside our own write transaction on a file that
/// was empty: SQLite sets up page 1 in memory when the transaction starts.
pub(crate) fn inspect(
    conn: &Connection,
    path: &Path,
    known: i64,
    tableless_is_empty: bool,
) -> Result<Found, StateError> {
    let not_state = |reason: &str| StateError::NotState {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let pages: i64 = match conn.query_row("PRAGMA page_count", [], |r| r.get(0)) {
        Ok(n) => n,
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
            return Err(not_state("not an SQLite database"))
        }
        Err(e) => return Err(sql_err(path)(e)),
    };
    if pages == 0 {
        return Ok(Found::Empty);
    }

    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .map_err(sql_err(path))?;
    if tables.is_empty() && tableless_is_empty {
        return Ok(Found::Empty);
    }
    if !tables.iter().any(|t| t == "meta") {
        return Err(not_state(if tables.is_empty() {
            "an SQLite database with no tables"
        } else {
            "an SQLite database without ecsform's meta table"
        }));
    }

    let meta: Option<(String, i64)> = conn
        .query_row(
            "SELECT format, schema_version FROM meta WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|_| not_state("its meta table is not ecsform's"))?;
    let version = match meta {
        Some((format, version)) if format == FORMAT => version,
        _ => return Err(not_state("its meta table has no ecsform-state marker")),
    };
    if version > known {
        return Err(StateError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            known,
        });
    }
    if version < 1 {
        return Err(not_state(&format!("schema version {version} is not valid")));
    }

    tables.retain(|t| !TABLES.contains(&t.as_str()));
    if !tables.is_empty() {
        return Err(not_state(&format!(
            "it has tables ecsform does not use: {}",
            tables.join(", ")
        )));
    }
    Ok(Found::State { version })
}

/// SQLite's `quick_check` of every page: a truncated or partly overwritten file is `Damaged`.
pub(crate) fn quick_check(conn: &Connection, path: &Path) -> Result<(), StateError> {
    let damaged = |detail: String| StateError::Damaged {
        path: path.to_path_buf(),
        detail,
    };
    let problems: Vec<String> = conn
        .prepare("PRAGMA quick_check(5)")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| match sql_err(path)(e) {
            StateError::Sqlite { source, .. } => damaged(source.to_string()),
            e => e,
        })?;
    if problems.len() == 1 && problems[0] == "ok" {
        return Ok(());
    }
    let text = problems.join("; ");
    Err(damaged(
        text.split_whitespace().collect::<Vec<_>>().join(" "),
    ))
}

/// Creates the schema in an empty file or brings an older one up to date, in one transaction.
/// Does nothing (and writes nothing) when the file is already current or is not ours.
pub(crate) fn prepare(
    conn: &mut Connection,
    path: &Path,
    migrations: &[Migration],
) -> Result<(), StateError> {
    let latest = latest_version(migrations);
    let first_look = inspect(conn, path, latest, false)?;
    if first_look == (Found::State { version: latest }) {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql_err(path))?;
    // Someone may have created or migrated the file between the look and the write lock.
    let from = match inspect(&tx, path, latest, first_look == Found::Empty)? {
        Found::Empty => 0,
        Found::State { version } => version,
    };
    for step in migrations.iter().filter(|m| m.version > from) {
        tx.execute_batch(step.sql).map_err(sql_err(path))?;
    }
    if from == 0 {
        tx.execute(
            "INSERT INTO meta (id, format, schema_version, lineage, serial) VALUES (1, ?1, ?2, ?3, 0)",
            rusqlite::params![FORMAT, latest, uuid::Uuid::new_v4().to_string()],
        )
        .map_err(sql_err(path))?;
    } else {
        tx.execute("UPDATE meta SET schema_version = ?1", [latest])
            .map_err(sql_err(path))?;
    }
    tx.commit().map_err(sql_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::testing::{record, temp_state};
    use crate::state::StateStore;

    /// Opens `path` expecting an error, and checks the file is byte for byte what it was and
    /// that no side file was left next to it.
    fn open_fails_untouched(path: &Path) -> StateError {
        let bytes = std::fs::read(path).unwrap();
        let siblings = |p: &Path| {
            let mut names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            names.sort();
            names
        };
        let before = siblings(path);
        let err = StateStore::open(path).unwrap_err();
        assert!(StateStore::open_existing(path).is_err());
        assert_eq!(std::fs::read(path).unwrap(), bytes, "the file was modified");
        assert_eq!(siblings(path), before);
        err
    }

    fn raw(path: &Path) -> Connection {
        Connection::open(path).unwrap()
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_refused_untouched() {
        let (_dir, path) = temp_state();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "terraform {\n  backend \"s3\" {}\n}\n".repeat(200)).unwrap();
        let err = open_fails_untouched(&path);
        assert_eq!(
            err.to_string(),
            format!(
                "{} is not an ecsform state file (not an SQLite database); it was left untouched",
                path.display()
            )
        );
    }

    #[test]
    fn an_sqlite_file_without_our_marker_is_refused_untouched() {
        let (_dir, path) = temp_state();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();

        raw(&path).execute_batch("PRAGMA user_version = 7").unwrap();
        let err = open_fails_untouched(&path);
        assert!(
            err.to_string()
                .contains("(an SQLite database with no tables)"),
            "{err}"
        );

        raw(&path)
            .execute_batch("CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('a')")
            .unwrap();
        let err = open_fails_untouched(&path);
        assert!(
            err.to_string().contains("without ecsform's meta table"),
            "{err}"
        );

        raw(&path)
            .execute_batch("CREATE TABLE meta (key TEXT, value TEXT)")
            .unwrap();
        let err = open_fails_untouched(&path);
        assert!(
            err.to_string().contains("its meta table is not ecsform's"),
            "{err}"
        );
    }

    #[test]
    fn a_state_with_foreign_tables_or_format_is_refused_untouched() {
        let (_dir, path) = temp_state();
        StateStore::open(&path).unwrap();
        raw(&path).execute_batch("CREATE TABLE extra (x)").unwrap();
        let err = open_fails_untouched(&path);
        assert!(
            err.to_string()
                .contains("(it has tables ecsform does not use: extra)"),
            "{err}"
        );

        raw(&path)
            .execute_batch("DROP TABLE extra; UPDATE meta SET format = 'other-tool'")
            .unwrap();
        let err = open_fails_untouched(&path);
        assert!(err.to_string().contains("no ecsform-state marker"), "{err}");
    }

    #[test]
    fn a_state_from_a_newer_ecsform_is_refused_untouched() {
        let (_dir, path) = temp_state();
        StateStore::open(&path).unwrap();
        let known = latest_version(MIGRATIONS);
        raw(&path)
            .execute("UPDATE meta SET schema_version = ?1", [known + 1])
            .unwrap();
        let err = open_fails_untouched(&path);
        assert!(matches!(err, StateError::NewerSchema { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "{} was written by a newer ecsform; schema version {}, this ecsform knows up to \
                 {known}. Upgrade ecsform to use it; the file was left untouched",
                path.display(),
                known + 1
            )
        );
    }

    const V2: Migration = Migration {
        version: 2,
        sql: "ALTER TABLE resources ADD COLUMN note TEXT NOT NULL DEFAULT ''",
    };
    const BROKEN_V2: Migration = Migration {
        version: 2,
        sql: "ALTER TABLE resources ADD COLUMN note TEXT; CREATE TABLE broken (",
    };

    fn columns(path: &Path) -> Vec<String> {
        let conn = raw(path);
        let mut stmt = conn
            .prepare("SELECT name FROM pragma_table_info('resources')")
            .unwrap();
        let names = stmt.query_map([], |r| r.get(0)).unwrap();
        names.collect::<Result<_, _>>().unwrap()
    }

    /// A version 1 file holding `record("aws_vpc.a")` and its create history row, written with
    /// version 1's columns (the store's own writes need the latest schema).
    fn version_1_state(path: &Path) -> String {
        let store = StateStore::open_with(path, &MIGRATIONS[..1]).unwrap();
        let lineage = store.lineage();
        drop(store);
        let rec = record("aws_vpc.a");
        let conn = raw(path);
        conn.execute(
            "INSERT INTO resources (address, mode, type, module_path, index_key, id, attributes, \
                 dependencies, status, schema_version, updated_at) \
             VALUES (?1, 'managed', ?2, '', 'null', ?3, ?4, '[]', 'ready', 1, 'now')",
            rusqlite::params![
                rec.address,
                rec.type_name,
                rec.id,
                rec.attributes.to_string()
            ],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO history (applied_at, action, address, after, serial) \
             VALUES ('now', 'create', 'aws_vpc.a', ?1, 1)",
            [rec.attributes.to_string()],
        )
        .unwrap();
        conn.execute("UPDATE meta SET serial = 1", []).unwrap();
        lineage
    }

    #[test]
    fn an_older_state_is_migrated_keeping_its_content() {
        let (_dir, path) = temp_state();
        let lineage = version_1_state(&path);

        let migrations = [MIGRATIONS[0], V2];
        let store = StateStore::open_with(&path, &migrations).unwrap();
        assert_eq!((store.lineage(), store.serial()), (lineage.clone(), 1));
        let version: i64 = store
            .conn
            .query_row("SELECT schema_version FROM meta", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 2);
        assert!(columns(&path).contains(&"note".to_string()));
        drop(store);

        // The real migrations from there keep the record (with no sensitive paths).
        let (_dir, path) = temp_state();
        version_1_state(&path);
        let store = StateStore::open(&path).unwrap();
        assert_eq!(store.resources().unwrap(), vec![record("aws_vpc.a")]);
        assert!(columns(&path).contains(&"sensitive_paths".to_string()));
    }

    #[test]
    fn a_version_1_state_keeps_its_history_and_takes_the_new_actions() {
        let (_dir, path) = temp_state();
        version_1_state(&path);
        let store = StateStore::open_with(&path, &MIGRATIONS[..1]).unwrap();
        // Version 1 refuses the actions of state rm and state mv in SQL.
        assert!(raw(&path)
            .execute(
                "INSERT INTO history (applied_at, action, address, serial) \
                 VALUES ('now', 'move', 'aws_vpc.b', 2)",
                []
            )
            .is_err());
        drop(store);

        let mut store = StateStore::open(&path).unwrap();
        let history = store.history(10).unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(
            (history[0].action.as_str(), history[0].address.as_str()),
            ("create", "aws_vpc.a")
        );
        assert_eq!(history[0].after, Some(record("aws_vpc.a").attributes));
        assert_eq!(history[0].moved_from, None);
        store.remove_resources(&["aws_vpc.a".into()]).unwrap();
        assert_eq!(store.history(1).unwrap()[0].action, "forget");
        assert_eq!(store.serial(), 2);
    }

    #[test]
    fn a_migrated_state_rolls_back_only_to_serials_written_since() {
        let (_dir, path) = temp_state();
        version_1_state(&path);
        let mut store = StateStore::open(&path).unwrap();
        let err = store.rollback_plan(Some(0)).unwrap_err();
        assert!(
            err.to_string()
                .contains("no record of the write that made serial 1"),
            "{err}"
        );
        store
            .put_resource(&record("aws_vpc.b"), "create", None)
            .unwrap();
        let plan = store.rollback_plan(None).unwrap();
        assert_eq!(plan.target_serial, 1);
        store.rollback(&plan).unwrap();
        assert_eq!(store.resources().unwrap(), vec![record("aws_vpc.a")]);
    }

    #[test]
    fn a_failing_migration_changes_nothing() {
        let (_dir, path) = temp_state();
        StateStore::open_with(&path, &MIGRATIONS[..1]).unwrap();
        let before = columns(&path);

        let migrations = [MIGRATIONS[0], BROKEN_V2];
        let err = StateStore::open_with(&path, &migrations).unwrap_err();
        assert!(matches!(err, StateError::Sqlite { .. }), "{err:?}");
        assert_eq!(columns(&path), before);
        let store = StateStore::open_with(&path, &MIGRATIONS[..1]).unwrap();
        let version: i64 = store
            .conn
            .query_row("SELECT schema_version FROM meta", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1);
    }
}
