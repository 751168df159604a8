//! The `ecsform` binary: everything happens in [`ecsform::cli`].

/// A plan allocates and frees millions of small values (attribute maps, strings); mimalloc
/// does that about twice as fast as the system allocator, whose free lists fragment at
/// 10,000 instances (see "Performance" in the README).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ecsform::cli::main()
}
