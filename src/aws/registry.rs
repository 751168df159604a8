//! The registry: every resource type and data source ecsform implements, listed once.
//! Adding a type is one file under `src/aws/resources/` (or `src/aws/data/`) and one row here.

use super::builtin;
use super::generated::Generated;
use super::local;
use super::random;
use super::resources;
use super::tls;
use super::{DataSource, ResourceType};

/// One row of the registry: a resource type and the other names the AWS provider gives it.
pub struct Registered {
    pub resource_type: &'static dyn ResourceType,
    /// Older names of the same type (`aws_alb` for `aws_lb`): the same schema and behaviour.
    /// An address keeps the name its configuration uses, in state, plans and messages, as in
    /// Terraform.
    pub aliases: &'static [&'static str],
}

impl Registered {
    const fn new(resource_type: &'static dyn ResourceType) -> Registered {
        Registered {
            resource_type,
            aliases: &[],
        }
    }

    const fn aliases(self, aliases: &'static [&'static str]) -> Registered {
        Registered { aliases, ..self }
    }

    /// The type's own name, then its aliases.
    fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.resource_type.type_name()).chain(self.aliases.iter().copied())
    }
}

/// Every resource type ecsform implements.
pub static RESOURCE_TYPES: &[Registered] = &[
    Registered::new(&builtin::NullResource),
    Registered::new(&resources::acm_certificate::AcmCertificateType),
    Registered::new(&resources::acm_certificate_validation::AcmCertificateValidationType),
    Registered::new(&resources::appautoscaling_policy::AppautoscalingPolicyType),
    Registered::new(&resources::appautoscaling_scheduled_action::AppautoscalingScheduledActionType),
    Registered::new(&resources::appautoscaling_target::AppautoscalingTargetType),
    Registered::new(&resources::autoscaling_attachment::AutoscalingAttachmentType),
    Registered::new(&resources::autoscaling_group::AutoscalingGroupType),
    Registered::new(&resources::autoscaling_lifecycle_hook::AutoscalingLifecycleHookType),
    Registered::new(&resources::autoscaling_policy::AutoscalingPolicyType),
    Registered::new(&resources::autoscaling_schedule::AutoscalingScheduleType),
    Registered::new(&resources::cloudwatch_event_rule::CloudwatchEventRuleType),
    Registered::new(&resources::cloudwatch_event_target::CloudwatchEventTargetType),
    Registered::new(&resources::cloudwatch_log_group::CloudwatchLogGroupType),
    Registered::new(&resources::cloudwatch_metric_alarm::CloudwatchMetricAlarmType),
    Registered::new(&resources::default_network_acl::DefaultNetworkAclType),
    Registered::new(&resources::default_route_table::DefaultRouteTableType),
    Registered::new(&resources::default_security_group::DefaultSecurityGroupType),
    Registered::new(&resources::default_subnet::DefaultSubnetType),
    Registered::new(&resources::default_vpc::DefaultVpcType),
    Registered::new(&resources::ecr_lifecycle_policy::EcrLifecyclePolicyType),
    Registered::new(&resources::ecr_repository::EcrRepositoryType),
    Registered::new(&resources::ecs_capacity_provider::EcsCapacityProviderType),
    Registered::new(&resources::ecs_cluster::EcsClusterType),
    Registered::new(&resources::ecs_cluster_capacity_providers::EcsClusterCapacityProvidersType),
    Registered::new(&resources::ecs_service::EcsServiceType),
    Registered::new(&resources::ecs_task_definition::EcsTaskDefinitionType),
    Registered::new(&resources::efs_access_point::EfsAccessPointType),
    Registered::new(&resources::efs_file_system::EfsFileSystemType),
    Registered::new(&resources::efs_mount_target::EfsMountTargetType),
    Registered::new(&resources::eip::EipType),
    Registered::new(&resources::flow_log::FlowLogType),
    Registered::new(&resources::iam_access_key::IamAccessKeyType),
    Registered::new(&resources::iam_instance_profile::IamInstanceProfileType),
    Registered::new(&resources::iam_policy::IamPolicyType),
    Registered::new(&resources::iam_policy_attachment::IamPolicyAttachmentType),
    Registered::new(&resources::iam_role::IamRoleType),
    Registered::new(&resources::iam_service_linked_role::IamServiceLinkedRoleType),
    Registered::new(&resources::iam_inline_policy::IAM_ROLE_POLICY),
    Registered::new(&resources::iam_role_policy_attachment::IamRolePolicyAttachmentType),
    Registered::new(&resources::iam_user::IamUserType),
    Registered::new(&resources::iam_inline_policy::IAM_USER_POLICY),
    Registered::new(&resources::instance::InstanceType),
    Registered::new(&resources::internet_gateway::InternetGatewayType),
    Registered::new(&resources::key_pair::KeyPairType),
    Registered::new(&resources::kms_alias::KmsAliasType),
    Registered::new(&resources::kms_key::KmsKeyType),
    Registered::new(&resources::lambda_function::LambdaFunctionType),
    Registered::new(&resources::lambda_permission::LambdaPermissionType),
    Registered::new(&resources::launch_configuration::LaunchConfigurationType),
    Registered::new(&resources::launch_template::LaunchTemplateType),
    Registered::new(&resources::lb::LbType).aliases(&["aws_alb"]),
    Registered::new(&resources::lb_listener::LbListenerType).aliases(&["aws_alb_listener"]),
    Registered::new(&resources::lb_listener_certificate::LbListenerCertificateType)
        .aliases(&["aws_alb_listener_certificate"]),
    Registered::new(&resources::lb_listener_rule::LbListenerRuleType)
        .aliases(&["aws_alb_listener_rule"]),
    Registered::new(&resources::lb_target_group::LbTargetGroupType)
        .aliases(&["aws_alb_target_group"]),
    Registered::new(&resources::lb_target_group_attachment::LbTargetGroupAttachmentType)
        .aliases(&["aws_alb_target_group_attachment"]),
    Registered::new(&resources::main_route_table_association::MainRouteTableAssociationType),
    Registered::new(&resources::nat_gateway::NatGatewayType),
    Registered::new(&resources::network_acl::NetworkAclType),
    Registered::new(&resources::network_acl_rule::NetworkAclRuleType),
    Registered::new(&resources::route::RouteType),
    Registered::new(&resources::route_table::RouteTableType),
    Registered::new(&resources::route_table_association::RouteTableAssociationType),
    Registered::new(&resources::s3_bucket::S3BucketType),
    Registered::new(
        &resources::s3_bucket_lifecycle_configuration::S3BucketLifecycleConfigurationType,
    ),
    Registered::new(&resources::s3_bucket_ownership_controls::S3BucketOwnershipControlsType),
    Registered::new(&resources::s3_bucket_policy::S3BucketPolicyType),
    Registered::new(&resources::s3_bucket_public_access_block::S3BucketPublicAccessBlockType),
    Registered::new(
        &resources::s3_bucket_server_side_encryption_configuration::S3BucketServerSideEncryptionConfigurationType,
    ),
    Registered::new(&resources::s3_bucket_versioning::S3BucketVersioningType),
    Registered::new(&resources::route53_record::Route53RecordType),
    Registered::new(&resources::route53_zone::Route53ZoneType),
    Registered::new(&resources::secretsmanager_secret::SecretsmanagerSecretType),
    Registered::new(&resources::secretsmanager_secret_version::SecretsmanagerSecretVersionType),
    Registered::new(&resources::security_group::SecurityGroupType),
    Registered::new(&resources::security_group_rule::SecurityGroupRuleType),
    Registered::new(
        &resources::service_discovery_private_dns_namespace::ServiceDiscoveryPrivateDnsNamespaceType,
    ),
    Registered::new(&resources::service_discovery_service::ServiceDiscoveryServiceType),
    Registered::new(&resources::sns_topic::SnsTopicType),
    Registered::new(&resources::sns_topic_policy::SnsTopicPolicyType),
    Registered::new(&resources::sns_topic_subscription::SnsTopicSubscriptionType),
    Registered::new(&resources::sqs_queue::SqsQueueType),
    Registered::new(&resources::ssm_parameter::SsmParameterType),
    Registered::new(&resources::subnet::SubnetType),
    Registered::new(&resources::vpc::VpcType),
    Registered::new(&resources::vpc_endpoint::VpcEndpointType),
    Registered::new(&resources::vpc_security_group_egress_rule::VPC_SECURITY_GROUP_EGRESS_RULE),
    Registered::new(&resources::vpc_security_group_ingress_rule::VPC_SECURITY_GROUP_INGRESS_RULE),
    Registered::new(&Generated(random::id::RandomId)),
    Registered::new(&Generated(random::integer::RandomInteger)),
    Registered::new(&Generated(random::pet::RandomPet)),
    Registered::new(&Generated(random::shuffle::RandomShuffle)),
    Registered::new(&Generated(random::string::RandomPassword)),
    Registered::new(&Generated(random::string::RandomString)),
    Registered::new(&Generated(tls::private_key::TlsPrivateKey)),
    Registered::new(&local::file::LocalFile),
    Registered::new(&local::archive::ArchiveFile),
];

/// Every data source ecsform implements.
pub static DATA_SOURCES: &[&dyn DataSource] = &[
    &builtin::TemplateFile,
    &local::file::LocalFileData,
    &local::archive::ArchiveFileData,
    &crate::aws::data::acm_certificate::AcmCertificateData,
    &crate::aws::data::ami::Ami,
    &crate::aws::data::availability_zones::AvailabilityZones,
    &crate::aws::data::caller_identity::CallerIdentity,
    &crate::aws::data::cloudinit_config::CloudinitConfig,
    &crate::aws::data::cloudinit_config::TemplateCloudinitConfig,
    &crate::aws::data::default_tags::DefaultTags,
    &crate::aws::data::ec2_managed_prefix_list::ManagedPrefixListData,
    &crate::aws::data::ecr_repository::EcrRepositoryData,
    &crate::aws::data::ecs_cluster::EcsClusterData,
    &crate::aws::data::ecs_task_definition::EcsTaskDefinitionData,
    &crate::aws::data::elb_service_account::ElbServiceAccount,
    &crate::aws::data::iam_account_alias::IamAccountAlias,
    &crate::aws::data::iam_policy::IamPolicyData,
    &crate::aws::data::iam_policy_document::IamPolicyDocument,
    &crate::aws::data::iam_role::IamRoleData,
    &crate::aws::data::key_pair::KeyPairData,
    &crate::aws::data::kms_alias::KmsAliasData,
    &crate::aws::data::kms_key::KmsKeyData,
    &crate::aws::data::secretsmanager_secret::SecretsmanagerSecretData,
    &crate::aws::data::launch_template::LaunchTemplateData,
    &crate::aws::data::lb::LbData,
    &crate::aws::data::lb_target_group::LbTargetGroupData,
    &crate::aws::data::partition::Partition,
    &crate::aws::data::region::Region,
    &crate::aws::data::route53_zone::Route53ZoneData,
    &crate::aws::data::security_group::SecurityGroupData,
    &crate::aws::data::ssm_parameter::SsmParameter,
    &crate::aws::data::ssm_parameters_by_path::SsmParametersByPath,
    &crate::aws::data::subnet::SubnetData,
    &crate::aws::data::subnets::Subnets,
    &crate::aws::data::terraform_remote_state::TerraformRemoteState,
    &crate::aws::data::vpc::VpcData,
    &crate::aws::data::vpc_endpoint::VpcEndpointData,
];

/// Every name a resource type is known by, aliases included, with the type it names.
pub fn named_resource_types() -> impl Iterator<Item = (&'static str, &'static dyn ResourceType)> {
    RESOURCE_TYPES
        .iter()
        .flat_map(|r| r.names().map(|name| (name, r.resource_type)))
}

/// Names of every supported resource type, aliases included, sorted (for "unsupported type"
/// messages and `providers schema -json`).
pub fn resource_type_names() -> Vec<&'static str> {
    let mut names: Vec<_> = named_resource_types().map(|(name, _)| name).collect();
    names.sort_unstable();
    names
}

/// Older names the AWS provider also gives data sources (alias, data source): the same schema
/// and behaviour, as for resource types' [`Registered::aliases`].
pub static DATA_SOURCE_ALIASES: &[(&str, &str)] = &[
    ("aws_alb", "aws_lb"),
    ("aws_alb_target_group", "aws_lb_target_group"),
];

/// Every name a data source is known by, aliases included, with the data source it names.
pub fn named_data_sources() -> impl Iterator<Item = (&'static str, &'static dyn DataSource)> {
    let own = DATA_SOURCES.iter().map(|d| (d.type_name(), *d));
    let aliases = DATA_SOURCE_ALIASES.iter().filter_map(|(alias, name)| {
        let target = DATA_SOURCES.iter().find(|d| d.type_name() == *name)?;
        Some((*alias, *target))
    });
    own.chain(aliases)
}

/// Names of every supported data source, aliases included, sorted.
pub fn data_source_names() -> Vec<&'static str> {
    let mut names: Vec<_> = named_data_sources().map(|(name, _)| name).collect();
    names.sort_unstable();
    names
}

/// The type a resource type name (or alias: `aws_alb` is `aws_lb`) names.
pub fn resource_type(name: &str) -> Option<&'static dyn ResourceType> {
    named_resource_types()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t)
}

/// The data source a name (or alias: `aws_alb` is `aws_lb`) names.
pub fn data_source(name: &str) -> Option<&'static dyn DataSource> {
    named_data_sources()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{fill_local_from_config, Adoption};
    use crate::lang::Value;
    use crate::provider::attrs;
    use crate::provider::Schema;

    #[test]
    fn every_importable_type_documents_its_import_id() {
        for t in RESOURCE_TYPES.iter().map(|r| r.resource_type) {
            if t.importable() {
                assert_ne!(
                    t.import_id_format(),
                    "the object's id",
                    "{} does not say what its import ID is",
                    t.type_name()
                );
            }
        }
        assert!(!resource_type("null_resource").unwrap().importable());
    }

    /// A declared generated name names two settable string arguments of the type's schema,
    /// and the default `pin_generated` fills the name from the prefix argument, or from the
    /// default prefix when that is unset too, and leaves a configured name alone.
    #[test]
    fn declared_generated_names_are_pinned_from_the_prefix_arguments() {
        let mut pinned = Vec::new();
        for t in RESOURCE_TYPES.iter().map(|r| r.resource_type) {
            let Some(g) = t.declaration().generated_name else {
                continue;
            };
            for arg in std::iter::once(g.name).chain(g.prefix) {
                let a = t
                    .schema()
                    .attribute(arg)
                    .unwrap_or_else(|| panic!("{}: {arg} is not in the schema", t.type_name()));
                assert!(a.settable(), "{}: {arg} is not settable", t.type_name());
            }
            let name_of = |planned: Value| {
                t.pin_generated(planned).as_map().unwrap()[g.name]
                    .as_str()
                    .map(String::from)
            };
            let unset = name_of(Value::map::<&str>([])).unwrap();
            assert_eq!(
                crate::aws::resources::prefix_of_unique_name(&unset),
                Some(g.default_prefix),
                "{}",
                t.type_name()
            );
            if let Some(prefix) = g.prefix {
                let prefixed = name_of(Value::map([(prefix, Value::string("web-"))])).unwrap();
                assert_eq!(
                    crate::aws::resources::prefix_of_unique_name(&prefixed),
                    Some("web-")
                );
            }
            let named = name_of(Value::map([(g.name, Value::string("given"))]));
            assert_eq!(named.as_deref(), Some("given"), "{}", t.type_name());
            pinned.push(t.type_name());
        }
        // Types that generate names another way keep their own pin_generated.
        for t in [
            "aws_iam_role",
            "aws_key_pair",
            "aws_cloudwatch_event_target",
        ] {
            assert!(pinned.contains(&t), "{t}");
        }
        assert!(!pinned.contains(&"aws_sns_topic"));
    }

    /// How each type's objects are found again after an interrupted apply. A new type must be
    /// added here (and to the table in docs/state.md): the decision cannot be left to a default.
    const ADOPTION: &[(&str, &str)] = &[
        ("archive_file", "nothing in AWS"),
        ("aws_acm_certificate", "tags"),
        ("aws_acm_certificate_validation", "nothing in AWS"),
        ("aws_alb", "name + lineage tag"),
        ("aws_alb_listener", "tags"),
        ("aws_alb_listener_certificate", "arguments"),
        ("aws_alb_listener_rule", "tags"),
        ("aws_alb_target_group", "name + lineage tag"),
        ("aws_alb_target_group_attachment", "arguments"),
        ("aws_appautoscaling_policy", "arguments"),
        ("aws_appautoscaling_scheduled_action", "arguments"),
        ("aws_appautoscaling_target", "arguments"),
        ("aws_autoscaling_attachment", "arguments"),
        ("aws_autoscaling_group", "name + lineage tag"),
        ("aws_autoscaling_lifecycle_hook", "arguments"),
        ("aws_autoscaling_policy", "arguments"),
        ("aws_autoscaling_schedule", "arguments"),
        ("aws_cloudwatch_event_rule", "name + lineage tag"),
        ("aws_cloudwatch_event_target", "arguments"),
        ("aws_cloudwatch_log_group", "name + lineage tag"),
        ("aws_cloudwatch_metric_alarm", "name + lineage tag"),
        ("aws_default_network_acl", "arguments"),
        ("aws_default_route_table", "arguments"),
        ("aws_default_security_group", "arguments"),
        ("aws_default_subnet", "arguments"),
        ("aws_default_vpc", "arguments"),
        ("aws_ecr_lifecycle_policy", "arguments"),
        ("aws_ecr_repository", "name + lineage tag"),
        ("aws_ecs_capacity_provider", "name + lineage tag"),
        ("aws_ecs_cluster", "name + lineage tag"),
        ("aws_ecs_cluster_capacity_providers", "arguments"),
        ("aws_ecs_service", "name + lineage tag"),
        ("aws_ecs_task_definition", "tags"),
        ("aws_efs_access_point", "tags"),
        ("aws_efs_file_system", "name + lineage tag"),
        ("aws_efs_mount_target", "arguments"),
        ("aws_eip", "tags"),
        ("aws_flow_log", "tags"),
        ("aws_iam_access_key", "cannot be found"),
        ("aws_iam_instance_profile", "name + lineage tag"),
        ("aws_iam_policy", "name + lineage tag"),
        ("aws_iam_policy_attachment", "arguments"),
        ("aws_iam_role", "name + lineage tag"),
        ("aws_iam_role_policy", "arguments"),
        ("aws_iam_role_policy_attachment", "arguments"),
        ("aws_iam_service_linked_role", "arguments"),
        ("aws_iam_user", "name + lineage tag"),
        ("aws_iam_user_policy", "arguments"),
        ("aws_instance", "tags"),
        ("aws_internet_gateway", "tags"),
        ("aws_key_pair", "name + lineage tag"),
        ("aws_kms_alias", "name"),
        ("aws_kms_key", "tags"),
        ("aws_lambda_function", "name + lineage tag"),
        ("aws_lambda_permission", "arguments"),
        ("aws_launch_configuration", "name"),
        ("aws_launch_template", "tags"),
        ("aws_lb", "name + lineage tag"),
        ("aws_lb_listener", "tags"),
        ("aws_lb_listener_certificate", "arguments"),
        ("aws_lb_listener_rule", "tags"),
        ("aws_lb_target_group", "name + lineage tag"),
        ("aws_lb_target_group_attachment", "arguments"),
        ("aws_main_route_table_association", "arguments"),
        ("aws_nat_gateway", "tags"),
        ("aws_network_acl", "tags"),
        ("aws_network_acl_rule", "arguments"),
        ("aws_route", "arguments"),
        ("aws_route53_record", "arguments"),
        ("aws_route53_zone", "tags"),
        ("aws_route_table", "tags"),
        ("aws_route_table_association", "arguments"),
        ("aws_s3_bucket", "name + lineage tag"),
        ("aws_s3_bucket_lifecycle_configuration", "arguments"),
        ("aws_s3_bucket_ownership_controls", "arguments"),
        ("aws_s3_bucket_policy", "arguments"),
        ("aws_s3_bucket_public_access_block", "arguments"),
        (
            "aws_s3_bucket_server_side_encryption_configuration",
            "arguments",
        ),
        ("aws_s3_bucket_versioning", "arguments"),
        ("aws_secretsmanager_secret", "name + lineage tag"),
        ("aws_secretsmanager_secret_version", "arguments"),
        ("aws_security_group", "tags"),
        ("aws_security_group_rule", "arguments"),
        (
            "aws_service_discovery_private_dns_namespace",
            "name + lineage tag",
        ),
        ("aws_service_discovery_service", "name + lineage tag"),
        ("aws_sns_topic", "name + lineage tag"),
        ("aws_sns_topic_policy", "arguments"),
        ("aws_sns_topic_subscription", "arguments"),
        ("aws_sqs_queue", "name + lineage tag"),
        ("aws_ssm_parameter", "name + lineage tag"),
        ("aws_subnet", "tags"),
        ("aws_vpc", "tags"),
        ("aws_vpc_endpoint", "tags"),
        ("aws_vpc_security_group_egress_rule", "tags"),
        ("aws_vpc_security_group_ingress_rule", "tags"),
        ("local_file", "nothing in AWS"),
        ("null_resource", "nothing in AWS"),
        ("random_id", "nothing in AWS"),
        ("random_integer", "nothing in AWS"),
        ("random_password", "nothing in AWS"),
        ("random_pet", "nothing in AWS"),
        ("random_shuffle", "nothing in AWS"),
        ("random_string", "nothing in AWS"),
        ("tls_private_key", "nothing in AWS"),
    ];

    #[test]
    fn every_type_says_how_its_objects_are_found_again() {
        let mut actual: Vec<(&str, &str)> = named_resource_types()
            .map(|(name, t)| (name, t.adoption().name()))
            .collect();
        actual.sort_unstable();
        assert_eq!(actual, ADOPTION);
        // Only a type with nothing in AWS goes without an intent row.
        for t in RESOURCE_TYPES.iter().map(|r| r.resource_type) {
            assert_eq!(
                t.adoption().wants_intent(),
                t.adoption() != Adoption::NotInAws,
                "{}",
                t.type_name()
            );
        }
    }

    #[test]
    fn the_docs_list_each_types_adoption() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/state.md"),
        )
        .unwrap();
        for (name, t) in named_resource_types() {
            let row = format!("| `{name}` | {} |", t.adoption().describe());
            assert!(doc.contains(&row), "docs/state.md lacks the row\n{row}");
        }
    }

    /// A name the type would make up at creation (from `name_prefix`) is fixed before the
    /// intent row is written, so that the lookup after a crash knows what to look for.
    #[test]
    fn generated_names_are_pinned_before_a_create() {
        for t in RESOURCE_TYPES.iter().map(|r| r.resource_type) {
            let schema = t.schema();
            // Only a prefix the configuration sets (the name of a VPC's default security
            // group is AWS's: its `name_prefix` is computed).
            let settable = |n: &str| schema.attribute(n).is_some_and(|a| a.settable());
            let (name, prefix) = if settable("key_name_prefix") {
                ("key_name", "key_name_prefix")
            } else if settable("name_prefix") {
                ("name", "name_prefix")
            } else {
                continue;
            };
            let planned = Value::Map(
                schema
                    .attributes
                    .iter()
                    .map(|a| (a.name.to_string(), Value::Null))
                    .chain([(prefix.to_string(), Value::string("pin-"))])
                    .collect(),
            );
            let pinned = t.pin_generated(planned);
            let got = pinned.as_map().and_then(|m| m.get(name)?.as_str());
            assert!(
                got.is_some_and(|n| n.starts_with("pin-")),
                "{} does not pin its {name}: {got:?}",
                t.type_name()
            );
            assert!(
                t.adoption() != Adoption::Name || schema.attribute(name).is_some(),
                "{}",
                t.type_name()
            );
        }
    }

    /// The AWS provider's older names are the same types under another name.
    #[test]
    fn aliases_name_the_same_type() {
        for (alias, target) in [
            ("aws_alb", "aws_lb"),
            ("aws_alb_listener", "aws_lb_listener"),
            ("aws_alb_listener_rule", "aws_lb_listener_rule"),
            ("aws_alb_target_group", "aws_lb_target_group"),
            (
                "aws_alb_target_group_attachment",
                "aws_lb_target_group_attachment",
            ),
            (
                "aws_alb_listener_certificate",
                "aws_lb_listener_certificate",
            ),
        ] {
            let t = resource_type(alias).unwrap();
            assert_eq!(t.type_name(), target);
            assert!(std::ptr::eq(
                t.schema(),
                resource_type(target).unwrap().schema()
            ));
            assert!(resource_type_names().contains(&alias));
        }
        for (alias, target) in [
            ("aws_alb", "aws_lb"),
            ("aws_alb_target_group", "aws_lb_target_group"),
        ] {
            let d = data_source(alias).unwrap();
            assert_eq!(d.type_name(), target);
            assert!(std::ptr::eq(
                d.schema(),
                data_source(target).unwrap().schema()
            ));
            assert!(data_source_names().contains(&alias));
        }
        // Every alias names a data source that exists.
        assert_eq!(
            named_data_sources().count(),
            DATA_SOURCES.len() + DATA_SOURCE_ALIASES.len()
        );
    }

    #[test]
    fn imports_take_arguments_aws_does_not_store_from_the_configuration() {
        static SCHEMA: Schema = Schema {
            version: 1,
            attributes: attrs![
                computed String: id;
                optional String: name;
                optional Bool: force_destroy.local() skip_destroy.local();
            ],
            blocks: &[],
        };
        let read = Value::map([
            ("id", Value::string("x")),
            ("name", Value::string("x")),
            ("force_destroy", Value::Bool(false)),
            ("skip_destroy", Value::Bool(false)),
        ]);
        let config = Value::map([
            ("name", Value::string("y")),
            ("force_destroy", Value::Bool(true)),
            ("skip_destroy", Value::Unknown),
        ]);
        let m = fill_local_from_config(&SCHEMA, read, &config);
        let m = m.as_map().unwrap();
        assert_eq!(m["force_destroy"], Value::Bool(true));
        // Unknown in the configuration: what was read stays; AWS's values are never replaced.
        assert_eq!(m["skip_destroy"], Value::Bool(false));
        assert_eq!(m["name"], Value::string("x"));
    }
}
