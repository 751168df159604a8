//! `aws_route_table_association`: associates a route table with a subnet or an (internet or
//! virtual private) gateway.
//!
//! Changing `route_table_id` re-points the association with ReplaceRouteTableAssociation, which
//! gives it a new id: the new state carries it.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::aws::adopt::read_ours;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_ec2::types::{RouteTable, RouteTableAssociation, RouteTableAssociationStateCode};

use super::route::tables_by_filter;
use super::{changed, create_call, expect_prefix, read_created, split_import_id, wait_gone};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, wait_until, ApiError, ErrorKind, OrGone};
use crate::aws::resource_type::States;
use crate::aws::resources::recorded_id;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct RouteTableAssociationType;

static DECLARATION: Declaration =
    Declaration::new("aws_route_table_association", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        optional String: subnet_id.force_new() gateway_id.force_new();
        required String: route_table_id;
    ],
    blocks: &[],
};

/// How long an association may take to settle, or to disappear.
const SETTLE_LIMIT: Duration = Duration::from_secs(5 * 60);

pub(crate) fn is_live(a: &RouteTableAssociation) -> bool {
    !matches!(
        a.association_state().and_then(|s| s.state()),
        Some(RouteTableAssociationStateCode::Disassociated)
            | Some(RouteTableAssociationStateCode::Disassociating)
    )
}

fn association_state(a: &RouteTableAssociation) -> Value {
    state_object(
        &SCHEMA,
        [
            ("id", opt_str(a.route_table_association_id())),
            ("subnet_id", opt_str(a.subnet_id())),
            ("gateway_id", opt_str(a.gateway_id())),
            ("route_table_id", opt_str(a.route_table_id())),
        ],
    )
}

/// The live associations among `tables` whose id is in `ids`.
fn associations_in(tables: &[RouteTable], ids: &BTreeSet<&str>) -> BTreeMap<String, Value> {
    tables
        .iter()
        .flat_map(|t| t.associations())
        .filter(|a| is_live(a))
        .filter_map(|a| {
            let id = a.route_table_association_id()?;
            ids.contains(id)
                .then(|| (id.to_string(), association_state(a)))
        })
        .collect()
}

/// Waits until the association is `associated`.
pub(crate) async fn wait_associated(clients: &AwsClients, id: &str) -> Result<()> {
    let ids = [id.to_string()];
    wait_until(
        &format!("route table association {id} to become associated"),
        Duration::from_secs(2),
        SETTLE_LIMIT,
        || async {
            let tables =
                tables_by_filter(clients, "association.route-table-association-id", &ids).await?;
            let state = tables
                .iter()
                .flat_map(|t| t.associations())
                .find(|a| a.route_table_association_id() == Some(id))
                .and_then(|a| a.association_state()?.state().cloned());
            match state {
                Some(RouteTableAssociationStateCode::Associated) => Ok(Some(())),
                Some(RouteTableAssociationStateCode::Failed) => Err(ApiError::new(
                    ErrorKind::Other,
                    "AssociationFailed",
                    format!("route table association {id} failed"),
                )),
                _ => Ok(None),
            }
        },
    )
    .await
}

#[async_trait]
impl ResourceType for RouteTableAssociationType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The table's live association with the subnet (or gateway), as for an import.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let owner = get_str(planned, "subnet_id").or_else(|| get_str(planned, "gateway_id"));
        let (Some(owner), Some(table)) = (owner, get_str(planned, "route_table_id")) else {
            return Ok(Vec::new());
        };
        match self.import_id(clients, &format!("{owner}/{table}")).await {
            Ok(id) => read_ours(self, clients, &[id]).await,
            Err(ImportIdError::Aws(e)) => Err(e),
            Err(_) => Ok(Vec::new()),
        }
    }

    /// One `DescribeRouteTables` filtered on all the association ids.
    fn import_id_format(&self) -> &'static str {
        "`SUBNETID/ROUTETABLEID` or, for a gateway association, `GATEWAYID/ROUTETABLEID`"
    }

    /// The AWS provider's `SUBNET/TABLE` (or `GATEWAY/TABLE`) names no association id: the
    /// table's live association with that subnet or gateway is looked up.
    async fn import_id(&self, clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let (owner, table) = split_import_id(id, '/', "SUBNETID/ROUTETABLEID")?;
        expect_prefix(table, "rtb-", "a route table id after the \"/\"")?;
        let tables = tables_by_filter(clients, "route-table-id", &[table.to_string()]).await?;
        tables
            .iter()
            .flat_map(|t| t.associations())
            .filter(|a| is_live(a))
            .find(|a| a.subnet_id() == Some(owner) || a.gateway_id() == Some(owner))
            .and_then(|a| a.route_table_association_id())
            .map(String::from)
            .ok_or(ImportIdError::NotFound)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let tables =
            tables_by_filter(clients, "association.route-table-association-id", ids).await?;
        let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        Ok(associations_in(&tables, &wanted))
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let table = get_str(planned, "route_table_id").ok_or_else(|| {
            ApiError::malformed("aws_route_table_association has no route_table_id")
        })?;
        let subnet = get_str(planned, "subnet_id");
        let gateway = get_str(planned, "gateway_id");
        if subnet.is_some() == gateway.is_some() {
            return Err(ApiError::new(
                ErrorKind::Invalid,
                "InvalidParameterCombination",
                "exactly one of subnet_id and gateway_id must be set",
            ));
        }
        let out = create_call(&format!("route table {table} to be associated"), || async {
            clients
                .ec2
                .associate_route_table()
                .route_table_id(table)
                .set_subnet_id(subnet.map(String::from))
                .set_gateway_id(gateway.map(String::from))
                .send()
                .await
                .map_err(from_sdk)
        })
        .await?;
        let id = out
            .association_id()
            .ok_or_else(|| ApiError::malformed("AssociateRouteTable returned no association id"))?
            .to_string();
        wait_associated(clients, &id).await?;
        read_created(self, clients, &id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        if !changed(prior, planned, "route_table_id") {
            return read_created(self, clients, &id).await;
        }
        let table = get_str(planned, "route_table_id").ok_or_else(|| {
            ApiError::malformed("aws_route_table_association has no route_table_id")
        })?;
        let out = call(|| {
            clients
                .ec2
                .replace_route_table_association()
                .association_id(&id)
                .route_table_id(table)
                .send()
        })
        .await?;
        let new_id = out
            .new_association_id()
            .ok_or_else(|| {
                ApiError::malformed("ReplaceRouteTableAssociation returned no association id")
            })?
            .to_string();
        wait_associated(clients, &new_id).await?;
        read_created(self, clients, &new_id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        let r = call(|| {
            clients
                .ec2
                .disassociate_route_table()
                .association_id(&id)
                .send()
        })
        .await;
        if r.found()?.is_none() {
            return Ok(());
        }
        wait_gone(self, clients, "route table association", &id, SETTLE_LIMIT).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::RouteTableAssociationState;

    fn assoc(id: &str, state: RouteTableAssociationStateCode) -> RouteTableAssociation {
        RouteTableAssociation::builder()
            .route_table_association_id(id)
            .route_table_id("rtb-1")
            .subnet_id("subnet-1")
            .main(false)
            .association_state(RouteTableAssociationState::builder().state(state).build())
            .build()
    }

    #[test]
    fn reads_only_live_associations_that_were_asked_for() {
        let table = RouteTable::builder()
            .route_table_id("rtb-1")
            .associations(assoc(
                "rtbassoc-1",
                RouteTableAssociationStateCode::Associated,
            ))
            .associations(assoc(
                "rtbassoc-2",
                RouteTableAssociationStateCode::Disassociated,
            ))
            .associations(assoc(
                "rtbassoc-3",
                RouteTableAssociationStateCode::Associated,
            ))
            .build();
        let ids = BTreeSet::from(["rtbassoc-1", "rtbassoc-2"]);
        let found = associations_in(&[table], &ids);
        assert_eq!(found.keys().collect::<Vec<_>>(), vec!["rtbassoc-1"]);
        let m = found["rtbassoc-1"].as_map().unwrap();
        assert_eq!(m["subnet_id"], Value::string("subnet-1"));
        assert_eq!(m["gateway_id"], Value::Null);
        assert_eq!(m["route_table_id"], Value::string("rtb-1"));
    }
}
