//! `ecsform show` (being written).

use super::{Ctx, Io};

pub fn run(ctx: &Ctx, io: &mut Io) -> u8 {
    let _ = writeln!(
        io.err,
        "Error: \"ecsform {}\" is not implemented yet.",
        ctx.cmd.name.name()
    );
    1
}
