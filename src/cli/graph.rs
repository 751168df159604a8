//! `ecsform graph`: print the resource-instance dependency graph as Graphviz DOT.

use super::Io;
use crate::engine::{self, LoadOptions};
use crate::graph::dot;

pub fn run(opts: &LoadOptions, full: bool, color: bool, io: &mut Io) -> u8 {
    let loaded = engine::load(opts);
    if !loaded.diags.is_empty() {
        let _ = io
            .err
            .write_all(loaded.diags.render(&loaded.sources, color).as_bytes());
    }
    if loaded.diags.has_errors() {
        return 1;
    }
    let _ = io
        .out
        .write_all(dot::render(&loaded.evaluated, full).as_bytes());
    0
}
