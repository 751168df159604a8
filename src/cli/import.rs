//! `ecsform import ADDR ID`: record an existing AWS object in the state at ADDR, with
//! Terraform's progress lines and closing message.

use super::{runtime, Ctx, Io};
use crate::addrs::ResourceInstanceAddr;
use crate::ops::import::{self, ImportHooks};

struct Progress<'a> {
    out: &'a mut dyn std::io::Write,
}

impl ImportHooks for Progress<'_> {
    fn importing(&mut self, addr: &ResourceInstanceAddr, import_id: &str) {
        let _ = writeln!(self.out, "{addr}: Importing from ID \"{import_id}\"...");
    }

    fn prepared(&mut self, addr: &ResourceInstanceAddr, type_name: &str) {
        let _ = writeln!(
            self.out,
            "{addr}: Import prepared!\n  Prepared {type_name} for import"
        );
    }

    fn refreshing(&mut self, addr: &ResourceInstanceAddr, id: &str) {
        let _ = writeln!(self.out, "{addr}: Refreshing state... [id={id}]");
    }
}

pub fn run(ctx: &Ctx, io: &mut Io) -> u8 {
    let [addr, id] = ctx.cmd.args.as_slice() else {
        let _ = writeln!(
            io.err,
            "Error: The import command expects two arguments: the resource address and the ID of the object.\n\n\
             Usage: ecsform import [options] ADDR ID\n\n\
             Run \"ecsform import -help\" for its options."
        );
        return 1;
    };
    let opts = ctx.run_options("import");
    let Some(rt) = runtime(io) else {
        return 1;
    };
    let color = ctx.color;
    let mut progress = Progress { out: io.out };
    let result = rt.block_on(import::import(&opts, addr, id, &mut progress));
    match result {
        Err(e) => {
            let _ = io
                .err
                .write_all(e.diags.render(&e.sources, color).as_bytes());
            1
        }
        Ok(outcome) => {
            if !outcome.warnings.is_empty() {
                let _ = io
                    .err
                    .write_all(outcome.warnings.render(&outcome.sources, color).as_bytes());
            }
            let _ = writeln!(
                io.out,
                "\nImport successful!\n\n\
                 The resources that were imported are shown above. These resources are now in\n\
                 your ecsform state and will henceforth be managed by ecsform."
            );
            if outcome.outputs_recorded {
                let _ = writeln!(
                    io.out,
                    "\nEvery resource of the configuration is now in the state and matches it, so\n\
                     the root module's outputs were recorded too."
                );
            }
            0
        }
    }
}
