//! `data "aws_iam_policy_document"`: an IAM policy document rendered locally, byte for byte as
//! the AWS provider renders it (no AWS call).
//!
//! What the provider does, and so does this:
//! * `json` is Go's `json.MarshalIndent(doc, "", "  ")`, `minified_json` Go's `json.Marshal`
//!   (HTML characters `<`, `>`, `&` escaped as `\u003c`...), `id` the CRC-32 of `json`.
//! * Keys come in the provider's order: `Version`, `Id`, `Statement`; in a statement `Sid`,
//!   `Effect`, `Action`, `NotAction`, `Resource`, `NotResource`, `Principal`, `NotPrincipal`,
//!   `Condition`. Empty ones are left out.
//! * A one-element `actions`/`resources`/`identifiers` set is a plain string; larger sets are
//!   sorted in *reverse* order (the provider's `policyDecodeConfigStrings`). Condition values
//!   keep their order. A sole principal `{ type = "*", identifiers = ["*"] }` is `"*"`.
//! * `&{aws:username}` in resources, identifiers and condition values becomes
//!   `${aws:username}` (HCL would otherwise interpolate it).
//! * `source_policy_documents` are merged first (duplicate `Sid`s among them are an error),
//!   then this document's statements, then `override_policy_documents`; a statement with the
//!   `Sid` of an earlier one replaces it.
//!
//! The schema is the provider's: `statement` blocks with nested set blocks `principals` and
//! `not_principals` (`type`, `identifiers`) and `condition` (`test`, `variable`, `values`).
//! Being sets, their blocks are taken in ecsform's canonical order, not the provider's hash
//! order; that shows only when two `principals` blocks of one statement share a `type`, or two
//! `condition` blocks a test and variable (their identifiers or values are concatenated in
//! that order). `source_json` and `override_json` are the provider's deprecated leftovers:
//! only `""` is accepted, and it does nothing.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::aws::error::Result;
use crate::aws::error::{ApiError, ErrorKind};
use crate::aws::AwsClients;
use crate::aws::DataDeclaration;
use crate::aws::DataSource;
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_blocks, get_str, get_strings, state_object};
use crate::provider::{AttrSchema, BlockSchema, Schema};

pub struct IamPolicyDocument;

static DECLARATION: DataDeclaration = DataDeclaration::new("aws_iam_policy_document", &SCHEMA);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        optional String: version.default(Default::Str("2012-10-17")) policy_id;
        optional StringList: source_policy_documents override_policy_documents;
        optional String: source_json override_json;
        computed String: json minified_json;
    ],
    blocks: &[BlockSchema::list(
        "statement",
        attrs![
            optional String: sid effect.default(Default::Str("Allow"));
            optional StringSet: actions not_actions resources not_resources;
        ],
    )
    .blocks(&[
        BlockSchema::set("condition", CONDITION),
        BlockSchema::set("not_principals", PRINCIPALS),
        BlockSchema::set("principals", PRINCIPALS),
    ])],
};

static PRINCIPALS: &[AttrSchema] = attrs![
    required StringSet: identifiers;
    required String: type;
];

static CONDITION: &[AttrSchema] = attrs![
    required String: test;
    required StringList: values;
    required String: variable;
];

/// A JSON value with its object keys in a fixed order (Go marshals structs in field order).
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Str(String),
    Raw(String),
    Arr(Vec<Node>),
    Obj(Vec<(String, Node)>),
}

/// One string or several, as policies write identifiers and condition values.
#[derive(Clone, Debug, PartialEq)]
enum Strings {
    One(String),
    Many(Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
struct Principal {
    ty: String,
    identifiers: Strings,
}

#[derive(Clone, Debug, PartialEq)]
struct Condition {
    test: String,
    variable: String,
    values: Strings,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Statement {
    sid: String,
    effect: String,
    action: Option<Node>,
    not_action: Option<Node>,
    resource: Option<Node>,
    not_resource: Option<Node>,
    principals: Vec<Principal>,
    not_principals: Vec<Principal>,
    conditions: Vec<Condition>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Document {
    version: String,
    id: String,
    statements: Vec<Statement>,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::Invalid, "InvalidPolicyDocument", message)
}

impl Document {
    /// The provider's merge: adopt `other`'s Id, the later Version, and its statements, each
    /// replacing an existing one with the same non-empty Sid.
    fn merge(&mut self, other: Document) {
        if !other.id.is_empty() {
            self.id = other.id;
        }
        if other.version > self.version {
            self.version = other.version;
        }
        for s in other.statements {
            match self
                .statements
                .iter_mut()
                .find(|e| !s.sid.is_empty() && e.sid == s.sid)
            {
                Some(existing) => *existing = s,
                None => self.statements.push(s),
            }
        }
    }

    fn to_node(&self) -> Node {
        let mut fields = Vec::new();
        if !self.version.is_empty() {
            fields.push(("Version".to_string(), Node::Str(self.version.clone())));
        }
        if !self.id.is_empty() {
            fields.push(("Id".to_string(), Node::Str(self.id.clone())));
        }
        if !self.statements.is_empty() {
            fields.push((
                "Statement".to_string(),
                Node::Arr(self.statements.iter().map(Statement::to_node).collect()),
            ));
        }
        Node::Obj(fields)
    }
}

impl Statement {
    fn to_node(&self) -> Node {
        let mut f: Vec<(String, Node)> = Vec::new();
        let mut put = |k: &str, v: Option<Node>| {
            if let Some(v) = v {
                f.push((k.to_string(), v));
            }
        };
        put(
            "Sid",
            (!self.sid.is_empty()).then(|| Node::Str(self.sid.clone())),
        );
        put(
            "Effect",
            (!self.effect.is_empty()).then(|| Node::Str(self.effect.clone())),
        );
        put("Action", self.action.clone());
        put("NotAction", self.not_action.clone());
        put("Resource", self.resource.clone());
        put("NotResource", self.not_resource.clone());
        put("Principal", principals_node(&self.principals));
        put("NotPrincipal", principals_node(&self.not_principals));
        put("Condition", conditions_node(&self.conditions));
        Node::Obj(f)
    }
}

fn strings_node(items: Vec<String>) -> Node {
    Node::Arr(items.into_iter().map(Node::Str).collect())
}

/// The provider's principal set marshalling (types as sorted keys, identifier lists reverse
/// sorted, a lone `*` principal as `"*"`).
fn principals_node(ps: &[Principal]) -> Option<Node> {
    if ps.is_empty() {
        return None;
    }
    if let [p] = ps {
        let star = match &p.identifiers {
            Strings::One(s) => s == "*",
            Strings::Many(v) => v.len() == 1 && v[0] == "*",
        };
        if p.ty == "*" && star {
            return Some(Node::Str("*".into()));
        }
    }
    let mut raw: BTreeMap<String, Strings> = BTreeMap::new();
    for p in ps {
        match &p.identifiers {
            Strings::Many(ids) => {
                let mut list = match raw.remove(&p.ty) {
                    None => Vec::new(),
                    Some(Strings::One(v)) => vec![v],
                    Some(Strings::Many(l)) => l,
                };
                let mut ids = ids.clone();
                ids.sort();
                ids.reverse();
                list.extend(ids);
                raw.insert(p.ty.clone(), Strings::Many(list));
            }
            Strings::One(id) => {
                let next = match raw.remove(&p.ty) {
                    None => Strings::One(id.clone()),
                    Some(Strings::One(v)) => Strings::Many(vec![v, id.clone()]),
                    Some(Strings::Many(mut l)) => {
                        l.push(id.clone());
                        Strings::Many(l)
                    }
                };
                raw.insert(p.ty.clone(), next);
            }
        }
    }
    Some(Node::Obj(
        raw.into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Strings::One(s) => Node::Str(s),
                    Strings::Many(l) => strings_node(l),
                };
                (k, v)
            })
            .collect(),
    ))
}

/// The provider's condition set marshalling: test → variable → values (in order), one value
/// as a plain string.
fn conditions_node(cs: &[Condition]) -> Option<Node> {
    if cs.is_empty() {
        return None;
    }
    let mut raw: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for c in cs {
        let values = raw
            .entry(c.test.clone())
            .or_default()
            .entry(c.variable.clone())
            .or_default();
        match &c.values {
            Strings::One(v) => values.push(v.clone()),
            Strings::Many(l) => values.extend(l.iter().cloned()),
        }
    }
    Some(Node::Obj(
        raw.into_iter()
            .map(|(test, vars)| {
                let vars = vars
                    .into_iter()
                    .map(|(k, mut v)| {
                        let node = if v.len() == 1 {
                            Node::Str(v.remove(0))
                        } else {
                            strings_node(v)
                        };
                        (k, node)
                    })
                    .collect();
                (test, Node::Obj(vars))
            })
            .collect(),
    ))
}

/// The provider's `policyDecodeConfigStrings`: one element as itself, several sorted in
/// reverse order.
fn decode_strings(mut items: Vec<String>) -> Strings {
    if items.len() == 1 {
        Strings::One(items.remove(0))
    } else {
        items.sort();
        items.reverse();
        Strings::Many(items)
    }
}

fn strings_to_node(s: Strings) -> Node {
    match s {
        Strings::One(v) => Node::Str(v),
        Strings::Many(l) => strings_node(l),
    }
}

/// `&{var}` → `${var}`, refused in version 2008-10-17 documents (which have no variables).
fn replace_vars(s: String, version: &str) -> Result<String> {
    if version == "2008-10-17" && s.contains("&{") {
        return Err(invalid(format!(
            "found &{{ sequence in ({s}), which is not supported in document version 2008-10-17"
        )));
    }
    Ok(s.replace("&{", "${"))
}

fn replace_all(s: Strings, version: &str) -> Result<Strings> {
    Ok(match s {
        Strings::One(v) => Strings::One(replace_vars(v, version)?),
        Strings::Many(l) => Strings::Many(
            l.into_iter()
                .map(|v| replace_vars(v, version))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn config_principals(v: &Value, name: &str, version: &str) -> Result<Vec<Principal>> {
    get_blocks(v, name)
        .iter()
        .map(|p| {
            // A set: sorted and without duplicates already.
            let ids = get_strings(p, "identifiers");
            Ok(Principal {
                ty: get_str(p, "type").unwrap_or_default().to_string(),
                identifiers: replace_all(decode_strings(ids), version)?,
            })
        })
        .collect()
}

fn config_conditions(v: &Value, version: &str) -> Result<Vec<Condition>> {
    get_blocks(v, "condition")
        .iter()
        .map(|c| {
            let mut values = get_strings(c, "values");
            let values = if values.len() == 1 {
                Strings::One(values.remove(0))
            } else {
                Strings::Many(values)
            };
            Ok(Condition {
                test: get_str(c, "test").unwrap_or_default().to_string(),
                variable: get_str(c, "variable").unwrap_or_default().to_string(),
                values: replace_all(values, version)?,
            })
        })
        .collect()
}

fn config_statement(v: &Value, version: &str) -> Result<Statement> {
    let effect = get_str(v, "effect").unwrap_or("Allow");
    if effect != "Allow" && effect != "Deny" {
        return Err(invalid(format!(
            "effect must be \"Allow\" or \"Deny\", not \"{effect}\""
        )));
    }
    let list = |name: &str, vars: bool| -> Result<Option<Node>> {
        let items = get_strings(v, name);
        if items.is_empty() {
            return Ok(None);
        }
        let s = decode_strings(items);
        let s = if vars { replace_all(s, version)? } else { s };
        Ok(Some(strings_to_node(s)))
    };
    Ok(Statement {
        sid: get_str(v, "sid").unwrap_or_default().to_string(),
        effect: effect.to_string(),
        action: list("actions", false)?,
        not_action: list("not_actions", false)?,
        resource: list("resources", true)?,
        not_resource: list("not_resources", true)?,
        principals: config_principals(v, "principals", version)?,
        not_principals: config_principals(v, "not_principals", version)?,
        conditions: config_conditions(v, version)?,
    })
}

/// A JSON value as Go re-marshals an `any` it unmarshalled (object keys sorted).
fn json_node(j: &Json) -> Node {
    match j {
        Json::String(s) => Node::Str(s.clone()),
        Json::Array(items) => Node::Arr(items.iter().map(json_node).collect()),
        Json::Object(m) => {
            let mut entries: Vec<(String, Node)> =
                m.iter().map(|(k, v)| (k.clone(), json_node(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Node::Obj(entries)
        }
        other => Node::Raw(other.to_string()),
    }
}

fn json_string(j: &Json) -> Option<String> {
    match j {
        Json::String(s) => Some(s.clone()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A statement of a source or override document (JSON field names match case-insensitively,
/// as Go's decoder does).
fn json_statement(j: &Json) -> Result<Statement> {
    let Json::Object(m) = j else {
        return Err(invalid("a statement is not a JSON object"));
    };
    let mut s = Statement::default();
    for (k, v) in m {
        match k.to_ascii_lowercase().as_str() {
            "sid" => s.sid = json_string(v).unwrap_or_default(),
            "effect" => s.effect = json_string(v).unwrap_or_default(),
            "action" => s.action = Some(json_node(v)),
            "notaction" => s.not_action = Some(json_node(v)),
            "resource" => s.resource = Some(json_node(v)),
            "notresource" => s.not_resource = Some(json_node(v)),
            "principal" => s.principals = json_principals(v)?,
            "notprincipal" => s.not_principals = json_principals(v)?,
            "condition" => s.conditions = json_conditions(v)?,
            _ => {}
        }
    }
    Ok(s)
}

fn json_principals(j: &Json) -> Result<Vec<Principal>> {
    match j {
        Json::String(_) => Ok(vec![Principal {
            ty: "*".into(),
            identifiers: Strings::Many(vec!["*".into()]),
        }]),
        Json::Object(m) => m
            .iter()
            .map(|(ty, v)| {
                let identifiers = match v {
                    Json::String(s) => Strings::One(s.clone()),
                    Json::Array(items) => {
                        let mut ids = items
                            .iter()
                            .map(|i| {
                                i.as_str().map(String::from).ok_or_else(|| {
                                    invalid(format!("principal {ty}: identifiers must be strings"))
                                })
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        ids.sort();
                        Strings::Many(ids)
                    }
                    _ => return Err(invalid(format!("principal {ty}: unsupported value"))),
                };
                Ok(Principal {
                    ty: ty.clone(),
                    identifiers,
                })
            })
            .collect(),
        _ => Err(invalid("Principal must be a string or an object")),
    }
}

fn json_conditions(j: &Json) -> Result<Vec<Condition>> {
    let Json::Object(tests) = j else {
        return Err(invalid("Condition must be an object"));
    };
    let mut out = Vec::new();
    for (test, vars) in tests {
        let Json::Object(vars) = vars else {
            return Err(invalid(format!("Condition {test} must be an object")));
        };
        for (variable, values) in vars {
            let values = match values {
                Json::String(s) => Strings::Many(vec![s.clone()]),
                Json::Array(items) => Strings::Many(items.iter().filter_map(json_string).collect()),
                other => match json_string(other) {
                    Some(s) => Strings::One(s),
                    None => continue,
                },
            };
            out.push(Condition {
                test: test.clone(),
                variable: variable.clone(),
                values,
            });
        }
    }
    Ok(out)
}

fn json_document(text: &str, what: &str) -> Result<Document> {
    let j: Json = serde_json::from_str(text)
        .map_err(|e| invalid(format!("merging {what}: not valid JSON: {e}")))?;
    let Json::Object(m) = &j else {
        return Err(invalid(format!("merging {what}: not a JSON object")));
    };
    let mut doc = Document::default();
    for (k, v) in m {
        match k.to_ascii_lowercase().as_str() {
            "version" => doc.version = json_string(v).unwrap_or_default(),
            "id" => doc.id = json_string(v).unwrap_or_default(),
            "statement" => {
                doc.statements = match v {
                    Json::Array(items) => items
                        .iter()
                        .map(json_statement)
                        .collect::<Result<_, _>>()
                        .map_err(|e| invalid(format!("merging {what}: {}", e.message)))?,
                    one => vec![json_statement(one)?],
                }
            }
            _ => {}
        }
    }
    Ok(doc)
}

/// Go's `encoding/json` string escaping (with HTML escaping, its default).
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes `node` compact (`indent` None) or as Go's MarshalIndent with `indent` per level.
fn write_node(out: &mut String, node: &Node, indent: Option<&str>, depth: usize) {
    let newline = |out: &mut String, depth: usize| {
        if let Some(i) = indent {
            out.push('\n');
            out.push_str(&i.repeat(depth));
        }
    };
    match node {
        Node::Str(s) => write_string(out, s),
        Node::Raw(r) => out.push_str(r),
        Node::Arr(items) if items.is_empty() => out.push_str("[]"),
        Node::Obj(fields) if fields.is_empty() => out.push_str("{}"),
        Node::Arr(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_node(out, item, indent, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        Node::Obj(fields) => {
            out.push('{');
            for (n, (k, v)) in fields.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_string(out, k);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_node(out, v, indent, depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

/// The merged document a configuration describes.
fn build(config: &Value) -> Result<Document> {
    // The provider's validation of its deprecated, unused arguments.
    for name in ["source_json", "override_json"] {
        if let Some(v) = get_str(config, name).filter(|v| !v.is_empty()) {
            return Err(invalid(format!(
                "expected \"{name}\" to be an empty string, got {v:?} (it is deprecated and not used: use source_policy_documents or override_policy_documents)"
            )));
        }
    }
    let mut merged = Document::default();
    let mut sids: Vec<String> = Vec::new();
    for (n, text) in get_strings(config, "source_policy_documents")
        .iter()
        .enumerate()
    {
        let doc = json_document(text, &format!("source document {n}"))?;
        for (i, s) in doc.statements.iter().enumerate() {
            if s.sid.is_empty() {
                continue;
            }
            if sids.contains(&s.sid) {
                return Err(invalid(format!(
                    "merging source document {n}: duplicate Sid ({}) in source_policy_documents (statement {i}). Remove the Sid or ensure Sids are unique.",
                    s.sid
                )));
            }
            sids.push(s.sid.clone());
        }
        merged.merge(doc);
    }
    let version = get_str(config, "version")
        .unwrap_or("2012-10-17")
        .to_string();
    if version != "2012-10-17" && version != "2008-10-17" {
        return Err(invalid(format!(
            "version must be \"2012-10-17\" or \"2008-10-17\", not \"{version}\""
        )));
    }
    let mut doc = Document {
        version: version.clone(),
        id: get_str(config, "policy_id").unwrap_or_default().to_string(),
        statements: Vec::new(),
    };
    let mut own_sids: Vec<String> = Vec::new();
    for block in get_blocks(config, "statement") {
        let s = config_statement(&block, &version)?;
        if !s.sid.is_empty() {
            if own_sids.contains(&s.sid) {
                return Err(invalid(format!(
                    "duplicate Sid ({}). Remove the Sid or ensure the Sid is unique.",
                    s.sid
                )));
            }
            own_sids.push(s.sid.clone());
        }
        doc.statements.push(s);
    }
    merged.merge(doc);
    for (n, text) in get_strings(config, "override_policy_documents")
        .iter()
        .enumerate()
    {
        merged.merge(json_document(text, &format!("override document {n}"))?);
    }
    Ok(merged)
}

/// `(json, minified_json)` for a configuration.
fn render(config: &Value) -> Result<(String, String)> {
    let node = build(config)?.to_node();
    let mut pretty = String::new();
    write_node(&mut pretty, &node, Some("  "), 0);
    let mut compact = String::new();
    write_node(&mut compact, &node, None, 0);
    Ok((pretty, compact))
}

#[async_trait]
impl DataSource for IamPolicyDocument {
    fn declaration(&self) -> &'static DataDeclaration {
        &DECLARATION
    }

    async fn read(&self, _clients: &AwsClients, config: &Value) -> Result<Value> {
        let (json, minified) = render(config)?;
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
        Ok(state_object(
            &SCHEMA,
            [
                // The provider's `StringHashcode`: the IEEE CRC-32.
                (
                    "id",
                    Value::string(crc32fast::hash(json.as_bytes()).to_string()),
                ),
                ("json", Value::string(json)),
                ("minified_json", Value::string(minified)),
                given("version"),
                given("policy_id"),
                given("source_policy_documents"),
                given("override_policy_documents"),
                given("source_json"),
                given("override_json"),
                given("statement"),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::values::strings;

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn conformed(config: Value) -> Value {
        SCHEMA.conform(&config).unwrap()
    }

    fn statement(pairs: Vec<(&str, Value)>) -> Value {
        Value::map(pairs)
    }

    fn principal(ty: &str, ids: &[&str]) -> Value {
        Value::map([
            ("type", s(ty)),
            ("identifiers", strings(ids.iter().copied())),
        ])
    }

    #[test]
    fn renders_an_assume_role_policy_like_the_provider() {
        let config = conformed(Value::map([(
            "statement",
            Value::List(vec![statement(vec![
                ("actions", strings(["sts:AssumeRole"])),
                (
                    "principals",
                    Value::List(vec![principal("Service", &["ecs-tasks.amazonaws.com"])]),
                ),
            ])]),
        )]));
        let (json, minified) = render(&config).unwrap();
        assert_eq!(
            json,
            r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Principal": {
        "Service": "ecs-tasks.amazonaws.com"
      }
    }
  ]
}"#
        );
        assert_eq!(
            minified,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ecs-tasks.amazonaws.com"}}]}"#
        );
    }

    #[test]
    fn sets_are_reverse_sorted_and_conditions_keep_order() {
        let config = conformed(Value::map([
            ("policy_id", s("logs")),
            (
                "statement",
                Value::List(vec![statement(vec![
                    ("sid", s("WriteLogs")),
                    (
                        "actions",
                        strings(["logs:CreateLogStream", "logs:PutLogEvents"]),
                    ),
                    (
                        "resources",
                        strings([
                            "arn:aws:logs:*:*:log-group:/ecs/*",
                            "arn:aws:s3:::b/&{aws:username}",
                        ]),
                    ),
                    (
                        "principals",
                        Value::List(vec![
                            principal("AWS", &["arn:aws:iam::1:root", "arn:aws:iam::2:root"]),
                            principal("Service", &["ecs.amazonaws.com"]),
                        ]),
                    ),
                    (
                        "condition",
                        Value::List(vec![Value::map([
                            ("test", s("StringEquals")),
                            ("variable", s("aws:SourceAccount")),
                            ("values", strings(["2", "1"])),
                        ])]),
                    ),
                ])]),
            ),
        ]));
        let (_, minified) = render(&config).unwrap();
        assert_eq!(
            minified,
            concat!(
                r#"{"Version":"2012-10-17","Id":"logs","Statement":[{"Sid":"WriteLogs","Effect":"Allow","#,
                r#""Action":["logs:PutLogEvents","logs:CreateLogStream"],"#,
                r#""Resource":["arn:aws:s3:::b/${aws:username}","arn:aws:logs:*:*:log-group:/ecs/*"],"#,
                r#""Principal":{"AWS":["arn:aws:iam::2:root","arn:aws:iam::1:root"],"Service":"ecs.amazonaws.com"},"#,
                r#""Condition":{"StringEquals":{"aws:SourceAccount":["2","1"]}}}]}"#
            )
        );
    }

    #[test]
    fn a_lone_wildcard_principal_is_a_star_and_html_is_escaped() {
        let config = conformed(Value::map([(
            "statement",
            Value::List(vec![statement(vec![
                ("effect", s("Deny")),
                ("not_actions", strings(["s3:Get<x>&"])),
                ("principals", Value::List(vec![principal("*", &["*"])])),
            ])]),
        )]));
        let (_, minified) = render(&config).unwrap();
        assert_eq!(
            minified,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"s3:Get\u003cx\u003e\u0026","Principal":"*"}]}"#
        );
    }

    #[test]
    fn sources_and_overrides_merge_by_sid() {
        let source = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Allow","Action":["ec2:Describe*"],"Resource":"*"}]}"#;
        let override_doc = r#"{"Statement":[{"Sid":"Read","Effect":"Deny","Action":"s3:*","Resource":"*","Principal":{"AWS":["b","a"]}}]}"#;
        let config = conformed(Value::map([
            ("source_policy_documents", strings([source])),
            ("override_policy_documents", strings([override_doc])),
            (
                "statement",
                Value::List(vec![statement(vec![
                    ("sid", s("Logs")),
                    ("actions", strings(["logs:*"])),
                    ("resources", strings(["*"])),
                ])]),
            ),
        ]));
        let (_, minified) = render(&config).unwrap();
        assert_eq!(
            minified,
            concat!(
                r#"{"Version":"2012-10-17","Statement":["#,
                r#"{"Sid":"Read","Effect":"Deny","Action":"s3:*","Resource":"*","Principal":{"AWS":["b","a"]}},"#,
                r#"{"Effect":"Allow","Action":["ec2:Describe*"],"Resource":"*"},"#,
                r#"{"Sid":"Logs","Effect":"Allow","Action":"logs:*","Resource":"*"}]}"#
            )
        );
        let dup = conformed(Value::map([(
            "source_policy_documents",
            strings([source, source]),
        )]));
        assert!(render(&dup)
            .unwrap_err()
            .message
            .contains("duplicate Sid (Read)"));
    }

    #[test]
    fn empty_documents_and_ids() {
        let (json, minified) = render(&conformed(Value::map::<&str>([]))).unwrap();
        assert_eq!(json, "{\n  \"Version\": \"2012-10-17\"\n}");
        assert_eq!(minified, r#"{"Version":"2012-10-17"}"#);
        assert_eq!(crc32fast::hash(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn bad_effects_and_duplicate_sids_are_errors() {
        let bad = conformed(Value::map([(
            "statement",
            Value::List(vec![statement(vec![("effect", s("Maybe"))])]),
        )]));
        assert!(render(&bad).is_err());
        let dup = conformed(Value::map([(
            "statement",
            Value::List(vec![
                statement(vec![("sid", s("A"))]),
                statement(vec![("sid", s("A"))]),
            ]),
        )]));
        assert!(render(&dup)
            .unwrap_err()
            .message
            .contains("duplicate Sid (A)"));
    }

    #[test]
    fn principals_and_conditions_are_the_providers_nested_set_blocks() {
        let b = SCHEMA.block("statement").unwrap();
        for name in ["principals", "not_principals", "condition"] {
            assert_eq!(
                b.block(name).unwrap().nesting,
                crate::provider::Nesting::Set
            );
        }
        // A principal without a type is a schema error at the argument.
        let missing = Value::map([(
            "statement",
            Value::List(vec![statement(vec![(
                "principals",
                Value::List(vec![Value::map([("identifiers", strings(["*"]))])]),
            )])]),
        )]);
        let errors = SCHEMA.conform(&missing).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].path, ["statement", "principals", "type"]);
        assert_eq!(errors[0].summary, "Missing required argument");
        // The attribute syntax is not the provider's.
        let attribute = Value::map([(
            "statement",
            Value::List(vec![statement(vec![(
                "condition",
                Value::string("StringEquals"),
            )])]),
        )]);
        let errors = SCHEMA.conform(&attribute).unwrap_err();
        assert!(
            errors[0]
                .detail
                .contains("Did you mean to define a block of type \"condition\"?"),
            "{}",
            errors[0].detail
        );
    }

    /// The provider concatenates the identifiers in its set hash order, which ecsform does not
    /// reproduce: this pins ecsform's own (canonical) order.
    #[test]
    fn principals_of_one_type_in_two_blocks_are_merged_in_canonical_order() {
        let config = conformed(Value::map([(
            "statement",
            Value::List(vec![statement(vec![
                ("actions", strings(["sts:AssumeRole"])),
                (
                    "principals",
                    Value::List(vec![
                        principal("Service", &["ecs-tasks.amazonaws.com"]),
                        principal("Service", &["ec2.amazonaws.com"]),
                    ]),
                ),
            ])]),
        )]));
        let (_, minified) = render(&config).unwrap();
        assert_eq!(
            minified,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":["ec2.amazonaws.com","ecs-tasks.amazonaws.com"]}}]}"#
        );
    }

    #[test]
    fn the_deprecated_json_arguments_take_only_an_empty_string() {
        let empty = conformed(Value::map([
            ("source_json", s("")),
            ("override_json", s("")),
        ]));
        assert_eq!(render(&empty).unwrap().1, r#"{"Version":"2012-10-17"}"#);
        let set = conformed(Value::map([("source_json", s("{}"))]));
        let e = render(&set).unwrap_err();
        assert!(
            e.message.contains("\"source_json\" to be an empty string"),
            "{}",
            e.message
        );
    }
}
