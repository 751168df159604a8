//! How the Elastic Load Balancing (v2) types read their objects.
//!
//! * Load balancers and target groups are described by ARN ([`describe_by_arns!`]), each with
//!   its attributes, which live apart from it ([`describe_attributes!`], changed with
//!   [`modify_attributes!`]), and with its tags ([`states_with_attributes`]).
//! * Listeners and rules are read through their parent, whose ARN theirs names
//!   ([`read_children`], [`children_of!`]): a request by child ARNs fails whole when one is gone.
//! * Every kind is judged for adoption by its tags ([`find_tagged`]).

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use super::adopt::read_judged;
use super::elbv2_tags::{describe_tags, parent_arn};
use super::{AwsClients, Candidate, Owner, ResourceType};
use crate::aws::error::Result;
use crate::aws::resource_type::States;
use crate::lang::Value;

/// Attributes or tags as key/value pairs.
pub type Pairs = BTreeMap<String, String>;

/// Describes objects by ARN with `$describe` (`describe_load_balancers`, which takes the ARNs
/// with `$set_arns`), [`DESCRIBE_TAGS_CHUNK`](super::elbv2_tags::DESCRIBE_TAGS_CHUNK) a
/// request. AWS fails a whole request when one ARN is gone; that chunk is then found in the
/// full (paginated) listing, where the gone ones are simply absent (`$arn` gives an object's
/// ARN).
macro_rules! describe_by_arns {
    ($clients:expr, $arns:expr, $describe:ident, $set_arns:ident, $arn:ident) => {
        $crate::aws::resources::describe_batched(
            $arns,
            $crate::aws::elbv2_tags::DESCRIBE_TAGS_CHUNK,
            |chunk| async move {
                $clients
                    .elbv2
                    .$describe()
                    .$set_arns(Some(chunk))
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await
                    .map_err($crate::aws::error::from_sdk)
            },
            |chunk| async move {
                let all: Vec<_> = $clients
                    .elbv2
                    .$describe()
                    .page_size(400)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await
                    .map_err($crate::aws::error::from_sdk)?;
                Ok(all
                    .into_iter()
                    .filter(|o| o.$arn().is_some_and(|a| chunk.iter().any(|c| c == a)))
                    .collect())
            },
        )
    };
}
pub(crate) use describe_by_arns;

/// The attributes of one object as [`Pairs`], `None` if it is gone: `$describe`
/// (`describe_load_balancer_attributes`, which names the object with `$id($arn)`). There is no
/// batch form: one call per object.
macro_rules! describe_attributes {
    ($clients:expr, $describe:ident, $id:ident($arn:expr)) => {
        async {
            use $crate::aws::error::OrGone;
            let out = $crate::aws::call::call(|| $clients.elbv2.$describe().$id($arn).send()).await;
            Ok::<_, $crate::aws::error::ApiError>(out.found()?.map(|out| {
                out.attributes()
                    .iter()
                    .filter_map(|a| Some((a.key()?.to_string(), a.value()?.to_string())))
                    .collect::<$crate::aws::elbv2_reads::Pairs>()
            }))
        }
    };
}
pub(crate) use describe_attributes;

/// Sets the attributes `$attrs` (keys and values) of one object with `$modify`
/// (`modify_load_balancer_attributes`, which names the object with `$id($arn)` and takes
/// `$attribute`s); nothing is sent when there are none.
macro_rules! modify_attributes {
    ($clients:expr, $modify:ident, $id:ident($arn:expr), $attribute:ident, $attrs:expr) => {
        async {
            let attrs: &std::collections::BTreeMap<&'static str, String> = $attrs;
            if !attrs.is_empty() {
                let sent: Vec<$attribute> = attrs
                    .iter()
                    .map(|(k, v)| $attribute::builder().key(*k).value(v).build())
                    .collect();
                $crate::aws::call::call(|| {
                    $clients
                        .elbv2
                        .$modify()
                        .$id($arn)
                        .set_attributes(Some(sent.clone()))
                        .send()
                })
                .await?;
            }
            Ok::<(), $crate::aws::error::ApiError>(())
        }
    };
}
pub(crate) use modify_attributes;

/// The children of one parent (`$describe`: `describe_listeners` with
/// `load_balancer_arn($arn)`, `describe_rules` with `listener_arn($arn)`), all pages; none if
/// the parent is gone.
macro_rules! children_of {
    ($clients:expr, $describe:ident, $parent:ident($arn:expr)) => {
        async {
            use $crate::aws::error::OrGone;
            let found = $crate::aws::call::call(|| {
                $clients
                    .elbv2
                    .$describe()
                    .$parent($arn)
                    .into_paginator()
                    .items()
                    .send()
                    .collect::<Result<Vec<_>, _>>()
            })
            .await;
            found.found().map(Option::unwrap_or_default)
        }
    };
}
pub(crate) use children_of;

/// The tags of `objects` by ARN (`arn`; all of them, ecsform's own included), read with one
/// batched `DescribeTags`.
async fn tags_of<T>(
    clients: &AwsClients,
    objects: &[T],
    arn: &impl Fn(&T) -> Option<&str>,
) -> Result<BTreeMap<String, Pairs>> {
    let arns: Vec<String> = objects
        .iter()
        .filter_map(|o| arn(o).map(String::from))
        .collect();
    describe_tags(clients, &arns).await
}

/// The states of `objects` by ARN (`arn`), each made by `state` with the object's tags (see
/// [`tags_of`]; `state` leaves ecsform's own out).
pub async fn states_with_tags<T>(
    clients: &AwsClients,
    objects: &[T],
    arn: impl Fn(&T) -> Option<&str>,
    state: impl Fn(&T, &Pairs) -> Value,
) -> Result<States> {
    if objects.is_empty() {
        return Ok(BTreeMap::new());
    }
    let tags = tags_of(clients, objects, &arn).await?;
    let empty = BTreeMap::new();
    Ok(objects
        .iter()
        .filter_map(|o| {
            let arn = arn(o)?;
            Some((arn.to_string(), state(o, tags.get(arn).unwrap_or(&empty))))
        })
        .collect())
}

/// [`states_with_tags`] for objects whose attributes live apart from them (load balancers,
/// target groups): after the tags, each object's attributes are read with `attributes` (by
/// ARN; `None` for one gone since, which is left out), and `state` takes them as well.
pub async fn states_with_attributes<T, A, AFut>(
    clients: &AwsClients,
    objects: Vec<T>,
    arn: impl Fn(&T) -> Option<&str>,
    attributes: A,
    state: impl Fn(&T, &Pairs, &Pairs) -> Value,
) -> Result<States>
where
    A: Fn(String) -> AFut,
    AFut: Future<Output = Result<Option<Pairs>>>,
{
    if objects.is_empty() {
        return Ok(BTreeMap::new());
    }
    let tags = tags_of(clients, &objects, &arn).await?;
    let empty = BTreeMap::new();
    let mut out = BTreeMap::new();
    for object in &objects {
        let Some(a) = arn(object) else {
            continue;
        };
        if let Some(attrs) = attributes(a.to_string()).await? {
            let state = state(object, &attrs, tags.get(a).unwrap_or(&empty));
            out.insert(a.to_string(), state);
        }
    }
    Ok(out)
}

/// Groups child ARNs (of `kind`, e.g. `listener`) by the parent their ARN names (of
/// `parent_kind`, e.g. `loadbalancer`). Ids that are not such ARNs name nothing that could
/// exist, and are left out.
pub fn by_parent(
    ids: &[String],
    kind: &str,
    parent_kind: &str,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for id in ids {
        if let Some(parent) = parent_arn(id, kind, parent_kind) {
            groups.entry(parent).or_default().insert(id.clone());
        }
    }
    groups
}

/// Reads children (listeners, rules) by ARN through their parents: the ids are grouped
/// [`by_parent`], the children of each parent listed with `children` (by the parent's ARN), those
/// asked for kept and made into states by `state` (with the parent's ARN and the child's tags,
/// see [`states_with_tags`]).
pub async fn read_children<T, C, CFut>(
    clients: &AwsClients,
    ids: &[String],
    (kind, parent_kind): (&str, &str),
    children: C,
    arn: impl Fn(&T) -> Option<&str>,
    state: impl Fn(&T, &str, &Pairs) -> Value,
) -> Result<States>
where
    C: Fn(String) -> CFut,
    CFut: Future<Output = Result<Vec<T>>>,
{
    let mut found = Vec::new();
    for (parent, wanted) in by_parent(ids, kind, parent_kind) {
        let listed = children(parent.clone()).await?;
        found.extend(
            listed
                .into_iter()
                .filter(|c| arn(c).is_some_and(|a| wanted.contains(a)))
                .map(|c| (parent.clone(), c)),
        );
    }
    states_with_tags(
        clients,
        &found,
        |(_, c)| arn(c),
        |(parent, c), tags| state(c, parent, tags),
    )
    .await
}

/// `find_created` of an ELB type: `objects` (found by name or under the parent) judged by their
/// tags, read with one batched `DescribeTags`.
pub async fn find_tagged<T>(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    owner: &Owner<'_>,
    objects: &[T],
    arn: impl Fn(&T) -> Option<&str>,
) -> Result<Vec<Candidate>> {
    let arns: Vec<String> = objects
        .iter()
        .filter_map(|o| arn(o).map(String::from))
        .collect();
    let found = describe_tags(clients, &arns).await?.into_iter().collect();
    read_judged(rt, clients, owner, found).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const LB: &str = "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/50dc6c49";

    #[test]
    fn listener_ids_are_grouped_by_load_balancer() {
        let a = format!("{}/1", LB.replace(":loadbalancer/", ":listener/"));
        let b = format!("{}/2", LB.replace(":loadbalancer/", ":listener/"));
        let groups = by_parent(
            &[a.clone(), b.clone(), "not-an-arn".into()],
            "listener",
            "loadbalancer",
        );
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[LB], BTreeSet::from([a, b]));
    }

    #[test]
    fn rule_ids_are_grouped_by_listener() {
        let listener = "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/web/50dc/f2f7";
        let rule = format!("{}/9683", listener.replace(":listener/", ":listener-rule/"));
        let groups = by_parent(std::slice::from_ref(&rule), "listener-rule", "listener");
        assert_eq!(groups[listener], BTreeSet::from([rule]));
    }
}
