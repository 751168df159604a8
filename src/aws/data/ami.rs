//! `data "aws_ami"`: one machine image chosen by owners, `filter` blocks, executable users and
//! a `name_regex`. Several matches are an error unless `most_recent = true`, which picks the
//! newest by creation date — the AWS provider's rules and messages.
//!
//! The image's block device mappings are not exposed (they nest deeper than ecsform's
//! schemas); `root_device_name` and the image's attributes are.

use async_trait::async_trait;
use aws_sdk_ec2::types::Image;
use regex::Regex;

use super::{filter_blocks, given, FILTER_BLOCK};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{ApiError, ErrorKind};
use crate::aws::resources::ec2_arn;
use crate::aws::tags::ECSFORM_PREFIX;
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_str, get_strings, opt_bool, opt_str, state_object};
use crate::provider::Schema;

pub struct Ami;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_ami", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        optional StringList: owners executable_users;
        optional String: name_regex;
        optional Bool: most_recent.default(Default::Bool(false));
        optional Bool: include_deprecated.default(Default::Bool(false));
        computed String: id image_id arn name description architecture creation_date;
        computed String: deprecation_time;
        computed Bool: ena_support;
        computed String: hypervisor image_location image_owner_alias image_type kernel_id owner_id;
        computed String: platform platform_details;
        computed Bool: public;
        computed String: ramdisk_id root_device_name root_device_type sriov_net_support state;
        computed String: usage_operation virtualization_type;
        computed StringMap: tags;
    ],
    blocks: &[FILTER_BLOCK],
};

/// Picks the image: `name_regex` first, then exactly one, or the newest with `most_recent`.
fn choose<'i>(config: &Value, images: &'i [Image]) -> Result<&'i Image> {
    let regex = match get_str(config, "name_regex") {
        Some(r) => Some(Regex::new(r).map_err(|e| {
            ApiError::new(
                ErrorKind::Invalid,
                "InvalidParameterValue",
                format!("name_regex: {e}"),
            )
        })?),
        None => None,
    };
    let mut matching: Vec<&Image> = images
        .iter()
        .filter(|i| {
            regex
                .as_ref()
                .is_none_or(|r| r.is_match(i.name().unwrap_or_default()))
        })
        .collect();
    if matching.is_empty() {
        return Err(ApiError::new(
            ErrorKind::NotFound,
            "NoMatch",
            "Your query returned no results. Please change your search criteria and try again.",
        ));
    }
    if matching.len() > 1 && !get_bool(config, "most_recent").unwrap_or(false) {
        return Err(ApiError::new(
            ErrorKind::Invalid,
            "MultipleMatches",
            "Your query returned more than one result. Please try a more specific search \
             criteria, or set `most_recent` attribute to true.",
        ));
    }
    // ISO 8601 timestamps in one format sort as text.
    matching.sort_by(|a, b| a.creation_date().cmp(&b.creation_date()));
    Ok(matching.pop().expect("not empty"))
}

fn image_state(config: &Value, i: &Image, region: &str) -> Value {
    let id = i.image_id().unwrap_or_default();
    let tags: Vec<(String, Value)> = i
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), Value::string(t.value().unwrap_or("")))))
        .filter(|(k, _)| !k.starts_with(ECSFORM_PREFIX))
        .collect();
    let mut state = state_object(
        &SCHEMA,
        [
            given(config, "owners"),
            given(config, "executable_users"),
            given(config, "name_regex"),
            given(config, "most_recent"),
            given(config, "include_deprecated"),
            ("id", Value::string(id)),
            ("image_id", Value::string(id)),
            // Images are regional objects without an owner in their ARN.
            ("arn", Value::string(ec2_arn(region, "", "image", id))),
            ("name", opt_str(i.name())),
            ("description", opt_str(i.description())),
            (
                "architecture",
                opt_str(i.architecture().map(|a| a.as_str())),
            ),
            ("creation_date", opt_str(i.creation_date())),
            ("deprecation_time", opt_str(i.deprecation_time())),
            ("ena_support", opt_bool(i.ena_support())),
            ("hypervisor", opt_str(i.hypervisor().map(|h| h.as_str()))),
            ("image_location", opt_str(i.image_location())),
            ("image_owner_alias", opt_str(i.image_owner_alias())),
            ("image_type", opt_str(i.image_type().map(|t| t.as_str()))),
            ("kernel_id", opt_str(i.kernel_id())),
            ("owner_id", opt_str(i.owner_id())),
            ("platform", opt_str(i.platform().map(|p| p.as_str()))),
            ("platform_details", opt_str(i.platform_details())),
            ("public", opt_bool(i.public())),
            ("ramdisk_id", opt_str(i.ramdisk_id())),
            ("root_device_name", opt_str(i.root_device_name())),
            (
                "root_device_type",
                opt_str(i.root_device_type().map(|t| t.as_str())),
            ),
            ("sriov_net_support", opt_str(i.sriov_net_support())),
            ("state", opt_str(i.state().map(|s| s.as_str()))),
            ("usage_operation", opt_str(i.usage_operation())),
            (
                "virtualization_type",
                opt_str(i.virtualization_type().map(|v| v.as_str())),
            ),
            ("tags", Value::map(tags)),
        ],
    );
    if let (Value::Map(m), Some(f)) = (&mut state, config.as_map().and_then(|c| c.get("filter"))) {
        m.insert("filter".into(), f.clone());
    }
    state
}

#[async_trait]
impl DataSource for Ami {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value> {
        let filters = filter_blocks(config);
        let owners = get_strings(config, "owners");
        let users = get_strings(config, "executable_users");
        let images: Vec<Image> = call(|| {
            clients
                .ec2
                .describe_images()
                .set_owners((!owners.is_empty()).then(|| owners.clone()))
                .set_executable_users((!users.is_empty()).then(|| users.clone()))
                .set_filters((!filters.is_empty()).then(|| filters.clone()))
                .set_include_deprecated(get_bool(config, "include_deprecated"))
                .into_paginator()
                .items()
                .send()
                .try_collect()
        })
        .await?;
        let image = choose(config, &images)?;
        Ok(image_state(config, image, &clients.region))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(id: &str, name: &str, created: &str) -> Image {
        Image::builder()
            .image_id(id)
            .name(name)
            .creation_date(created)
            .build()
    }

    #[test]
    fn most_recent_picks_the_newest_and_otherwise_several_are_an_error() {
        let images = [
            image("ami-1", "al2023-ami-2023.1", "2023-01-01T00:00:00.000Z"),
            image("ami-2", "al2023-ami-2023.3", "2023-03-01T00:00:00.000Z"),
            image("ami-3", "ubuntu-22.04", "2023-05-01T00:00:00.000Z"),
        ];
        let by_name = Value::map([("name_regex", Value::string("^al2023-"))]);
        let e = choose(&by_name, &images).unwrap_err();
        assert!(e.message.contains("more than one result"), "{e}");
        let newest = Value::map([
            ("name_regex", Value::string("^al2023-")),
            ("most_recent", Value::Bool(true)),
        ]);
        assert_eq!(choose(&newest, &images).unwrap().image_id(), Some("ami-2"));
        let none = Value::map([("name_regex", Value::string("^windows"))]);
        assert!(choose(&none, &images).unwrap_err().is_not_found());
    }

    #[test]
    fn state_echoes_the_arguments() {
        let config = SCHEMA.conformed([("owners", Value::List(vec![Value::string("amazon")]))]);
        let s = image_state(
            &config,
            &image("ami-1", "x", "2023-01-01T00:00:00.000Z"),
            "eu-west-1",
        );
        let m = s.as_map().unwrap();
        assert_eq!(m["owners"], Value::List(vec![Value::string("amazon")]));
        assert_eq!(m["image_id"], Value::string("ami-1"));
        assert_eq!(
            m["arn"],
            Value::string("arn:aws:ec2:eu-west-1::image/ami-1")
        );
        assert_eq!(m["most_recent"], Value::Bool(false));
    }
}
