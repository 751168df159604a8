//! `ecsform providers schema -json`: the schemas of every supported resource type and data
//! source in Terraform's format (`terraform providers schema -json`, format version 1.0), so
//! editors and linters that read it see what ecsform accepts.

use serde_json::{json, Map, Value as Json};

use crate::aws;
use crate::lang::types::Type;
use crate::provider::{AttrKind, AttrSchema, AttrType, BlockSchema, Nesting, Schema};

const AWS: &str = "registry.terraform.io/hashicorp/aws";
const ARCHIVE: &str = "registry.terraform.io/hashicorp/archive";
const CLOUDINIT: &str = "registry.terraform.io/hashicorp/cloudinit";
const LOCAL: &str = "registry.terraform.io/hashicorp/local";
const NULL: &str = "registry.terraform.io/hashicorp/null";
const RANDOM: &str = "registry.terraform.io/hashicorp/random";
const TEMPLATE: &str = "registry.terraform.io/hashicorp/template";
const TLS: &str = "registry.terraform.io/hashicorp/tls";
/// Terraform's built-in provider (`terraform_remote_state`).
const TERRAFORM: &str = "terraform.io/builtin/terraform";

/// The provider a type belongs to, by its name's prefix (as Terraform infers it).
fn provider_of(type_name: &str) -> &'static str {
    match type_name.split('_').next() {
        Some("cloudinit") => CLOUDINIT,
        Some("null") => NULL,
        Some("archive") => ARCHIVE,
        Some("local") => LOCAL,
        Some("random") => RANDOM,
        Some("template") => TEMPLATE,
        Some("terraform") => TERRAFORM,
        Some("tls") => TLS,
        _ => AWS,
    }
}

/// The whole document.
pub fn providers_schema() -> Json {
    let mut providers: Map<String, Json> = Map::new();
    for p in [
        ARCHIVE, AWS, CLOUDINIT, LOCAL, NULL, RANDOM, TEMPLATE, TERRAFORM, TLS,
    ] {
        providers.insert(
            p.to_string(),
            json!({
                "provider": { "version": 0, "block": { "description_kind": "plain" } },
                "resource_schemas": {},
                "data_source_schemas": {},
            }),
        );
    }
    let mut insert = |kind: &str, name: &str, schema: &Schema| {
        providers[provider_of(name)][kind]
            .as_object_mut()
            .expect("an object")
            .insert(name.to_string(), type_schema(schema));
    };
    for name in aws::resource_type_names() {
        let rt = aws::resource_type(name).expect("listed");
        insert("resource_schemas", name, rt.schema());
    }
    for name in aws::data_source_names() {
        let ds = aws::data_source(name).expect("listed");
        insert("data_source_schemas", name, ds.schema());
    }
    json!({
        "format_version": "1.0",
        "provider_schemas": providers,
    })
}

fn type_schema(schema: &Schema) -> Json {
    json!({
        "version": schema.version,
        "block": block(schema.attributes, schema.blocks),
    })
}

fn block(attributes: &[AttrSchema], blocks: &[BlockSchema]) -> Json {
    let mut out = Map::new();
    let mut attrs: Map<String, Json> = attributes
        .iter()
        .map(|a| (a.name.to_string(), attribute(a)))
        .collect();
    // Blocks the provider has as attributes (written either way): shown as the attribute.
    for b in blocks.iter().filter(|b| b.attribute_syntax) {
        attrs.insert(b.name.to_string(), block_as_attribute(b));
    }
    if !attrs.is_empty() {
        out.insert("attributes".into(), Json::Object(attrs));
    }
    if blocks.iter().any(|b| !b.attribute_syntax) {
        let types: Map<String, Json> = blocks
            .iter()
            .filter(|b| !b.attribute_syntax)
            .map(|b| {
                let mut t = Map::new();
                t.insert("nesting_mode".into(), json!(b.nesting.as_str()));
                t.insert("block".into(), block(b.attributes, b.blocks));
                // Terraform omits zero counts; list and set blocks carry theirs.
                if matches!(b.nesting, Nesting::List | Nesting::Set) {
                    if b.min_items > 0 {
                        t.insert("min_items".into(), json!(b.min_items));
                    }
                    if b.max_items > 0 {
                        t.insert("max_items".into(), json!(b.max_items));
                    }
                }
                (b.name.to_string(), Json::Object(t))
            })
            .collect();
        out.insert("block_types".into(), Json::Object(types));
    }
    out.insert("description_kind".into(), json!("plain"));
    Json::Object(out)
}

fn attribute(a: &AttrSchema) -> Json {
    let mut out = Map::new();
    out.insert("type".into(), attr_type(a.ty));
    out.insert("description_kind".into(), json!("plain"));
    match a.kind {
        AttrKind::Required => {
            out.insert("required".into(), json!(true));
        }
        AttrKind::Optional => {
            out.insert("optional".into(), json!(true));
        }
        AttrKind::Computed => {
            out.insert("computed".into(), json!(true));
        }
        AttrKind::OptionalComputed => {
            out.insert("optional".into(), json!(true));
            out.insert("computed".into(), json!(true));
        }
    }
    if a.sensitive {
        out.insert("sensitive".into(), json!(true));
    }
    if a.deprecated {
        out.insert("deprecated".into(), json!(true));
    }
    Json::Object(out)
}

/// A block type shown as the provider's attribute of a list or set of objects type.
fn block_as_attribute(b: &BlockSchema) -> Json {
    let mut out = Map::new();
    out.insert("type".into(), block_type(b));
    out.insert("description_kind".into(), json!("plain"));
    if !b.read_only {
        out.insert("optional".into(), json!(true));
    }
    if b.computed || b.read_only {
        out.insert("computed".into(), json!(true));
    }
    Json::Object(out)
}

/// The list or set of objects type of a block written as an attribute, nested blocks
/// included.
fn block_type(b: &BlockSchema) -> Json {
    let fields: Map<String, Json> = b
        .attributes
        .iter()
        .map(|a| (a.name.to_string(), attr_type(a.ty)))
        .chain(b.blocks.iter().map(|n| (n.name.to_string(), block_type(n))))
        .collect();
    let collection = if b.nesting == Nesting::Set {
        "set"
    } else {
        "list"
    };
    json!([collection, ["object", fields]])
}

/// A type in Terraform's JSON notation: `"string"`, `["list","string"]`, `"dynamic"`.
fn attr_type(ty: AttrType) -> Json {
    match ty {
        AttrType::String => json!("string"),
        AttrType::Number => json!("number"),
        AttrType::Bool => json!("bool"),
        AttrType::StringList => json!(["list", "string"]),
        AttrType::StringSet => json!(["set", "string"]),
        AttrType::StringMap => json!(["map", "string"]),
        AttrType::NumberList => json!(["list", "number"]),
        AttrType::NumberSet => json!(["set", "number"]),
        AttrType::Any => json!("dynamic"),
        AttrType::Typed(t) => type_json(t),
    }
}

fn type_json(t: &Type) -> Json {
    match t {
        Type::Any => json!("dynamic"),
        Type::String => json!("string"),
        Type::Number => json!("number"),
        Type::Bool => json!("bool"),
        Type::List(e) => json!(["list", type_json(e)]),
        Type::Set(e) => json!(["set", type_json(e)]),
        Type::Map(e) => json!(["map", type_json(e)]),
        Type::Tuple(es) => json!(["tuple", es.iter().map(type_json).collect::<Vec<_>>()]),
        Type::Object(fields) => {
            let fields: Map<String, Json> = fields
                .iter()
                .map(|(k, a)| (k.clone(), type_json(&a.ty)))
                .collect();
            json!(["object", fields])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_type_is_listed_under_its_provider() {
        let doc = providers_schema();
        assert_eq!(doc["format_version"], "1.0");
        let aws = &doc["provider_schemas"][AWS];
        let vpc = &aws["resource_schemas"]["aws_vpc"]["block"]["attributes"];
        assert_eq!(vpc["cidr_block"]["type"], "string");
        assert_eq!(vpc["arn"]["computed"], true);
        assert!(vpc["arn"].get("optional").is_none());
        // As the provider has them: `id` may be set, `ipv4_ipam_pool_id` is there although
        // ecsform does not support it yet.
        assert_eq!(vpc["id"]["optional"], true);
        assert_eq!(vpc["ipv4_ipam_pool_id"]["optional"], true);
        // Attributes that may be written as blocks are shown as the provider's attributes.
        let sg = &aws["resource_schemas"]["aws_security_group"]["block"];
        assert!(sg["block_types"].get("ingress").is_none());
        assert_eq!(sg["attributes"]["ingress"]["type"][0], "set");
        assert_eq!(sg["attributes"]["ingress"]["computed"], true);
        assert_eq!(
            doc["provider_schemas"][NULL]["resource_schemas"]["null_resource"]["block"]
                ["attributes"]["triggers"]["type"],
            json!(["map", "string"])
        );
        let template = &doc["provider_schemas"][TEMPLATE]["data_source_schemas"]["template_file"];
        assert_eq!(
            template["block"]["attributes"]["rendered"]["computed"],
            true
        );
        let count = |kind: &str| {
            doc["provider_schemas"]
                .as_object()
                .unwrap()
                .values()
                .map(|p| p[kind].as_object().unwrap().len())
                .sum::<usize>()
        };
        assert_eq!(count("resource_schemas"), aws::resource_type_names().len());
        assert_eq!(count("data_source_schemas"), aws::data_source_names().len());
    }
}
