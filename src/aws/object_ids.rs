//! The ids of the objects the resource types manage: recorded in a state ([`state_id`]), or
//! answered by a create call ([`created_id`]).

use super::error::ApiError;
use crate::aws::error::Result;
use crate::lang::Value;
use crate::provider::values::get_str;

/// The id recorded in `state` (a name or an ARN, as the type records it); a state without one
/// is an error naming the type (`aws_lb state has no id`).
pub fn state_id<'a>(state: &'a Value, type_name: &str) -> Result<&'a str> {
    get_str(state, "id").ok_or_else(|| ApiError::malformed(format!("{type_name} state has no id")))
}

/// The id (an ARN, mostly) a create call answered; an answer without one is the error
/// `missing` says (`CreateListener returned no ARN`).
pub fn created_id(id: Option<&str>, missing: &str) -> Result<String> {
    id.map(String::from)
        .ok_or_else(|| ApiError::malformed(missing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_ids_are_errors_saying_what_lacks_one() {
        let state = Value::map([("id", Value::string("web"))]);
        assert_eq!(state_id(&state, "aws_lb").unwrap(), "web");
        let err = state_id(&Value::map([("id", Value::Null)]), "aws_lb").unwrap_err();
        assert_eq!(err.message, "aws_lb state has no id");
        assert_eq!(created_id(Some("arn:x"), "X").unwrap(), "arn:x");
        let err = created_id(None, "CreateRule returned no ARN").unwrap_err();
        assert_eq!(err.message, "CreateRule returned no ARN");
    }
}
