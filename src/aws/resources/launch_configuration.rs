//! `aws_launch_configuration`: an Auto Scaling launch configuration.
//!
//! Launch configurations cannot be changed: every argument forces a new one, so `update` is
//! never called with a real change. A replacement under `create_before_destroy` needs a new
//! name while the old configuration still exists, which is what `name_prefix` (a generated
//! unique name) is for; the engine orders the calls. The id is the name.
//!
//! `user_data` is the plain text; AWS stores and returns it base64-encoded. The root volume
//! (`root_block_device`) is the block device mapping on the image's root device name, looked
//! up with one `DescribeImages` call per read.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::aws::adopt::find_by_arguments;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_autoscaling::types::{
    BlockDeviceMapping, Ebs, InstanceMonitoring, LaunchConfiguration,
};
use base64::Engine;

use super::{create_call, prefix_of_unique_name, read_created, retry_while};
use crate::aws::call::call;
use crate::aws::ec2::image_root_devices;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, ErrorKind};
use crate::aws::iam::name_or_prefix;
use crate::aws::paged::in_chunks;
use crate::aws::resource_type::States;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    block_object, get_blocks, get_bool, get_i32, get_str, get_strings, opt_bool, opt_number,
    opt_str, state_object, string_set,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct LaunchConfigurationType;

static DECLARATION: Declaration = Declaration::new(
    "aws_launch_configuration",
    &SCHEMA,
    Adoption::Name,
)
.generated_name("name", "name_prefix", "terraform-");

static ROOT_BLOCK_DEVICE: &[AttrSchema] = attrs![
    optional Bool: delete_on_termination.default(Default::Bool(true)) encrypted;
    optional Number: iops throughput volume_size;
    optional String: volume_type;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        optional_computed String: name.force_new() name_prefix.force_new();
        required String: image_id.force_new() instance_type.force_new();
        optional String: iam_instance_profile.force_new() key_name.force_new();
        optional StringSet: security_groups.force_new();
        optional String: user_data.force_new();
        optional Bool: associate_public_ip_address.force_new().default(Default::Bool(false));
        optional Bool: ebs_optimized.force_new().default(Default::Bool(false));
        optional Bool: enable_monitoring.force_new().default(Default::Bool(true));
    ],
    blocks: &[BlockSchema::list("root_block_device", ROOT_BLOCK_DEVICE)
        .max_items(1)
        .force_new()],
};

/// AWS caps `LaunchConfigurationNames` at 50 per request.
const NAMES_PER_REQUEST: usize = 50;

/// How long a new configuration waits for an instance profile IAM has not propagated yet.
const PROFILE_LIMIT: Duration = Duration::from_secs(2 * 60);

/// How long deletion waits for Auto Scaling groups being deleted to let go of it.
const IN_USE_LIMIT: Duration = Duration::from_secs(5 * 60);

/// Root device names to fall back on when the image is gone (deregistered).
const USUAL_ROOT_DEVICES: &[&str] = &["/dev/xvda", "/dev/sda1"];

fn config_state(lc: &LaunchConfiguration, root_device: Option<&str>) -> Option<(String, Value)> {
    let name = lc.launch_configuration_name()?.to_string();
    let user_data = lc.user_data().filter(|u| !u.is_empty()).map(|u| {
        base64::engine::general_purpose::STANDARD
            .decode(u)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_else(|| u.to_string())
    });
    let root = lc
        .block_device_mappings()
        .iter()
        .find(|m| match root_device {
            Some(r) => m.device_name() == Some(r),
            None => m
                .device_name()
                .is_some_and(|d| USUAL_ROOT_DEVICES.contains(&d)),
        });
    let sgs = lc.security_groups();
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&name)),
            ("arn", opt_str(lc.launch_configuration_arn())),
            ("name", Value::string(&name)),
            ("name_prefix", opt_str(prefix_of_unique_name(&name))),
            ("image_id", opt_str(lc.image_id())),
            ("instance_type", opt_str(lc.instance_type())),
            ("iam_instance_profile", opt_str(lc.iam_instance_profile())),
            ("key_name", opt_str(lc.key_name().filter(|k| !k.is_empty()))),
            (
                "security_groups",
                if sgs.is_empty() {
                    Value::Null
                } else {
                    string_set(sgs.iter().cloned())
                },
            ),
            ("user_data", opt_str(user_data)),
            (
                "associate_public_ip_address",
                Value::Bool(lc.associate_public_ip_address().unwrap_or(false)),
            ),
            (
                "ebs_optimized",
                Value::Bool(lc.ebs_optimized().unwrap_or(false)),
            ),
            (
                "enable_monitoring",
                Value::Bool(
                    lc.instance_monitoring()
                        .and_then(|m| m.enabled())
                        .unwrap_or(true),
                ),
            ),
            (
                "root_block_device",
                Value::List(
                    root.and_then(|m| m.ebs())
                        .map(root_block)
                        .into_iter()
                        .collect(),
                ),
            ),
        ],
    );
    Some((name, state))
}

fn root_block(ebs: &Ebs) -> Value {
    block_object(
        ROOT_BLOCK_DEVICE,
        [
            (
                "delete_on_termination",
                Value::Bool(ebs.delete_on_termination().unwrap_or(true)),
            ),
            ("encrypted", opt_bool(ebs.encrypted())),
            ("iops", opt_number(ebs.iops())),
            ("throughput", opt_number(ebs.throughput())),
            ("volume_size", opt_number(ebs.volume_size())),
            ("volume_type", opt_str(ebs.volume_type())),
        ],
    )
}

fn create_request(
    clients: &AwsClients,
    name: &str,
    planned: &Value,
    root_device: &str,
) -> aws_sdk_autoscaling::operation::create_launch_configuration::builders::CreateLaunchConfigurationFluentBuilder{
    let s = |n| get_str(planned, n).map(String::from);
    let sgs = get_strings(planned, "security_groups");
    let root = get_blocks(planned, "root_block_device").first().map(|r| {
        BlockDeviceMapping::builder()
            .device_name(root_device)
            .ebs(
                Ebs::builder()
                    .set_delete_on_termination(get_bool(r, "delete_on_termination"))
                    .set_encrypted(get_bool(r, "encrypted"))
                    .set_iops(get_i32(r, "iops"))
                    .set_throughput(get_i32(r, "throughput"))
                    .set_volume_size(get_i32(r, "volume_size"))
                    .set_volume_type(get_str(r, "volume_type").map(String::from))
                    .build(),
            )
            .build()
    });
    clients
        .autoscaling
        .create_launch_configuration()
        .launch_configuration_name(name)
        .set_image_id(s("image_id"))
        .set_instance_type(s("instance_type"))
        .set_iam_instance_profile(s("iam_instance_profile"))
        .set_key_name(s("key_name"))
        .set_security_groups((!sgs.is_empty()).then_some(sgs))
        .set_user_data(
            get_str(planned, "user_data")
                .map(|u| base64::engine::general_purpose::STANDARD.encode(u)),
        )
        .set_associate_public_ip_address(get_bool(planned, "associate_public_ip_address"))
        .set_ebs_optimized(get_bool(planned, "ebs_optimized"))
        .instance_monitoring(
            InstanceMonitoring::builder()
                .enabled(get_bool(planned, "enable_monitoring").unwrap_or(true))
                .build(),
        )
        .set_block_device_mappings(root.map(|r| vec![r]))
}

#[async_trait]
impl ResourceType for LaunchConfigurationType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// Launch configurations have no tags: one with the (pinned) name is taken as ours.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        find_by_arguments(self, clients, get_str(planned, "name").map(String::from)).await
    }

    fn import_id_format(&self) -> &'static str {
        "the launch configuration name"
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        // Names AWS does not know are simply left out of the answer.
        let found: Vec<LaunchConfiguration> = in_chunks(ids, NAMES_PER_REQUEST, |chunk| {
            call(move || {
                clients
                    .autoscaling
                    .describe_launch_configurations()
                    .set_launch_configuration_names(Some(chunk.clone()))
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
            })
        })
        .await?;
        let wanted_roots = found
            .iter()
            .filter(|lc| !lc.block_device_mappings().is_empty())
            .filter_map(|lc| lc.image_id().map(String::from))
            .collect();
        let roots = image_root_devices(clients, wanted_roots).await?;
        Ok(found
            .iter()
            .filter_map(|lc| {
                let root = lc.image_id().and_then(|i| roots.get(i)).map(String::as_str);
                config_state(lc, root)
            })
            .filter(|(id, _)| ids.contains(id))
            .collect())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let name = name_or_prefix(planned);
        let image = get_str(planned, "image_id").unwrap_or_default().to_string();
        let root_device = if get_blocks(planned, "root_block_device").is_empty() {
            String::new()
        } else {
            image_root_devices(ctx.clients, BTreeSet::from([image.clone()]))
                .await?
                .remove(&image)
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorKind::Invalid,
                        "InvalidAMIID.NotFound",
                        format!("image {image} not found: cannot tell its root device name"),
                    )
                })?
        };
        // An instance profile created a moment ago may not be visible to Auto Scaling yet.
        retry_while(
            &format!("launch configuration {name} to be created"),
            PROFILE_LIMIT,
            |e| e.is_validation_error() && e.message.contains("Invalid IamInstanceProfile"),
            || {
                create_call("launch configuration to be created", || async {
                    create_request(ctx.clients, &name, planned, &root_device)
                        .send()
                        .await
                        .map_err(from_sdk)
                })
            },
        )
        .await?;
        read_created(self, ctx.clients, &name).await
    }

    async fn update(
        &self,
        ctx: &CallContext<'_>,
        prior: &Value,
        _planned: &Value,
    ) -> Result<Value> {
        // Every argument forces replacement: nothing AWS holds can change in place.
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        read_created(self, ctx.clients, id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Some(name) = get_str(prior, "id") else {
            return Ok(());
        };
        let r = retry_while(
            &format!("launch configuration {name} to be deleted (still in use)"),
            IN_USE_LIMIT,
            ApiError::is_resource_in_use,
            || async {
                ctx.clients
                    .autoscaling
                    .delete_launch_configuration()
                    .launch_configuration_name(name)
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await;
        match r {
            Err(e) if e.is_not_found_or_unknown_name() => Ok(()),
            r => r.map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;

    #[test]
    fn user_data_is_sent_base64_and_read_back_plain() {
        let planned = SCHEMA.conformed([
            ("image_id", Value::string("ami-1")),
            ("instance_type", Value::string("t3.micro")),
            ("user_data", Value::string("#!/bin/sh\necho hi\n")),
            (
                "root_block_device",
                Value::List(vec![Value::map([("volume_size", Value::number(30))])]),
            ),
        ]);
        let req = create_request(&offline_clients(), "lc-1", &planned, "/dev/xvda");
        let input = req.as_input();
        let sent = input.get_user_data().clone().unwrap();
        assert_eq!(sent, "IyEvYmluL3NoCmVjaG8gaGkK");
        let mapping = &input.get_block_device_mappings().as_ref().unwrap()[0];
        assert_eq!(mapping.device_name(), Some("/dev/xvda"));
        assert_eq!(mapping.ebs().and_then(|e| e.volume_size()), Some(30));
        assert_eq!(
            input
                .get_instance_monitoring()
                .as_ref()
                .and_then(|m| m.enabled()),
            Some(true)
        );

        let lc = LaunchConfiguration::builder()
            .launch_configuration_name("lc-1")
            .image_id("ami-1")
            .instance_type("t3.micro")
            .user_data(sent)
            .block_device_mappings(mapping.clone())
            .build();
        let (_, state) = config_state(&lc, Some("/dev/xvda")).unwrap();
        let m = state.as_map().unwrap();
        assert_eq!(m["user_data"], Value::string("#!/bin/sh\necho hi\n"));
        let root = &m["root_block_device"].as_list().unwrap()[0];
        assert_eq!(root.as_map().unwrap()["volume_size"], Value::number(30));
        assert_eq!(m["enable_monitoring"], Value::Bool(true));
    }

    #[test]
    fn every_argument_forces_replacement() {
        for a in SCHEMA.attributes.iter().filter(|a| a.settable()) {
            assert!(
                a.force_new,
                "{} should force a new launch configuration",
                a.name
            );
        }
        assert!(SCHEMA.blocks.iter().all(|b| b.force_new));
    }
}
