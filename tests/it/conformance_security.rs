//! Conformance of the network-security resource types (`aws_security_group`,
//! `aws_security_group_rule`, `aws_eip`, `aws_nat_gateway`) and the account data sources
//! (`aws_availability_zones`, `aws_region`, `aws_caller_identity`) against moto: create →
//! read_many → update → read → delete → read-not-found, calling the types directly as the
//! engine does.
//!
//! The small lifecycle helper here is local to this file on purpose (a shared one is being
//! written elsewhere).

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeMap;

use ecsform::aws;
use ecsform::aws::AwsClients;
use ecsform::aws::{CallContext, ResourceType};
use ecsform::lang::Value;
use ecsform::provider::values::{get_str, string_set};
use support::moto::{exclusive, moto};

const ACCOUNT: &str = "123456789012";

fn s(v: &str) -> Value {
    Value::string(v)
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::map(pairs.iter().map(|(k, v)| (*k, s(v))))
}

fn field<'v>(v: &'v Value, name: &str) -> &'v Value {
    &v.as_map().expect("an object")[name]
}

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

fn rtype(name: &str) -> &'static dyn ResourceType {
    aws::resource_type(name).unwrap_or_else(|| panic!("{name} is registered"))
}

/// What the planner would hand to `create`/`update`: the conformed configuration, unset
/// optional+computed attributes kept from `prior`, and `tags_all` = `tags` (no default tags).
fn planned(rt: &dyn ResourceType, config: Value, prior: Option<&Value>) -> Value {
    let conformed = rt
        .schema()
        .conform(&config)
        .unwrap_or_else(|e| panic!("{}: {e:?}", rt.type_name()));
    let Value::Map(mut m) = conformed else {
        unreachable!()
    };
    for (k, v) in m.iter_mut() {
        if matches!(v, Value::Unknown) {
            *v = prior
                .and_then(|p| p.as_map())
                .and_then(|p| p.get(k))
                .cloned()
                .unwrap_or(Value::Unknown);
        }
    }
    if m.contains_key("tags_all") {
        let t = m.get("tags").cloned().unwrap_or(Value::Null);
        m.insert("tags_all".into(), t);
    }
    Value::Map(m)
}

/// The ecsform tags a test passes as `extra_tags`.
fn extra(address: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("ecsform:address".to_string(), address.to_string()),
        ("ecsform:lineage".to_string(), "test-lineage".to_string()),
    ])
}

/// The tags AWS holds on `id`, ecsform's own included.
async fn aws_tags(c: &AwsClients, id: &str) -> BTreeMap<String, String> {
    let out = c
        .ec2
        .describe_tags()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("resource-id")
                .values(id)
                .build(),
        )
        .send()
        .await
        .expect("DescribeTags");
    out.tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect()
}

/// One resource type's whole life. `absent_id` is a well-formed id of an object that does
/// not exist: reading it along with the real one must still return the real one.
struct Lifecycle<'a> {
    type_name: &'a str,
    create: Value,
    update: Value,
    absent_id: &'a str,
}

impl Lifecycle<'_> {
    /// Runs the life, calling `check_created` and `check_updated` on the states returned by
    /// create and update (and re-read), and returns the final state before deletion.
    async fn run(
        &self,
        c: &AwsClients,
        check_created: impl Fn(&Value),
        check_updated: impl Fn(&Value),
    ) {
        let rt = rtype(self.type_name);
        let address = format!("{}.test", self.type_name);
        let extra = extra(&address);
        let ctx = CallContext {
            clients: c,
            address: &address,
            extra_tags: &extra,
        };

        let p = planned(rt, self.create.clone(), None);
        let created = rt.create(&ctx, &p).await.expect("create");
        let id = get_str(&created, "id").expect("an id").to_string();
        check_created(&created);

        let read = rt
            .read_many(c, &[id.clone(), self.absent_id.to_string()])
            .await
            .expect("read_many");
        assert_eq!(read.len(), 1, "{read:#?}");
        assert_eq!(read[&id], created, "read after create");

        let p = planned(rt, self.update.clone(), Some(&created));
        let updated = rt.update(&ctx, &created, &p).await.expect("update");
        assert_eq!(
            get_str(&updated, "id"),
            Some(id.as_str()),
            "update keeps the id"
        );
        check_updated(&updated);
        let read = rt
            .read_many(c, std::slice::from_ref(&id))
            .await
            .expect("read_many");
        assert_eq!(read.get(&id), Some(&updated), "read after update");

        rt.delete(&ctx, &updated).await.expect("delete");
        let read = rt
            .read_many(c, std::slice::from_ref(&id))
            .await
            .expect("read_many");
        assert!(read.is_empty(), "still there after delete: {read:#?}");
        rt.delete(&ctx, &updated)
            .await
            .expect("deleting again is not an error");
    }
}

/// A VPC and a subnet in it, made directly with the SDK.
async fn network(c: &AwsClients) -> (String, String) {
    let vpc = c
        .ec2
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .send()
        .await
        .expect("CreateVpc");
    let vpc_id = vpc.vpc().and_then(|v| v.vpc_id()).unwrap().to_string();
    let subnet = c
        .ec2
        .create_subnet()
        .vpc_id(&vpc_id)
        .cidr_block("10.0.1.0/24")
        .availability_zone("eu-west-1a")
        .send()
        .await
        .expect("CreateSubnet");
    let subnet_id = subnet
        .subnet()
        .and_then(|s| s.subnet_id())
        .unwrap()
        .to_string();
    (vpc_id, subnet_id)
}

fn rule(from: i32, to: i32, protocol: &str, extra: &[(&str, Value)]) -> Value {
    let mut m = BTreeMap::from([
        ("from_port".to_string(), Value::number(from)),
        ("to_port".to_string(), Value::number(to)),
        ("protocol".to_string(), s(protocol)),
    ]);
    m.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Value::Map(m)
}

fn blocks(state: &Value, name: &str) -> Vec<Value> {
    field(state, name).as_list().unwrap_or_default().to_vec()
}

#[tokio::test]
async fn security_group_lifecycle() {
    let _moto = exclusive();
    let c = clients().await;
    let (vpc_id, _) = network(&c).await;
    let https = rule(
        443,
        443,
        "tcp",
        &[("cidr_blocks", string_set(["10.0.0.0/8"]))],
    );
    let create = Value::map([
        ("name", s("web")),
        ("vpc_id", s(&vpc_id)),
        ("ingress", Value::List(vec![https])),
        (
            "egress",
            Value::List(vec![rule(
                443,
                443,
                "tcp",
                &[("cidr_blocks", string_set(["0.0.0.0/0"]))],
            )]),
        ),
        ("tags", tags(&[("Name", "web")])),
    ]);
    // Update: a description on the HTTPS rule, a new SSH rule from the group itself, a new
    // tag; the egress blocks are not configured any more (left as they are).
    let update = Value::map([
        ("name", s("web")),
        ("vpc_id", s(&vpc_id)),
        (
            "ingress",
            Value::List(vec![
                rule(
                    443,
                    443,
                    "tcp",
                    &[
                        ("cidr_blocks", string_set(["10.0.0.0/8"])),
                        ("description", s("https")),
                    ],
                ),
                rule(22, 22, "tcp", &[("self", Value::Bool(true))]),
            ]),
        ),
        ("tags", tags(&[("Name", "web"), ("Team", "platform")])),
    ]);
    Lifecycle {
        type_name: "aws_security_group",
        create,
        update,
        absent_id: "sg-0123456789abcdef0",
    }
    .run(
        &c,
        |v| {
            assert_eq!(field(v, "name"), &s("web"));
            assert_eq!(field(v, "description"), &s("Managed by ecsform"));
            assert_eq!(field(v, "owner_id"), &s(ACCOUNT));
            let arn = get_str(v, "arn").unwrap();
            assert!(arn.starts_with("arn:aws:ec2:eu-west-1:123456789012:security-group/sg-"));
            assert_eq!(field(v, "tags"), &tags(&[("Name", "web")]));
            assert_eq!(field(v, "tags_all"), &tags(&[("Name", "web")]));
            let ingress = blocks(v, "ingress");
            assert_eq!(ingress.len(), 1, "{ingress:#?}");
            assert_eq!(
                field(&ingress[0], "cidr_blocks"),
                &string_set(["10.0.0.0/8"])
            );
            // The configured egress replaced AWS's default allow-all rule.
            let egress = blocks(v, "egress");
            assert_eq!(egress.len(), 1, "{egress:#?}");
            assert_eq!(field(&egress[0], "protocol"), &s("tcp"));
        },
        |v| {
            assert_eq!(
                field(v, "tags"),
                &tags(&[("Name", "web"), ("Team", "platform")])
            );
            let ingress = blocks(v, "ingress");
            assert_eq!(ingress.len(), 2, "{ingress:#?}");
            let ssh = ingress
                .iter()
                .find(|b| field(b, "from_port") == &Value::number(22))
                .expect("the SSH rule");
            assert_eq!(field(ssh, "self"), &Value::Bool(true));
            let https = ingress
                .iter()
                .find(|b| field(b, "from_port") == &Value::number(443))
                .expect("the HTTPS rule");
            assert_eq!(field(https, "description"), &s("https"));
            assert_eq!(blocks(v, "egress").len(), 1, "egress left alone");
        },
    )
    .await;
}

#[tokio::test]
async fn security_group_without_rule_blocks_keeps_aws_defaults_and_is_tagged() {
    let _moto = exclusive();
    let c = clients().await;
    let (vpc_id, _) = network(&c).await;
    let rt = rtype("aws_security_group");
    let extra = extra("aws_security_group.plain");
    let ctx = CallContext {
        clients: &c,
        address: "aws_security_group.plain",
        extra_tags: &extra,
    };
    let p = planned(
        rt,
        Value::map([("name_prefix", s("plain-")), ("vpc_id", s(&vpc_id))]),
        None,
    );
    let v = rt.create(&ctx, &p).await.expect("create");
    let name = get_str(&v, "name").unwrap();
    assert!(name.starts_with("plain-") && name.len() == 6 + 26, "{name}");
    assert_eq!(field(&v, "name_prefix"), &s("plain-"));
    let egress = blocks(&v, "egress");
    assert_eq!(egress.len(), 1, "{egress:#?}");
    assert_eq!(field(&egress[0], "protocol"), &s("-1"));
    assert_eq!(field(&egress[0], "cidr_blocks"), &string_set(["0.0.0.0/0"]));
    assert!(blocks(&v, "ingress").is_empty());
    let id = get_str(&v, "id").unwrap();
    let on_aws = aws_tags(&c, id).await;
    assert_eq!(
        on_aws.get("ecsform:address").map(String::as_str),
        Some("aws_security_group.plain")
    );
    assert_eq!(field(&v, "tags"), &Value::Map(BTreeMap::new()));
    rt.delete(&ctx, &v).await.expect("delete");
}

#[tokio::test]
async fn security_group_rule_lifecycle() {
    let _moto = exclusive();
    let c = clients().await;
    let (vpc_id, _) = network(&c).await;
    let group = c
        .ec2
        .create_security_group()
        .group_name("rules")
        .description("rules")
        .vpc_id(&vpc_id)
        .send()
        .await
        .expect("CreateSecurityGroup");
    let sg = group.group_id().unwrap().to_string();
    let base = |description: &str| {
        Value::map([
            ("type", s("ingress")),
            ("security_group_id", s(&sg)),
            ("from_port", Value::number(80)),
            ("to_port", Value::number(8000)),
            ("protocol", s("tcp")),
            ("cidr_blocks", string_set(["10.0.0.0/8", "10.1.0.0/16"])),
            ("description", s(description)),
        ])
    };

    // A second rule on the same ports: AWS merges both into one permission.
    let rt = rtype("aws_security_group_rule");
    let extra = extra("aws_security_group_rule.self");
    let ctx = CallContext {
        clients: &c,
        address: "aws_security_group_rule.self",
        extra_tags: &extra,
    };
    let self_rule = planned(
        rt,
        Value::map([
            ("type", s("ingress")),
            ("security_group_id", s(&sg)),
            ("from_port", Value::number(80)),
            ("to_port", Value::number(8000)),
            ("protocol", s("tcp")),
            ("self", Value::Bool(true)),
        ]),
        None,
    );
    let other = rt.create(&ctx, &self_rule).await.expect("create self rule");
    let other_id = get_str(&other, "id").unwrap().to_string();
    assert!(other_id.starts_with("sgrule-"), "{other_id}");

    Lifecycle {
        type_name: "aws_security_group_rule",
        create: base("app"),
        update: base("app servers"),
        absent_id: "sgrule-1",
    }
    .run(
        &c,
        |v| {
            assert!(get_str(v, "id").unwrap().starts_with("sgrule-"));
            assert_eq!(
                field(v, "cidr_blocks"),
                &string_set(["10.0.0.0/8", "10.1.0.0/16"])
            );
            assert_eq!(field(v, "description"), &s("app"));
            assert_eq!(field(v, "self"), &Value::Bool(false));
        },
        |v| assert_eq!(field(v, "description"), &s("app servers")),
    )
    .await;

    // The other rule survived the deletion of the first one.
    let read = rt
        .read_many(&c, std::slice::from_ref(&other_id))
        .await
        .unwrap();
    assert_eq!(read.get(&other_id), Some(&other));
    assert_eq!(field(&other, "self"), &Value::Bool(true));
    rt.delete(&ctx, &other).await.expect("delete self rule");
    assert!(rt.read_many(&c, &[other_id]).await.unwrap().is_empty());
}

#[tokio::test]
async fn duplicate_security_group_rule_is_explained() {
    let _moto = exclusive();
    let c = clients().await;
    let (vpc_id, _) = network(&c).await;
    let sg = c
        .ec2
        .create_security_group()
        .group_name("dup")
        .description("dup")
        .vpc_id(&vpc_id)
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    let rt = rtype("aws_security_group_rule");
    let extra = extra("aws_security_group_rule.dup");
    let ctx = CallContext {
        clients: &c,
        address: "aws_security_group_rule.dup",
        extra_tags: &extra,
    };
    let p = planned(
        rt,
        Value::map([
            ("type", s("egress")),
            ("security_group_id", s(&sg)),
            ("from_port", Value::number(0)),
            ("to_port", Value::number(0)),
            ("protocol", s("-1")),
            ("cidr_blocks", string_set(["0.0.0.0/0"])),
        ]),
        None,
    );
    // AWS's default egress rule is exactly this one.
    let e = rt.create(&ctx, &p).await.unwrap_err();
    assert_eq!(e.code, "InvalidPermission.Duplicate", "{e}");
    assert!(e.message.contains("managed only once"), "{e}");
}

#[tokio::test]
async fn eip_lifecycle() {
    let _moto = exclusive();
    let c = clients().await;
    let (_, subnet_id) = network(&c).await;
    let eni = c
        .ec2
        .create_network_interface()
        .subnet_id(&subnet_id)
        .send()
        .await
        .expect("CreateNetworkInterface");
    let eni = eni.network_interface().unwrap();
    let eni_id = eni.network_interface_id().unwrap().to_string();
    let eni_ip = eni.private_ip_address().unwrap().to_string();
    Lifecycle {
        type_name: "aws_eip",
        create: Value::map([("tags", tags(&[("Name", "nat")]))]),
        // Tags change and the address gets associated with a network interface, in place.
        update: Value::map([
            ("tags", tags(&[("Name", "nat"), ("Env", "test")])),
            ("network_interface", s(&eni_id)),
        ]),
        absent_id: "eipalloc-0123456789abcdef0",
    }
    .run(
        &c,
        |v| {
            assert!(get_str(v, "id").unwrap().starts_with("eipalloc-"));
            assert_eq!(field(v, "allocation_id"), field(v, "id"));
            assert_eq!(field(v, "domain"), &s("vpc"));
            let ip = get_str(v, "public_ip").expect("a public IP");
            assert_eq!(
                get_str(v, "public_dns"),
                Some(
                    format!(
                        "ec2-{}.eu-west-1.compute.amazonaws.com",
                        ip.replace('.', "-")
                    )
                    .as_str()
                )
            );
            assert_eq!(field(v, "association_id"), &Value::Null);
            assert_eq!(field(v, "tags"), &tags(&[("Name", "nat")]));
        },
        |v| {
            assert_eq!(field(v, "tags"), &tags(&[("Env", "test"), ("Name", "nat")]));
            assert_eq!(field(v, "network_interface"), &s(&eni_id));
            assert_eq!(field(v, "private_ip"), &s(&eni_ip));
            assert!(get_str(v, "association_id").is_some_and(|a| a.starts_with("eipassoc-")));
        },
    )
    .await;
}

#[tokio::test]
async fn nat_gateway_lifecycle() {
    let _moto = exclusive();
    let c = clients().await;
    let (_, subnet_id) = network(&c).await;
    let eip = c
        .ec2
        .allocate_address()
        .domain(aws_sdk_ec2::types::DomainType::Vpc)
        .send()
        .await
        .expect("AllocateAddress");
    let alloc = eip.allocation_id().unwrap().to_string();
    let public_ip = eip.public_ip().unwrap().to_string();
    let config = |t: Value| {
        Value::map([
            ("allocation_id", s(&alloc)),
            ("subnet_id", s(&subnet_id)),
            ("tags", t),
        ])
    };
    Lifecycle {
        type_name: "aws_nat_gateway",
        create: config(tags(&[("Name", "nat")])),
        update: config(tags(&[("Name", "nat-a")])),
        absent_id: "nat-0123456789abcdef0",
    }
    .run(
        &c,
        |v| {
            assert!(get_str(v, "id").unwrap().starts_with("nat-"));
            assert_eq!(field(v, "connectivity_type"), &s("public"));
            assert_eq!(field(v, "allocation_id"), &s(&alloc));
            assert_eq!(field(v, "public_ip"), &s(&public_ip));
            assert!(get_str(v, "network_interface_id").is_some_and(|e| e.starts_with("eni-")));
            // moto picks the private IP outside the subnet's range; AWS would not.
            assert!(get_str(v, "private_ip").is_some(), "{v:?}");
            assert_eq!(field(v, "tags"), &tags(&[("Name", "nat")]));
        },
        |v| assert_eq!(field(v, "tags"), &tags(&[("Name", "nat-a")])),
    )
    .await;
}

#[tokio::test]
async fn data_sources_read_the_account_and_region() {
    let _moto = exclusive();
    let c = clients().await;
    let data = |name: &str| aws::data_source(name).unwrap_or_else(|| panic!("{name}"));

    let ds = data("aws_availability_zones");
    let config = ds
        .schema()
        .conform(&Value::map([("state", s("available"))]))
        .unwrap();
    let zones = ds.read(&c, &config).await.expect("availability zones");
    assert_eq!(
        field(&zones, "names"),
        &Value::List(vec![s("eu-west-1a"), s("eu-west-1b"), s("eu-west-1c")])
    );
    let ids = field(&zones, "zone_ids").as_list().unwrap();
    assert_eq!(ids.len(), 3);
    assert!(
        ids.iter()
            .all(|z| z.as_str().unwrap().starts_with("euw1-az")),
        "{ids:?}"
    );
    assert_eq!(field(&zones, "id"), &s("eu-west-1"));

    let ds = data("aws_region");
    let config = ds.schema().conform(&Value::map::<&str>([])).unwrap();
    let region = ds.read(&c, &config).await.expect("region");
    assert_eq!(field(&region, "name"), &s("eu-west-1"));
    assert_eq!(field(&region, "description"), &s("Europe (Ireland)"));
    assert!(
        get_str(&region, "endpoint").is_some_and(|e| e.contains("eu-west-1")),
        "{region:?}"
    );
    let config = ds
        .schema()
        .conform(&Value::map([("name", s("us-east-1"))]))
        .unwrap();
    let other = ds.read(&c, &config).await.expect("named region");
    assert_eq!(field(&other, "description"), &s("US East (N. Virginia)"));

    let ds = data("aws_caller_identity");
    let config = ds.schema().conform(&Value::map::<&str>([])).unwrap();
    let me = ds.read(&c, &config).await.expect("caller identity");
    assert_eq!(field(&me, "account_id"), &s(ACCOUNT));
    assert_eq!(field(&me, "id"), &s(ACCOUNT));
    assert!(get_str(&me, "arn").is_some_and(|a| a.starts_with("arn:aws:")));
    assert!(get_str(&me, "user_id").is_some());
}
