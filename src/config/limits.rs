//! The limits of reading a configuration: how large a file ecsform reads, how many module
//! calls it follows. Evaluation's own limits are in `crate::lang::limits`, which re-exports
//! these.

/// The largest file ecsform reads: a `.tf` or `.tfvars` file, a template or `file()`.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The most module calls the module tree may hold (every call of every module, counted once
/// per place it is called from).
pub const MAX_MODULE_CALLS: usize = 1_000;

/// Reads a whole file that ecsform parses or evaluates, refusing what is not a regular file
/// (a FIFO or device would block or never end) and what is larger than [`MAX_FILE_BYTES`].
/// The error reads well after "Could not read PATH: ".
pub fn read_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let f = std::fs::File::open(path)?;
    let meta = f.metadata()?;
    if meta.is_dir() {
        return Err(Error::new(ErrorKind::InvalidInput, "it is a directory"));
    }
    if !meta.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    let too_large = || {
        Error::new(
            ErrorKind::InvalidData,
            format!(
                "the file is larger than {} MiB, the most ecsform reads",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow while it is read.
    f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}
