//! EC2 objects as their Describe calls return them (a `Vpc`, a `Subnet`...): what the EC2
//! resource types' reads, their `find_created` lookups ([`crate::aws::adopt::find_tagged_ec2`])
//! and the EC2 data sources share. Each object type says once how it is described
//! ([`Ec2Object`], the table below); [`describe_ec2`] and [`read_ec2`] do the rest, and an EC2
//! type's [`Ec2Objects`] gives the defaults of its `read_many` and `find_created`.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use aws_sdk_ec2::types::{
    Address, Filter, FlowLog, Instance, InternetGateway, KeyPairInfo, LaunchTemplate,
    ManagedPrefixList, NatGateway, NetworkAcl, RouteTable, SecurityGroup, SecurityGroupRule,
    Subnet, Tag, Vpc, VpcEndpoint,
};

use async_trait::async_trait;

use super::adopt::tagged_ec2;
use super::call::call;
use super::error::{from_sdk, retry, RetryPolicy};
use super::resource_type::not_implemented;
use super::resources::{describe_batched, DESCRIBE_CHUNK};
#[cfg(doc)]
use super::ResourceType;
use super::{AwsClients, Owner};
use crate::aws::error::Result;
use crate::aws::resource_type::States;
use crate::lang::Value;

/// An EC2 object type and its Describe call.
pub trait Ec2Object: Sized + Send + Sync + 'static {
    /// The Describe call's filter on the object's id (`subnet-id`), which describes a chunk of
    /// ids again when AWS failed the request by ids because one of them is gone; `None` where
    /// the call has no such filter: every object is listed and the ids asked for are kept.
    const ID_FILTER: Option<&'static str>;

    /// The id AWS gives the object (an allocation id, a key pair's name...).
    fn ec2_id(&self) -> Option<&str>;

    /// All the object's tags, ecsform's own included.
    fn ec2_tags(&self) -> &[Tag];

    /// One Describe request with all its pages, sent once: the objects `ids` names (every
    /// object when `None`) that `filters` select (no filter when empty).
    fn describe<'a>(
        clients: &'a AwsClients,
        ids: Option<Vec<String>>,
        filters: Vec<Filter>,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send + 'a;
}

/// Implements [`Ec2Object`]: `Type: id_getter, DescribeCall(extra settings), ids_setter,
/// filters_setter, id filter`, then `paginated`, or the output's list for a call without
/// pages.
macro_rules! ec2_object {
    ($object:ty: $id:ident, $describe:ident($($setting:ident($arg:expr)),*), $set_ids:ident,
     $set_filters:ident, $id_filter:expr, $($items:tt)+) => {
        impl Ec2Object for $object {
            const ID_FILTER: Option<&'static str> = $id_filter;

            fn ec2_id(&self) -> Option<&str> {
                self.$id()
            }

            fn ec2_tags(&self) -> &[Tag] {
                self.tags()
            }

            fn describe<'a>(
                clients: &'a AwsClients,
                ids: Option<Vec<String>>,
                filters: Vec<Filter>,
            ) -> impl Future<Output = Result<Vec<Self>>> + Send + 'a {
                let request = clients
                    .ec2
                    .$describe()
                    $(.$setting($arg))*
                    .$set_ids(ids)
                    .$set_filters((!filters.is_empty()).then_some(filters));
                async move { ec2_object!(@send request, $($items)+).map_err(from_sdk) }
            }
        }
    };
    (@send $request:ident, paginated) => {
        $request.into_paginator().items().send().try_collect().await
    };
    (@send $request:ident, $list:ident) => {
        $request.send().await.map(|out| out.$list().to_vec())
    };
}

ec2_object!(Vpc: vpc_id, describe_vpcs(), set_vpc_ids, set_filters, Some("vpc-id"), paginated);
ec2_object!(Subnet: subnet_id, describe_subnets(), set_subnet_ids, set_filters, Some("subnet-id"), paginated);
ec2_object!(InternetGateway: internet_gateway_id, describe_internet_gateways(), set_internet_gateway_ids, set_filters, Some("internet-gateway-id"), paginated);
ec2_object!(NatGateway: nat_gateway_id, describe_nat_gateways(), set_nat_gateway_ids, set_filter, Some("nat-gateway-id"), paginated);
ec2_object!(RouteTable: route_table_id, describe_route_tables(), set_route_table_ids, set_filters, Some("route-table-id"), paginated);
ec2_object!(SecurityGroup: group_id, describe_security_groups(), set_group_ids, set_filters, Some("group-id"), paginated);
ec2_object!(SecurityGroupRule: security_group_rule_id, describe_security_group_rules(), set_security_group_rule_ids, set_filters, Some("security-group-rule-id"), paginated);
ec2_object!(FlowLog: flow_log_id, describe_flow_logs(), set_flow_log_ids, set_filter, Some("flow-log-id"), paginated);
// AWS's DescribeNetworkAcls filters on `network-acl-id`, but moto does not serve that filter.
ec2_object!(NetworkAcl: network_acl_id, describe_network_acls(), set_network_acl_ids, set_filters, None, paginated);
// AWS's DescribeVpcEndpoints filters on `vpc-endpoint-id`, but moto does not serve that filter:
// a request for ids of which one is gone lists every endpoint and keeps the ids asked for.
ec2_object!(VpcEndpoint: vpc_endpoint_id, describe_vpc_endpoints(), set_vpc_endpoint_ids, set_filters, None, paginated);
// DescribeLaunchTemplates has no filter on the id.
ec2_object!(LaunchTemplate: launch_template_id, describe_launch_templates(), set_launch_template_ids, set_filters, None, paginated);
ec2_object!(Address: allocation_id, describe_addresses(), set_allocation_ids, set_filters, Some("allocation-id"), addresses);
ec2_object!(ManagedPrefixList: prefix_list_id, describe_managed_prefix_lists(), set_prefix_list_ids, set_filters, Some("prefix-list-id"), paginated);
ec2_object!(KeyPairInfo: key_name, describe_key_pairs(include_public_key(true)), set_key_names, set_filters, Some("key-name"), key_pairs);

// DescribeInstances answers with reservations, each holding instances.
impl Ec2Object for Instance {
    const ID_FILTER: Option<&'static str> = Some("instance-id");

    fn ec2_id(&self) -> Option<&str> {
        self.instance_id()
    }

    fn ec2_tags(&self) -> &[Tag] {
        self.tags()
    }

    fn describe<'a>(
        clients: &'a AwsClients,
        ids: Option<Vec<String>>,
        filters: Vec<Filter>,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send + 'a {
        let request = clients
            .ec2
            .describe_instances()
            .set_instance_ids(ids)
            .set_filters((!filters.is_empty()).then_some(filters));
        async move {
            let reservations: Vec<_> = request
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(from_sdk)?;
            Ok(reservations
                .into_iter()
                .flat_map(|r| r.instances.unwrap_or_default())
                .collect())
        }
    }
}

/// The root device names of `images` (those that still exist), in one DescribeImages call.
pub async fn image_root_devices(
    clients: &AwsClients,
    images: BTreeSet<String>,
) -> Result<BTreeMap<String, String>> {
    if images.is_empty() {
        return Ok(BTreeMap::new());
    }
    // A filter, unlike ImageIds, does not fail for a deregistered image.
    let request = clients
        .ec2
        .describe_images()
        .filters(filter("image-id", images.into_iter().collect()));
    let found: Vec<_> = call(|| {
        request
            .clone()
            .into_paginator()
            .items()
            .send()
            .try_collect()
    })
    .await?;
    Ok(found
        .iter()
        .filter_map(|i| Some((i.image_id()?.to_string(), i.root_device_name()?.to_string())))
        .collect())
}

/// An EC2 filter: `name` is one of `values`.
pub fn filter(name: &str, values: Vec<String>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values))
        .build()
}

/// [`Ec2Object::describe`] sent with the default [`RetryPolicy`]: for a lookup by filters (and
/// at most a few ids that are known to exist).
pub async fn describe_matching<T: Ec2Object>(
    clients: &AwsClients,
    ids: Option<Vec<String>>,
    filters: Vec<Filter>,
) -> Result<Vec<T>> {
    retry(RetryPolicy::default(), || {
        T::describe(clients, ids.clone(), filters.clone())
    })
    .await
}

/// Describes the objects `ids` names, [`DESCRIBE_CHUNK`] ids a request; ids that are gone are
/// left out (see [`describe_batched`] and [`Ec2Object::ID_FILTER`]).
pub async fn describe_ec2<T: Ec2Object>(clients: &AwsClients, ids: &[String]) -> Result<Vec<T>> {
    describe_batched(
        ids,
        DESCRIBE_CHUNK,
        |chunk| T::describe(clients, Some(chunk), Vec::new()),
        |chunk| async move {
            match T::ID_FILTER {
                Some(name) => T::describe(clients, None, vec![filter(name, chunk)]).await,
                None => Ok(T::describe(clients, None, Vec::new())
                    .await?
                    .into_iter()
                    .filter(|o| o.ec2_id().is_some_and(|id| chunk.iter().any(|c| c == id)))
                    .collect()),
            }
        },
    )
    .await
}

/// `read_many` of an EC2 type: each of `ids` that exists, with its `state` (`None` for an
/// object AWS still shows after its deletion). No ids, no request.
pub async fn read_ec2<T: Ec2Object>(
    clients: &AwsClients,
    ids: &[String],
    state: impl Fn(&T) -> Option<Value>,
) -> Result<States> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    Ok(describe_ec2::<T>(clients, ids)
        .await?
        .iter()
        .filter_map(|o| Some((o.ec2_id()?.to_string(), state(o)?)))
        .filter(|(id, _)| ids.contains(id))
        .collect())
}

/// How the defaults of [`ResourceType::read_many`] and [`ResourceType::find_created`] read and
/// find an EC2 type's objects: [`ResourceType::ec2_objects`], an [`Ec2Objects`].
#[async_trait]
pub trait Ec2Reads: Send + Sync {
    /// The type's `read_many`: [`read_ec2`].
    async fn read(&self, clients: &AwsClients, ids: &[String]) -> Result<States>;

    /// The objects ecsform's tags mark as `owner`'s, each with all its tags: [`tagged_ec2`].
    async fn tagged(
        &self,
        clients: &AwsClients,
        owner: &Owner<'_>,
    ) -> Result<Vec<(String, BTreeMap<String, String>)>>;
}

/// [`Ec2Reads`] of a type whose objects are `T`s, each recorded as `state` gives it (from the
/// object and the region; `None` for one that AWS still shows after its deletion). A type that
/// reads its objects with more than their Describe call (`None`) implements `read_many`.
pub struct Ec2Objects<T> {
    pub state: Option<fn(&T, &str) -> Option<Value>>,
}

#[async_trait]
impl<T: Ec2Object> Ec2Reads for Ec2Objects<T> {
    async fn read(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let Some(state) = self.state else {
            return Err(not_implemented(std::any::type_name::<T>(), "read_many"));
        };
        read_ec2(clients, ids, |o| state(o, &clients.region)).await
    }

    async fn tagged(
        &self,
        clients: &AwsClients,
        owner: &Owner<'_>,
    ) -> Result<Vec<(String, BTreeMap<String, String>)>> {
        tagged_ec2::<T>(clients, owner).await
    }
}
