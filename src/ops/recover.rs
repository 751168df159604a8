//! Recovery from an interrupted apply: before each create, apply writes an *intent row* (status
//! `creating`, no id, the arguments it is about to send); a row still there at the next plan
//! means the create may have happened without its id being recorded. Each such row is
//! resolved here, before planning, by asking its resource type to look for the object
//! ([`crate::aws::ResourceType::find_created`]):
//!
//! * exactly one object of this instance's → it becomes the prior object (*adopted*), and the
//!   plan compares it with the configuration as usual; apply records it;
//! * nothing → the row is ignored and the instance is planned as a create (apply writes a new
//!   intent over it);
//! * several → an error naming them: ecsform cannot tell which one the state should keep.
//!
//! A create-before-destroy replacement keeps the object it replaces recorded while the new one
//! is created: its row keeps the old id and attributes, status `creating`, and the new
//! object's arguments under [`REPLACEMENT_KEY`](crate::state::REPLACEMENT_KEY). Refresh reads the old object as usual; the
//! replacement, if found, is adopted by apply's create step instead of creating another.
//!
//! Nothing here writes state; apply does, and `ecsform plan` stays read-only.

use std::collections::BTreeMap;

use super::refresh::reconcile_tags;
use crate::addrs::ResourceInstanceAddr;
use crate::aws;
use crate::aws::adoption::{resolve, state_id, Resolution};
use crate::aws::AwsClients;
use crate::aws::{Adoption, Owner, ResourceType};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::plan::build::{PriorObject, Refreshed};
use crate::plan::{Recovered, RecoveryKind};
use crate::state::{ResourceRecord, ResourceStatus};

/// What recovery found: objects to adopt (by address), what to tell the user, and problems.
#[derive(Debug, Default)]
pub struct Recovery {
    pub prior: BTreeMap<ResourceInstanceAddr, PriorObject>,
    pub recovered: Vec<Recovered>,
    pub diags: Diagnostics,
}

/// Looks for the object of one intent row; `Ok(None)` when nothing of ours exists. Errors are
/// diagnostics naming the address.
pub async fn find_intended(
    rt: &dyn ResourceType,
    clients: &AwsClients,
    rec: &ResourceRecord,
    lineage: &str,
    default_tags: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let args = rec.intent_arguments()?;
    let schema = rt.schema();
    let planned = schema.decode(&Value::from_json(args));
    let owner = Owner {
        address: &rec.address,
        lineage,
    };
    if let Adoption::Unfindable(why) = rt.adoption() {
        diags.push(Diagnostic::warning(
            format!("Cannot look for {}", rec.address),
            format!(
                "An earlier apply was interrupted while creating {}, and an object of type {} {why}. If AWS created it, it is not managed by ecsform; check and delete it by hand.",
                rec.address, rec.type_name
            ),
        ));
        return None;
    }
    let candidates = match rt.find_created(clients, &planned, &owner).await {
        Ok(c) => c,
        Err(e) => {
            diags.push(Diagnostic::error(
                format!("Error looking for {}", rec.address),
                format!("{e} (while looking for the object an interrupted apply may have created)"),
            ));
            return None;
        }
    };
    match resolve(candidates, rec.id.as_deref()) {
        Ok(Resolution::Adopt(found)) => {
            let read = rt.normalize(schema.decode(&found));
            let read = rt.imported(read, &planned);
            Some(reconcile_tags(schema, &read, &planned, default_tags))
        }
        Ok(Resolution::Nothing { foreign }) => {
            for (id, why) in foreign {
                diags.push(Diagnostic::warning(
                    format!("Not adopting {id}"),
                    format!(
                        "An earlier apply was interrupted while creating {}. {id} has its name, but {why}, so it is left alone; creating {} again may fail because the name is taken.",
                        rec.address, rec.address
                    ),
                ));
            }
            None
        }
        Err(ids) => {
            diags.push(
                Diagnostic::error(
                    format!("Several objects for {}", rec.address),
                    format!(
                        "An earlier apply was interrupted while creating {}, and AWS has {} objects tagged as it: {}. ecsform cannot tell which one the state should keep.",
                        rec.address,
                        ids.len(),
                        ids.join(", ")
                    ),
                )
                .hint("Delete the extra objects (or import the one to keep with \"ecsform import\"), then plan again."),
            );
            None
        }
    }
}

/// Resolves every intent row of `records` (see the module documentation).
pub async fn recover(
    records: &[ResourceRecord],
    clients: &AwsClients,
    lineage: &str,
    default_tags: &BTreeMap<String, String>,
) -> Recovery {
    let mut out = Recovery::default();
    for rec in records
        .iter()
        .filter(|r| r.status == ResourceStatus::Creating)
    {
        let (Some(rt), Some(addr)) = (
            aws::resource_type(&rec.type_name),
            ResourceInstanceAddr::parse(&rec.address),
        ) else {
            // Refresh reports unknown types and unreadable addresses.
            continue;
        };
        let found = find_intended(rt, clients, rec, lineage, default_tags, &mut out.diags).await;
        let Some(found) = found else { continue };
        let Some(id) = state_id(&found) else { continue };
        if rec.id.is_some() {
            out.recovered.push(Recovered {
                addr,
                id,
                kind: RecoveryKind::Replacement,
            });
            continue;
        }
        let dependencies = rec
            .dependencies
            .iter()
            .filter_map(|d| ResourceInstanceAddr::parse(d))
            .collect();
        out.prior.insert(
            addr.clone(),
            PriorObject {
                addr: addr.clone(),
                type_name: rec.type_name.clone(),
                recorded: found.clone(),
                refreshed: Refreshed::Read(found),
                dependencies,
            },
        );
        out.recovered.push(Recovered {
            addr,
            id,
            kind: RecoveryKind::Adopted,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::REPLACEMENT_KEY;

    fn row(id: Option<&str>, attributes: serde_json::Value) -> ResourceRecord {
        ResourceRecord {
            address: "aws_vpc.main".into(),
            mode: "managed".into(),
            type_name: "aws_vpc".into(),
            module_path: String::new(),
            index_key: serde_json::Value::Null,
            id: id.map(String::from),
            attributes,
            dependencies: vec![],
            status: ResourceStatus::Creating,
            schema_version: 1,
            sensitive_paths: vec![],
        }
    }

    #[test]
    fn intent_arguments_of_a_create_and_of_a_replacement() {
        let args = serde_json::json!({"cidr_block": "10.0.0.0/16"});
        assert_eq!(row(None, args.clone()).intent_arguments(), Some(&args));
        let replacing = row(
            Some("vpc-old"),
            serde_json::json!({"id": "vpc-old", REPLACEMENT_KEY: args.clone()}),
        );
        assert_eq!(replacing.intent_arguments(), Some(&args));
        let mut ready = row(Some("vpc-old"), args);
        ready.status = ResourceStatus::Ready;
        assert_eq!(ready.intent_arguments(), None);
    }
}
