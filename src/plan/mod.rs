//! Plans as data: per resource instance one action, the values before and after, what forces
//! a replacement and why, plus drift found by refresh.
//!
//! [`diff`] decides one instance's action (pure); [`build`] produces a whole [`Plan`] from the
//! configuration, the state and the refreshed objects. Rendering lives in `render`; applying
//! in `apply`. A plan never prints.

pub mod build;
pub mod diff;
pub mod planfile;
pub mod rolling;

use std::collections::BTreeMap;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::addrs::ResourceInstanceAddr;
use crate::lang::Value;
use crate::plan::planfile::{saved_opt_value, saved_value};

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
    const ALL: [Action; 7] = [
        Action::NoOp,
        Action::Read,
        Action::Create,
        Action::Update,
        Action::DeleteThenCreate,
        Action::CreateThenDelete,
        Action::Delete,
    ];

    /// The action's name in a saved plan (`"delete-then-create"`).
    fn name(self) -> &'static str {
        match self {
            Action::NoOp => "no-op",
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::DeleteThenCreate => "delete-then-create",
            Action::CreateThenDelete => "create-then-delete",
            Action::Delete => "delete",
        }
    }

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

/// A saved plan names an action (`"create"`, `"delete-then-create"`).
impl Serialize for Action {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Reads an action's name; another name is an error that quotes it.
impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Action::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| D::Error::custom(format!("unknown action \"{name}\"")))
    }
}

/// The planned change of one resource instance. The plan types serialize as saved plans hold
/// them (`planfile`): sensitive values are left out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    #[serde(rename = "address")]
    pub addr: ResourceInstanceAddr,
    pub action: Action,
    /// The object as it is now (refreshed), if it exists.
    #[serde(default, with = "saved_opt_value")]
    pub before: Option<Value>,
    /// The object as planned; unknown where only apply will tell. None for deletes.
    #[serde(default, with = "saved_opt_value")]
    pub after: Option<Value>,
    /// Attributes whose change forces the replacement.
    #[serde(default)]
    pub replace_paths: Vec<String>,
    /// Why, where not obvious: "not in configuration", "count index out of range"...
    pub reason: Option<String>,
    /// Instances this one depends on (from the configuration, or recorded in state for
    /// deletions).
    #[serde(default)]
    pub dependencies: Vec<ResourceInstanceAddr>,
}

/// Why an instance gets its action, in Terraform's terms (`action_reason` in its JSON plan).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionReason {
    /// An attribute that cannot be updated in place changed.
    ReplaceBecauseCannotUpdate,
    /// The user asked for the replacement (`-replace`).
    ReplaceByRequest,
    /// The resource block is gone from the configuration.
    DeleteBecauseNoResourceConfig,
    /// The instance's index is beyond the resource's `count`.
    DeleteBecauseCountIndex,
    /// The instance's key is not in the resource's `for_each`.
    DeleteBecauseEachKey,
    /// The module call (or the module instance) holding the instance is gone.
    DeleteBecauseNoModule,
    /// A data source is read during apply because its arguments are not known yet.
    ReadBecauseConfigUnknown,
}

impl ActionReason {
    /// The name Terraform uses in `terraform show -json`.
    pub fn terraform_name(self) -> &'static str {
        match self {
            ActionReason::ReplaceBecauseCannotUpdate => "replace_because_cannot_update",
            ActionReason::ReplaceByRequest => "replace_by_request",
            ActionReason::DeleteBecauseNoResourceConfig => "delete_because_no_resource_config",
            ActionReason::DeleteBecauseCountIndex => "delete_because_count_index",
            ActionReason::DeleteBecauseEachKey => "delete_because_each_key",
            ActionReason::DeleteBecauseNoModule => "delete_because_no_module",
            ActionReason::ReadBecauseConfigUnknown => "read_because_config_unknown",
        }
    }
}

impl ResourceChange {
    /// Why this change has its action, where Terraform names a reason. Read from the action,
    /// `replace_paths` and the `reason` text that [`build`] (and `-replace`) write.
    pub fn action_reason(&self) -> Option<ActionReason> {
        let reason = self.reason.as_deref().unwrap_or("");
        match self.action {
            Action::DeleteThenCreate | Action::CreateThenDelete => {
                if reason.contains("-replace") {
                    Some(ActionReason::ReplaceByRequest)
                } else if !self.replace_paths.is_empty() {
                    Some(ActionReason::ReplaceBecauseCannotUpdate)
                } else {
                    None
                }
            }
            Action::Delete if reason.ends_with("is out of range for count") => {
                Some(ActionReason::DeleteBecauseCountIndex)
            }
            Action::Delete if reason.ends_with("is not in for_each map") => {
                Some(ActionReason::DeleteBecauseEachKey)
            }
            Action::Delete => {
                let what = reason.strip_suffix(" is not in configuration")?;
                if what == self.addr.to_string() {
                    Some(ActionReason::DeleteBecauseNoResourceConfig)
                } else {
                    // `module.x` or `module.x[1]`: a module call or instance that is gone.
                    Some(ActionReason::DeleteBecauseNoModule)
                }
            }
            Action::Read if reason.contains("not yet known") => {
                Some(ActionReason::ReadBecauseConfigUnknown)
            }
            _ => None,
        }
    }
}

/// An object that changed outside ecsform since the last apply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    #[serde(rename = "address")]
    pub addr: ResourceInstanceAddr,
    /// As recorded in state.
    #[serde(with = "saved_value")]
    pub before: Value,
    /// As read from AWS; None if it was deleted.
    #[serde(default, with = "saved_opt_value")]
    pub after: Option<Value>,
}

/// A planned root module output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputChange {
    pub name: String,
    #[serde(default, with = "saved_opt_value")]
    pub before: Option<Value>,
    #[serde(default, with = "saved_opt_value")]
    pub after: Option<Value>,
    #[serde(default)]
    pub sensitive: bool,
}

impl OutputChange {
    /// True if the output's value changes. Sensitive marks are not part of the value: a
    /// recorded output and the same value newly evaluated (marked inside a collection, as
    /// `{ for k in .. : k => var.secret }` is) are the same.
    pub fn changed(&self) -> bool {
        match (&self.before, &self.after) {
            (Some(a), Some(b)) => !a.equals(b),
            (a, b) => a.is_some() != b.is_some(),
        }
    }
}

/// An object an interrupted apply created without recording its id, found again by
/// [`recover`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recovered {
    #[serde(rename = "address")]
    pub addr: ResourceInstanceAddr,
    /// The object's id.
    pub id: String,
    pub kind: RecoveryKind,
}

/// What becomes of a [`Recovered`] object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecoveryKind {
    /// It is the instance's object now; apply records it (the plan's `before` is this object).
    Adopted,
    /// It is the create-before-destroy replacement of the recorded object; apply's create
    /// step takes it instead of creating another.
    Replacement,
}

/// A whole plan. Its fields are in the order a saved plan holds them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Planned with `-destroy`.
    #[serde(default)]
    pub destroy: bool,
    /// The `-target` addresses it was restricted to (empty: the whole configuration).
    #[serde(default)]
    pub targets: Vec<String>,
    /// Every instance, sorted by address (no-ops included; renderers skip them).
    pub changes: Vec<ResourceChange>,
    /// Objects created by an interrupted apply and found again, sorted by address. Plan files
    /// written before recovery existed have none.
    #[serde(default)]
    pub recovered: Vec<Recovered>,
    pub drift: Vec<Drift>,
    /// Groups whose instances apply replaces in rolling batches, sorted by address. Plan
    /// files written before rolling replacements existed have none.
    #[serde(default)]
    pub rollouts: Vec<rolling::PlannedRollout>,
    pub outputs: Vec<OutputChange>,
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

    /// True if applying would change any object, output or the state (recording an adopted
    /// object).
    pub fn has_changes(&self) -> bool {
        self.changes
            .iter()
            .any(|c| !matches!(c.action, Action::NoOp | Action::Read))
            || self.outputs.iter().any(OutputChange::changed)
            || !self.recovered.is_empty()
            || !self.rollouts.is_empty()
    }

    /// The rolling replacement planned for a group, if any.
    pub fn rollout(&self, addr: &ResourceInstanceAddr) -> Option<&rolling::PlannedRollout> {
        self.rollouts.iter().find(|r| &r.addr == addr)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn change(addr: &str, action: Action, reason: Option<&str>) -> ResourceChange {
        ResourceChange {
            addr: ResourceInstanceAddr::parse(addr).expect("address"),
            action,
            before: None,
            after: None,
            replace_paths: Vec::new(),
            reason: reason.map(str::to_string),
            dependencies: Vec::new(),
        }
    }

    #[test]
    fn action_reasons_from_the_reasons_build_writes() {
        let reason = |addr, action, text| change(addr, action, text).action_reason();
        use ActionReason::*;
        let d = Action::Delete;
        assert_eq!(
            reason("aws_x.y", d, Some("aws_x.y is not in configuration")),
            Some(DeleteBecauseNoResourceConfig)
        );
        assert_eq!(
            reason(
                "module.a[1].aws_x.y",
                d,
                Some("module.a[1] is not in configuration")
            ),
            Some(DeleteBecauseNoModule)
        );
        assert_eq!(
            reason("aws_x.y[3]", d, Some("index [3] is out of range for count")),
            Some(DeleteBecauseCountIndex)
        );
        assert_eq!(
            reason(
                "aws_x.y[\"k\"]",
                d,
                Some("key [\"k\"] is not in for_each map")
            ),
            Some(DeleteBecauseEachKey)
        );
        assert_eq!(reason("aws_x.y", d, None), None);
        assert_eq!(
            reason(
                "data.aws_ami.a",
                Action::Read,
                Some("config refers to values not yet known")
            ),
            Some(ReadBecauseConfigUnknown)
        );
        let r = Action::DeleteThenCreate;
        assert_eq!(
            reason("aws_x.y", r, Some("requested with -replace")),
            Some(ReplaceByRequest)
        );
        let mut forced = change("aws_x.y", Action::CreateThenDelete, None);
        forced.replace_paths = vec!["cidr_block".into()];
        assert_eq!(forced.action_reason(), Some(ReplaceBecauseCannotUpdate));
        assert_eq!(reason("aws_x.y", Action::Update, None), None);
        assert_eq!(
            ReplaceBecauseCannotUpdate.terraform_name(),
            "replace_because_cannot_update"
        );
    }
}
