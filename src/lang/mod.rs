//! Expression evaluation: values with unknown/sensitive marks, type constraints, functions.
//!
//! `lang` knows nothing about state, plans or AWS; it evaluates HCL expressions against a
//! scope supplied by the caller.

/// The version of the Terraform language ecsform implements, checked against
/// `required_version` constraints.
pub const TERRAFORM_LANGUAGE_VERSION: &str = "1.9.0";

pub mod eval;
pub mod functions;
pub mod json_parts;
pub mod limits;
pub mod refs;
pub mod types;
pub mod value;

pub use value::Value;
