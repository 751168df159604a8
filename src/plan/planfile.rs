//! Saved plans: `ecsform plan -out=FILE` writes one, `ecsform apply FILE` applies exactly it,
//! `ecsform show FILE` renders it again.
//!
//! A plan file is a JSON document. Besides the plan it records what the plan was computed
//! from, so that apply can refuse a stale plan and say why: the state's lineage and serial, a
//! SHA-256 digest of every configuration file read (modules, variable files, templates), and
//! a salted digest of every root variable value.
//!
//! **No secret is stored in clear text.** Sensitive values (attributes, outputs, variables)
//! are left out: planned values keep only the fact that a value is sensitive, `-var` values of
//! sensitive variables are not recorded (apply needs them again), and variable values are
//! stored only as salted digests. Apply gets sensitive values back from the state (whose
//! serial it checks) and from the configuration, which it evaluates again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};

use crate::config::inputs::VarArg;
use crate::graph::Loaded;
use crate::lang::Value;
use crate::plan::Plan;

/// The `format` field of every plan file.
pub const FORMAT: &str = "ecsform-plan";
/// The version of the plan file layout this ecsform writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// What the state looked like when the plan was made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StateStamp {
    /// None when there was no state file yet.
    pub lineage: Option<String>,
    pub serial: i64,
}

/// A `-var` or `-var-file` given to plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarRecord {
    /// `-var 'NAME=VALUE'` of a variable that is not sensitive.
    Var(String),
    /// `-var-file=PATH`, as given (relative to the directory ecsform ran in).
    VarFile(PathBuf),
    /// `-var` of a sensitive variable: only the name is kept; apply needs the value again.
    SensitiveVar(String),
}

/// A saved plan.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanFile {
    pub format: String,
    pub format_version: u32,
    pub ecsform_version: String,
    pub created_at: String,
    pub state: StateStamp,
    /// Configuration files read (display path → SHA-256), including variable files and
    /// templates.
    pub config_files: BTreeMap<String, String>,
    pub var_args: Vec<VarRecord>,
    /// Root variable name → salted SHA-256 of its value.
    pub variables: BTreeMap<String, String>,
    pub salt: String,
    pub refresh: bool,
    pub plan: Json,
    /// SHA-256 of everything above, written by [`PlanFile::write`] and checked by
    /// [`PlanFile::read`]: a plan edited by hand (or damaged) is refused before anything is
    /// applied. It guards against mistakes, not against someone who can also edit the
    /// configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
}

/// Why a plan file cannot be read or applied.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("could not read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("could not write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not an ecsform plan file ({detail})")]
    NotAPlan { path: String, detail: String },
    #[error("{path} was written by a newer ecsform (plan format {found}; this ecsform reads format {FORMAT_VERSION})")]
    TooNew { path: String, found: u32 },
}

impl PlanFile {
    /// Records a plan with what it was computed from.
    pub fn new(
        plan: &Plan,
        loaded: &Loaded,
        vars: &[VarArg],
        state: StateStamp,
        refresh: bool,
    ) -> PlanFile {
        let salt = hex::encode(uuid::Uuid::new_v4().as_bytes());
        let sensitive_var = |name: &str| {
            loaded
                .module
                .variables
                .get(name)
                .is_some_and(|v| v.sensitive)
        };
        let var_args = vars
            .iter()
            .map(|a| match a {
                VarArg::File(p) => VarRecord::VarFile(p.clone()),
                VarArg::Var(s) => {
                    let name = s.split_once('=').map(|(n, _)| n.trim()).unwrap_or(s);
                    if sensitive_var(name) {
                        VarRecord::SensitiveVar(name.to_string())
                    } else {
                        VarRecord::Var(s.clone())
                    }
                }
            })
            .collect();
        PlanFile {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            ecsform_version: env!("CARGO_PKG_VERSION").into(),
            // The plan's time is what `plantimestamp()` returned while planning.
            created_at: crate::lang::functions::datetime::plan_timestamp().to_string(),
            state,
            config_files: config_digests(loaded),
            var_args,
            variables: variable_digests(loaded, &salt),
            salt,
            refresh,
            plan: encode_plan(plan),
            checksum: None,
        }
    }

    /// The checksum of the file's contents (everything but the checksum itself).
    fn content_checksum(&self) -> String {
        let mut unsealed = self.clone();
        unsealed.checksum = None;
        let bytes = serde_json::to_vec(&unsealed).expect("plan files serialize");
        hex::encode(Sha256::digest(&bytes))
    }

    /// The checksum a plan file document should carry; for tools (and tests) that edit a plan
    /// file on purpose. `None` if the document is not a plan file.
    pub fn checksum_of(doc: &Json) -> Option<String> {
        let file: PlanFile = serde_json::from_value(doc.clone()).ok()?;
        Some(file.content_checksum())
    }

    /// Writes the file (replacing it atomically, so a reader never sees half a plan).
    pub fn write(&self, path: &Path) -> Result<(), PlanFileError> {
        let err = |source| PlanFileError::Write {
            path: path.display().to_string(),
            source,
        };
        let mut sealed = self.clone();
        sealed.checksum = Some(self.content_checksum());
        let text = serde_json::to_string_pretty(&sealed).expect("plan files serialize");
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, text + "\n").map_err(err)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            err(e)
        })
    }

    /// Reads a plan file, checking that it is one this ecsform understands.
    pub fn read(path: &Path) -> Result<PlanFile, PlanFileError> {
        let shown = path.display().to_string();
        let text = std::fs::read(path).map_err(|source| PlanFileError::Read {
            path: shown.clone(),
            source,
        })?;
        let not_a_plan = |detail: String| PlanFileError::NotAPlan {
            path: shown.clone(),
            detail,
        };
        let doc: Json = serde_json::from_slice(&text)
            .map_err(|e| not_a_plan(format!("not valid JSON: {e}")))?;
        if doc.get("format").and_then(Json::as_str) != Some(FORMAT) {
            return Err(not_a_plan(format!(
                "no \"format\": \"{FORMAT}\" field; make one with \"ecsform plan -out=FILE\""
            )));
        }
        let found = doc
            .get("format_version")
            .and_then(Json::as_u64)
            .unwrap_or(0) as u32;
        if found > FORMAT_VERSION {
            return Err(PlanFileError::TooNew { path: shown, found });
        }
        let file: PlanFile =
            serde_json::from_value(doc).map_err(|e| not_a_plan(format!("damaged: {e}")))?;
        match &file.checksum {
            None => return Err(not_a_plan("it has no checksum; make a new one with \"ecsform plan -out=FILE\"".into())),
            Some(c) if *c != file.content_checksum() => {
                return Err(not_a_plan("it was changed after ecsform wrote it: its checksum does not match its contents; make a new plan with \"ecsform plan -out=FILE\"".into()))
            }
            Some(_) => {}
        }
        // Decode once now, so that a damaged plan is reported here rather than mid-apply.
        file.decode_plan().map_err(not_a_plan)?;
        Ok(file)
    }

    /// The plan, with sensitive values as `Sensitive(Unknown)`.
    pub fn decode_plan(&self) -> Result<Plan, String> {
        decode_plan(&self.plan)
    }

    /// The `-var`/`-var-file` flags to evaluate the configuration with again: the recorded
    /// ones (less sensitive `-var` values, which were not stored) followed by `extra`.
    pub fn var_args(&self, extra: &[VarArg]) -> Vec<VarArg> {
        self.var_args
            .iter()
            .filter_map(|r| match r {
                VarRecord::Var(s) => Some(VarArg::Var(s.clone())),
                VarRecord::VarFile(p) => Some(VarArg::File(p.clone())),
                VarRecord::SensitiveVar(_) => None,
            })
            .chain(extra.iter().cloned())
            .collect()
    }

    /// Everything that differs between what the plan was made from and `loaded`/`state`,
    /// one sentence each ("state changed: serial 14 → 15"). Empty when the plan still holds.
    pub fn staleness(&self, loaded: &Loaded, state: &StateStamp) -> Vec<String> {
        let mut out = Vec::new();
        match (&self.state.lineage, &state.lineage) {
            (Some(a), Some(b)) if a != b => out.push(format!(
                "state changed: it is a different state (lineage {a} → {b})"
            )),
            (Some(_), None) => out.push("state changed: the state file is gone".into()),
            (None, Some(_)) if state.serial > 0 => out.push(format!(
                "state changed: it was empty when the plan was made, now it is at serial {}",
                state.serial
            )),
            _ if self.state.serial != state.serial && self.state.lineage.is_some() => {
                out.push(format!(
                    "state changed: serial {} → {}",
                    self.state.serial, state.serial
                ))
            }
            _ => {}
        }
        let now = config_digests(loaded);
        for (path, digest) in &self.config_files {
            match now.get(path) {
                None => out.push(format!("{path} is no longer read")),
                Some(d) if d != digest => out.push(format!("{path} changed")),
                _ => {}
            }
        }
        for path in now.keys() {
            if !self.config_files.contains_key(path) {
                out.push(format!("{path} is new"));
            }
        }
        let vars = variable_digests(loaded, &self.salt);
        for (name, digest) in &self.variables {
            match vars.get(name) {
                None => out.push(format!("variable \"{name}\" is no longer declared")),
                Some(d) if d != digest => {
                    let given_sensitive = self
                        .var_args
                        .iter()
                        .any(|r| matches!(r, VarRecord::SensitiveVar(n) if n == name));
                    if given_sensitive {
                        out.push(format!(
                            "variable \"{name}\" changed: it is sensitive and was set with -var, which the plan file does not store; give the same value again (-var or TF_VAR_{name})"
                        ));
                    } else {
                        out.push(format!("variable \"{name}\" changed"));
                    }
                }
                _ => {}
            }
        }
        for name in vars.keys() {
            if !self.variables.contains_key(name) {
                out.push(format!("variable \"{name}\" is new"));
            }
        }
        out
    }
}

/// Display path → SHA-256 of every file read while loading (not `-var` values or
/// environment variables, which are covered by the variable digests).
fn config_digests(loaded: &Loaded) -> BTreeMap<String, String> {
    loaded
        .sources
        .files()
        .into_iter()
        .filter(|(display, _)| {
            !display.starts_with("a -var option") && !display.starts_with("the environment")
        })
        .map(|(display, text)| (display, hex::encode(Sha256::digest(text.as_bytes()))))
        .collect()
}

/// Root variable → salted SHA-256 of its value (marks removed).
fn variable_digests(loaded: &Loaded, salt: &str) -> BTreeMap<String, String> {
    loaded
        .evaluated
        .variables
        .iter()
        .map(|(name, v)| {
            let mut h = Sha256::new();
            h.update(salt.as_bytes());
            h.update([0]);
            h.update(name.as_bytes());
            h.update([0]);
            h.update(
                encode_value(&v.clone().unmark_deep().0)
                    .to_string()
                    .as_bytes(),
            );
            (name.clone(), hex::encode(h.finalize()))
        })
        .collect()
}

// --- Values ----------------------------------------------------------------------------------
//
// Plain JSON for null, booleans, numbers, strings, lists and maps; one-key objects for the
// rest: {"$set": [...]}, {"$unknown": true}, {"$sensitive": true} (the value is not stored)
// and {"$map": {...}} for a map that would otherwise look like one of these.

fn encode_value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => Value::Number(*n).to_json().unwrap_or(Json::Null),
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) => Json::Array(items.iter().map(encode_value).collect()),
        Value::Set(items) => json!({"$set": items.iter().map(encode_value).collect::<Vec<_>>()}),
        Value::Map(m) => {
            let obj: serde_json::Map<String, Json> = m
                .iter()
                .map(|(k, v)| (k.clone(), encode_value(v)))
                .collect();
            if m.len() == 1 && m.keys().all(|k| k.starts_with('$')) {
                json!({ "$map": obj })
            } else {
                Json::Object(obj)
            }
        }
        Value::Unknown => json!({"$unknown": true}),
        Value::Sensitive(_) => json!({"$sensitive": true}),
    }
}

fn decode_value(j: &Json) -> Result<Value, String> {
    Ok(match j {
        Json::Array(items) => {
            Value::List(items.iter().map(decode_value).collect::<Result<_, _>>()?)
        }
        Json::Object(obj) if obj.len() == 1 => {
            let (k, inner) = obj.iter().next().expect("one entry");
            match k.as_str() {
                "$set" => Value::Set(
                    inner
                        .as_array()
                        .ok_or("a $set that is not an array")?
                        .iter()
                        .map(decode_value)
                        .collect::<Result<_, _>>()?,
                ),
                "$unknown" => Value::Unknown,
                "$sensitive" => Value::Sensitive(Box::new(Value::Unknown)),
                "$map" => decode_map(inner.as_object().ok_or("a $map that is not an object")?)?,
                _ => decode_map(obj)?,
            }
        }
        Json::Object(obj) => decode_map(obj)?,
        other => Value::from_json(other),
    })
}

fn decode_map(obj: &serde_json::Map<String, Json>) -> Result<Value, String> {
    Ok(Value::Map(
        obj.iter()
            .map(|(k, v)| Ok((k.clone(), decode_value(v)?)))
            .collect::<Result<_, String>>()?,
    ))
}

/// Serde of a [`Value`] field of a saved plan, in the encoding above.
pub(crate) mod saved_value {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{decode_value, encode_value, Json, Value};

    /// Writes `v` encoded.
    pub fn serialize<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
        encode_value(v).serialize(s)
    }

    /// Reads an encoded value.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        decode_value(&Json::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// Serde of an optional [`Value`] field of a saved plan: `null` (or no field) when absent.
pub(crate) mod saved_opt_value {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{decode_value, encode_value, Json, Value};

    /// Writes `v` encoded, or `null`.
    pub fn serialize<S: Serializer>(v: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref().map(encode_value).serialize(s)
    }

    /// Reads an encoded value; `null` is none.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
        Option::<Json>::deserialize(d)?
            .map(|j| decode_value(&j).map_err(D::Error::custom))
            .transpose()
    }
}

// --- Plans -----------------------------------------------------------------------------------
//
// The plan types serialize themselves (`#[derive(Serialize, Deserialize)]` in `plan`), their
// values in the encoding above.

fn encode_plan(plan: &Plan) -> Json {
    serde_json::to_value(plan).expect("plans serialize")
}

fn decode_plan(doc: &Json) -> Result<Plan, String> {
    Plan::deserialize(doc).map_err(|e| e.to_string())
}

/// Puts back sensitive values a plan file left out (`Sensitive(Unknown)`), taking them from
/// `source` (the object as recorded in state) at the same place.
pub fn restore_redacted(planned: Value, source: &Value) -> Value {
    match planned {
        Value::Sensitive(inner) if matches!(*inner, Value::Unknown) => match source {
            Value::Null => Value::Sensitive(inner),
            s => s.clone().mark_sensitive(true),
        },
        Value::Map(m) => Value::Map(
            m.into_iter()
                .map(|(k, v)| {
                    let src = source
                        .unmarked()
                        .as_map()
                        .and_then(|s| s.get(&k))
                        .unwrap_or(&Value::Null);
                    let v = restore_redacted(v, src);
                    (k, v)
                })
                .collect(),
        ),
        Value::List(items) | Value::Set(items) if items.iter().any(Value::contains_sensitive) => {
            let set = matches!(source.unmarked(), Value::Set(_));
            let src = source.unmarked().as_list().unwrap_or(&[]);
            let items: Vec<Value> = items
                .into_iter()
                .enumerate()
                .map(|(i, v)| restore_redacted(v, src.get(i).unwrap_or(&Value::Null)))
                .collect();
            if set {
                Value::Set(items)
            } else {
                Value::List(items)
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addrs::ResourceInstanceAddr;
    use crate::plan::rolling::{PlannedRollout, RolloutCause};
    use crate::plan::{Action, Drift, OutputChange, Recovered, RecoveryKind, ResourceChange};

    fn secret(s: &str) -> Value {
        Value::Sensitive(Box::new(Value::string(s)))
    }

    #[test]
    fn values_round_trip_except_secrets() {
        let v = Value::map([
            ("id", Value::Unknown),
            ("n", Value::number(3)),
            (
                "set",
                Value::set(vec![Value::string("b"), Value::string("a")]),
            ),
            ("list", Value::List(vec![Value::Null, Value::Bool(true)])),
            ("odd", Value::map([("$set", Value::string("x"))])),
            ("pw", secret("hunter2")),
        ]);
        let j = encode_value(&v);
        assert!(!j.to_string().contains("hunter2"));
        let back = decode_value(&j).unwrap();
        let mut expected = v.clone();
        if let Value::Map(m) = &mut expected {
            m.insert("pw".into(), Value::Sensitive(Box::new(Value::Unknown)));
        }
        assert_eq!(back, expected);
        let restored = restore_redacted(back, &Value::map([("pw", Value::string("hunter2"))]));
        assert_eq!(restored, v);
    }

    #[test]
    fn plans_round_trip() {
        let a = ResourceInstanceAddr::parse("module.m[\"k\"].aws_vpc.v[0]").unwrap();
        let plan = Plan {
            changes: vec![ResourceChange {
                addr: a.clone(),
                action: Action::CreateThenDelete,
                before: Some(Value::map([("id", Value::string("vpc-1"))])),
                after: Some(Value::map([("id", Value::Unknown)])),
                replace_paths: vec!["cidr_block".into()],
                reason: Some("requested with -replace".into()),
                dependencies: vec![ResourceInstanceAddr::parse("aws_x.y").unwrap()],
            }],
            drift: vec![Drift {
                addr: a.clone(),
                before: Value::map([("id", Value::string("vpc-1"))]),
                after: None,
            }],
            recovered: vec![Recovered {
                addr: a,
                id: "vpc-2".into(),
                kind: RecoveryKind::Adopted,
            }],
            outputs: vec![OutputChange {
                name: "pw".into(),
                before: None,
                after: Some(secret("s3cret")),
                sensitive: true,
            }],
            destroy: false,
            targets: vec!["module.m".into()],
            rollouts: vec![PlannedRollout {
                addr: ResourceInstanceAddr::parse("aws_autoscaling_group.web").unwrap(),
                cause: RolloutCause::TemplateChanges(
                    ResourceInstanceAddr::parse("aws_launch_template.web").unwrap(),
                ),
                cluster: Some("main".into()),
                batch_size: 2,
                instances: Some(3),
            }],
        };
        let doc = encode_plan(&plan);
        assert!(!doc.to_string().contains("s3cret"));
        let back = decode_plan(&doc).unwrap();
        assert_eq!(back.changes, plan.changes);
        assert_eq!(back.drift, plan.drift);
        assert_eq!(back.targets, plan.targets);
        assert_eq!(back.rollouts, plan.rollouts);
        assert_eq!(
            back.outputs[0].after,
            Some(Value::Sensitive(Box::new(Value::Unknown)))
        );
        assert!(decode_plan(&json!({"changes": [{"address": "nope", "action": "create"}], "drift": [], "outputs": []})).is_err());
    }

    /// The saved shape, key order included, is the one plan files have always had: files
    /// written before keep loading, and new files read the same.
    #[test]
    fn the_saved_shape_is_kept() {
        let addr = |s| ResourceInstanceAddr::parse(s).unwrap();
        let plan = Plan {
            destroy: true,
            changes: vec![ResourceChange {
                addr: addr("aws_vpc.v"),
                action: Action::Delete,
                before: Some(Value::map([("pw", secret("s3cret"))])),
                after: None,
                replace_paths: vec![],
                reason: None,
                dependencies: vec![],
            }],
            recovered: vec![Recovered {
                addr: addr("aws_vpc.v"),
                id: "vpc-1".into(),
                kind: RecoveryKind::Replacement,
            }],
            rollouts: vec![PlannedRollout {
                addr: addr("aws_autoscaling_group.g"),
                cause: RolloutCause::GroupTemplateChanges,
                cluster: None,
                batch_size: 1,
                instances: None,
            }],
            ..Plan::default()
        };
        let doc = json!({
            "destroy": true,
            "targets": [],
            "changes": [{
                "address": "aws_vpc.v",
                "action": "delete",
                "before": {"pw": {"$sensitive": true}},
                "after": null,
                "replace_paths": [],
                "reason": null,
                "dependencies": [],
            }],
            "recovered": [{"address": "aws_vpc.v", "id": "vpc-1", "kind": "replacement"}],
            "drift": [],
            "rollouts": [{
                "address": "aws_autoscaling_group.g",
                "cause": "group",
                "detail": "",
                "cluster": null,
                "batch_size": 1,
                "instances": null,
            }],
            "outputs": [],
        });
        assert_eq!(encode_plan(&plan).to_string(), doc.to_string());
        // Files from before recovery and rolling replacements have neither list.
        let mut old = doc.clone();
        for key in ["recovered", "rollouts"] {
            old.as_object_mut().unwrap().remove(key);
        }
        let back = decode_plan(&old).unwrap();
        assert!(back.recovered.is_empty() && back.rollouts.is_empty());
        assert_eq!(back.changes[0].action, Action::Delete);
        let mut cause = doc;
        cause["rollouts"][0]["cause"] = "unfinished".into();
        cause["rollouts"][0]["detail"] = "batch 2 of 3".into();
        assert_eq!(
            decode_plan(&cause).unwrap().rollouts[0].cause,
            RolloutCause::Unfinished("batch 2 of 3".into())
        );
    }
}
