//! `aws_sns_topic_subscription`: a subscription of an endpoint (an SQS queue, a Lambda
//! function, an e-mail address, an HTTP(S) URL...) to an SNS topic. Its id is the subscription
//! ARN, which is also its import ID.
//!
//! As in the AWS provider: `topic_arn`, `protocol` and `endpoint` force a new subscription;
//! `delivery_policy`, `filter_policy`, `filter_policy_scope`, `raw_message_delivery`,
//! `redrive_policy`, `replay_policy` and `subscription_role_arn` change in place, one
//! SetSubscriptionAttributes call each (a `filter_policy_scope` of `MessageBody` before the
//! others, of `MessageAttributes` after them, so that a change between nested and flat filter
//! policies is accepted). A removed `filter_policy` is set to `{}` and a removed
//! `redrive_policy` to nothing, as SNS wants them removed. Subscribe asks for the ARN even
//! when the subscription awaits confirmation; apply then waits for the confirmation only
//! where the provider does: not for `email`/`email-json`, not for `http`/`https` unless
//! `endpoint_auto_confirms` (then for `confirmation_timeout_in_minutes`), two minutes for the
//! others (`sqs`, `lambda`...). `pending_confirmation` tells what AWS says. Deleting a
//! subscription that is pending confirmation succeeds without removing it (AWS refuses, and
//! removes it after three days), as in the provider.
//!
//! `filter_policy_scope`, when not configured, is `MessageAttributes` where a filter policy is
//! set (what AWS reports, and what the provider plans when the scope is removed from the
//! configuration) and null where none is. The JSON documents are compared in canonical form.
//!
//! Subscriptions have no tags. One object exists per topic, protocol and endpoint (Subscribe
//! answers the existing subscription), so an interrupted create is found again by its
//! arguments in ListSubscriptionsByTopic. Refresh reads each subscription with
//! GetSubscriptionAttributes, one call each: the floor, as ListSubscriptions answers ARNs,
//! protocols and endpoints without the attributes. moto serves every call but `replay_policy`
//! (SetSubscriptionAttributes refuses the name): the request that sets it is unit-tested.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;

use super::{changed, expect_prefix, read_created, with_attrs};
use crate::aws::adopt::read_ours;
use crate::aws::call::call;
use crate::aws::error::{from_sdk, wait_until, ApiError, OrGone, Result};
use crate::aws::iam::read_each;
use crate::aws::json_doc::{canonical_json, normalize_attr};
use crate::aws::resource_type::States;
use crate::aws::{Adoption, AwsClients, CallContext, Candidate, Declaration, ImportIdError};
use crate::aws::{Owner, ResourceType};
use crate::lang::Value;
use crate::provider::schema::Default;
use crate::provider::values::{get_bool, get_number, get_str, opt_str, state_object};
use crate::provider::{attrs, Schema};

pub struct SnsTopicSubscriptionType;

static DECLARATION: Declaration =
    Declaration::new("aws_sns_topic_subscription", &SCHEMA, Adoption::Arguments);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn owner_id;
        computed Bool: confirmation_was_authenticated pending_confirmation;
        required String: topic_arn.force_new() protocol.force_new() endpoint.force_new();
        optional Number: confirmation_timeout_in_minutes.default(Default::Number(1.0)).local();
        optional Bool: endpoint_auto_confirms.default(Default::Bool(false)).local()
            raw_message_delivery.default(Default::Bool(false));
        optional String: delivery_policy filter_policy redrive_policy replay_policy
            subscription_role_arn;
        optional_computed String: filter_policy_scope;
    ],
    blocks: &[],
};

/// The subscription attributes set in place, with their SNS names, the scope last (it is
/// ordered around the others, see [`attribute_calls`]).
const ATTRIBUTES: &[(&str, &str)] = &[
    ("delivery_policy", "DeliveryPolicy"),
    ("filter_policy", "FilterPolicy"),
    ("raw_message_delivery", "RawMessageDelivery"),
    ("redrive_policy", "RedrivePolicy"),
    ("replay_policy", "ReplayPolicy"),
    ("subscription_role_arn", "SubscriptionRoleArn"),
    ("filter_policy_scope", "FilterPolicyScope"),
];

/// The JSON documents among the attributes, compared in canonical form.
const DOCUMENTS: &[&str] = &[
    "delivery_policy",
    "filter_policy",
    "redrive_policy",
    "replay_policy",
];

const SCOPE_MESSAGE_BODY: &str = "MessageBody";
const SCOPE_MESSAGE_ATTRIBUTES: &str = "MessageAttributes";

/// How long a subscription of a protocol other than HTTP(S) may take to be confirmed.
const CONFIRMATION_LIMIT: Duration = Duration::from_secs(2 * 60);

/// The value SNS takes for attribute `name` of `planned` (`None`: unset it, see
/// [`attribute_calls`]).
fn sns_value(planned: &Value, name: &str) -> Option<String> {
    if name == "raw_message_delivery" {
        return Some(get_bool(planned, name).unwrap_or(false).to_string());
    }
    get_str(planned, name).map(String::from)
}

/// The SetSubscriptionAttributes calls (SNS name, value) that bring the attributes in
/// `names` to their `planned` values, in the provider's order: a `MessageBody` scope first,
/// a `MessageAttributes` scope last. A filter policy is removed by setting `{}`, a redrive
/// policy by sending no value.
fn attribute_calls(planned: &Value, names: &[&str]) -> Vec<(&'static str, Option<String>)> {
    let mut calls = Vec::new();
    let scope = names
        .contains(&"filter_policy_scope")
        .then(|| get_str(planned, "filter_policy_scope"))
        .flatten();
    if scope == Some(SCOPE_MESSAGE_BODY) {
        calls.push(("FilterPolicyScope", Some(SCOPE_MESSAGE_BODY.to_string())));
    }
    for (attr, sns) in ATTRIBUTES {
        if *attr == "filter_policy_scope" || !names.contains(attr) {
            continue;
        }
        let value = match (sns_value(planned, attr), *attr) {
            (None, "filter_policy") => Some("{}".to_string()),
            (None, "redrive_policy") => None,
            (v, _) => Some(v.unwrap_or_default()),
        };
        calls.push((sns, value));
    }
    if scope == Some(SCOPE_MESSAGE_ATTRIBUTES) {
        calls.push((
            "FilterPolicyScope",
            Some(SCOPE_MESSAGE_ATTRIBUTES.to_string()),
        ));
    }
    calls
}

/// The Attributes of the Subscribe call: every attribute the configuration sets.
fn subscribe_attributes(planned: &Value) -> HashMap<String, String> {
    let mut attrs: HashMap<String, String> = ATTRIBUTES
        .iter()
        .filter(|(a, _)| *a != "raw_message_delivery")
        .filter_map(|(a, sns)| Some((sns.to_string(), get_str(planned, a)?.to_string())))
        .collect();
    if get_bool(planned, "raw_message_delivery") == Some(true) {
        attrs.insert("RawMessageDelivery".into(), "true".into());
    }
    attrs
}

/// Whether apply waits for the new subscription's confirmation, and for how long: as the
/// provider, never for e-mail, for HTTP(S) only when the endpoint confirms by itself.
fn confirmation_wait(planned: &Value) -> Option<Duration> {
    let protocol = get_str(planned, "protocol").unwrap_or_default();
    let auto_confirms = get_bool(planned, "endpoint_auto_confirms") == Some(true);
    if protocol.contains("email") || (protocol.contains("http") && !auto_confirms) {
        return None;
    }
    if protocol.contains("http") {
        let minutes = get_number(planned, "confirmation_timeout_in_minutes").unwrap_or(1.0);
        return Some(Duration::from_secs_f64(minutes.max(0.0) * 60.0));
    }
    Some(CONFIRMATION_LIMIT)
}

/// A document attribute as read: canonical, and null where SNS reports none (`""`, or a
/// filter policy of `{}`, SNS's way of having none).
fn document(attrs: &HashMap<String, String>, key: &str) -> Value {
    let v = attrs.get(key).map(String::as_str).unwrap_or_default();
    let v = canonical_json(v);
    opt_str(Some(v).filter(|v| !v.is_empty() && v != "{}"))
}

fn subscription_state(attrs: &HashMap<String, String>) -> Value {
    let get = |k: &str| attrs.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let flag = |k: &str| Value::Bool(get(k).is_some_and(|v| v.eq_ignore_ascii_case("true")));
    let filter_policy = document(attrs, "FilterPolicy");
    let scope = if filter_policy.is_null() {
        Value::Null
    } else {
        opt_str(get("FilterPolicyScope").or(Some(SCOPE_MESSAGE_ATTRIBUTES)))
    };
    let arn = get("SubscriptionArn").unwrap_or_default();
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(arn)),
            ("arn", Value::string(arn)),
            ("owner_id", opt_str(get("Owner"))),
            ("topic_arn", opt_str(get("TopicArn"))),
            ("protocol", opt_str(get("Protocol"))),
            ("endpoint", opt_str(get("Endpoint"))),
            (
                "confirmation_was_authenticated",
                flag("ConfirmationWasAuthenticated"),
            ),
            ("pending_confirmation", flag("PendingConfirmation")),
            ("confirmation_timeout_in_minutes", Value::Number(1.0)),
            ("endpoint_auto_confirms", Value::Bool(false)),
            ("raw_message_delivery", flag("RawMessageDelivery")),
            ("delivery_policy", document(attrs, "DeliveryPolicy")),
            ("filter_policy", filter_policy),
            ("filter_policy_scope", scope),
            ("redrive_policy", document(attrs, "RedrivePolicy")),
            ("replay_policy", document(attrs, "ReplayPolicy")),
            ("subscription_role_arn", opt_str(get("SubscriptionRoleArn"))),
        ],
    )
}

async fn get_subscription(clients: AwsClients, arn: String) -> Result<Option<Value>> {
    let out = clients
        .sns
        .get_subscription_attributes()
        .subscription_arn(&arn)
        .send()
        .await
        .map_err(from_sdk)?;
    let mut attrs = out.attributes().cloned().unwrap_or_default();
    // The id is the ARN asked for, whatever the answer spells.
    attrs.insert("SubscriptionArn".into(), arn);
    Ok(Some(subscription_state(&attrs)))
}

/// The arguments AWS does not store, as planned, to record with the state read back.
fn planned_local(planned: &Value) -> [(&'static str, Value); 2] {
    [
        (
            "confirmation_timeout_in_minutes",
            Value::Number(get_number(planned, "confirmation_timeout_in_minutes").unwrap_or(1.0)),
        ),
        (
            "endpoint_auto_confirms",
            Value::Bool(get_bool(planned, "endpoint_auto_confirms").unwrap_or(false)),
        ),
    ]
}

async fn set_attribute(
    clients: &AwsClients,
    arn: &str,
    name: &str,
    value: Option<&str>,
) -> Result<()> {
    call(|| {
        clients
            .sns
            .set_subscription_attributes()
            .subscription_arn(arn)
            .attribute_name(name)
            .set_attribute_value(value.map(String::from))
            .send()
    })
    .await
    .map(|_| ())
}

fn is_pending_confirmation(e: &ApiError) -> bool {
    e.message
        .contains("Cannot unsubscribe a subscription that is pending confirmation")
}

#[async_trait]
impl ResourceType for SnsTopicSubscriptionType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    fn import_id_format(&self) -> &'static str {
        "the subscription ARN"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        expect_prefix(id, "arn:", "a subscription ARN")
    }

    /// Documents in canonical form; the scope as AWS reports it where it is not configured.
    fn normalize(&self, value: Value) -> Value {
        let mut value = DOCUMENTS
            .iter()
            .fold(value, |v, name| normalize_attr(v, name, canonical_json));
        if let Value::Map(m) = &mut value {
            let policy = m.get("filter_policy").cloned().unwrap_or(Value::Null);
            let scope = m.get("filter_policy_scope").cloned().unwrap_or(Value::Null);
            if policy.is_wholly_known() && scope.is_null() && !policy.is_null() {
                m.insert(
                    "filter_policy_scope".into(),
                    Value::string(SCOPE_MESSAGE_ATTRIBUTES),
                );
            }
        }
        value
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_each(clients, ids, get_subscription).await
    }

    /// The subscription of the topic with the planned protocol and endpoint, if there is one.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        _owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let (Some(topic), Some(protocol), Some(endpoint)) = (
            get_str(planned, "topic_arn"),
            get_str(planned, "protocol"),
            get_str(planned, "endpoint"),
        ) else {
            return Ok(Vec::new());
        };
        let listed = call(|| {
            clients
                .sns
                .list_subscriptions_by_topic()
                .topic_arn(topic)
                .into_paginator()
                .items()
                .send()
                .collect::<std::result::Result<Vec<_>, _>>()
        })
        .await
        .found()?
        .unwrap_or_default();
        let ids: Vec<String> = listed
            .iter()
            .filter(|s| s.protocol() == Some(protocol) && s.endpoint() == Some(endpoint))
            .filter_map(|s| s.subscription_arn())
            .filter(|arn| arn.starts_with("arn:"))
            .map(String::from)
            .collect();
        let found = read_ours(self, clients, &ids).await?;
        Ok(found
            .into_iter()
            .map(|c| match c {
                Candidate::Ours(v) => Candidate::Ours(with_attrs(v, planned_local(planned))),
                other => other,
            })
            .collect())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let attrs = subscribe_attributes(planned);
        let out = call(|| {
            clients
                .sns
                .subscribe()
                .topic_arn(get_str(planned, "topic_arn").unwrap_or_default())
                .protocol(get_str(planned, "protocol").unwrap_or_default())
                .endpoint(get_str(planned, "endpoint").unwrap_or_default())
                .set_attributes(Some(attrs.clone()))
                .return_subscription_arn(true)
                .send()
        })
        .await?;
        let arn = out
            .subscription_arn()
            .ok_or_else(|| ApiError::malformed("Subscribe returned no subscription ARN"))?
            .to_string();
        let mut state = read_created(self, clients, &arn).await?;
        if let Some(limit) = confirmation_wait(planned) {
            let ids = [arn.clone()];
            state = wait_until(
                &format!("SNS subscription {arn} to be confirmed"),
                Duration::from_secs(5),
                limit,
                || async {
                    let found = self.read_many(clients, &ids).await?.remove(&arn);
                    Ok(found.filter(|s| get_bool(s, "pending_confirmation") != Some(true)))
                },
            )
            .await?;
        }
        Ok(with_attrs(state, planned_local(planned)))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let names: Vec<&str> = ATTRIBUTES
            .iter()
            .map(|(a, _)| *a)
            .filter(|a| changed(prior, planned, a))
            .collect();
        for (name, value) in attribute_calls(planned, &names) {
            set_attribute(clients, arn, name, value.as_deref()).await?;
        }
        let state = read_created(self, clients, arn).await?;
        Ok(with_attrs(state, planned_local(planned)))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let arn = get_str(prior, "id").ok_or_else(|| ApiError::malformed("no id in state"))?;
        let clients = ctx.clients;
        match call(|| clients.sns.unsubscribe().subscription_arn(arn).send()).await {
            Err(e) if is_pending_confirmation(&e) => return Ok(()),
            other => other.ok_if_gone()?,
        }
        super::wait_gone(self, clients, "SNS subscription", arn, CONFIRMATION_LIMIT).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A planned subscription of a queue, with `pairs` on top.
    fn planned(pairs: &[(&str, Value)]) -> Value {
        let required = [
            ("topic_arn", Value::string("arn:aws:sns:eu-west-1:1:t")),
            ("protocol", Value::string("sqs")),
            ("endpoint", Value::string("arn:aws:sqs:eu-west-1:1:q")),
        ];
        SCHEMA.conformed(required.into_iter().chain(pairs.iter().cloned()))
    }

    #[test]
    fn the_scope_goes_first_for_message_body_and_last_for_message_attributes() {
        let names = ["filter_policy", "filter_policy_scope", "replay_policy"];
        let body = planned(&[
            ("filter_policy", Value::string(r#"{"a":{"b":["c"]}}"#)),
            ("filter_policy_scope", Value::string("MessageBody")),
            ("replay_policy", Value::string(r#"{"pointInTime":"x"}"#)),
        ]);
        let calls = attribute_calls(&body, &names);
        let order: Vec<&str> = calls.iter().map(|(n, _)| *n).collect();
        assert_eq!(order, ["FilterPolicyScope", "FilterPolicy", "ReplayPolicy"]);
        let attrs = planned(&[
            ("filter_policy", Value::string(r#"{"a":["c"]}"#)),
            ("filter_policy_scope", Value::string("MessageAttributes")),
        ]);
        let order: Vec<&str> = attribute_calls(&attrs, &names)
            .iter()
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(order, ["FilterPolicy", "ReplayPolicy", "FilterPolicyScope"]);
    }

    #[test]
    fn removed_policies_are_unset_as_sns_wants() {
        let none = planned(&[]);
        let calls = attribute_calls(
            &none,
            &["filter_policy", "redrive_policy", "raw_message_delivery"],
        );
        assert_eq!(
            calls,
            [
                ("FilterPolicy", Some("{}".to_string())),
                ("RawMessageDelivery", Some("false".to_string())),
                ("RedrivePolicy", None),
            ]
        );
    }

    #[test]
    fn subscribe_sends_what_is_configured() {
        let p = planned(&[
            ("replay_policy", Value::string(r#"{"pointInTime":"x"}"#)),
            ("raw_message_delivery", Value::Bool(true)),
        ]);
        let attrs = subscribe_attributes(&p);
        assert_eq!(attrs.len(), 2, "{attrs:?}");
        assert_eq!(attrs["ReplayPolicy"], r#"{"pointInTime":"x"}"#);
        assert_eq!(attrs["RawMessageDelivery"], "true");
    }

    #[test]
    fn confirmation_is_awaited_as_the_provider_does() {
        let with = |protocol: &str, auto: bool| {
            confirmation_wait(&planned(&[
                ("protocol", Value::string(protocol)),
                ("endpoint_auto_confirms", Value::Bool(auto)),
                ("confirmation_timeout_in_minutes", Value::Number(3.0)),
            ]))
        };
        assert_eq!(with("email", false), None);
        assert_eq!(with("email-json", true), None);
        assert_eq!(with("https", false), None);
        assert_eq!(with("https", true), Some(Duration::from_secs(180)));
        assert_eq!(with("sqs", false), Some(CONFIRMATION_LIMIT));
        assert_eq!(with("lambda", false), Some(CONFIRMATION_LIMIT));
    }

    #[test]
    fn read_state_drops_empty_documents_and_defaults_the_scope() {
        let attrs = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let s = subscription_state(&attrs(&[
            ("SubscriptionArn", "arn:aws:sns:eu-west-1:1:t:abc"),
            ("FilterPolicy", "{}"),
            ("FilterPolicyScope", "MessageBody"),
            ("PendingConfirmation", "true"),
            ("RawMessageDelivery", "false"),
        ]));
        let m = s.as_map().unwrap();
        assert_eq!(m["filter_policy"], Value::Null);
        assert_eq!(m["filter_policy_scope"], Value::Null);
        assert_eq!(m["pending_confirmation"], Value::Bool(true));
        assert_eq!(m["raw_message_delivery"], Value::Bool(false));
        let s = subscription_state(&attrs(&[(
            "FilterPolicy",
            r#"{ "store": ["example_corp"] }"#,
        )]));
        let m = s.as_map().unwrap();
        assert_eq!(
            m["filter_policy"],
            Value::string(r#"{"store":["example_corp"]}"#)
        );
        assert_eq!(m["filter_policy_scope"], Value::string("MessageAttributes"));
    }
}
