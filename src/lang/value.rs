//! The dynamic values expressions evaluate to, with Terraform's two marks.
//!
//! A [`Value`] is what the `lang` evaluator produces and what functions take and return.
//! Two marks travel with values, as in Terraform:
//!
//! * **unknown** ([`Value::Unknown`]) — a value only known after apply (`aws_vpc.x.id` of a VPC
//!   not yet created). A collection may be known while some of its elements are unknown, so
//!   `length([unknown, unknown])` is known.
//! * **sensitive** ([`Value::Sensitive`]) — a wrapper around a value that must never be shown.
//!
//! This module owns the representation and small structural helpers; type constraints and
//! conversion live in `lang::types`, evaluation in `lang::eval`.

use std::collections::BTreeMap;
use std::fmt;

/// A value produced by evaluating an expression.
///
/// Lists and tuples share [`Value::List`]; maps and objects share [`Value::Map`] (keys sorted,
/// as Terraform iterates them). A [`Value::Set`] holds distinct elements in a canonical order.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    /// Known only after apply.
    Unknown,
    /// A value that must be masked in every output.
    Sensitive(Box<Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn number(n: impl Into<f64>) -> Value {
        Value::Number(n.into())
    }

    /// Builds a set: removes duplicates and sorts into the canonical order.
    pub fn set(items: Vec<Value>) -> Value {
        // Sort first (stable: the first of equal elements stays first), then drop neighbours
        // that are equal: canonical order keeps equal values together, and a large set costs
        // n log n rather than n².
        let mut items = items;
        items.sort_by(canonical_cmp);
        items.dedup_by(|later, kept| kept.equals(later));
        Value::Set(items)
    }

    pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Wraps the value as sensitive when `sensitive` is true (idempotent).
    pub fn mark_sensitive(self, sensitive: bool) -> Value {
        if !sensitive {
            return self;
        }
        match self {
            Value::Sensitive(_) => self,
            other => Value::Sensitive(Box::new(other)),
        }
    }

    /// Removes a top-level sensitive mark, returning the inner value and whether it was marked.
    pub fn unmark(self) -> (Value, bool) {
        match self {
            Value::Sensitive(inner) => (inner.unmark().0, true),
            other => (other, false),
        }
    }

    /// The value without a top-level sensitive mark, by reference.
    pub fn unmarked(&self) -> &Value {
        match self {
            Value::Sensitive(inner) => inner.unmarked(),
            other => other,
        }
    }

    /// Removes every sensitive mark, returning the plain value and whether any mark was found.
    pub fn unmark_deep(self) -> (Value, bool) {
        match self {
            Value::Sensitive(inner) => (inner.unmark_deep().0, true),
            Value::List(items) => {
                let (items, s) = unmark_all(items);
                (Value::List(items), s)
            }
            Value::Set(items) => {
                let (items, s) = unmark_all(items);
                (Value::Set(items), s)
            }
            Value::Map(map) => {
                let mut any = false;
                let map = map
                    .into_iter()
                    .map(|(k, v)| {
                        let (v, s) = v.unmark_deep();
                        any |= s;
                        (k, v)
                    })
                    .collect();
                (Value::Map(map), any)
            }
            other => (other, false),
        }
    }

    /// True if the value or anything inside it is sensitive.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(items) | Value::Set(items) => items.iter().any(Value::contains_sensitive),
            Value::Map(map) => map.values().any(Value::contains_sensitive),
            _ => false,
        }
    }

    /// True unless the value itself (not its elements) is unknown.
    pub fn is_known(&self) -> bool {
        !matches!(self.unmarked(), Value::Unknown)
    }

    /// True if neither the value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self.unmarked() {
            Value::Unknown => false,
            Value::List(items) | Value::Set(items) => items.iter().all(Value::is_wholly_known),
            Value::Map(map) => map.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.unmarked(), Value::Null)
    }

    /// A short name of the value's type, for error messages ("string", "list", "object"...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "tuple",
            Value::Set(_) => "set",
            Value::Map(_) => "object",
            Value::Unknown => "unknown",
            Value::Sensitive(inner) => inner.type_name(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.unmarked() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.unmarked() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self.unmarked() {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Elements of a list, tuple or set.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self.unmarked() {
            Value::List(items) | Value::Set(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unmarked() {
            Value::Map(map) => Some(map),
            _ => None,
        }
    }

    /// Terraform's `==`: structural equality where a number never equals a string.
    /// Sensitive marks are ignored; callers propagate them.
    pub fn equals(&self, other: &Value) -> bool {
        match (self.unmarked(), other.unmarked()) {
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Set(a), Value::Set(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equals(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && va.equals(vb))
            }
            (a, b) => a == b,
        }
    }

    /// Terraform's `==` where parts may be unknown: `None` when the answer depends on an unknown
    /// part. As in cty, null equals only null, even compared with a value that has unknown parts
    /// (an object built from unknown attributes is itself known, and not null); in lists and
    /// objects a difference of length or keys decides, then elements in order until one is
    /// unknown or differs. A set with unknown elements compares as unknown.
    pub fn equals_partial(&self, other: &Value) -> Option<bool> {
        let elementwise = |pairs: &mut dyn Iterator<Item = (&Value, &Value)>| {
            for (x, y) in pairs {
                if !x.equals_partial(y)? {
                    return Some(false);
                }
            }
            Some(true)
        };
        match (self.unmarked(), other.unmarked()) {
            (Value::Unknown, _) | (_, Value::Unknown) => None,
            (Value::Null, b) => Some(matches!(b, Value::Null)),
            (_, Value::Null) => Some(false),
            (Value::List(a), Value::List(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                elementwise(&mut a.iter().zip(b))
            }
            (Value::Map(a), Value::Map(b)) => {
                if a.len() != b.len() || a.keys().zip(b.keys()).any(|(ka, kb)| ka != kb) {
                    return Some(false);
                }
                elementwise(&mut a.values().zip(b.values()))
            }
            (a, b) if a.is_wholly_known() && b.is_wholly_known() => Some(a.equals(b)),
            _ => None,
        }
    }

    /// Converts a primitive to its string form as Terraform does when a string is expected
    /// (`5` → `"5"`, `true` → `"true"`). Returns `None` for null, collections and unknown.
    pub fn to_template_string(&self) -> Option<String> {
        match self.unmarked() {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(format_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// JSON form of a wholly known value (sensitive marks removed); `None` if any part is unknown.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self.unmarked() {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) | Value::Set(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(Value::to_json)
                    .collect::<Option<Vec<_>>>()?,
            ),
            Value::Map(map) => {
                let mut obj = serde_json::Map::new();
                for (k, v) in map {
                    obj.insert(k.clone(), v.to_json()?);
                }
                serde_json::Value::Object(obj)
            }
            Value::Unknown => return None,
            Value::Sensitive(_) => unreachable!("unmarked above"),
        })
    }

    /// The value of a JSON document (arrays become tuples, objects become objects).
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => {
                Value::List(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(obj) => Value::Map(
                obj.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// The places of every sensitive mark inside `v`, as JSON paths (`["triggers", "password"]`,
/// `["ingress", 0, "cidr_blocks"]`) as Terraform records them in `sensitive_attributes`; a
/// wholly sensitive value is the empty path. For the state, which keeps values as plain JSON.
pub fn sensitive_paths(v: &Value) -> Vec<serde_json::Value> {
    fn walk(v: &Value, path: &mut Vec<serde_json::Value>, out: &mut Vec<serde_json::Value>) {
        match v {
            Value::Sensitive(_) => out.push(serde_json::Value::Array(path.clone())),
            Value::List(items) | Value::Set(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(serde_json::Value::from(i));
                    walk(item, path, out);
                    path.pop();
                }
            }
            Value::Map(m) => {
                for (k, item) in m {
                    path.push(serde_json::Value::String(k.clone()));
                    walk(item, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// `v` with the places `paths` (from [`sensitive_paths`]) marked sensitive again. Paths that
/// lead nowhere are ignored; a path into a set marks the whole set (set elements have no
/// stable index).
pub fn mark_paths(v: Value, paths: &[serde_json::Value]) -> Value {
    fn mark(v: Value, path: &[serde_json::Value]) -> Value {
        let Some((first, rest)) = path.split_first() else {
            return v.mark_sensitive(true);
        };
        let (v, sensitive) = v.unmark();
        let out = match (v, first) {
            (Value::Map(mut m), serde_json::Value::String(k)) => {
                if let Some(item) = m.remove(k) {
                    m.insert(k.clone(), mark(item, rest));
                }
                Value::Map(m)
            }
            (Value::List(mut items), serde_json::Value::Number(n)) => {
                if let Some(i) = n.as_u64().map(|i| i as usize).filter(|&i| i < items.len()) {
                    let item = std::mem::replace(&mut items[i], Value::Null);
                    items[i] = mark(item, rest);
                }
                Value::List(items)
            }
            (set @ Value::Set(_), _) => set.mark_sensitive(true),
            (other, _) => other,
        };
        out.mark_sensitive(sensitive)
    }
    paths.iter().fold(v, |v, p| match p.as_array() {
        Some(steps) => mark(v, steps),
        None => v,
    })
}

/// The texts (strings, numbers, bools, keys) inside the sensitive parts of `v`, for
/// [`mask_secrets`].
pub fn sensitive_texts(v: &Value) -> Vec<String> {
    fn walk(v: &Value, inside: bool, out: &mut Vec<String>) {
        match v {
            Value::Sensitive(inner) => walk(inner, true, out),
            Value::List(items) | Value::Set(items) => {
                items.iter().for_each(|i| walk(i, inside, out))
            }
            Value::Map(m) => m.iter().for_each(|(k, i)| {
                if inside {
                    out.push(k.clone());
                }
                walk(i, inside, out)
            }),
            other if inside => out.extend(other.to_template_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, false, &mut out);
    out
}

/// `message` with every secret replaced by "(sensitive value)". When a secret is too short
/// to replace without mangling the message (or hiding in its words), the whole message is
/// withheld instead.
pub fn mask_secrets(message: String, secrets: &[String]) -> String {
    let mut secrets: Vec<&String> = secrets.iter().filter(|s| !s.is_empty()).collect();
    if secrets.is_empty() {
        return message;
    }
    if secrets
        .iter()
        .any(|s| s.chars().count() < 4 && message.contains(s.as_str()))
    {
        return "the error message is withheld because it may include a sensitive value".into();
    }
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = message;
    for s in secrets {
        out = out.replace(s.as_str(), "(sensitive value)");
    }
    out
}

/// Terraform's conversion of a primitive to a number: numbers, and strings holding one.
pub fn to_number(v: &Value) -> Option<f64> {
    match v.unmarked() {
        Value::Number(n) => Some(*n),
        Value::String(s) => s.parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

/// Terraform's conversion of a primitive to a bool: bools, and the strings "true"/"false".
pub fn to_bool(v: &Value) -> Option<bool> {
    match v.unmarked() {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

fn unmark_all(items: Vec<Value>) -> (Vec<Value>, bool) {
    let mut any = false;
    let items = items
        .into_iter()
        .map(|v| {
            let (v, s) = v.unmark_deep();
            any |= s;
            v
        })
        .collect();
    (items, any)
}

/// Formats a number the way Terraform prints it: integers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e17 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::Number((n as i64).into())
    } else {
        serde_json::Number::from_f64(n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// The canonical order of set elements: by kind, then by value (strings lexically).
pub fn canonical_cmp(a: &Value, b: &Value) -> std::cmp::Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::List(_) => 4,
            Value::Set(_) => 5,
            Value::Map(_) => 6,
            Value::Unknown => 7,
            Value::Sensitive(inner) => rank(inner),
        }
    }
    let (a, b) = (a.unmarked(), b.unmarked());
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        // -0 and 0 are equal values, so they sort as equal; NaN still gets a place.
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(y).unwrap_or_else(|| x.total_cmp(y)),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            for (p, q) in x.iter().zip(y) {
                let o = canonical_cmp(p, q);
                if o.is_ne() {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Map(x), Value::Map(y)) => {
            for ((ka, va), (kb, vb)) in x.iter().zip(y) {
                let o = ka.cmp(kb).then_with(|| canonical_cmp(va, vb));
                if o.is_ne() {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Renders a value in HCL-like syntax for messages and `graph` labels. Sensitive parts are
/// masked, unknown parts shown as `(known after apply)`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&format_number(*n)),
            Value::String(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
            Value::List(items) | Value::Set(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                f.write_str("}")
            }
            Value::Unknown => f.write_str("(known after apply)"),
            Value::Sensitive(_) => f.write_str("(sensitive value)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_paths_round_trip() {
        let v = Value::map([
            ("a", Value::string("x").mark_sensitive(true)),
            (
                "b",
                Value::List(vec![
                    Value::Null,
                    Value::map([("c", Value::string("y").mark_sensitive(true))]),
                ]),
            ),
            ("d", Value::string("plain")),
        ]);
        let paths = sensitive_paths(&v);
        assert_eq!(
            serde_json::Value::Array(paths.clone()),
            serde_json::json!([["a"], ["b", 1, "c"]])
        );
        let (plain, _) = v.clone().unmark_deep();
        assert_eq!(mark_paths(plain, &paths), v);
        // Paths that lead nowhere change nothing.
        let w = Value::map([("d", Value::string("plain"))]);
        assert_eq!(mark_paths(w.clone(), &paths), w);
        assert_eq!(
            sensitive_paths(&Value::string("s").mark_sensitive(true)),
            vec![serde_json::json!([])]
        );
    }

    #[test]
    fn set_removes_duplicates_and_sorts() {
        let s = Value::set(vec![
            Value::string("b"),
            Value::string("a"),
            Value::string("b"),
        ]);
        assert_eq!(s, Value::Set(vec![Value::string("a"), Value::string("b")]));
    }

    #[test]
    fn unmark_deep_finds_nested_marks() {
        let v = Value::List(vec![
            Value::string("a"),
            Value::string("secret").mark_sensitive(true),
        ]);
        assert!(v.contains_sensitive());
        let (plain, marked) = v.unmark_deep();
        assert!(marked);
        assert!(!plain.contains_sensitive());
    }

    #[test]
    fn known_vs_wholly_known() {
        let v = Value::List(vec![Value::Unknown]);
        assert!(v.is_known());
        assert!(!v.is_wholly_known());
        assert!(!Value::Unknown.mark_sensitive(true).is_known());
    }

    #[test]
    fn numbers_never_equal_strings() {
        assert!(!Value::number(1).equals(&Value::string("1")));
        assert!(Value::number(1).equals(&Value::number(1.0)));
    }

    #[test]
    fn equality_with_unknown_parts_is_decided_where_cty_decides_it() {
        let obj = |v: Value| Value::map([("arn", v)]);
        // An object built from an unknown attribute is known and not null.
        assert_eq!(
            obj(Value::Unknown).equals_partial(&Value::Null),
            Some(false)
        );
        assert_eq!(
            Value::Null.equals_partial(&obj(Value::Unknown)),
            Some(false)
        );
        assert_eq!(Value::Null.equals_partial(&Value::Null), Some(true));
        // An unknown may be null: no answer.
        assert_eq!(Value::Unknown.equals_partial(&Value::Null), None);
        assert_eq!(
            obj(Value::Unknown).equals_partial(&obj(Value::string("a"))),
            None
        );
        // Different keys or lengths decide before the unknown parts.
        assert_eq!(
            obj(Value::Unknown).equals_partial(&Value::map([("id", Value::Unknown)])),
            Some(false)
        );
        let list = |items: Vec<Value>| Value::List(items);
        assert_eq!(
            list(vec![Value::Unknown]).equals_partial(&list(vec![Value::Unknown, Value::Null])),
            Some(false)
        );
        // In order: a difference before the first unknown element decides.
        assert_eq!(
            list(vec![Value::number(1), Value::Unknown])
                .equals_partial(&list(vec![Value::number(2), Value::number(3)])),
            Some(false)
        );
        assert_eq!(
            list(vec![Value::Unknown, Value::number(1)])
                .equals_partial(&list(vec![Value::number(2), Value::number(3)])),
            None
        );
        assert_eq!(
            Value::Set(vec![Value::Unknown]).equals_partial(&Value::Set(vec![Value::number(1)])),
            None
        );
        assert_eq!(
            obj(Value::string("a")).equals_partial(&obj(Value::string("a"))),
            Some(true)
        );
    }

    #[test]
    fn display_masks_sensitive_and_unknown() {
        let v = Value::map([
            ("a", Value::string("x")),
            ("b", Value::string("pw").mark_sensitive(true)),
            ("c", Value::Unknown),
        ]);
        assert_eq!(
            v.to_string(),
            r#"{a = "x", b = (sensitive value), c = (known after apply)}"#
        );
    }

    #[test]
    fn json_round_trip_keeps_integers_integral() {
        let v = Value::from_json(&serde_json::json!({"a": [1, 2.5, "x", null, true]}));
        assert_eq!(
            v.to_json().unwrap().to_string(),
            r#"{"a":[1,2.5,"x",null,true]}"#
        );
        assert!(Value::List(vec![Value::Unknown]).to_json().is_none());
    }
}
