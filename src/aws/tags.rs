//! Tags on EC2 objects: what to send at creation (the object's `tags_all` plus ecsform's own
//! `ecsform:address` and `ecsform:lineage`), what to report back (AWS tags without ecsform's
//! own), and in-place tag updates.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};

use super::AwsClients;
use crate::aws::error::Result;
use crate::aws::service_tags::TagChanges;
use crate::lang::Value;
use crate::provider::values::get_string_map;

/// Tags ecsform puts on every object it creates, recognisable by this prefix.
pub const ECSFORM_PREFIX: &str = "ecsform:";

/// The tags to set at creation: the planned `tags_all` (or `tags`) plus `extra`.
pub fn creation_tags(
    planned: &Value,
    extra: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut tags = get_string_map(planned, "tags_all");
    if tags.is_empty() {
        tags = get_string_map(planned, "tags");
    }
    tags.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    tags
}

/// A TagSpecification for `RunInstances`-style create calls.
pub fn tag_spec(kind: ResourceType, tags: &BTreeMap<String, String>) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(to_ec2(tags)))
        .build()
}

pub fn to_ec2(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Tags as read from AWS, without ecsform's own.
pub fn from_ec2(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .filter(|(k, _)| !k.starts_with(ECSFORM_PREFIX))
        .collect()
}

/// Brings the object's tags from `prior` to `planned` (both by their `tags_all`), leaving
/// ecsform's own tags alone.
pub async fn update_ec2_tags(
    clients: &AwsClients,
    id: &str,
    prior: &Value,
    planned: &Value,
) -> Result<()> {
    TagChanges::between(prior, planned)
        .send(
            |keys| {
                let keys = keys.iter().map(|k| Tag::builder().key(k).build());
                clients
                    .ec2
                    .delete_tags()
                    .resources(id)
                    .set_tags(Some(keys.collect()))
                    .send()
            },
            |tags| {
                clients
                    .ec2
                    .create_tags()
                    .resources(id)
                    .set_tags(Some(to_ec2(tags)))
                    .send()
            },
        )
        .await
}

/// Makes the tags of an object AWS made and ecsform adopts (a VPC's default security group or
/// network ACL) the planned ones and ecsform's, as the AWS provider does: tags it had that the
/// configuration lacks are removed, but AWS's own `aws:` tags, which cannot be changed.
pub async fn adopt_ec2_tags(
    clients: &AwsClients,
    id: &str,
    existing: &[Tag],
    planned: &Value,
    extra: &BTreeMap<String, String>,
) -> Result<()> {
    let before: BTreeMap<String, String> = existing
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .filter(|(k, _)| !k.starts_with("aws:"))
        .collect();
    let tags_all = |m: &BTreeMap<String, String>| {
        Value::map([("tags_all", crate::provider::values::string_map(m))])
    };
    let after = creation_tags(planned, extra);
    update_ec2_tags(clients, id, &tags_all(&before), &tags_all(&after)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecsform_tags_are_added_at_creation_and_hidden_when_read() {
        let planned = Value::map([("tags_all", Value::map([("Name", Value::string("main"))]))]);
        let extra = BTreeMap::from([("ecsform:address".to_string(), "aws_vpc.main".to_string())]);
        let tags = creation_tags(&planned, &extra);
        assert_eq!(tags.len(), 2);
        let read = from_ec2(&to_ec2(&tags));
        assert_eq!(
            read,
            BTreeMap::from([("Name".to_string(), "main".to_string())])
        );
    }
}
