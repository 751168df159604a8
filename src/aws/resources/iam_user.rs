//! `aws_iam_user`: an IAM user with its path, permissions boundary and tags.
//!
//! As in the AWS provider, `name` and `path` change in place (UpdateUser), so the id (the
//! name) can change with an update. Deleting a user that still has access keys, a login
//! profile, policies or group memberships fails with `DeleteConflict` unless `force_destroy`
//! is set, in which case those are removed first. Refresh reads each user with one GetUser call
//! (ListUsers leaves out tags and permissions boundaries; see `aws::iam`).

use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_iam::types::User;

use super::{changed, read_created, with_attrs};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, OrGone};
use crate::aws::iam::{
    find_iam_named, planned_switch, read_each, remove_listed, tag_pairs, to_iam_tags,
    update_permissions_boundary,
};
use crate::aws::resource_type::States;
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct IamUserType;

static DECLARATION: Declaration = Declaration::new("aws_iam_user", &SCHEMA, Adoption::NameAndTags);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn unique_id;
        required String: name;
        optional String: path.default(Default::Str("/")) permissions_boundary;
        optional Bool: force_destroy.default(Default::Bool(false)).local();
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

fn user_state(u: &User) -> Value {
    let [tags, tags_all] = read_tags(tag_pairs(u.tags()));
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(u.user_name())),
            ("arn", Value::string(u.arn())),
            ("unique_id", Value::string(u.user_id())),
            ("name", Value::string(u.user_name())),
            ("path", Value::string(u.path())),
            (
                "permissions_boundary",
                opt_str(
                    u.permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn()),
                ),
            ),
            ("force_destroy", Value::Bool(false)),
            tags,
            tags_all,
        ],
    )
}

async fn get_user(clients: AwsClients, name: String) -> Result<Option<Value>> {
    let out = clients
        .iam
        .get_user()
        .user_name(&name)
        .send()
        .await
        .map_err(from_sdk)?;
    Ok(out.user().map(user_state))
}

/// Removes what keeps IAM from deleting the user: access keys, login profile, managed and
/// inline policies, group memberships.
async fn strip_user(clients: &AwsClients, name: &str) -> Result<()> {
    let iam = &clients.iam;
    remove_listed! { iam, user_name(name);
        list_access_keys => |k| k.access_key_id() => delete_access_key.access_key_id;
    }
    .await?;
    call(|| iam.delete_login_profile().user_name(name).send())
        .await
        .ok_if_gone()?;
    remove_listed! { iam, user_name(name);
        list_attached_user_policies => |p| p.policy_arn() => detach_user_policy.policy_arn;
        list_user_policies => |p: &String| Some(p.as_str()) => delete_user_policy.policy_name;
        list_groups_for_user => |g| Some(g.group_name()) => remove_user_from_group.group_name;
    }
    .await
}

#[async_trait]
impl ResourceType for IamUserType {
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
        find_iam_named!(self, clients, owner, name, get_user, user_name, user).await
    }

    fn import_id_format(&self) -> &'static str {
        "the user name"
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, get_user).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let name = get_str(planned, "name").unwrap_or_default();
        let tags = to_iam_tags(&creation_tags(planned, ctx.extra_tags));
        call(|| {
            clients
                .iam
                .create_user()
                .user_name(name)
                .set_path(get_str(planned, "path").map(String::from))
                .set_permissions_boundary(
                    get_str(planned, "permissions_boundary").map(String::from),
                )
                .set_tags(Some(tags.clone()))
                .send()
        })
        .await?;
        let state = read_created(self, clients, name).await?;
        Ok(with_attrs(state, planned_switch(planned, "force_destroy")))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let old = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let name = get_str(planned, "name").unwrap_or(old);
        if changed(prior, planned, "name") || changed(prior, planned, "path") {
            call(|| {
                clients
                    .iam
                    .update_user()
                    .user_name(old)
                    .set_new_user_name((name != old).then(|| name.to_string()))
                    .set_new_path(
                        changed(prior, planned, "path")
                            .then(|| get_str(planned, "path").unwrap_or("/").to_string()),
                    )
                    .send()
            })
            .await?;
        }
        if changed(prior, planned, "permissions_boundary") {
            let iam = &clients.iam;
            update_permissions_boundary(
                planned,
                |arn| {
                    iam.put_user_permissions_boundary()
                        .user_name(name)
                        .permissions_boundary(arn)
                        .send()
                },
                || {
                    iam.delete_user_permissions_boundary()
                        .user_name(name)
                        .send()
                },
            )
            .await?;
        }
        send_tag_changes!(
            TagChanges::between(prior, planned),
            clients.iam,
            untag_user,
            tag_user,
            user_name(name),
            to_iam_tags
        )
        .await?;
        let state = read_created(self, clients, name).await?;
        Ok(with_attrs(state, planned_switch(planned, "force_destroy")))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let name = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let deleted = async {
            if get_bool(prior, "force_destroy") == Some(true) {
                strip_user(clients, name).await?;
            }
            call(|| clients.iam.delete_user().user_name(name).send()).await
        };
        match deleted.await {
            Err(mut e) if e.is_delete_conflict() => {
                e.message = format!(
                    "{} (remove its access keys, policies and groups first, or set force_destroy = true)",
                    e.message
                );
                Err(e)
            }
            other => other.ok_if_gone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::types::Tag;
    use std::collections::BTreeMap;

    #[test]
    fn state_from_a_user_hides_ecsform_tags() {
        let u = User::builder()
            .user_name("deploy")
            .user_id("AIDA1")
            .arn("arn:aws:iam::1:user/ci/deploy")
            .path("/ci/")
            .create_date(aws_smithy_types::DateTime::from_secs(0))
            .tags(
                Tag::builder()
                    .key("ecsform:lineage")
                    .value("x")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let s = user_state(&u);
        let m = s.as_map().unwrap();
        assert_eq!(m["path"], Value::string("/ci/"));
        assert_eq!(m["tags"], Value::Map(BTreeMap::new()));
        assert_eq!(m["permissions_boundary"], Value::Null);
    }
}
