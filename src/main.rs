//! The `ecsform` binary: everything happens in [`ecsform::cli`].

fn main() -> std::process::ExitCode {
    ecsform::cli::main()
}
