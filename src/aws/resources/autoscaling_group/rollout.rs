//! Rolling replacement of an Auto Scaling group's instances, draining their ECS tasks first
//! (issue 8): the group's [`ResourceType::roll_out`], which apply runs after the walk for each
//! group the plan rolls ([`super::rolling_update`]), one group at a time.
//!
//! Per batch: raise the desired capacity (and the maximum if needed) by the batch size; wait
//! until the replacements are InService and registered in the cluster as ACTIVE with a
//! connected agent; set the oldest old instances' container instances to DRAINING; wait until
//! their tasks are gone and the cluster's services are steady; remove their scale-in
//! protection and terminate them with `ShouldDecrementDesiredCapacity`; pause.
//!
//! Every wait has a limit. On a timeout or an error the rollout stops and puts things back
//! (replacements that never served are terminated, decrementing the capacity; a batch that
//! did not drain is set ACTIVE again), and the group keeps a `rollout_pending` mark in state
//! listing the old instances left, so that the next apply continues. The mark is written
//! when the rollout starts and after every batch, so a killed apply leaves it too.
//!
//! The batch arithmetic is in [`batch`](super::batch); this module talks to AWS and never
//! prints: progress goes out as [`RolloutEvent`]s.
//!
//! [`ResourceType::roll_out`]: crate::aws::ResourceType::roll_out

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_sdk_autoscaling::types::AutoScalingGroup;

use super::batch::{self, Capacity, GroupInstance};
use super::rolling_update::{pending_of, RollingSettings};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, wait_until, ApiError, ErrorKind};
use crate::aws::paged::in_chunks;
use crate::aws::rollout::{RolloutContext, RolloutEvent, RolloutFailure};
use crate::aws::AwsClients;
use crate::diag::Diagnostic;
use crate::interrupt::Interrupt;
use crate::lang::Value;

const POLL: Duration = Duration::from_secs(5);
/// How long Auto Scaling may take to accept a capacity change while it is busy.
const BUSY_LIMIT: Duration = Duration::from_secs(120);
/// How long a terminated instance may take to leave the group.
const LEAVE_LIMIT: Duration = Duration::from_secs(10 * 60);

/// Why a rollout stopped.
#[derive(Clone, Debug, PartialEq)]
struct Stopped {
    /// The step it stopped in ("waiting for i-0abc to register in cluster main").
    step: String,
    error: ApiError,
    /// What was put back, for the message.
    restored: Vec<String>,
    /// Old instances still serving.
    remaining: Vec<String>,
}

/// The group mark an unfinished rollout leaves: the old instances left and the step.
fn mark(remaining: &[String], step: &str, error: Option<&str>) -> Value {
    let mut m = vec![
        (
            "instances",
            Value::List(remaining.iter().map(Value::string).collect()),
        ),
        ("step", Value::string(step)),
    ];
    if let Some(e) = error {
        m.push(("error", Value::string(e)));
    }
    Value::map(m)
}

async fn describe_group(clients: &AwsClients, name: &str) -> Result<AutoScalingGroup> {
    super::describe_one(clients, name).await?.ok_or_else(|| {
        ApiError::new(
            ErrorKind::NotFound,
            "ValidationError",
            format!("Auto Scaling group {name} not found"),
        )
    })
}

/// How many instances the rollout of `group` (its value in state) would replace now, for
/// the plan: the ones an unfinished rollout left, or every live instance. `None` when AWS
/// cannot tell.
pub(super) async fn instances_to_replace(clients: &AwsClients, group: &Value) -> Option<usize> {
    let name = group.as_map()?.get("id")?.as_str()?;
    let g = describe_group(clients, name).await.ok()?;
    let live: Vec<&str> = g
        .instances()
        .iter()
        .filter(|i| {
            !i.lifecycle_state()
                .is_some_and(|s| s.as_str().starts_with("Terminat"))
        })
        .filter_map(|i| i.instance_id())
        .collect();
    Some(match pending_of(group) {
        Some((ids, _)) => live.iter().filter(|i| ids.iter().any(|p| p == *i)).count(),
        None => live.len(),
    })
}

/// What the group launches now: template id and version number, or configuration name, and
/// the image and instance type where they are known.
#[derive(Clone, Debug, Default, PartialEq)]
struct Target {
    template_id: Option<String>,
    version: Option<String>,
    configuration: Option<String>,
    image_id: Option<String>,
    instance_type: Option<String>,
}

async fn target_of(clients: &AwsClients, g: &AutoScalingGroup) -> Result<Target> {
    let mut t = Target::default();
    if let Some(lt) = g.launch_template() {
        let version = lt.version().unwrap_or("$Default").to_string();
        let out = call(|| {
            clients
                .ec2
                .describe_launch_template_versions()
                .set_launch_template_id(lt.launch_template_id().map(String::from))
                .set_launch_template_name(
                    lt.launch_template_name()
                        .filter(|_| lt.launch_template_id().is_none())
                        .map(String::from),
                )
                .versions(&version)
                .send()
        })
        .await?;
        let v = out.launch_template_versions().first();
        t.template_id = v
            .and_then(|v| v.launch_template_id())
            .or(lt.launch_template_id())
            .map(String::from);
        t.version = v.and_then(|v| v.version_number()).map(|n| n.to_string());
        let data = v.and_then(|v| v.launch_template_data());
        t.image_id = data.and_then(|d| d.image_id()).map(String::from);
        t.instance_type = data
            .and_then(|d| d.instance_type())
            .map(|i| i.as_str().to_string());
    } else if let Some(lc) = g.launch_configuration_name() {
        t.configuration = Some(lc.to_string());
        let out = call(|| {
            clients
                .autoscaling
                .describe_launch_configurations()
                .launch_configuration_names(lc)
                .send()
        })
        .await?;
        if let Some(c) = out.launch_configurations().first() {
            t.image_id = c.image_id().map(String::from);
            t.instance_type = c.instance_type().map(String::from);
        }
    }
    Ok(t)
}

/// Launch time (seconds), image id and instance type of an EC2 instance.
type Ec2Facts = (Option<i64>, Option<String>, Option<String>);

/// The group's instances with what EC2 says about them (launch time, image, type).
async fn group_instances(
    clients: &AwsClients,
    g: &AutoScalingGroup,
    target: &Target,
) -> Result<Vec<GroupInstance>> {
    let ids: Vec<String> = g
        .instances()
        .iter()
        .filter_map(|i| i.instance_id().map(String::from))
        .collect();
    let mut ec2: BTreeMap<String, Ec2Facts> = BTreeMap::new();
    if !ids.is_empty() {
        let reservations: Vec<_> = call(|| {
            clients
                .ec2
                .describe_instances()
                .set_instance_ids(Some(ids.clone()))
                .into_paginator()
                .items()
                .send()
                .try_collect()
        })
        .await?;
        for r in &reservations {
            for i in r.instances() {
                if let Some(id) = i.instance_id() {
                    ec2.insert(
                        id.to_string(),
                        (
                            i.launch_time().map(|t| t.secs()),
                            i.image_id().map(String::from),
                            i.instance_type().map(|t| t.as_str().to_string()),
                        ),
                    );
                }
            }
        }
    }
    Ok(g.instances()
        .iter()
        .filter_map(|i| {
            let id = i.instance_id()?.to_string();
            let (launch_time, image, itype) = ec2.get(&id).cloned().unwrap_or_default();
            let same = |want: &Option<String>, have: Option<String>| {
                want.is_none() || have.is_none() || *want == have
            };
            let spec_matches = match (&target.configuration, i.launch_template()) {
                (Some(lc), _) => i.launch_configuration_name() == Some(lc.as_str()),
                (None, Some(lt)) => {
                    same(
                        &target.template_id,
                        lt.launch_template_id().map(String::from),
                    ) && same(&target.version, lt.version().map(String::from))
                }
                (None, None) => false,
            };
            let on_target =
                spec_matches && same(&target.image_id, image) && same(&target.instance_type, itype);
            Some(GroupInstance {
                id,
                launch_time,
                lifecycle: i
                    .lifecycle_state()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                protected_from_scale_in: i.protected_from_scale_in().unwrap_or(false),
                on_target,
            })
        })
        .collect())
}

/// A container instance as the rollout needs it.
#[derive(Clone, Debug)]
struct ContainerInstance {
    arn: String,
    status: String,
    agent_connected: bool,
    tasks: i32,
}

impl ContainerInstance {
    fn serving(&self) -> bool {
        self.status == "ACTIVE" && self.agent_connected
    }
}

/// The cluster's container instances by EC2 instance id.
async fn container_instances(
    clients: &AwsClients,
    cluster: &str,
) -> Result<BTreeMap<String, ContainerInstance>> {
    let ecs = &clients.ecs;
    let listed = ecs.list_container_instances().cluster(cluster);
    let arns: Vec<String> =
        call(|| listed.clone().into_paginator().items().send().try_collect()).await?;
    let described = in_chunks(&arns, 100, |chunk| async move {
        let described = ecs.describe_container_instances().cluster(cluster);
        let out = call(|| {
            described
                .clone()
                .set_container_instances(Some(chunk.clone()))
                .send()
        });
        Ok(out.await?.container_instances().to_vec())
    })
    .await?;
    let mut out = BTreeMap::new();
    for ci in &described {
        let (Some(ec2), Some(arn)) = (ci.ec2_instance_id(), ci.container_instance_arn()) else {
            continue;
        };
        let status = ci.status().unwrap_or_default().to_string();
        // An instance registered twice: the ACTIVE registration is the one that counts.
        if out
            .get(ec2)
            .is_some_and(|c: &ContainerInstance| c.status == "ACTIVE")
        {
            continue;
        }
        out.insert(
            ec2.to_string(),
            ContainerInstance {
                arn: arn.to_string(),
                status,
                agent_connected: ci.agent_connected(),
                tasks: ci.running_tasks_count() + ci.pending_tasks_count(),
            },
        );
    }
    Ok(out)
}

/// Services of the cluster that are not steady (more than one deployment, or running fewer
/// tasks than desired), by name.
async fn unsteady_services(clients: &AwsClients, cluster: &str) -> Result<Vec<String>> {
    let ecs = &clients.ecs;
    let listed = ecs.list_services().cluster(cluster);
    let arns: Vec<String> =
        call(|| listed.clone().into_paginator().items().send().try_collect()).await?;
    let described = in_chunks(&arns, 10, |chunk| async move {
        let described = ecs.describe_services().cluster(cluster);
        let out = call(|| described.clone().set_services(Some(chunk.clone())).send());
        Ok(out.await?.services().to_vec())
    })
    .await?;
    let mut out = Vec::new();
    for s in &described {
        if s.status() != Some("ACTIVE") {
            continue;
        }
        if s.deployments().len() > 1 || s.running_count() != s.desired_count() {
            out.push(format!(
                "{} ({} of {} running, {} deployment{})",
                s.service_name().unwrap_or("?"),
                s.running_count(),
                s.desired_count(),
                s.deployments().len(),
                if s.deployments().len() == 1 { "" } else { "s" }
            ));
        }
    }
    Ok(out)
}

/// Errors that mean "the group is busy, try again shortly".
fn busy(e: &ApiError) -> bool {
    matches!(
        e.code.as_str(),
        "ScalingActivityInProgress" | "ResourceInUse"
    )
}

async fn set_capacity(clients: &AwsClients, name: &str, c: Capacity) -> Result<()> {
    crate::aws::resources::retry_while(
        &format!("Auto Scaling group {name} to accept a new capacity"),
        BUSY_LIMIT,
        busy,
        || async {
            clients
                .autoscaling
                .update_auto_scaling_group()
                .auto_scaling_group_name(name)
                .desired_capacity(c.desired)
                .max_size(c.max)
                .send()
                .await
                .map_err(from_sdk)
        },
    )
    .await
    .map(|_| ())
}

async fn set_state(
    clients: &AwsClients,
    cluster: &str,
    arns: &[String],
    status: &str,
) -> Result<()> {
    call(|| {
        clients
            .ecs
            .update_container_instances_state()
            .cluster(cluster)
            .set_container_instances(Some(arns.to_vec()))
            .status(aws_sdk_ecs::types::ContainerInstanceStatus::from(status))
            .send()
    })
    .await
    .map(|_| ())
}

/// Terminates instances of the group, decrementing its desired capacity; protection from
/// scale-in is removed first (the instances are being replaced on purpose).
async fn terminate(
    clients: &AwsClients,
    group: &str,
    ids: &[String],
    protected: &BTreeSet<String>,
) -> Result<()> {
    let unprotect: Vec<String> = ids
        .iter()
        .filter(|i| protected.contains(*i))
        .cloned()
        .collect();
    if !unprotect.is_empty() {
        call(|| {
            clients
                .autoscaling
                .set_instance_protection()
                .auto_scaling_group_name(group)
                .set_instance_ids(Some(unprotect.clone()))
                .protected_from_scale_in(false)
                .send()
        })
        .await?;
    }
    for id in ids {
        let r = crate::aws::resources::retry_while(
            &format!("instance {id} to be terminated"),
            BUSY_LIMIT,
            busy,
            || async {
                clients
                    .autoscaling
                    .terminate_instance_in_auto_scaling_group()
                    .instance_id(id)
                    .should_decrement_desired_capacity(true)
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await;
        match r {
            // Gone already.
            Err(e) if e.code == "ValidationError" && e.message.contains("not found") => {}
            r => {
                r?;
            }
        }
    }
    Ok(())
}

/// Waits with `wait_until`, giving up at once when the apply is interrupted.
async fn guarded<T>(
    interrupt: Option<&Interrupt>,
    fut: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    let interrupted = async {
        match interrupt {
            Some(i) => i.wait().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        r = fut => r,
        _ = interrupted => Err(interrupted_error()),
    }
}

fn interrupted_error() -> ApiError {
    ApiError::new(ErrorKind::Other, "Interrupted", "the apply was interrupted")
}

/// Everything one rollout needs.
struct Run<'a> {
    clients: &'a AwsClients,
    /// The group's name.
    group: &'a str,
    /// With the cluster known.
    settings: &'a RollingSettings,
    cluster: &'a str,
    /// Old instances an earlier rollout left (from the group's mark).
    pending: Option<Vec<String>>,
    interrupt: Option<&'a Interrupt>,
}

fn list(ids: &[String]) -> String {
    ids.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Replaces the instances of `group` (its value once apply updated it) as its
/// `rolling_update` block says: `Ok(false)` when it has none.
pub(super) async fn roll_out(
    ctx: &RolloutContext<'_>,
    group: &Value,
    events: &mut dyn FnMut(RolloutEvent),
) -> Result<bool, RolloutFailure> {
    let addr = ctx.address;
    let not_started = |diagnostic| RolloutFailure {
        diagnostic,
        mark: None,
    };
    let settings = match RollingSettings::from_group(group) {
        Ok(Some(s)) => s,
        Ok(None) => return Ok(false),
        Err(e) => {
            let list: Vec<String> = e.into_iter().map(|e| e.message).collect();
            return Err(not_started(Diagnostic::error(
                format!("Invalid rolling_update block in {addr}"),
                list.join("\n"),
            )));
        }
    };
    let (Some(name), Some(cluster)) = (
        group
            .as_map()
            .and_then(|m| m.get("id"))
            .and_then(Value::as_str)
            .map(String::from),
        settings.ecs_cluster.clone(),
    ) else {
        return Err(not_started(Diagnostic::error(
            format!("Rolling replacement of {addr} not started"),
            "The group's name or its rolling_update ecs_cluster is not known after apply.",
        )));
    };
    let rollout = Run {
        clients: ctx.clients,
        group: &name,
        settings: &settings,
        cluster: &cluster,
        pending: pending_of(group).map(|(ids, _)| ids),
        interrupt: ctx.interrupt,
    };
    let f = match run(&rollout, events).await {
        Ok(()) => return Ok(true),
        Err(f) => f,
    };
    let marked = !f.remaining.is_empty();
    let mark = marked.then(|| mark(&f.remaining, &f.step, Some(&f.error.to_string())));
    let restored = if f.restored.is_empty() {
        String::new()
    } else {
        format!(" Put back: {}.", f.restored.join("; "))
    };
    let remaining = if marked {
        format!(
            " The old instances {} keep serving; the group is marked in state and the next apply continues the rollout.",
            f.remaining.join(", ")
        )
    } else {
        String::new()
    };
    Err(RolloutFailure {
        diagnostic: Diagnostic::error(
            format!("Rolling replacement of {addr} failed"),
            format!(
                "Stopped while {}: {}: {}.{restored}{remaining}",
                f.step, f.error.code, f.error.message
            ),
        )
        .hint("Fix the cause (for example instances that do not join the cluster, or tasks that cannot be placed elsewhere), then run apply again; -no-rolling skips the replacement."),
        mark,
    })
}

/// Runs the rollout; `events` receives progress and the marks to record.
async fn run(r: &Run<'_>, events: &mut dyn FnMut(RolloutEvent)) -> Result<(), Stopped> {
    let fail = |step: &str, error: ApiError, remaining: &[String]| Stopped {
        step: step.to_string(),
        error,
        restored: Vec::new(),
        remaining: remaining.to_vec(),
    };
    let g = describe_group(r.clients, r.group)
        .await
        .map_err(|e| fail("reading the group", e, &[]))?;
    let target = target_of(r.clients, &g)
        .await
        .map_err(|e| fail("reading the group's launch template", e, &[]))?;
    let instances = group_instances(r.clients, &g, &target)
        .await
        .map_err(|e| fail("reading the group's instances", e, &[]))?;
    let mut old = batch::old_instances(&instances, r.pending.as_deref());
    let original = Capacity {
        desired: g.desired_capacity().unwrap_or(0),
        max: g.max_size().unwrap_or(0),
    };
    if old.is_empty() {
        events(RolloutEvent::Progress(
            "no instance left on the old launch template".into(),
        ));
        events(RolloutEvent::Mark(None));
        return Ok(());
    }
    events(RolloutEvent::Mark(Some(mark(&old, "starting", None))));
    events(RolloutEvent::Progress(format!(
        "replacing {} ({}) in batches of {}, draining from cluster {}",
        plural(old.len(), "instance", "instances"),
        list(&old),
        r.settings.max_batch_size,
        r.cluster
    )));
    let batches = old
        .len()
        .div_ceil(batch::batch_size(r.settings.max_batch_size, old.len()));
    let mut number = 0;
    while !old.is_empty() {
        number += 1;
        if r.interrupt.is_some_and(|i| i.count() > 0) {
            return Err(fail("starting the next batch", interrupted_error(), &old));
        }
        let size = batch::batch_size(r.settings.max_batch_size, old.len());
        let batch: Vec<String> = old[..size].to_vec();
        let step = format!(
            "batch {number} of {batches}: launching {size} replacement{}",
            if size == 1 { "" } else { "s" }
        );
        let g = describe_group(r.clients, r.group)
            .await
            .map_err(|e| fail(&step, e, &old))?;
        let before: BTreeSet<String> = g
            .instances()
            .iter()
            .filter_map(|i| i.instance_id().map(String::from))
            .collect();
        let now = Capacity {
            desired: g.desired_capacity().unwrap_or(0),
            max: g.max_size().unwrap_or(0),
        };
        let raised = now.raised(size);
        set_capacity(r.clients, r.group, raised)
            .await
            .map_err(|e| fail(&step, e, &old))?;
        events(RolloutEvent::Progress(format!(
            "batch {number}/{batches}: desired capacity {} → {}{} to replace {}",
            now.desired,
            raised.desired,
            if raised.max != now.max {
                format!(" (max {} → {})", now.max, raised.max)
            } else {
                String::new()
            },
            list(&batch)
        )));

        // Wait for the replacements to serve.
        let wait_step = format!(
            "batch {number} of {batches}: waiting for the replacements of {} to be InService and ACTIVE in cluster {}",
            list(&batch),
            r.cluster
        );
        let waited = guarded(
            r.interrupt,
            wait_until(&wait_step, POLL, r.settings.instance_timeout, || async {
                let g = describe_group(r.clients, r.group).await?;
                let cis = container_instances(r.clients, r.cluster).await?;
                let new: Vec<&aws_sdk_autoscaling::types::Instance> = g
                    .instances()
                    .iter()
                    .filter(|i| i.instance_id().is_some_and(|id| !before.contains(id)))
                    .collect();
                let in_service: Vec<String> = new
                    .iter()
                    .filter(|i| i.lifecycle_state().map(|s| s.as_str()) == Some("InService"))
                    .filter_map(|i| i.instance_id().map(String::from))
                    .collect();
                let serving_new: Vec<String> = in_service
                    .iter()
                    .filter(|id| cis.get(*id).is_some_and(ContainerInstance::serving))
                    .cloned()
                    .collect();
                let serving_outside = g
                    .instances()
                    .iter()
                    .filter(|i| i.lifecycle_state().map(|s| s.as_str()) == Some("InService"))
                    .filter_map(|i| i.instance_id())
                    .filter(|id| !batch.iter().any(|b| b == id))
                    .filter(|id| cis.get(*id).is_some_and(ContainerInstance::serving))
                    .count();
                let ok = batch::may_drain(
                    serving_outside,
                    original.desired,
                    r.settings.min_healthy_percent,
                    in_service.len(),
                    size,
                ) && (r.settings.min_healthy_percent < 100 || serving_new.len() >= size);
                Ok(ok.then(|| {
                    let all_new: Vec<String> = new
                        .iter()
                        .filter_map(|i| i.instance_id().map(String::from))
                        .collect();
                    (all_new, serving_new, cis)
                }))
            }),
        )
        .await;
        let (new_ids, serving_new, cis) = match waited {
            Ok(v) => v,
            Err(e) => {
                let mut f = fail(&wait_step, e, &old);
                f.restored = restore_after_launch(r, &before).await;
                f.restored.extend(give_back_max(r, original.max).await);
                return Err(f);
            }
        };
        for id in &new_ids {
            let how = match cis.get(id) {
                Some(ci) if ci.serving() => format!(
                    "registered as container instance {} (ACTIVE, agent connected)",
                    short_arn(&ci.arn)
                ),
                _ => "InService".to_string(),
            };
            events(RolloutEvent::Progress(format!("{id} launched, {how}")));
        }
        let _ = serving_new;

        // Drain the batch.
        let drain_step = format!(
            "batch {number} of {batches}: draining {} in cluster {}",
            list(&batch),
            r.cluster
        );
        let draining: Vec<(String, ContainerInstance)> = batch
            .iter()
            .filter_map(|id| cis.get(id).map(|c| (id.clone(), c.clone())))
            .collect();
        let arns: Vec<String> = draining.iter().map(|(_, c)| c.arn.clone()).collect();
        if !arns.is_empty() {
            if let Err(e) = set_state(r.clients, r.cluster, &arns, "DRAINING").await {
                let mut f = fail(&drain_step, e, &old);
                f.restored = restore_after_drain(r, &arns).await;
                f.restored.extend(give_back_max(r, original.max).await);
                return Err(f);
            }
        }
        for id in &batch {
            match cis.get(id) {
                Some(c) => events(RolloutEvent::Progress(format!(
                    "{id}: draining container instance {} ({})",
                    short_arn(&c.arn),
                    plural(c.tasks.max(0) as usize, "task", "tasks")
                ))),
                None => events(RolloutEvent::Progress(format!(
                    "{id}: not registered in cluster {}, nothing to drain",
                    r.cluster
                ))),
            }
        }
        let drained = guarded(
            r.interrupt,
            wait_until(&drain_step, POLL, r.settings.drain_timeout, || async {
                let cis = container_instances(r.clients, r.cluster).await?;
                let busy_left: usize = batch
                    .iter()
                    .filter_map(|id| cis.get(id))
                    .map(|c| c.tasks.max(0) as usize)
                    .sum();
                if busy_left > 0 {
                    return Ok(None);
                }
                Ok(unsteady_services(r.clients, r.cluster)
                    .await?
                    .is_empty()
                    .then_some(()))
            }),
        )
        .await;
        if let Err(mut e) = drained {
            if e.kind == ErrorKind::Timeout {
                if let Ok(left) = unsteady_services(r.clients, r.cluster).await {
                    if !left.is_empty() {
                        e.message =
                            format!("{}; services not steady: {}", e.message, left.join(", "));
                    }
                }
            }
            let mut f = fail(&drain_step, e, &old);
            f.restored = restore_after_drain(r, &arns).await;
            f.restored.extend(give_back_max(r, original.max).await);
            return Err(f);
        }
        for (id, c) in &draining {
            events(RolloutEvent::Progress(format!(
                "{id} drained: {} moved",
                plural(c.tasks.max(0) as usize, "task", "tasks")
            )));
        }

        // Terminate the drained instances.
        let term_step = format!("batch {number} of {batches}: terminating {}", list(&batch));
        let protected: BTreeSet<String> = instances
            .iter()
            .filter(|i| i.protected_from_scale_in)
            .map(|i| i.id.clone())
            .chain(
                g.instances()
                    .iter()
                    .filter(|i| i.protected_from_scale_in() == Some(true))
                    .filter_map(|i| i.instance_id().map(String::from)),
            )
            .collect();
        if let Err(e) = terminate(r.clients, r.group, &batch, &protected).await {
            let mut f = fail(&term_step, e, &old);
            f.restored = restore_after_drain(r, &arns).await;
            f.restored.extend(give_back_max(r, original.max).await);
            return Err(f);
        }
        let left = guarded(
            r.interrupt,
            wait_until(&term_step, POLL, LEAVE_LIMIT, || async {
                let g = describe_group(r.clients, r.group).await?;
                let still = g.instances().iter().any(|i| {
                    i.instance_id()
                        .is_some_and(|id| batch.iter().any(|b| b == id))
                        && i.lifecycle_state().map(|s| s.as_str()) == Some("InService")
                });
                Ok((!still).then_some(()))
            }),
        )
        .await;
        old.drain(..size);
        if let Err(e) = left {
            return Err(fail(&term_step, e, &old));
        }
        events(RolloutEvent::Progress(format!(
            "batch {number}/{batches}: terminated {} (desired capacity back to {})",
            list(&batch),
            raised.desired - size as i32
        )));
        if old.is_empty() {
            break;
        }
        events(RolloutEvent::Mark(Some(mark(
            &old,
            &format!("batch {number} of {batches} done"),
            None,
        ))));
        if !r.settings.pause.is_zero() {
            events(RolloutEvent::Progress(format!(
                "pausing {}s before the next batch",
                r.settings.pause.as_secs()
            )));
            let paused = guarded(r.interrupt, async {
                tokio::time::sleep(r.settings.pause).await;
                Ok(())
            })
            .await;
            if let Err(e) = paused {
                return Err(fail("pausing between batches", e, &old));
            }
        }
    }
    give_back_max(r, original.max).await;
    events(RolloutEvent::Mark(None));
    events(RolloutEvent::Progress(format!(
        "all {} replaced",
        plural(
            batches_total(&instances, r.pending.as_deref()),
            "instance",
            "instances"
        )
    )));
    Ok(())
}

/// Gives back a maximum size raised for the replacements, as far as the desired capacity
/// allows; says what it did.
async fn give_back_max(r: &Run<'_>, original_max: i32) -> Option<String> {
    let g = describe_group(r.clients, r.group).await.ok()?;
    let desired = g.desired_capacity().unwrap_or(0);
    let max = g.max_size().unwrap_or(0);
    let back = original_max.max(desired);
    if max <= back {
        return None;
    }
    match set_capacity(r.clients, r.group, Capacity { desired, max: back }).await {
        Ok(()) => Some(format!("max size {max} → {back}")),
        Err(e) => Some(format!("could not set the max size back to {back}: {e}")),
    }
}

fn batches_total(instances: &[GroupInstance], pending: Option<&[String]>) -> usize {
    batch::old_instances(instances, pending).len()
}

fn short_arn(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// After the replacements did not come up: terminate those that joined the group (they serve
/// nothing; this also takes the desired capacity back down) and give back the maximum.
async fn restore_after_launch(r: &Run<'_>, before: &BTreeSet<String>) -> Vec<String> {
    let mut done = Vec::new();
    let Ok(g) = describe_group(r.clients, r.group).await else {
        return vec!["could not read the group to restore its capacity".into()];
    };
    let new: Vec<String> = g
        .instances()
        .iter()
        .filter_map(|i| i.instance_id())
        .filter(|id| !before.contains(*id))
        .map(String::from)
        .collect();
    let serving = container_instances(r.clients, r.cluster)
        .await
        .unwrap_or_default();
    let (keep, drop): (Vec<String>, Vec<String>) = new
        .into_iter()
        .partition(|id| serving.get(id).is_some_and(|c| c.serving() && c.tasks > 0));
    let protected: BTreeSet<String> = g
        .instances()
        .iter()
        .filter(|i| i.protected_from_scale_in() == Some(true))
        .filter_map(|i| i.instance_id().map(String::from))
        .collect();
    match terminate(r.clients, r.group, &drop, &protected).await {
        Ok(()) if !drop.is_empty() => done.push(format!(
            "terminated the replacement{} {} (desired capacity decremented)",
            if drop.len() == 1 { "" } else { "s" },
            list(&drop)
        )),
        Ok(()) => {}
        Err(e) => done.push(format!(
            "could not terminate the replacements {}: {e}",
            list(&drop)
        )),
    }
    if !keep.is_empty() {
        done.push(format!("kept {} (already running tasks)", list(&keep)));
    }
    done
}

/// After a batch did not drain: its container instances go back to ACTIVE, so that the old
/// instances keep serving. The replacements, which serve already, stay.
async fn restore_after_drain(r: &Run<'_>, arns: &[String]) -> Vec<String> {
    if arns.is_empty() {
        return Vec::new();
    }
    match set_state(r.clients, r.cluster, arns, "ACTIVE").await {
        Ok(()) => vec![format!(
            "set {} back to ACTIVE; the replacements launched for {} keep serving, so the desired capacity stays raised by {}",
            plural(arns.len(), "container instance", "container instances"),
            if arns.len() == 1 { "it" } else { "them" },
            arns.len()
        )],
        Err(e) => vec![format!("could not set the drained container instances back to ACTIVE: {e}")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::rollout::with_mark;

    #[test]
    fn marks_round_trip_through_the_plan_reader() {
        let group = Value::map([("id", Value::string("web"))]);
        let marked = with_mark(
            &group,
            Some(mark(
                &["i-1".to_string(), "i-2".to_string()],
                "batch 1 of 2 done",
                Some("boom"),
            )),
        );
        let (ids, step) = pending_of(&marked).unwrap();
        assert_eq!(ids, ["i-1", "i-2"]);
        assert_eq!(step, "batch 1 of 2 done");
        assert!(pending_of(&with_mark(&marked, None)).is_none());
    }
}
