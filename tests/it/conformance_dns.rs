//! Conformance of the Route 53 types against moto: `aws_route53_zone` (public and private,
//! `force_destroy`) and `aws_route53_record` (plain, alias, weighted, TXT, wildcard). Zones a
//! record test needs are made with plain SDK calls, so that each test exercises one type.

// Each test holds `exclusive()` across `.await`s; sound, as every `#[tokio::test]` has its own
// runtime on its own thread (see tests/it/support/moto.rs).
#![allow(clippy::await_holding_lock)]

use crate::support;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType, TagResourceType,
};
use ecsform::aws::resources::{route53_record::Route53RecordType, route53_zone::Route53ZoneType};
use ecsform::aws::AwsClients;
use ecsform::aws::{CallContext, ResourceType};
use ecsform::lang::Value;
use ecsform::plan::Action;
use support::conformance::{conformance, conformance_with_tags, extra_tags, plan, Stage};
use support::moto::{exclusive, moto};

async fn clients() -> AwsClients {
    AwsClients::from_config(&moto().sdk_config().await)
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn n(v: i32) -> Value {
    Value::number(v)
}

fn set(items: &[&str]) -> Value {
    Value::set(items.iter().map(|i| s(i)).collect())
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::map(pairs.iter().map(|(k, v)| (*k, s(v))))
}

fn attr<'v>(state: &'v Value, name: &str) -> &'v Value {
    &state.as_map().expect("state is an object")[name]
}

fn attr_str<'v>(state: &'v Value, name: &str) -> &'v str {
    attr(state, name)
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string in {state}"))
}

fn ctx<'a>(
    c: &'a AwsClients,
    address: &'a str,
    extra: &'a BTreeMap<String, String>,
) -> CallContext<'a> {
    CallContext {
        clients: c,
        address,
        extra_tags: extra,
    }
}

/// The tags Route 53 holds for a zone, ecsform's own included.
fn zone_tags<'a>(
    c: &'a AwsClients,
    state: &'a Value,
) -> Pin<Box<dyn Future<Output = BTreeMap<String, String>> + 'a>> {
    Box::pin(async move {
        let out = c
            .route53
            .list_tags_for_resource()
            .resource_type(TagResourceType::Hostedzone)
            .resource_id(attr_str(state, "id"))
            .send()
            .await
            .expect("ListTagsForResource");
        out.resource_tag_set()
            .map(|t| t.tags())
            .unwrap_or_default()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect()
    })
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

/// A public zone made with the SDK: its id without `/hostedzone/`.
async fn zone(c: &AwsClients, name: &str) -> String {
    let out = c
        .route53
        .create_hosted_zone()
        .name(name)
        .caller_reference(uuid::Uuid::new_v4().to_string())
        .send()
        .await
        .expect("CreateHostedZone");
    out.hosted_zone()
        .expect("zone")
        .id()
        .trim_start_matches("/hostedzone/")
        .to_string()
}

#[tokio::test]
async fn aws_route53_zone_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let create = Value::map([
        ("name", s("Public.Example.com.")),
        ("tags", tags(&[("Name", "public")])),
    ]);
    let update = Value::map([
        ("name", s("public.example.com")),
        ("comment", s("the public zone")),
        ("tags", tags(&[("Name", "public"), ("Env", "test")])),
    ]);
    conformance_with_tags(
        &Route53ZoneType,
        &c,
        zone_tags,
        create,
        update,
        |stage, state| {
            let id = attr_str(state, "id");
            assert!(!id.starts_with('/'), "{id}");
            assert_eq!(attr_str(state, "zone_id"), id);
            assert_eq!(
                attr_str(state, "arn"),
                format!("arn:aws:route53:::hostedzone/{id}")
            );
            assert_eq!(attr_str(state, "name"), "public.example.com");
            let comment = match stage {
                Stage::Created => "Managed by Terraform",
                Stage::Updated => "the public zone",
            };
            assert_eq!(attr_str(state, "comment"), comment);
            let servers = attr(state, "name_servers").as_list().unwrap();
            assert!(!servers.is_empty(), "{state}");
            let mut sorted = servers.to_vec();
            sorted.sort_by_key(|v| v.as_str().unwrap().to_string());
            assert_eq!(sorted, servers.to_vec());
            assert!(!attr_str(state, "primary_name_server").is_empty());
        },
    )
    .await;
}

/// A private zone: VPCs associated and disassociated in place, `vpc_region` filled in.
#[tokio::test]
async fn aws_route53_zone_private_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let a = vpc(&c, "10.60.0.0/16").await;
    let b = vpc(&c, "10.61.0.0/16").await;
    let block = |id: &str| Value::map([("vpc_id", s(id))]);
    let create = Value::map([
        ("name", s("internal.example")),
        ("vpc", Value::set(vec![block(&a)])),
    ]);
    let update = Value::map([
        ("name", s("internal.example")),
        ("vpc", Value::set(vec![block(&b)])),
    ]);
    conformance_with_tags(
        &Route53ZoneType,
        &c,
        zone_tags,
        create,
        update,
        |stage, state| {
            let vpcs = attr(state, "vpc").as_list().unwrap();
            assert_eq!(vpcs.len(), 1, "{state}");
            let want = if stage == Stage::Created { &a } else { &b };
            assert_eq!(attr_str(&vpcs[0], "vpc_id"), want);
            assert_eq!(attr_str(&vpcs[0], "vpc_region"), "eu-west-1");
        },
    )
    .await;
}

/// Without `force_destroy` a zone with records cannot be deleted; with it, its records go
/// first.
#[tokio::test]
async fn aws_route53_zone_force_destroy_deletes_the_records_first() {
    let _moto = exclusive();
    let c = clients().await;
    let extra = extra_tags("aws_route53_zone.doomed");
    let ctx = ctx(&c, "aws_route53_zone.doomed", &extra);
    let config = Value::map([
        ("name", s("doomed.example.com")),
        ("force_destroy", Value::Bool(true)),
    ]);
    let planned = plan(&Route53ZoneType, &config, None);
    let created = Route53ZoneType.create(&ctx, &planned.after).await.unwrap();
    assert_eq!(attr(&created, "force_destroy"), &Value::Bool(true));
    let id = attr_str(&created, "id").to_string();
    let record = ResourceRecordSet::builder()
        .name("www.doomed.example.com")
        .r#type(RrType::A)
        .ttl(60)
        .resource_records(ResourceRecord::builder().value("10.0.0.1").build().unwrap())
        .build()
        .unwrap();
    c.route53
        .change_resource_record_sets()
        .hosted_zone_id(&id)
        .change_batch(
            ChangeBatch::builder()
                .changes(
                    Change::builder()
                        .action(ChangeAction::Create)
                        .resource_record_set(record)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("ChangeResourceRecordSets");
    let mut refused = created.as_map().unwrap().clone();
    refused.insert("force_destroy".into(), Value::Bool(false));
    let refused = Value::Map(refused);
    let err = Route53ZoneType.delete(&ctx, &refused).await.unwrap_err();
    assert!(err.code.contains("HostedZoneNotEmpty"), "{err}");
    Route53ZoneType.delete(&ctx, &created).await.unwrap();
    let gone = Route53ZoneType.read_many(&c, &[id]).await.unwrap();
    assert!(gone.is_empty());
}

#[tokio::test]
async fn aws_route53_record_conforms() {
    let _moto = exclusive();
    let c = clients().await;
    let z = zone(&c, "records.example.com").await;
    let record = |ttl: i32, values: &[&str]| {
        Value::map([
            ("zone_id", s(&z)),
            ("name", s("WWW")),
            ("type", s("A")),
            ("ttl", n(ttl)),
            ("records", set(values)),
        ])
    };
    conformance(
        &Route53RecordType,
        &c,
        record(300, &["10.0.0.1"]),
        record(60, &["10.0.0.1", "10.0.0.2"]),
        |stage, state| {
            assert_eq!(attr_str(state, "id"), format!("{z}_www_A"));
            assert_eq!(attr_str(state, "name"), "www");
            assert_eq!(attr_str(state, "fqdn"), "www.records.example.com");
            let ttl = if stage == Stage::Created { 300 } else { 60 };
            assert_eq!(attr(state, "ttl"), &n(ttl));
        },
    )
    .await;
}

/// Creates a record from `config`, reads it back and plans again: the same, and no change.
async fn round_trip(ctx: &CallContext<'_>, config: Value) -> Value {
    let rt = &Route53RecordType;
    let planned = plan(rt, &config, None);
    assert_eq!(planned.action, Action::Create);
    let created = rt.create(ctx, &planned.after).await.unwrap();
    let id = attr_str(&created, "id").to_string();
    let read = rt
        .read_many(ctx.clients, std::slice::from_ref(&id))
        .await
        .unwrap();
    assert_eq!(read.get(&id), Some(&created), "read differs from create");
    let again = plan(rt, &config, Some(&created));
    assert_eq!(again.action, Action::NoOp, "{}", again.after);
    created
}

/// An alias to a load balancer, a weighted pair with set identifiers, a TXT value and a
/// wildcard: each reads back as configured and plans no change; `allow_overwrite` takes over
/// a record that exists; a changed set identifier is updated in place, a changed name replaces.
#[tokio::test]
async fn aws_route53_record_routing_alias_txt_and_wildcard_plan_no_changes() {
    let _moto = exclusive();
    let c = clients().await;
    let z = zone(&c, "routing.example.com").await;
    let extra = extra_tags("aws_route53_record.r");
    let ctx = ctx(&c, "aws_route53_record.r", &extra);
    let rt = &Route53RecordType;
    let alias = round_trip(
        &ctx,
        Value::map([
            ("zone_id", s(&z)),
            ("name", s("app.routing.example.com")),
            ("type", s("A")),
            (
                "alias",
                Value::List(vec![Value::map([
                    ("name", s("Web-123.eu-west-1.elb.amazonaws.com.")),
                    ("zone_id", s("Z32O12XQLNTSW2")),
                    ("evaluate_target_health", Value::Bool(true)),
                ])]),
            ),
        ]),
    )
    .await;
    let target = &attr(&alias, "alias").as_list().unwrap()[0];
    assert_eq!(
        attr_str(target, "name"),
        "web-123.eu-west-1.elb.amazonaws.com"
    );
    assert_eq!(attr(&alias, "ttl"), &Value::Null);

    let weighted = |id: &str, weight: i32, value: &str| {
        Value::map([
            ("zone_id", s(&z)),
            ("name", s("api.routing.example.com")),
            ("type", s("CNAME")),
            ("ttl", n(60)),
            ("records", set(&[value])),
            ("set_identifier", s(id)),
            (
                "weighted_routing_policy",
                Value::List(vec![Value::map([("weight", n(weight))])]),
            ),
        ])
    };
    let blue = round_trip(&ctx, weighted("blue", 90, "blue.example.net")).await;
    let green = round_trip(&ctx, weighted("green", 10, "green.example.net")).await;
    assert_eq!(
        attr_str(&blue, "id"),
        format!("{z}_api.routing.example.com_CNAME_blue")
    );
    // A new set identifier and weight: one atomic DELETE + CREATE.
    let moved = weighted("teal", 50, "blue.example.net");
    let planned = plan(rt, &moved, Some(&blue));
    assert_eq!(planned.action, Action::Update);
    let teal = rt.update(&ctx, &blue, &planned.after).await.unwrap();
    assert_eq!(attr_str(&teal, "set_identifier"), "teal");
    let gone = rt
        .read_many(&c, &[attr_str(&blue, "id").to_string()])
        .await
        .unwrap();
    assert!(gone.is_empty());
    // A new name replaces the record.
    let mut renamed = moved.as_map().unwrap().clone();
    renamed.insert("name".into(), s("api2.routing.example.com"));
    let planned = plan(rt, &Value::Map(renamed), Some(&teal));
    assert_eq!(planned.action, Action::DeleteThenCreate);

    let long = "v".repeat(300);
    let txt = round_trip(
        &ctx,
        Value::map([
            ("zone_id", s(&z)),
            ("name", s("routing.example.com")),
            ("type", s("TXT")),
            ("ttl", n(300)),
            ("records", set(&["v=spf1 -all", &long])),
        ]),
    )
    .await;
    assert!(attr(&txt, "records").equals(&set(&["v=spf1 -all", &long])));

    let wildcard = round_trip(
        &ctx,
        Value::map([
            ("zone_id", s(&z)),
            ("name", s("*.routing.example.com")),
            ("type", s("A")),
            ("ttl", n(300)),
            ("records", set(&["10.0.0.9"])),
        ]),
    )
    .await;
    assert_eq!(attr_str(&wildcard, "fqdn"), "*.routing.example.com");

    // A record that exists: allow_overwrite takes it over (UPSERT). moto accepts a CREATE over
    // an existing record set too (AWS refuses it), so which action is sent is unit-tested.
    let taken = Value::map([
        ("zone_id", s(&z)),
        ("name", s("*.routing.example.com")),
        ("type", s("A")),
        ("ttl", n(60)),
        ("records", set(&["10.0.0.10"])),
    ]);
    let mut overwrite = taken.as_map().unwrap().clone();
    overwrite.insert("allow_overwrite".into(), Value::Bool(true));
    let overwrite = Value::Map(overwrite);
    let planned = plan(rt, &overwrite, None);
    let over = rt.create(&ctx, &planned.after).await.unwrap();
    assert_eq!(attr(&over, "ttl"), &n(60));
    assert_eq!(attr(&over, "allow_overwrite"), &Value::Bool(true));
    assert_eq!(plan(rt, &overwrite, Some(&over)).action, Action::NoOp);

    for r in [&alias, &teal, &green, &txt, &over] {
        rt.delete(&ctx, r).await.unwrap();
    }
    let left = rt
        .read_many(
            &c,
            &[&alias, &teal, &green, &txt, &over].map(|r| attr_str(r, "id").to_string()),
        )
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
}
