//! Which token buckets an AWS API call draws from, with AWS's published sizes and refill
//! rates. This file is the table; [`super::RateLimiter`] keeps the buckets and waits.
//!
//! Sources (AWS documentation, as of 2026):
//! - EC2: "Request throttling for the Amazon EC2 API"
//!   (<https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html>). Each API
//!   action has its own bucket, sized by its category; some actions are "uncategorized" with
//!   sizes of their own.
//! - ECS: "Request throttling for the Amazon ECS API"
//!   (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html>).
//!   All actions of a category share one bucket.
//! - Elastic Load Balancing: "Request throttling for the Elastic Load Balancing API"
//!   (<https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-throttling.html>).
//!   Category buckets, and an account-level bucket (40, 10/s) shared by every ELBv2 action.
//! - CloudWatch Logs: "CloudWatch Logs quotas"
//!   (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html>):
//!   `DescribeLogGroups` 5 transactions per second.
//! - Auto Scaling: the API reference's "API request rate" says all actions share one bucket
//!   but gives no size.
//!
//! - Lambda: "Lambda quotas"
//!   (<https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html>): control
//!   plane requests 15 a second, except `GetFunction` (100 a second) and `GetPolicy` (15 a
//!   second, on its own).
//! - Route 53: "Quotas on Route 53 API requests"
//!   (<https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html>): five
//!   requests a second per account, all actions together.
//!
//! Where AWS publishes no numbers (IAM, Auto Scaling, Application Auto Scaling, CloudWatch,
//! SNS, EventBridge, SSM, STS, ACM, EFS, Cloud Map, the Resource Groups Tagging API, and the
//! CloudWatch Logs actions other than `DescribeLogGroups`) the buckets are ecsform's own
//! conservative choice, marked [`Basis::Conservative`]: reads 20 at once and 10 a second,
//! writes 10 at once and 5 a second, shared by all reads or all writes of the service (Auto
//! Scaling: one bucket for everything, as its documentation describes; CloudWatch Logs: 5 a
//! second per action, like `DescribeLogGroups`).

use std::borrow::Cow;

use super::bucket::Limit;

/// Where a bucket's numbers come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// AWS's published throttling documentation (cited at the top of this file).
    Published,
    /// AWS publishes no numbers for this API: ecsform's conservative choice.
    Conservative,
    /// An operation this table does not list for a service that lists its operations: it
    /// gets the smallest bucket of its service, on its own.
    Unclassified,
}

/// One bucket an operation takes a token from.
#[derive(Clone, Debug, PartialEq)]
pub struct BucketSpec {
    /// The bucket's name within its service: the operation itself for per-action buckets,
    /// the category (which has spaces, unlike any operation) for shared ones.
    pub name: Cow<'static, str>,
    pub limit: Limit,
    pub basis: Basis,
}

/// The service names of the SDK's operation metadata (`Metadata::service()`).
pub mod service {
    pub const EC2: &str = "EC2";
    pub const ECS: &str = "ECS";
    pub const ELBV2: &str = "Elastic Load Balancing v2";
    pub const AUTO_SCALING: &str = "Auto Scaling";
    pub const APPLICATION_AUTO_SCALING: &str = "Application Auto Scaling";
    pub const CLOUDWATCH: &str = "CloudWatch";
    pub const LOGS: &str = "CloudWatch Logs";
    pub const EVENTS: &str = "EventBridge";
    pub const IAM: &str = "IAM";
    pub const SNS: &str = "SNS";
    pub const SSM: &str = "SSM";
    pub const STS: &str = "STS";
    pub const TAGGING: &str = "Resource Groups Tagging API";
    pub const ROUTE53: &str = "Route 53";
    pub const ACM: &str = "ACM";
    pub const EFS: &str = "EFS";
    pub const SERVICE_DISCOVERY: &str = "ServiceDiscovery";
    pub const LAMBDA: &str = "Lambda";
}

/// The buckets a call of `operation` on `service` (both as the SDK's operation metadata
/// names them: `"EC2"`, `"DescribeVpcs"`) takes a token from. Every call takes one from each.
pub fn buckets(service: &str, operation: &str) -> Vec<BucketSpec> {
    match service {
        service::EC2 => vec![ec2(operation)],
        service::ECS => vec![ecs(operation)],
        service::ELBV2 => vec![elbv2(operation), shared("account", 40.0, 10.0)],
        service::AUTO_SCALING => vec![BucketSpec {
            basis: Basis::Conservative,
            ..shared("all actions", 20.0, 5.0)
        }],
        service::LOGS => vec![logs(operation)],
        // Route 53: five requests a second per account, every action alike.
        service::ROUTE53 => vec![shared("all actions", 5.0, 5.0)],
        service::LAMBDA => vec![match operation {
            "GetFunction" => per_action(operation, 100.0, 100.0),
            "GetPolicy" => per_action(operation, 15.0, 15.0),
            _ => shared("control plane", 15.0, 15.0),
        }],
        service::APPLICATION_AUTO_SCALING
        | service::CLOUDWATCH
        | service::EVENTS
        | service::IAM
        | service::SNS
        | service::SSM
        | service::STS
        | service::TAGGING
        | service::ACM
        | service::EFS
        | service::SERVICE_DISCOVERY => {
            vec![read_or_write(operation)]
        }
        _ => vec![BucketSpec {
            name: Cow::Owned(operation.to_string()),
            limit: Limit::new(5.0, 1.0),
            basis: Basis::Unclassified,
        }],
    }
}

fn per_action(operation: &str, capacity: f64, refill: f64) -> BucketSpec {
    BucketSpec {
        name: Cow::Owned(operation.to_string()),
        limit: Limit::new(capacity, refill),
        basis: Basis::Published,
    }
}

fn shared(category: &'static str, capacity: f64, refill: f64) -> BucketSpec {
    BucketSpec {
        name: Cow::Borrowed(category),
        limit: Limit::new(capacity, refill),
        basis: Basis::Published,
    }
}

fn unclassified(operation: &str, smallest: Limit) -> BucketSpec {
    BucketSpec {
        name: Cow::Owned(operation.to_string()),
        limit: smallest,
        basis: Basis::Unclassified,
    }
}

/// Describe*, Get*, List* and Search*: what AWS calls non-mutating actions.
fn is_read(operation: &str) -> bool {
    ["Describe", "Get", "List", "Search"]
        .iter()
        .any(|p| operation.starts_with(p))
}

fn ec2(op: &str) -> BucketSpec {
    match op {
        // Uncategorized actions, with buckets of their own.
        "CreateTags" | "DeleteTags" => per_action(op, 100.0, 10.0),
        "RunInstances" | "StartInstances" => per_action(op, 5.0, 2.0),
        "CreateNatGateway"
        | "DeleteNatGateway"
        | "AssociateNatGatewayAddress"
        | "DisassociateNatGatewayAddress"
        | "AssignPrivateNatGatewayAddress"
        | "UnassignPrivateNatGatewayAddress" => per_action(op, 10.0, 1.0),
        "TerminateInstances"
        | "CreateLaunchTemplateVersion"
        | "ModifyLaunchTemplate"
        | "CreateNetworkInterface"
        | "DeleteNetworkInterface"
        | "ModifyNetworkInterfaceAttribute"
        | "AssociateIamInstanceProfile"
        | "DisassociateIamInstanceProfile"
        | "ModifyInstanceMetadataOptions"
        | "AssignPrivateIpAddresses"
        | "UnassignPrivateIpAddresses"
        | "AssignIpv6Addresses"
        | "CreateVolume"
        | "DeleteVolume"
        | "CreateSnapshot"
        | "DeleteSnapshot"
        | "DeregisterImage"
        | "ModifyImageAttribute" => per_action(op, 100.0, 5.0),
        "CreateVpcEndpoint" | "DeleteVpcEndpoints" | "ModifyVpcEndpoint" => {
            per_action(op, 4.0, 0.3)
        }
        "CreateDefaultVpc" | "CreateDefaultSubnet" => per_action(op, 1.0, 1.0),
        "DescribeSecurityGroupReferences" | "DescribeStaleSecurityGroups" => {
            per_action(op, 20.0, 5.0)
        }
        // Non-mutating actions that use a smaller bucket when called without a filter or
        // pagination. Whether a call filters is not known here, so the smaller one applies.
        "DescribeInstances"
        | "DescribeInstanceStatus"
        | "DescribeNetworkInterfaces"
        | "DescribeSecurityGroups"
        | "DescribeSnapshots"
        | "DescribeSpotInstanceRequests"
        | "DescribeVolumes" => per_action(op, 50.0, 10.0),
        // Resource-intensive actions.
        "AcceptVpcPeeringConnection"
        | "AuthorizeSecurityGroupIngress"
        | "CancelSpotInstanceRequests"
        | "CreateKeyPair"
        | "CreateVpcPeeringConnection"
        | "DeleteVpcPeeringConnection"
        | "RejectVpcPeeringConnection"
        | "RevokeSecurityGroupIngress"
        | "RequestSpotInstances" => per_action(op, 50.0, 5.0),
        // Non-mutating actions.
        _ if is_read(op) => per_action(op, 100.0, 20.0),
        // Mutating actions: everything else.
        _ => per_action(op, 50.0, 5.0),
    }
}

fn ecs(op: &str) -> BucketSpec {
    match op {
        "CreateCluster"
        | "DeleteCluster"
        | "PutClusterCapacityProviders"
        | "UpdateCluster"
        | "UpdateClusterSettings" => shared("Cluster modify actions", 20.0, 1.0),
        "DescribeClusters" | "ListClusters" => shared("Cluster read actions", 50.0, 20.0),
        "DeregisterTaskDefinition" | "RegisterTaskDefinition" => {
            shared("Task definition modify actions", 20.0, 1.0)
        }
        "DescribeTaskDefinition" | "ListTaskDefinitions" | "ListTaskDefinitionFamilies" => {
            shared("Task definition read actions", 50.0, 20.0)
        }
        "DeleteTaskDefinitions" => shared("Task definition deletion actions", 5.0, 1.0),
        "CreateCapacityProvider" | "DeleteCapacityProvider" | "UpdateCapacityProvider" => {
            shared("Capacity provider modify actions", 10.0, 1.0)
        }
        "DescribeCapacityProviders" => shared("Capacity provider read actions", 50.0, 20.0),
        "TagResource" | "UntagResource" => shared("Tag modify actions", 20.0, 10.0),
        "ListTagsForResource" => shared("Tag read actions", 50.0, 20.0),
        "DeleteAccountSetting" | "PutAccountSetting" | "PutAccountSettingDefault" => {
            shared("Setting modify actions", 10.0, 1.0)
        }
        "ListAccountSettings" => shared("Setting read actions", 50.0, 20.0),
        "DeleteAttributes"
        | "DeregisterContainerInstance"
        | "ExecuteCommand"
        | "PutAttributes"
        | "RunTask"
        | "StartTask"
        | "StopTask"
        | "UpdateContainerAgent"
        | "UpdateContainerInstancesState" => shared("Cluster resource modify actions", 100.0, 40.0),
        "DescribeContainerInstances"
        | "DescribeTasks"
        | "ListAttributes"
        | "ListContainerInstances"
        | "ListTasks" => shared("Cluster resource read actions", 100.0, 20.0),
        "RegisterContainerInstance"
        | "SubmitAttachmentStateChanges"
        | "SubmitContainerStateChange"
        | "SubmitTaskStateChange" => shared("Agent modify actions", 200.0, 120.0),
        "CreateService" | "DeleteService" | "UpdateService" => {
            shared("Service modify actions", 50.0, 5.0)
        }
        "DescribeServices" | "ListServices" => shared("Service read actions", 100.0, 20.0),
        "DescribeServiceDeployments" | "ListServiceDeployments" => {
            shared("Service deployment actions", 50.0, 20.0)
        }
        "DescribeServiceRevisions" => shared("Service revision actions", 50.0, 20.0),
        "UpdateTaskProtection" | "GetTaskProtection" => {
            shared("Task protection actions", 200.0, 80.0)
        }
        "ListServicesByNamespace" => shared("Cluster service resource read actions", 10.0, 1.0),
        _ => unclassified(op, Limit::new(5.0, 1.0)),
    }
}

fn elbv2(op: &str) -> BucketSpec {
    match op {
        "CreateLoadBalancer" | "SetSubnets" => shared("Resource-intensive", 10.0, 0.2),
        "RegisterTargets" | "DeregisterTargets" => shared("Registration", 20.0, 4.0),
        "DescribeAccountLimits"
        | "DescribeCapacityReservation"
        | "DescribeListenerAttributes"
        | "DescribeListenerCertificates"
        | "DescribeListeners"
        | "DescribeLoadBalancerAttributes"
        | "DescribeLoadBalancers"
        | "DescribeRules"
        | "DescribeSSLPolicies"
        | "DescribeTags"
        | "DescribeTargetGroupAttributes"
        | "DescribeTargetGroups"
        | "DescribeTargetHealth" => shared("Non-mutating", 40.0, 10.0),
        "AddListenerCertificates"
        | "AddTags"
        | "CreateListener"
        | "CreateRule"
        | "CreateTargetGroup"
        | "DeleteListener"
        | "DeleteLoadBalancer"
        | "DeleteRule"
        | "DeleteTargetGroup"
        | "ModifyCapacityReservation"
        | "ModifyIpPools"
        | "ModifyListener"
        | "ModifyListenerAttributes"
        | "ModifyLoadBalancerAttributes"
        | "ModifyRule"
        | "ModifyTargetGroup"
        | "ModifyTargetGroupAttributes"
        | "RemoveListenerCertificates"
        | "RemoveTags"
        | "SetIpAddressType"
        | "SetRulePriorities"
        | "SetSecurityGroups" => shared("Mutating", 20.0, 3.0),
        "CreateTrustStore" => per_action(op, 10.0, 0.2),
        "AddTrustStoreRevocations"
        | "DeleteSharedTrustStoreAssociation"
        | "DeleteTrustStore"
        | "ModifyTrustStore"
        | "RemoveTrustStoreRevocations" => shared("Trust store modify actions", 10.0, 0.2),
        "GetResourcePolicy"
        | "GetTrustStoreCaCertificatesBundle"
        | "GetTrustStoreRevocationContent" => shared("Trust store get actions", 20.0, 4.0),
        "DescribeTrustStoreAssociations"
        | "DescribeTrustStoreRevocations"
        | "DescribeTrustStores" => shared("Trust store describe actions", 40.0, 10.0),
        _ => unclassified(op, Limit::new(10.0, 0.2)),
    }
}

fn logs(op: &str) -> BucketSpec {
    BucketSpec {
        basis: if op == "DescribeLogGroups" {
            Basis::Published
        } else {
            Basis::Conservative
        },
        ..per_action(op, 5.0, 5.0)
    }
}

fn read_or_write(op: &str) -> BucketSpec {
    let spec = if is_read(op) {
        shared("read actions", 20.0, 10.0)
    } else {
        shared("write actions", 10.0, 5.0)
    };
    BucketSpec {
        basis: Basis::Conservative,
        ..spec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(service: &str, op: &str) -> BucketSpec {
        let mut b = buckets(service, op);
        assert_eq!(b.len(), 1, "{service} {op}: {b:?}");
        b.remove(0)
    }

    fn limit(service: &str, op: &str) -> (f64, f64) {
        let b = one(service, op);
        (b.limit.capacity, b.limit.refill_per_sec)
    }

    #[test]
    fn ec2_follows_the_published_categories() {
        use service::EC2;
        assert_eq!(limit(EC2, "DescribeVpcs"), (100.0, 20.0));
        assert_eq!(limit(EC2, "DescribeSecurityGroups"), (50.0, 10.0));
        assert_eq!(limit(EC2, "CreateVpc"), (50.0, 5.0));
        assert_eq!(limit(EC2, "AuthorizeSecurityGroupIngress"), (50.0, 5.0));
        assert_eq!(limit(EC2, "CreateTags"), (100.0, 10.0));
        assert_eq!(limit(EC2, "CreateNatGateway"), (10.0, 1.0));
        assert_eq!(limit(EC2, "RunInstances"), (5.0, 2.0));
        // Per action: two actions of one category do not share a bucket.
        assert_ne!(one(EC2, "CreateVpc").name, one(EC2, "CreateSubnet").name);
        assert_eq!(one(EC2, "CreateVpc").basis, Basis::Published);
    }

    #[test]
    fn ecs_actions_of_a_category_share_its_bucket() {
        use service::ECS;
        assert_eq!(
            one(ECS, "DescribeClusters").name,
            one(ECS, "ListClusters").name
        );
        assert_eq!(limit(ECS, "CreateCluster"), (20.0, 1.0));
        assert_eq!(limit(ECS, "UpdateService"), (50.0, 5.0));
        assert_eq!(limit(ECS, "DescribeServices"), (100.0, 20.0));
        assert_eq!(one(ECS, "SomeFutureAction").basis, Basis::Unclassified);
    }

    #[test]
    fn elbv2_calls_also_take_from_the_account_bucket() {
        let b = buckets(service::ELBV2, "CreateLoadBalancer");
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].limit, Limit::new(10.0, 0.2));
        assert_eq!(b[1].name, "account");
        assert_eq!(b[1].limit, Limit::new(40.0, 10.0));
        let describe = buckets(service::ELBV2, "DescribeTargetGroups");
        assert_eq!(describe[0].name, "Non-mutating");
        assert_eq!(describe[1].name, "account");
    }

    #[test]
    fn unpublished_services_get_conservative_buckets() {
        assert_eq!(one(service::IAM, "GetRole").name, "read actions");
        assert_eq!(one(service::IAM, "CreateRole").name, "write actions");
        assert_eq!(one(service::IAM, "CreateRole").basis, Basis::Conservative);
        assert_eq!(limit(service::IAM, "CreateRole"), (10.0, 5.0));
        assert_eq!(limit(service::TAGGING, "GetResources"), (20.0, 10.0));
        assert_eq!(
            one(service::TAGGING, "GetResources").basis,
            Basis::Conservative
        );
        assert_eq!(
            one(service::AUTO_SCALING, "DescribeAutoScalingGroups").name,
            one(service::AUTO_SCALING, "CreateAutoScalingGroup").name
        );
        assert_eq!(limit(service::LOGS, "DescribeLogGroups"), (5.0, 5.0));
        assert_eq!(
            one(service::LOGS, "DescribeLogGroups").basis,
            Basis::Published
        );
        assert_eq!(
            one(service::LOGS, "CreateLogGroup").basis,
            Basis::Conservative
        );
    }

    #[test]
    fn an_unknown_service_is_unclassified_and_small() {
        let b = one("Glacier", "UploadArchive");
        assert_eq!(b.basis, Basis::Unclassified);
        assert_eq!(b.limit, Limit::new(5.0, 1.0));
    }

    #[test]
    fn route53_actions_share_the_accounts_five_a_second() {
        let change = one(service::ROUTE53, "ChangeResourceRecordSets");
        let list = one(service::ROUTE53, "ListResourceRecordSets");
        assert_eq!(change, list);
        assert_eq!(change.limit, Limit::new(5.0, 5.0));
        assert_eq!(change.basis, Basis::Published);
    }
}
