//! What `aws_autoscaling_policy` and `aws_appautoscaling_policy` share: the provider's
//! `step_adjustment` and `predefined_metric_specification` blocks, and the step bounds the
//! provider writes as strings ("" or unset for an open interval) where AWS has numbers.
//!
//! Each type converts to and from its own SDK's types (Auto Scaling and Application Auto
//! Scaling have different ones); the schemas and the bound conversions are here once.

use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{block_object, get_number, get_str};
use crate::provider::AttrSchema;

/// `step_adjustment { metric_interval_lower_bound, metric_interval_upper_bound,
/// scaling_adjustment }` (a set).
pub static STEP_ADJUSTMENT: &[AttrSchema] = attrs![
    optional String: metric_interval_lower_bound metric_interval_upper_bound;
    required Number: scaling_adjustment;
];

/// `predefined_metric_specification { predefined_metric_type, resource_label }`.
pub static PREDEFINED_METRIC: &[AttrSchema] = attrs![
    required String: predefined_metric_type;
    optional String: resource_label;
];

/// A step's bound as AWS takes it: the provider's string, unset or empty for an open end.
/// A bound that is not a number is `Err` with AWS's wording of the constraint.
pub fn parse_bound(step: &Value, name: &str) -> Result<Option<f64>, String> {
    match get_str(step, name).map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<f64>()
            .map(Some)
            .map_err(|_| format!("{name} must be a number, not {s:?}")),
    }
}

/// A bound AWS reports, as the provider records it (`0`, `10.5`), or null for an open end.
pub fn bound_value(b: Option<f64>) -> Value {
    match b {
        Some(n) if n.fract() == 0.0 && n.abs() < 1e15 => Value::string(format!("{}", n as i64)),
        Some(n) => Value::string(n.to_string()),
        None => Value::Null,
    }
}

/// A set of `step_adjustment` blocks with open ends written as AWS reports them: an empty
/// bound (the provider's way to write an open end in configuration) becomes null, so that a
/// step configured with `""` compares equal to the step read back. Anything else (unknown
/// values included) is kept.
pub fn open_ends_null(steps: Value) -> Value {
    let Value::Set(items) = steps else {
        return steps;
    };
    let items = items
        .into_iter()
        .map(|step| match step {
            Value::Map(mut m) => {
                for bound in ["metric_interval_lower_bound", "metric_interval_upper_bound"] {
                    if m.get(bound).and_then(Value::as_str) == Some("") {
                        m.insert(bound.to_string(), Value::Null);
                    }
                }
                Value::Map(m)
            }
            other => other,
        })
        .collect();
    Value::set(items)
}

/// One `step_adjustment` object as read from AWS.
pub fn step_object(lower: Option<f64>, upper: Option<f64>, adjustment: Option<i32>) -> Value {
    block_object(
        STEP_ADJUSTMENT,
        [
            ("metric_interval_lower_bound", bound_value(lower)),
            ("metric_interval_upper_bound", bound_value(upper)),
            (
                "scaling_adjustment",
                adjustment.map(Value::number).unwrap_or(Value::Null),
            ),
        ],
    )
}

/// A planned step's bounds and adjustment, or the reason it cannot be sent.
pub fn step_parts(step: &Value) -> Result<(Option<f64>, Option<f64>, i32), String> {
    let lower = parse_bound(step, "metric_interval_lower_bound")?;
    let upper = parse_bound(step, "metric_interval_upper_bound")?;
    let adjustment = get_number(step, "scaling_adjustment").unwrap_or_default() as i32;
    Ok((lower, upper, adjustment))
}

/// One `predefined_metric_specification` object as read from AWS.
pub fn predefined_object(metric_type: Option<&str>, label: Option<&str>) -> Value {
    block_object(
        PREDEFINED_METRIC,
        [
            (
                "predefined_metric_type",
                crate::provider::values::opt_str(metric_type),
            ),
            ("resource_label", crate::provider::values::opt_str(label)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_the_providers_strings() {
        assert_eq!(bound_value(Some(0.0)), Value::string("0"));
        assert_eq!(bound_value(Some(10.5)), Value::string("10.5"));
        assert_eq!(bound_value(Some(-20.0)), Value::string("-20"));
        assert_eq!(bound_value(None), Value::Null);
        let step = |lower: &str| {
            Value::map([
                ("metric_interval_lower_bound", Value::string(lower)),
                ("scaling_adjustment", Value::number(2)),
            ])
        };
        assert_eq!(step_parts(&step("0")).unwrap(), (Some(0.0), None, 2));
        assert_eq!(step_parts(&step("")).unwrap(), (None, None, 2));
        assert_eq!(step_parts(&step("12.5")).unwrap(), (Some(12.5), None, 2));
        assert!(step_parts(&step("ten")).unwrap_err().contains("ten"));
        let open = open_ends_null(Value::set(vec![step(""), step("5")]));
        assert_eq!(
            open,
            Value::set(vec![
                step("5"),
                Value::map([
                    ("metric_interval_lower_bound", Value::Null),
                    ("scaling_adjustment", Value::number(2)),
                ]),
            ])
        );
    }
}
