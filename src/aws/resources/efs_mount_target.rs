//! `aws_efs_mount_target`: an EFS file system's mount target in one subnet. Its id is AWS's,
//! `fsmt-…`, which is also the import ID; `dns_name` (the file system's), `mount_target_dns_name`
//! (`AZ.FS_ID.efs.REGION.amazonaws.com`), `file_system_arn`, the zone, network interface and
//! owner are read from AWS.
//!
//! As in the AWS provider: `file_system_id`, `subnet_id` and `ip_address` force a new mount
//! target; `security_groups` (AWS puts the VPC's default group when unset) change in place with
//! ModifyMountTargetSecurityGroups. Create waits for the `available` LifeCycleState, delete
//! until the mount target is gone. `ip_address_type` and `ipv6_address` are not supported yet.
//!
//! Mount targets have no tags: an interrupted create is found again by its arguments, the one
//! mount target of the file system in that subnet (AWS allows one per zone). Refresh takes one
//! DescribeMountTargets and one DescribeMountTargetSecurityGroups per mount target: AWS lists
//! mount targets only per file system (or by one id), and returns their groups separately.
//! moto serves all of it.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_efs::types::{LifeCycleState, MountTargetDescription};

use super::{changed, partition, read_created, recorded_id, wait_gone};
use crate::aws::adopt::read_ours;
use crate::aws::call::call;
use crate::aws::error::{wait_until, ApiError, ErrorKind, OrGone, Result};
use crate::aws::resource_type::{id_prefix, States};
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, Declaration, IdPrefix, Owner, ResourceType,
};
use crate::lang::Value;
use crate::provider::values::{get_str, get_strings, opt_str, state_object, string_set};
use crate::provider::{attrs, Schema};

pub struct EfsMountTargetType;

static DECLARATION: Declaration =
    Declaration::new("aws_efs_mount_target", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id availability_zone_id availability_zone_name dns_name file_system_arn;
        computed String: mount_target_dns_name network_interface_id owner_id;
        required String: file_system_id.force_new() subnet_id.force_new();
        optional_computed String: ip_address.force_new();
        optional_computed StringSet: security_groups;
    ],
    blocks: &[],
};

/// The provider's create and delete timeouts (30 and 10 minutes).
const CREATE_LIMIT: Duration = Duration::from_secs(30 * 60);
const DELETE_LIMIT: Duration = Duration::from_secs(10 * 60);

fn mount_target_state(mt: &MountTargetDescription, groups: &[String], region: &str) -> Value {
    let fs = mt.file_system_id();
    let owner = mt.owner_id().unwrap_or_default();
    let zone = mt.availability_zone_name();
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(mt.mount_target_id())),
            ("availability_zone_id", opt_str(mt.availability_zone_id())),
            ("availability_zone_name", opt_str(zone)),
            (
                "dns_name",
                Value::string(format!("{fs}.efs.{region}.amazonaws.com")),
            ),
            (
                "file_system_arn",
                Value::string(format!(
                    "arn:{}:elasticfilesystem:{region}:{owner}:file-system/{fs}",
                    partition(region)
                )),
            ),
            (
                "mount_target_dns_name",
                opt_str(zone.map(|z| format!("{z}.{fs}.efs.{region}.amazonaws.com"))),
            ),
            ("network_interface_id", opt_str(mt.network_interface_id())),
            ("owner_id", opt_str(mt.owner_id())),
            ("file_system_id", Value::string(fs)),
            ("subnet_id", Value::string(mt.subnet_id())),
            ("ip_address", opt_str(mt.ip_address())),
            ("security_groups", string_set(groups.iter().cloned())),
        ],
    )
}

async fn describe_one(clients: &AwsClients, id: &str) -> Result<Option<MountTargetDescription>> {
    let out = call(|| {
        clients
            .efs
            .describe_mount_targets()
            .mount_target_id(id)
            .send()
    })
    .await
    .found()?;
    Ok(out.and_then(|o| o.mount_targets().first().cloned()))
}

async fn groups_of(clients: &AwsClients, id: &str) -> Result<Vec<String>> {
    let out = call(|| {
        clients
            .efs
            .describe_mount_target_security_groups()
            .mount_target_id(id)
            .send()
    })
    .await?;
    Ok(out.security_groups().to_vec())
}

/// Waits until the mount target is `available`.
async fn wait_available(clients: &AwsClients, id: &str) -> Result<()> {
    wait_until(
        &format!("EFS mount target {id} to become available"),
        Duration::from_secs(5),
        CREATE_LIMIT,
        || async {
            match describe_one(clients, id)
                .await?
                .map(|m| m.life_cycle_state().clone())
            {
                Some(LifeCycleState::Available) => Ok(Some(())),
                Some(LifeCycleState::Creating | LifeCycleState::Updating) | None => Ok(None),
                Some(other) => Err(ApiError::new(
                    ErrorKind::Other,
                    "UnexpectedState",
                    format!("EFS mount target {id} is {}", other.as_str()),
                )),
            }
        },
    )
    .await
}

fn create_request(
    clients: &AwsClients,
    planned: &Value,
) -> aws_sdk_efs::operation::create_mount_target::builders::CreateMountTargetFluentBuilder {
    let groups = get_strings(planned, "security_groups");
    clients
        .efs
        .create_mount_target()
        .file_system_id(get_str(planned, "file_system_id").unwrap_or_default())
        .subnet_id(get_str(planned, "subnet_id").unwrap_or_default())
        .set_ip_address(get_str(planned, "ip_address").map(String::from))
        .set_security_groups((!groups.is_empty()).then_some(groups))
}

#[async_trait]
impl ResourceType for EfsMountTargetType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "mount target id", "fsmt-"))
    }

    /// The file system's mount target in the planned subnet (one per zone at most).
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let (Some(fs), Some(subnet)) = (
            get_str(planned, "file_system_id"),
            get_str(planned, "subnet_id"),
        ) else {
            return Ok(Vec::new());
        };
        let found = call(|| {
            clients
                .efs
                .describe_mount_targets()
                .file_system_id(fs)
                .send()
        })
        .await
        .found()?;
        let ids: Vec<String> = found
            .iter()
            .flat_map(|o| o.mount_targets())
            .filter(|m| m.subnet_id() == subnet)
            .map(|m| m.mount_target_id().to_string())
            .collect();
        read_ours(self, clients, &ids).await
    }

    /// One DescribeMountTargets (and one DescribeMountTargetSecurityGroups) per id: AWS
    /// lists mount targets only per file system.
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut out = BTreeMap::new();
        for id in ids {
            let Some(mt) = describe_one(clients, id).await? else {
                continue;
            };
            if matches!(
                mt.life_cycle_state(),
                LifeCycleState::Deleted | LifeCycleState::Deleting
            ) {
                continue;
            }
            let Some(groups) = groups_of(clients, id).await.found()? else {
                continue;
            };
            out.insert(
                id.clone(),
                mount_target_state(&mt, &groups, &clients.region),
            );
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let request = create_request(ctx.clients, planned);
        let out = call(|| request.clone().send()).await?;
        let id = out.mount_target_id().to_string();
        wait_available(ctx.clients, &id).await?;
        read_created(self, ctx.clients, &id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = recorded_id(self, prior)?;
        if changed(prior, planned, "security_groups") {
            let groups = get_strings(planned, "security_groups");
            call(|| {
                ctx.clients
                    .efs
                    .modify_mount_target_security_groups()
                    .mount_target_id(&id)
                    .set_security_groups(Some(groups.clone()))
                    .send()
            })
            .await?;
        }
        read_created(self, ctx.clients, &id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let id = recorded_id(self, prior)?;
        let deleted = call(|| {
            ctx.clients
                .efs
                .delete_mount_target()
                .mount_target_id(&id)
                .send()
        })
        .await
        .found()?;
        if deleted.is_none() {
            return Ok(());
        }
        wait_gone(self, ctx.clients, "EFS mount target", &id, DELETE_LIMIT).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;

    #[test]
    fn unset_security_groups_are_left_to_aws() {
        let c = offline_clients();
        let p = SCHEMA.conformed([
            ("file_system_id", Value::string("fs-1")),
            ("subnet_id", Value::string("subnet-1")),
        ]);
        let r = create_request(&c, &p);
        assert_eq!(r.as_input().get_security_groups(), &None);
        assert_eq!(r.as_input().get_ip_address(), &None);
    }

    #[test]
    fn the_state_has_the_provider_dns_names_and_arn() {
        let mt = MountTargetDescription::builder()
            .mount_target_id("fsmt-1")
            .file_system_id("fs-1")
            .subnet_id("subnet-1")
            .owner_id("123456789012")
            .availability_zone_name("eu-west-1a")
            .life_cycle_state(LifeCycleState::Available)
            .build()
            .unwrap();
        let v = mount_target_state(&mt, &["sg-1".to_string()], "eu-west-1");
        assert_eq!(
            get_str(&v, "mount_target_dns_name"),
            Some("eu-west-1a.fs-1.efs.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            get_str(&v, "file_system_arn"),
            Some("arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-1")
        );
        assert_eq!(get_strings(&v, "security_groups"), ["sg-1"]);
    }
}
