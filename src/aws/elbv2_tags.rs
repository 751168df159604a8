//! Tags on Elastic Load Balancing (v2) objects — load balancers, target groups, listeners and
//! listener rules — and the ARN arithmetic those types share.
//!
//! ELB takes tags on every create call (`Tags`), reads them only through `DescribeTags` (at
//! most [`DESCRIBE_TAGS_CHUNK`] ARNs a call, any mix of object kinds) and changes them with
//! `AddTags` / `RemoveTags`. What is shown in state leaves ecsform's own `ecsform:*` tags out,
//! as for EC2 (`super::tags`).

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::Tag;

use super::error::{eventually_consistent, retry, ErrorKind, RetryPolicy};
use super::tags::ECSFORM_PREFIX;
use super::AwsClients;
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::service_tags::{send_tag_changes, TagChanges};
use crate::lang::Value;

/// How many ARNs one `DescribeTags` (and `DescribeLoadBalancers`, `DescribeTargetGroups`)
/// request may carry.
pub const DESCRIBE_TAGS_CHUNK: usize = 20;

pub fn to_elb(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Tags as read from AWS, without ecsform's own.
pub fn visible(tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    tags.iter()
        .filter(|(k, _)| !k.starts_with(ECSFORM_PREFIX))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn from_elb(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

async fn describe_chunk(
    clients: &AwsClients,
    arns: &[String],
) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
    let out = call(|| {
        clients
            .elbv2
            .describe_tags()
            .set_resource_arns(Some(arns.to_vec()))
            .send()
    })
    .await?;
    Ok(out
        .tag_descriptions()
        .iter()
        .filter_map(|d| Some((d.resource_arn()?.to_string(), from_elb(d.tags()))))
        .collect())
}

/// How long `DescribeTags` may not know an object that was just described: about 5 s.
const TAGS_NOT_VISIBLE_YET: RetryPolicy = RetryPolicy {
    max_attempts: 6,
    base: std::time::Duration::from_millis(250),
    max_delay: std::time::Duration::from_secs(2),
};

/// Every tag (ecsform's own included) of each of `arns`, [`DESCRIBE_TAGS_CHUNK`] ARNs a call.
/// AWS fails a whole request when one ARN no longer exists; that chunk is then asked for one
/// ARN at a time, and the ARNs that are gone are left out.
pub async fn describe_tags(
    clients: &AwsClients,
    arns: &[String],
) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
    let mut out = BTreeMap::new();
    for chunk in arns.chunks(DESCRIBE_TAGS_CHUNK) {
        match describe_chunk(clients, chunk).await {
            Ok(found) => out.extend(found),
            Err(e) if e.is_not_found() => {
                for arn in chunk {
                    // The caller has just seen the object: one that DescribeTags does not
                    // know yet (just created) is asked about again for a few seconds; one
                    // deleted since stays unknown and is left out.
                    let one = std::slice::from_ref(arn);
                    let asked = retry(TAGS_NOT_VISIBLE_YET, || async {
                        describe_chunk(clients, one).await.map_err(|e| {
                            if e.is_not_found() {
                                eventually_consistent(e)
                            } else {
                                e
                            }
                        })
                    })
                    .await;
                    match asked {
                        Ok(found) => out.extend(found),
                        Err(e) if e.kind == ErrorKind::EventuallyConsistent => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Brings the object's tags from `prior` to `planned` (both by their `tags_all`), leaving
/// ecsform's own tags alone.
pub async fn update_tags(
    clients: &AwsClients,
    arn: &str,
    prior: &Value,
    planned: &Value,
) -> Result<()> {
    send_tag_changes!(
        TagChanges::between(prior, planned),
        clients.elbv2,
        remove_tags,
        add_tags,
        resource_arns(arn),
        to_elb
    )
    .await
}

/// The part of an ELB ARN after `kind/`, e.g. `app/web/50dc6c495c0c9188` for a load balancer
/// (the `arn_suffix` CloudWatch metrics use).
pub fn arn_resource(arn: &str, kind: &str) -> Option<String> {
    let marker = format!(":{kind}/");
    arn.find(&marker)
        .map(|i| arn[i + marker.len()..].to_string())
}

/// The ARN of the object one level up: a listener's load balancer, a rule's listener. ELB
/// builds child ARNs by renaming the parent's kind and appending one id
/// (`...:loadbalancer/app/web/ID` → `...:listener/app/web/ID/LID`).
pub fn parent_arn(arn: &str, kind: &str, parent_kind: &str) -> Option<String> {
    let marker = format!(":{kind}/");
    if !arn.contains(&marker) {
        return None;
    }
    let (head, _) = arn.rsplit_once('/')?;
    Some(head.replacen(&marker, &format!(":{parent_kind}/"), 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LB: &str =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
    const LISTENER: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";
    const RULE: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee";

    #[test]
    fn parents_follow_from_child_arns() {
        assert_eq!(
            parent_arn(LISTENER, "listener", "loadbalancer").as_deref(),
            Some(LB)
        );
        assert_eq!(
            parent_arn(RULE, "listener-rule", "listener").as_deref(),
            Some(LISTENER)
        );
        assert_eq!(parent_arn(LB, "listener", "loadbalancer"), None);
    }

    #[test]
    fn arn_suffixes() {
        assert_eq!(
            arn_resource(LB, "loadbalancer").as_deref(),
            Some("app/web/50dc6c495c0c9188")
        );
        assert_eq!(arn_resource(LB, "targetgroup"), None);
    }

    #[test]
    fn ecsform_tags_are_hidden() {
        let tags = BTreeMap::from([
            ("ecsform:address".to_string(), "aws_lb.web".to_string()),
            ("Name".to_string(), "web".to_string()),
        ]);
        let read = from_elb(&to_elb(&tags));
        assert_eq!(read, tags);
        assert_eq!(visible(&read).keys().collect::<Vec<_>>(), ["Name"]);
    }
}
