//! Terraform-style command-line parsing.
//!
//! Flags take one or two dashes and their value either after `=` or as the next argument:
//! `-var-file=ecs.tfvars`, `--var-file ecs.tfvars` and `-var-file ecs.tfvars` are the same.
//! Global flags (`-chdir`, `-help`, `-version`) come before the command.

use std::path::PathBuf;

use crate::config::inputs::VarArg;

/// A usage mistake: printed with a pointer to `-help`, exit code 1.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandName {
    Validate,
    Graph,
}

impl CommandName {
    pub const ALL: &'static [(&'static str, CommandName, &'static str)] = &[
        (
            "validate",
            CommandName::Validate,
            "Check that the configuration is valid",
        ),
        (
            "graph",
            CommandName::Graph,
            "Print the resource dependency graph in Graphviz DOT",
        ),
    ];

    pub fn name(self) -> &'static str {
        CommandName::ALL
            .iter()
            .find(|(_, c, _)| *c == self)
            .map(|(n, _, _)| *n)
            .expect("listed")
    }
}

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    Help(Option<CommandName>),
    Version,
    Run(Command),
}

/// A command with its options.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub name: CommandName,
    pub chdir: Option<PathBuf>,
    pub vars: Vec<VarArg>,
    pub no_color: bool,
}

/// Splits `-name=value` / `--name value` into (name, inline value).
fn flag_parts(arg: &str) -> Option<(&str, Option<&str>)> {
    let body = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'))?;
    if body.is_empty() {
        return None;
    }
    Some(match body.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (body, None),
    })
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Invocation, UsageError> {
    let mut chdir = None;
    let mut i = 0;
    // Global flags.
    while i < args.len() {
        let Some((name, inline)) = flag_parts(&args[i]) else {
            break;
        };
        match name {
            "help" | "h" => return Ok(Invocation::Help(None)),
            "version" | "v" => return Ok(Invocation::Version),
            "chdir" => {
                let (value, used) = take_value(name, inline, args.get(i + 1))?;
                chdir = Some(PathBuf::from(value));
                i += used;
            }
            other => {
                return Err(UsageError(format!(
                    "unknown global flag -{other}. Global flags are -chdir=DIR, -help and -version; command flags go after the command name."
                )))
            }
        }
        i += 1;
    }
    let Some(cmd) = args.get(i) else {
        return Ok(Invocation::Help(None));
    };
    if cmd == "version" {
        return Ok(Invocation::Version);
    }
    if cmd == "help" {
        return Ok(Invocation::Help(
            args.get(i + 1).and_then(|c| lookup_command(c)),
        ));
    }
    let name = lookup_command(cmd).ok_or_else(|| {
        UsageError(format!(
            "unknown command \"{cmd}\". Commands: {}.",
            CommandName::ALL
                .iter()
                .map(|(n, _, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let mut command = Command {
        name,
        chdir,
        vars: Vec::new(),
        no_color: false,
    };
    i += 1;
    while i < args.len() {
        let arg = &args[i];
        let Some((flag, inline)) = flag_parts(arg) else {
            return Err(UsageError(format!(
                "unexpected argument \"{arg}\": \"ecsform {}\" takes no positional arguments. Use -chdir=DIR to choose the configuration directory.",
                name.name()
            )));
        };
        match flag {
            "help" | "h" => return Ok(Invocation::Help(Some(name))),
            "no-color" => {
                if inline.is_some() {
                    return Err(UsageError("-no-color takes no value".into()));
                }
                command.no_color = true;
            }
            "var" => {
                let (value, used) = take_value(flag, inline, args.get(i + 1))?;
                command.vars.push(VarArg::Var(value));
                i += used;
            }
            "var-file" => {
                let (value, used) = take_value(flag, inline, args.get(i + 1))?;
                command.vars.push(VarArg::File(PathBuf::from(value)));
                i += used;
            }
            other => {
                return Err(UsageError(format!(
                "unknown flag -{other} for \"ecsform {}\". Run \"ecsform {} -help\" for its flags.",
                name.name(),
                name.name()
            )))
            }
        }
        i += 1;
    }
    Ok(Invocation::Run(command))
}

fn lookup_command(name: &str) -> Option<CommandName> {
    CommandName::ALL
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, c, _)| *c)
}

/// The value of a flag: inline after `=`, or the next argument (then `used` is 1).
fn take_value(
    flag: &str,
    inline: Option<&str>,
    next: Option<&String>,
) -> Result<(String, usize), UsageError> {
    match (inline, next) {
        (Some(v), _) => Ok((v.to_string(), 0)),
        (None, Some(n)) if !n.starts_with('-') || n == "-" => Ok((n.clone(), 1)),
        _ => Err(UsageError(format!(
            "flag -{flag} needs a value, like -{flag}=VALUE"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Invocation, UsageError> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn run(args: &[&str]) -> Command {
        match p(args).unwrap() {
            Invocation::Run(c) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn both_flag_styles_work() {
        let a = run(&[
            "validate",
            "-var-file=ecs.tfvars",
            "-var",
            "a=b",
            "--var=c=d",
        ]);
        let b = run(&[
            "validate",
            "--var-file",
            "ecs.tfvars",
            "--var",
            "a=b",
            "-var",
            "c=d",
        ]);
        assert_eq!(a, b);
        assert_eq!(
            a.vars,
            [
                VarArg::File("ecs.tfvars".into()),
                VarArg::Var("a=b".into()),
                VarArg::Var("c=d".into())
            ]
        );
    }

    #[test]
    fn global_flags_before_the_command() {
        let c = run(&["-chdir=examples", "graph", "-no-color"]);
        assert_eq!(c.chdir, Some(PathBuf::from("examples")));
        assert!(c.no_color);
        assert_eq!(p(&["-version"]).unwrap(), Invocation::Version);
        assert_eq!(p(&["--help"]).unwrap(), Invocation::Help(None));
        assert_eq!(
            p(&["graph", "-help"]).unwrap(),
            Invocation::Help(Some(CommandName::Graph))
        );
    }

    #[test]
    fn usage_errors() {
        assert!(p(&["frobnicate"])
            .unwrap_err()
            .0
            .contains("unknown command \"frobnicate\""));
        assert!(p(&["validate", "-bogus"])
            .unwrap_err()
            .0
            .contains("unknown flag -bogus"));
        assert!(p(&["validate", "-var"])
            .unwrap_err()
            .0
            .contains("needs a value"));
        assert!(p(&["validate", "extra"])
            .unwrap_err()
            .0
            .contains("unexpected argument"));
        assert!(p(&["-bogus", "validate"])
            .unwrap_err()
            .0
            .contains("unknown global flag"));
    }
}
