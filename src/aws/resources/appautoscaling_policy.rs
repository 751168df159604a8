//! `aws_appautoscaling_policy`: a scaling policy of an Application Auto Scaling target (an
//! ECS service's desired count scaled on CPU, ...): step scaling or target tracking.
//!
//! The id is the policy name, as the AWS provider's; the import ID is
//! `SERVICE_NAMESPACE/RESOURCE_ID/SCALABLE_DIMENSION/POLICY_NAME`. `PutScalingPolicy` both
//! creates and updates: the configurations and the type change in place; the name, namespace,
//! resource id and dimension replace the policy. `DescribeScalingPolicies` needs a service
//! namespace, which a name does not tell: refresh asks one namespace after the other, ECS
//! first, with one paginated call per namespace and 50 names, until every name is found —
//! one call when all policies are ECS services', and one per namespace (15) for a name found
//! nowhere (a deleted policy). Names are unique per scalable target only; a name that two
//! targets use cannot be told apart by its id, and the read fails naming them rather than
//! guess. Policies have no tags: an interrupted create is found again by its target and name.
//!
//! `target_tracking_scaling_policy_configuration` takes `predefined_metric_specification` and
//! `customized_metric_specification { metric_name, namespace, statistic, unit, dimensions }`;
//! its metric math (`metrics`) and `predictive_scaling_policy_configuration` are not supported
//! yet. moto (5.2.5) ignores the `PolicyNames` filter (ecsform filters the answer itself),
//! which the request-shape tests cover.

use std::collections::BTreeSet;

use async_trait::async_trait;
use aws_sdk_applicationautoscaling::types::{
    AdjustmentType, CustomizedMetricSpecification, MetricAggregationType, MetricDimension,
    MetricStatistic, MetricType, PolicyType, PredefinedMetricSpecification, ScalableDimension,
    ScalingPolicy, ServiceNamespace, StepAdjustment, StepScalingPolicyConfiguration,
    TargetTrackingScalingPolicyConfiguration,
};

use super::scaling_blocks::{
    open_ends_null, predefined_object, step_object, step_parts, PREDEFINED_METRIC, STEP_ADJUSTMENT,
};
use super::{create_call, recorded_id, states_by_unique_id};
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
    opt_number, opt_str, state_object, strings,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct AppautoscalingPolicyType;

static DECLARATION: Declaration =
    Declaration::new("aws_appautoscaling_policy", &SCHEMA, Adoption::Arguments);

static STEP_SCALING: &[AttrSchema] = attrs![
    optional String: adjustment_type metric_aggregation_type;
    optional Number: cooldown min_adjustment_magnitude;
];

static TARGET_TRACKING: &[AttrSchema] = attrs![
    required Number: target_value;
    optional Bool: disable_scale_in.default(Default::Bool(false));
    optional Number: scale_in_cooldown scale_out_cooldown;
];

static CUSTOMIZED_METRIC: &[AttrSchema] = attrs![
    optional String: metric_name namespace statistic unit;
];

static DIMENSION: &[AttrSchema] = attrs![
    required String: name value;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        computed StringList: alarm_arns;
        required String: name.force_new() resource_id.force_new() scalable_dimension.force_new() service_namespace.force_new();
        optional String: policy_type.default(Default::Str("StepScaling"));
    ],
    blocks: &[
        BlockSchema::list("step_scaling_policy_configuration", STEP_SCALING)
            .max_items(1)
            .blocks(&[BlockSchema::set("step_adjustment", STEP_ADJUSTMENT)]),
        BlockSchema::list(
            "target_tracking_scaling_policy_configuration",
            TARGET_TRACKING,
        )
        .max_items(1)
        .blocks(&[
            BlockSchema::list("predefined_metric_specification", PREDEFINED_METRIC).max_items(1),
            BlockSchema::list("customized_metric_specification", CUSTOMIZED_METRIC)
                .max_items(1)
                .blocks(&[BlockSchema::set("dimensions", DIMENSION)]),
        ]),
    ],
};

/// `DescribeScalingPolicies` takes at most 50 policy names.
const NAMES_PER_CALL: usize = 50;

fn step_state(c: &StepScalingPolicyConfiguration) -> Value {
    let steps = c
        .step_adjustments()
        .iter()
        .map(|s| {
            step_object(
                s.metric_interval_lower_bound(),
                s.metric_interval_upper_bound(),
                Some(s.scaling_adjustment()),
            )
        })
        .collect();
    nested_object(
        &SCHEMA.blocks[0],
        [
            (
                "adjustment_type",
                opt_str(c.adjustment_type().map(|a| a.as_str())),
            ),
            (
                "metric_aggregation_type",
                opt_str(c.metric_aggregation_type().map(|a| a.as_str())),
            ),
            ("cooldown", opt_number(c.cooldown())),
            (
                "min_adjustment_magnitude",
                opt_number(c.min_adjustment_magnitude()),
            ),
            ("step_adjustment", Value::set(steps)),
        ],
    )
}

fn tracking_state(t: &TargetTrackingScalingPolicyConfiguration) -> Value {
    let block = &SCHEMA.blocks[1];
    let predefined: Vec<Value> = t
        .predefined_metric_specification()
        .map(|p| {
            predefined_object(
                Some(p.predefined_metric_type().as_str()),
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
                        DIMENSION,
                        [
                            ("name", Value::string(d.name())),
                            ("value", Value::string(d.value())),
                        ],
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
                    ("dimensions", Value::set(dimensions)),
                ],
            )
        })
        .into_iter()
        .collect();
    nested_object(
        block,
        [
            ("target_value", Value::number(t.target_value())),
            (
                "disable_scale_in",
                Value::Bool(t.disable_scale_in().unwrap_or(false)),
            ),
            ("scale_in_cooldown", opt_number(t.scale_in_cooldown())),
            ("scale_out_cooldown", opt_number(t.scale_out_cooldown())),
            ("predefined_metric_specification", Value::List(predefined)),
            ("customized_metric_specification", Value::List(customized)),
        ],
    )
}

fn policy_state(p: &ScalingPolicy) -> (String, Value) {
    let name = p.policy_name().to_string();
    let step: Vec<Value> = p
        .step_scaling_policy_configuration()
        .map(step_state)
        .into_iter()
        .collect();
    let tracking: Vec<Value> = p
        .target_tracking_scaling_policy_configuration()
        .map(tracking_state)
        .into_iter()
        .collect();
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&name)),
            ("arn", Value::string(p.policy_arn())),
            (
                "alarm_arns",
                strings(p.alarms().iter().map(|a| a.alarm_arn().to_string())),
            ),
            ("name", Value::string(&name)),
            ("resource_id", Value::string(p.resource_id())),
            (
                "scalable_dimension",
                Value::string(p.scalable_dimension().as_str()),
            ),
            (
                "service_namespace",
                Value::string(p.service_namespace().as_str()),
            ),
            ("policy_type", Value::string(p.policy_type().as_str())),
            ("step_scaling_policy_configuration", Value::List(step)),
            (
                "target_tracking_scaling_policy_configuration",
                Value::List(tracking),
            ),
        ],
    );
    (name, state)
}

fn invalid(message: String) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "ValidationException", message)
}

fn step_configuration(planned: &Value) -> Result<Option<StepScalingPolicyConfiguration>> {
    let Some(c) = get_block(planned, "step_scaling_policy_configuration") else {
        return Ok(None);
    };
    let mut steps = Vec::new();
    for step in get_blocks(c, "step_adjustment") {
        let (lower, upper, adjustment) = step_parts(&step).map_err(invalid)?;
        steps.push(
            StepAdjustment::builder()
                .set_metric_interval_lower_bound(lower)
                .set_metric_interval_upper_bound(upper)
                .scaling_adjustment(adjustment)
                .build()
                .map_err(|e| invalid(e.to_string()))?,
        );
    }
    Ok(Some(
        StepScalingPolicyConfiguration::builder()
            .set_adjustment_type(get_str(c, "adjustment_type").map(AdjustmentType::from))
            .set_metric_aggregation_type(
                get_str(c, "metric_aggregation_type").map(MetricAggregationType::from),
            )
            .set_cooldown(get_i32(c, "cooldown"))
            .set_min_adjustment_magnitude(get_i32(c, "min_adjustment_magnitude"))
            .set_step_adjustments((!steps.is_empty()).then_some(steps))
            .build(),
    ))
}

fn tracking_configuration(
    planned: &Value,
) -> Result<Option<TargetTrackingScalingPolicyConfiguration>> {
    let Some(t) = get_block(planned, "target_tracking_scaling_policy_configuration") else {
        return Ok(None);
    };
    let predefined = match get_block(t, "predefined_metric_specification") {
        Some(p) => Some(
            PredefinedMetricSpecification::builder()
                .predefined_metric_type(MetricType::from(
                    get_str(p, "predefined_metric_type").unwrap_or_default(),
                ))
                .set_resource_label(get_str(p, "resource_label").map(String::from))
                .build()
                .map_err(|e| invalid(e.to_string()))?,
        ),
        None => None,
    };
    let customized = match get_block(t, "customized_metric_specification") {
        Some(c) => {
            let mut dimensions = Vec::new();
            for d in get_blocks(c, "dimensions") {
                dimensions.push(
                    MetricDimension::builder()
                        .name(get_str(&d, "name").unwrap_or_default())
                        .value(get_str(&d, "value").unwrap_or_default())
                        .build()
                        .map_err(|e| invalid(e.to_string()))?,
                );
            }
            let s = |n| get_str(c, n).map(String::from);
            Some(
                CustomizedMetricSpecification::builder()
                    .set_metric_name(s("metric_name"))
                    .set_namespace(s("namespace"))
                    .set_statistic(get_str(c, "statistic").map(MetricStatistic::from))
                    .set_unit(s("unit"))
                    .set_dimensions((!dimensions.is_empty()).then_some(dimensions))
                    .build(),
            )
        }
        None => None,
    };
    Ok(Some(
        TargetTrackingScalingPolicyConfiguration::builder()
            .set_target_value(get_number(t, "target_value"))
            .set_disable_scale_in(get_bool(t, "disable_scale_in"))
            .set_scale_in_cooldown(get_i32(t, "scale_in_cooldown"))
            .set_scale_out_cooldown(get_i32(t, "scale_out_cooldown"))
            .set_predefined_metric_specification(predefined)
            .set_customized_metric_specification(customized)
            .build()
            .map_err(|e| invalid(e.to_string()))?,
    ))
}

/// The namespace, resource id and dimension of a planned or recorded policy.
fn target_of(v: &Value) -> (ServiceNamespace, String, ScalableDimension) {
    (
        ServiceNamespace::from(get_str(v, "service_namespace").unwrap_or_default()),
        get_str(v, "resource_id").unwrap_or_default().to_string(),
        ScalableDimension::from(get_str(v, "scalable_dimension").unwrap_or_default()),
    )
}

async fn put(clients: &AwsClients, planned: &Value) -> Result<()> {
    let (namespace, resource, dimension) = target_of(planned);
    let step = step_configuration(planned)?;
    let tracking = tracking_configuration(planned)?;
    // Retried while a target registered a moment ago is not visible yet.
    create_call("scaling policy to be put", || async {
        clients
            .appautoscaling
            .put_scaling_policy()
            .policy_name(get_str(planned, "name").unwrap_or_default())
            .service_namespace(namespace.clone())
            .resource_id(&resource)
            .scalable_dimension(dimension.clone())
            .set_policy_type(get_str(planned, "policy_type").map(PolicyType::from))
            .set_step_scaling_policy_configuration(step.clone())
            .set_target_tracking_scaling_policy_configuration(tracking.clone())
            .send()
            .await
            .map_err(from_sdk)
    })
    .await?;
    Ok(())
}

/// The policies of `namespace` named `names` (and of that target, when given).
async fn describe(
    clients: &AwsClients,
    namespace: &ServiceNamespace,
    names: &[String],
    target: Option<(&str, &ScalableDimension)>,
) -> Result<Vec<ScalingPolicy>> {
    let found = in_chunks(names, NAMES_PER_CALL, |chunk| {
        all_pages(
            move |token| {
                clients
                    .appautoscaling
                    .describe_scaling_policies()
                    .service_namespace(namespace.clone())
                    .set_policy_names(Some(chunk.clone()))
                    .set_resource_id(target.map(|t| t.0.to_string()))
                    .set_scalable_dimension(target.map(|t| t.1.clone()))
                    .set_next_token(token)
                    .send()
            },
            |page| page.scaling_policies(),
            |page| page.next_token(),
        )
    })
    .await?;
    // AWS answers only the names asked for; moto answers every policy of the namespace.
    Ok(found
        .into_iter()
        .filter(|p| names.iter().any(|n| n == p.policy_name()))
        .collect())
}

/// The namespaces to ask for policies, ECS's first.
fn namespaces_in_order() -> Vec<ServiceNamespace> {
    let mut all = vec![ServiceNamespace::Ecs];
    all.extend(
        ServiceNamespace::values()
            .iter()
            .map(|v| ServiceNamespace::from(*v))
            .filter(|n| *n != ServiceNamespace::Ecs),
    );
    all
}

/// The states of `found` by name; a name used by two targets is an error.
fn states_by_name(found: &[ScalingPolicy]) -> Result<States> {
    states_by_unique_id(
        found.iter().map(|p| {
            let (name, state) = policy_state(p);
            let target = format!("{} {}", p.resource_id(), p.scalable_dimension().as_str());
            (name, target, state)
        }),
        "scaling policy",
        "scalable targets",
    )
}

/// The namespace, resource id, dimension and name of an import ID.
fn split_policy_id(id: &str) -> Option<(&str, &str, &str, &str)> {
    let (target, name) = id.rsplit_once('/')?;
    let (namespace, resource, dimension) = super::appautoscaling_target::split_target_id(target)?;
    (!name.is_empty()).then_some((namespace, resource, dimension, name))
}

#[async_trait]
impl ResourceType for AppautoscalingPolicyType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// Open step bounds written `""` compare equal to the null AWS reports.
    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        if let Some(Value::List(configs)) = m.remove("step_scaling_policy_configuration") {
            let configs = configs
                .into_iter()
                .map(|c| match c {
                    Value::Map(mut c) => {
                        if let Some(steps) = c.remove("step_adjustment") {
                            c.insert("step_adjustment".into(), open_ends_null(steps));
                        }
                        Value::Map(c)
                    }
                    other => other,
                })
                .collect();
            m.insert(
                "step_scaling_policy_configuration".into(),
                Value::List(configs),
            );
        }
        Value::Map(m)
    }

    /// The policy of that name on the planned target (AWS has one at most).
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        let (namespace, resource, dimension) = target_of(planned);
        let names = [name.to_string()];
        let found = describe(clients, &namespace, &names, Some((&resource, &dimension))).await?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        read_ours(self, clients, &names).await
    }

    fn import_id_format(&self) -> &'static str {
        "`SERVICE_NAMESPACE/RESOURCE_ID/SCALABLE_DIMENSION/POLICY_NAME` (`ecs/service/CLUSTER/SERVICE/ecs:service:DesiredCount/NAME`)"
    }

    /// The AWS provider's import ID becomes the policy name, once the policy is found.
    async fn import_id(&self, clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let (namespace, resource, dimension, name) = split_policy_id(id).ok_or_else(|| {
            ImportIdError::Malformed(
                "expected SERVICE_NAMESPACE/RESOURCE_ID/SCALABLE_DIMENSION/POLICY_NAME".to_string(),
            )
        })?;
        let names = [name.to_string()];
        let dimension = ScalableDimension::from(dimension);
        let found = describe(
            clients,
            &ServiceNamespace::from(namespace),
            &names,
            Some((resource, &dimension)),
        )
        .await?;
        if found.is_empty() {
            return Err(ImportIdError::NotFound);
        }
        Ok(name.to_string())
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut missing: BTreeSet<String> = ids.iter().cloned().collect();
        let mut found = Vec::new();
        for namespace in namespaces_in_order() {
            if missing.is_empty() {
                break;
            }
            let names: Vec<String> = missing.iter().cloned().collect();
            let policies = describe(clients, &namespace, &names, None).await?;
            for p in &policies {
                missing.remove(p.policy_name());
            }
            found.extend(policies);
        }
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
        let (namespace, resource, dimension) = target_of(prior);
        // The policy, or its target and the policy with it, may be gone.
        call(|| {
            ctx.clients
                .appautoscaling
                .delete_scaling_policy()
                .policy_name(get_str(prior, "name").unwrap_or_default())
                .service_namespace(namespace.clone())
                .resource_id(&resource)
                .scalable_dimension(dimension.clone())
                .send()
        })
        .await
        .ok_if(ApiError::is_unknown_scaling_object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ecs_config(pairs: Vec<(&str, Value)>) -> Value {
        let mut all = vec![
            ("name", Value::string("cpu")),
            ("service_namespace", Value::string("ecs")),
            ("resource_id", Value::string("service/main/web")),
            (
                "scalable_dimension",
                Value::string("ecs:service:DesiredCount"),
            ),
        ];
        all.extend(pairs);
        SCHEMA.conformed(all)
    }

    #[test]
    fn import_ids_name_the_target_and_the_policy() {
        assert_eq!(
            split_policy_id("ecs/service/main/web/ecs:service:DesiredCount/cpu"),
            Some(("ecs", "service/main/web", "ecs:service:DesiredCount", "cpu"))
        );
        assert_eq!(split_policy_id("ecs/service/cpu"), None);
        assert_eq!(split_policy_id("cpu"), None);
    }

    #[test]
    fn ecs_is_asked_first_and_every_namespace_once() {
        let order = namespaces_in_order();
        assert_eq!(order[0], ServiceNamespace::Ecs);
        assert_eq!(order.len(), ServiceNamespace::values().len());
        let unique: BTreeSet<&str> = order.iter().map(|n| n.as_str()).collect();
        assert_eq!(unique.len(), order.len());
    }

    #[test]
    fn a_target_tracking_policy_is_sent_and_reads_back_as_configured() {
        let planned = ecs_config(vec![
            ("policy_type", Value::string("TargetTrackingScaling")),
            (
                "target_tracking_scaling_policy_configuration",
                Value::List(vec![Value::map([
                    ("target_value", Value::number(60)),
                    ("scale_in_cooldown", Value::number(300)),
                    (
                        "predefined_metric_specification",
                        Value::List(vec![Value::map([(
                            "predefined_metric_type",
                            Value::string("ECSServiceAverageCPUUtilization"),
                        )])]),
                    ),
                ])]),
            ),
        ]);
        let sent = tracking_configuration(&planned).unwrap().unwrap();
        assert_eq!(sent.target_value(), 60.0);
        assert_eq!(sent.scale_in_cooldown(), Some(300));
        assert_eq!(
            sent.predefined_metric_specification()
                .unwrap()
                .predefined_metric_type(),
            &MetricType::EcsServiceAverageCpuUtilization
        );
        assert!(step_configuration(&planned).unwrap().is_none());
        let read = tracking_state(&sent);
        assert_eq!(
            Value::List(vec![read]),
            planned.as_map().unwrap()["target_tracking_scaling_policy_configuration"]
        );
    }

    #[test]
    fn a_step_policy_is_sent_with_its_steps() {
        let planned = ecs_config(vec![(
            "step_scaling_policy_configuration",
            Value::List(vec![Value::map([
                ("adjustment_type", Value::string("ChangeInCapacity")),
                ("cooldown", Value::number(60)),
                ("metric_aggregation_type", Value::string("Maximum")),
                (
                    "step_adjustment",
                    Value::set(vec![Value::map([
                        ("metric_interval_lower_bound", Value::string("0")),
                        ("scaling_adjustment", Value::number(1)),
                    ])]),
                ),
            ])]),
        )]);
        let sent = step_configuration(&planned).unwrap().unwrap();
        assert_eq!(
            sent.adjustment_type(),
            Some(&AdjustmentType::ChangeInCapacity)
        );
        assert_eq!(sent.cooldown(), Some(60));
        assert_eq!(
            sent.step_adjustments()[0].metric_interval_lower_bound(),
            Some(0.0)
        );
        assert_eq!(
            sent.step_adjustments()[0].metric_interval_upper_bound(),
            None
        );
        assert_eq!(
            planned.as_map().unwrap()["policy_type"],
            Value::string("StepScaling")
        );
        let read = step_state(&sent);
        assert_eq!(
            Value::List(vec![read]),
            planned.as_map().unwrap()["step_scaling_policy_configuration"]
        );
    }
}
