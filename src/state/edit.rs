//! Edits of the state that touch no cloud object: forgetting instances (`state rm`) and giving
//! them new addresses (`state mv`). Each edit is one transaction with one serial bump and one
//! history row per instance. Which instances to edit is the caller's choice (`addrs::pattern`,
//! `addrs::moves`); this module checks the edit is possible and makes it.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{params, OptionalExtension, Transaction};

use super::records::{parse_json, StoredResource, RESOURCE_COLUMNS};
use super::StateStore;
use super::{append_history, now_rfc3339, sql_err, to_json_text, ResourceRecord, StateError};
use crate::addrs::{InstanceKey, ResourceInstanceAddr};

/// The stored form of an instance key: `null`, a number or a string.
pub fn index_key_json(key: &Option<InstanceKey>) -> serde_json::Value {
    match key {
        None => serde_json::Value::Null,
        Some(InstanceKey::Int(i)) => serde_json::json!(i),
        Some(InstanceKey::Str(s)) => serde_json::json!(s),
    }
}

fn find(
    tx: &Transaction<'_>,
    path: &std::path::Path,
    address: &str,
) -> Result<Option<ResourceRecord>, StateError> {
    tx.query_row(
        &format!("SELECT {RESOURCE_COLUMNS} FROM resources WHERE address = ?1"),
        [address],
        StoredResource::from_row,
    )
    .optional()
    .map_err(sql_err(path))?
    .map(|s| s.into_record(path))
    .transpose()
}

impl StateStore {
    /// Removes the instances at `addresses` (each given once) from the state without touching
    /// the objects they record, in one transaction that bumps the serial once and appends one
    /// `forget` history row per instance with its attributes as before. Fails, changing
    /// nothing, if any address is not in the state. Returns the removed records.
    pub fn remove_resources(
        &mut self,
        addresses: &[String],
    ) -> Result<Vec<ResourceRecord>, StateError> {
        if addresses.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|tx, serial, path| {
            let now = now_rfc3339();
            let mut removed = Vec::with_capacity(addresses.len());
            for address in addresses {
                let Some(rec) = find(tx, path, address)? else {
                    return Err(StateError::NoSuchResource {
                        path: path.to_path_buf(),
                        address: address.clone(),
                    });
                };
                tx.execute("DELETE FROM resources WHERE address = ?1", [address])
                    .map_err(sql_err(path))?;
                append_history(
                    tx,
                    &now,
                    "forget",
                    address,
                    Some(&rec.attributes),
                    None,
                    serial,
                    &rec.sensitive_paths,
                )
                .map_err(sql_err(path))?;
                removed.push(rec);
            }
            Ok(removed)
        })
    }

    /// Gives instances new addresses: each `(from, to)` moves the instance at `from` to `to`,
    /// updating its address, module path and instance key, and every other instance's recorded
    /// dependencies on it. One transaction that bumps the serial once and appends one `move`
    /// history row per instance.
    ///
    /// Fails, changing nothing, if a source is missing, two moves share a source or a
    /// destination, a destination is taken by an instance that does not move away, or a
    /// destination has another resource type or mode than its source.
    pub fn move_resources(
        &mut self,
        moves: &[(ResourceInstanceAddr, ResourceInstanceAddr)],
    ) -> Result<(), StateError> {
        if moves.is_empty() {
            return Ok(());
        }
        let invalid = |path: &std::path::Path, detail: String| StateError::InvalidInput {
            path: path.to_path_buf(),
            detail,
        };
        let renamed: BTreeMap<String, String> = moves
            .iter()
            .map(|(from, to)| (from.to_string(), to.to_string()))
            .collect();
        let destinations: BTreeSet<&String> = renamed.values().collect();
        if renamed.len() != moves.len() || destinations.len() != moves.len() {
            return Err(invalid(
                &self.path,
                "a move names the same source or destination twice".into(),
            ));
        }
        self.write(|tx, serial, path| {
            let now = now_rfc3339();
            for (from, to) in moves {
                let Some(rec) = find(tx, path, &from.to_string())? else {
                    return Err(StateError::NoSuchResource {
                        path: path.to_path_buf(),
                        address: from.to_string(),
                    });
                };
                let mode = if to.is_data() { "data" } else { "managed" };
                if rec.type_name != to.resource.type_name || rec.mode != mode {
                    return Err(invalid(
                        path,
                        format!(
                            "cannot move {from} ({} {}) to {to}: resource types don't match",
                            rec.mode, rec.type_name
                        ),
                    ));
                }
                let to = to.to_string();
                if !renamed.contains_key(&to) && find(tx, path, &to)?.is_some() {
                    return Err(StateError::AddressTaken {
                        path: path.to_path_buf(),
                        address: to,
                    });
                }
            }
            // Through temporary names, so that moves may take each other's places.
            for (i, (from, _)) in moves.iter().enumerate() {
                tx.execute(
                    "UPDATE resources SET address = ?1 WHERE address = ?2",
                    params![format!("\u{1}moving {i}"), from.to_string()],
                )
                .map_err(sql_err(path))?;
            }
            for (i, (from, to)) in moves.iter().enumerate() {
                tx.execute(
                    "UPDATE resources SET address = ?1, module_path = ?2, index_key = ?3, \
                         updated_at = ?4 WHERE address = ?5",
                    params![
                        to.to_string(),
                        to.module.to_string(),
                        to_json_text(&index_key_json(&to.key)),
                        now,
                        format!("\u{1}moving {i}"),
                    ],
                )
                .map_err(sql_err(path))?;
                tx.execute(
                    "INSERT INTO history (applied_at, action, address, before, after, serial, \
                         moved_from) VALUES (?1, 'move', ?2, NULL, NULL, ?3, ?4)",
                    params![now, to.to_string(), serial, from.to_string()],
                )
                .map_err(sql_err(path))?;
            }
            rewrite_dependencies(tx, path, &renamed)
        })
    }
}

/// Points every recorded dependency on a moved instance at its new address.
fn rewrite_dependencies(
    tx: &Transaction<'_>,
    path: &std::path::Path,
    renamed: &BTreeMap<String, String>,
) -> Result<(), StateError> {
    let rows: Vec<(String, String)> = tx
        .prepare("SELECT address, dependencies FROM resources")
        .and_then(|mut stmt| {
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .map_err(sql_err(path))?;
    for (address, text) in rows {
        let deps: Vec<String> = parse_json(path, || format!("dependencies of {address}"), &text)?;
        if !deps.iter().any(|d| renamed.contains_key(d)) {
            continue;
        }
        let deps: Vec<&String> = deps.iter().map(|d| renamed.get(d).unwrap_or(d)).collect();
        tx.execute(
            "UPDATE resources SET dependencies = ?1 WHERE address = ?2",
            params![to_json_text(&deps), address],
        )
        .map_err(sql_err(path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::testing::{record, temp_state};
    use crate::state::ResourceStatus;

    fn addr(s: &str) -> ResourceInstanceAddr {
        ResourceInstanceAddr::parse(s).unwrap()
    }

    fn subnet(address: &str, deps: &[&str]) -> ResourceRecord {
        let a = addr(address);
        ResourceRecord {
            type_name: "aws_subnet".into(),
            module_path: a.module.to_string(),
            index_key: index_key_json(&a.key),
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            ..record(address)
        }
    }

    fn addresses(store: &StateStore) -> Vec<String> {
        store
            .resources()
            .unwrap()
            .into_iter()
            .map(|r| r.address)
            .collect()
    }

    #[test]
    fn remove_forgets_instances_in_one_write_with_history() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        for a in ["aws_vpc.a", "aws_vpc.b", "aws_vpc.c"] {
            store.put_resource(&record(a), "create", None).unwrap();
        }
        let removed = store
            .remove_resources(&["aws_vpc.a".into(), "aws_vpc.c".into()])
            .unwrap();
        assert_eq!(removed, [record("aws_vpc.a"), record("aws_vpc.c")]);
        assert_eq!(addresses(&store), ["aws_vpc.b"]);
        assert_eq!(store.serial(), 4, "one serial for the whole removal");
        let history = store.history(2).unwrap();
        assert_eq!(
            history
                .iter()
                .map(|h| (h.action.as_str(), h.address.as_str(), h.serial))
                .collect::<Vec<_>>(),
            [("forget", "aws_vpc.c", 4), ("forget", "aws_vpc.a", 4)]
        );
        assert_eq!(history[0].before, Some(record("aws_vpc.c").attributes));
        assert_eq!(history[0].after, None);
    }

    #[test]
    fn remove_of_anything_missing_changes_nothing() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        store
            .put_resource(&record("aws_vpc.a"), "create", None)
            .unwrap();
        let err = store
            .remove_resources(&["aws_vpc.a".into(), "aws_vpc.gone".into()])
            .unwrap_err();
        assert!(matches!(err, StateError::NoSuchResource { .. }), "{err}");
        assert_eq!(addresses(&store), ["aws_vpc.a"]);
        assert_eq!(store.serial(), 1);
        assert_eq!(store.history(10).unwrap().len(), 1);
        assert!(store.remove_resources(&[]).unwrap().is_empty());
        assert_eq!(store.serial(), 1, "an empty removal writes nothing");
    }

    #[test]
    fn move_updates_address_module_key_and_dependents() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        store
            .put_resource(&subnet("aws_subnet.a[0]", &[]), "create", None)
            .unwrap();
        store
            .put_resource(&subnet("aws_subnet.a[1]", &[]), "create", None)
            .unwrap();
        let mut user = record("aws_vpc.user");
        user.dependencies = vec!["aws_subnet.a[1]".into(), "aws_vpc.other".into()];
        store.put_resource(&user, "create", None).unwrap();

        store
            .move_resources(&[
                (
                    addr("aws_subnet.a[0]"),
                    addr("module.net[\"x\"].aws_subnet.b"),
                ),
                (addr("aws_subnet.a[1]"), addr("aws_subnet.b[\"k\"]")),
            ])
            .unwrap();
        assert_eq!(store.serial(), 4);
        let moved = store
            .resource("module.net[\"x\"].aws_subnet.b")
            .unwrap()
            .unwrap();
        assert_eq!(moved.module_path, "module.net[\"x\"]");
        assert_eq!(moved.index_key, serde_json::Value::Null);
        assert_eq!(moved.attributes, record("x").attributes);
        let keyed = store.resource("aws_subnet.b[\"k\"]").unwrap().unwrap();
        assert_eq!(keyed.module_path, "");
        assert_eq!(keyed.index_key, serde_json::json!("k"));
        assert_eq!(
            store
                .resource("aws_vpc.user")
                .unwrap()
                .unwrap()
                .dependencies,
            ["aws_subnet.b[\"k\"]", "aws_vpc.other"]
        );
        assert!(store.resource("aws_subnet.a[0]").unwrap().is_none());
        let history = store.history(2).unwrap();
        assert_eq!(history[0].action, "move");
        assert_eq!(history[0].address, "aws_subnet.b[\"k\"]");
        assert_eq!(history[0].moved_from.as_deref(), Some("aws_subnet.a[1]"));
        assert_eq!(history[1].moved_from.as_deref(), Some("aws_subnet.a[0]"));
        assert!(history.iter().all(|h| h.serial == 4));
    }

    #[test]
    fn moves_may_swap_places() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        let mut a = record("aws_vpc.a");
        a.id = Some("vpc-a".into());
        store.put_resource(&a, "create", None).unwrap();
        store
            .put_resource(&record("aws_vpc.b"), "create", None)
            .unwrap();
        store
            .move_resources(&[
                (addr("aws_vpc.a"), addr("aws_vpc.b")),
                (addr("aws_vpc.b"), addr("aws_vpc.a")),
            ])
            .unwrap();
        assert_eq!(
            store.resource("aws_vpc.b").unwrap().unwrap().id.as_deref(),
            Some("vpc-a")
        );
    }

    #[test]
    fn a_refused_move_changes_nothing() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        store
            .put_resource(&record("aws_vpc.a"), "create", None)
            .unwrap();
        let mut tainted = record("aws_vpc.b");
        tainted.status = ResourceStatus::Tainted;
        store.put_resource(&tainted, "create", None).unwrap();
        let before = store.resources().unwrap();

        let err = store
            .move_resources(&[
                (addr("aws_vpc.a"), addr("aws_vpc.c")),
                (addr("aws_vpc.gone"), addr("aws_vpc.d")),
            ])
            .unwrap_err();
        assert!(matches!(err, StateError::NoSuchResource { .. }), "{err}");
        let err = store
            .move_resources(&[(addr("aws_vpc.a"), addr("aws_vpc.b"))])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "state file {}: there is already a resource instance at aws_vpc.b in the state",
                path.display()
            )
        );
        let err = store
            .move_resources(&[(addr("aws_vpc.a"), addr("aws_subnet.a"))])
            .unwrap_err();
        assert!(err.to_string().contains("types don't match"), "{err}");
        let err = store
            .move_resources(&[
                (addr("aws_vpc.a"), addr("aws_vpc.x")),
                (addr("aws_vpc.b"), addr("aws_vpc.x")),
            ])
            .unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");

        assert_eq!(store.resources().unwrap(), before);
        assert_eq!(store.serial(), 2);
        assert_eq!(store.history(10).unwrap().len(), 2);
    }
}
