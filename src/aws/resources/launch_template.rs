//! `aws_launch_template`: an EC2 launch template, versioned.
//!
//! A change of the template's data (image, instance type, user data, blocks, `description`)
//! does not replace the template: it creates a new version (`CreateLaunchTemplateVersion`)
//! with the whole data, so `latest_version` goes up and the id stays. With
//! `update_default_version = true` the new version also becomes the default
//! (`ModifyLaunchTemplate`). Only a new name replaces the template; tags change in place.
//!
//! The state describes the latest version, as the AWS provider's does, in the provider's
//! syntax: `block_device_mappings { device_name, no_device, virtual_name, ebs { .. } }`. As in
//! the provider, `ebs.delete_on_termination` and `ebs.encrypted` are strings (`"true"`,
//! `"false"`, or `""` for unset, which AWS then decides; Go's other spellings such as `"1"`
//! are accepted and read back as `"true"`), and the EBS sizes, rates and type are optional and
//! computed: unset, they keep what AWS has. The top-level `ebs_optimized` is such a string
//! too. `instance_market_options.spot_options.valid_until` is an RFC 3339 time, AWS's choice
//! when unset. `metadata_options` attributes have AWS's defaults
//! spelled out and are always sent whole, so what AWS stores reads back the same.
//! `description` is the version description (a launch template has no description of its
//! own).

use std::collections::BTreeMap;

use crate::aws::Adoption;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    CreditSpecificationRequest, HostnameType, InstanceInterruptionBehavior,
    InstanceIpv6AddressRequest, InstanceType, LaunchTemplate,
    LaunchTemplateBlockDeviceMappingRequest, LaunchTemplateEbsBlockDeviceRequest,
    LaunchTemplateHttpTokensState, LaunchTemplateIamInstanceProfileSpecificationRequest,
    LaunchTemplateInstanceMarketOptionsRequest, LaunchTemplateInstanceMetadataEndpointState,
    LaunchTemplateInstanceMetadataOptionsRequest, LaunchTemplateInstanceMetadataProtocolIpv6,
    LaunchTemplateInstanceMetadataTagsState,
    LaunchTemplateInstanceNetworkInterfaceSpecificationRequest,
    LaunchTemplatePrivateDnsNameOptionsRequest, LaunchTemplateSpotMarketOptionsRequest,
    LaunchTemplateTagSpecificationRequest, LaunchTemplateVersion, LaunchTemplatesMonitoringRequest,
    MarketType, PrivateIpAddressSpecification, RequestLaunchTemplateData, ResourceType as Ec2Type,
    ResponseLaunchTemplateData, ShutdownBehavior, SpotInstanceType, VolumeType,
};
use aws_smithy_types::date_time::{DateTime, Format};

use super::{
    attr, changed, create_call, partition, prefix_of_unique_name, read_created, unique_name,
    with_attrs,
};
use crate::aws::call::call;
use crate::aws::ec2::describe_ec2;
use crate::aws::ec2::{Ec2Objects, Ec2Reads};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, ErrorKind, OrGone};
use crate::aws::resource_type::id_prefix;
use crate::aws::resource_type::States;
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, to_ec2, update_ec2_tags};
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, IdPrefix, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    block_object, get_block, get_blocks, get_bool, get_i32, get_str, get_string_map, get_strings,
    nested_object, opt_bool, opt_number, opt_str, state_object, string_map, string_set,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct LaunchTemplateType;

static DECLARATION: Declaration = Declaration::new("aws_launch_template", &SCHEMA, Adoption::Tags)
    .generated_name("name", "name_prefix", "ecsform-");

pub(crate) static IAM_INSTANCE_PROFILE: &[AttrSchema] = attrs![
    optional String: arn name;
];

static BLOCK_DEVICE: &[AttrSchema] = attrs![
    optional String: device_name no_device virtual_name;
];

/// The provider's EBS settings: the two switches are nullable booleans written as strings.
static EBS: &[AttrSchema] = attrs![
    optional String: delete_on_termination encrypted;
    optional_computed Number: iops;
    optional String: kms_key_id snapshot_id;
    optional_computed Number: throughput volume_initialization_rate volume_size;
    optional_computed String: volume_type;
];

pub(crate) static BLOCK_DEVICE_MAPPINGS: BlockSchema =
    BlockSchema::list("block_device_mappings", BLOCK_DEVICE)
        .blocks(&[BlockSchema::list("ebs", EBS).max_items(1)]);

pub(crate) static MONITORING: &[AttrSchema] = attrs![
    optional Bool: enabled;
];

/// Optional and computed in the provider; ecsform spells out the values AWS applies when a
/// request leaves them out, and sends them all.
pub(crate) static METADATA_OPTIONS: &[AttrSchema] = attrs![
    optional_computed String: http_endpoint.default(Default::Str("enabled"));
    optional_computed String: http_tokens.default(Default::Str("optional"));
    optional_computed Number: http_put_response_hop_limit.default(Default::Number(1.0));
    optional_computed String: http_protocol_ipv6.default(Default::Str("disabled"));
    optional_computed String: instance_metadata_tags.default(Default::Str("disabled"));
];

pub(crate) static CREDIT_SPECIFICATION: &[AttrSchema] = attrs![
    optional String: cpu_credits;
];

static MARKET_OPTIONS: &[AttrSchema] = attrs![
    optional String: market_type;
];

/// `valid_until` is an RFC 3339 time; unset, AWS picks one (seven days on) and the state
/// keeps it.
static SPOT_OPTIONS: &[AttrSchema] = attrs![
    optional Number: block_duration_minutes;
    optional String: instance_interruption_behavior max_price spot_instance_type;
    optional_computed String: valid_until;
];

pub(crate) static INSTANCE_MARKET_OPTIONS: BlockSchema =
    BlockSchema::list("instance_market_options", MARKET_OPTIONS)
        .max_items(1)
        .blocks(&[BlockSchema::list("spot_options", SPOT_OPTIONS).max_items(1)]);

pub(crate) static PRIVATE_DNS_NAME_OPTIONS: &[AttrSchema] = attrs![
    optional Bool: enable_resource_name_dns_a_record enable_resource_name_dns_aaaa_record;
    optional String: hostname_type;
];

/// The provider's `network_interfaces` arguments ecsform sends; the three switches are
/// nullable booleans written as strings. The rest of the provider's block (prefixes,
/// `primary_ipv6`, `ena_queue_count`, `connection_tracking_specification`,
/// `ena_srd_specification`) is refused as not supported yet.
pub(crate) static NETWORK_INTERFACE: &[AttrSchema] = attrs![
    optional String: associate_carrier_ip_address associate_public_ip_address delete_on_termination;
    optional String: description;
    optional Number: device_index;
    optional String: interface_type;
    optional Number: ipv4_address_count;
    optional StringSet: ipv4_addresses;
    optional Number: ipv6_address_count;
    optional StringSet: ipv6_addresses;
    optional Number: network_card_index;
    optional String: network_interface_id private_ip_address;
    optional StringSet: security_groups;
    optional String: subnet_id;
];

/// The network interface switches written as strings.
const INTERFACE_SWITCHES: [&str; 3] = [
    "associate_carrier_ip_address",
    "associate_public_ip_address",
    "delete_on_termination",
];

pub(crate) static TAG_SPECIFICATION: &[AttrSchema] = attrs![
    optional String: resource_type;
    optional StringMap: tags;
];

static SCHEMA: Schema = Schema {
    version: 2,
    attributes: attrs![
        computed String: id arn;
        optional_computed String: name.force_new() name_prefix.force_new();
        optional String: description image_id instance_type key_name user_data;
        optional StringSet: vpc_security_group_ids;
        // A nullable boolean written as a string, as `ebs.encrypted` is.
        optional String: ebs_optimized;
        optional Bool: disable_api_termination disable_api_stop;
        optional String: instance_initiated_shutdown_behavior;
        optional Bool: update_default_version.default(Default::Bool(false)).local();
        computed Number: default_version latest_version.changes_on_update();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[
        BlockSchema::list("iam_instance_profile", IAM_INSTANCE_PROFILE).max_items(1),
        BLOCK_DEVICE_MAPPINGS,
        BlockSchema::list("monitoring", MONITORING).max_items(1),
        BlockSchema::list("metadata_options", METADATA_OPTIONS).max_items(1),
        BlockSchema::list("tag_specifications", TAG_SPECIFICATION),
        BlockSchema::list("credit_specification", CREDIT_SPECIFICATION).max_items(1),
        INSTANCE_MARKET_OPTIONS,
        BlockSchema::list("private_dns_name_options", PRIVATE_DNS_NAME_OPTIONS).max_items(1),
        BlockSchema::list("network_interfaces", NETWORK_INTERFACE),
    ],
};

/// The arguments that make up a version's data: changing any of them makes a new version.
const VERSION_DATA: &[&str] = &[
    "description",
    "image_id",
    "instance_type",
    "key_name",
    "user_data",
    "vpc_security_group_ids",
    "ebs_optimized",
    "disable_api_termination",
    "disable_api_stop",
    "instance_initiated_shutdown_behavior",
    "iam_instance_profile",
    "block_device_mappings",
    "monitoring",
    "metadata_options",
    "tag_specifications",
    "credit_specification",
    "instance_market_options",
    "private_dns_name_options",
    "network_interfaces",
];

/// Go's `strconv.ParseBool`, which the provider's nullable booleans use; `""` is unset.
fn nullable_bool(s: &str) -> Option<Result<bool, ()>> {
    match s {
        "" => None,
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(Ok(true)),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(Ok(false)),
        _ => Some(Err(())),
    }
}

/// A nullable boolean argument of `block` (at `path`, for the message) as AWS takes it.
fn get_nullable_bool(block: &Value, path: &str, name: &str) -> Result<Option<bool>> {
    let Some(s) = get_str(block, name) else {
        return Ok(None);
    };
    nullable_bool(s).transpose().map_err(|()| {
        ApiError::new(
            ErrorKind::Invalid,
            "InvalidParameterValue",
            format!("{path}{name}: expected \"true\", \"false\" or \"\", got {s:?}"),
        )
    })
}

/// A nullable boolean as the provider reads it back: `"true"` or `"false"`, null when AWS has
/// none.
fn nullable_bool_value(b: Option<bool>) -> Value {
    opt_str(b.map(|b| b.to_string()))
}

const EBS_PATH: &str = "block_device_mappings.ebs.";

/// An RFC 3339 time with any offset (the provider's `IsRFC3339Time`), which the SDK's own
/// parser refuses unless it is UTC.
fn parse_rfc3339(s: &str) -> Result<DateTime, chrono::ParseError> {
    let t = chrono::DateTime::parse_from_rfc3339(s)?.to_utc();
    Ok(DateTime::from_secs_and_nanos(
        t.timestamp(),
        t.timestamp_subsec_nanos(),
    ))
}

/// An RFC 3339 time argument of `block` as AWS takes it.
fn get_time(block: &Value, path: &str, name: &str) -> Result<Option<DateTime>> {
    let Some(s) = get_str(block, name).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    parse_rfc3339(s).map(Some).map_err(|e| {
        ApiError::new(
            ErrorKind::Invalid,
            "InvalidParameterValue",
            format!("{path}{name}: expected an RFC 3339 time, got {s:?}: {e}"),
        )
    })
}

/// One `instance_market_options` block as AWS takes it.
fn market_options_request(m: &Value) -> Result<LaunchTemplateInstanceMarketOptionsRequest> {
    const PATH: &str = "instance_market_options.spot_options.";
    let spot = match get_block(m, "spot_options") {
        Some(o) => Some(
            LaunchTemplateSpotMarketOptionsRequest::builder()
                .set_block_duration_minutes(get_i32(o, "block_duration_minutes"))
                .set_instance_interruption_behavior(
                    get_str(o, "instance_interruption_behavior")
                        .map(InstanceInterruptionBehavior::from),
                )
                .set_max_price(get_str(o, "max_price").map(String::from))
                .set_spot_instance_type(
                    get_str(o, "spot_instance_type").map(SpotInstanceType::from),
                )
                .set_valid_until(get_time(o, PATH, "valid_until")?)
                .build(),
        ),
        None => None,
    };
    Ok(LaunchTemplateInstanceMarketOptionsRequest::builder()
        .set_market_type(get_str(m, "market_type").map(MarketType::from))
        .set_spot_options(spot)
        .build())
}

/// One `network_interfaces` block as AWS takes it.
fn interface_request(
    n: &Value,
) -> Result<LaunchTemplateInstanceNetworkInterfaceSpecificationRequest> {
    const PATH: &str = "network_interfaces.";
    let switch = |name| get_nullable_bool(n, PATH, name);
    let s = |name| get_str(n, name).map(String::from);
    let non_empty = |v: Vec<String>| (!v.is_empty()).then_some(v);
    let ipv4 = get_strings(n, "ipv4_addresses")
        .into_iter()
        .map(|a| {
            PrivateIpAddressSpecification::builder()
                .private_ip_address(a)
                .build()
        })
        .collect::<Vec<_>>();
    let ipv6 = get_strings(n, "ipv6_addresses")
        .into_iter()
        .map(|a| {
            InstanceIpv6AddressRequest::builder()
                .ipv6_address(a)
                .build()
        })
        .collect::<Vec<_>>();
    Ok(
        LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
            .set_associate_carrier_ip_address(switch("associate_carrier_ip_address")?)
            .set_associate_public_ip_address(switch("associate_public_ip_address")?)
            .set_delete_on_termination(switch("delete_on_termination")?)
            .set_description(s("description"))
            .set_device_index(get_i32(n, "device_index"))
            .set_interface_type(s("interface_type"))
            .set_secondary_private_ip_address_count(get_i32(n, "ipv4_address_count"))
            .set_private_ip_addresses((!ipv4.is_empty()).then_some(ipv4))
            .set_ipv6_address_count(get_i32(n, "ipv6_address_count"))
            .set_ipv6_addresses((!ipv6.is_empty()).then_some(ipv6))
            .set_network_card_index(get_i32(n, "network_card_index"))
            .set_network_interface_id(s("network_interface_id"))
            .set_private_ip_address(s("private_ip_address"))
            .set_groups(non_empty(get_strings(n, "security_groups")))
            .set_subnet_id(s("subnet_id"))
            .build(),
    )
}

/// One `ebs` block as AWS takes it.
fn ebs_request(e: &Value) -> Result<LaunchTemplateEbsBlockDeviceRequest> {
    Ok(LaunchTemplateEbsBlockDeviceRequest::builder()
        .set_delete_on_termination(get_nullable_bool(e, EBS_PATH, "delete_on_termination")?)
        .set_encrypted(get_nullable_bool(e, EBS_PATH, "encrypted")?)
        .set_iops(get_i32(e, "iops"))
        .set_kms_key_id(get_str(e, "kms_key_id").map(String::from))
        .set_snapshot_id(get_str(e, "snapshot_id").map(String::from))
        .set_throughput(get_i32(e, "throughput"))
        .set_volume_initialization_rate(get_i32(e, "volume_initialization_rate"))
        .set_volume_size(get_i32(e, "volume_size"))
        .set_volume_type(get_str(e, "volume_type").map(VolumeType::from))
        .build())
}

/// The launch template data `planned` describes, whole (a new version does not inherit).
fn template_data(planned: &Value) -> Result<RequestLaunchTemplateData> {
    let s = |name| get_str(planned, name).map(String::from);
    let sgs = get_strings(planned, "vpc_security_group_ids");
    let mut data = RequestLaunchTemplateData::builder()
        .set_image_id(s("image_id"))
        .set_instance_type(get_str(planned, "instance_type").map(InstanceType::from))
        .set_key_name(s("key_name"))
        .set_user_data(s("user_data"))
        .set_security_group_ids((!sgs.is_empty()).then_some(sgs))
        .set_ebs_optimized(get_nullable_bool(planned, "", "ebs_optimized")?)
        .set_disable_api_termination(get_bool(planned, "disable_api_termination"))
        .set_disable_api_stop(get_bool(planned, "disable_api_stop"))
        .set_instance_initiated_shutdown_behavior(
            get_str(planned, "instance_initiated_shutdown_behavior").map(ShutdownBehavior::from),
        );
    if let Some(c) = get_blocks(planned, "credit_specification").first() {
        data = data.credit_specification(
            CreditSpecificationRequest::builder()
                .set_cpu_credits(get_str(c, "cpu_credits").map(String::from))
                .build(),
        );
    }
    if let Some(m) = get_blocks(planned, "instance_market_options").first() {
        data = data.instance_market_options(market_options_request(m)?);
    }
    if let Some(p) = get_blocks(planned, "private_dns_name_options").first() {
        data = data.private_dns_name_options(
            LaunchTemplatePrivateDnsNameOptionsRequest::builder()
                .set_enable_resource_name_dns_a_record(get_bool(
                    p,
                    "enable_resource_name_dns_a_record",
                ))
                .set_enable_resource_name_dns_aaaa_record(get_bool(
                    p,
                    "enable_resource_name_dns_aaaa_record",
                ))
                .set_hostname_type(get_str(p, "hostname_type").map(HostnameType::from))
                .build(),
        );
    }
    if let Some(p) = get_blocks(planned, "iam_instance_profile").first() {
        data = data.iam_instance_profile(
            LaunchTemplateIamInstanceProfileSpecificationRequest::builder()
                .set_arn(get_str(p, "arn").map(String::from))
                .set_name(get_str(p, "name").map(String::from))
                .build(),
        );
    }
    for d in get_blocks(planned, "block_device_mappings") {
        let ebs = get_block(&d, "ebs").map(ebs_request).transpose()?;
        data = data.block_device_mappings(
            LaunchTemplateBlockDeviceMappingRequest::builder()
                .set_device_name(get_str(&d, "device_name").map(String::from))
                .set_no_device(get_str(&d, "no_device").map(String::from))
                .set_virtual_name(get_str(&d, "virtual_name").map(String::from))
                .set_ebs(ebs)
                .build(),
        );
    }
    if let Some(m) = get_blocks(planned, "monitoring").first() {
        data = data.monitoring(
            LaunchTemplatesMonitoringRequest::builder()
                .set_enabled(get_bool(m, "enabled"))
                .build(),
        );
    }
    if let Some(m) = get_blocks(planned, "metadata_options").first() {
        data = data.metadata_options(
            LaunchTemplateInstanceMetadataOptionsRequest::builder()
                .set_http_endpoint(
                    get_str(m, "http_endpoint")
                        .map(LaunchTemplateInstanceMetadataEndpointState::from),
                )
                .set_http_tokens(get_str(m, "http_tokens").map(LaunchTemplateHttpTokensState::from))
                .set_http_put_response_hop_limit(get_i32(m, "http_put_response_hop_limit"))
                .set_http_protocol_ipv6(
                    get_str(m, "http_protocol_ipv6")
                        .map(LaunchTemplateInstanceMetadataProtocolIpv6::from),
                )
                .set_instance_metadata_tags(
                    get_str(m, "instance_metadata_tags")
                        .map(LaunchTemplateInstanceMetadataTagsState::from),
                )
                .build(),
        );
    }
    for n in get_blocks(planned, "network_interfaces") {
        data = data.network_interfaces(interface_request(&n)?);
    }
    for t in get_blocks(planned, "tag_specifications") {
        data = data.tag_specifications(
            LaunchTemplateTagSpecificationRequest::builder()
                .set_resource_type(get_str(&t, "resource_type").map(Ec2Type::from))
                .set_tags(Some(to_ec2(&get_string_map(&t, "tags"))))
                .build(),
        );
    }
    Ok(data.build())
}

/// The account in a `CreatedBy` ARN (`arn:aws:iam::123456789012:root`).
fn account_of(created_by: Option<&str>) -> &str {
    created_by
        .and_then(|arn| arn.split(':').nth(4))
        .unwrap_or_default()
}

/// The state of a template and its latest version's data.
pub(crate) fn template_state(t: &LaunchTemplate, v: &LaunchTemplateVersion, region: &str) -> Value {
    let id = t.launch_template_id().unwrap_or_default();
    let name = t.launch_template_name().unwrap_or_default();
    let arn = format!(
        "arn:{}:ec2:{region}:{}:launch-template/{id}",
        partition(region),
        account_of(t.created_by())
    );
    let empty = ResponseLaunchTemplateData::builder().build();
    let d = v.launch_template_data().unwrap_or(&empty);
    let tags = string_map(&from_ec2(t.tags()));
    let sgs = d.security_group_ids();
    let latest = v.version_number().or(t.latest_version_number());
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("arn", Value::string(arn)),
            ("name", Value::string(name)),
            ("name_prefix", opt_str(prefix_of_unique_name(name))),
            ("description", opt_str(v.version_description())),
            ("image_id", opt_str(d.image_id())),
            (
                "instance_type",
                opt_str(d.instance_type().map(|t| t.as_str())),
            ),
            ("key_name", opt_str(d.key_name())),
            ("user_data", opt_str(d.user_data())),
            (
                "vpc_security_group_ids",
                if sgs.is_empty() {
                    Value::Null
                } else {
                    string_set(sgs.iter().cloned())
                },
            ),
            // Not stored by AWS: the default until the planned value says otherwise.
            ("ebs_optimized", nullable_bool_value(d.ebs_optimized())),
            (
                "disable_api_termination",
                opt_bool(d.disable_api_termination()),
            ),
            ("disable_api_stop", opt_bool(d.disable_api_stop())),
            (
                "instance_initiated_shutdown_behavior",
                opt_str(d.instance_initiated_shutdown_behavior().map(|b| b.as_str())),
            ),
            ("update_default_version", Value::Bool(false)),
            (
                "default_version",
                opt_number(t.default_version_number().map(|n| n as f64)),
            ),
            ("latest_version", opt_number(latest.map(|n| n as f64))),
            ("tags", tags.clone()),
            ("tags_all", tags),
            ("iam_instance_profile", iam_profile_blocks(d)),
            ("block_device_mappings", device_blocks(d)),
            ("monitoring", monitoring_blocks(d)),
            ("metadata_options", metadata_blocks(d)),
            ("tag_specifications", tag_spec_blocks(d)),
            ("credit_specification", credit_blocks(d)),
            ("instance_market_options", market_option_blocks(d)),
            ("private_dns_name_options", private_dns_blocks(d)),
            ("network_interfaces", interface_blocks(d)),
        ],
    )
}

fn iam_profile_blocks(d: &ResponseLaunchTemplateData) -> Value {
    Value::List(
        d.iam_instance_profile()
            .map(|p| {
                block_object(
                    IAM_INSTANCE_PROFILE,
                    [("arn", opt_str(p.arn())), ("name", opt_str(p.name()))],
                )
            })
            .into_iter()
            .collect(),
    )
}

fn device_blocks(d: &ResponseLaunchTemplateData) -> Value {
    let ebs_block = &BLOCK_DEVICE_MAPPINGS.blocks[0];
    Value::List(
        d.block_device_mappings()
            .iter()
            .map(|m| {
                let ebs = m.ebs().map(|e| {
                    nested_object(
                        ebs_block,
                        [
                            (
                                "delete_on_termination",
                                nullable_bool_value(e.delete_on_termination()),
                            ),
                            ("encrypted", nullable_bool_value(e.encrypted())),
                            ("iops", opt_number(e.iops())),
                            ("kms_key_id", opt_str(e.kms_key_id())),
                            ("snapshot_id", opt_str(e.snapshot_id())),
                            ("throughput", opt_number(e.throughput())),
                            (
                                "volume_initialization_rate",
                                opt_number(e.volume_initialization_rate()),
                            ),
                            ("volume_size", opt_number(e.volume_size())),
                            ("volume_type", opt_str(e.volume_type().map(|t| t.as_str()))),
                        ],
                    )
                });
                nested_object(
                    &BLOCK_DEVICE_MAPPINGS,
                    [
                        ("device_name", opt_str(m.device_name())),
                        ("no_device", opt_str(m.no_device())),
                        ("virtual_name", opt_str(m.virtual_name())),
                        ("ebs", Value::List(ebs.into_iter().collect())),
                    ],
                )
            })
            .collect(),
    )
}

/// A nullable boolean string in the form AWS reads it back: `""` as null, Go's spellings of
/// true and false as `"true"` and `"false"`; anything else is left for the request to refuse.
fn canonical(v: Value) -> Value {
    match v.as_str().map(nullable_bool) {
        Some(None) => Value::Null,
        Some(Some(Ok(b))) => Value::string(b.to_string()),
        _ => v,
    }
}

/// `ebs.delete_on_termination` and `ebs.encrypted` in the form AWS reads back: `""` as null,
/// Go's spellings of true and false as `"true"` and `"false"`. Anything else (and anything
/// unknown) is left for the request to refuse.
fn normalize_devices(devices: Value) -> Value {
    each_block(devices, |device| {
        update(device, "ebs", |ebs| {
            each_block(ebs, |e| {
                for name in ["delete_on_termination", "encrypted"] {
                    update(e, name, canonical);
                }
            })
        });
    })
}

/// Each block object of a list block's value `v` changed by `f`; anything else (null,
/// unknown) as it is.
fn each_block(v: Value, f: impl Fn(&mut BTreeMap<String, Value>)) -> Value {
    match v {
        Value::List(items) => Value::List(
            items
                .into_iter()
                .map(|item| match item {
                    Value::Map(mut m) => {
                        f(&mut m);
                        Value::Map(m)
                    }
                    other => other,
                })
                .collect(),
        ),
        other => other,
    }
}

/// The value of `name` in block object `m` replaced by `f` of it, if it is there.
fn update(m: &mut BTreeMap<String, Value>, name: &str, f: impl FnOnce(Value) -> Value) {
    if let Some(v) = m.remove(name) {
        m.insert(name.to_string(), f(v));
    }
}

fn credit_blocks(d: &ResponseLaunchTemplateData) -> Value {
    Value::List(
        d.credit_specification()
            .map(|c| {
                block_object(
                    CREDIT_SPECIFICATION,
                    [("cpu_credits", opt_str(c.cpu_credits()))],
                )
            })
            .into_iter()
            .collect(),
    )
}

fn market_option_blocks(d: &ResponseLaunchTemplateData) -> Value {
    let spot_block = &INSTANCE_MARKET_OPTIONS.blocks[0];
    Value::List(
        d.instance_market_options()
            .map(|m| {
                let spot = m.spot_options().map(|o| {
                    nested_object(
                        spot_block,
                        [
                            (
                                "block_duration_minutes",
                                opt_number(o.block_duration_minutes()),
                            ),
                            (
                                "instance_interruption_behavior",
                                opt_str(o.instance_interruption_behavior().map(|b| b.as_str())),
                            ),
                            ("max_price", opt_str(o.max_price())),
                            (
                                "spot_instance_type",
                                opt_str(o.spot_instance_type().map(|t| t.as_str())),
                            ),
                            (
                                "valid_until",
                                opt_str(o.valid_until().and_then(|t| t.fmt(Format::DateTime).ok())),
                            ),
                        ],
                    )
                });
                nested_object(
                    &INSTANCE_MARKET_OPTIONS,
                    [
                        ("market_type", opt_str(m.market_type().map(|t| t.as_str()))),
                        ("spot_options", Value::List(spot.into_iter().collect())),
                    ],
                )
            })
            .into_iter()
            .collect(),
    )
}

fn private_dns_blocks(d: &ResponseLaunchTemplateData) -> Value {
    Value::List(
        d.private_dns_name_options()
            .map(|p| {
                block_object(
                    PRIVATE_DNS_NAME_OPTIONS,
                    [
                        (
                            "enable_resource_name_dns_a_record",
                            opt_bool(p.enable_resource_name_dns_a_record()),
                        ),
                        (
                            "enable_resource_name_dns_aaaa_record",
                            opt_bool(p.enable_resource_name_dns_aaaa_record()),
                        ),
                        (
                            "hostname_type",
                            opt_str(p.hostname_type().map(|t| t.as_str())),
                        ),
                    ],
                )
            })
            .into_iter()
            .collect(),
    )
}

/// A set of strings, null when empty (as the configuration leaves it).
fn opt_string_set<'a>(items: impl IntoIterator<Item = &'a str>) -> Value {
    let items: Vec<String> = items.into_iter().map(String::from).collect();
    if items.is_empty() {
        Value::Null
    } else {
        string_set(items)
    }
}

fn interface_blocks(d: &ResponseLaunchTemplateData) -> Value {
    Value::List(
        d.network_interfaces()
            .iter()
            .map(|n| {
                block_object(
                    NETWORK_INTERFACE,
                    [
                        (
                            "associate_carrier_ip_address",
                            nullable_bool_value(n.associate_carrier_ip_address()),
                        ),
                        (
                            "associate_public_ip_address",
                            nullable_bool_value(n.associate_public_ip_address()),
                        ),
                        (
                            "delete_on_termination",
                            nullable_bool_value(n.delete_on_termination()),
                        ),
                        ("description", opt_str(n.description())),
                        ("device_index", opt_number(n.device_index())),
                        ("interface_type", opt_str(n.interface_type())),
                        (
                            "ipv4_address_count",
                            opt_number(n.secondary_private_ip_address_count()),
                        ),
                        (
                            "ipv4_addresses",
                            opt_string_set(
                                n.private_ip_addresses()
                                    .iter()
                                    .filter_map(|a| a.private_ip_address()),
                            ),
                        ),
                        ("ipv6_address_count", opt_number(n.ipv6_address_count())),
                        (
                            "ipv6_addresses",
                            opt_string_set(
                                n.ipv6_addresses().iter().filter_map(|a| a.ipv6_address()),
                            ),
                        ),
                        ("network_card_index", opt_number(n.network_card_index())),
                        ("network_interface_id", opt_str(n.network_interface_id())),
                        ("private_ip_address", opt_str(n.private_ip_address())),
                        (
                            "security_groups",
                            opt_string_set(n.groups().iter().map(String::as_str)),
                        ),
                        ("subnet_id", opt_str(n.subnet_id())),
                    ],
                )
            })
            .collect(),
    )
}

/// `spot_options.valid_until` in the form AWS reads it back (`2030-01-01T00:00:00Z` for
/// `2030-01-01T01:00:00+01:00`); anything that is no time is left for the request to refuse.
fn normalize_market_options(options: Value) -> Value {
    each_block(options, |market| {
        update(market, "spot_options", |spot| {
            each_block(spot, |o| {
                update(o, "valid_until", |t| {
                    t.as_str()
                        .and_then(|t| parse_rfc3339(t).ok())
                        .and_then(|t| t.fmt(Format::DateTime).ok())
                        .map_or(t, Value::string)
                });
            })
        });
    })
}

/// The network interface switches in the form AWS reads them back.
fn normalize_interfaces(interfaces: Value) -> Value {
    each_block(interfaces, |interface| {
        for name in INTERFACE_SWITCHES {
            update(interface, name, canonical);
        }
    })
}

fn monitoring_blocks(d: &ResponseLaunchTemplateData) -> Value {
    Value::List(
        d.monitoring()
            .map(|m| block_object(MONITORING, [("enabled", opt_bool(m.enabled()))]))
            .into_iter()
            .collect(),
    )
}

fn metadata_blocks(d: &ResponseLaunchTemplateData) -> Value {
    Value::List(
        d.metadata_options()
            .map(|m| {
                block_object(
                    METADATA_OPTIONS,
                    [
                        (
                            "http_endpoint",
                            opt_str(m.http_endpoint().map(|s| s.as_str())),
                        ),
                        ("http_tokens", opt_str(m.http_tokens().map(|s| s.as_str()))),
                        (
                            "http_put_response_hop_limit",
                            opt_number(m.http_put_response_hop_limit()),
                        ),
                        (
                            "http_protocol_ipv6",
                            opt_str(m.http_protocol_ipv6().map(|s| s.as_str())),
                        ),
                        (
                            "instance_metadata_tags",
                            opt_str(m.instance_metadata_tags().map(|s| s.as_str())),
                        ),
                    ],
                )
            })
            .into_iter()
            .collect(),
    )
}

fn tag_spec_blocks(d: &ResponseLaunchTemplateData) -> Value {
    Value::List(
        d.tag_specifications()
            .iter()
            // The template's own tags are no part of its data (moto copies them in).
            .filter(|t| t.resource_type() != Some(&Ec2Type::LaunchTemplate))
            .map(|t| {
                let tags: BTreeMap<String, String> = t
                    .tags()
                    .iter()
                    .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
                    .collect();
                block_object(
                    TAG_SPECIFICATION,
                    [
                        (
                            "resource_type",
                            opt_str(t.resource_type().map(|r| r.as_str())),
                        ),
                        ("tags", string_map(&tags)),
                    ],
                )
            })
            .collect(),
    )
}

/// The latest version of each of `ids`: one request for one template, otherwise one
/// paginated request for the latest versions of all the account's templates.
pub(crate) async fn latest_versions(
    clients: &AwsClients,
    ids: &[&str],
) -> Result<BTreeMap<String, LaunchTemplateVersion>> {
    let versions: Vec<LaunchTemplateVersion> = call(|| {
        let req = clients
            .ec2
            .describe_launch_template_versions()
            .versions("$Latest");
        let req = match ids {
            [one] => req.launch_template_id(*one),
            _ => req.max_results(200),
        };
        req.into_paginator().items().send().try_collect()
    })
    .await?;
    Ok(versions
        .into_iter()
        .filter_map(|v| Some((v.launch_template_id()?.to_string(), v)))
        .filter(|(id, _)| ids.contains(&id.as_str()))
        .collect())
}

/// Attributes AWS does not store, carried over from the planned value.
fn planned_only(planned: &Value) -> [(&'static str, Value); 1] {
    [(
        "update_default_version",
        Value::Bool(get_bool(planned, "update_default_version").unwrap_or(false)),
    )]
}

async fn set_default_version(clients: &AwsClients, id: &str, version: i64) -> Result<()> {
    call(|| {
        clients
            .ec2
            .modify_launch_template()
            .launch_template_id(id)
            .default_version(version.to_string())
            .send()
    })
    .await?;
    Ok(())
}

#[async_trait]
impl ResourceType for LaunchTemplateType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        if let Some(v) = m.remove("ebs_optimized") {
            m.insert("ebs_optimized".to_string(), canonical(v));
        }
        if let Some(options) = m.remove("instance_market_options") {
            m.insert(
                "instance_market_options".to_string(),
                normalize_market_options(options),
            );
        }
        if let Some(interfaces) = m.remove("network_interfaces") {
            m.insert(
                "network_interfaces".to_string(),
                normalize_interfaces(interfaces),
            );
        }
        if let Some(devices) = m.remove("block_device_mappings") {
            m.insert(
                "block_device_mappings".to_string(),
                normalize_devices(devices),
            );
        }
        Value::Map(m)
    }

    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static OBJECTS: Ec2Objects<LaunchTemplate> = Ec2Objects { state: None };
        Some(&OBJECTS)
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "launch template id", "lt-"))
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let templates: Vec<LaunchTemplate> = describe_ec2(clients, ids).await?;
        let found: Vec<&str> = templates
            .iter()
            .filter_map(|t| t.launch_template_id())
            .filter(|id| ids.iter().any(|i| i == id))
            .collect();
        if found.is_empty() {
            return Ok(BTreeMap::new());
        }
        let versions = latest_versions(clients, &found).await?;
        Ok(templates
            .iter()
            .filter_map(|t| {
                let id = t.launch_template_id()?;
                let v = versions.get(id)?;
                Some((id.to_string(), template_state(t, v, &clients.region)))
            })
            .collect())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let name = match (get_str(planned, "name"), get_str(planned, "name_prefix")) {
            (Some(n), _) => n.to_string(),
            (None, Some(p)) => unique_name(p),
            (None, None) => unique_name("ecsform-"),
        };
        let tags = creation_tags(planned, ctx.extra_tags);
        let data = template_data(planned)?;
        // The same token on every attempt makes a repeated request return the same template.
        let token = uuid::Uuid::new_v4().to_string();
        let out = create_call("launch template to be created", || async {
            ctx.clients
                .ec2
                .create_launch_template()
                .client_token(&token)
                .launch_template_name(&name)
                .set_version_description(get_str(planned, "description").map(String::from))
                .launch_template_data(data.clone())
                .tag_specifications(tag_spec(Ec2Type::LaunchTemplate, &tags))
                .send()
                .await
                .map_err(from_sdk)
        })
        .await?;
        let id = out
            .launch_template()
            .and_then(|t| t.launch_template_id())
            .ok_or_else(|| ApiError::malformed("CreateLaunchTemplate returned no id"))?;
        let state = read_created(self, ctx.clients, id).await?;
        Ok(with_attrs(state, planned_only(planned)))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let update_default = get_bool(planned, "update_default_version").unwrap_or(false);
        if VERSION_DATA.iter().any(|a| changed(prior, planned, a)) {
            let data = template_data(planned)?;
            let token = uuid::Uuid::new_v4().to_string();
            let out = call(|| {
                ctx.clients
                    .ec2
                    .create_launch_template_version()
                    .client_token(&token)
                    .launch_template_id(id)
                    .set_version_description(get_str(planned, "description").map(String::from))
                    .launch_template_data(data.clone())
                    .send()
            })
            .await?;
            let version = out
                .launch_template_version()
                .and_then(|v| v.version_number())
                .ok_or_else(|| {
                    ApiError::malformed("CreateLaunchTemplateVersion returned no version")
                })?;
            if update_default {
                set_default_version(ctx.clients, id, version).await?;
            }
        } else if update_default && attr(prior, "default_version") != attr(prior, "latest_version")
        {
            // Switched on without a data change: the latest version becomes the default now.
            if let Some(latest) = crate::provider::values::get_number(prior, "latest_version") {
                set_default_version(ctx.clients, id, latest as i64).await?;
            }
        }
        if attr(prior, "tags_all") != attr(planned, "tags_all") {
            update_ec2_tags(ctx.clients, id, prior, planned).await?;
        }
        let state = read_created(self, ctx.clients, id).await?;
        Ok(with_attrs(state, planned_only(planned)))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Some(id) = get_str(prior, "id") else {
            return Ok(());
        };
        call(|| {
            ctx.clients
                .ec2
                .delete_launch_template()
                .launch_template_id(id)
                .send()
        })
        .await
        .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{
        LaunchTemplateBlockDeviceMapping, LaunchTemplateEbsBlockDevice,
        LaunchTemplateTagSpecification, Tag,
    };

    fn config() -> Value {
        let blocks = |items: Vec<Value>| Value::List(items);
        SCHEMA.conformed([
            ("name", Value::string("web")),
            ("image_id", Value::string("ami-1")),
            ("instance_type", Value::string("t3.micro")),
            (
                "block_device_mappings",
                blocks(vec![Value::map([
                    ("device_name", Value::string("/dev/xvda")),
                    (
                        "ebs",
                        blocks(vec![Value::map([
                            ("volume_size", Value::number(30)),
                            ("volume_type", Value::string("gp3")),
                            ("delete_on_termination", Value::string("true")),
                        ])]),
                    ),
                ])]),
            ),
            (
                "metadata_options",
                blocks(vec![Value::map([(
                    "http_tokens",
                    Value::string("required"),
                )])]),
            ),
            (
                "tag_specifications",
                blocks(vec![Value::map([
                    ("resource_type", Value::string("instance")),
                    ("tags", Value::map([("Name", Value::string("web"))])),
                ])]),
            ),
        ])
    }

    #[test]
    fn template_data_is_sent_whole_with_metadata_defaults() {
        let data = template_data(&config()).unwrap();
        assert_eq!(data.image_id(), Some("ami-1"));
        assert_eq!(data.instance_type(), Some(&InstanceType::T3Micro));
        let ebs = data.block_device_mappings()[0].ebs().unwrap();
        assert_eq!(ebs.volume_size(), Some(30));
        assert_eq!(ebs.volume_type(), Some(&VolumeType::Gp3));
        assert_eq!(ebs.delete_on_termination(), Some(true));
        // Unset (unknown until AWS says) is not sent.
        assert_eq!(ebs.encrypted(), None);
        assert_eq!(ebs.iops(), None);
        let md = data.metadata_options().unwrap();
        assert_eq!(
            md.http_tokens(),
            Some(&LaunchTemplateHttpTokensState::Required)
        );
        assert_eq!(
            md.http_endpoint(),
            Some(&LaunchTemplateInstanceMetadataEndpointState::Enabled)
        );
        assert_eq!(md.http_put_response_hop_limit(), Some(1));
        assert!(data.iam_instance_profile().is_none());
        assert_eq!(
            data.tag_specifications()[0].resource_type(),
            Some(&Ec2Type::Instance)
        );
    }

    #[test]
    fn state_reads_the_latest_version_and_skips_the_templates_own_tags() {
        let t = LaunchTemplate::builder()
            .launch_template_id("lt-1")
            .launch_template_name("web")
            .created_by("arn:aws:iam::123456789012:root")
            .default_version_number(1)
            .latest_version_number(3)
            .tags(Tag::builder().key("ecsform:address").value("x").build())
            .build();
        let data = ResponseLaunchTemplateData::builder()
            .image_id("ami-1")
            .block_device_mappings(
                LaunchTemplateBlockDeviceMapping::builder()
                    .device_name("/dev/xvda")
                    .ebs(
                        LaunchTemplateEbsBlockDevice::builder()
                            .volume_size(30)
                            .encrypted(false)
                            .build(),
                    )
                    .build(),
            )
            .tag_specifications(
                LaunchTemplateTagSpecification::builder()
                    .resource_type(Ec2Type::LaunchTemplate)
                    .tags(Tag::builder().key("ecsform:address").value("x").build())
                    .build(),
            )
            .build();
        let v = LaunchTemplateVersion::builder()
            .launch_template_id("lt-1")
            .version_number(3)
            .version_description("third")
            .launch_template_data(data)
            .build();
        let s = template_state(&t, &v, "eu-west-1");
        let m = s.as_map().unwrap();
        assert_eq!(
            m["arn"],
            Value::string("arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-1")
        );
        assert_eq!(m["latest_version"], Value::number(3));
        assert_eq!(m["default_version"], Value::number(1));
        assert_eq!(m["description"], Value::string("third"));
        assert_eq!(m["tag_specifications"], Value::List(vec![]));
        let dev = m["block_device_mappings"].as_list().unwrap()[0]
            .as_map()
            .unwrap();
        assert_eq!(dev["device_name"], Value::string("/dev/xvda"));
        let ebs = dev["ebs"].as_list().unwrap()[0].as_map().unwrap();
        assert_eq!(ebs["volume_size"], Value::number(30));
        assert_eq!(ebs["encrypted"], Value::string("false"));
        assert_eq!(ebs["delete_on_termination"], Value::Null);
        assert_eq!(ebs["iops"], Value::Null);
        assert_eq!(m["tags"], Value::Map(BTreeMap::new()));
    }

    #[test]
    fn only_version_data_makes_a_new_version() {
        assert!(VERSION_DATA.contains(&"instance_type"));
        assert!(!VERSION_DATA.contains(&"tags"));
        assert!(!VERSION_DATA.contains(&"name"));
    }

    #[test]
    fn ebs_switches_are_the_providers_nullable_boolean_strings() {
        let with_ebs = |ebs: Value| {
            SCHEMA.conformed([(
                "block_device_mappings",
                Value::List(vec![Value::map([("ebs", Value::List(vec![ebs]))])]),
            )])
        };
        let sent = |config: &Value| {
            let data = template_data(config).unwrap();
            let e = data.block_device_mappings()[0].ebs().unwrap().clone();
            (e.encrypted(), e.delete_on_termination())
        };
        let c = with_ebs(Value::map([
            ("encrypted", Value::string("1")),
            ("delete_on_termination", Value::string("")),
        ]));
        assert_eq!(sent(&c), (Some(true), None));
        // A device name is optional, as in the provider.
        assert_eq!(
            template_data(&c).unwrap().block_device_mappings()[0].device_name(),
            None
        );
        // Normalized as AWS reads them back, so that the plan after apply is empty.
        let n = LaunchTemplateType.normalize(c);
        let ebs = &get_blocks(&get_blocks(&n, "block_device_mappings")[0], "ebs")[0];
        assert_eq!(get_str(ebs, "encrypted"), Some("true"));
        assert_eq!(attr(ebs, "delete_on_termination"), Value::Null);
        let bad = with_ebs(Value::map([("encrypted", Value::string("yes"))]));
        let e = template_data(&bad).unwrap_err();
        assert!(e.message.contains("ebs.encrypted"), "{}", e.message);
        // A boolean converts to the string, as Terraform converts it.
        let b = with_ebs(Value::map([("encrypted", Value::Bool(false))]));
        assert_eq!(sent(&b), (Some(false), None));
    }

    #[test]
    fn instance_settings_go_to_aws_and_read_back_in_the_providers_shape() {
        let one = |item: Value| Value::List(vec![item]);
        let config = SCHEMA.conformed([
            ("ebs_optimized", Value::string("1")),
            ("disable_api_termination", Value::Bool(true)),
            ("disable_api_stop", Value::Bool(false)),
            (
                "instance_initiated_shutdown_behavior",
                Value::string("terminate"),
            ),
            (
                "credit_specification",
                one(Value::map([("cpu_credits", Value::string("unlimited"))])),
            ),
            (
                "instance_market_options",
                one(Value::map([
                    ("market_type", Value::string("spot")),
                    (
                        "spot_options",
                        one(Value::map([
                            ("block_duration_minutes", Value::number(60)),
                            ("max_price", Value::string("0.05")),
                            ("spot_instance_type", Value::string("one-time")),
                            ("instance_interruption_behavior", Value::string("stop")),
                            // Read back in UTC.
                            ("valid_until", Value::string("2030-01-01T01:00:00+01:00")),
                        ])),
                    ),
                ])),
            ),
            (
                "private_dns_name_options",
                one(Value::map([
                    ("enable_resource_name_dns_a_record", Value::Bool(true)),
                    ("hostname_type", Value::string("ip-name")),
                ])),
            ),
        ]);
        let data = template_data(&config).unwrap();
        assert_eq!(data.ebs_optimized(), Some(true));
        assert_eq!(data.disable_api_termination(), Some(true));
        assert_eq!(data.disable_api_stop(), Some(false));
        assert_eq!(
            data.instance_initiated_shutdown_behavior(),
            Some(&ShutdownBehavior::Terminate)
        );
        assert_eq!(
            data.credit_specification().unwrap().cpu_credits(),
            Some("unlimited")
        );
        let market = data.instance_market_options().unwrap();
        assert_eq!(market.market_type(), Some(&MarketType::Spot));
        let spot = market.spot_options().unwrap();
        assert_eq!(spot.block_duration_minutes(), Some(60));
        assert_eq!(spot.spot_instance_type(), Some(&SpotInstanceType::OneTime));
        assert_eq!(
            spot.instance_interruption_behavior(),
            Some(&InstanceInterruptionBehavior::Stop)
        );
        assert_eq!(spot.valid_until().map(|t| t.secs()), Some(1_893_456_000));
        let dns = data.private_dns_name_options().unwrap();
        assert_eq!(dns.enable_resource_name_dns_a_record(), Some(true));
        assert_eq!(dns.enable_resource_name_dns_aaaa_record(), None);
        assert_eq!(dns.hostname_type(), Some(&HostnameType::IpName));

        // What AWS answers reads back as the configuration, once normalized.
        use aws_sdk_ec2::types::{
            CreditSpecification, LaunchTemplateInstanceMarketOptions,
            LaunchTemplatePrivateDnsNameOptions, LaunchTemplateSpotMarketOptions,
        };
        let response = ResponseLaunchTemplateData::builder()
            .ebs_optimized(true)
            .disable_api_termination(true)
            .disable_api_stop(false)
            .instance_initiated_shutdown_behavior(ShutdownBehavior::Terminate)
            .credit_specification(
                CreditSpecification::builder()
                    .cpu_credits("unlimited")
                    .build(),
            )
            .instance_market_options(
                LaunchTemplateInstanceMarketOptions::builder()
                    .market_type(MarketType::Spot)
                    .spot_options(
                        LaunchTemplateSpotMarketOptions::builder()
                            .block_duration_minutes(60)
                            .max_price("0.05")
                            .spot_instance_type(SpotInstanceType::OneTime)
                            .instance_interruption_behavior(InstanceInterruptionBehavior::Stop)
                            .valid_until(DateTime::from_secs(1_893_456_000))
                            .build(),
                    )
                    .build(),
            )
            .private_dns_name_options(
                LaunchTemplatePrivateDnsNameOptions::builder()
                    .enable_resource_name_dns_a_record(true)
                    .hostname_type(HostnameType::IpName)
                    .build(),
            )
            .build();
        let t = LaunchTemplate::builder().launch_template_id("lt-1").build();
        let v = LaunchTemplateVersion::builder()
            .launch_template_data(response)
            .build();
        let state = template_state(&t, &v, "eu-west-1");
        let expected = LaunchTemplateType.normalize(config);
        for name in [
            "ebs_optimized",
            "disable_api_termination",
            "disable_api_stop",
            "instance_initiated_shutdown_behavior",
            "credit_specification",
            "instance_market_options",
            "private_dns_name_options",
        ] {
            assert_eq!(attr(&state, name), attr(&expected, name), "{name}");
        }
        assert_eq!(get_str(&state, "ebs_optimized"), Some("true"));
        // Unset, AWS's choice stays unset.
        let empty = LaunchTemplateVersion::builder()
            .launch_template_data(ResponseLaunchTemplateData::builder().build())
            .build();
        let state = template_state(&t, &empty, "eu-west-1");
        assert_eq!(attr(&state, "ebs_optimized"), Value::Null);
        assert_eq!(attr(&state, "instance_market_options"), Value::List(vec![]));
    }

    #[test]
    fn network_interfaces_go_to_aws_and_read_back_in_the_providers_shape() {
        use aws_sdk_ec2::types::{
            InstanceIpv6Address, LaunchTemplateInstanceNetworkInterfaceSpecification,
        };
        let strings =
            |items: &[&str]| Value::List(items.iter().map(|s| Value::string(*s)).collect());
        let config = SCHEMA.conformed([(
            "network_interfaces",
            Value::List(vec![
                Value::map([
                    ("associate_public_ip_address", Value::string("1")),
                    ("delete_on_termination", Value::string("false")),
                    ("associate_carrier_ip_address", Value::string("")),
                    ("description", Value::string("primary")),
                    ("device_index", Value::number(0)),
                    ("security_groups", strings(&["sg-1", "sg-2"])),
                    ("subnet_id", Value::string("subnet-1")),
                    ("ipv4_addresses", strings(&["10.0.0.10"])),
                    ("ipv6_addresses", strings(&["2001:db8::1"])),
                    ("interface_type", Value::string("efa")),
                    ("network_card_index", Value::number(1)),
                ]),
                Value::map([
                    ("network_interface_id", Value::string("eni-1")),
                    ("private_ip_address", Value::string("10.0.1.5")),
                    ("ipv4_address_count", Value::number(2)),
                    ("ipv6_address_count", Value::number(1)),
                ]),
            ]),
        )]);
        let data = template_data(&config).unwrap();
        let [a, b] = data.network_interfaces() else {
            panic!("{:?}", data.network_interfaces())
        };
        assert_eq!(a.associate_public_ip_address(), Some(true));
        assert_eq!(a.delete_on_termination(), Some(false));
        assert_eq!(a.associate_carrier_ip_address(), None);
        assert_eq!(a.device_index(), Some(0));
        assert_eq!(a.groups(), ["sg-1", "sg-2"]);
        assert_eq!(
            a.private_ip_addresses()[0].private_ip_address(),
            Some("10.0.0.10")
        );
        assert_eq!(a.ipv6_addresses()[0].ipv6_address(), Some("2001:db8::1"));
        assert_eq!(a.interface_type(), Some("efa"));
        assert_eq!(a.network_card_index(), Some(1));
        // Left out, nothing is sent: no empty lists either.
        assert!(b.groups().is_empty());
        assert_eq!(b.device_index(), None);
        assert_eq!(b.network_interface_id(), Some("eni-1"));
        assert_eq!(b.private_ip_address(), Some("10.0.1.5"));
        assert_eq!(b.secondary_private_ip_address_count(), Some(2));
        assert_eq!(b.ipv6_address_count(), Some(1));

        let response = ResponseLaunchTemplateData::builder()
            .network_interfaces(
                LaunchTemplateInstanceNetworkInterfaceSpecification::builder()
                    .associate_public_ip_address(true)
                    .delete_on_termination(false)
                    .description("primary")
                    .device_index(0)
                    .groups("sg-2")
                    .groups("sg-1")
                    .subnet_id("subnet-1")
                    .private_ip_addresses(
                        PrivateIpAddressSpecification::builder()
                            .private_ip_address("10.0.0.10")
                            .build(),
                    )
                    .ipv6_addresses(
                        InstanceIpv6Address::builder()
                            .ipv6_address("2001:db8::1")
                            .build(),
                    )
                    .interface_type("efa")
                    .network_card_index(1)
                    .build(),
            )
            .network_interfaces(
                LaunchTemplateInstanceNetworkInterfaceSpecification::builder()
                    .network_interface_id("eni-1")
                    .private_ip_address("10.0.1.5")
                    .secondary_private_ip_address_count(2)
                    .ipv6_address_count(1)
                    .build(),
            )
            .build();
        let t = LaunchTemplate::builder().launch_template_id("lt-1").build();
        let v = LaunchTemplateVersion::builder()
            .launch_template_data(response)
            .build();
        let state = template_state(&t, &v, "eu-west-1");
        let expected = LaunchTemplateType.normalize(config);
        assert_eq!(
            attr(&state, "network_interfaces"),
            attr(&expected, "network_interfaces")
        );
        let read = &get_blocks(&state, "network_interfaces")[0];
        assert_eq!(get_str(read, "associate_public_ip_address"), Some("true"));
        assert_eq!(attr(read, "associate_carrier_ip_address"), Value::Null);
    }

    #[test]
    fn a_bad_time_or_switch_is_refused_with_its_path() {
        let config = SCHEMA.conformed([(
            "instance_market_options",
            Value::List(vec![Value::map([(
                "spot_options",
                Value::List(vec![Value::map([(
                    "valid_until",
                    Value::string("tomorrow"),
                )])]),
            )])]),
        )]);
        let e = template_data(&config).unwrap_err();
        assert!(
            e.message
                .contains("instance_market_options.spot_options.valid_until"),
            "{}",
            e.message
        );
        let config = SCHEMA.conformed([("ebs_optimized", Value::string("yes"))]);
        let e = template_data(&config).unwrap_err();
        assert!(e.message.starts_with("ebs_optimized:"), "{}", e.message);
        let config = SCHEMA.conformed([("ebs_optimized", Value::string(""))]);
        assert_eq!(template_data(&config).unwrap().ebs_optimized(), None);
    }

    #[test]
    fn the_schema_is_the_providers_nested_syntax() {
        let config = Value::map([(
            "block_device_mappings",
            Value::List(vec![Value::map([("ebs_volume_size", Value::number(30))])]),
        )]);
        let errors = SCHEMA.conform(&config).unwrap_err();
        assert_eq!(errors[0].path, ["block_device_mappings", "ebs_volume_size"]);
        let two = Value::map([(
            "block_device_mappings",
            Value::List(vec![Value::map([(
                "ebs",
                Value::List(vec![Value::map::<&str>([]), Value::map::<&str>([])]),
            )])]),
        )]);
        let errors = SCHEMA.conform(&two).unwrap_err();
        assert_eq!(errors[0].summary, "Too many \"ebs\" blocks");
        let tag_spec = Value::map([(
            "tag_specifications",
            Value::List(vec![Value::map([(
                "tags",
                Value::map([("Name", Value::string("web"))]),
            )])]),
        )]);
        assert!(SCHEMA.conform(&tag_spec).is_ok());
    }
}
