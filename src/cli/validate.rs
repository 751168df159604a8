//! `ecsform validate`: load and evaluate the configuration, report every problem.

use super::Io;
use crate::engine::{self, LoadOptions};

pub fn run(opts: &LoadOptions, color: bool, io: &mut Io) -> u8 {
    let loaded = engine::load(opts);
    if !loaded.diags.is_empty() {
        let _ = io
            .err
            .write_all(loaded.diags.render(&loaded.sources, color).as_bytes());
    }
    if loaded.diags.has_errors() {
        return 1;
    }
    let modules = loaded.module.walk().len();
    let instances = loaded.evaluated.instances.len();
    let _ = writeln!(
        io.out,
        "Success! The configuration is valid ({instances} resource instance{} in {modules} module{}).",
        if instances == 1 { "" } else { "s" },
        if modules == 1 { "" } else { "s" },
    );
    0
}
