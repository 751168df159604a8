//! AWS resource types, one file each, each implementing `provider::ResourceType`, plus the
//! few helpers several of them share (reading an object back right after creating it,
//! generated names, ARNs).

pub mod eip;
pub mod nat_gateway;
pub mod security_group;
pub mod security_group_rule;
pub mod sg_permissions;

use std::time::Duration;

use super::error::{wait_until, ApiError};
use super::AwsClients;
use crate::lang::Value;
use crate::provider::ResourceType;

/// How long a just-created object may stay invisible to Describe calls before we give up.
const VISIBLE_AFTER_CREATE: Duration = Duration::from_secs(120);

/// Reads an object just created: Describe calls are eventually consistent, so "not there
/// yet" is retried for a while instead of reported as gone.
pub(crate) async fn read_created(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    id: &str,
) -> Result<Value, ApiError> {
    let ids = [id.to_string()];
    wait_until(
        &format!(
            "{} {id} to become visible after its creation",
            rt.type_name()
        ),
        Duration::from_secs(2),
        VISIBLE_AFTER_CREATE,
        || async { Ok(rt.read_many(clients, &ids).await?.remove(id)) },
    )
    .await
}

/// Sets attributes of a state object (e.g. arguments AWS does not store, taken from the
/// planned value).
pub(crate) fn with_attrs(
    mut state: Value,
    attrs: impl IntoIterator<Item = (&'static str, Value)>,
) -> Value {
    if let Value::Map(m) = &mut state {
        for (k, v) in attrs {
            m.insert(k.to_string(), v);
        }
    }
    state
}

/// An attribute of a planned value, or null.
pub(crate) fn attr(v: &Value, name: &str) -> Value {
    v.as_map()
        .and_then(|m| m.get(name))
        .cloned()
        .unwrap_or(Value::Null)
}

/// The AWS provider's unique names: `prefix` then a UTC timestamp with 4 fractional digits
/// and 8 hex digits (26 characters), so names sort by creation time.
pub(crate) fn unique_name(prefix: &str) -> String {
    let now = chrono::Utc::now();
    let frac = now.timestamp_subsec_nanos() / 100_000;
    let rand = &uuid::Uuid::new_v4().simple().to_string()[..8];
    format!("{prefix}{}{frac:04}{rand}", now.format("%Y%m%d%H%M%S"))
}

/// The prefix of a name made by [`unique_name`], if it is one.
pub(crate) fn prefix_of_unique_name(name: &str) -> Option<&str> {
    let split = name.len().checked_sub(26)?;
    let (prefix, suffix) = name.split_at_checked(split)?;
    let (digits, hex) = suffix.split_at(18);
    (digits.bytes().all(|b| b.is_ascii_digit())
        && hex
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
    .then_some(prefix)
}

/// The ARN partition of a region.
pub(crate) fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_keep_their_prefix_recoverable() {
        let n = unique_name("web-");
        assert_eq!(n.len(), 4 + 26);
        assert_eq!(prefix_of_unique_name(&n), Some("web-"));
        assert_eq!(prefix_of_unique_name("web"), None);
        assert_eq!(prefix_of_unique_name("my-fixed-security-group-name"), None);
    }
}
