//! A working directory once loaded and evaluated: what every operation starts from.

use std::path::PathBuf;

use crate::config::Module;
use crate::diag::{Diagnostics, Sources};

use super::build::ConfigNode;
use super::dag::Dag;
use super::walk::{Evaluated, Settings};

/// A loaded and evaluated working directory.
pub struct Loaded {
    pub sources: Sources,
    /// The root module directory (canonical).
    pub dir: PathBuf,
    /// Root variable values as given, in precedence order.
    pub inputs: Vec<crate::config::inputs::RawInput>,
    pub module: Module,
    pub config_graph: Dag<ConfigNode>,
    pub evaluated: Evaluated,
    pub diags: Diagnostics,
}

impl Loaded {
    /// What the evaluation walk needs to evaluate this configuration again to plan it.
    pub fn settings(&self) -> Settings<'_> {
        Settings {
            sources: &self.sources,
            root_dir: &self.dir,
            inputs: &self.inputs,
            defer_unknown_expansion: false,
            pure_only: true,
        }
    }

    /// The same, to apply it: impure functions get their values.
    pub fn apply_settings(&self) -> Settings<'_> {
        Settings {
            pure_only: false,
            ..self.settings()
        }
    }
}
