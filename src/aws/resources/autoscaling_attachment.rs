//! `aws_autoscaling_attachment`: one load balancer target group (`lb_target_group_arn`) or
//! one Classic Load Balancer (`elb`) attached to an Auto Scaling group, outside the group's
//! own arguments.
//!
//! The AWS provider's id is a unique name it makes up (`GROUP-2024…`) and reads the
//! attachment with the group and target from its state; since `read_many` only gets ids,
//! ecsform's id is `GROUP_NAME|TARGET` (the target group ARN or the load balancer name,
//! neither of which can hold `|`, so the last `|` splits it; an ARN tells the two apart).
//! Nothing refers to the provider's made-up id, so nothing depends on the difference. The
//! provider has no import, and neither has ecsform. Every argument forces a new attachment.
//!
//! Refresh reads each group once with `DescribeAutoScalingGroups` (up to 100 groups a call,
//! shared by all attachments) and keeps the attachments whose target the group lists. The
//! group's own `target_group_arns` and `load_balancers` are optional and computed, so an
//! attachment does not show as drift on the group. moto (5.2.5) serves both forms, but
//! detaches a Classic Load Balancer only when that load balancer exists, and ecsform (and
//! its tests) have no Classic Load Balancing client to make one: the conformance test covers
//! the target group form, unit tests the id and arguments of the `elb` form.

use async_trait::async_trait;

use super::autoscaling_group::describe;
use super::read_created;
use crate::aws::adopt::find_by_arguments;
use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, OrGone, Result};
use crate::aws::resource_type::States;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, state_object};
use crate::provider::Schema;

pub struct AutoscalingAttachmentType;

static DECLARATION: Declaration =
    Declaration::new("aws_autoscaling_attachment", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        required String: autoscaling_group_name.force_new();
        optional String: elb.force_new() lb_target_group_arn.force_new();
    ],
    blocks: &[],
};

/// What is attached: a target group (by ARN) or a Classic Load Balancer (by name).
#[derive(Clone, Debug, PartialEq)]
enum Target {
    TargetGroup(String),
    Elb(String),
}

impl Target {
    fn of(s: &str) -> Target {
        if s.starts_with("arn:") {
            Target::TargetGroup(s.to_string())
        } else {
            Target::Elb(s.to_string())
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Target::TargetGroup(s) | Target::Elb(s) => s,
        }
    }
}

fn attachment_id(group: &str, target: &Target) -> String {
    format!("{group}|{}", target.as_str())
}

fn split_id(id: &str) -> Option<(&str, Target)> {
    let (group, target) = id.rsplit_once('|')?;
    (!group.is_empty() && !target.is_empty()).then(|| (group, Target::of(target)))
}

/// The group and target `planned` names; exactly one of `elb` and `lb_target_group_arn`, as
/// the provider requires.
fn planned_parts(planned: &Value) -> Result<(&str, Target)> {
    let invalid = |m: &str| ApiError::new(ErrorKind::Invalid, "ValidationError", m.to_string());
    let group = get_str(planned, "autoscaling_group_name")
        .ok_or_else(|| invalid("aws_autoscaling_attachment needs autoscaling_group_name"))?;
    match (
        get_str(planned, "elb"),
        get_str(planned, "lb_target_group_arn"),
    ) {
        (Some(elb), None) => Ok((group, Target::Elb(elb.to_string()))),
        (None, Some(arn)) => Ok((group, Target::TargetGroup(arn.to_string()))),
        _ => Err(invalid(
            "aws_autoscaling_attachment takes exactly one of elb and lb_target_group_arn",
        )),
    }
}

fn attachment_state(group: &str, target: &Target) -> Value {
    let (elb, arn) = match target {
        Target::Elb(n) => (Value::string(n), Value::Null),
        Target::TargetGroup(a) => (Value::Null, Value::string(a)),
    };
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(attachment_id(group, target))),
            ("autoscaling_group_name", Value::string(group)),
            ("elb", elb),
            ("lb_target_group_arn", arn),
        ],
    )
}

#[async_trait]
impl ResourceType for AutoscalingAttachmentType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The attachment its arguments name, if the group has it.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id = planned_parts(planned)
            .ok()
            .map(|(group, target)| attachment_id(group, &target));
        find_by_arguments(self, clients, id).await
    }

    fn importable(&self) -> bool {
        false
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut groups: Vec<String> = ids
            .iter()
            .filter_map(|id| split_id(id).map(|(g, _)| g.to_string()))
            .collect();
        groups.sort();
        groups.dedup();
        if groups.is_empty() {
            return Ok(States::new());
        }
        let found = describe(clients, &groups).await?;
        let mut out = States::new();
        for id in ids {
            let Some((group, target)) = split_id(id) else {
                continue;
            };
            let attached = found
                .iter()
                .filter(|g| g.auto_scaling_group_name() == Some(group))
                .filter(|g| !g.status().is_some_and(|s| s.starts_with("Delete")))
                .any(|g| match &target {
                    Target::TargetGroup(arn) => g.target_group_arns().contains(arn),
                    Target::Elb(name) => g.load_balancer_names().contains(name),
                });
            if attached {
                out.insert(id.clone(), attachment_state(group, &target));
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let (group, target) = planned_parts(planned)?;
        let asg = &ctx.clients.autoscaling;
        match &target {
            Target::TargetGroup(arn) => {
                call(|| {
                    asg.attach_load_balancer_target_groups()
                        .auto_scaling_group_name(group)
                        .target_group_arns(arn)
                        .send()
                })
                .await?;
            }
            Target::Elb(name) => {
                call(|| {
                    asg.attach_load_balancers()
                        .auto_scaling_group_name(group)
                        .load_balancer_names(name)
                        .send()
                })
                .await?;
            }
        }
        read_created(self, ctx.clients, &attachment_id(group, &target)).await
    }

    /// Every argument forces a new attachment: nothing to update in place.
    async fn update(&self, _: &CallContext<'_>, _: &Value, planned: &Value) -> Result<Value> {
        Ok(planned.clone())
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Ok((group, target)) = planned_parts(prior) else {
            return Ok(());
        };
        let asg = &ctx.clients.autoscaling;
        let r = match &target {
            Target::TargetGroup(arn) => call(|| {
                asg.detach_load_balancer_target_groups()
                    .auto_scaling_group_name(group)
                    .target_group_arns(arn)
                    .send()
            })
            .await
            .map(|_| ()),
            Target::Elb(name) => call(|| {
                asg.detach_load_balancers()
                    .auto_scaling_group_name(group)
                    .load_balancer_names(name)
                    .send()
            })
            .await
            .map(|_| ()),
        };
        // The group is gone, or the load balancer is no longer attached.
        r.ok_if(|e| {
            e.is_not_found_or_unknown_name()
                || e.is_validation_error() && e.message.contains("not part of the group")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_the_group_and_the_target() {
        let arn = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/1";
        let tg = Target::TargetGroup(arn.to_string());
        let id = attachment_id("a|b", &tg);
        assert_eq!(split_id(&id), Some(("a|b", tg)));
        assert_eq!(
            split_id("web|classic"),
            Some(("web", Target::Elb("classic".into())))
        );
        assert_eq!(split_id("web"), None);
        let planned = SCHEMA.conformed([
            ("autoscaling_group_name", Value::string("web")),
            ("lb_target_group_arn", Value::string(arn)),
        ]);
        let (group, target) = planned_parts(&planned).unwrap();
        assert_eq!(attachment_state(group, &target), {
            let mut m = planned.as_map().unwrap().clone();
            m.insert("id".into(), Value::string(format!("web|{arn}")));
            Value::Map(m)
        });
        let both = SCHEMA.conformed([
            ("autoscaling_group_name", Value::string("web")),
            ("elb", Value::string("classic")),
            ("lb_target_group_arn", Value::string(arn)),
        ]);
        assert!(planned_parts(&both).is_err());
    }
}
