//! Encoding functions: `jsonencode jsondecode yamlencode base64encode base64decode`.
//! Also owns [`json_encode`], the JSON form Terraform prints (compact, keys sorted, `<>&`
//! escaped as Go's `encoding/json` does), which `format`'s `%#v`/`%q` reuse.

use base64::Engine as _;

use super::args::string;
use super::{FuncContext, FuncError, FuncResult, Function};
use crate::lang::value::{format_number, Value};

pub const FUNCTIONS: &[Function] = &[
    Function::new("jsonencode", 1, Some(1), jsonencode),
    Function::new("jsondecode", 1, Some(1), jsondecode),
    Function::new("yamlencode", 1, Some(1), yamlencode),
    Function::new("base64encode", 1, Some(1), base64encode),
    Function::new("base64decode", 1, Some(1), base64decode),
];

/// Compact JSON of a wholly known value, escaped like Go's `json.Marshal`; `None` if unknown.
pub fn json_encode(v: &Value) -> Option<String> {
    let json = v.to_json()?;
    let text = serde_json::to_string(&json).ok()?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            other => out.push(other),
        }
    }
    Some(out)
}

fn jsonencode(args: &[Value], _: &FuncContext) -> FuncResult {
    // Null is a valid argument here: it encodes as `null`.
    json_encode(&args[0])
        .map(Value::String)
        .ok_or_else(|| FuncError::arg(0, "value must be wholly known to encode it as JSON"))
}

fn jsondecode(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| FuncError::call(e.to_string()))?;
    Ok(Value::from_json(&json))
}

fn yamlencode(args: &[Value], _: &FuncContext) -> FuncResult {
    let v = &args[0];
    let mut out = String::new();
    yaml_node(v, 0, &mut out);
    // Go's YAML emitter ends a document holding a bare non-string scalar with `...`.
    if matches!(v, Value::Null | Value::Bool(_) | Value::Number(_)) {
        out.push_str("...\n");
    }
    Ok(Value::String(out))
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::List(items) | Value::Set(items) => !items.is_empty(),
        Value::Map(map) => !map.is_empty(),
        _ => false,
    }
}

/// Writes `v` as block YAML. The cursor is already where the node starts; continuation lines
/// are indented by `indent` spaces. Every line written ends with a newline.
fn yaml_node(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::List(items) | Value::Set(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(&pad);
                }
                out.push_str("- ");
                let child = if is_block(item) { indent + 2 } else { indent };
                yaml_node(item, child, out);
            }
        }
        Value::Map(map) if !map.is_empty() => {
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(&pad);
                }
                out.push_str(&yaml_quoted(key));
                out.push(':');
                match item {
                    Value::Map(_) if is_block(item) => {
                        out.push('\n');
                        out.push_str(&" ".repeat(indent + 2));
                        yaml_node(item, indent + 2, out);
                    }
                    // Sequences under a key are not indented (Go yaml style).
                    Value::List(_) | Value::Set(_) if is_block(item) => {
                        out.push('\n');
                        out.push_str(&pad);
                        yaml_node(item, indent, out);
                    }
                    _ => {
                        out.push(' ');
                        yaml_node(item, indent, out);
                    }
                }
            }
        }
        scalar => {
            out.push_str(&yaml_scalar(scalar, indent));
            out.push('\n');
        }
    }
}

/// A scalar (or empty collection); multi-line strings use literal block style.
fn yaml_scalar(v: &Value, indent: usize) -> String {
    match v {
        Value::Null | Value::Unknown => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s) if literal_allowed(s) => yaml_literal(s, indent + 2),
        Value::String(s) => yaml_quoted(s),
        Value::List(_) | Value::Set(_) => "[]".into(),
        Value::Map(_) => "{}".into(),
        Value::Sensitive(inner) => yaml_scalar(inner, indent),
    }
}

/// Whether libyaml would emit `s` as a literal block: it has a line break and nothing a block
/// scalar cannot carry (non-printable characters, trailing spaces, a space before a break).
fn literal_allowed(s: &str) -> bool {
    s.contains('\n')
        && !s.ends_with(' ')
        && !s.contains(" \n")
        && s.chars().all(|c| c == '\n' || !needs_escape(c))
}

fn yaml_literal(s: &str, indent: usize) -> String {
    let mut header = String::from("|");
    if s.starts_with(' ') || s.starts_with('\n') {
        header.push('2');
    }
    if !s.ends_with('\n') {
        header.push('-');
    } else if s == "\n" || s.ends_with("\n\n") {
        header.push('+');
    }
    let pad = " ".repeat(indent);
    let body = s.strip_suffix('\n').unwrap_or(s);
    let mut out = header;
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    let printable = matches!(c, '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && c != '\u{feff}';
    !printable || matches!(c, '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// A double-quoted YAML scalar with libyaml's escapes.
fn yaml_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        let short = match c {
            '\0' => "\\0",
            '\u{7}' => "\\a",
            '\u{8}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{b}' => "\\v",
            '\u{c}' => "\\f",
            '\r' => "\\r",
            '\u{1b}' => "\\e",
            '"' => "\\\"",
            '\\' => "\\\\",
            '\u{85}' => "\\N",
            '\u{2028}' => "\\L",
            '\u{2029}' => "\\P",
            _ => "",
        };
        if !short.is_empty() {
            out.push_str(short);
        } else if (c as u32) <= 0xff {
            out.push_str(&format!("\\x{:02X}", c as u32));
        } else if (c as u32) <= 0xffff {
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push_str(&format!("\\U{:08X}", c as u32));
        }
    }
    out.push('"');
    out
}

fn base64encode(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
    ))
}

fn base64decode(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    // Go's decoder skips line breaks in the input.
    let compact: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| FuncError::call(format!("failed to decode base64 data {text:?}")))?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        FuncError::call("the result of decoding the provided string is not valid UTF-8")
    })
}

#[cfg(test)]
mod tests {
    use super::super::args::testing::{err, n, nums, ok, run, s, strs};
    use crate::lang::value::Value;

    fn yaml(v: Value) -> String {
        ok("yamlencode", vec![v]).as_str().unwrap().to_string()
    }

    #[test]
    fn jsonencode_is_compact_sorted_and_html_escaped() {
        let v = Value::map([
            (
                "b",
                Value::List(vec![n(1.0), n(2.5), Value::Bool(true), Value::Null]),
            ),
            ("a", s("<x & y>")),
        ]);
        assert_eq!(
            ok("jsonencode", vec![v]),
            s(r#"{"a":"\u003cx \u0026 y\u003e","b":[1,2.5,true,null]}"#)
        );
        assert_eq!(ok("jsonencode", vec![Value::Null]), s("null"));
        assert_eq!(ok("jsonencode", vec![s("line\n")]), s(r#""line\n""#));
        assert_eq!(
            ok("jsonencode", vec![Value::set(vec![s("b"), s("a")])]),
            s(r#"["a","b"]"#)
        );
        assert_eq!(
            run("jsonencode", vec![Value::List(vec![Value::Unknown])]).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn jsondecode_parses_and_rejects_invalid() {
        assert_eq!(
            ok("jsondecode", vec![s(r#"{"a":[1,"x",null],"b":true}"#)]),
            Value::map([
                ("a", Value::List(vec![n(1.0), s("x"), Value::Null])),
                ("b", Value::Bool(true)),
            ])
        );
        assert_eq!(ok("jsondecode", vec![s("\"hi\"")]), s("hi"));
        assert!(!err("jsondecode", vec![s("{bad")]).is_empty());
        assert!(!err("jsondecode", vec![s("")]).is_empty());
    }

    #[test]
    fn yamlencode_matches_terraform_docs() {
        let v = Value::map([("a", s("b")), ("c", s("d"))]);
        assert_eq!(yaml(v), "\"a\": \"b\"\n\"c\": \"d\"\n");
        let v = Value::map([("foo", nums(&[1.0, 2.0, 3.0])), ("bar", s("baz"))]);
        assert_eq!(yaml(v), "\"bar\": \"baz\"\n\"foo\":\n- 1\n- 2\n- 3\n");
        let inner = Value::map([("a", s("b")), ("c", s("d"))]);
        let v = Value::map([
            ("foo", Value::List(vec![n(1.0), inner, n(3.0)])),
            ("bar", s("baz")),
        ]);
        assert_eq!(
            yaml(v),
            "\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n"
        );
    }

    #[test]
    fn yamlencode_nesting_scalars_and_strings() {
        let v = Value::map([(
            "a",
            Value::map([("b", Value::map([("c", Value::Bool(true))]))]),
        )]);
        assert_eq!(yaml(v), "\"a\":\n  \"b\":\n    \"c\": true\n");
        let v = Value::List(vec![
            strs(&["x", "y"]),
            Value::List(vec![]),
            Value::Map(Default::default()),
        ]);
        assert_eq!(yaml(v), "- - \"x\"\n  - \"y\"\n- []\n- {}\n");
        assert_eq!(yaml(s("hello")), "\"hello\"\n");
        assert_eq!(yaml(n(1.5)), "1.5\n...\n");
        assert_eq!(yaml(Value::Null), "null\n...\n");
        assert_eq!(
            yaml(s("tab\there \"q\" \\")),
            "\"tab\\there \\\"q\\\" \\\\\"\n"
        );
        let v = Value::map([("script", s("line1\nline2\n"))]);
        assert_eq!(yaml(v), "\"script\": |\n  line1\n  line2\n");
        let v = Value::List(vec![s("a\n\nb")]);
        assert_eq!(yaml(v), "- |-\n  a\n\n  b\n");
        assert_eq!(yaml(s("trailing \nspace")), "\"trailing \\nspace\"\n");
    }

    #[test]
    fn base64_round_trip_and_errors() {
        assert_eq!(
            ok("base64encode", vec![s("Hello World")]),
            s("SGVsbG8gV29ybGQ=")
        );
        assert_eq!(ok("base64encode", vec![s("")]), s(""));
        assert_eq!(
            ok("base64decode", vec![s("SGVsbG8gV29ybGQ=")]),
            s("Hello World")
        );
        assert_eq!(
            ok("base64decode", vec![s("SGVsbG8g\nV29ybGQ=")]),
            s("Hello World")
        );
        assert_eq!(
            err("base64decode", vec![s("abc")]),
            "failed to decode base64 data \"abc\""
        );
        assert_eq!(
            err("base64decode", vec![s("/w==")]),
            "the result of decoding the provided string is not valid UTF-8"
        );
        assert!(err("base64encode", vec![Value::List(vec![])]).contains("string required"));
    }
}
