//! Where the time of a command goes, for profiling: with `ECSFORM_TIMINGS=1` in the
//! environment, each phase mark prints one line to stderr (the phase, how long since the
//! previous mark, and since the process started). Off by default; marks then cost one
//! relaxed atomic load.
//!
//! Also here: [`drop_in_background`], for the large values a command is done with.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// 0: not looked at yet; 1: off; 2: on.
static ENABLED: AtomicU8 = AtomicU8::new(0);
/// The process start (first mark) and the previous mark.
static MARKS: Mutex<Option<(Instant, Instant)>> = Mutex::new(None);

fn enabled() -> bool {
    match ENABLED.load(Ordering::Relaxed) {
        0 => {
            let on = std::env::var_os("ECSFORM_TIMINGS").is_some_and(|v| v != "0" && !v.is_empty());
            ENABLED.store(if on { 2 } else { 1 }, Ordering::Relaxed);
            on
        }
        n => n == 2,
    }
}

/// Marks the start of the process (the first call) or the end of a phase.
pub fn mark(phase: &str) {
    if !enabled() {
        return;
    }
    let now = Instant::now();
    let mut marks = MARKS.lock().unwrap_or_else(|e| e.into_inner());
    let (start, prev) = marks.get_or_insert((now, now));
    let line = format!(
        "ecsform timing: {phase:<28} {:>8.1} ms  (at {:>8.1} ms)\n",
        (now - *prev).as_secs_f64() * 1e3,
        (now - *start).as_secs_f64() * 1e3
    );
    *prev = now;
    // Not through `std::io::stderr()`: the command holds its lock while it runs, and marks
    // come from other threads too.
    use std::io::Write;
    use std::os::fd::FromRawFd;
    // SAFETY: fd 2 stays open for the life of the process; ManuallyDrop never closes it.
    let mut fd2 = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(2) });
    let _ = fd2.write_all(line.as_bytes());
}

/// Drops `value` on a new thread. A plan of 10,000 instances holds millions of small
/// allocations (attribute maps, strings); freeing them one by one takes several percent of
/// the plan's time, which the second core can spend while the first goes on. A process that
/// exits first does not wait for it.
pub fn drop_in_background<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}
