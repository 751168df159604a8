//! `aws_ecs_task_definition`: one revision of an ECS task definition family.
//!
//! A revision cannot change: every argument that shapes it forces a new one (replace: register
//! the new revision, deregister the old unless `skip_destroy`). Only `tags` change in place
//! (TagResource on the revision's ARN), and `skip_destroy` is ecsform's own switch.
//! `container_definitions` is compared in its canonical form (see
//! [`super::ecs_container_definitions`]).
//!
//! The id is the revision's ARN (`arn:aws:ecs:..:task-definition/web:3`), not the family as
//! in the AWS provider: reads must name the exact revision, and `read_many` only gets ids.
//! There is no batch Describe for task definitions, so `read_many` calls
//! DescribeTaskDefinition once per id. An `INACTIVE` (deregistered) revision counts as gone.

use std::collections::BTreeMap;

use crate::aws::adopt::read_judged;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_ecs::types::{
    Compatibility, CpuArchitecture, HostVolumeProperties, IpcMode, NetworkMode, OsFamily, PidMode,
    RuntimePlatform, TaskDefinition, TaskDefinitionField, TaskDefinitionPlacementConstraint,
    TaskDefinitionPlacementConstraintType, TaskDefinitionStatus, Volume,
};

use super::ecs_container_definitions::{canonical, from_sdk, to_sdk};
use super::{changed, read_created, split_import_id, with_attrs};
use crate::aws::ecs_api::{ecs_tag_map, from_ecs, to_ecs, update_ecs_tags, PLACEMENT_CONSTRAINT};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk as api_error, retry, ApiError, RetryPolicy};
use crate::aws::object_ids::state_id;
use crate::aws::resource_type::States;
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    block_object, get_blocks, get_bool, get_str, get_strings, opt_str, state_object, string_map,
    string_set,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct EcsTaskDefinitionType;

static DECLARATION: Declaration =
    Declaration::new("aws_ecs_task_definition", &SCHEMA, Adoption::Tags);

pub(crate) static VOLUME: &[AttrSchema] = attrs![
    required String: name;
    optional String: host_path;
];

pub(crate) static RUNTIME_PLATFORM: &[AttrSchema] = attrs![
    optional String: operating_system_family cpu_architecture;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn arn_without_revision;
        computed Number: revision;
        required String: family.force_new() container_definitions.force_new();
        optional String: task_role_arn.force_new() execution_role_arn.force_new();
        // ECS chooses `bridge` on EC2 when it is not set.
        optional_computed String: network_mode.force_new();
        optional String: cpu.force_new() memory.force_new();
        optional StringSet: requires_compatibilities.force_new();
        optional String: pid_mode.force_new() ipc_mode.force_new();
        optional Bool: skip_destroy.default(Default::Bool(false)).local();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::set("volume", VOLUME).force_new(),
        BlockSchema::set("placement_constraints", PLACEMENT_CONSTRAINT)
            .max_items(10)
            .force_new(),
        BlockSchema::list("runtime_platform", RUNTIME_PLATFORM)
            .max_items(1)
            .force_new(),
    ],
};

/// `arn:aws:ecs:r:a:task-definition/web:3` → `arn:aws:ecs:r:a:task-definition/web`.
fn without_revision(arn: &str) -> &str {
    match arn.rsplit_once(':') {
        Some((base, rev)) if rev.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => arn,
    }
}

pub(crate) fn definition_state(
    td: &TaskDefinition,
    tags: &[aws_sdk_ecs::types::Tag],
) -> Option<Value> {
    let arn = td.task_definition_arn()?.to_string();
    let network_mode = td.network_mode().map(|m| m.as_str());
    let containers = from_sdk(td.container_definitions()).to_string();
    let containers = canonical(&containers, network_mode).unwrap_or(containers);
    let volumes: Vec<Value> = td
        .volumes()
        .iter()
        .map(|v| {
            Value::map([
                ("name", opt_str(v.name())),
                ("host_path", opt_str(v.host().and_then(|h| h.source_path()))),
            ])
        })
        .collect();
    let constraints: Vec<Value> = td
        .placement_constraints()
        .iter()
        .map(|c| {
            Value::map([
                ("type", opt_str(c.r#type().map(|t| t.as_str()))),
                ("expression", opt_str(c.expression())),
            ])
        })
        .collect();
    let platform = td.runtime_platform().map(runtime_platform_state);
    let compat = td.requires_compatibilities();
    let tags = string_map(&from_ecs(tags));
    Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(&arn)),
            ("arn", Value::string(&arn)),
            (
                "arn_without_revision",
                Value::string(without_revision(&arn)),
            ),
            ("revision", Value::number(td.revision())),
            ("family", opt_str(td.family())),
            ("container_definitions", Value::String(containers)),
            ("task_role_arn", opt_str(td.task_role_arn())),
            ("execution_role_arn", opt_str(td.execution_role_arn())),
            ("network_mode", opt_str(network_mode)),
            ("cpu", opt_str(td.cpu())),
            ("memory", opt_str(td.memory())),
            (
                "requires_compatibilities",
                if compat.is_empty() {
                    Value::Null
                } else {
                    string_set(compat.iter().map(|c| c.as_str()))
                },
            ),
            ("pid_mode", opt_str(td.pid_mode().map(|m| m.as_str()))),
            ("ipc_mode", opt_str(td.ipc_mode().map(|m| m.as_str()))),
            ("skip_destroy", Value::Bool(false)),
            ("tags", tags.clone()),
            ("tags_all", tags),
            ("volume", Value::set(volumes)),
            ("placement_constraints", Value::set(constraints)),
            (
                "runtime_platform",
                Value::List(platform.into_iter().collect()),
            ),
        ],
    ))
}

fn runtime_platform_state(p: &RuntimePlatform) -> Value {
    block_object(
        RUNTIME_PLATFORM,
        [
            (
                "operating_system_family",
                opt_str(p.operating_system_family().map(|f| f.as_str())),
            ),
            (
                "cpu_architecture",
                opt_str(p.cpu_architecture().map(|a| a.as_str())),
            ),
        ],
    )
}

/// The `runtime_platform` block of `planned`, if any.
fn runtime_platform(planned: &Value) -> Option<RuntimePlatform> {
    get_blocks(planned, "runtime_platform").first().map(|p| {
        RuntimePlatform::builder()
            .set_operating_system_family(get_str(p, "operating_system_family").map(OsFamily::from))
            .set_cpu_architecture(get_str(p, "cpu_architecture").map(CpuArchitecture::from))
            .build()
    })
}

/// True for the errors AWS gives when a revision does not exist (a ClientException, not a
/// NotFound code).
fn missing(e: &ApiError) -> bool {
    e.is_not_found()
        || e.is_ecs_client_exception()
            && (e.message.contains("Unable to describe task definition")
                || e.message.contains("does not exist"))
}

pub(crate) async fn describe(
    clients: &AwsClients,
    arn: &str,
) -> Result<Option<(TaskDefinition, Vec<aws_sdk_ecs::types::Tag>)>> {
    let out = retry(RetryPolicy::default(), || async {
        clients
            .ecs
            .describe_task_definition()
            .task_definition(arn)
            .include(TaskDefinitionField::Tags)
            .send()
            .await
            .map_err(api_error)
    })
    .await;
    match out {
        Ok(out) => Ok(out
            .task_definition()
            .cloned()
            .map(|td| (td, out.tags().to_vec()))),
        Err(e) if missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn volumes(planned: &Value) -> Vec<Volume> {
    get_blocks(planned, "volume")
        .iter()
        .map(|v| {
            Volume::builder()
                .set_name(get_str(v, "name").map(String::from))
                .set_host(
                    get_str(v, "host_path")
                        .map(|p| HostVolumeProperties::builder().source_path(p).build()),
                )
                .build()
        })
        .collect()
}

fn placement_constraints(planned: &Value) -> Vec<TaskDefinitionPlacementConstraint> {
    get_blocks(planned, "placement_constraints")
        .iter()
        .map(|c| {
            TaskDefinitionPlacementConstraint::builder()
                .set_type(get_str(c, "type").map(TaskDefinitionPlacementConstraintType::from))
                .set_expression(get_str(c, "expression").map(String::from))
                .build()
        })
        .collect()
}

#[async_trait]
impl ResourceType for EcsTaskDefinitionType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// Every registration is a new revision, so the family's active revisions are listed
    /// newest first and the newest one tagged as this instance's is taken (an older one can
    /// only be a revision kept by `skip_destroy`).
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(family) = get_str(planned, "family") else {
            return Ok(Vec::new());
        };
        let arns: Vec<String> = retry(RetryPolicy::default(), || async {
            clients
                .ecs
                .list_task_definitions()
                .family_prefix(family)
                .status(TaskDefinitionStatus::Active)
                .sort(aws_sdk_ecs::types::SortOrder::Desc)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(api_error)
        })
        .await?;
        let of_family = arns.into_iter().filter(|arn| {
            arn.rsplit_once('/')
                .and_then(|(_, fr)| fr.rsplit_once(':'))
                .is_some_and(|(f, _)| f == family)
        });
        for arn in of_family {
            let Some((_, tags)) = describe(clients, &arn).await? else {
                continue;
            };
            let tags = ecs_tag_map(&tags);
            if matches!(owner.judge(&arn, &tags, Value::Null), Candidate::Ours(_)) {
                return read_judged(self, clients, owner, vec![(arn, tags)]).await;
            }
        }
        Ok(Vec::new())
    }

    fn import_id_format(&self) -> &'static str {
        "the task definition revision's ARN (or `FAMILY:REVISION`)"
    }

    /// ecsform's id is the revision's ARN, as the AWS provider's import ID; `family:revision`
    /// is looked up.
    async fn import_id(&self, clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        if id.starts_with("arn:") {
            return Ok(id.to_string());
        }
        split_import_id(id, ':', "the task definition ARN or FAMILY:REVISION")?;
        describe(clients, id)
            .await?
            .and_then(|(td, _)| td.task_definition_arn().map(String::from))
            .ok_or(ImportIdError::NotFound)
    }

    /// `container_definitions` in canonical form, when it is known and JSON.
    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        let network_mode = m
            .get("network_mode")
            .and_then(|v| v.unmarked().as_str())
            .map(String::from);
        if let Some(v) = m.get_mut("container_definitions") {
            let sensitive = matches!(v, Value::Sensitive(_));
            if let Some(c) = v
                .unmarked()
                .as_str()
                .and_then(|text| canonical(text, network_mode.as_deref()))
            {
                *v = Value::String(c).mark_sensitive(sensitive);
            }
        }
        Value::Map(m)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut out = BTreeMap::new();
        for id in ids {
            let Some((td, tags)) = describe(clients, id).await? else {
                continue;
            };
            if td.status() == Some(&TaskDefinitionStatus::Inactive) {
                continue;
            }
            if let Some(state) = definition_state(&td, &tags) {
                out.insert(id.clone(), state);
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let tags = creation_tags(planned, ctx.extra_tags);
        let containers = to_sdk(get_str(planned, "container_definitions").unwrap_or("[]"))?;
        let s = |name| get_str(planned, name).map(String::from);
        let compat: Vec<Compatibility> = get_strings(planned, "requires_compatibilities")
            .iter()
            .map(|c| Compatibility::from(c.as_str()))
            .collect();
        let volumes = volumes(planned);
        let constraints = placement_constraints(planned);
        // Not retried on transient errors: a second registration would be a second revision.
        let out = clients
            .ecs
            .register_task_definition()
            .family(get_str(planned, "family").unwrap_or_default())
            .set_container_definitions(Some(containers))
            .set_task_role_arn(s("task_role_arn"))
            .set_execution_role_arn(s("execution_role_arn"))
            .set_network_mode(get_str(planned, "network_mode").map(NetworkMode::from))
            .set_cpu(s("cpu"))
            .set_memory(s("memory"))
            .set_requires_compatibilities((!compat.is_empty()).then_some(compat))
            .set_pid_mode(get_str(planned, "pid_mode").map(PidMode::from))
            .set_ipc_mode(get_str(planned, "ipc_mode").map(IpcMode::from))
            .set_volumes((!volumes.is_empty()).then_some(volumes))
            .set_placement_constraints((!constraints.is_empty()).then_some(constraints))
            .set_runtime_platform(runtime_platform(planned))
            .set_tags(to_ecs(&tags))
            .send()
            .await
            .map_err(api_error)?;
        let arn = out
            .task_definition()
            .and_then(|td| td.task_definition_arn())
            .ok_or_else(|| ApiError::malformed("RegisterTaskDefinition returned no ARN"))?;
        // Read back rather than taken from the response, whose tags some emulators leave out.
        let state = read_created(self, clients, arn).await?;
        Ok(with_attrs(
            state,
            [("skip_destroy", super::attr(planned, "skip_destroy"))],
        ))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let arn = state_id(prior, self.type_name())?.to_string();
        if changed(prior, planned, "tags_all") {
            update_ecs_tags(ctx.clients, &arn, prior, planned).await?;
        }
        let state = read_created(self, ctx.clients, &arn).await?;
        Ok(with_attrs(
            state,
            [("skip_destroy", super::attr(planned, "skip_destroy"))],
        ))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Some(arn) = get_str(prior, "id") else {
            return Ok(());
        };
        if get_bool(prior, "skip_destroy") == Some(true) {
            return Ok(());
        }
        let r = retry(RetryPolicy::default(), || async {
            ctx.clients
                .ecs
                .deregister_task_definition()
                .task_definition(arn)
                .send()
                .await
                .map_err(api_error)
        })
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if missing(&e) => Ok(()),
            // Deregistering a revision that is already INACTIVE.
            Err(e) if e.is_ecs_client_exception() && e.message.contains("INACTIVE") => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(containers: &str) -> Value {
        Value::map([
            ("family", Value::string("web")),
            ("container_definitions", Value::string(containers)),
            ("network_mode", Value::string("awsvpc")),
        ])
    }

    fn normalized(containers: &str) -> Value {
        EcsTaskDefinitionType.normalize(SCHEMA.conform(&config(containers)).unwrap())
    }

    #[test]
    fn normalize_uses_the_network_mode_for_host_ports() {
        let v = normalized(
            r#"[{"name":"web","image":"nginx","memory":128,"portMappings":[{"containerPort":80}]}]"#,
        );
        let c = v.as_map().unwrap()["container_definitions"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(c.contains(r#""hostPort":80"#), "{c}");
    }

    #[test]
    fn normalize_passes_unknowns_through() {
        let mut v = SCHEMA.conform(&config("[]")).unwrap();
        if let Value::Map(m) = &mut v {
            m.insert("container_definitions".into(), Value::Unknown);
        }
        let n = EcsTaskDefinitionType.normalize(v);
        assert_eq!(n.as_map().unwrap()["container_definitions"], Value::Unknown);
    }

    #[test]
    fn arns_lose_their_revision() {
        assert_eq!(
            without_revision("arn:aws:ecs:eu-west-1:1:task-definition/web:3"),
            "arn:aws:ecs:eu-west-1:1:task-definition/web"
        );
    }

    #[test]
    fn runtime_platform_round_trips() {
        let planned = Value::map([(
            "runtime_platform",
            Value::List(vec![block_object(
                RUNTIME_PLATFORM,
                [
                    ("operating_system_family", Value::string("LINUX")),
                    ("cpu_architecture", Value::string("ARM64")),
                ],
            )]),
        )]);
        let sent = runtime_platform(&planned).unwrap();
        assert_eq!(sent.operating_system_family(), Some(&OsFamily::Linux));
        assert_eq!(sent.cpu_architecture(), Some(&CpuArchitecture::Arm64));
        assert_eq!(
            Value::List(vec![runtime_platform_state(&sent)]),
            planned.as_map().unwrap()["runtime_platform"]
        );
        assert!(
            runtime_platform(&Value::map([("runtime_platform", Value::List(vec![]))])).is_none()
        );
    }
}
