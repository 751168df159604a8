//! What the resource types' `find_created` lookups share: the EC2 filters on ecsform's tags,
//! judging what a lookup returned by all its tags, and reading the objects of ours the way
//! refresh reads them; and the usual lookups whole ([`tagged_ec2`] for EC2 types, which the
//! default `find_created` judges, [`find_named`] for a name or ARN known in advance,
//! [`find_by_arguments`] for types without tags, [`tagged_through_getresources`] for the
//! ARNs of a service whose objects AWS names). The decision between candidates is
//! `aws::adoption`'s.

use std::collections::BTreeMap;
use std::future::Future;

use aws_sdk_ec2::types::{Filter, Tag};

use super::ec2::{describe_matching, Ec2Object};
use super::error::OrGone;
use super::AwsClients;
use crate::aws::adoption::{ADDRESS_TAG, LINEAGE_TAG};
use crate::aws::error::Result;
use crate::aws::{Candidate, Owner, ResourceType};

/// The EC2 filters that select objects tagged as `owner`'s. Filter values are patterns (AWS
/// reads `*` and `?` as wildcards; some emulators read `[...]` as a character class, which
/// every indexed address has), so each such character is sent as `?`, which matches it
/// everywhere, and what comes back is judged again by its exact tags.
pub fn ec2_owner_filters(owner: &Owner<'_>) -> Vec<Filter> {
    [(ADDRESS_TAG, owner.address), (LINEAGE_TAG, owner.lineage)]
        .into_iter()
        .map(|(k, v)| {
            Filter::builder()
                .name(format!("tag:{k}"))
                .values(literal_pattern(v))
                .build()
        })
        .collect()
}

/// A filter pattern that matches `s` (and little else) whichever pattern syntax the other end
/// reads: characters that are special in one of them become the one-character wildcard.
fn literal_pattern(s: &str) -> String {
    s.chars()
        .map(|c| if "*?[]\\".contains(c) { '?' } else { c })
        .collect()
}

/// All of an EC2 object's tags, ecsform's own included.
pub fn ec2_tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

/// Judges each found object (id, all its tags) and reads the ones of ours with
/// `rt.read_many`, so that what is adopted looks exactly as refresh would show it. Objects of
/// ours that `read_many` no longer finds (deleted, or being deleted) are left out.
pub async fn read_judged<R: ResourceType + ?Sized>(
    rt: &R,
    clients: &AwsClients,
    owner: &Owner<'_>,
    found: Vec<(String, BTreeMap<String, String>)>,
) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    let mut ours = Vec::new();
    for (id, tags) in found {
        match owner.judge(&id, &tags, crate::lang::Value::Null) {
            Candidate::Ours(_) => ours.push(id),
            foreign => out.push(foreign),
        }
    }
    out.extend(read_ours(rt, clients, &ours).await?);
    Ok(out)
}

/// The EC2 objects of type `T` that the filters on ecsform's tags ([`ec2_owner_filters`])
/// select, each with all its tags, for [`read_judged`]: what `find_created` of an EC2 type
/// looks at.
pub async fn tagged_ec2<T: Ec2Object>(
    clients: &AwsClients,
    owner: &Owner<'_>,
) -> Result<Vec<(String, BTreeMap<String, String>)>> {
    let found = describe_matching::<T>(clients, None, ec2_owner_filters(owner)).await?;
    Ok(found
        .iter()
        .filter_map(|o| Some((o.ec2_id()?.to_string(), ec2_tag_map(o.ec2_tags()))))
        .collect())
}

/// `find_created` of a type whose objects are found by the one name (or ARN) `id` they were
/// created with: `tags_of` reads that object's tags (`None`, or a NotFound, when there is no
/// such object), which [`read_judged`] judges.
pub async fn find_named<Fut>(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    owner: &Owner<'_>,
    id: &str,
    tags_of: impl FnOnce() -> Fut,
) -> Result<Vec<Candidate>>
where
    Fut: Future<Output = Result<Option<BTreeMap<String, String>>>>,
{
    let tags = tags_of().await.found()?.flatten();
    let found = tags.map(|t| (id.to_string(), t)).into_iter().collect();
    read_judged(rt, clients, owner, found).await
}

/// The objects of `resource_type` (the Tagging API's `service:type`, `kms:key`) tagged as
/// `owner`'s, by ARN with all their tags, from the Resource Groups Tagging API's
/// GetResources: for types whose ids AWS makes up and whose own service has no filter on
/// tags. What comes back is judged again by its exact tags ([`read_judged`]).
pub async fn tagged_through_getresources(
    clients: &AwsClients,
    owner: &Owner<'_>,
    resource_type: &str,
) -> Result<Vec<(String, BTreeMap<String, String>)>> {
    use aws_sdk_resourcegroupstagging::types::TagFilter;
    let filters: Vec<TagFilter> = [(ADDRESS_TAG, owner.address), (LINEAGE_TAG, owner.lineage)]
        .into_iter()
        .map(|(k, v)| TagFilter::builder().key(k).values(v).build())
        .collect();
    let found = super::call::call(|| {
        clients
            .tagging
            .get_resources()
            .resource_type_filters(resource_type)
            .set_tag_filters(Some(filters.clone()))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(found
        .iter()
        .filter_map(|m| {
            let tags = m
                .tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect();
            Some((m.resource_arn()?.to_string(), tags))
        })
        .collect())
}

/// `find_created` of a type without tags whose id follows from its arguments (`None` when
/// they are not all known): the object with that id, if it exists, is taken as ours.
pub async fn find_by_arguments(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    id: Option<String>,
) -> Result<Vec<Candidate>> {
    match id {
        Some(id) => read_ours(rt, clients, &[id]).await,
        None => Ok(Vec::new()),
    }
}

/// Reads `ids` with `rt.read_many` and takes every object found as ours: for types without
/// tags, where the name or the arguments are all there is to go by.
pub async fn read_ours<R: ResourceType + ?Sized>(
    rt: &R,
    clients: &AwsClients,
    ids: &[String],
) -> Result<Vec<Candidate>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let Some(read) = rt.read_many(clients, ids).await.found()? else {
        return Ok(Vec::new());
    };
    Ok(read.into_values().map(Candidate::Ours).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_select_both_ecsform_tags() {
        let owner = Owner {
            address: "module.vpc.aws_subnet.private[\"a\"]",
            lineage: "L1",
        };
        let f = ec2_owner_filters(&owner);
        assert_eq!(f[0].name(), Some("tag:ecsform:address"));
        assert_eq!(f[0].values(), ["module.vpc.aws_subnet.private?\"a\"?"]);
        assert_eq!(f[1].name(), Some("tag:ecsform:lineage"));
        assert_eq!(f[1].values(), ["L1"]);
    }
}
