//! `aws_lb_listener_rule` (also `aws_alb_listener_rule`): a rule of a listener — its
//! priority, the actions it takes (`action` blocks in the provider's syntax, see
//! [`super::lb_actions`]) and the conditions that select requests.
//!
//! A `condition` block holds exactly one of the provider's nested blocks: `host_header`,
//! `path_pattern` (`values`, `regex_values`), `http_header` (`http_header_name`, `values`,
//! `regex_values`), `http_request_method` (`values`), `source_ip` (`values`,
//! `ip_address_type`), or `query_string` blocks (`key`, `value`).
//!
//! Actions and conditions change in place with `ModifyRule`, the priority with
//! `SetRulePriorities`. Without a `priority` the rule takes the listener's highest priority
//! plus one, as the AWS provider does.
//!
//! Reads are batched per listener: `DescribeRules` by listener returns all its rules and lacks
//! those that are gone, whereas a request by rule ARNs fails whole when one ARN is gone. A
//! rule's ARN names its listener, so refresh groups ids by listener and makes one paginated
//! call for each (and one batched `DescribeTags` for all).

use std::collections::BTreeMap;

use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    HostHeaderConditionConfig, HttpHeaderConditionConfig, HttpRequestMethodConditionConfig,
    PathPatternConditionConfig, QueryStringConditionConfig, QueryStringKeyValuePair, Rule,
    RuleCondition, RulePriorityPair, SourceIpAddressTypeEnum, SourceIpConditionConfig,
};

use super::lb_actions::{self, from_sdk_all, normalize_in, shaped_like, to_sdk_all};
use super::{changed, create_call, expect_prefix, read_created};
use crate::aws::call::call;
use crate::aws::elbv2_reads::{children_of, find_tagged, read_children};
use crate::aws::elbv2_tags::{to_elb, update_tags, visible};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, ErrorKind, OrGone};
use crate::aws::object_ids::{created_id, state_id};
use crate::aws::resource_type::States;
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{fill_local_from_config, CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{
    get_blocks, get_i32, get_str, get_strings, nested_object, opt_str, state_object, string_map,
    string_set,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct LbListenerRuleType;

static DECLARATION: Declaration = Declaration::new("aws_lb_listener_rule", &SCHEMA, Adoption::Tags);

/// The name of the rule's action blocks.
const ACTIONS: &str = "action";

static VALUES: &[AttrSchema] = attrs![
    optional StringSet: regex_values values;
];

static HTTP_HEADER: &[AttrSchema] = attrs![
    required String: http_header_name;
    optional StringSet: regex_values values;
];

static HTTP_REQUEST_METHOD: &[AttrSchema] = attrs![
    required StringSet: values;
];

static QUERY_STRING: &[AttrSchema] = attrs![
    optional String: key;
    required String: value;
];

static SOURCE_IP: &[AttrSchema] = attrs![
    optional String: ip_address_type;
    optional StringSet: values;
];

/// The blocks inside a `condition` block, in the order of [`FIELDS`].
static CONDITION: BlockSchema = BlockSchema::set("condition", &[]).min_items(1).blocks(&[
    BlockSchema::list("host_header", VALUES).max_items(1),
    BlockSchema::list("http_header", HTTP_HEADER).max_items(1),
    BlockSchema::list("http_request_method", HTTP_REQUEST_METHOD).max_items(1),
    BlockSchema::list("path_pattern", VALUES).max_items(1),
    BlockSchema::set("query_string", QUERY_STRING),
    BlockSchema::list("source_ip", SOURCE_IP).max_items(1),
]);

static SCHEMA: Schema = Schema {
    version: 3,
    attributes: attrs![
        computed String: id arn;
        required String: listener_arn.force_new();
        optional_computed Number: priority;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[lb_actions::block(ACTIONS), CONDITION],
};

/// The blocks a `condition` block may hold (exactly one of), with the API's field names.
const FIELDS: [(&str, &str); 6] = [
    ("host_header", "host-header"),
    ("http_header", "http-header"),
    ("http_request_method", "http-request-method"),
    ("path_pattern", "path-pattern"),
    ("query_string", "query-string"),
    ("source_ip", "source-ip"),
];

fn invalid(message: String) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "InvalidConditionBlock", message)
}

/// A set of strings as the API takes it: `None` when unset.
fn opt_strings(block: &Value, name: &str) -> Option<Vec<String>> {
    let set = block
        .as_map()
        .and_then(|m| m.get(name))
        .is_some_and(|v| !v.is_null());
    set.then(|| get_strings(block, name))
}

/// A `condition` block as the API's `RuleCondition`.
fn condition_to_sdk(block: &Value) -> Result<RuleCondition> {
    let set: Vec<&str> = FIELDS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !get_blocks(block, name).is_empty())
        .collect();
    let [name] = set[..] else {
        return Err(invalid(format!(
            "a condition block holds exactly one of the blocks host_header, http_header, \
             http_request_method, path_pattern, query_string or source_ip; this one holds {}",
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
    let inner = get_blocks(block, name);
    let b = &inner[0];
    let c = RuleCondition::builder().field(field);
    Ok(match name {
        "host_header" => c.host_header_config(
            HostHeaderConditionConfig::builder()
                .set_values(opt_strings(b, "values"))
                .set_regex_values(opt_strings(b, "regex_values"))
                .build(),
        ),
        "http_header" => c.http_header_config(
            HttpHeaderConditionConfig::builder()
                .set_http_header_name(get_str(b, "http_header_name").map(String::from))
                .set_values(opt_strings(b, "values"))
                .set_regex_values(opt_strings(b, "regex_values"))
                .build(),
        ),
        "http_request_method" => c.http_request_method_config(
            HttpRequestMethodConditionConfig::builder()
                .set_values(opt_strings(b, "values"))
                .build(),
        ),
        "path_pattern" => c.path_pattern_config(
            PathPatternConditionConfig::builder()
                .set_values(opt_strings(b, "values"))
                .set_regex_values(opt_strings(b, "regex_values"))
                .build(),
        ),
        "source_ip" => c.source_ip_config(
            SourceIpConditionConfig::builder()
                .set_values(opt_strings(b, "values"))
                .set_ip_address_type(
                    get_str(b, "ip_address_type").map(SourceIpAddressTypeEnum::from),
                )
                .build(),
        ),
        _ => c.query_string_config(
            QueryStringConditionConfig::builder()
                .set_values(Some(
                    inner
                        .iter()
                        .map(|pair| {
                            QueryStringKeyValuePair::builder()
                                .set_key(get_str(pair, "key").map(String::from))
                                .set_value(get_str(pair, "value").map(String::from))
                                .build()
                        })
                        .collect(),
                ))
                .build(),
        ),
    }
    .build())
}

const NONE: &[String] = &[];

/// Strings AWS reported as a set attribute: null when there are none, as when the
/// configuration leaves it unset.
fn read_set(items: &[String]) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        string_set(items.to_vec())
    }
}

/// An API `RuleCondition` as a `condition` block. Older rules may carry `Values` instead of
/// a config (path patterns and host headers); both read the same.
fn condition_from_sdk(c: &RuleCondition) -> Value {
    let legacy = c.values();
    let one = |name: &'static str, given: Vec<(&'static str, Value)>| {
        let block = CONDITION.block(name).expect("a condition block type");
        (name, Value::List(vec![nested_object(block, given)]))
    };
    let (name, blocks) = match c.field().unwrap_or_default() {
        "host-header" => {
            let h = c.host_header_config();
            one(
                "host_header",
                vec![
                    ("values", read_set(h.map_or(legacy, |h| h.values()))),
                    (
                        "regex_values",
                        read_set(h.map_or(NONE, |h| h.regex_values())),
                    ),
                ],
            )
        }
        "http-header" => {
            let h = c.http_header_config();
            one(
                "http_header",
                vec![
                    (
                        "http_header_name",
                        opt_str(h.and_then(|h| h.http_header_name())),
                    ),
                    ("values", read_set(h.map_or(NONE, |h| h.values()))),
                    (
                        "regex_values",
                        read_set(h.map_or(NONE, |h| h.regex_values())),
                    ),
                ],
            )
        }
        "http-request-method" => one(
            "http_request_method",
            vec![(
                "values",
                string_set(
                    c.http_request_method_config()
                        .map(|h| h.values().to_vec())
                        .unwrap_or_default(),
                ),
            )],
        ),
        "path-pattern" => {
            let p = c.path_pattern_config();
            one(
                "path_pattern",
                vec![
                    ("values", read_set(p.map_or(legacy, |p| p.values()))),
                    (
                        "regex_values",
                        read_set(p.map_or(NONE, |p| p.regex_values())),
                    ),
                ],
            )
        }
        "source-ip" => {
            let s = c.source_ip_config();
            one(
                "source_ip",
                vec![
                    ("values", read_set(s.map_or(NONE, |s| s.values()))),
                    (
                        "ip_address_type",
                        opt_str(s.and_then(|s| s.ip_address_type()).map(|t| t.as_str())),
                    ),
                ],
            )
        }
        "query-string" => {
            let block = CONDITION.block("query_string").expect("query_string");
            let pairs = c
                .query_string_config()
                .map(|q| q.values())
                .unwrap_or_default()
                .iter()
                .map(|p| {
                    nested_object(
                        block,
                        [
                            ("key", opt_str(p.key())),
                            ("value", Value::string(p.value().unwrap_or_default())),
                        ],
                    )
                })
                .collect();
            ("query_string", Value::set(pairs))
        }
        _ => return Value::Map(CONDITION.empty_object()),
    };
    let mut m = CONDITION.empty_object();
    m.insert(name.to_string(), blocks);
    Value::Map(m)
}

fn conditions_to_sdk(planned: &Value) -> Result<Vec<RuleCondition>> {
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
            (ACTIONS, from_sdk_all(r.actions())),
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
async fn rules_of(clients: &AwsClients, listener_arn: String) -> Result<Vec<Rule>> {
    children_of!(clients, describe_rules, listener_arn(&listener_arn)).await
}

/// The priority for a rule that sets none: one above the listener's highest.
async fn next_priority(clients: &AwsClients, listener_arn: &str) -> Result<i32> {
    let highest = rules_of(clients, listener_arn.to_string())
        .await?
        .iter()
        .filter_map(priority_of)
        .fold(0.0, f64::max);
    Ok(highest as i32 + 1)
}

#[async_trait]
impl ResourceType for LbListenerRuleType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The listener's rules, then their tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(parent) = get_str(planned, "listener_arn") else {
            return Ok(Vec::new());
        };
        let found = rules_of(clients, parent.to_string()).await?;
        find_tagged(self, clients, owner, &found, Rule::rule_arn).await
    }

    fn import_id_format(&self) -> &'static str {
        "the listener rule ARN"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        expect_prefix(id, "arn:", "an ARN")
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_in(value, ACTIONS)
    }

    fn refreshed(&self, read: Value, recorded: &Value) -> Value {
        shaped_like(read, recorded, ACTIONS)
    }

    fn imported(&self, read: Value, config: &Value) -> Value {
        fill_local_from_config(&SCHEMA, shaped_like(read, config, ACTIONS), config)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_children(
            clients,
            ids,
            ("listener-rule", "listener"),
            |listener| rules_of(clients, listener),
            Rule::rule_arn,
            rule_state,
        )
        .await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let listener = get_str(planned, "listener_arn")
            .ok_or_else(|| invalid("listener_arn is required".into()))?;
        let tags = creation_tags(planned, ctx.extra_tags);
        let conditions = conditions_to_sdk(planned)?;
        let actions = to_sdk_all(planned, ACTIONS)?;
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
        let arn = out.rules().first().and_then(|r| r.rule_arn());
        let arn = created_id(arn, "CreateRule returned no ARN")?;
        let read = read_created(self, clients, &arn).await?;
        Ok(shaped_like(read, planned, ACTIONS))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?;
        if let Some(priority) =
            get_i32(planned, "priority").filter(|_| changed(prior, planned, "priority"))
        {
            call(|| {
                clients
                    .elbv2
                    .set_rule_priorities()
                    .rule_priorities(
                        RulePriorityPair::builder()
                            .rule_arn(arn)
                            .priority(priority)
                            .build(),
                    )
                    .send()
            })
            .await?;
        }
        let actions_changed = changed(prior, planned, ACTIONS);
        let conditions_changed = changed(prior, planned, "condition");
        if actions_changed || conditions_changed {
            let conditions = conditions_changed
                .then(|| conditions_to_sdk(planned))
                .transpose()?;
            let actions = actions_changed
                .then(|| to_sdk_all(planned, ACTIONS))
                .transpose()?;
            call(|| {
                clients
                    .elbv2
                    .modify_rule()
                    .rule_arn(arn)
                    .set_conditions(conditions.clone())
                    .set_actions(actions.clone())
                    .send()
            })
            .await?;
        }
        update_tags(clients, arn, prior, planned).await?;
        let read = read_created(self, clients, arn).await?;
        Ok(shaped_like(read, planned, ACTIONS))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?;
        call(|| clients.elbv2.delete_rule().rule_arn(arn).send())
            .await
            .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(conditions: Vec<Value>) -> Result<Value, Vec<String>> {
        SCHEMA
            .conform(&Value::map([
                ("listener_arn", Value::string("l")),
                (
                    "action",
                    Value::List(vec![Value::map([("type", Value::string("forward"))])]),
                ),
                ("condition", Value::List(conditions)),
            ]))
            .map_err(|errors| errors.iter().map(ToString::to_string).collect())
    }

    /// A conformed `condition` block holding `blocks` (name, one or more blocks' arguments).
    fn condition(blocks: Vec<(&'static str, Vec<Value>)>) -> Value {
        let c = Value::map(
            blocks
                .into_iter()
                .map(|(name, items)| (name, Value::List(items))),
        );
        get_blocks(&rule(vec![c]).unwrap(), "condition")[0].clone()
    }

    fn values(items: &[&str]) -> Value {
        Value::map([("values", string_set(items.iter().copied()))])
    }

    #[test]
    fn conditions_round_trip() {
        for block in [
            condition(vec![("path_pattern", vec![values(&["/api/*", "/v1/*"])])]),
            condition(vec![(
                "path_pattern",
                vec![Value::map([("regex_values", string_set(["^/a+$"]))])],
            )]),
            condition(vec![("host_header", vec![values(&["example.com"])])]),
            condition(vec![("http_request_method", vec![values(&["GET"])])]),
            condition(vec![("source_ip", vec![values(&["10.0.0.0/8"])])]),
            condition(vec![(
                "http_header",
                vec![Value::map([
                    ("http_header_name", Value::string("X-Env")),
                    ("values", string_set(["blue"])),
                ])],
            )]),
            condition(vec![(
                "query_string",
                vec![
                    Value::map([
                        ("key", Value::string("version")),
                        ("value", Value::string("v1")),
                    ]),
                    Value::map([("value", Value::string("x"))]),
                ],
            )]),
        ] {
            let sdk = condition_to_sdk(&block).unwrap();
            let read = condition_from_sdk(&sdk);
            assert!(read.equals(&block), "{block} read back as {read}");
        }
    }

    #[test]
    fn a_condition_holds_exactly_one_block() {
        let two = condition(vec![
            ("path_pattern", vec![values(&["/a"])]),
            ("host_header", vec![values(&["b"])]),
        ]);
        let err = condition_to_sdk(&two).unwrap_err();
        assert!(
            err.message.contains("holds host_header, path_pattern"),
            "{err}"
        );
        assert!(condition_to_sdk(&condition(vec![])).is_err());
    }

    #[test]
    fn condition_blocks_are_counted_as_the_provider_does() {
        let errors = rule(vec![Value::map([(
            "path_pattern",
            Value::List(vec![values(&["/a"]), values(&["/b"])]),
        )])])
        .unwrap_err();
        assert_eq!(
            errors,
            ["condition: Too many \"path_pattern\" blocks: No more than 1 \"path_pattern\" blocks are allowed"]
        );
        let errors = rule(vec![]).unwrap_err();
        assert_eq!(
            errors,
            ["Insufficient \"condition\" blocks: At least 1 \"condition\" blocks are required."]
        );
        // The provider's old flat syntax is an error naming the argument.
        let errors = rule(vec![Value::map([("path_pattern", string_set(["/a"]))])]).unwrap_err();
        assert_eq!(
            errors,
            ["condition: An argument named \"path_pattern\" is not expected here. Did you mean to define a block of type \"path_pattern\"?"]
        );
    }

    #[test]
    fn legacy_values_read_as_path_patterns() {
        let c = RuleCondition::builder()
            .field("path-pattern")
            .values("/old/*")
            .build();
        let block = condition_from_sdk(&c);
        assert!(block.equals(&condition(vec![(
            "path_pattern",
            vec![values(&["/old/*"])]
        )])));
    }

    #[test]
    fn state_from_a_described_rule() {
        let r = Rule::builder()
            .rule_arn("r")
            .priority("10")
            .conditions(
                condition_to_sdk(&condition(vec![("path_pattern", vec![values(&["/a"])])]))
                    .unwrap(),
            )
            .build();
        let s = rule_state(&r, "l", &BTreeMap::new());
        let m = s.as_map().unwrap();
        assert_eq!(m["priority"], Value::number(10));
        assert_eq!(m["listener_arn"], Value::string("l"));
        assert_eq!(m["condition"].as_list().unwrap().len(), 1);
    }
}
