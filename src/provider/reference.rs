//! The AWS provider's own schema (`schema/aws-provider.json`: the structure of
//! `terraform providers schema -json` for hashicorp/aws 6.x), the built-in providers' in the
//! same format (`schema/random-provider.json`), and the complete schemas built from them.
//!
//! A resource type declares what ecsform implements (its `SCHEMA`). Its complete schema is that
//! declaration with everything else the provider's schema has for the type added:
//!
//! - an argument or block type ecsform does not implement is there, `unsupported`: setting it
//!   is a located "not supported by ecsform yet" error, and its value is always null;
//! - where the provider lets the configuration set what ecsform only reads (`id`,
//!   `tags_all`), the attribute is optional+computed as in the provider, and setting it is the
//!   same error;
//! - where the provider makes optional what ecsform needs (`cidr_block`, which the provider
//!   also takes from an IPAM pool), the attribute is optional as in the provider and ecsform
//!   reports it missing in its own words (`needed`);
//! - an optional argument that the provider computes when unset is optional+computed: unset,
//!   it keeps what AWS has;
//! - sensitivity is the union of both.
//!
//! What is left differs from the provider on purpose: a test compares `providers schema
//! -json` with the reference for every supported type and holds each difference to
//! `tests/fixtures/provider-schema-allowlist.txt`, with its reason.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::Value as Json;

use super::schema::{AttrKind, AttrSchema, AttrType, BlockSchema, Nesting, Schema};
use crate::lang::types::{Attr, Type};

/// The providers' schema documents: `schema/aws-provider.json`, and one file per built-in
/// provider other than aws in the same format (`schema/random-provider.json`...), each with the
/// prefix of the type names it holds.
static DOCUMENTS: &[(&str, &str)] = &[
    (
        "archive",
        include_str!("../../schema/archive-provider.json"),
    ),
    ("aws", include_str!("../../schema/aws-provider.json")),
    (
        "cloudinit",
        include_str!("../../schema/cloudinit-provider.json"),
    ),
    ("local", include_str!("../../schema/local-provider.json")),
    ("random", include_str!("../../schema/random-provider.json")),
    (
        "template",
        include_str!("../../schema/template-provider.json"),
    ),
    ("tls", include_str!("../../schema/tls-provider.json")),
];

/// The document of the provider a type belongs to (by its name's prefix, as Terraform infers
/// it), if there is one.
fn document(type_name: &str) -> Option<&'static Json> {
    static PARSED: OnceLock<Vec<(&'static str, Json)>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        DOCUMENTS
            .iter()
            .map(|(p, text)| {
                let json = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("schema/{p}-provider.json is not JSON: {e}"));
                (*p, json)
            })
            .collect()
    });
    let prefix = type_name.split('_').next()?;
    parsed.iter().find(|(p, _)| *p == prefix).map(|(_, d)| d)
}

/// Whether a schema is a resource type's or a data source's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Resource,
    DataSource,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Resource => "resource_schemas",
            Kind::DataSource => "data_source_schemas",
        }
    }
}

/// The provider's schema of a type (its `version` and `block`), if the reference has it.
pub fn provider_schema(kind: Kind, type_name: &str) -> Option<&'static Json> {
    document(type_name)?.get(kind.key())?.get(type_name)
}

/// The complete schema of `type_name`: `declared` with the rest of the provider's schema
/// added (see the module's documentation). Built once per type; `declared` itself when the
/// reference does not have the type (`null_resource`).
pub fn complete(kind: Kind, type_name: &'static str, declared: &'static Schema) -> &'static Schema {
    type Cache = Mutex<HashMap<(Kind, &'static str), &'static Schema>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    let mut built = cache.lock().unwrap_or_else(|e| e.into_inner());
    built.entry((kind, type_name)).or_insert_with(|| {
        match provider_schema(kind, type_name).and_then(|s| s.get("block")) {
            Some(block) => {
                let (attributes, blocks) = merge(declared.attributes, declared.blocks, block);
                Box::leak(Box::new(Schema {
                    version: declared.version,
                    attributes,
                    blocks,
                }))
            }
            None => declared,
        }
    })
}

/// Attributes and block types of one block: the declared ones adjusted to the provider's, then
/// the provider's that are not declared.
fn merge(
    attrs: &'static [AttrSchema],
    blocks: &'static [BlockSchema],
    reference: &Json,
) -> (&'static [AttrSchema], &'static [BlockSchema]) {
    let empty = serde_json::Map::new();
    let ref_attrs = reference
        .get("attributes")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let ref_blocks = reference
        .get("block_types")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let mut out_attrs: Vec<AttrSchema> = attrs
        .iter()
        .map(|a| match ref_attrs.get(a.name) {
            Some(r) => adjusted(*a, r),
            None => *a,
        })
        .collect();
    let mut out_blocks: Vec<BlockSchema> = blocks
        .iter()
        .map(|b| {
            let mut b = *b;
            if let Some(r) = ref_blocks.get(b.name) {
                let inner = r.get("block").unwrap_or(&Json::Null);
                (b.attributes, b.blocks) = merge(b.attributes, b.blocks, inner);
            } else if let Some(r) = ref_attrs.get(b.name) {
                // Written as blocks, but an attribute of a list or set of objects type in the
                // provider's schema: the object's other fields are unsupported arguments.
                b.attribute_syntax = true;
                b.read_only = kind_of(r) == AttrKind::Computed;
                if let Some(Json::Object(fields)) = r["type"].get(1).and_then(|e| e.get(1)) {
                    let mut attrs = b.attributes.to_vec();
                    for (name, t) in fields {
                        if b.attribute(name).is_none() && b.block(name).is_none() {
                            let mut a =
                                AttrSchema::optional(leak_str(name), attr_type(t)).unsupported();
                            a.untracked = true;
                            attrs.push(a);
                        }
                    }
                    b.attributes = Box::leak(attrs.into_boxed_slice());
                }
            }
            b
        })
        .collect();
    let declared =
        |name: &str| attrs.iter().any(|a| a.name == name) || blocks.iter().any(|b| b.name == name);
    for (name, r) in ref_attrs {
        if !declared(name) {
            out_attrs.push(from_reference(leak_str(name), r));
        }
    }
    for (name, r) in ref_blocks {
        if !declared(name) {
            out_blocks.push(block_from_reference(leak_str(name), r));
        }
    }
    (
        Box::leak(out_attrs.into_boxed_slice()),
        Box::leak(out_blocks.into_boxed_slice()),
    )
}

fn leak_str(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn flag(r: &Json, name: &str) -> bool {
    r.get(name).and_then(Json::as_bool).unwrap_or(false)
}

/// An attribute's `required`/`optional`/`computed` flags as an [`AttrKind`].
fn kind_of(r: &Json) -> AttrKind {
    match (
        flag(r, "required"),
        flag(r, "optional"),
        flag(r, "computed"),
    ) {
        (true, _, _) => AttrKind::Required,
        (false, true, true) => AttrKind::OptionalComputed,
        (false, true, false) => AttrKind::Optional,
        (false, false, _) => AttrKind::Computed,
    }
}

/// A declared attribute brought to the provider's flags where ecsform's behaviour allows.
fn adjusted(mut a: AttrSchema, r: &Json) -> AttrSchema {
    let theirs = kind_of(r);
    match (a.kind, theirs) {
        (AttrKind::Computed, AttrKind::Optional | AttrKind::OptionalComputed) => {
            a.kind = AttrKind::OptionalComputed;
            a.unsupported = true;
        }
        (AttrKind::Optional, AttrKind::OptionalComputed) => a.kind = theirs,
        (AttrKind::Required, AttrKind::Optional | AttrKind::OptionalComputed) => {
            a.kind = theirs;
            a.needed = true;
        }
        _ => {}
    }
    a.sensitive |= flag(r, "sensitive");
    a.deprecated |= flag(r, "deprecated");
    a
}

/// An attribute ecsform does not implement, as the provider has it.
fn from_reference(name: &'static str, r: &Json) -> AttrSchema {
    let ty = r.get("type").map(attr_type).unwrap_or(AttrType::Any);
    let mut a = match kind_of(r) {
        AttrKind::Required => AttrSchema::required(name, ty),
        AttrKind::Optional => AttrSchema::optional(name, ty),
        AttrKind::Computed => AttrSchema::computed(name, ty),
        AttrKind::OptionalComputed => AttrSchema::optional_computed(name, ty),
    }
    .unsupported();
    a.untracked = true;
    a.sensitive = flag(r, "sensitive");
    a.deprecated = flag(r, "deprecated");
    a
}

/// A block type ecsform does not implement, as the provider has it (everything inside it is
/// unsupported too).
fn block_from_reference(name: &'static str, r: &Json) -> BlockSchema {
    let nesting = match r.get("nesting_mode").and_then(Json::as_str) {
        Some("set") => Nesting::Set,
        Some("single") => Nesting::Single,
        Some("group") => Nesting::Group,
        _ => Nesting::List,
    };
    let count = |k: &str| r.get(k).and_then(Json::as_u64).unwrap_or(0) as usize;
    let (attributes, blocks) = merge(&[], &[], r.get("block").unwrap_or(&Json::Null));
    BlockSchema::list(name, attributes)
        .nesting(nesting)
        .blocks(blocks)
        .min_items(count("min_items"))
        .max_items(count("max_items"))
        .unsupported()
}

/// A type in Terraform's JSON notation as an [`AttrType`].
fn attr_type(t: &Json) -> AttrType {
    match lang_type(t) {
        Type::String => AttrType::String,
        Type::Number => AttrType::Number,
        Type::Bool => AttrType::Bool,
        Type::Any => AttrType::Any,
        Type::List(e) if *e == Type::String => AttrType::StringList,
        Type::List(e) if *e == Type::Number => AttrType::NumberList,
        Type::Set(e) if *e == Type::Number => AttrType::NumberSet,
        Type::Set(e) if *e == Type::String => AttrType::StringSet,
        Type::Map(e) if *e == Type::String => AttrType::StringMap,
        other => AttrType::Typed(Box::leak(Box::new(other))),
    }
}

/// `"string"`, `["list","string"]`, `["object",{"a":"string"}]`... as a language type.
fn lang_type(t: &Json) -> Type {
    match t {
        Json::String(s) => match s.as_str() {
            "string" => Type::String,
            "number" => Type::Number,
            "bool" => Type::Bool,
            _ => Type::Any,
        },
        Json::Array(parts) => match (parts.first().and_then(Json::as_str), parts.get(1)) {
            (Some("list"), Some(e)) => Type::List(Box::new(lang_type(e))),
            (Some("set"), Some(e)) => Type::Set(Box::new(lang_type(e))),
            (Some("map"), Some(e)) => Type::Map(Box::new(lang_type(e))),
            (Some("tuple"), Some(Json::Array(es))) => {
                Type::Tuple(es.iter().map(lang_type).collect())
            }
            (Some("object"), Some(Json::Object(fields))) => Type::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), Attr::required(lang_type(v))))
                    .collect(),
            ),
            _ => Type::Any,
        },
        _ => Type::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Value;
    use crate::provider::attrs;

    static DECLARED: Schema = Schema {
        version: 1,
        attributes: attrs![
            computed String: id;
            required String: cidr_block;
            optional StringMap: tags;
            computed StringMap: tags_all;
        ],
        blocks: &[],
    };

    fn vpc() -> &'static Schema {
        complete(Kind::Resource, "aws_vpc", &DECLARED)
    }

    #[test]
    fn undeclared_arguments_of_the_provider_are_there_and_unsupported() {
        let a = vpc()
            .attribute("ipv4_ipam_pool_id")
            .expect("from the provider");
        assert!(a.unsupported && a.untracked && a.settable());
        let config = Value::map([
            ("cidr_block", Value::string("10.0.0.0/16")),
            ("ipv4_ipam_pool_id", Value::string("ipam-pool-1")),
        ]);
        let errors = vpc().conform(&config).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].summary, "Argument not supported by ecsform yet");
        assert_eq!(errors[0].path, ["ipv4_ipam_pool_id"]);
    }

    #[test]
    fn unset_unsupported_arguments_are_null_and_computed_ones_unknown() {
        let v = vpc().conformed([("cidr_block", Value::string("10.0.0.0/16"))]);
        let m = v.as_map().unwrap();
        assert_eq!(m["ipv4_ipam_pool_id"], Value::Null);
        assert_eq!(m["id"], Value::Unknown);
        assert_eq!(m["tags_all"], Value::Unknown);
    }

    #[test]
    fn read_only_attributes_the_provider_lets_you_set_are_refused_as_unsupported() {
        let id = vpc().attribute("id").unwrap();
        assert_eq!(id.kind, AttrKind::OptionalComputed);
        let errors = vpc()
            .conform(&Value::map([
                ("cidr_block", Value::string("10.0.0.0/16")),
                ("id", Value::string("vpc-1")),
            ]))
            .unwrap_err();
        assert_eq!(errors[0].summary, "Argument not supported by ecsform yet");
    }

    #[test]
    fn arguments_ecsform_needs_are_optional_as_in_the_provider_but_reported_missing() {
        let c = vpc().attribute("cidr_block").unwrap();
        assert_eq!(c.kind, AttrKind::OptionalComputed);
        assert!(c.needed);
        let errors = vpc().conform(&Value::map::<&str>([])).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].summary, "Missing required argument");
        assert!(
            errors[0].detail.contains("required by ecsform"),
            "{}",
            errors[0].detail
        );
    }

    #[test]
    fn undeclared_blocks_keep_the_providers_nesting_and_refuse_blocks() {
        // A type ecsform does not implement (completed schemas are cached by type name).
        static BUCKET: Schema = Schema {
            version: 0,
            attributes: attrs![
                optional String: bucket;
            ],
            blocks: &[],
        };
        let s = complete(Kind::Resource, "aws_s3_bucket", &BUCKET);
        let m = s
            .block("server_side_encryption_configuration")
            .expect("from the provider");
        assert!(m.unsupported);
        assert_eq!(m.max_items, 1);
        assert!(m.block("rule").is_some());
        let errors = s
            .conform(&Value::map([
                ("bucket", Value::string("logs")),
                (
                    "server_side_encryption_configuration",
                    Value::List(vec![Value::map::<&str>([])]),
                ),
            ]))
            .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].summary, "Block type not supported by ecsform yet");
    }

    #[test]
    fn provider_types_are_read_from_terraform_json_notation() {
        let t: Json =
            serde_json::json!(["list", ["object", {"a": "string", "b": ["set", "number"]}]]);
        let Type::List(e) = lang_type(&t) else {
            panic!("a list")
        };
        let Type::Object(fields) = *e else {
            panic!("of objects")
        };
        assert_eq!(fields["b"].ty, Type::Set(Box::new(Type::Number)));
        assert_eq!(
            attr_type(&serde_json::json!(["map", "string"])),
            AttrType::StringMap
        );
    }
}
