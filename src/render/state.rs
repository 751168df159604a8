//! The recorded state as people and scripts read it: one instance in Terraform's `state show`
//! form (`# ADDR:` and a `resource "TYPE" "NAME" { ... }` block with aligned `=`), values in
//! HCL form for `output`, the documents of `show -json`, `state show -json`,
//! `state list -json` and `output -json`, the lines of `state history` and what
//! `state rollback` will change.
//!
//! Sensitive values never appear: `(sensitive value)` in text, `null` with a
//! `sensitive_values` mark (or no `value` at all, for outputs) in JSON. Whether an attribute
//! is sensitive comes from the resource type's schema. Reads records and values only; opening
//! the state is the CLI's job.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{json, Map, Value as Json};

use crate::addrs::ResourceInstanceAddr;
use crate::aws;
use crate::lang::json_parts;
use crate::lang::value::{format_number, mark_paths};
use crate::lang::Value;
use crate::provider::{AttrSchema, AttrType, BlockSchema, Schema};
use crate::state::{HistoryEntry, ResourceRecord, ResourceStatus, RollbackPlan};

/// How far each nesting level of a `state show` block is indented, as in Terraform.
const BLOCK_INDENT: usize = 4;
/// How far each nesting level of an `output` value is indented, as in Terraform.
const OUTPUT_INDENT: usize = 2;

/// The `format_version` of the JSON state document (Terraform's current one).
pub const JSON_FORMAT_VERSION: &str = "1.0";

/// How keys of a map or object are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyStyle {
    /// Always `"key"`, as Terraform prints maps (`tags`) and output values.
    Quoted,
    /// `key` where it is an identifier, `"key"` otherwise, as Terraform prints objects.
    Bare,
}

/// The schema of a recorded instance's type, if this ecsform knows it.
fn schema_of(mode: &str, type_name: &str) -> Option<&'static Schema> {
    if mode == "data" {
        aws::data_source(type_name).map(|d| d.schema())
    } else {
        aws::resource_type(type_name).map(|t| t.schema())
    }
}

/// A record's attributes as a value in its schema's shape, sensitive attributes marked: those
/// its type always treats as sensitive and those the record lists (values that came from
/// sensitive variables). For a type this ecsform does not know, the attributes as stored,
/// marked where the record says.
pub fn attributes(rec: &ResourceRecord) -> Value {
    mark_paths(
        decode(&rec.mode, &rec.type_name, &rec.attributes),
        &rec.sensitive_paths,
    )
}

fn decode(mode: &str, type_name: &str, attributes: &Json) -> Value {
    let raw = Value::from_json(attributes);
    match schema_of(mode, type_name) {
        Some(schema) => schema.decode(&raw),
        None => raw,
    }
}

/// The word after an address in `state list` and `state show`, for instances that are not
/// simply there: `tainted` (the next apply replaces it) or `creating` (an apply stopped
/// before the object's ID was recorded).
pub fn status_note(status: ResourceStatus) -> Option<&'static str> {
    match status {
        ResourceStatus::Ready => None,
        ResourceStatus::Tainted => Some("tainted"),
        ResourceStatus::Creating => Some("creating"),
    }
}

/// The note for a record: its status, or an unfinished rolling replacement of a group's
/// instances (`rollout pending`, continued by the next apply).
fn record_note(rec: &ResourceRecord) -> Option<&'static str> {
    status_note(rec.status).or_else(|| {
        rec.attributes
            .get(crate::aws::rollout::PENDING_ATTR)
            .is_some_and(|v| !v.is_null())
            .then_some("rollout pending: the next apply continues replacing instances")
    })
}

/// `state list`: one address per line in the given order, a flagged status in parentheses.
pub fn list_text(records: &[&ResourceRecord]) -> String {
    let mut out = String::new();
    for rec in records {
        match record_note(rec) {
            Some(note) => {
                let _ = writeln!(out, "{} ({note})", rec.address);
            }
            None => {
                let _ = writeln!(out, "{}", rec.address);
            }
        }
    }
    out
}

/// `state list -json`: an array with one object per instance.
pub fn list_json(records: &[&ResourceRecord]) -> Json {
    Json::Array(
        records
            .iter()
            .map(|rec| {
                let (name, index) = name_and_index(rec);
                let mut obj = Map::new();
                obj.insert("address".into(), json!(rec.address));
                obj.insert("module".into(), json!(rec.module_path));
                obj.insert("mode".into(), json!(rec.mode));
                obj.insert("type".into(), json!(rec.type_name));
                obj.insert("name".into(), json!(name));
                if let Some(index) = index {
                    obj.insert("index".into(), index);
                }
                obj.insert("id".into(), json!(rec.id));
                obj.insert("status".into(), json!(rec.status.as_str()));
                Json::Object(obj)
            })
            .collect(),
    )
}

fn name_and_index(rec: &ResourceRecord) -> (String, Option<Json>) {
    let name = ResourceInstanceAddr::parse(&rec.address)
        .map(|a| a.resource.name)
        .unwrap_or_else(|| rec.address.clone());
    let index = (!rec.index_key.is_null()).then(|| rec.index_key.clone());
    (name, index)
}

/// `state show`: `# ADDR:` and the instance's block, attributes sorted with aligned `=`,
/// nested blocks after them, null attributes left out, sensitive ones masked.
pub fn instance_text(rec: &ResourceRecord) -> String {
    let (name, _) = name_and_index(rec);
    let kind = if rec.mode == "data" {
        "data"
    } else {
        "resource"
    };
    let mut out = String::new();
    let _ = write!(out, "# {}:", rec.address);
    if let Some(note) = record_note(rec) {
        let _ = write!(out, " ({note})");
    }
    let _ = writeln!(out, "\n{kind} \"{}\" \"{name}\" {{", rec.type_name);
    let schema = schema_of(&rec.mode, &rec.type_name);
    let empty = BTreeMap::new();
    let value = attributes(rec);
    object_lines(
        &mut out,
        value.as_map().unwrap_or(&empty),
        schema.map(|s| s.attributes),
        schema.map(|s| s.blocks).unwrap_or(&[]),
        BLOCK_INDENT,
    );
    out.push_str("}\n");
    out
}

fn object_lines(
    out: &mut String,
    obj: &BTreeMap<String, Value>,
    attrs: Option<&[AttrSchema]>,
    blocks: &[BlockSchema],
    indent: usize,
) {
    let pad = " ".repeat(indent);
    let shown: Vec<(&String, &Value)> = obj
        .iter()
        .filter(|(k, v)| !blocks.iter().any(|b| b.name == *k) && !v.unmarked().is_null())
        .collect();
    let width = shown.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (name, v) in shown {
        let is_map = attrs
            .and_then(|a| a.iter().find(|a| a.name == name))
            .is_some_and(|a| a.ty == AttrType::StringMap);
        let keys = if is_map {
            KeyStyle::Quoted
        } else {
            KeyStyle::Bare
        };
        let _ = writeln!(
            out,
            "{pad}{name:<width$} = {}",
            value_hcl(v, indent, BLOCK_INDENT, keys)
        );
    }
    let mut blocks: Vec<&BlockSchema> = blocks.iter().collect();
    blocks.sort_by_key(|b| b.name);
    for b in blocks {
        let empty = BTreeMap::new();
        for item in obj.get(b.name).map(BlockSchema::items).unwrap_or(&[]) {
            let _ = writeln!(out, "\n{pad}{} {{", b.name);
            object_lines(
                out,
                item.as_map().unwrap_or(&empty),
                Some(b.attributes),
                b.blocks,
                indent + BLOCK_INDENT,
            );
            let _ = writeln!(out, "{pad}}}");
        }
    }
}

/// A value in HCL form, continuing a line already indented by `indent`; nested lines go
/// `step` further in. Collections span lines (`[` / one item per line with a comma / `]`),
/// map keys are aligned, multi-line strings are heredocs, strings holding a JSON object or
/// array are shown as `jsonencode(...)`, sensitive values as `(sensitive value)`.
pub fn value_hcl(v: &Value, indent: usize, step: usize, keys: KeyStyle) -> String {
    let inner = " ".repeat(indent + step);
    let close = " ".repeat(indent);
    match v {
        Value::Sensitive(_) => "(sensitive value)".into(),
        Value::Unknown => "(known after apply)".into(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s) => {
            if let Some(doc) = json_document(s) {
                let body = value_hcl(&doc, indent + step, step, KeyStyle::Bare);
                if body.contains('\n') {
                    return format!("jsonencode(\n{inner}{body}\n{close})");
                }
                return format!("jsonencode({body})");
            }
            if s.contains('\n') {
                let mut out = String::from("<<-EOT\n");
                for line in s.lines() {
                    let _ = writeln!(out, "{inner}{}", escape_templates(line));
                }
                let _ = write!(out, "{close}EOT");
                return out;
            }
            quoted(s)
        }
        Value::List(items) | Value::Set(items) => {
            if items.is_empty() {
                return "[]".into();
            }
            let mut out = String::from("[\n");
            for item in items {
                let _ = writeln!(
                    out,
                    "{inner}{},",
                    value_hcl(item, indent + step, step, keys)
                );
            }
            let _ = write!(out, "{close}]");
            out
        }
        Value::Map(m) => {
            if m.is_empty() {
                return "{}".into();
            }
            let shown: Vec<(String, &Value)> = m.iter().map(|(k, v)| (key(k, keys), v)).collect();
            let width = shown
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0);
            let mut out = String::from("{\n");
            for (k, item) in shown {
                let _ = writeln!(
                    out,
                    "{inner}{k:<width$} = {}",
                    value_hcl(item, indent + step, step, keys)
                );
            }
            let _ = write!(out, "{close}}}");
            out
        }
    }
}

/// A string as an HCL literal: JSON escapes, and `${` / `%{` escaped so that it is not read as
/// a template.
fn quoted(s: &str) -> String {
    escape_templates(&Json::String(s.to_string()).to_string())
}

fn escape_templates(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

fn key(k: &str, style: KeyStyle) -> String {
    let mut chars = k.chars();
    let identifier = matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if style == KeyStyle::Bare && identifier {
        k.to_string()
    } else {
        quoted(k)
    }
}

/// The value of a string that holds a JSON object or array (a policy document, container
/// definitions), for showing it structured.
fn json_document(s: &str) -> Option<Value> {
    let t = s.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    serde_json::from_str::<Json>(s)
        .ok()
        .filter(|j| j.is_object() || j.is_array())
        .map(|j| Value::from_json(&j))
}

/// An output value for `ecsform output`: HCL form, two-space indents, quoted keys.
pub fn output_value(v: &Value) -> String {
    value_hcl(v, 0, OUTPUT_INDENT, KeyStyle::Quoted)
}

/// The outputs as `name = value` lines; sensitive ones as `mask` (`<sensitive>` in
/// `ecsform output`, `(sensitive value)` in `ecsform show`, as in Terraform).
pub fn outputs_text(outputs: &[(String, Json, bool)], mask: &str) -> String {
    let mut out = String::new();
    for (name, value, sensitive) in outputs {
        let shown = if *sensitive {
            mask.to_string()
        } else {
            output_value(&Value::from_json(value))
        };
        let _ = writeln!(out, "{name} = {shown}");
    }
    out
}

/// `output -json` (and the outputs of `show -json`): `{NAME: {sensitive, type, value}}`. A
/// sensitive output has no `value` (Terraform prints it in clear; ecsform does not).
pub fn outputs_json(outputs: &[(String, Json, bool)]) -> Json {
    let mut all = Map::new();
    for (name, value, sensitive) in outputs {
        let mut obj = Map::new();
        obj.insert("sensitive".into(), json!(sensitive));
        obj.insert("type".into(), json_type(value));
        if !sensitive {
            obj.insert("value".into(), value.clone());
        }
        all.insert(name.clone(), Json::Object(obj));
    }
    Json::Object(all)
}

/// A value's type in Terraform's JSON type syntax, as far as a stored JSON value tells:
/// `"string"`, `"number"`, `"bool"`, `["tuple", [...]]`, `["object", {...}]`, `"dynamic"` for
/// null.
pub fn json_type(v: &Json) -> Json {
    match v {
        Json::Null => json!("dynamic"),
        Json::Bool(_) => json!("bool"),
        Json::Number(_) => json!("number"),
        Json::String(_) => json!("string"),
        Json::Array(items) => json!(["tuple", items.iter().map(json_type).collect::<Vec<_>>()]),
        Json::Object(m) => {
            let attrs: Map<String, Json> =
                m.iter().map(|(k, v)| (k.clone(), json_type(v))).collect();
            json!(["object", attrs])
        }
    }
}

/// The provider a type belongs to, in Terraform's JSON form.
fn provider_name(type_name: &str) -> String {
    let provider = type_name.split('_').next().unwrap_or(type_name);
    format!("registry.terraform.io/hashicorp/{provider}")
}

/// One instance as `terraform show -json` writes it in `values`: address, mode, type, name,
/// index, provider_name, schema_version, `values` with sensitive attributes `null`,
/// `sensitive_values` marking them, `depends_on`, and `tainted` when it is.
pub fn instance_json(rec: &ResourceRecord) -> Json {
    let (name, index) = name_and_index(rec);
    let parts = json_parts::split(&attributes(rec));
    let sensitive = if parts.sensitive.is_object() {
        parts.sensitive
    } else {
        json!({})
    };
    let mut obj = Map::new();
    obj.insert("address".into(), json!(rec.address));
    obj.insert("mode".into(), json!(rec.mode));
    obj.insert("type".into(), json!(rec.type_name));
    obj.insert("name".into(), json!(name));
    if let Some(index) = index {
        obj.insert("index".into(), index);
    }
    obj.insert("provider_name".into(), json!(provider_name(&rec.type_name)));
    obj.insert("schema_version".into(), json!(rec.schema_version));
    obj.insert("values".into(), parts.value);
    obj.insert("sensitive_values".into(), sensitive);
    if !rec.dependencies.is_empty() {
        obj.insert("depends_on".into(), json!(rec.dependencies));
    }
    if rec.status == ResourceStatus::Tainted {
        obj.insert("tainted".into(), json!(true));
    }
    Json::Object(obj)
}

/// `state show -json`: the instance as in `show -json`, with its module address, status and
/// ID besides.
pub fn instance_detail_json(rec: &ResourceRecord) -> Json {
    let mut obj = instance_json(rec);
    if let Json::Object(m) = &mut obj {
        if !rec.module_path.is_empty() {
            m.insert("module_address".into(), json!(rec.module_path));
        }
        m.insert("id".into(), json!(rec.id));
        m.insert("status".into(), json!(rec.status.as_str()));
    }
    obj
}

/// `show -json` without a plan: `format_version`, `terraform_version` (the language version
/// ecsform implements), and `values` with the outputs and the module tree of resources.
pub fn state_json(
    records: &[&ResourceRecord],
    outputs: &[(String, Json, bool)],
    terraform_version: &str,
) -> Json {
    // Module instances by address, each with its own resources; parents are created for
    // every child so that no resource is lost under a module with none of its own.
    let mut modules: BTreeMap<String, Vec<Json>> = BTreeMap::new();
    let mut parents: BTreeMap<String, String> = BTreeMap::new();
    for rec in records {
        let module = ResourceInstanceAddr::parse(&rec.address)
            .map(|a| a.module)
            .unwrap_or_default();
        let mut m = module;
        modules.entry(m.to_string()).or_default();
        while let Some((parent, _)) = m.parent() {
            parents.insert(m.to_string(), parent.to_string());
            modules.entry(parent.to_string()).or_default();
            m = parent;
        }
        modules
            .entry(rec.module_path.clone())
            .or_default()
            .push(instance_json(rec));
    }
    let mut values = Map::new();
    if !outputs.is_empty() {
        values.insert("outputs".into(), outputs_json(outputs));
    }
    values.insert(
        "root_module".into(),
        module_json("", &mut modules, &parents),
    );
    json!({
        "format_version": JSON_FORMAT_VERSION,
        "terraform_version": terraform_version,
        "values": values,
    })
}

fn module_json(
    address: &str,
    modules: &mut BTreeMap<String, Vec<Json>>,
    parents: &BTreeMap<String, String>,
) -> Json {
    let mut obj = Map::new();
    if !address.is_empty() {
        obj.insert("address".into(), json!(address));
    }
    let resources = modules.remove(address).unwrap_or_default();
    if !resources.is_empty() {
        obj.insert("resources".into(), Json::Array(resources));
    }
    let children: Vec<String> = parents
        .iter()
        .filter(|(_, parent)| *parent == address)
        .map(|(child, _)| child.clone())
        .collect();
    if !children.is_empty() {
        let children: Vec<Json> = children
            .iter()
            .map(|c| module_json(c, modules, parents))
            .collect();
        obj.insert("child_modules".into(), Json::Array(children));
    }
    Json::Object(obj)
}

/// A short account of one history entry: IDs and attribute names, never values.
pub fn history_summary(h: &HistoryEntry) -> String {
    let id = |v: &Option<Json>| {
        v.as_ref()
            .and_then(|v| v.get("id"))
            .and_then(Json::as_str)
            .map(|id| format!(" (id={id})"))
            .unwrap_or_default()
    };
    match h.action.as_str() {
        "create" => format!("created{}", id(&h.after)),
        "update" => match (&h.before, &h.after) {
            (Some(Json::Object(b)), Some(Json::Object(a))) => {
                let mut changed: Vec<&String> = b
                    .keys()
                    .chain(a.keys())
                    .filter(|k| b.get(*k) != a.get(*k))
                    .collect();
                changed.sort();
                changed.dedup();
                if changed.is_empty() {
                    format!("updated{}", id(&h.after))
                } else {
                    let names: Vec<&str> = changed.iter().map(|k| k.as_str()).collect();
                    format!("updated {}{}", names.join(", "), id(&h.after))
                }
            }
            _ => format!("updated{}", id(&h.after)),
        },
        "replace" if h.after.is_none() => {
            format!("destroyed for replacement{}", id(&h.before))
        }
        "replace" => format!("created as a replacement{}", id(&h.after)),
        "delete" => format!("destroyed{}", id(&h.before)),
        "read" => "read".into(),
        "import" => format!("imported by ecsform import{}", id(&h.after)),
        "forget" => format!(
            "removed from the state by state rm; the object was left alone{}",
            id(&h.before)
        ),
        "move" => format!(
            "moved from {} by state mv",
            h.moved_from.as_deref().unwrap_or("?")
        ),
        "intent" if h.after.is_none() => "intent to create dropped: nothing of it was found".into(),
        "intent" => "about to be created (intent row)".into(),
        "adopt" => format!("adopted: created by an interrupted apply{}", id(&h.after)),
        "rollback" => {
            let to = h.rollback_to.map_or_else(
                || "an earlier serial".to_string(),
                |s| format!("serial {s}"),
            );
            match (&h.before, &h.after) {
                (None, _) => format!("restored by state rollback to {to}{}", id(&h.after)),
                (_, None) => format!(
                    "removed by state rollback to {to}: it was not in the state then{}",
                    id(&h.before)
                ),
                (Some(Json::Object(b)), Some(Json::Object(a))) => {
                    let mut changed: Vec<&str> = b
                        .keys()
                        .chain(a.keys())
                        .filter(|k| b.get(*k) != a.get(*k))
                        .map(String::as_str)
                        .collect();
                    changed.sort();
                    changed.dedup();
                    format!(
                        "rolled back to {to}: {}{}",
                        if changed.is_empty() {
                            "status or dependencies".to_string()
                        } else {
                            changed.join(", ")
                        },
                        id(&h.after)
                    )
                }
                _ => format!("rolled back to {to}{}", id(&h.after)),
            }
        }
        other => other.to_string(),
    }
}

/// What `state rollback` will change, for the user to confirm: per instance whether it comes
/// back, goes or changes (attribute names and IDs, never values), and per output the same.
pub fn rollback_text(plan: &RollbackPlan) -> String {
    let id = |rec: &Option<ResourceRecord>| {
        rec.as_ref()
            .and_then(|r| r.id.as_deref())
            .map(|id| format!(" (id={id})"))
            .unwrap_or_default()
    };
    let mut lines: Vec<(char, String, String)> = Vec::new();
    for change in &plan.resources {
        let (sign, what) = match (&change.now, &change.then) {
            (None, _) => ('+', format!("restored{}", id(&change.then))),
            (_, None) => ('-', format!("removed from the state{}", id(&change.now))),
            (Some(now), Some(then)) => {
                let (b, a) = (&now.attributes, &then.attributes);
                let mut changed: Vec<String> = match (b, a) {
                    (Json::Object(b), Json::Object(a)) => b
                        .keys()
                        .chain(a.keys())
                        .filter(|k| b.get(*k) != a.get(*k))
                        .cloned()
                        .collect(),
                    _ if b != a => vec!["attributes".into()],
                    _ => vec![],
                };
                if now.id != then.id {
                    changed.push("id".into());
                }
                if now.status != then.status {
                    changed.push(format!("status {} -> {}", now.status, then.status));
                }
                if now.dependencies != then.dependencies {
                    changed.push("dependencies".into());
                }
                changed.sort();
                changed.dedup();
                (
                    '~',
                    format!("changes {}{}", changed.join(", "), id(&change.then)),
                )
            }
        };
        lines.push((sign, change.address.clone(), what));
    }
    for change in &plan.outputs {
        let (sign, what) = match (&change.now, &change.then) {
            (None, _) => ('+', "restored"),
            (_, None) => ('-', "removed"),
            _ => ('~', "changes value"),
        };
        lines.push((sign, format!("output \"{}\"", change.name), what.into()));
    }
    let width = lines.iter().map(|l| l.1.len()).max().unwrap_or(0);
    let mut out = format!(
        "ecsform state rollback: the state is at serial {}; its resources and outputs go back to \
         what they were at serial {}, written as serial {} (same lineage).\nOnly the state \
         changes: no AWS object is created, changed or destroyed. The next plan compares the \
         configuration with the objects as this state records them.\n\n",
        plan.current_serial,
        plan.target_serial,
        plan.current_serial + 1
    );
    for (sign, what, how) in &lines {
        out.push_str(&format!("  {sign} {what:<width$}  {how}\n"));
    }
    let count = |c: char| lines.iter().filter(|l| l.0 == c).count();
    out.push_str(&format!(
        "\nRollback: {} to restore, {} to change, {} to remove.\n",
        count('+'),
        count('~'),
        count('-')
    ));
    out
}

/// `state history`: a table, newest first as given.
pub fn history_text(entries: &[HistoryEntry]) -> String {
    let serial_w = entries
        .iter()
        .map(|h| h.serial.to_string().len())
        .chain(["SERIAL".len()])
        .max()
        .unwrap_or(0);
    let time_w = entries
        .iter()
        .map(|h| h.applied_at.len())
        .chain(["TIME".len()])
        .max()
        .unwrap_or(0);
    let action_w = entries
        .iter()
        .map(|h| h.action.len())
        .chain(["ACTION".len()])
        .max()
        .unwrap_or(0);
    let address_w = entries
        .iter()
        .map(|h| h.address.chars().count())
        .chain(["ADDRESS".len()])
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{:>serial_w$}  {:<time_w$}  {:<action_w$}  {:<address_w$}  SUMMARY\n",
        "SERIAL", "TIME", "ACTION", "ADDRESS"
    );
    for h in entries {
        let _ = writeln!(
            out,
            "{:>serial_w$}  {:<time_w$}  {:<action_w$}  {:<address_w$}  {}",
            h.serial,
            h.applied_at,
            h.action,
            h.address,
            history_summary(h)
        );
    }
    out
}

/// `state history -json`: one object per entry, newest first, with the attributes before and
/// after the change where recorded (sensitive attributes `null`, marked in
/// `before_sensitive` / `after_sensitive`).
pub fn history_json(entries: &[HistoryEntry]) -> Json {
    Json::Array(
        entries
            .iter()
            .map(|h| {
                let mut obj = Map::new();
                obj.insert("serial".into(), json!(h.serial));
                obj.insert("time".into(), json!(h.applied_at));
                obj.insert("action".into(), json!(h.action));
                obj.insert("address".into(), json!(h.address));
                if let Some(from) = &h.moved_from {
                    obj.insert("moved_from".into(), json!(from));
                }
                if let Some(to) = h.rollback_to {
                    obj.insert("rollback_to".into(), json!(to));
                }
                obj.insert("summary".into(), json!(history_summary(h)));
                let addr = ResourceInstanceAddr::parse(&h.address);
                let (mode, type_name) = match &addr {
                    Some(a) if a.is_data() => ("data", a.resource.type_name.as_str()),
                    Some(a) => ("managed", a.resource.type_name.as_str()),
                    None => ("managed", ""),
                };
                for (which, attrs) in [("before", &h.before), ("after", &h.after)] {
                    if let Some(attrs) = attrs {
                        let parts = json_parts::split(&mark_paths(
                            decode(mode, type_name, attrs),
                            &h.sensitive_paths,
                        ));
                        obj.insert(which.into(), parts.value);
                        obj.insert(format!("{which}_sensitive"), parts.sensitive);
                    }
                }
                Json::Object(obj)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(address: &str, type_name: &str, attributes: Json) -> ResourceRecord {
        let addr = ResourceInstanceAddr::parse(address).unwrap();
        ResourceRecord {
            address: address.into(),
            mode: "managed".into(),
            type_name: type_name.into(),
            module_path: addr.module.to_string(),
            index_key: crate::state::index_key_json(&addr.key),
            id: attributes
                .get("id")
                .and_then(Json::as_str)
                .map(String::from),
            attributes,
            dependencies: vec![],
            status: ResourceStatus::Ready,
            schema_version: 1,
            sensitive_paths: vec![],
        }
    }

    fn access_key() -> ResourceRecord {
        record(
            "module.iam[\"ci\"].aws_iam_access_key.k[0]",
            "aws_iam_access_key",
            json!({
                "id": "AKIA123",
                "user": "ci",
                "secret": "hunter2-secret",
                "ses_smtp_password_v4": "smtp-secret",
                "status": "Active",
            }),
        )
    }

    #[test]
    fn an_instance_shows_as_a_terraform_block() {
        let rec = record(
            "aws_security_group.web",
            "aws_security_group",
            json!({
                "id": "sg-1",
                "name": "web",
                "description": "Managed by ecsform",
                "vpc_id": "vpc-1",
                "tags": {"Name": "web", "team name": "a"},
                "tags_all": {},
                "ingress": [
                    {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"], "self": false}
                ],
                "egress": [],
            }),
        );
        let text = instance_text(&rec);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn sensitive_attributes_are_masked_everywhere() {
        let rec = access_key();
        let text = instance_text(&rec);
        assert!(
            text.contains("secret               = (sensitive value)"),
            "{text}"
        );
        assert!(text.starts_with(
            "# module.iam[\"ci\"].aws_iam_access_key.k[0]:\nresource \"aws_iam_access_key\" \"k\" {\n"
        ));
        let json = instance_detail_json(&rec);
        assert_eq!(json["values"]["secret"], Json::Null);
        assert_eq!(json["sensitive_values"]["secret"], json!(true));
        assert_eq!(json["index"], json!(0));
        assert_eq!(json["module_address"], json!("module.iam[\"ci\"]"));
        let doc = state_json(&[&rec], &[], "1.9.0");
        let history = history_json(&[HistoryEntry {
            applied_at: "2026-01-01T00:00:00Z".into(),
            action: "forget".into(),
            address: rec.address.clone(),
            moved_from: None,
            before: Some(rec.attributes.clone()),
            after: None,
            serial: 3,
            rollback_to: None,
            sensitive_paths: vec![],
        }]);
        for shown in [text, json.to_string(), doc.to_string(), history.to_string()] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(!shown.contains("smtp-secret"), "{shown}");
        }
        assert_eq!(history[0]["before"]["user"], json!("ci"));
        assert_eq!(history[0]["before_sensitive"]["secret"], json!(true));
        assert_eq!(
            history[0]["summary"],
            json!("removed from the state by state rm; the object was left alone (id=AKIA123)")
        );
    }

    #[test]
    fn values_render_as_hcl() {
        let v = Value::from_json(&json!({
            "list": ["a", 1, true, null],
            "empty": [],
            "nested": {"k": {"x": "y"}},
            "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"}]}",
            "script": "#!/bin/sh\necho ${HOME}\n",
            "tmpl": "${not} %{a template}",
        }));
        insta::assert_snapshot!(value_hcl(&v, 0, 4, KeyStyle::Bare));
        assert_eq!(
            output_value(&Value::from_json(&json!({"a b": ["x"]}))),
            "{\n  \"a b\" = [\n    \"x\",\n  ]\n}"
        );
        assert_eq!(output_value(&Value::string("x\"y")), "\"x\\\"y\"");
        assert_eq!(
            output_value(&Value::Sensitive(Box::new(Value::string("s")))),
            "(sensitive value)"
        );
    }

    #[test]
    fn the_state_document_nests_modules() {
        let root = record("null_resource.a", "null_resource", json!({"id": "1"}));
        let deep = record(
            "module.a[0].module.b.null_resource.x[\"k\"]",
            "null_resource",
            json!({"id": "2", "triggers": {"v": "1"}}),
        );
        let outputs = vec![
            ("name".to_string(), json!("web"), false),
            ("password".to_string(), json!("hunter2"), true),
            ("ids".to_string(), json!(["a", 1]), false),
        ];
        let doc = state_json(&[&root, &deep], &outputs, "1.9.0");
        insta::assert_snapshot!(serde_json::to_string_pretty(&doc).unwrap());
        assert!(!doc.to_string().contains("hunter2"));
    }

    #[test]
    fn history_summaries_name_ids_and_attributes_only() {
        let entry = |action: &str, before: Option<Json>, after: Option<Json>| HistoryEntry {
            applied_at: "2026-01-01T00:00:00Z".into(),
            action: action.into(),
            address: "aws_vpc.main".into(),
            moved_from: (action == "move").then(|| "aws_vpc.old".to_string()),
            before,
            after,
            serial: 1,
            sensitive_paths: vec![],
            rollback_to: (action == "rollback").then_some(0),
        };
        let v1 = json!({"id": "vpc-1", "cidr_block": "10.0.0.0/16", "tags": {}});
        let v2 = json!({"id": "vpc-1", "cidr_block": "10.0.0.0/16", "tags": {"a": "b"}});
        assert_eq!(
            history_summary(&entry("create", None, Some(v1.clone()))),
            "created (id=vpc-1)"
        );
        assert_eq!(
            history_summary(&entry("update", Some(v1.clone()), Some(v2))),
            "updated tags (id=vpc-1)"
        );
        assert_eq!(
            history_summary(&entry("replace", Some(v1.clone()), None)),
            "destroyed for replacement (id=vpc-1)"
        );
        assert_eq!(
            history_summary(&entry("delete", Some(v1), None)),
            "destroyed (id=vpc-1)"
        );
        assert_eq!(
            history_summary(&entry("move", None, None)),
            "moved from aws_vpc.old by state mv"
        );
    }
}
