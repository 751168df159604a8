//! `StateError`: every way opening, reading, writing or locking the state file can fail, each
//! message naming the state file. It does not decide when to fail; the store and lock do.

use std::path::PathBuf;

use super::lock::LockInfo;

/// An error from the state store. Every message names the state file it is about.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The state file or its directory could not be created, or its permissions set.
    #[error("cannot create state file {}: {source}", path.display())]
    Create {
        /// The state file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },

    /// The file exists but is not an ecsform state. It was left untouched.
    #[error(
        "{} is not an ecsform state file ({reason}); it was left untouched",
        path.display()
    )]
    NotState {
        /// The file.
        path: PathBuf,
        /// Why it is not ours, e.g. "not an SQLite database".
        reason: String,
    },

    /// The file is an ecsform state with a schema this ecsform does not know. It was left
    /// untouched.
    #[error(
        "{} was written by a newer ecsform; schema version {found}, this ecsform knows up to \
         {known}. Upgrade ecsform to use it; the file was left untouched",
        path.display()
    )]
    NewerSchema {
        /// The state file.
        path: PathBuf,
        /// The schema version recorded in the file.
        found: i64,
        /// The newest schema version this build knows.
        known: i64,
    },

    /// SQLite found the file damaged (truncated or overwritten). It was left untouched.
    #[error(
        "state file {} is damaged, probably truncated or partly overwritten ({detail}); it was \
         left untouched. Restore it from a backup copy",
        path.display()
    )]
    Damaged {
        /// The state file.
        path: PathBuf,
        /// What SQLite said.
        detail: String,
    },
    /// The file (or its directory, where SQLite keeps the `-wal` and `-shm` files) cannot be
    /// written by this user. Commands that only read still work.
    #[error(
        "state file {} is read-only: its permissions, or its directory's, do not let ecsform \
         write it and its -wal and -shm files. Commands that only read the state work; to change \
         it, make the file and its directory writable",
        path.display()
    )]
    ReadOnly {
        /// The state file.
        path: PathBuf,
    },

    /// SQLite would not put the file in WAL journal mode.
    #[error(
        "state file {}: SQLite could not switch it to WAL journal mode (it stayed in {mode}); \
         is it on a network file system?",
        path.display()
    )]
    NoWal {
        /// The state file.
        path: PathBuf,
        /// The journal mode SQLite kept.
        mode: String,
    },

    /// SQLite failed while reading or writing the state. A failed write changed nothing.
    #[error("state file {}: {source}", path.display())]
    Sqlite {
        /// The state file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },

    /// A stored value could not be read back (bad JSON, an unknown status).
    #[error("state file {}: {what}: {detail}", path.display())]
    Corrupt {
        /// The state file.
        path: PathBuf,
        /// Which value, e.g. "attributes of aws_vpc.main".
        what: String,
        /// What is wrong with it.
        detail: String,
    },

    /// The caller passed a value the state does not accept (an unknown action or mode).
    #[error("state file {}: {detail}", path.display())]
    InvalidInput {
        /// The state file.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },

    /// `remove_resource` named an address that is not in the state.
    #[error("state file {}: no resource instance {address} in state", path.display())]
    NoSuchResource {
        /// The state file.
        path: PathBuf,
        /// The address asked for.
        address: String,
    },

    /// `move_resources` named a destination another instance already has.
    #[error(
        "state file {}: there is already a resource instance at {address} in the state",
        path.display()
    )]
    AddressTaken {
        /// The state file.
        path: PathBuf,
        /// The destination asked for.
        address: String,
    },

    /// Someone else holds the state lock (or held it and is gone: `stale`).
    #[error("{}", locked_message(path, holder, age, stale.as_deref()))]
    Locked {
        /// The state file.
        path: PathBuf,
        /// Who holds the lock (boxed to keep every `Result` small).
        holder: Box<LockInfo>,
        /// How long ago it was taken, e.g. `12s` (see [`LockInfo::age`]).
        age: String,
        /// Why the holder is known to be gone, when it is: the lock is stale.
        stale: Option<String>,
    },

    /// `state rollback` cannot restore the serial asked for.
    #[error("state file {}: cannot roll back to serial {serial}: {reason}", path.display())]
    CannotRollBack {
        /// The state file.
        path: PathBuf,
        /// The serial asked for.
        serial: i64,
        /// Why not.
        reason: String,
    },

    /// `force_unlock` found no lock to remove.
    #[error("state file {} is not locked; there is nothing to unlock", path.display())]
    NotLocked {
        /// The state file.
        path: PathBuf,
    },

    /// `force_unlock` was given an ID that is not the current lock's.
    #[error(
        "lock ID {given} does not match the lock on {}, which is held by ecsform {} (pid {} on \
         host {}) with lock ID {}",
        path.display(), holder.command, holder.pid, holder.host, holder.id
    )]
    LockIdMismatch {
        /// The state file.
        path: PathBuf,
        /// The ID the caller gave.
        given: String,
        /// Who actually holds the lock.
        holder: Box<LockInfo>,
    },
}

fn locked_message(
    path: &std::path::Path,
    holder: &LockInfo,
    age: &str,
    stale: Option<&str>,
) -> String {
    let held = format!(
        "Error acquiring the state lock: {} is locked by ecsform {} (pid {} on host {}) since {} \
         (locked {age} ago), lock ID {}.",
        path.display(),
        holder.command,
        holder.pid,
        holder.host,
        holder.created_at,
        holder.id
    );
    match stale {
        Some(reason) => format!(
            "{held} The lock is stale: {reason}. ecsform does not take a stale lock by itself; \
             if no ecsform is working on this state, release it with: ecsform force-unlock {}",
            holder.id
        ),
        None => format!(
            "{held} Wait for it to finish, or if it crashed, run: ecsform force-unlock {}",
            holder.id
        ),
    }
}
