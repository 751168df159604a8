//! A small JSON Schema (draft 2020-12) validator for the keywords our schemas use: `$ref` to
//! `#/$defs/...`, `allOf`, `anyOf`, `type`, `const`, `enum`, `properties`, `required`,
//! `additionalProperties`, `items`, `minItems` and `pattern`. Any other keyword that constrains
//! values is refused, so a schema cannot silently ask for more than this checks.

use serde_json::Value;

/// Validates `doc` against `schema`; the errors name the JSON pointer of each failure.
pub fn validate(schema: &Value, doc: &Value) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    check(schema, schema, doc, "", &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "$comment",
    "title",
    "description",
];

fn check(root: &Value, schema: &Value, doc: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(obj) = schema.as_object() else {
        if schema == &Value::Bool(false) {
            errors.push(format!("{at}: no value is allowed here"));
        }
        return;
    };
    for (key, sub) in obj {
        match key.as_str() {
            k if ANNOTATIONS.contains(&k) => {}
            "$ref" => {
                let target = sub
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/$defs/"))
                    .and_then(|name| root["$defs"].get(name))
                    .unwrap_or_else(|| panic!("unresolvable $ref {sub}"));
                check(root, target, doc, at, errors);
            }
            "allOf" => {
                for s in array(sub) {
                    check(root, s, doc, at, errors);
                }
            }
            "anyOf" => {
                let ok = array(sub).iter().any(|s| {
                    let mut e = Vec::new();
                    check(root, s, doc, at, &mut e);
                    e.is_empty()
                });
                if !ok {
                    errors.push(format!("{at}: matches none of anyOf"));
                }
            }
            "type" => {
                let types: Vec<&str> = match sub {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                    _ => panic!("bad type {sub}"),
                };
                if !types.iter().any(|t| has_type(doc, t)) {
                    errors.push(format!("{at}: expected {types:?}, found {doc}"));
                }
            }
            "const" => {
                if doc != sub {
                    errors.push(format!("{at}: expected {sub}, found {doc}"));
                }
            }
            "enum" => {
                if !array(sub).contains(doc) {
                    errors.push(format!("{at}: {doc} is not one of {sub}"));
                }
            }
            "properties" => {
                if let Some(d) = doc.as_object() {
                    for (name, s) in sub.as_object().expect("properties") {
                        if let Some(v) = d.get(name) {
                            check(root, s, v, &format!("{at}/{name}"), errors);
                        }
                    }
                }
            }
            "required" => {
                if let Some(d) = doc.as_object() {
                    for name in array(sub).iter().filter_map(Value::as_str) {
                        if !d.contains_key(name) {
                            errors.push(format!("{at}: missing required \"{name}\""));
                        }
                    }
                }
            }
            "additionalProperties" => {
                if let Some(d) = doc.as_object() {
                    let known = obj.get("properties").and_then(Value::as_object);
                    for (name, v) in d {
                        if known.is_some_and(|k| k.contains_key(name)) {
                            continue;
                        }
                        if sub == &Value::Bool(false) {
                            errors.push(format!("{at}: unexpected property \"{name}\""));
                        } else {
                            check(root, sub, v, &format!("{at}/{name}"), errors);
                        }
                    }
                }
            }
            "items" => {
                if let Some(items) = doc.as_array() {
                    for (i, v) in items.iter().enumerate() {
                        check(root, sub, v, &format!("{at}/{i}"), errors);
                    }
                }
            }
            "minItems" => {
                let min = sub.as_u64().expect("minItems") as usize;
                if doc.as_array().is_some_and(|a| a.len() < min) {
                    errors.push(format!("{at}: fewer than {min} items"));
                }
            }
            "pattern" => {
                let re = regex::Regex::new(sub.as_str().expect("pattern")).expect("regex");
                if doc.as_str().is_some_and(|s| !re.is_match(s)) {
                    errors.push(format!("{at}: {doc} does not match {sub}"));
                }
            }
            other => panic!("the test validator does not support the keyword \"{other}\""),
        }
    }
}

fn array(v: &Value) -> &Vec<Value> {
    v.as_array().expect("an array in the schema")
}

fn has_type(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        other => panic!("unknown type {other}"),
    }
}
