//! `ecsform force-unlock ID`: release a state lock left behind by a process that died.

use std::path::Path;

use super::Io;
use crate::state::StateStore;

pub fn run(state_path: &Path, id: Option<&str>, io: &mut Io) -> u8 {
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
