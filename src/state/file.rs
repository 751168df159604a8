//! The state file on disk: creating it (and its directory) readable by its owner only, opening
//! SQLite connections to it with the settings every connection needs, and keeping SQLite's
//! `-wal` and `-shm` side files private too. It does not know the schema.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::error::StateError;
use super::sql_err;

/// How long a connection waits for another connection's write to finish before giving up with
/// SQLITE_BUSY. Writes are short, so this only runs out when something is badly stuck.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn create_err(path: &Path) -> impl Fn(std::io::Error) -> StateError + '_ {
    move |source| StateError::Create {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates an empty state file with mode 0600 (and its parent directories) unless it exists.
/// SQLite would create it with the process umask instead, usually world-readable.
pub(crate) fn create_private(path: &Path) -> Result<(), StateError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(create_err(path))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        // Another process created it first; opening it is then the same as opening any file.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(create_err(path)(e)),
    }
}

/// Opens a connection to an existing state file. Never creates the file.
pub(crate) fn connect(path: &Path) -> Result<Connection, StateError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(sql_err(path))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql_err(path))?;
    Ok(conn)
}

/// Switches the database to WAL, which lets readers (a plan) run while an apply writes, and
/// asks for a full sync on every commit so a created cloud object is never forgotten.
pub(crate) fn use_wal(conn: &Connection, path: &Path) -> Result<(), StateError> {
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(sql_err(path))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StateError::NoWal {
            path: path.to_path_buf(),
            mode,
        });
    }
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(sql_err(path))?;
    private_side_files(path)
}

/// SQLite gives its side files the main file's mode already; this makes sure of it.
fn private_side_files(path: &Path) -> Result<(), StateError> {
    #[cfg(unix)]
    for suffix in ["-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let mut side = PathBuf::from(path).into_os_string();
        side.push(suffix);
        let side = PathBuf::from(side);
        match std::fs::set_permissions(&side, std::fs::Permissions::from_mode(0o600)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(create_err(path)(e)),
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use crate::state::testing::{record, temp_state};
    use crate::state::StateStore;

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_state_and_its_side_files_are_private() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        store
            .put_resource(&record("aws_vpc.a"), "create", None)
            .unwrap();
        assert_eq!(mode(&path), 0o600);
        for suffix in ["-wal", "-shm"] {
            let side = path.with_file_name(format!("ecsform.sqlite{suffix}"));
            assert!(side.exists(), "{} while the store is open", side.display());
            assert_eq!(mode(&side), 0o600, "{}", side.display());
        }
    }

    #[test]
    fn an_empty_file_becomes_a_state() {
        // What a crash between creating the file and writing the schema leaves behind.
        let (_dir, path) = temp_state();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "").unwrap();
        let store = StateStore::open(&path).unwrap();
        assert_eq!(store.serial(), 0);
    }
}
