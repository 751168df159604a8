//! The state lock: at most one row in the `lock` table, taken in a `BEGIN IMMEDIATE`
//! transaction so two processes cannot both take it, and released when the `StateLock` is
//! dropped. It does not stop anyone from writing without the lock; callers take it first.
//!
//! A lock whose holder ran on this host and is gone (no such PID, a zombie, or the PID now
//! belongs to a process started later) is *stale*: it is reported as such, with how to release
//! it, and never taken over automatically — a PID namespace (a container) that shares the host
//! name could make a live holder look gone.

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
    /// The holder's process start (`BOOT_ID:TICKS` from `/proc`), to tell a reused PID from
    /// the holder; `None` where `/proc` is not available or for a lock written before it was
    /// recorded.
    pub process_start: Option<String>,
}

impl LockInfo {
    /// How long ago the lock was taken, e.g. `12s`, `3m05s`, `2h10m`, `4d3h`; `an unknown
    /// time` if `created_at` cannot be read.
    pub fn age(&self) -> String {
        let Ok(taken) = chrono::DateTime::parse_from_rfc3339(&self.created_at) else {
            return "an unknown time".into();
        };
        let secs = (chrono::Utc::now() - taken.with_timezone(&chrono::Utc))
            .num_seconds()
            .max(0);
        match secs {
            s if s < 60 => format!("{s}s"),
            s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
            s if s < 86400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
            s => format!("{}d{}h", s / 86400, s % 86400 / 3600),
        }
    }

    /// Why the holder is known to be gone, if it is: it ran on this host and its process no
    /// longer exists, is a zombie, or its PID now belongs to a process started later (or
    /// since a restart). `None` when it may still run (or runs elsewhere).
    pub fn stale_reason(&self) -> Option<String> {
        if self.host != hostname() {
            return None;
        }
        stale_reason_here(self.pid, self.process_start.as_deref())
    }
}

/// `stale_reason` for a holder known to have run on this host.
fn stale_reason_here(pid: u32, recorded_start: Option<&str>) -> Option<String> {
    // Without /proc there is no telling; a lock is then never called stale.
    if !std::path::Path::new("/proc/self/stat").exists() {
        return None;
    }
    let Some((state, start)) = proc_stat(pid) else {
        return Some(format!("process {pid} no longer runs on this host"));
    };
    if state == 'Z' || state == 'X' {
        return Some(format!("process {pid} has exited (it is a zombie)"));
    }
    let recorded = recorded_start?;
    let (boot, _) = recorded.split_once(':')?;
    if boot != boot_id() {
        return Some(format!(
            "this host has restarted since the lock was taken, so process {pid} is gone"
        ));
    }
    if recorded != format!("{}:{start}", boot_id()) {
        return Some(format!(
            "PID {pid} now belongs to another process, started after the lock was taken"
        ));
    }
    None
}

/// The state letter and start time (clock ticks after boot) of process `pid`, from
/// `/proc/PID/stat`.
fn proc_stat(pid: u32) -> Option<(char, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name in parentheses may hold spaces and parentheses: split after the last.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    // Field 22 of the file is the start time; `fields` begins at field 3.
    let start = fields.get(19)?.parse().ok()?;
    Some((state, start))
}

fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// This process's start as recorded in a lock: `BOOT_ID:TICKS`, or None without `/proc`.
fn own_process_start() -> Option<String> {
    let (_, start) = proc_stat(std::process::id())?;
    Some(format!("{}:{start}", boot_id()))
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
        "SELECT id, pid, host, command, created_at, process_start FROM lock WHERE slot = 1",
        [],
        |r| {
            Ok(LockInfo {
                id: r.get(0)?,
                pid: r.get(1)?,
                host: r.get(2)?,
                command: r.get(3)?,
                created_at: r.get(4)?,
                process_start: r.get(5)?,
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
        "INSERT INTO lock (slot, id, pid, host, command, created_at, process_start) \
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![
            info.id,
            info.pid,
            info.host,
            info.command,
            info.created_at,
            info.process_start
        ],
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
    /// has passed. A stale lock (see [`LockInfo::stale_reason`]) fails at once whatever the
    /// timeout: waiting cannot release it.
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
            process_start: own_process_start(),
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
            let stale = holder.stale_reason();
            let now = Instant::now();
            if now >= deadline || stale.is_some() {
                return Err(StateError::Locked {
                    path: path.to_path_buf(),
                    age: holder.age(),
                    holder: Box::new(holder),
                    stale,
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
                 since {} (locked {} ago), lock ID {}. Wait for it to finish, or if it crashed, \
                 run: ecsform force-unlock {}",
                path.display(),
                info.pid,
                info.host,
                info.created_at,
                info.age(),
                info.id,
                info.id
            )
        );
        assert_eq!(info.stale_reason(), None, "this process is alive");

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

    /// Writes a lock row as another process would have.
    fn plant(path: &std::path::Path, pid: u32, host: &str, start: Option<&str>, ago: i64) {
        let conn = Connection::open(path).unwrap();
        let created = (chrono::Utc::now() - chrono::Duration::seconds(ago))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        conn.execute(
            "INSERT INTO lock (slot, id, pid, host, command, created_at, process_start) \
             VALUES (1, 'L1', ?1, ?2, 'apply', ?3, ?4)",
            rusqlite::params![pid, host, created, start],
        )
        .unwrap();
    }

    /// The PID of a process that has exited and been reaped.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn a_lock_of_a_gone_process_on_this_host_is_stale_and_fails_at_once() {
        let (_dir, path) = temp_state();
        let store = StateStore::open(&path).unwrap();
        let pid = dead_pid();
        plant(&path, pid, &hostname(), None, 75);
        let started = Instant::now();
        let err = store.lock("plan", Duration::from_secs(30)).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "waiting cannot release a stale lock"
        );
        let text = err.to_string();
        assert!(
            text.contains(&format!("(pid {pid} on host {})", hostname())),
            "{text}"
        );
        // Planted 75 s ago, to the second; the test itself may take up to two more on a busy
        // machine.
        assert!(
            ["1m15s", "1m16s", "1m17s"]
                .iter()
                .any(|age| text.contains(&format!("(locked {age} ago)"))),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "The lock is stale: process {pid} no longer runs on this host. ecsform does \
                 not take a stale lock by itself; if no ecsform is working on this state, \
                 release it with: ecsform force-unlock L1"
            )),
            "{text}"
        );
        store.force_unlock("L1").unwrap();
        store.lock("plan", Duration::ZERO).unwrap();
    }

    #[test]
    fn a_reused_pid_or_a_restart_makes_a_lock_stale_and_another_host_never() {
        let me = std::process::id();
        let own = own_process_start().expect("/proc on Linux");
        assert_eq!(stale_reason_here(me, Some(&own)), None);
        assert_eq!(stale_reason_here(me, None), None);
        let (boot, ticks) = own.split_once(':').unwrap();
        let earlier = format!("{boot}:{}", ticks.parse::<u64>().unwrap() + 1);
        assert_eq!(
            stale_reason_here(me, Some(&earlier)).unwrap(),
            format!("PID {me} now belongs to another process, started after the lock was taken")
        );
        assert!(stale_reason_here(me, Some(&format!("other-boot:{ticks}")))
            .unwrap()
            .contains("this host has restarted"));

        let (_dir, path) = temp_state();
        let store = StateStore::open(&path).unwrap();
        plant(&path, dead_pid(), "some-other-host", None, 5);
        let holder = store.lock_holder().unwrap().unwrap();
        assert_eq!(holder.stale_reason(), None, "no telling for another host");
        let err = store.lock("plan", Duration::ZERO).unwrap_err();
        assert!(err.to_string().contains("Wait for it to finish"), "{err}");
    }

    #[test]
    fn lock_ages_read_like_durations() {
        let at = |secs: i64| LockInfo {
            id: "x".into(),
            pid: 1,
            host: "h".into(),
            command: "apply".into(),
            created_at: (chrono::Utc::now() - chrono::Duration::seconds(secs))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            process_start: None,
        };
        assert_eq!(at(12).age(), "12s");
        assert_eq!(at(185).age(), "3m05s");
        assert_eq!(at(7800).age(), "2h10m");
        assert_eq!(at(4 * 86400 + 3 * 3600).age(), "4d3h");
        let mut bad = at(1);
        bad.created_at = "yesterday".into();
        assert_eq!(bad.age(), "an unknown time");
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
