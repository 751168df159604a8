//! ecsform: a Terraform-style plan/apply engine for AWS ECS clusters on EC2.
//!
//! The pipeline is `config` (read HCL, keep spans) → `lang` (evaluate) → `graph` (instances
//! and dependencies). See `DESIGN.md` in the shared docs and the README.

// `Diagnostic` is the error type throughout: it carries spans, detail and hints by design, and
// errors are rare, so its size in `Result` does not matter.
#![allow(clippy::result_large_err)]

pub mod addrs;
pub mod cli;
pub mod config;
pub mod diag;
pub mod engine;
pub mod graph;
pub mod lang;
