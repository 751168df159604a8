//! The AWS provider's schemas, as ecsform implements them: each type's arguments, nested
//! blocks and exported attributes ([`schema`]), built from and completed with the provider's
//! own schema ([`reference`]), and helpers to read values that follow them ([`values`]).
//! What a type does with them lives with the type, in [`crate::aws`].

pub mod reference;
pub mod schema;
pub mod values;

pub(crate) use schema::attrs;
pub use schema::{AttrKind, AttrSchema, AttrType, BlockSchema, Nesting, Schema};
