//! What the ECS resource types share: tags in ECS's shape (set at creation through each create
//! call's `tags`, changed with TagResource/UntagResource, read without ecsform's own), SDK
//! builder errors as [`ApiError`]s, names taken out of ECS ARNs, and what the types whose
//! objects a Describe call returns with their tags (clusters, capacity providers, services: see
//! [`EcsObject`]) do alike with them: [`live_states`], [`find_live`], [`live_arn`]. A capacity
//! provider strategy (a service's `capacity_provider_strategy`, a cluster's
//! `default_capacity_provider_strategy`) has one schema and one form in either
//! ([`CAPACITY_PROVIDER_STRATEGY`], [`strategy_to_ecs`], [`strategy_state`]).

use std::collections::BTreeMap;

use aws_sdk_ecs::types::{
    CapacityProvider, CapacityProviderStatus, CapacityProviderStrategyItem,
    CapacityProviderUpdateStatus, Cluster, Service, Tag,
};

use super::adopt::read_judged;
use super::error::{ApiError, ErrorKind};
use super::tags::ECSFORM_PREFIX;
use super::AwsClients;
use super::{Candidate, ImportIdError, Owner, ResourceType};
use crate::aws::error::Result;
use crate::aws::resource_type::States;
use crate::aws::service_tags::TagChanges;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_blocks, get_i32, get_str};
use crate::provider::AttrSchema;

/// The arguments of a capacity provider strategy block.
pub static CAPACITY_PROVIDER_STRATEGY: &[AttrSchema] = attrs![
    required String: capacity_provider;
    optional Number: weight.default(Default::Number(0.0)) base.default(Default::Number(0.0));
];

/// The arguments of a `placement_constraints` block (of a service or a task definition).
pub static PLACEMENT_CONSTRAINT: &[AttrSchema] = attrs![
    required String: type;
    optional String: expression;
];

/// The strategy blocks `block` of `planned` in ECS's shape.
pub fn strategy_to_ecs(planned: &Value, block: &str) -> Result<Vec<CapacityProviderStrategyItem>> {
    get_blocks(planned, block)
        .iter()
        .map(|s| {
            CapacityProviderStrategyItem::builder()
                .capacity_provider(get_str(s, "capacity_provider").unwrap_or_default())
                .weight(get_i32(s, "weight").unwrap_or(0))
                .base(get_i32(s, "base").unwrap_or(0))
                .build()
                .map_err(build_error)
        })
        .collect()
}

/// A strategy as read from ECS, as blocks.
pub fn strategy_state(items: &[CapacityProviderStrategyItem]) -> Vec<Value> {
    items
        .iter()
        .map(|s| {
            Value::map([
                ("capacity_provider", Value::string(s.capacity_provider())),
                ("weight", Value::number(s.weight())),
                ("base", Value::number(s.base())),
            ])
        })
        .collect()
}

/// An object an ECS Describe call returns with its tags.
pub trait EcsObject {
    /// Its ARN, the id ecsform records.
    fn object_arn(&self) -> Option<&str>;
    /// All its tags, ecsform's own included.
    fn object_tags(&self) -> &[Tag];
    /// False for an object AWS still describes for a while after its deletion: an `INACTIVE`
    /// cluster or service, an inactive capacity provider or one whose deletion is complete.
    fn is_live(&self) -> bool;
}

/// Implements [`EcsObject`] for `$type`, whose ARN is `$arn` and which is live when
/// `$live` (given the object) holds.
macro_rules! ecs_object {
    ($type:ty, $arn:ident, $live:expr) => {
        impl EcsObject for $type {
            fn object_arn(&self) -> Option<&str> {
                self.$arn()
            }
            fn object_tags(&self) -> &[Tag] {
                self.tags()
            }
            fn is_live(&self) -> bool {
                let live: fn(&$type) -> bool = $live;
                live(self)
            }
        }
    };
}

ecs_object!(Cluster, cluster_arn, |c| c.status() != Some("INACTIVE"));
ecs_object!(Service, service_arn, |s| s.status() != Some("INACTIVE"));
ecs_object!(CapacityProvider, capacity_provider_arn, |p| {
    p.status() != Some(&CapacityProviderStatus::Inactive)
        && p.update_status() != Some(&CapacityProviderUpdateStatus::DeleteComplete)
});

/// `read_many` of an ECS type: the states (by `state`, which gives the id too) of the live
/// objects that `described` returns for `ids`, of those asked for. No call for no ids.
pub async fn live_states<T: EcsObject, Fut>(
    ids: &[String],
    described: impl FnOnce() -> Fut,
    state: impl Fn(&T) -> Option<(String, Value)>,
) -> Result<States>
where
    Fut: std::future::Future<Output = Result<Vec<T>>>,
{
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    Ok(described()
        .await?
        .iter()
        .filter(|o| o.is_live())
        .filter_map(state)
        .filter(|(id, _)| ids.contains(id))
        .collect())
}

/// `find_created` of an ECS type: the live objects of `found` (described by name) judged by
/// all their tags.
pub async fn find_live<T: EcsObject>(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    owner: &Owner<'_>,
    found: &[T],
) -> Result<Vec<Candidate>> {
    let found = found
        .iter()
        .filter(|o| o.is_live())
        .filter_map(|o| Some((o.object_arn()?.to_string(), ecs_tag_map(o.object_tags()))))
        .collect();
    read_judged(rt, clients, owner, found).await
}

/// The ARN of the live object among `found` (described by the name an import ID gives).
pub fn live_arn<T: EcsObject>(found: &[T]) -> Result<String, ImportIdError> {
    found
        .iter()
        .filter(|o| o.is_live())
        .find_map(|o| o.object_arn().map(String::from))
        .ok_or(ImportIdError::NotFound)
}

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
) -> Result<()> {
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
