//! `ecsform graph`: print the resource-instance dependency graph as Graphviz DOT.

use super::{load_reporting, Io};
use crate::graph::dot;
use crate::ops::load::LoadOptions;

pub fn run(opts: &LoadOptions, full: bool, color: bool, io: &mut Io) -> u8 {
    let Some(loaded) = load_reporting(opts, color, io) else {
        return 1;
    };
    let _ = io
        .out
        .write_all(dot::render(&loaded.evaluated, full).as_bytes());
    0
}
