//! Reading arguments out of, and building, the object values resource types work with.
//!
//! Planned values handed to `create`/`update` are wholly known objects following the type's
//! schema; these helpers read typed fields from them without each resource type re-writing
//! the same matching, and build state objects in the schema's shape.

use std::collections::BTreeMap;

use super::{BlockSchema, Schema};
use crate::lang::Value;

fn field<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    v.as_map()?
        .get(name)
        .map(Value::unmarked)
        .filter(|v| !v.is_null())
}

/// A string attribute, if set.
pub fn get_str<'v>(v: &'v Value, name: &str) -> Option<&'v str> {
    field(v, name)?.as_str()
}

pub fn get_bool(v: &Value, name: &str) -> Option<bool> {
    field(v, name)?.as_bool()
}

pub fn get_number(v: &Value, name: &str) -> Option<f64> {
    field(v, name)?.as_number()
}

pub fn get_i32(v: &Value, name: &str) -> Option<i32> {
    get_number(v, name).map(|n| n as i32)
}

/// A list or set of strings (empty if unset).
pub fn get_strings(v: &Value, name: &str) -> Vec<String> {
    field(v, name)
        .and_then(Value::as_list)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// A map of strings (empty if unset).
pub fn get_string_map(v: &Value, name: &str) -> BTreeMap<String, String> {
    field(v, name)
        .and_then(Value::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The nested blocks `name` (empty if unset): the items of a list or set block, the object of
/// a single or group block.
pub fn get_blocks(v: &Value, name: &str) -> Vec<Value> {
    field(v, name)
        .map(|b| BlockSchema::items(b).to_vec())
        .unwrap_or_default()
}

/// The first (for a block type with `max_items = 1`, the only) nested block `name`.
pub fn get_block<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    field(v, name).and_then(|b| BlockSchema::items(b).first())
}

/// Builds a state object with every attribute and block of `schema`: those given, null (or no
/// blocks) for the rest.
pub fn state_object(
    schema: &Schema,
    given: impl IntoIterator<Item = (&'static str, Value)>,
) -> Value {
    let mut m: BTreeMap<String, Value> = BTreeMap::new();
    for a in schema.attributes {
        m.insert(a.name.to_string(), Value::Null);
    }
    for b in schema.blocks {
        m.insert(b.name.to_string(), b.empty_value());
    }
    for (k, v) in given {
        debug_assert!(m.contains_key(k), "{k} is not in the schema");
        m.insert(k.to_string(), v);
    }
    Value::Map(m)
}

/// `Value::String` or null.
pub fn opt_str(s: Option<impl Into<String>>) -> Value {
    s.map(|s| Value::String(s.into())).unwrap_or(Value::Null)
}

pub fn strings(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::List(items.into_iter().map(|s| Value::String(s.into())).collect())
}

pub fn string_set(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::set(items.into_iter().map(|s| Value::String(s.into())).collect())
}

pub fn string_map(m: &BTreeMap<String, String>) -> Value {
    Value::Map(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// Builds one nested block's object with every attribute of `attrs`: those given, null for
/// the rest (so that a block read from AWS compares equal to a conformed one).
pub fn block_object(
    attrs: &[super::AttrSchema],
    given: impl IntoIterator<Item = (&'static str, Value)>,
) -> Value {
    let mut m: BTreeMap<String, Value> = attrs
        .iter()
        .map(|a| (a.name.to_string(), Value::Null))
        .collect();
    for (k, v) in given {
        debug_assert!(m.contains_key(k), "{k} is not in the block's schema");
        m.insert(k.to_string(), v);
    }
    Value::Map(m)
}

/// Builds one block of type `block` with every attribute and nested block type: those given,
/// null (or no blocks) for the rest.
pub fn nested_object(
    block: &BlockSchema,
    given: impl IntoIterator<Item = (&'static str, Value)>,
) -> Value {
    let mut m = block.empty_object();
    for (k, v) in given {
        debug_assert!(m.contains_key(k), "{k} is not in the block's schema");
        m.insert(k.to_string(), v);
    }
    Value::Map(m)
}

/// A number, or null.
pub fn opt_number(n: Option<impl Into<f64>>) -> Value {
    n.map(|n| Value::Number(n.into())).unwrap_or(Value::Null)
}

/// A bool, or null.
pub fn opt_bool(b: Option<bool>) -> Value {
    b.map(Value::Bool).unwrap_or(Value::Null)
}
