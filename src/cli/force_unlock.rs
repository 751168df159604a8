//! `ecsform force-unlock ID`: release a state lock left behind by a process that died.

use std::path::Path;

use super::Io;
use crate::state::StateStore;

/// Releases lock `id`; asks first unless `force`, and without `-force` needs a terminal.
pub fn run(state_path: &Path, id: Option<&str>, force: bool, io: &mut Io) -> u8 {
    let Some(id) = id else {
        let _ = writeln!(
            io.err,
            "Error: force-unlock needs the lock ID, as printed in the \"state is locked\" error: ecsform force-unlock ID"
        );
        return 1;
    };
    let store = match StateStore::open_existing(state_path) {
        Ok(Some(s)) => s,
        Ok(None) => {
            let _ = writeln!(
                io.err,
                "Error: there is no state file at {}.",
                state_path.display()
            );
            return 1;
        }
        Err(e) => {
            let _ = writeln!(io.err, "Error: {e}");
            return 1;
        }
    };
    if !force {
        let holder = match store.lock_holder() {
            Ok(h) => h,
            Err(e) => {
                let _ = writeln!(io.err, "Error: {e}");
                return 1;
            }
        };
        // With no lock or another ID there is nothing to confirm: force_unlock says what is
        // wrong. The holder is shown so the user can tell a live one from a dead one.
        if let Some(h) = holder.filter(|h| h.id == id) {
            let state = match h.stale_reason() {
                Some(reason) => format!("It looks stale: {reason}."),
                None => "ecsform cannot tell whether that process still runs.".to_string(),
            };
            let _ = writeln!(
                io.out,
                "Lock {id} is held by ecsform {} (pid {} on host {}), taken {} ago. {state}",
                h.command,
                h.pid,
                h.host,
                h.age()
            );
            match io.confirm(
                "Do you really want to force-unlock?\n  ecsform will remove the lock on the state. This will allow local ecsform commands\n  to modify this state, even though it may still be in use. Only 'yes' will be accepted to confirm."
            ) {
                None => {
                    let _ = writeln!(
                        io.err,
                        "Error: No terminal to confirm with\n\n  ecsform force-unlock asks for confirmation, but its input is not a terminal. Make sure no ecsform is working on this state, then run again with -force."
                    );
                    return 1;
                }
                Some(false) => {
                    let _ = writeln!(io.err, "\nError: force-unlock cancelled; the lock stays.");
                    return 1;
                }
                Some(true) => {}
            }
        }
    }
    match store.force_unlock(id) {
        Ok(()) => {
            let _ = writeln!(
                io.out,
                "ecsform state has been successfully unlocked!\n\nThe state has been unlocked, and ecsform commands should now be able to obtain a new lock."
            );
            0
        }
        Err(e) => {
            let _ = writeln!(io.err, "Error: {e}");
            1
        }
    }
}
