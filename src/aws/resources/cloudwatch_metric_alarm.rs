//! `aws_cloudwatch_metric_alarm`: a CloudWatch alarm on one metric (`metric_name`,
//! `namespace`, `dimensions`, `statistic` or `extended_statistic`) or on metric math
//! (`metric_query` blocks), whose actions notify an SNS topic or run a scaling policy.
//!
//! The id is the alarm name, as the AWS provider's, and so is the import ID.
//! `PutMetricAlarm` both creates and updates (a full replacement of the alarm's settings, its
//! tags excepted), so everything but the name changes in place; tags change with
//! `TagResource`/`UntagResource`. Refresh reads every alarm with one paginated
//! `DescribeAlarms` per 100 names, and tags from the Resource Groups Tagging API's
//! `GetResources`, one paginated call shared with the other types whose tags come from there
//! (`aws::refresh_batch`); alarms missing there (no tags), and other reads, take
//! `ListTagsForResource`, one call per alarm.
//!
//! The PromQL alarms of provider 6.x (`evaluation_criteria`, `evaluation_interval`) and
//! `warm_up_configuration` are not supported yet. CloudWatch's SDK is pinned to the last
//! release on the Query protocol (Cargo.toml): later ones speak only Smithy RPC v2 CBOR,
//! which AWS serves besides Query and JSON but moto (5.2.5) does not.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_cloudwatch::types::{
    AlarmType, ComparisonOperator, Dimension, Metric, MetricAlarm, MetricDataQuery, MetricStat,
    StandardUnit, Statistic, Tag,
};

use super::{changed, read_created, recorded_id};
use crate::aws::adopt::find_named;
use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, OrGone, Result};
use crate::aws::iam::read_each;
use crate::aws::paged::{all_pages, in_chunks};
use crate::aws::refresh_batch::{RefreshBatch, TagsByArn};
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    get_block, get_blocks, get_bool, get_i32, get_number, get_str, get_string_map, get_strings,
    nested_object, opt_bool, opt_number, opt_str, state_object, string_map, string_set,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct CloudwatchMetricAlarmType;

static DECLARATION: Declaration = Declaration::new(
    "aws_cloudwatch_metric_alarm",
    &SCHEMA,
    Adoption::NameAndTags,
);

static METRIC: &[AttrSchema] = attrs![
    required String: metric_name stat;
    required Number: period;
    optional String: namespace unit;
    optional StringMap: dimensions;
];

static METRIC_QUERY: &[AttrSchema] = attrs![
    required String: id;
    optional String: account_id expression label;
    optional Number: period;
    optional Bool: return_data;
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        required String: alarm_name.force_new() comparison_operator;
        required Number: evaluation_periods;
        optional String: alarm_description metric_name namespace statistic extended_statistic unit threshold_metric_id;
        optional String: treat_missing_data.default(Default::Str("missing"));
        optional_computed String: evaluate_low_sample_count_percentiles;
        optional Bool: actions_enabled.default(Default::Bool(true));
        optional StringSet: alarm_actions ok_actions insufficient_data_actions;
        optional Number: datapoints_to_alarm period threshold;
        optional StringMap: dimensions tags;
        computed StringMap: tags_all;
    ],
    blocks: &[BlockSchema::set("metric_query", METRIC_QUERY)
        .blocks(&[BlockSchema::list("metric", METRIC).max_items(1)])],
};

/// `DescribeAlarms` takes at most 100 alarm names.
const NAMES_PER_CALL: usize = 100;

fn dimensions_value(dimensions: &[Dimension]) -> Value {
    if dimensions.is_empty() {
        return Value::Null;
    }
    let m: BTreeMap<String, String> = dimensions
        .iter()
        .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
        .collect();
    string_map(&m)
}

fn to_dimensions(v: &Value) -> Option<Vec<Dimension>> {
    let m = get_string_map(v, "dimensions");
    (!m.is_empty()).then(|| {
        m.into_iter()
            .map(|(name, value)| Dimension::builder().name(name).value(value).build())
            .collect()
    })
}

fn query_state(q: &MetricDataQuery) -> Value {
    let block = &SCHEMA.blocks[0];
    let metric: Vec<Value> = q
        .metric_stat()
        .map(|s| {
            let m = s.metric();
            nested_object(
                &block.blocks[0],
                [
                    ("metric_name", opt_str(m.and_then(Metric::metric_name))),
                    ("namespace", opt_str(m.and_then(Metric::namespace))),
                    (
                        "dimensions",
                        dimensions_value(m.map(Metric::dimensions).unwrap_or_default()),
                    ),
                    ("period", opt_number(s.period())),
                    ("stat", opt_str(s.stat())),
                    ("unit", opt_str(s.unit().map(StandardUnit::as_str))),
                ],
            )
        })
        .into_iter()
        .collect();
    nested_object(
        block,
        [
            ("id", opt_str(q.id())),
            ("account_id", opt_str(q.account_id())),
            ("expression", opt_str(q.expression())),
            ("label", opt_str(q.label())),
            ("period", opt_number(q.period())),
            ("return_data", opt_bool(q.return_data())),
            ("metric", Value::List(metric)),
        ],
    )
}

fn to_queries(planned: &Value) -> Option<Vec<MetricDataQuery>> {
    let queries: Vec<MetricDataQuery> = get_blocks(planned, "metric_query")
        .iter()
        .map(|q| {
            let stat = get_block(q, "metric").map(|m| {
                MetricStat::builder()
                    .metric(
                        Metric::builder()
                            .set_metric_name(get_str(m, "metric_name").map(String::from))
                            .set_namespace(get_str(m, "namespace").map(String::from))
                            .set_dimensions(to_dimensions(m))
                            .build(),
                    )
                    .set_period(get_i32(m, "period"))
                    .set_stat(get_str(m, "stat").map(String::from))
                    .set_unit(get_str(m, "unit").map(StandardUnit::from))
                    .build()
            });
            MetricDataQuery::builder()
                .set_id(get_str(q, "id").map(String::from))
                .set_account_id(get_str(q, "account_id").map(String::from))
                .set_expression(get_str(q, "expression").map(String::from))
                .set_label(get_str(q, "label").map(String::from))
                .set_period(get_i32(q, "period"))
                .set_return_data(get_bool(q, "return_data"))
                .set_metric_stat(stat)
                .build()
        })
        .collect();
    (!queries.is_empty()).then_some(queries)
}

fn alarm_state(a: &MetricAlarm, tags: &BTreeMap<String, String>) -> Option<(String, Value)> {
    let name = a.alarm_name()?.to_string();
    let set = |items: &[String]| {
        if items.is_empty() {
            Value::Null
        } else {
            string_set(items.iter().cloned())
        }
    };
    let queries = a.metrics().iter().map(query_state).collect();
    let mut given = vec![
        ("id", Value::string(&name)),
        ("arn", opt_str(a.alarm_arn())),
        ("alarm_name", Value::string(&name)),
        ("alarm_description", opt_str(a.alarm_description())),
        (
            "comparison_operator",
            opt_str(a.comparison_operator().map(ComparisonOperator::as_str)),
        ),
        ("evaluation_periods", opt_number(a.evaluation_periods())),
        ("datapoints_to_alarm", opt_number(a.datapoints_to_alarm())),
        ("metric_name", opt_str(a.metric_name())),
        ("namespace", opt_str(a.namespace())),
        ("statistic", opt_str(a.statistic().map(Statistic::as_str))),
        ("extended_statistic", opt_str(a.extended_statistic())),
        ("unit", opt_str(a.unit().map(StandardUnit::as_str))),
        ("period", opt_number(a.period())),
        ("threshold", opt_number(a.threshold())),
        ("threshold_metric_id", opt_str(a.threshold_metric_id())),
        (
            "treat_missing_data",
            Value::string(a.treat_missing_data().unwrap_or("missing")),
        ),
        (
            "evaluate_low_sample_count_percentiles",
            opt_str(a.evaluate_low_sample_count_percentile()),
        ),
        (
            "actions_enabled",
            Value::Bool(a.actions_enabled().unwrap_or(true)),
        ),
        ("alarm_actions", set(a.alarm_actions())),
        ("ok_actions", set(a.ok_actions())),
        (
            "insufficient_data_actions",
            set(a.insufficient_data_actions()),
        ),
        ("dimensions", dimensions_value(a.dimensions())),
        ("metric_query", Value::set(queries)),
    ];
    given.extend(read_tags(tags.clone()));
    Some((name, state_object(&SCHEMA, given)))
}

fn to_cloudwatch_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// The metric alarms named `names`.
async fn describe(clients: &AwsClients, names: &[String]) -> Result<Vec<MetricAlarm>> {
    in_chunks(names, NAMES_PER_CALL, |chunk| {
        all_pages(
            move |token| {
                clients
                    .cloudwatch
                    .describe_alarms()
                    .set_alarm_names(Some(chunk.clone()))
                    .alarm_types(AlarmType::MetricAlarm)
                    .set_next_token(token)
                    .send()
            },
            |page| page.metric_alarms(),
            |page| page.next_token(),
        )
    })
    .await
}

async fn list_tags(clients: &AwsClients, arn: &str) -> Result<BTreeMap<String, String>> {
    let out = call(|| {
        clients
            .cloudwatch
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
    })
    .await?;
    Ok(out
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect())
}

/// The states of `names`, tags from `known` (by ARN) or, missing there, their own call.
async fn read_alarms(
    clients: &AwsClients,
    names: &[String],
    known: Option<&TagsByArn>,
) -> Result<States> {
    let mut out = States::new();
    let mut untagged: BTreeMap<String, MetricAlarm> = BTreeMap::new();
    for a in describe(clients, names).await? {
        let Some(arn) = a.alarm_arn().map(String::from) else {
            continue;
        };
        match known.and_then(|k| k.get(&arn)) {
            Some(tags) => out.extend(alarm_state(&a, tags)),
            None => {
                untagged.insert(arn, a);
            }
        }
    }
    let arns: Vec<String> = untagged.keys().cloned().collect();
    let untagged = Arc::new(untagged);
    let read = read_each(clients, &arns, move |clients, arn| {
        let alarms = untagged.clone();
        async move {
            // Gone since it was described: not found.
            let tags = list_tags(&clients, &arn).await?;
            Ok(alarms
                .get(&arn)
                .and_then(|a| alarm_state(a, &tags))
                .map(|(_, v)| v))
        }
    })
    .await?;
    out.extend(read.into_values().filter_map(|v| {
        let name = get_str(&v, "alarm_name")?.to_string();
        Some((name, v))
    }));
    Ok(out)
}

fn invalid_missing(what: &str) -> ApiError {
    ApiError::new(
        ErrorKind::Invalid,
        "ValidationError",
        format!("aws_cloudwatch_metric_alarm needs {what}"),
    )
}

async fn put(clients: &AwsClients, planned: &Value, tags: Option<Vec<Tag>>) -> Result<()> {
    let s = |n| get_str(planned, n).map(String::from);
    let set = |n| {
        let items = get_strings(planned, n);
        (!items.is_empty()).then_some(items)
    };
    let operator =
        s("comparison_operator").ok_or_else(|| invalid_missing("comparison_operator"))?;
    let periods = get_i32(planned, "evaluation_periods")
        .ok_or_else(|| invalid_missing("evaluation_periods"))?;
    let queries = to_queries(planned);
    call(|| {
        clients
            .cloudwatch
            .put_metric_alarm()
            .set_alarm_name(s("alarm_name"))
            .set_alarm_description(s("alarm_description"))
            .set_actions_enabled(get_bool(planned, "actions_enabled"))
            .set_alarm_actions(set("alarm_actions"))
            .set_ok_actions(set("ok_actions"))
            .set_insufficient_data_actions(set("insufficient_data_actions"))
            .set_metric_name(s("metric_name"))
            .set_namespace(s("namespace"))
            .set_statistic(get_str(planned, "statistic").map(Statistic::from))
            .set_extended_statistic(s("extended_statistic"))
            .set_dimensions(to_dimensions(planned))
            .set_period(get_i32(planned, "period"))
            .set_unit(get_str(planned, "unit").map(StandardUnit::from))
            .evaluation_periods(periods)
            .set_datapoints_to_alarm(get_i32(planned, "datapoints_to_alarm"))
            .set_threshold(get_number(planned, "threshold"))
            .comparison_operator(ComparisonOperator::from(operator.as_str()))
            .set_treat_missing_data(s("treat_missing_data"))
            .set_evaluate_low_sample_count_percentile(s("evaluate_low_sample_count_percentiles"))
            .set_metrics(queries.clone())
            .set_threshold_metric_id(s("threshold_metric_id"))
            .set_tags(tags.clone())
            .send()
    })
    .await?;
    Ok(())
}

#[async_trait]
impl ResourceType for CloudwatchMetricAlarmType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The alarm of that name, judged by its tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "alarm_name") else {
            return Ok(Vec::new());
        };
        find_named(self, clients, owner, name, || async {
            let found = describe(clients, &[name.to_string()]).await?;
            match found.first().and_then(MetricAlarm::alarm_arn) {
                Some(arn) => Ok(list_tags(clients, arn).await.found()?),
                None => Ok(None),
            }
        })
        .await
    }

    fn import_id_format(&self) -> &'static str {
        "the alarm name"
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_alarms(clients, ids, None).await
    }

    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        batch: &RefreshBatch,
    ) -> Result<States> {
        let known = batch.tags(clients).await?;
        read_alarms(clients, ids, Some(&known)).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let tags = to_cloudwatch_tags(&creation_tags(planned, ctx.extra_tags));
        put(ctx.clients, planned, Some(tags)).await?;
        let name = get_str(planned, "alarm_name").unwrap_or_default();
        read_created(self, ctx.clients, name).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = recorded_id(self, prior)?;
        let settings_changed = SCHEMA
            .attributes
            .iter()
            .map(|a| a.name)
            .chain(["metric_query"])
            .filter(|n| !n.starts_with("tags"))
            .any(|n| changed(prior, planned, n));
        if settings_changed {
            put(clients, planned, None).await?;
        }
        let tag_changes = TagChanges::between(prior, planned);
        if !tag_changes.is_empty() {
            let arn = get_str(prior, "arn")
                .ok_or_else(|| ApiError::malformed("alarm state has no ARN"))?
                .to_string();
            send_tag_changes!(
                tag_changes,
                clients.cloudwatch,
                untag_resource,
                tag_resource,
                resource_arn(&arn),
                to_cloudwatch_tags
            )
            .await?;
        }
        read_created(self, clients, &name).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Some(name) = get_str(prior, "alarm_name") else {
            return Ok(());
        };
        call(|| {
            ctx.clients
                .cloudwatch
                .delete_alarms()
                .alarm_names(name)
                .send()
        })
        .await
        .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_queries_are_sent_and_read_back_as_configured() {
        let planned = SCHEMA.conformed([
            ("alarm_name", Value::string("errors")),
            ("comparison_operator", Value::string("GreaterThanThreshold")),
            ("evaluation_periods", Value::number(2)),
            (
                "metric_query",
                Value::set(vec![
                    Value::map([
                        ("id", Value::string("rate")),
                        ("expression", Value::string("errors / requests * 100")),
                        ("return_data", Value::Bool(true)),
                    ]),
                    Value::map([
                        ("id", Value::string("errors")),
                        (
                            "metric",
                            Value::List(vec![Value::map([
                                ("metric_name", Value::string("HTTPCode_Target_5XX_Count")),
                                ("namespace", Value::string("AWS/ApplicationELB")),
                                ("period", Value::number(60)),
                                ("stat", Value::string("Sum")),
                                (
                                    "dimensions",
                                    Value::map([("LoadBalancer", Value::string("app/web/1"))]),
                                ),
                            ])]),
                        ),
                    ]),
                ]),
            ),
        ]);
        let sent = to_queries(&planned).unwrap();
        assert_eq!(sent.len(), 2);
        let errors = sent.iter().find(|q| q.id() == Some("errors")).unwrap();
        let stat = errors.metric_stat().unwrap();
        assert_eq!(stat.period(), Some(60));
        assert_eq!(
            stat.metric().unwrap().dimensions()[0].value(),
            Some("app/web/1")
        );
        let read = Value::set(sent.iter().map(query_state).collect());
        assert_eq!(read, planned.as_map().unwrap()["metric_query"]);
        assert!(to_queries(&SCHEMA.conformed([
            ("alarm_name", Value::string("x")),
            ("comparison_operator", Value::string("GreaterThanThreshold")),
            ("evaluation_periods", Value::number(1)),
        ]))
        .is_none());
    }

    #[test]
    fn a_described_alarm_reads_with_the_defaults_aws_applies() {
        let a = MetricAlarm::builder()
            .alarm_name("cpu-high")
            .alarm_arn("arn:aws:cloudwatch:eu-west-1:1:alarm:cpu-high")
            .metric_name("CPUUtilization")
            .namespace("AWS/ECS")
            .dimensions(
                Dimension::builder()
                    .name("ClusterName")
                    .value("main")
                    .build(),
            )
            .alarm_actions("arn:aws:sns:eu-west-1:1:alerts")
            .build();
        let tags = BTreeMap::from([
            ("Team".to_string(), "ops".to_string()),
            ("ecsform:address".to_string(), "aws_x.y".to_string()),
        ]);
        let (id, v) = alarm_state(&a, &tags).unwrap();
        assert_eq!(id, "cpu-high");
        let m = v.as_map().unwrap();
        assert_eq!(m["treat_missing_data"], Value::string("missing"));
        assert_eq!(m["actions_enabled"], Value::Bool(true));
        assert_eq!(m["ok_actions"], Value::Null);
        assert_eq!(
            m["dimensions"],
            Value::map([("ClusterName", Value::string("main"))])
        );
        assert_eq!(m["tags"], Value::map([("Team", Value::string("ops"))]));
    }
}
