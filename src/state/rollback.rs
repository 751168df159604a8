//! Rolling the state back to an earlier serial (`ecsform state rollback`): working out, from the
//! undo log the schema's triggers keep (see `schema::V4`), the resources and outputs as they
//! were at that serial, and writing them as a new serial with `rollback` history rows. It
//! touches no cloud object and does not decide whether to ask the user; the command does.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{params, Connection};

use super::error::StateError;
use super::records::{parse_json, StoredResource, RESOURCE_COLUMNS};
use super::{append_history, now_rfc3339, sql_err, ResourceRecord, StateStore};

/// A resources row exactly as stored, so that a rollback writes back the same text.
#[derive(Clone, Debug)]
struct RawResource {
    stored: StoredResource,
    updated_at: String,
}

/// An output as stored: value (JSON text) and sensitive flag.
type RawOutput = (String, bool);

/// One resource instance a rollback changes.
#[derive(Clone, Debug, PartialEq)]
pub struct RollbackResource {
    /// The instance address.
    pub address: String,
    /// The instance as the state has it now; `None` if it was added after the target serial.
    pub now: Option<ResourceRecord>,
    /// The instance as it was at the target serial; `None` if it was not in the state then.
    pub then: Option<ResourceRecord>,
}

/// One output a rollback changes: (value, sensitive) now and at the target serial.
#[derive(Clone, Debug, PartialEq)]
pub struct RollbackOutput {
    /// The output name.
    pub name: String,
    /// Its value and sensitivity now; `None` if it was added after the target serial.
    pub now: Option<(serde_json::Value, bool)>,
    /// Its value and sensitivity at the target serial; `None` if it did not exist then.
    pub then: Option<(serde_json::Value, bool)>,
}

/// What rolling back to `target_serial` changes, worked out from the undo log.
#[derive(Debug)]
pub struct RollbackPlan {
    /// The serial the state had when the plan was made; `rollback` refuses if it moved on.
    pub current_serial: i64,
    /// The serial whose resources and outputs are restored.
    pub target_serial: i64,
    /// Changed instances, sorted by address.
    pub resources: Vec<RollbackResource>,
    /// Changed outputs, sorted by name.
    pub outputs: Vec<RollbackOutput>,
    rows: BTreeMap<String, Option<RawResource>>,
    output_rows: BTreeMap<String, Option<RawOutput>>,
}

impl RollbackPlan {
    /// Whether the state at the target serial is what it holds now.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.outputs.is_empty()
    }
}

fn cannot(path: &std::path::Path, target: i64, reason: String) -> StateError {
    StateError::CannotRollBack {
        path: path.to_path_buf(),
        serial: target,
        reason,
    }
}

fn current_resources(conn: &Connection) -> rusqlite::Result<BTreeMap<String, Option<RawResource>>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {RESOURCE_COLUMNS}, updated_at FROM resources"
    ))?;
    let rows = stmt.query_map([], |r| {
        Ok(RawResource {
            stored: StoredResource::from_row(r)?,
            updated_at: r.get(11)?,
        })
    })?;
    rows.map(|r| r.map(|raw| (raw.stored.address.clone(), Some(raw))))
        .collect()
}

fn current_outputs(conn: &Connection) -> rusqlite::Result<BTreeMap<String, Option<RawOutput>>> {
    let mut stmt = conn.prepare("SELECT name, value, sensitive FROM outputs")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, Some((r.get(1)?, r.get(2)?)))))?;
    rows.collect()
}

/// The resources and outputs as they were at `target`: the current rows with the undo log of
/// every later serial undone, newest first.
#[allow(clippy::type_complexity)]
fn reconstruct(
    conn: &Connection,
    target: i64,
) -> rusqlite::Result<(
    BTreeMap<String, Option<RawResource>>,
    BTreeMap<String, Option<RawOutput>>,
)> {
    let mut resources = current_resources(conn)?;
    let mut stmt = conn.prepare(
        "SELECT address, present, mode, type, module_path, index_key, id, attributes, \
             dependencies, status, schema_version, sensitive_paths, updated_at \
         FROM resources_undo WHERE serial > ?1 ORDER BY seq DESC",
    )?;
    let mut rows = stmt.query([target])?;
    while let Some(r) = rows.next()? {
        let address: String = r.get(0)?;
        let present: bool = r.get(1)?;
        let raw = if present {
            Some(RawResource {
                stored: StoredResource {
                    address: address.clone(),
                    mode: r.get(2)?,
                    type_name: r.get(3)?,
                    module_path: r.get(4)?,
                    index_key: r.get(5)?,
                    id: r.get(6)?,
                    attributes: r.get(7)?,
                    dependencies: r.get(8)?,
                    status: r.get(9)?,
                    schema_version: r.get(10)?,
                    sensitive_paths: r.get(11)?,
                },
                updated_at: r.get(12)?,
            })
        } else {
            None
        };
        resources.insert(address, raw);
    }
    let mut outputs = current_outputs(conn)?;
    let mut stmt = conn.prepare(
        "SELECT name, present, value, sensitive FROM outputs_undo WHERE serial > ?1 \
         ORDER BY seq DESC",
    )?;
    let mut rows = stmt.query([target])?;
    while let Some(r) = rows.next()? {
        let name: String = r.get(0)?;
        let present: bool = r.get(1)?;
        let raw = if present {
            Some((r.get(2)?, r.get(3)?))
        } else {
            None
        };
        outputs.insert(name, raw);
    }
    Ok((resources, outputs))
}

impl StateStore {
    /// Works out what rolling the state back to serial `target` (default: the serial before
    /// the current one) would change. Refuses when the undo log cannot say: a serial that does
    /// not exist yet, or an earlier one whose log is missing (written by an ecsform before
    /// schema version 4, or deleted).
    pub fn rollback_plan(&self, target: Option<i64>) -> Result<RollbackPlan, StateError> {
        let path = self.path.as_path();
        let conn = &self.conn;
        // One read transaction: the log and the rows it is undone from must agree.
        conn.execute_batch("BEGIN").map_err(sql_err(path))?;
        let result = self.rollback_plan_in(target);
        let _ = conn.execute_batch("COMMIT");
        result
    }

    fn rollback_plan_in(&self, target: Option<i64>) -> Result<RollbackPlan, StateError> {
        let path = self.path.as_path();
        let current: i64 = self
            .conn
            .query_row("SELECT serial FROM meta WHERE id = 1", [], |r| r.get(0))
            .map_err(sql_err(path))?;
        let target = target.unwrap_or(current - 1);
        if current == 0 {
            return Err(cannot(
                path,
                target,
                "the state has no changes yet (serial 0)".into(),
            ));
        }
        if target >= current || target < 0 {
            return Err(cannot(
                path,
                target,
                format!(
                    "the state is at serial {current}; a rollback goes to an earlier serial, \
                     0 to {}",
                    current - 1
                ),
            ));
        }
        let logged: BTreeSet<i64> = self
            .conn
            .prepare("SELECT serial FROM revisions WHERE serial > ?1 AND serial <= ?2")
            .and_then(|mut stmt| {
                stmt.query_map([target, current], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()
            })
            .map_err(sql_err(path))?;
        if let Some(missing) = (target + 1..=current).rev().find(|s| !logged.contains(s)) {
            return Err(cannot(
                path,
                target,
                format!(
                    "the undo log has no record of the write that made serial {missing} (it \
                     was written by an ecsform without rollback, schema version 3 or older, or \
                     the log was deleted); this state can be rolled back no further than serial \
                     {missing}"
                ),
            ));
        }
        let (then_rows, then_outputs) = reconstruct(&self.conn, target).map_err(sql_err(path))?;
        let now_rows = current_resources(&self.conn).map_err(sql_err(path))?;
        let now_outputs = current_outputs(&self.conn).map_err(sql_err(path))?;

        let parse = |raw: &Option<RawResource>| -> Result<Option<ResourceRecord>, StateError> {
            raw.as_ref()
                .map(|r| r.stored.clone().into_record(path))
                .transpose()
        };
        let mut resources = Vec::new();
        let mut rows = BTreeMap::new();
        for (address, then_raw) in &then_rows {
            let now = parse(now_rows.get(address).unwrap_or(&None))?;
            let then = parse(then_raw)?;
            if now != then {
                resources.push(RollbackResource {
                    address: address.clone(),
                    now,
                    then,
                });
                rows.insert(address.clone(), then_raw.clone());
            }
        }
        let parse_output = |name: &str, raw: &Option<RawOutput>| {
            raw.as_ref()
                .map(|(value, sensitive)| {
                    parse_json(path, || format!("value of output {name}"), value)
                        .map(|v| (v, *sensitive))
                })
                .transpose()
        };
        let mut outputs = Vec::new();
        let mut output_rows = BTreeMap::new();
        for (name, then_raw) in &then_outputs {
            let now = parse_output(name, now_outputs.get(name).unwrap_or(&None))?;
            let then = parse_output(name, then_raw)?;
            if now != then {
                outputs.push(RollbackOutput {
                    name: name.clone(),
                    now,
                    then,
                });
                output_rows.insert(name.clone(), then_raw.clone());
            }
        }
        Ok(RollbackPlan {
            current_serial: current,
            target_serial: target,
            resources,
            outputs,
            rows,
            output_rows,
        })
    }

    /// Writes what `plan` worked out as one new serial (same lineage), with one `rollback`
    /// history row per instance. Refuses, changing nothing, if the state moved on since the
    /// plan was made. Returns the new serial.
    pub fn rollback(&mut self, plan: &RollbackPlan) -> Result<i64, StateError> {
        self.write(|tx, serial, path| {
            if serial - 1 != plan.current_serial {
                return Err(cannot(
                    path,
                    plan.target_serial,
                    format!(
                        "the state changed (serial {} to {}) since the rollback was worked out; \
                         run it again",
                        plan.current_serial,
                        serial - 1
                    ),
                ));
            }
            let now = now_rfc3339();
            let write_all = || -> rusqlite::Result<()> {
                for change in &plan.resources {
                    let address = &change.address;
                    tx.execute("DELETE FROM resources WHERE address = ?1", [address])?;
                    if let Some(Some(raw)) = plan.rows.get(address) {
                        let s = &raw.stored;
                        tx.execute(
                            "INSERT INTO resources (address, mode, type, module_path, \
                                 index_key, id, attributes, dependencies, status, \
                                 schema_version, updated_at, sensitive_paths) \
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                            params![
                                s.address,
                                s.mode,
                                s.type_name,
                                s.module_path,
                                s.index_key,
                                s.id,
                                s.attributes,
                                s.dependencies,
                                s.status,
                                s.schema_version,
                                raw.updated_at,
                                s.sensitive_paths
                            ],
                        )?;
                    }
                    let mut paths = Vec::new();
                    for rec in [&change.now, &change.then].into_iter().flatten() {
                        paths.extend(rec.sensitive_paths.iter().cloned());
                    }
                    append_history(
                        tx,
                        &now,
                        "rollback",
                        address,
                        change.now.as_ref().map(|r| &r.attributes),
                        change.then.as_ref().map(|r| &r.attributes),
                        serial,
                        &paths,
                    )?;
                    tx.execute(
                        "UPDATE history SET rollback_to = ?1 WHERE id = last_insert_rowid()",
                        [plan.target_serial],
                    )?;
                }
                for (name, raw) in &plan.output_rows {
                    tx.execute("DELETE FROM outputs WHERE name = ?1", [name])?;
                    if let Some((value, sensitive)) = raw {
                        tx.execute(
                            "INSERT INTO outputs (name, value, sensitive) VALUES (?1, ?2, ?3)",
                            params![name, value, sensitive],
                        )?;
                    }
                }
                Ok(())
            };
            write_all().map_err(sql_err(path))?;
            Ok(serial)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::testing::{record, temp_state};
    use serde_json::json;

    /// Every row the user sees: resources and outputs.
    fn content(
        store: &StateStore,
    ) -> (Vec<ResourceRecord>, Vec<(String, serde_json::Value, bool)>) {
        (store.resources().unwrap(), store.outputs().unwrap())
    }

    #[test]
    fn every_kind_of_write_can_be_rolled_back_one_serial_at_a_time() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        let mut seen = vec![content(&store)];
        let mut a = record("aws_vpc.a");
        store.put_resource(&a, "create", None).unwrap();
        seen.push(content(&store));
        a.attributes = json!({"id": "vpc-0123", "cidr_block": "10.1.0.0/16"});
        store.put_resource(&a, "update", None).unwrap();
        seen.push(content(&store));
        let mut b = record("aws_subnet.b");
        b.dependencies = vec!["aws_vpc.a".into()];
        store.put_resource(&b, "create", None).unwrap();
        seen.push(content(&store));
        store
            .set_outputs(&[
                ("x".into(), json!(1), false),
                ("pw".into(), json!("s"), true),
            ])
            .unwrap();
        seen.push(content(&store));
        store.set_outputs(&[("x".into(), json!(2), false)]).unwrap();
        seen.push(content(&store));
        // A move rewrites the dependencies of other instances too.
        let addr = |s: &str| crate::addrs::ResourceInstanceAddr::parse(s).unwrap();
        store
            .move_resources(&[(addr("aws_vpc.a"), addr("aws_vpc.main"))])
            .unwrap();
        seen.push(content(&store));
        store.remove_resources(&["aws_subnet.b".into()]).unwrap();
        seen.push(content(&store));
        store
            .remove_resource("aws_vpc.main", "delete", None)
            .unwrap();
        seen.push(content(&store));
        assert_eq!(store.serial(), 8);

        for target in (0..8).rev() {
            let plan = store.rollback_plan(Some(target)).unwrap();
            assert_eq!(plan.target_serial, target);
            let new_serial = store.rollback(&plan).unwrap();
            assert_eq!(content(&store), seen[target as usize], "serial {target}");
            // A rollback is itself a write that can be rolled back.
            let back = store.rollback_plan(None).unwrap();
            store.rollback(&back).unwrap();
            assert_eq!(content(&store), seen[8], "undoing the rollback to {target}");
            assert_eq!(store.serial(), new_serial + 1);
        }
        assert_eq!(store.lineage(), StateStore::open(&path).unwrap().lineage());
    }

    #[test]
    fn a_rollback_is_a_new_serial_with_history_naming_the_target() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        let a = record("aws_vpc.a");
        store.put_resource(&a, "create", None).unwrap();
        let mut changed = a.clone();
        changed.attributes = json!({"id": "vpc-0123", "cidr_block": "10.9.0.0/16"});
        store
            .put_resource(&changed, "update", Some(&a.attributes))
            .unwrap();
        store
            .put_resource(&record("aws_vpc.b"), "create", None)
            .unwrap();

        let plan = store.rollback_plan(Some(1)).unwrap();
        assert_eq!(plan.current_serial, 3);
        let summary: Vec<_> = plan
            .resources
            .iter()
            .map(|c| (c.address.as_str(), c.now.is_some(), c.then.is_some()))
            .collect();
        assert_eq!(
            summary,
            [("aws_vpc.a", true, true), ("aws_vpc.b", true, false)]
        );
        assert_eq!(store.rollback(&plan).unwrap(), 4);
        assert_eq!(store.resources().unwrap(), vec![a.clone()]);

        let history = store.history(2).unwrap();
        let rows: Vec<_> = history
            .iter()
            .map(|h| {
                (
                    h.serial,
                    h.action.as_str(),
                    h.address.as_str(),
                    h.rollback_to,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (4, "rollback", "aws_vpc.b", Some(1)),
                (4, "rollback", "aws_vpc.a", Some(1))
            ]
        );
        assert_eq!(history[1].before, Some(changed.attributes));
        assert_eq!(history[1].after, Some(a.attributes));
        assert_eq!(history[0].after, None);

        // Nothing to do: the state is as at serial 1 already... but serial 1 is not serial 4.
        let plan = store.rollback_plan(Some(1)).unwrap();
        assert!(plan.is_empty());
        // A plan made before another write is refused.
        let stale = store.rollback_plan(Some(2)).unwrap();
        store
            .put_resource(&record("aws_vpc.c"), "create", None)
            .unwrap();
        let err = store.rollback(&stale).unwrap_err();
        assert!(
            err.to_string()
                .contains("the state changed (serial 4 to 5)"),
            "{err}"
        );
        assert_eq!(store.serial(), 5);
    }

    #[test]
    fn a_rollback_the_log_cannot_reconstruct_is_refused() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        let err = store.rollback_plan(None).unwrap_err();
        assert!(err.to_string().contains("no changes yet"), "{err}");
        for name in ["a", "b", "c"] {
            store
                .put_resource(&record(&format!("aws_vpc.{name}")), "create", None)
                .unwrap();
        }
        let err = store.rollback_plan(Some(3)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "state file {}: cannot roll back to serial 3: the state is at serial 3; a \
                 rollback goes to an earlier serial, 0 to 2",
                path.display()
            )
        );
        // The log of serial 2 is gone, as after pruning or a migration from version 3.
        store
            .conn
            .execute("DELETE FROM revisions WHERE serial = 2", [])
            .unwrap();
        let err = store.rollback_plan(Some(0)).unwrap_err();
        assert!(
            err.to_string().contains(
                "no record of the write that made serial 2 (it was written by an ecsform \
                 without rollback, schema version 3 or older, or the log was deleted); this \
                 state can be rolled back no further than serial 2"
            ),
            "{err}"
        );
        assert!(store.rollback_plan(Some(2)).is_ok());
        assert_eq!(store.serial(), 3);
    }
}
