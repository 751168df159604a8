//! `aws_autoscaling_lifecycle_hook`: a lifecycle hook of an Auto Scaling group.
//!
//! The id is `<group name>:<hook name>`, unlike the AWS provider's (the hook name alone): a
//! hook is only found through its group (`DescribeLifecycleHooks` takes one group), and ids
//! alone must tell `read_many` which groups to ask — one request per group. Auto Scaling group
//! names cannot contain a colon, so the split is unambiguous. `PutLifecycleHook` both creates
//! and updates.

use std::collections::BTreeMap;

use crate::aws::adopt::find_by_arguments;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_autoscaling::types::LifecycleHook;

use super::{create_call, split_import_id};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, OrGone};
use crate::aws::resource_type::States;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_i32, get_str, opt_number, opt_str, state_object};
use crate::provider::Schema;

pub struct AutoscalingLifecycleHookType;

static DECLARATION: Declaration = Declaration::new(
    "aws_autoscaling_lifecycle_hook",
    &SCHEMA,
    Adoption::Arguments,
);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: name.force_new() autoscaling_group_name.force_new() lifecycle_transition;
        optional String: default_result.default(Default::Str("ABANDON"));
        optional Number: heartbeat_timeout.default(Default::Number(3600.0));
        optional String: notification_target_arn role_arn notification_metadata;
    ],
    blocks: &[],
};

/// `<group>:<hook>`.
pub fn hook_id(group: &str, name: &str) -> String {
    format!("{group}:{name}")
}

/// The group and hook names of an id.
fn split_id(id: &str) -> Option<(&str, &str)> {
    id.split_once(':')
}

fn hook_state(h: &LifecycleHook) -> Option<(String, Value)> {
    let group = h.auto_scaling_group_name()?;
    let name = h.lifecycle_hook_name()?;
    let id = hook_id(group, name);
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&id)),
            ("name", Value::string(name)),
            ("autoscaling_group_name", Value::string(group)),
            ("lifecycle_transition", opt_str(h.lifecycle_transition())),
            ("default_result", opt_str(h.default_result())),
            ("heartbeat_timeout", opt_number(h.heartbeat_timeout())),
            (
                "notification_target_arn",
                opt_str(h.notification_target_arn()),
            ),
            ("role_arn", opt_str(h.role_arn())),
            ("notification_metadata", opt_str(h.notification_metadata())),
        ],
    );
    Some((id, state))
}

/// The hooks of `ids`, grouped by Auto Scaling group: `group → [hook names]`.
fn by_group(ids: &[String]) -> BTreeMap<&str, Vec<String>> {
    let mut groups: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (group, name) in ids.iter().filter_map(|id| split_id(id)) {
        groups.entry(group).or_default().push(name.to_string());
    }
    groups
}

async fn put(clients: &AwsClients, planned: &Value) -> Result<()> {
    let s = |n| get_str(planned, n).map(String::from);
    // Retried while a group created a moment ago is not visible yet.
    create_call("lifecycle hook to be put", || async {
        let r = clients
            .autoscaling
            .put_lifecycle_hook()
            .set_lifecycle_hook_name(s("name"))
            .set_auto_scaling_group_name(s("autoscaling_group_name"))
            .set_lifecycle_transition(s("lifecycle_transition"))
            .set_default_result(s("default_result"))
            .set_heartbeat_timeout(get_i32(planned, "heartbeat_timeout"))
            .set_notification_target_arn(s("notification_target_arn"))
            .set_role_arn(s("role_arn"))
            .set_notification_metadata(s("notification_metadata"))
            .send()
            .await
            .map_err(from_sdk);
        match r {
            // Auto Scaling says ValidationError for a group it does not know.
            Err(mut e) if e.is_not_found_or_unknown_name() => {
                e.kind = crate::aws::error::ErrorKind::NotFound;
                Err(e)
            }
            r => r,
        }
    })
    .await?;
    Ok(())
}

#[async_trait]
impl ResourceType for AutoscalingLifecycleHookType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The hook's id is its group and name.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id: Option<String> = get_str(planned, "autoscaling_group_name")
            .zip(get_str(planned, "name"))
            .map(|(g, n)| hook_id(g, n));
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "`ASG_NAME/HOOK_NAME` (ecsform's own `ASG_NAME:HOOK_NAME` works too)"
    }

    /// The AWS provider's `GROUP/HOOK` becomes ecsform's `GROUP:HOOK`.
    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let sep = if id.contains(':') { ':' } else { '/' };
        let (group, hook) = split_import_id(id, sep, "ASG_NAME/HOOK_NAME")?;
        Ok(format!("{group}:{hook}"))
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut out = BTreeMap::new();
        for (group, names) in by_group(ids) {
            let found = call(|| {
                clients
                    .autoscaling
                    .describe_lifecycle_hooks()
                    .auto_scaling_group_name(group)
                    .set_lifecycle_hook_names(Some(names.clone()))
                    .send()
            })
            .await;
            let found = match found {
                // The group is gone, and its hooks with it.
                Err(e) if e.is_not_found_or_unknown_name() => continue,
                r => r?,
            };
            out.extend(
                found
                    .lifecycle_hooks()
                    .iter()
                    .filter_map(hook_state)
                    .filter(|(id, _)| ids.contains(id)),
            );
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        put(ctx.clients, planned).await?;
        let id = hook_id(
            get_str(planned, "autoscaling_group_name").unwrap_or_default(),
            get_str(planned, "name").unwrap_or_default(),
        );
        super::read_created(self, ctx.clients, &id).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        put(ctx.clients, planned).await?;
        let id = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        super::read_created(self, ctx.clients, id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let (Some(group), Some(name)) = (
            get_str(prior, "autoscaling_group_name"),
            get_str(prior, "name"),
        ) else {
            return Ok(());
        };
        call(|| {
            ctx.clients
                .autoscaling
                .delete_lifecycle_hook()
                .auto_scaling_group_name(group)
                .lifecycle_hook_name(name)
                .send()
        })
        .await
        .ok_if(ApiError::is_not_found_or_unknown_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_group_hooks_by_their_auto_scaling_group() {
        let import = |id: &str| {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(
                    AutoscalingLifecycleHookType
                        .import_id(&crate::aws::resources::offline_clients(), id),
                )
        };
        assert_eq!(import("web/drain").unwrap(), hook_id("web", "drain"));
        assert_eq!(import("web:drain").unwrap(), hook_id("web", "drain"));
        assert!(matches!(import("web"), Err(ImportIdError::Malformed(_))));
        let ids = vec![
            hook_id("web", "drain"),
            hook_id("web", "warm"),
            hook_id("workers", "drain"),
            "no-group".to_string(),
        ];
        let groups = by_group(&ids);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups["web"], ["drain", "warm"]);
        assert_eq!(groups["workers"], ["drain"]);
    }

    #[test]
    fn state_from_a_described_hook() {
        let h = LifecycleHook::builder()
            .lifecycle_hook_name("drain")
            .auto_scaling_group_name("web")
            .lifecycle_transition("autoscaling:EC2_INSTANCE_TERMINATING")
            .heartbeat_timeout(300)
            .default_result("CONTINUE")
            .build();
        let (id, v) = hook_state(&h).unwrap();
        assert_eq!(id, "web:drain");
        let m = v.as_map().unwrap();
        assert_eq!(m["heartbeat_timeout"], Value::number(300));
        assert_eq!(m["role_arn"], Value::Null);
    }
}
