//! `aws_nat_gateway`: a public (with an Elastic IP) or private NAT gateway in a subnet.
//!
//! Creation and deletion are asynchronous on AWS (`pending` for a minute or two, `deleting`
//! likewise): create waits until `available` and fails with AWS's reason if the gateway
//! goes to `failed`; delete waits until `deleted`. Both waits have explicit limits. A
//! gateway in state `deleted` (AWS keeps showing those for about an hour) counts as gone.
//! Only tags change in place.

use std::time::Duration;

use crate::aws::Adoption;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    ConnectivityType, NatGateway, NatGatewayState, ResourceType as Ec2ResourceType,
};

use super::attr;
use crate::aws::call::call;
use crate::aws::ec2::describe_ec2;
use crate::aws::ec2::{Ec2Objects, Ec2Reads};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, wait_until, ApiError, ErrorKind, OrGone};
use crate::aws::resource_type::id_prefix;
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, update_ec2_tags};
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, IdPrefix, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_str, opt_str, state_object, string_map};
use crate::provider::Schema;

pub struct NatGatewayType;

static DECLARATION: Declaration = Declaration::new("aws_nat_gateway", &SCHEMA, Adoption::Tags);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        optional String: allocation_id.force_new();
        required String: subnet_id.force_new();
        optional String: connectivity_type.force_new().default(Default::Str("public"));
        optional_computed String: private_ip.force_new();
        computed String: network_interface_id public_ip association_id;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// AWS documents a few minutes for either transition; the AWS provider allows 10.
const CREATE_LIMIT: Duration = Duration::from_secs(10 * 60);
const DELETE_LIMIT: Duration = Duration::from_secs(10 * 60);
const POLL: Duration = Duration::from_secs(10);

fn gateway_state(g: &NatGateway) -> Option<(String, Value)> {
    let id = g.nat_gateway_id()?.to_string();
    // The primary address carries the gateway's own IPs; secondary ones are not modelled.
    let primary = g
        .nat_gateway_addresses()
        .iter()
        .find(|a| a.is_primary().unwrap_or(true));
    let tags = string_map(&from_ec2(g.tags()));
    let connectivity = g
        .connectivity_type()
        .map(|c| c.as_str().to_string())
        .unwrap_or_else(|| "public".into());
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&id)),
            (
                "allocation_id",
                opt_str(primary.and_then(|a| a.allocation_id())),
            ),
            ("subnet_id", opt_str(g.subnet_id())),
            ("connectivity_type", Value::string(connectivity)),
            ("private_ip", opt_str(primary.and_then(|a| a.private_ip()))),
            (
                "network_interface_id",
                opt_str(primary.and_then(|a| a.network_interface_id())),
            ),
            ("public_ip", opt_str(primary.and_then(|a| a.public_ip()))),
            (
                "association_id",
                opt_str(primary.and_then(|a| a.association_id())),
            ),
            ("tags", tags.clone()),
            ("tags_all", tags),
        ],
    );
    Some((id, state))
}

/// The gateway's current state, `None` if AWS does not know it (any more).
async fn current(clients: &AwsClients, id: &str) -> Result<Option<NatGateway>> {
    Ok(describe_ec2::<NatGateway>(clients, &[id.to_string()])
        .await
        .found()?
        .and_then(|gws| gws.into_iter().find(|g| g.nat_gateway_id() == Some(id))))
}

/// One step of waiting for a new gateway: done when `available`, an error when `failed`.
fn creation_progress(id: &str, g: Option<&NatGateway>) -> Result<bool> {
    match g.and_then(NatGateway::state) {
        Some(NatGatewayState::Available) => Ok(true),
        Some(NatGatewayState::Failed) | Some(NatGatewayState::Deleted) => {
            let g = g.expect("a state implies a gateway");
            Err(ApiError::new(
                ErrorKind::Other,
                g.failure_code().unwrap_or("NatGatewayFailed"),
                format!(
                    "NAT gateway {id} failed to become available: {}",
                    g.failure_message().unwrap_or("AWS gave no reason")
                ),
            ))
        }
        // Pending, or not visible yet right after the create call.
        _ => Ok(false),
    }
}

#[async_trait]
impl ResourceType for NatGatewayType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static OBJECTS: Ec2Objects<NatGateway> = Ec2Objects {
            state: Some(|g, _| {
                let gone = g.state() == Some(&NatGatewayState::Deleted);
                gateway_state(g).filter(|_| !gone).map(|(_, v)| v)
            }),
        };
        Some(&OBJECTS)
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "NAT gateway id", "nat-"))
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let tags = creation_tags(planned, ctx.extra_tags);
        // The same token on every retry makes a retried create return the same gateway.
        let token = uuid::Uuid::new_v4().to_string();
        let connectivity =
            ConnectivityType::from(get_str(planned, "connectivity_type").unwrap_or("public"));
        let created = call(|| {
            ctx.clients
                .ec2
                .create_nat_gateway()
                .client_token(&token)
                .subnet_id(get_str(planned, "subnet_id").unwrap_or_default())
                .set_allocation_id(get_str(planned, "allocation_id").map(String::from))
                .connectivity_type(connectivity.clone())
                .set_private_ip_address(get_str(planned, "private_ip").map(String::from))
                .tag_specifications(tag_spec(Ec2ResourceType::Natgateway, &tags))
                .send()
        })
        .await?;
        let id = created
            .nat_gateway()
            .and_then(NatGateway::nat_gateway_id)
            .ok_or_else(|| ApiError::malformed("CreateNatGateway returned no gateway id"))?
            .to_string();
        let gw = wait_until(
            &format!("NAT gateway {id} to become available"),
            POLL,
            CREATE_LIMIT,
            || async {
                let g = current(ctx.clients, &id).await?;
                Ok(creation_progress(&id, g.as_ref())?.then_some(g).flatten())
            },
        )
        .await?;
        gateway_state(&gw)
            .map(|(_, v)| v)
            .ok_or_else(|| ApiError::malformed("DescribeNatGateways returned no gateway id"))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        if attr(prior, "tags_all") != attr(planned, "tags_all") {
            update_ec2_tags(ctx.clients, id, prior, planned).await?;
        }
        let gw = current(ctx.clients, id).await?.ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                "NatGatewayNotFound",
                format!("NAT gateway {id} disappeared during its update"),
            )
        })?;
        gateway_state(&gw)
            .map(|(_, v)| v)
            .ok_or_else(|| ApiError::malformed("DescribeNatGateways returned no gateway id"))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Some(id) = get_str(prior, "id") else {
            return Ok(());
        };
        let r = call(|| {
            ctx.clients
                .ec2
                .delete_nat_gateway()
                .nat_gateway_id(id)
                .send()
        })
        .await;
        if r.found()?.is_none() {
            return Ok(());
        }
        wait_until(
            &format!("NAT gateway {id} to be deleted"),
            POLL,
            DELETE_LIMIT,
            || async {
                let g = current(ctx.clients, id).await?;
                Ok(match g.as_ref().and_then(NatGateway::state) {
                    None | Some(NatGatewayState::Deleted) => Some(()),
                    _ => None,
                })
            },
        )
        .await?;
        release_address(ctx, prior).await
    }
}

/// AWS frees the gateway's Elastic IP once the gateway is deleted; some emulators (moto)
/// leave it associated, which would make a replacement gateway fail with
/// `Resource.AlreadyAssociated`. Disassociate it if it is still attached; on AWS there is
/// nothing left to do and the lookup finds no association.
async fn release_address(ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
    let Some(allocation) = get_str(prior, "allocation_id") else {
        return Ok(());
    };
    let found = ctx
        .clients
        .ec2
        .describe_addresses()
        .allocation_ids(allocation)
        .send()
        .await
        .map_err(from_sdk);
    let association = match found {
        Ok(out) => out
            .addresses()
            .iter()
            .find_map(|a| a.association_id().map(String::from)),
        Err(e) if e.is_not_found() => None,
        Err(e) => return Err(e),
    };
    if let Some(association) = association {
        match ctx
            .clients
            .ec2
            .disassociate_address()
            .association_id(&association)
            .send()
            .await
            .map_err(from_sdk)
        {
            Err(e) if !e.is_not_found() => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::NatGatewayAddress;

    fn gw(state: NatGatewayState) -> NatGateway {
        NatGateway::builder()
            .nat_gateway_id("nat-1")
            .subnet_id("subnet-1")
            .state(state)
            .failure_code("Gateway.NotAttached")
            .failure_message("Network vpc-1 has no Internet gateway attached")
            .nat_gateway_addresses(
                NatGatewayAddress::builder()
                    .allocation_id("eipalloc-1")
                    .public_ip("52.1.2.3")
                    .private_ip("10.0.0.9")
                    .network_interface_id("eni-1")
                    .is_primary(true)
                    .build(),
            )
            .build()
    }

    #[test]
    fn waiting_for_creation_stops_on_available_and_explains_failure() {
        assert!(!creation_progress("nat-1", None).unwrap());
        assert!(!creation_progress("nat-1", Some(&gw(NatGatewayState::Pending))).unwrap());
        assert!(creation_progress("nat-1", Some(&gw(NatGatewayState::Available))).unwrap());
        let e = creation_progress("nat-1", Some(&gw(NatGatewayState::Failed))).unwrap_err();
        assert_eq!(e.code, "Gateway.NotAttached");
        assert!(e.message.contains("no Internet gateway"), "{e}");
    }

    #[test]
    fn state_takes_the_primary_address() {
        let (id, v) = gateway_state(&gw(NatGatewayState::Available)).unwrap();
        assert_eq!(id, "nat-1");
        let m = v.as_map().unwrap();
        assert_eq!(m["public_ip"], Value::string("52.1.2.3"));
        assert_eq!(m["network_interface_id"], Value::string("eni-1"));
        assert_eq!(m["connectivity_type"], Value::string("public"));
    }
}
