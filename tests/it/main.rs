//! The integration tests: one crate, one binary to build and link (each module was a test
//! crate of its own). `support` holds what they share: the in-process CLI runner, the moto
//! harness (one server for the whole binary, taken by [`support::moto::exclusive`]), the fault
//! proxy and the generated configurations.
//!
//! Run one module's tests with `cargo test --test it MODULE::`, e.g. `cargo test --test it
//! rolling::`.

mod support;

mod architecture;
mod cli_state;
mod conformance_acm;
mod conformance_compute;
mod conformance_data;
mod conformance_dns;
mod conformance_ecs;
mod conformance_efs;
mod conformance_elb;
mod conformance_generated;
mod conformance_iam_logs_events;
mod conformance_lambda;
mod conformance_local;
mod conformance_network;
mod conformance_registry_secrets;
mod conformance_scaling;
mod conformance_security;
mod conformance_service_discovery;
mod conformance_storage;
mod crash;
mod e2e_ecs;
mod e2e_vpc;
mod examples;
mod faults;
mod fmt;
mod fuzz;
mod hostile_inputs;
mod idioms;
mod import;
mod invalid_configs;
mod legacy_syntax;
mod local_data;
mod moto_harness;
mod nested_blocks;
mod plan_render;
mod proxy;
mod rate_limits;
mod refresh_calls;
mod rolling;
mod saved_plans;
mod secrets;
mod state_commands;
mod state_safety;
mod valid_configs;
