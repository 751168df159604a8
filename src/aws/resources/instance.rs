//! `aws_instance`: one EC2 instance (a bastion host, an ECS host outside an Auto Scaling
//! group). The id is the instance id (`i-…`), which is also the import ID.
//!
//! What ecsform implements is what a bastion or ECS-host configuration sets: the image, type,
//! network placement (subnet, security groups, private IP, public IP), key pair, instance
//! profile, user data, the API protections, monitoring, metadata options, the root volume and
//! tags; the rest of the provider's schema (extra EBS and ephemeral devices, network interface
//! blocks, launch templates, CPU, credit, placement-group, capacity and market options…) is
//! refused as not supported yet. As in the provider, the image, zone, subnet, private IP, key
//! pair, tenancy, public-IP switch, EBS optimisation and the root volume's encryption force a
//! new instance; a new instance type or user data stops the instance, changes it and starts it
//! again, unless `user_data_replace_on_change` is set, which makes a user-data change replace
//! it. Security groups (`ModifyInstanceAttribute`), the instance profile
//! (`Associate`/`Replace`/`DisassociateIamInstanceProfile`), the API protections and
//! `source_dest_check`, monitoring (`Monitor`/`UnmonitorInstances`), metadata options
//! (`ModifyInstanceMetadataOptions`), the root volume's size, type, IOPS and throughput
//! (`ModifyVolume`) and its `delete_on_termination` change in place.
//!
//! `user_data` is the plain text, sent base64-encoded as the API wants, and read back decoded,
//! as `aws_launch_configuration` does. The AWS provider stores the text's SHA-1 in state
//! instead; ecsform keeps the text, so that the plan shows what changes. User data that is not
//! UTF-8 reads back in `user_data_base64`, as does any when the state recorded that form.
//!
//! Create is `RunInstances` with a client token (a repeated request starts no second
//! instance), the instance's tags (ecsform's own included, for adoption) and `volume_tags` as
//! TagSpecifications; it is repeated while IAM has not propagated a new instance profile to
//! EC2 yet, then waits for the instance to be running. Delete lifts termination protection if
//! the state has it, as the provider does, terminates and waits until the instance is
//! terminated. Explicit limits: 10 minutes to run, stop or start, 20 to terminate.
//!
//! Refresh reads all instances with one paginated `DescribeInstances` (terminated instances
//! count as gone) and their root volumes with one `DescribeVolumes`. Four settings exist only
//! in `DescribeInstanceAttribute`, which reads one attribute of one instance at a time:
//! `user_data`, `disable_api_termination`, `disable_api_stop` and
//! `instance_initiated_shutdown_behavior` — four calls per instance, made concurrently, the
//! floor AWS allows (the provider makes the same calls).
//!
//! moto 5.2.5 gaps: `MonitorInstances`/`UnmonitorInstances` are not implemented (monitoring
//! is set at launch there; the in-place change is covered by a unit test of the requests);
//! `ModifyInstanceAttribute` wants user data encoded twice (AWS and the SDK: once, by the SDK),
//! so a user-data change in place is covered by a unit test too; `RunInstances` ignores
//! `DisableApiTermination` and the client token; instances are running at once and stop and
//! start at once.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::operation::run_instances::builders::RunInstancesFluentBuilder;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, AttributeValue, BlockDeviceMapping, EbsBlockDevice,
    EbsInstanceBlockDeviceSpecification, HttpTokensState, IamInstanceProfileSpecification,
    Instance, InstanceAttributeName, InstanceBlockDeviceMappingSpecification,
    InstanceMetadataEndpointState, InstanceMetadataOptionsRequest, InstanceMetadataProtocolState,
    InstanceMetadataTagsState, InstanceStateName, InstanceType as Ec2InstanceType, Placement,
    ResourceType as Ec2ResourceType, RunInstancesMonitoringEnabled, SecureBlobAttributeValue,
    ShutdownBehavior, Tenancy, Volume, VolumeType,
};
use aws_smithy_types::Blob;
use base64::Engine;
use futures_util::future::try_join_all;

use super::{attr, changed, read_created, recorded_id, retry_while, with_attrs};
use crate::aws::call::call;
use crate::aws::ec2::{filter, image_root_devices, Ec2Objects, Ec2Reads};
use crate::aws::error::{wait_until, ApiError, ErrorKind, OrGone, Result};
use crate::aws::resource_type::{id_prefix, States};
use crate::aws::resources::{account_id, ec2_arn};
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, to_ec2, update_ec2_tags};
use crate::aws::{Adoption, AwsClients, CallContext, Declaration, IdPrefix, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    block_object, get_block, get_bool, get_i32, get_str, get_string_map, get_strings, opt_bool,
    opt_number, opt_str, state_object, string_map, string_set,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct InstanceType;

static DECLARATION: Declaration = Declaration::new("aws_instance", &SCHEMA, Adoption::Tags);

/// The root volume: size, type, IOPS and throughput change in place (`ModifyVolume`), as
/// does `delete_on_termination`; encryption replaces the instance.
static ROOT_BLOCK_DEVICE: &[AttrSchema] = attrs![
    optional Bool: delete_on_termination.default(Default::Bool(true));
    computed String: device_name volume_id;
    optional_computed Bool: encrypted.force_new();
    optional_computed String: kms_key_id.force_new() volume_type;
    optional_computed Number: iops throughput volume_size;
];

/// Sent whole whenever the block is set, so that what AWS stores reads back the same.
static METADATA_OPTIONS: &[AttrSchema] = attrs![
    optional String: http_endpoint.default(Default::Str("enabled"));
    optional String: http_protocol_ipv6.default(Default::Str("disabled"));
    optional_computed Number: http_put_response_hop_limit;
    optional_computed String: http_tokens instance_metadata_tags;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn instance_state outpost_arn primary_network_interface_id;
        computed String: private_dns public_dns public_ip;
        required String: ami.force_new() instance_type;
        optional_computed String: availability_zone.force_new() key_name.force_new();
        optional_computed String: private_ip.force_new() subnet_id.force_new() tenancy.force_new();
        optional_computed String: iam_instance_profile instance_initiated_shutdown_behavior;
        optional_computed Bool: associate_public_ip_address.force_new() ebs_optimized.force_new();
        optional_computed Bool: disable_api_stop disable_api_termination monitoring;
        optional Bool: source_dest_check.default(Default::Bool(true));
        optional_computed StringSet: vpc_security_group_ids;
        optional String: user_data.force_new_if("user_data_replace_on_change");
        optional_computed String: user_data_base64.force_new_if("user_data_replace_on_change");
        optional Bool: user_data_replace_on_change.local().default(Default::Bool(false));
        optional StringMap: tags volume_tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::list("metadata_options", METADATA_OPTIONS)
            .max_items(1)
            .computed(),
        BlockSchema::list("root_block_device", ROOT_BLOCK_DEVICE)
            .max_items(1)
            .computed(),
    ],
};

/// How long an instance may take to reach `running` or `stopped`.
const STATE_LIMIT: Duration = Duration::from_secs(10 * 60);

/// How long termination may take.
const TERMINATE_LIMIT: Duration = Duration::from_secs(20 * 60);

/// How long a launch or association waits for IAM to propagate a new instance profile.
const PROFILE_LIMIT: Duration = Duration::from_secs(2 * 60);

/// What `DescribeInstanceAttribute` alone reads, one attribute of one instance per call.
#[derive(Debug, PartialEq, Default)]
struct Attributes {
    user_data: Option<String>,
    disable_api_termination: Option<bool>,
    disable_api_stop: Option<bool>,
    shutdown_behavior: Option<String>,
}

/// The profile name in an instance profile ARN (`arn:aws:iam::1:instance-profile/path/name`).
fn profile_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// User data as the state holds it: the text, or (not UTF-8) null and the base64 form.
fn user_data_forms(base64_data: Option<&str>) -> (Value, Value) {
    let Some(encoded) = base64_data.filter(|u| !u.is_empty()) else {
        return (Value::Null, Value::Null);
    };
    match base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    {
        Some(text) => (Value::string(text), Value::Null),
        None => (Value::Null, Value::string(encoded)),
    }
}

/// The user data to send, base64-encoded: `user_data` encoded, or `user_data_base64` as is.
fn user_data_to_send(planned: &Value) -> Option<String> {
    match get_str(planned, "user_data") {
        Some(text) => Some(base64::engine::general_purpose::STANDARD.encode(text)),
        None => get_str(planned, "user_data_base64").map(String::from),
    }
}

/// The state's user data in the form `form` (a planned or recorded value) uses: with
/// `user_data_base64` set there, the base64 form.
fn in_form_of(state: Value, form: &Value) -> Value {
    if get_str(form, "user_data_base64").is_none() {
        return state;
    }
    let text =
        get_str(&state, "user_data").map(|t| base64::engine::general_purpose::STANDARD.encode(t));
    match text {
        Some(encoded) => with_attrs(
            state,
            [
                ("user_data", Value::Null),
                ("user_data_base64", Value::string(encoded)),
            ],
        ),
        None => state,
    }
}

fn root_block(instance: &Instance, volumes: &BTreeMap<String, Volume>) -> Value {
    let Some(root) = instance.root_device_name() else {
        return Value::List(Vec::new());
    };
    let Some(mapping) = instance
        .block_device_mappings()
        .iter()
        .find(|m| m.device_name() == Some(root))
    else {
        return Value::List(Vec::new());
    };
    let ebs = mapping.ebs();
    let volume_id = ebs.and_then(|e| e.volume_id());
    let volume = volume_id.and_then(|v| volumes.get(v));
    Value::List(vec![block_object(
        ROOT_BLOCK_DEVICE,
        [
            (
                "delete_on_termination",
                Value::Bool(ebs.and_then(|e| e.delete_on_termination()).unwrap_or(true)),
            ),
            ("device_name", Value::string(root)),
            ("volume_id", opt_str(volume_id)),
            ("encrypted", opt_bool(volume.and_then(|v| v.encrypted()))),
            ("kms_key_id", opt_str(volume.and_then(|v| v.kms_key_id()))),
            (
                "volume_type",
                opt_str(volume.and_then(|v| v.volume_type()).map(|t| t.as_str())),
            ),
            ("iops", opt_number(volume.and_then(|v| v.iops()))),
            (
                "throughput",
                opt_number(volume.and_then(|v| v.throughput())),
            ),
            ("volume_size", opt_number(volume.and_then(|v| v.size()))),
        ],
    )])
}

fn metadata_block(instance: &Instance) -> Value {
    let Some(m) = instance.metadata_options() else {
        return Value::List(Vec::new());
    };
    Value::List(vec![block_object(
        METADATA_OPTIONS,
        [
            (
                "http_endpoint",
                opt_str(m.http_endpoint().map(|e| e.as_str())),
            ),
            (
                "http_protocol_ipv6",
                opt_str(m.http_protocol_ipv6().map(|e| e.as_str())),
            ),
            (
                "http_put_response_hop_limit",
                opt_number(m.http_put_response_hop_limit()),
            ),
            ("http_tokens", opt_str(m.http_tokens().map(|e| e.as_str()))),
            (
                "instance_metadata_tags",
                opt_str(m.instance_metadata_tags().map(|e| e.as_str())),
            ),
        ],
    )])
}

/// The tags of the root volume as `volume_tags` shows them (ecsform's own left out; null for
/// none).
fn volume_tags(instance: &Instance, volumes: &BTreeMap<String, Volume>) -> Value {
    let root = instance.root_device_name();
    let tags = instance
        .block_device_mappings()
        .iter()
        .find(|m| m.device_name() == root)
        .and_then(|m| m.ebs()?.volume_id())
        .and_then(|v| volumes.get(v))
        .map(|v| from_ec2(v.tags()))
        .unwrap_or_default();
    if tags.is_empty() {
        Value::Null
    } else {
        string_map(&tags)
    }
}

fn instance_state(
    i: &Instance,
    account: &str,
    region: &str,
    attributes: &Attributes,
    volumes: &BTreeMap<String, Volume>,
) -> Option<(String, Value)> {
    let id = i.instance_id()?.to_string();
    let non_empty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(String::from);
    let placement = i.placement();
    let primary = i
        .network_interfaces()
        .iter()
        .find(|n| n.attachment().and_then(|a| a.device_index()) == Some(0));
    let groups: Vec<String> = i
        .security_groups()
        .iter()
        .filter_map(|g| g.group_id().map(String::from))
        .collect();
    let tags = string_map(&from_ec2(i.tags()));
    let (user_data, user_data_base64) = user_data_forms(attributes.user_data.as_deref());
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&id)),
            (
                "arn",
                Value::string(ec2_arn(region, account, "instance", &id)),
            ),
            (
                "instance_state",
                opt_str(i.state().and_then(|s| s.name()).map(|n| n.as_str())),
            ),
            ("outpost_arn", opt_str(non_empty(i.outpost_arn()))),
            (
                "primary_network_interface_id",
                opt_str(primary.and_then(|n| n.network_interface_id())),
            ),
            ("private_dns", opt_str(i.private_dns_name())),
            ("public_dns", opt_str(i.public_dns_name())),
            ("public_ip", opt_str(non_empty(i.public_ip_address()))),
            ("ami", opt_str(i.image_id())),
            (
                "instance_type",
                opt_str(i.instance_type().map(|t| t.as_str())),
            ),
            (
                "availability_zone",
                opt_str(placement.and_then(|p| p.availability_zone())),
            ),
            ("key_name", opt_str(non_empty(i.key_name()))),
            ("private_ip", opt_str(non_empty(i.private_ip_address()))),
            ("subnet_id", opt_str(non_empty(i.subnet_id()))),
            (
                "tenancy",
                opt_str(placement.and_then(|p| p.tenancy()).map(|t| t.as_str())),
            ),
            (
                "iam_instance_profile",
                opt_str(
                    i.iam_instance_profile()
                        .and_then(|p| p.arn())
                        .map(profile_name),
                ),
            ),
            (
                "instance_initiated_shutdown_behavior",
                opt_str(attributes.shutdown_behavior.clone()),
            ),
            (
                "associate_public_ip_address",
                Value::Bool(non_empty(i.public_ip_address()).is_some()),
            ),
            (
                "ebs_optimized",
                Value::Bool(i.ebs_optimized().unwrap_or(false)),
            ),
            (
                "disable_api_stop",
                Value::Bool(attributes.disable_api_stop.unwrap_or(false)),
            ),
            (
                "disable_api_termination",
                Value::Bool(attributes.disable_api_termination.unwrap_or(false)),
            ),
            (
                "monitoring",
                Value::Bool(
                    i.monitoring()
                        .and_then(|m| m.state())
                        .is_some_and(|s| matches!(s.as_str(), "enabled" | "pending")),
                ),
            ),
            (
                "source_dest_check",
                Value::Bool(i.source_dest_check().unwrap_or(true)),
            ),
            ("vpc_security_group_ids", string_set(groups)),
            ("user_data", user_data),
            ("user_data_base64", user_data_base64),
            ("user_data_replace_on_change", Value::Bool(false)),
            ("tags", tags.clone()),
            ("tags_all", tags),
            ("volume_tags", volume_tags(i, volumes)),
            ("metadata_options", metadata_block(i)),
            ("root_block_device", root_block(i, volumes)),
        ],
    );
    Some((id, state))
}

/// The four attributes `DescribeInstanceAttribute` alone reads, for one instance.
async fn read_attributes(clients: &AwsClients, id: &str) -> Result<Attributes> {
    let ask = |name: InstanceAttributeName| {
        call(move || {
            clients
                .ec2
                .describe_instance_attribute()
                .instance_id(id)
                .attribute(name.clone())
                .send()
        })
    };
    let (user_data, termination, stop, shutdown) = tokio::try_join!(
        ask(InstanceAttributeName::UserData),
        ask(InstanceAttributeName::DisableApiTermination),
        ask(InstanceAttributeName::DisableApiStop),
        ask(InstanceAttributeName::InstanceInitiatedShutdownBehavior),
    )?;
    Ok(Attributes {
        user_data: user_data
            .user_data()
            .and_then(|u| u.value())
            .map(String::from),
        disable_api_termination: termination
            .disable_api_termination()
            .and_then(|b| b.value()),
        disable_api_stop: stop.disable_api_stop().and_then(|b| b.value()),
        shutdown_behavior: shutdown
            .instance_initiated_shutdown_behavior()
            .and_then(|b| b.value())
            .map(String::from),
    })
}

/// The volumes `ids` names, by id, in one paginated `DescribeVolumes` (a filter, which does
/// not fail for a volume deleted meanwhile).
async fn describe_volumes(
    clients: &AwsClients,
    ids: BTreeSet<String>,
) -> Result<BTreeMap<String, Volume>> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let ids: Vec<String> = ids.into_iter().collect();
    let mut out = BTreeMap::new();
    for chunk in ids.chunks(super::DESCRIBE_CHUNK) {
        let found: Vec<Volume> = call(|| {
            clients
                .ec2
                .describe_volumes()
                .filters(filter("volume-id", chunk.to_vec()))
                .into_paginator()
                .items()
                .send()
                .try_collect()
        })
        .await?;
        out.extend(
            found
                .into_iter()
                .filter_map(|v| Some((v.volume_id()?.to_string(), v))),
        );
    }
    Ok(out)
}

fn is_gone(i: &Instance) -> bool {
    matches!(
        i.state().and_then(|s| s.name()),
        Some(InstanceStateName::Terminated)
    )
}

fn ebs_root_request(r: &Value) -> EbsBlockDevice {
    EbsBlockDevice::builder()
        .set_delete_on_termination(get_bool(r, "delete_on_termination"))
        .set_encrypted(get_bool(r, "encrypted"))
        .set_kms_key_id(get_str(r, "kms_key_id").map(String::from))
        .set_iops(get_i32(r, "iops"))
        .set_throughput(get_i32(r, "throughput"))
        .set_volume_size(get_i32(r, "volume_size"))
        .set_volume_type(get_str(r, "volume_type").map(VolumeType::from))
        .build()
}

fn metadata_request(m: &Value) -> InstanceMetadataOptionsRequest {
    InstanceMetadataOptionsRequest::builder()
        .set_http_endpoint(get_str(m, "http_endpoint").map(InstanceMetadataEndpointState::from))
        .set_http_protocol_ipv6(
            get_str(m, "http_protocol_ipv6").map(InstanceMetadataProtocolState::from),
        )
        .set_http_put_response_hop_limit(get_i32(m, "http_put_response_hop_limit"))
        .set_http_tokens(get_str(m, "http_tokens").map(HttpTokensState::from))
        .set_instance_metadata_tags(
            get_str(m, "instance_metadata_tags").map(InstanceMetadataTagsState::from),
        )
        .build()
}

/// The `RunInstances` request for `planned`: one instance, `token` as the client token,
/// `root_device` the image's root device name (when a root volume is configured).
fn run_request(
    clients: &AwsClients,
    planned: &Value,
    tags: &BTreeMap<String, String>,
    token: &str,
    root_device: Option<&str>,
) -> RunInstancesFluentBuilder {
    let s = |n| get_str(planned, n).map(String::from);
    let groups = get_strings(planned, "vpc_security_group_ids");
    let mut specs = vec![tag_spec(Ec2ResourceType::Instance, tags)];
    let volume_tags = get_string_map(planned, "volume_tags");
    if !volume_tags.is_empty() {
        specs.push(tag_spec(Ec2ResourceType::Volume, &volume_tags));
    }
    let root = get_block(planned, "root_block_device")
        .zip(root_device)
        .map(|(r, device)| {
            BlockDeviceMapping::builder()
                .device_name(device)
                .ebs(ebs_root_request(r))
                .build()
        });
    let placement = (s("availability_zone").is_some() || s("tenancy").is_some()).then(|| {
        Placement::builder()
            .set_availability_zone(s("availability_zone"))
            .set_tenancy(s("tenancy").map(|t| Tenancy::from(t.as_str())))
            .build()
    });
    let mut request = clients
        .ec2
        .run_instances()
        .min_count(1)
        .max_count(1)
        .client_token(token)
        .set_image_id(s("ami"))
        .set_instance_type(s("instance_type").map(|t| Ec2InstanceType::from(t.as_str())))
        .set_key_name(s("key_name"))
        .set_placement(placement)
        .set_private_ip_address(s("private_ip"))
        .set_iam_instance_profile(
            s("iam_instance_profile")
                .map(|p| IamInstanceProfileSpecification::builder().name(p).build()),
        )
        .set_user_data(user_data_to_send(planned))
        .set_disable_api_termination(get_bool(planned, "disable_api_termination"))
        .set_disable_api_stop(get_bool(planned, "disable_api_stop"))
        .set_instance_initiated_shutdown_behavior(
            s("instance_initiated_shutdown_behavior").map(|b| ShutdownBehavior::from(b.as_str())),
        )
        .set_ebs_optimized(get_bool(planned, "ebs_optimized"))
        .set_monitoring(
            get_bool(planned, "monitoring")
                .map(|m| RunInstancesMonitoringEnabled::builder().enabled(m).build()),
        )
        .set_metadata_options(get_block(planned, "metadata_options").map(metadata_request))
        .set_block_device_mappings(root.map(|r| vec![r]))
        .set_tag_specifications(Some(specs));
    // A public IP is asked for on the primary interface, which then carries the subnet and
    // groups, as the provider sends it.
    match get_bool(planned, "associate_public_ip_address") {
        Some(public) => {
            request = request.network_interfaces(
                aws_sdk_ec2::types::InstanceNetworkInterfaceSpecification::builder()
                    .device_index(0)
                    .associate_public_ip_address(public)
                    .set_subnet_id(s("subnet_id"))
                    .set_private_ip_address(s("private_ip"))
                    .set_groups((!groups.is_empty()).then_some(groups))
                    .build(),
            );
            request = request.set_private_ip_address(None);
        }
        None => {
            request = request
                .set_subnet_id(s("subnet_id"))
                .set_security_group_ids((!groups.is_empty()).then_some(groups));
        }
    }
    request
}

/// Waits until instance `id` is in state `want` (read with `DescribeInstances`).
async fn wait_for_state(clients: &AwsClients, id: &str, want: InstanceStateName) -> Result<()> {
    let limit = if want == InstanceStateName::Terminated {
        TERMINATE_LIMIT
    } else {
        STATE_LIMIT
    };
    wait_until(
        &format!("instance {id} to be {}", want.as_str()),
        Duration::from_secs(5),
        limit,
        || async {
            let found = call(|| {
                clients
                    .ec2
                    .describe_instances()
                    .filters(filter("instance-id", vec![id.to_string()]))
                    .send()
            })
            .await?;
            let state = found
                .reservations()
                .iter()
                .flat_map(|r| r.instances())
                .find(|i| i.instance_id() == Some(id))
                .and_then(|i| i.state()?.name().cloned());
            Ok(match state {
                None if want == InstanceStateName::Terminated => Some(()),
                Some(s) if s == want => Some(()),
                Some(InstanceStateName::Terminated) => {
                    return Err(ApiError::new(
                        ErrorKind::Other,
                        "InstanceTerminated",
                        format!(
                            "instance {id} terminated while waiting for it to be {}",
                            want.as_str()
                        ),
                    ))
                }
                _ => None,
            })
        },
    )
    .await
}

fn bool_value(b: bool) -> AttributeBooleanValue {
    AttributeBooleanValue::builder().value(b).build()
}

/// Sends one `ModifyInstanceAttribute` that `set` fills in.
async fn modify_attribute(
    clients: &AwsClients,
    id: &str,
    set: impl Fn(
        aws_sdk_ec2::operation::modify_instance_attribute::builders::ModifyInstanceAttributeFluentBuilder,
    ) -> aws_sdk_ec2::operation::modify_instance_attribute::builders::ModifyInstanceAttributeFluentBuilder,
) -> Result<()> {
    call(|| set(clients.ec2.modify_instance_attribute().instance_id(id)).send()).await?;
    Ok(())
}

/// Brings the instance profile association from `prior` to `planned`.
async fn set_instance_profile(clients: &AwsClients, id: &str, planned: Option<&str>) -> Result<()> {
    let current = call(|| {
        clients
            .ec2
            .describe_iam_instance_profile_associations()
            .filters(filter("instance-id", vec![id.to_string()]))
            .filters(filter(
                "state",
                vec!["associated".into(), "associating".into()],
            ))
            .send()
    })
    .await?;
    let association = current
        .iam_instance_profile_associations()
        .first()
        .and_then(|a| a.association_id())
        .map(String::from);
    let spec = |name: &str| {
        IamInstanceProfileSpecification::builder()
            .name(name)
            .build()
    };
    match (planned, association) {
        (Some(name), Some(association)) => {
            retry_while(
                &format!("instance profile {name} to reach EC2"),
                PROFILE_LIMIT,
                ApiError::is_instance_profile_not_propagated,
                || {
                    call(|| {
                        clients
                            .ec2
                            .replace_iam_instance_profile_association()
                            .association_id(&association)
                            .iam_instance_profile(spec(name))
                            .send()
                    })
                },
            )
            .await?;
        }
        (Some(name), None) => {
            retry_while(
                &format!("instance profile {name} to reach EC2"),
                PROFILE_LIMIT,
                ApiError::is_instance_profile_not_propagated,
                || {
                    call(|| {
                        clients
                            .ec2
                            .associate_iam_instance_profile()
                            .instance_id(id)
                            .iam_instance_profile(spec(name))
                            .send()
                    })
                },
            )
            .await?;
        }
        (None, Some(association)) => {
            call(|| {
                clients
                    .ec2
                    .disassociate_iam_instance_profile()
                    .association_id(&association)
                    .send()
            })
            .await
            .ok_if_gone()?;
        }
        (None, None) => {}
    }
    Ok(())
}

/// The user data for `ModifyInstanceAttribute`: the bytes themselves, which the SDK encodes
/// (unlike `RunInstances`' string, which the caller encodes).
fn user_data_attribute(planned: &Value) -> SecureBlobAttributeValue {
    let bytes = user_data_to_send(planned)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .unwrap_or_default();
    SecureBlobAttributeValue::builder()
        .value(Blob::new(bytes))
        .build()
}

/// Changes what needs the instance stopped (type, user data): stop, modify, start.
async fn modify_stopped(
    clients: &AwsClients,
    id: &str,
    prior: &Value,
    planned: &Value,
) -> Result<()> {
    let new_type = changed(prior, planned, "instance_type")
        .then(|| get_str(planned, "instance_type"))
        .flatten();
    let new_user_data =
        changed(prior, planned, "user_data") || changed(prior, planned, "user_data_base64");
    if new_type.is_none() && !new_user_data {
        return Ok(());
    }
    call(|| clients.ec2.stop_instances().instance_ids(id).send()).await?;
    wait_for_state(clients, id, InstanceStateName::Stopped).await?;
    if let Some(t) = new_type {
        modify_attribute(clients, id, |r| {
            r.instance_type(AttributeValue::builder().value(t).build())
        })
        .await?;
    }
    if new_user_data {
        let value = user_data_attribute(planned);
        modify_attribute(clients, id, |r| r.user_data(value.clone())).await?;
    }
    call(|| clients.ec2.start_instances().instance_ids(id).send()).await?;
    wait_for_state(clients, id, InstanceStateName::Running).await
}

/// The root volume changes AWS makes in place.
async fn modify_root_volume(
    clients: &AwsClients,
    id: &str,
    prior: &Value,
    planned: &Value,
) -> Result<()> {
    let (Some(old), Some(new)) = (
        get_block(prior, "root_block_device"),
        get_block(planned, "root_block_device"),
    ) else {
        return Ok(());
    };
    if changed(old, new, "delete_on_termination") {
        let device = get_str(old, "device_name").unwrap_or_default();
        let keep = get_bool(new, "delete_on_termination").unwrap_or(true);
        modify_attribute(clients, id, |r| {
            r.block_device_mappings(
                InstanceBlockDeviceMappingSpecification::builder()
                    .device_name(device)
                    .ebs(
                        EbsInstanceBlockDeviceSpecification::builder()
                            .delete_on_termination(keep)
                            .build(),
                    )
                    .build(),
            )
        })
        .await?;
    }
    let volume_changes = ["volume_size", "volume_type", "iops", "throughput"]
        .iter()
        .any(|k| changed(old, new, k));
    if let (true, Some(volume)) = (volume_changes, get_str(old, "volume_id")) {
        let set = |k: &str| changed(old, new, k);
        call(|| {
            clients
                .ec2
                .modify_volume()
                .volume_id(volume)
                .set_size(get_i32(new, "volume_size").filter(|_| set("volume_size")))
                .set_volume_type(
                    get_str(new, "volume_type")
                        .filter(|_| set("volume_type"))
                        .map(VolumeType::from),
                )
                .set_iops(get_i32(new, "iops").filter(|_| set("iops")))
                .set_throughput(get_i32(new, "throughput").filter(|_| set("throughput")))
                .send()
        })
        .await?;
    }
    Ok(())
}

/// The in-place changes that need no stop, from `prior` to `planned`.
async fn modify_running(
    clients: &AwsClients,
    id: &str,
    prior: &Value,
    planned: &Value,
) -> Result<()> {
    if changed(prior, planned, "iam_instance_profile") {
        set_instance_profile(clients, id, get_str(planned, "iam_instance_profile")).await?;
    }
    if changed(prior, planned, "source_dest_check") {
        let check = get_bool(planned, "source_dest_check").unwrap_or(true);
        modify_attribute(clients, id, |r| r.source_dest_check(bool_value(check))).await?;
    }
    if changed(prior, planned, "vpc_security_group_ids") {
        let groups = get_strings(planned, "vpc_security_group_ids");
        modify_attribute(clients, id, |r| r.set_groups(Some(groups.clone()))).await?;
    }
    for name in ["disable_api_termination", "disable_api_stop"] {
        if let (true, Some(b)) = (changed(prior, planned, name), get_bool(planned, name)) {
            modify_attribute(clients, id, |r| match name {
                "disable_api_stop" => r.disable_api_stop(bool_value(b)),
                _ => r.disable_api_termination(bool_value(b)),
            })
            .await?;
        }
    }
    let shutdown = "instance_initiated_shutdown_behavior";
    if let (true, Some(b)) = (
        changed(prior, planned, shutdown),
        get_str(planned, shutdown),
    ) {
        // The Attribute/Value form of the call, which moto serves too.
        modify_attribute(clients, id, |r| {
            r.attribute(InstanceAttributeName::InstanceInitiatedShutdownBehavior)
                .value(b)
        })
        .await?;
    }
    if let (true, Some(on)) = (
        changed(prior, planned, "monitoring"),
        get_bool(planned, "monitoring"),
    ) {
        set_monitoring(clients, id, on).await?;
    }
    if changed(prior, planned, "metadata_options") {
        if let Some(m) = get_block(planned, "metadata_options") {
            let r = metadata_request(m);
            call(|| {
                clients
                    .ec2
                    .modify_instance_metadata_options()
                    .instance_id(id)
                    .set_http_endpoint(r.http_endpoint().cloned())
                    .set_http_protocol_ipv6(r.http_protocol_ipv6().cloned())
                    .set_http_put_response_hop_limit(r.http_put_response_hop_limit())
                    .set_http_tokens(r.http_tokens().cloned())
                    .set_instance_metadata_tags(r.instance_metadata_tags().cloned())
                    .send()
            })
            .await?;
        }
    }
    modify_root_volume(clients, id, prior, planned).await
}

/// A monitoring change: `MonitorInstances` or `UnmonitorInstances`.
enum MonitoringRequest {
    On(aws_sdk_ec2::operation::monitor_instances::builders::MonitorInstancesFluentBuilder),
    Off(aws_sdk_ec2::operation::unmonitor_instances::builders::UnmonitorInstancesFluentBuilder),
}

fn monitoring_request(clients: &AwsClients, id: &str, on: bool) -> MonitoringRequest {
    if on {
        MonitoringRequest::On(clients.ec2.monitor_instances().instance_ids(id))
    } else {
        MonitoringRequest::Off(clients.ec2.unmonitor_instances().instance_ids(id))
    }
}

async fn set_monitoring(clients: &AwsClients, id: &str, on: bool) -> Result<()> {
    match monitoring_request(clients, id, on) {
        MonitoringRequest::On(r) => {
            call(|| r.clone().send()).await?;
        }
        MonitoringRequest::Off(r) => {
            call(|| r.clone().send()).await?;
        }
    }
    Ok(())
}

/// Brings the tags of the instance's root volume from `prior`'s `volume_tags` to `planned`'s.
async fn update_volume_tags(clients: &AwsClients, prior: &Value, planned: &Value) -> Result<()> {
    let Some(volume) = get_block(prior, "root_block_device").and_then(|r| get_str(r, "volume_id"))
    else {
        return Ok(());
    };
    let old = get_string_map(prior, "volume_tags");
    let new = get_string_map(planned, "volume_tags");
    let gone: Vec<_> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .map(|k| aws_sdk_ec2::types::Tag::builder().key(k).build())
        .collect();
    if !gone.is_empty() {
        call(|| {
            clients
                .ec2
                .delete_tags()
                .resources(volume)
                .set_tags(Some(gone.clone()))
                .send()
        })
        .await?;
    }
    let set: BTreeMap<String, String> = new
        .into_iter()
        .filter(|(k, v)| old.get(k) != Some(v))
        .collect();
    if !set.is_empty() {
        call(|| {
            clients
                .ec2
                .create_tags()
                .resources(volume)
                .set_tags(Some(to_ec2(&set)))
                .send()
        })
        .await?;
    }
    Ok(())
}

impl InstanceType {
    /// The state of `id` after a create or update: as read, with user data in the planned
    /// form and `user_data_replace_on_change` as planned (AWS does not store it).
    async fn settled(&self, clients: &AwsClients, id: &str, planned: &Value) -> Result<Value> {
        let read = read_created(self, clients, id).await?;
        let read = in_form_of(read, planned);
        Ok(with_attrs(
            read,
            [(
                "user_data_replace_on_change",
                attr(planned, "user_data_replace_on_change"),
            )],
        ))
    }
}

#[async_trait]
impl ResourceType for InstanceType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// Only `find_created` (by tags) comes from here; reads are `read_many`'s own.
    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static OBJECTS: Ec2Objects<Instance> = Ec2Objects { state: None };
        Some(&OBJECTS)
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(an "instance id", "i-"))
    }

    fn refreshed(&self, read: Value, recorded: &Value) -> Value {
        let read = in_form_of(read, recorded);
        // As the provider, volume tags are shown only where the configuration manages them.
        if attr(recorded, "volume_tags").is_null() {
            with_attrs(read, [("volume_tags", Value::Null)])
        } else {
            read
        }
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let instances: Vec<Instance> = crate::aws::ec2::describe_ec2::<Instance>(clients, ids)
            .await?
            .into_iter()
            .filter(|i| {
                !is_gone(i)
                    && i.instance_id()
                        .is_some_and(|id| ids.iter().any(|w| w == id))
            })
            .collect();
        if instances.is_empty() {
            return Ok(BTreeMap::new());
        }
        let volume_ids = instances
            .iter()
            .flat_map(|i| i.block_device_mappings())
            .filter_map(|m| m.ebs()?.volume_id().map(String::from))
            .collect();
        let (volumes, attributes) = tokio::try_join!(
            describe_volumes(clients, volume_ids),
            try_join_all(
                instances
                    .iter()
                    .map(|i| read_attributes(clients, i.instance_id().unwrap_or_default()))
            ),
        )?;
        // The owner of an instance's interfaces is its account; STS only where none says.
        let owner = instances
            .iter()
            .flat_map(|i| i.network_interfaces())
            .find_map(|n| n.owner_id().map(String::from));
        let account = match owner {
            Some(a) => a,
            None => account_id(clients).await?,
        };
        Ok(instances
            .iter()
            .zip(&attributes)
            .filter_map(|(i, a)| instance_state(i, &account, &clients.region, a, &volumes))
            .collect())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let tags = creation_tags(planned, ctx.extra_tags);
        let image = get_str(planned, "ami").unwrap_or_default().to_string();
        let root_device = match get_block(planned, "root_block_device") {
            None => None,
            Some(_) => Some(
                image_root_devices(ctx.clients, BTreeSet::from([image.clone()]))
                    .await?
                    .remove(&image)
                    .ok_or_else(|| {
                        ApiError::new(
                            ErrorKind::Invalid,
                            "InvalidAMIID.NotFound",
                            format!("image {image} not found: cannot tell its root device name"),
                        )
                    })?,
            ),
        };
        // One token for every attempt: AWS starts one instance however often it is sent.
        let token = uuid::Uuid::new_v4().to_string();
        let launched = retry_while(
            &format!("{} to be launched", ctx.address),
            PROFILE_LIMIT,
            ApiError::is_instance_profile_not_propagated,
            || {
                call(|| {
                    run_request(ctx.clients, planned, &tags, &token, root_device.as_deref()).send()
                })
            },
        )
        .await?;
        let id = launched
            .instances()
            .first()
            .and_then(|i| i.instance_id())
            .ok_or_else(|| ApiError::malformed("RunInstances returned no instance"))?
            .to_string();
        wait_for_state(ctx.clients, &id, InstanceStateName::Running).await?;
        // RunInstances has no setting for it; the provider sets it right after launch.
        if get_bool(planned, "source_dest_check") == Some(false) {
            modify_attribute(ctx.clients, &id, |r| r.source_dest_check(bool_value(false))).await?;
        }
        self.settled(ctx.clients, &id, planned).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = recorded_id(self, prior)?;
        if changed(prior, planned, "tags_all") {
            update_ec2_tags(ctx.clients, &id, prior, planned).await?;
        }
        if changed(prior, planned, "volume_tags") {
            update_volume_tags(ctx.clients, prior, planned).await?;
        }
        modify_running(ctx.clients, &id, prior, planned).await?;
        modify_stopped(ctx.clients, &id, prior, planned).await?;
        self.settled(ctx.clients, &id, planned).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Some(id) = get_str(prior, "id") else {
            return Ok(());
        };
        if get_bool(prior, "disable_api_termination") == Some(true) {
            let lifted = modify_attribute(ctx.clients, id, |r| {
                r.disable_api_termination(bool_value(false))
            })
            .await;
            if lifted.found()?.is_none() {
                return Ok(());
            }
        }
        let terminated = call(|| {
            ctx.clients
                .ec2
                .terminate_instances()
                .instance_ids(id)
                .send()
        })
        .await
        .found()?;
        if terminated.is_none() {
            return Ok(());
        }
        wait_for_state(ctx.clients, id, InstanceStateName::Terminated).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;

    /// A planned instance: an image and type, and `pairs`.
    fn planned(pairs: Vec<(&str, Value)>) -> Value {
        let mut all = vec![
            ("ami", Value::string("ami-1")),
            ("instance_type", Value::string("t3.micro")),
        ];
        all.extend(pairs);
        SCHEMA.conformed(all)
    }

    #[test]
    fn run_request_carries_the_token_tags_user_data_and_root_volume() {
        let p = planned(vec![
            ("ami", Value::string("ami-1")),
            ("instance_type", Value::string("t3.micro")),
            ("subnet_id", Value::string("subnet-1")),
            (
                "vpc_security_group_ids",
                Value::set(vec![Value::string("sg-1")]),
            ),
            ("user_data", Value::string("#!/bin/sh\necho hi\n")),
            ("monitoring", Value::Bool(true)),
            (
                "volume_tags",
                Value::map([("Backup", Value::string("daily"))]),
            ),
            (
                "root_block_device",
                Value::List(vec![Value::map([
                    ("volume_size", Value::number(30)),
                    ("volume_type", Value::string("gp3")),
                ])]),
            ),
            (
                "metadata_options",
                Value::List(vec![Value::map([(
                    "http_tokens",
                    Value::string("required"),
                )])]),
            ),
        ]);
        let tags = BTreeMap::from([("ecsform:address".to_string(), "aws_instance.b".to_string())]);
        let r = run_request(&offline_clients(), &p, &tags, "tok-1", Some("/dev/xvda"));
        let input = r.as_input();
        assert_eq!(input.get_client_token().as_deref(), Some("tok-1"));
        assert_eq!(
            input.get_user_data().as_deref(),
            Some("IyEvYmluL3NoCmVjaG8gaGkK")
        );
        assert_eq!(input.get_subnet_id().as_deref(), Some("subnet-1"));
        assert_eq!(input.get_security_group_ids().as_ref().unwrap(), &["sg-1"]);
        assert_eq!(
            input.get_monitoring().as_ref().and_then(|m| m.enabled()),
            Some(true)
        );
        let specs = input.get_tag_specifications().as_ref().unwrap();
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[0].resource_type(), Some(&Ec2ResourceType::Instance));
        assert_eq!(specs[1].resource_type(), Some(&Ec2ResourceType::Volume));
        let root = &input.get_block_device_mappings().as_ref().unwrap()[0];
        assert_eq!(root.device_name(), Some("/dev/xvda"));
        assert_eq!(root.ebs().and_then(|e| e.volume_size()), Some(30));
        assert_eq!(
            root.ebs().and_then(|e| e.delete_on_termination()),
            Some(true)
        );
        let md = input.get_metadata_options().as_ref().unwrap();
        assert_eq!(md.http_tokens(), Some(&HttpTokensState::Required));
        assert_eq!(
            md.http_endpoint(),
            Some(&InstanceMetadataEndpointState::Enabled)
        );
    }

    #[test]
    fn a_public_ip_is_asked_for_on_the_primary_interface() {
        let p = planned(vec![
            ("ami", Value::string("ami-1")),
            ("instance_type", Value::string("t3.micro")),
            ("subnet_id", Value::string("subnet-1")),
            ("private_ip", Value::string("10.0.0.5")),
            ("associate_public_ip_address", Value::Bool(true)),
            (
                "vpc_security_group_ids",
                Value::set(vec![Value::string("sg-1")]),
            ),
        ]);
        let r = run_request(&offline_clients(), &p, &BTreeMap::new(), "t", None);
        let input = r.as_input();
        assert_eq!(input.get_subnet_id(), &None);
        assert_eq!(input.get_private_ip_address(), &None);
        let nic = &input.get_network_interfaces().as_ref().unwrap()[0];
        assert_eq!(nic.associate_public_ip_address(), Some(true));
        assert_eq!(nic.subnet_id(), Some("subnet-1"));
        assert_eq!(nic.private_ip_address(), Some("10.0.0.5"));
        assert_eq!(nic.groups(), ["sg-1"]);
        assert_eq!(nic.device_index(), Some(0));
        assert!(input.get_block_device_mappings().is_none());
    }

    #[test]
    fn user_data_reads_back_as_text_or_in_the_recorded_base64_form() {
        assert_eq!(
            user_data_forms(Some("aGk=")),
            (Value::string("hi"), Value::Null)
        );
        // Not UTF-8: only the base64 form can hold it.
        assert_eq!(
            user_data_forms(Some("/w==")),
            (Value::Null, Value::string("/w=="))
        );
        assert_eq!(user_data_forms(Some("")), (Value::Null, Value::Null));
        let state = Value::map([
            ("user_data", Value::string("hi")),
            ("user_data_base64", Value::Null),
        ]);
        let recorded = Value::map([("user_data_base64", Value::string("aGk="))]);
        let refreshed = in_form_of(state.clone(), &recorded);
        assert_eq!(attr(&refreshed, "user_data"), Value::Null);
        assert_eq!(attr(&refreshed, "user_data_base64"), Value::string("aGk="));
        assert_eq!(in_form_of(state.clone(), &Value::map::<&str>([])), state);
    }

    #[test]
    fn monitoring_changes_send_monitor_or_unmonitor() {
        // moto implements neither call: the requests are checked here.
        let c = offline_clients();
        match monitoring_request(&c, "i-1", true) {
            MonitoringRequest::On(r) => {
                assert_eq!(
                    r.get_instance_ids().as_deref(),
                    Some(&["i-1".to_string()][..])
                )
            }
            MonitoringRequest::Off(_) => panic!("enabling sends UnmonitorInstances"),
        }
        match monitoring_request(&c, "i-2", false) {
            MonitoringRequest::Off(r) => {
                assert_eq!(
                    r.get_instance_ids().as_deref(),
                    Some(&["i-2".to_string()][..])
                )
            }
            MonitoringRequest::On(_) => panic!("disabling sends MonitorInstances"),
        }
    }

    #[test]
    fn changed_user_data_is_sent_as_its_bytes() {
        // moto wants these bytes base64-encoded once more, so this is checked here.
        let p = planned(vec![("user_data", Value::string("echo two\n"))]);
        let sent = user_data_attribute(&p);
        assert_eq!(sent.value().map(|b| b.as_ref()), Some(&b"echo two\n"[..]));
        let p = planned(vec![("user_data_base64", Value::string("/w=="))]);
        assert_eq!(
            user_data_attribute(&p).value().map(|b| b.as_ref()),
            Some(&[0xffu8][..])
        );
    }

    #[test]
    fn replacement_follows_the_provider() {
        let force_new: Vec<&str> = SCHEMA
            .attributes
            .iter()
            .filter(|a| a.force_new)
            .map(|a| a.name)
            .collect();
        assert_eq!(
            force_new,
            [
                "ami",
                "availability_zone",
                "key_name",
                "private_ip",
                "subnet_id",
                "tenancy",
                "associate_public_ip_address",
                "ebs_optimized"
            ]
        );
        for name in ["user_data", "user_data_base64"] {
            assert_eq!(
                SCHEMA.attribute(name).unwrap().force_new_if,
                Some("user_data_replace_on_change")
            );
        }
    }

    #[test]
    fn profile_names_come_from_their_arns() {
        assert_eq!(
            profile_name("arn:aws:iam::123456789012:instance-profile/path/bastion"),
            "bastion"
        );
    }
}
