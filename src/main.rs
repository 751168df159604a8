//! The `ecsform` binary: everything happens in [`ecsform::cli`].

use std::io::Write;

/// A plan allocates and frees millions of small values (attribute maps, strings); mimalloc
/// does that about twice as fast as the system allocator, whose free lists fragment at
/// 10,000 instances (see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = ecsform::cli::main();
    ecsform::timings::mark("done");
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // By the time `cli::main` returns, the state is closed (its lock released), files are
    // written and the output is flushed above; what is left is memory. `_exit` skips the
    // exit handlers, among them mimalloc's, which walks every page of the heap to return it
    // to the system (several percent of a large plan) just before the system reclaims it
    // anyway.
    // SAFETY: `_exit` only ends the process; no Rust code runs after it.
    unsafe { libc::_exit(i32::from(code)) }
}
