//! The plan as a JSON document close to `terraform show -json PLANFILE` (format version 1.2),
//! so that tools written for Terraform plans (OPA/conftest policies, cost estimators, review
//! bots) can read ecsform plans.
//!
//! One deliberate difference: sensitive values are never written. Where Terraform writes the
//! value and marks it in `*_sensitive`, ecsform writes `null` and the same mark. The shape is
//! documented in docs/saved-plans-and-review.md ("JSON plan format") and as a JSON Schema in
//! `docs/plan-json.schema.json`.

use serde_json::{json, Map, Value as Json};

use crate::addrs::{InstanceKey, ResourceInstanceAddr};
use crate::lang::json_parts::{split, JsonParts};
use crate::lang::Value;
use crate::plan::{Action, Drift, OutputChange, Plan, ResourceChange};

/// The format version written, as in Terraform's JSON plan.
pub const FORMAT_VERSION: &str = "1.2";

/// The document, pretty-printed, with a final newline.
pub fn render(plan: &Plan) -> String {
    let mut s = serde_json::to_string_pretty(&plan_json(plan)).unwrap_or_default();
    s.push('\n');
    s
}

/// The plan as a JSON value. Keys appear in a fixed order (Terraform's), collections in the
/// plan's order (instances sorted by address, outputs by name).
pub fn plan_json(plan: &Plan) -> Json {
    let outputs: Map<String, Json> = plan
        .outputs
        .iter()
        .map(|o| (o.name.clone(), output_change(o)))
        .collect();
    json!({
        "format_version": FORMAT_VERSION,
        "terraform_version": crate::lang::TERRAFORM_LANGUAGE_VERSION,
        "ecsform_version": env!("CARGO_PKG_VERSION"),
        "resource_drift": plan.drift.iter().map(drift).collect::<Vec<_>>(),
        "resource_changes": plan.changes.iter().map(|c| resource_change(plan, c)).collect::<Vec<_>>(),
        "rolling_replacements": plan.rollouts.iter().map(rollout).collect::<Vec<_>>(),
        "output_changes": outputs,
        "applyable": plan.has_changes(),
        "complete": plan.targets.is_empty(),
        "errored": false,
    })
}

/// Terraform's list of actions for one change.
pub fn actions(action: Action) -> &'static [&'static str] {
    match action {
        Action::NoOp => &["no-op"],
        Action::Read => &["read"],
        Action::Create => &["create"],
        Action::Update => &["update"],
        Action::DeleteThenCreate => &["delete", "create"],
        Action::CreateThenDelete => &["create", "delete"],
        Action::Delete => &["delete"],
    }
}

/// The provider Terraform would use for a resource type: the type's prefix in the
/// `hashicorp` namespace (`aws_subnet` → `registry.terraform.io/hashicorp/aws`).
pub fn provider_name(type_name: &str) -> String {
    let local = type_name.split('_').next().unwrap_or(type_name);
    format!("registry.terraform.io/hashicorp/{local}")
}

/// The address fields every resource entry starts with.
fn address_fields(addr: &ResourceInstanceAddr) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("address".into(), json!(addr.to_string()));
    if !addr.module.is_root() {
        m.insert("module_address".into(), json!(addr.module.to_string()));
    }
    let mode = if addr.is_data() { "data" } else { "managed" };
    m.insert("mode".into(), json!(mode));
    m.insert("type".into(), json!(addr.resource.type_name));
    m.insert("name".into(), json!(addr.resource.name));
    match &addr.key {
        Some(InstanceKey::Int(i)) => {
            m.insert("index".into(), json!(i));
        }
        Some(InstanceKey::Str(k)) => {
            m.insert("index".into(), json!(k));
        }
        None => {}
    }
    m.insert(
        "provider_name".into(),
        json!(provider_name(&addr.resource.type_name)),
    );
    m
}

/// `actions`, `before`, `after` and the mark trees. A missing value is `null` with `false`
/// marks, as Terraform writes it.
fn change_body(acts: &[&str], before: Option<&Value>, after: Option<&Value>) -> Map<String, Json> {
    let parts = |v: Option<&Value>| split(v.unwrap_or(&Value::Null));
    let JsonParts {
        value: before,
        sensitive: before_sensitive,
        ..
    } = parts(before);
    let JsonParts {
        value: after,
        unknown: after_unknown,
        sensitive: after_sensitive,
    } = parts(after);
    let mut m = Map::new();
    m.insert("actions".into(), json!(acts));
    m.insert("before".into(), before);
    m.insert("after".into(), after);
    m.insert("after_unknown".into(), after_unknown);
    m.insert("before_sensitive".into(), before_sensitive);
    m.insert("after_sensitive".into(), after_sensitive);
    m
}

/// A replace path (`cidr_block`, or nested `ingress.0.from_port`) as Terraform's list of
/// steps: attribute names as strings, list indexes as numbers.
fn path_steps(path: &str) -> Json {
    Json::Array(
        path.split('.')
            .map(|step| match step.parse::<u64>() {
                Ok(i) => json!(i),
                Err(_) => json!(step),
            })
            .collect(),
    )
}

/// A planned rolling replacement of a group's instances (ecsform's own; Terraform has none).
fn rollout(r: &crate::plan::rolling::PlannedRollout) -> Json {
    json!({
        "address": r.addr.to_string(),
        "reason": r.cause.to_string(),
        "ecs_cluster": r.cluster,
        "batch_size": r.batch_size,
        "instances": r.instances,
        "description": r.describe(),
    })
}

fn resource_change(plan: &Plan, c: &ResourceChange) -> Json {
    let mut m = address_fields(&c.addr);
    let mut change = change_body(actions(c.action), c.before.as_ref(), c.after.as_ref());
    if !c.replace_paths.is_empty() {
        change.insert(
            "replace_paths".into(),
            Json::Array(c.replace_paths.iter().map(|p| path_steps(p)).collect()),
        );
    }
    m.insert("change".into(), Json::Object(change));
    if let Some(reason) = c.action_reason() {
        m.insert("action_reason".into(), json!(reason.terraform_name()));
    } else if plan.rollout(&c.addr).is_some() {
        m.insert("action_reason".into(), json!("replace_instances_rolling"));
    }
    Json::Object(m)
}

fn drift(d: &Drift) -> Json {
    let mut m = address_fields(&d.addr);
    let acts: &[&str] = if d.after.is_some() {
        &["update"]
    } else {
        &["delete"]
    };
    m.insert(
        "change".into(),
        Json::Object(change_body(acts, Some(&d.before), d.after.as_ref())),
    );
    Json::Object(m)
}

fn output_change(o: &OutputChange) -> Json {
    let mark = |v: &Option<Value>| {
        v.clone()
            .map(|v| v.mark_sensitive(o.sensitive))
            .unwrap_or(Value::Null)
    };
    let (before, after) = (mark(&o.before), mark(&o.after));
    let action = match (&o.before, &o.after) {
        (None, Some(_)) => "create",
        (Some(_), None) => "delete",
        (b, a) if b == a => "no-op",
        _ => "update",
    };
    // A missing output is null, not an object: pass None so that its marks are `false`.
    let opt = |present: bool, v: &Value| present.then(|| v.clone());
    let before = opt(o.before.is_some(), &before);
    let after = opt(o.after.is_some(), &after);
    Json::Object(change_body(&[action], before.as_ref(), after.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addrs::ModuleInstance;
    use crate::config::{Mode, ResourceKey};

    fn addr(module: &str, key: Option<InstanceKey>) -> ResourceInstanceAddr {
        ResourceInstanceAddr {
            module: if module.is_empty() {
                ModuleInstance::root()
            } else {
                ModuleInstance::root().child(module, None)
            },
            resource: ResourceKey {
                mode: Mode::Managed,
                type_name: "aws_subnet".into(),
                name: "a".into(),
            },
            key,
        }
    }

    #[test]
    fn address_fields_follow_terraform() {
        let root = Json::Object(address_fields(&addr("", None)));
        assert_eq!(
            root,
            json!({"address": "aws_subnet.a", "mode": "managed", "type": "aws_subnet",
                   "name": "a", "provider_name": "registry.terraform.io/hashicorp/aws"})
        );
        let m = address_fields(&addr("vpc", Some(InstanceKey::Int(2))));
        assert_eq!(m["module_address"], json!("module.vpc"));
        assert_eq!(m["index"], json!(2));
        let m = address_fields(&addr("", Some(InstanceKey::Str("web".into()))));
        assert_eq!(m["index"], json!("web"));
        assert_eq!(
            provider_name("null_resource"),
            "registry.terraform.io/hashicorp/null"
        );
    }

    #[test]
    fn replace_paths_become_steps() {
        assert_eq!(path_steps("cidr_block"), json!(["cidr_block"]));
        assert_eq!(path_steps("ingress.0.port"), json!(["ingress", 0, "port"]));
    }

    #[test]
    fn sensitive_output_is_null_and_marked() {
        let o = OutputChange {
            name: "token".into(),
            before: None,
            after: Some(Value::string("hunter2")),
            sensitive: true,
        };
        let j = output_change(&o);
        assert_eq!(
            j,
            json!({"actions": ["create"], "before": null, "after": null,
                   "after_unknown": false, "before_sensitive": false, "after_sensitive": true})
        );
    }
}
