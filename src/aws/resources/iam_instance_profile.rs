//! `aws_iam_instance_profile`: an instance profile, the container through which EC2 instances
//! take an IAM role, with at most one role.
//!
//! Changing `role` swaps it in place (RemoveRoleFromInstanceProfile, then
//! AddRoleToInstanceProfile). A role created a moment ago may not be visible to the profile
//! yet (`NoSuchEntity`); adding it is retried while IAM settles. Refresh takes the profiles
//! of roles from the GetAccountAuthorizationDetails call it shares with the other IAM types
//! (`aws::refresh_batch`) where they come with tags there, and reads the others with one
//! GetInstanceProfile call each (ListInstanceProfiles leaves out tags; see `aws::iam`).

use std::collections::BTreeMap;

use crate::aws::refresh_batch::RefreshBatch;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_iam::types::InstanceProfile;

use super::{changed, read_created, retry_while};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, OrGone};
use crate::aws::iam::{
    find_iam_named, iam_eventually_consistent, name_or_prefix, named_object_schema,
    named_object_state, read_each, tag_pairs, to_iam_tags, IAM_SETTLE_LIMIT,
};
use crate::aws::object_ids::state_id;
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ResourceType};
use crate::lang::Value;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::{AttrSchema, AttrType, Schema};

pub struct IamInstanceProfileType;

static DECLARATION: Declaration = Declaration::new(
    "aws_iam_instance_profile",
    &SCHEMA,
    Adoption::NameAndTags,
)
.generated_name("name", "name_prefix", "terraform-");

static SCHEMA: Schema = named_object_schema!(AttrSchema::optional("role", AttrType::String));

fn profile_state(p: &InstanceProfile) -> Value {
    let name = p.instance_profile_name();
    let [tags, tags_all] = read_tags(tag_pairs(p.tags()));
    let id = p.instance_profile_id();
    let identity = named_object_state(name, p.arn(), id, p.create_date(), p.path());
    let role = opt_str(p.roles().first().map(|r| r.role_name()));
    state_object(
        &SCHEMA,
        identity.into_iter().chain([("role", role), tags, tags_all]),
    )
}

async fn get_profile(clients: AwsClients, name: String) -> Result<Option<Value>> {
    let out = clients
        .iam
        .get_instance_profile()
        .instance_profile_name(&name)
        .send()
        .await
        .map_err(from_sdk)?;
    Ok(out.instance_profile().map(profile_state))
}

async fn add_role(clients: &AwsClients, profile: &str, role: &str) -> Result<()> {
    let added = retry_while(
        &format!("role {role} to be added to instance profile {profile}"),
        IAM_SETTLE_LIMIT,
        iam_eventually_consistent,
        || async {
            clients
                .iam
                .add_role_to_instance_profile()
                .instance_profile_name(profile)
                .role_name(role)
                .send()
                .await
                .map_err(from_sdk)
        },
    )
    .await;
    match added {
        // A profile holds one role: the repeat of a call whose answer was lost is refused
        // with LimitExceeded, the role being in already.
        Err(e) if e.is_limit_exceeded() => {
            let out = clients
                .iam
                .get_instance_profile()
                .instance_profile_name(profile)
                .send()
                .await
                .map_err(from_sdk)?;
            let has_role = out
                .instance_profile()
                .is_some_and(|p| p.roles().iter().any(|r| r.role_name() == role));
            if has_role {
                Ok(())
            } else {
                Err(e)
            }
        }
        other => other.map(|_| ()),
    }
}

async fn remove_role(clients: &AwsClients, profile: &str, role: &str) -> Result<()> {
    call(|| {
        clients
            .iam
            .remove_role_from_instance_profile()
            .instance_profile_name(profile)
            .role_name(role)
            .send()
    })
    .await
    .ok_if_gone()
}

#[async_trait]
impl ResourceType for IamInstanceProfileType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(name) = get_str(planned, "name") else {
            return Ok(Vec::new());
        };
        find_iam_named!(
            self,
            clients,
            owner,
            name,
            get_instance_profile,
            instance_profile_name,
            instance_profile
        )
        .await
    }

    fn import_id_format(&self) -> &'static str {
        "the instance profile name"
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, get_profile).await
    }

    /// From the instance profiles of the roles in the refresh's
    /// GetAccountAuthorizationDetails, where they come with their tags; others (without a
    /// role or without tags there, created a moment ago, or gone) with GetInstanceProfile.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        batch: &RefreshBatch,
    ) -> Result<States> {
        let account = batch.iam_account(clients).await?;
        let mut out = BTreeMap::new();
        let mut rest = Vec::new();
        for id in ids {
            match account.tagged_profile(id) {
                Some(p) => {
                    out.insert(id.clone(), profile_state(p));
                }
                None => rest.push(id.clone()),
            }
        }
        out.extend(read_each(clients, &rest, get_profile).await?);
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = name_or_prefix(planned);
        let tags = to_iam_tags(&creation_tags(planned, ctx.extra_tags));
        call(|| {
            clients
                .iam
                .create_instance_profile()
                .instance_profile_name(&name)
                .set_path(get_str(planned, "path").map(String::from))
                .set_tags(Some(tags.clone()))
                .send()
        })
        .await?;
        if let Some(role) = get_str(planned, "role") {
            add_role(clients, &name, role).await?;
        }
        read_created(self, clients, &name).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = state_id(prior, self.type_name())?;
        if changed(prior, planned, "role") {
            if let Some(old) = get_str(prior, "role") {
                remove_role(clients, name, old).await?;
            }
            if let Some(new) = get_str(planned, "role") {
                add_role(clients, name, new).await?;
            }
        }
        send_tag_changes!(
            TagChanges::between(prior, planned),
            clients.iam,
            untag_instance_profile,
            tag_instance_profile,
            instance_profile_name(name),
            to_iam_tags
        )
        .await?;
        read_created(self, clients, name).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let name = state_id(prior, self.type_name())?;
        // The live roles, not the recorded one: IAM refuses to delete a profile with a role.
        let Some(live) = get_profile(clients.clone(), name.to_string())
            .await
            .found()?
        else {
            return Ok(());
        };
        if let Some(role) = live.as_ref().and_then(|p| get_str(p, "role")) {
            remove_role(clients, name, role).await?;
        }
        call(|| {
            clients
                .iam
                .delete_instance_profile()
                .instance_profile_name(name)
                .send()
        })
        .await
        .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::types::Role;

    #[test]
    fn state_names_the_profiles_role() {
        let role = Role::builder()
            .role_name("web")
            .role_id("AROA1")
            .arn("arn:aws:iam::1:role/web")
            .path("/")
            .create_date(aws_smithy_types::DateTime::from_secs(0))
            .build()
            .unwrap();
        let p = InstanceProfile::builder()
            .instance_profile_name("web-202401010000000000abcdef01")
            .instance_profile_id("AIPA1")
            .arn("arn:aws:iam::1:instance-profile/web")
            .path("/")
            .create_date(aws_smithy_types::DateTime::from_secs(0))
            .roles(role)
            .build()
            .unwrap();
        let s = profile_state(&p);
        let m = s.as_map().unwrap();
        assert_eq!(m["role"], Value::string("web"));
        assert_eq!(m["name_prefix"], Value::string("web-"));
        assert_eq!(m["unique_id"], Value::string("AIPA1"));
    }
}
