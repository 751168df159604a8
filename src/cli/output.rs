//! `ecsform output [NAME]`: the root module's output values from the state, like
//! `terraform output`: all of them as `name = value` (sensitive ones as `<sensitive>`), one by
//! name (shown even if sensitive: it was asked for), `-json` and `-raw`.
//!
//! Unlike Terraform, `output -json` without a name leaves out the values of sensitive outputs
//! (`{"sensitive": true, "type": ...}` only); `output -json NAME` prints the value.

use super::args::Format;
use super::state_cmd::{fail, open_state, print_json, warn};
use super::{Ctx, Io};
use crate::diag::Diagnostic;
use crate::lang::eval::suggest;
use crate::lang::value::format_number;
use crate::lang::Value;
use crate::render::state as view;

pub fn run(ctx: &Ctx, io: &mut Io) -> u8 {
    let json = ctx.cmd.format == Format::Json;
    if ctx.cmd.raw && json {
        return fail(
            ctx,
            io,
            Diagnostic::error(
                "Invalid output format",
                "The -raw and -json options cannot be used together.",
            ),
        );
    }
    let name = ctx.cmd.args.first();
    if ctx.cmd.raw && name.is_none() {
        return fail(
            ctx,
            io,
            Diagnostic::error(
                "Output name required",
                "The -raw option prints a single output value: ecsform output -raw NAME.",
            ),
        );
    }
    let outputs = match open_state(ctx, io) {
        Ok(Some(store)) => match store.outputs() {
            Ok(o) => o,
            Err(e) => {
                return fail(
                    ctx,
                    io,
                    Diagnostic::error("Error reading the state", e.to_string()),
                )
            }
        },
        Ok(None) => Vec::new(),
        Err(code) => return code,
    };
    let Some(name) = name else {
        if json {
            print_json(io, &view::outputs_json(&outputs));
            return 0;
        }
        if outputs.is_empty() {
            warn(
                ctx,
                io,
                Diagnostic::warning(
                    "No outputs found",
                    format!(
                        "The state file ({}) either does not exist or has no outputs. Define \
                         an output in the configuration with an output block and run \
                         ecsform apply for it to become available.",
                        ctx.state_path.display()
                    ),
                ),
            );
            return 0;
        }
        let _ = io
            .out
            .write_all(view::outputs_text(&outputs, "<sensitive>").as_bytes());
        return 0;
    };
    let Some((_, value, _)) = outputs.iter().find(|(n, _, _)| n == name) else {
        let names: Vec<&str> = outputs.iter().map(|(n, _, _)| n.as_str()).collect();
        let mut d = Diagnostic::error(
            format!("Output \"{name}\" not found"),
            "The output variable requested could not be found in the state file. If you \
             recently added it to the configuration, run ecsform apply first: the state gets \
             new outputs only then.",
        );
        if let Some(s) = suggest(name, &names) {
            d = d.hint(format!("Did you mean \"{s}\"?"));
        }
        return fail(ctx, io, d);
    };
    if json {
        let _ = writeln!(io.out, "{value}");
        return 0;
    }
    let value = Value::from_json(value);
    if ctx.cmd.raw {
        let text = match &value {
            Value::String(s) => s.clone(),
            Value::Number(n) => format_number(*n),
            Value::Bool(b) => b.to_string(),
            other => {
                let what = if other.is_null() {
                    "null".to_string()
                } else {
                    format!("a {}", other.type_name())
                };
                return fail(
                    ctx,
                    io,
                    Diagnostic::error(
                        "Unsupported value for raw output",
                        format!(
                            "The -raw option only supports strings, numbers, and boolean values, \
                             but output value \"{name}\" is {what}. Use -json for values of \
                             other types."
                        ),
                    ),
                );
            }
        };
        // No newline, as in Terraform, so that the value can be used as it is.
        let _ = io.out.write_all(text.as_bytes());
        return 0;
    }
    let _ = writeln!(io.out, "{}", view::output_value(&value));
    0
}
