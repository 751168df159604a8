//! `aws_flow_log`: a VPC flow log of a VPC, subnet, network interface, transit gateway (or its
//! attachment) or regional NAT gateway, delivered to CloudWatch Logs or S3. Its id is the flow
//! log's, `fl-…`, which is also the import ID.
//!
//! As in the AWS provider, every argument but the tags forces a new flow log: the update only
//! changes tags. The create sends CreateFlowLogs with the tags (ecsform's ownership tags among
//! them) in its TagSpecifications, which adoption finds them by, and reports an unsuccessful
//! item as the error it is. Refresh reads all flow logs in one paginated DescribeFlowLogs (plus
//! one GetCallerIdentity for the ARNs, which AWS does not return). `destination_options` is not
//! supported yet. moto serves all of it (it needs the S3 bucket of an `s3` destination to
//! exist, and does not check the log group of a `cloud-watch-logs` one).

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    FlowLog, FlowLogsResourceType, LogDestinationType, ResourceType as Ec2ResourceType, TrafficType,
};

use super::{account_id, partition, read_created, recorded_id};
use crate::aws::call::call;
use crate::aws::ec2::{describe_ec2, Ec2Objects, Ec2Reads};
use crate::aws::error::{classify, ApiError, ErrorKind, OrGone, Result};
use crate::aws::resource_type::{id_prefix, States};
use crate::aws::tags::{creation_tags, from_ec2, tag_spec, update_ec2_tags};
use crate::aws::{Adoption, AwsClients, CallContext, Declaration, IdPrefix, ResourceType};
use crate::lang::Value;
use crate::provider::attrs;
use crate::provider::schema::Default;
use crate::provider::values::{get_i32, get_str, opt_number, opt_str, state_object, string_map};
use crate::provider::Schema;

pub struct FlowLogType;

static DECLARATION: Declaration = Declaration::new("aws_flow_log", &SCHEMA, Adoption::Tags);

static SCHEMA: Schema = Schema {
    version: 1,
    attributes: attrs![
        computed String: id arn;
        optional String: vpc_id.force_new() subnet_id.force_new() eni_id.force_new();
        optional String: transit_gateway_id.force_new() transit_gateway_attachment_id.force_new();
        optional String: regional_nat_gateway_id.force_new();
        optional String: iam_role_arn.force_new() deliver_cross_account_role.force_new();
        optional String: traffic_type.force_new();
        optional String: log_destination_type.force_new().default(Default::Str("cloud-watch-logs"));
        optional_computed String: log_destination.force_new() log_format.force_new();
        optional Number: max_aggregation_interval.force_new().default(Default::Number(600.0));
        optional StringMap: tags;
        computed StringMap: tags_all;
    ],
    blocks: &[],
};

/// The arguments naming what the flow log watches, with the kind of resource each names, in
/// the order the provider looks at them.
const WATCHED: [(&str, FlowLogsResourceType); 6] = [
    ("vpc_id", FlowLogsResourceType::Vpc),
    ("transit_gateway_id", FlowLogsResourceType::TransitGateway),
    (
        "transit_gateway_attachment_id",
        FlowLogsResourceType::TransitGatewayAttachment,
    ),
    ("subnet_id", FlowLogsResourceType::Subnet),
    ("eni_id", FlowLogsResourceType::NetworkInterface),
    (
        "regional_nat_gateway_id",
        FlowLogsResourceType::RegionalNatGateway,
    ),
];

/// The argument a watched resource's id belongs in, by its prefix, as the provider reads it.
fn watched_argument(resource_id: &str) -> Option<&'static str> {
    Some(match resource_id {
        id if id.starts_with("vpc-") => "vpc_id",
        id if id.starts_with("tgw-attach-") => "transit_gateway_attachment_id",
        id if id.starts_with("tgw-") => "transit_gateway_id",
        id if id.starts_with("subnet-") => "subnet_id",
        id if id.starts_with("eni-") => "eni_id",
        id if id.starts_with("nat-") => "regional_nat_gateway_id",
        _ => return None,
    })
}

fn flow_log_state(fl: &FlowLog, region: &str, account: &str) -> Option<Value> {
    let id = fl.flow_log_id()?;
    let resource = fl.resource_id().unwrap_or_default();
    let tags = string_map(&from_ec2(fl.tags()));
    let arn = format!(
        "arn:{}:ec2:{region}:{account}:vpc-flow-log/{id}",
        partition(region)
    );
    let mut pairs = vec![
        ("id", Value::string(id)),
        ("arn", Value::string(arn)),
        ("iam_role_arn", opt_str(fl.deliver_logs_permission_arn())),
        (
            "deliver_cross_account_role",
            opt_str(fl.deliver_cross_account_role()),
        ),
        ("log_destination", opt_str(fl.log_destination())),
        (
            "log_destination_type",
            opt_str(fl.log_destination_type().map(|t| t.as_str())),
        ),
        ("log_format", opt_str(fl.log_format())),
        (
            "max_aggregation_interval",
            opt_number(fl.max_aggregation_interval()),
        ),
        ("tags", tags.clone()),
        ("tags_all", tags),
    ];
    if let Some(argument) = watched_argument(resource) {
        pairs.push((argument, Value::string(resource)));
    }
    // A transit gateway's flow log has no traffic type (the provider leaves it unset).
    if !resource.starts_with("tgw-") {
        pairs.push((
            "traffic_type",
            opt_str(fl.traffic_type().map(|t| t.as_str())),
        ));
    }
    Some(state_object(&SCHEMA, pairs))
}

/// The watched resource and its kind, or why the configuration names none.
fn watched(planned: &Value) -> Result<(&str, FlowLogsResourceType)> {
    WATCHED
        .iter()
        .find_map(|(name, kind)| Some((get_str(planned, name)?, kind.clone())))
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::Invalid,
                "InvalidParameterCombination",
                "one of vpc_id, subnet_id, eni_id, transit_gateway_id, \
                 transit_gateway_attachment_id or regional_nat_gateway_id must be set",
            )
        })
}

/// The CreateFlowLogs request for the planned flow log, as the provider builds it.
fn create_request(
    clients: &AwsClients,
    planned: &Value,
    tags: &BTreeMap<String, String>,
) -> Result<aws_sdk_ec2::operation::create_flow_logs::builders::CreateFlowLogsFluentBuilder> {
    let (resource, kind) = watched(planned)?;
    let transit = matches!(
        kind,
        FlowLogsResourceType::TransitGateway | FlowLogsResourceType::TransitGatewayAttachment
    );
    let s = |name| get_str(planned, name).map(String::from);
    Ok(clients
        .ec2
        .create_flow_logs()
        .client_token(uuid::Uuid::new_v4().to_string())
        .resource_ids(resource)
        .resource_type(kind)
        .log_destination_type(LogDestinationType::from(
            get_str(planned, "log_destination_type").unwrap_or("cloud-watch-logs"),
        ))
        .set_traffic_type(
            s("traffic_type")
                .filter(|_| !transit)
                .map(|t| TrafficType::from(t.as_str())),
        )
        .set_deliver_cross_account_role(s("deliver_cross_account_role"))
        .set_deliver_logs_permission_arn(s("iam_role_arn"))
        .set_log_destination(s("log_destination").map(|d| d.trim_end_matches(":*").to_string()))
        .set_log_format(s("log_format"))
        .set_max_aggregation_interval(get_i32(planned, "max_aggregation_interval"))
        .tag_specifications(tag_spec(Ec2ResourceType::VpcFlowLog, tags)))
}

#[async_trait]
impl ResourceType for FlowLogType {
    fn declaration(&self) -> &'static Declaration {
        &DECLARATION
    }

    /// For adoption by tags only: reads need the account besides the Describe call.
    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        static OBJECTS: Ec2Objects<FlowLog> = Ec2Objects { state: None };
        Some(&OBJECTS)
    }

    fn import_prefix(&self) -> Option<IdPrefix> {
        Some(id_prefix!(a "flow log id", "fl-"))
    }

    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let found = describe_ec2::<FlowLog>(clients, ids).await?;
        if found.is_empty() {
            return Ok(BTreeMap::new());
        }
        let account = account_id(clients).await?;
        Ok(found
            .iter()
            .filter_map(|fl| {
                let id = fl.flow_log_id()?.to_string();
                let state = flow_log_state(fl, &clients.region, &account)?;
                ids.contains(&id).then_some((id, state))
            })
            .collect())
    }

    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value> {
        let tags = creation_tags(planned, ctx.extra_tags);
        let request = create_request(ctx.clients, planned, &tags)?;
        let out = call(|| request.clone().send()).await?;
        if let Some(failed) = out.unsuccessful().first() {
            let error = failed.error();
            return Err(ApiError::new(
                ErrorKind::Invalid,
                error.and_then(|e| e.code()).unwrap_or("Unsuccessful"),
                format!(
                    "creating a flow log of {}: {}",
                    failed.resource_id().unwrap_or_default(),
                    error.and_then(|e| e.message()).unwrap_or_default()
                ),
            ));
        }
        let id = out
            .flow_log_ids()
            .first()
            .ok_or_else(|| ApiError::malformed("CreateFlowLogs returned no flow log id"))?;
        read_created(self, ctx.clients, id).await
    }

    /// Tags only: every other argument forces a new flow log.
    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = recorded_id(self, prior)?;
        update_ec2_tags(ctx.clients, &id, prior, planned).await?;
        read_created(self, ctx.clients, &id).await
    }

    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()> {
        let id = recorded_id(self, prior)?;
        let out = call(|| ctx.clients.ec2.delete_flow_logs().flow_log_ids(&id).send())
            .await
            .found()?;
        match out.as_ref().and_then(|o| o.unsuccessful().first()) {
            Some(failed) => {
                let error = failed.error();
                let code = error.and_then(|e| e.code()).unwrap_or("Unsuccessful");
                let message = error.and_then(|e| e.message()).unwrap_or_default();
                // InvalidFlowLogId.NotFound (the provider's too): gone already.
                Err::<(), _>(ApiError::new(classify(code, None), code, message)).ok_if_gone()
            }
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::offline_clients;

    fn planned(pairs: &[(&str, Value)]) -> Value {
        SCHEMA.conformed(pairs.iter().cloned())
    }

    #[test]
    fn the_request_names_the_watched_resource_and_the_destination() {
        let c = offline_clients();
        let p = planned(&[
            ("subnet_id", Value::string("subnet-1")),
            ("log_destination_type", Value::string("s3")),
            ("log_destination", Value::string("arn:aws:s3:::logs")),
            ("traffic_type", Value::string("REJECT")),
            ("max_aggregation_interval", Value::number(60)),
        ]);
        let r = create_request(&c, &p, &BTreeMap::new()).unwrap();
        assert_eq!(r.get_resource_ids(), &Some(vec!["subnet-1".to_string()]));
        assert_eq!(r.get_resource_type(), &Some(FlowLogsResourceType::Subnet));
        assert_eq!(r.get_log_destination_type(), &Some(LogDestinationType::S3));
        assert_eq!(r.get_traffic_type(), &Some(TrafficType::Reject));
        assert_eq!(r.get_max_aggregation_interval(), &Some(60));
    }

    #[test]
    fn a_transit_gateway_flow_log_sends_no_traffic_type() {
        let c = offline_clients();
        let p = planned(&[
            (
                "transit_gateway_attachment_id",
                Value::string("tgw-attach-1"),
            ),
            ("traffic_type", Value::string("ALL")),
            (
                "log_destination",
                Value::string("arn:aws:logs:eu-west-1:1:log-group:flows:*"),
            ),
        ]);
        let r = create_request(&c, &p, &BTreeMap::new()).unwrap();
        assert_eq!(
            r.get_resource_type(),
            &Some(FlowLogsResourceType::TransitGatewayAttachment)
        );
        assert_eq!(r.get_traffic_type(), &None);
        // The provider trims a log group ARN's `:*`.
        assert_eq!(
            r.get_log_destination().as_deref(),
            Some("arn:aws:logs:eu-west-1:1:log-group:flows")
        );
        assert!(create_request(&c, &planned(&[]), &BTreeMap::new()).is_err());
    }

    #[test]
    fn the_watched_resource_reads_back_into_its_argument() {
        let fl = FlowLog::builder()
            .flow_log_id("fl-1")
            .resource_id("tgw-attach-1")
            .traffic_type(TrafficType::All)
            .log_destination_type(LogDestinationType::CloudWatchLogs)
            .max_aggregation_interval(600)
            .build();
        let v = flow_log_state(&fl, "eu-west-1", "123456789012").unwrap();
        assert_eq!(
            get_str(&v, "transit_gateway_attachment_id"),
            Some("tgw-attach-1")
        );
        assert_eq!(get_str(&v, "transit_gateway_id"), None);
        assert_eq!(get_str(&v, "traffic_type"), None);
        assert_eq!(
            get_str(&v, "arn"),
            Some("arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/fl-1")
        );
    }
}
