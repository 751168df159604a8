//! The state rows that make apply crash-safe: the *intent row* written before each create, the
//! adoption of objects an interrupted apply left behind (found by `plan::recover`), and the
//! look-again before a create whose earlier intent is still in state.
//!
//! * Before a create: one transaction writes the instance with status `creating`, no id, the
//!   arguments about to be sent (with generated names pinned) and its dependencies. The
//!   record of the created object replaces it. A crash leaves it, and the next plan looks for
//!   the object. A failed create leaves it too (the call may have created something before
//!   failing), except when AWS said the object already exists for a type that cannot tell its
//!   own objects from others (no tags): then the object is not ours and the row goes.
//! * A create-before-destroy replacement must not lose the object it replaces: the row keeps
//!   the old id and attributes, gets status `creating` and the new arguments under
//!   [`REPLACEMENT_KEY`]; the new object is recorded once the old one is destroyed.
//! * At the start of apply, intent rows whose object the plan adopted become ordinary records;
//!   intent rows the plan has nothing for (the instance left the configuration, nothing was
//!   found) are dropped.

use std::collections::BTreeSet;

use crate::addrs::ResourceInstanceAddr;
use crate::aws;
use crate::aws::adoption::{resolve, Resolution};
use crate::aws::error::ApiError;
use crate::aws::AwsClients;
use crate::aws::{Adoption, Owner, ResourceType};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::plan::{Action, Plan, RecoveryKind, ResourceChange};
use crate::state::{ResourceRecord, ResourceStatus, StateError, StateStore, REPLACEMENT_KEY};

/// What to look for before creating, because an earlier intent for the address was still in
/// state: its arguments, and the recorded id that is not the object looked for.
#[derive(Clone, Debug)]
pub(super) struct Lookup {
    args: Value,
    exclude: Option<String>,
}

impl Lookup {
    /// What to look for after the create of `change` with the arguments `planned` failed:
    /// the object it would have made (not the one it replaces).
    pub(super) fn after_failure(change: &ResourceChange, planned: &Value) -> Lookup {
        Lookup {
            args: planned.clone(),
            exclude: change
                .before
                .as_ref()
                .and_then(crate::aws::adoption::state_id),
        }
    }
}

/// JSON of the known parts of a value: unknown parts (computed attributes AWS fills in) are
/// null, sensitive marks are dropped (the state holds secrets; its file is private).
pub(super) fn known_json(v: &Value) -> serde_json::Value {
    match v.unmarked() {
        Value::Unknown => serde_json::Value::Null,
        Value::List(items) | Value::Set(items) => {
            serde_json::Value::Array(items.iter().map(known_json).collect())
        }
        Value::Map(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), known_json(v))).collect())
        }
        known => known.to_json().unwrap_or(serde_json::Value::Null),
    }
}

/// A managed instance's record.
pub(super) fn new_record(
    addr: &ResourceInstanceAddr,
    id: Option<String>,
    attributes: serde_json::Value,
    dependencies: &[ResourceInstanceAddr],
    status: ResourceStatus,
) -> ResourceRecord {
    ResourceRecord {
        address: addr.to_string(),
        mode: "managed".into(),
        type_name: addr.resource.type_name.clone(),
        module_path: addr.module.to_string(),
        index_key: crate::state::index_key_json(&addr.key),
        id,
        attributes,
        dependencies: dependencies.iter().map(ToString::to_string).collect(),
        status,
        schema_version: aws::resource_type(&addr.resource.type_name)
            .map(|t| t.schema().version)
            .unwrap_or(1),
        sensitive_paths: Vec::new(),
    }
}

fn state_diag(addr: &ResourceInstanceAddr, what: &str, e: StateError) -> Diagnostic {
    Diagnostic::error(
        format!("Failed to write state for {addr}"),
        format!("{e} (while {what}). Nothing was sent to AWS for it."),
    )
}

/// Writes the intent row for the create of `change` with the (pinned) arguments `planned`.
/// Returns what to look for first if an earlier intent for this address was still there.
pub(super) fn write_intent(
    state: &mut StateStore,
    change: &ResourceChange,
    planned: &Value,
) -> Result<Option<Lookup>, Diagnostic> {
    let addr = &change.addr;
    let to_diag = |e| state_diag(addr, "recording the intent to create it", e);
    let existing = state.resource(&addr.to_string()).map_err(to_diag)?;
    let rt = aws::resource_type(&addr.resource.type_name);
    let lookup = existing.as_ref().and_then(|rec| {
        let args = rec.intent_arguments()?;
        let schema = rt?.schema();
        Some(Lookup {
            args: schema.decode(&Value::from_json(args)),
            exclude: rec.id.clone(),
        })
    });
    let args = known_json(planned);
    let row = match existing {
        // Create-before-destroy: the object being replaced stays recorded.
        Some(mut rec) if change.action == Action::CreateThenDelete && rec.id.is_some() => {
            if let serde_json::Value::Object(m) = &mut rec.attributes {
                m.insert(REPLACEMENT_KEY.into(), args);
            }
            rec.status = ResourceStatus::Creating;
            rec
        }
        _ => new_record(
            addr,
            None,
            args,
            &change.dependencies,
            ResourceStatus::Creating,
        ),
    };
    state.put_resource(&row, "intent", None).map_err(to_diag)?;
    Ok(lookup)
}

/// Looks for the object an earlier intent may have created before creating another; the
/// object's state (as a create would return it) if exactly one of ours is there.
pub(super) async fn find_again(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    lookup: &Lookup,
    address: &str,
    lineage: &str,
) -> Result<Option<Value>, ApiError> {
    let owner = Owner { address, lineage };
    let candidates = rt.find_created(clients, &lookup.args, &owner).await?;
    match resolve(candidates, lookup.exclude.as_deref()) {
        Ok(Resolution::Adopt(found)) => Ok(Some(rt.imported(found, &lookup.args))),
        Ok(Resolution::Nothing { .. }) => Ok(None),
        Err(ids) => Err(ApiError::new(
            crate::aws::error::ErrorKind::Other,
            "SeveralObjects",
            format!(
                "AWS has {} objects tagged as {address} ({}); ecsform cannot tell which one to keep. Delete the extra ones, then apply again.",
                ids.len(),
                ids.join(", ")
            ),
        )),
    }
}

/// How many times in all a create is sent while it gets no answer and its object is not there:
/// as many attempts as the SDK makes for any other call
/// ([`MAX_ATTEMPTS`](crate::aws::retries::MAX_ATTEMPTS)).
const CREATES_WITHOUT_ANSWER: u32 = crate::aws::retries::MAX_ATTEMPTS;

/// The pauses before looking for the object of a create that got no answer, and sending it
/// again if it is not there: the SDK's own backoff for the calls it retries (exponential, with
/// jitter, capped), so that a create is not sent again at once into the failure that lost its
/// answer, and a new object has time to become visible to the lookup.
fn in_doubt_backoff() -> crate::aws::error::RetryPolicy {
    crate::aws::error::RetryPolicy {
        max_attempts: CREATES_WITHOUT_ANSWER,
        base: std::time::Duration::from_millis(500),
        max_delay: crate::aws::retries::MAX_BACKOFF,
    }
}

/// Creates the object, and finds it instead when a failed create leaves the outcome in doubt:
/// the call got no answer ([`ApiError::may_have_taken_effect`]), or AWS says the object exists
/// already — the SDK's retry of a create whose first answer was lost. The object of this
/// address is then looked for as after an interrupted apply (patiently: a new object may not
/// be visible at once):
///
/// * found, and tagged as ours (or, for a type without tags, exactly as planned, which a
///   repeated create of ours leaves it): it is taken, and the steps of the create after the
///   lost answer (attributes set by later calls) are finished by an update;
/// * not found after no answer: the create is sent again, up to [`CREATES_WITHOUT_ANSWER`]
///   times in all, after the same backoff as the SDK's retries (the lookup comes after the
///   pause), and counted in the retry report like them;
/// * otherwise the create's error stands.
///
/// `lookup` is what to look for ([`Lookup::after_failure`]); `None` for a type that records no
/// intent. `type_name` is the name the address uses (an alias stays one in the retry report).
pub(super) async fn create_in_doubt(
    rt: &dyn ResourceType,
    type_name: &str,
    ctx: &aws::CallContext<'_>,
    planned: &Value,
    lineage: &str,
    lookup: Option<&Lookup>,
) -> Result<Value, ApiError> {
    let lookup = lookup.filter(|_| !matches!(rt.adoption(), Adoption::Unfindable(_)));
    let tagged = matches!(rt.adoption(), Adoption::Tags | Adoption::NameAndTags);
    let mut unanswered = 0;
    loop {
        let e = match rt.create(ctx, planned).await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let no_answer = e.may_have_taken_effect();
        let exists = e.kind == crate::aws::error::ErrorKind::AlreadyExists;
        let Some(lookup) = lookup.filter(|_| no_answer || exists) else {
            return Err(e);
        };
        if no_answer {
            let pause = crate::aws::error::backoff(&in_doubt_backoff(), unanswered + 1);
            tokio::time::sleep(pause).await;
        }
        let found =
            match find_again_patiently(rt, ctx.clients, lookup, ctx.address, lineage, exists).await
            {
                Ok(found) => found,
                // The create's error comes first; the lookup's tells why it stays in doubt.
                Err(looked) => {
                    let mut e = e;
                    e.message = format!(
                        "{} (looking for the object afterwards failed too: {}: {})",
                        e.message, looked.code, looked.message
                    );
                    return Err(e);
                }
            };
        match found {
            Some(found) if tagged => {
                if !differs(&found, planned) {
                    return Ok(found);
                }
                return rt.update(ctx, &found, planned).await;
            }
            Some(found) if !differs(&found, planned) => return Ok(found),
            Some(_) => return Err(e),
            None if no_answer && unanswered + 1 < CREATES_WITHOUT_ANSWER => {
                unanswered += 1;
                ctx.clients.count_resent_create(type_name);
            }
            None if no_answer => {
                let mut e = e;
                e.message = format!(
                    "{} (sent {CREATES_WITHOUT_ANSWER} times without an answer, and nothing of this address was found after each)",
                    e.message
                );
                return Err(e);
            }
            None => return Err(e),
        }
    }
}

/// How many times [`find_again_patiently`] looks, a second apart.
const IN_DOUBT_LOOKUPS: u32 = 4;

/// [`find_again`], looked at again a second later while it fails or, when AWS said the object
/// exists (`exists`), while it finds nothing: the lookup follows a call whose answer was lost
/// or a resend of it, and AWS's reads are eventually consistent, so a new object may not be
/// visible yet.
async fn find_again_patiently(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    lookup: &Lookup,
    address: &str,
    lineage: &str,
    exists: bool,
) -> Result<Option<Value>, ApiError> {
    let mut looked = 1;
    loop {
        let found = find_again(rt, clients, lookup, address, lineage).await;
        let again = match &found {
            Err(_) => true,
            Ok(None) => exists,
            Ok(Some(_)) => false,
        };
        if !again || looked == IN_DOUBT_LOOKUPS {
            return found;
        }
        looked += 1;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// True if an argument known before the create (other than tags, which AWS reports with
/// ecsform's own) has another value in `found`.
fn differs(found: &Value, planned: &Value) -> bool {
    let (Some(found), Some(planned)) = (found.as_map(), planned.as_map()) else {
        return true;
    };
    planned.iter().any(|(k, v)| {
        let v = v.unmarked();
        !matches!(k.as_str(), "tags" | "tags_all")
            && v.is_wholly_known()
            && !v.is_null()
            && found.get(k).map(Value::unmarked) != Some(v)
    })
}

/// After a failed create: the intent row stays (the call may have created something), unless
/// nothing of ours was made — a lookup after AWS refused the request found nothing
/// (`made_nothing`), or AWS said the object already exists and the type cannot tell its own
/// objects from others' — and then the row goes (a replaced object's row gets its status
/// back).
pub(super) fn after_failed_create(
    state: &mut StateStore,
    change: &ResourceChange,
    error: &ApiError,
    made_nothing: bool,
) -> Result<(), Diagnostic> {
    let weak = aws::resource_type(&change.addr.resource.type_name)
        .is_some_and(|rt| matches!(rt.adoption(), Adoption::Name | Adoption::Arguments));
    let taken = error.kind == crate::aws::error::ErrorKind::AlreadyExists && weak;
    if !taken && !made_nothing {
        return Ok(());
    }
    let addr = change.addr.to_string();
    let to_diag = |e| state_diag(&change.addr, "dropping its intent row", e);
    match state.resource(&addr).map_err(to_diag)? {
        Some(mut rec) if rec.status == ResourceStatus::Creating && rec.id.is_some() => {
            if let serde_json::Value::Object(m) = &mut rec.attributes {
                m.remove(REPLACEMENT_KEY);
            }
            rec.status = ResourceStatus::Ready;
            state.put_resource(&rec, "intent", None).map_err(to_diag)
        }
        Some(rec) if rec.status == ResourceStatus::Creating => state
            .remove_resource(&addr, "intent", None)
            .map_err(to_diag),
        _ => Ok(()),
    }
}

/// Records the objects the plan adopted (their intent rows become ordinary records) and drops
/// intent rows the plan has nothing for. Returns how many were adopted.
pub(super) fn settle_intents(
    state: &mut StateStore,
    plan: &Plan,
    diags: &mut Diagnostics,
) -> usize {
    let records = match state.resources() {
        Ok(r) => r,
        Err(e) => {
            diags.push(Diagnostic::error("Failed to read the state", e.to_string()));
            return 0;
        }
    };
    let adopted: BTreeSet<&ResourceInstanceAddr> = plan
        .recovered
        .iter()
        .filter(|r| r.kind == RecoveryKind::Adopted)
        .map(|r| &r.addr)
        .collect();
    let mut count = 0;
    for rec in records
        .iter()
        .filter(|r| r.status == ResourceStatus::Creating && r.id.is_none())
    {
        let Some(addr) = ResourceInstanceAddr::parse(&rec.address) else {
            continue;
        };
        let change = plan.change(&addr);
        let written = match change.and_then(|c| c.before.as_ref().map(|b| (c, b))) {
            Some((c, before)) if adopted.contains(&addr) => {
                let id = crate::aws::adoption::state_id(before);
                let row = new_record(
                    &addr,
                    id,
                    known_json(before),
                    &c.dependencies,
                    ResourceStatus::Ready,
                );
                count += 1;
                state.put_resource(&row, "adopt", None)
            }
            None if plan.targets.is_empty() => state.remove_resource(&rec.address, "intent", None),
            _ => Ok(()),
        };
        if let Err(e) = written {
            diags.push(state_diag(
                &addr,
                "recording what an interrupted apply left",
                e,
            ));
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_json_nulls_unknown_parts_and_unwraps_secrets() {
        let v = Value::map([
            ("id", Value::Unknown),
            ("name", Value::string("x")),
            ("pw", Value::Sensitive(Box::new(Value::string("s")))),
            ("list", Value::List(vec![Value::Unknown, Value::number(1)])),
        ]);
        assert_eq!(
            known_json(&v),
            serde_json::json!({"id": null, "name": "x", "pw": "s", "list": [null, 1]})
        );
    }
}
