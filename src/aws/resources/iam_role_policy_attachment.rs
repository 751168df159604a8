//! `aws_iam_role_policy_attachment`: a managed policy attached to a role.
//!
//! Its id is `ROLE/POLICY_ARN` (role names cannot contain `/`, so the first `/` splits it;
//! the AWS provider uses `ROLE-<timestamp>` ids, which cannot be read back without the state,
//! and `ROLE/POLICY_ARN` for imports). Both arguments force a new attachment. Refresh takes
//! the attached policies of every role from the GetAccountAuthorizationDetails call it shares
//! with the other IAM types (`aws::refresh_batch`); otherwise, and for attachments missing
//! there, it lists them once per role (ListAttachedRolePolicies). A role or policy created a moment ago may not be visible yet;
//! attaching is retried while IAM settles.

use std::collections::{BTreeMap, BTreeSet};

use crate::aws::adopt::find_by_arguments;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;

use super::{expect_prefix, read_created, retry_while, split_import_id};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, OrGone};
use crate::aws::iam::{iam_eventually_consistent, IAM_SETTLE_LIMIT};
use crate::aws::refresh_batch::RefreshBatch;
use crate::aws::resource_type::States;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, state_object};
use crate::provider::Schema;

pub struct IamRolePolicyAttachmentType;

static DECLARATION: Declaration = Declaration::new(
    "aws_iam_role_policy_attachment",
    &SCHEMA,
    Adoption::Arguments,
);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: role.force_new() policy_arn.force_new();
    ],
    blocks: &[],
};

/// `ROLE/POLICY_ARN` split in two.
fn parse_id(id: &str) -> Option<(&str, &str)> {
    id.split_once('/')
}

fn attachment_state(role: &str, arn: &str) -> Value {
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(format!("{role}/{arn}"))),
            ("role", Value::string(role)),
            ("policy_arn", Value::string(arn)),
        ],
    )
}

/// The ARNs of the managed policies attached to `role` (empty if the role is gone).
async fn attached(clients: &AwsClients, role: &str) -> Result<BTreeSet<String>> {
    let r = call(|| {
        clients
            .iam
            .list_attached_role_policies()
            .role_name(role)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await;
    match r {
        Err(e) if e.is_not_found() => Ok(BTreeSet::new()),
        r => Ok(r?
            .iter()
            .filter_map(|p| p.policy_arn().map(String::from))
            .collect()),
    }
}

#[async_trait]
impl ResourceType for IamRolePolicyAttachmentType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The attachment's id is its role and policy ARN.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id: Option<String> = get_str(planned, "role")
            .zip(get_str(planned, "policy_arn"))
            .map(|(r, p)| format!("{r}/{p}"));
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "`ROLE_NAME/POLICY_ARN`"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let (_, arn) = split_import_id(id, '/', "ROLE_NAME/POLICY_ARN")?;
        expect_prefix(arn, "arn:", "a policy ARN after the first \"/\"")?;
        Ok(id.to_string())
    }

    /// From the attached policies of each role in the refresh's
    /// GetAccountAuthorizationDetails; attachments missing there (made a moment ago, or gone)
    /// are read as `read_many` reads them.
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
            let Some((role, arn)) = parse_id(id) else {
                continue;
            };
            let listed = account.roles.get(role).is_some_and(|detail| {
                detail
                    .attached_managed_policies()
                    .iter()
                    .any(|p| p.policy_arn() == Some(arn))
            });
            if listed {
                out.insert(id.clone(), attachment_state(role, arn));
            } else {
                rest.push(id.clone());
            }
        }
        out.extend(self.read_many(clients, &rest).await?);
        Ok(out)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut by_role: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (role, arn) in ids.iter().filter_map(|id| parse_id(id)) {
            by_role.entry(role).or_default().push(arn);
        }
        let mut out = BTreeMap::new();
        for (role, arns) in by_role {
            let live = attached(clients, role).await?;
            for arn in arns.into_iter().filter(|a| live.contains(*a)) {
                out.insert(format!("{role}/{arn}"), attachment_state(role, arn));
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let role = get_str(planned, "role").unwrap_or_default();
        let arn = get_str(planned, "policy_arn").unwrap_or_default();
        retry_while(
            &format!("policy {arn} to be attached to role {role}"),
            IAM_SETTLE_LIMIT,
            iam_eventually_consistent,
            || async {
                ctx.clients
                    .iam
                    .attach_role_policy()
                    .role_name(role)
                    .policy_arn(arn)
                    .send()
                    .await
                    .map_err(from_sdk)
            },
        )
        .await?;
        read_created(self, ctx.clients, &format!("{role}/{arn}")).await
    }

    async fn update(
        &self,
        _ctx: &CallContext<'_>,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value> {
        // Every argument forces a new attachment: nothing changes in place.
        Ok(planned.clone())
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let role = get_str(prior, "role").unwrap_or_default();
        let arn = get_str(prior, "policy_arn").unwrap_or_default();
        call(|| {
            ctx.clients
                .iam
                .detach_role_policy()
                .role_name(role)
                .policy_arn(arn)
                .send()
        })
        .await
        .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_split_at_the_first_slash() {
        assert_eq!(
            parse_id(
                "web/arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
            ),
            Some((
                "web",
                "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
            ))
        );
        let s = attachment_state("web", "arn:aws:iam::1:policy/p");
        assert_eq!(
            s.as_map().unwrap()["id"],
            Value::string("web/arn:aws:iam::1:policy/p")
        );
    }
}
