//! `aws_lb_listener_rule` (also `aws_alb_listener_rule`): a rule of a listener — its
//! priority, the actions it takes (flat `action` blocks, see [`super::lb_actions`]) and the
//! conditions that select requests.
//!
//! The AWS provider nests each condition's settings (`path_pattern { values = [...] }`); our
//! blocks are one level deep, so a `condition` block sets exactly one of:
//! `path_pattern`, `host_header`, `http_request_method`, `source_ip` (sets of strings),
//! `http_header_name` with `http_header_values`, or `query_string` — a map from key to value,
//! where the key `""` stands for a value matched under any key.
//!
//! Actions and conditions change in place with `ModifyRule`, the priority with
//! `SetRulePriorities`. Without a `priority` the rule takes the listener's highest priority
//! plus one, as the AWS provider does.
//!
//! Reads are batched per listener: `DescribeRules` by listener returns all its rules and lacks
//! those that are gone, whereas a request by rule ARNs fails whole when one ARN is gone. A
//! rule's ARN names its listener, so refresh groups ids by listener and makes one paginated
//! call for each (and one batched `DescribeTags` for all).

use std::collections::{BTreeMap, BTreeSet};

use crate::aws::adopt::read_judged;
use crate::provider::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    HostHeaderConditionConfig, HttpHeaderConditionConfig, HttpRequestMethodConditionConfig,
    PathPatternConditionConfig, QueryStringConditionConfig, QueryStringKeyValuePair, Rule,
    RuleCondition, RulePriorityPair, SourceIpConditionConfig,
};

use super::lb_actions::{from_sdk_all, normalize_in, to_sdk_all, ACTION};
use super::{changed, create_call, expect_prefix, read_created};
use crate::aws::elbv2_tags::{describe_tags, parent_arn, to_elb, update_tags, visible};
use crate::aws::error::{from_sdk, retry, ApiError, ErrorKind, RetryPolicy};
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::lang::Value;
use crate::provider::values::{
    get_blocks, get_i32, get_str, get_string_map, get_strings, opt_str, state_object, string_map,
    string_set,
};
use crate::provider::{
    Alias, AttrSchema, AttrType, BlockSchema, CallContext, ImportIdError, ResourceType, Schema,
};

pub struct LbListenerRuleType;

/// `aws_alb_listener_rule`, the AWS provider's older name.
pub static ALB_LISTENER_RULE: Alias = Alias {
    name: "aws_alb_listener_rule",
    target: &LbListenerRuleType,
};

static CONDITION: &[AttrSchema] = &[
    AttrSchema::optional("path_pattern", AttrType::StringSet),
    AttrSchema::optional("host_header", AttrType::StringSet),
    AttrSchema::optional("http_request_method", AttrType::StringSet),
    AttrSchema::optional("source_ip", AttrType::StringSet),
    AttrSchema::optional("http_header_name", AttrType::String),
    AttrSchema::optional("http_header_values", AttrType::StringSet),
    AttrSchema::optional("query_string", AttrType::StringMap),
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: &[
        AttrSchema::computed("id", AttrType::String),
        AttrSchema::computed("arn", AttrType::String),
        AttrSchema::required("listener_arn", AttrType::String).force_new(),
        AttrSchema::optional_computed("priority", AttrType::Number),
        AttrSchema::optional("tags", AttrType::StringMap),
        AttrSchema::computed("tags_all", AttrType::StringMap),
    ],
    blocks: &[
        BlockSchema::list("action", ACTION).min_items(1),
        BlockSchema::set("condition", CONDITION).min_items(1),
    ],
};

/// The condition fields a block may set, with the API's field names (`http_header_values`
/// belongs to `http_header_name`).
const FIELDS: [(&str, &str); 6] = [
    ("path_pattern", "path-pattern"),
    ("host_header", "host-header"),
    ("http_request_method", "http-request-method"),
    ("source_ip", "source-ip"),
    ("http_header_name", "http-header"),
    ("query_string", "query-string"),
];

fn invalid(message: String) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "InvalidConditionBlock", message)
}

/// A `condition` block as the API's `RuleCondition`.
fn condition_to_sdk(block: &Value) -> Result<RuleCondition, ApiError> {
    let set: Vec<&str> = FIELDS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| {
            block
                .as_map()
                .and_then(|m| m.get(*name))
                .is_some_and(|v| !v.is_null())
        })
        .collect();
    let [name] = set[..] else {
        return Err(invalid(format!(
            "a condition block sets exactly one of path_pattern, host_header, \
             http_request_method, source_ip, http_header_name or query_string; this one sets {}",
            if set.is_empty() {
                "none".to_string()
            } else {
                set.join(", ")
            }
        )));
    };
    let field = FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_default();
    let values = Some(get_strings(block, name));
    let c = RuleCondition::builder().field(field);
    Ok(match name {
        "path_pattern" => c.path_pattern_config(
            PathPatternConditionConfig::builder()
                .set_values(values)
                .build(),
        ),
        "host_header" => c.host_header_config(
            HostHeaderConditionConfig::builder()
                .set_values(values)
                .build(),
        ),
        "http_request_method" => c.http_request_method_config(
            HttpRequestMethodConditionConfig::builder()
                .set_values(values)
                .build(),
        ),
        "source_ip" => c.source_ip_config(
            SourceIpConditionConfig::builder()
                .set_values(values)
                .build(),
        ),
        "http_header_name" => c.http_header_config(
            HttpHeaderConditionConfig::builder()
                .set_http_header_name(get_str(block, name).map(String::from))
                .set_values(Some(get_strings(block, "http_header_values")))
                .build(),
        ),
        _ => c.query_string_config(
            QueryStringConditionConfig::builder()
                .set_values(Some(
                    get_string_map(block, name)
                        .into_iter()
                        .map(|(k, v)| {
                            QueryStringKeyValuePair::builder()
                                .set_key((!k.is_empty()).then_some(k))
                                .value(v)
                                .build()
                        })
                        .collect(),
                ))
                .build(),
        ),
    }
    .build())
}

/// An API `RuleCondition` as a `condition` block. Older rules may carry `Values` instead of
/// a config (path patterns and host headers); both read the same.
fn condition_from_sdk(c: &RuleCondition) -> Value {
    let mut m: BTreeMap<String, Value> = CONDITION
        .iter()
        .map(|a| (a.name.to_string(), Value::Null))
        .collect();
    let legacy = c.values();
    let mut put = |name: &str, v: Value| {
        m.insert(name.to_string(), v);
    };
    match c.field().unwrap_or_default() {
        "path-pattern" => put(
            "path_pattern",
            string_set(
                c.path_pattern_config()
                    .map_or(legacy, |p| p.values())
                    .to_vec(),
            ),
        ),
        "host-header" => put(
            "host_header",
            string_set(
                c.host_header_config()
                    .map_or(legacy, |h| h.values())
                    .to_vec(),
            ),
        ),
        "http-request-method" => put(
            "http_request_method",
            string_set(
                c.http_request_method_config()
                    .map(|h| h.values().to_vec())
                    .unwrap_or_default(),
            ),
        ),
        "source-ip" => put(
            "source_ip",
            string_set(
                c.source_ip_config()
                    .map(|s| s.values().to_vec())
                    .unwrap_or_default(),
            ),
        ),
        "http-header" => {
            let h = c.http_header_config();
            put(
                "http_header_name",
                opt_str(h.and_then(|h| h.http_header_name())),
            );
            put(
                "http_header_values",
                string_set(h.map(|h| h.values().to_vec()).unwrap_or_default()),
            );
        }
        "query-string" => {
            let pairs: BTreeMap<String, String> = c
                .query_string_config()
                .map(|q| q.values())
                .unwrap_or_default()
                .iter()
                .map(|p| {
                    (
                        p.key().unwrap_or_default().to_string(),
                        p.value().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            put("query_string", string_map(&pairs));
        }
        _ => {}
    }
    Value::Map(m)
}

fn conditions_to_sdk(planned: &Value) -> Result<Vec<RuleCondition>, ApiError> {
    get_blocks(planned, "condition")
        .iter()
        .map(condition_to_sdk)
        .collect()
}

/// A rule's priority as a number; `None` for the listener's default rule.
fn priority_of(r: &Rule) -> Option<f64> {
    r.priority()?.parse().ok()
}

fn rule_state(r: &Rule, listener_arn: &str, tags: &BTreeMap<String, String>) -> Value {
    let arn = r.rule_arn().unwrap_or_default();
    let tags = string_map(&visible(tags));
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(arn)),
            ("arn", Value::string(arn)),
            ("listener_arn", Value::string(listener_arn)),
            (
                "priority",
                priority_of(r).map(Value::Number).unwrap_or(Value::Null),
            ),
            ("action", from_sdk_all(r.actions())),
            (
                "condition",
                Value::set(r.conditions().iter().map(condition_from_sdk).collect()),
            ),
            ("tags", tags.clone()),
            ("tags_all", tags),
        ],
    )
}

/// The rules of one listener; none if the listener is gone.
async fn rules_of(clients: &AwsClients, listener_arn: &str) -> Result<Vec<Rule>, ApiError> {
    let found = retry(RetryPolicy::default(), || async {
        clients
            .elbv2
            .describe_rules()
            .listener_arn(listener_arn)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(from_sdk)
    })
    .await;
    match found {
        Err(e) if e.is_not_found() => Ok(Vec::new()),
        other => other,
    }
}

/// Groups rule ARNs by the listener their ARN names.
fn by_listener(ids: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for id in ids {
        if let Some(listener) = parent_arn(id, "listener-rule", "listener") {
            groups.entry(listener).or_default().insert(id.clone());
        }
    }
    groups
}

/// The priority for a rule that sets none: one above the listener's highest.
async fn next_priority(clients: &AwsClients, listener_arn: &str) -> Result<i32, ApiError> {
    let highest = rules_of(clients, listener_arn)
        .await?
        .iter()
        .filter_map(priority_of)
        .fold(0.0, f64::max);
    Ok(highest as i32 + 1)
}

fn arn_of(v: &Value) -> Result<String, ApiError> {
    get_str(v, "id")
        .map(String::from)
        .ok_or_else(|| ApiError::malformed("aws_lb_listener_rule state has no id"))
}

#[async_trait]
impl ResourceType for LbListenerRuleType {
    fn type_name(&self) -> &'static str {
        "aws_lb_listener_rule"
    }

    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn adoption(&self) -> Adoption {
        Adoption::Tags
    }

    /// The listener's rules, then their tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>, ApiError> {
        let Some(parent) = get_str(planned, "listener_arn") else {
            return Ok(Vec::new());
        };
        let arns: Vec<String> = match rules_of(clients, parent).await {
            Ok(found) => found
                .iter()
                .filter_map(|x| x.rule_arn().map(String::from))
                .collect(),
            Err(e) if e.is_not_found() => Vec::new(),
            Err(e) => return Err(e),
        };
        let found = describe_tags(clients, &arns).await?.into_iter().collect();
        read_judged(self, clients, owner, found).await
    }

    fn import_id_format(&self) -> &'static str {
        "the listener rule ARN"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        expect_prefix(id, "arn:", "an ARN")
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_in(value, "action")
    }

    async fn read_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
    ) -> Result<BTreeMap<String, Value>, ApiError> {
        let mut found = Vec::new();
        for (listener, wanted) in by_listener(ids) {
            found.extend(
                rules_of(clients, &listener)
                    .await?
                    .into_iter()
                    .filter(|r| r.rule_arn().is_some_and(|a| wanted.contains(a)))
                    .map(|r| (listener.clone(), r)),
            );
        }
        if found.is_empty() {
            return Ok(BTreeMap::new());
        }
        let arns: Vec<String> = found
            .iter()
            .filter_map(|(_, r)| r.rule_arn().map(String::from))
            .collect();
        let tags = describe_tags(clients, &arns).await?;
        let empty = BTreeMap::new();
        Ok(found
            .iter()
            .filter_map(|(listener, r)| {
                let arn = r.rule_arn()?;
                let state = rule_state(r, listener, tags.get(arn).unwrap_or(&empty));
                Some((arn.to_string(), state))
            })
            .collect())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value, ApiError> {
        let clients = ctx.clients;
        let listener = get_str(planned, "listener_arn")
            .ok_or_else(|| invalid("listener_arn is required".into()))?;
        let tags = creation_tags(planned, ctx.extra_tags);
        let conditions = conditions_to_sdk(planned)?;
        let actions = to_sdk_all(&get_blocks(planned, "action"));
        let priority = match get_i32(planned, "priority") {
            Some(p) => p,
            None => next_priority(clients, listener).await?,
        };
        // Retried while a listener or target group created a moment ago is not visible.
        let out = create_call("listener rule to be created", || async {
            clients
                .elbv2
                .create_rule()
                .listener_arn(listener)
                .priority(priority)
                .set_conditions(Some(conditions.clone()))
                .set_actions(Some(actions.clone()))
                .set_tags(Some(to_elb(&tags)))
                .send()
                .await
                .map_err(from_sdk)
        })
        .await?;
        let arn = out
            .rules()
            .first()
            .and_then(|r| r.rule_arn())
            .ok_or_else(|| ApiError::malformed("CreateRule returned no ARN"))?
            .to_string();
        read_created(self, clients, &arn).await
    }

    async fn update(
        &self,
        ctx: &CallContext<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ApiError> {
        let clients = ctx.clients;
        let arn = arn_of(prior)?;
        if let Some(priority) =
            get_i32(planned, "priority").filter(|_| changed(prior, planned, "priority"))
        {
            retry(RetryPolicy::default(), || async {
                clients
                    .elbv2
                    .set_rule_priorities()
                    .rule_priorities(
                        RulePriorityPair::builder()
                            .rule_arn(&arn)
                            .priority(priority)
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(from_sdk)
            })
            .await?;
        }
        let actions_changed = changed(prior, planned, "action");
        let conditions_changed = changed(prior, planned, "condition");
        if actions_changed || conditions_changed {
            let conditions = conditions_changed
                .then(|| conditions_to_sdk(planned))
                .transpose()?;
            let actions = actions_changed.then(|| to_sdk_all(&get_blocks(planned, "action")));
            retry(RetryPolicy::default(), || async {
                clients
                    .elbv2
                    .modify_rule()
                    .rule_arn(&arn)
                    .set_conditions(conditions.clone())
                    .set_actions(actions.clone())
                    .send()
                    .await
                    .map_err(from_sdk)
            })
            .await?;
        }
        update_tags(clients, &arn, prior, planned).await?;
        read_created(self, clients, &arn).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<(), ApiError> {
        let clients = ctx.clients;
        let arn = arn_of(prior)?;
        let deleted = retry(RetryPolicy::default(), || async {
            clients
                .elbv2
                .delete_rule()
                .rule_arn(&arn)
                .send()
                .await
                .map_err(from_sdk)
        })
        .await;
        match deleted {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(pairs: Vec<(&'static str, Value)>) -> Value {
        let v = SCHEMA
            .conform(&Value::map([
                ("listener_arn", Value::string("l")),
                (
                    "action",
                    Value::List(vec![Value::map([("type", Value::string("forward"))])]),
                ),
                ("condition", Value::List(vec![Value::map(pairs)])),
            ]))
            .unwrap();
        get_blocks(&v, "condition")[0].clone()
    }

    #[test]
    fn alias_names_the_same_type() {
        assert_eq!(ALB_LISTENER_RULE.type_name(), "aws_alb_listener_rule");
        assert!(std::ptr::eq(
            ALB_LISTENER_RULE.schema(),
            LbListenerRuleType.schema()
        ));
    }

    #[test]
    fn conditions_round_trip() {
        for block in [
            condition(vec![("path_pattern", string_set(["/api/*", "/v1/*"]))]),
            condition(vec![("host_header", string_set(["example.com"]))]),
            condition(vec![("http_request_method", string_set(["GET"]))]),
            condition(vec![("source_ip", string_set(["10.0.0.0/8"]))]),
            condition(vec![
                ("http_header_name", Value::string("X-Env")),
                ("http_header_values", string_set(["blue"])),
            ]),
            condition(vec![(
                "query_string",
                Value::map([("version", Value::string("v1")), ("", Value::string("x"))]),
            )]),
        ] {
            let sdk = condition_to_sdk(&block).unwrap();
            let read = condition_from_sdk(&sdk);
            assert!(read.equals(&block), "{block} read back as {read}");
        }
    }

    #[test]
    fn a_condition_sets_exactly_one_field() {
        let two = condition(vec![
            ("path_pattern", string_set(["/a"])),
            ("host_header", string_set(["b"])),
        ]);
        let err = condition_to_sdk(&two).unwrap_err();
        assert!(err.message.contains("path_pattern, host_header"), "{err}");
        assert!(condition_to_sdk(&condition(vec![])).is_err());
    }

    #[test]
    fn legacy_values_read_as_path_patterns() {
        let c = RuleCondition::builder()
            .field("path-pattern")
            .values("/old/*")
            .build();
        let block = condition_from_sdk(&c);
        assert_eq!(
            block.as_map().unwrap()["path_pattern"],
            string_set(["/old/*"])
        );
    }

    #[test]
    fn ids_are_grouped_by_listener() {
        let listener = "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/web/50dc/f2f7";
        let rule = format!("{}/9683", listener.replace(":listener/", ":listener-rule/"));
        let groups = by_listener(std::slice::from_ref(&rule));
        assert_eq!(groups[listener], BTreeSet::from([rule]));
    }

    #[test]
    fn state_from_a_described_rule() {
        let r = Rule::builder()
            .rule_arn("r")
            .priority("10")
            .conditions(
                condition_to_sdk(&condition(vec![("path_pattern", string_set(["/a"]))])).unwrap(),
            )
            .build();
        let s = rule_state(&r, "l", &BTreeMap::new());
        let m = s.as_map().unwrap();
        assert_eq!(m["priority"], Value::number(10));
        assert_eq!(m["listener_arn"], Value::string("l"));
        assert_eq!(m["condition"].as_list().unwrap().len(), 1);
    }
}
