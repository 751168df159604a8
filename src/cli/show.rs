//! `ecsform show [PLANFILE]`: with a plan file, the saved plan in any plan format (text,
//! `-json`, `-markdown`, `-summary`); without, the whole current state — every resource
//! instance as `state show` prints it, then the outputs — or, with `-json`, the document
//! `terraform show -json` writes for a state (sensitive values `null` and marked in
//! `sensitive_values`; sensitive outputs without a value).

use super::args::Format;
use super::state_cmd::{fail, open_state, print_json, sorted};
use super::{Ctx, Io};
use crate::diag::Diagnostic;
use crate::ops::load::TERRAFORM_LANGUAGE_VERSION;
use crate::plan::planfile::PlanFile;
use crate::render::{self, state as view};

pub fn run(ctx: &Ctx, io: &mut Io) -> u8 {
    match ctx.cmd.args.first() {
        Some(planfile) => show_plan(ctx, planfile, io),
        None => show_state(ctx, io),
    }
}

/// `show PLANFILE`: the saved plan again, in any plan format. Needs neither the
/// configuration nor AWS.
fn show_plan(ctx: &Ctx, planfile: &str, io: &mut Io) -> u8 {
    let file = match PlanFile::read(&ctx.resolve(std::path::Path::new(planfile))) {
        Ok(f) => f,
        Err(e) => {
            return fail(
                ctx,
                io,
                Diagnostic::error("Failed to read the saved plan", format!("{e}.")),
            )
        }
    };
    let plan = match file.decode_plan() {
        Ok(p) => p,
        Err(e) => return fail(ctx, io, Diagnostic::error("Invalid plan file", e)),
    };
    let _ = io
        .out
        .write_all(render::plan(&plan, ctx.cmd.format, ctx.color).as_bytes());
    0
}

/// `show` without a plan file: the current state.
pub fn show_state(ctx: &Ctx, io: &mut Io) -> u8 {
    if matches!(ctx.cmd.format, Format::Markdown | Format::Summary) {
        return fail(
            ctx,
            io,
            Diagnostic::error(
                "Unsupported format for the state",
                "-markdown and -summary show plans: ecsform show PLANFILE -markdown. For the \
                 state, use the default text or -json.",
            ),
        );
    }
    let json = ctx.cmd.format == Format::Json;
    let store = match open_state(ctx, io) {
        Ok(Some(store)) => store,
        Ok(None) => {
            if json {
                print_json(
                    io,
                    &serde_json::json!({ "format_version": view::JSON_FORMAT_VERSION }),
                );
            } else {
                let _ = writeln!(io.out, "No state.");
            }
            return 0;
        }
        Err(code) => return code,
    };
    let (records, outputs) = match (store.resources(), store.outputs()) {
        (Ok(r), Ok(o)) => (r, o),
        (Err(e), _) | (_, Err(e)) => {
            return fail(
                ctx,
                io,
                Diagnostic::error("Error reading the state", e.to_string()),
            )
        }
    };
    let records: Vec<_> = sorted(&records).into_iter().map(|(_, r)| r).collect();
    if json {
        print_json(
            io,
            &view::state_json(&records, &outputs, TERRAFORM_LANGUAGE_VERSION),
        );
        return 0;
    }
    if records.is_empty() && outputs.is_empty() {
        let _ = writeln!(
            io.out,
            "The state file is empty. No resources are represented."
        );
        return 0;
    }
    let mut text = String::new();
    for rec in &records {
        text.push_str(&view::instance_text(rec));
        text.push('\n');
    }
    if !outputs.is_empty() {
        text.push_str("\nOutputs:\n\n");
        text.push_str(&view::outputs_text(&outputs, "(sensitive value)"));
    }
    let _ = io.out.write_all(text.as_bytes());
    0
}
