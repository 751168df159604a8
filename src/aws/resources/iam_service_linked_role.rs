//! `aws_iam_service_linked_role`: the role an AWS service assumes on the account's behalf
//! (`AWSServiceRoleForECS`, `AWSServiceRoleForAutoScaling_custom`), made by the service's
//! own rules: IAM names it and sets its path (`/aws-service-role/SERVICE/`) and its
//! permissions from `aws_service_name` (and `custom_suffix`, where the service allows one).
//!
//! As in the AWS provider: the id is the role's ARN (also the import ID); `aws_service_name`
//! and `custom_suffix` force a new role; `description` changes in place (UpdateRole) and so do
//! the tags (TagRole/UntagRole: CreateServiceLinkedRole takes no tags, so ecsform's own tags
//! go on right after it). A service has one such role per suffix in an account, so an
//! interrupted create finds its role again by the service's path and the suffix. Delete is
//! DeleteServiceLinkedRole, then GetServiceLinkedRoleDeletionStatus until it succeeds (a
//! service that still uses the role fails the deletion, with its reason). Refresh reads each
//! role with GetRole.

use async_trait::async_trait;
use aws_sdk_iam::types::{DeletionTaskStatusType, Role};
use std::time::Duration;

use super::{changed, read_created};
use crate::aws::adopt::find_by_arguments;
use crate::aws::call::call;
use crate::aws::error::{from_sdk, wait_until, ApiError, ErrorKind, OrGone, Result};
use crate::aws::iam::{iso8601, read_each, tag_pairs, to_iam_tags};
use crate::aws::resource_type::{ImportIdError, States};
use crate::aws::service_tags::{read_tags, send_tag_changes, TagChanges};
use crate::aws::tags::creation_tags;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, Owner, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct IamServiceLinkedRoleType;

static DECLARATION: Declaration =
    Declaration::new("aws_iam_service_linked_role", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id arn create_date name path unique_id;
        required String: aws_service_name.force_new();
        optional String: custom_suffix.force_new() description;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// How long IAM may take to delete a service-linked role (it first asks the service whether
/// the role is still in use).
const DELETE_LIMIT: Duration = Duration::from_secs(5 * 60);

/// The service and the custom suffix of a service-linked role, from its path
/// (`/aws-service-role/ecs.amazonaws.com/`) and name (`AWSServiceRoleForECS_suffix`).
fn service_and_suffix(path: &str, name: &str) -> (Option<String>, Option<String>) {
    let service = path
        .strip_prefix("/aws-service-role/")
        .map(|s| s.trim_end_matches('/').to_string())
        .filter(|s| !s.is_empty());
    let suffix = name.split_once('_').map(|(_, s)| s.to_string());
    (service, suffix)
}

/// The role name in a role ARN (`arn:aws:iam::1:role/aws-service-role/SERVICE/NAME`).
fn role_name(arn: &str) -> Option<&str> {
    let (_, resource) = arn.split_once(":role/")?;
    resource.rsplit('/').next().filter(|n| !n.is_empty())
}

fn role_state(r: &Role) -> Value {
    let [tags, tags_all] = read_tags(tag_pairs(r.tags()));
    let (service, suffix) = service_and_suffix(r.path(), r.role_name());
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(r.arn())),
            ("arn", Value::string(r.arn())),
            ("aws_service_name", opt_str(service.as_deref())),
            ("create_date", iso8601(r.create_date())),
            ("custom_suffix", opt_str(suffix.as_deref())),
            (
                "description",
                opt_str(r.description().filter(|d| !d.is_empty())),
            ),
            ("name", Value::string(r.role_name())),
            ("path", Value::string(r.path())),
            ("unique_id", Value::string(r.role_id())),
            tags,
            tags_all,
        ],
    )
}

async fn get_role(clients: AwsClients, arn: String) -> Result<Option<Value>> {
    let Some(name) = role_name(&arn) else {
        return Err(ApiError::malformed(format!("not a role ARN: {arn}")));
    };
    let out = clients
        .iam
        .get_role()
        .role_name(name)
        .send()
        .await
        .map_err(from_sdk)?;
    Ok(out.role().map(role_state))
}

/// Whether `role` is the one `service` made with `suffix`.
fn is_made_for(role: &Role, service: &str, suffix: Option<&str>) -> bool {
    let (s, x) = service_and_suffix(role.path(), role.role_name());
    s.as_deref() == Some(service) && x.as_deref() == suffix
}

#[async_trait]
impl ResourceType for IamServiceLinkedRoleType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(service) = get_str(planned, "aws_service_name") else {
            return Ok(Vec::new());
        };
        let suffix = get_str(planned, "custom_suffix");
        let prefix = format!("/aws-service-role/{service}/");
        let listed = call(|| clients.iam.list_roles().path_prefix(&prefix).send()).await?;
        let arn = listed
            .roles()
            .iter()
            .find(|r| is_made_for(r, service, suffix))
            .map(|r| r.arn().to_string());
        find_by_arguments(self, clients, arn).await
    }

    fn import_id_format(&self) -> &'static str {
        "the role's ARN (`arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`)"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        match role_name(id) {
            Some(_) if id.starts_with("arn:") => Ok(id.to_string()),
            _ => Err(ImportIdError::Malformed(format!(
                "expected a role ARN (arn:aws:iam::123456789012:role/aws-service-role/SERVICE/NAME), got {id:?}"
            ))),
        }
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, get_role).await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let service = get_str(planned, "aws_service_name").unwrap_or_default();
        let out = call(|| {
            clients
                .iam
                .create_service_linked_role()
                .aws_service_name(service)
                .set_custom_suffix(get_str(planned, "custom_suffix").map(String::from))
                .set_description(get_str(planned, "description").map(String::from))
                .send()
        })
        .await?;
        let role = out
            .role()
            .ok_or_else(|| ApiError::malformed("CreateServiceLinkedRole answered no role"))?;
        let (name, arn) = (role.role_name().to_string(), role.arn().to_string());
        let tags = to_iam_tags(&creation_tags(planned, ctx.extra_tags));
        if !tags.is_empty() {
            call(|| {
                clients
                    .iam
                    .tag_role()
                    .role_name(&name)
                    .set_tags(Some(tags.clone()))
                    .send()
            })
            .await?;
        }
        read_created(self, clients, &arn).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let name = role_name(arn).ok_or_else(|| ApiError::malformed("no role name in the id"))?;
        if changed(prior, planned, "description") {
            call(|| {
                clients
                    .iam
                    .update_role()
                    .role_name(name)
                    .description(get_str(planned, "description").unwrap_or_default())
                    .send()
            })
            .await?;
        }
        send_tag_changes!(
            TagChanges::between(prior, planned),
            clients.iam,
            untag_role,
            tag_role,
            role_name(name),
            to_iam_tags
        )
        .await?;
        read_created(self, clients, arn).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let arn = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let name = role_name(arn).ok_or_else(|| ApiError::malformed("no role name in the id"))?;
        let Some(out) = call(|| {
            clients
                .iam
                .delete_service_linked_role()
                .role_name(name)
                .send()
        })
        .await
        .found()?
        else {
            return Ok(());
        };
        let task = out.deletion_task_id().to_string();
        wait_until(
            &format!("service-linked role {name} to be deleted"),
            Duration::from_secs(2),
            DELETE_LIMIT,
            || async {
                let status = call(|| {
                    clients
                        .iam
                        .get_service_linked_role_deletion_status()
                        .deletion_task_id(&task)
                        .send()
                })
                .await?;
                match status.status() {
                    DeletionTaskStatusType::Succeeded => Ok(Some(())),
                    DeletionTaskStatusType::Failed => {
                        let reason = status
                            .reason()
                            .and_then(|r| r.reason())
                            .unwrap_or("no reason given");
                        Err(ApiError::new(
                            ErrorKind::Other,
                            "DeletionTaskFailed",
                            format!(
                                "IAM could not delete the service-linked role {name}: {reason}"
                            ),
                        ))
                    }
                    _ => Ok(None),
                }
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_and_suffix_come_from_the_path_and_name() {
        assert_eq!(
            service_and_suffix(
                "/aws-service-role/autoscaling.amazonaws.com/",
                "AWSServiceRoleForAutoScaling_web"
            ),
            (
                Some("autoscaling.amazonaws.com".to_string()),
                Some("web".to_string())
            )
        );
        assert_eq!(
            service_and_suffix(
                "/aws-service-role/ecs.amazonaws.com/",
                "AWSServiceRoleForECS"
            ),
            (Some("ecs.amazonaws.com".to_string()), None)
        );
        assert_eq!(service_and_suffix("/", "plain"), (None, None));
    }

    #[test]
    fn the_role_name_is_the_last_part_of_the_arn() {
        assert_eq!(
            role_name(
                "arn:aws:iam::1:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
            ),
            Some("AWSServiceRoleForECS")
        );
        assert_eq!(role_name("arn:aws:iam::1:user/x"), None);
        assert_eq!(role_name("AWSServiceRoleForECS"), None);
    }
}
