//! `aws_eip`: an Elastic IP address, optionally associated with an instance or a network
//! interface.
//!
//! The id is the allocation id (VPC addresses only; EC2-Classic is gone). `instance` and
//! `network_interface` are optional and computed: an address associated by someone else (a
//! NAT gateway, `aws_eip_association`) reports its interface without a planned change.
//! Changing the association disassociates and re-associates in place.

use std::time::Duration;

use crate::aws::Adoption;
use async_trait::async_trait;
use aws_sdk_ec2::types::{Address, DomainType, ResourceType as Ec2ResourceType};

use super::{attr, read_created};
use crate::aws::call::call;
use crate::aws::ec2::{Ec2Objects, Ec2Reads};
use crate::aws::error::Result;
use crate::aws::error::{
    eventually_consistent, from_sdk, retry, wait_until, ApiError, OrGone, RetryPolicy,
};
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

pub struct EipType;

static DECLARATION: Declaration = Declaration::new("aws_eip", &SCHEMA, Adoption::Tags);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id allocation_id association_id;
        optional String: domain.force_new().default(Default::Str("vpc"));
        optional_computed String: instance network_interface associate_with_private_ip;
        optional_computed String: public_ipv4_pool.force_new();
        computed String: public_ip private_ip public_dns private_dns carrier_ip;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// How long release waits for an address still in use (e.g. by a NAT gateway being deleted).
const RELEASE_LIMIT: Duration = Duration::from_secs(5 * 60);

/// EC2's DNS names for an address, as the AWS provider computes them.
fn dns_names(ip: &str, region: &str) -> (String, String) {
    let dashed = ip.replace('.', "-");
    if region == "us-east-1" {
        (
            format!("ec2-{dashed}.compute-1.amazonaws.com"),
            format!("ip-{dashed}.ec2.internal"),
        )
    } else {
        (
            format!("ec2-{dashed}.{region}.compute.amazonaws.com"),
            format!("ip-{dashed}.{region}.compute.internal"),
        )
    }
}

/// AWS (and moto) sometimes report absent strings as empty ones.
fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

fn address_state(a: &Address, region: &str) -> Option<(String, Value)> {
    let id = a.allocation_id()?.to_string();
    let public_ip = non_empty(a.public_ip());
    let private_ip = non_empty(a.private_ip_address());
    let tags = string_map(&from_ec2(a.tags()));
    let domain = a.domain().map(|d| d.as_str().to_string());
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&id)),
            ("allocation_id", Value::string(&id)),
            ("association_id", opt_str(non_empty(a.association_id()))),
            ("domain", opt_str(domain.or(Some("vpc".into())))),
            ("instance", opt_str(non_empty(a.instance_id()))),
            (
                "network_interface",
                opt_str(non_empty(a.network_interface_id())),
            ),
            ("public_ipv4_pool", opt_str(non_empty(a.public_ipv4_pool()))),
            ("public_ip", opt_str(public_ip)),
            ("private_ip", opt_str(private_ip)),
            // AWS does not say which private IP was asked for; the associated one is it.
            (
                "associate_with_private_ip",
                opt_str(private_ip.filter(|_| non_empty(a.association_id()).is_some())),
            ),
            (
                "public_dns",
                opt_str(public_ip.map(|ip| dns_names(ip, region).0)),
            ),
            (
                "private_dns",
                opt_str(private_ip.map(|ip| dns_names(ip, region).1)),
            ),
            ("carrier_ip", opt_str(non_empty(a.carrier_ip()))),
            ("tags", tags.clone()),
            ("tags_all", tags),
        ],
    );
    Some((id, state))
}

/// Associates the address with the planned instance or network interface, if any.
async fn associate(clients: &AwsClients, id: &str, planned: &Value) -> Result<()> {
    let instance = get_str(planned, "instance");
    let eni = get_str(planned, "network_interface");
    if instance.is_none() && eni.is_none() {
        return Ok(());
    }
    retry(RetryPolicy::default(), || async {
        clients
            .ec2
            .associate_address()
            .allocation_id(id)
            .set_instance_id(instance.map(String::from))
            .set_network_interface_id(eni.map(String::from))
            .set_private_ip_address(get_str(planned, "associate_with_private_ip").map(String::from))
            .send()
            .await
            .map_err(from_sdk)
            // A new address or an instance still starting: not ready yet rather than wrong.
            .map_err(|e| {
                if e.is_unknown_allocation_or_instance() {
                    eventually_consistent(e)
                } else {
                    e
                }
            })
    })
    .await?;
    Ok(())
}

async fn disassociate(clients: &AwsClients, association_id: &str) -> Result<()> {
    call(|| {
        clients
            .ec2
            .disassociate_address()
            .association_id(association_id)
            .send()
    })
    .await
    .ok_if_gone()
}

/// True if the planned association differs from the prior one. Unknown planned values mean
/// "not configured": keep whatever association there is.
fn association_changed(prior: &Value, planned: &Value) -> bool {
    ["instance", "network_interface", "associate_with_private_ip"]
        .iter()
        .any(|k| attr(planned, k).is_known() && !attr(planned, k).equals(&attr(prior, k)))
}

#[async_trait]
impl ResourceType for EipType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static OBJECTS: Ec2Objects<Address> = Ec2Objects {
            state: Some(|a, region| address_state(a, region).map(|(_, v)| v)),
        };
        Some(&OBJECTS)
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(an "allocation id", "eipalloc-"))
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let domain = match get_str(planned, "domain").unwrap_or("vpc") {
            "standard" => DomainType::Standard,
            _ => DomainType::Vpc,
        };
        let tags = creation_tags(planned, ctx.extra_tags);
        let allocated = call(|| {
            ctx.clients
                .ec2
                .allocate_address()
                .domain(domain.clone())
                .set_public_ipv4_pool(get_str(planned, "public_ipv4_pool").map(String::from))
                .tag_specifications(tag_spec(Ec2ResourceType::ElasticIp, &tags))
                .send()
        })
        .await?;
        let id = allocated
            .allocation_id()
            .ok_or_else(|| ApiError::malformed("AllocateAddress returned no allocation id"))?;
        associate(ctx.clients, id, planned).await?;
        read_created(self, ctx.clients, id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        if association_changed(prior, planned) {
            if let Some(assoc) = get_str(prior, "association_id") {
                disassociate(ctx.clients, assoc).await?;
            }
            associate(ctx.clients, id, planned).await?;
        }
        if attr(prior, "tags_all") != attr(planned, "tags_all") {
            update_ec2_tags(ctx.clients, id, prior, planned).await?;
        }
        read_created(self, ctx.clients, id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let Some(id) = get_str(prior, "id") else {
            return Ok(());
        };
        if let Some(assoc) = get_str(prior, "association_id") {
            disassociate(ctx.clients, assoc).await?;
        }
        wait_until(
            &format!("Elastic IP {id} to be released (it is still in use)"),
            Duration::from_secs(5),
            RELEASE_LIMIT,
            || async {
                let r = call(|| ctx.clients.ec2.release_address().allocation_id(id).send()).await;
                match r.ok_if_gone() {
                    Err(e) if e.is_address_in_use() => Ok(None),
                    r => r.map(Some),
                }
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names_follow_ec2_conventions() {
        assert_eq!(
            dns_names("52.1.2.3", "eu-west-1"),
            (
                "ec2-52-1-2-3.eu-west-1.compute.amazonaws.com".to_string(),
                "ip-52-1-2-3.eu-west-1.compute.internal".to_string()
            )
        );
        assert_eq!(
            dns_names("10.0.0.5", "us-east-1").1,
            "ip-10-0-0-5.ec2.internal"
        );
    }

    #[test]
    fn state_comes_from_the_address() {
        let a = Address::builder()
            .allocation_id("eipalloc-1")
            .public_ip("52.1.2.3")
            .domain(DomainType::Vpc)
            .instance_id("")
            .build();
        let (id, v) = address_state(&a, "eu-west-1").unwrap();
        assert_eq!(id, "eipalloc-1");
        let m = v.as_map().unwrap();
        assert_eq!(m["instance"], Value::Null);
        assert_eq!(m["domain"], Value::string("vpc"));
        assert_eq!(
            m["public_dns"],
            Value::string("ec2-52-1-2-3.eu-west-1.compute.amazonaws.com")
        );
    }

    #[test]
    fn unconfigured_association_is_left_alone() {
        let prior = Value::map([("network_interface", Value::string("eni-1"))]);
        let conformed = SCHEMA.conform(&Value::map::<&str>([])).unwrap();
        assert!(!association_changed(&prior, &conformed));
        let planned = Value::map([("instance", Value::string("i-1"))]);
        assert!(association_changed(&prior, &planned));
    }
}
