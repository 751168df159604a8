//! Terraform-style command-line parsing.
//!
//! Flags take one or two dashes and their value either after `=` or as the next argument:
//! `-var-file=ecs.tfvars`, `--var-file ecs.tfvars` and `-var-file ecs.tfvars` are the same.
//! Global flags (`-chdir`, `-help`, `-version`) come before the command.

use std::path::PathBuf;
use std::time::Duration;

use crate::config::inputs::VarArg;
pub use crate::render::Format;

/// A usage mistake: printed with a pointer to `-help`, exit code 1.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandName {
    Validate,
    Graph,
    Plan,
    Apply,
    Destroy,
    ForceUnlock,
    Show,
    Output,
    State,
    Import,
    Fmt,
    Providers,
}

impl CommandName {
    pub const ALL: &'static [(&'static str, CommandName, &'static str)] = &[
        (
            "plan",
            CommandName::Plan,
            "Show the changes apply would make",
        ),
        (
            "apply",
            CommandName::Apply,
            "Create or update infrastructure",
        ),
        (
            "destroy",
            CommandName::Destroy,
            "Destroy everything in the state",
        ),
        (
            "show",
            CommandName::Show,
            "Show a saved plan, or the current state",
        ),
        (
            "output",
            CommandName::Output,
            "Show output values from the state",
        ),
        (
            "state",
            CommandName::State,
            "Inspect and edit the state (list, show, rm, mv, history)",
        ),
        (
            "import",
            CommandName::Import,
            "Bring an existing AWS object under management",
        ),
        (
            "fmt",
            CommandName::Fmt,
            "Rewrite configuration files in the canonical format",
        ),
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
        (
            "force-unlock",
            CommandName::ForceUnlock,
            "Release a stuck state lock",
        ),
        (
            "providers",
            CommandName::Providers,
            "Print the schemas of the supported types (providers schema -json)",
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
    Run(Box<Command>),
}

/// A command with its options.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub name: CommandName,
    pub chdir: Option<PathBuf>,
    pub vars: Vec<VarArg>,
    pub no_color: bool,
    /// `graph -full`: every edge, not the transitive reduction.
    pub full: bool,
    /// `-state=PATH` (default `state/ecsform.sqlite` under the working directory).
    pub state: Option<PathBuf>,
    /// `-lock-timeout=30s`: how long to wait for the state lock.
    pub lock_timeout: Duration,
    /// `-refresh=false` skips reading objects from AWS.
    pub refresh: bool,
    /// `plan -destroy`.
    pub destroy: bool,
    /// `plan -detailed-exitcode`: 0 no changes, 1 error, 2 changes.
    pub detailed_exitcode: bool,
    /// `apply/destroy/state rollback -auto-approve`.
    pub auto_approve: bool,
    /// `force-unlock -force`: do not ask for confirmation.
    pub force: bool,
    /// `state rollback -serial=N`: the serial to roll back to (default: the one before).
    pub serial: Option<i64>,
    /// `-parallelism=N` concurrent calls during apply.
    pub parallelism: usize,
    /// `force-unlock ID`.
    pub lock_id: Option<String>,
    /// Positional arguments: `apply PLANFILE`, `show [PLANFILE]`, `output [NAME]`,
    /// `state SUBCOMMAND [ARGS]`, `import ADDR ID`, `fmt [PATH...]`.
    pub args: Vec<String>,
    /// `plan -out=FILE`: save the plan for `apply FILE`.
    pub out: Option<PathBuf>,
    /// `-json`, `-markdown`, `-summary` (plan, show; `-json` also output and state history).
    pub format: Format,
    /// `-target=ADDR`, repeatable.
    pub targets: Vec<String>,
    /// `-replace=ADDR`, repeatable.
    pub replace: Vec<String>,
    /// `-no-rolling`: update launch templates and groups, but do not replace instances.
    pub no_rolling: bool,
    /// `output -raw`.
    pub raw: bool,
    /// `fmt -check`.
    pub check: bool,
    /// `fmt -diff`.
    pub diff: bool,
    /// `fmt -recursive`.
    pub recursive: bool,
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
        full: false,
        state: None,
        lock_timeout: Duration::ZERO,
        refresh: true,
        destroy: name == CommandName::Destroy,
        detailed_exitcode: false,
        auto_approve: false,
        force: false,
        serial: None,
        parallelism: 10,
        lock_id: None,
        args: Vec::new(),
        out: None,
        format: Format::Text,
        targets: Vec::new(),
        replace: Vec::new(),
        no_rolling: false,
        raw: false,
        check: false,
        diff: false,
        recursive: false,
    };
    i += 1;
    while i < args.len() {
        let arg = &args[i];
        let Some((flag, inline)) = flag_parts(arg) else {
            if name == CommandName::ForceUnlock && command.lock_id.is_none() {
                command.lock_id = Some(arg.clone());
                i += 1;
                continue;
            }
            if command.args.len() < max_positionals(name) {
                command.args.push(arg.clone());
                i += 1;
                continue;
            }
            return Err(UsageError(if max_positionals(name) == 0 {
                format!(
                    "unexpected argument \"{arg}\": \"ecsform {}\" takes no positional arguments. Use -chdir=DIR to choose the configuration directory.",
                    name.name()
                )
            } else {
                format!(
                    "unexpected argument \"{arg}\": too many arguments for \"ecsform {}\". Run \"ecsform {} -help\" for its usage.",
                    name.name(),
                    name.name()
                )
            }));
        };
        match flag {
            "help" | "h" => return Ok(Invocation::Help(Some(name))),
            "no-color" => {
                if inline.is_some() {
                    return Err(UsageError("-no-color takes no value".into()));
                }
                command.no_color = true;
            }
            "full" if name == CommandName::Graph && inline.is_none() => command.full = true,
            "state"
                if !matches!(
                    name,
                    CommandName::Graph | CommandName::Validate | CommandName::Fmt
                ) =>
            {
                let (value, used) = take_value(flag, inline, args.get(i + 1))?;
                command.state = Some(PathBuf::from(value));
                i += used;
            }
            "lock-timeout" if uses_state(name) => {
                let (value, used) = take_value(flag, inline, args.get(i + 1))?;
                command.lock_timeout = parse_duration(&value)?;
                i += used;
            }
            "refresh" if plans(name) => command.refresh = bool_flag(flag, inline)?,
            "destroy" if name == CommandName::Plan => command.destroy = bool_flag(flag, inline)?,
            "no-rolling" if matches!(name, CommandName::Plan | CommandName::Apply) => {
                command.no_rolling = bool_flag(flag, inline)?
            }
            "detailed-exitcode" if name == CommandName::Plan => {
                command.detailed_exitcode = bool_flag(flag, inline)?
            }
            "auto-approve"
                if matches!(
                    name,
                    CommandName::Apply | CommandName::Destroy | CommandName::State
                ) =>
            {
                command.auto_approve = bool_flag(flag, inline)?
            }
            "force" if name == CommandName::ForceUnlock => command.force = bool_flag(flag, inline)?,
            "serial" if name == CommandName::State => {
                let (value, used) = take_value(flag, inline, args.get(i + 1))?;
                command.serial = Some(value.parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
                    UsageError(format!(
                        "-serial needs a state serial (a number, 0 or more), not \"{value}\""
                    ))
                })?);
                i += used;
            }
            "parallelism" if matches!(name, CommandName::Apply | CommandName::Destroy) => {
                let (value, used) = take_value(flag, inline, args.get(i + 1))?;
                command.parallelism = value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    UsageError(format!(
                        "-parallelism needs a positive number, not \"{value}\""
                    ))
                })?;
                i += used;
            }
            "out" if name == CommandName::Plan => {
                let (value, used) = take_value(flag, inline, args.get(i + 1))?;
                command.out = Some(PathBuf::from(value));
                i += used;
            }
            "json" | "markdown" | "summary" if formats(name, flag) => {
                if inline.is_some() {
                    return Err(UsageError(format!("-{flag} takes no value")));
                }
                if command.format != Format::Text {
                    return Err(UsageError(
                        "choose one of -json, -markdown and -summary".into(),
                    ));
                }
                command.format = match flag {
                    "json" => Format::Json,
                    "markdown" => Format::Markdown,
                    _ => Format::Summary,
                };
            }
            "target" | "replace"
                if matches!(
                    name,
                    CommandName::Plan | CommandName::Apply | CommandName::Destroy
                ) =>
            {
                let (value, used) = take_value(flag, inline, args.get(i + 1))?;
                if flag == "target" {
                    command.targets.push(value);
                } else {
                    command.replace.push(value);
                }
                i += used;
            }
            "raw" if name == CommandName::Output => command.raw = bool_flag(flag, inline)?,
            "check" if name == CommandName::Fmt => command.check = bool_flag(flag, inline)?,
            "diff" if name == CommandName::Fmt => command.diff = bool_flag(flag, inline)?,
            "recursive" if name == CommandName::Fmt => command.recursive = bool_flag(flag, inline)?,
            "var" if takes_vars(name) => {
                let (value, used) = take_value(flag, inline, args.get(i + 1))?;
                command.vars.push(VarArg::Var(value));
                i += used;
            }
            "var-file" if takes_vars(name) => {
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
    Ok(Invocation::Run(Box::new(command)))
}

/// How many positional arguments a command takes (at most).
fn max_positionals(name: CommandName) -> usize {
    match name {
        CommandName::Apply | CommandName::Show | CommandName::Output | CommandName::Providers => 1,
        CommandName::Import => 2,
        // `state rm ADDR...` takes any number; each subcommand checks its own count.
        CommandName::State | CommandName::Fmt => usize::MAX,
        _ => 0,
    }
}

/// Which commands accept `-json`, `-markdown` and `-summary`.
fn formats(name: CommandName, flag: &str) -> bool {
    match name {
        CommandName::Plan | CommandName::Show => true,
        CommandName::Output | CommandName::State | CommandName::Providers => flag == "json",
        _ => false,
    }
}

/// Commands that evaluate the configuration and so take `-var` and `-var-file`.
fn takes_vars(name: CommandName) -> bool {
    !matches!(
        name,
        CommandName::Show
            | CommandName::Output
            | CommandName::State
            | CommandName::Fmt
            | CommandName::ForceUnlock
    )
}

fn plans(name: CommandName) -> bool {
    matches!(
        name,
        CommandName::Plan | CommandName::Apply | CommandName::Destroy
    )
}

fn uses_state(name: CommandName) -> bool {
    plans(name)
        || matches!(
            name,
            CommandName::ForceUnlock | CommandName::State | CommandName::Import
        )
}

/// `-flag`, `-flag=true` or `-flag=false`.
fn bool_flag(flag: &str, inline: Option<&str>) -> Result<bool, UsageError> {
    match inline {
        None | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(UsageError(format!(
            "-{flag} takes true or false, not \"{other}\""
        ))),
    }
}

/// `30s`, `5m`, `1h`, `500ms` or a plain number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, UsageError> {
    let bad = || {
        UsageError(format!(
            "invalid duration \"{s}\": use forms like 30s, 5m or 1h"
        ))
    };
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = num.parse().map_err(|_| bad())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(bad()),
    };
    Ok(Duration::from_secs_f64(secs))
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
            Invocation::Run(c) => *c,
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
    fn plan_and_apply_flags() {
        let c = run(&[
            "plan",
            "-state=s.db",
            "-lock-timeout=30s",
            "-refresh=false",
            "-detailed-exitcode",
            "-destroy",
        ]);
        assert_eq!(c.state, Some(PathBuf::from("s.db")));
        assert_eq!(c.lock_timeout, Duration::from_secs(30));
        assert!(!c.refresh && c.detailed_exitcode && c.destroy);
        let c = run(&["apply", "-auto-approve", "--parallelism", "3"]);
        assert!(c.auto_approve);
        assert_eq!(c.parallelism, 3);
        assert!(run(&["destroy"]).destroy);
        assert_eq!(
            run(&["force-unlock", "abc"]).lock_id.as_deref(),
            Some("abc")
        );
        assert!(p(&["validate", "-auto-approve"]).is_err());
        assert!(p(&["apply", "-parallelism=0"]).is_err());
        assert_eq!(parse_duration("5m").unwrap(), Duration::from_secs(300));
        assert!(parse_duration("5 parsecs").is_err());
    }

    #[test]
    fn review_workflow_flags() {
        let c = run(&[
            "plan",
            "-out=p.ecsplan",
            "-markdown",
            "-target=module.vpc",
            "-target",
            "aws_vpc.a",
            "-replace=aws_instance.x[0]",
        ]);
        assert_eq!(c.out, Some(PathBuf::from("p.ecsplan")));
        assert_eq!(c.format, Format::Markdown);
        assert_eq!(c.targets, ["module.vpc", "aws_vpc.a"]);
        assert_eq!(c.replace, ["aws_instance.x[0]"]);
        assert_eq!(run(&["apply", "p.ecsplan"]).args, ["p.ecsplan"]);
        assert!(p(&["apply", "a", "b"]).unwrap_err().0.contains("too many"));
        assert!(p(&["plan", "-json", "-markdown"]).is_err());
        assert_eq!(run(&["show", "-json"]).format, Format::Json);
        let c = run(&["output", "-raw", "vpc_id"]);
        assert!(c.raw);
        assert_eq!(c.args, ["vpc_id"]);
        assert!(p(&["output", "-markdown"]).is_err());
        assert_eq!(run(&["state", "mv", "a", "b"]).args, ["mv", "a", "b"]);
        assert_eq!(
            run(&["import", "aws_vpc.a", "vpc-1"]).args,
            ["aws_vpc.a", "vpc-1"]
        );
        let c = run(&["fmt", "-check", "-diff", "-recursive", "a.tf", "b.tf"]);
        assert!(c.check && c.diff && c.recursive);
        assert!(p(&["fmt", "-var=a=b"]).is_err());
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
