//! Running the release `ecsform` binary as a child process and measuring it: wall time and
//! peak resident memory (the child's `ru_maxrss`, from `wait4`), and medians over runs.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The `ecsform` binary cargo built for this benchmark (`cargo bench` builds the package's
/// binaries with the bench profile, i.e. optimised). Fails with a clear message if missing.
pub fn ecsform_binary() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_BIN_EXE_ecsform"));
    assert!(
        path.is_file(),
        "the ecsform binary is missing at {}; build it with `cargo build --release` or run \
         the benchmark with `cargo bench`",
        path.display()
    );
    path
}

/// One measured run of the binary.
#[derive(Clone, Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub wall: Duration,
    /// User plus system CPU time of the child: less disturbed than wall time by other work on
    /// a busy machine.
    pub cpu: Duration,
    /// Peak resident set size of the child, in bytes.
    pub max_rss: u64,
}

/// Runs `bin ARGS...` with the extra environment `env`, capturing its output, and measures
/// it.
// The child is reaped with `wait4`, which also reports its resource usage, not `Child::wait`.
#[allow(clippy::zombie_processes)]
pub fn run(bin: &Path, args: &[String], env: &[(String, String)]) -> Run {
    assert_small_parent();
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    // Drain both pipes while the child runs, so that a large plan cannot block on a full pipe.
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).map(|_| s)
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).map(|_| s)
    });
    let (code, usage) = wait_with_rusage(child.id());
    let wall = start.elapsed();
    let stdout = out_reader
        .join()
        .expect("stdout reader")
        .expect("stdout is UTF-8");
    let stderr = err_reader
        .join()
        .expect("stderr reader")
        .expect("stderr is UTF-8");
    Run {
        code,
        stdout,
        stderr,
        wall,
        cpu: usage.cpu,
        max_rss: usage.max_rss,
    }
}

/// The most this benchmark process itself may have held when it starts a measured child.
const PARENT_PEAK_LIMIT: u64 = 64 * 1024 * 1024;

/// Fails if this process has ever held more than [`PARENT_PEAK_LIMIT`]: Linux starts the
/// `ru_maxrss` of a child spawned with `vfork` (as `Command` does) from its parent's peak, so
/// a large parent would make every measured child look at least as large. Work that needs
/// memory (seeding a state) runs in a child process of its own.
fn assert_small_parent() {
    let status = std::fs::read_to_string("/proc/self/status").expect("reading /proc/self/status");
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status");
    assert!(
        peak_kib * 1024 <= PARENT_PEAK_LIMIT,
        "this benchmark process peaked at {} MiB before starting a measured run; the child's \
         peak memory would include it (do memory-heavy work in a child process)",
        peak_kib / 1024
    );
}

/// What `wait4` reports about a child.
struct Usage {
    cpu: Duration,
    max_rss: u64,
}

/// Reaps the child `pid` with `wait4`, which also reports that child's own resource usage:
/// (exit code, or -signal; its usage).
fn wait_with_rusage(pid: u32) -> (i32, Usage) {
    let pid = libc::pid_t::try_from(pid).expect("pid fits pid_t");
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of the plain C struct; wait4 fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid for writes for the duration of the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::Interrupted,
            "wait4({pid}) failed: {e}"
        );
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    let usage = Usage {
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        // Linux reports ru_maxrss in KiB.
        max_rss: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
    };
    (code, usage)
}

/// The median of `values` (the lower middle for an even count). Panics when empty.
pub fn median<T: Copy + Ord>(values: &[T]) -> T {
    let mut v = values.to_vec();
    v.sort_unstable();
    v[(v.len() - 1) / 2]
}

/// Seconds with three decimals, e.g. `0.431 s`.
pub fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// Milliseconds with one decimal, e.g. `12.3 ms`.
pub fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Megabytes (10^6 bytes), e.g. `138 MB`.
pub fn megabytes(bytes: u64) -> String {
    format!("{} MB", bytes / 1_000_000)
}

/// True when run by `cargo bench`, which passes `--bench`. `cargo test --all-targets` runs
/// the benchmarks too, without it: they then make one quick run of their smallest case, to
/// check that they still work, and measure nothing worth reading.
pub fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// The benchmark's positional arguments under `cargo bench` (flags are dropped); none under
/// `cargo test`, whose arguments are test filters.
pub fn positional_args() -> Vec<String> {
    if !measuring() {
        return Vec::new();
    }
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect()
}
