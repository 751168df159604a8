//! Canonical forms of the JSON documents AWS stores as strings (IAM policies, EventBridge
//! event patterns, SNS topic policies), so that a configuration and what AWS returns compare
//! equal when they mean the same.
//!
//! [`canonical_json`] sorts object keys and drops whitespace. [`canonical_policy`] goes further
//! for IAM policy documents, following the AWS provider's policy equivalence: a lone
//! `Statement` object is a one-element list, one-element `Action`/`Resource`/`Principal`/
//! `Condition` value lists are plain strings, the other lists are sorted sets, an empty `Sid`
//! is no `Sid`, and statements are sorted. IAM returns documents URL-encoded; both functions
//! decode such input first ([`url_decode`]). Text that is not JSON is returned unchanged
//! (AWS will reject it with a clearer message than we could give).
//!
//! [`canonical_lifecycle_policy`] does the same for ECR lifecycle policies, as the provider
//! compares them: rules in order of `rulePriority`, a selection's `tagPrefixList` and
//! `tagPatternList` sorted, and empty ones dropped.
//!
//! [`normalize_attr`] applies one of them to an attribute of a resource's value, passing
//! unknown values through.

use serde_json::{Map, Value as Json};

use crate::lang::Value;

/// Decodes `%XX` escapes (and `+` as a space, as IAM's form encoding does). A `%` not
/// followed by two hex digits stays as it is; text that does not decode to UTF-8 is returned
/// as given.
pub fn url_decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map_or_else(|_| s.to_string(), String::from)
}

/// Parses a document AWS returned or a user wrote: as is, or URL-decoded.
fn parse(s: &str) -> Option<Json> {
    serde_json::from_str(s)
        .ok()
        .or_else(|| serde_json::from_str(&url_decode(s)).ok())
}

/// A JSON value with object keys sorted at every level.
fn sorted(v: Json) -> Json {
    match v {
        Json::Object(m) => {
            let mut entries: Vec<(String, Json)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Json::Array(items) => Json::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// `s` with object keys sorted and no whitespace; unchanged if it is not JSON.
pub fn canonical_json(s: &str) -> String {
    match parse(s) {
        Some(v) => sorted(v).to_string(),
        None => s.to_string(),
    }
}

/// A policy value list (`Action`, `Resource`, a principal's or condition key's values): one
/// element as a plain string, several as a sorted list without duplicates.
fn value_set(v: Json) -> Json {
    match v {
        Json::Array(items) => {
            let mut items: Vec<Json> = items.into_iter().map(sorted).collect();
            items.sort_by_key(|i| i.to_string());
            items.dedup();
            if items.len() == 1 {
                items.pop().unwrap_or(Json::Null)
            } else {
                Json::Array(items)
            }
        }
        other => sorted(other),
    }
}

/// An object whose values are value lists (`Principal`), or whose values are such objects
/// (`Condition`, `depth` 2).
fn map_of_sets(v: Json, depth: u8) -> Json {
    match v {
        Json::Object(m) => Json::Object(
            sorted(Json::Object(m))
                .as_object()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| {
                    let v = if depth > 1 {
                        map_of_sets(v, depth - 1)
                    } else {
                        value_set(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => value_set(other),
    }
}

fn canonical_statement(stmt: Json) -> Json {
    let Json::Object(m) = stmt else {
        return sorted(stmt);
    };
    let mut out = Map::new();
    let mut entries: Vec<(String, Json)> = m.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, v) in entries {
        let v = match k.as_str() {
            "Sid" if v == Json::String(String::new()) => continue,
            "Action" | "NotAction" | "Resource" | "NotResource" => value_set(v),
            "Principal" | "NotPrincipal" => map_of_sets(v, 1),
            "Condition" => map_of_sets(v, 2),
            _ => sorted(v),
        };
        out.insert(k, v);
    }
    Json::Object(out)
}

/// An IAM policy document in the canonical form described in the module documentation;
/// unchanged if it is not a JSON object.
pub fn canonical_policy(s: &str) -> String {
    let Some(Json::Object(doc)) = parse(s) else {
        return s.to_string();
    };
    let mut entries: Vec<(String, Json)> = doc.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Map::new();
    for (k, v) in entries {
        let v = if k == "Statement" {
            let stmts = match v {
                Json::Array(items) => items,
                one => vec![one],
            };
            let mut stmts: Vec<Json> = stmts.into_iter().map(canonical_statement).collect();
            stmts.sort_by_key(|s| s.to_string());
            Json::Array(stmts)
        } else {
            sorted(v)
        };
        out.insert(k, v);
    }
    Json::Object(out).to_string()
}

/// An ECR lifecycle policy in the canonical form described in the module documentation;
/// unchanged if it is not a JSON object.
pub fn canonical_lifecycle_policy(s: &str) -> String {
    let Some(Json::Object(mut doc)) = parse(s) else {
        return s.to_string();
    };
    if let Some(Json::Array(rules)) = doc.get_mut("rules") {
        for rule in rules.iter_mut() {
            let Some(Json::Object(selection)) = rule.get_mut("selection") else {
                continue;
            };
            for list in ["tagPrefixList", "tagPatternList"] {
                match selection.get_mut(list) {
                    Some(Json::Array(items)) if items.is_empty() => {
                        selection.remove(list);
                    }
                    Some(Json::Array(items)) => items.sort_by_key(|i| i.to_string()),
                    _ => {}
                }
            }
        }
        rules.sort_by_key(|r| r.get("rulePriority").and_then(Json::as_i64).unwrap_or(0));
    }
    sorted(Json::Object(doc)).to_string()
}

/// Replaces attribute `name` of an object value by `canon` of it, when it is a known string.
pub fn normalize_attr(value: Value, name: &str, canon: fn(&str) -> String) -> Value {
    let Value::Map(mut m) = value else {
        return value;
    };
    if let Some(v) = m.get_mut(name) {
        let (inner, sensitive) = v.clone().unmark();
        if let Value::String(s) = inner {
            *v = Value::String(canon(&s)).mark_sensitive(sensitive);
        }
    }
    Value::Map(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_documents_are_decoded() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            canonical_json(encoded),
            r#"{"Statement":[],"Version":"2012-10-17"}"#
        );
        assert_eq!(url_decode("100%"), "100%");
        assert_eq!(url_decode("a+b%2Fc"), "a b/c");
    }

    #[test]
    fn json_keys_are_sorted_and_whitespace_dropped() {
        let pattern =
            "{\n  \"source\": [\"aws.ecs\"],\n  \"detail-type\": [\"ECS Task State Change\"]\n}";
        assert_eq!(
            canonical_json(pattern),
            r#"{"detail-type":["ECS Task State Change"],"source":["aws.ecs"]}"#
        );
        // Arrays keep their order: in an event pattern it can matter.
        assert_eq!(canonical_json(r#"{"a":[2,1]}"#), r#"{"a":[2,1]}"#);
        assert_eq!(canonical_json("not json"), "not json");
    }

    #[test]
    fn equivalent_policies_normalise_alike() {
        let written = r#"{
            "Version": "2012-10-17",
            "Statement": {
                "Sid": "",
                "Effect": "Allow",
                "Action": ["sts:AssumeRole"],
                "Principal": {"Service": ["ecs-tasks.amazonaws.com"]}
            }
        }"#;
        let returned = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        assert_eq!(canonical_policy(written), canonical_policy(returned));
        assert_eq!(
            canonical_policy(returned),
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"}}],"Version":"2012-10-17"}"#
        );
    }

    #[test]
    fn policy_lists_are_sets_and_statements_unordered() {
        let a = r#"{"Statement":[
            {"Effect":"Allow","Action":["s3:Put*","s3:Get*","s3:Get*"],"Resource":"*"},
            {"Effect":"Deny","Action":"ec2:*","Resource":"*",
             "Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}"#;
        let b = r#"{"Statement":[
            {"Effect":"Deny","Action":["ec2:*"],"Resource":["*"],
             "Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}},
            {"Effect":"Allow","Action":["s3:Get*","s3:Put*"],"Resource":"*"}]}"#;
        assert_eq!(canonical_policy(a), canonical_policy(b));
        // Different meanings stay different.
        let c = b.replace("Deny", "Allow");
        assert_ne!(canonical_policy(a), canonical_policy(&c));
    }

    #[test]
    fn lifecycle_policies_compare_by_rule_priority_and_tag_sets() {
        let written = r#"{"rules": [
            {"rulePriority": 2, "action": {"type": "expire"},
             "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30}},
            {"rulePriority": 1, "action": {"type": "expire"},
             "selection": {"tagStatus": "tagged", "tagPrefixList": ["v", "release"],
                           "tagPatternList": [], "countType": "imageCountMoreThan", "countNumber": 10}}
        ]}"#;
        let returned = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["release","v"],"countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":30},"action":{"type":"expire"}}]}"#;
        assert_eq!(
            canonical_lifecycle_policy(written),
            canonical_lifecycle_policy(returned)
        );
        let other = returned.replace("\"countNumber\":30", "\"countNumber\":31");
        assert_ne!(
            canonical_lifecycle_policy(written),
            canonical_lifecycle_policy(&other)
        );
    }

    #[test]
    fn unknown_and_sensitive_attributes_are_handled() {
        let v = Value::map([
            ("policy", Value::Unknown),
            (
                "doc",
                Value::string("{ \"b\": 1, \"a\": 2 }").mark_sensitive(true),
            ),
        ]);
        let v = normalize_attr(v, "policy", canonical_policy);
        let v = normalize_attr(v, "doc", canonical_json);
        let m = v.as_map().unwrap();
        assert_eq!(m["policy"], Value::Unknown);
        assert_eq!(
            m["doc"],
            Value::string(r#"{"a":2,"b":1}"#).mark_sensitive(true)
        );
    }
}
