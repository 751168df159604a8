//! The YAML reader behind `yamldecode`, with Terraform's (go-cty-yaml's) rules: one document;
//! mappings become objects and sequences tuples; plain scalars are typed by YAML 1.1's
//! implicit rules (`yes`/`no`/`on`/`off` are booleans, `~` is null, `0x1F` and `0o17` are
//! numbers, `2001-12-14` is a timestamp, written back in RFC 3339); quoted scalars are strings;
//! the core tags (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!timestamp`, `!!binary`,
//! `!!seq`, `!!map`) are honoured and others refused; anchors, aliases and `<<` merge keys
//! work. The syntax itself is read by `saphyr-parser`, whose messages differ from libyaml's.
//! Private to `functions`.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use chrono::{FixedOffset, NaiveDate, TimeZone};
use regex::Regex;
use saphyr_parser::{Event, Parser, ScalarStyle, Span, StrInput};

use crate::lang::limits::{self, MAX_EXPRESSION_BYTES, MAX_VALUE_DEPTH};
use crate::lang::value::{format_number, Value};

const CORE: &str = "tag:yaml.org,2002:";

/// The YAML 1.2 integer and float patterns go-cty-yaml resolves plain scalars with.
fn integer_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\A([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\z").unwrap())
}

fn float_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\A[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z").unwrap()
    })
}

/// Plain scalars with a fixed meaning (YAML 1.1 booleans, nulls and infinities).
fn fixed(src: &str) -> Option<Value> {
    Some(match src {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Value::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Number(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::Number(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// A decimal number (cty's `ParseNumberVal`); words like `inf` are not numbers here.
fn decimal(src: &str) -> Option<f64> {
    if !src
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    src.parse().ok()
}

/// Go's `strconv.ParseInt(s, 0, 64)` (then `ParseUint`): a sign, then decimal, `0x`, `0o`,
/// `0b` or a leading-zero octal.
fn go_integer(src: &str) -> Option<f64> {
    let (negative, body) = match src.as_bytes().first() {
        Some(b'-') => (true, &src[1..]),
        Some(b'+') => (false, &src[1..]),
        _ => (false, src),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    let n = u64::from_str_radix(digits, radix).ok()?;
    if negative && n > 1 << 63 {
        return None;
    }
    Some(if negative { -(n as f64) } else { n as f64 })
}

/// go-cty-yaml's timestamp forms: `2006-1-2T15:4:5.999999999Z07:00` (also with `t`), the same
/// with a space and no zone (UTC), or a date alone (midnight UTC). Written in RFC 3339.
fn timestamp(src: &str) -> Option<String> {
    let b = src.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    // Splits off one or two digits.
    fn num(s: &str) -> Option<(u32, &str)> {
        let n = s.bytes().take(2).take_while(u8::is_ascii_digit).count();
        (n > 0).then(|| (s[..n].parse().unwrap(), &s[n..]))
    }
    let year: i32 = src[..4].parse().ok()?;
    let (month, rest) = num(&src[5..])?;
    let rest = rest.strip_prefix('-')?;
    let (day, rest) = num(rest)?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    if rest.is_empty() {
        let t = FixedOffset::east_opt(0)?.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?);
        return Some(super::datetime::rfc3339(&t));
    }
    let (zoned, rest) = match rest.as_bytes()[0] {
        b'T' | b't' => (true, &rest[1..]),
        b' ' => (false, &rest[1..]),
        _ => return None,
    };
    let (hour, rest) = num(rest)?;
    let (minute, rest) = num(rest.strip_prefix(':')?)?;
    let (second, mut rest) = num(rest.strip_prefix(':')?)?;
    let mut nanos = 0;
    if rest.len() >= 2
        && matches!(rest.as_bytes()[0], b'.' | b',')
        && rest.as_bytes()[1].is_ascii_digit()
    {
        let n = 1 + rest[1..].bytes().take_while(u8::is_ascii_digit).count();
        let digits = &rest[1..n.min(10)];
        nanos = digits.parse::<u32>().ok()? * 10u32.pow(9 - digits.len() as u32);
        rest = &rest[n..];
    }
    let offset = if !zoned {
        0
    } else if rest == "Z" {
        rest = "";
        0
    } else {
        let z = rest.as_bytes();
        if z.len() != 6 || z[3] != b':' || !matches!(z[0], b'+' | b'-') {
            return None;
        }
        let (h, m): (i32, i32) = (rest[1..3].parse().ok()?, rest[4..6].parse().ok()?);
        if h > 24 || m > 60 {
            return None;
        }
        rest = "";
        (h * 60 + m) * 60 * if z[0] == b'-' { -1 } else { 1 }
    };
    if !rest.is_empty() || hour >= 24 || minute >= 60 || second >= 60 {
        return None;
    }
    let local = date.and_hms_nano_opt(hour, minute, second, nanos)?;
    let t = FixedOffset::east_opt(offset)?
        .from_local_datetime(&local)
        .single()?;
    Some(super::datetime::rfc3339(&t))
}

/// go-cty-yaml's `resolveScalar`: the value of a scalar with an optional (long) tag.
fn resolve(tag: &str, src: &str, style: ScalarStyle) -> Result<Value, String> {
    let core = |name: &str| format!("{CORE}{name}");
    let resolvable = tag.is_empty()
        || ["str", "bool", "int", "float", "null", "timestamp", "binary"]
            .iter()
            .any(|n| tag == core(n));
    if !resolvable {
        return Err(format!("unsupported tag {tag:?}"));
    }
    let mut tag = tag.to_string();
    let hint = match src.as_bytes().first() {
        None => Some('N'),
        Some(b'+' | b'-') => Some('S'),
        Some(b'0'..=b'9') => Some('D'),
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => {
            Some('M')
        }
        Some(b'.') => Some('.'),
        _ => None,
    };
    if let Some(hint) = hint.filter(|_| tag != core("str") && tag != core("binary")) {
        if matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) {
            return Ok(Value::string(src));
        }
        if let Some(v) = fixed(src) {
            return Ok(v);
        }
        if tag.is_empty() && matches!(src, ".nan" | ".NaN" | ".NAN") {
            return Err("floating point NaN is not supported".into());
        }
        match hint {
            '.' => {
                if let Some(n) = decimal(src) {
                    return Ok(Value::Number(n));
                }
            }
            'D' | 'S' => {
                if tag.is_empty() || tag == core("timestamp") {
                    if let Some(t) = timestamp(src) {
                        return Ok(Value::String(t));
                    }
                }
                if integer_pattern().is_match(src) {
                    tag = core("int");
                } else if float_pattern().is_match(src) {
                    tag = core("float");
                }
            }
            _ => {}
        }
    }
    let cannot = |tag: &str| format!("cannot parse {src:?} as {tag}");
    match tag.strip_prefix(CORE).unwrap_or(&tag) {
        "" => Ok(Value::string(src)),
        "str" => Ok(Value::string(src)),
        "binary" => match super::encoding::decode_base64(src) {
            Ok(_) => Ok(Value::string(src)),
            Err(_) => Err(format!("{}: not valid base64", cannot(&tag))),
        },
        "bool" => match fixed(src) {
            Some(v @ Value::Bool(_)) => Ok(v),
            _ => Err(cannot(&tag)),
        },
        "int" | "float" => {
            let plain = src.replace('_', "");
            decimal(&plain)
                .or_else(|| go_integer(&plain))
                .map(Value::Number)
                .ok_or_else(|| cannot(&tag))
        }
        "timestamp" => timestamp(src)
            .map(Value::String)
            .ok_or_else(|| cannot(&tag)),
        "null" => Ok(Value::Null),
        _ => Err(format!("unsupported tag {tag:?}")),
    }
}

/// Reads events one at a time, remembering anchored values.
struct Reader<'a> {
    parser: Parser<'a, StrInput<'a>>,
    anchors: BTreeMap<usize, Value>,
    pending: HashSet<usize>,
    /// What aliases have copied so far, against [`MAX_EXPRESSION_BYTES`].
    copied: usize,
}

/// An error at an event, positioned as go-cty-yaml positions it (libyaml's zero-based line,
/// and no position at all on the first line).
fn at(span: &Span, msg: impl std::fmt::Display) -> String {
    let line = span.start.line().saturating_sub(1);
    if line == 0 {
        msg.to_string()
    } else {
        format!("on line {line}, column {}: {msg}", span.start.col() + 1)
    }
}

fn tag_of(tag: &Option<std::borrow::Cow<'_, saphyr_parser::Tag>>) -> String {
    tag.as_ref()
        .map(|t| format!("{}{}", t.handle, t.suffix))
        .unwrap_or_default()
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), String> {
        match self.parser.next() {
            Some(Ok(e)) => Ok(e),
            Some(Err(e)) => Err(format!(
                "on line {}, column {}: {}",
                e.marker().line(),
                e.marker().col() + 1,
                e.info()
            )),
            None => Err("unexpected end of YAML input".into()),
        }
    }

    fn node(&mut self, depth: usize) -> Result<Value, String> {
        let (event, span) = self.next()?;
        self.node_from(event, span, depth)
    }

    fn anchored(&mut self, anchor: usize, v: Value) -> Value {
        if anchor != 0 {
            self.pending.remove(&anchor);
            self.anchors.insert(anchor, v.clone());
        }
        v
    }

    fn node_from(&mut self, event: Event<'a>, span: Span, depth: usize) -> Result<Value, String> {
        if depth > MAX_VALUE_DEPTH {
            return Err(at(
                &span,
                format!("values nest more than {MAX_VALUE_DEPTH} levels deep"),
            ));
        }
        match event {
            Event::Scalar(src, style, anchor, tag) => {
                let v = resolve(&tag_of(&tag), &src, style).map_err(|e| at(&span, e))?;
                Ok(self.anchored(anchor, v))
            }
            Event::Alias(id) => {
                if self.pending.contains(&id) {
                    return Err(at(
                        &span,
                        "cannot refer to an anchor from inside its own definition",
                    ));
                }
                let v = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| at(&span, "reference to undefined anchor"))?;
                self.copied = self.copied.saturating_add(limits::measure(&v).bytes);
                if self.copied > MAX_EXPRESSION_BYTES {
                    return Err(at(
                        &span,
                        format!(
                            "aliases expand to more than {} MiB of values",
                            MAX_EXPRESSION_BYTES / (1024 * 1024)
                        ),
                    ));
                }
                Ok(v)
            }
            Event::SequenceStart(anchor, tag) => {
                let tag = tag_of(&tag);
                if !tag.is_empty() && tag != format!("{CORE}seq") {
                    return Err(at(&span, format!("can't interpret sequence as {tag}")));
                }
                if anchor != 0 {
                    self.pending.insert(anchor);
                }
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node_from(event, span, depth + 1)?);
                }
                Ok(self.anchored(anchor, Value::List(items)))
            }
            Event::MappingStart(anchor, tag) => {
                let tag = tag_of(&tag);
                if !tag.is_empty() && tag != format!("{CORE}map") {
                    return Err(at(&span, format!("can't interpret mapping as {tag}")));
                }
                if anchor != 0 {
                    self.pending.insert(anchor);
                }
                let map = self.mapping(depth)?;
                Ok(self.anchored(anchor, Value::Map(map)))
            }
            Event::DocumentStart(_) => Err(at(&span, "only a single document is allowed")),
            Event::StreamEnd => Err(at(&span, "expecting value but found end of stream")),
            Event::MappingEnd => Err(at(&span, "expecting value but found end of mapping")),
            Event::SequenceEnd => Err(at(&span, "expecting value but found end of sequence")),
            other => Err(at(&span, format!("unexpected parser event {other:?}"))),
        }
    }

    fn mapping(&mut self, depth: usize) -> Result<BTreeMap<String, Value>, String> {
        let mut map = BTreeMap::new();
        loop {
            let (event, span) = self.next()?;
            let (src, style, key_tag) = match event {
                Event::MappingEnd => return Ok(map),
                Event::Scalar(src, style, _, tag) => (src, style, tag_of(&tag)),
                _ => return Err(at(&span, "only strings are allowed as mapping keys")),
            };
            let merge = (key_tag.is_empty() && src == "<<") || key_tag == format!("{CORE}merge");
            if merge {
                let merged = self.node(depth + 1)?;
                match &merged {
                    Value::Map(m) => map.extend(m.clone()),
                    Value::List(items) => {
                        for item in items {
                            let Value::Map(m) = item else {
                                return Err(at(
                                    &span,
                                    format!(
                                        "cannot merge {} (from sequence) into mapping",
                                        item.type_name()
                                    ),
                                ));
                            };
                            map.extend(m.clone());
                        }
                    }
                    other => {
                        return Err(at(
                            &span,
                            format!("cannot merge {} into mapping", other.type_name()),
                        ))
                    }
                }
                continue;
            }
            let key = match resolve(&key_tag, &src, style).map_err(|e| at(&span, e))? {
                Value::Null => return Err(at(&span, "mapping key cannot be null")),
                Value::String(s) => s,
                Value::Number(n) => format_number(n),
                Value::Bool(b) => b.to_string(),
                _ => return Err(at(&span, "only strings are allowed as mapping keys")),
            };
            let value = self.node(depth + 1)?;
            map.insert(key, value);
        }
    }
}

/// `yamldecode`: the value of a single-document YAML source. The error is a complete message.
pub(super) fn decode(src: &str) -> Result<Value, String> {
    let mut r = Reader {
        parser: Parser::new_from_str(src),
        anchors: BTreeMap::new(),
        pending: HashSet::new(),
        copied: 0,
    };
    let (event, span) = r.next()?;
    if !matches!(event, Event::StreamStart) {
        return Err(at(&span, "missing stream start token"));
    }
    let (event, span) = r.next()?;
    match event {
        Event::DocumentStart(_) => {}
        // An empty stream is a null document.
        Event::StreamEnd => return Ok(Value::Null),
        _ => return Err(at(&span, "missing start of document")),
    }
    let value = r.node(0)?;
    let (event, span) = r.next()?;
    match event {
        Event::DocumentEnd => {}
        Event::DocumentStart(_) => return Err(at(&span, "only a single document is allowed")),
        other => {
            return Err(at(
                &span,
                format!("unexpected extra content ({other:?}) after value"),
            ))
        }
    }
    let (event, span) = r.next()?;
    if !matches!(event, Event::StreamEnd) {
        return Err(at(&span, "unexpected extra content after value"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::decode;
    use crate::lang::value::Value;

    fn y(src: &str) -> Value {
        decode(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
    }

    fn s(text: &str) -> Value {
        Value::string(text)
    }

    #[test]
    fn scalars_resolve_as_in_terraform() {
        assert_eq!(y("hello"), s("hello"));
        assert_eq!(y("\"True\""), s("True"));
        assert_eq!(y("'null'"), s("null"));
        assert_eq!(y("yes"), Value::Bool(true));
        assert_eq!(y("Off"), Value::Bool(false));
        assert_eq!(y("~"), Value::Null);
        assert_eq!(y(""), Value::Null);
        assert_eq!(y("---"), Value::Null);
        assert_eq!(y("---\ntrue"), Value::Bool(true));
        assert_eq!(y("42"), Value::Number(42.0));
        assert_eq!(y("-1.5e3"), Value::Number(-1500.0));
        assert_eq!(y(".5"), Value::Number(0.5));
        assert_eq!(y("0x1F"), Value::Number(31.0));
        assert_eq!(y("0o17"), Value::Number(15.0));
        assert_eq!(y("017"), Value::Number(17.0));
        assert_eq!(y("1_000"), s("1_000"));
        assert_eq!(y("+0x10"), s("+0x10"));
        assert_eq!(y(".inf"), Value::Number(f64::INFINITY));
        assert_eq!(y("-.inf"), Value::Number(f64::NEG_INFINITY));
        assert_eq!(y("1.2.3"), s("1.2.3"));
        assert_eq!(y("- 1"), Value::List(vec![Value::Number(1.0)]));
        assert_eq!(y("2001-12-14"), s("2001-12-14T00:00:00Z"));
        assert_eq!(
            y("2001-12-14t21:59:43.10-05:00"),
            s("2001-12-14T21:59:43-05:00")
        );
        assert_eq!(y("2001-12-14 21:59:43.10"), s("2001-12-14T21:59:43Z"));
        assert_eq!(y("2001-2-3T4:5:6Z"), s("2001-02-03T04:05:06Z"));
        assert_eq!(
            y("2001-12-14 21:59:43.10 -5"),
            s("2001-12-14 21:59:43.10 -5")
        );
        assert_eq!(y("2001-13-14"), s("2001-13-14"));
        assert_eq!(y("|\n  text\n"), s("text\n"));
    }

    #[test]
    fn tags_are_honoured() {
        assert_eq!(y("!!str 123"), s("123"));
        assert_eq!(y("!!int \"12\""), s("12"));
        assert_eq!(y("!!float 1"), Value::Number(1.0));
        assert_eq!(y("!!int 1_000"), Value::Number(1000.0));
        assert_eq!(y("!!bool yes"), Value::Bool(true));
        assert_eq!(y("!!null foo"), Value::Null);
        assert_eq!(y("!!binary aGk="), s("aGk="));
        assert_eq!(y("!!seq [a]"), Value::List(vec![s("a")]));
        assert_eq!(
            decode("!!bool maybe").unwrap_err(),
            "cannot parse \"maybe\" as tag:yaml.org,2002:bool"
        );
        assert_eq!(
            decode("!!binary abc").unwrap_err(),
            "cannot parse \"abc\" as tag:yaml.org,2002:binary: not valid base64"
        );
        assert_eq!(decode("!foo bar").unwrap_err(), "unsupported tag \"!foo\"");
        assert_eq!(
            decode("!!map [a]").unwrap_err(),
            "can't interpret sequence as tag:yaml.org,2002:map"
        );
        assert_eq!(
            decode(".nan").unwrap_err(),
            "floating point NaN is not supported"
        );
    }

    #[test]
    fn collections_anchors_and_merges() {
        assert_eq!(
            y("a: 1\nb: [x, 2]\nc:\n  d: null\n"),
            Value::map([
                ("a", Value::Number(1.0)),
                ("b", Value::List(vec![s("x"), Value::Number(2.0)])),
                ("c", Value::map([("d", Value::Null)])),
            ])
        );
        assert_eq!(
            y("1: a\ntrue: b\n"),
            Value::map([("1", s("a")), ("true", s("b"))])
        );
        assert_eq!(y("a: 1\na: 2"), Value::map([("a", Value::Number(2.0))]));
        // YAML 1.1: a plain `y` is a boolean, even as a key.
        assert_eq!(y("y: 1"), Value::map([("true", Value::Number(1.0))]));
        let doc =
            "base: &b {x: 1, w: 2}\nmore: &m {z: 3}\nuse:\n  <<: [*b, *m]\n  w: 9\nsame: *b\n";
        let v = y(doc);
        let m = v.as_map().unwrap();
        assert_eq!(
            m["use"],
            Value::map([
                ("w", Value::Number(9.0)),
                ("x", Value::Number(1.0)),
                ("z", Value::Number(3.0)),
            ])
        );
        assert_eq!(m["same"], m["base"]);
        // A key after the merge overrides it; a merge after a key overrides that.
        assert_eq!(
            y("b: &b {x: 1}\nc:\n  x: 0\n  <<: *b\n").as_map().unwrap()["c"],
            Value::map([("x", Value::Number(1.0))])
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            decode("---\ntrue\n---\nfalse").unwrap_err(),
            "on line 2, column 1: unexpected extra content after value"
        );
        assert_eq!(
            decode("a: &x [*x]").unwrap_err(),
            "cannot refer to an anchor from inside its own definition"
        );
        assert_eq!(
            decode("? [a]\n: b").unwrap_err(),
            "only strings are allowed as mapping keys"
        );
        assert_eq!(
            decode("x: 1\n~: b").unwrap_err(),
            "on line 1, column 1: mapping key cannot be null"
        );
        assert_eq!(
            decode("a:\n  <<: 1").unwrap_err(),
            "on line 1, column 3: cannot merge number into mapping"
        );
        let syntax = decode("a: [b").unwrap_err();
        assert!(syntax.starts_with("on line "), "{syntax}");
        assert!(decode("*nope").is_err());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(decode(&deep).unwrap_err().contains("nest more than"));
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            bomb.push_str(&format!(
                "b{i}: &b{i} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
                p = if i == 0 {
                    "a".into()
                } else {
                    format!("b{}", i - 1)
                }
            ));
        }
        assert!(decode(&bomb).unwrap_err().contains("aliases expand"));
    }
}
