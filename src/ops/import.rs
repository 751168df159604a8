//! The import operation: bring an existing AWS object under management by recording it in
//! the state at a resource instance address of the configuration, so that the next plan shows
//! only where the object differs from its configuration.
//!
//! It loads and evaluates the configuration (checking that the address is one of its resource
//! instances), opens and locks the state, turns the user's import ID (the AWS provider's
//! format) into the id ecsform records, reads the object with the type's `read_many`, and
//! writes one state record, as apply would have. Nothing here prints: progress goes through
//! [`ImportHooks`]; the CLI renders. Nothing is written on any error.

use std::collections::{BTreeMap, BTreeSet};

use crate::addrs::{InstanceKey, ModuleInstance, ResourceInstanceAddr};
use crate::apply::ApplyValues;
use crate::aws;
use crate::aws::AwsClients;
use crate::aws::{ImportIdError, ResourceType};
use crate::config::{Mode, Module};
use crate::diag::{Diagnostic, Diagnostics, Sources};
use crate::graph::walk;
use crate::lang::eval::suggest;
use crate::lang::Value;
use crate::ops::load::{self, Loaded};
use crate::ops::refresh::{decode, reconcile_tags};
use crate::ops::{self, AwsDataReader, RunOptions};
use crate::plan::build::{self as plan_build, PlanRequest};
use crate::plan::Action;
use crate::state::{ResourceRecord, ResourceStatus, StateError, StateStore};

/// What an import reports while it runs; the CLI prints it in Terraform's words.
pub trait ImportHooks {
    /// The address is valid and the state locked: `ADDR: Importing from ID "…"...`.
    fn importing(&mut self, addr: &ResourceInstanceAddr, import_id: &str);
    /// The import ID was understood: `ADDR: Import prepared!`.
    fn prepared(&mut self, addr: &ResourceInstanceAddr, type_name: &str);
    /// The object is being read: `ADDR: Refreshing state... [id=…]`.
    fn refreshing(&mut self, addr: &ResourceInstanceAddr, id: &str);
}

/// A successful import.
pub struct ImportOutcome {
    pub addr: ResourceInstanceAddr,
    pub type_name: String,
    /// The id recorded in state (not always the import ID: see each type's import ID format).
    pub id: String,
    /// True when this import completed the state — every resource instance of the
    /// configuration recorded and matching it — so the root outputs were recorded too.
    pub outputs_recorded: bool,
    /// Warnings from loading the configuration.
    pub warnings: Diagnostics,
    /// The configuration's sources, to render the warnings with snippets.
    pub sources: crate::diag::Sources,
}

/// A failed import: what went wrong, and the configuration's sources to render it with
/// snippets.
pub struct ImportError {
    pub diags: Diagnostics,
    pub sources: Sources,
}

/// Imports the AWS object `import_id` into the state at `addr`. `opts` gives the
/// configuration, variables, state path and lock timeout.
pub async fn import(
    opts: &RunOptions,
    addr: &str,
    import_id: &str,
    hooks: &mut dyn ImportHooks,
) -> Result<ImportOutcome, ImportError> {
    let loaded = load::load(&opts.load);
    let outcome = if loaded.diags.has_errors() {
        Err(loaded.diags.clone())
    } else {
        import_into_state(&loaded, opts, addr, import_id, hooks).await
    };
    match outcome {
        Ok((addr, type_name, id, outputs_recorded)) => Ok(ImportOutcome {
            addr,
            type_name,
            id,
            outputs_recorded,
            warnings: loaded.diags,
            sources: loaded.sources,
        }),
        Err(diags) => Err(ImportError {
            diags,
            sources: loaded.sources,
        }),
    }
}

/// The import proper, with the configuration loaded: (address, type, id, outputs recorded).
async fn import_into_state(
    loaded: &Loaded,
    opts: &RunOptions,
    addr: &str,
    import_id: &str,
    hooks: &mut dyn ImportHooks,
) -> Result<(ResourceInstanceAddr, String, String, bool), Diagnostics> {
    let fail = |d: Diagnostic| Err(Diagnostics::from(d));
    let target = match parse_address(addr) {
        Ok(a) => a,
        Err(d) => return fail(d),
    };
    if let Err(d) = check_declared(&loaded.module, &target) {
        return fail(d);
    }
    let Some(rt) = aws::resource_type(&target.resource.type_name) else {
        return fail(unsupported_type(&target));
    };
    // The name the configuration uses (an alias such as `aws_alb` stays one).
    let type_name = target.resource.type_name.clone();
    if !rt.importable() {
        return fail(not_importable(&target));
    }
    if import_id.trim().is_empty() {
        return fail(Diagnostic::error(
            "Invalid import ID",
            format!(
                "The import ID is empty. An {type_name} is imported by {}.",
                rt.import_id_format()
            ),
        ));
    }

    let ps = ops::provider_settings(loaded);
    let clients = AwsClients::load(ps.region.as_deref(), ps.profile.as_deref(), &opts.aws_env)
        .await
        .with_default_tags(ps.default_tags.clone())
        .with_working_dir(&loaded.dir);
    // The state is created only when there is something to write to it.
    let mut state = match StateStore::open_existing(&opts.state_path) {
        Ok(s) => s,
        Err(e) => return Err(ops::state_error(e)),
    };
    let mut lock = match state.as_ref().map(|s| s.lock("import", opts.lock_timeout)) {
        Some(Err(e)) => return Err(ops::state_error(e)),
        Some(Ok(l)) => Some(l),
        None => None,
    };
    let records = match state.as_ref().map(StateStore::resources) {
        Some(Err(e)) => return Err(ops::state_error(e)),
        Some(Ok(r)) => r,
        None => Vec::new(),
    };
    let address = target.to_string();
    // An intent row records no object (a create that may not have happened): importing the
    // object the create could not make (its name was taken) replaces it.
    let is_intent = |r: &ResourceRecord| r.status == ResourceStatus::Creating && r.id.is_none();
    if let Some(existing) = records
        .iter()
        .find(|r| r.address == address && !is_intent(r))
    {
        return fail(already_managed(existing));
    }

    // The configuration of the target, with references to what the state already holds
    // resolved, and its dependencies.
    let reader = AwsDataReader { clients: &clients };
    let values = recorded_values(&records);
    let settings = loaded.settings();
    let mut hook = ApplyValues {
        values: &values,
        data: &reader,
    };
    let (evaluated, eval_diags) = tokio::task::block_in_place(|| {
        walk::evaluate_with(&loaded.module, &loaded.config_graph, &settings, &mut hook)
    });
    let Some(inst) = evaluated.instances.get(&target) else {
        let mut diags = Diagnostics::new();
        if eval_diags.has_errors() {
            diags.extend(eval_diags);
        } else {
            diags.push(missing_instance(
                &loaded.module,
                &evaluated.instances,
                &target,
            ));
        }
        return Err(diags);
    };
    let schema = rt.schema();
    let config = match schema.conform(&inst.config) {
        Ok(c) => rt.normalize(c),
        Err(errors) => {
            return fail(
                Diagnostic::error(
                    "Invalid resource arguments",
                    format!("{target}:\n{}", crate::provider::schema::describe(&errors)),
                )
                .at(inst.span.clone()),
            )
        }
    };
    let dependencies: Vec<String> = evaluated
        .graph
        .dependencies(&target)
        .into_iter()
        .map(ToString::to_string)
        .collect();

    hooks.importing(&target, import_id);
    let (id, read) = match rt.import_locally(import_id) {
        // A type with no AWS side: the ID describes the object, which records its own id.
        Some(Ok(object)) => {
            hooks.prepared(&target, &type_name);
            let id = object
                .as_map()
                .and_then(|m| m.get("id"))
                .and_then(Value::as_str)
                .unwrap_or(import_id)
                .to_string();
            (id, object)
        }
        Some(Err(why)) => return fail(malformed_id(rt, &type_name, import_id, &why)),
        None => {
            let id = match rt.import_id(&clients, import_id).await {
                Ok(id) => id,
                Err(ImportIdError::Malformed(why)) => {
                    return fail(malformed_id(rt, &type_name, import_id, &why))
                }
                Err(ImportIdError::NotFound) => {
                    return fail(not_found(rt, &target, import_id, &clients))
                }
                Err(ImportIdError::Aws(e)) => return fail(aws_error(&target, &e)),
            };
            hooks.prepared(&target, &type_name);
            if let Some(other) = records
                .iter()
                .find(|r| r.type_name == type_name && r.id.as_deref() == Some(id.as_str()))
            {
                return fail(managed_elsewhere(other, &address));
            }
            hooks.refreshing(&target, &id);
            // A type read through what its record holds (a Lambda permission, through its
            // function) is read through what the import ID says.
            let read = if rt.reads_recorded() {
                let mut known: std::collections::BTreeMap<String, Value> = rt
                    .import_id_arguments(import_id)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                known.insert("id".to_string(), Value::string(&id));
                match rt.read_recorded(&clients, &[Value::Map(known)]).await {
                    Ok(mut found) => found.pop().flatten(),
                    Err(e) if e.is_not_found_or_unknown_name() => None,
                    Err(e) => return fail(aws_error(&target, &e)),
                }
            } else {
                match rt.read_many(&clients, std::slice::from_ref(&id)).await {
                    Ok(mut found) => found.remove(&id),
                    Err(e) if e.is_not_found_or_unknown_name() => None,
                    Err(e) => return fail(aws_error(&target, &e)),
                }
            };
            let Some(read) = read else {
                return fail(not_found(rt, &target, import_id, &clients));
            };
            (id, read)
        }
    };
    let mut object = imported_object(rt, read, &config, &ps.default_tags);
    if let Value::Map(m) = &mut object {
        for (name, value) in rt.import_id_arguments(import_id) {
            m.insert(name.to_string(), value);
        }
    }
    let Some(attributes) = object.to_json() else {
        return fail(Diagnostic::error(
            format!("Incomplete object for {target}"),
            "AWS returned an object with unknown attributes; this is a bug in the resource type.",
        ));
    };
    let rec = ResourceRecord {
        address: address.clone(),
        mode: "managed".into(),
        type_name: type_name.clone(),
        module_path: target.module.to_string(),
        index_key: crate::state::index_key_json(&target.key),
        id: Some(id.clone()),
        attributes,
        dependencies,
        status: ResourceStatus::Ready,
        schema_version: schema.version,
        sensitive_paths: crate::lang::value::sensitive_paths(&object),
    };
    let mut state = match state.take() {
        Some(s) => s,
        None => {
            let created = StateStore::open(&opts.state_path).and_then(|s| {
                lock = Some(s.lock("import", opts.lock_timeout)?);
                Ok(s)
            });
            match created {
                Ok(s) => s,
                Err(e) => return Err(ops::state_error(e)),
            }
        }
    };
    if let Err(e) = put_new(&mut state, &rec) {
        return Err(ops::state_error(e));
    }
    let outputs_recorded =
        record_outputs_if_complete(loaded, &mut state, &reader, &ps.default_tags).await;
    drop(lock);
    Ok((target, type_name, id, outputs_recorded))
}

/// Records `rec` unless another run recorded its address meanwhile (a state created by this
/// import was not locked while AWS was read).
fn put_new(state: &mut StateStore, rec: &ResourceRecord) -> Result<(), StateError> {
    let recorded = state
        .resource(&rec.address)?
        .is_some_and(|r| r.status != ResourceStatus::Creating || r.id.is_some());
    if recorded {
        return Err(StateError::InvalidInput {
            path: state.path().to_path_buf(),
            detail: format!(
                "{} was recorded by another run during this import; nothing was written",
                rec.address
            ),
        });
    }
    state.put_resource(rec, "import", None)
}

/// The object to record: what AWS has, with the arguments AWS does not store taken from the
/// configuration where the type allows it, and `tags`/`tags_all` split as refresh splits them
/// (tags the configuration sets are the resource's own, even where a default tag has the same
/// value).
fn imported_object(
    rt: &dyn ResourceType,
    read: Value,
    config: &Value,
    default_tags: &BTreeMap<String, String>,
) -> Value {
    let schema = rt.schema();
    let read = rt.normalize(schema.decode(&read));
    let object = rt.imported(read, config);
    let own_tags = config
        .as_map()
        .and_then(|m| m.get("tags"))
        .filter(|t| t.is_wholly_known())
        .cloned()
        .unwrap_or(Value::Null);
    let recorded = Value::map([("tags", own_tags)]);
    reconcile_tags(schema, &object, &recorded, default_tags)
}

/// The decoded objects of the state, by address (managed resources only).
fn recorded_values(records: &[ResourceRecord]) -> BTreeMap<ResourceInstanceAddr, Value> {
    records
        .iter()
        .filter(|r| r.mode == "managed")
        .filter_map(|r| {
            let addr = ResourceInstanceAddr::parse(&r.address)?;
            let rt = aws::resource_type(&r.type_name)?;
            Some((addr, rt.schema().decode(&Value::from_json(&r.attributes))))
        })
        .collect()
}

/// After an import that leaves every resource instance of the configuration recorded and
/// matching it (the plan, without refreshing, changes nothing), records the root outputs
/// too, as an apply would have: the next plan then says "No changes." Otherwise outputs are
/// left to the next apply. Returns whether outputs were recorded.
async fn record_outputs_if_complete(
    loaded: &Loaded,
    state: &mut StateStore,
    reader: &AwsDataReader<'_>,
    default_tags: &BTreeMap<String, String>,
) -> bool {
    let Ok(records) = state.resources() else {
        return false;
    };
    let Ok(prior_outputs) = state.outputs() else {
        return false;
    };
    let prior_outputs: BTreeMap<String, Value> = prior_outputs
        .into_iter()
        .map(|(k, v, sensitive)| (k, Value::from_json(&v).mark_sensitive(sensitive)))
        .collect();
    let (prior, diags) = decode(&records);
    if diags.has_errors() {
        return false;
    }
    let settings = loaded.settings();
    let req = PlanRequest {
        loaded,
        settings: &settings,
        prior: &prior,
        prior_outputs: &prior_outputs,
        default_tags,
        data: reader,
        destroy: false,
        targets: &[],
        replace: &[],
    };
    let (plan, diags) = tokio::task::block_in_place(|| plan_build::build(&req));
    let complete = !diags.has_errors()
        && plan
            .changes
            .iter()
            .all(|c| matches!(c.action, Action::NoOp | Action::Read));
    if !complete {
        return false;
    }
    let outputs: Option<Vec<(String, serde_json::Value, bool)>> = plan
        .outputs
        .iter()
        .filter_map(|o| Some((o, o.after.as_ref()?)))
        .map(|(o, v)| Some((o.name.clone(), v.to_json()?, o.sensitive)))
        .collect();
    match outputs {
        Some(outputs) if plan.outputs.iter().any(|o| o.before != o.after) => {
            state.set_outputs(&outputs).is_ok()
        }
        _ => false,
    }
}

/// Parses ADDR, which must be a managed resource instance address.
fn parse_address(addr: &str) -> Result<ResourceInstanceAddr, Diagnostic> {
    let Some(parsed) = ResourceInstanceAddr::parse(addr.trim()) else {
        return Err(Diagnostic::error(
            "Invalid address",
            format!("\"{addr}\" is not a resource instance address."),
        )
        .hint("Addresses look like aws_vpc.main, aws_subnet.private[0], module.vpc.aws_vpc.this or aws_iam_role.this[\"web\"]."));
    };
    if parsed.is_data() {
        return Err(Diagnostic::error(
            "Invalid address",
            format!("{addr} is a data source: data sources are read from AWS on every plan, not imported. Import into a managed resource address."),
        ));
    }
    Ok(parsed)
}

/// Checks that the module instances on the path and the resource are declared, with instance
/// keys that match their `count`/`for_each`.
fn check_declared(root: &Module, addr: &ResourceInstanceAddr) -> Result<(), Diagnostic> {
    let mut module = root;
    let mut path = ModuleInstance::root();
    for (name, key) in &addr.module.0 {
        let Some(call) = module.module_calls.get(name) else {
            let here = path.child(name, key.clone());
            let names: Vec<&str> = module.module_calls.keys().map(String::as_str).collect();
            let mut d = Diagnostic::error(
                "Import to non-existent module",
                format!("{here} is not defined in the configuration. Please add configuration for this module before importing into it."),
            );
            if let Some(s) = suggest(name, &names) {
                d = d.hint(format!("Did you mean \"{}\"?", path.child(s, key.clone())));
            }
            return Err(d);
        };
        let what = format!("{}", path.child(name, None));
        check_key(
            &what,
            call.count.is_some(),
            call.for_each.is_some(),
            key,
            call.span.clone(),
        )?;
        path = path.child(name, key.clone());
        module = &call.module;
    }
    let Some(res) = module.resources.get(&addr.resource) else {
        let candidates: Vec<String> = module
            .resources
            .keys()
            .filter(|k| k.mode == Mode::Managed)
            .map(ToString::to_string)
            .collect();
        let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
        let in_module = if path.is_root() {
            "the root module".to_string()
        } else {
            path.to_string()
        };
        let mut d = Diagnostic::error(
            "Configuration for import target does not exist",
            format!(
                "{addr} is not declared in the configuration. Before importing it, add its configuration to {in_module}, for example:\n\nresource \"{}\" \"{}\" {{\n  # (resource arguments)\n}}",
                addr.resource.type_name, addr.resource.name
            ),
        );
        if let Some(s) = suggest(&addr.resource.to_string(), &refs) {
            let mut suggestion = ResourceInstanceAddr {
                module: path.clone(),
                resource: module
                    .resources
                    .keys()
                    .find(|k| k.to_string() == s)
                    .cloned()
                    .unwrap_or_else(|| addr.resource.clone()),
                key: addr.key.clone(),
            };
            if let Some(r) = module.resources.get(&suggestion.resource) {
                suggestion.key = match (&addr.key, r.count.is_some(), r.for_each.is_some()) {
                    (None, true, _) => Some(InstanceKey::Int(0)),
                    (Some(_), false, false) => None,
                    (k, _, _) => k.clone(),
                };
            }
            d = d.hint(format!("Did you mean \"{suggestion}\"?"));
        }
        return Err(d);
    };
    let what = ResourceInstanceAddr {
        module: path,
        resource: addr.resource.clone(),
        key: None,
    }
    .to_string();
    check_key(
        &what,
        res.count.is_some(),
        res.for_each.is_some(),
        &addr.key,
        res.span.clone(),
    )
}

/// A module call or resource with `count` needs an index, with `for_each` a string key, and
/// without either no key.
fn check_key(
    what: &str,
    count: bool,
    for_each: bool,
    key: &Option<InstanceKey>,
    span: Option<crate::diag::Span>,
) -> Result<(), Diagnostic> {
    let problem = match (key, count, for_each) {
        (None, true, _) => Some((
            "has \"count\" set, so an instance index is required".to_string(),
            format!("Did you mean \"{what}[0]\"?"),
        )),
        (None, _, true) => Some((
            "has \"for_each\" set, so an instance key is required".to_string(),
            format!("Import into {what}[\"KEY\"], with one of the keys of its for_each."),
        )),
        (Some(k), false, false) => Some((
            format!("has neither \"count\" nor \"for_each\", so it takes no instance key ({k})"),
            format!("Did you mean \"{what}\"?"),
        )),
        (Some(InstanceKey::Str(_)), true, _) => Some((
            "has \"count\" set: its instances have numeric indexes".to_string(),
            format!("Import into {what}[0], {what}[1]..."),
        )),
        (Some(InstanceKey::Int(_)), _, true) => Some((
            "has \"for_each\" set: its instances have string keys".to_string(),
            format!("Import into {what}[\"KEY\"], with one of the keys of its for_each."),
        )),
        _ => None,
    };
    match problem {
        None => Ok(()),
        Some((why, hint)) => Err(Diagnostic::error(
            "Invalid resource instance address",
            format!("{what} {why}."),
        )
        .at(span)
        .hint(hint)),
    }
}

/// The address is declared but the configuration, as evaluated, has no such instance (an
/// index beyond `count`, a key not in `for_each`).
fn missing_instance(
    root: &Module,
    instances: &BTreeMap<ResourceInstanceAddr, walk::ResourceInstance>,
    addr: &ResourceInstanceAddr,
) -> Diagnostic {
    let same_resource: BTreeSet<String> = instances
        .keys()
        .filter(|a| a.resource == addr.resource && a.module.path() == addr.module.path())
        .map(ToString::to_string)
        .collect();
    let span = root
        .descendant(&addr.module.path())
        .and_then(|m| m.resources.get(&addr.resource))
        .and_then(|r| r.span.clone());
    let list = if same_resource.is_empty() {
        "The configuration has no instances of this resource (its count or for_each, or its module's, is zero or empty).".to_string()
    } else {
        format!(
            "Its instances are: {}.",
            same_resource.iter().cloned().collect::<Vec<_>>().join(", ")
        )
    };
    let mut d = Diagnostic::error(
        "Configuration for import target does not exist",
        format!("The configuration does not have the instance {addr}. {list}"),
    )
    .at(span);
    let candidates: Vec<&str> = same_resource.iter().map(String::as_str).collect();
    if let Some(s) = suggest(&addr.to_string(), &candidates) {
        d = d.hint(format!("Did you mean \"{s}\"?"));
    }
    d
}

fn unsupported_type(target: &ResourceInstanceAddr) -> Diagnostic {
    plan_build::unsupported_type(
        &Mode::Managed,
        &target.resource.type_name,
        &format!(", so it cannot import {target}"),
    )
}

fn not_importable(target: &ResourceInstanceAddr) -> Diagnostic {
    Diagnostic::error(
        "Resource type does not support import",
        format!(
            "{} cannot be imported (as in Terraform, where it does not support import either): \"ecsform apply\" creates {target}.",
            target.resource.type_name
        ),
    )
}

fn already_managed(existing: &ResourceRecord) -> Diagnostic {
    let address = &existing.address;
    Diagnostic::error(
        "Resource already managed by ecsform",
        format!(
            "ecsform is already managing a remote object for {address} (id \"{}\"). To import to this address you must first remove the existing object from the state.",
            existing.id.as_deref().unwrap_or("none yet")
        ),
    )
    .hint(format!(
        "\"ecsform state rm {address}\" forgets it (the object stays in AWS)."
    ))
}

fn managed_elsewhere(other: &ResourceRecord, address: &str) -> Diagnostic {
    Diagnostic::error(
        "Object already managed at another address",
        format!(
            "The {} with id \"{}\" is already in the state as {}. Managing one object at two addresses would make them fight over it.",
            other.type_name,
            other.id.as_deref().unwrap_or_default(),
            other.address
        ),
    )
    .hint(format!(
        "To give it the address {address}, move it instead: ecsform state mv {} {address}",
        other.address
    ))
}

fn malformed_id(rt: &dyn ResourceType, type_name: &str, import_id: &str, why: &str) -> Diagnostic {
    Diagnostic::error(
        "Invalid import ID",
        format!(
            "\"{import_id}\" is not an import ID for {type_name}: {why}. An {type_name} is imported by {}.",
            rt.import_id_format()
        ),
    )
}

fn not_found(
    rt: &dyn ResourceType,
    addr: &ResourceInstanceAddr,
    import_id: &str,
    clients: &AwsClients,
) -> Diagnostic {
    let type_name = &addr.resource.type_name;
    Diagnostic::error(
        "Cannot import non-existent remote object",
        format!(
            "While attempting to import an existing object to \"{addr}\", ecsform found no {type_name} with the import ID \"{import_id}\" in region {}. Only existing objects can be imported; check the ID ({type_name} is imported by {}), the region and the credentials' account, or use \"ecsform apply\" to create a new object for this resource.",
            clients.region,
            rt.import_id_format()
        ),
    )
}

fn aws_error(addr: &ResourceInstanceAddr, e: &crate::aws::error::ApiError) -> Diagnostic {
    Diagnostic::error(
        format!("Error importing {addr}"),
        format!("{}: {}", e.code, e.message),
    )
}
