//! `aws_iam_role_policy` and `aws_iam_user_policy`: an inline policy of an IAM role or user.
//! One implementation serves both; they differ only in the owner (`role` / `user`) and in
//! which of IAM's Put/Get/Delete…Policy calls they make. The id is `OWNER:NAME`, as in the AWS
//! provider (IAM names cannot contain `:`).
//!
//! The document is compared in canonical form ([`canonical_policy`]). Put…Policy both creates
//! and updates; right after the owner's creation it may fail with `NoSuchEntity`, which is
//! retried while IAM settles. Refresh takes role policies from the
//! GetAccountAuthorizationDetails call it shares with the other IAM types
//! (`aws::refresh_batch`), and reads user policies, and role policies missing there, with
//! Get…Policy (a list call would return names only).

use std::collections::BTreeMap;

use crate::aws::adopt::find_by_arguments;
use crate::aws::{Adoption, Candidate};
use async_trait::async_trait;

use super::{prefix_of_unique_name, read_created, retry_while, split_import_id};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, retry, ApiError, OrGone, RetryPolicy};
use crate::aws::iam::{
    iam_eventually_consistent, name_or_prefix, read_each, send_per_entity, IAM_SETTLE_LIMIT,
};
use crate::aws::json_doc::{canonical_policy, normalize_attr};
use crate::aws::refresh_batch::RefreshBatch;
use crate::aws::resource_type::States;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::{AttrSchema, AttrType, Schema};

/// Whose inline policy it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Role,
    User,
}

impl Owner {
    /// The attribute naming the owner: `role` or `user`.
    fn attr(self) -> &'static str {
        match self {
            Owner::Role => "role",
            Owner::User => "user",
        }
    }

    fn declaration(self) -> &'static Declaration {
        match self {
            Owner::Role => &ROLE_POLICY,
            Owner::User => &USER_POLICY,
        }
    }
}

static ROLE_POLICY: Declaration = Declaration::new(
    "aws_iam_role_policy",
    &ROLE_SCHEMA,
    Adoption::Arguments,
)
.generated_name("name", "name_prefix", "terraform-");

static USER_POLICY: Declaration = Declaration::new(
    "aws_iam_user_policy",
    &USER_SCHEMA,
    Adoption::Arguments,
)
.generated_name("name", "name_prefix", "terraform-");

/// The resource type for one kind of owner.
pub struct IamInlinePolicyType {
    owner: Owner,
}

/// `aws_iam_role_policy`.
pub static IAM_ROLE_POLICY: IamInlinePolicyType = IamInlinePolicyType { owner: Owner::Role };

/// `aws_iam_user_policy`.
pub static IAM_USER_POLICY: IamInlinePolicyType = IamInlinePolicyType { owner: Owner::User };

/// The schema of an inline policy whose owner is named by the attribute `$owner`.
macro_rules! inline_policy_schema {
    ($owner:literal) => {
        Schema {
            version: 1,
            attributes: &[
                AttrSchema::computed("id", AttrType::String),
                AttrSchema::optional_computed("name", AttrType::String).force_new(),
                AttrSchema::optional_computed("name_prefix", AttrType::String).force_new(),
                AttrSchema::required($owner, AttrType::String).force_new(),
                AttrSchema::required("policy", AttrType::String),
            ],
            blocks: &[],
        }
    };
}

static ROLE_SCHEMA: Schema = inline_policy_schema!("role");

static USER_SCHEMA: Schema = inline_policy_schema!("user");

/// `OWNER:NAME` split in two.
fn parse_id(id: &str) -> Option<(&str, &str)> {
    id.split_once(':')
}

/// The policy's (owner, name, document), or None if it does not exist.
async fn get(
    clients: &AwsClients,
    owner: Owner,
    who: &str,
    name: &str,
) -> Result<(String, String, String)> {
    /// `$get` (`get_role_policy`), whose answer names the owner with `$id` (`role_name`).
    macro_rules! get {
        ($get:ident, $id:ident) => {{
            let request = clients.iam.$get().$id(who).policy_name(name);
            let out = request.send().await.map_err(from_sdk)?;
            let document = out.policy_document().to_string();
            (
                out.$id().to_string(),
                out.policy_name().to_string(),
                document,
            )
        }};
    }
    Ok(match owner {
        Owner::Role => get!(get_role_policy, role_name),
        Owner::User => get!(get_user_policy, user_name),
    })
}

async fn read(clients: AwsClients, owner: Owner, id: String) -> Result<Option<Value>> {
    let Some((who, name)) = parse_id(&id) else {
        return Ok(None);
    };
    let (who, policy_name, document) = get(&clients, owner, who, name).await?;
    Ok(Some(policy_state(owner, &who, &policy_name, &document)))
}

/// The state of `owner`'s inline policy `name` with this (URL-encoded or plain) document.
fn policy_state(owner: Owner, who: &str, name: &str, document: &str) -> Value {
    state_object(
        owner.declaration().schema,
        [
            ("id", Value::string(format!("{who}:{name}"))),
            ("name", Value::string(name)),
            ("name_prefix", opt_str(prefix_of_unique_name(name))),
            (owner.attr(), Value::string(who)),
            ("policy", Value::string(canonical_policy(document))),
        ],
    )
}

async fn read_role(clients: AwsClients, id: String) -> Result<Option<Value>> {
    read(clients, Owner::Role, id).await
}

async fn read_user(clients: AwsClients, id: String) -> Result<Option<Value>> {
    read(clients, Owner::User, id).await
}

async fn put(
    clients: &AwsClients,
    owner: Owner,
    who: &str,
    name: &str,
    planned: &Value,
) -> Result<()> {
    let document = get_str(planned, "policy").unwrap_or_default();
    retry_while(
        &format!("inline policy {name} to be put on {} {who}", owner.attr()),
        IAM_SETTLE_LIMIT,
        iam_eventually_consistent,
        || async {
            send_per_entity!(clients.iam, owner, who, {
                Owner::Role => put_role_policy(role_name),
                Owner::User => put_user_policy(user_name),
            }, |r| r.policy_name(name).policy_document(document))
        },
    )
    .await
}

impl IamInlinePolicyType {
    fn id_of<'v>(&self, prior: &'v Value) -> Result<(&'v str, &'v str)> {
        get_str(prior, "id").and_then(parse_id).ok_or_else(|| {
            ApiError::malformed(format!(
                "{} state has no {}:NAME id",
                self.type_name(),
                self.owner.attr().to_uppercase()
            ))
        })
    }
}

#[async_trait]
impl ResourceType for IamInlinePolicyType {
    fn declaration(&self) -> &'static Declaration {
        self.owner.declaration()
    }

    /// The id is the role (or user) and the (pinned) policy name.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &crate::aws::Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id = get_str(planned, self.owner.attr())
            .zip(get_str(planned, "name"))
            .map(|(who, name)| format!("{who}:{name}"));
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        match self.owner {
            Owner::Role => "`ROLE_NAME:POLICY_NAME`",
            Owner::User => "`USER_NAME:POLICY_NAME`",
        }
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let format = match self.owner {
            Owner::Role => "ROLE_NAME:POLICY_NAME",
            Owner::User => "USER_NAME:POLICY_NAME",
        };
        split_import_id(id, ':', format)?;
        Ok(id.to_string())
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_attr(value, "policy", canonical_policy)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        match self.owner {
            Owner::Role => read_each(clients, ids, read_role).await,
            Owner::User => read_each(clients, ids, read_user).await,
        }
    }

    /// A role's inline policies come with the role in the refresh's
    /// GetAccountAuthorizationDetails; a policy missing there (created a moment ago, or gone)
    /// is read with GetRolePolicy. User policies are read one by one.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        batch: &RefreshBatch,
    ) -> Result<States> {
        if self.owner == Owner::User {
            return self.read_many(clients, ids).await;
        }
        let account = batch.iam_account(clients).await?;
        let mut out = BTreeMap::new();
        let mut rest = Vec::new();
        for id in ids {
            let found = parse_id(id).and_then(|(role, name)| {
                let detail = account.roles.get(role)?;
                let policy = detail
                    .role_policy_list()
                    .iter()
                    .find(|p| p.policy_name() == Some(name))?;
                Some(policy_state(
                    Owner::Role,
                    role,
                    name,
                    policy.policy_document()?,
                ))
            });
            match found {
                Some(state) => {
                    out.insert(id.clone(), state);
                }
                None => rest.push(id.clone()),
            }
        }
        out.extend(read_each(clients, &rest, read_role).await?);
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let who = get_str(planned, self.owner.attr()).unwrap_or_default();
        let name = name_or_prefix(planned);
        put(ctx.clients, self.owner, who, &name, planned).await?;
        read_created(self, ctx.clients, &format!("{who}:{name}")).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (who, name) = self.id_of(prior)?;
        put(ctx.clients, self.owner, who, name, planned).await?;
        read_created(self, ctx.clients, &format!("{who}:{name}")).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let (who, name) = self.id_of(prior)?;
        let r = retry(RetryPolicy::default(), || async {
            send_per_entity!(ctx.clients.iam, self.owner, who, {
                Owner::Role => delete_role_policy(role_name),
                Owner::User => delete_user_policy(user_name),
            }, |r| r.policy_name(name))
        })
        .await;
        r.ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_split_at_the_colon() {
        assert_eq!(parse_id("web:s3-read"), Some(("web", "s3-read")));
        assert_eq!(parse_id("web"), None);
    }

    #[test]
    fn each_owner_has_its_name_and_owner_attribute() {
        assert_eq!(IAM_ROLE_POLICY.type_name(), "aws_iam_role_policy");
        assert_eq!(IAM_USER_POLICY.type_name(), "aws_iam_user_policy");
        assert!(IAM_ROLE_POLICY.schema().attribute("role").is_some());
        assert!(IAM_USER_POLICY.schema().attribute("user").is_some());
        assert!(IAM_USER_POLICY.schema().attribute("role").is_none());
    }
}
