//! String functions: `join split format formatlist lower upper title trimspace trim trimprefix
//! trimsuffix chomp indent replace regex regexall substr strrev startswith endswith
//! strcontains`. Character counts and offsets are in grapheme clusters, as in Terraform;
//! regular expressions use RE2-style syntax.

use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

use super::args::{self, invalid, string, string_list};
use super::printf::sprintf;
use super::{FuncContext, FuncError, FuncResult, Function};
use crate::lang::limits;
use crate::lang::value::Value;

pub const FUNCTIONS: &[Function] = &[
    Function::new("join", 1, None, join),
    Function::new("split", 2, Some(2), split),
    Function::new("format", 1, None, format),
    // formatlist copes with unknown elements: only the affected results become unknown.
    Function {
        name: "formatlist",
        min_args: 1,
        max_args: None,
        nested_unknown: true,
        impure: false,
        imp: formatlist,
    },
    Function::new("lower", 1, Some(1), lower),
    Function::new("upper", 1, Some(1), upper),
    Function::new("title", 1, Some(1), title),
    Function::new("trimspace", 1, Some(1), trimspace),
    Function::new("trim", 2, Some(2), trim),
    Function::new("trimprefix", 2, Some(2), trimprefix),
    Function::new("trimsuffix", 2, Some(2), trimsuffix),
    Function::new("chomp", 1, Some(1), chomp),
    Function::new("indent", 2, Some(2), indent),
    Function::new("replace", 3, Some(3), replace),
    Function::new("regex", 2, Some(2), regex),
    Function::new("regexall", 2, Some(2), regexall),
    Function::new("substr", 3, Some(3), substr),
    Function::new("strrev", 1, Some(1), strrev),
    Function::new("startswith", 2, Some(2), startswith),
    Function::new("endswith", 2, Some(2), endswith),
    Function::new("strcontains", 2, Some(2), strcontains),
];

fn join(args: &[Value], _: &FuncContext) -> FuncResult {
    let sep = string(args, 0, "separator")?;
    if args.len() < 2 {
        return Err(FuncError::call("at least one list is required"));
    }
    let many = args.len() > 2;
    let mut parts = Vec::new();
    for i in 1..args.len() {
        for (j, item) in args::sequence(args, i, "lists")?.iter().enumerate() {
            if item.is_null() {
                let msg = if many {
                    format!("element {j} of list {i} is null; cannot concatenate null values")
                } else {
                    format!("element {j} is null; cannot concatenate null values")
                };
                return Err(invalid(i, "lists", msg));
            }
            let text = item
                .to_template_string()
                .ok_or_else(|| invalid(i, "lists", format!("element {j}: string required")))?;
            parts.push(text);
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

fn split(args: &[Value], _: &FuncContext) -> FuncResult {
    let sep = string(args, 0, "separator")?;
    let text = string(args, 1, "str")?;
    let parts: Vec<String> = if sep.is_empty() {
        text.chars().map(String::from).collect()
    } else {
        text.split(sep.as_str()).map(String::from).collect()
    };
    Ok(string_list(parts))
}

fn format(args: &[Value], _: &FuncContext) -> FuncResult {
    let spec = string(args, 0, "format")?;
    sprintf(&spec, &args[1..])
        .map(Value::String)
        .map_err(FuncError::call)
}

fn formatlist(args: &[Value], _: &FuncContext) -> FuncResult {
    let spec = string(args, 0, "format")?;
    let rest = &args[1..];
    // Unknown set elements may turn out equal to others, so the set's length is not known.
    if rest
        .iter()
        .any(|a| matches!(a, Value::Set(_)) && !a.is_wholly_known())
    {
        return Ok(Value::Unknown);
    }
    // The length every list argument must share, and the argument that set it.
    let mut len: Option<(usize, usize)> = None;
    for (i, arg) in rest.iter().enumerate() {
        let Some(items) = arg.as_list() else { continue };
        match len {
            None => len = Some((items.len(), i)),
            Some((l, first)) if l != items.len() => {
                return Err(FuncError::arg(
                    i + 1,
                    format!(
                        "argument {} has length {}, which is inconsistent with argument {} of length {l}",
                        i + 1,
                        items.len(),
                        first + 1
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    let count = len.map_or(1, |(l, _)| l);
    let mut out = Vec::with_capacity(count);
    for iteration in 0..count {
        let call_args: Vec<Value> = rest
            .iter()
            .map(|a| {
                a.as_list()
                    .map_or_else(|| a.clone(), |items| items[iteration].clone())
            })
            .collect();
        if !call_args.iter().all(Value::is_wholly_known) {
            out.push(Value::Unknown);
            continue;
        }
        let text = sprintf(&spec, &call_args)
            .map_err(|e| FuncError::call(format!("error on format iteration {iteration}: {e}")))?;
        out.push(Value::String(text));
    }
    Ok(Value::List(out))
}

/// Applies a per-character case mapping, keeping characters whose mapping is not a single
/// character (Go's `unicode.ToUpper` semantics: `ß` stays `ß`).
fn map_chars<I: Iterator<Item = char> + ExactSizeIterator>(
    text: &str,
    mapping: impl Fn(char) -> I,
) -> String {
    text.chars()
        .map(|c| {
            let mut mapped = mapping(c);
            if mapped.len() == 1 {
                mapped.next().unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

fn lower(args: &[Value], _: &FuncContext) -> FuncResult {
    Ok(Value::String(map_chars(
        &string(args, 0, "str")?,
        char::to_lowercase,
    )))
}

fn upper(args: &[Value], _: &FuncContext) -> FuncResult {
    Ok(Value::String(map_chars(
        &string(args, 0, "str")?,
        char::to_uppercase,
    )))
}

/// Go's `strings.Title` word boundary rule.
fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    !c.is_alphanumeric() && c.is_whitespace()
}

fn title(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    let mut prev = ' ';
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_separator(prev) {
            out.push_str(&map_chars(&c.to_string(), char::to_uppercase));
        } else {
            out.push(c);
        }
        prev = c;
    }
    Ok(Value::String(out))
}

fn trimspace(args: &[Value], _: &FuncContext) -> FuncResult {
    Ok(Value::string(string(args, 0, "str")?.trim()))
}

fn trim(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    let cutset = string(args, 1, "cutset")?;
    Ok(Value::string(text.trim_matches(|c| cutset.contains(c))))
}

fn trimprefix(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    let prefix = string(args, 1, "prefix")?;
    Ok(Value::string(
        text.strip_prefix(prefix.as_str()).unwrap_or(&text),
    ))
}

fn trimsuffix(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    let suffix = string(args, 1, "suffix")?;
    Ok(Value::string(
        text.strip_suffix(suffix.as_str()).unwrap_or(&text),
    ))
}

/// Removes every trailing newline (`\n`, `\r\n` or a lone `\r`), as Terraform's
/// `(?:\r\n?|\n)*\z` does; newlines elsewhere stay.
fn chomp(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    Ok(Value::string(text.trim_end_matches(['\r', '\n'])))
}

/// Adds `spaces` spaces after every newline: the first line is left alone, so the result can
/// follow an indented `${...}` in a heredoc.
fn indent(args: &[Value], _: &FuncContext) -> FuncResult {
    let spaces = args::integer(args, 0, "spaces")?;
    let text = string(args, 1, "str")?;
    if spaces < 0 {
        return Err(invalid(0, "spaces", "must not be negative"));
    }
    let lines = text.matches('\n').count();
    let len = text
        .len()
        .saturating_add(lines.saturating_mul(spaces as usize));
    limits::check_string_len(len).map_err(|e| FuncError::call(e.detail))?;
    let pad = format!("\n{}", " ".repeat(spaces as usize));
    Ok(Value::String(text.replace('\n', &pad)))
}

/// Compiles a pattern, turning the regex crate's multi-line report into a one-line reason.
fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| {
        let text = e.to_string();
        let reason = text
            .lines()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or(&text)
            .to_string();
        reason
    })
}

fn replace(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    let search = string(args, 1, "substr")?;
    let with = string(args, 2, "replace")?;
    let is_regex = search.len() > 1 && search.starts_with('/') && search.ends_with('/');
    let too_long = |e: limits::LimitError| FuncError::call(e.detail);
    if !is_regex {
        // Bound the result before building it: an empty search string matches everywhere.
        let matches = if search.is_empty() {
            text.chars().count() + 1
        } else {
            text.matches(search.as_str()).count()
        };
        let len = text
            .len()
            .saturating_add(matches.saturating_mul(with.len()));
        limits::check_string_len(len).map_err(too_long)?;
        return Ok(Value::String(text.replace(&search, &with)));
    }
    let re = compile(&search[1..search.len() - 1])
        .map_err(|e| invalid(1, "substr", format!("error parsing regexp: {e}")))?;
    // The regex crate's replacement syntax ($1, ${name}, $$) is Go's `Regexp.Expand` syntax.
    // Each replacement is at most the replacement text with every group expanded to the
    // whole input; bound that before building the result.
    let matches = re.find_iter(&text).count();
    let groups = with.matches('$').count().max(1);
    let per_match = with.len().saturating_add(groups.saturating_mul(text.len()));
    if matches > 0 {
        let bound = text.len().saturating_add(matches.saturating_mul(per_match));
        if bound > limits::MAX_STRING_BYTES {
            // The bound is loose; build it in pieces and stop at the limit.
            let mut out = String::new();
            let mut last = 0;
            for caps in re.captures_iter(&text) {
                let m = caps.get(0).expect("group 0 is the whole match");
                out.push_str(&text[last..m.start()]);
                caps.expand(&with, &mut out);
                last = m.end();
                limits::check_string_len(out.len()).map_err(too_long)?;
            }
            out.push_str(&text[last..]);
            return Ok(Value::String(out));
        }
    }
    Ok(Value::String(
        re.replace_all(&text, with.as_str()).into_owned(),
    ))
}

/// How a pattern's capture groups shape the result of `regex`/`regexall`.
enum Shape {
    Whole,
    Tuple,
    Object(Vec<String>),
}

fn pattern(args: &[Value]) -> Result<(Regex, Shape), FuncError> {
    let source = string(args, 0, "pattern")?;
    let re = compile(&source).map_err(|e| {
        invalid(
            0,
            "pattern",
            format!("invalid regexp pattern: {e} in {source}"),
        )
    })?;
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let named: Vec<String> = names.iter().flatten().map(|s| s.to_string()).collect();
    let shape = match (names.len(), named.len()) {
        (0, _) => Shape::Whole,
        (_, 0) => Shape::Tuple,
        (all, n) if all == n => Shape::Object(named),
        _ => {
            return Err(invalid(
                0,
                "pattern",
                "invalid regexp pattern: cannot mix both named and unnamed capture groups",
            ))
        }
    };
    Ok((re, shape))
}

fn match_value(caps: &regex::Captures, shape: &Shape) -> Value {
    let text = |m: Option<regex::Match>| m.map_or(Value::Null, |m| Value::string(m.as_str()));
    match shape {
        Shape::Whole => text(caps.get(0)),
        Shape::Tuple => Value::List(caps.iter().skip(1).map(text).collect()),
        Shape::Object(names) => Value::map(names.iter().map(|n| (n.clone(), text(caps.name(n))))),
    }
}

fn regex(args: &[Value], _: &FuncContext) -> FuncResult {
    let (re, shape) = pattern(args)?;
    let text = string(args, 1, "string")?;
    let caps = re
        .captures(&text)
        .ok_or_else(|| FuncError::call("pattern did not match any part of the given string"))?;
    Ok(match_value(&caps, &shape))
}

fn regexall(args: &[Value], _: &FuncContext) -> FuncResult {
    let (re, shape) = pattern(args)?;
    let text = string(args, 1, "string")?;
    Ok(Value::List(
        re.captures_iter(&text)
            .map(|caps| match_value(&caps, &shape))
            .collect(),
    ))
}

fn substr(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    let offset = args::integer(args, 1, "offset")?;
    let length = args::integer(args, 2, "length")?;
    let clusters: Vec<&str> = text.graphemes(true).collect();
    let total = clusters.len() as i64;
    let start = if offset < 0 { total + offset } else { offset }.max(0);
    if start >= total {
        return Ok(Value::string(""));
    }
    let end = if length < 0 {
        total
    } else {
        start.saturating_add(length).min(total)
    };
    Ok(Value::String(
        clusters[start as usize..end as usize].concat(),
    ))
}

fn strrev(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    Ok(Value::String(text.graphemes(true).rev().collect()))
}

fn strcontains(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    Ok(Value::Bool(text.contains(&string(args, 1, "substr")?)))
}

fn startswith(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    Ok(Value::Bool(text.starts_with(&string(args, 1, "prefix")?)))
}

fn endswith(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = string(args, 0, "str")?;
    Ok(Value::Bool(text.ends_with(&string(args, 1, "suffix")?)))
}

#[cfg(test)]
mod tests {
    use super::super::args::testing::{err, n, ok, run, s, strs};
    use crate::lang::value::Value;

    #[test]
    fn join_concatenates_lists() {
        assert_eq!(ok("join", vec![s(", "), strs(&["a", "b"])]), s("a, b"));
        assert_eq!(
            ok("join", vec![s("-"), strs(&["a"]), strs(&["b", "c"])]),
            s("a-b-c")
        );
        assert_eq!(ok("join", vec![s("-"), strs(&[])]), s(""));
        assert_eq!(
            ok("join", vec![s("-"), Value::List(vec![n(1.0), s("x")])]),
            s("1-x")
        );
        assert_eq!(err("join", vec![s("-")]), "at least one list is required");
        assert!(
            err("join", vec![s("-"), Value::List(vec![Value::Null])]).contains("element 0 is null")
        );
        assert!(err("join", vec![s("-"), s("abc")]).contains("list of any single type required"));
    }

    #[test]
    fn chomp_removes_only_trailing_newlines() {
        assert_eq!(ok("chomp", vec![s("hello\n")]), s("hello"));
        assert_eq!(ok("chomp", vec![s("hello\r\n")]), s("hello"));
        assert_eq!(ok("chomp", vec![s("hello\n\n\r\n\r")]), s("hello"));
        assert_eq!(ok("chomp", vec![s("a\nb\r\nc")]), s("a\nb\r\nc"));
        assert_eq!(ok("chomp", vec![s("\nhello \n ")]), s("\nhello \n "));
        assert_eq!(ok("chomp", vec![s("\n\n")]), s(""));
    }

    #[test]
    fn indent_leaves_the_first_line_alone() {
        assert_eq!(
            ok("indent", vec![n(2.0), s("[\n  foo,\n  bar,\n]\n")]),
            s("[\n    foo,\n    bar,\n  ]\n  ")
        );
        assert_eq!(ok("indent", vec![n(4.0), s("one line")]), s("one line"));
        assert_eq!(ok("indent", vec![n(0.0), s("a\nb")]), s("a\nb"));
        assert_eq!(ok("indent", vec![s("1"), s("a\nb")]), s("a\n b"));
        assert_eq!(
            err("indent", vec![n(1.5), s("a")]),
            "Invalid value for \"spaces\" parameter: value must be a whole number."
        );
        assert_eq!(
            err("indent", vec![n(-1.0), s("a")]),
            "Invalid value for \"spaces\" parameter: must not be negative."
        );
        assert!(err("indent", vec![n(1e12), s("a\nb")]).contains("strings are limited"));
    }

    #[test]
    fn strrev_reverses_graphemes() {
        assert_eq!(ok("strrev", vec![s("hello")]), s("olleh"));
        assert_eq!(ok("strrev", vec![s("a☃b")]), s("b☃a"));
        // "e" + combining acute accent stays one character.
        assert_eq!(ok("strrev", vec![s("ae\u{301}")]), s("e\u{301}a"));
        assert_eq!(ok("strrev", vec![s("")]), s(""));
    }

    #[test]
    fn strcontains_finds_substrings() {
        assert_eq!(
            ok("strcontains", vec![s("hello world"), s("wor")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("strcontains", vec![s("hello world"), s("Wor")]),
            Value::Bool(false)
        );
        assert_eq!(ok("strcontains", vec![s("abc"), s("")]), Value::Bool(true));
        assert_eq!(ok("strcontains", vec![n(123.0), n(2.0)]), Value::Bool(true));
    }

    #[test]
    fn split_follows_go() {
        assert_eq!(
            ok("split", vec![s(","), s("a,b,,c")]),
            strs(&["a", "b", "", "c"])
        );
        assert_eq!(ok("split", vec![s(","), s("")]), strs(&[""]));
        assert_eq!(ok("split", vec![s(""), s("ab")]), strs(&["a", "b"]));
        assert!(err("split", vec![s(","), Value::List(vec![])]).contains("string required"));
    }

    #[test]
    fn format_and_errors() {
        assert_eq!(
            ok("format", vec![s("Hello, %s!"), s("Ander")]),
            s("Hello, Ander!")
        );
        assert_eq!(ok("format", vec![s("%d items"), n(3.0)]), s("3 items"));
        assert_eq!(ok("format", vec![s("plain")]), s("plain"));
        assert!(err("format", vec![s("%s")]).starts_with("not enough arguments"));
        assert_eq!(
            run("format", vec![s("%s"), Value::List(vec![Value::Unknown])]).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn formatlist_broadcasts() {
        assert_eq!(
            ok("formatlist", vec![s("%s-%s"), strs(&["a", "b"]), s("x")]),
            strs(&["a-x", "b-x"])
        );
        assert_eq!(ok("formatlist", vec![s("%s"), s("x")]), strs(&["x"]));
        assert_eq!(ok("formatlist", vec![s("%s"), strs(&[])]), strs(&[]));
        assert_eq!(
            ok(
                "formatlist",
                vec![s("%s"), Value::List(vec![s("a"), Value::Unknown])]
            ),
            Value::List(vec![s("a"), Value::Unknown])
        );
        assert_eq!(
            ok(
                "formatlist",
                vec![s("%s"), Value::Set(vec![s("a"), Value::Unknown])]
            ),
            Value::Unknown,
            "the unknown may equal \"a\", leaving one element"
        );
        assert_eq!(
            err(
                "formatlist",
                vec![s("%s%s"), strs(&["a", "b"]), strs(&["c"])]
            ),
            "argument 2 has length 1, which is inconsistent with argument 1 of length 2"
        );
        assert!(err("formatlist", vec![s("%d"), strs(&["a"])])
            .starts_with("error on format iteration 0:"));
    }

    #[test]
    fn case_functions() {
        assert_eq!(ok("lower", vec![s("HeLLo ÄB")]), s("hello äb"));
        assert_eq!(ok("upper", vec![s("hello ß")]), s("HELLO ß"));
        assert_eq!(ok("upper", vec![n(5.0)]), s("5"));
        assert_eq!(
            ok("title", vec![s("hello world-foo_bar x.y")]),
            s("Hello World-Foo_bar X.Y")
        );
        assert_eq!(ok("title", vec![s("")]), s(""));
        assert!(err("lower", vec![Value::Null]).contains("must not be null"));
    }

    #[test]
    fn trimming() {
        assert_eq!(ok("trimspace", vec![s("  \n hi \t")]), s("hi"));
        assert_eq!(ok("trim", vec![s("?!hello?!"), s("!?")]), s("hello"));
        assert_eq!(ok("trim", vec![s("abc"), s("")]), s("abc"));
        assert_eq!(
            ok("trimprefix", vec![s("helloworld"), s("hello")]),
            s("world")
        );
        assert_eq!(
            ok("trimprefix", vec![s("hellohello"), s("hello")]),
            s("hello")
        );
        assert_eq!(ok("trimprefix", vec![s("world"), s("hello")]), s("world"));
        assert_eq!(
            ok("trimsuffix", vec![s("helloworld"), s("world")]),
            s("hello")
        );
        assert!(err("trim", vec![s("x"), Value::List(vec![])]).contains("\"cutset\""));
    }

    #[test]
    fn replace_literal_and_regex() {
        assert_eq!(
            ok("replace", vec![s("1 + 2 + 3"), s("+"), s("-")]),
            s("1 - 2 - 3")
        );
        assert_eq!(
            ok(
                "replace",
                vec![s("hello world"), s("/w.*d/"), s("everybody")]
            ),
            s("hello everybody")
        );
        assert_eq!(
            ok("replace", vec![s("a-b"), s("/(\\w)-(\\w)/"), s("$2-$1")]),
            s("b-a")
        );
        assert_eq!(
            ok("replace", vec![s("ab"), s("/(?P<x>a)/"), s("${x}$$")]),
            s("a$b")
        );
        assert_eq!(ok("replace", vec![s("a/b"), s("/"), s("|")]), s("a|b"));
        assert!(err("replace", vec![s("x"), s("/(/"), s("y")]).contains("error parsing regexp"));
    }

    #[test]
    fn regex_shapes() {
        assert_eq!(
            ok(
                "regex",
                vec![s("[a-z]+"), s("53453453.345345aaabbbccc23454")]
            ),
            s("aaabbbccc")
        );
        assert_eq!(
            ok(
                "regex",
                vec![s("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)"), s("2019-02-01")]
            ),
            strs(&["2019", "02", "01"])
        );
        assert_eq!(
            ok(
                "regex",
                vec![
                    s("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?"),
                    s("https://x.io/a")
                ]
            ),
            Value::map([("authority", s("x.io")), ("scheme", s("https"))])
        );
        assert_eq!(
            ok("regex", vec![s("a(b)?"), s("a")]),
            Value::List(vec![Value::Null])
        );
        assert_eq!(
            err("regex", vec![s("z"), s("abc")]),
            "pattern did not match any part of the given string"
        );
        assert!(err("regex", vec![s("(?P<a>x)(y)"), s("xy")])
            .contains("cannot mix both named and unnamed"));
        assert!(err("regex", vec![s("(x"), s("x")]).contains("invalid regexp pattern"));
    }

    #[test]
    fn regexall_lists_matches() {
        assert_eq!(
            ok("regexall", vec![s("[a-z]+"), s("1234abcd5678efgh9")]),
            strs(&["abcd", "efgh"])
        );
        assert_eq!(ok("regexall", vec![s("z"), s("abc")]), strs(&[]));
        assert_eq!(
            ok("regexall", vec![s("(\\w)=(\\d)"), s("a=1 b=2")]),
            Value::List(vec![strs(&["a", "1"]), strs(&["b", "2"])])
        );
    }

    #[test]
    fn substr_counts_graphemes() {
        assert_eq!(
            ok("substr", vec![s("hello world"), n(1.0), n(4.0)]),
            s("ello")
        );
        assert_eq!(ok("substr", vec![s("🤔🤷"), n(0.0), n(1.0)]), s("🤔"));
        assert_eq!(
            ok("substr", vec![s("hello world"), n(-5.0), n(3.0)]),
            s("wor")
        );
        assert_eq!(ok("substr", vec![s("hello"), n(1.0), n(-1.0)]), s("ello"));
        assert_eq!(ok("substr", vec![s("hello"), n(10.0), n(2.0)]), s(""));
        assert_eq!(ok("substr", vec![s("hello"), n(-10.0), n(2.0)]), s("he"));
        assert_eq!(ok("substr", vec![s("hello"), n(3.0), n(100.0)]), s("lo"));
        assert_eq!(ok("substr", vec![s(""), n(0.0), n(1.0)]), s(""));
        assert!(err("substr", vec![s("x"), n(0.5), n(1.0)]).contains("whole number"));
    }

    #[test]
    fn prefix_suffix_tests() {
        assert_eq!(
            ok("startswith", vec![s("hello world"), s("hello")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("startswith", vec![s("hello world"), s("world")]),
            Value::Bool(false)
        );
        assert_eq!(ok("startswith", vec![s("x"), s("")]), Value::Bool(true));
        assert_eq!(
            ok("endswith", vec![s("hello world"), s("world")]),
            Value::Bool(true)
        );
        assert_eq!(ok("endswith", vec![s(""), s("x")]), Value::Bool(false));
        assert!(err("endswith", vec![s("x"), Value::Null]).contains("must not be null"));
    }

    #[test]
    fn sensitive_and_unknown_pass_through_call() {
        let secret = s("abc").mark_sensitive(true);
        assert_eq!(ok("upper", vec![secret]), s("ABC").mark_sensitive(true));
        assert_eq!(run("upper", vec![Value::Unknown]).unwrap(), Value::Unknown);
    }
}
