//! The state lock: at most one row in the `lock` table, taken in a `BEGIN IMMEDIATE`
//! transaction so two processes cannot both take it, and released when the `StateLock` is
//! dropped. It does not stop anyone from writing without the lock; callers take it first.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::error::StateError;
use super::file::connect;
use super::{now_rfc3339, sql_err, StateStore};

/// How often `lock` looks again while waiting for someone else's lock to go.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// Who holds (or held) the state lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockInfo {
    /// A UUID naming this lock; `ecsform force-unlock` takes it.
    pub id: String,
    /// The process ID of the holder.
    pub pid: u32,
    /// The host name of the holder's machine.
    pub host: String,
    /// The ecsform subcommand holding the lock, e.g. `apply` (shown as "ecsform apply").
    pub command: String,
    /// When the lock was taken, RFC 3339 in UTC.
    pub created_at: String,
}

/// A held state lock. Dropping it releases the lock if it is still ours; `release` does the
/// same and reports failure.
#[derive(Debug)]
pub struct StateLock {
    /// Its own connection, so the store stays free for writes while the lock is held.
    conn: Option<Connection>,
    path: PathBuf,
    info: LockInfo,
}

impl StateLock {
    /// Who holds the lock: this process.
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    /// Releases the lock now, reporting a failure that dropping would hide.
    pub fn release(mut self) -> Result<(), StateError> {
        match self.conn.take() {
            Some(conn) => delete_ours(&conn, &self.info.id).map_err(sql_err(&self.path)),
            None => Ok(()),
        }
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Nothing to report to from a drop; a lock left behind names its holder and can be
            // removed with force-unlock.
            let _ = delete_ours(&conn, &self.info.id);
        }
    }
}

/// Deletes the lock row only if it still has our ID: it may have been force-unlocked and taken
/// by someone else since.
fn delete_ours(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM lock WHERE id = ?1", [id])
        .map(|_| ())
}

fn current_holder(conn: &Connection) -> rusqlite::Result<Option<LockInfo>> {
    conn.query_row(
        "SELECT id, pid, host, command, created_at FROM lock WHERE slot = 1",
        [],
        |r| {
            Ok(LockInfo {
                id: r.get(0)?,
                pid: r.get(1)?,
                host: r.get(2)?,
                command: r.get(3)?,
                created_at: r.get(4)?,
            })
        },
    )
    .optional()
}

/// Takes the lock if it is free; otherwise says who holds it.
fn try_take(conn: &mut Connection, info: &LockInfo) -> rusqlite::Result<Option<LockInfo>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(holder) = current_holder(&tx)? {
        return Ok(Some(holder));
    }
    tx.execute(
        "INSERT INTO lock (slot, id, pid, host, command, created_at) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![info.id, info.pid, info.host, info.command, info.created_at],
    )?;
    tx.commit()?;
    Ok(None)
}

/// The machine's host name, for telling the user where a lock holder runs.
fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .chain(std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .find(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

impl StateStore {
    /// Takes the state lock for `command` (the subcommand, e.g. `apply`).
    ///
    /// Fails at once with `StateError::Locked` when someone else holds it, unless `timeout` is
    /// more than zero: then it looks again every 200 ms until the lock is free or the timeout
    /// has passed.
    pub fn lock(&self, command: &str, timeout: Duration) -> Result<StateLock, StateError> {
        let path = self.path.as_path();
        let mut conn = connect(path)?;
        let deadline = Instant::now() + timeout;
        let mut info = LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            pid: std::process::id(),
            host: hostname(),
            command: command.to_string(),
            created_at: String::new(),
        };
        loop {
            info.created_at = now_rfc3339();
            let holder = try_take(&mut conn, &info).map_err(sql_err(path))?;
            let Some(holder) = holder else {
                return Ok(StateLock {
                    conn: Some(conn),
                    path: path.to_path_buf(),
                    info,
                });
            };
            let now = Instant::now();
            if now >= deadline {
                return Err(StateError::Locked {
                    path: path.to_path_buf(),
                    holder: Box::new(holder),
                });
            }
            std::thread::sleep(POLL_INTERVAL.min(deadline - now));
        }
    }

    /// Removes the lock with ID `id` whoever holds it, for a holder that crashed. Fails if the
    /// state is not locked or is locked under another ID.
    pub fn force_unlock(&self, id: &str) -> Result<(), StateError> {
        let path = self.path.as_path();
        let mut conn = connect(path)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err(path))?;
        match current_holder(&tx).map_err(sql_err(path))? {
            None => Err(StateError::NotLocked {
                path: path.to_path_buf(),
            }),
            Some(holder) if holder.id != id => Err(StateError::LockIdMismatch {
                path: path.to_path_buf(),
                given: id.to_string(),
                holder: Box::new(holder),
            }),
            Some(_) => {
                delete_ours(&tx, id).map_err(sql_err(path))?;
                tx.commit().map_err(sql_err(path))
            }
        }
    }

    /// Who holds the state lock now, if anyone.
    pub fn lock_holder(&self) -> Result<Option<LockInfo>, StateError> {
        current_holder(&self.conn).map_err(sql_err(&self.path))
    }
}
