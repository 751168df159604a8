//! The `rolling_update` block of an `aws_autoscaling_group` (ecsform's own, issue 8): its
//! settings and their mistakes, and when a plan replaces a group's instances and why
//! ([`ResourceType::rollout`]).
//!
//! A group is rolled when it declares `rolling_update` (not `enabled = false`), it exists
//! already, and either a change reaches the launch template or configuration it uses (its own
//! `launch_template`/`launch_configuration` changes, or a launch template it depends on gets a
//! new version while the group uses `$Latest`/`$Default`), or a previous rollout stopped
//! before it finished (the group's `rollout_pending` mark in state). Pure; the rollout itself
//! is in [`super::rollout`].
//!
//! [`ResourceType::rollout`]: crate::aws::ResourceType::rollout

use std::time::Duration;

use super::{parse_duration, REFRESH};
use crate::aws::rollout::{Rollout, RolloutCause, RolloutQuery, PENDING_ATTR};
use crate::aws::SettingError;
use crate::lang::Value;
use crate::provider::{BlockSchema, Schema};

/// The block that configures the rollout.
pub const BLOCK: &str = "rolling_update";

/// A group's `rolling_update` settings.
#[derive(Clone, Debug, PartialEq)]
pub struct RollingSettings {
    /// How many instances are replaced at once (capacity is raised by this much).
    pub max_batch_size: u32,
    /// The share of the desired capacity that must stay ACTIVE in the cluster while a batch
    /// drains.
    pub min_healthy_percent: u32,
    /// How long the tasks of a batch may take to move off it.
    pub drain_timeout: Duration,
    /// Wait between batches.
    pub pause: Duration,
    /// How long new instances may take to be InService and registered in the cluster.
    pub instance_timeout: Duration,
    /// The cluster the instances register in; `None` while it is not known (apply knows).
    pub ecs_cluster: Option<String>,
    pub enabled: bool,
}

impl Default for RollingSettings {
    fn default() -> Self {
        RollingSettings {
            max_batch_size: 1,
            min_healthy_percent: 100,
            drain_timeout: Duration::from_secs(15 * 60),
            pause: Duration::ZERO,
            instance_timeout: Duration::from_secs(10 * 60),
            ecs_cluster: None,
            enabled: true,
        }
    }
}

const ARGUMENTS: &[&str] = &[
    "max_batch_size",
    "min_healthy_percent",
    "drain_timeout",
    "pause",
    "instance_timeout",
    "ecs_cluster",
    "enabled",
];

impl RollingSettings {
    /// The settings of a group's value (`rolling_update` as written: a list of one object),
    /// `Ok(None)` when it has none. Unknown values are accepted where they can only be known
    /// at apply (`ecs_cluster`).
    pub fn from_group(group: &Value) -> Result<Option<RollingSettings>, Vec<SettingError>> {
        let Some(block) = group.as_map().and_then(|m| m.get(BLOCK)) else {
            return Ok(None);
        };
        let items: Vec<&Value> = match block.unmarked() {
            Value::Null => return Ok(None),
            Value::List(items) | Value::Set(items) => items.iter().collect(),
            m @ Value::Map(_) => vec![m],
            _ => {
                return Err(vec![SettingError {
                    block: BLOCK,
                    argument: "",
                    message: "rolling_update must be a block".into(),
                }])
            }
        };
        let Some(first) = items.first() else {
            return Ok(None);
        };
        let mut errors = Vec::new();
        if items.len() > 1 {
            errors.push(SettingError {
                block: BLOCK,
                argument: "",
                message: "at most one rolling_update block is allowed".into(),
            });
        }
        let empty = Default::default();
        let m = first.unmarked().as_map().unwrap_or(&empty);
        for key in m.keys() {
            if !ARGUMENTS.contains(&key.as_str()) {
                errors.push(SettingError {
                    block: BLOCK,
                    argument: "",
                    message: format!(
                        "rolling_update: an argument named \"{key}\" is not expected here (expected one of: {})",
                        ARGUMENTS.join(", ")
                    ),
                });
            }
        }
        let mut s = RollingSettings::default();
        let get = |name: &str| m.get(name).map(Value::unmarked).filter(|v| !v.is_null());
        let whole = |name: &'static str,
                     min: u32,
                     max: u32,
                     errors: &mut Vec<SettingError>|
         -> Option<u32> {
            let v = get(name)?;
            match v.as_number() {
                Some(n) if n.fract() == 0.0 && n >= f64::from(min) && n <= f64::from(max) => {
                    Some(n as u32)
                }
                _ if !v.is_known() => None,
                _ => {
                    errors.push(SettingError {
                        block: BLOCK,
                        argument: name,
                        message: format!("{name} must be a whole number from {min} to {max}"),
                    });
                    None
                }
            }
        };
        if let Some(n) = whole("max_batch_size", 1, 1000, &mut errors) {
            s.max_batch_size = n;
        }
        if let Some(n) = whole("min_healthy_percent", 0, 100, &mut errors) {
            s.min_healthy_percent = n;
        }
        for (name, slot) in [
            ("drain_timeout", &mut s.drain_timeout),
            ("pause", &mut s.pause),
            ("instance_timeout", &mut s.instance_timeout),
        ] {
            let Some(v) = get(name) else { continue };
            match v.as_str().and_then(parse_duration) {
                Some(d) => *slot = d,
                None if !v.is_known() => {}
                None => errors.push(SettingError {
                    block: BLOCK,
                    argument: name,
                    message: format!(
                        "{name} must be a duration such as \"30s\", \"15m\" or \"1h30m\", not {}",
                        describe(v)
                    ),
                }),
            }
        }
        for name in ["drain_timeout", "instance_timeout"] {
            let d = if name == "drain_timeout" {
                s.drain_timeout
            } else {
                s.instance_timeout
            };
            if d.is_zero() && get(name).is_some() {
                errors.push(SettingError {
                    block: BLOCK,
                    argument: name,
                    message: format!("{name} must be longer than 0"),
                });
            }
        }
        match get("ecs_cluster") {
            None => errors.push(SettingError {
                block: BLOCK,
                argument: "",
                message: "rolling_update: the argument \"ecs_cluster\" is required (the name or ARN of the cluster the instances register in)".into(),
            }),
            Some(v) if !v.is_known() => {}
            Some(v) => match v.as_str() {
                Some(c) if !c.is_empty() => s.ecs_cluster = Some(c.to_string()),
                _ => errors.push(SettingError {
                    block: BLOCK,
                    argument: "ecs_cluster",
                    message: "ecs_cluster must be a cluster name or ARN".into(),
                }),
            },
        }
        if let Some(v) = get("enabled") {
            match v.as_bool() {
                Some(b) => s.enabled = b,
                None if !v.is_known() => {}
                None => errors.push(SettingError {
                    block: BLOCK,
                    argument: "enabled",
                    message: "enabled must be true or false".into(),
                }),
            }
        }
        if s.enabled && has_blocks(group, REFRESH) {
            errors.push(SettingError {
                block: BLOCK,
                argument: "",
                message: "rolling_update (ecsform's rollout) and instance_refresh (AWS's instance refresh) both replace the group's instances: keep one, or set enabled = false".into(),
            });
        }
        if errors.is_empty() {
            Ok(Some(s))
        } else {
            Err(errors)
        }
    }
}

/// What a group's launch settings are: a change to one of them always starts the instance
/// refresh, so naming one in `triggers` is a mistake (as in the AWS provider).
const ALWAYS_TRIGGER: &[&str] = &[
    "launch_configuration",
    "launch_template",
    "mixed_instances_policy",
];

fn has_blocks(group: &Value, name: &str) -> bool {
    group
        .as_map()
        .and_then(|m| m.get(name))
        .is_some_and(|b| !BlockSchema::items(b).is_empty())
}

/// The mistakes in an `instance_refresh` block's `triggers`: names that always trigger, and
/// names that are not arguments or blocks of the group (`tag` is one).
pub(super) fn refresh_trigger_errors(group: &Value, schema: &Schema) -> Vec<SettingError> {
    let Some(refresh) = group
        .as_map()
        .and_then(|m| m.get(REFRESH))
        .and_then(|b| BlockSchema::items(b).first())
    else {
        return Vec::new();
    };
    let triggers = refresh.as_map().and_then(|m| m.get("triggers"));
    let names: Vec<&str> = match triggers.map(Value::unmarked) {
        Some(Value::List(items) | Value::Set(items)) => {
            items.iter().filter_map(|v| v.unmarked().as_str()).collect()
        }
        _ => Vec::new(),
    };
    names
        .into_iter()
        .filter_map(|name| {
            let message = if ALWAYS_TRIGGER.contains(&name) {
                format!("'{name}' always triggers an instance refresh and can be removed")
            } else if schema.attribute(name).is_none() && schema.block(name).is_none() {
                format!("'{name}' is not a recognized parameter name for aws_autoscaling_group")
            } else {
                return None;
            };
            Some(SettingError {
                block: REFRESH,
                argument: "triggers",
                message,
            })
        })
        .collect()
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => format!("a {}", other.type_name()),
    }
}

/// The instance ids an unfinished rollout recorded on the group, and the step it stopped at.
pub(super) fn pending_of(group: &Value) -> Option<(Vec<String>, String)> {
    let p = group.as_map()?.get(PENDING_ATTR)?.as_map()?;
    let ids = p
        .get("instances")
        .and_then(Value::as_list)
        .map(|l| {
            l.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let step = p
        .get("step")
        .and_then(Value::as_str)
        .unwrap_or("unknown step")
        .to_string();
    Some((ids, step))
}

/// The types whose changes reach the instances of a group that uses them.
const TEMPLATE_TYPES: [&str; 2] = ["aws_launch_template", "aws_launch_configuration"];

fn attr<'v>(v: Option<&'v Value>, name: &str) -> Option<&'v Value> {
    v?.as_map()?.get(name)
}

/// Whether the group uses whatever version a launch template's default or latest is.
fn follows_template(group: &Value) -> bool {
    let version = attr(Some(group), "launch_template")
        .and_then(Value::as_list)
        .and_then(|l| l.first())
        .and_then(|t| t.as_map()?.get("version")?.as_str().map(String::from));
    matches!(
        version.as_deref(),
        Some("$Latest") | Some("$Default") | None
    )
}

fn cause_of(q: &RolloutQuery<'_>) -> Option<RolloutCause> {
    let before = q.before;
    if let Some((_, step)) = pending_of(before) {
        return Some(RolloutCause::Unfinished(step));
    }
    if q.updated {
        let differs = |name: &str| {
            let (a, b) = (attr(q.after, name), attr(Some(before), name));
            match (a, b) {
                (Some(a), Some(b)) => !a.equals(b),
                (a, b) => a.is_some() != b.is_some(),
            }
        };
        if differs("launch_template") || differs("launch_configuration") {
            return Some(RolloutCause::GroupTemplateChanges);
        }
    }
    if !follows_template(q.after.unwrap_or(before)) {
        return None;
    }
    q.dependencies
        .iter()
        .filter(|d| TEMPLATE_TYPES.contains(&d.resource.type_name.as_str()))
        .find(|d| (q.changes)(d))
        .map(|d| RolloutCause::TemplateChanges(d.clone()))
}

/// The rollout a planned change of a group implies, if any ([`ResourceType::rollout`]).
///
/// [`ResourceType::rollout`]: crate::aws::ResourceType::rollout
pub(super) fn rollout(q: &RolloutQuery<'_>) -> Option<Rollout> {
    let settings = RollingSettings::from_group(q.after.unwrap_or(q.before))
        .ok()
        .flatten()?;
    if !settings.enabled {
        return None;
    }
    let cause = cause_of(q)?;
    Some(Rollout {
        cause,
        cluster: settings.ecs_cluster,
        batch_size: settings.max_batch_size,
    })
}

#[cfg(test)]
mod tests {
    use super::super::AutoscalingGroupType;
    use super::*;
    use crate::aws::ResourceType;

    fn group(block: Value) -> Value {
        Value::map([(BLOCK, Value::List(vec![block]))])
    }

    #[test]
    fn settings_take_defaults_and_go_durations() {
        let s = RollingSettings::from_group(&group(Value::map([
            ("ecs_cluster", Value::string("main")),
            ("drain_timeout", Value::string("90s")),
            ("max_batch_size", Value::number(2)),
        ])))
        .unwrap()
        .unwrap();
        assert_eq!(s.max_batch_size, 2);
        assert_eq!(s.min_healthy_percent, 100);
        assert_eq!(s.drain_timeout, Duration::from_secs(90));
        assert_eq!(s.pause, Duration::ZERO);
        assert_eq!(s.ecs_cluster.as_deref(), Some("main"));
        assert!(s.enabled);
        assert_eq!(
            RollingSettings::from_group(&Value::map([("x", Value::Null)])),
            Ok(None)
        );
    }

    #[test]
    fn settings_errors_name_the_argument() {
        let errors = RollingSettings::from_group(&group(Value::map([
            ("drain_timeout", Value::string("15 minutes")),
            ("max_batch_size", Value::number(0)),
            ("min_healthy_percent", Value::number(150)),
            ("surge", Value::number(1)),
        ])))
        .unwrap_err();
        let args: Vec<&str> = errors.iter().map(|e| e.argument).collect();
        assert!(args.contains(&"drain_timeout"), "{errors:?}");
        assert!(args.contains(&"max_batch_size"));
        assert!(args.contains(&"min_healthy_percent"));
        assert!(errors.iter().any(|e| e.message.contains("\"surge\"")));
        assert!(errors.iter().any(|e| e.message.contains("ecs_cluster")));
    }

    #[test]
    fn unknown_cluster_is_known_after_apply() {
        let s = RollingSettings::from_group(&group(Value::map([("ecs_cluster", Value::Unknown)])))
            .unwrap()
            .unwrap();
        assert_eq!(s.ecs_cluster, None);
    }

    #[test]
    fn instance_refresh_and_rolling_update_cannot_both_replace_instances() {
        let refresh = Value::List(vec![Value::map([("strategy", Value::string("Rolling"))])]);
        let both = Value::map([
            (
                BLOCK,
                Value::List(vec![Value::map([("ecs_cluster", Value::string("main"))])]),
            ),
            (REFRESH, refresh.clone()),
        ]);
        let errors = RollingSettings::from_group(&both).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("keep one"),
            "{}",
            errors[0].message
        );
        // A disabled rolling_update may stay next to instance_refresh.
        let disabled = Value::map([
            (
                BLOCK,
                Value::List(vec![Value::map([
                    ("ecs_cluster", Value::string("main")),
                    ("enabled", Value::Bool(false)),
                ])]),
            ),
            (REFRESH, refresh),
        ]);
        assert!(RollingSettings::from_group(&disabled).is_ok());
    }

    #[test]
    fn refresh_triggers_are_checked_like_the_aws_provider_does() {
        let schema = AutoscalingGroupType.schema();
        let group = |triggers: &[&str]| {
            Value::map([(
                REFRESH,
                Value::List(vec![Value::map([
                    ("strategy", Value::string("Rolling")),
                    (
                        "triggers",
                        Value::set(triggers.iter().map(|t| Value::string(*t)).collect()),
                    ),
                ])]),
            )])
        };
        assert!(refresh_trigger_errors(&group(&["tag", "max_size"]), schema).is_empty());
        let errors = refresh_trigger_errors(&group(&["launch_template", "tags"]), schema);
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "'launch_template' always triggers an instance refresh and can be removed",
                "'tags' is not a recognized parameter name for aws_autoscaling_group",
            ]
        );
        assert!(errors
            .iter()
            .all(|e| e.block == REFRESH && e.argument == "triggers"));
    }
}
