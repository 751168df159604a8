//! The plan and apply operations: load the configuration, connect to AWS with the provider
//! block's settings, open and lock the state, refresh, plan — and apply. Commands call these
//! and render; nothing here prints.

pub mod import;
pub mod load;
pub mod recover;
pub mod refresh;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::addrs::{AddrPattern, ResourceInstanceAddr};
use crate::apply::{self, ApplyHooks, ApplyRequest, ApplySummary};
use crate::aws;
use crate::aws::{AwsClients, AwsEnv};
use crate::diag::{Diagnostic, Diagnostics};
use crate::interrupt::Interrupt;
use crate::lang::Value;
use crate::plan::build::PriorObject;
use crate::plan::build::{self as plan_build, DataReader, PlanRequest};
use crate::plan::planfile::{PlanFile, StateStamp};
use crate::plan::rolling;
use crate::plan::{Action, Plan};
use crate::provider;
use crate::state::{ResourceRecord, StateError, StateLock, StateStore};
use crate::timings;
use load::{LoadOptions, Loaded};
use recover::{recover, Recovery};

/// Options shared by plan, apply and destroy.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub load: LoadOptions,
    /// The state file (already resolved against the working directory).
    pub state_path: PathBuf,
    pub lock_timeout: Duration,
    pub refresh: bool,
    pub destroy: bool,
    pub parallelism: usize,
    /// Which command runs, recorded in the lock ("plan", "apply", "destroy").
    pub command: &'static str,
    /// `-target` addresses: plan only these and what they depend on.
    pub targets: Vec<String>,
    /// `-replace` addresses: replace these instances even if nothing forces it.
    pub replace: Vec<String>,
    /// `-no-rolling`: plan no rolling replacement of Auto Scaling group instances.
    pub no_rolling: bool,
    /// Where the AWS clients read their environment variables.
    pub aws_env: AwsEnv,
}

/// A computed plan with everything needed to apply it.
pub struct Planned {
    pub loaded: Loaded,
    pub plan: Plan,
    pub clients: AwsClients,
    pub default_tags: BTreeMap<String, String>,
    /// Open state (None for a plan when no state file exists yet).
    pub state: Option<StateStore>,
    /// Held until this value is dropped.
    pub lock: Option<StateLock>,
    /// Warnings from refresh and planning (configuration warnings are in `loaded.diags`).
    pub warnings: Diagnostics,
}

/// The `provider "aws"` settings ecsform uses.
pub(crate) struct ProviderSettings {
    pub(crate) region: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) default_tags: BTreeMap<String, String>,
}

pub(crate) fn provider_settings(loaded: &Loaded) -> ProviderSettings {
    let cfg = loaded
        .evaluated
        .providers
        .get(&("aws".to_string(), None))
        .cloned()
        .unwrap_or(Value::Null);
    let get = |k: &str| cfg.as_map()?.get(k)?.as_str().map(String::from);
    let default_tags = cfg
        .as_map()
        .and_then(|m| m.get("default_tags"))
        .and_then(Value::as_list)
        .and_then(|blocks| blocks.first())
        .map(|b| provider::values::get_string_map(b, "tags"))
        .unwrap_or_default();
    ProviderSettings {
        region: get("region"),
        profile: get("profile"),
        default_tags,
    }
}

/// Reads data sources from AWS while the (synchronous) evaluation walk runs.
pub struct AwsDataReader<'a> {
    pub clients: &'a AwsClients,
}

impl DataReader for AwsDataReader<'_> {
    fn read(&self, type_name: &str, config: &Value) -> Result<Value, String> {
        let ds = aws::data_source(type_name)
            .ok_or_else(|| format!("unsupported data source {type_name}"))?;
        let handle = tokio::runtime::Handle::current();
        tokio::task::block_in_place(|| handle.block_on(ds.read(self.clients, config)))
            .map_err(|e| e.to_string())
    }
}

/// What plan reads from the state before refreshing: its records, and those decoded into
/// prior objects, as of `serial` (nothing, for a state that does not exist yet).
#[derive(Default)]
struct StateRead {
    serial: i64,
    records: Vec<ResourceRecord>,
    prior: BTreeMap<ResourceInstanceAddr, PriorObject>,
    prior_outputs: BTreeMap<String, Value>,
    diags: Diagnostics,
}

impl StateRead {
    /// Reads and decodes the records of `state`. Every write bumps the serial, so a read
    /// whose serial is still the state's under the lock saw what the lock protects.
    fn of(state: &StateStore) -> Result<StateRead, StateError> {
        let serial = state.serial();
        let records = state.resources()?;
        let prior_outputs = state
            .outputs()?
            .into_iter()
            .map(|(k, v, sensitive)| (k, Value::from_json(&v).mark_sensitive(sensitive)))
            .collect();
        let (prior, diags) = refresh::decode(&records);
        Ok(StateRead {
            serial,
            records,
            prior,
            prior_outputs,
            diags,
        })
    }

    /// This read if the state has not been written to since (call it under the lock), or a
    /// new one.
    fn current(self, state: &StateStore) -> Result<StateRead, StateError> {
        if state.serial() == self.serial {
            Ok(self)
        } else {
            StateRead::of(state)
        }
    }
}

/// Opens the state if it exists and reads it, without locking it (nothing is written before
/// the configuration is known to be good). [`plan`] runs this on another thread while the
/// configuration loads.
fn read_state(path: &Path) -> Result<Option<(StateStore, StateRead)>, StateError> {
    let Some(state) = StateStore::open_existing(path)? else {
        return Ok(None);
    };
    let read = StateRead::of(&state)?;
    timings::mark("state read and decoded");
    Ok(Some((state, read)))
}

/// Loads, refreshes and plans. Errors come back as diagnostics (with the loaded sources, so
/// they can be rendered with snippets).
pub async fn plan(opts: &RunOptions) -> Result<Planned, (Diagnostics, Option<Loaded>)> {
    timings::mark("start");
    // The state is read on another thread while the configuration loads: each takes about a
    // fifth of a plan of 10,000 instances without refresh, and neither needs the other. A
    // configuration error is still reported first, and leaves the state file untouched.
    let reading = {
        let path = opts.state_path.clone();
        std::thread::spawn(move || read_state(&path))
    };
    let loaded = load::load(&opts.load);
    timings::mark("configuration loaded");
    let read = reading
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    if loaded.diags.has_errors() {
        let diags = loaded.diags.clone();
        return Err((diags, Some(loaded)));
    }
    let opened = match read {
        Ok(Some((state, read))) => Some((state, read)),
        // Apply and destroy create a missing state; a plan stays without one.
        Ok(None) if opts.command != "plan" => match StateStore::open(&opts.state_path) {
            Ok(state) => Some((state, StateRead::default())),
            Err(e) => return Err((state_error(e), Some(loaded))),
        },
        Ok(None) => None,
        Err(e) => return Err((state_error(e), Some(loaded))),
    };
    let (state, lock, read) = match opened {
        Some((state, read)) => {
            let lock = match state.lock(opts.command, opts.lock_timeout) {
                Ok(l) => l,
                Err(e) => return Err((state_error(e), Some(loaded))),
            };
            let read = match read.current(&state) {
                Ok(r) => r,
                Err(e) => return Err((state_error(e), Some(loaded))),
            };
            (Some(state), Some(lock), read)
        }
        None => (None, None, StateRead::default()),
    };
    let StateRead {
        records,
        mut prior,
        prior_outputs,
        mut diags,
        ..
    } = read;
    let ps = provider_settings(&loaded);
    let clients = AwsClients::load(ps.region.as_deref(), ps.profile.as_deref(), &opts.aws_env)
        .await
        .with_default_tags(ps.default_tags.clone())
        .with_working_dir(&loaded.dir);
    timings::mark("AWS clients ready");
    if opts.refresh {
        diags.extend(refresh::refresh(&records, &mut prior, &clients, &ps.default_tags).await);
        timings::mark("refreshed");
    }
    // Intent rows are resolved even with -refresh=false: planning a create for an object that
    // exists would make a second one.
    let recovery = match &state {
        Some(s) => recover(&records, &clients, &s.lineage(), &ps.default_tags).await,
        None => Recovery::default(),
    };
    diags.extend(recovery.diags);
    prior.extend(recovery.prior);
    // Decoded into `prior`; the JSON need not stay in memory while planning.
    timings::drop_in_background(records);
    if diags.has_errors() {
        return Err((diags, Some(loaded)));
    }
    let (targets, replace) = match parse_addresses(opts) {
        Ok(t) => t,
        Err(d) => return Err((d, Some(loaded))),
    };
    let reader = AwsDataReader { clients: &clients };
    let settings = loaded.settings();
    let req = PlanRequest {
        loaded: &loaded,
        settings: &settings,
        prior: &prior,
        prior_outputs: &prior_outputs,
        default_tags: &ps.default_tags,
        data: &reader,
        destroy: opts.destroy,
        targets: &targets,
        replace: &replace,
    };
    let (mut plan, plan_diags) = tokio::task::block_in_place(|| plan_build::build(&req));
    timings::mark("planned");
    timings::drop_in_background(prior);
    diags.extend(plan_diags);
    plan.recovered = recovery.recovered;
    plan.rollouts = rolling::plan_rollouts(&plan, opts.no_rolling);
    if opts.refresh {
        for i in 0..plan.rollouts.len() {
            let addr = &plan.rollouts[i].addr;
            let before = plan.change(addr).and_then(|c| c.before.clone());
            let rt = aws::resource_type(&addr.resource.type_name);
            if let (Some(object), Some(rt)) = (before, rt) {
                plan.rollouts[i].instances = rt.rollout_size(&clients, &object).await;
            }
        }
    }
    check_replacements(&plan, &mut diags);
    if diags.has_errors() {
        return Err((diags, Some(loaded)));
    }
    Ok(Planned {
        loaded,
        plan,
        clients,
        default_tags: ps.default_tags,
        state,
        lock,
        warnings: diags,
    })
}

/// Prepares a saved plan for [`apply`]: evaluates the configuration again with the plan's
/// variable flags (plus `extra_vars`, for sensitive `-var` values the plan file does not
/// store), opens and locks the state, and refuses — changing nothing — if the state, a
/// configuration file or a variable value changed since the plan was made.
pub async fn saved(
    opts: &RunOptions,
    file: &PlanFile,
) -> Result<Planned, (Diagnostics, Option<Loaded>)> {
    // `plantimestamp()` must evaluate as it did when the plan was made.
    crate::lang::functions::datetime::use_plan_timestamp(&file.created_at);
    let mut load = opts.load.clone();
    load.vars = file.var_args(&opts.load.vars);
    let loaded = load::load(&load);
    if loaded.diags.has_errors() {
        let diags = loaded.diags.clone();
        return Err((diags, Some(loaded)));
    }
    let plan = match file.decode_plan() {
        Ok(p) => p,
        Err(e) => {
            return Err((
                Diagnostic::error("Invalid plan file", e).into(),
                Some(loaded),
            ))
        }
    };
    // Open without creating, so that a vanished state is reported rather than replaced, and
    // a refused plan leaves no new file behind.
    let mut state = match StateStore::open_existing(&opts.state_path) {
        Ok(s) => s,
        Err(e) => return Err((state_error(e), Some(loaded))),
    };
    let stale = |state: &Option<StateStore>| {
        let stamp = StateStamp {
            lineage: state.as_ref().map(StateStore::lineage),
            serial: state.as_ref().map(StateStore::serial).unwrap_or(0),
        };
        let stale = file.staleness(&loaded, &stamp);
        if stale.is_empty() {
            return None;
        }
        let list: String = stale.iter().map(|s| format!("\n  - {s}")).collect();
        let diag = Diagnostic::error(
            "Saved plan is stale",
            format!(
                "The plan was made on {}, and since then:{list}\n\nNothing was changed.",
                file.created_at
            ),
        )
        .hint("Run \"ecsform plan -out=FILE\" again, review the new plan and apply that.");
        Some(Diagnostics::from(diag))
    };
    if state.is_none() {
        if let Some(d) = stale(&state) {
            return Err((d, Some(loaded)));
        }
        state = match StateStore::open(&opts.state_path) {
            Ok(s) => Some(s),
            Err(e) => return Err((state_error(e), Some(loaded))),
        };
    }
    let lock = match &state {
        Some(s) => match s.lock(opts.command, opts.lock_timeout) {
            Ok(l) => Some(l),
            Err(e) => return Err((state_error(e), Some(loaded))),
        },
        None => None,
    };
    // Checked again under the lock: nobody changes the state from here on.
    if let Some(d) = stale(&state) {
        return Err((d, Some(loaded)));
    }
    // A plan file is a JSON document anyone can edit: every change must still name an
    // instance this configuration and state have, or nothing is applied.
    let recorded: Vec<String> = match &state {
        Some(s) => match s.resources() {
            Ok(r) => r.into_iter().map(|r| r.address).collect(),
            Err(e) => return Err((state_error(e), Some(loaded))),
        },
        None => Vec::new(),
    };
    let mismatches = plan_mismatches(&plan, &loaded, &recorded);
    if !mismatches.is_empty() {
        let list: String = mismatches.iter().map(|s| format!("\n  - {s}")).collect();
        let diag = Diagnostic::error(
            "Saved plan does not match the configuration",
            format!("The plan file names changes this configuration and state cannot have; was it edited, or made in another directory?{list}\n\nNothing was changed."),
        )
        .hint("Run \"ecsform plan -out=FILE\" again, review the new plan and apply that.");
        return Err((diag.into(), Some(loaded)));
    }
    // Sensitive values are not in the plan file: take them from the state, which is as the
    // plan saw it (same serial).
    let mut plan = plan;
    // `apply -no-rolling PLANFILE` applies the plan without its rolling replacements.
    if opts.no_rolling {
        plan.rollouts.clear();
    }
    if let Some(s) = &state {
        let records = match s.resources() {
            Ok(r) => r,
            Err(e) => return Err((state_error(e), Some(loaded))),
        };
        let recorded: BTreeMap<&str, &serde_json::Value> = records
            .iter()
            .map(|r| (r.address.as_str(), &r.attributes))
            .collect();
        for c in &mut plan.changes {
            let (Some(before), Some(rec)) =
                (c.before.take(), recorded.get(c.addr.to_string().as_str()))
            else {
                continue;
            };
            let source = match aws::resource_type(&c.addr.resource.type_name) {
                Some(rt) => rt.schema().decode(&Value::from_json(rec)),
                None => Value::from_json(rec),
            };
            let restored = crate::plan::planfile::restore_redacted(before, &source);
            if c.action == Action::NoOp {
                c.after = Some(restored.clone());
            }
            c.before = Some(restored);
        }
    }
    let ps = provider_settings(&loaded);
    let clients = AwsClients::load(ps.region.as_deref(), ps.profile.as_deref(), &opts.aws_env)
        .await
        .with_default_tags(ps.default_tags.clone())
        .with_working_dir(&loaded.dir);
    Ok(Planned {
        loaded,
        plan,
        clients,
        default_tags: ps.default_tags,
        state,
        lock,
        warnings: Diagnostics::new(),
    })
}

/// The changes of a saved plan that the configuration and state cannot have, one sentence
/// each: an address twice, a resource the configuration does not declare, an instance its
/// `count`/`for_each` does not give, a change to an object the state does not hold.
fn plan_mismatches(plan: &Plan, loaded: &Loaded, recorded: &[String]) -> Vec<String> {
    let recorded: std::collections::BTreeSet<&str> = recorded.iter().map(String::as_str).collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for c in &plan.changes {
        let addr = c.addr.to_string();
        if !seen.insert(addr.clone()) {
            out.push(format!("{addr} appears more than once"));
            continue;
        }
        let needs_config = !matches!(c.action, Action::Delete);
        let needs_state = !c.addr.is_data()
            && matches!(
                c.action,
                Action::NoOp
                    | Action::Update
                    | Action::Delete
                    | Action::DeleteThenCreate
                    | Action::CreateThenDelete
            );
        if needs_config {
            let declared = loaded
                .module
                .descendant(&c.addr.module.path())
                .is_some_and(|m| m.resources.contains_key(&c.addr.resource));
            // Instances whose count or for_each is known only during planning (from a data
            // source) are not expanded by the load; their resource is checked, not the key.
            let expanded = loaded
                .evaluated
                .instances
                .keys()
                .any(|a| a.module == c.addr.module && a.resource == c.addr.resource);
            if !declared {
                out.push(format!("{addr} is not declared in the configuration"));
            } else if expanded && !loaded.evaluated.instances.contains_key(&c.addr) {
                out.push(format!(
                    "{addr} is not an instance of the configuration (count or for_each gives other keys)"
                ));
            }
        }
        if needs_state && !recorded.contains(addr.as_str()) {
            out.push(format!(
                "{addr} is not in the state, but the plan changes it"
            ));
        }
    }
    out
}

/// What a new plan file records about the state the plan was made from.
pub fn state_stamp(planned: &Planned) -> StateStamp {
    StateStamp {
        lineage: planned.state.as_ref().map(StateStore::lineage),
        serial: planned.state.as_ref().map(StateStore::serial).unwrap_or(0),
    }
}

/// Applies a plan computed by [`plan`] (state opened for writing). `interrupt` counts Ctrl-C
/// (see [`Interrupt`]).
pub async fn apply(
    planned: &mut Planned,
    parallelism: usize,
    interrupt: Option<Interrupt>,
    hooks: &mut dyn ApplyHooks,
) -> ApplySummary {
    let Some(state) = planned.state.as_mut() else {
        let mut s = ApplySummary::default();
        s.diags.push(Diagnostic::error(
            "No state",
            "apply needs a state file to write to.",
        ));
        return s;
    };
    let reader = AwsDataReader {
        clients: &planned.clients,
    };
    let settings = planned.loaded.apply_settings();
    let req = ApplyRequest {
        plan: &planned.plan,
        loaded: &planned.loaded,
        settings: &settings,
        clients: &planned.clients,
        default_tags: &planned.default_tags,
        lineage: state.lineage(),
        parallelism,
        data: &reader,
        interrupt,
    };
    apply::apply(&req, state, hooks).await
}

/// A create-before-destroy replacement found after an interrupted apply is taken by apply's
/// create step; a plan that does not create the instance again would leave it unmanaged.
fn check_replacements(plan: &Plan, diags: &mut Diagnostics) {
    use crate::plan::RecoveryKind;
    for r in plan
        .recovered
        .iter()
        .filter(|r| r.kind == RecoveryKind::Replacement)
    {
        let creates = plan.change(&r.addr).is_some_and(|c| {
            matches!(
                c.action,
                Action::Create | Action::CreateThenDelete | Action::DeleteThenCreate
            )
        });
        if creates {
            continue;
        }
        let detail = format!(
            "An interrupted apply was replacing {} and created {}, which is not recorded. This plan does not replace {} any more, so {} would stay behind, unmanaged.",
            r.addr, r.id, r.addr, r.id
        );
        let hint = "Apply the configuration that replaces it first (ecsform then takes the new object and destroys the old one), or delete the new object by hand.";
        diags.push(if plan.destroy {
            Diagnostic::error(format!("Unfinished replacement of {}", r.addr), detail).hint(hint)
        } else {
            Diagnostic::warning(format!("Unfinished replacement of {}", r.addr), detail).hint(hint)
        });
    }
}

/// Parses the `-target` and `-replace` addresses.
fn parse_addresses(
    opts: &RunOptions,
) -> Result<(Vec<AddrPattern>, Vec<ResourceInstanceAddr>), Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut targets = Vec::new();
    for t in &opts.targets {
        match AddrPattern::parse(t) {
            Ok(p) => targets.push(p),
            Err(e) => diags.push(
                Diagnostic::error(
                    "Invalid target address",
                    format!("-target: {e}."),
                )
                .hint("Examples: -target=module.vpc, -target=aws_subnet.private, -target='aws_subnet.private[0]'."),
            ),
        }
    }
    let mut replace = Vec::new();
    for r in &opts.replace {
        match ResourceInstanceAddr::parse(r).filter(|a| !a.is_data()) {
            Some(a) => replace.push(a),
            None => diags.push(
                Diagnostic::error(
                    "Invalid replace address",
                    format!("-replace={r} is not a managed resource instance address."),
                )
                .hint("Examples: -replace=aws_instance.web, -replace='module.ecs.aws_launch_template.this[0]'."),
            ),
        }
    }
    if diags.is_empty() {
        Ok((targets, replace))
    } else {
        Err(diags)
    }
}

pub(crate) fn state_error(e: crate::state::StateError) -> Diagnostics {
    let summary = match &e {
        crate::state::StateError::Locked { .. } => "Error acquiring the state lock",
        _ => "Error opening the state",
    };
    Diagnostic::error(summary, e.to_string()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::testing::{record, temp_state};

    fn addrs(read: &StateRead) -> Vec<String> {
        read.prior.keys().map(ToString::to_string).collect()
    }

    #[test]
    fn a_state_read_before_the_lock_is_read_again_if_written_in_between() {
        let (_dir, path) = temp_state();
        let mut state = StateStore::open(&path).unwrap();
        state
            .put_resource(&record("aws_vpc.a"), "create", None)
            .unwrap();
        let read = StateRead::of(&state).unwrap();
        assert_eq!(addrs(&read), ["aws_vpc.a"]);

        // Nothing written since: the same read.
        let read = read.current(&state).unwrap();
        assert_eq!(addrs(&read), ["aws_vpc.a"]);

        // Another process writes before this one takes the lock.
        let mut other = StateStore::open(&path).unwrap();
        other
            .put_resource(&record("aws_vpc.b"), "create", None)
            .unwrap();
        let read = read.current(&state).unwrap();
        assert_eq!(addrs(&read), ["aws_vpc.a", "aws_vpc.b"]);
        assert_eq!(read.serial, state.serial());
    }
}
