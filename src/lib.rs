//! ecsform: a Terraform-style plan/apply engine for AWS ECS clusters on EC2.
//!
//! The pipeline is `config` (read HCL, keep spans) → `lang` (evaluate) → `graph` (instances
//! and dependencies). See `DESIGN.md` in the shared docs, the README and docs/.

pub mod addrs;
pub mod apply;
pub mod aws;
pub mod cli;
pub mod config;
pub mod diag;
pub mod fmt;
pub mod graph;
pub mod interrupt;
pub mod lang;
pub mod ops;
pub mod plan;
pub mod provider;
pub mod render;
pub mod state;
pub mod timings;
