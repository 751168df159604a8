//! Conformance of data sources against moto: each object is made through the API (or by an
//! `ecsform apply`), then found through the data source by each of its lookup arguments, and
//! a lookup that matches nothing, or several, fails with the AWS provider's words.
//! `aws_subnets`, `aws_security_group`, `aws_ec2_managed_prefix_list`, `aws_key_pair`,
//! `aws_launch_template`; through the CLI, data sources read at plan and at apply, and their
//! errors located at the `data` block.

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
    let ds = aws::data_source(name).unwrap_or_else(|| panic!("{name} is not registered"));
    let config = ds
        .schema()
        .conform(&config)
        .expect("the configuration conforms");
    ds.read(c, &config).await
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
