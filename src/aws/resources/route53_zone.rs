//! `aws_route53_zone`: a Route 53 hosted zone, public, or private with `vpc` blocks.
//!
//! The id is the zone id without its `/hostedzone/` prefix (`Z0123…`), as in the provider,
//! and is the import ID. `name` is recorded lower case without the final dot (the provider's
//! state function), so `example.com.` and `Example.com` plan no change. `comment` (default
//! "Managed by Terraform") changes in place (UpdateHostedZoneComment), as do the tags
//! (ChangeTagsForResource) and a private zone's VPCs (Associate/DisassociateVPC...); a change
//! between public and private replaces the zone. `force_destroy` deletes every record set but
//! the zone's own NS and SOA before the zone. Refresh reads each zone with GetHostedZone (name
//! servers, VPCs) and its record sets for the SOA (`primary_name_server`) and, for a private
//! zone, its NS record (`name_servers`); AWS reads one zone at a time, so that is the floor.
//! Tags are read ten zones a call (ListTagsForResources). Route 53 takes no tags at creation:
//! the zone's CallerReference carries a hash of the instance's address and lineage, by which
//! a zone created before a crash is found again. `delegation_set_id`,
//! `enable_accelerated_recovery` and `timeouts` are refused as not supported yet. moto answers
//! every change INSYNC at once.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, HostedZoneConfig, RrType, Tag, TagResourceType, Vpc,
    VpcRegion,
};
use sha2::{Digest, Sha256};

use super::changed;
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{ApiError, OrGone};
use crate::aws::resource_type::States;
use crate::aws::route53::{
    clean_record_name, clean_zone_id, normalize_name, record_sets, wait_for_change,
};
use crate::aws::service_tags::{read_tags, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::{Adoption, AwsClients, Candidate, Declaration, Owner};
use crate::aws::{CallContext, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::{BlockSchema, Default};
use crate::provider::values::{
    block_object, get_blocks, get_bool, get_str, opt_str, state_object, strings,
};
use crate::provider::Schema;

pub struct Route53ZoneType;

static DECLARATION: Declaration = Declaration::new("aws_route53_zone", &SCHEMA, Adoption::Tags);

static VPC_ATTRS: &[crate::provider::AttrSchema] = attrs![
    required String: vpc_id;
    optional_computed String: vpc_region;
];

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id arn zone_id primary_name_server;
        required String: name.force_new();
        optional String: comment.default(Default::Str("Managed by Terraform"));
        optional Bool: force_destroy.local().default(Default::Bool(false));
        computed StringList: name_servers;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[BlockSchema::set("vpc", VPC_ATTRS)],
};

/// The zone's ARN (Route 53 is global: no region, no account).
fn zone_arn(id: &str) -> String {
    format!("arn:aws:route53:::hostedzone/{id}")
}

/// What a CallerReference starts with for the zones of `owner`: a hash of its lineage and
/// address (CallerReferences are at most 128 characters; addresses can be longer).
fn caller_prefix(address: &str, lineage: &str) -> String {
    let digest = Sha256::digest(format!("{lineage}\n{address}"));
    format!("ecsform-{}", &hex::encode(digest)[..32])
}

/// The VPCs of a configuration or state: (id, region), the region defaulting to `region`.
fn vpcs(v: &Value, region: &str) -> Vec<(String, String)> {
    get_blocks(v, "vpc")
        .iter()
        .filter_map(|b| {
            let id = get_str(b, "vpc_id")?.to_string();
            let r = get_str(b, "vpc_region").unwrap_or(region).to_string();
            Some((id, r))
        })
        .collect()
}

fn vpc(id: &str, region: &str) -> Vpc {
    Vpc::builder()
        .vpc_id(id)
        .vpc_region(VpcRegion::from(region))
        .build()
}

/// Reads zones one at a time (GetHostedZone and its record sets), their tags ten at a time.
pub(crate) async fn read_zones(clients: &AwsClients, ids: &[String]) -> Result<States> {
    let mut found = BTreeMap::new();
    for id in ids {
        let id = clean_zone_id(id);
        let Some(out) = call(|| clients.route53.get_hosted_zone().id(id).send())
            .await
            .found()?
        else {
            continue;
        };
        let Some(zone) = out.hosted_zone() else {
            continue;
        };
        let private = zone.config().is_some_and(|c| c.private_zone());
        let Some(records) = record_sets(clients, id).await.found()? else {
            continue;
        };
        let apex = clean_record_name(zone.name());
        let apex_values = |ty: RrType| -> Vec<String> {
            records
                .iter()
                .filter(|r| *r.r#type() == ty && clean_record_name(r.name()) == apex)
                .flat_map(|r| r.resource_records().iter().map(|v| v.value().to_string()))
                .collect()
        };
        let mut name_servers: Vec<String> = if private {
            apex_values(RrType::Ns)
        } else {
            out.delegation_set()
                .map(|d| d.name_servers().to_vec())
                .unwrap_or_default()
        };
        name_servers = name_servers.iter().map(|n| normalize_name(n)).collect();
        name_servers.sort();
        let primary = apex_values(RrType::Soa)
            .first()
            .and_then(|soa| soa.split_whitespace().next())
            .map(normalize_name);
        let vpc_blocks: Vec<Value> = out
            .vpcs()
            .iter()
            .map(|v| {
                block_object(
                    VPC_ATTRS,
                    [
                        ("vpc_id", opt_str(v.vpc_id())),
                        ("vpc_region", opt_str(v.vpc_region().map(|r| r.as_str()))),
                    ],
                )
            })
            .collect();
        let state = state_object(
            &SCHEMA,
            [
                ("id", Value::string(id)),
                ("zone_id", Value::string(id)),
                ("arn", Value::string(zone_arn(id))),
                ("name", Value::string(normalize_name(zone.name()))),
                ("comment", opt_str(zone.config().and_then(|c| c.comment()))),
                ("force_destroy", Value::Bool(false)),
                ("name_servers", strings(name_servers)),
                ("primary_name_server", opt_str(primary)),
                ("vpc", Value::set(vpc_blocks)),
            ],
        );
        found.insert(id.to_string(), state);
    }
    let tags = zone_tags(clients, &found.keys().cloned().collect::<Vec<_>>()).await?;
    Ok(found
        .into_iter()
        .map(|(id, state)| {
            let pairs = tags.get(&id).cloned().unwrap_or_default();
            (id, super::with_attrs(state, read_tags(pairs)))
        })
        .collect())
}

/// The tags of zones `ids` (ecsform's own included), ten zones a call.
async fn zone_tags(
    clients: &AwsClients,
    ids: &[String],
) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
    let mut out = BTreeMap::new();
    for chunk in ids.chunks(10) {
        let sets = call(|| {
            clients
                .route53
                .list_tags_for_resources()
                .resource_type(TagResourceType::Hostedzone)
                .set_resource_ids(Some(chunk.to_vec()))
                .send()
        })
        .await?;
        for set in sets.resource_tag_sets() {
            let Some(id) = set.resource_id() else {
                continue;
            };
            let tags = set
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
                .collect();
            out.insert(id.to_string(), tags);
        }
    }
    Ok(out)
}

/// Sends tag changes in Route 53's one call, adding and removing at once.
async fn change_tags(clients: &AwsClients, id: &str, changes: &TagChanges) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let add: Vec<Tag> = changes
        .set
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    call(|| {
        clients
            .route53
            .change_tags_for_resource()
            .resource_type(TagResourceType::Hostedzone)
            .resource_id(id)
            .set_add_tags((!add.is_empty()).then(|| add.clone()))
            .set_remove_tag_keys((!changes.remove.is_empty()).then(|| changes.remove.clone()))
            .send()
    })
    .await?;
    Ok(())
}

/// Deletes every record set of the zone but its own NS and SOA, in batches.
async fn delete_records(clients: &AwsClients, id: &str, zone_name: &str) -> Result<()> {
    let apex = clean_record_name(zone_name);
    let doomed: Vec<Change> = record_sets(clients, id)
        .await?
        .into_iter()
        .filter(|r| {
            !(matches!(r.r#type(), RrType::Ns | RrType::Soa) && clean_record_name(r.name()) == apex)
        })
        .map(|r| {
            Change::builder()
                .action(ChangeAction::Delete)
                .resource_record_set(r)
                .build()
                .expect("action and record set are set")
        })
        .collect();
    for batch in doomed.chunks(100) {
        let out = call(|| {
            clients
                .route53
                .change_resource_record_sets()
                .hosted_zone_id(id)
                .change_batch(
                    ChangeBatch::builder()
                        .comment("Deleted by ecsform (force_destroy)")
                        .set_changes(Some(batch.to_vec()))
                        .build()
                        .expect("changes are set"),
                )
                .send()
        })
        .await?;
        if let Some(info) = out.change_info() {
            wait_for_change(clients, info.id()).await?;
        }
    }
    Ok(())
}

#[async_trait]
impl ResourceType for Route53ZoneType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn normalize(&self, value: Value) -> Value {
        let Value::Map(mut m) = value else {
            return value;
        };
        if let Some(Value::String(n)) = m.get("name") {
            let n = normalize_name(n);
            m.insert("name".into(), Value::String(n));
        }
        Value::Map(m)
    }

    /// Zones with the planned name whose CallerReference carries the owner's hash.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name").map(normalize_name) else {
            return Ok(Vec::new());
        };
        let prefix = caller_prefix(owner.address, owner.lineage);
        let listed = call(|| {
            clients
                .route53
                .list_hosted_zones_by_name()
                .dns_name(&name)
                .send()
        })
        .await?;
        let ids: Vec<String> = listed
            .hosted_zones()
            .iter()
            .filter(|z| {
                normalize_name(z.name()) == name && z.caller_reference().starts_with(&prefix)
            })
            .map(|z| clean_zone_id(z.id()).to_string())
            .collect();
        Ok(read_zones(clients, &ids)
            .await?
            .into_values()
            .map(Candidate::Ours)
            .collect())
    }

    fn import_id_format(&self) -> &'static str {
        "the hosted zone id (`Z…`)"
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_zones(clients, ids).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let c = ctx.clients;
        let name = get_str(planned, "name").unwrap_or_default();
        let lineage = ctx
            .extra_tags
            .get("ecsform:lineage")
            .map(String::as_str)
            .unwrap_or_default();
        let reference = format!(
            "{}-{}",
            caller_prefix(ctx.address, lineage),
            &uuid::Uuid::new_v4().simple().to_string()[..16]
        );
        let zone_vpcs = vpcs(planned, &c.region);
        let config = HostedZoneConfig::builder()
            .set_comment(get_str(planned, "comment").map(String::from))
            .private_zone(!zone_vpcs.is_empty())
            .build();
        let out = call(|| {
            c.route53
                .create_hosted_zone()
                .name(name)
                .caller_reference(&reference)
                .hosted_zone_config(config.clone())
                .set_vpc(zone_vpcs.first().map(|(id, r)| vpc(id, r)))
                .send()
        })
        .await?;
        let id = out
            .hosted_zone()
            .map(|z| clean_zone_id(z.id()).to_string())
            .ok_or_else(|| ApiError::malformed("CreateHostedZone returned no zone"))?;
        if let Some(info) = out.change_info() {
            wait_for_change(c, info.id()).await?;
        }
        for (vpc_id, region) in zone_vpcs.iter().skip(1) {
            self.associate(c, &id, vpc_id, region).await?;
        }
        let tags = TagChanges {
            set: creation_tags(planned, ctx.extra_tags),
            remove: Vec::new(),
        };
        change_tags(c, &id, &tags).await?;
        let mut read = read_zones(c, std::slice::from_ref(&id)).await?;
        let state = read.remove(&id).ok_or_else(|| {
            ApiError::malformed(format!("hosted zone {id} not found after create"))
        })?;
        Ok(super::with_attrs(
            state,
            [("force_destroy", super::attr(planned, "force_destroy"))],
        ))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let c = ctx.clients;
        let id = super::recorded_id(self, prior)?;
        if changed(prior, planned, "comment") {
            let comment = get_str(planned, "comment").map(String::from);
            call(|| {
                c.route53
                    .update_hosted_zone_comment()
                    .id(&id)
                    .set_comment(comment.clone())
                    .send()
            })
            .await?;
        }
        let before = vpcs(prior, &c.region);
        let after = vpcs(planned, &c.region);
        // Associate first: a private zone must keep at least one VPC.
        for (vpc_id, region) in after.iter().filter(|v| !before.contains(v)) {
            self.associate(c, &id, vpc_id, region).await?;
        }
        for (vpc_id, region) in before.iter().filter(|v| !after.contains(v)) {
            let out = call(|| {
                c.route53
                    .disassociate_vpc_from_hosted_zone()
                    .hosted_zone_id(&id)
                    .vpc(vpc(vpc_id, region))
                    .send()
            })
            .await?;
            if let Some(info) = out.change_info() {
                wait_for_change(c, info.id()).await?;
            }
        }
        change_tags(c, &id, &TagChanges::between(prior, planned)).await?;
        let mut read = read_zones(c, std::slice::from_ref(&id)).await?;
        let state = read.remove(&id).ok_or_else(|| {
            ApiError::malformed(format!("hosted zone {id} not found after update"))
        })?;
        Ok(super::with_attrs(
            state,
            [("force_destroy", super::attr(planned, "force_destroy"))],
        ))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let c = ctx.clients;
        let id = super::recorded_id(self, prior)?;
        if get_bool(prior, "force_destroy") == Some(true) {
            let name = get_str(prior, "name").unwrap_or_default();
            if delete_records(c, &id, name).await.found()?.is_none() {
                return Ok(());
            }
        }
        let out = call(|| c.route53.delete_hosted_zone().id(&id).send())
            .await
            .found()?;
        if let Some(info) = out.as_ref().and_then(|o| o.change_info()) {
            wait_for_change(c, info.id()).await?;
        }
        Ok(())
    }
}

impl Route53ZoneType {
    async fn associate(&self, c: &AwsClients, id: &str, vpc_id: &str, region: &str) -> Result<()> {
        let out = call(|| {
            c.route53
                .associate_vpc_with_hosted_zone()
                .hosted_zone_id(id)
                .vpc(vpc(vpc_id, region))
                .send()
        })
        .await?;
        if let Some(info) = out.change_info() {
            wait_for_change(c, info.id()).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_references_name_their_owner() {
        let a = caller_prefix("aws_route53_zone.main", "lineage-1");
        assert_eq!(a.len(), "ecsform-".len() + 32);
        assert_eq!(a, caller_prefix("aws_route53_zone.main", "lineage-1"));
        assert_ne!(a, caller_prefix("aws_route53_zone.main", "lineage-2"));
        assert_ne!(a, caller_prefix("aws_route53_zone.other", "lineage-1"));
    }

    #[test]
    fn names_plan_no_change_for_case_or_the_final_dot() {
        let v = Route53ZoneType.normalize(Value::map([("name", Value::string("Example.COM."))]));
        assert_eq!(v.as_map().unwrap()["name"], Value::string("example.com"));
    }
}
