//! `aws_main_route_table_association`: makes a route table the main one of its VPC, by
//! ReplaceRouteTableAssociation on the VPC's main association. Its id is the association id
//! (`rtbassoc-…`), which every replacement changes: the state carries the new one.
//!
//! As in the AWS provider, the create records the VPC's main route table before it as
//! `original_route_table_id` (AWS does not keep it, so refresh keeps the recorded value), a
//! change of `route_table_id` or `vpc_id` replaces the association again in place, and the
//! delete makes the original table the main one again. The provider's type has no import;
//! neither has this one. Refresh reads every association in one `DescribeRouteTables` filtered
//! on all their ids (the route table and VPC it names read from the table, where the provider
//! keeps the configured ones). moto serves all of it.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use aws_sdk_ec2::types::RouteTable;

use super::recorded_id;
use super::route::tables_by_filter;
use super::route_table_association::{is_live, wait_associated};
use super::{changed, read_created, with_attrs};
use crate::aws::adopt::find_by_arguments;
use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resource_type::States;
use crate::aws::ResourceType;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, state_object};
use crate::provider::Schema;

pub struct MainRouteTableAssociationType;

static DECLARATION: Declaration = Declaration::new(
    "aws_main_route_table_association",
    &SCHEMA,
    Adoption::Arguments,
);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id;
        required String: vpc_id route_table_id;
        computed String: original_route_table_id.local();
    ],
    blocks: &[],
};

/// The main associations among `tables` whose id is in `ids`, as states.
fn main_associations(tables: &[RouteTable], ids: &BTreeSet<&str>) -> BTreeMap<String, Value> {
    tables
        .iter()
        .flat_map(|t| t.associations().iter().map(move |a| (t, a)))
        .filter(|(_, a)| a.main() == Some(true) && is_live(a))
        .filter_map(|(t, a)| {
            let id = a.route_table_association_id()?;
            let state = state_object(
                &SCHEMA,
                [
                    ("id", Value::string(id)),
                    ("vpc_id", Value::string(t.vpc_id()?)),
                    ("route_table_id", Value::string(a.route_table_id()?)),
                ],
            );
            ids.contains(id).then(|| (id.to_string(), state))
        })
        .collect()
}

/// The VPC's main association: its id and its route table's.
async fn main_association(clients: &AwsClients, vpc: &str) -> Result<(String, String)> {
    let tables = tables_by_filter(clients, "vpc-id", &[vpc.to_string()]).await?;
    tables
        .iter()
        .flat_map(|t| t.associations())
        .find(|a| a.main() == Some(true) && is_live(a))
        .and_then(|a| {
            Some((
                a.route_table_association_id()?.to_string(),
                a.route_table_id()?.to_string(),
            ))
        })
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                "InvalidVpcID.NotFound",
                format!("no main route table association in {vpc}"),
            )
        })
}

/// Makes `table` the main route table through association `id`; returns the new association.
async fn replace(clients: &AwsClients, id: &str, table: &str) -> Result<String> {
    let out = call(|| {
        clients
            .ec2
            .replace_route_table_association()
            .association_id(id)
            .route_table_id(table)
            .send()
    })
    .await?;
    let new_id = out
        .new_association_id()
        .ok_or_else(|| ApiError::malformed("ReplaceRouteTableAssociation returned no id"))?
        .to_string();
    wait_associated(clients, &new_id).await?;
    Ok(new_id)
}

fn required<'v>(v: &'v Value, name: &str) -> Result<&'v str> {
    get_str(v, name).ok_or_else(|| {
        ApiError::malformed(format!("aws_main_route_table_association has no {name}"))
    })
}

#[async_trait]
impl ResourceType for MainRouteTableAssociationType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// As in the provider: there is no import.
    fn importable(&self) -> bool {
        false
    }

    /// The VPC's main association, if it already names the planned table. (What the table was
    /// before is lost with the interrupted create: adopted, the association restores nothing
    /// on delete, as the table it names stays the main one.)
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let (Some(vpc), Some(table)) = (
            get_str(planned, "vpc_id"),
            get_str(planned, "route_table_id"),
        ) else {
            return Ok(Vec::new());
        };
        let found = match main_association(clients, vpc).await {
            Ok((id, main)) if main == table => Some(id),
            Ok(_) => None,
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e),
        };
        find_by_arguments(self, clients, found).await
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let tables =
            tables_by_filter(clients, "association.route-table-association-id", ids).await?;
        let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        Ok(main_associations(&tables, &wanted))
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let (vpc, table) = (
            required(planned, "vpc_id")?,
            required(planned, "route_table_id")?,
        );
        let (id, original) = main_association(ctx.clients, vpc).await?;
        let new_id = replace(ctx.clients, &id, table).await?;
        let state = read_created(self, ctx.clients, &new_id).await?;
        Ok(with_attrs(
            state,
            [("original_route_table_id", Value::string(original))],
        ))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let mut id = recorded_id(self, prior)?;
        if changed(prior, planned, "route_table_id") || changed(prior, planned, "vpc_id") {
            id = replace(ctx.clients, &id, required(planned, "route_table_id")?).await?;
        }
        let state = read_created(self, ctx.clients, &id).await?;
        Ok(with_attrs(
            state,
            [(
                "original_route_table_id",
                super::attr(prior, "original_route_table_id"),
            )],
        ))
    }

    /// The original main route table becomes the main one again.
    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let id = recorded_id(self, prior)?;
        let Some(original) = get_str(prior, "original_route_table_id") else {
            return Ok(());
        };
        match replace(ctx.clients, &id, original).await {
            Err(e) if e.is_not_found() => Ok(()),
            r => r.map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::RouteTableAssociation;

    #[test]
    fn only_main_associations_asked_for_are_read() {
        let assoc = |id: &str, main: bool| {
            RouteTableAssociation::builder()
                .route_table_association_id(id)
                .route_table_id("rtb-1")
                .main(main)
                .build()
        };
        let table = RouteTable::builder()
            .route_table_id("rtb-1")
            .vpc_id("vpc-1")
            .associations(assoc("rtbassoc-main", true))
            .associations(assoc("rtbassoc-subnet", false))
            .associations(assoc("rtbassoc-other", true))
            .build();
        let found = main_associations(
            &[table],
            &BTreeSet::from(["rtbassoc-main", "rtbassoc-subnet"]),
        );
        assert_eq!(found.len(), 1);
        let v = &found["rtbassoc-main"];
        assert_eq!(get_str(v, "vpc_id"), Some("vpc-1"));
        assert_eq!(get_str(v, "route_table_id"), Some("rtb-1"));
        assert_eq!(
            super::super::attr(v, "original_route_table_id"),
            Value::Null
        );
    }
}
