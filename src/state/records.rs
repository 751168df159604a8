//! The rows of the state as Rust values: `ResourceRecord` (one resource instance),
//! `ResourceStatus` and `HistoryEntry`, and turning the stored text back into them. It does not
//! run queries; the store does.

use std::fmt;
use std::path::Path;

use super::error::StateError;

/// One resource instance as recorded in the state.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceRecord {
    /// The full instance address, e.g. `module.vpc.aws_subnet.private[0]`. Unique in a state.
    pub address: String,
    /// `managed` for a `resource` block, `data` for a `data` block.
    pub mode: String,
    /// The resource type, e.g. `aws_subnet`.
    pub type_name: String,
    /// The module instance path, e.g. `module.vpc.module.network`; empty for the root module.
    pub module_path: String,
    /// The instance key: `null` for a single instance, a number for `count`, a string for
    /// `for_each`.
    pub index_key: serde_json::Value,
    /// The cloud ID, `None` while the instance is `Creating`.
    pub id: Option<String>,
    /// Every attribute of the object, as last read or written.
    pub attributes: serde_json::Value,
    /// The addresses this instance depended on when it was created or last updated, so that a
    /// delete can run in the right order after the configuration is gone.
    pub dependencies: Vec<String>,
    /// Whether the object is usable, must be replaced, or is being created.
    pub status: ResourceStatus,
    /// The schema version of the resource type that wrote `attributes`.
    pub schema_version: i64,
    /// Where the sensitive values in `attributes` are, as JSON paths (`["triggers", "pw"]`;
    /// see `lang::value::sensitive_paths`). Attributes a resource type always treats as
    /// sensitive are marked by its schema, whether listed here or not.
    pub sensitive_paths: Vec<serde_json::Value>,
}

/// The attribute of a create-before-destroy row holding the arguments of the replacement being
/// created (the rest of the row is the recorded object it replaces).
pub const REPLACEMENT_KEY: &str = "ecsform:replacement";

impl ResourceRecord {
    /// The arguments an intent row recorded: the row's attributes for a plain create, the
    /// [`REPLACEMENT_KEY`] part for a create-before-destroy replacement; `None` for a row that
    /// is not an intent.
    pub fn intent_arguments(&self) -> Option<&serde_json::Value> {
        if self.status != ResourceStatus::Creating {
            return None;
        }
        match &self.id {
            None => Some(&self.attributes),
            Some(_) => self.attributes.get(REPLACEMENT_KEY),
        }
    }
}

/// The condition of a recorded instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResourceStatus {
    /// The object exists and matches `attributes`.
    Ready,
    /// The object exists but a create or update failed part way; the next plan replaces it.
    Tainted,
    /// Written before the create call, without an ID and with the arguments of the call: if
    /// the apply dies before the call returns (or before its answer is recorded), the next run
    /// knows an object may exist that it has no ID for, and looks for it. For a
    /// create-before-destroy replacement the row keeps the ID and attributes of the object
    /// being replaced, and the new arguments under `ecsform:replacement`.
    Creating,
}

impl ResourceStatus {
    /// The word stored in the state file: `ready`, `tainted` or `creating`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceStatus::Ready => "ready",
            ResourceStatus::Tainted => "tainted",
            ResourceStatus::Creating => "creating",
        }
    }

    /// The status for a stored word, `None` for anything else.
    pub fn parse(word: &str) -> Option<ResourceStatus> {
        match word {
            "ready" => Some(ResourceStatus::Ready),
            "tainted" => Some(ResourceStatus::Tainted),
            "creating" => Some(ResourceStatus::Creating),
            _ => None,
        }
    }
}

impl fmt::Display for ResourceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One applied change, as recorded in the history table.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    /// When the change was written, RFC 3339 in UTC (`2026-11-22T10:00:00Z`).
    pub applied_at: String,
    /// `create`, `update`, `replace`, `delete` or `read` (applies); `intent` (an intent row
    /// written before a create, or dropped when nothing of it was found; see `apply::intent`),
    /// `adopt` (an object an interrupted apply created entered the state); `forget`
    /// (`state rm`: the instance left the state, the object was not touched), `move`
    /// (`state mv`), `import` (an existing object entered the state) or `rollback`
    /// (`state rollback`: the instance was put back as it was at serial `rollback_to`).
    pub action: String,
    /// The instance address (for a move, the new one).
    pub address: String,
    /// For a move, the address the instance had before.
    pub moved_from: Option<String>,
    /// The attributes before the change, if the caller gave them.
    pub before: Option<serde_json::Value>,
    /// The attributes after the change; `None` for a delete.
    pub after: Option<serde_json::Value>,
    /// The state serial this change produced.
    pub serial: i64,
    /// Where sensitive values are in `before` and `after` (JSON paths, as in
    /// [`ResourceRecord::sensitive_paths`]).
    pub sensitive_paths: Vec<serde_json::Value>,
    /// For a `rollback` row, the serial whose content it restored.
    pub rollback_to: Option<i64>,
}

/// The actions a history row may record.
pub(crate) const ACTIONS: &[&str] = &[
    "create", "update", "replace", "delete", "read", "forget", "move", "import", "intent", "adopt",
    "rollback",
];

/// The modes a resource instance may have.
const MODES: &[&str] = &["managed", "data"];

/// Refuses an action the history table does not know, before anything is written.
pub(crate) fn check_action(path: &Path, action: &str) -> Result<(), StateError> {
    if ACTIONS.contains(&action) {
        return Ok(());
    }
    Err(StateError::InvalidInput {
        path: path.to_path_buf(),
        detail: format!(
            "unknown history action {action:?}; expected one of {}",
            ACTIONS.join(", ")
        ),
    })
}

/// Refuses a record the resources table cannot hold faithfully.
pub(crate) fn check_record(path: &Path, rec: &ResourceRecord) -> Result<(), StateError> {
    let invalid = |detail: String| StateError::InvalidInput {
        path: path.to_path_buf(),
        detail,
    };
    if rec.address.is_empty() {
        return Err(invalid("a resource instance needs an address".into()));
    }
    if !MODES.contains(&rec.mode.as_str()) {
        return Err(invalid(format!(
            "{}: unknown mode {:?}; expected managed or data",
            rec.address, rec.mode
        )));
    }
    if !matches!(
        rec.index_key,
        serde_json::Value::Null | serde_json::Value::Number(_) | serde_json::Value::String(_)
    ) {
        return Err(invalid(format!(
            "{}: index key {} is not null, a number or a string",
            rec.address, rec.index_key
        )));
    }
    Ok(())
}

/// Reads back a JSON column, naming the value in the error.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: impl FnOnce() -> String,
    text: &str,
) -> Result<T, StateError> {
    serde_json::from_str(text).map_err(|e| StateError::Corrupt {
        path: path.to_path_buf(),
        what: what(),
        detail: format!("not valid JSON: {e}"),
    })
}

/// A resources row as stored, before its JSON columns are parsed.
#[derive(Clone, Debug)]
pub(crate) struct StoredResource {
    pub address: String,
    pub mode: String,
    pub type_name: String,
    pub module_path: String,
    pub index_key: String,
    pub id: Option<String>,
    pub attributes: String,
    pub dependencies: String,
    pub status: String,
    pub schema_version: i64,
    pub sensitive_paths: String,
}

/// The columns `StoredResource::from_row` expects, in order.
pub(crate) const RESOURCE_COLUMNS: &str = "address, mode, type, module_path, index_key, id, \
     attributes, dependencies, status, schema_version, sensitive_paths";

impl StoredResource {
    /// Reads a row selected with `RESOURCE_COLUMNS`.
    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredResource> {
        Ok(StoredResource {
            address: row.get(0)?,
            mode: row.get(1)?,
            type_name: row.get(2)?,
            module_path: row.get(3)?,
            index_key: row.get(4)?,
            id: row.get(5)?,
            attributes: row.get(6)?,
            dependencies: row.get(7)?,
            status: row.get(8)?,
            schema_version: row.get(9)?,
            sensitive_paths: row.get(10)?,
        })
    }

    /// Parses the JSON columns and the status.
    pub(crate) fn into_record(self, path: &Path) -> Result<ResourceRecord, StateError> {
        let address = self.address;
        let status = ResourceStatus::parse(&self.status).ok_or_else(|| StateError::Corrupt {
            path: path.to_path_buf(),
            what: format!("status of {address}"),
            detail: format!("unknown status {:?}", self.status),
        })?;
        Ok(ResourceRecord {
            index_key: parse_json(path, || format!("index key of {address}"), &self.index_key)?,
            attributes: parse_json(
                path,
                || format!("attributes of {address}"),
                &self.attributes,
            )?,
            dependencies: parse_json(
                path,
                || format!("dependencies of {address}"),
                &self.dependencies,
            )?,
            sensitive_paths: parse_json(
                path,
                || format!("sensitive paths of {address}"),
                &self.sensitive_paths,
            )?,
            mode: self.mode,
            type_name: self.type_name,
            module_path: self.module_path,
            id: self.id,
            status,
            schema_version: self.schema_version,
            address,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words_round_trip() {
        for status in [
            ResourceStatus::Ready,
            ResourceStatus::Tainted,
            ResourceStatus::Creating,
        ] {
            assert_eq!(ResourceStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(ResourceStatus::parse("Ready"), None);
    }

    #[test]
    fn records_with_bad_mode_or_key_are_refused() {
        let path = Path::new("state/ecsform.sqlite");
        let mut rec = ResourceRecord {
            address: "aws_vpc.main".into(),
            mode: "managed".into(),
            type_name: "aws_vpc".into(),
            module_path: String::new(),
            index_key: serde_json::Value::Null,
            id: None,
            attributes: serde_json::json!({}),
            dependencies: vec![],
            status: ResourceStatus::Creating,
            schema_version: 0,
            sensitive_paths: vec![],
        };
        assert!(check_record(path, &rec).is_ok());
        rec.index_key = serde_json::json!([1]);
        let err = check_record(path, &rec).unwrap_err().to_string();
        assert_eq!(
            err,
            "state file state/ecsform.sqlite: aws_vpc.main: index key [1] is not null, a number or a string"
        );
        rec.index_key = serde_json::json!("web");
        rec.mode = "resource".into();
        assert!(check_record(path, &rec).is_err());
        assert!(check_action(path, "create").is_ok());
        assert_eq!(
            check_action(path, "destroy").unwrap_err().to_string(),
            "state file state/ecsform.sqlite: unknown history action \"destroy\"; expected one of create, update, replace, delete, read, forget, move, import, intent, adopt, rollback"
        );
    }
}
