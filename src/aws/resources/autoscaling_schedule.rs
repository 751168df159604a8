//! `aws_autoscaling_schedule`: a scheduled action of an Auto Scaling group (set the group's
//! minimum, maximum and desired sizes at a time, or on a cron `recurrence`).
//!
//! The id is the scheduled action's name, as the AWS provider's; the import ID is
//! `ASG_NAME/ACTION_NAME`. `PutScheduledUpdateGroupAction` both creates and updates, so
//! everything but the name and the group changes in place. As in the provider, a size of -1
//! is left out of the request (the action does not change it) and reads back as -1 where AWS
//! reports none, and an unset size is sent as 0 on create (the provider's default). Times
//! are UTC in the provider's `YYYY-MM-DDThh:mm:ssZ` form.
//!
//! Refresh reads every action with one paginated `DescribeScheduledActions` per 50 names (the
//! most one request takes), without naming groups. Action names are unique per group only, so
//! a name two groups both use fails the read naming the groups rather than guess (the
//! provider reads with the group from its state; ecsform's batched read has only the ids).
//! Scheduled actions have no tags: an interrupted create is found again by its group and
//! name.
//!
//! moto (5.2.5) keeps scheduled actions by name alone (across groups), as the unit test of
//! the ambiguity check covers.

use async_trait::async_trait;
use aws_sdk_autoscaling::types::ScheduledUpdateGroupAction;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;

use super::{read_created, recorded_id, split_import_id, states_by_unique_id};
use crate::aws::adopt::read_ours;
use crate::aws::call::call;
use crate::aws::error::{ApiError, ErrorKind, OrGone, Result};
use crate::aws::paged::{all_pages, in_chunks};
use crate::aws::resource_type::States;
use crate::aws::{
    Adoption, AwsClients, CallContext, Candidate, Declaration, ImportIdError, Owner, ResourceType,
};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_i32, get_str, opt_str, state_object};
use crate::provider::Schema;

pub struct AutoscalingScheduleType;

static DECLARATION: Declaration =
    Declaration::new("aws_autoscaling_schedule", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 0,
    attributes: attrs![
        computed String: id arn;
        required String: scheduled_action_name.force_new() autoscaling_group_name.force_new();
        optional_computed Number: desired_capacity max_size min_size;
        optional_computed String: start_time end_time recurrence time_zone;
    ],
    blocks: &[],
};

/// `DescribeScheduledActions` takes at most 50 action names.
const NAMES_PER_CALL: usize = 50;

/// The provider's time layout (Go's `2006-01-02T15:04:05Z`).
fn time_value(t: Option<&DateTime>) -> Value {
    opt_str(t.and_then(|t| DateTime::from_secs(t.secs()).fmt(Format::DateTime).ok()))
}

fn parse_time(planned: &Value, name: &str) -> Result<Option<DateTime>> {
    get_str(planned, name)
        .map(|s| {
            DateTime::from_str(s, Format::DateTime).map_err(|e| {
                ApiError::new(
                    ErrorKind::Invalid,
                    "ValidationError",
                    format!("{name} {s:?} is not a time like 2030-01-02T15:04:05Z: {e}"),
                )
            })
        })
        .transpose()
}

/// A size as the provider records it: -1 where the action leaves it alone.
fn size_value(n: Option<i32>) -> Value {
    Value::number(n.unwrap_or(-1))
}

/// A size to send: the planned one (0 when unset, the provider's default), none for -1.
fn size_sent(planned: &Value, name: &str) -> Option<i32> {
    Some(get_i32(planned, name).unwrap_or(0)).filter(|n| *n != -1)
}

fn action_state(a: &ScheduledUpdateGroupAction) -> Option<(String, String, Value)> {
    let name = a.scheduled_action_name()?.to_string();
    let group = a.auto_scaling_group_name().unwrap_or_default().to_string();
    let state = state_object(
        &SCHEMA,
        [
            ("id", Value::string(&name)),
            ("arn", opt_str(a.scheduled_action_arn())),
            ("scheduled_action_name", Value::string(&name)),
            ("autoscaling_group_name", Value::string(&group)),
            ("desired_capacity", size_value(a.desired_capacity())),
            ("max_size", size_value(a.max_size())),
            ("min_size", size_value(a.min_size())),
            ("start_time", time_value(a.start_time())),
            ("end_time", time_value(a.end_time())),
            ("recurrence", opt_str(a.recurrence())),
            ("time_zone", opt_str(a.time_zone())),
        ],
    );
    Some((name, group, state))
}

async fn put(clients: &AwsClients, planned: &Value) -> Result<()> {
    let s = |n| get_str(planned, n).map(String::from);
    let start = parse_time(planned, "start_time")?;
    let end = parse_time(planned, "end_time")?;
    call(|| {
        clients
            .autoscaling
            .put_scheduled_update_group_action()
            .set_auto_scaling_group_name(s("autoscaling_group_name"))
            .set_scheduled_action_name(s("scheduled_action_name"))
            .set_start_time(start)
            .set_end_time(end)
            .set_recurrence(s("recurrence"))
            .set_time_zone(s("time_zone"))
            .set_min_size(size_sent(planned, "min_size"))
            .set_max_size(size_sent(planned, "max_size"))
            .set_desired_capacity(size_sent(planned, "desired_capacity"))
            .send()
    })
    .await?;
    Ok(())
}

/// The scheduled actions named `names`, in any group (`group`: only that group's).
async fn describe(
    clients: &AwsClients,
    names: &[String],
    group: Option<&str>,
) -> Result<Vec<ScheduledUpdateGroupAction>> {
    in_chunks(names, NAMES_PER_CALL, |chunk| {
        all_pages(
            move |token| {
                clients
                    .autoscaling
                    .describe_scheduled_actions()
                    .set_auto_scaling_group_name(group.map(String::from))
                    .set_scheduled_action_names(Some(chunk.clone()))
                    .set_next_token(token)
                    .send()
            },
            |page| page.scheduled_update_group_actions(),
            |page| page.next_token(),
        )
    })
    .await
}

fn states(found: &[ScheduledUpdateGroupAction]) -> Result<States> {
    states_by_unique_id(
        found.iter().filter_map(action_state),
        "scheduled action",
        "Auto Scaling groups",
    )
}

/// The action of that name in that group, if there is one.
async fn exists(clients: &AwsClients, group: &str, name: &str) -> Result<bool> {
    match describe(clients, &[name.to_string()], Some(group)).await {
        // The group itself is gone.
        Err(e) if e.is_not_found_or_unknown_name() => Ok(false),
        r => Ok(!r?.is_empty()),
    }
}

#[async_trait]
impl ResourceType for AutoscalingScheduleType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The action of that name in the planned group (no tags to check).
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let (Some(group), Some(name)) = (
            get_str(planned, "autoscaling_group_name"),
            get_str(planned, "scheduled_action_name"),
        ) else {
            return Ok(Vec::new());
        };
        if !exists(clients, group, name).await? {
            return Ok(Vec::new());
        }
        read_ours(self, clients, &[name.to_string()]).await
    }

    fn import_id_format(&self) -> &'static str {
        "`ASG_NAME/ACTION_NAME`"
    }

    /// The AWS provider's `GROUP/NAME` becomes the action name, once the group is checked.
    async fn import_id(&self, clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        let (group, name) = split_import_id(id, '/', "ASG_NAME/ACTION_NAME")?;
        if !exists(clients, group, name).await? {
            return Err(ImportIdError::NotFound);
        }
        Ok(name.to_string())
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(States::new());
        }
        states(&describe(clients, ids, None).await?)
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        put(ctx.clients, planned).await?;
        let name = get_str(planned, "scheduled_action_name").unwrap_or_default();
        read_created(self, ctx.clients, name).await
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        put(ctx.clients, planned).await?;
        let id = recorded_id(self, prior)?;
        read_created(self, ctx.clients, &id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let (Some(group), Some(name)) = (
            get_str(prior, "autoscaling_group_name"),
            get_str(prior, "scheduled_action_name"),
        ) else {
            return Ok(());
        };
        // The group (and its actions with it) or the action may be gone.
        call(|| {
            ctx.clients
                .autoscaling
                .delete_scheduled_action()
                .auto_scaling_group_name(group)
                .scheduled_action_name(name)
                .send()
        })
        .await
        .ok_if(ApiError::is_not_found_or_unknown_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: Vec<(&str, Value)>) -> Value {
        let mut all = vec![
            ("scheduled_action_name", Value::string("nightly")),
            ("autoscaling_group_name", Value::string("web")),
        ];
        all.extend(pairs);
        SCHEMA.conformed(all)
    }

    #[test]
    fn sizes_of_minus_one_are_left_out_and_unset_ones_sent_as_zero() {
        let planned = config(vec![
            ("min_size", Value::number(-1)),
            ("max_size", Value::number(4)),
        ]);
        assert_eq!(size_sent(&planned, "min_size"), None);
        assert_eq!(size_sent(&planned, "max_size"), Some(4));
        assert_eq!(size_sent(&planned, "desired_capacity"), Some(0));
    }

    #[test]
    fn a_described_action_reads_in_the_providers_forms() {
        let a = ScheduledUpdateGroupAction::builder()
            .scheduled_action_name("nightly")
            .auto_scaling_group_name("web")
            .max_size(4)
            .start_time(DateTime::from_secs(1_900_000_000))
            .recurrence("0 21 * * *")
            .build();
        let (id, group, v) = action_state(&a).unwrap();
        assert_eq!((id.as_str(), group.as_str()), ("nightly", "web"));
        let m = v.as_map().unwrap();
        assert_eq!(m["max_size"], Value::number(4));
        assert_eq!(m["min_size"], Value::number(-1));
        assert_eq!(m["start_time"], Value::string("2030-03-17T17:46:40Z"));
        assert_eq!(m["end_time"], Value::Null);
        let sent = parse_time(
            &config(vec![("start_time", m["start_time"].clone())]),
            "start_time",
        );
        assert_eq!(sent.unwrap(), Some(DateTime::from_secs(1_900_000_000)));
        assert!(parse_time(
            &config(vec![("start_time", Value::string("tomorrow"))]),
            "start_time"
        )
        .is_err());
    }

    #[test]
    fn a_name_two_groups_use_is_refused_rather_than_guessed() {
        let action = |group: &str| {
            ScheduledUpdateGroupAction::builder()
                .scheduled_action_name("nightly")
                .auto_scaling_group_name(group)
                .build()
        };
        assert_eq!(states(&[action("web")]).unwrap().len(), 1);
        let e = states(&[action("web"), action("workers")]).unwrap_err();
        assert!(e.message.contains("web, workers"), "{e}");
    }
}
