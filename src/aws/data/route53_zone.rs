//! `data "aws_route53_zone"`: one Route 53 hosted zone, by `zone_id`, or by `name`,
//! `private_zone` (true when `vpc_id` is set), `vpc_id` and the `tags` it must carry, as
//! the provider looks it up: every zone is listed (ListHostedZones, all pages) and those of
//! the name and kind are read as the resource type reads them (GetHostedZone, the zone's
//! NS and SOA records, tags) to match the VPC and tags. No match, or several, is an error in
//! the provider's words ("no matching Route 53 Hosted Zone found"). The id is the zone id
//! without `/hostedzone/`; `name` is recorded without the final dot; `primary_name_server`
//! is the first name server, as in the provider (ecsform lists them sorted). Setting both
//! `zone_id` and `name` is the provider's warning, here an error; `enable_accelerated_recovery`
//! is not supported yet.

use async_trait::async_trait;
use aws_sdk_route53::types::HostedZone;

use super::{exactly_one, from_resource_state, given};
use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, Result};
use crate::aws::resources::route53_zone::read_zones;
use crate::aws::route53::{clean_zone_id, normalize_name};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{
    get_blocks, get_bool, get_str, get_string_map, get_strings, opt_number, opt_str,
};
use crate::provider::Schema;

pub struct Route53ZoneData;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_route53_zone", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        optional_computed String: zone_id name;
        optional Bool: private_zone;
        optional String: vpc_id;
        optional_computed StringMap: tags;
        computed String: id arn caller_reference comment linked_service_description
            linked_service_principal primary_name_server;
        computed StringList: name_servers;
        computed Number: resource_record_set_count;
    ],
    blocks: &[],
};

fn invalid(message: &str) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "InvalidArguments", message)
}

/// Whether a listed zone is of the configuration's name and kind.
fn listed_match(zone: &HostedZone, name: Option<&str>, private: bool) -> bool {
    name.is_none_or(|n| normalize_name(zone.name()) == normalize_name(n))
        && zone.config().is_some_and(|c| c.private_zone()) == private
}

/// Whether a zone read as the resource type reads it is associated with `vpc_id` (when
/// given) and carries every one of `tags`.
fn read_match(state: &Value, vpc_id: Option<&str>, config: &Value) -> bool {
    let vpc_ok = vpc_id.is_none_or(|id| {
        get_blocks(state, "vpc")
            .iter()
            .any(|b| get_str(b, "vpc_id") == Some(id))
    });
    let have = get_string_map(state, "tags");
    let tags_ok = get_string_map(config, "tags")
        .iter()
        .all(|(k, v)| have.get(k) == Some(v));
    vpc_ok && tags_ok
}

async fn list_zones(clients: &AwsClients) -> Result<Vec<HostedZone>> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = call(|| {
            clients
                .route53
                .list_hosted_zones()
                .set_marker(marker.clone())
                .send()
        })
        .await?;
        out.extend(page.hosted_zones().iter().cloned());
        match page.next_marker() {
            Some(m) if page.is_truncated() => marker = Some(m.to_string()),
            _ => return Ok(out),
        }
    }
}

fn zone_value(config: &Value, zone: &HostedZone, state: &Value) -> Value {
    let id = clean_zone_id(zone.id());
    let name_servers = get_strings(state, "name_servers");
    from_resource_state(
        &SCHEMA,
        state,
        [
            ("id", Value::string(id)),
            ("zone_id", Value::string(id)),
            ("name", Value::string(normalize_name(zone.name()))),
            ("caller_reference", Value::string(zone.caller_reference())),
            ("comment", opt_str(zone.config().and_then(|c| c.comment()))),
            (
                "private_zone",
                Value::Bool(zone.config().is_some_and(|c| c.private_zone())),
            ),
            (
                "resource_record_set_count",
                opt_number(zone.resource_record_set_count().map(|n| n as f64)),
            ),
            (
                "linked_service_description",
                opt_str(zone.linked_service().and_then(|l| l.description())),
            ),
            (
                "linked_service_principal",
                opt_str(zone.linked_service().and_then(|l| l.service_principal())),
            ),
            (
                "primary_name_server",
                opt_str(name_servers.first().cloned()),
            ),
            given(config, "vpc_id"),
        ],
    )
}

#[async_trait]
impl DataSource for Route53ZoneData {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let zone_id = get_str(config, "zone_id");
        let name = get_str(config, "name");
        if zone_id.is_some() && name.is_some() {
            return Err(invalid("only one of `zone_id` or `name` may be set"));
        }
        let vpc_id = get_str(config, "vpc_id");
        // As the provider reads it: `vpc_id` alone means a private zone.
        let private = get_bool(config, "private_zone") == Some(true) || vpc_id.is_some();
        let zones = list_zones(clients).await?;
        let candidates: Vec<&HostedZone> = match zone_id {
            Some(id) => zones
                .iter()
                .filter(|z| clean_zone_id(z.id()) == clean_zone_id(id))
                .collect(),
            None => zones
                .iter()
                .filter(|z| listed_match(z, name, private))
                .collect(),
        };
        let ids: Vec<String> = candidates
            .iter()
            .map(|z| clean_zone_id(z.id()).to_string())
            .collect();
        let read = read_zones(clients, &ids).await?;
        let matching: Vec<(&HostedZone, &Value)> = candidates
            .into_iter()
            .filter_map(|z| Some((z, read.get(clean_zone_id(z.id()))?)))
            .filter(|(_, state)| zone_id.is_some() || read_match(state, vpc_id, config))
            .collect();
        let (zone, state) = exactly_one("Route 53 Hosted Zone", matching)?;
        Ok(zone_value(config, zone, state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_route53::types::HostedZoneConfig;

    fn zone(name: &str, private: bool) -> HostedZone {
        HostedZone::builder()
            .id("/hostedzone/Z1")
            .name(name)
            .caller_reference("ref")
            .config(HostedZoneConfig::builder().private_zone(private).build())
            .build()
            .unwrap()
    }

    #[test]
    fn zones_match_by_name_without_the_final_dot_and_by_kind() {
        assert!(listed_match(
            &zone("example.com.", false),
            Some("Example.com"),
            false
        ));
        assert!(!listed_match(
            &zone("example.com.", true),
            Some("example.com"),
            false
        ));
        assert!(!listed_match(
            &zone("other.com.", false),
            Some("example.com"),
            false
        ));
        assert!(listed_match(&zone("other.com.", false), None, false));
    }

    #[test]
    fn vpcs_and_tags_must_all_match() {
        let state = Value::map([
            (
                "vpc",
                Value::set(vec![Value::map([("vpc_id", Value::string("vpc-1"))])]),
            ),
            ("tags", Value::map([("Env", Value::string("prod"))])),
        ]);
        let tags = |v: &str| Value::map([("tags", Value::map([("Env", Value::string(v))]))]);
        assert!(read_match(&state, Some("vpc-1"), &tags("prod")));
        assert!(!read_match(&state, Some("vpc-2"), &tags("prod")));
        assert!(!read_match(&state, None, &tags("dev")));
        assert!(read_match(
            &state,
            None,
            &Value::map([("tags", Value::Null)])
        ));
    }
}
