//! `data "aws_iam_policy"`: one managed policy — the account's or AWS's own
//! (`AmazonECSTaskExecutionRolePolicy`) — by `arn`, or by `name` and/or `path_prefix`
//! (`ListPolicies`, every page, then the one with that name: no match, or several, is an
//! error in the AWS provider's words). The policy and its default version's document are read
//! as the `aws_iam_policy` resource type reads them (`GetPolicy`, `GetPolicyVersion`), the
//! document in canonical form.
//!
//! The provider retries a name that matches nothing for IAM's propagation time (two
//! minutes); ecsform reports it at once, as a lookup at plan of a policy that does not exist
//! would otherwise wait two minutes to fail.

use async_trait::async_trait;
use aws_sdk_iam::types::Policy;

use super::{exactly_one, from_resource_state, given};
use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resources::iam_policy::read_policy;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::get_str;
use crate::provider::Schema;

pub struct IamPolicyData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_iam_policy", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional String: arn name path_prefix;
        computed String: id description path policy policy_id;
        computed Number: attachment_count;
        computed StringMap: tags;
    ],
    blocks: &[],
};

/// The ARN of the one policy `ListPolicies` lists under `path_prefix` with `name` (any name
/// when unset).
async fn find_arn(
    clients: &AwsClients,
    name: Option<&str>,
    prefix: Option<&str>,
) -> Result<String> {
    let listed: Vec<Policy> = call(|| {
        clients
            .iam
            .list_policies()
            .set_path_prefix(prefix.map(String::from))
            .into_paginator()
            .items()
            .send()
            .try_collect()
    })
    .await?;
    let matching = listed
        .into_iter()
        .filter(|p| name.is_none_or(|n| p.policy_name() == Some(n)))
        .collect();
    let policy = exactly_one("IAM Policy", matching)?;
    policy
        .arn()
        .map(String::from)
        .ok_or_else(|| ApiError::malformed("ListPolicies returned a policy without an ARN"))
}

#[async_trait]
impl DataSource for IamPolicyData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let arn = match get_str(config, "arn") {
            Some(arn) => arn.to_string(),
            None => {
                let name = get_str(config, "name");
                find_arn(clients, name, get_str(config, "path_prefix")).await?
            }
        };
        let not_found = || {
            ApiError::new(
                ErrorKind::NotFound,
                "NoSuchEntity",
                format!("reading IAM Policy ({arn}): couldn't find resource"),
            )
        };
        let resource = match read_policy(clients.clone(), arn.clone(), None).await {
            Ok(Some(resource)) => resource,
            Ok(None) => return Err(not_found()),
            Err(e) if e.is_not_found() => return Err(not_found()),
            Err(e) => return Err(e),
        };
        Ok(from_resource_state(
            &SCHEMA,
            &resource,
            [given(config, "path_prefix")],
        ))
    }
}
