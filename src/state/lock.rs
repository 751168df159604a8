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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::testing::{record, temp_state};

    #[test]
    fn a_held_lock_fails_a_second_taker_at_once_naming_the_holder() {
        let (_dir, path) = temp_state();
        let first = StateStore::open(&path).unwrap();
        let second = StateStore::open(&path).unwrap();
        let held = first.lock("apply", Duration::ZERO).unwrap();
        let info = held.info().clone();
        assert_eq!(info.command, "apply");
        assert_eq!(info.pid, std::process::id());
        assert!(uuid::Uuid::parse_str(&info.id).is_ok());
        assert_eq!(second.lock_holder().unwrap(), Some(info.clone()));

        let started = Instant::now();
        let err = second.lock("plan", Duration::ZERO).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1));
        let StateError::Locked { holder, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(**holder, info);
        assert_eq!(
            err.to_string(),
            format!(
                "Error acquiring the state lock: {} is locked by ecsform apply (pid {} on host {}) \
                 since {}, lock ID {}. Wait for it to finish, or if it crashed, run: ecsform \
                 force-unlock {}",
                path.display(),
                info.pid,
                info.host,
                info.created_at,
                info.id,
                info.id
            )
        );

        // The store stays writable while its lock is held.
        let mut first = first;
        first
            .put_resource(&record("aws_vpc.a"), "create", None)
            .unwrap();

        drop(held);
        assert_eq!(second.lock_holder().unwrap(), None);
        second
            .lock("plan", Duration::ZERO)
            .unwrap()
            .release()
            .unwrap();
    }

    #[test]
    fn a_lock_with_a_timeout_waits_for_the_holder_to_finish() {
        let (_dir, path) = temp_state();
        let store = StateStore::open(&path).unwrap();
        let held = store.lock("apply", Duration::ZERO).unwrap();
        let holder = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(500));
            drop(held);
        });
        let other = StateStore::open(&path).unwrap();
        let started = Instant::now();
        let lock = other.lock("apply", Duration::from_secs(10)).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(400));
        holder.join().unwrap();
        assert_eq!(other.lock_holder().unwrap(), Some(lock.info().clone()));

        let err = store.lock("apply", Duration::from_millis(300)).unwrap_err();
        assert!(matches!(err, StateError::Locked { .. }), "{err:?}");
    }

    #[test]
    fn force_unlock_removes_only_the_named_lock() {
        let (_dir, path) = temp_state();
        let store = StateStore::open(&path).unwrap();
        let err = store.force_unlock("nope").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "state file {} is not locked; there is nothing to unlock",
                path.display()
            )
        );

        let crashed = store.lock("apply", Duration::ZERO).unwrap();
        let id = crashed.info().id.clone();
        let err = store.force_unlock("5f00").unwrap_err();
        assert!(matches!(err, StateError::LockIdMismatch { .. }), "{err:?}");
        assert!(
            err.to_string().starts_with("lock ID 5f00 does not match"),
            "{err}"
        );
        assert!(store.lock_holder().unwrap().is_some());

        store.force_unlock(&id).unwrap();
        assert_eq!(store.lock_holder().unwrap(), None);

        // The old holder finishing later must not release the new holder's lock.
        let next = store.lock("apply", Duration::ZERO).unwrap();
        crashed.release().unwrap();
        assert_eq!(store.lock_holder().unwrap(), Some(next.info().clone()));
    }

    #[test]
    fn racing_takers_get_exactly_one_lock() {
        let (_dir, path) = temp_state();
        StateStore::open(&path).unwrap();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
        let takers: Vec<_> = (0..6)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let store = StateStore::open(&path).unwrap();
                    barrier.wait();
                    let taken = store.lock("apply", Duration::ZERO);
                    // Hold on until everyone has tried.
                    barrier.wait();
                    taken.is_ok()
                })
            })
            .collect();
        let won = takers
            .into_iter()
            .map(|t| t.join().unwrap())
            .filter(|&won| won)
            .count();
        assert_eq!(won, 1);
    }

    #[test]
    fn a_lock_can_move_to_another_thread() {
        fn assert_send<T: Send>(_: &T) {}
        let (_dir, path) = temp_state();
        let store = StateStore::open(&path).unwrap();
        let lock = store.lock("apply", Duration::ZERO).unwrap();
        assert_send(&lock);
        assert_send(&store);
    }
}
