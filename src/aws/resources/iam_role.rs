//! `aws_iam_role`: an IAM role with its trust policy (`assume_role_policy`), session length,
//! permissions boundary and tags.
//!
//! The trust policy is compared in canonical form ([`canonical_policy`]): IAM returns it
//! URL-encoded and reformatted. Refresh reads every role from two paginated calls shared by
//! all roles (`aws::refresh_batch`): ListRoles (which leaves out tags and permissions
//! boundaries) and GetAccountAuthorizationDetails (which has those, but not the description
//! and maximum session duration); a role missing from either is read with GetRole.
//!
//! Deletion first takes the role out of its instance profiles and, with
//! `force_detach_policies`, detaches managed and deletes inline policies, as the AWS provider
//! does; otherwise IAM refuses with `DeleteConflict` while policies are attached.

use std::collections::BTreeMap;

use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_iam::types::{Role, RoleDetail};

use super::{changed, read_created, retry_while, with_attrs};
use crate::aws::call::call;
use crate::aws::error::from_sdk;
use crate::aws::error::Result;
use crate::aws::iam::{
    find_iam_named, iam_eventually_consistent, name_or_prefix, named_object_schema,
    named_object_state, planned_switch, read_each, remove_listed, tag_pairs, to_iam_tags,
    update_permissions_boundary, IAM_SETTLE_LIMIT,
};
use crate::aws::json_doc::{canonical_policy, normalize_attr};
use crate::aws::object_ids::state_id;
use crate::aws::refresh_batch::RefreshBatch;
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ResourceType};
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_i32, get_str, opt_str, state_object};
use crate::provider::{AttrSchema, AttrType, Schema};

pub struct IamRoleType;

static DECLARATION: Declaration = Declaration::new("aws_iam_role", &SCHEMA, Adoption::NameAndTags)
    .generated_name("name", "name_prefix", "terraform-");

/// The switch that detaches the role's policies before it is deleted (AWS does not store it).
const FORCE_DETACH: &str = "force_detach_policies";

static SCHEMA: Schema = named_object_schema!(
    AttrSchema::optional("description", AttrType::String),
    AttrSchema::required("assume_role_policy", AttrType::String),
    AttrSchema::optional("max_session_duration", AttrType::Number).default(Default::Number(3600.0)),
    AttrSchema::optional("permissions_boundary", AttrType::String),
    AttrSchema::optional("force_detach_policies", AttrType::Bool)
        .default(Default::Bool(false))
        .local(),
);

pub(crate) fn role_state(r: &Role) -> Value {
    let name = r.role_name();
    let [tags, tags_all] = read_tags(tag_pairs(r.tags()));
    let identity = named_object_state(name, r.arn(), r.role_id(), r.create_date(), r.path());
    let own = [
        (
            "description",
            opt_str(r.description().filter(|d| !d.is_empty())),
        ),
        (
            "assume_role_policy",
            opt_str(r.assume_role_policy_document().map(canonical_policy)),
        ),
        (
            "max_session_duration",
            Value::number(r.max_session_duration().unwrap_or(3600)),
        ),
        (
            "permissions_boundary",
            opt_str(
                r.permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn()),
            ),
        ),
        ("force_detach_policies", Value::Bool(false)),
        tags,
        tags_all,
    ];
    state_object(&SCHEMA, identity.into_iter().chain(own))
}

/// The role as `ListRoles` lists it, with what only `GetAccountAuthorizationDetails` returns
/// (tags and permissions boundary) from `detail`.
fn with_details(listed: &Role, detail: &RoleDetail) -> Role {
    let mut role = listed.clone();
    role.tags = Some(detail.tags().to_vec());
    role.permissions_boundary = detail.permissions_boundary().cloned();
    if let Some(doc) = detail.assume_role_policy_document() {
        role.assume_role_policy_document = Some(doc.to_string());
    }
    role
}

async fn get_role(clients: AwsClients, name: String) -> Result<Option<Value>> {
    let out = clients
        .iam
        .get_role()
        .role_name(&name)
        .send()
        .await
        .map_err(from_sdk)?;
    Ok(out.role().map(role_state))
}

/// Takes the role out of every instance profile (IAM refuses to delete it otherwise).
async fn leave_instance_profiles(clients: &AwsClients, name: &str) -> Result<()> {
    remove_listed! { clients.iam, role_name(name);
        list_instance_profiles_for_role => |p| Some(p.instance_profile_name())
            => remove_role_from_instance_profile.instance_profile_name;
    }
    .await
}

/// Detaches every managed policy and deletes every inline policy of the role.
async fn detach_policies(clients: &AwsClients, name: &str) -> Result<()> {
    remove_listed! { clients.iam, role_name(name);
        list_attached_role_policies => |p| p.policy_arn() => detach_role_policy.policy_arn;
        list_role_policies => |p: &String| Some(p.as_str()) => delete_role_policy.policy_name;
    }
    .await
}

async fn update_tags(
    clients: &AwsClients,
    name: &str,
    prior: &Value,
    planned: &Value,
) -> Result<()> {
    send_tag_changes!(
        TagChanges::between(prior, planned),
        clients.iam,
        untag_role,
        tag_role,
        role_name(name),
        to_iam_tags
    )
    .await
}

#[async_trait]
impl ResourceType for IamRoleType {
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
        find_iam_named!(self, clients, owner, name, get_role, role_name, role).await
    }

    fn import_id_format(&self) -> &'static str {
        "the role name"
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_attr(value, "assume_role_policy", canonical_policy)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, get_role).await
    }

    /// From the refresh's `GetAccountAuthorizationDetails` and `ListRoles`; a role missing
    /// from either (created a moment ago, or gone) is read with GetRole.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        batch: &RefreshBatch,
    ) -> Result<States> {
        let account = batch.iam_account(clients).await?;
        let listed = batch.iam_roles_listed(clients).await?;
        let mut out = BTreeMap::new();
        let mut rest = Vec::new();
        for id in ids {
            match (listed.get(id), account.roles.get(id)) {
                (Some(role), Some(detail)) => {
                    out.insert(id.clone(), role_state(&with_details(role, detail)));
                }
                _ => rest.push(id.clone()),
            }
        }
        out.extend(read_each(clients, &rest, get_role).await?);
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = name_or_prefix(planned);
        let tags = to_iam_tags(&creation_tags(planned, ctx.extra_tags));
        let s = |n| get_str(planned, n).map(String::from);
        // A trust policy naming a role created a moment ago is "invalid" until IAM settles.
        retry_while(
            &format!("IAM role {name} to be created"),
            IAM_SETTLE_LIMIT,
            iam_eventually_consistent,
            || async {
                clients
                    .iam
                    .create_role()
                    .role_name(&name)
                    .set_path(s("path"))
                    .set_description(s("description"))
                    .set_assume_role_policy_document(s("assume_role_policy"))
                    .set_max_session_duration(get_i32(planned, "max_session_duration"))
                    .set_permissions_boundary(s("permissions_boundary"))
                    .set_tags(Some(tags.clone()))
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await?;
        let state = read_created(self, clients, &name).await?;
        Ok(with_attrs(state, planned_switch(planned, FORCE_DETACH)))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = state_id(prior, self.type_name())?;
        if changed(prior, planned, "description") || changed(prior, planned, "max_session_duration")
        {
            call(|| {
                clients
                    .iam
                    .update_role()
                    .role_name(name)
                    // An empty description removes it.
                    .description(get_str(planned, "description").unwrap_or_default())
                    .set_max_session_duration(get_i32(planned, "max_session_duration"))
                    .send()
            })
            .await?;
        }
        if changed(prior, planned, "assume_role_policy") {
            let policy = get_str(planned, "assume_role_policy").unwrap_or_default();
            retry_while(
                &format!("IAM role {name} trust policy to be accepted"),
                IAM_SETTLE_LIMIT,
                iam_eventually_consistent,
                || async {
                    clients
                        .iam
                        .update_assume_role_policy()
                        .role_name(name)
                        .policy_document(policy)
                        .send()
                        .await
                        .map_err(from_sdk)
                },
            )
            .await?;
        }
        if changed(prior, planned, "permissions_boundary") {
            let iam = &clients.iam;
            update_permissions_boundary(
                planned,
                |arn| {
                    iam.put_role_permissions_boundary()
                        .role_name(name)
                        .permissions_boundary(arn)
                        .send()
                },
                || {
                    iam.delete_role_permissions_boundary()
                        .role_name(name)
                        .send()
                },
            )
            .await?;
        }
        update_tags(clients, name, prior, planned).await?;
        let state = read_created(self, clients, name).await?;
        Ok(with_attrs(state, planned_switch(planned, FORCE_DETACH)))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let name = state_id(prior, self.type_name())?;
        let cleanup = async {
            leave_instance_profiles(clients, name).await?;
            if get_bool(prior, FORCE_DETACH) == Some(true) {
                detach_policies(clients, name).await?;
            }
            call(|| clients.iam.delete_role().role_name(name).send()).await
        };
        match cleanup.await {
            Err(e) if e.is_not_found() => Ok(()),
            Err(mut e) if e.is_delete_conflict() => {
                e.message = format!(
                    "{} (detach its policies first, or set force_detach_policies = true)",
                    e.message
                );
                Err(e)
            }
            other => other.map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::types::{AttachedPermissionsBoundary, Tag};

    #[test]
    fn state_from_a_role_decodes_the_trust_policy() {
        let role = Role::builder()
            .role_name("web")
            .role_id("AROA1")
            .arn("arn:aws:iam::123456789012:role/web")
            .path("/")
            .create_date(aws_smithy_types::DateTime::from_secs(0))
            .assume_role_policy_document(
                "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%5B%22ec2.amazonaws.com%22%5D%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
            )
            .permissions_boundary(
                AttachedPermissionsBoundary::builder()
                    .permissions_boundary_arn("arn:aws:iam::aws:policy/PowerUserAccess")
                    .build(),
            )
            .tags(Tag::builder().key("ecsform:address").value("x").build().unwrap())
            .tags(Tag::builder().key("Team").value("web").build().unwrap())
            .build()
            .unwrap();
        let s = role_state(&role);
        let m = s.as_map().unwrap();
        assert_eq!(
            m["assume_role_policy"],
            Value::string(
                r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"}}],"Version":"2012-10-17"}"#
            )
        );
        assert_eq!(m["create_date"], Value::string("1970-01-01T00:00:00Z"));
        assert_eq!(m["max_session_duration"], Value::number(3600));
        assert_eq!(m["tags"], Value::map([("Team", Value::string("web"))]));
        assert_eq!(m["description"], Value::Null);
    }

    #[test]
    fn configured_trust_policies_normalise_like_read_ones() {
        let config = SCHEMA.conformed([(
                "assume_role_policy",
                Value::string(
                    r#"{"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow",
                        "Action": ["sts:AssumeRole"], "Principal": {"Service": "ec2.amazonaws.com"}}]}"#,
                ),
            )]);
        let n = IamRoleType.normalize(config);
        assert_eq!(
            n.as_map().unwrap()["assume_role_policy"],
            Value::string(
                r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"}}],"Version":"2012-10-17"}"#
            )
        );
        assert_eq!(n.as_map().unwrap()["path"], Value::string("/"));
    }
}
