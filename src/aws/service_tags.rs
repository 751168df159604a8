//! Tags in any service: what changes between two states ([`TagChanges`], sent through the
//! object's own tag calls by [`TagChanges::send`]), and what to report back ([`read_tags`]).

use std::collections::BTreeMap;
use std::future::Future;

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};

use super::call::call;
use super::tags::ECSFORM_PREFIX;
use crate::aws::error::Result;
use crate::lang::Value;
use crate::provider::values::{get_string_map, string_map};

/// The tag changes that bring an object from `prior` to `planned` (both by `tags_all`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagChanges {
    /// Tags to add or overwrite.
    pub set: BTreeMap<String, String>,
    /// Keys to remove.
    pub remove: Vec<String>,
}

impl TagChanges {
    pub fn between(prior: &Value, planned: &Value) -> TagChanges {
        let before = get_string_map(prior, "tags_all");
        let after = get_string_map(planned, "tags_all");
        TagChanges {
            set: after
                .iter()
                .filter(|(k, v)| before.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            remove: before
                .keys()
                .filter(|k| !after.contains_key(*k))
                .cloned()
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty()
    }

    /// Sends the changes through the object's own tag calls, each by [`call`] and only when it
    /// has something to send: first `remove` with the keys to remove (`UntagResource`,
    /// `DeleteTags`, `RemoveTags`...), then `set` with the tags to add or overwrite
    /// (`TagResource`, `CreateTags`, `AddTags`...).
    pub async fn send<R, RFut, RT, RE, RR, S, SFut, ST, SE, SR>(
        &self,
        mut remove: R,
        mut set: S,
    ) -> Result<()>
    where
        R: FnMut(Vec<String>) -> RFut,
        RFut: Future<Output = Result<RT, SdkError<RE, RR>>>,
        RE: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        RR: std::fmt::Debug,
        S: FnMut(&BTreeMap<String, String>) -> SFut,
        SFut: Future<Output = Result<ST, SdkError<SE, SR>>>,
        SE: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        SR: std::fmt::Debug,
    {
        if !self.remove.is_empty() {
            call(|| remove(self.remove.clone())).await?;
        }
        if !self.set.is_empty() {
            call(|| set(&self.set)).await?;
        }
        Ok(())
    }
}

/// Sends `changes` ([`TagChanges`]) through a service's two tag calls when both name the
/// object the same way and remove tags by key, as IAM's, SNS's, EventBridge's, CloudWatch
/// Logs' and ELB's do: `$untag` with the keys to remove, then `$tag` with the tags to set,
/// which `$to_tags` turns into what that call's `set_tags` takes. For example
/// `send_tag_changes!(changes, clients.iam, untag_role, tag_role, role_name(name), to_iam_tags)`.
macro_rules! send_tag_changes {
    ($changes:expr, $client:expr, $untag:ident, $tag:ident, $id:ident($value:expr), $to_tags:expr) => {
        $changes.send(
            |keys| $client.$untag().$id($value).set_tag_keys(Some(keys)).send(),
            |tags| {
                $client
                    .$tag()
                    .$id($value)
                    .set_tags(Some($to_tags(tags)))
                    .send()
            },
        )
    };
}
pub(crate) use send_tag_changes;

/// The `tags` and `tags_all` values for tags read from AWS, without ecsform's own.
pub fn read_tags(pairs: impl IntoIterator<Item = (String, String)>) -> [(&'static str, Value); 2] {
    let tags: BTreeMap<String, String> = pairs
        .into_iter()
        .filter(|(k, _)| !k.starts_with(ECSFORM_PREFIX))
        .collect();
    let v = string_map(&tags);
    [("tags", v.clone()), ("tags_all", v)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_set_new_and_changed_and_remove_dropped_tags() {
        let prior = Value::map([(
            "tags_all",
            Value::map([("a", Value::string("1")), ("b", Value::string("2"))]),
        )]);
        let planned = Value::map([(
            "tags_all",
            Value::map([("a", Value::string("1")), ("c", Value::string("3"))]),
        )]);
        let c = TagChanges::between(&prior, &planned);
        assert_eq!(c.set, BTreeMap::from([("c".into(), "3".into())]));
        assert_eq!(c.remove, ["b"]);
        let [(_, tags), _] = read_tags([
            ("ecsform:address".to_string(), "x".to_string()),
            ("Name".to_string(), "n".to_string()),
        ]);
        assert_eq!(tags, Value::map([("Name", Value::string("n"))]));
    }
}
