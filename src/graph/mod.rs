//! The dependency graph: a plain DAG ([`dag`]), the configuration graph built from references
//! ([`build`]), and the evaluation walk that expands `count`/`for_each` into resource instances
//! ([`walk`]).

pub mod build;
pub mod dag;
pub mod dot;
mod loaded;
pub mod walk;

pub use loaded::Loaded;
