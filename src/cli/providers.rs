//! `ecsform providers schema -json`: the schemas of the supported types, in Terraform's format.

use super::args::{Command, Format};
use super::Io;
use crate::render::provider_schema::providers_schema;

pub fn run(cmd: &Command, io: &mut Io) -> u8 {
    match cmd.args.first().map(String::as_str) {
        Some("schema") if cmd.format == Format::Json => {
            let doc = providers_schema();
            let _ = writeln!(io.out, "{doc}");
            0
        }
        Some("schema") => {
            let _ = writeln!(
                io.err,
                "Error: The \"providers schema\" command requires the -json flag.\n\nUsage: ecsform providers schema -json"
            );
            1
        }
        Some(other) => {
            let _ = writeln!(
                io.err,
                "Error: unknown subcommand \"providers {other}\". ecsform supports \"providers schema -json\"."
            );
            1
        }
        None => {
            let _ = writeln!(
                io.err,
                "Error: ecsform supports \"providers schema -json\" only; its providers are built in (hashicorp/archive, hashicorp/aws, hashicorp/cloudinit, hashicorp/local, hashicorp/null, hashicorp/random, hashicorp/template, hashicorp/tls), so there is nothing to list or install."
            );
            1
        }
    }
}
