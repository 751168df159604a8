//! The local state: one SQLite file holding the lineage and serial, every resource instance
//! with its attributes, the outputs, the lock and the history of applied changes.
//!
//! `StateStore` owns reading and writing those rows, each write one transaction that bumps the
//! serial. The schema and its migrations live in `schema`, the file on disk (mode 0600, WAL) in
//! `file`, the lock in `lock`, the edits of `state rm` and `state mv` in `edit`. Deciding what
//! to write is the planner's and the executor's job.

#![warn(missing_docs)]

mod edit;
mod error;
mod file;
mod lock;
mod records;
mod rollback;
mod schema;

use std::cell::Cell;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

pub use edit::index_key_json;
pub use error::StateError;
pub use lock::{LockInfo, StateLock};
pub use records::{HistoryEntry, ResourceRecord, ResourceStatus, REPLACEMENT_KEY};
pub use rollback::{RollbackOutput, RollbackPlan, RollbackResource};

use records::{check_action, check_record, parse_json, StoredResource, RESOURCE_COLUMNS};
use schema::Migration;

/// The default state file, relative to the working directory.
pub const DEFAULT_PATH: &str = "state/ecsform.sqlite";

/// One upsert for [`StateStore::put_resources`]: the record, the history action (`create`,
/// `update`, ...) and the attributes before, if any.
#[derive(Clone, Copy, Debug)]
pub struct ResourceWrite<'a> {
    /// The instance as it is now.
    pub record: &'a ResourceRecord,
    /// The history action, one of those [`HistoryEntry::action`] lists.
    pub action: &'a str,
    /// The attributes before the change, for the history.
    pub before: Option<&'a serde_json::Value>,
}

/// An open state file.
#[derive(Debug)]
pub struct StateStore {
    path: PathBuf,
    conn: Connection,
    lineage: String,
    /// The serial this handle last saw, for `serial()` when the file cannot be read.
    last_serial: Cell<i64>,
}

/// Turns an SQLite error into a `StateError` naming the file.
fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> StateError + '_ {
    move |source| {
        // A damaged file says so in the user's words; SQLite never writes to a file it finds
        // corrupt, so it was left as it was.
        let code = source.sqlite_error_code();
        if code == Some(rusqlite::ErrorCode::ReadOnly) {
            return StateError::ReadOnly {
                path: path.to_path_buf(),
            };
        }
        if matches!(
            code,
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
        ) {
            return StateError::Damaged {
                path: path.to_path_buf(),
                detail: source.to_string(),
            };
        }
        StateError::Sqlite {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Now, as RFC 3339 in UTC to the second: `2026-11-22T10:00:00Z`.
fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn to_json_text(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("JSON values and string lists always serialise")
}

impl StateStore {
    /// Opens the state file at `path`, creating it (mode 0600, with its parent directories) if
    /// it is missing, and bringing an older schema up to date.
    ///
    /// A file that is not an ecsform state, or was written by a newer ecsform, is an error and
    /// is left untouched.
    pub fn open(path: &Path) -> Result<StateStore, StateError> {
        StateStore::open_with(path, schema::MIGRATIONS)
    }

    /// Opens the state file at `path` if it exists, like `open`; `None` if there is no file,
    /// in which case nothing is created (a plan without state).
    pub fn open_existing(path: &Path) -> Result<Option<StateStore>, StateError> {
        if !path.exists() {
            return Ok(None);
        }
        StateStore::open(path).map(Some)
    }

    fn open_with(path: &Path, migrations: &[Migration]) -> Result<StateStore, StateError> {
        if path.is_dir() {
            return Err(StateError::NotState {
                path: path.to_path_buf(),
                reason: "it is a directory; -state takes the path of the state file".into(),
            });
        }
        file::check_existing(path)?;
        let mut found = None;
        if path.exists() {
            // A first look that cannot write a byte (not even WAL recovery): a file that is not
            // ours, is damaged or is from a newer ecsform stays as it is, side files included.
            let untouched = file::connect_untouched(path)?;
            let wal = file::side_file(path, "-wal");
            let wal_in_use = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
            let looked =
                schema::inspect(&untouched, path, schema::latest_version(migrations), false)
                    .map_err(|e| match e {
                        // The main file alone was read; say so, since the log may hold the rest.
                        StateError::NotState { path, reason } if wal_in_use => {
                            StateError::NotState {
                                path,
                                reason: format!(
                            "{reason}, reading the main file only: its write-ahead log {} was \
                             not read",
                            wal.display()
                        ),
                            }
                        }
                        e => e,
                    });
            found = Some(looked?);
            // Without a log the main file must be whole. With one, the main file alone may be
            // mid-checkpoint after a crash: SQLite's recovery from the log decides.
            if !wal_in_use {
                schema::quick_check(&untouched, path)?;
            }
        } else {
            file::create_new(path, |conn, path| schema::prepare(conn, path, migrations))?;
        }
        let writable = || -> Result<Connection, StateError> {
            let mut conn = file::connect(path)?;
            // Recognise (and if need be migrate) the schema before switching to WAL, because
            // the switch writes to the file and a file that is not ours stays untouched.
            schema::prepare(&mut conn, path, migrations)?;
            file::use_wal(&conn, path)?;
            Ok(conn)
        };
        let current = found
            == Some(schema::Found::State {
                version: schema::latest_version(migrations),
            });
        let conn = match writable() {
            Ok(conn) => conn,
            // A current state this user may read but not write (nor its directory, for the
            // WAL's side files): open it for reading only. Every write then fails with
            // `StateError::ReadOnly`.
            Err(StateError::ReadOnly { .. }) if current => file::connect_untouched(path)?,
            Err(e) => return Err(e),
        };
        let (lineage, serial) = conn
            .query_row("SELECT lineage, serial FROM meta WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(sql_err(path))?;
        Ok(StateStore {
            path: path.to_path_buf(),
            conn,
            lineage,
            last_serial: Cell::new(serial),
        })
    }

    /// The state file's path, as given to `open`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The UUID fixed when the state was created. A saved plan only applies to the same
    /// lineage.
    pub fn lineage(&self) -> String {
        self.lineage.clone()
    }

    /// The serial: how many writes to the state's content (resources, outputs) there have
    /// been since it was created; taking or releasing the lock and schema migrations do not
    /// count. Read from the file, so it includes writes through other handles; if the file
    /// cannot be read, the last serial this handle saw.
    pub fn serial(&self) -> i64 {
        match self
            .conn
            .query_row("SELECT serial FROM meta WHERE id = 1", [], |r| r.get(0))
        {
            Ok(serial) => {
                self.last_serial.set(serial);
                serial
            }
            Err(_) => self.last_serial.get(),
        }
    }

    /// Every resource instance, sorted by address.
    pub fn resources(&self) -> Result<Vec<ResourceRecord>, StateError> {
        let path = self.path.as_path();
        let stored: Vec<StoredResource> = self
            .conn
            .prepare(&format!(
                "SELECT {RESOURCE_COLUMNS} FROM resources ORDER BY address"
            ))
            .and_then(|mut stmt| stmt.query_map([], StoredResource::from_row)?.collect())
            .map_err(sql_err(path))?;
        stored.into_iter().map(|s| s.into_record(path)).collect()
    }

    /// The resource instance at `address`, if the state has it.
    pub fn resource(&self, address: &str) -> Result<Option<ResourceRecord>, StateError> {
        let path = self.path.as_path();
        self.conn
            .query_row(
                &format!("SELECT {RESOURCE_COLUMNS} FROM resources WHERE address = ?1"),
                [address],
                StoredResource::from_row,
            )
            .optional()
            .map_err(sql_err(path))?
            .map(|s| s.into_record(path))
            .transpose()
    }

    /// Upserts one instance and appends one history row (`action`, `before`, and the record's
    /// attributes as after), in one transaction that bumps the serial.
    pub fn put_resource(
        &mut self,
        rec: &ResourceRecord,
        action: &str,
        before: Option<&serde_json::Value>,
    ) -> Result<(), StateError> {
        self.put_resources(&[ResourceWrite {
            record: rec,
            action,
            before,
        }])
    }

    /// Like [`put_resource`](Self::put_resource) for many instances at once: every upsert and
    /// history row in one transaction that bumps the serial once. Nothing is written if any
    /// write is invalid.
    pub fn put_resources(&mut self, writes: &[ResourceWrite<'_>]) -> Result<(), StateError> {
        for w in writes {
            check_record(&self.path, w.record)?;
            check_action(&self.path, w.action)?;
        }
        self.write(|tx, serial, path| {
            let now = now_rfc3339();
            let upsert_all = || -> rusqlite::Result<()> {
                let mut upsert = tx.prepare_cached(
                    "INSERT INTO resources (address, mode, type, module_path, index_key, id, \
                         attributes, dependencies, status, schema_version, updated_at, \
                         sensitive_paths) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
                     ON CONFLICT (address) DO UPDATE SET mode = excluded.mode, \
                         type = excluded.type, module_path = excluded.module_path, \
                         index_key = excluded.index_key, id = excluded.id, \
                         attributes = excluded.attributes, dependencies = excluded.dependencies, \
                         status = excluded.status, schema_version = excluded.schema_version, \
                         updated_at = excluded.updated_at, sensitive_paths = excluded.sensitive_paths",
                )?;
                for w in writes {
                    let rec = w.record;
                    // The history row masks what was sensitive before or is now.
                    let mut history_paths = recorded_paths(tx, &rec.address)?;
                    history_paths.extend(rec.sensitive_paths.iter().cloned());
                    upsert.execute(params![
                        rec.address,
                        rec.mode,
                        rec.type_name,
                        rec.module_path,
                        to_json_text(&rec.index_key),
                        rec.id,
                        to_json_text(&rec.attributes),
                        to_json_text(&rec.dependencies),
                        rec.status.as_str(),
                        rec.schema_version,
                        now,
                        to_json_text(&rec.sensitive_paths),
                    ])?;
                    append_history(
                        tx,
                        &now,
                        w.action,
                        &rec.address,
                        w.before,
                        Some(&rec.attributes),
                        serial,
                        &history_paths,
                    )?;
                }
                Ok(())
            };
            upsert_all().map_err(sql_err(path))
        })
    }

    /// Deletes the instance at `address` and appends one history row (`action`, `before`, no
    /// after), in one transaction that bumps the serial. Fails if the state has no such
    /// instance.
    pub fn remove_resource(
        &mut self,
        address: &str,
        action: &str,
        before: Option<&serde_json::Value>,
    ) -> Result<(), StateError> {
        check_action(&self.path, action)?;
        self.write(|tx, serial, path| {
            let paths = recorded_paths(tx, address).map_err(sql_err(path))?;
            let deleted = tx
                .execute("DELETE FROM resources WHERE address = ?1", [address])
                .map_err(sql_err(path))?;
            if deleted == 0 {
                // An error rolls back the serial bump too: nothing changed.
                return Err(StateError::NoSuchResource {
                    path: path.to_path_buf(),
                    address: address.to_string(),
                });
            }
            append_history(
                tx,
                &now_rfc3339(),
                action,
                address,
                before,
                None,
                serial,
                &paths,
            )
            .map_err(sql_err(path))
        })
    }

    /// Replaces all outputs with `outputs` (name, value, sensitive), in one transaction that
    /// bumps the serial; does nothing when they are the outputs already recorded.
    pub fn set_outputs(
        &mut self,
        outputs: &[(String, serde_json::Value, bool)],
    ) -> Result<(), StateError> {
        // Unchanged outputs are not written again: no new serial for nothing.
        let mut sorted = outputs.to_vec();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        if self.outputs()? == sorted {
            return Ok(());
        }
        self.write(|tx, _, path| {
            let insert_all = || -> rusqlite::Result<()> {
                tx.execute("DELETE FROM outputs", [])?;
                let mut insert =
                    tx.prepare("INSERT INTO outputs (name, value, sensitive) VALUES (?1, ?2, ?3)")?;
                for (name, value, sensitive) in outputs {
                    insert.execute(params![name, to_json_text(value), sensitive])?;
                }
                Ok(())
            };
            insert_all().map_err(sql_err(path))
        })
    }

    /// Every output as (name, value, sensitive), sorted by name.
    pub fn outputs(&self) -> Result<Vec<(String, serde_json::Value, bool)>, StateError> {
        let path = self.path.as_path();
        let stored: Vec<(String, String, bool)> = self
            .conn
            .prepare("SELECT name, value, sensitive FROM outputs ORDER BY name")
            .and_then(|mut stmt| {
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(sql_err(path))?;
        stored
            .into_iter()
            .map(|(name, value, sensitive)| {
                let value = parse_json(path, || format!("value of output {name}"), &value)?;
                Ok((name, value, sensitive))
            })
            .collect()
    }

    /// The newest `limit` history entries, newest first.
    pub fn history(&self, limit: usize) -> Result<Vec<HistoryEntry>, StateError> {
        let path = self.path.as_path();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        type Row = (
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            i64,
            Option<String>,
            String,
            Option<i64>,
        );
        let stored: Vec<Row> = self
            .conn
            .prepare(
                "SELECT applied_at, action, address, before, after, serial, moved_from, \
                     sensitive_paths, rollback_to FROM history ORDER BY id DESC LIMIT ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_map([limit], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                    ))
                })?
                .collect()
            })
            .map_err(sql_err(path))?;
        stored
            .into_iter()
            .map(
                |(
                    applied_at,
                    action,
                    address,
                    before,
                    after,
                    serial,
                    moved_from,
                    paths,
                    rollback_to,
                )| {
                    let parse = |text: Option<String>, which: &str| {
                        text.map(|t| {
                            parse_json(
                                path,
                                || format!("{which} of {address} at serial {serial}"),
                                &t,
                            )
                        })
                        .transpose()
                    };
                    let sensitive_paths = parse_json(
                        path,
                        || format!("sensitive paths of {address} at serial {serial}"),
                        &paths,
                    )?;
                    Ok(HistoryEntry {
                        sensitive_paths,
                        before: parse(before, "history before")?,
                        after: parse(after, "history after")?,
                        applied_at,
                        action,
                        address,
                        moved_from,
                        serial,
                        rollback_to,
                    })
                },
            )
            .collect()
    }

    /// Runs `body` in one write transaction after bumping the serial, passing the new serial
    /// and the file's path (for errors). An error from `body` (or from the commit) rolls
    /// everything back, serial included.
    fn write<T>(
        &mut self,
        body: impl FnOnce(&Transaction<'_>, i64, &Path) -> Result<T, StateError>,
    ) -> Result<T, StateError> {
        let path = self.path.as_path();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err(path))?;
        let serial: i64 = tx
            .query_row(
                "UPDATE meta SET serial = serial + 1 WHERE id = 1 RETURNING serial",
                [],
                |r| r.get(0),
            )
            .map_err(sql_err(path))?;
        let out = body(&tx, serial, path)?;
        tx.commit().map_err(sql_err(path))?;
        self.last_serial.set(serial);
        Ok(out)
    }
}

/// The sensitive paths recorded for the instance at `address` (none if it is not there).
fn recorded_paths(tx: &Transaction<'_>, address: &str) -> rusqlite::Result<Vec<serde_json::Value>> {
    let text: Option<String> = tx
        .prepare_cached("SELECT sensitive_paths FROM resources WHERE address = ?1")?
        .query_row([address], |r| r.get(0))
        .optional()?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

#[allow(clippy::too_many_arguments)]
fn append_history(
    tx: &Transaction<'_>,
    applied_at: &str,
    action: &str,
    address: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
    serial: i64,
    sensitive_paths: &[serde_json::Value],
) -> rusqlite::Result<()> {
    let mut paths = sensitive_paths.to_vec();
    paths.sort_by_key(|p| p.to_string());
    paths.dedup();
    tx.prepare_cached(
        "INSERT INTO history (applied_at, action, address, before, after, serial, \
             sensitive_paths) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        applied_at,
        action,
        address,
        before.map(to_json_text),
        after.map(to_json_text),
        serial,
        to_json_text(&paths),
    ])?;
    Ok(())
}

/// Helpers shared by the state module's tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A fresh directory and a state path two directories below it (which do not exist yet).
    pub(crate) fn temp_state() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("work/state/ecsform.sqlite");
        (dir, path)
    }

    /// A ready managed instance at `address` with a few attributes.
    pub(crate) fn record(address: &str) -> ResourceRecord {
        ResourceRecord {
            address: address.to_string(),
            mode: "managed".into(),
            type_name: "aws_vpc".into(),
            module_path: String::new(),
            index_key: serde_json::Value::Null,
            id: Some("vpc-0123".into()),
            attributes: serde_json::json!({"id": "vpc-0123", "cidr_block": "10.0.0.0/16"}),
            dependencies: vec![],
            status: ResourceStatus::Ready,
            schema_version: 1,
            sensitive_paths: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{record, temp_state};
    use super::*;
    use serde_json::json;

    #[test]
    fn create_then_reopen_keeps_lineage_and_serial() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        assert!(
            path.is_file(),
            "open creates the file and its parent directories"
        );
        assert_eq!(store.path(), path);
        assert_eq!(store.serial(), 0);
        let lineage = store.lineage();
        assert!(uuid::Uuid::parse_str(&lineage).is_ok(), "{lineage}");
        store
            .put_resource(&record("aws_vpc.main"), "create", None)
            .unwrap();
        drop(store);

        let store = StateStore::open(&path).unwrap();
        assert_eq!(store.lineage(), lineage);
        assert_eq!(store.serial(), 1);
        assert_eq!(store.resources().unwrap(), vec![record("aws_vpc.main")]);

        let other = StateStore::open(&temp_state().0.path().join("s.sqlite")).unwrap();
        assert_ne!(
            other.lineage(),
            lineage,
            "every new state gets its own lineage"
        );
    }

    #[test]
    fn open_existing_creates_nothing() {
        let (dir, path) = temp_state();
        assert!(StateStore::open_existing(&path).unwrap().is_none());
        assert!(!path.exists());
        assert!(!dir.path().join("work").exists());
        StateStore::open(&path).unwrap();
        let store = StateStore::open_existing(&path).unwrap().unwrap();
        assert_eq!(store.serial(), 0);
    }

    #[test]
    fn every_write_bumps_the_serial_by_one() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        store
            .put_resource(&record("aws_vpc.a"), "create", None)
            .unwrap();
        assert_eq!(store.serial(), 1);
        store
            .put_resource(&record("aws_vpc.b"), "create", None)
            .unwrap();
        assert_eq!(store.serial(), 2);
        store.set_outputs(&[("x".into(), json!(1), false)]).unwrap();
        assert_eq!(store.serial(), 3);
        // The same outputs again are not a write.
        store.set_outputs(&[("x".into(), json!(1), false)]).unwrap();
        assert_eq!(store.serial(), 3);
        store.remove_resource("aws_vpc.a", "delete", None).unwrap();
        assert_eq!(store.serial(), 4);
        let lock = store.lock("apply", std::time::Duration::ZERO).unwrap();
        drop(lock);
        assert_eq!(
            store.serial(),
            4,
            "locking does not change the state's content"
        );
    }

    #[test]
    fn put_and_remove_record_history_newest_first() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        let mut rec = record("module.vpc.aws_subnet.private[\"a\"]");
        rec.module_path = "module.vpc".into();
        rec.index_key = json!("a");
        rec.id = None;
        rec.status = ResourceStatus::Creating;
        rec.dependencies = vec!["module.vpc.aws_vpc.main".into()];
        store.put_resource(&rec, "create", None).unwrap();
        assert_eq!(store.resource(&rec.address).unwrap(), Some(rec.clone()));

        let creating = rec.attributes.clone();
        rec.id = Some("subnet-1".into());
        rec.status = ResourceStatus::Ready;
        rec.attributes = json!({"id": "subnet-1", "cidr_block": "10.0.1.0/24"});
        store.put_resource(&rec, "create", Some(&creating)).unwrap();
        assert_eq!(store.resources().unwrap(), vec![rec.clone()]);

        let mut counted = record("aws_vpc.many[2]");
        counted.index_key = json!(2);
        store.put_resource(&counted, "create", None).unwrap();
        assert_eq!(
            store
                .resources()
                .unwrap()
                .iter()
                .map(|r| r.address.as_str())
                .collect::<Vec<_>>(),
            ["aws_vpc.many[2]", "module.vpc.aws_subnet.private[\"a\"]"],
            "sorted by address"
        );

        store
            .remove_resource(&rec.address, "delete", Some(&rec.attributes))
            .unwrap();
        assert_eq!(store.resource(&rec.address).unwrap(), None);
        assert_eq!(store.resource("aws_vpc.many[2]").unwrap(), Some(counted));

        let history = store.history(10).unwrap();
        let summary: Vec<_> = history
            .iter()
            .map(|h| (h.serial, h.action.as_str(), h.address.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (4, "delete", "module.vpc.aws_subnet.private[\"a\"]"),
                (3, "create", "aws_vpc.many[2]"),
                (2, "create", "module.vpc.aws_subnet.private[\"a\"]"),
                (1, "create", "module.vpc.aws_subnet.private[\"a\"]"),
            ]
        );
        assert_eq!(history[0].before, Some(rec.attributes.clone()));
        assert_eq!(history[0].after, None);
        assert_eq!(history[2].before, Some(creating));
        assert_eq!(history[2].after, Some(rec.attributes));
        assert!(
            chrono::DateTime::parse_from_rfc3339(&history[0].applied_at).is_ok()
                && history[0].applied_at.ends_with('Z'),
            "{}",
            history[0].applied_at
        );
        assert_eq!(store.history(1).unwrap(), history[..1]);
    }

    #[test]
    fn put_resources_writes_a_batch_in_one_serial_or_nothing() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        let (a, b) = (record("aws_vpc.a"), record("aws_vpc.b"));
        let before = json!({"id": "vpc-0"});
        store
            .put_resources(&[
                ResourceWrite {
                    record: &a,
                    action: "create",
                    before: None,
                },
                ResourceWrite {
                    record: &b,
                    action: "update",
                    before: Some(&before),
                },
            ])
            .unwrap();
        assert_eq!(store.serial(), 1, "one batch, one serial");
        assert_eq!(store.resources().unwrap(), vec![a.clone(), b.clone()]);
        let history = store.history(10).unwrap();
        let summary: Vec<_> = history
            .iter()
            .map(|h| (h.serial, h.action.as_str(), h.address.as_str()))
            .collect();
        assert_eq!(
            summary,
            [(1, "update", "aws_vpc.b"), (1, "create", "aws_vpc.a")]
        );
        assert_eq!(history[0].before, Some(before));

        let mut invalid = record("aws_vpc.c");
        invalid.mode = "resource".into();
        let c = record("aws_vpc.d");
        assert!(store
            .put_resources(&[
                ResourceWrite {
                    record: &c,
                    action: "create",
                    before: None,
                },
                ResourceWrite {
                    record: &invalid,
                    action: "create",
                    before: None,
                },
            ])
            .is_err());
        assert_eq!(store.serial(), 1);
        assert_eq!(store.resources().unwrap(), vec![a, b]);
    }

    #[test]
    fn outputs_are_replaced_as_a_whole() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        assert_eq!(store.outputs().unwrap(), []);
        store
            .set_outputs(&[
                ("vpc_id".into(), json!("vpc-1"), false),
                ("db_password".into(), json!("hunter2"), true),
                ("subnets".into(), json!(["a", "b"]), false),
            ])
            .unwrap();
        assert_eq!(
            store.outputs().unwrap(),
            [
                ("db_password".to_string(), json!("hunter2"), true),
                ("subnets".to_string(), json!(["a", "b"]), false),
                ("vpc_id".to_string(), json!("vpc-1"), false),
            ]
        );
        store
            .set_outputs(&[("vpc_id".into(), json!("vpc-2"), false)])
            .unwrap();
        assert_eq!(
            store.outputs().unwrap(),
            [("vpc_id".to_string(), json!("vpc-2"), false)]
        );
    }

    #[test]
    fn a_failing_write_leaves_the_previous_content() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        store
            .put_resource(&record("aws_vpc.a"), "create", None)
            .unwrap();
        store.set_outputs(&[("x".into(), json!(1), false)]).unwrap();
        let before = (store.resources().unwrap(), store.outputs().unwrap());

        // A body that writes, then fails.
        let err = store
            .write(|tx, serial, path| {
                tx.execute("DELETE FROM resources", []).unwrap();
                append_history(tx, "now", "delete", "aws_vpc.a", None, None, serial, &[]).unwrap();
                Err::<(), _>(StateError::InvalidInput {
                    path: path.to_path_buf(),
                    detail: "boom".into(),
                })
            })
            .unwrap_err();
        assert!(err.to_string().ends_with("boom"), "{err}");

        // A constraint violation half way through: the second output has the same name.
        let err = store
            .set_outputs(&[("y".into(), json!(2), false), ("y".into(), json!(3), false)])
            .unwrap_err();
        assert!(matches!(err, StateError::Sqlite { .. }), "{err:?}");

        // A remove of something that is not there.
        let err = store
            .remove_resource("aws_vpc.gone", "delete", None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "state file {}: no resource instance aws_vpc.gone in state",
                path.display()
            )
        );

        assert_eq!(store.serial(), 2);
        assert_eq!(
            (store.resources().unwrap(), store.outputs().unwrap()),
            before
        );
        assert_eq!(store.history(10).unwrap().len(), 1);
    }

    #[test]
    fn invalid_input_is_refused_before_writing() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        let mut rec = record("aws_vpc.a");
        rec.mode = "resource".into();
        assert!(store.put_resource(&rec, "create", None).is_err());
        assert!(store
            .put_resource(&record("aws_vpc.a"), "destroy", None)
            .is_err());
        assert_eq!(store.serial(), 0);
        assert_eq!(store.resources().unwrap(), []);
    }

    #[test]
    fn two_handles_on_one_file_see_each_others_writes() {
        let (_dir, path) = temp_state();
        let mut first = StateStore::open(&path).unwrap();
        let mut second = StateStore::open(&path).unwrap();
        assert_eq!(first.lineage(), second.lineage());

        first
            .put_resource(&record("aws_vpc.a"), "create", None)
            .unwrap();
        assert_eq!(second.serial(), 1);
        assert_eq!(
            second.resource("aws_vpc.a").unwrap(),
            Some(record("aws_vpc.a"))
        );

        second
            .put_resource(&record("aws_vpc.b"), "create", None)
            .unwrap();
        assert_eq!(first.serial(), 2);
        assert_eq!(first.resources().unwrap().len(), 2);

        // Writers in two threads, as two processes would: every write lands, serials stay
        // gapless.
        let writer = std::thread::spawn(move || {
            for i in 0..20 {
                second
                    .put_resource(&record(&format!("aws_vpc.t2_{i}")), "create", None)
                    .unwrap();
            }
        });
        for i in 0..20 {
            first
                .put_resource(&record(&format!("aws_vpc.t1_{i}")), "create", None)
                .unwrap();
        }
        writer.join().unwrap();
        assert_eq!(first.serial(), 42);
        let serials: Vec<i64> = first
            .history(100)
            .unwrap()
            .iter()
            .map(|h| h.serial)
            .collect();
        assert_eq!(serials, (1..=42).rev().collect::<Vec<_>>());
    }
}
