//! Date and time functions: `timestamp` (the current time, so unknown until apply),
//! `plantimestamp` (the time the plan
//! was made: one value for the whole run, and the plan's own time when a saved plan is
//! applied), `formatdate`, `timeadd` and `timecmp`.
//!
//! Timestamps are RFC 3339 strings, read as Terraform reads them (Go's `time.Parse` with
//! go-cty's stricter checks for `formatdate` and `timeadd`) and with its error wording, and
//! written as Go's `time.RFC3339` writes them: whole seconds, `Z` for UTC, otherwise the offset
//! the timestamp was given with. Durations are Go's `time.ParseDuration` syntax.

use std::sync::OnceLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc};

use super::args::{invalid, string};
use super::{FuncContext, FuncError, FuncResult, Function};
use crate::lang::value::Value;

pub const FUNCTIONS: &[Function] = &[
    Function::new("timestamp", 0, Some(0), timestamp).impure(),
    Function::new("plantimestamp", 0, Some(0), plantimestamp),
    Function::new("formatdate", 2, Some(2), formatdate),
    Function::new("timeadd", 2, Some(2), timeadd),
    Function::new("timecmp", 2, Some(2), timecmp),
];

static PLAN_TIMESTAMP: OnceLock<String> = OnceLock::new();

/// The plan's timestamp: the first time it is asked for in this process, unless
/// [`use_plan_timestamp`] set it before.
pub fn plan_timestamp() -> &'static str {
    PLAN_TIMESTAMP.get_or_init(|| rfc3339(&Utc::now().fixed_offset()))
}

/// Makes `plantimestamp()` return `ts` (a saved plan's time) for the rest of the process.
/// False if the timestamp was already fixed.
pub fn use_plan_timestamp(ts: &str) -> bool {
    PLAN_TIMESTAMP.set(ts.to_string()).is_ok()
}

fn timestamp(_: &[Value], _: &FuncContext) -> FuncResult {
    Ok(Value::String(rfc3339(&Utc::now().fixed_offset())))
}

fn plantimestamp(_: &[Value], _: &FuncContext) -> FuncResult {
    Ok(Value::string(plan_timestamp()))
}

/// Go's `Format(time.RFC3339)`.
pub(super) fn rfc3339(t: &DateTime<FixedOffset>) -> String {
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
        year(t.year()),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        offset(t, true, true)
    )
}

/// A year as Go writes it: at least four digits.
fn year(y: i32) -> String {
    if y < 0 {
        format!("-{:04}", -(y as i64))
    } else {
        format!("{y:04}")
    }
}

/// The UTC offset as `-07:00` (`colon`) or `-0700`, or `Z` for UTC when `z`.
fn offset(t: &DateTime<FixedOffset>, colon: bool, z: bool) -> String {
    let secs = t.offset().local_minus_utc();
    if z && secs == 0 {
        return "Z".into();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let mins = secs.abs() / 60;
    let sep = if colon { ":" } else { "" };
    format!("{sign}{:02}{sep}{:02}", mins / 60, mins % 60)
}

/// Where Go's parser stopped: the layout element it was reading (`"2006"`, `"-"`, `"15"`...,
/// empty at the end), the rest of the value there, and any extra message.
struct ParseError {
    layout: &'static str,
    value: String,
    message: &'static str,
}

fn stop(layout: &'static str, value: &str) -> ParseError {
    ParseError {
        layout,
        value: value.to_string(),
        message: "",
    }
}

fn digit(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(s: &[u8], fixed: bool) -> Option<(u32, &[u8])> {
    if !digit(s, 0) {
        return None;
    }
    if !digit(s, 1) {
        return (!fixed).then(|| ((s[0] - b'0') as u32, &s[1..]));
    }
    Some((((s[0] - b'0') * 10 + (s[1] - b'0')) as u32, &s[2..]))
}

fn text(s: &[u8]) -> String {
    String::from_utf8_lossy(s).into_owned()
}

/// Go's `time.Parse(time.RFC3339, s)`: lenient in places (a one-digit hour, a comma before
/// fractional seconds, offsets up to 24:60), with Go's error positions.
fn parse_go(s: &str) -> Result<DateTime<FixedOffset>, ParseError> {
    let mut v = s.as_bytes();
    let skip = |v: &mut &[u8], sep: &'static str| -> Result<(), ParseError> {
        if v.first() == Some(&sep.as_bytes()[0]) {
            *v = &v[1..];
            Ok(())
        } else {
            Err(stop(sep, &text(v)))
        }
    };
    // Year: four characters, the first a digit, all digits.
    if v.len() < 4 || !digit(v, 0) || !v[..4].iter().all(u8::is_ascii_digit) {
        return Err(stop("2006", &text(v)));
    }
    let year: i32 = text(&v[..4]).parse().expect("four digits");
    v = &v[4..];
    skip(&mut v, "-")?;
    let (month, rest) = getnum(v, true).ok_or_else(|| stop("01", &text(v)))?;
    if !(1..=12).contains(&month) {
        return Err(ParseError {
            message: ": month out of range",
            ..stop("01", &text(rest))
        });
    }
    v = rest;
    skip(&mut v, "-")?;
    let (day, rest) = getnum(v, true).ok_or_else(|| stop("02", &text(v)))?;
    v = rest;
    skip(&mut v, "T")?;
    let (hour, rest) = getnum(v, false).ok_or_else(|| stop("15", &text(v)))?;
    if hour >= 24 {
        return Err(ParseError {
            message: ": hour out of range",
            ..stop("15", &text(rest))
        });
    }
    v = rest;
    skip(&mut v, ":")?;
    let (minute, rest) = getnum(v, true).ok_or_else(|| stop("04", &text(v)))?;
    if minute >= 60 {
        return Err(ParseError {
            message: ": minute out of range",
            ..stop("04", &text(rest))
        });
    }
    v = rest;
    skip(&mut v, ":")?;
    let (second, rest) = getnum(v, true).ok_or_else(|| stop("05", &text(v)))?;
    if second >= 60 {
        return Err(ParseError {
            message: ": second out of range",
            ..stop("05", &text(rest))
        });
    }
    v = rest;
    let mut nanos = 0u32;
    if v.len() >= 2 && (v[0] == b'.' || v[0] == b',') && digit(v, 1) {
        let n = 1 + v[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        let digits = &v[1..n.min(10)];
        nanos = text(digits).parse::<u32>().expect("digits") * 10u32.pow(9 - digits.len() as u32);
        v = &v[n..];
    }
    let zone_secs = if v.first() == Some(&b'Z') {
        v = &v[1..];
        0
    } else {
        let hold = text(v);
        if v.len() < 6 || v[3] != b':' {
            return Err(stop("Z07:00", &hold));
        }
        let (sign, hh, mm) = (v[0], &v[1..3], &v[4..6]);
        v = &v[6..];
        let (Some((hr, _)), Some((min, _))) = (getnum(hh, true), getnum(mm, true)) else {
            return Err(stop("Z07:00", &hold));
        };
        if hr > 24 || min > 60 {
            return Err(ParseError {
                message: ": time zone offset out of range",
                ..stop("Z07:00", &text(v))
            });
        }
        let secs = ((hr * 60 + min) * 60) as i32;
        match sign {
            b'+' => secs,
            b'-' => -secs,
            _ => return Err(stop("Z07:00", &hold)),
        }
    };
    if !v.is_empty() {
        return Err(ParseError {
            message: ": extra text",
            ..stop("", &text(v))
        });
    }
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(ParseError {
        layout: "",
        value: String::new(),
        message: ": day out of range",
    })?;
    let zone = FixedOffset::east_opt(zone_secs).ok_or_else(|| stop("Z07:00", &s[s.len() - 6..]))?;
    let local = date
        .and_hms_nano_opt(hour, minute, second, nanos)
        .expect("fields checked above");
    local
        .and_local_timezone(zone)
        .single()
        .ok_or_else(|| stop("Z07:00", &s[s.len() - 6..]))
}

/// go-cty's strict RFC 3339: what Go accepts beyond the RFC is refused, naming the part.
fn parse_strict(s: &str) -> Result<DateTime<FixedOffset>, ParseError> {
    let t = parse_go(s)?;
    let b = s.as_bytes();
    if b[12] == b':' {
        return Err(stop("15", &s[11..12]));
    }
    if b[19] == b',' {
        return Err(stop(".", ","));
    }
    if !s.ends_with('Z') {
        let zone = &s[s.len() - 6..];
        let two = |i: usize| (b[i] - b'0') * 10 + (b[i + 1] - b'0');
        if two(s.len() - 5) >= 24 || two(s.len() - 2) >= 60 {
            return Err(stop("Z07:00", zone));
        }
    }
    Ok(t)
}

/// Terraform's wording for a parse error; `cty` adds the clearer hour and minute messages that
/// `formatdate` and `timeadd` give.
fn describe(e: ParseError, cty: bool) -> String {
    let prefix = "not a valid RFC3339 timestamp";
    if e.layout.is_empty() && e.value.is_empty() && !e.message.is_empty() {
        return format!("{prefix}{}", e.message);
    }
    let what = match e.layout {
        "2006" => "year",
        "01" => "month",
        "02" => "day of month",
        "15" => "hour",
        "04" => "minute",
        "05" => "second",
        "Z07:00" => "UTC offset",
        "T" => return format!("{prefix}: missing required time introducer 'T'"),
        ":" | "-" if e.value.is_empty() => {
            return format!("{prefix}: end of string where {:?} is expected", e.layout)
        }
        ":" | "-" => {
            return format!(
                "{prefix}: found {:?} where {:?} is expected",
                e.value, e.layout
            )
        }
        _ => "timestamp segment",
    };
    if e.value.is_empty() {
        return format!("{prefix}: end of string before {what}");
    }
    match what {
        "hour" if cty && e.value.contains(':') => {
            format!("{prefix}: hour must be between 0 and 23 inclusive")
        }
        "hour" if cty && e.value.len() != 2 => {
            format!("{prefix}: hour must have exactly two digits")
        }
        "minute" if cty && e.value.len() != 2 => {
            format!("{prefix}: minute must have exactly two digits")
        }
        _ => format!("{prefix}: cannot use {:?} as {what}", e.value),
    }
}

/// A timestamp argument for `formatdate` and `timeadd`.
fn strict_arg(args: &[Value], index: usize, param: &str) -> Result<DateTime<FixedOffset>, String> {
    let s = string(args, index, param).map_err(|e| e.message)?;
    parse_strict(&s).map_err(|e| describe(e, true))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Splits a `formatdate` format into tokens: a quoted literal (with its quotes; unterminated
/// at the end of the format), a run of one repeated ASCII letter (a verb), or other text.
fn format_tokens(format: &str) -> Vec<&str> {
    let b = format.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                i += 2;
            } else {
                i += 1;
                loop {
                    match b.get(i) {
                        None => break,
                        Some(b'\'') if b.get(i + 1) == Some(&b'\'') => i += 2,
                        Some(b'\'') => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
            }
        } else if b[i].is_ascii_alphabetic() {
            while b.get(i) == Some(&b[start]) {
                i += 1;
            }
        } else {
            while i < b.len() && b[i] != b'\'' && !b[i].is_ascii_alphabetic() {
                i += 1;
            }
        }
        tokens.push(&format[start..i]);
    }
    tokens
}

fn formatdate(args: &[Value], _: &FuncContext) -> FuncResult {
    let format = string(args, 0, "format")?;
    let t = strict_arg(args, 1, "time").map_err(|e| invalid(1, "time", e))?;
    let bad = |msg: String| invalid(0, "format", msg);
    let mut out = String::new();
    for tok in format_tokens(&format) {
        let first = tok.as_bytes()[0];
        let n = tok.len();
        if first == b'\'' {
            if n == 1 || !tok.ends_with('\'') {
                return Err(bad("unterminated literal '".into()));
            }
            if n == 2 {
                out.push('\'');
            } else {
                out.push_str(&tok[1..n - 1].replace("''", "'"));
            }
            continue;
        }
        if !first.is_ascii_alphabetic() {
            out.push_str(tok);
            continue;
        }
        let verb = |detail: &str| bad(format!("invalid date format verb {tok:?}: {detail}"));
        let num = |v: u32| match n {
            1 => Ok(v.to_string()),
            2 => Ok(format!("{v:02}")),
            _ => Err(()),
        };
        let piece = match first {
            b'Y' => match n {
                2 => format!("{:02}", t.year().rem_euclid(100)),
                4 => year(t.year()),
                _ => return Err(verb("year must either be \"YY\" or \"YYYY\"")),
            },
            b'M' => {
                let name = MONTHS[t.month0() as usize];
                match n {
                    3 => name[..3].to_string(),
                    4 => name.to_string(),
                    _ => num(t.month())
                        .map_err(|()| verb("month must be \"M\", \"MM\", \"MMM\", or \"MMMM\""))?,
                }
            }
            b'D' => {
                num(t.day()).map_err(|()| verb("day of month must either be \"D\" or \"DD\""))?
            }
            b'E' => {
                let name = WEEKDAYS[t.weekday().num_days_from_monday() as usize];
                match n {
                    3 => name[..3].to_string(),
                    4 => name.to_string(),
                    _ => return Err(verb("day of week must either be \"EEE\" or \"EEEE\"")),
                }
            }
            b'h' => num(t.hour()).map_err(|()| verb("24-hour must either be \"h\" or \"hh\""))?,
            b'H' => {
                let h = match t.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                num(h).map_err(|()| verb("12-hour must either be \"H\" or \"HH\""))?
            }
            b'A' | b'a' => {
                if n != 2 {
                    let c = first as char;
                    return Err(verb(&format!("must be \"{c}{c}\"")));
                }
                let marker = if t.hour() < 12 { "AM" } else { "PM" };
                if first == b'A' {
                    marker.to_string()
                } else {
                    marker.to_ascii_lowercase()
                }
            }
            b'm' => num(t.minute()).map_err(|()| verb("minute must either be \"m\" or \"mm\""))?,
            b's' => num(t.second()).map_err(|()| verb("second must either be \"s\" or \"ss\""))?,
            b'Z' => match n {
                1 => offset(&t, true, true),
                3 if t.offset().local_minus_utc() == 0 => "UTC".into(),
                3 | 4 => offset(&t, false, false),
                5 => offset(&t, true, false),
                _ => return Err(verb("timezone must be Z, ZZZZ, or ZZZZZ")),
            },
            _ => return Err(bad(format!("invalid date format verb {tok:?}"))),
        };
        out.push_str(&piece);
    }
    Ok(Value::String(out))
}

/// Go's `time` package quoting: printable ASCII as is (`"` and `\` escaped), other bytes as
/// `\xNN`.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c.is_ascii() && !c.is_ascii_control() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
    }
    out.push('"');
    out
}

/// Go's `time.ParseDuration`, in nanoseconds: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with units
/// `ns us µs μs ms s m h`, as Go words its errors.
fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(orig));
    const LIMIT: u64 = 1 << 63;
    let mut s = orig;
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s.starts_with('.') || s.starts_with(|c: char| c.is_ascii_digit())) {
            return Err(invalid());
        }
        // The whole part; overflow is an error.
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let mut whole: u64 = 0;
        for b in s[..int_len].bytes() {
            if whole > LIMIT / 10 {
                return Err(invalid());
            }
            whole = whole * 10 + (b - b'0') as u64;
            if whole > LIMIT {
                return Err(invalid());
            }
        }
        s = &s[int_len..];
        // The fraction; digits past what fits are ignored.
        let mut frac: u64 = 0;
        let mut scale = 1.0f64;
        if let Some(rest) = s.strip_prefix('.') {
            let frac_len = rest.bytes().take_while(u8::is_ascii_digit).count();
            let mut overflow = false;
            for b in rest[..frac_len].bytes() {
                if overflow || frac > (LIMIT - 1) / 10 {
                    overflow = true;
                    continue;
                }
                let next = frac * 10 + (b - b'0') as u64;
                if next > LIMIT {
                    overflow = true;
                    continue;
                }
                frac = next;
                scale *= 10.0;
            }
            s = &rest[frac_len..];
            if int_len == 0 && frac_len == 0 {
                return Err(invalid());
            }
        }
        let unit_len = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", go_quote(orig)));
        }
        let unit_name = &s[..unit_len];
        s = &s[unit_len..];
        let unit: u64 = match unit_name {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_quote(unit_name),
                    go_quote(orig)
                ))
            }
        };
        if whole > LIMIT / unit {
            return Err(invalid());
        }
        let mut v = whole * unit;
        if frac > 0 {
            v += (frac as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        total += v;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if negative {
        return Ok((total as i128).wrapping_neg() as i64);
    }
    i64::try_from(total).map_err(|_| invalid())
}

fn timeadd(args: &[Value], _: &FuncContext) -> FuncResult {
    let t = strict_arg(args, 0, "timestamp").map_err(FuncError::call)?;
    let duration = parse_duration(&string(args, 1, "duration")?).map_err(FuncError::call)?;
    let sum = t
        .checked_add_signed(chrono::Duration::nanoseconds(duration))
        .ok_or_else(|| FuncError::call("the resulting time is out of range"))?;
    Ok(Value::String(rfc3339(&sum)))
}

fn timecmp(args: &[Value], _: &FuncContext) -> FuncResult {
    let parse = |index: usize, param: &str| {
        let s = string(args, index, param)?;
        parse_go(&s).map_err(|e| invalid(index, param, describe(e, false)))
    };
    let a = parse(0, "timestamp_a")?;
    let b = parse(1, "timestamp_b")?;
    Ok(Value::Number(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1.0,
        std::cmp::Ordering::Equal => 0.0,
        std::cmp::Ordering::Greater => 1.0,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::args::testing::{err, n, ok, run, s};
    use super::parse_duration;

    #[test]
    fn timestamp_is_rfc3339_utc() {
        let v = ok("timestamp", vec![]);
        let text = v.as_str().unwrap();
        assert_eq!(text.len(), 20, "{text}");
        assert!(text.ends_with('Z'));
        assert!(chrono::DateTime::parse_from_rfc3339(text).is_ok());
        assert!(run("timestamp", vec![s("x")]).is_err());
    }

    #[test]
    fn plantimestamp_is_fixed_for_the_run() {
        let first = ok("plantimestamp", vec![]);
        assert!(chrono::DateTime::parse_from_rfc3339(first.as_str().unwrap()).is_ok());
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(ok("plantimestamp", vec![]), first);
        assert_eq!(super::plan_timestamp(), first.as_str().unwrap());
        assert!(!super::use_plan_timestamp("2020-01-01T00:00:00Z"));
    }

    fn fd(format: &str, time: &str) -> String {
        ok("formatdate", vec![s(format), s(time)])
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn formatdate_verbs() {
        // Terraform's documented examples.
        let t = "2018-01-02T23:12:01Z";
        assert_eq!(fd("DD MMM YYYY hh:mm ZZZ", t), "02 Jan 2018 23:12 UTC");
        assert_eq!(
            fd("EEEE, DD-MMM-YY hh:mm:ss ZZZ", t),
            "Tuesday, 02-Jan-18 23:12:01 UTC"
        );
        assert_eq!(
            fd("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00"),
            "Tue, 02 Jan 2018 23:12:01 -0800"
        );
        assert_eq!(fd("MMM DD, YYYY", t), "Jan 02, 2018");
        assert_eq!(fd("HH:mmaa", t), "11:12pm");
        assert_eq!(fd("H:mm AA", "2018-01-02T00:05:09Z"), "12:05 AM");
        assert_eq!(fd("M/D h:m:s", "2018-03-04T05:06:07Z"), "3/4 5:6:7");
        assert_eq!(fd("MMMM EEE", t), "January Tue");
        assert_eq!(fd("Z ZZZZ ZZZZZ", t), "Z +0000 +00:00");
        assert_eq!(
            fd("Z ZZZ ZZZZ ZZZZZ", "2018-01-02T23:12:01+05:30"),
            "+05:30 +0530 +0530 +05:30"
        );
        // Fractional seconds are read and dropped.
        assert_eq!(fd("hh:mm:ss", "2018-01-02T23:12:01.999Z"), "23:12:01");
    }

    #[test]
    fn formatdate_literals() {
        let t = "2018-01-02T23:12:01Z";
        assert_eq!(fd("'Date:' YYYY", t), "Date: 2018");
        assert_eq!(fd("h'h'mm", t), "23h12");
        assert_eq!(fd("YYYY''MM", t), "2018'01");
        assert_eq!(fd("'it''s' YY", t), "it's 18");
        assert_eq!(fd("-- / :", t), "-- / :");
        assert_eq!(fd("", t), "");
        assert_eq!(
            err("formatdate", vec![s("'abc"), s(t)]),
            "Invalid value for \"format\" parameter: unterminated literal '."
        );
        assert_eq!(
            err("formatdate", vec![s("YYY"), s(t)]),
            "Invalid value for \"format\" parameter: invalid date format verb \"YYY\": year must either be \"YY\" or \"YYYY\"."
        );
        assert_eq!(
            err("formatdate", vec![s("A"), s(t)]),
            "Invalid value for \"format\" parameter: invalid date format verb \"A\": must be \"AA\"."
        );
        assert_eq!(
            err("formatdate", vec![s("x"), s(t)]),
            "Invalid value for \"format\" parameter: invalid date format verb \"x\"."
        );
        assert_eq!(
            err("formatdate", vec![s("ZZ"), s(t)]),
            "Invalid value for \"format\" parameter: invalid date format verb \"ZZ\": timezone must be Z, ZZZZ, or ZZZZZ."
        );
    }

    #[test]
    fn timestamps_are_read_strictly_with_terraforms_words() {
        let e = |ts: &str| {
            let msg = err("formatdate", vec![s("YYYY"), s(ts)]);
            msg.strip_prefix("Invalid value for \"time\" parameter: not a valid RFC3339 timestamp")
                .and_then(|m| m.strip_suffix('.'))
                .unwrap_or_else(|| panic!("{msg}"))
                .to_string()
        };
        assert_eq!(e("2018-01-02"), ": missing required time introducer 'T'");
        assert_eq!(
            e("2018-01-02 23:12:01Z"),
            ": missing required time introducer 'T'"
        );
        assert_eq!(
            e("2018/01/02T23:12:01Z"),
            ": found \"/01/02T23:12:01Z\" where \"-\" is expected"
        );
        assert_eq!(
            e("2018-01-02T23:12"),
            ": end of string where \":\" is expected"
        );
        assert_eq!(
            e("2018-01-02T23:12:01"),
            ": end of string before UTC offset"
        );
        assert_eq!(
            e("18-01-02T23:12:01Z"),
            ": cannot use \"18-01-02T23:12:01Z\" as year"
        );
        assert_eq!(
            e("2018-13-02T23:12:01Z"),
            ": cannot use \"-02T23:12:01Z\" as month"
        );
        assert_eq!(e("2018-02-30T23:12:01Z"), ": day out of range");
        assert_eq!(
            e("2018-01-02T24:00:00Z"),
            ": hour must be between 0 and 23 inclusive"
        );
        assert_eq!(
            e("2018-01-02T1:00:00Z"),
            ": hour must have exactly two digits"
        );
        assert_eq!(
            e("2018-01-02T10:0:00Z"),
            ": minute must have exactly two digits"
        );
        assert_eq!(
            e("2018-01-02T10:00:00,5Z"),
            ": cannot use \",\" as timestamp segment"
        );
        assert_eq!(
            e("2018-01-02T10:00:00+24:00"),
            ": cannot use \"+24:00\" as UTC offset"
        );
        assert_eq!(
            e("2018-01-02T10:00:00z"),
            ": cannot use \"z\" as UTC offset"
        );
        assert_eq!(
            e("2018-01-02T10:00:00Zjunk"),
            ": cannot use \"junk\" as timestamp segment"
        );
    }

    #[test]
    fn timeadd_keeps_the_offset() {
        let add = |ts: &str, d: &str| ok("timeadd", vec![s(ts), s(d)]);
        assert_eq!(
            add("2017-11-22T00:00:00Z", "10m"),
            s("2017-11-22T00:10:00Z")
        );
        assert_eq!(
            add("2017-11-22T00:00:00Z", "1h30m"),
            s("2017-11-22T01:30:00Z")
        );
        assert_eq!(
            add("2017-11-22T00:00:00Z", "-10m"),
            s("2017-11-21T23:50:00Z")
        );
        assert_eq!(
            add("2017-11-22T00:00:00Z", "1.5h"),
            s("2017-11-22T01:30:00Z")
        );
        assert_eq!(
            add("2017-11-22T00:00:00Z", "8760h"),
            s("2018-11-22T00:00:00Z")
        );
        assert_eq!(
            add("2017-11-22T00:00:00+05:30", "30m"),
            s("2017-11-22T00:30:00+05:30")
        );
        assert_eq!(
            add("2017-11-22T00:00:00.7Z", "300ms"),
            s("2017-11-22T00:00:01Z")
        );
        assert_eq!(
            add("2017-11-22T00:00:00+00:00", "0"),
            s("2017-11-22T00:00:00Z")
        );
        assert_eq!(
            err("timeadd", vec![s("2017-11-22T00:00:00Z"), s("1x")]),
            "time: unknown unit \"x\" in duration \"1x\""
        );
        assert_eq!(
            err("timeadd", vec![s("2017-11-22"), s("1h")]),
            "not a valid RFC3339 timestamp: missing required time introducer 'T'"
        );
    }

    #[test]
    fn durations_follow_go() {
        let h = 3_600_000_000_000i64;
        assert_eq!(parse_duration("1h30m"), Ok(h + h / 2));
        assert_eq!(parse_duration("-1.5h"), Ok(-(h + h / 2)));
        assert_eq!(parse_duration("+5s"), Ok(5_000_000_000));
        assert_eq!(parse_duration(".5s"), Ok(500_000_000));
        assert_eq!(parse_duration("1.s"), Ok(1_000_000_000));
        assert_eq!(parse_duration("1us1µs1μs1ns"), Ok(3001));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("-0"), Ok(0));
        assert_eq!(parse_duration("2562047h47m16.854775807s"), Ok(i64::MAX));
        assert_eq!(parse_duration("-2562047h47m16.854775808s"), Ok(i64::MIN));
        assert_eq!(
            parse_duration(""),
            Err("time: invalid duration \"\"".into())
        );
        assert_eq!(
            parse_duration("1"),
            Err("time: missing unit in duration \"1\"".into())
        );
        assert_eq!(
            parse_duration("h"),
            Err("time: invalid duration \"h\"".into())
        );
        assert_eq!(
            parse_duration(".h"),
            Err("time: invalid duration \".h\"".into())
        );
        assert_eq!(
            parse_duration("-"),
            Err("time: invalid duration \"-\"".into())
        );
        assert_eq!(
            parse_duration("3000000h"),
            Err("time: invalid duration \"3000000h\"".into())
        );
        assert_eq!(
            parse_duration("1 h"),
            Err("time: unknown unit \" h\" in duration \"1 h\"".into())
        );
        assert_eq!(
            parse_duration("1é"),
            Err("time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\"".into())
        );
    }

    #[test]
    fn timecmp_compares_instants() {
        let cmp = |a: &str, b: &str| ok("timecmp", vec![s(a), s(b)]);
        assert_eq!(cmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z"), n(0.0));
        assert_eq!(cmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z"), n(-1.0));
        assert_eq!(cmp("2017-11-22T01:00:00Z", "2017-11-22T00:00:00Z"), n(1.0));
        assert_eq!(
            cmp("2017-11-22T01:00:00+01:00", "2017-11-22T00:00:00Z"),
            n(0.0)
        );
        assert_eq!(
            cmp("2017-11-22T00:00:00.5Z", "2017-11-22T00:00:00Z"),
            n(1.0)
        );
        // Go's plain parser takes a one-digit hour, unlike formatdate's.
        assert_eq!(cmp("2017-11-22T1:00:00Z", "2017-11-22T01:00:00Z"), n(0.0));
        assert_eq!(
            err("timecmp", vec![s("2017-11-22T00:00:00Z"), s("nope")]),
            "Invalid value for \"timestamp_b\" parameter: not a valid RFC3339 timestamp: cannot use \"nope\" as year."
        );
    }
}
