//! Values with marks as three JSON documents, the way `terraform show -json` writes them:
//! the value itself (unknown and sensitive parts as `null`), a tree that marks the unknown
//! parts with `true` and one that marks the sensitive parts with `true`.
//!
//! The JSON plan output and saved plan files both use this form, so neither ever holds a
//! sensitive value in clear text.

use serde_json::{Map, Value as Json};

use super::Value;

/// A value split into JSON documents.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonParts {
    /// The value with unknown and sensitive parts replaced by `null`; sets become arrays.
    pub value: Json,
    /// `true` where the value is unknown; `false` (or a tree without `true`) where known.
    pub unknown: Json,
    /// `true` where the value is sensitive.
    pub sensitive: Json,
}

/// Splits a value into its JSON parts, redacting sensitive parts.
pub fn split(v: &Value) -> JsonParts {
    JsonParts {
        value: redacted(v),
        unknown: tree(v, &|v| matches!(v.unmarked(), Value::Unknown)),
        sensitive: tree(v, &|v| matches!(v, Value::Sensitive(_))),
    }
}

/// Joins parts written by [`split`] back into a value. Redacted sensitive parts come back as
/// `Sensitive(Unknown)`: sensitive, and not known to whoever reads the document.
pub fn join(value: &Json, unknown: &Json, sensitive: &Json) -> Value {
    if sensitive == &Json::Bool(true) {
        let inner = join(value, unknown, &Json::Bool(false));
        let inner = if inner.is_null() {
            Value::Unknown
        } else {
            inner
        };
        return Value::Sensitive(Box::new(inner));
    }
    if unknown == &Json::Bool(true) {
        return Value::Unknown;
    }
    match value {
        Json::Array(items) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| join(item, child_at(unknown, i), child_at(sensitive, i)))
                .collect(),
        ),
        Json::Object(obj) => Value::Map(
            obj.iter()
                .map(|(k, item)| {
                    (
                        k.clone(),
                        join(item, child_key(unknown, k), child_key(sensitive, k)),
                    )
                })
                .collect(),
        ),
        other => Value::from_json(other),
    }
}

const FALSE: &Json = &Json::Bool(false);

fn child_at(tree: &Json, i: usize) -> &Json {
    match tree {
        Json::Array(items) => items.get(i).unwrap_or(FALSE),
        _ => FALSE,
    }
}

fn child_key<'a>(tree: &'a Json, k: &str) -> &'a Json {
    match tree {
        Json::Object(m) => m.get(k).unwrap_or(FALSE),
        _ => FALSE,
    }
}

fn redacted(v: &Value) -> Json {
    match v {
        Value::Null | Value::Unknown | Value::Sensitive(_) => Json::Null,
        Value::List(items) | Value::Set(items) => Json::Array(items.iter().map(redacted).collect()),
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), redacted(v))).collect()),
        known => known.to_json().unwrap_or(Json::Null),
    }
}

/// The mark tree: `true` where `marked` holds, objects keep only keys with a mark inside,
/// arrays keep every position (`false` where nothing is marked).
fn tree(v: &Value, marked: &dyn Fn(&Value) -> bool) -> Json {
    if marked(v) {
        return Json::Bool(true);
    }
    match v.unmarked() {
        Value::List(items) | Value::Set(items) => {
            Json::Array(items.iter().map(|i| tree(i, marked)).collect())
        }
        Value::Map(m) => {
            let mut out = Map::new();
            for (k, item) in m {
                let t = tree(item, marked);
                if has_mark(&t) {
                    out.insert(k.clone(), t);
                }
            }
            Json::Object(out)
        }
        _ => Json::Bool(false),
    }
}

/// True if a mark tree has a `true` anywhere.
pub fn has_mark(tree: &Json) -> bool {
    match tree {
        Json::Bool(b) => *b,
        Json::Array(items) => items.iter().any(has_mark),
        Json::Object(m) => m.values().any(has_mark),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        Value::map([
            ("id", Value::Unknown),
            ("name", Value::string("web")),
            (
                "password",
                Value::Sensitive(Box::new(Value::string("hunter2"))),
            ),
            (
                "ports",
                Value::List(vec![Value::number(80), Value::Unknown]),
            ),
            ("tags", Value::map([("Env", Value::string("prod"))])),
        ])
    }

    #[test]
    fn split_marks_unknown_and_redacts_sensitive() {
        let p = split(&sample());
        assert_eq!(
            p.value,
            json!({"id": null, "name": "web", "password": null, "ports": [80, null], "tags": {"Env": "prod"}})
        );
        assert_eq!(p.unknown, json!({"id": true, "ports": [false, true]}));
        assert_eq!(p.sensitive, json!({"password": true}));
        assert!(!serde_json::to_string(&p.value).unwrap().contains("hunter2"));
        assert_eq!(split(&Value::string("x")).unknown, json!(false));
        assert_eq!(split(&Value::Unknown).unknown, json!(true));
    }

    #[test]
    fn join_restores_everything_but_the_secret() {
        let p = split(&sample());
        let back = join(&p.value, &p.unknown, &p.sensitive);
        let mut expected = sample();
        if let Value::Map(m) = &mut expected {
            m.insert(
                "password".into(),
                Value::Sensitive(Box::new(Value::Unknown)),
            );
        }
        assert_eq!(back, expected);
        assert!(!has_mark(&json!({"a": [false, {}]})));
        assert!(has_mark(&json!({"a": [false, {"b": true}]})));
    }
}
