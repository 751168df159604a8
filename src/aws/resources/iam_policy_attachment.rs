//! `aws_iam_policy_attachment`: the exclusive attachment of a managed policy — the policy is
//! attached to exactly the given users, roles and groups, and detached from any others.
//!
//! The AWS provider's id is the attachment's `name`, and it reads the policy's entities by the
//! `policy_arn` it keeps in state. Since `read_many` only gets ids, ecsform's id is
//! `NAME|POLICY_ARN` (a policy ARN cannot contain `|`, so the last `|` splits it). Refresh
//! lists the policy's entities once per policy (ListEntitiesForPolicy); a policy that is gone,
//! or attached to nothing, makes the attachment gone (as in the AWS provider). Entities attached outside the configuration show up as drift and
//! are detached by the next apply, as the exclusivity requires.

use std::collections::{BTreeMap, BTreeSet};

use crate::aws::adopt::find_by_arguments;
use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;

use super::{expect_prefix, retry_while};
use crate::aws::call::call;
use crate::aws::error::Result;
use crate::aws::error::{retry, OrGone, RetryPolicy};
use crate::aws::iam::{iam_eventually_consistent, send_per_entity, IAM_SETTLE_LIMIT};
use crate::aws::resource_type::States;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_str, get_strings, state_object, string_set};
use crate::provider::Schema;

pub struct IamPolicyAttachmentType;

static DECLARATION: Declaration =
    Declaration::new("aws_iam_policy_attachment", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id;
        required String: name.force_new() policy_arn.force_new();
        optional StringSet: users roles groups;
    ],
    blocks: &[],
};

/// `NAME|POLICY_ARN` split in two.
fn parse_id(id: &str) -> Option<(&str, &str)> {
    id.rsplit_once('|')
}

/// What a policy is attached to.
#[derive(Debug, Default, PartialEq)]
struct Entities {
    users: BTreeSet<String>,
    roles: BTreeSet<String>,
    groups: BTreeSet<String>,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    User,
    Role,
    Group,
}

impl Entities {
    fn planned(v: &Value) -> Entities {
        let set = |n| get_strings(v, n).into_iter().collect();
        Entities {
            users: set("users"),
            roles: set("roles"),
            groups: set("groups"),
        }
    }

    fn of(&self, kind: Kind) -> &BTreeSet<String> {
        match kind {
            Kind::User => &self.users,
            Kind::Role => &self.roles,
            Kind::Group => &self.groups,
        }
    }
}

async fn entities(clients: &AwsClients, arn: &str) -> Result<Entities> {
    let pages = call(|| {
        clients
            .iam
            .list_entities_for_policy()
            .policy_arn(arn)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let mut e = Entities::default();
    for p in &pages {
        e.users.extend(
            p.policy_users()
                .iter()
                .filter_map(|u| u.user_name().map(String::from)),
        );
        e.roles.extend(
            p.policy_roles()
                .iter()
                .filter_map(|r| r.role_name().map(String::from)),
        );
        e.groups.extend(
            p.policy_groups()
                .iter()
                .filter_map(|g| g.group_name().map(String::from)),
        );
    }
    Ok(e)
}

fn attachment_state(name: &str, arn: &str, e: &Entities) -> Value {
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(format!("{name}|{arn}"))),
            ("name", Value::string(name)),
            ("policy_arn", Value::string(arn)),
            ("users", string_set(e.users.iter().cloned())),
            ("roles", string_set(e.roles.iter().cloned())),
            ("groups", string_set(e.groups.iter().cloned())),
        ],
    )
}

async fn attach(clients: &AwsClients, arn: &str, kind: Kind, who: &str) -> Result<()> {
    retry_while(
        &format!("policy {arn} to be attached to {who}"),
        IAM_SETTLE_LIMIT,
        iam_eventually_consistent,
        || async {
            send_per_entity!(clients.iam, kind, who, {
                Kind::User => attach_user_policy(user_name),
                Kind::Role => attach_role_policy(role_name),
                Kind::Group => attach_group_policy(group_name),
            }, |r| r.policy_arn(arn))
        },
    )
    .await
}

async fn detach(clients: &AwsClients, arn: &str, kind: Kind, who: &str) -> Result<()> {
    retry(RetryPolicy::default(), || async {
        send_per_entity!(clients.iam, kind, who, {
            Kind::User => detach_user_policy(user_name),
            Kind::Role => detach_role_policy(role_name),
            Kind::Group => detach_group_policy(group_name),
        }, |r| r.policy_arn(arn))
    })
    .await
    .ok_if_gone()
}

/// Attaches what `want` has and `have` lacks, detaches the reverse.
async fn sync(clients: &AwsClients, arn: &str, have: &Entities, want: &Entities) -> Result<()> {
    for kind in [Kind::User, Kind::Role, Kind::Group] {
        for who in want.of(kind).difference(have.of(kind)) {
            attach(clients, arn, kind, who).await?;
        }
        for who in have.of(kind).difference(want.of(kind)) {
            detach(clients, arn, kind, who).await?;
        }
    }
    Ok(())
}

#[async_trait]
impl ResourceType for IamPolicyAttachmentType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The id is the attachment's name and policy ARN; what it finds is the policy's attachments.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let id: Option<String> = get_str(planned, "name")
            .zip(get_str(planned, "policy_arn"))
            .map(|(n, p)| format!("{n}|{p}"));
        find_by_arguments(self, clients, id).await
    }

    fn import_id_format(&self) -> &'static str {
        "`NAME|POLICY_ARN`, the attachment's `name` and its policy's ARN (the AWS provider cannot import this type)"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let (_, arn) = id
            .rsplit_once('|')
            .filter(|(name, arn)| !name.is_empty() && !arn.is_empty())
            .ok_or_else(|| {
                ImportIdError::Malformed(
                    "expected NAME|POLICY_ARN, two parts joined by \"|\"".into(),
                )
            })?;
        expect_prefix(arn, "arn:", "a policy ARN after the \"|\"")?;
        Ok(id.to_string())
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        let mut by_policy: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, arn) in ids.iter().filter_map(|id| parse_id(id)) {
            by_policy.entry(arn).or_default().push(name);
        }
        let mut out = BTreeMap::new();
        for (arn, names) in by_policy {
            let Some(e) = entities(clients, arn).await.found()? else {
                continue;
            };
            if e == Entities::default() {
                continue;
            }
            for name in names {
                out.insert(format!("{name}|{arn}"), attachment_state(name, arn, &e));
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let name = get_str(planned, "name").unwrap_or_default();
        let arn = get_str(planned, "policy_arn").unwrap_or_default();
        let want = Entities::planned(planned);
        // Exclusive: whatever else the policy is attached to is detached.
        let have = entities(ctx.clients, arn).await?;
        sync(ctx.clients, arn, &have, &want).await?;
        Ok(attachment_state(name, arn, &want))
    }

    async fn update(
        &self,
        ctx: &CallContext<'_>,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value> {
        let name = get_str(planned, "name").unwrap_or_default();
        let arn = get_str(planned, "policy_arn").unwrap_or_default();
        let want = Entities::planned(planned);
        let have = entities(ctx.clients, arn).await?;
        sync(ctx.clients, arn, &have, &want).await?;
        Ok(attachment_state(name, arn, &want))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let arn = get_str(prior, "policy_arn").unwrap_or_default();
        let Some(have) = entities(ctx.clients, arn).await.found()? else {
            return Ok(());
        };
        // Only what this attachment manages: the recorded entities that are still attached.
        let recorded = Entities::planned(prior);
        let mine = Entities {
            users: have.users.intersection(&recorded.users).cloned().collect(),
            roles: have.roles.intersection(&recorded.roles).cloned().collect(),
            groups: have
                .groups
                .intersection(&recorded.groups)
                .cloned()
                .collect(),
        };
        let remaining = Entities {
            users: have.users.difference(&mine.users).cloned().collect(),
            roles: have.roles.difference(&mine.roles).cloned().collect(),
            groups: have.groups.difference(&mine.groups).cloned().collect(),
        };
        sync(ctx.clients, arn, &have, &remaining).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_split_at_the_last_bar() {
        let import = |id: &str| {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(
                    IamPolicyAttachmentType
                        .import_id(&crate::aws::resources::offline_clients(), id),
                )
        };
        let id = "read|arn:aws:iam::123456789012:policy/read";
        assert_eq!(import(id).unwrap(), id);
        for bad in ["read", "read|", "|arn:aws:iam::1:policy/x", "read|policy/x"] {
            assert!(
                matches!(import(bad), Err(ImportIdError::Malformed(_))),
                "{bad}"
            );
        }
        assert_eq!(
            parse_id("ecs|instances|arn:aws:iam::1:policy/p"),
            Some(("ecs|instances", "arn:aws:iam::1:policy/p"))
        );
        let e = Entities {
            roles: BTreeSet::from(["web".to_string()]),
            ..Entities::default()
        };
        let s = attachment_state("a", "arn:aws:iam::1:policy/p", &e);
        assert_eq!(s.as_map().unwrap()["roles"], string_set(["web"]));
    }
}
