//! `aws_appautoscaling_scheduled_action`: a scheduled action of Application Auto Scaling
//! (set a scalable target's minimum and maximum capacity at a time, or on an `at`/`rate`/
//! `cron` schedule), such as an ECS service's desired count bounds at night.
//!
//! The id is the AWS provider's, `NAME-SERVICE_NAMESPACE-RESOURCE_ID`
//! (`night-ecs-service/CLUSTER/SERVICE`), split again at the namespace that the resource id's
//! form names; the provider has no import, and neither has ecsform. `PutScheduledAction` both
//! creates and updates (every argument is sent each time), so the schedule, time zone, times
//! and capacities change in place; name, namespace, resource and dimension replace the action.
//! Capacities are strings, as in the provider (an empty one is left out). Times are RFC 3339
//! in UTC (`2030-01-02T15:04:05Z`), as AWS reports them.
//!
//! Refresh reads with one paginated `DescribeScheduledActions` per service namespace and 50
//! names (the API takes one namespace and at most 50 names a call). The dimension is not in
//! the id: two actions of one name on one resource with different dimensions fail the read
//! naming them rather than guess. Scheduled actions have no tags: an interrupted create is
//! found again by its namespace, resource, dimension and name.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_applicationautoscaling::types::{
    ScalableDimension, ScalableTargetAction, ScheduledAction, ServiceNamespace,
};
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;

use super::appautoscaling_target::namespaces_of;
use super::{read_created, recorded_id, states_by_unique_id};
use crate::aws::adopt::find_by_arguments;
use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, OrGone, Result};
use crate::aws::paged::{all_pages, in_chunks};
use crate::aws::resource_type::States;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_block, get_str, nested_object, opt_str, state_object};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct AppautoscalingScheduledActionType;

static DECLARATION: Declaration = Declaration::new(
    "aws_appautoscaling_scheduled_action",
    &SCHEMA,
    Adoption::Arguments,
);

static TARGET_ACTION: &[AttrSchema] = attrs![
    optional String: max_capacity min_capacity;
];

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id arn;
        required String: name.force_new() service_namespace.force_new() resource_id.force_new() scalable_dimension.force_new() schedule;
        optional String: start_time end_time;
        optional String: timezone.default(Default::Str("UTC"));
    ],
    blocks: &[BlockSchema::list("scalable_target_action", TARGET_ACTION)
        .min_items(1)
        .max_items(1)],
};

/// `DescribeScheduledActions` takes at most 50 names.
const NAMES_PER_CALL: usize = 50;

/// The provider's id.
fn action_id(name: &str, namespace: &str, resource_id: &str) -> String {
    format!("{name}-{namespace}-{resource_id}")
}

/// The name, namespace and resource id of an id: split at the first `-NAMESPACE-` followed by
/// a resource id of that namespace's form (any namespace's, when the form is not one the API
/// reference lists).
fn split_id(id: &str) -> Option<(&str, ServiceNamespace, &str)> {
    let every = ServiceNamespace::values().len();
    let mut fallback = None;
    for (at, _) in id.match_indices('-') {
        let (name, rest) = (&id[..at], &id[at + 1..]);
        for ns in ServiceNamespace::values() {
            let Some(resource) = rest
                .strip_prefix(ns)
                .and_then(|r| r.strip_prefix('-'))
                .filter(|r| !r.is_empty() && !name.is_empty())
            else {
                continue;
            };
            let forms = namespaces_of(resource);
            let ns = ServiceNamespace::from(*ns);
            if forms.len() < every && forms.contains(&ns) {
                return Some((name, ns, resource));
            }
            if forms.len() == every && fallback.is_none() {
                fallback = Some((name, ns, resource));
            }
        }
    }
    fallback
}

fn time_value(t: Option<&DateTime>) -> Value {
    opt_str(t.and_then(|t| DateTime::from_secs(t.secs()).fmt(Format::DateTime).ok()))
}

fn parse_time(planned: &Value, name: &str) -> Result<Option<DateTime>> {
    get_str(planned, name)
        .map(|s| {
            DateTime::from_str(s, Format::DateTime).map_err(|e| {
                ApiError::new(
                    ErrorKind::Invalid,
                    "ValidationException",
                    format!("{name} {s:?} is not an RFC 3339 time (2030-01-02T15:04:05Z): {e}"),
                )
            })
        })
        .transpose()
}

fn capacity_sent(block: &Value, name: &str) -> Result<Option<i32>> {
    match get_str(block, name).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            ApiError::new(
                ErrorKind::Invalid,
                "ValidationException",
                format!("scalable_target_action.{name} {s:?} is not a whole number"),
            )
        }),
    }
}

fn target_action(planned: &Value) -> Result<Option<ScalableTargetAction>> {
    let Some(block) = get_block(planned, "scalable_target_action") else {
        return Ok(None);
    };
    Ok(Some(
        ScalableTargetAction::builder()
            .set_min_capacity(capacity_sent(block, "min_capacity")?)
            .set_max_capacity(capacity_sent(block, "max_capacity")?)
            .build(),
    ))
}

/// The action's id, its dimension (for an ambiguity's message) and its state.
fn action_state(a: &ScheduledAction) -> (String, String, Value) {
    let namespace = a.service_namespace().as_str();
    let id = action_id(a.scheduled_action_name(), namespace, a.resource_id());
    let dimension = a.scalable_dimension().map(ScalableDimension::as_str);
    let target = a
        .scalable_target_action()
        .map(|t| {
            let n = |v: Option<i32>| opt_str(v.map(|v| v.to_string()));
            nested_object(
                &SCHEMA.blocks[0],
                [
                    ("min_capacity", n(t.min_capacity())),
                    ("max_capacity", n(t.max_capacity())),
                ],
            )
        })
        .into_iter()
        .collect();
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&id)),
            ("arn", Value::string(a.scheduled_action_arn())),
            ("name", Value::string(a.scheduled_action_name())),
            ("service_namespace", Value::string(namespace)),
            ("resource_id", Value::string(a.resource_id())),
            ("scalable_dimension", opt_str(dimension)),
            ("schedule", Value::string(a.schedule())),
            ("timezone", Value::string(a.timezone().unwrap_or("UTC"))),
            ("start_time", time_value(a.start_time())),
            ("end_time", time_value(a.end_time())),
            ("scalable_target_action", Value::List(target)),
        ],
    );
    (id, dimension.unwrap_or("?").to_string(), state)
}

async fn put(clients: &AwsClients, planned: &Value) -> Result<()> {
    let s = |n| get_str(planned, n).map(String::from);
    let start = parse_time(planned, "start_time")?;
    let end = parse_time(planned, "end_time")?;
    let target = target_action(planned)?;
    call(|| {
        clients
            .appautoscaling
            .put_scheduled_action()
            .set_service_namespace(
                get_str(planned, "service_namespace").map(ServiceNamespace::from),
            )
            .set_scalable_dimension(
                get_str(planned, "scalable_dimension").map(ScalableDimension::from),
            )
            .set_resource_id(s("resource_id"))
            .set_scheduled_action_name(s("name"))
            .set_schedule(s("schedule"))
            .set_timezone(s("timezone"))
            .set_start_time(start)
            .set_end_time(end)
            .set_scalable_target_action(target.clone())
            .send()
    })
    .await?;
    Ok(())
}

/// The actions of `namespace` named `names`.
async fn describe(
    clients: &AwsClients,
    namespace: &ServiceNamespace,
    names: &[String],
) -> Result<Vec<ScheduledAction>> {
    in_chunks(names, NAMES_PER_CALL, |chunk| {
        all_pages(
            move |token| {
                clients
                    .appautoscaling
                    .describe_scheduled_actions()
                    .service_namespace(namespace.clone())
                    .set_scheduled_action_names(Some(chunk.clone()))
                    .set_next_token(token)
                    .send()
            },
            |page| page.scheduled_actions(),
            |page| page.next_token(),
        )
    })
    .await
}

#[async_trait]
impl ResourceType for AppautoscalingScheduledActionType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The action its arguments name (no tags to check).
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id = match (
            get_str(planned, "name"),
            get_str(planned, "service_namespace"),
            get_str(planned, "resource_id"),
        ) {
            (Some(name), Some(ns), Some(resource)) => Some(action_id(name, ns, resource)),
            _ => None,
        };
        let found = find_by_arguments(self, clients, id).await?;
        let dimension = get_str(planned, "scalable_dimension");
        Ok(found
            .into_iter()
            .filter(|c| match c {
                Candidate::Ours(v) => get_str(v, "scalable_dimension") == dimension,
                Candidate::Foreign { .. } => true,
            })
            .collect())
    }

    fn importable(&self) -> bool {
        false
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        // Names by namespace, as the API asks.
        let mut names: BTreeMap<String, (ServiceNamespace, Vec<String>)> = BTreeMap::new();
        for (name, ns, _) in ids.iter().filter_map(|id| split_id(id)) {
            let entry = names
                .entry(ns.as_str().to_string())
                .or_insert_with(|| (ns.clone(), Vec::new()));
            if !entry.1.iter().any(|n| n == name) {
                entry.1.push(name.to_string());
            }
        }
        let mut found = Vec::new();
        for (ns, names) in names.values() {
            found.extend(
                describe(clients, ns, names)
                    .await?
                    .iter()
                    .map(action_state)
                    .filter(|(id, _, _)| ids.contains(id)),
            );
        }
        states_by_unique_id(found, "scheduled action", "scalable dimensions")
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        put(ctx.clients, planned).await?;
        let id = action_id(
            get_str(planned, "name").unwrap_or_default(),
            get_str(planned, "service_namespace").unwrap_or_default(),
            get_str(planned, "resource_id").unwrap_or_default(),
        );
        read_created(self, ctx.clients, &id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        put(ctx.clients, planned).await?;
        let id = recorded_id(self, prior)?;
        read_created(self, ctx.clients, &id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let s = |n| get_str(prior, n).map(String::from);
        call(|| {
            ctx.clients
                .appautoscaling
                .delete_scheduled_action()
                .set_service_namespace(
                    get_str(prior, "service_namespace").map(ServiceNamespace::from),
                )
                .set_scalable_dimension(
                    get_str(prior, "scalable_dimension").map(ScalableDimension::from),
                )
                .set_resource_id(s("resource_id"))
                .set_scheduled_action_name(s("name"))
                .send()
        })
        .await
        .ok_if(ApiError::is_unknown_scaling_object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_providers_and_split_at_the_namespace_the_resource_names() {
        let id = action_id("night-ecs-off", "ecs", "service/my-ecs-cluster/web");
        assert_eq!(id, "night-ecs-off-ecs-service/my-ecs-cluster/web");
        let (name, ns, resource) = split_id(&id).unwrap();
        assert_eq!(name, "night-ecs-off");
        assert_eq!(ns, ServiceNamespace::Ecs);
        assert_eq!(resource, "service/my-ecs-cluster/web");
        let (name, ns, resource) = split_id("scale-dynamodb-table/orders").unwrap();
        assert_eq!((name, resource), ("scale", "table/orders"));
        assert_eq!(ns, ServiceNamespace::Dynamodb);
        assert!(split_id("no-namespace-here").is_none());
    }

    #[test]
    fn capacities_are_strings_sent_as_numbers() {
        let args = |action: Value| {
            SCHEMA.conformed([
                ("name", Value::string("night")),
                ("service_namespace", Value::string("ecs")),
                ("resource_id", Value::string("service/main/web")),
                (
                    "scalable_dimension",
                    Value::string("ecs:service:DesiredCount"),
                ),
                ("schedule", Value::string("cron(0 21 * * ? *)")),
                ("scalable_target_action", Value::List(vec![action])),
            ])
        };
        let planned = args(Value::map([("max_capacity", Value::string("2"))]));
        let sent = target_action(&planned).unwrap().unwrap();
        assert_eq!((sent.min_capacity(), sent.max_capacity()), (None, Some(2)));
        let bad = args(Value::map([("min_capacity", Value::string("two"))]));
        assert!(target_action(&bad).is_err());
        let a = ScheduledAction::builder()
            .scheduled_action_name("night")
            .scheduled_action_arn("arn:aws:autoscaling:eu-west-1:1:scheduledAction:x")
            .service_namespace(ServiceNamespace::Ecs)
            .schedule("cron(0 21 * * ? *)")
            .resource_id("service/main/web")
            .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
            .scalable_target_action(sent)
            .creation_time(DateTime::from_secs(0))
            .build()
            .unwrap();
        let (id, _, v) = action_state(&a);
        assert_eq!(id, "night-ecs-service/main/web");
        let m = v.as_map().unwrap();
        assert_eq!(m["timezone"], Value::string("UTC"));
        assert_eq!(
            m["scalable_target_action"],
            Value::List(vec![Value::map([
                ("max_capacity", Value::string("2")),
                ("min_capacity", Value::Null),
            ])])
        );
    }
}
