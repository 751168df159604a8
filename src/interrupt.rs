//! Interrupts (Ctrl-C) as the executor (`apply`) and the long operations it runs (a resource
//! type's rollout) see them: a counter shared with whoever listens for the signal. One
//! interrupt: start nothing new, let running calls finish and record them. Two: stop at once;
//! running calls are abandoned, and what they did is found again by the next plan (intent
//! rows, see `plan::recover`).

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// How many interrupts have arrived; clones share the count.
#[derive(Clone, Debug, Default)]
pub struct Interrupt {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    count: AtomicU8,
    notify: Notify,
}

impl Interrupt {
    /// A counter at zero.
    pub fn new() -> Interrupt {
        Interrupt::default()
    }

    /// Counts one interrupt and wakes the executor.
    pub fn signal(&self) {
        let _ = self
            .inner
            .count
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |c| {
                Some(c.saturating_add(1))
            });
        self.inner.notify.notify_one();
    }

    /// How many interrupts have arrived.
    pub fn count(&self) -> u8 {
        self.inner.count.load(Ordering::SeqCst)
    }

    /// Waits for the next interrupt (returns at once if one arrived since the last wait).
    pub async fn wait(&self) {
        self.inner.notify.notified().await;
    }

    /// Counts every SIGINT (Ctrl-C) the process receives from now on, on the current tokio
    /// runtime. The process no longer dies of SIGINT afterwards, so only the binary calls this,
    /// and only once it is about to change things.
    pub fn listen_for_ctrl_c(&self) {
        let me = self.clone();
        // The handler is installed here, not when the task first runs, so that no SIGINT
        // falls between the two and kills the process.
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let Ok(mut sigint) = signal(SignalKind::interrupt()) else {
                return;
            };
            tokio::spawn(async move {
                while sigint.recv().await.is_some() {
                    me.signal();
                }
            });
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                me.signal();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn signals_are_counted_and_wake_a_later_wait() {
        let i = Interrupt::new();
        let shared = i.clone();
        assert_eq!(i.count(), 0);
        shared.signal();
        // The wake-up is kept for a waiter that comes later.
        tokio::time::timeout(std::time::Duration::from_secs(5), i.wait())
            .await
            .expect("woken");
        shared.signal();
        assert_eq!(i.count(), 2);
    }
}
