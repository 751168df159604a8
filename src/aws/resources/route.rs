//! `aws_route`: one route in a route table, and what a route is for `aws_route_table`'s inline
//! `route` blocks too: its destination (IPv4, IPv6 or prefix list), its target (one of the
//! gateway, interface, peering... ids) and the CreateRoute/ReplaceRoute/DeleteRoute calls.
//!
//! A route has no AWS id. Like the Terraform AWS provider, its id is `r-`, then the route
//! table id, then the CRC-32 of the destination (`r-rtb-0abc1080289494` for `0.0.0.0/0`), so
//! reading works from the id alone.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::aws::adopt::find_by_arguments;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, Route, RouteTable};

use super::{changed, create_call, expect_prefix, read_created, split_import_id, DESCRIBE_CHUNK};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, wait_until, ApiError, OrGone};
use crate::aws::resource_type::States;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct RouteType;

static DECLARATION: Declaration = Declaration::new("aws_route", &SCHEMA, Adoption::Arguments);

/// The target attributes, shared by `aws_route` and `aws_route_table`'s `route` blocks.
pub const TARGETS: &[&str] = &[
    "carrier_gateway_id",
    "core_network_arn",
    "egress_only_gateway_id",
    "gateway_id",
    "local_gateway_id",
    "nat_gateway_id",
    "network_interface_id",
    "transit_gateway_id",
    "vpc_endpoint_id",
    "vpc_peering_connection_id",
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: route_table_id.force_new();
        optional String: destination_cidr_block.force_new() destination_ipv6_cidr_block.force_new();
        optional String: destination_prefix_list_id.force_new() carrier_gateway_id core_network_arn;
        optional String: egress_only_gateway_id gateway_id local_gateway_id nat_gateway_id;
        optional String: network_interface_id transit_gateway_id vpc_endpoint_id;
        optional String: vpc_peering_connection_id;
        computed String: instance_id instance_owner_id origin state;
    ],
    blocks: &[],
};

/// How long a deleted route may stay visible.
const SETTLE_LIMIT: Duration = Duration::from_secs(2 * 60);

/// Where a route sends traffic from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Destination {
    Ipv4(String),
    Ipv6(String),
    PrefixList(String),
}

impl Destination {
    /// The destination of a route value whose attributes are named `names` (IPv4, IPv6,
    /// prefix list), e.g. `destination_cidr_block`... for `aws_route`, `cidr_block`... for a
    /// route block.
    pub fn from_value(v: &Value, names: [&str; 3]) -> Option<Destination> {
        if let Some(c) = get_str(v, names[0]) {
            Some(Destination::Ipv4(c.to_string()))
        } else if let Some(c) = get_str(v, names[1]) {
            Some(Destination::Ipv6(c.to_string()))
        } else {
            get_str(v, names[2]).map(|p| Destination::PrefixList(p.to_string()))
        }
    }

    pub fn of_route(r: &Route) -> Option<Destination> {
        if let Some(c) = r.destination_cidr_block() {
            Some(Destination::Ipv4(c.to_string()))
        } else if let Some(c) = r.destination_ipv6_cidr_block() {
            Some(Destination::Ipv6(c.to_string()))
        } else {
            r.destination_prefix_list_id()
                .map(|p| Destination::PrefixList(p.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Destination::Ipv4(s) | Destination::Ipv6(s) | Destination::PrefixList(s) => s,
        }
    }
}

/// Where a route sends traffic to: the target attribute's name and the id it holds.
pub type Target = (&'static str, String);

/// The first target attribute set in `v`.
pub fn target_of(v: &Value) -> Option<Target> {
    TARGETS
        .iter()
        .find_map(|name| get_str(v, name).map(|id| (*name, id.to_string())))
}

/// The target attributes of a described route, by name (unset ones absent). A gateway load
/// balancer endpoint comes back as a `gateway_id` starting `vpce-`; it is reported as the
/// `vpc_endpoint_id` it was created with.
pub fn targets_of_route(r: &Route) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    let mut put = |name: &'static str, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            out.insert(name, v.to_string());
        }
    };
    put("carrier_gateway_id", r.carrier_gateway_id());
    put("core_network_arn", r.core_network_arn());
    put(
        "egress_only_gateway_id",
        r.egress_only_internet_gateway_id(),
    );
    match r.gateway_id() {
        Some(g) if g.starts_with("vpce-") => put("vpc_endpoint_id", Some(g)),
        g => put("gateway_id", g),
    }
    put("local_gateway_id", r.local_gateway_id());
    put("nat_gateway_id", r.nat_gateway_id());
    put("network_interface_id", r.network_interface_id());
    put("transit_gateway_id", r.transit_gateway_id());
    put("vpc_peering_connection_id", r.vpc_peering_connection_id());
    out
}

/// The id of the route to `destination` in `route_table_id`: the IEEE CRC-32 of the
/// destination, as Terraform's `StringHashcode`.
pub fn route_id(route_table_id: &str, destination: &str) -> String {
    format!(
        "r-{route_table_id}{}",
        crc32fast::hash(destination.as_bytes())
    )
}

/// The route table ids a route id may have been made from. The table id's hex digits and the
/// decimal hash run together, so every split with a plausible table id is a candidate; the
/// describe call and the hash check sort them out.
fn candidate_tables(route_id: &str) -> Vec<String> {
    let Some(rest) = route_id.strip_prefix("r-rtb-") else {
        return Vec::new();
    };
    (8..rest.len())
        .filter(|&i| {
            rest[..i].bytes().all(|b| b.is_ascii_hexdigit())
                && rest[i..].bytes().all(|b| b.is_ascii_digit())
        })
        .map(|i| format!("rtb-{}", &rest[..i]))
        .collect()
}

macro_rules! with_destination {
    ($req:expr, $dest:expr) => {
        match $dest {
            Destination::Ipv4(c) => $req.destination_cidr_block(c),
            Destination::Ipv6(c) => $req.destination_ipv6_cidr_block(c),
            Destination::PrefixList(p) => $req.destination_prefix_list_id(p),
        }
    };
}

macro_rules! with_target {
    ($req:expr, $target:expr) => {{
        let (name, id): &Target = $target;
        match *name {
            "carrier_gateway_id" => $req.carrier_gateway_id(id),
            "core_network_arn" => $req.core_network_arn(id),
            "egress_only_gateway_id" => $req.egress_only_internet_gateway_id(id),
            "local_gateway_id" => $req.local_gateway_id(id),
            "nat_gateway_id" => $req.nat_gateway_id(id),
            "network_interface_id" => $req.network_interface_id(id),
            "transit_gateway_id" => $req.transit_gateway_id(id),
            "vpc_endpoint_id" => $req.vpc_endpoint_id(id),
            "vpc_peering_connection_id" => $req.vpc_peering_connection_id(id),
            _ => $req.gateway_id(id),
        }
    }};
}

fn create_route_request(
    clients: &AwsClients,
    table: &str,
    dest: &Destination,
    target: &Target,
) -> aws_sdk_ec2::operation::create_route::builders::CreateRouteFluentBuilder {
    let req = clients.ec2.create_route().route_table_id(table);
    let req = with_destination!(req, dest);
    with_target!(req, target)
}

/// Adds a route (retrying while the table or target is not visible yet).
pub async fn create_route(
    clients: &AwsClients,
    table: &str,
    dest: &Destination,
    target: &Target,
) -> Result<()> {
    create_call(
        &format!("route to {} in {table} to be created", dest.as_str()),
        || async {
            create_route_request(clients, table, dest, target)
                .send()
                .await
                .map_err(from_sdk)
        },
    )
    .await?;
    Ok(())
}

/// Points an existing route at a new target.
pub async fn replace_route(
    clients: &AwsClients,
    table: &str,
    dest: &Destination,
    target: &Target,
) -> Result<()> {
    call(|| {
        let req = clients.ec2.replace_route().route_table_id(table);
        let req = with_destination!(req, dest);
        with_target!(req, target).send()
    })
    .await?;
    Ok(())
}

/// Removes a route; a route (or table) already gone is not an error.
pub async fn delete_route(clients: &AwsClients, table: &str, dest: &Destination) -> Result<()> {
    let deleted = call(|| {
        let req = clients.ec2.delete_route().route_table_id(table);
        with_destination!(req, dest).send()
    })
    .await;
    deleted.ok_if_gone()
}

fn route_state(table: &str, r: &Route) -> Option<Value> {
    let dest = Destination::of_route(r)?;
    let mut given: Vec<(&'static str, Value)> = vec![
        ("id", Value::string(route_id(table, dest.as_str()))),
        ("route_table_id", Value::string(table)),
        (
            "destination_cidr_block",
            opt_str(r.destination_cidr_block()),
        ),
        (
            "destination_ipv6_cidr_block",
            opt_str(r.destination_ipv6_cidr_block()),
        ),
        (
            "destination_prefix_list_id",
            opt_str(r.destination_prefix_list_id()),
        ),
        ("instance_id", opt_str(r.instance_id())),
        ("instance_owner_id", opt_str(r.instance_owner_id())),
        ("origin", opt_str(r.origin().map(|o| o.as_str()))),
        ("state", opt_str(r.state().map(|s| s.as_str()))),
    ];
    for (name, id) in targets_of_route(r) {
        given.push((name, Value::string(id)));
    }
    Some(state_object(&SCHEMA, given))
}

/// Route tables by id, through a filter (which, unlike listing ids, accepts ids that do not
/// exist), in one paginated call per [`DESCRIBE_CHUNK`] ids.
pub async fn tables_by_filter(
    clients: &AwsClients,
    filter_name: &str,
    values: &[String],
) -> Result<Vec<RouteTable>> {
    let mut out = Vec::new();
    for chunk in values.chunks(DESCRIBE_CHUNK) {
        let filter = Filter::builder()
            .name(filter_name)
            .set_values(Some(chunk.to_vec()))
            .build();
        let tables: Vec<RouteTable> = call(|| {
            clients
                .ec2
                .describe_route_tables()
                .filters(filter.clone())
                .into_paginator()
                .items()
                .send()
                .try_collect()
        })
        .await?;
        out.extend(tables);
    }
    Ok(out)
}

fn destination_of_planned(v: &Value) -> Result<Destination> {
    Destination::from_value(
        v,
        [
            "destination_cidr_block",
            "destination_ipv6_cidr_block",
            "destination_prefix_list_id",
        ],
    )
    .ok_or_else(|| {
        ApiError::new(
            crate::aws::error::ErrorKind::Invalid,
            "MissingDestination",
            "one of destination_cidr_block, destination_ipv6_cidr_block or \
             destination_prefix_list_id must be set",
        )
    })
}

fn target_of_planned(v: &Value) -> Result<Target> {
    target_of(v).ok_or_else(|| {
        ApiError::new(
            crate::aws::error::ErrorKind::Invalid,
            "MissingTarget",
            format!("one of {} must be set", TARGETS.join(", ")),
        )
    })
}

#[async_trait]
impl ResourceType for RouteType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The id is the table and the destination.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id: Option<String> = destination_of_planned(planned)
            .ok()
            .zip(get_str(planned, "route_table_id"))
            .map(|(d, t)| route_id(t, d.as_str()));
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "`ROUTETABLEID_DESTINATION`, the destination being the IPv4 or IPv6 CIDR block or the prefix list id (`rtb-0abc_10.0.0.0/16`)"
    }

    /// The AWS provider's `rtb-…_DESTINATION` becomes the route's id (the table id and the
    /// CRC-32 of the destination).
    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let (table, destination) =
            split_import_id(id, '_', "ROUTETABLEID_DESTINATION (rtb-0abc_10.0.0.0/16)")?;
        expect_prefix(table, "rtb-", "a route table id before the \"_\"")?;
        Ok(route_id(table, destination))
    }

    /// One filtered `DescribeRouteTables` for the tables of all the ids.
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        let tables: BTreeSet<String> = ids.iter().flat_map(|id| candidate_tables(id)).collect();
        if tables.is_empty() {
            return Ok(BTreeMap::new());
        }
        let tables: Vec<String> = tables.into_iter().collect();
        let mut out = BTreeMap::new();
        for table in tables_by_filter(clients, "route-table-id", &tables).await? {
            let Some(table_id) = table.route_table_id() else {
                continue;
            };
            for r in table.routes() {
                if let Some(state) = route_state(table_id, r) {
                    let id = get_str(&state, "id").unwrap_or_default().to_string();
                    if wanted.contains(id.as_str()) {
                        out.insert(id, state);
                    }
                }
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let table = get_str(planned, "route_table_id")
            .ok_or_else(|| ApiError::malformed("aws_route has no route_table_id"))?;
        let dest = destination_of_planned(planned)?;
        let target = target_of_planned(planned)?;
        create_route(ctx.clients, table, &dest, &target).await?;
        read_created(self, ctx.clients, &route_id(table, dest.as_str())).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let table = get_str(prior, "route_table_id")
            .ok_or_else(|| ApiError::malformed("aws_route state has no route_table_id"))?;
        let dest = destination_of_planned(prior)?;
        if TARGETS.iter().any(|t| changed(prior, planned, t)) {
            let target = target_of_planned(planned)?;
            replace_route(ctx.clients, table, &dest, &target).await?;
            let id = route_id(table, dest.as_str());
            let ids = [id.clone()];
            // ReplaceRoute is eventually consistent: wait until reads show the new target.
            return wait_until(
                &format!("route {id} to point at {}", target.1),
                Duration::from_secs(1),
                SETTLE_LIMIT,
                || async {
                    let mut found = self.read_many(ctx.clients, &ids).await?;
                    Ok(found
                        .remove(&id)
                        .filter(|s| get_str(s, target.0) == Some(target.1.as_str())))
                },
            )
            .await;
        }
        read_created(self, ctx.clients, &route_id(table, dest.as_str())).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let table = get_str(prior, "route_table_id")
            .ok_or_else(|| ApiError::malformed("aws_route state has no route_table_id"))?;
        let dest = destination_of_planned(prior)?;
        delete_route(ctx.clients, table, &dest).await?;
        let ids = [route_id(table, dest.as_str())];
        wait_until(
            &format!("route {} to disappear", ids[0]),
            Duration::from_secs(1),
            SETTLE_LIMIT,
            || async {
                Ok(self
                    .read_many(ctx.clients, &ids)
                    .await?
                    .is_empty()
                    .then_some(()))
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;
    use aws_sdk_ec2::types::{RouteOrigin, RouteState};

    #[test]
    fn route_ids_match_the_terraform_provider() {
        let import = |id: &str| {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(RouteType.import_id(&offline_clients(), id))
        };
        assert_eq!(
            import("rtb-xxx_0.0.0.0/0").unwrap(),
            route_id("rtb-xxx", "0.0.0.0/0")
        );
        assert_eq!(import("rtb-xxx_::/0").unwrap(), route_id("rtb-xxx", "::/0"));
        for bad in ["rtb-xxx", "rtb-xxx_", "vpc-1_0.0.0.0/0", "_0.0.0.0/0"] {
            assert!(
                matches!(import(bad), Err(ImportIdError::Malformed(_))),
                "{bad}"
            );
        }
        assert_eq!(route_id("rtb-xxx", "0.0.0.0/0"), "r-rtb-xxx1080289494");
        assert_eq!(crc32fast::hash(b"10.0.0.0/16"), 179966490);
        assert_eq!(crc32fast::hash(b"::/0"), 2750132062);
    }

    #[test]
    fn candidate_tables_cover_the_real_table_id() {
        let id = route_id("rtb-0123456789abcdef0", "0.0.0.0/0");
        let candidates = candidate_tables(&id);
        assert!(candidates.contains(&"rtb-0123456789abcdef0".to_string()));
        assert!(candidate_tables("r-sg-1").is_empty());
    }

    #[test]
    fn create_request_sets_destination_and_target() {
        let planned = SCHEMA.conformed([
            ("route_table_id", Value::string("rtb-1")),
            ("destination_ipv6_cidr_block", Value::string("::/0")),
            ("egress_only_gateway_id", Value::string("eigw-1")),
        ]);
        let dest = destination_of_planned(&planned).unwrap();
        let target = target_of_planned(&planned).unwrap();
        let req = create_route_request(&offline_clients(), "rtb-1", &dest, &target);
        let input = req.as_input();
        assert_eq!(
            input.get_destination_ipv6_cidr_block().as_deref(),
            Some("::/0")
        );
        assert_eq!(
            input.get_egress_only_internet_gateway_id().as_deref(),
            Some("eigw-1")
        );
        assert_eq!(input.get_gateway_id(), &None);
    }

    #[test]
    fn a_route_without_destination_or_target_is_rejected() {
        let planned = SCHEMA.conformed([("route_table_id", Value::string("rtb-1"))]);
        assert_eq!(
            destination_of_planned(&planned).unwrap_err().code,
            "MissingDestination"
        );
        assert_eq!(
            target_of_planned(&planned).unwrap_err().code,
            "MissingTarget"
        );
    }

    #[test]
    fn state_from_a_described_route() {
        let r = Route::builder()
            .destination_cidr_block("0.0.0.0/0")
            .gateway_id("vpce-1")
            .origin(RouteOrigin::CreateRoute)
            .state(RouteState::Active)
            .build();
        let s = route_state("rtb-1", &r).unwrap();
        let m = s.as_map().unwrap();
        assert_eq!(m["id"], Value::string("r-rtb-11080289494"));
        assert_eq!(m["vpc_endpoint_id"], Value::string("vpce-1"));
        assert_eq!(m["gateway_id"], Value::Null);
        assert_eq!(m["origin"], Value::string("CreateRoute"));
        assert_eq!(m["state"], Value::string("active"));
    }
}
