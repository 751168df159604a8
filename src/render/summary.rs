//! The plan in one line per changed resource instance, for plans too large to read attribute by
//! attribute:
//!
//! ```text
//!   + module.vpc.aws_subnet.private[0]
//! -/+ aws_launch_template.x  (forces replacement: image_id)
//!   - aws_x.y  (not in configuration)
//!
//! Plan: 1 to add, 0 to change, 2 to destroy.
//! ```
//!
//! Objects changed outside ecsform are listed first, output changes last. Values are never
//! shown, so nothing sensitive can be.

use std::fmt::Write as _;

use super::text::Style;
use crate::plan::{Action, Plan, ResourceChange};

/// Renders the summary; symbols coloured as in the text plan when `color`.
pub fn render(plan: &Plan, color: bool) -> String {
    let st = if color { Style::Ansi } else { Style::Plain };
    let mut out = String::new();
    for r in &plan.recovered {
        let _ = writeln!(out, "{}", super::text::recovered_line(r));
    }
    if !plan.recovered.is_empty() {
        out.push('\n');
    }
    if !plan.drift.is_empty() {
        let _ = writeln!(
            out,
            "Changed outside ecsform since the last apply ({}):",
            plan.drift.len()
        );
        for d in &plan.drift {
            let (sym, what) = match d.after {
                Some(_) => ("~", "changed"),
                None => ("-", "deleted"),
            };
            let _ = writeln!(out, "{} {}  ({what})", st.symbol_col(sym), d.addr);
        }
        out.push('\n');
    }
    let changes: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || plan.rollout(&c.addr).is_some())
        .collect();
    let outputs: Vec<_> = plan.outputs.iter().filter(|o| o.changed()).collect();
    if changes.is_empty() && outputs.is_empty() {
        out.push_str("No changes. Your infrastructure matches the configuration.\n");
        return out;
    }
    for c in &changes {
        let sym = match c.action {
            Action::NoOp => Action::Update.symbol(),
            a => a.symbol(),
        };
        let _ = write!(out, "{} {}", st.symbol_col(sym), c.addr);
        let mut notes = notes(c);
        if let Some(r) = plan.rollout(&c.addr) {
            notes.push(format!("instances replaced: {}", r.describe()));
        }
        if !notes.is_empty() {
            let _ = write!(out, "  ({})", notes.join("; "));
        }
        out.push('\n');
    }
    if !changes.is_empty() {
        out.push('\n');
    }
    let counts = plan.counts();
    if plan.destroy {
        let _ = writeln!(out, "Plan: {} to destroy.", counts.destroy);
    } else {
        let _ = writeln!(
            out,
            "Plan: {} to add, {} to change, {} to destroy.",
            counts.add, counts.change, counts.destroy
        );
    }
    if let Some(line) = super::text::rollout_summary(plan) {
        let _ = writeln!(out, "{line}");
    }
    if !outputs.is_empty() {
        let list: Vec<String> = outputs
            .iter()
            .map(|o| {
                let sym = match (&o.before, &o.after) {
                    (None, _) => "+",
                    (_, None) => "-",
                    _ => "~",
                };
                format!("{} {}", st.symbol(sym), o.name)
            })
            .collect();
        let _ = writeln!(out, "Changes to Outputs: {}", list.join(", "));
    }
    out
}

/// What the line says after the address: the attributes forcing a replacement and the reason,
/// without repeating the address (`aws_x.y is not in configuration` → `not in configuration`).
fn notes(c: &ResourceChange) -> Vec<String> {
    let mut notes = Vec::new();
    if c.action.is_replace() && !c.replace_paths.is_empty() {
        notes.push(format!(
            "forces replacement: {}",
            c.replace_paths.join(", ")
        ));
    }
    notes.extend(short_reason(c));
    notes
}

/// The change's reason without its own address: `aws_x.y is not in configuration` → `not in
/// configuration` (the address is written right before it).
pub(crate) fn short_reason(c: &ResourceChange) -> Option<String> {
    let reason = c.reason.as_deref()?;
    let addr = c.addr.to_string();
    let short = reason
        .strip_prefix(&addr)
        .and_then(|r| r.strip_prefix(" is "))
        .unwrap_or(reason);
    Some(short.to_string())
}
