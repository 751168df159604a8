//! Tags on objects of the services whose tag APIs are not EC2's (IAM, CloudWatch Logs,
//! EventBridge, SNS): what changes between two states, and what to report back. Each
//! resource type sends the changes through its own service's tag calls.

use std::collections::BTreeMap;

use super::tags::ECSFORM_PREFIX;
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
}

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
