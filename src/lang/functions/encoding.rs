//! Encoding functions: `jsonencode jsondecode yamlencode yamldecode csvdecode base64encode
//! base64decode base64gzip textencodebase64 textdecodebase64 urlencode`.
//! Also owns [`json_encode`], the JSON form Terraform prints (compact, keys sorted, `<>&`
//! escaped as Go's `encoding/json` does), which `format`'s `%#v`/`%q` reuse. The CSV reader,
//! the YAML reader and the character sets live in `csv.rs`, `yaml.rs` and `charsets.rs`.

use std::io::Write as _;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use super::args::{invalid, string};
use super::charsets::{self, Charset};
use super::{FuncContext, FuncError, FuncResult, Function};
use crate::lang::value::{format_number, Value};

pub const FUNCTIONS: &[Function] = &[
    Function::new("jsonencode", 1, Some(1), jsonencode),
    Function::new("jsondecode", 1, Some(1), jsondecode),
    Function::new("yamlencode", 1, Some(1), yamlencode),
    Function::new("yamldecode", 1, Some(1), yamldecode),
    Function::new("csvdecode", 1, Some(1), csvdecode),
    Function::new("base64encode", 1, Some(1), base64encode),
    Function::new("base64decode", 1, Some(1), base64decode),
    Function::new("base64gzip", 1, Some(1), base64gzip),
    Function::new("textencodebase64", 2, Some(2), textencodebase64),
    Function::new("textdecodebase64", 2, Some(2), textdecodebase64),
    Function::new("urlencode", 1, Some(1), urlencode),
];

/// Go's `base64.StdEncoding`: padding required, but unused bits in the last symbol are not
/// checked (`"aGl="` decodes like `"aGk="`).
const GO_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// Decodes standard Base64 as Go does, skipping line breaks. The error is the offset in
/// `text` Go would report as corrupt: the bad symbol, or where the incomplete group starts.
pub(super) fn decode_base64(text: &str) -> Result<Vec<u8>, usize> {
    let kept: Vec<(usize, u8)> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| !matches!(b, b'\r' | b'\n'))
        .collect();
    let compact: Vec<u8> = kept.iter().map(|(_, b)| *b).collect();
    let original = |i: usize| kept.get(i).map_or(text.len(), |(o, _)| *o);
    GO_BASE64.decode(&compact).map_err(|e| match e {
        base64::DecodeError::InvalidByte(i, _) | base64::DecodeError::InvalidLastSymbol(i, _) => {
            original(i)
        }
        base64::DecodeError::InvalidLength(len) => original(len / 4 * 4),
        base64::DecodeError::InvalidPadding if !compact.len().is_multiple_of(4) => {
            original(compact.len() / 4 * 4)
        }
        base64::DecodeError::InvalidPadding => {
            original(compact.iter().position(|b| *b == b'=').unwrap_or(0))
        }
    })
}

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
    let bytes = decode_base64(&text)
        .map_err(|_| FuncError::call(format!("failed to decode base64 data {text:?}")))?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        FuncError::call("the result of decoding the provided string is not valid UTF-8")
    })
}

/// Gzip (no file name, no time, as Go's `gzip.Writer` writes) then Base64. The compressed
/// bytes are miniz_oxide's, not Go's `compress/flate`'s: they decompress to the same text but
/// are not byte for byte what Terraform produces.
fn base64gzip(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    let mut gz = flate2::GzBuilder::new()
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::default());
    let gzipped = gz
        .write_all(text.as_bytes())
        .and_then(|()| gz.try_finish())
        .map(|()| gz.get_ref().clone())
        .map_err(|e| FuncError::call(format!("failed to write gzip raw data: {e}")))?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(gzipped),
    ))
}

fn charset(args: &[Value]) -> Result<Charset, FuncError> {
    let name = string(args, 1, "encoding")?;
    Charset::lookup(&name).ok_or_else(|| {
        invalid(
            1,
            "encoding",
            format!(
                "{name:?} is not a supported IANA encoding name or alias in ecsform, which supports {}",
                charsets::SUPPORTED
            ),
        )
    })
}

fn textencodebase64(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "string")?;
    let charset = charset(args)?;
    let bytes = charset.encode(&text).ok_or_else(|| {
        invalid(
            0,
            "string",
            format!(
                "the given string contains characters that cannot be represented in {}",
                charset.name()
            ),
        )
    })?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}

fn textdecodebase64(args: &[Value], _: &FuncContext) -> FuncResult {
    let source = string(args, 0, "source")?;
    let charset = charset(args)?;
    let bytes = decode_base64(&source).map_err(|offset| {
        invalid(
            0,
            "source",
            format!("the given value has an invalid base64 symbol at offset {offset}"),
        )
    })?;
    charset.decode(&bytes).map(Value::String).ok_or_else(|| {
        invalid(
            0,
            "source",
            format!(
                "the given string contains symbols that are not defined for {}",
                charset.name()
            ),
        )
    })
}

/// Go's `url.QueryEscape`: letters, digits and `-_.~` stay, a space becomes `+`, and every
/// other byte of the UTF-8 text becomes `%XX`.
fn urlencode(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    Ok(Value::String(out))
}

fn yamldecode(args: &[Value], _: &FuncContext) -> FuncResult {
    let src = string(args, 0, "src")?;
    super::yaml::decode(&src).map_err(FuncError::call)
}

fn csvdecode(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    super::csv::decode(&text).map_err(FuncError::call)
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
    fn base64gzip_is_gzip_then_base64() {
        use base64::Engine as _;
        use std::io::Read as _;
        let text = "hello world\n".repeat(50);
        let out = ok("base64gzip", vec![s(&text)]);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(out.as_str().unwrap())
            .unwrap();
        // Go's header: deflate, no flags, no time, default level, "unknown" system.
        assert_eq!(bytes[..10], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
        let mut back = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        assert!(bytes.len() < text.len());
    }

    #[test]
    fn textencodebase64_uses_the_named_encoding() {
        // Terraform's documented examples.
        assert_eq!(
            ok("textencodebase64", vec![s("Hello World"), s("UTF-16LE")]),
            s("SABlAGwAbABvACAAVwBvAHIAbABkAA==")
        );
        assert_eq!(
            ok(
                "textdecodebase64",
                vec![s("SABlAGwAbABvACAAVwBvAHIAbABkAA=="), s("UTF-16LE")]
            ),
            s("Hello World")
        );
        assert_eq!(
            ok("textencodebase64", vec![s("é"), s("utf-8")]),
            ok("base64encode", vec![s("é")])
        );
        assert_eq!(
            ok("textencodebase64", vec![s("Hi"), s("UTF-16")]),
            s("/v8ASABp")
        );
        assert_eq!(
            err("textencodebase64", vec![s("€"), s("latin1")]),
            "Invalid value for \"string\" parameter: the given string contains characters that cannot be represented in ISO-8859-1."
        );
        assert_eq!(
            err("textencodebase64", vec![s("x"), s("EBCDIC-US")]),
            "Invalid value for \"encoding\" parameter: \"EBCDIC-US\" is not a supported IANA encoding name or alias in ecsform, which supports UTF-8, UTF-16, UTF-16LE, UTF-16BE, US-ASCII and ISO-8859-1."
        );
        assert_eq!(
            err("textdecodebase64", vec![s("gA=="), s("US-ASCII")]),
            "Invalid value for \"source\" parameter: the given string contains symbols that are not defined for US-ASCII."
        );
        assert_eq!(
            err("textdecodebase64", vec![s("SGV*bG8="), s("UTF-8")]),
            "Invalid value for \"source\" parameter: the given value has an invalid base64 symbol at offset 3."
        );
        assert!(err("textdecodebase64", vec![s("SGVsbG8"), s("UTF-8")]).contains("offset 4"));
        assert!(err("textdecodebase64", vec![s("x"), s("nope")]).contains("\"nope\""));
    }

    #[test]
    fn urlencode_is_go_query_escape() {
        assert_eq!(
            ok("urlencode", vec![s("Hello World!")]),
            s("Hello+World%21")
        );
        assert_eq!(ok("urlencode", vec![s("☃")]), s("%E2%98%83"));
        assert_eq!(
            ok("urlencode", vec![s("foo=bar&baz/q?-_.~")]),
            s("foo%3Dbar%26baz%2Fq%3F-_.~")
        );
        assert_eq!(ok("urlencode", vec![s("")]), s(""));
    }

    #[test]
    fn yamldecode_round_trips_yamlencode() {
        let v = Value::map([
            ("a", Value::List(vec![n(1.0), s("yes"), Value::Bool(true)])),
            ("b", Value::map([("c", s("line1\nline2\n"))])),
        ]);
        let text = ok("yamlencode", vec![v.clone()]);
        assert_eq!(ok("yamldecode", vec![text]), v);
        assert_eq!(
            err("yamldecode", vec![s("a: 1\n---\nb: 2")]),
            "on line 1, column 1: unexpected extra content after value"
        );
    }

    #[test]
    fn csvdecode_returns_a_list_of_objects() {
        assert_eq!(
            ok("csvdecode", vec![s("a,b,c\n1,2,3\n4,5,6")]),
            Value::List(vec![
                Value::map([("a", s("1")), ("b", s("2")), ("c", s("3"))]),
                Value::map([("a", s("4")), ("b", s("5")), ("c", s("6"))]),
            ])
        );
        assert_eq!(
            err("csvdecode", vec![s("a,b\n1")]),
            "CSV parse error on line 2: wrong number of fields"
        );
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
        // Go does not check the unused bits of the last symbol.
        assert_eq!(ok("base64decode", vec![s("aGl=")]), s("hi"));
        assert_eq!(
            err("base64decode", vec![s("/w==")]),
            "the result of decoding the provided string is not valid UTF-8"
        );
        assert!(err("base64encode", vec![Value::List(vec![])]).contains("string required"));
    }
}
