//! `aws_autoscaling_group`: an Auto Scaling group launched from a launch configuration or a
//! launch template, in subnets (`vpc_zone_identifier`) or zones.
//!
//! Everything but the name changes in place (`UpdateAutoScalingGroup`; target groups through
//! attach/detach; tags through CreateOrUpdateTags/DeleteTags; `enabled_metrics` and
//! `metrics_granularity` through Enable/DisableMetricsCollection). Tags are `tag` blocks as in
//! the AWS provider (there is no `tags` map, and the provider's `default_tags` do not apply);
//! ecsform's own `ecsform:*` tags are set at creation, not propagated to instances, and left
//! out of the `tag` blocks read back.
//!
//! After create and update, ecsform waits (`wait_for_capacity_timeout`, default `"10m"`,
//! `"0"` to skip) until `desired_capacity` (or `min_size`) instances are InService and
//! healthy. Deletion first scales the group to zero and waits for the instances to go, unless
//! `force_delete`, then waits for the group to disappear.
//!
//! `mixed_instances_policy` launches from a launch template with instance type `override`s
//! and an `instances_distribution` of on-demand and spot capacity; what is not set there
//! (the distribution, the overrides, the template's id or name) is what AWS reports. Its
//! overrides' `instance_requirements` are not supported yet.
//!
//! `instance_refresh` starts AWS's instance refresh (StartInstanceRefresh, with the group's
//! launch template or mixed instances policy as the desired configuration) when an update
//! changes `launch_configuration`, `launch_template` or `mixed_instances_policy`, or an
//! argument or block its `triggers` name; a refresh already running is cancelled first. As
//! in the AWS provider, apply does not wait for the refresh to finish, and creating a group
//! starts none. The block is not stored by AWS: it is kept as configured. It cannot be
//! combined with ecsform's own `rolling_update` (checked from `validate` on).
//!
//! AWS reports a group's launch template by both id and name; the state keeps the id alone
//! (the name only when AWS gives no id), so configure `launch_template` with `id`. A block
//! with only a `name` reads back differently and plans an in-place update on every run: the
//! planner has no optional-and-computed attributes inside blocks to absorb the difference.
//!
//! ecsform's own `rolling_update` block replaces the instances in batches, draining their ECS
//! tasks first, when a change reaches the launch template the group uses: when a plan does so
//! is in [`rolling_update`], the rollout against AWS in [`rollout`].

mod batch;
pub(crate) mod rolling_update;
mod rollout;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::aws::adopt::read_judged;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_autoscaling::operation::start_instance_refresh::builders::StartInstanceRefreshFluentBuilder;
use aws_sdk_autoscaling::types::{
    AlarmSpecification, AutoScalingGroup, DesiredConfiguration, EnabledMetric,
    InstancesDistribution, LaunchTemplate, LaunchTemplateOverrides, LaunchTemplateSpecification,
    MixedInstancesPolicy, RefreshPreferences, Tag,
};

use super::{attr, changed, create_call, prefix_of_unique_name, retry_while, unique_name};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, wait_until, ApiError, ErrorKind};
use crate::aws::paged::in_chunks;
use crate::aws::resource_type::States;
use crate::aws::rollout::{RollOut, Rollout, RolloutContext, RolloutEvent, RolloutQuery};
use crate::aws::tags::ECSFORM_PREFIX;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ResourceType, SettingError};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    block_object, get_block, get_blocks, get_bool, get_i32, get_number, get_str, get_strings,
    nested_object, opt_number, opt_str, state_object, string_set, strings,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct AutoscalingGroupType;

static DECLARATION: Declaration = Declaration::new(
    "aws_autoscaling_group",
    &SCHEMA,
    Adoption::NameAndTags,
)
.generated_name("name", "name_prefix", "terraform-");

static LAUNCH_TEMPLATE: &[AttrSchema] = attrs![
    optional String: id name version.default(Default::Str("$Default"));
];

static TAG: &[AttrSchema] = attrs![
    required String: key value;
    required Bool: propagate_at_launch;
];

/// A launch template named in `mixed_instances_policy`: unset fields are what AWS reports (it
/// fills in both the id and the name, and the version it uses).
static TEMPLATE_SPECIFICATION: &[AttrSchema] = attrs![
    optional_computed String: launch_template_id launch_template_name version;
];

static OVERRIDE: &[AttrSchema] = attrs![
    optional String: instance_type weighted_capacity;
];

/// How on-demand and spot capacity are mixed; AWS fills in what is not set.
static INSTANCES_DISTRIBUTION: &[AttrSchema] = attrs![
    optional_computed String: on_demand_allocation_strategy;
    optional_computed Number: on_demand_base_capacity on_demand_percentage_above_base_capacity;
    optional_computed String: spot_allocation_strategy;
    optional_computed Number: spot_instance_pools;
    optional String: spot_max_price;
];

static MIXED_LAUNCH_TEMPLATE: &[BlockSchema] = &[
    BlockSchema::list("launch_template_specification", TEMPLATE_SPECIFICATION)
        .min_items(1)
        .max_items(1),
    // Unset, AWS's overrides are kept (as in the AWS provider).
    BlockSchema::list("override", OVERRIDE)
        .computed()
        .blocks(&[
            BlockSchema::list("launch_template_specification", TEMPLATE_SPECIFICATION).max_items(1),
        ]),
];

static MIXED_INSTANCES_POLICY: &[BlockSchema] = &[
    // Unset, AWS's distribution is kept (AWS always reports one).
    BlockSchema::list("instances_distribution", INSTANCES_DISTRIBUTION)
        .max_items(1)
        .computed(),
    BlockSchema::list("launch_template", &[])
        .min_items(1)
        .max_items(1)
        .blocks(MIXED_LAUNCH_TEMPLATE),
];

static ALARM_SPECIFICATION: &[AttrSchema] = attrs![
    optional StringList: alarms;
];

/// An instance refresh's preferences, with the AWS provider's defaults.
static REFRESH_PREFERENCES: &[AttrSchema] = attrs![
    optional Bool: auto_rollback;
    optional String: checkpoint_delay;
    optional NumberList: checkpoint_percentages;
    optional String: instance_warmup;
    optional Number: max_healthy_percentage.default(Default::Number(100.0));
    optional Number: min_healthy_percentage.default(Default::Number(90.0));
    optional String: scale_in_protected_instances.default(Default::Str("Ignore"));
    optional Bool: skip_matching.default(Default::Bool(false));
    optional String: standby_instances.default(Default::Str("Ignore"));
];

/// AWS's instance refresh, started by an update (see the module doc). Nothing of it is
/// stored by AWS: it is kept as configured.
static INSTANCE_REFRESH: &[AttrSchema] = attrs![
    required String: strategy;
    optional StringSet: triggers;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        optional_computed String: name.force_new() name_prefix.force_new();
        required Number: min_size max_size;
        optional_computed Number: desired_capacity;
        optional_computed StringSet: vpc_zone_identifier availability_zones;
        optional String: launch_configuration;
        optional StringSet: target_group_arns;
        optional String: health_check_type.default(Default::Str("EC2"));
        optional Number: health_check_grace_period.default(Default::Number(300.0));
        optional_computed Number: default_cooldown;
        optional_computed StringList: termination_policies;
        optional Bool: protect_from_scale_in.default(Default::Bool(false));
        optional Number: max_instance_lifetime;
        optional String: desired_capacity_type;
        optional StringSet: enabled_metrics;
        optional String: metrics_granularity.default(Default::Str(DEFAULT_GRANULARITY));
        optional Bool: force_delete.default(Default::Bool(false)).local();
        optional String: wait_for_capacity_timeout.default(Default::Str("10m")).local();
        optional Number: min_elb_capacity.local();
        // ecsform's rolling replacement of the instances ([`rolling_update`]): the block as
        // written, and the mark an unfinished rollout leaves.
        optional Any: rolling_update.local();
        computed Any: rollout_pending.local();
    ],
    blocks: &[
        BlockSchema::list("launch_template", LAUNCH_TEMPLATE).max_items(1),
        BlockSchema::list("mixed_instances_policy", &[])
            .max_items(1)
            .blocks(MIXED_INSTANCES_POLICY),
        BlockSchema::list(REFRESH, INSTANCE_REFRESH)
            .max_items(1)
            .local()
            .blocks(&[BlockSchema::list("preferences", REFRESH_PREFERENCES)
                .max_items(1)
                .blocks(&[
                    BlockSchema::list("alarm_specification", ALARM_SPECIFICATION).max_items(1),
                ])]),
        BlockSchema::set("tag", TAG),
    ],
};

const REFRESH: &str = "instance_refresh";

/// The schema of the nested block at `path` (block names from the top of the resource).
fn block_at(path: &[&str]) -> &'static BlockSchema {
    let mut blocks = SCHEMA.blocks;
    let mut found = None;
    for name in path {
        let b = blocks
            .iter()
            .find(|b| b.name == *name)
            .expect("a block of the schema");
        blocks = b.blocks;
        found = Some(b);
    }
    found.expect("a non-empty path")
}

const MIXED: &str = "mixed_instances_policy";

/// A launch template specification of `mixed_instances_policy` (block `path`) as state.
fn specification_state(path: &[&str], s: &LaunchTemplateSpecification) -> Value {
    nested_object(
        block_at(path),
        [
            ("launch_template_id", opt_str(s.launch_template_id())),
            ("launch_template_name", opt_str(s.launch_template_name())),
            ("version", opt_str(s.version())),
        ],
    )
}

fn mixed_policy_state(p: &MixedInstancesPolicy) -> Value {
    let distribution = p.instances_distribution().map(|d| {
        nested_object(
            block_at(&[MIXED, "instances_distribution"]),
            [
                (
                    "on_demand_allocation_strategy",
                    opt_str(d.on_demand_allocation_strategy()),
                ),
                (
                    "on_demand_base_capacity",
                    opt_number(d.on_demand_base_capacity()),
                ),
                (
                    "on_demand_percentage_above_base_capacity",
                    opt_number(d.on_demand_percentage_above_base_capacity()),
                ),
                (
                    "spot_allocation_strategy",
                    opt_str(d.spot_allocation_strategy()),
                ),
                ("spot_instance_pools", opt_number(d.spot_instance_pools())),
                // AWS reports no price (or an empty one) for "the on-demand price".
                (
                    "spot_max_price",
                    opt_str(d.spot_max_price().filter(|p| !p.is_empty())),
                ),
            ],
        )
    });
    let template = p.launch_template().map(|t| {
        let spec_path = [MIXED, "launch_template", "launch_template_specification"];
        let overrides = t.overrides().iter().map(|o| {
            nested_object(
                block_at(&[MIXED, "launch_template", "override"]),
                [
                    ("instance_type", opt_str(o.instance_type())),
                    ("weighted_capacity", opt_str(o.weighted_capacity())),
                    (
                        "launch_template_specification",
                        Value::List(
                            o.launch_template_specification()
                                .map(|s| {
                                    specification_state(
                                        &[
                                            MIXED,
                                            "launch_template",
                                            "override",
                                            "launch_template_specification",
                                        ],
                                        s,
                                    )
                                })
                                .into_iter()
                                .collect(),
                        ),
                    ),
                ],
            )
        });
        nested_object(
            block_at(&[MIXED, "launch_template"]),
            [
                (
                    "launch_template_specification",
                    Value::List(
                        t.launch_template_specification()
                            .map(|s| specification_state(&spec_path, s))
                            .into_iter()
                            .collect(),
                    ),
                ),
                ("override", Value::List(overrides.collect())),
            ],
        )
    });
    nested_object(
        block_at(&[MIXED]),
        [
            (
                "instances_distribution",
                Value::List(distribution.into_iter().collect()),
            ),
            (
                "launch_template",
                Value::List(template.into_iter().collect()),
            ),
        ],
    )
}

/// A `launch_template_specification` block as AWS takes it.
fn specification_request(s: &Value) -> LaunchTemplateSpecification {
    LaunchTemplateSpecification::builder()
        .set_launch_template_id(get_str(s, "launch_template_id").map(String::from))
        .set_launch_template_name(get_str(s, "launch_template_name").map(String::from))
        .set_version(get_str(s, "version").map(String::from))
        .build()
}

/// The `mixed_instances_policy` of `planned`, if any, as AWS takes it. `replace_overrides`:
/// send the overrides even when there are none (an update that removes them all).
fn mixed_policy_request(planned: &Value, replace_overrides: bool) -> Option<MixedInstancesPolicy> {
    let p = get_block(planned, MIXED)?;
    let distribution = get_block(p, "instances_distribution").map(|d| {
        InstancesDistribution::builder()
            .set_on_demand_allocation_strategy(
                get_str(d, "on_demand_allocation_strategy").map(String::from),
            )
            .set_on_demand_base_capacity(get_i32(d, "on_demand_base_capacity"))
            .set_on_demand_percentage_above_base_capacity(get_i32(
                d,
                "on_demand_percentage_above_base_capacity",
            ))
            .set_spot_allocation_strategy(get_str(d, "spot_allocation_strategy").map(String::from))
            .set_spot_instance_pools(get_i32(d, "spot_instance_pools"))
            .set_spot_max_price(get_str(d, "spot_max_price").map(String::from))
            .build()
    });
    let template = get_block(p, "launch_template").map(|t| {
        let overrides: Vec<LaunchTemplateOverrides> = get_blocks(t, "override")
            .iter()
            .map(|o| {
                LaunchTemplateOverrides::builder()
                    .set_instance_type(get_str(o, "instance_type").map(String::from))
                    .set_weighted_capacity(get_str(o, "weighted_capacity").map(String::from))
                    .set_launch_template_specification(
                        get_block(o, "launch_template_specification").map(specification_request),
                    )
                    .build()
            })
            .collect();
        LaunchTemplate::builder()
            .set_launch_template_specification(
                get_block(t, "launch_template_specification").map(specification_request),
            )
            .set_overrides((replace_overrides || !overrides.is_empty()).then_some(overrides))
            .build()
    });
    Some(
        MixedInstancesPolicy::builder()
            .set_launch_template(template)
            .set_instances_distribution(distribution)
            .build(),
    )
}

/// The only granularity AWS offers, and the AWS provider's default.
const DEFAULT_GRANULARITY: &str = "1Minute";

/// Attributes AWS does not store: kept from the planned value.
const LOCAL: &[&str] = &[
    "force_delete",
    "wait_for_capacity_timeout",
    "min_elb_capacity",
    "rolling_update",
    "rollout_pending",
];

/// How long deletion waits for instances to terminate and the group to disappear.
const DELETE_LIMIT: Duration = Duration::from_secs(10 * 60);
const POLL: Duration = Duration::from_secs(5);
/// AWS caps `AutoScalingGroupNames` at 100 per request.
const NAMES_PER_REQUEST: usize = 100;

/// Parses a Go-style duration as the AWS provider takes it: `"10m"`, `"1h30m"`, `"90s"`,
/// `"0"`.
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = 0f64;
    let mut number = String::new();
    let mut chars = s.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            unit.push(chars.next()?);
        }
        let n: f64 = number.parse().ok()?;
        number.clear();
        total += n * match unit.as_str() {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return None,
        };
        any = true;
    }
    (number.is_empty() && any).then(|| Duration::from_secs_f64(total))
}

fn group_state(g: &AutoScalingGroup) -> Option<(String, Value)> {
    let name = g.auto_scaling_group_name()?.to_string();
    let subnets: Vec<String> = g
        .vpc_zone_identifier()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let tags: Vec<Value> = g
        .tags()
        .iter()
        .filter(|t| !t.key().unwrap_or_default().starts_with(ECSFORM_PREFIX))
        .map(|t| {
            block_object(
                TAG,
                [
                    ("key", opt_str(t.key())),
                    ("value", Value::string(t.value().unwrap_or_default())),
                    (
                        "propagate_at_launch",
                        Value::Bool(t.propagate_at_launch().unwrap_or(false)),
                    ),
                ],
            )
        })
        .collect();
    let template = g.launch_template().map(|t| {
        block_object(
            LAUNCH_TEMPLATE,
            [
                ("id", opt_str(t.launch_template_id())),
                // AWS reports both; the id alone is the canonical form (see the module doc).
                (
                    "name",
                    opt_str(
                        t.launch_template_name()
                            .filter(|_| t.launch_template_id().is_none()),
                    ),
                ),
                ("version", Value::string(t.version().unwrap_or("$Default"))),
            ],
        )
    });
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&name)),
            ("arn", opt_str(g.auto_scaling_group_arn())),
            ("name", Value::string(&name)),
            ("name_prefix", opt_str(prefix_of_unique_name(&name))),
            ("min_size", opt_number(g.min_size())),
            ("max_size", opt_number(g.max_size())),
            ("desired_capacity", opt_number(g.desired_capacity())),
            (
                "vpc_zone_identifier",
                if subnets.is_empty() {
                    Value::Null
                } else {
                    string_set(subnets)
                },
            ),
            (
                "availability_zones",
                string_set(g.availability_zones().iter().cloned()),
            ),
            (
                "launch_configuration",
                opt_str(g.launch_configuration_name()),
            ),
            (
                "target_group_arns",
                if g.target_group_arns().is_empty() {
                    Value::Null
                } else {
                    string_set(g.target_group_arns().iter().cloned())
                },
            ),
            ("health_check_type", opt_str(g.health_check_type())),
            (
                "health_check_grace_period",
                opt_number(g.health_check_grace_period()),
            ),
            ("default_cooldown", opt_number(g.default_cooldown())),
            (
                "termination_policies",
                strings(g.termination_policies().iter().cloned()),
            ),
            (
                "protect_from_scale_in",
                Value::Bool(g.new_instances_protected_from_scale_in().unwrap_or(false)),
            ),
            (
                "max_instance_lifetime",
                // AWS reports 0 for "no maximum", as it takes it.
                opt_number(g.max_instance_lifetime().filter(|l| *l != 0)),
            ),
            ("desired_capacity_type", opt_str(g.desired_capacity_type())),
            ("enabled_metrics", metrics_state(g.enabled_metrics())),
            (
                "metrics_granularity",
                Value::string(
                    g.enabled_metrics()
                        .iter()
                        .find_map(|m| m.granularity())
                        .unwrap_or(DEFAULT_GRANULARITY),
                ),
            ),
            ("force_delete", Value::Bool(false)),
            ("wait_for_capacity_timeout", Value::string("10m")),
            ("min_elb_capacity", Value::Null),
            (
                "launch_template",
                Value::List(template.into_iter().collect()),
            ),
            (
                MIXED,
                Value::List(
                    g.mixed_instances_policy()
                        .map(mixed_policy_state)
                        .into_iter()
                        .collect(),
                ),
            ),
            ("tag", Value::set(tags)),
        ],
    );
    Some((name, state))
}

/// The metrics a group collects, by name; null (as when not configured) for none.
fn metrics_state(metrics: &[EnabledMetric]) -> Value {
    if metrics.is_empty() {
        Value::Null
    } else {
        string_set(metrics.iter().filter_map(|m| m.metric().map(String::from)))
    }
}

/// The metrics collection calls that bring a group from collecting `before` (at
/// `before_granularity`) to `after`: the metrics to disable, and those to enable (all of
/// `after` when anything is added or the granularity changes, as enabling one that is on
/// already does no harm).
fn metrics_changes(
    before: &[String],
    before_granularity: Option<&str>,
    after: &[String],
    after_granularity: Option<&str>,
) -> (Vec<String>, Vec<String>) {
    let disable: Vec<String> = before
        .iter()
        .filter(|m| !after.contains(m))
        .cloned()
        .collect();
    let added = after.iter().any(|m| !before.contains(m));
    let enable = if added || before_granularity != after_granularity {
        after.to_vec()
    } else {
        Vec::new()
    };
    (disable, enable)
}

/// Makes group `name` collect the metrics `planned` asks for, given that it collects those of
/// `prior` (nothing for a new group).
async fn sync_metrics(
    clients: &AwsClients,
    name: &str,
    prior: Option<&Value>,
    planned: &Value,
) -> Result<()> {
    let (disable, enable) = metrics_changes(
        &prior
            .map(|p| get_strings(p, "enabled_metrics"))
            .unwrap_or_default(),
        prior.and_then(|p| get_str(p, "metrics_granularity")),
        &get_strings(planned, "enabled_metrics"),
        get_str(planned, "metrics_granularity"),
    );
    // Both calls take an empty list to mean every metric: never sent empty.
    if !disable.is_empty() {
        call(|| {
            clients
                .autoscaling
                .disable_metrics_collection()
                .auto_scaling_group_name(name)
                .set_metrics(Some(disable.clone()))
                .send()
        })
        .await?;
    }
    if !enable.is_empty() {
        let granularity = get_str(planned, "metrics_granularity").unwrap_or(DEFAULT_GRANULARITY);
        call(|| {
            clients
                .autoscaling
                .enable_metrics_collection()
                .auto_scaling_group_name(name)
                .set_metrics(Some(enable.clone()))
                .granularity(granularity)
                .send()
        })
        .await?;
    }
    Ok(())
}

/// Attributes and blocks AWS does not store, carried over from the planned value.
fn with_local(state: Value, planned: &Value) -> Value {
    let refresh = attr(planned, REFRESH);
    super::with_attrs(
        state,
        LOCAL
            .iter()
            .map(|a| {
                // A new group has no rollout mark (planned as unknown, being computed).
                let v = attr(planned, a);
                (*a, if v.is_known() { v } else { Value::Null })
            })
            .chain([(
                REFRESH,
                if refresh.is_null() {
                    Value::List(Vec::new())
                } else {
                    refresh
                },
            )]),
    )
}

/// The launch template `planned` names, if any.
fn template_spec(planned: &Value) -> Option<LaunchTemplateSpecification> {
    get_blocks(planned, "launch_template").first().map(|t| {
        LaunchTemplateSpecification::builder()
            .set_launch_template_id(get_str(t, "id").map(String::from))
            .set_launch_template_name(get_str(t, "name").map(String::from))
            .set_version(get_str(t, "version").map(String::from))
            .build()
    })
}

/// The `tag` blocks of `v` as Auto Scaling tags of group `name`, by key.
fn tag_blocks(name: &str, v: &Value) -> BTreeMap<String, Tag> {
    get_blocks(v, "tag")
        .iter()
        .filter_map(|t| {
            let key = get_str(t, "key")?.to_string();
            let tag = Tag::builder()
                .resource_id(name)
                .resource_type("auto-scaling-group")
                .key(&key)
                .value(get_str(t, "value").unwrap_or_default())
                .propagate_at_launch(get_bool(t, "propagate_at_launch").unwrap_or(false))
                .build();
            Some((key, tag))
        })
        .collect()
}

/// The tags to set at creation: the `tag` blocks and ecsform's own (not propagated).
fn creation_tags(name: &str, planned: &Value, extra: &BTreeMap<String, String>) -> Vec<Tag> {
    let mut tags = tag_blocks(name, planned);
    for (k, v) in extra.iter().filter(|(k, _)| k.starts_with(ECSFORM_PREFIX)) {
        tags.insert(
            k.clone(),
            Tag::builder()
                .resource_id(name)
                .resource_type("auto-scaling-group")
                .key(k)
                .value(v)
                .propagate_at_launch(false)
                .build(),
        );
    }
    tags.into_values().collect()
}

fn create_request(
    clients: &AwsClients,
    name: &str,
    planned: &Value,
    extra: &BTreeMap<String, String>,
) -> aws_sdk_autoscaling::operation::create_auto_scaling_group::builders::CreateAutoScalingGroupFluentBuilder{
    let subnets = get_strings(planned, "vpc_zone_identifier");
    let zones = get_strings(planned, "availability_zones");
    let tgs = get_strings(planned, "target_group_arns");
    let policies = get_strings(planned, "termination_policies");
    clients
        .autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name(name)
        .set_min_size(get_i32(planned, "min_size"))
        .set_max_size(get_i32(planned, "max_size"))
        .set_desired_capacity(get_i32(planned, "desired_capacity"))
        .set_vpc_zone_identifier((!subnets.is_empty()).then(|| subnets.join(",")))
        .set_availability_zones((!zones.is_empty()).then_some(zones))
        .set_launch_configuration_name(get_str(planned, "launch_configuration").map(String::from))
        .set_launch_template(template_spec(planned))
        .set_mixed_instances_policy(mixed_policy_request(planned, false))
        .set_target_group_arns((!tgs.is_empty()).then_some(tgs))
        .set_health_check_type(get_str(planned, "health_check_type").map(String::from))
        .set_health_check_grace_period(get_i32(planned, "health_check_grace_period"))
        .set_default_cooldown(get_i32(planned, "default_cooldown"))
        .set_termination_policies((!policies.is_empty()).then_some(policies))
        .set_new_instances_protected_from_scale_in(get_bool(planned, "protect_from_scale_in"))
        .set_max_instance_lifetime(get_i32(planned, "max_instance_lifetime"))
        .set_desired_capacity_type(get_str(planned, "desired_capacity_type").map(String::from))
        .set_tags(Some(creation_tags(name, planned, extra)))
}

/// Describes groups by name (names AWS does not know are left out), deleted ones included.
pub(crate) async fn describe(
    clients: &AwsClients,
    names: &[String],
) -> Result<Vec<AutoScalingGroup>> {
    in_chunks(names, NAMES_PER_REQUEST, |chunk| {
        call(move || {
            clients
                .autoscaling
                .describe_auto_scaling_groups()
                .set_auto_scaling_group_names(Some(chunk.clone()))
                .into_paginator()
                .items()
                .send()
                .try_collect()
        })
    })
    .await
}

/// The group named `name`, if AWS knows it (deleted ones included).
async fn describe_one(clients: &AwsClients, name: &str) -> Result<Option<AutoScalingGroup>> {
    Ok(describe(clients, &[name.to_string()])
        .await?
        .into_iter()
        .find(|g| g.auto_scaling_group_name() == Some(name)))
}

fn being_deleted(g: &AutoScalingGroup) -> bool {
    g.status().is_some_and(|s| s.starts_with("Delete"))
}

/// How many of the group's instances are InService and healthy.
fn in_service(g: &AutoScalingGroup) -> usize {
    g.instances()
        .iter()
        .filter(|i| i.lifecycle_state().map(|s| s.as_str()) == Some("InService"))
        .filter(|i| {
            i.health_status()
                .is_none_or(|h| h.eq_ignore_ascii_case("Healthy"))
        })
        .count()
}

/// Waits until the group has its wanted capacity in service, as `wait_for_capacity_timeout`
/// allows.
async fn wait_for_capacity(clients: &AwsClients, name: &str, planned: &Value) -> Result<()> {
    let timeout = get_str(planned, "wait_for_capacity_timeout").unwrap_or("10m");
    let limit = parse_duration(timeout).ok_or_else(|| {
        ApiError::new(
            ErrorKind::Invalid,
            "InvalidParameterValue",
            format!("wait_for_capacity_timeout: {timeout:?} is not a duration such as \"10m\""),
        )
    })?;
    if limit.is_zero() {
        return Ok(());
    }
    let want = get_number(planned, "desired_capacity")
        .or(get_number(planned, "min_size"))
        .unwrap_or(0.0) as usize;
    let want = want.max(get_number(planned, "min_elb_capacity").unwrap_or(0.0) as usize);
    wait_until(
        &format!("Auto Scaling group {name} to have {want} healthy instances in service"),
        POLL,
        limit,
        || async {
            let g = describe_one(clients, name).await?;
            Ok(g.filter(|g| in_service(g) >= want).map(|_| ()))
        },
    )
    .await
}

async fn read_back(clients: &AwsClients, name: &str, planned: &Value) -> Result<Value> {
    let g = wait_until(
        &format!("Auto Scaling group {name} to become visible"),
        Duration::from_secs(1),
        super::VISIBILITY_LIMIT,
        || describe_one(clients, name),
    )
    .await?;
    let (_, state) = group_state(&g).ok_or_else(|| ApiError::malformed("group without a name"))?;
    Ok(with_local(state, planned))
}

/// Brings target groups and tags from `prior` to `planned`.
async fn sync_attachments(
    clients: &AwsClients,
    name: &str,
    prior: &Value,
    planned: &Value,
) -> Result<()> {
    let before: BTreeSet<String> = get_strings(prior, "target_group_arns")
        .into_iter()
        .collect();
    let after: BTreeSet<String> = get_strings(planned, "target_group_arns")
        .into_iter()
        .collect();
    let detach: Vec<String> = before.difference(&after).cloned().collect();
    let attach: Vec<String> = after.difference(&before).cloned().collect();
    if !detach.is_empty() {
        call(|| {
            clients
                .autoscaling
                .detach_load_balancer_target_groups()
                .auto_scaling_group_name(name)
                .set_target_group_arns(Some(detach.clone()))
                .send()
        })
        .await?;
    }
    if !attach.is_empty() {
        call(|| {
            clients
                .autoscaling
                .attach_load_balancer_target_groups()
                .auto_scaling_group_name(name)
                .set_target_group_arns(Some(attach.clone()))
                .send()
        })
        .await?;
    }
    let old = tag_blocks(name, prior);
    let new = tag_blocks(name, planned);
    let removed: Vec<Tag> = old
        .iter()
        .filter(|(k, _)| !new.contains_key(*k))
        .map(|(_, t)| t.clone())
        .collect();
    let upserted: Vec<Tag> = new
        .iter()
        .filter(|(k, t)| old.get(*k) != Some(t))
        .map(|(_, t)| t.clone())
        .collect();
    if !removed.is_empty() {
        call(|| {
            clients
                .autoscaling
                .delete_tags()
                .set_tags(Some(removed.clone()))
                .send()
        })
        .await?;
    }
    if !upserted.is_empty() {
        call(|| {
            clients
                .autoscaling
                .create_or_update_tags()
                .set_tags(Some(upserted.clone()))
                .send()
        })
        .await?;
    }
    Ok(())
}

/// True when an update from `prior` to `planned` starts AWS's instance refresh: the group has
/// an `instance_refresh` block, and its launch configuration, launch template or mixed
/// instances policy changes, or an argument or block its `triggers` name.
fn refresh_wanted(prior: &Value, planned: &Value) -> bool {
    let Some(refresh) = get_block(planned, REFRESH) else {
        return false;
    };
    ["launch_configuration", "launch_template", MIXED]
        .iter()
        .any(|a| changed(prior, planned, a))
        || get_strings(refresh, "triggers")
            .iter()
            .any(|t| changed(prior, planned, t))
}

/// A whole number of seconds written as a string (`instance_warmup`, `checkpoint_delay`;
/// empty is unset, as in the AWS provider).
fn seconds(p: &Value, name: &str) -> Result<Option<i32>> {
    match get_str(p, name).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse::<i32>().ok().filter(|n| *n >= 0).map(Some).ok_or_else(|| {
            ApiError::new(
                ErrorKind::Invalid,
                "InvalidParameterValue",
                format!("instance_refresh preferences {name}: {s:?} is not a whole number of seconds"),
            )
        }),
    }
}

/// The StartInstanceRefresh request for group `name` as `planned` configures it.
fn refresh_request(
    clients: &AwsClients,
    name: &str,
    planned: &Value,
) -> Result<StartInstanceRefreshFluentBuilder> {
    let refresh = get_block(planned, REFRESH).cloned().unwrap_or(Value::Null);
    let preferences = match get_block(&refresh, "preferences") {
        None => None,
        Some(p) => {
            let checkpoints: Vec<i32> = match attr(p, "checkpoint_percentages").unmarked() {
                Value::List(items) => items
                    .iter()
                    .filter_map(|n| n.as_number().map(|n| n as i32))
                    .collect(),
                _ => Vec::new(),
            };
            Some(
                RefreshPreferences::builder()
                    .set_auto_rollback(get_bool(p, "auto_rollback"))
                    .set_checkpoint_delay(seconds(p, "checkpoint_delay")?)
                    .set_checkpoint_percentages((!checkpoints.is_empty()).then_some(checkpoints))
                    .set_instance_warmup(seconds(p, "instance_warmup")?)
                    .set_max_healthy_percentage(get_i32(p, "max_healthy_percentage"))
                    .set_min_healthy_percentage(get_i32(p, "min_healthy_percentage"))
                    .set_scale_in_protected_instances(
                        get_str(p, "scale_in_protected_instances").map(Into::into),
                    )
                    .set_skip_matching(get_bool(p, "skip_matching"))
                    .set_standby_instances(get_str(p, "standby_instances").map(Into::into))
                    .set_alarm_specification(get_block(p, "alarm_specification").map(|a| {
                        AlarmSpecification::builder()
                            .set_alarms(Some(get_strings(a, "alarms")))
                            .build()
                    }))
                    .build(),
            )
        }
    };
    let template = template_spec(planned);
    let mixed = mixed_policy_request(planned, true);
    let desired = (template.is_some() || mixed.is_some()).then(|| {
        DesiredConfiguration::builder()
            .set_launch_template(template)
            .set_mixed_instances_policy(mixed)
            .build()
    });
    Ok(clients
        .autoscaling
        .start_instance_refresh()
        .auto_scaling_group_name(name)
        .set_strategy(get_str(&refresh, "strategy").map(Into::into))
        .set_desired_configuration(desired)
        .set_preferences(preferences))
}

/// Starts AWS's instance refresh of group `name`, as the AWS provider does: one already
/// running is cancelled first. ecsform does not wait for the refresh to finish.
async fn start_refresh(clients: &AwsClients, name: &str, planned: &Value) -> Result<()> {
    let req = refresh_request(clients, name, planned)?;
    let start = || async { call(|| req.clone().send()).await };
    match start().await {
        Err(e) if e.is_instance_refresh_in_progress() => {}
        r => return r.map(|_| ()),
    }
    let cancelled = call(|| {
        clients
            .autoscaling
            .cancel_instance_refresh()
            .auto_scaling_group_name(name)
            .send()
    })
    .await;
    match cancelled {
        Err(e) if e.is_no_active_instance_refresh() => {}
        r => {
            r?;
        }
    }
    wait_until(
        &format!("the running instance refresh of Auto Scaling group {name} to be cancelled"),
        POLL,
        DELETE_LIMIT,
        || async {
            let latest = call(|| {
                clients
                    .autoscaling
                    .describe_instance_refreshes()
                    .auto_scaling_group_name(name)
                    .max_records(1)
                    .send()
            })
            .await?;
            let running = latest.instance_refreshes().first().is_some_and(|r| {
                matches!(
                    r.status().map(|s| s.as_str()),
                    Some("Pending" | "InProgress" | "Cancelling" | "Baking" | "RollbackInProgress")
                )
            });
            Ok((!running).then_some(()))
        },
    )
    .await?;
    start().await.map(|_| ())
}

#[async_trait]
impl ResourceType for AutoscalingGroupType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        let found = describe_one(clients, name)
            .await?
            .map(|g| {
                let tags = g
                    .tags()
                    .iter()
                    .filter_map(|t| {
                        Some((t.key()?.to_string(), t.value().unwrap_or("").to_string()))
                    })
                    .collect();
                (name.to_string(), tags)
            })
            .into_iter()
            .collect();
        read_judged(self, clients, owner, found).await
    }

    fn import_id_format(&self) -> &'static str {
        "the Auto Scaling group name"
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        Ok(describe(clients, ids)
            .await?
            .iter()
            .filter(|g| !being_deleted(g))
            .filter_map(group_state)
            .filter(|(id, _)| ids.contains(id))
            .collect())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let name = match (get_str(planned, "name"), get_str(planned, "name_prefix")) {
            (Some(n), _) => n.to_string(),
            (None, Some(p)) => unique_name(p),
            (None, None) => unique_name("terraform-"),
        };
        // Retried while a launch configuration or template made a moment ago is not visible.
        retry_while(
            &format!("Auto Scaling group {name} to be created"),
            super::VISIBILITY_LIMIT,
            ApiError::is_not_found_or_unknown_name,
            || {
                create_call("Auto Scaling group to be created", || async {
                    create_request(ctx.clients, &name, planned, ctx.extra_tags)
                        .send()
                        .await
                        .map_err(from_sdk)
                })
            },
        )
        .await?;
        sync_metrics(ctx.clients, &name, None, planned).await?;
        wait_for_capacity(ctx.clients, &name, planned).await?;
        read_back(ctx.clients, &name, planned).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let name = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let set = |a: &str| changed(prior, planned, a);
        let group_fields = [
            "min_size",
            "max_size",
            "desired_capacity",
            "vpc_zone_identifier",
            "availability_zones",
            "launch_configuration",
            "launch_template",
            MIXED,
            "health_check_type",
            "health_check_grace_period",
            "default_cooldown",
            "termination_policies",
            "protect_from_scale_in",
            "max_instance_lifetime",
            "desired_capacity_type",
        ];
        if group_fields.iter().any(|a| set(a)) {
            let subnets = get_strings(planned, "vpc_zone_identifier");
            let zones = get_strings(planned, "availability_zones");
            let mut req = ctx
                .clients
                .autoscaling
                .update_auto_scaling_group()
                .auto_scaling_group_name(name)
                .set_min_size(get_i32(planned, "min_size"))
                .set_max_size(get_i32(planned, "max_size"))
                .set_health_check_type(get_str(planned, "health_check_type").map(String::from))
                .set_health_check_grace_period(get_i32(planned, "health_check_grace_period"))
                .set_new_instances_protected_from_scale_in(get_bool(
                    planned,
                    "protect_from_scale_in",
                ));
            // Unchanged values are left out: the desired capacity may have been moved by
            // scaling policies since, and AWS derives the zones from the subnets.
            if set("desired_capacity") {
                req = req.set_desired_capacity(get_i32(planned, "desired_capacity"));
            }
            if set("vpc_zone_identifier") && !subnets.is_empty() {
                req = req.vpc_zone_identifier(subnets.join(","));
            }
            if set("availability_zones") && !zones.is_empty() {
                req = req.set_availability_zones(Some(zones));
            }
            if set("launch_configuration") || set("launch_template") || set(MIXED) {
                req = req
                    .set_launch_configuration_name(
                        get_str(planned, "launch_configuration").map(String::from),
                    )
                    .set_launch_template(template_spec(planned))
                    .set_mixed_instances_policy(mixed_policy_request(planned, true));
            }
            if set("default_cooldown") {
                req = req.set_default_cooldown(get_i32(planned, "default_cooldown"));
            }
            if set("termination_policies") {
                req = req
                    .set_termination_policies(Some(get_strings(planned, "termination_policies")));
            }
            if set("max_instance_lifetime") {
                // 0 clears the maximum.
                req = req
                    .max_instance_lifetime(get_i32(planned, "max_instance_lifetime").unwrap_or(0));
            }
            if set("desired_capacity_type") {
                // AWS has no way back to "not set": `units` is what not set means.
                req = req.desired_capacity_type(
                    get_str(planned, "desired_capacity_type").unwrap_or("units"),
                );
            }
            retry_while(
                &format!("Auto Scaling group {name} to be updated"),
                super::VISIBILITY_LIMIT,
                ApiError::is_scaling_busy,
                || async { req.clone().send().await.map_err(from_sdk) },
            )
            .await?;
        }
        sync_attachments(ctx.clients, name, prior, planned).await?;
        if set("enabled_metrics") || set("metrics_granularity") {
            sync_metrics(ctx.clients, name, Some(prior), planned).await?;
        }
        if refresh_wanted(prior, planned) {
            start_refresh(ctx.clients, name, planned).await?;
        }
        wait_for_capacity(ctx.clients, name, planned).await?;
        read_back(ctx.clients, name, planned).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Some(name) = get_str(prior, "id") else {
            return Ok(());
        };
        let clients = ctx.clients;
        let force = get_bool(prior, "force_delete").unwrap_or(false);
        if describe_one(clients, name).await?.is_none() {
            return Ok(());
        }
        if !force {
            // Drain first, so that deletion does not fail on instances still running.
            let drained = retry_while(
                &format!("Auto Scaling group {name} to scale to zero"),
                DELETE_LIMIT,
                ApiError::is_scaling_busy,
                || async {
                    clients
                        .autoscaling
                        .update_auto_scaling_group()
                        .auto_scaling_group_name(name)
                        .min_size(0)
                        .max_size(0)
                        .desired_capacity(0)
                        .send()
                        .await
                        .map_err(from_sdk)
                },
            )
            .await;
            match drained {
                Err(e) if e.is_not_found_or_unknown_name() => return Ok(()),
                r => r?,
            };
            wait_until(
                &format!("the instances of Auto Scaling group {name} to terminate"),
                POLL,
                DELETE_LIMIT,
                || async {
                    let g = describe_one(clients, name).await?;
                    Ok(g.is_none_or(|g| g.instances().is_empty()).then_some(()))
                },
            )
            .await?;
        }
        let deleted = retry_while(
            &format!("Auto Scaling group {name} to be deleted"),
            DELETE_LIMIT,
            ApiError::is_scaling_busy,
            || async {
                clients
                    .autoscaling
                    .delete_auto_scaling_group()
                    .auto_scaling_group_name(name)
                    .force_delete(force)
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await;
        match deleted {
            Err(e) if e.is_not_found_or_unknown_name() => return Ok(()),
            r => r?,
        };
        wait_until(
            &format!("Auto Scaling group {name} to be deleted"),
            POLL,
            DELETE_LIMIT,
            || async { Ok(describe_one(clients, name).await?.is_none().then_some(())) },
        )
        .await
    }

    /// A `rolling_update` block's mistakes, and the `instance_refresh` block's `triggers` that
    /// always trigger or are not the group's arguments.
    fn validate(&self, config: &Value) -> Vec<SettingError> {
        let mut errors = rolling_update::RollingSettings::from_group(config)
            .err()
            .unwrap_or_default();
        errors.extend(rolling_update::refresh_trigger_errors(
            config,
            self.schema(),
        ));
        errors
    }

    fn rollout(&self, change: &RolloutQuery<'_>) -> Option<Rollout> {
        rolling_update::rollout(change)
    }

    /// The instances an unfinished rollout left, or every live instance.
    async fn rollout_size(&self, clients: &AwsClients, object: &Value) -> Option<usize> {
        rollout::instances_to_replace(clients, object).await
    }

    fn roll_out<'a>(
        &'a self,
        ctx: &'a RolloutContext<'a>,
        object: &'a Value,
        events: &'a mut dyn FnMut(RolloutEvent),
    ) -> RollOut<'a> {
        Box::pin(rollout::roll_out(ctx, object, events))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;
    use aws_sdk_autoscaling::types::{Instance, LifecycleState, TagDescription};

    #[test]
    fn durations_parse_like_go() {
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("0s"), Some(Duration::ZERO));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("ten minutes"), None);
    }

    #[test]
    fn creation_tags_add_ecsforms_own_unpropagated() {
        let planned = SCHEMA.conformed([
            ("min_size", Value::number(1)),
            ("max_size", Value::number(2)),
            (
                "tag",
                Value::List(vec![Value::map([
                    ("key", Value::string("Name")),
                    ("value", Value::string("web")),
                    ("propagate_at_launch", Value::Bool(true)),
                ])]),
            ),
        ]);
        let extra = BTreeMap::from([
            (
                "ecsform:address".to_string(),
                "aws_autoscaling_group.web".to_string(),
            ),
            ("Team".to_string(), "default-tag".to_string()),
        ]);
        let req = create_request(&offline_clients(), "web", &planned, &extra);
        let tags = req.as_input().get_tags().clone().unwrap();
        let keys: Vec<_> = tags.iter().filter_map(|t| t.key()).collect();
        assert_eq!(keys, ["Name", "ecsform:address"]);
        assert_eq!(tags[0].propagate_at_launch(), Some(true));
        assert_eq!(tags[1].propagate_at_launch(), Some(false));
        assert_eq!(tags[1].resource_id(), Some("web"));
        assert_eq!(
            req.as_input().get_health_check_type().as_deref(),
            Some("EC2")
        );
    }

    #[test]
    fn state_hides_ecsform_tags_and_counts_healthy_instances() {
        let g = AutoScalingGroup::builder()
            .auto_scaling_group_name("web")
            .min_size(1)
            .max_size(3)
            .desired_capacity(2)
            .vpc_zone_identifier("subnet-1,subnet-2")
            .tags(
                TagDescription::builder()
                    .key("ecsform:lineage")
                    .value("x")
                    .build(),
            )
            .tags(
                TagDescription::builder()
                    .key("Name")
                    .value("web")
                    .propagate_at_launch(true)
                    .build(),
            )
            .instances(
                Instance::builder()
                    .instance_id("i-1")
                    .lifecycle_state(LifecycleState::InService)
                    .health_status("Healthy")
                    .build(),
            )
            .instances(
                Instance::builder()
                    .instance_id("i-2")
                    .lifecycle_state(LifecycleState::Pending)
                    .health_status("Healthy")
                    .build(),
            )
            .launch_template(
                LaunchTemplateSpecification::builder()
                    .launch_template_id("lt-1")
                    .launch_template_name("web")
                    .version("$Latest")
                    .build(),
            )
            .build();
        assert_eq!(in_service(&g), 1);
        let (_, s) = group_state(&g).unwrap();
        let m = s.as_map().unwrap();
        assert_eq!(m["tag"].as_list().unwrap().len(), 1);
        assert_eq!(
            m["vpc_zone_identifier"],
            string_set(["subnet-1", "subnet-2"])
        );
        let lt = &m["launch_template"].as_list().unwrap()[0];
        assert_eq!(lt.as_map().unwrap()["id"], Value::string("lt-1"));
        assert_eq!(lt.as_map().unwrap()["name"], Value::Null);
        assert_eq!(lt.as_map().unwrap()["version"], Value::string("$Latest"));
    }

    #[test]
    fn lifetime_capacity_type_and_metrics_are_sent_and_read_back() {
        let planned = SCHEMA.conformed([
            ("min_size", Value::number(1)),
            ("max_size", Value::number(2)),
            ("max_instance_lifetime", Value::number(604800)),
            ("desired_capacity_type", Value::string("vcpu")),
            ("enabled_metrics", string_set(["GroupMaxSize"])),
        ]);
        assert_eq!(
            attr(&planned, "metrics_granularity"),
            Value::string("1Minute")
        );
        let req = create_request(&offline_clients(), "web", &planned, &BTreeMap::new());
        assert_eq!(req.as_input().get_max_instance_lifetime(), &Some(604800));
        assert_eq!(
            req.as_input().get_desired_capacity_type().as_deref(),
            Some("vcpu")
        );

        let g = AutoScalingGroup::builder()
            .auto_scaling_group_name("web")
            .max_instance_lifetime(604800)
            .desired_capacity_type("vcpu")
            .enabled_metrics(
                EnabledMetric::builder()
                    .metric("GroupMaxSize")
                    .granularity("1Minute")
                    .build(),
            )
            .build();
        let (_, s) = group_state(&g).unwrap();
        for a in [
            "max_instance_lifetime",
            "desired_capacity_type",
            "enabled_metrics",
            "metrics_granularity",
        ] {
            assert_eq!(attr(&s, a), attr(&planned, a), "{a}");
        }

        // Nothing set reads back as not configured.
        let bare = AutoScalingGroup::builder()
            .auto_scaling_group_name("web")
            .max_instance_lifetime(0)
            .build();
        let (_, s) = group_state(&bare).unwrap();
        assert_eq!(attr(&s, "max_instance_lifetime"), Value::Null);
        assert_eq!(attr(&s, "enabled_metrics"), Value::Null);
        assert_eq!(attr(&s, "metrics_granularity"), Value::string("1Minute"));
    }

    #[test]
    fn metrics_changes_never_enable_or_disable_everything_by_accident() {
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let m = Some("1Minute");
        // Added: the whole new set is enabled; removed: just those are disabled.
        assert_eq!(
            metrics_changes(&v(&["A"]), m, &v(&["A", "B"]), m),
            (v(&[]), v(&["A", "B"]))
        );
        assert_eq!(
            metrics_changes(&v(&["A", "B"]), m, &v(&["A"]), m),
            (v(&["B"]), v(&[]))
        );
        assert_eq!(metrics_changes(&v(&[]), m, &v(&[]), m), (v(&[]), v(&[])));
        assert_eq!(
            metrics_changes(&v(&["A"]), m, &v(&["A"]), Some("5Minute")),
            (v(&[]), v(&["A"]))
        );
    }

    fn mixed_group(version: &str) -> Value {
        SCHEMA.conformed([
            ("min_size", Value::number(0)),
            ("max_size", Value::number(2)),
            (
                MIXED,
                Value::List(vec![Value::map([
                    (
                        "instances_distribution",
                        Value::List(vec![Value::map([(
                            "on_demand_percentage_above_base_capacity",
                            Value::number(25),
                        )])]),
                    ),
                    (
                        "launch_template",
                        Value::List(vec![Value::map([
                            (
                                "launch_template_specification",
                                Value::List(vec![Value::map([
                                    ("launch_template_id", Value::string("lt-1")),
                                    ("version", Value::string(version)),
                                ])]),
                            ),
                            (
                                "override",
                                Value::List(vec![
                                    Value::map([("instance_type", Value::string("t3.micro"))]),
                                    Value::map([
                                        ("instance_type", Value::string("t3a.micro")),
                                        (
                                            "launch_template_specification",
                                            Value::List(vec![Value::map([(
                                                "launch_template_name",
                                                Value::string("arm"),
                                            )])]),
                                        ),
                                    ]),
                                ]),
                            ),
                        ])]),
                    ),
                ])]),
            ),
            (
                REFRESH,
                Value::List(vec![Value::map([
                    ("strategy", Value::string("Rolling")),
                    ("triggers", string_set(["tag"])),
                    (
                        "preferences",
                        Value::List(vec![Value::map([
                            ("instance_warmup", Value::string("60")),
                            (
                                "checkpoint_percentages",
                                Value::List(vec![Value::number(50), Value::number(100)]),
                            ),
                        ])]),
                    ),
                ])]),
            ),
        ])
    }

    #[test]
    fn mixed_instances_policy_is_sent_three_deep_and_read_back_alike() {
        let planned = mixed_group("$Latest");
        let req = create_request(&offline_clients(), "web", &planned, &BTreeMap::new());
        let policy = req.as_input().get_mixed_instances_policy().clone().unwrap();
        let template = policy.launch_template().unwrap();
        assert_eq!(
            template
                .launch_template_specification()
                .and_then(|s| s.launch_template_id()),
            Some("lt-1")
        );
        assert_eq!(template.overrides().len(), 2);
        assert_eq!(
            template.overrides()[1]
                .launch_template_specification()
                .and_then(|s| s.launch_template_name()),
            Some("arm")
        );
        let distribution = policy.instances_distribution().unwrap();
        assert_eq!(
            distribution.on_demand_percentage_above_base_capacity(),
            Some(25)
        );
        // Unset fields are left to AWS, not sent as zeros.
        assert_eq!(distribution.on_demand_base_capacity(), None);
        assert!(req.as_input().get_launch_template().is_none());

        // What AWS reports back (with its own defaults and the template's name) keeps every
        // configured value in place.
        let g = AutoScalingGroup::builder()
            .auto_scaling_group_name("web")
            .mixed_instances_policy(policy.clone())
            .build();
        let (_, s) = group_state(&g).unwrap();
        let read = &s.as_map().unwrap()[MIXED];
        let configured = &planned.as_map().unwrap()[MIXED];
        let path = |v: &Value, p: &[&str]| -> Value {
            let mut v = v.clone();
            for name in p {
                v = match name.parse::<usize>() {
                    Ok(i) => v.as_list().unwrap()[i].clone(),
                    Err(_) => attr(&v, name),
                };
            }
            v
        };
        for p in [
            &[
                "0",
                "launch_template",
                "0",
                "override",
                "0",
                "instance_type",
            ][..],
            &[
                "0",
                "launch_template",
                "0",
                "override",
                "1",
                "launch_template_specification",
                "0",
                "launch_template_name",
            ],
            &[
                "0",
                "launch_template",
                "0",
                "launch_template_specification",
                "0",
                "launch_template_id",
            ],
            &[
                "0",
                "instances_distribution",
                "0",
                "on_demand_percentage_above_base_capacity",
            ],
        ] {
            assert_eq!(path(read, p), path(configured, p), "{p:?}");
        }
    }

    #[test]
    fn an_instance_refresh_starts_only_when_the_launch_settings_or_a_trigger_change() {
        let prior = mixed_group("1");
        assert!(!refresh_wanted(&prior, &prior));
        assert!(refresh_wanted(&prior, &mixed_group("2")));
        let with_tag = super::super::with_attrs(
            prior.clone(),
            [(
                "tag",
                Value::set(vec![block_object(
                    TAG,
                    [
                        ("key", Value::string("Name")),
                        ("value", Value::string("x")),
                        ("propagate_at_launch", Value::Bool(true)),
                    ],
                )]),
            )],
        );
        // `tag` is in the triggers; max_size is not.
        assert!(refresh_wanted(&prior, &with_tag));
        let bigger = super::super::with_attrs(prior.clone(), [("max_size", Value::number(5))]);
        assert!(!refresh_wanted(&prior, &bigger));
        // No instance_refresh block: never.
        let without = super::super::with_attrs(mixed_group("2"), [(REFRESH, Value::List(vec![]))]);
        assert!(!refresh_wanted(&prior, &without));
    }

    #[test]
    fn the_refresh_request_carries_preferences_with_the_providers_defaults() {
        let planned = mixed_group("2");
        let req = refresh_request(&offline_clients(), "web", &planned).unwrap();
        let input = req.as_input();
        assert_eq!(
            input.get_strategy().as_ref().map(|s| s.as_str()),
            Some("Rolling")
        );
        let p = input.get_preferences().clone().unwrap();
        assert_eq!(p.instance_warmup(), Some(60));
        assert_eq!(p.checkpoint_percentages(), [50, 100]);
        assert_eq!(p.min_healthy_percentage(), Some(90));
        assert_eq!(p.max_healthy_percentage(), Some(100));
        assert_eq!(
            p.scale_in_protected_instances().map(|s| s.as_str()),
            Some("Ignore")
        );
        assert_eq!(p.skip_matching(), Some(false));
        // The desired configuration is the group's new launch settings.
        let desired = input.get_desired_configuration().clone().unwrap();
        assert_eq!(
            desired
                .mixed_instances_policy()
                .and_then(|m| m.launch_template())
                .and_then(|t| t.launch_template_specification())
                .and_then(|s| s.version()),
            Some("2")
        );

        let bad = mixed_group("2");
        let bad = {
            let mut m = bad.as_map().unwrap().clone();
            let mut r = m[REFRESH].as_list().unwrap()[0].as_map().unwrap().clone();
            r.insert(
                "preferences".into(),
                Value::List(vec![block_object(
                    REFRESH_PREFERENCES,
                    [("instance_warmup", Value::string("1m"))],
                )]),
            );
            m.insert(REFRESH.into(), Value::List(vec![Value::Map(r)]));
            Value::Map(m)
        };
        let e = refresh_request(&offline_clients(), "web", &bad).unwrap_err();
        assert!(e.message.contains("instance_warmup"), "{}", e.message);
    }
}
