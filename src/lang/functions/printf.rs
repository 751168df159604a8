//! The printf-style engine behind `format` and `formatlist`: Terraform's verbs (`%s %q %v %#v
//! %t %d %b %o %x %X %e %E %f %g %G %%`), flags (`+ - 0 # space`), width, precision and
//! explicit argument indexes (`%[2]s`). Errors use Terraform's wording. Private to `functions`.

use std::iter::Peekable;
use std::str::CharIndices;

use unicode_segmentation::UnicodeSegmentation;

use super::args::{to_bool, to_number};
use super::encoding::json_encode;
use crate::lang::limits::{self, MAX_FORMAT_WIDTH};
use crate::lang::value::Value;

/// One `%...` sequence of a format string.
#[derive(Default)]
struct Verb {
    raw: String,
    offset: usize,
    /// One-based argument index.
    arg: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Formats `args` according to `spec`; the error is Terraform's message without decoration.
pub fn sprintf(spec: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = spec.char_indices().peekable();
    let mut next_arg = 1;
    let mut used = 0;
    while let Some((offset, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek().is_some_and(|&(_, c)| c == '%') {
            chars.next();
            out.push('%');
            continue;
        }
        let verb = parse_verb(spec, offset, &mut chars, &mut next_arg)?;
        used = used.max(verb.arg);
        out.push_str(&render(&verb, args)?);
        limits::check_string_len(out.len()).map_err(|e| e.detail)?;
    }
    if used < args.len() {
        return Err(format!(
            "too many arguments; only {used} used by format string"
        ));
    }
    Ok(out)
}

fn parse_verb(
    spec: &str,
    offset: usize,
    chars: &mut Peekable<CharIndices>,
    next_arg: &mut usize,
) -> Result<Verb, String> {
    let invalid = || format!("invalid format string starting at offset {offset}");
    let mut v = Verb {
        offset,
        ..Verb::default()
    };
    while let Some(&(_, c)) = chars.peek() {
        match c {
            ' ' => v.space = true,
            '+' => v.plus = true,
            '-' => v.minus = true,
            '0' => v.zero = true,
            '#' => v.sharp = true,
            _ => break,
        }
        chars.next();
    }
    let mut explicit = arg_index(chars).map_err(|_| invalid())?;
    let too_large = |what: &str| {
        format!("invalid format string starting at offset {offset}: the {what} is larger than {MAX_FORMAT_WIDTH}")
    };
    v.width = match width_digits(chars) {
        Digits::None => None,
        Digits::Some(n) => Some(n),
        Digits::TooLarge => return Err(too_large("width")),
    };
    if chars.peek().is_some_and(|&(_, c)| c == '.') {
        chars.next();
        v.prec = match width_digits(chars) {
            Digits::None => return Err(invalid()),
            Digits::Some(n) => Some(n),
            Digits::TooLarge => return Err(too_large("precision")),
        };
    }
    if explicit.is_none() {
        explicit = arg_index(chars).map_err(|_| invalid())?;
    }
    let (end, mode) = chars.next().ok_or_else(invalid)?;
    v.mode = mode;
    v.raw = spec[offset..end + mode.len_utf8()].to_string();
    v.arg = explicit.unwrap_or(*next_arg);
    *next_arg = v.arg + 1;
    Ok(v)
}

enum Digits {
    None,
    Some(usize),
    TooLarge,
}

/// A width or precision: at most [`MAX_FORMAT_WIDTH`] (Rust's formatter, used for floats,
/// takes no more; Go's fmt stops at a million).
fn width_digits(chars: &mut Peekable<CharIndices>) -> Digits {
    let mut any = false;
    let mut n: usize = 0;
    while let Some(&(_, c)) = chars.peek() {
        let Some(d) = c.to_digit(10) else { break };
        any = true;
        n = n.saturating_mul(10).saturating_add(d as usize);
        chars.next();
    }
    match (any, n) {
        (false, _) => Digits::None,
        (true, n) if n > MAX_FORMAT_WIDTH => Digits::TooLarge,
        (true, n) => Digits::Some(n),
    }
}

fn digits(chars: &mut Peekable<CharIndices>) -> Option<usize> {
    let mut text = String::new();
    while let Some(&(_, c)) = chars.peek() {
        if !c.is_ascii_digit() {
            break;
        }
        text.push(c);
        chars.next();
    }
    text.parse().ok()
}

/// An optional `[n]` argument index (one-based; `[0]` is invalid).
fn arg_index(chars: &mut Peekable<CharIndices>) -> Result<Option<usize>, ()> {
    if chars.next_if(|&(_, c)| c == '[').is_none() {
        return Ok(None);
    }
    let n = digits(chars).filter(|&n| n > 0).ok_or(())?;
    match chars.next() {
        Some((_, ']')) => Ok(Some(n)),
        _ => Err(()),
    }
}

fn render(v: &Verb, args: &[Value]) -> Result<String, String> {
    let arg = args.get(v.arg - 1).ok_or_else(|| {
        format!(
            "not enough arguments for {:?} at {}: need index {} but have {} total",
            v.raw,
            v.offset,
            v.arg,
            args.len()
        )
    })?;
    if v.mode != 'v' && arg.is_null() {
        return Err(unsupported(v, "null value cannot be formatted"));
    }
    match v.mode {
        'v' => Ok(as_is(v, arg)),
        't' => to_bool(arg)
            .map(|b| b.to_string())
            .ok_or_else(|| unsupported(v, "bool required")),
        'b' | 'd' | 'o' | 'x' | 'X' => integer(v, arg),
        'e' | 'E' | 'f' | 'g' | 'G' => float(v, arg),
        's' | 'q' => string(v, arg),
        other => Err(format!(
            "unsupported format verb {other:?} in {:?} at offset {}",
            v.raw, v.offset
        )),
    }
}

fn unsupported(v: &Verb, why: &str) -> String {
    format!("unsupported value for {:?} at {}: {why}", v.raw, v.offset)
}

/// `%v` and `%#v`: strings and numbers as themselves unless `#`, everything else as JSON.
fn as_is(v: &Verb, arg: &Value) -> String {
    let text = match arg.unmarked() {
        Value::String(s) if !v.sharp => s.clone(),
        Value::Number(n) if !v.sharp => signed(*n, go_g(n.abs(), None)),
        other => json_encode(other).unwrap_or_else(|| "null".into()),
    };
    pad(v, text)
}

fn string(v: &Verb, arg: &Value) -> Result<String, String> {
    let mut text = arg
        .to_template_string()
        .ok_or_else(|| unsupported(v, "string required"))?;
    if let Some(prec) = v.prec.filter(|&p| p > 0) {
        text = text.graphemes(true).take(prec).collect();
    }
    if v.mode == 'q' {
        text = json_encode(&Value::String(text)).unwrap_or_default();
    }
    Ok(pad(v, text))
}

fn integer(v: &Verb, arg: &Value) -> Result<String, String> {
    let n = to_number(arg).ok_or_else(|| unsupported(v, "number required"))?;
    if !n.is_finite() || n.fract() != 0.0 {
        return Err(unsupported(v, "an integer is required"));
    }
    let abs = n.abs();
    if v.mode != 'd' && abs >= 3.0e38 {
        return Err(unsupported(v, "number is too large"));
    }
    let body = match (v.mode, v.sharp) {
        ('d', _) => format!("{abs:.0}"),
        ('b', sharp) => format!("{}{:b}", if sharp { "0b" } else { "" }, abs as u128),
        ('o', sharp) => format!("{}{:o}", if sharp { "0" } else { "" }, abs as u128),
        ('x', sharp) => format!("{}{:x}", if sharp { "0x" } else { "" }, abs as u128),
        (_, sharp) => format!("{}{:X}", if sharp { "0X" } else { "" }, abs as u128),
    };
    Ok(pad_number(v, n < 0.0, body))
}

fn float(v: &Verb, arg: &Value) -> Result<String, String> {
    let n = to_number(arg).ok_or_else(|| unsupported(v, "number required"))?;
    let abs = n.abs();
    let body = match v.mode {
        'f' => format!("{abs:.*}", v.prec.unwrap_or(6)),
        'e' => go_e(abs, v.prec.unwrap_or(6)),
        'E' => go_e(abs, v.prec.unwrap_or(6)).to_uppercase(),
        'g' => go_g(abs, v.prec),
        _ => go_g(abs, v.prec).to_uppercase(),
    };
    Ok(pad_number(v, n < 0.0, body))
}

fn signed(n: f64, body: String) -> String {
    if n < 0.0 {
        format!("-{body}")
    } else {
        body
    }
}

/// Pads to the verb's width, counting grapheme clusters.
fn pad(v: &Verb, text: String) -> String {
    let len = text.graphemes(true).count();
    let Some(width) = v.width.filter(|&w| w > len) else {
        return text;
    };
    let fill = (if v.zero { "0" } else { " " }).repeat(width - len);
    if v.minus {
        text + &fill
    } else {
        fill + &text
    }
}

/// Pads a number as Go does: sign first, zero padding between sign and digits.
fn pad_number(v: &Verb, negative: bool, body: String) -> String {
    let sign = match (negative, v.plus, v.space) {
        (true, _, _) => "-",
        (false, true, _) => "+",
        (false, false, true) => " ",
        _ => "",
    };
    let len = sign.len() + body.len();
    let width = v.width.unwrap_or(0);
    if width <= len {
        return format!("{sign}{body}");
    }
    let fill = width - len;
    if v.minus {
        format!("{sign}{body}{}", " ".repeat(fill))
    } else if v.zero {
        format!("{sign}{}{body}", "0".repeat(fill))
    } else {
        format!("{}{sign}{body}", " ".repeat(fill))
    }
}

/// `%e` of a non-negative number: `1.234560e+03`.
fn go_e(x: f64, prec: usize) -> String {
    let text = format!("{x:.prec$e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    format!(
        "{mantissa}e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.abs()
    )
}

/// Decimal digits (no trailing zeros) and decimal-point position of a non-negative number,
/// rounded to `prec` significant digits or shortest when `None`.
fn decimal(x: f64, prec: Option<usize>) -> (Vec<u8>, i32) {
    let text = match prec {
        None => format!("{x:e}"),
        Some(p) => format!("{x:.*e}", p.max(1) - 1),
    };
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        return (digits, 0);
    }
    (digits, exp.parse::<i32>().unwrap_or(0) + 1)
}

/// `%g` of a non-negative number, following Go's `strconv` rules (shortest when `prec` is
/// `None`; exponent form when the exponent is < -4 or >= the precision).
fn go_g(x: f64, prec: Option<usize>) -> String {
    let (digits, dp) = decimal(x, prec);
    let nd = digits.len() as i32;
    let mut p = prec.map_or(nd, |p| p.max(1) as i32);
    let mut eprec = if prec.is_none() { 6 } else { p };
    if prec.is_some() && eprec > nd && nd >= dp {
        eprec = nd;
    }
    let exp = dp - 1;
    if exp < -4 || exp >= eprec {
        p = p.min(nd);
        return fmt_e(&digits, dp, (p - 1).max(0));
    }
    if p > dp {
        p = nd;
    }
    fmt_f(&digits, dp, (p - dp).max(0))
}

fn digit_at(digits: &[u8], i: i32) -> char {
    usize::try_from(i)
        .ok()
        .and_then(|i| digits.get(i))
        .map_or('0', |&d| d as char)
}

fn fmt_e(digits: &[u8], dp: i32, prec: i32) -> String {
    let mut out = String::from(digit_at(digits, 0));
    if prec > 0 {
        out.push('.');
        out.extend((1..=prec).map(|i| digit_at(digits, i)));
    }
    let exp = if digits.is_empty() { 0 } else { dp - 1 };
    out.push_str(&format!(
        "e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.abs()
    ));
    out
}

fn fmt_f(digits: &[u8], dp: i32, prec: i32) -> String {
    let mut out: String = if dp > 0 {
        (0..dp).map(|i| digit_at(digits, i)).collect()
    } else {
        "0".into()
    };
    if prec > 0 {
        out.push('.');
        out.extend((0..prec).map(|i| digit_at(digits, dp + i)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(spec: &str, args: &[Value]) -> String {
        sprintf(spec, args).unwrap()
    }

    #[test]
    fn g_follows_go() {
        assert_eq!(go_g(1.25, None), "1.25");
        assert_eq!(go_g(100.0, None), "100");
        assert_eq!(go_g(1234567.0, None), "1.234567e+06");
        assert_eq!(go_g(0.0001, None), "0.0001");
        assert_eq!(go_g(0.00001, None), "1e-05");
        assert_eq!(go_g(0.0, None), "0");
        assert_eq!(go_g(1.23456, Some(3)), "1.23");
        assert_eq!(go_g(1.0, Some(3)), "1");
    }

    #[test]
    fn numeric_verbs() {
        let n = |x: f64| Value::Number(x);
        assert_eq!(f("%d", &[n(42.0)]), "42");
        assert_eq!(
            f("%5d|%-5d|%05d", &[n(42.0), n(42.0), n(-42.0)]),
            "   42|42   |-0042"
        );
        assert_eq!(f("%+d % d", &[n(7.0), n(7.0)]), "+7  7");
        assert_eq!(f("%.2f", &[n(1.23456)]), "1.23");
        assert_eq!(f("%f", &[n(1.5)]), "1.500000");
        assert_eq!(f("%e", &[n(1234.5678)]), "1.234568e+03");
        assert_eq!(
            f(
                "%x %X %o %b %#x",
                &[n(255.0), n(255.0), n(8.0), n(5.0), n(255.0)]
            ),
            "ff FF 10 101 0xff"
        );
        assert_eq!(f("%d", &[Value::string("12")]), "12");
    }

    #[test]
    fn string_and_value_verbs() {
        let s = Value::string;
        assert_eq!(f("%s|%-5s|%5s", &[s("a"), s("b"), s("c")]), "a|b    |    c");
        assert_eq!(f("%.2s", &[s("héllo")]), "hé");
        assert_eq!(f("%q", &[s("a\"<b")]), r#""a\"\u003cb""#);
        assert_eq!(
            f("%v %v %v", &[s("x"), Value::Number(1.5), Value::Bool(true)]),
            "x 1.5 true"
        );
        assert_eq!(f("%v", &[Value::Null]), "null");
        assert_eq!(
            f("%#v", &[Value::map([("a", Value::Number(1.0))])]),
            r#"{"a":1}"#
        );
        assert_eq!(f("%#v", &[s("x")]), r#""x""#);
        assert_eq!(f("%t", &[Value::Bool(false)]), "false");
        assert_eq!(f("100%%", &[]), "100%");
        assert_eq!(f("%[2]s %[1]s", &[s("a"), s("b")]), "b a");
        assert_eq!(f("%s", &[Value::Number(5.0)]), "5");
    }

    #[test]
    fn format_errors() {
        let s = Value::string;
        assert_eq!(
            sprintf("%s %s", &[s("a")]).unwrap_err(),
            "not enough arguments for \"%s\" at 3: need index 2 but have 1 total"
        );
        assert_eq!(
            sprintf("%s", &[s("a"), s("b")]).unwrap_err(),
            "too many arguments; only 1 used by format string"
        );
        assert_eq!(
            sprintf("%d", &[Value::Number(1.5)]).unwrap_err(),
            "unsupported value for \"%d\" at 0: an integer is required"
        );
        assert_eq!(
            sprintf("%d", &[s("x")]).unwrap_err(),
            "unsupported value for \"%d\" at 0: number required"
        );
        assert_eq!(
            sprintf("%s", &[Value::Null]).unwrap_err(),
            "unsupported value for \"%s\" at 0: null value cannot be formatted"
        );
        assert_eq!(
            sprintf("%y", &[s("a")]).unwrap_err(),
            "unsupported format verb 'y' in \"%y\" at offset 0"
        );
        assert_eq!(
            sprintf("abc %", &[]).unwrap_err(),
            "invalid format string starting at offset 4"
        );
        assert!(sprintf("%s", &[Value::List(vec![])]).is_err());
    }
}
