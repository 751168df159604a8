//! `aws_vpc_endpoint`: a VPC endpoint to an AWS service, a Gateway endpoint (S3, DynamoDB)
//! routed through `route_table_ids`, or an Interface endpoint with network interfaces in
//! `subnet_ids` behind `security_group_ids`. Its id is AWS's, `vpce-…`.
//!
//! Refresh describes all endpoints in one paginated `DescribeVpcEndpoints`, then the prefix
//! lists of the Gateway endpoints' services in one `DescribePrefixLists` (for `prefix_list_id`
//! and `cidr_blocks`, as the AWS provider reads them). An endpoint in state `deleted` is gone.
//! Route tables, subnets, security groups, the policy and `private_dns_enabled` change in place
//! (`ModifyVpcEndpoint`); the VPC, service and type replace the endpoint. As the provider does,
//! the create sends `private_dns_enabled` as configured, false when unset.
//!
//! Not supported yet (refused where set): `auto_accept`, `dns_options`, `ip_address_type`,
//! `resource_configuration_arn`, `service_network_arn`, `service_region`,
//! `subnet_configuration`; `dns_entry` is not read. The provider replaces a non-Interface
//! endpoint whose `private_dns_enabled` changes; ecsform sends the change and AWS refuses it.
//!
//! moto 5.2.5 lacks the `vpc-endpoint-id` filter (a read of ids of which one is gone lists all
//! endpoints instead, see [`crate::aws::ec2`]), keeps deleted endpoints with state `deleted`,
//! ignores `PrivateDnsEnabled` in `ModifyVpcEndpoint`, does not add or remove the prefix-list
//! routes of route tables changed by `ModifyVpcEndpoint`, and reports no `RequesterManaged`
//! (read as false). The request shapes are unit-tested below.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::operation::modify_vpc_endpoint::builders::ModifyVpcEndpointFluentBuilder;
use aws_sdk_ec2::types::{
    PrefixList, ResourceType as Ec2Type, State as EndpointState, VpcEndpoint,
    VpcEndpointType as EndpointKind,
};

use super::{changed, create_call, ec2_arn, recorded_id, wait_gone};
use crate::aws::call::call;
use crate::aws::ec2::{describe_ec2, filter, Ec2Objects, Ec2Reads};
use crate::aws::error::{classify, from_sdk, wait_until, ApiError, ErrorKind, OrGone, Result};
use crate::aws::json_doc::{canonical_policy, normalize_attr};
use crate::aws::resource_type::{id_prefix, States};
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, update_ec2_tags};
use crate::aws::{Adoption, AwsClients, CallContext, Declaration, IdPrefix, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_str, get_strings, opt_str, state_object, string_map};
use crate::provider::values::{string_set, strings};
use crate::provider::Schema;

pub struct VpcEndpointType;

static DECLARATION: Declaration = Declaration::new("aws_vpc_endpoint", &SCHEMA, Adoption::Tags);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id arn owner_id prefix_list_id state;
        required String: vpc_id.force_new() service_name.force_new();
        optional String: vpc_endpoint_type.force_new().default(Default::Str("Gateway"));
        optional_computed String: policy;
        optional_computed Bool: private_dns_enabled;
        optional_computed StringSet: route_table_ids security_group_ids subnet_ids;
        computed StringSet: network_interface_ids;
        computed StringList: cidr_blocks;
        computed Bool: requester_managed;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// How long an endpoint may take to become available, or to go away.
const SETTLE_LIMIT: Duration = Duration::from_secs(10 * 60);

/// True for an endpoint AWS still lists after its deletion. (AWS spells endpoint states in
/// lower case, the SDK's `State` values capitalised: compare without case.)
fn is_deleted(e: &VpcEndpoint) -> bool {
    e.state()
        .map(|s| s.as_str().to_ascii_lowercase())
        .is_some_and(|s| s == "deleted" || s == "deleting")
}

fn endpoint_state(e: &VpcEndpoint, prefix_lists: &[PrefixList], region: &str) -> Option<Value> {
    if is_deleted(e) {
        return None;
    }
    let id = e.vpc_endpoint_id()?;
    let owner = e.owner_id().unwrap_or_default();
    let tags = string_map(&from_ec2(e.tags()));
    let service = e.service_name();
    let prefix_list = prefix_lists
        .iter()
        .find(|p| service.is_some() && p.prefix_list_name() == service);
    let kind = e
        .vpc_endpoint_type()
        .map_or("Gateway", EndpointKind::as_str);
    Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(id)),
            (
                "arn",
                Value::string(ec2_arn(region, owner, "vpc-endpoint", id)),
            ),
            ("owner_id", opt_str(e.owner_id())),
            ("state", opt_str(e.state().map(EndpointState::as_str))),
            ("vpc_id", opt_str(e.vpc_id())),
            ("service_name", opt_str(service)),
            ("vpc_endpoint_type", Value::string(kind)),
            ("policy", opt_str(e.policy_document().map(canonical_policy))),
            (
                "private_dns_enabled",
                Value::Bool(e.private_dns_enabled().unwrap_or(false)),
            ),
            ("route_table_ids", string_set(e.route_table_ids().iter())),
            (
                "security_group_ids",
                string_set(e.groups().iter().filter_map(|g| g.group_id())),
            ),
            ("subnet_ids", string_set(e.subnet_ids().iter())),
            (
                "network_interface_ids",
                string_set(e.network_interface_ids().iter()),
            ),
            (
                "prefix_list_id",
                opt_str(prefix_list.and_then(|p| p.prefix_list_id())),
            ),
            (
                "cidr_blocks",
                prefix_list.map_or(Value::Null, |p| strings(p.cidrs().iter())),
            ),
            (
                "requester_managed",
                Value::Bool(e.requester_managed().unwrap_or(false)),
            ),
            ("tags", tags.clone()),
            ("tags_all", tags),
        ],
    ))
}

/// The AWS-managed prefix lists of the Gateway endpoints' services, in one call (none when
/// there are no Gateway endpoints).
async fn service_prefix_lists(
    clients: &AwsClients,
    endpoints: &[VpcEndpoint],
) -> Result<Vec<PrefixList>> {
    let names: BTreeSet<String> = endpoints
        .iter()
        .filter(|e| e.vpc_endpoint_type() == Some(&EndpointKind::Gateway))
        .filter_map(|e| e.service_name().map(String::from))
        .collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = names.into_iter().collect();
    call(|| {
        clients
            .ec2
            .describe_prefix_lists()
            .filters(filter("prefix-list-name", names.clone()))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await
}

/// The ids added to and removed from the set `name` between `prior` and `planned` (nothing
/// when the planned set is unknown: unset, it keeps what AWS has).
fn set_changes(prior: &Value, planned: &Value, name: &str) -> (Vec<String>, Vec<String>) {
    let known = planned
        .as_map()
        .and_then(|m| m.get(name))
        .is_some_and(Value::is_wholly_known);
    if !known || !changed(prior, planned, name) {
        return (Vec::new(), Vec::new());
    }
    let before: BTreeSet<String> = get_strings(prior, name).into_iter().collect();
    let after: BTreeSet<String> = get_strings(planned, name).into_iter().collect();
    (
        after.difference(&before).cloned().collect(),
        before.difference(&after).cloned().collect(),
    )
}

/// The `ModifyVpcEndpoint` request that brings the endpoint from `prior` to `planned`, or
/// `None` when nothing it changes differs.
fn modify_request(
    request: ModifyVpcEndpointFluentBuilder,
    prior: &Value,
    planned: &Value,
) -> Option<ModifyVpcEndpointFluentBuilder> {
    let mut request = request;
    let mut any = false;
    let non_empty = |v: Vec<String>| (!v.is_empty()).then_some(v);
    let (add, remove) = set_changes(prior, planned, "route_table_ids");
    any |= !add.is_empty() || !remove.is_empty();
    request = request
        .set_add_route_table_ids(non_empty(add))
        .set_remove_route_table_ids(non_empty(remove));
    let (add, remove) = set_changes(prior, planned, "subnet_ids");
    any |= !add.is_empty() || !remove.is_empty();
    request = request
        .set_add_subnet_ids(non_empty(add))
        .set_remove_subnet_ids(non_empty(remove));
    let (add, remove) = set_changes(prior, planned, "security_group_ids");
    any |= !add.is_empty() || !remove.is_empty();
    request = request
        .set_add_security_group_ids(non_empty(add))
        .set_remove_security_group_ids(non_empty(remove));
    let policy_known = planned
        .as_map()
        .and_then(|m| m.get("policy"))
        .is_some_and(Value::is_known);
    if policy_known && changed(prior, planned, "policy") {
        any = true;
        request = match get_str(planned, "policy").filter(|p| !p.is_empty()) {
            Some(policy) => request.policy_document(policy),
            None => request.reset_policy(true),
        };
    }
    let dns_known = planned
        .as_map()
        .and_then(|m| m.get("private_dns_enabled"))
        .is_some_and(Value::is_known);
    if dns_known && changed(prior, planned, "private_dns_enabled") {
        any = true;
        request =
            request.private_dns_enabled(get_bool(planned, "private_dns_enabled") == Some(true));
    }
    any.then_some(request)
}

impl VpcEndpointType {
    /// Waits until the endpoint is available (or waits for acceptance by the service's owner),
    /// returning its state.
    async fn wait_available(&self, clients: &AwsClients, id: &str) -> Result<Value> {
        let ids = [id.to_string()];
        wait_until(
            &format!("VPC endpoint {id} to become available"),
            Duration::from_secs(2),
            SETTLE_LIMIT,
            || async {
                let mut found = match self.read_many(clients, &ids).await.found()? {
                    Some(found) => found,
                    None => return Ok(None),
                };
                let Some(state) = found.remove(id) else {
                    return Ok(None);
                };
                match get_str(&state, "state")
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    Some("available" | "pendingacceptance") => Ok(Some(state)),
                    Some(s @ ("failed" | "rejected" | "expired")) => Err(ApiError::new(
                        ErrorKind::Other,
                        "VpcEndpointFailed",
                        format!("VPC endpoint {id} is {s}"),
                    )),
                    _ => Ok(None),
                }
            },
        )
        .await
    }
}

#[async_trait]
impl ResourceType for VpcEndpointType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static OBJECTS: Ec2Objects<VpcEndpoint> = Ec2Objects { state: None };
        Some(&OBJECTS)
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "VPC endpoint id", "vpce-"))
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_attr(value, "policy", canonical_policy)
    }

    /// One `DescribeVpcEndpoints` for all ids, one `DescribePrefixLists` for their services.
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let endpoints: Vec<VpcEndpoint> = describe_ec2(clients, ids).await?;
        let endpoints: Vec<VpcEndpoint> = endpoints
            .into_iter()
            .filter(|e| {
                e.vpc_endpoint_id()
                    .is_some_and(|id| ids.iter().any(|i| i == id))
            })
            .collect();
        let prefix_lists = service_prefix_lists(clients, &endpoints).await?;
        Ok(endpoints
            .iter()
            .filter_map(|e| {
                let state = endpoint_state(e, &prefix_lists, &clients.region)?;
                Some((e.vpc_endpoint_id()?.to_string(), state))
            })
            .collect())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let request = create_request(clients, planned, &creation_tags(planned, ctx.extra_tags))?;
        let service = get_str(planned, "service_name").unwrap_or_default();
        let out = create_call(&format!("VPC endpoint to {service} to be created"), || {
            let request = request.clone();
            async move { request.send().await.map_err(from_sdk) }
        })
        .await?;
        let id = out
            .vpc_endpoint()
            .and_then(|e| e.vpc_endpoint_id())
            .ok_or_else(|| ApiError::malformed("CreateVpcEndpoint returned no id"))?
            .to_string();
        self.wait_available(clients, &id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        let request = clients.ec2.modify_vpc_endpoint().vpc_endpoint_id(&id);
        if let Some(request) = modify_request(request, prior, planned) {
            call(|| request.clone().send()).await?;
        }
        update_ec2_tags(clients, &id, prior, planned).await?;
        self.wait_available(clients, &id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let id = recorded_id(self, prior)?;
        let out = call(|| {
            clients
                .ec2
                .delete_vpc_endpoints()
                .vpc_endpoint_ids(&id)
                .send()
        })
        .await;
        let Some(out) = out.found()? else {
            return Ok(());
        };
        // DeleteVpcEndpoints answers per endpoint: a failure is an item, not an error.
        if let Some(e) = out.unsuccessful().iter().find_map(|u| u.error()) {
            let code = e.code().unwrap_or("Unknown");
            let error = ApiError::new(classify(code, None), code, e.message().unwrap_or(""));
            if !error.is_not_found() {
                return Err(error);
            }
            return Ok(());
        }
        wait_gone(self, clients, "VPC endpoint", &id, SETTLE_LIMIT).await
    }
}

/// The `CreateVpcEndpoint` request for `planned`, tagged with `tags`.
fn create_request(
    clients: &AwsClients,
    planned: &Value,
    tags: &BTreeMap<String, String>,
) -> Result<aws_sdk_ec2::operation::create_vpc_endpoint::builders::CreateVpcEndpointFluentBuilder> {
    let vpc = get_str(planned, "vpc_id")
        .ok_or_else(|| ApiError::malformed("aws_vpc_endpoint has no vpc_id"))?;
    let service = get_str(planned, "service_name")
        .ok_or_else(|| ApiError::malformed("aws_vpc_endpoint has no service_name"))?;
    let kind = get_str(planned, "vpc_endpoint_type").unwrap_or("Gateway");
    let ids = |name: &str| {
        let v = get_strings(planned, name);
        (!v.is_empty()).then_some(v)
    };
    Ok(clients
        .ec2
        .create_vpc_endpoint()
        .vpc_id(vpc)
        .service_name(service)
        .vpc_endpoint_type(EndpointKind::from(kind))
        .private_dns_enabled(get_bool(planned, "private_dns_enabled") == Some(true))
        .set_policy_document(get_str(planned, "policy").map(String::from))
        .set_route_table_ids(ids("route_table_ids"))
        .set_subnet_ids(ids("subnet_ids"))
        .set_security_group_ids(ids("security_group_ids"))
        .client_token(uuid::Uuid::new_v4().to_string())
        .tag_specifications(tag_spec(Ec2Type::VpcEndpoint, tags)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;

    fn planned(mut pairs: Vec<(&str, Value)>) -> Value {
        for (name, value) in [
            ("vpc_id", "vpc-1"),
            ("service_name", "com.amazonaws.eu-west-1.s3"),
        ] {
            if !pairs.iter().any(|(n, _)| *n == name) {
                pairs.push((name, Value::string(value)));
            }
        }
        SCHEMA.conformed(pairs)
    }

    #[test]
    fn create_sends_the_configuration_and_private_dns_off_when_unset() {
        let clients = offline_clients();
        let p = planned(vec![
            ("vpc_id", Value::string("vpc-1")),
            (
                "service_name",
                Value::string("com.amazonaws.eu-west-1.ecr.api"),
            ),
            ("vpc_endpoint_type", Value::string("Interface")),
            ("subnet_ids", string_set(["subnet-1", "subnet-2"])),
            ("security_group_ids", string_set(["sg-1"])),
        ]);
        let r = create_request(&clients, &p, &BTreeMap::new()).unwrap();
        let input = r.as_input();
        assert_eq!(
            input.get_vpc_endpoint_type(),
            &Some(EndpointKind::Interface)
        );
        assert_eq!(input.get_private_dns_enabled(), &Some(false));
        assert_eq!(
            input.get_subnet_ids(),
            &Some(vec!["subnet-1".to_string(), "subnet-2".to_string()])
        );
        assert_eq!(
            input.get_security_group_ids(),
            &Some(vec!["sg-1".to_string()])
        );
        assert_eq!(input.get_route_table_ids(), &None);
        assert_eq!(input.get_policy_document(), &None);
    }

    #[test]
    fn modify_adds_and_removes_set_members_and_resets_a_removed_policy() {
        let clients = offline_clients();
        let prior = planned(vec![
            ("route_table_ids", string_set(["rtb-1", "rtb-2"])),
            ("policy", Value::string("{\"Statement\":[]}")),
            ("private_dns_enabled", Value::Bool(false)),
        ]);
        let next = planned(vec![
            ("route_table_ids", string_set(["rtb-2", "rtb-3"])),
            ("policy", Value::string("")),
            ("private_dns_enabled", Value::Bool(true)),
        ]);
        let r = modify_request(clients.ec2.modify_vpc_endpoint(), &prior, &next).unwrap();
        let input = r.as_input();
        assert_eq!(
            input.get_add_route_table_ids(),
            &Some(vec!["rtb-3".to_string()])
        );
        assert_eq!(
            input.get_remove_route_table_ids(),
            &Some(vec!["rtb-1".to_string()])
        );
        assert_eq!(input.get_add_subnet_ids(), &None);
        assert_eq!(input.get_reset_policy(), &Some(true));
        assert_eq!(input.get_private_dns_enabled(), &Some(true));
        // Unknown (unset) sets and an unchanged object send nothing.
        let unset = planned(vec![]);
        assert!(modify_request(clients.ec2.modify_vpc_endpoint(), &prior, &unset).is_none());
        assert!(modify_request(clients.ec2.modify_vpc_endpoint(), &next, &next).is_none());
    }

    #[test]
    fn deleted_endpoints_are_gone_and_gateway_endpoints_show_their_prefix_list() {
        let e = VpcEndpoint::builder()
            .vpc_endpoint_id("vpce-1")
            .vpc_endpoint_type(EndpointKind::Gateway)
            .service_name("com.amazonaws.eu-west-1.s3")
            .owner_id("123456789012")
            .state(EndpointState::Available)
            .route_table_ids("rtb-1")
            .build();
        let pl = PrefixList::builder()
            .prefix_list_name("com.amazonaws.eu-west-1.s3")
            .prefix_list_id("pl-6da54004")
            .cidrs("52.218.0.0/17")
            .build();
        let s = endpoint_state(&e, &[pl], "eu-west-1").unwrap();
        let m = s.as_map().unwrap();
        assert_eq!(m["prefix_list_id"], Value::string("pl-6da54004"));
        assert_eq!(m["cidr_blocks"], strings(["52.218.0.0/17"]));
        assert_eq!(
            m["arn"],
            Value::string("arn:aws:ec2:eu-west-1:123456789012:vpc-endpoint/vpce-1")
        );
        assert_eq!(m["requester_managed"], Value::Bool(false));
        let deleted = VpcEndpoint::builder()
            .vpc_endpoint_id("vpce-1")
            .state(EndpointState::from("deleted"))
            .build();
        assert!(endpoint_state(&deleted, &[], "eu-west-1").is_none());
    }
}
