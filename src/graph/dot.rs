//! Graphviz DOT of the resource-instance graph, as printed by `ecsform graph`.
//!
//! Edges point from a dependent to what it depends on, as in Terraform's graphs. Instances of
//! each module instance are grouped in a cluster; data sources are drawn as ellipses.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::walk::Evaluated;
use crate::addrs::ModuleInstance;

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Renders the instance graph. Output is sorted, so it is stable run to run. Unless `full`,
/// edges implied by longer paths are left out (as `terraform graph` does), which keeps graphs
/// with module-wide `depends_on` readable.
pub fn render(ev: &Evaluated, full: bool) -> String {
    let mut out = String::from("digraph ecsform {\n");
    out.push_str("  compound = \"true\";\n  newrank = \"true\";\n  rankdir = \"RL\";\n");
    out.push_str("  node [shape = \"box\"];\n");
    let mut by_module: BTreeMap<&ModuleInstance, Vec<String>> = BTreeMap::new();
    for addr in ev.instances.keys() {
        let attrs = if addr.is_data() {
            " [shape = \"ellipse\"]"
        } else {
            ""
        };
        by_module
            .entry(&addr.module)
            .or_default()
            .push(format!("{}{attrs};", quote(&addr.to_string())));
    }
    for (module, nodes) in by_module {
        if module.is_root() {
            for n in nodes {
                let _ = writeln!(out, "  {n}");
            }
        } else {
            let _ = writeln!(out, "  subgraph {} {{", quote(&format!("cluster_{module}")));
            let _ = writeln!(out, "    label = {};", quote(&module.to_string()));
            for n in nodes {
                let _ = writeln!(out, "    {n}");
            }
            out.push_str("  }\n");
        }
    }
    let edges = if full {
        ev.graph.edges()
    } else {
        ev.graph.reduced_edges()
    };
    for (from, to) in edges {
        let _ = writeln!(
            out,
            "  {} -> {};",
            quote(&from.to_string()),
            quote(&to.to_string())
        );
    }
    out.push_str("}\n");
    out
}
