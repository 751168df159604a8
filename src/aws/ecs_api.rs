//! What the ECS resource types share: tags in ECS's shape (set at creation through each create
//! call's `tags`, changed with TagResource/UntagResource, read without ecsform's own), SDK
//! builder errors as [`ApiError`]s, and names taken out of ECS ARNs.

use std::collections::BTreeMap;

use aws_sdk_ecs::types::Tag;

use super::error::{ApiError, ErrorKind};
use super::tags::ECSFORM_PREFIX;
use super::AwsClients;
use crate::aws::service_tags::TagChanges;
use crate::lang::Value;

pub fn to_ecs(tags: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    (!tags.is_empty()).then(|| {
        tags.iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect()
    })
}

/// All tags of an ECS object, ecsform's own included (to judge whose it is).
pub fn ecs_tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

/// Tags as read from ECS, without ecsform's own.
pub fn from_ecs(tags: &[Tag]) -> BTreeMap<String, String> {
    let mut tags = ecs_tag_map(tags);
    tags.retain(|k, _| !k.starts_with(ECSFORM_PREFIX));
    tags
}

/// Brings the tags of the ECS object `arn` from `prior` to `planned` (both by their
/// `tags_all`), leaving ecsform's own tags alone.
pub async fn update_ecs_tags(
    clients: &AwsClients,
    arn: &str,
    prior: &Value,
    planned: &Value,
) -> Result<(), ApiError> {
    TagChanges::between(prior, planned)
        .send(
            |keys| {
                clients
                    .ecs
                    .untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(keys))
                    .send()
            },
            |tags| {
                clients
                    .ecs
                    .tag_resource()
                    .resource_arn(arn)
                    .set_tags(to_ecs(tags))
                    .send()
            },
        )
        .await
}

/// A request the SDK refused to build (a required field missing).
pub fn build_error(e: aws_smithy_types::error::operation::BuildError) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "InvalidParameter", e.to_string())
}

/// The last path segment of an ECS ARN (`arn:aws:ecs:r:a:cluster/main` → `main`); a plain
/// name is returned as it is.
pub fn name_from_arn(arn_or_name: &str) -> &str {
    if arn_or_name.starts_with("arn:") {
        arn_or_name.rsplit('/').next().unwrap_or(arn_or_name)
    } else {
        arn_or_name
    }
}

/// The cluster of a service ARN in the long format
/// (`arn:aws:ecs:region:account:service/<cluster>/<name>`); `None` for the old short format
/// (`service/<name>`), whose services are looked up in the `default` cluster.
pub fn cluster_of_service_arn(arn: &str) -> Option<&str> {
    let resource = arn.split(':').nth(5)?;
    let mut parts = resource.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("service"), Some(cluster), Some(_)) => Some(cluster),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_out_of_arns() {
        assert_eq!(
            name_from_arn("arn:aws:ecs:eu-west-1:1:cluster/main"),
            "main"
        );
        assert_eq!(name_from_arn("main"), "main");
        assert_eq!(
            cluster_of_service_arn("arn:aws:ecs:eu-west-1:1:service/main/web"),
            Some("main")
        );
        assert_eq!(
            cluster_of_service_arn("arn:aws:ecs:eu-west-1:1:service/web"),
            None
        );
    }

    #[test]
    fn ecsform_tags_are_hidden_when_read() {
        let tags = BTreeMap::from([
            ("Name".to_string(), "x".to_string()),
            ("ecsform:lineage".to_string(), "l".to_string()),
        ]);
        let read = from_ecs(&to_ecs(&tags).unwrap());
        assert_eq!(read.len(), 1);
        assert_eq!(to_ecs(&BTreeMap::new()), None);
    }
}
