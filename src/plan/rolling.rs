//! Planning rolling replacements of instances (issue 8): which objects a plan also has their
//! instances replaced, and why, as their resource types say ([`ResourceType::rollout`]; an
//! `aws_autoscaling_group` with a `rolling_update` block). Pure: the number of instances is
//! filled in by the caller from AWS ([`crate::ops`]), and the rollout itself runs in apply,
//! by the type.
//!
//! [`ResourceType::rollout`]: crate::aws::ResourceType::rollout

use serde::{Deserialize, Serialize};

use crate::addrs::ResourceInstanceAddr;
use crate::aws;
pub use crate::aws::rollout::RolloutCause;
use crate::aws::rollout::RolloutQuery;

use super::{Action, Plan};

/// A planned rolling replacement of an object's instances (an Auto Scaling group's; saved as
/// a `SavedRollout`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "SavedRollout", try_from = "SavedRollout")]
pub struct PlannedRollout {
    pub addr: ResourceInstanceAddr,
    pub cause: RolloutCause,
    /// The cluster the instances are drained from; `None`: known after apply.
    pub cluster: Option<String>,
    pub batch_size: u32,
    /// How many instances will be replaced, as read from AWS while planning; `None` when not
    /// read (`-refresh=false`).
    pub instances: Option<usize>,
}

/// A [`PlannedRollout`] as a saved plan holds it: the cause as a name (`group`, `template`,
/// `unfinished`) and a detail (the template's address, the step; empty for `group`).
#[derive(Serialize, Deserialize)]
struct SavedRollout {
    address: ResourceInstanceAddr,
    cause: String,
    #[serde(default)]
    detail: String,
    cluster: Option<String>,
    batch_size: u32,
    instances: Option<usize>,
}

impl From<PlannedRollout> for SavedRollout {
    fn from(r: PlannedRollout) -> SavedRollout {
        let (cause, detail) = match r.cause {
            RolloutCause::GroupTemplateChanges => ("group", String::new()),
            RolloutCause::TemplateChanges(a) => ("template", a.to_string()),
            RolloutCause::Unfinished(step) => ("unfinished", step),
        };
        SavedRollout {
            address: r.addr,
            cause: cause.to_string(),
            detail,
            cluster: r.cluster,
            batch_size: r.batch_size,
            instances: r.instances,
        }
    }
}

impl TryFrom<SavedRollout> for PlannedRollout {
    type Error = String;

    fn try_from(r: SavedRollout) -> Result<PlannedRollout, String> {
        let cause = match r.cause.as_str() {
            "group" => RolloutCause::GroupTemplateChanges,
            "template" => RolloutCause::TemplateChanges(
                ResourceInstanceAddr::parse(&r.detail)
                    .ok_or(format!("invalid address \"{}\"", r.detail))?,
            ),
            "unfinished" => RolloutCause::Unfinished(r.detail),
            other => return Err(format!("unknown rollout cause \"{other}\"")),
        };
        Ok(PlannedRollout {
            addr: r.address,
            cause,
            cluster: r.cluster,
            batch_size: r.batch_size,
            instances: r.instances,
        })
    }
}

impl PlannedRollout {
    /// "3 instances, batches of 1, draining from cluster \"main\"".
    pub fn describe(&self) -> String {
        let count = match self.instances {
            Some(1) => "1 instance".to_string(),
            Some(n) => format!("{n} instances"),
            None => "instance count unknown until apply".to_string(),
        };
        let cluster = match &self.cluster {
            Some(c) => format!("\"{c}\""),
            None => "(known after apply)".to_string(),
        };
        format!(
            "{count}, batches of {}, draining from cluster {cluster}",
            self.batch_size
        )
    }
}

/// The rollouts a plan implies. `no_rolling` (`-no-rolling`) plans none. Instance counts are
/// left `None` for the caller to fill in.
pub fn plan_rollouts(plan: &Plan, no_rolling: bool) -> Vec<PlannedRollout> {
    if no_rolling || plan.destroy {
        return Vec::new();
    }
    let changes = |d: &ResourceInstanceAddr| {
        plan.change(d)
            .is_some_and(|dc| dc.action == Action::Update || dc.action.is_replace())
    };
    plan.changes
        .iter()
        .filter(|c| !c.addr.is_data())
        .filter(|c| matches!(c.action, Action::Update | Action::NoOp))
        .filter_map(|c| {
            let rt = aws::resource_type(&c.addr.resource.type_name)?;
            let r = rt.rollout(&RolloutQuery {
                before: c.before.as_ref()?,
                after: c.after.as_ref(),
                updated: c.action == Action::Update,
                dependencies: &c.dependencies,
                changes: &changes,
            })?;
            Some(PlannedRollout {
                addr: c.addr.clone(),
                cause: r.cause,
                cluster: r.cluster,
                batch_size: r.batch_size,
                instances: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::autoscaling_group::rolling_update::BLOCK;
    use crate::aws::rollout::PENDING_ATTR;
    use crate::lang::Value;
    use crate::plan::ResourceChange;

    #[test]
    fn a_rollout_to_a_cluster_known_after_apply_says_so() {
        let r = PlannedRollout {
            addr: ResourceInstanceAddr::parse("aws_autoscaling_group.x").unwrap(),
            cause: RolloutCause::GroupTemplateChanges,
            cluster: None,
            batch_size: 1,
            instances: Some(3),
        };
        assert_eq!(
            r.describe(),
            "3 instances, batches of 1, draining from cluster (known after apply)"
        );
    }

    fn change(addr: &str, action: Action, before: Value, after: Value) -> ResourceChange {
        ResourceChange {
            addr: ResourceInstanceAddr::parse(addr).unwrap(),
            action,
            before: Some(before),
            after: Some(after),
            replace_paths: Vec::new(),
            reason: None,
            dependencies: Vec::new(),
        }
    }

    fn asg(version: &str, extra: Vec<(&str, Value)>) -> Value {
        let mut m = vec![
            ("id", Value::string("web")),
            (
                "launch_template",
                Value::List(vec![Value::map([
                    ("id", Value::string("lt-1")),
                    ("version", Value::string(version)),
                ])]),
            ),
            (
                BLOCK,
                Value::List(vec![Value::map([("ecs_cluster", Value::string("main"))])]),
            ),
        ];
        m.extend(extra);
        Value::map(m)
    }

    #[test]
    fn rollouts_follow_template_changes() {
        // The group's version changes: rolled.
        let g = change(
            "aws_autoscaling_group.web",
            Action::Update,
            asg("1", vec![]),
            asg("2", vec![]),
        );
        let plan = Plan {
            changes: vec![g.clone()],
            ..Plan::default()
        };
        let r = plan_rollouts(&plan, false);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].cause, RolloutCause::GroupTemplateChanges);
        assert_eq!(r[0].cluster.as_deref(), Some("main"));
        assert!(plan_rollouts(&plan, true).is_empty());

        // `$Latest` and the template gets a new version: rolled, naming the template.
        let lt = change(
            "aws_launch_template.web",
            Action::Update,
            Value::Null,
            Value::Null,
        );
        let mut g = change(
            "aws_autoscaling_group.web",
            Action::NoOp,
            asg("$Latest", vec![]),
            asg("$Latest", vec![]),
        );
        g.dependencies = vec![lt.addr.clone()];
        let plan = Plan {
            changes: vec![g.clone(), lt.clone()],
            ..Plan::default()
        };
        assert_eq!(
            plan_rollouts(&plan, false)[0].cause,
            RolloutCause::TemplateChanges(lt.addr.clone())
        );
        // A pinned version does not follow the template.
        let mut pinned = change(
            "aws_autoscaling_group.web",
            Action::NoOp,
            asg("1", vec![]),
            asg("1", vec![]),
        );
        pinned.dependencies = vec![lt.addr.clone()];
        let plan = Plan {
            changes: vec![pinned, lt.clone()],
            ..Plan::default()
        };
        assert!(plan_rollouts(&plan, false).is_empty());

        // Disabled: nothing.
        let off = Value::List(vec![Value::map([
            ("ecs_cluster", Value::string("main")),
            ("enabled", Value::Bool(false)),
        ])]);
        let g = change(
            "aws_autoscaling_group.web",
            Action::Update,
            asg("1", vec![]),
            asg("2", vec![(BLOCK, off)]),
        );
        let plan = Plan {
            changes: vec![g],
            ..Plan::default()
        };
        assert!(plan_rollouts(&plan, false).is_empty());
    }

    #[test]
    fn an_unfinished_rollout_continues() {
        let pending = Value::map([
            ("step", Value::string("waiting for i-2 to register")),
            ("instances", Value::List(vec![Value::string("i-1")])),
        ]);
        let g = change(
            "aws_autoscaling_group.web",
            Action::NoOp,
            asg("2", vec![(PENDING_ATTR, pending.clone())]),
            asg("2", vec![(PENDING_ATTR, pending)]),
        );
        let plan = Plan {
            changes: vec![g],
            ..Plan::default()
        };
        let r = plan_rollouts(&plan, false);
        assert!(matches!(&r[0].cause, RolloutCause::Unfinished(s) if s.contains("i-2")));
    }
}
