//! `aws_lb_listener` (also `aws_alb_listener`): a listener of a load balancer — port,
//! protocol, TLS policy and certificate, and its default actions (`default_action` blocks in
//! the provider's syntax, see [`super::lb_actions`]).
//!
//! Everything but the load balancer changes in place with `ModifyListener`.
//!
//! Reads are batched per load balancer: `DescribeListeners` by load balancer returns all of
//! its listeners in one paginated call and simply lacks those that are gone, whereas a
//! request by listener ARNs fails whole when one ARN is gone. A listener's ARN names its load
//! balancer, so refresh groups ids by load balancer and makes one call for each (and one
//! batched `DescribeTags` for all).

use std::collections::BTreeMap;

use crate::aws::{Adoption, Candidate, Owner};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{Certificate, Listener, ProtocolEnum};

use super::lb_actions::{self, from_sdk_all, normalize_in, shaped_like, to_sdk_all};
use super::{changed, create_call, expect_prefix, read_created};
use crate::aws::call::call;
use crate::aws::elbv2_reads::{children_of, find_tagged, read_children};
use crate::aws::elbv2_tags::{to_elb, update_tags, visible};
use crate::aws::error::Result;
use crate::aws::error::{from_sdk, ApiError, OrGone};
use crate::aws::object_ids::{created_id, state_id};
use crate::aws::resource_type::States;
use crate::aws::tags::creation_tags;
use crate::aws::AwsClients;
use crate::aws::Declaration;
use crate::aws::{fill_local_from_config, CallContext, ImportIdError, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::values::{get_i32, get_str, opt_str, state_object, string_map};
use crate::provider::Schema;

pub struct LbListenerType;

static DECLARATION: Declaration = Declaration::new("aws_lb_listener", &SCHEMA, Adoption::Tags);

/// The name of the listener's action blocks.
const ACTIONS: &str = "default_action";

static SCHEMA: Schema = Schema {
    version: 2,
    attributes: attrs![
        computed String: id arn;
        required String: load_balancer_arn.force_new();
        optional Number: port;
        optional_computed String: protocol ssl_policy;
        optional String: certificate_arn;
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[lb_actions::block(ACTIONS)],
};

fn listener_state(l: &Listener, tags: &BTreeMap<String, String>) -> Value {
    let arn = l.listener_arn().unwrap_or_default();
    // The default certificate; others are `aws_lb_listener_certificate`'s business.
    let certificate = l
        .certificates()
        .iter()
        .find(|c| c.is_default().unwrap_or(true))
        .and_then(|c| c.certificate_arn());
    let tags = string_map(&visible(tags));
    state_object(
        &SCHEMA,
        [
            ("id", Value::string(arn)),
            ("arn", Value::string(arn)),
            ("load_balancer_arn", opt_str(l.load_balancer_arn())),
            ("port", l.port().map(Value::number).unwrap_or(Value::Null)),
            ("protocol", opt_str(l.protocol().map(|p| p.as_str()))),
            ("ssl_policy", opt_str(l.ssl_policy())),
            ("certificate_arn", opt_str(certificate)),
            (ACTIONS, from_sdk_all(l.default_actions())),
            ("tags", tags.clone()),
            ("tags_all", tags),
        ],
    )
}

fn certificates(planned: &Value) -> Option<Vec<Certificate>> {
    get_str(planned, "certificate_arn")
        .map(|arn| vec![Certificate::builder().certificate_arn(arn).build()])
}

fn create_request(
    clients: &AwsClients,
    planned: &Value,
    tags: &BTreeMap<String, String>,
) -> Result<
    aws_sdk_elasticloadbalancingv2::operation::create_listener::builders::CreateListenerFluentBuilder,
    ApiError,
>{
    Ok(clients
        .elbv2
        .create_listener()
        .set_load_balancer_arn(get_str(planned, "load_balancer_arn").map(String::from))
        .set_port(get_i32(planned, "port"))
        .set_protocol(get_str(planned, "protocol").map(ProtocolEnum::from))
        .set_ssl_policy(get_str(planned, "ssl_policy").map(String::from))
        .set_certificates(certificates(planned))
        .set_default_actions(Some(to_sdk_all(planned, ACTIONS)?))
        .set_tags(Some(to_elb(tags))))
}

/// The request bringing a listener from `prior` to `planned`: every setting the
/// configuration has (ModifyListener leaves out what is not sent), the actions only when
/// they changed.
fn modify_request(
    clients: &AwsClients,
    arn: &str,
    prior: &Value,
    planned: &Value,
) -> Result<
    aws_sdk_elasticloadbalancingv2::operation::modify_listener::builders::ModifyListenerFluentBuilder,
    ApiError,
>{
    let actions = changed(prior, planned, ACTIONS)
        .then(|| to_sdk_all(planned, ACTIONS))
        .transpose()?;
    Ok(clients
        .elbv2
        .modify_listener()
        .listener_arn(arn)
        .set_port(get_i32(planned, "port"))
        .set_protocol(get_str(planned, "protocol").map(ProtocolEnum::from))
        .set_ssl_policy(get_str(planned, "ssl_policy").map(String::from))
        .set_certificates(certificates(planned))
        .set_default_actions(actions))
}

/// The listeners of one load balancer; none if the load balancer is gone.
async fn listeners_of(clients: &AwsClients, lb_arn: String) -> Result<Vec<Listener>> {
    children_of!(clients, describe_listeners, load_balancer_arn(&lb_arn)).await
}

#[async_trait]
impl ResourceType for LbListenerType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// The load balancer's listeners, then their tags.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        let Some(parent) = get_str(planned, "load_balancer_arn") else {
            return Ok(Vec::new());
        };
        let found = listeners_of(clients, parent.to_string()).await?;
        find_tagged(self, clients, owner, &found, Listener::listener_arn).await
    }

    fn import_id_format(&self) -> &'static str {
        "the listener ARN"
    }

    async fn import_id(&self, _: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        expect_prefix(id, "arn:", "an ARN")
    }

    fn normalize(&self, value: Value) -> Value {
        normalize_in(value, ACTIONS)
    }

    fn refreshed(&self, read: Value, recorded: &Value) -> Value {
        shaped_like(read, recorded, ACTIONS)
    }

    fn imported(&self, read: Value, config: &Value) -> Value {
        fill_local_from_config(&SCHEMA, shaped_like(read, config, ACTIONS), config)
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        read_children(
            clients,
            ids,
            ("listener", "loadbalancer"),
            |lb| listeners_of(clients, lb),
            Listener::listener_arn,
            |l, _, tags| listener_state(l, tags),
        )
        .await
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let tags = creation_tags(planned, ctx.extra_tags);
        let request = create_request(clients, planned, &tags)?;
        // Retried while a load balancer or target group created a moment ago is not visible.
        let out = create_call("listener to be created", || async {
            request.clone().send().await.map_err(from_sdk)
        })
        .await?;
        let arn = out.listeners().first().and_then(|l| l.listener_arn());
        let arn = created_id(arn, "CreateListener returned no ARN")?;
        let read = read_created(self, clients, &arn).await?;
        Ok(shaped_like(read, planned, ACTIONS))
    }

    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?;
        let settings = ["port", "protocol", "ssl_policy", "certificate_arn", ACTIONS];
        if settings.iter().any(|s| changed(prior, planned, s)) {
            let request = modify_request(clients, arn, prior, planned)?;
            call(|| request.clone().send()).await?;
        }
        update_tags(clients, arn, prior, planned).await?;
        let read = read_created(self, clients, arn).await?;
        Ok(shaped_like(read, planned, ACTIONS))
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let clients = ctx.clients;
        let arn = state_id(prior, self.type_name())?;
        call(|| clients.elbv2.delete_listener().listener_arn(arn).send())
            .await
            .ok_if_gone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;

    const LB: &str = "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/50dc6c49";

    fn conform(config: Value) -> Value {
        LbListenerType.normalize(SCHEMA.conform(&config).unwrap())
    }

    fn forward(tg: &str) -> Value {
        Value::map([
            ("type", Value::string("forward")),
            ("target_group_arn", Value::string(tg)),
        ])
    }

    #[test]
    fn create_request_carries_actions_in_order() {
        let planned = conform(Value::map([
            ("load_balancer_arn", Value::string(LB)),
            ("port", Value::number(443)),
            ("protocol", Value::string("HTTPS")),
            ("certificate_arn", Value::string("arn:aws:acm:cert")),
            ("default_action", Value::List(vec![forward("tg")])),
        ]));
        let req = create_request(&offline_clients(), &planned, &BTreeMap::new()).unwrap();
        let input = req.as_input();
        assert_eq!(input.get_port(), &Some(443));
        assert_eq!(input.get_protocol(), &Some(ProtocolEnum::Https));
        assert_eq!(input.get_ssl_policy(), &None);
        let actions = input.get_default_actions().as_ref().unwrap();
        assert_eq!(actions[0].target_group_arn(), Some("tg"));
        assert_eq!(actions[0].order(), Some(1));
        assert_eq!(
            input.get_certificates().as_ref().unwrap()[0].certificate_arn(),
            Some("arn:aws:acm:cert")
        );
    }

    #[test]
    fn modify_sends_actions_only_when_they_change() {
        let prior = conform(Value::map([
            ("load_balancer_arn", Value::string(LB)),
            ("port", Value::number(80)),
            ("default_action", Value::List(vec![forward("tg")])),
        ]));
        let planned = conform(Value::map([
            ("load_balancer_arn", Value::string(LB)),
            ("port", Value::number(8080)),
            ("default_action", Value::List(vec![forward("tg")])),
        ]));
        let req = modify_request(&offline_clients(), "l", &prior, &planned).unwrap();
        assert_eq!(req.as_input().get_port(), &Some(8080));
        assert_eq!(req.as_input().get_default_actions(), &None);
    }
}
