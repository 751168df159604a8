//! Plans as data: per resource instance one action, the values before and after, what forces
//! a replacement and why, plus drift found by refresh.
//!
//! [`diff`] decides one instance's action (pure); [`build`] produces a whole [`Plan`] from the
//! configuration, the state and the refreshed objects. Rendering lives in `render`; applying
//! in `apply`. A plan never prints.

pub mod build;
pub mod diff;
pub mod refresh;

use std::collections::BTreeMap;

use crate::addrs::ResourceInstanceAddr;
use crate::lang::Value;

/// What happens to one resource instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    NoOp,
    /// A data source is read during apply (its arguments are not known yet).
    Read,
    Create,
    Update,
    /// Replace: delete the old object, then create the new one.
    DeleteThenCreate,
    /// Replace with `create_before_destroy`: create the new object first.
    CreateThenDelete,
    Delete,
}

impl Action {
    pub fn is_replace(self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }

    /// Terraform's symbol for the action.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Read => "<=",
            Action::Create => "+",
            Action::Update => "~",
            Action::DeleteThenCreate => "-/+",
            Action::CreateThenDelete => "+/-",
            Action::Delete => "-",
        }
    }
}

/// The planned change of one resource instance.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceChange {
    pub addr: ResourceInstanceAddr,
    pub action: Action,
    /// The object as it is now (refreshed), if it exists.
    pub before: Option<Value>,
    /// The object as planned; unknown where only apply will tell. None for deletes.
    pub after: Option<Value>,
    /// Attributes whose change forces the replacement.
    pub replace_paths: Vec<String>,
    /// Why, where not obvious: "not in configuration", "count index out of range"...
    pub reason: Option<String>,
    /// Instances this one depends on (from the configuration, or recorded in state for
    /// deletions).
    pub dependencies: Vec<ResourceInstanceAddr>,
}

/// An object that changed outside ecsform since the last apply.
#[derive(Clone, Debug, PartialEq)]
pub struct Drift {
    pub addr: ResourceInstanceAddr,
    /// As recorded in state.
    pub before: Value,
    /// As read from AWS; None if it was deleted.
    pub after: Option<Value>,
}

/// A planned root module output.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputChange {
    pub name: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub sensitive: bool,
}

/// A whole plan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Every instance, sorted by address (no-ops included; renderers skip them).
    pub changes: Vec<ResourceChange>,
    pub drift: Vec<Drift>,
    pub outputs: Vec<OutputChange>,
    /// Planned with `-destroy`.
    pub destroy: bool,
    /// The `-target` addresses it was restricted to (empty: the whole configuration).
    pub targets: Vec<String>,
}

/// How many objects a plan adds, changes and destroys (a replacement counts as one added and
/// one destroyed, as in Terraform).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
}

impl Plan {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for ch in &self.changes {
            match ch.action {
                Action::Create => c.add += 1,
                Action::Update => c.change += 1,
                Action::Delete => c.destroy += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    c.add += 1;
                    c.destroy += 1;
                }
                Action::NoOp | Action::Read => {}
            }
        }
        c
    }

    /// True if applying would change any object or output.
    pub fn has_changes(&self) -> bool {
        self.changes
            .iter()
            .any(|c| !matches!(c.action, Action::NoOp | Action::Read))
            || self.outputs.iter().any(|o| o.before != o.after)
    }

    pub fn change(&self, addr: &ResourceInstanceAddr) -> Option<&ResourceChange> {
        self.changes.iter().find(|c| &c.addr == addr)
    }

    /// Changes by address, for lookups during apply.
    pub fn by_address(&self) -> BTreeMap<String, &ResourceChange> {
        self.changes
            .iter()
            .map(|c| (c.addr.to_string(), c))
            .collect()
    }
}
