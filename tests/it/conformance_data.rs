//! Conformance of data sources against moto: each object is made through the API (or by an
//! `ecsform apply`), then found through the data source by each of its lookup arguments, and
//! a lookup that matches nothing, or several, fails with the AWS provider's words.
//! `aws_subnets`, `aws_security_group`, `aws_ec2_managed_prefix_list`, `aws_key_pair`,
//! `aws_launch_template`, `aws_iam_policy` (AWS's managed policies included), `aws_iam_role`,
//! `aws_lb`/`aws_alb`, `aws_lb_target_group`/`aws_alb_target_group`, `aws_ecs_cluster`,
//! `aws_ecs_task_definition`, `aws_elb_service_account`, `aws_ssm_parameters_by_path`,
//! `aws_iam_account_alias`, `aws_vpc_endpoint`, `aws_route53_zone`, `aws_acm_certificate`;
//! through the CLI, data sources read at plan and at apply, and their errors located at the
//! `data` block.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use aws_sdk_ec2::types::{
    AddPrefixListEntry, RequestLaunchTemplateData, ResourceType, Tag, TagSpecification,
};
use ecsform::aws;
use ecsform::aws::AwsClients;
use ecsform::lang::Value;
use support::moto::{exclusive, moto};

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn list(items: Vec<Value>) -> Value {
    Value::List(items)
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::map(pairs.iter().map(|(k, v)| (*k, s(v))))
}

fn filter(name: &str, values: &[&str]) -> Value {
    list(vec![Value::map([
        ("name", s(name)),
        ("values", list(values.iter().map(|v| s(v)).collect())),
    ])])
}

fn attr<'v>(state: &'v Value, name: &str) -> &'v Value {
    &state.as_map().expect("state is an object")[name]
}

fn attr_str<'v>(state: &'v Value, name: &str) -> &'v str {
    attr(state, name)
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string in {state}"))
}

fn strings_of(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) | Value::Set(items) => items
            .iter()
            .map(|i| i.as_str().expect("a string").to_string())
            .collect(),
        other => panic!("not a collection: {other}"),
    }
}

fn ec2_tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

fn tagged(kind: ResourceType, pairs: &[(&str, &str)]) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(pairs.iter().map(|(k, v)| ec2_tag(k, v)).collect()))
        .build()
}

/// Reads data source `name` with `config` (conformed to its schema first).
async fn read(c: &AwsClients, name: &str, config: Value) -> Result<Value, aws::error::ApiError> {
    support::conformance::read_data(c, name, config).await
}

async fn vpc(c: &AwsClients, cidr: &str) -> String {
    c.ec2
        .create_vpc()
        .cidr_block(cidr)
        .send()
        .await
        .expect("CreateVpc")
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("vpc id")
        .to_string()
}

async fn subnet(c: &AwsClients, vpc: &str, cidr: &str, tier: &str) -> String {
    c.ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block(cidr)
        .tag_specifications(tagged(ResourceType::Subnet, &[("Tier", tier)]))
        .send()
        .await
        .expect("CreateSubnet")
        .subnet()
        .and_then(|s| s.subnet_id())
        .expect("subnet id")
        .to_string()
}

#[tokio::test]
async fn aws_subnets_lists_the_matching_ids() {
    let _moto = exclusive();
    let c = clients().await;
    let vpc = vpc(&c, "10.8.0.0/16").await;
    let private = subnet(&c, &vpc, "10.8.0.0/24", "private").await;
    let public = subnet(&c, &vpc, "10.8.1.0/24", "public").await;

    let all = read(
        &c,
        "aws_subnets",
        Value::map([("filter", filter("vpc-id", &[&vpc]))]),
    )
    .await
    .expect("by filter");
    let mut ids = strings_of(attr(&all, "ids"));
    ids.sort();
    let mut want = vec![private.clone(), public.clone()];
    want.sort();
    assert_eq!(ids, want);
    assert_eq!(attr_str(&all, "id"), support::moto::REGION);

    let by_tag = read(
        &c,
        "aws_subnets",
        Value::map([
            ("filter", filter("vpc-id", &[&vpc])),
            ("tags", tags(&[("Tier", "public")])),
        ]),
    )
    .await
    .expect("by tag");
    assert_eq!(strings_of(attr(&by_tag, "ids")), [public]);
    assert_eq!(attr(&by_tag, "tags"), &tags(&[("Tier", "public")]));

    // No match is an empty list, not an error (as in the AWS provider).
    let none = read(
        &c,
        "aws_subnets",
        Value::map([("tags", tags(&[("Tier", "nowhere")]))]),
    )
    .await
    .expect("no match");
    assert!(strings_of(attr(&none, "ids")).is_empty());
}

#[tokio::test]
async fn aws_security_group_finds_exactly_one() {
    let _moto = exclusive();
    let c = clients().await;
    let vpc = vpc(&c, "10.9.0.0/16").await;
    let mut groups = Vec::new();
    for (name, role) in [("web", "front"), ("db", "back"), ("cache", "back")] {
        let id = c
            .ec2
            .create_security_group()
            .group_name(name)
            .description(format!("{name} servers"))
            .vpc_id(&vpc)
            .tag_specifications(tagged(ResourceType::SecurityGroup, &[("Role", role)]))
            .send()
            .await
            .expect("CreateSecurityGroup")
            .group_id()
            .expect("group id")
            .to_string();
        groups.push(id);
    }

    let by_id = read(
        &c,
        "aws_security_group",
        Value::map([("id", s(&groups[0]))]),
    )
    .await
    .expect("by id");
    assert_eq!(attr_str(&by_id, "name"), "web");
    assert_eq!(attr_str(&by_id, "vpc_id"), vpc);
    assert_eq!(attr_str(&by_id, "description"), "web servers");
    assert_eq!(attr(&by_id, "tags"), &tags(&[("Role", "front")]));
    assert!(attr_str(&by_id, "arn").ends_with(&format!(":security-group/{}", groups[0])));

    let by_name = read(
        &c,
        "aws_security_group",
        Value::map([("name", s("db")), ("vpc_id", s(&vpc))]),
    )
    .await
    .expect("by name");
    assert_eq!(attr_str(&by_name, "id"), groups[1]);

    let by_filter = read(
        &c,
        "aws_security_group",
        Value::map([
            ("tags", tags(&[("Role", "back")])),
            ("filter", filter("group-name", &["cache"])),
        ]),
    )
    .await
    .expect("by tag and filter");
    assert_eq!(attr_str(&by_filter, "id"), groups[2]);

    let several = read(
        &c,
        "aws_security_group",
        Value::map([("tags", tags(&[("Role", "back")]))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        several.message,
        "multiple EC2 Security Groups matched; use additional constraints to reduce matches to a single EC2 Security Group"
    );
    let none = read(
        &c,
        "aws_security_group",
        Value::map([("name", s("nosuch")), ("vpc_id", s(&vpc))]),
    )
    .await
    .unwrap_err();
    assert_eq!(none.message, "no matching EC2 Security Group found");
    // An id AWS does not know is no match either, not AWS's own error.
    let gone = read(
        &c,
        "aws_security_group",
        Value::map([("id", s("sg-0123456789abcdef0"))]),
    )
    .await
    .unwrap_err();
    assert_eq!(gone.message, "no matching EC2 Security Group found");
}

#[tokio::test]
async fn aws_ec2_managed_prefix_list_finds_one_with_its_entries() {
    let _moto = exclusive();
    let c = clients().await;
    let mut lists = Vec::new();
    for (name, cidrs) in [
        ("office", &["192.0.2.0/24", "198.51.100.0/24"][..]),
        ("vpn", &["203.0.113.0/24"][..]),
    ] {
        let id = c
            .ec2
            .create_managed_prefix_list()
            .prefix_list_name(name)
            .address_family("IPv4")
            .max_entries(5)
            .set_entries(Some(
                cidrs
                    .iter()
                    .map(|cidr| {
                        AddPrefixListEntry::builder()
                            .cidr(*cidr)
                            .description(format!("{name} {cidr}"))
                            .build()
                    })
                    .collect(),
            ))
            .tag_specifications(tagged(ResourceType::PrefixList, &[("Team", "net")]))
            .send()
            .await
            .expect("CreateManagedPrefixList")
            .prefix_list()
            .and_then(|l| l.prefix_list_id())
            .expect("prefix list id")
            .to_string();
        lists.push(id);
    }

    let by_name = read(
        &c,
        "aws_ec2_managed_prefix_list",
        Value::map([("name", s("office"))]),
    )
    .await
    .expect("by name");
    assert_eq!(attr_str(&by_name, "id"), lists[0]);
    assert_eq!(attr_str(&by_name, "address_family"), "IPv4");
    assert_eq!(attr(&by_name, "max_entries"), &Value::number(5));
    assert_eq!(attr(&by_name, "tags"), &tags(&[("Team", "net")]));
    assert_eq!(
        attr(&by_name, "entries"),
        &Value::set(vec![
            Value::map([
                ("cidr", s("192.0.2.0/24")),
                ("description", s("office 192.0.2.0/24")),
            ]),
            Value::map([
                ("cidr", s("198.51.100.0/24")),
                ("description", s("office 198.51.100.0/24")),
            ]),
        ])
    );

    let by_id = read(
        &c,
        "aws_ec2_managed_prefix_list",
        Value::map([("id", s(&lists[1]))]),
    )
    .await
    .expect("by id");
    assert_eq!(attr_str(&by_id, "name"), "vpn");

    let several = read(
        &c,
        "aws_ec2_managed_prefix_list",
        Value::map([("filter", filter("tag:Team", &["net"]))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        several.message,
        "multiple EC2 Managed Prefix Lists matched; use additional constraints to reduce matches to a single EC2 Managed Prefix List"
    );
    let none = read(
        &c,
        "aws_ec2_managed_prefix_list",
        Value::map([("name", s("nosuch"))]),
    )
    .await
    .unwrap_err();
    assert_eq!(none.message, "no matching EC2 Managed Prefix List found");
}

const PUBLIC_KEY: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC4S4JP4PC139CQfybKDkYiZUZkVxGMNXAN9k0cdPOR2a5hvg+XPP5IuopOXTbMt+27HFjBjPRZ12+z4DLtMc4FdgfB8Nx7XycF8BYogIDn2/N7GP/LyCydgVtXmp7kJ8Fn4wf+3D6F+YFXIoVpkR7FCMh2JZ0lXzfhvV/80CmM1676/ElZKtyB3Fn2R5umEmvznlGQ7ZDe9TwD50hElDCerVO29YNJqDWR4962GvdW3aXJS0rVdwMw15gdAaESKcotO+tIv3dYOr8a8P4Az/bCVUi8VuEDlrFHbIw/LA6tR4soQ3xSC43XZe8KjHekiC5HtUrWVCgyqIvFRlOscRRB";

#[tokio::test]
async fn aws_key_pair_finds_exactly_one() {
    let _moto = exclusive();
    let c = clients().await;
    let mut ids = Vec::new();
    for name in ["deploy", "ops"] {
        let out = c
            .ec2
            .import_key_pair()
            .key_name(name)
            .public_key_material(aws_smithy_types::Blob::new(PUBLIC_KEY))
            .tag_specifications(tagged(ResourceType::KeyPair, &[("Owner", name)]))
            .send()
            .await
            .expect("ImportKeyPair");
        ids.push(out.key_pair_id().expect("key pair id").to_string());
    }

    let by_name = read(&c, "aws_key_pair", Value::map([("key_name", s("deploy"))]))
        .await
        .expect("by name");
    assert_eq!(attr_str(&by_name, "id"), ids[0]);
    assert_eq!(attr_str(&by_name, "key_pair_id"), ids[0]);
    assert_eq!(attr(&by_name, "public_key"), &Value::Null);
    assert!(!attr_str(&by_name, "fingerprint").is_empty());
    assert!(attr_str(&by_name, "arn").ends_with(":key-pair/deploy"));
    assert!(attr_str(&by_name, "create_time").ends_with('Z'));
    assert_eq!(attr(&by_name, "tags"), &tags(&[("Owner", "deploy")]));

    let by_id = read(
        &c,
        "aws_key_pair",
        Value::map([
            ("key_pair_id", s(&ids[1])),
            ("include_public_key", Value::Bool(true)),
        ]),
    )
    .await
    .expect("by id");
    assert_eq!(attr_str(&by_id, "key_name"), "ops");
    assert_eq!(attr_str(&by_id, "public_key"), PUBLIC_KEY);

    let several = read(
        &c,
        "aws_key_pair",
        Value::map([("filter", filter("key-name", &["deploy", "ops"]))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        several.message,
        "multiple EC2 Key Pairs matched; use additional constraints to reduce matches to a single EC2 Key Pair"
    );
    // AWS answers a name it does not know with InvalidKeyPair.NotFound: no match.
    let none = read(&c, "aws_key_pair", Value::map([("key_name", s("nosuch"))]))
        .await
        .unwrap_err();
    assert_eq!(none.message, "no matching EC2 Key Pair found");
}

#[tokio::test]
async fn aws_launch_template_reads_the_latest_version() {
    let _moto = exclusive();
    let c = clients().await;
    let image = c
        .ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .unwrap()
        .images()[0]
        .image_id()
        .unwrap()
        .to_string();
    let mut ids = Vec::new();
    for name in ["workers", "bastion"] {
        let id = c
            .ec2
            .create_launch_template()
            .launch_template_name(name)
            .launch_template_data(
                RequestLaunchTemplateData::builder()
                    .image_id(&image)
                    .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
                    .build(),
            )
            .tag_specifications(tagged(ResourceType::LaunchTemplate, &[("Stack", "ecs")]))
            .send()
            .await
            .expect("CreateLaunchTemplate")
            .launch_template()
            .and_then(|t| t.launch_template_id())
            .expect("template id")
            .to_string();
        ids.push(id);
    }
    c.ec2
        .create_launch_template_version()
        .launch_template_id(&ids[0])
        .launch_template_data(
            RequestLaunchTemplateData::builder()
                .image_id(&image)
                .instance_type(aws_sdk_ec2::types::InstanceType::T3Small)
                .key_name("deploy")
                .build(),
        )
        .send()
        .await
        .expect("CreateLaunchTemplateVersion");

    let by_name = read(
        &c,
        "aws_launch_template",
        Value::map([("name", s("workers"))]),
    )
    .await
    .expect("by name");
    assert_eq!(attr_str(&by_name, "id"), ids[0]);
    assert_eq!(attr(&by_name, "latest_version"), &Value::number(2));
    assert_eq!(attr(&by_name, "default_version"), &Value::number(1));
    assert_eq!(attr_str(&by_name, "instance_type"), "t3.small");
    assert_eq!(attr_str(&by_name, "key_name"), "deploy");
    assert_eq!(attr_str(&by_name, "image_id"), image);
    assert_eq!(attr(&by_name, "tags"), &tags(&[("Stack", "ecs")]));
    assert!(attr_str(&by_name, "arn").ends_with(&format!(":launch-template/{}", ids[0])));

    let by_id = read(&c, "aws_launch_template", Value::map([("id", s(&ids[1]))]))
        .await
        .expect("by id");
    assert_eq!(attr_str(&by_id, "name"), "bastion");
    assert_eq!(attr_str(&by_id, "instance_type"), "t3.micro");

    let several = read(
        &c,
        "aws_launch_template",
        Value::map([("tags", tags(&[("Stack", "ecs")]))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        several.message,
        "multiple EC2 Launch Templates matched; use additional constraints to reduce matches to a single EC2 Launch Template"
    );
    let none = read(
        &c,
        "aws_launch_template",
        Value::map([("name", s("nosuch"))]),
    )
    .await
    .unwrap_err();
    assert_eq!(none.message, "no matching EC2 Launch Template found");
}

fn cli(root: &std::path::Path, command: &str, extra: &[&str]) -> support::Output {
    let out =
        tokio::task::block_in_place(|| support::run_in_env(root, command, extra, &moto().env()));
    eprintln!(
        "--- ecsform {command} {extra:?} -> {}\n{}\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

const PROVIDER: &str = r#"
provider "aws" {
  region = "eu-west-1"
}
"#;

/// Data sources through the CLI: read at apply from objects the same apply creates (their
/// arguments unknown at plan), their results flowing into outputs; then a lookup that
/// matches nothing fails the plan with the provider's words at the `data` block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_sources_read_what_an_apply_creates_and_locate_their_errors() {
    let _moto = exclusive();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("main.tf"),
        format!(
            r#"{PROVIDER}
resource "aws_vpc" "main" {{
  cidr_block = "10.20.0.0/16"
}}

resource "aws_subnet" "private" {{
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet("10.20.0.0/16", 8, count.index)
  tags       = {{ Tier = "private" }}
}}

resource "aws_security_group" "web" {{
  name   = "web"
  vpc_id = aws_vpc.main.id
}}

data "aws_subnets" "private" {{
  filter {{
    name   = "vpc-id"
    values = [aws_vpc.main.id]
  }}
  tags = {{ Tier = "private" }}
  depends_on = [aws_subnet.private]
}}

data "aws_security_group" "web" {{
  name   = "web"
  vpc_id = aws_vpc.main.id
  depends_on = [aws_security_group.web]
}}

output "subnet_count" {{
  value = length(data.aws_subnets.private.ids)
}}

output "group_matches" {{
  value = data.aws_security_group.web.id == aws_security_group.web.id
}}
"#
        ),
    )
    .unwrap();
    let out = cli(root, "apply", &["-auto-approve"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("subnet_count = 2"), "{}", out.stdout);
    assert!(
        out.stdout.contains("group_matches = true"),
        "{}",
        out.stdout
    );

    std::fs::write(
        root.join("lookup.tf"),
        r#"data "aws_security_group" "missing" {
  name = "nosuch"
}
"#,
    )
    .unwrap();
    let out = cli(root, "plan", &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("Error reading data source data.aws_security_group.missing"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("no matching EC2 Security Group found"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("lookup.tf:1:"), "{}", out.stderr);
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const READ_LOGS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:GetLogEvents","Resource":"*"}]}"#;

#[tokio::test]
async fn aws_iam_policy_finds_the_account_s_and_aws_s_policies() {
    let _moto = exclusive();
    let c = clients().await;
    let mut arns = Vec::new();
    for name in ["read-logs", "read-more-logs"] {
        let arn = c
            .iam
            .create_policy()
            .policy_name(name)
            .path("/app/")
            .description("reads logs")
            .policy_document(READ_LOGS)
            .tags(
                aws_sdk_iam::types::Tag::builder()
                    .key("Team")
                    .value("ops")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("CreatePolicy")
            .policy()
            .and_then(|p| p.arn())
            .expect("policy arn")
            .to_string();
        arns.push(arn);
    }

    let by_arn = read(&c, "aws_iam_policy", Value::map([("arn", s(&arns[0]))]))
        .await
        .expect("by arn");
    assert_eq!(attr_str(&by_arn, "id"), arns[0]);
    assert_eq!(attr_str(&by_arn, "name"), "read-logs");
    assert_eq!(attr_str(&by_arn, "path"), "/app/");
    assert_eq!(attr_str(&by_arn, "description"), "reads logs");
    assert_eq!(attr(&by_arn, "tags"), &tags(&[("Team", "ops")]));
    let policy: serde_json::Value = serde_json::from_str(attr_str(&by_arn, "policy")).unwrap();
    assert_eq!(policy["Statement"][0]["Action"], "logs:GetLogEvents");

    let by_name = read(
        &c,
        "aws_iam_policy",
        Value::map([("name", s("read-more-logs")), ("path_prefix", s("/app/"))]),
    )
    .await
    .expect("by name");
    assert_eq!(attr_str(&by_name, "arn"), arns[1]);
    assert_eq!(attr_str(&by_name, "path_prefix"), "/app/");

    // AWS's own managed policies (moto serves them with MOTO_IAM_LOAD_MANAGED_POLICIES).
    let managed = read(
        &c,
        "aws_iam_policy",
        Value::map([("name", s("AmazonECSTaskExecutionRolePolicy"))]),
    )
    .await
    .expect("AWS managed policy");
    assert_eq!(
        attr_str(&managed, "arn"),
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    );
    assert!(attr_str(&managed, "policy").contains("ecr:GetAuthorizationToken"));

    let several = read(
        &c,
        "aws_iam_policy",
        Value::map([("path_prefix", s("/app/"))]),
    )
    .await
    .unwrap_err();
    // The provider's words, its plural included.
    assert_eq!(
        several.message,
        "multiple IAM Policys matched; use additional constraints to reduce matches to a single IAM Policy"
    );
    let none = read(&c, "aws_iam_policy", Value::map([("name", s("nosuch"))]))
        .await
        .unwrap_err();
    assert_eq!(none.message, "no matching IAM Policy found");
    let gone = "arn:aws:iam::123456789012:policy/gone";
    let e = read(&c, "aws_iam_policy", Value::map([("arn", s(gone))]))
        .await
        .unwrap_err();
    assert_eq!(
        e.message,
        format!("reading IAM Policy ({gone}): couldn't find resource")
    );
}

#[tokio::test]
async fn aws_iam_role_reads_one_role() {
    let _moto = exclusive();
    let c = clients().await;
    c.iam
        .create_role()
        .role_name("tasks")
        .path("/ecs/")
        .description("ECS tasks")
        .max_session_duration(7200)
        .assume_role_policy_document(TRUST)
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("Team")
                .value("ops")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("CreateRole");

    let role = read(&c, "aws_iam_role", Value::map([("name", s("tasks"))]))
        .await
        .expect("role");
    assert_eq!(attr_str(&role, "id"), "tasks");
    assert!(attr_str(&role, "arn").ends_with(":role/ecs/tasks"));
    assert_eq!(attr_str(&role, "path"), "/ecs/");
    assert_eq!(attr_str(&role, "description"), "ECS tasks");
    assert_eq!(attr(&role, "max_session_duration"), &Value::number(7200));
    assert_eq!(attr(&role, "tags"), &tags(&[("Team", "ops")]));
    assert!(!attr_str(&role, "unique_id").is_empty());
    assert!(!attr_str(&role, "create_date").is_empty());
    let trust: serde_json::Value =
        serde_json::from_str(attr_str(&role, "assume_role_policy")).unwrap();
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "ecs-tasks.amazonaws.com"
    );

    let e = read(&c, "aws_iam_role", Value::map([("name", s("nosuch"))]))
        .await
        .unwrap_err();
    assert_eq!(
        e.message,
        "reading IAM Role (nosuch): couldn't find resource"
    );
}

fn elb_tag(key: &str, value: &str) -> aws_sdk_elasticloadbalancingv2::types::Tag {
    aws_sdk_elasticloadbalancingv2::types::Tag::builder()
        .key(key)
        .value(value)
        .build()
}

#[tokio::test]
async fn aws_lb_and_aws_lb_target_group_find_exactly_one() {
    let _moto = exclusive();
    let c = clients().await;
    let vpc = vpc(&c, "10.10.0.0/16").await;
    let mut subnets = Vec::new();
    for (i, zone) in ["eu-west-1a", "eu-west-1b"].iter().enumerate() {
        let id = c
            .ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(format!("10.10.{i}.0/24"))
            .availability_zone(*zone)
            .send()
            .await
            .expect("CreateSubnet")
            .subnet()
            .and_then(|s| s.subnet_id())
            .expect("subnet id")
            .to_string();
        subnets.push(id);
    }
    let mut lbs = Vec::new();
    let mut groups = Vec::new();
    for name in ["web", "api"] {
        let lb = c
            .elbv2
            .create_load_balancer()
            .name(name)
            .set_subnets(Some(subnets.clone()))
            .tags(elb_tag("Stack", "ecs"))
            .tags(elb_tag("Name", name))
            .send()
            .await
            .expect("CreateLoadBalancer")
            .load_balancers()[0]
            .load_balancer_arn()
            .expect("lb arn")
            .to_string();
        lbs.push(lb);
        let tg = c
            .elbv2
            .create_target_group()
            .name(name)
            .port(8080)
            .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
            .vpc_id(&vpc)
            .health_check_path("/health")
            .tags(elb_tag("Stack", "ecs"))
            .tags(elb_tag("Name", name))
            .send()
            .await
            .expect("CreateTargetGroup")
            .target_groups()[0]
            .target_group_arn()
            .expect("tg arn")
            .to_string();
        groups.push(tg);
    }
    c.elbv2
        .create_listener()
        .load_balancer_arn(&lbs[0])
        .port(80)
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .default_actions(
            aws_sdk_elasticloadbalancingv2::types::Action::builder()
                .r#type(aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::Forward)
                .target_group_arn(&groups[0])
                .build(),
        )
        .send()
        .await
        .expect("CreateListener");

    let by_name = read(&c, "aws_lb", Value::map([("name", s("web"))]))
        .await
        .expect("by name");
    assert_eq!(attr_str(&by_name, "arn"), lbs[0]);
    assert_eq!(attr_str(&by_name, "id"), lbs[0]);
    assert_eq!(attr_str(&by_name, "vpc_id"), vpc);
    assert_eq!(attr_str(&by_name, "load_balancer_type"), "application");
    assert_eq!(attr(&by_name, "internal"), &Value::Bool(false));
    assert!(!attr_str(&by_name, "dns_name").is_empty());
    assert!(attr_str(&by_name, "arn_suffix").starts_with("app/web/"));
    assert_eq!(
        attr(&by_name, "tags"),
        &tags(&[("Name", "web"), ("Stack", "ecs")])
    );
    let mut have = strings_of(attr(&by_name, "subnets"));
    have.sort();
    let mut want = subnets.clone();
    want.sort();
    assert_eq!(have, want);

    // The provider's older name is the same data source.
    let alb = read(
        &c,
        "aws_alb",
        Value::map([("tags", tags(&[("Name", "api")]))]),
    )
    .await
    .expect("aws_alb by tags");
    assert_eq!(attr_str(&alb, "arn"), lbs[1]);
    let by_arn = read(&c, "aws_lb", Value::map([("arn", s(&lbs[1]))]))
        .await
        .expect("by arn");
    assert_eq!(attr_str(&by_arn, "name"), "api");

    let several = read(
        &c,
        "aws_lb",
        Value::map([("tags", tags(&[("Stack", "ecs")]))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        several.message,
        "Search returned 2 results, please revise so only one is returned"
    );
    let none = read(&c, "aws_lb", Value::map([("name", s("nosuch"))]))
        .await
        .unwrap_err();
    assert_eq!(
        none.message,
        "Search returned 0 results, please revise so only one is returned"
    );

    let tg = read(&c, "aws_lb_target_group", Value::map([("name", s("web"))]))
        .await
        .expect("target group by name");
    assert_eq!(attr_str(&tg, "arn"), groups[0]);
    assert_eq!(attr(&tg, "port"), &Value::number(8080));
    assert_eq!(attr_str(&tg, "protocol"), "HTTP");
    assert_eq!(attr_str(&tg, "vpc_id"), vpc);
    assert_eq!(attr_str(&tg, "target_type"), "instance");
    assert_eq!(
        strings_of(attr(&tg, "load_balancer_arns")),
        [lbs[0].clone()]
    );
    let check = match attr(&tg, "health_check") {
        Value::List(items) => items[0].clone(),
        other => panic!("health_check: {other}"),
    };
    assert_eq!(attr_str(&check, "path"), "/health");
    let alb_tg = read(
        &c,
        "aws_alb_target_group",
        Value::map([("arn", s(&groups[1]))]),
    )
    .await
    .expect("aws_alb_target_group by arn");
    assert_eq!(attr_str(&alb_tg, "name"), "api");
    assert!(strings_of(attr(&alb_tg, "load_balancer_arns")).is_empty());
    let several = read(
        &c,
        "aws_lb_target_group",
        Value::map([("tags", tags(&[("Stack", "ecs")]))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        several.message,
        "Search returned 2 results, please revise so only one is returned"
    );
}

#[tokio::test]
async fn aws_ecs_cluster_and_task_definition_read_one() {
    let _moto = exclusive();
    let c = clients().await;
    let cluster = c
        .ecs
        .create_cluster()
        .cluster_name("main")
        .settings(
            aws_sdk_ecs::types::ClusterSetting::builder()
                .name(aws_sdk_ecs::types::ClusterSettingName::ContainerInsights)
                .value("enabled")
                .build(),
        )
        .tags(
            aws_sdk_ecs::types::Tag::builder()
                .key("Team")
                .value("ops")
                .build(),
        )
        .send()
        .await
        .expect("CreateCluster")
        .cluster()
        .and_then(|c| c.cluster_arn())
        .expect("cluster arn")
        .to_string();

    let found = read(
        &c,
        "aws_ecs_cluster",
        Value::map([("cluster_name", s("main"))]),
    )
    .await
    .expect("cluster");
    assert_eq!(attr_str(&found, "arn"), cluster);
    assert_eq!(attr_str(&found, "id"), cluster);
    assert_eq!(attr_str(&found, "status"), "ACTIVE");
    assert_eq!(attr(&found, "running_tasks_count"), &Value::number(0));
    assert_eq!(attr(&found, "tags"), &tags(&[("Team", "ops")]));
    assert_eq!(
        attr(&found, "setting"),
        &Value::set(vec![Value::map([
            ("name", s("containerInsights")),
            ("value", s("enabled")),
        ])])
    );
    let e = read(
        &c,
        "aws_ecs_cluster",
        Value::map([("cluster_name", s("nosuch"))]),
    )
    .await
    .unwrap_err();
    assert_eq!(e.message, "reading ECS Cluster (nosuch): empty result");

    let containers = |image: &str| {
        aws_sdk_ecs::types::ContainerDefinition::builder()
            .name("web")
            .image(image)
            .memory(256)
            .essential(true)
            .build()
    };
    let mut arns = Vec::new();
    for image in ["nginx:1.25", "nginx:1.27"] {
        let arn = c
            .ecs
            .register_task_definition()
            .family("web")
            .network_mode(aws_sdk_ecs::types::NetworkMode::Bridge)
            .container_definitions(containers(image))
            .send()
            .await
            .expect("RegisterTaskDefinition")
            .task_definition()
            .and_then(|t| t.task_definition_arn())
            .expect("task definition arn")
            .to_string();
        arns.push(arn);
    }

    let latest = read(
        &c,
        "aws_ecs_task_definition",
        Value::map([("task_definition", s("web"))]),
    )
    .await
    .expect("latest revision");
    assert_eq!(attr_str(&latest, "arn"), arns[1]);
    assert_eq!(attr(&latest, "revision"), &Value::number(2));
    assert_eq!(attr_str(&latest, "family"), "web");
    assert_eq!(attr_str(&latest, "network_mode"), "bridge");
    assert_eq!(attr_str(&latest, "status"), "ACTIVE");
    assert_eq!(attr_str(&latest, "task_definition"), "web");
    assert!(attr_str(&latest, "arn_without_revision").ends_with(":task-definition/web"));
    let defs: serde_json::Value =
        serde_json::from_str(attr_str(&latest, "container_definitions")).unwrap();
    assert_eq!(defs[0]["image"], "nginx:1.27");

    let first = read(
        &c,
        "aws_ecs_task_definition",
        Value::map([("task_definition", s("web:1"))]),
    )
    .await
    .expect("revision 1");
    assert_eq!(attr_str(&first, "arn"), arns[0]);
    let by_arn = read(
        &c,
        "aws_ecs_task_definition",
        Value::map([("task_definition", s(&arns[0]))]),
    )
    .await
    .expect("by arn");
    assert_eq!(attr(&by_arn, "revision"), &Value::number(1));
    let e = read(
        &c,
        "aws_ecs_task_definition",
        Value::map([("task_definition", s("nosuch"))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.message,
        "reading ECS Task Definition (nosuch): couldn't find resource"
    );
}

#[tokio::test]
async fn aws_elb_service_account_is_the_region_s() {
    let c = clients().await;
    let here = read(&c, "aws_elb_service_account", Value::map::<&str>([]))
        .await
        .expect("the provider's region");
    assert_eq!(attr_str(&here, "id"), "156460612806");
    assert_eq!(attr_str(&here, "arn"), "arn:aws:iam::156460612806:root");
    assert_eq!(attr_str(&here, "region"), support::moto::REGION);
    let there = read(
        &c,
        "aws_elb_service_account",
        Value::map([("region", s("us-east-1"))]),
    )
    .await
    .expect("another region");
    assert_eq!(attr_str(&there, "id"), "127311923021");
    let e = read(
        &c,
        "aws_elb_service_account",
        Value::map([("region", s("eu-south-2"))]),
    )
    .await
    .unwrap_err();
    assert_eq!(e.message, "unsupported AWS Region: eu-south-2");
}

#[tokio::test]
async fn aws_ssm_parameters_by_path_lists_one_level_or_all() {
    let _moto = exclusive();
    let c = clients().await;
    for (name, kind, value) in [
        (
            "/app/db",
            aws_sdk_ssm::types::ParameterType::SecureString,
            "s3cret",
        ),
        (
            "/app/host",
            aws_sdk_ssm::types::ParameterType::String,
            "db.internal",
        ),
        (
            "/app/nested/port",
            aws_sdk_ssm::types::ParameterType::String,
            "5432",
        ),
        ("/other/x", aws_sdk_ssm::types::ParameterType::String, "x"),
    ] {
        c.ssm
            .put_parameter()
            .name(name)
            .r#type(kind)
            .value(value)
            .send()
            .await
            .expect("PutParameter");
    }
    // (name, type, value) triples, which the four lists give in one order.
    let triples = |state: &Value| {
        let names = strings_of(attr(state, "names"));
        let types = strings_of(attr(state, "types"));
        let values = strings_of(&attr(state, "values").clone().unmark().0);
        assert_eq!(strings_of(attr(state, "arns")).len(), names.len());
        let mut all: Vec<(String, String, String)> = names
            .into_iter()
            .zip(types)
            .zip(values)
            .map(|((n, t), v)| (n, t, v))
            .collect();
        all.sort();
        all
    };
    let one_level = read(
        &c,
        "aws_ssm_parameters_by_path",
        Value::map([("path", s("/app"))]),
    )
    .await
    .expect("one level");
    assert_eq!(attr_str(&one_level, "id"), "/app");
    assert!(attr(&one_level, "values").contains_sensitive());
    let t = |n: &str, k: &str, v: &str| (n.to_string(), k.to_string(), v.to_string());
    assert_eq!(
        triples(&one_level),
        [
            t("/app/db", "SecureString", "s3cret"),
            t("/app/host", "String", "db.internal")
        ]
    );
    let all = read(
        &c,
        "aws_ssm_parameters_by_path",
        Value::map([("path", s("/app")), ("recursive", Value::Bool(true))]),
    )
    .await
    .expect("recursive");
    assert_eq!(
        triples(&all)
            .into_iter()
            .map(|(n, _, _)| n)
            .collect::<Vec<_>>(),
        ["/app/db", "/app/host", "/app/nested/port"]
    );
    let none = read(
        &c,
        "aws_ssm_parameters_by_path",
        Value::map([("path", s("/nothing"))]),
    )
    .await
    .expect("an empty path");
    assert!(strings_of(attr(&none, "names")).is_empty());
}

#[tokio::test]
async fn aws_iam_account_alias_reads_the_alias() {
    let _moto = exclusive();
    let c = clients().await;
    let e = read(&c, "aws_iam_account_alias", Value::map::<&str>([]))
        .await
        .unwrap_err();
    assert_eq!(e.message, "reading IAM Account Alias: empty result");
    c.iam
        .create_account_alias()
        .account_alias("example-org")
        .send()
        .await
        .expect("CreateAccountAlias");
    let alias = read(&c, "aws_iam_account_alias", Value::map::<&str>([]))
        .await
        .expect("the alias");
    assert_eq!(attr_str(&alias, "account_alias"), "example-org");
    assert_eq!(attr_str(&alias, "id"), "example-org");
}

#[tokio::test]
async fn aws_vpc_endpoint_finds_exactly_one() {
    let _moto = exclusive();
    let c = clients().await;
    let vpc = vpc(&c, "10.11.0.0/16").await;
    let table = c
        .ec2
        .create_route_table()
        .vpc_id(&vpc)
        .send()
        .await
        .expect("CreateRouteTable")
        .route_table()
        .and_then(|t| t.route_table_id())
        .expect("route table id")
        .to_string();
    let s3 = format!("com.amazonaws.{}.s3", support::moto::REGION);
    let mut endpoints = Vec::new();
    for (service, name) in [
        (s3.as_str(), "s3"),
        ("com.amazonaws.eu-west-1.dynamodb", "ddb"),
    ] {
        let id = c
            .ec2
            .create_vpc_endpoint()
            .vpc_id(&vpc)
            .service_name(service)
            .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Gateway)
            .route_table_ids(&table)
            .tag_specifications(tagged(
                ResourceType::VpcEndpoint,
                &[("Name", name), ("Stack", "ecs")],
            ))
            .send()
            .await
            .expect("CreateVpcEndpoint")
            .vpc_endpoint()
            .and_then(|e| e.vpc_endpoint_id())
            .expect("endpoint id")
            .to_string();
        endpoints.push(id);
    }

    let by_service = read(
        &c,
        "aws_vpc_endpoint",
        Value::map([("vpc_id", s(&vpc)), ("service_name", s(&s3))]),
    )
    .await
    .expect("by service");
    assert_eq!(attr_str(&by_service, "id"), endpoints[0]);
    assert_eq!(attr_str(&by_service, "vpc_endpoint_type"), "Gateway");
    assert_eq!(strings_of(attr(&by_service, "route_table_ids")), [table]);
    assert_eq!(
        attr(&by_service, "tags"),
        &tags(&[("Name", "s3"), ("Stack", "ecs")])
    );
    assert!(attr_str(&by_service, "arn").ends_with(&format!(":vpc-endpoint/{}", endpoints[0])));
    // The service's prefix list, for security group rules (moto's has no CIDRs in it).
    let list = c
        .ec2
        .describe_prefix_lists()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("prefix-list-name")
                .values(&s3)
                .build(),
        )
        .send()
        .await
        .expect("DescribePrefixLists")
        .prefix_lists()[0]
        .clone();
    assert!(attr_str(&by_service, "prefix_list_id").starts_with("pl-"));
    assert_eq!(
        attr_str(&by_service, "prefix_list_id"),
        list.prefix_list_id().unwrap()
    );
    assert_eq!(strings_of(attr(&by_service, "cidr_blocks")), list.cidrs());

    let by_id = read(
        &c,
        "aws_vpc_endpoint",
        Value::map([("id", s(&endpoints[1]))]),
    )
    .await
    .expect("by id");
    assert_eq!(
        attr_str(&by_id, "service_name"),
        "com.amazonaws.eu-west-1.dynamodb"
    );
    let by_tag = read(
        &c,
        "aws_vpc_endpoint",
        Value::map([("tags", tags(&[("Name", "ddb")]))]),
    )
    .await
    .expect("by tag");
    assert_eq!(attr_str(&by_tag, "id"), endpoints[1]);

    let several = read(
        &c,
        "aws_vpc_endpoint",
        Value::map([("filter", filter("vpc-id", &[&vpc]))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        several.message,
        "multiple EC2 VPC Endpoints matched; use additional constraints to reduce matches to a single EC2 VPC Endpoint"
    );
    let none = read(
        &c,
        "aws_vpc_endpoint",
        Value::map([("tags", tags(&[("Name", "nosuch")]))]),
    )
    .await
    .unwrap_err();
    assert_eq!(none.message, "no matching EC2 VPC Endpoint found");
}

/// A hosted zone made with the SDK (private when `vpc` is given): its id without
/// `/hostedzone/`.
async fn hosted_zone(c: &AwsClients, name: &str, vpc: Option<&str>) -> String {
    let mut req = c
        .route53
        .create_hosted_zone()
        .name(name)
        .caller_reference(uuid::Uuid::new_v4().to_string());
    if let Some(vpc) = vpc {
        req = req
            .vpc(
                aws_sdk_route53::types::Vpc::builder()
                    .vpc_id(vpc)
                    .vpc_region(aws_sdk_route53::types::VpcRegion::from(
                        support::moto::REGION,
                    ))
                    .build(),
            )
            .hosted_zone_config(
                aws_sdk_route53::types::HostedZoneConfig::builder()
                    .private_zone(true)
                    .build(),
            );
    }
    let out = req.send().await.expect("CreateHostedZone");
    out.hosted_zone()
        .unwrap()
        .id()
        .trim_start_matches("/hostedzone/")
        .to_string()
}

#[tokio::test]
async fn aws_route53_zone_finds_exactly_one() {
    let _moto = exclusive();
    let c = clients().await;
    let public = hosted_zone(&c, "lookup.example.org.", None).await;
    let vpc = vpc(&c, "10.77.0.0/16").await;
    let private = hosted_zone(&c, "lookup.example.org", Some(&vpc)).await;
    c.route53
        .change_tags_for_resource()
        .resource_type(aws_sdk_route53::types::TagResourceType::Hostedzone)
        .resource_id(&public)
        .add_tags(
            aws_sdk_route53::types::Tag::builder()
                .key("Team")
                .value("web")
                .build(),
        )
        .send()
        .await
        .unwrap();

    let by_name = read(
        &c,
        "aws_route53_zone",
        Value::map([("name", s("Lookup.example.org."))]),
    )
    .await
    .expect("by name");
    assert_eq!(attr_str(&by_name, "id"), public);
    assert_eq!(attr_str(&by_name, "zone_id"), public);
    assert_eq!(attr_str(&by_name, "name"), "lookup.example.org");
    assert_eq!(attr(&by_name, "private_zone"), &Value::Bool(false));
    assert_eq!(attr(&by_name, "tags"), &tags(&[("Team", "web")]));
    assert_eq!(
        attr_str(&by_name, "arn"),
        format!("arn:aws:route53:::hostedzone/{public}")
    );
    let servers = strings_of(attr(&by_name, "name_servers"));
    assert!(!servers.is_empty());
    assert_eq!(attr_str(&by_name, "primary_name_server"), servers[0]);
    assert!(
        attr(&by_name, "resource_record_set_count")
            .as_number()
            .unwrap()
            >= 2.0
    );

    let by_id = read(
        &c,
        "aws_route53_zone",
        Value::map([("zone_id", s(&private))]),
    )
    .await
    .expect("by id");
    assert_eq!(attr(&by_id, "private_zone"), &Value::Bool(true));

    let by_vpc = read(
        &c,
        "aws_route53_zone",
        Value::map([("name", s("lookup.example.org")), ("vpc_id", s(&vpc))]),
    )
    .await
    .expect("by vpc");
    assert_eq!(attr_str(&by_vpc, "id"), private);

    let e = read(
        &c,
        "aws_route53_zone",
        Value::map([
            ("name", s("lookup.example.org")),
            ("tags", tags(&[("Team", "db")])),
        ]),
    )
    .await
    .unwrap_err();
    assert_eq!(e.message, "no matching Route 53 Hosted Zone found");

    hosted_zone(&c, "lookup.example.org", None).await;
    let e = read(
        &c,
        "aws_route53_zone",
        Value::map([("name", s("lookup.example.org"))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.message,
        "multiple Route 53 Hosted Zones matched; use additional constraints to reduce matches to a single Route 53 Hosted Zone"
    );
    // The tags still single out the first.
    let by_tag = read(
        &c,
        "aws_route53_zone",
        Value::map([
            ("name", s("lookup.example.org")),
            ("tags", tags(&[("Team", "web")])),
        ]),
    )
    .await
    .expect("by tags");
    assert_eq!(attr_str(&by_tag, "id"), public);
}

/// A certificate requested with the SDK, with tags: its ARN.
async fn requested_certificate(c: &AwsClients, domain: &str, tags: &[(&str, &str)]) -> String {
    let tags: Vec<aws_sdk_acm::types::Tag> = tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_acm::types::Tag::builder()
                .key(*k)
                .value(*v)
                .build()
                .unwrap()
        })
        .collect();
    c.acm
        .request_certificate()
        .domain_name(domain)
        .validation_method(aws_sdk_acm::types::ValidationMethod::Dns)
        .set_tags(Some(tags))
        .send()
        .await
        .expect("RequestCertificate")
        .certificate_arn()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn aws_acm_certificate_finds_exactly_one() {
    let _moto = exclusive();
    let c = clients().await;
    let first = requested_certificate(&c, "lookup.example.io", &[("Team", "web")]).await;

    // Not issued yet: ISSUED is the default status looked for.
    let e = read(
        &c,
        "aws_acm_certificate",
        Value::map([("domain", s("lookup.example.io"))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.message,
        "no ACM Certificate matching domain (lookup.example.io)"
    );
    let pending = read(
        &c,
        "aws_acm_certificate",
        Value::map([
            ("domain", s("lookup.example.io")),
            ("statuses", list(vec![s("PENDING_VALIDATION")])),
        ]),
    )
    .await
    .expect("pending");
    assert_eq!(attr_str(&pending, "arn"), first);
    assert_eq!(attr(&pending, "certificate"), &Value::Null);

    // moto issues it MOTO_ACM_VALIDATION_WAIT (3) seconds after the request.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let issued = read(
        &c,
        "aws_acm_certificate",
        Value::map([("domain", s("lookup.example.io"))]),
    )
    .await
    .expect("issued");
    assert_eq!(attr_str(&issued, "id"), first);
    assert_eq!(attr_str(&issued, "status"), "ISSUED");
    assert!(attr_str(&issued, "certificate").starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(attr(&issued, "tags"), &tags(&[("Team", "web")]));

    let second = requested_certificate(&c, "lookup.example.io", &[("Team", "api")]).await;
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let e = read(
        &c,
        "aws_acm_certificate",
        Value::map([("domain", s("lookup.example.io"))]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.message,
        "multiple ACM Certificates matching domain (lookup.example.io)"
    );
    let by_tag = read(
        &c,
        "aws_acm_certificate",
        Value::map([
            ("domain", s("lookup.example.io")),
            ("tags", tags(&[("Team", "api")])),
        ]),
    )
    .await
    .expect("by tags");
    assert_eq!(attr_str(&by_tag, "arn"), second);
    let latest = read(
        &c,
        "aws_acm_certificate",
        Value::map([
            ("domain", s("lookup.example.io")),
            ("most_recent", Value::Bool(true)),
            ("types", list(vec![s("AMAZON_ISSUED")])),
            ("key_types", Value::set(vec![s("RSA_2048")])),
        ]),
    )
    .await
    .expect("most recent");
    assert!([&first, &second].contains(&&attr_str(&latest, "arn").to_string()));
    let e = read(
        &c,
        "aws_acm_certificate",
        Value::map([
            ("domain", s("lookup.example.io")),
            ("types", list(vec![s("IMPORTED")])),
        ]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.message,
        "no ACM Certificate found matching input criteria"
    );
}
