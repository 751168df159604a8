//! `aws_subnet`: a subnet of a VPC, its public-IP and IPv6 launch behaviour and its optional
//! IPv6 block.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::aws::Adoption;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, ResourceType as Ec2Type, Subnet, SubnetCidrBlockStateCode, SubnetState,
};

use super::{changed, create_call, delete_ec2, ec2_arn, read_created, recorded_id};
use crate::aws::call::call;
use crate::aws::ec2::describe_ec2;
use crate::aws::ec2::{Ec2Objects, Ec2Reads};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, wait_until, ApiError, OrGone};
use crate::aws::resource_type::id_prefix;
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, update_ec2_tags};
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, IdPrefix, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_str, opt_str, state_object, string_map};
use crate::provider::Schema;

pub struct SubnetType;

static DECLARATION: Declaration = Declaration::new("aws_subnet", &SCHEMA, Adoption::Tags);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        required String: vpc_id.force_new() cidr_block.force_new();
        optional_computed String: availability_zone.force_new() availability_zone_id.force_new();
        optional Bool: map_public_ip_on_launch.default(Default::Bool(false));
        optional Bool: assign_ipv6_address_on_creation.default(Default::Bool(false));
        optional String: ipv6_cidr_block;
        computed String: ipv6_cidr_block_association_id;
        optional StringMap: tags;
        computed StringMap: tags_all;
        computed String: owner_id;
    ],
    blocks: &[],
};

/// How long a subnet (or its IPv6 block) may take to settle.
const SETTLE_LIMIT: Duration = Duration::from_secs(5 * 60);
/// How long deletion keeps retrying while ENIs (Lambda, load balancers) are being released.
const DEPENDENCY_LIMIT: Duration = Duration::from_secs(10 * 60);

fn subnet_state(subnet: &Subnet, region: &str) -> Value {
    let id = subnet.subnet_id().unwrap_or_default();
    let arn = subnet
        .subnet_arn()
        .map(String::from)
        .unwrap_or_else(|| ec2_arn(region, subnet.owner_id().unwrap_or_default(), "subnet", id));
    let ipv6 = subnet.ipv6_cidr_block_association_set().iter().find(|a| {
        a.ipv6_cidr_block_state().and_then(|s| s.state())
            == Some(&SubnetCidrBlockStateCode::Associated)
    });
    let tags = string_map(&from_ec2(subnet.tags()));
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("arn", Value::string(arn)),
            ("vpc_id", opt_str(subnet.vpc_id())),
            ("cidr_block", opt_str(subnet.cidr_block())),
            ("availability_zone", opt_str(subnet.availability_zone())),
            (
                "availability_zone_id",
                opt_str(subnet.availability_zone_id()),
            ),
            (
                "map_public_ip_on_launch",
                Value::Bool(subnet.map_public_ip_on_launch().unwrap_or(false)),
            ),
            (
                "assign_ipv6_address_on_creation",
                Value::Bool(subnet.assign_ipv6_address_on_creation().unwrap_or(false)),
            ),
            (
                "ipv6_cidr_block",
                opt_str(ipv6.and_then(|a| a.ipv6_cidr_block())),
            ),
            (
                "ipv6_cidr_block_association_id",
                opt_str(ipv6.and_then(|a| a.association_id())),
            ),
            ("tags", tags.clone()),
            ("tags_all", tags),
            ("owner_id", opt_str(subnet.owner_id())),
        ],
    )
}

fn create_request(
    clients: &AwsClients,
    planned: &Value,
    tags: &BTreeMap<String, String>,
) -> aws_sdk_ec2::operation::create_subnet::builders::CreateSubnetFluentBuilder {
    let s = |name| get_str(planned, name).map(String::from);
    clients
        .ec2
        .create_subnet()
        .set_vpc_id(s("vpc_id"))
        .set_cidr_block(s("cidr_block"))
        .set_availability_zone(s("availability_zone"))
        .set_availability_zone_id(s("availability_zone_id"))
        .set_ipv6_cidr_block(s("ipv6_cidr_block"))
        .tag_specifications(tag_spec(Ec2Type::Subnet, tags))
}

/// Which boolean subnet attribute to change (ModifySubnetAttribute takes one per call).
#[derive(Clone, Copy)]
enum SubnetFlag {
    MapPublicIpOnLaunch,
    AssignIpv6AddressOnCreation,
}

async fn set_flag(clients: &AwsClients, id: &str, flag: SubnetFlag, value: bool) -> Result<()> {
    let v = AttributeBooleanValue::builder().value(value).build();
    call(|| {
        let req = clients.ec2.modify_subnet_attribute().subnet_id(id);
        let req = match flag {
            SubnetFlag::MapPublicIpOnLaunch => req.map_public_ip_on_launch(v.clone()),
            SubnetFlag::AssignIpv6AddressOnCreation => {
                req.assign_ipv6_address_on_creation(v.clone())
            }
        };
        req.send()
    })
    .await?;
    Ok(())
}

/// Waits until the subnet satisfies `ready` (retrying while it is not visible yet).
async fn wait_for(
    clients: &AwsClients,
    id: &str,
    what: &str,
    ready: impl Fn(&Subnet) -> bool,
) -> Result<()> {
    let ids = [id.to_string()];
    wait_until(
        &format!("subnet {id} {what}"),
        Duration::from_secs(2),
        SETTLE_LIMIT,
        || async {
            Ok(describe_ec2::<Subnet>(clients, &ids)
                .await
                .found()?
                .and_then(|found| found.iter().any(&ready).then_some(())))
        },
    )
    .await
}

fn ipv6_in(subnet: &Subnet, state: &SubnetCidrBlockStateCode) -> bool {
    subnet
        .ipv6_cidr_block_association_set()
        .iter()
        .any(|a| a.ipv6_cidr_block_state().and_then(|s| s.state()) == Some(state))
}

#[async_trait]
impl ResourceType for SubnetType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static OBJECTS: Ec2Objects<Subnet> = Ec2Objects {
            state: Some(|s, region| Some(subnet_state(s, region))),
        };
        Some(&OBJECTS)
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "subnet id", "subnet-"))
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let tags = creation_tags(planned, ctx.extra_tags);
        // Retried while the VPC created a moment ago is not visible yet.
        let out = create_call("subnet to be created", || async {
            create_request(clients, planned, &tags)
                .send()
                .await
                .map_err(from_sdk)
        })
        .await?;
        let id = out
            .subnet()
            .and_then(|s| s.subnet_id())
            .ok_or_else(|| ApiError::malformed("CreateSubnet returned no subnet id"))?
            .to_string();
        wait_for(clients, &id, "to become available", |s| {
            s.state() == Some(&SubnetState::Available)
        })
        .await?;
        if get_str(planned, "ipv6_cidr_block").is_some() {
            wait_for(clients, &id, "to have its IPv6 block", |s| {
                ipv6_in(s, &SubnetCidrBlockStateCode::Associated)
            })
            .await?;
        }
        if get_bool(planned, "map_public_ip_on_launch") == Some(true) {
            set_flag(clients, &id, SubnetFlag::MapPublicIpOnLaunch, true).await?;
        }
        if get_bool(planned, "assign_ipv6_address_on_creation") == Some(true) {
            set_flag(clients, &id, SubnetFlag::AssignIpv6AddressOnCreation, true).await?;
        }
        read_created(self, clients, &id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        if changed(prior, planned, "map_public_ip_on_launch") {
            let v = get_bool(planned, "map_public_ip_on_launch").unwrap_or(false);
            set_flag(clients, &id, SubnetFlag::MapPublicIpOnLaunch, v).await?;
        }
        let mut assign_ipv6 = get_bool(prior, "assign_ipv6_address_on_creation").unwrap_or(false);
        if changed(prior, planned, "ipv6_cidr_block") {
            // AWS refuses to remove the block while addresses are still assigned from it.
            if assign_ipv6 {
                set_flag(clients, &id, SubnetFlag::AssignIpv6AddressOnCreation, false).await?;
                assign_ipv6 = false;
            }
            if let Some(assoc) = get_str(prior, "ipv6_cidr_block_association_id") {
                call(|| {
                    clients
                        .ec2
                        .disassociate_subnet_cidr_block()
                        .association_id(assoc)
                        .send()
                })
                .await?;
                wait_for(clients, &id, "to release its IPv6 block", |s| {
                    !ipv6_in(s, &SubnetCidrBlockStateCode::Associated)
                        && !ipv6_in(s, &SubnetCidrBlockStateCode::Disassociating)
                })
                .await?;
            }
            if let Some(block) = get_str(planned, "ipv6_cidr_block") {
                call(|| {
                    clients
                        .ec2
                        .associate_subnet_cidr_block()
                        .subnet_id(&id)
                        .ipv6_cidr_block(block)
                        .send()
                })
                .await?;
                wait_for(clients, &id, "to have its IPv6 block", |s| {
                    ipv6_in(s, &SubnetCidrBlockStateCode::Associated)
                })
                .await?;
            }
        }
        let want_ipv6 = get_bool(planned, "assign_ipv6_address_on_creation").unwrap_or(false);
        if want_ipv6 != assign_ipv6 {
            set_flag(
                clients,
                &id,
                SubnetFlag::AssignIpv6AddressOnCreation,
                want_ipv6,
            )
            .await?;
        }
        update_ec2_tags(clients, &id, prior, planned).await?;
        read_created(self, clients, &id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        let limits = (DEPENDENCY_LIMIT, SETTLE_LIMIT);
        delete_ec2(self, clients, ("subnet", &id), limits, || {
            clients.ec2.delete_subnet().subnet_id(&id).send()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;
    use aws_sdk_ec2::types::{SubnetCidrBlockState, SubnetIpv6CidrBlockAssociation, Tag};

    #[test]
    fn create_request_leaves_unset_zone_to_aws() {
        let planned = SCHEMA.conformed([
            ("vpc_id", Value::string("vpc-1")),
            ("cidr_block", Value::string("10.0.1.0/24")),
        ]);
        let req = create_request(&offline_clients(), &planned, &BTreeMap::new());
        let input = req.as_input();
        assert_eq!(input.get_vpc_id().as_deref(), Some("vpc-1"));
        assert_eq!(input.get_cidr_block().as_deref(), Some("10.0.1.0/24"));
        assert_eq!(input.get_availability_zone(), &None);
        assert_eq!(input.get_ipv6_cidr_block(), &None);
    }

    #[test]
    fn state_from_a_described_subnet() {
        let subnet = Subnet::builder()
            .subnet_id("subnet-1")
            .vpc_id("vpc-1")
            .owner_id("123456789012")
            .cidr_block("10.0.1.0/24")
            .availability_zone("eu-west-1a")
            .availability_zone_id("euw1-az1")
            .map_public_ip_on_launch(true)
            .ipv6_cidr_block_association_set(
                SubnetIpv6CidrBlockAssociation::builder()
                    .association_id("subnet-cidr-assoc-1")
                    .ipv6_cidr_block("2600:1f18::/64")
                    .ipv6_cidr_block_state(
                        SubnetCidrBlockState::builder()
                            .state(SubnetCidrBlockStateCode::Associated)
                            .build(),
                    )
                    .build(),
            )
            .tags(Tag::builder().key("ecsform:lineage").value("x").build())
            .build();
        let s = subnet_state(&subnet, "eu-west-1");
        let m = s.as_map().unwrap();
        assert_eq!(
            m["arn"],
            Value::string("arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-1")
        );
        assert_eq!(m["map_public_ip_on_launch"], Value::Bool(true));
        assert_eq!(m["assign_ipv6_address_on_creation"], Value::Bool(false));
        assert_eq!(m["ipv6_cidr_block"], Value::string("2600:1f18::/64"));
        assert_eq!(m["tags"], Value::Map(BTreeMap::new()));
        assert_eq!(m["availability_zone_id"], Value::string("euw1-az1"));
    }
}
