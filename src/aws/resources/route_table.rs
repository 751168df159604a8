//! `aws_route_table`: a route table with inline `route` blocks and route propagation from
//! virtual private gateways.
//!
//! The `route` blocks are a computed set: a configuration without any leaves the table's routes
//! alone (they may be managed by `aws_route`), an empty list removes them all. The `local`
//! route AWS adds and routes propagated from gateways are never part of the set.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::aws::Adoption;
use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType as Ec2Type, Route, RouteOrigin, RouteTable};

use super::route::{
    create_route, delete_route, replace_route, tables_by_filter, target_of, targets_of_route,
    Destination, Target, TARGETS,
};
use super::{changed, create_call, ec2_arn, read_created, recorded_id, wait_gone};
use crate::aws::call::call;
use crate::aws::ec2::{Ec2Objects, Ec2Reads};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, wait_until, ApiError, OrGone};
use crate::aws::resource_type::id_prefix;
use crate::aws::resource_type::States;
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, update_ec2_tags};
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, IdPrefix, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{
    get_blocks, get_str, get_strings, opt_str, state_object, string_map, string_set,
};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct RouteTableType;

static DECLARATION: Declaration = Declaration::new("aws_route_table", &SCHEMA, Adoption::Tags);

static ROUTE: &[AttrSchema] = attrs![
    optional String: cidr_block ipv6_cidr_block destination_prefix_list_id carrier_gateway_id;
    optional String: core_network_arn egress_only_gateway_id gateway_id local_gateway_id;
    optional String: nat_gateway_id network_interface_id transit_gateway_id vpc_endpoint_id;
    optional String: vpc_peering_connection_id;
];

/// The destination attributes of a `route` block.
const DESTINATION: [&str; 3] = [
    "cidr_block",
    "ipv6_cidr_block",
    "destination_prefix_list_id",
];

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        required String: vpc_id.force_new();
        optional_computed StringSet: propagating_vgws;
        optional StringMap: tags;
        computed StringMap: tags_all;
        computed String: owner_id;
    ],
    blocks: &[BlockSchema::set("route", ROUTE).computed()],
};

/// How long a deleted table may stay visible.
const SETTLE_LIMIT: Duration = Duration::from_secs(5 * 60);

/// True for routes the `route` set describes: not the table's `local` route, not propagated,
/// not a Gateway VPC endpoint's route to its service's prefix list (the endpoint's
/// `route_table_ids` manage those, as in the AWS provider).
pub(crate) fn is_managed(r: &Route) -> bool {
    r.origin() != Some(&RouteOrigin::CreateRouteTable)
        && r.origin() != Some(&RouteOrigin::EnableVgwRoutePropagation)
        && r.gateway_id() != Some("local")
        && !(r.destination_prefix_list_id().is_some()
            && r.gateway_id().is_some_and(|g| g.starts_with("vpce-")))
}

/// A `route` block with every attribute of `attrs` (null where unset; targets `attrs` lacks
/// are left out).
fn route_block(r: &Route, attrs: &[AttrSchema]) -> Value {
    let mut m: BTreeMap<String, Value> = attrs
        .iter()
        .map(|a| (a.name.to_string(), Value::Null))
        .collect();
    m.insert("cidr_block".into(), opt_str(r.destination_cidr_block()));
    m.insert(
        "ipv6_cidr_block".into(),
        opt_str(r.destination_ipv6_cidr_block()),
    );
    m.insert(
        "destination_prefix_list_id".into(),
        opt_str(r.destination_prefix_list_id()),
    );
    for (name, id) in targets_of_route(r) {
        if let Some(v) = m.get_mut(name) {
            *v = Value::string(id);
        }
    }
    Value::Map(m)
}

/// The table's routes that a `route` set with attributes `attrs` describes.
pub(crate) fn route_set(t: &RouteTable, attrs: &[AttrSchema]) -> Value {
    Value::set(
        t.routes()
            .iter()
            .filter(|r| is_managed(r))
            .map(|r| route_block(r, attrs))
            .collect(),
    )
}

fn table_state(t: &RouteTable, region: &str) -> Value {
    let id = t.route_table_id().unwrap_or_default();
    let owner = t.owner_id().unwrap_or_default();
    let tags = string_map(&from_ec2(t.tags()));
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            (
                "arn",
                Value::string(ec2_arn(region, owner, "route-table", id)),
            ),
            ("vpc_id", opt_str(t.vpc_id())),
            (
                "propagating_vgws",
                string_set(t.propagating_vgws().iter().filter_map(|p| p.gateway_id())),
            ),
            ("route", route_set(t, ROUTE)),
            ("tags", tags.clone()),
            ("tags_all", tags),
            ("owner_id", opt_str(t.owner_id())),
        ],
    )
}

/// The planned routes by destination, or `None` when the configuration leaves them alone.
pub(crate) fn routes_by_destination(v: &Value) -> Option<BTreeMap<Destination, Option<Target>>> {
    let routes = v.as_map()?.get("route")?;
    if !routes.is_known() {
        return None;
    }
    Some(
        get_blocks(v, "route")
            .iter()
            .filter_map(|r| Some((Destination::from_value(r, DESTINATION)?, target_of(r))))
            .collect(),
    )
}

/// What to do to bring the table's routes from `prior` to `planned`.
#[derive(Debug, Default, PartialEq)]
struct RouteChanges {
    delete: Vec<Destination>,
    replace: Vec<(Destination, Target)>,
    create: Vec<(Destination, Target)>,
}

fn route_changes(
    prior: &BTreeMap<Destination, Option<Target>>,
    planned: &BTreeMap<Destination, Option<Target>>,
) -> Result<RouteChanges> {
    let mut changes = RouteChanges::default();
    for dest in prior.keys() {
        if !planned.contains_key(dest) {
            changes.delete.push(dest.clone());
        }
    }
    for (dest, target) in planned {
        let target = target.clone().ok_or_else(|| {
            ApiError::new(
                crate::aws::error::ErrorKind::Invalid,
                "MissingTarget",
                format!(
                    "the route to {} needs one of {}",
                    dest.as_str(),
                    TARGETS.join(", ")
                ),
            )
        })?;
        match prior.get(dest) {
            None => changes.create.push((dest.clone(), target)),
            Some(old) if old.as_ref() != Some(&target) => {
                changes.replace.push((dest.clone(), target))
            }
            Some(_) => {}
        }
    }
    Ok(changes)
}

pub(crate) async fn set_propagation(
    clients: &AwsClients,
    table: &str,
    gateway: &str,
    enable: bool,
) -> Result<()> {
    if enable {
        create_call(
            &format!("route propagation from {gateway} to {table}"),
            || async {
                clients
                    .ec2
                    .enable_vgw_route_propagation()
                    .route_table_id(table)
                    .gateway_id(gateway)
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await?;
    } else {
        let disabled = call(|| {
            clients
                .ec2
                .disable_vgw_route_propagation()
                .route_table_id(table)
                .gateway_id(gateway)
                .send()
        })
        .await;
        disabled.ok_if_gone()?;
    }
    Ok(())
}

/// Brings the routes of `table` from `prior` to `planned` (`route_changes`).
pub(crate) async fn sync_routes(
    clients: &AwsClients,
    table: &str,
    prior: &BTreeMap<Destination, Option<Target>>,
    planned: &BTreeMap<Destination, Option<Target>>,
) -> Result<()> {
    apply_routes(clients, table, &route_changes(prior, planned)?).await
}

async fn apply_routes(clients: &AwsClients, table: &str, changes: &RouteChanges) -> Result<()> {
    for dest in &changes.delete {
        delete_route(clients, table, dest).await?;
    }
    for (dest, target) in &changes.replace {
        replace_route(clients, table, dest, target).await?;
    }
    for (dest, target) in &changes.create {
        create_route(clients, table, dest, target).await?;
    }
    Ok(())
}

/// Brings route table `id`'s propagating gateways, routes and tags from `prior` to `planned`
/// and returns its state once reads show the change: `aws_route_table`'s update, and
/// `aws_default_route_table`'s.
pub(crate) async fn update_table(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    id: &str,
    prior: &Value,
    planned: &Value,
) -> Result<Value> {
    let id = id.to_string();
    let gateways_known = planned
        .as_map()
        .and_then(|m| m.get("propagating_vgws"))
        .is_some_and(Value::is_known);
    if gateways_known && changed(prior, planned, "propagating_vgws") {
        let before: BTreeSet<String> = get_strings(prior, "propagating_vgws").into_iter().collect();
        let after: BTreeSet<String> = get_strings(planned, "propagating_vgws")
            .into_iter()
            .collect();
        for gone in before.difference(&after) {
            set_propagation(clients, &id, gone, false).await?;
        }
        for new in after.difference(&before) {
            set_propagation(clients, &id, new, true).await?;
        }
    }
    let mut want = None;
    if let Some(planned_routes) = routes_by_destination(planned) {
        let prior_routes = routes_by_destination(prior).unwrap_or_default();
        let changes = route_changes(&prior_routes, &planned_routes)?;
        apply_routes(clients, &id, &changes).await?;
        want = Some(planned_routes);
    }
    update_ec2_tags(clients, &id, prior, planned).await?;
    let ids = [id.clone()];
    wait_until(
        &format!("the routes of {id} to show the change"),
        Duration::from_secs(1),
        SETTLE_LIMIT,
        || async {
            let mut found = rt.read_many(clients, &ids).await?;
            let Some(state) = found.remove(&id) else {
                return Ok(None);
            };
            let done = match (&want, routes_by_destination(&state)) {
                (Some(want), Some(have)) => *want == have,
                _ => true,
            };
            Ok(done.then_some(state))
        },
    )
    .await
}

#[async_trait]
impl ResourceType for RouteTableType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static OBJECTS: Ec2Objects<RouteTable> = Ec2Objects { state: None };
        Some(&OBJECTS)
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "route table id", "rtb-"))
    }

    /// One filtered `DescribeRouteTables` for all ids (the filter skips ids that are gone).
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        Ok(tables_by_filter(clients, "route-table-id", ids)
            .await?
            .iter()
            .filter_map(|t| {
                Some((
                    t.route_table_id()?.to_string(),
                    table_state(t, &clients.region),
                ))
            })
            .collect())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let vpc = get_str(planned, "vpc_id")
            .ok_or_else(|| ApiError::malformed("aws_route_table has no vpc_id"))?;
        let tags = creation_tags(planned, ctx.extra_tags);
        let out = create_call(&format!("route table in {vpc} to be created"), || async {
            clients
                .ec2
                .create_route_table()
                .vpc_id(vpc)
                .tag_specifications(tag_spec(Ec2Type::RouteTable, &tags))
                .send()
                .await
                .map_err(from_sdk)
        })
        .await?;
        let id = out
            .route_table()
            .and_then(|t| t.route_table_id())
            .ok_or_else(|| ApiError::malformed("CreateRouteTable returned no id"))?
            .to_string();
        for gateway in get_strings(planned, "propagating_vgws") {
            set_propagation(clients, &id, &gateway, true).await?;
        }
        if let Some(routes) = routes_by_destination(planned) {
            let changes = route_changes(&BTreeMap::new(), &routes)?;
            apply_routes(clients, &id, &changes).await?;
        }
        let created = read_created(self, clients, &id).await?;
        // Routes are eventually consistent: wait until reads show every one just added.
        let ids = [id.clone()];
        let want = routes_by_destination(planned);
        wait_until(
            &format!("the routes of {id} to become visible"),
            Duration::from_secs(1),
            SETTLE_LIMIT,
            || async {
                let mut found = self.read_many(clients, &ids).await?;
                let state = found.remove(&id).unwrap_or_else(|| created.clone());
                let done = match (&want, routes_by_destination(&state)) {
                    (Some(want), Some(have)) => want.keys().all(|d| have.contains_key(d)),
                    _ => true,
                };
                Ok(done.then_some(state))
            },
        )
        .await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = recorded_id(self, prior)?;
        update_table(self, ctx.clients, &id, prior, planned).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        let ids = [id.clone()];
        // AWS refuses to delete an associated table; as the Terraform provider does, drop the
        // (non-main) associations first.
        for table in tables_by_filter(clients, "route-table-id", &ids).await? {
            for assoc in table.associations() {
                if assoc.main() == Some(true) {
                    continue;
                }
                let Some(assoc_id) = assoc.route_table_association_id() else {
                    continue;
                };
                let r = call(|| {
                    clients
                        .ec2
                        .disassociate_route_table()
                        .association_id(assoc_id)
                        .send()
                })
                .await;
                r.ok_if_gone()?;
            }
        }
        let deleted = call(|| clients.ec2.delete_route_table().route_table_id(&id).send()).await;
        if deleted.found()?.is_none() {
            return Ok(());
        }
        wait_gone(self, clients, "route table", &id, SETTLE_LIMIT).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::PropagatingVgw;

    fn block(cidr: &str, target: &str, id: &str) -> Value {
        Value::map([
            ("cidr_block", Value::string(cidr)),
            (target, Value::string(id)),
        ])
    }

    fn planned(routes: Option<Vec<Value>>) -> Value {
        let mut config = vec![("vpc_id", Value::string("vpc-1"))];
        if let Some(r) = routes {
            config.push(("route", Value::List(r)));
        }
        SCHEMA.conform(&Value::map(config)).unwrap()
    }

    #[test]
    fn no_route_blocks_leaves_routes_alone_and_an_empty_list_removes_them() {
        assert_eq!(routes_by_destination(&planned(None)), None);
        assert_eq!(
            routes_by_destination(&planned(Some(vec![]))),
            Some(BTreeMap::new())
        );
    }

    #[test]
    fn route_changes_create_replace_and_delete_by_destination() {
        let prior = routes_by_destination(&planned(Some(vec![
            block("0.0.0.0/0", "gateway_id", "igw-1"),
            block("10.1.0.0/16", "vpc_peering_connection_id", "pcx-1"),
        ])))
        .unwrap();
        let next = routes_by_destination(&planned(Some(vec![
            block("0.0.0.0/0", "nat_gateway_id", "nat-1"),
            block("10.2.0.0/16", "transit_gateway_id", "tgw-1"),
        ])))
        .unwrap();
        let c = route_changes(&prior, &next).unwrap();
        assert_eq!(c.delete, vec![Destination::Ipv4("10.1.0.0/16".into())]);
        assert_eq!(
            c.replace,
            vec![(
                Destination::Ipv4("0.0.0.0/0".into()),
                ("nat_gateway_id", "nat-1".to_string())
            )]
        );
        assert_eq!(
            c.create,
            vec![(
                Destination::Ipv4("10.2.0.0/16".into()),
                ("transit_gateway_id", "tgw-1".to_string())
            )]
        );
    }

    #[test]
    fn state_leaves_out_local_and_propagated_routes() {
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
                    .destination_cidr_block("172.16.0.0/12")
                    .gateway_id("vgw-1")
                    .origin(RouteOrigin::EnableVgwRoutePropagation)
                    .build(),
            )
            .routes(
                Route::builder()
                    .destination_cidr_block("0.0.0.0/0")
                    .gateway_id("igw-1")
                    .origin(RouteOrigin::CreateRoute)
                    .build(),
            )
            .propagating_vgws(PropagatingVgw::builder().gateway_id("vgw-1").build())
            .build();
        let s = table_state(&t, "eu-west-1");
        let m = s.as_map().unwrap();
        let routes = m["route"].as_list().unwrap();
        assert_eq!(routes.len(), 1);
        assert_eq!(
            routes[0].as_map().unwrap()["gateway_id"],
            Value::string("igw-1")
        );
        assert_eq!(routes[0].as_map().unwrap()["nat_gateway_id"], Value::Null);
        assert_eq!(
            m["propagating_vgws"],
            Value::set(vec![Value::string("vgw-1")])
        );
        // A state's routes read back the same as planned blocks.
        let conformed = planned(Some(vec![block("0.0.0.0/0", "gateway_id", "igw-1")]));
        assert_eq!(m["route"], conformed.as_map().unwrap()["route"]);
    }
}
