//! `aws_ecr_lifecycle_policy`: the lifecycle policy of an ECR repository (which images ECR
//! expires). Its id is the repository name; `registry_id` is AWS's.
//!
//! Both arguments force a new policy, as in the provider: a changed `policy` is a
//! replacement (delete, then PutLifecyclePolicy again). `policy` is compared in canonical form
//! (`json_doc::canonical_lifecycle_policy`: rules by priority, tag lists as sets), so
//! formatting and rule order never show as a change. Refresh reads each policy with
//! GetLifecyclePolicy, one call per repository: ECR has no call that returns the policies of
//! several repositories. Policies have no tags; one created before a crash is found again by
//! its repository. moto serves every call the type makes.

use async_trait::async_trait;

use super::{read_created, recorded_id};
use crate::aws::adopt::find_by_arguments;
use crate::aws::error::{from_sdk, ApiError, OrGone, Result};
use crate::aws::iam::read_each;
use crate::aws::json_doc::{canonical_lifecycle_policy, normalize_attr};
use crate::aws::resource_type::States;
use crate::aws::ResourceType;
use crate::aws::{call::call, Adoption, AwsClients, CallContext, Candidate, Declaration, Owner};
use crate::lang::Value;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::{attrs, Schema};

pub struct EcrLifecyclePolicyType;

static DECLARATION: Declaration =
    Declaration::new("aws_ecr_lifecycle_policy", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id registry_id;
        required String: repository.force_new() policy.force_new();
    ],
    blocks: &[],
};

/// The policy of repository `name`, or `None` where the repository or its policy is gone.
async fn get_policy(clients: AwsClients, name: String) -> Result<Option<Value>> {
    let out = clients
        .ecr
        .get_lifecycle_policy()
        .repository_name(&name)
        .send()
        .await
        .map_err(from_sdk);
    let Some(out) = out.found()? else {
        return Ok(None);
    };
    Ok(Some(state_object(
        &SCHEMA,
        [
            ("id", Value::string(&name)),
            (
                "repository",
                Value::string(out.repository_name().unwrap_or(&name)),
            ),
            ("registry_id", opt_str(out.registry_id())),
            (
                "policy",
                opt_str(out.lifecycle_policy_text().map(canonical_lifecycle_policy)),
            ),
        ],
    )))
}

#[async_trait]
impl ResourceType for EcrLifecyclePolicyType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id = get_str(planned, "repository").map(String::from);
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "the repository name"
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_attr(value, "policy", canonical_lifecycle_policy)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, get_policy).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let repository = get_str(planned, "repository")
            .ok_or_else(|| ApiError::malformed("no repository in the plan"))?;
        let policy = get_str(planned, "policy").unwrap_or_default();
        call(|| {
            ctx.clients
                .ecr
                .put_lifecycle_policy()
                .repository_name(repository)
                .lifecycle_policy_text(policy)
                .send()
        })
        .await?;
        read_created(self, ctx.clients, repository).await
    }

    /// Never called: both arguments force a new policy.
    async fn update(
        &self,
        ctx: &CallContext<'_>,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value> {
        self.create(ctx, planned).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let repository = recorded_id(self, prior)?;
        call(|| {
            ctx.clients
                .ecr
                .delete_lifecycle_policy()
                .repository_name(&repository)
                .send()
        })
        .await
        .ok_if_gone()
    }
}
