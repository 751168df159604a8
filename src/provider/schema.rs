//! Schemas: the arguments, computed attributes and nested blocks of a resource type, with
//! which ones force replacement, which are sensitive and their defaults.
//!
//! Schemas are `static` data built with the `const fn` helpers below, e.g.
//! `AttrSchema::required("cidr_block", AttrType::String).force_new()`. The planner reads them;
//! [`Schema::conform`] turns an evaluated configuration into a full object of the schema's
//! shape.

use std::collections::BTreeMap;

use crate::lang::types::{self, Type};
use crate::lang::Value;

/// The type of an attribute's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    String,
    Number,
    Bool,
    StringList,
    StringSet,
    StringMap,
    NumberList,
    /// Any value, kept as given: for structures deeper than one level of blocks, such as the
    /// `principals` and `condition` blocks inside an `aws_iam_policy_document` statement
    /// (which arrive as lists of objects, whether written as nested blocks or as attributes).
    Any,
}

impl AttrType {
    fn lang_type(self) -> Type {
        match self {
            AttrType::String => Type::String,
            AttrType::Number => Type::Number,
            AttrType::Bool => Type::Bool,
            AttrType::StringList => Type::List(Box::new(Type::String)),
            AttrType::StringSet => Type::Set(Box::new(Type::String)),
            AttrType::StringMap => Type::Map(Box::new(Type::String)),
            AttrType::NumberList => Type::List(Box::new(Type::Number)),
            AttrType::Any => Type::Any,
        }
    }
}

/// Who sets an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrKind {
    /// The configuration must set it.
    Required,
    /// The configuration may set it; unset means null (or the default).
    Optional,
    /// Only AWS sets it (ids, ARNs, owner ids).
    Computed,
    /// The configuration may set it; unset means AWS chooses (known after apply).
    OptionalComputed,
}

/// A default for an optional attribute, shown in plans as a known value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    None,
    Bool(bool),
    Str(&'static str),
    Number(f64),
}

#[derive(Clone, Copy, Debug)]
pub struct AttrSchema {
    pub name: &'static str,
    pub ty: AttrType,
    pub kind: AttrKind,
    /// Changing it replaces the object.
    pub force_new: bool,
    /// Masked in every output.
    pub sensitive: bool,
    pub default: Default,
    /// Not stored by AWS (a behaviour switch such as `revoke_rules_on_delete`): refresh keeps
    /// the recorded value instead of reporting the read default as drift.
    pub local: bool,
    /// A computed attribute every in-place update changes (a launch template's
    /// `latest_version`): planned as unknown for updates, so dependents see the change coming.
    pub changes_on_update: bool,
}

impl AttrSchema {
    const fn new(name: &'static str, ty: AttrType, kind: AttrKind) -> AttrSchema {
        AttrSchema {
            name,
            ty,
            kind,
            force_new: false,
            sensitive: false,
            default: Default::None,
            local: false,
            changes_on_update: false,
        }
    }

    pub const fn required(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema::new(name, ty, AttrKind::Required)
    }

    pub const fn optional(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema::new(name, ty, AttrKind::Optional)
    }

    pub const fn computed(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema::new(name, ty, AttrKind::Computed)
    }

    pub const fn optional_computed(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema::new(name, ty, AttrKind::OptionalComputed)
    }

    pub const fn force_new(mut self) -> AttrSchema {
        self.force_new = true;
        self
    }

    pub const fn sensitive(mut self) -> AttrSchema {
        self.sensitive = true;
        self
    }

    pub const fn changes_on_update(mut self) -> AttrSchema {
        self.changes_on_update = true;
        self
    }

    pub const fn local(mut self) -> AttrSchema {
        self.local = true;
        self
    }

    pub const fn default(mut self, d: Default) -> AttrSchema {
        self.default = d;
        self
    }

    pub fn settable(&self) -> bool {
        self.kind != AttrKind::Computed
    }

    pub fn is_computed(&self) -> bool {
        matches!(self.kind, AttrKind::Computed | AttrKind::OptionalComputed)
    }

    fn default_value(&self) -> Value {
        match self.default {
            Default::None => Value::Null,
            Default::Bool(b) => Value::Bool(b),
            Default::Str(s) => Value::string(s),
            Default::Number(n) => Value::Number(n),
        }
    }
}

/// How repeated nested blocks are collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// Order matters (e.g. a launch template's block devices).
    List,
    /// Order does not matter (security group rules, inline routes).
    Set,
}

#[derive(Clone, Copy, Debug)]
pub struct BlockSchema {
    pub name: &'static str,
    pub nesting: Nesting,
    pub attributes: &'static [AttrSchema],
    /// Changing the blocks replaces the object.
    pub force_new: bool,
    /// AWS may add blocks of its own when the configuration sets none (e.g. the default
    /// egress rule): unset means keep what AWS has.
    pub computed: bool,
}

/// A configuration that does not fit its schema, in Terraform's words: where (the argument or
/// block, from the top of the resource: `["ingress", "from_port"]`) and what.
#[derive(Clone, Debug, PartialEq)]
pub struct ConformError {
    pub path: Vec<String>,
    pub summary: String,
    pub detail: String,
    /// A name the schema does not have here (the caller may know it was written as a block).
    pub unexpected: bool,
}

impl ConformError {
    /// "An argument named "x" is not expected here.", with a "did you mean" among `names`.
    fn unexpected(parent: &[&str], key: &str, names: &[&str]) -> ConformError {
        let mut path: Vec<String> = parent.iter().map(|p| p.to_string()).collect();
        path.push(key.to_string());
        let mut detail = format!("An argument named \"{key}\" is not expected here.");
        if let Some(s) = crate::lang::eval::suggest_attribute(key, names) {
            detail.push_str(&format!(" Did you mean \"{s}\"?"));
        }
        ConformError {
            path,
            summary: "Unsupported argument".into(),
            detail,
            unexpected: true,
        }
    }
}

impl std::fmt::Display for ConformError {
    /// `path: detail`, for messages that list several problems of one object.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.len() > 1 {
            write!(f, "{}: ", self.path[..self.path.len() - 1].join("."))?;
        }
        f.write_str(&self.detail)
    }
}

/// Several problems of one object, one per line.
pub fn describe(errors: &[ConformError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Everything a resource type's objects have.
#[derive(Debug)]
pub struct Schema {
    /// Bumped when the stored shape changes.
    pub version: i64,
    pub attributes: &'static [AttrSchema],
    pub blocks: &'static [BlockSchema],
}

impl Schema {
    pub fn attribute(&self, name: &str) -> Option<&AttrSchema> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn block(&self, name: &str) -> Option<&BlockSchema> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// Turns an evaluated configuration into an object with exactly the schema's attributes
    /// and blocks: unset optional attributes become their default or null, computed ones
    /// unknown (the planner replaces those with prior values where it keeps them), values are
    /// converted to the attribute types. Every problem is reported ([`ConformError`]: unknown
    /// arguments, missing required ones, wrong types).
    pub fn conform(&self, config: &Value) -> Result<Value, Vec<ConformError>> {
        let (value, errors) = self.conform_partial(config);
        if errors.is_empty() {
            Ok(value)
        } else {
            Err(errors)
        }
    }

    /// [`Schema::conform`], keeping the object even when there are problems: what could not
    /// be converted is null, so that expressions referring to it can still be checked.
    pub fn conform_partial(&self, config: &Value) -> (Value, Vec<ConformError>) {
        let empty = BTreeMap::new();
        let given = config.as_map().unwrap_or(&empty);
        let mut errors = Vec::new();
        for key in given.keys() {
            if self.attribute(key).is_none() && self.block(key).is_none() {
                let names: Vec<&str> = self
                    .attributes
                    .iter()
                    .filter(|a| a.settable())
                    .map(|a| a.name)
                    .chain(self.blocks.iter().map(|b| b.name))
                    .collect();
                errors.push(ConformError::unexpected(&[], key, &names));
            } else if self.attribute(key).is_some_and(|a| !a.settable()) {
                errors.push(ConformError {
                    path: vec![key.clone()],
                    summary: "Invalid Configuration for Read-Only Attribute".into(),
                    detail: format!(
                        "Cannot set value for \"{key}\": the provider has marked it as read-only (AWS sets it). Remove the configuration line setting the value."
                    ),
                    unexpected: false,                });
            }
        }
        let mut out = conform_attrs(self.attributes, given, &mut errors, "");
        for b in self.blocks {
            let blocks = match given.get(b.name).map(Value::unmarked) {
                None | Some(Value::Null) if b.computed => Value::Unknown,
                None | Some(Value::Null) => Value::List(Vec::new()),
                Some(Value::Unknown) => Value::Unknown,
                Some(Value::List(items)) | Some(Value::Set(items)) => {
                    let mut conformed = Vec::new();
                    for item in items {
                        let m = item.as_map().cloned().unwrap_or_default();
                        for key in m.keys() {
                            if !b.attributes.iter().any(|a| a.name == key) {
                                let names: Vec<&str> =
                                    b.attributes.iter().map(|a| a.name).collect();
                                errors.push(ConformError::unexpected(&[b.name], key, &names));
                            }
                        }
                        conformed.push(Value::Map(conform_attrs(
                            b.attributes,
                            &m,
                            &mut errors,
                            b.name,
                        )));
                    }
                    match b.nesting {
                        Nesting::List => Value::List(conformed),
                        Nesting::Set => Value::set(conformed),
                    }
                }
                Some(other) => {
                    errors.push(ConformError {
                        path: vec![b.name.to_string()],
                        summary: "Unsupported argument".into(),
                        detail: format!(
                            "\"{}\" is a nested block: write it as {} {{ ... }} blocks, not as an argument ({} given).",
                            b.name,
                            b.name,
                            other.type_name()
                        ),
                        unexpected: false,                    });
                    Value::Null
                }
            };
            out.insert(b.name.to_string(), blocks);
        }
        (Value::Map(out), errors)
    }

    /// A stored or read object (JSON-shaped: lists for sets) in the schema's shape: sets as
    /// sets, numbers as numbers, sensitive attributes marked. Attributes missing from `v` are
    /// null; attributes the schema does not know are dropped.
    pub fn decode(&self, v: &Value) -> Value {
        self.decode_owned(v.clone())
    }

    /// [`Schema::decode`] taking the object by value: attributes are moved into the result
    /// rather than copied. Planning decodes every attribute of every object in the state, and
    /// copying them was a measurable part of a 10,000-instance plan.
    pub fn decode_owned(&self, v: Value) -> Value {
        let mut m = match v.unmark().0 {
            Value::Map(m) => m,
            _ => BTreeMap::new(),
        };
        let mut out = decode_attrs(self.attributes, &mut m);
        for b in self.blocks {
            let items: Vec<Value> = match m.remove(b.name).map(|v| v.unmark().0) {
                Some(Value::List(items) | Value::Set(items)) => items
                    .into_iter()
                    .map(|i| {
                        let mut given = match i.unmark().0 {
                            Value::Map(given) => given,
                            _ => BTreeMap::new(),
                        };
                        Value::Map(decode_attrs(b.attributes, &mut given))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            out.insert(
                b.name.to_string(),
                match b.nesting {
                    Nesting::List => Value::List(items),
                    Nesting::Set => Value::set(items),
                },
            );
        }
        Value::Map(out)
    }

    /// True if the attribute at `path` (top-level name or `block.attr`) is sensitive.
    pub fn is_sensitive(&self, name: &str) -> bool {
        self.attribute(name).is_some_and(|a| a.sensitive)
    }
}

/// Takes the schema's attributes out of `given` (what is left are attributes the schema does
/// not know, or its blocks), each converted to its type where it can be.
fn decode_attrs(
    attrs: &[AttrSchema],
    given: &mut BTreeMap<String, Value>,
) -> BTreeMap<String, Value> {
    attrs
        .iter()
        .map(|a| {
            let v = given.remove(a.name).unwrap_or(Value::Null);
            let ty = a.ty.lang_type();
            // Nearly every stored value has its type already; converting it anyway would copy
            // it twice (once to keep it in case the conversion fails).
            let v = match (&v, &ty) {
                (Value::Null, _)
                | (_, Type::Any)
                | (Value::String(_), Type::String)
                | (Value::Number(_), Type::Number)
                | (Value::Bool(_), Type::Bool) => v,
                _ => types::convert(v.clone(), &ty).unwrap_or(v),
            };
            (a.name.to_string(), v.mark_sensitive(a.sensitive))
        })
        .collect()
}

fn conform_attrs(
    attrs: &[AttrSchema],
    given: &BTreeMap<String, Value>,
    errors: &mut Vec<ConformError>,
    prefix: &str,
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let path = |name: &str| -> Vec<String> {
        if prefix.is_empty() {
            vec![name.to_string()]
        } else {
            vec![prefix.to_string(), name.to_string()]
        }
    };
    for a in attrs {
        let v = given.get(a.name).cloned().unwrap_or(Value::Null);
        let v = match a.kind {
            AttrKind::Computed => Value::Unknown,
            _ if v.is_null() => match a.kind {
                AttrKind::Required => {
                    errors.push(ConformError {
                        path: path(a.name),
                        summary: "Missing required argument".into(),
                        detail: format!(
                            "The argument \"{}\" is required, but no definition was found.",
                            a.name
                        ),
                        unexpected: false,
                    });
                    Value::Null
                }
                AttrKind::OptionalComputed if a.default == Default::None => Value::Unknown,
                _ => a.default_value(),
            },
            _ => match types::convert(v, &a.ty.lang_type()) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(ConformError {
                        path: path(a.name),
                        summary: "Incorrect attribute value type".into(),
                        detail: format!("Inappropriate value for attribute \"{}\": {e}", a.name),
                        unexpected: false,
                    });
                    Value::Null
                }
            },
        };
        out.insert(a.name.to_string(), v.mark_sensitive(a.sensitive));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    static RULE: &[AttrSchema] = &[
        AttrSchema::required("from_port", AttrType::Number),
        AttrSchema::optional("cidr_blocks", AttrType::StringList),
    ];
    static SCHEMA: Schema = Schema {
        version: 1,
        attributes: &[
            AttrSchema::computed("id", AttrType::String),
            AttrSchema::required("cidr_block", AttrType::String).force_new(),
            AttrSchema::optional("enable_dns_support", AttrType::Bool).default(Default::Bool(true)),
            AttrSchema::optional_computed("owner_id", AttrType::String),
            AttrSchema::optional("tags", AttrType::StringMap),
        ],
        blocks: &[BlockSchema {
            name: "ingress",
            nesting: Nesting::Set,
            attributes: RULE,
            force_new: false,
            computed: false,
        }],
    };

    #[test]
    fn conform_fills_defaults_unknowns_and_blocks() {
        let config = Value::map([
            ("cidr_block", Value::string("10.0.0.0/16")),
            (
                "ingress",
                Value::List(vec![Value::map([("from_port", Value::string("22"))])]),
            ),
        ]);
        let v = SCHEMA.conform(&config).unwrap();
        let m = v.as_map().unwrap();
        assert_eq!(m["id"], Value::Unknown);
        assert_eq!(m["enable_dns_support"], Value::Bool(true));
        assert_eq!(m["owner_id"], Value::Unknown);
        assert_eq!(m["tags"], Value::Null);
        let rule = &m["ingress"].as_list().unwrap()[0];
        assert_eq!(rule.as_map().unwrap()["from_port"], Value::number(22));
        assert_eq!(rule.as_map().unwrap()["cidr_blocks"], Value::Null);
    }

    #[test]
    fn conform_reports_every_problem() {
        let config = Value::map([
            ("cidr_blok", Value::string("x")),
            ("enable_dns_support", Value::string("maybe")),
        ]);
        let errors = SCHEMA.conform(&config).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
    }
}
