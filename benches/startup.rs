//! Benchmark: start-up. `ecsform validate -var-file=ecs.tfvars` on `examples/` (the ECS
//! cluster: nine modules, 54 resource instances) as a process, against `ecsform -version` (the
//! cost of starting the process at all).
//!
//! ```sh
//! cargo bench --bench startup
//! ```

#[path = "support/process.rs"]
mod process;

use std::path::Path;
use std::time::Duration;

use process::{ecsform_binary, measuring, median, megabytes, millis};

/// Measured runs per command (the median is reported).
const RUNS: usize = 30;
/// The target of issue 6 for `validate` on the example.
const TARGET: Duration = Duration::from_millis(50);

fn main() {
    let bin = ecsform_binary();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let validate = vec![
        format!("-chdir={}", examples.display()),
        "validate".to_string(),
        "-no-color".to_string(),
        "-var-file=ecs.tfvars".to_string(),
    ];
    let version = vec!["-version".to_string()];
    let runs = if measuring() { RUNS } else { 1 };

    println!();
    println!("start-up, {runs} runs each (median; min, max)");
    println!();
    println!("| command | wall (median) | min | max | CPU (median) | peak RSS |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let mut validate_median = Duration::ZERO;
    for (label, args) in [
        ("ecsform -version", &version),
        ("ecsform validate (examples/)", &validate),
    ] {
        let runs: Vec<process::Run> = (0..runs)
            .map(|_| {
                let run = process::run(&bin, args, &[]);
                assert_eq!(run.code, 0, "{label} failed:\n{}{}", run.stdout, run.stderr);
                run
            })
            .collect();
        if args == &validate {
            assert!(
                runs[0]
                    .stdout
                    .contains("Success! The configuration is valid"),
                "{}",
                runs[0].stdout
            );
        }
        let walls: Vec<Duration> = runs.iter().map(|r| r.wall).collect();
        let cpus: Vec<Duration> = runs.iter().map(|r| r.cpu).collect();
        let rss: Vec<u64> = runs.iter().map(|r| r.max_rss).collect();
        let wall = median(&walls);
        if args == &validate {
            validate_median = wall;
        }
        println!(
            "| {label} | {} | {} | {} | {} | {} |",
            millis(wall),
            millis(*walls.iter().min().expect("runs")),
            millis(*walls.iter().max().expect("runs")),
            millis(median(&cpus)),
            megabytes(median(&rss)),
        );
    }
    println!();
    println!(
        "validate: {} (target ≤ {}) {}",
        millis(validate_median),
        millis(TARGET),
        if validate_median <= TARGET {
            "ok"
        } else {
            "MISSED"
        }
    );
}
