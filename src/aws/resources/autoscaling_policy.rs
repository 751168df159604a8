//! `aws_autoscaling_policy`: a scaling policy of an Auto Scaling group (simple, step or
//! target tracking scaling).
//!
//! The id is the policy name, as the AWS provider's; the import ID is `ASG_NAME/POLICY_NAME`.
//! `PutScalingPolicy` both creates and updates, so everything but the name and the group
//! changes in place. Refresh reads every policy with one paginated `DescribePolicies` per 50
//! names (the most one request takes), without naming groups. Policy names are unique per
//! group only, so a name that two groups both use cannot be told apart by its id: the read
//! fails naming the groups rather than guess (the provider reads with the group from its
//! state; ecsform's batched read has only the ids). Policies have no tags: an interrupted
//! create is found again by its group and name.
//!
//! `target_tracking_configuration` takes `predefined_metric_specification` and
//! `customized_metric_specification { metric_name, namespace, statistic, unit,
//! metric_dimension }`; its metric math (`metrics`) and high-resolution `period`, and
//! `predictive_scaling_configuration`, are not supported yet.
//!
//! moto (5.2.5) keeps policies by name alone, ignores `Enabled` (always reported as enabled)
//! and reports a `Cooldown` of 300 for a simple scaling policy created without one; the
//! request shapes for these are covered by unit tests.

use async_trait::async_trait;
use aws_sdk_autoscaling::types::{
    CustomizedMetricSpecification, MetricDimension, MetricStatistic, MetricType,
    PredefinedMetricSpecification, ScalingPolicy, StepAdjustment, TargetTrackingConfiguration,
};

use super::scaling_blocks::{
    open_ends_null, predefined_object, step_object, step_parts, PREDEFINED_METRIC, STEP_ADJUSTMENT,
};
use super::{create_call, recorded_id, split_import_id, states_by_unique_id};
use crate::aws::adopt::read_ours;
use crate::aws::call::call;
use crate::aws::error::{from_sdk, ApiError, ErrorKind, OrGone, Result};
use crate::aws::paged::{all_pages, in_chunks};
use crate::aws::resource_type::States;
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, Declaration, ImportIdError, Owner, ResourceType,
};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    block_object, get_block, get_blocks, get_bool, get_i32, get_number, get_str, nested_object,
    opt_number, opt_str, state_object,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct AutoscalingPolicyType;

static DECLARATION: Declaration =
    Declaration::new("aws_autoscaling_policy", &SCHEMA, Adoption::Arguments);

static METRIC_DIMENSION: &[AttrSchema] = attrs![
    required String: name value;
];

static CUSTOMIZED_METRIC: &[AttrSchema] = attrs![
    optional String: metric_name namespace statistic unit;
];

static TARGET_TRACKING: &[AttrSchema] = attrs![
    required Number: target_value;
    optional Bool: disable_scale_in.default(Default::Bool(false));
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        required String: name.force_new() autoscaling_group_name.force_new();
        optional String: adjustment_type metric_aggregation_type;
        optional String: policy_type.default(Default::Str("SimpleScaling"));
        optional Number: cooldown estimated_instance_warmup min_adjustment_magnitude scaling_adjustment;
        optional Bool: enabled.default(Default::Bool(true));
    ],
    blocks: &[
        BlockSchema::set("step_adjustment", STEP_ADJUSTMENT),
        BlockSchema::list("target_tracking_configuration", TARGET_TRACKING)
            .max_items(1)
            .blocks(&[
                BlockSchema::list("predefined_metric_specification", PREDEFINED_METRIC)
                    .max_items(1),
                BlockSchema::list("customized_metric_specification", CUSTOMIZED_METRIC)
                    .max_items(1)
                    .blocks(&[BlockSchema::list("metric_dimension", METRIC_DIMENSION)]),
            ]),
    ],
};

/// `DescribePolicies` takes at most 50 policy names.
const NAMES_PER_CALL: usize = 50;

fn target_tracking_block() -> &'static BlockSchema {
    &SCHEMA.blocks[1]
}

fn target_tracking_state(t: &TargetTrackingConfiguration) -> Value {
    let block = target_tracking_block();
    let predefined: Vec<Value> = t
        .predefined_metric_specification()
        .map(|p| {
            predefined_object(
                p.predefined_metric_type().map(MetricType::as_str),
                p.resource_label(),
            )
        })
        .into_iter()
        .collect();
    let customized: Vec<Value> = t
        .customized_metric_specification()
        .map(|c| {
            let dimensions = c
                .dimensions()
                .iter()
                .map(|d| {
                    block_object(
                        METRIC_DIMENSION,
                        [("name", opt_str(d.name())), ("value", opt_str(d.value()))],
                    )
                })
                .collect();
            nested_object(
                &block.blocks[1],
                [
                    ("metric_name", opt_str(c.metric_name())),
                    ("namespace", opt_str(c.namespace())),
                    ("statistic", opt_str(c.statistic().map(|s| s.as_str()))),
                    ("unit", opt_str(c.unit())),
                    ("metric_dimension", Value::List(dimensions)),
                ],
            )
        })
        .into_iter()
        .collect();
    nested_object(
        block,
        [
            ("target_value", opt_number(t.target_value())),
            (
                "disable_scale_in",
                Value::Bool(t.disable_scale_in().unwrap_or(false)),
            ),
            ("predefined_metric_specification", Value::List(predefined)),
            ("customized_metric_specification", Value::List(customized)),
        ],
    )
}

fn policy_state(p: &ScalingPolicy) -> Option<(String, Value)> {
    let name = p.policy_name()?.to_string();
    let steps = p
        .step_adjustments()
        .iter()
        .map(|s| {
            step_object(
                s.metric_interval_lower_bound(),
                s.metric_interval_upper_bound(),
                s.scaling_adjustment(),
            )
        })
        .collect();
    let tracking: Vec<Value> = p
        .target_tracking_configuration()
        .map(target_tracking_state)
        .into_iter()
        .collect();
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&name)),
            ("arn", opt_str(p.policy_arn())),
            ("name", Value::string(&name)),
            (
                "autoscaling_group_name",
                opt_str(p.auto_scaling_group_name()),
            ),
            ("adjustment_type", opt_str(p.adjustment_type())),
            (
                "metric_aggregation_type",
                opt_str(p.metric_aggregation_type()),
            ),
            (
                "policy_type",
                Value::string(p.policy_type().unwrap_or("SimpleScaling")),
            ),
            ("cooldown", opt_number(p.cooldown())),
            (
                "estimated_instance_warmup",
                opt_number(p.estimated_instance_warmup()),
            ),
            (
                "min_adjustment_magnitude",
                opt_number(p.min_adjustment_magnitude()),
            ),
            ("scaling_adjustment", opt_number(p.scaling_adjustment())),
            // AWS leaves `Enabled` out for an enabled policy.
            ("enabled", Value::Bool(p.enabled().unwrap_or(true))),
            ("step_adjustment", Value::set(steps)),
            ("target_tracking_configuration", Value::List(tracking)),
        ],
    );
    Some((name, state))
}

fn invalid(message: String) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "ValidationError", message)
}

fn step_adjustments(planned: &Value) -> Result<Option<Vec<StepAdjustment>>> {
    let steps = get_blocks(planned, "step_adjustment");
    if steps.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for step in &steps {
        let (lower, upper, adjustment) = step_parts(step).map_err(invalid)?;
        out.push(
            StepAdjustment::builder()
                .set_metric_interval_lower_bound(lower)
                .set_metric_interval_upper_bound(upper)
                .scaling_adjustment(adjustment)
                .build(),
        );
    }
    Ok(Some(out))
}

fn target_tracking(planned: &Value) -> Option<TargetTrackingConfiguration> {
    let t = get_block(planned, "target_tracking_configuration")?;
    let predefined = get_block(t, "predefined_metric_specification").map(|p| {
        PredefinedMetricSpecification::builder()
            .predefined_metric_type(MetricType::from(
                get_str(p, "predefined_metric_type").unwrap_or_default(),
            ))
            .set_resource_label(get_str(p, "resource_label").map(String::from))
            .build()
    });
    let customized = get_block(t, "customized_metric_specification").map(|c| {
        let s = |n| get_str(c, n).map(String::from);
        let dimensions = get_blocks(c, "metric_dimension")
            .iter()
            .map(|d| {
                MetricDimension::builder()
                    .set_name(get_str(d, "name").map(String::from))
                    .set_value(get_str(d, "value").map(String::from))
                    .build()
            })
            .collect::<Vec<_>>();
        CustomizedMetricSpecification::builder()
            .set_metric_name(s("metric_name"))
            .set_namespace(s("namespace"))
            .set_statistic(get_str(c, "statistic").map(MetricStatistic::from))
            .set_unit(s("unit"))
            .set_dimensions((!dimensions.is_empty()).then_some(dimensions))
            .build()
    });
    Some(
        TargetTrackingConfiguration::builder()
            .set_predefined_metric_specification(predefined)
            .set_customized_metric_specification(customized)
            .set_target_value(get_number(t, "target_value"))
            .set_disable_scale_in(get_bool(t, "disable_scale_in"))
            .build(),
    )
}

/// Sends `PutScalingPolicy` for `planned`: the arguments that are set, as the configuration
/// has them (AWS says which do not go with the policy type).
async fn put(clients: &AwsClients, planned: &Value) -> Result<()> {
    let s = |n| get_str(planned, n).map(String::from);
    let steps = step_adjustments(planned)?;
    let tracking = target_tracking(planned);
    // Retried while a group created a moment ago is not visible yet.
    create_call("scaling policy to be put", || async {
        let r = clients
            .autoscaling
            .put_scaling_policy()
            .set_auto_scaling_group_name(s("autoscaling_group_name"))
            .set_policy_name(s("name"))
            .set_policy_type(s("policy_type"))
            .set_adjustment_type(s("adjustment_type"))
            .set_metric_aggregation_type(s("metric_aggregation_type"))
            .set_cooldown(get_i32(planned, "cooldown"))
            .set_estimated_instance_warmup(get_i32(planned, "estimated_instance_warmup"))
            .set_min_adjustment_magnitude(get_i32(planned, "min_adjustment_magnitude"))
            .set_scaling_adjustment(get_i32(planned, "scaling_adjustment"))
            .set_enabled(get_bool(planned, "enabled"))
            .set_step_adjustments(steps.clone())
            .set_target_tracking_configuration(tracking.clone())
            .send()
            .await
            .map_err(from_sdk);
        match r {
            // Auto Scaling says ValidationError for a group it does not know.
            Err(mut e) if e.is_not_found_or_unknown_name() => {
                e.kind = ErrorKind::NotFound;
                Err(e)
            }
            r => r,
        }
    })
    .await?;
    Ok(())
}

/// The policies named `names`, in any group (`group`: only that group's).
async fn describe(
    clients: &AwsClients,
    names: &[String],
    group: Option<&str>,
) -> Result<Vec<ScalingPolicy>> {
    in_chunks(names, NAMES_PER_CALL, |chunk| {
        all_pages(
            move |token| {
                clients
                    .autoscaling
                    .describe_policies()
                    .set_auto_scaling_group_name(group.map(String::from))
                    .set_policy_names(Some(chunk.clone()))
                    .set_next_token(token)
                    .send()
            },
            |page| page.scaling_policies(),
            |page| page.next_token(),
        )
    })
    .await
}

/// The states of `found` by policy name; a name found in more than one group is an error.
fn states_by_name(found: &[ScalingPolicy]) -> Result<States> {
    states_by_unique_id(
        found.iter().filter_map(|p| {
            let (name, state) = policy_state(p)?;
            let group = p.auto_scaling_group_name().unwrap_or("?").to_string();
            Some((name, group, state))
        }),
        "scaling policy",
        "Auto Scaling groups",
    )
}

#[async_trait]
impl ResourceType for AutoscalingPolicyType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// Open step bounds written `""` compare equal to the null AWS reports.
    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        if let Some(steps) = m.remove("step_adjustment") {
            m.insert("step_adjustment".into(), open_ends_null(steps));
        }
        Value::Map(m)
    }

    /// The policy of that name in the planned group (no tags to check).
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let (Some(group), Some(name)) = (
            get_str(planned, "autoscaling_group_name"),
            get_str(planned, "name"),
        ) else {
            return Ok(Vec::new());
        };
        let found = match describe(clients, &[name.to_string()], Some(group)).await {
            Err(e) if e.is_not_found_or_unknown_name() => return Ok(Vec::new()),
            r => r?,
        };
        if found.is_empty() {
            return Ok(Vec::new());
        }
        read_ours(self, clients, &[name.to_string()]).await
    }

    fn import_id_format(&self) -> &'static str {
        "`ASG_NAME/POLICY_NAME`"
    }

    /// The AWS provider's `GROUP/NAME` becomes the policy name, once the group is checked.
    async fn import_id(&self, clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let (group, name) = split_import_id(id, '/', "ASG_NAME/POLICY_NAME")?;
        let found = describe(clients, &[name.to_string()], Some(group)).await?;
        if found.is_empty() {
            return Err(ImportIdError::NotFound);
        }
        Ok(name.to_string())
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(States::new());
        }
        let found = describe(clients, ids, None).await?;
        states_by_name(&found)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        put(ctx.clients, planned).await?;
        let name = get_str(planned, "name").unwrap_or_default();
        super::read_created(self, ctx.clients, name).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        put(ctx.clients, planned).await?;
        let id = recorded_id(self, prior)?;
        super::read_created(self, ctx.clients, &id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let (Some(group), Some(name)) = (
            get_str(prior, "autoscaling_group_name"),
            get_str(prior, "name"),
        ) else {
            return Ok(());
        };
        // The group (and its policies with it) or the policy may be gone.
        call(|| {
            ctx.clients
                .autoscaling
                .delete_policy()
                .auto_scaling_group_name(group)
                .policy_name(name)
                .send()
        })
        .await
        .ok_if(ApiError::is_not_found_or_unknown_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: Vec<(&str, Value)>) -> Value {
        let mut all = vec![
            ("name", Value::string("scale-out")),
            ("autoscaling_group_name", Value::string("web")),
        ];
        all.extend(pairs);
        SCHEMA.conformed(all)
    }

    #[test]
    fn step_adjustments_are_sent_with_open_ends_left_out() {
        let step = |lower: &str, upper: &str, n: i32| {
            Value::map([
                ("metric_interval_lower_bound", Value::string(lower)),
                ("metric_interval_upper_bound", Value::string(upper)),
                ("scaling_adjustment", Value::number(n)),
            ])
        };
        let planned = config(vec![
            ("policy_type", Value::string("StepScaling")),
            (
                "step_adjustment",
                Value::set(vec![step("0", "10", 1), step("10", "", 3)]),
            ),
        ]);
        let mut sent = step_adjustments(&planned).unwrap().unwrap();
        sent.sort_by_key(|s| s.scaling_adjustment());
        assert_eq!(sent[0].metric_interval_lower_bound(), Some(0.0));
        assert_eq!(sent[0].metric_interval_upper_bound(), Some(10.0));
        assert_eq!(sent[1].metric_interval_lower_bound(), Some(10.0));
        assert_eq!(sent[1].metric_interval_upper_bound(), None);
        assert_eq!(sent[1].scaling_adjustment(), Some(3));
        let bad = config(vec![(
            "step_adjustment",
            Value::set(vec![step("low", "", 1)]),
        )]);
        assert!(step_adjustments(&bad).is_err());
        assert!(step_adjustments(&config(vec![])).unwrap().is_none());
    }

    #[test]
    fn a_customized_metric_is_sent_with_its_dimensions() {
        let planned = config(vec![
            ("policy_type", Value::string("TargetTrackingScaling")),
            (
                "target_tracking_configuration",
                Value::List(vec![Value::map([
                    ("target_value", Value::number(40)),
                    (
                        "customized_metric_specification",
                        Value::List(vec![Value::map([
                            ("metric_name", Value::string("CPUReservation")),
                            ("namespace", Value::string("AWS/ECS")),
                            ("statistic", Value::string("Average")),
                            (
                                "metric_dimension",
                                Value::List(vec![Value::map([
                                    ("name", Value::string("ClusterName")),
                                    ("value", Value::string("main")),
                                ])]),
                            ),
                        ])]),
                    ),
                ])]),
            ),
        ]);
        let sent = target_tracking(&planned).unwrap();
        assert_eq!(sent.target_value(), Some(40.0));
        assert_eq!(sent.disable_scale_in(), Some(false));
        let c = sent.customized_metric_specification().unwrap();
        assert_eq!(c.statistic(), Some(&MetricStatistic::Average));
        assert_eq!(c.dimensions()[0].value(), Some("main"));
        // Read back, it is the configuration again.
        let read = target_tracking_state(&sent);
        let planned_block = &planned.as_map().unwrap()["target_tracking_configuration"];
        assert_eq!(&Value::List(vec![read]), planned_block);
    }

    #[test]
    fn an_enabled_policy_reads_as_enabled_and_a_disabled_one_is_sent_disabled() {
        let p = ScalingPolicy::builder()
            .policy_name("scale-out")
            .auto_scaling_group_name("web")
            .policy_type("SimpleScaling")
            .build();
        let (id, state) = policy_state(&p).unwrap();
        assert_eq!(id, "scale-out");
        assert_eq!(state.as_map().unwrap()["enabled"], Value::Bool(true));
        let planned = config(vec![("enabled", Value::Bool(false))]);
        assert_eq!(get_bool(&planned, "enabled"), Some(false));
    }

    #[test]
    fn a_name_two_groups_use_is_refused_rather_than_guessed() {
        let policy = |group: &str| {
            ScalingPolicy::builder()
                .policy_name("scale-out")
                .auto_scaling_group_name(group)
                .build()
        };
        assert_eq!(states_by_name(&[policy("web")]).unwrap().len(), 1);
        let e = states_by_name(&[policy("web"), policy("workers")]).unwrap_err();
        assert!(e.message.contains("web, workers"), "{e}");
    }
}
