//! Date and time functions: `timestamp` (the current time, RFC 3339 in UTC, whole seconds).

use super::{FuncContext, FuncResult, Function};
use crate::lang::value::Value;

pub const FUNCTIONS: &[Function] = &[Function {
    name: "timestamp",
    min_args: 0,
    max_args: Some(0),
    nested_unknown: false,
    imp: timestamp,
}];

fn timestamp(_: &[Value], _: &FuncContext) -> FuncResult {
    let now = chrono::Utc::now();
    Ok(Value::String(now.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::args::testing::{ok, run, s};

    #[test]
    fn timestamp_is_rfc3339_utc() {
        let v = ok("timestamp", vec![]);
        let text = v.as_str().unwrap();
        assert_eq!(text.len(), 20, "{text}");
        assert!(text.ends_with('Z'));
        assert!(chrono::DateTime::parse_from_rfc3339(text).is_ok());
        assert!(run("timestamp", vec![s("x")]).is_err());
    }
}
