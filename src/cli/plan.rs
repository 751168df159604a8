//! `ecsform plan`: refresh, plan, and show the changes in Terraform's shape.

use super::{print_diags, runtime, Ctx, Io};
use crate::ops;
use crate::plan::planfile::PlanFile;
use crate::render;

pub fn run(ctx: &Ctx, io: &mut Io) -> u8 {
    let opts = &ctx.run_options("plan");
    let (detailed_exitcode, color) = (ctx.cmd.detailed_exitcode, ctx.color);
    let rt = match runtime(io) {
        Some(rt) => rt,
        None => return 1,
    };
    match rt.block_on(ops::plan(opts)) {
        Err((diags, loaded)) => {
            print_diags(io, &diags, loaded.as_ref(), color);
            1
        }
        Ok(planned) => {
            print_diags(io, &planned.loaded.diags, Some(&planned.loaded), color);
            print_diags(io, &planned.warnings, Some(&planned.loaded), color);
            let _ = io
                .out
                .write_all(render::plan(&planned.plan, ctx.cmd.format, color).as_bytes());
            crate::timings::mark("rendered");
            if let Some(out) = &ctx.cmd.out {
                let path = ctx.resolve(out);
                let file = PlanFile::new(
                    &planned.plan,
                    &planned.loaded,
                    &opts.load.vars,
                    ops::state_stamp(&planned),
                    opts.refresh,
                );
                if let Err(e) = file.write(&path) {
                    let _ = writeln!(io.err, "Error: failed to save the plan: {e}");
                    return 1;
                }
                // Keep stdout a clean document for -json and -markdown.
                let note = format!(
                    "\nSaved the plan to: {}\n\nTo perform exactly these actions, run the following command to apply:\n    ecsform apply \"{}\"\n",
                    out.display(),
                    out.display()
                );
                let _ = if ctx.cmd.format == crate::cli::args::Format::Text {
                    io.out.write_all(note.as_bytes())
                } else {
                    io.err.write_all(note.as_bytes())
                };
            }
            let code = if detailed_exitcode && planned.plan.has_changes() {
                2
            } else {
                0
            };
            release(planned);
            code
        }
    }
}

/// Closes the state (releasing its lock) at once, and frees the rest of the plan in the
/// background ([`crate::timings::drop_in_background`]).
fn release(planned: ops::Planned) {
    let ops::Planned {
        loaded,
        plan,
        clients,
        default_tags,
        state,
        lock,
        warnings,
    } = planned;
    drop(state);
    drop(lock);
    crate::timings::drop_in_background((loaded, plan, clients, default_tags, warnings));
}
