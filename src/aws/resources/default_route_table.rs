//! `aws_default_route_table`: the route table AWS made with a VPC, adopted into management.
//! Its id is the table's, `rtb-…`; the import ID is the VPC's id.
//!
//! As in the AWS provider, nothing is created: the create finds the table
//! `default_route_table_id` names, removes its routes (but the `local` route, propagated
//! routes and the routes of Gateway VPC endpoints) and route propagations, then adds the
//! configured ones and its tags (existing tags stay until the next apply removes them). Updates
//! are `aws_route_table`'s ([`route_table::update_table`]). A destroy only forgets the table:
//! it stays in AWS as it is. Refresh reads all tables in one filtered `DescribeRouteTables`.
//!
//! The `route` blocks are the provider's, but for `instance_id`, which is not supported yet.
//! moto serves all of it.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_ec2::types::RouteTable;

use super::route::tables_by_filter;
use super::route_table::{route_set, routes_by_destination, set_propagation, sync_routes};
use super::{ec2_arn, expect_prefix, recorded_id, route_table, with_attrs};
use crate::aws::adopt::find_by_arguments;
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resource_type::States;
use crate::aws::tags::{creation_tags, from_ec2, to_ec2};
use crate::aws::ResourceType;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, ImportIdError, Owner};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{
    get_str, get_strings, opt_str, state_object, string_map, string_set,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct DefaultRouteTableType;

static DECLARATION: Declaration =
    Declaration::new("aws_default_route_table", &SCHEMA, Adoption::Arguments);

/// The provider's `route` block of a default route table: fewer targets than
/// `aws_route_table`'s (`instance_id`, the provider's too, is not supported yet).
static ROUTE: &[AttrSchema] = attrs![
    optional String: cidr_block ipv6_cidr_block destination_prefix_list_id core_network_arn;
    optional String: egress_only_gateway_id gateway_id nat_gateway_id network_interface_id;
    optional String: transit_gateway_id vpc_endpoint_id vpc_peering_connection_id;
];

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id arn owner_id vpc_id;
        required String: default_route_table_id.force_new();
        optional StringSet: propagating_vgws;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[BlockSchema::set("route", ROUTE).computed()],
};

fn table_state(t: &RouteTable, region: &str) -> Option<(String, Value)> {
    let id = t.route_table_id()?;
    let owner = t.owner_id().unwrap_or_default();
    let tags = string_map(&from_ec2(t.tags()));
    let gateways: Vec<&str> = t
        .propagating_vgws()
        .iter()
        .filter_map(|p| p.gateway_id())
        .collect();
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            ("default_route_table_id", Value::string(id)),
            (
                "arn",
                Value::string(ec2_arn(region, owner, "route-table", id)),
            ),
            ("owner_id", opt_str(t.owner_id())),
            ("vpc_id", opt_str(t.vpc_id())),
            // Optional, not computed, in the provider: no gateways reads as unset.
            (
                "propagating_vgws",
                if gateways.is_empty() {
                    Value::Null
                } else {
                    string_set(gateways)
                },
            ),
            ("route", route_set(t, ROUTE)),
            ("tags", tags.clone()),
            ("tags_all", tags),
        ],
    );
    Some((id.to_string(), state))
}

#[async_trait]
impl ResourceType for DefaultRouteTableType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// One filtered `DescribeRouteTables` for all ids.
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        Ok(tables_by_filter(clients, "route-table-id", ids)
            .await?
            .iter()
            .filter_map(|t| table_state(t, &clients.region))
            .collect())
    }

    /// The table the arguments name: there is nothing else it could be.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id = get_str(planned, "default_route_table_id").map(String::from);
        find_by_arguments(self, clients, id).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = get_str(planned, "default_route_table_id")
            .ok_or_else(|| ApiError::malformed("aws_default_route_table has no id"))?
            .to_string();
        let live = self
            .read_many(clients, std::slice::from_ref(&id))
            .await?
            .remove(&id)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorKind::NotFound,
                    "InvalidRouteTableID.NotFound",
                    format!("default route table {id} does not exist"),
                )
            })?;
        // Adopting starts from an empty table: what was there is not the configuration's.
        for gateway in get_strings(&live, "propagating_vgws") {
            set_propagation(clients, &id, &gateway, false).await?;
        }
        let routes = routes_by_destination(&live).unwrap_or_default();
        sync_routes(clients, &id, &routes, &BTreeMap::new()).await?;
        let tags = creation_tags(planned, ctx.extra_tags);
        if !tags.is_empty() {
            let request = clients
                .ec2
                .create_tags()
                .resources(&id)
                .set_tags(Some(to_ec2(&tags)));
            crate::aws::call::call(|| request.clone().send()).await?;
        }
        let emptied = with_attrs(
            live,
            [
                ("route", Value::set(Vec::new())),
                ("propagating_vgws", Value::Null),
                ("tags_all", planned_attr(planned, "tags_all")),
            ],
        );
        // Unset routes stay as adopted: none.
        let mut planned = planned.clone();
        if !planned_attr(&planned, "route").is_known() {
            planned = with_attrs(planned, [("route", Value::set(Vec::new()))]);
        }
        route_table::update_table(self, clients, &id, &emptied, &planned).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = recorded_id(self, prior)?;
        route_table::update_table(self, ctx.clients, &id, prior, planned).await
    }

    /// The provider's too: a default route table cannot be deleted; it is only forgotten.
    async fn delete(&self, _: &CallContext<'_>, _: &Value) -> Result<()> {
        Ok(())
    }

    fn import_id_format(&self) -> &'static str {
        "the VPC id (`vpc-…`)"
    }

    /// The provider imports a default route table by its VPC's id: its main route table.
    async fn import_id(&self, clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let vpc = expect_prefix(id, "vpc-", "a VPC id")?;
        let tables = tables_by_filter(clients, "vpc-id", &[vpc]).await?;
        main_table(&tables)
            .map(String::from)
            .ok_or(ImportIdError::NotFound)
    }
}

/// The main route table among `tables` (those of one VPC).
pub(crate) fn main_table(tables: &[RouteTable]) -> Option<&str> {
    tables
        .iter()
        .find(|t| t.associations().iter().any(|a| a.main() == Some(true)))
        .and_then(|t| t.route_table_id())
}

fn planned_attr(v: &Value, name: &str) -> Value {
    super::attr(v, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{Route, RouteOrigin, RouteTableAssociation};

    #[test]
    fn state_names_the_table_and_leaves_out_what_the_provider_does_not_manage() {
        let t = RouteTable::builder()
            .route_table_id("rtb-1")
            .vpc_id("vpc-1")
            .owner_id("123456789012")
            .routes(
                Route::builder()
                    .destination_cidr_block("10.0.0.0/16")
                    .gateway_id("local")
                    .origin(RouteOrigin::CreateRouteTable)
                    .build(),
            )
            .routes(
                Route::builder()
                    .destination_prefix_list_id("pl-1")
                    .gateway_id("vpce-1")
                    .origin(RouteOrigin::CreateRoute)
                    .build(),
            )
            .routes(
                Route::builder()
                    .destination_cidr_block("0.0.0.0/0")
                    .gateway_id("igw-1")
                    .origin(RouteOrigin::CreateRoute)
                    .build(),
            )
            .associations(RouteTableAssociation::builder().main(true).build())
            .build();
        let (id, s) = table_state(&t, "eu-west-1").unwrap();
        assert_eq!(id, "rtb-1");
        let m = s.as_map().unwrap();
        assert_eq!(m["default_route_table_id"], Value::string("rtb-1"));
        assert_eq!(m["propagating_vgws"], Value::Null);
        let routes = m["route"].as_list().unwrap();
        assert_eq!(routes.len(), 1);
        let route = routes[0].as_map().unwrap();
        assert_eq!(route["gateway_id"], Value::string("igw-1"));
        // Only the default route table's own route attributes.
        assert!(!route.contains_key("carrier_gateway_id"));
        assert_eq!(main_table(&[t]), Some("rtb-1"));
    }
}
