//! `aws_cloudwatch_event_rule`: an EventBridge rule, matching events by pattern or firing on a
//! schedule.
//!
//! Its id is the rule's name on the default bus and `BUS/NAME` on another bus (as in the AWS
//! provider; rule names cannot contain `/`, so the last `/` splits it). `event_pattern` is
//! compared in canonical JSON form. `state` (default `ENABLED`) and the deprecated `is_enabled`
//! describe the same thing: setting `is_enabled = false` alone disables the rule, and
//! `is_enabled` is always reported as `state != "DISABLED"`. PutRule both creates and updates
//! (it replaces every argument, so updates send them all). Refresh lists the rules once per
//! event bus (ListRules, by the names' common prefix), then reads tags with one
//! ListTagsForResource per rule (ListRules does not return them).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::aws::adopt::read_judged;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_eventbridge::types::{Rule, RuleState, Tag};

use super::{prefix_of_unique_name, read_created, retry_while};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, OrGone};
use crate::aws::iam::{iam_eventually_consistent, name_or_prefix, IAM_SETTLE_LIMIT};
use crate::aws::json_doc::{canonical_json, normalize_attr};
use crate::aws::paged::all_pages;
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct CloudwatchEventRuleType;

static DECLARATION: Declaration = Declaration::new(
    "aws_cloudwatch_event_rule",
    &SCHEMA,
    Adoption::NameAndTags,
)
.generated_name("name", "name_prefix", "terraform-");

pub const DEFAULT_BUS: &str = "default";

/// How long deletion waits for the rule's targets to be removed.
const TARGETS_LIMIT: Duration = Duration::from_secs(60);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        optional_computed String: name.force_new() name_prefix.force_new();
        optional String: description event_pattern schedule_expression;
        optional String: event_bus_name.force_new().default(Default::Str(DEFAULT_BUS));
        optional String: state.default(Default::Str("ENABLED"));
        optional_computed Bool: is_enabled;
        optional String: role_arn;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// The id of rule `name` on `bus`.
pub fn rule_id(bus: &str, name: &str) -> String {
    if bus == DEFAULT_BUS {
        name.to_string()
    } else {
        format!("{bus}/{name}")
    }
}

/// `(bus, name)` of a rule id.
pub fn parse_rule_id(id: &str) -> (&str, &str) {
    id.rsplit_once('/').unwrap_or((DEFAULT_BUS, id))
}

fn rule_state(r: &Rule, bus: &str, tags: &[Tag]) -> Value {
    let name = r.name().unwrap_or_default();
    let state = r.state().map(|s| s.as_str()).unwrap_or("ENABLED");
    let [tags, tags_all] = read_tags(
        tags.iter()
            .map(|t| (t.key().to_string(), t.value().to_string())),
    );
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(rule_id(bus, name))),
            ("arn", opt_str(r.arn())),
            ("name", Value::string(name)),
            ("name_prefix", opt_str(prefix_of_unique_name(name))),
            (
                "description",
                opt_str(r.description().filter(|d| !d.is_empty())),
            ),
            (
                "event_pattern",
                opt_str(r.event_pattern().map(canonical_json)),
            ),
            (
                "schedule_expression",
                opt_str(r.schedule_expression().filter(|s| !s.is_empty())),
            ),
            ("event_bus_name", Value::string(bus)),
            ("state", Value::string(state)),
            ("is_enabled", Value::Bool(state != "DISABLED")),
            ("role_arn", opt_str(r.role_arn())),
            tags,
            tags_all,
        ],
    )
}

/// The longest common prefix of `names`.
fn common_prefix<'a>(names: &[&'a str]) -> &'a str {
    let Some(first) = names.first() else {
        return "";
    };
    let mut len = first.len();
    for n in &names[1..] {
        len = first
            .bytes()
            .zip(n.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count();
    }
    &first[..len]
}

/// The rules of the bus whose names start with `prefix` (none if the bus is gone).
async fn list_rules(clients: &AwsClients, bus: &str, prefix: &str) -> Result<Vec<Rule>> {
    let rules = all_pages(
        |token| {
            clients
                .events
                .list_rules()
                .event_bus_name(bus)
                .set_name_prefix((!prefix.is_empty()).then(|| prefix.to_string()))
                .set_next_token(token)
                .send()
        },
        |page| page.rules(),
        |page| page.next_token(),
    )
    .await;
    rules.found().map(Option::unwrap_or_default)
}

async fn tags_of(clients: &AwsClients, arn: &str) -> Result<Vec<Tag>> {
    let out = call(|| {
        clients
            .events
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
    })
    .await?;
    Ok(out.tags().to_vec())
}

fn to_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

/// PutRule with every argument of `planned` (creating or replacing the rule).
async fn put_rule(
    clients: &AwsClients,
    name: &str,
    planned: &Value,
    tags: Option<Vec<Tag>>,
) -> Result<()> {
    let s = |n| get_str(planned, n).map(String::from);
    let bus = get_str(planned, "event_bus_name").unwrap_or(DEFAULT_BUS);
    let state = get_str(planned, "state").unwrap_or("ENABLED");
    // A role created a moment ago may not be usable by EventBridge yet.
    retry_while(
        &format!("event rule {name} to be put"),
        IAM_SETTLE_LIMIT,
        iam_eventually_consistent,
        || async {
            clients
                .events
                .put_rule()
                .name(name)
                .event_bus_name(bus)
                .set_description(s("description"))
                .set_event_pattern(s("event_pattern"))
                .set_schedule_expression(s("schedule_expression"))
                .set_role_arn(s("role_arn"))
                .state(RuleState::from(state))
                .set_tags(tags.clone())
                .send()
                .await
                .map_err(from_sdk)
        },
    )
    .await?;
    Ok(())
}

#[async_trait]
impl ResourceType for CloudwatchEventRuleType {
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
        let bus = get_str(planned, "event_bus_name").unwrap_or(DEFAULT_BUS);
        let mut found = Vec::new();
        for r in list_rules(clients, bus, name).await? {
            let (Some(arn), Some(n)) = (r.arn(), r.name()) else {
                continue;
            };
            if n != name {
                continue;
            }
            let Some(tags) = tags_of(clients, arn).await.found()? else {
                continue;
            };
            let tags = tags
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect();
            found.push((rule_id(bus, name), tags));
        }
        read_judged(self, clients, owner, found).await
    }

    fn import_id_format(&self) -> &'static str {
        "the rule name, or `EVENT_BUS_NAME/RULE_NAME` for a rule on another bus"
    }

    fn normalize(&self, value: Value) -> Value {
        let value = normalize_attr(value, "event_pattern", canonical_json);
        let Value::Map(mut m) = value else {
            return value;
        };
        let state = m.get("state").and_then(|s| s.as_str()).map(String::from);
        let enabled = m.get("is_enabled").and_then(Value::as_bool);
        match (state.as_deref(), enabled) {
            // The deprecated switch alone turns the (defaulted) state off.
            (Some("ENABLED"), Some(false)) => {
                m.insert("state".into(), Value::string("DISABLED"));
            }
            (Some(state), None) if m.get("is_enabled").is_some_and(|v| !v.is_known()) => {
                m.insert("is_enabled".into(), Value::Bool(state != "DISABLED"));
            }
            _ => {}
        }
        Value::Map(m)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut by_bus: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for id in ids {
            let (bus, name) = parse_rule_id(id);
            by_bus.entry(bus).or_default().push(name);
        }
        let mut out = BTreeMap::new();
        for (bus, names) in by_bus {
            for r in list_rules(clients, bus, common_prefix(&names)).await? {
                let Some(name) = r.name().filter(|n| names.contains(n)) else {
                    continue;
                };
                let tags = match r.arn() {
                    Some(arn) => match tags_of(clients, arn).await {
                        Err(e) if e.is_not_found() => continue,
                        other => other?,
                    },
                    None => Vec::new(),
                };
                out.insert(rule_id(bus, name), rule_state(&r, bus, &tags));
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let name = name_or_prefix(planned);
        let tags = to_tags(&creation_tags(planned, ctx.extra_tags));
        put_rule(ctx.clients, &name, planned, Some(tags)).await?;
        let bus = get_str(planned, "event_bus_name").unwrap_or(DEFAULT_BUS);
        read_created(self, ctx.clients, &rule_id(bus, &name)).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let (_, name) = parse_rule_id(id);
        put_rule(clients, name, planned, None).await?;
        if let Some(arn) = get_str(prior, "arn") {
            send_tag_changes!(
                TagChanges::between(prior, planned),
                clients.events,
                untag_resource,
                tag_resource,
                resource_arn(arn),
                to_tags
            )
            .await?;
        }
        read_created(self, clients, id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let (bus, name) = parse_rule_id(id);
        // Targets removed a moment ago may still be counted.
        retry_while(
            &format!("event rule {id} to be deleted (it still has targets)"),
            TARGETS_LIMIT,
            |e| e.message.contains("has targets"),
            || async {
                ctx.clients
                    .events
                    .delete_rule()
                    .name(name)
                    .event_bus_name(bus)
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await
        .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(config: Value) -> BTreeMap<String, Value> {
        let v = CloudwatchEventRuleType.normalize(SCHEMA.conform(&config).unwrap());
        v.as_map().unwrap().clone()
    }

    #[test]
    fn ids_name_the_bus_unless_default() {
        assert_eq!(rule_id("default", "nightly"), "nightly");
        assert_eq!(rule_id("orders", "new"), "orders/new");
        assert_eq!(parse_rule_id("nightly"), ("default", "nightly"));
        assert_eq!(
            parse_rule_id("aws.partner/acme.com/1/bus/new"),
            ("aws.partner/acme.com/1/bus", "new")
        );
    }

    #[test]
    fn event_patterns_normalise() {
        let m = normalized(Value::map([(
            "event_pattern",
            Value::string("{\n  \"source\": [\"aws.ecs\"],\n  \"detail-type\": [\"ECS Task State Change\"]\n}"),
        )]));
        assert_eq!(
            m["event_pattern"],
            Value::string(r#"{"detail-type":["ECS Task State Change"],"source":["aws.ecs"]}"#)
        );
    }

    #[test]
    fn is_enabled_and_state_agree() {
        let m = normalized(Value::map([("is_enabled", Value::Bool(false))]));
        assert_eq!(m["state"], Value::string("DISABLED"));
        let m = normalized(Value::map([("state", Value::string("DISABLED"))]));
        assert_eq!(m["is_enabled"], Value::Bool(false));
        let m = normalized(Value::map([("name", Value::string("x"))]));
        assert_eq!(m["state"], Value::string("ENABLED"));
        assert_eq!(m["is_enabled"], Value::Bool(true));
    }

    #[test]
    fn common_prefixes() {
        assert_eq!(common_prefix(&["ecs-a", "ecs-b", "ecs"]), "ecs");
        assert_eq!(common_prefix(&["a", "b"]), "");
        assert_eq!(common_prefix(&["only"]), "only");
    }
}
