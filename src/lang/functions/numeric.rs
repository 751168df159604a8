//! Numeric functions: `min max abs ceil floor signum pow log sum`. Numbers are `f64`; numeric
//! strings convert as in Terraform (`abs("-3")` is 3).

use super::args::{number, sequence, to_number};
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

#[cfg(test)]
mod tests {
    use super::super::args::testing::{err, n, nums, ok, run, s};
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
