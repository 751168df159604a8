//! `aws_ecs_capacity_provider`: an ECS capacity provider backed by an Auto Scaling group.
//!
//! The provider's syntax: `auto_scaling_group_provider { auto_scaling_group_arn, managed_draining,
//! managed_termination_protection, managed_scaling { status, target_capacity, .. } }`. Where the
//! provider has optional and computed attributes, ecsform has the defaults AWS applies when a
//! request leaves them out; an unset `managed_scaling` block keeps what AWS has. A change of
//! the group ARN or the name replaces the provider; managed scaling, draining, termination
//! protection and tags change in place. `managed_instances_provider` (ECS Managed Instances)
//! and `cluster` are not supported yet.

use std::time::Duration;

use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_ecs::types::{
    AutoScalingGroupProvider, AutoScalingGroupProviderUpdate, CapacityProvider,
    CapacityProviderField, CapacityProviderUpdateStatus, ManagedDraining, ManagedScaling,
    ManagedScalingStatus, ManagedTerminationProtection,
};

use super::{changed, read_created, retry_while, wait_gone};
use crate::aws::call::call;
use crate::aws::ecs_api::{
    build_error, find_live, from_ecs, live_arn, live_states, to_ecs, update_ecs_tags,
};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, wait_until, ApiError, ErrorKind, OrGone};
use crate::aws::object_ids::{created_id, state_id};
use crate::aws::paged::{all_pages, in_chunks};
use crate::aws::resource_type::States;
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    get_block, get_i32, get_str, nested_object, opt_str, state_object, string_map,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct EcsCapacityProviderType;

static DECLARATION: Declaration =
    Declaration::new("aws_ecs_capacity_provider", &SCHEMA, Adoption::NameAndTags);

/// The provider has these as optional and computed; ecsform gives them the values AWS applies
/// when a request leaves them out, so that a block that sets some of them compares equal to
/// what AWS reports.
static MANAGED_SCALING: &[AttrSchema] = attrs![
    optional Number: instance_warmup_period.default(Default::Number(300.0));
    optional Number: maximum_scaling_step_size.default(Default::Number(10000.0));
    optional Number: minimum_scaling_step_size.default(Default::Number(1.0));
    optional String: status.default(Default::Str("DISABLED"));
    optional Number: target_capacity.default(Default::Number(100.0));
];

static ASG_PROVIDER: &[AttrSchema] = attrs![
    required String: auto_scaling_group_arn.force_new();
    optional String: managed_draining.default(Default::Str("ENABLED"));
    optional String: managed_termination_protection.default(Default::Str("DISABLED"));
];

static SCHEMA: Schema = Schema {
    version: 2,
    attributes: attrs![
        computed String: id arn;
        required String: name.force_new();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::list("auto_scaling_group_provider", ASG_PROVIDER)
            .max_items(1)
            .blocks(&[
                // Unset, AWS's managed scaling is kept (and on create, AWS chooses it).
                BlockSchema::list("managed_scaling", MANAGED_SCALING)
                    .max_items(1)
                    .computed(),
            ]),
    ],
};

/// DescribeCapacityProviders takes at most 100 names or ARNs per call.
const DESCRIBE_CHUNK: usize = 100;
/// How long an update (managed scaling settings) may stay in progress.
const UPDATE_LIMIT: Duration = Duration::from_secs(10 * 60);
/// How long deletion waits for a cluster to let go of the provider.
const DELETE_LIMIT: Duration = Duration::from_secs(10 * 60);

fn provider_state(p: &CapacityProvider) -> Option<(String, Value)> {
    let arn = p.capacity_provider_arn()?.to_string();
    let asg_block = &SCHEMA.blocks[0];
    let asg: Vec<Value> = p
        .auto_scaling_group_provider()
        .map(|a| {
            let ms = a.managed_scaling();
            let num = |v: Option<i32>, d: i32| Value::number(v.unwrap_or(d));
            let scaling = nested_object(
                &asg_block.blocks[0],
                [
                    (
                        "instance_warmup_period",
                        num(ms.and_then(|m| m.instance_warmup_period()), 300),
                    ),
                    (
                        "maximum_scaling_step_size",
                        num(ms.and_then(|m| m.maximum_scaling_step_size()), 10000),
                    ),
                    (
                        "minimum_scaling_step_size",
                        num(ms.and_then(|m| m.minimum_scaling_step_size()), 1),
                    ),
                    (
                        "status",
                        Value::string(
                            ms.and_then(|m| m.status())
                                .map(|s| s.as_str())
                                .unwrap_or("DISABLED"),
                        ),
                    ),
                    (
                        "target_capacity",
                        num(ms.and_then(|m| m.target_capacity()), 100),
                    ),
                ],
            );
            nested_object(
                asg_block,
                [
                    (
                        "auto_scaling_group_arn",
                        Value::string(a.auto_scaling_group_arn()),
                    ),
                    (
                        "managed_draining",
                        Value::string(
                            a.managed_draining()
                                .map(|m| m.as_str())
                                .unwrap_or("ENABLED"),
                        ),
                    ),
                    (
                        "managed_termination_protection",
                        Value::string(
                            a.managed_termination_protection()
                                .map(|m| m.as_str())
                                .unwrap_or("DISABLED"),
                        ),
                    ),
                    ("managed_scaling", Value::List(vec![scaling])),
                ],
            )
        })
        .into_iter()
        .collect();
    let tags = string_map(&from_ecs(p.tags()));
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&arn)),
            ("arn", Value::string(&arn)),
            ("name", opt_str(p.name())),
            ("tags", tags.clone()),
            ("tags_all", tags),
            ("auto_scaling_group_provider", Value::List(asg)),
        ],
    );
    Some((arn, state))
}

/// The planned `auto_scaling_group_provider` block (the configuration must have one).
fn asg_block(planned: &Value) -> Result<&Value> {
    get_block(planned, "auto_scaling_group_provider").ok_or_else(|| {
        ApiError::new(
            ErrorKind::Invalid,
            "InvalidParameter",
            "aws_ecs_capacity_provider needs an auto_scaling_group_provider block",
        )
    })
}

/// The `managed_scaling` block of an `auto_scaling_group_provider` block, if the
/// configuration (or, unset, the prior state) has one known.
fn managed_scaling(b: &Value) -> Option<ManagedScaling> {
    let m = get_block(b, "managed_scaling")?;
    Some(
        ManagedScaling::builder()
            .status(ManagedScalingStatus::from(
                get_str(m, "status").unwrap_or("DISABLED"),
            ))
            .set_target_capacity(get_i32(m, "target_capacity"))
            .set_minimum_scaling_step_size(get_i32(m, "minimum_scaling_step_size"))
            .set_maximum_scaling_step_size(get_i32(m, "maximum_scaling_step_size"))
            .set_instance_warmup_period(get_i32(m, "instance_warmup_period"))
            .build(),
    )
}

fn termination_protection(b: &Value) -> ManagedTerminationProtection {
    ManagedTerminationProtection::from(
        get_str(b, "managed_termination_protection").unwrap_or("DISABLED"),
    )
}

fn draining(b: &Value) -> ManagedDraining {
    ManagedDraining::from(get_str(b, "managed_draining").unwrap_or("ENABLED"))
}

async fn describe(clients: &AwsClients, ids: &[String]) -> Result<Vec<CapacityProvider>> {
    // Providers that do not exist come back as `failures` (reason MISSING).
    in_chunks(ids, DESCRIBE_CHUNK, |chunk| {
        all_pages(
            move |token| {
                clients
                    .ecs
                    .describe_capacity_providers()
                    .set_capacity_providers(Some(chunk.clone()))
                    .include(CapacityProviderField::Tags)
                    .set_next_token(token)
                    .send()
            },
            |page| page.capacity_providers(),
            |page| page.next_token(),
        )
    })
    .await
}

#[async_trait]
impl ResourceType for EcsCapacityProviderType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// `DescribeCapacityProviders` by name, with tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        let found = describe(clients, &[name.to_string()]).await?;
        find_live(self, clients, owner, &found).await
    }

    fn import_id_format(&self) -> &'static str {
        "the capacity provider name (or its ARN)"
    }

    /// The AWS provider imports capacity providers by name; ecsform's id is the ARN.
    async fn import_id(&self, clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        if id.starts_with("arn:") {
            return Ok(id.to_string());
        }
        live_arn(&describe(clients, &[id.to_string()]).await?)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        live_states(ids, || describe(clients, ids), provider_state).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let tags = creation_tags(planned, ctx.extra_tags);
        let b = asg_block(planned)?;
        let provider = AutoScalingGroupProvider::builder()
            .auto_scaling_group_arn(get_str(b, "auto_scaling_group_arn").unwrap_or_default())
            .set_managed_scaling(managed_scaling(b))
            .managed_termination_protection(termination_protection(b))
            .managed_draining(draining(b))
            .build()
            .map_err(build_error)?;
        let out = call(|| {
            clients
                .ecs
                .create_capacity_provider()
                .name(get_str(planned, "name").unwrap_or_default())
                .auto_scaling_group_provider(provider.clone())
                .set_tags(to_ecs(&tags))
                .send()
        })
        .await?;
        let arn = out
            .capacity_provider()
            .and_then(|p| p.capacity_provider_arn());
        let arn = created_id(arn, "CreateCapacityProvider returned no ARN")?;
        read_created(self, clients, &arn).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?.to_string();
        if changed(prior, planned, "auto_scaling_group_provider") {
            let b = asg_block(planned)?;
            let update = AutoScalingGroupProviderUpdate::builder()
                .set_managed_scaling(managed_scaling(b))
                .managed_termination_protection(termination_protection(b))
                .managed_draining(draining(b))
                .build();
            call(|| {
                clients
                    .ecs
                    .update_capacity_provider()
                    .name(get_str(planned, "name").unwrap_or_default())
                    .auto_scaling_group_provider(update.clone())
                    .send()
            })
            .await?;
            wait_for_update(clients, &arn).await?;
        }
        if changed(prior, planned, "tags_all") {
            update_ecs_tags(clients, &arn, prior, planned).await?;
        }
        read_created(self, clients, &arn).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let Some(arn) = get_str(prior, "id") else {
            return Ok(());
        };
        // AWS answers a delete of an unknown provider with a generic ClientException (and
        // moto with a server error), so look first.
        if self
            .read_many(clients, &[arn.to_string()])
            .await?
            .is_empty()
        {
            return Ok(());
        }
        let deleted = retry_while(
            &format!("ECS capacity provider {arn} to be released by its clusters"),
            DELETE_LIMIT,
            ApiError::is_ecs_busy,
            || async {
                clients
                    .ecs
                    .delete_capacity_provider()
                    .capacity_provider(arn)
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await;
        if deleted.found()?.is_none() {
            return Ok(());
        }
        wait_gone(self, clients, "ECS capacity provider", arn, DELETE_LIMIT).await
    }
}

/// Waits until an update is no longer in progress, failing with AWS's reason if it failed.
async fn wait_for_update(clients: &AwsClients, arn: &str) -> Result<()> {
    let ids = [arn.to_string()];
    wait_until(
        &format!("ECS capacity provider {arn} to finish its update"),
        Duration::from_secs(5),
        UPDATE_LIMIT,
        || async {
            let found = describe(clients, &ids).await?;
            let Some(p) = found.first() else {
                return Ok(Some(()));
            };
            match p.update_status() {
                Some(CapacityProviderUpdateStatus::UpdateInProgress) => Ok(None),
                Some(CapacityProviderUpdateStatus::UpdateFailed) => Err(ApiError::new(
                    ErrorKind::Other,
                    "UpdateFailed",
                    format!(
                        "ECS capacity provider {arn} failed to update: {}",
                        p.update_status_reason().unwrap_or("AWS gave no reason")
                    ),
                )),
                _ => Ok(Some(())),
            }
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::config::Lifecycle;
    use crate::plan::diff::plan_instance;
    use crate::plan::Action;

    fn described(scaling: Option<ManagedScaling>) -> Value {
        let p = CapacityProvider::builder()
            .capacity_provider_arn("arn:aws:ecs:eu-west-1:1:capacity-provider/cp")
            .name("cp")
            .auto_scaling_group_provider(
                AutoScalingGroupProvider::builder()
                    .auto_scaling_group_arn("arn:asg")
                    .set_managed_scaling(scaling)
                    .build()
                    .unwrap(),
            )
            .build();
        provider_state(&p).unwrap().1
    }

    fn config(scaling: Option<Value>) -> Value {
        let mut asg = vec![("auto_scaling_group_arn", Value::string("arn:asg"))];
        if let Some(scaling) = scaling {
            asg.push(("managed_scaling", Value::List(vec![scaling])));
        }
        SCHEMA.conformed([
            ("name", Value::string("cp")),
            (
                "auto_scaling_group_provider",
                Value::List(vec![Value::map(asg)]),
            ),
        ])
    }

    fn plan(config: &Value, prior: &Value) -> Action {
        let configured = BTreeSet::from(["name".into(), "auto_scaling_group_provider".into()]);
        plan_instance(
            &SCHEMA,
            config,
            &configured,
            Some(prior),
            &Lifecycle::default(),
            &BTreeMap::new(),
        )
        .action
    }

    #[test]
    fn an_empty_managed_scaling_block_reads_as_aws_defaults() {
        let config = config(Some(Value::map::<&str>([])));
        assert_eq!(
            described(None).as_map().unwrap()["auto_scaling_group_provider"],
            config.as_map().unwrap()["auto_scaling_group_provider"]
        );
    }

    #[test]
    fn unset_managed_scaling_keeps_what_aws_has() {
        let enabled = ManagedScaling::builder()
            .status(ManagedScalingStatus::Enabled)
            .target_capacity(80)
            .build();
        let prior = described(Some(enabled));
        assert_eq!(plan(&config(None), &prior), Action::NoOp);
        let scaling = |target: i32| {
            Value::map([
                ("status", Value::string("ENABLED")),
                ("target_capacity", Value::number(target)),
            ])
        };
        assert_eq!(plan(&config(Some(scaling(80))), &prior), Action::NoOp);
        assert_eq!(plan(&config(Some(scaling(90))), &prior), Action::Update);
    }

    #[test]
    fn managed_scaling_is_sent_as_configured_and_left_out_when_unset() {
        let planned = config(Some(Value::map([("target_capacity", Value::number(90))])));
        let b = asg_block(&planned).unwrap();
        let sent = managed_scaling(b).unwrap();
        assert_eq!(sent.target_capacity(), Some(90));
        assert_eq!(sent.status(), Some(&ManagedScalingStatus::Disabled));
        assert_eq!(sent.instance_warmup_period(), Some(300));
        let planned = config(None);
        assert!(managed_scaling(asg_block(&planned).unwrap()).is_none());
    }

    #[test]
    fn two_managed_scaling_blocks_are_too_many() {
        let errors = SCHEMA
            .conform(&Value::map([
                ("name", Value::string("cp")),
                (
                    "auto_scaling_group_provider",
                    Value::List(vec![Value::map([
                        ("auto_scaling_group_arn", Value::string("arn:asg")),
                        (
                            "managed_scaling",
                            Value::List(vec![Value::map::<&str>([]), Value::map::<&str>([])]),
                        ),
                    ])]),
                ),
            ]))
            .unwrap_err();
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            ["auto_scaling_group_provider: Too many \"managed_scaling\" blocks: No more than 1 \"managed_scaling\" blocks are allowed"]
        );
    }
}
