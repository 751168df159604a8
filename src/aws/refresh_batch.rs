//! Reads that serve several objects, or several resource types, of one refresh at once.
//!
//! A [`RefreshBatch`] lives for one refresh. The first resource type that asks for one of its
//! reads makes the call (paginated); the types after it take their objects from the answer:
//!
//! * [`RefreshBatch::iam_account`]: IAM's `GetAccountAuthorizationDetails`, filtered to roles
//!   and customer managed policies: every role with its trust policy, inline policies (with
//!   their documents), attached managed policies, instance profiles, permissions boundary and
//!   tags, and every customer managed policy with its versions' documents. It serves
//!   `aws_iam_role`, `aws_iam_role_policy`, `aws_iam_role_policy_attachment`,
//!   `aws_iam_instance_profile` and `aws_iam_policy`.
//! * [`RefreshBatch::iam_roles_listed`]: `ListRoles`, for the two role attributes the call
//!   above leaves out (description, maximum session duration).
//! * [`RefreshBatch::tags`]: the Resource Groups Tagging API's `GetResources`, filtered to the
//!   resource types of [`TAGGED_THROUGH_GETRESOURCES`], for the tags of objects whose own
//!   service returns them one object per call (ACM, CloudWatch Logs, CloudWatch alarms, ECR,
//!   KMS, Lambda, SNS, SSM).
//!
//! It does not decide what a type's state looks like (each resource type builds it from the
//! answers), nor what to do about an object a batch lacks: the types read those one by one,
//! so that an object created a moment ago, which a list call may not show yet, is not taken
//! for gone.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use aws_sdk_iam::types::{EntityType, InstanceProfile, ManagedPolicyDetail, Role, RoleDetail};
use tokio::sync::OnceCell;

use super::AwsClients;
use crate::aws::call::call;
use crate::aws::error::Result;

/// The resource types whose tags come from the Resource Groups Tagging API, with the
/// `service:type` of its `ResourceTypeFilters`. Not listed, though AWS supports them there:
/// EventBridge rules (`events:rule`; moto, the emulator of the tests, does not report rules
/// in GetResources), and the types whose own Describe call already returns tags for many
/// objects at once (EC2, ELBv2 `DescribeTags`, ECS).
pub const TAGGED_THROUGH_GETRESOURCES: &[(&str, &str)] = &[
    ("aws_acm_certificate", "acm:certificate"),
    ("aws_cloudwatch_log_group", "logs:loggroup"),
    ("aws_cloudwatch_metric_alarm", "cloudwatch:alarm"),
    ("aws_ecr_repository", "ecr:repository"),
    ("aws_kms_key", "kms:key"),
    ("aws_lambda_function", "lambda:function"),
    ("aws_sns_topic", "sns:topic"),
    ("aws_ssm_parameter", "ssm:parameter"),
];

/// The resource types served by [`RefreshBatch::iam_account`] with the entity filter each
/// needs.
const IAM_TYPES: &[(&str, EntityType)] = &[
    ("aws_iam_role", EntityType::Role),
    ("aws_iam_role_policy", EntityType::Role),
    ("aws_iam_role_policy_attachment", EntityType::Role),
    ("aws_iam_policy", EntityType::LocalManagedPolicy),
    ("aws_iam_instance_profile", EntityType::Role),
];

/// The largest page IAM's list calls return.
const IAM_MAX_ITEMS: i32 = 1000;
/// The largest page of GetResources, in resources and in tags (AWS counts both; moto ends a
/// page at whichever limit comes first).
const TAGGING_PAGE: i32 = 100;
const TAGGING_PAGE_TAGS: i32 = 500;

/// Roles and customer managed policies of the account, as `GetAccountAuthorizationDetails`
/// returns them.
#[derive(Debug, Default)]
pub struct IamAccount {
    /// By role name.
    pub roles: BTreeMap<String, RoleDetail>,
    /// Customer managed policies by ARN.
    pub policies: BTreeMap<String, ManagedPolicyDetail>,
    /// The instance profiles of the roles (a profile without a role is not there), by name.
    /// AWS does not document that their tags are filled in here, as its list calls leave
    /// tags out; [`IamAccount::tagged_profile`] uses only profiles that do have tags.
    pub instance_profiles: BTreeMap<String, InstanceProfile>,
}

impl IamAccount {
    /// The instance profile `name`, if the account details list it with its tags. Every
    /// profile ecsform creates carries tags (`ecsform:address`...), so a profile listed
    /// without any may be one whose tags this answer leaves out: read it on its own.
    pub fn tagged_profile(&self, name: &str) -> Option<&InstanceProfile> {
        self.instance_profiles
            .get(name)
            .filter(|p| !p.tags().is_empty())
    }

    /// The document of the policy's default version (URL-encoded, as IAM returns it).
    pub fn default_document(policy: &ManagedPolicyDetail) -> Option<&str> {
        policy
            .policy_version_list()
            .iter()
            .find(|v| v.is_default_version() || v.version_id() == policy.default_version_id())
            .and_then(|v| v.document())
    }
}

/// Tags by ARN (without a trailing `:*`), for the objects GetResources reported.
pub type TagsByArn = BTreeMap<String, BTreeMap<String, String>>;

type Shared<T> = OnceCell<Result<Arc<T>>>;

/// The shared reads of one refresh. Build it with the resource types the refresh reads.
#[derive(Debug, Default)]
pub struct RefreshBatch {
    iam_filter: Vec<EntityType>,
    tag_filters: Vec<&'static str>,
    iam: Shared<IamAccount>,
    roles_listed: Shared<BTreeMap<String, Role>>,
    tags: Shared<TagsByArn>,
}

impl RefreshBatch {
    /// A batch for a refresh of objects of `types` (resource type names): its IAM call asks
    /// for only the entities those types need, and its tag call for only their types.
    pub fn for_types<'a>(types: impl IntoIterator<Item = &'a str>) -> RefreshBatch {
        let types: BTreeSet<&str> = types.into_iter().collect();
        let mut iam_filter: Vec<EntityType> = Vec::new();
        for (_, entity) in IAM_TYPES.iter().filter(|(t, _)| types.contains(t)) {
            if !iam_filter.contains(entity) {
                iam_filter.push(entity.clone());
            }
        }
        RefreshBatch {
            iam_filter,
            tag_filters: TAGGED_THROUGH_GETRESOURCES
                .iter()
                .filter(|(t, _)| types.contains(t))
                .map(|(_, f)| *f)
                .collect(),
            ..RefreshBatch::default()
        }
    }

    /// Roles and customer managed policies, from one paginated
    /// `GetAccountAuthorizationDetails` (made once per batch).
    pub async fn iam_account(&self, clients: &AwsClients) -> Result<Arc<IamAccount>> {
        self.iam
            .get_or_init(|| async {
                let filter = if self.iam_filter.is_empty() {
                    vec![EntityType::Role, EntityType::LocalManagedPolicy]
                } else {
                    self.iam_filter.clone()
                };
                let pages = call(|| {
                    clients
                        .iam
                        .get_account_authorization_details()
                        .set_filter(Some(filter.clone()))
                        .max_items(IAM_MAX_ITEMS)
                        .into_paginator()
                        .send()
                        .collect::<Result<Vec<_>, _>>()
                })
                .await?;
                let mut account = IamAccount::default();
                for page in pages {
                    for r in page.role_detail_list() {
                        for p in r.instance_profile_list() {
                            account
                                .instance_profiles
                                .insert(p.instance_profile_name().to_string(), p.clone());
                        }
                        if let Some(name) = r.role_name() {
                            account.roles.insert(name.to_string(), r.clone());
                        }
                    }
                    for p in page.policies() {
                        if let Some(arn) = p.arn() {
                            account.policies.insert(arn.to_string(), p.clone());
                        }
                    }
                }
                Ok(Arc::new(account))
            })
            .await
            .clone()
    }

    /// Every role as `ListRoles` returns it (with its description and maximum session
    /// duration, which `GetAccountAuthorizationDetails` leaves out), by name.
    pub async fn iam_roles_listed(
        &self,
        clients: &AwsClients,
    ) -> Result<Arc<BTreeMap<String, Role>>> {
        self.roles_listed
            .get_or_init(|| async {
                let roles = call(|| {
                    clients
                        .iam
                        .list_roles()
                        .max_items(IAM_MAX_ITEMS)
                        .into_paginator()
                        .items()
                        .send()
                        .collect::<Result<Vec<_>, _>>()
                })
                .await?;
                Ok(Arc::new(
                    roles
                        .into_iter()
                        .map(|r| (r.role_name().to_string(), r))
                        .collect(),
                ))
            })
            .await
            .clone()
    }

    /// The tags of every object of this batch's tag types (see
    /// [`TAGGED_THROUGH_GETRESOURCES`]) that has tags, from one paginated `GetResources`.
    /// An object absent from the answer has no tags (AWS reports tagged objects only).
    pub async fn tags(&self, clients: &AwsClients) -> Result<Arc<TagsByArn>> {
        self.tags
            .get_or_init(|| async {
                let filters: Vec<String> = if self.tag_filters.is_empty() {
                    TAGGED_THROUGH_GETRESOURCES
                        .iter()
                        .map(|(_, f)| f.to_string())
                        .collect()
                } else {
                    self.tag_filters.iter().map(|f| f.to_string()).collect()
                };
                let mappings = call(|| {
                    clients
                        .tagging
                        .get_resources()
                        .set_resource_type_filters(Some(filters.clone()))
                        .resources_per_page(TAGGING_PAGE)
                        .tags_per_page(TAGGING_PAGE_TAGS)
                        .into_paginator()
                        .items()
                        .send()
                        .collect::<Result<Vec<_>, _>>()
                })
                .await?;
                let mut out = TagsByArn::new();
                for m in mappings {
                    let Some(arn) = m.resource_arn() else {
                        continue;
                    };
                    out.insert(
                        plain_arn(arn).to_string(),
                        m.tags()
                            .iter()
                            .map(|t| (t.key().to_string(), t.value().to_string()))
                            .collect(),
                    );
                }
                Ok(Arc::new(out))
            })
            .await
            .clone()
    }
}

/// An ARN without the `:*` CloudWatch Logs appends to log group ARNs in some answers.
pub fn plain_arn(arn: &str) -> &str {
    arn.strip_suffix(":*").unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::types::PolicyVersion;

    #[test]
    fn asks_iam_only_for_the_entities_the_types_need() {
        let b = RefreshBatch::for_types(["aws_vpc", "aws_iam_role_policy"]);
        assert_eq!(b.iam_filter, [EntityType::Role]);
        assert!(b.tag_filters.is_empty());
        let b = RefreshBatch::for_types([
            "aws_iam_policy",
            "aws_iam_role",
            "aws_iam_role_policy_attachment",
            "aws_sns_topic",
        ]);
        assert_eq!(
            b.iam_filter,
            [EntityType::Role, EntityType::LocalManagedPolicy]
        );
        assert_eq!(b.tag_filters, ["sns:topic"]);
    }

    #[test]
    fn the_default_document_is_the_default_versions() {
        let p = ManagedPolicyDetail::builder()
            .default_version_id("v2")
            .policy_version_list(
                PolicyVersion::builder()
                    .version_id("v1")
                    .document("old")
                    .build(),
            )
            .policy_version_list(
                PolicyVersion::builder()
                    .version_id("v2")
                    .is_default_version(true)
                    .document("new")
                    .build(),
            )
            .build();
        assert_eq!(IamAccount::default_document(&p), Some("new"));
        assert_eq!(
            plain_arn("arn:aws:logs:eu-west-1:1:log-group:/a:*"),
            "arn:aws:logs:eu-west-1:1:log-group:/a"
        );
    }
}
