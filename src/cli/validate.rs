//! `ecsform validate`: load and evaluate the configuration, report every problem.

use super::{load_reporting, Io};
use crate::ops::load::LoadOptions;

pub fn run(opts: &LoadOptions, color: bool, io: &mut Io) -> u8 {
    let Some(loaded) = load_reporting(opts, color, io) else {
        return 1;
    };
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
