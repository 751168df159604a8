//! The state file on disk: creating it (and its directory) readable by its owner only and
//! complete (schema written before it appears under its name), looking at an existing file
//! without changing a byte of it or of its side files, opening SQLite connections to it with
//! the settings every connection needs, and keeping SQLite's `-wal` and `-shm` side files
//! private too. What the schema is belongs to `schema`.

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

/// `PATH-wal` or `PATH-shm`.
pub(crate) fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut side = PathBuf::from(path).into_os_string();
    side.push(suffix);
    PathBuf::from(side)
}

/// Creates a new state file at `path` (and its parent directories), mode 0600, with `init`
/// run on it first: it is built under a temporary name and linked into place, so no one ever
/// sees it half made (an empty file at the state path is refused, see `check_existing`). If
/// another process created the state first, its file is kept.
pub(crate) fn create_new(
    path: &Path,
    init: impl FnOnce(&mut Connection, &Path) -> Result<(), StateError>,
) -> Result<(), StateError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(create_err(path))?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(
        ".{name}.new-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let made = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&temp).map_err(create_err(path))?;
        let mut conn = connect(&temp)?;
        init(&mut conn, path)?;
        drop(conn);
        match std::fs::hard_link(&temp, path) {
            Ok(()) => Ok(()),
            // Another process created it first; opening it is then the same as opening any file.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(create_err(path)(e)),
        }
    })();
    for leftover in [temp.clone(), side_file(&temp, "-journal")] {
        let _ = std::fs::remove_file(leftover);
    }
    made
}

/// Refuses, reading only, what cannot be a state to open: an empty file (not something
/// ecsform leaves, and opening it would silently start a new state with a new lineage), a WAL
/// side file that is not an SQLite WAL, or one whose state file is missing (SQLite would replay
/// it into a new file). A real WAL left by a killed process is fine: SQLite recovers the
/// committed writes in it.
pub(crate) fn check_existing(path: &Path) -> Result<(), StateError> {
    let not_state = |reason: String| StateError::NotState {
        path: path.to_path_buf(),
        reason,
    };
    let wal = side_file(path, "-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).ok();
    if !path.exists() {
        if wal_len.is_some() {
            return Err(not_state(format!(
                "the file is missing but its write-ahead log {} is there: the state was moved \
                 or deleted without it. Put the state file back next to it, or move the log away \
                 to start a new state",
                wal.display()
            )));
        }
        return Ok(());
    }
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if len == 0 {
        return Err(not_state(
            "it is empty, 0 bytes: truncated, or made by something else; ecsform never leaves \
             an empty state. Restore it from a backup, or delete it to start a new state"
                .into(),
        ));
    }
    if let Some(wal_len) = wal_len.filter(|&l| l > 0) {
        let mut magic = [0u8; 4];
        let read = std::fs::File::open(&wal)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic));
        let valid = read.is_ok()
            && wal_len >= 32
            && matches!(u32::from_be_bytes(magic), 0x377f_0682 | 0x377f_0683);
        if !valid {
            return Err(not_state(format!(
                "its write-ahead log {} is not an SQLite WAL file. Move it away if it does not \
                 belong to this state",
                wal.display()
            )));
        }
    }
    Ok(())
}

/// Opens `path` read-only as an immutable database: SQLite then reads the main file only and
/// writes nothing at all, not even the `-shm` of a WAL file, so a file that turns out not to be
/// ours stays byte for byte as it was, side files included.
pub(crate) fn connect_untouched(path: &Path) -> Result<Connection, StateError> {
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '?' | '#' | '%' => uri.push_str(&format!("%{:02X}", c as u32)),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(uri, flags).map_err(sql_err(path))
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
        let side = side_file(path, suffix);
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

    use super::side_file;
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
    fn an_empty_file_is_refused_untouched() {
        let (_dir, path) = temp_state();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "").unwrap();
        let err = StateStore::open(&path).unwrap_err();
        assert!(err.to_string().contains("it is empty, 0 bytes"), "{err}");
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        assert!(!side_file(&path, "-wal").exists());
    }

    #[test]
    fn a_new_state_appears_complete_and_leaves_no_temporary_file() {
        let (_dir, path) = temp_state();
        StateStore::open(&path).unwrap();
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm"))
            .collect();
        assert_eq!(names, ["ecsform.sqlite"]);
        // Racing creators all end up with the one state.
        let (_dir, path) = temp_state();
        let lineages: Vec<String> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || StateStore::open(&path).unwrap().lineage())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        assert!(lineages.iter().all(|l| *l == lineages[0]), "{lineages:?}");
    }

    #[test]
    fn a_wal_that_is_not_one_or_has_no_state_is_refused_untouched() {
        let (_dir, path) = temp_state();
        StateStore::open(&path).unwrap();
        let wal = side_file(&path, "-wal");
        std::fs::write(&wal, b"not a write-ahead log at all, just some bytes").unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let err = StateStore::open(&path).unwrap_err();
        assert!(
            err.to_string().contains("-wal is not an SQLite WAL file"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        assert_eq!(
            std::fs::read(&wal).unwrap(),
            b"not a write-ahead log at all, just some bytes"
        );

        std::fs::remove_file(&path).unwrap();
        let err = StateStore::open(&path).unwrap_err();
        assert!(
            err.to_string()
                .contains("the file is missing but its write-ahead log"),
            "{err}"
        );
        assert!(!path.exists());
    }

    #[test]
    fn a_wal_left_by_a_killed_process_is_recovered_not_refused() {
        let (_dir, path) = temp_state();
        let mut store = StateStore::open(&path).unwrap();
        store
            .put_resource(&record("aws_vpc.a"), "create", None)
            .unwrap();
        // What a SIGKILL leaves: the committed write only in the log.
        let copies: Vec<_> = ["", "-wal", "-shm"]
            .iter()
            .map(|s| {
                (
                    side_file(&path, s),
                    std::fs::read(side_file(&path, s)).unwrap(),
                )
            })
            .collect();
        drop(store);
        for (p, bytes) in copies {
            std::fs::write(p, bytes).unwrap();
        }
        let store = StateStore::open(&path).unwrap();
        assert_eq!(store.serial(), 1);
        assert_eq!(store.resources().unwrap(), vec![record("aws_vpc.a")]);
    }
}
