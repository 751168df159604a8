//! Rolling replacement of the instances an object runs (an Auto Scaling group's): what plan and
//! apply exchange with a resource type that offers one through [`ResourceType::rollout`],
//! [`ResourceType::rollout_size`] and [`ResourceType::roll_out`].
//!
//! The engine decides when to ask (plan: for every instance it updates or leaves unchanged,
//! unless `-no-rolling` or the plan destroys; apply: after the walk, one object at a time, once
//! the object and what it depends on applied), records in state the marks the type hands it,
//! and reports. The type decides whether, why and how, and talks to AWS.
//!
//! [`ResourceType::rollout`]: super::ResourceType::rollout
//! [`ResourceType::rollout_size`]: super::ResourceType::rollout_size
//! [`ResourceType::roll_out`]: super::ResourceType::roll_out

use std::future::Future;
use std::pin::Pin;

use crate::addrs::ResourceInstanceAddr;
use crate::aws::AwsClients;
use crate::diag::Diagnostic;
use crate::interrupt::Interrupt;
use crate::lang::Value;

/// The state attribute an unfinished rollout leaves on the object (null when there is none),
/// so that the next plan continues it. A type that rolls out declares it in its schema
/// (computed, not stored by AWS); `state list` notes it.
pub const PENDING_ATTR: &str = "rollout_pending";

/// Why an object's instances are replaced.
#[derive(Clone, Debug, PartialEq)]
pub enum RolloutCause {
    /// Its own launch template or launch configuration changes.
    GroupTemplateChanges,
    /// A launch template or configuration it uses changes (the address).
    TemplateChanges(ResourceInstanceAddr),
    /// An earlier rollout stopped before it finished (at this step).
    Unfinished(String),
}

impl std::fmt::Display for RolloutCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RolloutCause::GroupTemplateChanges => {
                f.write_str("its launch template or configuration changes")
            }
            RolloutCause::TemplateChanges(a) => write!(f, "{a} changes"),
            RolloutCause::Unfinished(step) => {
                write!(f, "an earlier rollout stopped before it finished ({step})")
            }
        }
    }
}

/// What [`ResourceType::rollout`](super::ResourceType::rollout) is told of an instance the
/// plan updates in place or leaves unchanged.
pub struct RolloutQuery<'a> {
    /// The object as recorded: only an existing object has instances to replace.
    pub before: &'a Value,
    /// The object as planned.
    pub after: Option<&'a Value>,
    /// Whether the plan updates the object itself (otherwise it is unchanged).
    pub updated: bool,
    /// What the object depends on, as the plan lists it.
    pub dependencies: &'a [ResourceInstanceAddr],
    /// Whether the plan updates or replaces an instance (a dependency).
    pub changes: &'a dyn Fn(&ResourceInstanceAddr) -> bool,
}

/// A rollout as the type plans it.
#[derive(Clone, Debug, PartialEq)]
pub struct Rollout {
    pub cause: RolloutCause,
    /// The cluster the instances are drained from; `None`: known after apply.
    pub cluster: Option<String>,
    /// How many instances are replaced at once.
    pub batch_size: u32,
}

/// What [`ResourceType::roll_out`](super::ResourceType::roll_out) needs besides the object.
pub struct RolloutContext<'a> {
    pub clients: &'a AwsClients,
    /// The object's address, for messages.
    pub address: &'a str,
    /// Ctrl-C: no new step starts, and waits give up at once.
    pub interrupt: Option<&'a Interrupt>,
}

/// What a rollout reports while it runs.
#[derive(Clone, Debug, PartialEq)]
pub enum RolloutEvent {
    /// A progress line naming instances and tasks.
    Progress(String),
    /// The object's [`PENDING_ATTR`] mark changes: `Some` while old instances remain (write it
    /// to state now), `None` once the rollout is done.
    Mark(Option<Value>),
}

/// Why a rollout did not finish, as apply reports it.
#[derive(Debug)]
pub struct RolloutFailure {
    /// The error, naming the object's address: why the rollout did not start, or where it
    /// stopped and what it put back.
    pub diagnostic: Diagnostic,
    /// The mark to leave on the object when instances remain for the next apply to replace.
    pub mark: Option<Value>,
}

/// The future [`ResourceType::roll_out`](super::ResourceType::roll_out) returns: `Ok(true)`
/// once the instances are replaced, `Ok(false)` when the object has nothing to roll out. Not
/// `Send`: it reports through apply's hooks while it runs.
pub type RollOut<'a> = Pin<Box<dyn Future<Output = Result<bool, RolloutFailure>> + 'a>>;

/// The object's value with its [`PENDING_ATTR`] mark set (or cleared).
pub fn with_mark(object: &Value, mark: Option<Value>) -> Value {
    let mut o = object.clone();
    if let Value::Map(m) = &mut o {
        m.insert(PENDING_ATTR.into(), mark.unwrap_or(Value::Null));
    }
    o
}
