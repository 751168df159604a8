//! The limits that keep loading and evaluating a hostile or broken configuration bounded in
//! time and memory, and the per-expression [`Budget`] that enforces the evaluation ones.
//!
//! Terraform has none of these limits; they sit far above what a real configuration needs
//! (a whole ECS stack evaluates a few hundred kilobytes of values) and far below what would
//! exhaust a machine. Each one is reported as an error at the place that crossed it, never as
//! a crash. The parser's own nesting limit (64 levels of brackets, blocks, calls or template
//! directives) is hcl-edit's; JSON variable files stop at serde_json's 128 levels.

use super::value::Value;

/// The file limits are the configuration loader's, which evaluation shares.
pub use crate::config::limits::{read_file, MAX_FILE_BYTES, MAX_MODULE_CALLS};

/// The longest string an expression may produce (templates, `format`, `join`, `replace`...).
pub const MAX_STRING_BYTES: usize = 16 * 1024 * 1024;

/// How deeply values may nest (lists in lists, objects in objects).
pub const MAX_VALUE_DEPTH: usize = 128;

/// What evaluating one expression may produce in all, counted as the size of every string,
/// collection and function result it builds plus [`ITERATION_COST`] per `for` iteration.
pub const MAX_EXPRESSION_BYTES: usize = 64 * 1024 * 1024;

/// What one iteration of a `for` expression, template `for` directive or `dynamic` block
/// costs against [`MAX_EXPRESSION_BYTES`], so that a million iterations are the most one
/// expression can run even when they produce nothing.
pub const ITERATION_COST: usize = 64;

/// The most instances one `count` or `for_each` may ask for.
pub const MAX_INSTANCES: usize = 100_000;

/// The most width or precision a `format` verb may ask for (`%65535d`).
pub const MAX_FORMAT_WIDTH: usize = u16::MAX as usize;

/// Why evaluation stopped: a limit was crossed. The detail names the limit.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitError {
    pub summary: &'static str,
    pub detail: String,
}

/// Size and nesting of a value, measured without recursing past [`MAX_VALUE_DEPTH`] levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    /// Approximate bytes: string contents plus a fixed cost per value.
    pub bytes: usize,
    /// Levels of nesting; a primitive is 0. Saturates one past [`MAX_VALUE_DEPTH`].
    pub depth: usize,
}

/// Measures a value, stopping one level past the depth limit (so the walk itself stays shallow).
pub fn measure(v: &Value) -> Measure {
    fn walk(v: &Value, level: usize, bytes: &mut usize) -> usize {
        *bytes = bytes.saturating_add(std::mem::size_of::<Value>());
        if level > MAX_VALUE_DEPTH {
            return 0;
        }
        match v {
            Value::String(s) => {
                *bytes = bytes.saturating_add(s.len());
                0
            }
            Value::List(items) | Value::Set(items) => items
                .iter()
                .map(|i| walk(i, level + 1, bytes) + 1)
                .max()
                .unwrap_or(1),
            Value::Map(m) => m
                .iter()
                .map(|(k, i)| {
                    *bytes = bytes.saturating_add(k.len());
                    walk(i, level + 1, bytes) + 1
                })
                .max()
                .unwrap_or(1),
            Value::Sensitive(inner) => walk(inner, level, bytes),
            _ => 0,
        }
    }
    let mut bytes = 0;
    let depth = walk(v, 0, &mut bytes);
    Measure { bytes, depth }
}

/// Checks a value's nesting and string size; for values that do not come from an evaluation
/// (variable files, `-var`).
pub fn check_value(v: &Value) -> Result<(), LimitError> {
    let m = measure(v);
    if m.depth > MAX_VALUE_DEPTH {
        return Err(too_deep());
    }
    Ok(())
}

fn too_deep() -> LimitError {
    LimitError {
        summary: "Value nested too deeply",
        detail: format!("The value is nested more than {MAX_VALUE_DEPTH} levels deep (lists or objects inside each other); ecsform does not evaluate values this deep."),
    }
}

/// Checks the length of a string about to be built or just built.
pub fn check_string_len(len: usize) -> Result<(), LimitError> {
    if len > MAX_STRING_BYTES {
        return Err(LimitError {
            summary: "String too long",
            detail: format!(
                "The result would be a string of {} bytes; strings are limited to {} MiB.",
                len,
                MAX_STRING_BYTES / (1024 * 1024)
            ),
        });
    }
    Ok(())
}

/// What one expression's evaluation has produced so far.
#[derive(Debug, Default, Clone)]
pub struct Budget {
    used: usize,
}

impl Budget {
    /// Charges a value just built (a collection, a string, a function's result): its size
    /// against the budget, its nesting against [`MAX_VALUE_DEPTH`], its strings against
    /// [`MAX_STRING_BYTES`].
    pub fn charge_value(&mut self, v: &Value) -> Result<(), LimitError> {
        let m = measure(v);
        if m.depth > MAX_VALUE_DEPTH {
            return Err(too_deep());
        }
        if let Value::String(s) = v.unmarked() {
            check_string_len(s.len())?;
        }
        self.charge(m.bytes)
    }

    /// Charges `n` iterations of a `for` expression, template `for` or `dynamic` block.
    pub fn charge_iterations(&mut self, n: usize) -> Result<(), LimitError> {
        self.charge(n.saturating_mul(ITERATION_COST))
    }

    /// Charges bytes.
    pub fn charge(&mut self, bytes: usize) -> Result<(), LimitError> {
        self.used = self.used.saturating_add(bytes);
        if self.used > MAX_EXPRESSION_BYTES {
            return Err(LimitError {
                summary: "Expression too expensive",
                detail: format!(
                    "Evaluating this expression builds more than {} MiB of values (or runs more than {} iterations); ecsform stops rather than exhaust memory or time.",
                    MAX_EXPRESSION_BYTES / (1024 * 1024),
                    MAX_EXPRESSION_BYTES / ITERATION_COST
                ),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> Value {
        let mut v = Value::Number(1.0);
        for _ in 0..depth {
            v = Value::List(vec![v]);
        }
        v
    }

    #[test]
    fn measures_depth_and_size() {
        assert_eq!(measure(&Value::Number(1.0)).depth, 0);
        assert_eq!(measure(&Value::List(vec![])).depth, 1);
        assert_eq!(measure(&nested(3)).depth, 3);
        let s = measure(&Value::string("abcd"));
        assert_eq!(s.bytes, std::mem::size_of::<Value>() + 4);
        assert!(check_value(&nested(MAX_VALUE_DEPTH)).is_ok());
        let err = check_value(&nested(MAX_VALUE_DEPTH + 1)).unwrap_err();
        assert!(
            err.detail.contains("nested more than 128 levels"),
            "{err:?}"
        );
        // Far deeper values are measured without walking all the way down.
        assert_eq!(measure(&nested(1_000)).depth, MAX_VALUE_DEPTH + 1);
    }

    #[test]
    fn budget_counts_iterations_and_bytes() {
        let mut b = Budget::default();
        assert!(b
            .charge_iterations(MAX_EXPRESSION_BYTES / ITERATION_COST)
            .is_ok());
        let err = b.charge_iterations(1).unwrap_err();
        assert!(err.detail.contains("iterations"), "{err:?}");
        let mut b = Budget::default();
        let big = Value::string("x".repeat(MAX_STRING_BYTES + 1));
        assert!(b.charge_value(&big).unwrap_err().detail.contains("16 MiB"));
    }
}
