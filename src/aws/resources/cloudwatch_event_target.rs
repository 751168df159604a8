//! `aws_cloudwatch_event_target`: a target of an EventBridge rule (an ARN to deliver matched
//! events to, with the input to send).
//!
//! Its id is `RULE/TARGET_ID` on the default bus and `BUS/RULE/TARGET_ID` on another. The AWS
//! provider uses `RULE-TARGET_ID`, which cannot be split back when names contain `-`; `/`
//! appears in neither rule names nor target ids, so ecsform's ids split from the right.
//! `target_id` defaults to a generated unique name. PutTargets creates and replaces a target
//! (with every argument), RemoveTargets deletes it. Refresh lists the targets once per rule
//! (ListTargetsByRule). Only the arguments listed in the schema are supported (no
//! `ecs_target`, `dead_letter_config`, `retry_policy`...).

use std::collections::BTreeMap;

use crate::aws::adopt::find_by_arguments;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_eventbridge::types::{InputTransformer, Target};

use super::cloudwatch_event_rule::DEFAULT_BUS;
use super::{read_created, retry_while, split_import_id, unique_name};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, ErrorKind, OrGone};
use crate::aws::iam::{iam_eventually_consistent, IAM_SETTLE_LIMIT};
use crate::aws::paged::all_pages;
use crate::aws::resource_type::States;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    get_blocks, get_str, get_string_map, opt_str, state_object, string_map,
};
use crate::provider::{BlockSchema, Schema};

pub struct CloudwatchEventTargetType;

static DECLARATION: Declaration =
    Declaration::new("aws_cloudwatch_event_target", &SCHEMA, Adoption::Arguments)
        .generated_name_without_prefix("target_id", "terraform-");

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: rule.force_new();
        optional String: event_bus_name.force_new().default(Default::Str(DEFAULT_BUS));
        optional_computed String: target_id.force_new();
        required String: arn;
        optional String: input input_path role_arn;
    ],
    blocks: &[BlockSchema::list(
        "input_transformer",
        attrs![
            optional StringMap: input_paths;
            required String: input_template;
        ],
    )
    .max_items(1)],
};

/// The id of target `target` of rule `rule` on `bus`.
pub fn target_id(bus: &str, rule: &str, target: &str) -> String {
    if bus == DEFAULT_BUS {
        format!("{rule}/{target}")
    } else {
        format!("{bus}/{rule}/{target}")
    }
}

/// `(bus, rule, target)` of an id.
pub fn parse_target_id(id: &str) -> Option<(&str, &str, &str)> {
    let (rest, target) = id.rsplit_once('/')?;
    let (bus, rule) = rest.rsplit_once('/').unwrap_or((DEFAULT_BUS, rest));
    Some((bus, rule, target))
}

fn target_state(bus: &str, rule: &str, t: &Target) -> Value {
    let transformer: Vec<Value> = t
        .input_transformer()
        .map(|x| {
            let paths: BTreeMap<String, String> = x
                .input_paths_map()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default();
            Value::map([
                (
                    "input_paths",
                    if paths.is_empty() {
                        Value::Null
                    } else {
                        string_map(&paths)
                    },
                ),
                ("input_template", Value::string(x.input_template())),
            ])
        })
        .into_iter()
        .collect();
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(target_id(bus, rule, t.id()))),
            ("rule", Value::string(rule)),
            ("event_bus_name", Value::string(bus)),
            ("target_id", Value::string(t.id())),
            ("arn", Value::string(t.arn())),
            ("input", opt_str(t.input())),
            ("input_path", opt_str(t.input_path())),
            ("role_arn", opt_str(t.role_arn())),
            ("input_transformer", Value::List(transformer)),
        ],
    )
}

/// The targets of a rule (none if the rule is gone).
async fn targets_of(clients: &AwsClients, bus: &str, rule: &str) -> Result<Vec<Target>> {
    let targets = all_pages(
        |token| {
            clients
                .events
                .list_targets_by_rule()
                .rule(rule)
                .event_bus_name(bus)
                .set_next_token(token)
                .send()
        },
        |page| page.targets(),
        |page| page.next_token(),
    )
    .await;
    targets.found().map(Option::unwrap_or_default)
}

fn build_target(planned: &Value, id: &str) -> Result<Target> {
    let s = |n| get_str(planned, n).map(String::from);
    let transformer = get_blocks(planned, "input_transformer")
        .first()
        .map(|b| {
            let paths = get_string_map(b, "input_paths");
            InputTransformer::builder()
                .set_input_paths_map((!paths.is_empty()).then(|| paths.into_iter().collect()))
                .set_input_template(get_str(b, "input_template").map(String::from))
                .build()
        })
        .transpose()
        .map_err(|e| ApiError::new(ErrorKind::Invalid, "InvalidInputTransformer", e.to_string()))?;
    Target::builder()
        .id(id)
        .set_arn(s("arn"))
        .set_input(s("input"))
        .set_input_path(s("input_path"))
        .set_role_arn(s("role_arn"))
        .set_input_transformer(transformer)
        .build()
        .map_err(|e| ApiError::new(ErrorKind::Invalid, "InvalidTarget", e.to_string()))
}

async fn put_target(clients: &AwsClients, planned: &Value, target: &str) -> Result<()> {
    let bus = get_str(planned, "event_bus_name").unwrap_or(DEFAULT_BUS);
    let rule = get_str(planned, "rule").unwrap_or_default();
    let t = build_target(planned, target)?;
    // The rule or a role created a moment ago may not be visible yet.
    let out = retry_while(
        &format!("target {target} to be put on rule {rule}"),
        IAM_SETTLE_LIMIT,
        |e| e.is_not_found() || iam_eventually_consistent(e),
        || async {
            clients
                .events
                .put_targets()
                .rule(rule)
                .event_bus_name(bus)
                .targets(t.clone())
                .send()
                .await
                .map_err(from_sdk)
        },
    )
    .await?;
    if let Some(failed) = out.failed_entries().first() {
        return Err(ApiError::new(
            ErrorKind::Invalid,
            failed.error_code().unwrap_or("PutTargetsFailed"),
            failed.error_message().unwrap_or("PutTargets failed"),
        ));
    }
    Ok(())
}

#[async_trait]
impl ResourceType for CloudwatchEventTargetType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The target's id is its bus, rule and (pinned) target id.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id: Option<String> = get_str(planned, "rule")
            .zip(get_str(planned, "target_id"))
            .map(|(r, t)| {
                target_id(
                    get_str(planned, "event_bus_name").unwrap_or(DEFAULT_BUS),
                    r,
                    t,
                )
            });
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "`RULE_NAME/TARGET_ID`, or `EVENT_BUS_NAME/RULE_NAME/TARGET_ID` for a rule on another bus"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        split_import_id(id, '/', "RULE_NAME/TARGET_ID")?;
        Ok(id.to_string())
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut by_rule: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
        for (bus, rule, target) in ids.iter().filter_map(|id| parse_target_id(id)) {
            by_rule.entry((bus, rule)).or_default().push(target);
        }
        let mut out = BTreeMap::new();
        for ((bus, rule), wanted) in by_rule {
            for t in targets_of(clients, bus, rule).await? {
                if wanted.contains(&t.id()) {
                    out.insert(target_id(bus, rule, t.id()), target_state(bus, rule, &t));
                }
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let target = get_str(planned, "target_id")
            .map(String::from)
            .unwrap_or_else(|| unique_name("terraform-"));
        put_target(ctx.clients, planned, &target).await?;
        let bus = get_str(planned, "event_bus_name").unwrap_or(DEFAULT_BUS);
        let rule = get_str(planned, "rule").unwrap_or_default();
        read_created(self, ctx.clients, &target_id(bus, rule, &target)).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let (_, _, target) =
            parse_target_id(id).ok_or_else(|| ApiError::malformed("unreadable target id"))?;
        put_target(ctx.clients, planned, target).await?;
        read_created(self, ctx.clients, id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let Some((bus, rule, target)) = parse_target_id(id) else {
            return Ok(());
        };
        call(|| {
            ctx.clients
                .events
                .remove_targets()
                .rule(rule)
                .event_bus_name(bus)
                .ids(target)
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
    fn ids_split_from_the_right() {
        assert_eq!(
            target_id("default", "ecs-events", "logs"),
            "ecs-events/logs"
        );
        assert_eq!(
            parse_target_id("ecs-events/logs"),
            Some(("default", "ecs-events", "logs"))
        );
        assert_eq!(
            parse_target_id("orders/new-order/queue"),
            Some(("orders", "new-order", "queue"))
        );
        assert_eq!(parse_target_id("nothing"), None);
    }

    #[test]
    fn input_transformers_round_trip() {
        let planned = SCHEMA.conformed([
            ("rule", Value::string("r")),
            ("arn", Value::string("arn:aws:sns:eu-west-1:1:t")),
            (
                "input_transformer",
                Value::List(vec![Value::map([
                    (
                        "input_paths",
                        Value::map([("status", Value::string("$.detail.lastStatus"))]),
                    ),
                    ("input_template", Value::string("\"<status>\"")),
                ])]),
            ),
        ]);
        let t = build_target(&planned, "t1").unwrap();
        let state = target_state("default", "r", &t);
        let m = state.as_map().unwrap();
        assert_eq!(
            m["input_transformer"],
            planned.as_map().unwrap()["input_transformer"]
        );
        assert_eq!(m["id"], Value::string("r/t1"));
    }
}
