//! Listener actions as flat blocks, shared by `aws_lb_listener` (`default_action`) and
//! `aws_lb_listener_rule` (`action`).
//!
//! The AWS provider nests `redirect { ... }` and `fixed_response { ... }` inside an action;
//! our blocks are one level deep, so those settings are attributes of the action block with a
//! prefix: `redirect_port`, `redirect_status_code`, `fixed_response_status_code`... Supported
//! action types: `forward` (one target group, `target_group_arn`), `redirect` and
//! `fixed-response`.
//!
//! [`normalize_actions`] spells out what AWS fills in (each action's `order` from its
//! position, the `#{host}`-style defaults of a redirect), so written and read actions compare
//! equal.

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, FixedResponseActionConfig, RedirectActionConfig,
    RedirectActionStatusCodeEnum,
};

use crate::lang::Value;
use crate::provider::values::{get_i32, get_str, opt_str};
use crate::provider::{AttrSchema, AttrType};

/// The attributes of a `default_action` / `action` block.
pub static ACTION: &[AttrSchema] = &[
    AttrSchema::required("type", AttrType::String),
    AttrSchema::optional("order", AttrType::Number),
    AttrSchema::optional("target_group_arn", AttrType::String),
    AttrSchema::optional("redirect_host", AttrType::String),
    AttrSchema::optional("redirect_path", AttrType::String),
    AttrSchema::optional("redirect_port", AttrType::String),
    AttrSchema::optional("redirect_protocol", AttrType::String),
    AttrSchema::optional("redirect_query", AttrType::String),
    AttrSchema::optional("redirect_status_code", AttrType::String),
    AttrSchema::optional("fixed_response_content_type", AttrType::String),
    AttrSchema::optional("fixed_response_message_body", AttrType::String),
    AttrSchema::optional("fixed_response_status_code", AttrType::String),
];

/// What AWS uses for a redirect setting the request leaves out: the original request's part.
const REDIRECT_DEFAULTS: [(&str, &str); 5] = [
    ("redirect_host", "#{host}"),
    ("redirect_path", "/#{path}"),
    ("redirect_port", "#{port}"),
    ("redirect_protocol", "#{protocol}"),
    ("redirect_query", "#{query}"),
];

/// Fills in each action's `order` (its 1-based position) and a redirect's defaults. Unknown
/// lists and values pass through.
pub fn normalize_actions(actions: Value) -> Value {
    let Value::List(items) = actions else {
        return actions;
    };
    let items = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let Value::Map(mut m) = item else {
                return item;
            };
            if m.get("order").is_none_or(Value::is_null) {
                m.insert("order".into(), Value::number(i as f64 + 1.0));
            }
            if m.get("type").and_then(Value::as_str) == Some("redirect") {
                for (name, default) in REDIRECT_DEFAULTS {
                    if m.get(name).is_none_or(Value::is_null) {
                        m.insert(name.into(), Value::string(default));
                    }
                }
            }
            Value::Map(m)
        })
        .collect();
    Value::List(items)
}

/// Normalizes the action list `name` of an object, if present.
pub fn normalize_in(value: Value, name: &str) -> Value {
    let Value::Map(mut m) = value else {
        return value;
    };
    if let Some(actions) = m.remove(name) {
        m.insert(name.to_string(), normalize_actions(actions));
    }
    Value::Map(m)
}

/// An action block as the API's `Action`; `position` (0-based) gives the order when the
/// block has none.
pub fn to_sdk(block: &Value, position: usize) -> Action {
    let s = |name| get_str(block, name).map(String::from);
    let kind = get_str(block, "type").unwrap_or("forward");
    let order = get_i32(block, "order").unwrap_or(position as i32 + 1);
    let mut action = Action::builder()
        .r#type(ActionTypeEnum::from(kind))
        .order(order);
    match kind {
        "forward" => action = action.set_target_group_arn(s("target_group_arn")),
        "redirect" => {
            action = action.redirect_config(
                RedirectActionConfig::builder()
                    .set_host(s("redirect_host"))
                    .set_path(s("redirect_path"))
                    .set_port(s("redirect_port"))
                    .set_protocol(s("redirect_protocol"))
                    .set_query(s("redirect_query"))
                    .set_status_code(
                        get_str(block, "redirect_status_code")
                            .map(RedirectActionStatusCodeEnum::from),
                    )
                    .build(),
            )
        }
        "fixed-response" => {
            action = action.fixed_response_config(
                FixedResponseActionConfig::builder()
                    .set_content_type(s("fixed_response_content_type"))
                    .set_message_body(s("fixed_response_message_body"))
                    .set_status_code(s("fixed_response_status_code"))
                    .build(),
            )
        }
        _ => {}
    }
    action.build()
}

/// The action blocks as API `Action`s, in order.
pub fn to_sdk_all(blocks: &[Value]) -> Vec<Action> {
    blocks
        .iter()
        .enumerate()
        .map(|(i, b)| to_sdk(b, i))
        .collect()
}

/// An API `Action` as an action block. A forward to a single target group may come as
/// `TargetGroupArn` or as a one-group `ForwardConfig`; both read as `target_group_arn`.
pub fn from_sdk(action: &Action) -> Value {
    let kind = action.r#type().map(|t| t.as_str()).unwrap_or_default();
    let target_group = action.target_group_arn().or_else(|| {
        let groups = action.forward_config()?.target_groups();
        match groups {
            [only] => only.target_group_arn(),
            _ => None,
        }
    });
    let redirect = action.redirect_config();
    let fixed = action.fixed_response_config();
    Value::map([
        ("type", Value::string(kind)),
        (
            "order",
            action.order().map(Value::number).unwrap_or(Value::Null),
        ),
        ("target_group_arn", opt_str(target_group)),
        ("redirect_host", opt_str(redirect.and_then(|r| r.host()))),
        ("redirect_path", opt_str(redirect.and_then(|r| r.path()))),
        ("redirect_port", opt_str(redirect.and_then(|r| r.port()))),
        (
            "redirect_protocol",
            opt_str(redirect.and_then(|r| r.protocol())),
        ),
        ("redirect_query", opt_str(redirect.and_then(|r| r.query()))),
        (
            "redirect_status_code",
            opt_str(redirect.and_then(|r| r.status_code()).map(|c| c.as_str())),
        ),
        (
            "fixed_response_content_type",
            opt_str(fixed.and_then(|f| f.content_type())),
        ),
        (
            "fixed_response_message_body",
            opt_str(fixed.and_then(|f| f.message_body())),
        ),
        (
            "fixed_response_status_code",
            opt_str(fixed.and_then(|f| f.status_code())),
        ),
    ])
}

/// API actions as blocks, sorted by their order.
pub fn from_sdk_all(actions: &[Action]) -> Value {
    let mut sorted: Vec<&Action> = actions.iter().collect();
    sorted.sort_by_key(|a| a.order().unwrap_or(i32::MAX));
    normalize_actions(Value::List(sorted.into_iter().map(from_sdk).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::schema::{BlockSchema, Schema};
    use aws_sdk_elasticloadbalancingv2::types::{ForwardActionConfig, TargetGroupTuple};

    static SCHEMA: Schema = Schema {
        version: 1,
        attributes: &[],
        blocks: &[BlockSchema::list("action", ACTION)],
    };

    fn blocks(config: Vec<Value>) -> Vec<Value> {
        let v = SCHEMA
            .conform(&Value::map([("action", Value::List(config))]))
            .unwrap();
        let v = normalize_in(v, "action");
        v.as_map().unwrap()["action"].as_list().unwrap().to_vec()
    }

    #[test]
    fn written_and_read_actions_compare_equal() {
        let written = blocks(vec![
            Value::map([
                ("type", Value::string("redirect")),
                ("redirect_protocol", Value::string("HTTPS")),
                ("redirect_port", Value::string("443")),
                ("redirect_status_code", Value::string("HTTP_301")),
            ]),
            Value::map([
                ("type", Value::string("fixed-response")),
                ("fixed_response_content_type", Value::string("text/plain")),
                ("fixed_response_status_code", Value::string("404")),
            ]),
        ]);
        let sent = to_sdk_all(&written);
        assert_eq!(sent[0].order(), Some(1));
        assert_eq!(
            sent[0].redirect_config().and_then(|r| r.host()),
            Some("#{host}")
        );
        assert_eq!(
            sent[1]
                .fixed_response_config()
                .and_then(|f| f.status_code()),
            Some("404")
        );
        // AWS may answer in any order; the order field puts them back.
        let read = from_sdk_all(&[sent[1].clone(), sent[0].clone()]);
        assert!(read.equals(&Value::List(written)), "{read}");
    }

    #[test]
    fn a_one_group_forward_config_reads_as_target_group_arn() {
        let action = Action::builder()
            .r#type(ActionTypeEnum::Forward)
            .order(1)
            .forward_config(
                ForwardActionConfig::builder()
                    .target_groups(TargetGroupTuple::builder().target_group_arn("tg").build())
                    .build(),
            )
            .build();
        let block = from_sdk(&action);
        assert_eq!(
            block.as_map().unwrap()["target_group_arn"],
            Value::string("tg")
        );
    }
}
