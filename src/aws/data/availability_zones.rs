//! `data "aws_availability_zones"`: the zones of the region, filtered by state, by EC2
//! filters and by exclusion lists, sorted by name (`zone_ids` in the same order).

use async_trait::async_trait;
use aws_sdk_ec2::types::{AvailabilityZone, Filter};

use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{
    get_blocks, get_bool, get_str, get_strings, state_object, string_set, strings,
};
use crate::provider::{BlockSchema, Schema};

pub struct AvailabilityZones;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_availability_zones", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        optional Bool: all_availability_zones;
        optional StringSet: exclude_names exclude_zone_ids;
        optional String: state;
        computed StringList: names zone_ids;
        computed StringSet: group_names;
    ],
    blocks: &[BlockSchema::set(
        "filter",
        attrs![
            required String: name;
            required StringSet: values;
        ],
    )],
};

/// The EC2 filters a configuration asks for: its `filter` blocks and `state`.
fn filters(config: &Value) -> Vec<Filter> {
    let mut out: Vec<Filter> = get_blocks(config, "filter")
        .iter()
        .map(|f| {
            Filter::builder()
                .set_name(get_str(f, "name").map(String::from))
                .set_values(Some(get_strings(f, "values")))
                .build()
        })
        .collect();
    if let Some(state) = get_str(config, "state") {
        out.push(Filter::builder().name("state").values(state).build());
    }
    out
}

/// The zones left after the exclusion lists, sorted by name.
fn select<'z>(config: &Value, zones: &'z [AvailabilityZone]) -> Vec<&'z AvailabilityZone> {
    let names = get_strings(config, "exclude_names");
    let ids = get_strings(config, "exclude_zone_ids");
    let mut kept: Vec<&AvailabilityZone> = zones
        .iter()
        .filter(|z| !z.zone_name().is_some_and(|n| names.iter().any(|x| x == n)))
        .filter(|z| !z.zone_id().is_some_and(|n| ids.iter().any(|x| x == n)))
        .collect();
    kept.sort_by_key(|z| z.zone_name().unwrap_or_default().to_string());
    kept
}

#[async_trait]
impl DataSource for AvailabilityZones {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let filters = filters(config);
        let out = call(|| {
            clients
                .ec2
                .describe_availability_zones()
                .set_all_availability_zones(get_bool(config, "all_availability_zones"))
                .set_filters((!filters.is_empty()).then(|| filters.clone()))
                .send()
        })
        .await?;
        let zones = select(config, out.availability_zones());
        let names = zones.iter().filter_map(|z| z.zone_name());
        let zone_ids = zones.iter().filter_map(|z| z.zone_id());
        let groups = zones.iter().filter_map(|z| z.group_name());
        let given = |name: &'static str| {
            (
                name,
                config
                    .as_map()
                    .and_then(|m| m.get(name))
                    .cloned()
                    .unwrap_or(Value::Null),
            )
        };
        let mut state = state_object(
            &SCHEMA,
            [
                ("id", Value::string(&clients.region)),
                ("names", strings(names)),
                ("zone_ids", strings(zone_ids)),
                ("group_names", string_set(groups)),
                given("all_availability_zones"),
                given("exclude_names"),
                given("exclude_zone_ids"),
                given("state"),
            ],
        );
        if let (Value::Map(m), Some(f)) =
            (&mut state, config.as_map().and_then(|c| c.get("filter")))
        {
            m.insert("filter".into(), f.clone());
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str, id: &str) -> AvailabilityZone {
        AvailabilityZone::builder()
            .zone_name(name)
            .zone_id(id)
            .build()
    }

    #[test]
    fn state_and_filter_blocks_become_ec2_filters() {
        let config = SCHEMA.conformed([
            ("state", Value::string("available")),
            (
                "filter",
                Value::List(vec![Value::map([
                    ("name", Value::string("opt-in-status")),
                    (
                        "values",
                        Value::List(vec![Value::string("opt-in-not-required")]),
                    ),
                ])]),
            ),
        ]);
        let f = filters(&config);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].name(), Some("opt-in-status"));
        assert_eq!(f[1].values(), ["available".to_string()]);
    }

    #[test]
    fn exclusions_apply_and_zones_sort_by_name() {
        let zones = [
            zone("eu-west-1c", "euw1-az3"),
            zone("eu-west-1a", "euw1-az1"),
            zone("eu-west-1b", "euw1-az2"),
        ];
        let config = Value::map([("exclude_zone_ids", string_set(["euw1-az2"]))]);
        let kept: Vec<_> = select(&config, &zones)
            .iter()
            .filter_map(|z| z.zone_name())
            .collect();
        assert_eq!(kept, ["eu-west-1a", "eu-west-1c"]);
    }
}
