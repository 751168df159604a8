//! Applying a plan: walk its changes concurrently in dependency order (deletions in reverse),
//! re-evaluate each instance's arguments with the values its dependencies produced just
//! before calling AWS, and write state after every successful call.
//!
//! The executor never prints: progress goes to an [`ApplyHooks`] implementation (the CLI's).
//! A failed call is reported with its address and AWS error; branches that do not depend on
//! it carry on; what succeeded stays in state.
//!
//! Crash safety ([`intent`]): an intent row goes into state before each create and the record
//! replaces it after, so that an apply killed at any moment leaves nothing the next plan cannot
//! find. An [`Interrupt`] (Ctrl-C) stops the walk: once, no new calls start and running ones
//! finish and are recorded; twice, running calls are abandoned at once.
//!
//! After the walk, the objects the plan rolls have their instances replaced by their types
//! ([`aws::ResourceType::roll_out`]), one at a time; the marks a rollout leaves go to
//! state as it goes.

mod intent;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::addrs::ResourceInstanceAddr;
use crate::aws;
use crate::aws::error::ApiError;
use crate::aws::rollout::{with_mark, RolloutContext, RolloutEvent, PENDING_ATTR};
use crate::aws::AwsClients;
use crate::aws::CallContext;
use crate::config::Resource;
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::dag::Dag;
use crate::graph::walk::{self, InstanceHook, Settings};
use crate::graph::Loaded;
use crate::interrupt::Interrupt;
use crate::lang::Value;
use crate::plan::build::{schema_for, DataReader};
use crate::plan::diff::{plan_instance, with_new_computed};
use crate::plan::rolling::PlannedRollout;
use crate::plan::{Action, Plan, ResourceChange};
use crate::state::{ResourceStatus, StateStore};

/// What the engine reports while applying; the CLI prints it.
pub trait ApplyHooks {
    /// A call starts ("Creating...").
    fn pre(&mut self, addr: &ResourceInstanceAddr, phase: Phase);
    /// Still running after `elapsed` (called about every 10 seconds).
    fn still(&mut self, addr: &ResourceInstanceAddr, phase: Phase, elapsed: Duration);
    /// A call finished: the object's id on success.
    fn post(
        &mut self,
        addr: &ResourceInstanceAddr,
        phase: Phase,
        outcome: Result<Option<&str>, &ApiError>,
        elapsed: Duration,
    );

    /// Instead of creating an object, apply took `id`, which an interrupted apply had created.
    fn adopted(&mut self, addr: &ResourceInstanceAddr, id: Option<&str>) {
        self.post(addr, Phase::Create, Ok(id), Duration::ZERO);
    }

    /// The `count`th interrupt arrived (1: finishing running calls, 2: stopping now).
    fn interrupted(&mut self, _count: u8) {}

    /// A rolling replacement of a group's instances made progress ("i-0abc drained: 3 tasks
    /// moved").
    fn rollout(&mut self, _addr: &ResourceInstanceAddr, _message: &str) {}
}

/// One step of a change: a replacement is a delete and a create.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    Delete,
    Create,
    Update,
}

/// The outcome of an apply.
#[derive(Debug, Default)]
pub struct ApplySummary {
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
    /// Objects an interrupted apply had created, recorded instead of created again.
    pub adopted: usize,
    /// Stopped by an interrupt before everything was done.
    pub interrupted: bool,
    /// Groups whose instances were all replaced.
    pub rolled: usize,
    pub diags: Diagnostics,
}

/// What an apply needs.
pub struct ApplyRequest<'a> {
    pub plan: &'a Plan,
    pub loaded: &'a Loaded,
    pub settings: &'a Settings<'a>,
    pub clients: &'a AwsClients,
    pub default_tags: &'a BTreeMap<String, String>,
    pub lineage: String,
    pub parallelism: usize,
    pub data: &'a dyn DataReader,
    /// Ctrl-C, counted by whoever listens for it (the CLI); none stops nothing.
    pub interrupt: Option<Interrupt>,
}

type Node = (Phase, ResourceInstanceAddr);

/// The order of the calls: an edge `a -> b` means b must finish before a starts.
fn schedule(plan: &Plan) -> Dag<Node> {
    let mut dag: Dag<Node> = Dag::new();
    let changes: BTreeMap<&ResourceInstanceAddr, &ResourceChange> =
        plan.changes.iter().map(|c| (&c.addr, c)).collect();
    let apply_phase = |c: &ResourceChange| match c.action {
        Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete => Some(Phase::Create),
        Action::Update => Some(Phase::Update),
        _ => None,
    };
    let deletes = |c: &ResourceChange| c.action == Action::Delete || c.action.is_replace();
    for c in &plan.changes {
        if let Some(p) = apply_phase(c) {
            let node = (p, c.addr.clone());
            dag.add(node.clone());
            for d in &c.dependencies {
                if let Some(dc) = changes.get(d) {
                    if let Some(dp) = apply_phase(dc) {
                        dag.depend(&node, &(dp, d.clone()));
                    }
                }
            }
            if c.action == Action::DeleteThenCreate {
                dag.depend(&node, &(Phase::Delete, c.addr.clone()));
            }
        }
        if deletes(c) {
            let node = (Phase::Delete, c.addr.clone());
            dag.add(node.clone());
            if c.action == Action::CreateThenDelete {
                dag.depend(&node, &(Phase::Create, c.addr.clone()));
            }
            // Whatever depends on this object goes first: deleted, or moved off it.
            for other in &plan.changes {
                if other.addr == c.addr || !other.dependencies.contains(&c.addr) {
                    continue;
                }
                if deletes(other) {
                    dag.depend(&node, &(Phase::Delete, other.addr.clone()));
                }
                if c.action == Action::CreateThenDelete {
                    if let Some(p) = apply_phase(other) {
                        dag.depend(&node, &(p, other.addr.clone()));
                    }
                }
            }
        }
    }
    dag
}

/// Values of instances as apply proceeds: planned values until their call is done, then what
/// AWS returned. Data sources are read when their arguments are known. (Import evaluates the
/// configuration with the recorded objects the same way.)
pub(crate) struct ApplyValues<'a> {
    pub(crate) values: &'a BTreeMap<ResourceInstanceAddr, Value>,
    pub(crate) data: &'a dyn DataReader,
}

impl InstanceHook for ApplyValues<'_> {
    fn instance(
        &mut self,
        addr: &ResourceInstanceAddr,
        config: &Value,
        res: &Resource,
    ) -> Result<Value, Diagnostic> {
        let span = res.span.as_ref();
        if addr.is_data() {
            let schema = schema_for(&addr.resource, span)?;
            let conformed = schema.conform(config).unwrap_or_else(|_| config.clone());
            if !conformed.is_wholly_known() && !only_computed_unknown(&conformed, schema) {
                return Ok(conformed);
            }
            return self
                .data
                .read(&addr.resource.type_name, &conformed)
                .map(|v| schema.decode(&v))
                .map_err(|m| {
                    Diagnostic::error(format!("Error reading data source {addr}"), m)
                        .at(span.cloned())
                });
        }
        match self.values.get(addr) {
            Some(v) => Ok(v.clone()),
            // Not part of this apply: its configuration, in its type's shape.
            None => Ok(aws::resource_type(&addr.resource.type_name)
                .map(|rt| rt.schema().conform_partial(config).0)
                .unwrap_or_else(|| config.clone())),
        }
    }
}

/// Orders the ready instances for the free parallelism slots. First what the longest chains
/// of dependents wait on; among equals, the resource types take turns, counting the instances
/// of each type already running. Each AWS service has its own rate limits: were the slots
/// filled with instances of one type (the first in address order), they would all wait on
/// that service's limit while the other services' limits went unused. A wide apply of 100
/// log groups, 100 IAM roles and 100 security groups took 44 s so, and about 20 s with turns.
fn start_order(
    ready: &mut Vec<Node>,
    running: &BTreeMap<Node, Instant>,
    chain_lengths: &std::collections::HashMap<Node, usize>,
) {
    let mut turns: BTreeMap<String, usize> = BTreeMap::new();
    for (_, addr) in running.keys() {
        *turns.entry(addr.resource.type_name.clone()).or_default() += 1;
    }
    let mut keyed: Vec<(std::cmp::Reverse<usize>, usize, Node)> = ready
        .drain(..)
        .map(|n| {
            let chain = chain_lengths.get(&n).copied().unwrap_or(0);
            let turn = turns.entry(n.1.resource.type_name.clone()).or_default();
            *turn += 1;
            (std::cmp::Reverse(chain), *turn, n)
        })
        .collect();
    keyed.sort_by_key(|(chain, turn, _)| (*chain, *turn));
    ready.extend(keyed.into_iter().map(|(_, _, n)| n));
}

fn only_computed_unknown(v: &Value, schema: &crate::provider::Schema) -> bool {
    let Some(m) = v.as_map() else { return false };
    schema
        .attributes
        .iter()
        .filter(|a| !a.is_computed())
        .all(|a| m.get(a.name).is_none_or(Value::is_wholly_known))
}

/// Runs the plan. State is written after every successful call.
pub async fn apply(
    req: &ApplyRequest<'_>,
    state: &mut StateStore,
    hooks: &mut dyn ApplyHooks,
) -> ApplySummary {
    let mut summary = ApplySummary::default();
    summary.adopted = intent::settle_intents(state, req.plan, &mut summary.diags);
    let dag = schedule(req.plan);
    let chain_lengths = dag.dependent_chain_lengths();
    let changes: BTreeMap<ResourceInstanceAddr, &ResourceChange> = req
        .plan
        .changes
        .iter()
        .map(|c| (c.addr.clone(), c))
        .collect();
    let mut values: BTreeMap<ResourceInstanceAddr, Value> = req
        .plan
        .changes
        .iter()
        .filter_map(|c| {
            let v = match c.action {
                Action::NoOp => c.before.clone(),
                Action::Delete => None,
                _ => c.after.clone(),
            };
            Some((c.addr.clone(), v?))
        })
        .collect();
    let mut remaining: BTreeMap<Node, BTreeSet<Node>> = dag
        .nodes()
        .map(|n| {
            (
                n.clone(),
                dag.dependencies(n).into_iter().cloned().collect(),
            )
        })
        .collect();
    let mut failed: BTreeSet<Node> = BTreeSet::new();
    // Evaluations of the configuration, and when each instance's call was recorded.
    let mut snap: Option<Snapshot> = None;
    let mut version: u64 = 0;
    let mut done_at: BTreeMap<ResourceInstanceAddr, u64> = BTreeMap::new();
    let mut running: BTreeMap<Node, Instant> = BTreeMap::new();
    // Each task: its node, the outcome, and whether a failed create was found to have made
    // nothing.
    let mut tasks: JoinSet<(Node, Result<Called, ApiError>, bool)> = JoinSet::new();
    let clients = Arc::new(req.clients.clone());
    let mut last_tick = Instant::now();
    let mut interrupts = 0;
    loop {
        let now = req.interrupt.as_ref().map_or(0, Interrupt::count);
        if now > interrupts {
            interrupts = now;
            hooks.interrupted(now);
        }
        if interrupts >= 2 {
            // Stop now: every state write so far is its own transaction, and the intent rows
            // of the abandoned creates let the next plan find what they made.
            tasks.abort_all();
            let abandoned: Vec<String> = running.keys().map(|n| n.1.to_string()).collect();
            if !abandoned.is_empty() {
                summary.diags.push(Diagnostic::error(
                    "Apply stopped while calls were running",
                    format!(
                        "Calls for {} were abandoned. The next plan looks for what they did.",
                        abandoned.join(", ")
                    ),
                ));
            }
            running.clear();
            break;
        }
        // Skip what can no longer run because something it needs failed.
        let doomed: Vec<Node> = remaining
            .iter()
            .filter(|(_, deps)| deps.iter().any(|d| failed.contains(d)))
            .map(|(n, _)| n.clone())
            .collect();
        for n in doomed {
            remaining.remove(&n);
            failed.insert(n);
        }
        let mut ready: Vec<Node> = remaining
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(n, _)| n.clone())
            .collect();
        start_order(&mut ready, &running, &chain_lengths);
        for node in ready {
            if running.len() >= req.parallelism.max(1) || interrupts > 0 {
                break;
            }
            remaining.remove(&node);
            let change = changes[&node.1];
            let prepared = match node.0 {
                Phase::Delete => Ok(None),
                _ => {
                    let stale = snap.as_ref().is_none_or(|s| {
                        change
                            .dependencies
                            .iter()
                            .any(|d| done_at.get(d).is_some_and(|v| *v > s.version))
                    });
                    if stale {
                        snap = Some(snapshot(req, &values, version));
                    }
                    prepare(req, snap.as_ref().expect("taken above"), change)
                }
            };
            let planned = match prepared {
                Ok(p) => p,
                Err(d) => {
                    summary.diags.push(d);
                    failed.insert(node);
                    continue;
                }
            };
            let rt = aws::resource_type(&node.1.resource.type_name).expect("planned types exist");
            // Before a create: fix generated names, then record the intent.
            let mut lookup = None;
            let mut failure_lookup = None;
            let planned = match (node.0, planned) {
                (Phase::Create, Some(p)) => {
                    let p = rt.pin_generated(p);
                    if rt.adoption().wants_intent() {
                        failure_lookup = Some(intent::Lookup::after_failure(change, &p));
                        match intent::write_intent(state, change, &p) {
                            Ok(l) => lookup = l,
                            Err(d) => {
                                summary.diags.push(d);
                                failed.insert(node);
                                continue;
                            }
                        }
                    }
                    Some(p)
                }
                (_, p) => p,
            };
            hooks.pre(&node.1, node.0);
            running.insert(node.clone(), Instant::now());
            let clients = clients.clone();
            let before = change.before.clone();
            let mut extra = req.default_tags.clone();
            extra.insert("ecsform:address".into(), node.1.to_string());
            extra.insert("ecsform:lineage".into(), req.lineage.clone());
            let lineage = req.lineage.clone();
            let n = node.clone();
            tasks.spawn(async move {
                let address = n.1.to_string();
                let ctx = CallContext {
                    clients: &clients,
                    address: &address,
                    extra_tags: &extra,
                };
                let planned_ref = planned.as_ref();
                // Set when a create failed and a lookup found nothing of ours in AWS.
                let mut made_nothing = false;
                let r = match n.0 {
                    Phase::Create => {
                        let found = match &lookup {
                            Some(l) => {
                                intent::find_again(rt, &clients, l, &address, &lineage).await
                            }
                            None => Ok(None),
                        };
                        match found {
                            Ok(Some(v)) => Ok(Called {
                                state: Some(v),
                                adopted: true,
                            }),
                            Ok(None) => {
                                let made = intent::create_in_doubt(
                                    rt,
                                    &n.1.resource.type_name,
                                    &ctx,
                                    planned_ref.expect("prepared"),
                                    &lineage,
                                    failure_lookup.as_ref(),
                                )
                                .await;
                                // AWS refused the request: unless a later call of the create
                                // failed after the object was made, there is nothing to find.
                                if let (Err(e), Some(l)) = (&made, &failure_lookup) {
                                    if e.kind == crate::aws::error::ErrorKind::Invalid {
                                        made_nothing = matches!(
                                            intent::find_again(rt, &clients, l, &address, &lineage)
                                                .await,
                                            Ok(None)
                                        );
                                    }
                                }
                                made.map(Called::made)
                            }
                            Err(e) => Err(e),
                        }
                    }
                    Phase::Update => rt
                        .update(
                            &ctx,
                            before.as_ref().expect("updates have a prior object"),
                            planned_ref.expect("prepared"),
                        )
                        .await
                        .map(Called::made),
                    Phase::Delete => rt
                        .delete(&ctx, before.as_ref().expect("deletes have a prior object"))
                        .await
                        .map(|_| Called {
                            state: None,
                            adopted: false,
                        }),
                };
                // AWS reports all tags; `tags` holds the resource's own, as planned.
                let r = r.map(|c| Called {
                    state: c.state.map(|v| keep_planned_tags(v, planned_ref)),
                    adopted: c.adopted,
                });
                // AWS error messages may quote an argument ("Value (...) for parameter
                // cidrBlock is invalid"): mask the sensitive ones.
                let r = r.map_err(|mut e| {
                    let secrets: Vec<String> = planned
                        .iter()
                        .chain(before.iter())
                        .flat_map(crate::lang::value::sensitive_texts)
                        .collect();
                    e.message = crate::lang::value::mask_secrets(e.message, &secrets);
                    e
                });
                (n, r, made_nothing)
            });
        }
        if tasks.is_empty() {
            break;
        }
        let next = tokio::select! {
            n = tokio::time::timeout(Duration::from_secs(1), tasks.join_next()) => n,
            _ = wait_interrupt(req.interrupt.as_ref()) => continue,
        };
        if last_tick.elapsed() >= Duration::from_secs(10) {
            last_tick = Instant::now();
            for (n, started) in &running {
                hooks.still(&n.1, n.0, started.elapsed());
            }
        }
        let Ok(Some(joined)) = next else { continue };
        let (node, result, made_nothing) = match joined {
            Ok(r) => r,
            Err(e) => {
                summary.diags.push(Diagnostic::error(
                    "Internal error",
                    format!("an apply task failed: {e}"),
                ));
                continue;
            }
        };
        let started = running.remove(&node).unwrap_or_else(Instant::now);
        let change = changes[&node.1];
        match result {
            Ok(Called {
                state: new_state,
                adopted,
            }) => {
                let id = new_state
                    .as_ref()
                    .and_then(|v| v.as_map()?.get("id")?.as_str().map(String::from));
                if adopted {
                    hooks.adopted(&node.1, id.as_deref());
                } else {
                    hooks.post(&node.1, node.0, Ok(id.as_deref()), started.elapsed());
                }
                version += 1;
                done_at.insert(node.1.clone(), version);
                if let Err(d) = record(state, change, node.0, new_state.as_ref(), &mut values) {
                    summary.diags.push(d);
                    failed.insert(node.clone());
                } else {
                    match node.0 {
                        Phase::Create if adopted => summary.adopted += 1,
                        Phase::Create => summary.added += 1,
                        Phase::Update => summary.changed += 1,
                        Phase::Delete => summary.destroyed += 1,
                    }
                }
                for deps in remaining.values_mut() {
                    deps.remove(&node);
                }
            }
            Err(e) => {
                hooks.post(&node.1, node.0, Err(&e), started.elapsed());
                let verb = match node.0 {
                    Phase::Create => "creating",
                    Phase::Update => "updating",
                    Phase::Delete => "deleting",
                };
                let mut diag = Diagnostic::error(
                    format!("Error {verb} {}", node.1),
                    format!("{}: {}", e.code, e.message),
                );
                if node.0 == Phase::Create {
                    // (Not for an attach or associate that AWS says is made already: AWS's
                    // message names what it is attached to, and there is no name to change.)
                    if e.kind == crate::aws::error::ErrorKind::AlreadyExists
                        && !e.is_already_associated()
                    {
                        diag = diag.hint(format!(
                            "An object with this name already exists and is not recorded in this state. If it is the one {} should manage, import it (ecsform import {} ID); otherwise choose another name.",
                            node.1, node.1
                        ));
                    }
                    if let Err(d) = intent::after_failed_create(state, change, &e, made_nothing) {
                        summary.diags.push(d);
                    }
                }
                summary.diags.push(diag);
                failed.insert(node);
            }
        }
    }
    if interrupts > 0 {
        summary.interrupted = true;
        let skipped = remaining.len();
        if skipped > 0 {
            summary.diags.push(
                Diagnostic::error(
                    "Apply interrupted",
                    format!(
                        "{skipped} operation{} did not start. What finished is recorded in state.",
                        if skipped == 1 { "" } else { "s" }
                    ),
                )
                .hint("Run apply again to finish."),
            );
        }
        if interrupts >= 2 {
            return summary;
        }
    }
    if interrupts == 0 {
        for r in &req.plan.rollouts {
            roll_out(req, state, hooks, r, &failed, &mut values, &mut summary).await;
        }
    }
    if let Err(d) = write_outputs(req, state, &values) {
        summary.diags.push(d);
    }
    summary
}

/// Replaces an object's instances as its type planned ([`aws::ResourceType::roll_out`]),
/// once its own update (and those of what it depends on, such as the launch templates of an
/// Auto Scaling group) succeeded; records the object's mark as it goes.
async fn roll_out(
    req: &ApplyRequest<'_>,
    state: &mut StateStore,
    hooks: &mut dyn ApplyHooks,
    planned: &PlannedRollout,
    failed: &BTreeSet<Node>,
    values: &mut BTreeMap<ResourceInstanceAddr, Value>,
    summary: &mut ApplySummary,
) {
    let addr = &planned.addr;
    let deps = req
        .plan
        .change(addr)
        .map(|c| c.dependencies.clone())
        .unwrap_or_default();
    if failed.iter().any(|(_, a)| a == addr || deps.contains(a)) {
        summary.diags.push(Diagnostic::error(
            format!("Rolling replacement of {addr} not started"),
            "The group, or a launch template or configuration it depends on, failed to apply; its instances were left as they are.",
        ));
        return;
    }
    let (Some(object), Some(rt)) = (
        values.get(addr).cloned(),
        aws::resource_type(&addr.resource.type_name),
    ) else {
        return;
    };
    let address = addr.to_string();
    let ctx = RolloutContext {
        clients: req.clients,
        address: &address,
        interrupt: req.interrupt.as_ref(),
    };
    let mut write_error: Option<Diagnostic> = None;
    let outcome = {
        let mut events = |e: RolloutEvent| match e {
            RolloutEvent::Progress(m) => hooks.rollout(addr, &m),
            RolloutEvent::Mark(mark) => {
                if let Err(d) = record_mark(state, values, addr, mark) {
                    write_error.get_or_insert(d);
                }
            }
        };
        rt.roll_out(&ctx, &object, &mut events).await
    };
    if let Some(d) = write_error {
        summary.diags.push(d);
    }
    match outcome {
        Ok(true) => summary.rolled += 1,
        Ok(false) => {}
        Err(f) => {
            if let Some(mark) = f.mark {
                if let Err(d) = record_mark(state, values, addr, Some(mark)) {
                    summary.diags.push(d);
                }
            }
            summary.diags.push(f.diagnostic);
        }
    }
}

/// Writes an object's rollout mark ([`PENDING_ATTR`]) to state (and to the apply's values).
fn record_mark(
    state: &mut StateStore,
    values: &mut BTreeMap<ResourceInstanceAddr, Value>,
    addr: &ResourceInstanceAddr,
    mark: Option<Value>,
) -> Result<(), Diagnostic> {
    let to_diag = |e: crate::state::StateError| {
        Diagnostic::error(
            format!("Failed to record the rollout of {addr} in state"),
            e.to_string(),
        )
    };
    let Some(mut rec) = state.resource(&addr.to_string()).map_err(to_diag)? else {
        return Ok(());
    };
    let before = rec.attributes.clone();
    let current = Value::from_json(&rec.attributes);
    let marked = with_mark(&current, mark);
    if marked == current {
        return Ok(());
    }
    if let Some(json) = marked.to_json() {
        rec.attributes = json;
    }
    state
        .put_resource(&rec, "update", Some(&before))
        .map_err(to_diag)?;
    if let Some(v) = values.get_mut(addr) {
        *v = with_mark(
            v,
            marked
                .as_map()
                .and_then(|m| m.get(PENDING_ATTR))
                .filter(|v| !v.is_null())
                .cloned(),
        );
    }
    Ok(())
}

/// What a call returned: the object's state (none for a delete), and whether it was found
/// rather than created (an interrupted apply had created it).
struct Called {
    state: Option<Value>,
    adopted: bool,
}

impl Called {
    fn made(state: Value) -> Called {
        Called {
            state: Some(state),
            adopted: false,
        }
    }
}

/// Waits for the next interrupt; never returns without an [`Interrupt`].
async fn wait_interrupt(interrupt: Option<&Interrupt>) {
    match interrupt {
        Some(i) => i.wait().await,
        None => std::future::pending().await,
    }
}

fn keep_planned_tags(mut state: Value, planned: Option<&Value>) -> Value {
    let tags = planned.and_then(|p| p.as_map()?.get("tags").cloned());
    if let (Value::Map(m), Some(tags)) = (&mut state, tags) {
        if m.contains_key("tags_all") {
            m.insert("tags".into(), tags);
        }
    }
    state
}

/// The configuration evaluated with the values known at one point of the apply. Ready
/// instances whose dependencies have not changed since share it, so that the configuration
/// is evaluated (and data sources read) once per wave of calls, not once per call.
struct Snapshot {
    /// How many calls had been recorded when it was taken.
    version: u64,
    evaluated: walk::Evaluated,
    diags: Diagnostics,
}

fn snapshot(
    req: &ApplyRequest<'_>,
    values: &BTreeMap<ResourceInstanceAddr, Value>,
    version: u64,
) -> Snapshot {
    let mut hook = ApplyValues {
        values,
        data: req.data,
    };
    let (evaluated, diags) = walk::evaluate_with(
        &req.loaded.module,
        &req.loaded.config_graph,
        req.settings,
        &mut hook,
    );
    Snapshot {
        version,
        evaluated,
        diags,
    }
}

/// Plans this instance again from a snapshot taken after its dependencies were applied: the
/// arguments to send, all known.
fn prepare(
    req: &ApplyRequest<'_>,
    snap: &Snapshot,
    change: &ResourceChange,
) -> Result<Option<Value>, Diagnostic> {
    let addr = &change.addr;
    let Some(inst) = snap.evaluated.instances.get(addr) else {
        let detail = snap
            .diags
            .iter()
            .map(|d| format!("{}: {}", d.summary, d.detail))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(Diagnostic::error(
            format!("Cannot apply {addr}"),
            format!(
                "Its configuration could not be evaluated with the values known now.\n{detail}"
            ),
        ));
    };
    let schema = schema_for(&addr.resource, inst.span.as_ref())?;
    let configured = crate::plan::diff::configured_paths(&inst.config);
    let conformed = schema.conform(&inst.config).map_err(|errors| {
        Diagnostic::error(
            "Invalid resource arguments",
            format!("{addr}:\n{}", crate::provider::schema::describe(&errors)),
        )
    })?;
    let lifecycle = req
        .loaded
        .module
        .descendant(&addr.module.path())
        .and_then(|m| m.resources.get(&addr.resource))
        .map(|r| r.lifecycle.clone())
        .unwrap_or_default();
    let rt = aws::resource_type(&addr.resource.type_name);
    let conformed = match rt {
        Some(rt) => rt.normalize(conformed),
        None => conformed,
    };
    let prior = match change.action {
        Action::Update => change.before.as_ref(),
        _ => None,
    };
    let p = with_new_computed(
        rt,
        plan_instance(
            schema,
            &conformed,
            &configured,
            prior,
            &lifecycle,
            req.default_tags,
        ),
        &configured,
    );
    // Computed attributes are AWS's to fill in; every argument must be known by now.
    let unknown: Vec<&str> = schema
        .attributes
        .iter()
        .filter(|a| a.settable())
        .filter(|a| {
            p.after
                .as_map()
                .and_then(|m| m.get(a.name))
                .is_some_and(|v| !v.is_wholly_known())
                && configured.contains(a.name)
        })
        .map(|a| a.name)
        .collect();
    if !unknown.is_empty() {
        return Err(Diagnostic::error(
            format!("Cannot apply {addr}"),
            format!(
                "These arguments are still unknown after their dependencies were applied: {}.",
                unknown.join(", ")
            ),
        ));
    }
    // What was planned must be what is applied: values known at plan time may not change.
    if let Some(planned) = &change.after {
        if let Some(path) = inconsistency(planned, &p.after, String::new()) {
            return Err(Diagnostic::error(
                format!("Cannot apply {addr}"),
                format!(
                    "The configuration now evaluates differently from the plan: {} was planned as one value and is now another. Something the plan depended on changed (a data source result, a file, a function such as timestamp()).",
                    if path.is_empty() { "the object".to_string() } else { path }
                ),
            )
            .hint("Run plan again and review the new plan."));
        }
    }
    Ok(Some(p.after))
}

/// The first place where `actual` differs from a known part of `planned` (as a path like
/// `ingress[0].from_port`), or None. Unknown and redacted planned values match anything.
fn inconsistency(planned: &Value, actual: &Value, path: String) -> Option<String> {
    let actual = actual.unmarked();
    match planned {
        Value::Unknown => None,
        Value::Sensitive(inner) => inconsistency(inner, actual, path),
        Value::Map(pm) => {
            let Value::Map(am) = actual else {
                return Some(path);
            };
            pm.iter().find_map(|(k, pv)| {
                let av = am.get(k).unwrap_or(&Value::Null);
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                inconsistency(pv, av, p)
            })
        }
        // Unknown set elements may merge or split once known: compare known sets only.
        Value::Set(_) if !planned.is_wholly_known() => None,
        Value::List(pi) | Value::Set(pi) => {
            let (Value::List(ai) | Value::Set(ai)) = actual else {
                return Some(path);
            };
            if pi.len() != ai.len() {
                return Some(path);
            }
            pi.iter()
                .zip(ai)
                .enumerate()
                .find_map(|(i, (pv, av))| inconsistency(pv, av, format!("{path}[{i}]")))
        }
        known if known.equals(actual) => None,
        _ => Some(path),
    }
}

/// Writes the outcome of one call to state at once.
fn record(
    state: &mut StateStore,
    change: &ResourceChange,
    phase: Phase,
    new_state: Option<&Value>,
    values: &mut BTreeMap<ResourceInstanceAddr, Value>,
) -> Result<(), Diagnostic> {
    let addr = &change.addr;
    let to_diag = |e: crate::state::StateError| {
        Diagnostic::error(
            format!("Failed to write state for {addr}"),
            format!(
                "{e}. The object was changed in AWS; run plan to see where state and AWS differ."
            ),
        )
    };
    let before_json = change.before.as_ref().and_then(Value::to_json);
    match (phase, new_state) {
        // Create before destroy: the new object is recorded once the old one is gone (until
        // then the row keeps the old one, and the intent to create the new one).
        (Phase::Delete, _) if change.action == Action::CreateThenDelete => {
            if let Some(v) = values.get(addr) {
                let json = v.to_json().ok_or_else(|| {
                    Diagnostic::error(
                        format!("Incomplete result for {addr}"),
                        "AWS returned an object with unknown attributes; this is a bug in the resource type.",
                    )
                })?;
                let rec = intent::new_record(
                    addr,
                    crate::aws::adoption::state_id(v),
                    json,
                    &change.dependencies,
                    ResourceStatus::Ready,
                );
                state
                    .put_resource(&rec, "replace", before_json.as_ref())
                    .map_err(to_diag)?;
            }
        }
        (Phase::Create, Some(v)) if change.action == Action::CreateThenDelete => {
            values.insert(addr.clone(), v.clone());
        }
        (Phase::Delete, _) => {
            let action = if change.action.is_replace() {
                "replace"
            } else {
                "delete"
            };
            state
                .remove_resource(&addr.to_string(), action, before_json.as_ref())
                .or_else(|e| match e {
                    crate::state::StateError::NoSuchResource { .. } => Ok(()),
                    e => Err(e),
                })
                .map_err(to_diag)?;
            if change.action == Action::Delete {
                values.remove(addr);
            }
        }
        (_, Some(v)) => {
            let json = v.to_json().ok_or_else(|| {
                Diagnostic::error(
                    format!("Incomplete result for {addr}"),
                    "AWS returned an object with unknown attributes; this is a bug in the resource type.",
                )
            })?;
            let mut rec = intent::new_record(
                addr,
                crate::aws::adoption::state_id(v),
                json,
                &change.dependencies,
                ResourceStatus::Ready,
            );
            // What AWS returned may have lost the marks the configuration put on values (a
            // trigger from a sensitive variable): take them from the plan as well.
            rec.sensitive_paths = {
                let mut paths = crate::lang::value::sensitive_paths(v);
                if let Some(after) = &change.after {
                    paths.extend(crate::lang::value::sensitive_paths(after));
                }
                paths.sort_by_key(|p| p.to_string());
                paths.dedup();
                paths
            };
            let action = match change.action {
                Action::Update => "update",
                a if a.is_replace() => "replace",
                _ => "create",
            };
            let before = if phase == Phase::Update {
                before_json.as_ref()
            } else {
                None
            };
            state.put_resource(&rec, action, before).map_err(to_diag)?;
            values.insert(addr.clone(), v.clone());
        }
        (_, None) => {}
    }
    Ok(())
}

fn write_outputs(
    req: &ApplyRequest<'_>,
    state: &mut StateStore,
    values: &BTreeMap<ResourceInstanceAddr, Value>,
) -> Result<(), Diagnostic> {
    let outputs: Vec<(String, serde_json::Value, bool)> =
        if req.plan.destroy && req.plan.targets.is_empty() {
            Vec::new()
        } else {
            let mut hook = ApplyValues {
                values,
                data: req.data,
            };
            let (evaluated, _) = walk::evaluate_with(
                &req.loaded.module,
                &req.loaded.config_graph,
                req.settings,
                &mut hook,
            );
            // An output that cannot be known now (it depends on an object whose call failed)
            // keeps the value last recorded rather than vanishing from the state.
            let recorded = state.outputs().unwrap_or_default();
            evaluated
                .outputs
                .iter()
                .filter_map(|(k, o)| match o.value.to_json() {
                    Some(v) => Some((k.clone(), v, o.sensitive)),
                    None => recorded.iter().find(|(name, _, _)| name == k).cloned(),
                })
                .collect()
        };
    state
        .set_outputs(&outputs)
        .map_err(|e| Diagnostic::error("Failed to write outputs to state", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(addrs: &[&str]) -> Vec<Node> {
        addrs
            .iter()
            .map(|a| (Phase::Create, ResourceInstanceAddr::parse(a).unwrap()))
            .collect()
    }

    #[test]
    fn ready_instances_of_different_types_take_turns_for_the_slots() {
        let mut ready = nodes(&[
            "aws_a.x[0]",
            "aws_a.x[1]",
            "aws_a.x[2]",
            "aws_b.x[0]",
            "aws_b.x[1]",
            "aws_c.x[0]",
            "aws_c.x[1]",
        ]);
        // Two of type a already run; the c instances head long chains of dependents.
        let running: BTreeMap<Node, Instant> = nodes(&["aws_a.x[7]", "aws_a.x[8]"])
            .into_iter()
            .map(|n| (n, Instant::now()))
            .collect();
        let chains = nodes(&["aws_c.x[1]"]).into_iter().map(|n| (n, 3)).collect();
        start_order(&mut ready, &running, &chains);
        let order: Vec<String> = ready.iter().map(|n| n.1.to_string()).collect();
        assert_eq!(
            order,
            [
                "aws_c.x[1]",
                "aws_b.x[0]",
                "aws_c.x[0]",
                "aws_b.x[1]",
                "aws_a.x[0]",
                "aws_a.x[1]",
                "aws_a.x[2]",
            ]
        );
    }

    #[test]
    fn planned_values_must_hold_where_known() {
        let planned = Value::map([
            ("id", Value::Unknown),
            ("cidr", Value::string("10.0.0.0/16")),
            ("pw", Value::Sensitive(Box::new(Value::Unknown))),
            (
                "ports",
                Value::List(vec![Value::number(80), Value::Unknown]),
            ),
            (
                "sgs",
                Value::set(vec![Value::Unknown, Value::string("sg-1")]),
            ),
        ]);
        let actual = |cidr: &str, port: f64| {
            Value::map([
                ("id", Value::Unknown),
                ("cidr", Value::string(cidr)),
                ("pw", Value::Sensitive(Box::new(Value::string("x")))),
                (
                    "ports",
                    Value::List(vec![Value::number(port), Value::number(1)]),
                ),
                (
                    "sgs",
                    Value::set(vec![
                        Value::string("sg-2"),
                        Value::string("sg-3"),
                        Value::string("sg-1"),
                    ]),
                ),
            ])
        };
        assert_eq!(
            inconsistency(&planned, &actual("10.0.0.0/16", 80.0), String::new()),
            None
        );
        assert_eq!(
            inconsistency(&planned, &actual("10.1.0.0/16", 80.0), String::new()).as_deref(),
            Some("cidr")
        );
        assert_eq!(
            inconsistency(&planned, &actual("10.0.0.0/16", 81.0), String::new()).as_deref(),
            Some("ports[0]")
        );
    }
}
