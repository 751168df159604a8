//! Listener actions in the AWS provider's nested syntax, shared by `aws_lb_listener`
//! (`default_action`) and `aws_lb_listener_rule` (`action`):
//!
//! ```hcl
//! default_action {
//!   type             = "forward"                    # or "redirect", "fixed-response"
//!   order            = 1                            # optional: the block's position
//!   target_group_arn = aws_lb_target_group.a.arn    # one target group...
//!   forward {                                       # ...or a weighted list of 1 to 5
//!     target_group { arn = aws_lb_target_group.a.arn  weight = 80 }
//!     target_group { arn = aws_lb_target_group.b.arn  weight = 20 }
//!     stickiness { enabled = true  duration = 600 }
//!   }
//!   redirect { port = "443"  protocol = "HTTPS"  status_code = "HTTP_301" }
//!   fixed_response { content_type = "text/plain"  message_body = "..."  status_code = "404" }
//! }
//! ```
//!
//! Names, types, flags, nesting and item counts are the provider's, and so are its defaults
//! (a redirect keeps the request's parts: `host = "#{host}"`, `path = "/#{path}"`...; a target
//! group's `weight` is 1; stickiness is disabled). The provider's `authenticate_cognito`,
//! `authenticate_oidc` and `jwt_validation` actions are not implemented.
//!
//! AWS reports a forward action both ways at once (a `TargetGroupArn` when there is one
//! target group, and a `ForwardConfig` in any case), so [`from_sdk`] reads both, and
//! [`shaped_like`] keeps the one the configuration (or the recorded state) wrote, as the
//! provider does. [`normalize_actions`] spells out what AWS fills in (each action's `order`
//! from its position, a redirect's defaults) and drops disabled stickiness, which AWS reports
//! for every weighted forward, so written and read actions compare equal.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, FixedResponseActionConfig, ForwardActionConfig, RedirectActionConfig,
    RedirectActionStatusCodeEnum, TargetGroupStickinessConfig, TargetGroupTuple,
};

use crate::aws::error::Result;
use crate::aws::error::{ApiError, ErrorKind};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{
    get_block, get_blocks, get_bool, get_i32, get_str, nested_object, opt_bool, opt_number, opt_str,
};
use crate::provider::{AttrSchema, AttrType, BlockSchema};

static ATTRIBUTES: &[AttrSchema] = &[
    // Optional and computed as in the provider. Unset, the provider's SDK reads it as 0 and
    // sends the block's position instead; the default of 0 does the same here (see
    // `normalize_actions`), while an order known only after apply stays unknown.
    AttrSchema::optional_computed("order", AttrType::Number).default(Default::Number(0.0)),
    AttrSchema::optional("target_group_arn", AttrType::String),
    AttrSchema::required("type", AttrType::String),
];

static FIXED_RESPONSE: &[AttrSchema] = attrs![
    required String: content_type;
    optional String: message_body;
    optional_computed String: status_code;
];

static TARGET_GROUP: &[AttrSchema] = attrs![
    required String: arn;
    optional Number: weight.default(Default::Number(1.0));
];

static STICKINESS: &[AttrSchema] = attrs![
    required Number: duration;
    optional Bool: enabled.default(Default::Bool(false));
];

/// The request's own part, which is what AWS uses for a setting a redirect leaves out.
static REDIRECT: &[AttrSchema] = attrs![
    optional String: host.default(Default::Str("#{host}")) path.default(Default::Str("/#{path}"));
    optional String: port.default(Default::Str("#{port}"));
    optional String: protocol.default(Default::Str("#{protocol}"));
    optional String: query.default(Default::Str("#{query}"));
    required String: status_code;
];

static NESTED: &[BlockSchema] = &[
    BlockSchema::list("fixed_response", FIXED_RESPONSE).max_items(1),
    BlockSchema::list("forward", &[]).max_items(1).blocks(&[
        BlockSchema::list("stickiness", STICKINESS).max_items(1),
        BlockSchema::set("target_group", TARGET_GROUP)
            .min_items(1)
            .max_items(5),
    ]),
    BlockSchema::list("redirect", REDIRECT).max_items(1),
];

/// The action block type named `name` (`default_action`, `action`).
pub const fn block(name: &'static str) -> BlockSchema {
    BlockSchema::list(name, ATTRIBUTES)
        .min_items(1)
        .blocks(NESTED)
}

/// The shape of one action block, whatever its name.
static ACTION: BlockSchema = block("action");

fn nested(name: &str) -> &'static BlockSchema {
    ACTION.block(name).expect("a nested block of an action")
}

/// Fills in each action's `order` (its 1-based position, where the configuration leaves it
/// unset or 0, as the provider does), a redirect's defaults where a read left them out, and
/// drops disabled stickiness (AWS reports it for a forward that has none). Unknown lists and
/// values pass through.
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
            let order = m.get("order").map(Value::unmarked);
            if order.is_none_or(|o| o.is_null() || o.as_number() == Some(0.0)) {
                m.insert("order".into(), Value::number(i as f64 + 1.0));
            }
            if let Some(redirect) = m.remove("redirect") {
                m.insert("redirect".into(), map_items(redirect, redirect_defaults));
            }
            if let Some(forward) = m.remove("forward") {
                m.insert(
                    "forward".into(),
                    map_items(forward, |mut f| {
                        if let Some(s) = f.remove("stickiness") {
                            // Unknown (known only after apply) is kept.
                            let enabled = |b: &Value| {
                                let e = b.as_map().and_then(|m| m.get("enabled"));
                                !e.map(Value::unmarked)
                                    .is_none_or(|e| e.is_null() || e.as_bool() == Some(false))
                            };
                            let keep = match s {
                                Value::List(items) => {
                                    Value::List(items.into_iter().filter(enabled).collect())
                                }
                                other => other,
                            };
                            f.insert("stickiness".into(), keep);
                        }
                        f
                    }),
                );
            }
            Value::Map(m)
        })
        .collect();
    Value::List(items)
}

/// `blocks` (a list of block objects) with `f` applied to each object.
fn map_items(
    blocks: Value,
    f: impl Fn(BTreeMap<String, Value>) -> BTreeMap<String, Value>,
) -> Value {
    match blocks {
        Value::List(items) => Value::List(
            items
                .into_iter()
                .map(|item| match item {
                    Value::Map(m) => Value::Map(f(m)),
                    other => other,
                })
                .collect(),
        ),
        other => other,
    }
}

fn redirect_defaults(mut m: BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    for a in REDIRECT {
        if let Default::Str(d) = a.default {
            if m.get(a.name).is_none_or(Value::is_null) {
                m.insert(a.name.into(), Value::string(d));
            }
        }
    }
    m
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

/// A configuration mistake found when an action is turned into a request, in the provider's
/// words.
fn invalid(summary: &str, detail: String) -> ApiError {
    ApiError::new(ErrorKind::Invalid, summary, detail)
}

/// True if the action block sets the argument or writes blocks of the type `name`.
fn is_set(block: &Value, name: &str) -> bool {
    block
        .as_map()
        .and_then(|m| m.get(name))
        .map(Value::unmarked)
        .is_some_and(|v| match v {
            Value::Null => false,
            Value::String(_) => true,
            v => !BlockSchema::items(v).is_empty(),
        })
}

/// Checks the combination of `type` and the settings the provider checks: a forward needs
/// `target_group_arn` or `forward` (with the same ARN if both), a redirect its `redirect`
/// block, a fixed response its `fixed_response` block, and no type takes another's settings.
fn check(block: &Value, at: &str) -> Result<()> {
    let kind = get_str(block, "type").unwrap_or_default();
    let needed = match kind {
        "forward" => None,
        "redirect" => Some("redirect"),
        "fixed-response" => Some("fixed_response"),
        other => {
            return Err(invalid(
                "UnsupportedActionType",
                format!(
                    "\"{at}.type\": the action type \"{other}\" is not supported by ecsform yet \
                     (supported: forward, redirect, fixed-response)"
                ),
            ))
        }
    };
    for setting in ["target_group_arn", "forward", "redirect", "fixed_response"] {
        let belongs = match setting {
            "target_group_arn" | "forward" => kind == "forward",
            s => needed == Some(s),
        };
        if !belongs && is_set(block, setting) {
            return Err(invalid(
                "Invalid Attribute Combination",
                format!(
                    "Attribute \"{at}.{setting}\" cannot be specified when \"{at}.type\" is \"{kind}\"."
                ),
            ));
        }
    }
    match needed {
        Some(name) if !is_set(block, name) => Err(invalid(
            "Invalid Attribute Combination",
            format!(
                "Attribute \"{at}.{name}\" must be specified when \"{at}.type\" is \"{kind}\"."
            ),
        )),
        Some(_) => Ok(()),
        None => {
            let arn = get_str(block, "target_group_arn");
            let forward = get_block(block, "forward");
            if arn.is_none() && forward.is_none() {
                return Err(invalid(
                    "Invalid Attribute Combination",
                    format!(
                        "Either \"{at}.target_group_arn\" or \"{at}.forward\" must be specified when \"{at}.type\" is \"forward\"."
                    ),
                ));
            }
            if let (Some(arn), Some(f)) = (arn, forward) {
                if get_blocks(f, "target_group")
                    .iter()
                    .any(|g| get_str(g, "arn").is_some_and(|a| a != arn))
                {
                    return Err(invalid(
                        "Invalid Attribute Combination",
                        format!(
                            "You can specify both a top-level target group ARN (\"{at}.target_group_arn\") and, with \"{at}.forward\", a target group list with ARNs, only if the ARNs match."
                        ),
                    ));
                }
            }
            Ok(())
        }
    }
}

fn forward_to_sdk(f: &Value) -> ForwardActionConfig {
    let groups = get_blocks(f, "target_group")
        .iter()
        .map(|g| {
            TargetGroupTuple::builder()
                .set_target_group_arn(get_str(g, "arn").map(String::from))
                .set_weight(get_i32(g, "weight"))
                .build()
        })
        .collect();
    let stickiness = get_block(f, "stickiness").map(|s| {
        TargetGroupStickinessConfig::builder()
            .set_enabled(get_bool(s, "enabled"))
            .set_duration_seconds(get_i32(s, "duration"))
            .build()
    });
    ForwardActionConfig::builder()
        .set_target_groups(Some(groups))
        .set_target_group_stickiness_config(stickiness)
        .build()
}

/// An action block as the API's `Action`; `position` (0-based) gives the order when the
/// block has none, and with `name` (`default_action`) names the block in errors.
pub fn to_sdk(block: &Value, name: &str, position: usize) -> Result<Action> {
    check(block, &format!("{name}[{position}]"))?;
    let s = |b: &Value, name| get_str(b, name).map(String::from);
    let kind = get_str(block, "type").unwrap_or("forward");
    let order = get_i32(block, "order")
        .filter(|o| *o != 0)
        .unwrap_or(position as i32 + 1);
    let mut action = Action::builder()
        .r#type(ActionTypeEnum::from(kind))
        .order(order);
    match kind {
        "forward" => {
            action = action
                .set_target_group_arn(s(block, "target_group_arn"))
                .set_forward_config(get_block(block, "forward").map(forward_to_sdk));
        }
        "redirect" => {
            if let Some(r) = get_block(block, "redirect") {
                action = action.redirect_config(
                    RedirectActionConfig::builder()
                        .set_host(s(r, "host"))
                        .set_path(s(r, "path"))
                        .set_port(s(r, "port"))
                        .set_protocol(s(r, "protocol"))
                        .set_query(s(r, "query"))
                        .set_status_code(
                            get_str(r, "status_code").map(RedirectActionStatusCodeEnum::from),
                        )
                        .build(),
                );
            }
        }
        _ => {
            if let Some(f) = get_block(block, "fixed_response") {
                action = action.fixed_response_config(
                    FixedResponseActionConfig::builder()
                        .set_content_type(s(f, "content_type"))
                        .set_message_body(s(f, "message_body"))
                        .set_status_code(s(f, "status_code"))
                        .build(),
                );
            }
        }
    }
    Ok(action.build())
}

/// The action blocks `name` of `planned` as API `Action`s, in order.
pub fn to_sdk_all(planned: &Value, name: &str) -> Result<Vec<Action>> {
    get_blocks(planned, name)
        .iter()
        .enumerate()
        .map(|(i, b)| to_sdk(b, name, i))
        .collect()
}

fn forward_from_sdk(f: &ForwardActionConfig) -> Value {
    let groups = f
        .target_groups()
        .iter()
        .map(|g| {
            nested_object(
                nested("forward")
                    .block("target_group")
                    .expect("target_group"),
                [
                    ("arn", opt_str(g.target_group_arn())),
                    ("weight", opt_number(g.weight())),
                ],
            )
        })
        .collect();
    let stickiness = f
        .target_group_stickiness_config()
        .map(|s| {
            vec![nested_object(
                nested("forward").block("stickiness").expect("stickiness"),
                [
                    ("duration", opt_number(s.duration_seconds())),
                    ("enabled", opt_bool(s.enabled())),
                ],
            )]
        })
        .unwrap_or_default();
    nested_object(
        nested("forward"),
        [
            ("target_group", Value::set(groups)),
            ("stickiness", Value::List(stickiness)),
        ],
    )
}

/// An API `Action` as an action block, with everything AWS reports: for a forward both
/// `target_group_arn` (AWS's own, or the only target group of a `ForwardConfig`) and `forward`
/// (see [`shaped_like`]).
pub fn from_sdk(action: &Action) -> Value {
    let kind = action.r#type().map(|t| t.as_str()).unwrap_or_default();
    let mut given = vec![
        ("type", Value::string(kind)),
        ("order", opt_number(action.order())),
    ];
    if kind == "forward" {
        let config = action
            .forward_config()
            .filter(|f| !f.target_groups().is_empty());
        let target_group = action
            .target_group_arn()
            .or_else(|| match config?.target_groups() {
                [only] => only.target_group_arn(),
                _ => None,
            });
        given.push(("target_group_arn", opt_str(target_group)));
        if let Some(f) = config {
            given.push(("forward", Value::List(vec![forward_from_sdk(f)])));
        }
    }
    if let Some(r) = action.redirect_config() {
        given.push((
            "redirect",
            Value::List(vec![nested_object(
                nested("redirect"),
                [
                    ("host", opt_str(r.host())),
                    ("path", opt_str(r.path())),
                    ("port", opt_str(r.port())),
                    ("protocol", opt_str(r.protocol())),
                    ("query", opt_str(r.query())),
                    ("status_code", opt_str(r.status_code().map(|c| c.as_str()))),
                ],
            )]),
        ));
    }
    if let Some(f) = action.fixed_response_config() {
        given.push((
            "fixed_response",
            Value::List(vec![nested_object(
                nested("fixed_response"),
                [
                    ("content_type", opt_str(f.content_type())),
                    ("message_body", opt_str(f.message_body())),
                    ("status_code", opt_str(f.status_code())),
                ],
            )]),
        ));
    }
    nested_object(&ACTION, given)
}

/// API actions as blocks, sorted by their order.
pub fn from_sdk_all(actions: &[Action]) -> Value {
    let mut sorted: Vec<&Action> = actions.iter().collect();
    sorted.sort_by_key(|a| a.order().unwrap_or(i32::MAX));
    normalize_actions(Value::List(sorted.into_iter().map(from_sdk).collect()))
}

/// `read`'s action list `name`, with each forward action in the shape the same action has in
/// `reference` (the configuration, or the state recorded before): `forward` where the
/// reference writes a `forward` block (and `target_group_arn` only if it writes that too),
/// `target_group_arn` alone where it does not. An action the reference does not have keeps
/// both, as the provider's import does.
pub fn shaped_like(read: Value, reference: &Value, name: &str) -> Value {
    let Value::Map(mut m) = read else {
        return read;
    };
    let written = get_blocks(reference, name);
    if let Some(Value::List(actions)) = m.remove(name) {
        let shaped = actions
            .into_iter()
            .enumerate()
            .map(|(i, action)| match (action, written.get(i)) {
                (Value::Map(mut a), Some(w))
                    if a.get("type").and_then(Value::as_str) == Some("forward") =>
                {
                    // Unknown (a value or `dynamic` blocks known only after apply): written.
                    let writes = |setting: &str| {
                        is_set(w, setting)
                            || w.as_map()
                                .and_then(|w| w.get(setting))
                                .is_some_and(|v| matches!(v.unmarked(), Value::Unknown))
                    };
                    if writes("forward") {
                        if !writes("target_group_arn") {
                            a.insert("target_group_arn".into(), Value::Null);
                        }
                    } else {
                        a.insert("forward".into(), nested("forward").empty_value());
                    }
                    Value::Map(a)
                }
                (action, _) => action,
            })
            .collect();
        m.insert(name.to_string(), Value::List(shaped));
    }
    Value::Map(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::schema::Schema;

    static SCHEMA: Schema = Schema {
        version: 1,
        attributes: &[],
        blocks: &[block("action")],
    };

    const TG_A: &str = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/a/1";
    const TG_B: &str = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/b/2";

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn blocks(items: Vec<Value>) -> Value {
        Value::List(items)
    }

    /// The configuration with action blocks `config`, conformed and normalized.
    fn conformed(config: Vec<Value>) -> Value {
        let v = SCHEMA
            .conform(&Value::map([("action", Value::List(config))]))
            .unwrap_or_else(|e| panic!("{e:?}"));
        normalize_in(v, "action")
    }

    fn actions(v: &Value) -> Vec<Value> {
        get_blocks(v, "action")
    }

    /// What AWS reports for `sent`, read back in the configuration's shape.
    fn read_back(sent: &[Action], config: &Value) -> Value {
        let read = Value::map([("action", from_sdk_all(sent))]);
        shaped_like(read, config, "action")
    }

    fn redirect() -> Value {
        Value::map([
            ("type", s("redirect")),
            (
                "redirect",
                blocks(vec![Value::map([
                    ("port", s("443")),
                    ("protocol", s("HTTPS")),
                    ("status_code", s("HTTP_301")),
                ])]),
            ),
        ])
    }

    fn fixed_response() -> Value {
        Value::map([
            ("type", s("fixed-response")),
            (
                "fixed_response",
                blocks(vec![Value::map([
                    ("content_type", s("text/plain")),
                    ("message_body", s("not here")),
                    ("status_code", s("404")),
                ])]),
            ),
        ])
    }

    fn weighted(stickiness: Option<(Value, i32)>) -> Value {
        let group = |arn: &str, weight: i32| {
            Value::map([("arn", s(arn)), ("weight", Value::number(weight))])
        };
        let mut forward = vec![(
            "target_group",
            blocks(vec![group(TG_A, 80), group(TG_B, 20)]),
        )];
        if let Some((enabled, duration)) = stickiness {
            forward.push((
                "stickiness",
                blocks(vec![Value::map([
                    ("enabled", enabled),
                    ("duration", Value::number(duration)),
                ])]),
            ));
        }
        Value::map([
            ("type", s("forward")),
            ("forward", blocks(vec![Value::map(forward)])),
        ])
    }

    fn simple_forward() -> Value {
        Value::map([("type", s("forward")), ("target_group_arn", s(TG_A))])
    }

    #[test]
    fn redirect_and_fixed_response_round_trip() {
        let written = conformed(vec![redirect(), fixed_response()]);
        let sent = to_sdk_all(&written, "action").unwrap();
        assert_eq!(sent[0].order(), Some(1));
        let r = sent[0].redirect_config().unwrap();
        assert_eq!(r.host(), Some("#{host}"));
        assert_eq!(r.path(), Some("/#{path}"));
        assert_eq!(r.query(), Some("#{query}"));
        assert_eq!(r.port(), Some("443"));
        assert_eq!(
            r.status_code(),
            Some(&RedirectActionStatusCodeEnum::Http301)
        );
        let f = sent[1].fixed_response_config().unwrap();
        assert_eq!(f.content_type(), Some("text/plain"));
        assert_eq!(f.message_body(), Some("not here"));
        assert_eq!(f.status_code(), Some("404"));
        assert_eq!(sent[1].order(), Some(2));
        // AWS may answer in any order; the order field puts them back.
        let read = read_back(&[sent[1].clone(), sent[0].clone()], &written);
        assert!(read.equals(&written), "{read}\n{written}");
    }

    #[test]
    fn a_redirect_read_without_aws_defaults_compares_equal() {
        // moto, unlike AWS, reports only what the request had.
        let written = conformed(vec![redirect()]);
        let action = Action::builder()
            .r#type(ActionTypeEnum::Redirect)
            .order(1)
            .redirect_config(
                RedirectActionConfig::builder()
                    .port("443")
                    .protocol("HTTPS")
                    .status_code(RedirectActionStatusCodeEnum::Http301)
                    .build(),
            )
            .build();
        assert!(read_back(&[action], &written).equals(&written));
    }

    #[test]
    fn weighted_forward_with_stickiness_round_trips() {
        let written = conformed(vec![weighted(Some((Value::Bool(true), 600)))]);
        let sent = to_sdk_all(&written, "action").unwrap();
        assert_eq!(sent[0].target_group_arn(), None);
        let f = sent[0].forward_config().unwrap();
        let mut groups: Vec<(&str, i32)> = f
            .target_groups()
            .iter()
            .map(|g| (g.target_group_arn().unwrap(), g.weight().unwrap()))
            .collect();
        groups.sort();
        assert_eq!(groups, [(TG_A, 80), (TG_B, 20)]);
        let sticky = f.target_group_stickiness_config().unwrap();
        assert_eq!(sticky.enabled(), Some(true));
        assert_eq!(sticky.duration_seconds(), Some(600));
        let read = read_back(&sent, &written);
        assert!(read.equals(&written), "{read}\n{written}");
    }

    #[test]
    fn disabled_stickiness_is_no_stickiness() {
        // AWS reports `{Enabled: false}` for a forward written without stickiness.
        let written = conformed(vec![weighted(None)]);
        let mut sent = to_sdk_all(&written, "action").unwrap();
        assert!(sent[0]
            .forward_config()
            .unwrap()
            .target_group_stickiness_config()
            .is_none());
        let groups = sent[0].forward_config().unwrap().target_groups().to_vec();
        sent[0] = Action::builder()
            .r#type(ActionTypeEnum::Forward)
            .order(1)
            .forward_config(
                ForwardActionConfig::builder()
                    .set_target_groups(Some(groups))
                    .target_group_stickiness_config(
                        TargetGroupStickinessConfig::builder()
                            .enabled(false)
                            .build(),
                    )
                    .build(),
            )
            .build();
        assert!(read_back(&sent, &written).equals(&written));
        // Written disabled, with a duration, it is the same.
        assert!(conformed(vec![weighted(Some((Value::Bool(false), 60)))]).equals(&written));
        // Known only after apply, it stays.
        let later = conformed(vec![weighted(Some((Value::Unknown, 60)))]);
        let forward = &get_blocks(&actions(&later)[0], "forward")[0];
        assert_eq!(get_blocks(forward, "stickiness").len(), 1);
    }

    #[test]
    fn a_simple_forward_reads_as_target_group_arn_however_aws_reports_it() {
        let written = conformed(vec![simple_forward()]);
        let sent = to_sdk_all(&written, "action").unwrap();
        assert_eq!(sent[0].target_group_arn(), Some(TG_A));
        assert!(sent[0].forward_config().is_none());
        // AWS adds a one-group ForwardConfig to TargetGroupArn; moto reports only the ARN.
        let aws = Action::builder()
            .r#type(ActionTypeEnum::Forward)
            .order(1)
            .target_group_arn(TG_A)
            .forward_config(
                ForwardActionConfig::builder()
                    .target_groups(
                        TargetGroupTuple::builder()
                            .target_group_arn(TG_A)
                            .weight(1)
                            .build(),
                    )
                    .target_group_stickiness_config(
                        TargetGroupStickinessConfig::builder()
                            .enabled(false)
                            .build(),
                    )
                    .build(),
            )
            .build();
        for reported in [sent[0].clone(), aws.clone()] {
            let read = read_back(&[reported], &written);
            assert!(read.equals(&written), "{read}\n{written}");
        }
        // Without a reference (an import's view), both forms are read.
        let both = &actions(&Value::map([("action", from_sdk_all(&[aws]))]))[0];
        assert_eq!(both.as_map().unwrap()["target_group_arn"], s(TG_A));
        assert_eq!(get_blocks(both, "forward").len(), 1);
    }

    #[test]
    fn a_one_group_forward_block_stays_a_forward_block() {
        let one = Value::map([
            ("type", s("forward")),
            (
                "forward",
                blocks(vec![Value::map([(
                    "target_group",
                    blocks(vec![Value::map([("arn", s(TG_A))])]),
                )])]),
            ),
        ]);
        let written = conformed(vec![one]);
        let sent = to_sdk_all(&written, "action").unwrap();
        // AWS answers with the ARN as well.
        let reported = Action::builder()
            .r#type(ActionTypeEnum::Forward)
            .order(1)
            .target_group_arn(TG_A)
            .set_forward_config(sent[0].forward_config().cloned())
            .build();
        let read = read_back(&[reported], &written);
        assert!(read.equals(&written), "{read}\n{written}");
        let action = &actions(&read)[0];
        assert_eq!(action.as_map().unwrap()["target_group_arn"], Value::Null);
        let group = &get_blocks(&get_blocks(action, "forward")[0], "target_group")[0];
        assert_eq!(group.as_map().unwrap()["weight"], Value::number(1));
    }

    #[test]
    fn orders_are_positions_unless_written() {
        let mut second = fixed_response();
        if let Value::Map(m) = &mut second {
            m.insert("order".into(), Value::number(10));
        }
        let written = conformed(vec![redirect(), second]);
        let sent = to_sdk_all(&written, "action").unwrap();
        assert_eq!(
            sent.iter().map(|a| a.order().unwrap()).collect::<Vec<_>>(),
            [1, 10]
        );
        // An order known only after apply stays unknown in the plan.
        let mut later = redirect();
        if let Value::Map(m) = &mut later {
            m.insert("order".into(), Value::Unknown);
        }
        let planned = conformed(vec![later]);
        assert_eq!(
            actions(&planned)[0].as_map().unwrap()["order"],
            Value::Unknown
        );
    }

    #[test]
    fn blocks_are_counted_as_the_provider_does() {
        let errors = |config: Vec<Value>| -> Vec<String> {
            SCHEMA
                .conform(&Value::map([("action", Value::List(config))]))
                .unwrap_err()
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        let six = (0..6)
            .map(|i| Value::map([("arn", s(&format!("{TG_A}{i}")))]))
            .collect();
        let e = errors(vec![Value::map([
            ("type", s("forward")),
            (
                "forward",
                blocks(vec![Value::map([("target_group", blocks(six))])]),
            ),
        ])]);
        assert_eq!(
            e,
            ["action.forward: Too many \"target_group\" blocks: No more than 5 \"target_group\" blocks are allowed"]
        );
        let e = errors(vec![Value::map([
            ("type", s("forward")),
            ("forward", blocks(vec![Value::map::<&str>([])])),
        ])]);
        assert_eq!(
            e,
            ["action.forward: Insufficient \"target_group\" blocks: At least 1 \"target_group\" blocks are required."]
        );
        let e = errors(vec![Value::map([
            ("type", s("redirect")),
            ("redirect", blocks(vec![Value::map([("port", s("443"))])])),
        ])]);
        assert_eq!(
            e,
            ["The argument \"action.redirect.status_code\" is required, but no definition was found."]
        );
        // The old flat syntax is an error naming the argument.
        let e = errors(vec![Value::map([
            ("type", s("redirect")),
            ("redirect_port", s("443")),
        ])]);
        assert_eq!(
            e,
            ["action: an argument named \"redirect_port\" is not expected here."]
        );
        let e = errors(vec![Value::map([
            ("type", s("redirect")),
            ("redirect", s("443")),
        ])]);
        assert_eq!(
            e,
            ["action: An argument named \"redirect\" is not expected here. Did you mean to define a block of type \"redirect\"?"]
        );
    }

    #[test]
    fn type_and_settings_must_agree() {
        let err = |action: Value| {
            to_sdk(&conformed_one(action), "default_action", 0)
                .unwrap_err()
                .message
        };
        fn conformed_one(action: Value) -> Value {
            actions(&conformed(vec![action]))[0].clone()
        }
        assert_eq!(
            err(Value::map([("type", s("redirect"))])),
            "Attribute \"default_action[0].redirect\" must be specified when \"default_action[0].type\" is \"redirect\"."
        );
        assert_eq!(
            err(Value::map([("type", s("fixed-response"))])),
            "Attribute \"default_action[0].fixed_response\" must be specified when \"default_action[0].type\" is \"fixed-response\"."
        );
        assert_eq!(
            err(Value::map([("type", s("forward"))])),
            "Either \"default_action[0].target_group_arn\" or \"default_action[0].forward\" must be specified when \"default_action[0].type\" is \"forward\"."
        );
        let mut mixed = redirect();
        if let Value::Map(m) = &mut mixed {
            m.insert("target_group_arn".into(), s(TG_A));
        }
        assert_eq!(
            err(mixed),
            "Attribute \"default_action[0].target_group_arn\" cannot be specified when \"default_action[0].type\" is \"redirect\"."
        );
        let mut both = weighted(None);
        if let Value::Map(m) = &mut both {
            m.insert("target_group_arn".into(), s(TG_A));
        }
        assert!(err(both).starts_with("You can specify both a top-level target group ARN"));
        assert!(err(Value::map([("type", s("authenticate-oidc"))]))
            .contains("\"authenticate-oidc\" is not supported by ecsform yet"));
    }
}
