//! Building a whole plan: walk the configuration with a hook that plans each instance against
//! its prior (refreshed) object, then plan the deletion of everything in state that the
//! configuration no longer has, and collect drift and output changes.
//!
//! Refreshing (reading objects from AWS) happens before, in [`super::refresh`]; this step is
//! synchronous except for data sources, which it reads through a [`DataReader`].

use std::collections::{BTreeMap, BTreeSet};

use super::diff::{plan_instance, with_new_computed};
use super::{Action, Drift, OutputChange, Plan, ResourceChange};
use crate::addrs::{AddrPattern, InstanceKey, ModuleInstance, ResourceInstanceAddr};
use crate::aws;
use crate::config::{Lifecycle, Mode, Module, Resource, ResourceKey};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::graph::walk::{self, InstanceHook, Settings};
use crate::graph::Loaded;
use crate::lang::eval::suggest;
use crate::lang::Value;
use crate::provider::Schema;

/// The reason of a replacement asked for with `-replace`.
pub const REPLACE_REQUESTED: &str = "requested with -replace";

/// A resource instance as recorded in state, decoded.
#[derive(Clone, Debug)]
pub struct PriorObject {
    pub addr: ResourceInstanceAddr,
    pub type_name: String,
    /// As recorded.
    pub recorded: Value,
    /// What refresh found.
    pub refreshed: Refreshed,
    pub dependencies: Vec<ResourceInstanceAddr>,
}

/// What refresh found for a recorded object.
#[derive(Clone, Debug)]
pub enum Refreshed {
    /// Not read (`-refresh=false`, or a type that is not refreshed): taken to be as recorded.
    NotRead,
    /// Read from AWS.
    Read(Value),
    /// No longer exists.
    Gone,
}

impl PriorObject {
    /// The object as it is now: as read by refresh, or as recorded when it was not read;
    /// `None` if it no longer exists.
    pub fn current(&self) -> Option<&Value> {
        match &self.refreshed {
            Refreshed::NotRead => Some(&self.recorded),
            Refreshed::Read(v) => Some(v),
            Refreshed::Gone => None,
        }
    }

    /// Whether refresh found the object changed or gone since it was recorded.
    fn drifted(&self) -> bool {
        match &self.refreshed {
            Refreshed::NotRead => false,
            Refreshed::Read(v) => *v != self.recorded,
            Refreshed::Gone => true,
        }
    }
}

/// Reads a data source during planning (arguments wholly known).
pub trait DataReader {
    fn read(&self, type_name: &str, config: &Value) -> Result<Value, String>;
}

/// Everything a plan is built from.
pub struct PlanRequest<'a> {
    pub loaded: &'a Loaded,
    pub settings: &'a Settings<'a>,
    pub prior: &'a BTreeMap<ResourceInstanceAddr, PriorObject>,
    pub prior_outputs: &'a BTreeMap<String, Value>,
    pub default_tags: &'a BTreeMap<String, String>,
    pub data: &'a dyn DataReader,
    pub destroy: bool,
    /// `-target`: plan only the selected instances and what they depend on (with `destroy`:
    /// what depends on them).
    pub targets: &'a [AddrPattern],
    /// `-replace`: replace these instances even though nothing forces it.
    pub replace: &'a [ResourceInstanceAddr],
}

/// Builds the plan. Errors (unsupported types, invalid arguments, `prevent_destroy`) are
/// diagnostics; the plan is only meaningful when there are none.
pub fn build(req: &PlanRequest) -> (Plan, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut plan = Plan {
        destroy: req.destroy,
        ..Plan::default()
    };
    for p in req.prior.values() {
        if p.drifted() {
            plan.drift.push(Drift {
                addr: p.addr.clone(),
                before: p.recorded.clone(),
                after: p.current().cloned(),
            });
        }
    }
    if req.destroy {
        for p in req.prior.values() {
            if p.current().is_some() && !p.addr.is_data() {
                plan.changes.push(delete_change(p, None));
            }
        }
        plan.outputs = req
            .prior_outputs
            .iter()
            .map(|(name, v)| OutputChange {
                name: name.clone(),
                before: Some(v.clone()),
                after: None,
                sensitive: false,
            })
            .collect();
        restrict_to_targets(&mut plan, req.targets, true, &mut diags);
        check_replace_requests(&plan, req.replace, &mut diags);
        if !req.targets.is_empty() {
            plan.outputs.clear();
        }
        check_prevent_destroy(req.loaded, &plan, &mut diags);
        return (plan, diags);
    }

    let mut hook = PlanHook {
        root: &req.loaded.module,
        prior: req.prior,
        default_tags: req.default_tags,
        data: req.data,
        replace: req.replace,
        changes: BTreeMap::new(),
        diags: Diagnostics::new(),
    };
    let (evaluated, eval_diags) = walk::evaluate_with(
        &req.loaded.module,
        &req.loaded.config_graph,
        req.settings,
        &mut hook,
    );
    diags.extend(eval_diags);
    diags.extend(std::mem::take(&mut hook.diags));
    let mut changes = hook.changes;
    for change in changes.values_mut() {
        change.dependencies = evaluated
            .graph
            .dependencies(&change.addr)
            .into_iter()
            .cloned()
            .collect();
    }
    for p in req.prior.values() {
        if changes.contains_key(&p.addr) || p.current().is_none() || p.addr.is_data() {
            continue;
        }
        let reason = deletion_reason(&req.loaded.module, &p.addr);
        changes.insert(p.addr.clone(), delete_change(p, Some(reason)));
    }
    plan.changes = changes.into_values().collect();
    restrict_to_targets(&mut plan, req.targets, false, &mut diags);
    check_replace_requests(&plan, req.replace, &mut diags);
    // As Terraform does, report only drift that matters to this plan: objects deleted outside
    // ecsform, or changed in a way the plan responds to. Attributes AWS fills in as other
    // objects are created (an EIP's association, a route table's routes) are not news.
    plan.drift.retain(|d| {
        d.after.is_none()
            || plan
                .changes
                .iter()
                .any(|c| c.addr == d.addr && c.action != Action::NoOp)
    });
    for (name, out) in &evaluated.outputs {
        plan.outputs.push(OutputChange {
            name: name.clone(),
            before: req.prior_outputs.get(name).cloned(),
            after: Some(out.value.clone()),
            sensitive: out.sensitive,
        });
    }
    for (name, v) in req.prior_outputs {
        if !evaluated.outputs.contains_key(name) {
            plan.outputs.push(OutputChange {
                name: name.clone(),
                before: Some(v.clone()),
                after: None,
                sensitive: false,
            });
        }
    }
    plan.outputs.sort_by(|a, b| a.name.cmp(&b.name));
    crate::timings::drop_in_background(evaluated);
    check_prevent_destroy(req.loaded, &plan, &mut diags);
    diags.sort();
    (plan, diags)
}

/// With `-target`, keeps the changes of the selected instances and of what they depend on
/// (for a destroy: what depends on them); every other object stays as it is.
fn restrict_to_targets(
    plan: &mut Plan,
    targets: &[AddrPattern],
    destroy: bool,
    diags: &mut Diagnostics,
) {
    if targets.is_empty() {
        return;
    }
    let mut selected: BTreeSet<ResourceInstanceAddr> = BTreeSet::new();
    for t in targets {
        let hits: Vec<_> = plan
            .changes
            .iter()
            .filter(|c| t.matches(&c.addr))
            .map(|c| c.addr.clone())
            .collect();
        if hits.is_empty() {
            diags.push(
                Diagnostic::error(
                    "Invalid target address",
                    format!("-target={t} selects no resource instance in the configuration or the state."),
                )
                .hint("Use an address as \"ecsform state list\" or \"ecsform plan\" prints it: module.NAME, TYPE.NAME or TYPE.NAME[KEY]."),
            );
        }
        selected.extend(hits);
    }
    // Follow dependencies (or, when destroying, dependents) to a fixed point.
    let mut queue: Vec<ResourceInstanceAddr> = selected.iter().cloned().collect();
    while let Some(addr) = queue.pop() {
        let next: Vec<ResourceInstanceAddr> = if destroy {
            plan.changes
                .iter()
                .filter(|c| c.dependencies.contains(&addr))
                .map(|c| c.addr.clone())
                .collect()
        } else {
            plan.change(&addr)
                .map(|c| c.dependencies.clone())
                .unwrap_or_default()
        };
        for n in next {
            if selected.insert(n.clone()) {
                queue.push(n);
            }
        }
    }
    plan.targets = targets.iter().map(ToString::to_string).collect();
    plan.changes.retain_mut(|c| {
        if selected.contains(&c.addr) {
            return true;
        }
        match &c.before {
            // Existing objects stay as they are: their values still feed outputs.
            Some(before) => {
                c.action = Action::NoOp;
                c.after = Some(before.clone());
                c.replace_paths.clear();
                c.reason = None;
                true
            }
            None => false,
        }
    });
    diags.push(Diagnostic::warning(
        "Resource targeting is in effect",
        "This plan covers only the -target addresses and what they depend on, so it may not show every change the configuration asks for. -target is for exceptional cases such as recovering from mistakes; run a plan without it to see the rest.",
    ));
}

/// Every `-replace` address must be an object this plan replaces.
fn check_replace_requests(plan: &Plan, replace: &[ResourceInstanceAddr], diags: &mut Diagnostics) {
    for addr in replace {
        let Some(c) = plan.change(addr) else {
            diags.push(Diagnostic::error(
                "Invalid replace address",
                format!("-replace={addr}: there is no such resource instance in the configuration and the state."),
            ));
            continue;
        };
        if plan.destroy || c.action == Action::Delete {
            diags.push(Diagnostic::warning(
                "Replace request ignored",
                format!("-replace={addr}: the object is planned for deletion, not replacement."),
            ));
        } else if c.action == Action::Create {
            diags.push(Diagnostic::warning(
                "Replace request ignored",
                format!("-replace={addr}: the object does not exist yet and will be created."),
            ));
        }
    }
}

fn delete_change(p: &PriorObject, reason: Option<String>) -> ResourceChange {
    ResourceChange {
        addr: p.addr.clone(),
        action: Action::Delete,
        before: p.current().cloned(),
        after: None,
        replace_paths: Vec::new(),
        reason,
        dependencies: p.dependencies.clone(),
    }
}

/// Why an instance in state is not in the configuration, in Terraform's words.
fn deletion_reason(root: &Module, addr: &ResourceInstanceAddr) -> String {
    // The first module call on the path that no longer exists.
    let mut module = root;
    for (i, (name, key)) in addr.module.0.iter().enumerate() {
        let prefix = ModuleInstance(addr.module.0[..=i].to_vec());
        match module.module_calls.get(name) {
            None => return format!("{prefix} is not in configuration"),
            Some(call) if key.is_some() && call.count.is_none() && call.for_each.is_none() => {
                return format!("{prefix} is not in configuration")
            }
            Some(call) => module = &call.module,
        }
    }
    match module.resources.get(&addr.resource) {
        None => format!("{addr} is not in configuration"),
        Some(r) => match &addr.key {
            Some(InstanceKey::Int(i)) if r.count.is_some() => {
                format!("index [{i}] is out of range for count")
            }
            Some(InstanceKey::Str(k)) if r.for_each.is_some() => {
                format!("key {} is not in for_each map", InstanceKey::Str(k.clone()))
            }
            _ => format!("{addr} is not in configuration"),
        },
    }
}

fn lifecycle_of<'m>(
    root: &'m Module,
    addr: &ResourceInstanceAddr,
) -> Option<&'m crate::config::Resource> {
    root.descendant(&addr.module.path())?
        .resources
        .get(&addr.resource)
}

fn check_prevent_destroy(loaded: &Loaded, plan: &Plan, diags: &mut Diagnostics) {
    for c in &plan.changes {
        if !matches!(c.action, Action::Delete) && !c.action.is_replace() {
            continue;
        }
        if let Some(r) = lifecycle_of(&loaded.module, &c.addr) {
            if r.lifecycle.prevent_destroy {
                diags.push(
                    Diagnostic::error(
                        "Instance cannot be destroyed",
                        format!("Resource {} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.", c.addr),
                    )
                    .at(r.span.clone())
                    .hint("To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or change the configuration so that this object is not replaced or removed."),
                );
            }
        }
    }
}

/// Plans each instance as the walk reaches it, so that its dependents see planned values.
struct PlanHook<'a> {
    root: &'a Module,
    prior: &'a BTreeMap<ResourceInstanceAddr, PriorObject>,
    default_tags: &'a BTreeMap<String, String>,
    data: &'a dyn DataReader,
    replace: &'a [ResourceInstanceAddr],
    changes: BTreeMap<ResourceInstanceAddr, ResourceChange>,
    diags: Diagnostics,
}

/// The schema of a resource type or data source, or the [`unsupported_type`] error.
pub fn schema_for(key: &ResourceKey, span: Option<&Span>) -> Result<&'static Schema, Diagnostic> {
    let found = match key.mode {
        Mode::Managed => aws::resource_type(&key.type_name).map(|t| t.schema()),
        Mode::Data => aws::data_source(&key.type_name).map(|t| t.schema()),
    };
    found.ok_or_else(|| unsupported_type(&key.mode, &key.type_name, "").at(span.cloned()))
}

/// The error for a resource type or data source ecsform does not implement: a "did you mean"
/// when a supported name is close, and where the supported ones are listed (some forty names
/// are too many to repeat in every message). `consequence` ends the first sentence
/// (", so it cannot import ...") or is empty.
pub fn unsupported_type(mode: &Mode, type_name: &str, consequence: &str) -> Diagnostic {
    let (what, names) = match mode {
        Mode::Managed => ("resource type", aws::resource_type_names()),
        Mode::Data => ("data source", aws::data_source_names()),
    };
    let d = Diagnostic::error(
        format!("Unsupported {what}"),
        format!(
            "ecsform does not support the {what} \"{type_name}\"{consequence}. See \"Supported \
             resource types and data sources\" in ecsform's README.md for the ones it supports."
        ),
    );
    match suggest(type_name, &names) {
        Some(s) => d.hint(format!("Did you mean \"{s}\"?")),
        None => d,
    }
}

impl InstanceHook for PlanHook<'_> {
    fn instance(
        &mut self,
        addr: &ResourceInstanceAddr,
        config: &Value,
        res: &Resource,
    ) -> Result<Value, Diagnostic> {
        let span = res.span.as_ref();
        let schema = schema_for(&addr.resource, span)?;
        let configured = super::diff::configured_paths(config);
        let conformed = schema.conform(config).map_err(|errors| {
            Diagnostic::error(
                "Invalid resource arguments",
                format!("{addr}:\n{}", crate::provider::schema::describe(&errors)),
            )
            .at(span.cloned())
        })?;
        if addr.is_data() {
            // Read at plan only when everything the configuration gives it (at any depth) is
            // known; an unset optional+computed argument is unknown in `conformed`, and is
            // not an input.
            if !config.is_wholly_known() {
                self.changes.insert(
                    addr.clone(),
                    ResourceChange {
                        addr: addr.clone(),
                        action: Action::Read,
                        before: None,
                        after: Some(conformed.clone()),
                        replace_paths: Vec::new(),
                        reason: Some("config refers to values not yet known".into()),
                        dependencies: Vec::new(),
                    },
                );
                return Ok(conformed);
            }
            return self
                .data
                .read(&addr.resource.type_name, &conformed)
                .map(|v| schema.decode(&v))
                .map_err(|msg| {
                    Diagnostic::error(format!("Error reading data source {addr}"), msg)
                        .at(span.cloned())
                });
        }
        let no_lifecycle = Lifecycle::default();
        let lifecycle = lifecycle_of(self.root, addr).map_or(&no_lifecycle, |r| &r.lifecycle);
        let prior = self.prior.get(addr).and_then(PriorObject::current);
        let rt = aws::resource_type(&addr.resource.type_name);
        let conformed = match rt {
            Some(rt) => rt.normalize(conformed),
            None => conformed,
        };
        let requested = prior.is_some() && self.replace.contains(addr);
        let planned = plan_instance(
            schema,
            &conformed,
            &configured,
            // A requested replacement is planned as a new object.
            if requested { None } else { prior },
            lifecycle,
            self.default_tags,
        );
        let mut p = with_new_computed(rt, planned, &configured);
        let mut reason = None;
        if requested {
            p.action = if lifecycle.create_before_destroy {
                Action::CreateThenDelete
            } else {
                Action::DeleteThenCreate
            };
            reason = Some(REPLACE_REQUESTED.to_string());
        }
        self.changes.insert(
            addr.clone(),
            ResourceChange {
                addr: addr.clone(),
                action: p.action,
                before: prior.cloned(),
                after: Some(p.after.clone()),
                replace_paths: p.replace_paths,
                reason,
                dependencies: Vec::new(),
            },
        );
        Ok(p.after)
    }
}
