//! Numeric functions: `min max abs ceil floor signum pow log sum parseint`. Numbers are `f64`;
//! numeric strings convert as in Terraform (`abs("-3")` is 3).

use super::args::{invalid, number, sequence, to_number, value, whole};
use super::{FuncContext, FuncError, FuncResult, Function};
use crate::lang::value::Value;

pub const FUNCTIONS: &[Function] = &[
    Function::new("min", 1, None, min),
    Function::new("max", 1, None, max),
    Function::new("abs", 1, Some(1), abs),
    Function::new("ceil", 1, Some(1), ceil),
    Function::new("floor", 1, Some(1), floor),
    Function::new("signum", 1, Some(1), signum),
    Function::new("pow", 2, Some(2), pow),
    Function::new("log", 2, Some(2), log),
    Function::new("sum", 1, Some(1), sum),
    Function::new("parseint", 2, Some(2), parseint),
];

fn numbers(args: &[Value]) -> Result<Vec<f64>, FuncError> {
    if args.is_empty() {
        return Err(FuncError::call("must pass at least one number"));
    }
    (0..args.len())
        .map(|i| number(args, i, "numbers"))
        .collect()
}

fn min(args: &[Value], _: &FuncContext) -> FuncResult {
    Ok(Value::Number(
        numbers(args)?.into_iter().fold(f64::INFINITY, f64::min),
    ))
}

fn max(args: &[Value], _: &FuncContext) -> FuncResult {
    Ok(Value::Number(
        numbers(args)?.into_iter().fold(f64::NEG_INFINITY, f64::max),
    ))
}

fn unary(args: &[Value], op: fn(f64) -> f64) -> FuncResult {
    Ok(Value::Number(op(number(args, 0, "num")?)))
}

fn abs(args: &[Value], _: &FuncContext) -> FuncResult {
    unary(args, f64::abs)
}

fn ceil(args: &[Value], _: &FuncContext) -> FuncResult {
    unary(args, f64::ceil)
}

fn floor(args: &[Value], _: &FuncContext) -> FuncResult {
    unary(args, f64::floor)
}

fn signum(args: &[Value], _: &FuncContext) -> FuncResult {
    unary(args, |n| if n == 0.0 { 0.0 } else { n.signum() })
}

fn pow(args: &[Value], _: &FuncContext) -> FuncResult {
    let base = number(args, 0, "num")?;
    let power = number(args, 1, "power")?;
    Ok(Value::Number(base.powf(power)))
}

fn log(args: &[Value], _: &FuncContext) -> FuncResult {
    let num = number(args, 0, "num")?;
    let base = number(args, 1, "base")?;
    Ok(Value::Number(num.ln() / base.ln()))
}

fn sum(args: &[Value], _: &FuncContext) -> FuncResult {
    let items = sequence(args, 0, "list")?;
    if items.is_empty() {
        return Err(super::args::invalid(0, "list", "cannot sum an empty list"));
    }
    let mut total = 0.0;
    for item in items {
        total += to_number(item).ok_or_else(|| {
            super::args::invalid(
                0,
                "list",
                "argument must be list, set, or tuple of number values",
            )
        })?;
    }
    Ok(Value::Number(total))
}

/// Go's `big.Int.SetString(s, base)`: an optional sign, then at least one digit; digits are
/// `0-9a-z` case-insensitively up to base 36, and `0-9a-zA-Z` (lower before upper) above it.
/// No prefixes (`0x`) or underscores.
fn parse_integer(text: &str, base: u32) -> Option<f64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    // Exact while it fits in a u128; beyond that, f64 is all a number can hold anyway.
    let mut exact: Option<u128> = Some(0);
    let mut approx = 0.0f64;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + 36,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        exact = exact.and_then(|n| n.checked_mul(base as u128)?.checked_add(d as u128));
        approx = approx * base as f64 + d as f64;
    }
    let magnitude = exact.map_or(approx, |n| n as f64);
    Some(if negative { -magnitude } else { magnitude })
}

fn parseint(args: &[Value], _: &FuncContext) -> FuncResult {
    let text = match value(args, 0, "number")? {
        Value::String(text) => text,
        other => {
            return Err(invalid(
                0,
                "number",
                format!("first argument must be a string, not {}", other.type_name()),
            ))
        }
    };
    let base = whole(args, 1, "base")?;
    if !(2.0..=62.0).contains(&base) {
        return Err(invalid(
            1,
            "base",
            "base must be a whole number between 2 and 62 inclusive",
        ));
    }
    let base = base as u32;
    parse_integer(text, base).map(Value::Number).ok_or_else(|| {
        invalid(
            0,
            "number",
            format!("cannot parse {text:?} as a base {base} integer"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::args::testing::{err, n, nums, ok, run, s};

    #[test]
    fn parseint_follows_go_big_int() {
        let p = |text: &str, base: f64| ok("parseint", vec![s(text), n(base)]);
        assert_eq!(p("100", 10.0), n(100.0));
        assert_eq!(p("FF", 16.0), n(255.0));
        assert_eq!(p("ff", 16.0), n(255.0));
        assert_eq!(p("-10", 16.0), n(-16.0));
        assert_eq!(p("+11", 2.0), n(3.0));
        assert_eq!(p("1011111011101111", 2.0), n(48879.0));
        assert_eq!(p("aA", 62.0), n(10.0 * 62.0 + 36.0));
        assert_eq!(p("zZ", 36.0), n(35.0 * 36.0 + 35.0));
        assert_eq!(p("9007199254740993", 10.0), n(9007199254740993.0));
        assert_eq!(
            err("parseint", vec![s("12"), n(2.0)]),
            "Invalid value for \"number\" parameter: cannot parse \"12\" as a base 2 integer."
        );
        for bad in ["", "-", "0x10", "1_000", " 1", "1.5"] {
            assert!(
                err("parseint", vec![s(bad), n(10.0)]).contains("cannot parse"),
                "{bad:?}"
            );
        }
        for base in [1.0, 63.0, -2.0] {
            assert_eq!(
                err("parseint", vec![s("1"), n(base)]),
                "Invalid value for \"base\" parameter: base must be a whole number between 2 and 62 inclusive."
            );
        }
        assert!(err("parseint", vec![s("1"), n(2.5)]).contains("whole number"));
        assert_eq!(
            err("parseint", vec![n(100.0), n(10.0)]),
            "Invalid value for \"number\" parameter: first argument must be a string, not number."
        );
    }
    use crate::lang::value::Value;

    #[test]
    fn min_max() {
        assert_eq!(ok("min", vec![n(12.0), n(54.0), n(3.0)]), n(3.0));
        assert_eq!(ok("max", vec![n(12.0), n(54.0), n(3.0)]), n(54.0));
        assert_eq!(ok("max", vec![n(-1.0)]), n(-1.0));
        assert_eq!(ok("min", vec![s("5"), n(7.0)]), n(5.0));
        assert!(err("min", vec![s("x")]).contains("number required"));
        assert!(err("max", vec![]).contains("at least 1"));
    }

    #[test]
    fn rounding_and_sign() {
        assert_eq!(ok("abs", vec![n(-12.4)]), n(12.4));
        assert_eq!(ok("abs", vec![n(0.0)]), n(0.0));
        assert_eq!(ok("ceil", vec![n(5.1)]), n(6.0));
        assert_eq!(ok("ceil", vec![n(-5.1)]), n(-5.0));
        assert_eq!(ok("floor", vec![n(4.9)]), n(4.0));
        assert_eq!(ok("floor", vec![n(-4.1)]), n(-5.0));
        assert_eq!(ok("signum", vec![n(-13.0)]), n(-1.0));
        assert_eq!(ok("signum", vec![n(0.0)]), n(0.0));
        assert!(err("abs", vec![Value::Null]).contains("must not be null"));
        assert!(err("floor", vec![Value::List(vec![])]).contains("number required"));
        assert_eq!(run("ceil", vec![Value::Unknown]).unwrap(), Value::Unknown);
    }

    #[test]
    fn pow_log_sum() {
        assert_eq!(ok("pow", vec![n(3.0), n(2.0)]), n(9.0));
        assert_eq!(ok("pow", vec![n(4.0), n(0.0)]), n(1.0));
        assert_eq!(ok("log", vec![n(16.0), n(2.0)]), n(4.0));
        assert_eq!(ok("sum", vec![nums(&[10.0, 13.0, 6.0, 4.5])]), n(33.5));
        assert!(err("sum", vec![nums(&[])]).contains("cannot sum an empty list"));
        assert!(err("sum", vec![Value::List(vec![s("x")])]).contains("number values"));
    }
}
