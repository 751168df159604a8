//! Refresh: read every managed object recorded in state from AWS, one batched call per
//! resource type (the types concurrently), so that the plan compares the configuration with
//! what really exists. Intent rows (a create that may not have happened, no id) are [`super::recover`]'s.

use std::collections::BTreeMap;

use futures_util::future::join_all;

use crate::addrs::ResourceInstanceAddr;
use crate::aws;
use crate::aws::refresh_batch::RefreshBatch;
use crate::aws::AwsClients;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::value::mark_paths;
use crate::lang::Value;
use crate::plan::build::{PriorObject, Refreshed};
use crate::provider::Schema;
use crate::state::{ResourceRecord, ResourceStatus};

/// The managed records that record an object, by type. An intent row without an id records
/// none: `recover` looks for what it may have left.
fn recorded_by_type(records: &[ResourceRecord]) -> BTreeMap<&str, Vec<&ResourceRecord>> {
    let mut by_type: BTreeMap<&str, Vec<&ResourceRecord>> = BTreeMap::new();
    for r in records.iter().filter(|r| r.mode == "managed") {
        if r.status != ResourceStatus::Creating || r.id.is_some() {
            by_type.entry(r.type_name.as_str()).or_default().push(r);
        }
    }
    by_type
}

/// Decodes state records into prior objects, taken to be as recorded
/// ([`Refreshed::NotRead`]). Needs no configuration and no AWS, so that plan can do it while
/// the configuration loads; [`refresh`] then reads the objects from AWS.
pub fn decode(
    records: &[ResourceRecord],
) -> (BTreeMap<ResourceInstanceAddr, PriorObject>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut out = BTreeMap::new();
    for (type_name, recs) in recorded_by_type(records) {
        let Some(rt) = aws::resource_type(type_name) else {
            diags.push(Diagnostic::error(
                "Unsupported resource type in state",
                format!("The state holds {} instance(s) of \"{type_name}\", which this ecsform does not support.", recs.len()),
            ));
            continue;
        };
        let schema = rt.schema();
        for r in recs {
            let Some(addr) = ResourceInstanceAddr::parse(&r.address) else {
                diags.push(Diagnostic::error(
                    "Invalid address in state",
                    format!(
                        "The state holds an instance with the unreadable address \"{}\".",
                        r.address
                    ),
                ));
                continue;
            };
            // Values that came from sensitive variables stay masked in the plan's "before".
            let recorded = mark_paths(
                schema.decode_owned(Value::from_json(&r.attributes)),
                &r.sensitive_paths,
            );
            let dependencies = r
                .dependencies
                .iter()
                .filter_map(|d| ResourceInstanceAddr::parse(d))
                .collect();
            out.insert(
                addr.clone(),
                PriorObject {
                    addr,
                    type_name: r.type_name.clone(),
                    recorded,
                    refreshed: Refreshed::NotRead,
                    dependencies,
                },
            );
        }
    }
    (out, diags)
}

/// Reads from AWS the objects of `records` (decoded into `prior` by [`decode`]), one batched
/// call per resource type, the types at the same time (each call waits for its service's
/// client-side rate limit, so reading together never exceeds them), and records in `prior`
/// what was found. `default_tags` tell which tags came from the provider rather than the
/// resource. Errors are reported in type order, whatever order the reads finish in.
pub async fn refresh(
    records: &[ResourceRecord],
    prior: &mut BTreeMap<ResourceInstanceAddr, PriorObject>,
    clients: &AwsClients,
    default_tags: &BTreeMap<String, String>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let by_type = recorded_by_type(records);
    let batch = RefreshBatch::for_types(by_type.keys().copied());
    let batch = &batch;
    // Unsupported types were reported by `decode`.
    let reads = by_type.into_iter().filter_map(|(type_name, recs)| {
        let rt = aws::resource_type(type_name).filter(|rt| rt.refreshes())?;
        Some(async move {
            let ids: Vec<String> = recs.iter().filter_map(|r| r.id.clone()).collect();
            let found = if rt.reads_recorded() {
                let recorded: Vec<Value> = recs
                    .iter()
                    .map(|r| rt.schema().decode_owned(Value::from_json(&r.attributes)))
                    .collect();
                rt.read_recorded(clients, &recorded)
                    .await
                    .map(Found::InOrder)
            } else {
                rt.refresh_many(clients, &ids, batch).await.map(Found::ById)
            };
            (type_name, rt, recs, ids.len(), found)
        })
    });
    for (type_name, rt, recs, asked, found) in join_all(reads).await {
        let found = match found {
            Ok(found) => found,
            Err(e) => {
                diags.push(Diagnostic::error(
                    format!("Error refreshing {type_name}"),
                    format!("{e} (while reading {asked} object(s) of this type)"),
                ));
                continue;
            }
        };
        let schema = rt.schema();
        for (i, r) in recs.iter().enumerate() {
            let Some(p) = ResourceInstanceAddr::parse(&r.address).and_then(|a| prior.get_mut(&a))
            else {
                continue;
            };
            let read = match &found {
                Found::ById(states) => r.id.as_ref().and_then(|id| states.get(id)),
                Found::InOrder(objects) => objects.get(i).and_then(Option::as_ref),
            };
            p.refreshed = match read {
                Some(v) => {
                    let read = rt.refreshed(rt.normalize(schema.decode(v)), &p.recorded);
                    let read = keep_local(schema, read, &p.recorded);
                    Refreshed::Read(mark_paths(
                        reconcile_tags(schema, &read, &p.recorded, default_tags),
                        &r.sensitive_paths,
                    ))
                }
                None => Refreshed::Gone,
            };
        }
    }
    diags
}

/// What the read of one type found: objects by id (AWS), or one answer per record in the
/// records' order ([`aws::ResourceType::read_recorded`]).
enum Found {
    ById(aws::resource_type::States),
    InOrder(Vec<Option<Value>>),
}

/// Attributes AWS does not store keep their recorded values.
fn keep_local(schema: &Schema, mut read: Value, recorded: &Value) -> Value {
    if let (Value::Map(m), Some(rec)) = (&mut read, recorded.as_map()) {
        let names = schema.attributes.iter().filter(|a| a.local).map(|a| a.name);
        let blocks = schema.blocks.iter().filter(|b| b.local).map(|b| b.name);
        for name in names.chain(blocks) {
            if let Some(v) = rec.get(name) {
                m.insert(name.to_string(), v.clone());
            }
        }
    }
    read
}

/// AWS reports one set of tags; split it back into the resource's own `tags` and `tags_all`
/// (which also holds the provider's default tags). `recorded` is the object as last recorded:
/// its `tags` keys stay the resource's own even where a default tag has the same value (import
/// passes the configuration's `tags` here).
pub(crate) fn reconcile_tags(
    schema: &Schema,
    read: &Value,
    recorded: &Value,
    default_tags: &BTreeMap<String, String>,
) -> Value {
    // Nothing to reconcile for a type without tags, or whose tags ecsform does not
    // implement yet (always null).
    let implemented = |name| schema.attribute(name).is_some_and(|a| !a.untracked);
    if !implemented("tags_all") || !implemented("tags") {
        return read.clone();
    }
    let mut m = read.as_map().cloned().unwrap_or_default();
    let all = m
        .get("tags_all")
        .and_then(Value::as_map)
        .or_else(|| m.get("tags").and_then(Value::as_map))
        .cloned()
        .unwrap_or_default();
    let own_before = recorded
        .as_map()
        .and_then(|r| r.get("tags"))
        .and_then(Value::as_map)
        .cloned()
        .unwrap_or_default();
    let own: BTreeMap<String, Value> = all
        .iter()
        .filter(|(k, v)| {
            own_before.contains_key(*k)
                || default_tags
                    .get(*k)
                    .map(|d| Some(d.as_str()) != v.as_str())
                    .unwrap_or(true)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let recorded_null = recorded
        .as_map()
        .and_then(|r| r.get("tags"))
        .is_none_or(Value::is_null);
    m.insert(
        "tags".into(),
        if own.is_empty() && recorded_null {
            Value::Null
        } else {
            Value::Map(own)
        },
    );
    m.insert("tags_all".into(), Value::Map(all));
    Value::Map(m)
}
