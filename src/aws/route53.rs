//! What the Route 53 types share: zone ids without their `/hostedzone/` prefix, DNS names in
//! the form the AWS provider records them, waiting for a change to be `INSYNC`, and listing a
//! zone's record sets.

use std::time::Duration;

use aws_sdk_route53::types::{ChangeStatus, ResourceRecordSet};

use super::call::call;
use super::error::{wait_until, ApiError, Result};
use super::AwsClients;

/// How long a change may take to reach every Route 53 server (AWS: usually within 60 seconds).
pub const CHANGE_LIMIT: Duration = Duration::from_secs(30 * 60);

/// A zone id as the provider records it: `Z123`, not `/hostedzone/Z123`.
pub fn clean_zone_id(id: &str) -> &str {
    id.trim_start_matches("/hostedzone/")
}

/// A change id without its `/change/` prefix.
fn clean_change_id(id: &str) -> &str {
    id.trim_start_matches("/change/")
}

/// A zone or record name as the provider records it: lower case, without the final dot (the
/// root `.` stays).
pub fn normalize_name(name: &str) -> String {
    if name == "." {
        return name.to_string();
    }
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// A name as Route 53 returns it, written as configurations write it: the octal escapes Route
/// 53 uses for `*` and `@` undone, then [`normalize_name`].
pub fn clean_record_name(name: &str) -> String {
    normalize_name(&name.replace("\\052", "*").replace("\\100", "@"))
}

/// A record's full name in `zone` (both normalised), as the provider makes it: `www` in
/// `example.com` is `www.example.com`; a name that ends with the zone's stays as it is; an
/// empty one is the zone's.
pub fn expand_record_name(name: &str, zone: &str) -> String {
    let name = normalize_name(name);
    let zone = normalize_name(zone);
    if name.is_empty() {
        zone
    } else if name.ends_with(&zone) {
        name
    } else {
        format!("{name}.{zone}")
    }
}

/// Waits until the change `id` (as ChangeResourceRecordSets, CreateHostedZone... answer it)
/// is `INSYNC`.
pub async fn wait_for_change(clients: &AwsClients, id: &str) -> Result<()> {
    let id = clean_change_id(id);
    wait_until(
        &format!("Route 53 change {id} to be INSYNC"),
        Duration::from_secs(5),
        CHANGE_LIMIT,
        || async {
            let out = call(|| clients.route53.get_change().id(id).send()).await?;
            let status = out.change_info().map(|c| c.status().clone());
            Ok((status == Some(ChangeStatus::Insync)).then_some(()))
        },
    )
    .await
}

/// Every record set of zone `zone_id`, all pages (Route 53 pages by the next record's name,
/// type and set identifier).
pub async fn record_sets(clients: &AwsClients, zone_id: &str) -> Result<Vec<ResourceRecordSet>> {
    let mut out = Vec::new();
    let mut next: Option<(String, aws_sdk_route53::types::RrType, Option<String>)> = None;
    loop {
        let page = call(|| {
            let mut req = clients
                .route53
                .list_resource_record_sets()
                .hosted_zone_id(zone_id);
            if let Some((name, ty, set)) = &next {
                req = req
                    .start_record_name(name)
                    .start_record_type(ty.clone())
                    .set_start_record_identifier(set.clone());
            }
            req.send()
        })
        .await?;
        out.extend(page.resource_record_sets().iter().cloned());
        if !page.is_truncated() {
            return Ok(out);
        }
        next = Some((
            page.next_record_name()
                .ok_or_else(|| ApiError::malformed("a truncated page without NextRecordName"))?
                .to_string(),
            page.next_record_type()
                .cloned()
                .ok_or_else(|| ApiError::malformed("a truncated page without NextRecordType"))?,
            page.next_record_identifier().map(String::from),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_recorded_as_the_provider_records_them() {
        assert_eq!(clean_zone_id("/hostedzone/Z1"), "Z1");
        assert_eq!(clean_zone_id("Z1"), "Z1");
        assert_eq!(normalize_name("Example.COM."), "example.com");
        assert_eq!(normalize_name("."), ".");
        assert_eq!(clean_record_name("\\052.Example.com."), "*.example.com");
        assert_eq!(expand_record_name("www", "example.com."), "www.example.com");
        assert_eq!(
            expand_record_name("WWW.example.com.", "example.com"),
            "www.example.com"
        );
        assert_eq!(expand_record_name("", "example.com"), "example.com");
        assert_eq!(expand_record_name("api", "example.com"), "api.example.com");
    }
}
