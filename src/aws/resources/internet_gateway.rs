//! `aws_internet_gateway`: an internet gateway and its attachment to (at most) one VPC.
//!
//! Changing `vpc_id` detaches and re-attaches the same gateway rather than replacing it.

use std::time::Duration;

use crate::aws::Adoption;
use async_trait::async_trait;
use aws_sdk_ec2::types::{AttachmentStatus, InternetGateway, ResourceType as Ec2Type};

use super::{changed, create_call, delete_ec2, ec2_arn, read_created, recorded_id, retry_while};
use crate::aws::ec2::describe_ec2;
use crate::aws::ec2::{Ec2Objects, Ec2Reads};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, wait_until, ApiError};
use crate::aws::resource_type::id_prefix;
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, update_ec2_tags};
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, IdPrefix, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, opt_str, state_object, string_map};
use crate::provider::Schema;

pub struct InternetGatewayType;

static DECLARATION: Declaration = Declaration::new("aws_internet_gateway", &SCHEMA, Adoption::Tags);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        optional String: vpc_id;
        optional StringMap: tags;
        computed StringMap: tags_all;
        computed String: owner_id;
    ],
    blocks: &[],
};

/// How long an attachment or deletion may take to settle.
const SETTLE_LIMIT: Duration = Duration::from_secs(5 * 60);
/// Detaching fails with DependencyViolation while the VPC still has public addresses mapped
/// (NAT gateways, instances being terminated); AWS releases them within minutes.
const DETACH_LIMIT: Duration = Duration::from_secs(15 * 60);
/// How long a gateway or VPC just created may stay invisible to AttachInternetGateway.
const VISIBILITY_LIMIT: Duration = Duration::from_secs(2 * 60);

/// The VPC the gateway is attached to (attachments being detached do not count).
fn attached_vpc(igw: &InternetGateway) -> Option<&str> {
    igw.attachments()
        .iter()
        .find(|a| {
            !matches!(
                a.state(),
                Some(AttachmentStatus::Detaching | AttachmentStatus::Detached)
            )
        })
        .and_then(|a| a.vpc_id())
}

fn igw_state(igw: &InternetGateway, region: &str) -> Value {
    let id = igw.internet_gateway_id().unwrap_or_default();
    let owner = igw.owner_id().unwrap_or_default();
    let tags = string_map(&from_ec2(igw.tags()));
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            (
                "arn",
                Value::string(ec2_arn(region, owner, "internet-gateway", id)),
            ),
            ("vpc_id", opt_str(attached_vpc(igw))),
            ("tags", tags.clone()),
            ("tags_all", tags),
            ("owner_id", opt_str(igw.owner_id())),
        ],
    )
}

async fn attach(clients: &AwsClients, id: &str, vpc: &str) -> Result<()> {
    let ids = [id.to_string()];
    let attached = retry_while(
        &format!("internet gateway {id} to attach to {vpc}"),
        VISIBILITY_LIMIT,
        ApiError::is_not_found,
        || async {
            clients
                .ec2
                .attach_internet_gateway()
                .internet_gateway_id(id)
                .vpc_id(vpc)
                .send()
                .await
                .map_err(from_sdk)
        },
    )
    .await;
    match attached {
        Ok(_) => {}
        // The SDK's resend of an attach whose answer was lost: done if it is this VPC the
        // gateway is attached to.
        Err(e) if e.is_already_associated() => {
            let found: Vec<InternetGateway> = describe_ec2(clients, &ids).await?;
            let to_vpc = found
                .iter()
                .flat_map(|g| g.attachments())
                .any(|a| a.vpc_id() == Some(vpc));
            if !to_vpc {
                return Err(e);
            }
        }
        Err(e) => return Err(e),
    }
    wait_until(
        &format!("internet gateway {id} to be attached to {vpc}"),
        Duration::from_secs(2),
        SETTLE_LIMIT,
        || async {
            let found: Vec<InternetGateway> = describe_ec2(clients, &ids).await?;
            Ok(found
                .iter()
                .flat_map(|g| g.attachments())
                .any(|a| {
                    a.vpc_id() == Some(vpc)
                        // EC2 reports a finished attachment as "available".
                        && matches!(
                            a.state().map(AttachmentStatus::as_str),
                            Some("available" | "attached")
                        )
                })
                .then_some(()))
        },
    )
    .await
}

async fn detach(clients: &AwsClients, id: &str, vpc: &str) -> Result<()> {
    let detached = retry_while(
        &format!("internet gateway {id} to detach from {vpc} (DependencyViolation)"),
        DETACH_LIMIT,
        ApiError::is_dependency_violation,
        || async {
            clients
                .ec2
                .detach_internet_gateway()
                .internet_gateway_id(id)
                .vpc_id(vpc)
                .send()
                .await
                .map_err(from_sdk)
        },
    )
    .await;
    match detached {
        Ok(_) => Ok(()),
        // Already detached, or the gateway or VPC is gone: nothing to undo.
        Err(e) if e.is_not_found() || e.is_gateway_not_attached() => Ok(()),
        Err(e) => Err(e),
    }
}

#[async_trait]
impl ResourceType for InternetGatewayType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static OBJECTS: Ec2Objects<InternetGateway> = Ec2Objects {
            state: Some(|g, region| Some(igw_state(g, region))),
        };
        Some(&OBJECTS)
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(an "internet gateway id", "igw-"))
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let tags = creation_tags(planned, ctx.extra_tags);
        let out = create_call("internet gateway to be created", || async {
            clients
                .ec2
                .create_internet_gateway()
                .tag_specifications(tag_spec(Ec2Type::InternetGateway, &tags))
                .send()
                .await
                .map_err(from_sdk)
        })
        .await?;
        let id = out
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .ok_or_else(|| ApiError::malformed("CreateInternetGateway returned no id"))?
            .to_string();
        if let Some(vpc) = get_str(planned, "vpc_id") {
            attach(clients, &id, vpc).await?;
        }
        read_created(self, clients, &id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        if changed(prior, planned, "vpc_id") {
            if let Some(old) = get_str(prior, "vpc_id") {
                detach(clients, &id, old).await?;
            }
            if let Some(new) = get_str(planned, "vpc_id") {
                attach(clients, &id, new).await?;
            }
        }
        update_ec2_tags(clients, &id, prior, planned).await?;
        read_created(self, clients, &id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        // Detach from whatever AWS says it is attached to, which may differ from the state.
        let ids = [id.clone()];
        let current = self.read_many(clients, &ids).await?;
        let Some(state) = current.get(&id) else {
            return Ok(());
        };
        if let Some(vpc) = get_str(state, "vpc_id") {
            detach(clients, &id, vpc).await?;
        }
        let limits = (SETTLE_LIMIT, SETTLE_LIMIT);
        delete_ec2(self, clients, ("internet gateway", &id), limits, || {
            clients
                .ec2
                .delete_internet_gateway()
                .internet_gateway_id(&id)
                .send()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{InternetGatewayAttachment, Tag};

    fn gateway(attachments: Vec<(&str, AttachmentStatus)>) -> InternetGateway {
        let mut b = InternetGateway::builder()
            .internet_gateway_id("igw-1")
            .owner_id("123456789012")
            .tags(Tag::builder().key("Name").value("gw").build())
            .tags(
                Tag::builder()
                    .key("ecsform:address")
                    .value("aws_internet_gateway.gw")
                    .build(),
            );
        for (vpc, state) in attachments {
            b = b.attachments(
                InternetGatewayAttachment::builder()
                    .vpc_id(vpc)
                    .state(state)
                    .build(),
            );
        }
        b.build()
    }

    #[test]
    fn state_reports_the_attached_vpc_and_user_tags() {
        let s = igw_state(
            &gateway(vec![("vpc-1", AttachmentStatus::from("available"))]),
            "eu-west-1",
        );
        let m = s.as_map().unwrap();
        assert_eq!(m["vpc_id"], Value::string("vpc-1"));
        assert_eq!(
            m["arn"],
            Value::string("arn:aws:ec2:eu-west-1:123456789012:internet-gateway/igw-1")
        );
        assert_eq!(m["tags_all"], Value::map([("Name", Value::string("gw"))]));
    }

    #[test]
    fn a_detaching_gateway_counts_as_detached() {
        let s = igw_state(
            &gateway(vec![("vpc-1", AttachmentStatus::Detaching)]),
            "eu-west-1",
        );
        assert_eq!(s.as_map().unwrap()["vpc_id"], Value::Null);
    }
}
