//! `aws_lb_target_group_attachment` (and `aws_alb_target_group_attachment`): one target (an
//! instance, an IP address, a Lambda function) registered with a load balancer target group.
//!
//! The id is the AWS provider's (6.x, since it gained import):
//! `TARGET_GROUP_ARN,TARGET_ID[,PORT][,AVAILABILITY_ZONE]` (an empty port where only the zone
//! is set), which is also the import ID. Every argument forces a new attachment. Refresh
//! describes the health of every target of a group at once (DescribeTargetHealth without a
//! target list), one call per target group — AWS has no call across groups, so that is the
//! floor — and keeps the wanted targets that are registered (not `unused` because
//! deregistered, nor draining). As in the provider, `port` and `availability_zone` are read
//! back only where the configuration (the id) has them. `quic_server_id` is refused as not
//! supported yet. moto keys a group's targets by id alone and reports no zone.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    TargetDescription, TargetHealthDescription, TargetHealthReasonEnum,
};

use super::{read_created, retry_while, VISIBILITY_LIMIT};
use crate::aws::adopt::find_by_arguments;
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, OrGone};
use crate::aws::resource_type::States;
use crate::aws::{Adoption, AwsClients, Candidate, Declaration, Owner};
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_i32, get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct LbTargetGroupAttachmentType;

static DECLARATION: Declaration = Declaration::new(
    "aws_lb_target_group_attachment",
    &SCHEMA,
    Adoption::Arguments,
);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        required String: target_group_arn.force_new() target_id.force_new();
        optional Number: port.force_new();
        optional String: availability_zone.force_new();
    ],
    blocks: &[],
};

const FORMAT: &str = "TARGET_GROUP_ARN,TARGET_ID[,PORT][,AVAILABILITY_ZONE]";

/// What an attachment is: the group, and the target as registered.
#[derive(Clone, Debug, PartialEq)]
struct Attachment {
    group: String,
    target: String,
    port: Option<i32>,
    zone: Option<String>,
}

impl Attachment {
    fn from_value(v: &Value) -> Option<Attachment> {
        Some(Attachment {
            group: get_str(v, "target_group_arn")?.to_string(),
            target: get_str(v, "target_id")?.to_string(),
            port: get_i32(v, "port"),
            zone: get_str(v, "availability_zone").map(String::from),
        })
    }

    /// The provider's id: the parts joined by commas, an empty port where only the zone is set.
    fn id(&self) -> String {
        let mut parts = vec![self.group.clone(), self.target.clone()];
        if let Some(p) = self.port {
            parts.push(p.to_string());
        }
        if let Some(z) = &self.zone {
            if self.port.is_none() {
                parts.push(String::new());
            }
            parts.push(z.clone());
        }
        parts.join(",")
    }

    fn parse(id: &str) -> Result<Attachment, String> {
        let parts: Vec<&str> = id.split(',').collect();
        if !(2..=4).contains(&parts.len()) || parts[0].is_empty() || parts[1].is_empty() {
            return Err(format!("expected {FORMAT}"));
        }
        let port = match parts.get(2).filter(|p| !p.is_empty()) {
            Some(p) => Some(
                p.parse::<i32>()
                    .map_err(|_| format!("the port \"{p}\" is not a number; expected {FORMAT}"))?,
            ),
            None => None,
        };
        Ok(Attachment {
            group: parts[0].to_string(),
            target: parts[1].to_string(),
            port,
            zone: parts
                .get(3)
                .filter(|z| !z.is_empty())
                .map(|z| z.to_string()),
        })
    }

    fn description(&self) -> TargetDescription {
        TargetDescription::builder()
            .id(&self.target)
            .set_port(self.port)
            .set_availability_zone(self.zone.clone())
            .build()
    }

    /// Whether `d` (of this attachment's group) is this target, registered.
    fn is(&self, d: &TargetHealthDescription) -> bool {
        let Some(t) = d.target() else {
            return false;
        };
        let gone = d.target_health().and_then(|h| h.reason()).is_some_and(|r| {
            matches!(
                r,
                TargetHealthReasonEnum::NotRegistered
                    | TargetHealthReasonEnum::DeregistrationInProgress
            )
        });
        !gone
            && t.id() == Some(self.target.as_str())
            && self.port.is_none_or(|p| t.port() == Some(p))
            && self
                .zone
                .as_deref()
                .is_none_or(|z| t.availability_zone().is_none_or(|az| az == z))
    }

    fn state(&self) -> Value {
        state_object(
            &SCHEMA,
            [
                ("id", Value::string(self.id())),
                ("target_group_arn", Value::string(&self.group)),
                ("target_id", Value::string(&self.target)),
                ("port", self.port.map_or(Value::Null, Value::number)),
                ("availability_zone", opt_str(self.zone.clone())),
            ],
        )
    }
}

/// The targets registered with `group` (none if the group is gone).
async fn targets_of(clients: &AwsClients, group: &str) -> Result<Vec<TargetHealthDescription>> {
    let out = call(|| {
        clients
            .elbv2
            .describe_target_health()
            .target_group_arn(group)
            .send()
    })
    .await
    .found()?;
    Ok(out
        .map(|o| o.target_health_descriptions().to_vec())
        .unwrap_or_default())
}

#[async_trait]
impl ResourceType for LbTargetGroupAttachmentType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id = Attachment::from_value(planned).map(|a| a.id());
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "`TARGET_GROUP_ARN,TARGET_ID[,PORT][,AVAILABILITY_ZONE]` (an empty port where only the zone is set: `arn:…,10.0.0.5,,all`)"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let a = Attachment::parse(id).map_err(ImportIdError::Malformed)?;
        super::expect_prefix(
            &a.group,
            "arn:",
            "a target group ARN before the first \",\"",
        )?;
        Ok(a.id())
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut by_group: BTreeMap<String, Vec<(String, Attachment)>> = BTreeMap::new();
        for id in ids {
            if let Ok(a) = Attachment::parse(id) {
                by_group
                    .entry(a.group.clone())
                    .or_default()
                    .push((id.clone(), a));
            }
        }
        let mut out = BTreeMap::new();
        for (group, wanted) in by_group {
            let registered = targets_of(clients, &group).await?;
            for (id, a) in wanted {
                if registered.iter().any(|d| a.is(d)) {
                    out.insert(id, a.state());
                }
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let a = Attachment::from_value(planned).ok_or_else(|| {
            crate::aws::error::ApiError::malformed("target_group_arn and target_id are required")
        })?;
        // An instance launched a moment ago may not be registrable yet (InvalidTarget).
        retry_while(
            &format!("{} to be registered with {}", a.target, a.group),
            VISIBILITY_LIMIT,
            |e| e.code == "InvalidTarget",
            || async {
                ctx.clients
                    .elbv2
                    .register_targets()
                    .target_group_arn(&a.group)
                    .targets(a.description())
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await?;
        read_created(self, ctx.clients, &a.id()).await
    }

    async fn update(
        &self,
        _ctx: &CallContext<'_>,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value> {
        // Every argument forces a new attachment: nothing changes in place.
        Ok(planned.clone())
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Some(a) = Attachment::from_value(prior) else {
            return Ok(());
        };
        let out = call(|| {
            ctx.clients
                .elbv2
                .deregister_targets()
                .target_group_arn(&a.group)
                .targets(a.description())
                .send()
        })
        .await;
        match out {
            // A target no longer registered: gone already.
            Err(e) if e.code == "InvalidTarget" => Ok(()),
            other => other.ok_if_gone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TG: &str = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/abc";

    #[test]
    fn ids_are_the_providers() {
        let mut a = Attachment {
            group: TG.into(),
            target: "i-1".into(),
            port: None,
            zone: None,
        };
        assert_eq!(a.id(), format!("{TG},i-1"));
        a.zone = Some("all".into());
        assert_eq!(a.id(), format!("{TG},i-1,,all"));
        assert_eq!(Attachment::parse(&a.id()).unwrap(), a);
        a.port = Some(8080);
        assert_eq!(a.id(), format!("{TG},i-1,8080,all"));
        assert_eq!(Attachment::parse(&a.id()).unwrap(), a);
        a.zone = None;
        assert_eq!(a.id(), format!("{TG},i-1,8080"));
        assert_eq!(Attachment::parse(&a.id()).unwrap(), a);
        assert!(Attachment::parse(TG).is_err());
        assert!(Attachment::parse(&format!("{TG},i-1,http")).is_err());
        assert!(Attachment::parse(&format!("{TG},i-1,1,a,b")).is_err());
    }

    #[test]
    fn requests_carry_only_what_is_set() {
        let a = Attachment::parse(&format!("{TG},10.0.0.5,,all")).unwrap();
        let d = a.description();
        assert_eq!(d.id(), Some("10.0.0.5"));
        assert_eq!(d.port(), None);
        assert_eq!(d.availability_zone(), Some("all"));
        let state = a.state();
        assert_eq!(state.as_map().unwrap()["port"], Value::Null);
    }
}
