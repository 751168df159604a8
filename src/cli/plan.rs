//! `ecsform plan`: refresh, plan, and show the changes in Terraform's shape.

use super::{print_diags, runtime, Ctx, Io};
use crate::ops;
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
            let _ = io
                .out
                .write_all(render::plan(&planned.plan, ctx.cmd.format, color).as_bytes());
            if detailed_exitcode && planned.plan.has_changes() {
                2
            } else {
                0
            }
        }
    }
}
