//! `aws_default_subnet`: the default subnet of one availability zone, adopted into management.
//! Its id is the subnet's, `subnet-…`, which is also the import ID.
//!
//! As in the AWS provider (whose schema for this type, missing from the reference file, was
//! written from `internal/service/ec2/vpc_default_subnet.go`: `aws_subnet`'s, with
//! `availability_zone` required, the VPC, CIDR block, zone id and outpost computed,
//! `map_public_ip_on_launch` defaulting to true, no IPAM arguments, and
//! `existing_default_subnet` and `force_destroy` added): the create finds the zone's default
//! subnet (`default-for-az`) and only when there is none makes one with CreateDefaultSubnet;
//! `existing_default_subnet` says which. It then applies the configured launch settings, IPv6
//! block and tags (tags the configuration lacks are removed, AWS's `aws:` ones aside). Reads and
//! updates are `aws_subnet`'s. A destroy only forgets the subnet, unless `force_destroy` is set:
//! then it is deleted as an `aws_subnet` is. The other arguments of the provider (DNS64,
//! resource-name DNS records, `ipv6_native`, customer-owned IPs, hostname type) are not
//! supported yet. moto has a default subnet in each zone and serves all of it.

use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, Subnet, SubnetState};

use super::default_vpc::Adopted;
use super::subnet::SubnetType;
use crate::aws::adopt::find_by_arguments;
use crate::aws::call::call;
use crate::aws::ec2::describe_matching;
use crate::aws::error::{ApiError, Result};
use crate::aws::resource_type::{id_prefix, States};
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, Declaration, IdPrefix, Owner, ResourceType,
};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::get_str;
use crate::provider::Schema;

pub struct DefaultSubnetType;

static DECLARATION: Declaration =
    Declaration::new("aws_default_subnet", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn vpc_id cidr_block availability_zone_id;
        required String: availability_zone.force_new();
        optional Bool: map_public_ip_on_launch.default(Default::Bool(true));
        optional Bool: assign_ipv6_address_on_creation.default(Default::Bool(false));
        optional String: ipv6_cidr_block;
        computed String: ipv6_cidr_block_association_id;
        optional StringMap: tags;
        computed StringMap: tags_all;
        computed String: owner_id;
        computed Bool: existing_default_subnet.local();
        optional Bool: force_destroy.local().default(Default::Bool(false));
    ],
    blocks: &[],
};

/// The arguments the configuration sets on the adopted subnet.
const APPLIED: &[&str] = &[
    "map_public_ip_on_launch",
    "assign_ipv6_address_on_creation",
    "ipv6_cidr_block",
    "tags",
    "tags_all",
];

/// The default subnet of zone `zone`, if there is one.
async fn find_default_subnet(clients: &AwsClients, zone: &str) -> Result<Option<Subnet>> {
    let filters = vec![
        Filter::builder()
            .name("availability-zone")
            .values(zone)
            .build(),
        Filter::builder()
            .name("default-for-az")
            .values("true")
            .build(),
    ];
    let found = describe_matching::<Subnet>(clients, None, filters).await?;
    Ok(found.into_iter().next())
}

static ADOPTED: Adopted = Adopted {
    related: &SubnetType,
    applied: APPLIED,
    existing: "existing_default_subnet",
};

#[async_trait]
impl ResourceType for DefaultSubnetType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "subnet id", "subnet-"))
    }

    /// The zone's default subnet: there is nothing else it could be.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(zone) = get_str(planned, "availability_zone") else {
            return Ok(Vec::new());
        };
        let subnet = find_default_subnet(clients, zone).await?;
        let id = subnet.and_then(|s| s.subnet_id().map(String::from));
        find_by_arguments(self, clients, id).await
    }

    /// `aws_subnet`'s read.
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        ADOPTED.read(&SCHEMA, clients, ids).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let zone = get_str(planned, "availability_zone").unwrap_or_default();
        let (subnet, existing) = match find_default_subnet(clients, zone).await? {
            Some(subnet) => (subnet, true),
            None => {
                let out = call(|| {
                    clients
                        .ec2
                        .create_default_subnet()
                        .availability_zone(zone)
                        .send()
                })
                .await?;
                let subnet = out
                    .subnet()
                    .cloned()
                    .ok_or_else(|| ApiError::malformed("CreateDefaultSubnet returned no subnet"))?;
                (subnet, false)
            }
        };
        let id = subnet
            .subnet_id()
            .ok_or_else(|| ApiError::malformed("the default subnet has no id"))?;
        if !existing {
            let available = |s: &Subnet| s.state() == Some(&SubnetState::Available);
            ADOPTED.wait_available(clients, id, available).await?;
        }
        ADOPTED
            .configure(self, ctx, (id, subnet.tags(), existing), planned)
            .await
    }

    /// `aws_subnet`'s update.
    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        ADOPTED.update(self, ctx, prior, planned).await
    }

    /// Forgotten, as in the provider, unless `force_destroy`: then deleted as an `aws_subnet`.
    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        ADOPTED.delete(ctx, prior).await
    }
}
