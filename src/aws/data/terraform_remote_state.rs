//! `data "terraform_remote_state"` (Terraform's built-in `terraform` provider): the root
//! module outputs of another configuration's state, as `outputs`.
//!
//! `backend = "local"` reads the file at `config.path` (default `terraform.tfstate`, relative
//! to the working directory as in Terraform; for a `workspace` other than `default`,
//! `<workspace_dir>/<workspace>/terraform.tfstate`, `workspace_dir` defaulting to
//! `terraform.tfstate.d`). The file may be an ecsform state (SQLite) or, read-only, a Terraform
//! state of format version 4 (JSON). A missing file is an empty state: `outputs` holds only
//! `defaults`. Sensitive outputs stay sensitive. Other backends are refused (`s3` is not
//! supported yet). The outputs are read during evaluation, like `template_file`: nothing is
//! asked of AWS.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use crate::aws::error::Result;
use crate::aws::error::{ApiError, ErrorKind};
use crate::aws::resource_type::{no_state_outputs, LocalRead, StateOutputs};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::diag::Diagnostic;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::get_str;
use crate::provider::Schema;

pub struct TerraformRemoteState;

static DECLARATION: DataDeclaration = DataDeclaration::new("terraform_remote_state", &SCHEMA);

/// The `terraform` provider's schema: `config`, `defaults` and `outputs` are of any type
/// (`dynamic`).
static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        required String: backend;
        optional Any: config defaults;
        optional String: workspace;
        computed Any: outputs;
    ],
    blocks: &[],
};

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

#[async_trait]
impl DataSource for TerraformRemoteState {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    fn read_locally(
        &self,
        config: &Value,
        ctx: &LocalRead<'_>,
    ) -> Option<Result<Value, Diagnostic>> {
        Some(
            read(config, ctx.root_dir, ctx.state_outputs)
                .map_err(|msg| Diagnostic::error("Error loading the remote state", msg)),
        )
    }

    /// The same read outside an evaluation (relative paths from the current directory).
    async fn read(&self, _: &AwsClients, config: &Value) -> Result<Value> {
        read(config, Path::new("."), no_state_outputs)
            .map_err(|msg| ApiError::new(ErrorKind::Invalid, "RemoteState", msg))
    }
}

/// The data source's value for `config`: the arguments as given, with `outputs` and `id`.
/// Unknown while an argument is.
fn read(
    config: &Value,
    root_dir: &Path,
    state_outputs: StateOutputs,
) -> std::result::Result<Value, String> {
    if !config.is_wholly_known() {
        return Ok(with(config, Value::Unknown, Value::Unknown));
    }
    let backend = get_str(config, "backend").unwrap_or_default();
    let workspace = get_str(config, "workspace").unwrap_or("default");
    let settings = config
        .as_map()
        .and_then(|m| m.get("config"))
        .map(Value::unmarked)
        .and_then(Value::as_map)
        .cloned()
        .unwrap_or_default();
    let setting = |name: &str| settings.get(name).and_then(Value::as_str).map(String::from);
    let outputs = match backend {
        "local" => {
            let path = local_state_path(
                root_dir,
                setting("path").as_deref(),
                setting("workspace_dir").as_deref(),
                workspace,
            );
            read_outputs(&path, state_outputs)?
        }
        "s3" => {
            return Err(
                "The \"s3\" backend is not supported by ecsform yet: terraform_remote_state \
                 reads local states only (backend = \"local\")."
                    .into(),
            )
        }
        other => {
            return Err(format!(
                "Unknown backend \"{other}\": ecsform reads remote states of the \"local\" \
                 backend."
            ))
        }
    };
    // `defaults` fill in outputs the state does not have.
    let mut all: BTreeMap<String, Value> = config
        .as_map()
        .and_then(|m| m.get("defaults"))
        .and_then(Value::as_map)
        .cloned()
        .unwrap_or_default();
    all.extend(outputs);
    Ok(with(config, Value::Map(all), Value::string(backend)))
}

fn with(config: &Value, outputs: Value, id: Value) -> Value {
    let mut value = config.clone();
    if let Value::Map(m) = &mut value {
        m.insert("outputs".into(), outputs);
        m.insert("id".into(), id);
    }
    value
}

/// Where the local backend keeps the state of `workspace`.
fn local_state_path(
    root_dir: &Path,
    path: Option<&str>,
    workspace_dir: Option<&str>,
    workspace: &str,
) -> PathBuf {
    if workspace == "default" {
        root_dir.join(path.unwrap_or("terraform.tfstate"))
    } else {
        root_dir
            .join(workspace_dir.unwrap_or("terraform.tfstate.d"))
            .join(workspace)
            .join("terraform.tfstate")
    }
}

/// The root module outputs of the state at `path` (none if there is no file).
fn read_outputs(
    path: &Path,
    state_outputs: StateOutputs,
) -> std::result::Result<BTreeMap<String, Value>, String> {
    let shown = path.display();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(format!("Cannot read {shown}: {e}.")),
    };
    if bytes.starts_with(SQLITE_MAGIC) {
        return Ok(state_outputs(path)?
            .into_iter()
            .map(|(name, json, sensitive)| {
                (name, Value::from_json(&json).mark_sensitive(sensitive))
            })
            .collect());
    }
    terraform_outputs(&bytes)
        .map_err(|why| format!("{shown} is not a state ecsform can read: {why}."))
}

/// The outputs of a Terraform state (format version 4).
fn terraform_outputs(bytes: &[u8]) -> std::result::Result<BTreeMap<String, Value>, String> {
    let json: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("it is neither an ecsform state nor JSON ({e})"))?;
    match json.get("version").and_then(serde_json::Value::as_u64) {
        Some(4) => {}
        Some(v) => {
            return Err(format!(
                "it is a Terraform state of format version {v}; ecsform reads version 4 \
                 (Terraform 0.12 and later)"
            ))
        }
        None => return Err("it is JSON without a state format \"version\"".into()),
    }
    let Some(outputs) = json.get("outputs") else {
        return Ok(BTreeMap::new());
    };
    let outputs = outputs
        .as_object()
        .ok_or("its \"outputs\" is not an object")?;
    outputs
        .iter()
        .map(|(name, o)| {
            let value = o
                .get("value")
                .ok_or_else(|| format!("output \"{name}\" has no value"))?;
            let sensitive = o
                .get("sensitive")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false);
            Ok((
                name.clone(),
                Value::from_json(value).mark_sensitive(sensitive),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: Vec<(&str, Value)>) -> Value {
        Value::map(pairs)
    }

    fn outputs(v: &Value) -> &BTreeMap<String, Value> {
        v.as_map().unwrap()["outputs"].as_map().unwrap()
    }

    #[test]
    fn terraform_v4_outputs_are_read_with_their_sensitivity_and_defaults_fill_in() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("net.tfstate"),
            r#"{"version":4,"terraform_version":"1.9.0","serial":3,"lineage":"x",
                "outputs":{"vpc_id":{"value":"vpc-1","type":"string"},
                           "subnets":{"value":["a","b"],"type":["list","string"]},
                           "db_password":{"value":"hunter2","type":"string","sensitive":true}},
                "resources":[]}"#,
        )
        .unwrap();
        let v = read(
            &config(vec![
                ("backend", Value::string("local")),
                (
                    "config",
                    Value::map([("path", Value::string("net.tfstate"))]),
                ),
                (
                    "defaults",
                    Value::map([
                        ("vpc_id", Value::string("unused")),
                        ("region", Value::string("eu-west-1")),
                    ]),
                ),
            ]),
            dir.path(),
            no_state_outputs,
        )
        .unwrap();
        let o = outputs(&v);
        assert_eq!(o["vpc_id"], Value::string("vpc-1"));
        assert_eq!(o["region"], Value::string("eu-west-1"));
        assert_eq!(
            o["subnets"],
            Value::List(vec![Value::string("a"), Value::string("b")])
        );
        assert!(o["db_password"].contains_sensitive());
        assert!(!o["vpc_id"].contains_sensitive());
    }

    #[test]
    fn missing_files_are_empty_states_and_workspaces_have_their_own_path() {
        let dir = tempfile::tempdir().unwrap();
        let v = read(
            &config(vec![("backend", Value::string("local"))]),
            dir.path(),
            no_state_outputs,
        )
        .unwrap();
        assert!(outputs(&v).is_empty());
        assert_eq!(
            local_state_path(Path::new("/r"), Some("x.tfstate"), None, "staging"),
            Path::new("/r/terraform.tfstate.d/staging/terraform.tfstate")
        );
        assert_eq!(
            local_state_path(Path::new("/r"), Some("../n/x.tfstate"), None, "default"),
            Path::new("/r/../n/x.tfstate")
        );
    }

    #[test]
    fn other_formats_and_backends_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).unwrap();
            read(
                &config(vec![
                    ("backend", Value::string("local")),
                    ("config", Value::map([("path", Value::string(name))])),
                ]),
                dir.path(),
                no_state_outputs,
            )
            .unwrap_err()
        };
        assert!(at("v3.tfstate", r#"{"version":3,"modules":[]}"#).contains("format version 3"));
        assert!(at("bad.tfstate", "{ truncated").contains("neither an ecsform state nor JSON"));
        let s3 = read(
            &config(vec![("backend", Value::string("s3"))]),
            dir.path(),
            no_state_outputs,
        )
        .unwrap_err();
        assert!(s3.contains("not supported by ecsform yet"), "{s3}");
        let gcs = read(
            &config(vec![("backend", Value::string("gcs"))]),
            dir.path(),
            no_state_outputs,
        )
        .unwrap_err();
        assert!(gcs.contains("Unknown backend \"gcs\""), "{gcs}");
    }

    #[test]
    fn unknown_arguments_make_unknown_outputs() {
        let v = read(
            &config(vec![
                ("backend", Value::string("local")),
                ("config", Value::map([("path", Value::Unknown)])),
            ]),
            Path::new("."),
            no_state_outputs,
        )
        .unwrap();
        assert_eq!(v.as_map().unwrap()["outputs"], Value::Unknown);
    }
}
